//! Unit tests of the translation (S8, S21–S27).

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use proptest::prelude::*;
use ws2_abi as abi;

use super::cmsg_buf::{linux_cmsg_space, merge_ecn};
use super::*;

fn pktinfo(addr: [u8; 4], ifindex: u32) -> Vec<u8> {
    let mut p = addr.to_vec();
    p.extend_from_slice(&ifindex.to_ne_bytes());
    p
}

#[test]
fn windows_pktinfo_becomes_linux_spec_dst() {
    // S23
    let mut buf = Vec::new();
    abi::push_control(
        &mut buf,
        abi::IPPROTO_IP,
        abi::IP_PKTINFO,
        &pktinfo([127, 0, 0, 2], 1),
    );
    let c = SendControls::from_windows(&buf, Family::V4).unwrap();
    assert_eq!(c.source_v4, Some((Ipv4Addr::new(127, 0, 0, 2), 1)));
    let mut cm = CmsgBuf::default();
    cm.encode(&c, Family::V4, true, 0);
    assert_eq!(cm.len(), linux_cmsg_space(12));
    // SAFETY (test): the buffer holds one in_pktinfo cmsg.
    let info = unsafe { std::ptr::read(cm.as_ptr().add(16).cast::<libc::in_pktinfo>()) };
    assert_eq!(info.ipi_spec_dst.s_addr.to_ne_bytes(), [127, 0, 0, 2]);
    assert_eq!(info.ipi_ifindex, 1);
}

#[test]
fn s22_rejections() {
    // S22: wrong payload size, unsupported type, duplicate, wrong family.
    let mut short = Vec::new();
    abi::push_control(&mut short, abi::IPPROTO_IP, abi::IP_PKTINFO, &[0; 4]);
    let mut unknown = Vec::new();
    abi::push_control(&mut unknown, 99, 1, &[0; 4]);
    let mut twice = Vec::new();
    abi::push_control(&mut twice, abi::IPPROTO_IP, abi::IP_PKTINFO, &[0; 8]);
    abi::push_control(&mut twice, abi::IPPROTO_IP, abi::IP_PKTINFO, &[0; 8]);
    let mut v6_on_v4 = Vec::new();
    abi::push_control(
        &mut v6_on_v4,
        abi::IPPROTO_IPV6,
        abi::IPV6_PKTINFO,
        &[0; 20],
    );
    for (buf, needle) in [
        (&short, "payload is 4 bytes, expected 8"),
        (&unknown, "level 99 type 1 is not supported"),
        (&twice, "appears twice"),
        (&v6_on_v4, "does not fit an AF_INET socket"),
    ] {
        let err = SendControls::from_windows(buf, Family::V4).unwrap_err();
        assert_eq!(err.code(), abi::WSAEINVAL);
        assert!(err.message().contains(needle), "{err}");
    }
    assert!(SendControls::from_windows(&v6_on_v4, Family::V6).is_ok());
}

#[test]
fn ecn_merges_with_tos() {
    // S26
    let c = SendControls::from_messages(
        &[ControlMessage::Tos(0xb8), ControlMessage::Ecn(1)],
        Family::V4,
    )
    .unwrap();
    assert_eq!(merge_ecn(c.tos, c.ecn, 0), Some(0xb9));
    assert_eq!(merge_ecn(None, Some(2), 0x20), Some(0x22));
    let err = SendControls::from_messages(&[ControlMessage::Ecn(4)], Family::V4).unwrap_err();
    assert!(err.message().contains("ECN"));
}

/// `entries` zero-length WSABUFs that end where a PROT_NONE page begins.
struct GuardedArray {
    map: *mut libc::c_void,
    map_len: usize,
    bufs: *const abi::WSABUF,
}

impl Drop for GuardedArray {
    fn drop(&mut self) {
        // SAFETY (test): our own mapping, no longer used.
        unsafe { libc::munmap(self.map, self.map_len) };
    }
}

