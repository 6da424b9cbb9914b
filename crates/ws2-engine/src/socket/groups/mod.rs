//! Multicast memberships with Windows' delivery rule (P4; DESIGN.md,
//! "Multicast and address reuse"): a socket never joins with its own
//! kernel socket. Each (group, interface) it joins gets a *group socket*
//! (same family, type and protocol; `IP_MULTICAST_ALL` 0; tied to the
//! interface; bound to the group and the socket's port; joined there), and
//! the socket's receives read its own fd and its group sockets' fds. The
//! Windows rules of "Multicast Socket Option Behavior" are kept here per
//! membership.
//!
//! Here: the memberships and their group sockets; `recv` reads them,
//! `filter` keeps Microsoft's source-filter rules, `sending` has the
//! options of the sending side.

mod filter;
mod recv;
mod sending;

pub use filter::FilterMode;

use filter::{Filter, kernel_membership, source_change};
use recv::MIRRORED;

use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::fork::lock;
use crate::translate::{Family, LinuxAddr};
pub use crate::translate::{GroupInterface, GroupOp, GroupRequest};

use super::*;

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

impl SocketCore {
    /// Whether the socket has group sockets (multicast memberships): its
    /// datagrams then come from several fds, read one at a time.
    #[inline]
    pub(crate) fn has_group_sockets(&self) -> bool {
        self.groups.any()
    }
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
        let port = self.membership_port()?;
        self.in_namespace(|| self.change_membership_here(op, req, port))
    }

    /// The port group sockets bind: the socket's (0 for raw sockets).
    fn membership_port(&self) -> Result<u16> {
        if self.kind == SocketKind::Raw {
            return Ok(0);
        }
        self.local_addr().map(|a| a.port()).map_err(|_| {
            Error::new(
                abi::WSAEINVAL,
                "the socket is not bound: bind it before joining a multicast group",
            )
        })
    }

    /// Runs a membership change in the socket's network namespace.
    fn in_namespace<R>(&self, f: impl FnOnce() -> Result<R> + Send) -> Result<R>
    where
        R: Send,
    {
        super::netns::in_socket_namespace(self.raw_fd(), f).unwrap_or_else(|| {
            Err(Error::new(
                abi::WSAENOBUFS,
                "cannot enter the socket's network namespace to change a membership",
            ))
        })
    }

    /// `setsourcefilter`/`setipv4sourcefilter` (RFC 3678's full-state
    /// calls, P4): the group's whole filter at once. `Include` with no
    /// source leaves the group; on a group not joined yet it joins (an
    /// `Exclude` list, or an `Include` one). Returns whether a group socket
    /// was added (see [`SocketCore::change_membership`]).
    pub(crate) fn set_source_filter(
        &self,
        group: IpAddr,
        interface: GroupInterface,
        mode: FilterMode,
        sources: &[IpAddr],
    ) -> Result<bool> {
        let req = GroupRequest::any_source(group, interface);
        self.check_membership_request(GroupOp::Join, &req)?;
        if let Some(s) = sources
            .iter()
            .find(|s| s.is_ipv4() != group.is_ipv4() || s.is_multicast())
        {
            return Err(Error::new(
                abi::WSAEINVAL,
                format!("source {s} does not fit group {group}"),
            ));
        }
        let port = self.membership_port()?;
        self.in_namespace(|| {
            let ifindex = self.resolve_interface(&req)?;
            let mut list = lock(&self.groups.list);
            let at = list
                .iter()
                .position(|m| m.group == group && m.ifindex == ifindex);
            let added = match (at, mode, sources.is_empty()) {
                (Some(i), FilterMode::Include, true) => {
                    list.remove(i);
                    false
                }
                (None, FilterMode::Include, true) => false,
                (Some(i), _, _) => {
                    let m = &mut list[i];
                    filter::set_msfilter(m.fd.as_raw_fd(), group, ifindex, mode, sources)?;
                    m.filter = Filter::from_state(mode, sources);
                    false
                }
                (None, _, _) => {
                    let fd = self.group_socket(group, ifindex, port)?;
                    // An include list joins for its first source, so no
                    // other source's datagram slips in before the filter.
                    let first = (mode == FilterMode::Include).then(|| sources[0]);
                    kernel_membership(fd.as_raw_fd(), group, ifindex, first, true)?;
                    filter::set_msfilter(fd.as_raw_fd(), group, ifindex, mode, sources)?;
                    self.watch(fd.as_raw_fd())?;
                    list.push(Membership {
                        group,
                        ifindex,
                        filter: Filter::from_state(mode, sources),
                        fd,
                    });
                    true
                }
            };
            self.groups.count.store(list.len(), Ordering::Release);
            if self.groups.last.load(Ordering::Relaxed) > list.len() {
                self.groups.last.store(0, Ordering::Relaxed);
            }
            Ok(added)
        })
    }

    /// `getsourcefilter`/`getipv4sourcefilter`: a joined group's filter;
    /// `WSAEADDRNOTAVAIL` for a group not joined on that interface.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind, socket::{FilterMode, GroupInterface}};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// let group = "239.255.3.3".parse()?;
    /// let err = core.source_filter(group, GroupInterface::Index(1)).unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::WSAEADDRNOTAVAIL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn source_filter(
        &self,
        group: IpAddr,
        interface: GroupInterface,
    ) -> Result<(FilterMode, Vec<IpAddr>)> {
        let req = GroupRequest::any_source(group, interface);
        let ifindex = self.in_namespace(|| self.resolve_interface(&req))?;
        lock(&self.groups.list)
            .iter()
            .find(|m| m.group == group && m.ifindex == ifindex)
            .map(|m| m.filter.state())
            .ok_or_else(|| {
                Error::new(
                    abi::WSAEADDRNOTAVAIL,
                    format!("group {group} is not joined on interface {ifindex}"),
                )
            })
    }

    fn check_membership_request(&self, op: GroupOp, req: &GroupRequest) -> Result<()> {
        if self.kind == SocketKind::Stream {
            return Err(Error::new(
                abi::WSAEINVAL,
                "multicast memberships work on datagram and raw sockets only",
            ));
        }
        if self.gro_on() {
            // The URO path reads the socket's own fd only (README: where
            // ws2 answers differently).
            return Err(Error::new(
                abi::WSAEINVAL,
                "ws2 does not join multicast groups on a socket with UDP_RECV_MAX_COALESCED_SIZE set",
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
            (GroupOp::Join, Some(i)) => {
                // Microsoft's table: after IP_BLOCK_SOURCE a join is
                // WSAEINVAL (unblock instead); otherwise WSAEADDRNOTAVAIL.
                return Err(match &list[i].filter {
                    Filter::Any { blocked, .. } if !blocked.is_empty() => Error::new(
                        abi::WSAEINVAL,
                        format!(
                            "group {} has blocked sources on interface {ifindex}: unblock them",
                            req.group
                        ),
                    ),
                    _ => Error::new(
                        abi::WSAEADDRNOTAVAIL,
                        format!(
                            "group {} is already joined on interface {ifindex}",
                            req.group
                        ),
                    ),
                });
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
        let fd = self.sibling_kernel_socket("socket() for a multicast membership")?;
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
