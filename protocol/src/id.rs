//! Session and socket ids, from an injected generator (the core has no randomness of its own).

use crate::Str;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bytes::Bytes;

/// Produces ids for new Engine.IO sessions (and Socket.IO sockets).
///
/// Ids must be unguessable in production (whoever knows a sid can speak for that session), so
/// the default, [`RandomIds`], takes its bytes from the caller, who reads them from the OS.
/// Tests inject [`CounterIds`].
pub trait IdGenerator {
    /// A new id, distinct from every id this generator returned before.
    fn sid(&mut self) -> Str;
}

/// 20-character base64url ids from 15 random bytes, like the reference's `base64id`.
///
/// The bytes come from `fill`, which the adapter backs with the OS generator.
pub struct RandomIds<F> {
    fill: F,
}

impl<F: FnMut(&mut [u8; 15])> RandomIds<F> {
    /// Ids made from bytes that `fill` writes.
    pub fn new(fill: F) -> Self {
        RandomIds { fill }
    }
}

impl<F: FnMut(&mut [u8; 15])> IdGenerator for RandomIds<F> {
    fn sid(&mut self) -> Str {
        let mut raw = [0u8; 15];
        (self.fill)(&mut raw);
        let mut text = [0u8; 20];
        match URL_SAFE_NO_PAD.encode_slice(raw, &mut text) {
            // One allocation holding the text and its reference count: ids are cloned into
            // several maps, and a `Str` made from a `String` would allocate a second block
            // for the count on its first clone.
            Ok(20) => Str::from_trusted_utf8(Bytes::from_owner(text)),
            _ => Str::from(URL_SAFE_NO_PAD.encode(raw)),
        }
    }
}

impl<F> std::fmt::Debug for RandomIds<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RandomIds")
    }
}

/// Predictable ids `<prefix>1`, `<prefix>2`, … for deterministic tests.
#[derive(Debug, Clone)]
pub struct CounterIds {
    prefix: Str,
    next: u64,
}

impl CounterIds {
    /// Ids starting at `<prefix>1`.
    pub fn new(prefix: impl Into<Str>) -> Self {
        CounterIds {
            prefix: prefix.into(),
            next: 1,
        }
    }
}

impl IdGenerator for CounterIds {
    fn sid(&mut self) -> Str {
        let id = format!("{}{}", self.prefix, self.next);
        self.next += 1;
        Str::from(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_twenty_url_safe_chars() {
        let mut n = 0u8;
        let mut ids = RandomIds::new(|b: &mut [u8; 15]| {
            for x in b.iter_mut() {
                *x = n.wrapping_mul(37).wrapping_add(251);
                n = n.wrapping_add(1);
            }
        });
        let a = ids.sid();
        let b = ids.sid();
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn counter_ids_count_up() {
        let mut ids = CounterIds::new("s");
        assert_eq!(ids.sid(), "s1");
        assert_eq!(ids.sid(), "s2");
    }
}
