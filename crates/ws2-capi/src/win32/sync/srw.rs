//! Slim reader/writer locks (see the module comment of `sync`).
//!
//! The SRWLOCK's word is two 32-bit halves: the state (below) and a counter
//! a waiting writer sleeps on, bumped when one is woken.

use std::sync::atomic::{AtomicU32, Ordering};

use ws2_abi::*;
use ws2_engine::sync::{futex_wait, futex_wake};

use super::halves;

/// The state's low 30 bits: the number of readers, or `WRITE_LOCKED`.
const SRW_MASK: u32 = (1 << 30) - 1;
const SRW_WRITE_LOCKED: u32 = SRW_MASK;
const SRW_MAX_READERS: u32 = SRW_MASK - 1;
const SRW_READERS_WAITING: u32 = 1 << 30;
const SRW_WRITERS_WAITING: u32 = 1 << 31;

pub(super) struct SrwLock<'a> {
    state: &'a AtomicU32,
    writer_wakes: &'a AtomicU32,
}

/// # Safety
/// As `halves`.
pub(super) unsafe fn srw_lock<'a>(lock: *mut SRWLOCK) -> Option<SrwLock<'a>> {
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

    pub(super) fn acquire_shared(&self) {
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

    pub(super) fn acquire_exclusive(&self) {
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
    pub(super) fn release_shared(&self) -> bool {
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
    pub(super) fn release_exclusive(&self) -> bool {
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

    pub(super) fn held_shared(&self) -> bool {
        let held = self.state.load(Ordering::Relaxed) & SRW_MASK;
        held != 0 && held != SRW_WRITE_LOCKED
    }

    pub(super) fn held_exclusive(&self) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

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
}
