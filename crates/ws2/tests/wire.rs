//! On-the-wire checks of what `send_msg` control data does (S19, S23, S26,
//! S27), on multi-homed test hosts built with `testnet` (root required; a
//! host that cannot be built FAILS the test). What crosses a link is read
//! with an AF_PACKET socket in the receiving host and its IP header parsed
//! here (`wire_common`). Every wait is bounded.

mod wire_common;

use std::io::{IoSlice, IoSliceMut};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use testnet::Host;
use wire_common::{Capture, Pkt, multi_homed};
use ws2::{ControlMessage, Message, RecvInfo, SendFlags, Socket};
use ws2_abi as abi;

const WAIT: Duration = Duration::from_secs(2);
const QUIET: Duration = Duration::from_millis(400);

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn send(
    tx: &Socket,
    data: &[u8],
    to: SocketAddr,
    control: &[ControlMessage],
) -> ws2::Result<usize> {
    let bufs = [IoSlice::new(data)];
    tx.send_msg(
        &Message::new(&bufs).to(to).control(control),
        SendFlags::NONE,
    )
}

fn src4(addr: &str, ifindex: u32) -> ControlMessage {
    ControlMessage::SourceV4 {
        addr: addr.parse().unwrap(),
        ifindex,
    }
}

fn udp_to(p: &Pkt, dst: &str, port: u16) -> bool {
    p.dst == ip(dst) && p.udp().is_some_and(|(_, d, _)| d == port)
}

fn ws2_in(host: &Host, make: fn() -> ws2::Result<Socket>) -> Socket {
    host.run(make).expect("ws2 socket in host")
}