fn before_guard_page(entries: usize) -> GuardedArray {
    let bytes = entries * size_of::<abi::WSABUF>();
    let pages = bytes.div_ceil(4096);
    let map_len = (pages + 1) * 4096;
    // SAFETY (test): a fresh anonymous mapping; its last page made PROT_NONE.
    unsafe {
        let map = libc::mmap(
            std::ptr::null_mut(),
            map_len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(map, libc::MAP_FAILED);
        let guard = map.cast::<u8>().add(pages * 4096);
        assert_eq!(libc::mprotect(guard.cast(), 4096, libc::PROT_NONE), 0);
        // mmap memory is zeroed: zero-length, NULL buffers are valid.
        GuardedArray {
            map,
            map_len,
            bufs: guard.sub(bytes).cast(),
        }
    }
}

#[test]
fn every_received_control_fits_received_control_max() {
    let all = ReceivedControls {
        destination_v4: Some((Ipv4Addr::LOCALHOST, 1)),
        destination_v6: Some((Ipv6Addr::LOCALHOST, 1)),
        tos: Some(1),
        ecn: Some(1),
        ttl: Some(1),
        traffic_class: Some(1),
        ecn_v6: Some(1),
        hop_limit: Some(1),
        interface_v4: Some(1),
        interface_v6: Some(1),
        destination_addr_v4: Some(Ipv4Addr::LOCALHOST),
        destination_addr_v6: Some(Ipv6Addr::LOCALHOST),
    };
    let mut out = [0u8; RECEIVED_CONTROL_MAX];
    let (used, truncated) = controls_to_windows(&all, &mut out);
    assert!(!truncated);
    // UDP_COALESCED_INFO (S44) follows them.
    assert_eq!(
        coalesced_info_to_windows(1200, &mut out[used..]),
        (RECEIVED_CONTROL_MAX - used, false)
    );
}

#[test]
fn ecn_congestion_experienced_is_refused() {
    // S26 (Microsoft's Winsock ECN page: a sender may not set CE).
    for msg in [ControlMessage::Ecn(3), ControlMessage::EcnV6(3)] {
        let err = SendControls::from_messages(&[msg], Family::V6).unwrap_err();
        assert_eq!(err.code(), abi::WSAEINVAL);
        assert!(err.message().contains("Congestion Experienced"), "{err}");
    }
    for (level, kind) in [
        (abi::IPPROTO_IP, abi::IP_ECN),
        (abi::IPPROTO_IPV6, abi::IPV6_ECN),
    ] {
        let mut buf = Vec::new();
        abi::push_control(
            &mut buf,
            abi::IPPROTO_IP,
            abi::IP_TOS,
            &0xb8i32.to_ne_bytes(),
        );
        abi::push_control(&mut buf, level, kind, &3i32.to_ne_bytes());
        let err = SendControls::from_windows(&buf, Family::V6).unwrap_err();
        assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    }
}

#[test]
fn dual_stack_picks_by_destination() {
    // S25
    let c = SendControls::from_messages(
        &[
            ControlMessage::SourceV4 {
                addr: Ipv4Addr::new(127, 0, 0, 3),
                ifindex: 0,
            },
            ControlMessage::SourceV6 {
                addr: Ipv6Addr::LOCALHOST,
                ifindex: 0,
            },
        ],
        Family::V6,
    )
    .unwrap();
    let mut to_v4 = CmsgBuf::default();
    to_v4.encode(&c, Family::V6, true, 0);
    // SAFETY (test): one cmsghdr at the start of an 8-aligned buffer.
    let hdr = unsafe { std::ptr::read(to_v4.as_ptr().cast::<libc::cmsghdr>()) };
    assert_eq!(
        (hdr.cmsg_level, hdr.cmsg_type),
        (libc::SOL_IP, libc::IP_PKTINFO)
    );
    let mut to_v6 = CmsgBuf::default();
    to_v6.encode(&c, Family::V6, false, 0);
    // SAFETY (test): as above.
    let hdr = unsafe { std::ptr::read(to_v6.as_ptr().cast::<libc::cmsghdr>()) };
    assert_eq!(
        (hdr.cmsg_level, hdr.cmsg_type),
        (libc::SOL_IPV6, libc::IPV6_PKTINFO)
    );
}

#[test]
fn sockaddr_round_trip_and_s8_errors() {
    // S8
    let addr: SocketAddr = "[fe80::1%3]:4433".parse().unwrap();
    let mut out = abi::SOCKADDR_STORAGE::default();
    let mut len = 128i32;
    // SAFETY (test): out is 128 writable bytes.
    unsafe { socket_addr_to_windows(&addr, (&raw mut out).cast(), &mut len).unwrap() };
    assert_eq!(len, 28);
    assert_eq!(out.ss_family, 23);
    // SAFETY (test): out holds 28 readable bytes.
    let back = unsafe { socket_addr_from_windows((&raw const out).cast(), len) }.unwrap();
    assert_eq!(back, addr);
    // SAFETY (test): as above; shorter lengths are checked before reading.
    let err = unsafe { socket_addr_from_windows((&raw const out).cast(), 24) }.unwrap_err();
    assert_eq!(err.code(), abi::WSAEFAULT);
    out.ss_family = 1;
    // SAFETY (test): as above.
    let err = unsafe { socket_addr_from_windows((&raw const out).cast(), 28) }.unwrap_err();
    assert_eq!(err.code(), abi::WSAEAFNOSUPPORT);
    let err = LinuxAddr::new(&addr, Family::V4).err().unwrap();
    assert_eq!(err.code(), abi::WSAEAFNOSUPPORT);
    let mapped = LinuxAddr::new(&"127.0.0.1:9".parse().unwrap(), Family::V6).unwrap();
    assert_eq!(
        mapped.to_socket_addr().unwrap(),
        "[::ffff:127.0.0.1]:9".parse().unwrap()
    );
}

#[test]
fn wsabufs_gather_inline_and_heap() {
    // S21
    let mut data = [1u8, 2, 3];
    for count in [0usize, 1, 16, 17, 40] {
        let bufs: Vec<abi::WSABUF> = (0..count)
            .map(|_| abi::WSABUF {
                len: 3,
                buf: data.as_mut_ptr().cast(),
            })
            .collect();
        // SAFETY (test): bufs has `count` WSABUFs.
        let iov = unsafe { IoVecs::from_wsabufs(bufs.as_ptr(), count as u32) }.unwrap();
        assert_eq!(iov.len(), count);
        assert_eq!(iov.total(), 3 * count);
    }
    // SAFETY (test): null is allowed and rejected.
    let err = unsafe { IoVecs::from_wsabufs(std::ptr::null(), 2) }
        .err()
        .unwrap();
    assert_eq!(err.code(), abi::WSAEFAULT);
}

proptest! {
    // S21: any WSABUF array (up to past MAX_IOVECS, zero lengths too)
    // gathers to iovecs of the same lengths and total; past MAX_IOVECS
    // one bounce buffer holds the bytes in order (within S11's max).
    #[test]
    fn wsabuf_arrays_gather_and_bounce(lens in proptest::collection::vec(0u32..48, 0..2100)) {
        let total: usize = lens.iter().map(|&l| l as usize).sum();
        let data: Vec<u8> = (0..total).map(|i| (i * 13) as u8).collect();
        let mut at = 0;
        let bufs: Vec<abi::WSABUF> = lens
            .iter()
            .map(|&l| {
                let b = abi::WSABUF { len: l, buf: data[at..].as_ptr().cast_mut().cast() };
                at += l as usize;
                b
            })
            .collect();
        let mut iov = IoVecs::new();
        // SAFETY (test): `bufs` holds lens.len() WSABUFs over `data`.
        unsafe { iov.gather(bufs.as_ptr(), bufs.len() as u32) }.unwrap();
        prop_assert_eq!(iov.len(), lens.len());
        prop_assert_eq!(iov.total(), total);
        // SAFETY (test): the iovecs describe `data`.
        let bounce = unsafe { iov.bounce(65507) }.unwrap();
        match bounce {
            Some(b) => {
                prop_assert!(lens.len() > MAX_IOVECS);
                prop_assert_eq!(&b[..], &data[..]);
                prop_assert_eq!((iov.len(), iov.total()), (1, total));
                // SAFETY (test): one initialised iovec.
                prop_assert_eq!(unsafe { (*iov.as_ptr()).iov_base }, b.as_ptr().cast_mut().cast());
            }
            None => prop_assert!(lens.len() <= MAX_IOVECS || total > 65507),
        }
    }

    // S3, S21: a WSABUF array that ends where an unreadable page begins:
    // any count past its end (up to 0xFFFFFFFF) is WSAEFAULT once there
    // are more than INLINE_BUFFERS, never a fault or an allocation of
    // the count; counts within it gather.
    #[test]
    fn counts_past_an_unreadable_page_are_wsaefault(entries in 1usize..80, count in any::<u32>()) {
        let guarded = before_guard_page(entries);
        let bufs = guarded.bufs;
        let mut iov = IoVecs::new();
        let readable = count as usize <= entries;
        if !readable && count as usize <= INLINE_BUFFERS {
            return Ok(()); // read directly, as the contract allows: not probed
        }
        // SAFETY (test): `bufs` holds `entries` WSABUFs; a longer count
        // is probed (count > INLINE_BUFFERS).
        let r = unsafe { iov.gather(bufs, count) };
        if readable {
            prop_assert!(r.is_ok());
            prop_assert_eq!(iov.len(), count as usize);
        } else {
            prop_assert_eq!(r.unwrap_err().code(), abi::WSAEFAULT);
        }
    }

    // S26: an IP_ECN/IPV6_ECN entry of any INT value is accepted exactly
    // when it is Not-ECT, ECT(1) or ECT(0) (0-2), else WSAEINVAL.
    #[test]
    fn ecn_values_accepted_iff_sendable(v in any::<i32>(), v6 in any::<bool>()) {
        let (level, kind) = if v6 {
            (abi::IPPROTO_IPV6, abi::IPV6_ECN)
        } else {
            (abi::IPPROTO_IP, abi::IP_ECN)
        };
        let mut buf = Vec::new();
        abi::push_control(&mut buf, level, kind, &v.to_ne_bytes());
        match SendControls::from_windows(&buf, Family::V6) {
            Ok(c) => {
                prop_assert!((0..=2).contains(&v), "{v} accepted");
                prop_assert_eq!(if v6 { c.ecn_v6 } else { c.ecn }, Some(v as u8));
            }
            Err(e) => {
                prop_assert!(!(0..=2).contains(&v), "{v} refused: {e}");
                prop_assert_eq!(e.code(), abi::WSAEINVAL);
            }
        }
    }

    // S8: any bytes and namelen read as a SOCKADDR give an address, or
    // WSAEFAULT (too short for its family) / WSAEAFNOSUPPORT (another
    // family); what is read never depends on bytes past namelen.
    #[test]
    fn arbitrary_sockaddr_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40), namelen in -4i32..48, v6 in any::<bool>()) {
        let mut buf = bytes.clone();
        if buf.len() >= 2 {
            let family = if v6 { abi::AF_INET6 } else { abi::AF_INET } as u16;
            buf[..2].copy_from_slice(&family.to_ne_bytes());
        }
        let len = namelen.clamp(0, buf.len() as i32);
        // SAFETY (test): `buf` holds at least `len` readable bytes.
        let got = unsafe { socket_addr_from_windows(buf.as_ptr().cast(), len) };
        let need = match (buf.len() >= 2, v6) {
            (false, _) => usize::MAX,
            (true, false) => size_of::<abi::SOCKADDR_IN>(),
            (true, true) => size_of::<abi::SOCKADDR_IN6>(),
        };
        match got {
            Ok(a) => {
                prop_assert!(len as usize >= need);
                prop_assert_eq!(a.is_ipv6(), v6);
                let mut tail = buf.clone();
                tail.truncate(len as usize);
                tail.extend_from_slice(&[0xa5; 40]);
                // SAFETY (test): as above.
                let again = unsafe { socket_addr_from_windows(tail.as_ptr().cast(), len) };
                prop_assert_eq!(again.ok(), Some(a));
            }
            Err(e) => {
                prop_assert!((len as usize) < need);
                prop_assert_eq!(e.code(), abi::WSAEFAULT);
            }
        }
    }

    // S8, S25: an address for a socket of a family: IPv6 on AF_INET and
    // IPv4 on an IPV6_V6ONLY socket are WSAEAFNOSUPPORT; IPv4 on a
    // dual-stack socket becomes v4-mapped; the rest round-trips.
    #[test]
    fn addresses_for_socket_families(ip in any::<[u8; 16]>(), port in any::<u16>(), v4 in any::<bool>(), family_v6 in any::<bool>(), v6_only in any::<bool>()) {
        let addr: SocketAddr = if v4 {
            (Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]), port).into()
        } else {
            (Ipv6Addr::from(ip), port).into()
        };
        let family = if family_v6 { Family::V6 } else { Family::V4 };
        match LinuxAddr::for_socket(&addr, family, v6_only) {
            Ok(la) => {
                let refused = (family == Family::V4 && !v4) || (family == Family::V6 && v4 && v6_only);
                prop_assert!(!refused);
                let back = la.to_socket_addr().unwrap();
                match (addr, family) {
                    (SocketAddr::V4(a), Family::V6) => prop_assert_eq!(
                        back,
                        SocketAddr::new(a.ip().to_ipv6_mapped().into(), port)
                    ),
                    _ => prop_assert_eq!(back, addr),
                }
            }
            Err(e) => {
                prop_assert_eq!(e.code(), abi::WSAEAFNOSUPPORT);
                prop_assert!((family == Family::V4 && !v4) || (family == Family::V6 && v4 && v6_only));
            }
        }
    }

    // S26: DSCP from IP_TOS (or the socket's TOS), ECN from IP_ECN.
    #[test]
    fn tos_and_ecn_merge(tos in any::<u8>(), ecn in 0u8..3, socket_tos in any::<u8>()) {
        prop_assert_eq!(merge_ecn(Some(tos), Some(ecn), socket_tos), Some((tos & !3) | ecn));
        prop_assert_eq!(merge_ecn(None, Some(ecn), socket_tos), Some((socket_tos & !3) | ecn));
        prop_assert_eq!(merge_ecn(Some(tos), None, socket_tos), Some(tos));
        prop_assert_eq!(merge_ecn(None, None, socket_tos), None);
    }

    // S22: arbitrary control bytes never panic, and any accepted buffer
    // re-encodes into the fixed Linux buffer.
    #[test]
    fn arbitrary_control_never_panics(buf in proptest::collection::vec(any::<u8>(), 0..160), v6 in any::<bool>()) {
        let family = if v6 { Family::V6 } else { Family::V4 };
        if let Ok(c) = SendControls::from_windows(&buf, family) {
            let mut out = CmsgBuf::default();
            out.encode(&c, family, true, 0);
            out.encode(&c, family, false, 0);
        }
    }

    // S22: well-formed entries with a corrupted length byte are either
    // accepted identically or rejected with WSAEINVAL, never anything else.
    #[test]
    fn corrupted_lengths_are_wsaeinval(kind in 0usize..4, corrupt in any::<u64>(), at in 0usize..2) {
        let mut buf = Vec::new();
        abi::push_control(&mut buf, abi::IPPROTO_IP, abi::IP_PKTINFO, &pktinfo([127, 0, 0, 1], 0));
        abi::push_control(&mut buf, abi::IPPROTO_IP, abi::IP_TOS, &(kind as i32).to_ne_bytes());
        let off = if at == 0 { 0 } else { 24 };
        buf[off..off + 8].copy_from_slice(&corrupt.to_ne_bytes());
        match SendControls::from_windows(&buf, Family::V4) {
            Ok(_) => {}
            Err(e) => prop_assert_eq!(e.code(), abi::WSAEINVAL),
        }
    }
}

