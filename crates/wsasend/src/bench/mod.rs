//! `wsasend bench`: ws2 `Socket::send_msg` against raw `libc::sendmsg` on
//! the very same fd.
//!
//! Setup: one ws2 UDP socket bound to 127.0.0.1 sends to one
//! `std::net::UdpSocket` on 127.0.0.1 that is not read during a measured
//! loop. Its `SO_RCVBUF` is forced as large as the kernel allows (so a round
//! normally fits), and it is **drained before every measured loop**, so each
//! loop starts from an empty queue. If a loop does overflow the queue, the
//! kernel drops the rest silently while `sendmsg` still succeeds; the drop
//! count is reported, and it affects both sides alike.
//!
//! For sizes of 1200 bytes and more a GSO row compares raw Linux UDP GSO
//! (`sendmsg` with a `SOL_UDP`/`UDP_SEGMENT` u16 cmsg, 65507 / size
//! segments per call: 54 x 1200 = 64800 bytes) with ws2 `send_msg` and
//! `ControlMessage::SegmentSize(size)` on the same socket, in datagrams/s.
//!
//! Each round runs raw then ws2 (even rounds) or ws2 then raw (odd rounds),
//! for every size and variant; the tables show medians over rounds.
//!
//! The overlapped variants send the same datagrams (no control data) through
//! the overlapped API and collect every completion, each against its own
//! interleaved raw `sendmsg` loop: Rust completion port (per datagram, and
//! batches of 64 with `get_many_into`, one `Vec` reused), `PendingSend::wait`, completion routines
//! run by `sleep_alertable(0)` after each batch of 64, and through the C ABI
//! (`WSASendMsg` with an OVERLAPPED on a port socket, with and without
//! `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`). The Rust modes send a
//! `&'static [u8]`, so no allocation of the caller's is measured.

use std::io::IoSlice;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ws2::{CompletionPort, ControlMessage, Message, SendFlags, Socket};
use ws2_abi as abi;

use serde::Serialize;

use crate::output::{JSON_VERSION, Out};
use crate::{AppError, AppResult, BenchArgs, BenchOneArgs, Mode};

mod loops;
pub use loops::*;

const SOURCE: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// The sockets: ws2 senders and an unread std receiver.
struct Pair {
    /// Plain ws2 socket: blocking sends, events, routines, raw sendmsg.
    tx: Socket,
    /// ws2 socket bound to `port`.
    port_tx: Socket,
    port: CompletionPort,
    /// C ABI sockets bound to C ports, with and without skip-on-success.
    capi: CapiSocket,
    capi_skip: CapiSocket,
    rx: UdpSocket,
    dest: SocketAddrV4,
    rcvbuf: usize,
}

/// The progress bar's look (stderr, a terminal only).
pub const PROGRESS: &str = "bench {bar:40} {pos}/{len} loops, eta {eta}";

/// Most sends in flight in the batched modes (the engine's batch size).
const BATCH: u64 = 64;

/// A socket and its completion port made through the C ABI (`ws2_32`).
struct CapiSocket {
    socket: abi::SOCKET,
    port: abi::HANDLE,
    skip: bool,
}

impl CapiSocket {
    fn new(skip: bool) -> AppResult<CapiSocket> {
        // SAFETY: WSADATA is plain C data; all-zero is a valid out-buffer.
        let mut data: abi::WSADATA = unsafe { std::mem::zeroed() };
        // SAFETY: data is writable.
        if unsafe { ws2_32::WSAStartup(0x0202, &mut data) } != 0 {
            return Err(format!("WSAStartup: {}", ws2_32::WSAGetLastError()).into());
        }
        let socket = ws2_32::socket(abi::AF_INET, abi::SOCK_DGRAM, abi::IPPROTO_UDP);
        if socket == abi::INVALID_SOCKET {
            return Err(format!("C socket(): {}", ws2_32::WSAGetLastError()).into());
        }
        let port =
            ws2_32::CreateIoCompletionPort(socket as abi::HANDLE, std::ptr::null_mut(), 9, 0);
        if port.is_null() {
            return Err(format!("CreateIoCompletionPort: {}", ws2_32::GetLastError()).into());
        }
        if skip
            && ws2_32::SetFileCompletionNotificationModes(
                socket as abi::HANDLE,
                abi::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
            ) == 0
        {
            return Err(format!(
                "SetFileCompletionNotificationModes: {}",
                ws2_32::GetLastError()
            )
            .into());
        }
        Ok(CapiSocket { socket, port, skip })
    }
}

