//! Who is online, in which rooms.
//!
//! Each socket carries its [`Seat`] (user and room) as its Socket.IO `data`; the list is built
//! from the seats of every socket in the cluster (just this server when there is no Redis), so
//! a user with two tabs, or on two servers, is listed once with all their rooms.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One user in the presence list, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Online {
    pub name: String,
    /// Rooms the user's connections are in, sorted.
    pub rooms: Vec<String>,
}

/// A connection's user and room: the socket's `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub user: String,
    pub room: String,
}

/// Everyone in `seats`, sorted by name, each with their rooms.
pub fn online(seats: impl IntoIterator<Item = Seat>) -> Vec<Online> {
    let mut users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for seat in seats {
        users.entry(seat.user).or_default().insert(seat.room);
    }
    users
        .into_iter()
        .map(|(name, rooms)| Online {
            name,
            rooms: rooms.into_iter().collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(user: &str, room: &str) -> Seat {
        Seat {
            user: user.into(),
            room: room.into(),
        }
    }

    fn user(name: &str, rooms: &[&str]) -> Online {
        Online {
            name: name.into(),
            rooms: rooms.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn users_are_listed_by_name_with_their_rooms() {
        let seats = [
            seat("bob", "lobby"),
            seat("alice", "lobby"),
            seat("alice", "games"),
        ];
        assert_eq!(
            online(seats),
            vec![user("alice", &["games", "lobby"]), user("bob", &["lobby"])]
        );
    }

    #[test]
    fn user_with_two_tabs_in_one_room_is_listed_once() {
        let seats = [seat("alice", "lobby"), seat("alice", "lobby")];
        assert_eq!(online(seats), vec![user("alice", &["lobby"])]);
        assert!(online([]).is_empty());
    }

    #[test]
    fn seat_is_the_socket_data_json() {
        let json = serde_json::json!({ "user": "alice", "room": "lobby" });
        let back: Seat = serde_json::from_value(json.clone()).expect("a seat");
        assert_eq!(back, seat("alice", "lobby"));
        assert_eq!(serde_json::to_value(&back).expect("json"), json);
        // A socket whose data was never set (`{}`) is not a seat.
        assert!(serde_json::from_value::<Seat>(serde_json::json!({})).is_err());
    }
}
