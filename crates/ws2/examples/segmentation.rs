//! Segmentation with `UDP_SEND_MSG_SIZE`: one send of a large buffer leaves
//! as many datagrams of the given size, the last one shorter (UDP GSO: one
//! system call for all of them). The control message sets it per send; the
//! socket option (`Socket::set_segment_size`) for every send.
//!
//! ```sh
//! cargo run -p ws2-linux --example segmentation
//! ```

use std::io::IoSlice;
use std::time::Duration;

use ws2::{ControlMessage, Message, SendFlags, Socket};

const SEGMENT: usize = 1200;
const TOTAL: usize = 10_000;

/// Receives the datagrams one send made, and their sizes.
fn receive(rx: &Socket, total: usize) -> Result<Vec<usize>, ws2::Error> {
    let mut sizes = Vec::new();
    let mut buf = vec![0u8; 65536];
    while sizes.iter().sum::<usize>() < total {
        let (n, _) = rx.recv_from(&mut buf)?;
        sizes.push(n);
    }
    Ok(sizes)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rx = Socket::udp_v4()?;
    rx.bind("127.0.0.1:0".parse()?)?;
    rx.set_recv_timeout(Some(Duration::from_secs(5)));
    let to = rx.local_addr()?;
    let tx = Socket::udp_v4()?;
    let payload: Vec<u8> = (0..TOTAL).map(|i| i as u8).collect();
    let expected: Vec<usize> = payload.chunks(SEGMENT).map(<[u8]>::len).collect();

    // Per send: the control message.
    let bufs = [IoSlice::new(&payload)];
    let control = [ControlMessage::SegmentSize(SEGMENT as u32)];
    let sent = tx.send_msg(
        &Message::new(&bufs).to(to).control(&control),
        SendFlags::NONE,
    )?;
    let sizes = receive(&rx, TOTAL)?;
    println!(
        "UDP_SEND_MSG_SIZE {SEGMENT} (control message): one send of {sent} bytes arrived as {} datagrams: {sizes:?}",
        sizes.len()
    );
    if sizes != expected {
        return Err(format!("expected datagrams of {expected:?}").into());
    }

    // For every send: the socket option.
    tx.set_segment_size(SEGMENT as u32)?;
    let sent = tx.send_to(&payload, to)?;
    let sizes = receive(&rx, TOTAL)?;
    println!(
        "UDP_SEND_MSG_SIZE {SEGMENT} (socket option):  one send of {sent} bytes arrived as {} datagrams",
        sizes.len()
    );
    if sizes != expected {
        return Err(format!("expected datagrams of {expected:?}, got {sizes:?}").into());
    }
    Ok(())
}
