//! URO on Linux UDP GRO (S44), on loopback: the option, coalesced runs and
//! their segment size, the cut to fit the buffers and the option, the
//! residue (order, readiness, peeking, closing), runs that never merge.
//! Runs are made with UDP GSO sends, which reach a GRO socket whole on
//! loopback (DESIGN.md, "Facts measured here").

mod recv_common;

use std::net::SocketAddr;

use recv_common::*;
use ws2_abi as abi;
use ws2_engine::translate::{Family, sock_opt};
use ws2_engine::{SocketCore, SocketKind, handles, io, raw};

// S44: 0 by default (MsQuic takes a successful read as "supported"), reads
// back what was set, UDP sockets only.
#[test]
fn s44_the_option_reads_zero_by_default_and_back_what_was_set() {
    for addr in ["127.0.0.1:0", "[::1]:0"] {
        let core = bound(addr);
        let opt = sock_opt(abi::IPPROTO_UDP, abi::UDP_RECV_MAX_COALESCED_SIZE).unwrap();
        assert_eq!(core.option(opt).unwrap(), 0);
        core.set_option(opt, 65527).unwrap();
        assert_eq!(core.option(opt).unwrap(), 65527);
        core.set_option(opt, 0).unwrap();
        assert_eq!(core.option(opt).unwrap(), 0);
    }
    let tcp = SocketCore::new(Family::V4, SocketKind::Stream, 0, true).unwrap();
    assert_eq!(
        tcp.set_recv_max_coalesced(65527).unwrap_err().code(),
        abi::WSAENOPROTOOPT
    );
    assert_eq!(
        tcp.recv_max_coalesced().unwrap_err().code(),
        abi::WSAENOPROTOOPT
    );
    // A DWORD option: a shorter optval is WSAEFAULT and changes nothing.
    let udp = bound("127.0.0.1:0");
    let s = handles::insert(handles::Object::Socket(udp.clone())).unwrap();
    let value = 65527u32;
    // SAFETY: `value` is readable for 4 bytes.
    let err = unsafe {
        raw::setsockopt(
            s,
            abi::IPPROTO_UDP,
            abi::UDP_RECV_MAX_COALESCED_SIZE,
            (&raw const value).cast(),
            2,
        )
    }
    .unwrap_err();
    assert_eq!(err.code(), abi::WSAEFAULT, "{err}");
    assert_eq!(udp.recv_max_coalesced().unwrap(), 0);
    // Through the option table: a TCP socket does not have it.
    let t = handles::insert(handles::Object::Socket(std::sync::Arc::new(tcp))).unwrap();
    let (mut got, mut len) = (0u32, 4i32);
    // SAFETY: `got` is writable for `len` bytes.
    let err = unsafe {
        raw::getsockopt(
            t,
            abi::IPPROTO_UDP,
            abi::UDP_RECV_MAX_COALESCED_SIZE,
            (&raw mut got).cast(),
            &mut len,
        )
    }
    .unwrap_err();
    assert_eq!(err.code(), abi::WSAENOPROTOOPT, "{err}");
    handles::remove(s);
    handles::remove(t);
}

/// A socket with URO on (option 65527, as MsQuic sets it) and every
/// receive control on, and a sender on the same loopback address.
fn uro(addr: &str) -> (std::sync::Arc<SocketCore>, std::net::UdpSocket, SocketAddr) {
    let core = bound(addr);
    core.set_recv_max_coalesced(65527).unwrap();
    core.set_recv_info(true, true, true).unwrap();
    let to = core.local_addr().unwrap();
    let tx = sender(&SocketAddr::new(to.ip(), 0).to_string());
    (core, tx, to)
}

