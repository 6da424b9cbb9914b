//! The receivers of `bench recv` and the loops that drain them.
//!
//! Every receiver is its own socket on 127.0.0.1 with a receive buffer as
//! large as the kernel allows. Before a measured loop a plain `std` sender
//! fills the receiver's queue (untimed); the loop then drains exactly what
//! was sent and reports the datagrams it got, stopping early (and saying
//! so) if the queue ran dry. Each loop does what a real receiver does with
//! what it got: it reads the destination address and the ECN bits out of
//! the control data (Linux cmsgs or Windows entries), and counts datagrams
//! by the segment size of coalesced data.

use std::io::IoSliceMut;
use std::net::{SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use ws2::{RecvInfo, Socket};
use ws2_abi as abi;

use crate::AppResult;
use crate::bench::{RawMsg, big_rcvbuf, raw_loop};
use posted::posted_drain;
use raw::{raw_drain, raw_mmsg_drain};

mod posted;
mod raw;

/// `WSARecvMsg`, as `WSAIoctl(WSAID_WSARECVMSG)` hands it out.
type RecvMsgFn = unsafe extern "C" fn(
    abi::SOCKET,
    *mut abi::WSAMSG,
    *mut abi::DWORD,
    *mut abi::WSAOVERLAPPED,
    abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32;

/// Segments per GSO send of the URO rows: 54 x 1200 = 64,800 bytes, the
/// longest run of 1200-byte datagrams Linux delivers whole.
pub(crate) const GSO_SEGMENTS: u64 = 54;

/// Segment size of the URO rows.
pub(crate) const SEGMENT: usize = 1200;

/// Buffer of every receive: any datagram or run fits.
pub(super) const BUF: usize = 65536;

/// Datagrams one fill queues for the plain rows: 20,000 of 1,200 bytes
/// take about 46 MB of the 128 MiB a receive queue may hold.
pub(super) const QUEUE_PLAIN: u64 = 20_000;

/// Datagrams one fill queues for the GSO rows (600 sends of 54): a socket
/// without GRO gets them as 1,200-byte datagrams, about 2.3 KB of queue
/// each (75 MB); a GRO socket as 600 runs.
pub(super) const QUEUE_GSO: u64 = 600 * GSO_SEGMENTS;

/// The receive modes (also `bench-one-recv --mode` for callgrind).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecvMode {
    /// `recvmsg` with IP_PKTINFO and IP_RECVTOS on the C socket's fd.
    RawRecvmsg,
    /// The same `recvmsg` loop again, measured beside `raw-recvmsg` as any
    /// receiver is: what the method reads for two identical receivers.
    RawRecvmsgTwin,
    /// C `WSARecvMsg`, blocking, IP_PKTINFO + IP_RECVECN.
    CapiRecvmsg,
    /// Rust `Socket::recv_msg`, destination and TOS reported.
    RustRecvmsg,
    /// C overlapped `WSARecvMsg` on a port with skip-on-success: complete
    /// at once, no packet.
    CapiPortSkip,
    /// C overlapped `WSARecvMsg` on a port, `GetQueuedCompletionStatus` each.
    CapiPort,
    /// C overlapped `WSARecvMsg` with an event.
    CapiEvent,
    /// C overlapped `WSARecvMsg`, 32 kept posted on a port (no skip),
    /// dequeued with `GetQueuedCompletionStatusEx` and posted again: an
    /// IOCP server with several receives in flight.
    CapiPosted,
    /// `recvmmsg` into 32 buffers with IP_PKTINFO and IP_RECVTOS, on the
    /// socket of `CapiPosted`: what Linux does for a pool of 32 receives.
    RawRecvmmsg,
    /// C `WSARecvMsg` with URO (`UDP_RECV_MAX_COALESCED_SIZE` 65527), blocking.
    Uro,
    /// As `uro`, overlapped on a port with skip-on-success (MsQuic's way).
    UroPortSkip,
    /// As `uro`, with 32 overlapped receives kept posted on a port (no
    /// skip), dequeued with `GetQueuedCompletionStatusEx` and posted again:
    /// a server with several receives in flight.
    UroPosted,
    /// C `WSARecvMsg` without URO on the same GSO traffic.
    PlainGso,
    /// quinn-udp's `UdpSocketState::recv`: UDP GRO and `recvmmsg` of 32.
    Quinn,
    /// quinn-udp's `recv` given one buffer: one `recvmmsg` per run, as a
    /// receive call reads one on Windows.
    QuinnOne,
    /// `recvmsg` with UDP_GRO, IP_PKTINFO and IP_RECVTOS: the kernel's own.
    RawGro,
}

impl RecvMode {
    /// Whether the mode receives the GSO traffic of the URO rows.
    pub(crate) fn gso(self) -> bool {
        matches!(
            self,
            RecvMode::Uro
                | RecvMode::UroPortSkip
                | RecvMode::UroPosted
                | RecvMode::PlainGso
                | RecvMode::Quinn
                | RecvMode::QuinnOne
                | RecvMode::RawGro
        )
    }
}

/// A C ABI socket on 127.0.0.1, non-blocking (`FIONBIO`), with IN_PKTINFO
/// and ECN reported, optionally on a completion port and with URO.
pub(crate) struct CSocket {
    pub(crate) s: abi::SOCKET,
    pub(crate) fd: RawFd,
    pub(crate) addr: SocketAddrV4,
    pub(crate) port: abi::HANDLE,
}

impl CSocket {
    fn new(port: bool, skip: bool, uro: bool) -> AppResult<CSocket> {
        let fail = |what: &str| format!("{what}: {}", ws2_32::WSAGetLastError());
        // SAFETY: WSADATA is plain C data; all-zero is a valid out-buffer.
        let mut data: abi::WSADATA = unsafe { std::mem::zeroed() };
        // SAFETY: data is writable.
        if unsafe { ws2_32::WSAStartup(0x0202, &mut data) } != 0 {
            return Err(fail("WSAStartup").into());
        }
        let s = ws2_32::socket(abi::AF_INET, abi::SOCK_DGRAM, abi::IPPROTO_UDP);
        if s == abi::INVALID_SOCKET {
            return Err(fail("socket").into());
        }
        let mut a = abi::SOCKADDR_IN {
            sin_family: abi::AF_INET as abi::ADDRESS_FAMILY,
            sin_port: 0,
            sin_addr: abi::IN_ADDR {
                s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
            },
            sin_zero: [0; 8],
        };
        let mut len = size_of::<abi::SOCKADDR_IN>() as i32;
        // SAFETY: `a` is a live SOCKADDR_IN of `len` bytes.
        unsafe {
            if ws2_32::bind(s, (&raw const a).cast(), len) != 0 {
                return Err(fail("bind").into());
            }
            if ws2_32::getsockname(s, (&raw mut a).cast(), &mut len) != 0 {
                return Err(fail("getsockname").into());
            }
        }
        let set = |level: i32, name: i32, value: u32| {
            // SAFETY: value is a live DWORD.
            let r = unsafe { ws2_32::setsockopt(s, level, name, (&raw const value).cast(), 4) };
            if r != 0 {
                return Err(fail("setsockopt"));
            }
            Ok(())
        };
        set(abi::IPPROTO_IP, abi::IP_PKTINFO, 1)?;
        set(abi::IPPROTO_IP, abi::IP_RECVECN, 1)?;
        if uro {
            set(abi::IPPROTO_UDP, abi::UDP_RECV_MAX_COALESCED_SIZE, 65527)?;
        }
        let mut on = 1u32;
        // SAFETY: `on` is a live u_long.
        if unsafe { ws2_32::ioctlsocket(s, abi::FIONBIO as i32 as libc::c_long, &mut on) } != 0 {
            return Err(fail("ioctlsocket(FIONBIO)").into());
        }
        let mut handle = std::ptr::null_mut();
        if port {
            handle = ws2_32::CreateIoCompletionPort(s as abi::HANDLE, std::ptr::null_mut(), 3, 0);
            if handle.is_null() {
                return Err(fail("CreateIoCompletionPort").into());
            }
            if skip
                && ws2_32::SetFileCompletionNotificationModes(
                    s as abi::HANDLE,
                    abi::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
                ) == 0
            {
                return Err(fail("SetFileCompletionNotificationModes").into());
            }
        }
        let fd = ws2_engine::handles::socket(s as usize)
            .map_err(|e| format!("the C socket's fd: {e}"))?
            .raw_fd();
        big_rcvbuf(fd);
        Ok(CSocket {
            s,
            fd,
            addr: SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, u16::from_be(a.sin_port)),
            port: handle,
        })
    }
}

