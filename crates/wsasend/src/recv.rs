//! `wsasend recv`: receives with `Socket::recv_msg` (destination, TOS and
//! TTL control data on) and reports per flow (`flow.rs`), per `--interval`
//! and in a summary; with `--verbose` one line per datagram:
//!
//! ```text
//! from 127.0.0.2:40000 to 127.0.0.1 ifindex 1 tos 0xb9 (185) ecn 1 ttl 9 seq 0 bytes 64
//! ```

use std::collections::HashMap;
use std::io::{ErrorKind, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;
use ws2::{RecvInfo, Socket};

use crate::args::{self, FamilyPref};
use crate::flow::{Counts, Flow, FlowKey};
use crate::header::{self, Header};
use crate::output::{self, JSON_VERSION, Out, human_bits};
use crate::{AppError, AppResult, RecvArgs, exit};

/// Flows tracked one by one; datagrams of further senders are only counted.
const MAX_FLOWS: usize = 1024;
/// Longest wait in one receive call: how soon a signal or a closed output
/// is noticed.
const TICK: Duration = Duration::from_millis(200);

/// Why a run ended.
#[derive(Clone, Copy, Serialize, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum Reason {
    Count,
    Duration,
    Timeout,
    Signal,
    StdoutClosed,
}

/// One flow in a report: an interval's changes or the run's totals. The
/// sequence fields are null for datagrams without wsasend's header.
#[derive(Serialize)]
struct FlowJson {
    source: Option<String>,
    session: Option<String>,
    datagrams: u64,
    bytes: u64,
    bits_per_s: f64,
    expected: Option<u64>,
    lost: Option<i64>,
    loss_percent: Option<f64>,
    reordered: Option<u64>,
    duplicates: Option<u64>,
    too_old: Option<u64>,
    jitter_ms: Option<f64>,
}

#[derive(Serialize)]
struct ListeningJson {
    version: u32,
    event: &'static str,
    local: String,
}

#[derive(Serialize)]
struct IntervalJson {
    version: u32,
    event: &'static str,
    start_s: f64,
    end_s: f64,
    datagrams: u64,
    bytes: u64,
    bits_per_s: f64,
    flows: Vec<FlowJson>,
}

#[derive(Serialize)]
struct SummaryJson {
    version: u32,
    event: &'static str,
    reason: Reason,
    local: String,
    listened_s: f64,
    active_s: f64,
    datagrams: u64,
    bytes: u64,
    bits_per_s: f64,
    lost: Option<u64>,
    reordered: Option<u64>,
    duplicates: Option<u64>,
    flows: Vec<FlowJson>,
    untracked_datagrams: u64,
    untracked_bytes: u64,
}

#[derive(Serialize)]
struct DatagramJson {
    version: u32,
    event: &'static str,
    from: Option<String>,
    to: Option<String>,
    ifindex: Option<u32>,
    tos: Option<u8>,
    ecn: Option<u8>,
    ttl: Option<u8>,
    bytes: usize,
    truncated: bool,
    session: Option<String>,
    seq: Option<u64>,
}

/// A dual-stack socket's IPv4 peers as IPv4 addresses.
fn canonical(a: SocketAddr) -> SocketAddr {
    SocketAddr::new(a.ip().to_canonical(), a.port())
}

