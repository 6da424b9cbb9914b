//! The raw-pointer core that the C surface calls: it validates Windows
//! structures as Windows does (S6–S8, S22), translates them, and runs the
//! same engine as the safe API. Every function here is `unsafe` because it
//! trusts the caller's pointers exactly as far as Winsock's contract says.

pub mod ioctl;
pub mod iphlp;

use std::net::SocketAddr;

use ws2_abi as abi;

use std::sync::Arc;

use crate::completion;
use crate::completion::{Delivery, OvPtr};
use crate::error::{Error, Result};
use crate::handles;
use crate::io::{self, Submitted};
use crate::socket::{SendFlags, SocketCore, SocketKind};
use crate::translate::{
    CONTROL_INLINE, Family, IoVecs, RECEIVED_CONTROL_MAX, Received, SendControls, SockOpt,
    sock_opt, socket_addr_from_windows,
};

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
    if let Some(routine) = routine {
        if core.port().is_some() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "a completion routine cannot be used on a socket bound to a completion port",
            ));
        }
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

/// For a socket that is not overlapped-capable, an OVERLAPPED still reports
/// the result of the blocking call and its event is set (S28).
///
/// # Safety
/// `ov` valid and writable.
pub(crate) unsafe fn fill_blocking_overlapped(ov: *mut abi::WSAOVERLAPPED, bytes: usize) {
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

fn io_pending() -> Error {
    Error::new(abi::WSA_IO_PENDING, "the overlapped operation is pending")
}

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
    let controls = if control.len == 0 {
        SendControls::default()
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
        SendControls::from_windows(bytes, core.family())?
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
        // SAFETY: ov valid per the contract.
        let delivery = unsafe { overlapped_delivery(core, ov, out.routine) }?;
        let submitted = core.send_datagram(
            iov.as_ptr(),
            iov.len(),
            iov.total(),
            to.as_ref(),
            &controls,
            flags,
            |core, plan| {
                io::send_overlapped_keeping(core, plan, bounce, delivery, || {
                    // SAFETY: ov valid per the contract; written before the op is visible.
                    unsafe { OvPtr(ov).mark_pending() }
                })
            },
        )?;
        return match submitted {
            Submitted::Now(result, delivery) => {
                let n = result?; // sends complete at call time only on success
                if !out.bytes_sent.is_null() {
                    // SAFETY: bytes_sent writable per the contract.
                    unsafe { out.bytes_sent.write_unaligned(n as u32) };
                }
                crate::socket::complete(Some(core), delivery, Ok(n), true);
                Ok(n as u32)
            }
            Submitted::Pending => Err(io_pending()),
        };
    }
    let n = core.send_datagram(
        iov.as_ptr(),
        iov.len(),
        iov.total(),
        to.as_ref(),
        &controls,
        flags,
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

/// `setsockopt` with a Windows level/name and an `optval` of `optlen` bytes.
///
/// # Safety
/// `optval` must be null or readable for `optlen` bytes.
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let on = 1i32;
/// // SAFETY: `on` is a live 4-byte value.
/// unsafe { ws2_engine::raw::setsockopt(&core, ws2_abi::SOL_SOCKET, ws2_abi::SO_BROADCAST, (&raw const on).cast(), 4) }?;
/// let broadcast = ws2_engine::translate::sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_BROADCAST)?;
/// assert_eq!(core.option(broadcast)?, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn setsockopt(
    core: &SocketCore,
    level: i32,
    name: i32,
    optval: *const u8,
    optlen: i32,
) -> Result<()> {
    let opt = sock_opt(level, name)?;
    if optval.is_null() || optlen < 1 {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("optval is NULL or optlen {optlen} is too small"),
        ));
    }
    // Windows reads a DWORD/BOOL; a shorter buffer is accepted for byte-sized
    // values (some programs pass a char), as Windows does for BOOL options.
    let value: i32 = if optlen >= 4 {
        // SAFETY: optval readable for at least 4 bytes.
        unsafe { optval.cast::<i32>().read_unaligned() }
    } else {
        // SAFETY: optval readable for at least 1 byte.
        unsafe { optval.read() as i32 }
    };
    core.set_option(opt, value)
}

