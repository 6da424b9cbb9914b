//! The synchronisation objects that live in the program's own memory
//! (synchapi.h): critical sections, slim reader/writer locks, condition
//! variables and one-time initialisation. Each is a word (or, for a
//! critical section, Windows' 40-byte structure) that the program
//! allocates, often statically; the state lives in it, and a thread that
//! must wait sleeps on a futex in it (`ws2_engine::sync`). Nothing is
//! allocated, no global lock is taken, and an uncontended acquire or
//! release is one atomic instruction.
//!
//! Windows' answers, from Microsoft's pages and the Windows-run tests of
//! Wine (ntdll rtl.c `test_RtlInitializeCriticalSectionEx`,
//! `test_RtlLeaveCriticalSection`; kernel32 sync.c `test_srwlock_base`,
//! `test_condvars_base`, `test_condvars_consumer_producer`,
//! `test_initonce`):
//! - A critical section is recursive per thread. `OwningThread` holds the
//!   owner's thread id, `RecursionCount` its depth, `LockCount` -1 when
//!   free and -2 when held (-6 with waiters: bit 0 clear means locked, the
//!   bits above bit 1 the ones' complement of a waiter count, as
//!   Microsoft's debugger documentation reads it), `DebugInfo` is
//!   `(PVOID)-1` (no debug information kept, as from Windows 8 on) and
//!   `LockSemaphore` NULL. A contended `EnterCriticalSection` spins
//!   `SpinCount` times (only with more than one CPU; else the count is 0),
//!   then sleeps until a `LeaveCriticalSection` hands the lock on: woken
//!   waiters compete for it, as on Windows since Vista. Leaving a free
//!   section makes `RecursionCount` negative and leaves `LockCount` alone,
//!   and the next enter sets it to 1 (rtl.c); leaving a section another
//!   thread holds is ignored.
//! - An SRW lock is not recursive and has no owner: any thread may release
//!   it. A queued writer is preferred: new shared acquires wait (and
//!   `TryAcquireSRWLockShared` fails) while one waits, and the last reader
//!   out wakes a writer before the other readers. Releasing a lock not held
//!   in that mode (an exception on Windows) is ignored.
//! - `SleepConditionVariableCS`/`SRW` release the lock, sleep until a wake
//!   or the time-out, and take the lock back. A wake that comes before the
//!   sleep is not remembered. Time-out: FALSE and `ERROR_TIMEOUT`; woken:
//!   TRUE, however long taking the lock back then takes. Sleeping on a
//!   critical section the caller does not own, or on an SRW lock not held
//!   in the mode the flags name, fails with `ERROR_NOT_OWNER` and sleeps
//!   not at all.
//! - An `INIT_ONCE` is 0 before, 1 while a synchronous initialisation runs
//!   (others wait for it), 3 while asynchronous ones run, and the context
//!   with 2 in its low bits after.
//!
//! A NULL object pointer (a crash on Windows) is ignored by the functions
//! that return nothing and is `ERROR_INVALID_PARAMETER` for the others.

use std::cell::Cell;
use std::ffi::c_void;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ws2_abi::*;
use ws2_engine::fork;
use ws2_engine::sync::{futex_wait, futex_wake};

use super::{FALSE, TRUE, set_last_error, win32};

/// `INFINITE`.
const INFINITE: DWORD = u32::MAX;

/// The calling thread's id (`GetCurrentThreadId`), cached per thread; a
/// fork child looks it up again (its thread is a new one).
fn current_thread_id() -> u32 {
    thread_local! {
        /// (fork generation, thread id); no destructor, so usable in any
        /// thread-local destructor too.
        static ID: Cell<(u64, u32)> = const { Cell::new((u64::MAX, 0)) };
    }
    ID.with(|id| {
        let (generation, tid) = id.get();
        if generation == fork::generation() {
            return tid;
        }
        fork::install(); // so that a fork child's generation differs
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::gettid() } as u32;
        id.set((fork::generation(), tid));
        tid
    })
}

/// More than one CPU online: spinning can pay off (Microsoft: on a single
/// processor the spin count is ignored and set to 0).
fn multiprocessor() -> bool {
    static MULTI: OnceLock<bool> = OnceLock::new();
    // SAFETY: sysconf takes no pointers.
    *MULTI.get_or_init(|| unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) } > 1)
}

/// Sleeps on `word` while it holds `seen`, until a wake or `deadline`
/// (None: no limit). False only when the deadline passed with the word
/// unchanged. A return for any other reason counts as woken (a spurious
/// wakeup, which Windows' condition variables have too): a sleeper that
/// went back to sleep instead could leave asleep the one the wake meant.
fn sleep_on(word: &AtomicU32, seen: u32, deadline: Option<Instant>) -> bool {
    let timeout_ms = match deadline {
        None => -1,
        Some(d) => {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return word.load(Ordering::Acquire) != seen;
            }
            // Rounded up: the futex never returns before the deadline.
            left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
        }
    };
    futex_wait(word, seen, timeout_ms);
    word.load(Ordering::Acquire) != seen || deadline.is_none_or(|d| Instant::now() < d)
}

