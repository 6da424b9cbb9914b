//! Conformance cases that need real hosts: network namespaces built with
//! `testnet` (root required). A namespace that cannot be built FAILS the
//! test (the `expect`s below); nothing here skips.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use testnet::{Host, Link, Net};
use ws2::{ControlMessage, Message, SendFlags, Socket};
use ws2_abi as abi;

const RECV_TIMEOUT: Duration = Duration::from_secs(2);

fn recv_from(rx: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = [0u8; 2048];
    let (n, from) = rx.recv_from(&mut buf).expect("datagram did not arrive");
    (buf[..n].to_vec(), from)
}

fn send(
    tx: &Socket,
    data: &[u8],
    to: SocketAddr,
    control: &[ControlMessage],
) -> ws2::Result<usize> {
    let bufs = [std::io::IoSlice::new(data)];
    tx.send_msg(
        &Message::new(&bufs).to(to).control(control),
        SendFlags::NONE,
    )
}

fn src4(addr: &str) -> ControlMessage {
    ControlMessage::SourceV4 {
        addr: addr.parse().unwrap(),
        ifindex: 0,
    }
}

fn src6(addr: &str) -> ControlMessage {
    ControlMessage::SourceV6 {
        addr: addr.parse().unwrap(),
        ifindex: 0,
    }
}

/// Hosts A and B joined by a veth: 10.0.0.1/24 (A) ↔ 10.0.0.2/24 (B).
fn two_hosts() -> (Net, Host, Host, Link) {
    let net = Net::new().expect("cannot set up network namespaces (root needed)");
    let a = net.host("a").expect("host a");
    let b = net.host("b").expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("veth a-b");
    (net, a, b, link)
}

fn bind_in(host: &Host, addr: &str) -> UdpSocket {
    let addr = addr.to_string();
    let rx = host
        .run(move || UdpSocket::bind(addr))
        .expect("bind receiver inside the namespace");
    rx.set_read_timeout(Some(RECV_TIMEOUT)).unwrap();
    rx
}

// S23, S24: local vs non-local sources, unreachable destinations, a second
// address of a multi-homed host, all decided inside host A.
#[test]
fn s23_s24_multihomed_sources_and_unreachable() {
    let (_net, a, b, link) = two_hosts();
    a.add_addr(&link.a_ifname, "fd00:1::1/64").expect("v6 on a");
    b.add_addr(&link.b_ifname, "fd00:1::2/64").expect("v6 on b");
    a.add_addr(&link.a_ifname, "10.0.1.1/24")
        .expect("second v4 on a");
    // B can route back to A's second subnet (keeps reverse-path filters happy).
    b.route(&format!("10.0.1.0/24 dev {}", link.b_ifname))
        .expect("route on b");

    a.route("10.5.0.0/16 via 10.0.0.2")
        .expect("gateway route on a");

    let rx4 = bind_in(&b, "10.0.0.2:0");
    let rx6 = bind_in(&b, "[fd00:1::2]:0");
    let to4 = rx4.local_addr().unwrap();
    let to6 = rx6.local_addr().unwrap();
    let a_if = link.a_ifindex;

    a.run(move || {
        let tx = Socket::udp_v4().unwrap();
        let nowhere: SocketAddr = "10.99.0.1:9".parse().unwrap();

        // S23: a local source with an unreachable destination → WSAENETUNREACH.
        let err = send(&tx, b"x", nowhere, &[src4("10.0.0.1")]).unwrap_err();
        assert_eq!(
            err.code(),
            abi::WSAENETUNREACH,
            "local source, no route: {err}"
        );
        // Same without any source.
        let err = send(&tx, b"x", nowhere, &[]).unwrap_err();
        assert_eq!(err.code(), abi::WSAENETUNREACH, "no route: {err}");

        // S23: a source that is not an address of this host → WSAEINVAL.
        let err = send(&tx, b"x", to4, &[src4("10.0.0.77")]).unwrap_err();
        assert_eq!(err.code(), abi::WSAEINVAL, "non-local source: {err}");
        assert!(
            err.message().contains("not an address of this host"),
            "message should say the source is not local: {err}"
        );
        // Non-local source and unreachable destination: the source is at fault.
        let err = send(&tx, b"x", nowhere, &[src4("10.0.0.77")]).unwrap_err();
        assert_eq!(
            err.code(),
            abi::WSAEINVAL,
            "non-local source, no route: {err}"
        );

        // S23: local sources work, also with the interface index.
        send(&tx, b"one", to4, &[src4("10.0.0.1")]).unwrap();
        send(&tx, b"two", to4, &[src4("10.0.1.1")]).unwrap();
        let with_if = [ControlMessage::SourceV4 {
            addr: Ipv4Addr::new(10, 0, 1, 1),
            ifindex: a_if,
        }];
        send(&tx, b"three", to4, &with_if).unwrap();

        // S12: a subnet broadcast without SO_BROADCAST → WSAEACCES.
        let err = send(&tx, b"x", "10.0.0.255:9".parse().unwrap(), &[]).unwrap_err();
        assert_eq!(err.code(), abi::WSAEACCES, "subnet broadcast: {err}");

        // S10: MSG_DONTROUTE is honoured: a destination only reachable
        // through a gateway is unreachable with it, fine without it.
        let via_gw: SocketAddr = "10.5.0.1:9".parse().unwrap();
        send(&tx, b"gw", via_gw, &[]).expect("routed send");
        let bufs = [std::io::IoSlice::new(b"gw")];
        let err = tx
            .send_msg(&Message::new(&bufs).to(via_gw), SendFlags::DONTROUTE)
            .unwrap_err();
        assert_eq!(
            err.code(),
            abi::WSAENETUNREACH,
            "DONTROUTE via a gateway: {err}"
        );
        let bufs = [std::io::IoSlice::new(b"direct")];
        tx.send_msg(&Message::new(&bufs).to(to4), SendFlags::DONTROUTE)
            .expect("DONTROUTE to a neighbour");

        // S24: IPv6.
        let tx6 = Socket::udp_v6().unwrap();
        let err = send(&tx6, b"x", to6, &[src6("fd00:99::1")]).unwrap_err();
        assert_eq!(err.code(), abi::WSAEINVAL, "non-local v6 source: {err}");
        assert!(
            err.message().contains("not an address of this host"),
            "message should say the source is not local: {err}"
        );
        send(&tx6, b"six", to6, &[src6("fd00:1::1")]).unwrap();
    });

    let (d, from) = recv_from(&rx4);
    assert_eq!(
        (d.as_slice(), from.ip()),
        (&b"one"[..], IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))
    );
    let (d, from) = recv_from(&rx4);
    assert_eq!(
        (d.as_slice(), from.ip()),
        (&b"two"[..], IpAddr::V4(Ipv4Addr::new(10, 0, 1, 1)))
    );
    let (d, from) = recv_from(&rx4);
    assert_eq!(
        (d.as_slice(), from.ip()),
        (&b"three"[..], IpAddr::V4(Ipv4Addr::new(10, 0, 1, 1)))
    );
    let (d, from) = recv_from(&rx4);
    assert_eq!(
        (d.as_slice(), from.ip()),
        (&b"direct"[..], IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))
    );
    let (d, from) = recv_from(&rx6);
    assert_eq!(d, b"six");
    assert_eq!(from.ip(), "fd00:1::1".parse::<Ipv6Addr>().unwrap());
}

