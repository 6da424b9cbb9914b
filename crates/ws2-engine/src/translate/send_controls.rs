//! Control messages to send: Windows `WSACMSGHDR` entries or typed
//! [`ControlMessage`]s → validated [`SendControls`] → Linux `cmsghdr`s.

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
    pub(super) fn check_once(&self, family: Family, seen: &mut u16) -> Result<()> {
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
