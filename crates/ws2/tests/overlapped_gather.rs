//! Overlapped sends of gathered buffers and with `dwFlags`, through the
//! Rust API, in each completion mode (`PendingSend`, routine, port): the
//! buffers go out as one datagram in order (S21) and come back whole; more
//! buffers than one Linux message takes are gathered into one bounce
//! buffer that a pending send keeps until it is sent; `MSG_DONTROUTE` is
//! accepted and `MSG_OOB`/`MSG_PARTIAL` are refused at call time with the
//! buffers handed back and nothing queued (S10, S20).

mod slow_link;

use std::net::UdpSocket;
use std::time::Duration;

use slow_link::{LONG, slow_link};
use ws2::{CompletionPort, PendingSend, SendFlags, Socket};

fn loopback_rx() -> UdpSocket {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(LONG)).unwrap();
    rx
}

fn recv(rx: &UdpSocket) -> Vec<u8> {
    let mut buf = vec![0u8; 70_000];
    let n = rx.recv(&mut buf).expect("a datagram");
    buf.truncate(n);
    buf
}

fn parts() -> Vec<Vec<u8>> {
    vec![b"gathered ".to_vec(), b"in ".to_vec(), b"order".to_vec()]
}

// S21, S29, S31: a Vec of buffers is one datagram; PendingSend hands the Vec back.
#[test]
fn s21_gathered_buffers_pending_send() {
    let rx = loopback_rx();
    let tx = Socket::udp_v4().unwrap();
    let to = Some(rx.local_addr().unwrap());
    let done = tx
        .send_overlapped(parts(), to, &[])
        .map_err(ws2::Error::from)
        .unwrap()
        .wait();
    assert_eq!(done.result.unwrap(), 17);
    assert_eq!(done.buffer, parts());
    assert_eq!(recv(&rx), b"gathered in order");
    // An array of buffers works the same way.
    let done = tx
        .send_overlapped([b"ab".to_vec(), b"cd".to_vec()], to, &[])
        .map_err(ws2::Error::from)
        .unwrap()
        .wait();
    assert_eq!(done.result.unwrap(), 4);
    assert_eq!(recv(&rx), b"abcd");
}

// S21, S33: gathered buffers with a completion routine.
#[test]
fn s21_s33_gathered_buffers_routine() {
    let rx = loopback_rx();
    let tx = Socket::udp_v4().unwrap();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    tx.send_with_routine(parts(), Some(rx.local_addr().unwrap()), &[], move |c| {
        done_tx.send((c.result.unwrap(), c.buffer)).unwrap();
    })
    .map_err(ws2::Error::from)
    .unwrap();
    assert!(ws2::sleep_alertable(LONG), "the routine ran");
    assert_eq!(done_rx.try_recv().unwrap(), (17, parts()));
    assert_eq!(recv(&rx), b"gathered in order");
}

// S21, S36: gathered buffers through a completion port: the packet hands
// the Vec back.
#[test]
fn s21_s36_gathered_buffers_port() {
    let rx = loopback_rx();
    let tx = Socket::udp_v4().unwrap();
    let port = CompletionPort::new();
    port.associate(&tx, 5).unwrap();
    tx.send_to_port(parts(), Some(rx.local_addr().unwrap()), &[])
        .map_err(ws2::Error::from)
        .unwrap();
    let done = port.get(Some(LONG)).expect("a packet");
    assert_eq!((done.key, done.result.clone().unwrap()), (5, 17));
    assert_eq!(done.buffer::<Vec<Vec<u8>>>().unwrap(), parts());
    assert_eq!(recv(&rx), b"gathered in order");
}

// S21, S11: more buffers than one Linux message takes (UIO_MAXIOV, 1024)
// are one datagram; past SO_MAX_MSG_SIZE they are WSAEMSGSIZE, buffers back.
#[test]
fn s21_overlapped_send_of_more_than_uio_maxiov_buffers() {
    const MANY: usize = 2000;
    let rx = loopback_rx();
    let tx = Socket::udp_v4().unwrap();
    let to = Some(rx.local_addr().unwrap());
    let data: Vec<u8> = (0..MANY).map(|i| (i * 7) as u8).collect();
    let one_byte_each: Vec<Vec<u8>> = data.chunks(1).map(<[u8]>::to_vec).collect();
    let done = tx
        .send_overlapped(one_byte_each, to, &[])
        .map_err(ws2::Error::from)
        .unwrap()
        .wait();
    assert_eq!(done.result.unwrap(), MANY);
    assert_eq!(done.buffer.len(), MANY);
    assert_eq!(recv(&rx), data);

    let too_big: Vec<Vec<u8>> = (0..1400).map(|_| vec![0u8; 50]).collect();
    let refused = tx.send_overlapped(too_big, to, &[]).unwrap_err();
    assert_eq!(refused.error.code(), ws2::WSAEMSGSIZE, "{}", refused.error);
    assert_eq!(
        refused.buffer.len(),
        1400,
        "a refused send gives its buffers back"
    );
}

