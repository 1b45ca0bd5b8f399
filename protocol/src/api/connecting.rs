//! [`Connecting`]: what a connect middleware gets. The handshake, plus a place to leave
//! typed values and the initial `data` for the socket it admits (the reference's
//! `socket.data.user = …` inside `io.use`).

use super::socket::SocketEntry;
use crate::server::{Handshake, SocketLayer};
use std::any::{Any, TypeId};
use std::ops::Deref;
use std::sync::{Arc, Mutex};

/// Typed per-socket values, one per type. Few per socket, so a list.
pub(crate) type Extensions = Vec<(TypeId, Arc<dyn Any + Send + Sync>)>;

/// Stores `value` in `extensions`, replacing the previous value of its type.
pub(crate) fn put<T: Send + Sync + 'static>(extensions: &mut Extensions, value: T) {
    let value: Arc<dyn Any + Send + Sync> = Arc::new(value);
    match extensions.iter_mut().find(|(t, _)| *t == TypeId::of::<T>()) {
        Some(slot) => slot.1 = value,
        None => extensions.push((TypeId::of::<T>(), value)),
    }
}

/// The value of type `T` in `extensions`.
pub(crate) fn find<T: Send + Sync + 'static>(extensions: &Extensions) -> Option<Arc<T>> {
    let (_, v) = extensions.iter().find(|(t, _)| *t == TypeId::of::<T>())?;
    v.clone().downcast::<T>().ok()
}

/// What the middleware left for the socket.
#[derive(Default)]
pub(crate) struct Init {
    pub(crate) extensions: Extensions,
    pub(crate) data: Option<serde_json::Value>,
}

impl Init {
    /// Gives the admitted socket `id` what the middleware left: the typed values, and the
    /// `data` unless the socket was restored (it keeps its restored `data`).
    pub(crate) fn apply(self, core: &mut SocketLayer, entry: &SocketEntry) {
        if let Some(data) = self.data {
            let restored = core.socket_recovered(&entry.id) == Some(true);
            if let Some(slot) = core.socket_data_mut(&entry.id).filter(|_| !restored) {
                *slot = data;
            }
        }
        if !self.extensions.is_empty() {
            entry.state().rare().extensions = self.extensions;
        }
    }
}

/// A client asking to join a namespace, as its connect middleware sees it: the handshake
/// (through `Deref`, so `connecting.cookie("sid")` works) and what the middleware wants the
/// admitted socket to start with. Values stored with [`Connecting::insert`] are read on the
/// socket with [`SocketRef::get`](super::SocketRef::get); [`Connecting::set_data`] gives the
/// socket its first [`data`](super::SocketRef::data). Several middlewares see the same
/// `Connecting`, in order, so a later one reads what an earlier one stored. If a middleware
/// refuses the client, everything stored is dropped.
///
/// It is cheap to clone: an async middleware moves a clone into its future.
///
/// ```
/// # use volley_protocol::api::Io;
/// # fn f(io: Io) {
/// use volley_protocol::socket::ConnectError;
///
/// struct User { name: String }
///
/// io.of("/").middleware(|connecting| async move {
///     // e.g. a session lookup in a database, done once.
///     let name = connecting.cookie("session").ok_or(ConnectError::new("login first"))?;
///     connecting.set_data(serde_json::json!({ "user": name }));
///     connecting.insert(User { name: name.to_owned() });
///     Ok(())
/// });
/// io.of("/").on_connection(|socket| {
///     let user = socket.get::<User>().expect("set by the middleware");
///     let _ = socket.emit("hello", &user.name);
/// });
/// # }
/// ```
///
/// With [connection state recovery](super::Options::connection_state_recovery), a restored
/// socket keeps the `data` it had before (what `set_data` gave is ignored for it); typed
/// values are not part of a restored session, so with `skip_middlewares` a restored socket
/// has none unless its connection handlers store them again.
#[derive(Clone)]
pub struct Connecting {
    handshake: Arc<Handshake>,
    init: Arc<Mutex<Init>>,
}

impl Connecting {
    pub(crate) fn new(handshake: Arc<Handshake>) -> Self {
        Connecting {
            handshake,
            init: Arc::default(),
        }
    }

    /// What the middleware chain left, once it admitted the client.
    pub(crate) fn into_init(self) -> Init {
        std::mem::take(&mut *super::socket::lock(&self.init))
    }

    /// The handshake (also reachable through `Deref`).
    ///
    /// ```
    /// # use volley_protocol::api::Connecting;
    /// # fn f(connecting: Connecting) {
    /// let token = connecting.handshake().auth_field("token");
    /// # let _ = token;
    /// # }
    /// ```
    pub fn handshake(&self) -> &Arc<Handshake> {
        &self.handshake
    }

    /// Stores a value of type `T` for the socket (replacing any previous `T`); read it with
    /// [`SocketRef::get`](super::SocketRef::get).
    ///
    /// ```
    /// # use volley_protocol::api::Connecting;
    /// # fn f(connecting: Connecting) {
    /// struct Role(&'static str);
    /// connecting.insert(Role("admin"));
    /// assert_eq!(connecting.get::<Role>().unwrap().0, "admin");
    /// # }
    /// ```
    pub fn insert<T: Send + Sync + 'static>(&self, value: T) {
        put(&mut super::socket::lock(&self.init).extensions, value);
    }

    /// The value of type `T` an earlier middleware stored with [`Connecting::insert`].
    ///
    /// ```
    /// # use volley_protocol::api::Connecting;
    /// # fn f(connecting: Connecting) {
    /// struct UserId(u64);
    /// let known = connecting.get::<UserId>().is_some();
    /// # let _ = known;
    /// # }
    /// ```
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        find(&super::socket::lock(&self.init).extensions)
    }

    /// Sets the `data` the socket starts with (`{}` otherwise), what
    /// [`SocketRef::data`](super::SocketRef::data) returns and other nodes see in
    /// `fetch_all_sockets`.
    ///
    /// ```
    /// # use volley_protocol::api::Connecting;
    /// # fn f(connecting: Connecting) {
    /// connecting.set_data(serde_json::json!({ "user": "ada" }));
    /// assert_eq!(connecting.data().unwrap()["user"], "ada");
    /// # }
    /// ```
    pub fn set_data(&self, data: serde_json::Value) {
        super::socket::lock(&self.init).data = Some(data);
    }

    /// The `data` an earlier middleware set with [`Connecting::set_data`].
    ///
    /// ```
    /// # use volley_protocol::api::Connecting;
    /// # fn f(connecting: Connecting) {
    /// let user = connecting.data().and_then(|d| d.get("user").cloned());
    /// # let _ = user;
    /// # }
    /// ```
    pub fn data(&self) -> Option<serde_json::Value> {
        super::socket::lock(&self.init).data.clone()
    }
}

impl Deref for Connecting {
    type Target = Handshake;

    fn deref(&self) -> &Handshake {
        &self.handshake
    }
}

impl std::fmt::Debug for Connecting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connecting")
            .field("handshake", &self.handshake)
            .finish_non_exhaustive()
    }
}
