//! URO (S44) between two test hosts joined by a veth, through the Rust API:
//! UDP GSO runs cross the link whole and arrive with their segment size,
//! source, destination and TOS, never merged. (Plain datagrams coalesce on
//! a veth only with NAPI GRO on the receiving end, and then as timing
//! allows: DESIGN, "Facts measured here"; the runs here are made by GSO so
//! that what arrives is known.) Root required; a namespace that cannot be
//! built fails the test.

use std::io::{IoSlice, IoSliceMut};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::Duration;

use testnet::{Host, Link, Net};
use ws2::{ControlMessage, Message, RecvInfo, SendFlags, Socket};
use ws2_abi as abi;

/// Hosts A (10.0.0.1) and B (10.0.0.2 and 10.0.0.3) joined by a veth whose
/// B end hands every packet to one CPU (no reordering by the link).
fn two_hosts() -> (Net, Host, Host, Link) {
    let net = Net::new().expect("cannot set up network namespaces (root needed)");
    let a = net.host("a").expect("host a");
    let b = net.host("b").expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("veth a-b");
    b.add_addr(&link.b_ifname, "10.0.0.3/24")
        .expect("second address on b");
    b.receive_on_one_cpu(&link.b_ifname).expect("rps on b");
    (net, a, b, link)
}

/// A ws2 receiver in `host` on 0.0.0.0:`port`, URO on, destination and
/// TOS reported, 2 s receive timeout.
fn receiver(host: &Host, port: u16) -> Socket {
    host.run(move || {
        let rx = Socket::udp_v4().unwrap();
        rx.bind(SocketAddr::from(([0, 0, 0, 0], port))).unwrap();
        rx.set_recv_info(RecvInfo::DESTINATION | RecvInfo::TOS | RecvInfo::COALESCED)
            .unwrap();
        rx.set_recv_timeout(Some(Duration::from_secs(2)));
        // Room for every datagram the tests send before reading (a plain
        // 1200-byte datagram takes about 2.3 KB of the queue).
        let size: libc::c_int = 4 << 20;
        // SAFETY: passes a live c_int and its size.
        let r = unsafe {
            libc::setsockopt(
                rx.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                (&raw const size).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(r, 0, "SO_RCVBUFFORCE: {}", std::io::Error::last_os_error());
        rx
    })
}

fn sender(host: &Host) -> Socket {
    host.run(|| {
        let tx = Socket::udp_v4().unwrap();
        tx.bind("10.0.0.1:0".parse().unwrap()).unwrap();
        tx
    })
}

/// `count` datagrams of `segment` bytes (and a `tail`-byte one if not 0),
/// each starting `[tag, index]` and filled with `index`.
fn run(tag: u8, segment: usize, count: usize, tail: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..count + usize::from(tail > 0) {
        let len = if i < count { segment } else { tail };
        let start = out.len();
        out.resize(start + len, i as u8);
        out[start] = tag;
    }
    out
}

fn send_gso(tx: &Socket, to: SocketAddr, payload: &[u8], segment: u32, tos: u8) {
    let bufs = [IoSlice::new(payload)];
    let controls = [
        ControlMessage::SegmentSize(segment),
        ControlMessage::Tos(tos),
    ];
    let sent = tx
        .send_msg(
            &Message::new(&bufs).to(to).control(&controls),
            SendFlags::NONE,
        )
        .unwrap();
    assert_eq!(sent, payload.len());
}

/// The `[tag, index]` of each datagram of `data` cut at `segment`, each
/// checked to be whole (filled with its index).
fn whole(data: &[u8], segment: usize) -> Vec<(u8, u8)> {
    data.chunks(segment)
        .map(|d| {
            assert!(d[2..].iter().all(|&b| b == d[1]), "{:?} is cut", &d[..2]);
            (d[0], d[1])
        })
        .collect()
}

// S44: runs sent with UDP GSO cross the veth whole; each arrives in one
// receive with its segment size and its own source, destination and TOS;
// runs never merge though they queue back to back; a smaller buffer takes
// whole datagrams and the rest of the run follows in order.
#[test]
fn s44_gso_runs_cross_a_veth_whole_and_never_merge() {
    let (_net, a, b, _link) = two_hosts();
    let rx = receiver(&b, 9440);
    let (tx1, tx2) = (sender(&a), sender(&a));
    let to2: SocketAddr = "10.0.0.2:9440".parse().unwrap();
    let to3: SocketAddr = "10.0.0.3:9440".parse().unwrap();
    send_gso(&tx1, to2, &run(1, 1200, 10, 500), 1200, 0);
    send_gso(&tx2, to2, &run(2, 1200, 5, 0), 1200, 0);
    send_gso(&tx1, to2, &run(3, 1000, 4, 0), 1000, 0x02);
    send_gso(&tx1, to3, &run(4, 1200, 3, 0), 1200, 0);
    send_gso(&tx1, to2, &run(5, 1200, 20, 0), 1200, 0);

    let mut buf = vec![0u8; 65536];
    let mut next = |len: usize| {
        let got = rx
            .recv_msg(&mut [IoSliceMut::new(&mut buf[..len])])
            .unwrap();
        (got, buf[..got.bytes].to_vec())
    };
    let expect = [
        (
            1u8,
            12_500,
            1200,
            tx1.local_addr().unwrap(),
            "10.0.0.2",
            0u8,
        ),
        (2, 6000, 1200, tx2.local_addr().unwrap(), "10.0.0.2", 0),
        (3, 4000, 1000, tx1.local_addr().unwrap(), "10.0.0.2", 2),
        (4, 3600, 1200, tx1.local_addr().unwrap(), "10.0.0.3", 0),
    ];
    for (tag, bytes, segment, from, dest, tos) in expect {
        let (got, data) = next(65536);
        assert_eq!(
            (got.bytes, got.segment_size),
            (bytes, Some(segment)),
            "run {tag}"
        );
        assert!(whole(&data, segment as usize).iter().all(|d| d.0 == tag));
        assert_eq!(got.from, Some(from), "run {tag}");
        let dest: IpAddr = dest.parse().unwrap();
        assert_eq!(
            got.controls.destination_v4.map(|d| IpAddr::V4(d.0)),
            Some(dest)
        );
        assert_eq!(got.controls.tos, Some(tos), "run {tag}");
        assert!(!got.truncated);
    }
    // 20 x 1200 into 5000-byte buffers: 4, 4, 4, 4, 4 datagrams, in order.
    let mut seen = Vec::new();
    for _ in 0..5 {
        let (got, data) = next(5000);
        assert_eq!((got.bytes, got.segment_size), (4800, Some(1200)));
        assert_eq!(got.from, Some(tx1.local_addr().unwrap()));
        seen.extend(whole(&data, 1200));
    }
    let expect: Vec<(u8, u8)> = (0..20).map(|i| (5, i)).collect();
    assert_eq!(seen, expect);
    rx.set_nonblocking(true);
    let err = rx.recv_msg(&mut [IoSliceMut::new(&mut buf)]).unwrap_err();
    assert_eq!(err.code(), abi::WSAEWOULDBLOCK);
}
