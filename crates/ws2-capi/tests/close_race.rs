//! S5: a receive that races `closesocket` on another thread never
//! reaches another socket. ws2 lends a thread's last socket to its calls
//! without a reference count, and `closesocket` lets the kernel socket go at
//! once by making its fds name a placeholder until the last reference goes
//! (DESIGN, "A thread remembers its last socket and lends it"): a socket made
//! right after the close cannot take the fd number a racing call still uses.
//!
//! Each round: a thread receives without blocking on a socket again and
//! again (so it remembers it) until the handle is gone, while this thread
//! closes that socket and at once makes new sockets, each holding a datagram
//! marked "new". The receiving thread must never get one. Bounded: 300
//! rounds, each thread's loop at most 2 s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use ws2_abi as abi;

fn last_error() -> i32 {
    ws2_32::WSAGetLastError()
}

/// A UDP socket bound to 127.0.0.1:0, and its address.
fn bound() -> (abi::SOCKET, abi::SOCKADDR_IN) {
    let s = ws2_32::socket(abi::AF_INET, abi::SOCK_DGRAM, abi::IPPROTO_UDP);
    assert_ne!(s, abi::INVALID_SOCKET, "socket: {}", last_error());
    let mut a = abi::SOCKADDR_IN {
        sin_family: abi::AF_INET as abi::ADDRESS_FAMILY,
        sin_port: 0,
        sin_addr: abi::IN_ADDR {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    };
    let mut len = size_of::<abi::SOCKADDR_IN>() as i32;
    // SAFETY: `a` is a live SOCKADDR_IN of `len` bytes.
    unsafe {
        assert_eq!(ws2_32::bind(s, (&raw const a).cast(), len), 0, "bind");
        assert_eq!(ws2_32::getsockname(s, (&raw mut a).cast(), &mut len), 0);
    }
    (s, a)
}

/// Sends `data` from `s` to `to`.
fn send(s: abi::SOCKET, data: &[u8], to: &abi::SOCKADDR_IN) {
    // SAFETY: `data` and `to` are live for the call.
    let n = unsafe {
        ws2_32::sendto(
            s,
            data.as_ptr().cast(),
            data.len() as i32,
            0,
            (to as *const abi::SOCKADDR_IN).cast(),
            size_of::<abi::SOCKADDR_IN>() as i32,
        )
    };
    assert_eq!(n, data.len() as i32, "sendto: {}", last_error());
}

#[test]
fn a_receive_racing_closesocket_never_reaches_a_new_socket() {
    // SAFETY: WSADATA is plain C data; all-zero is valid.
    let mut data: abi::WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: `data` is a live WSADATA.
    assert_eq!(unsafe { ws2_32::WSAStartup(0x0202, &mut data) }, 0);
    for round in 0..300 {
        let (old, old_addr) = bound();
        let mut on = 1u32;
        // SAFETY: `on` is a live u_long.
        assert_eq!(
            unsafe { ws2_32::ioctlsocket(old, abi::FIONBIO as _, &mut on) },
            0
        );
        send(old, b"old", &old_addr);
        let start = Arc::new(Barrier::new(2));
        let got_new = Arc::new(AtomicBool::new(false));
        let receiver = {
            let (start, got_new) = (start.clone(), got_new.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 16];
                start.wait();
                let deadline = Instant::now() + Duration::from_secs(2);
                while Instant::now() < deadline {
                    // SAFETY: `buf` is live and writable for its length.
                    let n = unsafe {
                        ws2_32::recvfrom(
                            old,
                            buf.as_mut_ptr().cast(),
                            buf.len() as i32,
                            0,
                            std::ptr::null_mut(),
                            std::ptr::null_mut(),
                        )
                    };
                    if n > 0 && &buf[..n as usize] == b"new" {
                        got_new.store(true, Ordering::Relaxed);
                    }
                    if n < 0 && last_error() == abi::WSAENOTSOCK {
                        return true;
                    }
                }
                false
            })
        };
        start.wait();
        assert_eq!(ws2_32::closesocket(old), 0, "closesocket");
        let fresh: Vec<abi::SOCKET> = (0..4)
            .map(|_| {
                let (s, a) = bound();
                send(s, b"new", &a);
                s
            })
            .collect();
        let ended = receiver.join().expect("receiver thread");
        assert!(
            ended,
            "round {round}: the closed handle kept working for 2 s"
        );
        assert!(
            !got_new.load(Ordering::Relaxed),
            "round {round}: a receive on the closed handle read a new socket's datagram"
        );
        for s in fresh {
            assert_eq!(ws2_32::closesocket(s), 0);
        }
    }
    assert_eq!(ws2_32::WSACleanup(), 0);
}
