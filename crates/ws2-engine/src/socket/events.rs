//! What a socket is ready for, and the record of its network events
//! (`WSAEventSelect`, SPEC P1) kept by the socket's own operations.
//!
//! Readiness as Windows answers it for a datagram socket: *readable* when a
//! receive would complete at once (a datagram is queued in the kernel, data
//! is buffered in user space — see [`SocketCore::buffered_in_user_space`] —
//! or an ICMP error is waiting to be reported, S19); *writable* when a send
//! would not block (the kernel has buffer space and no overlapped send is
//! queued ahead, S34).
//!
//! The record ([`EventRecord`]) follows the rules the research sheet draws
//! from Wine's Windows-run `test_events` and Microsoft's `WSAEventSelect`
//! page: an event that happens is added to `pending` (whether or not it is
//! selected) and signals the associated event object when selected;
//! `WSAEnumNetworkEvents` reports and clears the selected ones; the calls
//! that re-enable an event consume its pending bit and record it again if
//! its condition still holds (a receive with data left: `FD_READ` again).
//! The socket's operations call the `note_*` methods here; they cost one
//! load of the state word until the socket's record is live (its first
//! `WSAEventSelect`). Arrivals are recorded by the reactor (the `io` layer
//! watches a live socket), address changes by `addr_changes`.
//! Stream-only events (`FD_ACCEPT`, `FD_CLOSE` with its error, `FD_OOB`,
//! `FD_CONNECT`'s error) use the same record and `record`.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::completion::Event;
use crate::error::{Error, Result, errno};
use crate::fork::{Locked, lock};

use super::*;

/// What [`SocketCore::ready_from`] found. `read`, `write` and (`oob` or
/// `connect_failed`) are `select`'s three sets; `data`, `oob`, `write`,
/// `eof`/`reset`/`connect_failed` are `WSAPoll`'s `POLLRDNORM`,
/// `POLLRDBAND`, `POLLWRNORM`, `POLLHUP`/`POLLERR` (stream sockets:
/// `stream_ready.rs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ready {
    /// The socket was closed (`closesocket`).
    pub closed: bool,
    /// A receive (or `accept`) would complete at once: data, a connection,
    /// an error to report, a stream's end or reset.
    pub read: bool,
    /// A send would not block (a stream's: would be taken whole).
    pub write: bool,
    /// Data (or a connection) waits: `FD_READ` (`FD_ACCEPT`), `POLLRDNORM`.
    /// A datagram socket's `read`.
    pub data: bool,
    /// An urgent byte waits out of band (`SO_OOBINLINE` off).
    pub oob: bool,
    /// The peer ended its stream (gracefully).
    pub eof: bool,
    /// The connection was reset or aborted.
    pub reset: bool,
    /// The last `connect` failed.
    pub connect_failed: bool,
}

/// A socket's network events (`WSAEventSelect`).
#[derive(Default)]
pub struct EventRecord {
    /// The selected events (`lNetworkEvents`; 0: no association).
    pub mask: u32,
    /// The associated event object.
    pub event: Option<Arc<Event>>,
    /// Events that happened and were not reported yet (selected or not).
    pub pending: u32,
    /// `iErrorCode` of each pending event, by `FD_*_BIT`.
    pub errors: [i32; abi::FD_MAX_EVENTS as usize],
    /// A non-overlapped send failed with `WSAEWOULDBLOCK`: `FD_WRITE` is
    /// recorded when the socket is writable again.
    pub write_wanted: bool,
    /// The serial of the reactor whose epoll set watches the socket for
    /// arrivals (0: none); the `io` layer's bookkeeping.
    pub watched_by: u64,
    /// A stream connect is watched: `FD_CONNECT` is due when it ends.
    pub connect_watched: bool,
    /// `FD_CLOSE` was recorded for this connection (it is, once).
    pub close_recorded: bool,
    /// The stream's received-bytes count when its arrivals were last
    /// recorded: a wake that brought no byte (the peer's FIN) records no
    /// `FD_READ` (`test_close_events` case 4).
    pub received_mark: u64,
}

impl EventRecord {
    /// Records `events` (each with `error` as its `iErrorCode`) and
    /// signals the event object if any of them is selected.
    pub fn record(&mut self, events: u32, error: i32) {
        if let Some(e) = self.record_unsignalled(events, error) {
            e.set();
        }
    }

