//! The safe socket: [`Socket`], the datagrams it sends ([`Message`]) and
//! what its receives report ([`RecvInfo`]), over the engine's socket core.

use std::io::IoSlice;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;

use ws2_abi as abi;
use ws2_engine::translate::SockOpt;
use ws2_engine::{Error, Family, Message, Received, Result, SendFlags, SocketCore, SocketKind};

/// What [`Socket::recv_msg`] reports besides the data.
/// ```
/// let s = ws2::Socket::udp_v4()?;
/// s.set_recv_info(ws2::RecvInfo::DESTINATION | ws2::RecvInfo::TTL)?;
/// assert_ne!(ws2::RecvInfo::TOS, ws2::RecvInfo::TTL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecvInfo(u32);

impl RecvInfo {
    /// The datagram's destination address and interface (`IP_PKTINFO`).
    pub const DESTINATION: RecvInfo = RecvInfo(1);
    /// The TOS / traffic class byte, with its ECN bits.
    pub const TOS: RecvInfo = RecvInfo(2);
    /// The TTL / hop limit.
    pub const TTL: RecvInfo = RecvInfo(4);
    /// Coalesced receives (URO, `UDP_RECV_MAX_COALESCED_SIZE`, S44): one
    /// [`Socket::recv_msg`] may return several datagrams of one source,
    /// destination and control data, as many as fit the buffers (at most
    /// 64), all [`Received::segment_size`] bytes long but the last. Linux
    /// UDP GRO underneath; what does not fit waits for the next receive.
    pub const COALESCED: RecvInfo = RecvInfo(8);
}

/// The `UDP_RECV_MAX_COALESCED_SIZE` that [`RecvInfo::COALESCED`] sets:
/// every run Linux can deliver fits, so only the buffers limit a receive.
const MAX_COALESCED: u32 = 65535;

impl std::ops::BitOr for RecvInfo {
    type Output = RecvInfo;
    fn bitor(self, rhs: RecvInfo) -> RecvInfo {
        RecvInfo(self.0 | rhs.0)
    }
}

/// A Winsock socket for Rust: Windows semantics (errors, implicit bind,
/// blocking emulation, control messages) with Rust types.
///
/// ```
/// use std::io::IoSlice;
/// use std::net::{Ipv4Addr, UdpSocket};
/// use ws2::{ControlMessage, Message, SendFlags, Socket};
///
/// let rx = UdpSocket::bind("127.0.0.1:0")?;
/// let tx = Socket::udp_v4()?;
/// let bufs = [IoSlice::new(b"hello, "), IoSlice::new(b"world")];
/// let control = [ControlMessage::SourceV4 { addr: Ipv4Addr::new(127, 0, 0, 2), ifindex: 0 }];
/// let sent = tx.send_msg(&Message::new(&bufs).to(rx.local_addr()?).control(&control), SendFlags::NONE)?;
/// assert_eq!(sent, 12);
/// let mut buf = [0u8; 64];
/// let (n, from) = rx.recv_from(&mut buf)?;
/// assert_eq!(&buf[..n], b"hello, world");
/// assert_eq!(from.ip(), Ipv4Addr::new(127, 0, 0, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Socket {
    pub(crate) core: Arc<SocketCore>,
}

