//! The programs in `examples/` run as their users would run them, on
//! loopback, and say what their comments promise. `cargo test` builds the
//! examples (it builds every example of the package before running any
//! test); this test runs the binaries it built.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Longest an example may run before it is killed and the test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

/// `target/<profile>/examples/<name>`, built by this `cargo test`. Looked
/// up, never built: a nested cargo would wait on the lock the running one
/// holds. Missing or older than its source, the test fails and says why.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable in target/<profile>/deps");
    let bin = profile.join("examples").join(name);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified());
    match (modified(&bin), modified(&source)) {
        (Ok(built), Ok(written)) if built >= written => bin,
        (Ok(_), _) => panic!(
            "{} is older than its source: `cargo test -p ws2-linux` builds the examples",
            bin.display()
        ),
        (Err(e), _) => panic!(
            "{}: {e}; `cargo test -p ws2-linux` (without --test) builds the examples, or `cargo build -p ws2-linux --examples`",
            bin.display()
        ),
    }
}

/// Runs the example to its end (killed after [`TIMEOUT`]); fails the test
/// unless it exits 0. Returns its standard output.
fn run(name: &str) -> String {
    let mut child = Command::new(example(name))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start example {name}: {e}"));
    let start = Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "example {name} still running after {TIMEOUT:?}\n{}",
                shown(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "example {name} failed\n{}",
        shown(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn shown(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}stderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// S23, S27: answers sent from the address each request arrived on.
#[test]
fn source_selection_answers_from_the_address_asked() {
    let out = run("source_selection");
    for addr in ["127.0.0.1", "127.0.0.2", "127.0.0.3"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("asked {addr}:")))
            .unwrap_or_else(|| panic!("no line for {addr}:\n{out}"));
        assert!(line.contains(&format!("from {addr}:")), "{line}");
    }
    assert!(out.contains("every answer came from the address its request was sent to"));
}

// S26, S27: ECN codepoints and DSCP arrive as sent; CE is refused.
#[test]
fn ecn_marks_arrive_and_ce_is_refused() {
    let out = run("ecn");
    for expected in [
        "no control message       -> TOS 0x00: DSCP  0, ECN Not-ECT",
        "IP_ECN 1                 -> TOS 0x01: DSCP  0, ECN ECT(1)",
        "IP_ECN 2                 -> TOS 0x02: DSCP  0, ECN ECT(0)",
        "IP_TOS 0xb8 + IP_ECN 1   -> TOS 0xb9: DSCP 46, ECN ECT(1)",
        "IP_ECN 3 (CE)            -> refused:",
    ] {
        assert!(out.contains(expected), "no {expected:?} in:\n{out}");
    }
}

// S26: one send of 10,000 bytes in 1,200-byte segments is 9 datagrams.
#[test]
fn segmentation_splits_one_send_into_datagrams() {
    let out = run("segmentation");
    assert!(
        out.contains("one send of 10000 bytes arrived as 9 datagrams: [1200, 1200, 1200, 1200, 1200, 1200, 1200, 1200, 400]"),
        "{out}"
    );
    assert!(
        out.contains("(socket option):  one send of 10000 bytes arrived as 9 datagrams"),
        "{out}"
    );
}

// S29, S36, S38: every overlapped send completes once through the port,
// with its key, and hands its buffer back.
#[test]
fn completion_port_completes_every_send_once() {
    let out = run("completion_port");
    assert!(out.contains("the peer received all 200 datagrams"), "{out}");
    for key in [1, 2] {
        assert!(
            out.contains(&format!("key {key}: 100 sends completed")),
            "{out}"
        );
    }
}

// S29: overlapped sends as futures, receives through tokio's AsyncFd.
#[test]
fn async_tokio_sends_and_receives() {
    let out = run("async_tokio");
    for i in 0..3 {
        assert!(
            out.contains(&format!("received \"message {i}\" from 127.0.0.1:")),
            "{out}"
        );
    }
    assert_eq!(out.matches("sent 9 bytes with TTL").count(), 3, "{out}");
}

// P4: Windows' delivery rule on loopback: the socket bound to a unicast
// address receives the group it joined, a bystander on the port does not;
// the loop is the receiver's switch; a leave stops delivery.
#[test]
fn multicast_delivers_as_windows_does() {
    let out = run("multicast");
    for line in [
        "joined socket received: Some(\"hello, group\")",
        "bystander received: None",
        "with the loop off: None",
        "after the leave: None",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
}
