//! Conformance of the Rust `send_msg` path against SPEC.md, loopback only.
//! Every test uses its own ephemeral ports, so they run in parallel.

use std::io::IoSlice;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, UdpSocket};
use std::time::Duration;

use ws2::{ControlMessage, Family, Message, SendFlags, Socket, SocketKind};
use ws2_abi as abi;

const LONG: Duration = Duration::from_secs(2);
const SHORT: Duration = Duration::from_millis(200);

fn rx_v4() -> UdpSocket {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(LONG)).unwrap();
    rx
}

fn rx_v6() -> UdpSocket {
    let rx = UdpSocket::bind("[::1]:0").unwrap();
    rx.set_read_timeout(Some(LONG)).unwrap();
    rx
}

/// Receives one datagram (fails the test after 2 s).
fn recv(rx: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0u8; 70000];
    let (n, from) = rx.recv_from(&mut buf).expect("datagram did not arrive");
    buf.truncate(n);
    (buf, from)
}

/// Asserts nothing arrives within 200 ms.
fn assert_nothing(rx: &UdpSocket) {
    rx.set_read_timeout(Some(SHORT)).unwrap();
    let mut buf = vec![0u8; 70000];
    match rx.recv_from(&mut buf) {
        Ok((n, from)) => panic!("unexpected datagram of {n} bytes from {from}"),
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{e}"
        ),
    }
    rx.set_read_timeout(Some(LONG)).unwrap();
}

fn addr(rx: &UdpSocket) -> SocketAddr {
    rx.local_addr().unwrap()
}

fn send(
    tx: &Socket,
    bufs: &[IoSlice<'_>],
    to: SocketAddr,
    control: &[ControlMessage],
) -> ws2::Result<usize> {
    tx.send_msg(&Message::new(bufs).to(to).control(control), SendFlags::NONE)
}

fn src4(a: u8, b: u8, c: u8, d: u8) -> ControlMessage {
    ControlMessage::SourceV4 {
        addr: Ipv4Addr::new(a, b, c, d),
        ifindex: 0,
    }
}

fn lo_ifindex() -> u32 {
    // SAFETY: a NUL-terminated C string literal.
    let i = unsafe { libc::if_nametoindex(c"lo".as_ptr()) };
    assert_ne!(i, 0, "no loopback interface");
    i
}

// ---------------------------------------------------------------------------
// S21: gathering

// S21
#[test]
fn s21_gathered_buffers_arrive_as_one_datagram() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    let bufs = [
        IoSlice::new(b"hello"),
        IoSlice::new(b""),
        IoSlice::new(b", "),
        IoSlice::new(b"world"),
    ];
    assert_eq!(send(&tx, &bufs, addr(&rx), &[]).unwrap(), 12);
    let (data, _) = recv(&rx);
    assert_eq!(data, b"hello, world");
    assert_nothing(&rx);
}

// S21
#[test]
fn s21_zero_length_datagram() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    assert_eq!(send(&tx, &[], addr(&rx), &[]).unwrap(), 0);
    let (data, from) = recv(&rx);
    assert!(data.is_empty());
    let port = tx.local_addr().unwrap().port();
    assert_eq!(from, SocketAddr::from(([127, 0, 0, 1], port)));
    // An array of empty buffers is a zero-length datagram too.
    let empty = [IoSlice::new(b""), IoSlice::new(b"")];
    assert_eq!(send(&tx, &empty, addr(&rx), &[]).unwrap(), 0);
    assert!(recv(&rx).0.is_empty());
}

// S21
#[test]
fn s21_many_buffers_in_order() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    for count in [17usize, 20, 64, 1024] {
        let chunks: Vec<Vec<u8>> = (0..count)
            .map(|i| vec![(i % 251) as u8; 1 + i % 3])
            .collect();
        let bufs: Vec<IoSlice<'_>> = chunks.iter().map(|c| IoSlice::new(c)).collect();
        let expected: Vec<u8> = chunks.concat();
        let n = send(&tx, &bufs, addr(&rx), &[]).unwrap();
        assert_eq!(n, expected.len(), "{count} buffers");
        let (data, _) = recv(&rx);
        assert_eq!(data, expected, "{count} buffers gathered in order");
    }
    assert_nothing(&rx);
}

// ---------------------------------------------------------------------------
// S23–S25: source selection

