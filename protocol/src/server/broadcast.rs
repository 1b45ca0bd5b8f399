//! Broadcast targeting: options and the pure planning function.

use super::ids::{Room, SocketId, SocketKey};
use super::rooms::{KeySet, Members, RoomIndex};
use std::time::Duration;

/// Modifiers of a broadcast (the reference's `BroadcastFlags`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BroadcastFlags {
    /// May be dropped for a client that is not ready (first to go when a buffer is full).
    pub volatile: bool,
    /// Only this node: not published to the cluster.
    pub local: bool,
    /// Deadline for acknowledgements (required for a broadcast with acks).
    pub timeout: Option<Duration>,
}

/// Who a broadcast (or a server-wide operation) selects in a namespace: the union of `rooms`
/// (every socket when empty) minus every socket in any of `except`.
///
/// "Except the sender" is `except` with the sender's id, which is a room (so it also works
/// across the cluster, as in the reference).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BroadcastOptions {
    /// Target rooms (union); empty means the whole namespace.
    pub rooms: Vec<Room>,
    /// Rooms whose sockets are excluded.
    pub except: Vec<Room>,
    /// Flags.
    pub flags: BroadcastFlags,
}

impl BroadcastOptions {
    /// The whole namespace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a target room (`to` / `in`).
    pub fn to(mut self, room: impl Into<Room>) -> Self {
        self.rooms.push(room.into());
        self
    }

    /// Excludes a room.
    pub fn except(mut self, room: impl Into<Room>) -> Self {
        self.except.push(room.into());
        self
    }

    /// Excludes one socket (`socket.broadcast`).
    pub fn except_socket(mut self, socket: &SocketId) -> Self {
        self.except.push(socket.room());
        self
    }

    /// Marks the broadcast volatile.
    pub fn volatile(mut self) -> Self {
        self.flags.volatile = true;
        self
    }

    /// Keeps the broadcast on this node.
    pub fn local(mut self) -> Self {
        self.flags.local = true;
        self
    }

    /// Sets the acknowledgement deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.flags.timeout = Some(timeout);
        self
    }
}

/// Excluding through a handful of rooms is checked directly; beyond that a set is built once
/// per broadcast (never per target).
const EXCEPT_DIRECT_LIMIT: usize = 4;

/// Plans a broadcast: appends to `out` every socket of the namespace indexed by `index` that is
/// in at least one of `rooms` (every socket when `rooms` is empty) and in none of `except`.
/// Each target appears exactly once. Pure: reads the index, allocates at most one set per call
/// (for large `except` lists), never per target.
pub fn plan(index: &RoomIndex, rooms: &[Room], except: &[Room], out: &mut Vec<SocketKey>) {
    let except_sets: Vec<&Members> = except.iter().filter_map(|r| index.members(r)).collect();
    let excluded_big: Option<KeySet> = (except_sets.len() > EXCEPT_DIRECT_LIMIT)
        .then(|| except_sets.iter().flat_map(|s| s.iter()).collect());
    let is_excluded = |k: &SocketKey| match &excluded_big {
        Some(set) => set.contains(k),
        None => except_sets.iter().any(|s| s.contains(k)),
    };
    let start = out.len();
    match rooms {
        [] => out.extend(index.all_sockets().filter(|k| !is_excluded(k))),
        [room] => {
            if let Some(members) = index.members(room) {
                out.extend(members.iter().filter(|k| !is_excluded(k)));
            }
        }
        _ => {
            for room in rooms {
                if let Some(members) = index.members(room) {
                    out.extend(members.iter().filter(|k| !is_excluded(k)));
                }
            }
            // A socket in several target rooms is delivered once.
            out[start..].sort_unstable();
            let mut write = start;
            for read in start..out.len() {
                if write == start || out[read] != out[write - 1] {
                    out[write] = out[read];
                    write += 1;
                }
            }
            out.truncate(write);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(i: u32) -> SocketKey {
        SocketKey::new(i, 0)
    }

    fn index() -> RoomIndex {
        let mut idx = RoomIndex::new();
        for i in 0..6 {
            idx.add_all(k(i), &[Room::from(format!("s{i}"))]);
        }
        idx.add_all(k(0), &["a".into(), "b".into()]);
        idx.add_all(k(1), &["a".into()]);
        idx.add_all(k(2), &["b".into(), "c".into()]);
        idx.add_all(k(3), &["c".into()]);
        idx
    }

    fn planned(idx: &RoomIndex, rooms: &[&str], except: &[&str]) -> Vec<u32> {
        let rooms: Vec<Room> = rooms.iter().map(|&r| r.into()).collect();
        let except: Vec<Room> = except.iter().map(|&r| r.into()).collect();
        let mut out = Vec::new();
        plan(idx, &rooms, &except, &mut out);
        let mut v: Vec<u32> = out.iter().map(|k| k.index()).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn two_rooms_except_a_third_reach_each_target_once() {
        let idx = index();
        assert_eq!(planned(&idx, &["a", "b"], &["c"]), vec![0, 1]);
        assert_eq!(planned(&idx, &["a", "b"], &[]), vec![0, 1, 2]);
    }

    #[test]
    fn empty_rooms_mean_everyone_minus_except() {
        let idx = index();
        assert_eq!(planned(&idx, &[], &[]), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(planned(&idx, &[], &["s4"]), vec![0, 1, 2, 3, 5]);
        assert_eq!(
            planned(&idx, &[], &["s0", "s1", "s2", "s3", "s4", "missing"]),
            vec![5]
        );
    }

    #[test]
    fn unknown_rooms_select_nobody() {
        let idx = index();
        assert!(planned(&idx, &["nope"], &[]).is_empty());
        assert!(planned(&idx, &["nope", "nada"], &[]).is_empty());
    }
}
