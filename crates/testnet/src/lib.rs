//! Real test hosts for ws2's tests, built from Linux network namespaces.
//!
//! A [`Net`] creates namespaces (one per [`Host`]) with `ip netns add`, links
//! them with veth pairs, gives them addresses, routes, sysctls and
//! rate-limited qdiscs, and removes every namespace when the last handle to
//! it is dropped. Namespaces are named `ws2t-<pid>-<n>-<label>` (pid of the
//! test process, `n` a process-wide counter), so parallel tests in one
//! process and concurrent test processes never collide; stale namespaces
//! left by dead processes are swept by [`Net::new`].
//!
//! Code runs inside a host with [`Host::run`] (a closure on a fresh thread
//! that entered the namespace with `setns`) or [`Host::exec`] (a program
//! under `ip netns exec`). A socket created inside `run` stays in that
//! namespace for its whole life, so it can be returned from the closure and
//! used from the test's own thread:
//!
//! ```no_run
//! # fn main() -> Result<(), testnet::Error> {
//! let net = testnet::Net::new()?;
//! let a = net.host("a")?;
//! let b = net.host("b")?;
//! net.link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")?;
//! let rx = b.run(|| std::net::UdpSocket::bind("10.0.0.2:5000")).unwrap();
//! a.run(|| {
//!     let tx = std::net::UdpSocket::bind("10.0.0.1:0").unwrap();
//!     tx.send_to(b"hi", "10.0.0.2:5000").unwrap();
//! });
//! let mut buf = [0u8; 16];
//! let (n, from) = rx.recv_from(&mut buf).unwrap();
//! # let _ = (n, from);
//! # Ok(()) }
//! ```
//!
//! Setup failures are errors carrying the command and its stderr: a test
//! that cannot build its hosts fails loudly, it never skips.
#![deny(unsafe_op_in_unsafe_fn)]

mod capture;
mod topology;

pub use capture::{Capture, Captured};
pub use topology::TwoLinks;

use std::fmt;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Prefix of every namespace this crate creates.
pub const PREFIX: &str = "ws2t-";

/// Directory where `ip netns` keeps its namespace handles.
const NETNS_DIR: &str = "/run/netns";

/// Directory whose `<name>/<file>` `ip netns exec <name>` mounts over
/// `/etc/<file>` for the program it runs.
const NETNS_ETC_DIR: &str = "/etc/netns";

/// Removes a namespace's `/etc/netns/<name>` files, if it has any.
fn remove_etc(name: &str) {
    let dir = Path::new(NETNS_ETC_DIR).join(name);
    if dir.exists()
        && let Err(e) = std::fs::remove_dir_all(&dir)
    {
        eprintln!("testnet: cannot remove {}: {e}", dir.display());
    }
}

/// Process-wide counter for namespace names.
static NEXT_NS: AtomicU32 = AtomicU32::new(0);

/// A setup failure: which command (or step) failed, and why.
#[derive(Debug, Clone)]
pub struct Error {
    /// The command line (or step) that failed.
    pub command: String,
    /// Its stderr, exit status or OS error.
    pub detail: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "testnet: `{}` failed: {}", self.command, self.detail)
    }
}

impl std::error::Error for Error {}

/// Result of the setup operations of this crate.
pub type Result<T> = std::result::Result<T, Error>;

fn describe(prog: &str, args: &[&str]) -> String {
    let mut s = prog.to_string();
    for a in args {
        s.push(' ');
        s.push_str(a);
    }
    s
}

