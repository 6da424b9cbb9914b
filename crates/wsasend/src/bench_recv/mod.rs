//! `wsasend bench recv`: the receive path against raw Linux receives, as
//! the drain rate of a pre-filled receive queue (the queue is filled first,
//! untimed, and the sender stopped, so the sender's speed is not what is
//! measured).
//!
//! - For each size: `recvmsg` with IP_PKTINFO and IP_RECVTOS against C
//!   `WSARecvMsg` with IN_PKTINFO and IP_ECN (blocking; overlapped on a
//!   port with skip-on-success, on a port with a dequeue each, with an
//!   event) and Rust `Socket::recv_msg`, every loop reading the
//!   destination and the ECN bits out of what it got.
//! - URO: UDP GSO traffic of 1200-byte datagrams (54 per send) received by
//!   `WSARecvMsg` with `UDP_RECV_MAX_COALESCED_SIZE` 65527 (blocking, and
//!   overlapped on a skip-on-success port as MsQuic does), by `WSARecvMsg`
//!   without it, by quinn-udp's `recv` (UDP GRO and `recvmmsg` of 32), and
//!   by `recvmsg` with UDP_GRO (the kernel's own rate), in datagrams/s.
//!
//! Rounds interleave every receiver (order reversed every other round);
//! the tables show medians. `crates/wsasend/bench-recv-callgrind.sh` adds
//! instructions per datagram.

mod receivers;

use std::process::ExitCode;

use serde::Serialize;

use crate::AppResult;
use crate::bench::{PROGRESS, median, print_json};
use crate::output::JSON_VERSION;
pub use receivers::RecvMode;
use receivers::{GSO_SEGMENTS, Receivers, SEGMENT};

/// `bench recv`'s options.
#[derive(clap::Args, Debug)]
pub struct BenchRecvArgs {
    /// Rounds (each runs every receiver once, interleaved); at least 5.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(5..=1000))]
    pub rounds: u32,
    /// Datagrams per receiver per round.
    #[arg(long, default_value_t = 20000, value_parser = clap::value_parser!(u64).range(1000..=1_000_000))]
    pub count: u64,
    /// Payload sizes of the recvmsg comparisons, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "64,1200", value_parser = clap::value_parser!(u32).range(1..=65507))]
    pub sizes: Vec<u32>,
    /// Print JSON instead of tables.
    #[arg(short = 'J', long)]
    pub json: bool,
    /// A short run (at most 30 s): 5 rounds of 5000 datagrams.
    #[arg(long)]
    pub quick: bool,
}

/// `bench-one-recv`: one measured drain (for callgrind).
#[derive(clap::Args, Debug)]
pub struct BenchOneRecvArgs {
    #[arg(long, value_enum)]
    pub mode: RecvMode,
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=65507))]
    pub size: u32,
    #[arg(long, default_value_t = 10000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub count: u64,
}

/// The receivers compared with raw `recvmsg`, and how the tables name them.
const VS_RECVMSG: [(RecvMode, &str); 5] = [
    (RecvMode::CapiRecvmsg, "C WSARecvMsg, blocking"),
    (RecvMode::RustRecvmsg, "Rust Socket::recv_msg"),
    (
        RecvMode::CapiPortSkip,
        "C overlapped, port + skip-on-success",
    ),
    (RecvMode::CapiPort, "C overlapped, port, GQCS each"),
    (RecvMode::CapiEvent, "C overlapped, event"),
];

/// The URO receivers, and how the table names them.
const URO: [(RecvMode, &str); 5] = [
    (RecvMode::Uro, "ws2 URO WSARecvMsg, blocking"),
    (RecvMode::UroPortSkip, "ws2 URO WSARecvMsg, port + skip"),
    (RecvMode::PlainGso, "ws2 WSARecvMsg without URO"),
    (RecvMode::Quinn, "quinn-udp 0.6 recv (GRO, recvmmsg)"),
    (RecvMode::RawGro, "raw recvmsg with UDP_GRO"),
];

/// Datagrams per round of the URO rows: a run is 54 datagrams, so their
/// drains are short; five times as many.
const URO_SCALE: u64 = 5;
const URO_MAX: u64 = 1_000_000;

