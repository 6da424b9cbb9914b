//! The embedded loopback demo: every mode and control message, checked
//! against what the receivers actually saw.

use std::io::IoSlice;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ws2::{CompletionPort, ControlMessage, Message, SendCompletion, SendFlags, Socket};

use crate::{AppResult, table};

/// The demo table's width: it fits a 100-column terminal.
pub const TABLE_WIDTH: usize = 100;

/// How a socket is set up for one case.
#[derive(Clone, Copy)]
enum Setup {
    V4,
    V4NonBlocking,
    V4Connected,
    V6,
    DualStack,
}

impl Setup {
    fn label(self) -> &'static str {
        match self {
            Setup::V4 => "blocking v4",
            Setup::V4NonBlocking => "non-blocking v4",
            Setup::V4Connected => "connected v4",
            Setup::V6 => "blocking v6",
            Setup::DualStack => "dual-stack",
        }
    }
}

/// What a case should end in.
enum Expect {
    /// The receiver sees the payload from this source address.
    From(IpAddr),
    /// `send_msg` fails with this Winsock code and nothing arrives.
    Error(i32),
}

struct Case {
    setup: Setup,
    control: Vec<ControlMessage>,
    control_label: &'static str,
    /// Payload pieces gathered into one datagram.
    pieces: Vec<Vec<u8>>,
    /// Send to the v6 receiver instead of the v4 one.
    to_v6: bool,
    expect: Expect,
}

struct Row {
    mode: String,
    control: String,
    destination: String,
    expected: String,
    seen: String,
    bytes: String,
    ok: bool,
}

impl Row {
    /// A row not yet run: what is sent and what should be seen.
    fn new(
        mode: impl Into<String>,
        control: impl Into<String>,
        destination: impl Into<String>,
        expected: impl Into<String>,
    ) -> Row {
        Row {
            mode: mode.into(),
            control: control.into(),
            destination: destination.into(),
            expected: expected.into(),
            seen: String::new(),
            bytes: String::new(),
            ok: false,
        }
    }
}

const LO2: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const LO3: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
const LO4: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 4);
const LO5: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 5);
const LO6: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 6);
const LO7: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 7);
const LO8: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 8);
/// TEST-NET-2: certainly not an address of this host.
const NON_LOCAL: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 77);

fn src4(addr: Ipv4Addr) -> ControlMessage {
    ControlMessage::SourceV4 { addr, ifindex: 0 }
}

fn payload(tag: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| tag.wrapping_add(i as u8)).collect()
}

fn cases() -> Vec<Case> {
    let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let case = |setup, control: Vec<ControlMessage>, label, pieces, to_v6, expect| Case {
        setup,
        control,
        control_label: label,
        pieces,
        to_v6,
        expect,
    };
    vec![
        case(
            Setup::V4,
            vec![],
            "none",
            vec![payload(1, 32)],
            false,
            Expect::From(lo),
        ),
        case(
            Setup::V4,
            vec![],
            "none, 2 buffers",
            vec![payload(2, 10), payload(3, 22)],
            false,
            Expect::From(lo),
        ),
        case(
            Setup::V4,
            vec![src4(LO2)],
            "IN_PKTINFO 127.0.0.2",
            vec![payload(4, 48)],
            false,
            Expect::From(LO2.into()),
        ),
        case(
            Setup::V4NonBlocking,
            vec![src4(LO3)],
            "IN_PKTINFO 127.0.0.3",
            vec![payload(5, 48)],
            false,
            Expect::From(LO3.into()),
        ),
        case(
            Setup::V4,
            vec![ControlMessage::Tos(0x28), ControlMessage::Ttl(17)],
            "IP_TOS 0x28, IP_TTL 17",
            vec![payload(6, 40)],
            false,
            Expect::From(lo),
        ),
        case(
            Setup::V6,
            vec![ControlMessage::SourceV6 {
                addr: Ipv6Addr::LOCALHOST,
                ifindex: 0,
            }],
            "IN6_PKTINFO ::1",
            vec![payload(7, 40)],
            true,
            Expect::From(Ipv6Addr::LOCALHOST.into()),
        ),
        case(
            Setup::V6,
            vec![
                ControlMessage::TrafficClass(0x28),
                ControlMessage::HopLimit(9),
            ],
            "IPV6_TCLASS 0x28, IPV6_HOPLIMIT 9",
            vec![payload(8, 40)],
            true,
            Expect::From(Ipv6Addr::LOCALHOST.into()),
        ),
        case(
            Setup::DualStack,
            vec![src4(LO4)],
            "IN_PKTINFO 127.0.0.4",
            vec![payload(9, 24)],
            false,
            Expect::From(LO4.into()),
        ),
        case(
            Setup::V4Connected,
            vec![],
            "none, no destination",
            vec![payload(10, 16)],
            false,
            Expect::From(lo),
        ),
        case(
            Setup::V4,
            vec![],
            "none, 0 bytes",
            vec![],
            false,
            Expect::From(lo),
        ),
        case(
            Setup::V4,
            vec![src4(NON_LOCAL)],
            "IN_PKTINFO 198.51.100.77",
            vec![payload(11, 8)],
            false,
            Expect::Error(ws2_abi::WSAEINVAL),
        ),
        case(
            Setup::V4,
            vec![],
            "none, 65508 bytes",
            vec![payload(12, 65508)],
            false,
            Expect::Error(ws2_abi::WSAEMSGSIZE),
        ),
    ]
}

