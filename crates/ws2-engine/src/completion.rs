//! How finished operations reach their caller (S31–S38): manual-reset
//! events, completion routines queued to the issuing thread and run only in
//! its alertable waits, and completion ports. All in user space: the only fd
//! involved is one eventfd per thread that ever waits, so a program with one
//! event per OVERLAPPED never meets the fd limit.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::fork::{self, lock};
use crate::sync::{futex_wait, futex_wake};

// ---------------------------------------------------------------------------
// Threads: a wake fd and a queue of completion routines (APCs) each.

/// How other threads wake a waiting thread: a write to its eventfd, which
/// its `poll` includes, or, when no eventfd could be made (the process is
/// out of fds), a futex wake on `signalled`. Only the owning thread makes
/// the eventfd, at the start of a wait, so each wait uses one of the two.
pub(crate) struct ThreadWaker {
    /// The eventfd (-1 until the thread's first wait makes it, or while
    /// none can be made).
    fd: AtomicI32,
    /// 1 when a wake was delivered and not consumed yet: later wakes skip
    /// the syscall (a burst of completions costs one write). Also the
    /// futex word of waits without an eventfd.
    signalled: AtomicU32,
    /// The fork generation of the thread. In a fork child the parent's
    /// threads do not exist: their wakers never write (their eventfds are
    /// shared with the parent).
    generation: u64,
}

/// Writes one wake to an eventfd. A full counter (EAGAIN) still leaves the
/// fd readable, which is all that is needed.
fn write_wake(fd: RawFd) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a valid u64 to an eventfd.
    unsafe { libc::write(fd, (&raw const one).cast(), 8) };
}

/// Every thread's waker, so that a fork child can close the eventfds it
/// inherited from the parent's threads.
static WAKERS: Mutex<Vec<Weak<ThreadWaker>>> = Mutex::new(Vec::new());

impl ThreadWaker {
    fn new() -> Arc<ThreadWaker> {
        let waker = Arc::new(ThreadWaker {
            fd: AtomicI32::new(-1),
            signalled: AtomicU32::new(0),
            generation: fork::generation(),
        });
        let mut all = lock(&WAKERS);
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(&waker));
        waker
    }

    fn is_current(&self) -> bool {
        self.generation == fork::generation()
    }

    /// Wakes the thread if it is (or is about to be) waiting.
    pub(crate) fn wake(&self) {
        if !self.is_current() {
            return; // a thread of the parent process, gone in this one
        }
        if self.signalled.swap(1, Ordering::SeqCst) == 1 {
            return;
        }
        let fd = self.fd.load(Ordering::Acquire);
        if fd >= 0 {
            write_wake(fd);
            return;
        }
        futex_wake(&self.signalled, 1);
        // The thread may have just made its eventfd and be polling it: the
        // fence pairs with the one in `ensure_fd`, so either this load sees
        // the fd or the thread's re-check sees what this wake announces.
        std::sync::atomic::fence(Ordering::SeqCst);
        let fd = self.fd.load(Ordering::Acquire);
        if fd >= 0 {
            write_wake(fd);
        }
    }

    /// The eventfd, made on first use (owning thread only); the retry
    /// happens at each wait while none can be made.
    fn ensure_fd(&self) -> Result<RawFd> {
        let fd = self.fd.load(Ordering::Relaxed);
        if fd >= 0 {
            return Ok(fd);
        }
        // SAFETY: eventfd has no pointer arguments.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(Error::resource(errno(), "eventfd for the thread's wake fd"));
        }
        self.fd.store(fd, Ordering::Release);
        std::sync::atomic::fence(Ordering::SeqCst);
        // A wake that found no eventfd left `signalled` set and went to the
        // futex word: one wake on the new fd lets the first poll return and
        // drain, so `signalled` and the counter agree again.
        write_wake(fd);
        Ok(fd)
    }

    /// After `poll` saw the eventfd readable.
    fn drain(&self, fd: RawFd) {
        let mut value: u64 = 0;
        // SAFETY: reads 8 bytes into a valid u64 from our non-blocking eventfd.
        unsafe { libc::read(fd, (&raw mut value).cast(), 8) };
        // Clear after the read: a wake skipped between the two made its
        // condition visible before calling `wake`, and the caller re-checks
        // its condition after draining, so nothing is lost; clearing first
        // could leave the flag set with the counter empty.
        self.signalled.store(0, Ordering::SeqCst);
    }

    /// Waits without an eventfd: on the futex word, until a wake or the timeout.
    fn sleep_on_word(&self, timeout_ms: i32) {
        futex_wait(&self.signalled, 0, timeout_ms);
        self.signalled.store(0, Ordering::SeqCst);
    }

    /// Closes the eventfd of a parent's thread in a fork child (it never
    /// wakes or waits here; the parent keeps its own copy).
    fn retire(&self) {
        let fd = self.fd.swap(-1, Ordering::AcqRel);
        if fd >= 0 {
            // SAFETY: our descriptor, swapped out so it is closed once.
            unsafe { libc::close(fd) };
        }
    }
}

