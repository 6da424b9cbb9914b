//! Overlapped receives (S27 with S28–S30): at once when a datagram (on a
//! stream: data) waits, else queued for the reactor; and the operations
//! tried the same way (`AcceptEx`, P8).

use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::{self, Delivery};
use crate::error::{Error, Result};
use crate::ops::{Attempt, RecvFinish, RecvOp};
use crate::socket::SocketCore;

use super::Submitted;
use super::drain::{arm_or_fail, reactor_for_recvs};
use super::queues::{RecvQueueLock, note_socket, queued_recvs, recv_queue};
use super::reactor::Direction;
use super::recv_deferred;
use super::recv_op::{complete_op, try_op};

/// Whether a C overlapped receive may be tried at call time (S27 with
/// S29), before its delivery is made (`h_event` is its OVERLAPPED's
/// `hEvent`, `routine` whether it has a completion routine): only with
/// nothing queued before it; false when the receive must be queued
/// ([`recv_overlapped`]). Takes no lock while nothing is queued on the
/// socket. A receive that completes on a port with nobody to take its
/// packet yet is not read now either ([`recv_deferred`]): the port's next
/// look for packets reads it, with others, in one system call.
#[inline(always)]
pub fn may_recv_now(core: &SocketCore, h_event: usize, routine: bool) -> bool {
    queued_recvs(core) == 0 && !recv_deferred::defer_now(core, h_event, routine)
}

/// Queues an overlapped receive that [`may_recv_now`] could not complete (S28–
/// S30), once what that needs is acquired (S20): the reactor, the
/// duplicate fd it watches, that fd's place in its epoll set. A datagram
/// that arrives meanwhile wakes the reactor once the fd is armed; what a
/// coalesced run left meanwhile, with nothing queued, is served at once.
/// `finish` writes the outputs.
pub fn recv_overlapped(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    finish: RecvFinish,
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    let q = recv_queue(core);
    if q.ops.is_empty()
        && core.buffered_in_user_space().is_some()
        && let Some(got) = core.recv_controls_now(iov.as_ptr().cast_mut(), iov.len())?
    {
        drop(q);
        // A truncated datagram or control data (STATUS_BUFFER_OVERFLOW) is
        // a completed receive: it still completes (SPEC G).
        return match finish.call(Ok(got)) {
            Err(e) if e.code() != abi::WSAEMSGSIZE => Err(e),
            r => Ok(Submitted::Now(r, delivery)),
        };
    }
    let me = completion::this_thread();
    let me = &*me;
    let deferrable = recv_deferred::deferrable(core, &delivery);
    let op = RecvOp::boxed_receive(iov, finish, delivery, me.id);
    if !deferrable {
        return queue_now(core, q, op, on_pending, me);
    }
    let (q, op, on_pending) = match recv_deferred::defer(core, q, op, on_pending, me)? {
        Ok(()) => return Ok(Submitted::Pending),
        Err(refused) => refused,
    };
    // Not deferred after all (a thread came to wait on the port): at once
    // if its data is there, as at call time.
    if q.ops.is_empty()
        && let Some(got) = core.recv_controls_now(op.iov.as_ptr().cast_mut(), op.iov.len())?
    {
        drop(q);
        let RecvOp {
            finish, delivery, ..
        } = RecvOp::unboxed(op);
        return match finish.call(Ok(got)) {
            Err(e) if e.code() != abi::WSAEMSGSIZE => Err(e),
            r => Ok(Submitted::Now(r, delivery)),
        };
    }
    queue_now(core, q, op, on_pending, me)
}

/// Queues `op` for the reactor ([`enqueue`]): pending.
fn queue_now(
    core: &Arc<SocketCore>,
    q: RecvQueueLock<'_>,
    op: Box<RecvOp>,
    on_pending: impl FnOnce(),
    me: &completion::ThreadState,
) -> Result<Submitted> {
    enqueue(core, q, op, on_pending, me).map_err(|(e, _)| e)?;
    Ok(Submitted::Pending)
}

