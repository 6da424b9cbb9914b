//! More buffers than one Linux message takes (`UIO_MAXIOV`, 1024; Windows
//! has no such limit), S21: gathered into one datagram on send, filled in
//! order on receive, through the Rust API and through the raw core the C
//! ABI uses; an overlapped send that pends keeps its bounce buffer until it
//! completes. Past S11's size they are `WSAEMSGSIZE`.

mod slow_link;

use std::io::{IoSlice, IoSliceMut};
use std::net::UdpSocket;
use std::time::Duration;

use slow_link::{LONG, slow_link};
use ws2::{Message, SendFlags, Socket};
use ws2_abi as abi;
use ws2_engine::raw::{self, SendResultPtrs};
use ws2_engine::translate::{MAX_IOVECS, socket_addr_to_windows};

const MANY: usize = 2000;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed))
        .collect()
}

// S21, S11: send_msg with MANY one-byte slices is one datagram, in order.
#[test]
fn s21_send_msg_gathers_more_than_uio_maxiov_buffers() {
    const { assert!(MANY > MAX_IOVECS) };
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(LONG)).unwrap();
    let tx = Socket::udp_v4().unwrap();
    let data = pattern(MANY, 1);
    let bufs: Vec<IoSlice<'_>> = data.chunks(1).map(IoSlice::new).collect();
    let n = tx
        .send_msg(
            &Message::new(&bufs).to(rx.local_addr().unwrap()),
            SendFlags::NONE,
        )
        .expect("S21: many buffers");
    assert_eq!(n, MANY);
    let mut got = vec![0u8; 70000];
    let (n, _) = rx.recv_from(&mut got).unwrap();
    assert_eq!(&got[..n], &data[..]);

    // S11: the total still obeys SO_MAX_MSG_SIZE.
    let big = vec![0u8; 70000];
    let bufs: Vec<IoSlice<'_>> = big.chunks(50).map(IoSlice::new).collect();
    let err = tx
        .send_msg(
            &Message::new(&bufs).to(rx.local_addr().unwrap()),
            SendFlags::NONE,
        )
        .unwrap_err();
    assert_eq!(err.code(), abi::WSAEMSGSIZE, "{err}");
}

// S21, S27: recv_msg into MANY one-byte slices; a longer datagram is
// truncated to them (MSG_TRUNC), as with fewer buffers.
#[test]
fn s21_recv_msg_scatters_into_more_than_uio_maxiov_buffers() {
    let rx = Socket::udp_v4().unwrap();
    rx.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    rx.set_recv_timeout(Some(LONG));
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = rx.local_addr().unwrap();
    let data = pattern(3000, 5);

    tx.send_to(&data[..MANY], to).unwrap();
    let mut back = vec![0u8; MANY];
    let mut slices: Vec<IoSliceMut<'_>> = back.chunks_mut(1).map(IoSliceMut::new).collect();
    let got = rx.recv_msg(&mut slices).expect("S21: many receive buffers");
    drop(slices);
    assert_eq!(got.bytes, MANY);
    assert!(!got.truncated);
    assert_eq!(back, data[..MANY]);

    tx.send_to(&data, to).unwrap();
    let mut back = vec![0u8; 1500];
    let mut slices: Vec<IoSliceMut<'_>> = back.chunks_mut(1).map(IoSliceMut::new).collect();
    let got = rx.recv_msg(&mut slices).unwrap();
    drop(slices);
    assert!(got.truncated, "S27: MSG_TRUNC");
    assert_eq!(got.bytes, 1500);
    assert_eq!(back, data[..1500]);
}

// S21, S30, S38: overlapped sends of MANY buffers through the raw core (the
// C ABI's path) on a rate-limited link: those that pend keep their bounce
// buffer until they are sent, and every datagram arrives whole, in order.
#[test]
fn s21_pending_overlapped_sends_keep_their_bounce_buffers() {
    const SENDS: usize = 24;
    const LEN: usize = 1100;
    let link = slow_link("200kbit");
    let rx = link.receiver();
    rx.set_read_timeout(Some(LONG)).unwrap();
    let core = &link.sender_core();
    let (mut name, mut namelen) = (abi::SOCKADDR_STORAGE::default(), 128);
    // SAFETY: `name` is writable for 128 bytes.
    unsafe {
        socket_addr_to_windows(
            &rx.local_addr().unwrap(),
            (&raw mut name).cast(),
            &mut namelen,
        )
    }
    .unwrap();
    let datas: Vec<Vec<u8>> = (0..SENDS).map(|i| pattern(LEN, i as u8)).collect();
    // One byte per WSABUF (LEN > MAX_IOVECS), and one OVERLAPPED per send,
    // all kept alive until every send completed (S38).
    let bufs: Vec<Vec<abi::WSABUF>> = datas
        .iter()
        .map(|d| {
            d.iter()
                .map(|b| abi::WSABUF {
                    len: 1,
                    buf: (b as *const u8).cast_mut().cast(),
                })
                .collect()
        })
        .collect();
    let mut ovs: Vec<Box<abi::WSAOVERLAPPED>> = (0..SENDS).map(|_| Box::default()).collect();
    let mut pended = 0;
    for (i, b) in bufs.iter().enumerate() {
        let out = SendResultPtrs {
            bytes_sent: std::ptr::null_mut(),
            overlapped: &mut *ovs[i],
            routine: None,
        };
        let no_control = abi::WSABUF {
            len: 0,
            buf: std::ptr::null_mut(),
        };
        // SAFETY: the WSABUFs, their bytes, the name and the OVERLAPPED
        // live until every completion has been collected below.
        let r = unsafe {
            raw::send_gathered(
                core,
                b.as_ptr(),
                b.len() as u32,
                (&raw const name).cast(),
                namelen,
                no_control,
                0,
                &out,
            )
        };
        match r {
            Ok(n) => assert_eq!(n as usize, LEN),
            Err(e) if e.code() == abi::WSA_IO_PENDING => pended += 1,
            Err(e) => panic!("send {i}: {e}"),
        }
    }
    assert!(pended > 0, "no send pended: the link is not slow enough");
    for (i, ov) in ovs.iter_mut().enumerate() {
        let (mut bytes, mut flags) = (0u32, 0u32);
        // SAFETY: `ov` is the live OVERLAPPED of send i.
        let n =
            unsafe { raw::get_overlapped_result(core, &mut **ov, &mut bytes, true, &mut flags) }
                .unwrap_or_else(|e| panic!("send {i}: {e}"));
        assert_eq!(n as usize, LEN);
    }
    let mut got = vec![0u8; 2048];
    for (i, d) in datas.iter().enumerate() {
        let n = rx
            .recv(&mut got)
            .unwrap_or_else(|e| panic!("datagram {i} missing: {e}"));
        assert_eq!(&got[..n], &d[..], "datagram {i}");
    }
    rx.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    assert!(rx.recv(&mut got).is_err(), "more datagrams than sends");
}
