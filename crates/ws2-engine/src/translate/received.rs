//! Control data of a received datagram: Linux cmsgs → [`ReceivedControls`]
//! → Windows `WSACMSGHDR` entries in the caller's buffer.

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use ws2_abi as abi;

use super::addr::socket_addr_to_windows;
use super::cmsg_buf::LINUX_CMSG_HDR;
use crate::error::Result;

/// What a received datagram's control data said (S27).
///
/// ```
/// # use ws2_engine as ws2;
/// let got = ws2::ReceivedControls { ttl: Some(64), ..Default::default() };
/// assert_eq!(got.ttl, Some(64));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReceivedControls {
    /// `IN_PKTINFO`: the datagram's destination address and arrival interface.
    pub destination_v4: Option<(Ipv4Addr, u32)>,
    /// `IN6_PKTINFO`.
    pub destination_v6: Option<(Ipv6Addr, u32)>,
    /// `IP_TOS` (with `IP_RECVTOS`).
    pub tos: Option<u8>,
    /// `IP_ECN`: the ECN bits of the TOS byte (with `IP_RECVECN`).
    pub ecn: Option<u8>,
    /// `IP_TTL`.
    pub ttl: Option<u8>,
    /// `IPV6_TCLASS` (with `IPV6_RECVTCLASS`).
    pub traffic_class: Option<u8>,
    /// `IPV6_ECN`: the ECN bits of the traffic class (with `IPV6_RECVECN`).
    pub ecn_v6: Option<u8>,
    /// `IPV6_HOPLIMIT`.
    pub hop_limit: Option<u8>,
    /// `IP_RECVIF`: the arrival interface of an IPv4 datagram (P4).
    pub interface_v4: Option<u32>,
    /// `IPV6_RECVIF`.
    pub interface_v6: Option<u32>,
    /// `IP_RECVDSTADDR`: the destination address of an IPv4 datagram (P4).
    pub destination_addr_v4: Option<Ipv4Addr>,
    /// `IPV6_RECVDSTADDR`.
    pub destination_addr_v6: Option<Ipv6Addr>,
}

/// Decodes the cmsgs the kernel wrote through `msg` (S27).
///
/// # Safety
/// `msg.msg_control` must hold `msg.msg_controllen` bytes of cmsgs
/// written by the kernel.
///
/// A cmsg the kernel cut short for lack of room (`MSG_CTRUNC`: its
/// `cmsg_len` ends at `msg_controllen`, before its payload does) carries
/// no value and is skipped; nothing past `msg_controllen` is read.
///
/// ```
/// // SAFETY: an all-zero msghdr has no control data (msg_controllen 0).
/// let msg: libc::msghdr = unsafe { std::mem::zeroed() };
/// // SAFETY: the (empty) control buffer holds valid cmsgs.
/// let got = unsafe { ws2_engine::translate::controls_from_linux(&msg, false, false) };
/// assert_eq!(got, ws2_engine::ReceivedControls::default());
/// ```
#[inline]
pub unsafe fn controls_from_linux(
    msg: &libc::msghdr,
    want_tos: bool,
    want_ecn: bool,
) -> ReceivedControls {
    let mut out = ReceivedControls::default();
    // SAFETY: forwarded contract.
    unsafe { controls_from_linux_into(msg, want_tos, want_ecn, &mut out) };
    out
}

/// [`controls_from_linux`] into `out` (set to what the cmsgs say, every
/// field it does not mention `None`), where a receive keeps its result: no
/// copy of the decoded value on every datagram.
///
/// # Safety
/// As [`controls_from_linux`].
#[inline]
pub unsafe fn controls_from_linux_into(
    msg: &libc::msghdr,
    want_tos: bool,
    want_ecn: bool,
    out: &mut ReceivedControls,
) {
    *out = ReceivedControls::default();
    // SAFETY: forwarded contract.
    unsafe { controls_from_linux_add(msg, want_tos, want_ecn, out) };
}

