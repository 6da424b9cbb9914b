//! The state of one socket ([`SocketCore`]) and its synchronous
//! operations: creation and flags here; options, addresses, the send
//! checks, ICMP error reporting, receives and waiters in the submodules.
//! What needs the queues (pending operations, the reactor, closing) is the
//! `io` layer's.

mod addr;
mod events;
mod groups;
mod header_options;
mod icmp;
mod netns;
mod options;
mod params;
mod recv;
mod reuse;
mod send;
mod stream;
mod stream_ex;
mod stream_options;
mod stream_ready;
mod stream_recv;
mod uro;
mod waiters;

pub(crate) use addr::is_local_address;
pub use events::{EventRecord, Ready};
pub use groups::{FilterMode, GroupInterface, GroupOp, GroupRequest};
pub use options::{open_type, set_open_type, socket_makes_overlapped};
pub use params::socket_params;
pub(crate) use recv::WindowsReceive;
pub(crate) use send::SendFailure;
pub use send::{Message, SendControlsIn};
pub use stream::Backlog;
pub(crate) use stream::StreamState;
pub use stream::{AcceptCondition, AcceptDecision};
pub use uro::{GRO_READ, MAX_COALESCED_SEGMENTS, Piece, cut};
pub(crate) use uro::{MAX_URO_IOVECS, RESIDUE_PIECES};
pub use waiters::complete;
pub(crate) use waiters::{interrupted, wait_fd};

use std::mem::size_of;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use ws2_abi as abi;

use crate::completion::{Port, ThreadWaker};
use crate::error::{Error, Result, errno};
use crate::ops::{RecvQueue, SendQueue};
use crate::translate::Family;

/// The kind of socket (Windows `SOCK_*`).
/// ```
/// # use ws2_engine as ws2;
/// use ws2::SocketKind;
/// assert_eq!(SocketKind::from_windows(ws2::SOCK_DGRAM), Some(SocketKind::Datagram));
/// assert_eq!(SocketKind::Raw.windows(), ws2::SOCK_RAW);
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
    /// # use ws2_engine as ws2;
    /// assert_eq!(ws2::SocketKind::Datagram.windows(), 2);
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
    /// # use ws2_engine as ws2;
    /// assert_eq!(ws2::SocketKind::from_windows(1), Some(ws2::SocketKind::Stream));
    /// assert_eq!(ws2::SocketKind::from_windows(99), None);
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

