//! ECN with `IP_ECN` (and DSCP with `IP_TOS`): each datagram carries the
//! ECN codepoint its control message asks for, and the receiver reads the
//! TOS byte back (`RecvInfo::TOS`, `IP_RECVTOS`). A sender may mark
//! ECT(0) or ECT(1), never Congestion Experienced, which only routers set:
//! `ControlMessage::Ecn(3)` is refused with `WSAEINVAL`, nothing sent.
//!
//! ```sh
//! cargo run -p ws2-linux --example ecn
//! ```

use std::io::{IoSlice, IoSliceMut};
use std::time::Duration;

use ws2::{ControlMessage, Message, RecvInfo, SendFlags, Socket};

fn ecn_name(bits: u8) -> &'static str {
    match bits & 3 {
        0 => "Not-ECT",
        1 => "ECT(1)",
        2 => "ECT(0)",
        _ => "CE",
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rx = Socket::udp_v4()?;
    rx.bind("127.0.0.1:0".parse()?)?;
    rx.set_recv_info(RecvInfo::TOS)?;
    rx.set_recv_timeout(Some(Duration::from_secs(5)));
    let to = rx.local_addr()?;
    let tx = Socket::udp_v4()?;

    let cases: [(&str, &[ControlMessage]); 4] = [
        ("no control message", &[]),
        ("IP_ECN 1", &[ControlMessage::Ecn(1)]),
        ("IP_ECN 2", &[ControlMessage::Ecn(2)]),
        // DSCP EF (46) from IP_TOS, the ECN bits from IP_ECN.
        (
            "IP_TOS 0xb8 + IP_ECN 1",
            &[ControlMessage::Tos(0xb8), ControlMessage::Ecn(1)],
        ),
    ];
    let data = [IoSlice::new(b"ecn")];
    for (what, control) in cases {
        tx.send_msg(
            &Message::new(&data).to(to).control(control),
            SendFlags::NONE,
        )?;
        let mut buf = [0u8; 16];
        let got = rx.recv_msg(&mut [IoSliceMut::new(&mut buf)])?;
        let tos = got.controls.tos.ok_or("no TOS reported (IP_RECVTOS)")?;
        println!(
            "{what:<24} -> TOS {tos:#04x}: DSCP {:>2}, ECN {}",
            tos >> 2,
            ecn_name(tos)
        );
    }

    let refused = tx
        .send_msg(
            &Message::new(&data)
                .to(to)
                .control(&[ControlMessage::Ecn(3)]),
            SendFlags::NONE,
        )
        .expect_err("CE may not be sent");
    if refused.code() != ws2::WSAEINVAL {
        return Err(format!("IP_ECN 3 gave {refused}, not WSAEINVAL").into());
    }
    println!("IP_ECN 3 (CE)            -> refused: {refused}");
    Ok(())
}
