//! `DisconnectEx(TF_REUSE_SOCKET)` (`io::reuse_stream`, SPEC P8) returns
//! only once the completion of every overlapped send it waited for is
//! delivered, not merely once the send left the queue: the C test
//! `stream_reuse.c` (`taken_bytes_go_out_first`) checks the send's event
//! right after the call, and failed under load when the reactor had taken
//! the send off the queue but not yet set the event. And it succeeds,
//! the socket still bound, when the port `connect` chose is shared with
//! another connection that does not allow address reuse (the same C test
//! failed `WSAEADDRINUSE` about once in 8,000 runs). A send cancelled
//! meanwhile (`SIO_FLUSH`, `CancelIoEx`, `closesocket` on another thread)
//! is waited for the same way.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use ws2_engine::completion::Delivery;
use ws2_engine::{Family, SocketCore, SocketKind, io};

/// A send pending on a connected stream socket: 32 MiB, more than
/// loopback's socket buffers hold, so it stays queued until the peer reads
/// or it is cancelled. Its delivery holds the delivering thread 300 ms
/// (widening the window between the send leaving the queue and its
/// completion's delivery), then sets `delivered`; `started` receives its
/// result (the byte count or the Winsock code) as it begins.
struct SlowDeliveredSend {
    core: Arc<SocketCore>,
    peer: TcpStream,
    started: mpsc::Receiver<Result<usize, i32>>,
    delivered: Arc<AtomicBool>,
    _data: Vec<u8>,
}

const SEND_LEN: usize = 32 << 20;

fn slow_delivered_send() -> SlowDeliveredSend {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Stream, 0, true).unwrap());
    core.connect(&listener.local_addr().unwrap()).unwrap();
    let (peer, _) = listener.accept().unwrap();
    let data = vec![0x5au8; SEND_LEN];
    let iov = [libc::iovec {
        iov_base: data.as_ptr().cast_mut().cast(),
        iov_len: data.len(),
    }];
    let (started_tx, started) = mpsc::channel();
    let delivered = Arc::new(AtomicBool::new(false));
    let flag = delivered.clone();
    let delivery = Delivery::Callback(Box::new(move |result| {
        started_tx.send(result.map_err(|e| e.code())).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, Ordering::SeqCst);
    }));
    let submitted = io::send_stream_overlapped(&core, &iov, false, false, delivery, || {});
    assert!(matches!(submitted, Ok(io::Submitted::Pending)));
    SlowDeliveredSend {
        core,
        peer,
        started,
        delivered,
        _data: data,
    }
}

// P8
#[test]
fn reuse_waits_for_the_delivery_of_a_written_send() {
    let send = slow_delivered_send();
    let mut peer = send.peer;
    let reader = std::thread::spawn(move || {
        peer.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut got = vec![0u8; SEND_LEN];
        peer.read_exact(&mut got).unwrap();
        got.iter().all(|&b| b == 0x5a)
    });
    // The send is off the queue and its completion on its way.
    let result = send.started.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(result, Ok(SEND_LEN));
    io::reuse_stream(&send.core).unwrap();
    assert!(
        send.delivered.load(Ordering::SeqCst),
        "DisconnectEx(TF_REUSE_SOCKET) returned before the send's completion was delivered"
    );
    assert!(reader.join().unwrap());
}

// P8
#[test]
fn reuse_waits_for_the_delivery_of_a_cancelled_send() {
    // The peer never reads: the send stays queued until it is cancelled.
    let send = slow_delivered_send();
    // `SIO_FLUSH` on another thread: it takes the send off the queue and
    // delivers its completion there.
    let flusher = {
        let core = send.core.clone();
        std::thread::spawn(move || core.flush())
    };
    let result = send.started.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(result, Err(ws2_abi::WSA_OPERATION_ABORTED));
    io::reuse_stream(&send.core).unwrap();
    assert!(
        send.delivered.load(Ordering::SeqCst),
        "DisconnectEx(TF_REUSE_SOCKET) returned before the cancelled send's completion was delivered"
    );
    flusher.join().unwrap();
}

/// `IP_LOCAL_PORT_RANGE` (Linux 6.3, `<linux/in.h>`; not in the `libc`
/// crate): the range `connect` picks a socket's ephemeral port from.
const IP_LOCAL_PORT_RANGE: libc::c_int = 51;

/// Makes `connect` on `fd` take exactly `port` as its local port.
fn pin_ephemeral_port(fd: RawFd, port: u16) {
    let range = u32::from(port) | (u32::from(port) << 16);
    // SAFETY: optval points to a u32 of the length given.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_IP,
            IP_LOCAL_PORT_RANGE,
            (&raw const range).cast(),
            std::mem::size_of::<u32>() as libc::socklen_t,
        )
    };
    assert_eq!(
        r,
        0,
        "IP_LOCAL_PORT_RANGE: {}",
        std::io::Error::last_os_error()
    );
}

// P8
/// Linux lets `connect` give a port another connection (to another
/// destination) already uses, or a closed connection still holds in
/// TIME_WAIT, without address reuse on that socket; then no socket can
/// `bind` that port again, whatever its own options. The C test met it by
/// chance; here `IP_LOCAL_PORT_RANGE` makes the sharing certain. Two
/// rounds, a few connections each, no waits.
#[test]
fn reuse_after_connect_succeeds_when_another_connection_shares_the_port() {
    for holder_closed in [false, true] {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let second = TcpListener::bind("127.0.0.1:0").unwrap();
        // A plain socket (no SO_REUSEADDR) on a port connect chose.
        let holder = TcpStream::connect(first.local_addr().unwrap()).unwrap();
        let (mut held, _) = first.accept().unwrap();
        let port = holder.local_addr().unwrap().port();
        let _holder = if holder_closed {
            // It closes first: its port stays held (FIN_WAIT, TIME_WAIT).
            drop(holder);
            held.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            assert_eq!(held.read(&mut [0u8; 1]).unwrap(), 0);
            drop(held);
            None
        } else {
            Some((holder, held))
        };
        let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Stream, 0, true).unwrap());
        pin_ephemeral_port(core.raw_fd(), port);
        core.connect(&second.local_addr().unwrap()).unwrap();
        assert_eq!(
            core.local_addr().unwrap().port(),
            port,
            "the port is shared"
        );
        let (mut peer, _) = second.accept().unwrap();
        io::reuse_stream(&core).unwrap_or_else(|e| {
            panic!("DisconnectEx(TF_REUSE_SOCKET) failed (holder closed: {holder_closed}): {e}")
        });
        // Still bound, to the same address (ConnectEx's precondition).
        assert!(core.is_bound());
        let local = core.local_addr().unwrap();
        assert_eq!(local.ip(), "127.0.0.1".parse::<std::net::IpAddr>().unwrap());
        assert_ne!(local.port(), 0);
        // The peer sees the end, not a reset.
        peer.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        assert_eq!(peer.read(&mut [0u8; 1]).unwrap(), 0);
        // And the handle connects again from that address.
        let third = TcpListener::bind("127.0.0.1:0").unwrap();
        let to: SocketAddr = third.local_addr().unwrap();
        core.connect(&to).unwrap();
        third.accept().unwrap();
        assert_eq!(core.local_addr().unwrap(), local);
    }
}
