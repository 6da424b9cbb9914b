//! Receives into raw caller memory (`WSARecvFrom`, `WSARecvMsg`, `recv`,
//! `recvfrom`): blocking or overlapped, outputs written at completion (S27).

use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::OvPtr;
use crate::error::{Error, Result};
use crate::io::{self, Submitted};
use crate::ops::RecvFinish;
use crate::socket::{SocketCore, WindowsReceive};
pub use crate::translate::RecvOutputs;
use crate::translate::{IoVecs, Received, control_slice};

use super::*;

/// Checks, before anything is received, that a source-address buffer can
/// hold the socket family's `SOCKADDR`: a smaller `*fromlen` (or
/// `WSAMSG::namelen`) is `WSAEFAULT` and the datagram stays queued for
/// the next receive (sock.c `test_UDP`; Microsoft's `recvfrom` page names
/// WSAEFAULT for a `fromlen` too small for the source address). Linux
/// would truncate the address and consume the datagram.
///
/// # Safety
/// `namelen` null or readable.
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V6, SocketKind::Datagram, 0, true)?;
/// let mut name = ws2_abi::SOCKADDR_STORAGE::default();
/// let mut len = 16; // room for a SOCKADDR_IN, not a SOCKADDR_IN6
/// // SAFETY: `len` is a live i32.
/// let err = unsafe { ws2_engine::raw::check_source_room(&core, (&raw mut name).cast(), &mut len) };
/// assert_eq!(err.unwrap_err().code(), ws2_abi::WSAEFAULT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn check_source_room(
    core: &SocketCore,
    name: *mut abi::SOCKADDR,
    namelen: *const i32,
) -> Result<()> {
    if name.is_null() || namelen.is_null() {
        return Ok(());
    }
    // SAFETY: namelen is non-null and readable per the contract.
    let room = unsafe { namelen.read_unaligned() };
    // Room for either family's address (the usual SOCKADDR_STORAGE).
    if room >= size_of::<abi::SOCKADDR_IN6>() as i32 {
        return Ok(());
    }
    let needed = match core.family() {
        crate::translate::Family::V4 => size_of::<abi::SOCKADDR_IN>(),
        crate::translate::Family::V6 => size_of::<abi::SOCKADDR_IN6>(),
    };
    if usize::try_from(room).is_ok_and(|room| room >= needed) {
        return Ok(());
    }
    Err(Error::new(
        abi::WSAEFAULT,
        format!(
            "the source address needs {needed} bytes but its length says {room}; the datagram stays queued"
        ),
    ))
}

/// `WSARecvMsg`, `WSARecvFrom`, `WSARecv` after their own unpacking (S27):
/// blocking, or overlapped with the same completion machinery as sends.
///
/// # Safety
/// Winsock's contract: buffers writable for their lengths, outputs writable,
/// all valid until completion for an overlapped call.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// # use ws2_engine::raw::{recv_into, RecvOutputs};
/// # use ws2_abi::{SOCKADDR_STORAGE, WSABUF};
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// core.bind(&"127.0.0.1:0".parse()?)?;
/// let tx = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// tx.send_to(b"ping", core.local_addr()?)?;
/// let mut data = [0u8; 16];
/// let buf = WSABUF { len: 16, buf: data.as_mut_ptr().cast() };
/// let (mut from, mut fromlen, mut flags, mut got) = (SOCKADDR_STORAGE::default(), 128, 0u32, 0u32);
/// let outputs = RecvOutputs { name: (&raw mut from).cast(), namelen: &mut fromlen,
///     control: std::ptr::null_mut(), flags: &mut flags };
/// // SAFETY: the buffer and every output are live locals; a blocking call.
/// unsafe { recv_into(&core, &buf, 1, outputs, &mut got, std::ptr::null_mut(), None) }?;
/// assert_eq!((&data[..got as usize], fromlen), (&b"ping"[..], 16));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub unsafe fn recv_into(
    core: &Arc<SocketCore>,
    buffers: *const abi::WSABUF,
    count: u32,
    outputs: RecvOutputs,
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
    // SAFETY: namelen readable per the contract.
    unsafe { check_source_room(core, outputs.name, outputs.namelen) }?;
    // SAFETY: control readable per the contract.
    let control = unsafe { control_slice(outputs.control) }?;
    // The usual receive has one buffer: no IoVecs to build.
    if count == 1 && !buffers.is_null() {
        // SAFETY: lpBuffers readable for its one entry per the contract.
        let one = IoVecs::one(unsafe { buffers.read_unaligned() })?;
        // SAFETY: forwarded contract.
        return unsafe {
            recv_iovecs(
                core,
                std::slice::from_ref(&one),
                outputs,
                control,
                bytes,
                overlapped,
                routine,
            )
        };
    }
    // SAFETY: forwarded contract.
    unsafe {
        recv_gathered(
            core, buffers, count, outputs, control, bytes, overlapped, routine,
        )
    }
}

