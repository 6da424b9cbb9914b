//! How finished operations reach their caller (S31–S38): manual-reset
//! events, completion routines queued to the issuing thread and run only in
//! its alertable waits, and completion ports. All in user space: the only fd
//! involved is one eventfd per thread that ever waits, so a program with one
//! event per OVERLAPPED never meets the fd limit.

use std::any::Any;
use std::cell::{Cell, OnceCell};
use std::collections::VecDeque;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use ws2_abi as abi;

use crate::error::{Error, Result, errno};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------
// Threads: a wake fd and a queue of completion routines (APCs) each.

/// The eventfd other threads write to wake a waiting thread.
pub(crate) struct ThreadWaker {
    fd: OwnedFd,
    /// A wake was written and not drained yet: later wakes skip the
    /// syscall (a burst of completions costs one write).
    signalled: AtomicBool,
}

impl ThreadWaker {
    fn new() -> Result<ThreadWaker> {
        // SAFETY: eventfd has no pointer arguments.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(Error::last_os("eventfd for the thread's wake fd"));
        }
        // SAFETY: fd is a fresh descriptor we own.
        Ok(ThreadWaker {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            signalled: AtomicBool::new(false),
        })
    }

    /// Wakes the thread if it is (or is about to be) in `poll`.
    pub(crate) fn wake(&self) {
        if self.signalled.swap(true, Ordering::SeqCst) {
            return;
        }
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a valid u64 to our eventfd. A full
        // counter (EAGAIN) still leaves the fd readable, which is all we need.
        unsafe { libc::write(self.fd.as_raw_fd(), (&raw const one).cast(), 8) };
    }

    pub(crate) fn drain(&self) {
        let mut value: u64 = 0;
        // SAFETY: reads 8 bytes into a valid u64 from our non-blocking eventfd.
        unsafe { libc::read(self.fd.as_raw_fd(), (&raw mut value).cast(), 8) };
        // Clear after the read: a wake skipped between the two made its
        // condition visible before calling `wake`, and the caller re-checks
        // its condition after draining, so nothing is lost; clearing first
        // could leave the flag set with the counter empty.
        self.signalled.store(false, Ordering::SeqCst);
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
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
    static THREAD: OnceCell<ThreadSlot> = const { OnceCell::new() };
    /// Set while this thread runs completion routines: no nesting (S34).
    static RUNNING_APCS: Cell<bool> = const { Cell::new(false) };
    /// Set while routines run inside a blocking call's wait (S35).
    static APCS_IN_BLOCKING_CALL: Cell<bool> = const { Cell::new(false) };
}

/// The calling thread's state, created on first use.
pub(crate) fn current_thread() -> Result<Arc<ThreadState>> {
    THREAD.with(|cell| {
        if let Some(slot) = cell.get() {
            return Ok(slot.0.clone());
        }
        let state = Arc::new(ThreadState {
            id: NEXT_THREAD_ID.fetch_add(1, Ordering::Relaxed),
            waker: Arc::new(ThreadWaker::new()?),
            apcs: Mutex::new(VecDeque::new()),
            has_apcs: AtomicBool::new(false),
            alive: AtomicBool::new(true),
            sockets: Mutex::new(Vec::new()),
            last_socket: AtomicU64::new(0),
        });
        let _ = cell.set(ThreadSlot(state.clone()));
        Ok(state)
    })
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
pub(crate) fn wait_until<R>(
    sources: &[&dyn Waitable],
    deadline: Option<Instant>,
    alertable: bool,
    also_fd: Option<(RawFd, libc::c_short)>,
    mut check: impl FnMut() -> Option<R>,
) -> Result<Waited<R>> {
    let me = current_thread()?;
    let alertable = alertable && !RUNNING_APCS.with(|r| r.get());
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
        let mut fds = [
            libc::pollfd {
                fd: me.waker.raw_fd(),
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
        if n < 0 && errno() != libc::EINTR {
            return Err(Error::last_os("poll"));
        }
        if fds[0].revents != 0 {
            me.waker.drain();
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
    let me = current_thread()?;
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

    /// Waits (not alertably) until the event is set; false on timeout.
    pub fn wait(&self, timeout: Option<std::time::Duration>) -> bool {
        if self.is_set() {
            return true;
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        matches!(
            wait_until(&[self], deadline, false, None, || self
                .is_set()
                .then_some(())),
            Ok(Waited::Done(()))
        )
    }
}

impl Waitable for Event {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        lock(&self.state).waiters.push(waker.clone());
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
}

impl Port {
    /// A new, empty port.
    pub fn new() -> Port {
        Port::default()
    }

    /// Queues a packet and wakes the most recent waiter.
    pub fn post(&self, packet: Packet) {
        let mut s = lock(&self.state);
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
        s.packets.extend(packets.drain(..));
        self.posted.fetch_add(n, Ordering::Relaxed);
        if let Some(w) = s.waiters.last() {
            w.wake();
        }
    }

    /// Takes up to `max` packets, waiting for at least one.
    pub fn get_many(
        &self,
        max: usize,
        deadline: Option<Instant>,
        alertable: bool,
    ) -> Result<Waited<Vec<Packet>>> {
        wait_until(&[self], deadline, alertable, None, || {
            let mut s = lock(&self.state);
            if s.packets.is_empty() {
                return None;
            }
            let n = s.packets.len().min(max.max(1));
            Some(s.packets.drain(..n).collect())
        })
    }

    /// Takes one packet, waiting for it.
    pub fn get(&self, deadline: Option<Instant>, alertable: bool) -> Result<Waited<Packet>> {
        wait_until(&[self], deadline, alertable, None, || {
            lock(&self.state).packets.pop_front()
        })
    }
}

impl Waitable for Port {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        lock(&self.state).waiters.push(waker.clone());
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
