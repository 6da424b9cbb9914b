//! `WSASendMsg` and the other sends after their argument unpacking: a
//! raw `WSAMSG`/`WSABUF` array validated (S6–S8, S21, S22), sent now or queued.

use std::net::SocketAddr;
use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::OvPtr;
use crate::error::{Error, Result};
use crate::io::{self, SendSubmitted};
use crate::socket::{SendFlags, SocketCore, SocketKind};
use crate::translate::{CONTROL_INLINE, IoVecs, SendControls};

use super::*;

/// `WSASendMsg` after the handle lookup (S3–S25).
///
/// # Safety
/// Every non-null pointer must be valid as Winsock documents: `msg` readable,
/// its `name`, `lpBuffers` and `Control` readable for their lengths, the
/// buffers' data readable, `bytes_sent` writable, `overlapped` writable.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{translate::{socket_addr_to_windows, Family}, SocketCore, SocketKind};
/// # use ws2_engine::raw::{send_msg, SendResultPtrs};
/// # use ws2_abi::{SOCKADDR_STORAGE, WSABUF, WSAMSG};
/// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// let (mut name, mut namelen) = (SOCKADDR_STORAGE::default(), 128);
/// // SAFETY: `name` is writable for `namelen` (128) bytes.
/// unsafe { socket_addr_to_windows(&rx.local_addr()?, (&raw mut name).cast(), &mut namelen) }?;
/// let mut data = *b"hello";
/// let mut buf = WSABUF { len: 5, buf: data.as_mut_ptr().cast() };
/// let no_control = WSABUF { len: 0, buf: std::ptr::null_mut() };
/// let msg = WSAMSG { name: (&raw mut name).cast(), namelen, lpBuffers: &mut buf,
///     dwBufferCount: 1, Control: no_control, dwFlags: 0 };
/// let mut sent = 0u32;
/// let out = SendResultPtrs { bytes_sent: &mut sent, overlapped: std::ptr::null_mut(), routine: None };
/// // SAFETY: msg, its address and buffer, and `sent` are live locals.
/// assert_eq!(unsafe { send_msg(&core, &msg, 0, &out) }?, 5);
/// assert_eq!(sent, 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn send_msg(
    core: &Arc<SocketCore>,
    msg: *const abi::WSAMSG,
    flags: u32,
    out: &SendResultPtrs,
) -> Result<u32> {
    if msg.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "lpMsg is NULL"));
    }
    // SAFETY: msg is non-null and readable per the contract; unaligned read.
    let msg = unsafe { std::ptr::read_unaligned(msg) };
    // SAFETY: forwarded contract.
    unsafe {
        send_gathered(
            core,
            msg.lpBuffers,
            msg.dwBufferCount,
            msg.name,
            msg.namelen,
            msg.Control,
            flags,
            out,
        )
    }
}