fn make_socket(setup: Setup, dest: SocketAddr) -> ws2::Result<Socket> {
    let s = match setup {
        Setup::V4 | Setup::V4NonBlocking | Setup::V4Connected => Socket::udp_v4()?,
        Setup::V6 => Socket::udp_v6()?,
        Setup::DualStack => Socket::udp_dual_stack()?,
    };
    match setup {
        Setup::V4NonBlocking => s.set_nonblocking(true),
        Setup::V4Connected => s.connect(dest)?,
        _ => {}
    }
    Ok(s)
}

fn run_case(case: &Case, rx4: &UdpSocket, rx6: &UdpSocket) -> AppResult<Row> {
    let rx = if case.to_v6 { rx6 } else { rx4 };
    let dest = rx
        .local_addr()
        .map_err(|e| format!("receiver address: {e}"))?;
    let sent: Vec<u8> = case.pieces.concat();
    let destination = if matches!(case.setup, Setup::V4Connected) {
        format!("(connected {dest})")
    } else {
        dest.to_string()
    };
    let expected = match &case.expect {
        Expect::From(ip) => ip.to_string(),
        Expect::Error(code) => ws2_abi::wsa_error_name(*code).to_string(),
    };
    let mut row = Row::new(
        case.setup.label(),
        case.control_label,
        destination,
        expected,
    );
    let sock = make_socket(case.setup, dest).map_err(|e| format!("socket setup: {e}"))?;
    let bufs: Vec<IoSlice<'_>> = case.pieces.iter().map(|p| IoSlice::new(p)).collect();
    let mut msg = Message::new(&bufs).control(&case.control);
    if !matches!(case.setup, Setup::V4Connected) {
        msg = msg.to(dest);
    }
    let result = sock.send_msg(&msg, SendFlags::NONE);

    let mut buf = vec![0u8; 70000];
    match (&case.expect, result) {
        (Expect::From(ip), Ok(n)) => {
            rx.set_read_timeout(Some(Duration::from_secs(2)))
                .map_err(|e| format!("receiver timeout: {e}"))?;
            match rx.recv_from(&mut buf) {
                Ok((got, from)) => {
                    row.seen = from.ip().to_canonical().to_string();
                    row.bytes = format!("{n} sent, {got} received");
                    row.ok = n == sent.len()
                        && buf[..got] == sent[..]
                        && from.ip().to_canonical() == *ip;
                    if buf[..got] != sent[..] {
                        row.bytes.push_str(" (payload differs)");
                    }
                }
                Err(e) => {
                    row.seen = format!("nothing ({e})");
                    row.bytes = format!("{n} sent, 0 received");
                }
            }
        }
        (Expect::From(_), Err(e)) => {
            row.seen = format!("send failed: {}", e.name());
            row.bytes = e.message().to_string();
        }
        (Expect::Error(_), Ok(n)) => {
            row.seen = "sent (no error)".to_string();
            row.bytes = format!("{n} sent");
            drain(rx, &mut buf);
        }
        (Expect::Error(code), Err(e)) => {
            // Nothing may have left: wait briefly for a stray datagram.
            rx.set_read_timeout(Some(Duration::from_millis(50)))
                .map_err(|e| format!("receiver timeout: {e}"))?;
            let stray = rx.recv_from(&mut buf).ok();
            row.seen = e.name().to_string();
            row.ok = e.code() == *code && stray.is_none();
            row.bytes = match stray {
                None => "0 sent, 0 received".to_string(),
                Some((got, _)) => format!("error, yet {got} received"),
            };
        }
    }
    Ok(row)
}

