//! C conformance tests: each program in `tests/c/` is compiled against the
//! headers in `include/` and the `libws2_32` cargo built for this test run,
//! then run (inside test hosts built with `testnet` where it needs them).
//! Every program exits 0 on success and prints `file:line` and the
//! `WSAGetLastError()` value of the first failed check otherwise.
//!
//! Nothing here skips: no `cc`, no library, no root or no namespaces make
//! the test fail with the reason.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use testnet::Net;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Longest a C program may run before it is killed and the test fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// The directory holding the `libws2_32.so` cargo built for this run: the
/// test executable's own directory (`target/<profile>/deps/`) or its parent
/// (`target/<profile>/`). A nested `cargo build` would wait on the target
/// lock that the running `cargo test` holds, so the library is only looked
/// up, never built.
fn lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("current_exe");
        let deps = exe
            .parent()
            .expect("test executable has a directory")
            .to_path_buf();
        let mut candidates = vec![deps.clone()];
        if let Some(profile) = deps.parent() {
            candidates.push(profile.to_path_buf());
        }
        // Prefer the newest copy: cargo refreshes deps/ on every build and
        // uplifts to <profile>/ only for `cargo build`.
        let mut best: Option<(std::time::SystemTime, PathBuf)> = None;
        for dir in &candidates {
            let so = dir.join("libws2_32.so");
            if let Ok(meta) = std::fs::metadata(&so) {
                let mtime = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                if best.as_ref().is_none_or(|(t, _)| mtime > *t) {
                    best = Some((mtime, dir.clone()));
                }
            }
        }
        match best {
            Some((_, dir)) => dir,
            None => panic!(
                "libws2_32.so not found in {:?}; cargo test should have built the cdylib",
                candidates
            ),
        }
    })
}

const OUT_PREFIX: &str = "ws2-c-programs-";

/// A per-process scratch directory for the compiled programs. Directories
/// left by earlier runs whose process is gone are removed first (the last
/// run's stays, for looking at after a failure).
fn out_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = std::env::temp_dir();
        if let Ok(entries) = std::fs::read_dir(&tmp) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(pid) = name
                    .to_str()
                    .and_then(|n| n.strip_prefix(OUT_PREFIX))
                    .and_then(|p| p.parse::<u32>().ok())
                else {
                    continue;
                };
                if !Path::new("/proc").join(pid.to_string()).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = tmp.join(format!("{OUT_PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        dir
    })
}

fn show(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Compiles `source` (absolute path) into an executable named `name` in the
/// scratch directory, with the flags of a strict C11 Windows program, and
/// returns the executable's path. Fails the test if `cc` is missing or the
/// compilation fails.
fn compile(source: &Path, name: &str) -> PathBuf {
    let include = Path::new(MANIFEST_DIR).join("include");
    let lib = lib_dir();
    let exe = out_dir().join(name);
    let mut cmd = Command::new("cc");
    cmd.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-I"])
        .arg(&include)
        .arg("-I")
        .arg(Path::new(MANIFEST_DIR).join("tests/c"))
        .arg("-o")
        .arg(&exe)
        .arg(source)
        .arg(format!("-L{}", lib.display()))
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-lws2_32");
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run the C compiler `cc` ({e}); it is required, not optional"),
    };
    assert!(
        out.status.success(),
        "compiling {} failed: {cmd:?}\n{}",
        source.display(),
        show(&out)
    );
    exe
}

/// Compiles `tests/c/<name>.c`.
fn compile_test(name: &str) -> PathBuf {
    compile(
        &Path::new(MANIFEST_DIR)
            .join("tests/c")
            .join(format!("{name}.c")),
        name,
    )
}

/// Runs `cmd` with stdout/stderr captured in files, killing it after
/// [`RUN_TIMEOUT`]; returns its output.
fn run_with_timeout(mut cmd: Command, label: &str) -> Output {
    let stdout_path = out_dir().join(format!("{label}.stdout"));
    let stderr_path = out_dir().join(format!("{label}.stderr"));
    let stdout = std::fs::File::create(&stdout_path).expect("create stdout file");
    let stderr = std::fs::File::create(&stderr_path).expect("create stderr file");
    cmd.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            break st;
        }
        if start.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let st = child.wait().expect("wait after kill");
            let out = Output {
                status: st,
                stdout: std::fs::read(&stdout_path).unwrap_or_default(),
                stderr: std::fs::read(&stderr_path).unwrap_or_default(),
            };
            panic!(
                "{label} did not finish within {RUN_TIMEOUT:?}; killed\n{}",
                show(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: std::fs::read(&stdout_path).unwrap_or_default(),
        stderr: std::fs::read(&stderr_path).unwrap_or_default(),
    }
}

