//! Target `cmsg_walk`: a Windows control buffer (`WSAMSG::Control`) through
//! the `WSA_CMSG_*` walk (`ws2_abi::ControlWalker`), the validation of S22
//! and S26 (`SendControls::from_windows`) and the translation to Linux
//! cmsgs (`CmsgBuf::encode`), each checked against a small model here.
//!
//! Input: `mode: u8` (bit 0: AF_INET6 socket, bit 1: IPv4 destination on
//! it), `socket_tos: u8`, then the control buffer (its length is
//! `Control.len`).

use std::net::{Ipv4Addr, Ipv6Addr};

use ws2_abi::{self as abi, ControlWalker};
use ws2_engine::Family;
use ws2_engine::translate::{CmsgBuf, SendControls};

use crate::input::{Input, Seed};

/// One entry as `WSA_CMSG_FIRSTHDR`/`WSA_CMSG_NXTHDR` reach it.
type Walked<'a> = Result<(usize, i32, i32, &'a [u8]), ()>;

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    let family = if mode & 1 == 0 {
        Family::V4
    } else {
        Family::V6
    };
    let to_v4 = family == Family::V4 || mode & 2 != 0;
    let socket_tos = input.u8();
    // libFuzzer's buffer is exactly this long: a read past it is an ASan report.
    let control = input.rest();

    let walked = walk_like_the_macros(control);
    let got: Vec<Walked<'_>> = ControlWalker::new(control)
        .map(|e| {
            e.map(|e| (e.offset, e.level, e.kind, e.data))
                .map_err(|_| ())
        })
        .collect();
    assert_eq!(
        got, walked,
        "S22: the walk differs from WSA_CMSG_FIRSTHDR/NXTHDR"
    );

    let want = model(&walked, family);
    match (SendControls::from_windows(control, family), want) {
        (Ok(got), Some(want)) => {
            assert_eq!(got, want, "S22/S26: wrong values");
            check_linux(&got, family, to_v4, socket_tos);
        }
        (Err(e), None) => {
            assert_eq!(e.code(), abi::WSAEINVAL, "S22: {e}");
            assert!(!e.message().is_empty());
        }
        (got, want) => panic!("S22/S26: from_windows gave {got:?}, the rules say {want:?}"),
    }
}

/// The walk of the C macros, in u128 so nothing overflows: the header at 0
/// when a whole one fits; the next at the aligned `cmsg_len` when a whole
/// one fits there; an entry shorter than a header or running past the end
/// is an error that ends the walk.
fn walk_like_the_macros(buf: &[u8]) -> Vec<Walked<'_>> {
    let mut out = Vec::new();
    let mut off = 0usize;
    while buf.len() >= off + 16 {
        let len = u64::from_ne_bytes(buf[off..off + 8].try_into().unwrap()) as u128;
        if len < 16 || off as u128 + len > buf.len() as u128 {
            out.push(Err(()));
            break;
        }
        let level = i32::from_ne_bytes(buf[off + 8..off + 12].try_into().unwrap());
        let kind = i32::from_ne_bytes(buf[off + 12..off + 16].try_into().unwrap());
        out.push(Ok((off, level, kind, &buf[off + 16..off + len as usize])));
        off += (len as usize + 7) & !7;
    }
    out
}