/// `getsockopt`: writes a 4-byte value and sets `*optlen` to 4.
///
/// # Safety
/// `optval` writable for `*optlen` bytes, `optlen` valid, or either null.
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let (mut value, mut len) = (0i32, 4i32);
/// // SAFETY: `value` is a live 4-byte buffer and `len` says so.
/// unsafe { ws2_engine::raw::getsockopt(&core, ws2_abi::SOL_SOCKET, ws2_abi::SO_TYPE, (&raw mut value).cast(), &mut len) }?;
/// assert_eq!((value, len), (ws2_abi::SOCK_DGRAM, 4));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn getsockopt(
    core: &SocketCore,
    level: i32,
    name: i32,
    optval: *mut u8,
    optlen: *mut i32,
) -> Result<()> {
    let opt = sock_opt(level, name)?;
    if optval.is_null() || optlen.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "optval or optlen is NULL"));
    }
    // SAFETY: optlen is valid per the contract.
    let len = unsafe { optlen.read_unaligned() };
    if len < 4 {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("optlen {len} is smaller than the 4-byte option value"),
        ));
    }
    let value = core.option(opt)?;
    // SAFETY: optval writable for at least 4 bytes (checked), optlen valid.
    unsafe {
        optval.cast::<i32>().write_unaligned(value);
        optlen.write_unaligned(4);
    }
    Ok(())
}

impl SocketCore {
    /// Sets a translated option (see [`SockOpt`]).
    ///
    /// ```
    /// # use ws2_engine::{translate::{sock_opt, Family}, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_option(sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_RCVTIMEO)?, 250)?;
    /// assert_eq!(core.recv_timeout_ms(), 250);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_option(&self, opt: SockOpt, value: i32) -> Result<()> {
        match opt {
            SockOpt::Linux { level, name, .. } => {
                self.set_int_option(level, name, value, "setsockopt")
            }
            SockOpt::SendTimeout => {
                self.set_send_timeout_ms(value as u32);
                Ok(())
            }
            SockOpt::RecvTimeout => {
                self.set_recv_timeout_ms(value as u32);
                Ok(())
            }
            SockOpt::Tos { level, name } => {
                self.set_int_option(level, name, value, "setsockopt(IP_TOS/IPV6_TCLASS)")?;
                self.set_socket_tos(value as u8);
                Ok(())
            }
            SockOpt::HeaderIncluded => {
                self.set_int_option(
                    libc::IPPROTO_IP,
                    libc::IP_HDRINCL,
                    value,
                    "setsockopt(IP_HDRINCL)",
                )?;
                self.set_header_included(value != 0);
                Ok(())
            }
            SockOpt::SegmentSize => self.set_segment_size(value as u32),
            SockOpt::V6Only => self.set_v6_only(value != 0),
            SockOpt::RecvTos { v6, ecn } => self.set_recv_tos(v6, ecn, value != 0),
            SockOpt::Type | SockOpt::MaxMsgSize | SockOpt::Error => Err(Error::new(
                abi::WSAEINVAL,
                "this option can be read with getsockopt but not set",
            )),
        }
    }

    /// Reads a translated option.
    ///
    /// ```
    /// # use ws2_engine::{translate::{sock_opt, Family}, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// let ty = core.option(sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_TYPE)?)?;
    /// assert_eq!(ty, ws2_abi::SOCK_DGRAM);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn option(&self, opt: SockOpt) -> Result<i32> {
        match opt {
            SockOpt::Linux { level, name, halve } => {
                let v = self.int_option(level, name, "getsockopt")?;
                // Linux reports SO_SNDBUF/SO_RCVBUF doubled; Windows reports what was set.
                Ok(if halve { v / 2 } else { v })
            }
            SockOpt::SendTimeout => Ok(self.send_timeout_ms() as i32),
            SockOpt::RecvTimeout => Ok(self.recv_timeout_ms() as i32),
            SockOpt::Tos { level, name } => {
                self.int_option(level, name, "getsockopt(IP_TOS/IPV6_TCLASS)")
            }
            SockOpt::HeaderIncluded => {
                self.int_option(libc::IPPROTO_IP, libc::IP_HDRINCL, "getsockopt(IP_HDRINCL)")
            }
            SockOpt::Type => Ok(self.kind().windows()),
            SockOpt::SegmentSize => Ok(self.segment_size_option() as i32),
            SockOpt::V6Only => Ok(self.v6_only()? as i32),
            SockOpt::RecvTos { ecn, .. } => Ok(self.recv_tos_wanted(ecn) as i32),
            SockOpt::MaxMsgSize => Ok(self.max_msg_size() as i32),
            SockOpt::Error => {
                let e =
                    self.int_option(libc::SOL_SOCKET, libc::SO_ERROR, "getsockopt(SO_ERROR)")?;
                Ok(if e == 0 { 0 } else { abi::wsa_from_errno(e) })
            }
        }
    }
}

