//! The send engine. Every fd is `O_NONBLOCK` in the kernel:
//! - a send whose socket has nothing queued is tried at once (`sendmsg`);
//! - one that would block is queued in the socket's FIFO (overlapped calls
//!   return `WSA_IO_PENDING`; blocking calls wait alertably for their turn),
//!   and one reactor thread (epoll) drains each FIFO in order when the
//!   socket is writable, in `sendmmsg` batches, completing each operation
//!   with its own status (S29, S30, S34);
//! - completion is exactly once: `InternalHigh`, then `Internal` with
//!   release ordering, then the event, routine or port packet (S38).

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ws2_abi as abi;

use crate::completion::deadline_after;
use crate::completion::{
    self, Delivery, IssuedOn, MakeDelivery, Packet, ThreadState, WaiterSlot, deliver,
};
use crate::error::{Error, Result, errno};
use crate::fork::{self, Locked, lock};
use crate::ops::{Op, RecvFinish, RecvOp, RecvQueue, SendPlan, SendQueue};
use crate::socket::{SocketCore, SocketKind, complete, interrupted, wait_fd};
use crate::translate::{CmsgBuf, INLINE_BUFFERS, MAX_IOVECS};

mod reactor;

use reactor::{Direction, arm_or_fail};
pub use reactor::{ReactorStats, reactor_stats};

/// Most overlapped sends one socket may have pending (S18); past it a call
/// fails with `WSAEWOULDBLOCK`. The environment variable
/// `WS2_MAX_PENDING_SENDS` changes it for the process.
pub const DEFAULT_MAX_PENDING_SENDS: usize = 4096;

/// The limit in force (see [`DEFAULT_MAX_PENDING_SENDS`]).
pub fn max_pending_sends() -> usize {
    static LIMIT: OnceLock<usize> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("WS2_MAX_PENDING_SENDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(DEFAULT_MAX_PENDING_SENDS)
    })
}

// ---------------------------------------------------------------------------
// Per-socket FIFO

/// Locks the socket's send queue. In a fork child, the first use of a
/// socket first drops the operations its queues held in the parent (S43).
#[inline]
pub(crate) fn send_queue(core: &SocketCore) -> Locked<'_, SendQueue> {
    if core.queue_generation.load(Ordering::Relaxed) != fork::generation() {
        forget_parent_operations(core);
    }
    lock(&core.queue)
}

/// Locks the socket's receive queue (see [`send_queue`]).
pub(crate) fn recv_queue(core: &SocketCore) -> Locked<'_, RecvQueue> {
    if core.queue_generation.load(Ordering::Relaxed) != fork::generation() {
        forget_parent_operations(core);
    }
    lock(&core.recv_queue)
}

/// In a fork child: the operations the socket's queues hold were pending
/// in the parent, which completes them. Here they are dropped without
/// completing, their OVERLAPPEDs untouched (S43); the queues start empty
/// and unregistered (the child has its own reactor).
#[cold]
fn forget_parent_operations(core: &SocketCore) {
    let (sends, recvs) = {
        let mut q = lock(&core.queue);
        let mut r = lock(&core.recv_queue);
        let generation = fork::generation();
        if core.queue_generation.load(Ordering::Relaxed) == generation {
            return;
        }
        core.queue_generation.store(generation, Ordering::Relaxed);
        core.queued.store(0, Ordering::Release);
        (q.registered, q.in_epoll, r.registered, r.in_epoll) = (false, 0, false, 0);
        (std::mem::take(&mut q.ops), std::mem::take(&mut r.ops))
    };
    // Rust buffers and routines are freed here, outside the locks.
    drop((sends, recvs));
    reactor::forget_parent();
}

/// The number of queued sends, after the check of a fork child's first use.
#[inline]
fn queued_now(core: &SocketCore) -> usize {
    let n = core.queued.load(Ordering::Acquire);
    if n != 0 && core.queue_generation.load(Ordering::Relaxed) != fork::generation() {
        forget_parent_operations(core);
        return core.queued.load(Ordering::Acquire);
    }
    n
}

