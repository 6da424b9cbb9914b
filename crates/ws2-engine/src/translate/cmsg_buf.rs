//! Linux `cmsghdr`s for one send ([`CmsgBuf`]): encoded from validated
//! [`SendControls`] or, in one pass, straight from Windows' `WSACMSGHDR`
//! entries (the hot path: each entry parsed, checked and written once).

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Result;

use super::*;

/// Linux control messages for one send, in an 8-aligned fixed buffer.
/// Only the bytes written are ever initialised (no per-send memset).
///
/// ```
/// use ws2_engine::{translate::{CmsgBuf, SendControls}, ControlMessage, Family};
/// let controls = SendControls::from_messages(&[ControlMessage::Ttl(9)], Family::V4)?;
/// let mut buf = CmsgBuf::default();
/// buf.encode(&controls, Family::V4, true, 0);
/// assert_eq!(buf.len(), 24, "one 16-byte cmsghdr plus an int padded to 8");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[repr(C, align(8))]
pub struct CmsgBuf {
    bytes: std::mem::MaybeUninit<[u8; CMSG_BUF_SIZE]>,
    len: usize,
}

const CMSG_BUF_SIZE: usize = 192;
pub(super) const LINUX_CMSG_HDR: usize = size_of::<libc::cmsghdr>();

impl Default for CmsgBuf {
    #[inline(always)]
    fn default() -> Self {
        let mut buf = std::mem::MaybeUninit::<CmsgBuf>::uninit();
        // SAFETY: `len` is the only field that needs initialising; `bytes`
        // is MaybeUninit. (A struct literal here compiles to a memset of
        // the whole buffer on every send.)
        unsafe {
            (&raw mut (*buf.as_mut_ptr()).len).write(0);
            buf.assume_init()
        }
    }
}

impl CmsgBuf {
    /// No control messages (a `static` may hold it).
    ///
    /// ```
    /// assert!(ws2_engine::translate::CmsgBuf::EMPTY.is_empty());
    /// ```
    pub const EMPTY: CmsgBuf = CmsgBuf {
        bytes: std::mem::MaybeUninit::uninit(),
        len: 0,
    };

    #[inline(always)]
    fn push<T: Copy>(&mut self, level: i32, kind: i32, value: T) {
        let space = linux_cmsg_space(size_of::<T>());
        // Every kind appears at most once, so the buffer is always big enough.
        assert!(self.len + space <= CMSG_BUF_SIZE, "cmsg buffer overflow");
        let hdr = libc::cmsghdr {
            cmsg_len: LINUX_CMSG_HDR + size_of::<T>(),
            cmsg_level: level,
            cmsg_type: kind,
        };
        // SAFETY: `len + space` fits the buffer (asserted); `len` stays a
        // multiple of 8 so the header is aligned; the payload is written
        // unaligned-safe and the padding zeroed.
        unsafe {
            let base = self.bytes.as_mut_ptr().cast::<u8>().add(self.len);
            std::ptr::write(base.cast::<libc::cmsghdr>(), hdr);
            std::ptr::write_unaligned(base.add(LINUX_CMSG_HDR).cast::<T>(), value);
            let used = LINUX_CMSG_HDR + size_of::<T>();
            std::ptr::write_bytes(base.add(used), 0, space - used);
        }
        self.len += space;
    }

    /// Pointer for `msg_control` (null when empty).
    ///
    /// ```
    /// let mut buf = ws2_engine::translate::CmsgBuf::default();
    /// assert!(buf.as_ptr().is_null());
    /// buf.push_segment_size(1200);
    /// assert!(!buf.as_ptr().is_null());
    /// ```
    #[inline]
    pub fn as_ptr(&self) -> *const u8 {
        if self.len == 0 {
            std::ptr::null()
        } else {
            self.bytes.as_ptr().cast()
        }
    }

