//! `WSAIoctl` codes about the socket itself, after the handle lookup and
//! the `lpcbBytesReturned` check: `FIONBIO`, `SIO_BASE_HANDLE` and the
//! `SIO_BSP_HANDLE*` codes, `SIO_ENABLE_CIRCULAR_QUEUEING`, and the answer
//! to a code ws2 does not support, each as Windows answers it (Wine's
//! Windows-run `test_fionbio`, `test_base_handle`, `test_circular_queueing`,
//! `test_unsupported_ioctls`, dlls/ws2_32/tests/sock.c).

use ws2_abi as abi;

use crate::completion::OvPtr;
use crate::error::{Error, Result};
use crate::socket::{SocketCore, SocketKind};
use crate::translate::caller_memory::{readable, scatter};

use super::{io_pending, overlapped_delivery};

/// `FIONBIO` (`ioctlsocket` and `WSAIoctl`): the input is a `u_long`, 4
/// bytes at least (`WSAEFAULT` for less, or for a pointer that cannot be
/// read); the output buffer is ignored. Turning it off while
/// `WSAEventSelect` has events selected is `WSAEINVAL` (P1).
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let on = 1u32;
/// ws2_engine::raw::fionbio(&core, (&raw const on).cast(), 4)?;
/// assert!(core.is_nonblocking());
/// let err = ws2_engine::raw::fionbio(&core, (&raw const on).cast(), 3).unwrap_err();
/// assert_eq!(err.code(), ws2_abi::WSAEFAULT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fionbio(core: &SocketCore, in_buf: *const u8, in_len: u32) -> Result<()> {
    if in_buf.is_null() || in_len < 4 || !readable(in_buf, 4) {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("FIONBIO needs a readable 4-byte u_long, got {in_len} bytes"),
        ));
    }
    // SAFETY: 4 bytes at in_buf were just found readable.
    let on = unsafe { in_buf.cast::<u32>().read_unaligned() } != 0;
    crate::readiness::set_fionbio(core, on)
}

/// `SIO_BASE_HANDLE` and the `SIO_BSP_HANDLE*` codes: the socket itself
/// (ws2 has no layered providers), 8 bytes, returned as the byte count for
/// `*lpcbBytesReturned`; an output shorter than a
/// `SOCKET` is `WSAEFAULT` (Microsoft's `SIO_BASE_HANDLE` entry). With an
/// OVERLAPPED on an overlapped-capable socket Windows does not answer it
/// at all: the call pends and completes with `STATUS_NOT_SUPPORTED`, the
/// output untouched (`test_base_handle`).
///
/// # Safety
/// The OVERLAPPED null or valid until completion.
pub unsafe fn base_handle(
    core: &SocketCore,
    socket: abi::SOCKET,
    out_buf: *mut u8,
    out_len: u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    if !overlapped.is_null() && core.is_overlapped() {
        // SAFETY: forwarded contract.
        return Err(unsafe { not_supported(core, 0, std::ptr::null_mut(), overlapped, routine) });
    }
    let bytes = socket.to_ne_bytes();
    if out_buf.is_null() || (out_len as usize) < bytes.len() {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("the output must hold a SOCKET (8 bytes), cbOutBuffer is {out_len}"),
        ));
    }
    let iov = [libc::iovec {
        iov_base: out_buf.cast(),
        iov_len: bytes.len(),
    }];
    if !scatter(&bytes, &iov) {
        return Err(Error::new(abi::WSAEFAULT, "lpvOutBuffer is not writable"));
    }
    Ok(bytes.len() as u32)
}

/// `SIO_ENABLE_CIRCULAR_QUEUEING` on a datagram socket: accepted, no
/// output (`test_circular_queueing`); on a stream socket a code it does
/// not support. Linux has no such mode: a full receive buffer still drops
/// the newest datagram, not the oldest.
///
/// # Safety
/// `bytes_returned` writable; the OVERLAPPED null or valid until completion.
pub unsafe fn circular_queueing(
    core: &SocketCore,
    bytes_returned: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    if core.kind() == SocketKind::Stream {
        let code = abi::SIO_ENABLE_CIRCULAR_QUEUEING;
        // SAFETY: forwarded contract.
        return Err(unsafe { not_supported(core, code, bytes_returned, overlapped, routine) });
    }
    Ok(0)
}

/// A code ws2 does not support. Without an OVERLAPPED (or on a socket that
/// is not overlapped-capable): `WSAEOPNOTSUPP`, and `*lpcbBytesReturned`
/// (when given) becomes 0. With one, Windows does not fail the call: it pends
/// (`WSA_IO_PENDING`, `*lpcbBytesReturned` untouched) and completes with
/// `STATUS_NOT_SUPPORTED` (a port packet with `ERROR_NOT_SUPPORTED`, a
/// routine with `WSAEOPNOTSUPP`; `test_unsupported_ioctls`).
///
/// # Safety
/// `bytes_returned` null or writable; the OVERLAPPED null or valid until
/// completion.
pub unsafe fn not_supported(
    core: &SocketCore,
    code: u32,
    bytes_returned: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Error {
    let error = Error::new(
        abi::WSAEOPNOTSUPP,
        format!("ioctl code {code:#x} is not supported"),
    );
    if overlapped.is_null() || !core.is_overlapped() {
        if !bytes_returned.is_null() {
            // SAFETY: writable per the contract.
            unsafe { bytes_returned.write_unaligned(0) };
        }
        return error;
    }
    // SAFETY: the OVERLAPPED is valid until completion per the contract.
    let delivery = match unsafe { overlapped_delivery(core, overlapped, routine) } {
        Ok(d) => d,
        Err(e) => return e,
    };
    // SAFETY: as above; written before the completion is delivered.
    unsafe { OvPtr(overlapped).mark_pending() };
    crate::socket::complete(Some(core), delivery, Err(error), false);
    io_pending()
}
