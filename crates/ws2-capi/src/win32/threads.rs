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
//!
//! process.h's C runtime threads are these threads (Microsoft's UCRT makes
//! them with `CreateThread` too): `_beginthreadex` returns the thread's
//! handle (the caller closes it), `_endthreadex` is `ExitThread`;
//! `_beginthread`'s thread closes its own handle when it ends (so waiting
//! on it is unreliable, as Microsoft warns). A NULL start address goes
//! through the invalid-parameter handler (`crt`), then `errno` is `EINVAL`;
//! a thread that cannot be made leaves `EAGAIN`.

use std::cell::Cell;
use std::ffi::{c_uint, c_void};

use ws2_abi::*;
use ws2_engine::completion::{Apc, ThreadObject, thread_object};
use ws2_engine::handles::{self, Object};
use ws2_engine::{Error, Result};

use super::crt::invalid_parameter;
use super::{FALSE, TRUE};
use crate::overlapped::CloseHandle;
use crate::{kernel32, startup::GetLastError};

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

/// Yields the processor to another ready thread: nonzero when another
/// thread ran meanwhile (this thread was switched out: its context-switch
/// count moved), 0 when none was ready (Microsoft's `SwitchToThread` page).
#[unsafe(no_mangle)]
pub extern "C" fn SwitchToThread() -> BOOL {
    fn switches() -> i64 {
        // SAFETY: getrusage writes one rusage; all-zero is a valid start.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: RUSAGE_THREAD with a valid pointer.
        unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
        usage.ru_nvcsw + usage.ru_nivcsw
    }
    let before = switches();
    // SAFETY: sched_yield has no preconditions.
    unsafe { libc::sched_yield() };
    BOOL::from(switches() != before)
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

// ---------------------------------------------------------------------------
// process.h

/// `_beginthread`'s start routine.
pub type BeginThreadRoutine = Option<unsafe extern "C-unwind" fn(*mut c_void)>;

/// `errno` after a `CreateThread` failure (`_beginthread*` report there).
fn errno_of_create_failure() -> libc::c_int {
    match GetLastError() {
        ERROR_INVALID_PARAMETER => libc::EINVAL,
        _ => libc::EAGAIN,
    }
}

fn set_errno(code: libc::c_int) {
    // SAFETY: __errno_location always returns this thread's errno.
    unsafe { *libc::__errno_location() = code };
}

/// `_beginthreadex`: `CreateThread` with the C runtime's types; 0 on
/// failure (`errno` set).
///
/// # Safety
/// `thread_id` writable or NULL; `start` a thread function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _beginthreadex(
    security: *mut c_void,
    stack_size: c_uint,
    start: ThreadStartRoutine,
    arg: *mut c_void,
    flags: c_uint,
    thread_id: *mut c_uint,
) -> usize {
    if start.is_none() {
        invalid_parameter("_beginthreadex", "start_address is NULL", libc::EINVAL);
        return 0;
    }
    // SAFETY: forwarded contract (c_uint is DWORD).
    let h = unsafe {
        CreateThread(
            security.cast(),
            stack_size as SIZE_T,
            start,
            arg,
            flags,
            thread_id,
        )
    };
    if h.is_null() {
        set_errno(errno_of_create_failure());
    }
    h as usize
}

/// `_endthreadex`: ends the calling thread with `code` (`ExitThread`).
#[unsafe(no_mangle)]
pub extern "C-unwind" fn _endthreadex(code: c_uint) -> ! {
    ExitThread(code)
}

/// What `_beginthread` hands its thread.
struct BeginThread {
    start: unsafe extern "C-unwind" fn(*mut c_void),
    arg: *mut c_void,
    /// The thread's own handle, closed when it ends.
    handle: HANDLE,
}

thread_local! {
    /// A `_beginthread` thread's own handle (0 in other threads).
    static OWN_HANDLE: Cell<usize> = const { Cell::new(0) };
}

/// Closes a `_beginthread` thread's own handle (once).
fn close_own_handle() {
    let h = OWN_HANDLE.with(|c| c.replace(0));
    if h != 0 {
        CloseHandle(h as HANDLE);
    }
}

