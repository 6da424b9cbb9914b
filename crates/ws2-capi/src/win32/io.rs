//! io.h: `_open`, `_creat`, `_read`, `_write`, `_close`, `_lseek`,
//! `_lseeki64`, `_dup`, `_dup2`, `_access`, `_access_s`, `_isatty`,
//! `_unlink`, `_setmode`, and `_fileno` from stdio.h, over the C library's
//! calls with Microsoft's checks (research-win32.md §11):
//! - a bad descriptor (`EBADF`), a NULL buffer or path, a count over
//!   INT_MAX and an unknown `_access` mode go through the invalid-parameter
//!   handler (by default the end of the process, see `crt.rs`);
//! - `_open` takes Windows' `_O_*` numbers and translates them;
//!   `_O_NOINHERIT` is close-on-exec, `_O_TEMPORARY` removes the name at
//!   once (the file goes away with its last descriptor, as on Windows);
//! - there is no text mode: every descriptor is binary (no CRLF
//!   translation, no Ctrl-Z end of file), so `_O_TEXT` is accepted and
//!   ignored and `_setmode` reports `_O_BINARY` as the previous mode;
//! - these descriptors are Linux fds, and a SOCKET is not one (on Windows a
//!   CRT descriptor is not a SOCKET either).

use std::ffi::{c_char, c_int, c_long, c_void};

use ws2_abi::win32::open_flags::*;

use super::crt::invalid_parameter;

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// A C library result: -1 with `EBADF` goes through the handler as the
/// Microsoft runtime's checks do; other failures keep their errno.
fn checked<T: PartialEq + From<i8>>(name: &str, r: T) -> T {
    if r == T::from(-1) && errno() == libc::EBADF {
        invalid_parameter(
            name,
            "the descriptor is not open (or not open for this)",
            libc::EBADF,
        );
    }
    r
}

/// Windows' `_O_*` flags as Linux's, or `None` for an unknown bit.
fn open_flags(oflag: c_int) -> Option<c_int> {
    let known = O_WRONLY
        | O_RDWR
        | O_APPEND
        | O_CREAT
        | O_TRUNC
        | O_EXCL
        | O_TEXT
        | O_BINARY
        | O_WTEXT
        | O_U16TEXT
        | O_U8TEXT
        | O_NOINHERIT
        | O_TEMPORARY
        | O_SHORT_LIVED
        | O_SEQUENTIAL
        | O_RANDOM;
    if oflag & !known != 0 || oflag & 3 == 3 {
        return None;
    }
    let mut f = match oflag & 3 {
        O_WRONLY => libc::O_WRONLY,
        O_RDWR => libc::O_RDWR,
        _ => libc::O_RDONLY,
    };
    for (win, linux) in [
        (O_APPEND, libc::O_APPEND),
        (O_CREAT, libc::O_CREAT),
        (O_TRUNC, libc::O_TRUNC),
        (O_EXCL, libc::O_EXCL),
        (O_NOINHERIT, libc::O_CLOEXEC),
    ] {
        if oflag & win != 0 {
            f |= linux;
        }
    }
    Some(f)
}

/// `_open`'s work (the variadic `_open` is inline in io.h and passes
/// `pmode` on).
///
/// # Safety
/// `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ws2_crt_open(path: *const c_char, oflag: c_int, pmode: c_int) -> c_int {
    if path.is_null() {
        invalid_parameter("_open", "the path is NULL", libc::EINVAL);
        return -1;
    }
    let Some(flags) = open_flags(oflag) else {
        invalid_parameter("_open", "unknown _O_ flags", libc::EINVAL);
        return -1;
    };
    // SAFETY: path is NUL-terminated per the contract.
    let fd = unsafe { libc::open(path, flags, pmode as libc::c_uint) };
    if fd >= 0 && oflag & O_TEMPORARY != 0 {
        // SAFETY: as above.
        unsafe { libc::unlink(path) };
    }
    fd
}

/// # Safety
/// `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _creat(path: *const c_char, pmode: c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { ws2_crt_open(path, O_WRONLY | O_CREAT | O_TRUNC, pmode) }
}

/// # Safety
/// `buf` writable for `count` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _read(fd: c_int, buf: *mut c_void, count: u32) -> c_int {
    if count > i32::MAX as u32 || (buf.is_null() && count > 0) {
        invalid_parameter(
            "_read",
            "a NULL buffer or a count over INT_MAX",
            libc::EINVAL,
        );
        return -1;
    }
    // SAFETY: buf is writable for count bytes per the contract.
    checked("_read", unsafe { libc::read(fd, buf, count as usize) }) as c_int
}

