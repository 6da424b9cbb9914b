//! The raw-pointer core that the C surface calls: it validates Windows
//! structures as Windows does (S6–S8, S22), translates them, and runs the
//! same engine as the safe API. Every function here is `unsafe` because it
//! trusts the caller's pointers exactly as far as Winsock's contract says.

pub mod ioctl;
pub mod iphlp;
pub mod mswsock;
mod options;
mod overlapped;
pub mod readiness;
mod recv;
mod send;
mod socket_ioctl;
pub mod source_filter;
pub mod stream;
pub mod transmit;

pub use options::{getsockopt, setsockopt};
pub use overlapped::{complete_ioctl, get_overlapped_result, overlapped_result};
pub use recv::{RecvOutputs, check_source_room, recv_into, recv_msg};
pub use send::{send_gathered, send_msg};
pub use socket_ioctl::{base_handle, circular_queueing, fionbio, not_supported};

use std::net::SocketAddr;
use std::sync::Arc;

use ws2_abi as abi;

use crate::completion;
use crate::completion::{Delivery, OvPtr};
use crate::error::{Error, Result};
use crate::handles;
use crate::socket::{SocketCore, SocketKind};
use crate::translate::{Family, socket_addr_from_windows};

/// Where a call's result goes: the caller's byte count, its OVERLAPPED and
/// completion routine.
///
/// ```
/// let mut sent = 0u32;
/// let out = ws2_engine::raw::SendResultPtrs {
///     bytes_sent: &mut sent,
///     overlapped: std::ptr::null_mut(),
///     routine: None,
/// };
/// assert!(out.overlapped.is_null() && out.routine.is_none());
/// ```
pub struct SendResultPtrs {
    /// `lpNumberOfBytesSent`: written when the send completes at call time
    /// (null: not wanted).
    pub bytes_sent: *mut u32,
    /// `lpOverlapped` (null: a blocking call).
    pub overlapped: *mut abi::WSAOVERLAPPED,
    /// `lpCompletionRoutine`, run on the calling thread in an alertable wait.
    pub routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
}