fn std_udp_in(host: &Host, addr: &str) -> UdpSocket {
    let addr = addr.to_string();
    let s = host.run(move || UdpSocket::bind(addr)).expect("bind");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

// S23: IN_PKTINFO's address is the source on the wire (a secondary address).
#[test]
fn source_address_on_the_wire() {
    let h = multi_homed();
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let tx = ws2_in(&h.a, Socket::udp_v4);
    let n = send(
        &tx,
        b"from .11",
        sa("10.1.0.2:4001"),
        &[src4("10.1.0.11", 0)],
    )
    .expect("send");
    assert_eq!(n, 8);
    let p = cap.expect(WAIT, "datagram to 10.1.0.2:4001", |p| {
        udp_to(p, "10.1.0.2", 4001)
    });
    assert_eq!(p.src, ip("10.1.0.11"), "S23: source on the wire");
    assert_eq!(p.udp().unwrap().2, b"from .11");
    // And the primary address when asked for it.
    send(&tx, b"from .1", sa("10.1.0.2:4001"), &[src4("10.1.0.1", 0)]).expect("send");
    let p = cap.expect(WAIT, "second datagram", |p| udp_to(p, "10.1.0.2", 4001));
    assert_eq!(p.src, ip("10.1.0.1"));
}

// S23: a non-zero ipi_ifindex chooses the outgoing interface.
#[test]
fn ifindex_selects_the_outgoing_link() {
    let h = multi_homed();
    // 10.9.9.9 is reachable over both links; the B link is preferred.
    h.a.route("10.9.9.9/32 via 10.1.0.2 metric 10")
        .expect("route via B");
    h.a.route("10.9.9.9/32 via 10.2.0.2 metric 20")
        .expect("route via C");
    let cap_b = Capture::start(&h.b, &h.ab.b_ifname);
    let cap_c = Capture::start(&h.c, &h.ac.b_ifname);
    let tx = ws2_in(&h.a, Socket::udp_v4);

    // Without an interface: the preferred route, over B.
    send(&tx, b"default", sa("10.9.9.9:4002"), &[]).expect("send");
    cap_b.expect(WAIT, "10.9.9.9 over the B link", |p| {
        udp_to(p, "10.9.9.9", 4002)
    });
    cap_c.expect_none(QUIET, "10.9.9.9 over the C link", |p| {
        udp_to(p, "10.9.9.9", 4002)
    });

    // ifindex of the C link, wildcard address: over C, from C's address.
    for (addr, expected_src) in [("0.0.0.0", "10.2.0.1"), ("10.2.0.1", "10.2.0.1")] {
        send(
            &tx,
            b"via c",
            sa("10.9.9.9:4002"),
            &[src4(addr, h.ac.a_ifindex)],
        )
        .unwrap_or_else(|e| panic!("S23: send with ifindex {} and {addr}: {e}", h.ac.a_ifindex));
        let p = cap_c.expect(WAIT, "10.9.9.9 over the C link (ifindex)", |p| {
            udp_to(p, "10.9.9.9", 4002)
        });
        assert_eq!(p.src, ip(expected_src));
        assert_eq!(p.udp().unwrap().2, b"via c");
        cap_b.expect_none(QUIET, "ifindex-directed datagram leaking onto B", |p| {
            udp_to(p, "10.9.9.9", 4002)
        });
    }
}

// S26: IP_TOS + IP_ECN, IP_TTL; IPV6_TCLASS + IPV6_ECN, IPV6_HOPLIMIT.
#[test]
fn tos_ecn_ttl_and_v6_traffic_class_on_the_wire() {
    let h = multi_homed();
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let tx = ws2_in(&h.a, Socket::udp_v4);
    send(
        &tx,
        b"tos",
        sa("10.1.0.2:4003"),
        &[
            ControlMessage::Tos(0xb8),
            ControlMessage::Ecn(1),
            ControlMessage::Ttl(7),
        ],
    )
    .expect("send v4");
    let p = cap.expect(WAIT, "v4 datagram", |p| udp_to(p, "10.1.0.2", 4003));
    assert_eq!(p.tos, 0xb9, "S26: DSCP from IP_TOS, ECN from IP_ECN");
    assert_eq!(p.ttl, 7, "S26: IP_TTL");

    // Ecn alone keeps the socket's DSCP (0 here) and sets the ECN bits.
    send(&tx, b"ecn", sa("10.1.0.2:4003"), &[ControlMessage::Ecn(2)]).expect("send ecn");
    let p = cap.expect(WAIT, "v4 ecn datagram", |p| udp_to(p, "10.1.0.2", 4003));
    assert_eq!(p.tos, 0x02);

    // With IP_TOS, the ECN bits of the TOS byte give way to IP_ECN's.
    send(
        &tx,
        b"tos+ecn",
        sa("10.1.0.2:4003"),
        &[ControlMessage::Tos(0xbb), ControlMessage::Ecn(1)],
    )
    .expect("send tos+ecn");
    let p = cap.expect(WAIT, "v4 tos+ecn datagram", |p| udp_to(p, "10.1.0.2", 4003));
    assert_eq!(p.tos, 0xb9, "S26: DSCP from IP_TOS, ECN from IP_ECN");

    // S26: Congestion Experienced (3) may not be sent: WSAEINVAL, nothing
    // on the wire (it used to leave with TOS 0x03).
    for control in [
        &[ControlMessage::Ecn(3)][..],
        &[ControlMessage::Tos(0xb8), ControlMessage::Ecn(3)][..],
    ] {
        let err = send(&tx, b"ce", sa("10.1.0.2:4003"), control).unwrap_err();
        assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    }
    cap.expect_none(QUIET, "a CE datagram", |p| udp_to(p, "10.1.0.2", 4003));

    let tx6 = ws2_in(&h.a, Socket::udp_v6);
    send(
        &tx6,
        b"tclass",
        sa("[fd00:1::2]:4003"),
        &[
            ControlMessage::TrafficClass(0xb8),
            ControlMessage::EcnV6(2),
            ControlMessage::HopLimit(9),
        ],
    )
    .expect("send v6");
    let p = cap.expect(WAIT, "v6 datagram", |p| udp_to(p, "fd00:1::2", 4003));
    assert!(p.v6);
    assert_eq!(
        p.tos, 0xba,
        "S26: traffic class from IPV6_TCLASS, ECN from IPV6_ECN"
    );
    assert_eq!(p.ttl, 9, "S26: IPV6_HOPLIMIT");
    let err = send(
        &tx6,
        b"ce6",
        sa("[fd00:1::2]:4003"),
        &[ControlMessage::EcnV6(3)],
    )
    .unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "S26: IPV6_ECN CE: {err}");
    cap.expect_none(QUIET, "a v6 CE datagram", |p| udp_to(p, "fd00:1::2", 4003));
}

