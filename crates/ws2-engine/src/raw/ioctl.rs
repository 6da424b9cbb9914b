//! The interface ioctls of `WSAIoctl` (SPEC P5) after the handle lookup:
//! `SIO_ROUTING_INTERFACE_QUERY`, `SIO_ADDRESS_LIST_QUERY`,
//! `SIO_GET_INTERFACE_LIST` and `SIO_ADDRESS_LIST_CHANGE`, with the buffer
//! rules Wine's Windows-run tests record (sock.c
//! `test_sioRoutingInterfaceQuery`, `test_address_list_query`,
//! `test_get_interface_list`, `test_sioAddressListChange`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use ws2_abi as abi;

use crate::addr_changes::{self as changes, Families, Request};
use crate::completion::{self, Delivery, Event, OvPtr, Waitable};
use crate::error::{Error, Result};
use crate::interfaces::{
    AddressState, Extras, Interface, InterfaceFlags, is_link_local, read, route_to,
    windows_sockaddr,
};
use crate::raw::{complete_ioctl, fill_blocking_overlapped, io_pending, overlapped_delivery};
use crate::socket::SocketCore;
use crate::translate::{Family, socket_addr_from_windows};

/// Whether `code` is one of the ioctls this module answers.
///
/// ```
/// assert!(ws2_engine::raw::ioctl::handles(ws2_abi::SIO_ADDRESS_LIST_QUERY));
/// assert!(!ws2_engine::raw::ioctl::handles(ws2_abi::SIO_FLUSH));
/// ```
pub fn handles(code: u32) -> bool {
    matches!(
        code,
        abi::SIO_ROUTING_INTERFACE_QUERY
            | abi::SIO_ADDRESS_LIST_QUERY
            | abi::SIO_ADDRESS_LIST_CHANGE
            | abi::SIO_GET_INTERFACE_LIST
    )
}

/// The caller's `WSAIoctl` buffers.
#[derive(Clone, Copy)]
pub struct IoctlBuffers {
    pub in_buf: *const u8,
    pub in_len: u32,
    pub out_buf: *mut u8,
    pub out_len: u32,
    /// `lpcbBytesReturned` (checked non-null by the caller).
    pub bytes_returned: *mut u32,
    pub overlapped: *mut abi::WSAOVERLAPPED,
    pub routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
}

/// Runs one of the [`handles`] ioctls. `Ok` is `WSAIoctl`'s 0; a pending
/// request is the error `WSA_IO_PENDING`.
///
/// # Safety
/// Winsock's contract: each buffer valid for its length, `bytes_returned`
/// writable, the OVERLAPPED valid until the operation completes.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{Family, SocketCore, SocketKind};
/// # use ws2_engine::raw::ioctl::{wsa_ioctl, IoctlBuffers};
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// let (mut out, mut size) = ([0u64; 64], 0u32);
/// let b = IoctlBuffers { in_buf: std::ptr::null(), in_len: 0, out_buf: out.as_mut_ptr().cast(),
///     out_len: 512, bytes_returned: &mut size, overlapped: std::ptr::null_mut(), routine: None };
/// // SAFETY: `out` and `size` are live locals of the lengths given.
/// unsafe { wsa_ioctl(&core, ws2_abi::SIO_GET_INTERFACE_LIST, &b) }?;
/// assert!(size >= 76 && size % 76 == 0); // at least 127.0.0.1
/// # Ok::<(), ws2_engine::Error>(())
/// ```
pub unsafe fn wsa_ioctl(core: &Arc<SocketCore>, code: u32, b: &IoctlBuffers) -> Result<()> {
    // SAFETY: forwarded contract.
    unsafe {
        match code {
            abi::SIO_ROUTING_INTERFACE_QUERY => routing_interface_query(core, b),
            abi::SIO_ADDRESS_LIST_QUERY => address_list_query(core, b),
            abi::SIO_GET_INTERFACE_LIST => get_interface_list(core, b),
            abi::SIO_ADDRESS_LIST_CHANGE => address_list_change(core, b),
            other => Err(Error::new(
                abi::WSAEOPNOTSUPP,
                format!("ioctl code {other:#x} is not an interface ioctl"),
            )),
        }
    }
}

/// The Windows `SOCKADDR_IN`/`SOCKADDR_IN6` of an address, as bytes.
fn sockaddr_bytes(addr: SocketAddr) -> Vec<u8> {
    let (storage, len) = windows_sockaddr(addr);
    // SAFETY: `storage` is a plain 128-byte struct whose first `len` bytes
    // hold the sockaddr.
    unsafe { std::slice::from_raw_parts((&raw const storage).cast::<u8>(), len) }.to_vec()
}

/// # Safety
/// `p` writable for `bytes.len()` bytes.
unsafe fn copy_out(p: *mut u8, bytes: &[u8]) {
    // SAFETY: per the contract.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len()) };
}

