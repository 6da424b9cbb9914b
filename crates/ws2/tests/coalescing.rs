//! The reactor merges queued same-shape datagrams into UDP GSO sends; the
//! wire must still carry the caller's datagrams, in call order (S34), each
//! operation completing once with its own byte count (S38). When the kernel
//! refuses a merged message (here: segments larger than the link MTU), the
//! drain falls back to one datagram per message and nothing is lost.

use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use testnet::Net;
use ws2::{PendingSend, Socket};

fn payload(seq: u32, len: usize) -> Vec<u8> {
    let mut p = vec![(seq % 251) as u8; len];
    p[..4].copy_from_slice(&seq.to_be_bytes());
    p
}

/// Sends `count` datagrams of `len` bytes (every 7th shorter, to mix
/// shapes) overlapped over a slow link from A to B with MTU `mtu`, and
/// checks what B receives.
fn send_over_slow_link(mtu: &str, len: usize, count: u32) {
    let net = Net::new().expect("test hosts");
    let a = net.host("a").expect("host a");
    let b = net.host("b").expect("host b");
    let link = net
        .link(&a, "10.61.0.1/24", &b, "10.61.0.2/24")
        .expect("veth link");
    for (host, dev) in [(&a, &link.a_ifname), (&b, &link.b_ifname)] {
        host.ip(&["link", "set", dev, "mtu", mtu]).expect("mtu");
    }
    a.rate_limit(&link.a_ifname, "20mbit").expect("rate limit");
    // The qdisc hands packets to veth on whichever CPU dequeues them, and
    // veth queues each on that CPU's backlog: one receiving CPU keeps the
    // wire order, so a reordering below is ws2's, not the kernel's.
    b.receive_on_one_cpu(&link.b_ifname)
        .expect("receive on one CPU");
    let rx: UdpSocket = b
        .run(|| UdpSocket::bind("10.61.0.2:7000"))
        .expect("receiver");
    let big: libc::c_int = 16 << 20;
    // SAFETY: setsockopt with a pointer to a live c_int.
    unsafe {
        libc::setsockopt(
            rx.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            (&raw const big).cast(),
            4,
        )
    };
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let tx = a.run(Socket::udp_v4).expect("sender");
    tx.set_send_buffer_size(16384).unwrap();
    let to: SocketAddr = "10.61.0.2:7000".parse().unwrap();
    // Resolve the neighbour first, so no datagram waits on ARP.
    tx.send_to(b"warm-up", to).unwrap();
    let mut buf = [0u8; 65536];
    assert_eq!(rx.recv(&mut buf).unwrap(), 7);

    let sizes: Vec<usize> = (0..count)
        .map(|i| if i % 7 == 6 { len / 2 } else { len })
        .collect();
    let mut pending: Vec<PendingSend<Vec<u8>>> = Vec::new();
    for (seq, &size) in sizes.iter().enumerate() {
        pending.push(
            tx.send_overlapped(payload(seq as u32, size), Some(to), &[])
                .map_err(ws2::Error::from)
                .expect("overlapped send"),
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    for (seq, p) in pending.into_iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        let done = p
            .wait_timeout(left)
            .unwrap_or_else(|_| panic!("send {seq} never completed"));
        // S38: each operation completes with its own byte count.
        assert_eq!(done.result.expect("send result"), sizes[seq], "send {seq}");
    }
    // S34: the receiver sees every datagram, whole, in call order. On a
    // mismatch, the counters of both hosts say where a datagram went.
    let counters = || {
        let show = |host: &testnet::Host, argv: &[&str]| {
            host.exec(argv)
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_else(|e| e.to_string())
        };
        format!(
            "sender qdisc:\n{}\nreceiver links:\n{}\nreceiver snmp:\n{}\nreactor: {:?}",
            show(&a, &["tc", "-s", "qdisc"]),
            show(&b, &["ip", "-s", "-s", "link"]),
            show(&b, &["cat", "/proc/net/snmp"]),
            ws2_engine::io::reactor_stats(),
        )
    };
    for (seq, &size) in sizes.iter().enumerate() {
        let n = rx
            .recv(&mut buf)
            .unwrap_or_else(|e| panic!("datagram {seq}: {e}\n{}", counters()));
        if buf[..n] != payload(seq as u32, size)[..] {
            let got = u32::from_be_bytes(buf[..4].try_into().unwrap());
            panic!(
                "datagram {seq}: got datagram {got} ({n} bytes) instead\n{}",
                counters()
            );
        }
    }
    let stats = ws2_engine::io::reactor_stats();
    assert!(stats.datagrams > 0, "the sends must have pended: {stats:?}");
}

#[test]
fn merged_datagrams_arrive_whole_and_in_order() {
    // S34, S38: GSO merging on a link whose MTU fits the segments.
    send_over_slow_link("1500", 1200, 400);
}

#[test]
fn refused_merges_fall_back_to_one_datagram_per_message() {
    // S34, S38: segments larger than the MTU make the kernel refuse merged
    // messages; the fallback still delivers every datagram (fragmented).
    send_over_slow_link("1000", 1200, 300);
}
