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
//! socket's receives in posting order with one `recvmmsg`
//! ([`fill_deferred`]), posting their packets, and hands what still has no
//! data to the reactor. A thread that already waits on the port would
//! sleep past a deferred receive, so while one waits, receives complete at
//! call time as before; closing the port fills what was deferred to it.
//! A program that looks at neither (it polls `HasOverlappedIoCompleted`)
//! still gets its receives: the reactor fills what stayed deferred for a
//! whole sweep period ([`watch_deferral`], at most twice
//! [`SWEEP_PERIOD`]).
//!
//! [`Port::defer`]: crate::completion::Port::defer
//! [`SWEEP_PERIOD`]: super::drain::SWEEP_PERIOD

use std::sync::{Arc, Weak};

use crate::completion::{Delivery, Port, ThreadState};
use crate::error::{Error, Result};
use crate::ops::RecvOp;
use crate::socket::SocketCore;

use super::drain::{fill_deferred, reactor, watch_deferral};
use super::queues::{RecvQueueLock, note_socket};

/// Whether a receive completing with `delivery` may be deferred to its
/// socket's port: a datagram socket bound to a port without skip-on-
/// success, and a C OVERLAPPED with no event and no routine whose packet
/// goes to the port.
#[inline]
pub(super) fn deferrable(core: &SocketCore, delivery: &Delivery) -> bool {
    let plain = matches!(
        delivery,
        Delivery::Overlapped {
            event: None,
            routine: None,
            to_port: true,
            ..
        }
    );
    plain && deferring_port(core).is_some()
}

/// The socket's part of [`deferrable`]: the port it is bound to, if it
/// is a datagram socket without skip-on-success.
#[inline]
fn deferring_port(core: &SocketCore) -> Option<&Port> {
    if core.skips_port_on_success() || core.is_stream() {
        return None;
    }
    core.port().map(|(port, _)| &**port)
}

/// Whether a C overlapped receive with nothing queued before it is
/// deferred rather than read at call time ([`Port::may_defer`]), asked
/// before its delivery is made: `h_event` is its OVERLAPPED's `hEvent`,
/// `routine` whether it has a completion routine. (An `hEvent` that names
/// no event makes a delivery [`deferrable`] accepts; here it reads at
/// call time, which Windows may do with any receive.)
///
/// [`Port::may_defer`]: crate::completion::Port::may_defer
#[inline]
pub(super) fn defer_now(core: &SocketCore, h_event: usize, routine: bool) -> bool {
    h_event == 0 && !routine && deferring_port(core).is_some_and(Port::may_defer)
}

/// A receive [`defer`] gives back: the queue, still locked, the operation
/// and what marks it pending.
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
    me: &ThreadState,
) -> Result<std::result::Result<(), Refused<'a, P>>> {
    if core.is_closed() {
        return Err(Error::new(ws2_abi::WSAENOTSOCK, "the socket was closed"));
    }
    if !q.deferred {
        // What a sweep of the reactor needs (S20), before anything shows.
        reactor()?;
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
        // A program that never looks at the port still gets them.
        watch_deferral(core, &mut q);
    }
    on_pending();
    q.ops.push_back(op);
    drop(q);
    note_socket(me, core);
    Ok(Ok(()))
}

/// Fills what `core` deferred, for a caller about to look at one of its
/// OVERLAPPEDs (`WSAGetOverlappedResult`): a deferred receive whose data
/// is there then reads as complete, as it would have at call time.
pub fn fill_deferred_receives(core: &Arc<SocketCore>) {
    if core.recv_queued.load(std::sync::atomic::Ordering::Acquire) != 0 {
        let _ = fill_deferred(core);
    }
}
