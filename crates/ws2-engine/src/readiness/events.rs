//! `WSAEventSelect` and `WSAEnumNetworkEvents` over a socket's
//! [`EventRecord`], and `FIONBIO` while events are selected. The rules are
//! the research sheet's (§3): Wine's Windows-run `test_events`,
//! `test_WSAEnumNetworkEvents`, `test_fionbio`, and Microsoft's pages.

use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::Event;
use crate::error::{Error, Result};
use crate::socket::{EventRecord, SocketCore};

/// `WSAEventSelect(s, event, mask)` on the socket's record (locked by the
/// caller, which has made the reactor watch the socket first):
/// - the socket is made non-blocking, whatever the mask;
/// - a first selection makes the record live, with the events of the
///   socket's current state pending (`SocketCore::events_of_current_state`);
/// - the mask and event replace the previous ones (mask 0 cancels the
///   association; events keep being recorded, and are reported when
///   selected again: `test_read_events` "send data while we're not
///   selecting");
/// - the event is signalled if a selected event is pending, and never
///   reset (`test_accept_events`); events already reported are not
///   reported again (re-selecting the same mask reports nothing).
///
/// `mask` must hold only `FD_ALL_EVENTS` bits and `event` be given when it
/// is not 0 (the caller checks both). `receives_queued`: overlapped
/// receives are queued, which take arrivals without an `FD_READ`.
pub fn select_events(
    core: &SocketCore,
    record: &mut EventRecord,
    event: Option<Arc<Event>>,
    mask: u32,
    receives_queued: bool,
) {
    core.set_nonblocking(true);
    if !core.events_live() {
        let now = core.events_of_current_state();
        record.record(now, 0);
    } else if !receives_queued {
        core.catch_up_arrivals(record);
    }
    core.set_events_state(mask != 0);
    record.mask = mask;
    record.event = if mask != 0 { event } else { None };
    if record.pending & record.mask != 0
        && let Some(e) = &record.event
    {
        e.set();
    }
}

/// What `WSAEnumNetworkEvents` reports: the events and, for each one, its
/// `iErrorCode` entry (the others are not written).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EnumeratedEvents {
    pub events: u32,
    pub errors: [i32; abi::FD_MAX_EVENTS as usize],
}

/// `WSAEnumNetworkEvents`: reports the selected pending events and clears
/// them (events not selected stay pending: `test_read_events`), and resets
/// `reset` (the caller's `hEventObject`, when not NULL), all under the
/// record's lock, so that an event recorded meanwhile is either reported
/// now or signals again.
///
/// ```
/// # use ws2_engine::{Family, SocketCore, SocketKind, Event};
/// # use std::sync::Arc;
/// use ws2_engine::readiness::{enumerate, select_events};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// core.bind(&"127.0.0.1:0".parse()?)?;
/// let event = Arc::new(Event::new());
/// select_events(&core, &mut core.event_record(), Some(event.clone()), ws2_abi::FD_READ | ws2_abi::FD_WRITE, false);
/// assert!(event.is_set()); // a bound UDP socket can send: FD_WRITE
/// let got = enumerate(&core, Some(&event), false);
/// assert_eq!(got.events, ws2_abi::FD_WRITE);
/// assert!(!event.is_set());
/// assert_eq!(enumerate(&core, None, false).events, 0); // reported once
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn enumerate(
    core: &SocketCore,
    reset: Option<&Event>,
    receives_queued: bool,
) -> EnumeratedEvents {
    let mut record = core.event_record();
    if core.events_live() && !receives_queued {
        core.catch_up_arrivals(&mut record);
    }
    let events = record.pending & record.mask;
    record.pending &= !events;
    if events & abi::FD_READ != 0 {
        record.read_reported = true;
    }
    if let Some(e) = reset {
        e.reset();
    }
    EnumeratedEvents {
        events,
        errors: record.errors,
    }
}

/// `ioctlsocket(FIONBIO)`: 0 is refused with `WSAEINVAL` while an event
/// selection is active (`test_fionbio`; Microsoft: cancel it first with
/// `WSAEventSelect(s, NULL, 0)`).
///
/// ```
/// # use ws2_engine::{Family, SocketCore, SocketKind, Event};
/// # use std::sync::Arc;
/// use ws2_engine::readiness::{select_events, set_fionbio};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let event = Arc::new(Event::new());
/// select_events(&core, &mut core.event_record(), Some(event), ws2_abi::FD_READ, false);
/// assert_eq!(set_fionbio(&core, false).unwrap_err().code(), ws2_abi::WSAEINVAL);
/// set_fionbio(&core, true)?;
/// select_events(&core, &mut core.event_record(), None, 0, false);
/// set_fionbio(&core, false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn set_fionbio(core: &SocketCore, nonblocking: bool) -> Result<()> {
    if !nonblocking && core.events_selected() {
        return Err(Error::new(
            abi::WSAEINVAL,
            "FIONBIO 0 while WSAEventSelect has events selected: call WSAEventSelect(s, NULL, 0) first",
        ));
    }
    core.set_nonblocking(nonblocking);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::SocketKind;
    use crate::translate::Family;

    /// P1: data that arrived while no event was selected, and that the
    /// reactor has not recorded (here no reactor watches the socket at
    /// all), is reported once `FD_READ` is selected (`test_read_events`,
    /// "send data while we're not selecting") — and only once until a
    /// receive re-enables it.
    #[test]
    fn arrivals_the_reactor_has_not_recorded_are_reported() {
        let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap();
        core.bind(&"127.0.0.1:0".parse().unwrap()).unwrap();
        let event = Arc::new(Event::new());
        select_events(&core, &mut core.event_record(), None, 0, false);
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.send_to(b"data", core.local_addr().unwrap()).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !core.readable_now() {
            assert!(
                std::time::Instant::now() < deadline,
                "datagram never arrived"
            );
            std::thread::yield_now();
        }
        select_events(
            &core,
            &mut core.event_record(),
            Some(event.clone()),
            abi::FD_READ,
            false,
        );
        assert!(event.is_set());
        assert_eq!(enumerate(&core, Some(&event), false).events, abi::FD_READ);
        assert_eq!(enumerate(&core, Some(&event), false).events, 0);
        // With overlapped receives queued, the arrival is theirs.
        let other = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap();
        other.bind(&"127.0.0.1:0".parse().unwrap()).unwrap();
        select_events(&other, &mut other.event_record(), None, 0, false);
        peer.send_to(b"data", other.local_addr().unwrap()).unwrap();
        while !other.readable_now() {
            assert!(
                std::time::Instant::now() < deadline,
                "datagram never arrived"
            );
            std::thread::yield_now();
        }
        let other_event = Arc::new(Event::new());
        select_events(
            &other,
            &mut other.event_record(),
            Some(other_event.clone()),
            abi::FD_READ,
            true,
        );
        assert!(!other_event.is_set());
        assert_eq!(enumerate(&other, None, true).events, 0);
        // Without them, the same state reports it.
        assert_eq!(enumerate(&other, None, false).events, abi::FD_READ);
    }
}
