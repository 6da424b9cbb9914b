//! An overlapped `WSARecv` with `MSG_WAITALL` on a stream (SPEC P8; the
//! `WSARecv` page: the request completes only when the buffer is full, the
//! connection is closed, the request is cancelled or an error occurs). It
//! is a receive-like operation of the socket's receive queue
//! (`submit_attempt`): each try takes what is there into the rest of the
//! buffers; it completes when they are full, at the end of the stream with
//! what arrived, on an error with what arrived (the error then comes with
//! the next call, as a stream's reset always does), or when cancelled
//! (`STATUS_CANCELLED` or, at `closesocket`, `STATUS_CONNECTION_ABORTED`,
//! with `InternalHigh` the bytes already in the buffers). Receives queued
//! after it wait for it, in posting order.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::completion::Delivery;
use crate::error::Result;
use crate::ops::{Attempt, RecvFinish, RecvOp};
use crate::socket::SocketCore;
use crate::translate::Received;

use super::Submitted;
use super::recv::submit_attempt;
use super::stream_write::advance;

/// The buffers of one `MSG_WAITALL` receive and how far they are filled.
struct Filling {
    core: Arc<SocketCore>,
    iov: Vec<libc::iovec>,
    /// The part of `iov` after `filled` bytes (rebuilt per try).
    rest: Vec<libc::iovec>,
    total: usize,
    filled: Arc<AtomicUsize>,
}

// SAFETY: the iovecs point into the caller's buffers, which Winsock's
// contract keeps valid until completion; whichever thread tries the
// operation writes them.
unsafe impl Send for Filling {}

impl Filling {
    /// Receives what is there into the rest of the buffers.
    fn attempt(&mut self) -> Attempt {
        loop {
            let filled = self.filled.load(Ordering::Relaxed);
            advance(&self.iov, filled, &mut self.rest);
            match self.core.recv_ready(&self.rest, 0) {
                Ok(None) => return Attempt::NotYet,
                // The end of the stream: what arrived.
                Ok(Some(got)) if got.bytes == 0 => return Attempt::Done(Ok(received(filled))),
                Ok(Some(got)) => {
                    let now = filled + got.bytes;
                    self.filled.store(now, Ordering::Relaxed);
                    if now >= self.total {
                        return Attempt::Done(Ok(received(now)));
                    }
                }
                Err(_) if filled > 0 => return Attempt::Done(Ok(received(filled))),
                Err(e) => return Attempt::Done(Err(e)),
            }
        }
    }
}

fn received(bytes: usize) -> Received {
    Received {
        bytes,
        ..Default::default()
    }
}

/// An overlapped `MSG_WAITALL` receive into `iov` (at least one byte long;
/// a receive into no bytes is an ordinary one). `finish` writes the
/// outputs; `on_pending` runs just before the operation becomes visible.
/// Refused at call time as any stream receive is (`WSAENOTCONN`,
/// `WSAESHUTDOWN`, `WSAECONNRESET`).
pub fn recv_stream_waitall(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    finish: impl FnOnce(Result<Received>) -> Result<usize> + Send + 'static,
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    core.check_stream_io(false)?;
    core.note_received();
    let filled = Arc::new(AtomicUsize::new(0));
    let mut filling = Filling {
        core: core.clone(),
        iov: iov.to_vec(),
        rest: Vec::with_capacity(iov.len()),
        total: iov.iter().map(|v| v.iov_len).sum(),
        filled: filled.clone(),
    };
    let finish = RecvFinish::new(move |got: Result<Received>| {
        // A cancelled or failed one still tells what its buffers hold.
        finish(got.map_err(|e| e.with_bytes(filled.load(Ordering::Relaxed))))
    });
    let op = RecvOp::attempting(Box::new(move || filling.attempt()), finish, delivery, 0);
    submit_attempt(core, op, on_pending)
}
