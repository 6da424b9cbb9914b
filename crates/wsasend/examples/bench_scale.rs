//! `wsasend bench scale` with its pending part: the sockets part and the
//! memory per posted receive as the command runs them, plus N = 1 …
//! 100,000 overlapped sends pending across sockets behind a rate-limited
//! link, and the memory per pending send. A bench of the repository, not
//! of the installed `wsasend` (it builds its link with the unpublished test
//! hosts); run it in a checkout, as root:
//!
//! ```sh
//! cargo run --release -p wsasend --example bench_scale -- [--quick] [--json]
//! ```
//!
//! Setup (root): two network namespaces joined by a veth pair (the
//! `testnet` crate), a `tc tbf` qdisc on the sender's end (its rate set by
//! the bench), the senders created inside namespace A with a 4 KiB
//! `SO_SNDBUF` (so nearly every send waits in ws2's queue), one unread
//! receiver in namespace B.

use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;

use clap::Parser;
use ws2::Socket;
use wsasend::{AppError, AppResult, PendingLink, ScaleOptions};

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "bench_scale",
    about = "wsasend bench scale, with overlapped sends pending behind a rate-limited veth link between two network namespaces (root)"
)]
struct ScaleArgs {
    /// At most 30 s: fewer datagrams and rounds.
    #[arg(long)]
    quick: bool,
    /// Print JSON instead of tables.
    #[arg(short = 'J', long)]
    json: bool,
}

const TX_ADDR: &str = "10.78.0.1";
const RX_ADDR: &str = "10.78.0.2";

/// The link: hosts A (senders) and B (the receiver).
struct Link {
    a: testnet::Host,
    dev: String,
    dest: SocketAddr,
    _rx: UdpSocket,
    _b: testnet::Host,
    _net: testnet::Net,
}

impl PendingLink for Link {
    fn senders(&self, n: usize) -> AppResult<Vec<Socket>> {
        self.a.run(|| {
            (0..n)
                .map(|_| {
                    let s = Socket::udp_v4().map_err(|e| format!("ws2 socket: {e}"))?;
                    s.set_send_buffer_size(4096)
                        .map_err(|e| format!("SO_SNDBUF: {e}"))?;
                    Ok(s)
                })
                .collect()
        })
    }

    fn destination(&self) -> SocketAddr {
        self.dest
    }

    fn set_rate(&self, rate: &str) -> AppResult<()> {
        self.a
            .tc(&[
                "qdisc", "replace", "dev", &self.dev, "root", "tbf", "rate", rate, "burst", "32k",
                "limit", "1000000",
            ])
            .map(drop)
            .map_err(|e| AppError::setup(format!("tc tbf: {e}")))
    }
}

fn link() -> AppResult<Link> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(AppError::setup(
            "the pending part needs root (network namespaces, a veth pair and a tc qdisc)",
        ));
    }
    let terr = |e: testnet::Error| e.to_string();
    let net = testnet::Net::new().map_err(terr)?;
    let a = net.host("scaletx").map_err(terr)?;
    let b = net.host("scalerx").map_err(terr)?;
    let link = net
        .link(&a, &format!("{TX_ADDR}/24"), &b, &format!("{RX_ADDR}/24"))
        .map_err(terr)?;
    let rx = b
        .run(|| UdpSocket::bind(format!("{RX_ADDR}:0")))
        .map_err(|e| format!("bind receiver: {e}"))?;
    let dest = rx
        .local_addr()
        .map_err(|e| format!("receiver address: {e}"))?;
    Ok(Link {
        a,
        dev: link.a_ifname.clone(),
        dest,
        _rx: rx,
        _b: b,
        _net: net,
    })
}

fn main() -> ExitCode {
    let args = match ScaleArgs::try_parse() {
        Ok(args) => args,
        Err(e) => return wsasend::parse_error(e),
    };
    let opts = ScaleOptions {
        quick: args.quick,
        json: args.json,
    };
    match link().and_then(|link| wsasend::run_scale(&opts, Some(&link))) {
        Ok(code) => code,
        Err(e) => {
            if !e.message.is_empty() {
                wsasend::complain(&e.message);
            }
            ExitCode::from(e.exit)
        }
    }
}
