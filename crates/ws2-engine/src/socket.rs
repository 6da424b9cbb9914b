//! Sockets: the shared core both faces use ([`SocketCore`]) and the safe
//! Rust API over it ([`Socket`], [`Message`], [`SendFlags`]).

use std::mem::size_of;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use ws2_abi as abi;

use crate::completion::{Port, ThreadWaker};
use crate::engine;
use crate::error::{Error, Result, errno};
use crate::ops::{RecvQueue, SendPlan, SendQueue};
use crate::translate::{
    CmsgBuf, Family, LinuxAddr, MAX_IOVECS, Received, ReceivedControls, SendControls,
    requested_source,
};

/// The kind of socket (Windows `SOCK_*`).
/// ```
/// use ws2_engine::SocketKind;
/// assert_eq!(SocketKind::from_windows(ws2_abi::SOCK_DGRAM), Some(SocketKind::Datagram));
/// assert_eq!(SocketKind::Raw.windows(), ws2_abi::SOCK_RAW);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketKind {
    /// `SOCK_DGRAM`: UDP.
    Datagram,
    /// `SOCK_RAW`: IP datagrams of one protocol (needs `CAP_NET_RAW`).
    Raw,
    /// `SOCK_STREAM`: TCP; `WSASendMsg` refuses it (`WSAEINVAL`).
    Stream,
}

impl SocketKind {
    /// The Windows `SOCK_*` number.
    /// ```
    /// assert_eq!(ws2_engine::SocketKind::Datagram.windows(), 2);
    /// ```
    pub fn windows(self) -> i32 {
        match self {
            SocketKind::Datagram => abi::SOCK_DGRAM,
            SocketKind::Raw => abi::SOCK_RAW,
            SocketKind::Stream => abi::SOCK_STREAM,
        }
    }

    fn linux(self) -> i32 {
        match self {
            SocketKind::Datagram => libc::SOCK_DGRAM,
            SocketKind::Raw => libc::SOCK_RAW,
            SocketKind::Stream => libc::SOCK_STREAM,
        }
    }

    /// From a Windows `SOCK_*` number.
    /// ```
    /// assert_eq!(ws2_engine::SocketKind::from_windows(1), Some(ws2_engine::SocketKind::Stream));
    /// assert_eq!(ws2_engine::SocketKind::from_windows(99), None);
    /// ```
    pub fn from_windows(ty: i32) -> Option<SocketKind> {
        match ty {
            abi::SOCK_DGRAM => Some(SocketKind::Datagram),
            abi::SOCK_RAW => Some(SocketKind::Raw),
            abi::SOCK_STREAM => Some(SocketKind::Stream),
            _ => None,
        }
    }
}

/// Flags for [`Socket::send_msg`]: Windows' `dwFlags` (S10).
///
/// ```
/// let flags = ws2_engine::SendFlags::DONTROUTE;
/// assert_eq!(flags.bits(), 0x4);
/// assert!(ws2_engine::SendFlags::from_bits(0x2).is_none()); // MSG_PEEK is not a send flag
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendFlags(u32);

impl SendFlags {
    /// No flags.
    pub const NONE: SendFlags = SendFlags(0);
    /// `MSG_OOB`: refused on datagram sockets (`WSAEOPNOTSUPP`).
    pub const OOB: SendFlags = SendFlags(abi::MSG_OOB);
    /// `MSG_DONTROUTE`: send only to directly reachable hosts.
    pub const DONTROUTE: SendFlags = SendFlags(abi::MSG_DONTROUTE);
    /// `MSG_PARTIAL`: refused on datagram sockets (`WSAEOPNOTSUPP`).
    pub const PARTIAL: SendFlags = SendFlags(abi::MSG_PARTIAL);

    /// Flags from Windows bits; `None` if a bit other than the three above is set.
    /// ```
    /// use ws2_engine::SendFlags;
    /// assert_eq!(SendFlags::from_bits(0x4), Some(SendFlags::DONTROUTE));
    /// assert_eq!(SendFlags::from_bits(0x2), None); // MSG_PEEK
    /// ```
    pub fn from_bits(bits: u32) -> Option<SendFlags> {
        (bits & !(abi::MSG_OOB | abi::MSG_DONTROUTE | abi::MSG_PARTIAL) == 0)
            .then_some(SendFlags(bits))
    }

    /// The Windows bits.
    /// ```
    /// use ws2_engine::SendFlags;
    /// assert_eq!((SendFlags::OOB | SendFlags::DONTROUTE).bits(), 0x5);
    /// ```
    pub fn bits(self) -> u32 {
        self.0
    }
}

impl std::ops::BitOr for SendFlags {
    type Output = SendFlags;
    fn bitor(self, rhs: SendFlags) -> SendFlags {
        SendFlags(self.0 | rhs.0)
    }
}

// State bits of a socket.
const NONBLOCKING: u32 = 1 << 0;
const BOUND: u32 = 1 << 1;
const CONNECTED: u32 = 1 << 2;
const SHUT_SEND: u32 = 1 << 3;
const SHUT_RECV: u32 = 1 << 4;
const CLOSED: u32 = 1 << 5;
const PEER_V4: u32 = 1 << 6;
const HEADER_INCLUDED: u32 = 1 << 7;
const NO_CONNRESET: u32 = 1 << 8;
const NO_NETRESET: u32 = 1 << 9;
/// Set once for SOCK_STREAM sockets, so the send path tests one word.
const STREAM: u32 = 1 << 10;
const GSO_REFUSED: u32 = 1 << 11;
const WANT_TOS: u32 = 1 << 12;
const WANT_ECN: u32 = 1 << 13;
/// An `AF_INET6` socket that is not dual-stack (`IPV6_V6ONLY`, the Windows
/// default; always so for raw IPv6 sockets): IPv4 peers are refused (S8).
const V6ONLY: u32 = 1 << 14;

fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
        .is_ok()
}

/// The state of one socket, shared by the handle table, the Rust
/// `Socket` and any thread blocked on it.
/// ```
/// use ws2_engine::{Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// assert_eq!((core.family(), core.kind()), (Family::V4, SocketKind::Datagram));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SocketCore {
    fd: OwnedFd,
    family: Family,
    kind: SocketKind,
    protocol: i32,
    overlapped: bool,
    state: AtomicU32,
    send_timeout_ms: AtomicU32,
    recv_timeout_ms: AtomicU32,
    /// The socket's TOS / traffic class, kept for ECN-only sends (S26).
    tos: AtomicU8,
    /// Threads blocked in a call on this socket (slow path only).
    pub(crate) waiters: Mutex<Vec<Arc<ThreadWaker>>>,
    /// `waiters.len()`, so completions skip the lock when nobody waits.
    pub(crate) waiter_count: AtomicUsize,
    /// A process-unique id (the reactor's key).
    pub(crate) id: u64,
    /// Sends waiting for buffer space, in call order (S34).
    pub(crate) queue: Mutex<SendQueue>,
    /// `queue.len()`, readable without the lock.
    pub(crate) queued: AtomicUsize,
    /// Overlapped receives waiting for datagrams, in call order.
    pub(crate) recv_queue: Mutex<RecvQueue>,
    /// The fork generation whose operations `queue` and `recv_queue` hold
    /// (a fork child drops its parent's on first use, S43).
    pub(crate) queue_generation: AtomicU64,
    /// A duplicate of the fd for the reactor's receive arming (made on
    /// the first pending overlapped receive).
    recv_fd: OnceLock<OwnedFd>,
    /// The completion port and key the socket is bound to (S36).
    port: OnceLock<(Arc<Port>, usize)>,
    /// `SetFileCompletionNotificationModes` flags.
    notification_modes: AtomicU8,
    /// `UDP_SEND_MSG_SIZE` set as a socket option (0: none).
    segment_size: AtomicU32,
    /// ICMP port unreachable messages not yet reported (S19).
    icmp_resets: AtomicU32,
    /// ICMP time exceeded messages not yet reported (S19).
    icmp_ttl_expired: AtomicU32,
}