impl Drop for CapiSocket {
    fn drop(&mut self) {
        ws2_32::closesocket(self.socket);
        ws2_32::CloseHandle(self.port);
    }
}

impl Pair {
    fn new() -> AppResult<Pair> {
        let rx = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind receiver: {e}"))?;
        rx.set_nonblocking(true)
            .map_err(|e| format!("receiver non-blocking: {e}"))?;
        let rcvbuf = big_rcvbuf(rx.as_raw_fd());
        let dest = match rx
            .local_addr()
            .map_err(|e| format!("receiver address: {e}"))?
        {
            SocketAddr::V4(a) => a,
            SocketAddr::V6(_) => return Err("receiver is not IPv4".into()),
        };
        let tx = Socket::udp_v4().map_err(|e| format!("ws2 socket: {e}"))?;
        tx.bind(SocketAddr::from((SOURCE, 0)))
            .map_err(|e| format!("ws2 bind: {e}"))?;
        let port_tx = Socket::udp_v4().map_err(|e| format!("ws2 socket: {e}"))?;
        port_tx
            .bind(SocketAddr::from((SOURCE, 0)))
            .map_err(|e| format!("ws2 bind: {e}"))?;
        let port = CompletionPort::new();
        port.associate(&port_tx, 1)
            .map_err(|e| format!("associate: {e}"))?;
        Ok(Pair {
            tx,
            port_tx,
            port,
            capi: CapiSocket::new(false)?,
            capi_skip: CapiSocket::new(true)?,
            rx,
            dest,
            rcvbuf,
        })
    }

    /// Reads everything queued; returns the number of datagrams.
    fn drain(&self, buf: &mut [u8]) -> u64 {
        let mut n = 0;
        while self.rx.recv_from(buf).is_ok() {
            n += 1;
        }
        n
    }
}

/// Sets the largest receive buffer we can get (SO_RCVBUFFORCE needs
/// CAP_NET_ADMIN; else SO_RCVBUF, capped by rmem_max). Returns the result.
pub fn big_rcvbuf(fd: RawFd) -> usize {
    let want: libc::c_int = 64 << 20;
    let len = size_of::<libc::c_int>() as libc::socklen_t;
    for opt in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
        // SAFETY: fd is a live socket; the option value is a c_int of `len` bytes.
        let r = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                opt,
                (&want as *const libc::c_int).cast(),
                len,
            )
        };
        if r == 0 {
            break;
        }
    }
    let mut got: libc::c_int = 0;
    let mut got_len = len;
    // SAFETY: fd is a live socket; `got` has room for a c_int.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&mut got as *mut libc::c_int).cast(),
            &mut got_len,
        )
    };
    if r == 0 { got.max(0) as usize } else { 0 }
}

/// A payload the Rust overlapped modes can lend to ws2 for good.
pub fn leak(payload: &[u8]) -> &'static [u8] {
    Box::leak(payload.to_vec().into_boxed_slice())
}

/// Runs one measured loop of `mode`; returns (elapsed, errors, datagrams
/// attempted). Errors count datagrams, not calls.
fn measure(pair: &Pair, mode: Mode, payload: &[u8], count: u64) -> (Duration, u64, u64) {
    if matches!(mode, Mode::RawGso | Mode::Ws2Gso) {
        return measure_gso(pair, mode, payload, count);
    }
    let (elapsed, errors) = measure_each(pair, mode, payload, count);
    (elapsed, errors, count)
}

/// GSO: `count` datagrams (rounded up to whole calls) of `payload.len()`
/// bytes, `gso_segments` of them per call, from one buffer of
/// `segments * size` bytes (`payload` must be that long: see `gso_payload`).
fn measure_gso(pair: &Pair, mode: Mode, payload: &[u8], count: u64) -> (Duration, u64, u64) {
    let size = payload.len();
    let segs = gso_segments(size as u32);
    let calls = count.div_ceil(segs);
    let big = gso_payload(size);
    let fd = pair.tx.as_raw_fd();
    let mut errors = 0;
    let start = Instant::now();
    if mode == Mode::RawGso {
        let m = RawMsg::new_gso(pair.dest, &big, size as u16);
        errors = raw_loop(fd, &m, calls) * segs;
    } else {
        let bufs = [IoSlice::new(&big)];
        let control = [ControlMessage::SegmentSize(size as u32)];
        let msg = Message::new(&bufs)
            .to(SocketAddr::V4(pair.dest))
            .control(&control);
        for _ in 0..calls {
            if pair.tx.send_msg(&msg, SendFlags::NONE).is_err() {
                errors += segs;
            }
        }
    }
    (start.elapsed(), errors, calls * segs)
}

