//! `wsasend bench scale`: how ws2's cost grows with the number of sockets
//! and of pending operations, and what a pending operation holds.
//!
//! - **Sockets** (in the command): the same datagrams sent round-robin over
//!   N = 1, 10, 100, 1,000, 10,000 ws2 UDP sockets on 127.0.0.1, ws2
//!   `send_msg` against raw `sendmsg` on the very same fds, interleaved per
//!   round (order alternating), medians; one receiver with the largest
//!   `SO_RCVBUF` the kernel gives, drained before every loop, so nothing
//!   drops (drops are counted and reported). `RLIMIT_NOFILE` is raised to
//!   hold the sockets.
//! - **Posted receives** (in the command): bytes per overlapped
//!   `WSARecvFrom` posted through the C ABI on a socket nothing is sent
//!   to, beyond the caller's buffers and OVERLAPPEDs.
//! - **Pending sends** (`examples/bench_scale.rs`, as root: it needs a
//!   rate-limited link between two network namespaces, which the command
//!   cannot build): N = 1 … 100,000 overlapped `send_to_port`s issued at
//!   once across N / 1,000 sockets (at least one) whose small send buffers
//!   make nearly all of them wait, every completion collected; the CPU time
//!   of the whole process (reactor thread included) per operation. And
//!   bytes per pending send, with the link slowed so they all stay pending.
//!
//! Memory is the growth of glibc's `mallinfo2` in-use bytes (all arenas,
//! chunk overhead included) over 10,000 pending operations, divided.

use std::ffi::c_char;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;
use ws2::{CompletionPort, Message, PortCompletion, SendFlags, Socket};
use ws2_abi as abi;

use crate::bench::{RawMsgRef, big_rcvbuf, leak, print_json};
use crate::output::JSON_VERSION;
use crate::{AppError, AppResult, BenchOneArgs, Mode};

/// Socket counts of the sockets part.
const SOCKETS: [usize; 5] = [1, 10, 100, 1_000, 10_000];
/// Pending-operation counts of the pending part.
const PENDING: [usize; 6] = [1, 10, 100, 1_000, 10_000, 100_000];
/// Pending sends per socket in the pending part (under S18's limit).
const PER_SOCKET: usize = 1_000;
/// Operations whose memory is measured.
const MEMORY_OPS: usize = 10_000;
/// Payload of every datagram.
const SIZE: usize = 64;

/// What the pending part needs and the command cannot build: senders
/// behind a rate-limited link (`examples/bench_scale.rs`).
pub trait PendingLink {
    /// `n` ws2 UDP sockets where the link's sender lives, with small send
    /// buffers.
    fn senders(&self, n: usize) -> AppResult<Vec<Socket>>;
    /// Where they send (an unread receiver beyond the link).
    fn destination(&self) -> SocketAddr;
    /// Sets the link's rate (`tc tbf` syntax).
    fn set_rate(&self, rate: &str) -> AppResult<()>;
}

/// The options of a scale run.
pub struct ScaleOptions {
    /// At most 30 s: fewer datagrams and rounds.
    pub quick: bool,
    pub json: bool,
}

#[derive(Serialize)]
struct SocketsRow {
    sockets: usize,
    raw_dgram_per_s: f64,
    ws2_dgram_per_s: f64,
    ratio: f64,
    /// This row's ratio over the one-socket row's.
    ratio_vs_one_socket: f64,
}

#[derive(Serialize)]
struct PendingRow {
    pending: usize,
    sockets: usize,
    /// Share of the sends that waited in ws2's queue (sent by the reactor).
    pended_percent: f64,
    /// Process CPU time (user + system) per operation, issue to completion.
    cpu_ns_per_op: f64,
    /// This row's cost over the first row's of at least 1,000 operations.
    cost_vs_1000: f64,
    wall_s: f64,
}

#[derive(Serialize)]
struct MemoryJson {
    method: &'static str,
    operations: usize,
    posted_receive_bytes: f64,
    pending_send_bytes: Option<f64>,
}

