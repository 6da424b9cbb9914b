//! Running the built `wsasend` as a user would: output, JSON lines, a
//! receiver in the background, test hosts with their own `/etc/hosts`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_wsasend");

pub fn wsasend(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run wsasend")
}

/// The pending-path bench, `examples/bench_pending.rs`, as `cargo test`
/// built it beside this test (`target/<profile>/examples/`). It is looked
/// up, never built: a nested cargo would wait on the lock of the running
/// one. Missing or older than its source, the test fails and says why.
pub fn bench_pending_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable in target/<profile>/deps");
    let bin = profile.join("examples").join("bench_pending");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bench_pending.rs");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified());
    match (modified(&bin), modified(&source)) {
        (Ok(built), Ok(written)) if built >= written => bin,
        (Ok(_), _) => panic!(
            "{} is older than its source: `cargo test -p wsasend` builds the examples",
            bin.display()
        ),
        (Err(e), _) => panic!(
            "{}: {e}; `cargo test -p wsasend` (without --test) builds the examples, or `cargo build -p wsasend --examples`",
            bin.display()
        ),
    }
}

pub fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// Both streams, for assertion messages.
pub fn shown(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}stderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Every line of `stdout` as JSON.
pub fn json_lines(stdout: &[u8]) -> Vec<Value> {
    text(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The one object with `"event": event`.
pub fn event<'a>(lines: &'a [Value], event: &str) -> &'a Value {
    let mut found = lines.iter().filter(|v| v["event"] == event);
    let v = found
        .next()
        .unwrap_or_else(|| panic!("no {event} in {lines:#?}"));
    assert!(found.next().is_none(), "two {event}s in {lines:#?}");
    assert_eq!(v["version"], 1, "{v}");
    v
}

pub fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// A failure as the user sees it: status `code`, nothing on stdout, and
/// one line on stderr, `wsasend: ...`, containing every one of `needles`.
pub fn assert_one_line_error(out: &Output, code: i32, needles: &[&str]) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{}", shown(out));
    assert_eq!(stderr.lines().count(), 1, "{}", shown(out));
    assert!(stderr.starts_with("wsasend: "), "{}", shown(out));
    for n in needles {
        assert!(stderr.contains(n), "no {n:?} in: {stderr}");
    }
}

/// A UDP port nothing listens on right now.
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `wsasend recv` running in the background, past its first line.
pub struct Receiver {
    pub child: Child,
    /// None once [`Receiver::close_stdout`] closed it.
    pub stdout: Option<BufReader<ChildStdout>>,
    /// The first line (`listening on ...` or its JSON).
    pub first: String,
}

impl Receiver {
    /// Starts `command` (a `wsasend recv ...`) and waits for its first line.
    pub fn start(mut command: Command) -> Receiver {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wsasend recv");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(
            first.contains("listening"),
            "recv did not start: {first:?}, stderr: {}",
            {
                let mut e = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut e);
                e
            }
        );
        Receiver {
            child,
            stdout: Some(stdout),
            first,
        }
    }

    /// `wsasend recv args...` on this host.
    pub fn local(args: &[&str]) -> Receiver {
        let mut c = Command::new(BIN);
        c.arg("recv").args(args);
        Receiver::start(c)
    }

    /// Closes our end of its stdout, as `head -1` does after one line.
    pub fn close_stdout(&mut self) {
        self.stdout = None;
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill has no memory effects; the child is ours and not
        // yet waited for, so its pid is still its own.
        unsafe { libc::kill(self.child.id() as i32, sig) };
    }

    /// Waits (at most `limit`) for the end: status, the rest of stdout, stderr.
    pub fn finish(mut self, limit: Duration) -> (ExitStatus, String, String) {
        let t0 = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if t0.elapsed() > limit {
                let _ = self.child.kill();
                panic!("wsasend recv still running after {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut rest = String::new();
        if let Some(mut out) = self.stdout.take() {
            out.read_to_string(&mut rest).unwrap();
        }
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status, rest, err)
    }
}

/// Name resolution for a test host: `/etc/netns/<ns>/hosts` with `hosts`,
/// `nsswitch.conf` saying `hosts: files` and an empty `resolv.conf`, which
/// `ip netns exec` mounts over `/etc`: names come from the file, never
/// from DNS. Removed on drop.
pub struct HostsFile {
    dir: PathBuf,
}

impl HostsFile {
    pub fn new(host: &testnet::Host, hosts: &str) -> HostsFile {
        sweep_stale_netns_etc();
        let dir = Path::new("/etc/netns").join(host.name());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hosts"), hosts).unwrap();
        std::fs::write(dir.join("nsswitch.conf"), "hosts: files\n").unwrap();
        std::fs::write(dir.join("resolv.conf"), "").unwrap();
        HostsFile { dir }
    }
}

impl Drop for HostsFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes `/etc/netns/ws2t-*` directories whose namespace is gone (left
/// by a test process that died).
fn sweep_stale_netns_etc() {
    let Ok(entries) = std::fs::read_dir("/etc/netns") else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(testnet::PREFIX) && !Path::new("/run/netns").join(&*name).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// `wsasend args...` inside `host` (`ip netns exec`).
pub fn in_host(host: &testnet::Host, args: &[&str]) -> Command {
    let mut argv = vec![BIN];
    argv.extend_from_slice(args);
    let mut c = host.command(&argv);
    c.stdin(Stdio::null());
    c
}

/// The packets a qdisc dropped (`tc -s qdisc show dev DEV`).
pub fn qdisc_drops(host: &testnet::Host, dev: &str) -> u64 {
    let out = host.tc(&["-s", "qdisc", "show", "dev", dev]).unwrap();
    let at = out.find("dropped ").unwrap_or_else(|| panic!("{out}")) + "dropped ".len();
    out[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}