/// The buffer one GSO call sends for `size`-byte datagrams.
fn gso_payload(size: usize) -> Vec<u8> {
    let len = size * gso_segments(size as u32) as usize;
    (0..len).map(|i| i as u8).collect()
}

/// Runs one measured loop of a per-datagram mode; returns (elapsed, errors).
fn measure_each(pair: &Pair, mode: Mode, payload: &[u8], count: u64) -> (Duration, u64) {
    let fd = pair.tx.as_raw_fd();
    let control = [ControlMessage::SourceV4 {
        addr: SOURCE,
        ifindex: 0,
    }];
    let bufs = [IoSlice::new(payload)];
    let dest = SocketAddr::V4(pair.dest);
    match mode {
        Mode::RawPktinfo | Mode::RawPlain => {
            let m = RawMsg::new(pair.dest, payload, mode == Mode::RawPktinfo);
            let start = Instant::now();
            let errors = raw_loop(fd, &m, count);
            (start.elapsed(), errors)
        }
        Mode::Ws2Pktinfo | Mode::Ws2Plain => {
            let mut msg = Message::new(&bufs).to(dest);
            if mode == Mode::Ws2Pktinfo {
                msg = msg.control(&control);
            }
            let start = Instant::now();
            let errors = ws2_loop(&pair.tx, &msg, count);
            (start.elapsed(), errors)
        }
        Mode::CapiPort | Mode::CapiPortSkip => {
            let c = if mode == Mode::CapiPort {
                &pair.capi
            } else {
                &pair.capi_skip
            };
            let start = Instant::now();
            let errors = capi_loop(c, pair.dest, payload, count);
            (start.elapsed(), errors)
        }
        Mode::RawGso | Mode::Ws2Gso => unreachable!("measure_gso"),
        Mode::RawPoll1000 | Mode::Ws2Select1000 | Mode::Ws2Wsapoll1000 => {
            unreachable!("readiness::run_one")
        }
        Mode::RawStream | Mode::Ws2Stream | Mode::Ws2StreamIocp => {
            unreachable!("stream_bench::run_one")
        }
        Mode::ScaleRaw | Mode::ScaleWs2 => unreachable!("scale::run_one"),
        Mode::Ws2PortEach | Mode::Ws2PortBatch | Mode::Ws2Event | Mode::Ws2Routine => {
            let buf = leak(payload);
            let start = Instant::now();
            let errors = match mode {
                Mode::Ws2PortEach => port_each_loop(&pair.port_tx, &pair.port, buf, dest, count),
                Mode::Ws2PortBatch => port_batch_loop(&pair.port_tx, &pair.port, buf, dest, count),
                Mode::Ws2Event => event_loop(&pair.tx, buf, dest, count),
                _ => routine_loop(&pair.tx, buf, dest, count),
            };
            (start.elapsed(), errors)
        }
    }
}

pub(crate) fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The first and third quartiles of `v` (linear between ranks), sorting it.
pub(crate) fn quartiles(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = (v.len() - 1) as f64 * q;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
    };
    (at(0.25), at(0.75))
}

/// One compared pair: a raw loop and a ws2 loop of the same datagrams.
struct Variant {
    size: u32,
    raw_mode: Mode,
    ws2_mode: Mode,
    raw: Vec<f64>,
    ws2: Vec<f64>,
}

impl Variant {
    fn new(size: u32, raw_mode: Mode, ws2_mode: Mode) -> Variant {
        Variant {
            size,
            raw_mode,
            ws2_mode,
            raw: Vec::new(),
            ws2: Vec::new(),
        }
    }

    /// Control data of a blocking row.
    fn control(&self) -> String {
        match self.raw_mode {
            Mode::RawPktinfo => "IP_PKTINFO".to_string(),
            Mode::RawGso => format!("GSO {}x{}", gso_segments(self.size), self.size),
            _ => "none".to_string(),
        }
    }

