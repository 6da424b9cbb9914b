//! Multicast memberships with Windows' delivery rule (P4; DESIGN.md,
//! "Multicast and address reuse"): a socket never joins with its own
//! kernel socket. Each (group, interface) it joins gets a *group socket*
//! (same family, type and protocol; `IP_MULTICAST_ALL` 0; tied to the
//! interface; bound to the group and the socket's port; joined there), and
//! the socket's receives read its own fd and its group sockets' fds. The
//! Windows rules of "Multicast Socket Option Behavior" are kept here per
//! membership.

use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::fork::lock;
use crate::translate::{Family, LinuxAddr};

use super::*;

/// A membership change: Windows' options (`IP_*`, `IPV6_*` and `MCAST_*`
/// spellings alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupOp {
    /// `IP_ADD_MEMBERSHIP`, `IPV6_ADD_MEMBERSHIP`, `MCAST_JOIN_GROUP`.
    Join,
    /// `IP_DROP_MEMBERSHIP`, `IPV6_DROP_MEMBERSHIP`, `MCAST_LEAVE_GROUP`.
    Leave,
    /// `IP_ADD_SOURCE_MEMBERSHIP`, `MCAST_JOIN_SOURCE_GROUP`.
    JoinSource,
    /// `IP_DROP_SOURCE_MEMBERSHIP`, `MCAST_LEAVE_SOURCE_GROUP`.
    LeaveSource,
    /// `IP_BLOCK_SOURCE`, `MCAST_BLOCK_SOURCE`.
    Block,
    /// `IP_UNBLOCK_SOURCE`, `MCAST_UNBLOCK_SOURCE`.
    Unblock,
}

impl GroupOp {
    fn needs_source(self) -> bool {
        !matches!(self, GroupOp::Join | GroupOp::Leave)
    }
}

/// The interface a request names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupInterface {
    /// 0 / `0.0.0.0`: the interface the route to the group leaves by.
    Default,
    /// An interface index.
    Index(u32),
    /// A local IPv4 address (`imr_interface`, `IP_MULTICAST_IF`).
    Address(Ipv4Addr),
}

/// A membership request in Windows' terms.
///
/// ```
/// use ws2_engine::socket::{GroupInterface, GroupRequest};
/// let req = GroupRequest::any_source("239.1.2.3".parse()?, GroupInterface::Index(2));
/// assert!(req.source.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupRequest {
    /// The group.
    pub group: IpAddr,
    /// The interface it is joined on.
    pub interface: GroupInterface,
    /// The source of a source-specific request.
    pub source: Option<IpAddr>,
}

impl GroupRequest {
    /// A request without a source.
    pub fn any_source(group: IpAddr, interface: GroupInterface) -> GroupRequest {
        GroupRequest {
            group,
            interface,
            source: None,
        }
    }
}

/// How a membership filters sources.
enum Filter {
    /// Any source but `blocked`; `unblocked` remembers sources blocked and
    /// unblocked again (unblocking one twice is `WSAEADDRNOTAVAIL`, one
    /// never blocked `WSAEINVAL`).
    Any {
        blocked: Vec<IpAddr>,
        unblocked: Vec<IpAddr>,
    },
    /// Only these sources.
    Include(Vec<IpAddr>),
}

struct Membership {
    group: IpAddr,
    ifindex: u32,
    filter: Filter,
    /// The group socket.
    fd: OwnedFd,
}

/// A socket's memberships and what its receives need of them.
#[derive(Default)]
pub(crate) struct Groups {
    /// `list.len()`, read without the lock by every receive.
    count: AtomicUsize,
    /// The memberships; their fds are used only under this lock, so a
    /// leave never closes an fd another thread is reading.
    list: Mutex<Vec<Membership>>,
    /// The receive set: an epoll fd with the socket's fd and its group
    /// sockets' fds, made with the first membership, kept for the
    /// socket's life (blocking receives and the reactor wait on it).
    set: OnceLock<OwnedFd>,
    /// A duplicate of the receive set for the reactor's receive arming
    /// (one-shot, keyed apart from the socket's own duplicate).
    set_for_reactor: OnceLock<OwnedFd>,
    /// Another one for the reactor's watch of arrivals (`WSAEventSelect`,
    /// edge-triggered).
    set_for_events: OnceLock<OwnedFd>,
    /// Which fd delivered last: 0 the socket's own, `i + 1` membership `i`.
    last: AtomicUsize,
    /// `IP_MULTICAST_IF` as Windows reads it back: an interface index.
    multicast_if: AtomicU32,
    /// The last source checked for a receive with the loop off, whether it
    /// is local, and when.
    local_source: Mutex<Option<(IpAddr, bool, Instant)>>,
}

