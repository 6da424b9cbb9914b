//! `wsasend bench recv`: the receive path against raw Linux receives, as
//! the drain rate of a pre-filled receive queue (the queue is filled first,
//! untimed, and the sender stopped, so the sender's speed is not what is
//! measured).
//!
//! - For each size: `recvmsg` with IP_PKTINFO and IP_RECVTOS against C
//!   `WSARecvMsg` with IN_PKTINFO and IP_ECN (blocking; overlapped on a
//!   port with skip-on-success, on a port with a dequeue each, with an
//!   event; 32 kept posted on a port), Rust `Socket::recv_msg` and
//!   `recvmmsg` into 32 buffers (Linux's own batched receive), every loop
//!   reading the destination and the ECN bits out of what it got; and
//!   `recvmsg` beside itself (the A/A check: what the method reads for two
//!   identical receivers). Each ratio comes with its rounds' quartiles.
//! - URO: UDP GSO traffic of 1200-byte datagrams (54 per send) received by
//!   `WSARecvMsg` with `UDP_RECV_MAX_COALESCED_SIZE` 65527 (blocking;
//!   overlapped on a skip-on-success port as MsQuic does; 32 kept posted on
//!   a port), by `WSARecvMsg` without it, by quinn-udp's `recv` (UDP GRO and
//!   `recvmmsg`) given one buffer (one run per call, like a receive call)
//!   and given its usual 32, and by `recvmsg` with UDP_GRO (the kernel's own
//!   rate), in datagrams/s.
//!
//! Every round measures each receiver right next to its reference (raw
//! `recvmsg`, or quinn-udp for the URO rows), the pair's order and the
//! receivers' order reversed every other round; the tables show the
//! medians of the rates and of the paired ratios. Every receiver but
//! `WSARecvMsg` without URO on GSO traffic (measured a drain apart:
//! quinn-udp would turn GRO on its socket) shares one filled queue with its
//! reference on its own socket, the two draining it in turns of 500
//! datagrams (100 coalesced runs of GSO traffic; `one_queue.rs`): a pair
//! measured a whole drain apart met different moments of a shared machine,
//! and single rows moved by ±0.04 from run to run; turns a millisecond long
//! leave the ratio to the work each receive does.
//! `crates/wsasend/bench-recv-callgrind.sh` adds instructions per datagram.

mod one_queue;
mod receivers;

use std::process::ExitCode;

use serde::Serialize;

use crate::AppResult;
use crate::bench::{PROGRESS, median, print_json, quartiles};
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
const VS_RECVMSG: [(RecvMode, &str); 8] = [
    (RecvMode::CapiRecvmsg, "C WSARecvMsg, blocking"),
    (RecvMode::RustRecvmsg, "Rust Socket::recv_msg"),
    (
        RecvMode::CapiPortSkip,
        "C overlapped, port + skip-on-success",
    ),
    (RecvMode::CapiPort, "C overlapped, port, GQCS each"),
    (RecvMode::CapiEvent, "C overlapped, event"),
    (RecvMode::CapiPosted, "C overlapped, 32 posted, port"),
    (RecvMode::RawRecvmmsg, "raw recvmmsg, 32 buffers"),
    (RecvMode::RawRecvmsgTwin, "raw recvmsg again (A/A check)"),
];

/// The URO receivers, and how the table names them. The first three and
/// `QuinnOne` read one coalesced run per system call (what a Winsock
/// receive call reads); quinn-udp's usual `recv` up to 32.
const URO: [(RecvMode, &str); 7] = [
    (RecvMode::Uro, "ws2 URO WSARecvMsg, blocking"),
    (RecvMode::UroPortSkip, "ws2 URO WSARecvMsg, port + skip"),
    (RecvMode::UroPosted, "ws2 URO, 32 WSARecvMsg posted, port"),
    (RecvMode::PlainGso, "ws2 WSARecvMsg without URO"),
    (RecvMode::QuinnOne, "quinn-udp recv, 1 buffer (1 run/call)"),
    (RecvMode::Quinn, "quinn-udp recv, 32 buffers (recvmmsg)"),
    (RecvMode::RawGro, "raw recvmsg with UDP_GRO"),
];

