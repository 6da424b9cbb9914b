//! `wsasend bench --readiness`: `select` and `WSAPoll` (libws2_32's C ABI,
//! SPEC P1) over 1,000 ws2 UDP sockets, against `poll(2)` on the very same
//! fds.
//!
//! Setup: 1,000 ws2 sockets made with the C ABI's `socket`, each bound to
//! 127.0.0.1; an `fd_set` of `FD_SETSIZE` 1024 holding all of them (as a
//! program that defines `FD_SETSIZE 1024` builds it), a `WSAPOLLFD` array
//! and a `pollfd` array of their Linux fds. Two cases, each with datagrams
//! queued before the loops and never read, so every call answers at once
//! and the same (a timeout of 0): one socket readable out of 1,000 (a
//! server's usual wake-up), and all 1,000 readable. Each call asks for
//! readability of all 1,000; `select` gets its set copied back from a
//! template first (select rewrites it, so a program rebuilds it every time).
//!
//! Each round runs the three calls in a rotating order, for both cases; the
//! table shows medians over rounds of the time per call, per socket, and
//! the ratio to `poll(2)`. `crates/wsasend/bench-readiness-callgrind.sh`
//! counts user-space instructions per socket (callgrind does not drift).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::RawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;
use ws2_abi as abi;

use crate::bench::print_json;
use crate::output::JSON_VERSION;
use crate::{AppResult, BenchArgs, BenchOneArgs, Mode};

/// Sockets polled per call.
pub const SOCKETS: usize = 1000;
/// The `FD_SETSIZE` of the `fd_set` (a program's `#define FD_SETSIZE 1024`).
const FD_SETSIZE: usize = 1024;

/// `fd_set` with `FD_SETSIZE` 1024.
#[repr(C)]
#[derive(Clone)]
struct FdSet1024 {
    fd_count: u32,
    fd_array: [abi::SOCKET; FD_SETSIZE],
}

/// Which sockets have a datagram queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    OneReady,
    AllReady,
}

impl Case {
    fn ready(self) -> usize {
        match self {
            Case::OneReady => 1,
            Case::AllReady => SOCKETS,
        }
    }
}

/// The call measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Call {
    Poll,
    Select,
    WsaPoll,
}

impl Call {
    fn label(self) -> &'static str {
        match self {
            Call::Poll => "poll(2), same fds",
            Call::Select => "ws2 select",
            Call::WsaPoll => "ws2 WSAPoll",
        }
    }
}

/// The sockets and the three callers' arrays.
struct Sockets {
    handles: Vec<abi::SOCKET>,
    ports: Vec<u16>,
    tx: UdpSocket,
    template: Box<FdSet1024>,
    set: Box<FdSet1024>,
    wsapoll: Vec<abi::WSAPOLLFD>,
    pollfds: Vec<libc::pollfd>,
}

/// Raises the soft fd limit to the hard one: 1,000 sockets and the rest.
fn raise_fd_limit() -> AppResult<()> {
    // SAFETY: getrlimit/setrlimit with a valid rlimit struct.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return Err("getrlimit(RLIMIT_NOFILE) failed".into());
        }
        if (lim.rlim_max as usize) < SOCKETS + 64 {
            return Err(format!(
                "the fd limit ({}) is below the {} sockets this bench needs",
                lim.rlim_max,
                SOCKETS + 64
            )
            .into());
        }
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
    }
    Ok(())
}