/// How long a "this source is (not) local" answer is kept.
const LOCAL_SOURCE_TTL: Duration = Duration::from_secs(1);

/// Receive options a group socket copies from its socket: what a receive
/// reports (Linux level, name).
const MIRRORED: [(i32, i32); 7] = [
    (libc::SOL_IP, libc::IP_PKTINFO),
    (libc::SOL_IP, libc::IP_RECVTOS),
    (libc::SOL_IP, libc::IP_RECVTTL),
    (libc::SOL_IPV6, libc::IPV6_RECVPKTINFO),
    (libc::SOL_IPV6, libc::IPV6_RECVTCLASS),
    (libc::SOL_IPV6, libc::IPV6_RECVHOPLIMIT),
    (libc::SOL_SOCKET, libc::SO_RCVBUF),
];

/// Linux `struct group_req` / `group_source_req` (the same layout as
/// Windows', with Linux family numbers).
#[repr(C)]
struct LinuxGroupReq {
    interface: u32,
    group: libc::sockaddr_storage,
}

#[repr(C)]
struct LinuxGroupSourceReq {
    interface: u32,
    group: libc::sockaddr_storage,
    source: libc::sockaddr_storage,
}

fn storage(addr: IpAddr) -> libc::sockaddr_storage {
    let la = LinuxAddr::new(
        &SocketAddr::new(addr, 0),
        if addr.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        },
    )
    .expect("an IP address has a Linux sockaddr");
    // SAFETY: sockaddr_storage is plain data; zeroed is valid.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    // SAFETY: la holds la.len() (<= 128) bytes of a sockaddr.
    unsafe {
        std::ptr::copy_nonoverlapping(
            la.as_ptr().cast::<u8>(),
            (&raw mut ss).cast::<u8>(),
            la.len() as usize,
        )
    };
    ss
}

fn set_raw<T>(fd: RawFd, level: i32, name: i32, value: &T, context: &'static str) -> Result<()> {
    // SAFETY: passes a pointer to a live T and its size.
    cvt(
        unsafe {
            libc::setsockopt(
                fd,
                level,
                name,
                (value as *const T).cast(),
                size_of::<T>() as libc::socklen_t,
            )
        },
        context,
    )
    .map(drop)
}

impl Groups {
    /// Whether the socket has any membership (one relaxed load).
    #[inline(always)]
    pub(crate) fn any(&self) -> bool {
        self.count.load(Ordering::Relaxed) != 0
    }

    pub(crate) fn set_fd(&self) -> Option<RawFd> {
        self.set.get().map(|fd| fd.as_raw_fd())
    }

    /// The receive set's duplicate the reactor arms for overlapped
    /// receives, once the socket has joined a group.
    pub(crate) fn reactor_fd(&self) -> Option<RawFd> {
        self.set_for_reactor.get().map(|fd| fd.as_raw_fd())
    }

    /// The receive set's duplicate the reactor watches for arrivals.
    pub(crate) fn events_fd(&self) -> Option<RawFd> {
        self.set_for_events.get().map(|fd| fd.as_raw_fd())
    }
}

