//! Shared harness for the C test programs: finds the `libws2_32.so` cargo
//! built for this test run (next to the test executable), compiles a C file
//! against `include/` with the flags of a strict C11 Windows program, and
//! runs the result with a timeout, showing its output when it fails.
//!
//! Nothing here skips: no `cc`, no library, no root or no namespaces make
//! the test fail with the reason.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Longest a C program may run (by default) before it is killed and the
/// test fails.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// The directory holding the `libws2_32.so` cargo built for this run: the
/// test executable's own directory (`target/<profile>/deps/`) or its parent
/// (`target/<profile>/`), whichever copy is newer. A nested `cargo build`
/// would wait on the target lock the running `cargo test` holds, so the
/// library is only looked up, never built.
pub fn lib_dir() -> &'static Path {
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
                "libws2_32.so not found in {candidates:?}; cargo test should have built the cdylib"
            ),
        }
    })
}

/// The SONAME the build script gives `libws2_32.so` (crates/ws2-capi/build.rs):
/// what every program linked against it loads.
pub const SONAME: &str = concat!("libws2_32.so.", env!("CARGO_PKG_VERSION_MAJOR"));

/// Where programs built by the tests load the library from: a scratch
/// directory holding `libws2_32.so.0` (the SONAME, which cargo does not
/// create) as a symlink to this run's [`lib_dir`]`/libws2_32.so`.
pub fn run_lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = out_dir().join("lib");
        std::fs::create_dir_all(&dir).expect("create the run-time library directory");
        let link = dir.join(SONAME);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(lib_dir().join("libws2_32.so"), &link)
            .unwrap_or_else(|e| panic!("symlink {}: {e}", link.display()));
        dir
    })
}

/// The linker arguments for this run's library: `-L<lib_dir>
/// -Wl,--disable-new-dtags,-rpath,<run_lib_dir> -lws2_32`. The rpath is an
/// old-style DT_RPATH, which the loader consults before `LD_LIBRARY_PATH`
/// (where cargo puts `target/<profile>`), so no other copy of the library is
/// ever loaded in place of the one this run built.
pub fn link_args() -> Vec<String> {
    vec![
        format!("-L{}", lib_dir().display()),
        format!("-Wl,--disable-new-dtags,-rpath,{}", run_lib_dir().display()),
        "-lws2_32".to_string(),
    ]
}

/// Prefix of the per-process scratch directories (one per test executable,
/// each sweeping only the directories of processes that are gone).
const OUT_PREFIX: &str = "ws2-c-harness-";

/// A per-process scratch directory for compiled programs and their output.
/// Directories of earlier runs whose process is gone are removed first.
pub fn out_dir() -> &'static Path {
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

