//! Test hosts A (10.0.0.1) and B (10.0.0.2) joined by a veth whose A side is
//! rate-limited, so overlapped sends really pend; shared by the overlapped
//! test binaries. Building the hosts needs root; a failure fails the test.
#![allow(dead_code)]

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use testnet::{Host, Net};
use ws2::{Family, PendingSend, Socket, SocketKind};
use ws2_engine::SocketCore;

/// How long any single wait in these tests may take.
pub const LONG: Duration = Duration::from_secs(10);

/// A (10.0.0.1) ↔ B (10.0.0.2) with A's side limited to `rate`.
pub struct SlowLink {
    _net: Net,
    pub a: Host,
    pub b: Host,
    pub link: testnet::Link,
}

pub fn slow_link(rate: &str) -> SlowLink {
    let net = Net::new().expect("cannot set up network namespaces (root needed)");
    let a = net.host("a").expect("host a");
    let b = net.host("b").expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("veth a-b");
    a.rate_limit(&link.a_ifname, rate).expect("tc tbf on a");
    SlowLink {
        _net: net,
        a,
        b,
        link,
    }
}

impl SlowLink {
    /// A socket living in A with a small send buffer.
    pub fn sender(&self) -> Socket {
        self.a.run(|| {
            let tx = Socket::udp_v4().expect("socket in a");
            tx.set_send_buffer_size(4096).expect("SO_SNDBUF");
            tx
        })
    }

    /// The engine's socket core (what the C ABI calls), living in A with
    /// the same small send buffer as [`SlowLink::sender`].
    pub fn sender_core(&self) -> Arc<SocketCore> {
        self.a.run(|| {
            let core =
                SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).expect("socket in a");
            core.set_int_option(
                libc::SOL_SOCKET,
                libc::SO_SNDBUF,
                4096,
                "setsockopt(SO_SNDBUF)",
            )
            .expect("SO_SNDBUF");
            Arc::new(core)
        })
    }

    /// Steers every packet B receives to one CPU's backlog (see
    /// `testnet::Host::receive_on_one_cpu`).
    pub fn receive_on_one_cpu(&self) {
        self.b
            .receive_on_one_cpu(&self.link.b_ifname)
            .expect("RPS on one CPU");
    }

    /// A receiver bound in B.
    pub fn receiver(&self) -> UdpSocket {
        let rx = self
            .b
            .run(|| UdpSocket::bind("10.0.0.2:0"))
            .expect("bind receiver in b");
        rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        rx
    }
}

/// Queues 1200-byte overlapped sends until one stays pending (S30); returns
/// every `PendingSend` issued, the last one pending.
pub fn fill_until_pending(tx: &Socket, to: SocketAddr) -> Vec<PendingSend<Vec<u8>>> {
    let mut out = Vec::new();
    let start = Instant::now();
    for i in 0..2000u32 {
        assert!(start.elapsed() < LONG, "nothing pended within {LONG:?}");
        let mut data = vec![0x5a; 1200];
        data[..4].copy_from_slice(&i.to_le_bytes());
        let p = tx
            .send_overlapped(data, Some(to), &[])
            .map_err(|e| e.error)
            .expect("overlapped send accepted");
        let pending = !p.is_complete();
        out.push(p);
        if pending {
            return out;
        }
    }
    panic!("2000 overlapped sends never filled the rate-limited link");
}

/// `p`'s completion, failing the test if none comes within [`LONG`].
pub fn wait_done<B>(p: PendingSend<B>, what: &str) -> ws2::SendCompletion<B> {
    match p.wait_timeout(LONG) {
        Ok(c) => c,
        Err(_) => panic!("{what}: no completion within {LONG:?}"),
    }
}
