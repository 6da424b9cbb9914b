//! Overlapped receives (S27 with S28–S30): at once when a datagram waits,
//! else queued for the reactor.

use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::{self, Delivery};
use crate::error::{Error, Result};
use crate::ops::RecvOp;
use crate::socket::SocketCore;
use crate::translate::Received;

use super::Submitted;
use super::drain::{self, arm_or_fail};
use super::queues::{note_socket, queued_recvs, recv_queue};
use super::reactor::Direction;

/// An overlapped receive at call time (S27 with S29): with nothing queued
/// before it and a datagram (or what a coalesced run left) waiting, it is
/// received into `got` (true); false when it must be queued
/// ([`recv_overlapped`]). Takes no lock while nothing is queued on the
/// socket.
#[inline]
pub fn recv_now(core: &SocketCore, iov: &[libc::iovec], got: &mut Received) -> Result<bool> {
    if queued_recvs(core) != 0 {
        return Ok(false);
    }
    core.recv_controls_now_to(iov.as_ptr().cast_mut(), iov.len(), got)
}

/// Queues an overlapped receive that [`recv_now`] could not complete (S28–
/// S30), once what that needs is acquired (S20): the reactor, the
/// duplicate fd it watches, that fd's place in its epoll set. A datagram
/// that arrives meanwhile wakes the reactor once the fd is armed; what a
/// coalesced run left meanwhile, with nothing queued, is served at once.
/// `finish` writes the outputs; it is boxed only when the receive waits.
pub fn recv_overlapped<F>(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    finish: F,
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted>
where
    F: FnOnce(Result<Received>) -> Result<usize> + Send + 'static,
{
    let mut q = recv_queue(core);
    if q.ops.is_empty()
        && core.buffered_in_user_space().is_some()
        && let Some(got) = core.recv_controls_now(iov.as_ptr().cast_mut(), iov.len())?
    {
        drop(q);
        // A truncated datagram or control data (STATUS_BUFFER_OVERFLOW) is
        // a completed receive: it still completes (SPEC G).
        return match finish(Ok(got)) {
            Err(e) if e.code() != abi::WSAEMSGSIZE => Err(e),
            r => Ok(Submitted::Now(r, delivery)),
        };
    }
    if core.is_closed() {
        return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
    }
    let me = completion::current_thread();
    let r = drain::reactor()?;
    if q.in_epoll != r.serial {
        let fd = core.recv_fd()?;
        r.add(core, fd, Direction::Recv)?;
        q.in_epoll = r.serial;
    }
    on_pending();
    q.ops.push_back(Box::new(RecvOp {
        iov: iov.to_vec(),
        finish: Box::new(finish),
        delivery,
        issuer: me.id,
    }));
    let arm = !std::mem::replace(&mut q.registered, true);
    if arm {
        r.hold(core, Direction::Recv);
    }
    drop(q);
    note_socket(&me, core);
    if arm {
        arm_or_fail(r, core, Direction::Recv);
    }
    Ok(Submitted::Pending)
}
