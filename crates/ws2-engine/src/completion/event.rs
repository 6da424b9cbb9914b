//! Manual-reset events (`WSACreateEvent`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::fork::lock;

use super::thread::{ThreadWaker, forget_parent_waiters};
use super::wait::{Waitable, Waited, deadline_in, wait_until};

/// A manual-reset event (`WSACreateEvent`): signalled by completions,
/// waited on by any number of threads.
///
/// ```
/// # use ws2_engine as ws2;
/// let e = ws2::Event::new();
/// assert!(!e.is_set());
/// e.set();
/// assert!(e.wait(Some(std::time::Duration::ZERO)));
/// e.reset();
/// assert!(!e.wait(Some(std::time::Duration::from_millis(1))));
/// ```
#[derive(Default)]
pub struct Event {
    state: Mutex<EventState>,
}

#[derive(Default)]
struct EventState {
    signaled: bool,
    waiters: Vec<Arc<ThreadWaker>>,
}

impl Event {
    /// A new, non-signalled, manual-reset event.
    pub fn new() -> Event {
        Event::default()
    }

    /// Signals the event and wakes every waiter.
    pub fn set(&self) {
        let mut s = lock(&self.state);
        s.signaled = true;
        for w in &s.waiters {
            w.wake();
        }
    }

    /// Clears the event.
    pub fn reset(&self) {
        lock(&self.state).signaled = false;
    }

    /// Whether the event is signalled.
    pub fn is_set(&self) -> bool {
        lock(&self.state).signaled
    }

    /// Waits (not alertably) until the event is set; false on timeout. It
    /// needs no file descriptor, so it works when the process has none left.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        if self.is_set() {
            return true;
        }
        let deadline = timeout.and_then(deadline_in);
        matches!(
            wait_until(&[self], deadline, false, None, || self
                .is_set()
                .then_some(())),
            Ok(Waited::Done(()))
        )
    }
}

#[doc(hidden)]
impl Waitable for Event {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        forget_parent_waiters(&mut s.waiters);
        s.waiters.push(waker.clone());
    }
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        if let Some(i) = s.waiters.iter().position(|w| Arc::ptr_eq(w, waker)) {
            s.waiters.swap_remove(i);
        }
    }
}

/// `WSAWaitForMultipleEvents`/`WaitForMultipleObjectsEx` on events: the
/// index of the first signalled event (wait-any), 0 when all are (wait-all).
pub fn wait_events(
    events: &[&Event],
    wait_all: bool,
    deadline: Option<Instant>,
    alertable: bool,
) -> Result<Waited<usize>> {
    let sources: Vec<&dyn Waitable> = events.iter().map(|e| *e as &dyn Waitable).collect();
    wait_until(&sources, deadline, alertable, None, || {
        if wait_all {
            events.iter().all(|e| e.is_set()).then_some(0)
        } else {
            events.iter().position(|e| e.is_set())
        }
    })
}
