//! Overlapped receives left pending on purpose for their completion port's
//! next look for packets (issue 16): a program that keeps several
//! receives posted on a port (the IOCP pattern) gets them read several
//! per `recvmmsg`, where completing each at call time would cost it one
//! `recvmsg` apiece.
//!
//! Windows may report any overlapped receive pending, and a receive
//! posted on a port without `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`, with
//! neither an event nor a routine, is seen only through its packet (and
//! its OVERLAPPED, for a program that looks there: `WSAGetOverlappedResult`
//! fills what is deferred before it answers). So such a receive, posted
//! while nobody waits on the port, is queued unread and its socket listed
//! on the port ([`Port::defer`]); the next `GetQueuedCompletionStatus(Ex)`
//! on the port (any thread), before taking packets or sleeping, fills the
//! socket's receives in posting order with one `recvmmsg` ([`fill`]),
//! posting their packets, and hands what still has no data to the
//! reactor. A thread that already waits on the port would sleep past a
//! deferred receive, so while one waits, receives complete at call time as
//! before; closing the port fills what was deferred to it.
//!
//! [`Port::defer`]: crate::completion::Port::defer

use std::sync::{Arc, Weak};

use crate::completion::{self, Delivery, ThreadState};
use crate::error::{Error, Result};
use crate::ops::RecvOp;
use crate::socket::SocketCore;

use super::drain::{arm_or_fail, reactor_for_recvs};
use super::queues::{RecvQueueLock, note_socket, recv_queue};
use super::reactor::Direction;
use super::recv_batch::fill_queued;

/// Whether a receive completing with `delivery` may be deferred to its
/// socket's port: a datagram socket bound to a port without skip-on-
/// success, and a C OVERLAPPED with no event and no routine whose packet
/// goes to the port.
#[inline]
pub(super) fn deferrable(core: &SocketCore, delivery: &Delivery) -> bool {
    matches!(
        delivery,
        Delivery::Overlapped {
            event: None,
            routine: None,
            to_port: true,
            ..
        }
    ) && !core.skips_port_on_success()
        && !core.is_stream()
        && core.port().is_some()
}

/// Whether a [`deferrable`] receive with nothing queued before it is
/// deferred rather than read at call time ([`Port::may_defer`]).
///
/// [`Port::may_defer`]: crate::completion::Port::may_defer
#[inline]
pub(super) fn defer_now(core: &SocketCore, delivery: &Delivery) -> bool {
    deferrable(core, delivery) && core.port().is_some_and(|(port, _)| port.may_defer())
}

/// A receive [`Deferred::No`] gives back: the queue, still locked, the
/// operation and what marks it pending.
type Refused<'a, P> = (RecvQueueLock<'a>, Box<RecvOp>, P);

/// Defers a [`deferrable`] receive: queued unread behind those already
/// deferred, the socket listed on its port when it is the first. `Err`
/// gives it back when it cannot be (the reactor already has receives of
/// this socket, or a thread waits on the port): the caller queues it for
/// the reactor.
pub(super) fn defer<'a, P: FnOnce()>(
    core: &Arc<SocketCore>,
    mut q: RecvQueueLock<'a>,
    op: Box<RecvOp>,
    on_pending: P,
    me: &Arc<ThreadState>,
) -> Result<std::result::Result<(), Refused<'a, P>>> {
    if core.is_closed() {
        return Err(Error::new(ws2_abi::WSAENOTSOCK, "the socket was closed"));
    }
    if !q.deferred {
        let listed = !q.registered
            && q.ops.is_empty()
            && core.port().is_some_and(|(port, _)| {
                let weak: Weak<SocketCore> = Arc::downgrade(core);
                port.defer(weak)
            });
        if !listed {
            return Ok(Err((q, op, on_pending)));
        }
        q.deferred = true;
    }
    on_pending();
    q.ops.push_back(op);
    drop(q);
    note_socket(me, core);
    Ok(Ok(()))
}

/// Fills the receives deferred on `core` (its port's look for packets):
/// in posting order, in `recvmmsg` batches while data waits; those left
/// wait for the reactor. Their packets are posted together. Returns how
/// many completed.
pub(super) fn fill(core: &Arc<SocketCore>) -> usize {
    let mut done = Vec::new();
    let mut arm = None;
    let filled;
    {
        let mut q = recv_queue(core);
        if !std::mem::replace(&mut q.deferred, false) {
            return 0;
        }
        let waits = fill_queued(core, &mut q, &mut done);
        filled = done.len();
        if waits {
            match reactor_for_recvs(core, &mut q) {
                Ok(r) => {
                    q.registered = true;
                    r.hold(core, Direction::Recv);
                    arm = Some(r);
                }
                // What waiting needs is missing (S20): they fail.
                Err(e) => {
                    for op in q.ops.drain(..) {
                        done.push((op.delivery, (op.finish)(Err(e.clone()))));
                    }
                }
            }
        }
    }
    let mut packets = Vec::new();
    for (delivery, result) in done {
        completion::deliver(Some(&**core), delivery, result, false, Some(&mut packets));
    }
    if let Some((port, _)) = core.port() {
        port.post_many(&mut packets);
    }
    core.wake_waiters();
    if let Some(r) = arm {
        arm_or_fail(r, core, Direction::Recv);
    }
    filled
}

/// Fills what `core` deferred, for a caller about to look at one of its
/// OVERLAPPEDs (`WSAGetOverlappedResult`): a deferred receive whose data
/// is there then reads as complete, as it would have at call time.
pub fn fill_deferred_receives(core: &Arc<SocketCore>) {
    if core.recv_queued.load(std::sync::atomic::Ordering::Acquire) != 0 {
        let _ = fill(core);
    }
}
