//! Source selection with `IN_PKTINFO`: a server on a host with several
//! addresses answers each request from the address the request was sent
//! to, as Windows servers do with `WSARecvMsg` and `WSASendMsg`.
//!
//! The server learns each datagram's destination (`RecvInfo::DESTINATION`,
//! `IP_PKTINFO`) and sends the answer with a `ControlMessage::SourceV4` of
//! that address; without it the kernel would pick a source by its routing
//! table (what `ws2::route_to` shows), and a client that sent to the second
//! address would see the answer come from the first. Loopback stands in
//! for the host's addresses: all of 127.0.0.0/8 is local.
//!
//! ```sh
//! cargo run -p ws2-linux --example source_selection
//! ```

use std::io::{IoSlice, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use ws2::{ControlMessage, Message, RecvInfo, SendFlags, Socket};

const ADDRESSES: [Ipv4Addr; 3] = [
    Ipv4Addr::new(127, 0, 0, 1),
    Ipv4Addr::new(127, 0, 0, 2),
    Ipv4Addr::new(127, 0, 0, 3),
];
const WAIT: Option<Duration> = Some(Duration::from_secs(5));

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The server listens on every address of the host (here: of 127/8).
    let server = Socket::udp_v4()?;
    server.bind("0.0.0.0:0".parse()?)?;
    server.set_recv_info(RecvInfo::DESTINATION)?;
    server.set_recv_timeout(WAIT);
    let port = server.local_addr()?.port();

    let client = Socket::udp_v4()?;
    client.set_recv_timeout(WAIT);
    for addr in ADDRESSES {
        let to = SocketAddr::from((addr, port));
        let route = ws2::route_to(to)?;
        client.send_to(b"ping", to)?;

        // Server: receive, see which address the client sent to, and
        // answer from that address.
        let mut buf = [0u8; 64];
        let got = server.recv_msg(&mut [IoSliceMut::new(&mut buf)])?;
        let (dest, ifindex) = got
            .controls
            .destination_v4
            .ok_or("no destination reported (IP_PKTINFO)")?;
        let peer = got.from.ok_or("no source address")?;
        let control = [ControlMessage::SourceV4 {
            addr: dest,
            ifindex: 0,
        }];
        let answer = [IoSlice::new(b"pong")];
        server.send_msg(
            &Message::new(&answer).to(peer).control(&control),
            SendFlags::NONE,
        )?;

        // Client: the answer comes from the address it asked.
        let (n, from) = client.recv_from(&mut buf)?;
        println!(
            "asked {to}: arrived on interface {ifindex} for {dest}, answered {:?} from {from} (the routing table's source: {})",
            String::from_utf8_lossy(&buf[..n]),
            route.source,
        );
        if from != to {
            return Err(format!("the answer came from {from}, not {to}").into());
        }
    }
    println!("every answer came from the address its request was sent to");
    Ok(())
}