impl Sockets {
    fn new() -> AppResult<Sockets> {
        raise_fd_limit()?;
        // SAFETY: WSADATA is plain C data; all-zero is a valid out-buffer.
        let mut data: abi::WSADATA = unsafe { std::mem::zeroed() };
        // SAFETY: data is writable.
        if unsafe { ws2_32::WSAStartup(0x0202, &mut data) } != 0 {
            return Err(format!("WSAStartup: {}", ws2_32::WSAGetLastError()).into());
        }
        let mut handles = Vec::with_capacity(SOCKETS);
        let mut ports = Vec::with_capacity(SOCKETS);
        let mut fds: Vec<RawFd> = Vec::with_capacity(SOCKETS);
        for _ in 0..SOCKETS {
            let s = ws2_32::socket(abi::AF_INET, abi::SOCK_DGRAM, abi::IPPROTO_UDP);
            if s == abi::INVALID_SOCKET {
                return Err(format!("C socket(): {}", ws2_32::WSAGetLastError()).into());
            }
            let core = ws2_engine::handles::socket(s).map_err(|e| e.to_string())?;
            core.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .map_err(|e| e.to_string())?;
            ports.push(core.local_addr().map_err(|e| e.to_string())?.port());
            fds.push(core.raw_fd());
            handles.push(s);
        }
        let mut template = Box::new(FdSet1024 {
            fd_count: SOCKETS as u32,
            fd_array: [0; FD_SETSIZE],
        });
        template.fd_array[..SOCKETS].copy_from_slice(&handles);
        let wsapoll = handles
            .iter()
            .map(|&fd| abi::WSAPOLLFD {
                fd,
                events: abi::POLLRDNORM,
                revents: 0,
            })
            .collect();
        let pollfds = fds
            .iter()
            .map(|&fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        Ok(Sockets {
            handles,
            ports,
            tx: UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("sender: {e}"))?,
            set: template.clone(),
            template,
            wsapoll,
            pollfds,
        })
    }

    /// Queues one datagram on each socket `case` makes readable (socket
    /// 500 for one), after emptying them all.
    fn prepare(&mut self, case: Case) -> AppResult<()> {
        let mut buf = [0u8; 64];
        for &s in &self.handles {
            let core = ws2_engine::handles::socket(s).map_err(|e| e.to_string())?;
            // SAFETY: buf is writable for its length.
            while unsafe {
                libc::recv(
                    core.raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    libc::MSG_DONTWAIT,
                )
            } >= 0
            {}
        }
        let ready: Vec<usize> = match case {
            Case::OneReady => vec![SOCKETS / 2],
            Case::AllReady => (0..SOCKETS).collect(),
        };
        for i in ready {
            self.tx
                .send_to(b"ready", (Ipv4Addr::LOCALHOST, self.ports[i]))
                .map_err(|e| format!("send: {e}"))?;
        }
        // Loopback delivery is done when send_to returns; check it.
        let found = self.call(Call::Poll)?;
        if found != case.ready() {
            return Err(format!("{found} sockets readable, {} expected", case.ready()).into());
        }
        Ok(())
    }

    /// One call over all sockets with a timeout of 0: how many are ready.
    fn call(&mut self, call: Call) -> AppResult<usize> {
        let n = match call {
            Call::Poll => {
                // SAFETY: pollfds is a valid array of SOCKETS pollfds.
                unsafe { libc::poll(self.pollfds.as_mut_ptr(), SOCKETS as libc::nfds_t, 0) }
            }
            Call::Select => {
                let timeout = libc::timeval {
                    tv_sec: 0,
                    tv_usec: 0,
                };
                self.set.fd_count = self.template.fd_count;
                self.set.fd_array[..SOCKETS].copy_from_slice(&self.template.fd_array[..SOCKETS]);
                // SAFETY: `set` is an fd_set of FD_SETSIZE 1024 holding
                // fd_count entries; the other sets are NULL.
                unsafe {
                    ws2_32::select(
                        0,
                        (&raw mut *self.set).cast(),
                        std::ptr::null_mut(),
                        std::ptr::null_mut(),
                        &timeout,
                    )
                }
            }
            Call::WsaPoll => {
                // SAFETY: wsapoll is a valid array of SOCKETS entries.
                unsafe { ws2_32::WSAPoll(self.wsapoll.as_mut_ptr(), SOCKETS as u32, 0) }
            }
        };
        if n < 0 {
            return Err(format!("{call:?} failed: {}", ws2_32::WSAGetLastError()).into());
        }
        Ok(n as usize)
    }

