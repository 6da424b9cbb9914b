//! `DisconnectEx(TF_REUSE_SOCKET)` (SPEC P8, part 2; Microsoft's
//! `DisconnectEx` and `ConnectEx` pages): the connection ends and the same
//! handle names a fresh socket, ready for the next `AcceptEx` (as its
//! accept socket) or `ConnectEx`. The kernel socket behind the handle is
//! swapped as `AcceptEx` swaps an accept socket's
//! (`SocketCore::reuse_stream_socket`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::completion;
use crate::error::{Error, Result};
use crate::fork::lock;
use crate::ops::{RecvQueue, SendQueue};
use crate::socket::{Backlog, SocketCore};

use super::cancel::connection_aborted;
use super::queues::{recv_queue, send_queue};
use super::reactor::{Direction, current};
use super::recv_op::complete_op;

/// Ends the connection of `core` and puts a fresh socket behind its
/// handle. The bytes sends already took go out first: the call waits
/// (alertably, as a blocking send) until the send backlog and the queued
/// overlapped sends are written and each of those sends' completion is
/// delivered (its event set, packet posted, routine queued); Windows may
/// likewise delay the disconnect. Receives still pending
/// complete with `WSAECONNABORTED` (`STATUS_CONNECTION_ABORTED`), as at
/// `closesocket`.
pub fn reuse_stream(core: &Arc<SocketCore>) -> Result<()> {
    let receives = loop {
        completion::blocking_call_wait(&[&**core], None, None, || {
            sends_written(core).then_some(())
        })?;
        let mut q = send_queue(core);
        let b = lock(&core.stream.backlog);
        if !written(core, &q, &b) {
            continue; // a send came meanwhile: it goes first
        }
        let mut r = recv_queue(core);
        // A failure leaves the connection as it was, its receives queued.
        core.reuse_stream_socket()?;
        forget_registrations(core, &mut q, &mut r);
        break std::mem::take(&mut r.ops);
    };
    for op in receives {
        complete_op(core, op, Err(connection_aborted()));
    }
    core.wake_waiters();
    Ok(())
}

/// Whether every byte sends took is written (no backlog, no queued send)
/// and every send's completion delivered.
fn sends_written(core: &SocketCore) -> bool {
    let q = send_queue(core);
    let b = lock(&core.stream.backlog);
    written(core, &q, &b)
}

/// [`sends_written`], the socket's locks held. A send leaves the queue and
/// counts as undelivered under the queue lock, so no completion slips
/// between the two checks; the Acquire load pairs with the Release of its
/// delivery (`stream_write::Done`).
fn written(core: &SocketCore, q: &SendQueue, b: &Backlog) -> bool {
    q.ops.is_empty() && b.is_empty() && core.stream.sends_undelivered.load(Ordering::Acquire) == 0
}

/// `listen` (SPEC P8). On a socket whose `connect` failed, `listen`
/// puts a fresh kernel socket behind the handle once its own checks pass
/// (`SocketCore::renew_after_failed_connect`: Linux lets no socket that
/// went through `connect` listen); here, with the socket's queues locked,
/// the reactor's hold on the old one is let go. An operation still queued
/// (a failed `ConnectEx` whose completion the reactor has not delivered
/// yet) would lose its way to the reactor: the connect counts as in
/// progress until it completes (`WSAEINVAL`, as `listen` answers during a
/// connect).
pub fn listen(core: &Arc<SocketCore>, backlog: i32) -> Result<()> {
    let mut q = send_queue(core);
    let mut r = recv_queue(core);
    let failed = core.connect_failed();
    if failed && (!q.ops.is_empty() || !r.ops.is_empty()) {
        return Err(Error::new(
            ws2_abi::WSAEINVAL,
            "a connect is in progress: its completion is not delivered yet",
        ));
    }
    let result = core.listen(backlog);
    if failed && !core.connect_failed() {
        forget_registrations(core, &mut q, &mut r);
    }
    result
}

/// After a fresh kernel socket took the place of `core`'s: the old one's
/// place in the reactor is let go (the fresh one is in no epoll set yet:
/// the next operation that waits adds it), and a thread watching the
/// socket while it waits on the port lets go of it.
fn forget_registrations(core: &Arc<SocketCore>, q: &mut SendQueue, r: &mut RecvQueue) {
    if let Some(reactor) = current() {
        if std::mem::replace(&mut q.registered, false) {
            reactor.release(core, Direction::Send);
        }
        if std::mem::replace(&mut r.registered, false) {
            reactor.release(core, Direction::Recv);
        }
    }
    (q.in_epoll, r.in_epoll) = (0, 0);
    if let Some(w) = &q.cover {
        w.wake();
    }
}
