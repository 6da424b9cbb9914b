//! Futex waits and wakes: how a thread without an eventfd sleeps (its
//! waker's word), how threads wait at the fork gate, and what the Win32
//! locks in a program's memory (critical sections, SRW locks, condition
//! variables, `INIT_ONCE`) block on.

use std::sync::atomic::AtomicU32;

/// `FUTEX_WAIT` on `word` while it holds `expected`, up to `timeout_ms`
/// (negative: no timeout).
pub fn futex_wait(word: &AtomicU32, expected: u32, timeout_ms: i32) {
    let ts = libc::timespec {
        tv_sec: (timeout_ms.max(0) / 1000) as libc::time_t,
        tv_nsec: (timeout_ms.max(0) % 1000) as libc::c_long * 1_000_000,
    };
    let tsp = if timeout_ms < 0 {
        std::ptr::null()
    } else {
        &raw const ts
    };
    // SAFETY: a live word and a live (or null) timespec.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            expected,
            tsp,
        )
    };
}

/// `FUTEX_WAKE` of up to `n` waiters on `word`; returns how many it woke
/// (0 when none was asleep on it).
pub fn futex_wake(word: &AtomicU32, n: i32) -> usize {
    // SAFETY: a live word.
    let woken = unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            n,
        )
    };
    woken.max(0) as usize
}