impl Drop for ThreadWaker {
    fn drop(&mut self) {
        self.retire();
    }
}

/// In a fork child, closes the eventfds inherited from the parent's
/// threads (once per generation).
fn retire_parent_wakers() {
    static DONE: AtomicU64 = AtomicU64::new(0);
    let generation = fork::generation();
    if generation == 0 || DONE.swap(generation, Ordering::AcqRel) == generation {
        return;
    }
    let parents: Vec<Arc<ThreadWaker>> = lock(&WAKERS)
        .iter()
        .filter_map(Weak::upgrade)
        .filter(|w| !w.is_current())
        .collect();
    for w in &parents {
        w.retire();
    }
}

/// Drops the wakers of a fork parent's threads from a waiter list (they
/// would take a LIFO wake meant for a thread of this process).
pub(crate) fn forget_parent_waiters(waiters: &mut Vec<Arc<ThreadWaker>>) {
    if fork::generation() != 0 {
        waiters.retain(|w| w.is_current());
    }
}

/// A completion routine waiting for its thread's next alertable wait.
pub(crate) type Apc = Box<dyn FnOnce() + Send>;

/// One thread as ws2 sees it.
pub(crate) struct ThreadState {
    pub(crate) id: u64,
    pub(crate) waker: Arc<ThreadWaker>,
    apcs: Mutex<VecDeque<Apc>>,
    has_apcs: AtomicBool,
    alive: AtomicBool,
    /// Sockets this thread has queued operations on (for S37 at exit).
    pub(crate) sockets: Mutex<Vec<std::sync::Weak<crate::socket::SocketCore>>>,
    /// The id of the socket last added to `sockets`.
    pub(crate) last_socket: AtomicU64,
}

impl ThreadState {
    fn new(alive: bool) -> ThreadState {
        ThreadState {
            id: NEXT_THREAD_ID.fetch_add(1, Ordering::Relaxed),
            waker: ThreadWaker::new(),
            apcs: Mutex::new(VecDeque::new()),
            has_apcs: AtomicBool::new(false),
            alive: AtomicBool::new(alive),
            sockets: Mutex::new(Vec::new()),
            last_socket: AtomicU64::new(0),
        }
    }

    /// Queues a routine; false if the thread has exited (it never runs).
    pub(crate) fn queue_apc(&self, apc: Apc) -> bool {
        let mut q = lock(&self.apcs);
        if !self.alive.load(Ordering::Acquire) {
            return false;
        }
        q.push_back(apc);
        self.has_apcs.store(true, Ordering::Release);
        drop(q);
        self.waker.wake();
        true
    }

    fn has_apcs(&self) -> bool {
        self.has_apcs.load(Ordering::Acquire)
    }
}

/// Owns the thread's state; its destructor runs at thread exit and cancels
/// the thread's pending operations (S37).
struct ThreadSlot(Arc<ThreadState>);

