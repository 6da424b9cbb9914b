//! Readiness from C (SPEC P1): `select`, `WSAPoll`, `WSAEventSelect` and
//! `WSAEnumNetworkEvents`, `FIONREAD`/`FIONBIO`, each driven by a program
//! of `tests/c/readiness_*.c` written as a Windows program is, against
//! `include/` and this run's `libws2_32`; the examples `select_server.c`
//! and `event_receiver.c` served from here on loopback; and a check that a
//! program including our headers binds our `select`, `FD_*` and `WSAPoll`,
//! never glibc's. Each program cites the Windows-run test (Wine's sock.c)
//! or Microsoft page of each case.
//!
//! Nothing here skips: no `cc`, no library, no root or no namespaces make
//! the test fail with the reason.

mod common;

use std::net::UdpSocket;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{
    MANIFEST_DIR, assert_success, compile_example, compile_test, link_args, out_dir, receiver_in,
    run_c_test, run_with_timeout, show, slow_link, start,
};

// P1 S35 S41
#[test]
fn select_answers_as_windows_does() {
    run_c_test("readiness_select", &[]);
}

// P1 S35
#[test]
fn wsapoll_answers_as_windows_does() {
    run_c_test("readiness_poll", &[]);
}

// P1 S33
#[test]
fn event_select_records_and_reenables_network_events() {
    run_c_test("readiness_events", &[]);
}

// P1 S44
#[test]
fn fionread_counts_every_queued_datagram() {
    run_c_test("readiness_fionread", &[]);
}

// P1 S17 S34
#[test]
fn writability_returns_after_a_send_would_block() {
    let exe = compile_test("readiness_write_events");
    let link = slow_link("rdywr", "64kbit");
    let (rx, port) = receiver_in(&link.b);
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(
        link.a.command(&[exe, "10.0.0.2", &port]),
        "readiness_write_events",
    );
    assert_success(&out, "readiness_write_events");
    drop(rx);
}

