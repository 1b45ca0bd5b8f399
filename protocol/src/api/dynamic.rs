//! Dynamic namespaces (the reference's `io.of(/^\/room-\d+$/)`): a parent handle whose
//! handlers and middleware every child gets, children created by the first matching CONNECT.

use super::io::{Io, IoShared, Namespace, NsEntry, NsKind};
use super::socket::{read, write};
use crate::server::{ConnectRequest, NamespacePattern, PatternId};
use crate::Str;
use std::sync::{Arc, RwLock};

impl Io {
    /// Dynamic namespaces: every name for which `matches` is true can be joined. The first
    /// client to CONNECT to such a name creates that namespace (a *child*), which gets the
    /// connection handlers and middleware registered on the returned *parent* handle so far
    /// (as in the reference, where `io.of(/^\/room-\d+$/)` copies them into each child).
    ///
    /// Each child has its own sockets and rooms; `io.of("/room-1")` (or `socket.nsp()`)
    /// refers to it once it exists, and [`Namespace::children`] lists them. Emitting on the
    /// parent (`emit`, `to(..)`, `except(..)`, `volatile()`, `timeout(..).emit_with_ack`, …)
    /// reaches every child, and `fetch_sockets`/`sockets_join`/`disconnect_sockets` act on
    /// every child. (In the reference only the plain emits reach the children: on a parent,
    /// `emitWithAck` collects nothing, `fetchSockets` throws, `socketsJoin` and
    /// `disconnectSockets` do nothing.) A static namespace of the same name (`io.of(name)`)
    /// takes precedence.
    ///
    /// Children stay when their last socket leaves unless
    /// [`Options::cleanup_empty_child_namespaces`](super::Options::cleanup_empty_child_namespaces)
    /// is on; turn it on when clients can pick among unboundedly many names.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// fn is_room(name: &str) -> bool {
    ///     name.strip_prefix("/room-")
    ///         .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    /// }
    /// let rooms = io.of_dynamic(is_room);
    /// rooms.middleware(|handshake| match handshake.auth_field("token") {
    ///     Some(_) => Ok(()),
    ///     None => Err(volley_protocol::socket::ConnectError::new("no token")),
    /// });
    /// rooms.on_connection(|socket| {
    ///     // `socket.nsp()` is the child, e.g. `/room-42`: emits stay in it.
    ///     let _ = socket.nsp().emit("joined", &socket.id().as_str());
    /// });
    /// // Every child namespace hears this.
    /// let _ = rooms.emit("announcement", &"closing in 5 minutes");
    /// # }
    /// ```
    pub fn of_dynamic(&self, matches: impl Fn(&str) -> bool + Send + 'static) -> Namespace {
        self.of_pattern(NamespacePattern::new(matches))
    }

    /// Like [`Io::of_dynamic`] with a [`NamespacePattern`], e.g. one that also reads the
    /// CONNECT auth ([`NamespacePattern::with_auth`], the reference's
    /// `io.of((name, auth, next) => …)`) or a prefix ([`NamespacePattern::prefix`]).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// use volley_protocol::server::NamespacePattern;
    /// let tenants = io.of_pattern(NamespacePattern::prefix("/tenant-"));
    /// tenants.on_connection(|socket| {
    ///     let _ = socket.emit("tenant", &socket.ns());
    /// });
    /// # }
    /// ```
    pub fn of_pattern(&self, pattern: NamespacePattern) -> Namespace {
        // Registered under the core lock: no CONNECT can match the pattern before the parent
        // handle exists.
        let entry = self.0.with_core(|st, _| {
            let id = st.core.add_dynamic_namespace(pattern);
            let name = Str::from(format!("/_{}", id.0));
            let entry = Arc::new(NsEntry::new(name, NsKind::Parent(id)));
            write(&self.0.app.parents).push(entry.clone());
            entry
        });
        Namespace {
            io: self.clone(),
            entry,
        }
    }
}

impl Namespace {
    /// The children created so far through this dynamic parent (empty for a namespace made
    /// with `io.of(name)`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let rooms = io.of_dynamic(|name| name.starts_with("/room-"));
    /// for room in rooms.children() {
    ///     println!("{}: {} sockets", room.name(), room.fetch_sockets().len());
    /// }
    /// # }
    /// ```
    pub fn children(&self) -> Vec<Namespace> {
        let NsKind::Parent(pattern) = self.entry.kind else {
            return Vec::new();
        };
        let names = children(&self.io.0, pattern);
        let map = read(&self.io.0.app.namespaces);
        names
            .iter()
            .filter_map(|name| map.get(name))
            .filter(|entry| entry.kind == NsKind::Child(pattern))
            .map(|entry| Namespace {
                io: self.io.clone(),
                entry: entry.clone(),
            })
            .collect()
    }

    /// True for the handle [`Io::of_dynamic`] returns (the reference's parent namespace).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// assert!(io.of_dynamic(|name| name.starts_with("/game-")).is_dynamic_parent());
    /// assert!(!io.of("/chat").is_dynamic_parent());
    /// # }
    /// ```
    pub fn is_dynamic_parent(&self) -> bool {
        matches!(self.entry.kind, NsKind::Parent(_))
    }
}

/// Names of the live children of `pattern`, as the core knows them now.
pub(crate) fn children(io: &IoShared, pattern: PatternId) -> Vec<Str> {
    io.with_core(|st, _| st.core.namespace_children(pattern).cloned().collect())
}

/// The handlers of a new child: what its parent has registered so far.
pub(crate) fn create_child(io: &IoShared, req: &ConnectRequest) -> Option<Arc<NsEntry>> {
    let pattern = req.pattern()?;
    let parent = read(&io.app.parents)
        .iter()
        .find(|p| p.kind == NsKind::Parent(pattern))
        .cloned()?;
    let child = NsEntry {
        on_connection: RwLock::new(read(&parent.on_connection).clone()),
        middleware: RwLock::new(read(&parent.middleware).clone()),
        ..NsEntry::new(req.nsp().clone(), NsKind::Child(pattern))
    };
    let entry = write(&io.app.namespaces)
        .entry(req.nsp().clone())
        .or_insert_with(|| Arc::new(child))
        .clone();
    Some(entry)
}

/// Makes sure an admitted child's handlers stay reachable by name, even if the core removed
/// and re-created it while its middleware ran. Called under the core lock.
pub(crate) fn keep_child(io: &IoShared, ns: &Arc<NsEntry>) {
    if let NsKind::Child(_) = ns.kind {
        write(&io.app.namespaces)
            .entry(ns.name.clone())
            .or_insert_with(|| ns.clone());
    }
}

/// After a socket of `nsp` left: forgets a child the core has removed (empty children are
/// removed with `cleanup_empty_child_namespaces`).
pub(crate) fn forget_if_removed(io: &IoShared, nsp: &Str) {
    let entry = read(&io.app.namespaces).get(nsp).cloned();
    let Some(entry) = entry else { return };
    let NsKind::Child(_) = entry.kind else { return };
    // Under the core lock, so a CONNECT re-creating the child cannot slip in between.
    io.with_core(|st, _| {
        if st.core.namespace_pattern(nsp).is_none() {
            let mut map = write(&io.app.namespaces);
            if map.get(nsp).is_some_and(|e| Arc::ptr_eq(e, &entry)) {
                map.remove(nsp);
            }
        }
    });
}