/// How an overlapped send's completion is collected.
#[derive(Clone, Copy)]
enum Overlapped {
    /// `send_overlapped` and `PendingSend::wait`.
    Event,
    /// `send_with_routine`, run by `sleep_alertable` on this thread.
    Routine,
    /// `send_to_port` and `CompletionPort::get`.
    Port,
}

/// Completion key of the demo's port row.
const PORT_KEY: usize = 0x5eed;

/// One overlapped send from 127.0.0.x to `rx`: the completion must carry
/// the full byte count and hand the very buffer back, and the receiver must
/// see the payload from the requested source.
fn run_overlapped(how: Overlapped, rx: &UdpSocket) -> AppResult<Row> {
    let dest = rx
        .local_addr()
        .map_err(|e| format!("receiver address: {e}"))?;
    let (mode, source, tag) = match how {
        Overlapped::Event => ("overlapped + event", LO5, 20),
        Overlapped::Routine => ("overlapped + routine", LO6, 21),
        Overlapped::Port => ("overlapped + port", LO7, 22),
    };
    let sent = payload(tag, 56);
    let control = [src4(source)];
    let mut row = Row::new(
        mode.to_string(),
        format!("IN_PKTINFO {source}"),
        dest.to_string(),
        source.to_string(),
    );
    let sock = Socket::udp_v4().map_err(|e| format!("socket setup: {e}"))?;
    // (completion result, buffer handed back, extra check passed, note)
    let (result, back, extra_ok, note): (ws2::Result<usize>, Option<Vec<u8>>, bool, String) =
        match how {
            Overlapped::Event => {
                let pending = sock
                    .send_overlapped(sent.clone(), Some(dest), &control)
                    .map_err(|e| format!("send_overlapped: {e}"))?;
                // The event is what a Windows caller waits on: it must be set.
                let set =
                    pending.event().wait(Some(Duration::from_secs(2))) && pending.is_complete();
                let SendCompletion { result, buffer } = pending.wait();
                let note = if set { "event set" } else { "event NOT set" };
                (result, Some(buffer), set, note.to_string())
            }
            Overlapped::Routine => {
                let runs = Arc::new(AtomicUsize::new(0));
                let foreign = Arc::new(AtomicUsize::new(0));
                let got: Arc<std::sync::Mutex<Option<SendCompletion<Vec<u8>>>>> = Arc::default();
                let me = std::thread::current().id();
                let (r, f, g) = (runs.clone(), foreign.clone(), got.clone());
                sock.send_with_routine(sent.clone(), Some(dest), &control, move |c| {
                    r.fetch_add(1, Ordering::SeqCst);
                    if std::thread::current().id() != me {
                        f.fetch_add(1, Ordering::SeqCst);
                    }
                    *g.lock().unwrap_or_else(|e| e.into_inner()) = Some(c);
                })
                .map_err(|e| format!("send_with_routine: {e}"))?;
                let early = runs.load(Ordering::SeqCst);
                let deadline = Instant::now() + Duration::from_secs(2);
                while runs.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
                    ws2::sleep_alertable(Duration::from_millis(100));
                }
                // A second alertable wait must not run it again.
                ws2::sleep_alertable(Duration::from_millis(20));
                let n = runs.load(Ordering::SeqCst);
                let on_this_thread = foreign.load(Ordering::SeqCst) == 0;
                let done = got.lock().unwrap_or_else(|e| e.into_inner()).take();
                let note = format!(
                    "routine ran {n}x{}",
                    if on_this_thread {
                        " on this thread"
                    } else {
                        " on ANOTHER thread"
                    }
                );
                match done {
                    Some(SendCompletion { result, buffer }) => (
                        result,
                        Some(buffer),
                        early == 0 && n == 1 && on_this_thread,
                        note,
                    ),
                    None => (
                        Err(ws2::Error::new(
                            ws2_abi::WSA_IO_PENDING,
                            "the routine did not run",
                        )),
                        None,
                        false,
                        note,
                    ),
                }
            }
            Overlapped::Port => {
                let port = CompletionPort::new();
                port.associate(&sock, PORT_KEY)
                    .map_err(|e| format!("associate: {e}"))?;
                sock.send_to_port(sent.clone(), Some(dest), &control)
                    .map_err(|e| format!("send_to_port: {e}"))?;
                match port.get(Some(Duration::from_secs(2))) {
                    Some(c) => {
                        let key = c.key;
                        let result = c.result.clone();
                        let buffer = c.buffer::<Vec<u8>>();
                        (
                            result,
                            buffer,
                            key == PORT_KEY,
                            format!("packet key {key:#x}"),
                        )
                    }
                    None => (
                        Err(ws2::Error::new(ws2_abi::WSA_IO_PENDING, "no packet")),
                        None,
                        false,
                        "no packet".to_string(),
                    ),
                }
            }
        };
    let n = match result {
        Ok(n) => n,
        Err(e) => {
            row.seen = format!("send failed: {}", e.name());
            row.bytes = format!("{}; {note}", e.message());
            return Ok(row);
        }
    };
    let buffer_back = back.as_deref() == Some(&sent[..]);
    let mut buf = vec![0u8; 2048];
    rx.set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| format!("receiver timeout: {e}"))?;
    match rx.recv_from(&mut buf) {
        Ok((got, from)) => {
            row.seen = from.ip().to_canonical().to_string();
            row.bytes = format!(
                "{n} sent, {got} received; {note}, buffer {}",
                if buffer_back { "back" } else { "NOT back" }
            );
            if buf[..got] != sent[..] {
                row.bytes.push_str(" (payload differs)");
            }
            row.ok = n == sent.len()
                && buf[..got] == sent[..]
                && from.ip().to_canonical() == IpAddr::V4(source)
                && buffer_back
                && extra_ok;
        }
        Err(e) => {
            row.seen = format!("nothing ({e})");
            row.bytes = format!("{n} sent, 0 received; {note}");
        }
    }
    Ok(row)
}