// P1 P5: the program prints `add <cidr>` for each address change it
// needs; this harness adds it in the program's network namespace.
#[test]
fn address_list_changes_reach_event_select() {
    let net = testnet::Net::new().expect("cannot set up network namespaces (root needed)");
    let m = net.host("m").expect("host m");
    let p = net.host("p").expect("host p");
    let link = net
        .link(&m, "10.61.1.1/24", &p, "10.61.1.2/24")
        .expect("veth m-p");
    let exe = compile_test("readiness_addr_events");
    let mut running = start(
        m.command(&[exe.to_str().expect("utf-8 path"), "10.61.1"]),
        "readiness_addr_events",
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut done_lines = 0;
    let out = loop {
        let finished = running.try_finish();
        let text = running.stdout_so_far();
        for line in text.lines().skip(done_lines) {
            if let Some(cidr) = line.strip_prefix("add ") {
                m.add_addr(&link.a_ifname, cidr).expect("add the address");
            }
            done_lines += 1;
        }
        if let Some(out) = finished {
            break out;
        }
        assert!(
            Instant::now() < deadline,
            "readiness_addr_events did not finish in 60 s: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_success(&out, "readiness_addr_events");
}

/// A free UDP port on both 127.0.0.1 and ::1 (bound and released).
fn free_port() -> u16 {
    for _ in 0..50 {
        let v4 = UdpSocket::bind("127.0.0.1:0").expect("bind v4");
        let port = v4.local_addr().unwrap().port();
        if UdpSocket::bind(("::1", port)).is_ok() {
            return port;
        }
    }
    panic!("no UDP port free on both 127.0.0.1 and ::1");
}

/// Starts an example serving `count` datagrams on a free port, and waits
/// for its first line (it is listening then).
fn serve(example: &str, count: usize) -> (common::Running, u16) {
    let exe = compile_example(example);
    let port = free_port();
    let mut cmd = Command::new(&exe);
    cmd.args([port.to_string(), count.to_string()]);
    let running = start(cmd, example);
    let deadline = Instant::now() + Duration::from_secs(10);
    while running.stdout_so_far().lines().next().is_none() {
        assert!(Instant::now() < deadline, "{example} did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    (running, port)
}

// P1: examples/c/select_server.c echoes on 127.0.0.1 and ::1, waiting on
// both sockets with select.
#[test]
fn example_select_server_echoes_over_ipv4_and_ipv6() {
    let (running, port) = serve("select_server", 4);
    for (i, dest) in ["127.0.0.1", "::1", "::1", "127.0.0.1"].iter().enumerate() {
        let client = UdpSocket::bind(if dest.contains(':') {
            "[::1]:0"
        } else {
            "127.0.0.1:0"
        })
        .expect("client");
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let msg = format!("ping {i}");
        client.send_to(msg.as_bytes(), (*dest, port)).unwrap();
        let mut buf = [0u8; 64];
        let (n, from) = client.recv_from(&mut buf).expect("the echo");
        assert_eq!(&buf[..n], msg.as_bytes());
        assert_eq!(from.port(), port);
    }
    let out = running.wait(Duration::from_secs(10));
    assert_success(&out, "select_server");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("echoed").count(), 4, "{text}");
    assert!(
        text.contains("to ::1") && text.contains("to 127.0.0.1"),
        "{text}"
    );
}

// P1: examples/c/event_receiver.c receives with WSAEventSelect and
// WSAWaitForMultipleEvents on 127.0.0.1 and ::1.
#[test]
fn example_event_receiver_receives_over_ipv4_and_ipv6() {
    let (running, port) = serve("event_receiver", 6);
    let v4 = UdpSocket::bind("127.0.0.1:0").unwrap();
    let v6 = UdpSocket::bind("[::1]:0").unwrap();
    for i in 0..3 {
        v4.send_to(format!("four {i}").as_bytes(), ("127.0.0.1", port))
            .unwrap();
        v6.send_to(format!("six {i}").as_bytes(), ("::1", port))
            .unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = running.wait(Duration::from_secs(10));
    assert_success(&out, "event_receiver");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("received 6 bytes from 127.0.0.1").count(),
        3,
        "{text}"
    );
    assert_eq!(
        text.matches("received 5 bytes from ::1").count(),
        3,
        "{text}"
    );
}

/// The undefined symbols of an executable.
fn undefined_symbols(exe: &Path) -> Vec<String> {
    let nm = Command::new("nm")
        .arg("-u")
        .arg(exe)
        .output()
        .expect("nm is required");
    assert!(nm.status.success(), "nm failed\n{}", show(&nm));
    String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|s| s.split('@').next().unwrap().to_string())
        .collect()
}

// P1 P7: a program that includes glibc's <sys/select.h>, <poll.h> and
// <stdlib.h> before or after our headers, built with glibc's fortified
// FD_SET checks on, binds libws2_32's select, __WSAFDIsSet and WSAPoll:
// none of glibc's select, poll or FD_SET helpers (__fdelt_chk).
#[test]
fn programs_bind_our_select_fd_macros_and_wsapoll() {
    let glibc = "#include <stdlib.h>\n#include <sys/select.h>\n#include <poll.h>\n";
    let ours = "#include <winsock2.h>\n";
    let body = r#"
int main(void)
{
    WSADATA wsa;
    fd_set set;
    struct pollfd p;
    struct timeval tv = {0, 0};
    SOCKET s;
    int n;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return 1;
    s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    FD_ZERO(&set);
    FD_SET(s, &set);
    FD_SET(s, &set);
    if (set.fd_count != 1 || !FD_ISSET(s, &set)) return 2;
    n = select(0, NULL, &set, NULL, &tv);
    if (n != 1 || !FD_ISSET(s, &set)) return 3;
    FD_CLR(s, &set);
    if (set.fd_count != 0) return 4;
    p.fd = s;
    p.events = POLLOUT;
    p.revents = 0;
    if (WSAPoll(&p, 1, 0) != 1 || p.revents != POLLWRNORM) return 5;
    closesocket(s);
    WSACleanup();
    return 0;
}
"#;
    for (tag, first, second) in [("glibc_first", glibc, ours), ("ours_first", ours, glibc)] {
        let src = out_dir().join(format!("binds_{tag}.c"));
        std::fs::write(&src, format!("{first}{second}{body}")).expect("write the program");
        let exe = out_dir().join(format!("binds_{tag}"));
        let out = Command::new("cc")
            .args([
                "-std=gnu11",
                "-O2",
                "-D_FORTIFY_SOURCE=2",
                "-Wall",
                "-Wextra",
                "-Werror",
            ])
            .arg("-I")
            .arg(Path::new(MANIFEST_DIR).join("include"))
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .args(link_args())
            .output()
            .expect("the C compiler `cc` is required");
        assert!(out.status.success(), "{tag}: build failed\n{}", show(&out));
        let undefined = undefined_symbols(&exe);
        for ours in ["ws2_select", "__WSAFDIsSet", "WSAPoll"] {
            assert!(
                undefined.iter().any(|u| u == ours),
                "{tag}: {ours} is not bound: {undefined:?}"
            );
        }
        for glibcs in [
            "select",
            "poll",
            "__fdelt_chk",
            "__poll_chk",
            "pselect",
            "ppoll",
        ] {
            assert!(
                !undefined.iter().any(|u| u == glibcs),
                "{tag}: the program binds glibc's {glibcs}: {undefined:?}"
            );
        }
        let ran = run_with_timeout(Command::new(&exe), &format!("binds_{tag}"));
        assert_success(&ran, &format!("binds_{tag}"));
    }
}
