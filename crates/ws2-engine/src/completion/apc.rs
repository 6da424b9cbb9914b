//! Completion routines waiting for their thread's next alertable wait
//! (S33): a C routine with its arguments and the OVERLAPPED it is given, a
//! Rust routine with its result, or a `QueueUserAPC` function with its
//! argument; none needs an allocation of its own.

use std::sync::atomic::{AtomicUsize, Ordering};

use ws2_abi as abi;

use crate::error::Result;

use super::inline::RustRoutine;

/// A raw OVERLAPPED pointer; the caller keeps it valid until completion (S38).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OvPtr(pub *mut abi::WSAOVERLAPPED);
// SAFETY: the pointer is only written at completion, once, under the rules
// of S38; Winsock's contract makes the caller keep it valid until then.
unsafe impl Send for OvPtr {}

impl OvPtr {
    /// Writes the result: `InternalHigh`, then `Internal` with release.
    ///
    /// # Safety
    /// The OVERLAPPED must be valid and 8-aligned.
    pub unsafe fn finish(self, status: u32, bytes: usize) {
        // SAFETY: valid per the contract; Internal is the first usize of an
        // 8-aligned struct, so it may be viewed as an AtomicUsize.
        unsafe {
            (&raw mut (*self.0).InternalHigh).write_volatile(bytes);
            (*self.0.cast::<AtomicUsize>()).store(status as usize, Ordering::Release);
        }
    }

    /// `STATUS_PENDING` before the operation becomes visible (S30).
    ///
    /// # Safety
    /// As for `finish`.
    pub unsafe fn mark_pending(self) {
        // SAFETY: as in `finish`.
        unsafe {
            (*self.0.cast::<AtomicUsize>()).store(abi::STATUS_PENDING as usize, Ordering::Release)
        };
    }

    /// `Internal` as it is now.
    ///
    /// # Safety
    /// As for `finish`.
    pub unsafe fn status(self) -> u32 {
        // SAFETY: as in `finish`.
        unsafe { (*self.0.cast::<AtomicUsize>()).load(Ordering::Acquire) as u32 }
    }
}

/// A C completion routine.
pub type Routine = unsafe extern "C" fn(u32, u32, *mut abi::WSAOVERLAPPED, u32);

/// A C APC function (`PAPCFUNC`, `QueueUserAPC`).
pub type UserApc = unsafe extern "C" fn(usize);

/// A completion routine waiting for its thread's next alertable wait
/// (S33), kept without an allocation of its own.
pub enum Apc {
    /// A C routine with its arguments (`dwFlags` is 0).
    Overlapped {
        routine: Routine,
        error: u32,
        bytes: u32,
        ov: OvPtr,
    },
    /// A Rust routine and the result it is given.
    Rust(RustRoutine, Result<usize>),
    /// An APC queued by `QueueUserAPC`, with its argument.
    User { function: UserApc, data: usize },
}

impl Apc {
    pub(super) fn run(self) {
        match self {
            Apc::Overlapped {
                routine,
                error,
                bytes,
                ov,
            } => {
                // SAFETY: the caller's routine, called as Windows would.
                unsafe { routine(error, bytes, ov.0, 0) }
            }
            Apc::Rust(routine, result) => routine.call(result),
            // SAFETY: the caller's APC function, called as Windows calls it.
            Apc::User { function, data } => unsafe { function(data) },
        }
    }
}
