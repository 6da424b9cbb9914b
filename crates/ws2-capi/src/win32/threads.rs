//! Threads (processthreadsapi.h): `CreateThread`, `ExitThread`,
//! `GetExitCodeThread`, `GetThreadId`, `ResumeThread`, `QueueUserAPC` and
//! `GetCurrentThread`,
//! over the engine's thread objects (`completion::thread_object`).
//!
//! As on Windows (kernel32 thread.c `test_CreateThread_basic`,
//! `test_CreateThread_suspended`, `test_GetThreadExitCode`, sync.c
//! `test_QueueUserAPC`, Microsoft's pages):
//! - `CreateThread` gives a handle that the wait functions wait on,
//!   signalled once the thread has ended and from then on, and the thread's
//!   id (the one `GetCurrentThreadId` gives in it); success leaves the last
//!   error alone; `CREATE_SUSPENDED` holds the function until `ResumeThread`;
//! - the exit code is `STILL_ACTIVE` (259) while the thread runs, then what
//!   its function returned or `ExitThread` was given;
//! - `CloseHandle` of a running thread's handle does not stop it;
//! - the thread runs completion routines and APCs in its alertable waits
//!   like any other thread; `QueueUserAPC` to an ended thread fails with
//!   `ERROR_GEN_FAILURE`.
//!
//! - `GetCurrentThread()` is the pseudo-handle `(HANDLE)-2`, naming the
//!   calling thread in every call that takes a thread handle (a wait on it
//!   times out: the thread is running); `CloseHandle` of it succeeds and
//!   does nothing.
//!
//! Not provided: `SuspendThread` (Linux cannot stop one thread of a process
//! from another safely), `TerminateThread` and thread priorities; using
//! them is a compile error.
//! `ExitThread` from a completion routine or APC aborts the process with a
//! message (see `thread_object::exit_current_thread`).

use std::ffi::c_void;

use ws2_abi::*;
use ws2_engine::completion::{Apc, ThreadObject, thread_object};
use ws2_engine::handles::{self, Object};
use ws2_engine::{Error, Result};

use super::{FALSE, TRUE};
use crate::kernel32;

/// `LPTHREAD_START_ROUTINE`.
pub type ThreadStartRoutine = Option<unsafe extern "C-unwind" fn(*mut c_void) -> DWORD>;
/// `PAPCFUNC`.
pub type ApcFunction = Option<unsafe extern "C" fn(ULONG_PTR)>;

/// Windows' default stack reservation: a `dwStackSize` up to this (without
/// `STACK_SIZE_PARAM_IS_A_RESERVATION`, it is the committed part) leaves
/// the thread with the default stack, pthread's here.
const DEFAULT_STACK_RESERVE: usize = 1 << 20;

/// Registers `object` in the handle table as a kernel32 call reports it:
/// a full table is `ERROR_NOT_ENOUGH_MEMORY`.
pub(super) fn insert_handle(object: Object) -> Result<HANDLE> {
    handles::insert(object)
        .map(|h| h as HANDLE)
        .map_err(|e| Error::new(ERROR_NOT_ENOUGH_MEMORY as i32, e.message().to_owned()))
}

fn thread_of(h: HANDLE) -> Result<std::sync::Arc<ThreadObject>> {
    handles::thread(h as usize)
}

/// # Safety
/// `thread_id` writable or NULL; `start` a thread function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateThread(
    _attributes: *mut SECURITY_ATTRIBUTES,
    stack_size: SIZE_T,
    start: ThreadStartRoutine,
    param: *mut c_void,
    flags: DWORD,
    thread_id: *mut DWORD,
) -> HANDLE {
    kernel32(std::ptr::null_mut(), || {
        let Some(start) = start else {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "lpStartAddress is NULL",
            ));
        };
        if flags & !(CREATE_SUSPENDED | STACK_SIZE_PARAM_IS_A_RESERVATION) != 0 {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                format!(
                    "dwCreationFlags {flags:#x}: only CREATE_SUSPENDED and \
                     STACK_SIZE_PARAM_IS_A_RESERVATION are known"
                ),
            ));
        }
        let reservation = flags & STACK_SIZE_PARAM_IS_A_RESERVATION != 0;
        let stack = (stack_size != 0 && (reservation || stack_size > DEFAULT_STACK_RESERVE))
            .then_some(stack_size);
        let object = ThreadObject::new(flags & CREATE_SUSPENDED != 0);
        let h = insert_handle(Object::Thread(object.clone()))?;
        if let Err(e) = thread_object::start(&object, start, param, stack) {
            handles::remove(h as usize);
            return Err(e);
        }
        if !thread_id.is_null() {
            // SAFETY: writable per the contract (checked non-null).
            unsafe { thread_id.write_unaligned(object.id()) };
        }
        Ok(h)
    })
}

/// Ends the calling thread; its handle is signalled with `code`.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn ExitThread(code: DWORD) -> ! {
    // No wrapper: nothing with a destructor may stand between the thread's
    // C frames and the forced unwind that ends it.
    thread_object::exit_current_thread(code)
}

/// # Safety
/// `code` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetExitCodeThread(h: HANDLE, code: *mut DWORD) -> BOOL {
    kernel32(FALSE, || {
        let thread = thread_of(h)?;
        if code.is_null() {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "lpExitCode is NULL",
            ));
        }
        // SAFETY: writable per the contract (checked non-null).
        unsafe { code.write_unaligned(thread.exit_code()) };
        Ok(TRUE)
    })
}

/// The id of the thread a handle names; 0 and `ERROR_INVALID_HANDLE` for
/// anything else.
#[unsafe(no_mangle)]
pub extern "C" fn GetThreadId(h: HANDLE) -> DWORD {
    kernel32(0, || Ok(thread_of(h)?.id()))
}

/// The suspend count before the call (the function runs when it reaches
/// 0); `(DWORD)-1` and `ERROR_INVALID_HANDLE` for a handle that is no thread.
#[unsafe(no_mangle)]
pub extern "C" fn ResumeThread(h: HANDLE) -> DWORD {
    kernel32(u32::MAX, || Ok(thread_of(h)?.resume()))
}

/// The pseudo-handle of the calling thread, `(HANDLE)-2`.
#[unsafe(no_mangle)]
pub extern "C" fn GetCurrentThread() -> HANDLE {
    handles::CURRENT_THREAD as HANDLE
}

/// Queues `function(data)` to run in the thread's next alertable wait.
#[unsafe(no_mangle)]
pub extern "C" fn QueueUserAPC(function: ApcFunction, h: HANDLE, data: ULONG_PTR) -> DWORD {
    kernel32(0, || {
        let thread = thread_of(h)?;
        let Some(function) = function else {
            return Err(Error::new(ERROR_INVALID_PARAMETER as i32, "pfnAPC is NULL"));
        };
        if !thread.queue_apc(Apc::User { function, data }) {
            return Err(Error::new(
                ERROR_GEN_FAILURE as i32,
                "the thread has ended: its APCs can never run",
            ));
        }
        Ok(1)
    })
}