/// A program's exit status and output, for failure messages.
pub fn show(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Compiles `source` (absolute path) into an executable `name` in the
/// scratch directory: `cc -std=c11 -Wall -Wextra -Werror -g -I include
/// -I tests/c` and [`link_args`] `-pthread`. Fails the test if `cc` is
/// missing or the compilation fails. Tests of one binary run in parallel
/// and may compile the same program: each compiles to a file of its own
/// and renames it into place, so no test executes a file being written
/// (`ETXTBSY`, or `EACCES` before the linker sets the mode).
pub fn compile(source: &Path, name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let include = Path::new(MANIFEST_DIR).join("include");
    let exe = out_dir().join(name);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = out_dir().join(format!("{name}.part{n}"));
    let mut cmd = Command::new("cc");
    cmd.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-I"])
        .arg(&include)
        .arg("-I")
        .arg(Path::new(MANIFEST_DIR).join("tests/c"))
        .arg("-o")
        .arg(&partial)
        .arg(source)
        .args(link_args())
        .arg("-pthread");
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
    std::fs::rename(&partial, &exe).expect("rename the compiled program into place");
    exe
}

/// Compiles `tests/c/<name>.c`.
pub fn compile_test(name: &str) -> PathBuf {
    compile(
        &Path::new(MANIFEST_DIR)
            .join("tests/c")
            .join(format!("{name}.c")),
        name,
    )
}

/// Compiles `examples/c/<name>.c` (relative to the workspace root).
pub fn compile_example(name: &str) -> PathBuf {
    compile(
        &Path::new(MANIFEST_DIR)
            .join("../../examples/c")
            .join(format!("{name}.c")),
        name,
    )
}

/// A started program whose stdout/stderr go to files in the scratch dir.
pub struct Running {
    child: Child,
    label: String,
    stdout_path: PathBuf,
    stderr_path: PathBuf,
}

impl Running {
    fn output(&self, status: std::process::ExitStatus) -> Output {
        Output {
            status,
            stdout: std::fs::read(&self.stdout_path).unwrap_or_default(),
            stderr: std::fs::read(&self.stderr_path).unwrap_or_default(),
        }
    }

    /// Waits up to `timeout` for the program; kills it and fails the test
    /// after that.
    pub fn wait(mut self, timeout: Duration) -> Output {
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return self.output(st);
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                let st = self.child.wait().expect("wait after kill");
                let out = self.output(st);
                panic!(
                    "{} did not finish within {timeout:?}; killed\n{}",
                    self.label,
                    show(&out)
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The program's output if it has ended (without waiting).
    pub fn try_finish(&mut self) -> Option<Output> {
        let st = self.child.try_wait().expect("try_wait")?;
        Some(self.output(st))
    }

    /// What the program printed on stdout so far.
    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stdout_so_far(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.stdout_path).unwrap_or_default()).into_owned()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Never leave a program behind when a test fails early.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `cmd` with stdout/stderr captured in files named after `label`.
pub fn start(mut cmd: Command, label: &str) -> Running {
    let stdout_path = out_dir().join(format!("{label}.stdout"));
    let stderr_path = out_dir().join(format!("{label}.stderr"));
    let stdout = std::fs::File::create(&stdout_path).expect("create stdout file");
    let stderr = std::fs::File::create(&stderr_path).expect("create stderr file");
    cmd.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    Running {
        child,
        label: label.to_string(),
        stdout_path,
        stderr_path,
    }
}

/// Runs `cmd`, killing it after `timeout`; returns its output.
pub fn run_with_timeout_of(cmd: Command, label: &str, timeout: Duration) -> Output {
    start(cmd, label).wait(timeout)
}

/// Runs `cmd`, killing it after [`RUN_TIMEOUT`]; returns its output.
pub fn run_with_timeout(cmd: Command, label: &str) -> Output {
    run_with_timeout_of(cmd, label, RUN_TIMEOUT)
}

/// Fails the test with the program's output unless it exited 0.
pub fn assert_success(out: &Output, label: &str) {
    assert!(out.status.success(), "{label} failed\n{}", show(out));
}

/// Compiles and runs `tests/c/<name>.c` in the test's own namespace and
/// asserts it exits 0.
pub fn run_c_test(name: &str, args: &[&str]) -> Output {
    let exe = compile_test(name);
    let mut cmd = Command::new(&exe);
    cmd.args(args);
    let out = run_with_timeout(cmd, name);
    assert_success(&out, name);
    out
}

/// Hosts `a` (10.0.0.1) and `b` (10.0.0.2) joined by a veth pair whose `a`
/// end is rate-limited to `rate`, so sends from `a` to `b` really pend.
pub struct SlowLink {
    _net: testnet::Net,
    pub a: testnet::Host,
    pub b: testnet::Host,
}

/// Builds a [`SlowLink`]; `label` names its namespaces. Needs root: a
/// failure fails the test.
pub fn slow_link(label: &str, rate: &str) -> SlowLink {
    let net = testnet::Net::new().expect("testnet");
    let a = net.host(&format!("{label}a")).expect("host a");
    let b = net.host(&format!("{label}b")).expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("link");
    a.rate_limit(&link.a_ifname, rate).expect("rate limit");
    // Tests compare arrival order with send order: keep veth from
    // reordering across CPUs.
    b.receive_on_one_cpu(&link.b_ifname)
        .expect("RPS on one CPU");
    SlowLink { _net: net, a, b }
}

/// A UDP receiver bound in `b` (so what gets through is not answered with
/// ICMP port unreachable); returns it and its port as text.
pub fn receiver_in(b: &testnet::Host) -> (std::net::UdpSocket, String) {
    let rx = b
        .run(|| std::net::UdpSocket::bind("10.0.0.2:0"))
        .expect("bind receiver in b");
    let port = rx.local_addr().unwrap().port().to_string();
    (rx, port)
}