/// Skip-on-success through the C ABI (S29, S36): a socket bound to a port
/// with `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`; an overlapped `WSASendMsg`
/// that completes at once returns 0 with `Internal`/`InternalHigh` final and
/// queues no packet. (Only the C surface has this mode.)
fn run_skip_on_success(rx: &UdpSocket) -> AppResult<Row> {
    use ws2_abi as abi;
    let dest = rx
        .local_addr()
        .map_err(|e| format!("receiver address: {e}"))?;
    let sent = payload(23, 56);
    let mut row = Row::new(
        "C: port, skip on success",
        format!("IN_PKTINFO {LO8}"),
        dest.to_string(),
        format!("{LO8}, no packet"),
    );
    // SAFETY: every pointer handed to the C functions points to live locals
    // of the right Windows layout for the duration of the call; the
    // OVERLAPPED outlives the operation (it completes at once or never
    // leaves this function before the port is drained).
    unsafe {
        // SAFETY: WSADATA is plain data; zero is valid.
        let mut data: abi::WSADATA = std::mem::zeroed();
        if ws2_32::WSAStartup(0x0202, &mut data) != 0 {
            return Err("WSAStartup failed".into());
        }
        let s = ws2_32::socket(abi::AF_INET, abi::SOCK_DGRAM, abi::IPPROTO_UDP);
        let port =
            ws2_32::CreateIoCompletionPort(s as abi::HANDLE, std::ptr::null_mut(), PORT_KEY, 0);
        if s == abi::INVALID_SOCKET
            || port.is_null()
            || ws2_32::SetFileCompletionNotificationModes(
                s as abi::HANDLE,
                abi::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
            ) == 0
        {
            return Err(
                format!("C socket/port setup failed: {}", ws2_32::WSAGetLastError()).into(),
            );
        }
        let to = abi::SOCKADDR_IN {
            sin_family: abi::AF_INET as u16,
            sin_port: dest.port().to_be(),
            sin_addr: abi::IN_ADDR {
                s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
            },
            sin_zero: [0; 8],
        };
        let mut data_buf = abi::WSABUF {
            len: sent.len() as u32,
            buf: sent.as_ptr() as *mut _,
        };
        let mut control = Vec::new();
        let mut info = LO8.octets().to_vec();
        info.extend_from_slice(&0u32.to_ne_bytes());
        abi::push_control(&mut control, abi::IPPROTO_IP, abi::IP_PKTINFO, &info);
        let mut msg = abi::WSAMSG {
            name: (&raw const to).cast_mut().cast(),
            namelen: std::mem::size_of::<abi::SOCKADDR_IN>() as i32,
            lpBuffers: &mut data_buf,
            dwBufferCount: 1,
            Control: abi::WSABUF {
                len: control.len() as u32,
                buf: control.as_mut_ptr().cast(),
            },
            dwFlags: 0,
        };
        let mut ov = abi::WSAOVERLAPPED::default();
        let mut bytes: u32 = 0;
        let r = ws2_32::WSASendMsg(s, &mut msg, 0, &mut bytes, &mut ov, None);
        let immediate = r == 0
            && ov.Internal == 0
            && ov.InternalHigh == sent.len()
            && bytes as usize == sent.len();
        let (mut got_bytes, mut key, mut got_ov) = (0u32, 0usize, std::ptr::null_mut());
        let packet =
            ws2_32::GetQueuedCompletionStatus(port, &mut got_bytes, &mut key, &mut got_ov, 100);
        let no_packet =
            packet == 0 && got_ov.is_null() && ws2_32::GetLastError() == abi::WAIT_TIMEOUT;
        ws2_32::closesocket(s);
        ws2_32::CloseHandle(port);
        ws2_32::WSACleanup();
        let mut buf = vec![0u8; 2048];
        rx.set_read_timeout(Some(Duration::from_secs(2)))
            .map_err(|e| format!("receiver timeout: {e}"))?;
        let note = format!(
            "returned {r}, Internal {:#x}, {}",
            ov.Internal,
            if no_packet {
                "no packet"
            } else {
                "a packet (NOT skipped)"
            }
        );
        match rx.recv_from(&mut buf) {
            Ok((n, from)) => {
                row.seen = format!(
                    "{}, {}",
                    from.ip(),
                    if no_packet { "no packet" } else { "packet" }
                );
                row.bytes = format!("{bytes} sent, {n} received; {note}");
                row.ok =
                    immediate && no_packet && buf[..n] == sent[..] && from.ip() == IpAddr::V4(LO8);
            }
            Err(e) => {
                row.seen = format!("nothing ({e})");
                row.bytes = format!("{bytes} sent; {note}");
            }
        }
    }
    Ok(row)
}