// S23
#[test]
fn s23_source_v4_is_seen_by_receiver() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    let bufs = [IoSlice::new(b"from .2")];
    send(&tx, &bufs, addr(&rx), &[src4(127, 0, 0, 2)]).unwrap();
    let (data, from) = recv(&rx);
    assert_eq!(data, b"from .2");
    assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    // The same socket without control data goes back to the default source.
    send(&tx, &bufs, addr(&rx), &[]).unwrap();
    assert_eq!(recv(&rx).1.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
}

// S23
#[test]
fn s23_source_v4_with_lo_ifindex() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    let control = [ControlMessage::SourceV4 {
        addr: Ipv4Addr::new(127, 0, 0, 5),
        ifindex: lo_ifindex(),
    }];
    send(&tx, &[IoSlice::new(b"lo")], addr(&rx), &control).unwrap();
    let (data, from) = recv(&rx);
    assert_eq!(data, b"lo");
    assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 5)));
}

// S23: the source also applies on a bound and on a connected socket.
#[test]
fn s23_source_v4_on_bound_and_connected_socket() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    tx.bind("0.0.0.0:0".parse().unwrap()).unwrap();
    send(&tx, &[IoSlice::new(b"b")], addr(&rx), &[src4(127, 0, 0, 6)]).unwrap();
    assert_eq!(recv(&rx).1.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 6)));
    tx.connect(addr(&rx)).unwrap();
    let control = [src4(127, 0, 0, 7)];
    let bufs = [IoSlice::new(b"c")];
    tx.send_msg(&Message::new(&bufs).control(&control), SendFlags::NONE)
        .unwrap();
    assert_eq!(recv(&rx).1.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 7)));
}

// S24
#[test]
fn s24_source_v6_loopback() {
    let rx = rx_v6();
    let tx = Socket::udp_v6().unwrap();
    let control = [ControlMessage::SourceV6 {
        addr: Ipv6Addr::LOCALHOST,
        ifindex: 0,
    }];
    assert_eq!(
        send(&tx, &[IoSlice::new(b"v6")], addr(&rx), &control).unwrap(),
        2
    );
    let (data, from) = recv(&rx);
    assert_eq!(data, b"v6");
    assert_eq!(from.ip(), IpAddr::V6(Ipv6Addr::LOCALHOST));
    // With the ifindex of lo as well.
    let control = [ControlMessage::SourceV6 {
        addr: Ipv6Addr::LOCALHOST,
        ifindex: lo_ifindex(),
    }];
    send(&tx, &[IoSlice::new(b"v6i")], addr(&rx), &control).unwrap();
    assert_eq!(recv(&rx).0, b"v6i");
}

// S8: an IPv4 destination, bind or connect address on an IPV6_V6ONLY
// socket is WSAEAFNOSUPPORT (it was WSAENETUNREACH from Linux's answer to
// the v4-mapped form) and nothing is sent; an overlapped send hands the
// buffer back. Turned dual-stack, the socket takes it (S25).
#[test]
fn s8_ipv4_address_on_v6_only_socket_is_wsaeafnosupport() {
    let rx = rx_v4();
    let tx = Socket::udp_v6().unwrap();
    assert!(tx.only_v6().unwrap(), "IPV6_V6ONLY is the Windows default");
    let err = send(&tx, &[IoSlice::new(b"x")], addr(&rx), &[]).unwrap_err();
    assert_eq!(err.code(), abi::WSAEAFNOSUPPORT, "{err}");
    assert!(err.message().contains("IPV6_V6ONLY"), "{err}");
    let refused = tx
        .send_overlapped(b"ov".to_vec(), Some(addr(&rx)), &[])
        .expect_err("overlapped send refused");
    assert_eq!(refused.error.code(), abi::WSAEAFNOSUPPORT);
    assert_eq!(refused.buffer, b"ov");
    let err = tx.connect(addr(&rx)).unwrap_err();
    assert_eq!(err.code(), abi::WSAEAFNOSUPPORT, "connect: {err}");
    let err = tx.bind("127.0.0.1:0".parse().unwrap()).unwrap_err();
    assert_eq!(err.code(), abi::WSAEAFNOSUPPORT, "bind: {err}");
    assert_nothing(&rx);

    // (The failed sends bound the socket, as on Windows (S7), so the
    // option can no longer change: a new socket.)
    let dual = Socket::udp_v6().unwrap();
    dual.set_only_v6(false).unwrap();
    send(&dual, &[IoSlice::new(b"d")], addr(&rx), &[]).unwrap();
    assert_eq!(recv(&rx).0, b"d");
}