/// The decoder of [`controls_from_linux_into`], into an `out` that holds
/// no value yet (a receive's fresh result): every field the cmsgs mention
/// is set, the others left as they are.
///
/// # Safety
/// As [`controls_from_linux`].
#[inline]
pub(crate) unsafe fn controls_from_linux_add(
    msg: &libc::msghdr,
    want_tos: bool,
    want_ecn: bool,
    out: &mut ReceivedControls,
) {
    // SAFETY: forwarded contract; `for_each_linux_cmsg` hands out payloads
    // of `len` bytes within both cmsg_len and msg_controllen, and each
    // value is read only when `len` covers it.
    unsafe {
        for_each_linux_cmsg(msg, |level, kind, data, len| {
            let int = || std::ptr::read_unaligned(data.cast::<libc::c_int>()) as u8;
            const INT: usize = size_of::<libc::c_int>();
            match (level, kind) {
                (libc::SOL_IP, libc::IP_PKTINFO) if len >= size_of::<libc::in_pktinfo>() => {
                    let p = std::ptr::read_unaligned(data.cast::<libc::in_pktinfo>());
                    out.destination_v4 = Some((
                        Ipv4Addr::from(p.ipi_addr.s_addr.to_ne_bytes()),
                        p.ipi_ifindex as u32,
                    ));
                }
                (libc::SOL_IPV6, libc::IPV6_PKTINFO) if len >= size_of::<libc::in6_pktinfo>() => {
                    let p = std::ptr::read_unaligned(data.cast::<libc::in6_pktinfo>());
                    out.destination_v6 =
                        Some((Ipv6Addr::from(p.ipi6_addr.s6_addr), p.ipi6_ifindex));
                }
                // Linux delivers IP_TOS as one byte; Windows as an INT.
                (libc::SOL_IP, libc::IP_TOS) if len >= 1 => {
                    let tos = *data;
                    out.tos = want_tos.then_some(tos);
                    out.ecn = want_ecn.then_some(tos & 3);
                }
                (libc::SOL_IP, libc::IP_TTL) if len >= INT => out.ttl = Some(int()),
                (libc::SOL_IPV6, libc::IPV6_TCLASS) if len >= INT => {
                    let tclass = int();
                    out.traffic_class = want_tos.then_some(tclass);
                    out.ecn_v6 = want_ecn.then_some(tclass & 3);
                }
                (libc::SOL_IPV6, libc::IPV6_HOPLIMIT) if len >= INT => out.hop_limit = Some(int()),
                _ => {}
            }
            true
        });
    }
}

/// Calls `f(level, type, payload, len)` for each cmsg the kernel wrote
/// through `msg`, as [`LinuxCmsgs`] hands them out, until `f` returns
/// false.
///
/// # Safety
/// As [`controls_from_linux`].
#[inline(always)]
unsafe fn for_each_linux_cmsg(
    msg: &libc::msghdr,
    mut f: impl FnMut(i32, i32, *const u8, usize) -> bool,
) {
    // SAFETY: forwarded contract.
    let mut cmsgs = unsafe { LinuxCmsgs::new(msg) };
    while let Some(c) = cmsgs.next() {
        if !f(c.level, c.kind, c.data, c.len) {
            return;
        }
    }
}

/// The cmsgs the kernel wrote through a `msghdr`, the ones
/// `CMSG_FIRSTHDR`/`CMSG_NXTHDR` visit, in order. Offsets instead of
/// libc's pointer arithmetic: the same bounds, checked once per cmsg.
pub(super) struct LinuxCmsgs {
    base: *const u8,
    end: usize,
    at: usize,
}

/// One cmsg of [`LinuxCmsgs`]: `len` is the payload's bytes within both
/// `cmsg_len` and `msg_controllen` (a cmsg cut short by `MSG_CTRUNC` has
/// fewer than its type needs).
pub(super) struct LinuxCmsg {
    pub(super) level: i32,
    pub(super) kind: i32,
    pub(super) data: *const u8,
    pub(super) len: usize,
}

impl LinuxCmsgs {
    /// # Safety
    /// As [`controls_from_linux`].
    #[inline(always)]
    pub(super) unsafe fn new(msg: &libc::msghdr) -> LinuxCmsgs {
        let base = msg.msg_control.cast::<u8>().cast_const();
        LinuxCmsgs {
            base,
            // No buffer, no cmsgs.
            end: if base.is_null() {
                0
            } else {
                msg.msg_controllen
            },
            at: 0,
        }
    }

