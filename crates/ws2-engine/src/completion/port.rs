//! Completion ports (S36): queues of packets that several threads may wait
//! on, woken last-in first-out; a waiting thread watches the sockets it
//! just queued sends on itself ([`PortSource`]).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::lock;

use super::inline::Payload;
use super::thread::{ThreadWaker, current_thread, forget_parent_waiters};
use super::wait::{Waitable, Waited, deadline_in, wait_polling, wait_until};

/// One completion packet.
pub struct Packet {
    pub bytes: u32,
    pub key: usize,
    /// The caller's OVERLAPPED (C) or 0.
    pub overlapped: usize,
    /// The NTSTATUS of the operation.
    pub status: u32,
    /// What a Rust operation hands back (its buffers), if any.
    pub payload: Option<Payload>,
}

impl std::fmt::Debug for Packet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packet")
            .field("bytes", &self.bytes)
            .field("key", &self.key)
            .field("overlapped", &self.overlapped)
            .field("status", &self.status)
            .finish()
    }
}

/// A completion port: a queue of packets that several threads may wait on
/// (woken last-in first-out, S36).
#[derive(Default)]
pub struct Port {
    state: Mutex<PortState>,
    /// `PortState::deferred` is not empty (read without the lock by every
    /// look for packets).
    has_deferred: AtomicBool,
    /// Threads waiting on the port (`PortState::waiters.len()`, read
    /// without the lock by [`Port::may_defer`]).
    waiting: AtomicUsize,
    /// Receives still to complete at call time before deferring again: a
    /// look that filled one receive at most (a program that posts one and
    /// waits for it) makes the next [`SKIP_AFTER_SINGLE`] go at once.
    defer_skip: AtomicUsize,
}

/// See `Port::defer_skip`: deferring a receive nobody batches with costs
/// a queued operation (about 2,600 instructions more than completing it at
/// call time); after a look that filled one, the next 63 go at once.
const SKIP_AFTER_SINGLE: usize = 63;

#[derive(Default)]
struct PortState {
    packets: VecDeque<Packet>,
    waiters: Vec<Arc<ThreadWaker>>,
    /// `CloseHandle` closed the port: waits end, packets are dropped.
    closed: bool,
    /// Sockets whose receives wait for this port's next look for packets
    /// to fill them ([`Port::defer`]).
    deferred: Vec<Weak<dyn PortSource>>,
}

/// A wait on a port that `close` ended (S36): `ERROR_ABANDONED_WAIT_0`.
fn abandoned() -> Error {
    Error::new(
        abi::ERROR_ABANDONED_WAIT_0 as i32,
        "the completion port was closed while this call waited on it",
    )
}

thread_local! {
    /// The deferring sources' list this thread swaps into a port it fills
    /// ([`Port::fill_deferred`]).
    static SPARE_SOURCES: RefCell<Vec<Weak<dyn PortSource>>> = const { RefCell::new(Vec::new()) };
}

impl Port {
    /// A new, empty port.
    pub fn new() -> Port {
        Port::default()
    }

    /// Queues a packet and wakes the most recent waiter (a closed port
    /// drops it).
    pub fn post(&self, packet: Packet) {
        let mut s = lock(&self.state);
        if s.closed {
            drop(s);
            drop(packet);
            return;
        }
        s.packets.push_back(packet);
        // A waiter posting (completing a socket it watches) takes the
        // packet in the same look: no wake of itself.
        if let Some(w) = s.waiters.last()
            && !w.is_this_thread()
        {
            w.wake();
        }
    }

    /// Queues several packets under one lock and wakes the most recent
    /// waiter once (as that many `post`s in a row would); empties `packets`.
    pub fn post_many(&self, packets: &mut Vec<Packet>) {
        if packets.is_empty() {
            return;
        }
        let mut s = lock(&self.state);
        if s.closed {
            drop(s);
            packets.clear();
            return;
        }
        s.packets.extend(packets.drain(..));
        if let Some(w) = s.waiters.last() {
            w.wake();
        }
    }

