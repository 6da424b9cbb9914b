//! Stream-socket calls on raw C pointers (SPEC P8): `accept`/`WSAAccept`
//! (the address rules and the condition function), the sends and receives
//! of `send`/`WSASend`/`recv`/`WSARecv` on a stream (blocking and
//! overlapped), its options with
//! Windows' sizes, `SIO_KEEPALIVE_VALS`. Sources: research-streams.md A3,
//! A5–A10 (Wine's Windows-run `test_accept`, `test_tcp_sendto_recvfrom`,
//! `test_keepalive_vals`, `test_set_getsockopt`).

use std::net::SocketAddr;
use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::OvPtr;
use crate::error::{Error, Result};
use crate::handles::{self, Object};
use crate::io::{self, Submitted};
use crate::ops::RecvFinish;
use crate::socket::{AcceptCondition, AcceptDecision, SocketCore};
use crate::translate::{Family, IoVecs, socket_addr_to_windows};

use super::{
    SendResultPtrs, complete_submitted_receive, fill_blocking_overlapped, io_pending,
    overlapped_delivery,
};

/// `accept`/`WSAAccept` after the handle lookup: the new socket's handle,
/// and its peer written to `addr` when both `addr` and `addrlen` are given
/// (`addr` without `addrlen` is left alone, as on Windows). An `addrlen`
/// too small for the listener's family is `WSAEFAULT` before a connection
/// is taken. `condition` (`WSAAccept`) is called with the peer and the
/// local address, and `data`.
///
/// # Safety
/// `addr` null or writable for `*addrlen` bytes; `addrlen` null or valid;
/// `condition` a function that may be called as Winsock calls it.
///
/// ```
/// # use ws2_engine::{Family, SocketCore, SocketKind};
/// let listener = SocketCore::new(Family::V4, SocketKind::Stream, 0, true)?;
/// listener.bind(&"127.0.0.1:0".parse()?)?;
/// listener.listen(ws2_abi::SOMAXCONN)?;
/// let _client = std::net::TcpStream::connect(listener.local_addr()?)?;
/// let (mut addr, mut len) = (ws2_abi::SOCKADDR_STORAGE::default(), 0i32);
/// // SAFETY: `addr` and `len` are live locals; no condition function.
/// let err = unsafe { ws2_engine::raw::stream::accept(&listener, (&raw mut addr).cast(), &mut len, None, 0) };
/// assert_eq!((err.unwrap_err().code(), len), (ws2_abi::WSAEFAULT, 0));
/// len = 128;
/// // SAFETY: as above.
/// let s = unsafe { ws2_engine::raw::stream::accept(&listener, (&raw mut addr).cast(), &mut len, None, 0) }?;
/// assert_eq!(len, 16);
/// # ws2_engine::handles::remove(s);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn accept(
    listener: &SocketCore,
    addr: *mut abi::SOCKADDR,
    addrlen: *mut i32,
    condition: abi::LPCONDITIONPROC,
    data: usize,
) -> Result<abi::SOCKET> {
    let want_addr = !addr.is_null() && !addrlen.is_null();
    if want_addr {
        // SAFETY: addrlen is valid per the contract.
        let len = unsafe { addrlen.read_unaligned() };
        let need = match listener.family() {
            Family::V4 => size_of::<abi::SOCKADDR_IN>(),
            Family::V6 => size_of::<abi::SOCKADDR_IN6>(),
        };
        if usize::try_from(len).unwrap_or(0) < need {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("addrlen {len} is too small for the peer's address ({need} bytes)"),
            ));
        }
    }
    let mut decide = condition.map(|f| {
        move |peer: &SocketAddr, local: &SocketAddr| {
            // SAFETY: the caller's condition function, called as Winsock does.
            unsafe { call_condition(f, peer, local, data) }
        }
    });
    let (core, peer) = listener.accept(decide.as_mut().map(|d| d as &mut AcceptCondition<'_>))?;
    let core = Arc::new(core);
    io::inherit_event_select(listener, &core)?;
    let s = handles::insert(Object::Socket(core))?;
    if want_addr {
        // SAFETY: addr writable for *addrlen bytes (checked large enough).
        unsafe { socket_addr_to_windows(&peer, addr, addrlen) }?;
    }
    Ok(s)
}

/// Calls `WSAAccept`'s condition function: the caller's and the callee's
/// ids are their `SOCKADDR`s; TCP has no connect data (empty `WSABUF`s)
/// and no QOS (NULL).
///
/// # Safety
/// `f` may be called with these arguments.
unsafe fn call_condition(
    f: unsafe extern "C" fn(
        *mut abi::WSABUF,
        *mut abi::WSABUF,
        *mut std::ffi::c_void,
        *mut std::ffi::c_void,
        *mut abi::WSABUF,
        *mut abi::WSABUF,
        *mut u32,
        usize,
    ) -> i32,
    peer: &SocketAddr,
    local: &SocketAddr,
    data: usize,
) -> AcceptDecision {
    let mut names = [abi::SOCKADDR_STORAGE::default(); 2];
    let mut lens = [size_of::<abi::SOCKADDR_STORAGE>() as i32; 2];
    for (i, a) in [peer, local].into_iter().enumerate() {
        // SAFETY: a SOCKADDR_STORAGE of its size.
        let _ = unsafe { socket_addr_to_windows(a, (&raw mut names[i]).cast(), &mut lens[i]) };
    }
    let mut caller = abi::WSABUF {
        len: lens[0] as u32,
        buf: (&raw mut names[0]).cast(),
    };
    let mut callee = abi::WSABUF {
        len: lens[1] as u32,
        buf: (&raw mut names[1]).cast(),
    };
    let empty = abi::WSABUF {
        len: 0,
        buf: std::ptr::null_mut(),
    };
    let (mut caller_data, mut callee_data) = (empty, empty);
    let mut group = 0u32;
    // SAFETY: every pointer is a live local for the call (the caller's contract for `f`).
    let v = unsafe {
        f(
            &mut caller,
            &mut caller_data,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut callee,
            &mut callee_data,
            &mut group,
            data,
        )
    };
    match v {
        abi::CF_ACCEPT => AcceptDecision::Accept,
        abi::CF_REJECT => AcceptDecision::Reject,
        abi::CF_DEFER => AcceptDecision::Defer,
        other => AcceptDecision::Invalid(other),
    }
}

/// `send`/`sendto`/`WSASend`/`WSASendTo` on a stream socket: a destination
/// is ignored (Windows neither checks nor uses it on a connected stream);
/// `MSG_OOB` sends the last byte urgent (`WSAEINVAL` with `SO_OOBINLINE`),
/// `MSG_DONTROUTE` is honoured, `MSG_PARTIAL` means nothing to a stream.
///
/// # Safety
/// Winsock's contract: `buffers` readable for `count` entries, their data
/// readable, `out`'s pointers valid.
pub unsafe fn send(
    core: &Arc<SocketCore>,
    buffers: *const abi::WSABUF,
    count: u32,
    flags: u32,
    out: &SendResultPtrs,
) -> Result<u32> {
    if out.bytes_sent.is_null() && out.overlapped.is_null() {
        return Err(Error::new(
            abi::WSAEFAULT,
            "lpNumberOfBytesSent is NULL and there is no OVERLAPPED",
        ));
    }
    if flags & !(abi::MSG_OOB | abi::MSG_DONTROUTE | abi::MSG_PARTIAL) != 0 {
        return Err(Error::new(
            abi::WSAEOPNOTSUPP,
            format!("dwFlags {flags:#x} has bits other than MSG_OOB, MSG_DONTROUTE, MSG_PARTIAL"),
        ));
    }
    let oob = flags & abi::MSG_OOB != 0;
    if oob && core.oob_inline() {
        return Err(Error::new(
            abi::WSAEINVAL,
            "MSG_OOB on a socket with SO_OOBINLINE on",
        ));
    }
    let mut iov = IoVecs::new();
    // SAFETY: forwarded contract.
    unsafe { iov.gather(buffers, count) }?;
    // SAFETY: IoVecs holds len() initialised iovecs.
    let slice = unsafe { std::slice::from_raw_parts(iov.as_ptr(), iov.len()) };
    let dontroute = flags & abi::MSG_DONTROUTE != 0;
    let ov = out.overlapped;
    if !ov.is_null() && core.is_overlapped() {
        // SAFETY: ov valid per the contract.
        let delivery = unsafe { overlapped_delivery(core, ov, out.routine) }?;
        let submitted = io::send_stream_overlapped(core, slice, oob, dontroute, delivery, || {
            // SAFETY: ov valid per the contract; written before the op is visible.
            unsafe { OvPtr(ov).mark_pending() }
        })?;
        return match submitted {
            Submitted::Now(result, delivery) => {
                let n = result?;
                if !out.bytes_sent.is_null() {
                    // SAFETY: bytes_sent writable per the contract.
                    unsafe { out.bytes_sent.write_unaligned(n as u32) };
                }
                // A send done at once still completes: event, routine, packet (S30).
                crate::socket::complete(Some(core), delivery, Ok(n), true);
                Ok(n as u32)
            }
            Submitted::Pending => Err(io_pending()),
        };
    }
    let n = io::send_stream(core, slice, oob, dontroute)? as u32;
    if !out.bytes_sent.is_null() {
        // SAFETY: bytes_sent writable per the contract.
        unsafe { out.bytes_sent.write_unaligned(n) };
    }
    if !out.overlapped.is_null() {
        // SAFETY: the OVERLAPPED of a socket that is not overlapped-capable (S28).
        unsafe { fill_blocking_overlapped(out.overlapped, n as usize) };
    }
    Ok(n)
}

/// `WSARecv`/`WSARecvFrom` on a stream socket: `*flags` in (`MSG_PEEK`,
/// `MSG_OOB`, `MSG_WAITALL`), 0 out; a source address is neither checked
/// nor written (Windows: `test_tcp_sendto_recvfrom`).
///
/// # Safety
/// Winsock's contract: buffers writable, `flags` readable and writable,
/// `bytes` writable or null.
pub unsafe fn recv(
    core: &Arc<SocketCore>,
    buffers: *const abi::WSABUF,
    count: u32,
    flags: *mut u32,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    if bytes.is_null() && overlapped.is_null() {
        return Err(Error::new(
            abi::WSAEFAULT,
            "lpNumberOfBytesRecvd is NULL and there is no OVERLAPPED",
        ));
    }
    if flags.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "lpFlags is NULL"));
    }
    // SAFETY: flags readable per the contract (checked non-null).
    let in_flags = unsafe { flags.read_unaligned() };
    // Filled in place: a returned `IoVecs` would be copied.
    let mut iov = IoVecs::new();
    // SAFETY: lpBuffers readable for count entries per the contract.
    unsafe { iov.gather(buffers, count) }?;
    if !overlapped.is_null() && core.is_overlapped() {
        // SAFETY: forwarded contract.
        return unsafe { recv_overlapped(core, &iov, in_flags, flags, bytes, overlapped, routine) };
    }
    // SAFETY: the iovecs describe the caller's writable buffers.
    let n = unsafe { core.recv_stream(iov.as_ptr().cast_mut(), iov.len(), in_flags) }? as u32;
    // SAFETY: flags and bytes writable per the contract.
    unsafe {
        flags.write_unaligned(0);
        if !bytes.is_null() {
            bytes.write_unaligned(n);
        }
    }
    if !overlapped.is_null() {
        // SAFETY: the OVERLAPPED of a socket that is not overlapped-capable (S28).
        unsafe { fill_blocking_overlapped(overlapped, n as usize) };
    }
    Ok(n)
}