    /// `count` calls; their time.
    fn measure(&mut self, call: Call, case: Case, count: u64) -> AppResult<Duration> {
        let start = Instant::now();
        for _ in 0..count {
            let n = self.call(call)?;
            if n != case.ready() {
                return Err(format!("{call:?} found {n} ready, {} expected", case.ready()).into());
            }
        }
        Ok(start.elapsed())
    }
}

impl Drop for Sockets {
    fn drop(&mut self) {
        for &s in &self.handles {
            ws2_32::closesocket(s);
        }
        ws2_32::WSACleanup();
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

#[derive(Serialize)]
struct ReadinessJson {
    version: u32,
    readiness: bool,
    sockets: usize,
    fd_setsize: usize,
    rounds: u32,
    calls_per_round: u64,
    results: Vec<ResultJson>,
}

#[derive(Serialize)]
struct ResultJson {
    ready: usize,
    call: Call,
    us_per_call: f64,
    ns_per_socket: f64,
    ratio_vs_poll: f64,
}

/// `wsasend bench --readiness`.
pub fn run(args: &BenchArgs) -> AppResult<ExitCode> {
    let mut s = Sockets::new()?;
    let calls = [Call::Poll, Call::Select, Call::WsaPoll];
    let cases = [Case::OneReady, Case::AllReady];
    // times[case][call]: seconds per call, one per round.
    let mut times = vec![vec![Vec::new(); calls.len()]; cases.len()];
    for (ci, &case) in cases.iter().enumerate() {
        s.prepare(case)?;
        for &call in &calls {
            s.measure(call, case, args.calls.min(200))?; // warm-up
        }
        for round in 0..args.rounds as usize {
            for k in 0..calls.len() {
                let which = (round + k) % calls.len();
                let elapsed = s.measure(calls[which], case, args.calls)?;
                times[ci][which].push(elapsed.as_secs_f64() / args.calls as f64);
            }
        }
    }
    let mut results = Vec::new();
    for (ci, &case) in cases.iter().enumerate() {
        let poll = median(&mut times[ci][0].clone());
        for (k, &call) in calls.iter().enumerate() {
            let t = median(&mut times[ci][k]);
            results.push(ResultJson {
                ready: case.ready(),
                call,
                us_per_call: t * 1e6,
                ns_per_socket: t * 1e9 / SOCKETS as f64,
                ratio_vs_poll: t / poll,
            });
        }
    }
    if args.json {
        print_json(&ReadinessJson {
            version: JSON_VERSION,
            readiness: true,
            sockets: SOCKETS,
            fd_setsize: FD_SETSIZE,
            rounds: args.rounds,
            calls_per_round: args.calls,
            results,
        })?;
    } else {
        outln!(
            "{} rounds x {} calls per variant, medians; {SOCKETS} ws2 UDP sockets on 127.0.0.1, fd_set of FD_SETSIZE {FD_SETSIZE}, timeout 0, readability asked",
            args.rounds,
            args.calls
        )?;
        outln!(
            "{:>6} | {:<18} | {:>9} | {:>12} | {:>16}",
            "ready",
            "call",
            "us/call",
            "ns/socket",
            "time vs poll(2)"
        )?;
        outln!("{}", "-".repeat(6 + 18 + 9 + 12 + 16 + 12))?;
        for r in &results {
            outln!(
                "{:>6} | {:<18} | {:>9.2} | {:>12.1} | {:>16.2}",
                r.ready,
                r.call.label(),
                r.us_per_call,
                r.ns_per_socket,
                r.ratio_vs_poll
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `bench-one` of a readiness mode (for callgrind): `count` calls over the
/// 1,000 sockets, one of them readable.
pub fn run_one(args: &BenchOneArgs) -> AppResult<ExitCode> {
    let call = match args.mode {
        Mode::RawPoll1000 => Call::Poll,
        Mode::Ws2Select1000 => Call::Select,
        _ => Call::WsaPoll,
    };
    let mut s = Sockets::new()?;
    s.prepare(Case::OneReady)?;
    let elapsed = s.measure(call, Case::OneReady, args.count)?;
    outln!(
        "{call:?} over {SOCKETS} sockets x {}: {:.3} s",
        args.count,
        elapsed.as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}