/// What happened to a submitted send.
pub enum Submitted {
    /// Done at call time: the result (a receive may end in `WSAEMSGSIZE`,
    /// which still completes, SPEC G) and the delivery to complete.
    Now(Result<usize>, Delivery),
    /// Queued; the reactor completes it.
    Pending,
}

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
fn try_send(
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
fn counts_local_drops_as_sent(core: &SocketCore) -> bool {
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
fn send_one_waiting(
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
fn wait_queue_empty(core: &SocketCore, deadline: Option<Instant>) -> Result<()> {
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

/// Room a `UDP_SEGMENT` control message (a `u16`) takes in a `CmsgBuf`.
const SEGMENT_CMSG_SPACE: usize = std::mem::size_of::<libc::cmsghdr>() + 8;

/// Most segments the kernel takes in one UDP GSO send.
const GSO_MAX_SEGMENTS: usize = 128;

/// `UDP_SEND_MSG_SIZE` (S26): the gathered buffer split into datagrams of
/// `segment` bytes. UDP GSO does it in the kernel, in several sends past
/// 128 segments; when the kernel refuses GSO (`EIO`, `EINVAL`) the socket
/// falls back to segmenting in user space (one `sendmsg` per segment) for good.
/// The caller sees one call and the total byte count.
fn send_segmented(
    core: &SocketCore,
    plan: &SendPlan<'_>,
    deadline: Option<Instant>,
) -> Result<usize> {
    let segment = plan.segment.expect("a segmented plan") as usize;
    // Several kernel sends cannot be one queued operation: keep call order
    // (S34) by waiting until the sends queued before this one have left.
    wait_queue_empty(core, deadline)?;
    // SAFETY: the plan's iov describes iovlen iovecs valid for this call.
    let iov = unsafe { std::slice::from_raw_parts(plan.iov, plan.iovlen) };
    let total: usize = iov.iter().map(|v| v.iov_len).sum();
    if !core.gso_refused() {
        match send_gso_chunks(core, plan, iov, total, segment, deadline) {
            Ok(n) => return Ok(n),
            Err(GsoFailure::Refused) => core.note_gso_refused(),
            Err(GsoFailure::Other(e)) => return Err(e),
        }
    }
    send_segments_in_user_space(core, plan, iov, total, segment, deadline)
}

enum GsoFailure {
    Refused,
    Other(Error),
}

fn send_gso_chunks(
    core: &SocketCore,
    plan: &SendPlan<'_>,
    iov: &[libc::iovec],
    total: usize,
    segment: usize,
    deadline: Option<Instant>,
) -> std::result::Result<usize, GsoFailure> {
    let chunk = segment * GSO_MAX_SEGMENTS;
    let mut cmsg = CmsgBuf::default();
    cmsg.copy_from(plan.cmsg);
    cmsg.push_segment_size(segment as u16);
    let mut sent = 0;
    let mut pieces = Vec::new();
    while sent < total {
        let len = chunk.min(total - sent);
        pieces.clear();
        slice_iov(iov, sent, len, &mut pieces);
        let mut msg = plan.msghdr();
        msg.msg_iov = pieces.as_mut_ptr();
        msg.msg_iovlen = pieces.len();
        msg.msg_control = cmsg.as_ptr() as *mut libc::c_void;
        msg.msg_controllen = cmsg.len();
        match try_send(core, &msg, plan.flags) {
            Ok(n) => sent += n,
            Err(SendFailure::Errno(libc::EIO | libc::EINVAL)) if sent == 0 => {
                return Err(GsoFailure::Refused);
            }
            Err(SendFailure::Errno(e)) => {
                return Err(GsoFailure::Other(core.send_error(
                    e,
                    plan.controls,
                    plan.to_v4,
                )));
            }
            Err(SendFailure::WouldBlock) => match send_one_waiting(core, &msg, plan, deadline) {
                Ok(Some(n)) => sent += n,
                Ok(None) => wait_queue_empty(core, deadline).map_err(GsoFailure::Other)?,
                Err(e) => return Err(GsoFailure::Other(e)),
            },
        }
    }
    Ok(sent)
}

fn send_segments_in_user_space(
    core: &SocketCore,
    plan: &SendPlan<'_>,
    iov: &[libc::iovec],
    total: usize,
    segment: usize,
    deadline: Option<Instant>,
) -> Result<usize> {
    let mut sent = 0;
    let mut pieces = Vec::new();
    while sent < total {
        let len = segment.min(total - sent);
        pieces.clear();
        slice_iov(iov, sent, len, &mut pieces);
        let mut msg = plan.msghdr();
        msg.msg_iov = pieces.as_mut_ptr();
        msg.msg_iovlen = pieces.len();
        match send_one_waiting(core, &msg, plan, deadline)? {
            Some(n) => sent += n,
            None => wait_queue_empty(core, deadline)?,
        }
    }
    Ok(sent)
}

/// The iovecs covering bytes `start..start + len` of `iov`.
fn slice_iov(iov: &[libc::iovec], start: usize, len: usize, out: &mut Vec<libc::iovec>) {
    let (mut skip, mut want) = (start, len);
    for v in iov {
        if want == 0 {
            break;
        }
        if skip >= v.iov_len {
            skip -= v.iov_len;
            continue;
        }
        let take = (v.iov_len - skip).min(want);
        out.push(libc::iovec {
            // SAFETY: skip < iov_len: the pointer stays inside this buffer.
            iov_base: unsafe { v.iov_base.cast::<u8>().add(skip) }.cast(),
            iov_len: take,
        });
        want -= take;
        skip = 0;
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

// ---------------------------------------------------------------------------
// Completing

/// Delivers a batch of deferred completions of one socket (the reactor's
/// drain): each operation's own result, then the port packets posted
/// under one lock with one wake, and the socket's waiters woken once.
fn complete_batch(
    core: &SocketCore,
    done: &mut Vec<(Delivery, Result<usize>)>,
    packets: &mut Vec<Packet>,
) {
    if done.is_empty() {
        return;
    }
    for (delivery, result) in done.drain(..) {
        deliver(Some(core), delivery, result, false, Some(packets));
    }
    if !packets.is_empty()
        && let Some((port, _)) = core.port()
    {
        port.post_many(packets);
    }
    packets.clear();
    core.wake_waiters();
}

impl SocketCore {
    /// Marks the socket closed and wakes every thread blocked on it, which
    /// then fails with `WSAEINTR` (S37). The fd itself closes when the last
    /// reference goes.
    /// Pending overlapped sends complete with `WSA_OPERATION_ABORTED`.
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.close();
    /// assert!(core.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&self) {
        self.mark_closed();
        cancel_all(self);
        crate::addr_changes::cancel_socket(self);
        reactor::forget_closed(self);
        self.wake_waiters();
    }

    /// `SIO_FLUSH`: completes every pending send with `WSA_OPERATION_ABORTED` (S37).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.flush(); // nothing pending: a no-op
    /// assert!(!core.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&self) {
        cancel_all(self);
    }
}

/// Completes every queued send of `core` with `WSA_OPERATION_ABORTED`
/// (closesocket, `SIO_FLUSH`: S37).
pub(crate) fn cancel_all(core: &SocketCore) {
    let ops = {
        let mut q = send_queue(core);
        core.queued.store(0, Ordering::Release);
        std::mem::take(&mut q.ops)
    };
    for op in ops {
        // A blocking call waiting its turn is interrupted, not aborted (S37).
        let Some(delivery) = op.delivery else {
            continue;
        };
        let err = match delivery {
            Delivery::Waiter(_) => interrupted(),
            _ => aborted(),
        };
        complete(Some(core), delivery, Err(err), false);
    }
    let recvs = std::mem::take(&mut recv_queue(core).ops);
    for op in recvs {
        let result = (op.finish)(Err(aborted()));
        complete(Some(core), op.delivery, result, false);
    }
}

fn aborted() -> Error {
    Error::new(
        abi::WSA_OPERATION_ABORTED,
        "the operation was cancelled (closesocket, SIO_FLUSH or thread exit)",
    )
}

/// At thread exit: cancels the thread's queued sends and receives on this
/// socket unless it is bound to a completion port (S37).
impl IssuedOn for SocketCore {
    fn thread_exited(&self, thread: &ThreadState) {
        if self.port().is_some() {
            return;
        }
        let ops: Vec<Box<Op>> = {
            let mut q = send_queue(self);
            let (mine, rest): (VecDeque<_>, VecDeque<_>) =
                q.ops.drain(..).partition(|op| op.issuer == thread.id);
            q.ops = rest;
            self.queued.store(q.ops.len(), Ordering::Release);
            mine.into_iter().collect()
        };
        for op in ops {
            if let Some(delivery) = op.delivery {
                complete(Some(self), delivery, Err(aborted()), false);
            }
        }
        let recvs: Vec<Box<RecvOp>> = {
            let mut q = recv_queue(self);
            let (mine, rest): (VecDeque<_>, VecDeque<_>) =
                q.ops.drain(..).partition(|op| op.issuer == thread.id);
            q.ops = rest;
            mine.into_iter().collect()
        };
        for op in recvs {
            let result = (op.finish)(Err(aborted()));
            complete(Some(self), op.delivery, result, false);
        }
    }
}

/// Finds a queued operation by its OVERLAPPED: whether it has a routine.
pub(crate) fn pending_has_routine(core: &SocketCore, ov: *mut abi::WSAOVERLAPPED) -> Option<bool> {
    let routine_of = |d: &Delivery| match d {
        Delivery::Overlapped { ov: o, routine, .. } if o.0 == ov => Some(routine.is_some()),
        _ => None,
    };
    let sends = send_queue(core)
        .ops
        .iter()
        .find_map(|op| op.delivery.as_ref().and_then(routine_of));
    sends
        .or_else(|| {
            recv_queue(core)
                .ops
                .iter()
                .find_map(|op| routine_of(&op.delivery))
        })
        .or_else(|| crate::addr_changes::pending_has_routine(core, ov))
}

// ---------------------------------------------------------------------------
// Overlapped receives

/// An overlapped receive (S27 with S28–S30): at once when a datagram is
/// waiting and nothing is queued, else queued for the reactor, once what
/// that needs is acquired (S20): the reactor, the duplicate fd it watches,
/// that fd's place in its epoll set.
pub(crate) fn recv_overlapped(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    finish: RecvFinish,
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    let mut q = recv_queue(core);
    if q.ops.is_empty()
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
    let r = reactor::reactor()?;
    if q.in_epoll != r.serial {
        let fd = core.recv_fd()?;
        r.add(core, fd, Direction::Recv)?;
        q.in_epoll = r.serial;
    }
    on_pending();
    q.ops.push_back(Box::new(RecvOp {
        iov: iov.to_vec(),
        finish,
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

/// Remembers that this thread has operations on `core` (for S37 at exit).
fn note_socket(me: &ThreadState, core: &Arc<SocketCore>) {
    // Only this thread writes `last_socket`: a burst on one socket skips the lock.
    if me.last_socket.load(Ordering::Relaxed) == core.id {
        return;
    }
    me.last_socket.store(core.id, Ordering::Relaxed);
    let mut sockets = lock(&me.sockets);
    if !sockets
        .iter()
        .any(|w| std::ptr::addr_eq(w.as_ptr(), Arc::as_ptr(core)))
    {
        sockets.retain(|w| w.strong_count() > 0);
        let socket = Arc::downgrade(core);
        sockets.push(socket);
    }
}

#[cfg(test)]
mod tests {
    /// The README states the memory per pending send: keep it true.
    #[test]
    fn a_pending_send_fits_its_stated_budget() {
        assert!(
            std::mem::size_of::<super::Op>() <= 512,
            "{}",
            std::mem::size_of::<super::Op>()
        );
    }
}