impl SocketCore {
    /// The fd whose readability means a datagram may wait for this socket:
    /// its receive set once it has joined a group, else its own fd. What
    /// readiness waits (`select`, `WSAPoll`, `WSAEventSelect`) poll.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.readable_fd(), core.raw_fd());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn readable_fd(&self) -> RawFd {
        self.groups.set_fd().unwrap_or_else(|| self.raw_fd())
    }

    /// The receive set's duplicate the reactor arms (P4), once the socket
    /// has joined a group.
    pub(crate) fn group_set_for_reactor(&self) -> Option<RawFd> {
        self.groups.reactor_fd()
    }

    /// The receive set's duplicate for the reactor's watch of arrivals
    /// (`WSAEventSelect`, P4).
    pub(crate) fn group_set_for_events(&self) -> Option<RawFd> {
        self.groups.events_fd()
    }

    /// Joins, leaves or filters a group as Windows does (P4): the answers
    /// of Microsoft's "Multicast Socket Option Behavior", one group socket
    /// per membership. Returns whether a group socket was added to the
    /// receive set (the reactor must then look at it again:
    /// `io::change_membership`).
    pub(crate) fn change_membership(&self, op: GroupOp, req: &GroupRequest) -> Result<bool> {
        self.check_membership_request(op, req)?;
        let port = if self.kind == SocketKind::Raw {
            0
        } else {
            match self.local_addr() {
                Ok(a) => a.port(),
                Err(_) => {
                    return Err(Error::new(
                        abi::WSAEINVAL,
                        "the socket is not bound: bind it before joining a multicast group",
                    ));
                }
            }
        };
        let fd = self.raw_fd();
        super::netns::in_socket_namespace(fd, || self.change_membership_here(op, req, port))
            .unwrap_or_else(|| {
                Err(Error::new(
                    abi::WSAENOBUFS,
                    "cannot enter the socket's network namespace to change a membership",
                ))
            })
    }

    fn check_membership_request(&self, op: GroupOp, req: &GroupRequest) -> Result<()> {
        if self.kind == SocketKind::Stream {
            return Err(Error::new(
                abi::WSAEINVAL,
                "multicast memberships work on datagram and raw sockets only",
            ));
        }
        if !req.group.is_multicast() {
            return Err(Error::new(
                abi::WSAEINVAL,
                format!("{} is not a multicast group address", req.group),
            ));
        }
        match (self.family, req.group) {
            (Family::V4, IpAddr::V6(_)) => {
                return Err(Error::new(
                    abi::WSAEINVAL,
                    "an IPv6 group on an AF_INET socket",
                ));
            }
            (Family::V6, IpAddr::V4(_)) if self.has(V6ONLY) => {
                return Err(Error::new(
                    abi::WSAEINVAL,
                    "an IPv4 group on an IPV6_V6ONLY socket (clear IPV6_V6ONLY for dual-stack)",
                ));
            }
            _ => {}
        }
        match (op.needs_source(), req.source) {
            (true, None) => Err(Error::new(
                abi::WSAEINVAL,
                "this membership option needs a source address",
            )),
            (true, Some(s)) if s.is_ipv4() != req.group.is_ipv4() || s.is_multicast() => {
                Err(Error::new(
                    abi::WSAEINVAL,
                    format!("source {s} does not fit group {}", req.group),
                ))
            }
            _ => Ok(()),
        }
    }

    /// The interface index a request names, looked up in this thread's
    /// network namespace (the socket's).
    fn resolve_interface(&self, req: &GroupRequest) -> Result<u32> {
        match req.interface {
            GroupInterface::Index(i) if i != 0 => Ok(i),
            GroupInterface::Address(a) if !a.is_unspecified() => interface_of_address(a),
            _ => {
                let route =
                    crate::interfaces::route_to(SocketAddr::new(req.group, 9)).map_err(|e| {
                        Error::new(
                            abi::WSAEADDRNOTAVAIL,
                            format!(
                                "no default interface for group {}: {}",
                                req.group,
                                e.message()
                            ),
                        )
                    })?;
                Ok(route.interface_index)
            }
        }
    }

    fn change_membership_here(&self, op: GroupOp, req: &GroupRequest, port: u16) -> Result<bool> {
        let ifindex = self.resolve_interface(req)?;
        let mut list = lock(&self.groups.list);
        let at = list
            .iter()
            .position(|m| m.group == req.group && m.ifindex == ifindex);
        let not_joined = || {
            Error::new(
                abi::WSAEINVAL,
                format!("group {} is not joined on interface {ifindex}", req.group),
            )
        };
        let source = req.source;
        let mut added = false;
        match (op, at) {
            (GroupOp::Join | GroupOp::JoinSource, None) => {
                let fd = self.group_socket(req.group, ifindex, port)?;
                let filter = match source {
                    None => Filter::Any {
                        blocked: Vec::new(),
                        unblocked: Vec::new(),
                    },
                    Some(s) => Filter::Include(vec![s]),
                };
                kernel_membership(fd.as_raw_fd(), req.group, ifindex, source, true)?;
                self.watch(fd.as_raw_fd())?;
                added = true;
                list.push(Membership {
                    group: req.group,
                    ifindex,
                    filter,
                    fd,
                });
            }
            (_, None) => return Err(not_joined()),
            (GroupOp::Join, Some(_)) => {
                return Err(Error::new(
                    abi::WSAEADDRNOTAVAIL,
                    format!(
                        "group {} is already joined on interface {ifindex}",
                        req.group
                    ),
                ));
            }
            (GroupOp::Leave, Some(i)) => {
                // Closing the group socket leaves the group (and takes it
                // out of the receive set).
                list.remove(i);
            }
            (op, Some(i)) => {
                let s = source.expect("checked: source-specific operations carry a source");
                let m = &mut list[i];
                let fd = m.fd.as_raw_fd();
                let drop_membership = source_change(op, &mut m.filter, s, fd, m.group, ifindex)?;
                if drop_membership {
                    list.remove(i);
                }
            }
        }
        self.groups.count.store(list.len(), Ordering::Release);
        if self.groups.last.load(Ordering::Relaxed) > list.len() {
            self.groups.last.store(0, Ordering::Relaxed);
        }
        Ok(added)
    }

    /// A group socket: same family, type and protocol as this socket, no
    /// wildcard fan-out, tied to the interface, this socket's receive
    /// options, bound to (group, port).
    fn group_socket(&self, group: IpAddr, ifindex: u32, port: u16) -> Result<OwnedFd> {
        // SAFETY: socket() has no pointer arguments.
        let raw = unsafe {
            libc::socket(
                self.family.linux(),
                self.kind.linux() | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                self.protocol,
            )
        };
        if raw < 0 {
            return Err(Error::resource(
                errno(),
                "socket() for a multicast membership",
            ));
        }
        // SAFETY: raw is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let raw = fd.as_raw_fd();
        set_int(
            raw,
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            1,
            "setsockopt(SO_REUSEADDR)",
        )?;
        if group.is_ipv4() {
            set_int(
                raw,
                libc::SOL_IP,
                libc::IP_MULTICAST_ALL,
                0,
                "setsockopt(IP_MULTICAST_ALL)",
            )?;
        }
        if self.family == Family::V6 {
            set_int(
                raw,
                libc::SOL_IPV6,
                libc::IPV6_MULTICAST_ALL,
                0,
                "setsockopt(IPV6_MULTICAST_ALL)",
            )?;
            if group.is_ipv4() {
                set_int(
                    raw,
                    libc::SOL_IPV6,
                    libc::IPV6_V6ONLY,
                    0,
                    "setsockopt(IPV6_V6ONLY)",
                )?;
            }
        }
        // Tied to the interface: Linux's IPv6 delivery does not look at
        // the interface a membership was made on.
        set_int(
            raw,
            libc::SOL_SOCKET,
            libc::SO_BINDTOIFINDEX,
            ifindex as i32,
            "setsockopt(SO_BINDTOIFINDEX)",
        )
        .map_err(|e| {
            Error::new(
                abi::WSAEADDRNOTAVAIL,
                format!("interface {ifindex}: {}", e.message()),
            )
        })?;
        for (level, name) in MIRRORED {
            if let Ok(v) = get_int(self.raw_fd(), level, name, "getsockopt") {
                // Linux reports SO_RCVBUF doubled (and its number is IP_PKTINFO's).
                let v = if (level, name) == (libc::SOL_SOCKET, libc::SO_RCVBUF) {
                    v / 2
                } else {
                    v
                };
                let _ = set_int(raw, level, name, v, "setsockopt");
            }
        }
        let mut at = SocketAddr::new(group, port);
        if let SocketAddr::V6(a) = &mut at
            && a.ip().segments()[0] & 0xff0f == 0xff02
        {
            a.set_scope_id(ifindex);
        }
        let la = LinuxAddr::for_socket(&at, self.family, false)?;
        // SAFETY: la holds a valid sockaddr of la.len() bytes.
        let mut r = unsafe { libc::bind(raw, la.as_ptr(), la.len()) };
        if r < 0 && errno() == libc::EADDRINUSE && port != 0 {
            // A wildcard-bound socket of this process on the port holds it
            // without SO_REUSEADDR: let it share the port, then try again.
            super::reuse::share_port(self.family, port);
            // SAFETY: as above.
            r = unsafe { libc::bind(raw, la.as_ptr(), la.len()) };
        }
        if r < 0 {
            return Err(Error::from_errno(
                errno(),
                "bind of the group socket to the group and port",
            ));
        }
        Ok(fd)
    }

    /// Adds a group socket's fd to the receive set (made on first use with
    /// the socket's own fd in it, and its duplicate for the reactor).
    fn watch(&self, fd: RawFd) -> Result<()> {
        let set = match self.groups.set.get() {
            Some(set) => set.as_raw_fd(),
            None => {
                // SAFETY: epoll_create1 has no pointer arguments.
                let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
                if ep < 0 {
                    return Err(Error::resource(errno(), "epoll_create1 for a receive set"));
                }
                // SAFETY: ep is a fresh descriptor we own.
                let ep = unsafe { OwnedFd::from_raw_fd(ep) };
                epoll_add(ep.as_raw_fd(), self.raw_fd())?;
                let dup = || {
                    // SAFETY: F_DUPFD_CLOEXEC duplicates our open fd; no pointers.
                    let fd = cvt(
                        unsafe { libc::fcntl(ep.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 0) },
                        "fcntl(F_DUPFD_CLOEXEC) of a receive set",
                    )?;
                    // SAFETY: fd is a fresh descriptor we own.
                    Ok::<_, Error>(unsafe { OwnedFd::from_raw_fd(fd) })
                };
                let (for_reactor, for_events) = (dup()?, dup()?);
                // Only change_membership (under the list lock) sets them.
                let _ = self.groups.set_for_reactor.set(for_reactor);
                let _ = self.groups.set_for_events.set(for_events);
                self.groups.set.get_or_init(|| ep).as_raw_fd()
            }
        };
        epoll_add(set, fd)
    }

    /// `closesocket`: every membership ends now, as on Windows.
    pub(crate) fn leave_all_groups(&self) {
        if !self.groups.any() {
            return;
        }
        let mut list = lock(&self.groups.list);
        list.clear();
        self.groups.count.store(0, Ordering::Release);
    }

    /// Copies a receive option the socket just set to its group sockets.
    pub(crate) fn mirror_option(&self, level: i32, name: i32, value: i32) {
        if !self.groups.any() || !MIRRORED.contains(&(level, name)) {
            return;
        }
        for m in lock(&self.groups.list).iter() {
            let _ = set_int(m.fd.as_raw_fd(), level, name, value, "setsockopt");
        }
    }

    /// One non-blocking `recvmsg` from the socket or one of its group
    /// sockets (the one that delivered last first): the byte count or the
    /// errno (`EAGAIN` when none has a datagram).
    #[inline(always)]
    pub(crate) fn recv_any(
        &self,
        msg: &mut libc::msghdr,
        flags: i32,
    ) -> std::result::Result<usize, i32> {
        if !self.groups.any() {
            // SAFETY: msg describes live, writable buffers (the callers').
            let n = unsafe { libc::recvmsg(self.raw_fd(), msg, flags) };
            return if n >= 0 { Ok(n as usize) } else { Err(errno()) };
        }
        self.recv_grouped(msg, flags)
    }

    #[cold]
    #[inline(never)]
    fn recv_grouped(&self, msg: &mut libc::msghdr, flags: i32) -> std::result::Result<usize, i32> {
        let (namelen, controllen) = (msg.msg_namelen, msg.msg_controllen);
        // A receive that does not ask for the source still needs it when
        // the loop is off.
        let mut own_name = LinuxAddr::empty();
        let borrowed_name = msg.msg_name.is_null();
        if borrowed_name {
            msg.msg_name = own_name.as_mut_ptr().cast();
        }
        let list = lock(&self.groups.list);
        let fds = list.len() + 1;
        let start = self.groups.last.load(Ordering::Relaxed).min(fds - 1);
        let mut result = Err(libc::EAGAIN);
        let mut k = 0;
        while k < fds {
            let i = (start + k) % fds;
            let fd = if i == 0 {
                self.raw_fd()
            } else {
                list[i - 1].fd.as_raw_fd()
            };
            msg.msg_namelen = if borrowed_name {
                own_name.len()
            } else {
                namelen
            };
            msg.msg_controllen = controllen;
            // SAFETY: msg describes live, writable buffers (the callers',
            // or `own_name`).
            let n = unsafe { libc::recvmsg(fd, msg, flags) };
            if n < 0 {
                let e = errno();
                if i == 0 && e != libc::EAGAIN {
                    // The socket's own errors (S19) are the caller's to read.
                    result = Err(e);
                    break;
                }
                k += 1;
                continue;
            }
            if i != 0 && self.has(MULTICAST_NO_LOOP) && self.sent_here(msg) {
                if flags & libc::MSG_PEEK != 0 {
                    // SAFETY: a zero-length receive discards the datagram.
                    unsafe { libc::recv(fd, std::ptr::null_mut(), 0, libc::MSG_DONTWAIT) };
                }
                continue; // the same fd again: the next datagram
            }
            self.groups.last.store(i, Ordering::Relaxed);
            result = Ok(n as usize);
            break;
        }
        drop(list);
        if borrowed_name {
            msg.msg_name = std::ptr::null_mut();
            msg.msg_namelen = 0;
        }
        result
    }

    /// Whether the datagram just received into `msg` came from an address
    /// of this host (Windows' receiver-side `IP_MULTICAST_LOOP`).
    fn sent_here(&self, msg: &libc::msghdr) -> bool {
        let mut from = LinuxAddr::empty();
        let len = msg.msg_namelen.min(from.len());
        // SAFETY: msg_name holds msg_namelen bytes the kernel wrote, and
        // `from` has room for len of them.
        unsafe {
            std::ptr::copy_nonoverlapping(
                msg.msg_name.cast::<u8>(),
                from.as_mut_ptr().cast::<u8>(),
                len as usize,
            )
        };
        *from.len_mut() = len;
        let Some(from) = from.to_socket_addr() else {
            return false;
        };
        let ip = match from.ip() {
            IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map(IpAddr::V4)
                .unwrap_or(IpAddr::V6(v6)),
            v4 => v4,
        };
        let now = Instant::now();
        let mut cache = lock(&self.groups.local_source);
        if let Some((addr, local, at)) = *cache
            && addr == ip
            && now.duration_since(at) < LOCAL_SOURCE_TTL
        {
            return local;
        }
        let local = is_local_address(self.raw_fd(), ip);
        *cache = Some((ip, local, now));
        local
    }

    /// `FIONREAD` over the group sockets, when the socket's own fd has
    /// nothing waiting.
    pub(crate) fn group_bytes_readable(&self) -> u32 {
        if !self.groups.any() {
            return 0;
        }
        for m in lock(&self.groups.list).iter() {
            let mut n: libc::c_int = 0;
            // SAFETY: FIONREAD writes one c_int to a valid pointer.
            if unsafe { libc::ioctl(m.fd.as_raw_fd(), libc::FIONREAD, &mut n) } == 0 && n > 0 {
                return n as u32;
            }
        }
        0
    }

    /// Windows' `IP_MULTICAST_LOOP`/`IPV6_MULTICAST_LOOP`: whether this
    /// socket receives group datagrams sent by this host (the receiver's
    /// switch on Windows; the kernel's own stays on).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(core.multicast_loop());
    /// core.set_multicast_loop(false);
    /// assert!(!core.multicast_loop());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_multicast_loop(&self, on: bool) {
        if on {
            self.state.fetch_and(!MULTICAST_NO_LOOP, Ordering::AcqRel);
        } else {
            self.state.fetch_or(MULTICAST_NO_LOOP, Ordering::AcqRel);
        }
    }

    /// See [`SocketCore::set_multicast_loop`].
    pub fn multicast_loop(&self) -> bool {
        !self.has(MULTICAST_NO_LOOP)
    }

    /// `IP_MULTICAST_IF`: the interface IPv4 group datagrams leave by
    /// (an index, a local address, or the default); read back as an index.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind, socket::GroupInterface};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_multicast_interface_v4(GroupInterface::Index(1))?; // lo
    /// assert_eq!(core.multicast_interface_v4(), 1);
    /// let err = core.set_multicast_interface_v4(GroupInterface::Address("192.0.2.1".parse()?)).unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::WSAEADDRNOTAVAIL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_multicast_interface_v4(&self, interface: GroupInterface) -> Result<()> {
        let (index, addr) = match interface {
            GroupInterface::Default => (0, Ipv4Addr::UNSPECIFIED),
            GroupInterface::Index(i) => (i, Ipv4Addr::UNSPECIFIED),
            GroupInterface::Address(a) if a.is_unspecified() => (0, a),
            GroupInterface::Address(a) => {
                let index =
                    super::netns::in_socket_namespace(self.raw_fd(), || interface_of_address(a))
                        .unwrap_or_else(|| Err(Error::new(abi::WSAENOBUFS, "network namespace")))?;
                (index, a)
            }
        };
        let mreqn = libc::ip_mreqn {
            imr_multiaddr: libc::in_addr { s_addr: 0 },
            imr_address: libc::in_addr {
                s_addr: u32::from_ne_bytes(addr.octets()),
            },
            imr_ifindex: index as i32,
        };
        set_raw(
            self.raw_fd(),
            libc::SOL_IP,
            libc::IP_MULTICAST_IF,
            &mreqn,
            "setsockopt(IP_MULTICAST_IF)",
        )
        .map_err(|e| match e.code() {
            abi::WSAEINVAL => Error::new(
                abi::WSAEADDRNOTAVAIL,
                format!("interface {index} does not exist"),
            ),
            _ => e,
        })?;
        self.groups.multicast_if.store(index, Ordering::Relaxed);
        Ok(())
    }

    /// See [`SocketCore::set_multicast_interface_v4`]: an index, 0 for the
    /// default.
    pub fn multicast_interface_v4(&self) -> u32 {
        self.groups.multicast_if.load(Ordering::Relaxed)
    }
}

