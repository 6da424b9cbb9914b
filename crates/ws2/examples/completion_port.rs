//! Overlapped sends completed through a completion port, the way Windows
//! servers use one: sockets are associated with the port, each with a key;
//! sends return at once and hand their buffers to ws2; a worker thread takes
//! the completions (the key, the result, the buffer back). When every send
//! is issued, the main thread posts a packet of its own to the port
//! (`PostQueuedCompletionStatus`) telling the worker how many there were.
//! Sends on a socket bound to a port are not tied to the issuing thread.
//!
//! ```sh
//! cargo run -p ws2-linux --example completion_port
//! ```

use std::net::UdpSocket;
use std::time::Duration;

use ws2::{CompletionPort, Socket};

const SENDS_PER_SOCKET: usize = 100;
/// The key of the packet that tells the worker how many sends to expect.
const ISSUED: usize = 0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rx = UdpSocket::bind("127.0.0.1:0")?;
    let to = rx.local_addr()?;
    let port = CompletionPort::new();
    let sockets = [Socket::udp_v4()?, Socket::udp_v4()?];
    for (i, s) in sockets.iter().enumerate() {
        port.associate(s, i + 1)?; // keys 1 and 2
    }

    // The peer: receives every datagram (reading as they come, so that
    // none overflows its receive buffer).
    rx.set_read_timeout(Some(Duration::from_secs(10)))?;
    let total = SENDS_PER_SOCKET * sockets.len();
    let peer = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        (0..total).try_for_each(|_| rx.recv_from(&mut buf).map(drop))
    });

    // The worker: takes completions until it has seen as many as the
    // ISSUED packet says were sent (that packet may come before the last
    // completions: they complete on ws2's reactor, in their own time).
    let worker_port = port.clone();
    let worker = std::thread::spawn(move || {
        let mut per_key = [(0usize, 0usize); 3]; // (completions, bytes) by key
        let mut issued = None;
        while issued != Some(per_key[1].0 + per_key[2].0) {
            let Some(done) = worker_port.get(Some(Duration::from_secs(10))) else {
                return Err("no completion in 10 s".to_string());
            };
            let bytes = done.result.clone().map_err(|e| e.to_string())?;
            if done.key == ISSUED {
                issued = Some(bytes);
                continue;
            }
            let key = done.key;
            let buffer: Vec<u8> = done.buffer().ok_or("the buffer did not come back")?;
            if buffer.len() != bytes {
                return Err(format!(
                    "{bytes} bytes sent of a {}-byte buffer",
                    buffer.len()
                ));
            }
            per_key[key].0 += 1;
            per_key[key].1 += bytes;
        }
        Ok(per_key)
    });

    for i in 0..SENDS_PER_SOCKET {
        for s in &sockets {
            let buffer = format!("datagram {i}").into_bytes();
            s.send_to_port(buffer, Some(to), &[])
                .map_err(ws2::Error::from)?;
        }
    }
    port.post(ISSUED, total as u32);

    peer.join().map_err(|_| "the peer panicked")??;
    println!("the peer received all {total} datagrams");
    let per_key = worker.join().map_err(|_| "the worker panicked")??;
    for (key, (count, bytes)) in per_key.iter().enumerate().skip(1) {
        println!("key {key}: {count} sends completed, {bytes} bytes, every buffer handed back");
        if *count != SENDS_PER_SOCKET {
            return Err(format!("key {key}: {count} completions, not {SENDS_PER_SOCKET}").into());
        }
    }
    Ok(())
}