impl Drop for CSocket {
    fn drop(&mut self) {
        ws2_32::closesocket(self.s);
        if !self.port.is_null() {
            ws2_32::CloseHandle(self.port);
        }
    }
}

/// A `std` socket on 127.0.0.1 with UDP_GRO (quinn-udp's, or the raw GRO
/// reference).
fn gro_socket() -> AppResult<UdpSocket> {
    let s = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    s.set_nonblocking(true)
        .map_err(|e| format!("non-blocking: {e}"))?;
    big_rcvbuf(s.as_raw_fd());
    Ok(s)
}

fn set_int(fd: RawFd, level: i32, name: i32, value: i32) -> AppResult<()> {
    // SAFETY: value is a live c_int.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&raw const value).cast(),
            size_of::<i32>() as libc::socklen_t,
        )
    };
    if r != 0 {
        return Err(format!(
            "setsockopt({level}, {name}): {}",
            std::io::Error::last_os_error()
        )
        .into());
    }
    Ok(())
}

/// Every receiver, and the sender that fills them.
pub(crate) struct Receivers {
    tx: UdpSocket,
    /// Raw `recvmsg`, C blocking and event receives, plain GSO.
    blk: CSocket,
    rust: Socket,
    port: CSocket,
    skip: CSocket,
    uro: CSocket,
    uro_skip: CSocket,
    uro_posted: CSocket,
    posted: CSocket,
    quinn: (UdpSocket, quinn_udp::UdpSocketState),
    /// quinn-udp's states for the sockets it reads beside their own
    /// receivers (`drain_beside`): URO, URO skip, raw GRO, URO posted.
    quinn_states: [quinn_udp::UdpSocketState; 4],
    raw_gro: UdpSocket,
    event: abi::WSAEVENT,
    recvmsg: RecvMsgFn,
    pub(crate) rcvbuf: usize,
}

