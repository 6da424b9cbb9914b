//! Interface discovery from Rust (SPEC P5) on a multi-homed test host: a
//! namespace with loopback and two links, IPv4 and IPv6 on each, and a peer
//! namespace at the end of each link. Root is required; a host that cannot
//! be built fails the test.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV6};
use std::sync::Arc;
use std::time::{Duration, Instant};

use testnet::{Host, Link, Net};
use ws2::{AddressState, Family, InterfaceFlags, OperStatus, SocketKind};
use ws2_abi as abi;
use ws2_engine::SocketCore;
use ws2_engine::raw::ioctl::{IoctlBuffers, wsa_ioctl};

/// The multi-homed host `m`: veth0 (10.51.1.1/24, fd00:51:1::1/64,
/// fe80::51/64) to peer `l`, veth1 (10.51.2.1/24, fd00:51:2::1/64) to peer
/// `r`. No automatic IPv6 link-local addresses (addr_gen_mode 1), so the
/// host has exactly the addresses given here.
struct MultiHomed {
    _net: Net,
    m: Host,
    left: Link,
    right: Link,
}

fn multi_homed() -> MultiHomed {
    let net = Net::new().expect("cannot set up network namespaces (root needed)");
    let m = net.host("m").expect("host m");
    let l = net.host("l").expect("host l");
    let r = net.host("r").expect("host r");
    for h in [&m, &l, &r] {
        h.sysctl("net.ipv6.conf.default.addr_gen_mode", "1")
            .expect("addr_gen_mode");
    }
    let left = net
        .link(&m, "10.51.1.1/24", &l, "10.51.1.2/24")
        .expect("veth m-l");
    let right = net
        .link(&m, "10.51.2.1/24", &r, "10.51.2.2/24")
        .expect("veth m-r");
    m.add_addr(&left.a_ifname, "fd00:51:1::1/64")
        .expect("v6 left");
    m.add_addr(&left.a_ifname, "fe80::51/64")
        .expect("link-local left");
    l.add_addr(&left.b_ifname, "fd00:51:1::2/64")
        .expect("peer v6 left");
    m.add_addr(&right.a_ifname, "fd00:51:2::1/64")
        .expect("v6 right");
    r.add_addr(&right.b_ifname, "fd00:51:2::2/64")
        .expect("peer v6 right");
    MultiHomed {
        _net: net,
        m,
        left,
        right,
    }
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

// P5: the host's interfaces and addresses, exactly (iphlpapi.c
// test_GetAdaptersAddresses: IfType 24 loopback, 6 Ethernet; each unicast
// address once, IPv6 link-local with its zone).
#[test]
fn p5_interfaces_lists_exactly_the_hosts_links_and_addresses() {
    let h = multi_homed();
    let ifs = h.m.run(ws2::interfaces).expect("interfaces()");
    let names: Vec<&str> = ifs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["lo", "veth0", "veth1"], "{ifs:#?}");
    let addrs = |i: usize| -> Vec<String> {
        ifs[i]
            .addresses
            .iter()
            .map(|a| format!("{}/{}", a.addr, a.prefix_len))
            .collect()
    };
    assert_eq!(addrs(0), ["127.0.0.1/8", "::1/128"]);
    assert_eq!(addrs(1), ["10.51.1.1/24", "fd00:51:1::1/64", "fe80::51/64"]);
    assert_eq!(addrs(2), ["10.51.2.1/24", "fd00:51:2::1/64"]);
    let (lo, v0, v1) = (&ifs[0], &ifs[1], &ifs[2]);
    assert_eq!((lo.if_type, v0.if_type, v1.if_type), (24, 6, 6));
    assert!(
        lo.is_loopback()
            && lo
                .flags
                .contains(InterfaceFlags::LOOPBACK | InterfaceFlags::UP)
    );
    assert_eq!((v0.index, v1.index), (h.left.a_ifindex, h.right.a_ifindex));
    for i in [lo, v0, v1] {
        assert_eq!(i.oper_status, OperStatus::Up, "{}", i.name);
        assert!(
            i.addresses
                .iter()
                .all(|a| a.state == AddressState::Preferred)
        );
    }
    assert!(
        v0.flags
            .contains(InterfaceFlags::BROADCAST | InterfaceFlags::MULTICAST)
    );
    assert_eq!(v0.hardware_address.len(), 6);
    assert!(lo.hardware_address.is_empty());
    assert_eq!(v0.kind.as_deref(), Some("veth"));
    let ll = &v0.addresses[2];
    assert_eq!(ll.scope_id, v0.index);
    assert_eq!(
        ll.socket_addr(7),
        SocketAddr::V6(SocketAddrV6::new(
            "fe80::51".parse().unwrap(),
            7,
            0,
            v0.index
        ))
    );
    assert_eq!(
        v0.addresses[0].broadcast,
        Some(Ipv4Addr::new(10, 51, 1, 255))
    );
    assert_eq!(v0.addresses[0].netmask(), IpAddr::from([255, 255, 255, 0]));
    assert!(v0.addresses[0].permanent && v0.addresses[0].valid_lifetime.is_none());
    // Multicast memberships: IPv6 all-nodes on every IPv6 link, IPv4
    // all-hosts on every multicast IPv4 link.
    assert!(
        v0.multicast.contains(&"ff02::1".parse().unwrap()),
        "{:?}",
        v0.multicast
    );
    assert!(
        v0.multicast.contains(&"224.0.0.1".parse().unwrap()),
        "{:?}",
        v0.multicast
    );
    // Luid and names follow the README's scheme.
    assert_eq!(v0.luid(), 6 << 48 | u64::from(v0.index) << 24);
    let guid = v0.adapter_name();
    assert_eq!(guid.len(), 38);
    assert_ne!(guid, v1.adapter_name());
    assert!(v0.gateways.is_empty());
    // A default route shows as the interface's gateway.
    h.m.route("default via 10.51.2.2").expect("default route");
    let ifs = h.m.run(ws2::interfaces).expect("interfaces()");
    assert_eq!(ifs[2].gateways, [IpAddr::from([10, 51, 2, 2])]);
    assert!(ifs[1].gateways.is_empty());
}