    /// Records `events` as [`record`](Self::record) does and returns the
    /// event object to signal instead of signalling it: a change recorded
    /// for several sockets is recorded for all before any waiter wakes.
    pub fn record_unsignalled(&mut self, events: u32, error: i32) -> Option<Arc<Event>> {
        self.pending |= events;
        for bit in 0..abi::FD_MAX_EVENTS {
            if events & (1 << bit) != 0 {
                self.errors[bit as usize] = error;
            }
        }
        if events & self.mask != 0 {
            self.event.clone()
        } else {
            None
        }
    }
}

impl SocketCore {
    /// The socket's network-event record, locked.
    pub fn event_record(&self) -> Locked<'_, EventRecord> {
        lock(self.events.get_or_init(Default::default))
    }

    /// Whether the record is kept (the socket's first `WSAEventSelect`
    /// made it live; it stays so until the socket closes).
    #[inline]
    pub fn events_live(&self) -> bool {
        self.has(EVENTS_LIVE)
    }

    /// Whether an event selection is active (`WSAEventSelect` with a
    /// non-zero mask): `FIONBIO` 0 is then refused.
    pub fn events_selected(&self) -> bool {
        self.has(EVENTS_SELECTED)
    }

    /// Marks the record live and the selection active or not.
    pub fn set_events_state(&self, selected: bool) {
        self.state.fetch_or(EVENTS_LIVE, Ordering::AcqRel);
        if selected {
            self.state.fetch_or(EVENTS_SELECTED, Ordering::AcqRel);
        } else {
            self.state.fetch_and(!EVENTS_SELECTED, Ordering::AcqRel);
        }
    }

    /// Records network events (`addr_changes` and the reactor): pending
    /// whether or not the socket is live yet.
    pub fn record_network_events(&self, events: u32, error: i32) {
        self.event_record().record(events, error);
    }

    /// Records the events a socket that becomes live has pending already
    /// (events from before the selection are reported: `test_connect_events`
    /// "connect, then select", `test_read_events` "send data while we're
    /// not selecting"): for a datagram socket, `FD_WRITE` once bound
    /// (`test_WSAEnumNetworkEvents`: a bound UDP socket, never an unbound
    /// one), `FD_CONNECT` once connected, `FD_READ` while readable; a
    /// stream socket's are `stream_ready.rs`'s.
    pub fn record_current_state(&self, record: &mut EventRecord) {
        if self.kind == SocketKind::Stream {
            self.record_stream_state(record);
        } else {
            record.record(self.events_of_current_state(), 0);
        }
    }

    fn events_of_current_state(&self) -> u32 {
        let mut events = 0;
        if self.has(BOUND) {
            events |= abi::FD_WRITE;
        }
        if self.has(CONNECTED) {
            events |= abi::FD_CONNECT | abi::FD_WRITE;
        }
        if self.readable_now() {
            events |= abi::FD_READ;
        }
        events
    }

    /// After a receive call (the recv family re-enables `FD_READ`): the
    /// pending `FD_READ` is consumed and recorded again while data remains
    /// (`test_read_events`: recv 2 of 10 bytes → `FD_READ`; the last byte
    /// → nothing).
    #[inline]
    pub(crate) fn note_received(&self) {
        if self.events_live() {
            self.reenable_read();
        }
    }

    #[cold]
    fn reenable_read(&self) {
        let mut r = self.event_record();
        if self.kind == SocketKind::Stream {
            self.reenable_stream_read(&mut r);
            return;
        }
        r.pending &= !abi::FD_READ;
        if self.readable_now() {
            r.record(abi::FD_READ, 0);
        }
    }

    /// After `connect`: `FD_CONNECT` and `FD_WRITE`, also for UDP
    /// (`test_connect_events`, "Test with UDP sockets").
    pub(crate) fn note_connected(&self) {
        if self.events_live() {
            self.record_network_events(abi::FD_CONNECT | abi::FD_WRITE, 0);
        }
    }

    /// After a bind (explicit or by a first send): a bound datagram socket
    /// can send, `FD_WRITE` (`test_WSAEnumNetworkEvents`).
    pub(crate) fn note_bound(&self) {
        // A bound stream socket has nothing to report (`test_WSAEnumNetworkEvents`).
        if self.events_live() && self.kind != SocketKind::Stream {
            self.record_network_events(abi::FD_WRITE, 0);
        }
    }

    /// A non-overlapped send failed with `WSAEWOULDBLOCK`: `FD_WRITE` is
    /// due when space frees (Microsoft's `WSAEventSelect` page). True if
    /// the socket is live, so the caller watches for writability.
    pub fn note_send_would_block(&self) -> bool {
        if !self.events_live() {
            return false;
        }
        self.event_record().write_wanted = true;
        true
    }

    /// Data a receive will return at once that is already read out of the
    /// kernel and buffered in user space: `Some(bytes)` when there is some
    /// (a buffered empty datagram is `Some(0)`), `None` when there is none.
    /// This is the one place `select`, `WSAPoll`, `WSAEventSelect` and
    /// `FIONREAD` learn of it (SPEC S44: what is left of a coalesced run a
    /// receive did not take counts as readable, though the kernel's queue
    /// may be empty). The URO receive path keeps it (`socket/uro.rs`) and
    /// wakes the socket's waiters (`wake_waiters`) when it stores some, so a
    /// `select` blocked on the socket looks again. One atomic load while
    /// nothing is held.
    #[inline]
    pub fn buffered_in_user_space(&self) -> Option<usize> {
        self.residue_bytes()
    }

    /// What a poll of the socket's fd (`POLLIN` when `read`, and
    /// [`SocketCore::poll_write_events`] when `write`) says it is ready
    /// for, reading its state once: closed, or readable (a queued datagram,
    /// user-space data, or an ICMP error to report; a `POLLERR` makes ws2
    /// collect the error queue, so it does not repeat) and writable.
    #[inline]
    pub fn ready_from(&self, revents: i16, read: bool, write: bool) -> Ready {
        let state = self.state.load(Ordering::Acquire);
        if state & CLOSED != 0 {
            return Ready {
                closed: true,
                ..Ready::default()
            };
        }
        if self.kind == SocketKind::Stream {
            return self.stream_ready_from(revents, state, write);
        }
        let mut ready = Ready::default();
        if read {
            ready.read = revents & (libc::POLLIN | libc::POLLRDHUP) != 0
                || self.buffered_in_user_space().is_some()
                || self.icmp_error_ready(revents, state);
        } else if revents & libc::POLLERR != 0 && self.kind == SocketKind::Datagram {
            self.collect_icmp_errors();
        }
        if write {
            ready.write = revents & libc::POLLOUT != 0 && self.queued.load(Ordering::Acquire) == 0;
        }
        ready.data = ready.read;
        ready
    }

    /// Whether a receive would fail at once with an error (`state`: the
    /// socket's state word).
    fn icmp_error_ready(&self, revents: i16, state: u64) -> bool {
        if revents & libc::POLLERR != 0 {
            if self.kind != SocketKind::Datagram {
                // The next receive fails at once with the socket's error.
                return true;
            }
            self.collect_icmp_errors();
        }
        self.icmp_error_to_report(state)
    }

    /// What to poll for writability: `POLLOUT` unless overlapped sends are
    /// queued (a send then waits its turn, S34; the reactor wakes the
    /// socket's waiters as they complete) or a stream's backlog holds bytes
    /// (a send would not be taken whole; the reactor wakes the waiters as
    /// it writes them).
    pub fn poll_write_events(&self) -> i16 {
        if self.queued.load(Ordering::Acquire) == 0
            && (self.kind != SocketKind::Stream || lock(&self.stream.backlog).is_empty())
        {
            libc::POLLOUT
        } else {
            0
        }
    }

    /// Whether a receive would complete at once (one `poll` of the fd).
    pub fn readable_now(&self) -> bool {
        self.ready_now(libc::POLLIN).data
    }

    /// Whether a send would not block (one `poll` of the fd).
    pub fn writable_now(&self) -> bool {
        self.ready_now(libc::POLLOUT).write
    }

    /// What the socket is ready for now (one `poll` of its fd for `events`).
    pub(super) fn ready_now(&self, events: i16) -> Ready {
        let mut p = libc::pollfd {
            // Group datagrams wait on the receive set (P4).
            fd: if events & libc::POLLIN != 0 {
                self.readable_fd()
            } else {
                self.raw_fd()
            },
            events,
            revents: 0,
        };
        // SAFETY: p is a valid pollfd.
        unsafe { libc::poll(&mut p, 1, 0) };
        self.ready_from(
            p.revents,
            events & libc::POLLIN != 0,
            events & libc::POLLOUT != 0,
        )
    }

    /// The epoll instance that tells the socket's arrivals (P1), made on
    /// first use: the socket's fd in it, edge-triggered on `EPOLLIN` (a
    /// stream's also on `EPOLLPRI` and `EPOLLRDHUP`), so each arrival
    /// reports once. The reactor watches it, and whoever reads the record
    /// (`WSAEventSelect`, `WSAEnumNetworkEvents`) takes what it holds first
    /// ([`SocketCore::collect_arrivals`]): an arrival is recorded before
    /// the record is read, never after, as Windows records it. A fork child
    /// makes its own (an epoll instance is shared across `fork`).
    pub(crate) fn events_fd(&self) -> Result<RawFd> {
        let generation = crate::fork::generation();
        let mut slot = lock(&self.events_fd);
        if let Some((fd, g)) = &*slot
            && *g == generation
        {
            return Ok(fd.as_raw_fd());
        }
        // SAFETY: epoll_create1 has no pointer arguments.
        let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if ep < 0 {
            return Err(Error::resource(
                errno(),
                "an epoll instance for the socket's arrivals (WSAEventSelect)",
            ));
        }
        // SAFETY: ep is a fresh descriptor we own.
        let owned = unsafe { OwnedFd::from_raw_fd(ep) };
        self.watch_own_arrivals(ep)?;
        // A parent's instance this child inherited is closed here (its own copy).
        *slot = Some((owned, generation));
        Ok(ep)
    }

    /// Puts the socket's fd in its arrivals instance `ep`; also after a new
    /// kernel socket took the fd's place (`AcceptEx`, `TF_REUSE_SOCKET`).
    pub(super) fn watch_own_arrivals(&self, ep: RawFd) -> Result<()> {
        let stream = if self.kind == SocketKind::Stream {
            libc::EPOLLPRI | libc::EPOLLRDHUP
        } else {
            0
        };
        let mut ev = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLET | stream) as u32,
            u64: 0,
        };
        // SAFETY: ev is a valid epoll_event; both fds are open.
        if unsafe { libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, self.raw_fd(), &mut ev) } < 0
            && errno() != libc::EEXIST
        {
            return Err(Error::resource(
                errno(),
                "epoll_ctl(EPOLL_CTL_ADD) for the socket's arrivals (WSAEventSelect)",
            ));
        }
        Ok(())
    }

    /// Adds `fd` (a multicast receive set, P4) to the socket's arrivals
    /// instance, if it has one: its datagrams are arrivals too. Adding it
    /// again is harmless.
    pub(crate) fn add_to_arrivals(&self, fd: RawFd) -> Result<()> {
        let Some(ep) = self.events_fd_if_open() else {
            return Ok(());
        };
        let mut ev = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLET) as u32,
            u64: 1,
        };
        // SAFETY: ev is a valid epoll_event; both fds are open.
        if unsafe { libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, fd, &mut ev) } < 0
            && errno() != libc::EEXIST
        {
            return Err(Error::resource(
                errno(),
                "epoll_ctl(EPOLL_CTL_ADD) of a receive set for the socket's arrivals",
            ));
        }
        Ok(())
    }

    pub(crate) fn events_fd_if_open(&self) -> Option<RawFd> {
        let generation = crate::fork::generation();
        lock(&self.events_fd)
            .as_ref()
            .filter(|(_, g)| *g == generation)
            .map(|(fd, _)| fd.as_raw_fd())
    }

    /// Records what arrived since the last look (the epoll instance of
    /// [`SocketCore::events_fd`] says whether anything did): a datagram
    /// socket's `FD_READ` while readable, unless overlapped receives are
    /// queued (`receives_queued`: they take the data, and Windows records
    /// no `FD_READ` for it, `test_read_events`); a stream's events
    /// (`SocketCore::note_stream_arrival`).
    pub fn collect_arrivals(&self, record: &mut EventRecord, receives_queued: bool) {
        let Some(ep) = self.events_fd_if_open() else {
            return;
        };
        // Two: the socket's own fd and its multicast receive set (P4).
        let mut ev = [libc::epoll_event { events: 0, u64: 0 }; 2];
        // SAFETY: ev is a valid array of two epoll_events; timeout 0.
        if unsafe { libc::epoll_wait(ep, ev.as_mut_ptr(), 2, 0) } <= 0 {
            return;
        }
        if self.kind == SocketKind::Stream {
            self.note_stream_arrival(record);
        } else if !receives_queued && self.readable_now() {
            record.record(abi::FD_READ, 0);
        }
    }
}