/// [`recv_into`] into more than one buffer (S21): gathered first.
///
/// # Safety
/// As [`recv_into`].
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn recv_gathered(
    core: &Arc<SocketCore>,
    buffers: *const abi::WSABUF,
    count: u32,
    outputs: RecvOutputs,
    control: Option<&mut [u8]>,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    let mut gathered = IoVecs::new();
    // SAFETY: lpBuffers readable for count entries per the contract.
    unsafe { gathered.gather(buffers, count) }?;
    // SAFETY: IoVecs holds len() initialised iovecs.
    let iov = unsafe { std::slice::from_raw_parts(gathered.as_ptr(), gathered.len()) };
    // SAFETY: forwarded contract.
    unsafe { recv_iovecs(core, iov, outputs, control, bytes, overlapped, routine) }
}

/// [`recv_into`] once its buffers are iovecs: overlapped, tried at call
/// time (S30), or blocking (also with an OVERLAPPED on a socket made
/// without WSA_FLAG_OVERLAPPED, S28). Two copies of the receive, each with
/// what it needs in registers.
///
/// # Safety
/// As [`recv_into`]; `iov_slice` holds the iovecs of the caller's buffers.
#[inline(always)]
unsafe fn recv_iovecs(
    core: &Arc<SocketCore>,
    iov_slice: &[libc::iovec],
    outputs: RecvOutputs,
    control: Option<&mut [u8]>,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    if !overlapped.is_null() && core.is_overlapped() {
        // SAFETY: forwarded contract.
        unsafe {
            recv_one::<true>(
                core, iov_slice, outputs, control, bytes, overlapped, routine,
            )
        }
    } else {
        // SAFETY: forwarded contract.
        unsafe {
            recv_one::<false>(
                core, iov_slice, outputs, control, bytes, overlapped, routine,
            )
        }
    }
}

/// One receive of [`recv_into`] into iovecs: blocking, or (`CALL_TIME`)
/// overlapped, tried at call time when nothing is queued before it and it
/// is not deferred to its port (S30), before any delivery is made.
///
/// # Safety
/// As [`recv_into`]; `iov_slice` holds the iovecs of the caller's buffers.
#[inline(always)]
unsafe fn recv_one<const CALL_TIME: bool>(
    core: &Arc<SocketCore>,
    iov_slice: &[libc::iovec],
    outputs: RecvOutputs,
    mut control: Option<&mut [u8]>,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    // The kernel writes through the iovecs' buffers, never into the iovecs.
    let (iov, iovlen) = (iov_slice.as_ptr().cast_mut(), iov_slice.len());
    if CALL_TIME {
        check_routine(core, routine)?;
        // SAFETY: overlapped valid per the contract.
        let h_event = unsafe { (*overlapped).hEvent } as usize;
        if !io::may_recv_now(core, h_event, routine.is_some()) {
            // SAFETY: forwarded contract.
            return unsafe { post_recv(core, iov_slice, outputs, bytes, overlapped, routine) };
        }
    }
    // One receive, written straight into the outputs in the usual case
    // ([`SocketCore::recv_windows_usual`]); any other (URO's own usual
    // case, or through [`Received`]) out of line.
    // SAFETY: the iovecs describe the caller's writable buffers; name and
    // namelen as the contract makes them (room checked above).
    let usual = unsafe {
        core.recv_windows_usual(
            iov,
            iovlen,
            outputs.name,
            outputs.namelen,
            control.as_deref_mut(),
            !CALL_TIME,
        )
    };
    match usual {
        // SAFETY: forwarded contract.
        Some(usual) => unsafe {
            finish_usual(
                core, usual, iov_slice, outputs, bytes, overlapped, routine, CALL_TIME,
            )
        },
        // SAFETY: forwarded contract.
        None => unsafe {
            recv_not_usual(
                core, iov_slice, outputs, control, bytes, overlapped, routine, CALL_TIME,
            )
        },
    }
}

/// The end of a receive whose outputs [`SocketCore::recv_windows_usual`]
/// (or URO's own usual case) wrote: reported, or (`call_time`) posted when
/// nothing waits.
///
/// # Safety
/// As [`recv_into`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn finish_usual(
    core: &Arc<SocketCore>,
    usual: Result<WindowsReceive>,
    iov_slice: &[libc::iovec],
    outputs: RecvOutputs,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
    call_time: bool,
) -> Result<u32> {
    let (result, got_bytes) = match usual {
        // SAFETY: outputs writable per the contract.
        Ok(got) => (
            unsafe { outputs.report(got.bytes, got.control_used, got.flags) },
            got.bytes,
        ),
        Err(e) if call_time && e.code() == abi::WSAEWOULDBLOCK => {
            // Nothing waits: queued.
            // SAFETY: forwarded contract.
            return unsafe { post_recv(core, iov_slice, outputs, bytes, overlapped, routine) };
        }
        Err(e) => return Err(e),
    };
    // SAFETY: forwarded contract.
    unsafe {
        finish_received(
            core, result, got_bytes, bytes, overlapped, routine, call_time,
        )
    }
}

