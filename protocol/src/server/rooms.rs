//! The in-memory room index of one namespace: room → sockets and socket → rooms.

use super::ids::{Room, SocketKey};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Hasher for [`SocketKey`]s. Keys are allocated by the server, never chosen by a peer, so a
/// multiply-rotate hash is safe and much cheaper than SipHash on the broadcast path.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A set of socket keys.
pub type KeySet = HashSet<SocketKey, BuildHasherDefault<KeyHasher>>;
type KeyMap<V> = HashMap<SocketKey, V, BuildHasherDefault<KeyHasher>>;

/// The members of one room. Most rooms are a socket's own room, with one member: that case
/// needs no set of its own.
#[derive(Debug, Clone)]
pub enum Members {
    /// Exactly this socket.
    One(SocketKey),
    /// Any number of sockets.
    Many(KeySet),
}

impl Members {
    /// Whether `socket` is a member.
    pub fn contains(&self, socket: &SocketKey) -> bool {
        match self {
            Members::One(k) => k == socket,
            Members::Many(set) => set.contains(socket),
        }
    }

    /// Every member.
    pub fn iter(&self) -> impl Iterator<Item = SocketKey> + '_ {
        let (one, many) = match self {
            Members::One(k) => (Some(*k), None),
            Members::Many(set) => (None, Some(set)),
        };
        one.into_iter().chain(many.into_iter().flatten().copied())
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            Members::One(_) => 1,
            Members::Many(set) => set.len(),
        }
    }

    /// Whether the room has no members (a room is removed once it has none).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `socket`; false if it was a member already.
    fn insert(&mut self, socket: SocketKey) -> bool {
        match self {
            Members::One(k) if *k == socket => false,
            Members::One(k) => {
                *self = Members::Many([*k, socket].into_iter().collect());
                true
            }
            Members::Many(set) => set.insert(socket),
        }
    }

    /// Removes `socket`; false if it was not a member.
    fn remove(&mut self, socket: &SocketKey) -> bool {
        match self {
            Members::One(k) if k == socket => {
                *self = Members::Many(KeySet::default());
                true
            }
            Members::One(_) => false,
            Members::Many(set) => set.remove(socket),
        }
    }
}

/// The rooms of one socket, in join order. Most sockets are only in their own room: that
/// one is kept inline, with no list of its own.
#[derive(Debug, Clone)]
enum RoomList {
    One(Room),
    Many(Vec<Room>),
}

impl Default for RoomList {
    fn default() -> Self {
        RoomList::Many(Vec::new())
    }
}

impl std::ops::Deref for RoomList {
    type Target = [Room];
    fn deref(&self) -> &[Room] {
        match self {
            RoomList::One(room) => std::slice::from_ref(room),
            RoomList::Many(list) => list,
        }
    }
}

impl RoomList {
    fn push(&mut self, room: Room) {
        match self {
            RoomList::Many(list) if list.is_empty() => *self = RoomList::One(room),
            RoomList::One(first) => *self = RoomList::Many(vec![first.clone(), room]),
            RoomList::Many(list) => list.push(room),
        }
    }

    fn remove(&mut self, pos: usize) {
        match self {
            RoomList::One(_) => *self = RoomList::default(),
            RoomList::Many(list) => {
                list.remove(pos);
            }
        }
    }
}

/// Room index of one namespace.
///
/// Room names may come from clients, so the room map keeps std's randomly keyed hasher.
/// A socket stays known to the index (and so in "all sockets" broadcasts) from its first
/// [`add_all`](Self::add_all) until [`del_all`](Self::del_all), even if it leaves every room,
/// as in the reference adapter.
#[derive(Debug, Default)]
pub struct RoomIndex {
    rooms: HashMap<Room, Members>,
    sockets: KeyMap<RoomList>,
}