/// Where a receive's results go in the caller's memory: the source address
/// and its length, the control buffer (whose `len` becomes the bytes used)
/// and the flags word. Any may be null.
///
/// ```
/// let none = ws2_engine::raw::RecvOutputs {
///     name: std::ptr::null_mut(),
///     namelen: std::ptr::null_mut(),
///     control: std::ptr::null_mut(),
///     flags: std::ptr::null_mut(),
/// };
/// assert!(none.name.is_null());
/// ```
#[derive(Clone, Copy)]
pub struct RecvOutputs {
    /// `lpFrom` / `WSAMSG::name`: receives the source address.
    pub name: *mut abi::SOCKADDR,
    /// `lpFromlen` / `WSAMSG::namelen`: capacity in, size written out.
    pub namelen: *mut i32,
    /// `WSAMSG::Control`: Windows-layout control entries; `len` becomes
    /// the bytes used.
    pub control: *mut abi::WSABUF,
    /// `lpFlags` / `WSAMSG::dwFlags`: `MSG_TRUNC`, `MSG_CTRUNC`, `MSG_BCAST`...
    pub flags: *mut u32,
}

// SAFETY: the pointers are written once, at completion, and Winsock's
// contract keeps them valid until then.
unsafe impl Send for RecvOutputs {}

