//! Closing a stream socket whose backlog the reactor still writes (P8),
//! with network events selected (P1): every byte still arrives, the event
//! association ends at `closesocket` (Microsoft's `WSAEventSelect` page:
//! "closesocket cancels the association"), and the reactor lets go of the
//! socket once the backlog is written, so its fd closes.

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ws2_abi as abi;
use ws2_engine::{Event, Family, SocketCore, SocketKind, io};

// P8 P1
#[test]
fn a_closed_stream_with_events_selected_is_let_go_after_its_backlog() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Stream, 0, true).unwrap());
    core.connect(&listener.local_addr().unwrap()).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    let event = Arc::new(Event::new());
    // WSAEventSelect makes the socket non-blocking: the send is taken whole.
    io::event_select(&core, Some(event.clone()), abi::FD_READ | abi::FD_CLOSE).unwrap();
    let data = vec![0x5au8; 16 << 20];
    let iov = [libc::iovec {
        iov_base: data.as_ptr().cast_mut().cast(),
        iov_len: data.len(),
    }];
    assert_eq!(
        io::send_stream(&core, &iov, false, false).unwrap(),
        data.len()
    );
    core.close();
    event.reset();
    peer.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut got = Vec::new();
    peer.read_to_end(&mut got).unwrap();
    assert_eq!(got.len(), data.len());
    // The peer's close after ours records nothing: the association ended.
    drop(peer);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Arc::strong_count(&core) > 1 {
        assert!(
            Instant::now() < deadline,
            "the reactor still holds the closed socket ({} references)",
            Arc::strong_count(&core)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!event.is_set(), "an event recorded after closesocket");
}