    #[inline(always)]
    pub(super) fn next(&mut self) -> Option<LinuxCmsg> {
        let (base, at) = (self.base, self.at);
        // `at` never passes `end`.
        let room = self.end - at;
        // A whole header must fit (CMSG_FIRSTHDR, CMSG_NXTHDR).
        if room < LINUX_CMSG_HDR {
            return None;
        }
        // SAFETY: the header lies within msg_controllen bytes of the
        // control buffer (checked above; `new`'s contract); read
        // unaligned, as any caller's buffer may be.
        let c = unsafe { std::ptr::read_unaligned(base.add(at).cast::<libc::cmsghdr>()) };
        // CMSG_NXTHDR stops at a length shorter than a header.
        if (c.cmsg_len as usize) < LINUX_CMSG_HDR {
            self.at = self.end;
            return None;
        }
        // Within the buffer: a cmsg_len past its end (MSG_CTRUNC) leaves
        // fewer payload bytes, and its CMSG_ALIGN step ends the walk.
        let len = (c.cmsg_len as usize).min(room);
        self.at = at + ((len + 7) & !7).min(room);
        Some(LinuxCmsg {
            level: c.cmsg_level,
            kind: c.cmsg_type,
            // SAFETY: CMSG_DATA of a header that lies within the buffer.
            data: unsafe { base.add(at + LINUX_CMSG_HDR) },
            len: len - LINUX_CMSG_HDR,
        })
    }
}

/// Writes the Windows control entries into `out` (`cmsg_len` unpadded,
/// entries advanced by `WSA_CMSG_SPACE`). Returns the bytes used and
/// whether some entry did not fit (`MSG_CTRUNC`).
///
/// ```
/// use std::net::Ipv4Addr;
/// let got = ws2_engine::ReceivedControls { destination_v4: Some((Ipv4Addr::LOCALHOST, 1)), ..Default::default() };
/// let mut small = [0u8; 8];
/// assert_eq!(ws2_engine::translate::controls_to_windows(&got, &mut small), (0, true), "IN_PKTINFO needs 24 bytes");
/// ```
#[inline(always)]
pub fn controls_to_windows(controls: &ReceivedControls, out: &mut [u8]) -> (usize, bool) {
    let mut w = WindowsControlWriter {
        out,
        used: 0,
        truncated: false,
    };
    if let Some((addr, ifindex)) = controls.destination_v4 {
        let mut p = [0u8; 8];
        p[..4].copy_from_slice(&addr.octets());
        p[4..].copy_from_slice(&ifindex.to_ne_bytes());
        w.push(abi::IPPROTO_IP, abi::IP_PKTINFO, p);
    }
    if let Some((addr, ifindex)) = controls.destination_v6 {
        let mut p = [0u8; 20];
        p[..16].copy_from_slice(&addr.octets());
        p[16..].copy_from_slice(&ifindex.to_ne_bytes());
        w.push(abi::IPPROTO_IPV6, abi::IPV6_PKTINFO, p);
    }
    if let Some(tos) = controls.tos {
        w.push(abi::IPPROTO_IP, abi::IP_TOS, (tos as i32).to_ne_bytes());
    }
    if let Some(ecn) = controls.ecn {
        w.push(abi::IPPROTO_IP, abi::IP_ECN, (ecn as i32).to_ne_bytes());
    }
    if let Some(ttl) = controls.ttl {
        w.push(abi::IPPROTO_IP, abi::IP_TTL, (ttl as i32).to_ne_bytes());
    }
    if let Some(tclass) = controls.traffic_class {
        w.push(
            abi::IPPROTO_IPV6,
            abi::IPV6_TCLASS,
            (tclass as i32).to_ne_bytes(),
        );
    }
    if let Some(ecn) = controls.ecn_v6 {
        w.push(abi::IPPROTO_IPV6, abi::IPV6_ECN, (ecn as i32).to_ne_bytes());
    }
    if let Some(hops) = controls.hop_limit {
        w.push(
            abi::IPPROTO_IPV6,
            abi::IPV6_HOPLIMIT,
            (hops as i32).to_ne_bytes(),
        );
    }
    if let Some(index) = controls.interface_v4 {
        w.push(abi::IPPROTO_IP, abi::IP_RECVIF, index.to_ne_bytes());
    }
    if let Some(addr) = controls.destination_addr_v4 {
        w.push(abi::IPPROTO_IP, abi::IP_RECVDSTADDR, addr.octets());
    }
    if let Some(index) = controls.interface_v6 {
        w.push(abi::IPPROTO_IPV6, abi::IPV6_RECVIF, index.to_ne_bytes());
    }
    if let Some(addr) = controls.destination_addr_v6 {
        w.push(abi::IPPROTO_IPV6, abi::IPV6_RECVDSTADDR, addr.octets());
    }
    (w.used, w.truncated)
}

