//! Writing a stream socket's pending bytes (SPEC P8): one attempt to hand
//! the kernel a send's buffers (an urgent send's last byte marked), and
//! [`pump`], which writes what waits, in call order: the backlog of
//! earlier non-blocking sends, then the queued overlapped sends, each
//! completing once all its bytes are taken; then a `shutdown`'s FIN. The
//! reactor calls it as the socket drains, and every later send before its
//! own bytes.

use std::sync::atomic::Ordering;

use crate::completion::{Delivery, deliver};
use crate::error::{Error, Result, errno};
use crate::ops::SendQueue;
use crate::socket::{Backlog, SocketCore};
use crate::translate::MAX_IOVECS;

use super::queues::recycle;

/// Completions of a socket's sends found while its locks were held,
/// delivered after them ([`Done::deliver`]): a stream's written sends, and
/// any socket's cancelled ones (`cancel::cancel_where`, the reactor's
/// `take_all`). Each counts in `sends_undelivered` from the moment its
/// send leaves the queue (under the queue lock) until it is delivered, so
/// a thread that finds the queue empty and the count 0 knows every
/// completion was delivered (`DisconnectEx(TF_REUSE_SOCKET)`,
/// `disconnect::reuse_stream`).
pub(super) struct Done<'a> {
    core: &'a SocketCore,
    list: Vec<(Delivery, Result<usize>)>,
}

