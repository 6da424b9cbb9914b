//! Control messages to send: Windows `WSACMSGHDR` entries or typed
//! [`ControlMessage`]s → validated [`SendControls`] → Linux `cmsghdr`s.

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr};

use ws2_abi as abi;

use crate::error::{Error, Result};

use super::*;

/// A control message to send with a datagram: the typed form of Windows'
/// `WSACMSGHDR` entries.
///
/// ```
/// # use ws2_engine as ws2;
/// use std::net::Ipv4Addr;
/// use ws2::ControlMessage;
/// let source = ControlMessage::SourceV4 { addr: Ipv4Addr::LOCALHOST, ifindex: 0 };
/// assert!(matches!(source, ControlMessage::SourceV4 { .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlMessage {
    /// `IPPROTO_IP`/`IP_PKTINFO`: send from `addr` (and out of interface
    /// `ifindex` when non-zero). S23, S25.
    SourceV4 {
        /// The source address (`ipi_addr`).
        addr: Ipv4Addr,
        /// The outgoing interface index (`ipi_ifindex`); 0: any.
        ifindex: u32,
    },
    /// `IPPROTO_IPV6`/`IPV6_PKTINFO`: send from `addr` (and `ifindex`). S24.
    SourceV6 {
        /// The source address (`ipi6_addr`).
        addr: Ipv6Addr,
        /// The outgoing interface index (`ipi6_ifindex`); 0: any.
        ifindex: u32,
    },
    /// `IPPROTO_IP`/`IP_TOS`: the whole TOS byte (DSCP and ECN). S26.
    Tos(u8),
    /// `IPPROTO_IP`/`IP_TTL` (1–255). S26.
    Ttl(u8),
    /// `IPPROTO_IP`/`IP_ECN`: the ECN codepoint, 0–2 (Congestion
    /// Experienced, 3, may not be sent). S26.
    Ecn(u8),
    /// `IPPROTO_IPV6`/`IPV6_HOPLIMIT`. S26.
    HopLimit(u8),
    /// `IPPROTO_IPV6`/`IPV6_TCLASS`: the whole traffic class byte. S26.
    TrafficClass(u8),
    /// `IPPROTO_IPV6`/`IPV6_ECN`: the ECN codepoint, 0–2 (not CE). S26.
    EcnV6(u8),
    /// `IPPROTO_UDP`/`UDP_SEND_MSG_SIZE`: split the gathered buffer into
    /// datagrams of this many bytes, the last one shorter (UDP GSO). S26.
    SegmentSize(u32),
    /// `IPPROTO_IP`/`IP_DONTFRAGMENT` (an INT, non-zero: on): this IPv4
    /// datagram's DF bit, whatever the socket's option says. P4.
    DontFragment(bool),
    /// `IPPROTO_IPV6`/`IPV6_DONTFRAG`: the same for an IPv6 datagram. P4.
    DontFragmentV6(bool),
}

impl ControlMessage {
    /// The checks of S22/S26 on one message for a socket of `family`: its
    /// value, and whether it fits the family. (Appearing twice is the
    /// caller's check.)
    #[inline(always)]
    fn check(&self, family: Family) -> Result<()> {
        match *self {
            ControlMessage::SourceV4 { .. } | ControlMessage::Tos(_) => Ok(()),
            ControlMessage::SourceV6 { .. } => needs_v6_socket(family, "IPV6_PKTINFO"),
            ControlMessage::Ttl(0) => {
                Err(Error::new(abi::WSAEINVAL, "IP_TTL value 0 is not 1-255"))
            }
            ControlMessage::Ttl(_) => Ok(()),
            ControlMessage::Ecn(v) => ecn_bits(v, "IP_ECN").map(drop),
            ControlMessage::HopLimit(_) => needs_v6_socket(family, "IPV6_HOPLIMIT"),
            ControlMessage::TrafficClass(_) => needs_v6_socket(family, "IPV6_TCLASS"),
            ControlMessage::EcnV6(v) => {
                needs_v6_socket(family, "IPV6_ECN")?;
                ecn_bits(v, "IPV6_ECN").map(drop)
            }
            ControlMessage::SegmentSize(v) => segment_size(v).map(drop),
            ControlMessage::DontFragment(_) => Ok(()),
            ControlMessage::DontFragmentV6(_) => needs_v6_socket(family, "IPV6_DONTFRAG"),
        }
    }