    /// How an overlapped row completes (None for the blocking rows).
    fn completion(&self) -> Option<&'static str> {
        Some(match self.ws2_mode {
            Mode::Ws2PortEach => "port: send_to_port + get",
            Mode::Ws2PortBatch => "port: 64 sends + get_many",
            Mode::Ws2Event => "event: PendingSend::wait",
            Mode::Ws2Routine => "routine: 64 + sleep_alertable",
            Mode::CapiPort => "C port: GQCS each",
            Mode::CapiPortSkip => "C port + skip-on-success",
            _ => return None,
        })
    }
}

/// `bench --json` (schema version [`JSON_VERSION`]; see the README).
#[derive(Serialize)]
struct BenchJson {
    version: u32,
    rounds: u32,
    count_per_round: u64,
    receiver_rcvbuf: usize,
    dropped: u64,
    errors: u64,
    results: Vec<ResultJson>,
}

#[derive(Serialize)]
struct ResultJson {
    size: u32,
    control: String,
    overlapped: Option<&'static str>,
    raw_sendmsg_dgram_per_s: f64,
    ws2_wsasendmsg_dgram_per_s: f64,
    ratio: f64,
}

/// Prints a bench report as one pretty JSON object.
pub fn print_json<T: Serialize>(report: &T) -> AppResult<()> {
    let text = serde_json::to_string_pretty(report)
        .map_err(|e| AppError::setup(format!("JSON output: {e}")))?;
    Out::new().line(&text)
}

/// A finished row: medians.
struct Row {
    size: u32,
    control: String,
    completion: Option<&'static str>,
    raw: f64,
    ws2: f64,
}

