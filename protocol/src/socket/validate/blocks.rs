//! Where strings stop, 64 bytes at a time: for each 64-byte block of the input (at multiples
//! of 64 from its start), one bit per `"`, `\` or control byte.
//!
//! A string's scan used to start a 16-byte compare at the byte after the previous special
//! byte: index → load → compares → mask → bit index → next index, ≈ 15–20 cycles a step, one
//! step per quote. With the block's marks in a register the step is a shift and a bit index
//! (the marks serve every string of the block); a block is marked when the cursor first enters
//! it, from its own address, so that work does not wait for the previous string's end.

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(super) use super::sse2::marks;
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
pub(super) use marks_portable as marks;

/// Bit `k` set when byte `k` of `block` is a `"`, a `\` or a control byte, one byte at a time
/// (other targets, and the tests' reference).
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
pub(super) fn marks_portable(block: &[u8; 64]) -> u64 {
    let mut m = 0;
    for (k, &c) in block.iter().enumerate() {
        if c == b'"' || c == b'\\' || c < 0x20 {
            m |= 1 << k;
        }
    }
    m
}

/// The marks of the block the cursor is in.
#[derive(Clone, Copy)]
pub(super) struct Block {
    /// Where the block starts (a multiple of 64), or `NONE`.
    start: usize,
    marks: u64,
}

impl Block {
    /// No block yet: every index lies outside it.
    pub(super) const NONE: Block = Block {
        start: 1 << (usize::BITS - 1),
        marks: 0,
    };

    /// The first `"`, `\` or control byte at or after `from` in `b`, if it lies in a block
    /// of 64 bytes that `b` holds whole; `None` when the search reaches the last bytes of `b`
    /// (fewer than 64 from a block's start), where the caller scans on from `Err`'s index.
    #[inline(always)]
    pub(super) fn find(&mut self, b: &[u8], from: usize) -> Result<usize, usize> {
        let mut from = from;
        loop {
            // `from` is at most `b.len()`, far below `NONE`, so the subtraction wraps to a
            // large value when `from` lies before the block.
            let rel = from.wrapping_sub(self.start);
            if rel < 64 {
                let m = self.marks >> rel;
                if m != 0 {
                    return Ok(from + m.trailing_zeros() as usize);
                }
                // Nothing more in this block: on in the next one.
                from = self.start + 64;
            }
            let start = from & !63;
            let Some(block) = b.get(start..).and_then(<[u8]>::first_chunk::<64>) else {
                return Err(from);
            };
            self.start = start;
            self.marks = marks(block);
        }
    }
}
