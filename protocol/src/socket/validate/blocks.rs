//! The block stage: 64 bytes at a time, which bytes are structural (`{`, `}`, `[`, `]`, `:`,
//! `,` outside strings, the opening quote of each string, the first byte of each other scalar),
//! and whether any string byte is wrong (a control byte, a bad escape), with no dependency
//! from one string's end to the next string's start (simdjson's stage 1).
//!
//! A block's classes come from byte compares (`sse2.rs`, else a portable loop); the rest is
//! arithmetic on 64-bit masks: the bytes a backslash escapes (odd runs of backslashes, carried
//! across blocks), the quotes left unescaped, the bytes inside strings (a prefix XOR of those
//! quotes, carried across blocks). The walk (`walk.rs`) then checks the grammar over the
//! structural bytes only.
//!
//! Why the classes are exact for what the walk accepts: up to the first byte where the input
//! stops being valid JSON, a backslash is inside a string, so the escapes and with them the
//! string bounds are those of a left-to-right reading. The first invalid byte is then either
//! inside a string (a control byte or a bad escape: `bad` is set) or outside strings, where it
//! is a structural byte in the wrong place, or part of a run of scalar bytes whose first byte
//! is structural and whose check fails (the walk reads each scalar and the byte after it), or
//! the end of the input inside a string (`in_string` is set at the end).

/// One bit per byte (bit `k` for byte `k`) of a block, for each class the stage needs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Masks {
    pub(super) quotes: u64,
    pub(super) backslashes: u64,
    /// Bytes below 0x20.
    pub(super) controls: u64,
    /// `{`, `}`, `[`, `]`, `:` and `,`; also `Y`, `_`, `y` and DEL (the brackets are the
    /// bytes 0x59 under the mask 0xd9), which valid JSON has only inside strings: outside, the
    /// walk finds them where no such byte may be and refuses them.
    pub(super) structural: u64,
    /// Bytes of scalars (numbers and literals, and anything else that is none of the above,
    /// nor a space or a control byte): the first of each run outside strings is structural.
    pub(super) scalar: u64,
}

/// The byte classes of `block`, one byte at a time (other targets, and the tests' reference).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
pub(super) fn masks_portable(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (k, &c) in block.iter().enumerate() {
        let bit = 1u64 << k;
        let structural = c & 0xd9 == 0x59 || c == b':' || c == b',';
        if c == b'"' {
            m.quotes |= bit;
        }
        if c == b'\\' {
            m.backslashes |= bit;
        }
        if c < 0x20 {
            m.controls |= bit;
        }
        if structural {
            m.structural |= bit;
        }
        if !(structural || c <= b' ' || c == b'"') {
            m.scalar |= bit;
        }
    }
    m
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use super::sse2::masks;
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use masks_portable as masks;

/// The stage's state between blocks, over the input from a point outside any string.
pub(super) struct Blocks<'a> {
    b: &'a [u8],
    /// Where the next block starts.
    next: usize,
    /// All bits when the last block ended inside a string.
    in_string: u64,
    /// Bit 0 when the last block ended with a backslash that escapes the next byte.
    escaped_in: u64,
    /// Bit 0 when the last block ended with a scalar byte outside strings.
    scalar_in: u64,
    /// Not zero once a block held a control byte inside a string, a bad escape, or a control
    /// byte other than a tab, line feed or carriage return outside strings.
    bad: u64,
}

impl<'a> Blocks<'a> {
    /// Blocks of `b` from `from`, where no string is open.
    pub(super) fn new(b: &'a [u8], from: usize) -> Self {
        Blocks {
            b,
            next: from,
            in_string: 0,
            escaped_in: 0,
            scalar_in: 0,
            bad: 0,
        }
    }

    /// After the last block: whether every string closed and none held a wrong byte.
    pub(super) fn clean(&self) -> bool {
        debug_assert!(self.next >= self.b.len());
        self.in_string | self.bad == 0
    }

    /// The next block's start and structural bytes; after the last block, the input's length
    /// (no block starts there). The last bytes are padded with spaces (outside strings they
    /// are nothing; inside one, the string is left open).
    #[inline(never)]
    pub(super) fn next_block(&mut self) -> (usize, u64) {
        let at = self.next;
        let Some(rest) = self.b.get(at..).filter(|rest| !rest.is_empty()) else {
            return (self.b.len(), 0);
        };
        self.next = at + 64;
        match rest.first_chunk::<64>() {
            Some(block) => (at, self.classify(block, at)),
            None => {
                let mut padded = [b' '; 64];
                padded[..rest.len()].copy_from_slice(rest);
                (at, self.classify(&padded, at))
            }
        }
    }

    /// The structural bytes of `block` (at `base` in the input).
    #[inline(always)]
    fn classify(&mut self, block: &[u8; 64], base: usize) -> u64 {
        let m = masks(block);
        let mut quotes = m.quotes;
        if m.backslashes | self.escaped_in != 0 {
            // The bytes a backslash escapes (a backslash escaped by the one before it escapes
            // nothing), without a loop over the backslashes: the backslashes that start a run
            // are subtracted from their run's bits with the odd positions set, which leaves a
            // pattern telling odd-length runs from even ones (simdjson's method).
            const ODD: u64 = 0xaaaa_aaaa_aaaa_aaaa;
            let starts = m.backslashes & !self.escaped_in;
            let codes = ((starts << 1) | ODD).wrapping_sub(starts) ^ ODD;
            let escaped = codes ^ (m.backslashes | self.escaped_in);
            self.escaped_in = (codes & m.backslashes) >> 63;
            quotes &= !escaped;
            self.bad |= escapes(self.b, block, base, escaped);
        }
        // Prefix XOR: bit k is the parity of the unescaped quotes at or below k, so it is set
        // from an opening quote up to the byte before its closing one.
        let mut inside = quotes;
        for s in [1, 2, 4, 8, 16, 32] {
            inside ^= inside << s;
        }
        inside ^= self.in_string;
        self.in_string = 0u64.wrapping_sub(inside >> 63);
        self.bad |= m.controls & inside;
        let controls_out = m.controls & !inside;
        if controls_out != 0 {
            self.bad |= not_whitespace(block, controls_out);
        }
        let scalar = m.scalar & !inside;
        let scalar_starts = scalar & !((scalar << 1) | self.scalar_in);
        self.scalar_in = scalar >> 63;
        (m.structural & !inside) | scalar_starts | (quotes & inside)
    }
}

/// Not zero when a byte `escaped` marks in `block` (at `base` in `b`; each follows an escaping
/// backslash) cannot be escaped.
#[inline(never)]
fn escapes(b: &[u8], block: &[u8; 64], base: usize, mut escaped: u64) -> u64 {
    let mut bad = 0;
    while escaped != 0 {
        let k = escaped.trailing_zeros() as usize;
        escaped &= escaped - 1;
        match block[k] {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
            b'u' => {
                // Four hex digits, read from the input (they may lie in the next block).
                let hex = b.get(base + k + 1..base + k + 5);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    bad = 1;
                }
            }
            _ => bad = 1,
        }
    }
    bad
}

/// Not zero when a control byte `controls` marks in `block` (outside strings) is not
/// whitespace.
#[inline(never)]
fn not_whitespace(block: &[u8; 64], mut controls: u64) -> u64 {
    let mut bad = 0;
    while controls != 0 {
        let k = controls.trailing_zeros() as usize;
        controls &= controls - 1;
        if !matches!(block[k], b'\t' | b'\n' | b'\r') {
            bad = 1;
        }
    }
    bad
}
