//! The Engine.IO side of a socket: its client's transport, and the upgrade from polling to
//! WebSocket.

use super::dispatch::contained;
use super::io::IoShared;
use super::socket::{SocketEntry, SocketRef};
use crate::engine::TransportKind;
use std::sync::Arc;

impl SocketRef {
    /// The Engine.IO transport its client uses now (the reference's
    /// `socket.conn.transport.name`): [`TransportKind::Polling`] until a polling client
    /// upgrades, then [`TransportKind::WebSocket`]. `None` once the client left.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// use volley_protocol::api::TransportKind;
    /// if socket.transport() == Some(TransportKind::Polling) {
    ///     println!("{} polls, for now", socket.id());
    /// }
    /// let name = socket.transport().map(TransportKind::as_str); // "polling" or "websocket"
    /// # let _ = name;
    /// # }
    /// ```
    pub fn transport(&self) -> Option<TransportKind> {
        let id = &self.entry.id;
        self.io.with_core(|st, _| {
            let sid = st.core.socket(id)?.engine_sid().clone();
            Some(st.core.engine().session(&sid)?.transport())
        })
    }

    /// Calls `f` when the socket's client finishes upgrading from polling to WebSocket (the
    /// reference's `socket.conn.on("upgrade")`); from then on
    /// [`transport`](Self::transport) is [`TransportKind::WebSocket`]. A client that started
    /// on WebSocket never upgrades.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_upgrade(|socket| {
    ///     println!("{} now on {:?}", socket.id(), socket.transport());
    /// });
    /// # }
    /// ```
    pub fn on_upgrade(&self, f: impl Fn(SocketRef) + Send + Sync + 'static) {
        self.entry.state().rare().upgrade.push(Arc::new(f));
    }
}

/// The socket's client upgraded: its `on_upgrade` listeners hear it.
pub(crate) fn on_upgraded(io: &Arc<IoShared>, entry: Arc<SocketEntry>) {
    let listeners = (entry.state().rare.as_ref()).map(|r| r.upgrade.clone());
    let Some(listeners) = listeners.filter(|l| !l.is_empty()) else {
        return;
    };
    let socket = SocketRef {
        io: io.clone(),
        entry,
    };
    for f in listeners {
        // A panicking listener is reported by the panic hook; the others still run.
        contained(|| f(socket.clone()));
    }
}