/// Runs `prog args`, returning its output, or an error (with the command
/// line and stderr) if it cannot start or exits unsuccessfully.
fn checked(prog: &str, args: &[&str]) -> Result<Output> {
    let out = Command::new(prog).args(args).output().map_err(|e| Error {
        command: describe(prog, args),
        detail: format!("cannot start: {e}"),
    })?;
    if !out.status.success() {
        return Err(Error {
            command: describe(prog, args),
            detail: format!(
                "{}; stderr: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    Ok(out)
}

fn ns_exists(name: &str) -> bool {
    Path::new(NETNS_DIR).join(name).exists()
}

/// The pid encoded in a namespace name `ws2t-<pid>-...`, if it is one of ours.
fn owner_pid(name: &str) -> Option<u32> {
    name.strip_prefix(PREFIX)?.split('-').next()?.parse().ok()
}

fn pid_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Deletes every namespace named `ws2t-<pid>-...` whose `pid` is no longer a
/// live process, and returns the names it removed.
///
/// [`Net::new`] calls this; tests may call it directly. A namespace that
/// vanishes meanwhile (another process swept it) is not an error.
pub fn sweep_stale() -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(NETNS_DIR) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error {
                command: format!("read_dir {NETNS_DIR}"),
                detail: e.to_string(),
            });
        }
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Some(pid) = owner_pid(&name) else {
            continue;
        };
        if pid_alive(pid) {
            continue;
        }
        match checked("ip", &["netns", "del", &name]) {
            Ok(_) => {
                remove_etc(&name);
                removed.push(name);
            }
            Err(_) if !ns_exists(&name) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// Enters the network namespace `name` on the calling thread.
fn enter_netns(name: &str) -> Result<()> {
    let path = Path::new(NETNS_DIR).join(name);
    let file = File::open(&path).map_err(|e| Error {
        command: format!("open {}", path.display()),
        detail: e.to_string(),
    })?;
    // SAFETY: `file` is an open descriptor for the namespace file and stays
    // open for the duration of the call; setns only changes this thread's
    // network namespace and touches no memory of ours.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc != 0 {
        return Err(Error {
            command: format!("setns({}, CLONE_NEWNET)", path.display()),
            detail: std::io::Error::last_os_error().to_string(),
        });
    }
    Ok(())
}

/// Owner of a set of test hosts. Creating one sweeps stale namespaces;
/// dropping it (and every [`Host`] handle) removes the namespaces it made.
pub struct Net {
    hosts: Mutex<Vec<Host>>,
}

impl Net {
    /// Sweeps stale `ws2t-` namespaces of dead processes and returns an
    /// empty network.
    pub fn new() -> Result<Net> {
        sweep_stale()?;
        Ok(Net {
            hosts: Mutex::new(Vec::new()),
        })
    }

    /// Creates a new host: a fresh namespace `ws2t-<pid>-<n>-<label>` with
    /// `lo` up. `label` is for humans (ASCII alphanumerics are kept).
    pub fn host(&self, label: &str) -> Result<Host> {
        let n = NEXT_NS.fetch_add(1, Ordering::Relaxed);
        let clean: String = label
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
        let name = format!("{PREFIX}{}-{n}-{clean}", std::process::id());
        checked("ip", &["netns", "add", &name])?;
        let host = Host {
            inner: Arc::new(HostInner {
                name,
                label: label.to_string(),
                next_veth: AtomicU32::new(0),
            }),
        };
        // From here on the namespace is removed if anything fails.
        host.ip(&["link", "set", "lo", "up"])?;
        self.hosts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(host.clone());
        Ok(host)
    }

    /// Joins `a` and `b` with a new veth pair (named `veth<k>` in each host,
    /// `k` counting that host's links), gives each end its address
    /// (`addr/prefix`, IPv4 or IPv6; IPv6 with `nodad`) and sets both up.
    pub fn link(&self, a: &Host, a_addr: &str, b: &Host, b_addr: &str) -> Result<Link> {
        let link = self.link_bare(a, b)?;
        a.add_addr(&link.a_ifname, a_addr)?;
        b.add_addr(&link.b_ifname, b_addr)?;
        // Permanent neighbour entries: the first datagrams to a neighbour
        // that is still being resolved wait in its queue and may leave
        // after later ones sent once it is resolved (kernel behaviour that
        // would make order tests flaky, and that Windows' tests never see
        // on a warm link).
        let ip_of = |cidr: &str| cidr.split('/').next().unwrap_or(cidr).to_string();
        let (a_mac, b_mac) = (a.mac(&link.a_ifname)?, b.mac(&link.b_ifname)?);
        a.pin_neighbour(&link.a_ifname, &ip_of(b_addr), &b_mac)?;
        b.pin_neighbour(&link.b_ifname, &ip_of(a_addr), &a_mac)?;
        Ok(link)
    }

    /// Joins `a` and `b` with a new veth pair, both ends up, no addresses.
    pub fn link_bare(&self, a: &Host, b: &Host) -> Result<Link> {
        let a_ifname = a.next_ifname();
        let b_ifname = b.next_ifname();
        checked(
            "ip",
            &[
                "link",
                "add",
                "name",
                &a_ifname,
                "netns",
                a.name(),
                "type",
                "veth",
                "peer",
                "name",
                &b_ifname,
                "netns",
                b.name(),
            ],
        )?;
        a.ip(&["link", "set", &a_ifname, "up"])?;
        b.ip(&["link", "set", &b_ifname, "up"])?;
        Ok(Link {
            a_ifindex: a.ifindex(&a_ifname)?,
            b_ifindex: b.ifindex(&b_ifname)?,
            a_ifname,
            b_ifname,
        })
    }
}

/// The two ends of a veth pair made by [`Net::link`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Interface name of the end in host `a`.
    pub a_ifname: String,
    /// Interface name of the end in host `b`.
    pub b_ifname: String,
    /// Interface index of the end in host `a` (inside `a`'s namespace).
    pub a_ifindex: u32,
    /// Interface index of the end in host `b` (inside `b`'s namespace).
    pub b_ifindex: u32,
}

struct HostInner {
    name: String,
    label: String,
    next_veth: AtomicU32,
}

impl Drop for HostInner {
    fn drop(&mut self) {
        // The veths inside go with the namespace.
        if let Err(e) = checked("ip", &["netns", "del", &self.name]) {
            eprintln!("{e}");
        }
        remove_etc(&self.name);
    }
}

/// A test host: one network namespace. Cheap to clone; the namespace is
/// removed when the last clone and its [`Net`] are dropped.
#[derive(Clone)]
pub struct Host {
    inner: Arc<HostInner>,
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Host")
            .field("name", &self.inner.name)
            .finish()
    }
}

