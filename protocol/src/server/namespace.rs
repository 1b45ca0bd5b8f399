//! Namespaces: static ones, and dynamic children created when a name first matches a pattern.

use super::adapter::{Adapter, AdapterFactory};
use super::ids::AckId;
use crate::Str;
use std::collections::HashMap;

/// Identifies a dynamic namespace pattern (returned by `add_dynamic_namespace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PatternId(pub(crate) u32);

type Predicate = Box<dyn Fn(&str, &Str) -> bool + Send>;

/// A dynamic namespace pattern: a predicate over the namespace name and the CONNECT auth
/// (the reference's `io.of(/^\/room-\d+$/)` or `io.of((name, auth, next) => …)`).
pub struct NamespacePattern(Predicate);

impl NamespacePattern {
    /// A pattern matching the names for which `f(name)` is true.
    pub fn new(f: impl Fn(&str) -> bool + Send + 'static) -> Self {
        NamespacePattern(Box::new(move |name, _auth| f(name)))
    }

    /// A pattern that also looks at the CONNECT auth object (raw JSON).
    pub fn with_auth(f: impl Fn(&str, &Str) -> bool + Send + 'static) -> Self {
        NamespacePattern(Box::new(f))
    }

    /// Names starting with `prefix` followed by at least one character.
    pub fn prefix(prefix: &'static str) -> Self {
        NamespacePattern::new(move |name| name.len() > prefix.len() && name.starts_with(prefix))
    }

    fn matches(&self, name: &str, auth: &Str) -> bool {
        (self.0)(name, auth)
    }
}

impl std::fmt::Debug for NamespacePattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NamespacePattern")
    }
}

/// One live namespace.
pub(crate) struct Namespace {
    pub(crate) name: Str,
    pub(crate) adapter: Box<dyn Adapter>,
    /// The reference keeps one ack id counter per namespace.
    next_ack: AckId,
    pub(crate) pattern: Option<PatternId>,
    pub(crate) socket_count: usize,
    /// CONNECTs to it awaiting the app's decision.
    pub(crate) pending: usize,
}

impl Namespace {
    pub(crate) fn next_ack_id(&mut self) -> AckId {
        let id = self.next_ack;
        self.next_ack += 1;
        id
    }
}

/// Every live namespace plus the dynamic patterns.
pub(crate) struct Namespaces {
    map: HashMap<Str, Namespace>,
    patterns: Vec<(PatternId, NamespacePattern)>,
    factory: Box<dyn AdapterFactory>,
}

impl Namespaces {
    pub(crate) fn new(factory: Box<dyn AdapterFactory>) -> Self {
        let mut n = Namespaces {
            map: HashMap::new(),
            patterns: Vec::new(),
            factory,
        };
        // The main namespace always exists, as in the reference.
        n.ensure(Str::from_static("/"), None);
        n
    }

    /// Creates the namespace if it does not exist yet.
    pub(crate) fn ensure(&mut self, name: Str, pattern: Option<PatternId>) -> &mut Namespace {
        let factory = &mut self.factory;
        self.map.entry(name.clone()).or_insert_with(|| Namespace {
            adapter: factory.create(&name),
            name,
            next_ack: 0,
            pattern,
            socket_count: 0,
            pending: 0,
        })
    }

    pub(crate) fn add_pattern(&mut self, pattern: NamespacePattern) -> PatternId {
        let id = PatternId(self.patterns.len() as u32);
        self.patterns.push((id, pattern));
        id
    }

    /// The namespace a CONNECT to `name` reaches: an existing one, or a new child of the
    /// first matching pattern. `None`: invalid namespace.
    pub(crate) fn resolve(&mut self, name: &Str, auth: &Str) -> Option<&mut Namespace> {
        if !self.map.contains_key(name.as_str()) {
            let pattern = self
                .patterns
                .iter()
                .find(|(_, p)| p.matches(name, auth))
                .map(|(id, _)| *id)?;
            return Some(self.ensure(name.clone(), Some(pattern)));
        }
        self.map.get_mut(name.as_str())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Namespace> {
        self.map.get(name)
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Namespace> {
        self.map.get_mut(name)
    }

    /// Removes `name` if it is a dynamic child nobody uses or waits for.
    pub(crate) fn remove_if_unused_child(&mut self, name: &str) {
        if self
            .map
            .get(name)
            .is_some_and(|n| n.pattern.is_some() && n.socket_count == 0 && n.pending == 0)
        {
            self.map.remove(name);
        }
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &Str> + '_ {
        self.map.keys()
    }

    /// The live children of `pattern`.
    pub(crate) fn children(&self, pattern: PatternId) -> impl Iterator<Item = &Str> + '_ {
        self.map
            .values()
            .filter(move |n| n.pattern == Some(pattern))
            .map(|n| &n.name)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Namespace> + '_ {
        self.map.values()
    }
}