/// One datagram's path as the control data tells it (absent fields `None`).
struct Path {
    from: Option<SocketAddr>,
    to: Option<(std::net::IpAddr, u32)>,
    /// TOS (IPv4) or traffic class (IPv6), and which.
    tos: (&'static str, Option<u8>),
    ecn: Option<u8>,
    /// TTL (IPv4) or hop limit (IPv6), and which.
    ttl: (&'static str, Option<u8>),
}

impl Path {
    fn of(r: &ws2::Received) -> Path {
        let c = &r.controls;
        let to = match (c.destination_v4, c.destination_v6) {
            (Some((a, i)), _) => Some((a.into(), i)),
            (None, Some((a, i))) => Some((a.into(), i)),
            (None, None) => None,
        };
        let tos = match c.traffic_class {
            Some(t) if c.tos.is_none() => ("tclass", Some(t)),
            _ => ("tos", c.tos),
        };
        let ttl = match c.hop_limit {
            Some(h) if c.ttl.is_none() => ("hoplimit", Some(h)),
            _ => ("ttl", c.ttl),
        };
        Path {
            from: r.from.map(canonical),
            to,
            tos,
            ecn: c.ecn.or(c.ecn_v6).or(tos.1.map(|t| t & 3)),
            ttl,
        }
    }

    /// The `--verbose` line (see the module docs); absent fields print `-`.
    fn line(&self, r: &ws2::Received, h: Option<Header>) -> String {
        let dash = || "-".to_string();
        let byte = |v: Option<u8>| v.map_or_else(dash, |v| format!("0x{v:02x} ({v})"));
        let num = |v: Option<u8>| v.map_or_else(dash, |v| v.to_string());
        format!(
            "from {} to {} ifindex {} {} {} ecn {} {} {} seq {} bytes {}{}",
            self.from.map_or_else(dash, |a| a.to_string()),
            self.to.map_or_else(dash, |(a, _)| a.to_string()),
            self.to.map_or_else(dash, |(_, i)| i.to_string()),
            self.tos.0,
            byte(self.tos.1),
            num(self.ecn),
            self.ttl.0,
            num(self.ttl.1),
            h.map_or_else(dash, |h| h.seq.to_string()),
            r.bytes,
            if r.truncated { " (truncated)" } else { "" }
        )
    }

    fn json(&self, r: &ws2::Received, h: Option<Header>) -> DatagramJson {
        DatagramJson {
            version: JSON_VERSION,
            event: "datagram",
            from: self.from.map(|a| a.to_string()),
            to: self.to.map(|(a, _)| a.to_string()),
            ifindex: self.to.map(|(_, i)| i),
            tos: self.tos.1,
            ecn: self.ecn,
            ttl: self.ttl.1,
            bytes: r.bytes,
            truncated: r.truncated,
            session: h.map(|h| format!("{:08x}", h.session)),
            seq: h.map(|h| h.seq),
        }
    }
}

/// Every flow seen, and the counts at the last interval report.
struct Flows {
    flows: Vec<Flow>,
    index: HashMap<FlowKey, usize>,
    /// Counts of each flow at the last report (missing: a newer flow).
    base: Vec<Counts>,
    untracked: (u64, u64),
    last: Option<usize>,
}

impl Flows {
    fn new() -> Flows {
        Flows {
            flows: Vec::new(),
            index: HashMap::new(),
            base: Vec::new(),
            untracked: (0, 0),
            last: None,
        }
    }

    /// Counts one datagram of `bytes` bytes from `from`.
    fn record(
        &mut self,
        from: Option<SocketAddr>,
        h: Option<Header>,
        bytes: usize,
        arrived_ns: u64,
    ) {
        let key = match h {
            Some(h) => FlowKey::Session(h.session),
            None => FlowKey::Source(from),
        };
        let i = match self.last {
            Some(i) if self.flows[i].key == key => Some(i),
            _ => match self.index.get(&key) {
                Some(&i) => Some(i),
                None if self.flows.len() < MAX_FLOWS => {
                    self.flows.push(Flow::new(key, from));
                    self.index.insert(key, self.flows.len() - 1);
                    Some(self.flows.len() - 1)
                }
                None => None,
            },
        };
        self.last = i;
        let Some(i) = i else {
            self.untracked.0 += 1;
            self.untracked.1 += bytes as u64;
            return;
        };
        let f = &mut self.flows[i];
        f.datagrams += 1;
        f.bytes += bytes as u64;
        if let (Some(h), Some(seq)) = (h, f.seq.as_mut()) {
            seq.record(h.seq);
            f.jitter.record(h.sent_ns, arrived_ns);
        }
    }

    fn totals(&self) -> (u64, u64) {
        let d = self.flows.iter().map(|f| f.datagrams).sum::<u64>() + self.untracked.0;
        let b = self.flows.iter().map(|f| f.bytes).sum::<u64>() + self.untracked.1;
        (d, b)
    }
}

/// A flow's report: changes since `base` (all of it for the summary).
fn flow_json(f: &Flow, base: Counts, secs: f64) -> FlowJson {
    let now = f.counts();
    let seq = f.seq.is_some();
    let expected = now.expected - base.expected;
    let lost = now.lost as i64 - base.lost as i64;
    FlowJson {
        source: f.source.map(|a| a.to_string()),
        session: match f.key {
            FlowKey::Session(s) => Some(format!("{s:08x}")),
            FlowKey::Source(_) => None,
        },
        datagrams: now.datagrams - base.datagrams,
        bytes: now.bytes - base.bytes,
        bits_per_s: output::bits_per_s(now.bytes - base.bytes, secs),
        expected: seq.then_some(expected),
        lost: seq.then_some(lost),
        loss_percent: seq.then(|| {
            if expected > 0 {
                100.0 * lost as f64 / expected as f64
            } else {
                0.0
            }
        }),
        reordered: seq.then_some(now.reordered - base.reordered),
        duplicates: seq.then_some(now.duplicates - base.duplicates),
        too_old: seq.then_some(now.too_old - base.too_old),
        jitter_ms: f.jitter.seconds().filter(|_| seq).map(|s| s * 1e3),
    }
}

/// A flow's report as text. An interval line (`interval`) is aligned and
/// short: reordered, duplicates and too old only when not zero:
/// `1000 datagrams  200000 bytes  1.60 Mbit/s  jitter 0.009 ms  lost
/// 0/1000 (0.00%)`. A summary line says everything.
fn flow_text(j: &FlowJson, interval: bool) -> String {
    let rate = human_bits(j.bits_per_s);
    let (Some(lost), Some(expected)) = (j.lost, j.expected) else {
        let unknown = "no sequence header: loss, order, jitter unknown";
        return if interval {
            format!(
                "{:>6} datagrams {:>9} bytes {rate:>12}  ({unknown})",
                j.datagrams, j.bytes
            )
        } else {
            format!(
                "{}, {} bytes, {rate} ({unknown})",
                output::count(j.datagrams, "datagram"),
                j.bytes
            )
        };
    };
    let jitter = j
        .jitter_ms
        .map_or("-".to_string(), |ms| format!("{ms:.3} ms"));
    let loss = format!("{lost}/{expected} ({:.2}%)", j.loss_percent.unwrap_or(0.0));
    let (reordered, duplicates, too_old) = (
        j.reordered.unwrap_or(0),
        j.duplicates.unwrap_or(0),
        j.too_old.unwrap_or(0),
    );
    if interval {
        let mut line = format!(
            "{:>6} datagrams {:>9} bytes {rate:>12}  jitter {jitter}  lost {loss}",
            j.datagrams, j.bytes
        );
        for (n, what) in [
            (reordered, "reordered"),
            (duplicates, "duplicates"),
            (too_old, "too old"),
        ] {
            if n > 0 {
                line.push_str(&format!("  {what} {n}"));
            }
        }
        return line;
    }
    let too_old = if too_old > 0 {
        format!(", too old to check {too_old}")
    } else {
        String::new()
    };
    format!(
        "{}, {} bytes, {rate}, lost {loss}, reordered {reordered}, duplicates {duplicates}, jitter {jitter}{too_old}",
        output::count(j.datagrams, "datagram"),
        j.bytes
    )
}

fn who(j: &FlowJson) -> String {
    let src = j.source.as_deref().unwrap_or("-");
    match &j.session {
        Some(s) => format!("from {src} session {s}"),
        None => format!("from {src}"),
    }
}

/// The socket for `local`: dual-stack for `[::]` (IPv4 only where IPv6
/// is off), with destination, TOS and TTL reporting on.
fn listen(local: SocketAddr, family: FamilyPref) -> AppResult<Socket> {
    let (sock, local) = match local {
        SocketAddr::V4(_) => (Socket::udp_v4(), local),
        SocketAddr::V6(a) if a.ip().is_unspecified() && family == FamilyPref::Any => {
            match Socket::udp_dual_stack() {
                Ok(s) => (Ok(s), local),
                Err(_) => (
                    Socket::udp_v4(),
                    SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), local.port()),
                ),
            }
        }
        SocketAddr::V6(_) => (Socket::udp_v6(), local),
    };
    let sock = sock.map_err(|e| AppError::setup(format!("socket: {e}")))?;
    sock.bind(local)
        .map_err(|e| AppError::setup(format!("bind {local}: {e}")))?;
    sock.set_recv_info(RecvInfo::DESTINATION | RecvInfo::TOS | RecvInfo::TTL)
        .map_err(|e| AppError::setup(format!("set_recv_info: {e}")))?;
    Ok(sock)
}

