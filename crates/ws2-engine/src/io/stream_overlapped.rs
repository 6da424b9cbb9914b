//! Overlapped sends on stream sockets (SPEC P8, part 2): an overlapped
//! `WSASend` completes once **all** its bytes are taken, never with part
//! of them, and never fails with `WSAEWOULDBLOCK` on a non-blocking socket
//! (research-streams.md B1: Wine's Windows-run `test_send`,
//! `test_completion_port`). One the kernel takes whole at once completes at
//! call time (a packet is still queued, S30); the rest of one it cannot
//! take waits in the socket's send FIFO, its buffers still the caller's
//! (Winsock's contract keeps them valid until completion), after the
//! backlog of earlier non-blocking sends and before any later send:
//! [`pump`] writes the backlog, then the queued sends in order, and is
//! called by the reactor as the socket drains and by every later send
//! before it writes its own bytes, so the byte order on the wire is the
//! order of the calls. A `shutdown(SD_SEND)`'s FIN follows them.
//! Cancellation (`closesocket`, `CancelIoEx`, thread exit) takes queued
//! sends out of the FIFO (`cancel.rs`); bytes of a cancelled send already
//! taken stay sent.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::completion::{self, Delivery};
use crate::error::{Error, Result};
use crate::fork::lock;
use crate::ops::{Op, SendQueue};
use crate::socket::{Backlog, SocketCore};

use super::drain;
use super::queues::{note_port_wait, note_socket, send_queue};
use super::stream::arm;
use super::stream_write::{Done, pump, write_buffers};
use super::{Submitted, max_pending_sends};

/// An overlapped `WSASend` on a stream socket (`iov`: the caller's
/// buffers, valid until completion; `oob`: `MSG_OOB`, the last byte
/// urgent; `dontroute`: `MSG_DONTROUTE`). `on_pending` runs under the
/// queue lock just before the operation becomes visible (it writes
/// `STATUS_PENDING`). Call-time refusals (not connected, shut down, reset)
/// queue nothing. Past `WS2_MAX_PENDING_SENDS` queued sends a call fails
/// with `WSAEWOULDBLOCK`, as on datagram sockets (S18).
pub fn send_stream_overlapped(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    oob: bool,
    dontroute: bool,
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    core.check_stream_io(true)?;
    let total: usize = iov.iter().map(|v| v.iov_len).sum();
    let flags = if dontroute { libc::MSG_DONTROUTE } else { 0 };
    // What a pending send needs is had before anything is written (S20).
    drain::reactor()?;
    let mut done = Done::new(core);
    let submitted = {
        let mut q = send_queue(core);
        let mut b = lock(&core.stream.backlog);
        let pumped = pump(core, &mut q, &mut b, &mut done);
        match pumped {
            Err(e) => Err(e),
            Ok(()) => queue_or_send(
                core,
                &mut q,
                &mut b,
                iov,
                total,
                (oob, flags),
                delivery,
                on_pending,
            ),
        }
    };
    done.deliver();
    if matches!(submitted, Ok(Submitted::Pending)) {
        note_socket(&completion::current_thread(), core);
        note_port_wait(core);
    }
    submitted
}