fn deadline_of(ms: DWORD) -> Option<Instant> {
    (ms != INFINITE).then(|| Instant::now() + Duration::from_millis(ms.into()))
}

// ---------------------------------------------------------------------------
// Critical sections

/// `LockCount` values (see the module comment).
const CS_FREE: u32 = -1i32 as u32;
const CS_HELD: u32 = -2i32 as u32;
const CS_CONTENDED: u32 = -6i32 as u32;
/// The bit of `InitializeCriticalSectionAndSpinCount`'s count that asked
/// old Windows to preallocate the event; ignored since Vista.
const CS_PREALLOCATE_EVENT: DWORD = 0x8000_0000;
/// `RTL_CRITICAL_SECTION_ALL_FLAG_BITS`: `InitializeCriticalSectionEx`'s
/// flags live there, and its spin count may not use them.
const CS_FLAG_BITS: DWORD = 0xFF00_0000;

/// The fields of a program's `CRITICAL_SECTION`, seen atomically.
struct CriticalSection<'a> {
    lock: &'a AtomicU32,
    recursion: &'a AtomicI32,
    owner: &'a AtomicUsize,
    spin: &'a AtomicUsize,
}

/// # Safety
/// `cs` is NULL or points to a live, aligned `CRITICAL_SECTION` that is
/// only accessed through these functions while they run.
unsafe fn critical_section<'a>(cs: *mut RTL_CRITICAL_SECTION) -> Option<CriticalSection<'a>> {
    if cs.is_null() {
        return None;
    }
    // SAFETY: per the contract, each field is live and aligned for its
    // size (the structure is 8-aligned, LockCount/RecursionCount at 8 and
    // 12, OwningThread/SpinCount at 16 and 32) and accessed atomically only.
    unsafe {
        Some(CriticalSection {
            lock: AtomicU32::from_ptr((&raw mut (*cs).LockCount).cast()),
            recursion: AtomicI32::from_ptr(&raw mut (*cs).RecursionCount),
            owner: AtomicUsize::from_ptr((&raw mut (*cs).OwningThread).cast()),
            spin: AtomicUsize::from_ptr(&raw mut (*cs).SpinCount),
        })
    }
}

