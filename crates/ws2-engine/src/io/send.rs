//! Sending: at once when the kernel takes it; else a blocking call waits
//! alertably for buffer space or its turn (S16, S17, S34, S35), and an
//! overlapped one is queued for the reactor (S28–S30, S20).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::completion::{self, Delivery, MakeDelivery, ThreadState, WaiterSlot, deadline_after};
use crate::error::{Error, Result};
use crate::fork::lock;
use crate::ops::{Op, SendPlan};
use crate::socket::{Message, SendFlags, SocketCore};
use crate::translate::ControlMessage;
use crate::translate::MAX_IOVECS;

use super::attempt::{send_one_waiting, timed_out, would_block};
use super::drain::{self, arm_or_fail};
use super::queues::{note_socket, queued_now, send_queue};
use super::reactor::Direction;
use super::segmented::send_segmented;
use super::watch;
use super::{SendSubmitted, max_pending_sends};

/// A blocking (non-overlapped) send that could not go at call time
/// (S16, S17, S34, S35): wait for buffer space, or for our turn behind
/// queued overlapped sends; or a segmented send. It is the `later` of
/// [`SocketCore::send_datagram`]. One that fails with `WSAEWOULDBLOCK`
/// makes `FD_WRITE` due (P1).
#[cold]
#[inline(never)]
pub fn send_blocking(core: &Arc<SocketCore>, plan: &SendPlan<'_>) -> Result<usize> {
    let result = send_waiting(core, plan);
    if let Err(e) = &result
        && e.code() == abi::WSAEWOULDBLOCK
    {
        watch::send_would_block(core);
    }
    result
}

fn send_waiting(core: &Arc<SocketCore>, plan: &SendPlan<'_>) -> Result<usize> {
    let nonblocking = core.is_nonblocking();
    if !nonblocking {
        completion::check_not_nested_in_blocking_call()?;
    }
    let deadline = deadline_after(core.send_timeout_ms());
    if plan.segment.is_some() {
        // Not a single queued operation: it waits for the FIFO itself.
        return send_segmented(core, plan, deadline);
    }
    if queued_now(core) == 0 {
        if let Some(n) = send_one_waiting(core, &plan.msghdr(), plan, deadline)? {
            return Ok(n);
        }
        // Overlapped sends were queued meanwhile: join the FIFO.
    } else if nonblocking {
        return Err(would_block());
    }
    // Overlapped sends are queued ahead of us: wait for our turn in the FIFO.
    let slot = Arc::new(WaiterSlot::default());
    let me = completion::current_thread();
    enqueue(
        core,
        plan,
        Delivery::Waiter(slot.clone()),
        Vec::new(),
        || {},
        &me,
    )?;
    let got = completion::blocking_call_wait(&[&slot.event], deadline, None, || {
        lock(&slot.result).take()
    })?;
    match got {
        Some(r) => r,
        None => {
            // Timed out: take our operation back unless it is already done.
            let removed = {
                let mut q = send_queue(core);
                // Boxes are recycled: find ours by its slot, not its address.
                let pos = q.ops.iter().position(
                    |o| matches!(&o.delivery, Some(Delivery::Waiter(s)) if Arc::ptr_eq(s, &slot)),
                );
                let removed = pos.and_then(|i| q.ops.remove(i));
                core.queued.store(q.ops.len(), Ordering::Release);
                removed
            };
            if removed.is_some() {
                return Err(timed_out(core));
            }
            slot.event.wait(None);
            lock(&slot.result)
                .take()
                .unwrap_or_else(|| Err(timed_out(core)))
        }
    }
}

/// An overlapped send that could not go at call time (S28–S30): queued for
/// the reactor, keeping `bounce` (the datagram's bytes, when the plan's one
/// iovec points into it) until it completes; a segmented send is done now
/// instead (waiting for buffer space if it must). `on_pending` runs under
/// the queue lock just before the operation becomes visible (it writes
/// `STATUS_PENDING`). Errors queue nothing (S20), also when what a pending
/// send needs (the reactor) cannot be had. It is the `later` of
/// [`SocketCore::send_datagram`].
#[inline(never)]
pub fn send_overlapped(
    core: &Arc<SocketCore>,
    plan: &SendPlan<'_>,
    bounce: Vec<u8>,
    delivery: impl MakeDelivery,
    on_pending: impl FnOnce(),
) -> Result<SendSubmitted> {
    if plan.segment.is_some() {
        // A segmented send is several kernel sends: it is done now, and
        // completes at once.
        let n = send_segmented(core, plan, deadline_after(core.send_timeout_ms()))?;
        return Ok(SendSubmitted::Now(n));
    }
    let me = completion::current_thread();
    enqueue(core, plan, delivery, bounce, on_pending, &me)?;
    Ok(SendSubmitted::Pending)
}