/// # Safety
/// `p` writable.
unsafe fn set_size(p: *mut u32, n: usize) {
    // SAFETY: per the contract.
    unsafe { p.write_unaligned(n as u32) };
}

/// `SIO_ROUTING_INTERFACE_QUERY`: the local address the kernel would send
/// from to reach the destination (a `SOCKADDR` of either family, port 0).
///
/// # Safety
/// See [`wsa_ioctl`].
unsafe fn routing_interface_query(core: &Arc<SocketCore>, b: &IoctlBuffers) -> Result<()> {
    if b.in_buf.is_null() || (b.in_len as usize) < size_of::<abi::SOCKADDR>() {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!(
                "lpvInBuffer must hold a SOCKADDR (at least 16 bytes), got {} bytes",
                b.in_len
            ),
        ));
    }
    // SAFETY: in_buf holds at least 16 bytes (checked).
    let family = unsafe { b.in_buf.cast::<u16>().read_unaligned() } as i32;
    let needed = match family {
        abi::AF_INET => size_of::<abi::SOCKADDR_IN>(),
        abi::AF_INET6 if (b.in_len as usize) < size_of::<abi::SOCKADDR_IN6>() => {
            return Err(Error::new(
                abi::WSAEINVAL,
                format!(
                    "an AF_INET6 SOCKADDR is 28 bytes, cbInBuffer is {}",
                    b.in_len
                ),
            ));
        }
        abi::AF_INET6 => size_of::<abi::SOCKADDR_IN6>(),
        other => {
            return Err(Error::new(
                abi::WSAEAFNOSUPPORT,
                format!("the destination's address family {other} is not AF_INET or AF_INET6"),
            ));
        }
    };
    // SAFETY: in_buf holds a whole SOCKADDR of its family (checked above).
    let dest = unsafe { socket_addr_from_windows(b.in_buf.cast(), needed as i32) }?;
    if dest.ip().is_unspecified() {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("the destination {} is the unspecified address", dest.ip()),
        ));
    }
    if b.out_buf.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "lpvOutBuffer is NULL"));
    }
    if (b.out_len as usize) < needed {
        // SAFETY: bytes_returned writable per the contract.
        unsafe { set_size(b.bytes_returned, needed) };
        return Err(Error::new(
            abi::WSAEFAULT,
            format!(
                "cbOutBuffer {} is smaller than the {needed}-byte SOCKADDR; lpcbBytesReturned says so",
                b.out_len
            ),
        ));
    }
    let route = route_to(dest)?;
    let bytes = sockaddr_bytes(route.source_socket_addr(0));
    // SAFETY: out_buf writable for out_len >= needed bytes; bytes_returned writable.
    unsafe {
        copy_out(b.out_buf, &bytes);
        set_size(b.bytes_returned, bytes.len());
        complete_ioctl(core, b.overlapped, b.routine)
    }
}

/// The socket family's addresses an application may bind to, as
/// `SIO_ADDRESS_LIST_QUERY` lists them (Microsoft's `SIO_ADDRESS_LIST_QUERY`
/// page): only preferred addresses of interfaces that are up; on loopback
/// interfaces no IPv4 loopback or link-local address and no IPv6 address
/// below subnet scope (so neither 127.0.0.1 nor ::1).
pub(crate) fn bindable_addresses(ifs: &[Interface], v6: bool) -> Vec<SocketAddr> {
    let mut out = Vec::new();
    for i in ifs.iter().filter(|i| i.is_up()) {
        for a in &i.addresses {
            if a.addr.is_ipv6() != v6 || a.state != AddressState::Preferred {
                continue;
            }
            let below_subnet = match a.addr {
                IpAddr::V4(v4) => v4.is_loopback() || v4.is_link_local(),
                IpAddr::V6(v6) => v6.is_loopback() || is_link_local(v6.into()),
            };
            if i.is_loopback() && below_subnet {
                continue;
            }
            out.push(a.socket_addr(0));
        }
    }
    out
}

