//! Multicast on namespace test hosts (SPEC P4): host `a` (the receiver)
//! and host `b` (the sender) joined by two links, each with IPv4 and IPv6
//! addresses. Windows' answers come from Microsoft's "IPPROTO_IP socket
//! options", "Multicast Socket Option Behavior" and "Using SO_REUSEADDR and
//! SO_EXCLUSIVEADDRUSE", and Wine's Windows-run sock.c (`test_reuseaddr`,
//! `test_set_getsockopt`).

use std::io::IoSlice;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use testnet::{Host, TwoLinks};
use ws2::{ControlMessage, Message, RecvInfo, SendFlags, Socket};

/// The shared two-link topology (`testnet::TwoLinks`), subnet 71.
fn hosts() -> TwoLinks {
    TwoLinks::new(71).expect("cannot set up network namespaces (root needed)")
}

const GROUP: Ipv4Addr = Ipv4Addr::new(239, 71, 0, 1);
const GROUP6: &str = "ff15::71";
const WAIT: Duration = Duration::from_millis(300);

fn receiver(host: &Host, bind: &str) -> Socket {
    let bind: SocketAddr = bind.parse().unwrap();
    let s = host
        .run(move || {
            let s = if bind.is_ipv4() {
                Socket::udp_v4()
            } else {
                Socket::udp_v6()
            }?;
            s.bind(bind)?;
            Ok::<_, ws2::Error>(s)
        })
        .expect("receiver");
    s.set_recv_timeout(Some(WAIT));
    s
}

/// A ws2 sender on `host` whose group datagrams leave by `ifindex`.
fn sender(host: &Host, v6: bool, ifindex: u32) -> Socket {
    let s = host
        .run(|| {
            if v6 {
                Socket::udp_v6()
            } else {
                Socket::udp_v4()
            }
        })
        .expect("sender");
    s.set_multicast_interface(ifindex)
        .expect("multicast interface");
    s
}

/// The payloads `s` receives until a receive times out.
fn drain(s: &Socket) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    for _ in 0..64 {
        match s.recv_from(&mut buf) {
            Ok((n, _)) => got.push(buf[..n].to_vec()),
            Err(e) => {
                assert_eq!(e.code(), ws2::WSAETIMEDOUT, "{e}");
                break;
            }
        }
    }
    got
}

fn send_both_links(h: &TwoLinks, port: u16, v6: bool) {
    let group: IpAddr = if v6 {
        GROUP6.parse().unwrap()
    } else {
        GROUP.into()
    };
    for (link, tag) in [(&h.one, &b"link one"[..]), (&h.two, &b"link two"[..])] {
        let tx = sender(&h.b, v6, link.b_ifindex);
        tx.send_to(tag, SocketAddr::new(group, port)).expect("send");
    }
}

#[test]
fn a_join_receives_only_its_interfaces_group_traffic() {
    // P4: MS "IPPROTO_IP socket options" (IP_ADD_MEMBERSHIP: the group on
    // the interface imr_interface names), v4 and v6.
    let h = hosts();
    let rx = receiver(&h.a, "0.0.0.0:7101");
    rx.join_multicast_v4(GROUP, h.two.a_ifindex).expect("join");
    send_both_links(&h, 7101, false);
    assert_eq!(drain(&rx), vec![b"link two".to_vec()]);

    let rx6 = receiver(&h.a, "[::]:7102");
    let g6: Ipv6Addr = GROUP6.parse().unwrap();
    rx6.join_multicast_v6(g6, h.one.a_ifindex).expect("join v6");
    send_both_links(&h, 7102, true);
    assert_eq!(drain(&rx6), vec![b"link one".to_vec()]);
}