// S21, S30, S38: gathered sends of more than UIO_MAXIOV buffers that pend on
// a rate-limited link keep their bounce buffer until they are sent: every
// datagram arrives whole, in order.
#[test]
fn s21_s30_pending_gathered_sends_keep_their_bounce_buffers() {
    const SENDS: usize = 24;
    const LEN: usize = 1100;
    let link = slow_link("200kbit");
    let rx = link.receiver();
    rx.set_read_timeout(Some(LONG)).unwrap();
    let tx = link.sender();
    let to = Some(rx.local_addr().unwrap());
    let datas: Vec<Vec<u8>> = (0..SENDS)
        .map(|i| (0..LEN).map(|j| (j as u8).wrapping_add(i as u8)).collect())
        .collect();
    let pending: Vec<PendingSend<Vec<Vec<u8>>>> = datas
        .iter()
        .map(|d| {
            let one_byte_each: Vec<Vec<u8>> = d.chunks(1).map(<[u8]>::to_vec).collect();
            tx.send_overlapped(one_byte_each, to, &[])
                .map_err(ws2::Error::from)
                .unwrap()
        })
        .collect();
    assert!(
        pending.iter().any(|p| !p.is_complete()),
        "no send pended: the link is not slow enough"
    );
    for (i, p) in pending.into_iter().enumerate() {
        let done = p
            .wait_timeout(LONG)
            .unwrap_or_else(|_| panic!("send {i} did not complete"));
        assert_eq!(done.result.unwrap(), LEN, "send {i}");
    }
    let mut got = vec![0u8; 2048];
    for (i, d) in datas.iter().enumerate() {
        let n = rx
            .recv(&mut got)
            .unwrap_or_else(|e| panic!("datagram {i} missing: {e}"));
        assert_eq!(&got[..n], &d[..], "datagram {i}");
    }
}

// S10: MSG_DONTROUTE is accepted in each mode (127.0.0.1 is directly
// reachable); MSG_OOB and MSG_PARTIAL are WSAEOPNOTSUPP at call time, the
// buffer handed back, no routine run and no packet posted (S20).
#[test]
fn s10_flags_in_each_mode() {
    let rx = loopback_rx();
    let to = Some(rx.local_addr().unwrap());
    let tx = Socket::udp_v4().unwrap();
    let done = tx
        .send_overlapped_with_flags(b"a".to_vec(), to, &[], SendFlags::DONTROUTE)
        .map_err(ws2::Error::from)
        .unwrap()
        .wait();
    assert_eq!(done.result.unwrap(), 1);
    assert_eq!(recv(&rx), b"a");
    for flags in [SendFlags::OOB, SendFlags::PARTIAL] {
        let refused = tx
            .send_overlapped_with_flags(b"x".to_vec(), to, &[], flags)
            .unwrap_err();
        assert_eq!(refused.error.code(), ws2::WSAEOPNOTSUPP, "{flags:?}");
        assert_eq!(refused.buffer, b"x");
        let refused = tx
            .send_with_routine_with_flags(b"y".to_vec(), to, &[], flags, |_| {
                panic!("a refused send's routine ran")
            })
            .unwrap_err();
        assert_eq!(refused.error.code(), ws2::WSAEOPNOTSUPP, "{flags:?}");
        assert_eq!(refused.buffer, b"y");
    }
    tx.send_with_routine_with_flags(b"b".to_vec(), to, &[], SendFlags::DONTROUTE, |c| {
        assert_eq!(c.result.unwrap(), 1);
    })
    .map_err(ws2::Error::from)
    .unwrap();
    assert!(ws2::sleep_alertable(LONG), "the routine ran");
    assert_eq!(recv(&rx), b"b");

    let tp = Socket::udp_v4().unwrap();
    let port = CompletionPort::new();
    port.associate(&tp, 1).unwrap();
    let refused = tp
        .send_to_port_with_flags(b"z".to_vec(), to, &[], SendFlags::OOB)
        .unwrap_err();
    assert_eq!(refused.error.code(), ws2::WSAEOPNOTSUPP);
    assert_eq!(refused.buffer, b"z");
    assert!(
        port.get(Some(Duration::from_millis(100))).is_none(),
        "a refused send posted a packet"
    );
    tp.send_to_port_with_flags(b"c".to_vec(), to, &[], SendFlags::DONTROUTE)
        .map_err(ws2::Error::from)
        .unwrap();
    let done = port.get(Some(LONG)).expect("a packet");
    assert_eq!(done.result.unwrap(), 1);
    assert_eq!(recv(&rx), b"c");
    assert!(
        !ws2::sleep_alertable(Duration::from_millis(50)),
        "no routine left"
    );
}