impl Drop for ThreadSlot {
    fn drop(&mut self) {
        let state = &self.0;
        if !state.waker.is_current() {
            // The parent's state, copied by fork: its operations belong to
            // the parent, which completes them (S43).
            return;
        }
        state.alive.store(false, Ordering::Release);
        // Drop the routines that can never run outside the lock: their
        // captured values' destructors may call back into ws2.
        let never_run = std::mem::take(&mut *lock(&state.apcs));
        drop(never_run);
        crate::engine::cancel_thread_operations(state);
    }
}

static NEXT_THREAD_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static THREAD: RefCell<Option<ThreadSlot>> = const { RefCell::new(None) };
    /// Set while this thread runs completion routines: no nesting (S34).
    static RUNNING_APCS: Cell<bool> = const { Cell::new(false) };
    /// Set while routines run inside a blocking call's wait (S35).
    static APCS_IN_BLOCKING_CALL: Cell<bool> = const { Cell::new(false) };
}

/// The calling thread's state, created on first use (and again on first
/// use in a fork child, whose copy of it belongs to the parent). It needs
/// no fd: the eventfd is made by the first wait that can have one.
pub(crate) fn current_thread() -> Arc<ThreadState> {
    THREAD
        .try_with(|cell| {
            let mut slot = cell.borrow_mut();
            if let Some(s) = slot.as_ref()
                && s.0.waker.is_current()
            {
                return s.0.clone();
            }
            let state = Arc::new(ThreadState::new(true));
            let parents = slot.replace(ThreadSlot(state.clone()));
            drop(slot);
            retire_parent_wakers();
            drop(parents);
            state
        })
        // A thread-local destructor of an exiting thread: a state of its
        // own for this call; routines queued to it never run (S37).
        .unwrap_or_else(|_| Arc::new(ThreadState::new(false)))
}

/// Runs every routine queued to this thread; returns how many ran.
fn run_apcs(me: &ThreadState, inside_blocking_call: bool) -> usize {
    RUNNING_APCS.with(|r| r.set(true));
    APCS_IN_BLOCKING_CALL.with(|r| r.set(inside_blocking_call));
    let mut ran = 0;
    loop {
        let next = {
            let mut q = lock(&me.apcs);
            let next = q.pop_front();
            if q.is_empty() {
                me.has_apcs.store(false, Ordering::Release);
            }
            next
        };
        let Some(apc) = next else { break };
        // A routine that panics must not take the waiting thread down with
        // it across the C ABI; its completion was already recorded.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(apc));
        ran += 1;
    }
    RUNNING_APCS.with(|r| r.set(false));
    APCS_IN_BLOCKING_CALL.with(|r| r.set(false));
    ran
}