// S26: UDP_SEND_MSG_SIZE splits into datagrams of that size on the wire.
#[test]
fn segment_size_gives_separate_datagrams_on_the_wire() {
    let h = multi_homed();
    // veth passes a GSO super-packet through unsplit (a NIC would split
    // it); allowing one segment per packet on A's end makes the kernel
    // segment in software, so the link carries what a NIC would send.
    h.a.ip(&["link", "set", "dev", &h.ab.a_ifname, "gso_max_segs", "1"])
        .expect("gso_max_segs");
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let rx = std_udp_in(&h.b, "10.1.0.2:4004");
    let tx = ws2_in(&h.a, Socket::udp_v4);
    let data: Vec<u8> = (0..2500u32).map(|i| (i % 251) as u8).collect();
    let n = send(
        &tx,
        &data,
        sa("10.1.0.2:4004"),
        &[ControlMessage::SegmentSize(1000)],
    )
    .expect("send with UDP_SEND_MSG_SIZE");
    assert_eq!(n, 2500);
    let pkts = cap.collect(WAIT, |p| udp_to(p, "10.1.0.2", 4004), |g| g.len() >= 3);
    let sizes: Vec<usize> = pkts.iter().map(|p| p.udp().unwrap().2.len()).collect();
    assert_eq!(sizes, [1000, 1000, 500], "S26: datagrams on the wire");
    let wire: Vec<u8> = pkts
        .iter()
        .flat_map(|p| p.udp().unwrap().2.to_vec())
        .collect();
    assert_eq!(wire, data);
    cap.expect_none(QUIET, "a fourth datagram", |p| udp_to(p, "10.1.0.2", 4004));
    // The receiver gets three datagrams too.
    let mut buf = [0u8; 4000];
    for want in [1000, 1000, 500] {
        let (got, _) = rx.recv_from(&mut buf).expect("segment at receiver");
        assert_eq!(got, want);
    }
}

// S27: WSARecvMsg's view (Rust recv_msg) of destination, ifindex, TOS, TTL.
#[test]
fn receiver_sees_destination_tos_and_ttl() {
    let h = multi_homed();
    let rx = ws2_in(&h.b, Socket::udp_v4);
    rx.bind(sa("0.0.0.0:4005")).expect("bind rx");
    rx.set_recv_info(RecvInfo::DESTINATION | RecvInfo::TOS | RecvInfo::TTL)
        .expect("set_recv_info");
    rx.set_recv_timeout(Some(WAIT));
    let tx = ws2_in(&h.a, Socket::udp_v4);
    send(
        &tx,
        b"controls",
        sa("10.1.0.2:4005"),
        &[
            src4("10.1.0.11", 0),
            ControlMessage::Tos(0x48),
            ControlMessage::Ecn(2),
            ControlMessage::Ttl(33),
        ],
    )
    .expect("send");
    let mut buf = [0u8; 64];
    let got = rx
        .recv_msg(&mut [IoSliceMut::new(&mut buf)])
        .expect("recv_msg");
    assert_eq!(&buf[..got.bytes], b"controls");
    assert_eq!(
        got.from.map(|a| a.ip()),
        Some(ip("10.1.0.11")),
        "source as sent"
    );
    assert_eq!(
        got.controls.destination_v4,
        Some((Ipv4Addr::new(10, 1, 0, 2), h.ab.b_ifindex)),
        "S27: IN_PKTINFO destination and B's ifindex"
    );
    assert_eq!(got.controls.tos, Some(0x4a), "S27: IP_TOS as sent");
    assert_eq!(got.controls.ecn, Some(2), "S27: IP_ECN as sent");
    assert_eq!(got.controls.ttl, Some(33), "S27: IP_TTL as sent");
    assert!(!got.truncated);
}

