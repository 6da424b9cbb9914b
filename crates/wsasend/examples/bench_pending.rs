//! The pending-path bench: the pending path, where a link and not the CPU
//! sets the rate, so what counts is the work per datagram. A bench of the
//! repository, not of the installed `wsasend` (it builds its link with the
//! unpublished test hosts); run it in a checkout, as root:
//!
//! ```sh
//! cargo run --release -p wsasend --example bench_pending -- [--rounds N] [--count N] [--sizes 64,1200] [--rate RATE] [--json]
//! ```
//!
//! Setup (root): two network namespaces joined by a veth pair (see the
//! `testnet` crate), `tc qdisc add dev <veth> root tbf rate <rate> burst 32k
//! limit 1000000` on the sender's end, the senders created inside namespace
//! A on a thread that entered it with `setns`, with a small `SO_SNDBUF` so
//! sends would block, and an unread receiver in namespace B (drained after
//! each loop, once everything arrived). Compared, interleaved per round:
//!
//! - raw: one `sendmsg` per datagram, `poll(POLLOUT)` on `EAGAIN` (both
//!   counted: syscalls per datagram);
//! - ws2 port: overlapped `send_to_port`, 64 in flight, completions taken
//!   with `get_many` and the window refilled;
//! - ws2 event: overlapped `send_overlapped`, 64 `PendingSend`s in flight,
//!   the oldest waited for and replaced.
//!
//! CPU time is `getrusage(RUSAGE_SELF)` user + system over the loop: the
//! whole process, so it includes ws2's reactor thread.

use std::collections::VecDeque;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use serde::Serialize;
use ws2::{CompletionPort, Socket};
use wsasend::{
    AppError, AppResult, BenchArgs, JSON_VERSION, PROGRESS, RawMsgRef, big_rcvbuf, leak, outln,
    print_json, progress,
};

/// The command line: `wsasend bench`'s options, and the link rate.
#[derive(Parser, Debug)]
#[command(
    name = "bench_pending",
    about = "The pending path of ws2 against raw sendmsg + poll over a rate-limited veth link between two network namespaces (root)"
)]
struct PendingArgs {
    #[command(flatten)]
    bench: BenchArgs,
    /// Link rate (tc tbf syntax); by default, per size, the rate that
    /// carries 20,000 datagrams/s.
    #[arg(long)]
    rate: Option<String>,
}

fn main() -> ExitCode {
    let args = match PendingArgs::try_parse() {
        Ok(args) => args,
        Err(e) => return wsasend::parse_error(e),
    };
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            if !e.message.is_empty() {
                wsasend::complain(&e.message);
            }
            ExitCode::from(e.exit)
        }
    }
}

const TX_ADDR: &str = "10.77.0.1";
const RX_ADDR: &str = "10.77.0.2";
/// Asked-for SO_SNDBUF of every sender, raw and ws2 alike (the kernel
/// doubles it). Large, so that when the kernel wakes a writer (half the
/// buffer free) there is room for many datagrams: with a small buffer every
/// batch is small, whoever sends.
const SNDBUF: libc::c_int = 256 * 1024;
/// Overlapped sends kept in flight by the ws2 modes: more than the send
/// buffer holds, so the queue never runs dry between wakeups.
const WINDOW: usize = 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pmode {
    Raw,
    Ws2Port,
    Ws2Event,
}

impl Pmode {
    fn label(self) -> &'static str {
        match self {
            Pmode::Raw => "raw sendmsg + poll",
            Pmode::Ws2Port => "ws2 port, window refilled",
            Pmode::Ws2Event => "ws2 PendingSend window",
        }
    }
}

const MODES: [Pmode; 3] = [Pmode::Raw, Pmode::Ws2Port, Pmode::Ws2Event];

