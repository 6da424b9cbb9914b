//! Overlapped receives (S27 with S28–S30): at once when a datagram (on a
//! stream: data) waits, else queued for the reactor; and the operations
//! tried the same way (`AcceptEx`, P8).

use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::{self, Delivery};
use crate::error::{Error, Result};
use crate::fork::Locked;
use crate::ops::{Attempt, RecvFinish, RecvOp, RecvQueue};
use crate::socket::SocketCore;

use super::Submitted;
use super::drain::{self, arm_or_fail};
use super::queues::{note_socket, recv_queue};
use super::reactor::Direction;
use super::recv_op::{complete_op, try_op};

/// An overlapped receive (S27 with S28–S30): at once when a datagram (on
/// a stream: data, or its end) is waiting and nothing is queued, else
/// queued for the reactor, once what that needs is acquired (S20): the
/// reactor, the duplicate fd it watches, that fd's place in its epoll set.
/// `flags`: a stream receive's Linux `MSG_PEEK`/`MSG_OOB` (P8); 0 on
/// datagram sockets. Queued receives complete in posting order, each with
/// what is there when its turn comes (`test_simultaneous_async_recv`).
pub fn recv_overlapped(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    flags: i32,
    finish: RecvFinish,
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    if core.is_stream() {
        // Refused at call time, queueing nothing (`test_completion_port`:
        // WSAENOTCONN, WSAECONNRESET; `test_shutdown`: WSAESHUTDOWN); every
        // receive call re-enables FD_READ (P1).
        core.check_stream_io(false)?;
        core.note_received();
    }
    let q = recv_queue(core);
    if q.ops.is_empty()
        && let Some(got) = core.recv_now(iov, flags)?
    {
        drop(q);
        // A truncated datagram or control data (STATUS_BUFFER_OVERFLOW) is
        // a completed receive: it still completes (SPEC G).
        return match finish(Ok(got)) {
            Err(e) if e.code() != abi::WSAEMSGSIZE => Err(e),
            r => Ok(Submitted::Now(r, delivery)),
        };
    }
    let me = completion::current_thread();
    let op = Box::new(RecvOp {
        iov: iov.to_vec(),
        flags,
        finish,
        delivery,
        issuer: me.id,
        attempt: None,
        port_of: None,
    });
    enqueue(core, q, op, on_pending, &me).map_err(|(e, _)| e)?;
    Ok(Submitted::Pending)
}

/// An operation tried like a receive (`AcceptEx`, P8): its attempt runs
/// now when nothing is queued before it, else (or when it must wait) it
/// is queued for the reactor, which tries it again whenever the socket is
/// readable. A handed-off operation is pending where its handoff put it.
pub fn submit_attempt(
    core: &Arc<SocketCore>,
    mut op: Box<RecvOp>,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    let me = completion::current_thread();
    op.issuer = me.id;
    let q = recv_queue(core);
    if q.ops.is_empty() {
        match try_op(core, &mut op) {
            Attempt::NotYet => {}
            Attempt::Done(got) => {
                drop(q);
                let RecvOp {
                    finish, delivery, ..
                } = *op;
                return Ok(Submitted::Now(finish(got), delivery));
            }
            Attempt::Handoff(next) => {
                drop(q);
                on_pending();
                next(op);
                return Ok(Submitted::Pending);
            }
        }
    }
    enqueue(core, q, op, on_pending, &me).map_err(|(e, _)| e)?;
    Ok(Submitted::Pending)
}

/// Queues a handed-off receive on `core` (an `AcceptEx` waiting for its
/// first data on the accepted socket): completed at once if its data is
/// there, else when it comes; a failure to queue completes it with the
/// error (it was already pending).
pub fn requeue(core: &Arc<SocketCore>, mut op: Box<RecvOp>) {
    let q = recv_queue(core);
    if q.ops.is_empty() {
        match try_op(core, &mut op) {
            Attempt::NotYet => {}
            Attempt::Done(got) => {
                drop(q);
                complete_op(core, op, got);
                return;
            }
            Attempt::Handoff(next) => {
                drop(q);
                next(op);
                return;
            }
        }
    }
    let me = completion::current_thread();
    if let Err((e, op)) = enqueue(core, q, op, || {}, &me) {
        complete_op(core, op, Err(e));
    }
}

/// Queues `op` (what that needs acquired first, S20) and arms the reactor.
/// On failure nothing became visible and the op is given back.
fn enqueue(
    core: &Arc<SocketCore>,
    mut q: Locked<'_, RecvQueue>,
    op: Box<RecvOp>,
    on_pending: impl FnOnce(),
    me: &Arc<completion::ThreadState>,
) -> std::result::Result<(), (Error, Box<RecvOp>)> {
    if core.is_closed() {
        return Err((Error::new(abi::WSAENOTSOCK, "the socket was closed"), op));
    }
    let r = match drain::reactor() {
        Ok(r) => r,
        Err(e) => return Err((e, op)),
    };
    if q.in_epoll != r.serial {
        let added = core
            .recv_fd()
            .and_then(|fd| r.add(core, fd, Direction::Recv));
        if let Err(e) = added {
            return Err((e, op));
        }
        q.in_epoll = r.serial;
    }
    on_pending();
    q.ops.push_back(op);
    let arm = !std::mem::replace(&mut q.registered, true);
    if arm {
        r.hold(core, Direction::Recv);
    }
    drop(q);
    note_socket(me, core);
    if arm {
        arm_or_fail(r, core, Direction::Recv);
    }
    Ok(())
}
