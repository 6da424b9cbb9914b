//! `fork` (S43): what ws2 does so that a child process keeps working.
//!
//! ws2 keeps per-process state: the reactor thread and its epoll instance,
//! each thread's wake eventfd, the per-socket queues of pending operations,
//! the address-change sources (`addr_changes`: reader threads, requests).
//! After `fork` the child has one thread and a copy of all of it: the
//! reactor thread is gone, the epoll fd and the forking thread's eventfd
//! are the *same* kernel objects as the parent's, and the queues hold the
//! parent's operations. Two mechanisms make that copy safe to use:
//!
//! - **The fork generation**, a counter the child handler increments. State
//!   stamped with an older generation belongs to the parent and is
//!   restarted on first use in the child: a new reactor (new epoll, new
//!   thread), a new thread state (new eventfd), emptied socket queues. The
//!   parent's pending operations are dropped there without completing; the
//!   parent completes them.
//! - **The gate**, so that no ws2 lock is held, and no structure half
//!   updated, in the copy the child gets. Every ws2 lock is taken through
//!   [`lock`], inside a gate *section*; `pthread_atfork`'s prepare handler
//!   closes the gate, waits until no other thread is inside a section, and
//!   the parent and child handlers open it again. The handle table's two
//!   global locks are taken directly, first: the table hands `prepare` the
//!   function that takes them ([`take_first_at_fork`]).
//!
//! A section costs its thread two stores to a line of its own and a load
//! of a flag that only changes around `fork`: the fence that makes the
//! entering thread and the forking thread agree is paid by the forking
//! thread, with `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)` (where the
//! kernel refuses it, every entry pays a full fence instead).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once, OnceLock};

/// The fork generation of this process: 0 in a process that never was a
/// fork child, incremented in each child.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// This process's fork generation (see the module comment).
#[inline]
pub fn generation() -> u64 {
    // Written only by the child handler, before the child has other threads.
    GENERATION.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------
// The gate

/// One thread's depth in gate sections; written only by its own thread.
struct Slot {
    depth: AtomicU32,
}

/// Every thread that ever entered a section (dead ones are pruned when a
/// new thread registers).
static SLOTS: Mutex<Vec<Arc<Slot>>> = Mutex::new(Vec::new());
/// Sections of threads whose slot is already destroyed (a thread-local
/// destructor that uses ws2 after this module's own one ran).
static ORPHANS: AtomicUsize = AtomicUsize::new(0);
/// 1 while a fork is being prepared: threads wait before entering a section.
static CLOSED: AtomicU32 = AtomicU32::new(0);
/// The kernel accepted `MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED`.
static MEMBARRIER: AtomicBool = AtomicBool::new(false);

const MEMBARRIER_CMD_PRIVATE_EXPEDITED: libc::c_int = 1 << 3;
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_int = 1 << 4;

/// Owns a thread's slot; its destructor (thread exit) makes later sections
/// of the thread orphans.
struct SlotOwner(Arc<Slot>);

impl Drop for SlotOwner {
    fn drop(&mut self) {
        SLOT.set(std::ptr::null());
    }
}

thread_local! {
    /// This thread's slot, without the lazy-initialisation check on each
    /// section (null until the first one, and again after thread exit).
    static SLOT: Cell<*const Slot> = const { Cell::new(std::ptr::null()) };
    static OWNER: SlotOwner = register();
}

fn register() -> SlotOwner {
    install();
    let slot = Arc::new(Slot {
        depth: AtomicU32::new(0),
    });
    let mut slots = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
    // A slot only the registry still holds belongs to a thread that exited.
    slots.retain(|s| Arc::strong_count(s) > 1);
    slots.push(slot.clone());
    SlotOwner(slot)
}

/// This thread's slot (registering the thread on its first section); null
/// once the thread's thread-local storage is being destroyed.
#[inline(always)]
fn my_slot() -> *const Slot {
    let slot = SLOT.get();
    if slot.is_null() {
        return register_slot();
    }
    slot
}

#[cold]
#[inline(never)]
fn register_slot() -> *const Slot {
    OWNER
        .try_with(|o| {
            let p = Arc::as_ptr(&o.0);
            SLOT.set(p);
            p
        })
        .unwrap_or(std::ptr::null())
}

/// Registers the fork handlers (once per process).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: membarrier takes no pointers; a refusal leaves MEMBARRIER false.
        let r = unsafe {
            libc::syscall(
                libc::SYS_membarrier,
                MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
                0,
                0,
            )
        };
        MEMBARRIER.store(r == 0, Ordering::Relaxed);
        // SAFETY: the handlers are `extern "C"` functions that live for the
        // whole process. pthread_atfork fails only with ENOMEM; then a fork
        // is unprotected, as it was before ws2 existed.
        unsafe { libc::pthread_atfork(Some(prepare), Some(parent), Some(child)) };
    });
}

/// A gate section: while one is open on any thread, `fork` waits.
pub struct Section {
    /// This thread's slot; null for an orphan section.
    slot: *const Slot,
}