impl Socket {
    /// A socket from Windows-style parts (`AF_INET`/`AF_INET6`,
    /// `SOCK_DGRAM`/`SOCK_RAW`/`SOCK_STREAM`, protocol, overlapped-capable).
    ///
    /// ```
    /// use ws2::{Family, Socket, SocketKind};
    /// let s = Socket::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(s.kind(), SocketKind::Datagram);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn new(
        family: Family,
        kind: SocketKind,
        protocol: i32,
        overlapped: bool,
    ) -> Result<Socket> {
        Ok(Socket {
            core: Arc::new(SocketCore::new(family, kind, protocol, overlapped)?),
        })
    }

    /// An IPv4 UDP socket.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// assert_eq!(s.family(), ws2::Family::V4);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn udp_v4() -> Result<Socket> {
        Socket::new(Family::V4, SocketKind::Datagram, 0, true)
    }

    /// An IPv6-only UDP socket (`IPV6_V6ONLY` = 1, the Windows default).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v6()?;
    /// assert!(s.only_v6()?);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn udp_v6() -> Result<Socket> {
        Socket::new(Family::V6, SocketKind::Datagram, 0, true)
    }

    /// A dual-stack UDP socket: `AF_INET6` with `IPV6_V6ONLY` = 0 (S25).
    ///
    /// ```
    /// let s = ws2::Socket::udp_dual_stack()?;
    /// assert!(!s.only_v6()?);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn udp_dual_stack() -> Result<Socket> {
        let s = Socket::udp_v6()?;
        s.set_only_v6(false)?;
        Ok(s)
    }

    /// A raw socket (needs root / `CAP_NET_RAW`): `protocol` is the IP
    /// protocol (`IPPROTO_UDP`, `IPPROTO_ICMP`, or `IPPROTO_RAW` for a
    /// caller-built IP header).
    ///
    /// ```no_run
    /// let s = ws2::Socket::raw(ws2::Family::V4, ws2::IPPROTO_UDP)?;
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn raw(family: Family, protocol: i32) -> Result<Socket> {
        Socket::new(family, SocketKind::Raw, protocol, true)
    }

    /// The socket's family.
    ///
    /// ```
    /// assert_eq!(ws2::Socket::udp_dual_stack()?.family(), ws2::Family::V6);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn family(&self) -> Family {
        self.core.family()
    }

    /// The socket's kind.
    ///
    /// ```
    /// assert_eq!(ws2::Socket::udp_v4()?.kind(), ws2::SocketKind::Datagram);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> SocketKind {
        self.core.kind()
    }

    /// Binds to a local address.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.bind("127.0.0.1:0".parse().unwrap())?;
    /// assert_ne!(s.local_addr()?.port(), 0);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn bind(&self, addr: SocketAddr) -> Result<()> {
        self.core.bind(&addr)
    }

    /// Connects (for UDP: sets the default destination).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.connect("127.0.0.1:9".parse().unwrap())?;
    /// assert_eq!(s.peer_addr()?.port(), 9);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn connect(&self, addr: SocketAddr) -> Result<()> {
        self.core.connect(&addr)
    }

    /// The local address; `WSAEINVAL` before any bind, connect or send (S15).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// assert_eq!(s.local_addr().unwrap_err().code(), ws2::WSAEINVAL);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.core.local_addr()
    }

    /// The connected peer.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// assert_eq!(s.peer_addr().unwrap_err().code(), ws2::WSAENOTCONN);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        self.core.peer_addr()
    }

    /// Sends one datagram with Windows `WSASendMsg` semantics (S3–S25).
    /// Returns the bytes sent. Allocation-free on the success path.
    ///
    /// ```
    /// use std::io::IoSlice;
    /// use ws2::{Message, SendFlags, Socket};
    /// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let tx = Socket::udp_v4()?;
    /// let bufs = [IoSlice::new(b"ping")];
    /// assert_eq!(tx.send_msg(&Message::new(&bufs).to(rx.local_addr()?), SendFlags::NONE)?, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn send_msg(&self, msg: &Message<'_>, flags: SendFlags) -> Result<usize> {
        self.core.send_message(msg, flags)
    }

    /// Sends `buf` to `addr`.
    ///
    /// ```
    /// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let tx = ws2::Socket::udp_v4()?;
    /// assert_eq!(tx.send_to(b"x", rx.local_addr()?)?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_to(&self, buf: &[u8], addr: SocketAddr) -> Result<usize> {
        self.send_msg(
            &Message::new(&[IoSlice::new(buf)]).to(addr),
            SendFlags::NONE,
        )
    }

    /// Sends `buf` to the connected peer.
    ///
    /// ```
    /// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let tx = ws2::Socket::udp_v4()?;
    /// tx.connect(rx.local_addr()?)?;
    /// assert_eq!(tx.send(b"x")?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send(&self, buf: &[u8]) -> Result<usize> {
        self.send_msg(&Message::new(&[IoSlice::new(buf)]), SendFlags::NONE)
    }

    /// Receives one datagram and its source, with Windows semantics
    /// (`WSAEINVAL` when unbound, `WSAEMSGSIZE` when truncated,
    /// `SO_RCVTIMEO` → `WSAETIMEDOUT`).
    ///
    /// ```
    /// let rx = ws2::Socket::udp_v4()?;
    /// rx.bind("127.0.0.1:0".parse().unwrap())?;
    /// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"hi", rx.local_addr()?)?;
    /// let mut buf = [0u8; 16];
    /// let (n, _from) = rx.recv_from(&mut buf)?;
    /// assert_eq!(&buf[..n], b"hi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, SocketAddr)> {
        let (n, from) = self.core.recv_from(buf, false)?;
        let from = from
            .ok_or_else(|| Error::new(abi::WSAEAFNOSUPPORT, "source address is not IPv4/IPv6"))?;
        Ok((n, from))
    }

    /// Receives one datagram into `bufs` with what its control data says
    /// (`WSARecvMsg`, S27): turn the parts on with [`Socket::set_recv_info`].
    ///
    /// ```
    /// use std::io::IoSliceMut;
    /// use std::net::Ipv4Addr;
    /// let rx = ws2::Socket::udp_v4()?;
    /// rx.bind("127.0.0.1:0".parse().unwrap())?;
    /// rx.set_recv_info(ws2::RecvInfo::DESTINATION)?;
    /// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"hi", rx.local_addr()?)?;
    /// let mut buf = [0u8; 16];
    /// let got = rx.recv_msg(&mut [IoSliceMut::new(&mut buf)])?;
    /// assert_eq!(got.bytes, 2);
    /// assert_eq!(got.controls.destination_v4.unwrap().0, Ipv4Addr::LOCALHOST);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A datagram longer than the buffers fills them and says so:
    /// ```
    /// let rx = ws2::Socket::udp_v4()?;
    /// rx.bind("127.0.0.1:0".parse()?)?;
    /// let tx = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// tx.send_to(b"hello", rx.local_addr()?)?;
    /// let mut buf = [0u8; 2];
    /// let got: ws2::Received = rx.recv_msg(&mut [std::io::IoSliceMut::new(&mut buf)])?;
    /// assert!(got.truncated);
    /// assert_eq!((got.bytes, got.from), (2, Some(tx.local_addr()?)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recv_msg(&self, bufs: &mut [std::io::IoSliceMut<'_>]) -> Result<Received> {
        // IoSliceMut is ABI-compatible with iovec on Unix.
        self.core
            .recv_with_controls(bufs.as_mut_ptr().cast(), bufs.len())
    }

    /// Chooses what [`Socket::recv_msg`] reports: the `IP_PKTINFO`/
    /// `IPV6_PKTINFO`, `IP_RECVTOS`/`IPV6_RECVTCLASS`, `IP_RECVTTL`/
    /// `IPV6_HOPLIMIT` socket options of the socket's family, and whether
    /// receives coalesce ([`RecvInfo::COALESCED`]).
    ///
    /// ```
    /// let s = ws2::Socket::udp_dual_stack()?;
    /// s.set_recv_info(ws2::RecvInfo::DESTINATION | ws2::RecvInfo::TOS | ws2::RecvInfo::TTL)?;
    /// # Ok::<(), ws2::Error>(())
    /// ```
    ///
    /// Coalesced: ten 1200-byte datagrams sent as one UDP GSO message come
    /// back in one receive when the buffer holds them.
    /// ```
    /// use std::io::{IoSlice, IoSliceMut};
    /// use ws2::{ControlMessage, Message, RecvInfo, SendFlags, Socket};
    /// let rx = Socket::udp_v4()?;
    /// rx.bind("127.0.0.1:0".parse().unwrap())?;
    /// rx.set_recv_info(RecvInfo::DESTINATION | RecvInfo::COALESCED)?;
    /// let tx = Socket::udp_v4()?;
    /// let data = vec![7u8; 12_000];
    /// let bufs = [IoSlice::new(&data)];
    /// let segments = [ControlMessage::SegmentSize(1200)];
    /// tx.send_msg(&Message::new(&bufs).to(rx.local_addr()?).control(&segments), SendFlags::NONE)?;
    /// let mut buf = vec![0u8; 65536];
    /// let got = rx.recv_msg(&mut [IoSliceMut::new(&mut buf)])?;
    /// assert_eq!((got.bytes, got.segment_size), (12_000, Some(1200)));
    /// // A smaller buffer takes whole datagrams; the rest waits, in order.
    /// tx.send_msg(&Message::new(&bufs).to(rx.local_addr()?).control(&segments), SendFlags::NONE)?;
    /// let got = rx.recv_msg(&mut [IoSliceMut::new(&mut buf[..5000])])?;
    /// assert_eq!((got.bytes, got.segment_size), (4800, Some(1200)));
    /// let got = rx.recv_msg(&mut [IoSliceMut::new(&mut buf)])?;
    /// assert_eq!(got.bytes, 7200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_recv_info(&self, info: RecvInfo) -> Result<()> {
        let on = |bit: RecvInfo| info.0 & bit.0 != 0;
        self.core.set_recv_info(
            on(RecvInfo::DESTINATION),
            on(RecvInfo::TOS),
            on(RecvInfo::TTL),
        )?;
        if on(RecvInfo::COALESCED) || self.core.recv_max_coalesced().is_ok_and(|m| m != 0) {
            let max = if on(RecvInfo::COALESCED) {
                MAX_COALESCED
            } else {
                0
            };
            self.core.set_recv_max_coalesced(max)?;
        }
        Ok(())
    }

    /// `shutdown`: `Write` is `SD_SEND`, `Read` is `SD_RECEIVE`, `Both` is
    /// `SD_BOTH`. On a datagram socket that is not connected it succeeds,
    /// as on Windows (S13).
    ///
    /// ```
    /// use std::net::Shutdown;
    /// let s = ws2::Socket::udp_v4()?;
    /// s.shutdown(Shutdown::Write)?;
    /// assert_eq!(s.send_to(b"x", "127.0.0.1:9".parse().unwrap()).unwrap_err().code(), ws2::WSAESHUTDOWN);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        self.core.shutdown(match how {
            Shutdown::Read => abi::SD_RECEIVE,
            Shutdown::Write => abi::SD_SEND,
            Shutdown::Both => abi::SD_BOTH,
        })
    }

    /// `FIONBIO`: a call that would block fails with `WSAEWOULDBLOCK` (S17).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.bind("127.0.0.1:0".parse().unwrap())?;
    /// s.set_nonblocking(true);
    /// let mut buf = [0u8; 4];
    /// assert_eq!(s.recv_from(&mut buf).unwrap_err().code(), ws2::WSAEWOULDBLOCK);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_nonblocking(&self, on: bool) {
        self.core.set_nonblocking(on)
    }

    /// `SO_SNDTIMEO` for blocking calls (S16); `None` waits forever.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_send_timeout(Some(std::time::Duration::from_millis(200)));
    /// assert_eq!(s.send_timeout(), Some(std::time::Duration::from_millis(200)));
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_send_timeout(&self, timeout: Option<Duration>) {
        self.core.set_send_timeout_ms(duration_ms(timeout))
    }

    /// The `SO_SNDTIMEO` in force.
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// assert_eq!(s.send_timeout(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_timeout(&self) -> Option<Duration> {
        ms_duration(self.core.send_timeout_ms())
    }

    /// `SO_RCVTIMEO` for blocking receives; `None` waits forever.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.bind("127.0.0.1:0".parse().unwrap())?;
    /// s.set_recv_timeout(Some(std::time::Duration::from_millis(20)));
    /// let mut buf = [0u8; 4];
    /// assert_eq!(s.recv_from(&mut buf).unwrap_err().code(), ws2::WSAETIMEDOUT);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_recv_timeout(&self, timeout: Option<Duration>) {
        self.core.set_recv_timeout_ms(duration_ms(timeout))
    }

    /// `SO_BROADCAST`: without it a send to a broadcast address is `WSAEACCES` (S12).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_broadcast(true)?;
    /// assert!(s.broadcast()?);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_broadcast(&self, on: bool) -> Result<()> {
        self.core.set_int_option(
            libc::SOL_SOCKET,
            libc::SO_BROADCAST,
            on as i32,
            "setsockopt(SO_BROADCAST)",
        )
    }

    /// Whether `SO_BROADCAST` is on.
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// assert!(!s.broadcast()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn broadcast(&self) -> Result<bool> {
        Ok(self.core.int_option(
            libc::SOL_SOCKET,
            libc::SO_BROADCAST,
            "getsockopt(SO_BROADCAST)",
        )? != 0)
    }

    /// `SO_SNDBUF`.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_send_buffer_size(65536)?;
    /// assert_eq!(s.send_buffer_size()?, 65536);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_send_buffer_size(&self, bytes: usize) -> Result<()> {
        self.core
            .set_buffer_size(true, u32::try_from(bytes).unwrap_or(u32::MAX))
    }

    /// `SO_SNDBUF`: as last set (as Windows reads it back), else the
    /// kernel's size.
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// assert!(s.send_buffer_size()? > 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_buffer_size(&self) -> Result<usize> {
        Ok(self.core.buffer_size(true)? as usize)
    }

    /// `IPV6_V6ONLY` (IPv6 sockets only).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v6()?;
    /// s.set_only_v6(false)?;
    /// assert!(!s.only_v6()?);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_only_v6(&self, on: bool) -> Result<()> {
        self.core.set_v6_only(on)
    }

    /// Whether `IPV6_V6ONLY` is on.
    /// ```
    /// let s = ws2::Socket::udp_dual_stack()?;
    /// assert!(!s.only_v6()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn only_v6(&self) -> Result<bool> {
        self.core.v6_only()
    }

    /// `IP_TOS` for every datagram (IPv4 and v4-mapped).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_tos(0xb8)?;
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_tos(&self, tos: u8) -> Result<()> {
        self.core.set_int_option(
            libc::IPPROTO_IP,
            libc::IP_TOS,
            tos as i32,
            "setsockopt(IP_TOS)",
        )?;
        self.core.set_socket_tos(tos);
        Ok(())
    }

    /// `IP_TTL` for every datagram.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_ttl(7)?;
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_ttl(&self, ttl: u8) -> Result<()> {
        self.core.set_int_option(
            libc::IPPROTO_IP,
            libc::IP_TTL,
            ttl as i32,
            "setsockopt(IP_TTL)",
        )
    }

    /// `UDP_SEND_MSG_SIZE` as a socket option: every send longer than
    /// `bytes` goes out as datagrams of that size (0: off; S26). The
    /// `ControlMessage::SegmentSize` of one send overrides it.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_segment_size(1200)?;
    /// assert_eq!(s.set_segment_size(70_000).unwrap_err().code(), ws2::WSAEINVAL);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_segment_size(&self, bytes: u32) -> Result<()> {
        self.core.set_segment_size(bytes)
    }

    /// `IP_HDRINCL` (raw IPv4 sockets): the caller's buffer starts with the
    /// IPv4 header, which decides the source address (S23).
    ///
    /// ```no_run
    /// let s = ws2::Socket::raw(ws2::Family::V4, ws2::IPPROTO_UDP)?;
    /// s.set_header_included(true)?;
    /// assert_eq!(s.max_msg_size(), 65535);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_header_included(&self, on: bool) -> Result<()> {
        self.core.set_option(SockOpt::HeaderIncluded, on as i32)
    }

    /// `SIO_UDP_CONNRESET`: whether a receive reports an ICMP port
    /// unreachable answer to an earlier datagram as `WSAECONNRESET` (on by
    /// default, S19).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_udp_connreset(false);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_udp_connreset(&self, on: bool) {
        self.core.set_icmp_reporting(Some(on), None)
    }

    /// `SIO_UDP_NETRESET`: whether a receive reports an ICMP time exceeded
    /// answer to an earlier datagram as `WSAENETRESET` (on by default, S19).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_udp_netreset(false);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_udp_netreset(&self, on: bool) {
        self.core.set_icmp_reporting(None, Some(on))
    }

    /// `SIO_FLUSH`: completes every pending overlapped send with
    /// `WSA_OPERATION_ABORTED` (S37); the socket stays open.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.cancel_pending(); // nothing pending: a no-op
    /// assert!(s.send_to(b"x", "127.0.0.1:9".parse().unwrap()).is_ok());
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn cancel_pending(&self) {
        self.core.flush()
    }

    /// `closesocket`, for this socket and every clone of it: pending
    /// overlapped sends complete with `WSA_OPERATION_ABORTED`, a call blocked
    /// on the socket in another thread fails with `WSAEINTR`, and later
    /// calls fail with `WSAENOTSOCK` (S37). The descriptor itself closes
    /// when the last clone is dropped. Dropping the last clone without
    /// `close` lets pending sends finish.
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.close();
    /// let err = s.send_to(b"x", "127.0.0.1:9".parse().unwrap()).unwrap_err();
    /// assert_eq!(err.code(), ws2::WSAENOTSOCK);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn close(&self) {
        self.core.close()
    }

    /// `SO_MAX_MSG_SIZE`: the largest datagram this socket sends (S11).
    ///
    /// ```
    /// assert_eq!(ws2::Socket::udp_v4()?.max_msg_size(), 65507);
    /// assert_eq!(ws2::Socket::udp_v6()?.max_msg_size(), 65527);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn max_msg_size(&self) -> u32 {
        self.core.max_msg_size()
    }
}

fn duration_ms(d: Option<Duration>) -> u32 {
    match d {
        None => 0,
        Some(d) => d.as_millis().clamp(1, u32::MAX as u128) as u32,
    }
}

fn ms_duration(ms: u32) -> Option<Duration> {
    (ms != 0).then(|| Duration::from_millis(ms as u64))
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.core.as_fd()
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.core.raw_fd()
    }
}

impl TryFrom<std::net::UdpSocket> for Socket {
    type Error = Error;

    /// Adopts a std UDP socket (it becomes non-blocking in the kernel;
    /// Windows blocking semantics are emulated).
    ///
    /// ```
    /// let std_sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let s = ws2::Socket::try_from(std_sock)?;
    /// assert_ne!(s.local_addr()?.port(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(sock: std::net::UdpSocket) -> Result<Socket> {
        // SAFETY: into_raw_fd hands us ownership of an open socket fd.
        let fd = unsafe { OwnedFd::from_raw_fd(sock.into_raw_fd()) };
        Ok(Socket {
            core: Arc::new(SocketCore::from_fd(fd)?),
        })
    }
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.core.fmt(f)
    }
}