static NEXT_SOCKET_ID: AtomicU64 = AtomicU64::new(1);

fn cvt(ret: libc::c_int, context: &'static str) -> Result<libc::c_int> {
    if ret < 0 {
        Err(Error::last_os(context))
    } else {
        Ok(ret)
    }
}

fn set_int(fd: RawFd, level: i32, name: i32, value: i32, context: &'static str) -> Result<()> {
    // SAFETY: passes a pointer to a live c_int and its size.
    cvt(
        unsafe {
            libc::setsockopt(
                fd,
                level,
                name,
                (&raw const value).cast(),
                size_of::<i32>() as libc::socklen_t,
            )
        },
        context,
    )
    .map(drop)
}

fn get_int(fd: RawFd, level: i32, name: i32, context: &'static str) -> Result<i32> {
    let mut value: i32 = 0;
    let mut len = size_of::<i32>() as libc::socklen_t;
    // SAFETY: passes a pointer to a live c_int and its length.
    cvt(
        unsafe { libc::getsockopt(fd, level, name, (&raw mut value).cast(), &mut len) },
        context,
    )?;
    Ok(value)
}

impl SocketCore {
    /// Creates a socket with Windows family/type/protocol numbers.
    /// `overlapped` is `WSA_FLAG_OVERLAPPED` (always true for `socket()`).
    ///
    /// ```
    /// use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V6, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.protocol(), libc::IPPROTO_UDP);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        family: Family,
        kind: SocketKind,
        protocol: i32,
        overlapped: bool,
    ) -> Result<SocketCore> {
        let linux_protocol = match (kind, protocol) {
            (SocketKind::Datagram, 0) => libc::IPPROTO_UDP,
            (SocketKind::Stream, 0) => libc::IPPROTO_TCP,
            (_, p) => p,
        };
        // SAFETY: socket() has no pointer arguments.
        let fd = unsafe {
            libc::socket(
                family.linux(),
                kind.linux() | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                linux_protocol,
            )
        };
        if fd < 0 {
            let e = errno();
            let code = match e {
                libc::EPROTONOSUPPORT | libc::EINVAL => abi::WSAEPROTONOSUPPORT,
                libc::EPERM | libc::EACCES => abi::WSAEACCES,
                _ => abi::wsa_from_errno(e),
            };
            return Err(Error::new(
                code,
                format!(
                    "socket(af {}, type {}, protocol {protocol}): {}",
                    family.windows(),
                    kind.windows(),
                    std::io::Error::from_raw_os_error(e)
                ),
            ));
        }
        // SAFETY: fd is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let core = SocketCore::from_parts(fd, family, kind, linux_protocol, overlapped);
        if kind == SocketKind::Stream {
            core.state.fetch_or(STREAM, Ordering::Relaxed);
        }
        if family == Family::V6 {
            // Windows' default is IPV6_V6ONLY = TRUE; Linux's is 0. A raw
            // IPv6 socket carries IPv6 only anyway, and Linux refuses the
            // option on it (EINVAL), so it is only recorded (S9, S23).
            if kind != SocketKind::Raw {
                set_int(
                    core.raw_fd(),
                    libc::IPPROTO_IPV6,
                    libc::IPV6_V6ONLY,
                    1,
                    "setsockopt(IPV6_V6ONLY)",
                )?;
            }
            core.state.fetch_or(V6ONLY, Ordering::Relaxed);
        }
        if kind == SocketKind::Datagram {
            // ICMP errors go to the error queue, to be reported on the next
            // receive as Windows does (S19), not lost on unconnected sockets.
            set_int(
                core.raw_fd(),
                libc::IPPROTO_IP,
                libc::IP_RECVERR,
                1,
                "setsockopt(IP_RECVERR)",
            )?;
            if family == Family::V6 {
                set_int(
                    core.raw_fd(),
                    libc::IPPROTO_IPV6,
                    libc::IPV6_RECVERR,
                    1,
                    "setsockopt(IPV6_RECVERR)",
                )?;
            }
        }
        if kind == SocketKind::Raw && linux_protocol == libc::IPPROTO_RAW {
            core.state.fetch_or(HEADER_INCLUDED, Ordering::Relaxed);
        }
        Ok(core)
    }

    fn from_parts(
        fd: OwnedFd,
        family: Family,
        kind: SocketKind,
        protocol: i32,
        overlapped: bool,
    ) -> SocketCore {
        SocketCore {
            fd,
            family,
            kind,
            protocol,
            overlapped,
            state: AtomicU32::new(0),
            send_timeout_ms: AtomicU32::new(0),
            recv_timeout_ms: AtomicU32::new(0),
            tos: AtomicU8::new(0),
            waiters: Mutex::new(Vec::new()),
            waiter_count: AtomicUsize::new(0),
            id: NEXT_SOCKET_ID.fetch_add(1, Ordering::Relaxed),
            queue: Mutex::new(SendQueue::default()),
            queued: AtomicUsize::new(0),
            recv_queue: Mutex::new(RecvQueue::default()),
            queue_generation: AtomicU64::new(crate::fork::generation()),
            recv_fd: OnceLock::new(),
            port: OnceLock::new(),
            notification_modes: AtomicU8::new(0),
            segment_size: AtomicU32::new(0),
            icmp_resets: AtomicU32::new(0),
            icmp_ttl_expired: AtomicU32::new(0),
        }
    }

    /// Adopts an open Linux socket (made non-blocking in the kernel).
    /// ```
    /// use std::os::fd::OwnedFd;
    /// let std_sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let addr = std_sock.local_addr()?;
    /// let core = ws2_engine::SocketCore::from_fd(OwnedFd::from(std_sock))?;
    /// assert_eq!(core.kind(), ws2_engine::SocketKind::Datagram);
    /// assert_eq!(core.local_addr()?, addr);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_fd(fd: OwnedFd) -> Result<SocketCore> {
        let raw = fd.as_raw_fd();
        let domain = get_int(
            raw,
            libc::SOL_SOCKET,
            libc::SO_DOMAIN,
            "getsockopt(SO_DOMAIN)",
        )?;
        let family = match domain {
            libc::AF_INET => Family::V4,
            libc::AF_INET6 => Family::V6,
            other => {
                return Err(Error::new(
                    abi::WSAEAFNOSUPPORT,
                    format!("socket family {other} is not AF_INET or AF_INET6"),
                ));
            }
        };
        let kind = match get_int(raw, libc::SOL_SOCKET, libc::SO_TYPE, "getsockopt(SO_TYPE)")? {
            libc::SOCK_DGRAM => SocketKind::Datagram,
            libc::SOCK_RAW => SocketKind::Raw,
            libc::SOCK_STREAM => SocketKind::Stream,
            other => {
                return Err(Error::new(
                    abi::WSAESOCKTNOSUPPORT,
                    format!("socket type {other} is not supported"),
                ));
            }
        };
        let protocol = get_int(
            raw,
            libc::SOL_SOCKET,
            libc::SO_PROTOCOL,
            "getsockopt(SO_PROTOCOL)",
        )?;
        // SAFETY: F_GETFL/F_SETFL take no pointers.
        unsafe {
            let fl = cvt(libc::fcntl(raw, libc::F_GETFL), "fcntl(F_GETFL)")?;
            cvt(
                libc::fcntl(raw, libc::F_SETFL, fl | libc::O_NONBLOCK),
                "fcntl(F_SETFL)",
            )?;
        }
        let core = SocketCore::from_parts(fd, family, kind, protocol, true);
        if kind == SocketKind::Stream {
            core.state.fetch_or(STREAM, Ordering::Relaxed);
        }
        if family == Family::V6
            && (kind == SocketKind::Raw
                || get_int(
                    raw,
                    libc::IPPROTO_IPV6,
                    libc::IPV6_V6ONLY,
                    "getsockopt(IPV6_V6ONLY)",
                )? != 0)
        {
            core.state.fetch_or(V6ONLY, Ordering::Relaxed);
        }
        if core.kernel_local_addr()?.is_some_and(|a| a.port() != 0) || kind == SocketKind::Raw {
            core.state.fetch_or(BOUND, Ordering::Relaxed);
        }
        if core.kernel_peer_addr().is_ok() {
            core.state.fetch_or(CONNECTED, Ordering::Relaxed);
        }
        Ok(core)
    }

    /// The Linux file descriptor (owned by the core).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(core.raw_fd() >= 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
    /// The address family.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.family(), Family::V4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn family(&self) -> Family {
        self.family
    }
    /// The socket kind.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.kind(), SocketKind::Datagram);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> SocketKind {
        self.kind
    }
    /// The Linux protocol number.
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.protocol(), libc::IPPROTO_UDP);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn protocol(&self) -> i32 {
        self.protocol
    }
    /// Whether overlapped calls are overlapped on this socket (S28).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, false)?;
    /// assert!(!core.is_overlapped());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_overlapped(&self) -> bool {
        self.overlapped
    }
    fn has(&self, bit: u32) -> bool {
        self.state.load(Ordering::Acquire) & bit != 0
    }
    /// Whether [`SocketCore::close`] was called.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.close();
    /// assert!(core.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_closed(&self) -> bool {
        self.has(CLOSED)
    }
    /// Whether `FIONBIO` is on (see [`SocketCore::set_nonblocking`]).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(!core.is_nonblocking());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_nonblocking(&self) -> bool {
        self.has(NONBLOCKING)
    }
    /// Whether the socket has a local address (bind, connect or a first send).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(!core.is_bound());
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// assert!(core.is_bound());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_bound(&self) -> bool {
        self.has(BOUND)
    }
    /// `SO_SNDTIMEO` in milliseconds (0: wait forever).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.send_timeout_ms(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_timeout_ms(&self) -> u32 {
        self.send_timeout_ms.load(Ordering::Relaxed)
    }
    /// `SO_RCVTIMEO` in milliseconds (0: wait forever).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.recv_timeout_ms(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recv_timeout_ms(&self) -> u32 {
        self.recv_timeout_ms.load(Ordering::Relaxed)
    }
    /// Sets `SO_SNDTIMEO` in milliseconds (0: wait forever, S16).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_send_timeout_ms(500);
    /// assert_eq!(core.send_timeout_ms(), 500);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_send_timeout_ms(&self, ms: u32) {
        self.send_timeout_ms.store(ms, Ordering::Relaxed)
    }
    /// Sets `SO_RCVTIMEO` in milliseconds (0: wait forever).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_recv_timeout_ms(20);
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// let mut buf = [0u8; 4];
    /// assert_eq!(core.recv_from(&mut buf, false).unwrap_err().code(), ws2_abi::WSAETIMEDOUT);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_recv_timeout_ms(&self, ms: u32) {
        self.recv_timeout_ms.store(ms, Ordering::Relaxed)
    }
    /// `ioctlsocket(FIONBIO)`: the kernel fd stays non-blocking; this only
    /// changes what a call that would block answers (S17).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_nonblocking(true);
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// let mut buf = [0u8; 4];
    /// assert_eq!(core.recv_from(&mut buf, false).unwrap_err().code(), ws2_abi::WSAEWOULDBLOCK);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_nonblocking(&self, on: bool) {
        if on {
            self.state.fetch_or(NONBLOCKING, Ordering::Release);
        } else {
            self.state.fetch_and(!NONBLOCKING, Ordering::Release);
        }
    }
    pub(crate) fn socket_tos(&self) -> u8 {
        self.tos.load(Ordering::Relaxed)
    }
    pub fn set_socket_tos(&self, tos: u8) {
        self.tos.store(tos, Ordering::Relaxed)
    }
    pub(crate) fn set_header_included(&self, on: bool) {
        if on {
            self.state.fetch_or(HEADER_INCLUDED, Ordering::Relaxed);
        } else {
            self.state.fetch_and(!HEADER_INCLUDED, Ordering::Relaxed);
        }
    }

    /// Marks the socket closed and wakes every thread blocked on it, which
    /// then fails with `WSAEINTR` (S37). The fd itself closes when the last
    /// reference goes.
    /// Pending overlapped sends complete with `WSA_OPERATION_ABORTED`.
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.close();
    /// assert!(core.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        engine::cancel_all(self);
        crate::addr_changes::cancel_socket(self);
        engine::forget_closed(self);
        self.wake_waiters();
    }

    /// `SIO_FLUSH`: completes every pending send with `WSA_OPERATION_ABORTED` (S37).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.flush(); // nothing pending: a no-op
    /// assert!(!core.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&self) {
        engine::cancel_all(self);
    }

    pub(crate) fn wake_waiters(&self) {
        // Pairs with the fence in `add_waiter`: either the waiter sees the
        // new status on its re-check, or we see it registered (Dekker).
        std::sync::atomic::fence(Ordering::SeqCst);
        if self.waiter_count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let waiters = crate::fork::lock(&self.waiters);
        for w in waiters.iter() {
            w.wake();
        }
    }

    /// The completion port this socket is bound to.
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(core.port().is_none());
    /// core.set_port(std::sync::Arc::new(ws2_engine::Port::new()), 7)?;
    /// assert_eq!(core.port().map(|(_, key)| *key), Some(7));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn port(&self) -> Option<&(Arc<Port>, usize)> {
        self.port.get()
    }

    /// Binds the socket to a completion port (once, S36).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// let port = std::sync::Arc::new(ws2_engine::Port::new());
    /// core.set_port(port.clone(), 1)?;
    /// assert_eq!(core.set_port(port, 2).unwrap_err().code(), ws2_abi::WSAEINVAL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_port(&self, port: Arc<Port>, key: usize) -> Result<()> {
        // A OnceLock being set is a lock of its own: not across a fork.
        let _section = crate::fork::enter();
        self.port.set((port, key)).map_err(|_| {
            Error::new(
                abi::WSAEINVAL,
                "the socket is already bound to a completion port",
            )
        })
    }

    /// `SetFileCompletionNotificationModes`.
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_notification_modes(ws2_abi::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    /// assert!(core.port().is_none()); // the mode applies once a port is bound
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_notification_modes(&self, modes: u8) {
        self.notification_modes.store(modes, Ordering::Relaxed)
    }

    pub(crate) fn skips_port_on_success(&self) -> bool {
        self.notification_modes.load(Ordering::Relaxed) & abi::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
            != 0
    }

    /// The largest datagram this socket sends (`SO_MAX_MSG_SIZE`, S11).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.max_msg_size(), 65507);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_msg_size(&self) -> u32 {
        match (self.kind, self.family) {
            (SocketKind::Stream, _) => u32::MAX,
            (_, Family::V4) if self.has(HEADER_INCLUDED) => 65535,
            (SocketKind::Raw, Family::V4) => 65515,
            (SocketKind::Raw, Family::V6) => 65535,
            (_, Family::V4) => abi::UDP_MAX_MSG_SIZE_V4,
            (_, Family::V6) => abi::UDP_MAX_MSG_SIZE_V6,
        }
    }

    /// `bind`: an IPv4 address on an IPv6 socket is bound v4-mapped.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// assert_eq!(core.local_addr()?.ip(), std::net::Ipv4Addr::LOCALHOST);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bind(&self, addr: &SocketAddr) -> Result<()> {
        let la = self.linux_addr(addr, self.state.load(Ordering::Acquire))?;
        // SAFETY: la holds a valid sockaddr of la.len() bytes.
        cvt(
            unsafe { libc::bind(self.raw_fd(), la.as_ptr(), la.len()) },
            "bind",
        )?;
        self.state.fetch_or(BOUND, Ordering::Release);
        Ok(())
    }

    /// `connect`: sets the default destination and binds the socket.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// core.connect(&peer.local_addr()?)?;
    /// assert_eq!(core.peer_addr()?, peer.local_addr()?);
    /// assert!(core.is_bound());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn connect(&self, addr: &SocketAddr) -> Result<()> {
        let la = self.linux_addr(addr, self.state.load(Ordering::Acquire))?;
        // SAFETY: la holds a valid sockaddr of la.len() bytes.
        let r = unsafe { libc::connect(self.raw_fd(), la.as_ptr(), la.len()) };
        if r < 0 {
            let e = errno();
            // A non-blocking stream connect in progress is still a connect.
            if e != libc::EINPROGRESS {
                return Err(Error::from_errno(e, "connect"));
            }
        }
        let v4 = match addr {
            SocketAddr::V4(_) => true,
            SocketAddr::V6(a) => a.ip().to_ipv4_mapped().is_some(),
        };
        let bits = BOUND | CONNECTED | if v4 { PEER_V4 } else { 0 };
        self.state.fetch_and(!PEER_V4, Ordering::Relaxed);
        self.state.fetch_or(bits, Ordering::Release);
        Ok(())
    }

    /// `shutdown` as Windows does it (S13): on an unconnected datagram socket
    /// Linux says `ENOTCONN` but records the shutdown; Windows returns 0.
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.shutdown(ws2_abi::SD_SEND)?; // not connected: still 0, as on Windows
    /// assert_eq!(core.shutdown(7).unwrap_err().code(), ws2_abi::WSAEINVAL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shutdown(&self, how: i32) -> Result<()> {
        let (linux, bits) = match how {
            abi::SD_RECEIVE => (libc::SHUT_RD, SHUT_RECV),
            abi::SD_SEND => (libc::SHUT_WR, SHUT_SEND),
            abi::SD_BOTH => (libc::SHUT_RDWR, SHUT_SEND | SHUT_RECV),
            other => {
                return Err(Error::new(
                    abi::WSAEINVAL,
                    format!("shutdown how {other} is not SD_RECEIVE, SD_SEND or SD_BOTH"),
                ));
            }
        };
        // SAFETY: shutdown has no pointer arguments.
        let r = unsafe { libc::shutdown(self.raw_fd(), linux) };
        if r < 0 {
            let e = errno();
            if !(e == libc::ENOTCONN && self.kind != SocketKind::Stream) {
                return Err(Error::from_errno(e, "shutdown"));
            }
        }
        self.state.fetch_or(bits, Ordering::Release);
        Ok(())
    }

    fn kernel_local_addr(&self) -> Result<Option<SocketAddr>> {
        let mut la = LinuxAddr::empty();
        // SAFETY: la is a sockaddr_storage with its length.
        cvt(
            unsafe { libc::getsockname(self.raw_fd(), la.as_mut_ptr(), la.len_mut()) },
            "getsockname",
        )?;
        Ok(la.to_socket_addr())
    }

    fn kernel_peer_addr(&self) -> Result<SocketAddr> {
        let mut la = LinuxAddr::empty();
        // SAFETY: la is a sockaddr_storage with its length.
        cvt(
            unsafe { libc::getpeername(self.raw_fd(), la.as_mut_ptr(), la.len_mut()) },
            "getpeername",
        )?;
        la.to_socket_addr()
            .ok_or_else(|| Error::new(abi::WSAEAFNOSUPPORT, "peer address family is not IPv4/IPv6"))
    }

    /// `getsockname`: `WSAEINVAL` on a socket that is not bound yet (S15).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.local_addr().unwrap_err().code(), ws2_abi::WSAEINVAL);
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// assert_ne!(core.local_addr()?.port(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn local_addr(&self) -> Result<SocketAddr> {
        if !self.is_bound() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "the socket is not bound (no bind, connect or send yet)",
            ));
        }
        self.kernel_local_addr()?.ok_or_else(|| {
            Error::new(
                abi::WSAEAFNOSUPPORT,
                "local address family is not IPv4/IPv6",
            )
        })
    }

    /// `getpeername`: `WSAENOTCONN` when not connected.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.peer_addr().unwrap_err().code(), ws2_abi::WSAENOTCONN);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        if !self.has(CONNECTED) {
            return Err(Error::new(abi::WSAENOTCONN, "the socket is not connected"));
        }
        self.kernel_peer_addr()
    }

    /// Binds an unbound datagram socket to its family's wildcard address and
    /// an ephemeral port, as Windows does on the first send (S15).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.ensure_bound()?;
    /// let local = core.local_addr()?;
    /// assert!(local.ip().is_unspecified() && local.port() != 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn ensure_bound(&self) -> Result<()> {
        if self.is_bound() {
            return Ok(());
        }
        if self.kind == SocketKind::Datagram {
            let any: SocketAddr = match self.family {
                Family::V4 => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
                Family::V6 => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
            };
            let la = LinuxAddr::new(&any, self.family)?;
            // SAFETY: la holds a valid sockaddr of la.len() bytes.
            let r = unsafe { libc::bind(self.raw_fd(), la.as_ptr(), la.len()) };
            // EINVAL: the kernel bound it already (a racing send); that is fine.
            if r < 0 && errno() != libc::EINVAL {
                return Err(Error::last_os("implicit bind"));
            }
        }
        self.state.fetch_or(BOUND, Ordering::Release);
        Ok(())
    }

    /// Validates one datagram (S9–S14, S22–S25), translates it, and hands
    /// the Linux message to `dispatch` (blocking or overlapped send). `iov`
    /// must describe `total` bytes valid for as long as `dispatch` needs.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn send_datagram<R>(
        self: &Arc<Self>,
        iov: *const libc::iovec,
        iovlen: usize,
        total: usize,
        to: Option<&SocketAddr>,
        controls: &SendControls,
        flags: SendFlags,
        dispatch: impl FnOnce(&Arc<SocketCore>, &SendPlan<'_>) -> Result<R>,
    ) -> Result<R> {
        let state = self.state.load(Ordering::Acquire);
        // One test for every rare refusal keeps the hot path short.
        if state & (CLOSED | SHUT_SEND | STREAM) != 0
            || flags.bits() & (abi::MSG_OOB | abi::MSG_PARTIAL) != 0
            || (to.is_none() && state & CONNECTED == 0)
            || total > abi::UDP_MAX_MSG_SIZE_V4 as usize
        {
            self.check_send(state, to.is_some(), total, flags)?;
        }
        let dest = match to {
            Some(a) => Some(self.linux_addr(a, state)?),
            None => None,
        };
        let to_v4 = match to {
            Some(SocketAddr::V4(_)) => true,
            Some(SocketAddr::V6(a)) => a.ip().to_ipv4_mapped().is_some(),
            None => state & PEER_V4 != 0,
        };
        let mut cmsg = CmsgBuf::default();
        cmsg.encode(controls, self.family, to_v4, self.socket_tos());
        let segment = match controls.segment_size {
            Some(s) => Some(s),
            None => match self.segment_size.load(Ordering::Relaxed) {
                0 => None,
                s => Some(s),
            },
        };
        let segment = match segment {
            Some(s) if total > s as usize => Some(self.check_segmentation(s)?),
            _ => None,
        };
        let plan = SendPlan {
            segment,
            iov,
            iovlen,
            dest,
            cmsg: &cmsg,
            flags: if flags.bits() & abi::MSG_DONTROUTE != 0 {
                libc::MSG_DONTROUTE
            } else {
                0
            },
            controls,
            to_v4,
        };
        let r = dispatch(self, &plan)?;
        if state & BOUND == 0 {
            self.state.fetch_or(BOUND, Ordering::Release);
        }
        Ok(r)
    }

    /// The Linux form of a peer or local address for this socket (`state`:
    /// the socket's state word): an IPv4 address on a dual-stack socket
    /// becomes v4-mapped; on an `IPV6_V6ONLY` socket it is `WSAEAFNOSUPPORT`
    /// (S8), not the `ENETUNREACH` Linux would give.
    #[inline(always)]
    fn linux_addr(&self, addr: &SocketAddr, state: u32) -> Result<LinuxAddr> {
        LinuxAddr::for_socket(addr, self.family, state & V6ONLY != 0)
    }

    /// `IPV6_V6ONLY`: whether an `AF_INET6` socket refuses IPv4 peers. A raw
    /// IPv6 socket is always IPv6-only (Windows' default for every
    /// `AF_INET6` socket, and what a raw socket can carry): setting it is
    /// accepted, clearing it is `WSAEINVAL`. On an `AF_INET` socket the
    /// kernel answers (`WSAENOPROTOOPT`).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V6, SocketKind::Datagram, 0, true)?;
    /// assert!(core.v6_only()?, "the Windows default");
    /// core.set_v6_only(false)?;
    /// assert!(!core.v6_only()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_v6_only(&self, on: bool) -> Result<()> {
        if self.family == Family::V6 && self.kind == SocketKind::Raw {
            if on {
                return Ok(());
            }
            return Err(Error::new(
                abi::WSAEINVAL,
                "IPV6_V6ONLY cannot be turned off on a raw IPv6 socket: it carries IPv6 only",
            ));
        }
        self.set_int_option(
            libc::IPPROTO_IPV6,
            libc::IPV6_V6ONLY,
            on as i32,
            "setsockopt(IPV6_V6ONLY)",
        )?;
        if self.family == Family::V6 {
            if on {
                self.state.fetch_or(V6ONLY, Ordering::AcqRel);
            } else {
                self.state.fetch_and(!V6ONLY, Ordering::AcqRel);
            }
        }
        Ok(())
    }

    /// Whether `IPV6_V6ONLY` is on (see [`SocketCore::set_v6_only`]).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V6, SocketKind::Datagram, 0, true)?;
    /// assert!(core.v6_only()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn v6_only(&self) -> Result<bool> {
        if self.family == Family::V6 {
            return Ok(self.has(V6ONLY));
        }
        Ok(self.int_option(
            libc::IPPROTO_IPV6,
            libc::IPV6_V6ONLY,
            "getsockopt(IPV6_V6ONLY)",
        )? != 0)
    }

    /// `UDP_SEND_MSG_SIZE` works on UDP sockets only.
    #[cold]
    fn check_segmentation(&self, segment: u32) -> Result<u16> {
        if self.kind != SocketKind::Datagram {
            return Err(Error::new(
                abi::WSAEINVAL,
                "UDP_SEND_MSG_SIZE works on UDP (SOCK_DGRAM) sockets only",
            ));
        }
        Ok(segment as u16)
    }

    /// The duplicate fd the reactor watches for overlapped receives.
    pub(crate) fn recv_fd(&self) -> Result<RawFd> {
        if let Some(fd) = self.recv_fd.get() {
            return Ok(fd.as_raw_fd());
        }
        // SAFETY: F_DUPFD_CLOEXEC duplicates our open fd; no pointers.
        let fd = cvt(
            unsafe { libc::fcntl(self.raw_fd(), libc::F_DUPFD_CLOEXEC, 0) },
            "fcntl(F_DUPFD_CLOEXEC)",
        )?;
        // SAFETY: fd is a fresh descriptor we own.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(self.recv_fd.get_or_init(|| owned).as_raw_fd())
    }

    pub(crate) fn recv_fd_if_open(&self) -> Option<RawFd> {
        self.recv_fd.get().map(|fd| fd.as_raw_fd())
    }

    /// One receive attempt without waiting: `None` when no datagram waits.
    pub(crate) fn recv_controls_now(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
    ) -> Result<Option<Received>> {
        match self.recv_with_controls_inner(iov, iovlen, false) {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.code() == abi::WSAEWOULDBLOCK => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the kernel refused UDP GSO on this socket (then ws2
    /// segments in user space, S26).
    pub(crate) fn gso_refused(&self) -> bool {
        self.has(GSO_REFUSED)
    }

    pub(crate) fn note_gso_refused(&self) {
        self.state.fetch_or(GSO_REFUSED, Ordering::Relaxed);
    }

    /// `UDP_SEND_MSG_SIZE` as a socket option: every send is segmented (0: off).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_segment_size(1200)?;
    /// let opt = ws2_engine::translate::sock_opt(ws2_abi::IPPROTO_UDP, ws2_abi::UDP_SEND_MSG_SIZE)?;
    /// assert_eq!(core.option(opt)?, 1200);
    /// assert_eq!(core.set_segment_size(70000).unwrap_err().code(), ws2_abi::WSAEINVAL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_segment_size(&self, bytes: u32) -> Result<()> {
        if bytes != 0 {
            crate::translate::segment_size(bytes)?;
        }
        self.segment_size.store(bytes, Ordering::Relaxed);
        Ok(())
    }

    pub(crate) fn segment_size_option(&self) -> u32 {
        self.segment_size.load(Ordering::Relaxed)
    }

    /// `IP_RECVTOS`/`IP_RECVECN` (and IPv6): Linux has one option for both,
    /// on while either is wanted.
    pub(crate) fn set_recv_tos(&self, v6: bool, ecn: bool, on: bool) -> Result<()> {
        let bit = if ecn { WANT_ECN } else { WANT_TOS };
        let state = if on {
            self.state.fetch_or(bit, Ordering::AcqRel) | bit
        } else {
            self.state.fetch_and(!bit, Ordering::AcqRel) & !bit
        };
        let linux_on = (state & (WANT_TOS | WANT_ECN) != 0) as i32;
        if v6 {
            self.set_int_option(
                libc::IPPROTO_IPV6,
                libc::IPV6_RECVTCLASS,
                linux_on,
                "setsockopt(IPV6_RECVTCLASS)",
            )
        } else {
            self.set_int_option(
                libc::IPPROTO_IP,
                libc::IP_RECVTOS,
                linux_on,
                "setsockopt(IP_RECVTOS)",
            )
        }
    }

    pub(crate) fn recv_tos_wanted(&self, ecn: bool) -> bool {
        self.has(if ecn { WANT_ECN } else { WANT_TOS })
    }

    /// The refusals of S9–S14 and S11, in Windows' order (cold path).
    #[cold]
    #[inline(never)]
    fn check_send(
        &self,
        state: u32,
        has_destination: bool,
        total: usize,
        flags: SendFlags,
    ) -> Result<()> {
        if state & CLOSED != 0 {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if self.kind == SocketKind::Stream {
            return Err(Error::new(
                abi::WSAEINVAL,
                "WSASendMsg works on SOCK_DGRAM and SOCK_RAW sockets only, this one is SOCK_STREAM",
            ));
        }
        if flags.bits() & (abi::MSG_OOB | abi::MSG_PARTIAL) != 0 {
            return Err(Error::new(
                abi::WSAEOPNOTSUPP,
                "MSG_OOB and MSG_PARTIAL are not supported on datagram and raw sockets",
            ));
        }
        if state & SHUT_SEND != 0 {
            return Err(Error::new(
                abi::WSAESHUTDOWN,
                "the socket was shut down for sending",
            ));
        }
        if !has_destination && state & CONNECTED == 0 {
            return Err(Error::new(
                abi::WSAENOTCONN,
                "no destination given and the socket is not connected",
            ));
        }
        let max = self.max_msg_size() as usize;
        if total > max {
            return Err(Error::new(
                abi::WSAEMSGSIZE,
                format!("datagram of {total} bytes exceeds SO_MAX_MSG_SIZE {max}"),
            ));
        }
        Ok(())
    }

    /// Tells a non-local requested source (S23: `WSAEINVAL`) from an
    /// unreachable destination (`WSAENETUNREACH`); Linux answers both with
    /// `ENETUNREACH` (IPv4) or `EINVAL` (IPv6). Only on the failure path.
    pub(crate) fn send_error(&self, e: i32, controls: &SendControls, to_v4: bool) -> Error {
        if matches!(e, libc::ENETUNREACH | libc::EINVAL | libc::EADDRNOTAVAIL)
            && let Some(source) = requested_source(controls, self.family, to_v4)
            && !is_local_address(self.raw_fd(), source)
        {
            let what = if source.is_ipv4() {
                "IN_PKTINFO"
            } else {
                "IN6_PKTINFO"
            };
            return Error::new(
                abi::WSAEINVAL,
                format!("{what} source address {source} is not an address of this host"),
            );
        }
        Error::from_errno(e, "sendmsg")
    }

    /// `recvmsg` with Windows semantics: `WSAEINVAL` when unbound (S15),
    /// blocking emulated with `SO_RCVTIMEO` → `WSAETIMEDOUT`, `FIONBIO` →
    /// `WSAEWOULDBLOCK`. `msg` must describe live, writable buffers.
    pub(crate) fn recvmsg_blocking(
        &self,
        msg: &mut libc::msghdr,
        flags: i32,
        may_wait: bool,
    ) -> Result<usize> {
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if !self.is_bound() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "the socket is not bound: nothing can arrive on it",
            ));
        }
        if self.has(SHUT_RECV) {
            return Err(Error::new(
                abi::WSAESHUTDOWN,
                "the socket was shut down for receiving",
            ));
        }
        let mut deadline = None;
        let (namelen, controllen) = (msg.msg_namelen, msg.msg_controllen);
        loop {
            self.report_icmp_error()?;
            msg.msg_namelen = namelen;
            msg.msg_controllen = controllen;
            // SAFETY: msg describes live, writable buffers per this function's contract.
            let n = unsafe { libc::recvmsg(self.raw_fd(), msg, flags) };
            if n >= 0 {
                return Ok(n as usize);
            }
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => {
                    // An ICMP error in the error queue makes the fd readable
                    // (POLLERR) without data: collect it so it is reported.
                    if self.collect_icmp_errors() {
                        continue;
                    }
                    if !may_wait || self.is_nonblocking() {
                        return Err(Error::new(
                            abi::WSAEWOULDBLOCK,
                            "the socket is non-blocking (FIONBIO) and no datagram is waiting",
                        ));
                    }
                    let d = *deadline
                        .get_or_insert_with(|| engine::deadline_after(self.recv_timeout_ms()));
                    if !engine::wait_readable(self, d)? {
                        return Err(Error::new(
                            abi::WSAETIMEDOUT,
                            format!("SO_RCVTIMEO of {} ms expired", self.recv_timeout_ms()),
                        ));
                    }
                }
                libc::ECONNREFUSED | libc::EHOSTUNREACH | libc::ENETUNREACH | libc::EPROTO => {
                    // The pending socket error of an ICMP message (S19).
                    self.collect_icmp_errors();
                    if self.kind == SocketKind::Datagram
                        && self.icmp_resets.load(Ordering::Acquire) == 0
                    {
                        self.icmp_resets.fetch_add(1, Ordering::AcqRel);
                    }
                }
                e => return Err(Error::from_errno(e, "recvmsg")),
            }
        }
    }

    /// Reports one collected ICMP error on a receive call, once (S19):
    /// port unreachable → `WSAECONNRESET`, TTL expired → `WSAENETRESET`,
    /// unless `SIO_UDP_CONNRESET`/`SIO_UDP_NETRESET` turned them off.
    fn report_icmp_error(&self) -> Result<()> {
        if take_one(&self.icmp_resets) && !self.has(NO_CONNRESET) {
            return Err(Error::new(
                abi::WSAECONNRESET,
                "an earlier datagram was answered with ICMP port unreachable",
            ));
        }
        if take_one(&self.icmp_ttl_expired) && !self.has(NO_NETRESET) {
            return Err(Error::new(
                abi::WSAENETRESET,
                "an earlier datagram's TTL expired in transit (ICMP time exceeded)",
            ));
        }
        Ok(())
    }

    /// Drains the socket's error queue (`IP_RECVERR`), counting ICMP port
    /// unreachable and time-exceeded messages. True if it found any entry.
    pub(crate) fn collect_icmp_errors(&self) -> bool {
        if self.kind != SocketKind::Datagram {
            return false;
        }
        let mut found = false;
        loop {
            let mut data = [0u8; 1];
            let mut iov = libc::iovec {
                iov_base: data.as_mut_ptr().cast(),
                iov_len: 1,
            };
            let mut control = CmsgBuf::default();
            // SAFETY: msghdr is plain data; zeroed is a valid empty header.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = control.capacity();
            // SAFETY: msg points at live local buffers.
            let n = unsafe {
                libc::recvmsg(
                    self.raw_fd(),
                    &mut msg,
                    libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT,
                )
            };
            if n < 0 {
                return found;
            }
            found = true;
            // SAFETY: the kernel wrote msg_controllen bytes of cmsgs.
            unsafe {
                let mut c = libc::CMSG_FIRSTHDR(&msg);
                while !c.is_null() {
                    let is_err = matches!(
                        ((*c).cmsg_level, (*c).cmsg_type),
                        (libc::SOL_IP, libc::IP_RECVERR) | (libc::SOL_IPV6, libc::IPV6_RECVERR)
                    );
                    if is_err {
                        let e = std::ptr::read_unaligned(
                            libc::CMSG_DATA(c).cast::<libc::sock_extended_err>(),
                        );
                        match (e.ee_origin, e.ee_type, e.ee_code) {
                            (libc::SO_EE_ORIGIN_ICMP, 3, 3) | (libc::SO_EE_ORIGIN_ICMP6, 1, 4) => {
                                self.icmp_resets.fetch_add(1, Ordering::AcqRel);
                            }
                            (libc::SO_EE_ORIGIN_ICMP, 11, _) | (libc::SO_EE_ORIGIN_ICMP6, 3, _) => {
                                self.icmp_ttl_expired.fetch_add(1, Ordering::AcqRel);
                            }
                            _ => {}
                        }
                    }
                    c = libc::CMSG_NXTHDR(&msg, c);
                }
            }
        }
    }

    /// Counts an ICMP port unreachable that Linux reported as a send error
    /// without an error-queue entry (connected sockets).
    pub(crate) fn note_icmp_reset(&self) {
        if self.kind == SocketKind::Datagram {
            self.icmp_resets.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// `SIO_UDP_CONNRESET` / `SIO_UDP_NETRESET`: whether receives report
    /// ICMP port unreachable / TTL expired (S19).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_recv_timeout_ms(50);
    /// core.set_icmp_reporting(Some(false), None);
    /// let closed = std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()?; // now nobody listens
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"x", closed)?;
    /// let mut buf = [0u8; 4];
    /// assert_eq!(core.recv_from(&mut buf, false).unwrap_err().code(), ws2_abi::WSAETIMEDOUT);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_icmp_reporting(&self, connreset: Option<bool>, netreset: Option<bool>) {
        for (on, bit) in [(connreset, NO_CONNRESET), (netreset, NO_NETRESET)] {
            match on {
                Some(true) => {
                    self.state.fetch_and(!bit, Ordering::AcqRel);
                }
                Some(false) => {
                    self.state.fetch_or(bit, Ordering::AcqRel);
                }
                None => {}
            }
        }
    }

    /// `recvfrom` with Windows semantics (see `recvmsg_blocking`), and
    /// `WSAEMSGSIZE` for a datagram longer than `buf` (which gets its start).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"hello", core.local_addr()?)?;
    /// let mut big = [0u8; 16];
    /// assert_eq!(core.recv_from(&mut big, true)?.0, 5); // peek: still queued
    /// let mut small = [0u8; 3];
    /// let err = core.recv_from(&mut small, false).unwrap_err();
    /// assert_eq!((err.code(), &small), (ws2_abi::WSAEMSGSIZE, b"hel"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recv_from(&self, buf: &mut [u8], peek: bool) -> Result<(usize, Option<SocketAddr>)> {
        let mut from = LinuxAddr::empty();
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: msghdr is plain data; zeroed is a valid empty header.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = from.as_mut_ptr().cast();
        msg.msg_namelen = from.len();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        let n = self.recvmsg_blocking(&mut msg, if peek { libc::MSG_PEEK } else { 0 }, true)?;
        *from.len_mut() = msg.msg_namelen;
        if msg.msg_flags & libc::MSG_TRUNC != 0 && self.kind != SocketKind::Stream {
            return Err(Error::new(
                abi::WSAEMSGSIZE,
                format!(
                    "datagram was larger than the {}-byte buffer and was truncated",
                    buf.len()
                ),
            ));
        }
        Ok((n, from.to_socket_addr()))
    }

    /// Receives one datagram into `iov` with its control data (S27): the
    /// Linux cmsgs are decoded into [`ReceivedControls`].
    pub fn recv_with_controls(&self, iov: *mut libc::iovec, iovlen: usize) -> Result<Received> {
        self.recv_with_controls_inner(iov, iovlen, true)
    }

    fn recv_with_controls_inner(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        may_wait: bool,
    ) -> Result<Received> {
        if iovlen > MAX_IOVECS {
            return self.recv_bounced(iov, iovlen, may_wait);
        }
        let mut from = LinuxAddr::empty();
        let mut cmsgs = CmsgBuf::default();
        // SAFETY: msghdr is plain data; zeroed is a valid empty header.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = from.as_mut_ptr().cast();
        msg.msg_namelen = from.len();
        msg.msg_iov = iov;
        msg.msg_iovlen = iovlen;
        msg.msg_control = cmsgs.as_mut_ptr().cast();
        msg.msg_controllen = cmsgs.capacity();
        let bytes = self.recvmsg_blocking(&mut msg, 0, may_wait)?;
        *from.len_mut() = msg.msg_namelen;
        // SAFETY: the kernel filled msg_controllen bytes of cmsgs through msg.
        let state = self.state.load(Ordering::Relaxed);
        let controls = unsafe {
            ReceivedControls::from_linux(&msg, state & WANT_TOS != 0, state & WANT_ECN != 0)
        };
        Ok(Received {
            bytes,
            from: from.to_socket_addr(),
            controls,
            truncated: msg.msg_flags & libc::MSG_TRUNC != 0,
        })
    }

    /// A receive into more buffers than one Linux message takes (S21, S27):
    /// into one bounce buffer, then scattered over the caller's buffers (a
    /// buffer that is not writable is `WSAEFAULT`). The bounce buffer holds
    /// any datagram (65,536 bytes) or the buffers' total if less, so a
    /// datagram is truncated exactly when it would be without it.
    #[cold]
    #[inline(never)]
    fn recv_bounced(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        may_wait: bool,
    ) -> Result<Received> {
        // SAFETY: `iov` points to `iovlen` iovecs (this function's callers).
        let iov = unsafe { std::slice::from_raw_parts(iov, iovlen) };
        let total = iov
            .iter()
            .fold(0usize, |sum, v| sum.saturating_add(v.iov_len));
        let mut data = Vec::new();
        data.try_reserve_exact(total.min(1 << 16))
            .map_err(|_| Error::new(abi::WSAENOBUFS, "no memory for a receive bounce buffer"))?;
        data.resize(total.min(1 << 16), 0);
        let mut one = libc::iovec {
            iov_base: data.as_mut_ptr().cast(),
            iov_len: data.len(),
        };
        let got = self.recv_with_controls_inner(&mut one, 1, may_wait)?;
        if !crate::translate::caller_memory::scatter(&data[..got.bytes.min(data.len())], iov) {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("a buffer of the {iovlen} in lpBuffers is not writable"),
            ));
        }
        Ok(got)
    }

    /// `FIONREAD`: bytes of the next datagram waiting (0 if none).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// assert_eq!(core.bytes_readable()?, 0);
    /// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"hello", core.local_addr()?)?;
    /// assert_eq!(core.bytes_readable()?, 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bytes_readable(&self) -> Result<u32> {
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one c_int to a valid pointer.
        cvt(
            unsafe { libc::ioctl(self.raw_fd(), libc::FIONREAD, &mut n) },
            "ioctl(FIONREAD)",
        )?;
        Ok(n as u32)
    }

    /// What `WSARecvMsg` reports (the Rust `Socket::set_recv_info`): the
    /// `IP_PKTINFO`/`IPV6_PKTINFO`, `IP_RECVTOS`/`IPV6_RECVTCLASS`,
    /// `IP_RECVTTL`/`IPV6_HOPLIMIT` options of the socket's family, each on
    /// or off.
    pub fn set_recv_info(&self, destination: bool, tos: bool, ttl: bool) -> Result<()> {
        let ip = [
            (libc::IP_PKTINFO, destination),
            (libc::IP_RECVTOS, tos),
            (libc::IP_RECVTTL, ttl),
        ];
        let ipv6 = [
            (libc::IPV6_RECVPKTINFO, destination),
            (libc::IPV6_RECVTCLASS, tos),
            (libc::IPV6_RECVHOPLIMIT, ttl),
        ];
        if tos {
            self.state.fetch_or(WANT_TOS | WANT_ECN, Ordering::AcqRel);
        } else {
            self.state
                .fetch_and(!(WANT_TOS | WANT_ECN), Ordering::AcqRel);
        }
        // A dual-stack socket receives IPv4 datagrams too: set both families.
        for (name, on) in ip {
            let r = self.set_int_option(libc::IPPROTO_IP, name, on as i32, "setsockopt(IP_*)");
            if self.family() == Family::V4 {
                r?;
            }
        }
        if self.family() == Family::V6 {
            for (name, on) in ipv6 {
                self.set_int_option(libc::IPPROTO_IPV6, name, on as i32, "setsockopt(IPV6_*)")?;
            }
        }
        Ok(())
    }

    pub fn set_int_option(
        &self,
        level: i32,
        name: i32,
        value: i32,
        context: &'static str,
    ) -> Result<()> {
        set_int(self.raw_fd(), level, name, value, context)
    }

    pub fn int_option(&self, level: i32, name: i32, context: &'static str) -> Result<i32> {
        get_int(self.raw_fd(), level, name, context)
    }
}