    /// [`ControlMessage::check`], and that the kind was not `seen` yet.
    #[inline(always)]
    fn check_once(&self, family: Family, seen: &mut u16) -> Result<()> {
        self.check(family)?;
        if *seen & self.bit() != 0 {
            return Err(twice(self.name()));
        }
        *seen |= self.bit();
        Ok(())
    }

    /// One bit per kind, to find a kind given twice.
    #[inline(always)]
    fn bit(&self) -> u16 {
        1 << match self {
            ControlMessage::SourceV4 { .. } => 0,
            ControlMessage::SourceV6 { .. } => 1,
            ControlMessage::Tos(_) => 2,
            ControlMessage::Ttl(_) => 3,
            ControlMessage::Ecn(_) => 4,
            ControlMessage::HopLimit(_) => 5,
            ControlMessage::TrafficClass(_) => 6,
            ControlMessage::EcnV6(_) => 7,
            ControlMessage::SegmentSize(_) => 8,
            ControlMessage::DontFragment(_) => 9,
            ControlMessage::DontFragmentV6(_) => 10,
        }
    }

    /// The Windows name of the kind.
    fn name(&self) -> &'static str {
        match self {
            ControlMessage::SourceV4 { .. } => "IP_PKTINFO",
            ControlMessage::SourceV6 { .. } => "IPV6_PKTINFO",
            ControlMessage::Tos(_) => "IP_TOS",
            ControlMessage::Ttl(_) => "IP_TTL",
            ControlMessage::Ecn(_) => "IP_ECN",
            ControlMessage::HopLimit(_) => "IPV6_HOPLIMIT",
            ControlMessage::TrafficClass(_) => "IPV6_TCLASS",
            ControlMessage::EcnV6(_) => "IPV6_ECN",
            ControlMessage::SegmentSize(_) => "UDP_SEND_MSG_SIZE",
            ControlMessage::DontFragment(_) => "IP_DONTFRAGMENT",
            ControlMessage::DontFragmentV6(_) => "IPV6_DONTFRAG",
        }
    }
}

/// Validated control data for one send: at most one of each kind.
///
/// ```
/// use ws2_engine::{translate::SendControls, ControlMessage, Family};
/// let controls = SendControls::from_messages(&[ControlMessage::Ttl(3)], Family::V4)?;
/// assert_eq!(controls.ttl, Some(3));
/// let twice = [ControlMessage::Ttl(3), ControlMessage::Ttl(4)];
/// assert_eq!(SendControls::from_messages(&twice, Family::V4).unwrap_err().code(), ws2_abi::WSAEINVAL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendControls {
    /// [`ControlMessage::SourceV4`]: source address and interface index.
    pub source_v4: Option<(Ipv4Addr, u32)>,
    /// [`ControlMessage::SourceV6`]: source address and interface index.
    pub source_v6: Option<(Ipv6Addr, u32)>,
    /// [`ControlMessage::Tos`]: the whole TOS byte.
    pub tos: Option<u8>,
    /// [`ControlMessage::Ttl`] (1–255).
    pub ttl: Option<u8>,
    /// [`ControlMessage::Ecn`]: the ECN codepoint (0–2).
    pub ecn: Option<u8>,
    /// [`ControlMessage::HopLimit`].
    pub hop_limit: Option<u8>,
    /// [`ControlMessage::TrafficClass`]: the whole traffic class byte.
    pub traffic_class: Option<u8>,
    /// [`ControlMessage::EcnV6`]: the ECN codepoint (0–2).
    pub ecn_v6: Option<u8>,
    /// [`ControlMessage::SegmentSize`]: UDP GSO segment size in bytes.
    pub segment_size: Option<u32>,
    /// [`ControlMessage::DontFragment`].
    pub dont_fragment: Option<bool>,
    /// [`ControlMessage::DontFragmentV6`].
    pub dont_fragment_v6: Option<bool>,
}

#[inline]
fn once<T>(slot: &mut Option<T>, value: T, what: &'static str) -> Result<()> {
    if slot.is_some() {
        return Err(twice(what));
    }
    *slot = Some(value);
    Ok(())
}

/// A `UDP_SEND_MSG_SIZE` value: 1 to 65527 bytes, `WSAEINVAL` otherwise.
///
/// ```
/// use ws2_engine::translate::segment_size;
/// assert_eq!(segment_size(1200)?, 1200);
/// assert_eq!(segment_size(0).unwrap_err().code(), ws2_abi::WSAEINVAL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn segment_size(v: u32) -> Result<u32> {
    if v == 0 || v > abi::UDP_MAX_MSG_SIZE_V6 {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!(
                "UDP_SEND_MSG_SIZE {v} is not between 1 and {}",
                abi::UDP_MAX_MSG_SIZE_V6
            ),
        ));
    }
    Ok(v)
}

