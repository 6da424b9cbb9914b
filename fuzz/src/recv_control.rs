//! Target `recv_control`: what a receive does with control data (S27).
//! Linux cmsgs, laid out exactly as the kernel's `put_cmsg` lays them out in
//! a `msg_controllen` of any size (a cmsg that does not fit is cut to the
//! room left and `MSG_CTRUNC` set; no room for a header, nothing), are
//! decoded by `translate::controls_from_linux`, then written in Windows
//! layout into a caller's `Control` buffer of any length by `controls_to_windows`:
//! each entry whole or not at all, in order, stopping at the first that
//! does not fit (`MSG_CTRUNC`), `cmsg_len` unpadded, nothing touched past
//! the bytes reported used.
//!
//! Input: `mode: u8` (bit 0: `IP_RECVTOS`/`IPV6_RECVTCLASS` on, bit 1:
//! `IP_RECVECN`/`IPV6_RECVECN` on), `msg_controllen: u16`, `Control.len:
//! u16`, then cmsgs, each `kind: u8` and its payload: 0 `IP_PKTINFO` (12
//! bytes), 1 `IPV6_PKTINFO` (20), 2 `IP_TOS` (1), 3 `IP_TTL` (4), 4
//! `IPV6_TCLASS` (4), 5 `IPV6_HOPLIMIT` (4), else `level: i32, type: i32,
//! len: u8` and `len` bytes.

use std::alloc::{Layout, alloc, dealloc};
use std::net::{Ipv4Addr, Ipv6Addr};

use ws2_abi::{self as abi, ControlWalker};
use ws2_engine::ReceivedControls;
use ws2_engine::translate::{controls_from_linux, controls_to_windows, controls_windows_flags};

use crate::input::{Input, Seed};

/// The byte the caller's buffer holds before the call.
const UNTOUCHED: u8 = 0xa5;
const CMSGHDR: usize = size_of::<libc::cmsghdr>();

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    let (want_tos, want_ecn) = (mode & 1 != 0, mode & 2 != 0);
    let controllen = usize::from(input.u16());
    let out_len = usize::from(input.u16());

    let mut kernel = Kernel::new(controllen);
    while !input.is_empty() {
        let (level, kind, payload) = match input.u8() {
            0 => (libc::SOL_IP, libc::IP_PKTINFO, input.bytes(12)),
            1 => (libc::SOL_IPV6, libc::IPV6_PKTINFO, input.bytes(20)),
            2 => (libc::SOL_IP, libc::IP_TOS, input.bytes(1)),
            3 => (libc::SOL_IP, libc::IP_TTL, input.bytes(4)),
            4 => (libc::SOL_IPV6, libc::IPV6_TCLASS, input.bytes(4)),
            5 => (libc::SOL_IPV6, libc::IPV6_HOPLIMIT, input.bytes(4)),
            _ => {
                let (level, kind, len) = (input.i32(), input.i32(), input.u8());
                (level, kind, input.bytes(len.into()))
            }
        };
        kernel.put(level, kind, payload);
    }

    let control = AlignedCopy::new(&kernel.buf);
    // SAFETY: msghdr is plain data; all-zero is an empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_control = control.ptr.cast();
    msg.msg_controllen = kernel.buf.len();
    // SAFETY: msg_control holds msg_controllen bytes of cmsgs as the kernel
    // writes them, in an 8-aligned block of exactly that size (ASan sees
    // any read past it).
    let got = unsafe { controls_from_linux(&msg, want_tos, want_ecn) };
    assert_eq!(
        got,
        decode_model(&kernel.entries, want_tos, want_ecn),
        "S27: decoded"
    );

    let mut out = vec![UNTOUCHED; out_len].into_boxed_slice();
    let (used, truncated) = controls_to_windows(&got, &mut out);
    let want = write_model(&got, out_len);
    assert_eq!(
        (used, truncated),
        (want.used, want.truncated),
        "S27: used, MSG_CTRUNC"
    );
    assert_eq!(
        out[..],
        want.bytes[..],
        "S27: Windows layout, untouched past `used`"
    );
    let walked: Vec<_> = ControlWalker::new(&out[..used]).collect();
    assert_eq!(walked.len(), want.entries, "S22 walk of what S27 wrote");
    assert!(walked.iter().all(Result::is_ok));

    let flags = controls_windows_flags(&got);
    let want_flags = match (got.destination_v4, got.destination_v6) {
        (Some((a, _)), _) if a.is_multicast() => abi::MSG_MCAST,
        (Some((a, _)), _) if a.is_broadcast() => abi::MSG_BCAST,
        (_, Some((a, _))) if a.is_multicast() => abi::MSG_MCAST,
        _ => 0,
    };
    assert_eq!(flags, want_flags);
}