/// # Safety
/// `buf` readable for `count` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _write(fd: c_int, buf: *const c_void, count: u32) -> c_int {
    if count > i32::MAX as u32 || (buf.is_null() && count > 0) {
        invalid_parameter(
            "_write",
            "a NULL buffer or a count over INT_MAX",
            libc::EINVAL,
        );
        return -1;
    }
    // SAFETY: buf is readable for count bytes per the contract.
    checked("_write", unsafe { libc::write(fd, buf, count as usize) }) as c_int
}

#[unsafe(no_mangle)]
pub extern "C" fn _close(fd: c_int) -> c_int {
    // SAFETY: closing a descriptor number has no memory preconditions.
    checked("_close", unsafe { libc::close(fd) })
}

/// `_lseek` (a C `long` offset, 64 bits on Linux; Windows' is 32).
#[unsafe(no_mangle)]
pub extern "C" fn _lseek(fd: c_int, offset: c_long, origin: c_int) -> c_long {
    // SAFETY: no memory preconditions.
    checked("_lseek", unsafe { libc::lseek(fd, offset, origin) })
}

#[unsafe(no_mangle)]
pub extern "C" fn _lseeki64(fd: c_int, offset: i64, origin: c_int) -> i64 {
    // SAFETY: no memory preconditions.
    checked("_lseeki64", unsafe { libc::lseek(fd, offset, origin) })
}

#[unsafe(no_mangle)]
pub extern "C" fn _dup(fd: c_int) -> c_int {
    // SAFETY: no memory preconditions.
    checked("_dup", unsafe { libc::dup(fd) })
}

/// `_dup2`: 0 on success (Windows' value; `dup2` returns the descriptor).
#[unsafe(no_mangle)]
pub extern "C" fn _dup2(fd: c_int, fd2: c_int) -> c_int {
    // SAFETY: no memory preconditions.
    let r = checked("_dup2", unsafe { libc::dup2(fd, fd2) });
    if r < 0 { -1 } else { 0 }
}

#[unsafe(no_mangle)]
pub extern "C" fn _isatty(fd: c_int) -> c_int {
    // SAFETY: no memory preconditions.
    unsafe { libc::isatty(fd) }
}

/// `_access` modes: 0 exists, 2 write, 4 read, 6 both; others (1, X_OK)
/// are invalid on Windows.
fn access_mode(mode: c_int) -> Option<c_int> {
    match mode {
        0 => Some(libc::F_OK),
        2 => Some(libc::W_OK),
        4 => Some(libc::R_OK),
        6 => Some(libc::R_OK | libc::W_OK),
        _ => None,
    }
}

/// # Safety
/// `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _access(path: *const c_char, mode: c_int) -> c_int {
    match (path.is_null(), access_mode(mode)) {
        // SAFETY: path is NUL-terminated per the contract.
        (false, Some(m)) => unsafe { libc::access(path, m) },
        _ => {
            invalid_parameter(
                "_access",
                "a NULL path or a mode other than 0, 2, 4, 6",
                libc::EINVAL,
            );
            -1
        }
    }
}

/// `_access_s`: the errno value instead of -1.
///
/// # Safety
/// `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _access_s(path: *const c_char, mode: c_int) -> c_int {
    // SAFETY: forwarded contract.
    if unsafe { _access(path, mode) } == 0 {
        0
    } else {
        errno()
    }
}

/// # Safety
/// `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _unlink(path: *const c_char) -> c_int {
    if path.is_null() {
        invalid_parameter("_unlink", "the path is NULL", libc::EINVAL);
        return -1;
    }
    // SAFETY: path is NUL-terminated per the contract.
    unsafe { libc::unlink(path) }
}

/// `_setmode`: every descriptor is binary, so the previous mode is
/// `_O_BINARY`; the new one must be a known mode.
#[unsafe(no_mangle)]
pub extern "C" fn _setmode(fd: c_int, mode: c_int) -> c_int {
    if ![O_TEXT, O_BINARY, O_WTEXT, O_U16TEXT, O_U8TEXT].contains(&mode) {
        invalid_parameter("_setmode", "an unknown translation mode", libc::EINVAL);
        return -1;
    }
    // SAFETY: F_GETFD only asks whether fd is open.
    if checked("_setmode", unsafe { libc::fcntl(fd, libc::F_GETFD) }) < 0 {
        return -1;
    }
    O_BINARY
}

/// `_fileno`: stdio's `fileno` (declared with the Windows name in io.h;
/// `fileno` is POSIX, which strict C11 hides).
///
/// # Safety
/// `stream` NULL or an open `FILE *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _fileno(stream: *mut libc::FILE) -> c_int {
    if stream.is_null() {
        invalid_parameter("_fileno", "the stream is NULL", libc::EINVAL);
        return -1;
    }
    // SAFETY: an open FILE per the contract.
    unsafe { libc::fileno(stream) }
}
