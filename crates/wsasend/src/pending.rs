//! `wsasend bench --pending`: the pending path, where a link and not the
//! CPU sets the rate, so what counts is the work per datagram.
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

use ws2::{CompletionPort, Socket};

use crate::{AppResult, BenchArgs};

const TX_ADDR: &str = "10.77.0.1";
const RX_ADDR: &str = "10.77.0.2";
/// Asked-for SO_SNDBUF of the senders (the kernel doubles it).
const SNDBUF: libc::c_int = 4096;
/// Overlapped sends kept in flight by the ws2 modes.
const WINDOW: usize = 64;

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
            Pmode::Ws2Port => "ws2 port, 64 in flight",
            Pmode::Ws2Event => "ws2 PendingSend, 64 in flight",
        }
    }
}

const MODES: [Pmode; 3] = [Pmode::Raw, Pmode::Ws2Port, Pmode::Ws2Event];

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

/// One measured loop's totals.
#[derive(Default, Clone, Copy)]
struct Sample {
    elapsed: Duration,
    cpu: Duration,
    /// Syscalls the loop made itself (raw only: sendmsg + poll).
    syscalls: Option<u64>,
    errors: u64,
}

/// One raw sendmsg per datagram, poll on EAGAIN; counts both calls.
fn raw_loop(fd: RawFd, m: &crate::bench::RawMsgRef<'_>, count: u64) -> (u64, u64) {
    let mut errors = 0;
    let mut calls = 0;
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
    (errors, calls)
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
    let raw = crate::bench::RawMsgRef::new(dest4, payload);
    let buf = crate::bench::leak(payload);
    let (cpu0, t0) = (cpu_time(), Instant::now());
    let (errors, syscalls) = match mode {
        Pmode::Raw => {
            let (e, calls) = raw_loop(s.tx.as_raw_fd(), &raw, count);
            (e, Some(calls))
        }
        Pmode::Ws2Port => (port_window_loop(s, buf, dest, count), None),
        Pmode::Ws2Event => (event_window_loop(s, buf, dest, count), None),
    };
    Sample {
        elapsed: t0.elapsed(),
        cpu: cpu_time() - cpu0,
        syscalls,
        errors,
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

struct PRow {
    size: u32,
    mode: Pmode,
    rate: f64,
    cpu_us: f64,
    syscalls: Option<f64>,
}

pub fn run(args: &BenchArgs) -> AppResult<ExitCode> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        println!(
            "pending bench skipped: it needs root (network namespaces, a veth pair and a tc qdisc)"
        );
        return Ok(ExitCode::FAILURE);
    }
    let terr = |e: testnet::Error| e.to_string();
    let net = testnet::Net::new().map_err(terr)?;
    let a = net.host("benchtx").map_err(terr)?;
    let b = net.host("benchrx").map_err(terr)?;
    let link = net
        .link(&a, &format!("{TX_ADDR}/24"), &b, &format!("{RX_ADDR}/24"))
        .map_err(terr)?;
    a.tc(&[
        "qdisc",
        "add",
        "dev",
        &link.a_ifname,
        "root",
        "tbf",
        "rate",
        &args.rate,
        "burst",
        "32k",
        "limit",
        "1000000",
    ])
    .map_err(terr)?;
    let rx = b
        .run(|| UdpSocket::bind(format!("{RX_ADDR}:0")))
        .map_err(|e| format!("bind receiver: {e}"))?;
    rx.set_nonblocking(true)
        .map_err(|e| format!("receiver non-blocking: {e}"))?;
    let rcvbuf = crate::bench::big_rcvbuf(rx.as_raw_fd());
    let dest = rx
        .local_addr()
        .map_err(|e| format!("receiver address: {e}"))?;
    let senders = a.run(make_senders)?;

    let max = args.sizes.iter().copied().max().unwrap_or(0) as usize;
    let payload: Vec<u8> = (0..max).map(|i| i as u8).collect();
    let mut rxbuf = vec![0u8; 65536];
    let (mut sent, mut received, mut errors) = (0u64, 0u64, 0u64);

    // Warm-up: every mode once, short.
    for &size in &args.sizes {
        for mode in MODES {
            let s = measure(&senders, mode, &payload[..size as usize], dest, 200);
            collect(&rx, 200 - s.errors, &mut rxbuf);
        }
    }

    let mut rows = Vec::new();
    for &size in &args.sizes {
        let p = &payload[..size as usize];
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); MODES.len()];
        for round in 0..args.rounds {
            // Rotate the order every round: A B C, B C A, C A B, ...
            for k in 0..MODES.len() {
                let i = (k + round as usize) % MODES.len();
                let s = measure(&senders, MODES[i], p, dest, args.count);
                sent += args.count - s.errors;
                errors += s.errors;
                received += collect(&rx, args.count - s.errors, &mut rxbuf);
                samples[i].push(s);
            }
        }
        for (i, mode) in MODES.into_iter().enumerate() {
            let per = |f: &dyn Fn(&Sample) -> f64| median(samples[i].iter().map(f).collect());
            let n = args.count as f64;
            rows.push(PRow {
                size,
                mode,
                rate: per(&|s| n / s.elapsed.as_secs_f64().max(1e-9)),
                cpu_us: per(&|s| s.cpu.as_secs_f64() * 1e6 / n),
                syscalls: samples[i][0]
                    .syscalls
                    .map(|_| per(&|s| s.syscalls.unwrap_or(0) as f64 / n)),
            });
        }
    }
    let dropped = sent.saturating_sub(received);
    let raw_cpu = |size: u32| {
        rows.iter()
            .find(|r| r.size == size && r.mode == Pmode::Raw)
            .map_or(f64::NAN, |r| r.cpu_us)
    };

    if args.json {
        let items: Vec<String> = rows
            .iter()
            .map(|r| {
                let sc = r
                    .syscalls
                    .map_or("null".to_string(), |v| format!("{v:.3}"));
                format!(
                    "    {{\"size\": {}, \"mode\": \"{}\", \"dgram_per_s\": {:.0}, \"cpu_us_per_dgram\": {:.3}, \"syscalls_per_dgram\": {sc}, \"cpu_ratio_vs_raw\": {:.4}}}",
                    r.size,
                    r.mode.label(),
                    r.rate,
                    r.cpu_us,
                    r.cpu_us / raw_cpu(r.size)
                )
            })
            .collect();
        println!(
            "{{\n  \"pending\": true,\n  \"rate\": \"{}\",\n  \"rounds\": {},\n  \"count_per_round\": {},\n  \"sender_sndbuf\": {},\n  \"receiver_rcvbuf\": {rcvbuf},\n  \"dropped\": {dropped},\n  \"errors\": {errors},\n  \"results\": [\n{}\n  ]\n}}",
            args.rate,
            args.rounds,
            args.count,
            senders.sndbuf,
            items.join(",\n")
        );
    } else {
        println!(
            "pending path: {} rounds x {} datagrams per mode, medians; veth {TX_ADDR} -> {RX_ADDR} with tbf rate {} burst 32k; sender SO_SNDBUF {} bytes",
            args.rounds, args.count, args.rate, senders.sndbuf
        );
        println!(
            "{:>6} | {:<29} | {:>9} | {:>14} | {:>15} | {:>9}",
            "size", "mode", "dgram/s", "CPU us / dgram", "syscalls / dgram", "CPU ratio"
        );
        println!("{}", "-".repeat(6 + 29 + 9 + 14 + 16 + 9 + 15));
        for r in &rows {
            let sc = r.syscalls.map_or("n/a".to_string(), |v| format!("{v:.3}"));
            println!(
                "{:>6} | {:<29} | {:>9.0} | {:>14.3} | {:>16} | {:>9.3}",
                r.size,
                r.mode.label(),
                r.rate,
                r.cpu_us,
                sc,
                r.cpu_us / raw_cpu(r.size)
            );
        }
        println!(
            "CPU = getrusage(RUSAGE_SELF) user+sys over the loop, whole process; CPU ratio = mode / raw (< 1: cheaper); syscalls counted for raw only (ws2 needs an engine counter); drops: {dropped}, send errors: {errors}"
        );
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("wsasend: {errors} sends failed");
        ExitCode::FAILURE
    })
}
