//! The sends: `WSASendMsg`, `WSASend`, `WSASendTo`, `send`, `sendto`.

use std::ffi::{c_char, c_int};

use ws2_abi::*;
use ws2_engine::raw::{self, SendResultPtrs};
use ws2_engine::{Error, Result};

use crate::{socket_of, winsock};

fn results(
    bytes_sent: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> SendResultPtrs {
    SendResultPtrs {
        bytes_sent,
        overlapped,
        routine,
    }
}

/// `WSASendMsg` (S1, S3–S25). Also returned by `WSAIoctl(WSAID_WSASENDMSG)`.
///
/// # Safety
/// Winsock's contract: every non-null pointer valid for its documented use.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSASendMsg(
    s: SOCKET,
    msg: *mut WSAMSG,
    flags: DWORD,
    bytes_sent: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::send_msg(&core, msg, flags, &results(bytes_sent, overlapped, routine)) }?;
        Ok(0)
    })
}

/// # Safety
/// Winsock's contract for `WSASend`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSASend(
    s: SOCKET,
    buffers: *mut WSABUF,
    count: DWORD,
    bytes_sent: *mut DWORD,
    flags: DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        let out = results(bytes_sent, overlapped, routine);
        if core.is_stream() {
            // SAFETY: forwarded contract.
            return unsafe { raw::stream::send(&core, buffers, count, flags, &out) }.map(|_| 0);
        }
        // SAFETY: forwarded contract.
        unsafe {
            raw::send_gathered(
                &core,
                buffers,
                count,
                std::ptr::null(),
                0,
                no_control(),
                flags,
                &out,
            )
        }
        .map(|_| 0)
    })
}

/// # Safety
/// Winsock's contract for `WSASendTo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSASendTo(
    s: SOCKET,
    buffers: *mut WSABUF,
    count: DWORD,
    bytes_sent: *mut DWORD,
    flags: DWORD,
    to: *const SOCKADDR,
    tolen: c_int,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        let out = results(bytes_sent, overlapped, routine);
        if core.is_stream() {
            // A connected stream ignores the destination (Windows: test_tcp_sendto_recvfrom).
            // SAFETY: forwarded contract.
            return unsafe { raw::stream::send(&core, buffers, count, flags, &out) }.map(|_| 0);
        }
        // SAFETY: forwarded contract.
        unsafe { raw::send_gathered(&core, buffers, count, to, tolen, no_control(), flags, &out) }?;
        Ok(0)
    })
}

fn no_control() -> WSABUF {
    WSABUF {
        len: 0,
        buf: std::ptr::null_mut(),
    }
}

fn one_buffer(buf: *const c_char, len: c_int) -> Result<WSABUF> {
    let len =
        u32::try_from(len).map_err(|_| Error::new(WSAEFAULT, format!("len {len} is negative")))?;
    Ok(WSABUF {
        len,
        buf: buf.cast_mut(),
    })
}

/// # Safety
/// `buf` readable for `len` bytes.
#[unsafe(export_name = "ws2_send")]
pub unsafe extern "C" fn send(s: SOCKET, buf: *const c_char, len: c_int, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { sendto(s, buf, len, flags, std::ptr::null(), 0) }
}

/// # Safety
/// `buf` readable for `len` bytes, `to` for `tolen` bytes.
#[unsafe(export_name = "ws2_sendto")]
pub unsafe extern "C" fn sendto(
    s: SOCKET,
    buf: *const c_char,
    len: c_int,
    flags: c_int,
    to: *const SOCKADDR,
    tolen: c_int,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        let wsabuf = one_buffer(buf, len)?;
        let mut sent: DWORD = 0;
        let out = results(&mut sent, std::ptr::null_mut(), None);
        if core.is_stream() {
            // A connected stream ignores `to` (Windows: test_tcp_sendto_recvfrom).
            // SAFETY: wsabuf describes the caller's buffer.
            return unsafe { raw::stream::send(&core, &wsabuf, 1, flags as u32, &out) }
                .map(|n| n as c_int);
        }
        // SAFETY: wsabuf describes the caller's buffer; `to` per the contract.
        unsafe {
            raw::send_gathered(
                &core,
                &wsabuf,
                1,
                to,
                tolen,
                no_control(),
                flags as u32,
                &out,
            )
        }
        .map(|n| n as c_int)
    })
}