// S23: a source that is not local → WSAEINVAL and nothing is sent; a local
// source with an unreachable destination → WSAENETUNREACH.
#[test]
fn non_local_source_and_unreachable_network() {
    let h = multi_homed();
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let tx = ws2_in(&h.a, Socket::udp_v4);
    let e = send(&tx, b"x", sa("10.1.0.2:4006"), &[src4("10.1.0.99", 0)])
        .expect_err("non-local source must fail");
    assert_eq!(e.code(), abi::WSAEINVAL, "S23: non-local source: {e}");
    let e = send(&tx, b"x", sa("10.1.0.2:4006"), &[src4("10.2.0.2", 0)])
        .expect_err("C's address is not A's");
    assert_eq!(e.code(), abi::WSAEINVAL, "S23: another host's address: {e}");
    cap.expect_none(QUIET, "datagram with a non-local source", |p| {
        udp_to(p, "10.1.0.2", 4006)
    });

    // A has no default route: 10.77.0.1 is unreachable, with or without a source.
    let e = send(&tx, b"x", sa("10.77.0.1:4006"), &[src4("10.1.0.11", 0)])
        .expect_err("unreachable network");
    assert_eq!(
        e.code(),
        abi::WSAENETUNREACH,
        "S23: local source, no route: {e}"
    );
    let e = send(&tx, b"x", sa("10.77.0.1:4006"), &[]).expect_err("unreachable network");
    assert_eq!(e.code(), abi::WSAENETUNREACH, "S19: no route: {e}");
    // The socket still works afterwards.
    send(&tx, b"ok", sa("10.1.0.2:4006"), &[src4("10.1.0.11", 0)]).expect("send after errors");
    cap.expect(WAIT, "datagram after the errors", |p| {
        udp_to(p, "10.1.0.2", 4006)
    });
}

/// Waits for an ICMP error of `kind` arriving at A on `cap`.
fn expect_icmp(cap: &Capture, kind: u8, what: &str) {
    cap.expect(WAIT, what, |p| p.icmp().is_some_and(|(t, _)| t == kind));
}

/// Asserts the next receive on `s` gets `data` (not an error).
fn expect_datagram(s: &Socket, data: &[u8]) {
    let mut buf = [0u8; 256];
    let (n, _) = s.recv_from(&mut buf).unwrap_or_else(|e| {
        panic!("S19: expected the datagram {data:?}, got {e}");
    });
    assert_eq!(&buf[..n], data);
}

// S19: ICMP time exceeded → WSAENETRESET on the next receive, once; not at
// all after SIO_UDP_NETRESET(FALSE).
#[test]
fn ttl_expired_reports_netreset_once() {
    let (_net, a, _r, d, ar) = routed();
    let cap = Capture::start(&a, &ar.a_ifname);
    let peer = std_udp_in(&d, "10.4.0.2:4007");

    for report in [true, false] {
        let s = ws2_in(&a, Socket::udp_v4);
        s.set_recv_timeout(Some(Duration::from_millis(500)));
        if !report {
            s.set_udp_netreset(false);
        }
        // Forwarding works (TTL 64): D gets it.
        send(&s, b"through", sa("10.4.0.2:4007"), &[]).expect("send through R");
        let mut buf = [0u8; 64];
        let (_, from) = peer.recv_from(&mut buf).expect("D receives through R");
        // TTL 1 dies at R, which answers time exceeded.
        send(&s, b"ttl1", sa("10.4.0.2:4007"), &[ControlMessage::Ttl(1)])
            .expect("S19: the send itself succeeds");
        expect_icmp(&cap, 11, "ICMP time exceeded from R");
        // Sends keep succeeding with the error pending.
        send(&s, b"again", sa("10.4.0.2:4007"), &[]).expect("send after time exceeded");
        peer.recv_from(&mut buf).expect("D receives the next one");
        if report {
            let e = s
                .recv_from(&mut buf)
                .expect_err("S19: WSAENETRESET expected");
            assert_eq!(e.code(), abi::WSAENETRESET, "S19: TTL expired: {e}");
        }
        // Reported (at most) once: the next receive gets D's datagram.
        peer.send_to(b"reply", from).expect("D replies");
        expect_datagram(&s, b"reply");
        let e = s.recv_from(&mut buf).expect_err("nothing more to receive");
        assert_eq!(e.code(), abi::WSAETIMEDOUT, "no second report: {e}");
    }
}

