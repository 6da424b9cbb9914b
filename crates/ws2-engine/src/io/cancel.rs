//! Cancelling: `closesocket`, `SIO_FLUSH` and the exit of the issuing
//! thread (S37); finding a pending operation by its OVERLAPPED.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::completion::{Delivery, IssuedOn, ThreadState};
use crate::error::Error;
use crate::ops::{Op, RecvOp};
use crate::socket::{SocketCore, complete, interrupted};

use super::drain;
use super::queues::{recv_queue, send_queue};

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
        self.drop_residue();
        crate::addr_changes::cancel_socket(self);
        drain::forget_closed(self);
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
