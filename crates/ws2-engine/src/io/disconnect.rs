//! `DisconnectEx(TF_REUSE_SOCKET)` (SPEC P8, part 2; Microsoft's
//! `DisconnectEx` and `ConnectEx` pages): the connection ends and the same
//! handle names a fresh socket, ready for the next `AcceptEx` (as its
//! accept socket) or `ConnectEx`. The kernel socket behind the handle is
//! swapped as `AcceptEx` swaps an accept socket's
//! (`SocketCore::reuse_stream_socket`).

use std::sync::Arc;

use crate::completion;
use crate::error::Result;
use crate::fork::lock;
use crate::socket::SocketCore;

use super::cancel::connection_aborted;
use super::queues::{recv_queue, send_queue};
use super::reactor::{Direction, current};
use super::recv_op::complete_op;

/// Ends the connection of `core` and puts a fresh socket behind its
/// handle. The bytes sends already took go out first: the call waits
/// (alertably, as a blocking send) until the send backlog and the queued
/// overlapped sends are written, each of those completing as it does;
/// Windows may likewise delay the disconnect. Receives still pending
/// complete with `WSAECONNABORTED` (`STATUS_CONNECTION_ABORTED`), as at
/// `closesocket`.
pub fn reuse_stream(core: &Arc<SocketCore>) -> Result<()> {
    let receives = loop {
        completion::blocking_call_wait(&[&**core], None, None, || {
            sends_written(core).then_some(())
        })?;
        let mut q = send_queue(core);
        let b = lock(&core.stream.backlog);
        if !q.ops.is_empty() || !b.is_empty() {
            continue; // a send came meanwhile: it goes first
        }
        let mut r = recv_queue(core);
        // A failure leaves the connection as it was, its receives queued.
        core.reuse_stream_socket()?;
        if let Some(reactor) = current() {
            if std::mem::replace(&mut q.registered, false) {
                reactor.release(core, Direction::Send);
            }
            if std::mem::replace(&mut r.registered, false) {
                reactor.release(core, Direction::Recv);
            }
        }
        // The fresh socket is in no epoll set yet: the next operation
        // that waits adds it.
        (q.in_epoll, r.in_epoll) = (0, 0);
        // A thread watching the socket while it waits on the port lets go.
        if let Some(w) = &q.cover {
            w.wake();
        }
        break std::mem::take(&mut r.ops);
    };
    for op in receives {
        complete_op(core, op, Err(connection_aborted()));
    }
    core.wake_waiters();
    Ok(())
}

/// Whether every byte sends took is written (no backlog, no queued send).
fn sends_written(core: &SocketCore) -> bool {
    let q = send_queue(core);
    q.ops.is_empty() && lock(&core.stream.backlog).is_empty()
}
