//! A socket's options and settings: timeouts, `FIONBIO`, TOS, `IPV6_V6ONLY`,
//! `UDP_SEND_MSG_SIZE`, what receives report, its completion port.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::completion::Port;
use crate::error::{Error, Result};
use crate::translate::{Family, ReceivedControls, RecvAddress, SockOpt};

use super::*;

impl SocketCore {
    /// `SO_SNDTIMEO` in milliseconds (0: wait forever).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.send_timeout_ms(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
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

    #[inline]
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

    /// The completion port this socket is bound to.
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(core.port().is_none());
    /// core.set_port(std::sync::Arc::new(ws2_engine::Port::new()), 7)?;
    /// assert_eq!(core.port().map(|(_, key)| *key), Some(7));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
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

    #[inline]
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
    #[inline]
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

    /// `IPV6_V6ONLY`: whether an `AF_INET6` socket refuses IPv4 peers. A raw
    /// IPv6 socket is always IPv6-only (Windows' default for every
    /// `AF_INET6` socket, and what a raw socket can carry): setting it is
    /// accepted, clearing it is `WSAEINVAL`. An `AF_INET` socket answers
    /// as Windows' does (`test_ipv6only`): on by default, settable until
    /// it is bound (`WSAEINVAL` after), meaning nothing for its traffic.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V6, SocketKind::Datagram, 0, true)?;
    /// assert!(core.v6_only()?, "the Windows default");
    /// core.set_v6_only(false)?;
    /// assert!(!core.v6_only()?);
    /// let v4 = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(v4.v6_only()?);
    /// v4.set_v6_only(false)?;
    /// v4.bind(&"127.0.0.1:0".parse()?)?;
    /// assert_eq!(v4.set_v6_only(true).unwrap_err().code(), ws2_abi::WSAEINVAL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_v6_only(&self, on: bool) -> Result<()> {
        match (self.family, self.kind) {
            (Family::V6, SocketKind::Raw) if on => return Ok(()),
            (Family::V6, SocketKind::Raw) => {
                return Err(Error::new(
                    abi::WSAEINVAL,
                    "IPV6_V6ONLY cannot be turned off on a raw IPv6 socket: it carries IPv6 only",
                ));
            }
            (Family::V4, _) if self.is_bound() => {
                return Err(Error::new(
                    abi::WSAEINVAL,
                    "IPV6_V6ONLY cannot change once the socket is bound",
                ));
            }
            (Family::V4, _) => {}
            (Family::V6, _) => self.set_int_option(
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                on as i32,
                "setsockopt(IPV6_V6ONLY)",
            )?,
        }
        if on {
            self.state.fetch_or(V6ONLY, Ordering::AcqRel);
        } else {
            self.state.fetch_and(!V6ONLY, Ordering::AcqRel);
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
        Ok(self.has(V6ONLY))
    }

