//! The receive path, driven from C on loopback: `tests/c/recv_paths.c`
//! (blocking receives) and `tests/c/recv_overlapped.c` (the overlapped
//! delivery modes) are compiled once each against `include/` and the
//! `libws2_32` of this test run, and each test runs one of their sections
//! (`PROGRAM SECTION LO_IFINDEX`).
//! The program exits 0 on success and prints every failed check
//! (`file:line`, observed and expected values) otherwise; the clauses each
//! test proves are listed above it.
//!
//! Nothing here skips: no `cc` or no library make the test fail with the
//! reason.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use common::{assert_success, compile_test, run_c_test, run_with_timeout};

/// A program of this file, compiled once for all its tests (they run in
/// parallel and would otherwise overwrite each other's executable).
fn program(name: &str) -> &'static PathBuf {
    static PATHS: OnceLock<PathBuf> = OnceLock::new();
    static OVERLAPPED: OnceLock<PathBuf> = OnceLock::new();
    match name {
        "recv_paths" => PATHS.get_or_init(|| compile_test(name)),
        "recv_overlapped" => OVERLAPPED.get_or_init(|| compile_test(name)),
        _ => panic!("no C program {name} in c_recv"),
    }
}

/// The interface index of `lo` in this test's network namespace.
fn lo_index() -> String {
    std::fs::read_to_string("/sys/class/net/lo/ifindex")
        .expect("read /sys/class/net/lo/ifindex")
        .trim()
        .to_string()
}

fn run_section(section: &str) {
    let name = if section.starts_with("ov_") {
        "recv_overlapped"
    } else {
        "recv_paths"
    };
    let mut cmd = Command::new(program(name));
    cmd.args([section, &lo_index()]);
    let label = format!("{name}_{section}");
    let out = run_with_timeout(cmd, &label);
    assert_success(&out, &label);
}

// S1 S27 S22: IN_PKTINFO, IP_TOS (widened), IP_ECN, IP_TTL in Windows layout
#[test]
fn wsarecvmsg_reports_ipv4_pktinfo_tos_ecn_and_ttl() {
    run_section("v4");
}

// S27 S22 S24: IN6_PKTINFO, IPV6_TCLASS, IPV6_ECN, IPV6_HOPLIMIT
#[test]
fn wsarecvmsg_reports_ipv6_pktinfo_tclass_ecn_and_hop_limit() {
    run_section("v6");
}

// S25 S27
#[test]
fn dual_stack_socket_reports_in_pktinfo_for_ipv4_datagrams() {
    run_section("dual");
}

// S27 (MSG_CTRUNC, MSG_TRUNC, WSAEMSGSIZE) S30 G
#[test]
fn truncated_control_or_datagram_is_wsaemsgsize_with_what_fits() {
    run_section("trunc");
}

// S27: the usual receive (IN_PKTINFO/IN6_PKTINFO, TOS/TCLASS, ECN) translated
// in one pass: every Control.len, MSG_CTRUNC, the source SOCKADDR byte for byte
#[test]
fn usual_receive_writes_entries_and_source_exactly_for_every_control_length() {
    run_section("usual");
}

// S21 S27 S40: WSARecv / WSARecvFrom scatter into two WSABUFs
#[test]
fn blocking_wsarecv_and_wsarecvfrom_scatter_and_fill_the_source() {
    run_section("plain");
}

// S29 S30 S31
#[test]
fn overlapped_receives_pend_then_signal_the_event_or_complete_at_once() {
    run_section("ov_event");
}

// S29 S32 S33
#[test]
fn overlapped_receive_runs_its_completion_routine_in_an_alertable_wait() {
    run_section("ov_routine");
}

// S29 S36: key and OVERLAPPED; several pending complete in call order
#[test]
fn overlapped_receives_complete_through_a_port_in_call_order() {
    run_section("ov_port");
}

// S37 S36 S33
#[test]
fn closesocket_aborts_pending_receives_in_every_delivery_mode() {
    run_section("ov_close");
}

// S19 S31
#[test]
fn icmp_port_unreachable_is_wsaeconnreset_on_the_next_receive_once() {
    run_section("icmp");
}

// S44 S27 P1: URO from C as MsQuic uses it: the option's inline wrappers,
// UDP_COALESCED_INFO in Windows layout, whole datagrams into a smaller
// buffer, the rest readable for select, WSAPoll, FIONREAD, WSAEventSelect
// and an overlapped receive, truncation that loses no later datagram.
#[test]
fn uro_coalesced_receives_from_c() {
    run_c_test("uro_recv", &[]);
}

// S29 S30 S31 S36: an IOCP server's pool of receives posted on a port and
// posted again after each packet (GetQueuedCompletionStatusEx), receives
// reported pending with their datagram there, WSAGetOverlappedResult and
// HasOverlappedIoCompleted on them.
#[test]
fn receives_kept_posted_on_a_port_get_every_datagram_once_in_order() {
    run_c_test("recv_posted", &[]);
}
