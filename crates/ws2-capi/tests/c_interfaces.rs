//! Interface discovery from C (SPEC P5): the interface ioctls, the IP
//! Helper calls and the address-change notifications, each C program run
//! with `ip netns exec` inside a multi-homed test host: loopback, veth0
//! (10.51.1.1/24, fd00:51:1::1/64, fe80::51/64) to peer `l`, veth1
//! (10.51.2.1/24, fd00:51:2::1/64) to peer `r`, and no other address
//! (automatic IPv6 link-local addresses are off). Root is required; a host
//! that cannot be built fails the test.

mod common;

use std::time::{Duration, Instant};

use common::{assert_success, compile_test, run_with_timeout, show, start};
use testnet::{Host, Link, Net};

struct MultiHomed {
    _net: Net,
    m: Host,
    left: Link,
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
    // Resolver files (an empty resolv.conf) so that the DNS-server lists
    // are known: none.
    m.resolver_files("127.0.0.1 localhost\n")
        .expect("resolver files");
    MultiHomed { _net: net, m, left }
}

fn run_in(host: &Host, name: &str, args: &[&str]) {
    let exe = compile_test(name);
    let mut argv = vec![exe.to_str().expect("utf-8 path")];
    argv.extend_from_slice(args);
    let out = run_with_timeout(host.command(&argv), name);
    assert_success(&out, name);
}

// P5 (sock.c test_sioRoutingInterfaceQuery, test_address_list_query,
// test_get_interface_list)
#[test]
fn interface_ioctls_answer_as_windows_on_a_multi_homed_host() {
    let h = multi_homed();
    run_in(&h.m, "ifaces_ioctls", &[]);
}

// P5 (iphlpapi.c test_GetAdaptersAddresses, testGetAdaptersInfo,
// testGetIpAddrTable, testGetBestInterface(Ex), test_best_routes,
// testGetBestRoute, test_interface_identifier_conversion)
#[test]
fn ip_helper_calls_answer_as_windows_on_a_multi_homed_host() {
    let h = multi_homed();
    h.m.route("default via 10.51.2.2").expect("default route");
    run_in(&h.m, "iphlpapi_calls", &[]);
}

// P5 S37 S38 (sock.c test_sioAddressListChange, iphlpapi.c
// testNotifyAddrChange): an address added while SIO_ADDRESS_LIST_CHANGE or
// NotifyAddrChange waits completes it, in every mode; closesocket and
// CancelIPChangeNotify abort exactly once. The program asks for each
// change by printing `add <cidr>`; this harness adds it to veth0.
#[test]
fn address_changes_complete_waiting_requests_in_every_mode() {
    let h = multi_homed();
    let exe = compile_test("ifaces_changes");
    let mut running = start(
        h.m.command(&[exe.to_str().expect("utf-8 path")]),
        "ifaces_changes",
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut done_lines = 0;
    let out = loop {
        let finished = running.try_finish();
        let text = running.stdout_so_far();
        for line in text.lines().skip(done_lines) {
            if let Some(cidr) = line.strip_prefix("add ") {
                // An address asked twice (or racing the kernel) is harmless.
                let _ = h.m.add_addr(&h.left.a_ifname, cidr);
            }
            done_lines += 1;
        }
        if let Some(out) = finished {
            break out;
        }
        assert!(
            Instant::now() < deadline,
            "ifaces_changes did not finish in 90 s: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        out.status.success(),
        "ifaces_changes failed\n{}",
        show(&out)
    );
}
