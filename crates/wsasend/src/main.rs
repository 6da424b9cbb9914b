//! `wsasend`: send datagrams with Windows `WSASendMsg` semantics through the
//! ws2 Rust API.
//!
//! - `wsasend` / `wsasend demo`: loopback demo that checks every mode and
//!   control message against its own receivers.
//! - `wsasend send`: real traffic.
//! - `wsasend recv`: receive and print each datagram's path (source,
//!   destination, interface, TOS/ECN, TTL).
//! - `wsasend bench`: ws2 `send_msg` and the overlapped modes against raw
//!   `libc::sendmsg`, interleaved rounds, medians; `--pending` measures the
//!   pending path over a rate-limited veth link instead.

mod bench;
mod demo;
mod pending;
mod recv;
mod send;

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "wsasend", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Loopback demo: send with every supported mode and control message to
    /// receivers on 127.0.0.1 and [::1] and check what arrived (default).
    Demo,
    /// Send real traffic with WSASendMsg.
    Send(SendArgs),
    /// Receive datagrams with WSARecvMsg-style control data and print each
    /// one's source, destination, interface, TOS/ECN and TTL.
    Recv(RecvArgs),
    /// Compare ws2 WSASendMsg with raw sendmsg on the same socket.
    Bench(BenchArgs),
    /// One measured loop (for callgrind; see bench-callgrind.sh).
    #[command(hide = true)]
    BenchOne(BenchOneArgs),
}

#[derive(clap::Args, Debug)]
pub struct SendArgs {
    /// Destination, e.g. 192.0.2.1:9000 or [2001:db8::1]:9000.
    #[arg(long, value_name = "ADDR:PORT")]
    pub to: SocketAddr,
    /// Source address to send from (IP_PKTINFO / IPV6_PKTINFO control message).
    #[arg(long, value_name = "SRC_IP")]
    pub from: Option<IpAddr>,
    /// Number of datagrams (1 to 10,000,000).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: u64,
    /// Payload bytes per datagram.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(0..=65535))]
    pub size: u32,
    /// TOS byte (IPv4 IP_TOS) or traffic class (IPv6 IPV6_TCLASS); decimal or 0x hex.
    #[arg(long, value_parser = parse_u8)]
    pub tos: Option<u8>,
    /// ECN bits (0-3) with IP_ECN / IPV6_ECN; with --tos, DSCP comes from
    /// --tos and ECN from --ecn.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub ecn: Option<u8>,
    /// TTL (IPv4 IP_TTL) or hop limit (IPv6 IPV6_HOPLIMIT), 1-255.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=255))]
    pub ttl: Option<u8>,
    /// Split each call's --size bytes into datagrams of B bytes
    /// (UDP_SEND_MSG_SIZE, UDP GSO); --count counts calls.
    #[arg(long, value_name = "B", value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub segment_size: Option<u32>,
    /// Pause between datagrams, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub interval_ms: Option<u64>,
}

#[derive(clap::Args, Debug)]
pub struct RecvArgs {
    /// Address to bind, e.g. 127.0.0.1:9000, [::]:9000 (dual-stack) or [::1]:9000.
    #[arg(long, value_name = "ADDR:PORT")]
    pub bind: SocketAddr,
    /// Stop after this many datagrams (default: run until the timeout).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: Option<u64>,
    /// Give up after this long without a datagram (default: wait forever).
    #[arg(long, value_name = "MS")]
    pub timeout_ms: Option<u64>,
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Rounds (each runs every variant once, interleaved); at least 5.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(5..=1000))]
    pub rounds: u32,
    /// Datagrams per variant per round.
    #[arg(long, default_value_t = 20000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: u64,
    /// Payload sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "64,1200", value_parser = clap::value_parser!(u32).range(0..=65507))]
    pub sizes: Vec<u32>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Run only the pending-path bench instead: a rate-limited veth link
    /// between two network namespaces (needs root, `ip` and `tc`).
    #[arg(long)]
    pub pending: bool,
    /// Link rate of the pending bench (tc tbf syntax); by default, per
    /// size, the rate that carries 20,000 datagrams/s.
    #[arg(long, requires = "pending")]
    pub rate: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    RawPktinfo,
    Ws2Pktinfo,
    RawPlain,
    Ws2Plain,
    /// Rust `send_to_port`, then `CompletionPort::get`, per datagram.
    Ws2PortEach,
    /// Rust `send_to_port` x64, then `get_many(64)`.
    Ws2PortBatch,
    /// Rust `send_overlapped`, then `PendingSend::wait`, per datagram.
    Ws2Event,
    /// Rust `send_with_routine` x64, then `sleep_alertable(0)`.
    Ws2Routine,
    /// C ABI `WSASendMsg` with an OVERLAPPED on a port socket with
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (dequeue only pending ones).
    CapiPortSkip,
    /// C ABI `WSASendMsg` with an OVERLAPPED on a port socket, then
    /// `GetQueuedCompletionStatus` per datagram.
    CapiPort,
    /// Raw Linux UDP GSO: `sendmsg` with a `SOL_UDP`/`UDP_SEGMENT` cmsg,
    /// 65507 / size segments per call (54 x 1200 bytes); --count datagrams.
    RawGso,
    /// ws2 `send_msg` with `ControlMessage::SegmentSize(size)`, same calls.
    Ws2Gso,
}

#[derive(clap::Args, Debug)]
pub struct BenchOneArgs {
    #[arg(long, value_enum)]
    pub mode: Mode,
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(0..=65507))]
    pub size: u32,
    #[arg(long, default_value_t = 10000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: u64,
}

fn parse_u8(s: &str) -> Result<u8, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u8::from_str_radix(hex, 16),
        None => s.parse::<u8>(),
    };
    r.map_err(|e| format!("expected 0-255 or 0x00-0xff: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Demo) {
        Command::Demo => demo::run(),
        Command::Send(args) => send::run(&args),
        Command::Recv(args) => recv::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::BenchOne(args) => bench::run_one(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("wsasend: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Errors surfaced to the user: a message, already explaining what failed.
pub type AppResult<T> = Result<T, String>;
