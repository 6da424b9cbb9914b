//! Multicast as Windows delivers it, on the loopback interface: a socket
//! bound to 127.0.0.1 joins a group on interface 1 (`lo`) and receives it
//! (Linux alone would never deliver a group to a socket bound to a unicast
//! address); a second socket on the same port that did not join receives
//! nothing; with `IP_MULTICAST_LOOP` off, the joined socket no longer
//! receives the group datagrams this host sends (on Windows the receiver
//! decides); after the leave, nothing arrives.
//!
//! ```sh
//! cargo run -p ws2-linux --example multicast
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use ws2::Socket;

const GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 77, 1);
const LOOPBACK_INDEX: u32 = 1;

fn receive(s: &Socket) -> Option<String> {
    let mut buf = [0u8; 256];
    match s.recv_from(&mut buf) {
        Ok((n, _)) => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
        Err(e) if e.code() == ws2::WSAETIMEDOUT => None,
        Err(e) => panic!("receive: {e}"),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let joined = Socket::udp_v4()?;
    joined.bind("127.0.0.1:0".parse()?)?;
    let port = joined.local_addr()?.port();
    joined.join_multicast_v4(GROUP, LOOPBACK_INDEX)?;
    joined.set_recv_timeout(Some(Duration::from_millis(300)));

    // Another socket on the port (wildcard + specific share it without
    // options, as Windows' bind table says), which joins nothing.
    let bystander = Socket::udp_v4()?;
    bystander.bind(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port))?;
    bystander.set_recv_timeout(Some(Duration::from_millis(300)));

    let sender = Socket::udp_v4()?;
    sender.set_multicast_interface(LOOPBACK_INDEX)?;
    let to = SocketAddr::new(GROUP.into(), port);

    sender.send_to(b"hello, group", to)?;
    println!("joined socket received: {:?}", receive(&joined));
    println!("bystander received: {:?}", receive(&bystander));

    joined.set_multicast_loop(false);
    sender.send_to(b"from this host", to)?;
    println!("with the loop off: {:?}", receive(&joined));
    joined.set_multicast_loop(true);

    joined.leave_multicast_v4(GROUP, LOOPBACK_INDEX)?;
    sender.send_to(b"after the leave", to)?;
    println!("after the leave: {:?}", receive(&joined));
    Ok(())
}
