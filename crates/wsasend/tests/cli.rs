//! The `wsasend` command as a user meets it: the demo, help, bench, and
//! bad input (each a one-line error and a documented exit status).

mod common;

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

/// Exit statuses (`wsasend --help`).
const FAILED: i32 = 1;
const USAGE: i32 = 2;
const RESOLVE: i32 = 3;
const SETUP: i32 = 4;

/// The benches measure speed (and the pending one needs its sends to
/// outrun a link): one at a time, not against each other for 2 CPUs.
static BENCH: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn bench_lock() -> std::sync::MutexGuard<'static, ()> {
    BENCH.lock().unwrap_or_else(|e| e.into_inner())
}

/// The demo's rows: each table line ending in a result, with its detail
/// lines (indented, below it) joined on.
fn demo_rows(stdout: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Vec::new();
    for l in stdout.lines() {
        if l.ends_with("| ok") || l.ends_with("| MISMATCH") {
            rows.push((l.to_string(), String::new()));
        } else if l.starts_with("    ")
            && let Some((_, detail)) = rows.last_mut()
        {
            detail.push_str(l.trim());
            detail.push(' ');
        }
    }
    rows
}

#[test]
fn demo_without_arguments_passes_every_case() {
    let out = wsasend(&[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", shown(&out));
    for l in stdout.lines() {
        assert!(l.chars().count() <= 100, "wider than 100 columns: {l:?}");
    }
    let rows = demo_rows(&stdout);
    let find = |pred: &dyn Fn(&str) -> bool, what: &str| {
        rows.iter()
            .find(|(r, _)| pred(r))
            .unwrap_or_else(|| panic!("no row for {what}:\n{stdout}"))
            .clone()
    };
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
        let (row, _) = find(&|r| r.contains(needle), needle);
        assert!(row.ends_with("| ok"), "{row}");
    }
    assert!(rows.iter().any(|(r, _)| r.starts_with("non-blocking")));
    assert!(rows.iter().any(|(r, _)| r.starts_with("dual-stack")));
    assert!(rows.iter().any(|(r, _)| r.contains("WSAEINVAL")));
    assert!(rows.iter().any(|(r, _)| r.contains("WSAEMSGSIZE")));
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
        let (row, detail) = find(&|r| r.starts_with(mode), mode);
        assert!(row.ends_with("| ok"), "{row}");
        assert!(detail.contains(note), "{row}\n{detail}");
    }
    for (control, seen) in [
        ("IP_TOS 0xb8 + IP_ECN 1", "| TOS 0xb9, ECN 1 "),
        ("UDP_SEND_MSG_SIZE 1000", "| 3 datagrams: 1000/1000/500 "),
    ] {
        let (row, detail) = find(&|r| r.contains(control), control);
        assert!(row.contains(seen) && row.ends_with("| ok"), "{row}");
        let expected = seen.trim_matches(|c| c == '|' || c == ' ');
        assert!(
            detail.starts_with(&format!("expected {expected};")),
            "{detail}"
        );
    }
    assert!(rows.iter().all(|(r, _)| r.ends_with("| ok")), "{stdout}");
    assert!(stdout.contains(&format!("{} passed, 0 failed", rows.len())));
}

