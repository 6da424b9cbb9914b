//! C conformance tests: each program in `tests/c/` is compiled against the
//! headers in `include/` and the `libws2_32` cargo built for this test run,
//! then run (inside test hosts built with `testnet` where it needs them).
//! Every program exits 0 on success and prints `file:line` and the
//! `WSAGetLastError()` value of the first failed check otherwise.
//!
//! Nothing here skips: no `cc`, no library, no root or no namespaces make
//! the test fail with the reason.

mod common;

use std::net::UdpSocket;
use std::process::Command;
use std::time::Duration;

use common::{assert_success, compile_example, compile_test, run_c_test, run_with_timeout, show};
use testnet::Net;

// S26 S40
#[test]
fn segment_size_and_send_options_from_c() {
    run_c_test("send_options", &[]);
}

// S1 S3 S21 S23
#[test]
fn seed_scenario_gathers_buffers_and_sets_source_address() {
    run_c_test("seed_scenario", &[]);
}

// S25
#[test]
fn dual_stack_socket_takes_ipv4_source_from_in_pktinfo() {
    run_c_test("dual_stack", &[]);
}

// S24 S22
#[test]
fn ipv6_source_from_in6_pktinfo_and_rejected_on_ipv4_socket() {
    run_c_test("ipv6_pktinfo", &[]);
}

// S2 S3 S5 S6 S7 S8 S9 S10 S11 S12 S13 S14 S15 S22
#[test]
fn call_time_errors_have_the_exact_windows_codes() {
    run_c_test("errors_call_time", &[]);
}

// S4
#[test]
fn calls_without_wsastartup_fail_with_wsanotinitialised() {
    run_c_test("not_initialised", &[]);
}

// S9 S23
#[test]
fn raw_sockets_send_with_chosen_source() {
    run_c_test("raw_sockets", &[]);
}

// S23 S24 S19
#[test]
fn non_local_source_is_einval_and_unreachable_network_is_enetunreach() {
    let exe = compile_test("netns_unreachable");
    let net = Net::new().expect("testnet");
    let a = net.host("unreach").expect("host a");
    let b = net.host("peer").expect("host b");
    net.link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("link");
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(a.command(&[exe, "10.0.0.1"]), "netns_unreachable");
    assert_success(&out, "netns_unreachable");
}

// S16 S17
#[test]
fn full_send_buffer_times_out_when_blocking_and_would_block_when_not() {
    let exe = compile_test("netns_slow_link");
    let net = Net::new().expect("testnet");
    let a = net.host("slowa").expect("host a");
    let b = net.host("slowb").expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("link");
    a.rate_limit(&link.a_ifname, "8kbit").expect("rate limit");
    // A receiver in b, so the datagrams that get through are not answered
    // with ICMP port unreachable.
    let rx = b
        .run(|| UdpSocket::bind("10.0.0.2:0"))
        .expect("bind receiver in b");
    let port = rx.local_addr().unwrap().port().to_string();
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(a.command(&[exe, "10.0.0.2", &port]), "netns_slow_link");
    assert_success(&out, "netns_slow_link");
    drop(rx);
}

// S1 S3 S21 (the example in examples/c/ builds warning-free and works)
#[test]
fn example_udp_sender_delivers_datagrams() {
    let exe = compile_example("udp_sender");
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind receiver");
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = rx.local_addr().unwrap().port().to_string();
    let mut cmd = Command::new(&exe);
    cmd.args(["127.0.0.1", &port]);
    let out = run_with_timeout(cmd, "udp_sender");
    assert_success(&out, "udp_sender");
    let mut buf = [0u8; 256];
    for i in 1..=3 {
        let (n, from) = rx
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("datagram {i} did not arrive: {e}\n{}", show(&out)));
        let expected = format!("datagram {i}/3: hello from udp_sender");
        assert_eq!(String::from_utf8_lossy(&buf[..n]), expected);
        assert_eq!(from.ip().to_string(), "127.0.0.1");
    }
    rx.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert!(rx.recv_from(&mut buf).is_err(), "more than 3 datagrams");
}

// S35
#[test]
fn blocking_waits_run_routines_and_nested_blocking_calls_get_wsaeinprogress() {
    run_c_test("nested_blocking", &[]);
}