impl Receivers {
    pub(crate) fn new() -> AppResult<Receivers> {
        let blk = CSocket::new(false, false, false)?;
        let rust = Socket::udp_v4().map_err(|e| format!("ws2 socket: {e}"))?;
        rust.bind("127.0.0.1:0".parse().expect("address"))
            .map_err(|e| format!("ws2 bind: {e}"))?;
        rust.set_recv_info(RecvInfo::DESTINATION | RecvInfo::TOS)
            .map_err(|e| format!("set_recv_info: {e}"))?;
        rust.set_nonblocking(true);
        let rcvbuf = big_rcvbuf(rust.as_raw_fd());
        let quinn = gro_socket()?;
        let state = quinn_udp::UdpSocketState::new((&quinn).into())
            .map_err(|e| format!("quinn-udp: {e}"))?;
        let raw_gro = gro_socket()?;
        let fd = raw_gro.as_raw_fd();
        set_int(fd, libc::SOL_UDP, libc::UDP_GRO, 1)?;
        set_int(fd, libc::IPPROTO_IP, libc::IP_PKTINFO, 1)?;
        set_int(fd, libc::IPPROTO_IP, libc::IP_RECVTOS, 1)?;
        let port = CSocket::new(true, false, false)?;
        let skip = CSocket::new(true, true, false)?;
        let posted = CSocket::new(true, false, false)?;
        // Raw `recvmsg` reads these sockets beside ws2 (`drain_beside`)
        // and gets the TOS byte as its loop expects (ws2's IP_RECVECN
        // turns it on too; said here so the reference never depends on it).
        for fd in [blk.fd, port.fd, skip.fd, posted.fd, rust.as_raw_fd()] {
            set_int(fd, libc::IPPROTO_IP, libc::IP_RECVTOS, 1)?;
        }
        let event = ws2_32::WSACreateEvent();
        if event.is_null() {
            return Err("WSACreateEvent failed".into());
        }
        let recvmsg = recvmsg_fn(blk.s)?;
        let (uro, uro_skip, uro_posted) = (
            CSocket::new(false, false, true)?,
            CSocket::new(true, true, true)?,
            CSocket::new(true, false, true)?,
        );
        let quinn_state = |fd: RawFd| {
            // SAFETY: `fd` is a socket made above, open for the call.
            let fd = unsafe { BorrowedFd::borrow_raw(fd) };
            quinn_udp::UdpSocketState::new((&fd).into()).map_err(|e| format!("quinn-udp: {e}"))
        };
        let quinn_states = [
            quinn_state(uro.fd)?,
            quinn_state(uro_skip.fd)?,
            quinn_state(raw_gro.as_raw_fd())?,
            quinn_state(uro_posted.fd)?,
        ];
        Ok(Receivers {
            tx: UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind sender: {e}"))?,
            blk,
            rust,
            port,
            skip,
            uro,
            uro_skip,
            uro_posted,
            posted,
            quinn: (quinn, state),
            quinn_states,
            raw_gro,
            event,
            recvmsg,
            rcvbuf,
        })
    }