/// Datagrams per round of the URO rows: a run is 54 datagrams, so their
/// drains are short; twenty times as many.
const URO_SCALE: u64 = 20;
const URO_MAX: u64 = 1_000_000;

/// One group of receivers, each measured every round right next to the
/// group's reference (`modes[0]`: raw `recvmsg`, or quinn-udp for URO),
/// the pair's order swapped every other round: each round yields a ratio
/// of two drains a few milliseconds apart, so a machine shared with other
/// work (which slows whole stretches of time) disturbs the ratios less
/// than the rates. Datagrams per second of wall-clock time, and per second
/// of the draining thread's CPU time.
struct Group {
    size: usize,
    count: u64,
    modes: Vec<RecvMode>,
    rates: Vec<Vec<f64>>,
    cpu_rates: Vec<Vec<f64>>,
    /// Per mode, its rate over the reference's in the same pair.
    ratios: Vec<Vec<f64>>,
    cpu_ratios: Vec<Vec<f64>>,
}

/// The medians of one receiver.
struct Medians {
    /// Datagrams per second (wall clock).
    rate: f64,
    /// Datagrams per second of CPU time.
    cpu_rate: f64,
    /// Over the reference, paired (wall clock).
    ratio: f64,
    /// The paired ratios' first and third quartiles.
    ratio_quartiles: (f64, f64),
    /// Over the reference, paired (CPU time).
    cpu_ratio: f64,
}

impl Group {
    fn new(size: usize, count: u64, modes: Vec<RecvMode>) -> Group {
        let empty = vec![Vec::new(); modes.len()];
        Group {
            size,
            count,
            modes,
            rates: empty.clone(),
            cpu_rates: empty.clone(),
            ratios: empty.clone(),
            cpu_ratios: empty,
        }
    }

    /// One round: every receiver paired with the reference.
    fn round(&mut self, r: &Receivers, round: u32, step: &dyn Fn()) -> AppResult<u64> {
        let mut short = 0;
        let mut others: Vec<usize> = (1..self.modes.len()).collect();
        if round % 2 == 1 {
            others.reverse();
        }
        for i in others {
            let pair = if round.is_multiple_of(2) {
                [0, i]
            } else {
                [i, 0]
            };
            let mode = self.modes[i];
            let reference = self.modes[0];
            let mut both = if one_queue::pairs(reference, mode) {
                let first = pair[0] == 0;
                let [by_reference, by_mode] =
                    one_queue::measure(r, reference, mode, self.size, self.count, first)?;
                Some(if first {
                    [by_reference, by_mode]
                } else {
                    [by_mode, by_reference]
                })
            } else {
                None
            };
            let mut got = [(0.0, 0.0); 2];
            for (k, &j) in pair.iter().enumerate() {
                let d = match &mut both {
                    Some(both) => std::mem::take(&mut both[k]),
                    None => r.measure(self.modes[j], self.size, self.count)?,
                };
                short += d.sent.saturating_sub(d.datagrams);
                let rate = d.datagrams as f64 / d.elapsed.as_secs_f64().max(1e-9);
                let cpu = d.datagrams as f64 / d.cpu.as_secs_f64().max(1e-9);
                self.rates[j].push(rate);
                self.cpu_rates[j].push(cpu);
                got[k] = (rate, cpu);
                step();
            }
            let (mode, reference) = if pair[0] == 0 {
                (got[1], got[0])
            } else {
                (got[0], got[1])
            };
            self.ratios[i].push(mode.0 / reference.0);
            self.cpu_ratios[i].push(mode.1 / reference.1);
        }
        Ok(short)
    }

