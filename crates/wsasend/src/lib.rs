//! `wsasend`: send datagrams with Windows `WSASendMsg` semantics through the
//! ws2 Rust API.
//!
//! - `wsasend` / `wsasend demo`: loopback demo that checks every mode and
//!   control message against its own receivers.
//! - `wsasend send HOST PORT`: real traffic, paced by `--rate`, each
//!   datagram numbered (`header.rs`).
//! - `wsasend recv [ADDRESS] PORT`: receive and report per interval and in
//!   a summary: datagrams, bytes, loss, reordering, duplicates, jitter
//!   (`flow.rs`); with `--verbose` each datagram's path.
//! - `wsasend bench`: ws2 `send_msg` and the overlapped modes against raw
//!   `libc::sendmsg`, interleaved rounds, medians; `bench recv` the receive
//!   path against `recvmsg`, and URO against quinn-udp (`bench_recv`).
//!
//! This library is the command's code (`src/main.rs` calls [`main`]), so
//! that the repository's bench-only binaries reuse it: the pending-path
//! bench, `examples/bench_pending.rs`, builds network namespaces with the
//! unpublished test hosts and so is not part of the installed command. It
//! is not a stable API; Rust programs use the `ws2-linux` crate.

#[cfg(not(target_os = "linux"))]
compile_error!(
    "wsasend runs on Linux only: it is Winsock built on Linux's sockets, epoll and rtnetlink (ws2-linux)"
);

#[macro_use]
mod output;
mod args;
mod bench;
mod bench_recv;
mod demo;
mod flow;
mod header;
mod pace;
mod readiness;
mod recv;
mod scale;
mod send;
mod stream_bench;
mod table;

// What the bench-only binaries share with `wsasend bench`.
pub use bench::{PROGRESS, RawMsgRef, big_rcvbuf, leak, print_json};
pub use output::{JSON_VERSION, print_line, progress};
pub use scale::{PendingLink, ScaleOptions, run as run_scale};

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use args::{Rate, parse_duration, parse_rate, parse_u8};

const EXAMPLES: &str = "\
Examples:
  wsasend demo                              loopback demo of every mode, a table, exit 0
  wsasend recv 9000                         listen on port 9000 (IPv6 and IPv4), report at the end
  wsasend send localhost 9000 -c 1000 -r 500
                                            1000 numbered datagrams at 500 datagrams/s
  wsasend bench --rounds 5                  ws2 WSASendMsg against raw sendmsg, medians

Exit status: 0 done; 1 the traffic failed (sends failed, recv timed out
before --count, a demo case mismatched); 2 bad command line; 3 a host name
did not resolve; 4 could not set up (socket, bind, permissions, file).
A closed standard output (`wsasend recv | head -1`) ends the run quietly, status 0.";

const SEND_HELP: &str = "\
Examples:
  wsasend send 192.0.2.1 9000                       one 64-byte datagram
  wsasend send host.example:9000 -c 10000 -r 10M    10 Mbit/s of payload
  wsasend send [2001:db8::1]:9000 -d 10 -r 1000 -i 1
                                                    1000 datagrams/s for 10 s, a report a second
  echo hello | wsasend send localhost 9000 -f -     stdin as the payload
  wsasend send 10.0.0.2 9000 --from 10.0.0.11 --tos 0xb8 --ecn 1 --ttl 9

--rate: a plain number is datagrams per second (1000, 0.5); a number with
k, M or G, optionally followed by 'bit' (800k, 10M, 1Gbit, 64000bit), is
bits per second of UDP payload (decimal: k = 1000). A token bucket 20 ms
deep paces the sends: the long-run rate holds, a burst after a stall stays
within 20 ms worth.

Each generated datagram starts with a 24-byte header, all big-endian:
  0  magic 57 53 32 01 ('WS2', header version 1)
  4  session (u32, random per run)
  8  sequence number (u64, 0 for the run's first datagram; only datagrams
     the kernel took are numbered)
  16 send time (u64, nanoseconds since the Unix epoch)
then the bytes 'offset mod 256'. Below 24 bytes (--size, or a --segment-size
segment) there is no header and recv counts datagrams and bytes only.
--file payloads and --no-header are sent as they are.

Prints a summary (--json: one JSON object per line, see the README);
failed sends are also reported on stderr, and the status is then 1.";

const RECV_HELP: &str = "\
Examples:
  wsasend recv 9000                        every address, IPv6 and IPv4
  wsasend recv 127.0.0.1 9000 -c 1000      stop after 1000 datagrams
  wsasend recv 9000 -i 1 -d 30 --json      a JSON report a second, for 30 s
  wsasend recv ::1 9000 -v                 a line per datagram: source,
                                           destination, TOS/ECN, TTL, sequence