// S19: ICMP port unreachable on an unconnected socket: sends succeed, the
// next receive fails with WSAECONNRESET once; SIO_UDP_CONNRESET(FALSE)
// turns it off.
#[test]
fn port_unreachable_reports_connreset_once() {
    let h = multi_homed();
    let cap = Capture::start(&h.a, &h.ab.a_ifname);
    let peer = std_udp_in(&h.b, "10.1.0.2:4008");
    for report in [true, false] {
        let s = ws2_in(&h.a, Socket::udp_v4);
        s.set_recv_timeout(Some(Duration::from_millis(500)));
        if !report {
            s.set_udp_connreset(false);
        }
        // Port 9 on B is closed.
        send(&s, b"closed", sa("10.1.0.2:9"), &[]).expect("S19: send to a closed port succeeds");
        expect_icmp(&cap, 3, "ICMP port unreachable from B");
        // Sends keep succeeding with the error pending.
        send(&s, b"open", sa("10.1.0.2:4008"), &[]).expect("S19: send after port unreachable");
        let mut buf = [0u8; 64];
        let (_, from) = peer.recv_from(&mut buf).expect("B receives");
        if report {
            let e = s
                .recv_from(&mut buf)
                .expect_err("S19: WSAECONNRESET expected");
            assert_eq!(e.code(), abi::WSAECONNRESET, "S19: port unreachable: {e}");
        }
        peer.send_to(b"reply", from).expect("B replies");
        expect_datagram(&s, b"reply");
        let e = s.recv_from(&mut buf).expect_err("nothing more to receive");
        assert_eq!(e.code(), abi::WSAETIMEDOUT, "no second report: {e}");
    }
}

// S25 + S26: dual-stack socket to a v4-mapped destination: IN_PKTINFO picks
// the source, IP_TOS/IP_ECN/IP_TTL apply to the IPv4 packet.
#[test]
fn dual_stack_to_v4_mapped_source_and_tos_on_the_wire() {
    let h = multi_homed();
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let tx = ws2_in(&h.a, Socket::udp_dual_stack);
    send(
        &tx,
        b"mapped",
        sa("[::ffff:10.1.0.2]:4011"),
        &[
            src4("10.1.0.11", 0),
            ControlMessage::Tos(0xb8),
            ControlMessage::Ecn(1),
            ControlMessage::Ttl(7),
        ],
    )
    .expect("S25: dual-stack send to a v4-mapped address with IN_PKTINFO");
    let p = cap.expect(WAIT, "v4 datagram from the dual-stack socket", |p| {
        udp_to(p, "10.1.0.2", 4011)
    });
    assert!(!p.v6);
    assert_eq!(p.src, ip("10.1.0.11"), "S25: source from IN_PKTINFO");
    assert_eq!(p.tos, 0xb9, "S26: TOS + ECN on a v4-mapped send");
    assert_eq!(p.ttl, 7, "S26: TTL on a v4-mapped send");

    // Native IPv6 destination from the same socket: IN6_PKTINFO, TCLASS.
    send(
        &tx,
        b"native",
        sa("[fd00:1::2]:4011"),
        &[
            ControlMessage::SourceV6 {
                addr: "fd00:1::1".parse().unwrap(),
                ifindex: 0,
            },
            ControlMessage::TrafficClass(0x28),
            ControlMessage::HopLimit(3),
        ],
    )
    .expect("S25: dual-stack send to a native IPv6 address with IN6_PKTINFO");
    let p = cap.expect(WAIT, "v6 datagram from the dual-stack socket", |p| {
        udp_to(p, "fd00:1::2", 4011)
    });
    assert_eq!(p.src, ip("fd00:1::1"));
    assert_eq!(p.tos, 0x28);
    assert_eq!(p.ttl, 3);
}