struct Run<'a> {
    args: &'a RecvArgs,
    out: Out,
    flows: Flows,
    /// Arrival of the first and the last datagram.
    first: Option<Instant>,
    last: Option<Instant>,
    /// The last interval report's end.
    reported: Option<Instant>,
}

impl Run<'_> {
    /// Prints the report of the interval that ends at `now`.
    fn interval(&mut self, now: Instant) -> AppResult<()> {
        let (Some(first), Some(since)) = (self.first, self.reported) else {
            return Ok(());
        };
        let (t0, t1) = (
            since.duration_since(first).as_secs_f64(),
            now.duration_since(first).as_secs_f64(),
        );
        let flows = &mut self.flows;
        flows.base.resize(flows.flows.len(), Counts::default());
        let reports: Vec<FlowJson> = flows
            .flows
            .iter()
            .zip(&flows.base)
            .map(|(f, &b)| flow_json(f, b, t1 - t0))
            .filter(|j| j.datagrams > 0 || j.lost.is_some_and(|l| l != 0))
            .collect();
        flows.base = flows.flows.iter().map(Flow::counts).collect();
        self.reported = Some(now);
        let datagrams = reports.iter().map(|j| j.datagrams).sum();
        let bytes = reports.iter().map(|j| j.bytes).sum();
        if self.args.json {
            return self.out.json(&IntervalJson {
                version: JSON_VERSION,
                event: "interval",
                start_s: t0,
                end_s: t1,
                datagrams,
                bytes,
                bits_per_s: output::bits_per_s(bytes, t1 - t0),
                flows: reports,
            });
        }
        let span = format!("{:>13} s", format!("{t0:.2}-{t1:.2}"));
        if reports.is_empty() {
            return self.out.line(&format!("{span}  {:>6} datagrams", 0));
        }
        let many = self.flows.flows.len() > 1;
        for j in &reports {
            let tail = if many {
                format!("  {}", who(j))
            } else {
                String::new()
            };
            self.out
                .line(&format!("{span} {}{tail}", flow_text(j, true)))?;
        }
        Ok(())
    }

    fn summary(&mut self, local: SocketAddr, reason: Reason, listened: f64) -> AppResult<()> {
        let active = match (self.first, self.last) {
            (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
            _ => 0.0,
        };
        let flows: Vec<FlowJson> = self
            .flows
            .flows
            .iter()
            .map(|f| flow_json(f, Counts::default(), active))
            .collect();
        let (datagrams, bytes) = self.flows.totals();
        let sequenced: Vec<&FlowJson> = flows.iter().filter(|f| f.lost.is_some()).collect();
        let sum = |get: fn(&FlowJson) -> Option<u64>| {
            (!sequenced.is_empty()).then(|| sequenced.iter().filter_map(|f| get(f)).sum())
        };
        let bps = output::bits_per_s(bytes, active);
        if self.args.json {
            return self.out.json(&SummaryJson {
                version: JSON_VERSION,
                event: "summary",
                reason,
                local: local.to_string(),
                listened_s: listened,
                active_s: active,
                datagrams,
                bytes,
                bits_per_s: bps,
                lost: sum(|f| f.lost.map(|l| l.max(0) as u64)),
                reordered: sum(|f| f.reordered),
                duplicates: sum(|f| f.duplicates),
                flows,
                untracked_datagrams: self.flows.untracked.0,
                untracked_bytes: self.flows.untracked.1,
            });
        }
        let ended = match reason {
            Reason::Count => "ended by --count".to_string(),
            Reason::Duration => "ended by --duration".to_string(),
            Reason::Timeout => "ended by --timeout".to_string(),
            Reason::Signal => format!("stopped by {}", output::stop_signal().unwrap_or("a signal")),
            Reason::StdoutClosed => "output closed".to_string(),
        };
        self.out.line(&format!(
            "received {} ({bytes} bytes) in {active:.3} s: {}; {ended}",
            output::count(datagrams, "datagram"),
            human_bits(bps)
        ))?;
        for j in &flows {
            self.out
                .line(&format!("  {}: {}", who(j), flow_text(j, false)))?;
        }
        let (n, b) = self.flows.untracked;
        if n > 0 {
            self.out.line(&format!(
                "  and {n} datagrams ({b} bytes) from more than {MAX_FLOWS} senders, not told apart"
            ))?;
        }
        Ok(())
    }
}