#[cold]
fn twice(what: &str) -> Error {
    Error::new(
        abi::WSAEINVAL,
        format!("control message {what} appears twice"),
    )
}

/// ECN Congestion Experienced: routers set it, senders may not (S26).
const ECN_CE: u8 = 3;

/// An `IP_ECN`/`IPV6_ECN` value to send: Not-ECT (0), ECT(1) or ECT(0) (2).
/// More than the two ECN bits, or CE (3), is `WSAEINVAL` (S26; Microsoft's
/// Winsock ECN page: an application may not send Congestion Experienced).
fn ecn_bits(value: u8, what: &str) -> Result<u8> {
    if value > ECN_CE {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("{what} value {value} is more than the two ECN bits (0-3)"),
        ));
    }
    if value == ECN_CE {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("{what} value 3 is Congestion Experienced, which a sender may not set"),
        ));
    }
    Ok(value)
}

fn needs_v6_socket(family: Family, what: &str) -> Result<()> {
    if family == Family::V4 {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("control message {what} does not fit an AF_INET socket"),
        ));
    }
    Ok(())
}

impl SendControls {
    /// Adds one typed control message, with the checks of S22/S26.
    ///
    /// ```
    /// use ws2_engine::{translate::SendControls, ControlMessage, Family};
    /// let mut controls = SendControls::default();
    /// controls.add(&ControlMessage::Tos(0xb8), Family::V4)?;
    /// let err = controls.add(&ControlMessage::HopLimit(8), Family::V4).unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::WSAEINVAL, "IPv6 message on an AF_INET socket");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    pub fn add(&mut self, msg: &ControlMessage, family: Family) -> Result<()> {
        msg.check(family)?;
        match *msg {
            ControlMessage::SourceV4 { addr, ifindex } => {
                once(&mut self.source_v4, (addr, ifindex), "IP_PKTINFO")
            }
            ControlMessage::SourceV6 { addr, ifindex } => {
                once(&mut self.source_v6, (addr, ifindex), "IPV6_PKTINFO")
            }
            ControlMessage::Tos(v) => once(&mut self.tos, v, "IP_TOS"),
            ControlMessage::Ttl(v) => once(&mut self.ttl, v, "IP_TTL"),
            ControlMessage::Ecn(v) => once(&mut self.ecn, v, "IP_ECN"),
            ControlMessage::HopLimit(v) => once(&mut self.hop_limit, v, "IPV6_HOPLIMIT"),
            ControlMessage::TrafficClass(v) => once(&mut self.traffic_class, v, "IPV6_TCLASS"),
            ControlMessage::EcnV6(v) => once(&mut self.ecn_v6, v, "IPV6_ECN"),
            ControlMessage::SegmentSize(v) => once(&mut self.segment_size, v, "UDP_SEND_MSG_SIZE"),
            ControlMessage::DontFragment(on) => {
                once(&mut self.dont_fragment, on, "IP_DONTFRAGMENT")
            }
            ControlMessage::DontFragmentV6(on) => {
                once(&mut self.dont_fragment_v6, on, "IPV6_DONTFRAG")
            }
        }
    }

    /// Validates typed control messages.
    ///
    /// ```
    /// use ws2_engine::{translate::SendControls, ControlMessage, Family};
    /// let msgs = [ControlMessage::Ecn(1), ControlMessage::SegmentSize(1200)];
    /// let controls = SendControls::from_messages(&msgs, Family::V4)?;
    /// assert_eq!((controls.ecn, controls.segment_size), (Some(1), Some(1200)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn from_messages(msgs: &[ControlMessage], family: Family) -> Result<SendControls> {
        let mut out = SendControls::default();
        for msg in msgs {
            out.add(msg, family)?;
        }
        Ok(out)
    }

    /// Parses and validates a Windows control buffer (S22).
    ///
    /// ```
    /// use ws2_engine::{translate::SendControls, Family};
    /// let mut buf = Vec::new();
    /// ws2_abi::push_control(&mut buf, ws2_abi::IPPROTO_IP, ws2_abi::IP_TTL, &7i32.to_ne_bytes());
    /// let controls = SendControls::from_windows(&buf, Family::V4)?;
    /// assert_eq!(controls.ttl, Some(7));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_windows(control: &[u8], family: Family) -> Result<SendControls> {
        let mut out = SendControls::default();
        for entry in abi::ControlWalker::new(control) {
            let entry = entry.map_err(|e| Error::new(abi::WSAEINVAL, e.to_string()))?;
            let msg = parse_entry(&entry)?;
            out.add(&msg, family).map_err(|e| {
                Error::new(
                    e.code(),
                    format!("offset {}: {}", entry.offset, e.message()),
                )
            })?;
        }
        Ok(out)
    }

    /// True when nothing was asked for.
    ///
    /// ```
    /// use ws2_engine::{translate::SendControls, Family};
    /// assert!(SendControls::from_windows(&[], Family::V4)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        *self == SendControls::default()
    }
}