// S24: IN6_PKTINFO picks among A's IPv6 addresses; a non-local one is WSAEINVAL.
#[test]
fn v6_source_address_on_the_wire() {
    let h = multi_homed();
    h.a.add_addr(&h.ab.a_ifname, "fd00:1::11/64")
        .expect("fd00:1::11");
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let tx = ws2_in(&h.a, Socket::udp_v6);
    let src6 = |a: &str| ControlMessage::SourceV6 {
        addr: a.parse().unwrap(),
        ifindex: 0,
    };
    for src in ["fd00:1::11", "fd00:1::1"] {
        send(&tx, b"v6", sa("[fd00:1::2]:4012"), &[src6(src)]).expect("S24: send");
        let p = cap.expect(WAIT, "v6 datagram", |p| udp_to(p, "fd00:1::2", 4012));
        assert_eq!(p.src, ip(src), "S24: IPv6 source on the wire");
    }
    let e = send(&tx, b"v6", sa("[fd00:1::2]:4012"), &[src6("fd00:1::99")])
        .expect_err("non-local IPv6 source");
    assert_eq!(e.code(), abi::WSAEINVAL, "S23/S24: non-local source: {e}");
    cap.expect_none(QUIET, "datagram from a non-local v6 source", |p| {
        udp_to(p, "fd00:1::2", 4012) && p.src == ip("fd00:1::99")
    });
}

// S26: more segments than one kernel call takes (128): ws2 splits the send
// invisibly; the wire carries every datagram, in order.
#[test]
fn segment_size_beyond_128_segments_on_the_wire() {
    let h = multi_homed();
    h.a.ip(&["link", "set", "dev", &h.ab.a_ifname, "gso_max_segs", "1"])
        .expect("gso_max_segs");
    let cap = Capture::start(&h.b, &h.ab.b_ifname);
    let tx = ws2_in(&h.a, Socket::udp_v4);
    // 300 segments of 100 bytes, the last one 50: 29950 bytes.
    let data: Vec<u8> = (0..29_950u32).map(|i| (i / 100) as u8).collect();
    let n = send(
        &tx,
        &data,
        sa("10.1.0.2:4013"),
        &[ControlMessage::SegmentSize(100)],
    )
    .expect("S26: 300-segment send");
    assert_eq!(n, data.len());
    let pkts = cap.collect(
        Duration::from_secs(5),
        |p| udp_to(p, "10.1.0.2", 4013),
        |g| g.len() >= 300,
    );
    assert_eq!(pkts.len(), 300, "S26: datagrams on the wire");
    let sizes: Vec<usize> = pkts.iter().map(|p| p.udp().unwrap().2.len()).collect();
    assert!(
        sizes[..299].iter().all(|&s| s == 100) && sizes[299] == 50,
        "{sizes:?}"
    );
    let wire: Vec<u8> = pkts
        .iter()
        .flat_map(|p| p.udp().unwrap().2.to_vec())
        .collect();
    assert!(wire == data, "S26: segments in order, data intact");
}

