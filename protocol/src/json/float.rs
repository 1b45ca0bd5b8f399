//! Finite floats, written as serde_json writes them: the shortest text that parses back to the
//! same value, by zmij (the formatter serde_json uses), in zmij's notation.
//!
//! One shortcut: an `f64` that is a multiple of 1/16 with magnitude below 2^40 (integers,
//! halves, quarters… — common in JSON data) is written with integer formatting. For such a
//! value the exact decimal expansion has at most four fraction digits, and it is the shortest
//! text that parses back: the neighbouring doubles are at most 2^-12 away, closer than any
//! decimal with fewer digits can be, so zmij's output is those exact digits in fixed
//! notation (zmij uses fixed notation for decimal exponents -5 to 15). The proptest against
//! serde_json covers this range and its edges.

use super::cursor::append;
use super::digits;

/// A float type and how to write its finite values.
pub(super) trait Float: zmij::Float + Copy {
    /// Appends `self`, which is finite.
    fn write_finite(self, out: &mut Vec<u8>);
}

impl Float for f32 {
    #[inline]
    fn write_finite(self, out: &mut Vec<u8>) {
        write_shortest(out, self);
    }
}

impl Float for f64 {
    #[inline]
    fn write_finite(self, out: &mut Vec<u8>) {
        let sixteenths = self * 16.0;
        // Below the limit `sixteenths` converts to `i64` exactly when it is an integer (a
        // conversion and back, where `trunc` would be a libm call on x86_64's baseline).
        let n = sixteenths as i64;
        if self != 0.0 && self.abs() < LIMIT && n as f64 == sixteenths {
            write_sixteenths(out, self < 0.0, n.unsigned_abs());
        } else {
            write_shortest(out, self);
        }
    }
}

/// The shortcut's bound on magnitude: 2^40.
const LIMIT: f64 = (1u64 << 40) as f64;

/// The point and fraction digits of `n/16`, for `n` in `0..16`, padded to a word, and their
/// length.
const FRACTIONS: [([u8; 8], usize); 16] = {
    const TEXT: [&[u8]; 16] = [
        b".0", b".0625", b".125", b".1875", b".25", b".3125", b".375", b".4375", b".5", b".5625",
        b".625", b".6875", b".75", b".8125", b".875", b".9375",
    ];
    let mut table = [([b' '; 8], 0); 16];
    let mut i = 0;
    while i < 16 {
        let mut j = 0;
        while j < TEXT[i].len() {
            table[i].0[j] = TEXT[i][j];
            j += 1;
        }
        table[i].1 = TEXT[i].len();
        i += 1;
    }
    table
};

/// Appends `±n/16` in fixed notation (`n < 2^44`).
#[inline]
fn write_sixteenths(out: &mut Vec<u8>, negative: bool, n: u64) {
    let (frac, frac_len) = FRACTIONS[(n & 15) as usize];
    let int = n >> 4;
    if int < digits::SMALL {
        let (int, int_len) = digits::small(int);
        append(out, 1 + int_len + 8, |c| {
            if negative {
                c.put(b'-');
            }
            c.put_word_prefix(int, int_len);
            c.put_word_prefix(frac, frac_len);
        });
        return;
    }
    let mut buf = itoa::Buffer::new();
    let int = buf.format(int).as_bytes();
    append(out, 1 + int.len() + 8 + 8, |c| {
        if negative {
            c.put(b'-');
        }
        c.put_text(int);
        c.put_word_prefix(frac, frac_len);
    });
}

#[inline]
fn write_shortest<F: zmij::Float>(out: &mut Vec<u8>, v: F) {
    let mut buf = zmij::Buffer::new();
    let text = buf.format_finite(v).as_bytes();
    append(out, text.len() + 8, |c| c.put_text(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(v: f64) -> String {
        let mut out = Vec::new();
        v.write_finite(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sixteenths_match_serde_json_at_the_edges() {
        let edges = [
            0.0625,
            -0.0625,
            0.5,
            1.0,
            -3.75,
            80.0,
            1e15 / 1024.0,
            LIMIT - 0.0625,
            -(LIMIT - 0.0625),
            LIMIT - 1.0,
            LIMIT,
            LIMIT + 0.5,
            LIMIT * 2.0 + 1.0,
            1e15,
            1e16,
            0.0,
            -0.0,
            0.03125,
            1.0 / 3.0,
        ];
        for v in edges {
            assert_eq!(ours(v), serde_json::to_string(&v).unwrap(), "{v:e}");
        }
        for n in (0u64..1 << 12).chain((1 << 44) - (1 << 12)..1 << 44) {
            let v = n as f64 / 16.0;
            assert_eq!(ours(v), serde_json::to_string(&v).unwrap(), "{n}/16");
        }
    }
}
