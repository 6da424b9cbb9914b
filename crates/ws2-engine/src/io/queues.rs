//! Locking a socket's queues (a fork child first drops what its parent
//! had pending, S43), and the sockets each thread has operations on (S37).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::completion::ThreadState;
use crate::fork::{self, Locked, lock};
use crate::ops::{Op, RecvQueue, SendQueue};
use crate::socket::SocketCore;
use crate::translate::INLINE_BUFFERS;

use super::reactor;

/// Locks the socket's send queue. In a fork child, the first use of a
/// socket first drops the operations its queues held in the parent (S43).
#[inline]
pub(crate) fn send_queue(core: &SocketCore) -> Locked<'_, SendQueue> {
    if core.queue_generation.load(Ordering::Relaxed) != fork::generation() {
        forget_parent_operations(core);
    }
    lock(&core.queue)
}

/// Locks the socket's receive queue (see [`send_queue`]); unlocking
/// publishes its length for [`queued_recvs`].
#[inline]
pub(crate) fn recv_queue(core: &SocketCore) -> RecvQueueLock<'_> {
    if core.queue_generation.load(Ordering::Relaxed) != fork::generation() {
        forget_parent_operations(core);
    }
    RecvQueueLock {
        q: lock(&core.recv_queue),
        core,
    }
}

/// The locked receive queue of a socket.
pub(crate) struct RecvQueueLock<'a> {
    q: Locked<'a, RecvQueue>,
    core: &'a SocketCore,
}

impl std::ops::Deref for RecvQueueLock<'_> {
    type Target = RecvQueue;
    fn deref(&self) -> &RecvQueue {
        &self.q
    }
}

impl std::ops::DerefMut for RecvQueueLock<'_> {
    fn deref_mut(&mut self) -> &mut RecvQueue {
        &mut self.q
    }
}

impl Drop for RecvQueueLock<'_> {
    fn drop(&mut self) {
        self.core
            .recv_queued
            .store(self.q.ops.len(), Ordering::Release);
    }
}

/// The number of queued receives, read without the lock (after the check
/// of a fork child's first use): an overlapped receive with none before it
/// may complete at once.
#[inline]
pub(super) fn queued_recvs(core: &SocketCore) -> usize {
    let n = core.recv_queued.load(Ordering::Acquire);
    if n != 0 && core.queue_generation.load(Ordering::Relaxed) != fork::generation() {
        forget_parent_operations(core);
        return core.recv_queued.load(Ordering::Acquire);
    }
    n
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
        core.recv_queued.store(0, Ordering::Release);
        (q.registered, q.in_epoll, r.registered, r.in_epoll) = (false, 0, false, 0);
        (r.deferred, r.swept) = (false, false);
        // A parent's thread that watched the socket does not exist here.
        q.cover = None;
        // A stream's backlog is the parent's to send (P8), and the
        // completions its threads were delivering are theirs too.
        lock(&core.stream.backlog).clear();
        core.stream.sends_undelivered.store(0, Ordering::Relaxed);
        (std::mem::take(&mut q.ops), std::mem::take(&mut r.ops))
    };
    // Rust buffers and routines are freed here, outside the locks.
    drop((sends, recvs));
    reactor::forget_parent();
}

/// The number of queued sends, after the check of a fork child's first use.
#[inline]
pub(super) fn queued_now(core: &SocketCore) -> usize {
    let n = core.queued.load(Ordering::Acquire);
    if n != 0 && core.queue_generation.load(Ordering::Relaxed) != fork::generation() {
        forget_parent_operations(core);
        return core.queued.load(Ordering::Acquire);
    }
    n
}

/// Remembers that this thread has operations on `core` (for S37 at exit).
/// Inlined: a burst on one socket costs one compare, not a call.
#[inline(always)]
pub(super) fn note_socket(me: &ThreadState, core: &Arc<SocketCore>) {
    // Only this thread writes `last_socket`: a burst on one socket skips the lock.
    if me.last_socket.load(Ordering::Relaxed) != core.id {
        note_new_socket(me, core);
    }
}

/// [`note_socket`] for a socket other than the thread's last.
#[cold]
#[inline(never)]
fn note_new_socket(me: &ThreadState, core: &Arc<SocketCore>) {
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

/// Lets this thread's next wait on the socket's port watch the socket
/// (`port_watch`): a stream's queued send is then written by that thread.
pub(super) fn note_port_wait(core: &Arc<SocketCore>) {
    if core.port().is_some() {
        let source: std::sync::Weak<SocketCore> = Arc::downgrade(core);
        crate::completion::note_pended(source);
    }
}

/// Keeps a completed operation's box for the next pending send: as many as
/// a window of sends in flight uses, so a steady stream of pending sends
/// neither allocates nor frees (the caller's thread would allocate what
/// the reactor's frees, through the allocator's shared arenas).
pub(super) fn recycle(q: &mut SendQueue, mut op: Box<Op>) {
    const SPARE: usize = 1024;
    if q.spare.len() < SPARE {
        if let Some(spill) = &mut op.spill {
            if spill.iov.capacity() > INLINE_BUFFERS * 4 {
                spill.iov = Vec::new();
            }
            spill.bounce = Vec::new();
        }
        q.spare.push(op);
    }
}