/// Joins, leaves or filters a multicast group (P4; see
/// [`SocketCore::change_membership`]): under the receive queue's lock, so
/// that overlapped receives already waiting see the new group socket (the
/// reactor arms the socket's receive set from then on).
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{Family, SocketCore, SocketKind, socket::{GroupInterface, GroupOp, GroupRequest}};
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// core.bind(&"0.0.0.0:0".parse()?)?;
/// let req = GroupRequest::any_source("239.255.0.9".parse()?, GroupInterface::Index(1));
/// ws2_engine::io::change_membership(&core, GroupOp::Join, &req)?;
/// let again = ws2_engine::io::change_membership(&core, GroupOp::Join, &req).unwrap_err();
/// assert_eq!(again.code(), ws2_abi::WSAEADDRNOTAVAIL);
/// ws2_engine::io::change_membership(&core, GroupOp::Leave, &req)?;
/// let gone = ws2_engine::io::change_membership(&core, GroupOp::Leave, &req).unwrap_err();
/// assert_eq!(gone.code(), ws2_abi::WSAEINVAL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn change_membership(
    core: &Arc<SocketCore>,
    op: crate::socket::GroupOp,
    req: &crate::socket::GroupRequest,
) -> Result<()> {
    membership_changed(core, req, |core| core.change_membership(op, req))
}

/// `setsourcefilter` (P4; see [`SocketCore::set_source_filter`]), with the
/// reactor's watches brought up to date as for [`change_membership`].
pub fn set_source_filter(
    core: &Arc<SocketCore>,
    req: &crate::socket::GroupRequest,
    mode: crate::socket::FilterMode,
    sources: &[std::net::IpAddr],
) -> Result<()> {
    membership_changed(core, req, |core| {
        core.set_source_filter(req.group, req.interface, mode, sources)
    })
}

/// Makes a membership change under the receive queue's lock; a new group
/// socket is then armed for waiting receives and watched for events.
fn membership_changed(
    core: &Arc<SocketCore>,
    req: &crate::socket::GroupRequest,
    change: impl FnOnce(&SocketCore) -> Result<bool>,
) -> Result<()> {
    let q = recv_queue(core);
    let added = change(core)?;
    let armed = q.registered;
    drop(q);
    if added {
        if armed && let Some(r) = super::reactor::current() {
            // Receives are waiting: let the reactor see the new group socket.
            arm_or_fail(r, core, Direction::Recv);
        }
        // A watch of network events sees group arrivals from now on; if
        // the reactor cannot watch it, the join is undone (S20).
        if let Err(e) = super::watch::watch_group_arrivals(core) {
            let leave = crate::socket::GroupRequest {
                source: None,
                ..*req
            };
            let _ = core.change_membership(crate::socket::GroupOp::Leave, &leave);
            return Err(e);
        }
    }
    Ok(())
}

/// An overlapped receive on a stream (P8): at once when data (or its end)
/// is waiting and nothing is queued, else queued for the reactor as
/// [`recv_overlapped`] queues. `flags`: Linux `MSG_PEEK`/`MSG_OOB`.
/// Queued receives complete in posting order, each with what is there
/// when its turn comes (`test_simultaneous_async_recv`).
pub fn recv_stream_overlapped(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    flags: i32,
    finish: RecvFinish,
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    // Refused at call time, queueing nothing (`test_completion_port`:
    // WSAENOTCONN, WSAECONNRESET; `test_shutdown`: WSAESHUTDOWN); every
    // receive call re-enables FD_READ (P1).
    core.check_stream_io(false)?;
    core.note_received();
    let q = recv_queue(core);
    if q.ops.is_empty()
        && let Some(got) = core.recv_ready(iov, flags)?
    {
        drop(q);
        return Ok(Submitted::Now(finish.call(Ok(got)), delivery));
    }
    let me = completion::current_thread();
    let op = RecvOp::boxed(RecvOp {
        iov: iov.into(),
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
                } = RecvOp::unboxed(op);
                return Ok(Submitted::Now(finish.call(got), delivery));
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
    mut q: RecvQueueLock<'_>,
    op: Box<RecvOp>,
    on_pending: impl FnOnce(),
    me: &completion::ThreadState,
) -> std::result::Result<(), (Error, Box<RecvOp>)> {
    if core.is_closed() {
        return Err((Error::new(abi::WSAENOTSOCK, "the socket was closed"), op));
    }
    let r = match reactor_for_recvs(core, &mut q) {
        Ok(r) => r,
        Err(e) => return Err((e, op)),
    };
    on_pending();
    q.ops.push_back(op);
    // Receives deferred to the port before this one are the reactor's now
    // too: they complete in posting order.
    q.deferred = false;
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
