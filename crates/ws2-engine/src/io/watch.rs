//! Starting the reactor's watches of network events (P1): the arrivals of
//! a socket with selected events (`event_select`), buffer space after a
//! send that would have blocked (`send_would_block`), the end of a stream
//! connect (`connect`); `events.rs` records what the reactor then sees.

use std::net::SocketAddr;
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
/// let got = ws2_engine::readiness::enumerate(&core, Some(&event));
/// assert_eq!(got.events, ws2_abi::FD_READ);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn event_select(core: &Arc<SocketCore>, event: Option<Arc<Event>>, mask: u32) -> Result<()> {
    if core.is_closed() {
        return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
    }
    let r = reactor()?;
    let fd = core.events_fd()?;
    if let Some(set) = core.group_set_for_events() {
        // Group datagrams are arrivals too (P4).
        core.add_to_arrivals(set)?;
    }
    let receives_queued = !recv_queue(core).ops.is_empty();
    let watch_connect = {
        let mut record = core.event_record();
        // What arrived before this call is recorded before the selection
        // decides whether to signal.
        core.collect_arrivals(&mut record, receives_queued);
        if record.watched_by != r.serial {
            r.add_arrivals(core, fd)?;
            record.watched_by = r.serial;
            r.hold(core, Direction::Events);
        }
        readiness::select_events(core, &mut record, event, mask);
        // A connect under way when the record became live: its end is due.
        let connecting = core.is_stream() && core.is_connecting();
        connecting && !std::mem::replace(&mut record.connect_watched, true)
    };
    if watch_connect {
        watch_writable(core);
    }
    Ok(())
}

/// `connect`, and on a stream socket whose connect goes on in the
/// background (`WSAEWOULDBLOCK`) with a live event record, the reactor's
/// watch of its end (`FD_CONNECT`, with its error).
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{Event, Family, SocketCore, SocketKind};
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Stream, 0, true)?);
/// let event = Arc::new(Event::new());
/// ws2_engine::io::event_select(&core, Some(event.clone()), ws2_abi::FD_CONNECT)?;
/// let err = ws2_engine::io::connect(&core, &listener.local_addr()?).unwrap_err();
/// assert_eq!(err.code(), ws2_abi::WSAEWOULDBLOCK); // WSAEventSelect made it non-blocking
/// assert!(event.wait(Some(std::time::Duration::from_secs(5))));
/// let got = ws2_engine::readiness::enumerate(&core, Some(&event));
/// assert_eq!((got.events, got.errors[ws2_abi::FD_CONNECT_BIT as usize]), (ws2_abi::FD_CONNECT, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn connect(core: &Arc<SocketCore>, addr: &SocketAddr) -> Result<()> {
    let result = core.connect(addr);
    if core.is_stream()
        && result
            .as_ref()
            .is_err_and(|e| e.code() == abi::WSAEWOULDBLOCK)
        && core.events_live()
        && !std::mem::replace(&mut core.event_record().connect_watched, true)
    {
        watch_writable(core);
    }
    result
}

/// A socket `accept` made from `listener` takes the listener's
/// `WSAEventSelect` association, event and mask (Microsoft's
/// `WSAEventSelect` page; `test_accept_events` case 9: it then reports
/// `FD_WRITE`).
pub fn inherit_event_select(listener: &SocketCore, accepted: &Arc<SocketCore>) -> Result<()> {
    if !listener.events_live() {
        return Ok(());
    }
    let (event, mask) = {
        let record = listener.event_record();
        (record.event.clone(), record.mask)
    };
    if mask == 0 {
        return Ok(());
    }
    event_select(accepted, event, mask)
}

/// A non-overlapped send failed with `WSAEWOULDBLOCK`: on a live socket,
/// `FD_WRITE` is due once it can send again.
pub(super) fn send_would_block(core: &Arc<SocketCore>) {
    if core.note_send_would_block() {
        watch_writable(core);
    }
}

/// A socket joined its first group (P4): if its arrivals are watched
/// (`WSAEventSelect`), its receive set joins them.
pub(super) fn watch_group_arrivals(core: &Arc<SocketCore>) -> Result<()> {
    match core.group_set_for_events() {
        Some(set) if core.events_live() => core.add_to_arrivals(set),
        _ => Ok(()),
    }
}