    /// `SO_SNDBUF` (`send`) or `SO_RCVBUF`: Linux gets the value, and it
    /// reads back exactly as set, 0 included (`test_set_getsockopt`); Linux
    /// would report it doubled and raised to its minimum.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_buffer_size(false, 0)?;
    /// assert_eq!(core.buffer_size(false)?, 0);
    /// core.set_buffer_size(true, 4096)?;
    /// assert_eq!(core.buffer_size(true)?, 4096);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_buffer_size(&self, send: bool, bytes: u32) -> Result<()> {
        let name = if send {
            libc::SO_SNDBUF
        } else {
            libc::SO_RCVBUF
        };
        let linux = i32::try_from(bytes).unwrap_or(i32::MAX);
        self.set_int_option(
            libc::SOL_SOCKET,
            name,
            linux,
            "setsockopt(SO_SNDBUF/SO_RCVBUF)",
        )?;
        self.buffer_sizes[send as usize].store(bytes as u64, Ordering::Relaxed);
        Ok(())
    }

    /// `SO_SNDBUF` or `SO_RCVBUF` as last set; before that, the kernel's
    /// size (half what Linux reports: it counts its bookkeeping too).
    pub fn buffer_size(&self, send: bool) -> Result<u32> {
        match self.buffer_sizes[send as usize].load(Ordering::Relaxed) {
            NOT_SET => {
                let name = if send {
                    libc::SO_SNDBUF
                } else {
                    libc::SO_RCVBUF
                };
                let v =
                    self.int_option(libc::SOL_SOCKET, name, "getsockopt(SO_SNDBUF/SO_RCVBUF)")?;
                Ok((v / 2) as u32)
            }
            set => Ok(set as u32),
        }
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
        self.set_state_bit(SEGMENTING, bytes != 0);
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

    /// `IP_PKTINFO`, `IP_RECVIF`, `IP_RECVDSTADDR` (`v6`: their IPv6
    /// twins): Linux's `IP_PKTINFO`/`IPV6_RECVPKTINFO` is on while any of
    /// the family's three is; each report is written only when wanted.
    pub(crate) fn set_recv_address(&self, v6: bool, what: RecvAddress, on: bool) -> Result<()> {
        let bit = recv_address_bit(v6, what);
        let all = if v6 {
            WANT_PKTINFO_V6 | WANT_IF_V6 | WANT_DSTADDR_V6
        } else {
            WANT_PKTINFO_V4 | WANT_IF_V4 | WANT_DSTADDR_V4
        };
        let state = if on {
            self.state.fetch_or(bit, Ordering::AcqRel) | bit
        } else {
            self.state.fetch_and(!bit, Ordering::AcqRel) & !bit
        };
        let linux_on = (state & all != 0) as i32;
        let r = if v6 {
            self.set_int_option(
                libc::IPPROTO_IPV6,
                libc::IPV6_RECVPKTINFO,
                linux_on,
                "setsockopt(IPV6_RECVPKTINFO)",
            )
        } else {
            self.set_int_option(
                libc::IPPROTO_IP,
                libc::IP_PKTINFO,
                linux_on,
                "setsockopt(IP_PKTINFO)",
            )
        };
        if r.is_err() {
            self.set_state_bit(bit, !on);
        }
        r
    }

    /// Rewrites a receive's destination reports as the socket's options
    /// ask (only when `IP_RECVIF`/`IP_RECVDSTADDR` or a twin is on).
    #[inline(always)]
    pub(crate) fn recv_address_reports(&self, state: u64, c: &mut ReceivedControls) {
        if state & WANT_ADDRESS_EXTRA == 0 {
            return;
        }
        if let Some((addr, index)) = c.destination_v4 {
            c.interface_v4 = (state & WANT_IF_V4 != 0).then_some(index);
            c.destination_addr_v4 = (state & WANT_DSTADDR_V4 != 0).then_some(addr);
            if state & WANT_PKTINFO_V4 == 0 {
                c.destination_v4 = None;
            }
        }
        if let Some((addr, index)) = c.destination_v6 {
            c.interface_v6 = (state & WANT_IF_V6 != 0).then_some(index);
            c.destination_addr_v6 = (state & WANT_DSTADDR_V6 != 0).then_some(addr);
            if state & WANT_PKTINFO_V6 == 0 {
                c.destination_v6 = None;
            }
        }
    }

    pub(crate) fn recv_tos_wanted(&self, ecn: bool) -> bool {
        self.has(if ecn { WANT_ECN } else { WANT_TOS })
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
        self.set_state_bit(WANT_PKTINFO_V4 | WANT_PKTINFO_V6, destination);
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
        set_int(self.raw_fd(), level, name, value, context)?;
        // What receives report comes from the group sockets too (P4).
        self.mirror_option(level, name, value);
        Ok(())
    }

    pub fn int_option(&self, level: i32, name: i32, context: &'static str) -> Result<i32> {
        get_int(self.raw_fd(), level, name, context)
    }
}

