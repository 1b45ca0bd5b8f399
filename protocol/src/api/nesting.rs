//! Which endpoints this thread is dispatching events of right now: a call into an endpoint
//! from one of its own handlers is nested, and leaves routing transmits (and running groups of
//! sockets leaving together that it did not start) to the call that dispatches.

use std::cell::RefCell;

thread_local! {
    /// The endpoints whose events this thread is dispatching right now.
    static DISPATCHING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Marks an endpoint as dispatching on this thread until dropped (also on panic).
pub(super) struct DispatchGuard(usize);

impl DispatchGuard {
    /// Marks endpoint `key` (its address) as dispatching.
    pub(super) fn enter(key: usize) -> Self {
        DISPATCHING.with(|d| d.borrow_mut().push(key));
        DispatchGuard(key)
    }

    /// Whether this thread is dispatching events of endpoint `key`.
    pub(super) fn active(key: usize) -> bool {
        DISPATCHING.with(|d| d.borrow().contains(&key))
    }
}

impl Drop for DispatchGuard {
    fn drop(&mut self) {
        DISPATCHING.with(|d| {
            let mut d = d.borrow_mut();
            if let Some(i) = d.iter().rposition(|k| *k == self.0) {
                d.remove(i);
            }
        });
    }
}