impl RecvOutputs {
    /// Writes what arrived (S27): source, Windows-layout control entries,
    /// `MSG_TRUNC`/`MSG_CTRUNC`/`MSG_BCAST`/`MSG_MCAST`; a truncated datagram
    /// or control data is `WSAEMSGSIZE` after everything that fit is written.
    ///
    /// # Safety
    /// Every non-null pointer valid and writable as Winsock documents.
    unsafe fn write(self, got: &Received) -> Result<usize> {
        if !self.name.is_null()
            && !self.namelen.is_null()
            && let Some(from) = got.from
        {
            // SAFETY: name writable for *namelen bytes per the contract.
            unsafe { crate::translate::socket_addr_to_windows(&from, self.name, self.namelen) }?;
        }
        let (used, ctrunc) = if self.control.is_null() {
            (0, false)
        } else {
            // SAFETY: control readable per the contract.
            let c = unsafe { self.control.read_unaligned() };
            if c.buf.is_null() {
                (0, got.controls != Default::default())
            } else {
                // Only as far as the entries can go: a Control.len larger
                // than that claims nothing more.
                let len = (c.len as usize).min(RECEIVED_CONTROL_MAX);
                // SAFETY: Control.buf writable for Control.len bytes per the contract.
                let out = unsafe { std::slice::from_raw_parts_mut(c.buf.cast::<u8>(), len) };
                got.controls.to_windows(out)
            }
        };
        let mut flags = got.controls.windows_flags();
        if got.truncated {
            flags |= abi::MSG_TRUNC;
        }
        if ctrunc {
            flags |= abi::MSG_CTRUNC;
        }
        if !self.control.is_null() {
            // SAFETY: control writable per the contract.
            unsafe { (&raw mut (*self.control).len).write_unaligned(used as u32) };
        }
        if !self.flags.is_null() {
            // SAFETY: flags writable per the contract.
            unsafe { self.flags.write_unaligned(flags) };
        }
        if got.truncated {
            return Err(Error::new(
                abi::WSAEMSGSIZE,
                "the datagram was larger than the buffers (MSG_TRUNC)",
            ));
        }
        if ctrunc {
            return Err(Error::new(
                abi::WSAEMSGSIZE,
                "the control data did not fit Control.len (MSG_CTRUNC)",
            ));
        }
        Ok(got.bytes)
    }
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
    if !outputs.control.is_null() {
        // SAFETY: control readable per the contract.
        let c = unsafe { outputs.control.read_unaligned() };
        if c.buf.is_null() && c.len != 0 {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("Control.buf is NULL but Control.len is {}", c.len),
            ));
        }
    }
    // SAFETY: lpBuffers readable for count entries per the contract.
    let iov = unsafe { IoVecs::from_wsabufs(buffers, count) }?;
    // SAFETY: IoVecs holds len() initialised iovecs.
    let iov_slice = unsafe { std::slice::from_raw_parts(iov.as_ptr(), iov.len()) };
    if !overlapped.is_null() && core.is_overlapped() {
        // SAFETY: overlapped valid per the contract.
        let delivery = unsafe { overlapped_delivery(core, overlapped, routine) }?;
        let finish: crate::ops::RecvFinish = Box::new(move |got| {
            let outputs = outputs;
            // SAFETY: the outputs stay valid until completion per the contract.
            got.and_then(|got| unsafe { outputs.write(&got) })
        });
        let submitted = io::recv_overlapped(core, iov_slice, finish, delivery, || {
            // SAFETY: overlapped valid; written before the op is visible.
            unsafe { OvPtr(overlapped).mark_pending() }
        })?;
        return match submitted {
            Submitted::Now(result, delivery) => {
                if !bytes.is_null()
                    && let Ok(n) = result
                {
                    // SAFETY: bytes writable per the contract.
                    unsafe { bytes.write_unaligned(n as u32) };
                }
                crate::socket::complete(Some(core), delivery, result.clone(), true);
                result.map(|n| n as u32)
            }
            Submitted::Pending => Err(io_pending()),
        };
    }
    let got = core.recv_with_controls(iov.as_ptr().cast_mut(), iov.len())?;
    if !bytes.is_null() {
        // SAFETY: bytes writable per the contract.
        unsafe { bytes.write_unaligned(got.bytes as u32) };
    }
    // SAFETY: outputs writable per the contract.
    let n = unsafe { outputs.write(&got) }?;
    if !overlapped.is_null() {
        // SAFETY: overlapped writable per the contract (S28: non-overlapped socket).
        unsafe { fill_blocking_overlapped(overlapped, n) };
    }
    Ok(n as u32)
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
    // SAFETY: msg is non-null and readable per the contract.
    let m = unsafe { std::ptr::read_unaligned(msg) };
    let outputs = RecvOutputs {
        name: m.name,
        // SAFETY: msg stays valid (contract); these are field addresses.
        namelen: unsafe { &raw mut (*msg).namelen },
        // SAFETY: as above.
        control: unsafe { &raw mut (*msg).Control },
        // SAFETY: as above.
        flags: unsafe { &raw mut (*msg).dwFlags },
    };
    // SAFETY: forwarded contract.
    unsafe {
        recv_into(
            core,
            m.lpBuffers,
            m.dwBufferCount,
            outputs,
            bytes,
            overlapped,
            routine,
        )
    }
}