#[test]
fn demo_ends_quietly_when_its_reader_goes_away() {
    // `wsasend | head -1` where head is gone before the table comes (the
    // demo runs its cases first): the first write meets a closed pipe.
    let mut child = Command::new(BIN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert!(out.stderr.is_empty(), "{}", shown(&out));
}

#[test]
fn demo_subcommand_is_the_default() {
    assert!(wsasend(&["demo"]).status.success());
}

#[test]
fn help_shows_an_example_per_subcommand() {
    let out = wsasend(&["--help"]);
    let help = text(&out.stdout);
    assert!(out.status.success(), "{}", shown(&out));
    for example in [
        "wsasend demo",
        "wsasend recv 9000",
        "wsasend send localhost 9000",
        "wsasend bench --rounds",
    ] {
        assert!(help.contains(example), "no {example:?} in:\n{help}");
    }
    assert!(help.contains("Exit status: 0 done; 1 the traffic failed"));
    // The subcommands' own help: the header layout and the rate syntax.
    let send = text(&wsasend(&["send", "--help"]).stdout);
    for doc in [
        "24-byte header",
        "magic 57 53 32 01",
        "sequence number (u64",
        "a plain number is datagrams per second",
        "bits per second of UDP payload",
        "echo hello | wsasend send localhost 9000 -f -",
    ] {
        assert!(send.contains(doc), "no {doc:?} in send --help:\n{send}");
    }
    let recv = text(&wsasend(&["recv", "--help"]).stdout);
    assert!(recv.contains("RFC 3550") && recv.contains("wsasend recv 127.0.0.1 9000 -c 1000"));
    let bench = text(&wsasend(&["bench", "--help"]).stdout);
    assert!(bench.contains("cargo run --release -p wsasend --example bench_pending"));
    assert!(bench.contains("wsasend bench --readiness"));
}

#[test]
fn bench_prints_ratios() {
    let _one_at_a_time = bench_lock();
    let out = wsasend(&["bench", "--rounds", "5", "--count", "2000", "--sizes", "64"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", shown(&out));
    // Not a terminal: no progress bar, nothing on stderr.
    assert!(out.stderr.is_empty(), "{}", shown(&out));
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
    let _one_at_a_time = bench_lock();
    let out = wsasend(&[
        "bench", "--rounds", "5", "--count", "500", "--sizes", "64", "--json",
    ]);
    assert!(out.status.success(), "{}", shown(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["version"], 1);
    assert_eq!((u(&v["rounds"]), u(&v["count_per_round"])), (5, 500));
    assert_eq!(u(&v["errors"]), 0, "{v:#}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 8, "{v:#}");
    for r in results {
        assert_eq!(u(&r["size"]), 64);
        let ratio = r["ratio"].as_f64().unwrap();
        assert!(ratio > 0.0 && ratio.is_finite(), "{r}");
        assert!(r["raw_sendmsg_dgram_per_s"].as_f64().unwrap() > 0.0);
        assert!(r["ws2_wsasendmsg_dgram_per_s"].as_f64().unwrap() > 0.0);
    }
    assert!(
        results
            .iter()
            .any(|r| r["overlapped"] == "C port + skip-on-success")
    );
    assert!(
        results
            .iter()
            .any(|r| r["overlapped"].is_null() && r["control"] == "IP_PKTINFO")
    );
}

// P1: the readiness bench compares select and WSAPoll over 1,000 sockets
// with poll(2) on the same fds, for one and for all 1,000 readable.
#[test]
fn bench_readiness_json() {
    let _one_at_a_time = bench_lock();
    let out = wsasend(&[
        "bench",
        "--readiness",
        "--rounds",
        "5",
        "--calls",
        "20",
        "--json",
    ]);
    assert!(out.status.success(), "{}", shown(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["version"], 1);
    assert_eq!(v["readiness"], true);
    assert_eq!((u(&v["sockets"]), u(&v["fd_setsize"])), (1000, 1024));
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 6, "{v:#}");
    for (ready, call) in [1, 1000]
        .iter()
        .flat_map(|r| ["poll", "select", "wsa_poll"].map(|c| (*r, c)))
    {
        let row = results
            .iter()
            .find(|r| u(&r["ready"]) == ready && r["call"] == call)
            .unwrap_or_else(|| panic!("no row {ready} {call}: {v:#}"));
        let ratio = row["ratio_vs_poll"].as_f64().unwrap();
        assert!(ratio > 0.0 && ratio.is_finite(), "{row}");
        assert!(row["us_per_call"].as_f64().unwrap() > 0.0, "{row}");
        if call == "poll" {
            assert_eq!(ratio, 1.0);
        }
    }
}

/// A pseudo-terminal: (master, slave).
fn pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two fds into the out-parameters; the name,
    // termios and winsize pointers may be null.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both fds are fresh and ours alone.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

#[test]
fn bench_shows_progress_on_a_terminal_only() {
    let _one_at_a_time = bench_lock();
    let (master, slave) = pty();
    let child = Command::new(BIN)
        .args(["bench", "--rounds", "5", "--count", "500", "--sizes", "64"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave))
        .spawn()
        .unwrap();
    // Read the terminal while the bench runs, so it never blocks on it.
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            // SAFETY: buf is writable for its length; master stays open.
            let n = unsafe { libc::read(master.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break; // EIO once the child closed the terminal
            }
            seen.extend_from_slice(&buf[..n as usize]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    let out = child.wait_with_output().unwrap();
    let terminal = reader.join().unwrap();
    assert!(out.status.success(), "{}", shown(&out));
    assert!(terminal.contains("loops, eta"), "{terminal:?}");
    // The bar is on the terminal only; the table on stdout is clean.
    assert!(text(&out.stdout).contains("ratio = ws2 / raw"));
    assert!(!text(&out.stdout).contains("loops"));
}

#[test]
fn bench_rejects_too_few_rounds() {
    let out = wsasend(&["bench", "--rounds", "4"]);
    assert_one_line_error(&out, USAGE, &["--rounds", "4"]);
}

#[test]
fn bench_has_a_gso_row_from_1200_bytes() {
    let _one_at_a_time = bench_lock();
    let out = wsasend(&[
        "bench", "--rounds", "5", "--count", "2700", "--sizes", "1200",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", shown(&out));
    let row = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("1200 | GSO 54x1200"))
        .unwrap_or_else(|| panic!("no GSO row:\n{stdout}"));
    let cols: Vec<f64> = row
        .split('|')
        .skip(2)
        .map(|c| c.trim().parse().unwrap())
        .collect();
    // Speeds are the benchmark's business, not a test's: only the shape.
    assert!(cols[0] > 0.0 && cols[1] > 0.0, "{row}");
    assert!(cols[2] > 0.0 && cols[2].is_finite(), "{row}");
    assert!(
        stdout.contains("kernel drops: 0, send errors: 0"),
        "{stdout}"
    );
}

#[test]
fn bench_pending_over_a_rate_limited_link() {
    let _one_at_a_time = bench_lock();
    let out = Command::new(bench_pending_bin())
        // A link far slower than even a debug build on a busy machine
        // sends, so the sends really pend (the default rate is the one the
        // release bench needs).
        .args([
            "--rounds", "5", "--count", "1000", "--sizes", "64", "--rate", "4mbit", "--json",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run bench_pending");
    assert!(out.status.success(), "{}", shown(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(
        (v["version"].clone(), v["pending"].clone()),
        (1.into(), true.into())
    );
    assert!(v["rate"].as_str().unwrap().starts_with("64 B: "), "{v:#}");
    assert_eq!((u(&v["dropped"]), u(&v["errors"])), (0, 0), "{v:#}");
    for size in [64] {
        for mode in [
            "raw sendmsg + poll",
            "ws2 port, window refilled",
            "ws2 PendingSend window",
        ] {
            let r = v["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["size"] == size && r["mode"] == mode)
                .unwrap_or_else(|| panic!("no row for {size} {mode}: {v:#}"));
            let f = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("{k}: {r}"));
            assert!(f("dgram_per_s") > 0.0 && f("cpu_us_per_dgram") > 0.0, "{r}");
            if mode.starts_with("raw") {
                // One sendmsg per datagram, and the sends really pended.
                assert!(f("send_syscalls_per_dgram") >= 1.0, "{r}");
                assert!(f("eagain_per_loop") > 0.0, "raw never saw EAGAIN: {r}");
                assert!(r["pended_percent"].is_null(), "{r}");
            } else {
                // Some sends pended and the reactor sent them batched.
                // How many depends on the machine's load, so no threshold:
                // the numbers belong to the benchmark, not to a test.
                assert!(f("pended_percent") > 0.0, "ws2 sends did not pend: {r}");
                assert!(f("syscall_ratio_raw_over_mode") > 1.0, "{r}");
                assert!(r["eagain_per_loop"].is_null(), "{r}");
            }
        }
    }
}

// S44: the receive bench compares WSARecvMsg (blocking, overlapped, 32
// kept posted on a port), Socket::recv_msg, raw recvmmsg into 32 buffers
// and raw recvmsg itself (the A/A check) with raw recvmsg, each ratio
// with its quartiles, and URO (blocking, on a skip-on-success port,
// 32 posted on a port) with WSARecvMsg without it, quinn-udp given one
// buffer and 32, and recvmsg with UDP_GRO, every datagram of each filled
// queue received. Speeds are the benchmark's business: only the shape.
#[test]
fn bench_recv_json() {
    let _one_at_a_time = bench_lock();
    let out = wsasend(&[
        "bench", "recv", "--rounds", "5", "--count", "1000", "--sizes", "64", "--json",
    ]);
    assert!(out.status.success(), "{}", shown(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(
        (v["version"].as_u64(), v["short"].as_u64()),
        (Some(1), Some(0)),
        "{v:#}"
    );
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 8, "{v:#}");
    for name in ["raw recvmmsg, 32 buffers", "raw recvmsg again (A/A check)"] {
        assert!(
            results.iter().any(|r| r["receive"].as_str() == Some(name)),
            "no {name} row: {v:#}"
        );
    }
    for row in results {
        assert_eq!(u(&row["size"]), 64);
        let ratio = row["ratio"].as_f64().unwrap();
        assert!(ratio > 0.0 && ratio.is_finite(), "{row}");
        let (q1, q3) = (
            row["ratio_q1"].as_f64().unwrap(),
            row["ratio_q3"].as_f64().unwrap(),
        );
        assert!(
            q1 <= ratio && ratio <= q3,
            "the median within its quartiles: {row}"
        );
    }
    let uro = v["uro"].as_array().unwrap();
    assert_eq!(uro.len(), 7, "{v:#}");
    let row = |name: &str| {
        uro.iter()
            .find(|r| r["receiver"].as_str().unwrap().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row: {v:#}"))
    };
    assert_eq!(row("quinn-udp recv, 32")["vs_quinn_udp"], 1.0);
    assert_eq!(
        row("quinn-udp recv, 1 buffer")["vs_quinn_udp_one_buffer"],
        1.0
    );
    row("ws2 URO, 32 WSARecvMsg posted");
    assert_eq!(
        row("ws2 WSARecvMsg without URO")["vs_plain_wsarecvmsg"],
        1.0
    );
    for r in uro {
        assert_eq!((u(&r["segment"]), u(&r["segments_per_send"])), (1200, 54));
        assert!(r["dgram_per_s"].as_f64().unwrap() > 0.0, "{r}");
        let one = r["vs_quinn_udp_one_buffer"].as_f64().unwrap();
        assert!(one > 0.0 && one.is_finite(), "{r}");
    }
}

// The receive bench takes at least 5 rounds too.
#[test]
fn bench_recv_rejects_too_few_rounds() {
    let out = wsasend(&["bench", "recv", "--rounds", "4"]);
    assert_eq!(out.status.code(), Some(USAGE), "{}", shown(&out));
}

/// The installed command has no pending bench (it would need the test
/// hosts): asked for it, it says where the bench is.
#[test]
fn bench_pending_points_to_the_repository_bench() {
    let out = wsasend(&["bench", "--pending"]);
    assert_one_line_error(
        &out,
        USAGE,
        &["cargo run --release -p wsasend --example bench_pending"],
    );
}

#[test]
fn bad_values_are_one_line_errors() {
    let to = ["send", "127.0.0.1", "9"];
    let cases: &[(&[&str], &[&str])] = &[
        (&["send", "127.0.0.1", "0"], &["port 0", "PORT"]),
        (&["send", "127.0.0.1", "65536"], &["65536", "out of range"]),
        (&["send", "127.0.0.1", "nine"], &["'nine' is not a port"]),
        (&["send", "127.0.0.1:0"], &["HOST '127.0.0.1:0'", "port 0"]),
        (&["send", "--to", "[::1]:99999"], &["--to", "99999"]),
        (&["send", "--to", "::1:9"], &["--to", "brackets"]),
        (
            &["send", "--to", "nonsense"],
            &["--to 'nonsense'", "HOST:PORT"],
        ),
        (&["send"], &["required", "<HOST>"]),
        (&["send", "127.0.0.1:9", "10"], &["has a port", "PORT 10"]),
        (&["recv"], &["recv needs a PORT"]),
        (&["recv", "0"], &["PORT", "port 0"]),
        (&["recv", "--bind", "127.0.0.1:0"], &["--bind", "port 0"]),
        (
            &["recv", "localhost", "9", "--count", "many"],
            &["--count", "many"],
        ),
        (&["recv", "9", "--interval", "2d"], &["--interval", "'2d'"]),
        (
            &["recv", "9", "--timeout", "0"],
            &["--timeout", "longer than 0"],
        ),
        (&["bogus"], &["unrecognized subcommand 'bogus'"]),
    ];
    let with_to: &[(&[&str], &[&str])] = &[
        (&["--count", "0"], &["--count", "0 is not in 1..=10000000"]),
        (&["--count", "10000001"], &["--count"]),
        (&["--count", "-5"], &["'-5'"]),
        (&["--size", "70000"], &["--size", "70000"]),
        (&["--rate", "fast"], &["--rate", "'fast' is not a rate"]),
        (&["--rate", "0"], &["--rate", "above 0"]),
        (&["--rate", "20000000"], &["--rate", "out of range"]),
        (&["--rate", "2000G"], &["--rate", "out of range"]),
        (
            &["--duration", "soon"],
            &["--duration", "'soon' is not a duration"],
        ),
        (&["--duration", "400d"], &["--duration"]),
        (&["--duration", "9000h"], &["--duration", "out of range"]),
        (&["--tos", "256"], &["--tos", "'256'"]),
        (&["--ecn", "4"], &["--ecn"]),
        (&["--ttl", "0"], &["--ttl"]),
        (&["--segment-size", "0"], &["--segment-size"]),
        (&["--from", "::1"], &["--from ::1 is IPv6"]),
        (&["--from", "not-an-ip"], &["--from", "not-an-ip"]),
        (&["-6"], &["127.0.0.1 is not an IPv6 address"]),
        (&["--bogus"], &["--bogus"]),
        (
            &["--rate", "10M", "--size", "0"],
            &["bits/s needs a payload"],
        ),
    ];
    let mut all: Vec<(Vec<&str>, &[&str])> = cases.iter().map(|(a, n)| (a.to_vec(), *n)).collect();
    for (extra, needles) in with_to {
        let mut a = to.to_vec();
        a.extend_from_slice(extra);
        all.push((a, *needles));
    }
    for (args, needles) in all {
        let out = wsasend(&args);
        assert_one_line_error(&out, USAGE, needles);
    }
}

#[test]
fn failed_sends_are_reported_on_stderr() {
    let port = free_port().to_string();
    let out = wsasend(&["send", "127.0.0.1", &port, "--from", "198.51.100.77"]);
    assert_one_line_error(
        &out,
        FAILED,
        &["1 of 1 sends failed", "WSAEINVAL x1", "198.51.100.77"],
    );
}

#[test]
fn payload_file_problems_are_one_line_errors() {
    let port = free_port().to_string();
    let out = wsasend(&["send", "127.0.0.1", &port, "-f", "/nonexistent/payload"]);
    assert_one_line_error(
        &out,
        SETUP,
        &["--file /nonexistent/payload", "No such file"],
    );
    let big = std::env::temp_dir().join(format!("wsasend-big-{}", std::process::id()));
    std::fs::write(&big, vec![7u8; 65508]).unwrap();
    let out = wsasend(&["send", "127.0.0.1", &port, "-f", big.to_str().unwrap()]);
    std::fs::remove_file(&big).unwrap();
    assert_one_line_error(&out, USAGE, &["more than 65507 bytes", "--segment-size"]);
}

/// Names come from a test host's own hosts file; one that is not there
/// fails with status 3, and so does a name without the family asked for.
#[test]
fn names_that_do_not_resolve() {
    let net = testnet::Net::new().unwrap();
    let a = net.host("names").unwrap();
    let _hosts = HostsFile::new(&a, "127.0.0.1 here\n::1 here6\n");
    let run = |args: &[&str]| in_host(&a, args).output().unwrap();
    let out = run(&["send", "nosuchhost", "9000"]);
    assert_one_line_error(&out, RESOLVE, &["cannot resolve 'nosuchhost'"]);
    let out = run(&["send", "--to", "nosuchhost.example:9000"]);
    assert_one_line_error(&out, RESOLVE, &["'nosuchhost.example'"]);
    let out = run(&["recv", "nosuchhost", "9000"]);
    assert_one_line_error(&out, RESOLVE, &["cannot resolve 'nosuchhost'"]);
    let out = run(&["send", "-4", "here6", "9000"]);
    assert_one_line_error(&out, RESOLVE, &["'here6' has no IPv4 address", "::1"]);
    // The same file resolves what it has.
    let out = run(&["send", "here", "9000", "--json"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(text(&out.stdout).contains("\"destination\":\"127.0.0.1:9000\""));
}

/// `wsasend` and the pending bench copied where an unprivileged user can
/// run them.
fn binaries_for_nobody() -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("wsasend-nobody-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let copy = |from: &Path, name: &str| {
        let bin = dir.join(name);
        std::fs::copy(from, &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin
    };
    (
        copy(Path::new(BIN), "wsasend"),
        copy(&bench_pending_bin(), "bench_pending"),
    )
}

/// Runs `bin args` as uid/gid 65534 (nobody), inside `netns` if given: CI
/// runs as root, so the child drops its privileges itself.
fn as_nobody(bin: &PathBuf, netns: Option<&testnet::Host>, args: &[&str]) -> std::process::Output {
    let ns = netns.map(|h| std::fs::File::open(format!("/run/netns/{}", h.name())).unwrap());
    let ns_fd = ns.as_ref().map(|f| f.as_raw_fd());
    let mut c = Command::new(bin);
    c.args(args).stdin(Stdio::null());
    // SAFETY: between fork and exec the closure makes only raw syscalls
    // (setns, setgroups, setgid, setuid), which are async-signal-safe, on
    // an fd the parent keeps open until the child has started.
    unsafe {
        c.pre_exec(move || {
            if let Some(fd) = ns_fd
                && libc::setns(fd, libc::CLONE_NEWNET) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = c.output().unwrap();
    drop(ns);
    out
}

#[test]
fn missing_privileges_are_one_line_errors() {
    let (bin, bench_pending) = binaries_for_nobody();
    // A port below 1024 in a fresh namespace (where the limit is 1024).
    let net = testnet::Net::new().unwrap();
    let h = net.host("nobody").unwrap();
    h.sysctl("net.ipv4.ip_unprivileged_port_start", "1024")
        .unwrap();
    let out = as_nobody(&bin, Some(&h), &["recv", "127.0.0.1", "80"]);
    assert_one_line_error(&out, SETUP, &["bind 127.0.0.1:80", "WSAEACCES"]);
    // The pending bench builds namespaces and qdiscs.
    let out = as_nobody(&bench_pending, None, &["--rounds", "5"]);
    assert_one_line_error(&out, SETUP, &["the pending-path bench needs root"]);
    // The same recv as root works (the test is about the privilege).
    let out = in_host(&h, &["recv", "127.0.0.1", "80", "--timeout", "50ms"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", shown(&out));
    let _ = std::fs::remove_dir_all(bin.parent().unwrap());
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
    let rx = b
        .run(|| std::net::UdpSocket::bind("10.0.0.2:0"))
        .expect("receiver");
    let to = rx.local_addr().unwrap();
    let plain = a.run(|| {
        let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
        (0..COUNT)
            .filter(|_| s.send_to(&[9u8; 1200], to).is_ok())
            .count()
    });
    let out = a
        .command(&[
            BIN,
            "send",
            "--to",
            &to.to_string(),
            "--count",
            &COUNT.to_string(),
            "--size",
            "1200",
            "--json",
        ])
        .output()
        .expect("run wsasend in host a");
    assert!(out.status.success(), "{}", shown(&out));
    let summary = common::json_lines(&out.stdout)
        .into_iter()
        .find(|v| v["event"] == "summary")
        .unwrap_or_else(|| panic!("no summary: {}", shown(&out)));
    assert_eq!(u(&summary["datagrams"]), plain as u64, "{summary}");
    assert_eq!(u(&summary["failed"]), 0, "{summary}");
    let stats = a
        .tc(&["-s", "qdisc", "show", "dev", &link.a_ifname])
        .expect("tc -s qdisc show");
    assert!(
        !stats.contains("dropped 0,"),
        "the queue dropped nothing, so nothing was tested:\n{stats}"
    );
}