impl CriticalSection<'_> {
    fn owned_by_caller(&self) -> bool {
        // Only this thread ever stores its own id here, so a relaxed load
        // that sees it is this thread's own store.
        self.owner.load(Ordering::Relaxed) == current_thread_id() as usize
    }

    fn enter(&self) {
        let me = current_thread_id() as usize;
        if self.owner.load(Ordering::Relaxed) == me {
            self.recursion.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if self
            .lock
            .compare_exchange(CS_FREE, CS_HELD, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.enter_contended();
        }
        self.owner.store(me, Ordering::Relaxed);
        self.recursion.store(1, Ordering::Relaxed);
    }

    /// Spins, then sleeps until the lock is ours. A sleeper marks the lock
    /// contended, so the leaving owner knows to wake one.
    fn enter_contended(&self) {
        for _ in 0..self.spin.load(Ordering::Relaxed) {
            if self.lock.load(Ordering::Relaxed) == CS_FREE
                && self
                    .lock
                    .compare_exchange(CS_FREE, CS_HELD, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
            std::hint::spin_loop();
        }
        while self.lock.swap(CS_CONTENDED, Ordering::Acquire) != CS_FREE {
            futex_wait(self.lock, CS_CONTENDED, -1);
        }
    }

    fn try_enter(&self) -> bool {
        let me = current_thread_id() as usize;
        if self.owner.load(Ordering::Relaxed) == me {
            self.recursion.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        if self
            .lock
            .compare_exchange(CS_FREE, CS_HELD, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        self.owner.store(me, Ordering::Relaxed);
        self.recursion.store(1, Ordering::Relaxed);
        true
    }

    fn leave(&self) {
        if !self.owned_by_caller() {
            // Windows (rtl.c): a free section's count goes negative, its
            // lock is untouched; another thread's section is left alone.
            if self.owner.load(Ordering::Relaxed) == 0
                && self.lock.load(Ordering::Relaxed) == CS_FREE
            {
                self.recursion.fetch_sub(1, Ordering::Relaxed);
            }
            return;
        }
        let depth = self.recursion.load(Ordering::Relaxed) - 1;
        if depth > 0 {
            self.recursion.store(depth, Ordering::Relaxed);
            return;
        }
        self.recursion.store(0, Ordering::Relaxed);
        self.owner.store(0, Ordering::Relaxed);
        if self.lock.swap(CS_FREE, Ordering::Release) == CS_CONTENDED {
            futex_wake(self.lock, 1);
        }
    }
}

/// The spin count a critical section keeps for `requested`.
fn spin_count_of(requested: DWORD) -> usize {
    if multiprocessor() {
        (requested & !CS_PREALLOCATE_EVENT) as usize
    } else {
        0
    }
}

/// Sets every field of a new critical section (what `Initialize*` does).
///
/// # Safety
/// `cs` is non-NULL and points to writable memory of the structure's size.
unsafe fn initialize(cs: *mut RTL_CRITICAL_SECTION, spin: usize) {
    // SAFETY: per the contract; the section is not in use yet.
    unsafe {
        cs.write(RTL_CRITICAL_SECTION {
            DebugInfo: usize::MAX as *mut c_void,
            LockCount: -1,
            RecursionCount: 0,
            OwningThread: std::ptr::null_mut(),
            LockSemaphore: std::ptr::null_mut(),
            SpinCount: spin,
        })
    };
}

/// # Safety
/// `cs` is NULL or points to writable memory of `CRITICAL_SECTION`'s size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitializeCriticalSection(cs: *mut RTL_CRITICAL_SECTION) {
    if !cs.is_null() {
        // SAFETY: non-NULL, writable per the contract.
        unsafe { initialize(cs, 0) };
    }
}

/// Always TRUE for a section (Microsoft: it cannot fail since Vista).
///
/// # Safety
/// As `InitializeCriticalSection`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitializeCriticalSectionAndSpinCount(
    cs: *mut RTL_CRITICAL_SECTION,
    spin: DWORD,
) -> BOOL {
    win32(FALSE, || {
        if cs.is_null() {
            return Err(ERROR_INVALID_PARAMETER);
        }
        // SAFETY: non-NULL, writable per the contract.
        unsafe { initialize(cs, spin_count_of(spin)) };
        Ok(TRUE)
    })
}

/// `InitializeCriticalSectionEx`: `Flags` may only use the high byte
/// (`CRITICAL_SECTION_NO_DEBUG_INFO` and the other `RTL_CRITICAL_SECTION_
/// FLAG_*`, which change nothing here: no debug information is kept), and
/// the spin count may not.
///
/// # Safety
/// As `InitializeCriticalSection`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitializeCriticalSectionEx(
    cs: *mut RTL_CRITICAL_SECTION,
    spin: DWORD,
    flags: DWORD,
) -> BOOL {
    win32(FALSE, || {
        if cs.is_null() || flags & !CS_FLAG_BITS != 0 || spin & CS_FLAG_BITS != 0 {
            return Err(ERROR_INVALID_PARAMETER);
        }
        // SAFETY: non-NULL, writable per the contract.
        unsafe { initialize(cs, spin_count_of(spin)) };
        Ok(TRUE)
    })
}

/// The previous spin count.
///
/// # Safety
/// `cs` is NULL or an initialised critical section.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SetCriticalSectionSpinCount(
    cs: *mut RTL_CRITICAL_SECTION,
    spin: DWORD,
) -> DWORD {
    // SAFETY: per the contract.
    match unsafe { critical_section(cs) } {
        Some(cs) => cs.spin.swap(spin_count_of(spin), Ordering::Relaxed) as DWORD,
        None => 0,
    }
}

/// # Safety
/// `cs` is NULL or an initialised critical section.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn EnterCriticalSection(cs: *mut RTL_CRITICAL_SECTION) {
    // SAFETY: per the contract.
    if let Some(cs) = unsafe { critical_section(cs) } {
        cs.enter();
    }
}

/// TRUE when the caller now owns the section (or already did: one more
/// level); FALSE, last error untouched, when another thread holds it.
///
/// # Safety
/// `cs` is NULL or an initialised critical section.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TryEnterCriticalSection(cs: *mut RTL_CRITICAL_SECTION) -> BOOL {
    // SAFETY: per the contract.
    match unsafe { critical_section(cs) } {
        Some(cs) => cs.try_enter() as BOOL,
        None => {
            set_last_error(ERROR_INVALID_PARAMETER);
            FALSE
        }
    }
}

/// # Safety
/// `cs` is NULL or an initialised critical section.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LeaveCriticalSection(cs: *mut RTL_CRITICAL_SECTION) {
    // SAFETY: per the contract.
    if let Some(cs) = unsafe { critical_section(cs) } {
        cs.leave();
    }
}

/// Nothing to free (the section owns no kernel object); the fields are
/// reset so that a use after delete finds a free section without debug
/// information.
///
/// # Safety
/// `cs` is NULL or an initialised critical section no thread uses.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn DeleteCriticalSection(cs: *mut RTL_CRITICAL_SECTION) {
    if !cs.is_null() {
        // SAFETY: non-NULL and unused per the contract.
        unsafe {
            initialize(cs, 0);
            (*cs).DebugInfo = std::ptr::null_mut();
        }
    }
}

