//! `examples/c/echo_server.c` on a multi-homed host (S1, S24, S25, S27):
//! the server runs in a namespace with 10.5.0.1, 10.5.0.11 and fd00:5::1 on
//! one link; a client host sends to each address and checks the echo comes
//! back FROM the address it sent to. Root, `cc` and namespaces are
//! required: without them the test fails, it never skips.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use testnet::{Host, Net};

const PORT: u16 = 5005;
const ROUNDS: usize = 2;
const TARGETS: [&str; 3] = ["10.5.0.11", "10.5.0.1", "fd00:5::1"];

fn client(host: &Host, bind: &str) -> UdpSocket {
    let bind = bind.to_string();
    let s = host
        .run(move || UdpSocket::bind(bind))
        .expect("client socket");
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s
}

// S25: the dual-stack server answers IPv4 clients with IN_PKTINFO and IPv6
// clients with IN6_PKTINFO (S24), taken from WSARecvMsg's Control (S27).
#[test]
fn echo_server_replies_from_the_address_it_was_sent_to() {
    let net = Net::new().expect("cannot set up network namespaces (root needed)");
    let server = net.host("srv").expect("server host");
    let cli = net.host("cli").expect("client host");
    let link = net
        .link(&server, "10.5.0.1/24", &cli, "10.5.0.2/24")
        .expect("veth srv-cli");
    server
        .add_addr(&link.a_ifname, "10.5.0.11/24")
        .expect("10.5.0.11");
    server
        .add_addr(&link.a_ifname, "fd00:5::1/64")
        .expect("fd00:5::1");
    cli.add_addr(&link.b_ifname, "fd00:5::2/64")
        .expect("fd00:5::2");

    let exe = common::compile_example("echo_server");
    let count = (ROUNDS * TARGETS.len()).to_string();
    let port = PORT.to_string();
    let running = common::start(
        server.command(&[exe.to_str().unwrap(), &port, &count]),
        "echo_server",
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running.stdout_so_far().contains("listening") {
        assert!(
            Instant::now() < deadline,
            "echo_server did not start listening; stdout so far: {}",
            running.stdout_so_far()
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    let v4 = client(&cli, "0.0.0.0:0");
    let v6 = client(&cli, "[::]:0");
    for round in 0..ROUNDS {
        for target in TARGETS {
            let to: SocketAddr = SocketAddr::new(target.parse().unwrap(), PORT);
            let sock = if to.is_ipv4() { &v4 } else { &v6 };
            let msg = format!("round {round} to {target}");
            sock.send_to(msg.as_bytes(), to).expect("client send");
            let mut buf = [0u8; 256];
            let (n, from) = sock.recv_from(&mut buf).unwrap_or_else(|e| {
                panic!(
                    "no echo for {msg:?} ({e}); server output so far:\n{}",
                    running.stdout_so_far()
                )
            });
            assert_eq!(&buf[..n], msg.as_bytes(), "echoed payload");
            assert_eq!(
                from, to,
                "S25: the echo must come FROM the address the client sent to"
            );
        }
    }
    let out = running.wait(Duration::from_secs(10));
    common::assert_success(&out, "echo_server");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("echoed from").count(),
        ROUNDS * TARGETS.len(),
        "{text}"
    );
}