// S23: "an address of this host" is judged in the socket's own network
// namespace, whatever thread makes the call (a socket made in host A and
// used from the test's main thread).
#[test]
fn s23_locality_is_judged_in_the_sockets_namespace() {
    let (_net, a, b, _link) = two_hosts();
    let rx4 = bind_in(&b, "10.0.0.2:0");
    let to4 = rx4.local_addr().unwrap();
    let tx = a.run(|| Socket::udp_v4().unwrap());
    let nowhere: SocketAddr = "10.99.0.1:9".parse().unwrap();

    let err = send(&tx, b"x", nowhere, &[src4("10.0.0.1")]).unwrap_err();
    assert_eq!(
        err.code(),
        abi::WSAENETUNREACH,
        "10.0.0.1 is local to the socket's host; the destination is unreachable: {err}"
    );
    let err = send(&tx, b"x", to4, &[src4("10.0.0.77")]).unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    send(&tx, b"ok", to4, &[src4("10.0.0.1")]).unwrap();
    let (d, from) = recv_from(&rx4);
    assert_eq!(d, b"ok");
    assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
}

/// A and B with A's egress limited to 8 kbit/s, an unread receiver in B,
/// and a socket made in A with a small send buffer.
fn full_link_setup() -> (Net, Host, Host, UdpSocket, Socket) {
    let (net, a, b, link) = two_hosts();
    a.rate_limit(&link.a_ifname, "8kbit").expect("tc tbf on a");
    let rx = bind_in(&b, "10.0.0.2:0");
    let tx = a.run(|| {
        let tx = Socket::udp_v4().unwrap();
        tx.set_send_buffer_size(4096).unwrap();
        tx
    });
    (net, a, b, rx, tx)
}

const MAX_SENDS: usize = 10_000;
const MAX_TIME: Duration = Duration::from_secs(10);

/// Sends 1200-byte datagrams until one fails; returns the error and how
/// long the failing call took.
fn send_until_error(tx: &Socket, to: SocketAddr) -> (ws2::Error, Duration, usize) {
    let data = [0x42u8; 1200];
    let start = Instant::now();
    for i in 0..MAX_SENDS {
        assert!(
            start.elapsed() < MAX_TIME,
            "no send failed within {MAX_TIME:?} ({i} sends)"
        );
        let t = Instant::now();
        match tx.send_to(&data, to) {
            Ok(n) => assert_eq!(n, 1200),
            Err(e) => return (e, t.elapsed(), i),
        }
    }
    panic!("{MAX_SENDS} sends never filled the rate-limited link");
}

