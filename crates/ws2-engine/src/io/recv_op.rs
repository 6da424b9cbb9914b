//! One queued receive-like operation, tried and completed: shared by the
//! calls that queue them (`recv`), the reactor (`drain`) and cancellation.

use std::sync::Arc;

use crate::completion::{self, Delivery, PortBound};
use crate::error::Result;
use crate::ops::{Attempt, RecvOp};
use crate::socket::{SocketCore, complete};
use crate::translate::Received;

/// Tries a queued operation once: its own attempt, or a receive.
pub(super) fn try_op(core: &SocketCore, op: &mut RecvOp) -> Attempt {
    if let Some(attempt) = op.attempt.as_mut() {
        return attempt();
    }
    match core.recv_ready(&op.iov, op.flags) {
        Ok(None) => Attempt::NotYet,
        Ok(Some(got)) => Attempt::Done(Ok(got)),
        Err(e) => Attempt::Done(Err(e)),
    }
}

/// Finishes an operation (its outputs written by `finish`) and delivers
/// its completion, on the port it completes on.
// Boxed: queued ops are boxes, and this takes them as they come out.
#[allow(clippy::boxed_local)]
pub(super) fn complete_op(core: &SocketCore, op: Box<RecvOp>, got: Result<Received>) {
    let RecvOp {
        finish,
        delivery,
        port_of,
        ..
    } = RecvOp::unboxed(op);
    let result = finish.call(got);
    deliver_op(core, delivery, port_of, result);
}

/// Delivers a finished operation's completion: on `port_of`'s port when
/// given (the socket's waiters are woken either way).
pub(super) fn deliver_op(
    core: &SocketCore,
    delivery: Delivery,
    port_of: Option<Arc<dyn PortBound + Send + Sync>>,
    result: Result<usize>,
) {
    match port_of {
        Some(p) => {
            completion::deliver(Some(&*p), delivery, result, false, None);
            core.wake_waiters();
        }
        None => complete(Some(core), delivery, result, false),
    }
}
