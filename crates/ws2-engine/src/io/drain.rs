//! The reactor's thread: it waits (epoll) until sockets with queued
//! operations are ready and drains their queues in order, sends in
//! `sendmmsg` batches (S30, S34, with UDP GSO merging), receives in
//! `recvmmsg` batches (`recv_batch`); and the reactor started on first use
//! ([`reactor`]: its epoll instance and this thread).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use ws2_abi as abi;

use crate::completion::{Delivery, Packet, deliver, deliver_to_batch};
use crate::error::{Error, Result, errno};
use crate::fork::{self, lock};
use crate::ops::{Attempt, Handoff, RecvOp, RecvQueue, SendQueue};
use crate::socket::{SocketCore, SocketKind};
use crate::translate::{CmsgBuf, MAX_IOVECS};

use super::events;
use super::queues::{recv_queue, recycle, send_queue};
use super::reactor::{
    BATCHED, Direction, NEXT_SERIAL, REACTOR, Reactor, SENDMMSG_CALLS, STARTING, SWEEP_TOKEN,
    WAKEUPS, current,
};
use super::recv_op;
use super::segmented::SEGMENT_CMSG_SPACE;
use super::stream_write::{self, Done};

/// This process's reactor, started on first use (and on first use in a
/// fork child): `WSAEMFILE`/`WSAENOBUFS` when its epoll instance or its
/// thread cannot be made.
pub(crate) fn reactor() -> Result<&'static Reactor> {
    match current() {
        Some(r) => Ok(r),
        None => start(),
    }
}

#[cold]
fn start() -> Result<&'static Reactor> {
    let starting = lock(&STARTING);
    if let Some(r) = current() {
        return Ok(r);
    }
    // SAFETY: as in `current`.
    let parents = unsafe { REACTOR.load(Ordering::Acquire).as_ref() }.map(Reactor::retire);
    // SAFETY: epoll_create1 has no pointer arguments.
    let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if epoll < 0 {
        return Err(Error::resource(
            errno(),
            "epoll_create1 for the ws2 reactor",
        ));
    }
    let reactor: &'static Reactor = Box::leak(Box::new(Reactor {
        epoll: AtomicI32::new(epoll),
        serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed),
        generation: fork::generation(),
        sockets: Mutex::new(HashMap::new()),
        timer: AtomicI32::new(-1),
    }));
    if let Err(e) = reactor.add_sweep_timer() {
        let reactor = std::ptr::from_ref(reactor).cast_mut();
        // SAFETY: the Box was leaked just above and nothing else has seen
        // it. Dropping it closes its fds.
        drop(unsafe { Box::from_raw(reactor) });
        return Err(e);
    }
    let spawned = std::thread::Builder::new()
        .name("ws2-reactor".into())
        .spawn(move || run(reactor));
    if let Err(e) = spawned {
        let reactor = std::ptr::from_ref(reactor).cast_mut();
        // SAFETY: the Box was leaked just above, and the only other
        // reference, in the thread's closure, was dropped with the failed
        // spawn: nothing else can reach it. Dropping it closes the epoll fd.
        drop(unsafe { Box::from_raw(reactor) });
        let e = e.raw_os_error().unwrap_or(libc::EAGAIN);
        return Err(Error::resource(e, "starting the ws2 reactor thread"));
    }
    REACTOR.store(std::ptr::from_ref(reactor).cast_mut(), Ordering::Release);
    drop(starting);
    drop(parents); // the parent's sockets, let go outside the lock
    Ok(reactor)
}

/// The reactor, with the socket's receive fd in its epoll set (S20: what
/// waiting receives need, acquired before one is queued).
pub(super) fn reactor_for_recvs(core: &SocketCore, q: &mut RecvQueue) -> Result<&'static Reactor> {
    let r = reactor()?;
    if q.in_epoll != r.serial {
        core.recv_fd()
            .and_then(|fd| r.add(core, fd, Direction::Recv))?;
        q.in_epoll = r.serial;
    }
    Ok(r)
}

