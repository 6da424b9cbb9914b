//! The `mswsock` extension functions for streams on raw C pointers (SPEC
//! P8, part 2): `AcceptEx`, `GetAcceptExSockaddrs`, `ConnectEx`,
//! `DisconnectEx` and the `SO_UPDATE_*_CONTEXT` options. Sources: research-streams.md B4–B7, D5–D6
//! (Wine's Windows-run `test_AcceptEx`, `test_completion_port`,
//! `test_get_extension_func`; Microsoft's `AcceptEx` page).

use ws2_abi as abi;

use crate::completion::OvPtr;
use crate::error::{Error, Result};
use crate::handles;
use crate::io::{self, AcceptExBuffer, Submitted};

use super::{io_pending, overlapped_delivery};

/// `AcceptEx` after nothing: every check in `test_AcceptEx`'s order. A
/// NULL OVERLAPPED is `ERROR_INVALID_PARAMETER` before anything else; every
/// other refusal first writes `STATUS_PENDING` to `Internal`, as Windows
/// does (D5). `Ok(())` is `TRUE` (a connection, and its first data if
/// asked, were there: `*lpdwBytesReceived` written, a packet still queued);
/// a pending operation is `WSA_IO_PENDING`.
///
/// # Safety
/// Winsock's contract: `buf` writable for `receive + local + remote` bytes
/// and `ov` valid until completion; `bytes` null or writable.
#[allow(clippy::too_many_arguments)]
pub unsafe fn accept_ex(
    listen: usize,
    accept: usize,
    buf: *mut u8,
    receive: u32,
    local: u32,
    remote: u32,
    bytes: *mut u32,
    ov: *mut abi::WSAOVERLAPPED,
) -> Result<()> {
    if ov.is_null() {
        return Err(Error::new(
            abi::ERROR_INVALID_PARAMETER as i32,
            "AcceptEx: lpOverlapped is NULL (AcceptEx is overlapped only)",
        ));
    }
    // SAFETY: ov valid per the contract.
    unsafe { OvPtr(ov).mark_pending() };
    let listener = handles::socket(listen)?;
    if !listener.is_stream() || !listener.is_listening() {
        return Err(Error::new(
            abi::WSAEINVAL,
            "AcceptEx: sListenSocket is not listening (call listen first)",
        ));
    }
    let acceptor = handles::socket(accept)?;
    if buf.is_null() {
        return Err(Error::new(
            abi::WSAEFAULT,
            "AcceptEx: lpOutputBuffer is NULL",
        ));
    }
    if remote == 0 {
        return Err(Error::new(
            abi::WSAEFAULT,
            "AcceptEx: dwRemoteAddressLength is 0 (the remote address is always written)",
        ));
    }
    // SAFETY: ov valid per the contract; AcceptEx takes no routine.
    let delivery = unsafe { overlapped_delivery(&listener, ov, None) }?;
    let buffer = AcceptExBuffer {
        ptr: buf,
        receive,
        local,
        remote,
    };
    let submitted = io::accept_ex(&listener, &acceptor, buffer, ov as usize, delivery, || {})?;
    match submitted {
        Submitted::Now(Ok(n), delivery) => {
            if !bytes.is_null() {
                // SAFETY: bytes writable per the contract.
                unsafe { bytes.write_unaligned(n as u32) };
            }
            crate::socket::complete(Some(&listener), delivery, Ok(n), true);
            Ok(())
        }
        Submitted::Now(Err(e), delivery) => {
            // A failure found at once is still the operation's completion.
            crate::socket::complete(Some(&listener), delivery, Err(e), false);
            Err(io_pending())
        }
        Submitted::Pending => Err(io_pending()),
    }
}

/// `ConnectEx` (research-streams.md B8, D8: `test_connect`,
/// `test_connect_completion_port`): the handle, then a listening, accepting
/// (in `AcceptEx`), datagram or unbound socket (`WSAEINVAL`), then a NULL
/// OVERLAPPED (`ERROR_INVALID_PARAMETER`), then the address and the
/// connection state (`WSAEISCONN`; `WSAEINVAL` while connecting); every
/// refusal after the handle writes `STATUS_PENDING` to `Internal`. `Ok(())`
/// is `TRUE` (connected and sent at once; `*lpdwBytesSent` written and a
/// packet queued); else `WSA_IO_PENDING`.
///
/// # Safety
/// Winsock's contract: `name` readable for `namelen` bytes, `send`
/// readable for `send_len` bytes and `ov` valid until completion; `bytes`
/// null or writable.
#[allow(clippy::too_many_arguments)]
pub unsafe fn connect_ex(
    s: usize,
    name: *const abi::SOCKADDR,
    namelen: i32,
    send: *const u8,
    send_len: u32,
    bytes: *mut u32,
    ov: *mut abi::WSAOVERLAPPED,
) -> Result<()> {
    let core = handles::socket(s)?;
    if !ov.is_null() {
        // SAFETY: ov valid per the contract.
        unsafe { OvPtr(ov).mark_pending() };
    }
    core.check_connect_ex()?;
    if ov.is_null() {
        return Err(Error::new(
            abi::ERROR_INVALID_PARAMETER as i32,
            "ConnectEx: lpOverlapped is NULL (ConnectEx is overlapped only)",
        ));
    }
    // SAFETY: name readable for namelen bytes per the contract.
    let addr = unsafe { super::socket_addr_for(&core, name, namelen) }?;
    if send.is_null() && send_len != 0 {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("ConnectEx: lpSendBuffer is NULL but dwSendDataLength is {send_len}"),
        ));
    }
    let iov = [libc::iovec {
        iov_base: send.cast_mut().cast(),
        iov_len: send_len as usize,
    }];
    let iov = if send_len == 0 { &iov[..0] } else { &iov[..] };
    // SAFETY: ov valid per the contract; ConnectEx takes no routine.
    let delivery = unsafe { overlapped_delivery(&core, ov, None) }?;
    match io::connect_ex(&core, &addr, iov, delivery, || {})? {
        Submitted::Now(Ok(n), delivery) => {
            if !bytes.is_null() {
                // SAFETY: bytes writable per the contract.
                unsafe { bytes.write_unaligned(n as u32) };
            }
            crate::socket::complete(Some(&core), delivery, Ok(n), true);
            Ok(())
        }
        Submitted::Now(Err(e), delivery) => {
            crate::socket::complete(Some(&core), delivery, Err(e), false);
            Err(io_pending())
        }
        Submitted::Pending => Err(io_pending()),
    }
}

