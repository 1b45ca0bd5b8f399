//! The block stage's byte classes with SSE2, 16 bytes per instruction (four steps a block).
//!
//! SSE2 is part of x86_64's baseline, so there is no run-time detection: this module is
//! compiled only where `target_feature = "sse2"` is enabled for the whole build (the `cfg` on
//! it). The loads go through `_mm_set_epi64x` on a bounds-checked `[u8; 16]` (one unaligned
//! load once compiled), so no pointer is dereferenced; the one `unsafe` operation is calling
//! the `#[target_feature(enable = "sse2")]` function from code compiled without the attribute.
//! The portable classes (`blocks.rs`) are the reference the tests compare these with.

use super::blocks::Masks;
use std::arch::x86_64::{
    __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
    _mm_set1_epi8, _mm_set_epi64x,
};

/// The byte classes of the 64 bytes of `block`.
#[inline(always)]
pub(super) fn masks(block: &[u8; 64]) -> Masks {
    // SAFETY: calling a `#[target_feature(enable = "sse2")]` function is sound where the CPU
    // has SSE2, which every x86_64 CPU has; the module's `cfg` checks that the build enables
    // it. The function itself only reads `block` through bounds-checked array accesses.
    #[allow(unsafe_code)]
    unsafe {
        masks_sse2(block)
    }
}

/// The 16 bytes of `chunk` in a register.
#[inline]
#[target_feature(enable = "sse2")]
fn load(chunk: &[u8; 16]) -> __m128i {
    let v = u128::from_le_bytes(*chunk);
    // The casts keep the bits: the high and the low 64 bits.
    _mm_set_epi64x((v >> 64) as i64, v as i64)
}

/// The 16-bit mask of a comparison's lanes.
#[inline]
#[target_feature(enable = "sse2")]
fn bits(v: __m128i) -> u64 {
    // The cast keeps the 16 mask bits (the rest of the `i32` is zero).
    u64::from(_mm_movemask_epi8(v) as u16)
}

#[inline]
#[target_feature(enable = "sse2")]
fn masks_sse2(block: &[u8; 64]) -> Masks {
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let control = _mm_set1_epi8(0x1f);
    let space = _mm_set1_epi8(b' ' as i8);
    let colon = _mm_set1_epi8(b':' as i8);
    let comma = _mm_set1_epi8(b',' as i8);
    // `[`, `]`, `{` and `}` are the bytes equal to 0x59 under the mask 0xd9 (so are `Y`, `_`,
    // `y` and DEL: see `Masks::structural`).
    let bracket_bits = _mm_set1_epi8(0xd9_u8 as i8);
    let bracket_value = _mm_set1_epi8(0x59);
    let mut m = Masks::default();
    let mut shift = 0;
    for chunk in block.chunks_exact(16) {
        let v = load(chunk.try_into().unwrap_or(&[0; 16]));
        let quotes = _mm_cmpeq_epi8(v, quote);
        // A byte is a control character when the unsigned minimum with 0x1f is itself.
        let controls = _mm_cmpeq_epi8(_mm_min_epu8(v, control), v);
        let structural = _mm_or_si128(
            _mm_cmpeq_epi8(_mm_and_si128(v, bracket_bits), bracket_value),
            _mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, comma)),
        );
        let not_scalar = _mm_or_si128(
            _mm_or_si128(structural, quotes),
            _mm_or_si128(controls, _mm_cmpeq_epi8(v, space)),
        );
        m.quotes |= bits(quotes) << shift;
        m.backslashes |= bits(_mm_cmpeq_epi8(v, backslash)) << shift;
        m.controls |= bits(controls) << shift;
        m.structural |= bits(structural) << shift;
        m.scalar |= (!bits(not_scalar) & 0xffff) << shift;
        shift += 16;
    }
    m
}