/// A Linux cmsg buffer: each `(level, type, payload)` as the kernel lays it
/// out (`cmsg_len` unpadded, entries `CMSG_SPACE` apart), 8-byte aligned.
fn linux_cmsgs(entries: &[(i32, i32, Vec<u8>)]) -> Vec<u64> {
    let mut bytes = Vec::new();
    for (level, kind, payload) in entries {
        let start = bytes.len();
        bytes.extend_from_slice(&((16 + payload.len()) as u64).to_ne_bytes());
        bytes.extend_from_slice(&level.to_ne_bytes());
        bytes.extend_from_slice(&kind.to_ne_bytes());
        bytes.extend_from_slice(payload);
        bytes.resize(start + ((16 + payload.len() + 7) & !7), 0);
    }
    let mut words = vec![0u64; bytes.len().div_ceil(8)];
    // SAFETY: `words` holds at least bytes.len() bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), words.as_mut_ptr().cast(), bytes.len())
    };
    words
}

/// The ways a received datagram's control data reaches Windows' buffer
/// (S27) for the Linux cmsgs in `control` (of `controllen` bytes): the
/// general path (`ReceivedControls`, then `controls_to_windows` and
/// `controls_windows_flags`), and the blocking C receive's usual case:
/// `windows_entries_in_order` in one pass or, for cmsgs out of Windows'
/// order, `WindowsEntries`. Each way's bytes in an `out_len` buffer, the
/// bytes used, `MSG_CTRUNC`, the flags, and whether a NULL Control.buf
/// would be `MSG_CTRUNC`.
type Translated = (Vec<u8>, usize, bool, u32, bool);