/// The modes to run: all, or those named in `WSASEND_PENDING_MODES`
/// (comma-separated `raw`, `port`, `event`; for profiling one mode alone).
fn modes() -> Vec<Pmode> {
    let Ok(names) = std::env::var("WSASEND_PENDING_MODES") else {
        return MODES.to_vec();
    };
    let picked: Vec<Pmode> = MODES
        .into_iter()
        .filter(|m| {
            let name = match m {
                Pmode::Raw => "raw",
                Pmode::Ws2Port => "port",
                Pmode::Ws2Event => "event",
            };
            names.split(',').any(|n| n.trim() == name)
        })
        .collect();
    if picked.is_empty() {
        MODES.to_vec()
    } else {
        picked
    }
}

struct Senders {
    /// Raw sendmsg and PendingSend socket.
    tx: Socket,
    /// Socket bound to `port`.
    port_tx: Socket,
    port: CompletionPort,
    sndbuf: usize,
}

fn set_sndbuf(fd: RawFd) -> usize {
    let len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: fd is a live socket; the value is a c_int of `len` bytes.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&SNDBUF as *const libc::c_int).cast(),
            len,
        )
    };
    let mut got: libc::c_int = 0;
    let mut got_len = len;
    // SAFETY: fd is a live socket; `got` has room for a c_int.
    unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&mut got as *mut libc::c_int).cast(),
            &mut got_len,
        )
    };
    got.max(0) as usize
}

fn make_senders() -> AppResult<Senders> {
    let bind: SocketAddr = format!("{TX_ADDR}:0").parse().expect("valid address");
    let tx = Socket::udp_v4().map_err(|e| format!("ws2 socket: {e}"))?;
    tx.bind(bind).map_err(|e| format!("ws2 bind: {e}"))?;
    let port_tx = Socket::udp_v4().map_err(|e| format!("ws2 socket: {e}"))?;
    port_tx.bind(bind).map_err(|e| format!("ws2 bind: {e}"))?;
    let port = CompletionPort::new();
    port.associate(&port_tx, 1)
        .map_err(|e| format!("associate: {e}"))?;
    let sndbuf = set_sndbuf(tx.as_raw_fd());
    set_sndbuf(port_tx.as_raw_fd());
    Ok(Senders {
        tx,
        port_tx,
        port,
        sndbuf,
    })
}

/// User + system CPU time of the whole process.
fn cpu_time() -> Duration {
    // SAFETY: rusage is plain C data; getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: ru is writable.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// CPU time of the calling thread alone.
fn thread_cpu_time() -> Duration {
    // SAFETY: timespec is plain C data; clock_gettime fills it.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: ts is writable.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Busy time of the whole machine from /proc/stat (every CPU, every task,
/// interrupts and softirqs wherever they ran; not idle, iowait or steal),
/// and of that the softirq time: a check on getrusage, which misses
/// softirq work done on an idle CPU. Clock ticks (10 ms), so coarse.
fn machine_busy() -> (Duration, Duration) {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return (Duration::ZERO, Duration::ZERO);
    };
    let f: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    if f.len() < 7 {
        return (Duration::ZERO, Duration::ZERO);
    }
    // user nice system idle iowait irq softirq
    let busy = f[0] + f[1] + f[2] + f[5] + f[6];
    let tick = |t: u64| Duration::from_millis(t * 10);
    (tick(busy), tick(f[6]))
}

/// Context switches of the whole process: (voluntary, involuntary).
fn context_switches() -> (u64, u64) {
    // SAFETY: rusage is plain C data; getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: ru is writable.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    (ru.ru_nvcsw as u64, ru.ru_nivcsw as u64)
}

/// One measured loop's totals.
#[derive(Default, Clone, Copy)]
struct Sample {
    elapsed: Duration,
    cpu: Duration,
    /// Syscalls the loop made itself (raw only: sendmsg + poll).
    syscalls: Option<u64>,
    /// Raw: sendmsg calls that failed with EAGAIN.
    eagain: u64,
    /// ws2: what the reactor did during the loop.
    reactor: Option<ws2_engine::io::ReactorStats>,
    errors: u64,
    /// CPU time of the calling thread alone (the rest is the reactor).
    caller_cpu: Duration,
    /// Voluntary + involuntary context switches of the process.
    switches: u64,
    /// Busy time of the whole machine, and its softirq part (`machine_busy`).
    machine: (Duration, Duration),
}

fn stats_delta(
    a: ws2_engine::io::ReactorStats,
    b: ws2_engine::io::ReactorStats,
) -> ws2_engine::io::ReactorStats {
    ws2_engine::io::ReactorStats {
        wakeups: b.wakeups - a.wakeups,
        sendmmsg_calls: b.sendmmsg_calls - a.sendmmsg_calls,
        datagrams: b.datagrams - a.datagrams,
    }
}

/// One raw sendmsg per datagram, poll on EAGAIN; counts both calls and
/// the EAGAINs: (errors, calls, eagain).
fn raw_loop(fd: RawFd, m: &RawMsgRef<'_>, count: u64) -> (u64, u64, u64) {
    let mut errors = 0;
    let mut calls = 0;
    let mut eagain = 0;
    for _ in 0..count {
        loop {
            calls += 1;
            // SAFETY: m.msg points at memory `m` keeps alive.
            let n = unsafe { libc::sendmsg(fd, m.msg(), libc::MSG_NOSIGNAL) };
            if n >= 0 {
                break;
            }
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) => {
                    eagain += 1;
                    let mut pfd = libc::pollfd {
                        fd,
                        events: libc::POLLOUT,
                        revents: 0,
                    };
                    calls += 1;
                    // SAFETY: pfd is one valid pollfd.
                    unsafe { libc::poll(&mut pfd, 1, -1) };
                }
                _ => {
                    errors += 1;
                    break;
                }
            }
        }
    }
    (errors, calls, eagain)
}