impl Host {
    /// The namespace name (`ws2t-<pid>-<n>-<label>`), as `ip netns` knows it.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The label given to [`Net::host`].
    pub fn label(&self) -> &str {
        &self.inner.label
    }

    fn next_ifname(&self) -> String {
        format!(
            "veth{}",
            self.inner.next_veth.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Runs `ip -n <name> args...` and returns its stdout.
    pub fn ip(&self, args: &[&str]) -> Result<String> {
        let mut full = vec!["-n", self.name()];
        full.extend_from_slice(args);
        let out = checked("ip", &full)?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs `tc -n <name> args...` and returns its stdout.
    pub fn tc(&self, args: &[&str]) -> Result<String> {
        let mut full = vec!["-n", self.name()];
        full.extend_from_slice(args);
        let out = checked("tc", &full)?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Adds `addr/prefix` to `dev` (IPv6 addresses get `nodad`, so they are
    /// usable at once).
    pub fn add_addr(&self, dev: &str, cidr: &str) -> Result<()> {
        let mut args = vec!["addr", "add", cidr, "dev", dev];
        if cidr.contains(':') {
            args.push("nodad");
        }
        self.ip(&args).map(drop)
    }

    /// `ip route add <spec>`, e.g. `"10.9.0.0/16 via 10.0.0.2"` or
    /// `"default dev veth0"`.
    pub fn route(&self, spec: &str) -> Result<()> {
        let mut args = vec!["route", "add"];
        args.extend(spec.split_whitespace());
        self.ip(&args).map(drop)
    }

    /// Puts a token-bucket qdisc on `dev`:
    /// `tc qdisc add dev <dev> root tbf rate <rate> burst 1600 limit 200000`.
    pub fn rate_limit(&self, dev: &str, rate: &str) -> Result<()> {
        self.tc(&[
            "qdisc", "add", "dev", dev, "root", "tbf", "rate", rate, "burst", "1600", "limit",
            "200000",
        ])
        .map(drop)
    }

    /// The link-layer address of `dev` (`aa:bb:...`).
    pub fn mac(&self, dev: &str) -> Result<String> {
        // sysfs shows a namespace's devices only where it is mounted in
        // that namespace, as `ip netns exec` does.
        let path = format!("/sys/class/net/{dev}/address");
        let out = self.exec(&["cat", &path])?;
        let mac = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() && !mac.is_empty() {
            Ok(mac)
        } else {
            Err(Error {
                command: format!("cat {path} (in {})", self.name()),
                detail: String::from_utf8_lossy(&out.stderr).into_owned(),
            })
        }
    }

    /// A permanent neighbour entry: `ip` is at `mac` on `dev`, never
    /// resolved (ARP / neighbour discovery) again.
    pub fn pin_neighbour(&self, dev: &str, ip: &str, mac: &str) -> Result<()> {
        self.ip(&[
            "neigh",
            "replace",
            ip,
            "lladdr",
            mac,
            "dev",
            dev,
            "nud",
            "permanent",
        ])
        .map(drop)
    }

    /// Steers every packet `dev` receives to CPU 0's backlog (RPS). Without
    /// it, veth hands each packet to the backlog of whichever CPU sent it
    /// (or ran the qdisc), so packets sent in order from two CPUs may be
    /// received reordered: kernel behaviour, independent of the sender.
    /// Tests of send order use it on the receiving side.
    pub fn receive_on_one_cpu(&self, dev: &str) -> Result<()> {
        // sysfs shows a namespace's devices only where it is mounted in
        // that namespace, as `ip netns exec` does.
        let path = format!("/sys/class/net/{dev}/queues/rx-0/rps_cpus");
        let out = self.exec(&["sh", "-c", &format!("echo 1 > {path}")])?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error {
                command: format!("echo 1 > {path} (in {})", self.name()),
                detail: String::from_utf8_lossy(&out.stderr).into_owned(),
            })
        }
    }

    /// Sets a sysctl inside the namespace, e.g. `("net.ipv4.ip_forward", "1")`.
    /// A key with a `/` is taken as a path under `/proc/sys/` as is.
    pub fn sysctl(&self, key: &str, value: &str) -> Result<()> {
        let rel = if key.contains('/') {
            key.to_string()
        } else {
            key.replace('.', "/")
        };
        let path = format!("/proc/sys/{rel}");
        let value = value.to_string();
        let p = path.clone();
        self.try_run(move || std::fs::write(&p, value))?
            .map_err(|e| Error {
                command: format!("write {path} (in {})", self.name()),
                detail: e.to_string(),
            })
    }

    /// Interface index of `dev` inside this host.
    pub fn ifindex(&self, dev: &str) -> Result<u32> {
        let out = self.ip(&["-o", "link", "show", "dev", dev])?;
        out.split(':')
            .next()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| Error {
                command: format!("ip -n {} -o link show dev {dev}", self.name()),
                detail: format!("unexpected output: {out:?}"),
            })
    }

    /// Runs `f` on a fresh thread that entered this namespace, and returns its
    /// result. Sockets created inside live in this namespace (also after
    /// being returned). A panic in `f` is propagated; failing to enter the
    /// namespace panics with the reason.
    pub fn run<F, R>(&self, f: F) -> R
    where
        F: FnOnce() -> R + Send,
        R: Send,
    {
        match self.try_run(f) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`Host::run`], but failing to enter the namespace is an error.
    /// A panic in `f` is still propagated.
    pub fn try_run<F, R>(&self, f: F) -> Result<R>
    where
        F: FnOnce() -> R + Send,
        R: Send,
    {
        let name = self.name();
        std::thread::scope(|s| {
            let handle = std::thread::Builder::new()
                .name(format!("netns {name}"))
                .spawn_scoped(s, move || enter_netns(name).map(|()| f()))
                .map_err(|e| Error {
                    command: format!("spawn thread for {name}"),
                    detail: e.to_string(),
                })?;
            match handle.join() {
                Ok(r) => r,
                Err(payload) => std::panic::resume_unwind(payload),
            }
        })
    }

    /// Starts `f` on a new thread inside this namespace and returns its
    /// handle (for servers that run alongside the test). If the thread
    /// cannot enter the namespace it panics, which `join` reports.
    pub fn spawn<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let name = self.name().to_string();
        std::thread::Builder::new()
            .name(format!("netns {name}"))
            .spawn(move || {
                if let Err(e) = enter_netns(&name) {
                    panic!("{e}");
                }
                f()
            })
            .expect("testnet: cannot spawn thread")
    }

    /// Gives programs run in this host ([`Host::command`], [`Host::exec`])
    /// their own name-resolution files: `hosts` as `/etc/hosts`, an
    /// `nsswitch.conf` that consults files only (hosts, services,
    /// protocols) and an empty `resolv.conf`, so a lookup never leaves the
    /// machine and an unknown name fails at once instead of waiting for
    /// DNS. `ip netns exec` mounts them (from `/etc/netns/<name>/`) over
    /// `/etc` for the program it starts; threads of [`Host::run`] do not see
    /// them. They are removed with the namespace.
    pub fn resolver_files(&self, hosts: &str) -> Result<()> {
        let dir = Path::new(NETNS_ETC_DIR).join(self.name());
        let files = [
            ("hosts", hosts),
            (
                "nsswitch.conf",
                "hosts: files\nservices: files\nprotocols: files\n",
            ),
            ("resolv.conf", ""),
        ];
        std::fs::create_dir_all(&dir)
            .and_then(|()| {
                files
                    .iter()
                    .try_for_each(|(file, text)| std::fs::write(dir.join(file), text))
            })
            .map_err(|e| Error {
                command: format!(
                    "write {}/{{hosts,nsswitch.conf,resolv.conf}}",
                    dir.display()
                ),
                detail: e.to_string(),
            })
    }

    /// A [`Command`] running `argv[0] argv[1..]` inside this namespace via
    /// `ip netns exec`, for callers that want to set env, stdin, etc.
    pub fn command(&self, argv: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", self.name()]).args(argv);
        c
    }

    /// Runs `argv` inside this namespace (`ip netns exec <name> argv...`) and
    /// returns its output, whatever its exit status. Fails only if it cannot
    /// be started.
    pub fn exec(&self, argv: &[&str]) -> Result<Output> {
        self.command(argv).output().map_err(|e| Error {
            command: format!("ip netns exec {} {}", self.name(), argv.join(" ")),
            detail: format!("cannot start: {e}"),
        })
    }
}