/// Arms a direction that has operations queued; if the kernel refuses,
/// fails those operations (each completes once, with the error) rather than
/// leave them waiting for ever.
pub(super) fn arm_or_fail(r: &Reactor, core: &SocketCore, dir: Direction) {
    let fd = match dir {
        Direction::Send => Some(core.raw_fd()),
        Direction::Recv => core.recv_fd_if_open(),
        Direction::Events => core.events_fd_if_open(),
    };
    let mut armed = match fd {
        Some(fd) => r.arm(core, fd, dir),
        None => Err(Error::new(abi::WSAENOTSOCK, "the socket was closed")),
    };
    // A socket that joined groups: its receive set too (P4).
    if armed.is_ok()
        && dir == Direction::Recv
        && let Some(set) = core.group_set_for_reactor()
    {
        armed = r.arm_or_add(core, set, dir);
    }
    if let Err(e) = armed {
        take_all(r, core, dir, e);
    }
}

/// The reactor thread: blocks all signals and drains ready sockets.
fn run(r: &'static Reactor) {
    // SAFETY: sigfillset/pthread_sigmask on a local, valid sigset_t.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; 64];
    let mut scratch = Scratch::default();
    loop {
        // SAFETY: events is a valid array of 64 epoll_event.
        let n =
            unsafe { libc::epoll_wait(r.epoll(), events.as_mut_ptr(), events.len() as i32, -1) };
        if n < 0 {
            continue;
        }
        WAKEUPS.fetch_add(1, Ordering::Relaxed);
        for ev in &events[..n as usize] {
            let token = ev.u64;
            if token == SWEEP_TOKEN {
                r.take_sweep_tick();
                sweep(r);
                continue;
            }
            let Some(core) = lock(&r.sockets).get(&(token >> 2)).map(|e| e.0.clone()) else {
                continue;
            };
            match Direction::of_token(token) {
                Direction::Recv => drain_recv(r, &core, &mut scratch),
                Direction::Send if core.is_stream() => drain_stream(r, &core),
                Direction::Send => drain(r, &core, ev.events, &mut scratch),
                Direction::Events => events::arrived(&core),
            }
        }
    }
}

/// Empties one direction's queue (its arming failed), lets go of it and
/// completes what it held with `err`.
fn take_all(r: &Reactor, core: &SocketCore, dir: Direction, err: Error) {
    match dir {
        Direction::Send => {
            // Counted undelivered until delivered, as any send taken off
            // the queue (`stream_write::Done`).
            let mut done = Done::new(core);
            {
                let mut q = send_queue(core);
                q.registered = false;
                r.release(core, dir);
                core.queued.store(0, Ordering::Release);
                for op in q.ops.drain(..) {
                    if let Some(delivery) = op.delivery {
                        done.push(delivery, Err(err.clone()));
                    }
                }
            }
            done.deliver();
        }
        Direction::Events => {}
        Direction::Recv => {
            let ops: Vec<Box<RecvOp>> = {
                let mut q = recv_queue(core);
                q.registered = false;
                r.release(core, dir);
                q.ops.drain(..).collect()
            };
            // Each on its own port (`port_of`), outside the lock.
            for op in ops {
                recv_op::complete_op(core, op, Err(err.clone()));
            }
        }
    }
}

/// The reactor's reusable buffers (no allocation per drain).
#[derive(Default)]
struct Scratch {
    done: Vec<(Delivery, Result<usize>)>,
    /// A stream socket's receive completions, and the operations it hands
    /// on (`drain_stream_recvs`).
    stream_done: Vec<RecvDone>,
    handoffs: Vec<(Handoff, Box<RecvOp>)>,
    packets: Vec<Packet>,
    runs: Vec<Run>,
    iovs: Vec<libc::iovec>,
    cmsgs: Vec<CmsgBuf>,
    /// The batch's message headers (`runs.len()` of them).
    msgs: Vec<libc::mmsghdr>,
}