/// Overlapped `send_to_port` with `WINDOW` in flight.
fn port_window_loop(s: &Senders, buf: &'static [u8], to: SocketAddr, count: u64) -> u64 {
    let (mut errors, mut issued, mut out) = (0u64, 0u64, 0usize);
    while issued < count || out > 0 {
        while out < WINDOW && issued < count {
            issued += 1;
            match s.port_tx.send_to_port(buf, Some(to), &[]) {
                Ok(()) => out += 1,
                Err(_) => errors += 1,
            }
        }
        if out > 0 {
            for c in s.port.get_many(WINDOW, None) {
                out -= 1;
                errors += u64::from(c.result.is_err());
            }
        }
    }
    errors
}

/// Overlapped `send_overlapped` with `WINDOW` `PendingSend`s in flight.
fn event_window_loop(s: &Senders, buf: &'static [u8], to: SocketAddr, count: u64) -> u64 {
    let mut errors = 0u64;
    let mut inflight = VecDeque::with_capacity(WINDOW);
    for _ in 0..count {
        if inflight.len() == WINDOW {
            let p: ws2::PendingSend<&'static [u8]> = inflight.pop_front().expect("window full");
            errors += u64::from(p.wait().result.is_err());
        }
        match s.tx.send_overlapped(buf, Some(to), &[]) {
            Ok(p) => inflight.push_back(p),
            Err(_) => errors += 1,
        }
    }
    for p in inflight {
        errors += u64::from(p.wait().result.is_err());
    }
    errors
}

fn measure(s: &Senders, mode: Pmode, payload: &[u8], dest: SocketAddr, count: u64) -> Sample {
    let SocketAddr::V4(dest4) = dest else {
        unreachable!("the bench link is IPv4")
    };
    let raw = RawMsgRef::new(dest4, payload);
    let buf = leak(payload);
    let stats0 = ws2_engine::io::reactor_stats();
    let (cpu0, t0) = (cpu_time(), Instant::now());
    let (tcpu0, sw0, m0) = (thread_cpu_time(), context_switches(), machine_busy());
    let (errors, syscalls, eagain) = match mode {
        Pmode::Raw => {
            let (e, calls, eagain) = raw_loop(s.tx.as_raw_fd(), &raw, count);
            (e, Some(calls), eagain)
        }
        Pmode::Ws2Port => (port_window_loop(s, buf, dest, count), None, 0),
        Pmode::Ws2Event => (event_window_loop(s, buf, dest, count), None, 0),
    };
    let (elapsed, cpu) = (t0.elapsed(), cpu_time() - cpu0);
    let (tcpu, sw, m) = (
        thread_cpu_time() - tcpu0,
        context_switches(),
        machine_busy(),
    );
    let reactor =
        (mode != Pmode::Raw).then(|| stats_delta(stats0, ws2_engine::io::reactor_stats()));
    Sample {
        elapsed,
        cpu,
        syscalls,
        eagain,
        reactor,
        errors,
        caller_cpu: tcpu,
        switches: (sw.0 + sw.1) - (sw0.0 + sw0.1),
        machine: (m.0.saturating_sub(m0.0), m.1.saturating_sub(m0.1)),
    }
}