// ---------------------------------------------------------------------------
// Slim reader/writer locks
//
// The SRWLOCK's word is two 32-bit halves: the state (below) and a counter
// a waiting writer sleeps on, bumped when one is woken.

/// The state's low 30 bits: the number of readers, or `WRITE_LOCKED`.
const SRW_MASK: u32 = (1 << 30) - 1;
const SRW_WRITE_LOCKED: u32 = SRW_MASK;
const SRW_MAX_READERS: u32 = SRW_MASK - 1;
const SRW_READERS_WAITING: u32 = 1 << 30;
const SRW_WRITERS_WAITING: u32 = 1 << 31;

struct SrwLock<'a> {
    state: &'a AtomicU32,
    writer_wakes: &'a AtomicU32,
}

/// The two halves of a pointer-sized word (`SRWLOCK`, `CONDITION_VARIABLE`).
///
/// # Safety
/// `word` is NULL or points to a live, 8-aligned `SRWLOCK`-sized word
/// accessed only through these functions while they run.
unsafe fn halves<'a>(word: *mut SRWLOCK) -> Option<(&'a AtomicU32, &'a AtomicU32)> {
    if word.is_null() {
        return None;
    }
    let p = word.cast::<u32>();
    // SAFETY: per the contract; both halves lie in the word and are
    // 4-aligned.
    unsafe { Some((AtomicU32::from_ptr(p), AtomicU32::from_ptr(p.add(1)))) }
}

/// # Safety
/// As `halves`.
unsafe fn srw_lock<'a>(lock: *mut SRWLOCK) -> Option<SrwLock<'a>> {
    // SAFETY: forwarded contract.
    unsafe { halves(lock) }.map(|(state, writer_wakes)| SrwLock {
        state,
        writer_wakes,
    })
}

fn read_lockable(state: u32) -> bool {
    state & SRW_MASK < SRW_MAX_READERS && state & (SRW_READERS_WAITING | SRW_WRITERS_WAITING) == 0
}

impl SrwLock<'_> {
    fn try_acquire_shared(&self) -> bool {
        let mut s = self.state.load(Ordering::Relaxed);
        while read_lockable(s) {
            match self
                .state
                .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(now) => s = now,
            }
        }
        false
    }

    fn acquire_shared(&self) {
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            if read_lockable(s) {
                match self.state.compare_exchange_weak(
                    s,
                    s + 1,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return,
                    Err(now) => {
                        s = now;
                        continue;
                    }
                }
            }
            if s & SRW_READERS_WAITING == 0
                && let Err(now) = self.state.compare_exchange(
                    s,
                    s | SRW_READERS_WAITING,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
            {
                s = now;
                continue;
            }
            futex_wait(self.state, s | SRW_READERS_WAITING, -1);
            s = self.state.load(Ordering::Relaxed);
        }
    }

    fn try_acquire_exclusive(&self) -> bool {
        let mut s = self.state.load(Ordering::Relaxed);
        while s & SRW_MASK == 0 {
            match self.state.compare_exchange_weak(
                s,
                s | SRW_WRITE_LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => s = now,
            }
        }
        false
    }

    fn acquire_exclusive(&self) {
        let mut s = self.state.load(Ordering::Relaxed);
        // Once this writer has slept, others may be asleep too: it takes
        // the lock with the waiting bit set, so its release wakes one.
        let mut others_waiting = 0;
        loop {
            if s & SRW_MASK == 0 {
                match self.state.compare_exchange_weak(
                    s,
                    s | SRW_WRITE_LOCKED | others_waiting,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return,
                    Err(now) => {
                        s = now;
                        continue;
                    }
                }
            }
            if s & SRW_WRITERS_WAITING == 0
                && let Err(now) = self.state.compare_exchange(
                    s,
                    s | SRW_WRITERS_WAITING,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
            {
                s = now;
                continue;
            }
            others_waiting = SRW_WRITERS_WAITING;
            let wakes = self.writer_wakes.load(Ordering::Acquire);
            s = self.state.load(Ordering::Relaxed);
            if s & SRW_MASK == 0 || s & SRW_WRITERS_WAITING == 0 {
                continue; // released (or a writer woken) meanwhile
            }
            futex_wait(self.writer_wakes, wakes, -1);
            s = self.state.load(Ordering::Relaxed);
        }
    }

    /// False (and nothing changes) when no reader holds the lock.
    fn release_shared(&self) -> bool {
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            let held = s & SRW_MASK;
            if held == 0 || held == SRW_WRITE_LOCKED {
                return false;
            }
            match self
                .state
                .compare_exchange_weak(s, s - 1, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => s = now,
            }
        }
        let s = s - 1;
        if s & SRW_MASK == 0 && s != 0 {
            self.wake_waiters(s);
        }
        true
    }

    /// False (and nothing changes) when the lock is not held exclusively.
    fn release_exclusive(&self) -> bool {
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            if s & SRW_MASK != SRW_WRITE_LOCKED {
                return false;
            }
            match self.state.compare_exchange_weak(
                s,
                s - SRW_WRITE_LOCKED,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => s = now,
            }
        }
        let s = s - SRW_WRITE_LOCKED;
        if s != 0 {
            self.wake_waiters(s);
        }
        true
    }

    /// The lock has just become free with `s` (waiting bits only): a writer
    /// goes first; the readers when no writer was asleep.
    fn wake_waiters(&self, mut s: u32) {
        if s == SRW_WRITERS_WAITING {
            match self
                .state
                .compare_exchange(s, 0, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => {
                    self.wake_writer();
                    return;
                }
                Err(now) => s = now,
            }
        }
        if s == SRW_READERS_WAITING | SRW_WRITERS_WAITING {
            if self
                .state
                .compare_exchange(s, SRW_READERS_WAITING, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
            {
                return; // taken meanwhile: its holder's release wakes
            }
            if self.wake_writer() {
                return;
            }
            // The bit was pessimistic (no writer asleep): readers go.
            s = SRW_READERS_WAITING;
        }
        if s == SRW_READERS_WAITING
            && self
                .state
                .compare_exchange(s, 0, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            futex_wake(self.state, i32::MAX);
        }
    }

    /// Wakes one sleeping writer; false when none was asleep.
    fn wake_writer(&self) -> bool {
        self.writer_wakes.fetch_add(1, Ordering::Release);
        futex_wake(self.writer_wakes, 1) > 0
    }

    fn held_shared(&self) -> bool {
        let held = self.state.load(Ordering::Relaxed) & SRW_MASK;
        held != 0 && held != SRW_WRITE_LOCKED
    }

    fn held_exclusive(&self) -> bool {
        self.state.load(Ordering::Relaxed) & SRW_MASK == SRW_WRITE_LOCKED
    }
}