/// What `both_paths` compares; `usual` is what the usual receive writes.
struct Paths {
    general: Translated,
    /// `WindowsEntries` alone.
    entries: Translated,
    /// The usual receive: in one pass if the order allows (`in_order`), else
    /// `WindowsEntries` over what that pass wrote.
    usual: Translated,
    in_order: bool,
}

fn both_paths(
    control: &mut [u64],
    controllen: usize,
    want_tos: bool,
    want_ecn: bool,
    out_len: usize,
) -> Paths {
    // SAFETY: an all-zero msghdr is valid; only its control fields are read.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = controllen;
    // SAFETY: msg_control holds msg_controllen bytes.
    let got = unsafe { controls_from_linux(&msg, want_tos, want_ecn) };
    let mut general = vec![0xa5; out_len];
    let (used, ctrunc) = controls_to_windows(&got, &mut general);
    let general = (
        general,
        used,
        ctrunc,
        controls_windows_flags(&got),
        got != ReceivedControls::default(),
    );
    // SAFETY: as above.
    let entries = unsafe { WindowsEntries::from_linux(&msg, want_tos, want_ecn) };
    let mut two_phase = vec![0xa5; out_len];
    let (used, ctrunc) = entries.write(&mut two_phase);
    let entries_null = entries.write(&mut []).1;
    let two_phase = (two_phase, used, ctrunc, entries.flags(), entries_null);
    let mut usual = vec![0xa5; out_len];
    // SAFETY: as above.
    let one_pass = unsafe { windows_entries_in_order(&msg, want_tos, want_ecn, &mut usual) };
    // SAFETY: as above.
    let null = unsafe { windows_entries_in_order(&msg, want_tos, want_ecn, &mut []) };
    let usual = match (one_pass, null) {
        (Some((used, ctrunc, flags)), Some((_, null_ctrunc, _))) => {
            (usual, used, ctrunc, flags, null_ctrunc)
        }
        (None, None) => {
            let (used, ctrunc) = entries.write(&mut usual);
            (usual, used, ctrunc, entries.flags(), entries_null)
        }
        _ => panic!("the order of the same cmsgs decided differently"),
    };
    Paths {
        general,
        entries: two_phase,
        in_order: one_pass.is_some(),
        usual,
    }
}

