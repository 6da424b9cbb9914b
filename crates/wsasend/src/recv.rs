//! `wsasend recv`: receives with `Socket::recv_msg` and the destination,
//! TOS and TTL control data on (`set_recv_info`), and prints one line per
//! datagram, so that `wsasend send` in another process shows the whole path:
//!
//! ```text
//! from 127.0.0.2:40000 to 127.0.0.1 ifindex 1 tos 0xb9 (185) ecn 1 ttl 9 bytes 64
//! ```

use std::io::{IoSliceMut, Write};
use std::process::ExitCode;
use std::time::Duration;

use ws2::{RecvInfo, Socket};

use crate::{AppResult, RecvArgs};

/// One datagram's line (see the module docs); absent fields print `-`.
fn line(r: &ws2::Received) -> String {
    let c = &r.controls;
    let from = r.from.map_or("-".to_string(), |a| a.to_string());
    let (to, ifindex) = match (c.destination_v4, c.destination_v6) {
        (Some((a, i)), _) => (a.to_string(), i.to_string()),
        (None, Some((a, i))) => (a.to_string(), i.to_string()),
        (None, None) => ("-".to_string(), "-".to_string()),
    };
    let byte = |v: Option<u8>| v.map_or("-".to_string(), |v| format!("0x{v:02x} ({v})"));
    let num = |v: Option<u8>| v.map_or("-".to_string(), |v| v.to_string());
    let (tos_name, tos) = match c.traffic_class {
        Some(t) if c.tos.is_none() => ("tclass", Some(t)),
        _ => ("tos", c.tos),
    };
    let ecn = c.ecn.or(c.ecn_v6).or(tos.map(|t| t & 3));
    let (ttl_name, ttl) = match c.hop_limit {
        Some(h) if c.ttl.is_none() => ("hoplimit", Some(h)),
        _ => ("ttl", c.ttl),
    };
    format!(
        "from {from} to {to} ifindex {ifindex} {tos_name} {} ecn {} {ttl_name} {} bytes {}{}",
        byte(tos),
        num(ecn),
        num(ttl),
        r.bytes,
        if r.truncated { " (truncated)" } else { "" }
    )
}

pub fn run(args: &RecvArgs) -> AppResult<ExitCode> {
    let sock = match args.bind {
        std::net::SocketAddr::V4(_) => Socket::udp_v4(),
        std::net::SocketAddr::V6(a) if a.ip().is_unspecified() => Socket::udp_dual_stack(),
        std::net::SocketAddr::V6(_) => Socket::udp_v6(),
    }
    .map_err(|e| format!("socket: {e}"))?;
    sock.bind(args.bind)
        .map_err(|e| format!("bind {}: {e}", args.bind))?;
    sock.set_recv_info(RecvInfo::DESTINATION | RecvInfo::TOS | RecvInfo::TTL)
        .map_err(|e| format!("set_recv_info: {e}"))?;
    if let Some(ms) = args.timeout_ms {
        sock.set_recv_timeout(Some(Duration::from_millis(ms.max(1))));
    }
    let local = sock
        .local_addr()
        .map_err(|e| format!("local address: {e}"))?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {local}");
    let _ = out.flush();
    let mut buf = vec![0u8; 65536];
    let mut got = 0u64;
    while args.count.is_none_or(|n| got < n) {
        match sock.recv_msg(&mut [IoSliceMut::new(&mut buf)]) {
            Ok(r) => {
                got += 1;
                let _ = writeln!(out, "{}", line(&r));
                let _ = out.flush();
            }
            Err(e) if e.code() == ws2_abi::WSAETIMEDOUT => {
                let _ = writeln!(out, "received {got} datagrams; timed out");
                return Ok(if args.count.is_some() {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                });
            }
            Err(e) => return Err(format!("recv_msg: {e}")),
        }
    }
    let _ = writeln!(out, "received {got} datagrams");
    Ok(ExitCode::SUCCESS)
}
