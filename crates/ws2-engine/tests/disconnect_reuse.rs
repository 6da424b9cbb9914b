//! `DisconnectEx(TF_REUSE_SOCKET)` (`io::reuse_stream`, SPEC P8) returns
//! only once the completion of every overlapped send it waited for is
//! delivered, not merely once the send left the queue: the C test
//! `stream_reuse.c` (`taken_bytes_go_out_first`) checks the send's event
//! right after the call, and failed under load when the reactor had taken
//! the send off the queue but not yet set the event.

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use ws2_engine::completion::Delivery;
use ws2_engine::{Family, SocketCore, SocketKind, io};

// P8
#[test]
fn reuse_waits_for_the_delivery_of_a_written_send() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Stream, 0, true).unwrap());
    core.connect(&listener.local_addr().unwrap()).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    // More than loopback's socket buffers hold: the send pends until the
    // peer reads.
    let data = vec![0x5au8; 32 << 20];
    let iov = [libc::iovec {
        iov_base: data.as_ptr().cast_mut().cast(),
        iov_len: data.len(),
    }];
    // The delivery holds the completing thread a while: it widens the
    // window between the send leaving the queue and its completion.
    let (started_tx, started) = mpsc::channel();
    let delivered = Arc::new(AtomicBool::new(false));
    let flag = delivered.clone();
    let delivery = Delivery::Callback(Box::new(move |result| {
        started_tx.send(result.ok()).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, Ordering::SeqCst);
    }));
    let submitted = io::send_stream_overlapped(&core, &iov, false, false, delivery, || {});
    assert!(matches!(submitted, Ok(io::Submitted::Pending)));
    let reader = std::thread::spawn(move || {
        peer.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut got = vec![0u8; 32 << 20];
        peer.read_exact(&mut got).unwrap();
        got.iter().all(|&b| b == 0x5a)
    });
    // The send is off the queue and its completion on its way.
    let result = started.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(result, Some(32 << 20));
    io::reuse_stream(&core).unwrap();
    assert!(
        delivered.load(Ordering::SeqCst),
        "DisconnectEx(TF_REUSE_SOCKET) returned before the send's completion was delivered"
    );
    assert!(reader.join().unwrap());
}
