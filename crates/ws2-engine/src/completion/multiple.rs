//! Waiting on up to 64 objects at once (`WaitForMultipleObjectsEx`,
//! `WSAWaitForMultipleEvents`): events, mutexes and semaphores, and
//! threads through their exit events. Wait-any takes the signalled object
//! with the lowest index and consumes only it; wait-all takes all of them
//! in one step, under all their locks, or none (kernel32 sync.c
//! `test_WaitForMultipleObjects`, Microsoft's WaitForMultipleObjects page).

use std::sync::Arc;
use std::time::Instant;

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::Locked;

use super::event::{Event, EventState};
use super::mutex::{MutexObject, MutexState};
use super::semaphore::{Semaphore, SemaphoreState};
use super::thread::{ThreadState, current_thread};
use super::wait::{Waitable, Waited, wait_until};

/// An object a wait can take, as a handle names it.
#[derive(Clone)]
pub enum SyncObject {
    Event(Arc<Event>),
    Mutex(Arc<MutexObject>),
    Semaphore(Arc<Semaphore>),
}

/// A borrowed [`SyncObject`], what [`wait_objects`] takes.
#[derive(Clone, Copy)]
pub enum SyncRef<'a> {
    Event(&'a Event),
    /// The `Arc`: the thread that takes it records it as its own.
    Mutex(&'a Arc<MutexObject>),
    Semaphore(&'a Semaphore),
}

impl SyncObject {
    pub fn as_ref(&self) -> SyncRef<'_> {
        match self {
            SyncObject::Event(e) => SyncRef::Event(e),
            SyncObject::Mutex(m) => SyncRef::Mutex(m),
            SyncObject::Semaphore(s) => SyncRef::Semaphore(s),
        }
    }
}

/// One object's state under its lock.
enum Held<'a> {
    Event(Locked<'a, EventState>),
    Mutex(Locked<'a, MutexState>),
    Semaphore(Locked<'a, SemaphoreState>),
}

/// What taking one object found.
#[derive(Clone, Copy, Default)]
struct Took {
    /// An abandoned mutex.
    abandoned: bool,
    /// A mutex the thread owns afresh, to record outside the locks.
    fresh_mutex: bool,
}

impl Held<'_> {
    fn ready(&self, me: &ThreadState) -> bool {
        match self {
            Held::Event(s) => s.ready(),
            Held::Mutex(s) => s.ready(me),
            Held::Semaphore(s) => s.ready(),
        }
    }

    fn take(&mut self, me: &ThreadState) -> Took {
        match self {
            Held::Event(s) => {
                s.take();
                Took::default()
            }
            Held::Mutex(s) => {
                let t = s.take(me);
                Took {
                    abandoned: t.abandoned,
                    fresh_mutex: t.fresh,
                }
            }
            Held::Semaphore(s) => {
                s.take();
                Took::default()
            }
        }
    }
}

impl<'a> SyncRef<'a> {
    fn lock(self) -> Held<'a> {
        match self {
            SyncRef::Event(e) => Held::Event(e.locked()),
            SyncRef::Mutex(m) => Held::Mutex(m.locked()),
            SyncRef::Semaphore(s) => Held::Semaphore(s.locked()),
        }
    }

    fn waitable(self) -> &'a dyn Waitable {
        match self {
            SyncRef::Event(e) => e,
            SyncRef::Mutex(m) => &**m,
            SyncRef::Semaphore(s) => s,
        }
    }

    /// The object's address: its identity, and wait-all's lock order.
    pub(super) fn address(self) -> usize {
        match self {
            SyncRef::Event(e) => std::ptr::from_ref(e) as usize,
            SyncRef::Mutex(m) => Arc::as_ptr(m) as usize,
            SyncRef::Semaphore(s) => std::ptr::from_ref(s) as usize,
        }
    }

    /// Records a mutex `me` now owns (after its lock was let go).
    fn note_owned(self, me: &ThreadState) {
        if let SyncRef::Mutex(m) = self {
            me.now_owns(m.clone());
        }
    }
}

/// What satisfied a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Satisfied {
    /// Wait-any: the object's index. Wait-all: 0.
    pub index: usize,
    /// An abandoned mutex was taken (`WAIT_ABANDONED_0 + index`). For
    /// wait-all, Microsoft documents only that the value lies in that
    /// range; ws2 gives `WAIT_ABANDONED_0` itself.
    pub abandoned: bool,
}

/// Most objects one wait takes (`MAXIMUM_WAIT_OBJECTS`).
const MAX_WAIT: usize = abi::MAXIMUM_WAIT_OBJECTS as usize;

