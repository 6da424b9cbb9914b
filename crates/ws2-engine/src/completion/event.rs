//! Event objects: manual-reset events (`WSACreateEvent`, `CreateEvent(TRUE,
//! ...)`) and auto-reset ones (`CreateEvent(FALSE, ...)`), set, reset and
//! pulsed (`PulseEvent`). Waits on several objects are in `multiple`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::fork::{Locked, lock};

use super::thread::{ThreadWaker, add_waker, forget_parent_waiters, remove_waker};
use super::wait::{Waitable, Waited, deadline_in, wait_until};

/// An event object: signalled by completions and `SetEvent`, waited on by
/// any number of threads. A manual-reset event stays signalled until it is
/// reset; an auto-reset event is consumed by the one wait it satisfies.
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
    /// Small (24 bytes): every pending Rust send holds one (memory per
    /// pending operation, README).
    state: Mutex<EventState>,
}

#[derive(Default)]
pub(super) struct EventState {
    /// The waiting threads, made at the first wait (many events are never
    /// waited on): boxed, one word in the event.
    waiters: Option<Box<Waiters>>,
    signaled: bool,
    /// `bManualReset = FALSE`: a satisfied wait resets the event.
    auto_reset: bool,
}

#[derive(Default)]
struct Waiters {
    waiting: Vec<Arc<ThreadWaker>>,
    /// Waiting threads a `PulseEvent` released: each sees the event
    /// signalled at its next look (only then), though it is reset already.
    pulsed: Vec<Arc<ThreadWaker>>,
}

impl EventState {
    /// Whether a wait of the calling thread would be satisfied: the event
    /// is signalled, or a pulse released this thread.
    pub(super) fn ready(&self) -> bool {
        self.signaled
            || self
                .waiters
                .as_ref()
                .is_some_and(|w| w.pulsed.iter().any(|p| p.is_this_thread()))
    }

    /// Takes what [`EventState::ready`] found: an auto-reset event's
    /// signal, or the calling thread's pulse.
    pub(super) fn take(&mut self) {
        if self.signaled {
            if self.auto_reset {
                self.signaled = false;
            }
        } else if let Some(w) = &mut self.waiters
            && let Some(i) = w.pulsed.iter().position(|p| p.is_this_thread())
        {
            w.pulsed.swap_remove(i);
        }
    }

    // Inlined into `set`, a completion's path (out of line, 10 more
    // instructions per event-completed receive, callgrind).
    #[inline]
    fn wake_all(&self) {
        for w in self.waiters.iter().flat_map(|w| w.waiting.iter()) {
            w.wake();
        }
    }
}

impl Event {
    /// A new, non-signalled, manual-reset event.
    pub fn new() -> Event {
        Event::default()
    }

    /// `CreateEvent(bManualReset, bInitialState)`.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let auto = ws2::Event::with_mode(false, true);
    /// assert!(auto.wait(Some(std::time::Duration::ZERO)), "initially set");
    /// assert!(!auto.is_set(), "the wait consumed it");
    /// ```
    #[doc(hidden)]
    pub fn with_mode(manual_reset: bool, initially_set: bool) -> Event {
        Event {
            state: Mutex::new(EventState {
                waiters: None,
                signaled: initially_set,
                auto_reset: !manual_reset,
            }),
        }
    }

    /// Whether a satisfied wait resets the event.
    #[doc(hidden)]
    pub fn is_auto_reset(&self) -> bool {
        lock(&self.state).auto_reset
    }

    /// Signals the event and wakes every waiter. For an auto-reset event
    /// the first wait to look takes the signal; the others wait on.
    pub fn set(&self) {
        let mut s = lock(&self.state);
        s.signaled = true;
        s.wake_all();
    }

    /// `PulseEvent`: releases the threads waiting now (all of them for a
    /// manual-reset event, one for an auto-reset event), and leaves the
    /// event reset. With nobody waiting it only resets the event. A
    /// released thread is satisfied at its next look, so a wait-all whose
    /// other objects are not signalled then lets the pulse pass, as on
    /// Windows (Microsoft's PulseEvent page; kernel32 sync.c and ntdll
    /// sync.c `test_event`).
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let e = ws2::Event::with_mode(true, true);
    /// e.pulse();
    /// assert!(!e.is_set(), "no waiter: only reset");
    /// ```
    pub fn pulse(&self) {
        let mut s = lock(&self.state);
        s.signaled = false;
        let auto_reset = s.auto_reset;
        let Some(w) = &mut s.waiters else { return };
        let released = if auto_reset {
            w.waiting.len().min(1)
        } else {
            w.waiting.len()
        };
        for waker in &w.waiting[..released] {
            if !w.pulsed.iter().any(|p| Arc::ptr_eq(p, waker)) {
                w.pulsed.push(waker.clone());
            }
            waker.wake();
        }
    }

    /// Runs `f` under the event's lock with its signalled state, which `f`
    /// may set (waking the waiters when it was clear, as [`Event::set`]): a Rust
    /// operation's record keeps its own state under this one lock, so that
    /// it completes with the event in one step and needs no mutex of its
    /// own (memory per pending operation, README).
    #[doc(hidden)]
    pub fn with_lock<R>(&self, f: impl FnOnce(&mut bool) -> R) -> R {
        let mut s = lock(&self.state);
        let was = s.signaled;
        let r = f(&mut s.signaled);
        if s.signaled && !was {
            s.wake_all();
        }
        r
    }

    /// Clears the event.
    pub fn reset(&self) {
        lock(&self.state).signaled = false;
    }

    /// Whether the event is signalled (a look: it consumes nothing).
    pub fn is_set(&self) -> bool {
        lock(&self.state).signaled
    }

    /// A wait's test: true if the event is signalled (or a pulse released
    /// the calling thread), and then, for an auto-reset event, the signal
    /// is taken.
    #[doc(hidden)]
    pub fn try_acquire(&self) -> bool {
        let mut s = lock(&self.state);
        let ready = s.ready();
        if ready {
            s.take();
        }
        ready
    }

    /// The event's state under its lock, for a wait-all's atomic test.
    pub(super) fn locked(&self) -> Locked<'_, EventState> {
        lock(&self.state)
    }

    /// Waits (not alertably) until the event is set (and takes the signal
    /// of an auto-reset event); false on timeout. It needs no file
    /// descriptor, so it works when the process has none left.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        if self.try_acquire() {
            return true;
        }
        let deadline = timeout.and_then(deadline_in);
        matches!(
            wait_until(&[self], deadline, false, None, || self
                .try_acquire()
                .then_some(())),
            Ok(Waited::Done(()))
        )
    }
}

#[doc(hidden)]
impl Waitable for Event {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        let waiters = s.waiters.get_or_insert_default();
        forget_parent_waiters(&mut waiters.pulsed);
        add_waker(&mut waiters.waiting, waker);
    }
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        if let Some(waiters) = &mut s.waiters {
            remove_waker(&mut waiters.waiting, waker);
            // A pulse this wait did not use is gone with the wait.
            remove_waker(&mut waiters.pulsed, waker);
        }
    }
}
