//! Readiness and network events of stream sockets (SPEC P8 on P1), as
//! Windows answers them (research-readiness.md §1.4, §2.3, §3.3–3.4: Wine's
//! Windows-run `test_select`, `test_WSAPoll`, `test_tcp_reset`,
//! `test_events`, `test_write_events`):
//!
//! - a listener is readable when a connection waits (the kernel's, or one
//!   `WSAAccept` deferred), never writable, never in `exceptfds`;
//! - a connecting socket is nothing until the connect ends: writable when
//!   it succeeded, in `exceptfds` when it failed (and stays so until the
//!   next connect; `WSAPoll` then answers `POLLWRNORM | POLLHUP | POLLERR`);
//! - a connected one is readable with data, at the peer's end of stream and
//!   after a reset; writable when a send would be taken whole (the kernel
//!   has room and ws2's backlog is empty); an urgent byte (`SO_OOBINLINE`
//!   off) puts it in `exceptfds` (`POLLRDBAND`, `FD_OOB`), not `readfds`;
//!   `WSAPoll` tells the end of stream (`POLLHUP`, with `POLLRDNORM` only
//!   while data remains) and a reset (`POLLERR | POLLHUP`, no `POLLRDNORM`);
//! - a socket neither listening nor connected is ready for nothing (Linux
//!   says `POLLOUT | POLLHUP` of it).
//!
//! The events: `FD_ACCEPT` (each new connection, and again after `accept`
//! while one waits), `FD_CONNECT` (the connecting side only, with the
//! failure's code), `FD_READ`, `FD_OOB`, `FD_CLOSE` once per connection
//! (the peer's end of stream, even with data unread; `WSAECONNABORTED`
//! after a reset), `FD_WRITE` on connecting or being accepted, and after a
//! send that would have blocked.

use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::fork::lock;

use super::events::{EventRecord, Ready};
use super::*;

/// Linux TCP states (`include/net/tcp_states.h`) in which the peer's FIN
/// (or a reset) has come: its end of the stream.
const PEER_FINISHED: [u8; 5] = [
    6,  // TCP_TIME_WAIT
    7,  // TCP_CLOSE
    8,  // TCP_CLOSE_WAIT
    9,  // TCP_LAST_ACK
    11, // TCP_CLOSING
];

/// Linux TCP states after the peer's FIN (not after a reset).
const PEER_FIN_RECEIVED: [u8; 4] = [
    6,  // TCP_TIME_WAIT
    8,  // TCP_CLOSE_WAIT
    9,  // TCP_LAST_ACK
    11, // TCP_CLOSING
];

impl SocketCore {
    /// What a stream socket asks `poll(2)` for, given what the caller
    /// watches: `read` (readable), `write`, `urgent` (an out-of-band byte)
    /// and `hangup` (the peer's end of stream). Only what would count as
    /// found is asked, so that a condition the caller does not watch
    /// (a level-triggered end of stream, an urgent byte) does not end each
    /// wait at once. Errors and `POLLHUP` come unasked.
    pub(crate) fn stream_poll_events(
        &self,
        read: bool,
        write: bool,
        urgent: bool,
        hangup: bool,
    ) -> i16 {
        let state = self.state.load(Ordering::Acquire);
        if state & LISTENING != 0 {
            return if read { libc::POLLIN } else { 0 };
        }
        if state & CONNECTING != 0 {
            return libc::POLLOUT; // the connect's end, either way
        }
        let receiving = state & SHUT_RECV == 0;
        let mut events = 0;
        if read && receiving {
            events |= libc::POLLIN;
        }
        if write {
            events |= self.poll_write_events();
        }
        if urgent && receiving && state & OOB_INLINE == 0 {
            events |= libc::POLLPRI;
        }
        if hangup && receiving {
            events |= libc::POLLRDHUP;
        }
        events
    }

    /// The stream half of [`SocketCore::ready_from`] (`state`: the state
    /// word, not closed; `write`: writability is asked).
    pub(super) fn stream_ready_from(&self, revents: i16, mut state: u64, write: bool) -> Ready {
        let mut ready = Ready::default();
        if state & LISTENING != 0 {
            ready.read = revents & libc::POLLIN != 0 || self.has_deferred_connection();
            ready.data = ready.read;
            return ready;
        }
        if state & CONNECTING != 0 {
            if revents == 0 {
                return ready;
            }
            self.refresh_connect();
            state = self.state.load(Ordering::Acquire);
        }
        if state & CONNECT_FAILED != 0 {
            ready.connect_failed = true;
            return ready;
        }
        if state & CONNECTED == 0 || state & CONNECTING != 0 {
            return ready;
        }
        let reset = self.stream.broken.load(Ordering::Relaxed) != 0 || revents & libc::POLLERR != 0;
        let receiving = state & SHUT_RECV == 0;
        ready.reset = reset;
        ready.read = receiving && (reset || revents & libc::POLLIN != 0);
        if receiving && !reset {
            ready.eof = revents & libc::POLLRDHUP != 0;
            ready.oob = revents & libc::POLLPRI != 0 && state & OOB_INLINE == 0;
            // At the end of the stream Linux says POLLIN with nothing left.
            ready.data = revents & libc::POLLIN != 0 && (!ready.eof || self.inq() > 0);
        }
        ready.write = write
            && revents & libc::POLLOUT != 0
            && self.queued.load(Ordering::Acquire) == 0
            && lock(&self.stream.backlog).is_empty();
        ready
    }

    /// Bytes of normal data the kernel holds for the receiver.
    fn inq(&self) -> i32 {
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD (SIOCINQ) writes one c_int to a valid pointer.
        let r = unsafe { libc::ioctl(self.raw_fd(), libc::FIONREAD, &mut n) };
        if r < 0 { 0 } else { n }
    }