// S25
#[test]
fn s25_dual_stack_to_ipv4_uses_in_pktinfo() {
    let rx = rx_v4();
    let tx = Socket::udp_dual_stack().unwrap();
    // The IN6_PKTINFO is ignored for an IPv4 destination; the IN_PKTINFO decides.
    let control = [
        src4(127, 0, 0, 3),
        ControlMessage::SourceV6 {
            addr: Ipv6Addr::LOCALHOST,
            ifindex: 0,
        },
    ];
    send(&tx, &[IoSlice::new(b"4")], addr(&rx), &control).unwrap();
    let (data, from) = recv(&rx);
    assert_eq!(data, b"4");
    assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)));
    // The v4-mapped spelling of the destination behaves the same.
    let mapped = SocketAddr::new(
        IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()),
        addr(&rx).port(),
    );
    send(&tx, &[IoSlice::new(b"m")], mapped, &[src4(127, 0, 0, 4)]).unwrap();
    let (data, from) = recv(&rx);
    assert_eq!(data, b"m");
    assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 4)));
}

// S25: a dual-stack socket connected to an IPv4 peer, sending without a
// destination, takes its source from the IN_PKTINFO.
#[test]
fn s25_dual_stack_connected_to_ipv4_peer() {
    let rx = rx_v4();
    let tx = Socket::udp_dual_stack().unwrap();
    tx.connect(addr(&rx)).unwrap();
    let control = [
        src4(127, 0, 0, 12),
        ControlMessage::SourceV6 {
            addr: Ipv6Addr::LOCALHOST,
            ifindex: 0,
        },
    ];
    let bufs = [IoSlice::new(b"c4")];
    tx.send_msg(&Message::new(&bufs).control(&control), SendFlags::NONE)
        .unwrap();
    let (data, from) = recv(&rx);
    assert_eq!(data, b"c4");
    assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 12)));
    // Connected to an IPv6 peer: the IN6_PKTINFO applies.
    let rx6 = rx_v6();
    let tx6 = Socket::udp_dual_stack().unwrap();
    tx6.connect(addr(&rx6)).unwrap();
    tx6.send_msg(&Message::new(&bufs).control(&control), SendFlags::NONE)
        .unwrap();
    let (data, from) = recv(&rx6);
    assert_eq!(data, b"c4");
    assert_eq!(from.ip(), IpAddr::V6(Ipv6Addr::LOCALHOST));
}

// S25
#[test]
fn s25_dual_stack_to_ipv6_uses_in6_pktinfo() {
    let rx = rx_v6();
    let tx = Socket::udp_dual_stack().unwrap();
    let control = [
        src4(127, 0, 0, 3),
        ControlMessage::SourceV6 {
            addr: Ipv6Addr::LOCALHOST,
            ifindex: 0,
        },
    ];
    send(&tx, &[IoSlice::new(b"6")], addr(&rx), &control).unwrap();
    let (data, from) = recv(&rx);
    assert_eq!(data, b"6");
    assert_eq!(from.ip(), IpAddr::V6(Ipv6Addr::LOCALHOST));
}

// ---------------------------------------------------------------------------
// S22: control data validation

// S22
#[test]
fn s22_source_v6_on_v4_socket_is_einval() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    let control = [ControlMessage::SourceV6 {
        addr: Ipv6Addr::LOCALHOST,
        ifindex: 0,
    }];
    let err = send(&tx, &[IoSlice::new(b"x")], addr(&rx), &control).unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    assert!(err.message().contains("IPV6_PKTINFO"), "{err}");
    assert_nothing(&rx);
}

// S22
#[test]
fn s22_duplicate_source_v4_is_einval() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    let control = [src4(127, 0, 0, 1), src4(127, 0, 0, 2)];
    let err = send(&tx, &[IoSlice::new(b"x")], addr(&rx), &control).unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    assert!(err.message().contains("IP_PKTINFO"), "{err}");
    assert_nothing(&rx);
}

