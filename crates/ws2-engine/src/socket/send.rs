//! A datagram to send, validated and translated (S9–S14, S22–S26) into the
//! plan the `io` layer sends now or queues; and the errors of a failed send.

use std::io::IoSlice;
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::ops::{SendPlan, msghdr};
use crate::translate::{CmsgBuf, ControlMessage, Encoded, Family, LinuxAddr, SendControls};

use super::*;

/// One datagram to send: buffers gathered in order (S21), an optional
/// destination (S14) and control messages (S22–S26).
///
/// ```
/// # use ws2_engine as ws2;
/// use std::io::IoSlice;
/// use std::net::Ipv4Addr;
/// use ws2::{ControlMessage, Message};
/// let bufs = [IoSlice::new(b"hello, "), IoSlice::new(b"world")];
/// let control = [ControlMessage::SourceV4 { addr: Ipv4Addr::new(127, 0, 0, 2), ifindex: 0 }];
/// let msg = Message::new(&bufs).to("127.0.0.1:9".parse().unwrap()).control(&control);
/// assert_eq!(msg.len(), 12);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// The payload, gathered in order.
    pub buffers: &'a [IoSlice<'a>],
    /// The destination; `None` for the connected peer.
    pub to: Option<SocketAddr>,
    /// Control messages sent with the datagram.
    pub control: &'a [ControlMessage],
}