    /// The medians of `mode` (the reference's ratios are 1).
    fn medians(&mut self, mode: RecvMode) -> Medians {
        let i = self.modes.iter().position(|&m| m == mode).expect("mode");
        let paired = |v: &mut Vec<f64>| if i == 0 { 1.0 } else { median(v) };
        let ratio_quartiles = if i == 0 {
            (1.0, 1.0)
        } else {
            quartiles(&mut self.ratios[i])
        };
        Medians {
            rate: median(&mut self.rates[i]),
            cpu_rate: median(&mut self.cpu_rates[i]),
            ratio_quartiles,
            ratio: paired(&mut self.ratios[i]),
            cpu_ratio: paired(&mut self.cpu_ratios[i]),
        }
    }

    /// The median of `mode`'s paired ratios over `other`'s, round by
    /// round (both measured against the same reference in each round):
    /// wall clock and CPU time.
    fn ratio_over(&self, mode: RecvMode, other: RecvMode) -> (f64, f64) {
        let at = |m: RecvMode| self.modes.iter().position(|&x| x == m).expect("mode");
        let (i, j) = (at(mode), at(other));
        let over = |v: &[Vec<f64>]| {
            let rounds = v[i].len().max(v[j].len());
            let get = |k: usize, n: usize| if k == 0 { 1.0 } else { v[k][n] };
            let mut q: Vec<f64> = (0..rounds).map(|n| get(i, n) / get(j, n)).collect();
            median(&mut q)
        };
        (over(&self.ratios), over(&self.cpu_ratios))
    }

