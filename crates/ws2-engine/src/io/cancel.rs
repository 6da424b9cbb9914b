//! Cancelling: `closesocket`, `SIO_FLUSH`, `CancelIo`/`CancelIoEx` and the
//! exit of the issuing thread (S37), one mechanism for all; finding a
//! pending operation by its OVERLAPPED.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::completion::{Delivery, IssuedOn, ThreadState, current_thread};
use crate::error::Error;
use crate::ops::RecvOp;
use crate::socket::{SocketCore, interrupted};

use super::drain;
use super::queues::{recv_queue, send_queue};
use super::stream_write::Done;

impl SocketCore {
    /// Marks the socket closed and wakes every thread blocked on it, which
    /// then fails with `WSAEINTR` (S37). The fd itself closes when the last
    /// reference goes (a closed handle's socket lets its kernel socket go
    /// at once: [`SocketCore::close_handle`]).
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
        self.leave_all_groups();
        self.forget_binding();
        // A stream's pending receives lose their connection: Windows
        // completes them with STATUS_CONNECTION_ABORTED (research-streams.md
        // B2: test_iocp's iocp_async_read_closesocket); every other
        // operation (an `AcceptEx` on a listener too: test_completion_port)
        // is cancelled (STATUS_CANCELLED).
        let receives = if self.is_stream() && !self.is_listening() {
            connection_aborted
        } else {
            aborted
        };
        cancel_where(self, |_, _| true, receives);
        // The accept socket of a waiting `AcceptEx`: that operation (the
        // listener's) is cancelled (`test_AcceptEx`: ERROR_OPERATION_ABORTED).
        if let Some((listener, ov)) = self.take_accept_ex()
            && let Some(listener) = listener.upgrade()
        {
            listener.cancel_overlapped(Cancel::Overlapped(ov as *mut abi::WSAOVERLAPPED));
        }
        self.drop_residue();
        crate::addr_changes::cancel_socket(self);
        // A graceful stream close still sends what the backlog holds (P8):
        // the reactor keeps its send direction; the rest is let go now.
        if super::stream::drains_after_close(self) {
            drain::forget_closed_events(self);
        } else {
            drain::forget_closed(self);
        }
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

/// Completes every queued send and receive of `core` with
/// `WSA_OPERATION_ABORTED` (closesocket, `SIO_FLUSH`: S37).
pub(crate) fn cancel_all(core: &SocketCore) {
    cancel_where(core, |_, _| true, aborted);
}

/// Which of a socket's pending overlapped operations `CancelIo`/`CancelIoEx`
/// cancel.
#[derive(Clone, Copy, Debug)]
pub enum Cancel {
    /// `CancelIo`: those the calling thread issued.
    IssuedByMe,
    /// `CancelIoEx` with an OVERLAPPED: that one.
    Overlapped(*mut abi::WSAOVERLAPPED),
    /// `CancelIoEx` with NULL: all of them, whoever issued them.
    All,
}

impl SocketCore {
    /// `CancelIo`/`CancelIoEx` (P6): the chosen pending overlapped
    /// operations (sends, receives, `SIO_ADDRESS_LIST_CHANGE`) complete with
    /// `WSA_OPERATION_ABORTED` (`STATUS_CANCELLED`), each once, through the
    /// cancellation `closesocket` uses: events set, routines queued to
    /// their threads, port packets posted (S37, S38). Blocking calls and
    /// the Rust API's operations are left alone. Returns how many were
    /// cancelled: an operation that already finished is not found.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind, io::Cancel};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.cancel_overlapped(Cancel::All), 0, "nothing pending");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancel_overlapped(&self, which: Cancel) -> usize {
        let me = match which {
            Cancel::IssuedByMe => current_thread().id,
            _ => 0,
        };
        let pick = |delivery: &Delivery, issuer: u64| {
            let Delivery::Overlapped { ov, .. } = delivery else {
                return false;
            };
            match which {
                Cancel::IssuedByMe => issuer == me,
                Cancel::Overlapped(target) => ov.0 == target,
                Cancel::All => true,
            }
        };
        let n = cancel_where(self, pick, aborted);
        n + crate::addr_changes::cancel_socket_where(self, |issuer, overlapped| match which {
            Cancel::IssuedByMe => issuer == me,
            Cancel::Overlapped(target) => overlapped == target as usize,
            Cancel::All => true,
        })
    }
}

/// Takes the queued sends and receives of `core` that `pick` chooses (by
/// delivery and issuing thread) out of its queues, under their locks, and
/// completes each with `WSA_OPERATION_ABORTED`; a blocking call waiting its
/// turn is interrupted (`WSAEINTR`, S37) instead; receives complete with
/// `receive_error()`. Returns how many.
fn cancel_where(
    core: &SocketCore,
    mut pick: impl FnMut(&Delivery, u64) -> bool,
    receive_error: fn() -> Error,
) -> usize {
    // Each cancelled send counts as undelivered from the moment it leaves
    // the queue until its completion is delivered, as a written one does
    // (`stream_write::Done`): a `DisconnectEx(TF_REUSE_SOCKET)` racing the
    // cancel waits for it.
    let mut done = Done::new(core);
    let sends = {
        let mut q = send_queue(core);
        let (taken, rest): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut q.ops)
            .into_iter()
            .partition(|op| op.delivery.as_ref().is_some_and(|d| pick(d, op.issuer)));
        q.ops = rest;
        core.queued.store(q.ops.len(), Ordering::Release);
        // A thread watching the socket while it waits on the port stops
        // (and lets go of the socket) when nothing is left to watch, even
        // if no packet wakes it (`hEvent`'s low bit set).
        if let Some(w) = &q.cover {
            w.wake();
        }
        let n = taken.len();
        for op in taken {
            let Some(delivery) = op.delivery else {
                continue;
            };
            let err = match delivery {
                Delivery::Waiter(_) => interrupted(),
                _ => aborted(),
            };
            done.push(delivery, Err(err));
        }
        n
    };
    let recvs: Vec<Box<RecvOp>> = {
        let mut q = recv_queue(core);
        let (taken, rest): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut q.ops)
            .into_iter()
            .partition(|op| pick(&op.delivery, op.issuer));
        q.ops = rest;
        taken.into()
    };
    let n = sends + recvs.len();
    done.deliver();
    for op in recvs {
        super::recv_op::complete_op(core, op, Err(receive_error()));
    }
    n
}

pub(super) fn connection_aborted() -> Error {
    Error::new(
        abi::WSAECONNABORTED,
        "closesocket ended the connection under the pending receive",
    )
}

fn aborted() -> Error {
    Error::new(
        abi::WSA_OPERATION_ABORTED,
        "the operation was cancelled (closesocket, SIO_FLUSH, CancelIo(Ex) or thread exit)",
    )
}

/// At thread exit: cancels the thread's queued sends and receives on this
/// socket unless it is bound to a completion port (S37).
impl IssuedOn for SocketCore {
    fn thread_exited(&self, thread: &ThreadState) {
        if self.port().is_some() {
            return;
        }
        cancel_where(self, |_, issuer| issuer == thread.id, aborted);
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