    /// Where `mode`'s datagrams go.
    fn dest(&self, mode: RecvMode) -> SocketAddrV4 {
        let v4 = |a: SocketAddr| match a {
            SocketAddr::V4(a) => a,
            SocketAddr::V6(_) => unreachable!("IPv4 sockets"),
        };
        match mode {
            RecvMode::RawRecvmsg
            | RecvMode::RawRecvmsgTwin
            | RecvMode::CapiRecvmsg
            | RecvMode::CapiEvent => self.blk.addr,
            RecvMode::PlainGso => self.blk.addr,
            RecvMode::RustRecvmsg => v4(self.rust.local_addr().expect("bound")),
            RecvMode::CapiPort => self.port.addr,
            RecvMode::CapiPortSkip => self.skip.addr,
            RecvMode::Uro => self.uro.addr,
            RecvMode::UroPortSkip => self.uro_skip.addr,
            RecvMode::UroPosted => self.uro_posted.addr,
            RecvMode::CapiPosted | RecvMode::RawRecvmmsg => self.posted.addr,
            RecvMode::Quinn | RecvMode::QuinnOne => v4(self.quinn.0.local_addr().expect("bound")),
            RecvMode::RawGro => v4(self.raw_gro.local_addr().expect("bound")),
        }
    }

    /// Fills `mode`'s receive queue with `count` datagrams of `size` bytes
    /// (untimed): one `sendto` each, or for the GSO modes UDP GSO sends of
    /// [`GSO_SEGMENTS`] x [`SEGMENT`]. Returns the datagrams sent.
    pub(super) fn fill(&self, mode: RecvMode, size: usize, count: u64) -> u64 {
        let dest = self.dest(mode);
        if mode.gso() {
            let calls = count.div_ceil(GSO_SEGMENTS);
            let payload: Vec<u8> = (0..SEGMENT * GSO_SEGMENTS as usize)
                .map(|i| i as u8)
                .collect();
            let m = RawMsg::new_gso(dest, &payload, SEGMENT as u16);
            let errors = raw_loop(self.tx.as_raw_fd(), &m, calls);
            return (calls - errors) * GSO_SEGMENTS;
        }
        let payload = vec![0x5au8; size];
        (0..count)
            .filter(|_| self.tx.send_to(&payload, dest).is_ok())
            .count() as u64
    }

    /// Drains `want` datagrams from `mode`'s queue, timed.
    pub(super) fn drain(&self, mode: RecvMode, want: u64, buf: &mut [u8]) -> AppResult<Drained> {
        timed(want, || measured_drain(self, mode, want, buf))
    }