    /// Bytes of control messages written (`msg_controllen`).
    ///
    /// ```
    /// let mut buf = ws2_engine::translate::CmsgBuf::default();
    /// buf.push_segment_size(1200);
    /// assert_eq!(buf.len(), 24);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no control message was written.
    ///
    /// ```
    /// assert!(ws2_engine::translate::CmsgBuf::default().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole buffer, for the kernel to fill on receive.
    ///
    /// ```
    /// let mut buf = ws2_engine::translate::CmsgBuf::default();
    /// let p = buf.as_mut_ptr();
    /// assert_eq!(p as usize % 8, 0, "cmsghdr-aligned");
    /// ```
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.bytes.as_mut_ptr().cast()
    }

    /// The buffer's size in bytes (`msg_controllen` for a receive).
    ///
    /// ```
    /// let buf = ws2_engine::translate::CmsgBuf::default();
    /// assert!(buf.capacity() >= 128);
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        CMSG_BUF_SIZE
    }

    /// Adds `UDP_SEGMENT` (Linux UDP GSO) for `UDP_SEND_MSG_SIZE`.
    ///
    /// ```
    /// let mut buf = ws2_engine::translate::CmsgBuf::default();
    /// buf.push_segment_size(1400);
    /// assert!(!buf.is_empty());
    /// ```
    pub fn push_segment_size(&mut self, segment: u16) {
        self.push(libc::SOL_UDP, libc::UDP_SEGMENT, segment);
    }

    /// Copies another buffer's messages (queuing a send).
    ///
    /// ```
    /// use ws2_engine::translate::CmsgBuf;
    /// let mut a = CmsgBuf::default();
    /// a.push_segment_size(1200);
    /// let mut b = CmsgBuf::default();
    /// b.copy_from(&a);
    /// assert_eq!(b.len(), a.len());
    /// ```
    pub fn copy_from(&mut self, other: &CmsgBuf) {
        // SAFETY: other's first `len` bytes are initialised; both buffers hold CMSG_BUF_SIZE bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(
                other.bytes.as_ptr().cast::<u8>(),
                self.bytes.as_mut_ptr().cast::<u8>(),
                other.len,
            )
        };
        self.len = other.len;
    }

    /// Encodes `controls` for a socket of `family` sending to an IPv4 or
    /// v4-mapped destination (`to_v4`) or a native IPv6 one. `socket_tos` is the
    /// socket's TOS/traffic class, whose DSCP stays when only ECN is given.
    /// Dual-stack rule (S25): to IPv4 destinations the IPv4 messages apply; to
    /// IPv6 destinations the IPv6 ones.
    ///
    /// ```
    /// use ws2_engine::{translate::{CmsgBuf, SendControls}, ControlMessage, Family};
    /// let msgs = [ControlMessage::Ttl(9), ControlMessage::HopLimit(9)];
    /// let controls = SendControls::from_messages(&msgs, Family::V6)?;
    /// let mut buf = CmsgBuf::default();
    /// buf.encode(&controls, Family::V6, true, 0);
    /// assert_eq!(buf.len(), 24, "to an IPv4 destination only IP_TTL applies");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn encode(&mut self, controls: &SendControls, family: Family, to_v4: bool, socket_tos: u8) {
        if family == Family::V4 || to_v4 {
            self.write(
                true,
                controls.source_v4.map(Source::V4),
                merge_ecn(controls.tos, controls.ecn, socket_tos),
                controls.ttl,
            );
        } else {
            self.write(
                false,
                controls.source_v6.map(Source::V6),
                merge_ecn(controls.traffic_class, controls.ecn_v6, socket_tos),
                controls.hop_limit,
            );
            // IPv4 has no such cmsg: the send switches the socket's
            // IP_MTU_DISCOVER around it instead (`SocketCore::send_df_flags`).
            if let Some(on) = controls.dont_fragment_v6 {
                self.push(libc::SOL_IPV6, libc::IPV6_DONTFRAG, on as libc::c_int);
            }
        }
    }

    /// Writes the messages of one send, in a fixed order: the source
    /// (`IP_PKTINFO` or `IPV6_PKTINFO`), the TOS byte (`IP_TOS` or
    /// `IPV6_TCLASS`), the TTL (`IP_TTL` or `IPV6_HOPLIMIT`): IPv4's when
    /// `v4`, else IPv6's.
    #[inline(always)]
    fn write(&mut self, v4: bool, source: Option<Source>, tos: Option<u8>, ttl: Option<u8>) {
        self.len = 0;
        if let Some(source) = source {
            self.write_source(source);
        }
        if let Some(tos) = tos {
            let (level, kind) = if v4 {
                (libc::SOL_IP, libc::IP_TOS)
            } else {
                (libc::SOL_IPV6, libc::IPV6_TCLASS)
            };
            self.push(level, kind, tos as libc::c_int);
        }
        if let Some(ttl) = ttl {
            let (level, kind) = if v4 {
                (libc::SOL_IP, libc::IP_TTL)
            } else {
                (libc::SOL_IPV6, libc::IPV6_HOPLIMIT)
            };
            self.push(level, kind, ttl as libc::c_int);
        }
    }

    /// Writes `IP_PKTINFO` or `IPV6_PKTINFO` for a requested source.
    #[inline(always)]
    fn write_source(&mut self, source: Source) {
        match source {
            Source::V4((addr, ifindex)) => self.push(
                libc::SOL_IP,
                libc::IP_PKTINFO,
                libc::in_pktinfo {
                    ipi_ifindex: ifindex as i32,
                    // Windows' ipi_addr is the source: Linux reads ipi_spec_dst.
                    ipi_spec_dst: libc::in_addr {
                        s_addr: u32::from_ne_bytes(addr.octets()),
                    },
                    ipi_addr: libc::in_addr { s_addr: 0 },
                },
            ),
            Source::V6((addr, ifindex)) => self.push(
                libc::SOL_IPV6,
                libc::IPV6_PKTINFO,
                libc::in6_pktinfo {
                    ipi6_addr: libc::in6_addr {
                        s6_addr: addr.octets(),
                    },
                    ipi6_ifindex: ifindex,
                },
            ),
        }
    }

    /// Validates typed control messages (S22, S26, as
    /// [`SendControls::from_messages`]) and encodes them as [`encode`]
    /// does; returns the `UDP_SEND_MSG_SIZE` they ask for.
    ///
    /// [`encode`]: CmsgBuf::encode
    ///
    /// ```
    /// use ws2_engine::{translate::CmsgBuf, ControlMessage, Family};
    /// let mut buf = CmsgBuf::default();
    /// let msgs = [ControlMessage::Ttl(9), ControlMessage::SegmentSize(1200)];
    /// assert_eq!(buf.encode_messages(&msgs, Family::V4, true, || 0)?.segment, Some(1200));
    /// assert_eq!(buf.len(), 24);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    pub fn encode_messages(
        &mut self,
        msgs: &[ControlMessage],
        family: Family,
        to_v4: bool,
        socket_tos: impl FnOnce() -> u8,
    ) -> Result<Encoded> {
        // One pass, checking each message as `SendControls::add` does and
        // writing those that apply to this destination's family (S25) in
        // the order given. ECN is merged into the TOS byte at the end (S26).
        self.len = 0;
        let v4 = family == Family::V4 || to_v4;
        let pass = match msgs {
            [] => return Ok(Encoded::default()),
            // The common case (one source address), without a loop.
            [one] => {
                let mut pass = EncodePass::default();
                self.encode_message(one, family, v4, &mut pass)?;
                pass
            }
            _ => self.encode_each(msgs, family, v4)?,
        };
        if let Some(ecn) = pass.ecn {
            self.merge_ecn_into_tos(v4, pass.tos_at, ecn, socket_tos());
        }
        Ok(Encoded {
            segment: pass.segment,
            dont_fragment: pass.dont_fragment,
        })
    }

    #[inline(never)]
    fn encode_each(
        &mut self,
        msgs: &[ControlMessage],
        family: Family,
        v4: bool,
    ) -> Result<EncodePass> {
        let mut pass = EncodePass::default();
        for msg in msgs {
            self.encode_message(msg, family, v4, &mut pass)?;
        }
        Ok(pass)
    }

    /// One typed message of [`CmsgBuf::encode_messages`].
    #[inline(always)]
    fn encode_message(
        &mut self,
        msg: &ControlMessage,
        family: Family,
        v4: bool,
        pass: &mut EncodePass,
    ) -> Result<()> {
        // Each arm knows its kind, so the checks fold to its own.
        match *msg {
            ControlMessage::SourceV4 { addr, ifindex } => {
                msg.check_once(family, &mut pass.seen)?;
                if v4 {
                    self.write_source(Source::V4((addr, ifindex)));
                }
            }
            ControlMessage::SourceV6 { addr, ifindex } => {
                msg.check_once(family, &mut pass.seen)?;
                if !v4 {
                    self.write_source(Source::V6((addr, ifindex)));
                }
            }
            ControlMessage::Tos(v) => {
                msg.check_once(family, &mut pass.seen)?;
                if v4 {
                    pass.tos_at = Some(self.len);
                    self.push(libc::SOL_IP, libc::IP_TOS, v as libc::c_int);
                }
            }
            ControlMessage::TrafficClass(v) => {
                msg.check_once(family, &mut pass.seen)?;
                if !v4 {
                    pass.tos_at = Some(self.len);
                    self.push(libc::SOL_IPV6, libc::IPV6_TCLASS, v as libc::c_int);
                }
            }
            ControlMessage::Ecn(v) => {
                msg.check_once(family, &mut pass.seen)?;
                if v4 {
                    pass.ecn = Some(v);
                }
            }
            ControlMessage::EcnV6(v) => {
                msg.check_once(family, &mut pass.seen)?;
                if !v4 {
                    pass.ecn = Some(v);
                }
            }
            ControlMessage::Ttl(v) => {
                msg.check_once(family, &mut pass.seen)?;
                if v4 {
                    self.push(libc::SOL_IP, libc::IP_TTL, v as libc::c_int);
                }
            }
            ControlMessage::HopLimit(v) => {
                msg.check_once(family, &mut pass.seen)?;
                if !v4 {
                    self.push(libc::SOL_IPV6, libc::IPV6_HOPLIMIT, v as libc::c_int);
                }
            }
            ControlMessage::SegmentSize(v) => {
                msg.check_once(family, &mut pass.seen)?;
                pass.segment = Some(v);
            }
            ControlMessage::DontFragment(on) => {
                // IPv4 has no such cmsg: the send switches the socket's
                // IP_MTU_DISCOVER around it (`SocketCore::send_df_flags`).
                msg.check_once(family, &mut pass.seen)?;
                pass.dont_fragment = Some(on);
            }
            ControlMessage::DontFragmentV6(on) => {
                msg.check_once(family, &mut pass.seen)?;
                if !v4 {
                    self.push(libc::SOL_IPV6, libc::IPV6_DONTFRAG, on as libc::c_int);
                }
            }
        }
        Ok(())
    }

    /// Puts the ECN bits into the TOS byte written at `tos_at`, or writes
    /// one from the socket's DSCP (S26, as [`merge_ecn`]).
    #[cold]
    fn merge_ecn_into_tos(&mut self, v4: bool, tos_at: Option<usize>, ecn: u8, socket_tos: u8) {
        match tos_at {
            Some(at) => {
                // SAFETY: an int TOS cmsg was written at `at`, its payload
                // right after the 8-aligned header.
                unsafe {
                    let value = self
                        .bytes
                        .as_mut_ptr()
                        .cast::<u8>()
                        .add(at + LINUX_CMSG_HDR)
                        .cast::<libc::c_int>();
                    let tos = value.read_unaligned() as u8;
                    value.write_unaligned(
                        merge_ecn(Some(tos), Some(ecn), socket_tos).unwrap_or(0) as libc::c_int
                    );
                }
            }
            None => {
                let tos = merge_ecn(None, Some(ecn), socket_tos).unwrap_or(0) as libc::c_int;
                if v4 {
                    self.push(libc::SOL_IP, libc::IP_TOS, tos);
                } else {
                    self.push(libc::SOL_IPV6, libc::IPV6_TCLASS, tos);
                }
            }
        }
    }

    /// The source address the encoded `IP_PKTINFO`/`IPV6_PKTINFO` asks for
    /// (`None` when none, or the unspecified address, was given): what a
    /// failed send checks (S23).
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// use ws2_engine::{translate::CmsgBuf, ControlMessage, Family};
    /// let mut buf = CmsgBuf::default();
    /// let msg = ControlMessage::SourceV4 { addr: Ipv4Addr::LOCALHOST, ifindex: 0 };
    /// buf.encode_messages(&[msg], Family::V4, true, || 0)?;
    /// assert_eq!(buf.requested_source(), Some(Ipv4Addr::LOCALHOST.into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn requested_source(&self) -> Option<std::net::IpAddr> {
        let mut at = 0;
        while at + LINUX_CMSG_HDR <= self.len {
            // SAFETY: the first `len` bytes are whole cmsgs written by
            // `push`, each at an 8-aligned offset.
            let hdr = unsafe {
                std::ptr::read(
                    self.bytes
                        .as_ptr()
                        .cast::<u8>()
                        .add(at)
                        .cast::<libc::cmsghdr>(),
                )
            };
            // SAFETY: as above; the payload follows the header.
            let data = unsafe { self.bytes.as_ptr().cast::<u8>().add(at + LINUX_CMSG_HDR) };
            let source: Option<std::net::IpAddr> = match (hdr.cmsg_level, hdr.cmsg_type) {
                (libc::SOL_IP, libc::IP_PKTINFO) => {
                    // SAFETY: an IP_PKTINFO entry holds an in_pktinfo.
                    let p = unsafe { std::ptr::read_unaligned(data.cast::<libc::in_pktinfo>()) };
                    Some(Ipv4Addr::from(p.ipi_spec_dst.s_addr.to_ne_bytes()).into())
                }
                (libc::SOL_IPV6, libc::IPV6_PKTINFO) => {
                    // SAFETY: an IPV6_PKTINFO entry holds an in6_pktinfo.
                    let p = unsafe { std::ptr::read_unaligned(data.cast::<libc::in6_pktinfo>()) };
                    Some(Ipv6Addr::from(p.ipi6_addr.s6_addr).into())
                }
                _ => None,
            };
            if let Some(source) = source {
                return (!source.is_unspecified()).then_some(source);
            }
            at += linux_cmsg_space(hdr.cmsg_len - LINUX_CMSG_HDR);
        }
        None
    }
}

