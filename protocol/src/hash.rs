//! A fast hasher for maps keyed by ids the server generates itself (connection and request
//! counters, random session and socket ids): no client chooses the keys that go in, so the
//! DoS resistance of the default SipHash buys nothing (a client can only look up a key it
//! names), and these maps are hit once per delivered message.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiply-rotate hashing over 8-byte words (the scheme of rustc's `FxHasher`).
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` keyed by server-generated ids.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash<T: Hash>(t: &T) -> u64 {
        BuildHasherDefault::<IdHasher>::default().hash_one(t)
    }

    #[test]
    fn distinct_ids_hash_apart_and_equal_ids_together() {
        assert_eq!(hash(&"abcdefghij0123456789"), hash(&"abcdefghij0123456789"));
        assert_ne!(hash(&"abcdefghij0123456789"), hash(&"abcdefghij0123456780"));
        assert_ne!(hash(&1u64), hash(&2u64));
        let mut m: IdMap<u64, u8> = IdMap::default();
        for i in 0..1000 {
            m.insert(i, 1);
        }
        assert_eq!(m.len(), 1000);
    }
}