impl<'a> Done<'a> {
    pub(super) fn new(core: &'a SocketCore) -> Self {
        Done {
            core,
            list: Vec::new(),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// A send's completion; the caller holds the queue lock and has just
    /// taken the send off the queue.
    pub(super) fn push(&mut self, delivery: Delivery, result: Result<usize>) {
        self.core
            .stream
            .sends_undelivered
            .fetch_add(1, Ordering::Relaxed);
        self.list.push((delivery, result));
    }

    /// Delivers the completions (the socket's locks released), then wakes
    /// the socket's waiters once they are all delivered.
    pub(super) fn deliver(mut self) {
        let list = std::mem::take(&mut self.list);
        if list.is_empty() {
            return;
        }
        let n = list.len();
        for (delivery, result) in list {
            deliver(Some(self.core), delivery, result, false, None);
        }
        self.settle(n);
    }

    /// `n` completions are delivered (or lost): pairs with the Acquire load
    /// in `reuse_stream`, which then sees what the deliveries wrote.
    fn settle(&self, n: usize) {
        self.core
            .stream
            .sends_undelivered
            .fetch_sub(n, Ordering::Release);
        self.core.wake_waiters();
    }
}

impl Drop for Done<'_> {
    /// Only when unwinding are completions left: they are lost, but not
    /// counted for ever (a `DisconnectEx` would wait for them).
    fn drop(&mut self) {
        if !self.list.is_empty() {
            self.settle(self.list.len());
        }
    }
}

/// One attempt to hand `total` bytes of `iov` to the kernel: the count it
/// took (0: its buffer is full). An urgent send goes as all but its last
/// byte, then that byte with `MSG_OOB`, so the urgent pointer marks it.
pub(super) fn write_buffers(
    core: &SocketCore,
    iov: &[libc::iovec],
    total: usize,
    oob: bool,
    flags: i32,
) -> Result<usize> {
    if !oob {
        return sendmsg_now(core, iov, flags);
    }
    let mut head = Vec::new();
    let mut last = Vec::new();
    take_prefix(iov, total - 1, &mut head);
    advance(iov, total - 1, &mut last);
    let n = if total > 1 {
        sendmsg_now(core, &head, flags)?
    } else {
        0
    };
    if n < total - 1 {
        return Ok(n);
    }
    Ok(n + sendmsg_now(core, &last, flags | libc::MSG_OOB)?)
}

/// One non-blocking `sendmsg` (never `SIGPIPE`; at most `UIO_MAXIOV`
/// buffers, the rest taking a later turn): the count, 0 when the buffer is
/// full; a reset or abort breaks the connection (reported from then on).
fn sendmsg_now(core: &SocketCore, iov: &[libc::iovec], flags: i32) -> Result<usize> {
    // SAFETY: msghdr is plain data; zeroed is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_ptr().cast_mut();
    msg.msg_iovlen = iov.len().min(MAX_IOVECS);
    loop {
        // SAFETY: msg describes the caller's buffers, valid for this call.
        let n = unsafe {
            crate::sys::sendmsg(
                core.raw_fd(),
                &msg,
                flags | libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT,
            )
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        match errno() {
            libc::EINTR => continue,
            libc::EAGAIN => return Ok(0),
            e => return Err(core.stream_failed(e, true)),
        }
    }
}

/// The iovecs of `iov` after its first `skip` bytes.
pub(super) fn advance(iov: &[libc::iovec], mut skip: usize, out: &mut Vec<libc::iovec>) {
    out.clear();
    for v in iov {
        if skip >= v.iov_len {
            skip -= v.iov_len;
            continue;
        }
        out.push(libc::iovec {
            // SAFETY: skip < iov_len: still within the caller's buffer.
            iov_base: unsafe { v.iov_base.cast::<u8>().add(skip) }.cast(),
            iov_len: v.iov_len - skip,
        });
        skip = 0;
    }
}

/// The iovecs of the first `len` bytes of `iov`.
fn take_prefix(iov: &[libc::iovec], mut len: usize, out: &mut Vec<libc::iovec>) {
    out.clear();
    for v in iov {
        if len == 0 {
            break;
        }
        let take = len.min(v.iov_len);
        out.push(libc::iovec {
            iov_base: v.iov_base,
            iov_len: take,
        });
        len -= take;
    }
}

/// Copies the bytes of `iov` after its first `skip` into `out`.
pub(super) fn gather_from(iov: &[libc::iovec], skip: usize, out: &mut Vec<u8>) {
    let mut rest = Vec::new();
    advance(iov, skip, &mut rest);
    for v in rest {
        // SAFETY: each iovec describes the caller's readable buffer.
        out.extend_from_slice(unsafe {
            std::slice::from_raw_parts(v.iov_base.cast::<u8>(), v.iov_len)
        });
    }
}

/// Writes what waits to be sent, in order, as far as the kernel takes it:
/// the backlog, then the queued overlapped sends, each completing (into
/// `done`) once all its bytes are taken; then a `shutdown`'s FIN if one
/// waits for them. A failure (reset, abort) completes every queued send
/// with it and is returned.
pub(super) fn pump(
    core: &SocketCore,
    q: &mut SendQueue,
    b: &mut Backlog,
    done: &mut Done,
) -> Result<()> {
    if q.ops.is_empty() {
        return core.write_backlog(b, false);
    }
    if let Err(e) = core.write_backlog(b, true) {
        fail_queued(core, q, &e, done);
        return Err(e);
    }
    if !b.is_empty() {
        return Ok(());
    }
    let mut rest = Vec::new();
    while let Some(op) = q.ops.front_mut() {
        if op.connect {
            // A ConnectEx: its bytes go once the connect ends; a failure
            // completes it alone (B8: ERROR_CONNECTION_REFUSED).
            match core.connect_ex_outcome() {
                None => break,
                Some(Ok(())) => op.connect = false,
                Some(Err(e)) => {
                    if let Some(mut op) = q.ops.pop_front() {
                        if let Some(delivery) = op.delivery.take() {
                            done.push(delivery, Err(e));
                        }
                        recycle(q, op);
                    }
                    continue;
                }
            }
        }
        if op.taken < op.len {
            advance(op.iov(), op.taken, &mut rest);
            let oob = op.flags & libc::MSG_OOB != 0;
            match write_buffers(
                core,
                &rest,
                op.len - op.taken,
                oob,
                op.flags & !libc::MSG_OOB,
            ) {
                Ok(n) => op.taken += n,
                Err(e) => {
                    fail_queued(core, q, &e, done);
                    return Err(e);
                }
            }
            if op.taken < op.len {
                break;
            }
        }
        let Some(mut op) = q.ops.pop_front() else {
            break;
        };
        if let Some(delivery) = op.delivery.take() {
            done.push(delivery, Ok(op.len));
        }
        recycle(q, op);
    }
    core.queued.store(q.ops.len(), Ordering::Release);
    if q.ops.is_empty() {
        // The FIN a shutdown left for after the queued sends.
        core.write_backlog(b, false)?;
    }
    Ok(())
}

/// Completes every queued send with `err` (the connection broke, or the
/// reactor could not watch the socket).
pub(super) fn fail_queued(core: &SocketCore, q: &mut SendQueue, err: &Error, done: &mut Done) {
    for mut op in std::mem::take(&mut q.ops) {
        if let Some(delivery) = op.delivery.take() {
            done.push(delivery, Err(err.clone()));
        }
        recycle(q, op);
    }
    core.queued.store(0, Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::advance;

    #[test]
    fn advance_skips_whole_and_partial_buffers() {
        let mut a = [0u8; 4];
        let mut b = [0u8; 6];
        let iov = [
            libc::iovec {
                iov_base: a.as_mut_ptr().cast(),
                iov_len: 4,
            },
            libc::iovec {
                iov_base: b.as_mut_ptr().cast(),
                iov_len: 6,
            },
        ];
        let mut out = Vec::new();
        advance(&iov, 0, &mut out);
        assert_eq!(out.iter().map(|v| v.iov_len).collect::<Vec<_>>(), [4, 6]);
        advance(&iov, 5, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].iov_len, 5);
        assert_eq!(out[0].iov_base, b[1..].as_mut_ptr().cast());
        advance(&iov, 10, &mut out);
        assert!(out.is_empty());
    }
}
