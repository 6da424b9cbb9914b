//! Starting the reactor's watches of network events (P1): the arrivals of
//! a socket with selected events (`event_select`), and buffer space after a
//! send that would have blocked (`send_would_block`); `events.rs` records
//! what the reactor then sees.

use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::Event;
use crate::error::{Error, Result};
use crate::readiness;
use crate::socket::SocketCore;

use super::drain::{reactor, watch_writable};
use super::queues::recv_queue;
use super::reactor::Direction;

/// `WSAEventSelect(s, event, mask)` on a socket (see
/// [`readiness::select_events`]): what watching the socket needs (the
/// reactor, a duplicate fd, its place in the epoll set) is had first, so a
/// call that fails (`WSAEMFILE`, `WSAENOBUFS`) changes nothing.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{Event, Family, SocketCore, SocketKind};
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// core.bind(&"127.0.0.1:0".parse()?)?;
/// let event = Arc::new(Event::new());
/// ws2_engine::io::event_select(&core, Some(event.clone()), ws2_abi::FD_READ)?;
/// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"hi", core.local_addr()?)?;
/// assert!(event.wait(Some(std::time::Duration::from_secs(5))));
/// let got = ws2_engine::readiness::enumerate(&core, Some(&event), false);
/// assert_eq!(got.events, ws2_abi::FD_READ);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn event_select(core: &Arc<SocketCore>, event: Option<Arc<Event>>, mask: u32) -> Result<()> {
    if core.is_closed() {
        return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
    }
    let r = reactor()?;
    let fd = core.events_fd()?;
    let receives_queued = receives_queued(core);
    let mut record = core.event_record();
    if record.watched_by != r.serial {
        r.add_arrivals(core, fd)?;
        if let Some(set) = core.group_set_for_events() {
            r.add_arrivals(core, set)?;
        }
        record.watched_by = r.serial;
        r.hold(core, Direction::Events);
    }
    readiness::select_events(core, &mut record, event, mask, receives_queued);
    Ok(())
}

/// Whether overlapped receives are queued on the socket (they take the
/// arrivals, which then record no `FD_READ`). Asked before the event
/// record is locked.
pub fn receives_queued(core: &Arc<SocketCore>) -> bool {
    !recv_queue(core).ops.is_empty()
}

/// A non-overlapped send failed with `WSAEWOULDBLOCK`: on a live socket,
/// `FD_WRITE` is due once it can send again.
pub(super) fn send_would_block(core: &Arc<SocketCore>) {
    if core.note_send_would_block() {
        watch_writable(core);
    }
}

/// A socket joined its first group (P4): if its arrivals are watched
/// (`WSAEventSelect`), its receive set is watched too.
pub(super) fn watch_group_arrivals(core: &Arc<SocketCore>) -> Result<()> {
    let (Some(r), Some(set)) = (super::reactor::current(), core.group_set_for_events()) else {
        return Ok(());
    };
    if !core.events_live() {
        return Ok(());
    }
    let record = core.event_record();
    if record.watched_by == r.serial {
        r.add_arrivals(core, set)?;
    }
    Ok(())
}