// S27: IPv6 receiver: IN6_PKTINFO with B's ifindex, traffic class, hop limit;
// a dual-stack receiver reports IN_PKTINFO for an IPv4 datagram.
#[test]
fn v6_and_dual_stack_receivers_see_controls() {
    let h = multi_homed();
    let rx = ws2_in(&h.b, Socket::udp_v6);
    rx.bind(sa("[::]:4014")).expect("bind v6 rx");
    rx.set_recv_info(RecvInfo::DESTINATION | RecvInfo::TOS | RecvInfo::TTL)
        .expect("set_recv_info v6");
    rx.set_recv_timeout(Some(WAIT));
    let tx6 = ws2_in(&h.a, Socket::udp_v6);
    send(
        &tx6,
        b"v6 controls",
        sa("[fd00:1::2]:4014"),
        &[
            ControlMessage::TrafficClass(0x48),
            ControlMessage::EcnV6(1),
            ControlMessage::HopLimit(17),
        ],
    )
    .expect("send v6");
    let mut buf = [0u8; 64];
    let got = rx
        .recv_msg(&mut [IoSliceMut::new(&mut buf)])
        .expect("recv_msg v6");
    assert_eq!(&buf[..got.bytes], b"v6 controls");
    assert_eq!(
        got.controls.destination_v6,
        Some(("fd00:1::2".parse().unwrap(), h.ab.b_ifindex)),
        "S27: IN6_PKTINFO"
    );
    assert_eq!(got.controls.traffic_class, Some(0x49), "S27: IPV6_TCLASS");
    assert_eq!(got.controls.ecn_v6, Some(1), "S27: IPV6_ECN");
    assert_eq!(got.controls.hop_limit, Some(17), "S27: IPV6_HOPLIMIT");

    let ds = ws2_in(&h.b, Socket::udp_dual_stack);
    ds.bind(sa("[::]:4015")).expect("bind dual-stack rx");
    ds.set_recv_info(RecvInfo::DESTINATION | RecvInfo::TTL)
        .expect("set_recv_info dual");
    ds.set_recv_timeout(Some(WAIT));
    let tx4 = ws2_in(&h.a, Socket::udp_v4);
    send(
        &tx4,
        b"v4 to dual",
        sa("10.1.0.2:4015"),
        &[ControlMessage::Ttl(21)],
    )
    .expect("send v4");
    let got = ds
        .recv_msg(&mut [IoSliceMut::new(&mut buf)])
        .expect("recv_msg dual");
    assert_eq!(&buf[..got.bytes], b"v4 to dual");
    assert_eq!(
        got.controls.destination_v4,
        Some((Ipv4Addr::new(10, 1, 0, 2), h.ab.b_ifindex)),
        "S27: IN_PKTINFO on a dual-stack socket"
    );
    assert_eq!(
        got.controls.ttl,
        Some(21),
        "S27: IP_TTL on a dual-stack socket"
    );
}

// S19: a CONNECTED UDP socket: Linux would fail the next send with
// ECONNREFUSED and drop it; Windows keeps sending (the datagram goes out)
// and reports WSAECONNRESET on the next receive, once.
#[test]
fn port_unreachable_on_a_connected_socket() {
    let h = multi_homed();
    let cap_a = Capture::start(&h.a, &h.ab.a_ifname);
    let cap_b = Capture::start(&h.b, &h.ab.b_ifname);
    let s = ws2_in(&h.a, Socket::udp_v4);
    s.set_recv_timeout(Some(Duration::from_millis(500)));
    s.connect(sa("10.1.0.2:9")).expect("connect");
    s.send(b"first").expect("S19: first send");
    expect_icmp(&cap_a, 3, "ICMP port unreachable from B");
    cap_b.drain();
    s.send(b"second")
        .expect("S19: send after port unreachable succeeds");
    let p = cap_b.expect(WAIT, "the second datagram on the wire", |p| {
        udp_to(p, "10.1.0.2", 9)
    });
    assert_eq!(
        p.udp().unwrap().2,
        b"second",
        "S19: the datagram is not dropped"
    );
    expect_icmp(&cap_a, 3, "second ICMP port unreachable");
    let mut buf = [0u8; 64];
    let e = s
        .recv_from(&mut buf)
        .expect_err("S19: WSAECONNRESET expected");
    assert_eq!(
        e.code(),
        abi::WSAECONNRESET,
        "S19: connected, port unreachable: {e}"
    );
}

// S19 over IPv6, and through recv_msg (WSARecvMsg): ICMPv6 port unreachable
// → WSAECONNRESET on the next receive.
#[test]
fn v6_port_unreachable_reported_on_recv_msg() {
    let h = multi_homed();
    h.b.sysctl("net.ipv6.icmp.ratelimit", "0")
        .expect("icmpv6 ratelimit");
    let cap_a = Capture::start(&h.a, &h.ab.a_ifname);
    let s = ws2_in(&h.a, Socket::udp_v6);
    s.set_recv_timeout(Some(Duration::from_millis(500)));
    send(&s, b"closed", sa("[fd00:1::2]:9"), &[]).expect("S19: send to a closed port");
    cap_a.expect(WAIT, "ICMPv6 port unreachable", |p| {
        p.v6 && p.proto == 58 && p.payload.first() == Some(&1)
    });
    send(&s, b"again", sa("[fd00:1::2]:9"), &[]).expect("S19: sends keep succeeding");
    let mut buf = [0u8; 64];
    let e = s
        .recv_msg(&mut [IoSliceMut::new(&mut buf)])
        .expect_err("S19: WSAECONNRESET expected on recv_msg");
    assert_eq!(
        e.code(),
        abi::WSAECONNRESET,
        "S19: IPv6 port unreachable: {e}"
    );
}