/// Sends as much of the socket's FIFO as the kernel takes, in order, in
/// `sendmmsg` batches; completes each operation with its own result.
/// `events` is what epoll reported: the error queue is read (ICMP errors,
/// S19) only when it said `EPOLLERR`, not on every `EAGAIN`.
fn drain(r: &Reactor, core: &Arc<SocketCore>, events: u32, scratch: &mut Scratch) {
    let Scratch {
        done,
        packets,
        runs,
        iovs,
        cmsgs,
        msgs,
        ..
    } = scratch;
    let rearm = {
        let mut q = send_queue(core);
        // A coalesced message the kernel refused is sent again one
        // datagram per message, for the rest of this drain.
        let mut one_by_one = false;
        // Stale ICMP errors retried, bounded as in `try_send`.
        let mut refusals = 0;
        let rearm = loop {
            if q.ops.is_empty() {
                break false;
            }
            let coalesce = !one_by_one
                && !q.no_coalesce
                && core.kind() == SocketKind::Datagram
                && core.protocol() == libc::IPPROTO_UDP
                && !core.gso_refused();
            plan_batch(&q, coalesce, runs);
            // The messages: one per run; a run of several datagrams is one
            // UDP GSO message (its ops' iovecs, their control data plus
            // UDP_SEGMENT). `iovs` and `cmsgs` are filled before any pointer
            // into them is taken.
            iovs.clear();
            cmsgs.clear();
            for run in runs.iter() {
                if run.count > 1 {
                    for op in q.ops.range(run.first..run.first + run.count) {
                        // SAFETY: an op's iov_ptr points to its iovlen iovecs.
                        iovs.extend_from_slice(unsafe {
                            std::slice::from_raw_parts(op.iov_ptr(), op.iovlen as usize)
                        });
                    }
                    let mut cmsg = CmsgBuf::default();
                    cmsg.copy_from(q.ops[run.first].cmsg());
                    cmsg.push_segment_size(run.segment as u16);
                    cmsgs.push(cmsg);
                }
            }
            // Each header is written whole: nothing to zero beforehand.
            msgs.clear();
            let (mut next_iov, mut next_cmsg) = (0, 0);
            for run in runs.iter() {
                let op = &q.ops[run.first];
                msgs.push(libc::mmsghdr {
                    msg_hdr: op.msghdr(),
                    msg_len: 0,
                });
                let last = msgs.len() - 1;
                let m = &mut msgs[last];
                if run.count > 1 {
                    let n: usize = q
                        .ops
                        .range(run.first..run.first + run.count)
                        .map(|o| o.iovlen as usize)
                        .sum();
                    m.msg_hdr.msg_iov = iovs[next_iov..].as_mut_ptr();
                    m.msg_hdr.msg_iovlen = n;
                    next_iov += n;
                    let c = &cmsgs[next_cmsg];
                    m.msg_hdr.msg_control = c.as_ptr() as *mut libc::c_void;
                    m.msg_hdr.msg_controllen = c.len();
                    next_cmsg += 1;
                }
            }
            let flags = q.ops[0].flags;
            // SAFETY: msgs (runs.len() of them) describe the queued operations' live
            // buffers (and `iovs`/`cmsgs`, untouched until the call returns).
            // (A batch of sends asking for another don't-fragment state
            // than the socket's runs with it switched: P4.)
            let sent = core.with_send_flags(flags, |flags| unsafe {
                crate::sys::sendmmsg(
                    core.raw_fd(),
                    msgs.as_mut_ptr(),
                    runs.len() as u32,
                    flags | libc::MSG_NOSIGNAL,
                )
            });
            SENDMMSG_CALLS.fetch_add(1, Ordering::Relaxed);
            if sent > 0 {
                for (m, run) in msgs.iter().zip(runs.iter()).take(sent as usize) {
                    BATCHED.fetch_add(run.count as u64, Ordering::Relaxed);
                    for _ in 0..run.count {
                        let Some(mut op) = q.ops.pop_front() else {
                            break;
                        };
                        // A GSO message sent every datagram whole.
                        let n = if run.count > 1 {
                            op.len
                        } else {
                            m.msg_len as usize
                        };
                        if let Some(delivery) = op.delivery.take() {
                            done.push((delivery, Ok(n)));
                        }
                        recycle(&mut q, op);
                    }
                }
                continue;
            }
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => {
                    // An ICMP error queued on the socket keeps EPOLLERR up:
                    // collect it, or the next arming would wake at once.
                    if events & libc::EPOLLERR as u32 != 0 {
                        core.collect_icmp_errors();
                    }
                    break true;
                }
                // The ICMP error of an earlier datagram: this one was
                // dropped; send it again (S19), as `try_send` does.
                libc::ECONNREFUSED | libc::EHOSTUNREACH if refusals < 64 => {
                    refusals += 1;
                    if !core.collect_icmp_errors() {
                        core.note_icmp_reset();
                    }
                    continue;
                }
                // The interface queue dropped the first message (S42): its
                // datagrams count as sent, as `try_send` counts them.
                libc::ENOBUFS if core.counts_local_drops_as_sent() => {
                    for _ in 0..runs[0].count {
                        let Some(mut op) = q.ops.pop_front() else {
                            break;
                        };
                        if let Some(delivery) = op.delivery.take() {
                            done.push((delivery, Ok(op.len)));
                        }
                        recycle(&mut q, op);
                    }
                    continue;
                }
                e if runs[0].count > 1 => {
                    // The kernel refused the GSO message: EIO (no checksum
                    // offload on the route) for good; EINVAL/EMSGSIZE (a
                    // segment over the path MTU, no UDP GSO, ...) segments
                    // of this size. Either way, and for any other error,
                    // the rest of this drain goes one datagram per message,
                    // so that an error lands on its own operation.
                    match e {
                        libc::EIO => q.no_coalesce = true,
                        libc::EINVAL | libc::EMSGSIZE => q.coalesce_below = runs[0].segment,
                        _ => {}
                    }
                    one_by_one = true;
                }
                e => {
                    let Some(mut op) = q.ops.pop_front() else {
                        break false;
                    };
                    let result = core
                        .windows_send_outcome(e, &op.msghdr())
                        .map_err(|e| core.send_error(e, op.cmsg()));
                    if let Some(delivery) = op.delivery.take() {
                        done.push((delivery, result));
                    }
                    recycle(&mut q, op);
                }
            }
        };
        core.queued.store(q.ops.len(), Ordering::Release);
        if !rearm {
            // Let go under the lock: an enqueuer that finds `registered`
            // false arms it again after us. The one-shot registration
            // stays, disabled, for the next pending send.
            q.registered = false;
            r.release(core, Direction::Send);
        }
        rearm
    };
    complete_batch(core, done, packets);
    if rearm {
        arm_or_fail(r, core, Direction::Send);
    } else if events::write_due(core) {
        watch_writable(core);
    }
}

