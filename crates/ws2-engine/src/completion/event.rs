//! Event objects: manual-reset events (`WSACreateEvent`, `CreateEvent(TRUE,
//! ...)`) and auto-reset ones (`CreateEvent(FALSE, ...)`), and waiting on
//! up to 64 of them, for any one or for all at once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::{Locked, lock};

use super::thread::{ThreadWaker, forget_parent_waiters};
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
struct EventState {
    /// The waiting threads, made at the first wait (many events are never
    /// waited on): boxed, one word in the event instead of a `Vec`'s three.
    #[allow(clippy::box_collection)]
    waiters: Option<Box<Vec<Arc<ThreadWaker>>>>,
    signaled: bool,
    /// `bManualReset = FALSE`: a satisfied wait resets the event.
    auto_reset: bool,
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
        for w in s.waiters.iter().flat_map(|w| w.iter()) {
            w.wake();
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
            for w in s.waiters.iter().flat_map(|w| w.iter()) {
                w.wake();
            }
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

    /// A wait's test: true if the event is signalled, and then, for an
    /// auto-reset event, the signal is taken.
    #[doc(hidden)]
    pub fn try_acquire(&self) -> bool {
        let mut s = lock(&self.state);
        let signaled = s.signaled;
        if s.auto_reset {
            s.signaled = false;
        }
        signaled
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
        forget_parent_waiters(waiters);
        waiters.push(waker.clone());
    }
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        if let Some(waiters) = &mut s.waiters
            && let Some(i) = waiters.iter().position(|w| Arc::ptr_eq(w, waker))
        {
            waiters.swap_remove(i);
        }
    }
}

/// Most objects one wait takes (`MAXIMUM_WAIT_OBJECTS`).
const MAX_WAIT: usize = abi::MAXIMUM_WAIT_OBJECTS as usize;

/// `WSAWaitForMultipleEvents`/`WaitForMultipleObjectsEx` on events (a
/// thread handle waits on its exit event): the index of the signalled
/// event with the lowest index (wait-any: only that one is consumed), or 0
/// when all are signalled at one moment (wait-all: only then are the
/// auto-reset ones consumed, all together). Between 1 and 64 events; a
/// wait-all on one object twice is `ERROR_INVALID_PARAMETER`.
///
/// ```
/// # use ws2_engine::{Event, Waited, completion::wait_events};
/// let (a, b) = (Event::with_mode(false, true), Event::with_mode(false, false));
/// // Wait-all: `a` alone is signalled, so nothing is consumed.
/// assert_eq!(wait_events(&[&a, &b], true, Some(std::time::Instant::now()), false)?, Waited::TimedOut);
/// assert!(a.is_set());
/// b.set();
/// assert_eq!(wait_events(&[&a, &b], true, None, false)?, Waited::Done(0));
/// assert!(!a.is_set() && !b.is_set(), "both consumed together");
/// # Ok::<(), ws2_engine::Error>(())
/// ```
pub fn wait_events(
    events: &[&Event],
    wait_all: bool,
    deadline: Option<Instant>,
    alertable: bool,
) -> Result<Waited<usize>> {
    if events.is_empty() || events.len() > MAX_WAIT {
        return Err(Error::new(
            abi::WSA_INVALID_PARAMETER,
            format!(
                "{} handles: between 1 and {MAX_WAIT} are allowed",
                events.len()
            ),
        ));
    }
    // The events in address order: the order wait-all locks them in, so
    // two wait-alls over the same events never deadlock.
    let mut order = [0usize; MAX_WAIT];
    let order = &mut order[..events.len()];
    for (i, slot) in order.iter_mut().enumerate() {
        *slot = i;
    }
    order.sort_unstable_by_key(|&i| std::ptr::from_ref(events[i]) as usize);
    if wait_all
        && order
            .windows(2)
            .any(|w| std::ptr::eq(events[w[0]], events[w[1]]))
    {
        return Err(Error::new(
            abi::WSA_INVALID_PARAMETER,
            "bWaitAll with the same object twice in the list",
        ));
    }
    let sources: Vec<&dyn Waitable> = events.iter().map(|e| *e as &dyn Waitable).collect();
    wait_until(&sources, deadline, alertable, None, || {
        if wait_all {
            acquire_all(events, order).then_some(0)
        } else {
            events.iter().position(|e| e.try_acquire())
        }
    })
}

/// Wait-all's test, atomic over the events: with every event locked (in
/// `order`), either all are signalled and the auto-reset ones are taken,
/// or nothing changes.
fn acquire_all(events: &[&Event], order: &[usize]) -> bool {
    let mut held: [Option<Locked<'_, EventState>>; MAX_WAIT] = [const { None }; MAX_WAIT];
    for &i in order {
        let s = lock(&events[i].state);
        if !s.signaled {
            return false;
        }
        held[i] = Some(s);
    }
    for s in held.iter_mut().flatten() {
        if s.auto_reset {
            s.signaled = false;
        }
    }
    true
}