fn assert_success(out: &Output, label: &str) {
    assert!(out.status.success(), "{label} failed\n{}", show(out));
}

/// Compiles and runs `tests/c/<name>.c` in the test's own namespace.
fn run_c_test(name: &str, args: &[&str]) -> Output {
    let exe = compile_test(name);
    let mut cmd = Command::new(&exe);
    cmd.args(args);
    let out = run_with_timeout(cmd, name);
    assert_success(&out, name);
    out
}

// S1 S3 S21 S23
#[test]
fn seed_scenario_gathers_buffers_and_sets_source_address() {
    run_c_test("seed_scenario", &[]);
}

// S25
#[test]
fn dual_stack_socket_takes_ipv4_source_from_in_pktinfo() {
    run_c_test("dual_stack", &[]);
}

// S24 S22
#[test]
fn ipv6_source_from_in6_pktinfo_and_rejected_on_ipv4_socket() {
    run_c_test("ipv6_pktinfo", &[]);
}

// S2 S3 S5 S6 S7 S8 S9 S10 S11 S12 S13 S14 S15 S22
#[test]
fn call_time_errors_have_the_exact_windows_codes() {
    run_c_test("errors_call_time", &[]);
}

// S4
#[test]
fn calls_without_wsastartup_fail_with_wsanotinitialised() {
    run_c_test("not_initialised", &[]);
}

// S9 S23
#[test]
fn raw_sockets_send_with_chosen_source() {
    run_c_test("raw_sockets", &[]);
}

// S23 S24 S19
#[test]
fn non_local_source_is_einval_and_unreachable_network_is_enetunreach() {
    let exe = compile_test("netns_unreachable");
    let net = Net::new().expect("testnet");
    let a = net.host("unreach").expect("host a");
    let b = net.host("peer").expect("host b");
    net.link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("link");
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(a.command(&[exe, "10.0.0.1"]), "netns_unreachable");
    assert_success(&out, "netns_unreachable");
}

// S16 S17
#[test]
fn full_send_buffer_times_out_when_blocking_and_would_block_when_not() {
    let exe = compile_test("netns_slow_link");
    let net = Net::new().expect("testnet");
    let a = net.host("slowa").expect("host a");
    let b = net.host("slowb").expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("link");
    a.rate_limit(&link.a_ifname, "8kbit").expect("rate limit");
    // A receiver in b, so the datagrams that get through are not answered
    // with ICMP port unreachable.
    let rx = b
        .run(|| UdpSocket::bind("10.0.0.2:0"))
        .expect("bind receiver in b");
    let port = rx.local_addr().unwrap().port().to_string();
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(a.command(&[exe, "10.0.0.2", &port]), "netns_slow_link");
    assert_success(&out, "netns_slow_link");
    drop(rx);
}

// S1 S3 S21 (the example in examples/c/ builds warning-free and works)
#[test]
fn example_udp_sender_delivers_datagrams() {
    let source = Path::new(MANIFEST_DIR).join("../../examples/c/udp_sender.c");
    let exe = compile(&source, "udp_sender");
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind receiver");
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = rx.local_addr().unwrap().port().to_string();
    let mut cmd = Command::new(&exe);
    cmd.args(["127.0.0.1", &port]);
    let out = run_with_timeout(cmd, "udp_sender");
    assert_success(&out, "udp_sender");
    let mut buf = [0u8; 256];
    for i in 1..=3 {
        let (n, from) = rx
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("datagram {i} did not arrive: {e}\n{}", show(&out)));
        let expected = format!("datagram {i}/3: hello from udp_sender");
        assert_eq!(String::from_utf8_lossy(&buf[..n]), expected);
        assert_eq!(from.ip().to_string(), "127.0.0.1");
    }
    rx.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert!(rx.recv_from(&mut buf).is_err(), "more than 3 datagrams");
}