/// Arms the send direction for one `EPOLLOUT` even with no send queued:
/// `FD_WRITE` after a send that would have blocked (P1, `events.rs`).
pub(super) fn watch_writable(core: &Arc<SocketCore>) {
    let Ok(r) = reactor() else {
        return; // no reactor: the next send that would block tries again
    };
    let arm = {
        let mut q = send_queue(core);
        if q.in_epoll != r.serial {
            if r.add(core, core.raw_fd(), Direction::Send).is_err() {
                return;
            }
            q.in_epoll = r.serial;
        }
        let arm = !std::mem::replace(&mut q.registered, true);
        if arm {
            r.hold(core, Direction::Send);
        }
        arm
    };
    if arm {
        arm_or_fail(r, core, Direction::Send);
    }
}

/// Messages per `sendmmsg`.
const BATCH: usize = 64;

/// Most datagrams coalesced into one UDP GSO message (the kernel's limit
/// is 64 segments on older kernels, 128 on newer ones).
const RUN_SEGMENTS: usize = 64;

/// Most bytes in one coalesced message (an IP datagram holds 65,535):
/// about half of that, so that a message fits a send buffer that is partly
/// full (a GSO packet waits for its whole size) and a shaper's burst
/// without being cut up again there. Measured on the pending bench at
/// 1200 B: 0.012 send syscalls per datagram and 160 context switches per
/// loop, against 0.020 and 266 with 60,000.
const RUN_BYTES: usize = 30_000;

