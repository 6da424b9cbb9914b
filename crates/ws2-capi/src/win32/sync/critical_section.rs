//! Critical sections (see the module comment of `sync`).

use std::ffi::c_void;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};

use ws2_abi::*;
use ws2_engine::sync::{futex_wait, futex_wake};

use super::current_thread_id;
use super::multiprocessor;
use crate::win32::{FALSE, TRUE, set_last_error, win32};

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
pub(super) struct CriticalSection<'a> {
    lock: &'a AtomicU32,
    recursion: &'a AtomicI32,
    owner: &'a AtomicUsize,
    spin: &'a AtomicUsize,
}

/// # Safety
/// `cs` is NULL or points to a live, aligned `CRITICAL_SECTION` that is
/// only accessed through these functions while they run.
pub(super) unsafe fn critical_section<'a>(
    cs: *mut RTL_CRITICAL_SECTION,
) -> Option<CriticalSection<'a>> {
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
    pub(super) fn owned_by_caller(&self) -> bool {
        // Only this thread ever stores its own id here, so a relaxed load
        // that sees it is this thread's own store.
        self.owner.load(Ordering::Relaxed) == current_thread_id() as usize
    }

    pub(super) fn enter(&self) {
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

    pub(super) fn leave(&self) {
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