    /// Drains `want` datagrams from `mode`'s queue with `reference`'s
    /// receiver reading `mode`'s socket, timed (see `one_queue.rs`): raw
    /// `recvmsg` (IP_PKTINFO and IP_RECVTOS on), or quinn-udp's `recv` with
    /// 32 buffers (through a state made for that socket). `None` when
    /// `reference` cannot read `mode`'s socket.
    pub(super) fn drain_beside(
        &self,
        reference: RecvMode,
        mode: RecvMode,
        want: u64,
        buf: &mut [u8],
    ) -> Option<AppResult<Drained>> {
        let fd = match (reference, mode) {
            (
                RecvMode::RawRecvmsg,
                RecvMode::CapiRecvmsg | RecvMode::CapiEvent | RecvMode::RawRecvmsgTwin,
            ) => self.blk.fd,
            (RecvMode::RawRecvmsg, RecvMode::CapiPortSkip) => self.skip.fd,
            (RecvMode::RawRecvmsg, RecvMode::CapiPort) => self.port.fd,
            (RecvMode::RawRecvmsg, RecvMode::CapiPosted | RecvMode::RawRecvmmsg) => self.posted.fd,
            (RecvMode::RawRecvmsg, RecvMode::RustRecvmsg) => self.rust.as_raw_fd(),
            (RecvMode::Quinn, RecvMode::Uro) => self.uro.fd,
            (RecvMode::Quinn, RecvMode::UroPortSkip) => self.uro_skip.fd,
            (RecvMode::Quinn, RecvMode::UroPosted) => self.uro_posted.fd,
            (RecvMode::Quinn, RecvMode::QuinnOne) => self.quinn.0.as_raw_fd(),
            (RecvMode::Quinn, RecvMode::RawGro) => self.raw_gro.as_raw_fd(),
            _ => return None,
        };
        Some(timed(want, || {
            let mut seen = Seen::default();
            let got = if reference == RecvMode::RawRecvmsg {
                raw_drain(fd, want, buf, &mut seen)
            } else {
                let state = match mode {
                    RecvMode::Uro => &self.quinn_states[0],
                    RecvMode::UroPortSkip => &self.quinn_states[1],
                    RecvMode::RawGro => &self.quinn_states[2],
                    RecvMode::UroPosted => &self.quinn_states[3],
                    _ => &self.quinn.1,
                };
                // SAFETY: `fd` is one of this Receivers' sockets, open
                // while `self` lives.
                let fd = unsafe { BorrowedFd::borrow_raw(fd) };
                quinn_drain(fd, state, quinn_udp::BATCH_SIZE, want, &mut seen)
            };
            std::hint::black_box((seen.destinations, seen.ecn));
            Ok(got)
        }))
    }

    /// `count` datagrams of `size` bytes through `mode`'s receiver: filled
    /// (untimed) and drained (timed) in turns of at most what its queue
    /// holds ([`QUEUE_PLAIN`], [`QUEUE_GSO`]); the drains' times summed.
    pub(crate) fn measure(&self, mode: RecvMode, size: usize, count: u64) -> AppResult<Drained> {
        let mut buf = vec![0u8; BUF];
        let turn = if mode.gso() { QUEUE_GSO } else { QUEUE_PLAIN };
        let mut total = Drained::default();
        let mut left = count;
        while left > 0 {
            let n = left.min(turn);
            let sent = self.fill(mode, size, n);
            total.add(&self.drain(mode, sent, &mut buf)?);
            left -= n;
        }
        Ok(total)
    }
}

impl Drop for Receivers {
    fn drop(&mut self) {
        ws2_32::WSACloseEvent(self.event);
    }
}

/// A measured drain, or the sum of several.
#[derive(Default)]
pub(crate) struct Drained {
    pub(crate) elapsed: Duration,
    /// CPU time of the draining thread (user and system).
    pub(crate) cpu: Duration,
    /// Datagrams the fills sent.
    pub(crate) sent: u64,
    /// Datagrams the drains received.
    pub(crate) datagrams: u64,
}

impl Drained {
    pub(crate) fn add(&mut self, d: &Drained) {
        self.elapsed += d.elapsed;
        self.cpu += d.cpu;
        self.sent += d.sent;
        self.datagrams += d.datagrams;
    }
}

/// `drain`'s datagrams out of `want`, with the wall-clock and CPU time it took.
fn timed(want: u64, drain: impl FnOnce() -> AppResult<u64>) -> AppResult<Drained> {
    let (start, cpu) = (Instant::now(), thread_cpu());
    let got = drain()?;
    Ok(Drained {
        elapsed: start.elapsed(),
        cpu: thread_cpu().saturating_sub(cpu),
        sent: want,
        datagrams: got,
    })
}

