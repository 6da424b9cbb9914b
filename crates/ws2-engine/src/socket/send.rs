//! A datagram to send, validated and translated (S9–S14, S22–S26) into the
//! plan the `io` layer sends now or queues; and the errors of a failed send.

use std::io::IoSlice;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::ops::SendPlan;
use crate::translate::{CmsgBuf, ControlMessage, SendControls, requested_source};

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
    pub fn len(&self) -> usize {
        self.buffers.iter().map(|b| b.len()).sum()
    }

    /// True for a zero-length datagram.
    /// ```
    /// # use ws2_engine as ws2;
    /// assert!(ws2::Message::new(&[]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SocketCore {
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
            } | self.send_df_flags(controls, state, to_v4),
            controls,
            to_v4,
        };
        let r = dispatch(self, &plan)?;
        if state & BOUND == 0 {
            self.state.fetch_or(BOUND, Ordering::Release);
        }
        Ok(r)
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