/// # Safety
/// `lock` is NULL or points to a writable `SRWLOCK` no thread uses.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitializeSRWLock(lock: *mut SRWLOCK) {
    if !lock.is_null() {
        // SAFETY: per the contract.
        unsafe { (*lock).Ptr = std::ptr::null_mut() };
    }
}

/// # Safety
/// `lock` is NULL or an initialised `SRWLOCK`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn AcquireSRWLockExclusive(lock: *mut SRWLOCK) {
    // SAFETY: per the contract.
    if let Some(l) = unsafe { srw_lock(lock) } {
        l.acquire_exclusive();
    }
}

/// # Safety
/// `lock` is NULL or an initialised `SRWLOCK`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn AcquireSRWLockShared(lock: *mut SRWLOCK) {
    // SAFETY: per the contract.
    if let Some(l) = unsafe { srw_lock(lock) } {
        l.acquire_shared();
    }
}

/// TRUE (1) when the caller now holds the lock exclusively.
///
/// # Safety
/// `lock` is NULL or an initialised `SRWLOCK`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TryAcquireSRWLockExclusive(lock: *mut SRWLOCK) -> BOOLEAN {
    // SAFETY: per the contract.
    unsafe { srw_lock(lock) }.is_some_and(|l| l.try_acquire_exclusive()) as BOOLEAN
}

/// TRUE (1) when the caller now holds the lock shared; FALSE while a
/// writer holds it or waits for it.
///
/// # Safety
/// `lock` is NULL or an initialised `SRWLOCK`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TryAcquireSRWLockShared(lock: *mut SRWLOCK) -> BOOLEAN {
    // SAFETY: per the contract.
    unsafe { srw_lock(lock) }.is_some_and(|l| l.try_acquire_shared()) as BOOLEAN
}

/// # Safety
/// `lock` is NULL or an initialised `SRWLOCK`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReleaseSRWLockExclusive(lock: *mut SRWLOCK) {
    // SAFETY: per the contract.
    if let Some(l) = unsafe { srw_lock(lock) } {
        l.release_exclusive();
    }
}

/// # Safety
/// `lock` is NULL or an initialised `SRWLOCK`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReleaseSRWLockShared(lock: *mut SRWLOCK) {
    // SAFETY: per the contract.
    if let Some(l) = unsafe { srw_lock(lock) } {
        l.release_shared();
    }
}

// ---------------------------------------------------------------------------
// Condition variables
//
// The CONDITION_VARIABLE's word is two 32-bit halves: a wake counter the
// sleepers sleep on, and the number of sleepers (so a wake with nobody
// asleep costs one load).

struct ConditionVariable<'a> {
    wakes: &'a AtomicU32,
    sleepers: &'a AtomicU32,
}

