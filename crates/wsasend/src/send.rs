//! `wsasend send`: real traffic through `Socket::send_msg`, numbered with
//! the sequence header (`header.rs`), paced by a token bucket (`pace.rs`),
//! reported per `--interval` and in a summary.

use std::collections::BTreeMap;
use std::io::{IoSlice, Read};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;
use ws2::{ControlMessage, Message, SendFlags, Socket};

use crate::args::{self, FamilyPref, Rate};
use crate::header::{self, Header};
use crate::output::{self, JSON_VERSION, Out, human_bits};
use crate::pace::TokenBucket;
use crate::{AppError, AppResult, SendArgs, exit};

/// Largest UDP payload of one datagram, IPv4 and IPv6.
const MAX_UDP4: usize = 65507;
const MAX_UDP6: usize = 65527;

/// HOST PORT, HOST:PORT, [IPV6]:PORT or --to, before resolution.
fn destination(args: &SendArgs) -> AppResult<(String, u16)> {
    match (&args.to, &args.host, args.port) {
        (Some(to), _, _) => args::split_host_port(to, "--to"),
        (None, Some(host), Some(port)) => {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            if host.contains(':') && bare.parse::<IpAddr>().is_err() {
                return Err(AppError::usage(format!(
                    "HOST '{host}' has a port, and PORT {port} is given too"
                )));
            }
            Ok((host.clone(), port))
        }
        (None, Some(host), None) => args::split_host_port(host, "HOST"),
        (None, None, _) => Err(AppError::usage("send needs HOST PORT (or --to HOST:PORT)")),
    }
}

/// Control messages for `--from`, `--tos`, `--ecn`, `--ttl` and
/// `--segment-size`, for the destination's family.
fn controls(to: SocketAddr, args: &SendArgs) -> AppResult<Vec<ControlMessage>> {
    let v4 = to.is_ipv4();
    let mut control = Vec::new();
    match (to, args.from) {
        (_, None) => {}
        (SocketAddr::V4(_), Some(IpAddr::V4(addr))) => {
            control.push(ControlMessage::SourceV4 { addr, ifindex: 0 })
        }
        (SocketAddr::V6(_), Some(IpAddr::V6(addr))) => {
            control.push(ControlMessage::SourceV6 { addr, ifindex: 0 })
        }
        (to, Some(from)) => {
            return Err(AppError::usage(format!(
                "--from {from} and the destination {to} are of different address families"
            )));
        }
    }
    if let Some(tos) = args.tos {
        control.push(if v4 {
            ControlMessage::Tos(tos)
        } else {
            ControlMessage::TrafficClass(tos)
        });
    }
    if let Some(ecn) = args.ecn {
        control.push(if v4 {
            ControlMessage::Ecn(ecn)
        } else {
            ControlMessage::EcnV6(ecn)
        });
    }
    if let Some(ttl) = args.ttl {
        control.push(if v4 {
            ControlMessage::Ttl(ttl)
        } else {
            ControlMessage::HopLimit(ttl)
        });
    }
    if let Some(seg) = args.segment_size {
        control.push(ControlMessage::SegmentSize(seg));
    }
    Ok(control)
}

/// One send's bytes, where its headers go, and how many datagrams it makes.
struct Payload {
    buf: Vec<u8>,
    /// Start of every datagram in `buf` (each gets a header); empty when
    /// the datagrams carry none.
    header_at: Vec<usize>,
    /// Why there is no header (None: there is one).
    no_header: Option<&'static str>,
    datagrams_per_send: u64,
}

