//! Raw sockets on the wire (S23): an ICMP echo request sent with an
//! `IN_PKTINFO` source, and a caller-built IPv4 header (`IP_HDRINCL`) whose
//! source decides. Hosts from `wire_common` (root required; a host that
//! cannot be built FAILS the test). Every wait is bounded.

mod wire_common;

use std::io::IoSlice;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
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
    let one: i32 = 1;
    // SAFETY: optval points to a live 4-byte i32.
    unsafe {
        ws2::raw::setsockopt(
            s.core(),
            abi::IPPROTO_IP,
            abi::IP_HDRINCL,
            (&one as *const i32).cast(),
            4,
        )
    }
    .expect("IP_HDRINCL");

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
