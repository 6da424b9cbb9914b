//! Windows' answers around `WSASendMsg`, pinned from C (issue 9): one
//! program per group of calls in `tests/c/fidelity_*.c`, each case citing
//! the Windows-run Wine test (dlls/ws2_32/tests/sock.c, kernel32 sync.c) or
//! Microsoft page it follows. Each program exits 0 on success and prints
//! the first failed check (`file:line`, the values, the last error).
//!
//! Nothing here skips: no `cc`, no library or no root (raw sockets) make
//! the test fail with the reason.

mod common;

use common::{assert_success, compile_test, run_c_test, run_with_timeout};
use testnet::Net;

// S40 S41
#[test]
fn options_follow_windows_length_value_and_socket_type_rules() {
    run_c_test("fidelity_options", &[]);
}

// S4 S5 S6 S7 S8 S9 S13 S14 S15 S19 S40 S41
#[test]
fn sockets_and_addresses_follow_windows_rules() {
    run_c_test("fidelity_sockets", &["main"]);
}

// S12
#[test]
fn limited_broadcast_needs_so_broadcast_and_connect_to_it_works_without() {
    let exe = compile_test("fidelity_sockets");
    let net = Net::new().expect("testnet");
    let a = net.host("bcast").expect("host a");
    let b = net.host("bcpeer").expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("link");
    a.route(&format!("default dev {}", link.a_ifname))
        .expect("default route");
    // An IPv6 source for the interface-local multicast send.
    a.add_addr(&link.a_ifname, "fd00::1/64")
        .expect("IPv6 address");
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(a.command(&[exe, "broadcast"]), "fidelity_sockets broadcast");
    assert_success(&out, "fidelity_sockets broadcast");
}

// S12
#[test]
fn limited_broadcast_without_route_is_still_wsaeacces() {
    let exe = compile_test("fidelity_sockets");
    let net = Net::new().expect("testnet");
    let a = net.host("bcnoroute").expect("host");
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(
        a.command(&[exe, "broadcast-noroute"]),
        "fidelity_sockets broadcast-noroute",
    );
    assert_success(&out, "fidelity_sockets broadcast-noroute");
}

// S15 S20 S27 S29 S30 S31 S33 S41
#[test]
fn receives_follow_windows_length_and_control_data_rules() {
    run_c_test("fidelity_recv", &[]);
}

// S2 S20 S29 S33 S36 S41
#[test]
fn ioctls_follow_windows_rules() {
    run_c_test("fidelity_ioctl", &[]);
}

// S31 S32 S41
#[test]
fn overlapped_results_follow_the_windows_status_table() {
    run_c_test("fidelity_overlapped", &[]);
}

// S31 S40 S41
#[test]
fn waits_ignore_tag_bits_and_take_pseudo_handles_as_windows_does() {
    run_c_test("fidelity_waits", &[]);
}