// S44: a run arrives whole, with its segment size and the controls of its
// datagrams.
#[test]
fn s44_a_run_arrives_whole_with_its_segment_size_and_controls() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(1, 1200, 10, 500), 1200, Some(0x22));
    let (got, data) = recv(&core, 65536);
    assert_eq!((got.bytes, got.segment_size), (12_500, Some(1200)));
    assert!(!got.truncated);
    let expect: Vec<(u8, u8)> = (0..=10).map(|i| (1, i)).collect();
    assert_eq!(whole_datagrams(&data, 1200), expect);
    assert_eq!(got.from, Some(tx.local_addr().unwrap()));
    assert_eq!(got.controls.tos, Some(0x22));
    assert_eq!(got.controls.ecn, Some(2));
    assert_eq!(
        got.controls.destination_v4.map(|d| d.0),
        Some("127.0.0.1".parse().unwrap())
    );
    assert_eq!(got.controls.ttl, Some(64));
}

// S44: UDP_COALESCED_INFO only for two datagrams or more.
#[test]
fn s44_one_datagram_has_no_segment_size() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(1, 1000, 1, 0), 1200, None);
    tx.send_to(&run(2, 700, 1, 0), to).unwrap();
    gso(&tx, to, &run(3, 1200, 1, 1), 1200, None);
    let (got, _) = recv(&core, 65536);
    assert_eq!((got.bytes, got.segment_size), (1000, None));
    let (got, _) = recv(&core, 65536);
    assert_eq!((got.bytes, got.segment_size), (700, None));
    // 1200 + 1: two datagrams, the last one byte long.
    let (got, data) = recv(&core, 65536);
    assert_eq!((got.bytes, got.segment_size), (1201, Some(1200)));
    assert_eq!(data[1200], 3);
}

// S44: a smaller buffer takes whole datagrams; the rest waits, in order,
// and is readable (buffered_in_user_space, FIONREAD) though the kernel's queue is
// empty; a later run comes after it.
#[test]
fn s44_a_smaller_buffer_takes_whole_datagrams_and_the_rest_waits_in_order() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(1, 1200, 10, 500), 1200, None);
    gso(&tx, to, &run(2, 1200, 2, 0), 1200, None);
    let before = io::recv_stats().residue_pieces;
    let (got, data) = recv(&core, 5000);
    assert_eq!((got.bytes, got.segment_size), (4800, Some(1200)));
    assert_eq!(
        whole_datagrams(&data, 1200),
        [(1, 0), (1, 1), (1, 2), (1, 3)]
    );
    assert_eq!(core.buffered_in_user_space(), Some(7700));
    // FIONREAD: what is held plus the next run in the kernel.
    assert_eq!(
        ws2_engine::readiness::pending_bytes(&core).unwrap(),
        7700 + 2400
    );
    let (got, data) = recv(&core, 5000);
    assert_eq!(got.bytes, 4800);
    assert_eq!(
        whole_datagrams(&data, 1200),
        [(1, 4), (1, 5), (1, 6), (1, 7)]
    );
    // The last two and the short one: 2900 bytes, still in 1200s.
    let (got, data) = recv(&core, 5000);
    assert_eq!((got.bytes, got.segment_size), (2900, Some(1200)));
    assert_eq!(whole_datagrams(&data, 1200), [(1, 8), (1, 9), (1, 10)]);
    assert_eq!(core.buffered_in_user_space(), None);
    assert!(io::recv_stats().residue_pieces >= before + 2);
    let (got, data) = recv(&core, 5000);
    assert_eq!(whole_datagrams(&data, 1200), [(2, 0), (2, 1)]);
    assert_eq!(got.segment_size, Some(1200));
}

// S44: the option's size cuts as the buffer does.
#[test]
fn s44_the_option_size_limits_a_receive_as_the_buffer_does() {
    let (core, tx, to) = uro("127.0.0.1:0");
    core.set_recv_max_coalesced(3000).unwrap();
    gso(&tx, to, &run(1, 1200, 10, 500), 1200, None);
    let mut tags = Vec::new();
    for expect in [2400, 2400, 2400, 2400, 2900] {
        let (got, data) = recv(&core, 65536);
        assert_eq!((got.bytes, got.segment_size), (expect, Some(1200)));
        tags.extend(whole_datagrams(&data, 1200));
    }
    assert_eq!(tags, (0..=10).map(|i| (1, i)).collect::<Vec<_>>());
}