#[test]
fn a_socket_bound_to_a_unicast_address_receives_the_groups_it_joined() {
    // P4: issue 11 item 2, Windows' delivery rule (Linux delivers no group
    // to a socket bound to a unicast address). getsockname keeps the
    // unicast address.
    let h = hosts();
    let rx = receiver(&h.a, "10.71.1.1:7103");
    rx.join_multicast_v4(GROUP, h.one.a_ifindex).expect("join");
    assert_eq!(rx.local_addr().unwrap(), "10.71.1.1:7103".parse().unwrap());
    send_both_links(&h, 7103, false);
    assert_eq!(drain(&rx), vec![b"link one".to_vec()]);
    // Unicast to the bound address still arrives on the same socket.
    let tx = sender(&h.b, false, 0);
    tx.send_to(b"unicast", "10.71.1.1:7103".parse().unwrap())
        .unwrap();
    assert_eq!(drain(&rx), vec![b"unicast".to_vec()]);
}

#[test]
fn a_socket_receives_no_group_it_did_not_join() {
    // P4: Linux's IP_MULTICAST_ALL would hand a wildcard-bound socket every
    // group another socket of the host joined; Windows does not.
    let h = hosts();
    let joined = receiver(&h.a, "0.0.0.0:7104");
    // The bystander shares the port with a specific address (Windows'
    // table allows wildcard + specific without options) and joins nothing.
    let bystander = receiver(&h.a, "10.71.1.1:7104");
    joined.join_multicast_v4(GROUP, h.one.a_ifindex).unwrap();
    send_both_links(&h, 7104, false);
    assert_eq!(drain(&joined), vec![b"link one".to_vec()]);
    assert!(drain(&bystander).is_empty());
}

#[test]
fn a_leave_stops_delivery() {
    // P4: IP_DROP_MEMBERSHIP; a second drop is WSAEINVAL (MS "Multicast
    // Socket Option Behavior").
    let h = hosts();
    let rx = receiver(&h.a, "0.0.0.0:7105");
    rx.join_multicast_v4(GROUP, h.one.a_ifindex).unwrap();
    send_both_links(&h, 7105, false);
    assert_eq!(drain(&rx).len(), 1);
    rx.leave_multicast_v4(GROUP, h.one.a_ifindex).unwrap();
    send_both_links(&h, 7105, false);
    assert!(drain(&rx).is_empty());
    let again = rx.leave_multicast_v4(GROUP, h.one.a_ifindex).unwrap_err();
    assert_eq!(again.code(), ws2::WSAEINVAL);
}

#[test]
fn multicast_if_picks_the_link_and_ttl_is_on_the_wire() {
    // P4: IP_MULTICAST_IF (an index) and IP_MULTICAST_TTL, seen by a
    // capture on the peer; DF is off unless IP_DONTFRAGMENT.
    let h = hosts();
    let cap_one = h.a.capture(&h.one.a_ifname).unwrap();
    let cap_two = h.a.capture(&h.two.a_ifname).unwrap();
    let tx = sender(&h.b, false, h.two.b_ifindex);
    tx.set_multicast_ttl(7).unwrap();
    assert_eq!(tx.multicast_interface().unwrap(), h.two.b_ifindex);
    tx.send_to(b"ttl 7", SocketAddr::new(GROUP.into(), 7106))
        .unwrap();
    let seen = cap_two
        .next_udp(7106, Duration::from_secs(2))
        .expect("the datagram on link two");
    assert_eq!(
        (seen.ttl, seen.dst, seen.src, seen.payload.as_slice()),
        (7, GROUP, Ipv4Addr::new(10, 71, 2, 2), &b"ttl 7"[..])
    );
    assert!(!seen.dont_fragment, "Windows sends UDP without DF");
    assert!(
        cap_one.next_udp(7106, WAIT).is_none(),
        "nothing on link one"
    );
    tx.set_dont_fragment(true).unwrap();
    tx.send_to(b"df", SocketAddr::new(GROUP.into(), 7106))
        .unwrap();
    let seen = cap_two.next_udp(7106, Duration::from_secs(2)).unwrap();
    assert!(seen.dont_fragment);
}