/// One group of receivers measured in turn each round: datagrams per
/// second of wall-clock time, and per second of the draining thread's CPU
/// time (which a machine shared with other work disturbs less).
struct Group {
    size: usize,
    count: u64,
    modes: Vec<RecvMode>,
    rates: Vec<Vec<f64>>,
    cpu_rates: Vec<Vec<f64>>,
}

impl Group {
    fn new(size: usize, count: u64, modes: Vec<RecvMode>) -> Group {
        let rates = vec![Vec::new(); modes.len()];
        Group {
            size,
            count,
            cpu_rates: rates.clone(),
            modes,
            rates,
        }
    }

    /// The medians of `mode`: (wall clock, CPU time) datagrams per second.
    fn median(&mut self, mode: RecvMode) -> (f64, f64) {
        let i = self.modes.iter().position(|&m| m == mode).expect("mode");
        (median(&mut self.rates[i]), median(&mut self.cpu_rates[i]))
    }
}

#[derive(Serialize)]
struct RecvJson {
    version: u32,
    rounds: u32,
    count_per_round: u64,
    receiver_rcvbuf: usize,
    short: u64,
    results: Vec<RowJson>,
    uro: Vec<UroJson>,
}

#[derive(Serialize)]
struct RowJson {
    size: usize,
    receive: &'static str,
    raw_recvmsg_dgram_per_s: f64,
    ws2_dgram_per_s: f64,
    ratio: f64,
    /// The same ratio in datagrams per second of the draining thread's CPU time.
    cpu_ratio: f64,
}

#[derive(Serialize)]
struct UroJson {
    receiver: &'static str,
    segment: usize,
    segments_per_send: u64,
    dgram_per_s: f64,
    vs_plain_wsarecvmsg: f64,
    vs_quinn_udp: f64,
    cpu_vs_plain_wsarecvmsg: f64,
    cpu_vs_quinn_udp: f64,
}

