//! Control data of a received datagram: Linux cmsgs → [`ReceivedControls`]
//! → Windows `WSACMSGHDR` entries in the caller's buffer.

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use ws2_abi as abi;

use super::addr::socket_addr_to_windows;
use super::send_controls::LINUX_CMSG_HDR;
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
struct LinuxCmsgs {
    base: *const u8,
    end: usize,
    at: usize,
}

/// One cmsg of [`LinuxCmsgs`]: `len` is the payload's bytes within both
/// `cmsg_len` and `msg_controllen` (a cmsg cut short by `MSG_CTRUNC` has
/// fewer than its type needs).
struct LinuxCmsg {
    level: i32,
    kind: i32,
    data: *const u8,
    len: usize,
}

impl LinuxCmsgs {
    /// # Safety
    /// As [`controls_from_linux`].
    #[inline(always)]
    unsafe fn new(msg: &libc::msghdr) -> LinuxCmsgs {
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
    fn next(&mut self) -> Option<LinuxCmsg> {
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

/// The usual receive's translation in one pass (S27): the cmsgs the
/// kernel wrote through `msg` become Windows entries in `out` as they are
/// met, when they come in Windows' order, each type once (Linux writes
/// `IP_PKTINFO`, then `IP_TOS` for the usual options; `IP_TTL` before
/// `IP_TOS` and `IPV6_HOPLIMIT` before `IPV6_TCLASS` are not Windows'
/// order). Returns the bytes used, whether an entry did not fit
/// (`MSG_CTRUNC`) and `MSG_BCAST`/`MSG_MCAST`, as [`WindowsEntries`]
/// (and the general path) would; `None` when the order is not Windows':
/// then [`WindowsEntries`] rewrites `out` from its start (the entries
/// this pass wrote past that answer's byte count stay, beyond what the
/// caller's `Control.len` then claims).
///
/// # Safety
/// As [`controls_from_linux`].
#[inline(always)]
pub(crate) unsafe fn windows_entries_in_order(
    msg: &libc::msghdr,
    want_tos: bool,
    want_ecn: bool,
    out: &mut [u8],
) -> Option<(usize, bool, u32)> {
    // SAFETY: forwarded contract.
    if let Some(done) = unsafe { windows_entries_usual_pair(msg, want_tos, want_ecn, out) } {
        return Some(done);
    }
    let mut w = WindowsControlWriter {
        out,
        used: 0,
        truncated: false,
    };
    // The rank in Windows' order of the last entry written (0: none yet).
    let mut last = 0u32;
    let (mut flags_v4, mut flags_v6) = (0, 0);
    // SAFETY: forwarded contract.
    let mut cmsgs = unsafe { LinuxCmsgs::new(msg) };
    let windows_int = |v: u8| (v as i32).to_ne_bytes();
    while let Some(LinuxCmsg {
        level,
        kind,
        data,
        len,
    }) = cmsgs.next()
    {
        // SAFETY: `LinuxCmsgs` hands out payloads of `len` bytes within
        // both cmsg_len and msg_controllen; each value is read only when
        // `len` covers it (the rank's guard).
        let int = || unsafe { std::ptr::read_unaligned(data.cast::<libc::c_int>()) } as u8;
        const INT: usize = size_of::<libc::c_int>();
        let rank = match (level, kind) {
            (libc::SOL_IP, libc::IP_PKTINFO) if len >= size_of::<libc::in_pktinfo>() => 1,
            (libc::SOL_IPV6, libc::IPV6_PKTINFO) if len >= size_of::<libc::in6_pktinfo>() => 2,
            (libc::SOL_IP, libc::IP_TOS) if len >= 1 => 3,
            (libc::SOL_IP, libc::IP_TTL) if len >= INT => 4,
            (libc::SOL_IPV6, libc::IPV6_TCLASS) if len >= INT => 5,
            (libc::SOL_IPV6, libc::IPV6_HOPLIMIT) if len >= INT => 6,
            _ => continue,
        };
        if rank <= last {
            return None;
        }
        last = rank;
        match rank {
            1 => {
                // in_pktinfo: ifindex (int), spec_dst, addr; Windows'
                // IN_PKTINFO: addr, then the interface.
                // SAFETY: len covers an in_pktinfo (rank 1's guard).
                let p = unsafe { std::ptr::read_unaligned(data.cast::<libc::in_pktinfo>()) };
                let addr = p.ipi_addr.s_addr.to_ne_bytes();
                let a = u32::from_be_bytes(addr);
                flags_v4 = if a >> 28 == 0xe {
                    abi::MSG_MCAST
                } else if a == u32::MAX {
                    abi::MSG_BCAST
                } else {
                    0
                };
                let mut payload = [0u8; 8];
                payload[..4].copy_from_slice(&addr);
                payload[4..].copy_from_slice(&(p.ipi_ifindex as u32).to_ne_bytes());
                w.push(abi::IPPROTO_IP, abi::IP_PKTINFO, payload);
            }
            2 => {
                // in6_pktinfo and IN6_PKTINFO: the same 20 bytes.
                // SAFETY: len covers an in6_pktinfo (rank 2's guard).
                let payload = unsafe { std::ptr::read_unaligned(data.cast::<[u8; 20]>()) };
                if payload[0] == 0xff {
                    flags_v6 = abi::MSG_MCAST;
                }
                w.push(abi::IPPROTO_IPV6, abi::IPV6_PKTINFO, payload);
            }
            // Linux delivers IP_TOS as one byte; Windows as an INT.
            3 => {
                // SAFETY: len covers one byte (rank 3's guard).
                let tos = unsafe { *data };
                if want_tos {
                    w.push(abi::IPPROTO_IP, abi::IP_TOS, windows_int(tos));
                }
                if want_ecn {
                    w.push(abi::IPPROTO_IP, abi::IP_ECN, windows_int(tos & 3));
                }
            }
            4 => w.push(abi::IPPROTO_IP, abi::IP_TTL, windows_int(int())),
            5 => {
                let tclass = int();
                if want_tos {
                    w.push(abi::IPPROTO_IPV6, abi::IPV6_TCLASS, windows_int(tclass));
                }
                if want_ecn {
                    w.push(abi::IPPROTO_IPV6, abi::IPV6_ECN, windows_int(tclass & 3));
                }
            }
            _ => w.push(abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT, windows_int(int())),
        }
    }
    let flags = if flags_v4 != 0 { flags_v4 } else { flags_v6 };
    Some((w.used, w.truncated, flags))
}

/// A cmsg header's level and type as the one word they make in memory.
const fn level_and_type(level: i32, kind: i32) -> u64 {
    let (l, k) = (level.to_ne_bytes(), kind.to_ne_bytes());
    u64::from_ne_bytes([l[0], l[1], l[2], l[3], k[0], k[1], k[2], k[3]])
}

/// [`windows_entries_in_order`] at once for what Linux writes for a socket
/// that asked for its destination and one of TOS or ECN (a QUIC server's
/// options): `IP_PKTINFO` then `IP_TOS` (56 bytes), or `IPV6_PKTINFO` then
/// `IPV6_TCLASS` (64), recognised by their headers' four words and written
/// as Windows' two entries (48 or 64 bytes) into an `out` that holds them.
/// `None` for anything else: the walk decides.
///
/// # Safety
/// As [`controls_from_linux`].
#[inline(always)]
unsafe fn windows_entries_usual_pair(
    msg: &libc::msghdr,
    want_tos: bool,
    want_ecn: bool,
    out: &mut [u8],
) -> Option<(usize, bool, u32)> {
    const V4: usize = 32 + 24; // CMSG_SPACE(in_pktinfo) + CMSG_SPACE(1)
    const V6: usize = 40 + 24; // CMSG_SPACE(in6_pktinfo) + CMSG_SPACE(int)
    // The offsets below are those of 64-bit Linux: a 16-byte cmsghdr
    // whose `cmsg_len` is one word.
    const _: () = assert!(LINUX_CMSG_HDR == 16 && size_of::<libc::size_t>() == 8);
    let len = msg.msg_controllen;
    let base = msg.msg_control.cast::<u8>().cast_const();
    // Windows' entries: IN_PKTINFO (24) or IN6_PKTINFO (40), then an INT (24).
    let used = if len == V4 { 48 } else { 64 };
    if want_tos == want_ecn || (len != V4 && len != V6) || out.len() < used || base.is_null() {
        return None;
    }
    // SAFETY: every read lies within the len (56 or 64) bytes the kernel
    // wrote (the caller's contract); unaligned, as any buffer may be.
    let word = |at: usize| unsafe { std::ptr::read_unaligned(base.add(at).cast::<u64>()) };
    // SAFETY: as above.
    let word32 = |at: usize| unsafe { std::ptr::read_unaligned(base.add(at).cast::<u32>()) };
    let o = out.as_mut_ptr();
    // SAFETY: `out` holds `used` bytes (checked) and every write lies
    // within them; unaligned.
    let put = |at: usize, v: u64| unsafe { std::ptr::write_unaligned(o.add(at).cast::<u64>(), v) };
    // SAFETY: as above.
    let put32 =
        |at: usize, v: u32| unsafe { std::ptr::write_unaligned(o.add(at).cast::<u32>(), v) };
    let (value_kind, flags);
    if len == V4 {
        if (word(0), word(8), word(32), word(40))
            != (
                16 + 12,
                level_and_type(libc::SOL_IP, libc::IP_PKTINFO),
                16 + 1,
                level_and_type(libc::SOL_IP, libc::IP_TOS),
            )
        {
            return None;
        }
        // in_pktinfo: ifindex, spec_dst, addr; IN_PKTINFO: addr, ifindex.
        let (ifindex, addr) = (word32(16), word32(24));
        // SAFETY: byte 48 is the TOS byte, within the 56.
        let tos = unsafe { *base.add(48) };
        let a = u32::from_be_bytes(addr.to_ne_bytes());
        flags = if a >> 28 == 0xe {
            abi::MSG_MCAST
        } else if a == u32::MAX {
            abi::MSG_BCAST
        } else {
            0
        };
        let (kind, value) = if want_ecn {
            (abi::IP_ECN, tos & 3)
        } else {
            (abi::IP_TOS, tos)
        };
        put(0, abi::wsa_cmsg_len(8) as u64);
        put(8, level_and_type(abi::IPPROTO_IP, abi::IP_PKTINFO));
        put32(16, addr);
        put32(20, ifindex);
        value_kind = (24, level_and_type(abi::IPPROTO_IP, kind), value);
    } else {
        if (word(0), word(8), word(40), word(48))
            != (
                16 + 20,
                level_and_type(libc::SOL_IPV6, libc::IPV6_PKTINFO),
                16 + 4,
                level_and_type(libc::SOL_IPV6, libc::IPV6_TCLASS),
            )
        {
            return None;
        }
        // in6_pktinfo and IN6_PKTINFO: the same 20 bytes, then padding.
        let tclass = word32(56);
        // SAFETY: byte 16 is the address's first, within the 64.
        flags = if unsafe { *base.add(16) } == 0xff {
            abi::MSG_MCAST
        } else {
            0
        };
        let (kind, value) = if want_ecn {
            (abi::IPV6_ECN, tclass as u8 & 3)
        } else {
            (abi::IPV6_TCLASS, tclass as u8)
        };
        put(0, abi::wsa_cmsg_len(20) as u64);
        put(8, level_and_type(abi::IPPROTO_IPV6, abi::IPV6_PKTINFO));
        put(16, word(16));
        put(24, word(24));
        put32(32, word32(32));
        put32(36, 0);
        value_kind = (40, level_and_type(abi::IPPROTO_IPV6, kind), value);
    }
    // The TOS, traffic class or ECN entry: an INT, padded to 8.
    let (at, kind, value) = value_kind;
    put(at, abi::wsa_cmsg_len(4) as u64);
    put(at + 8, kind);
    put32(at + 16, u32::from(value));
    put32(at + 20, 0);
    Some((used, false, flags))
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

struct WindowsControlWriter<'a> {
    out: &'a mut [u8],
    used: usize,
    truncated: bool,
}

impl WindowsControlWriter<'_> {
    /// One entry of an `N`-byte payload (every size is a constant, so the
    /// copies are a few moves, not calls).
    #[inline(always)]
    fn push<const N: usize>(&mut self, level: i32, kind: i32, data: [u8; N]) {
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