/// The control entries of one datagram as Windows writes them, decoded
/// straight from Linux's cmsgs for the blocking C receive's usual case
/// (`SocketCore::recv_windows_usual`): the entries [`ReceivedControls`]
/// holds for a socket that asks for no `IP_RECVIF`/`IP_RECVDSTADDR` (or
/// their IPv6 twins), as one presence mask and their payloads, with no
/// `Option` to build and test one by one. [`controls_from_linux`] with
/// [`controls_to_windows`] and [`controls_windows_flags`] give the same
/// bytes, count, `MSG_CTRUNC` and flags (`windows_entries_match_the_general_path`
/// in the translate tests checks it on any cmsg buffer).
#[derive(Clone, Copy)]
pub(crate) struct WindowsEntries {
    /// `ENTRY_*` bits: which entries the datagram has.
    present: u32,
    /// `IN_PKTINFO`: the address (network order) and the interface.
    pktinfo_v4: [u8; 8],
    /// `IN6_PKTINFO`.
    pktinfo_v6: [u8; 20],
    tos: u8,
    ttl: u8,
    tclass: u8,
    hops: u8,
}

/// [`WindowsEntries::present`] bits, in the order Windows writes the entries.
const ENTRY_PKTINFO_V4: u32 = 1 << 0;
const ENTRY_PKTINFO_V6: u32 = 1 << 1;
const ENTRY_TOS: u32 = 1 << 2;
const ENTRY_ECN: u32 = 1 << 3;
const ENTRY_TTL: u32 = 1 << 4;
const ENTRY_TCLASS: u32 = 1 << 5;
const ENTRY_ECN_V6: u32 = 1 << 6;
const ENTRY_HOPLIMIT: u32 = 1 << 7;

