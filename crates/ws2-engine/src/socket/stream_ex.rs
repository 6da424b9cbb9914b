//! A stream socket's part in the `mswsock` extension functions (SPEC P8,
//! part 2): `AcceptEx`'s accept socket (its checks, its wait, becoming the
//! accepted connection) and `SO_UPDATE_ACCEPT_CONTEXT`; `ConnectEx`'s
//! checks and outcome and `SO_UPDATE_CONNECT_CONTEXT`. Sources:
//! research-streams.md B5, B7, B8 (Wine's Windows-run `test_AcceptEx`,
//! `test_completion_port`, `test_connect`; Microsoft's `AcceptEx` and
//! `ConnectEx` pages).

use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::fork::lock;
use crate::translate::LinuxAddr;

use super::*;

impl SocketCore {
    /// `AcceptEx`'s checks of its accept socket (`self`) against the
    /// listener, in `test_AcceptEx`'s order, then marks it waiting in the
    /// `AcceptEx` of OVERLAPPED `ov`: the listener must be listening, the
    /// accept socket a stream socket of the listener's family that is
    /// neither bound nor connected nor already waiting (all `WSAEINVAL`).
    pub fn begin_accept_ex(&self, listener: &Arc<SocketCore>, ov: usize) -> Result<()> {
        if !listener.is_stream() || !listener.is_listening() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "AcceptEx: sListenSocket is not listening (call listen first)",
            ));
        }
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if !self.is_stream() || self.family() != listener.family() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "AcceptEx: sAcceptSocket must be a stream socket of the listener's family",
            ));
        }
        self.refresh_connect();
        if self.state.load(Ordering::Acquire) & (BOUND | CONNECTED | CONNECTING | LISTENING) != 0 {
            return Err(Error::new(
                abi::WSAEINVAL,
                "AcceptEx: sAcceptSocket must be neither bound nor connected",
            ));
        }
        let mut link = lock(&self.stream.accept_ex);
        if link.is_some() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "AcceptEx: sAcceptSocket already waits in another AcceptEx",
            ));
        }
        *link = Some((Arc::downgrade(listener), ov));
        Ok(())
    }

    /// The `AcceptEx` this socket waited in completed (or was cancelled).
    pub fn end_accept_ex(&self) {
        lock(&self.stream.accept_ex).take();
    }

    /// Whether this socket waits in an `AcceptEx` (`connect` and
    /// `ConnectEx` are then `WSAEINVAL`, `test_AcceptEx`).
    pub fn in_accept_ex(&self) -> bool {
        lock(&self.stream.accept_ex).is_some()
    }

    /// The listener and OVERLAPPED of the `AcceptEx` this socket waits in,
    /// taken (its `closesocket` cancels that `AcceptEx`).
    pub(crate) fn take_accept_ex(&self) -> Option<(Weak<SocketCore>, usize)> {
        lock(&self.stream.accept_ex).take()
    }

    /// A listener's next connection without waiting (`None`: none yet);
    /// `FD_ACCEPT` is re-enabled as by `accept`.
    pub fn connection_now(&self) -> Result<Option<(OwnedFd, SocketAddr)>> {
        let c = self.try_next_connection()?;
        if c.is_some() {
            self.note_accepted();
        }
        Ok(c)
    }

    /// Whether a connection waits on this listener (without taking it).
    pub fn connection_waiting(&self) -> bool {
        if lock(&self.stream.deferred).is_some() {
            return true;
        }
        let mut p = libc::pollfd {
            fd: self.raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no wait.
        unsafe { libc::poll(&mut p, 1, 0) == 1 && p.revents & libc::POLLIN != 0 }
    }

    /// The accept socket of an `AcceptEx` becomes the accepted connection
    /// `fd` (its handle stays; its fd number now names the connection), in
    /// the default state of a connected socket: it takes the listener's
    /// settings only with `SO_UPDATE_ACCEPT_CONTEXT` (the kernel has
    /// copied its own, as on `accept`).
    pub fn adopt_connection(&self, fd: OwnedFd, peer: SocketAddr) -> Result<()> {
        self.replace_fd(fd)?;
        let v4 = match peer {
            SocketAddr::V4(_) => true,
            SocketAddr::V6(a) => a.ip().to_ipv4_mapped().is_some(),
        };
        *lock(&self.stream.peer) = Some(peer);
        *lock(&self.stream.connected_at) = Some(std::time::Instant::now());
        self.state.fetch_or(
            BOUND | CONNECTED | ACCEPTED | if v4 { PEER_V4 } else { 0 },
            Ordering::AcqRel,
        );
        Ok(())
    }

    /// Puts the kernel socket `fd` behind this socket's fd numbers (its
    /// own and the reactor's duplicate), atomically for each: the handle
    /// and every thread's view of it stay; the socket that was there is
    /// closed once nothing else holds it. `AcceptEx` (the accepted
    /// connection) and `DisconnectEx(TF_REUSE_SOCKET)` (a fresh socket).
    fn replace_fd(&self, fd: OwnedFd) -> Result<()> {
        for target in [Some(self.raw_fd()), self.recv_fd_if_open()]
            .into_iter()
            .flatten()
        {
            // SAFETY: both fds are open and ours; dup3 replaces `target`
            // atomically (no moment without an fd of that number).
            let r = unsafe { libc::dup3(fd.as_raw_fd(), target, libc::O_CLOEXEC) };
            if r < 0 {
                return Err(Error::last_os("dup3 (a socket's new kernel socket)"));
            }
        }
        // The old socket left the arrivals instance of `WSAEventSelect`
        // with its last fd: the new one goes in.
        if let Some(ep) = self.events_fd_if_open() {
            self.watch_own_arrivals(ep)?;
        }
        Ok(())
    }

    /// `DisconnectEx(TF_REUSE_SOCKET)`'s end, once nothing is queued on the
    /// socket any more and its send backlog is empty (`io::reuse_stream`
    /// sees to that, holding the queues' locks): the connection
    /// is closed gracefully (what the peer sent and nobody read is
    /// dropped, so the close sends a FIN, not a reset) and a fresh kernel
    /// socket of the same family and protocol takes its place behind the
    /// handle, in the state of a new socket. One that was accepted
    /// (`accept`, `AcceptEx`) is left unbound, for the next `AcceptEx`; one
    /// that connected stays bound, for the next `ConnectEx` (Microsoft's
    /// `ConnectEx` page: "not connected, but still bound"), to its local
    /// address, or to another port of the same IP address when Linux
    /// cannot give the port back (below). ws2's own settings
    /// (non-blocking mode, timeouts, linger, the completion port) stay;
    /// options only the kernel keeps (`TCP_NODELAY`, buffer sizes) are the
    /// new socket's defaults.
    pub(crate) fn reuse_stream_socket(&self) -> Result<()> {
        let state = self.state.load(Ordering::Acquire);
        let keep = (state & ACCEPTED == 0)
            .then(|| self.kernel_local_addr().ok().flatten())
            .flatten();
        let old = self.raw_fd();
        // The old socket never stands in the fresh one's way: both have
        // SO_REUSEADDR and neither listens, whatever state the old
        // connection is in (Linux's bind conflict rule). Another socket
        // may: `connect` lets a connection share its port with connections
        // to other destinations and with closed ones in TIME_WAIT, and a
        // bind to a port held by any socket without SO_REUSEADDR fails
        // `EADDRINUSE` whatever the binding socket's options (so no order
        // of close and bind, no option, and no wait of ours can win it
        // back: a TIME_WAIT holds it for a minute). The C test met this
        // about once in 8,000 runs. A Windows program depends on the
        // disconnect succeeding and the handle staying bound (Microsoft's
        // pages promise "still bound", for `ConnectEx`; none names the
        // port), so the fresh socket then takes a new port of the same
        // address, chosen by the kernel and held by it alone (a port-0
        // bind without SO_REUSEADDR shares no port). One bind more, once.
        let (fd, new_port) = match (self.fresh_stream_socket(keep), keep) {
            (Err(e), Some(mut local)) if e.code() == abi::WSAEADDRINUSE && local.port() != 0 => {
                local.set_port(0);
                (self.fresh_stream_socket(Some(local))?, true)
            }
            (fd, _) => (fd?, false),
        };
        // Drop what the peer sent and nobody read: a close with unread
        // data would reset the connection. Bounded: a peer that goes on
        // sending meets the reset after all.
        for _ in 0..64 {
            // SAFETY: no buffer; MSG_TRUNC makes TCP discard the bytes.
            let n = unsafe {
                crate::sys::recv(
                    old,
                    std::ptr::null_mut(),
                    1 << 30,
                    libc::MSG_TRUNC | libc::MSG_DONTWAIT,
                )
            };
            if n <= 0 && !(n < 0 && errno() == libc::EINTR) {
                break;
            }
        }
        // SAFETY: shutdown has no pointer arguments.
        unsafe { libc::shutdown(old, libc::SHUT_WR) };
        self.replace_fd(fd)?;
        if new_port {
            // The registry of this process's bindings follows the port.
            self.refresh_binding_port();
        }
        let kept = NONBLOCKING
            | V6ONLY
            | OOB_INLINE
            | REUSE_ADDR
            | EXCLUSIVE_ADDR
            | DEBUG
            | STREAM
            | REGISTERED
            | EVENTS_LIVE
            | EVENTS_SELECTED
            | if keep.is_some() { BOUND } else { 0 };
        self.state.fetch_and(kept, Ordering::AcqRel);
        if keep.is_none() {
            self.forget_binding();
        }
        self.stream.broken.store(0, Ordering::Release);
        self.stream.connect_failure.store(0, Ordering::Release);
        self.so_error.store(0, Ordering::Release);
        *lock(&self.stream.peer) = None;
        *lock(&self.stream.connected_at) = None;
        Ok(())
    }

    /// A fresh kernel stream socket of this socket's family and protocol,
    /// in this socket's network namespace (the calling thread may be in
    /// another: a socket made in a test host, used from elsewhere), bound
    /// to `keep` when given, for [`Self::replace_fd`].
    fn fresh_stream_socket(&self, keep: Option<SocketAddr>) -> Result<OwnedFd> {
        let fd = super::netns::in_socket_namespace(self.raw_fd(), || {
            self.sibling_kernel_socket("socket() for a fresh stream socket")
        })
        .unwrap_or_else(|| {
            Err(Error::new(
                abi::WSAENOBUFS,
                "cannot enter the socket's network namespace for a fresh socket",
            ))
        })?;
        if self.family == Family::V6 {
            let v6only = i32::from(self.has(V6ONLY));
            set_int(
                fd.as_raw_fd(),
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                v6only,
                "setsockopt(IPV6_V6ONLY)",
            )?;
        }
        if let Some(local) = keep {
            if local.port() != 0 {
                // The old socket may hold the port a while (FIN_WAIT,
                // TIME_WAIT; a failed connect's explicit port): both
                // sockets allow the new one's bind.
                for fd in [self.raw_fd(), fd.as_raw_fd()] {
                    set_int(
                        fd,
                        libc::SOL_SOCKET,
                        libc::SO_REUSEADDR,
                        1,
                        "setsockopt(SO_REUSEADDR)",
                    )?;
                }
            }
            let la = LinuxAddr::new(&local, self.family)?;
            // SAFETY: la holds a valid sockaddr of la.len() bytes.
            if unsafe { libc::bind(fd.as_raw_fd(), la.as_ptr(), la.len()) } < 0 {
                return Err(Error::last_os(
                    "bind (a fresh stream socket: the local address again)",
                ));
            }
        }
        Ok(fd)
    }

    /// `listen` on a stream socket whose `connect` failed: Linux (6.18
    /// here) refuses `listen` on a kernel socket that has been through
    /// `connect`, even after `connect(AF_UNSPEC)` (`EINVAL`), where
    /// Windows lets it listen (Wine's Windows-run `test_select`). A fresh
    /// kernel socket takes its place behind the handle, bound to the same
    /// local address, with the options the kernel kept for the old one
    /// ([`KERNEL_KEPT`]) that differ from a fresh socket's; ws2's own
    /// settings are the handle's and stay.
    pub(crate) fn renew_after_failed_connect(&self) -> Result<()> {
        let old = self.raw_fd();
        let keep = self.kernel_local_addr()?;
        let reuse = get_int(
            old,
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            "getsockopt(SO_REUSEADDR)",
        )?;
        let renewed = self.fresh_stream_socket(keep).and_then(|fd| {
            for &(level, name, doubled) in KERNEL_KEPT {
                let (Ok(was), Ok(fresh)) = (
                    get_int(old, level, name, "getsockopt (a failed connect's socket)"),
                    get_int(fd.as_raw_fd(), level, name, "getsockopt (a fresh socket)"),
                ) else {
                    continue; // not an option of this family
                };
                if was != fresh {
                    // Linux reports buffer sizes doubled and doubles what is set.
                    let value = if doubled { was / 2 } else { was };
                    set_int(
                        fd.as_raw_fd(),
                        level,
                        name,
                        value,
                        "setsockopt (a fresh socket)",
                    )?;
                }
            }
            set_int(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                reuse,
                "setsockopt(SO_REUSEADDR)",
            )?;
            self.replace_fd(fd)
        });
        if let Err(e) = renewed {
            // The old socket stays, with the SO_REUSEADDR it had.
            let _ = set_int(
                old,
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                reuse,
                "setsockopt(SO_REUSEADDR)",
            );
            return Err(e);
        }
        self.state.fetch_and(!CONNECT_FAILED, Ordering::AcqRel);
        Ok(())
    }

    /// `SO_UPDATE_ACCEPT_CONTEXT`: the socket an `AcceptEx` on `listener`
    /// accepted takes the listener's settings, as `accept` gives them
    /// (`WSAENOTCONN` on a socket no `AcceptEx` connected, `WSAEINVAL`
    /// when `listener` does not listen).
    pub fn update_accept_context(&self, listener: &SocketCore) -> Result<()> {
        if !listener.is_stream() || !listener.is_listening() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "SO_UPDATE_ACCEPT_CONTEXT: optval must be the listening socket",
            ));
        }
        if !self.is_stream() || self.state.load(Ordering::Acquire) & ACCEPTED == 0 {
            return Err(Error::new(
                abi::WSAENOTCONN,
                "SO_UPDATE_ACCEPT_CONTEXT on a socket no AcceptEx connected",
            ));
        }
        let inherited =
            listener.state.load(Ordering::Acquire) & (NONBLOCKING | V6ONLY | OOB_INLINE);
        self.state.fetch_or(inherited, Ordering::AcqRel);
        self.set_send_timeout_ms(listener.send_timeout_ms());
        self.set_recv_timeout_ms(listener.recv_timeout_ms());
        self.set_socket_tos(listener.socket_tos());
        self.stream.linger.store(
            listener.stream.linger.load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
        Ok(())
    }

    /// `ConnectEx`'s checks that come before its OVERLAPPED's
    /// (`test_connect`): a listening socket, one waiting in an `AcceptEx`,
    /// a datagram socket, an unbound one are `WSAEINVAL`.
    pub fn check_connect_ex(&self) -> Result<()> {
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if !self.is_stream() || self.is_listening() || self.in_accept_ex() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "ConnectEx works on a stream socket that is neither listening nor waiting in an AcceptEx",
            ));
        }
        if !self.is_bound() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "ConnectEx needs a bound socket: bind it first",
            ));
        }
        Ok(())
    }

    /// Starts `ConnectEx`'s connect without waiting: whether it connected
    /// at once. A connected socket is `WSAEISCONN`, one connecting (a
    /// non-blocking `connect`, another `ConnectEx`) `WSAEINVAL`.
    pub fn begin_connect_ex(&self, addr: &SocketAddr) -> Result<bool> {
        self.check_connect_ex()?;
        self.refresh_connect();
        if self.has(CONNECTED) {
            return Err(Error::new(
                abi::WSAEISCONN,
                "ConnectEx on a connected socket",
            ));
        }
        if self.has(CONNECTING) {
            return Err(Error::new(
                abi::WSAEINVAL,
                "ConnectEx while a connect is in progress",
            ));
        }
        let now = self.begin_connect(addr)?;
        self.state.fetch_or(CONNECTED_EX, Ordering::AcqRel);
        Ok(now)
    }

    /// How a `ConnectEx`'s connect ended: `None` while it goes on; its
    /// failure (`WSAECONNREFUSED`...) lets the socket connect again.
    pub(crate) fn connect_ex_outcome(&self) -> Option<Result<()>> {
        self.refresh_connect();
        if self.has(CONNECTED) {
            return Some(Ok(()));
        }
        if self.has(CONNECTING) && !self.is_closed() {
            return None;
        }
        self.state.fetch_and(!CONNECTED_EX, Ordering::AcqRel);
        let code = match self.connect_failure() {
            0 => abi::WSAECONNABORTED,
            c => c,
        };
        Some(Err(Error::new(
            code,
            format!(
                "ConnectEx: the connect failed ({})",
                abi::wsa_error_name(code)
            ),
        )))
    }

    /// `SO_UPDATE_CONNECT_CONTEXT` (optval NULL, optlen 0): a socket
    /// `ConnectEx` connected becomes an ordinary connected socket
    /// (`WSAENOTCONN` unless connected).
    pub fn update_connect_context(&self) -> Result<()> {
        self.refresh_connect();
        if !self.is_stream() || !self.has(CONNECTED) {
            return Err(Error::new(
                abi::WSAENOTCONN,
                "SO_UPDATE_CONNECT_CONTEXT on a socket that is not connected",
            ));
        }
        self.state.fetch_and(!CONNECTED_EX, Ordering::AcqRel);
        Ok(())
    }

    /// `DisconnectEx`'s state check: a connected stream socket
    /// (`WSAENOTCONN` otherwise, a listener included).
    pub fn shutdown_checks(&self) -> Result<()> {
        self.refresh_connect();
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if !self.has(CONNECTED) || self.is_listening() {
            return Err(Error::new(
                abi::WSAENOTCONN,
                "DisconnectEx on a socket that is not connected",
            ));
        }
        Ok(())
    }
}

/// The options the kernel keeps for a stream socket and a listener may
/// have been given before a failed `connect` ([`SocketCore::
/// renew_after_failed_connect`]): level, name, and whether Linux reports
/// the value doubled.
const KERNEL_KEPT: &[(i32, i32, bool)] = &[
    (libc::SOL_SOCKET, libc::SO_KEEPALIVE, false),
    (libc::SOL_SOCKET, libc::SO_OOBINLINE, false),
    (libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, false),
    (libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, false),
    (libc::IPPROTO_TCP, libc::TCP_KEEPCNT, false),
    (libc::IPPROTO_IP, libc::IP_MTU_DISCOVER, false),
    (libc::IPPROTO_IPV6, libc::IPV6_MTU_DISCOVER, false),
    (libc::SOL_SOCKET, libc::SO_RCVBUF, true),
    (libc::SOL_SOCKET, libc::SO_SNDBUF, true),
    (libc::IPPROTO_TCP, libc::TCP_NODELAY, false),
    (libc::IPPROTO_IP, libc::IP_TOS, false),
    (libc::IPPROTO_IP, libc::IP_TTL, false),
    (libc::IPPROTO_IPV6, libc::IPV6_TCLASS, false),
    (libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS, false),
];