impl Payload {
    fn new(args: &SendArgs, to: SocketAddr) -> AppResult<Payload> {
        let buf = match &args.file {
            Some(path) => read_payload(path, to, args.segment_size)?,
            None => (0..args.size).map(|i| i as u8).collect(),
        };
        let len = buf.len();
        let seg = args.segment_size.map_or(len.max(1), |s| s as usize);
        let datagrams = len.div_ceil(seg).max(1);
        let shortest = len - (datagrams - 1) * seg;
        let no_header = if args.file.is_some() {
            Some("--file payloads are sent as they are")
        } else if args.no_header {
            Some("--no-header")
        } else if shortest < header::LEN {
            Some(if args.segment_size.is_some() {
                "a segment is shorter than the 24-byte header"
            } else {
                "--size is below the 24-byte header"
            })
        } else {
            None
        };
        let header_at = if no_header.is_none() {
            (0..datagrams).map(|k| k * seg).collect()
        } else {
            Vec::new()
        };
        Ok(Payload {
            buf,
            header_at,
            no_header,
            datagrams_per_send: datagrams as u64,
        })
    }

    /// Numbers the datagrams of the next send `first_seq`, `first_seq + 1`...
    fn stamp(&mut self, session: u32, first_seq: u64) {
        let sent_ns = header::now_ns();
        for (k, &at) in self.header_at.iter().enumerate() {
            Header {
                session,
                seq: first_seq + k as u64,
                sent_ns,
            }
            .write(&mut self.buf[at..]);
        }
    }
}

/// `--file PATH` or `-` (stdin): at most one datagram's worth, unless
/// `--segment-size` splits it.
fn read_payload(path: &std::path::Path, to: SocketAddr, seg: Option<u32>) -> AppResult<Vec<u8>> {
    let max = if to.is_ipv4() { MAX_UDP4 } else { MAX_UDP6 };
    let name = path.display();
    let mut data = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(65536).read_to_end(&mut data)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(65536).read_to_end(&mut data))
    };
    read.map_err(|e| AppError::setup(format!("--file {name}: {e}")))?;
    if seg.is_none() && data.len() > max {
        return Err(AppError::usage(format!(
            "--file {name}: more than {max} bytes, the most one {} datagram carries (--segment-size splits it)",
            if to.is_ipv4() { "IPv4" } else { "IPv6" }
        )));
    }
    Ok(data)
}

/// Why a run ended.
#[derive(Clone, Copy, Serialize, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum Reason {
    Count,
    Duration,
    Signal,
    StdoutClosed,
}

/// What was sent, in total or in one interval.
#[derive(Clone, Copy, Default)]
struct Sent {
    sends: u64,
    datagrams: u64,
    bytes: u64,
    failed: u64,
}

impl Sent {
    fn minus(self, o: Sent) -> Sent {
        Sent {
            sends: self.sends - o.sends,
            datagrams: self.datagrams - o.datagrams,
            bytes: self.bytes - o.bytes,
            failed: self.failed - o.failed,
        }
    }
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
    failed: u64,
}

#[derive(Serialize)]
struct ErrorJson {
    name: &'static str,
    code: i32,
    sends: u64,
    first: String,
}

#[derive(Serialize)]
struct SummaryJson {
    version: u32,
    event: &'static str,
    reason: Reason,
    destination: String,
    local: Option<String>,
    header: bool,
    session: Option<String>,
    first_seq: Option<u64>,
    last_seq: Option<u64>,
    size: usize,
    segment_size: Option<u32>,
    sends: u64,
    datagrams: u64,
    bytes: u64,
    failed: u64,
    errors: Vec<ErrorJson>,
    elapsed_s: f64,
    datagrams_per_s: f64,
    bits_per_s: f64,
}

/// Failed sends by Winsock error: (code, sends, first message).
type Errors = BTreeMap<&'static str, (i32, u64, String)>;

struct Run<'a> {
    args: &'a SendArgs,
    to: SocketAddr,
    session: u32,
    out: Out,
    start: Instant,
    total: Sent,
    /// Totals at the last interval report, and its time.
    reported: (Sent, Instant),
}