impl RoomIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `socket` to each of `rooms` (idempotent per room).
    pub fn add_all(&mut self, socket: SocketKey, rooms: &[Room]) {
        let list = self.sockets.entry(socket).or_default();
        for room in rooms {
            let joined = match self.rooms.get_mut(room.as_str()) {
                Some(members) => members.insert(socket),
                None => {
                    self.rooms.insert(room.clone(), Members::One(socket));
                    true
                }
            };
            if joined {
                list.push(room.clone());
            }
        }
    }

    /// Removes `socket` from `room`. Returns whether it was a member.
    pub fn del(&mut self, socket: SocketKey, room: &str) -> bool {
        let Some(members) = self.rooms.get_mut(room) else {
            return false;
        };
        if !members.remove(&socket) {
            return false;
        }
        if members.is_empty() {
            self.rooms.remove(room);
        }
        if let Some(list) = self.sockets.get_mut(&socket) {
            if let Some(pos) = list.iter().position(|r| r.as_str() == room) {
                list.remove(pos);
            }
        }
        true
    }

    /// Removes `socket` from every room and forgets it.
    pub fn del_all(&mut self, socket: SocketKey) {
        let Some(list) = self.sockets.remove(&socket) else {
            return;
        };
        for room in list.iter() {
            if let Some(members) = self.rooms.get_mut(room.as_str()) {
                members.remove(&socket);
                if members.is_empty() {
                    self.rooms.remove(room.as_str());
                }
            }
        }
    }

    /// Rooms of `socket`, in join order (its own id first). Empty if unknown.
    pub fn socket_rooms(&self, socket: SocketKey) -> &[Room] {
        self.sockets.get(&socket).map_or(&[], |list| list)
    }

    /// Whether `socket` is known to the index.
    pub fn contains_socket(&self, socket: SocketKey) -> bool {
        self.sockets.contains_key(&socket)
    }

    /// Members of `room`, if it exists.
    pub fn members(&self, room: &str) -> Option<&Members> {
        self.rooms.get(room)
    }

    /// Every socket known to the index.
    pub fn all_sockets(&self) -> impl Iterator<Item = SocketKey> + '_ {
        self.sockets.keys().copied()
    }

    /// Every non-empty room.
    pub fn room_names(&self) -> impl Iterator<Item = &Room> + '_ {
        self.rooms.keys()
    }

    /// Number of sockets known.
    pub fn socket_count(&self) -> usize {
        self.sockets.len()
    }

    /// Number of non-empty rooms.
    pub fn room_count(&self) -> usize {
        self.rooms.len()
    }

    /// Checks that both directions of the index agree and no room is empty. Returns a
    /// description of the first inconsistency (for tests and debugging).
    pub fn check_consistency(&self) -> Result<(), String> {
        let mut pairs = 0usize;
        for (socket, list) in &self.sockets {
            for room in list.iter() {
                if !self
                    .rooms
                    .get(room.as_str())
                    .is_some_and(|m| m.contains(socket))
                {
                    return Err(format!("{socket:?} lists {room:?} but is not a member"));
                }
            }
            let unique: HashSet<&str> = list.iter().map(|r| r.as_str()).collect();
            if unique.len() != list.len() {
                return Err(format!("{socket:?} lists a room twice"));
            }
            pairs += list.len();
        }
        let mut members_total = 0usize;
        for (room, members) in &self.rooms {
            if members.is_empty() {
                return Err(format!("room {room:?} is empty but kept"));
            }
            for socket in members.iter() {
                if !self
                    .sockets
                    .get(&socket)
                    .is_some_and(|l| l.iter().any(|r| r == room))
                {
                    return Err(format!("{socket:?} is in {room:?} but does not list it"));
                }
            }
            members_total += members.len();
        }
        if pairs != members_total {
            return Err(format!(
                "{pairs} socket→room pairs vs {members_total} memberships"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(i: u32) -> SocketKey {
        SocketKey::new(i, 0)
    }

    fn r(s: &str) -> Room {
        Room::from(s)
    }

    #[test]
    fn join_leave_and_leave_all_keep_both_directions_in_sync() {
        let mut idx = RoomIndex::new();
        idx.add_all(k(1), &[r("a"), r("b"), r("a")]);
        idx.add_all(k(2), &[r("b")]);
        assert_eq!(idx.socket_rooms(k(1)), &[r("a"), r("b")]);
        assert_eq!(idx.members("b").unwrap().len(), 2);
        assert!(idx.del(k(1), "a"));
        assert!(!idx.del(k(1), "a"));
        assert!(idx.members("a").is_none());
        idx.del_all(k(2));
        assert_eq!(idx.members("b").unwrap().len(), 1);
        assert!(!idx.contains_socket(k(2)));
        idx.check_consistency().unwrap();
        assert_eq!(idx.room_count(), 1);
    }

    #[test]
    fn a_room_with_one_member_grows_to_a_set_and_shrinks_to_nothing() {
        let mut idx = RoomIndex::new();
        idx.add_all(k(1), &[r("own")]);
        assert!(matches!(idx.members("own"), Some(Members::One(_))));
        idx.add_all(k(2), &[r("own")]);
        idx.add_all(k(2), &[r("own")]);
        let members = idx.members("own").unwrap();
        assert_eq!(members.len(), 2);
        assert!(members.contains(&k(1)) && members.contains(&k(2)));
        let mut listed: Vec<_> = members.iter().collect();
        listed.sort();
        assert_eq!(listed, [k(1), k(2)]);
        assert!(idx.del(k(1), "own") && idx.del(k(2), "own"));
        assert!(idx.members("own").is_none());
        idx.add_all(k(3), &[r("solo")]);
        assert!(!idx.del(k(4), "solo"));
        assert!(idx.del(k(3), "solo"));
        assert!(idx.members("solo").is_none());
        idx.check_consistency().unwrap();
    }

    #[test]
    fn socket_leaving_every_room_is_still_known() {
        let mut idx = RoomIndex::new();
        idx.add_all(k(1), &[r("own")]);
        idx.del(k(1), "own");
        assert!(idx.contains_socket(k(1)));
        assert_eq!(idx.all_sockets().count(), 1);
        idx.check_consistency().unwrap();
    }
}