/// The end of a receive [`recv_into`] made: `result` is what writing the
/// outputs gave (`WSAEMSGSIZE` when the datagram or its control data was
/// truncated), `got_bytes` the payload received. Blocking: the byte
/// count written (truncated too) and the result returned, an OVERLAPPED
/// on a socket made without `WSA_FLAG_OVERLAPPED` filled (S28). At call
/// time: the operation completes (S29).
///
/// # Safety
/// As [`recv_into`].
#[inline(always)]
unsafe fn finish_received(
    core: &Arc<SocketCore>,
    result: Result<usize>,
    got_bytes: usize,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
    call_time: bool,
) -> Result<u32> {
    if !call_time {
        if !bytes.is_null() {
            // SAFETY: bytes writable per the contract.
            unsafe { bytes.write_unaligned(got_bytes as u32) };
        }
        let n = result?;
        if !overlapped.is_null() {
            // SAFETY: overlapped writable per the contract (S28: non-overlapped socket).
            unsafe { fill_blocking_overlapped(overlapped, n) };
        }
        return Ok(n as u32);
    }
    match result {
        Ok(n) => {
            if !bytes.is_null() {
                // SAFETY: bytes writable per the contract.
                unsafe { bytes.write_unaligned(n as u32) };
            }
            // SAFETY: overlapped valid per the contract.
            unsafe { complete_now(core, overlapped, routine, n) };
            Ok(n as u32)
        }
        // A truncated datagram or control data (STATUS_BUFFER_OVERFLOW)
        // is a completed receive: it still completes (SPEC G), and the
        // call reports it pending (sock.c test_ip_pktinfo: a routine
        // with a datagram already queued gets ERROR_IO_PENDING).
        Err(e) if e.code() == abi::WSAEMSGSIZE => {
            // SAFETY: overlapped valid per the contract.
            unsafe { complete_truncated_now(core, overlapped, routine, e) }
        }
        Err(e) => Err(e),
    }
}

/// [`recv_into`]'s receive for every case but the usual one: a URO
/// socket's own usual case (S44), else [`recv_other`].
///
/// # Safety
/// As [`recv_into`].
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn recv_not_usual(
    core: &Arc<SocketCore>,
    iov_slice: &[libc::iovec],
    outputs: RecvOutputs,
    control: Option<&mut [u8]>,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
    call_time: bool,
) -> Result<u32> {
    let (iov, iovlen) = (iov_slice.as_ptr().cast_mut(), iov_slice.len());
    // SAFETY: as in `recv_one`: the caller's writable buffers, name and
    // namelen as the contract makes them.
    let uro = unsafe {
        core.recv_uro_windows(
            iov,
            iovlen,
            outputs.name,
            outputs.namelen,
            control,
            !call_time,
        )
    };
    match uro {
        // SAFETY: forwarded contract.
        Some(usual) => unsafe {
            finish_usual(
                core, usual, iov_slice, outputs, bytes, overlapped, routine, call_time,
            )
        },
        // SAFETY: forwarded contract.
        None => unsafe {
            recv_other(
                core, iov_slice, outputs, bytes, overlapped, routine, call_time,
            )
        },
    }
}

/// [`recv_into`]'s receive through [`Received`] and [`RecvOutputs::write`]:
/// more buffers than Linux takes, the address reports, a URO read that
/// leaves a residue, a socket the checks refuse.
///
/// # Safety
/// As [`recv_into`].
#[cold]
#[inline(never)]
unsafe fn recv_other(
    core: &Arc<SocketCore>,
    iov_slice: &[libc::iovec],
    outputs: RecvOutputs,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
    call_time: bool,
) -> Result<u32> {
    let (iov, iovlen) = (iov_slice.as_ptr().cast_mut(), iov_slice.len());
    let mut got = Received::default();
    if call_time {
        if !core.recv_controls_now_to(iov, iovlen, &mut got)? {
            // Nothing waits: queued.
            // SAFETY: forwarded contract.
            return unsafe { post_recv(core, iov_slice, outputs, bytes, overlapped, routine) };
        }
    } else {
        core.recv_with_controls_to(iov, iovlen, true, &mut got)?;
    }
    // SAFETY: outputs writable per the contract.
    let result = unsafe { outputs.write(&got) };
    // SAFETY: forwarded contract.
    unsafe {
        finish_received(
            core, result, got.bytes, bytes, overlapped, routine, call_time,
        )
    }
}