/// Asserts that every way wrote what the general path writes: all of the
/// buffer, but for the usual receive out of order, whose one pass may
/// have left entries past the bytes used (the caller's Control.len then
/// claims none of them).
fn assert_paths_agree(p: &Paths, what: &str) {
    assert_eq!(p.general, p.entries, "WindowsEntries: {what}");
    let (g, u) = (&p.general, &p.usual);
    assert_eq!(
        (g.1, g.2, g.3, g.4),
        (u.1, u.2, u.3, u.4),
        "usual receive: {what}"
    );
    if p.in_order {
        assert_eq!(g.0, u.0, "usual receive in one pass: {what}");
    } else {
        assert_eq!(g.0[..g.1], u.0[..u.1], "usual receive out of order: {what}");
    }
}

/// The cmsgs the kernel writes for each receive option, and some it does
/// not (a short payload, an unknown type).
fn linux_entry(kind: u8, payload: &[u8; 20]) -> (i32, i32, Vec<u8>) {
    let int = |b: u8| (b as i32).to_ne_bytes().to_vec();
    match kind % 10 {
        0 => (libc::SOL_IP, libc::IP_PKTINFO, payload[..12].to_vec()),
        1 => (libc::SOL_IPV6, libc::IPV6_PKTINFO, payload.to_vec()),
        2 => (libc::SOL_IP, libc::IP_TOS, payload[..1].to_vec()),
        3 => (libc::SOL_IP, libc::IP_TTL, int(payload[0])),
        4 => (libc::SOL_IPV6, libc::IPV6_TCLASS, int(payload[0])),
        5 => (libc::SOL_IPV6, libc::IPV6_HOPLIMIT, int(payload[0])),
        6 => (libc::SOL_IP, libc::IP_PKTINFO, payload[..8].to_vec()),
        7 => (libc::SOL_IPV6, libc::IPV6_TCLASS, payload[..2].to_vec()),
        8 => (libc::SOL_UDP, libc::UDP_GRO, int(payload[0])),
        _ => (libc::SOL_IP, libc::IP_RECVERR, payload[..3].to_vec()),
    }
}