/// An overlapped `WSARecv` on a stream (P8, research-streams.md B1): it
/// completes with what is there, at once when data (or the end of the
/// stream: 0 bytes) waits (a packet is still queued, `test_completion_port`),
/// else when data arrives, in posting order; never `WSAEWOULDBLOCK`
/// (`test_nonblocking_async_recv`). `MSG_PEEK` and `MSG_OOB` are taken;
/// `MSG_WAITALL` completes once the buffers are full, or at the end of the
/// stream or an error with what arrived (the `WSARecv` page;
/// `io::recv_stream_waitall`), and is `WSAEOPNOTSUPP` with `MSG_PEEK` or
/// `MSG_OOB` (the `recv` page). `*lpFlags` reads 0 from the call on.
///
/// # Safety
/// As for [`recv`]; every pointer valid until completion.
unsafe fn recv_overlapped(
    core: &Arc<SocketCore>,
    iov: &IoVecs,
    in_flags: u32,
    flags: *mut u32,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    let known = abi::MSG_PEEK | abi::MSG_OOB | abi::MSG_WAITALL | abi::MSG_PUSH_IMMEDIATE;
    if in_flags & !known != 0 {
        return Err(Error::new(
            abi::WSAEOPNOTSUPP,
            format!(
                "receive flags {in_flags:#x}: an overlapped stream receive takes MSG_PEEK, \
                 MSG_OOB, MSG_WAITALL, MSG_PUSH_IMMEDIATE"
            ),
        ));
    }
    let wait_all = in_flags & abi::MSG_WAITALL != 0;
    if wait_all && in_flags & (abi::MSG_PEEK | abi::MSG_OOB) != 0 {
        return Err(Error::new(
            abi::WSAEOPNOTSUPP,
            "MSG_WAITALL cannot be combined with MSG_PEEK or MSG_OOB",
        ));
    }
    let mut linux = 0;
    if in_flags & abi::MSG_PEEK != 0 {
        linux |= libc::MSG_PEEK;
    }
    if in_flags & abi::MSG_OOB != 0 {
        if core.oob_inline() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "MSG_OOB on a socket with SO_OOBINLINE on",
            ));
        }
        linux |= libc::MSG_OOB;
    }
    // SAFETY: overlapped valid per the contract.
    let delivery = unsafe { overlapped_delivery(core, overlapped, routine) }?;
    // SAFETY: IoVecs holds len() initialised iovecs.
    let slice = unsafe { std::slice::from_raw_parts(iov.as_ptr(), iov.len()) };
    let finish = |got: Result<crate::translate::Received>| got.map(|r| r.bytes);
    // SAFETY: flags writable per the contract.
    unsafe { flags.write_unaligned(0) };
    let on_pending = || {
        // SAFETY: overlapped valid; written before the op is visible.
        unsafe { OvPtr(overlapped).mark_pending() }
    };
    let submitted = if wait_all && iov.total() > 0 {
        io::recv_stream_waitall(core, slice, finish, delivery, on_pending)?
    } else {
        io::recv_stream_overlapped(
            core,
            slice,
            linux,
            RecvFinish::new(finish),
            delivery,
            on_pending,
        )?
    };
    match submitted {
        Submitted::Now(result, delivery) => {
            // SAFETY: bytes writable per the contract.
            unsafe { complete_submitted_receive(core, delivery, result, bytes) }.map(|n| n as u32)
        }
        Submitted::Pending => Err(io_pending()),
    }
}

/// `SIO_KEEPALIVE_VALS`: a `tcp_keepalive` of 12 bytes (shorter or NULL:
/// `WSAEFAULT`).
///
/// # Safety
/// `in_buf` null or readable for `in_len` bytes.
pub unsafe fn keepalive_vals(core: &SocketCore, in_buf: *const u8, in_len: u32) -> Result<()> {
    if in_buf.is_null() || in_len < abi::TCP_KEEPALIVE_SIZE {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("lpvInBuffer must hold a tcp_keepalive (12 bytes), got {in_len}"),
        ));
    }
    // SAFETY: in_buf holds a tcp_keepalive (checked).
    let k = unsafe { in_buf.cast::<abi::tcp_keepalive>().read_unaligned() };
    core.set_keepalive_vals(k.onoff != 0, k.keepalivetime, k.keepaliveinterval)
}