/// Reads until `want` datagrams arrived or nothing came for 500 ms (the
/// link is still emptying its queue when a loop ends). Returns the count.
fn collect(rx: &UdpSocket, want: u64, buf: &mut [u8]) -> u64 {
    let mut got = 0;
    let mut quiet_since = Instant::now();
    while got < want && quiet_since.elapsed() < Duration::from_millis(500) {
        match rx.recv_from(buf) {
            Ok(_) => {
                got += 1;
                quiet_since = Instant::now();
            }
            Err(_) => std::thread::sleep(Duration::from_micros(200)),
        }
    }
    // Anything beyond `want` would be a stray: count it too.
    while rx.recv_from(buf).is_ok() {
        got += 1;
    }
    got
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The tbf rate for `size`: `--rate`, else one that carries 20,000
/// datagrams/s (payload + UDP, IPv4 and Ethernet headers), slower than the
/// CPU can send at any size, so that sends pend.
fn link_rate(args: &PendingArgs, size: u32) -> String {
    match &args.rate {
        Some(r) => r.clone(),
        None => format!("{}kbit", 20_000 * (u64::from(size) + 42) * 8 / 1000),
    }
}

fn set_link_rate(host: &testnet::Host, dev: &str, rate: &str) -> Result<(), testnet::Error> {
    host.tc(&[
        "qdisc", "replace", "dev", dev, "root", "tbf", "rate", rate, "burst", "32k", "limit",
        "1000000",
    ])
    .map(drop)
}

/// `bench_pending --json` (schema version [`JSON_VERSION`]; README).
#[derive(Serialize)]
struct PendingJson {
    version: u32,
    pending: bool,
    rate: String,
    rounds: u32,
    count_per_round: u64,
    sender_sndbuf: usize,
    ws2_in_flight: usize,
    receiver_rcvbuf: usize,
    dropped: u64,
    errors: u64,
    results: Vec<PendingResultJson>,
}

/// One row; `eagain_per_loop` for raw, `pended_percent` for ws2 (else null).
#[derive(Serialize)]
struct PendingResultJson {
    size: u32,
    mode: &'static str,
    dgram_per_s: f64,
    cpu_us_per_dgram: f64,
    send_syscalls_per_dgram: f64,
    eagain_per_loop: Option<f64>,
    pended_percent: Option<f64>,
    syscall_ratio_raw_over_mode: f64,
    cpu_ratio_vs_raw: f64,
}

struct PRow {
    size: u32,
    mode: Pmode,
    rate: f64,
    cpu_us: f64,
    /// Send syscalls per datagram: raw (sendmsg + poll) / datagrams; ws2
    /// (sendmmsg + epoll_wait wakeups) / datagrams the reactor sent.
    syscalls: f64,
    /// Raw: EAGAINs per loop; ws2: share of the datagrams that pended (sent
    /// by the reactor, not at call time), in percent.
    pended: f64,
}

/// Send syscalls per datagram of one loop (see `PRow::syscalls`).
fn syscalls_per_dgram(s: &Sample, count: u64) -> f64 {
    match (s.syscalls, s.reactor) {
        (Some(calls), _) => calls as f64 / count as f64,
        (None, Some(r)) if r.datagrams > 0 => {
            (r.sendmmsg_calls + r.wakeups) as f64 / r.datagrams as f64
        }
        _ => f64::NAN,
    }
}

fn pended(s: &Sample, count: u64) -> f64 {
    match s.reactor {
        Some(r) => 100.0 * r.datagrams as f64 / count as f64,
        None => s.eagain as f64,
    }
}

fn run(opts: &PendingArgs) -> AppResult<ExitCode> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(AppError::setup(
            "the pending-path bench needs root (network namespaces, a veth pair and a tc qdisc)",
        ));
    }
    let args = &opts.bench;
    let terr = |e: testnet::Error| e.to_string();
    let net = testnet::Net::new().map_err(terr)?;
    let a = net.host("benchtx").map_err(terr)?;
    let b = net.host("benchrx").map_err(terr)?;
    let link = net
        .link(&a, &format!("{TX_ADDR}/24"), &b, &format!("{RX_ADDR}/24"))
        .map_err(terr)?;
    let rx = b
        .run(|| UdpSocket::bind(format!("{RX_ADDR}:0")))
        .map_err(|e| format!("bind receiver: {e}"))?;
    rx.set_nonblocking(true)
        .map_err(|e| format!("receiver non-blocking: {e}"))?;
    let rcvbuf = big_rcvbuf(rx.as_raw_fd());
    let dest = rx
        .local_addr()
        .map_err(|e| format!("receiver address: {e}"))?;
    let senders = a.run(make_senders)?;

    let max = args.sizes.iter().copied().max().unwrap_or(0) as usize;
    let payload: Vec<u8> = (0..max).map(|i| i as u8).collect();
    let mut rxbuf = vec![0u8; 65536];
    let modes = modes();
    let verbose = std::env::var_os("WSASEND_PENDING_VERBOSE").is_some();
    let (mut sent, mut received, mut errors) = (0u64, 0u64, 0u64);

    let loops = (args.sizes.len() * modes.len()) as u64 * (1 + u64::from(args.rounds));
    let bar = progress(loops, PROGRESS);
    let step = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    // Warm-up: every mode once, short.
    for &size in &args.sizes {
        set_link_rate(&a, &link.a_ifname, &link_rate(opts, size)).map_err(terr)?;
        for &mode in &modes {
            let s = measure(&senders, mode, &payload[..size as usize], dest, 200);
            collect(&rx, 200 - s.errors, &mut rxbuf);
            step();
        }
    }

    let mut rows = Vec::new();
    let mut rates = Vec::new();
    for &size in &args.sizes {
        let rate = link_rate(opts, size);
        set_link_rate(&a, &link.a_ifname, &rate).map_err(terr)?;
        rates.push(format!("{size} B: {rate}"));
        let p = &payload[..size as usize];
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); modes.len()];
        for round in 0..args.rounds {
            // Rotate the order every round: A B C, B C A, C A B, ...
            for k in 0..modes.len() {
                let i = (k + round as usize) % modes.len();
                let s = measure(&senders, modes[i], p, dest, args.count);
                sent += args.count - s.errors;
                errors += s.errors;
                received += collect(&rx, args.count - s.errors, &mut rxbuf);
                if verbose {
                    eprintln!(
                        "{size:>5} {:<29} cpu {:>6.3} us/d, caller {:>6.3} us/d, switches {:>6}, machine {:>6.3} us/d (softirq {:>6.3})",
                        modes[i].label(),
                        s.cpu.as_secs_f64() * 1e6 / args.count as f64,
                        s.caller_cpu.as_secs_f64() * 1e6 / args.count as f64,
                        s.switches,
                        s.machine.0.as_secs_f64() * 1e6 / args.count as f64,
                        s.machine.1.as_secs_f64() * 1e6 / args.count as f64,
                    );
                }
                samples[i].push(s);
                step();
            }
        }
        for (i, &mode) in modes.iter().enumerate() {
            let per = |f: &dyn Fn(&Sample) -> f64| median(samples[i].iter().map(f).collect());
            let n = args.count as f64;
            rows.push(PRow {
                size,
                mode,
                rate: per(&|s| n / s.elapsed.as_secs_f64().max(1e-9)),
                cpu_us: per(&|s| s.cpu.as_secs_f64() * 1e6 / n),
                syscalls: per(&|s| syscalls_per_dgram(s, args.count)),
                pended: per(&|s| pended(s, args.count)),
            });
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let dropped = sent.saturating_sub(received);
    let raw_of = |size: u32| {
        rows.iter()
            .find(|r| r.size == size && r.mode == Pmode::Raw)
            .map_or((f64::NAN, f64::NAN), |r| (r.cpu_us, r.syscalls))
    };

    if args.json {
        let results = rows
            .iter()
            .map(|r| {
                let (raw_cpu, raw_calls) = raw_of(r.size);
                let raw = r.mode == Pmode::Raw;
                PendingResultJson {
                    size: r.size,
                    mode: r.mode.label(),
                    dgram_per_s: r.rate.round(),
                    cpu_us_per_dgram: r.cpu_us,
                    send_syscalls_per_dgram: r.syscalls,
                    eagain_per_loop: raw.then_some(r.pended),
                    pended_percent: (!raw).then_some(r.pended),
                    syscall_ratio_raw_over_mode: raw_calls / r.syscalls,
                    cpu_ratio_vs_raw: r.cpu_us / raw_cpu,
                }
            })
            .collect();
        print_json(&PendingJson {
            version: JSON_VERSION,
            pending: true,
            rate: rates.join(", "),
            rounds: args.rounds,
            count_per_round: args.count,
            sender_sndbuf: senders.sndbuf,
            ws2_in_flight: WINDOW,
            receiver_rcvbuf: rcvbuf,
            dropped,
            errors,
            results,
        })?;
    } else {
        outln!(
            "pending path: {} rounds x {} datagrams per mode, medians; veth {TX_ADDR} -> {RX_ADDR} with tbf burst 32k, rate ({}); every sender SO_SNDBUF {} bytes; ws2 keeps {WINDOW} sends in flight",
            args.rounds,
            args.count,
            rates.join(", "),
            senders.sndbuf
        )?;
        outln!(
            "{:>6} | {:<29} | {:>9} | {:>8} | {:>11} | {:>11} | {:>9} | {:>9}",
            "size",
            "mode",
            "dgram/s",
            "CPU us/d",
            "sends sc/d",
            "pended",
            "sc ratio",
            "CPU ratio"
        )?;
        outln!("{}", "-".repeat(6 + 29 + 9 + 8 + 11 + 11 + 9 + 9 + 21))?;
        for r in &rows {
            let (raw_cpu, raw_calls) = raw_of(r.size);
            let pended = if r.mode == Pmode::Raw {
                format!("{:.0} EAGAIN", r.pended)
            } else {
                format!("{:.1}%", r.pended)
            };
            outln!(
                "{:>6} | {:<29} | {:>9.0} | {:>8.3} | {:>11.4} | {:>11} | {:>9.2} | {:>9.3}",
                r.size,
                r.mode.label(),
                r.rate,
                r.cpu_us,
                r.syscalls,
                pended,
                raw_calls / r.syscalls,
                r.cpu_us / raw_cpu
            )?;
        }
        outln!(
            "CPU us/d = getrusage(RUSAGE_SELF) user+sys per datagram over the loop (whole process, reactor thread included); sends sc/d = send syscalls per datagram: raw (sendmsg + poll) / datagrams, ws2 (sendmmsg + epoll_wait wakeups) / datagrams the reactor sent (ws2_engine::io::reactor_stats deltas); pended = raw: EAGAINs per loop, ws2: share of datagrams sent by the reactor; sc ratio = raw / mode (higher: fewer syscalls); CPU ratio = mode / raw (< 1: cheaper); drops: {dropped}, send errors: {errors}"
        )?;
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("wsasend: {errors} sends failed");
        ExitCode::FAILURE
    })
}
