//! `ReadFile` and `WriteFile` (fileapi.h) on the handles ws2 has: sockets
//! and the standard handles.
//!
//! Windows' rules (Microsoft's ReadFile and WriteFile pages; kernel32
//! file.c `test_read_write`, run on Windows):
//! - `*lpNumberOfBytesRead`/`Written` is set to 0 before any work or error
//!   checking; it may be NULL only with an OVERLAPPED (Windows would fault
//!   on the NULL at the end of a synchronous call: here the call is refused
//!   with `ERROR_INVALID_PARAMETER` before any I/O);
//! - a NULL buffer with a count of 0 succeeds with 0 bytes, the last error
//!   untouched; a NULL buffer with a count fails: `WriteFile`
//!   `ERROR_INVALID_USER_BUFFER`, `ReadFile` `ERROR_NOACCESS`;
//! - a handle that is no file (an event, port, mutex, semaphore or thread
//!   handle) or no handle at all is `ERROR_INVALID_HANDLE`.
//!
//! On a socket (a SOCKET is a file handle on Windows) `WriteFile` sends as
//! `WSASend` with one buffer and no flags, `ReadFile` receives as `WSARecv`
//! with one buffer and no flags, through the same engine calls: blocking,
//! or with an OVERLAPPED an overlapped operation completed through its
//! event, the completion port the socket is bound to and
//! `GetOverlappedResult`; pending, `ERROR_IO_PENDING`. A failure is the
//! Win32 code of the operation's NTSTATUS, as `GetOverlappedResult`
//! reports it (`RtlNtStatusToDosError`: a truncated datagram
//! `ERROR_MORE_DATA`, a reset `ERROR_NETNAME_DELETED`, ...); a call that
//! would block on a non-blocking socket is `STATUS_CANT_WAIT` on Windows
//! (ReactOS msafd maps it to `WSAEWOULDBLOCK`), `ERROR_CANT_WAIT` here.
//!
//! On a standard handle: a blocking `write` of every byte or one blocking
//! `read` of the fd. End of input is TRUE with 0 bytes, except on a pipe
//! whose writer is gone: `ERROR_BROKEN_PIPE` (ReadFile page); writing to a
//! pipe without reader is `ERROR_NO_DATA`. An OVERLAPPED on a standard
//! handle (not opened for overlapped I/O) gets the result of the
//! synchronous call and its event set.

use std::ffi::c_void;

use ws2_abi::*;
use ws2_engine::handles::{self, Object, StdStream};
use ws2_engine::raw::{self, RecvOutputs, SendResultPtrs};
use ws2_engine::{Error, Result};

use super::{FALSE, TRUE};
use crate::kernel32;

/// `ERROR_CANT_WAIT`: `RtlNtStatusToDosError(STATUS_CANT_WAIT)`.
const ERROR_CANT_WAIT: u32 = 554;
/// `ERROR_DISK_FULL` (winerror.h).
const ERROR_DISK_FULL: u32 = 112;
/// `ERROR_INVALID_USER_BUFFER` (winerror.h).
const ERROR_INVALID_USER_BUFFER: u32 = 1784;

fn fail(code: u32, message: impl Into<String>) -> Error {
    Error::new(code as i32, message.into())
}

/// The Win32 code of a socket call's Winsock error: what
/// `GetOverlappedResult` reports for the same failure (the NTSTATUS the
/// OVERLAPPED would hold, then `RtlNtStatusToDosError`), and for the
/// call-time cases a handle that is no longer a socket
/// (`ERROR_INVALID_HANDLE`), a buffer that is not the caller's
/// (`ERROR_NOACCESS`) and would-block (`ERROR_CANT_WAIT`).
fn win32_error(e: Error) -> Error {
    let code = match e.code() {
        WSA_IO_PENDING => ERROR_IO_PENDING,
        WSAENOTSOCK => ERROR_INVALID_HANDLE,
        WSAEFAULT => ERROR_NOACCESS,
        WSAEWOULDBLOCK => ERROR_CANT_WAIT,
        wsa => win32_from_status(status_from_wsa(wsa)),
    };
    Error::new(code as i32, e.to_string())
}

/// What a handle names for `ReadFile`/`WriteFile`.
enum Target {
    Socket(handles::SocketRef),
    Std(i32),
}

