//! The single timer table of the Socket.IO state machine.

use std::collections::BTreeMap;
use std::time::Instant;

/// Handle of a scheduled timer, used to cancel it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TimerKey(Instant, u64);

/// Deadlines ordered by time (ties by insertion order). `poll_timeout` is the first key;
/// `handle_timeout` pops every entry that is due.
#[derive(Debug)]
pub(crate) struct TimerTable<T> {
    entries: BTreeMap<TimerKey, T>,
    seq: u64,
}

impl<T> Default for TimerTable<T> {
    fn default() -> Self {
        TimerTable {
            entries: BTreeMap::new(),
            seq: 0,
        }
    }
}

impl<T> TimerTable<T> {
    pub(crate) fn insert(&mut self, at: Instant, timer: T) -> TimerKey {
        self.seq += 1;
        let key = TimerKey(at, self.seq);
        self.entries.insert(key, timer);
        key
    }

    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<T> {
        self.entries.remove(&key)
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.entries.keys().next().map(|k| k.0)
    }

    /// Removes and returns the earliest timer due at `now`, if any.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<T> {
        let entry = self.entries.first_entry()?;
        if entry.key().0 <= now {
            Some(entry.remove())
        } else {
            None
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn pops_in_deadline_order_and_skips_cancelled() {
        let t0 = Instant::now();
        let mut table = TimerTable::default();
        let a = table.insert(t0 + Duration::from_secs(2), "a");
        table.insert(t0 + Duration::from_secs(1), "b");
        table.insert(t0 + Duration::from_secs(3), "c");
        assert_eq!(table.next_deadline(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(table.cancel(a), Some("a"));
        assert_eq!(table.pop_due(t0), None);
        assert_eq!(table.pop_due(t0 + Duration::from_secs(5)), Some("b"));
        assert_eq!(table.pop_due(t0 + Duration::from_secs(5)), Some("c"));
        assert_eq!(table.len(), 0);
    }
}
