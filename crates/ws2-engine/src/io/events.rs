//! The reactor's part in network events (`WSAEventSelect`, SPEC P1): it
//! watches a socket whose record is live and records what the socket's own
//! calls cannot see: a datagram's arrival (`FD_READ`), and buffer space
//! after a send that would have blocked (`FD_WRITE`).
//!
//! Arrivals: a duplicate of the socket's fd sits in the epoll set,
//! edge-triggered on `EPOLLIN`, from the first `WSAEventSelect` until
//! `closesocket` (events are recorded while the mask is 0 too, and reported
//! once selected again). Each arrival reports once; `FD_READ` is recorded
//! if the socket is readable then, unless overlapped receives are queued:
//! they take the data, and Windows records no `FD_READ` for data a pending
//! receive consumed (`test_read_events`).
//!
//! Buffer space: a send that failed with `WSAEWOULDBLOCK` arms the send
//! direction's one-shot `EPOLLOUT` (the queue's own registration); when the
//! reactor finds the send queue empty and the socket writable it records
//! `FD_WRITE`.

use std::sync::Arc;

use ws2_abi as abi;

use crate::socket::SocketCore;

use super::queues::recv_queue;
use super::reactor::{Direction, Reactor};

/// The reactor saw data (or an error) arrive on a watched socket.
pub(super) fn arrived(core: &Arc<SocketCore>) {
    if !recv_queue(core).ops.is_empty() {
        return; // the queued overlapped receives take it
    }
    let mut record = core.event_record();
    if core.readable_now() {
        record.record(abi::FD_READ, 0);
    }
}

/// The reactor emptied the socket's send queue (or found it empty when
/// `EPOLLOUT` came): the `FD_WRITE` a failed send asked for, if the socket
/// can send now. True when it cannot yet, so the caller watches again.
pub(super) fn write_due(core: &SocketCore) -> bool {
    if !core.events_live() {
        return false;
    }
    let mut record = core.event_record();
    if !record.write_wanted {
        return false;
    }
    if core.writable_now() {
        record.write_wanted = false;
        record.record(abi::FD_WRITE, 0);
        return false;
    }
    drop(record);
    // EPOLLOUT came with an ICMP error (EPOLLERR) only: collect it, so the
    // next arming waits for buffer space.
    core.collect_icmp_errors();
    true
}

/// `closesocket`: the reactor stops watching the socket's arrivals.
pub(super) fn forget_closed(r: &Reactor, core: &SocketCore) {
    if !core.events_live() {
        return;
    }
    let mut record = core.event_record();
    if std::mem::replace(&mut record.watched_by, 0) == r.serial {
        r.release(core, Direction::Events);
        if let Some(fd) = core.events_fd_if_open() {
            r.remove(fd);
        }
    }
    record.event = None;
    record.mask = 0;
}