// S16
#[test]
fn s16_send_timeout_expires_with_wsaetimedout() {
    let (_net, _a, _b, rx, tx) = full_link_setup();
    tx.set_send_timeout(Some(Duration::from_millis(200)));
    let (err, took, sent) = send_until_error(&tx, rx.local_addr().unwrap());
    assert_eq!(err.code(), abi::WSAETIMEDOUT, "after {sent} sends: {err}");
    assert!(
        took >= Duration::from_millis(150),
        "the timed-out call returned after {took:?}, before SO_SNDTIMEO (200 ms)"
    );
    assert!(
        took < Duration::from_secs(2),
        "the timed-out call took {took:?} for a 200 ms SO_SNDTIMEO"
    );
}

// S17, S16
#[test]
fn s17_nonblocking_full_buffer_is_wsaewouldblock() {
    let (_net, _a, _b, rx, tx) = full_link_setup();
    tx.set_nonblocking(true);
    // S16: SO_SNDTIMEO applies to blocking calls only.
    tx.set_send_timeout(Some(Duration::from_millis(300)));
    let (err, took, sent) = send_until_error(&tx, rx.local_addr().unwrap());
    assert_eq!(err.code(), abi::WSAEWOULDBLOCK, "after {sent} sends: {err}");
    assert!(
        took < Duration::from_millis(100),
        "a non-blocking send waited {took:?}"
    );
    // It stays non-blocking: the next one fails at once too.
    let t = Instant::now();
    let err = tx
        .send_to(&[0u8; 1200], rx.local_addr().unwrap())
        .unwrap_err();
    assert_eq!(err.code(), abi::WSAEWOULDBLOCK, "{err}");
    assert!(t.elapsed() < Duration::from_millis(100));
}

// S37: a thread blocked in a send is woken by closing the socket and fails
// with WSAEINTR.
#[test]
fn s37_close_wakes_a_blocked_send_with_wsaeintr() {
    let (_net, _a, _b, rx, tx) = full_link_setup();
    let to = rx.local_addr().unwrap();
    // Fill the send buffer without blocking.
    tx.set_nonblocking(true);
    let (err, _, sent) = send_until_error(&tx, to);
    assert_eq!(err.code(), abi::WSAEWOULDBLOCK, "after {sent} sends: {err}");
    // Now block, with no timeout.
    tx.set_nonblocking(false);
    tx.set_send_timeout(None);
    let blocked = {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let r = tx.send_to(&[0u8; 1200], to);
            (r, Instant::now())
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !blocked.is_finished(),
        "the send did not block on the full link"
    );
    let closed_at = Instant::now();
    tx.close();
    // Bounded wait for the thread: poll is_finished for up to 1 s.
    while !blocked.is_finished() && closed_at.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        blocked.is_finished(),
        "the blocked send was not woken within 1 s of the close"
    );
    let (r, ended_at) = blocked.join().unwrap();
    let err = r.expect_err("the blocked send succeeded after close");
    assert_eq!(err.code(), abi::WSAEINTR, "{err}");
    assert!(ended_at.duration_since(closed_at) < Duration::from_secs(1));
    // The closed socket is no socket any more.
    let err = tx.send_to(b"x", to).unwrap_err();
    assert_eq!(err.code(), abi::WSAENOTSOCK, "{err}");
}

// P8 (DisconnectEx's reuse, listen after a failed connect: a fresh kernel
// socket behind the same handle): a stream socket made in host A whose
// connect was refused, then listened on from a thread of another network
// namespace, gets its fresh kernel socket in A's namespace: it is bound
// to A's address and host B connects to it. Made in the caller's
// namespace, the bind to 10.0.0.1 would fail there.
#[test]
fn a_fresh_kernel_socket_is_made_in_the_sockets_namespace() {
    use std::sync::Arc;
    use ws2_engine::{Family, SocketCore, SocketKind};

    let (_net, a, b, _link) = two_hosts();
    let core = a.run(|| {
        let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Stream, 0, true).unwrap());
        core.bind(&"10.0.0.1:0".parse().unwrap()).unwrap();
        // Nothing listens on port 1 of A: refused.
        let err = core.connect(&"10.0.0.1:1".parse().unwrap()).unwrap_err();
        assert_eq!(err.code(), abi::WSAECONNREFUSED, "{err}");
        core
    });
    let local = core.local_addr().unwrap();
    // This thread is in the test's own namespace, not A's.
    core.listen(5)
        .expect("listen renews the socket in A's namespace");
    assert_eq!(core.local_addr().unwrap(), local);
    let connected = b.run(move || std::net::TcpStream::connect_timeout(&local, RECV_TIMEOUT));
    connected.expect("host B connects to the renewed socket");
}
