//! Futex waits and wakes: how a thread without an eventfd sleeps (its
//! waker's word) and how threads wait at the fork gate.

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

/// `FUTEX_WAKE` of up to `n` waiters on `word`.
pub fn futex_wake(word: &AtomicU32, n: i32) {
    // SAFETY: a live word.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            n,
        )
    };
}
