//! A socket's addresses: `bind`, `connect`, `shutdown`, `getsockname`,
//! `getpeername`, the implicit bind of a first send (S13, S15).

use std::net::{IpAddr, SocketAddr};
use std::os::fd::RawFd;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::translate::{Family, LinuxAddr};

use super::*;

impl SocketCore {
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
        // Windows' reuse table decides, then the kernel binds (P4, `reuse`).
        self.bind_checked(addr, &la)?;
        self.state.fetch_or(BOUND, Ordering::Release);
        self.note_bound();
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
        if self.has(STREAM) {
            return self.connect_stream(addr);
        }
        let la = self.linux_addr(addr, self.state.load(Ordering::Acquire))?;
        // SAFETY: la holds a valid sockaddr of la.len() bytes.
        let r = unsafe { libc::connect(self.raw_fd(), la.as_ptr(), la.len()) };
        if r < 0 {
            let e = errno();
            // A non-blocking stream connect in progress is still a connect.
            if e == libc::EACCES && self.kind != SocketKind::Stream {
                self.connect_broadcast(&la)?;
            } else if e != libc::EINPROGRESS {
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
        self.note_connected();
        Ok(())
    }

    /// A datagram socket `connect`ed to a broadcast address without
    /// `SO_BROADCAST`: Windows accepts it, and `send` on the socket then
    /// works while `sendto` the same address is still refused (sock.c
    /// `test_broadcast`). Linux refuses the connect (`EACCES`), but checks
    /// the option only when it looks the route up: connect with the option
    /// on for that moment, then restore it (it reads back off, as on
    /// Windows); later `send`s use the route the connect cached.
    fn connect_broadcast(&self, la: &LinuxAddr) -> Result<()> {
        let on = self.int_option(
            libc::SOL_SOCKET,
            libc::SO_BROADCAST,
            "getsockopt(SO_BROADCAST)",
        )?;
        if on != 0 {
            return Err(Error::from_errno(libc::EACCES, "connect"));
        }
        self.set_int_option(
            libc::SOL_SOCKET,
            libc::SO_BROADCAST,
            1,
            "setsockopt(SO_BROADCAST)",
        )?;
        // SAFETY: la holds a valid sockaddr of la.len() bytes.
        let r = unsafe { libc::connect(self.raw_fd(), la.as_ptr(), la.len()) };
        let e = errno();
        self.set_int_option(
            libc::SOL_SOCKET,
            libc::SO_BROADCAST,
            0,
            "setsockopt(SO_BROADCAST)",
        )?;
        if r < 0 {
            return Err(Error::from_errno(e, "connect"));
        }
        Ok(())
    }

    /// `connect` to an `AF_UNSPEC` address: a datagram socket's association
    /// is dissolved (`getpeername` is `WSAENOTCONN` again, sock.c
    /// `test_connect_udp`). The local port stays: Linux forgets a port it
    /// chose itself (and the address the connect chose, keeping one that
    /// was bound), so the socket is bound back to that port.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.connect(&"127.0.0.1:9".parse()?)?;
    /// let local = core.local_addr()?;
    /// core.disconnect()?;
    /// assert_eq!(core.peer_addr().unwrap_err().code(), ws2_abi::WSAENOTCONN);
    /// assert_eq!(core.local_addr()?.port(), local.port());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn disconnect(&self) -> Result<()> {
        let before = self.kernel_local_addr()?;
        // SAFETY: an all-zero sockaddr with sa_family AF_UNSPEC is a valid
        // argument of connect (it dissolves the association).
        let r = unsafe {
            let mut unspec: libc::sockaddr = std::mem::zeroed();
            unspec.sa_family = libc::AF_UNSPEC as libc::sa_family_t;
            libc::connect(
                self.raw_fd(),
                &unspec,
                size_of::<libc::sockaddr>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(Error::last_os("connect(AF_UNSPEC)"));
        }
        self.state
            .fetch_and(!(CONNECTED | PEER_V4), Ordering::Release);
        if let Some(before) = before
            && before.port() != 0
            && let Some(now) = self.kernel_local_addr()?
            && now.port() == 0
        {
            let la = LinuxAddr::new(&SocketAddr::new(now.ip(), before.port()), self.family)?;
            // SAFETY: la holds a valid sockaddr of la.len() bytes.
            cvt(
                unsafe { libc::bind(self.raw_fd(), la.as_ptr(), la.len()) },
                "bind (back to the address before connect(AF_UNSPEC))",
            )?;
        }
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
        if self.has(STREAM) {
            return self.shutdown_stream(how, linux, bits);
        }
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

    pub(super) fn kernel_local_addr(&self) -> Result<Option<SocketAddr>> {
        let mut la = LinuxAddr::empty();
        // SAFETY: la is a sockaddr_storage with its length.
        cvt(
            unsafe { libc::getsockname(self.raw_fd(), la.as_mut_ptr(), la.len_mut()) },
            "getsockname",
        )?;
        Ok(la.to_socket_addr())
    }

    pub(super) fn kernel_peer_addr(&self) -> Result<SocketAddr> {
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
        if self.has(STREAM) {
            return self.stream_peer();
        }
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
        if self.is_bound() || self.kind == SocketKind::Stream {
            // A stream socket is bound by bind or connect, never by a send.
            return Ok(());
        }
        self.bind_implicitly()
    }

    #[cold]
    #[inline(never)]
    fn bind_implicitly(&self) -> Result<()> {
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
        self.note_bound();
        Ok(())
    }

    /// The Linux form of a peer or local address for this socket (`state`:
    /// the socket's state word): an IPv4 address on a dual-stack socket
    /// becomes v4-mapped; on an `IPV6_V6ONLY` socket it is `WSAEAFNOSUPPORT`
    /// (S8), not the `ENETUNREACH` Linux would give.
    #[inline(always)]
    pub(super) fn linux_addr(&self, addr: &SocketAddr, state: u64) -> Result<LinuxAddr> {
        LinuxAddr::for_socket(addr, self.family, state & V6ONLY != 0)
    }
}

/// Whether `addr` is an address of the host `socket` lives on (its
/// network namespace, which need not be the calling thread's): binding a
/// throwaway socket to it fails with `EADDRNOTAVAIL` when it is not. Only
/// called on slow paths.
pub(crate) fn is_local_address(socket: RawFd, addr: IpAddr) -> bool {
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
    super::netns::in_socket_namespace(socket, probe).unwrap_or(true)
}