/// Most iovecs in one message (`UIO_MAXIOV`).
const RUN_IOVECS: usize = MAX_IOVECS;

/// One message of a `sendmmsg` batch: `count` queued ops from `first`,
/// coalesced into one UDP GSO message of `segment`-byte segments when
/// `count > 1`.
#[derive(Clone, Copy)]
struct Run {
    first: usize,
    count: usize,
    segment: usize,
}

/// Splits the front of the FIFO into up to `BATCH` messages of one flags
/// value. With `coalesce`, consecutive datagrams to the same destination
/// with the same control data and the same length (the last may be
/// shorter) go out as one UDP GSO message: the kernel builds and routes
/// one packet and cuts it into the same datagrams, in order.
fn plan_batch(q: &SendQueue, coalesce: bool, runs: &mut Vec<Run>) {
    runs.clear();
    let flags = q.ops[0].flags;
    let mut i = 0;
    while runs.len() < BATCH && i < q.ops.len() && q.ops[i].flags == flags {
        let op = &q.ops[i];
        let mut run = Run {
            first: i,
            count: 1,
            segment: op.len,
        };
        if coalesce
            && op.len > 0
            && (q.coalesce_below == 0 || op.len < q.coalesce_below)
            && op.cmsg().len() + SEGMENT_CMSG_SPACE <= op.cmsg().capacity()
        {
            let (mut bytes, mut iovecs) = (op.len, op.iovlen as usize);
            for next in q.ops.range(i + 1..) {
                if run.count == RUN_SEGMENTS
                    || next.len == 0
                    || next.len > op.len
                    || bytes + next.len > RUN_BYTES
                    || iovecs + next.iovlen as usize > RUN_IOVECS
                    || !op.same_shape(next)
                {
                    break;
                }
                run.count += 1;
                bytes += next.len;
                iovecs += next.iovlen as usize;
                if next.len < op.len {
                    break; // a shorter datagram ends a GSO message
                }
            }
        }
        i += run.count;
        runs.push(run);
    }
}

/// The network-event part of [`forget_closed`], for a closed stream whose
/// backlog the reactor still writes (its send direction stays held).
pub(crate) fn forget_closed_events(core: &SocketCore) {
    if let Some(r) = current() {
        events::forget_closed(r, core);
    }
}

/// Releases the reactor's hold on a closed socket (both directions) and
/// takes its fds out of the epoll set.
pub(crate) fn forget_closed(core: &SocketCore) {
    let Some(r) = current() else {
        return; // nothing was ever queued in this process
    };
    {
        let mut q = send_queue(core);
        if std::mem::replace(&mut q.registered, false) {
            r.release(core, Direction::Send);
        }
        if std::mem::replace(&mut q.in_epoll, 0) == r.serial {
            r.remove(core.raw_fd());
        }
    }
    {
        let mut q = recv_queue(core);
        if std::mem::replace(&mut q.registered, false) {
            r.release(core, Direction::Recv);
        }
        if std::mem::replace(&mut q.in_epoll, 0) == r.serial
            && let Some(fd) = core.recv_fd_if_open()
        {
            r.remove(fd);
        }
    }
    events::forget_closed(r, core);
}

/// Fills the receives deferred on `core` (its port's look for packets):
/// in posting order, in `recvmmsg` batches while data waits; those left
/// wait for the reactor. Their packets are posted together. Returns how
/// many completed.
pub(super) fn fill_deferred(core: &Arc<SocketCore>) -> usize {
    // This thread's vectors, kept with their capacity between fills (a
    // fill within a fill, which delivery does not make, would start
    // empty ones).
    let (mut done, mut packets) = FILLED.try_with(Cell::take).unwrap_or_default();
    let filled = fill_deferred_with(core, &mut done, &mut packets);
    done.clear();
    packets.clear();
    let _ = FILLED.try_with(|f| f.set((done, packets)));
    filled
}