    /// Whether the peer ended its stream or the connection was reset (the
    /// kernel's state; this side's own `shutdown` is not it).
    fn peer_finished(&self) -> bool {
        self.stream.broken.load(Ordering::Relaxed) != 0
            || self.tcp_state().is_some_and(|s| PEER_FINISHED.contains(&s))
    }

    /// The `pollfd` events that tell every stream event ([`Self::note_stream_arrival`]).
    const ALL_STREAM_EVENTS: i16 = libc::POLLIN | libc::POLLPRI | libc::POLLRDHUP;

    /// The events a stream socket has pending when its record becomes live
    /// (events from before the selection are reported: `test_connect_events`
    /// "connect, then select", `test_accept_events` case 5,
    /// `test_close_events` case 5).
    pub(super) fn record_stream_state(&self, record: &mut EventRecord) {
        self.refresh_connect();
        let state = self.state.load(Ordering::Acquire);
        if state & LISTENING != 0 {
            if self.ready_now(libc::POLLIN).data {
                record.record(abi::FD_ACCEPT, 0);
            }
            return;
        }
        if state & CONNECT_FAILED != 0 {
            record.record(abi::FD_CONNECT, self.connect_failure());
            return;
        }
        if state & CONNECTED == 0 || state & CONNECTING != 0 {
            return;
        }
        // An accepted socket never reports FD_CONNECT (`test_connect_events`).
        let connected = if state & ACCEPTED != 0 {
            abi::FD_WRITE
        } else {
            abi::FD_CONNECT | abi::FD_WRITE
        };
        record.record(connected, 0);
        record.received_mark = 0;
        self.record_arrivals(record);
    }

    /// A watched stream socket's fd signalled (the reactor): a connection
    /// (`FD_ACCEPT`), data (`FD_READ`), an urgent byte (`FD_OOB`), the
    /// peer's end or a reset (`FD_CLOSE`, once). Each arrival records
    /// again, re-enabled or not (`test_read_events` case 3,
    /// `test_accept_events` case 2).
    pub(super) fn note_stream_arrival(&self, record: &mut EventRecord) {
        if self.is_listening() {
            if self.ready_now(libc::POLLIN).data {
                record.record(abi::FD_ACCEPT, 0);
            }
            return;
        }
        if self.has(CONNECTED) && !self.has(CONNECTING) {
            self.record_arrivals(record);
        }
    }

    fn record_arrivals(&self, record: &mut EventRecord) {
        let now = self.ready_now(Self::ALL_STREAM_EVENTS);
        // Only bytes that came since the last look record FD_READ/FD_OOB.
        let received = self.tcp_info().map_or(u64::MAX, |i| {
            // The kernel counts the peer's FIN as a byte received.
            let fin = PEER_FIN_RECEIVED.contains(&i.tcpi_state);
            i.tcpi_bytes_received.saturating_sub(fin as u64)
        });
        let new_bytes = received != record.received_mark;
        record.received_mark = received;
        if now.data && new_bytes {
            record.record(abi::FD_READ, 0);
        }
        if now.oob && new_bytes {
            record.record(abi::FD_OOB, 0);
        }
        // The peer's end behind this side's own shutdown(SD_RECEIVE) is
        // the kernel's state to tell (`test_close_events` case 3).
        let finished = now.eof || now.reset || (self.has(SHUT_RECV) && self.peer_finished());
        if !record.close_recorded && finished {
            record.close_recorded = true;
            // After a reset Windows reports WSAECONNABORTED (`test_close_events` case 7).
            let reset = now.reset || self.stream.broken.load(Ordering::Relaxed) != 0;
            record.record(abi::FD_CLOSE, if reset { abi::WSAECONNABORTED } else { 0 });
        }
    }

    /// After a stream receive call (it re-enables `FD_READ` and `FD_OOB`):
    /// each is consumed and recorded again while its condition holds
    /// (`test_read_events` case 4, `test_oob_events` case 3).
    pub(super) fn reenable_stream_read(&self, record: &mut EventRecord) {
        record.pending &= !(abi::FD_READ | abi::FD_OOB);
        let now = self.ready_now(Self::ALL_STREAM_EVENTS);
        if now.data {
            record.record(abi::FD_READ, 0);
        }
        if now.oob {
            record.record(abi::FD_OOB, 0);
        }
    }

    /// After `accept`/`WSAAccept` on a listener (not one a condition
    /// function deferred): `FD_ACCEPT` is consumed and recorded again while
    /// a connection waits (`test_accept_events` case 3).
    pub(crate) fn note_accepted(&self) {
        if !self.events_live() {
            return;
        }
        let mut record = self.event_record();
        record.pending &= !abi::FD_ACCEPT;
        if self.ready_now(libc::POLLIN).data {
            record.record(abi::FD_ACCEPT, 0);
        }
    }

    /// A watched connect ended (the reactor): `FD_CONNECT`, with `FD_WRITE`
    /// when it succeeded or with the failure's code (`test_connect_events`).
    /// False while it goes on.
    pub(crate) fn note_connect_done(&self, record: &mut EventRecord) -> bool {
        self.refresh_connect();
        let state = self.state.load(Ordering::Acquire);
        if state & CONNECTING != 0 {
            return false;
        }
        record.connect_watched = false;
        if state & CONNECT_FAILED != 0 {
            record.record(abi::FD_CONNECT, self.connect_failure());
        } else if state & CONNECTED != 0 {
            record.record(abi::FD_CONNECT | abi::FD_WRITE, 0);
        }
        true
    }
}