fn target(file: HANDLE) -> Result<Target> {
    match handles::object(file as usize) {
        Some(Object::Socket(_)) => handles::socket(file as usize)
            .map(Target::Socket)
            .map_err(win32_error),
        Some(Object::StdStream(StdStream { fd })) => Ok(Target::Std(fd)),
        Some(_) => Err(fail(
            ERROR_INVALID_HANDLE,
            format!("handle {file:p} is not a file, socket or standard handle"),
        )),
        None => Err(fail(
            ERROR_INVALID_HANDLE,
            format!("handle {file:p} is not open"),
        )),
    }
}

/// The checks both calls make before any I/O, after zeroing the count.
///
/// # Safety
/// `count_out` null or writable.
unsafe fn prologue(
    buffer: *const c_void,
    len: DWORD,
    count_out: *mut DWORD,
    ov: *mut WSAOVERLAPPED,
    null_buffer: u32,
) -> Result<()> {
    if !count_out.is_null() {
        // SAFETY: writable per the contract.
        unsafe { count_out.write_unaligned(0) };
    } else if ov.is_null() {
        return Err(fail(
            ERROR_INVALID_PARAMETER,
            "the byte count may be NULL only with an OVERLAPPED",
        ));
    }
    if buffer.is_null() && len != 0 {
        return Err(fail(
            null_buffer,
            format!("the buffer is NULL, its length {len}"),
        ));
    }
    Ok(())
}

/// An OVERLAPPED given with a standard handle: the result of the
/// synchronous call, then its event set, as a blocking call on a socket
/// made without `WSA_FLAG_OVERLAPPED` fills one.
///
/// # Safety
/// `ov` null or valid and writable.
unsafe fn finish_synchronous(ov: *mut WSAOVERLAPPED, n: usize) {
    if !ov.is_null() {
        // SAFETY: valid and writable per the contract.
        unsafe { raw::fill_blocking_overlapped(ov, n) };
    }
}

/// Whether `fd` is a pipe.
fn is_pipe(fd: i32) -> bool {
    // SAFETY: an all-zero `stat` is valid; fstat writes it.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a live local.
    let ok = unsafe { libc::fstat(fd, &mut st) } == 0;
    ok && st.st_mode & libc::S_IFMT == libc::S_IFIFO
}

/// The Win32 code of a failed `read`/`write` on a standard handle.
fn std_error(errno: i32, what: &str) -> Error {
    let code = match errno {
        libc::EBADF => ERROR_INVALID_HANDLE,
        libc::EFAULT => ERROR_NOACCESS,
        libc::EPIPE => ERROR_NO_DATA,
        libc::ENOSPC => ERROR_DISK_FULL,
        _ => ERROR_GEN_FAILURE,
    };
    fail(
        code,
        format!("{what} on the standard handle: errno {errno}"),
    )
}

/// Waits until `fd` is ready for `events` (an fd another program left
/// non-blocking): the call is blocking as on Windows.
fn wait_ready(fd: i32, events: i16) {
    let mut p = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: one live pollfd.
    unsafe { libc::poll(&mut p, 1, -1) };
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Writes every byte of `bytes` to `fd`.
pub(super) fn write_std(fd: i32, bytes: &[u8]) -> Result<usize> {
    let mut done = 0;
    while done < bytes.len() {
        let rest = &bytes[done..];
        // SAFETY: writes from a live slice.
        let n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => wait_ready(fd, libc::POLLOUT),
                e => return Err(std_error(e, "write")),
            }
            continue;
        }
        done += n as usize;
    }
    Ok(done)
}

/// One read from `fd` into `bytes`.
fn read_std(fd: i32, bytes: &mut [u8]) -> Result<usize> {
    loop {
        // SAFETY: reads into a live slice.
        let n = unsafe { libc::read(fd, bytes.as_mut_ptr().cast(), bytes.len()) };
        if n > 0 {
            return Ok(n as usize);
        }
        if n == 0 {
            if !bytes.is_empty() && is_pipe(fd) {
                return Err(fail(ERROR_BROKEN_PIPE, "the pipe's writer is gone"));
            }
            return Ok(0);
        }
        match errno() {
            libc::EINTR => {}
            libc::EAGAIN => wait_ready(fd, libc::POLLIN),
            e => return Err(std_error(e, "read")),
        }
    }
}