/// `WSASend`/`WSASendTo`/`send`/`sendto`/`WSASendMsg` after their own
/// argument unpacking: one datagram from a `WSABUF` array.
///
/// # Safety
/// As for [`send_msg`]; `name` readable for `namelen` bytes when non-null.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// # use ws2_engine::raw::{send_gathered, SendResultPtrs};
/// # use ws2_abi::WSABUF;
/// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// core.connect(&rx.local_addr()?)?;
/// let (mut a, mut b) = (*b"hel", *b"lo");
/// let bufs = [WSABUF { len: 3, buf: a.as_mut_ptr().cast() }, WSABUF { len: 2, buf: b.as_mut_ptr().cast() }];
/// let no_control = WSABUF { len: 0, buf: std::ptr::null_mut() };
/// let mut sent = 0u32;
/// let out = SendResultPtrs { bytes_sent: &mut sent, overlapped: std::ptr::null_mut(), routine: None };
/// // SAFETY: both buffers and `sent` are live locals; no name (connected socket).
/// unsafe { send_gathered(&core, bufs.as_ptr(), 2, std::ptr::null(), 0, no_control, 0, &out) }?;
/// let mut got = [0u8; 8];
/// assert_eq!(rx.recv(&mut got)?, 5);
/// assert_eq!(&got[..5], b"hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub unsafe fn send_gathered(
    core: &Arc<SocketCore>,
    buffers: *const abi::WSABUF,
    count: u32,
    name: *const abi::SOCKADDR,
    namelen: i32,
    control: abi::WSABUF,
    flags: u32,
    out: &SendResultPtrs,
) -> Result<u32> {
    // Windows binds an unbound socket even when the call then fails (S7, S15).
    core.ensure_bound()?;
    if out.bytes_sent.is_null() && out.overlapped.is_null() {
        return Err(Error::new(
            abi::WSAEFAULT,
            "lpNumberOfBytesSent is NULL and there is no OVERLAPPED",
        ));
    }
    let flags = SendFlags::from_bits(flags).ok_or_else(|| {
        Error::new(
            abi::WSAEOPNOTSUPP,
            format!("dwFlags {flags:#x} has bits other than MSG_OOB, MSG_DONTROUTE, MSG_PARTIAL"),
        )
    })?;
    if core.kind() == SocketKind::Stream {
        return Err(Error::new(
            abi::WSAEINVAL,
            "WSASendMsg works on SOCK_DGRAM and SOCK_RAW sockets only, this one is SOCK_STREAM",
        ));
    }
    let to: Option<SocketAddr> = if name.is_null() {
        if namelen != 0 {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("name is NULL but namelen is {namelen}"),
            ));
        }
        None
    } else {
        // SAFETY: name readable for namelen bytes per the contract.
        Some(unsafe { socket_addr_for(core, name, namelen) }?)
    };
    let parsed;
    let controls = if control.len == 0 {
        None
    } else {
        if control.buf.is_null() {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("Control.buf is NULL but Control.len is {}", control.len),
            ));
        }
        if control.len as usize > CONTROL_INLINE
            && !crate::translate::caller_memory::readable(control.buf.cast(), control.len as usize)
        {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!(
                    "Control.buf runs into unreadable memory before its Control.len {} bytes end",
                    control.len
                ),
            ));
        }
        // SAFETY: Control.buf is readable for Control.len bytes per the
        // contract (checked above when it is long).
        let bytes =
            unsafe { std::slice::from_raw_parts(control.buf.cast::<u8>(), control.len as usize) };
        parsed = SendControls::from_windows(bytes, core.family())?;
        Some(&parsed)
    };
    let mut iov = IoVecs::new();
    // SAFETY: lpBuffers readable for count entries per the contract
    // (checked when there are many).
    unsafe { iov.gather(buffers, count) }?;
    // More buffers than one Linux message takes: one bounce buffer, which
    // lives until the send is done (or in the queued operation).
    // SAFETY: the iovecs describe the caller's buffers.
    let bounce = unsafe { iov.bounce(core.max_msg_size() as usize) }?.unwrap_or_default();
    let ov = out.overlapped;
    if !ov.is_null() && core.is_overlapped() {
        let routine = out.routine;
        check_routine(core, routine)?;
        let sent = core.send_datagram(
            iov.as_ptr(),
            iov.len(),
            iov.total(),
            to.as_ref(),
            controls,
            flags,
            Some,
            |core, plan| {
                // Made outside the queue's lock (an event handle's lookup).
                // SAFETY: ov valid per the contract.
                let delivery = unsafe { overlapped_delivery(core, ov, routine) }?;
                let submitted = io::send_overlapped(core, plan, bounce, delivery, || {
                    // SAFETY: ov valid per the contract; written before the op is visible.
                    unsafe { OvPtr(ov).mark_pending() }
                })?;
                Ok(match submitted {
                    SendSubmitted::Now(n) => Some(n),
                    SendSubmitted::Pending => None,
                })
            },
        )?;
        let Some(n) = sent else {
            return Err(io_pending());
        };
        if !out.bytes_sent.is_null() {
            // SAFETY: bytes_sent writable per the contract.
            unsafe { out.bytes_sent.write_unaligned(n as u32) };
        }
        // SAFETY: ov valid per the contract.
        unsafe { complete_now(core, ov, routine, n) };
        return Ok(n as u32);
    }
    let n = core.send_datagram(
        iov.as_ptr(),
        iov.len(),
        iov.total(),
        to.as_ref(),
        controls,
        flags,
        |n| n,
        io::send_blocking,
    )? as u32;
    // The kernel has read the bounce buffer (if any); it goes now.
    drop(bounce);
    if !out.bytes_sent.is_null() {
        // SAFETY: bytes_sent is writable per the contract.
        unsafe { out.bytes_sent.write_unaligned(n) };
    }
    if !ov.is_null() {
        // SAFETY: ov writable per the contract (S28).
        unsafe { fill_blocking_overlapped(ov, n as usize) };
    }
    Ok(n)
}