/// Whether `addr` is an address of the host `socket` lives on (its
/// network namespace, which need not be the calling thread's): binding a
/// throwaway socket to it fails with `EADDRNOTAVAIL` when it is not. Only
/// called on the failure path.
pub(crate) fn is_local_address(socket: RawFd, addr: IpAddr) -> bool {
    const SIOCGSKNS: libc::c_ulong = 0x894C;
    let probe = move || {
        let family = if addr.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        };
        let Ok(probe) = SocketCore::new(family, SocketKind::Datagram, 0, false) else {
            return true;
        };
        let Ok(la) = LinuxAddr::new(&SocketAddr::new(addr, 0), family) else {
            return true;
        };
        // SAFETY: la holds a valid sockaddr of la.len() bytes.
        let r = unsafe { libc::bind(probe.raw_fd(), la.as_ptr(), la.len()) };
        !(r < 0 && errno() == libc::EADDRNOTAVAIL)
    };
    // SAFETY: SIOCGSKNS takes no argument and returns a new fd for the
    // socket's network namespace.
    let ns = unsafe { libc::ioctl(socket, SIOCGSKNS as _) };
    if ns < 0 {
        return probe();
    }
    // SAFETY: ns is a fresh descriptor we own.
    let ns = unsafe { OwnedFd::from_raw_fd(ns) };
    let same = match (
        std::fs::metadata("/proc/thread-self/ns/net"),
        fd_inode(ns.as_raw_fd()),
    ) {
        (Ok(m), Some(ino)) => std::os::unix::fs::MetadataExt::ino(&m) == ino,
        _ => true,
    };
    if same {
        return probe();
    }
    // Probe from a thread that enters the socket's namespace.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                // SAFETY: setns on this helper thread only, with a namespace fd we own.
                if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } < 0 {
                    return true;
                }
                probe()
            })
            .join()
            .unwrap_or(true)
    })
}

fn fd_inode(fd: RawFd) -> Option<u64> {
    // SAFETY: fstat fills a valid, zeroed stat struct.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        (libc::fstat(fd, &mut st) == 0).then_some(st.st_ino)
    }
}

impl AsFd for SocketCore {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl std::fmt::Debug for SocketCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketCore")
            .field("fd", &self.raw_fd())
            .field("family", &self.family)
            .field("kind", &self.kind)
            .field("protocol", &self.protocol)
            .field("overlapped", &self.overlapped)
            .field("state", &self.state.load(Ordering::Relaxed))
            .finish()
    }
}

impl Drop for SocketCore {
    fn drop(&mut self) {
        self.state.fetch_or(CLOSED, Ordering::Release);
    }
}
