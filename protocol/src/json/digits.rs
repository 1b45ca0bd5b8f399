//! Decimal text of integers below 10^8 with no loop, no table and no call: the digits are
//! split in parallel lanes of one `u64` (two lanes of four, four of two, eight of one) by
//! multiplying with fixed-point reciprocals, the usual case of JSON numbers (ids, counts,
//! the integer part of prices and scores). Larger values go through `itoa`.

/// Values below this have at most eight digits and take [`small`].
pub(super) const SMALL: u64 = 100_000_000;

/// The decimal digits of `v` (`v < SMALL`) as the low bytes of a word, and how many there are.
#[inline]
pub(super) fn small(v: u64) -> ([u8; 8], usize) {
    debug_assert!(v < SMALL);
    // Two 32-bit lanes: the high four digits, then the low four (little-endian: the most
    // significant digits go to the lowest bytes, which come first in memory).
    let x = (v / 10_000) | ((v % 10_000) << 32);
    // Each lane (< 10^4) divided by 100: `lane * 10486 >> 20` is exact below 10^4, and the
    // products (< 2^27) stay inside their lane; the mask drops the bits one lane's shift
    // carries into the other.
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let y = hundreds | (x - hundreds * 100) << 16;
    // Each 16-bit lane (< 100) divided by 10: `lane * 103 >> 10` is exact below 100.
    let tens = ((y * 103) >> 10) & 0x000f_000f_000f_000f;
    let z = tens | (y - tens * 10) << 8;
    // Leading zero digits are the low zero bytes; "0" keeps its last digit.
    let zeros = ((z.trailing_zeros() / 8) as usize).min(7);
    let ascii = (z | 0x3030_3030_3030_3030) >> (8 * zeros);
    (ascii.to_le_bytes(), 8 - zeros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: u64) -> String {
        let (word, len) = small(v);
        String::from_utf8(word[..len].to_vec()).unwrap()
    }

    #[test]
    fn matches_itoa_below_10_pow_8() {
        let edges = (0..SMALL).step_by(9_973).chain(SMALL - 100_000..SMALL);
        for v in (0..200_000).chain(edges) {
            assert_eq!(text(v), itoa::Buffer::new().format(v), "{v}");
        }
        for digits in 1..=8 {
            let low = 10u64.pow(digits - 1);
            for v in [low - 1, low, low + 1, 10 * low - 1] {
                assert_eq!(text(v), v.to_string(), "{v}");
            }
        }
    }
}