// S44 (Microsoft: "un-coalesced messages larger than the option value may
// still be indicated"): a datagram over the option's size comes whole.
#[test]
fn s44_a_datagram_over_the_option_size_is_still_delivered_whole() {
    let (core, tx, to) = uro("127.0.0.1:0");
    core.set_recv_max_coalesced(1000).unwrap();
    gso(&tx, to, &run(1, 1200, 3, 0), 1200, None);
    for i in 0..3 {
        let (got, data) = recv(&core, 65536);
        assert_eq!((got.bytes, got.segment_size, data[1]), (1200, None, i));
    }
}

// S44: the option back at 0 after it was on: one datagram per receive
// (UDP_GRO stays on underneath: Linux would glue queued runs otherwise).
#[test]
fn s44_the_option_back_at_zero_delivers_one_datagram_per_receive() {
    let (core, tx, to) = uro("127.0.0.1:0");
    core.set_recv_max_coalesced(0).unwrap();
    gso(&tx, to, &run(1, 1200, 3, 100), 1200, None);
    for (i, len) in [1200, 1200, 1200, 100].into_iter().enumerate() {
        let (got, data) = recv(&core, 65536);
        assert_eq!((got.bytes, got.segment_size), (len, None));
        assert_eq!(data[..2], [1, i as u8]);
    }
}

// S44 S27: a buffer shorter than one datagram truncates it (MSG_TRUNC) as
// Windows truncates any datagram; the datagrams after it are not lost.
#[test]
fn s44_a_buffer_shorter_than_a_datagram_truncates_it_and_keeps_the_rest() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(1, 1200, 3, 0), 1200, None);
    let (got, data) = recv(&core, 1000);
    assert!(got.truncated);
    assert_eq!((got.bytes, got.segment_size), (1000, None));
    assert_eq!(data[..2], [1, 0]);
    let (got, data) = recv(&core, 65536);
    assert!(!got.truncated);
    assert_eq!(whole_datagrams(&data, 1200), [(1, 1), (1, 2)]);
}

// S44: at most 64 datagrams per receive (MsQuic drops what is past 64);
// Linux delivers 128-segment runs on loopback.
#[test]
fn s44_at_most_64_datagrams_per_receive() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(1, 500, 128, 0), 500, None);
    let (got, data) = recv(&core, 65536);
    assert_eq!((got.bytes, got.segment_size), (32_000, Some(500)));
    assert_eq!(whole_datagrams(&data, 500).last(), Some(&(1, 63)));
    let (got, data) = recv(&core, 65536);
    assert_eq!(got.bytes, 32_000);
    assert_eq!(whole_datagrams(&data, 500)[0], (1, 64));
}

// S44: runs never merge across sources, destinations or control data,
// and pieces of one run carry that run's source and controls, in order.
#[test]
fn s44_runs_never_merge_across_sources_destinations_or_controls() {
    let core = bound("0.0.0.0:0");
    core.set_recv_max_coalesced(65527).unwrap();
    core.set_recv_info(true, true, true).unwrap();
    let (a, b) = (sender("127.0.0.1:0"), sender("127.0.0.1:0"));
    let (lo1, lo2) = (at(&core, "127.0.0.1"), at(&core, "127.0.0.2"));
    // run tag, sender, destination, TOS
    let runs = [
        (1, &a, lo1, 0x04),
        (2, &a, lo1, 0x08),
        (3, &b, lo1, 0x08),
        (4, &b, lo2, 0x08),
        (5, &a, lo2, 0x04),
    ];
    for (tag, tx, to, tos) in runs {
        gso(tx, to, &run(tag, 1000, 5, 0), 1000, Some(tos));
    }
    // 3000 bytes: three datagrams, so every run leaves a residue.
    let mut seen = Vec::new();
    while seen.len() < 25 {
        let (got, data) = recv(&core, 3000);
        let tags = whole_datagrams(&data, 1000);
        let tag = tags[0].0;
        assert!(
            tags.iter().all(|t| t.0 == tag),
            "one run per receive: {tags:?}"
        );
        let (_, tx, to, tos) = runs[usize::from(tag) - 1];
        assert_eq!(got.from, Some(tx.local_addr().unwrap()), "run {tag}");
        assert_eq!(got.controls.tos, Some(tos), "run {tag}");
        assert_eq!(
            got.controls
                .destination_v4
                .map(|d| std::net::IpAddr::V4(d.0)),
            Some(to.ip()),
            "run {tag}"
        );
        seen.extend(tags);
    }
    let expect: Vec<(u8, u8)> = (1..=5).flat_map(|r| (0..5).map(move |i| (r, i))).collect();
    assert_eq!(seen, expect, "in order");
}

