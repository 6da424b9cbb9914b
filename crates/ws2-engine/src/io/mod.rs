//! The queues and the reactor: sends and receives that cannot complete at
//! once. Every fd is `O_NONBLOCK` in the kernel:
//! - a send whose socket has nothing queued is tried at once (`sendmsg`);
//! - one that would block is queued in the socket's FIFO (overlapped calls
//!   return `WSA_IO_PENDING`; blocking calls wait alertably for their turn),
//!   and one reactor thread (epoll) drains each FIFO in order when the
//!   socket is writable, in `sendmmsg` batches, completing each operation
//!   with its own status (S29, S30, S34);
//! - completion is exactly once: `InternalHigh`, then `Internal` with
//!   release ordering, then the event, routine or port packet (S38).

use std::sync::OnceLock;

use crate::completion::Delivery;
use crate::error::Result;

mod accept_ex;
mod attempt;
mod cancel;
mod disconnect;
mod drain;
mod events;
mod port_watch;
mod queues;
mod reactor;
mod recv;
mod recv_batch;
mod recv_deferred;
mod recv_op;
mod segmented;
mod send;
mod stream;
mod stream_overlapped;
mod stream_waitall;
mod stream_write;
mod watch;

pub use accept_ex::{AcceptExBuffer, accept_ex, accept_ex_slot_size, accept_ex_sockaddrs};
pub use cancel::Cancel;
pub(crate) use cancel::pending_has_routine;
pub use disconnect::{listen, reuse_stream};
pub use events::collect_arrivals;
pub use reactor::{ReactorStats, reactor_stats};
pub use recv::{
    change_membership, may_recv_now, recv_overlapped, recv_stream_overlapped, requeue,
    set_source_filter, submit_attempt,
};
pub use recv_batch::{RecvStats, recv_stats};
pub use recv_deferred::fill_deferred_receives;
pub use send::{send_blocking, send_overlapped};
pub use stream::{DEFAULT_MAX_STREAM_BACKLOG, max_stream_backlog, send_stream};
pub use stream_overlapped::{connect_ex, send_stream_overlapped};
pub use stream_waitall::recv_stream_waitall;
pub use watch::{connect, event_select, inherit_event_select};

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

/// What happened to an overlapped send that could not go at call time.
pub enum SendSubmitted {
    /// Done now after all (a segmented send): the bytes sent.
    Now(usize),
    /// Queued; the reactor completes it.
    Pending,
}

/// What happened to a submitted receive.
pub enum Submitted {
    /// Done at call time: the result (a receive may end in `WSAEMSGSIZE`,
    /// which still completes, SPEC G) and the delivery to complete.
    Now(Result<usize>, Delivery),
    /// Queued; the reactor completes it.
    Pending,
}

// ---------------------------------------------------------------------------
// Completing

// ---------------------------------------------------------------------------
// Overlapped receives