#[test]
fn windows_entries_match_the_general_path_for_what_linux_writes() {
    // S27: the usual receive's direct translation writes what the general
    // path writes, for the kernel's cmsgs of every receive option (Linux
    // orders IP_TTL before IP_TOS, Windows after), in Windows' order, for
    // every Control.len from none to room for all.
    let mut payload = [0u8; 20];
    payload[..4].copy_from_slice(&[224, 0, 0, 251]);
    payload[4..8].copy_from_slice(&3u32.to_ne_bytes());
    payload[8..12].copy_from_slice(&[224, 0, 0, 251]);
    let v6_multicast = {
        let mut p = [0u8; 20];
        p[0] = 0xff;
        p[1] = 0x02;
        p[15] = 1;
        p
    };
    let unicast: [u8; 20] = std::array::from_fn(|i| i as u8 + 1);
    let shapes: [&[(i32, i32, Vec<u8>)]; 10] = [
        &[],
        &[linux_entry(0, &payload), linux_entry(2, &[0x2e; 20])],
        &[
            linux_entry(0, &payload),
            linux_entry(3, &[64; 20]),
            linux_entry(2, &[0xbd; 20]),
        ],
        &[
            linux_entry(1, &v6_multicast),
            linux_entry(5, &[7; 20]),
            linux_entry(4, &[0xb6; 20]),
        ],
        &[linux_entry(0, &[255; 20]), linux_entry(1, &[0; 20])],
        &[linux_entry(8, &[0; 20]), linux_entry(9, &[0; 20])],
        // What Linux writes for IP_PKTINFO and IP_RECVTOS (the one-look
        // pair): to a unicast address, to the limited broadcast.
        &[linux_entry(0, &unicast), linux_entry(2, &[0x2e; 20])],
        &[linux_entry(0, &[255; 20]), linux_entry(2, &[0x03; 20])],
        // For IPV6_RECVPKTINFO and IPV6_RECVTCLASS: multicast, unicast.
        &[linux_entry(1, &v6_multicast), linux_entry(4, &[0xb6; 20])],
        &[linux_entry(1, &unicast), linux_entry(4, &[0x01; 20])],
    ];
    // Which shapes the one pass takes (Windows' order), which it leaves
    // to WindowsEntries.
    let in_order = [true, true, false, false, true, true, true, true, true, true];
    for (shape, in_order) in shapes.into_iter().zip(in_order) {
        let mut control = linux_cmsgs(shape);
        let len = control.len() * 8;
        for out_len in 0..=RECEIVED_CONTROL_MAX {
            for (want_tos, want_ecn) in [(false, false), (true, false), (false, true), (true, true)]
            {
                let paths = both_paths(&mut control, len, want_tos, want_ecn, out_len);
                assert_paths_agree(&paths, &format!("{shape:?} into {out_len} bytes"));
                assert_eq!(paths.in_order, in_order, "{shape:?}");
            }
        }
    }
}