/// Flags for `Socket::send_msg` and the overlapped sends: Windows' `dwFlags` (S10).
///
/// ```
/// # use ws2_engine as ws2;
/// let flags = ws2::SendFlags::DONTROUTE;
/// assert_eq!(flags.bits(), 0x4);
/// assert!(ws2::SendFlags::from_bits(0x2).is_none()); // MSG_PEEK is not a send flag
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
    /// # use ws2_engine as ws2;
    /// use ws2::SendFlags;
    /// assert_eq!(SendFlags::from_bits(0x4), Some(SendFlags::DONTROUTE));
    /// assert_eq!(SendFlags::from_bits(0x2), None); // MSG_PEEK
    /// ```
    pub fn from_bits(bits: u32) -> Option<SendFlags> {
        (bits & !(abi::MSG_OOB | abi::MSG_DONTROUTE | abi::MSG_PARTIAL) == 0)
            .then_some(SendFlags(bits))
    }

    /// The Windows bits.
    /// ```
    /// # use ws2_engine as ws2;
    /// use ws2::SendFlags;
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
const NONBLOCKING: u64 = 1 << 0;
const BOUND: u64 = 1 << 1;
const CONNECTED: u64 = 1 << 2;
const SHUT_SEND: u64 = 1 << 3;
const SHUT_RECV: u64 = 1 << 4;
const CLOSED: u64 = 1 << 5;
const PEER_V4: u64 = 1 << 6;
const HEADER_INCLUDED: u64 = 1 << 7;
const NO_CONNRESET: u64 = 1 << 8;
const NO_NETRESET: u64 = 1 << 9;
/// Set once for SOCK_STREAM sockets, so the send path tests one word.
const STREAM: u64 = 1 << 10;
const GSO_REFUSED: u64 = 1 << 11;
const WANT_TOS: u64 = 1 << 12;
const WANT_ECN: u64 = 1 << 13;
/// An `AF_INET6` socket that is not dual-stack (`IPV6_V6ONLY`, the Windows
/// default; always so for raw IPv6 sockets): IPv4 peers are refused (S8).
/// On an `AF_INET` socket only the value `IPV6_V6ONLY` reads back.
const V6ONLY: u64 = 1 << 14;
/// `SO_DEBUG`, kept by ws2.
const DEBUG: u64 = 1 << 15;
/// The network-event record is kept (a first `WSAEventSelect`, P1).
const EVENTS_LIVE: u64 = 1 << 16;
/// An event selection with a non-zero mask is active (P1).
const EVENTS_SELECTED: u64 = 1 << 17;
/// Windows' `IP_MULTICAST_LOOP` is off: group datagrams sent by this host
/// are not received (P4; the kernel's own option stays on).
const MULTICAST_NO_LOOP: u64 = 1 << 18;
/// `SO_REUSEADDR` as Windows reads it (P4, `reuse`).
const REUSE_ADDR: u64 = 1 << 19;
/// `SO_EXCLUSIVEADDRUSE` (P4, `reuse`).
const EXCLUSIVE_ADDR: u64 = 1 << 20;
/// The socket is in the process's registry of bound sockets (`reuse`).
const REGISTERED: u64 = 1 << 21;
/// `IP_DONTFRAGMENT` is on for IPv4 datagrams (P4; `header_options`).
const DONT_FRAGMENT: u64 = 1 << 22;
/// What receives report of a datagram's destination (S27, P4): the
/// Windows options `IP_PKTINFO`, `IP_RECVIF`, `IP_RECVDSTADDR` and their
/// IPv6 twins (Linux has one option per family for all three).
const WANT_PKTINFO_V4: u64 = 1 << 23;
const WANT_IF_V4: u64 = 1 << 24;
const WANT_DSTADDR_V4: u64 = 1 << 25;
const WANT_PKTINFO_V6: u64 = 1 << 26;
const WANT_IF_V6: u64 = 1 << 27;
const WANT_DSTADDR_V6: u64 = 1 << 28;
/// The reports that need a receive's controls rewritten.
const WANT_ADDRESS_EXTRA: u64 = WANT_IF_V4 | WANT_DSTADDR_V4 | WANT_IF_V6 | WANT_DSTADDR_V6;
/// `UDP_GRO` is on (`UDP_RECV_MAX_COALESCED_SIZE` was set, S44): receives
/// go through the URO path. Set once, never cleared.
const GRO: u64 = 1 << 29;
/// A stream socket that `listen` made a listener.
const LISTENING: u64 = 1 << 30;
/// A stream `connect` in progress (the kernel's `SYN_SENT`).
const CONNECTING: u64 = 1 << 31;
/// The last stream `connect` failed (refused, unreachable, timed out).
const CONNECT_FAILED: u64 = 1 << 32;
/// A stream socket `accept` made (it never reports `FD_CONNECT`).
const ACCEPTED: u64 = 1 << 33;
/// `SO_OOBINLINE` is on: urgent bytes stay in the stream (read, not OOB).
const OOB_INLINE: u64 = 1 << 34;
/// `ConnectEx` connected the stream and `SO_UPDATE_CONNECT_CONTEXT` has not
/// been set yet (P8).
const CONNECTED_EX: u64 = 1 << 35;
/// `UDP_SEND_MSG_SIZE` is set on the socket (S26): sends longer than it are
/// segmented. Mirrors `segment_size != 0`, so a send tests it with the
/// state word it loads anyway.
const SEGMENTING: u64 = 1 << 36;

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
    state: AtomicU64,
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
    /// `recv_queue.ops.len()`, readable without the lock.
    pub(crate) recv_queued: AtomicUsize,
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
    /// `UDP_RECV_MAX_COALESCED_SIZE` and what is left of coalesced runs (S44).
    uro: uro::Uro,
    /// `SO_ERROR` as last set (a Winsock code; 0 at creation); on a stream
    /// socket, also the failure of its last `connect` (P8).
    so_error: AtomicU32,
    /// `SO_SNDBUF`, `SO_RCVBUF` as last set ([`NOT_SET`]: never).
    buffer_sizes: [AtomicU64; 2],
    /// Network events for `WSAEventSelect` (P1), made on first use.
    events: OnceLock<Mutex<EventRecord>>,
    /// The epoll instance that tells the socket's arrivals while the event
    /// record is live (P1), with the fork generation that made it.
    events_fd: Mutex<Option<(OwnedFd, u64)>>,
    /// Held by receives that peek and by `FIONREAD`'s count of the queued
    /// datagrams, which moves the socket's peek offset (`SO_PEEK_OFF`).
    pub(crate) peek_lock: Mutex<()>,
    /// Multicast memberships and the receive set (P4, `groups`).
    groups: groups::Groups,
    /// Held while a send switches `IP_MTU_DISCOVER` around itself (P4,
    /// `header_options`).
    df_switch: Mutex<()>,
    /// What a stream socket keeps beyond the kernel's state (P8).
    pub(crate) stream: StreamState,
}

