//! Condition variables (see the module comment of `sync`).
//!
//! The CONDITION_VARIABLE's word is two 32-bit halves: a wake counter the
//! sleepers sleep on, and the number of sleepers (so a wake with nobody
//! asleep costs one load).

use std::sync::atomic::{AtomicU32, Ordering};

use ws2_abi::*;
use ws2_engine::sync::futex_wake;

use super::critical_section::critical_section;
use super::srw::srw_lock;
use super::{deadline_of, halves, sleep_on};
use crate::win32::{FALSE, TRUE, win32};

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