#[test]
fn multicast_loop_is_the_receivers_switch() {
    // P4: MS "IPPROTO_IP socket options", IP_MULTICAST_LOOP: on Windows
    // the receiving socket decides whether it gets its host's own group
    // datagrams (Linux: the sender decides).
    let h = hosts();
    let looped = receiver(&h.a, "0.0.0.0:7107");
    let quiet = receiver(&h.a, "10.71.1.1:7107");
    quiet.set_multicast_loop(false);
    for s in [&looped, &quiet] {
        s.join_multicast_v4(GROUP, h.one.a_ifindex).unwrap();
    }
    // A sender on host a itself, whose own loop option stays on.
    let local = sender(&h.a, false, h.one.a_ifindex);
    local
        .send_to(b"from a", SocketAddr::new(GROUP.into(), 7107))
        .unwrap();
    // And one from host b.
    sender(&h.b, false, h.one.b_ifindex)
        .send_to(b"from b", SocketAddr::new(GROUP.into(), 7107))
        .unwrap();
    let mut got = drain(&looped);
    got.sort();
    assert_eq!(got, vec![b"from a".to_vec(), b"from b".to_vec()]);
    assert_eq!(drain(&quiet), vec![b"from b".to_vec()]);
}

#[test]
fn reusing_sockets_each_receive_the_group() {
    // P4: MS "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE": multicast is
    // delivered to every socket on the port that joined; test_reuseaddr's
    // bind outcomes for the pair.
    let h = hosts();
    let make = || {
        h.a.run(|| {
            let s = Socket::udp_v4()?;
            s.set_reuse_address(true)?;
            s.bind("0.0.0.0:7108".parse().unwrap())?;
            s.set_recv_timeout(Some(WAIT));
            Ok::<_, ws2::Error>(s)
        })
        .expect("reusing socket")
    };
    let (first, second) = (make(), make());
    // A third without the option cannot share the port (the table's
    // Reuse/Default cell for two wildcards).
    let third = h.a.run(Socket::udp_v4).unwrap();
    let err = third.bind("0.0.0.0:7108".parse().unwrap()).unwrap_err();
    assert_eq!(err.code(), ws2::WSAEADDRINUSE);
    for s in [&first, &second] {
        s.join_multicast_v4(GROUP, h.one.a_ifindex).unwrap();
    }
    send_both_links(&h, 7108, false);
    assert_eq!(drain(&first), vec![b"link one".to_vec()]);
    assert_eq!(drain(&second), vec![b"link one".to_vec()]);
}

#[test]
fn dont_fragment_fails_an_oversized_datagram_on_a_small_mtu_link() {
    // P4: IP_DONTFRAGMENT / IPV6_DONTFRAG (test_set_getsockopt: off by
    // default on UDP): with it a datagram above the link MTU is
    // WSAEMSGSIZE; without it the IPv4 datagram leaves in fragments. Also
    // as per-send control messages (issue 11 item 4).
    let h = hosts();
    for (host, dev) in [(&h.a, &h.one.a_ifname), (&h.b, &h.one.b_ifname)] {
        host.ip(&["link", "set", dev, "mtu", "1280"]).unwrap();
    }
    let rx = receiver(&h.a, "0.0.0.0:7109");
    let tx = h.b.run(Socket::udp_v4).unwrap();
    let big = vec![0x5au8; 1400];
    let to: SocketAddr = "10.71.1.1:7109".parse().unwrap();
    assert_eq!(tx.send_to(&big, to).unwrap(), 1400);
    assert_eq!(drain(&rx), vec![big.clone()]);
    tx.set_dont_fragment(true).unwrap();
    assert_eq!(tx.send_to(&big, to).unwrap_err().code(), ws2::WSAEMSGSIZE);
    tx.set_dont_fragment(false).unwrap();
    assert_eq!(tx.send_to(&big, to).unwrap(), 1400);

    let tx6 = h.b.run(Socket::udp_v6).unwrap();
    tx6.set_dont_fragment(true).unwrap();
    let to6: SocketAddr = "[fd00:71:1::1]:7109".parse().unwrap();
    assert_eq!(tx6.send_to(&big, to6).unwrap_err().code(), ws2::WSAEMSGSIZE);
    drain(&rx);

    // As one send's control message (IP_DONTFRAGMENT / IPV6_DONTFRAG, an
    // INT as picoquic's WSASendMsg passes it), against the socket's option.
    let send = |s: &Socket, to: SocketAddr, c: ControlMessage| {
        let bufs = [IoSlice::new(&big)];
        s.send_msg(&Message::new(&bufs).to(to).control(&[c]), SendFlags::NONE)
    };
    let df = ControlMessage::DontFragment(true);
    assert_eq!(send(&tx, to, df).unwrap_err().code(), ws2::WSAEMSGSIZE);
    assert_eq!(
        send(&tx, to, ControlMessage::DontFragment(false)).unwrap(),
        1400
    );
    // The socket's own setting is back after each.
    assert!(!tx.dont_fragment().unwrap());
    assert_eq!(tx.send_to(&big, to).unwrap(), 1400);
    tx.set_dont_fragment(true).unwrap();
    assert_eq!(
        send(&tx, to, ControlMessage::DontFragment(false)).unwrap(),
        1400
    );
    assert_eq!(tx.send_to(&big, to).unwrap_err().code(), ws2::WSAEMSGSIZE);
    assert_eq!(drain(&rx).len(), 3);
    let v6_off = ControlMessage::DontFragmentV6(false);
    assert_eq!(send(&tx6, to6, v6_off).unwrap(), 1400);
    // Overlapped sends carrying it: each fails or completes on its own
    // (at call time or queued; queued ones are batched apart).
    tx.set_dont_fragment(false).unwrap();
    let results: Vec<_> = (0..4)
        .map(|i| {
            let c = [ControlMessage::DontFragment(i % 2 == 0)];
            match tx.send_overlapped(big.clone(), Some(to), &c) {
                Err(e) => Err(ws2::Error::from(e).code()),
                Ok(p) => p
                    .wait_timeout(Duration::from_secs(5))
                    .unwrap_or_else(|_| panic!("send {i} never completed"))
                    .result
                    .map_err(|e| e.code()),
            }
        })
        .collect();
    assert_eq!(
        results,
        vec![
            Err(ws2::WSAEMSGSIZE),
            Ok(1400),
            Err(ws2::WSAEMSGSIZE),
            Ok(1400)
        ]
    );
}