impl WindowsEntries {
    /// Decodes the cmsgs the kernel wrote through `msg`, as
    /// [`controls_from_linux`] does (the same types, the same lengths
    /// required, a later cmsg of a type replacing an earlier one).
    ///
    /// # Safety
    /// As [`controls_from_linux`].
    #[inline(always)]
    pub(crate) unsafe fn from_linux(
        msg: &libc::msghdr,
        want_tos: bool,
        want_ecn: bool,
    ) -> WindowsEntries {
        let mut e = WindowsEntries {
            present: 0,
            pktinfo_v4: [0; 8],
            pktinfo_v6: [0; 20],
            tos: 0,
            ttl: 0,
            tclass: 0,
            hops: 0,
        };
        // The TOS byte gives TOS and ECN entries as the socket asked.
        let tos_bits = if want_tos { ENTRY_TOS } else { 0 } | if want_ecn { ENTRY_ECN } else { 0 };
        let tclass_bits =
            if want_tos { ENTRY_TCLASS } else { 0 } | if want_ecn { ENTRY_ECN_V6 } else { 0 };
        // SAFETY: forwarded contract; `for_each_linux_cmsg` hands out payloads
        // of `len` bytes within both cmsg_len and msg_controllen, and each
        // value is read only when `len` covers it.
        unsafe {
            for_each_linux_cmsg(msg, |level, kind, data, len| {
                let int = || std::ptr::read_unaligned(data.cast::<libc::c_int>()) as u8;
                const INT: usize = size_of::<libc::c_int>();
                match (level, kind) {
                    // in_pktinfo: ifindex (int), spec_dst, addr; Windows'
                    // IN_PKTINFO: addr, then the interface.
                    (libc::SOL_IP, libc::IP_PKTINFO) if len >= size_of::<libc::in_pktinfo>() => {
                        let p = std::ptr::read_unaligned(data.cast::<libc::in_pktinfo>());
                        e.pktinfo_v4[..4].copy_from_slice(&p.ipi_addr.s_addr.to_ne_bytes());
                        e.pktinfo_v4[4..].copy_from_slice(&(p.ipi_ifindex as u32).to_ne_bytes());
                        e.present |= ENTRY_PKTINFO_V4;
                    }
                    // in6_pktinfo and IN6_PKTINFO: the same 20 bytes.
                    (libc::SOL_IPV6, libc::IPV6_PKTINFO)
                        if len >= size_of::<libc::in6_pktinfo>() =>
                    {
                        e.pktinfo_v6 = std::ptr::read_unaligned(data.cast::<[u8; 20]>());
                        e.present |= ENTRY_PKTINFO_V6;
                    }
                    // Linux delivers IP_TOS as one byte; Windows as an INT.
                    (libc::SOL_IP, libc::IP_TOS) if len >= 1 => {
                        e.tos = *data;
                        e.present = (e.present & !(ENTRY_TOS | ENTRY_ECN)) | tos_bits;
                    }
                    (libc::SOL_IP, libc::IP_TTL) if len >= INT => {
                        e.ttl = int();
                        e.present |= ENTRY_TTL;
                    }
                    (libc::SOL_IPV6, libc::IPV6_TCLASS) if len >= INT => {
                        e.tclass = int();
                        e.present = (e.present & !(ENTRY_TCLASS | ENTRY_ECN_V6)) | tclass_bits;
                    }
                    (libc::SOL_IPV6, libc::IPV6_HOPLIMIT) if len >= INT => {
                        e.hops = int();
                        e.present |= ENTRY_HOPLIMIT;
                    }
                    _ => {}
                }
                true
            });
        }
        e
    }

    /// Writes the entries into `out` as [`controls_to_windows`] does.
    #[inline(always)]
    pub(crate) fn write(&self, out: &mut [u8]) -> (usize, bool) {
        let mut w = WindowsControlWriter {
            out,
            used: 0,
            truncated: false,
        };
        let p = self.present;
        let int = |v: u8| (v as i32).to_ne_bytes();
        if p & ENTRY_PKTINFO_V4 != 0 {
            w.push(abi::IPPROTO_IP, abi::IP_PKTINFO, self.pktinfo_v4);
        }
        if p & ENTRY_PKTINFO_V6 != 0 {
            w.push(abi::IPPROTO_IPV6, abi::IPV6_PKTINFO, self.pktinfo_v6);
        }
        if p & ENTRY_TOS != 0 {
            w.push(abi::IPPROTO_IP, abi::IP_TOS, int(self.tos));
        }
        if p & ENTRY_ECN != 0 {
            w.push(abi::IPPROTO_IP, abi::IP_ECN, int(self.tos & 3));
        }
        if p & ENTRY_TTL != 0 {
            w.push(abi::IPPROTO_IP, abi::IP_TTL, int(self.ttl));
        }
        if p & ENTRY_TCLASS != 0 {
            w.push(abi::IPPROTO_IPV6, abi::IPV6_TCLASS, int(self.tclass));
        }
        if p & ENTRY_ECN_V6 != 0 {
            w.push(abi::IPPROTO_IPV6, abi::IPV6_ECN, int(self.tclass & 3));
        }
        if p & ENTRY_HOPLIMIT != 0 {
            w.push(abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT, int(self.hops));
        }
        (w.used, w.truncated)
    }

