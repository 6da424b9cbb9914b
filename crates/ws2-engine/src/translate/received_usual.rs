//! The usual receive's translation (S27): the cmsgs Linux wrote become
//! Windows' entries in the caller's control buffer at once or in one pass,
//! with no `ReceivedControls` in between (`socket::recv`'s
//! `windows_outputs`; every other case goes through `received.rs`).

use ws2_abi as abi;

use super::cmsg_buf::LINUX_CMSG_HDR;
use super::received::{LinuxCmsg, LinuxCmsgs, WindowsControlWriter};

/// The usual receive's translation in one pass (S27): the cmsgs the
/// kernel wrote through `msg` become Windows entries in `out` as they are
/// met, when they come in Windows' order, each type once (Linux writes
/// `IP_PKTINFO`, then `IP_TOS` for the usual options; `IP_TTL` before
/// `IP_TOS` and `IPV6_HOPLIMIT` before `IPV6_TCLASS` are not Windows'
/// order). Returns the bytes used, whether an entry did not fit
/// (`MSG_CTRUNC`) and `MSG_BCAST`/`MSG_MCAST`, as [`WindowsEntries`](super::WindowsEntries)
/// (and the general path) would; `None` when the order is not Windows':
/// then [`WindowsEntries`](super::WindowsEntries) rewrites `out` from its start (the entries
/// this pass wrote past that answer's byte count stay, beyond what the
/// caller's `Control.len` then claims).
///
/// # Safety
/// As [`controls_from_linux`](super::controls_from_linux).
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
/// As [`controls_from_linux`](super::controls_from_linux).
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