/// The index of the interface holding the IPv4 address `a` (in the calling
/// thread's network namespace); `WSAEADDRNOTAVAIL` when none does.
fn interface_of_address(a: Ipv4Addr) -> Result<u32> {
    crate::interfaces::interfaces()?
        .iter()
        .find(|i| i.addresses.iter().any(|x| x.addr == IpAddr::V4(a)))
        .map(|i| i.index)
        .ok_or_else(|| {
            Error::new(
                abi::WSAEADDRNOTAVAIL,
                format!("{a} is not an address of an interface of this host"),
            )
        })
}

fn epoll_add(set: RawFd, fd: RawFd) -> Result<()> {
    let mut ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: fd as u64,
    };
    // SAFETY: ev is a valid epoll_event; both fds are open.
    if unsafe { libc::epoll_ctl(set, libc::EPOLL_CTL_ADD, fd, &mut ev) } < 0 {
        return Err(Error::resource(
            errno(),
            "epoll_ctl(EPOLL_CTL_ADD) for a receive set",
        ));
    }
    Ok(())
}

/// Whether an interface of this index exists (in the calling thread's
/// network namespace).
fn interface_exists(index: u32) -> bool {
    let mut name = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: name holds IF_NAMESIZE bytes, as if_indextoname needs.
    !unsafe { libc::if_indextoname(index, name.as_mut_ptr()) }.is_null()
}