/// This thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu() -> Duration {
    // SAFETY: plain C data; all-zero is valid.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: ts is writable.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn recvmsg_fn(s: abi::SOCKET) -> AppResult<RecvMsgFn> {
    let guid = abi::WSAID_WSARECVMSG;
    let mut f: Option<RecvMsgFn> = None;
    let mut bytes = 0u32;
    // SAFETY: in/out buffers are live locals of the sizes given.
    let r = unsafe {
        ws2_32::WSAIoctl(
            s,
            abi::SIO_GET_EXTENSION_FUNCTION_POINTER,
            (&raw const guid).cast_mut().cast(),
            size_of::<abi::GUID>() as u32,
            (&raw mut f).cast(),
            size_of::<Option<RecvMsgFn>>() as u32,
            &mut bytes,
            std::ptr::null_mut(),
            None,
        )
    };
    match f {
        Some(f) if r == 0 => Ok(f),
        _ => Err(format!("WSAIoctl(WSAID_WSARECVMSG): {}", ws2_32::WSAGetLastError()).into()),
    }
}

/// What a receiver reads out of each receive, so no loop skips work the
/// others do.
#[derive(Default)]
struct Seen {
    destinations: u64,
    ecn: u64,
}

impl Seen {
    /// Windows control entries: IN_PKTINFO, IP_ECN; the segment size of
    /// coalesced data (`UDP_COALESCED_INFO`). Walked as a C program walks
    /// them with `WSA_CMSG_FIRSTHDR`/`WSA_CMSG_NXTHDR`: one bounds test per
    /// entry, as the raw loop's `CMSG_NXTHDR` makes for Linux cmsgs.
    fn windows(&mut self, control: &[u8]) -> Option<usize> {
        let (base, end) = (control.as_ptr(), control.len());
        // SAFETY: callers read only within `end` bytes of `control`.
        let word = |at: usize| unsafe { std::ptr::read_unaligned(base.add(at).cast::<i32>()) };
        let mut segment = None;
        let mut at = 0;
        while end - at >= 16 {
            // SAFETY: a whole header lies within the buffer (tested above).
            let len = unsafe { std::ptr::read_unaligned(base.add(at).cast::<u64>()) } as usize;
            if len < 20 || len > end - at {
                break;
            }
            // Every entry read here has a 4-byte payload within `len`.
            match (word(at + 8), word(at + 12)) {
                (abi::IPPROTO_IP, abi::IP_PKTINFO) => {
                    self.destinations += u64::from(word(at + 16).to_ne_bytes()[0]);
                }
                (abi::IPPROTO_IP, abi::IP_ECN) => self.ecn += word(at + 16) as u64,
                (abi::IPPROTO_UDP, abi::UDP_COALESCED_INFO) => {
                    segment = Some(word(at + 16) as usize);
                }
                _ => {}
            }
            at += (len + 7) & !7;
            if at > end {
                break;
            }
        }
        segment
    }

    /// Linux cmsgs: IP_PKTINFO, IP_TOS (its ECN bits), UDP_GRO.
    ///
    /// # Safety
    /// The kernel filled `msg`'s control buffer.
    unsafe fn linux(&mut self, msg: &libc::msghdr) -> Option<usize> {
        let mut segment = None;
        // SAFETY: CMSG_FIRSTHDR/NXTHDR stay within msg_controllen, and each
        // cmsg the kernel wrote holds its payload.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(msg);
            while !c.is_null() {
                let data = libc::CMSG_DATA(c);
                match ((*c).cmsg_level, (*c).cmsg_type) {
                    (libc::IPPROTO_IP, libc::IP_PKTINFO) => {
                        let p = std::ptr::read_unaligned(data.cast::<libc::in_pktinfo>());
                        self.destinations += u64::from(p.ipi_addr.s_addr.to_ne_bytes()[0]);
                    }
                    (libc::IPPROTO_IP, libc::IP_TOS) => self.ecn += u64::from(*data & 3),
                    (libc::SOL_UDP, libc::UDP_GRO) => {
                        segment = Some(std::ptr::read_unaligned(data.cast::<i32>()) as usize);
                    }
                    _ => {}
                }
                c = libc::CMSG_NXTHDR(msg, c);
            }
        }
        segment
    }
}

/// Datagrams in `bytes` of coalesced data of `segment`-byte datagrams.
fn datagrams(bytes: usize, segment: Option<usize>) -> u64 {
    segment.map_or(1, |g| bytes.div_ceil(g.max(1)) as u64)
}