// S44 S24 S25: IPv6 runs, and IPv4 runs on a dual-stack socket.
#[test]
fn s44_ipv6_runs_and_ipv4_runs_on_a_dual_stack_socket() {
    let (core, tx, to) = uro("[::1]:0");
    gso(&tx, to, &run(6, 1200, 4, 0), 1200, Some(0x01));
    let (got, data) = recv(&core, 65536);
    assert_eq!((got.bytes, got.segment_size), (4800, Some(1200)));
    assert_eq!(whole_datagrams(&data, 1200).len(), 4);
    assert_eq!(got.controls.ecn_v6, Some(1));
    assert_eq!(got.controls.hop_limit, Some(64));

    let dual = bound("[::]:0");
    dual.set_recv_max_coalesced(65527).unwrap();
    dual.set_recv_info(true, false, false).unwrap();
    let tx4 = sender("127.0.0.1:0");
    gso(
        &tx4,
        at(&dual, "127.0.0.1"),
        &run(4, 1000, 3, 10),
        1000,
        None,
    );
    let (got, data) = recv(&dual, 65536);
    assert_eq!((got.bytes, got.segment_size), (3010, Some(1000)));
    assert_eq!(datagrams(&data, 1000).len(), 4);
    assert_eq!(
        got.controls.destination_v4.map(|d| d.0),
        Some("127.0.0.1".parse().unwrap())
    );
}

// S44: MSG_PEEK returns the front without taking it, residue or not.
#[test]
fn s44_peek_leaves_the_front_in_place() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(1, 1200, 3, 0), 1200, None);
    let mut buf = vec![0u8; 2500];
    let (n, from) = core.recv_from(&mut buf, true).unwrap();
    assert_eq!((n, buf[1201]), (2400, 1));
    assert_eq!(from, Some(tx.local_addr().unwrap()));
    assert_eq!(
        core.buffered_in_user_space(),
        Some(3600),
        "the peeked run is held"
    );
    let (n, _) = core.recv_from(&mut buf, false).unwrap();
    assert_eq!((n, buf[1], buf[1201]), (2400, 0, 1));
    let (n, _) = core.recv_from(&mut buf, true).unwrap();
    assert_eq!((n, buf[1]), (1200, 2));
    let (n, _) = core.recv_from(&mut buf, false).unwrap();
    assert_eq!((n, buf[1]), (1200, 2));
    assert_eq!(core.buffered_in_user_space(), None);
}

// S44 S17: the residue is readable: a non-blocking receive takes it with
// the kernel's queue empty; then WSAEWOULDBLOCK.
#[test]
fn s44_a_non_blocking_receive_takes_the_residue() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(1, 1200, 4, 0), 1200, None);
    let (got, _) = recv(&core, 1300);
    assert_eq!(got.bytes, 1200);
    core.set_nonblocking(true);
    for i in 1..4 {
        let (got, data) = recv(&core, 1300);
        assert_eq!((got.bytes, data[1]), (1200, i));
    }
    assert_eq!(recv_err(&core, 1300), abi::WSAEWOULDBLOCK);
}

