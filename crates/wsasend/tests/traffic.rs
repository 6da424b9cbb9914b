//! `wsasend send` and `wsasend recv` in two processes, on loopback and
//! between test hosts (network namespaces): the counts each reports, loss
//! on a rate-limited link, reordering on a two-speed link, names from the
//! hosts' own hosts files, signals and a closed output.

mod common;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::Value;

const LONG: Duration = Duration::from_secs(20);

/// A datagram with the sequence header as the README documents it:
/// magic 57 53 32 01, session, sequence number, send time (ns since the
/// epoch), big-endian; then `pad` more bytes.
fn headed(session: u32, seq: u64, pad: usize) -> Vec<u8> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let mut d = vec![0x57, 0x53, 0x32, 0x01];
    d.extend_from_slice(&session.to_be_bytes());
    d.extend_from_slice(&seq.to_be_bytes());
    d.extend_from_slice(&(now.as_nanos() as u64).to_be_bytes());
    d.resize(24 + pad, 0xab);
    d
}

/// The one flow of a recv summary.
fn only_flow(summary: &Value) -> &Value {
    let flows = summary["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 1, "{summary:#}");
    &flows[0]
}

/// `wsasend send ...` (JSON) to completion: its summary.
fn send_json(mut c: Command) -> Value {
    let out = c.stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{}", shown(&out));
    let lines = json_lines(&out.stdout);
    event(&lines, "summary").clone()
}

/// The recv summary after the receiver ended.
fn recv_summary(r: Receiver, limit: Duration) -> Value {
    let (status, rest, err) = r.finish(limit);
    assert!(status.success(), "status {status:?}\n{rest}\n{err}");
    let lines = json_lines(rest.as_bytes());
    event(&lines, "summary").clone()
}

#[test]
fn loopback_send_and_recv_agree() {
    let port = free_port().to_string();
    // Every address, dual-stack; the sender finds it by name.
    let r = Receiver::local(&[&port, "--count", "300", "--json", "--timeout", "10"]);
    let listening: Value = serde_json::from_str(&r.first).unwrap();
    assert_eq!(listening["event"], "listening");
    assert_eq!(listening["local"], format!("[::]:{port}"));
    let mut c = Command::new(BIN);
    c.args([
        "send",
        "localhost",
        &port,
        "-c",
        "300",
        "-r",
        "3000",
        "-s",
        "200",
        "--json",
    ]);
    let sent = send_json(c);
    assert_eq!(sent["destination"], format!("127.0.0.1:{port}"));
    assert_eq!((u(&sent["datagrams"]), u(&sent["bytes"])), (300, 60000));
    assert_eq!(
        (u(&sent["failed"]), sent["reason"].clone()),
        (0, "count".into())
    );
    assert_eq!((u(&sent["first_seq"]), u(&sent["last_seq"])), (0, 299));
    // At most 3000 datagrams/s: 300 take about 0.1 s.
    let elapsed = sent["elapsed_s"].as_f64().unwrap();
    assert!((0.08..2.0).contains(&elapsed), "{sent:#}");

    let got = recv_summary(r, LONG);
    assert_eq!(got["reason"], "count");
    assert_eq!((u(&got["datagrams"]), u(&got["bytes"])), (300, 60000));
    let f = only_flow(&got);
    assert_eq!(f["session"], sent["session"]);
    assert_eq!(
        f["source"].as_str().unwrap().split(':').next(),
        Some("127.0.0.1")
    );
    assert_eq!(u(&f["expected"]), 300);
    for k in ["lost", "reordered", "duplicates", "too_old"] {
        assert_eq!(u(&f[k]), 0, "{k}: {got:#}");
    }
    let jitter = f["jitter_ms"].as_f64().unwrap();
    assert!((0.0..50.0).contains(&jitter), "{got:#}");
}

#[test]
fn recv_text_reports_intervals_and_a_summary() {
    let port = free_port().to_string();
    let r = Receiver::local(&["127.0.0.1", &port, "-i", "0.1", "-c", "100"]);
    assert_eq!(r.first.trim(), format!("listening on 127.0.0.1:{port}"));
    let out = wsasend(&[
        "send",
        "127.0.0.1",
        &port,
        "-c",
        "100",
        "-r",
        "400",
        "-i",
        "0.1",
    ]);
    assert!(out.status.success(), "{}", shown(&out));
    let sent = text(&out.stdout);
    assert!(
        sent.lines().filter(|l| l.contains(" s  sent ")).count() >= 2,
        "{sent}"
    );
    assert!(
        sent.contains("sent 100 datagrams (6400 bytes) to 127.0.0.1:"),
        "{sent}"
    );
    assert!(
        sent.contains("header: session ") && sent.contains("sequence 0-99"),
        "{sent}"
    );
    let (status, rest, err) = r.finish(LONG);
    assert!(status.success(), "{rest}{err}");
    let intervals: Vec<&str> = rest.lines().filter(|l| l.contains(" datagrams ")).collect();
    assert!(intervals.len() >= 3, "{rest}");
    let per_interval: u64 = intervals
        .iter()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.split_whitespace().nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(per_interval, 100, "intervals add up to the total:\n{rest}");
    assert!(
        rest.contains("received 100 datagrams (6400 bytes) in ")
            && rest.contains("ended by --count"),
        "{rest}"
    );
    assert!(rest.contains(" 100 datagrams, 6400 bytes, "), "{rest}");
    assert!(
        rest.contains(", lost 0/100 (0.00%), reordered 0, duplicates 0, jitter "),
        "{rest}"
    );
    // Interval lines: jitter and loss; reordering only when there is any.
    assert!(
        intervals
            .iter()
            .any(|l| l.contains("  jitter ") && l.contains("  lost "))
    );
    assert!(
        !intervals.iter().any(|l| l.contains("  reordered ")),
        "{rest}"
    );
}

#[test]
fn recv_counts_what_a_sender_shows_it() {
    // Known ground truth: 0 1 2 2 4 3 6 is 7 numbers expected (0-6), 5
    // lost, 2 a duplicate, 3 reordered (after 4).
    let port = free_port().to_string();
    let r = Receiver::local(&["127.0.0.1", &port, "--json", "-c", "8", "-v"]);
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    for seq in [0, 1, 2, 2, 4, 3, 6] {
        tx.send_to(
            &headed(0xfeed, seq, 8),
            ("127.0.0.1", port.parse().unwrap()),
        )
        .unwrap();
    }
    // And one without the header, from another sender: a flow of its own.
    let other = UdpSocket::bind("127.0.0.1:0").unwrap();
    other
        .send_to(b"hello", ("127.0.0.1", port.parse().unwrap()))
        .unwrap();
    let (status, rest, err) = r.finish(LONG);
    assert!(status.success(), "{rest}{err}");
    let lines = json_lines(rest.as_bytes());
    let seqs: Vec<Value> = lines
        .iter()
        .filter(|v| v["event"] == "datagram")
        .map(|v| v["seq"].clone())
        .collect();
    assert_eq!(
        seqs,
        [0, 1, 2, 2, 4, 3, 6]
            .map(Value::from)
            .into_iter()
            .chain([Value::Null])
            .collect::<Vec<_>>()
    );
    let s = event(&lines, "summary");
    assert_eq!(
        (u(&s["datagrams"]), u(&s["lost"]), u(&s["duplicates"])),
        (8, 1, 1)
    );
    let flows = s["flows"].as_array().unwrap();
    let headed_flow = flows.iter().find(|f| f["session"] == "0000feed").unwrap();
    assert_eq!(u(&headed_flow["expected"]), 7);
    assert_eq!(u(&headed_flow["reordered"]), 1);
    let plain = flows.iter().find(|f| f["session"].is_null()).unwrap();
    assert_eq!((u(&plain["datagrams"]), u(&plain["bytes"])), (1, 5));
    for k in ["expected", "lost", "reordered", "duplicates", "jitter_ms"] {
        assert!(plain[k].is_null(), "{k} must be unknown, not 0: {plain}");
    }
}

#[test]
fn recv_verbose_shows_source_destination_tos_ecn_ttl() {
    let port = free_port().to_string();
    let r = Receiver::local(&["127.0.0.1", &port, "-c", "3", "-v"]);
    let out = wsasend(&[
        "send",
        "127.0.0.1",
        &port,
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
    assert!(out.status.success(), "{}", shown(&out));
    assert!(text(&out.stdout).contains(" from 127.0.0.2:"));
    let (status, rest, _) = r.finish(LONG);
    assert!(status.success());
    let lines: Vec<&str> = rest.lines().filter(|l| l.starts_with("from ")).collect();
    assert_eq!(lines.len(), 3, "{rest}");
    for (i, l) in lines.iter().enumerate() {
        assert!(l.starts_with("from 127.0.0.2:"), "{l}");
        assert!(l.contains(" to 127.0.0.1 ifindex "), "{l}");
        assert!(l.contains(" tos 0xb9 (185) "), "{l}");
        assert!(l.contains(" ecn 1 "), "{l}");
        assert!(l.contains(" ttl 9 "), "{l}");
        assert!(l.ends_with(&format!(" seq {i} bytes 64")), "{l}");
    }
}

#[test]
fn segments_each_carry_a_header() {
    let port = free_port().to_string();
    let r = Receiver::local(&["127.0.0.1", &port, "-c", "6", "-v"]);
    let out = wsasend(&[
        "send",
        "127.0.0.1",
        &port,
        "--segment-size",
        "500",
        "--size",
        "1200",
        "--count",
        "2",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        stdout
            .contains("sent 6 datagrams (2400 bytes) in 2 sends split into segments of 500 bytes"),
        "{stdout}"
    );
    let (status, rest, _) = r.finish(LONG);
    assert!(status.success());
    let tails: Vec<String> = rest
        .lines()
        .filter(|l| l.starts_with("from "))
        .map(|l| l.split(" seq ").nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        tails,
        [
            "0 bytes 500",
            "1 bytes 500",
            "2 bytes 200",
            "3 bytes 500",
            "4 bytes 500",
            "5 bytes 200"
        ]
    );
    assert!(rest.contains("lost 0/6 (0.00%)"), "{rest}");
}

#[test]
fn short_datagrams_carry_no_header_and_no_loss_claim() {
    let port = free_port().to_string();
    let r = Receiver::local(&["127.0.0.1", &port, "-c", "3"]);
    let out = wsasend(&["send", "127.0.0.1", &port, "--size", "16", "--count", "3"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        text(&out.stdout).contains("header: none (--size is below the 24-byte header)"),
        "{}",
        shown(&out)
    );
    let (status, rest, _) = r.finish(LONG);
    assert!(status.success());
    assert!(rest.contains("received 3 datagrams (48 bytes)"), "{rest}");
    assert!(
        rest.contains("(no sequence header: loss, order, jitter unknown)"),
        "{rest}"
    );
    assert!(!rest.contains("lost"), "{rest}");
    // A segment below the header: no header in any of them.
    let out = wsasend(&[
        "send",
        "127.0.0.1",
        &port,
        "--segment-size",
        "100",
        "--size",
        "210",
        "--json",
    ]);
    let s = event(&json_lines(&out.stdout), "summary").clone();
    assert_eq!(
        (s["header"].clone(), s["session"].clone()),
        (false.into(), Value::Null)
    );
}

#[test]
fn payload_from_stdin_and_from_a_file() {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = rx.local_addr().unwrap().port().to_string();
    let mut child = Command::new(BIN)
        .args(["send", "127.0.0.1", &port, "-f", "-", "-c", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", shown(&out));
    assert!(text(&out.stdout).contains("header: none (--file payloads are sent as they are)"));
    let mut buf = [0u8; 64];
    for _ in 0..2 {
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"hello\n");
    }
    let file = std::env::temp_dir().join(format!("wsasend-payload-{}", std::process::id()));
    std::fs::write(&file, b"\x00from a file\xff").unwrap();
    let out = wsasend(&[
        "send",
        "--to",
        &format!("127.0.0.1:{port}"),
        "-f",
        file.to_str().unwrap(),
    ]);
    std::fs::remove_file(&file).unwrap();
    assert!(out.status.success(), "{}", shown(&out));
    let n = rx.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"\x00from a file\xff");
}

#[test]
fn send_to_ipv6_with_tos() {
    let rx = UdpSocket::bind("[::1]:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let to = rx.local_addr().unwrap().to_string();
    let out = wsasend(&["send", &to, "--from", "::1", "--tos", "0x28"]);
    assert!(out.status.success(), "{}", shown(&out));
    let mut buf = [0u8; 256];
    let (n, from) = rx.recv_from(&mut buf).expect("datagram");
    assert_eq!((n, from.ip()), (64, "::1".parse::<IpAddr>().unwrap()));
    assert_eq!(&buf[..4], &[0x57, 0x53, 0x32, 0x01], "the header's magic");
    assert_eq!(&buf[8..16], &0u64.to_be_bytes(), "sequence number 0");
}

#[test]
fn rate_and_duration_pace_the_sends() {
    let port = free_port().to_string();
    // 200 datagrams/s for 0.5 s.
    let mut c = Command::new(BIN);
    c.args([
        "send",
        "127.0.0.1",
        &port,
        "-d",
        "0.5",
        "-r",
        "200",
        "--json",
    ]);
    let s = send_json(c);
    assert_eq!(s["reason"], "duration");
    let n = u(&s["datagrams"]);
    assert!((85..=102).contains(&n), "{s:#}");
    let elapsed = s["elapsed_s"].as_f64().unwrap();
    assert!((0.5..0.9).contains(&elapsed), "{s:#}");
    // 80 kbit/s of 100-byte payloads: 100 datagrams/s.
    let mut c = Command::new(BIN);
    c.args([
        "send",
        "127.0.0.1",
        &port,
        "-d",
        "0.5",
        "-r",
        "80k",
        "-s",
        "100",
        "--json",
    ]);
    let s = send_json(c);
    let n = u(&s["datagrams"]);
    assert!((42..=52).contains(&n), "{s:#}");
}

#[test]
fn signals_end_a_run_with_its_summary() {
    let port = free_port().to_string();
    let r = Receiver::local(&["127.0.0.1", &port]);
    let mut send = Command::new(BIN)
        .args(["send", "127.0.0.1", &port, "-d", "60", "-r", "100"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: the child is ours and not yet waited for.
    unsafe { libc::kill(send.id() as i32, libc::SIGINT) };
    let t0 = Instant::now();
    let status = send.wait().unwrap();
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "send took {:?} to stop",
        t0.elapsed()
    );
    assert!(status.success());
    let mut out = String::new();
    std::io::Read::read_to_string(&mut send.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.contains("; stopped by SIGINT"), "{out}");
    let sent: u64 = out.split_whitespace().nth(1).unwrap().parse().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    r.signal(libc::SIGTERM);
    let (status, rest, err) = r.finish(Duration::from_secs(3));
    assert!(status.success(), "{rest}{err}");
    assert!(
        rest.contains(&format!("received {sent} datagrams")),
        "{rest}"
    );
    assert!(rest.contains("stopped by SIGTERM"), "{rest}");
    assert!(
        rest.contains(&format!("lost 0/{sent} (0.00%), reordered 0")),
        "{rest}"
    );
}

#[test]
fn recv_ends_when_its_reader_goes_away() {
    // `wsasend recv | head -1`: head reads one line and exits.
    let port = free_port().to_string();
    let mut r = Receiver::local(&["127.0.0.1", &port]);
    let t0 = Instant::now();
    r.close_stdout();
    let (status, _, err) = r.finish(Duration::from_secs(3));
    assert!(status.success(), "{err}");
    assert!(err.is_empty(), "quietly: {err}");
    assert!(t0.elapsed() < Duration::from_secs(2));
    // And when it goes away while datagrams arrive (-v writes each).
    let mut r = Receiver::local(&["127.0.0.1", &port, "-v"]);
    r.close_stdout();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..20 {
        let _ = tx.send_to(b"x", ("127.0.0.1", port.parse().unwrap()));
    }
    let (status, _, err) = r.finish(Duration::from_secs(3));
    assert!(status.success() && err.is_empty(), "{err}");
}

#[test]
fn recv_timeout_before_count_fails() {
    let port = free_port().to_string();
    let out = wsasend(&["recv", "127.0.0.1", &port, "-c", "5", "-w", "200ms"]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(
        text(&out.stdout).contains("received 0 datagrams"),
        "{}",
        shown(&out)
    );
    assert_one_line_error_text(&text(&out.stderr), &["timed out", "0 of 5 datagrams"]);
    // Without --count, an idle timeout is a normal end.
    let out = wsasend(&["recv", "127.0.0.1", &port, "-w", "100ms"]);
    assert!(out.status.success(), "{}", shown(&out));
}

fn assert_one_line_error_text(stderr: &str, needles: &[&str]) {
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "no {n:?} in {stderr}");
    }
}

/// Two test hosts, a and b, on one link, each resolving names from its own
/// hosts file: hostb is 10.71.0.2 and fd71::2.
struct Pair {
    _net: testnet::Net,
    a: testnet::Host,
    b: testnet::Host,
    link: testnet::Link,
    _names: (HostsFile, HostsFile),
}

fn pair(label: &str) -> Pair {
    let net = testnet::Net::new().unwrap();
    let a = net.host(&format!("{label}a")).unwrap();
    let b = net.host(&format!("{label}b")).unwrap();
    let link = net.link(&a, "10.71.0.1/24", &b, "10.71.0.2/24").unwrap();
    a.add_addr(&link.a_ifname, "fd71::1/64").unwrap();
    b.add_addr(&link.b_ifname, "fd71::2/64").unwrap();
    // In order on arrival whichever CPUs the sender runs on (a reordering
    // recv reports is then the test's failure, not the kernel's backlogs).
    b.receive_on_one_cpu(&link.b_ifname).unwrap();
    let hosts = "10.71.0.1 hosta\n10.71.0.2 hostb\nfd71::2 hostb6\n";
    let names = (HostsFile::new(&a, hosts), HostsFile::new(&b, hosts));
    Pair {
        _net: net,
        a,
        b,
        link,
        _names: names,
    }
}

#[test]
fn across_test_hosts_by_name_v4_and_v6() {
    let p = pair("names");
    for (listen, to, source) in [
        ("hostb", "hostb", "10.71.0.1"),
        ("hostb6", "hostb6", "fd71::1"),
    ] {
        let r = Receiver::start(in_host(
            &p.b,
            &["recv", listen, "7000", "-c", "50", "--json", "-w", "10"],
        ));
        let sent = send_json(in_host(
            &p.a,
            &["send", to, "7000", "-c", "50", "-r", "2000", "--json"],
        ));
        assert_eq!(u(&sent["datagrams"]), 50);
        let got = recv_summary(r, LONG);
        let f = only_flow(&got);
        assert_eq!(f["session"], sent["session"]);
        assert!(f["source"].as_str().unwrap().contains(source), "{got:#}");
        assert_eq!(
            (u(&f["datagrams"]), u(&f["lost"]), u(&f["reordered"])),
            (50, 0, 0)
        );
    }
}

#[test]
fn a_rate_limited_link_loses_what_recv_reports() {
    // a -> r -> b; r forwards into b through a 2 Mbit/s token bucket with
    // a small queue, so a faster sender loses datagrams on that link (not
    // at its own interface, where a full queue is a send error).
    let net = testnet::Net::new().unwrap();
    let a = net.host("lossa").unwrap();
    let r = net.host("lossr").unwrap();
    let b = net.host("lossb").unwrap();
    for h in [&a, &r, &b] {
        // IPv4 only: nothing but our datagrams (and one ARP) on the link.
        h.sysctl("net.ipv6.conf.all.disable_ipv6", "1").unwrap();
        h.sysctl("net.ipv6.conf.default.disable_ipv6", "1").unwrap();
    }
    let ar = net.link(&a, "10.72.1.1/24", &r, "10.72.1.2/24").unwrap();
    let rb = net.link(&r, "10.72.2.1/24", &b, "10.72.2.2/24").unwrap();
    // The sender's thread may move between CPUs, and veth queues each
    // packet on the sending CPU's backlog: one receiving CPU per hop keeps
    // the order, so any reordering recv reports is the test's failure.
    r.receive_on_one_cpu(&ar.b_ifname).unwrap();
    b.receive_on_one_cpu(&rb.b_ifname).unwrap();
    r.sysctl("net.ipv4.ip_forward", "1").unwrap();
    a.route("10.72.2.0/24 via 10.72.1.2").unwrap();
    b.route("10.72.1.0/24 via 10.72.2.1").unwrap();
    r.tc(&[
        "qdisc",
        "add",
        "dev",
        &rb.a_ifname,
        "root",
        "tbf",
        "rate",
        "2mbit",
        "burst",
        "4k",
        "limit",
        "12k",
    ])
    .unwrap();

    let recv = Receiver::start(in_host(&b, &["recv", "10.72.2.2", "7100", "--json"]));
    // 1000-byte payloads at 800/s: over 6 Mbit/s into a 2 Mbit/s link.
    let sent = send_json(in_host(
        &a,
        &[
            "send",
            "10.72.2.2",
            "7100",
            "-c",
            "400",
            "-r",
            "800",
            "-s",
            "1000",
            "--json",
        ],
    ));
    assert_eq!(
        (u(&sent["datagrams"]), u(&sent["failed"])),
        (400, 0),
        "{sent:#}"
    );
    // The queue drains in milliseconds; then one more datagram of the same
    // run (next number, same session) shows recv the end of the run.
    std::thread::sleep(Duration::from_millis(300));
    let session = u32::from_str_radix(sent["session"].as_str().unwrap(), 16).unwrap();
    a.run(|| {
        let tx = UdpSocket::bind("10.72.1.1:0").unwrap();
        tx.send_to(
            &headed(session, 400, 976),
            (Ipv4Addr::new(10, 72, 2, 2), 7100),
        )
        .unwrap();
    });
    std::thread::sleep(Duration::from_millis(300));
    recv.signal(libc::SIGTERM);
    let got = recv_summary(recv, LONG);
    assert_eq!(got["reason"], "signal");
    let f = only_flow(&got);
    let (received, lost) = (u(&f["datagrams"]), u(&f["lost"]));
    let dropped = qdisc_drops(&r, &rb.a_ifname);
    assert!(lost > 50, "the link should lose a good share: {got:#}");
    // Every datagram send reports arrived or is counted lost by recv ...
    assert_eq!(received - 1 + lost, 400, "{got:#}");
    assert_eq!(u(&f["expected"]), 401);
    // ... and what recv counts lost is what the link dropped.
    assert_eq!(lost, dropped, "{got:#}");
    assert_eq!((u(&f["reordered"]), u(&f["duplicates"])), (0, 0));
}

#[test]
fn a_two_speed_link_reorders_and_recv_reports_it() {
    // netem is not in this kernel (CONFIG_NET_SCH_NETEM unset), so the
    // reordering comes from htb: a u32 filter on the sequence number's
    // lowest bit (IP offset 20 + 8 + 15) sends odd datagrams through a
    // slow class, even ones through a fast class; evens overtake odds.
    let p = pair("reord");
    let dev = p.link.a_ifname.as_str();
    for cmd in [
        vec![
            "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10",
        ],
        vec![
            "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", "1gbit",
        ],
        vec![
            "class", "add", "dev", dev, "parent", "1:", "classid", "1:20", "htb", "rate",
            "100kbit", "burst", "2k",
        ],
        vec![
            "filter", "add", "dev", dev, "parent", "1:", "protocol", "ip", "u32", "match", "ip",
            "protocol", "17", "0xff", "match", "u8", "0x01", "0x01", "at", "43", "flowid", "1:20",
        ],
    ] {
        p.a.tc(&cmd).unwrap();
    }
    let r = Receiver::start(in_host(
        &p.b,
        &["recv", "hostb", "7200", "-c", "200", "--json", "-w", "10"],
    ));
    let sent = send_json(in_host(
        &p.a,
        &[
            "send", "hostb", "7200", "-c", "200", "-r", "500", "-s", "100", "--json",
        ],
    ));
    assert_eq!(u(&sent["datagrams"]), 200);
    let got = recv_summary(r, LONG);
    let f = only_flow(&got);
    assert_eq!(
        (u(&f["datagrams"]), u(&f["lost"]), u(&f["duplicates"])),
        (200, 0, 0),
        "{got:#}"
    );
    let reordered = u(&f["reordered"]);
    assert!(reordered >= 20, "odd datagrams should arrive late: {got:#}");
    // Late odd datagrams move transit time around: jitter is visible.
    assert!(f["jitter_ms"].as_f64().unwrap() > 0.1, "{got:#}");
}
