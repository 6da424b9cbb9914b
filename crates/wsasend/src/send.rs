//! `wsasend send`: real traffic through `Socket::send_msg`.

use std::collections::BTreeMap;
use std::io::{IoSlice, IsTerminal};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use ws2::{ControlMessage, Message, SendFlags, Socket};

use crate::{AppResult, SendArgs};

/// Control messages for `--from`, `--tos`, `--ecn`, `--ttl` and
/// `--segment-size`, for the destination's family.
fn controls(args: &SendArgs) -> AppResult<Vec<ControlMessage>> {
    let (to, from) = (args.to, args.from);
    let v4 = to.is_ipv4();
    let mut control = Vec::new();
    match (to, from) {
        (_, None) => {}
        (SocketAddr::V4(_), Some(IpAddr::V4(addr))) => {
            control.push(ControlMessage::SourceV4 { addr, ifindex: 0 })
        }
        (SocketAddr::V6(_), Some(IpAddr::V6(addr))) => {
            control.push(ControlMessage::SourceV6 { addr, ifindex: 0 })
        }
        (to, Some(from)) => {
            return Err(format!(
                "--from {from} and --to {to} are of different address families"
            ));
        }
    }
    if let Some(tos) = args.tos {
        control.push(if v4 {
            ControlMessage::Tos(tos)
        } else {
            ControlMessage::TrafficClass(tos)
        });
    }
    if let Some(ecn) = args.ecn {
        control.push(if v4 {
            ControlMessage::Ecn(ecn)
        } else {
            ControlMessage::EcnV6(ecn)
        });
    }
    if let Some(ttl) = args.ttl {
        control.push(if v4 {
            ControlMessage::Ttl(ttl)
        } else {
            ControlMessage::HopLimit(ttl)
        });
    }
    if let Some(seg) = args.segment_size {
        control.push(ControlMessage::SegmentSize(seg));
    }
    Ok(control)
}

pub fn run(args: &SendArgs) -> AppResult<ExitCode> {
    let control = controls(args)?;
    let sock = match args.to {
        SocketAddr::V4(_) => Socket::udp_v4(),
        SocketAddr::V6(_) => Socket::udp_v6(),
    }
    .map_err(|e| format!("socket: {e}"))?;
    let data: Vec<u8> = (0..args.size).map(|i| i as u8).collect();
    let bufs = [IoSlice::new(&data)];
    let msg = Message::new(&bufs).to(args.to).control(&control);
    let interval = args.interval_ms.map(Duration::from_millis);

    let bar = (std::io::stderr().is_terminal() && args.count > 1000).then(|| {
        let bar = ProgressBar::new(args.count);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} datagrams {per_sec} eta {eta}")
        {
            bar.set_style(style);
        }
        bar
    });

    let mut sent = 0u64;
    let mut bytes = 0u64;
    let mut errors: BTreeMap<&'static str, (u64, String)> = BTreeMap::new();
    let start = Instant::now();
    for i in 0..args.count {
        match sock.send_msg(&msg, SendFlags::NONE) {
            Ok(n) => {
                sent += 1;
                bytes += n as u64;
            }
            Err(e) => {
                let entry = errors.entry(e.name()).or_insert((0, String::new()));
                entry.0 += 1;
                if entry.1.is_empty() {
                    entry.1 = e.message().to_string();
                }
            }
        }
        if let Some(bar) = &bar
            && i % 1024 == 1023
        {
            bar.set_position(i + 1);
        }
        if let Some(d) = interval
            && i + 1 < args.count
        {
            std::thread::sleep(d);
        }
    }
    let elapsed = start.elapsed();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { sent as f64 / secs } else { 0.0 };
    let failed: u64 = errors.values().map(|(n, _)| n).sum();
    let from = args.from.map(|f| format!(" from {f}")).unwrap_or_default();
    match args.segment_size {
        None => println!(
            "sent {sent} of {} datagrams ({bytes} bytes) to {}{from} in {secs:.3} s: {rate:.0} datagrams/s",
            args.count, args.to
        ),
        Some(seg) => {
            let per_call = u64::from(args.size.div_ceil(seg).max(1));
            println!(
                "sent {sent} of {} calls ({bytes} bytes, {} datagrams of up to {seg} bytes) to {}{from} in {secs:.3} s: {:.0} datagrams/s",
                args.count,
                sent * per_call,
                args.to,
                rate * per_call as f64
            );
        }
    }
    if failed == 0 {
        println!("errors: none");
    } else {
        println!("errors: {failed}");
        for (name, (n, first)) in &errors {
            println!("  {name}: {n} (first: {first})");
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
