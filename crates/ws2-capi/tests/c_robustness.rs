//! Robustness through the C ABI (issue 7): caller arrays that run into
//! unreadable memory, huge buffer counts, stale handle values, and the last
//! error after success. Each program in `tests/c/` is compiled against the
//! headers and the `libws2_32` of this test run and must exit 0.

mod common;

use common::run_c_test;

// S5
#[test]
fn closed_socket_value_stays_dead_across_2_pow_20_cycles() {
    run_c_test("stale_handles", &[]);
}

// S41
#[test]
fn kernel32_calls_leave_the_last_error_on_success() {
    run_c_test("last_error", &[]);
}

// S26 S20
#[test]
fn ecn_congestion_experienced_is_refused_and_nothing_is_sent() {
    run_c_test("ecn_send", &[]);
}

// S8 S25 S20
#[test]
fn ipv4_sockaddr_on_ipv6_sockets_is_wsaeafnosupport() {
    run_c_test("address_families", &[]);
}

// S9 S24
#[test]
fn raw_ipv6_sockets_send_icmpv6_and_udp_from_the_chosen_source() {
    run_c_test("raw_ipv6", &[]);
}

// S3 S20 S21 S11 S27
#[test]
fn arrays_into_unreadable_memory_are_wsaefault_and_many_buffers_make_one_datagram() {
    run_c_test("buffer_arrays", &[]);
}