/// Stores a finished call's count.
///
/// # Safety
/// `count_out` null or writable.
unsafe fn report(count_out: *mut DWORD, n: u32) {
    if !count_out.is_null() {
        // SAFETY: writable per the contract.
        unsafe { count_out.write_unaligned(n) };
    }
}

/// `WriteFile`.
///
/// # Safety
/// `buffer` readable for `len` bytes; `written` null or writable; `ov`
/// null or valid until the operation completes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WriteFile(
    file: HANDLE,
    buffer: *const c_void,
    len: DWORD,
    written: *mut DWORD,
    ov: *mut WSAOVERLAPPED,
) -> BOOL {
    kernel32(FALSE, || {
        // SAFETY: forwarded contract.
        unsafe { prologue(buffer, len, written, ov, ERROR_INVALID_USER_BUFFER) }?;
        match target(file)? {
            Target::Socket(core) => {
                let one = WSABUF {
                    len,
                    buf: buffer.cast_mut().cast(),
                };
                let out = SendResultPtrs {
                    bytes_sent: written,
                    overlapped: ov,
                    routine: None,
                };
                let sent = if core.is_stream() {
                    // SAFETY: `one` describes the caller's buffer; forwarded contract.
                    unsafe { raw::stream::send(&core, &one, 1, 0, &out) }
                } else {
                    let no_control = WSABUF {
                        len: 0,
                        buf: std::ptr::null_mut(),
                    };
                    // SAFETY: `one` describes the caller's buffer; no
                    // destination (a connected socket's peer).
                    unsafe {
                        raw::send_gathered(&core, &one, 1, std::ptr::null(), 0, no_control, 0, &out)
                    }
                };
                sent.map_err(win32_error)?;
                Ok(TRUE)
            }
            Target::Std(fd) => {
                let bytes: &[u8] = if len == 0 {
                    &[]
                } else {
                    // SAFETY: `len` readable bytes per the contract (non-null).
                    unsafe { std::slice::from_raw_parts(buffer.cast(), len as usize) }
                };
                let n = write_std(fd, bytes)?;
                // SAFETY: forwarded contract.
                unsafe {
                    report(written, n as u32);
                    finish_synchronous(ov, n);
                }
                Ok(TRUE)
            }
        }
    })
}

/// `ReadFile`.
///
/// # Safety
/// `buffer` writable for `len` bytes; `read` null or writable; `ov` null
/// or valid until the operation completes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReadFile(
    file: HANDLE,
    buffer: *mut c_void,
    len: DWORD,
    read: *mut DWORD,
    ov: *mut WSAOVERLAPPED,
) -> BOOL {
    kernel32(FALSE, || {
        // SAFETY: forwarded contract.
        unsafe { prologue(buffer, len, read, ov, ERROR_NOACCESS) }?;
        match target(file)? {
            Target::Socket(core) => {
                let one = WSABUF {
                    len,
                    buf: buffer.cast(),
                };
                let got = if core.is_stream() {
                    // No flags in; the engine writes 0 back at call time.
                    let mut flags: u32 = 0;
                    // SAFETY: `one` describes the caller's buffer; `flags`
                    // is read and written during the call only.
                    unsafe { raw::stream::recv(&core, &one, 1, &mut flags, read, ov, None) }
                } else {
                    let none = RecvOutputs {
                        name: std::ptr::null_mut(),
                        namelen: std::ptr::null_mut(),
                        control: std::ptr::null_mut(),
                        flags: std::ptr::null_mut(),
                    };
                    // SAFETY: `one` describes the caller's buffer; no other
                    // outputs.
                    unsafe { raw::recv_into(&core, &one, 1, none, read, ov, None) }
                };
                got.map_err(win32_error)?;
                Ok(TRUE)
            }
            Target::Std(fd) => {
                let bytes: &mut [u8] = if len == 0 {
                    &mut []
                } else {
                    // SAFETY: `len` writable bytes per the contract (non-null).
                    unsafe { std::slice::from_raw_parts_mut(buffer.cast(), len as usize) }
                };
                let n = read_std(fd, bytes)?;
                // SAFETY: forwarded contract.
                unsafe {
                    report(read, n as u32);
                    finish_synchronous(ov, n);
                }
                Ok(TRUE)
            }
        }
    })
}
