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
//!
//! One file per object (`critical_section`, `srw`, `condition_variable`,
//! `init_once`); this one holds what they share: the caller's thread id,
//! the futex sleep with a deadline, the two halves of a pointer-sized word.

mod condition_variable;
mod critical_section;
mod init_once;
mod srw;

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use ws2_abi::*;
use ws2_engine::fork;
use ws2_engine::sync::futex_wait;

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
