//! Names and address strings from C (SPEC P2, P3): the conformance
//! programs `tests/c/addr_strings.c` and `tests/c/resolve_calls.c`, and the
//! `examples/c/` name-resolving client and server. Every program that
//! resolves runs in a network namespace whose `/etc/hosts`,
//! `nsswitch.conf` (files only) and empty `resolv.conf` come from
//! `testnet::Host::resolver_files`, so no lookup leaves the machine and an
//! unknown name is `WSAHOST_NOT_FOUND` at once.

mod common;

use common::{assert_success, compile_test, run_c_test, run_with_timeout};
use testnet::{Host, Net};

// P3 S4
#[test]
fn address_strings_and_helpers_answer_as_windows() {
    run_c_test("addr_strings", &[]);
}

/// This machine's host name (UTS namespaces are not ours to change: the
/// test hosts share it), which the hosts files map to 127.0.0.1 only.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("read /proc/sys/kernel/hostname")
        .trim()
        .to_string()
}

/// A test host with its own hosts file and no DNS.
fn names_host(net: &Net, label: &str, extra: &str) -> Host {
    let host = net.host(label).expect("test host");
    let hosts = format!(
        "127.0.0.1 localhost\n::1 localhost ip6-localhost\n127.0.0.1 {}\n{extra}",
        host_name()
    );
    host.resolver_files(&hosts).expect("resolver files");
    host
}

// P2 S4 S41
#[test]
fn resolver_calls_answer_as_windows_from_the_hosts_file() {
    let exe = compile_test("resolve_calls");
    let net = Net::new().expect("testnet");
    let host = names_host(
        &net,
        "resolve",
        "10.20.30.40 host4.ws2.test alias4\nfd00:20::40 host6.ws2.test\n\
         10.20.30.41 both.ws2.test\nfd00:20::41 both.ws2.test\n",
    );
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(host.command(&[exe]), "resolve_calls");
    assert_success(&out, "resolve_calls");
}
