//! The block marks with SSE2, 16 bytes per instruction (four steps a block).
//!
//! SSE2 is part of x86_64's baseline, so there is no run-time detection: this module is
//! compiled only where `target_feature = "sse2"` is enabled for the whole build (the `cfg` on
//! it). The loads are the crate's (`crate::sse2`, shared with the JSON reader) and
//! dereference no pointer; the one `unsafe` operation is calling
//! the `#[target_feature(enable = "sse2")]` function from code compiled without the attribute.
//! The portable marks (`blocks.rs`) are the reference the tests compare these with.

use crate::sse2::load;
use std::arch::x86_64::{
    _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
};

/// Bit `k` set when byte `k` of `block` is a `"`, a `\` or a control byte.
#[inline(always)]
pub(super) fn marks(block: &[u8; 64]) -> u64 {
    // SAFETY: calling a `#[target_feature(enable = "sse2")]` function is sound where the CPU
    // has SSE2, which every x86_64 CPU has; the module's `cfg` checks that the build enables
    // it. The function itself only reads `block` through bounds-checked array accesses.
    debug_assert!(std::arch::is_x86_feature_detected!("sse2"));
    #[allow(unsafe_code)]
    unsafe {
        marks_sse2(block)
    }
}

#[inline]
#[target_feature(enable = "sse2")]
fn marks_sse2(block: &[u8; 64]) -> u64 {
    // The same compare as `crate::sse2::string_specials`, written out so the three splats
    // stay out of the four-step loop: through the shared function they were rebuilt per
    // step (+1.5 % instructions on a 64 KiB dispatch).
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let control = _mm_set1_epi8(0x1f);
    let mut marks = 0;
    let mut shift = 0;
    for chunk in block.chunks_exact(16) {
        let v = load(chunk.try_into().unwrap_or(&[0; 16]));
        // A byte is a control character when the unsigned minimum with 0x1f is itself.
        let special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
            _mm_cmpeq_epi8(_mm_min_epu8(v, control), v),
        );
        // The cast keeps the 16 mask bits (the rest of the `i32` is zero).
        marks |= u64::from(_mm_movemask_epi8(special) as u16) << shift;
        shift += 16;
    }
    marks
}