// P5: the routing query answers the address of the link that routes to each
// peer (sock.c test_sioRoutingInterfaceQuery; iphlpapi.c testGetBestRoute).
#[test]
fn p5_route_to_answers_the_link_that_routes_to_each_peer() {
    let h = multi_homed();
    let (i0, i1) = (h.left.a_ifindex, h.right.a_ifindex);
    h.m.route("10.99.0.0/16 via 10.51.2.2")
        .expect("gatewayed route");
    h.m.run(|| {
        for (dest, source, index) in [
            ("10.51.1.2:9", "10.51.1.1", i0),
            ("10.51.2.2:9", "10.51.2.1", i1),
            ("[fd00:51:1::2]:9", "fd00:51:1::1", i0),
            ("[fd00:51:2::2]:9", "fd00:51:2::1", i1),
        ] {
            let r = ws2::route_to(sa(dest)).expect(dest);
            assert_eq!(r.source, source.parse::<IpAddr>().unwrap(), "{dest}");
            assert_eq!(r.interface_index, index, "{dest}");
            assert_eq!(r.gateway, None, "{dest}");
            assert!(!r.local);
        }
        let r = ws2::route_to(sa("10.51.1.2:9")).unwrap();
        assert_eq!((r.prefix, r.prefix_len), (IpAddr::from([10, 51, 1, 0]), 24));
        // Through a gateway: the gateway's link and its address.
        let r = ws2::route_to(sa("10.99.3.4:9")).unwrap();
        assert_eq!(r.gateway, Some(IpAddr::from([10, 51, 2, 2])));
        assert_eq!(
            (r.source, r.interface_index),
            (IpAddr::from([10, 51, 2, 1]), i1)
        );
        assert_eq!((r.prefix, r.prefix_len), (IpAddr::from([10, 99, 0, 0]), 16));
        // Loopback: a /32 host route of the local table, on lo.
        let r = ws2::route_to(sa("127.0.0.1:9")).unwrap();
        assert!(r.local);
        assert_eq!((r.source, r.prefix_len), (IpAddr::from([127, 0, 0, 1]), 32));
        // A link-local destination with its zone leaves by that link, from
        // the link's link-local address.
        let ll = SocketAddr::V6(SocketAddrV6::new("fe80::2".parse().unwrap(), 9, 0, i0));
        let r = ws2::route_to(ll).unwrap();
        assert_eq!(
            (r.source, r.interface_index),
            ("fe80::51".parse().unwrap(), i0)
        );
        assert_eq!(
            r.source_socket_addr(5),
            SocketAddr::V6(SocketAddrV6::new("fe80::51".parse().unwrap(), 5, 0, i0))
        );
        // Errors (iphlpapi.c test_best_routes; sock.c
        // test_sioRoutingInterfaceQuery): no route, unspecified, a zone on
        // a global destination.
        let e = ws2::route_to(sa("192.0.2.1:9")).unwrap_err();
        assert_eq!(e.code(), abi::WSAENETUNREACH, "{e}");
        let e = ws2::route_to(sa("0.0.0.0:9")).unwrap_err();
        assert_eq!(e.code(), abi::WSAEINVAL, "{e}");
        let scoped = SocketAddr::V6(SocketAddrV6::new("fd00:51:1::2".parse().unwrap(), 9, 0, i0));
        assert_eq!(ws2::route_to(scoped).unwrap_err().code(), abi::WSAEINVAL);
    });
}

