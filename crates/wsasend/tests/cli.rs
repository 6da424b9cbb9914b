//! Runs the built `wsasend` binary.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::process::{Command, Output};
use std::time::Duration;

fn wsasend(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsasend"))
        .args(args)
        .output()
        .expect("run wsasend")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn demo_without_arguments_passes_every_case() {
    let out = wsasend(&[]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.ends_with("| ok") || l.ends_with("| MISMATCH"))
        .collect();
    for needle in [
        "none, 2 buffers",
        "IN_PKTINFO 127.0.0.2",
        "IN_PKTINFO 127.0.0.3",
        "IN6_PKTINFO ::1",
        "IN_PKTINFO 127.0.0.4",
        "no destination",
        "0 bytes",
        "198.51.100.77",
        "65508 bytes",
        "IN_PKTINFO 127.0.0.5",
        "IN_PKTINFO 127.0.0.6",
        "IN_PKTINFO 127.0.0.7",
    ] {
        let row = rows
            .iter()
            .find(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no row for {needle}:\n{stdout}"));
        assert!(row.ends_with("| ok"), "{row}");
    }
    assert!(rows.iter().any(|r| r.starts_with("non-blocking")));
    assert!(rows.iter().any(|r| r.starts_with("dual-stack")));
    assert!(rows.iter().any(|r| r.contains("WSAEINVAL")));
    assert!(rows.iter().any(|r| r.contains("WSAEMSGSIZE")));
    for (mode, note) in [
        ("overlapped + event", "event set, buffer back"),
        (
            "overlapped + routine",
            "routine ran 1x on this thread, buffer back",
        ),
        ("overlapped + port", "packet key 0x5eed, buffer back"),
        (
            "C: port, skip on success",
            "returned 0, Internal 0x0, no packet",
        ),
    ] {
        let row = rows
            .iter()
            .find(|r| r.starts_with(mode))
            .unwrap_or_else(|| panic!("no row for {mode}:\n{stdout}"));
        assert!(row.contains(note) && row.ends_with("| ok"), "{row}");
    }
    for (control, seen) in [
        ("IP_TOS 0xb8 + IP_ECN 1", "| TOS 0xb9, ECN 1 "),
        ("UDP_SEND_MSG_SIZE 1000", "| 3 datagrams: 1000/1000/500 "),
    ] {
        let row = rows
            .iter()
            .find(|r| r.contains(control))
            .unwrap_or_else(|| panic!("no row for {control}:\n{stdout}"));
        assert!(row.contains(seen) && row.ends_with("| ok"), "{row}");
    }
    assert!(rows.iter().all(|r| r.ends_with("| ok")), "{stdout}");
    assert!(stdout.contains(&format!("{} passed, 0 failed", rows.len())));
}

#[test]
fn demo_subcommand_is_the_default() {
    assert!(wsasend(&["demo"]).status.success());
}

#[test]
fn send_uses_the_requested_source() {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let to = rx.local_addr().unwrap().to_string();
    let out = wsasend(&[
        "send",
        "--to",
        &to,
        "--count",
        "5",
        "--from",
        "127.0.0.2",
        "--size",
        "100",
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("sent 5 of 5"));
    let mut buf = [0u8; 256];
    for _ in 0..5 {
        let (n, from) = rx.recv_from(&mut buf).expect("datagram");
        assert_eq!(n, 100);
        assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    }
    rx.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert!(rx.recv_from(&mut buf).is_err(), "more than 5 datagrams");
}

#[test]
fn send_with_tos_to_ipv6() {
    let rx = UdpSocket::bind("[::1]:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let to = rx.local_addr().unwrap().to_string();
    let out = wsasend(&["send", "--to", &to, "--from", "::1", "--tos", "0x28"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut buf = [0u8; 256];
    let (n, _) = rx.recv_from(&mut buf).expect("datagram");
    assert_eq!(n, 64);
}

#[test]
fn send_reports_winsock_errors() {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = rx.local_addr().unwrap().to_string();
    let out = wsasend(&["send", "--to", &to, "--from", "198.51.100.77"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stdout).contains("WSAEINVAL: 1"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn bench_prints_ratios() {
    let out = wsasend(&["bench", "--rounds", "5", "--count", "2000", "--sizes", "64"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let ratio_rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("64 |"))
        .collect();
    // 2 blocking rows (IP_PKTINFO, none) + 6 overlapped rows.
    assert_eq!(ratio_rows.len(), 8, "{stdout}");
    for mode in [
        "port: send_to_port + get",
        "port: 64 sends + get_many",
        "event: PendingSend::wait",
        "routine: 64 + sleep_alertable",
        "C port: GQCS each",
        "C port + skip-on-success",
    ] {
        assert!(
            ratio_rows.iter().any(|r| r.contains(mode)),
            "no row for {mode}:\n{stdout}"
        );
    }
    for row in ratio_rows {
        let ratio: f64 = row.rsplit('|').next().unwrap().trim().parse().unwrap();
        assert!(ratio > 0.0 && ratio.is_finite(), "{row}");
    }
    assert!(stdout.contains("ratio = ws2 / raw"));
}

#[test]
fn bench_json() {
    let out = wsasend(&[
        "bench", "--rounds", "5", "--count", "500", "--sizes", "64", "--json",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.trim_start().starts_with('{') && stdout.trim_end().ends_with('}'));
    assert_eq!(stdout.matches("\"ratio\":").count(), 8, "{stdout}");
    assert!(stdout.contains("\"overlapped\": \"C port + skip-on-success\""));
    assert!(stdout.contains("\"errors\": 0"), "{stdout}");
}

#[test]
fn bench_rejects_too_few_rounds() {
    let out = wsasend(&["bench", "--rounds", "4"]);
    assert!(!out.status.success());
}

#[test]
fn bad_destination_is_a_clear_error() {
    for bad in ["nonsense", "127.0.0.1", "127.0.0.1:99999"] {
        let out = wsasend(&["send", "--to", bad]);
        assert!(!out.status.success(), "{bad}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("--to") && stderr.contains(bad),
            "{bad}: {stderr}"
        );
    }
}

#[test]
fn count_is_bounded() {
    let out = wsasend(&["send", "--to", "127.0.0.1:9", "--count", "10000001"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--count"));
}

#[test]
fn mismatched_families_are_refused() {
    let out = wsasend(&["send", "--to", "127.0.0.1:9", "--from", "::1"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("different address families"));
}

#[test]
fn bench_pending_over_a_rate_limited_link() {
    let out = wsasend(&["bench", "--pending", "--rounds", "5", "--count", "2000"]);
    let stdout = text(&out.stdout);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        assert!(!out.status.success());
        assert!(
            stdout.contains("pending bench skipped: it needs root"),
            "{stdout}"
        );
        return;
    }
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("tbf burst 32k, rate (64 B: "), "{stdout}");
    for size in ["64", "1200"] {
        for mode in [
            "raw sendmsg + poll",
            "ws2 port, window refilled",
            "ws2 PendingSend window",
        ] {
            let row = stdout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{size} | {mode}")))
                .unwrap_or_else(|| panic!("no row for {size} {mode}:\n{stdout}"));
            let cols: Vec<&str> = row.split('|').map(str::trim).collect();
            let rate: f64 = cols[2].parse().unwrap();
            let cpu: f64 = cols[3].parse().unwrap();
            let calls: f64 = cols[4].parse().unwrap();
            assert!(rate > 0.0 && cpu > 0.0 && cpu.is_finite(), "{row}");
            if mode.starts_with("raw") {
                // One sendmsg per datagram, and the sends really pended.
                assert!(calls >= 1.0, "{row}");
                let eagain: f64 = cols[5].trim_end_matches(" EAGAIN").parse().unwrap();
                assert!(eagain > 0.0, "raw never saw EAGAIN: {row}");
            } else {
                // The reactor sent most datagrams, batched: at least 4x
                // fewer send syscalls per datagram than raw.
                let pended: f64 = cols[5].trim_end_matches('%').parse().unwrap();
                assert!(pended > 25.0, "ws2 sends did not pend: {row}");
                let ratio: f64 = cols[6].parse().unwrap();
                assert!(ratio >= 4.0, "syscall ratio raw/ws2 below 4: {row}");
            }
        }
    }
    assert!(stdout.contains("drops: 0, send errors: 0"), "{stdout}");
}

#[test]
fn pending_is_opt_in() {
    let out = wsasend(&["bench", "--rate", "10mbit"]);
    assert!(!out.status.success(), "--rate needs --pending");
}

/// Starts `wsasend recv --bind 127.0.0.1:PORT --count N` and waits until it
/// listens; returns the child and the address.
fn spawn_recv(count: u32) -> (std::process::Child, String) {
    use std::io::BufRead;
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsasend"))
        .args([
            "recv",
            "--bind",
            &addr,
            "--count",
            &count.to_string(),
            "--timeout-ms",
            "5000",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn wsasend recv");
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("listening on 127.0.0.1:"), "{first}");
    (child, addr)
}

/// The datagram lines of a finished `wsasend recv`.
fn recv_lines(child: std::process::Child) -> Vec<String> {
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    stdout
        .lines()
        .filter(|l| l.starts_with("from "))
        .map(str::to_string)
        .collect()
}

#[test]
fn recv_shows_source_destination_tos_ecn_ttl() {
    let (child, to) = spawn_recv(3);
    let out = wsasend(&[
        "send",
        "--to",
        &to,
        "--from",
        "127.0.0.2",
        "--tos",
        "0xb8",
        "--ecn",
        "1",
        "--ttl",
        "9",
        "--count",
        "3",
    ]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let lines = recv_lines(child);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for l in &lines {
        assert!(l.starts_with("from 127.0.0.2:"), "{l}");
        assert!(l.contains(" to 127.0.0.1 ifindex "), "{l}");
        assert!(l.contains(" tos 0xb9 (185) "), "{l}");
        assert!(l.contains(" ecn 1 "), "{l}");
        assert!(l.contains(" ttl 9 "), "{l}");
        assert!(l.ends_with(" bytes 64"), "{l}");
    }
}

#[test]
fn send_segment_size_splits_one_call() {
    let (child, to) = spawn_recv(3);
    let out = wsasend(&[
        "send",
        "--to",
        &to,
        "--segment-size",
        "500",
        "--size",
        "1200",
        "--count",
        "1",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("sent 1 of 1 calls (1200 bytes, 3 datagrams"),
        "{stdout}"
    );
    let sizes: Vec<String> = recv_lines(child)
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(sizes, ["500", "500", "200"]);
}

#[test]
fn send_rejects_bad_ecn_and_ttl() {
    for args in [["--ecn", "4"], ["--ttl", "0"], ["--segment-size", "0"]] {
        let mut all = vec!["send", "--to", "127.0.0.1:9"];
        all.extend(args);
        let out = wsasend(&all);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out.stderr).contains(args[0]), "{args:?}");
    }
}

#[test]
fn bench_has_a_gso_row_from_1200_bytes() {
    let out = wsasend(&[
        "bench", "--rounds", "5", "--count", "5400", "--sizes", "1200",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let row = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("1200 | GSO 54x1200"))
        .unwrap_or_else(|| panic!("no GSO row:\n{stdout}"));
    let cols: Vec<f64> = row
        .split('|')
        .skip(2)
        .map(|c| c.trim().parse().unwrap())
        .collect();
    // GSO sends many datagrams per call: far above one sendmsg each.
    assert!(cols[0] > 0.0 && cols[1] > 0.0, "{row}");
    assert!(cols[2] > 0.5 && cols[2].is_finite(), "{row}");
    assert!(
        stdout.contains("kernel drops: 0, send errors: 0"),
        "{stdout}"
    );
}

// S42: on a link whose interface queue overflows (host A's token bucket
// holds 3000 bytes), `wsasend send` reports the same count of datagrams
// sent as a plain Linux UDP socket does, and no WSAENOBUFS: a datagram the
// local queue drops counts as sent. Needs root (network namespaces).
#[test]
fn send_over_a_dropping_link_counts_like_a_plain_socket() {
    const COUNT: usize = 500;
    let net = testnet::Net::new().expect("network namespaces (root needed)");
    let a = net.host("a").expect("host a");
    let b = net.host("b").expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("veth a-b");
    a.tc(&[
        "qdisc",
        "add",
        "dev",
        &link.a_ifname,
        "root",
        "tbf",
        "rate",
        "1mbit",
        "burst",
        "1600",
        "limit",
        "3000",
    ])
    .expect("tc tbf on a");
    let rx = b.run(|| UdpSocket::bind("10.0.0.2:0")).expect("receiver");
    let to = rx.local_addr().unwrap();
    let plain = a.run(|| {
        let s = UdpSocket::bind("0.0.0.0:0").unwrap();
        (0..COUNT)
            .filter(|_| s.send_to(&[9u8; 1200], to).is_ok())
            .count()
    });
    let out = a
        .command(&[
            env!("CARGO_BIN_EXE_wsasend"),
            "send",
            "--to",
            &to.to_string(),
            "--count",
            &COUNT.to_string(),
            "--size",
            "1200",
        ])
        .output()
        .expect("run wsasend in host a");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("sent {plain} of {COUNT} datagrams")),
        "a plain socket sent {plain}:\n{stdout}"
    );
    assert!(stdout.contains("errors: none"), "{stdout}");
    let stats = a
        .tc(&["-s", "qdisc", "show", "dev", &link.a_ifname])
        .expect("tc -s qdisc show");
    assert!(
        !stats.contains("dropped 0,"),
        "the queue dropped nothing, so nothing was tested:\n{stats}"
    );
}
