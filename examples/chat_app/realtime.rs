//! The Socket.IO side of the chat: who may connect, and what each event does.
//!
//! Rooms used: `room:<name>` for a chat room (from the `room` query parameter of the
//! handshake) and `user:<name>` for every connection of one user (private messages, kicks).
//! Everything goes through broadcasts and cluster-wide socket queries, so with a cluster
//! adapter (Redis) users on different servers chat, see and kick each other alike.
//!
//! Work that waits (cluster-wide socket queries, readers' acknowledgements) runs as a task on
//! the runtime the server was created on, whichever adapter that is.

use super::auth::{valid_token, Auth, User};
use super::pages::DEFAULT_ROOM;
use super::presence::{online, Online, Seat};
use serde::Serialize;
use serde_json::json;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use volley_protocol::api::{Connecting, Endpoint, Event, Io, SocketRef, WeakEndpoint};
use volley_protocol::server::Handshake;
use volley_protocol::socket::ConnectError;

/// The `connect_error` message of a client without a valid session.
pub const NOT_LOGGED_IN: &str = "not logged in";
/// The `connect_error` message for a room name outside `[A-Za-z0-9_-]{1,32}`.
pub const BAD_ROOM: &str = "invalid room name";
/// Longest message accepted, in characters.
const MAX_TEXT: usize = 500;
/// How long a message waits for its readers' acknowledgements (the second tick).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

struct Chat {
    auth: Auth,
    next_message: AtomicU64,
    /// The server, to spawn on its runtime; weak, since the server holds the handlers.
    server: WeakEndpoint,
}

/// What one connection is: who, and in which room.
struct Session {
    user: User,
    room: String,
}

impl Session {
    fn room_key(&self) -> String {
        room_key(&self.room)
    }

    /// Who sits where: the socket's `data`.
    fn seat(&self) -> Seat {
        Seat {
            user: self.user.name.clone(),
            room: self.room.clone(),
        }
    }
}

fn room_key(room: &str) -> String {
    format!("room:{room}")
}

fn user_key(user: &str) -> String {
    format!("user:{user}")
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Change {
    Joined {
        user: String,
        room: String,
    },
    Left {
        user: String,
        room: String,
        reason: String,
    },
}

#[derive(Serialize)]
struct PresenceUpdate {
    users: Vec<Online>,
    change: Change,
}

impl Chat {
    /// Runs `task` on the server's runtime (tokio, async-std or smol).
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        if let Some(server) = self.server.upgrade() {
            server.spawn(Box::pin(task));
        }
    }

    /// The user of the session cookie the handshake carries.
    fn user(&self, handshake: &Handshake) -> Option<User> {
        self.auth
            .user_from_cookie_headers(handshake.header_all("cookie"))
    }

    /// Admission: a valid session and a valid room, or a `connect_error` saying which.
    fn admit(&self, handshake: &Handshake) -> Result<Session, ConnectError> {
        let user = self
            .user(handshake)
            .ok_or_else(|| ConnectError::new(NOT_LOGGED_IN))?;
        let room = handshake
            .query_param("room")
            .map_or_else(|| DEFAULT_ROOM.to_owned(), |r| r.into_owned());
        if !valid_token(&room, 32) {
            return Err(ConnectError::new(BAD_ROOM));
        }
        Ok(Session { user, room })
    }
}

/// The text of a message or announcement, trimmed; `None` if empty or too long.
fn text_arg(event: &Event, i: usize) -> Option<String> {
    let text: String = event.arg(i).ok()?;
    let text = text.trim();
    (!text.is_empty() && text.chars().count() <= MAX_TEXT).then(|| text.to_owned())
}

/// Emits to everyone in the namespace, this socket included.
fn emit_all<T: Serialize>(socket: &SocketRef, event: &str, data: &T) {
    let _ = socket.emit(event, data);
    let _ = socket.broadcast().emit(event, data);
}

/// Installs the middleware and the handlers on the main namespace of `io`.
pub fn attach(io: &Io, auth: Auth) {
    let chat = Arc::new(Chat {
        auth,
        next_message: AtomicU64::new(1),
        server: Endpoint::from(io.clone()).downgrade(),
    });
    let ns = io.of("/");
    let gate = chat.clone();
    // The session is looked up once, here, and handed to the socket: its connection
    // handler reads it back (`socket.get::<Session>()`), and its `data` (what other nodes
    // see in `fetch_sockets`) is set before any handler runs.
    ns.middleware(move |connecting: Connecting| {
        let session = gate.admit(&connecting)?;
        connecting.set_data(json!(session.seat()));
        connecting.insert(session);
        Ok(())
    });
    ns.on_connection(move |socket: SocketRef| on_connection(&chat, socket));
}

fn on_connection(chat: &Arc<Chat>, socket: SocketRef) {
    // Left by the middleware, which admitted this socket.
    let Some(session) = socket.get::<Session>() else {
        return socket.disconnect();
    };
    let name = session.user.name.as_str();
    socket.join(session.room_key().as_str());
    socket.join(user_key(name).as_str());
    tracing::info!(user = %name, room = %session.room, socket = %socket.id(), "connected");

    let _ = socket.emit(
        "welcome",
        &json!({ "user": name, "room": session.room, "admin": session.user.admin }),
    );
    let seat = session.seat();
    let change = Change::Joined {
        user: seat.user.clone(),
        room: seat.room.clone(),
    };
    chat.spawn(send_presence(socket.clone(), change, Some(seat.clone())));

    on_message(chat, &socket, &session);
    on_typing(&socket, &session);
    on_announce(&socket, &session);
    on_private(chat, &socket, &session);
    on_kick(chat, &socket, &session);

    let chat = chat.clone();
    socket.on_disconnect(move |socket, reason| {
        tracing::info!(user = %seat.user, %reason, "disconnected");
        let change = Change::Left {
            user: seat.user.clone(),
            room: seat.room.clone(),
            reason: reason.as_str().to_owned(),
        };
        chat.spawn(send_presence(socket, change, None));
    });
}

