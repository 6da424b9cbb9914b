//! Names and address strings from C (SPEC P2, P3): the conformance
//! programs `tests/c/addr_strings.c` and `tests/c/resolve_calls.c`, and the
//! `examples/c/` name-resolving client and server. Every program that
//! resolves runs in a network namespace whose `/etc/hosts`,
//! `nsswitch.conf` (files only) and empty `resolv.conf` come from
//! `testnet::Host::resolver_files`, so no lookup leaves the machine and an
//! unknown name is `WSAHOST_NOT_FOUND` at once.

mod common;

use std::time::{Duration, Instant};

use common::{
    assert_success, compile_example, compile_test, run_c_test, run_with_timeout, show, start,
};
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

// P2 P3 (the examples in examples/c/ build warning-free and work)
#[test]
fn example_name_client_and_server_resolve_and_talk_over_both_families() {
    let server_exe = compile_example("name_server");
    let client_exe = compile_example("name_client");
    let net = Net::new().expect("testnet");
    let server = names_host(&net, "namesrv", "");
    let client = names_host(
        &net,
        "namecli",
        "10.44.0.1 server.ws2.test server4.ws2.test\n\
         fd00:44::1 server.ws2.test server6.ws2.test\n",
    );
    let link = net
        .link(&server, "10.44.0.1/24", &client, "10.44.0.2/24")
        .expect("link");
    server
        .add_addr(&link.a_ifname, "fd00:44::1/64")
        .expect("server v6");
    client
        .add_addr(&link.b_ifname, "fd00:44::2/64")
        .expect("client v6");

    let running = start(
        server.command(&[server_exe.to_str().unwrap(), "27016", "3"]),
        "name_server",
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while running.stdout_so_far().matches("listening on").count() < 2 {
        assert!(
            Instant::now() < deadline,
            "name_server did not start: {}",
            running.stdout_so_far()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let listening = running.stdout_so_far();
    assert!(
        listening.contains("listening on 0.0.0.0:27016"),
        "{listening}"
    );
    assert!(listening.contains("listening on [::]:27016"), "{listening}");

    let client_exe = client_exe.to_str().unwrap();
    for (name, answered_by) in [
        ("server4.ws2.test", "10.44.0.1:27016 echoed"),
        ("server6.ws2.test", "[fd00:44::1]:27016 echoed"),
        ("server.ws2.test", ":27016 echoed 5 bytes: hello"),
    ] {
        let out = run_with_timeout(
            client.command(&[client_exe, name, "27016", "hello"]),
            "name_client",
        );
        assert_success(&out, "name_client");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(answered_by), "{name}: {text}");
    }
    let out = running.wait(Duration::from_secs(30));
    assert_success(&out, "name_server");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("5 bytes from 10.44.0.2:"), "{log}");
    assert!(log.contains("5 bytes from [fd00:44::2]:"), "{log}");
    let unknown = run_with_timeout(
        client.command(&[client_exe, "nowhere.ws2.test", "27016"]),
        "name_client_unknown",
    );
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stdout)
            .contains("getaddrinfo failed with error: 11001 (The host name is not known. )"),
        "{}",
        show(&unknown)
    );
}