Reports per --interval and in a summary at the end (--count, --duration,
--timeout, SIGINT or SIGTERM): datagrams, bytes, bit rate, and for datagrams
with wsasend's sequence header: lost (numbers up to the highest seen that
never came), reordered, duplicates, and jitter (RFC 3550, as iperf3 reports
it). Start recv before send: a run's numbers start at 0.";

const BENCH_HELP: &str = "\
Examples:
  wsasend bench                            7 rounds x 20000 datagrams, 64 and 1200 bytes
  wsasend bench --rounds 5 --sizes 64 --json
  wsasend bench --readiness                select and WSAPoll over 1,000 sockets against poll(2)
  wsasend bench recv                       the receive path: WSARecvMsg against recvmsg, URO
  wsasend bench recv --quick --json        the same in at most 30 s, as JSON
  wsasend bench --stream                   TCP throughput: ws2 blocking and IOCP against send/recv

A progress bar runs on stderr when it is a terminal. The pending-path bench
(a rate-limited link between network namespaces) is a bench of the
repository, not of this command: in a checkout, as root,
  cargo run --release -p wsasend --example bench_pending";

#[derive(Parser, Debug)]
#[command(name = "wsasend", version, about, long_about = None, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Loopback demo: send with every supported mode and control message to
    /// receivers on 127.0.0.1 and [::1] and check what arrived (default).
    Demo,
    /// Send numbered datagrams with WSASendMsg: HOST PORT, HOST:PORT,
    /// [IPV6]:PORT or --to.
    #[command(
        after_help = SEND_HELP,
        override_usage = "wsasend send [OPTIONS] HOST PORT\n       \
                          wsasend send [OPTIONS] HOST:PORT | [IPV6]:PORT | --to HOST:PORT"
    )]
    Send(SendArgs),
    /// Receive datagrams and report loss, reordering, duplicates, jitter.
    #[command(
        after_help = RECV_HELP,
        override_usage = "wsasend recv [OPTIONS] [ADDRESS] PORT\n       \
                          wsasend recv [OPTIONS] ADDRESS:PORT | --bind ADDR:PORT"
    )]
    Recv(RecvArgs),
    /// Compare ws2 WSASendMsg with raw sendmsg on the same socket.
    #[command(after_help = BENCH_HELP)]
    Bench(BenchArgs),
    /// One measured loop (for callgrind; see bench-callgrind.sh).
    #[command(hide = true)]
    BenchOne(BenchOneArgs),
    /// One measured receive drain (for callgrind; see bench-recv-callgrind.sh).
    #[command(hide = true)]
    BenchOneRecv(bench_recv::BenchOneRecvArgs),
}

/// What `bench` measures instead of the send path.
#[derive(Subcommand, Debug)]
pub enum BenchWhat {
    /// The receive path: WSARecvMsg (blocking, overlapped) against recvmsg
    /// with the same controls, and URO against WSARecvMsg without it,
    /// quinn-udp and recvmsg with UDP_GRO, draining pre-filled queues.
    Recv(bench_recv::BenchRecvArgs),
    /// Sends round-robin over 1 to 10,000 sockets against raw sendmsg, and
    /// memory per posted receive (the pending part: examples/bench_scale.rs).
    Scale(ScaleArgs),
}