// S44 S37: closesocket drops the residue with the socket.
#[test]
fn s44_closesocket_drops_the_residue() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(1, 1200, 4, 0), 1200, None);
    let (got, _) = recv(&core, 1300);
    assert_eq!(got.bytes, 1200);
    assert_eq!(core.buffered_in_user_space(), Some(3600));
    core.close();
    assert_eq!(core.buffered_in_user_space(), None);
    assert_eq!(recv_err(&core, 1300), abi::WSAENOTSOCK);
}

// S44: a blocking receive and overlapped receives racing on one socket
// lose nothing and duplicate nothing (whichever reads the kernel first, a
// residue it leaves goes to the others).
#[test]
fn s44_blocking_and_overlapped_receives_share_a_run_without_loss() {
    for _ in 0..20 {
        let (core, tx, to) = uro("127.0.0.1:0");
        let port = std::sync::Arc::new(ws2_engine::Port::new());
        core.set_port(port.clone(), 1).unwrap();
        let posted: Vec<_> = (0..2).map(|_| Posted::post(&core, 1300)).collect();
        assert!(posted.iter().all(|p| p.call == Err(abi::WSA_IO_PENDING)));
        let blocking = {
            let core = core.clone();
            std::thread::spawn(move || (0..4).map(|_| recv(&core, 1300).1[1]).collect::<Vec<u8>>())
        };
        std::thread::sleep(std::time::Duration::from_millis(5));
        gso(&tx, to, &run(1, 1200, 6, 0), 1200, None);
        let packets = take(&port, 2);
        let mut got: Vec<u8> = blocking.join().unwrap();
        for p in &posted {
            assert_eq!(p.status(), (abi::STATUS_SUCCESS, 1200));
            got.push(p.bytes()[1]);
        }
        assert_eq!(packets.len(), 2);
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2, 3, 4, 5]);
    }
}

/// URO and multicast memberships refuse each other (README, where ws2
/// answers differently): group datagrams arrive on the memberships' own
/// kernel sockets, which the URO path does not read, so ws2 refuses the
/// second of the two rather than lose them.
#[test]
fn s44_uro_and_memberships_refuse_each_other() {
    use ws2_engine::socket::{GroupInterface, GroupOp, GroupRequest};
    let req = GroupRequest::any_source("239.255.0.10".parse().unwrap(), GroupInterface::Index(1));

    let joined =
        std::sync::Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap());
    joined.bind(&"0.0.0.0:0".parse().unwrap()).unwrap();
    io::change_membership(&joined, GroupOp::Join, &req).unwrap();
    let err = joined.set_recv_max_coalesced(65527).unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL);
    assert!(err.to_string().contains("multicast memberships"), "{err}");
    assert_eq!(joined.recv_max_coalesced().unwrap(), 0);

    let coalescing =
        std::sync::Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap());
    coalescing.bind(&"0.0.0.0:0".parse().unwrap()).unwrap();
    coalescing.set_recv_max_coalesced(65527).unwrap();
    let err = io::change_membership(&coalescing, GroupOp::Join, &req).unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL);
    assert!(
        err.to_string().contains("UDP_RECV_MAX_COALESCED_SIZE"),
        "{err}"
    );
}

// S21 S44: a receive into as many buffers as one Linux message takes
// (1,024, here of one byte each): a URO read puts an overflow buffer behind
// short ones, which would make 1,025; the run still arrives whole.
#[test]
fn s44_a_receive_into_the_most_buffers_linux_takes_gets_its_run() {
    let (core, tx, to) = uro("127.0.0.1:0");
    gso(&tx, to, &run(4, 100, 3, 0), 100, None);
    let mut data = vec![0u8; ws2_engine::translate::MAX_IOVECS];
    let mut iov: Vec<libc::iovec> = data
        .iter_mut()
        .map(|b| libc::iovec {
            iov_base: (b as *mut u8).cast(),
            iov_len: 1,
        })
        .collect();
    let got = core
        .recv_with_controls(iov.as_mut_ptr(), iov.len())
        .unwrap();
    assert_eq!((got.bytes, got.segment_size), (300, Some(100)));
    assert_eq!(whole_datagrams(&data[..300], 100), [(4, 0), (4, 1), (4, 2)]);
}