impl Run<'_> {
    /// Prints the interval report if one is due at `now`; with `last`, the
    /// rest of the run since the last one, if anything happened.
    fn interval(&mut self, now: Instant, last: bool) -> AppResult<()> {
        let Some(every) = self.args.interval else {
            return Ok(());
        };
        let (before, since) = self.reported;
        let d = self.total.minus(before);
        let due = if last {
            d.sends + d.failed > 0
        } else {
            now.duration_since(since) >= every
        };
        if !due {
            return Ok(());
        }
        let (t0, t1) = (
            since.duration_since(self.start).as_secs_f64(),
            now.duration_since(self.start).as_secs_f64(),
        );
        let bps = output::bits_per_s(d.bytes, t1 - t0);
        self.reported = (self.total, now);
        if self.args.json {
            self.out.json(&IntervalJson {
                version: JSON_VERSION,
                event: "interval",
                start_s: t0,
                end_s: t1,
                datagrams: d.datagrams,
                bytes: d.bytes,
                bits_per_s: bps,
                failed: d.failed,
            })
        } else {
            let failed = if d.failed > 0 {
                format!("  {} failed", d.failed)
            } else {
                String::new()
            };
            self.out.line(&format!(
                "{:>13} s  sent {:>6} datagrams {:>9} bytes {:>12}{failed}",
                format!("{t0:.2}-{t1:.2}"),
                d.datagrams,
                d.bytes,
                human_bits(bps)
            ))
        }
    }

    /// Prints the run's summary.
    fn summary(
        &mut self,
        payload: &Payload,
        sock: &Socket,
        reason: Reason,
        elapsed: f64,
        errors: &Errors,
    ) -> AppResult<()> {
        let (to, session) = (self.to, self.session);
        let t = self.total;
        let local = sock.local_addr().ok().filter(|a| a.port() != 0);
        let numbered = payload.no_header.is_none() && t.datagrams > 0;
        let rate = if elapsed > 0.0 {
            t.datagrams as f64 / elapsed
        } else {
            0.0
        };
        let bps = output::bits_per_s(t.bytes, elapsed);
        if self.args.json {
            return self.out.json(&SummaryJson {
                version: JSON_VERSION,
                event: "summary",
                reason,
                destination: to.to_string(),
                local: local.map(|a| a.to_string()),
                header: payload.no_header.is_none(),
                session: payload
                    .no_header
                    .is_none()
                    .then(|| format!("{session:08x}")),
                first_seq: numbered.then_some(0),
                last_seq: numbered.then(|| t.datagrams - 1),
                size: payload.buf.len(),
                segment_size: self.args.segment_size,
                sends: t.sends,
                datagrams: t.datagrams,
                bytes: t.bytes,
                failed: t.failed,
                errors: errors
                    .iter()
                    .map(|(name, (code, n, first))| ErrorJson {
                        name,
                        code: *code,
                        sends: *n,
                        first: first.clone(),
                    })
                    .collect(),
                elapsed_s: elapsed,
                datagrams_per_s: rate,
                bits_per_s: bps,
            });
        }
        let from = match (local, self.args.from) {
            (Some(a), Some(ip)) => format!(" from {}", SocketAddr::new(ip, a.port())),
            (Some(a), None) if a.ip().is_unspecified() => format!(" from port {}", a.port()),
            (Some(a), None) => format!(" from {a}"),
            (None, _) => String::new(),
        };
        let split = match self.args.segment_size {
            Some(seg) => format!(
                " in {} split into segments of {seg} bytes",
                output::count(t.sends, "send")
            ),
            None => String::new(),
        };
        let stopped = match reason {
            Reason::Signal => format!(
                "; stopped by {}",
                output::stop_signal().unwrap_or("a signal")
            ),
            _ => String::new(),
        };
        let sent = output::count(t.datagrams, "datagram");
        let speed = format!("{rate:.0} datagrams/s, {}", human_bits(bps));
        self.out.line(&format!(
            "sent {sent} ({} bytes){split} to {to}{from} in {elapsed:.3} s: {speed}{stopped}",
            t.bytes
        ))?;
        self.out.line(&match payload.no_header {
            None if numbered => format!(
                "header: session {session:08x}, sequence 0-{}",
                t.datagrams - 1
            ),
            None => format!("header: session {session:08x}, nothing sent"),
            Some(why) => format!("header: none ({why}); recv counts datagrams and bytes only"),
        })
    }
}

