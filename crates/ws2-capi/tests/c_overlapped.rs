//! Overlapped I/O, driven from C exactly as a Windows program drives it:
//! each test compiles one program of `tests/c/ov_*.c` (or an example of
//! `examples/c/`) against `include/` and the `libws2_32` of this test run,
//! and runs it, in test hosts built with `testnet` where sends must really
//! pend. Every program exits 0 on success and prints the first failed
//! check (`file:line`, observed and expected values) otherwise; the
//! clauses each test proves are listed above it.
//!
//! Nothing here skips: no `cc`, no library, no root or no namespaces make
//! the test fail with the reason.

mod common;

use std::net::UdpSocket;
use std::time::Duration;

use common::{
    assert_success, compile_example, compile_test, receiver_in, run_c_test, run_with_timeout,
    run_with_timeout_of, show, slow_link, start,
};

// S2 S20 S28 S29 S31 S32 S33 S36 S40
#[test]
fn immediate_completions_reach_events_routines_and_ports() {
    run_c_test("ov_immediate", &[]);
}

// S18 S20 S30 S31 S32 S33 S34 S36 S37 S38
#[test]
fn pending_sends_report_status_pending_and_are_cancelled_exactly_once() {
    let exe = compile_test("ov_pending");
    let link = slow_link("ovpend", "8kbit");
    let (rx, port) = receiver_in(&link.b);
    let exe = exe.to_str().expect("utf-8 path");
    let mut cmd = link.a.command(&[exe, "10.0.0.2", &port]);
    cmd.env("WS2_MAX_PENDING_SENDS", "8");
    let out = run_with_timeout(cmd, "ov_pending");
    assert_success(&out, "ov_pending");
    drop(rx);
}

// S20 S29 S30 S33 S36 S37 S38
#[test]
fn every_accepted_operation_completes_exactly_once_under_close_flush_and_exit() {
    let exe = compile_test("ov_stress");
    let link = slow_link("ovstress", "1mbit");
    let (rx, port) = receiver_in(&link.b);
    let exe = exe.to_str().expect("utf-8 path");
    let cmd = link.a.command(&[exe, "10.0.0.2", &port, "10", "500"]);
    let out = run_with_timeout_of(cmd, "ov_stress", Duration::from_secs(30));
    assert_success(&out, "ov_stress");
    drop(rx);
}

// S31 S33 S36 S40
#[test]
fn idle_waits_use_no_cpu_and_routines_stay_on_their_thread() {
    run_c_test("ov_idle", &[]);
}

/// `Udp: ... RcvbufErrors` of host `h` (datagrams dropped for a full
/// receive buffer).
fn udp_rcvbuf_errors(h: &testnet::Host) -> u64 {
    let out = h
        .exec(&["cat", "/proc/net/snmp"])
        .expect("read /proc/net/snmp");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut udp = text.lines().filter(|l| l.starts_with("Udp:"));
    let (names, values) = (udp.next().unwrap_or(""), udp.next().unwrap_or(""));
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(n, _)| *n == "RcvbufErrors")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

// S34 S29 S31
#[test]
fn blocking_and_overlapped_sends_from_two_threads_leave_in_issue_order() {
    let exe = compile_test("ov_order");
    let link = slow_link("ovorder", "10mbit");
    let exe = exe.to_str().expect("utf-8 path");
    let rx = start(link.b.command(&[exe, "recv", "40000"]), "ov_order_recv");
    let t0 = std::time::Instant::now();
    while !rx.stdout_so_far().contains("ready") {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "ov_order receiver did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let tx = run_with_timeout(
        link.a.command(&[exe, "send", "10.0.0.2", "40000"]),
        "ov_order_send",
    );
    let rx_out = rx.wait(Duration::from_secs(60));
    assert_success(&tx, "ov_order send");
    assert_success(&rx_out, "ov_order recv");
    let report = String::from_utf8_lossy(&rx_out.stdout).into_owned();
    let gaps: u64 = report
        .split("gaps ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no gap count in the receiver's report\n{}", show(&rx_out)));
    let dropped = udp_rcvbuf_errors(&link.b);
    assert!(
        gaps == 0 || dropped > 0,
        "{gaps} datagrams missing with no receive-buffer drops in b\n{}\n{}",
        show(&tx),
        show(&rx_out)
    );
}

/// Runs the example `name` against a loopback receiver and checks its
/// `SENDS` datagrams arrive with the text the example sends.
fn run_example(name: &str, sends: usize) {
    let exe = compile_example(name);
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind receiver");
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = rx.local_addr().unwrap().port().to_string();
    let mut cmd = std::process::Command::new(&exe);
    cmd.args(["127.0.0.1", &port]);
    let out = run_with_timeout(cmd, name);
    assert_success(&out, name);
    let mut buf = [0u8; 256];
    for i in 1..=sends {
        let (n, _) = rx
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("datagram {i} did not arrive: {e}\n{}", show(&out)));
        let expected = format!("datagram {i}/{sends}: hello from {name}");
        assert_eq!(String::from_utf8_lossy(&buf[..n]), expected);
    }
    rx.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert!(
        rx.recv_from(&mut buf).is_err(),
        "more than {sends} datagrams"
    );
}

// S1 S29 S36 (examples/c/completion_port.c builds warning-free and works)
#[test]
fn example_completion_port_delivers_datagrams() {
    run_example("completion_port", 3);
}

// S1 S29 S32 S33 (examples/c/completion_routine.c builds warning-free and works)
#[test]
fn example_completion_routine_delivers_datagrams() {
    run_example("completion_routine", 3);
}
