//! `wsasend bench --stream`: stream (TCP) throughput on loopback through
//! libws2_32's C ABI (SPEC P8), blocking `send`/`recv` and overlapped
//! `WSASend`/`WSARecv` on completion ports, against raw `send(2)`/`recv(2)`
//! on a kernel TCP pair.
//!
//! Each variant moves `--count` chunks of `--chunk` bytes from this thread
//! to a receiver thread over a fresh loopback connection (the receiver
//! reads into a 64 KiB buffer with the same API); the time runs from the
//! first send to the receiver's last byte. Rounds interleave the variants
//! (a rotating order); the table shows the median MB/s of each and the
//! median of the rounds' ratios to raw (each round's variants run back to
//! back, so a change of load between rounds cancels out of the ratio), of
//! wall-clock time and of the process's CPU time (bytes per CPU second:
//! what the variant costs, whatever else runs on the machine). IOCP keeps one `WSASend` in flight on the sender's port and one
//! `WSARecv` on the receiver's, each completion dequeued with
//! `GetQueuedCompletionStatus` (the echo server's pattern).
//! `crates/wsasend/bench-stream-callgrind.sh` counts user-space
//! instructions per chunk (`bench-one --mode raw-stream|ws2-stream|ws2-stream-iocp`).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;
use ws2_abi as abi;

use crate::bench::print_json;
use crate::output::JSON_VERSION;
use crate::scale::cpu_time;
use crate::{AppResult, BenchArgs, BenchOneArgs, Mode};

/// Bytes of one receive.
const RECV_BUF: usize = 64 << 10;

/// The variant measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    Raw,
    Ws2Blocking,
    Ws2Iocp,
}

impl Variant {
    fn label(self) -> &'static str {
        match self {
            Variant::Raw => "raw send/recv",
            Variant::Ws2Blocking => "ws2 send/recv",
            Variant::Ws2Iocp => "ws2 IOCP WSASend/WSARecv",
        }
    }
}

fn startup() -> AppResult<()> {
    // SAFETY: WSADATA is plain C data; all-zero is a valid out-buffer.
    let mut data: abi::WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: data is writable.
    if unsafe { ws2_32::WSAStartup(0x0202, &mut data) } != 0 {
        return Err(format!("WSAStartup: {}", ws2_32::WSAGetLastError()).into());
    }
    Ok(())
}

fn wsa_error(what: &str) -> crate::AppError {
    format!("{what}: Winsock error {}", ws2_32::WSAGetLastError()).into()
}

/// A connected pair of ws2 stream sockets on 127.0.0.1 (sender, receiver).
fn ws2_pair() -> AppResult<(abi::SOCKET, abi::SOCKET)> {
    let listener = ws2_32::socket(abi::AF_INET, abi::SOCK_STREAM, abi::IPPROTO_TCP);
    let client = ws2_32::socket(abi::AF_INET, abi::SOCK_STREAM, abi::IPPROTO_TCP);
    if listener == abi::INVALID_SOCKET || client == abi::INVALID_SOCKET {
        return Err(wsa_error("socket"));
    }
    let l = ws2_engine::handles::socket(listener).map_err(|e| e.to_string())?;
    l.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .map_err(|e| e.to_string())?;
    l.listen(1).map_err(|e| e.to_string())?;
    let addr = l.local_addr().map_err(|e| e.to_string())?;
    let c = ws2_engine::handles::socket(client).map_err(|e| e.to_string())?;
    ws2_engine::io::connect(&c, &addr).map_err(|e| e.to_string())?;
    // SAFETY: no address wanted.
    let server = unsafe { ws2_32::accept(listener, std::ptr::null_mut(), std::ptr::null_mut()) };
    if server == abi::INVALID_SOCKET {
        return Err(wsa_error("accept"));
    }
    ws2_32::closesocket(listener);
    Ok((client, server))
}