/// ECN (S26, S27): `IP_TOS` 0xb8 (DSCP EF) with `IP_ECN` 1 (ECT(1)) from
/// 127.0.0.1; a ws2 receiver with `RecvInfo::TOS` must see TOS 0xb9 (DSCP
/// from `IP_TOS`, ECN from `IP_ECN`) and ECN 1.
fn run_ecn() -> AppResult<Row> {
    let rx = Socket::udp_v4().map_err(|e| format!("receiver socket: {e}"))?;
    rx.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .map_err(|e| format!("bind receiver: {e}"))?;
    rx.set_recv_info(ws2::RecvInfo::TOS)
        .map_err(|e| format!("set_recv_info: {e}"))?;
    rx.set_recv_timeout(Some(Duration::from_secs(2)));
    let dest = rx
        .local_addr()
        .map_err(|e| format!("receiver address: {e}"))?;
    let sent = payload(30, 48);
    let control = [ControlMessage::Tos(0xb8), ControlMessage::Ecn(1)];
    let mut row = Row::new(
        Setup::V4.label().to_string(),
        "IP_TOS 0xb8 + IP_ECN 1",
        dest.to_string(),
        "TOS 0xb9, ECN 1",
    );
    let sock = Socket::udp_v4().map_err(|e| format!("socket setup: {e}"))?;
    let bufs = [IoSlice::new(&sent)];
    let msg = Message::new(&bufs).to(dest).control(&control);
    let n = match sock.send_msg(&msg, SendFlags::NONE) {
        Ok(n) => n,
        Err(e) => {
            row.seen = format!("send failed: {e}");
            return Ok(row);
        }
    };
    let mut buf = [0u8; 256];
    match rx.recv_msg(&mut [std::io::IoSliceMut::new(&mut buf)]) {
        Ok(r) => {
            let c = r.controls;
            let hex = |v: Option<u8>| v.map_or("-".to_string(), |v| format!("0x{v:02x}"));
            let ecn = c.ecn.map_or("-".to_string(), |v| v.to_string());
            row.seen = format!("TOS {}, ECN {ecn}", hex(c.tos));
            row.bytes = format!("{n} sent, {} received", r.bytes);
            row.ok = n == sent.len()
                && buf[..r.bytes] == sent[..]
                && c.tos == Some(0xb9)
                && c.ecn.is_none_or(|e| e == 1);
        }
        Err(e) => {
            row.seen = format!("nothing ({e})");
            row.bytes = format!("{n} sent, 0 received");
        }
    }
    Ok(row)
}