/// What S22/S26 accept: `None` when the buffer must fail with `WSAEINVAL`.
fn model(walked: &[Walked<'_>], family: Family) -> Option<SendControls> {
    fn once<T>(slot: &mut Option<T>, v: T) -> Option<()> {
        if slot.is_some() {
            return None; // the same control message twice
        }
        *slot = Some(v);
        Some(())
    }
    let v6 = family == Family::V6;
    let mut c = SendControls::default();
    for entry in walked {
        let &(_, level, kind, data) = entry.as_ref().ok()?;
        let int = || u8::try_from(i32::from_ne_bytes(data.try_into().ok()?)).ok();
        match (level, kind) {
            (abi::IPPROTO_IP, abi::IP_PKTINFO) => {
                let p: [u8; 8] = data.try_into().ok()?;
                let ifindex = u32::from_ne_bytes(p[4..].try_into().unwrap());
                once(
                    &mut c.source_v4,
                    (Ipv4Addr::new(p[0], p[1], p[2], p[3]), ifindex),
                )?
            }
            (abi::IPPROTO_IPV6, abi::IPV6_PKTINFO) if v6 => {
                let p: [u8; 20] = data.try_into().ok()?;
                let addr: [u8; 16] = p[..16].try_into().unwrap();
                let ifindex = u32::from_ne_bytes(p[16..].try_into().unwrap());
                once(&mut c.source_v6, (Ipv6Addr::from(addr), ifindex))?
            }
            (abi::IPPROTO_IP, abi::IP_TOS) => once(&mut c.tos, int()?)?,
            (abi::IPPROTO_IP, abi::IP_TTL) => once(&mut c.ttl, int().filter(|&v| v != 0)?)?,
            // S26: the two ECN bits, and never CE (3).
            (abi::IPPROTO_IP, abi::IP_ECN) => once(&mut c.ecn, int().filter(|&v| v < 3)?)?,
            (abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT) if v6 => once(&mut c.hop_limit, int()?)?,
            (abi::IPPROTO_IPV6, abi::IPV6_TCLASS) if v6 => once(&mut c.traffic_class, int()?)?,
            (abi::IPPROTO_IPV6, abi::IPV6_ECN) if v6 => {
                once(&mut c.ecn_v6, int().filter(|&v| v < 3)?)?
            }
            (abi::IPPROTO_UDP, abi::UDP_SEND_MSG_SIZE) => {
                let v = u32::from_ne_bytes(data.try_into().ok()?);
                let v = Some(v).filter(|&v| (1..=abi::UDP_MAX_MSG_SIZE_V6).contains(&v))?;
                once(&mut c.segment_size, v)?
            }
            // P4: an INT, any non-zero value is on.
            (abi::IPPROTO_IP, abi::IP_DONTFRAGMENT) => {
                let v = i32::from_ne_bytes(data.try_into().ok()?);
                once(&mut c.dont_fragment, v != 0)?
            }
            (abi::IPPROTO_IPV6, abi::IPV6_DONTFRAG) if v6 => {
                let v = i32::from_ne_bytes(data.try_into().ok()?);
                once(&mut c.dont_fragment_v6, v != 0)?
            }
            _ => return None,
        }
    }
    Some(c)
}

/// The Linux cmsgs `encode` writes, byte for byte: to an IPv4 destination
/// the IPv4 messages, to an IPv6 one the IPv6 messages (S25); the TOS byte
/// keeps its DSCP (from `IP_TOS` or the socket) under the ECN bits (S26).
fn check_linux(c: &SendControls, family: Family, to_v4: bool, socket_tos: u8) {
    fn push(out: &mut Vec<u8>, level: i32, kind: i32, data: &[u8]) {
        let hdr = std::mem::size_of::<libc::cmsghdr>();
        out.extend_from_slice(&((hdr + data.len()) as u64).to_ne_bytes());
        out.extend_from_slice(&level.to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(8), 0);
    }
    let merge = |tos: Option<u8>, ecn: Option<u8>| match ecn {
        None => tos,
        Some(ecn) => Some((tos.unwrap_or(socket_tos) & !3) | ecn),
    };
    let int = |v: u8| i32::from(v).to_ne_bytes();
    let mut want = Vec::new();
    if to_v4 {
        if let Some((addr, ifindex)) = c.source_v4 {
            // in_pktinfo: ipi_ifindex, ipi_spec_dst (the source), ipi_addr.
            let mut p = [0u8; 12];
            p[..4].copy_from_slice(&ifindex.to_ne_bytes());
            p[4..8].copy_from_slice(&addr.octets());
            push(&mut want, libc::SOL_IP, libc::IP_PKTINFO, &p);
        }
        if let Some(tos) = merge(c.tos, c.ecn) {
            push(&mut want, libc::SOL_IP, libc::IP_TOS, &int(tos));
        }
        if let Some(ttl) = c.ttl {
            push(&mut want, libc::SOL_IP, libc::IP_TTL, &int(ttl));
        }
    } else {
        if let Some((addr, ifindex)) = c.source_v6 {
            let mut p = [0u8; 20];
            p[..16].copy_from_slice(&addr.octets());
            p[16..].copy_from_slice(&ifindex.to_ne_bytes());
            push(&mut want, libc::SOL_IPV6, libc::IPV6_PKTINFO, &p);
        }
        if let Some(tclass) = merge(c.traffic_class, c.ecn_v6) {
            push(&mut want, libc::SOL_IPV6, libc::IPV6_TCLASS, &int(tclass));
        }
        if let Some(hops) = c.hop_limit {
            push(&mut want, libc::SOL_IPV6, libc::IPV6_HOPLIMIT, &int(hops));
        }
        // IPv4's don't-fragment is no cmsg (the send switches the socket).
        if let Some(on) = c.dont_fragment_v6 {
            push(
                &mut want,
                libc::SOL_IPV6,
                libc::IPV6_DONTFRAG,
                &i32::from(on).to_ne_bytes(),
            );
        }
    }
    let mut buf = CmsgBuf::default();
    buf.encode(c, family, to_v4, socket_tos);
    assert!(buf.len() <= buf.capacity());
    let got: &[u8] = if buf.is_empty() {
        &[]
    } else {
        // SAFETY: a CmsgBuf's first len() bytes are the cmsgs it wrote.
        unsafe { std::slice::from_raw_parts(buf.as_ptr(), buf.len()) }
    };
    assert_eq!(got, want, "S25/S26: Linux cmsgs differ");
}

/// One Windows control message: level, type, payload.
type Message = (i32, i32, Vec<u8>);

/// The seed corpus: valid buffers of every supported message, the shapes
/// S22 names (unpadded last entry, trailing bytes), and each way to be
/// wrong (short or lying `cmsg_len`, wrong payload size, wrong family,
/// twice, out-of-range values).
pub fn seeds() -> crate::Seeds {
    use abi::*;
    let int = |v: i32| v.to_ne_bytes().to_vec();
    let pktinfo4 = |a: [u8; 4], ifindex: u32| [&a[..], &ifindex.to_ne_bytes()].concat();
    let pktinfo6 = |a: Ipv6Addr, ifindex: u32| [&a.octets()[..], &ifindex.to_ne_bytes()].concat();
    let one = |level, kind, data: Vec<u8>| vec![(level, kind, data)];
    let entries: Vec<(&str, u8, Vec<Message>)> = vec![
        (
            "in_pktinfo",
            0,
            one(IPPROTO_IP, IP_PKTINFO, pktinfo4([127, 0, 0, 2], 1)),
        ),
        (
            "in6_pktinfo",
            1,
            one(IPPROTO_IPV6, IPV6_PKTINFO, pktinfo6(Ipv6Addr::LOCALHOST, 1)),
        ),
        (
            "in6_pktinfo_on_v4",
            0,
            one(IPPROTO_IPV6, IPV6_PKTINFO, pktinfo6(Ipv6Addr::LOCALHOST, 0)),
        ),
        ("ip_tos", 0, one(IPPROTO_IP, IP_TOS, int(0xb8))),
        ("ip_tos_256", 0, one(IPPROTO_IP, IP_TOS, int(256))),
        ("ip_ttl", 0, one(IPPROTO_IP, IP_TTL, int(64))),
        ("ip_ttl_0", 0, one(IPPROTO_IP, IP_TTL, int(0))),
        ("ip_ecn_ect1", 0, one(IPPROTO_IP, IP_ECN, int(1))),
        ("ip_ecn_ce", 0, one(IPPROTO_IP, IP_ECN, int(3))),
        ("ip_ecn_4", 0, one(IPPROTO_IP, IP_ECN, int(4))),
        ("ipv6_hoplimit", 1, one(IPPROTO_IPV6, IPV6_HOPLIMIT, int(9))),
        (
            "ipv6_tclass",
            1,
            one(IPPROTO_IPV6, IPV6_TCLASS, int(0x2e << 2)),
        ),
        ("ipv6_ecn", 1, one(IPPROTO_IPV6, IPV6_ECN, int(2))),
        (
            "ip_dontfragment",
            0,
            one(IPPROTO_IP, IP_DONTFRAGMENT, int(1)),
        ),
        ("ipv6_dontfrag", 1, one(IPPROTO_IPV6, IPV6_DONTFRAG, int(0))),
        (
            "udp_send_msg_size",
            0,
            one(
                IPPROTO_UDP,
                UDP_SEND_MSG_SIZE,
                1200u32.to_ne_bytes().to_vec(),
            ),
        ),
        (
            "udp_send_msg_size_0",
            0,
            one(IPPROTO_UDP, UDP_SEND_MSG_SIZE, 0u32.to_ne_bytes().to_vec()),
        ),
        (
            "udp_send_msg_size_65528",
            1,
            one(
                IPPROTO_UDP,
                UDP_SEND_MSG_SIZE,
                65528u32.to_ne_bytes().to_vec(),
            ),
        ),
        (
            "pktinfo_short_payload",
            0,
            one(IPPROTO_IP, IP_PKTINFO, vec![127, 0, 0, 1]),
        ),
        ("unknown_level", 0, one(0x1234, 1, int(1))),
        ("empty_payload", 0, one(IPPROTO_IP, IP_TOS, vec![])),
        (
            "tos_and_ecn",
            0,
            vec![
                (IPPROTO_IP, IP_TOS, int(0xb8)),
                (IPPROTO_IP, IP_ECN, int(1)),
            ],
        ),
        (
            "ttl_twice",
            0,
            vec![(IPPROTO_IP, IP_TTL, int(3)), (IPPROTO_IP, IP_TTL, int(4))],
        ),
        (
            "dual_stack_all",
            3,
            vec![
                (IPPROTO_IP, IP_PKTINFO, pktinfo4([127, 0, 0, 1], 0)),
                (IPPROTO_IPV6, IPV6_PKTINFO, pktinfo6(Ipv6Addr::LOCALHOST, 0)),
                (IPPROTO_IP, IP_TOS, int(0x20)),
                (IPPROTO_IP, IP_ECN, int(2)),
                (IPPROTO_IP, IP_TTL, int(5)),
                (IPPROTO_IPV6, IPV6_TCLASS, int(0x40)),
                (IPPROTO_IPV6, IPV6_ECN, int(1)),
                (IPPROTO_IPV6, IPV6_HOPLIMIT, int(7)),
                (
                    IPPROTO_UDP,
                    UDP_SEND_MSG_SIZE,
                    1400u32.to_ne_bytes().to_vec(),
                ),
            ],
        ),
        (
            "v6_native_all",
            1,
            vec![
                (
                    IPPROTO_IPV6,
                    IPV6_PKTINFO,
                    pktinfo6("fe80::1".parse().unwrap(), 3),
                ),
                (IPPROTO_IPV6, IPV6_TCLASS, int(0xb8)),
                (IPPROTO_IPV6, IPV6_ECN, int(1)),
            ],
        ),
    ];
    let mut out = Vec::new();
    for (name, mode, msgs) in entries {
        let mut control = Vec::new();
        for (level, kind, data) in &msgs {
            push_control(&mut control, *level, *kind, data);
        }
        out.push((name.to_string(), seed(mode, 0, &control)));
    }
    // S22 shapes of the buffer itself.
    let mut pk = Vec::new();
    push_control(
        &mut pk,
        IPPROTO_IPV6,
        IPV6_PKTINFO,
        &pktinfo6(Ipv6Addr::LOCALHOST, 0),
    );
    let unpadded = &pk[..wsa_cmsg_len(20)];
    out.push(("len_ends_at_unpadded_entry".into(), seed(1, 0, unpadded)));
    let mut trailing = Vec::new();
    push_control(&mut trailing, IPPROTO_IP, IP_TTL, &int(1));
    trailing.extend_from_slice(&[0xff; 15]);
    out.push(("trailing_15_bytes".into(), seed(0, 0, &trailing)));
    out.push(("fifteen_bytes".into(), seed(0, 0, &[0u8; 15])));
    out.push(("empty".into(), seed(0, 0x28, &[])));
    for (name, len) in [
        ("cmsg_len_15", 15u64),
        ("cmsg_len_25_past_end", 25),
        ("cmsg_len_max", u64::MAX),
        ("cmsg_len_0", 0),
    ] {
        let mut b = Vec::new();
        push_control(&mut b, IPPROTO_IP, IP_TTL, &int(1));
        b[..8].copy_from_slice(&len.to_ne_bytes());
        out.push((name.into(), seed(0, 0, &b)));
    }
    // The second header's cmsg_len lies past Control.len.
    let mut b = Vec::new();
    push_control(&mut b, IPPROTO_IP, IP_TTL, &int(1));
    push_control(&mut b, IPPROTO_IP, IP_TOS, &int(1));
    b[24..32].copy_from_slice(&4096u64.to_ne_bytes());
    out.push(("second_entry_lies".into(), seed(0, 0, &b)));
    out
}

fn seed(mode: u8, socket_tos: u8, control: &[u8]) -> Vec<u8> {
    Seed::default()
        .u8(mode)
        .u8(socket_tos)
        .bytes(control)
        .finish()
}