/// What a send's control messages ask for besides the cmsgs encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Encoded {
    /// `UDP_SEND_MSG_SIZE`.
    pub segment: Option<u32>,
    /// `IP_DONTFRAGMENT` (the IPv4 DF bit of this datagram).
    pub dont_fragment: Option<bool>,
}

impl Encoded {
    /// Neither a segment size nor a don't-fragment state of its own: the
    /// send's shape is the socket's (most sends).
    #[inline(always)]
    pub fn asks_nothing(&self) -> bool {
        self.segment.is_none() && self.dont_fragment.is_none()
    }
}

/// What [`CmsgBuf::encode_messages`] carries from message to message.
#[derive(Default)]
struct EncodePass {
    /// The kinds seen (`ControlMessage::bit`).
    seen: u16,
    segment: Option<u32>,
    dont_fragment: Option<bool>,
    ecn: Option<u8>,
    /// Where the TOS byte's message was written.
    tos_at: Option<usize>,
}

/// The source a send asks for, with its interface index.
#[derive(Clone, Copy)]
enum Source {
    V4((Ipv4Addr, u32)),
    V6((Ipv6Addr, u32)),
}

/// DSCP from the TOS byte (or the socket's), ECN bits from the ECN message (S26).
pub(super) fn merge_ecn(tos: Option<u8>, ecn: Option<u8>, socket_tos: u8) -> Option<u8> {
    match (tos, ecn) {
        (tos, None) => tos,
        (tos, Some(ecn)) => Some((tos.unwrap_or(socket_tos) & !3) | ecn),
    }
}

pub(crate) const fn linux_cmsg_space(len: usize) -> usize {
    LINUX_CMSG_HDR + ((len + 7) & !7)
}
