//! Which endpoints this thread is dispatching events of right now: a call into an endpoint
//! from one of its own handlers is nested, and leaves routing transmits (and running groups of
//! sockets leaving together that it did not start) to the call that dispatches.
//!
//! The marks form a stack (a guard lives in the frame of the call that dispatches, so guards
//! end in the reverse order they began, unwinding included). The innermost mark is kept in a
//! plain `Cell`: the usual questions — "is anything dispatching?" from a call made outside a
//! handler, "is my endpoint?" from a call made by one of its handlers — are answered from it
//! alone; the outer marks, only there when one endpoint's handler dispatches into another (or
//! into its own again), live in a list consulted only when the innermost mark is another
//! endpoint's.

use std::cell::{Cell, RefCell};

thread_local! {
    /// The endpoint this thread is dispatching events of innermost; 0 when none (an endpoint's
    /// key is its address, never 0).
    static INNERMOST: Cell<usize> = const { Cell::new(0) };
    /// The endpoints marked before the innermost one, oldest first.
    static OUTER: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Marks an endpoint as dispatching on this thread until dropped (also on panic).
pub(super) struct DispatchGuard {
    /// The endpoint marked.
    key: usize,
    /// The innermost mark before this one (0: none), restored on drop.
    prev: usize,
}

impl DispatchGuard {
    /// Marks endpoint `key` (its address, not 0) as dispatching.
    pub(super) fn enter(key: usize) -> Self {
        debug_assert_ne!(key, 0, "an endpoint's address is never 0");
        let prev = INNERMOST.replace(key);
        if prev != 0 {
            OUTER.with(|o| o.borrow_mut().push(prev));
        }
        DispatchGuard { key, prev }
    }

    /// Whether this thread is dispatching events of endpoint `key`.
    pub(super) fn active(key: usize) -> bool {
        let top = INNERMOST.get();
        top == key || (top != 0 && OUTER.with(|o| o.borrow().contains(&key)))
    }
}

impl Drop for DispatchGuard {
    fn drop(&mut self) {
        // Guards are locals of the dispatching call: they end innermost first.
        debug_assert_eq!(
            INNERMOST.get(),
            self.key,
            "dispatch guards end in stack order"
        );
        INNERMOST.set(self.prev);
        if self.prev != 0 {
            OUTER.with(|o| {
                let popped = o.borrow_mut().pop();
                debug_assert_eq!(popped, Some(self.prev));
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DispatchGuard;

    #[test]
    fn marks_nest_and_end_in_order() {
        let (a, b) = (0x1000, 0x2000);
        assert!(!DispatchGuard::active(a));
        {
            let _ga = DispatchGuard::enter(a);
            assert!(DispatchGuard::active(a));
            assert!(!DispatchGuard::active(b));
            {
                // a's handler dispatches into b: both are dispatching, a from the outer list.
                let _gb = DispatchGuard::enter(b);
                assert!(DispatchGuard::active(a));
                assert!(DispatchGuard::active(b));
                {
                    // b's handler dispatches into a again.
                    let _ga2 = DispatchGuard::enter(a);
                    assert!(DispatchGuard::active(a));
                    assert!(DispatchGuard::active(b));
                }
                assert!(DispatchGuard::active(a));
                assert!(DispatchGuard::active(b));
            }
            assert!(DispatchGuard::active(a));
            assert!(!DispatchGuard::active(b));
            {
                // a's own handler nests a dispatch of a: still a after the inner one ends.
                let _ga2 = DispatchGuard::enter(a);
                assert!(DispatchGuard::active(a));
            }
            assert!(DispatchGuard::active(a));
        }
        assert!(!DispatchGuard::active(a));
        assert!(!DispatchGuard::active(b));
    }

    #[test]
    fn a_panic_inside_ends_the_marks() {
        let (a, b) = (0x3000, 0x4000);
        let r = std::panic::catch_unwind(|| {
            let _ga = DispatchGuard::enter(a);
            let _gb = DispatchGuard::enter(b);
            panic!("handler");
        });
        assert!(r.is_err());
        assert!(!DispatchGuard::active(a));
        assert!(!DispatchGuard::active(b));
        // A later mark starts from a clean stack.
        let _gb = DispatchGuard::enter(b);
        assert!(DispatchGuard::active(b));
        assert!(!DispatchGuard::active(a));
    }
}