fn payload<const N: usize>(entry: &abi::ControlEntry<'_>, what: &str) -> Result<[u8; N]> {
    entry.data.try_into().map_err(|_| {
        Error::new(
            abi::WSAEINVAL,
            format!(
                "control message {what} at offset {}: payload is {} bytes, expected {N}",
                entry.offset,
                entry.data.len()
            ),
        )
    })
}

fn int_payload(entry: &abi::ControlEntry<'_>, what: &str, max: i32) -> Result<u8> {
    let v = i32::from_ne_bytes(payload::<4>(entry, what)?);
    if !(0..=max).contains(&v) {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!(
                "control message {what} at offset {}: value {v} is outside 0-{max}",
                entry.offset
            ),
        ));
    }
    Ok(v as u8)
}

fn parse_entry(entry: &abi::ControlEntry<'_>) -> Result<ControlMessage> {
    Ok(match (entry.level, entry.kind) {
        (abi::IPPROTO_IP, abi::IP_PKTINFO) => {
            let p = payload::<8>(entry, "IP_PKTINFO")?;
            ControlMessage::SourceV4 {
                addr: Ipv4Addr::new(p[0], p[1], p[2], p[3]),
                ifindex: u32::from_ne_bytes([p[4], p[5], p[6], p[7]]),
            }
        }
        (abi::IPPROTO_IPV6, abi::IPV6_PKTINFO) => {
            let p = payload::<20>(entry, "IPV6_PKTINFO")?;
            let mut addr = [0u8; 16];
            addr.copy_from_slice(&p[..16]);
            ControlMessage::SourceV6 {
                addr: Ipv6Addr::from(addr),
                ifindex: u32::from_ne_bytes([p[16], p[17], p[18], p[19]]),
            }
        }
        (abi::IPPROTO_IP, abi::IP_TOS) => ControlMessage::Tos(int_payload(entry, "IP_TOS", 255)?),
        (abi::IPPROTO_IP, abi::IP_TTL) => ControlMessage::Ttl(int_payload(entry, "IP_TTL", 255)?),
        (abi::IPPROTO_IP, abi::IP_ECN) => ControlMessage::Ecn(int_payload(entry, "IP_ECN", 255)?),
        (abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT) => {
            ControlMessage::HopLimit(int_payload(entry, "IPV6_HOPLIMIT", 255)?)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_TCLASS) => {
            ControlMessage::TrafficClass(int_payload(entry, "IPV6_TCLASS", 255)?)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_ECN) => {
            ControlMessage::EcnV6(int_payload(entry, "IPV6_ECN", 255)?)
        }
        // Windows senders (picoquic) pass these as INTs, non-zero for on.
        (abi::IPPROTO_IP, abi::IP_DONTFRAGMENT) => ControlMessage::DontFragment(
            i32::from_ne_bytes(payload::<4>(entry, "IP_DONTFRAGMENT")?) != 0,
        ),
        (abi::IPPROTO_IPV6, abi::IPV6_DONTFRAG) => ControlMessage::DontFragmentV6(
            i32::from_ne_bytes(payload::<4>(entry, "IPV6_DONTFRAG")?) != 0,
        ),
        (abi::IPPROTO_UDP, abi::UDP_SEND_MSG_SIZE) => ControlMessage::SegmentSize(
            u32::from_ne_bytes(payload::<4>(entry, "UDP_SEND_MSG_SIZE")?),
        ),
        (level, kind) => {
            return Err(Error::new(
                abi::WSAEINVAL,
                format!(
                    "control message at offset {}: level {level} type {kind} is not supported",
                    entry.offset
                ),
            ));
        }
    })
}

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
