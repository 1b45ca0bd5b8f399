//! Dense storage addressed by handles: a slot index plus the slot's generation, so a handle
//! kept after its entry was removed never reaches the entry that reuses the slot. Engine.IO
//! sessions and Socket.IO sockets live in one each; the hot paths (a delivered message, a
//! request's reply) find their entry by index instead of hashing an id string.

/// A handle type of a [`Slab`]: built from and split into (index, generation).
pub(crate) trait SlabKey: Copy {
    fn from_parts(index: u32, generation: u32) -> Self;
    fn index(self) -> u32;
    fn generation(self) -> u32;
}

struct Slot<T> {
    generation: u32,
    /// Boxed: the slot vector keeps up to twice its length in slots, and a free slot then
    /// costs a pointer rather than a whole entry.
    value: Option<Box<T>>,
}

/// Entries of type `T` addressed by handles `K`; freed slots are reused with a new generation.
pub(crate) struct Slab<K, T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
    _key: std::marker::PhantomData<fn() -> K>,
}

impl<K, T> Default for Slab<K, T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            _key: std::marker::PhantomData,
        }
    }
}

impl<K: SlabKey, T> Slab<K, T> {
    /// Stores `value`; returns its handle.
    pub(crate) fn insert(&mut self, value: T) -> K {
        self.insert_with(|_| value)
    }

    /// Stores the value `make` builds from the handle it will have.
    pub(crate) fn insert_with(&mut self, make: impl FnOnce(K) -> T) -> K {
        let key = match self.free.last() {
            Some(&index) => K::from_parts(index, self.slots[index as usize].generation),
            None => K::from_parts(self.slots.len() as u32, 0),
        };
        let value = Some(Box::new(make(key)));
        match self.free.pop() {
            Some(index) => self.slots[index as usize].value = value,
            None => self.slots.push(Slot {
                generation: 0,
                value,
            }),
        }
        self.len += 1;
        key
    }

    pub(crate) fn get(&self, key: K) -> Option<&T> {
        let slot = self.slots.get(key.index() as usize)?;
        if slot.generation != key.generation() {
            return None;
        }
        slot.value.as_deref()
    }

    pub(crate) fn get_mut(&mut self, key: K) -> Option<&mut T> {
        let slot = self.slots.get_mut(key.index() as usize)?;
        if slot.generation != key.generation() {
            return None;
        }
        slot.value.as_deref_mut()
    }

    /// Removes the entry; its handle (and every copy of it) no longer finds anything.
    pub(crate) fn remove(&mut self, key: K) -> Option<T> {
        let slot = self.slots.get_mut(key.index() as usize)?;
        if slot.generation != key.generation() {
            return None;
        }
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index());
        self.len -= 1;
        Some(*value)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Key(u32, u32);

    impl SlabKey for Key {
        fn from_parts(index: u32, generation: u32) -> Self {
            Key(index, generation)
        }
        fn index(self) -> u32 {
            self.0
        }
        fn generation(self) -> u32 {
            self.1
        }
    }

    #[test]
    fn a_handle_kept_after_removal_does_not_reach_the_entry_reusing_its_slot() {
        let mut slab: Slab<Key, &str> = Slab::default();
        let a = slab.insert("a");
        let b = slab.insert_with(|k| if k == Key(1, 0) { "b" } else { "?" });
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.remove(a), Some("a"));
        assert_eq!(slab.remove(a), None);
        let c = slab.insert("c");
        assert_eq!(c.index(), a.index(), "the freed slot is reused");
        assert_ne!(c, a);
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.get_mut(a), None);
        assert_eq!(slab.get(c), Some(&"c"));
        assert_eq!(slab.len(), 2);
    }
}