impl<'a> Message<'a> {
    /// A message of these buffers, to the connected peer, without control data.
    /// ```
    /// # use ws2_engine as ws2;
    /// let bufs = [std::io::IoSlice::new(b"abc")];
    /// let msg = ws2::Message::new(&bufs);
    /// assert!(msg.to.is_none() && msg.control.is_empty());
    /// ```
    pub fn new(buffers: &'a [IoSlice<'a>]) -> Message<'a> {
        Message {
            buffers,
            to: None,
            control: &[],
        }
    }

    /// Sets the destination.
    /// ```
    /// # use ws2_engine as ws2;
    /// let bufs = [std::io::IoSlice::new(b"abc")];
    /// let msg = ws2::Message::new(&bufs).to("127.0.0.1:9".parse()?);
    /// assert_eq!(msg.to, Some("127.0.0.1:9".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to(mut self, addr: SocketAddr) -> Message<'a> {
        self.to = Some(addr);
        self
    }

    /// Sets the control messages.
    /// ```
    /// # use ws2_engine as ws2;
    /// use ws2::{ControlMessage, Message};
    /// let control = [ControlMessage::Ttl(2)];
    /// let msg = Message::new(&[]).control(&control);
    /// assert_eq!(msg.control, &[ControlMessage::Ttl(2)]);
    /// ```
    pub fn control(mut self, control: &'a [ControlMessage]) -> Message<'a> {
        self.control = control;
        self
    }

    /// Total payload bytes.
    ///
    ///```
    /// # use ws2_engine as ws2;
    ///let bufs = [std::io::IoSlice::new(b"ab"), std::io::IoSlice::new(b"cde")];
    ///assert_eq!(ws2::Message::new(&bufs).len(), 5);
    ///```
    #[inline]
    pub fn len(&self) -> usize {
        match self.buffers {
            [one] => one.len(),
            many => many.iter().map(|b| b.len()).sum(),
        }
    }

    /// True for a zero-length datagram.
    /// ```
    /// # use ws2_engine as ws2;
    /// assert!(ws2::Message::new(&[]).is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The control messages of one send, as its caller has them (S22–S26):
/// typed messages (the safe API; none is an empty slice), validated while
/// they are encoded, or a Windows control buffer already parsed and
/// validated (the C ABI; `None` when it was empty).
pub trait SendControlsIn: Copy {
    /// Writes the messages for a destination of the family `to_v4` says
    /// into `cmsg`; what they ask for besides (`UDP_SEND_MSG_SIZE`,
    /// `IP_DONTFRAGMENT`).
    fn encode(
        self,
        cmsg: &mut CmsgBuf,
        family: Family,
        to_v4: bool,
        socket_tos: impl FnOnce() -> u8,
    ) -> Result<Encoded>;
}

impl SendControlsIn for &[ControlMessage] {
    #[inline(always)]
    fn encode(
        self,
        cmsg: &mut CmsgBuf,
        family: Family,
        to_v4: bool,
        socket_tos: impl FnOnce() -> u8,
    ) -> Result<Encoded> {
        cmsg.encode_messages(self, family, to_v4, socket_tos)
    }
}

impl SendControlsIn for Option<&SendControls> {
    #[inline(always)]
    fn encode(
        self,
        cmsg: &mut CmsgBuf,
        family: Family,
        to_v4: bool,
        socket_tos: impl FnOnce() -> u8,
    ) -> Result<Encoded> {
        Ok(match self {
            None => Encoded::default(),
            Some(c) => {
                cmsg.encode(c, family, to_v4, socket_tos());
                Encoded {
                    segment: c.segment_size,
                    dont_fragment: c.dont_fragment,
                }
            }
        })
    }
}

/// Failure of one `sendmsg` attempt: the send buffer is full, or an errno
/// to interpret.
pub(crate) enum SendFailure {
    WouldBlock,
    Errno(i32),
}

impl SocketCore {
    /// Validates one datagram (S9–S14, S22–S25), translates it into a Linux
    /// message built in place, and sends it at once when nothing is queued
    /// ahead and the kernel takes it (`sent`). Otherwise (buffer full, sends
    /// queued ahead, a segmented send) `later` gets the message as a
    /// [`SendPlan`]: the `io` layer waits, queues or segments. `iov` must
    /// describe `total` bytes valid for as long as `later` needs.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn send_datagram<R>(
        self: &Arc<Self>,
        iov: *const libc::iovec,
        iovlen: usize,
        total: usize,
        to: Option<&SocketAddr>,
        controls: impl SendControlsIn,
        flags: SendFlags,
        sent: impl FnOnce(usize) -> R,
        later: impl FnOnce(&Arc<SocketCore>, &SendPlan<'_>) -> Result<R>,
    ) -> Result<R> {
        let state = self.state.load(Ordering::Acquire);
        let to_v4 = match to {
            Some(SocketAddr::V4(_)) => true,
            Some(SocketAddr::V6(a)) => a.ip().to_ipv4_mapped().is_some(),
            None => state & PEER_V4 != 0,
        };
        let mut cmsg = CmsgBuf::default();
        let asked = controls.encode(&mut cmsg, self.family, to_v4, || self.socket_tos())?;
        // One test for every rare refusal keeps the hot path short.
        if state & (CLOSED | SHUT_SEND | STREAM) != 0
            || flags.bits() & (abi::MSG_OOB | abi::MSG_PARTIAL) != 0
            || (to.is_none() && state & CONNECTED == 0)
            || total > abi::UDP_MAX_MSG_SIZE_V4 as usize
        {
            self.check_send(state, to.is_some(), total, flags)?;
        }
        let mut dest_slot = MaybeUninit::<LinuxAddr>::uninit();
        let dest: Option<&LinuxAddr> = match to {
            Some(a) => Some(LinuxAddr::write_for_socket(
                &mut dest_slot,
                a,
                self.family,
                state & V6ONLY != 0,
            )?),
            None => None,
        };
        let route = if flags.bits() & abi::MSG_DONTROUTE != 0 {
            libc::MSG_DONTROUTE
        } else {
            0
        };
        // Most sends ask for no segment size or don't-fragment state of
        // their own, on a socket without UDP_SEND_MSG_SIZE: one test, and
        // the send below compiles without either.
        if asked.asks_nothing() && state & SEGMENTING == 0 {
            return self.send_or_plan(iov, iovlen, total, dest, &cmsg, 0, route, sent, later);
        }
        let segment = match asked.segment {
            Some(s) => s,
            None => self.segment_size.load(Ordering::Relaxed),
        };
        let linux_flags = route | self.send_df_flags(asked.dont_fragment, state, to_v4);
        self.send_or_plan(
            iov,
            iovlen,
            total,
            dest,
            &cmsg,
            segment,
            linux_flags,
            sent,
            later,
        )
    }

    /// The end of [`SocketCore::send_datagram`]: one `sendmsg` when nothing
    /// is queued ahead and the datagram is one segment (`segment` 0: the
    /// socket's and the send's own are unset), else the plan for `later`.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn send_or_plan<R>(
        self: &Arc<Self>,
        iov: *const libc::iovec,
        iovlen: usize,
        total: usize,
        dest: Option<&LinuxAddr>,
        cmsg: &CmsgBuf,
        segment: u32,
        linux_flags: i32,
        sent: impl FnOnce(usize) -> R,
        later: impl FnOnce(&Arc<SocketCore>, &SendPlan<'_>) -> Result<R>,
    ) -> Result<R> {
        if (segment == 0 || total <= segment as usize) && self.queued.load(Ordering::Acquire) == 0 {
            // The common case: the kernel takes it now.
            let msg = msghdr(dest, iov, iovlen, cmsg);
            match self.try_sendmsg(&msg, linux_flags) {
                Ok(n) => return Ok(sent(n)),
                Err(SendFailure::Errno(e)) => return Err(self.send_error(e, cmsg)),
                Err(SendFailure::WouldBlock) => {}
            }
        }
        let segment = match segment {
            s if s != 0 && total > s as usize => Some(self.check_segmentation(s)?),
            _ => None,
        };
        let plan = SendPlan {
            segment,
            iov,
            iovlen,
            dest,
            cmsg,
            flags: linux_flags,
        };
        later(self, &plan)
    }

    /// One `sendmsg` attempt; `ECONNREFUSED` (an ICMP error from an earlier
    /// datagram) drops this datagram in Linux, so it is sent again: Windows
    /// keeps sends succeeding (S19). Other threads' datagrams may draw new
    /// ICMP errors between retries; each retry consumes one, so a bounded
    /// number of them always ends. The first call is inline; every failure
    /// goes to `try_sendmsg_failed`.
    #[inline(always)]
    pub(crate) fn try_sendmsg(
        &self,
        msg: &libc::msghdr,
        flags: i32,
    ) -> std::result::Result<usize, SendFailure> {
        // (A send asking for another don't-fragment state than the
        // socket's runs with it switched: P4.)
        // SAFETY: msg describes buffers, name and control valid for this call.
        let n = self.with_send_flags(flags, |flags| unsafe {
            crate::sys::sendmsg(self.raw_fd(), msg, flags | libc::MSG_NOSIGNAL)
        });
        if n >= 0 {
            return Ok(n as usize);
        }
        self.try_sendmsg_failed(msg, flags)
    }

    /// [`SocketCore::try_sendmsg`] after `sendmsg` failed: `EINTR` and
    /// stale ICMP errors are retried, a local queue drop counts as sent (S42).
    #[cold]
    #[inline(never)]
    fn try_sendmsg_failed(
        &self,
        msg: &libc::msghdr,
        flags: i32,
    ) -> std::result::Result<usize, SendFailure> {
        let mut refusals = 0;
        loop {
            match errno() {
                libc::EINTR => {}
                libc::EAGAIN => return Err(SendFailure::WouldBlock),
                libc::ECONNREFUSED | libc::EHOSTUNREACH if refusals < 64 => {
                    // An earlier datagram's ICMP error: keep it for the next
                    // receive (S19) and send this one again.
                    refusals += 1;
                    if !self.collect_icmp_errors() {
                        self.note_icmp_reset();
                    }
                }
                libc::ENOBUFS if self.counts_local_drops_as_sent() => return Ok(message_len(msg)),
                e => {
                    return self
                        .windows_send_outcome(e, msg)
                        .map_err(SendFailure::Errno);
                }
            }
            // SAFETY: as in `try_sendmsg`.
            let n = self.with_send_flags(flags, |flags| unsafe {
                crate::sys::sendmsg(self.raw_fd(), msg, flags | libc::MSG_NOSIGNAL)
            });
            if n >= 0 {
                return Ok(n as usize);
            }
        }
    }

    /// S42: a datagram the local interface queue drops counts as sent. Linux
    /// reports such a drop as `ENOBUFS` only to a UDP socket with
    /// `IP_RECVERR`/`IPV6_RECVERR` (`udp_send_skb` swallows it otherwise),
    /// which ws2 sets for ICMP reporting (S19); a socket without it, like a
    /// Windows one, reports every datagram sent. `ENOBUFS` from an allocation
    /// that failed before the datagram was built cannot be told apart here; it
    /// is lost the same way and counts as sent too. Raw sockets keep the error
    /// (they have no `IP_RECVERR`, so theirs is never a queue drop).
    pub(crate) fn counts_local_drops_as_sent(&self) -> bool {
        self.kind == SocketKind::Datagram
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

    /// Whether the kernel refused UDP GSO on this socket (then ws2
    /// segments in user space, S26).
    pub(crate) fn gso_refused(&self) -> bool {
        self.has(GSO_REFUSED)
    }

    pub(crate) fn note_gso_refused(&self) {
        self.state.fetch_or(GSO_REFUSED, Ordering::Relaxed);
    }

    /// The refusals of S9–S14 and S11, in Windows' order (cold path).
    #[cold]
    #[inline(never)]
    fn check_send(
        &self,
        state: u64,
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
    /// `ENETUNREACH` (IPv4) or `EINVAL` (IPv6). The source is the one the
    /// sent control messages ask for. Only on the failure path.
    #[cold]
    pub(crate) fn send_error(&self, e: i32, cmsg: &CmsgBuf) -> Error {
        if matches!(e, libc::ENETUNREACH | libc::EINVAL | libc::EADDRNOTAVAIL)
            && let Some(source) = cmsg.requested_source()
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

    /// Whether `msg` is a UDP datagram to port 0, which Windows takes and
    /// drops (sock.c `test_UDP`) and Linux refuses (`EINVAL`).
    pub(crate) fn sends_to_port_zero(&self, msg: &libc::msghdr) -> bool {
        self.kind == SocketKind::Datagram && destination_of(msg).is_some_and(|(port, _)| port == 0)
    }

    /// Where Windows answers a failed `sendmsg` otherwise than Linux (only
    /// on the failure path): `Ok` with the datagram's length for a UDP send
    /// to port 0, which Windows accepts and drops (Linux: `EINVAL`; sock.c
    /// `test_UDP`, IPv4 and IPv6); `EACCES` for a send to the limited
    /// broadcast address without `SO_BROADCAST` that Linux finds no route
    /// for (`ENETUNREACH`): Windows' routing table always holds
    /// 255.255.255.255 on-link, so the `SO_BROADCAST` refusal (S12) is its
    /// answer there. Any other errno is returned as it is.
    pub(crate) fn windows_send_outcome(
        &self,
        e: i32,
        msg: &libc::msghdr,
    ) -> std::result::Result<usize, i32> {
        let Some((_, limited_broadcast)) = destination_of(msg) else {
            return Err(e);
        };
        match e {
            libc::EINVAL if self.sends_to_port_zero(msg) => Ok(message_len(msg)),
            libc::ENETUNREACH
                if limited_broadcast
                    && self
                        .int_option(
                            libc::SOL_SOCKET,
                            libc::SO_BROADCAST,
                            "getsockopt(SO_BROADCAST)",
                        )
                        .is_ok_and(|on| on == 0) =>
            {
                Err(libc::EACCES)
            }
            e => Err(e),
        }
    }
}

/// The destination port of a Linux message, and whether its address is
/// 255.255.255.255; `None` without a destination.
fn destination_of(msg: &libc::msghdr) -> Option<(u16, bool)> {
    if msg.msg_name.is_null() || (msg.msg_namelen as usize) < size_of::<libc::sockaddr_in>() {
        return None;
    }
    // SAFETY: msg_name holds msg_namelen bytes of a sockaddr (the caller's
    // message), at least a sockaddr_in; unaligned reads.
    let sin = unsafe { std::ptr::read_unaligned(msg.msg_name.cast::<libc::sockaddr_in>()) };
    match sin.sin_family as i32 {
        libc::AF_INET => Some((u16::from_be(sin.sin_port), sin.sin_addr.s_addr == u32::MAX)),
        // sin6_port is where sin_port is.
        libc::AF_INET6 => Some((u16::from_be(sin.sin_port), false)),
        _ => None,
    }
}

/// Bytes of the datagram a Linux message describes.
pub(crate) fn message_len(msg: &libc::msghdr) -> usize {
    if msg.msg_iovlen == 0 {
        return 0;
    }
    // SAFETY: msg_iov points to msg_iovlen iovecs valid for this call.
    let iov = unsafe { std::slice::from_raw_parts(msg.msg_iov, msg.msg_iovlen) };
    iov.iter().map(|v| v.iov_len).sum()
}
