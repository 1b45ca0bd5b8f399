//! Who is online, in which rooms: the in-memory presence list.
//!
//! One entry per connected socket (a user with two tabs has two), so a user stays listed
//! until their last connection leaves.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One user in the presence list, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Online {
    pub name: String,
    /// Rooms the user's connections are in, sorted.
    pub rooms: Vec<String>,
}

/// A connection's user and room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub user: String,
    pub room: String,
}

/// Connected sockets by id.
#[derive(Debug, Default)]
pub struct Presence {
    sockets: HashMap<String, Seat>,
}

impl Presence {
    /// Records that socket `id` of `user` joined `room`.
    pub fn join(&mut self, id: &str, user: &str, room: &str) {
        let seat = Seat {
            user: user.to_owned(),
            room: room.to_owned(),
        };
        self.sockets.insert(id.to_owned(), seat);
    }

    /// Forgets socket `id`; returns where it was, or `None` if it was never recorded.
    pub fn leave(&mut self, id: &str) -> Option<Seat> {
        self.sockets.remove(id)
    }

    /// Everyone online, sorted by name.
    pub fn list(&self) -> Vec<Online> {
        let mut users: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for seat in self.sockets.values() {
            users.entry(&seat.user).or_default().insert(&seat.room);
        }
        users
            .into_iter()
            .map(|(name, rooms)| Online {
                name: name.to_owned(),
                rooms: rooms.into_iter().map(str::to_owned).collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online(name: &str, rooms: &[&str]) -> Online {
        Online {
            name: name.into(),
            rooms: rooms.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn users_are_listed_by_name_with_their_rooms() {
        let mut p = Presence::default();
        p.join("s1", "bob", "lobby");
        p.join("s2", "alice", "lobby");
        p.join("s3", "alice", "games");
        assert_eq!(
            p.list(),
            vec![
                online("alice", &["games", "lobby"]),
                online("bob", &["lobby"])
            ]
        );
    }

    #[test]
    fn user_with_two_tabs_stays_until_the_last_leaves() {
        let mut p = Presence::default();
        p.join("s1", "alice", "lobby");
        p.join("s2", "alice", "lobby");
        let seat = p.leave("s1").expect("was there");
        assert_eq!(seat.user, "alice");
        assert_eq!(p.list(), vec![online("alice", &["lobby"])]);
        p.leave("s2");
        assert!(p.list().is_empty());
    }

    #[test]
    fn leaving_twice_or_unknown_socket_is_none() {
        let mut p = Presence::default();
        p.join("s1", "alice", "lobby");
        assert!(p.leave("s1").is_some());
        assert_eq!(p.leave("s1"), None);
        assert_eq!(p.leave("nope"), None);
    }
}
