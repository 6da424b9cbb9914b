//! S42: a datagram that the local interface queue drops counts as sent, on
//! every send path, as it does for a plain Linux UDP socket (and for
//! Windows): Linux reports such drops (`ENOBUFS`) only to sockets with
//! `IP_RECVERR`, which ws2 sets for ICMP reporting (S19).
//!
//! Host A's end of the veth to B has a token bucket whose queue holds only
//! 3000 bytes: a burst of 1200-byte datagrams overflows it at once. Root is
//! required for the namespaces; a failure to build them fails the test.

use std::io::IoSlice;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::Duration;

use testnet::{Host, Net};
use ws2::{ControlMessage, Message, SendFlags, Socket};
use ws2_abi as abi;

const BURST: usize = 300;
const SIZE: usize = 1200;

/// Hosts A and B; A's side drops what its 3000-byte queue cannot hold.
struct DroppingLink {
    _net: Net,
    a: Host,
    a_ifname: String,
    rx: UdpSocket,
}

fn dropping_link() -> DroppingLink {
    let net = Net::new().expect("cannot set up network namespaces (root needed)");
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
        .run(|| UdpSocket::bind("10.0.0.2:0"))
        .expect("receiver in b");
    DroppingLink {
        _net: net,
        a,
        a_ifname: link.a_ifname,
        rx,
    }
}

impl DroppingLink {
    fn to(&self) -> SocketAddr {
        self.rx.local_addr().unwrap()
    }

    /// Datagrams A's queue has dropped so far (`tc -s qdisc`).
    fn drops(&self) -> u64 {
        let out = self
            .a
            .tc(&["-s", "qdisc", "show", "dev", &self.a_ifname])
            .expect("tc -s qdisc show");
        out.split("dropped ")
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no drop count in {out:?}"))
    }

    /// A plain Linux socket's burst: how many sends succeeded and how many
    /// failed with ENOBUFS (`IP_RECVERR` on or off).
    fn plain_burst(&self, recverr: bool) -> (usize, usize) {
        let to = self.to();
        self.a.run(|| {
            let s = UdpSocket::bind("0.0.0.0:0").unwrap();
            let on = recverr as libc::c_int;
            // SAFETY: a live int and its size for a socket we own.
            let r = unsafe {
                libc::setsockopt(
                    s.as_raw_fd(),
                    libc::IPPROTO_IP,
                    libc::IP_RECVERR,
                    (&raw const on).cast(),
                    4,
                )
            };
            assert_eq!(r, 0);
            let (mut sent, mut enobufs) = (0, 0);
            for _ in 0..BURST {
                match s.send_to(&[7; SIZE], to) {
                    Ok(_) => sent += 1,
                    Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => enobufs += 1,
                    Err(e) => panic!("plain send: {e}"),
                }
            }
            (sent, enobufs)
        })
    }
}

/// Counts a burst's results: sends that succeeded, and each error's name.
fn tally(results: impl IntoIterator<Item = ws2::Result<usize>>) -> (usize, Vec<String>) {
    let mut sent = 0;
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(n) if n == SIZE => sent += 1,
            Ok(n) => errors.push(format!("sent {n} bytes of {SIZE}")),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (sent, errors)
}

fn assert_all_sent(path: &str, (sent, errors): (usize, Vec<String>), plain: usize) {
    assert!(
        errors.is_empty(),
        "S42 {path}: {} of {BURST} sends failed, first: {}",
        errors.len(),
        errors[0]
    );
    assert_eq!(
        sent, plain,
        "S42 {path}: sent count differs from a plain socket's"
    );
}