/// `WSAEINPROGRESS` for a blocking call made by a routine that interrupted
/// another blocking call on this thread (S35).
pub(crate) fn check_not_nested_in_blocking_call() -> Result<()> {
    if APCS_IN_BLOCKING_CALL.with(|r| r.get()) {
        return Err(Error::new(
            abi::WSAEINPROGRESS,
            "a blocking call made from a completion routine that interrupted another blocking call",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The one waiting loop.

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waited<R> {
    /// The condition held.
    Done(R),
    /// The timeout passed.
    TimedOut,
    /// Completion routines ran (alertable waits only): `WAIT_IO_COMPLETION`.
    IoCompletion,
}

/// Something a thread can wait on: it keeps a list of wakers to wake.
pub(crate) trait Waitable {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>);
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>);
}

/// Waits until `check` yields, the deadline passes, or (when `alertable`)
/// routines were queued to this thread, which then run. `also_fd` is
/// polled too (a socket waiting to become writable) and re-checks `check`.
/// Routines already running on this thread make every wait non-alertable,
/// so routines never nest (S34).
///
/// A wait with `also_fd` polls it together with the thread's eventfd, so
/// it fails (`WSAEMFILE`/`WSAENOBUFS`) when no eventfd can be made; every
/// other wait then sleeps on the thread's futex word instead, and never
/// fails.
pub(crate) fn wait_until<R>(
    sources: &[&dyn Waitable],
    deadline: Option<Instant>,
    alertable: bool,
    also_fd: Option<(RawFd, libc::c_short)>,
    mut check: impl FnMut() -> Option<R>,
) -> Result<Waited<R>> {
    let me = current_thread();
    let alertable = alertable && !RUNNING_APCS.with(|r| r.get());
    let wake_fd = match me.waker.ensure_fd() {
        Ok(fd) => Some(fd),
        Err(e) if also_fd.is_some() => return Err(e),
        Err(_) => None,
    };
    for s in sources {
        s.add_waiter(&me.waker);
    }
    let result = (|| loop {
        if let Some(r) = check() {
            return Ok(Waited::Done(r));
        }
        if alertable && me.has_apcs() {
            run_apcs(&me, false);
            return Ok(Waited::IoCompletion);
        }
        let timeout_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(Waited::TimedOut);
                }
                // Round up so we never wake just before the deadline.
                left.as_millis().min(i32::MAX as u128 - 1) as i32 + 1
            }
        };
        let Some(wake_fd) = wake_fd else {
            me.waker.sleep_on_word(timeout_ms);
            continue;
        };
        let mut fds = [
            libc::pollfd {
                fd: wake_fd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: also_fd.map_or(-1, |(fd, _)| fd),
                events: also_fd.map_or(0, |(_, ev)| ev),
                revents: 0,
            },
        ];
        let nfds = if also_fd.is_some() { 2 } else { 1 };
        // SAFETY: fds is a valid array of at least nfds pollfd structs.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), nfds, timeout_ms) };
        if n < 0 {
            match errno() {
                libc::EINTR => {}
                e if also_fd.is_some() => return Err(Error::resource(e, "poll")),
                // The kernel could not run poll (ENOMEM): look again soon.
                _ => std::thread::sleep(Duration::from_millis(1)),
            }
            continue;
        }
        if fds[0].revents != 0 {
            me.waker.drain(wake_fd);
        }
    })();
    for s in sources {
        s.remove_waiter(&me.waker);
    }
    result
}

/// A blocking call's wait (S35): alertable, routines run and the call goes
/// on waiting; a routine's own blocking call then fails (WSAEINPROGRESS).
pub(crate) fn blocking_call_wait<R>(
    sources: &[&dyn Waitable],
    deadline: Option<Instant>,
    also_fd: Option<(RawFd, libc::c_short)>,
    mut check: impl FnMut() -> Option<R>,
) -> Result<Option<R>> {
    let me = current_thread();
    loop {
        let nested = RUNNING_APCS.with(|r| r.get());
        match wait_until(sources, deadline, false, also_fd, || {
            if !nested && me.has_apcs() {
                return Some(None);
            }
            check().map(Some)
        })? {
            Waited::Done(Some(r)) => return Ok(Some(r)),
            Waited::Done(None) => {
                run_apcs(&me, true);
            }
            Waited::TimedOut => return Ok(None),
            Waited::IoCompletion => unreachable!("non-alertable wait"),
        }
    }
}

/// `SleepEx`: sleeps; when alertable, returns early with `IoCompletion`
/// after running the routines queued to this thread (S33).
pub fn sleep(deadline: Option<Instant>, alertable: bool) -> Result<Waited<()>> {
    wait_until(&[], deadline, alertable, None, || None::<()>)
}

// ---------------------------------------------------------------------------
// Events

/// A manual-reset event (`WSACreateEvent`): signalled by completions,
/// waited on by any number of threads.
///
/// ```
/// let e = ws2_engine::Event::new();
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

/// The deadline `t` from now; `None` (no deadline) when it is too far away
/// to represent.
pub(crate) fn deadline_in(t: Duration) -> Option<Instant> {
    Instant::now().checked_add(t)
}

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

