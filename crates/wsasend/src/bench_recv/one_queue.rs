//! A receiver and its reference measured on one filled queue: the
//! receiver's own socket, filled once, drained by the two in turns of about
//! a millisecond (A B B A), each turn timed. A pair measured a whole drain
//! apart meets different moments of a shared machine (single rows moved
//! by ±0.04 from run to run); turns this short leave the ratio to the work
//! each receive does.
//!
//! Pairs so measured: raw `recvmsg` beside every C and Rust receiver of
//! plain traffic (blocking, skip-on-success, a dequeue each, an event, 32
//! posted, Rust), beside raw `recvmmsg` into 32 buffers and beside itself
//! (the A/A check), and quinn-udp's `recv` (32 buffers) beside URO
//! (blocking, skip-on-success, 32 posted), quinn-udp with one buffer and
//! raw `recvmsg` with UDP_GRO. A posted turn posts for exactly its
//! datagrams, so nothing stays posted into the reference's turn: its pool
//! fills and empties within the turn, as a server's pool does when traffic
//! starts and stops. Only the plain receiver of GSO traffic is measured a
//! drain apart (quinn-udp would turn GRO on its socket).

use super::receivers::{BUF, Drained, GSO_SEGMENTS, QUEUE_GSO, QUEUE_PLAIN, Receivers, RecvMode};
use crate::AppResult;

/// Datagrams per turn: 500 plain (about a millisecond), 100 coalesced
/// runs of GSO traffic (about as long).
const TURN_PLAIN: u64 = 500;
const TURN_GSO: u64 = 100 * GSO_SEGMENTS;

/// Whether `mode` and `reference` are measured on one queue.
pub(super) fn pairs(reference: RecvMode, mode: RecvMode) -> bool {
    use RecvMode::*;
    matches!(
        (reference, mode),
        (
            RawRecvmsg,
            CapiRecvmsg
                | CapiEvent
                | CapiPortSkip
                | CapiPort
                | CapiPosted
                | RawRecvmmsg
                | RustRecvmsg
                | RawRecvmsgTwin
        ) | (Quinn, Uro | UroPortSkip | UroPosted | QuinnOne | RawGro)
    )
}

/// `reference` and `mode` on `mode`'s queue, `count` datagrams each (a
/// coalescing reader may take a few more in its last read), the reference
/// first in each A B B A group when `reference_first`. Returns [reference,
/// mode].
pub(super) fn measure(
    r: &Receivers,
    reference: RecvMode,
    mode: RecvMode,
    size: usize,
    count: u64,
    reference_first: bool,
) -> AppResult<[Drained; 2]> {
    let (queue, turn) = if mode.gso() {
        (QUEUE_GSO, TURN_GSO)
    } else {
        (QUEUE_PLAIN, TURN_PLAIN)
    };
    let mut buf = vec![0u8; BUF];
    let mut total = [Drained::default(), Drained::default()];
    let (first, second) = if reference_first { (0, 1) } else { (1, 0) };
    let mut left = count;
    while left > 0 {
        let each = left.min(queue / 2);
        let mut queued = r.fill(mode, size, 2 * each);
        let mut part = [each, each];
        for k in 0.. {
            let side = [first, second, second, first][k % 4];
            let want = turn.min(part[side]).min(queued);
            if want == 0 {
                if part == [0, 0] || queued == 0 {
                    break;
                }
                continue;
            }
            let d = if side == 0 {
                r.drain_beside(reference, mode, want, &mut buf)
                    .ok_or("no reference for this mode on one queue")??
            } else {
                r.drain(mode, want, &mut buf)?
            };
            part[side] -= d.datagrams.min(part[side]);
            queued -= d.datagrams.min(queued);
            let dry = d.datagrams < want;
            total[side].add(&d);
            if dry {
                break;
            }
        }
        left -= each;
    }
    Ok(total)
}
