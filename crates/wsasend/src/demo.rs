//! The embedded loopback demo: every mode and control message, checked
//! against what the receivers actually saw.

use std::io::IoSlice;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

use ws2::{ControlMessage, Message, SendFlags, Socket};

use crate::AppResult;

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

const LO2: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const LO3: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
const LO4: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 4);
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
    let mut row = Row {
        mode: case.setup.label().to_string(),
        control: case.control_label.to_string(),
        destination: if matches!(case.setup, Setup::V4Connected) {
            format!("(connected {dest})")
        } else {
            dest.to_string()
        },
        expected: match &case.expect {
            Expect::From(ip) => ip.to_string(),
            Expect::Error(code) => ws2_abi::wsa_error_name(*code).to_string(),
        },
        seen: String::new(),
        bytes: String::new(),
        ok: false,
    };
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
    let headers = [
        "mode",
        "control",
        "destination",
        "expected source",
        "seen source",
        "bytes",
        "result",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.mode.clone(),
                r.control.clone(),
                r.destination.clone(),
                r.expected.clone(),
                r.seen.clone(),
                r.bytes.clone(),
                if r.ok { "ok" } else { "MISMATCH" }.to_string(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cols: &[&str]| {
        let parts: Vec<String> = cols
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", parts.join(" | ").trim_end());
    };
    line(&headers);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    println!("{}", rule.join("-+-"));
    for row in &cells {
        let cols: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&cols);
    }
    let passed = rows.iter().filter(|r| r.ok).count();
    let failed = rows.len() - passed;
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