// ---------------------------------------------------------------------------
// Completion ports

/// One completion packet.
pub struct Packet {
    pub bytes: u32,
    pub key: usize,
    /// The caller's OVERLAPPED (C) or 0.
    pub overlapped: usize,
    /// The NTSTATUS of the operation.
    pub status: u32,
    /// What a Rust operation hands back (its buffer), if any.
    pub payload: Option<Box<dyn Any + Send>>,
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
    posted: AtomicUsize,
}

#[derive(Default)]
struct PortState {
    packets: VecDeque<Packet>,
    waiters: Vec<Arc<ThreadWaker>>,
    /// `CloseHandle` closed the port: waits end, packets are dropped.
    closed: bool,
}

/// A wait on a port that `close` ended (S36): `ERROR_ABANDONED_WAIT_0`.
fn abandoned() -> Error {
    Error::new(
        abi::ERROR_ABANDONED_WAIT_0 as i32,
        "the completion port was closed while this call waited on it",
    )
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
        self.posted.fetch_add(1, Ordering::Relaxed);
        if let Some(w) = s.waiters.last() {
            w.wake();
        }
    }

    /// Queues several packets under one lock and wakes the most recent
    /// waiter once (as that many `post`s in a row would); empties `packets`.
    pub fn post_many(&self, packets: &mut Vec<Packet>) {
        if packets.is_empty() {
            return;
        }
        let n = packets.len();
        let mut s = lock(&self.state);
        if s.closed {
            drop(s);
            packets.clear();
            return;
        }
        s.packets.extend(packets.drain(..));
        self.posted.fetch_add(n, Ordering::Relaxed);
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
    }

    /// Takes up to `max` packets, waiting for at least one;
    /// `ERROR_ABANDONED_WAIT_0` if the port is closed.
    pub fn get_many(
        &self,
        max: usize,
        deadline: Option<Instant>,
        alertable: bool,
    ) -> Result<Waited<Vec<Packet>>> {
        let take = || {
            let mut s = lock(&self.state);
            if s.closed {
                return Some(None);
            }
            if s.packets.is_empty() {
                return None;
            }
            let n = s.packets.len().min(max.max(1));
            Some(Some(s.packets.drain(..n).collect()))
        };
        self.wait_for(take, deadline, alertable)
    }

    /// Takes one packet, waiting for it; `ERROR_ABANDONED_WAIT_0` if the
    /// port is closed.
    pub fn get(&self, deadline: Option<Instant>, alertable: bool) -> Result<Waited<Packet>> {
        let take = || {
            let mut s = lock(&self.state);
            if s.closed {
                return Some(None);
            }
            s.packets.pop_front().map(Some)
        };
        self.wait_for(take, deadline, alertable)
    }

    /// `take` at once (no waiter registration when a packet is there), else
    /// in a wait; `take` yields `Some(None)` when the port is closed.
    fn wait_for<R>(
        &self,
        mut take: impl FnMut() -> Option<Option<R>>,
        deadline: Option<Instant>,
        alertable: bool,
    ) -> Result<Waited<R>> {
        let got = match take() {
            Some(got) => Waited::Done(got),
            None => wait_until(&[self], deadline, alertable, None, take)?,
        };
        match got {
            Waited::Done(Some(r)) => Ok(Waited::Done(r)),
            Waited::Done(None) => Err(abandoned()),
            Waited::TimedOut => Ok(Waited::TimedOut),
            Waited::IoCompletion => Ok(Waited::IoCompletion),
        }
    }
}

impl Waitable for Port {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        forget_parent_waiters(&mut s.waiters);
        s.waiters.push(waker.clone());
    }
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        if let Some(i) = s.waiters.iter().rposition(|w| Arc::ptr_eq(w, waker)) {
            s.waiters.remove(i);
        }
        // A packet this waiter was woken for but did not take goes to the next.
        if !s.packets.is_empty()
            && let Some(w) = s.waiters.last()
        {
            w.wake();
        }
    }
}
