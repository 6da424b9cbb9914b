//! Stream sockets from Rust (SPEC P8, part 1): `TcpListener` and
//! `TcpStream` keep Windows' rules. Each test names the Windows-run record
//! it follows (Wine's `sock.c`; research-streams.md).

use std::io::{Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use ws2::{TcpListener, TcpStream};

fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed) ^ (i >> 13) as u8)
        .collect()
}

/// Reads `s` to its end (non-blocking, bounded in time).
fn read_to_end_nonblocking(s: &TcpStream) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match s.recv(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.code() == ws2::WSAEWOULDBLOCK => {
                assert!(Instant::now() < deadline, "the stream did not end");
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => panic!("recv: {e}"),
        }
    }
}

// P8: test_send_buffering — every successful non-blocking send takes the
// whole buffer; the loop ends in WSAEWOULDBLOCK; dropping the stream at once
// still delivers every byte, in order.
#[test]
fn non_blocking_sends_are_whole_and_survive_the_drop() {
    let (client, server) = pair();
    client.set_nonblocking(true);
    server.set_nonblocking(true);
    let data = pattern(16 << 20, 5);
    let mut sends = 0;
    loop {
        match server.send(&data) {
            Ok(n) => {
                assert_eq!(n, data.len(), "a partial non-blocking send");
                sends += 1;
                assert!(sends < 16);
            }
            Err(e) => {
                assert_eq!(e.code(), ws2::WSAEWOULDBLOCK);
                break;
            }
        }
    }
    assert!(sends >= 1);
    drop(server);
    let got = read_to_end_nonblocking(&client);
    assert_eq!(got.len(), sends * data.len());
    for chunk in got.chunks(data.len()) {
        assert!(chunk == &data[..], "bytes out of order or damaged");
    }
}

// P8: Microsoft's shutdown page — the FIN of shutdown(SD_SEND) follows the
// bytes already taken; a later send is WSAESHUTDOWN.
#[test]
fn shutdown_write_sends_the_end_after_the_buffered_bytes() {
    let (client, server) = pair();
    server.set_nonblocking(true);
    let data = pattern(12 << 20, 9);
    assert_eq!(server.send(&data).unwrap(), data.len());
    server.shutdown(Shutdown::Write).unwrap();
    assert_eq!(server.send(b"x").unwrap_err().code(), ws2::WSAESHUTDOWN);
    let mut got = Vec::new();
    (&client).read_to_end(&mut got).unwrap();
    assert!(got == data);
}

// P8: test_tcp_reset — after the peer's abortive close every receive and
// send answers WSAECONNRESET.
#[test]
fn a_reset_is_reported_by_every_call() {
    let (client, server) = pair();
    client.set_linger(Some(Duration::ZERO)).unwrap();
    client.close().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let mut buf = [0u8; 4];
    for _ in 0..2 {
        assert_eq!(
            server.recv(&mut buf).unwrap_err().code(),
            ws2::WSAECONNRESET
        );
    }
    assert_eq!(server.send(b"x").unwrap_err().code(), ws2::WSAECONNRESET);
    let io: std::io::Error = server.recv(&mut buf).unwrap_err().into();
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionReset);
}

// P8: test_send — a blocking send returns once every byte is taken, while a
// reader drains the other end.
#[test]
fn a_blocking_send_returns_when_everything_is_taken() {
    let (client, server) = pair();
    let data = pattern(24 << 20, 1);
    let expected = data.clone();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        (&client).read_to_end(&mut got).unwrap();
        got
    });
    let t0 = Instant::now();
    (&server).write_all(&data).unwrap();
    assert!(t0.elapsed() < Duration::from_secs(30));
    server.close().unwrap();
    assert!(reader.join().unwrap() == expected);
}

// P8 S37: test_accept's AcceptKillThread — closing the listener wakes a
// blocked accept, which fails with WSAEINTR.
#[test]
fn closing_the_listener_interrupts_a_blocked_accept() {
    let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let l2 = listener.clone();
    let blocked = std::thread::spawn(move || l2.accept().map(|_| ()));
    std::thread::sleep(Duration::from_millis(200));
    let t0 = Instant::now();
    listener.close();
    let err = blocked.join().unwrap().unwrap_err();
    assert_eq!(err.code(), ws2::WSAEINTR);
    assert!(t0.elapsed() < Duration::from_secs(1));
}

// P8: test_connect — a port nothing listens on refuses; an IPv6 listener
// serves an IPv6 client; the peer of each end is the other's name.
#[test]
fn refused_ports_and_ipv6_streams() {
    let listener = TcpListener::bind("[::1]:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let client = TcpStream::connect(addr).unwrap();
    let (server, peer) = listener.accept().unwrap();
    assert_eq!(peer, client.local_addr().unwrap());
    assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
    (&client).write_all(b"over ipv6").unwrap();
    let mut buf = [0u8; 9];
    (&server).read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"over ipv6");
    listener.close();
    drop(listener);
    std::thread::sleep(Duration::from_millis(20));
    let err = TcpStream::connect(addr).unwrap_err();
    assert_eq!(err.code(), ws2::WSAECONNREFUSED);
}