    /// `MSG_BCAST`/`MSG_MCAST`, as [`controls_windows_flags`] tells them.
    #[inline(always)]
    pub(crate) fn flags(&self) -> u32 {
        if self.present & ENTRY_PKTINFO_V4 != 0 {
            let a = u32::from_be_bytes([
                self.pktinfo_v4[0],
                self.pktinfo_v4[1],
                self.pktinfo_v4[2],
                self.pktinfo_v4[3],
            ]);
            if a >> 28 == 0xe {
                return abi::MSG_MCAST;
            }
            if a == u32::MAX {
                return abi::MSG_BCAST;
            }
        }
        // ff00::/8
        if self.present & ENTRY_PKTINFO_V6 != 0 && self.pktinfo_v6[0] == 0xff {
            return abi::MSG_MCAST;
        }
        0
    }
}

/// Writes `UDP_COALESCED_INFO` (S44: `IPPROTO_UDP`, type 3, a `DWORD`
/// segment size) into `out`, as [`controls_to_windows`] writes its
/// entries. Returns the bytes used and whether it did not fit.
///
/// ```
/// let mut out = [0u8; 24];
/// assert_eq!(ws2_engine::translate::coalesced_info_to_windows(1200, &mut out), (24, false));
/// assert_eq!(u64::from_ne_bytes(out[..8].try_into().unwrap()), 20, "WSA_CMSG_LEN(4)");
/// assert_eq!(u32::from_ne_bytes(out[16..20].try_into().unwrap()), 1200);
/// assert_eq!(ws2_engine::translate::coalesced_info_to_windows(1200, &mut out[..19]), (0, true));
/// ```
pub fn coalesced_info_to_windows(segment: u32, out: &mut [u8]) -> (usize, bool) {
    let mut w = WindowsControlWriter {
        out,
        used: 0,
        truncated: false,
    };
    w.push(
        abi::IPPROTO_UDP,
        abi::UDP_COALESCED_INFO,
        segment.to_ne_bytes(),
    );
    (w.used, w.truncated)
}

/// Writes what a receive got into Windows' outputs (S27, S44): the source
/// into `name` (`*namelen` its room, then its size), the control entries
/// into `control` (`None`: the caller gave no control `WSABUF`; an empty
/// slice: a NULL `Control.buf`), `UDP_COALESCED_INFO` after the others.
/// Returns the control bytes used and the flags Windows reports
/// (`MSG_TRUNC`, `MSG_CTRUNC`, `MSG_BCAST`, `MSG_MCAST`).
///
/// # Safety
/// `name` null or writable for `*namelen` bytes, `namelen` null or
/// readable and writable.
#[inline(always)]
pub unsafe fn received_to_windows(
    got: &Received,
    name: *mut abi::SOCKADDR,
    namelen: *mut i32,
    control: Option<&mut [u8]>,
) -> Result<(usize, u32)> {
    if !name.is_null()
        && !namelen.is_null()
        && let Some(from) = got.from
    {
        // SAFETY: forwarded contract.
        unsafe { socket_addr_to_windows(&from, name, namelen) }?;
    }
    let (used, ctrunc) = match control {
        None => (0, false),
        Some(out) => {
            let (used, ctrunc) = controls_to_windows(&got.controls, out);
            match got.segment_size {
                Some(segment) if !ctrunc => {
                    let (more, ctrunc) = coalesced_info_to_windows(segment, &mut out[used..]);
                    (used + more, ctrunc)
                }
                Some(_) => (used, true),
                None => (used, ctrunc),
            }
        }
    };
    let mut flags = controls_windows_flags(&got.controls);
    if got.truncated {
        flags |= abi::MSG_TRUNC;
    }
    if ctrunc {
        flags |= abi::MSG_CTRUNC;
    }
    Ok((used, flags))
}

/// The segment size of a Linux UDP GRO read (`SOL_UDP`/`UDP_GRO`, an
/// `int`): present only when the read holds two datagrams or more.
///
/// # Safety
/// As [`controls_from_linux`].
pub unsafe fn gro_segment_from_linux(msg: &libc::msghdr) -> Option<usize> {
    let mut segment = None;
    // SAFETY: forwarded contract; the int is read only when the cmsg holds
    // it within msg_controllen.
    unsafe {
        for_each_linux_cmsg(msg, |level, kind, data, len| {
            if level == libc::SOL_UDP && kind == libc::UDP_GRO && len >= size_of::<libc::c_int>() {
                let g = std::ptr::read_unaligned(data.cast::<libc::c_int>());
                segment = usize::try_from(g).ok().filter(|&g| g > 0);
                return false;
            }
            true
        });
    }
    segment
}