fn ioctl(core: &Arc<SocketCore>, code: u32, out: &mut [u8], size: &mut u32) -> ws2::Result<()> {
    let b = IoctlBuffers {
        in_buf: std::ptr::null(),
        in_len: 0,
        out_buf: out.as_mut_ptr(),
        out_len: out.len() as u32,
        bytes_returned: size,
        overlapped: std::ptr::null_mut(),
        routine: None,
    };
    // SAFETY: `out` and `size` are live for the call; no OVERLAPPED.
    unsafe { wsa_ioctl(core, code, &b) }
}

// P5: FD_ADDRESS_LIST_CHANGE is recorded for a non-blocking socket that
// issued SIO_ADDRESS_LIST_CHANGE (WSAEWOULDBLOCK) and for no other (sock.c
// test_sioAddressListChange: sock2 signalled, sock3 not); the recorded
// event is what WSAEventSelect will report.
#[test]
fn p5_address_list_change_is_recorded_only_for_sockets_that_asked() {
    let h = multi_homed();
    let (asked, silent, v6) = h.m.run(|| {
        let new = |f| Arc::new(SocketCore::new(f, SocketKind::Datagram, 0, true).unwrap());
        let (asked, silent, v6) = (new(Family::V4), new(Family::V4), new(Family::V6));
        for s in [&asked, &silent, &v6] {
            s.set_nonblocking(true);
        }
        for s in [&asked, &v6] {
            let mut size = 0;
            let e = ioctl(s, abi::SIO_ADDRESS_LIST_CHANGE, &mut [], &mut size).unwrap_err();
            assert_eq!(e.code(), abi::WSAEWOULDBLOCK);
        }
        (asked, silent, v6)
    });
    let recorded = ws2_engine::addr_changes::address_list_change_recorded;
    assert!(!recorded(&asked));
    // An IPv4 address appears: the IPv4 socket that asked records it, once;
    // the one that did not ask and the IPv6 one do not.
    h.m.add_addr(&h.left.a_ifname, "10.51.1.77/24")
        .expect("new address");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !recorded(&asked) {
        assert!(
            Instant::now() < deadline,
            "FD_ADDRESS_LIST_CHANGE was not recorded"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!recorded(&asked), "recorded once per request");
    assert!(!recorded(&silent));
    assert!(!recorded(&v6));
    // An IPv6 change reaches the IPv6 socket.
    h.m.add_addr(&h.left.a_ifname, "fd00:51:1::77/64")
        .expect("new v6 address");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !recorded(&v6) {
        assert!(
            Instant::now() < deadline,
            "IPv6 FD_ADDRESS_LIST_CHANGE was not recorded"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

// P5: SIO_ADDRESS_LIST_QUERY lists the socket family's addresses without
// loopback ones (Microsoft's SIO_ADDRESS_LIST_QUERY page; sock.c
// test_address_list_query for the size rules, checked in C).
#[test]
fn p5_address_list_query_lists_each_familys_addresses() {
    let h = multi_homed();
    let (i0, _) = (h.left.a_ifindex, h.right.a_ifindex);
    let lists = h.m.run(|| {
        [Family::V4, Family::V6].map(|f| {
            let core = Arc::new(SocketCore::new(f, SocketKind::Datagram, 0, true).unwrap());
            let mut out = [0u8; 1024];
            let mut size = 0;
            ioctl(&core, abi::SIO_ADDRESS_LIST_QUERY, &mut out, &mut size).unwrap();
            let count = i32::from_ne_bytes(out[..4].try_into().unwrap()) as usize;
            let mut addrs = Vec::new();
            let mut total = 8 + 16 * count;
            for k in 0..count {
                let e = 8 + 16 * k;
                let p = usize::from_ne_bytes(out[e..e + 8].try_into().unwrap());
                let len = i32::from_ne_bytes(out[e + 8..e + 12].try_into().unwrap()) as usize;
                let at = p - out.as_ptr() as usize;
                total += len;
                let bytes = &out[at..at + len];
                let family = u16::from_ne_bytes([bytes[0], bytes[1]]) as i32;
                let text = if family == abi::AF_INET {
                    Ipv4Addr::new(bytes[4], bytes[5], bytes[6], bytes[7]).to_string()
                } else {
                    let ip: [u8; 16] = bytes[8..24].try_into().unwrap();
                    let scope = u32::from_ne_bytes(bytes[24..28].try_into().unwrap());
                    format!("{}%{scope}", std::net::Ipv6Addr::from(ip))
                };
                addrs.push(text);
            }
            assert_eq!(size as usize, total);
            addrs
        })
    });
    assert_eq!(lists[0], ["10.51.1.1", "10.51.2.1"]);
    assert_eq!(
        lists[1],
        [
            "fd00:51:1::1%0".to_string(),
            format!("fe80::51%{i0}"),
            "fd00:51:2::1%0".to_string()
        ]
    );
}

// P5 S37 S38: a pending SIO_ADDRESS_LIST_CHANGE of a socket not bound to a
// completion port is cancelled when its issuing thread exits (event set,
// Internal STATUS_CANCELLED), exactly once: a later change and closesocket
// find nothing left to complete.
#[test]
fn p5_pending_address_list_change_is_cancelled_at_thread_exit() {
    let h = multi_homed();
    let core =
        h.m.run(|| Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap()));
    let event = Arc::new(ws2::Event::new());
    let handle =
        ws2_engine::handles::insert(ws2_engine::handles::Object::Event(event.clone())).unwrap();
    let ov = Box::into_raw(Box::new(abi::WSAOVERLAPPED {
        hEvent: handle as _,
        ..Default::default()
    }));
    let addr = ov as usize;
    let issuer = core.clone();
    h.m.run(move || {
        let mut size = 0u32;
        let b = IoctlBuffers {
            in_buf: std::ptr::null(),
            in_len: 0,
            out_buf: std::ptr::null_mut(),
            out_len: 0,
            bytes_returned: &mut size,
            overlapped: addr as *mut abi::WSAOVERLAPPED,
            routine: None,
        };
        // SAFETY: the OVERLAPPED is leaked until the end of the test.
        let e = unsafe { wsa_ioctl(&issuer, abi::SIO_ADDRESS_LIST_CHANGE, &b) }.unwrap_err();
        assert_eq!(e.code(), abi::WSA_IO_PENDING);
    }); // the issuing thread exits here
    assert!(
        event.wait(Some(Duration::from_secs(5))),
        "not cancelled at thread exit"
    );
    // SAFETY: completed: ws2 no longer touches it.
    let done = unsafe { Box::from_raw(ov) };
    assert_eq!(done.Internal as u32, abi::STATUS_CANCELLED);
    event.reset();
    h.m.add_addr(&h.left.a_ifname, "10.51.1.88/24")
        .expect("new address");
    core.close();
    assert!(
        !event.wait(Some(Duration::from_millis(300))),
        "completed twice"
    );
    ws2_engine::handles::remove(handle);
}
