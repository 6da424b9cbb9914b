//! Tests of testnet against the real kernel: they need root and `ip`/`tc`,
//! and fail (never skip) when the hosts cannot be built.

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::{Duration, Instant};

use testnet::{Host, Net};

/// `Net::new` sweeps the namespaces of dead pids: the test that makes such
/// a namespace on purpose runs alone (write), the others beside each other
/// (read), or a sweep could take its namespace while `ip netns add` makes it.
static SWEEPS: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn ns_exists(name: &str) -> bool {
    Path::new("/run/netns").join(name).exists()
}

/// Sends one datagram from `from_addr` in `a` to `to` (a socket in `b`),
/// and checks that it arrives with source `from_addr`'s IP.
fn udp_roundtrip(a: &Host, b: &Host, from_ip: &str, to: &str) {
    let to: SocketAddr = to.parse().unwrap();
    let rx = b.run(|| UdpSocket::bind(to)).expect("bind in b");
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let from_ip: IpAddr = from_ip.parse().unwrap();
    let sent_from = a.run(|| {
        let tx = UdpSocket::bind(SocketAddr::new(from_ip, 0)).expect("bind in a");
        tx.send_to(b"hello", to).expect("send_to");
        tx.local_addr().unwrap()
    });
    let mut buf = [0u8; 64];
    let (n, src) = rx.recv_from(&mut buf).expect("datagram did not arrive");
    assert_eq!(&buf[..n], b"hello");
    assert_eq!(src, sent_from);
    assert_eq!(src.ip(), from_ip);
}

#[test]
fn udp_over_veth_v4_and_v6() {
    let _beside = SWEEPS.read().unwrap_or_else(|e| e.into_inner());
    let net = Net::new().unwrap();
    let a = net.host("a").unwrap();
    let b = net.host("b").unwrap();
    let l = net.link(&a, "10.0.0.1/24", &b, "10.0.0.2/24").unwrap();
    assert_eq!(l.a_ifname, "veth0");
    assert_eq!(l.b_ifname, "veth0");
    assert!(l.a_ifindex > 1 && l.b_ifindex > 1);
    a.add_addr(&l.a_ifname, "fd00::1/64").unwrap();
    b.add_addr(&l.b_ifname, "fd00::2/64").unwrap();
    udp_roundtrip(&a, &b, "10.0.0.1", "10.0.0.2:5000");
    udp_roundtrip(&a, &b, "fd00::1", "[fd00::2]:5000");
    // Multi-homed: a second source address on the same link.
    a.add_addr(&l.a_ifname, "10.0.0.11/24").unwrap();
    udp_roundtrip(&a, &b, "10.0.0.11", "10.0.0.2:5001");
    // The socket really is in b's namespace: the main namespace has no 10.0.0.2.
    assert!(UdpSocket::bind("10.0.0.2:0").is_err());
}

#[test]
fn routed_through_a_forwarding_host() {
    let _beside = SWEEPS.read().unwrap_or_else(|e| e.into_inner());
    let net = Net::new().unwrap();
    let a = net.host("a").unwrap();
    let r = net.host("r").unwrap();
    let b = net.host("b").unwrap();
    net.link(&a, "10.1.1.1/24", &r, "10.1.1.2/24").unwrap();
    let rb = net.link(&r, "10.1.2.1/24", &b, "10.1.2.2/24").unwrap();
    assert_eq!(rb.a_ifname, "veth1");
    assert_eq!(rb.a_ifindex, r.ifindex("veth1").unwrap());
    r.sysctl("net.ipv4.ip_forward", "1").unwrap();
    let fwd = r.run(|| std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap());
    assert_eq!(fwd.trim(), "1");
    a.route("10.1.2.0/24 via 10.1.1.2").unwrap();
    b.route("10.1.1.0/24 via 10.1.2.1").unwrap();
    udp_roundtrip(&a, &b, "10.1.1.1", "10.1.2.2:6000");
}

#[test]
fn exec_runs_inside_the_namespace() {
    let _beside = SWEEPS.read().unwrap_or_else(|e| e.into_inner());
    let net = Net::new().unwrap();
    let a = net.host("a").unwrap();
    let b = net.host("b").unwrap();
    net.link(&a, "10.2.0.1/24", &b, "10.2.0.2/24").unwrap();
    let out = a.exec(&["ip", "-o", "addr", "show"]).unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("10.2.0.1/24"), "{text}");
    assert!(!text.contains("10.2.0.2/24"), "{text}");
    let fail = a.exec(&["false"]).unwrap();
    assert!(!fail.status.success());
}