/// # Safety
/// As `halves`.
unsafe fn condition_variable<'a>(cv: *mut CONDITION_VARIABLE) -> Option<ConditionVariable<'a>> {
    // SAFETY: forwarded contract.
    unsafe { halves(cv) }.map(|(wakes, sleepers)| ConditionVariable { wakes, sleepers })
}

impl ConditionVariable<'_> {
    /// Releases the lock, sleeps until a wake or `ms`, takes the lock back;
    /// true when woken. The sleeper counts itself and reads the counter
    /// before it releases the lock: a waker that changed the predicate
    /// under the lock after that either sees the sleeper or changes the
    /// counter it sleeps on, so no wake is lost (SeqCst pairs with `wake`).
    fn sleep(&self, ms: DWORD, release: impl FnOnce(), reacquire: impl FnOnce()) -> bool {
        let deadline = deadline_of(ms);
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        let seen = self.wakes.load(Ordering::SeqCst);
        release();
        let woken = sleep_on(self.wakes, seen, deadline);
        self.sleepers.fetch_sub(1, Ordering::Relaxed);
        reacquire();
        woken
    }

    fn wake(&self, n: i32) {
        if self.sleepers.load(Ordering::SeqCst) != 0 {
            self.wakes.fetch_add(1, Ordering::SeqCst);
            futex_wake(self.wakes, n);
        }
    }
}

/// # Safety
/// `cv` is NULL or points to a writable `CONDITION_VARIABLE` no thread uses.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitializeConditionVariable(cv: *mut CONDITION_VARIABLE) {
    if !cv.is_null() {
        // SAFETY: per the contract.
        unsafe { (*cv).Ptr = std::ptr::null_mut() };
    }
}

/// TRUE once woken (the section is then held again); FALSE with
/// `ERROR_TIMEOUT` when `ms` ran out (held again too).
///
/// # Safety
/// `cv` and `cs` are NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SleepConditionVariableCS(
    cv: *mut CONDITION_VARIABLE,
    cs: *mut RTL_CRITICAL_SECTION,
    ms: DWORD,
) -> BOOL {
    win32(FALSE, || {
        // SAFETY: per the contract.
        let (Some(cv), Some(cs)) = (unsafe { condition_variable(cv) }, unsafe {
            critical_section(cs)
        }) else {
            return Err(ERROR_INVALID_PARAMETER);
        };
        if !cs.owned_by_caller() {
            return Err(ERROR_NOT_OWNER);
        }
        if cv.sleep(ms, || cs.leave(), || cs.enter()) {
            Ok(TRUE)
        } else {
            Err(ERROR_TIMEOUT)
        }
    })
}

/// As `SleepConditionVariableCS`, on an SRW lock held exclusively (flags 0)
/// or shared (`CONDITION_VARIABLE_LOCKMODE_SHARED`).
///
/// # Safety
/// `cv` and `lock` are NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SleepConditionVariableSRW(
    cv: *mut CONDITION_VARIABLE,
    lock: *mut SRWLOCK,
    ms: DWORD,
    flags: ULONG,
) -> BOOL {
    win32(FALSE, || {
        // SAFETY: per the contract.
        let (Some(cv), Some(lock)) = (unsafe { condition_variable(cv) }, unsafe { srw_lock(lock) })
        else {
            return Err(ERROR_INVALID_PARAMETER);
        };
        let woken = match flags {
            0 if lock.held_exclusive() => cv.sleep(
                ms,
                || {
                    lock.release_exclusive();
                },
                || lock.acquire_exclusive(),
            ),
            CONDITION_VARIABLE_LOCKMODE_SHARED if lock.held_shared() => cv.sleep(
                ms,
                || {
                    lock.release_shared();
                },
                || lock.acquire_shared(),
            ),
            0 | CONDITION_VARIABLE_LOCKMODE_SHARED => return Err(ERROR_NOT_OWNER),
            _ => return Err(ERROR_INVALID_PARAMETER),
        };
        if woken { Ok(TRUE) } else { Err(ERROR_TIMEOUT) }
    })
}

/// # Safety
/// `cv` is NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WakeConditionVariable(cv: *mut CONDITION_VARIABLE) {
    // SAFETY: per the contract.
    if let Some(cv) = unsafe { condition_variable(cv) } {
        cv.wake(1);
    }
}

/// # Safety
/// `cv` is NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WakeAllConditionVariable(cv: *mut CONDITION_VARIABLE) {
    // SAFETY: per the contract.
    if let Some(cv) = unsafe { condition_variable(cv) } {
        cv.wake(i32::MAX);
    }
}

// ---------------------------------------------------------------------------
// One-time initialisation

const ONCE_STATE: usize = 3;
const ONCE_SYNC_RUNNING: usize = 1;
const ONCE_DONE: usize = 2;
const ONCE_ASYNC_RUNNING: usize = 3;

