//! Multicast from C (SPEC P4): `tests/c/multicast.c` and the SSDP-style
//! responder of `examples/c/ssdp_responder.c`, run with `ip netns exec` in
//! host `a` of two hosts joined by two links (10.72.1.0/24 and
//! 10.72.2.0/24, with fd00:72:n::/64 each). Root is required; hosts that
//! cannot be built fail the test.

mod common;

use common::{assert_success, compile_test, run_with_timeout};
use testnet::{Host, Link, Net};

struct Hosts {
    _net: Net,
    a: Host,
    b: Host,
    one: Link,
    two: Link,
}

fn hosts() -> Hosts {
    let net = Net::new().expect("cannot set up network namespaces (root needed)");
    let a = net.host("a").expect("host a");
    let b = net.host("b").expect("host b");
    let one = net
        .link(&a, "10.72.1.1/24", &b, "10.72.1.2/24")
        .expect("link one");
    let two = net
        .link(&a, "10.72.2.1/24", &b, "10.72.2.2/24")
        .expect("link two");
    for (link, n) in [(&one, 1), (&two, 2)] {
        a.add_addr(&link.a_ifname, &format!("fd00:72:{n}::1/64"))
            .expect("v6 a");
        b.add_addr(&link.b_ifname, &format!("fd00:72:{n}::2/64"))
            .expect("v6 b");
    }
    a.multicast_route(&one.a_ifname).expect("route a");
    b.multicast_route(&one.b_ifname).expect("route b");
    Hosts {
        _net: net,
        a,
        b,
        one,
        two,
    }
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
    ];
    let out = run_with_timeout(h.a.command(&argv), "multicast");
    assert_success(&out, "multicast");
    let _ = &h.b;
}