/// A completion routine on a socket bound to a completion port is refused
/// at call time (S36).
#[inline]
pub(crate) fn check_routine(
    core: &SocketCore,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<()> {
    if routine.is_some() && core.port().is_some() {
        return Err(Error::new(
            abi::WSAEINVAL,
            "a completion routine cannot be used on a socket bound to a completion port",
        ));
    }
    Ok(())
}

/// The delivery of an overlapped call's completion (S31–S33, S36): the
/// routine on the calling thread, or the event in `hEvent` (low bit masked)
/// and the socket's port packet unless `hEvent`'s low bit is set.
///
/// # Safety
/// `ov` must be valid and writable.
#[inline]
pub(crate) unsafe fn overlapped_delivery(
    core: &SocketCore,
    ov: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<Delivery> {
    check_routine(core, routine)?;
    if let Some(routine) = routine {
        return Ok(Delivery::Overlapped {
            ov: OvPtr(ov),
            event: None,
            routine: Some((routine, completion::current_thread())),
            to_port: false,
        });
    }
    // SAFETY: ov is valid per the contract.
    let h_event = unsafe { (*ov).hEvent } as usize;
    let event = (h_event & !1 != 0)
        .then(|| handles::event(h_event & !1).ok())
        .flatten();
    let to_port = h_event & 1 == 0;
    Ok(Delivery::Overlapped {
        ov: OvPtr(ov),
        event,
        routine: None,
        to_port,
    })
}

/// Completes an overlapped send that succeeded at call time (S29, S38):
/// `InternalHigh`, then `Internal`, then the routine queued to this thread,
/// or the event and the port packet (none with skip-on-success, S36).
/// What [`overlapped_delivery`] and `socket::complete` would do, without
/// building a delivery.
///
/// # Safety
/// `ov` must be valid and writable.
#[inline(always)]
pub(crate) unsafe fn complete_now(
    core: &SocketCore,
    ov: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
    bytes: usize,
) {
    let ov = OvPtr(ov);
    // SAFETY: ov valid per the contract (S38).
    unsafe { ov.finish(abi::STATUS_SUCCESS, bytes) };
    if let Some(routine) = routine {
        completion::queue_apc_here(completion::Apc::Overlapped {
            routine,
            error: 0,
            bytes: bytes as u32,
            ov,
        });
        return;
    }
    // SAFETY: ov valid per the contract.
    let h_event = unsafe { (*ov.0).hEvent } as usize;
    if h_event & !1 != 0 {
        complete_now_event(h_event & !1);
    }
    if h_event & 1 == 0
        && let Some((port, key)) = core.port()
        && !core.skips_port_on_success()
    {
        port.post(completion::Packet {
            bytes: bytes as u32,
            key: *key,
            overlapped: ov.0 as usize,
            status: abi::STATUS_SUCCESS,
            payload: None,
        });
    }
}

/// An overlapped receive that completed while it was submitted
/// (`Submitted::Now`): its byte count written when it succeeded, its
/// completion delivered (S30: done at once, it still completes), its
/// result returned for the call to report.
///
/// # Safety
/// `bytes` null or writable.
pub(crate) unsafe fn complete_submitted_receive(
    core: &SocketCore,
    delivery: Delivery,
    result: Result<usize>,
    bytes: *mut u32,
) -> Result<usize> {
    if !bytes.is_null()
        && let Ok(n) = result
    {
        // SAFETY: bytes writable per the contract.
        unsafe { bytes.write_unaligned(n as u32) };
    }
    crate::socket::complete(Some(core), delivery, result.clone(), true);
    result
}

/// Sets the event of an operation completed at call time.
fn complete_now_event(h_event: usize) {
    if let Ok(e) = handles::event(h_event) {
        e.set();
    }
}

/// For a socket that is not overlapped-capable, an OVERLAPPED still reports
/// the result of the blocking call and its event is set (S28).
///
/// # Safety
/// `ov` valid and writable.
pub unsafe fn fill_blocking_overlapped(ov: *mut abi::WSAOVERLAPPED, bytes: usize) {
    // SAFETY: per the contract.
    unsafe {
        OvPtr(ov).finish(abi::STATUS_SUCCESS, bytes);
        let h = (*ov).hEvent as usize & !1;
        if h != 0
            && let Ok(e) = handles::event(h)
        {
            e.set();
        }
    }
}

/// Reads the `SOCKADDR` a C caller gives `core` (a destination, or the
/// address of `bind`/`connect`), S8. A `namelen` above
/// `sizeof(SOCKADDR_STORAGE)` is first checked to be readable (`WSAEFAULT`
/// if it runs into unreadable memory). An `AF_INET` `SOCKADDR` on an
/// `AF_INET6` socket is `WSAEAFNOSUPPORT`, dual-stack or not: Windows'
/// AF_INET6 sockets take IPv4 peers only as IPv4-mapped `AF_INET6`
/// addresses (Microsoft's "Dual-Stack Sockets" page: "dual-stack sockets
/// always require IPv6 addresses"). (The Rust API's `SocketAddr::V4` on a
/// dual-stack socket means its mapped form.)
///
/// # Safety
/// `name` null or readable for `namelen` bytes (or, past
/// `sizeof(SOCKADDR_STORAGE)`, for as far as it is mapped).
///
/// ```
/// # use ws2_engine::{translate::{socket_addr_to_windows, Family}, SocketCore, SocketKind};
/// let dual = SocketCore::new(Family::V6, SocketKind::Datagram, 0, true)?;
/// dual.set_v6_only(false)?;
/// let (mut name, mut namelen) = (ws2_abi::SOCKADDR_STORAGE::default(), 128);
/// // SAFETY: `name` is writable for 128 bytes.
/// unsafe { socket_addr_to_windows(&"127.0.0.1:9".parse()?, (&raw mut name).cast(), &mut namelen) }?;
/// // SAFETY: `name` holds `namelen` readable bytes.
/// let err = unsafe { ws2_engine::raw::socket_addr_for(&dual, (&raw const name).cast(), namelen) }.unwrap_err();
/// assert_eq!(err.code(), ws2_abi::WSAEAFNOSUPPORT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub unsafe fn socket_addr_for(
    core: &SocketCore,
    name: *const abi::SOCKADDR,
    namelen: i32,
) -> Result<SocketAddr> {
    let len = usize::try_from(namelen).unwrap_or(0);
    if len > size_of::<abi::SOCKADDR_STORAGE>()
        && !name.is_null()
        && !crate::translate::caller_memory::readable(name.cast(), len)
    {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("name runs into unreadable memory before its namelen {namelen} bytes end"),
        ));
    }
    // SAFETY: forwarded contract.
    let addr = unsafe { socket_addr_from_windows(name, namelen) }?;
    if addr.is_ipv4() && core.family() == Family::V6 {
        return Err(Error::new(
            abi::WSAEAFNOSUPPORT,
            "an AF_INET SOCKADDR on an AF_INET6 socket: give an IPv4 peer of a dual-stack \
             socket as an IPv4-mapped AF_INET6 address (::ffff:a.b.c.d)",
        ));
    }
    Ok(addr)
}

/// `connect` on a raw `SOCKADDR`: an `AF_UNSPEC` one dissolves a datagram
/// socket's association ([`SocketCore::disconnect`]); any other is a peer.
///
/// # Safety
/// `name` null or readable for `namelen` bytes.
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = std::sync::Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// core.connect(&"127.0.0.1:9".parse()?)?;
/// let unspec = ws2_abi::SOCKADDR_IN { sin_family: ws2_abi::AF_UNSPEC as u16, ..Default::default() };
/// // SAFETY: `unspec` is 16 readable bytes.
/// unsafe { ws2_engine::raw::connect(&core, (&raw const unspec).cast(), 16) }?;
/// assert_eq!(core.peer_addr().unwrap_err().code(), ws2_abi::WSAENOTCONN);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn connect(
    core: &Arc<SocketCore>,
    name: *const abi::SOCKADDR,
    namelen: i32,
) -> Result<()> {
    if !name.is_null()
        && namelen >= size_of::<abi::ADDRESS_FAMILY>() as i32
        && core.kind() != SocketKind::Stream
        // SAFETY: at least the two bytes of the family are readable (checked).
        && unsafe { name.cast::<u16>().read_unaligned() } == abi::AF_UNSPEC as u16
    {
        return core.disconnect();
    }
    // SAFETY: forwarded contract.
    let addr = unsafe { socket_addr_for(core, name, namelen) }?;
    crate::io::connect(core, &addr)
}

fn io_pending() -> Error {
    crate::error::static_error!(abi::WSA_IO_PENDING, "the overlapped operation is pending")
}