pub fn run(args: &BenchRecvArgs) -> AppResult<ExitCode> {
    let (rounds, count) = if args.quick {
        (5, 5000)
    } else {
        (args.rounds, args.count)
    };
    let r = Receivers::new()?;
    let mut groups: Vec<Group> = args
        .sizes
        .iter()
        .map(|&size| {
            let mut modes = vec![RecvMode::RawRecvmsg];
            modes.extend(VS_RECVMSG.iter().map(|m| m.0));
            Group::new(size as usize, count, modes)
        })
        .collect();
    let uro_count = (count * URO_SCALE).min(URO_MAX);
    groups.push(Group::new(
        SEGMENT,
        uro_count,
        URO.iter().map(|m| m.0).collect(),
    ));

    let loops: u64 =
        groups.iter().map(|g| g.modes.len() as u64).sum::<u64>() * (1 + u64::from(rounds));
    let bar = crate::output::progress(loops, PROGRESS);
    let step = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let mut short = 0;
    for g in &groups {
        for &mode in &g.modes {
            r.measure(mode, g.size, 1000)?;
            step();
        }
    }
    for round in 0..rounds {
        for g in &mut groups {
            let mut order: Vec<usize> = (0..g.modes.len()).collect();
            if round % 2 == 1 {
                order.reverse();
            }
            for i in order {
                let mode = g.modes[i];
                let d = r.measure(mode, g.size, g.count)?;
                short += d.sent.saturating_sub(d.datagrams);
                g.rates[i].push(d.datagrams as f64 / d.elapsed.as_secs_f64().max(1e-9));
                g.cpu_rates[i].push(d.datagrams as f64 / d.cpu.as_secs_f64().max(1e-9));
                step();
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    let mut results = Vec::new();
    let uro_group = groups.len() - 1;
    for g in &mut groups[..uro_group] {
        let (raw, raw_cpu) = g.median(RecvMode::RawRecvmsg);
        for (mode, name) in VS_RECVMSG {
            let (ws2, ws2_cpu) = g.median(mode);
            results.push(RowJson {
                size: g.size,
                receive: name,
                raw_recvmsg_dgram_per_s: raw.round(),
                ws2_dgram_per_s: ws2.round(),
                ratio: ws2 / raw,
                cpu_ratio: ws2_cpu / raw_cpu,
            });
        }
    }
    let g = &mut groups[uro_group];
    let (plain, plain_cpu) = g.median(RecvMode::PlainGso);
    let (quinn, quinn_cpu) = g.median(RecvMode::Quinn);
    let uro: Vec<UroJson> = URO
        .iter()
        .map(|&(mode, name)| {
            let (rate, cpu) = g.median(mode);
            UroJson {
                receiver: name,
                segment: SEGMENT,
                segments_per_send: GSO_SEGMENTS,
                dgram_per_s: rate.round(),
                vs_plain_wsarecvmsg: rate / plain,
                vs_quinn_udp: rate / quinn,
                cpu_vs_plain_wsarecvmsg: cpu / plain_cpu,
                cpu_vs_quinn_udp: cpu / quinn_cpu,
            }
        })
        .collect();

    if args.json {
        print_json(&RecvJson {
            version: JSON_VERSION,
            rounds,
            count_per_round: count,
            receiver_rcvbuf: r.rcvbuf,
            short,
            results,
            uro,
        })?;
    } else {
        print_tables(rounds, count, uro_count, r.rcvbuf, &results, &uro, short)?;
    }
    Ok(if short == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("wsasend: {short} datagrams were missing from the filled queues");
        ExitCode::FAILURE
    })
}

#[allow(clippy::too_many_arguments)]
fn print_tables(
    rounds: u32,
    count: u64,
    uro_count: u64,
    rcvbuf: usize,
    results: &[RowJson],
    uro: &[UroJson],
    short: u64,
) -> AppResult<()> {
    outln!(
        "{rounds} rounds x {count} datagrams per receiver ({uro_count} for URO), medians; each \
         receiver's queue filled first (127.0.0.1, SO_RCVBUF {rcvbuf} bytes), then drained"
    )?;
    outln!(
        "{:>6} | {:<38} | {:>15} | {:>11} | {:>6} | {:>9}",
        "size",
        "receive (IN_PKTINFO + ECN)",
        "recvmsg dgram/s",
        "ws2 dgram/s",
        "ratio",
        "CPU ratio"
    )?;
    outln!("{}", "-".repeat(6 + 38 + 15 + 11 + 6 + 9 + 15))?;
    for r in results {
        outln!(
            "{:>6} | {:<38} | {:>15.0} | {:>11.0} | {:>6.3} | {:>9.3}",
            r.size,
            r.receive,
            r.raw_recvmsg_dgram_per_s,
            r.ws2_dgram_per_s,
            r.ratio,
            r.cpu_ratio
        )?;
    }
    outln!()?;
    outln!(
        "URO on UDP GSO traffic ({GSO_SEGMENTS} x {SEGMENT}-byte datagrams per send), IN_PKTINFO + ECN:"
    )?;
    outln!(
        "{:<38} | {:>11} | {:>19} | {:>12} | {:>16}",
        "receiver",
        "dgram/s",
        "vs plain WSARecvMsg",
        "vs quinn-udp",
        "CPU vs quinn-udp"
    )?;
    outln!("{}", "-".repeat(38 + 11 + 19 + 12 + 16 + 12))?;
    for u in uro {
        outln!(
            "{:<38} | {:>11.0} | {:>19.2} | {:>12.3} | {:>16.3}",
            u.receiver,
            u.dgram_per_s,
            u.vs_plain_wsarecvmsg,
            u.vs_quinn_udp,
            u.cpu_vs_quinn_udp
        )?;
    }
    outln!(
        "ratio = ws2 / raw in wall-clock datagrams/s (1.0 = same speed); CPU ratio: the same in \
         datagrams per second of the draining thread's CPU time; datagrams missing from filled queues: {short}"
    )?;
    Ok(())
}

pub fn run_one(args: &BenchOneRecvArgs) -> AppResult<ExitCode> {
    let r = Receivers::new()?;
    let d = r.measure(args.mode, args.size as usize, args.count)?;
    outln!(
        "{:?} size {} count {}: {} received in {:.6} s, CPU {:.6} s",
        args.mode,
        args.size,
        d.sent,
        d.datagrams,
        d.elapsed.as_secs_f64(),
        d.cpu.as_secs_f64()
    )?;
    Ok(if d.datagrams == d.sent {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