fn group_level(group: IpAddr) -> i32 {
    if group.is_ipv4() {
        libc::SOL_IP
    } else {
        libc::SOL_IPV6
    }
}

/// Joins (`join`) or leaves `group` on the group socket `fd`, for any
/// source or for `source` only.
fn kernel_membership(
    fd: RawFd,
    group: IpAddr,
    ifindex: u32,
    source: Option<IpAddr>,
    join: bool,
) -> Result<()> {
    match source {
        None => set_raw(
            fd,
            group_level(group),
            if join {
                libc::MCAST_JOIN_GROUP
            } else {
                libc::MCAST_LEAVE_GROUP
            },
            &LinuxGroupReq {
                interface: ifindex,
                group: storage(group),
            },
            "setsockopt(MCAST_JOIN_GROUP)",
        ),
        Some(s) => source_request(
            fd,
            group,
            ifindex,
            s,
            if join {
                libc::MCAST_JOIN_SOURCE_GROUP
            } else {
                libc::MCAST_LEAVE_SOURCE_GROUP
            },
        ),
    }
    .map_err(|e| match e.code() {
        // ENODEV: no such interface.
        abi::WSAEINVAL if ifindex != 0 && !interface_exists(ifindex) => Error::new(
            abi::WSAEADDRNOTAVAIL,
            format!("interface {ifindex} does not exist"),
        ),
        _ => e,
    })
}