/// Opens a section (nested sections just count).
#[inline(always)]
pub fn enter() -> Section {
    let slot = my_slot();
    if slot.is_null() {
        enter_orphan();
        return Section { slot };
    }
    // SAFETY: the thread's SlotOwner keeps the slot alive until its
    // destructor, which nulls SLOT; no open section outlives it.
    let s = unsafe { &*slot };
    let depth = s.depth.load(Ordering::Relaxed);
    s.depth.store(depth + 1, Ordering::Relaxed);
    if depth == 0 {
        // Store, then load: the forking thread stores CLOSED, then reads
        // every depth. One of the two sees the other's store; the fence on
        // this side is a compiler fence when the forking thread's
        // membarrier runs a full fence on every thread of the process.
        if MEMBARRIER.load(Ordering::Relaxed) {
            std::sync::atomic::compiler_fence(Ordering::SeqCst);
        } else {
            std::sync::atomic::fence(Ordering::SeqCst);
        }
        if CLOSED.load(Ordering::Relaxed) != 0 {
            wait_at_gate(s);
        }
    }
    Section { slot }
}

/// A fork is being prepared: step back out, wait, and enter again.
#[cold]
#[inline(never)]
fn wait_at_gate(s: &Slot) {
    loop {
        s.depth.store(0, Ordering::Release);
        wait_open();
        s.depth.store(1, Ordering::Relaxed);
        std::sync::atomic::fence(Ordering::SeqCst);
        if CLOSED.load(Ordering::Relaxed) == 0 {
            return;
        }
    }
}

#[cold]
#[inline(never)]
fn enter_orphan() {
    loop {
        ORPHANS.fetch_add(1, Ordering::SeqCst);
        if CLOSED.load(Ordering::SeqCst) == 0 {
            return;
        }
        ORPHANS.fetch_sub(1, Ordering::SeqCst);
        wait_open();
    }
}

#[cold]
#[inline(never)]
fn leave_orphan() {
    ORPHANS.fetch_sub(1, Ordering::SeqCst);
}

impl Drop for Section {
    #[inline(always)]
    fn drop(&mut self) {
        if self.slot.is_null() {
            leave_orphan();
            return;
        }
        // SAFETY: as in `enter`.
        let s = unsafe { &*self.slot };
        let depth = s.depth.load(Ordering::Relaxed);
        // Release: what the section wrote (a lock's release included) is
        // visible to the forking thread that reads 0 here.
        s.depth.store(depth - 1, Ordering::Release);
    }
}

/// Waits while a fork is being prepared.
#[cold]
fn wait_open() {
    while CLOSED.load(Ordering::Acquire) != 0 {
        crate::sync::futex_wait(&CLOSED, 1, -1);
    }
}

/// A locked ws2 mutex, inside a gate section (unlocked before the section
/// closes).
pub struct Locked<'a, T> {
    guard: MutexGuard<'a, T>,
    _section: Section,
}

/// Locks one of ws2's mutexes (a poisoned one is still used: every holder
/// leaves its data consistent before anything that can panic).
#[inline(always)]
pub fn lock<T>(m: &Mutex<T>) -> Locked<'_, T> {
    let section = enter();
    Locked {
        guard: m.lock().unwrap_or_else(|e| e.into_inner()),
        _section: section,
    }
}

impl<T> Deref for Locked<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for Locked<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

// ---------------------------------------------------------------------------
// The handlers

/// Takes the locks of a higher layer that are held across `fork` without
/// a gate section (the handle table's); set once, by that layer.
static TAKE_FIRST: OnceLock<fn() -> Box<dyn Any>> = OnceLock::new();

/// Makes `prepare` call `take` before it closes the gate, and hold what it
/// returns (the guards of locks the child must not inherit taken) until
/// the parent and child handlers. The first function given is kept.
pub fn take_first_at_fork(take: fn() -> Box<dyn Any>) {
    let _ = TAKE_FIRST.set(take);
}

/// What the forking thread holds from `prepare` to `parent`/`child`.
struct Held {
    _handles: Option<Box<dyn Any>>,
    _slots: MutexGuard<'static, Vec<Arc<Slot>>>,
}

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

extern "C" fn prepare() {
    // The handle table's locks first: a holder of them may still need to
    // enter a section (WSACleanup closes sockets) before it lets go.
    let handles = TAKE_FIRST.get().map(|take| take());
    let me = Some(my_slot());
    let slots = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
    CLOSED.store(1, Ordering::SeqCst);
    if MEMBARRIER.load(Ordering::Relaxed) {
        // SAFETY: membarrier takes no pointers. Every other thread of the
        // process runs a full fence before it returns: a thread that read
        // CLOSED as 0 has its depth visible below.
        unsafe { libc::syscall(libc::SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) };
    }
    for slot in slots.iter() {
        if me == Some(Arc::as_ptr(slot)) {
            continue; // the forking thread itself holds no ws2 lock here
        }
        while slot.depth.load(Ordering::Acquire) != 0 {
            std::thread::yield_now();
        }
    }
    while ORPHANS.load(Ordering::SeqCst) != 0 {
        std::thread::yield_now();
    }
    let held = Held {
        _handles: handles,
        _slots: slots,
    };
    let _ = HELD.try_with(|h| *h.borrow_mut() = Some(held));
}

fn reopen() {
    let held = HELD.try_with(|h| h.borrow_mut().take()).ok().flatten();
    drop(held);
    CLOSED.store(0, Ordering::SeqCst);
    crate::sync::futex_wake(&CLOSED, i32::MAX);
}

extern "C" fn parent() {
    reopen();
}

extern "C" fn child() {
    // Only this thread exists now: the next use of each piece of ws2 state
    // sees the new generation and restarts it.
    GENERATION.fetch_add(1, Ordering::Relaxed);
    reopen();
}
