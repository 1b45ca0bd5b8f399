//! SSE2 building blocks of the JSON reader's scans (`json/de/sse2.rs`); the validator's block
//! marks (`socket/validate/sse2.rs`) share the load.
//!
//! SSE2 is part of x86_64's baseline, so there is no run-time detection: this module is
//! compiled only where `target_feature = "sse2"` is enabled for the whole build. Every
//! function carries `#[target_feature(enable = "sse2")]`, so it is safe to call from the
//! functions of those two modules that carry it too, and is inlined into them. The loads go
//! through `_mm_set_epi64x` on a bounds-checked `[u8; 16]` (one unaligned load once
//! compiled): no pointer is dereferenced.

use std::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    _mm_set_epi64x,
};

/// The 16 bytes of `chunk` in a register.
#[inline]
#[target_feature(enable = "sse2")]
pub(crate) fn load(chunk: &[u8; 16]) -> __m128i {
    let v = u128::from_le_bytes(*chunk);
    // The casts keep the bits: the high and the low 64 bits.
    _mm_set_epi64x((v >> 64) as i64, v as i64)
}

/// Bit `k` set when byte `k` of `v` equals `c`.
#[inline]
#[target_feature(enable = "sse2")]
pub(crate) fn eq(v: __m128i, c: u8) -> u32 {
    // The casts keep the bits: `c` as a byte lane, the 16-bit mask as it is.
    _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))) as u32
}

/// The bytes of `v` that end or interrupt a JSON string's plain run: the lanes holding a
/// `"` (first) and the lanes holding a `"`, a `\` or a control byte (second), all ones each.
#[inline]
#[target_feature(enable = "sse2")]
pub(crate) fn string_specials(v: __m128i) -> (__m128i, __m128i) {
    let quotes = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
    let backslashes = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
    // A byte is a control character when the unsigned minimum with 0x1f is itself.
    let controls = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
    (
        quotes,
        _mm_or_si128(_mm_or_si128(quotes, backslashes), controls),
    )
}

/// Bit `k` set when lane `k` of `v` is all ones (the lanes of a comparison's result).
#[inline]
#[target_feature(enable = "sse2")]
pub(crate) fn bits(v: __m128i) -> u32 {
    // The cast keeps the 16 mask bits (the rest of the `i32` is zero).
    _mm_movemask_epi8(v) as u32
}
