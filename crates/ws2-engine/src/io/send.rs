//! Sending: at once when the kernel takes it; else a blocking call waits
//! alertably for buffer space or its turn (S16, S17, S34, S35), and an
//! overlapped one is queued for the reactor (S28–S30, S20).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use ws2_abi as abi;

use crate::completion::{self, Delivery, MakeDelivery, ThreadState, WaiterSlot, deadline_after};
use crate::error::{Error, Result, errno};
use crate::fork::lock;
use crate::ops::{Op, SendPlan};
use crate::socket::{SocketCore, SocketKind, interrupted, wait_fd};

use super::queues::{note_socket, queued_now, send_queue};
use super::reactor::{self, Direction, arm_or_fail};
use super::segmented::send_segmented;
use super::{Submitted, max_pending_sends};

/// Failure of one `sendmsg`: a Winsock error, or an errno to interpret.
pub(crate) enum SendFailure {
    WouldBlock,
    Errno(i32),
}

/// One `sendmsg` attempt; `ECONNREFUSED` (an ICMP error from an earlier
/// datagram) drops this datagram in Linux, so it is sent again: Windows
/// keeps sends succeeding (S19). Other threads' datagrams may draw new ICMP
/// errors between retries; each retry consumes one, so a bounded number of
/// them always ends.
pub(super) fn try_send(
    core: &SocketCore,
    msg: &libc::msghdr,
    flags: i32,
) -> std::result::Result<usize, SendFailure> {
    let mut refusals = 0;
    loop {
        // SAFETY: msg describes buffers, name and control valid for this call.
        let n = unsafe { libc::sendmsg(core.raw_fd(), msg, flags | libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(n as usize);
        }
        match errno() {
            libc::EINTR => continue,
            libc::EAGAIN => return Err(SendFailure::WouldBlock),
            libc::ECONNREFUSED | libc::EHOSTUNREACH if refusals < 64 => {
                // An earlier datagram's ICMP error: keep it for the next
                // receive (S19) and send this one again.
                refusals += 1;
                if !core.collect_icmp_errors() {
                    core.note_icmp_reset();
                }
            }
            libc::ENOBUFS if counts_local_drops_as_sent(core) => return Ok(msg_len(msg)),
            e => return Err(SendFailure::Errno(e)),
        }
    }
}

/// S42: a datagram the local interface queue drops counts as sent. Linux
/// reports such a drop as `ENOBUFS` only to a UDP socket with
/// `IP_RECVERR`/`IPV6_RECVERR` (`udp_send_skb` swallows it otherwise),
/// which ws2 sets for ICMP reporting (S19); a socket without it, like a
/// Windows one, reports every datagram sent. `ENOBUFS` from an allocation
/// that failed before the datagram was built cannot be told apart here; it
/// is lost the same way and counts as sent too. Raw sockets keep the error
/// (they have no `IP_RECVERR`, so theirs is never a queue drop).
pub(super) fn counts_local_drops_as_sent(core: &SocketCore) -> bool {
    core.kind() == SocketKind::Datagram
}

/// Bytes of the datagram a Linux message describes.
fn msg_len(msg: &libc::msghdr) -> usize {
    if msg.msg_iovlen == 0 {
        return 0;
    }
    // SAFETY: msg_iov points to msg_iovlen iovecs valid for this call.
    let iov = unsafe { std::slice::from_raw_parts(msg.msg_iov, msg.msg_iovlen) };
    iov.iter().map(|v| v.iov_len).sum()
}

/// A blocking (non-overlapped) send (S16, S17, S34, S35).
#[inline(always)]
pub fn send_blocking(core: &Arc<SocketCore>, plan: &SendPlan<'_>) -> Result<usize> {
    if plan.segment.is_none() && core.queued.load(Ordering::Acquire) == 0 {
        // The common case: the kernel takes it at once.
        match try_send(core, &plan.msghdr(), plan.flags) {
            Ok(n) => return Ok(n),
            Err(SendFailure::Errno(e)) => {
                return Err(core.send_error(e, plan.controls, plan.to_v4));
            }
            Err(SendFailure::WouldBlock) => {}
        }
    }
    send_blocking_slow(core, plan)
}

/// A blocking send that could not complete at once: wait for buffer space,
/// or for our turn behind queued overlapped sends; or a segmented send.
#[cold]
#[inline(never)]
fn send_blocking_slow(core: &Arc<SocketCore>, plan: &SendPlan<'_>) -> Result<usize> {
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

/// Sends one Linux message, waiting alertably for buffer space (unless
/// FIONBIO). `None` when overlapped sends got queued while we waited.
pub(super) fn send_one_waiting(
    core: &SocketCore,
    msg: &libc::msghdr,
    plan: &SendPlan<'_>,
    deadline: Option<Instant>,
) -> Result<Option<usize>> {
    loop {
        match try_send(core, msg, plan.flags) {
            Ok(n) => return Ok(Some(n)),
            Err(SendFailure::Errno(e)) => {
                return Err(core.send_error(e, plan.controls, plan.to_v4));
            }
            Err(SendFailure::WouldBlock) if core.is_nonblocking() => return Err(would_block()),
            Err(SendFailure::WouldBlock) => {
                // Keep POLLERR from an ICMP error from spinning the wait.
                core.collect_icmp_errors();
            }
        }
        if core.queued.load(Ordering::Acquire) != 0 {
            return Ok(None);
        }
        let ready = wait_fd(core, libc::POLLOUT, deadline)?;
        match ready {
            Some(true) => continue,
            Some(false) => return Err(interrupted()),
            None => return Err(timed_out(core)),
        }
    }
}

/// Waits (alertably, as a blocking call: S35) until the socket's send FIFO
/// is empty; `WSAEWOULDBLOCK` on a non-blocking socket, `WSAETIMEDOUT` at
/// the deadline.
pub(super) fn wait_queue_empty(core: &SocketCore, deadline: Option<Instant>) -> Result<()> {
    if queued_now(core) == 0 {
        return Ok(());
    }
    if core.is_nonblocking() {
        return Err(would_block());
    }
    completion::check_not_nested_in_blocking_call()?;
    let emptied = completion::blocking_call_wait(&[core], deadline, None, || {
        (core.is_closed() || core.queued.load(Ordering::Acquire) == 0).then_some(())
    })?;
    match emptied {
        Some(()) if core.is_closed() => Err(interrupted()),
        Some(()) => Ok(()),
        None => Err(timed_out(core)),
    }
}

fn would_block() -> Error {
    Error::new(
        abi::WSAEWOULDBLOCK,
        "the socket is non-blocking (FIONBIO) and the send cannot complete now",
    )
}

fn timed_out(core: &SocketCore) -> Error {
    Error::new(
        abi::WSAETIMEDOUT,
        format!(
            "SO_SNDTIMEO of {} ms expired with the send buffer full",
            core.send_timeout_ms()
        ),
    )
}

/// An overlapped send (S28–S30): at once when nothing is queued and the
/// kernel takes it, else queued for the reactor. `on_pending` runs under the
/// queue lock just before the operation becomes visible (it writes
/// `STATUS_PENDING`). Errors at call time queue nothing (S20), also when
/// what a pending send needs (the reactor) cannot be had.
#[inline]
pub fn send_overlapped(
    core: &Arc<SocketCore>,
    plan: &SendPlan<'_>,
    delivery: impl MakeDelivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    send_overlapped_keeping(core, plan, Vec::new(), delivery, on_pending)
}

/// [`send_overlapped`] of a datagram whose bytes are in `bounce` (the
/// plan's one iovec points into it): a queued operation keeps it until it
/// completes.
#[inline(always)]
pub fn send_overlapped_keeping(
    core: &Arc<SocketCore>,
    plan: &SendPlan<'_>,
    bounce: Vec<u8>,
    delivery: impl MakeDelivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    if plan.segment.is_some() {
        // A segmented send is several kernel sends: it is done now, and
        // completes at once (waiting for buffer space if it must).
        let n = send_segmented(core, plan, deadline_after(core.send_timeout_ms()))?;
        return Ok(Submitted::Now(Ok(n), delivery.make()));
    }
    if queued_now(core) == 0 {
        match try_send(core, &plan.msghdr(), plan.flags) {
            Ok(n) => return Ok(Submitted::Now(Ok(n), delivery.make())),
            Err(SendFailure::Errno(e)) => {
                return Err(core.send_error(e, plan.controls, plan.to_v4));
            }
            Err(SendFailure::WouldBlock) => {}
        }
    }
    let me = completion::current_thread();
    enqueue(core, plan, delivery, bounce, on_pending, &me)?;
    Ok(Submitted::Pending)
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
    let r = reactor::reactor()?;
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
        op.bounce = bounce;
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