/// `bench scale`.
#[derive(clap::Args, Debug)]
pub struct ScaleArgs {
    /// At most 30 s: fewer datagrams and rounds.
    #[arg(long)]
    pub quick: bool,
    /// Print JSON instead of tables.
    #[arg(short = 'J', long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct SendArgs {
    /// Destination host: a name, an IPv4 or IPv6 address, or HOST:PORT.
    #[arg(value_name = "HOST", required_unless_present = "to")]
    pub host: Option<String>,
    /// Destination port (1-65535), unless HOST has one.
    #[arg(value_name = "PORT", value_parser = args::parse_port)]
    pub port: Option<u16>,
    /// Destination as HOST:PORT or [IPV6]:PORT (instead of HOST PORT).
    #[arg(long, value_name = "HOST:PORT", conflicts_with_all = ["host", "port"])]
    pub to: Option<String>,
    /// Resolve HOST to IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// Resolve HOST to IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Source address to send from (IP_PKTINFO / IPV6_PKTINFO control message).
    #[arg(long, value_name = "SRC_IP")]
    pub from: Option<IpAddr>,
    /// Number of sends (1 to 10,000,000); default 1, or no limit with --duration.
    #[arg(short, long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: Option<u64>,
    /// Send for this long (seconds, or 250ms, 10s, 5m, 1h).
    #[arg(short, long, value_name = "TIME", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Pace the sends: datagrams/s (1000) or payload bits/s (10M); see below.
    #[arg(short, long, value_parser = parse_rate)]
    pub rate: Option<Rate>,
    /// Payload bytes per datagram (per send with --segment-size).
    #[arg(short, long, default_value_t = 64, conflicts_with = "file",
          value_parser = clap::value_parser!(u32).range(0..=65535))]
    pub size: u32,
    /// Payload from a file, '-' for standard input, sent as it is (no header).
    #[arg(short, long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Send the byte pattern alone, without the sequence header.
    #[arg(long)]
    pub no_header: bool,
    /// Print a report every TIME (seconds, or 250ms...).
    #[arg(short, long, value_name = "TIME", value_parser = parse_duration)]
    pub interval: Option<Duration>,
    /// Print JSON (one object per line) instead of text.
    #[arg(short = 'J', long)]
    pub json: bool,
    /// TOS byte (IPv4 IP_TOS) or traffic class (IPv6 IPV6_TCLASS); decimal or 0x hex.
    #[arg(long, value_parser = parse_u8)]
    pub tos: Option<u8>,
    /// ECN bits (0-3) with IP_ECN / IPV6_ECN; with --tos, DSCP comes from
    /// --tos and ECN from --ecn.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub ecn: Option<u8>,
    /// TTL (IPv4 IP_TTL) or hop limit (IPv6 IPV6_HOPLIMIT), 1-255.
    #[arg(short, long, value_parser = clap::value_parser!(u8).range(1..=255))]
    pub ttl: Option<u8>,
    /// Split each send's --size bytes into datagrams of B bytes
    /// (UDP_SEND_MSG_SIZE, UDP GSO); --count counts sends.
    #[arg(long, value_name = "B", value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub segment_size: Option<u32>,
}

#[derive(clap::Args, Debug)]
pub struct RecvArgs {
    /// The local address (a name or an IP; default every address, IPv6
    /// and IPv4) and the port to listen on.
    #[arg(value_names = ["ADDRESS", "PORT"], num_args = 0..=2)]
    pub listen: Vec<String>,
    /// Address to listen on as ADDR:PORT (instead of [ADDRESS] PORT).
    #[arg(long, value_name = "ADDR:PORT", conflicts_with = "listen")]
    pub bind: Option<String>,
    /// Listen on IPv4 only (ADDRESS resolved to IPv4; default 0.0.0.0).
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// Listen on IPv6 only (ADDRESS resolved to IPv6; default [::] without
    /// IPv4).
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Stop after this many datagrams.
    #[arg(short, long, value_parser = clap::value_parser!(u64).range(1..=10_000_000_000))]
    pub count: Option<u64>,
    /// Stop after this long (seconds, or 250ms, 10s, 5m, 1h).
    #[arg(short, long, value_name = "TIME", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Stop after this long without a datagram (status 1 if --count was
    /// not reached).
    #[arg(short = 'w', long, value_name = "TIME", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Print a report every TIME.
    #[arg(short, long, value_name = "TIME", value_parser = parse_duration)]
    pub interval: Option<Duration>,
    /// A line per datagram: source, destination, interface, TOS/ECN, TTL,
    /// sequence number, bytes.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print JSON (one object per line) instead of text.
    #[arg(short = 'J', long)]
    pub json: bool,
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
    #[arg(short = 'J', long)]
    pub json: bool,
    /// The pending-path bench is not in the installed command: refused
    /// with a pointer to `examples/bench_pending.rs` (README, Speed).
    #[arg(long, hide = true)]
    pub pending: bool,
    /// Run only the readiness bench instead: select and WSAPoll over 1,000
    /// ws2 sockets against poll(2) on the same fds.
    #[arg(long, conflicts_with = "pending")]
    pub readiness: bool,
    /// Calls per variant per round of the readiness bench.
    #[arg(long, default_value_t = 2000, requires = "readiness", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub calls: u64,
    /// Run only the stream bench instead: TCP throughput on loopback
    /// through ws2 (blocking, and IOCP) against raw send/recv.
    #[arg(long, conflicts_with_all = ["pending", "readiness"])]
    pub stream: bool,
    /// Bytes per send of the stream bench.
    #[arg(long, default_value_t = 65536, requires = "stream", value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
    pub chunk: u32,
    /// Sends per variant per round of the stream bench.
    #[arg(long, default_value_t = 2000, requires = "stream", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub chunks: u64,
    #[command(subcommand)]
    pub what: Option<BenchWhat>,
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
    /// `poll(2)` over 1,000 ws2 sockets' fds, one readable; --count calls.
    RawPoll1000,
    /// C ABI `select` over the same 1,000 sockets (FD_SETSIZE 1024).
    Ws2Select1000,
    /// C ABI `WSAPoll` over the same 1,000 sockets.
    Ws2Wsapoll1000,
    /// Raw `send(2)`/`recv(2)` of --count chunks of --size bytes (0: 64 KiB)
    /// over a loopback TCP pair.
    RawStream,
    /// C ABI blocking `send`/`recv` on ws2 stream sockets, same chunks.
    Ws2Stream,
    /// C ABI overlapped `WSASend`/`WSARecv` on completion ports, same chunks.
    Ws2StreamIocp,
    /// Raw `sendmsg` round-robin over --sockets sockets (bench scale).
    ScaleRaw,
    /// ws2 `send_msg` round-robin over --sockets sockets (bench scale).
    ScaleWs2,
}