/// The measured loop of `mode`: `want` datagrams (fewer if the queue runs
/// dry). Out of line and named, so callgrind can count only it
/// (`--toggle-collect`, bench-recv-callgrind.sh).
#[inline(never)]
pub(crate) fn measured_drain(
    r: &Receivers,
    mode: RecvMode,
    want: u64,
    buf: &mut [u8],
) -> AppResult<u64> {
    let mut seen = Seen::default();
    let got = match mode {
        RecvMode::RawRecvmsg | RecvMode::RawRecvmsgTwin => {
            raw_drain(r.blk.fd, want, buf, &mut seen)
        }
        RecvMode::RawGro => raw_drain(r.raw_gro.as_raw_fd(), want, buf, &mut seen),
        RecvMode::CapiRecvmsg | RecvMode::PlainGso => {
            capi_drain(r, &r.blk, Completion::Blocking, want, buf, &mut seen)?
        }
        RecvMode::Uro => capi_drain(r, &r.uro, Completion::Blocking, want, buf, &mut seen)?,
        RecvMode::CapiPortSkip => {
            capi_drain(r, &r.skip, Completion::Immediate, want, buf, &mut seen)?
        }
        RecvMode::UroPortSkip => {
            capi_drain(r, &r.uro_skip, Completion::Immediate, want, buf, &mut seen)?
        }
        RecvMode::CapiPort => capi_drain(r, &r.port, Completion::Port, want, buf, &mut seen)?,
        RecvMode::CapiEvent => capi_drain(r, &r.blk, Completion::Event, want, buf, &mut seen)?,
        RecvMode::RustRecvmsg => rust_drain(&r.rust, want, buf, &mut seen),
        RecvMode::UroPosted => posted_drain(r, &r.uro_posted, want, GSO_SEGMENTS, &mut seen)?,
        RecvMode::CapiPosted => posted_drain(r, &r.posted, want, 1, &mut seen)?,
        RecvMode::RawRecvmmsg => raw_mmsg_drain(r.posted.fd, want, &mut seen),
        RecvMode::Quinn => quinn_drain(
            r.quinn.0.as_fd(),
            &r.quinn.1,
            quinn_udp::BATCH_SIZE,
            want,
            &mut seen,
        ),
        RecvMode::QuinnOne => quinn_drain(r.quinn.0.as_fd(), &r.quinn.1, 1, want, &mut seen),
    };
    std::hint::black_box((seen.destinations, seen.ecn));
    Ok(got)
}

/// How an overlapped C receive completes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Completion {
    /// No OVERLAPPED.
    Blocking,
    /// On a skip-on-success port: completes at once, nothing to dequeue.
    Immediate,
    /// On a port: `GetQueuedCompletionStatus` each.
    Port,
    /// With an event in `hEvent`.
    Event,
}

fn capi_drain(
    r: &Receivers,
    c: &CSocket,
    completion: Completion,
    want: u64,
    buf: &mut [u8],
    seen: &mut Seen,
) -> AppResult<u64> {
    let mut control = [0u64; 16];
    let mut from = abi::SOCKADDR_STORAGE::default();
    let mut wsabuf = abi::WSABUF {
        len: buf.len() as u32,
        buf: buf.as_mut_ptr().cast(),
    };
    let mut ov = abi::WSAOVERLAPPED::default();
    let mut got = 0;
    while got < want {
        let mut msg = abi::WSAMSG {
            name: (&raw mut from).cast(),
            namelen: size_of::<abi::SOCKADDR_STORAGE>() as i32,
            lpBuffers: &raw mut wsabuf,
            dwBufferCount: 1,
            Control: abi::WSABUF {
                len: size_of::<[u64; 16]>() as u32,
                buf: control.as_mut_ptr().cast(),
            },
            dwFlags: 0,
        };
        let mut bytes = 0u32;
        let ovp = match completion {
            Completion::Blocking => std::ptr::null_mut(),
            _ => {
                ov = abi::WSAOVERLAPPED::default();
                if completion == Completion::Event {
                    ov.hEvent = r.event;
                }
                &raw mut ov
            }
        };
        // SAFETY: msg points at live locals and `buf`; an overlapped
        // receive completes at once here (the queue is full) or is
        // cancelled below before `ov` goes out of scope.
        let rc = unsafe { (r.recvmsg)(c.s, &mut msg, &mut bytes, ovp, None) };
        if rc != 0 {
            let e = ws2_32::WSAGetLastError();
            if e == abi::WSA_IO_PENDING
                && completion == Completion::Port
                && let Some(n) = dequeue(c.port, 1000)?
            {
                // Pending with its data there (ws2 leaves receives on a
                // port nobody waits on for the port's next look, which
                // reads them): the packet has the byte count.
                bytes = n;
            } else if e == abi::WSA_IO_PENDING {
                // The queue ran dry: cancel (closesocket would; here the
                // socket is kept) by completing it with one more datagram.
                let _ = r.tx.send_to(b"end", c.addr);
                let mut b = 0u32;
                let mut flags = 0u32;
                // SAFETY: ov and the buffers are live; the wait completes it.
                unsafe { ws2_32::WSAGetOverlappedResult(c.s, &mut ov, &mut b, 1, &mut flags) };
                if completion == Completion::Port {
                    dequeue(c.port, 5000)?.ok_or("GetQueuedCompletionStatus: no packet")?;
                }
                break;
            } else if e == abi::WSAEWOULDBLOCK {
                break;
            } else {
                return Err(format!("WSARecvMsg: error {e}").into());
            }
        } else if completion == Completion::Port {
            dequeue(c.port, 5000)?.ok_or("GetQueuedCompletionStatus: no packet")?;
        }
        // SAFETY: the control buffer is 128 plain bytes.
        let control_bytes: &[u8] = unsafe {
            std::slice::from_raw_parts(control.as_ptr().cast(), msg.Control.len as usize)
        };
        let segment = seen.windows(control_bytes);
        got += datagrams(bytes as usize, segment);
    }
    Ok(got)
}