/// A `_beginthread` thread: runs the function, then closes its handle.
/// Holds no value with a destructor while the function runs, so
/// `_endthread`'s forced unwind may pass through.
unsafe extern "C-unwind" fn run_begin_thread(p: *mut c_void) -> DWORD {
    // SAFETY: `_beginthread` leaked this Box for this thread alone.
    let BeginThread { start, arg, handle } = *unsafe { Box::from_raw(p.cast::<BeginThread>()) };
    OWN_HANDLE.with(|c| c.set(handle as usize));
    // SAFETY: the program's function with its own argument.
    unsafe { start(arg) };
    close_own_handle();
    0
}

/// `_beginthread`: a thread whose handle it closes itself at its end;
/// `(uintptr_t)-1` on failure (`errno` set).
///
/// # Safety
/// `start` a thread function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _beginthread(
    start: BeginThreadRoutine,
    stack_size: c_uint,
    arg: *mut c_void,
) -> usize {
    let Some(start) = start else {
        invalid_parameter("_beginthread", "start_address is NULL", libc::EINVAL);
        return usize::MAX;
    };
    let begin = Box::into_raw(Box::new(BeginThread {
        start,
        arg,
        handle: std::ptr::null_mut(),
    }));
    // SAFETY: the trampoline takes the Box; the thread is held suspended
    // until its handle is stored in it.
    let h = unsafe {
        CreateThread(
            std::ptr::null_mut(),
            stack_size as SIZE_T,
            Some(run_begin_thread),
            begin.cast(),
            CREATE_SUSPENDED,
            std::ptr::null_mut(),
        )
    };
    if h.is_null() {
        // SAFETY: no thread was made, so the Box is still ours.
        drop(unsafe { Box::from_raw(begin) });
        set_errno(errno_of_create_failure());
        return usize::MAX;
    }
    // SAFETY: the thread waits for ResumeThread before it reads the Box.
    unsafe { (*begin).handle = h };
    ResumeThread(h);
    h as usize
}

/// `_endthread`: closes the thread's own handle (a `_beginthread` thread)
/// and ends it with code 0.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn _endthread() -> ! {
    close_own_handle();
    ExitThread(0)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    /// The first processor the calling thread may run on.
    fn first_allowed_cpu() -> usize {
        // SAFETY: a zeroed cpu_set_t is valid; sched_getaffinity(0) fills
        // the calling thread's set; CPU_ISSET reads it.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            assert_eq!(
                libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set),
                0
            );
            (0..libc::CPU_SETSIZE as usize)
                .find(|&cpu| libc::CPU_ISSET(cpu, &set))
                .expect("some processor")
        }
    }

    /// Keeps the calling thread on processor `cpu` only.
    fn pin_to(cpu: usize) {
        // SAFETY: a zeroed cpu_set_t is empty; CPU_SET and
        // sched_setaffinity(0) act on the calling thread with a valid set.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            assert_eq!(
                libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set),
                0
            );
        }
    }

    // P6: with another thread ready on the same processor, SwitchToThread
    // runs it and says so (Microsoft's SwitchToThread page: nonzero when
    // the system switched to another thread).
    #[test]
    fn switch_to_thread_reports_a_switch_to_a_ready_thread() {
        let cpu = first_allowed_cpu();
        let spinning = Arc::new(AtomicBool::new(true));
        let started = Arc::new(AtomicBool::new(false));
        let spinner = {
            let (spinning, started) = (spinning.clone(), started.clone());
            std::thread::spawn(move || {
                pin_to(cpu);
                started.store(true, Ordering::Release);
                while spinning.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        };
        pin_to(cpu);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !started.load(Ordering::Acquire) {
            assert!(
                Instant::now() < deadline,
                "the spinning thread never started"
            );
            std::thread::yield_now();
        }
        let switched = (0..100).filter(|_| super::SwitchToThread() != 0).count();
        spinning.store(false, Ordering::Relaxed);
        spinner.join().unwrap();
        assert!(
            switched > 0,
            "no switch reported in 100 calls beside a ready thread"
        );
    }
}
