//! Windows' answers around `WSASendMsg`, pinned from C (issue 9): one
//! program per group of calls in `tests/c/fidelity_*.c`, each case citing
//! the Windows-run Wine test (dlls/ws2_32/tests/sock.c, kernel32 sync.c) or
//! Microsoft page it follows. Each program exits 0 on success and prints
//! the first failed check (`file:line`, the values, the last error).
//!
//! Nothing here skips: no `cc`, no library or no root (raw sockets) make
//! the test fail with the reason.

mod common;

use common::run_c_test;

// S40 S41
#[test]
fn options_follow_windows_length_value_and_socket_type_rules() {
    run_c_test("fidelity_options", &[]);
}
