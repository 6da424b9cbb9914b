//! `shutdown` with a `how` that is not `SD_RECEIVE`, `SD_SEND` or `SD_BOTH`
//! (S13): the C ABI passes any int through; the safe API's
//! `std::net::Shutdown` cannot express one, so the engine is tested here.

use std::io::IoSlice;
use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use ws2_abi as abi;
use ws2_engine::{Family, Message, SendFlags, SocketCore, SocketKind};

// S13
#[test]
fn s13_invalid_how_is_refused_and_changes_nothing() {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let tx = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap());
    let err = tx.shutdown(7).unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    let err = tx.shutdown(-1).unwrap_err();
    assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
    // An invalid how changed nothing.
    tx.ensure_bound().unwrap();
    let bufs = [IoSlice::new(b"ok")];
    let to = rx.local_addr().unwrap();
    tx.send_message(&Message::new(&bufs).to(to), SendFlags::NONE)
        .unwrap();
    let mut got = [0u8; 8];
    let n = rx.recv(&mut got).unwrap();
    assert_eq!(&got[..n], b"ok");
}