#[test]
fn receive_info_of_a_group_datagram() {
    // P4 with S27: IP_PKTINFO reports the group as destination and the
    // joined interface; IP_RECVTTL the TTL that crossed the wire.
    let h = hosts();
    let rx = receiver(&h.a, "0.0.0.0:7110");
    rx.set_recv_info(RecvInfo::DESTINATION | RecvInfo::TTL)
        .unwrap();
    rx.join_multicast_v4(GROUP, h.two.a_ifindex).unwrap();
    let tx = sender(&h.b, false, h.two.b_ifindex);
    tx.set_multicast_ttl(9).unwrap();
    tx.send_to(b"info", SocketAddr::new(GROUP.into(), 7110))
        .unwrap();
    let mut buf = [0u8; 64];
    let got = rx
        .recv_msg(&mut [std::io::IoSliceMut::new(&mut buf)])
        .expect("group datagram");
    assert_eq!(&buf[..got.bytes], b"info", "{got:?}");
    assert_eq!(got.controls.destination_v4, Some((GROUP, h.two.a_ifindex)));
    assert_eq!(got.controls.ttl, Some(9));
}

#[test]
fn queued_sends_keep_their_own_dont_fragment_bit() {
    // P4 with S34/S38: overlapped sends queued behind a slow link, each
    // with its own IP_DONTFRAGMENT control: the reactor batches them apart
    // (one IP_MTU_DISCOVER switch per batch), each completes with its own
    // result, and the DF bit on the wire is each datagram's own.
    let h = hosts();
    for (host, dev) in [(&h.a, &h.one.a_ifname), (&h.b, &h.one.b_ifname)] {
        host.ip(&["link", "set", dev, "mtu", "1280"]).unwrap();
    }
    h.b.rate_limit(&h.one.b_ifname, "20mbit").unwrap();
    let cap = h.a.capture(&h.one.a_ifname).unwrap();
    let tx = h.b.run(Socket::udp_v4).unwrap();
    tx.set_send_buffer_size(8192).unwrap();
    let to: SocketAddr = "10.71.1.1:7111".parse().unwrap();
    let before = ws2_engine::io::reactor_stats().datagrams;
    let wants = |i: usize| match i % 3 {
        0 => (1400, true),  // too big with DF: WSAEMSGSIZE
        1 => (1000, true),  // DF on the wire
        _ => (1000, false), // no DF
    };
    let sends: Vec<_> = (0..90)
        .map(|i| {
            let (len, df) = wants(i);
            let mut payload = vec![0u8; len];
            payload[0] = i as u8;
            let c = [ControlMessage::DontFragment(df)];
            tx.send_overlapped(payload, Some(to), &c)
        })
        .collect();
    for (i, s) in sends.into_iter().enumerate() {
        let got = match s {
            Err(e) => Err(ws2::Error::from(e).code()),
            Ok(p) => p
                .wait_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("send {i} never completed"))
                .result
                .map_err(|e| e.code()),
        };
        let want = match wants(i) {
            (1400, _) => Err(ws2::WSAEMSGSIZE),
            (len, _) => Ok(len),
        };
        assert_eq!(got, want, "send {i}");
    }
    assert!(
        ws2_engine::io::reactor_stats().datagrams > before,
        "the sends must have queued"
    );
    let mut seen = 0;
    while let Some(c) = cap.next_udp(7111, Duration::from_secs(2)) {
        let i = usize::from(c.payload[0]);
        assert_eq!(c.dont_fragment, wants(i).1, "datagram {i}");
        seen += 1;
        if seen == 60 {
            break;
        }
    }
    assert_eq!(seen, 60, "every 1000-byte datagram on the wire");
}

