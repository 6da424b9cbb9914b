//! The receives: `WSARecvMsg` (through `WSAIoctl`), `WSARecvFrom`,
//! `WSARecv`, `recv`, `recvfrom`.

use std::ffi::{c_char, c_int};

use ws2_abi::*;
use ws2_engine::Error;
use ws2_engine::raw;
use ws2_engine::translate::socket_addr_to_windows;

use crate::{socket_of, winsock};

/// # Safety
/// `buf` writable for `len` bytes.
#[unsafe(export_name = "ws2_recv")]
pub unsafe extern "C" fn recv(s: SOCKET, buf: *mut c_char, len: c_int, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        recvfrom(
            s,
            buf,
            len,
            flags,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    }
}

/// # Safety
/// `buf` writable for `len` bytes; `from` writable for `*fromlen` bytes.
#[unsafe(export_name = "ws2_recvfrom")]
pub unsafe extern "C" fn recvfrom(
    s: SOCKET,
    buf: *mut c_char,
    len: c_int,
    flags: c_int,
    from: *mut SOCKADDR,
    fromlen: *mut c_int,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        let len = usize::try_from(len)
            .map_err(|_| Error::new(WSAEFAULT, format!("len {len} is negative")))?;
        if buf.is_null() && len != 0 {
            return Err(Error::new(WSAEFAULT, "buf is NULL"));
        }
        if core.is_stream() {
            // A stream ignores `from`/`fromlen` (Windows: test_tcp_sendto_recvfrom).
            let mut iov = libc::iovec {
                iov_base: buf.cast(),
                iov_len: len,
            };
            // SAFETY: buf writable for len bytes per the contract.
            return unsafe { core.recv_stream(&mut iov, 1, flags as u32) }.map(|n| n as c_int);
        }
        if flags as u32 & !MSG_PEEK != 0 {
            return Err(Error::new(
                WSAEOPNOTSUPP,
                format!("recv flags {flags:#x}: only MSG_PEEK is supported"),
            ));
        }
        if !from.is_null() && fromlen.is_null() {
            return Err(Error::new(WSAEFAULT, "from is given but fromlen is NULL"));
        }
        // SAFETY: fromlen readable per the contract (non-null when from is).
        unsafe { raw::check_source_room(&core, from, fromlen) }?;
        let slice: &mut [u8] = if len == 0 {
            &mut []
        } else {
            // SAFETY: buf writable for len bytes per the contract.
            unsafe { std::slice::from_raw_parts_mut(buf.cast(), len) }
        };
        let (n, source) = core.recv_from(slice, flags as u32 & MSG_PEEK != 0)?;
        if !from.is_null()
            && let Some(source) = source
        {
            // SAFETY: forwarded contract.
            unsafe { socket_addr_to_windows(&source, from, fromlen) }?;
        }
        Ok(n as c_int)
    })
}

/// `WSARecvMsg` (S27): not exported by name on Windows, only returned by
/// `WSAIoctl(WSAID_WSARECVMSG)` (S1).
///
/// # Safety
/// Winsock's contract: every non-null pointer valid for its documented use.
pub(crate) unsafe extern "C" fn wsa_recv_msg(
    s: SOCKET,
    msg: *mut WSAMSG,
    bytes: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::recv_msg(&core, msg, bytes, overlapped, routine) }?;
        Ok(0)
    })
}

/// `WSARecvFrom`: one datagram into gathered buffers, with its source;
/// blocking or overlapped (S27, S28–S30). `*lpFlags` must be 0 on input.
///
/// # Safety
/// Winsock's contract: every non-null pointer valid until completion.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSARecvFrom(
    s: SOCKET,
    buffers: *mut WSABUF,
    count: DWORD,
    bytes: *mut DWORD,
    flags: *mut DWORD,
    from: *mut SOCKADDR,
    fromlen: *mut c_int,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // A receive needs a buffer to receive into (sock.c test_empty_recv:
        // NULL lpBuffers or dwBufferCount 0 is WSAEINVAL).
        if buffers.is_null() || count == 0 {
            return Err(Error::new(
                WSAEINVAL,
                "lpBuffers is NULL or dwBufferCount is 0: nothing to receive into",
            ));
        }
        if core.is_stream() {
            // A stream ignores lpFrom/lpFromlen (Windows: test_tcp_sendto_recvfrom).
            // SAFETY: forwarded contract.
            return unsafe {
                raw::stream::recv(&core, buffers, count, flags, bytes, overlapped, routine)
            }
            .map(|_| 0);
        }
        if flags.is_null() {
            return Err(Error::new(WSAEFAULT, "lpFlags is NULL"));
        }
        // SAFETY: flags readable per the contract (checked non-null).
        let in_flags = unsafe { flags.read_unaligned() };
        if in_flags != 0 {
            return Err(Error::new(
                WSAEOPNOTSUPP,
                format!("receive flags {in_flags:#x} are not supported on datagram sockets"),
            ));
        }
        if !from.is_null() && fromlen.is_null() {
            return Err(Error::new(
                WSAEFAULT,
                "lpFrom is given but lpFromlen is NULL",
            ));
        }
        let outputs = raw::RecvOutputs {
            name: from,
            namelen: fromlen,
            control: std::ptr::null_mut(),
            flags,
        };
        // SAFETY: forwarded contract.
        unsafe { raw::recv_into(&core, buffers, count, outputs, bytes, overlapped, routine) }?;
        Ok(0)
    })
}

/// `WSARecv`: as `WSARecvFrom` without the source address.
///
/// # Safety
/// Winsock's contract: every non-null pointer valid until completion.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSARecv(
    s: SOCKET,
    buffers: *mut WSABUF,
    count: DWORD,
    bytes: *mut DWORD,
    flags: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        WSARecvFrom(
            s,
            buffers,
            count,
            bytes,
            flags,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            overlapped,
            routine,
        )
    }
}
