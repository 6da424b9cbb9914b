//! UDP_SEND_MSG_SIZE (S26): one call, several datagrams of the segment size,
//! split into several kernel sends past 128 segments, and a user-space
//! fallback when the kernel refuses UDP GSO.

use std::io::IoSlice;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::time::Duration;

use ws2::{ControlMessage, Message, SendFlags, Socket};

fn receiver() -> UdpSocket {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let big: libc::c_int = 8 << 20;
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
    rx
}

/// Receives `count` datagrams and returns their lengths and the bytes in order.
fn collect(rx: &UdpSocket, count: usize) -> (Vec<usize>, Vec<u8>) {
    let mut lens = Vec::new();
    let mut all = Vec::new();
    let mut buf = [0u8; 65536];
    for _ in 0..count {
        let n = rx.recv(&mut buf).expect("a segment");
        lens.push(n);
        all.extend_from_slice(&buf[..n]);
    }
    (lens, all)
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn send_segmented(tx: &Socket, rx: &UdpSocket, data: &[u8], segment: u32) -> usize {
    // Gather from three buffers so segments straddle buffer boundaries.
    let (a, rest) = data.split_at(data.len() / 3);
    let (b, c) = rest.split_at(rest.len() / 2);
    let bufs = [IoSlice::new(a), IoSlice::new(b), IoSlice::new(c)];
    let control = [ControlMessage::SegmentSize(segment)];
    let msg = Message::new(&bufs)
        .to(rx.local_addr().unwrap())
        .control(&control);
    tx.send_msg(&msg, SendFlags::NONE).expect("segmented send")
}

#[test]
fn segments_arrive_as_separate_datagrams() {
    // S26: 3000 bytes in 1200-byte segments: 1200, 1200, 600.
    let rx = receiver();
    let tx = Socket::udp_v4().unwrap();
    let data = payload(3000);
    assert_eq!(send_segmented(&tx, &rx, &data, 1200), 3000);
    let (lens, all) = collect(&rx, 3);
    assert_eq!(lens, [1200, 1200, 600]);
    assert_eq!(all, data);
}

#[test]
fn more_than_128_segments_are_split_into_several_kernel_sends() {
    // S26: 300 segments of 100 bytes: more than the kernel's 128 per call.
    let rx = receiver();
    let tx = Socket::udp_v4().unwrap();
    let data = payload(30_000);
    assert_eq!(send_segmented(&tx, &rx, &data, 100), 30_000);
    let (lens, all) = collect(&rx, 300);
    assert!(lens.iter().all(|&n| n == 100));
    assert_eq!(all, data);
}

#[test]
fn total_over_the_datagram_limit_is_wsaemsgsize_and_nothing_is_sent() {
    // S26 with S11: the total is limited like one datagram.
    let rx = receiver();
    rx.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let tx = Socket::udp_v4().unwrap();
    let data = payload(65_508);
    let bufs = [IoSlice::new(&data)];
    let control = [ControlMessage::SegmentSize(1200)];
    let msg = Message::new(&bufs)
        .to(rx.local_addr().unwrap())
        .control(&control);
    let err = tx.send_msg(&msg, SendFlags::NONE).unwrap_err();
    assert_eq!(err.code(), ws2_abi::WSAEMSGSIZE);
    let mut buf = [0u8; 2048];
    assert!(rx.recv(&mut buf).is_err(), "nothing may be sent");
}

#[test]
fn kernel_refusing_gso_falls_back_to_user_space_segmentation() {
    // S26: SO_NO_CHECK makes every GSO send fail with EINVAL (LINUX-FACTS);
    // the caller still gets one successful call, and later sends too.
    let rx = receiver();
    let tx = Socket::udp_v4().unwrap();
    let one: libc::c_int = 1;
    // SAFETY: setsockopt with a pointer to a live c_int.
    let r = unsafe {
        libc::setsockopt(
            tx.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_NO_CHECK,
            (&raw const one).cast(),
            4,
        )
    };
    assert_eq!(r, 0);
    for _ in 0..2 {
        let data = payload(5000);
        assert_eq!(send_segmented(&tx, &rx, &data, 1000), 5000);
        let (lens, all) = collect(&rx, 5);
        assert_eq!(lens, [1000; 5]);
        assert_eq!(all, data);
    }
}

#[test]
fn segment_size_as_a_socket_option_applies_to_every_send() {
    // S26: UDP_SEND_MSG_SIZE as a socket option.
    let rx = receiver();
    let tx = Socket::udp_v4().unwrap();
    tx.set_segment_size(500).unwrap();
    let data = payload(1200);
    assert_eq!(tx.send_to(&data, rx.local_addr().unwrap()).unwrap(), 1200);
    let (lens, all) = collect(&rx, 3);
    assert_eq!(lens, [500, 500, 200]);
    assert_eq!(all, data);
    assert_eq!(
        tx.set_segment_size(70_000).unwrap_err().code(),
        ws2_abi::WSAEINVAL
    );
    // A refused value leaves the option as it was; 0 turns it off.
    assert_eq!(tx.send_to(&data, rx.local_addr().unwrap()).unwrap(), 1200);
    assert_eq!(collect(&rx, 3).0, [500, 500, 200]);
    tx.set_segment_size(0).unwrap();
    assert_eq!(tx.send_to(&data, rx.local_addr().unwrap()).unwrap(), 1200);
    let (lens, all) = collect(&rx, 1);
    assert_eq!(lens, [1200]);
    assert_eq!(all, data);
}

#[test]
fn overlapped_segmented_send_completes_with_the_total() {
    // S26 with S29: an overlapped segmented send completes once with the total.
    let rx = receiver();
    let tx = Socket::udp_v4().unwrap();
    let data = payload(2500);
    let done = tx
        .send_overlapped(
            data.clone(),
            Some(rx.local_addr().unwrap()),
            &[ControlMessage::SegmentSize(1000)],
        )
        .map_err(ws2::Error::from)
        .unwrap()
        .wait();
    assert_eq!(done.result.unwrap(), 2500);
    let (lens, all) = collect(&rx, 3);
    assert_eq!(lens, [1000, 1000, 500]);
    assert_eq!(all, data);
}
