//! One-time initialisation (see the module comment of `sync`).

use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use ws2_abi::*;
use ws2_engine::sync::{futex_wait, futex_wake};

use crate::win32::{FALSE, TRUE, win32};

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