/// `WSAGetOverlappedResult` after the handle lookup (S31, S32): the byte
/// count of a finished operation, `WSA_IO_INCOMPLETE` while pending without
/// `wait`, the mapped error of a failed one. Waiting is not alertable.
///
/// # Safety
/// `ov` valid; `bytes` and `flags` writable or null.
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// // An operation that finished with 5 bytes (Internal = STATUS_SUCCESS).
/// let mut ov = ws2_abi::WSAOVERLAPPED { InternalHigh: 5, ..Default::default() };
/// let (mut bytes, mut flags) = (0u32, 0u32);
/// // SAFETY: `ov`, `bytes` and `flags` are live locals.
/// let n = unsafe { ws2_engine::raw::get_overlapped_result(&core, &mut ov, &mut bytes, false, &mut flags) }?;
/// assert_eq!((n, bytes), (5, 5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn get_overlapped_result(
    core: &SocketCore,
    ov: *mut abi::WSAOVERLAPPED,
    bytes: *mut u32,
    wait: bool,
    flags: *mut u32,
) -> Result<u32> {
    if ov.is_null() || bytes.is_null() || flags.is_null() {
        return Err(Error::new(
            abi::WSAEFAULT,
            "lpOverlapped, lpcbTransfer or lpdwFlags is NULL",
        ));
    }
    let ovp = OvPtr(ov);
    // SAFETY: ov valid per the contract.
    if unsafe { ovp.status() } == abi::STATUS_PENDING {
        if !wait {
            return Err(Error::new(
                abi::WSA_IO_INCOMPLETE,
                "the overlapped operation is still pending",
            ));
        }
        if io::pending_has_routine(core, ov) == Some(true) {
            return Err(Error::new(
                abi::WSAEINVAL,
                "fWait is TRUE but the operation completes through a completion routine",
            ));
        }
        // SAFETY: ov valid per the contract.
        completion::wait_until(&[core], None, false, None, || {
            (unsafe { ovp.status() } != abi::STATUS_PENDING).then_some(())
        })?;
    }
    // SAFETY: ov valid, bytes and flags writable per the contract.
    unsafe {
        let status = ovp.status();
        let n = (*ov).InternalHigh as u32;
        bytes.write_unaligned(n);
        flags.write_unaligned(0);
        if status != abi::STATUS_SUCCESS {
            let code = abi::wsa_from_status(status);
            return Err(Error::new(
                code,
                format!("the operation failed with NTSTATUS {status:#x}"),
            ));
        }
        Ok(n)
    }
}

/// Completes an ioctl that succeeded at once: with an OVERLAPPED on an
/// overlapped-capable socket the completion is still delivered, with 0
/// bytes (S2; the byte count went to `lpcbBytesReturned`).
///
/// # Safety
/// `ov` null or valid and writable.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{handles::{self, Object}, translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let event = Arc::new(ws2_engine::Event::new());
/// let h = handles::insert(Object::Event(event.clone()))?;
/// // Low bit set in hEvent: signal the event, post nothing to a port.
/// let mut ov = ws2_abi::WSAOVERLAPPED { hEvent: (h | 1) as _, ..Default::default() };
/// // SAFETY: `ov` is a live local that outlives the (immediate) completion.
/// unsafe { ws2_engine::raw::complete_ioctl(&core, &mut ov, None) }?;
/// assert!(event.is_set());
/// assert_eq!(ov.Internal as ws2_abi::NTSTATUS, ws2_abi::STATUS_SUCCESS);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn complete_ioctl(
    core: &SocketCore,
    ov: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<()> {
    let bytes = 0u32;
    if ov.is_null() {
        return Ok(());
    }
    if !core.is_overlapped() {
        // SAFETY: ov valid per the contract (S28).
        unsafe { fill_blocking_overlapped(ov, bytes as usize) };
        return Ok(());
    }
    // SAFETY: ov valid per the contract.
    let delivery = unsafe { overlapped_delivery(core, ov, routine) }?;
    crate::socket::complete(Some(core), delivery, Ok(bytes as usize), true);
    Ok(())
}