// S42 S39: blocking, non-blocking, overlapped sends that complete at once,
// and segmented sends (UDP_SEND_MSG_SIZE) report the drops as sent, the
// same count as a plain socket without IP_RECVERR; ICMP reporting (S19)
// keeps IP_RECVERR on, which makes Linux report drops to a plain socket.
#[test]
fn s42_queue_drops_count_as_sent_on_every_immediate_path() {
    let link = dropping_link();
    let to = link.to();
    let (plain, plain_enobufs) = link.plain_burst(false);
    assert_eq!((plain, plain_enobufs), (BURST, 0), "a plain socket");
    let before = link.drops();
    let (_, recverr_enobufs) = link.plain_burst(true);
    assert!(
        recverr_enobufs > 0 && link.drops() > before,
        "the link must drop, and Linux report it to an IP_RECVERR socket"
    );

    let tx = link.a.run(Socket::udp_v4).unwrap();
    let blocking = tally((0..BURST).map(|_| tx.send_to(&[1; SIZE], to)));
    assert_all_sent("blocking", blocking, plain);

    tx.set_nonblocking(true);
    let nonblocking = tally((0..BURST).map(|_| tx.send_to(&[2; SIZE], to)));
    assert_all_sent("non-blocking", nonblocking, plain);
    tx.set_nonblocking(false);

    let overlapped = tally((0..BURST).map(|_| {
        let p = tx
            .send_overlapped(vec![3; SIZE], Some(to), &[])
            .map_err(|e| e.error)?;
        p.wait().result
    }));
    assert_all_sent("overlapped", overlapped, plain);

    // 20 segments of SIZE per call: each call counts its bytes as sent.
    let data = vec![4u8; SIZE * 20];
    let bufs = [IoSlice::new(&data)];
    let control = [ControlMessage::SegmentSize(SIZE as u32)];
    let msg = Message::new(&bufs).to(to).control(&control);
    let mut calls = 0;
    for _ in 0..BURST / 20 {
        match tx.send_msg(&msg, SendFlags::NONE) {
            Ok(n) => {
                assert_eq!(n, data.len(), "S42 segmented send");
                calls += 1;
            }
            Err(e) => panic!("S42 segmented send: {e}"),
        }
    }
    assert_eq!(calls, BURST / 20);
    assert!(
        link.drops() > before + BURST as u64,
        "the bursts overflowed the queue"
    );
}

// S42 S30 S38: sends queued behind a full send buffer and sent by the
// reactor's sendmmsg batches (merged into UDP GSO messages where they
// match) complete with their byte count when the interface queue drops
// them, each exactly once.
#[test]
fn s42_queue_drops_count_as_sent_on_the_reactor_path() {
    let link = dropping_link();
    let to = link.to();
    let tx = link.a.run(|| {
        let tx = Socket::udp_v4().unwrap();
        tx.set_send_buffer_size(4096).unwrap();
        tx
    });
    let before_drops = link.drops();
    let before = ws2_engine::io::reactor_stats();
    // Small datagrams fill the send buffer (their memory, not the queue's
    // 3000 bytes, runs out first), so what follows is queued in ws2.
    let mut pending = Vec::new();
    for _ in 0..400 {
        let p = tx
            .send_overlapped(vec![5; 64], Some(to), &[])
            .map_err(|e| e.error)
            .unwrap();
        let queued = !p.is_complete();
        pending.push((64, p));
        if queued {
            break;
        }
    }
    assert!(
        !pending.last().unwrap().1.is_complete(),
        "nothing pended: the send buffer never filled"
    );
    for _ in 0..BURST {
        let p = tx
            .send_overlapped(vec![6; SIZE], Some(to), &[])
            .map_err(|e| e.error)
            .unwrap();
        pending.push((SIZE, p));
    }
    let mut failed = Vec::new();
    for (len, p) in pending {
        let done = p
            .wait_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("a queued send never completed"));
        match done.result {
            Ok(n) if n == len => {}
            other => failed.push(format!("{len} bytes: {other:?}")),
        }
    }
    assert!(
        failed.is_empty(),
        "S42: {} queued sends failed, first: {}",
        failed.len(),
        failed[0]
    );
    let after = ws2_engine::io::reactor_stats();
    assert!(
        after.sendmmsg_calls > before.sendmmsg_calls,
        "the reactor sent nothing"
    );
    assert!(link.drops() > before_drops, "the queue dropped nothing");
    // Nor does a drop wait for the next receive as an error: it is no ICMP
    // message (S19 reports those).
    tx.set_nonblocking(true);
    let got = tx.recv_from(&mut [0u8; 16]).unwrap_err();
    assert_eq!(got.code(), abi::WSAEWOULDBLOCK, "{got}");
}