/// One packet's byte count, `None` when none came within `ms`.
fn dequeue(port: abi::HANDLE, ms: u32) -> AppResult<Option<u32>> {
    let (mut bytes, mut key, mut ov) = (0, 0, std::ptr::null_mut());
    // SAFETY: out-pointers are writable locals.
    let ok = unsafe { ws2_32::GetQueuedCompletionStatus(port, &mut bytes, &mut key, &mut ov, ms) };
    if ok != 0 {
        return Ok(Some(bytes));
    }
    match ws2_32::GetLastError() {
        abi::WAIT_TIMEOUT if ov.is_null() => Ok(None),
        e => Err(format!("GetQueuedCompletionStatus: {e}").into()),
    }
}

fn rust_drain(s: &Socket, want: u64, buf: &mut [u8], seen: &mut Seen) -> u64 {
    let mut got = 0;
    while got < want {
        let Ok(r) = s.recv_msg(&mut [IoSliceMut::new(buf)]) else {
            break;
        };
        if let Some((addr, _)) = r.controls.destination_v4 {
            seen.destinations += u64::from(addr.octets()[0]);
        }
        seen.ecn += u64::from(r.controls.ecn.unwrap_or(0));
        got += datagrams(r.bytes, r.segment_size.map(|g| g as usize));
    }
    got
}

/// quinn-udp's receive loop, offering `slots` buffers (at most its
/// `BATCH_SIZE`) to each `recv`: its `recvmmsg` reads up to that many runs.
fn quinn_drain(
    sock: BorrowedFd<'_>,
    state: &quinn_udp::UdpSocketState,
    slots: usize,
    want: u64,
    seen: &mut Seen,
) -> u64 {
    thread_local! {
        static BUFS: std::cell::RefCell<Vec<Vec<u8>>> = std::cell::RefCell::new(
            (0..quinn_udp::BATCH_SIZE).map(|_| vec![0u8; BUF]).collect()
        );
    }
    BUFS.with(|bufs| {
        let mut bufs = bufs.borrow_mut();
        let mut meta = [quinn_udp::RecvMeta::default(); quinn_udp::BATCH_SIZE];
        let mut slices: Vec<IoSliceMut<'_>> = bufs.iter_mut().map(|b| IoSliceMut::new(b)).collect();
        let mut got = 0;
        while got < want {
            let Ok(n) = state.recv((&sock).into(), &mut slices[..slots], &mut meta[..slots]) else {
                break;
            };
            for m in &meta[..n] {
                if let Some(std::net::IpAddr::V4(d)) = m.dst_ip {
                    seen.destinations += u64::from(d.octets()[0]);
                }
                seen.ecn += m.ecn.map_or(0, |e| e as u64);
                got += m.len.div_ceil(m.stride.max(1)) as u64;
            }
        }
        got
    })
}