#[derive(clap::Args, Debug)]
pub struct BenchOneArgs {
    #[arg(long, value_enum)]
    pub mode: Mode,
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(0..=65507))]
    pub size: u32,
    #[arg(long, default_value_t = 10000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: u64,
    /// Sockets of the scale modes.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub sockets: u64,
}

/// Exit statuses (also in `wsasend --help` and the README).
pub mod exit {
    /// The run ended, but the traffic failed: sends failed, `recv` timed
    /// out before `--count`, a demo case mismatched, bench sends failed.
    pub const FAILED: u8 = 1;
    /// Bad command line: unknown option, value out of range or malformed.
    pub const USAGE: u8 = 2;
    /// A host name did not resolve (or not to the family asked for).
    pub const RESOLVE: u8 = 3;
    /// Could not set up: socket, bind, permissions, payload file, output.
    pub const SETUP: u8 = 4;
}

/// An error for the user: one line, and the exit status it ends with.
#[derive(Debug)]
pub struct AppError {
    pub exit: u8,
    pub message: String,
}

impl AppError {
    pub fn usage(message: impl Into<String>) -> AppError {
        AppError {
            exit: exit::USAGE,
            message: message.into(),
        }
    }

    pub fn resolve(message: impl Into<String>) -> AppError {
        AppError {
            exit: exit::RESOLVE,
            message: message.into(),
        }
    }

    /// Standard output was closed: end at once, status 0, no message.
    pub fn quiet() -> AppError {
        AppError {
            exit: 0,
            message: String::new(),
        }
    }

    pub fn setup(message: impl Into<String>) -> AppError {
        AppError {
            exit: exit::SETUP,
            message: message.into(),
        }
    }

    /// The traffic failed (status 1).
    pub fn failed(message: impl Into<String>) -> AppError {
        AppError {
            exit: exit::FAILED,
            message: message.into(),
        }
    }
}

/// Plain messages are set-up failures.
impl From<String> for AppError {
    fn from(message: String) -> AppError {
        AppError::setup(message)
    }
}

impl From<&str> for AppError {
    fn from(message: &str) -> AppError {
        AppError::setup(message)
    }
}

/// Results of the subcommands.
pub type AppResult<T> = Result<T, AppError>;

/// Prints `message` as one line on stderr.
pub fn complain(message: &str) {
    let one_line: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    eprintln!("wsasend: {}", one_line.join("; "));
}

/// clap's errors as one line (its text up to the first blank line, which
/// is followed by usage and tips); help and version as clap prints them.
pub fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.render().to_string();
    let head = text.split("\n\n").next().unwrap_or("");
    let head = head.strip_prefix("error: ").unwrap_or(head);
    let words: Vec<&str> = head.split_whitespace().collect();
    complain(&format!("{} (see --help)", words.join(" ")));
    ExitCode::from(exit::USAGE)
}

/// The command: parses the command line, runs the subcommand, and turns
/// its error into one line on stderr and the exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(e),
    };
    let result = match cli.command.unwrap_or(Command::Demo) {
        Command::Demo => demo::run(),
        Command::Send(args) => send::run(&args),
        Command::Recv(args) => recv::run(&args),
        Command::Bench(args) => match &args.what {
            Some(BenchWhat::Recv(recv)) => bench_recv::run(recv),
            Some(BenchWhat::Scale(scale)) => scale::run(
                &ScaleOptions {
                    quick: scale.quick,
                    json: scale.json,
                },
                None,
            ),
            None => bench::run(&args),
        },
        Command::BenchOne(args) => bench::run_one(&args),
        Command::BenchOneRecv(args) => bench_recv::run_one(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if !e.message.is_empty() {
                complain(&e.message);
            }
            ExitCode::from(e.exit)
        }
    }
}