/// A control buffer as `recvmsg` fills it: Linux's `put_cmsg`.
struct Kernel {
    buf: Vec<u8>,
    room: usize,
    /// (level, type, cmsg_len, payload as far as it was written).
    entries: Vec<(i32, i32, Vec<u8>)>,
}

impl Kernel {
    fn new(controllen: usize) -> Kernel {
        Kernel {
            buf: Vec::new(),
            room: controllen,
            entries: Vec::new(),
        }
    }

    fn put(&mut self, level: i32, kind: i32, data: &[u8]) {
        if self.room < CMSGHDR {
            return; // MSG_CTRUNC, nothing written
        }
        let cmsg_len = (CMSGHDR + data.len()).min(self.room);
        let written = &data[..cmsg_len - CMSGHDR];
        self.buf.extend_from_slice(&(cmsg_len as u64).to_ne_bytes());
        self.buf.extend_from_slice(&level.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(written);
        let space = (CMSGHDR + data.len().next_multiple_of(8)).min(self.room);
        // The kernel skips the padding without writing it; the buffer ws2
        // gives it is its own, so any byte will do: zero.
        self.buf.resize(self.buf.len() + space - cmsg_len, 0);
        self.room -= space;
        self.entries.push((level, kind, written.to_vec()));
    }
}

/// What `controls_from_linux` must find: each message the kernel wrote whole (a
/// message cut short by `MSG_CTRUNC` carries no value), the last of a kind
/// winning; TOS and ECN as the socket asked for them (S27).
fn decode_model(
    entries: &[(i32, i32, Vec<u8>)],
    want_tos: bool,
    want_ecn: bool,
) -> ReceivedControls {
    let mut out = ReceivedControls::default();
    let int = |d: &[u8]| i32::from_ne_bytes(d[..4].try_into().unwrap()) as u8;
    for (level, kind, d) in entries {
        match (*level, *kind, d.len()) {
            (libc::SOL_IP, libc::IP_PKTINFO, 12..) => {
                let ifindex = i32::from_ne_bytes(d[..4].try_into().unwrap()) as u32;
                let addr = Ipv4Addr::from(<[u8; 4]>::try_from(&d[8..12]).unwrap());
                out.destination_v4 = Some((addr, ifindex));
            }
            (libc::SOL_IPV6, libc::IPV6_PKTINFO, 20..) => {
                let addr = Ipv6Addr::from(<[u8; 16]>::try_from(&d[..16]).unwrap());
                out.destination_v6 =
                    Some((addr, u32::from_ne_bytes(d[16..20].try_into().unwrap())));
            }
            (libc::SOL_IP, libc::IP_TOS, 1..) => {
                out.tos = want_tos.then_some(d[0]);
                out.ecn = want_ecn.then_some(d[0] & 3);
            }
            (libc::SOL_IP, libc::IP_TTL, 4..) => out.ttl = Some(int(d)),
            (libc::SOL_IPV6, libc::IPV6_TCLASS, 4..) => {
                out.traffic_class = want_tos.then_some(int(d));
                out.ecn_v6 = want_ecn.then_some(int(d) & 3);
            }
            (libc::SOL_IPV6, libc::IPV6_HOPLIMIT, 4..) => out.hop_limit = Some(int(d)),
            _ => {}
        }
    }
    out
}

struct Written {
    bytes: Vec<u8>,
    used: usize,
    truncated: bool,
    entries: usize,
}

/// The Windows entries in ws2's order, each `WSA_CMSG_LEN` long with an
/// unpadded `cmsg_len`, advanced by `WSA_CMSG_SPACE` (the padding zeroed,
/// as far as the buffer goes); the first that does not fit ends the write.
fn write_model(c: &ReceivedControls, out_len: usize) -> Written {
    let int = |v: Option<u8>| v.map(|v| i32::from(v).to_ne_bytes().to_vec());
    let pktinfo4 = c
        .destination_v4
        .map(|(a, i)| [&a.octets()[..], &i.to_ne_bytes()].concat());
    let pktinfo6 = c
        .destination_v6
        .map(|(a, i)| [&a.octets()[..], &i.to_ne_bytes()].concat());
    let entries = [
        (abi::IPPROTO_IP, abi::IP_PKTINFO, pktinfo4),
        (abi::IPPROTO_IPV6, abi::IPV6_PKTINFO, pktinfo6),
        (abi::IPPROTO_IP, abi::IP_TOS, int(c.tos)),
        (abi::IPPROTO_IP, abi::IP_ECN, int(c.ecn)),
        (abi::IPPROTO_IP, abi::IP_TTL, int(c.ttl)),
        (abi::IPPROTO_IPV6, abi::IPV6_TCLASS, int(c.traffic_class)),
        (abi::IPPROTO_IPV6, abi::IPV6_ECN, int(c.ecn_v6)),
        (abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT, int(c.hop_limit)),
    ];
    let mut w = Written {
        bytes: Vec::new(),
        used: 0,
        truncated: false,
        entries: 0,
    };
    for (level, kind, data) in entries {
        let Some(data) = data else { continue };
        let mut entry = Vec::new();
        abi::push_control(&mut entry, level, kind, &data);
        if w.used + abi::wsa_cmsg_len(data.len()) > out_len {
            w.truncated = true;
            break;
        }
        entry.truncate(out_len - w.used);
        w.used += entry.len();
        w.bytes.extend_from_slice(&entry);
        w.entries += 1;
    }
    w.bytes.resize(out_len, UNTOUCHED);
    w
}

/// An 8-aligned heap block of exactly the cmsgs' length (`cmsghdr`
/// alignment, as the kernel's buffer has), so ASan reports a read past
/// `msg_controllen`.
struct AlignedCopy {
    ptr: *mut u8,
    layout: Option<Layout>,
}

impl AlignedCopy {
    fn new(bytes: &[u8]) -> AlignedCopy {
        if bytes.is_empty() {
            return AlignedCopy {
                ptr: std::ptr::null_mut(),
                layout: None,
            };
        }
        let layout = Layout::from_size_align(bytes.len(), 8).unwrap();
        // SAFETY: layout has a non-zero size.
        let ptr = unsafe { alloc(layout) };
        assert!(!ptr.is_null());
        // SAFETY: ptr is a fresh block of bytes.len() bytes.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len()) };
        AlignedCopy {
            ptr,
            layout: Some(layout),
        }
    }
}

impl Drop for AlignedCopy {
    fn drop(&mut self) {
        if let Some(layout) = self.layout {
            // SAFETY: allocated in new with this layout.
            unsafe { dealloc(self.ptr, layout) };
        }
    }
}

/// Cmsgs in the input format: kind byte, payload.
type Cmsgs = Vec<(u8, Vec<u8>)>;

/// Seeds: what an IPv4, an IPv6 and a dual-stack socket receive with every
/// option on, into caller buffers of the exact size, one byte short, a
/// header's worth and none; kernel buffers that cut the last cmsg; foreign
/// cmsgs (`SO_TIMESTAMP`, `IP_RECVERR`) among ours.
pub fn seeds() -> crate::Seeds {
    let pktinfo4 = |ifindex: i32, dst: [u8; 4]| [&ifindex.to_ne_bytes()[..], &dst, &dst].concat();
    let pktinfo6 = |a: Ipv6Addr, ifindex: u32| [&a.octets()[..], &ifindex.to_ne_bytes()].concat();
    let int = |v: i32| v.to_ne_bytes().to_vec();
    let v4 = vec![
        (0u8, pktinfo4(1, [127, 0, 0, 1])),
        (2, vec![0xb9]),
        (3, int(64)),
    ];
    let v6 = vec![
        (1u8, pktinfo6(Ipv6Addr::LOCALHOST, 1)),
        (4, int(0x2e << 2 | 1)),
        (5, int(64)),
    ];
    let dual = vec![
        (1u8, pktinfo6("::ffff:127.0.0.1".parse().unwrap(), 1)),
        (0, pktinfo4(1, [127, 0, 0, 1])),
        (2, vec![0x02]),
        (3, int(1)),
    ];
    let multicast = vec![(0u8, pktinfo4(2, [224, 0, 0, 251])), (2, vec![0])];
    let broadcast = vec![(0u8, pktinfo4(2, [255; 4]))];
    let mcast6 = vec![(1u8, pktinfo6("ff02::fb".parse().unwrap(), 2))];
    // SO_TIMESTAMP (a timeval) and an IP_RECVERR-sized foreign cmsg.
    let foreign = |level: i32, kind: i32, len: u8| {
        let mut b = Seed::default();
        b.i32(level)
            .i32(kind)
            .u8(len)
            .bytes(&vec![0x5a; len.into()]);
        (6u8, b.finish())
    };
    let mixed = vec![
        foreign(libc::SOL_SOCKET, libc::SO_TIMESTAMP, 16),
        (0u8, pktinfo4(1, [127, 0, 0, 1])),
        foreign(libc::SOL_IP, libc::IP_RECVERR, 32),
        (3, int(64)),
    ];
    let short_known = vec![
        foreign(libc::SOL_IP, libc::IP_PKTINFO, 4),
        foreign(libc::SOL_IPV6, libc::IPV6_TCLASS, 1),
        foreign(libc::SOL_IP, libc::IP_TTL, 0),
    ];
    let cases: Vec<(&str, u8, u16, u16, &Cmsgs)> = vec![
        ("v4_all", 3, 192, 1024, &v4),
        ("v4_exact", 3, 192, 24 + 24 + 24 + 24, &v4),
        ("v4_one_short", 3, 192, 24 + 24 + 24 + 20 - 1, &v4),
        ("v4_header_only", 3, 192, 16, &v4),
        ("v4_no_room", 1, 192, 0, &v4),
        ("v4_tos_only", 1, 192, 64, &v4),
        ("v4_ecn_only", 2, 192, 64, &v4),
        ("v4_kernel_cut_pktinfo", 3, 20, 1024, &v4),
        ("v4_kernel_cut_ttl", 3, 32 + 24 + 18, 1024, &v4),
        ("v4_kernel_15", 3, 15, 1024, &v4),
        ("v6_all", 3, 192, 1024, &v6),
        (
            "v6_exact_unpadded_last",
            3,
            192,
            40 + 24 + 24 + 24 + 20,
            &v6,
        ),
        ("v6_pktinfo_36", 0, 192, 36, &v6),
        ("v6_kernel_cut_pktinfo", 3, 30, 1024, &v6),
        ("dual_all", 3, 192, 1024, &dual),
        ("dual_cut_in_middle", 3, 192, 40 + 24 + 10, &dual),
        ("multicast", 1, 192, 256, &multicast),
        ("broadcast", 0, 192, 256, &broadcast),
        ("multicast_v6", 0, 192, 256, &mcast6),
        ("foreign_among_ours", 3, 192, 256, &mixed),
        ("foreign_kernel_cut", 3, 40, 256, &mixed),
        ("known_types_short_payloads", 3, 192, 256, &short_known),
    ];
    cases
        .into_iter()
        .map(|(name, mode, controllen, out_len, cmsgs)| {
            let mut s = Seed::default();
            s.u8(mode).u16(controllen).u16(out_len);
            for (kind, payload) in cmsgs {
                s.u8(*kind).bytes(payload);
            }
            (name.to_string(), s.finish())
        })
        .collect()
}
