//! The standard handles and console output (processenv.h, consoleapi.h):
//! `GetStdHandle`, `SetStdHandle`, `WriteConsoleA` and `WriteConsoleW`.
//!
//! Windows' rules (kernel32 console.c test_GetSetStdHandle; Microsoft's
//! GetStdHandle and WriteConsole pages):
//! - `GetStdHandle(STD_INPUT_HANDLE | STD_OUTPUT_HANDLE |
//!   STD_ERROR_HANDLE)` answers the same handle at every call, the last
//!   error untouched; NULL when the process has no such stream; any other
//!   number `INVALID_HANDLE_VALUE` with `ERROR_INVALID_HANDLE`;
//! - `WriteConsole` writes to a console only: a standard handle redirected
//!   to a file or pipe fails (`ERROR_INVALID_HANDLE`; programs then use
//!   `WriteFile`), as does the input handle or any other handle.
//!
//! Here each of fd 0, 1 and 2 that is open gets a handle of the engine's
//! table at the first `GetStdHandle` (a `StdStream`, distinct from every
//! socket, event or thread handle), and "a console" is a terminal
//! (`isatty`). `WriteConsoleW` writes the `WCHAR`s as UTF-8 (an unpaired
//! surrogate as U+FFFD); the count written is in characters of the call
//! (bytes for A, `WCHAR`s for W). `CloseHandle` ends the handle but not
//! the fd, which the C library's stdio shares; `GetStdHandle` then still
//! answers the closed value, as Windows does until `SetStdHandle`.

use std::ffi::c_void;
use std::sync::Mutex;

use ws2_abi::*;
use ws2_engine::handles::{self, Object, StdStream};

use super::{FALSE, TRUE, win32};
use ws2_engine::fork;

const STD_INPUT_HANDLE: DWORD = -10i32 as DWORD;
const STD_OUTPUT_HANDLE: DWORD = -11i32 as DWORD;
const STD_ERROR_HANDLE: DWORD = -12i32 as DWORD;

const INVALID_HANDLE_VALUE: usize = usize::MAX;

/// The standard handles' values (input, output, error); `None` until the
/// first `GetStdHandle` creates them.
static STD_HANDLES: Mutex<Option<[usize; 3]>> = Mutex::new(None);

fn index_of(which: DWORD) -> Result<usize, DWORD> {
    match which {
        STD_INPUT_HANDLE => Ok(0),
        STD_OUTPUT_HANDLE => Ok(1),
        STD_ERROR_HANDLE => Ok(2),
        _ => Err(ERROR_INVALID_HANDLE),
    }
}

/// A handle for each open fd of 0, 1 and 2 (0, NULL, for a closed one).
fn create_handles() -> Result<[usize; 3], DWORD> {
    let mut out = [0; 3];
    for (fd, slot) in out.iter_mut().enumerate() {
        // SAFETY: F_GETFD only asks whether the fd is open.
        if unsafe { libc::fcntl(fd as i32, libc::F_GETFD) } < 0 {
            continue;
        }
        match handles::insert(Object::StdStream(StdStream { fd: fd as i32 })) {
            Ok(h) => *slot = h,
            Err(_) => {
                remove_handles(out);
                return Err(ERROR_NOT_ENOUGH_MEMORY);
            }
        }
    }
    Ok(out)
}

fn remove_handles(made: [usize; 3]) {
    for h in made.into_iter().filter(|&h| h != 0) {
        handles::remove(h);
    }
}

/// Runs `f` on the standard handles, made at the first call. They are made
/// and, when another thread made them first, removed outside
/// `STD_HANDLES`' lock: the handle table's locks are taken by a `fork`
/// before it waits for the fork-gated locks to be let go.
fn with_std_handles<T>(f: impl FnOnce(&mut [usize; 3]) -> T) -> Result<T, DWORD> {
    loop {
        if let Some(table) = fork::lock(&STD_HANDLES).as_mut() {
            return Ok(f(table));
        }
        let made = create_handles()?;
        let lost = {
            let mut table = fork::lock(&STD_HANDLES);
            match *table {
                None => {
                    *table = Some(made);
                    None
                }
                Some(_) => Some(made),
            }
        };
        if let Some(lost) = lost {
            remove_handles(lost);
        }
    }
}

