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
use std::process::Command;
use std::time::Duration;

use common::{
    assert_success, compile_example, compile_test, run_c_test, run_with_timeout,
    run_with_timeout_of, show, start,
};
use testnet::Net;

// S2 S20 S28 S29 S31 S32 S33 S36 S40
#[test]
fn immediate_completions_reach_events_routines_and_ports() {
    run_c_test("ov_immediate", &[]);
}