/// `buffer_sizes` of an option never set: the kernel's value is reported.
const NOT_SET: u64 = u64::MAX;

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
    /// Another kernel socket of this socket's family, type and protocol
    /// (non-blocking, close-on-exec): a multicast membership's, or a
    /// fresh one to put behind the handle. `what` names it in the error.
    fn sibling_kernel_socket(&self, what: &'static str) -> Result<OwnedFd> {
        // SAFETY: socket() has no pointer arguments.
        let fd = unsafe {
            libc::socket(
                self.family.linux(),
                self.kind.linux() | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                self.protocol,
            )
        };
        if fd < 0 {
            return Err(Error::resource(errno(), what));
        }
        // SAFETY: fd is a fresh descriptor we own.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

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
        // Windows' default is IPV6_V6ONLY = TRUE, on AF_INET sockets too,
        // where it is only a value to read back (test_ipv6only).
        core.state.fetch_or(V6ONLY, Ordering::Relaxed);
        if family == Family::V6 {
            // Linux's default is 0. A raw IPv6 socket carries IPv6 only
            // anyway, and Linux refuses the option on it (EINVAL), so it is
            // only recorded (S9, S23).
            if kind != SocketKind::Raw {
                set_int(
                    core.raw_fd(),
                    libc::IPPROTO_IPV6,
                    libc::IPV6_V6ONLY,
                    1,
                    "setsockopt(IPV6_V6ONLY)",
                )?;
            }
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
        if kind != SocketKind::Stream {
            core.datagram_defaults()?;
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
            state: AtomicU64::new(0),
            send_timeout_ms: AtomicU32::new(0),
            recv_timeout_ms: AtomicU32::new(0),
            tos: AtomicU8::new(0),
            waiters: Mutex::new(Vec::new()),
            waiter_count: AtomicUsize::new(0),
            id: NEXT_SOCKET_ID.fetch_add(1, Ordering::Relaxed),
            queue: Mutex::new(SendQueue::default()),
            queued: AtomicUsize::new(0),
            recv_queue: Mutex::new(RecvQueue::default()),
            recv_queued: AtomicUsize::new(0),
            queue_generation: AtomicU64::new(crate::fork::generation()),
            recv_fd: OnceLock::new(),
            port: OnceLock::new(),
            notification_modes: AtomicU8::new(0),
            segment_size: AtomicU32::new(0),
            icmp_resets: AtomicU32::new(0),
            icmp_ttl_expired: AtomicU32::new(0),
            uro: uro::Uro::new(),
            so_error: AtomicU32::new(0),
            buffer_sizes: [AtomicU64::new(NOT_SET), AtomicU64::new(NOT_SET)],
            events: OnceLock::new(),
            events_fd: Mutex::new(None),
            peek_lock: Mutex::new(()),
            groups: groups::Groups::default(),
            df_switch: Mutex::new(()),
            stream: StreamState::default(),
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
        if family == Family::V4
            || kind == SocketKind::Raw
            || get_int(
                raw,
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                "getsockopt(IPV6_V6ONLY)",
            )? != 0
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
    #[inline]
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
    #[inline]
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
    #[inline]
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
    #[inline]
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
    #[inline]
    pub fn is_overlapped(&self) -> bool {
        self.overlapped
    }
    /// The state word (readiness notices when it changes).
    pub(crate) fn state_word(&self) -> u64 {
        self.state.load(Ordering::Acquire)
    }
    #[inline]
    fn has(&self, bit: u64) -> bool {
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
    #[inline]
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
    #[inline]
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
    #[inline]
    pub fn is_bound(&self) -> bool {
        self.has(BOUND)
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

/// What a closed datagram or raw socket's fds are made to name until its
/// last reference goes: `/dev/null`, on which every socket call fails
/// with `ENOTSOCK` and a poll returns at once.
static PLACEHOLDER: OnceLock<OwnedFd> = OnceLock::new();

/// [`PLACEHOLDER`], opened on first use (`None` when it cannot be):
/// `WSAStartup` opens it.
pub(crate) fn open_placeholder() -> Option<RawFd> {
    if let Some(fd) = PLACEHOLDER.get() {
        return Some(fd.as_raw_fd());
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .ok()?;
    Some(PLACEHOLDER.get_or_init(|| file.into()).as_raw_fd())
}

impl SocketCore {
    /// Lets the kernel socket of a closed datagram or raw socket go now
    /// (its port, its memberships), however long the `SocketCore` lives
    /// on: a thread that looked it up last holds it until its next lookup
    /// (`handles::socket`). Each of its fds is made to name
    /// [`PLACEHOLDER`] in place, so no other socket can take the number
    /// while a call that raced the close still uses it; the number is
    /// released with the last reference. A stream keeps its fd: a
    /// graceful close sends the backlog first, and no thread holds a
    /// stream beyond a call. (A call that raced the close and made the
    /// reactor's duplicate just after `recv_fd_if_open` was read keeps the
    /// kernel socket until the last reference: each queue's lock and its
    /// `is_closed` check make that all but impossible.)
    fn release_kernel_socket(&self) {
        if self.is_stream() {
            return;
        }
        let Some(placeholder) = open_placeholder() else {
            return; // out of fds: the kernel socket goes with the last reference
        };
        for fd in [Some(self.raw_fd()), self.recv_fd_if_open()]
            .into_iter()
            .flatten()
        {
            // SAFETY: both fds are open and ours for as long as `self`
            // lives; dup3 replaces what `fd` names atomically and closes
            // the socket's reference through it; no pointers.
            unsafe { libc::dup3(placeholder, fd, libc::O_CLOEXEC) };
        }
    }

    /// The close of a socket whose handle was closed (`closesocket`,
    /// `CloseHandle`, the last `WSACleanup`): [`SocketCore::close`], then
    /// its kernel socket let go at once (a thread may remember it,
    /// `handles::socket`). The Rust API's `close` leaves the fd to the
    /// last clone: its sockets are never remembered.
    pub fn close_handle(&self) {
        self.close();
        self.release_kernel_socket();
    }

    /// `e`, or `WSAENOTSOCK` when the socket was closed meanwhile (a call
    /// that raced `closesocket` may have met the placeholder's errors:
    /// `ENOTTY`, `EPERM`).
    pub(crate) fn or_closed(&self, e: Error) -> Error {
        if self.is_closed() {
            Error::new(abi::WSAENOTSOCK, "the socket was closed")
        } else {
            e
        }
    }
}

impl Drop for SocketCore {
    fn drop(&mut self) {
        self.state.fetch_or(CLOSED, Ordering::Release);
        self.forget_binding();
    }
}