pub fn run(args: &BenchArgs) -> AppResult<ExitCode> {
    if args.pending {
        return Err(AppError::usage(
            "bench --pending is not part of the installed command: the pending-path bench builds network namespaces with the repository's test hosts; in a checkout, as root: cargo run --release -p wsasend --example bench_pending",
        ));
    }
    if args.readiness {
        return crate::readiness::run(args);
    }
    if args.stream {
        return crate::stream_bench::run(args);
    }
    let pair = Pair::new()?;
    let mut rxbuf = vec![0u8; 65536];
    let max = args.sizes.iter().copied().max().unwrap_or(0) as usize;
    let payload: Vec<u8> = (0..max).map(|i| i as u8).collect();
    let mut variants: Vec<Variant> = Vec::new();
    for &size in &args.sizes {
        variants.push(Variant::new(size, Mode::RawPktinfo, Mode::Ws2Pktinfo));
        variants.push(Variant::new(size, Mode::RawPlain, Mode::Ws2Plain));
        if size >= 1200 {
            variants.push(Variant::new(size, Mode::RawGso, Mode::Ws2Gso));
        }
    }
    for &size in &args.sizes {
        for ws2_mode in [
            Mode::Ws2PortEach,
            Mode::Ws2PortBatch,
            Mode::Ws2Event,
            Mode::Ws2Routine,
            Mode::CapiPort,
            Mode::CapiPortSkip,
        ] {
            variants.push(Variant::new(size, Mode::RawPlain, ws2_mode));
        }
    }

    let loops = variants.len() as u64 * (1 + 2 * u64::from(args.rounds));
    let bar = crate::output::progress(loops, PROGRESS);
    let step = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    // Warm-up: page in code and the socket path for every mode.
    for v in &variants {
        let p = &payload[..v.size as usize];
        measure(&pair, v.raw_mode, p, 1000);
        measure(&pair, v.ws2_mode, p, 1000);
        pair.drain(&mut rxbuf);
        step();
    }

    let mut sent = 0u64;
    let mut received = 0u64;
    let mut errors = 0u64;
    for round in 0..args.rounds {
        for v in &mut variants {
            let (a, b) = (v.raw_mode, v.ws2_mode);
            let order = if round % 2 == 0 { [a, b] } else { [b, a] };
            let p = &payload[..v.size as usize];
            for mode in order {
                pair.drain(&mut rxbuf);
                let (elapsed, errs, datagrams) = measure(&pair, mode, p, args.count);
                received += pair.drain(&mut rxbuf);
                sent += datagrams - errs;
                errors += errs;
                let rate = datagrams as f64 / elapsed.as_secs_f64().max(1e-9);
                if mode == v.raw_mode {
                    v.raw.push(rate);
                } else {
                    v.ws2.push(rate);
                }
                step();
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    let rows: Vec<Row> = variants
        .iter_mut()
        .map(|v| Row {
            size: v.size,
            control: v.control(),
            completion: v.completion(),
            raw: median(&mut v.raw),
            ws2: median(&mut v.ws2),
        })
        .collect();
    let dropped = sent.saturating_sub(received);

    if args.json {
        let report = BenchJson {
            version: JSON_VERSION,
            rounds: args.rounds,
            count_per_round: args.count,
            receiver_rcvbuf: pair.rcvbuf,
            dropped,
            errors,
            results: rows
                .iter()
                .map(|r| ResultJson {
                    size: r.size,
                    control: r.control.clone(),
                    overlapped: r.completion,
                    raw_sendmsg_dgram_per_s: r.raw.round(),
                    ws2_wsasendmsg_dgram_per_s: r.ws2.round(),
                    ratio: r.ws2 / r.raw,
                })
                .collect(),
        };
        print_json(&report)?;
    } else {
        outln!(
            "{} rounds x {} datagrams per variant, medians; ws2 sockets 127.0.0.1 -> unread 127.0.0.1 receiver (SO_RCVBUF {} bytes, drained before each loop)",
            args.rounds,
            args.count,
            pair.rcvbuf
        )?;
        outln!(
            "{:>6} | {:<12} | {:>19} | {:>22} | {:>6}",
            "size",
            "control",
            "raw sendmsg dgram/s",
            "ws2 WSASendMsg dgram/s",
            "ratio"
        )?;
        outln!("{}", "-".repeat(6 + 12 + 19 + 22 + 6 + 12))?;
        for r in rows.iter().filter(|r| r.completion.is_none()) {
            outln!(
                "{:>6} | {:<12} | {:>19.0} | {:>22.0} | {:>6.3}",
                r.size,
                r.control,
                r.raw,
                r.ws2,
                r.ws2 / r.raw
            )?;
        }
        outln!()?;
        outln!(
            "overlapped sends, every completion collected (no control data; raw = plain sendmsg):"
        )?;
        outln!(
            "{:>6} | {:<29} | {:>19} | {:>22} | {:>6}",
            "size",
            "overlapped completion",
            "raw sendmsg dgram/s",
            "ws2 overlapped dgram/s",
            "ratio"
        )?;
        outln!("{}", "-".repeat(6 + 29 + 19 + 22 + 6 + 12))?;
        for r in rows.iter().filter(|r| r.completion.is_some()) {
            outln!(
                "{:>6} | {:<29} | {:>19.0} | {:>22.0} | {:>6.3}",
                r.size,
                r.completion.unwrap_or_default(),
                r.raw,
                r.ws2,
                r.ws2 / r.raw
            )?;
        }
        outln!(
            "ratio = ws2 / raw (1.0 = same speed); kernel drops: {dropped}, send errors: {errors}"
        )?;
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("wsasend: {errors} sends failed");
        ExitCode::FAILURE
    })
}

pub fn run_one(args: &BenchOneArgs) -> AppResult<ExitCode> {
    if matches!(
        args.mode,
        Mode::RawPoll1000 | Mode::Ws2Select1000 | Mode::Ws2Wsapoll1000
    ) {
        return crate::readiness::run_one(args);
    }
    if matches!(
        args.mode,
        Mode::RawStream | Mode::Ws2Stream | Mode::Ws2StreamIocp
    ) {
        return crate::stream_bench::run_one(args);
    }
    if matches!(args.mode, Mode::ScaleRaw | Mode::ScaleWs2) {
        return crate::scale::run_one(args);
    }
    let pair = Pair::new()?;
    let payload: Vec<u8> = (0..args.size).map(|i| i as u8).collect();
    let (elapsed, errors, _) = measure(&pair, args.mode, &payload, args.count);
    outln!(
        "{:?} size {} count {}: {:.3} s, {errors} errors",
        args.mode,
        args.size,
        args.count,
        elapsed.as_secs_f64()
    )?;
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::{median, quartiles};

    #[test]
    fn quartiles_interpolate_between_ranks_and_bracket_the_median() {
        let mut odd = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quartiles(&mut odd), (2.0, 4.0));
        let mut even = [4.0, 3.0, 2.0, 1.0];
        assert_eq!(quartiles(&mut even), (1.75, 3.25));
        assert_eq!(median(&mut even), 2.5);
        assert_eq!(quartiles(&mut [0.9]), (0.9, 0.9));
    }
}