thread_local! {
    /// `SO_OPENTYPE` of this thread (0: `socket()` makes overlapped sockets).
    static OPEN_TYPE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// This thread's `SO_OPENTYPE`: a per-thread setting, asked on any handle
/// (mswsock.h; `test_set_getsockopt` sets it on `INVALID_SOCKET`). Either
/// synchronous value makes `socket()` create sockets that are not
/// overlapped-capable (S28).
///
/// ```
/// ws2_engine::socket::set_open_type(ws2_abi::SO_SYNCHRONOUS_NONALERT);
/// assert!(!ws2_engine::socket::socket_makes_overlapped());
/// ws2_engine::socket::set_open_type(0);
/// assert!(ws2_engine::socket::socket_makes_overlapped());
/// ```
pub fn open_type() -> u32 {
    OPEN_TYPE.with(|c| c.get())
}

/// Sets this thread's `SO_OPENTYPE` (see [`open_type`]).
pub fn set_open_type(value: u32) {
    OPEN_TYPE.with(|c| c.set(value))
}

/// Whether `socket()` on this thread makes overlapped-capable sockets.
pub fn socket_makes_overlapped() -> bool {
    open_type() & (abi::SO_SYNCHRONOUS_ALERT | abi::SO_SYNCHRONOUS_NONALERT) == 0
}

impl SocketCore {
    /// Sets a translated option (see [`SockOpt`]); the Windows length and
    /// value rules were applied by the caller (`raw::setsockopt`).
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
            SockOpt::Linux { level, name } => self.set_int_option(level, name, value, "setsockopt"),
            SockOpt::Buffer { send } => self.set_buffer_size(send, value as u32),
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
            SockOpt::Error => {
                self.so_error.store(value as u32, Ordering::Relaxed);
                Ok(())
            }
            SockOpt::Linger => self.set_linger(abi::LINGER {
                l_onoff: value as u16,
                l_linger: (value as u32 >> 16) as u16,
            }),
            SockOpt::DontLinger => self.set_linger(abi::LINGER {
                l_onoff: (value == 0) as u16,
                l_linger: self.linger().l_linger,
            }),
            SockOpt::OobInline => {
                self.set_int_option(
                    libc::SOL_SOCKET,
                    libc::SO_OOBINLINE,
                    value,
                    "setsockopt(SO_OOBINLINE)",
                )?;
                if value != 0 {
                    self.state.fetch_or(OOB_INLINE, Ordering::AcqRel);
                } else {
                    self.state.fetch_and(!OOB_INLINE, Ordering::AcqRel);
                }
                self.wake_waiters(); // what a select waits for changes
                Ok(())
            }
            SockOpt::Debug => {
                if value != 0 {
                    self.state.fetch_or(DEBUG, Ordering::Relaxed);
                } else {
                    self.state.fetch_and(!DEBUG, Ordering::Relaxed);
                }
                Ok(())
            }
            SockOpt::OpenType => {
                set_open_type(value as u32);
                Ok(())
            }
            SockOpt::SegmentSize => self.set_segment_size(value as u32),
            SockOpt::RecvMaxCoalesced => self.set_recv_max_coalesced(value as u32),
            SockOpt::V6Only => self.set_v6_only(value != 0),
            SockOpt::RecvTos { v6, ecn } => self.set_recv_tos(v6, ecn, value != 0),
            SockOpt::RecvAddress { v6, what } => self.set_recv_address(v6, what, value != 0),
            SockOpt::UnicastInterfaceV4 => self.set_int_option(
                libc::IPPROTO_IP,
                libc::IP_UNICAST_IF,
                value,
                "setsockopt(IP_UNICAST_IF)",
            ),
            SockOpt::MulticastLoop => {
                self.set_multicast_loop(value != 0);
                Ok(())
            }
            SockOpt::MulticastInterfaceV4 => self
                .set_multicast_interface_v4(crate::translate::interface_from_option(value as u32)),
            SockOpt::ReuseAddr => self.set_reuse_addr(value != 0),
            SockOpt::ExclusiveAddrUse => self.set_exclusive_addr_use(value != 0),
            SockOpt::DontFragment => self.set_dont_fragment(value != 0),
            SockOpt::Membership { .. } | SockOpt::IpOptions => Err(Error::new(
                abi::WSAEFAULT,
                "this option takes bytes or a structure, not an int",
            )),
            SockOpt::Type | SockOpt::MaxMsgSize | SockOpt::AcceptConn | SockOpt::ConnectTime => {
                Err(Error::new(
                    abi::WSAEINVAL,
                    "this option can be read with getsockopt but not set",
                ))
            }
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
            SockOpt::Linux { level, name } => self.int_option(level, name, "getsockopt"),
            SockOpt::Buffer { send } => Ok(self.buffer_size(send)? as i32),
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
            SockOpt::RecvMaxCoalesced => Ok(self.recv_max_coalesced()? as i32),
            SockOpt::V6Only => Ok(self.v6_only()? as i32),
            SockOpt::RecvTos { ecn, .. } => Ok(self.recv_tos_wanted(ecn) as i32),
            SockOpt::MaxMsgSize => Ok(self.max_msg_size() as i32),
            SockOpt::Error => {
                // A stream's non-blocking connect may have failed meanwhile.
                self.refresh_connect();
                Ok(self.so_error.load(Ordering::Relaxed) as i32)
            }
            SockOpt::Linger => {
                let l = self.linger();
                Ok(l.l_onoff as i32 | (l.l_linger as i32) << 16)
            }
            SockOpt::DontLinger => Ok((self.linger().l_onoff == 0) as i32),
            SockOpt::Debug => Ok(self.has(DEBUG) as i32),
            SockOpt::OobInline => Ok(self.has(OOB_INLINE) as i32),
            SockOpt::AcceptConn => Ok(self.is_listening() as i32),
            SockOpt::ConnectTime => Ok(self.connect_time()),
            SockOpt::OpenType => Ok(open_type() as i32),
            SockOpt::RecvAddress { v6, what } => Ok(self.has(recv_address_bit(v6, what)) as i32),
            SockOpt::UnicastInterfaceV4 => {
                let v = self.int_option(libc::IPPROTO_IP, libc::IP_UNICAST_IF, "getsockopt")?;
                Ok(u32::from_be(v as u32) as i32)
            }
            SockOpt::MulticastLoop => Ok(self.multicast_loop() as i32),
            SockOpt::MulticastInterfaceV4 => Ok(self.multicast_interface_v4() as i32),
            SockOpt::ReuseAddr => Ok(self.reuse_addr() as i32),
            SockOpt::ExclusiveAddrUse => Ok(self.exclusive_addr_use() as i32),
            SockOpt::DontFragment => Ok(self.dont_fragment()? as i32),
            SockOpt::Membership { .. } => Err(Error::new(
                abi::WSAENOPROTOOPT,
                "membership options can be set but not read",
            )),
            SockOpt::IpOptions => Err(Error::new(
                abi::WSAEFAULT,
                "IP_OPTIONS is bytes, not an int",
            )),
        }
    }
}

/// The state bit of a destination report option.
fn recv_address_bit(v6: bool, what: RecvAddress) -> u64 {
    match (v6, what) {
        (false, RecvAddress::Pktinfo) => WANT_PKTINFO_V4,
        (false, RecvAddress::Interface) => WANT_IF_V4,
        (false, RecvAddress::Destination) => WANT_DSTADDR_V4,
        (true, RecvAddress::Pktinfo) => WANT_PKTINFO_V6,
        (true, RecvAddress::Interface) => WANT_IF_V6,
        (true, RecvAddress::Destination) => WANT_DSTADDR_V6,
    }
}