/// `SIO_ADDRESS_LIST_QUERY`: a `SOCKET_ADDRESS_LIST` with the sockaddrs
/// packed after the array. Output length 0 (or no buffer) and anything
/// from the header up to the needed size: `WSAEFAULT` with the needed
/// size; 1 to 7 bytes (less than the header): `WSAEINVAL` with size 0
/// (sock.c `test_address_list_query` records 1; 2–7 are ours alike).
///
/// # Safety
/// See [`wsa_ioctl`].
unsafe fn address_list_query(core: &Arc<SocketCore>, b: &IoctlBuffers) -> Result<()> {
    let ifs = read(Extras::default())?;
    let addrs = bindable_addresses(&ifs, core.family() == Family::V6);
    let entries = addrs.len() * size_of::<abi::SOCKET_ADDRESS>();
    let payload: Vec<Vec<u8>> = addrs.into_iter().map(sockaddr_bytes).collect();
    let needed =
        abi::SOCKET_ADDRESS_LIST_HEADER + entries + payload.iter().map(Vec::len).sum::<usize>();
    let out_len = b.out_len as usize;
    if b.out_buf.is_null() || out_len == 0 {
        // SAFETY: bytes_returned writable per the contract.
        unsafe { set_size(b.bytes_returned, needed) };
        return Err(Error::new(
            abi::WSAEFAULT,
            format!(
                "no output buffer: the address list needs {needed} bytes (in lpcbBytesReturned)"
            ),
        ));
    }
    if out_len < abi::SOCKET_ADDRESS_LIST_HEADER {
        // SAFETY: as above.
        unsafe { set_size(b.bytes_returned, 0) };
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("cbOutBuffer {out_len} cannot hold a SOCKET_ADDRESS_LIST header (8 bytes)"),
        ));
    }
    if out_len < needed {
        // SAFETY: as above.
        unsafe { set_size(b.bytes_returned, needed) };
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("cbOutBuffer {out_len} is smaller than the {needed} bytes the list needs"),
        ));
    }
    let base = b.out_buf;
    // SAFETY: out_buf is writable for needed <= out_len bytes; every write
    // below stays inside [base, base + needed).
    unsafe {
        base.cast::<i32>().write_unaligned(payload.len() as i32);
        base.add(4).cast::<i32>().write_unaligned(0);
        let mut at = abi::SOCKET_ADDRESS_LIST_HEADER + entries;
        for (k, bytes) in payload.iter().enumerate() {
            let entry = abi::SOCKET_ADDRESS {
                lpSockaddr: base.add(at).cast(),
                iSockaddrLength: bytes.len() as i32,
            };
            base.add(abi::SOCKET_ADDRESS_LIST_HEADER + k * size_of::<abi::SOCKET_ADDRESS>())
                .cast::<abi::SOCKET_ADDRESS>()
                .write_unaligned(entry);
            copy_out(base.add(at), bytes);
            at += bytes.len();
        }
        set_size(b.bytes_returned, needed);
        complete_ioctl(core, b.overlapped, b.routine)
    }
}

/// One `INTERFACE_INFO` per IPv4 address of an interface that is up,
/// loopback included (sock.c `test_get_interface_list`).
fn interface_infos(ifs: &[Interface]) -> Vec<abi::INTERFACE_INFO> {
    let gen_of = |ip: Ipv4Addr| abi::sockaddr_gen {
        AddressIn: abi::SOCKADDR_IN {
            sin_family: abi::AF_INET as u16,
            sin_port: 0,
            sin_addr: abi::IN_ADDR {
                s_addr: u32::from_ne_bytes(ip.octets()),
            },
            sin_zero: [0; 8],
        },
    };
    let mut out = Vec::new();
    for i in ifs.iter().filter(|i| i.flags.contains(InterfaceFlags::UP)) {
        for a in &i.addresses {
            let IpAddr::V4(ip) = a.addr else { continue };
            let IpAddr::V4(mask) = a.netmask() else {
                continue;
            };
            let broadcast = match a.broadcast {
                Some(bc) if i.flags.contains(InterfaceFlags::BROADCAST) => gen_of(bc),
                _ => abi::sockaddr_gen::default(),
            };
            out.push(abi::INTERFACE_INFO {
                iiFlags: i.flags.bits() & 0x1f,
                iiAddress: gen_of(ip),
                iiBroadcastAddress: broadcast,
                iiNetmask: gen_of(mask),
            });
        }
    }
    out
}