#[test]
fn ipv6_delivery_rule_and_loop() {
    // P4: the delivery rule and the receiver's loop switch for IPv6
    // (MS "IPPROTO_IPV6 socket options"; Linux does not tie an IPv6
    // membership to its interface at delivery, nor deliver a group to a
    // socket bound to a unicast address).
    let h = hosts();
    let g6: Ipv6Addr = GROUP6.parse().unwrap();
    let bound = receiver(&h.a, "[fd00:71:2::1]:7112");
    bound.join_multicast_v6(g6, h.two.a_ifindex).unwrap();
    let wildcard = receiver(&h.a, "[::]:7112");
    wildcard.join_multicast_v6(g6, h.one.a_ifindex).unwrap();
    wildcard.set_multicast_loop(false);
    send_both_links(&h, 7112, true);
    assert_eq!(drain(&bound), vec![b"link two".to_vec()]);
    assert_eq!(drain(&wildcard), vec![b"link one".to_vec()]);
    // From host a itself, out of link one: the wildcard socket (loop off)
    // does not get it.
    let local = sender(&h.a, true, h.one.a_ifindex);
    local
        .send_to(b"local", SocketAddr::new(g6.into(), 7112))
        .unwrap();
    assert!(drain(&wildcard).is_empty());
    wildcard.set_multicast_loop(true);
    local
        .send_to(b"local", SocketAddr::new(g6.into(), 7112))
        .unwrap();
    assert_eq!(drain(&wildcard), vec![b"local".to_vec()]);
}

#[test]
fn a_raw_socket_receives_the_groups_it_joined() {
    // P4: MS "IPPROTO_IP socket options" (memberships on SOCK_RAW too): a
    // raw IPPROTO_UDP socket gets the group's datagrams, IP header first.
    let h = hosts();
    let raw =
        h.a.run(|| {
            let s = Socket::raw(ws2::Family::V4, ws2::IPPROTO_UDP)?;
            // A raw socket receives once bound, as on Windows.
            s.bind("0.0.0.0:0".parse().unwrap())?;
            Ok::<_, ws2::Error>(s)
        })
        .expect("raw socket (root)");
    raw.set_recv_timeout(Some(WAIT));
    raw.join_multicast_v4(GROUP, h.one.a_ifindex).unwrap();
    send_both_links(&h, 7113, false);
    let got: Vec<Vec<u8>> = drain(&raw)
        .into_iter()
        .filter(|d| d.len() > 28 && u16::from_be_bytes([d[22], d[23]]) == 7113)
        .map(|d| d[28..].to_vec())
        .collect();
    assert_eq!(got, vec![b"link one".to_vec()]);
}