proptest! {
    // S27: on any cmsg buffer (cmsgs of every type the decoder knows and
    // others, payloads short or whole, cut short by MSG_CTRUNC at any
    // byte, or arbitrary bytes), the usual receive's direct translation
    // writes the same Windows entries, byte count, MSG_CTRUNC and
    // MSG_BCAST/MSG_MCAST as the general path, into any Control.len.
    #[test]
    fn windows_entries_match_the_general_path(
        kinds in proptest::collection::vec((any::<u8>(), any::<[u8; 20]>()), 0..8),
        cut in any::<u16>(),
        noise in proptest::collection::vec(any::<u8>(), 0..64),
        arbitrary in any::<bool>(),
        want_tos in any::<bool>(),
        want_ecn in any::<bool>(),
        out_len in 0usize..RECEIVED_CONTROL_MAX + 8,
    ) {
        let mut control = if arbitrary {
            let mut words = vec![0u64; noise.len().div_ceil(8)];
            // SAFETY: `words` holds at least noise.len() bytes.
            unsafe {
                std::ptr::copy_nonoverlapping(noise.as_ptr(), words.as_mut_ptr().cast(), noise.len())
            };
            words
        } else {
            let entries: Vec<_> = kinds.iter().map(|(k, p)| linux_entry(*k, p)).collect();
            linux_cmsgs(&entries)
        };
        let whole = control.len() * 8;
        let len = if whole == 0 { 0 } else { cut as usize % (whole + 1) };
        let paths = both_paths(&mut control, len, want_tos, want_ecn, out_len);
        assert_paths_agree(&paths, "");
    }
}