/// A → R → D with R forwarding: A 10.3.0.1 ↔ R 10.3.0.2, R 10.4.0.1 ↔ D 10.4.0.2.
fn routed() -> (testnet::Net, Host, Host, Host, testnet::Link) {
    let net = testnet::Net::new().expect("cannot set up network namespaces (root needed)");
    let a = net.host("a").expect("host a");
    let r = net.host("r").expect("host r");
    let d = net.host("d").expect("host d");
    let ar = net
        .link(&a, "10.3.0.1/24", &r, "10.3.0.2/24")
        .expect("veth a-r");
    net.link(&r, "10.4.0.1/24", &d, "10.4.0.2/24")
        .expect("veth r-d");
    a.route("10.4.0.0/24 via 10.3.0.2").expect("route a→d");
    d.route("10.3.0.0/24 via 10.4.0.1").expect("route d→a");
    r.sysctl("net.ipv4.ip_forward", "1").expect("forwarding");
    r.sysctl("net.ipv4.icmp_ratelimit", "0")
        .expect("icmp_ratelimit");
    (net, a, r, d, ar)
}

// S19: TTL expired on a CONNECTED socket: Linux would fail the next send
// (EHOSTUNREACH with IP_RECVERR); Windows keeps sending and reports
// WSAENETRESET on the next receive.
#[test]
fn ttl_expired_on_a_connected_socket() {
    let (_net, a, _r, d, ar) = routed();
    let cap = Capture::start(&a, &ar.a_ifname);
    let peer = std_udp_in(&d, "10.4.0.2:4016");
    let s = ws2_in(&a, Socket::udp_v4);
    s.set_recv_timeout(Some(Duration::from_millis(500)));
    s.connect(sa("10.4.0.2:4016")).expect("connect");
    let bufs = [IoSlice::new(b"ttl1")];
    s.send_msg(
        &Message::new(&bufs).control(&[ControlMessage::Ttl(1)]),
        SendFlags::NONE,
    )
    .expect("S19: TTL-1 send succeeds");
    expect_icmp(&cap, 11, "ICMP time exceeded from R");
    s.send(b"after")
        .expect("S19: send after time exceeded succeeds");
    let mut buf = [0u8; 64];
    let (n, from) = peer
        .recv_from(&mut buf)
        .expect("D receives the next datagram");
    assert_eq!(&buf[..n], b"after");
    let e = s
        .recv_from(&mut buf)
        .expect_err("S19: WSAENETRESET expected");
    assert_eq!(
        e.code(),
        abi::WSAENETRESET,
        "S19: connected, TTL expired: {e}"
    );
    peer.send_to(b"reply", from).expect("D replies");
    expect_datagram(&s, b"reply");
}

// S10: MSG_DONTROUTE is honoured: an on-link destination goes out, one
// that needs the gateway does not.
#[test]
fn dontroute_on_the_wire() {
    let (_net, a, r, _d, ar) = routed();
    let cap = Capture::start(&r, &ar.b_ifname);
    let s = ws2_in(&a, Socket::udp_v4);
    let bufs = [IoSlice::new(b"onlink")];
    s.send_msg(
        &Message::new(&bufs).to(sa("10.3.0.2:4017")),
        SendFlags::DONTROUTE,
    )
    .expect("S10: MSG_DONTROUTE to an on-link address");
    cap.expect(WAIT, "on-link datagram", |p| udp_to(p, "10.3.0.2", 4017));
    let bufs = [IoSlice::new(b"routed")];
    let r = s.send_msg(
        &Message::new(&bufs).to(sa("10.4.0.2:4017")),
        SendFlags::DONTROUTE,
    );
    assert!(
        r.is_err(),
        "S10: MSG_DONTROUTE to an address behind a gateway must not be sent: {r:?}"
    );
    cap.expect_none(QUIET, "datagram routed despite MSG_DONTROUTE", |p| {
        udp_to(p, "10.4.0.2", 4017)
    });
}