// S22, S26
#[test]
fn s22_ecn_out_of_range_is_einval() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    let err = send(
        &tx,
        &[IoSlice::new(b"x")],
        addr(&rx),
        &[ControlMessage::Ecn(4)],
    )
    .unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    assert!(err.message().contains("IP_ECN"), "{err}");
    assert_nothing(&rx);
}

// S22: io::Error conversion keeps the code, and the message names the control message.
#[test]
fn s22_io_error_conversion_keeps_code_and_field() {
    let tx = Socket::udp_v4().unwrap();
    let err = send(
        &tx,
        &[IoSlice::new(b"x")],
        "127.0.0.1:9".parse().unwrap(),
        &[ControlMessage::Ecn(4)],
    )
    .unwrap_err();
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidInput);
    let inner = io
        .get_ref()
        .and_then(|e| e.downcast_ref::<ws2::Error>())
        .expect("io::Error wraps the ws2::Error");
    assert_eq!(inner.code(), abi::WSAEINVAL);
    let text = io.to_string();
    assert!(text.contains("WSAEINVAL"), "{text}");
    assert!(text.contains("10022"), "{text}");
    assert!(text.contains("IP_ECN"), "{text}");

    let err = send(
        &tx,
        &[IoSlice::new(&vec![0u8; 65508])],
        "127.0.0.1:9".parse().unwrap(),
        &[],
    )
    .unwrap_err();
    let io: std::io::Error = err.into();
    let inner = io.get_ref().unwrap().downcast_ref::<ws2::Error>().unwrap();
    assert_eq!(inner.code(), abi::WSAEMSGSIZE);
    assert!(io.to_string().contains("65507"), "{io}");
}

// ---------------------------------------------------------------------------
// S11: datagram size

// S11
#[test]
fn s11_max_msg_size_values() {
    assert_eq!(Socket::udp_v4().unwrap().max_msg_size(), 65507);
    assert_eq!(Socket::udp_v6().unwrap().max_msg_size(), 65527);
    assert_eq!(Socket::udp_dual_stack().unwrap().max_msg_size(), 65527);
}

// S11
#[test]
fn s11_udp_v4_size_limit() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    let big = vec![0xabu8; 65508];
    let err = send(&tx, &[IoSlice::new(&big)], addr(&rx), &[]).unwrap_err();
    assert_eq!(err.code(), abi::WSAEMSGSIZE, "{err}");
    // Split over several buffers it is the same datagram, just as large.
    let err = send(
        &tx,
        &[IoSlice::new(&big[..30000]), IoSlice::new(&big[30000..])],
        addr(&rx),
        &[],
    )
    .unwrap_err();
    assert_eq!(err.code(), abi::WSAEMSGSIZE, "{err}");
    assert_nothing(&rx);
    let ok = &big[..65507];
    assert_eq!(
        send(&tx, &[IoSlice::new(ok)], addr(&rx), &[]).unwrap(),
        65507
    );
    let (data, _) = recv(&rx);
    assert_eq!(data.len(), 65507);
    assert!(data.iter().all(|&b| b == 0xab));
}

// S11
#[test]
fn s11_udp_v6_size_limit() {
    let rx = rx_v6();
    let tx = Socket::udp_v6().unwrap();
    let big = vec![0xcdu8; 65528];
    let err = send(&tx, &[IoSlice::new(&big)], addr(&rx), &[]).unwrap_err();
    assert_eq!(err.code(), abi::WSAEMSGSIZE, "{err}");
    assert_nothing(&rx);
    let ok = &big[..65527];
    assert_eq!(
        send(&tx, &[IoSlice::new(ok)], addr(&rx), &[]).unwrap(),
        65527
    );
    let (data, _) = recv(&rx);
    assert_eq!(data.len(), 65527);
}

// ---------------------------------------------------------------------------
// S12: broadcast

// S12
#[test]
fn s12_broadcast_needs_so_broadcast() {
    let tx = Socket::udp_v4().unwrap();
    assert!(!tx.broadcast().unwrap());
    for dest in ["255.255.255.255:9", "127.255.255.255:9"] {
        let err = tx.send_to(b"b", dest.parse().unwrap()).unwrap_err();
        assert_eq!(err.code(), abi::WSAEACCES, "{dest}: {err}");
    }
    tx.set_broadcast(true).unwrap();
    assert!(tx.broadcast().unwrap());
    // A receiver bound to the wildcard on some port gets the lo broadcast;
    // only its arrival on lo is checked (the send itself must succeed).
    let rx = UdpSocket::bind("0.0.0.0:0").unwrap();
    rx.set_read_timeout(Some(LONG)).unwrap();
    let to = SocketAddr::from(([127, 255, 255, 255], addr(&rx).port()));
    assert_eq!(tx.send_to(b"bcast", to).unwrap(), 5);
    let (data, _) = recv(&rx);
    assert_eq!(data, b"bcast");
}