/// A fill's completions and the port packets they make.
type Filled = (Vec<(Delivery, Result<usize>)>, Vec<Packet>);

thread_local! {
    static FILLED: Cell<Filled> = const { Cell::new((Vec::new(), Vec::new())) };
}

/// [`fill_deferred`] with its vectors.
fn fill_deferred_with(
    core: &Arc<SocketCore>,
    done: &mut Vec<(Delivery, Result<usize>)>,
    packets: &mut Vec<Packet>,
) -> usize {
    let mut arm = None;
    let filled;
    {
        let mut q = recv_queue(core);
        if !std::mem::replace(&mut q.deferred, false) {
            return 0;
        }
        let waits = super::recv_batch::fill_queued(core, &mut q, done);
        filled = done.len();
        if waits {
            match reactor_for_recvs(core, &mut q) {
                Ok(r) => {
                    q.registered = true;
                    r.hold(core, Direction::Recv);
                    arm = Some(r);
                }
                // What waiting needs is missing (S20): they fail.
                Err(e) => {
                    for op in q.ops.drain(..) {
                        done.push((op.delivery, op.finish.call(Err(e.clone()))));
                    }
                }
            }
        }
    }
    let key = core.port().map(|(_, key)| *key);
    for (delivery, result) in done.drain(..) {
        deliver_to_batch(&**core, key, delivery, result, packets);
    }
    if let Some((port, _)) = core.port() {
        port.post_many(packets);
    }
    core.wake_waiters();
    if let Some(r) = arm {
        arm_or_fail(r, core, Direction::Recv);
    }
    filled
}

/// How often the reactor looks for receives deferred to a port that
/// nobody looked at (`recv_deferred`): one deferred for a whole period is
/// filled by the reactor (so at most two periods after it was posted).
pub(super) const SWEEP_PERIOD: std::time::Duration = std::time::Duration::from_millis(10);

/// Sockets with receives deferred to their port, for the reactor's sweep;
/// a socket is listed once (`RecvQueue::swept`) until a sweep finds it
/// with none.
static SWEEP: Mutex<Vec<Weak<SocketCore>>> = Mutex::new(Vec::new());

/// Sweeps so far: a deferral is stamped with the count at its start, and
/// a sweep fills the deferrals stamped before it began.
static SWEEPS: AtomicU64 = AtomicU64::new(0);

/// Notes a socket's new deferral (its receive queue locked): stamped, and
/// listed for the reactor's sweep, whose timer runs while any is listed.
pub(super) fn watch_deferral(core: &Arc<SocketCore>, q: &mut RecvQueue) {
    q.deferred_at = SWEEPS.load(Ordering::Acquire);
    if std::mem::replace(&mut q.swept, true) {
        return;
    }
    let mut list = lock(&SWEEP);
    if list.is_empty()
        && let Some(r) = current()
    {
        r.set_sweep_timer(Some(SWEEP_PERIOD));
    }
    list.push(Arc::downgrade(core));
}

/// The reactor's sweep (its timer fired): fills the receives deferred
/// since before the previous sweep, keeps listed the sockets with some
/// deferred, stops the timer when none is left.
fn sweep(r: &Reactor) {
    let this = SWEEPS.fetch_add(1, Ordering::AcqRel);
    let listed = std::mem::take(&mut *lock(&SWEEP));
    let mut kept = Vec::with_capacity(listed.len());
    for core in listed.into_iter().filter_map(|w| w.upgrade()) {
        let stale = {
            let mut q = recv_queue(&core);
            if !q.deferred {
                q.swept = false;
                continue;
            }
            q.deferred_at < this
        };
        if stale {
            fill_deferred(&core);
        }
        kept.push(Arc::downgrade(&core));
    }
    let mut list = lock(&SWEEP);
    list.extend(kept);
    if list.is_empty() {
        r.set_sweep_timer(None);
    }
}