fn source_request(fd: RawFd, group: IpAddr, ifindex: u32, source: IpAddr, name: i32) -> Result<()> {
    set_raw(
        fd,
        group_level(group),
        name,
        &LinuxGroupSourceReq {
            interface: ifindex,
            group: storage(group),
            source: storage(source),
        },
        "setsockopt(MCAST_*_SOURCE)",
    )
}

/// A source-specific change on a joined membership, by Microsoft's table.
/// Returns whether the membership ends (its last included source left).
fn source_change(
    op: GroupOp,
    filter: &mut Filter,
    s: IpAddr,
    fd: RawFd,
    group: IpAddr,
    ifindex: u32,
) -> Result<bool> {
    let invalid = |why: &str| Err(Error::new(abi::WSAEINVAL, format!("{s} in {group}: {why}")));
    let not_avail = |why: &str| {
        Err(Error::new(
            abi::WSAEADDRNOTAVAIL,
            format!("{s} in {group}: {why}"),
        ))
    };
    match (op, filter) {
        (GroupOp::JoinSource, Filter::Any { blocked, .. }) if blocked.contains(&s) => {
            invalid("the source is blocked: unblock it instead")
        }
        (GroupOp::JoinSource, Filter::Any { .. }) => {
            not_avail("the group is joined for any source already")
        }
        (GroupOp::JoinSource, Filter::Include(list)) if list.contains(&s) => {
            not_avail("the source is joined already")
        }
        (GroupOp::JoinSource, Filter::Include(list)) => {
            kernel_membership(fd, group, ifindex, Some(s), true)?;
            list.push(s);
            Ok(false)
        }
        (GroupOp::LeaveSource, Filter::Any { .. }) => {
            invalid("the group is joined for any source: block the source instead")
        }
        (GroupOp::LeaveSource, Filter::Include(list)) => {
            let Some(i) = list.iter().position(|x| *x == s) else {
                return not_avail("the source is not in the include list");
            };
            if list.len() == 1 {
                return Ok(true); // closing the group socket leaves
            }
            source_request(fd, group, ifindex, s, libc::MCAST_LEAVE_SOURCE_GROUP)?;
            list.remove(i);
            Ok(false)
        }
        (GroupOp::Block, Filter::Include(_)) => {
            invalid("the group is joined for some sources only: leave the source instead")
        }
        (GroupOp::Block, Filter::Any { blocked, .. }) if blocked.contains(&s) => {
            not_avail("the source is blocked already")
        }
        (GroupOp::Block, Filter::Any { blocked, unblocked }) => {
            source_request(fd, group, ifindex, s, libc::MCAST_BLOCK_SOURCE)?;
            blocked.push(s);
            unblocked.retain(|x| *x != s);
            Ok(false)
        }
        (GroupOp::Unblock, Filter::Include(_)) => invalid("the source was never blocked"),
        (GroupOp::Unblock, Filter::Any { blocked, unblocked }) => {
            match blocked.iter().position(|x| *x == s) {
                Some(i) => {
                    source_request(fd, group, ifindex, s, libc::MCAST_UNBLOCK_SOURCE)?;
                    blocked.remove(i);
                    unblocked.push(s);
                    Ok(false)
                }
                None if unblocked.contains(&s) => not_avail("the source is unblocked already"),
                None => invalid("the source was never blocked"),
            }
        }
        (GroupOp::Join | GroupOp::Leave, _) => unreachable!("handled by change_membership_here"),
    }
}