#[test]
fn rate_limited_link_fills_the_send_buffer() {
    let _beside = SWEEPS.read().unwrap_or_else(|e| e.into_inner());
    let net = Net::new().unwrap();
    let a = net.host("a").unwrap();
    let b = net.host("b").unwrap();
    let l = net.link(&a, "10.3.0.1/24", &b, "10.3.0.2/24").unwrap();
    a.rate_limit(&l.a_ifname, "8kbit").unwrap();
    let qdisc = a.tc(&["qdisc", "show", "dev", &l.a_ifname]).unwrap();
    assert!(qdisc.contains("tbf"), "{qdisc}");
    let _rx = b.run(|| UdpSocket::bind("10.3.0.2:7000")).unwrap();
    let (sent, err) = a.run(|| {
        let s = UdpSocket::bind("10.3.0.1:0").unwrap();
        s.set_nonblocking(true).unwrap();
        let size: libc::c_int = 4096;
        // SAFETY: `s` is an open socket; the option value points to a live
        // c_int whose exact size is passed as the length.
        let rc = unsafe {
            libc::setsockopt(
                s.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_SNDBUF,
                (&raw const size).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
        let deadline = Instant::now() + Duration::from_secs(5);
        let payload = [0u8; 1000];
        let mut sent = 0u32;
        while sent < 100_000 && Instant::now() < deadline {
            match s.send_to(&payload, "10.3.0.2:7000") {
                Ok(_) => sent += 1,
                Err(e) => return (sent, Some(e)),
            }
        }
        (sent, None)
    });
    let err = err.unwrap_or_else(|| panic!("no EAGAIN after {sent} sends"));
    assert_eq!(err.kind(), ErrorKind::WouldBlock, "{err}");
    assert!(sent < 1000, "took {sent} sends to fill the buffer");
}

#[test]
fn run_propagates_panics() {
    let _beside = SWEEPS.read().unwrap_or_else(|e| e.into_inner());
    let net = Net::new().unwrap();
    let a = net.host("a").unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        a.run(|| panic!("boom"));
    }));
    let payload = r.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    // spawn: result comes back through join.
    let h = a.spawn(|| 7);
    assert_eq!(h.join().unwrap(), 7);
}

#[test]
fn setup_failure_is_an_error_with_command_and_stderr() {
    let _beside = SWEEPS.read().unwrap_or_else(|e| e.into_inner());
    let net = Net::new().unwrap();
    let a = net.host("a").unwrap();
    let e = a.add_addr("nosuchdev", "10.4.0.1/24").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("addr add 10.4.0.1/24 dev nosuchdev"), "{msg}");
    assert!(msg.contains("stderr:"), "{msg}");
    assert!(a.route("garbage route spec").is_err());
    assert!(a.sysctl("net.nosuch.key", "1").is_err());
}

#[test]
fn namespaces_are_gone_after_drop() {
    let _beside = SWEEPS.read().unwrap_or_else(|e| e.into_inner());
    let net = Net::new().unwrap();
    let a = net.host("a").unwrap();
    let b = net.host("b").unwrap();
    net.link(&a, "10.5.0.1/24", &b, "10.5.0.2/24").unwrap();
    let names = [a.name().to_string(), b.name().to_string()];
    let prefix = format!("ws2t-{}-", std::process::id());
    for n in &names {
        assert!(n.starts_with(&prefix), "{n}");
        assert!(ns_exists(n), "{n}");
    }
    assert_ne!(names[0], names[1]);
    // A host handle keeps its namespace alive past the Net.
    drop(net);
    assert!(ns_exists(&names[0]) && ns_exists(&names[1]));
    drop(a);
    assert!(!ns_exists(&names[0]));
    drop(b);
    assert!(!ns_exists(&names[1]));
    let list = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    for n in &names {
        assert!(!list.contains(n.as_str()), "{list}");
    }
}

#[test]
fn stale_namespace_of_dead_pid_is_swept() {
    let _alone = SWEEPS.write().unwrap_or_else(|e| e.into_inner());
    // A pid that is certainly dead: a child we started and reaped.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    assert!(!Path::new("/proc").join(dead.to_string()).exists());
    let stale = format!("ws2t-{dead}-0-stale");
    let out = std::process::Command::new("ip")
        .args(["netns", "add", &stale])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // One of ours (live pid) must survive the sweep.
    let net = Net::new().unwrap();
    let live = net.host("live").unwrap();
    let _ = testnet::sweep_stale().unwrap();
    assert!(!ns_exists(&stale), "stale namespace {stale} survived");
    assert!(ns_exists(live.name()));
    // Names without our prefix/pid shape are never touched.
    let foreign = format!("ws2tx-{dead}-0");
    std::process::Command::new("ip")
        .args(["netns", "add", &foreign])
        .output()
        .unwrap();
    testnet::sweep_stale().unwrap();
    assert!(ns_exists(&foreign));
    std::process::Command::new("ip")
        .args(["netns", "del", &foreign])
        .output()
        .unwrap();
}

#[test]
fn resolver_files_answer_from_the_hosts_file_only() {
    let _beside = SWEEPS.read().unwrap_or_else(|e| e.into_inner());
    let net = Net::new().expect("net");
    let h = net.host("names").expect("host");
    h.resolver_files("127.0.0.1 localhost\n10.7.7.7 seven.test\n")
        .expect("resolver files");
    let etc = std::path::Path::new("/etc/netns").join(h.name());
    assert!(etc.join("hosts").exists());
    let found = h.exec(&["getent", "hosts", "seven.test"]).expect("getent");
    assert!(String::from_utf8_lossy(&found.stdout).contains("10.7.7.7"));
    let start = std::time::Instant::now();
    let missing = h
        .exec(&["getent", "hosts", "not-there.test"])
        .expect("getent");
    assert!(
        !missing.status.success(),
        "an unknown name must not resolve"
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "no DNS wait"
    );
    drop(h);
    drop(net);
    assert!(!etc.exists(), "{} outlived its namespace", etc.display());
}