/// Waits until one (wait-any) or all (wait-all) of the objects can be
/// taken, the deadline passes, or (alertable) completion routines ran.
/// Between 1 and 64 objects; a wait-all on one object twice is
/// `ERROR_INVALID_PARAMETER`.
///
/// ```
/// # use std::sync::Arc;
/// use ws2_engine::completion::{MutexObject, Semaphore, SyncRef, Waited, wait_objects};
/// let m = MutexObject::new(false);
/// let s = Semaphore::new(0, 1)?;
/// let now = Some(std::time::Instant::now());
/// let both = [SyncRef::Mutex(&m), SyncRef::Semaphore(&s)];
/// assert_eq!(wait_objects(&both, true, now, false)?, Waited::TimedOut);
/// s.release(1)?;
/// assert!(matches!(wait_objects(&both, true, now, false)?, Waited::Done(_)));
/// assert_eq!(s.count(), 0, "taken together with the mutex");
/// m.release()?;
/// # Ok::<(), ws2_engine::Error>(())
/// ```
pub fn wait_objects(
    objects: &[SyncRef<'_>],
    wait_all: bool,
    deadline: Option<Instant>,
    alertable: bool,
) -> Result<Waited<Satisfied>> {
    if objects.is_empty() || objects.len() > MAX_WAIT {
        return Err(Error::new(
            abi::WSA_INVALID_PARAMETER,
            format!(
                "{} handles: between 1 and {MAX_WAIT} are allowed",
                objects.len()
            ),
        ));
    }
    // Address order: the order wait-all locks in, so that two wait-alls
    // over the same objects never deadlock.
    let mut order = [0usize; MAX_WAIT];
    let order = &mut order[..objects.len()];
    for (i, slot) in order.iter_mut().enumerate() {
        *slot = i;
    }
    order.sort_unstable_by_key(|&i| objects[i].address());
    if wait_all
        && order
            .windows(2)
            .any(|w| objects[w[0]].address() == objects[w[1]].address())
    {
        return Err(Error::new(
            abi::WSA_INVALID_PARAMETER,
            "bWaitAll with the same object twice in the list",
        ));
    }
    let me = current_thread();
    let sources: Vec<&dyn Waitable> = objects.iter().map(|o| o.waitable()).collect();
    wait_until(&sources, deadline, alertable, None, || {
        if wait_all {
            take_all(objects, order, &me)
        } else {
            take_first(objects, &me)
        }
    })
}

/// Wait-any's test: the lowest index that can be taken, taken.
fn take_first(objects: &[SyncRef<'_>], me: &ThreadState) -> Option<Satisfied> {
    for (index, object) in objects.iter().enumerate() {
        let mut held = object.lock();
        if held.ready(me) {
            let took = held.take(me);
            drop(held);
            if took.fresh_mutex {
                object.note_owned(me);
            }
            return Some(Satisfied {
                index,
                abandoned: took.abandoned,
            });
        }
    }
    None
}

/// Wait-all's test, atomic over the objects: with every one locked (in
/// `order`), either all can be taken and are, or nothing changes.
fn take_all(objects: &[SyncRef<'_>], order: &[usize], me: &ThreadState) -> Option<Satisfied> {
    let mut held: [Option<Held<'_>>; MAX_WAIT] = [const { None }; MAX_WAIT];
    for &i in order {
        let h = objects[i].lock();
        if !h.ready(me) {
            return None;
        }
        held[i] = Some(h);
    }
    let mut abandoned = false;
    let mut fresh = [false; MAX_WAIT];
    for (i, h) in held.iter_mut().enumerate() {
        if let Some(h) = h {
            let took = h.take(me);
            abandoned |= took.abandoned;
            fresh[i] = took.fresh_mutex;
        }
    }
    drop(held);
    for (object, _) in objects.iter().zip(fresh).filter(|(_, f)| *f) {
        object.note_owned(me);
    }
    Some(Satisfied {
        index: 0,
        abandoned,
    })
}

/// [`wait_objects`] on events alone (a thread handle waits on its exit
/// event): the index of the event taken (wait-any), or 0 (wait-all).
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
    let refs: Vec<SyncRef<'_>> = events.iter().map(|e| SyncRef::Event(e)).collect();
    Ok(match wait_objects(&refs, wait_all, deadline, alertable)? {
        Waited::Done(s) => Waited::Done(s.index),
        Waited::TimedOut => Waited::TimedOut,
        Waited::IoCompletion => Waited::IoCompletion,
    })
}