pub fn run(args: &RecvArgs) -> AppResult<ExitCode> {
    let family = FamilyPref::from_flags(args.ipv4, args.ipv6);
    let asked = args::listen_address(&args.listen, args.bind.as_deref(), family)?;
    let sock = listen(asked, family)?;
    let local = sock
        .local_addr()
        .map_err(|e| AppError::setup(format!("local address: {e}")))?;
    output::stop_on_signals();
    let mut run = Run {
        args,
        out: Out::new(),
        flows: Flows::new(),
        first: None,
        last: None,
        reported: None,
    };
    if args.json {
        run.out.json(&ListeningJson {
            version: JSON_VERSION,
            event: "listening",
            local: local.to_string(),
        })?;
    } else {
        run.out.line(&format!("listening on {local}"))?;
    }

    let start = Instant::now();
    let end = args.duration.map(|d| start + d);
    let mut buf = vec![0u8; 65536];
    let mut got = 0u64;
    let reason = loop {
        if output::stop_signal().is_some() {
            break Reason::Signal;
        }
        if run.out.closed() {
            break Reason::StdoutClosed;
        }
        let now = Instant::now();
        if end.is_some_and(|e| now >= e) {
            break Reason::Duration;
        }
        let idle_until = args.timeout.map(|t| run.last.unwrap_or(start) + t);
        if idle_until.is_some_and(|t| now >= t) {
            break Reason::Timeout;
        }
        let next_report = match (args.interval, run.reported) {
            (Some(every), Some(since)) => Some(since + every),
            _ => None,
        };
        if next_report.is_some_and(|t| now >= t) {
            run.interval(now)?;
            continue;
        }
        let wake = [end, idle_until, next_report]
            .into_iter()
            .flatten()
            .fold(now + TICK, Instant::min);
        sock.set_recv_timeout(Some((wake - now).max(Duration::from_millis(1))));
        let r = match sock.recv_msg(&mut [IoSliceMut::new(&mut buf)]) {
            Ok(r) => r,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::TimedOut | ErrorKind::Interrupted | ErrorKind::ConnectionReset
                ) =>
            {
                continue;
            }
            Err(e) => return Err(AppError::setup(format!("recv_msg: {e}"))),
        };
        let arrived_ns = header::now_ns();
        let arrived = Instant::now();
        if run.first.is_none() {
            run.first = Some(arrived);
            run.reported = Some(arrived);
        }
        run.last = Some(arrived);
        got += 1;
        let h = Header::read(&buf[..r.bytes]);
        run.flows
            .record(r.from.map(canonical), h, r.bytes, arrived_ns);
        if args.verbose {
            let path = Path::of(&r);
            if args.json {
                run.out.json(&path.json(&r, h))?;
            } else {
                run.out.line(&path.line(&r, h))?;
            }
        }
        if args.count.is_some_and(|n| got >= n) {
            break Reason::Count;
        }
    };
    if reason == Reason::StdoutClosed || run.out.closed() {
        return Ok(ExitCode::SUCCESS);
    }
    let now = Instant::now();
    if args.interval.is_some() && run.reported.is_some_and(|t| now > t) {
        run.interval(now)?;
    }
    run.summary(local, reason, start.elapsed().as_secs_f64())?;
    if reason == Reason::Timeout
        && let Some(want) = args.count
    {
        crate::complain(&format!(
            "timed out: nothing for {:.3} s, {got} of {want} datagrams received",
            args.timeout.unwrap_or_default().as_secs_f64()
        ));
        return Ok(ExitCode::from(exit::FAILED));
    }
    Ok(ExitCode::SUCCESS)
}