/// Completes an overlapped receive whose datagram or control data was
/// truncated at call time (`STATUS_BUFFER_OVERFLOW`): the call reports it
/// pending.
///
/// # Safety
/// `overlapped` valid per [`recv_into`]'s contract.
#[cold]
#[inline(never)]
unsafe fn complete_truncated_now(
    core: &Arc<SocketCore>,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
    e: Error,
) -> Result<u32> {
    // SAFETY: forwarded contract.
    let delivery = unsafe { overlapped_delivery(core, overlapped, routine) }?;
    crate::socket::complete(Some(core), delivery, Err(e), true);
    Err(io_pending())
}

/// Posts an overlapped receive [`recv_into`] could not complete at call
/// time (S28–S30): queued, or deferred to its port. Out of line, so that
/// the blocking and call-time paths keep their values in registers (31
/// fewer instructions per blocking receive, callgrind).
///
/// # Safety
/// As [`recv_into`].
#[inline(never)]
unsafe fn post_recv(
    core: &Arc<SocketCore>,
    iov_slice: &[libc::iovec],
    outputs: RecvOutputs,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    // SAFETY: overlapped valid per the contract.
    let delivery = unsafe { overlapped_delivery(core, overlapped, routine) }?;
    // SAFETY: the outputs stay valid until completion per the contract.
    let finish = unsafe { RecvFinish::windows(outputs) };
    let submitted = io::recv_overlapped(core, iov_slice, finish, delivery, || {
        // SAFETY: overlapped valid; written before the op is visible.
        unsafe { OvPtr(overlapped).mark_pending() }
    })?;
    match submitted {
        // SAFETY: bytes writable per the contract.
        Submitted::Now(result, delivery) => {
            match unsafe { complete_submitted_receive(core, delivery, result, bytes) } {
                // A truncated receive completes (STATUS_BUFFER_OVERFLOW); the
                // call itself reports it pending, as at call time.
                Err(e) if e.code() == abi::WSAEMSGSIZE => Err(io_pending()),
                result => result.map(|n| n as u32),
            }
        }
        Submitted::Pending => Err(io_pending()),
    }
}

/// `WSARecvMsg` after the handle lookup (S27).
///
/// # Safety
/// `msg` readable and writable, valid until completion; see [`recv_into`].
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// # use ws2_abi::{WSABUF, WSAMSG};
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// core.bind(&"127.0.0.1:0".parse()?)?;
/// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"ping", core.local_addr()?)?;
/// let mut data = [0u8; 16];
/// let mut buf = WSABUF { len: 16, buf: data.as_mut_ptr().cast() };
/// let no_control = WSABUF { len: 0, buf: std::ptr::null_mut() };
/// let mut msg = WSAMSG { name: std::ptr::null_mut(), namelen: 0, lpBuffers: &mut buf,
///     dwBufferCount: 1, Control: no_control, dwFlags: 0 };
/// let mut got = 0u32;
/// // SAFETY: msg, its buffer and `got` are live locals; a blocking call.
/// unsafe { ws2_engine::raw::recv_msg(&core, &mut msg, &mut got, std::ptr::null_mut(), None) }?;
/// assert_eq!((&data[..got as usize], msg.dwFlags), (&b"ping"[..], 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn recv_msg(
    core: &Arc<SocketCore>,
    msg: *mut abi::WSAMSG,
    bytes: *mut u32,
    overlapped: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<u32> {
    if msg.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "lpMsg is NULL"));
    }
    // SAFETY: msg is non-null and readable per the contract; only the
    // fields the receive reads, each once.
    let (name, buffers, count) = unsafe {
        (
            (&raw const (*msg).name).read_unaligned(),
            (&raw const (*msg).lpBuffers).read_unaligned(),
            (&raw const (*msg).dwBufferCount).read_unaligned(),
        )
    };
    let outputs = RecvOutputs {
        name,
        // SAFETY: msg stays valid (contract); these are field addresses.
        namelen: unsafe { &raw mut (*msg).namelen },
        // SAFETY: as above.
        control: unsafe { &raw mut (*msg).Control },
        // SAFETY: as above.
        flags: unsafe { &raw mut (*msg).dwFlags },
    };
    // SAFETY: forwarded contract.
    unsafe { recv_into(core, buffers, count, outputs, bytes, overlapped, routine) }
}

#[cfg(test)]
mod tests {
    /// The README states the memory a posted overlapped receive costs
    /// beyond the caller's buffers: the queued operation, the outputs its
    /// completion writes (boxed) and its one iovec. Keep it true.
    #[test]
    fn a_pending_receive_fits_its_stated_budget() {
        let cost = size_of::<crate::ops::RecvOp>()
            + size_of::<super::RecvOutputs>()
            + size_of::<libc::iovec>();
        assert!(cost <= 256, "{cost}");
    }
}