// ---------------------------------------------------------------------------
// S13: shutdown

// S13
#[test]
fn s13_shutdown_send_on_unconnected_socket() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    tx.shutdown(Shutdown::Write)
        .expect("shutdown on unconnected UDP returns 0");
    let err = tx.send_to(b"x", addr(&rx)).unwrap_err();
    assert_eq!(err.code(), abi::WSAESHUTDOWN, "{err}");
    assert_nothing(&rx);
}

// S13 (an invalid `how` cannot be written with `Shutdown`: the engine's
// test `s13_invalid_how_is_refused_and_changes_nothing` holds it)
#[test]
fn s13_shutdown_both() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    tx.send_to(b"ok", addr(&rx)).unwrap();
    assert_eq!(recv(&rx).0, b"ok");
    tx.shutdown(Shutdown::Both).unwrap();
    let err = tx.send_to(b"x", addr(&rx)).unwrap_err();
    assert_eq!(err.code(), abi::WSAESHUTDOWN, "{err}");
    // Connected socket: same.
    let tc = Socket::udp_v4().unwrap();
    tc.connect(addr(&rx)).unwrap();
    tc.shutdown(Shutdown::Write).unwrap();
    assert_eq!(tc.send(b"x").unwrap_err().code(), abi::WSAESHUTDOWN);
    assert_nothing(&rx);
}

// ---------------------------------------------------------------------------
// S14: destination

// S14
#[test]
fn s14_no_destination_unconnected_is_enotconn() {
    let tx = Socket::udp_v4().unwrap();
    let err = tx
        .send_msg(&Message::new(&[IoSlice::new(b"x")]), SendFlags::NONE)
        .unwrap_err();
    assert_eq!(err.code(), abi::WSAENOTCONN, "{err}");
    let err = tx.send(b"x").unwrap_err();
    assert_eq!(err.code(), abi::WSAENOTCONN, "{err}");
    let tx6 = Socket::udp_v6().unwrap();
    assert_eq!(tx6.send(b"x").unwrap_err().code(), abi::WSAENOTCONN);
}

// S14
#[test]
fn s14_connected_with_explicit_destination_goes_there() {
    let peer = rx_v4();
    let other = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    tx.connect(addr(&peer)).unwrap();
    assert_eq!(tx.send_to(b"explicit", addr(&other)).unwrap(), 8);
    assert_eq!(recv(&other).0, b"explicit");
    assert_nothing(&peer);
    // Without a destination it still goes to the peer.
    tx.send(b"peer").unwrap();
    assert_eq!(recv(&peer).0, b"peer");
    assert_nothing(&other);
}

// ---------------------------------------------------------------------------
// S15: implicit bind

// S15
#[test]
fn s15_unbound_socket_and_implicit_bind() {
    let tx = Socket::udp_v4().unwrap();
    assert_eq!(tx.local_addr().unwrap_err().code(), abi::WSAEINVAL);
    let mut buf = [0u8; 16];
    tx.set_recv_timeout(Some(Duration::from_millis(50)));
    let err = tx.recv_from(&mut buf).unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    let rx = rx_v4();
    tx.send_to(b"bind me", addr(&rx)).unwrap();
    let local = tx.local_addr().unwrap();
    assert_eq!(local.ip(), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    assert_ne!(local.port(), 0);
    let (_, from) = recv(&rx);
    assert_eq!(from.port(), local.port());
    // Now a reply can be received on it.
    rx.send_to(b"back", SocketAddr::from(([127, 0, 0, 1], local.port())))
        .unwrap();
    tx.set_recv_timeout(Some(LONG));
    let (n, from) = tx.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"back");
    assert_eq!(from, addr(&rx));
}

// S15
#[test]
fn s15_implicit_bind_v6() {
    let tx = Socket::udp_v6().unwrap();
    assert_eq!(tx.local_addr().unwrap_err().code(), abi::WSAEINVAL);
    let rx = rx_v6();
    tx.send_to(b"v6", addr(&rx)).unwrap();
    let local = tx.local_addr().unwrap();
    assert_eq!(local.ip(), IpAddr::V6(Ipv6Addr::UNSPECIFIED));
    assert_ne!(local.port(), 0);
}

