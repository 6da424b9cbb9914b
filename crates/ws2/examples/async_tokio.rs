//! ws2 with tokio: sends are futures (`Socket::send_msg_async`, an
//! overlapped send whose completion wakes the task), and receives wait for
//! readiness with tokio's `AsyncFd` (a `Socket` is `AsFd`). The receiving
//! socket is non-blocking, so a receive with nothing waiting answers
//! `WSAEWOULDBLOCK`, which `std::io::Error` reads as `WouldBlock`.
//!
//! ```sh
//! cargo run -p ws2-linux --example async_tokio
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use ws2::{ControlMessage, Socket};

/// Receives one datagram, waiting for the socket to be readable.
async fn receive(rx: &AsyncFd<Socket>) -> std::io::Result<(Vec<u8>, SocketAddr)> {
    let mut buf = vec![0u8; 2048];
    loop {
        let mut ready = rx.readable().await?;
        match ready.try_io(|s| s.get_ref().recv_from(&mut buf).map_err(Into::into)) {
            Ok(got) => {
                let (n, from) = got?;
                buf.truncate(n);
                return Ok((buf, from));
            }
            Err(_would_block) => continue, // readiness cleared: wait again
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let socket = Socket::udp_v4()?;
    socket.bind("127.0.0.1:0".parse()?)?;
    socket.set_nonblocking(true);
    let to = socket.local_addr()?;
    // SAFETY: the socket moves into the AsyncFd and no clone of it exists,
    // so nothing closes it (`Socket::close`) or changes its fd while the
    // AsyncFd owns it: its fd stays open and the same, as tokio requires.
    let rx = unsafe { AsyncFd::register_with_interest(socket, Interest::READABLE) }?;

    let tx = Socket::udp_v4()?;
    let receiver = async {
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(receive(&rx).await?);
        }
        Ok::<_, std::io::Error>(got)
    };
    let sender = async {
        for (i, ttl) in [64u8, 32, 16].into_iter().enumerate() {
            let payload = format!("message {i}").into_bytes();
            // The buffer is the send's until it completes; it comes back.
            let done = tx
                .send_msg_async(payload, Some(to), &[ControlMessage::Ttl(ttl)])
                .map_err(ws2::Error::from)?
                .await;
            println!("sent {} bytes with TTL {ttl}", done.result?);
        }
        Ok::<_, ws2::Error>(())
    };
    let (received, sent) = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::join!(receiver, sender)
    })
    .await?;
    sent?;
    for (data, from) in received? {
        println!("received {:?} from {from}", String::from_utf8_lossy(&data));
    }
    Ok(())
}