/// `bench scale --json` (schema version [`JSON_VERSION`]).
#[derive(Serialize)]
struct ScaleJson {
    version: u32,
    bench: &'static str,
    quick: bool,
    size: usize,
    rounds: u32,
    count_per_round: u64,
    receiver_rcvbuf: usize,
    dropped: u64,
    errors: u64,
    sockets: Vec<SocketsRow>,
    pending: Option<Vec<PendingRow>>,
    pending_link_rate: Option<String>,
    memory: MemoryJson,
}

/// Raises `RLIMIT_NOFILE` to at least `want` (as far as the hard limit,
/// or past it with privileges).
fn raise_nofile(want: u64) -> AppResult<()> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: lim is a writable rlimit.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    if lim.rlim_cur >= want {
        return Ok(());
    }
    let raised = libc::rlimit {
        rlim_cur: want,
        rlim_max: lim.rlim_max.max(want),
    };
    // SAFETY: raised is a valid rlimit.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
        return Ok(());
    }
    let capped = libc::rlimit {
        rlim_cur: lim.rlim_max,
        rlim_max: lim.rlim_max,
    };
    // SAFETY: capped is a valid rlimit.
    if lim.rlim_max >= want && unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &capped) } == 0 {
        return Ok(());
    }
    Err(AppError::setup(format!(
        "bench scale needs {want} file descriptors; RLIMIT_NOFILE allows {} (raise it: ulimit -n {want})",
        lim.rlim_max
    )))
}