// ---------------------------------------------------------------------------
// S10: flags

// S10
#[test]
fn s10_send_flags() {
    let rx = rx_v4();
    let tx = Socket::udp_v4().unwrap();
    let bufs = [IoSlice::new(b"f")];
    let msg = Message::new(&bufs).to(addr(&rx));
    for flags in [
        SendFlags::OOB,
        SendFlags::PARTIAL,
        SendFlags::OOB | SendFlags::DONTROUTE,
        SendFlags::PARTIAL | SendFlags::DONTROUTE,
    ] {
        let err = tx.send_msg(&msg, flags).unwrap_err();
        assert_eq!(err.code(), abi::WSAEOPNOTSUPP, "{flags:?}: {err}");
    }
    assert_nothing(&rx);
    assert_eq!(tx.send_msg(&msg, SendFlags::DONTROUTE).unwrap(), 1);
    assert_eq!(recv(&rx).0, b"f");
    assert!(SendFlags::from_bits(0x2).is_none());
    assert!(SendFlags::from_bits(0x10).is_none());
    assert!(SendFlags::from_bits(0x8005).is_some());
    assert_eq!(SendFlags::from_bits(0x4), Some(SendFlags::DONTROUTE));
}

// ---------------------------------------------------------------------------
// S9: socket types

// S9
#[test]
fn s9_stream_socket_is_einval() {
    let tx = Socket::new(Family::V4, SocketKind::Stream, 0, true).unwrap();
    let bufs = [IoSlice::new(b"s")];
    let err = tx
        .send_msg(
            &Message::new(&bufs).to("127.0.0.1:9".parse().unwrap()),
            SendFlags::NONE,
        )
        .unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    assert!(err.message().contains("SOCK_STREAM"), "{err}");
}

// ---------------------------------------------------------------------------
// S19: ICMP port unreachable

fn closed_port() -> SocketAddr {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let a = s.local_addr().unwrap();
    drop(s);
    a
}