/// Waits `d`, in slices short enough to notice a signal or a report due.
fn nap(d: Duration) {
    std::thread::sleep(d.min(Duration::from_millis(50)));
}

pub fn run(args: &SendArgs) -> AppResult<ExitCode> {
    let (host, port) = destination(args)?;
    let family = FamilyPref::from_flags(args.ipv4, args.ipv6);
    let to = args::resolve(&host, port, family, args.from)?;
    let control = controls(to, args)?;
    let mut payload = Payload::new(args, to)?;
    let per_send = payload.datagrams_per_send;
    let cost_of = |rate: Rate| match rate {
        Rate::Datagrams(r) => Ok((r, per_send as f64)),
        Rate::Bits(_) if payload.buf.is_empty() => Err(AppError::usage(
            "--rate in bits/s needs a payload; for empty datagrams give datagrams/s",
        )),
        Rate::Bits(r) => Ok((r, payload.buf.len() as f64 * 8.0)),
    };
    let pacing = args.rate.map(cost_of).transpose()?;
    let sock = match to {
        SocketAddr::V4(_) => Socket::udp_v4(),
        SocketAddr::V6(_) => Socket::udp_v6(),
    }
    .map_err(|e| AppError::setup(format!("socket: {e}")))?;
    output::stop_on_signals();

    let max_sends = match (args.count, args.duration) {
        (Some(n), _) => Some(n),
        (None, Some(_)) => None,
        (None, None) => Some(1),
    };
    let bar = match max_sends {
        Some(n) if n > 1000 && args.interval.is_none() && !args.json => {
            output::progress(n, "{bar:40} {pos}/{len} sends {per_sec} eta {eta}")
        }
        _ => None,
    };
    let session = header::new_session();
    let start = Instant::now();
    let deadline = args.duration.map(|d| start + d);
    let mut bucket = pacing.map(|(rate, cost)| (TokenBucket::new(rate, cost, start), cost));
    let mut run = Run {
        args,
        to,
        session,
        out: Out::new(),
        start,
        total: Sent::default(),
        reported: (Sent::default(), start),
    };
    let mut errors = Errors::new();
    let mut attempted = 0u64;
    let mut seq = 0u64;
    let reason = loop {
        if output::stop_signal().is_some() {
            break Reason::Signal;
        }
        if max_sends.is_some_and(|m| attempted >= m) {
            break Reason::Count;
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            break Reason::Duration;
        }
        run.interval(now, false)?;
        if run.out.closed() {
            break Reason::StdoutClosed;
        }
        if let Some((b, cost)) = &mut bucket {
            let wait = b.wait(*cost, now);
            if !wait.is_zero() {
                nap(wait);
                continue;
            }
            b.take(*cost);
        }
        payload.stamp(session, seq);
        let bufs = [IoSlice::new(&payload.buf)];
        let msg = Message::new(&bufs).to(to).control(&control);
        attempted += 1;
        match sock.send_msg(&msg, SendFlags::NONE) {
            Ok(n) => {
                run.total.sends += 1;
                run.total.datagrams += per_send;
                run.total.bytes += n as u64;
                seq += per_send;
            }
            Err(e) => {
                run.total.failed += per_send;
                let entry = errors
                    .entry(e.name())
                    .or_insert_with(|| (e.code(), 0, e.message().to_string()));
                entry.1 += 1;
            }
        }
        if let Some(bar) = &bar
            && attempted.is_multiple_of(1024)
        {
            bar.set_position(attempted);
        }
    };
    let elapsed = start.elapsed().as_secs_f64();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if reason != Reason::StdoutClosed {
        run.interval(Instant::now(), true)?;
        run.summary(&payload, &sock, reason, elapsed, &errors)?;
    }
    if errors.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let detail: Vec<String> = errors
        .iter()
        .map(|(name, (_, n, first))| format!("{name} x{n} (first: {first})"))
        .collect();
    crate::complain(&format!(
        "{} of {attempted} sends failed: {}",
        attempted - run.total.sends,
        detail.join(", ")
    ));
    Ok(ExitCode::from(exit::FAILED))
}