/// Queues a send (in a recycled box when possible, keeping `bounce`, see
/// [`send_overlapped_keeping`]) and arms the reactor.
/// Everything the send needs is acquired before it becomes visible: the
/// reactor and the socket's place in its epoll set (S20); the delivery is
/// made only once the send is accepted.
fn enqueue(
    core: &Arc<SocketCore>,
    plan: &SendPlan<'_>,
    delivery: impl MakeDelivery,
    bounce: Vec<u8>,
    on_pending: impl FnOnce(),
    me: &ThreadState,
) -> Result<()> {
    let limit = max_pending_sends();
    let r = drain::reactor()?;
    let arm = {
        let mut q = send_queue(core);
        if core.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if q.ops.len() >= limit {
            return Err(Error::new(
                abi::WSAEWOULDBLOCK,
                format!("the socket already has {limit} pending sends (WS2_MAX_PENDING_SENDS)"),
            ));
        }
        if q.in_epoll != r.serial {
            r.add(core, core.raw_fd(), Direction::Send)?;
            q.in_epoll = r.serial;
        }
        on_pending();
        let mut op = q.spare.pop().unwrap_or_else(Op::boxed);
        plan.fill(&mut op, delivery.make(), me.id);
        if bounce.capacity() != 0 {
            op.spill.get_or_insert_with(Box::default).bounce = bounce;
        }
        q.ops.push_back(op);
        core.queued.store(q.ops.len(), Ordering::Release);
        let arm = !std::mem::replace(&mut q.registered, true);
        if arm {
            r.hold(core, Direction::Send);
        }
        arm
    };
    note_socket(me, core);
    if arm {
        arm_or_fail(r, core, Direction::Send);
    }
    Ok(())
}

impl SocketCore {
    /// A blocking send of buffers and typed control messages (the safe
    /// API's `Socket::send_msg`), validated and translated as `WSASendMsg`
    /// is (S3–S25). Allocation-free on the success path; more buffers than
    /// one Linux message takes are gathered into one datagram (S21).
    /// Always inlined: its one caller outside tests is the Rust API's
    /// `send_msg`, which a whole-program (LTO) build otherwise calls out of
    /// line (callgrind: 128 -> 152 instructions per send with `IN_PKTINFO`).
    #[inline(always)]
    pub fn send_message(self: &Arc<Self>, msg: &Message<'_>, flags: SendFlags) -> Result<usize> {
        self.ensure_bound()?;
        let controls = msg.control;
        let total = msg.len();
        if msg.buffers.len() > MAX_IOVECS && total <= self.max_msg_size() as usize {
            return self.send_message_bounced(msg, controls, flags);
        }
        // IoSlice is ABI-compatible with iovec on Unix.
        self.send_datagram(
            msg.buffers.as_ptr().cast(),
            msg.buffers.len(),
            total,
            msg.to.as_ref(),
            controls,
            flags,
            |n| n,
            send_blocking,
        )
    }

    /// `send_message` of more buffers than one Linux message takes (S21):
    /// they are gathered into one buffer, sent as one datagram.
    #[cold]
    #[inline(never)]
    fn send_message_bounced(
        self: &Arc<Self>,
        msg: &Message<'_>,
        controls: &[ControlMessage],
        flags: SendFlags,
    ) -> Result<usize> {
        let data: Vec<u8> = msg.buffers.iter().flat_map(|b| b.iter().copied()).collect();
        let one = libc::iovec {
            iov_base: data.as_ptr().cast_mut().cast(),
            iov_len: data.len(),
        };
        self.send_datagram(
            &one,
            1,
            data.len(),
            msg.to.as_ref(),
            controls,
            flags,
            |n| n,
            send_blocking,
        )
    }
}