/// Sends everyone the presence list (built from the seats of every socket in the cluster)
/// with what changed. `me` is the seat of a socket that just joined: it is listed and gets
/// the update too; a socket that left is neither.
async fn send_presence(socket: SocketRef, change: Change, me: Option<Seat>) {
    let others = socket.broadcast().fetch_all_sockets().await;
    let joined = me.is_some();
    let seats = others
        .into_iter()
        .filter_map(|s| serde_json::from_value::<Seat>(s.into_info().data).ok())
        .chain(me);
    let update = PresenceUpdate {
        users: online(seats),
        change,
    };
    if joined {
        emit_all(&socket, "presence", &update);
    } else {
        let _ = socket.broadcast().emit("presence", &update);
    }
}

/// A message to the room. The sender's acknowledgement carries the message id (first
/// tick); the readers' acknowledgements, collected by a broadcast with ack, become a
/// `delivered` event to the sender (second tick).
fn on_message(chat: &Arc<Chat>, socket: &SocketRef, session: &Arc<Session>) {
    let chat = chat.clone();
    let session = session.clone();
    socket.on("message", move |socket: SocketRef, mut event: Event| {
        let Some(text) = text_arg(&event, 0) else {
            let _ = event.ack(&json!({ "error": "empty or too long" }));
            return;
        };
        let id = format!("m{}", chat.next_message.fetch_add(1, Ordering::Relaxed));
        let _ = event.ack(&json!({ "id": id }));
        let message = json!({
            "id": id,
            "from": session.user.name,
            "room": session.room,
            "text": text,
        });
        let readers = socket
            .to(session.room_key().as_str())
            .timeout(DELIVERY_TIMEOUT)
            .emit_with_ack("message", &message);
        let Ok(readers) = readers else { return };
        chat.spawn(async move {
            let acks = readers.await;
            let count = acks.replies.len();
            if count > 0 {
                let _ = socket.emit("delivered", &json!({ "id": id, "count": count }));
            }
        });
    });
}

/// Typing indicator: to the rest of the room, never back to the sender.
fn on_typing(socket: &SocketRef, session: &Arc<Session>) {
    let session = session.clone();
    socket.on("typing", move |socket: SocketRef, event: Event| {
        let typing: bool = event.arg(0).unwrap_or(false);
        let _ = socket.to(session.room_key().as_str()).emit(
            "typing",
            &json!({ "user": session.user.name, "typing": typing }),
        );
    });
}

/// An announcement to everyone, in every room.
fn on_announce(socket: &SocketRef, session: &Arc<Session>) {
    let session = session.clone();
    socket.on("announce", move |socket: SocketRef, mut event: Event| {
        let Some(text) = text_arg(&event, 0) else {
            let _ = event.ack(&json!({ "error": "empty or too long" }));
            return;
        };
        emit_all(
            &socket,
            "announcement",
            &json!({ "from": session.user.name, "text": text }),
        );
        let _ = event.ack(&json!({ "ok": true }));
    });
}

/// A private message: to every connection of one user, through the room `user:<name>`.
fn on_private(chat: &Arc<Chat>, socket: &SocketRef, session: &Arc<Session>) {
    let chat = chat.clone();
    let session = session.clone();
    socket.on("private", move |socket: SocketRef, mut event: Event| {
        #[derive(serde::Deserialize)]
        struct Private {
            to: String,
            text: String,
        }
        let Ok(Private { to, text }) = event.arg::<Private>(0) else {
            let _ = event.ack(&json!({ "error": "expected {to, text}" }));
            return;
        };
        let text = text.trim();
        if !valid_token(&to, 24) || text.is_empty() || text.chars().count() > MAX_TEXT {
            let _ = event.ack(&json!({ "error": "invalid recipient or text" }));
            return;
        }
        let target = socket.to(user_key(&to).as_str());
        let _ = target.emit(
            "private",
            &json!({ "from": session.user.name, "to": to, "text": text }),
        );
        let ack = event.take_ack();
        chat.spawn(async move {
            let online = target.fetch_all_sockets().await.len();
            if let Some(ack) = ack {
                let _ = ack.send(&json!({ "online": online }));
            }
        });
    });
}

/// Admin only: disconnects every connection of a user (server-side disconnect; their page
/// sees `io server disconnect`).
fn on_kick(chat: &Arc<Chat>, socket: &SocketRef, session: &Arc<Session>) {
    let chat = chat.clone();
    let session = session.clone();
    socket.on("kick", move |socket: SocketRef, mut event: Event| {
        if !session.user.admin {
            let _ = event.ack(&json!({ "error": "only the admin can kick" }));
            return;
        }
        let target = match event.arg::<String>(0) {
            Ok(name) if valid_token(&name, 24) => name,
            _ => {
                let _ = event.ack(&json!({ "error": "invalid user name" }));
                return;
            }
        };
        let sockets = socket.to(user_key(&target).as_str());
        // Told first, then disconnected: the page shows who kicked it.
        let _ = sockets.emit("kicked", &json!({ "by": session.user.name }));
        let ack = event.take_ack();
        let admin = session.clone();
        chat.spawn(async move {
            let count = sockets.fetch_all_sockets().await.len();
            sockets.disconnect_sockets();
            tracing::info!(admin = %admin.user.name, user = %target, connections = count, "kicked");
            if let Some(ack) = ack {
                let _ = ack.send(&json!({ "kicked": count }));
            }
        });
    });
}
