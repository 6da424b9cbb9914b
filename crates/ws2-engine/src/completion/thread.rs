//! Threads: a wake fd and a queue of completion routines (APCs) each, and
//! what happens at a thread's exit (S37).

use std::cell::{Cell, Ref, RefCell};
use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use ws2_abi as abi;

use crate::error::{Error, Result, errno};

use super::apc::Apc;
use crate::fork::{self, lock};
use crate::sync::{futex_wait, futex_wake};

/// How other threads wake a waiting thread: a write to its eventfd, which
/// its `poll` includes, or, when no eventfd could be made (the process is
/// out of fds), a futex wake on `signalled`. Only the owning thread makes
/// the eventfd, at the start of a wait, so each wait uses one of the two.
pub struct ThreadWaker {
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
    unsafe { crate::sys::write(fd, (&raw const one).cast(), 8) };
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

    /// Whether this is the calling thread's waker.
    pub(crate) fn is_this_thread(&self) -> bool {
        MY_WAKER
            .try_with(|w| std::ptr::eq(w.get(), self))
            .unwrap_or(false)
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
    pub(super) fn ensure_fd(&self) -> Result<RawFd> {
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
    pub(super) fn drain(&self, fd: RawFd) {
        let mut value: u64 = 0;
        // SAFETY: reads 8 bytes into a valid u64 from our non-blocking eventfd.
        unsafe { crate::sys::read(fd, (&raw mut value).cast(), 8) };
        // Clear after the read: a wake skipped between the two made its
        // condition visible before calling `wake`, and the caller re-checks
        // its condition after draining, so nothing is lost; clearing first
        // could leave the flag set with the counter empty.
        self.signalled.store(0, Ordering::SeqCst);
    }

    /// Waits without an eventfd: on the futex word, until a wake or the timeout.
    pub(super) fn sleep_on_word(&self, timeout_ms: i32) {
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
pub fn forget_parent_waiters(waiters: &mut Vec<Arc<ThreadWaker>>) {
    if fork::generation() != 0 {
        waiters.retain(|w| w.is_current());
    }
}

/// Adds `waker` to a waiter list, a fork parent's wakers dropped first.
pub fn add_waker(waiters: &mut Vec<Arc<ThreadWaker>>, waker: &Arc<ThreadWaker>) {
    forget_parent_waiters(waiters);
    waiters.push(waker.clone());
}

/// Takes `waker` out of a waiter list (the order is not kept): whether it
/// was there.
pub fn remove_waker(waiters: &mut Vec<Arc<ThreadWaker>>, waker: &Arc<ThreadWaker>) -> bool {
    match waiters.iter().position(|w| Arc::ptr_eq(w, waker)) {
        Some(i) => {
            waiters.swap_remove(i);
            true
        }
        None => false,
    }
}

/// One thread as ws2 sees it.
pub struct ThreadState {
    pub id: u64,
    pub waker: Arc<ThreadWaker>,
    apcs: Mutex<VecDeque<Apc>>,
    has_apcs: AtomicBool,
    alive: AtomicBool,
    /// Sockets this thread has queued operations on (for S37 at exit).
    pub sockets: Mutex<Vec<Weak<dyn IssuedOn>>>,
    /// The id of the socket last added to `sockets`.
    pub last_socket: AtomicU64,
    /// The mutexes this thread owns now: abandoned when it ends.
    owned: Mutex<Vec<Arc<dyn Owned>>>,
}

/// An object a thread owns until it gives it back (a mutex): the thread
/// that ends still owning it abandons it (`WAIT_ABANDONED` for the next).
/// A trait so that this lower file needs no mutex of its own.
pub trait Owned: Send + Sync {
    /// The thread whose [`ThreadState::id`] is `owner` ended owning it.
    fn abandon(&self, owner: u64);
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
            owned: Mutex::new(Vec::new()),
        }
    }

    /// This thread (the caller) has just come to own `object`.
    pub(super) fn now_owns(&self, object: Arc<dyn Owned>) {
        lock(&self.owned).push(object);
    }

    /// This thread (the caller) gave `object` back.
    pub(super) fn no_longer_owns(&self, object: &dyn Owned) {
        let mut owned = lock(&self.owned);
        let object = std::ptr::from_ref(object).cast::<()>();
        if let Some(i) = owned
            .iter()
            .position(|o| std::ptr::eq(Arc::as_ptr(o).cast::<()>(), object))
        {
            owned.swap_remove(i);
        }
    }

    /// Queues a routine; false if the thread has exited (it never runs).
    /// A routine queued by the thread itself (an operation that completed
    /// at call time) goes to its own queue, without a lock or a wake.
    pub fn queue_apc(&self, apc: Apc) -> bool {
        if let Some(apc) = queue_own_apc(self, apc) {
            return self.queue_shared_apc(apc);
        }
        true
    }

    fn queue_shared_apc(&self, apc: Apc) -> bool {
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

    /// Whether routines wait to run (called by the thread itself).
    pub(super) fn has_apcs(&self) -> bool {
        self.has_apcs.load(Ordering::Acquire) || has_own_apcs(self)
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
        // Mutexes first: as on Windows, they are abandoned before the
        // thread's handle is signalled. Taken out of the list before the
        // mutexes' own locks are taken (a release locks them the other way).
        let owned = std::mem::take(&mut *lock(&state.owned));
        for object in owned {
            object.abandon(state.id);
        }
        // Drop the routines that can never run outside the lock: their
        // captured values' destructors may call back into ws2.
        let never_run = std::mem::take(&mut *lock(&state.apcs));
        drop(never_run);
        cancel_thread_operations(state);
    }
}

/// Something a thread issues operations on (a socket, through the queues
/// of a higher layer): told at the thread's exit, to cancel them (S37).
pub trait IssuedOn: Send + Sync {
    /// Cancels the operations `thread` issued here that do not outlive it.
    fn thread_exited(&self, thread: &ThreadState);
}

/// What runs first at every thread's exit: the cancellations of a higher
/// layer that keeps its own operations by thread (address-change requests).
static EXIT_HOOKS: Mutex<Vec<fn(&ThreadState)>> = Mutex::new(Vec::new());

/// Makes `hook` run at the exit of every thread from now on (once, however
/// often it is given).
pub fn on_thread_exit(hook: fn(&ThreadState)) {
    let mut hooks = lock(&EXIT_HOOKS);
    if !hooks.iter().any(|h| std::ptr::fn_addr_eq(*h, hook)) {
        hooks.push(hook);
    }
}

/// At thread exit: cancels the thread's pending operations (S37): the
/// hooks' first, then those queued on each socket it used. Routines can no
/// longer run: only `Internal` says `STATUS_CANCELLED`; events are set.
fn cancel_thread_operations(thread: &ThreadState) {
    let hooks = lock(&EXIT_HOOKS).clone();
    for hook in hooks {
        hook(thread);
    }
    let sockets: Vec<_> = lock(&thread.sockets)
        .drain(..)
        .filter_map(|w| w.upgrade())
        .collect();
    for socket in sockets {
        socket.thread_exited(thread);
    }
}

static NEXT_THREAD_ID: AtomicU64 = AtomicU64::new(1);

/// Routines a thread queued to itself: completions delivered on the
/// issuing thread (at call time), which need neither the shared queue's
/// lock nor a wake. Tagged with the fork generation: a fork child's copy
/// belongs to the parent's thread and never runs (S43).
struct OwnApcs {
    thread: u64,
    generation: u64,
    queue: VecDeque<Apc>,
}

thread_local! {
    static OWN_APCS: RefCell<OwnApcs> = const {
        RefCell::new(OwnApcs { thread: 0, generation: 0, queue: VecDeque::new() })
    };
    static THREAD: RefCell<Option<ThreadSlot>> = const { RefCell::new(None) };
    /// The waker of this thread's state (compared, never dereferenced).
    static MY_WAKER: Cell<*const ThreadWaker> = const { Cell::new(std::ptr::null()) };
    /// Set while this thread runs completion routines: no nesting (S34).
    static RUNNING_APCS: Cell<bool> = const { Cell::new(false) };
    /// Set while routines run inside a blocking call's wait (S35).
    static APCS_IN_BLOCKING_CALL: Cell<bool> = const { Cell::new(false) };
}

/// The calling thread's state, created on first use (and again on first
/// use in a fork child, whose copy of it belongs to the parent). It needs
/// no fd: the eventfd is made by the first wait that can have one.
pub fn current_thread() -> Arc<ThreadState> {
    THREAD
        .try_with(|cell| {
            if let Some(s) = cell.borrow().as_ref()
                && s.0.waker.is_current()
            {
                return s.0.clone();
            }
            // Only a borrow by `this_thread` up this thread's stack
            // refuses this, and it holds a state of this process: none is
            // missing, so this is a fork child's first use, which cannot
            // happen inside a call already running here.
            let Ok(mut slot) = cell.try_borrow_mut() else {
                return Arc::new(ThreadState::new(false));
            };
            let state = Arc::new(ThreadState::new(true));
            let _ = MY_WAKER.try_with(|w| w.set(Arc::as_ptr(&state.waker)));
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

/// The calling thread's state ([`current_thread`]) for one call, lent
/// rather than cloned when it can be: the hot path of a posted operation
/// takes no reference count. Tied to the call's thread (not `Send`).
pub(crate) enum ThisThread {
    /// `THREAD`'s state under a shared borrow: `current_thread` meanwhile
    /// takes shared borrows too; only replacing the state needs more (and
    /// falls back to a fresh one).
    Lent(Ref<'static, ThreadState>),
    /// No state yet, a fork child's first use, or the thread is exiting.
    Own(Arc<ThreadState>),
}

impl std::ops::Deref for ThisThread {
    type Target = ThreadState;
    #[inline]
    fn deref(&self) -> &ThreadState {
        match self {
            ThisThread::Lent(me) => me,
            ThisThread::Own(me) => me,
        }
    }
}

/// See [`ThisThread`].
#[inline]
pub(crate) fn this_thread() -> ThisThread {
    if let Ok(cell) = THREAD.try_with(|cell| cell as *const RefCell<Option<ThreadSlot>>) {
        // SAFETY: this thread's `THREAD`, alive now (`try_with` succeeded)
        // and until this thread's thread-local destructors run, which
        // cannot begin while a call of this crate is running: the
        // `ThisThread` is a local of that call (crate-private, not `Send`).
        let cell: &'static RefCell<Option<ThreadSlot>> = unsafe { &*cell };
        if let Ok(me) = Ref::filter_map(cell.borrow(), |slot| {
            slot.as_ref()
                .filter(|s| s.0.waker.is_current())
                .map(|s| &*s.0)
        }) {
            return ThisThread::Lent(me);
        }
    }
    ThisThread::Own(current_thread())
}

/// Queues `apc` to this thread's own queue when `to` is this thread (its
/// state of this process); gives it back otherwise.
#[inline]
fn queue_own_apc(to: &ThreadState, apc: Apc) -> Option<Apc> {
    let generation = fork::generation();
    let mut apc = Some(apc);
    let _ = OWN_APCS.try_with(|own| {
        let Ok(mut own) = own.try_borrow_mut() else {
            return;
        };
        if own.generation != generation || own.thread == 0 {
            // First use on this thread, or a fork parent's queue (its
            // routines never run here, S43): whose queue is this?
            let Some(mine) = this_thread_id() else {
                return;
            };
            let stale = std::mem::take(&mut own.queue);
            (own.thread, own.generation) = (mine, generation);
            if !stale.is_empty() {
                // Dropped outside the borrow: captures may call into ws2.
                drop(own);
                drop(stale);
                own_apcs_push(to, &mut apc);
                return;
            }
        }
        if own.thread == to.id {
            own.queue.extend(apc.take());
        }
    });
    apc
}

#[cold]
fn own_apcs_push(to: &ThreadState, apc: &mut Option<Apc>) {
    let _ = OWN_APCS.try_with(|own| {
        if let Ok(mut own) = own.try_borrow_mut()
            && own.thread == to.id
        {
            own.queue.extend(apc.take());
        }
    });
}

/// Queues a routine to the calling thread: an operation that completed at
/// call time, whose routine runs in this thread's next alertable wait.
#[inline]
pub fn queue_apc_here(apc: Apc) {
    let generation = fork::generation();
    let mut apc = Some(apc);
    let _ = OWN_APCS.try_with(|own| {
        if let Ok(mut own) = own.try_borrow_mut()
            && own.thread != 0
            && own.generation == generation
        {
            own.queue.extend(apc.take());
        }
    });
    if let Some(apc) = apc {
        current_thread().queue_apc(apc);
    }
}

/// The id of this thread's state in this process, if it has one.
#[cold]
fn this_thread_id() -> Option<u64> {
    THREAD
        .try_with(|cell| {
            let slot = cell.try_borrow().ok()?;
            let state = &slot.as_ref()?.0;
            (state.waker.is_current() && state.alive.load(Ordering::Relaxed)).then_some(state.id)
        })
        .ok()
        .flatten()
}

/// Whether this thread (as `me`) queued routines to itself.
fn has_own_apcs(me: &ThreadState) -> bool {
    OWN_APCS
        .try_with(|own| {
            own.try_borrow().is_ok_and(|own| {
                !own.queue.is_empty() && own.thread == me.id && own.generation == fork::generation()
            })
        })
        .unwrap_or(false)
}

/// The next routine this thread (as `me`) queued to itself.
fn pop_own_apc(me: &ThreadState) -> Option<Apc> {
    OWN_APCS
        .try_with(|own| {
            let mut own = own.try_borrow_mut().ok()?;
            if own.generation != fork::generation() || own.thread != me.id {
                return None;
            }
            own.queue.pop_front()
        })
        .ok()
        .flatten()
}

/// Whether this thread is running completion routines now.
pub(super) fn running_apcs() -> bool {
    RUNNING_APCS.with(|r| r.get())
}

/// Whether this thread is inside a completion routine or an APC that ws2
/// called (in one of its alertable waits).
pub fn in_completion_routine() -> bool {
    RUNNING_APCS.try_with(|r| r.get()).unwrap_or(false)
}

/// Ends this thread's ws2 state now rather than in its own thread-local
/// destructor, whose turn among the destructors is not ours to choose: its
/// pending operations are cancelled (S37) and routines queued to it can no
/// longer run. A later ws2 call on this thread starts a state of its own.
pub(super) fn end_current_thread() {
    let slot = THREAD
        .try_with(|cell| cell.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .ok()
        .flatten();
    drop(slot);
    // Routines the ended state queued to itself never run either; dropped
    // outside the borrow (their captures may call into ws2).
    let stale = OWN_APCS
        .try_with(|own| {
            own.try_borrow_mut().ok().map(|mut own| {
                own.thread = 0;
                std::mem::take(&mut own.queue)
            })
        })
        .ok()
        .flatten();
    drop(stale);
}

/// Runs every routine queued to this thread; returns how many ran.
pub(super) fn run_apcs(me: &ThreadState, inside_blocking_call: bool) -> usize {
    RUNNING_APCS.with(|r| r.set(true));
    APCS_IN_BLOCKING_CALL.with(|r| r.set(inside_blocking_call));
    let mut ran = 0;
    loop {
        let next = pop_own_apc(me).or_else(|| {
            let mut q = lock(&me.apcs);
            let next = q.pop_front();
            if q.is_empty() {
                me.has_apcs.store(false, Ordering::Release);
            }
            next
        });
        let Some(apc) = next else { break };
        // A routine that panics must not take the waiting thread down with
        // it across the C ABI; its completion was already recorded.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| apc.run()));
        ran += 1;
    }
    RUNNING_APCS.with(|r| r.set(false));
    APCS_IN_BLOCKING_CALL.with(|r| r.set(false));
    ran
}

/// `WSAEINPROGRESS` for a blocking call made by a routine that interrupted
/// another blocking call on this thread (S35).
pub fn check_not_nested_in_blocking_call() -> Result<()> {
    if APCS_IN_BLOCKING_CALL.with(|r| r.get()) {
        return Err(Error::new(
            abi::WSAEINPROGRESS,
            "a blocking call made from a completion routine that interrupted another blocking call",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use super::*;
    use crate::completion::{Waited, sleep};

    static RAN: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn count(data: usize) {
        RAN.fetch_add(data, Ordering::SeqCst);
    }

    fn alertable_sleep() -> bool {
        matches!(sleep(Some(Instant::now()), true), Ok(Waited::IoCompletion))
    }

    // S33 S37: a routine queued to the calling thread runs in its next
    // alertable wait; one queued to a state that ended never runs, also
    // from the thread's own queue, and the thread's next state starts
    // empty.
    #[test]
    fn own_queue_runs_in_the_next_alertable_wait_and_dies_with_its_state() {
        std::thread::spawn(|| {
            let me = current_thread();
            me.queue_apc(Apc::User {
                function: count,
                data: 1,
            });
            queue_apc_here(Apc::User {
                function: count,
                data: 10,
            });
            assert!(me.has_apcs());
            assert!(alertable_sleep());
            assert_eq!(RAN.load(Ordering::SeqCst), 11);
            assert!(!alertable_sleep(), "nothing left to run");

            queue_apc_here(Apc::User {
                function: count,
                data: 100,
            });
            drop(me);
            end_current_thread();
            let next = current_thread();
            assert!(!next.has_apcs(), "the ended state's routines are gone");
            assert!(!alertable_sleep());
            assert_eq!(RAN.load(Ordering::SeqCst), 11, "never ran");
            // The new state's own queue works.
            queue_apc_here(Apc::User {
                function: count,
                data: 1000,
            });
            assert!(alertable_sleep());
            assert_eq!(RAN.load(Ordering::SeqCst), 1011);
        })
        .join()
        .unwrap();
    }
}