/// Segmentation (S26, `UDP_SEND_MSG_SIZE`): one call with 2500 bytes and
/// `SegmentSize(1000)` must arrive as three datagrams, 1000, 1000 and 500
/// bytes, in order, carrying the buffer's consecutive slices.
fn run_segmentation() -> AppResult<Row> {
    let rx = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1: {e}"))?;
    rx.set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| format!("receiver timeout: {e}"))?;
    let dest = rx
        .local_addr()
        .map_err(|e| format!("receiver address: {e}"))?;
    let sent: Vec<u8> = (0..2500u32).map(|i| (i * 7 % 251) as u8).collect();
    let control = [ControlMessage::SegmentSize(1000)];
    let mut row = Row::new(
        Setup::V4.label().to_string(),
        "UDP_SEND_MSG_SIZE 1000",
        dest.to_string(),
        "3 datagrams: 1000/1000/500",
    );
    let sock = Socket::udp_v4().map_err(|e| format!("socket setup: {e}"))?;
    let bufs = [IoSlice::new(&sent)];
    let msg = Message::new(&bufs).to(dest).control(&control);
    let n = match sock.send_msg(&msg, SendFlags::NONE) {
        Ok(n) => n,
        Err(e) => {
            row.seen = format!("send failed: {e}");
            return Ok(row);
        }
    };
    let mut buf = vec![0u8; 65536];
    let mut sizes = Vec::new();
    let mut in_order = true;
    let mut offset = 0;
    while offset < sent.len() {
        let Ok(got) = rx.recv(&mut buf) else { break };
        in_order &= sent.get(offset..offset + got) == Some(&buf[..got]);
        sizes.push(got.to_string());
        offset += got;
    }
    // Nothing more may follow.
    let _ = rx.set_read_timeout(Some(Duration::from_millis(50)));
    let extra = rx.recv(&mut buf).is_ok();
    row.seen = format!(
        "{} datagrams: {}{}",
        sizes.len(),
        sizes.join("/"),
        if in_order { "" } else { " (OUT OF ORDER)" }
    );
    row.bytes = format!("{n} sent in 1 call, {offset} received");
    row.ok = n == sent.len() && sizes == ["1000", "1000", "500"] && in_order && !extra;
    Ok(row)
}

/// Empties a receiver after an unexpected success so later rows stay clean.
fn drain(rx: &UdpSocket, buf: &mut [u8]) {
    let _ = rx.set_read_timeout(Some(Duration::from_millis(50)));
    while rx.recv_from(buf).is_ok() {}
}

pub fn run() -> AppResult<ExitCode> {
    let rx4 = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1: {e}"))?;
    let rx6 = UdpSocket::bind("[::1]:0").map_err(|e| format!("bind [::1]: {e}"))?;
    let mut rows = Vec::new();
    for case in cases() {
        rows.push(run_case(&case, &rx4, &rx6)?);
    }
    for how in [Overlapped::Event, Overlapped::Routine, Overlapped::Port] {
        rows.push(run_overlapped(how, &rx4)?);
    }
    rows.push(run_skip_on_success(&rx4)?);
    rows.push(run_ecn()?);
    rows.push(run_segmentation()?);
    let cells: Vec<(Vec<String>, String)> = rows
        .iter()
        .map(|r| {
            let result = if r.ok { "ok" } else { "MISMATCH" };
            let cells = vec![
                r.mode.clone(),
                r.control.clone(),
                r.seen.clone(),
                result.to_string(),
            ];
            let detail = format!("expected {}; to {}: {}", r.expected, r.destination, r.bytes);
            (cells, detail)
        })
        .collect();
    // The seen column gives way first (long only when something failed).
    for line in table::render(
        &["mode", "control", "seen", "result"],
        &cells,
        &[2, 1, 0],
        TABLE_WIDTH,
    ) {
        outln!("{line}")?;
    }
    let passed = rows.iter().filter(|r| r.ok).count();
    let failed = rows.len() - passed;
    outln!("{passed} passed, {failed} failed")?;
    if failed == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let which: Vec<String> = rows
        .iter()
        .filter(|r| !r.ok)
        .map(|r| format!("{} / {}", r.mode, r.control))
        .collect();
    crate::complain(&format!(
        "{failed} of {} demo cases mismatched: {}",
        rows.len(),
        which.join(", ")
    ));
    Ok(ExitCode::from(crate::exit::FAILED))
}