    /// Measurements per round.
    fn per_round(&self) -> u64 {
        2 * (self.modes.len() as u64 - 1)
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
    /// The first and third quartiles of the rounds' ratios.
    ratio_q1: f64,
    ratio_q3: f64,
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
    /// Over quinn-udp given one buffer (one run per `recvmmsg`), paired
    /// round by round.
    vs_quinn_udp_one_buffer: f64,
    cpu_vs_plain_wsarecvmsg: f64,
    cpu_vs_quinn_udp: f64,
    cpu_vs_quinn_udp_one_buffer: f64,
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
    let mut uro_modes = vec![RecvMode::Quinn];
    uro_modes.extend(URO.iter().map(|m| m.0).filter(|&m| m != RecvMode::Quinn));
    groups.push(Group::new(SEGMENT, uro_count, uro_modes));

    let warmups: u64 = groups.iter().map(|g| g.modes.len() as u64).sum();
    let loops = warmups + groups.iter().map(Group::per_round).sum::<u64>() * u64::from(rounds);
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
            short += g.round(&r, round, &step)?;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    let mut results = Vec::new();
    let uro_group = groups.len() - 1;
    for g in &mut groups[..uro_group] {
        let raw = g.medians(RecvMode::RawRecvmsg);
        for (mode, name) in VS_RECVMSG {
            let ws2 = g.medians(mode);
            results.push(RowJson {
                size: g.size,
                receive: name,
                raw_recvmsg_dgram_per_s: raw.rate.round(),
                ws2_dgram_per_s: ws2.rate.round(),
                ratio: ws2.ratio,
                ratio_q1: ws2.ratio_quartiles.0,
                ratio_q3: ws2.ratio_quartiles.1,
                cpu_ratio: ws2.cpu_ratio,
            });
        }
    }
    let g = &mut groups[uro_group];
    let plain = g.medians(RecvMode::PlainGso);
    let uro: Vec<UroJson> = URO
        .iter()
        .map(|&(mode, name)| {
            let m = g.medians(mode);
            let (one, cpu_one) = g.ratio_over(mode, RecvMode::QuinnOne);
            UroJson {
                receiver: name,
                segment: SEGMENT,
                segments_per_send: GSO_SEGMENTS,
                dgram_per_s: m.rate.round(),
                vs_plain_wsarecvmsg: m.rate / plain.rate,
                vs_quinn_udp: m.ratio,
                vs_quinn_udp_one_buffer: one,
                cpu_vs_plain_wsarecvmsg: m.cpu_rate / plain.cpu_rate,
                cpu_vs_quinn_udp: m.cpu_ratio,
                cpu_vs_quinn_udp_one_buffer: cpu_one,
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
        "{rounds} rounds x {count} datagrams per receiver ({uro_count} for URO), each next to its \
         reference, medians; each receiver's queue filled first (127.0.0.1, SO_RCVBUF {rcvbuf} \
         bytes), then drained"
    )?;
    outln!(
        "{:>6} | {:<38} | {:>15} | {:>11} | {:>6} | {:>11} | {:>9}",
        "size",
        "receive (IN_PKTINFO + ECN)",
        "recvmsg dgram/s",
        "ws2 dgram/s",
        "ratio",
        "q1-q3",
        "CPU ratio"
    )?;
    outln!("{}", "-".repeat(6 + 38 + 15 + 11 + 6 + 11 + 9 + 18))?;
    for r in results {
        outln!(
            "{:>6} | {:<38} | {:>15.0} | {:>11.0} | {:>6.3} | {:>5.3}-{:>5.3} | {:>9.3}",
            r.size,
            r.receive,
            r.raw_recvmsg_dgram_per_s,
            r.ws2_dgram_per_s,
            r.ratio,
            r.ratio_q1,
            r.ratio_q3,
            r.cpu_ratio
        )?;
    }
    outln!()?;
    outln!(
        "URO on UDP GSO traffic ({GSO_SEGMENTS} x {SEGMENT}-byte datagrams per send), IN_PKTINFO + ECN:"
    )?;
    outln!(
        "{:<38} | {:>9} | {:>8} | {:>9} | {:>9} | {:>9} | {:>9}",
        "receiver",
        "dgram/s",
        "vs plain",
        "vs q-1",
        "CPU q-1",
        "vs q-32",
        "CPU q-32"
    )?;
    outln!("{}", "-".repeat(38 + 9 + 8 + 9 * 4 + 18))?;
    for u in uro {
        outln!(
            "{:<38} | {:>9.0} | {:>8.2} | {:>9.3} | {:>9.3} | {:>9.3} | {:>9.3}",
            u.receiver,
            u.dgram_per_s,
            u.vs_plain_wsarecvmsg,
            u.vs_quinn_udp_one_buffer,
            u.cpu_vs_quinn_udp_one_buffer,
            u.vs_quinn_udp,
            u.cpu_vs_quinn_udp
        )?;
    }
    outln!(
        "vs plain: over WSARecvMsg without URO; q-1: over quinn-udp given one buffer (one run per \
         recvmmsg, as one receive call reads one); q-32: over quinn-udp's usual 32 (up to 32 runs \
         per recvmmsg)"
    )?;
    outln!(
        "ratio = ws2 / raw (or / quinn-udp) in wall-clock datagrams/s, the median of each round's \
         pair (1.0 = same speed); q1-q3: the rounds' middle half of that ratio; CPU ratio: the \
         same in datagrams per second of the draining thread's CPU time; datagrams missing from \
         filled queues: {short}"
    )?;
    Ok(())
}

pub fn run_one(args: &BenchOneRecvArgs) -> AppResult<ExitCode> {
    let r = Receivers::new()?;
    let before = ws2_engine::io::recv_stats();
    let d = r.measure(args.mode, args.size as usize, args.count)?;
    let after = ws2_engine::io::recv_stats();
    outln!(
        "{:?} size {} count {}: {} received in {:.6} s, CPU {:.6} s; ws2's batched reads: {} \
         recvmmsg calls, {} messages",
        args.mode,
        args.size,
        d.sent,
        d.datagrams,
        d.elapsed.as_secs_f64(),
        d.cpu.as_secs_f64(),
        after.recvmmsg_calls - before.recvmmsg_calls,
        after.messages - before.messages
    )?;
    Ok(if d.datagrams == d.sent {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