/// `n` ws2 UDP sockets bound to 127.0.0.1.
fn loopback_senders(n: usize) -> AppResult<Vec<Socket>> {
    (0..n)
        .map(|_| {
            let s = Socket::udp_v4().map_err(|e| AppError::setup(format!("ws2 socket: {e}")))?;
            s.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .map_err(|e| AppError::setup(format!("ws2 bind: {e}")))?;
            Ok(s)
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Reads everything queued; returns the number of datagrams.
fn drain(rx: &UdpSocket, buf: &mut [u8]) -> u64 {
    let mut n = 0;
    while rx.recv_from(buf).is_ok() {
        n += 1;
    }
    n
}

/// `count` raw `sendmsg`s round-robin over `fds`; the errors.
pub(crate) fn raw_round_robin(fds: &[i32], msg: &libc::msghdr, count: u64) -> u64 {
    let mut errors = 0;
    let mut i = 0;
    for _ in 0..count {
        // SAFETY: msg points at a name, iovec and payload alive for the call.
        // The bare system call, as ws2 makes it (engine `sys.rs`): glibc's
        // wrapper is a cancellation point, two atomic operations per call
        // in a process with threads.
        let n = unsafe { libc::syscall(libc::SYS_sendmsg, fds[i], msg, libc::MSG_NOSIGNAL) };
        errors += u64::from(n < 0);
        i += 1;
        if i == fds.len() {
            i = 0;
        }
    }
    errors
}

/// `count` ws2 `send_msg`s round-robin over `sockets`; the errors.
pub(crate) fn ws2_round_robin(sockets: &[Socket], msg: &Message<'_>, count: u64) -> u64 {
    let mut errors = 0;
    let mut i = 0;
    for _ in 0..count {
        errors += u64::from(sockets[i].send_msg(msg, SendFlags::NONE).is_err());
        i += 1;
        if i == sockets.len() {
            i = 0;
        }
    }
    errors
}

/// The sockets part: one row per socket count.
fn sockets_part(
    rounds: u32,
    count: u64,
    rx: &UdpSocket,
    dest: SocketAddrV4,
    totals: &mut (u64, u64),
) -> AppResult<Vec<SocketsRow>> {
    let payload = vec![0x5au8; SIZE];
    let raw = RawMsgRef::new(dest, &payload);
    let bufs = [std::io::IoSlice::new(&payload)];
    let msg = Message::new(&bufs).to(SocketAddr::V4(dest));
    let mut rxbuf = vec![0u8; 2048];
    let mut rows = Vec::new();
    for n in SOCKETS {
        let sockets = loopback_senders(n)?;
        let fds: Vec<i32> = sockets.iter().map(|s| s.as_raw_fd()).collect();
        // Every socket sends once before the measured loops.
        totals.1 += ws2_round_robin(&sockets, &msg, n as u64);
        drain(rx, &mut rxbuf);
        let (mut raw_rates, mut ws2_rates) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            for ws2_first in [round % 2 == 1, round % 2 == 0] {
                let start = Instant::now();
                let errors = if ws2_first {
                    ws2_round_robin(&sockets, &msg, count)
                } else {
                    raw_round_robin(&fds, raw.msg(), count)
                };
                let rate = count as f64 / start.elapsed().as_secs_f64();
                totals.1 += errors;
                totals.0 += (count - errors).saturating_sub(drain(rx, &mut rxbuf));
                if ws2_first {
                    ws2_rates.push(rate);
                } else {
                    raw_rates.push(rate);
                }
            }
        }
        let (raw, ws2) = (median(raw_rates), median(ws2_rates));
        let ratio = ws2 / raw;
        let first = rows.first().map_or(ratio, |r: &SocketsRow| r.ratio);
        rows.push(SocketsRow {
            sockets: n,
            raw_dgram_per_s: raw,
            ws2_dgram_per_s: ws2,
            ratio,
            ratio_vs_one_socket: ratio / first,
        });
    }
    Ok(rows)
}

/// In-use heap bytes (glibc `mallinfo2`: every arena, mmapped chunks too).
fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    let m = unsafe { libc::mallinfo2() };
    m.uordblks + m.hblkhd
}

/// Bytes per overlapped `WSARecvFrom` posted through the C ABI on a
/// loopback socket nothing is sent to, beyond the caller's buffers.
fn posted_receive_bytes() -> AppResult<f64> {
    // SAFETY: WSADATA is plain C data; all-zero is a valid out-buffer.
    let mut data: abi::WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: data is writable.
    if unsafe { ws2_32::WSAStartup(0x0202, &mut data) } != 0 {
        return Err(AppError::setup("WSAStartup failed"));
    }
    let s = ws2_32::WSASocketW(
        abi::AF_INET,
        abi::SOCK_DGRAM,
        abi::IPPROTO_UDP,
        std::ptr::null_mut(),
        0,
        abi::WSA_FLAG_OVERLAPPED,
    );
    if s == abi::INVALID_SOCKET {
        return Err(AppError::setup(format!(
            "WSASocketW: {}",
            ws2_32::WSAGetLastError()
        )));
    }
    let local = abi::SOCKADDR_IN {
        sin_family: abi::AF_INET as abi::ADDRESS_FAMILY,
        sin_port: 0,
        sin_addr: abi::IN_ADDR {
            s_addr: u32::from_ne_bytes(Ipv4Addr::LOCALHOST.octets()),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: local is a SOCKADDR_IN of the size given.
    if unsafe {
        ws2_32::bind(
            s,
            (&raw const local).cast(),
            size_of::<abi::SOCKADDR_IN>() as i32,
        )
    } != 0
    {
        return Err(AppError::setup("bind of the receive socket failed"));
    }
    let n = MEMORY_OPS + 1;
    let mut bufs = vec![[0u8; SIZE]; n];
    let mut wsabufs: Vec<abi::WSABUF> = bufs
        .iter_mut()
        .map(|b| abi::WSABUF {
            len: SIZE as u32,
            buf: b.as_mut_ptr().cast::<c_char>(),
        })
        .collect();
    let mut ovs: Vec<abi::WSAOVERLAPPED> = vec![abi::WSAOVERLAPPED::default(); n];
    let mut flags = vec![0u32; n];
    let mut post = |i: usize| -> AppResult<()> {
        // SAFETY: the WSABUF, its bytes, the flags and the OVERLAPPED stay
        // alive and unmoved until closesocket below completes the receive.
        let r = unsafe {
            ws2_32::WSARecvFrom(
                s,
                &mut wsabufs[i],
                1,
                std::ptr::null_mut(),
                &mut flags[i],
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut ovs[i],
                None,
            )
        };
        if r == 0 || ws2_32::WSAGetLastError() != abi::WSA_IO_PENDING {
            return Err(AppError::setup("an overlapped WSARecvFrom did not pend"));
        }
        Ok(())
    };
    // The first one registers the socket with the reactor.
    post(0)?;
    let before = heap_in_use();
    for i in 1..n {
        post(i)?;
    }
    let bytes = (heap_in_use() - before) as f64 / MEMORY_OPS as f64;
    ws2_32::closesocket(s);
    Ok(bytes)
}

/// Sends `pending` overlapped `send_to_port`s at once across `sockets`
/// and collects every completion; (process CPU time, wall time, sends
/// the reactor sent).
fn pending_round(
    sockets: &[Socket],
    port: &CompletionPort,
    to: SocketAddr,
    payload: &'static [u8],
    pending: usize,
    out: &mut Vec<PortCompletion>,
) -> AppResult<(Duration, Duration, u64)> {
    let reactor0 = ws2_engine::io::reactor_stats().datagrams;
    let (cpu0, wall0) = (cpu_time(), Instant::now());
    for i in 0..pending {
        sockets[i % sockets.len()]
            .send_to_port(payload, Some(to), &[])
            .map_err(|e| AppError::failed(format!("send_to_port: {}", e.error)))?;
    }
    let mut left = pending;
    while left > 0 {
        out.clear();
        let got = port.get_many_into(out, 1024, Some(Duration::from_secs(30)));
        if got == 0 {
            return Err(AppError::failed(format!(
                "{left} of {pending} completions did not come within 30 s"
            )));
        }
        for c in out.iter() {
            if let Err(e) = &c.result {
                return Err(AppError::failed(format!("a pending send failed: {e}")));
            }
        }
        left -= got;
    }
    let (cpu, wall) = (cpu_time() - cpu0, wall0.elapsed());
    Ok((
        cpu,
        wall,
        ws2_engine::io::reactor_stats().datagrams - reactor0,
    ))
}

/// CPU time of the whole process (user + system).
pub fn cpu_time() -> Duration {
    // SAFETY: rusage is plain data; getrusage fills it.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: u is writable.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// The rate of the pending part's link: about 23,600 datagrams/s of
/// `SIZE` bytes (106 bytes on the wire), well below what one thread sends
/// even on a busy machine, so the link and not the CPU sets the pace and
/// sends wait in ws2's queue; 100,000 operations drain in 4.2 s.
const PENDING_RATE: &str = "20mbit";
/// The rate at which 10,000 sends stay pending while their memory is read.
const MEMORY_RATE: &str = "1mbit";

/// The pending part, and bytes per pending send.
fn pending_part(
    link: &dyn PendingLink,
    rounds: u32,
    payload: &'static [u8],
) -> AppResult<(Vec<PendingRow>, f64)> {
    let to = link.destination();
    link.set_rate(PENDING_RATE)?;
    let mut rows: Vec<PendingRow> = Vec::new();
    let mut out = Vec::with_capacity(1024);
    for pending in PENDING {
        let n = pending.div_ceil(PER_SOCKET);
        let sockets = link.senders(n)?;
        let port = CompletionPort::new();
        for (i, s) in sockets.iter().enumerate() {
            port.associate(s, i)
                .map_err(|e| AppError::setup(format!("associate: {e}")))?;
        }
        // A first round warms the sockets (reactor registration, boxes);
        // for 100 sockets and more their setup is spread thin already.
        if n < 100 {
            pending_round(&sockets, &port, to, payload, pending, &mut out)?;
        }
        let (mut cpu, mut wall, mut pended) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let (c, w, p) = pending_round(&sockets, &port, to, payload, pending, &mut out)?;
            cpu.push(c.as_nanos() as f64 / pending as f64);
            wall.push(w.as_secs_f64());
            pended.push(100.0 * p as f64 / pending as f64);
        }
        let cpu_ns_per_op = median(cpu);
        let base = rows
            .iter()
            .find(|r| r.pending >= 1_000)
            .map_or(cpu_ns_per_op, |r| r.cpu_ns_per_op);
        rows.push(PendingRow {
            pending,
            sockets: n,
            pended_percent: median(pended),
            cpu_ns_per_op,
            cost_vs_1000: if pending >= 1_000 {
                cpu_ns_per_op / base
            } else {
                f64::NAN
            },
            wall_s: median(wall),
        });
    }
    // Memory: the link slowed so that the sends stay pending.
    link.set_rate(MEMORY_RATE)?;
    let sockets = link.senders(MEMORY_OPS / PER_SOCKET)?;
    let port = CompletionPort::new();
    for (i, s) in sockets.iter().enumerate() {
        port.associate(s, i)
            .map_err(|e| AppError::setup(format!("associate: {e}")))?;
        // Registers the socket with the reactor before the count starts.
        s.send_to_port(payload, Some(to), &[])
            .map_err(|e| AppError::failed(format!("send_to_port: {}", e.error)))?;
    }
    let before = heap_in_use();
    for i in 0..MEMORY_OPS {
        sockets[i % sockets.len()]
            .send_to_port(payload, Some(to), &[])
            .map_err(|e| AppError::failed(format!("send_to_port: {}", e.error)))?;
    }
    let bytes = (heap_in_use() as f64 - before as f64) / MEMORY_OPS as f64;
    for s in &sockets {
        s.close();
    }
    link.set_rate(PENDING_RATE)?;
    Ok((rows, bytes))
}

/// Runs the scale bench; with `link`, the pending part too.
pub fn run(opts: &ScaleOptions, link: Option<&dyn PendingLink>) -> AppResult<ExitCode> {
    let (rounds, count) = if opts.quick { (3, 20_000) } else { (7, 50_000) };
    raise_nofile(SOCKETS[SOCKETS.len() - 1] as u64 + 1024)?;
    let rx = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind receiver: {e}"))?;
    rx.set_nonblocking(true)
        .map_err(|e| format!("receiver non-blocking: {e}"))?;
    let rcvbuf = big_rcvbuf(rx.as_raw_fd());
    let dest = match rx.local_addr() {
        Ok(SocketAddr::V4(a)) => a,
        _ => return Err("receiver address".into()),
    };
    let mut totals = (0, 0);
    let sockets = sockets_part(rounds, count, &rx, dest, &mut totals)?;
    let posted_receive_bytes = posted_receive_bytes()?;
    let payload = leak(&[0x5a; SIZE]);
    let pending = match link {
        Some(link) => Some(pending_part(link, if opts.quick { 1 } else { 3 }, payload)?),
        None => None,
    };
    let (dropped, errors) = totals;
    let report = ScaleJson {
        version: JSON_VERSION,
        bench: "scale",
        quick: opts.quick,
        size: SIZE,
        rounds,
        count_per_round: count,
        receiver_rcvbuf: rcvbuf,
        dropped,
        errors,
        sockets,
        pending_link_rate: pending.as_ref().map(|_| PENDING_RATE.to_string()),
        memory: MemoryJson {
            method: "mallinfo2 in-use bytes (all arenas, chunk overhead included)",
            operations: MEMORY_OPS,
            posted_receive_bytes,
            pending_send_bytes: pending.as_ref().map(|p| p.1),
        },
        pending: pending.map(|p| p.0),
    };
    if opts.json {
        print_json(&report)?;
    } else {
        print_table(&report)?;
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("wsasend: {errors} sends failed");
        ExitCode::FAILURE
    })
}

fn print_table(r: &ScaleJson) -> AppResult<()> {
    outln!(
        "{} rounds x {} datagrams of {} bytes per side, round-robin over N ws2 sockets on 127.0.0.1 (raw sendmsg on the same fds), medians",
        r.rounds,
        r.count_per_round,
        r.size
    )?;
    outln!(
        "{:>8} | {:>19} | {:>16} | {:>6} | {:>15}",
        "sockets",
        "raw sendmsg dgram/s",
        "ws2 send dgram/s",
        "ratio",
        "ratio vs N = 1"
    )?;
    outln!("{}", "-".repeat(8 + 19 + 16 + 6 + 15 + 12))?;
    for s in &r.sockets {
        outln!(
            "{:>8} | {:>19.0} | {:>16.0} | {:>6.3} | {:>15.3}",
            s.sockets,
            s.raw_dgram_per_s,
            s.ws2_dgram_per_s,
            s.ratio,
            s.ratio_vs_one_socket
        )?;
    }
    match &r.pending {
        Some(rows) => {
            outln!(
                "\noverlapped send_to_port, N issued at once over N/1000 sockets behind a {} link, every completion collected:",
                r.pending_link_rate.as_deref().unwrap_or("?")
            )?;
            outln!(
                "{:>8} | {:>7} | {:>7} | {:>13} | {:>14} | {:>8}",
                "pending",
                "sockets",
                "pended",
                "CPU ns per op",
                "vs N = 1000",
                "wall s"
            )?;
            outln!("{}", "-".repeat(8 + 7 + 7 + 13 + 14 + 8 + 15))?;
            for p in rows {
                let vs = if p.cost_vs_1000.is_nan() {
                    "-".to_string()
                } else {
                    format!("{:.3}", p.cost_vs_1000)
                };
                outln!(
                    "{:>8} | {:>7} | {:>6.1}% | {:>13.0} | {:>14} | {:>8.3}",
                    p.pending,
                    p.sockets,
                    p.pended_percent,
                    p.cpu_ns_per_op,
                    vs,
                    p.wall_s
                )?;
            }
        }
        None => outln!(
            "\n(pending sends need a rate-limited link between network namespaces: as root, in a checkout, cargo run --release -p wsasend --example bench_scale)"
        )?,
    }
    outln!(
        "\nmemory ({} pending operations, {}): {:.0} bytes per posted receive{}",
        r.memory.operations,
        r.memory.method,
        r.memory.posted_receive_bytes,
        match r.memory.pending_send_bytes {
            Some(b) => format!(", {b:.0} bytes per pending send"),
            None => String::new(),
        }
    )?;
    outln!(
        "kernel drops: {}, send errors: {}; ratio = ws2 / raw",
        r.dropped,
        r.errors
    )
}

/// `bench-one` of a scale mode (for callgrind, `bench-scale-callgrind.sh`):
/// `count` sends round-robin over `sockets` sockets.
pub fn run_one(args: &BenchOneArgs) -> AppResult<ExitCode> {
    raise_nofile(args.sockets + 1024)?;
    let rx = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind receiver: {e}"))?;
    big_rcvbuf(rx.as_raw_fd());
    let dest = match rx.local_addr() {
        Ok(SocketAddr::V4(a)) => a,
        _ => return Err("receiver address".into()),
    };
    let sockets = loopback_senders(args.sockets as usize)?;
    let payload = vec![0x5au8; args.size as usize];
    let raw = RawMsgRef::new(dest, &payload);
    let bufs = [std::io::IoSlice::new(&payload)];
    let msg = Message::new(&bufs).to(SocketAddr::V4(dest));
    let fds: Vec<i32> = sockets.iter().map(|s| s.as_raw_fd()).collect();
    let errors = if args.mode == Mode::ScaleWs2 {
        ws2_round_robin(&sockets, &msg, args.count)
    } else {
        raw_round_robin(&fds, raw.msg(), args.count)
    };
    outln!(
        "{:?} over {} sockets, {} sends: {errors} errors",
        args.mode,
        args.sockets,
        args.count
    )?;
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