/// `SIO_GET_INTERFACE_LIST` (IPv4 sockets only). Synchronously a buffer too
/// small is `WSAEFAULT` with size 0; with an OVERLAPPED the call always
/// pends and its completion carries the list's size, or
/// `STATUS_BUFFER_TOO_SMALL` (`WSAEFAULT` to a routine,
/// `ERROR_INSUFFICIENT_BUFFER` from a port).
///
/// # Safety
/// See [`wsa_ioctl`].
unsafe fn get_interface_list(core: &Arc<SocketCore>, b: &IoctlBuffers) -> Result<()> {
    if core.family() != Family::V4 {
        return Err(Error::new(
            abi::WSAEINVAL,
            "SIO_GET_INTERFACE_LIST works on AF_INET sockets only (it lists IPv4 addresses)",
        ));
    }
    let infos = interface_infos(&read(Extras::default())?);
    let needed = infos.len() * size_of::<abi::INTERFACE_INFO>();
    let fits = !b.out_buf.is_null() && b.out_len as usize >= needed;
    let result = if fits {
        // SAFETY: out_buf writable for out_len >= needed bytes.
        unsafe {
            for (k, info) in infos.iter().enumerate() {
                b.out_buf
                    .add(k * size_of::<abi::INTERFACE_INFO>())
                    .cast::<abi::INTERFACE_INFO>()
                    .write_unaligned(*info);
            }
        }
        Ok(needed)
    } else {
        Err(Error::new(
            abi::WSAEFAULT,
            format!(
                "cbOutBuffer {} is smaller than the {needed} bytes of {} INTERFACE_INFO",
                b.out_len,
                infos.len()
            ),
        ))
    };
    if !b.overlapped.is_null() && core.is_overlapped() {
        // SAFETY: the OVERLAPPED is valid until completion per the contract.
        let delivery = unsafe { overlapped_delivery(core, b.overlapped, b.routine) }?;
        // SAFETY: as above.
        unsafe { OvPtr(b.overlapped).mark_pending() };
        crate::socket::complete(Some(core), delivery, result, false);
        return Err(io_pending());
    }
    // SAFETY: bytes_returned writable per the contract.
    unsafe { set_size(b.bytes_returned, *result.as_ref().unwrap_or(&0)) };
    result?;
    if !b.overlapped.is_null() {
        // SAFETY: a socket that is not overlapped-capable reports the
        // result in its OVERLAPPED (S28).
        unsafe { fill_blocking_overlapped(b.overlapped, needed) };
    }
    Ok(())
}

/// `SIO_ADDRESS_LIST_CHANGE`: completes when an address of the socket's
/// family is added or removed. With an OVERLAPPED it pends, also on a
/// non-blocking socket; without one a non-blocking socket gets
/// `WSAEWOULDBLOCK` (and `FD_ADDRESS_LIST_CHANGE` is armed for it), a
/// blocking one waits (alertably, S35; `closesocket` ends the wait with
/// `WSAEINTR`, S37).
///
/// # Safety
/// See [`wsa_ioctl`].
unsafe fn address_list_change(core: &Arc<SocketCore>, b: &IoctlBuffers) -> Result<()> {
    let families = if core.family() == Family::V6 {
        Families::V6
    } else {
        Families::V4
    };
    let issuer = completion::current_thread().id;
    if !b.overlapped.is_null() && core.is_overlapped() {
        // SAFETY: the OVERLAPPED is valid until completion per the contract.
        let delivery = unsafe { overlapped_delivery(core, b.overlapped, b.routine) }?;
        let ov = b.overlapped;
        changes::register(
            Request {
                core: Some(core.clone()),
                families,
                delivery,
                overlapped: ov as usize,
                issuer,
                after: None,
            },
            // SAFETY: as above; written before the request is visible.
            || unsafe { OvPtr(ov).mark_pending() },
        )?;
        return Err(io_pending());
    }
    if b.overlapped.is_null() && core.is_nonblocking() {
        changes::arm(core, families)?;
        return Err(Error::new(
            abi::WSAEWOULDBLOCK,
            "the socket is non-blocking: FD_ADDRESS_LIST_CHANGE reports the change",
        ));
    }
    completion::check_not_nested_in_blocking_call()?;
    let (slot, event) = wait_slot();
    let done = slot.clone();
    let signal = event.clone();
    changes::register(
        Request {
            core: Some(core.clone()),
            families,
            delivery: Delivery::Callback(Box::new(move |r| {
                *crate::fork::lock(&done) = Some(r);
                signal.set();
            })),
            overlapped: 0,
            issuer,
            after: None,
        },
        || {},
    )?;
    let sources: [&dyn Waitable; 2] = [&*event, &**core];
    let got =
        completion::blocking_call_wait(&sources, None, None, || crate::fork::lock(&slot).take())?;
    match got {
        Some(Ok(_)) => {
            // SAFETY: bytes_returned writable per the contract.
            unsafe { set_size(b.bytes_returned, 0) };
            if !b.overlapped.is_null() {
                // SAFETY: S28, as above.
                unsafe { fill_blocking_overlapped(b.overlapped, 0) };
            }
            Ok(())
        }
        Some(Err(e)) if e.code() == abi::WSA_OPERATION_ABORTED => Err(Error::new(
            abi::WSAEINTR,
            "the socket was closed while SIO_ADDRESS_LIST_CHANGE was waiting on it",
        )),
        Some(Err(e)) => Err(e),
        None => Err(Error::new(abi::WSAEINTR, "the wait ended without a change")),
    }
}

/// A result slot and the event that says it is filled, for a blocking
/// wait on a parked request.
pub(crate) type WaitSlot = Arc<Mutex<Option<Result<usize>>>>;

pub(crate) fn wait_slot() -> (WaitSlot, Arc<Event>) {
    (Arc::new(Mutex::new(None)), Arc::new(Event::new()))
}
