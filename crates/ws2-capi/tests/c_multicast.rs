//! Multicast from C (SPEC P4): `tests/c/multicast.c` and the SSDP-style
//! responder of `examples/c/ssdp_responder.c`, run with `ip netns exec` in
//! host `a` of two hosts joined by two links (10.72.1.0/24 and
//! 10.72.2.0/24, with fd00:72:n::/64 each). Root is required; hosts that
//! cannot be built fail the test.

mod common;

use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use common::{assert_success, compile_example, compile_test, run_with_timeout, start};
use testnet::{Host, TwoLinks};

/// The shared two-link topology (`testnet::TwoLinks`), subnet 72.
fn hosts() -> TwoLinks {
    TwoLinks::new(72).expect("cannot set up network namespaces (root needed)")
}

// P4 (sock.c test_set_getsockopt, test_sockopt_validity, test_reuseaddr;
// MS "IPPROTO_IP socket options", "Multicast Socket Option Behavior",
// "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE")
#[test]
fn multicast_options_joins_and_source_filters_from_c() {
    let h = hosts();
    let exe = compile_test("multicast");
    let (one, two) = (h.one.a_ifindex.to_string(), h.two.a_ifindex.to_string());
    let argv = [
        exe.to_str().expect("utf-8 path"),
        "10.72.1.1",
        &one,
        "10.72.2.1",
        &two,
        "10.72.1.255",
    ];
    let out = run_with_timeout(h.a.command(&argv), "multicast");
    assert_success(&out, "multicast");
}

/// An M-SEARCH from host b out of `local` (an address of b, whose link
/// the query leaves by); the reply and the address it came from.
fn m_search(b: &Host, local: &str) -> (String, std::net::SocketAddr) {
    let local: std::net::Ipv4Addr = local.parse().unwrap();
    let sock = b.run(move || UdpSocket::bind((local, 0))).expect("querier");
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let ifaddr = libc::in_addr {
        s_addr: u32::from_ne_bytes(local.octets()),
    };
    // SAFETY: setsockopt with a pointer to a live in_addr and its size.
    let r = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_IF,
            (&raw const ifaddr).cast(),
            size_of::<libc::in_addr>() as libc::socklen_t,
        )
    };
    assert_eq!(r, 0, "IP_MULTICAST_IF");
    let query = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\
                 MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n";
    sock.send_to(query.as_bytes(), "239.255.255.250:1900")
        .expect("M-SEARCH");
    let mut buf = [0u8; 1024];
    let (n, from) = sock.recv_from(&mut buf).expect("SSDP reply");
    (String::from_utf8_lossy(&buf[..n]).into_owned(), from)
}

// P4 S25 (MS "IPPROTO_IP socket options": imr_interface by index;
// "GetAdaptersAddresses"; "WSARecvMsg"/"WSASendMsg" with IN_PKTINFO)
#[test]
fn example_ssdp_responder_answers_each_link_from_its_address() {
    let h = hosts();
    let exe = compile_example("ssdp_responder");
    let running = start(h.a.command(&[exe.to_str().unwrap(), "2"]), "ssdp_responder");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running.stdout_so_far().contains("listening") {
        assert!(
            Instant::now() < deadline,
            "ssdp_responder did not start; stdout so far: {}",
            running.stdout_so_far()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    for (local, server) in [("10.72.1.2", "10.72.1.1"), ("10.72.2.2", "10.72.2.1")] {
        let (reply, from) = m_search(&h.b, local);
        assert_eq!(from, format!("{server}:1900").parse().unwrap(), "{reply}");
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(
            reply.contains(&format!("LOCATION: http://{server}:8080/")),
            "{reply}"
        );
    }
    let out = running.wait(Duration::from_secs(10));
    assert_success(&out, "ssdp_responder");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("answered from").count(), 2, "{text}");
    assert_eq!(text.matches("joined 239.255.255.250").count(), 2, "{text}");
}