    /// Closes the port (`CloseHandle`, S36): every thread waiting on it
    /// returns `ERROR_ABANDONED_WAIT_0`, queued and later packets are
    /// dropped.
    ///
    /// ```
    /// let port = ws2_engine::Port::new();
    /// port.close();
    /// let err = port.get(None, false).unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::ERROR_ABANDONED_WAIT_0 as i32);
    /// ```
    pub fn close(&self) {
        let mut s = lock(&self.state);
        s.closed = true;
        let dropped = std::mem::take(&mut s.packets);
        for w in &s.waiters {
            w.wake();
        }
        drop(s);
        drop(dropped); // Rust payloads' destructors run outside the lock
        // Deferred receives still complete (their OVERLAPPEDs are written;
        // their packets are dropped), as every accepted operation does.
        self.fill_deferred();
    }

    /// Lets `source`'s queued receives wait for this port's next look for
    /// packets, which fills them, several with one system call
    /// ([`PortSource::fill_deferred`]), before it takes packets or sleeps.
    /// Refused (false) while a thread waits on the port (it sleeps until a
    /// packet comes: the receive must complete now) or once it is closed.
    /// Called at most once per deferral of a socket (its receive queue
    /// knows whether it is listed).
    /// How many threads wait on the port now.
    pub fn waiting_threads(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Whether a receive posted now should be deferred ([`Port::defer`]):
    /// nobody waits on the port, and deferring has been paying off. Read
    /// without the lock (the defer itself checks again).
    #[inline]
    pub fn may_defer(&self) -> bool {
        if self.waiting.load(Ordering::Relaxed) != 0 {
            return false;
        }
        let skip = self.defer_skip.load(Ordering::Relaxed);
        if skip != 0 {
            self.defer_skip.store(skip - 1, Ordering::Relaxed);
            return false;
        }
        true
    }

    pub fn defer(&self, source: Weak<dyn PortSource>) -> bool {
        let mut s = lock(&self.state);
        if s.closed || !s.waiters.is_empty() {
            return false;
        }
        s.deferred.push(source);
        self.has_deferred.store(true, Ordering::Release);
        true
    }

    /// Fills what sockets deferred to this port ([`Port::defer`]): their
    /// completions are posted here. Cheap when none did.
    #[inline]
    pub fn fill_deferred(&self) {
        if self.has_deferred.load(Ordering::Acquire) {
            self.fill_deferred_now();
        }
    }

    #[cold]
    fn fill_deferred_now(&self) {
        // The list is swapped with this thread's spare one, not taken: the
        // port keeps a vector with capacity (no allocation per fill).
        let mut sources = SPARE_SOURCES.try_with(RefCell::take).unwrap_or_default();
        {
            let mut s = lock(&self.state);
            self.has_deferred.store(false, Ordering::Release);
            std::mem::swap(&mut sources, &mut s.deferred);
        }
        let filled: usize = sources
            .drain(..)
            .filter_map(|w| w.upgrade())
            .map(|source| source.fill_deferred())
            .sum();
        let _ = SPARE_SOURCES.try_with(|spare| spare.replace(sources));
        if filled <= 1 {
            self.defer_skip.store(SKIP_AFTER_SINGLE, Ordering::Relaxed);
        }
    }

    /// Takes up to `max` packets, waiting for at least one;
    /// `ERROR_ABANDONED_WAIT_0` if the port is closed.
    pub fn get_many(
        &self,
        max: usize,
        deadline: Option<Instant>,
        alertable: bool,
    ) -> Result<Waited<Vec<Packet>>> {
        let mut out = Vec::new();
        Ok(
            match self.take_many(max, deadline, alertable, |p| out.push(p))? {
                Waited::Done(_) => Waited::Done(out),
                Waited::TimedOut => Waited::TimedOut,
                Waited::IoCompletion => Waited::IoCompletion,
            },
        )
    }

    /// Takes up to `max` packets, waiting for at least one, and hands each
    /// to `each` (under the port's lock: it should only store it); how many.
    /// `ERROR_ABANDONED_WAIT_0` if the port is closed. No allocation.
    ///
    /// ```
    /// use ws2_engine::{Packet, Port, Waited};
    /// let port = Port::new();
    /// for key in [1, 2, 3] {
    ///     port.post(Packet { bytes: 0, key, overlapped: 0, status: 0, payload: None });
    /// }
    /// let mut keys = Vec::new();
    /// assert_eq!(port.take_many(2, None, false, |p| keys.push(p.key))?, Waited::Done(2));
    /// assert_eq!(keys, [1, 2]);
    /// # Ok::<(), ws2_engine::Error>(())
    /// ```
    pub fn take_many(
        &self,
        max: usize,
        deadline: Option<Instant>,
        alertable: bool,
        mut each: impl FnMut(Packet),
    ) -> Result<Waited<usize>> {
        let take = || {
            self.fill_deferred();
            let mut s = lock(&self.state);
            if s.closed {
                return Some(None);
            }
            if s.packets.is_empty() {
                return None;
            }
            let n = s.packets.len().min(max.max(1));
            s.packets.drain(..n).for_each(&mut each);
            Some(Some(n))
        };
        self.wait_for(take, || deadline, alertable)
    }

    /// Takes one packet, waiting for it; `ERROR_ABANDONED_WAIT_0` if the
    /// port is closed.
    pub fn get(&self, deadline: Option<Instant>, alertable: bool) -> Result<Waited<Packet>> {
        self.wait_for(|| self.pop(), || deadline, alertable)
    }

    /// The first packet (`Some(None)`: the port is closed).
    fn pop(&self) -> Option<Option<Packet>> {
        self.fill_deferred();
        let mut s = lock(&self.state);
        if s.closed {
            return Some(None);
        }
        s.packets.pop_front().map(Some)
    }

    /// [`Port::get`] waiting at most `timeout` (`None`: no limit), counted
    /// from when it starts to wait: a packet already there costs no look
    /// at the clock (`GetQueuedCompletionStatus`).
    pub fn get_within(&self, timeout: Option<Duration>, alertable: bool) -> Result<Waited<Packet>> {
        self.wait_for(|| self.pop(), || timeout.and_then(deadline_in), alertable)
    }

    /// `take` at once (no waiter registration when a packet is there), else
    /// in a wait until `deadline()`; `take` yields `Some(None)` when the
    /// port is closed.
    fn wait_for<R>(
        &self,
        mut take: impl FnMut() -> Option<Option<R>>,
        deadline: impl FnOnce() -> Option<Instant>,
        alertable: bool,
    ) -> Result<Waited<R>> {
        let got = match take() {
            Some(got) => Waited::Done(got),
            None => self.wait_watching(deadline(), alertable, take)?,
        };
        match got {
            Waited::Done(Some(r)) => Ok(Waited::Done(r)),
            Waited::Done(None) => Err(abandoned()),
            Waited::TimedOut => Ok(Waited::TimedOut),
            Waited::IoCompletion => Ok(Waited::IoCompletion),
        }
    }

    /// Waits for `take` as [`wait_until`] does, watching meanwhile the
    /// sockets this thread queued sends on that complete here (at most
    /// [`WATCHED`]): when one is writable this thread writes its sends and
    /// posts their packets, instead of the reactor's thread, which would
    /// then have to wake this one (a thread switch per completion). The
    /// reactor's watch of each is disarmed while this thread watches and
    /// armed again after, if sends still wait.
    fn wait_watching<R>(
        &self,
        deadline: Option<Instant>,
        alertable: bool,
        mut take: impl FnMut() -> Option<R>,
    ) -> Result<Waited<R>> {
        let noted = PENDED
            .try_with(|p| p.try_borrow().is_ok_and(|p| !p.is_empty()))
            .unwrap_or(false);
        if !noted {
            return wait_until(&[self], deadline, alertable, None, take);
        }
        let mut watched: [Option<Arc<dyn PortSource>>; WATCHED] = Default::default();
        let mut fds = [libc::pollfd {
            fd: -1,
            events: 0,
            revents: 0,
        }; WATCHED + 1];
        let me = current_thread();
        let mut n = 0;
        if me.waker.ensure_fd().is_ok() {
            let _ = PENDED.try_with(|pended| {
                let Ok(mut pended) = pended.try_borrow_mut() else {
                    return;
                };
                for source in pended.drain(..).filter_map(|w| w.upgrade()) {
                    if source.completes_on(self)
                        && let Some((fd, events)) = source.watch(&me.waker)
                    {
                        fds[n + 1].fd = fd;
                        fds[n + 1].events = events;
                        watched[n] = Some(source);
                        n += 1;
                    }
                }
            });
        }
        if n == 0 {
            return wait_until(&[self], deadline, alertable, None, take);
        }
        let result = wait_polling(&[self], deadline, alertable, &mut fds[..=n], |fds| {
            for (slot, pfd) in watched[..n].iter_mut().zip(&mut fds[1..]) {
                let Some(source) = slot else {
                    continue;
                };
                let keep = if pfd.revents != 0 {
                    source.clone().serve(pfd.events, pfd.revents)
                } else {
                    source.still_waiting(pfd.events)
                };
                if keep != pfd.events {
                    source.unwatch(pfd.events & !keep);
                    pfd.events = keep;
                }
                if keep == 0 {
                    *slot = None;
                    pfd.fd = -1;
                }
            }
            take()
        });
        for (source, pfd) in watched.iter().zip(&fds[1..]) {
            if let Some(source) = source {
                source.unwatch(pfd.events);
            }
        }
        result
    }
}

/// How many sockets one port wait watches itself.
const WATCHED: usize = 4;

/// A socket whose queued operations complete on a port, seen from a thread
/// that waits on that port: the thread may watch its fd and complete them
/// itself while it waits (the io layer implements it, for a stream's
/// sends). Directions are `poll` events (`POLLOUT`: its sends).
pub trait PortSource: Send + Sync {
    /// Whether its completions go to `port`.
    fn completes_on(&self, port: &Port) -> bool;
    /// Starts watching for the thread of `waker`: the fd to poll and the
    /// directions watched; `None` when nothing waits or another thread
    /// watches.
    fn watch(&self, waker: &Arc<ThreadWaker>) -> Option<(RawFd, libc::c_short)>;
    /// The fd polled `revents` while `watched`: completes what can
    /// complete; the directions to go on watching (operations still wait,
    /// and this look got on with them).
    fn serve(self: Arc<Self>, watched: libc::c_short, revents: libc::c_short) -> libc::c_short;
    /// Which of the `watched` directions still have operations waiting
    /// (another thread may have completed or cancelled them, or closed the
    /// socket).
    fn still_waiting(&self, watched: libc::c_short) -> libc::c_short;
    /// Stops watching these directions: the reactor watches again what
    /// still waits.
    fn unwatch(&self, directions: libc::c_short);
    /// Fills the receives it deferred to the port ([`Port::defer`]): at
    /// once those whose data is there, the rest left for the reactor.
    /// Returns how many it completed.
    fn fill_deferred(self: Arc<Self>) -> usize;
}

thread_local! {
    /// The sockets this thread last queued sends on, for its next port
    /// wait to watch.
    static PENDED: RefCell<Vec<Weak<dyn PortSource>>> = const { RefCell::new(Vec::new()) };
}

/// Notes that this thread queued an operation on `source`, which completes
/// on a port: its next wait on that port watches it (the IOCP pattern: a
/// worker posts a `WSASend`, then waits on the port).
pub fn note_pended(source: Weak<dyn PortSource>) {
    let _ = PENDED.try_with(|pended| {
        let Ok(mut pended) = pended.try_borrow_mut() else {
            return;
        };
        if pended.iter().any(|w| Weak::ptr_eq(w, &source)) {
            return;
        }
        if pended.len() == WATCHED {
            pended.remove(0);
        }
        pended.push(source);
    });
}

impl Waitable for Port {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        forget_parent_waiters(&mut s.waiters);
        s.waiters.push(waker.clone());
        self.waiting.store(s.waiters.len(), Ordering::Relaxed);
    }
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        if let Some(i) = s.waiters.iter().rposition(|w| Arc::ptr_eq(w, waker)) {
            s.waiters.remove(i);
        }
        self.waiting.store(s.waiters.len(), Ordering::Relaxed);
        // A packet this waiter was woken for but did not take goes to the next.
        if !s.packets.is_empty()
            && let Some(w) = s.waiters.last()
        {
            w.wake();
        }
    }
}
