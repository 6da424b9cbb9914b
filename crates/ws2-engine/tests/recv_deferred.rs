//! Receives deferred to their completion port (S27, S29–S31, S36, S37;
//! `io/recv_deferred.rs`): an overlapped receive posted on a port that no
//! thread waits on, with neither event nor routine and without skip-on-
//! success, is left pending even when its datagram is there; the port's
//! next look for packets reads the socket's deferred receives together,
//! in posting order, with one `recvmmsg`. Windows may report any such
//! receive pending (the program sees its packet, which comes either way).
//!
//! The tests run one at a time (`SERIAL`): they count `recvmmsg` calls,
//! which are process-wide.

mod recv_common;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use recv_common::*;
use ws2_abi as abi;
use ws2_engine::handles::{self, Object};
use ws2_engine::{Event, Port, SocketCore, io, raw};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A socket on 127.0.0.1 bound to a new port, with IN_PKTINFO and ECN on.
fn on_port() -> (Arc<SocketCore>, Arc<Port>) {
    let core = bound("127.0.0.1:0");
    core.set_recv_info(true, true, false).unwrap();
    let port = Arc::new(Port::new());
    core.set_port(port.clone(), 9).unwrap();
    (core, port)
}

/// Sends `n` datagrams of 100 bytes, `[tag, i, ...]`, and waits until the
/// socket's queue holds them all.
fn queue_datagrams(core: &SocketCore, tag: u8, n: usize) -> std::net::UdpSocket {
    let tx = sender("127.0.0.1:0");
    for i in 0..n {
        let mut d = vec![i as u8; 100];
        d[0] = tag;
        tx.send_to(&d, core.local_addr().unwrap()).unwrap();
    }
    tx
}

// S29 S30 S36: sixteen receives posted while sixteen datagrams wait: each
// call reports pending, and the port's next look reads all sixteen with
// one recvmmsg; packets and OVERLAPPEDs in posting order, each receive
// with its own datagram, source and control data.
#[test]
fn receives_posted_while_data_waits_are_read_together_by_the_next_look() {
    let _serial = serial();
    let (core, port) = on_port();
    let tx = queue_datagrams(&core, 3, 16);
    let posted: Vec<_> = (0..16).map(|_| Posted::post(&core, 200)).collect();
    for (i, p) in posted.iter().enumerate() {
        assert_eq!(p.call, Err(abi::WSA_IO_PENDING), "receive {i}");
        assert_eq!(p.ov.Internal as u32, abi::STATUS_PENDING, "receive {i}");
    }
    let before = io::recv_stats();
    let packets = take(&port, 16);
    let after = io::recv_stats();
    assert_eq!(
        (
            after.recvmmsg_calls - before.recvmmsg_calls,
            after.messages - before.messages
        ),
        (1, 16),
        "one recvmmsg for the sixteen"
    );
    for (i, (p, packet)) in posted.iter().zip(&packets).enumerate() {
        assert_eq!(packet.overlapped, &raw const p.ov as usize, "posting order");
        assert_eq!((packet.key, packet.status, packet.bytes), (9, 0, 100));
        assert_eq!(p.status(), (abi::STATUS_SUCCESS, 100));
        assert_eq!(p.bytes()[..2], [3, i as u8]);
        assert_eq!(p.source_port(), tx.local_addr().unwrap().port());
        assert!(p.controls().iter().any(|c| c.1 == abi::IP_PKTINFO));
    }
}

// S31: WSAGetOverlappedResult on a deferred receive whose datagram is
// there answers it as done (fWait FALSE), as it would have been at call
// time; its packet is on the port.
#[test]
fn a_deferred_receive_reads_as_done_for_wsagetoverlappedresult() {
    let _serial = serial();
    let (core, port) = on_port();
    queue_datagrams(&core, 4, 1);
    let mut p = Posted::post(&core, 200);
    assert_eq!(p.call, Err(abi::WSA_IO_PENDING));
    let (mut bytes, mut flags) = (0u32, 7u32);
    // SAFETY: the OVERLAPPED and outputs are live; no wait.
    let n =
        unsafe { raw::get_overlapped_result(&core, &raw mut p.ov, &mut bytes, false, &mut flags) };
    assert_eq!((n.map_err(|e| e.code()), bytes, flags), (Ok(100), 100, 0));
    assert_eq!(p.bytes()[..2], [4, 0]);
    assert_eq!(take(&port, 1)[0].overlapped, &raw const p.ov as usize);
}

// S36: while a thread waits on the port, a receive whose datagram is
// there completes at call time (deferring it would leave that thread
// asleep), and the waiting thread gets its packet.
#[test]
fn a_receive_completes_at_call_time_while_a_thread_waits_on_the_port() {
    let _serial = serial();
    let (core, port) = on_port();
    let waiter = {
        let port = port.clone();
        std::thread::spawn(move || take(&port, 1)[0].overlapped)
    };
    let deadline = Instant::now() + WAIT;
    while port.waiting_threads() == 0 {
        assert!(Instant::now() < deadline, "the waiter never waited");
        std::thread::sleep(Duration::from_millis(5));
    }
    queue_datagrams(&core, 5, 1);
    let p = Posted::post(&core, 200);
    assert_eq!(p.call, Ok(100));
    assert_eq!(waiter.join().unwrap(), &raw const p.ov as usize);
}