// S19: sends to a closed port keep succeeding on a connected socket.
#[test]
fn s19_connected_to_closed_port_sends_keep_succeeding() {
    let tx = Socket::udp_v4().unwrap();
    tx.connect(closed_port()).unwrap();
    for i in 0..5 {
        let r = tx.send(b"anyone?");
        assert_eq!(r.as_ref().ok(), Some(&7), "send {i}: {r:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// S19: ... also unconnected, and the error surfaces on the next receive.
#[test]
fn s19_unconnected_to_closed_port_sends_keep_succeeding() {
    let tx = Socket::udp_v4().unwrap();
    let to = closed_port();
    for i in 0..5 {
        let r = tx.send_to(b"anyone?", to);
        assert_eq!(r.as_ref().ok(), Some(&7), "send {i}: {r:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// S19: the port unreachable is reported by the next receive as WSAECONNRESET.
#[test]
fn s19_connected_port_unreachable_surfaces_on_receive() {
    let tx = Socket::udp_v4().unwrap();
    tx.connect(closed_port()).unwrap();
    tx.send(b"anyone?").unwrap();
    std::thread::sleep(Duration::from_millis(50));
    tx.set_recv_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 16];
    let err = tx.recv_from(&mut buf).unwrap_err();
    assert_eq!(err.code(), abi::WSAECONNRESET, "{err}");
    // Reported once: the next receive just times out.
    tx.set_recv_timeout(Some(Duration::from_millis(100)));
    let err = tx.recv_from(&mut buf).unwrap_err();
    assert_eq!(
        err.code(),
        abi::WSAETIMEDOUT,
        "the error must be reported once: {err}"
    );
}

// S19: unconnected too ("connected or not"): the next recvfrom reports the
// port unreachable caused by an earlier sendto as WSAECONNRESET.
#[test]
fn s19_unconnected_port_unreachable_surfaces_on_receive() {
    let tx = Socket::udp_v4().unwrap();
    tx.send_to(b"anyone?", closed_port()).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    tx.set_recv_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 16];
    let err = tx.recv_from(&mut buf).unwrap_err();
    assert_eq!(err.code(), abi::WSAECONNRESET, "{err}");
    tx.set_recv_timeout(Some(Duration::from_millis(100)));
    let err = tx.recv_from(&mut buf).unwrap_err();
    assert_eq!(
        err.code(),
        abi::WSAETIMEDOUT,
        "the error must be reported once: {err}"
    );
}

// ---------------------------------------------------------------------------
// S37 on loopback: a blocked receive is woken by a close.

// S37
#[test]
fn s37_close_wakes_a_blocked_receive_with_wsaeintr() {
    let s = Socket::udp_v4().unwrap();
    s.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let blocked = {
        let s = s.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16];
            s.recv_from(&mut buf).map(|(n, _)| n)
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    assert!(!blocked.is_finished(), "recv_from did not block");
    let closed_at = std::time::Instant::now();
    s.close();
    while !blocked.is_finished() && closed_at.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        blocked.is_finished(),
        "the blocked receive was not woken within 1 s"
    );
    let err = blocked.join().unwrap().unwrap_err();
    assert_eq!(err.code(), abi::WSAEINTR, "{err}");
}

// ---------------------------------------------------------------------------
// S9, S23 on raw sockets (root).

fn udp_header(src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
    let mut d = Vec::with_capacity(8 + payload.len());
    d.extend_from_slice(&src_port.to_be_bytes());
    d.extend_from_slice(&dst_port.to_be_bytes());
    d.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    d.extend_from_slice(&[0, 0]); // no checksum (allowed over IPv4)
    d.extend_from_slice(payload);
    d
}

// S9, S23: SOCK_RAW/IPPROTO_UDP honours IN_PKTINFO.
#[test]
fn s23_raw_udp_socket_honours_source_v4() {
    let rx = rx_v4();
    let tx = Socket::raw(Family::V4, libc::IPPROTO_UDP).expect("raw socket (root needed)");
    let udp = udp_header(4242, addr(&rx).port(), b"raw");
    let bufs = [IoSlice::new(&udp[..8]), IoSlice::new(&udp[8..])];
    let to = SocketAddr::from(([127, 0, 0, 1], 0));
    assert_eq!(
        send(&tx, &bufs, to, &[src4(127, 0, 0, 9)]).unwrap(),
        udp.len()
    );
    let (data, from) = recv(&rx);
    assert_eq!(data, b"raw");
    assert_eq!(from, SocketAddr::from(([127, 0, 0, 9], 4242)));
}

// S23: on IPPROTO_RAW (header included) the caller's IP header decides the source.
#[test]
fn s23_ipproto_raw_header_decides_source() {
    let rx = rx_v4();
    let tx = Socket::raw(Family::V4, libc::IPPROTO_RAW).expect("raw socket (root needed)");
    let udp = udp_header(4343, addr(&rx).port(), b"hdrincl");
    let total = (20 + udp.len()) as u16;
    let mut ip = vec![0x45u8, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&[0, 0, 0x40, 0, 64, 17, 0, 0]); // id, DF, ttl, UDP, checksum (kernel fills)
    ip.extend_from_slice(&[127, 0, 0, 10]);
    ip.extend_from_slice(&[127, 0, 0, 1]);
    let bufs = [IoSlice::new(&ip), IoSlice::new(&udp)];
    let to = SocketAddr::from(([127, 0, 0, 1], 0));
    let n = send(&tx, &bufs, to, &[src4(127, 0, 0, 11)]).unwrap();
    assert_eq!(n, total as usize);
    let (data, from) = recv(&rx);
    assert_eq!(data, b"hdrincl");
    assert_eq!(from, SocketAddr::from(([127, 0, 0, 10], 4343)));
}

// S39: success means the transport took the datagram, not that anyone
// received it: a send to a port nobody listens on, and to a receiver whose
// queue is full, still succeeds with the full byte count.
#[test]
fn s39_success_means_taken_not_delivered() {
    let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let nobody = closed.local_addr().unwrap();
    drop(closed);
    let tx = ws2::Socket::udp_v4().unwrap();
    assert_eq!(tx.send_to(&[1u8; 100], nobody).unwrap(), 100);
    let full = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..2000 {
        // The receiver never reads: its queue overflows and the kernel drops.
        assert_eq!(
            tx.send_to(&[2u8; 1000], full.local_addr().unwrap())
                .unwrap(),
            1000
        );
    }
}