/// `MSG_BCAST`/`MSG_MCAST` as far as the destination address tells.
///
/// ```
/// use std::net::Ipv4Addr;
/// let got = ws2_engine::ReceivedControls { destination_v4: Some((Ipv4Addr::BROADCAST, 1)), ..Default::default() };
/// assert_eq!(ws2_engine::translate::controls_windows_flags(&got), ws2_abi::MSG_BCAST);
/// ```
#[inline]
pub fn controls_windows_flags(controls: &ReceivedControls) -> u32 {
    // The address as one big-endian word: multicast is 224/4, the limited
    // broadcast all ones (what `is_multicast`/`is_broadcast` test, in
    // two compares).
    if let Some((a, _)) = controls.destination_v4 {
        let a = u32::from_be_bytes(a.octets());
        if a >> 28 == 0xe {
            return abi::MSG_MCAST;
        }
        if a == u32::MAX {
            return abi::MSG_BCAST;
        }
    }
    match controls.destination_v6 {
        Some((a, _)) if a.is_multicast() => abi::MSG_MCAST,
        _ => 0,
    }
}

/// The most bytes [`controls_to_windows`] and [`coalesced_info_to_windows`]
/// write: every entry once.
pub(crate) const RECEIVED_CONTROL_MAX: usize = abi::wsa_cmsg_space(8)
    + abi::wsa_cmsg_space(20)
    + 10 * abi::wsa_cmsg_space(4)
    + abi::wsa_cmsg_space(16);

pub(super) struct WindowsControlWriter<'a> {
    pub(super) out: &'a mut [u8],
    pub(super) used: usize,
    pub(super) truncated: bool,
}

impl WindowsControlWriter<'_> {
    /// One entry of an `N`-byte payload (every size is a constant, so the
    /// copies are a few moves, not calls).
    #[inline(always)]
    pub(super) fn push<const N: usize>(&mut self, level: i32, kind: i32, data: [u8; N]) {
        let len = abi::wsa_cmsg_len(N);
        if self.truncated || self.used + len > self.out.len() {
            self.truncated = true;
            return;
        }
        let full = abi::wsa_cmsg_space(N);
        if self.used + full <= self.out.len() {
            // SAFETY: `full` bytes from `used` lie within `out` (checked);
            // every write is unaligned and within them (header 16 bytes,
            // payload N to `len`, padding to `full`).
            unsafe {
                let at = self.out.as_mut_ptr().add(self.used);
                std::ptr::write_unaligned(at.cast::<u64>(), len as u64);
                std::ptr::write_unaligned(at.add(8).cast::<i32>(), level);
                std::ptr::write_unaligned(at.add(12).cast::<i32>(), kind);
                std::ptr::write_unaligned(at.add(16).cast::<[u8; N]>(), data);
                std::ptr::write_bytes(at.add(len), 0, full - len);
            }
            self.used += full;
            return;
        }
        // The last entry, its padding cut short by the buffer's end.
        let space = self.out.len() - self.used;
        let at = &mut self.out[self.used..];
        at[..8].copy_from_slice(&(len as u64).to_ne_bytes());
        at[8..12].copy_from_slice(&level.to_ne_bytes());
        at[12..16].copy_from_slice(&kind.to_ne_bytes());
        at[16..len].copy_from_slice(&data);
        at[len..].fill(0);
        self.used += space;
    }
}

/// One received datagram (S27).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Bytes placed in the buffers.
    pub bytes: usize,
    /// The source address.
    pub from: Option<SocketAddr>,
    /// What the control data said (destination, TOS, TTL...).
    pub controls: ReceivedControls,
    /// The datagram was longer than the buffers (`MSG_TRUNC`).
    pub truncated: bool,
    /// Coalesced data (URO, S44): the size of every datagram in `bytes`
    /// but the last, which may be shorter (`UDP_COALESCED_INFO`). `None`
    /// when `bytes` is one datagram.
    pub segment_size: Option<u32>,
}