/// `DisconnectEx` (research-streams.md B10, D12: `test_DisconnectEx`,
/// `test_shutdown_completion_port`): a half close, as `shutdown(SD_SEND)`
/// (the FIN after every byte already taken), leaving the socket connected
/// for receiving; with `TF_REUSE_SOCKET`, the end of the connection, the
/// handle then naming a fresh socket for the next `AcceptEx` (a socket
/// that was accepted: unbound) or `ConnectEx` (one that connected: still
/// bound), as Microsoft's `DisconnectEx` and `ConnectEx` pages say
/// ([`io::reuse_stream`]). `dwReserved` must be 0 and `dwFlags` 0 or
/// `TF_REUSE_SOCKET` (`WSAEINVAL`); an unconnected socket is
/// `WSAENOTCONN`. With an OVERLAPPED it completes (0 bytes, a packet
/// unless `hEvent`'s low bit is set, also with skip-on-success) and the
/// call reports `WSA_IO_PENDING`, as Windows does; without one it returns
/// `TRUE`, and (flags 0) may be repeated.
///
/// # Safety
/// `ov` null or valid until completion.
pub unsafe fn disconnect_ex(
    s: usize,
    ov: *mut abi::WSAOVERLAPPED,
    flags: u32,
    reserved: u32,
) -> Result<()> {
    let core = handles::socket(s)?;
    if reserved != 0 {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("DisconnectEx: dwReserved is {reserved:#x}, must be 0"),
        ));
    }
    if !core.is_stream() {
        return Err(Error::new(
            abi::WSAEINVAL,
            "DisconnectEx works on connection-oriented (stream) sockets only",
        ));
    }
    core.shutdown_checks()?;
    if flags & !abi::TF_REUSE_SOCKET != 0 {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("DisconnectEx: dwFlags {flags:#x} is neither 0 nor TF_REUSE_SOCKET"),
        ));
    }
    let delivery = if ov.is_null() {
        None
    } else {
        // SAFETY: ov valid per the contract; DisconnectEx takes no routine.
        Some(unsafe { overlapped_delivery(&core, ov, None) }?)
    };
    if flags & abi::TF_REUSE_SOCKET != 0 {
        io::reuse_stream(&core)?;
    } else {
        core.shutdown(abi::SD_SEND)?;
    }
    match delivery {
        None => Ok(()),
        Some(delivery) => {
            // SAFETY: ov valid per the contract; written before it completes.
            unsafe { OvPtr(ov).mark_pending() };
            crate::socket::complete(Some(&core), delivery, Ok(0), false);
            Err(io_pending())
        }
    }
}

/// `GetAcceptExSockaddrs`: see [`io::accept_ex_sockaddrs`].
///
/// # Safety
/// As there.
#[allow(clippy::too_many_arguments)]
pub unsafe fn get_accept_ex_sockaddrs(
    buf: *mut u8,
    receive: u32,
    local: u32,
    remote: u32,
    local_out: *mut *mut abi::SOCKADDR,
    local_len: *mut i32,
    remote_out: *mut *mut abi::SOCKADDR,
    remote_len: *mut i32,
) {
    let buffer = AcceptExBuffer {
        ptr: buf,
        receive,
        local,
        remote,
    };
    // SAFETY: forwarded contract.
    unsafe { io::accept_ex_sockaddrs(buffer, (local_out, local_len), (remote_out, remote_len)) }
}

/// `setsockopt(SO_UPDATE_ACCEPT_CONTEXT)`: `optval` holds the listening
/// `SOCKET` (`optlen` at least `sizeof(SOCKET)`, else `WSAEFAULT`).
///
/// # Safety
/// `optval` null or readable for `optlen` bytes.
pub unsafe fn update_accept_context(s: usize, optval: *const u8, optlen: i32) -> Result<()> {
    let core = handles::socket(s)?;
    if optval.is_null() || optlen < size_of::<abi::SOCKET>() as i32 {
        return Err(Error::new(
            abi::WSAEFAULT,
            "SO_UPDATE_ACCEPT_CONTEXT: optval must hold the listening SOCKET (optlen sizeof(SOCKET))",
        ));
    }
    // SAFETY: optval readable for a SOCKET (checked).
    let listen = unsafe { optval.cast::<abi::SOCKET>().read_unaligned() };
    let listener = handles::socket(listen)?;
    core.update_accept_context(&listener)
}