/// Completes queued receives in order while datagrams are waiting: one
/// `recvmmsg` fills several (`recv_batch`).
fn drain_recv(r: &Reactor, core: &Arc<SocketCore>, scratch: &mut Scratch) {
    let Scratch {
        done,
        stream_done,
        handoffs,
        ..
    } = scratch;
    let rearm = {
        let mut q = recv_queue(core);
        let rearm = if core.is_stream() {
            drain_stream_recvs(core, &mut q, stream_done, handoffs)
        } else {
            super::recv_batch::fill_queued(core, &mut q, done)
        };
        if !rearm {
            q.registered = false;
            r.release(core, Direction::Recv);
        }
        rearm
    };
    for (delivery, result) in done.drain(..) {
        recv_op::deliver_op(core, delivery, None, result);
    }
    for (delivery, port_of, result) in stream_done.drain(..) {
        recv_op::deliver_op(core, delivery, port_of, result);
    }
    for (next, op) in handoffs.drain(..) {
        next(op);
    }
    if rearm {
        arm_or_fail(r, core, Direction::Recv);
    }
}

/// A completion found under a socket's receive lock: where it goes (on
/// another socket's port for an `AcceptEx`) and its result.
type RecvDone = (
    Delivery,
    Option<Arc<dyn crate::completion::PortBound + Send + Sync>>,
    Result<usize>,
);

/// The queued operations of a stream socket (receives, a listener's
/// `AcceptEx`), tried in order while each completes; a handed-off one goes
/// to `handoffs`. Returns whether some must wait for readability.
fn drain_stream_recvs(
    core: &SocketCore,
    q: &mut RecvQueue,
    done: &mut Vec<RecvDone>,
    handoffs: &mut Vec<(Handoff, Box<RecvOp>)>,
) -> bool {
    loop {
        let Some(op) = q.ops.front_mut() else {
            return false;
        };
        let got = match recv_op::try_op(core, op) {
            Attempt::NotYet => return true,
            Attempt::Done(got) => got,
            Attempt::Handoff(next) => {
                if let Some(op) = q.ops.pop_front() {
                    handoffs.push((next, op));
                }
                continue;
            }
        };
        let Some(op) = q.ops.pop_front() else {
            return false;
        };
        let RecvOp {
            finish,
            delivery,
            port_of,
            ..
        } = RecvOp::unboxed(op);
        done.push((delivery, port_of, finish.call(got)));
    }
}

/// The reactor's turn for a stream socket: [`write_stream`].
fn drain_stream(r: &Reactor, core: &Arc<SocketCore>) {
    write_stream(r, core);
}

/// Writes a stream socket's backlog and queued sends; lets go of the
/// socket once they are written (its FIN, if a `shutdown` waits, is sent
/// then) and no connect it watches goes on, else waits again: the reactor
/// arms, unless a thread waiting on the socket's port watches it
/// (`port_watch`), which this then tells that the socket still waits.
/// Blocked senders and a lingering `closesocket` are woken; the
/// `FD_CONNECT` and `FD_WRITE` that were due are recorded (P1).
pub(super) fn write_stream(r: &Reactor, core: &Arc<SocketCore>) -> bool {
    let connecting = events::connect_pending(core);
    let mut done = stream_write::Done::new(core);
    let waiting = {
        let mut q = send_queue(core);
        let mut b = lock(&core.stream.backlog);
        // A failure drops the backlog, completes the queued overlapped
        // sends with it and leaves the connection broken.
        let _ = stream_write::pump(core, &mut q, &mut b, &mut done);
        let want = !b.is_empty() || !q.ops.is_empty() || connecting;
        let watched = want && q.cover.is_some();
        let armed = match (want && !watched).then(|| r.arm(core, core.raw_fd(), Direction::Send)) {
            Some(Ok(())) => true,
            Some(Err(e)) => {
                stream_write::fail_queued(core, &mut q, &e, &mut done);
                false
            }
            None => false,
        };
        if !armed && !watched {
            b.clear();
            q.registered = false;
            r.release(core, Direction::Send);
        }
        watched
    };
    done.deliver();
    core.wake_waiters();
    if events::write_due(core) {
        watch_writable(core);
    }
    waiting
}

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