/// `PINIT_ONCE_FN`.
pub type InitOnceFn =
    Option<unsafe extern "C" fn(*mut INIT_ONCE, *mut c_void, *mut *mut c_void) -> BOOL>;

/// The word of an `INIT_ONCE`, and its low half for futex waits.
struct InitOnce<'a> {
    word: &'a AtomicUsize,
    low: &'a AtomicU32,
}

/// # Safety
/// `once` is NULL or points to a live, 8-aligned `INIT_ONCE`.
unsafe fn init_once<'a>(once: *mut INIT_ONCE) -> Result<InitOnce<'a>, DWORD> {
    if once.is_null() {
        return Err(ERROR_INVALID_PARAMETER);
    }
    // SAFETY: per the contract. Rust accesses the word only as a whole
    // (`word`); `low` is only handed to the kernel as the futex address
    // (little-endian: the half that holds the state bits), never loaded.
    unsafe {
        Ok(InitOnce {
            word: AtomicUsize::from_ptr(once.cast()),
            low: AtomicU32::from_ptr(once.cast()),
        })
    }
}

impl InitOnce<'_> {
    /// `InitOnceBeginInitialize`: `(pending, context)`.
    fn begin(&self, flags: DWORD) -> Result<(bool, usize), DWORD> {
        if flags & !(INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC) != 0
            || flags == INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC
        {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let asynchronous = flags & INIT_ONCE_ASYNC != 0;
        loop {
            let v = self.word.load(Ordering::Acquire);
            if flags & INIT_ONCE_CHECK_ONLY != 0 {
                return match v & ONCE_STATE {
                    ONCE_DONE => Ok((false, v & !ONCE_STATE)),
                    _ => Err(ERROR_GEN_FAILURE),
                };
            }
            match v & ONCE_STATE {
                0 => {
                    let running = if asynchronous {
                        ONCE_ASYNC_RUNNING
                    } else {
                        ONCE_SYNC_RUNNING
                    };
                    if self
                        .word
                        .compare_exchange(v, running, Ordering::Acquire, Ordering::Acquire)
                        .is_ok()
                    {
                        return Ok((true, 0));
                    }
                }
                ONCE_SYNC_RUNNING if asynchronous => return Err(ERROR_INVALID_PARAMETER),
                ONCE_SYNC_RUNNING => {
                    futex_wait(self.low, ONCE_SYNC_RUNNING as u32, -1);
                }
                ONCE_DONE => return Ok((false, v & !ONCE_STATE)),
                _ if asynchronous => return Ok((true, 0)),
                _ => return Err(ERROR_INVALID_PARAMETER),
            }
        }
    }

    /// `InitOnceComplete`.
    fn complete(&self, flags: DWORD, context: usize) -> Result<(), DWORD> {
        if flags & !(INIT_ONCE_ASYNC | INIT_ONCE_INIT_FAILED) != 0 {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let done = if flags & INIT_ONCE_INIT_FAILED != 0 {
            if context != 0 || flags & INIT_ONCE_ASYNC != 0 {
                return Err(ERROR_INVALID_PARAMETER);
            }
            0
        } else {
            if context & ONCE_STATE != 0 {
                return Err(ERROR_INVALID_PARAMETER);
            }
            context | ONCE_DONE
        };
        loop {
            let v = self.word.load(Ordering::Acquire);
            match v & ONCE_STATE {
                ONCE_SYNC_RUNNING => {
                    if self
                        .word
                        .compare_exchange(v, done, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        futex_wake(self.low, i32::MAX);
                        return Ok(());
                    }
                }
                ONCE_ASYNC_RUNNING if flags & INIT_ONCE_ASYNC == 0 => {
                    return Err(ERROR_INVALID_PARAMETER);
                }
                ONCE_ASYNC_RUNNING => {
                    if self
                        .word
                        .compare_exchange(v, done, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        return Ok(());
                    }
                }
                _ => return Err(ERROR_GEN_FAILURE),
            }
        }
    }
}

/// # Safety
/// `once` is NULL or points to a writable `INIT_ONCE` no thread uses.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitOnceInitialize(once: *mut INIT_ONCE) {
    if !once.is_null() {
        // SAFETY: per the contract.
        unsafe { (*once).Ptr = std::ptr::null_mut() };
    }
}

/// # Safety
/// `once` is NULL or initialised; `pending` and `context` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitOnceBeginInitialize(
    once: *mut INIT_ONCE,
    flags: DWORD,
    pending: *mut BOOL,
    context: *mut *mut c_void,
) -> BOOL {
    win32(FALSE, || {
        // SAFETY: per the contract.
        let (is_pending, ctx) = unsafe { init_once(once) }?.begin(flags)?;
        // SAFETY: writable per the contract (checked non-null).
        unsafe {
            if !pending.is_null() {
                pending.write_unaligned(is_pending as BOOL);
            }
            if !is_pending && !context.is_null() {
                context.write_unaligned(ctx as *mut c_void);
            }
        }
        Ok(TRUE)
    })
}

