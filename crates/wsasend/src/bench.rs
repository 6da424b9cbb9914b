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
//! Each round runs raw then ws2 (even rounds) or ws2 then raw (odd rounds),
//! for every size and control variant; the table shows medians over rounds.

use std::io::IoSlice;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ws2::{ControlMessage, Message, SendFlags, Socket};

use crate::{AppResult, BenchArgs, BenchOneArgs, Mode};

const SOURCE: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// The socket pair: a ws2 sender and an unread std receiver.
struct Pair {
    tx: Socket,
    rx: UdpSocket,
    dest: SocketAddrV4,
    rcvbuf: usize,
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
        Ok(Pair {
            tx,
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
fn big_rcvbuf(fd: RawFd) -> usize {
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

/// A prebuilt raw `msghdr` with its address, iovec and control buffer.
/// Boxed so the self-referencing pointers stay valid.
struct RawMsg {
    addr: libc::sockaddr_in,
    iov: libc::iovec,
    cmsg: [u64; 8],
    msg: libc::msghdr,
}

impl RawMsg {
    fn new(dest: SocketAddrV4, payload: &[u8], pktinfo: bool) -> Box<RawMsg> {
        // SAFETY: sockaddr_in, iovec and msghdr are plain C data for which
        // all-zero is a valid (empty) value.
        let mut m: Box<RawMsg> = Box::new(unsafe { std::mem::zeroed() });
        m.addr.sin_family = libc::AF_INET as libc::sa_family_t;
        m.addr.sin_port = dest.port().to_be();
        m.addr.sin_addr.s_addr = u32::from_ne_bytes(dest.ip().octets());
        m.iov.iov_base = payload.as_ptr() as *mut libc::c_void;
        m.iov.iov_len = payload.len();
        m.msg.msg_name = (&raw mut m.addr).cast();
        m.msg.msg_namelen = size_of::<libc::sockaddr_in>() as libc::socklen_t;
        m.msg.msg_iov = &raw mut m.iov;
        m.msg.msg_iovlen = 1;
        if pktinfo {
            let data_len = size_of::<libc::in_pktinfo>() as u32;
            m.msg.msg_control = m.cmsg.as_mut_ptr().cast();
            // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic.
            m.msg.msg_controllen = unsafe { libc::CMSG_SPACE(data_len) } as usize;
            assert!(m.msg.msg_controllen <= size_of::<[u64; 8]>());
            // SAFETY: msg_control points to an 8-aligned zeroed buffer of
            // msg_controllen bytes, big enough for one in_pktinfo cmsg, so
            // CMSG_FIRSTHDR is non-null and its data area is in bounds.
            unsafe {
                let c = libc::CMSG_FIRSTHDR(&m.msg);
                (*c).cmsg_level = libc::IPPROTO_IP;
                (*c).cmsg_type = libc::IP_PKTINFO;
                (*c).cmsg_len = libc::CMSG_LEN(data_len) as usize;
                std::ptr::write_unaligned(
                    libc::CMSG_DATA(c).cast::<libc::in_pktinfo>(),
                    libc::in_pktinfo {
                        ipi_ifindex: 0,
                        ipi_spec_dst: libc::in_addr {
                            s_addr: u32::from_ne_bytes(SOURCE.octets()),
                        },
                        ipi_addr: libc::in_addr { s_addr: 0 },
                    },
                );
            }
        }
        m
    }
}

/// `count` raw sendmsg calls; EAGAIN waits in poll (the fd is O_NONBLOCK in
/// the kernel, as every ws2 socket), EINTR retries. Returns the errors.
fn raw_loop(fd: RawFd, m: &RawMsg, count: u64) -> u64 {
    let mut errors = 0;
    for _ in 0..count {
        loop {
            // SAFETY: m.msg points into `m` (name, iovec, control), which
            // outlives the call, and at a payload the caller keeps alive.
            let n = unsafe { libc::sendmsg(fd, &m.msg, libc::MSG_NOSIGNAL) };
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
    errors
}

/// `count` ws2 sends of a prebuilt message. Returns the errors.
fn ws2_loop(tx: &Socket, msg: &Message<'_>, count: u64) -> u64 {
    let mut errors = 0;
    for _ in 0..count {
        if tx.send_msg(msg, SendFlags::NONE).is_err() {
            errors += 1;
        }
    }
    errors
}

/// Runs one measured loop of `mode`; returns (elapsed, errors).
fn measure(pair: &Pair, mode: Mode, payload: &[u8], count: u64) -> (Duration, u64) {
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
    }
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

struct Variant {
    size: u32,
    pktinfo: bool,
    raw: Vec<f64>,
    ws2: Vec<f64>,
}

impl Variant {
    fn modes(&self) -> (Mode, Mode) {
        if self.pktinfo {
            (Mode::RawPktinfo, Mode::Ws2Pktinfo)
        } else {
            (Mode::RawPlain, Mode::Ws2Plain)
        }
    }
    fn control(&self) -> &'static str {
        if self.pktinfo { "IP_PKTINFO" } else { "none" }
    }
}

pub fn run(args: &BenchArgs) -> AppResult<ExitCode> {
    let pair = Pair::new()?;
    let mut rxbuf = vec![0u8; 65536];
    let max = args.sizes.iter().copied().max().unwrap_or(0) as usize;
    let payload: Vec<u8> = (0..max).map(|i| i as u8).collect();
    let mut variants: Vec<Variant> = args
        .sizes
        .iter()
        .flat_map(|&size| {
            [true, false].map(|pktinfo| Variant {
                size,
                pktinfo,
                raw: Vec::new(),
                ws2: Vec::new(),
            })
        })
        .collect();

    // Warm-up: page in code and the socket path for every mode.
    for v in &variants {
        let (a, b) = v.modes();
        let p = &payload[..v.size as usize];
        measure(&pair, a, p, 1000);
        measure(&pair, b, p, 1000);
        pair.drain(&mut rxbuf);
    }

    let mut sent = 0u64;
    let mut received = 0u64;
    let mut errors = 0u64;
    for round in 0..args.rounds {
        for v in &mut variants {
            let (a, b) = v.modes();
            let order = if round % 2 == 0 { [a, b] } else { [b, a] };
            let p = &payload[..v.size as usize];
            for mode in order {
                pair.drain(&mut rxbuf);
                let (elapsed, errs) = measure(&pair, mode, p, args.count);
                received += pair.drain(&mut rxbuf);
                sent += args.count - errs;
                errors += errs;
                let rate = args.count as f64 / elapsed.as_secs_f64().max(1e-9);
                if matches!(mode, Mode::RawPktinfo | Mode::RawPlain) {
                    v.raw.push(rate);
                } else {
                    v.ws2.push(rate);
                }
            }
        }
    }

    let rows: Vec<(u32, &'static str, f64, f64)> = variants
        .iter_mut()
        .map(|v| {
            let raw = median(&mut v.raw);
            let ws2 = median(&mut v.ws2);
            (v.size, v.control(), raw, ws2)
        })
        .collect();
    let dropped = sent.saturating_sub(received);

    if args.json {
        let items: Vec<String> = rows
            .iter()
            .map(|(size, control, raw, ws2)| {
                format!(
                    "    {{\"size\": {size}, \"control\": \"{control}\", \"raw_sendmsg_dgram_per_s\": {raw:.0}, \"ws2_wsasendmsg_dgram_per_s\": {ws2:.0}, \"ratio\": {:.4}}}",
                    ws2 / raw
                )
            })
            .collect();
        println!(
            "{{\n  \"rounds\": {},\n  \"count_per_round\": {},\n  \"receiver_rcvbuf\": {},\n  \"dropped\": {dropped},\n  \"errors\": {errors},\n  \"results\": [\n{}\n  ]\n}}",
            args.rounds,
            args.count,
            pair.rcvbuf,
            items.join(",\n")
        );
    } else {
        println!(
            "{} rounds x {} datagrams per variant, medians; one ws2 socket 127.0.0.1 -> unread 127.0.0.1 receiver (SO_RCVBUF {} bytes, drained before each loop)",
            args.rounds, args.count, pair.rcvbuf
        );
        println!(
            "{:>6} | {:<10} | {:>18} | {:>22} | {:>6}",
            "size", "control", "raw sendmsg dgram/s", "ws2 WSASendMsg dgram/s", "ratio"
        );
        println!("{}", "-".repeat(6 + 10 + 18 + 22 + 6 + 12));
        for (size, control, raw, ws2) in &rows {
            println!(
                "{size:>6} | {control:<10} | {raw:>18.0} | {ws2:>22.0} | {:>6.3}",
                ws2 / raw
            );
        }
        println!(
            "ratio = ws2 / raw (1.0 = same speed); kernel drops: {dropped}, send errors: {errors}"
        );
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("wsasend: {errors} sends failed");
        ExitCode::FAILURE
    })
}

pub fn run_one(args: &BenchOneArgs) -> AppResult<ExitCode> {
    let pair = Pair::new()?;
    let payload: Vec<u8> = (0..args.size).map(|i| i as u8).collect();
    let (elapsed, errors) = measure(&pair, args.mode, &payload, args.count);
    println!(
        "{:?} size {} count {}: {:.3} s, {errors} errors",
        args.mode,
        args.size,
        args.count,
        elapsed.as_secs_f64()
    );
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
