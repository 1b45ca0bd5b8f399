//! Validated UTF-8 text backed by shared [`Bytes`].

use bytes::Bytes;
use std::fmt;
use std::ops::Deref;

/// Immutable, cheaply cloneable UTF-8 text backed by [`Bytes`].
///
/// Decoders slice incoming buffers into `Str` values without copying; cloning one is a
/// reference-count increment, so an encoded packet can be handed to many receivers.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Str(Bytes);

impl Str {
    /// An empty string.
    pub const fn new() -> Self {
        Str(Bytes::new())
    }

    /// Wraps a static string without copying.
    pub const fn from_static(s: &'static str) -> Self {
        Str(Bytes::from_static(s.as_bytes()))
    }

    /// Validates `bytes` as UTF-8 and wraps them without copying.
    pub fn from_utf8(bytes: Bytes) -> Result<Self, std::str::Utf8Error> {
        std::str::from_utf8(&bytes)?;
        Ok(Str(bytes))
    }

    /// Wraps `bytes` without validating them: for text a library checked already (e.g. a
    /// WebSocket library's validated text frame), which checking again would read twice.
    ///
    /// # Safety
    /// `bytes` must be valid UTF-8: every `Str` method relies on it.
    ///
    /// ```
    /// use volley_protocol::Str;
    /// let checked: &'static str = "héllo";
    /// // SAFETY: the bytes of a `&str`.
    /// let text = unsafe { Str::from_utf8_unchecked(bytes::Bytes::from_static(checked.as_bytes())) };
    /// assert_eq!(text, "héllo");
    /// ```
    #[allow(unsafe_code)]
    pub unsafe fn from_utf8_unchecked(bytes: Bytes) -> Self {
        debug_assert!(std::str::from_utf8(&bytes).is_ok(), "not UTF-8");
        Str(bytes)
    }

    /// Wraps bytes the crate itself produced as UTF-8 (serde_json output, ASCII framing, other
    /// `Str`s), skipping the O(n) check on hot encode paths. Checked in debug builds.
    pub(crate) fn from_trusted_utf8(bytes: Bytes) -> Self {
        debug_assert!(std::str::from_utf8(&bytes).is_ok(), "not UTF-8");
        Str(bytes)
    }

    /// The text as `&str`.
    pub fn as_str(&self) -> &str {
        // Every constructor validates (or starts from a `&str`/`String`), so the bytes are UTF-8.
        // Re-validating on every access would make each read O(n); this is the measured need
        // for this `unsafe` block (the crate's others are listed in `json::cursor`).
        #[allow(unsafe_code)]
        unsafe {
            std::str::from_utf8_unchecked(&self.0)
        }
    }

    /// The underlying bytes (a cheap clone).
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// Consumes the text and returns its bytes.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// A sub-slice sharing the same buffer. `range` must lie on char boundaries.
    ///
    /// # Panics
    /// Panics if the range is out of bounds or not on char boundaries (a caller bug).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Str {
        assert!(
            self.as_str().is_char_boundary(range.start)
                && self.as_str().is_char_boundary(range.end)
        );
        Str(self.0.slice(range))
    }

    /// The text from byte `start` on, consuming `self`: the buffer's view moves, so no
    /// reference count is touched (unlike [`Str::slice`], a count increment, then a decrement
    /// when `self` drops). `start` must lie on a char boundary.
    ///
    /// # Panics
    /// Panics if `start` is out of bounds or not on a char boundary (a caller bug).
    pub(crate) fn into_tail(mut self, start: usize) -> Str {
        assert!(self.as_str().is_char_boundary(start));
        bytes::Buf::advance(&mut self.0, start);
        self
    }

    /// Sub-slice of `self` that `sub` points into (see [`Bytes::slice_ref`]).
    pub fn slice_ref(&self, sub: &str) -> Str {
        Str(self.0.slice_ref(sub.as_bytes()))
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

// Hashes exactly like `str`, so maps keyed by `Str` can be queried with `&str` (the
// `Borrow<str>` contract); a derived impl would hash like `[u8]`, which differs.
impl std::hash::Hash for Str {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        Str(Bytes::from(s))
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Str(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<Str> for Bytes {
    fn from(s: Str) -> Bytes {
        s.0
    }
}

impl TryFrom<Bytes> for Str {
    type Error = std::str::Utf8Error;
    fn try_from(b: Bytes) -> Result<Self, Self::Error> {
        Str::from_utf8(b)
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for Str {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Str {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Str::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_invalid_utf8() {
        assert!(Str::from_utf8(Bytes::from_static(&[0xff, 0xfe])).is_err());
    }

    #[test]
    fn str_keyed_maps_can_be_queried_with_str() {
        let mut map = std::collections::HashMap::new();
        map.insert(Str::from("room"), 1);
        assert_eq!(map.get("room"), Some(&1));
    }

    #[test]
    fn slices_share_the_buffer() {
        let s = Str::from("héllo world");
        let w = s.slice(7..12);
        assert_eq!(w, "world");
        assert_eq!(s.slice_ref(&s[0..6]), "héllo");
    }
}