impl SocketCore {
    /// What every ws2 datagram and raw socket is given at creation (P4):
    /// no group it did not join itself (`IP_MULTICAST_ALL` 0: Linux hands
    /// a wildcard-bound socket every group any socket of the host joined),
    /// and IPv4 datagrams leave without DF, as Windows sends them unless
    /// `IP_DONTFRAGMENT` is set (Linux's default sets DF).
    pub(super) fn datagram_defaults(&self) -> Result<()> {
        let fd = self.raw_fd();
        let v4 = set_int(
            fd,
            libc::SOL_IP,
            libc::IP_MULTICAST_ALL,
            0,
            "setsockopt(IP_MULTICAST_ALL)",
        );
        let df = set_int(
            fd,
            libc::SOL_IP,
            libc::IP_MTU_DISCOVER,
            libc::IP_PMTUDISC_DONT,
            "setsockopt(IP_MTU_DISCOVER)",
        );
        if self.family == Family::V4 {
            v4?;
            df?;
        } else {
            // The IPv4 side of a dual-stack socket (a raw IPv6 socket has
            // none: Linux refuses the IPv4 options there).
            set_int(
                fd,
                libc::SOL_IPV6,
                libc::IPV6_MULTICAST_ALL,
                0,
                "setsockopt(IPV6_MULTICAST_ALL)",
            )?;
        }
        Ok(())
    }
}