/// # Safety
/// `once` is NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitOnceComplete(
    once: *mut INIT_ONCE,
    flags: DWORD,
    context: *mut c_void,
) -> BOOL {
    win32(FALSE, || {
        // SAFETY: per the contract.
        unsafe { init_once(once) }?.complete(flags, context as usize)?;
        Ok(TRUE)
    })
}

/// Runs `function` once: TRUE when it has succeeded (now or before, the
/// context then in `*context`); FALSE with the last error untouched when
/// it returned FALSE (the next call runs it again). A context with its low
/// 2 bits set (reserved) fails like that too, with
/// `ERROR_INVALID_PARAMETER`.
///
/// # Safety
/// `once` is NULL or initialised; `context` NULL or readable and writable;
/// `function` callable with them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitOnceExecuteOnce(
    once: *mut INIT_ONCE,
    function: InitOnceFn,
    parameter: *mut c_void,
    context: *mut *mut c_void,
) -> BOOL {
    win32(FALSE, || {
        let Some(function) = function else {
            return Err(ERROR_INVALID_PARAMETER);
        };
        // SAFETY: per the contract.
        let o = unsafe { init_once(once) }?;
        let (pending, ctx) = o.begin(0)?;
        if !pending {
            if !context.is_null() {
                // SAFETY: writable per the contract (checked non-null).
                unsafe { context.write_unaligned(ctx as *mut c_void) };
            }
            return Ok(TRUE);
        }
        // SAFETY: the program's function, with its own arguments.
        if unsafe { function(once, parameter, context) } == FALSE {
            o.complete(INIT_ONCE_INIT_FAILED, 0)?;
            return Ok(FALSE);
        }
        let ctx = if context.is_null() {
            0
        } else {
            // SAFETY: readable per the contract (checked non-null).
            unsafe { context.read_unaligned() as usize }
        };
        if ctx & ONCE_STATE != 0 {
            o.complete(INIT_ONCE_INIT_FAILED, 0)?;
            return Err(ERROR_INVALID_PARAMETER);
        }
        o.complete(0, ctx)?;
        Ok(TRUE)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    struct SharedLock(Box<SRWLOCK>);
    // SAFETY: the lock is only used through the atomic functions above.
    unsafe impl Send for SharedLock {}
    // SAFETY: as for Send.
    unsafe impl Sync for SharedLock {}

    #[test]
    fn readers_are_woken_when_the_writer_bit_was_pessimistic() {
        // P6: a writer that slept takes the lock with the writers-waiting
        // bit set although no other writer may be asleep; its release must
        // then wake the readers, not a writer that is not there.
        let lock = std::sync::Arc::new(SharedLock(Box::new(SRWLOCK {
            Ptr: std::ptr::null_mut(),
        })));
        let p = &*lock.0 as *const SRWLOCK as *mut SRWLOCK;
        // SAFETY: a live, aligned SRWLOCK.
        let l = unsafe { srw_lock(p) }.unwrap();
        l.state
            .store(SRW_WRITE_LOCKED | SRW_WRITERS_WAITING, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        let reader = {
            let lock = lock.clone();
            std::thread::spawn(move || {
                let p = &*lock.0 as *const SRWLOCK as *mut SRWLOCK;
                // SAFETY: as above.
                unsafe { AcquireSRWLockShared(p) };
                tx.send(()).unwrap();
                // SAFETY: as above.
                unsafe { ReleaseSRWLockShared(p) };
            })
        };
        // The reader is asleep once it has set the readers-waiting bit.
        let deadline = Instant::now() + Duration::from_secs(10);
        while l.state.load(Ordering::Relaxed) & SRW_READERS_WAITING == 0 {
            assert!(Instant::now() < deadline, "the reader never waited");
            std::thread::sleep(Duration::from_millis(1));
        }
        // SAFETY: as above.
        unsafe { ReleaseSRWLockExclusive(p) };
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the reader was left asleep");
        reader.join().unwrap();
        assert_eq!(l.state.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn an_init_once_context_keeps_its_high_bits() {
        // P6: sync.c test_initonce (0xdeadbee0 | 2), here above 32 bits.
        let mut once = INIT_ONCE {
            Ptr: std::ptr::null_mut(),
        };
        // SAFETY: a live, aligned INIT_ONCE.
        let o = unsafe { init_once(&mut once) }.unwrap();
        assert_eq!(o.begin(0), Ok((true, 0)));
        assert_eq!(o.complete(0, 0x1234_5678_9abc_def0), Ok(()));
        assert_eq!(
            o.begin(INIT_ONCE_CHECK_ONLY),
            Ok((false, 0x1234_5678_9abc_def0))
        );
        assert_eq!(once.Ptr as usize, 0x1234_5678_9abc_def2);
    }
}
