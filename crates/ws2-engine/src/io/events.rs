//! The reactor's part in network events (`WSAEventSelect`, SPEC P1): it
//! watches a socket whose record is live and records what the socket's own
//! calls cannot see: a datagram's arrival (`FD_READ`), and buffer space
//! after a send that would have blocked (`FD_WRITE`).
//!
//! Arrivals: the socket's own epoll instance (`SocketCore::events_fd`: the
//! socket's fd in it, edge-triggered on `EPOLLIN`) sits in the reactor's
//! epoll set from the first `WSAEventSelect` until `closesocket` (events are
//! recorded while the mask is 0 too, and reported once selected again).
//! Each arrival reports once, to whoever looks first: the reactor, or a
//! `WSAEventSelect`/`WSAEnumNetworkEvents` about to read the record
//! ([`collect_arrivals`]), so that what arrived before the call is in its
//! answer. `FD_READ` is recorded if the socket is readable then, unless
//! overlapped receives are queued: they take the data, and Windows records
//! no `FD_READ` for data a pending receive consumed (`test_read_events`).
//!
//! Buffer space: a send that failed with `WSAEWOULDBLOCK` arms the send
//! direction's one-shot `EPOLLOUT` (the queue's own registration); when the
//! reactor finds the send queue empty and the socket writable it records
//! `FD_WRITE`. A stream connect that goes on in the background arms it too:
//! its end (`EPOLLOUT`, or an error) records `FD_CONNECT`. A stream socket's
//! arrivals instance also tells urgent bytes (`EPOLLPRI`) and the peer's
//! end (`EPOLLRDHUP`).

use std::sync::Arc;

use ws2_abi as abi;

use crate::socket::SocketCore;

use super::queues::recv_queue;
use super::reactor::{Direction, Reactor};

/// The reactor saw the socket's arrivals instance signal (data, an error;
/// on a stream socket also a connection, an urgent byte, the peer's end or
/// a reset): records what arrived (`SocketCore::collect_arrivals`).
pub(super) fn arrived(core: &Arc<SocketCore>) {
    collect_arrivals(core);
}

/// Records what arrived on a watched socket and was not recorded yet:
/// called before the record is read (`WSAEnumNetworkEvents`), so that an
/// arrival the reactor has not looked at yet is reported now, as Windows
/// reports it.
pub fn collect_arrivals(core: &SocketCore) {
    if !core.events_live() {
        return;
    }
    let receives_queued = !recv_queue(core).ops.is_empty();
    core.collect_arrivals(&mut core.event_record(), receives_queued);
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

/// The reactor's look at a stream socket whose connect it watches: once
/// the connect ended, `FD_CONNECT` (`SocketCore::note_connect_done`). True
/// while it goes on, so the caller watches again.
pub(super) fn connect_pending(core: &SocketCore) -> bool {
    if !core.events_live() {
        return false;
    }
    let mut record = core.event_record();
    record.connect_watched && !core.note_connect_done(&mut record)
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