/// Moves `count` chunks of `payload` through `variant`; the elapsed time.
fn transfer(variant: Variant, payload: &[u8], count: u64) -> AppResult<Duration> {
    let total = payload.len() as u64 * count;
    match variant {
        Variant::Raw => {
            let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let mut tx = TcpStream::connect(listener.local_addr().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
            let (mut rx, _) = listener.accept().map_err(|e| e.to_string())?;
            let receiver = std::thread::spawn(move || -> Result<Instant, String> {
                let mut buf = vec![0u8; RECV_BUF];
                let mut got = 0u64;
                while got < total {
                    let n = rx.read(&mut buf).map_err(|e| e.to_string())?;
                    if n == 0 {
                        return Err("raw: the stream ended early".into());
                    }
                    got += n as u64;
                }
                Ok(Instant::now())
            });
            let start = Instant::now();
            let fd = tx.as_raw_fd();
            for _ in 0..count {
                let mut off = 0;
                while off < payload.len() {
                    // SAFETY: payload[off..] is readable; a blocking send.
                    let n = unsafe {
                        libc::send(
                            fd,
                            payload[off..].as_ptr().cast(),
                            payload.len() - off,
                            libc::MSG_NOSIGNAL,
                        )
                    };
                    if n < 0 {
                        return Err(format!("raw send: {}", std::io::Error::last_os_error()).into());
                    }
                    off += n as usize;
                }
            }
            tx.flush().ok();
            let end = receiver.join().map_err(|_| "receiver panicked")??;
            Ok(end - start)
        }
        Variant::Ws2Blocking => {
            let (tx, rx) = ws2_pair()?;
            let receiver = std::thread::spawn(move || -> Result<Instant, String> {
                let mut buf = vec![0u8; RECV_BUF];
                let mut got = 0u64;
                while got < total {
                    // SAFETY: buf is writable for its length.
                    let n =
                        unsafe { ws2_32::recv(rx, buf.as_mut_ptr().cast(), RECV_BUF as i32, 0) };
                    if n <= 0 {
                        return Err(format!("ws2 recv: {n}, {}", ws2_32::WSAGetLastError()));
                    }
                    got += n as u64;
                }
                ws2_32::closesocket(rx);
                Ok(Instant::now())
            });
            let start = Instant::now();
            for _ in 0..count {
                // SAFETY: payload is readable for its length.
                let n =
                    unsafe { ws2_32::send(tx, payload.as_ptr().cast(), payload.len() as i32, 0) };
                if n != payload.len() as i32 {
                    return Err(wsa_error("ws2 send"));
                }
            }
            let end = receiver.join().map_err(|_| "receiver panicked")??;
            ws2_32::closesocket(tx);
            Ok(end - start)
        }
        Variant::Ws2Iocp => {
            let (tx, rx) = ws2_pair()?;
            let receiver = std::thread::spawn(move || -> Result<Instant, String> {
                let port = ws2_32::CreateIoCompletionPort(rx as _, std::ptr::null_mut(), 2, 0);
                if port.is_null() {
                    return Err("CreateIoCompletionPort".into());
                }
                let mut buf = vec![0u8; RECV_BUF];
                let mut got = 0u64;
                // SAFETY: WSAOVERLAPPED is plain C data.
                let mut ov: abi::WSAOVERLAPPED = unsafe { std::mem::zeroed() };
                while got < total {
                    let mut wsabuf = abi::WSABUF {
                        len: RECV_BUF as u32,
                        buf: buf.as_mut_ptr().cast(),
                    };
                    let mut flags = 0u32;
                    // SAFETY: buffer and OVERLAPPED outlive the completion
                    // (dequeued below before either is touched again).
                    let r = unsafe {
                        ws2_32::WSARecv(
                            rx,
                            &mut wsabuf,
                            1,
                            std::ptr::null_mut(),
                            &mut flags,
                            &mut ov,
                            None,
                        )
                    };
                    if r != 0 && ws2_32::WSAGetLastError() != abi::WSA_IO_PENDING {
                        return Err(format!("WSARecv: {}", ws2_32::WSAGetLastError()));
                    }
                    let n = dequeue(port)?;
                    if n == 0 {
                        return Err("ws2 IOCP: the stream ended early".into());
                    }
                    got += u64::from(n);
                }
                ws2_32::closesocket(rx);
                ws2_32::CloseHandle(port);
                Ok(Instant::now())
            });
            let port = ws2_32::CreateIoCompletionPort(tx as _, std::ptr::null_mut(), 1, 0);
            if port.is_null() {
                return Err("CreateIoCompletionPort".into());
            }
            // SAFETY: WSAOVERLAPPED is plain C data.
            let mut ov: abi::WSAOVERLAPPED = unsafe { std::mem::zeroed() };
            let start = Instant::now();
            for _ in 0..count {
                let mut wsabuf = abi::WSABUF {
                    len: payload.len() as u32,
                    buf: payload.as_ptr().cast_mut().cast(),
                };
                // SAFETY: payload and ov outlive the completion, dequeued next.
                let r = unsafe {
                    ws2_32::WSASend(tx, &mut wsabuf, 1, std::ptr::null_mut(), 0, &mut ov, None)
                };
                if r != 0 && ws2_32::WSAGetLastError() != abi::WSA_IO_PENDING {
                    return Err(wsa_error("WSASend"));
                }
                if dequeue(port)? as usize != payload.len() {
                    return Err("WSASend completed with part of its bytes".into());
                }
            }
            let end = receiver.join().map_err(|_| "receiver panicked")??;
            ws2_32::closesocket(tx);
            ws2_32::CloseHandle(port);
            Ok(end - start)
        }
    }
}

/// One completion from `port`: its byte count.
fn dequeue(port: abi::HANDLE) -> Result<u32, String> {
    let (mut bytes, mut key) = (0u32, 0usize);
    let mut ov: *mut abi::WSAOVERLAPPED = std::ptr::null_mut();
    // SAFETY: every out-pointer is a live local.
    let ok =
        unsafe { ws2_32::GetQueuedCompletionStatus(port, &mut bytes, &mut key, &mut ov, 10_000) };
    if ok == 0 {
        return Err(format!("GetQueuedCompletionStatus failed ({:?})", ov));
    }
    Ok(bytes)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[derive(Serialize)]
struct StreamJson {
    version: u32,
    stream: bool,
    rounds: u32,
    chunk: u32,
    chunks_per_round: u64,
    results: Vec<ResultJson>,
}

#[derive(Serialize)]
struct ResultJson {
    variant: Variant,
    mb_per_s: f64,
    ratio_vs_raw: f64,
    /// Bytes per CPU second over raw's, paired per round as `ratio_vs_raw`.
    cpu_ratio_vs_raw: f64,
}

/// `wsasend bench --stream`.
pub fn run(args: &BenchArgs) -> AppResult<ExitCode> {
    startup()?;
    let payload: Vec<u8> = (0..args.chunk as usize).map(|i| i as u8).collect();
    let variants = [Variant::Raw, Variant::Ws2Blocking, Variant::Ws2Iocp];
    let mut rates = vec![Vec::new(); variants.len()];
    // Bytes per second of the process's CPU time (every thread: sender,
    // receiver, ws2's reactor).
    let mut cpu_rates = vec![Vec::new(); variants.len()];
    for &v in &variants {
        transfer(v, &payload, args.chunks.min(64))?; // warm-up
    }
    for round in 0..args.rounds as usize {
        for k in 0..variants.len() {
            let which = (round + k) % variants.len();
            let cpu0 = cpu_time();
            let t = transfer(variants[which], &payload, args.chunks)?;
            let cpu = cpu_time().saturating_sub(cpu0);
            let bytes = payload.len() as f64 * args.chunks as f64;
            rates[which].push(bytes / t.as_secs_f64() / 1e6);
            cpu_rates[which].push(bytes / cpu.as_secs_f64().max(1e-9));
        }
    }
    // Each round runs every variant back to back: the ratio is the median
    // of the rounds' own ratios, so a change of the machine's load between
    // rounds (other programs on a shared machine) cancels.
    let results: Vec<ResultJson> = variants
        .iter()
        .enumerate()
        .map(|(k, &variant)| {
            let paired = |of: &[Vec<f64>]| {
                let mut ratios: Vec<f64> =
                    of[k].iter().zip(&of[0]).map(|(r, raw)| r / raw).collect();
                median(&mut ratios)
            };
            ResultJson {
                variant,
                mb_per_s: median(&mut rates[k].clone()),
                ratio_vs_raw: paired(&rates),
                cpu_ratio_vs_raw: paired(&cpu_rates),
            }
        })
        .collect();
    if args.json {
        print_json(&StreamJson {
            version: JSON_VERSION,
            stream: true,
            rounds: args.rounds,
            chunk: args.chunk,
            chunks_per_round: args.chunks,
            results,
        })?;
    } else {
        outln!(
            "{} rounds x {} chunks of {} bytes per variant, medians; TCP on 127.0.0.1, receiver reads 64 KiB",
            args.rounds,
            args.chunks,
            args.chunk
        )?;
        outln!(
            "{:<26} | {:>10} | {:>12} | {:>12}",
            "variant",
            "MB/s",
            "vs raw",
            "CPU vs raw"
        )?;
        outln!("{}", "-".repeat(26 + 10 + 12 + 12 + 9))?;
        for r in &results {
            outln!(
                "{:<26} | {:>10.0} | {:>12.2} | {:>12.2}",
                r.variant.label(),
                r.mb_per_s,
                r.ratio_vs_raw,
                r.cpu_ratio_vs_raw
            )?;
        }
    }
    ws2_32::WSACleanup();
    Ok(ExitCode::SUCCESS)
}

/// `bench-one` of a stream mode (for callgrind): `count` chunks of `size`
/// bytes (0: 64 KiB).
pub fn run_one(args: &BenchOneArgs) -> AppResult<ExitCode> {
    startup()?;
    let variant = match args.mode {
        Mode::RawStream => Variant::Raw,
        Mode::Ws2Stream => Variant::Ws2Blocking,
        _ => Variant::Ws2Iocp,
    };
    let size = if args.size == 0 {
        64 << 10
    } else {
        args.size as usize
    };
    let payload: Vec<u8> = (0..size).map(|i| i as u8).collect();
    let t = transfer(variant, &payload, args.count)?;
    outln!(
        "{variant:?} {} chunks of {size} bytes: {:.3} s",
        args.count,
        t.as_secs_f64()
    )?;
    ws2_32::WSACleanup();
    Ok(ExitCode::SUCCESS)
}