/// `GetStdHandle`.
#[unsafe(no_mangle)]
pub extern "C" fn GetStdHandle(which: DWORD) -> HANDLE {
    win32(INVALID_HANDLE_VALUE as HANDLE, || {
        let index = index_of(which)?;
        with_std_handles(|t| t[index] as HANDLE)
    })
}

/// `SetStdHandle`: the value `GetStdHandle(which)` answers from now on.
#[unsafe(no_mangle)]
pub extern "C" fn SetStdHandle(which: DWORD, handle: HANDLE) -> BOOL {
    win32(FALSE, || {
        let index = index_of(which)?;
        with_std_handles(|t| t[index] = handle as usize)?;
        Ok(TRUE)
    })
}

/// The terminal fd an output handle writes to, or `ERROR_INVALID_HANDLE`.
fn console_output(handle: HANDLE) -> Result<i32, DWORD> {
    match handles::object(handle as usize) {
        Some(Object::StdStream(StdStream { fd })) if fd != 0 => {
            // SAFETY: isatty has no memory preconditions.
            if unsafe { libc::isatty(fd) } == 1 {
                Ok(fd)
            } else {
                Err(ERROR_INVALID_HANDLE)
            }
        }
        _ => Err(ERROR_INVALID_HANDLE),
    }
}

/// What both `WriteConsole` functions do once their text is bytes: all of
/// it written to the terminal, `count` (the caller's units) reported.
///
/// # Safety
/// `written` NULL or writable.
unsafe fn write_console(
    fd: i32,
    bytes: &[u8],
    count: DWORD,
    written: *mut DWORD,
) -> Result<BOOL, DWORD> {
    super::file_io::write_std(fd, bytes).map_err(|e| e.code() as DWORD)?;
    if !written.is_null() {
        // SAFETY: writable per the contract.
        unsafe { written.write_unaligned(count) };
    }
    Ok(TRUE)
}

/// `WriteConsoleA`: `count` bytes (UTF-8, the code page here).
///
/// # Safety
/// `buffer` holds `count` readable bytes; `written` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WriteConsoleA(
    console: HANDLE,
    buffer: *const c_void,
    count: DWORD,
    written: *mut DWORD,
    _reserved: *mut c_void,
) -> BOOL {
    win32(FALSE, || {
        let fd = console_output(console)?;
        if buffer.is_null() && count != 0 {
            return Err(ERROR_NOACCESS);
        }
        let bytes = if count == 0 {
            &[][..]
        } else {
            // SAFETY: `count` readable bytes per the contract (non-null).
            unsafe { std::slice::from_raw_parts(buffer.cast::<u8>(), count as usize) }
        };
        // SAFETY: forwarded contract.
        unsafe { write_console(fd, bytes, count, written) }
    })
}

/// `WriteConsoleW`: `count` `WCHAR`s, written as UTF-8.
///
/// # Safety
/// `buffer` holds `count` readable `WCHAR`s (at any alignment); `written`
/// is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WriteConsoleW(
    console: HANDLE,
    buffer: *const c_void,
    count: DWORD,
    written: *mut DWORD,
    _reserved: *mut c_void,
) -> BOOL {
    win32(FALSE, || {
        let fd = console_output(console)?;
        if buffer.is_null() && count != 0 {
            return Err(ERROR_NOACCESS);
        }
        let units: Vec<u16> = (0..count as usize)
            // SAFETY: `count` readable WCHARs per the contract, read
            // unaligned.
            .map(|i| unsafe { buffer.cast::<u16>().add(i).read_unaligned() })
            .collect();
        let text = super::codepage::utf16_to_utf8(&units).0;
        // SAFETY: forwarded contract.
        unsafe { write_console(fd, &text, count, written) }
    })
}
