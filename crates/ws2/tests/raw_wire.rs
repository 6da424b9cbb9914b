//! Raw sockets on the wire (S23): an ICMP echo request sent with an
//! `IN_PKTINFO` source, and a caller-built IPv4 header (`IP_HDRINCL`) whose
//! source decides. Hosts from `wire_common` (root required; a host that
//! cannot be built FAILS the test). Every wait is bounded.

mod wire_common;

use std::io::IoSlice;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use wire_common::{Capture, multi_homed};
use ws2::{ControlMessage, Family, Message, SendFlags, Socket};
use ws2_abi as abi;

const WAIT: Duration = Duration::from_secs(2);

/// The Internet checksum of `data`.
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for chunk in data.chunks(2) {
        let word = u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
        sum += word as u32;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn echo_request(id: u16, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut m = vec![8, 0, 0, 0];
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(payload);
    let c = checksum(&m);
    m[2..4].copy_from_slice(&c.to_be_bytes());
    m
}

// S23: IN_PKTINFO on a SOCK_RAW/IPPROTO_ICMP socket: the echo request leaves
// from 10.1.0.11, and B's kernel answers it back to the raw socket.
#[test]
fn raw_icmp_echo_with_source() {
    let h = multi_homed();
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let s =
        h.a.run(|| Socket::raw(Family::V4, abi::IPPROTO_ICMP))
            .expect("raw ICMP socket in A");
    s.set_recv_timeout(Some(Duration::from_millis(200)));
    let id = (std::process::id() & 0xffff) as u16;
    let req = echo_request(id, 7, b"ws2 raw echo");
    let bufs = [IoSlice::new(&req)];
    let control = [ControlMessage::SourceV4 {
        addr: Ipv4Addr::new(10, 1, 0, 11),
        ifindex: 0,
    }];
    let to: SocketAddr = "10.1.0.2:0".parse().unwrap();
    let n = s
        .send_msg(
            &Message::new(&bufs).to(to).control(&control),
            SendFlags::NONE,
        )
        .expect("S23: raw send with IN_PKTINFO");
    assert_eq!(n, req.len());

    let p = cap.expect(WAIT, "echo request at B", |p| {
        p.icmp() == Some((8, 0)) && p.payload[4..6] == id.to_be_bytes()
    });
    assert_eq!(
        p.src,
        IpAddr::from([10, 1, 0, 11]),
        "S23: raw source on the wire"
    );
    assert_eq!(p.dst, IpAddr::from([10, 1, 0, 2]));
    assert_eq!(p.payload, req);

    // The reply comes back to the raw socket (IPv4 header included).
    let deadline = Instant::now() + WAIT;
    let mut buf = [0u8; 1500];
    loop {
        assert!(Instant::now() < deadline, "no echo reply on A's raw socket");
        let Ok((n, from)) = s.recv_from(&mut buf) else {
            continue;
        };
        let pkt = &buf[..n];
        let ihl = ((pkt[0] & 0xf) as usize) * 4;
        let icmp = &pkt[ihl..];
        if icmp.len() < 8 || icmp[0] != 0 || icmp[4..6] != id.to_be_bytes() {
            continue;
        }
        assert_eq!(from.ip(), IpAddr::from([10, 1, 0, 2]));
        assert_eq!(
            &pkt[16..20],
            &[10, 1, 0, 11],
            "reply goes to the chosen source"
        );
        assert_eq!(&icmp[6..8], &7u16.to_be_bytes());
        assert_eq!(&icmp[8..], b"ws2 raw echo");
        assert_eq!(checksum(icmp), 0, "reply checksum");
        break;
    }
}

// S23: with IP_HDRINCL the caller's IPv4 header decides the source.
#[test]
fn header_included_source_on_the_wire() {
    let h = multi_homed();
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let rx =
        h.b.run(|| UdpSocket::bind("10.1.0.2:4010"))
            .expect("receiver in B");
    rx.set_read_timeout(Some(WAIT)).unwrap();
    let s =
        h.a.run(|| Socket::raw(Family::V4, abi::IPPROTO_UDP))
            .expect("raw UDP socket in A");
    s.set_header_included(true).expect("IP_HDRINCL");

    let payload = b"hdrincl";
    let udp_len = 8 + payload.len();
    let total = 20 + udp_len;
    let mut pkt = vec![
        0x45,
        0x00,
        (total >> 8) as u8,
        total as u8,
        0x12,
        0x34, // id
        0x40,
        0x00, // DF
        64,   // TTL
        17,   // UDP
        0,
        0, // checksum, below
        10,
        1,
        0,
        11, // source
        10,
        1,
        0,
        2, // destination
    ];
    let c = checksum(&pkt);
    pkt[10..12].copy_from_slice(&c.to_be_bytes());
    pkt.extend_from_slice(&4321u16.to_be_bytes());
    pkt.extend_from_slice(&4010u16.to_be_bytes());
    pkt.extend_from_slice(&(udp_len as u16).to_be_bytes());
    pkt.extend_from_slice(&[0, 0]); // no UDP checksum (IPv4 allows it)
    pkt.extend_from_slice(payload);

    let bufs = [IoSlice::new(&pkt)];
    let to: SocketAddr = "10.1.0.2:0".parse().unwrap();
    let n = s
        .send_msg(&Message::new(&bufs).to(to), SendFlags::NONE)
        .expect("S23: header-included send");
    assert_eq!(n, pkt.len());
    let p = cap.expect(WAIT, "header-included datagram at B", |p| {
        p.udp().is_some_and(|(_, d, _)| d == 4010)
    });
    assert_eq!(
        p.src,
        IpAddr::from([10, 1, 0, 11]),
        "S23: the caller's header decides"
    );
    assert_eq!(p.ttl, 64);
    assert_eq!(p.udp().unwrap(), (4321, 4010, &payload[..]));
    let mut buf = [0u8; 64];
    let (n, from) = rx.recv_from(&mut buf).expect("B's UDP socket receives it");
    assert_eq!(&buf[..n], payload);
    assert_eq!(from, "10.1.0.11:4321".parse::<SocketAddr>().unwrap());
}

/// The ICMPv6/UDP checksum of `upper` over the IPv6 pseudo-header.
fn checksum_v6(src: Ipv6Addr, dst: Ipv6Addr, next_header: u8, upper: &[u8]) -> u16 {
    let mut pseudo = Vec::with_capacity(40 + upper.len());
    pseudo.extend_from_slice(&src.octets());
    pseudo.extend_from_slice(&dst.octets());
    pseudo.extend_from_slice(&(upper.len() as u32).to_be_bytes());
    pseudo.extend_from_slice(&[0, 0, 0, next_header]);
    pseudo.extend_from_slice(upper);
    checksum(&pseudo)
}

// S9 S24: a raw IPv6 socket can be made (it failed with WSAEINVAL while every
// AF_INET6 socket got IPV6_V6ONLY, which Linux refuses on raw sockets), is
// IPv6-only, and its ICMPv6 echo request leaves from the IN6_PKTINFO source.
#[test]
fn raw_icmpv6_echo_with_source() {
    let h = multi_homed();
    h.a.add_addr(&h.ab.a_ifname, "fd00:1::11/64")
        .expect("fd00:1::11");
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let s =
        h.a.run(|| Socket::raw(Family::V6, abi::IPPROTO_ICMPV6))
            .expect("S9: raw ICMPv6 socket in A");
    assert!(s.only_v6().unwrap(), "a raw IPv6 socket is IPv6-only");
    assert_eq!(
        s.set_only_v6(false).unwrap_err().code(),
        abi::WSAEINVAL,
        "a raw IPv6 socket cannot be dual-stack"
    );
    let id = (std::process::id() & 0xffff) as u16;
    let mut req = vec![128, 0, 0, 0];
    req.extend_from_slice(&id.to_be_bytes());
    req.extend_from_slice(&3u16.to_be_bytes());
    req.extend_from_slice(b"ws2 raw echo v6");
    let source: Ipv6Addr = "fd00:1::11".parse().unwrap();
    let bufs = [IoSlice::new(&req[..8]), IoSlice::new(&req[8..])];
    let control = [ControlMessage::SourceV6 {
        addr: source,
        ifindex: 0,
    }];
    let to: SocketAddr = "[fd00:1::2]:0".parse().unwrap();
    let n = s
        .send_msg(
            &Message::new(&bufs).to(to).control(&control),
            SendFlags::NONE,
        )
        .expect("S24: raw ICMPv6 send with IN6_PKTINFO");
    assert_eq!(n, req.len());
    let p = cap.expect(WAIT, "ICMPv6 echo request at B", |p| {
        p.v6 && p.proto == 58
            && p.payload.len() >= 8
            && p.payload[0] == 128
            && p.payload[4..6] == id.to_be_bytes()
    });
    assert_eq!(
        p.src,
        IpAddr::V6(source),
        "S24: raw IPv6 source on the wire"
    );
    assert_eq!(p.dst, to.ip());
    assert_eq!(&p.payload[8..], &req[8..]);
    assert_eq!(
        checksum_v6(source, "fd00:1::2".parse().unwrap(), 58, &p.payload),
        0,
        "the kernel filled in the ICMPv6 checksum for the chosen source"
    );
}

// S9 S24: raw UDP over IPv6 (caller-built header and checksum) from the
// IN6_PKTINFO source reaches B's UDP socket.
#[test]
fn raw_udp_v6_with_source() {
    let h = multi_homed();
    h.a.add_addr(&h.ab.a_ifname, "fd00:1::11/64")
        .expect("fd00:1::11");
    let rx =
        h.b.run(|| UdpSocket::bind("[fd00:1::2]:4011"))
            .expect("receiver in B");
    rx.set_read_timeout(Some(WAIT)).unwrap();
    let s =
        h.a.run(|| Socket::raw(Family::V6, abi::IPPROTO_UDP))
            .expect("S9: raw UDP/IPv6 socket in A");
    let source: Ipv6Addr = "fd00:1::11".parse().unwrap();
    let payload = b"raw udp v6";
    let mut udp = Vec::new();
    udp.extend_from_slice(&4322u16.to_be_bytes());
    udp.extend_from_slice(&4011u16.to_be_bytes());
    udp.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(payload);
    let c = checksum_v6(source, "fd00:1::2".parse().unwrap(), 17, &udp);
    udp[6..8].copy_from_slice(&c.to_be_bytes());
    let bufs = [IoSlice::new(&udp)];
    let control = [ControlMessage::SourceV6 {
        addr: source,
        ifindex: 0,
    }];
    let to: SocketAddr = "[fd00:1::2]:0".parse().unwrap();
    s.send_msg(
        &Message::new(&bufs).to(to).control(&control),
        SendFlags::NONE,
    )
    .expect("S24: raw UDP/IPv6 send with IN6_PKTINFO");
    let mut buf = [0u8; 64];
    let (n, from) = rx.recv_from(&mut buf).expect("B's UDP socket receives it");
    assert_eq!(&buf[..n], payload);
    assert_eq!(from, SocketAddr::new(IpAddr::V6(source), 4322));
}