/// The send's own turn, under the socket's locks: written now when
/// nothing waits before it and the kernel takes it whole; else queued.
#[allow(clippy::too_many_arguments)]
fn queue_or_send(
    core: &Arc<SocketCore>,
    q: &mut SendQueue,
    b: &mut Backlog,
    iov: &[libc::iovec],
    total: usize,
    (oob, flags): (bool, i32),
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    let mut taken = 0;
    if q.ops.is_empty() && b.is_empty() {
        if total == 0 {
            return Ok(Submitted::Now(Ok(0), delivery));
        }
        taken = write_buffers(core, iov, total, oob, flags)?;
        if taken == total {
            return Ok(Submitted::Now(Ok(total), delivery));
        }
    }
    let limit = max_pending_sends();
    if taken == 0 && q.ops.len() >= limit {
        return Err(Error::new(
            abi::WSAEWOULDBLOCK,
            format!("the socket already has {limit} pending sends (WS2_MAX_PENDING_SENDS)"),
        ));
    }
    if let Err(e) = arm(core, q) {
        if taken == 0 {
            return Err(e);
        }
        // No reactor to write the rest (no fd could be had): only what
        // the kernel took was sent, and the completion says so.
        return Ok(Submitted::Now(Ok(taken), delivery));
    }
    on_pending();
    let mut op = q.spare.pop().unwrap_or_else(Op::boxed);
    let flags = if oob { flags | libc::MSG_OOB } else { flags };
    // The issuing thread, looked up only for a send that waits (S37).
    op.fill_stream(iov, flags, taken, delivery, completion::current_thread().id);
    q.ops.push_back(op);
    core.queued.store(q.ops.len(), Ordering::Release);
    Ok(Submitted::Pending)
}

/// `ConnectEx` after its checks (`addr` the peer; `iov` the data to send
/// once connected, the caller's until completion): completes once the
/// connect ended and every byte was taken, with the bytes' count, or with
/// the connect's failure (`WSAECONNREFUSED`: `ERROR_CONNECTION_REFUSED`).
/// A refusal the kernel reports at once is still the operation's
/// completion, as on Windows (research-streams.md B8).
pub fn connect_ex(
    core: &Arc<SocketCore>,
    addr: &std::net::SocketAddr,
    iov: &[libc::iovec],
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    drain::reactor()?;
    let me = completion::current_thread();
    let connected = match core.begin_connect_ex(addr) {
        Ok(c) => c,
        Err(e)
            if matches!(
                e.code(),
                abi::WSAECONNREFUSED
                    | abi::WSAENETUNREACH
                    | abi::WSAEHOSTUNREACH
                    | abi::WSAETIMEDOUT
            ) =>
        {
            on_pending();
            return Ok(Submitted::Now(Err(e), delivery));
        }
        Err(e) => return Err(e),
    };
    let total: usize = iov.iter().map(|v| v.iov_len).sum();
    let mut done = Done::new(core);
    let submitted = {
        let mut q = send_queue(core);
        let mut b = lock(&core.stream.backlog);
        if connected {
            queue_or_send(
                core,
                &mut q,
                &mut b,
                iov,
                total,
                (false, 0),
                delivery,
                on_pending,
            )
        } else {
            match arm(core, &mut q) {
                Err(e) => Err(e),
                Ok(()) => {
                    on_pending();
                    // The data is copied now: the caller may reuse its
                    // buffer once the call returns (test_connect clears it).
                    let mut data = Vec::with_capacity(total);
                    for v in iov {
                        // SAFETY: each iovec describes the caller's readable buffer.
                        data.extend_from_slice(unsafe {
                            std::slice::from_raw_parts(v.iov_base.cast::<u8>(), v.iov_len)
                        });
                    }
                    let own = [libc::iovec {
                        iov_base: data.as_mut_ptr().cast(),
                        iov_len: data.len(),
                    }];
                    let mut op = q.spare.pop().unwrap_or_else(Op::boxed);
                    op.fill_stream(&own[..usize::from(total > 0)], 0, 0, delivery, me.id);
                    // The iovec points into `data`, which the op keeps.
                    op.spill.get_or_insert_with(Box::default).bounce = data;
                    op.connect = true;
                    q.ops.push_back(op);
                    core.queued.store(q.ops.len(), Ordering::Release);
                    // The connect may have ended meanwhile.
                    pump(core, &mut q, &mut b, &mut done).ok();
                    Ok(Submitted::Pending)
                }
            }
        }
    };
    done.deliver();
    if matches!(submitted, Ok(Submitted::Pending)) {
        note_socket(&me, core);
    }
    submitted
}