// S29 S36: a deferred receive with no datagram yet: the port's look finds
// none, hands it to the reactor and sleeps; the datagram sent later
// completes it.
#[test]
fn a_deferred_receive_without_data_completes_when_it_comes() {
    let _serial = serial();
    let (core, port) = on_port();
    let p = Posted::post(&core, 200);
    assert_eq!(p.call, Err(abi::WSA_IO_PENDING));
    let to = core.local_addr().unwrap();
    let later = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        sender("127.0.0.1:0").send_to(&[6; 50], to).unwrap();
    });
    assert_eq!(take(&port, 1)[0].overlapped, &raw const p.ov as usize);
    assert_eq!(p.status(), (abi::STATUS_SUCCESS, 50));
    later.join().unwrap();
}

// S37: closesocket aborts deferred receives in posting order, each with
// its packet, also those whose datagrams were there.
#[test]
fn closesocket_aborts_deferred_receives_in_order() {
    let _serial = serial();
    let (core, port) = on_port();
    queue_datagrams(&core, 7, 3);
    let posted: Vec<_> = (0..3).map(|_| Posted::post(&core, 200)).collect();
    assert!(posted.iter().all(|p| p.call == Err(abi::WSA_IO_PENDING)));
    core.close();
    let packets = take(&port, 3);
    for (p, packet) in posted.iter().zip(&packets) {
        assert_eq!(packet.overlapped, &raw const p.ov as usize);
        assert_eq!(p.status(), (abi::STATUS_CANCELLED, 0));
    }
}

// S36 S38: closing the port completes what was deferred to it (each
// OVERLAPPED written once; the packets go with the port).
#[test]
fn closing_the_port_completes_deferred_receives() {
    let _serial = serial();
    let (core, port) = on_port();
    queue_datagrams(&core, 8, 2);
    let posted: Vec<_> = (0..2).map(|_| Posted::post(&core, 200)).collect();
    assert!(posted.iter().all(|p| p.call == Err(abi::WSA_IO_PENDING)));
    port.close();
    for (i, p) in posted.iter().enumerate() {
        assert_eq!(p.status(), (abi::STATUS_SUCCESS, 100));
        assert_eq!(p.bytes()[..2], [8, i as u8]);
    }
}

// S36: receives that are seen otherwise than by their packet are never
// deferred: skip-on-success (the call's own result is the completion).
// And a program that posts one receive and waits for it gets the next
// ones at call time once a look has read a single one (deferring pays only
// when receives batch).
#[test]
fn receives_seen_at_call_time_are_not_deferred() {
    let _serial = serial();
    let (core, port) = on_port();
    core.set_notification_modes(abi::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    queue_datagrams(&core, 9, 1);
    assert_eq!(Posted::post(&core, 200).call, Ok(100));

    let (core, port2) = on_port();
    queue_datagrams(&core, 10, 3);
    let first = Posted::post(&core, 200);
    assert_eq!(first.call, Err(abi::WSA_IO_PENDING));
    take(&port2, 1);
    for _ in 0..2 {
        let p = Posted::post(&core, 200);
        assert_eq!(p.call, Ok(100));
        take(&port2, 1);
    }
    drop(port);
}

// S29 S38: a program that never looks at the port (it polls the
// OVERLAPPED, as HasOverlappedIoCompleted does) still gets a deferred
// receive: the reactor's sweep fills it within two sweep periods (10 ms
// each), and its packet is on the port.
#[test]
fn a_deferred_receive_nobody_looks_for_completes_by_itself() {
    let _serial = serial();
    let (core, port) = on_port();
    queue_datagrams(&core, 11, 1);
    let p = Posted::post(&core, 200);
    assert_eq!(p.call, Err(abi::WSA_IO_PENDING));
    let start = Instant::now();
    let ov = &raw const p.ov;
    // SAFETY: the OVERLAPPED stays live; Internal is written with release
    // ordering when the receive completes.
    while unsafe { std::ptr::read_volatile(&raw const (*ov).Internal) } as u32
        == abi::STATUS_PENDING
    {
        assert!(
            start.elapsed() < WAIT,
            "the deferred receive never completed"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(p.status(), (abi::STATUS_SUCCESS, 100));
    assert_eq!(take(&port, 1)[0].overlapped, ov as usize);
}

// S31 S36: a receive with an event, or whose hEvent has its low bit set
// (no packet), is seen through that event, which a deferred receive would
// leave unset until a look at the port: it is not deferred. With their
// datagrams there, both complete at call time, the event set, only the
// first with a packet; a plain receive posted next, in the same state, is
// deferred.
#[test]
fn receives_with_an_event_are_not_deferred() {
    let _serial = serial();
    let (core, port) = on_port();
    let event = Arc::new(Event::with_mode(true, false));
    let handle = handles::insert(Object::Event(event.clone())).unwrap();
    queue_datagrams(&core, 8, 3);
    let with_event = Posted::post_with_event(&core, 200, handle);
    assert_eq!(with_event.call, Ok(100), "an event's receive at call time");
    assert!(event.is_set());
    event.reset();
    let no_packet = Posted::post_with_event(&core, 200, handle | 1);
    assert_eq!(
        no_packet.call,
        Ok(100),
        "a receive without packet at call time"
    );
    assert!(event.is_set());
    let plain = Posted::post(&core, 200);
    assert_eq!(
        plain.call,
        Err(abi::WSA_IO_PENDING),
        "a plain one is deferred"
    );
    let packets = take(&port, 2);
    assert_eq!(packets[0].overlapped, &raw const with_event.ov as usize);
    assert_eq!(packets[1].overlapped, &raw const plain.ov as usize);
    assert_eq!(with_event.bytes()[..2], [8, 0]);
    assert_eq!(no_packet.bytes()[..2], [8, 1]);
    assert_eq!(plain.bytes()[..2], [8, 2]);
    handles::remove(handle);
}
