//! Stream (TCP) sockets (SPEC P8): what Windows answers that the kernel's
//! state does not say, kept beside it. A `connect` in progress and how it
//! ended (`SO_ERROR` keeps a refusal until the next success), the listener,
//! the peer named at `connect` (Windows answers `getpeername` while
//! connecting), a connection `WSAAccept` deferred (`CF_DEFER`), the reset
//! that stays reported (Linux reports it once), linger as Windows reads it,
//! and the user-space send backlog that lets a non-blocking send take the
//! whole buffer (its writer and the reactor's drain are the `io` layer's).
//! Sources: research-streams.md part A (Wine's Windows-run `sock.c`
//! `test_listen`, `test_accept`, `test_connect`, `test_connecting_socket`,
//! `test_shutdown`, `test_tcp_reset`, `test_send_buffering`; Microsoft's
//! `connect`, `accept`, `WSAAccept`, `shutdown` and `closesocket` pages).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicUsize, Ordering};

use ws2_abi as abi;

use crate::completion;
use crate::error::{Error, Result, errno};
use crate::fork::lock;
use crate::translate::LinuxAddr;

use super::*;

/// What a stream socket keeps beyond the kernel's state.
#[derive(Default)]
pub(crate) struct StreamState {
    /// The Windows code of the last failed `connect` (blocking ones too),
    /// for readiness (`exceptfds`, `FD_CONNECT`).
    pub(super) connect_failure: AtomicI32,
    /// `WSAECONNRESET` or `WSAECONNABORTED` once the connection broke:
    /// every later receive and send reports it (Linux reports it once).
    pub(super) broken: AtomicI32,
    /// Windows' `LINGER`: `l_onoff | l_linger << 16`.
    pub(super) linger: AtomicU32,
    /// `closesocket` found a linger timeout expired: the close resets.
    abort_on_close: AtomicBool,
    /// The peer named at `connect` or returned by `accept`.
    pub(super) peer: Mutex<Option<SocketAddr>>,
    /// When the connection was made (`SO_CONNECT_TIME`).
    pub(super) connected_at: Mutex<Option<std::time::Instant>>,
    /// A connection `WSAAccept`'s condition function deferred: the next
    /// accept takes it first.
    pub(super) deferred: Mutex<Option<(OwnedFd, SocketAddr)>>,
    /// Bytes non-blocking sends took that the kernel did not yet.
    pub(crate) backlog: Mutex<Backlog>,
    /// Overlapped sends taken off the send queue (under its lock) whose
    /// completions are not delivered yet (`io::stream_write::Done`): with
    /// an empty queue, 0 means every completion was delivered.
    pub(crate) sends_undelivered: AtomicUsize,
    /// The `AcceptEx` this socket waits in as its accept socket
    /// (`stream_ex.rs`): its listener and OVERLAPPED.
    pub(super) accept_ex: Mutex<Option<(std::sync::Weak<SocketCore>, usize)>>,
}

/// The user-space send backlog of a stream socket: what non-blocking
/// sends accepted beyond the kernel's buffer, in order, and whether a
/// `shutdown(SD_SEND)` waits behind it.
#[derive(Default)]
pub struct Backlog {
    chunks: VecDeque<Chunk>,
    bytes: usize,
    /// `shutdown(SD_SEND)` came while bytes were buffered: the FIN follows them.
    fin_pending: bool,
}

struct Chunk {
    data: Vec<u8>,
    sent: usize,
    /// The send was `MSG_OOB`: its last byte is urgent.
    oob: bool,
}

impl Backlog {
    /// Bytes buffered.
    pub fn len(&self) -> usize {
        self.bytes
    }

    /// Nothing buffered.
    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }

    /// Appends the rest of a send (`oob`: its last byte is urgent).
    pub(crate) fn push(&mut self, data: Vec<u8>, oob: bool) {
        self.bytes += data.len();
        self.chunks.push_back(Chunk { data, sent: 0, oob });
    }

    /// Forgets everything (an abortive close, a broken connection, a fork
    /// child whose parent owns these bytes).
    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
        self.bytes = 0;
        self.fin_pending = false;
    }
}

/// What `WSAAccept`'s condition function decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptDecision {
    /// `CF_ACCEPT`: the connection becomes a socket.
    Accept,
    /// `CF_REJECT`: the connection is reset; `WSAECONNREFUSED`.
    Reject,
    /// `CF_DEFER`: the connection stays first in line; `WSATRY_AGAIN`.
    Defer,
    /// Any other value: `WSAEINVAL`, and the connection stays first in line.
    Invalid(i32),
}

/// `WSAAccept`'s condition function, given the peer and the local address.
pub type AcceptCondition<'a> = dyn FnMut(&SocketAddr, &SocketAddr) -> AcceptDecision + 'a;

/// The kernel's TCP states this module reads (`tcp_info.tcpi_state`).
const TCP_SYN_SENT: u8 = 2;
const TCP_SYN_RECV: u8 = 3;
const TCP_CLOSE: u8 = 7;

fn not_connected() -> Error {
    Error::new(abi::WSAENOTCONN, "the stream socket is not connected")
}

impl SocketCore {
    /// Whether this is a stream socket.
    #[inline]
    pub fn is_stream(&self) -> bool {
        self.has(STREAM)
    }

    /// Whether `listen` made this stream socket a listener (`SO_ACCEPTCONN`).
    pub fn is_listening(&self) -> bool {
        self.has(LISTENING)
    }

    pub(super) fn tcp_state(&self) -> Option<u8> {
        self.tcp_info().map(|i| i.tcpi_state)
    }

    /// The kernel's `TCP_INFO` of the socket.
    pub(super) fn tcp_info(&self) -> Option<libc::tcp_info> {
        // SAFETY: tcp_info is plain data; zeroed is valid.
        let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
        let mut len = size_of::<libc::tcp_info>() as libc::socklen_t;
        // SAFETY: passes a live tcp_info and its length.
        let r = unsafe {
            libc::getsockopt(
                self.raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                (&raw mut info).cast(),
                &mut len,
            )
        };
        (r == 0).then_some(info)
    }

    /// A `connect` in progress looks at the kernel: established (the socket
    /// is connected), still trying, or failed (its error is kept for
    /// `SO_ERROR`, which Windows does not clear on reading). Only called
    /// while `CONNECTING` is set.
    pub(crate) fn refresh_connect(&self) {
        if !self.has(CONNECTING) {
            return;
        }
        match self.tcp_state() {
            Some(TCP_SYN_SENT | TCP_SYN_RECV) | None => {}
            Some(TCP_CLOSE) => {
                // Reading SO_ERROR consumes it: one thread at a time.
                let _peer = lock(&self.stream.peer);
                if !self.has(CONNECTING) {
                    return;
                }
                let e = self
                    .int_option(libc::SOL_SOCKET, libc::SO_ERROR, "getsockopt(SO_ERROR)")
                    .unwrap_or(libc::ECONNABORTED);
                if e == libc::ECONNRESET || e == libc::EPIPE {
                    // It connected and was reset before anyone looked.
                    self.stream
                        .broken
                        .store(abi::WSAECONNRESET, Ordering::Release);
                    self.connected_now();
                    return;
                }
                let code = abi::wsa_from_errno(if e == 0 { libc::ECONNABORTED } else { e });
                // SO_ERROR: Windows keeps it (reading does not clear it) until a
                // connect succeeds.
                self.so_error.store(code as u32, Ordering::Release);
                self.stream.connect_failure.store(code, Ordering::Release);
                self.state.fetch_and(!CONNECTING, Ordering::AcqRel);
                self.state.fetch_or(CONNECT_FAILED, Ordering::AcqRel);
            }
            Some(_) => self.connected_now(),
        }
    }

    fn connected_now(&self) {
        lock(&self.stream.connected_at).get_or_insert_with(std::time::Instant::now);
        self.so_error.store(0, Ordering::Release);
        self.stream.connect_failure.store(0, Ordering::Release);
        self.state
            .fetch_and(!(CONNECTING | CONNECT_FAILED), Ordering::AcqRel);
        self.state.fetch_or(CONNECTED | BOUND, Ordering::AcqRel);
    }

    /// `connect` on a stream socket, as Windows answers it: a listener is
    /// `WSAEINVAL`, a connected socket `WSAEISCONN`, a connect in progress
    /// `WSAEALREADY`; a non-blocking socket gets `WSAEWOULDBLOCK` (even on
    /// loopback); a blocking one waits, alertably (S35), until the kernel
    /// connects or gives up (Windows applies no `SO_SNDTIMEO` to connect).
    /// After a failure the same socket may connect again.
    pub(crate) fn connect_stream(&self, addr: &SocketAddr) -> Result<()> {
        if self.begin_connect(addr)? {
            self.note_connected();
            return Ok(());
        }
        if self.is_nonblocking() {
            return Err(Error::new(
                abi::WSAEWOULDBLOCK,
                "the socket is non-blocking: the connect goes on in the background",
            ));
        }
        let result = self.wait_connected();
        // A blocking connect's end is an event too (recorded while the
        // selection's mask is 0, reported once selected).
        if self.events_live() {
            match &result {
                Ok(()) => self.note_connected(),
                Err(e) if self.has(CONNECT_FAILED) => {
                    self.record_network_events(abi::FD_CONNECT, e.code())
                }
                Err(_) => {}
            }
        }
        result
    }

    /// The checks of `connect` and the kernel's `connect`, without waiting:
    /// whether the socket connected at once (else it is connecting).
    pub(crate) fn begin_connect(&self, addr: &SocketAddr) -> Result<bool> {
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if self.is_listening() {
            return Err(Error::new(abi::WSAEINVAL, "connect on a listening socket"));
        }
        if self.in_accept_ex() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "connect on a socket that waits in an AcceptEx",
            ));
        }
        self.refresh_connect();
        if self.has(CONNECTED_EX) {
            // test_connect: connect after a ConnectEx (before
            // SO_UPDATE_CONNECT_CONTEXT) is WSAEINVAL.
            return Err(Error::new(
                abi::WSAEINVAL,
                "connect on a socket ConnectEx connected",
            ));
        }
        if self.has(CONNECTED) {
            return Err(Error::new(
                abi::WSAEISCONN,
                "the socket is already connected",
            ));
        }
        if self.has(CONNECTING) {
            return Err(Error::new(
                abi::WSAEALREADY,
                "a connect on this socket is already in progress",
            ));
        }
        if addr.ip().is_unspecified() || addr.port() == 0 {
            return Err(Error::new(
                abi::WSAEADDRNOTAVAIL,
                format!("{addr} is not an address to connect to (any-address or port 0)"),
            ));
        }
        let la = self.linux_addr(addr, self.state.load(Ordering::Acquire))?;
        if self.has(CONNECT_FAILED) {
            self.forget_failed_connect();
        }
        // SAFETY: la holds a valid sockaddr of la.len() bytes.
        let r = unsafe { libc::connect(self.raw_fd(), la.as_ptr(), la.len()) };
        let e = if r < 0 { errno() } else { 0 };
        if e != 0 && e != libc::EINPROGRESS {
            let err = Error::from_errno(
                if e == libc::EINVAL {
                    libc::ENETUNREACH
                } else {
                    e
                },
                "connect",
            );
            self.stream
                .connect_failure
                .store(err.code(), Ordering::Release);
            self.state.fetch_or(CONNECT_FAILED, Ordering::AcqRel);
            return Err(err);
        }
        *lock(&self.stream.peer) = Some(*addr);
        let v4 = match addr {
            SocketAddr::V4(_) => true,
            SocketAddr::V6(a) => a.ip().to_ipv4_mapped().is_some(),
        };
        self.state.fetch_and(!PEER_V4, Ordering::Relaxed);
        self.state.fetch_or(
            BOUND | CONNECTING | if v4 { PEER_V4 } else { 0 },
            Ordering::AcqRel,
        );
        // A select waiting on this socket looks at it again.
        self.wake_waiters();
        if e == 0 {
            self.connected_now();
            return Ok(true);
        }
        Ok(false)
    }

    /// A blocking connect's wait (alertable, S35; `closesocket` → `WSAEINTR`).
    /// A failure is the call's error; `SO_ERROR` then reads 0, as on Windows.
    fn wait_connected(&self) -> Result<()> {
        completion::check_not_nested_in_blocking_call()?;
        loop {
            self.refresh_connect();
            if self.has(CONNECTED) {
                return Ok(());
            }
            if self.has(CONNECT_FAILED) {
                let code = self.so_error.swap(0, Ordering::AcqRel) as i32;
                return Err(Error::new(
                    code,
                    format!("connect failed: {}", failure_text(code)),
                ));
            }
            match wait_fd(self, libc::POLLOUT, None)? {
                Some(true) | None => {}
                Some(false) => return Err(interrupted()),
            }
        }
    }

    /// Lets the kernel forget a failed connect: its socket is then like a
    /// fresh bound one, so it may connect or listen again, as on Windows.
    /// The local address stays bound.
    fn forget_failed_connect(&self) {
        disconnect(self.raw_fd());
        self.state.fetch_and(!CONNECT_FAILED, Ordering::AcqRel);
    }

    /// The error of the last failed connect, 0 if none (for readiness:
    /// `exceptfds`, `FD_CONNECT`).
    pub fn connect_failure(&self) -> i32 {
        self.refresh_connect();
        if self.has(CONNECT_FAILED) {
            self.stream.connect_failure.load(Ordering::Acquire)
        } else {
            0
        }
    }

    /// Whether the last stream `connect` failed (and nothing since made
    /// the kernel forget it).
    pub(crate) fn connect_failed(&self) -> bool {
        self.refresh_connect();
        self.has(CONNECT_FAILED)
    }

    /// Whether a stream `connect` is still in progress.
    pub fn is_connecting(&self) -> bool {
        self.refresh_connect();
        self.has(CONNECTING)
    }

    /// The peer of a stream socket: named at `connect` (also while it is in
    /// progress) or returned by `accept`.
    pub(crate) fn stream_peer(&self) -> Result<SocketAddr> {
        self.refresh_connect();
        if !self.has(CONNECTED | CONNECTING) || self.is_listening() {
            return Err(not_connected());
        }
        lock(&self.stream.peer).ok_or_else(not_connected)
    }

    /// `listen`: `WSAEOPNOTSUPP` on a datagram socket, `WSAEISCONN` on a
    /// connected one, `WSAEINVAL` unbound (Linux would bind it); twice is
    /// fine. `backlog`: `SOMAXCONN`, a count, or `SOMAXCONN_HINT(n)` (a
    /// negative value, `n` clamped to 200..65535).
    pub fn listen(&self, backlog: i32) -> Result<()> {
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if !self.is_stream() {
            return Err(Error::new(
                abi::WSAEOPNOTSUPP,
                "listen works on stream (SOCK_STREAM) sockets only",
            ));
        }
        self.refresh_connect();
        if self.has(CONNECTED) {
            return Err(Error::new(abi::WSAEISCONN, "the socket is connected"));
        }
        if self.has(CONNECTING) {
            return Err(Error::new(abi::WSAEINVAL, "a connect is in progress"));
        }
        if !self.is_bound() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "listen on a socket that is not bound: bind it first",
            ));
        }
        if self.has(CONNECT_FAILED) {
            self.renew_after_failed_connect()?;
        }
        let linux = match backlog {
            abi::SOMAXCONN => libc::SOMAXCONN,
            b if b < 0 => (-(b as i64)).clamp(200, 65535) as i32,
            b => b,
        };
        // SAFETY: listen has no pointer arguments.
        cvt(unsafe { libc::listen(self.raw_fd(), linux) }, "listen")?;
        self.state.fetch_or(LISTENING, Ordering::AcqRel);
        self.wake_waiters(); // a select waiting on it looks again
        Ok(())
    }

    /// `accept`/`WSAAccept`: the next connection as a new socket that has
    /// the listener's settings (`FIONBIO`, timeouts, linger, `IPV6_V6ONLY`;
    /// the kernel copies `SO_KEEPALIVE`, `SO_OOBINLINE`, `TCP_NODELAY`, the
    /// buffer sizes), and its peer. `decide` is `WSAAccept`'s condition
    /// function (peer, local address): a deferred connection stays first in
    /// line for the next call. A blocking listener waits alertably (S35);
    /// `closesocket` of the listener wakes it (`WSAEINTR`).
    /// Every call but one a condition function deferred re-enables
    /// `FD_ACCEPT` (Microsoft's `WSAEventSelect` page).
    pub fn accept(
        &self,
        decide: Option<&mut AcceptCondition<'_>>,
    ) -> Result<(SocketCore, SocketAddr)> {
        let result = self.accept_next(decide);
        if !result
            .as_ref()
            .is_err_and(|e| e.code() == abi::WSATRY_AGAIN)
        {
            self.note_accepted();
        }
        result
    }

    fn accept_next(
        &self,
        mut decide: Option<&mut AcceptCondition<'_>>,
    ) -> Result<(SocketCore, SocketAddr)> {
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if !self.is_stream() {
            return Err(Error::new(
                abi::WSAEOPNOTSUPP,
                "accept works on stream (SOCK_STREAM) sockets only",
            ));
        }
        if !self.is_listening() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "accept on a socket that is not listening: call listen first",
            ));
        }
        let (fd, peer) = self.next_connection()?;
        if let Some(decide) = decide.as_mut() {
            let local = self.local_addr()?;
            match decide(&peer, &local) {
                AcceptDecision::Accept => {}
                AcceptDecision::Reject => {
                    reset(&fd);
                    return Err(Error::new(
                        abi::WSAECONNREFUSED,
                        "the condition function rejected the connection (CF_REJECT)",
                    ));
                }
                AcceptDecision::Defer => {
                    *lock(&self.stream.deferred) = Some((fd, peer));
                    return Err(Error::new(
                        abi::WSATRY_AGAIN,
                        "the condition function deferred the connection (CF_DEFER)",
                    ));
                }
                AcceptDecision::Invalid(v) => {
                    *lock(&self.stream.deferred) = Some((fd, peer));
                    return Err(Error::new(
                        abi::WSAEINVAL,
                        format!(
                            "the condition function returned {v}, not CF_ACCEPT, CF_REJECT or CF_DEFER"
                        ),
                    ));
                }
            }
        }
        Ok((self.accepted(fd, peer), peer))
    }

    /// Whether a connection `WSAAccept` deferred waits (the listener is
    /// readable for it).
    pub fn has_deferred_connection(&self) -> bool {
        lock(&self.stream.deferred).is_some()
    }

    /// The deferred connection, or the kernel's next one (waiting unless
    /// `FIONBIO`).
    fn next_connection(&self) -> Result<(OwnedFd, SocketAddr)> {
        loop {
            if let Some(c) = self.try_next_connection()? {
                return Ok(c);
            }
            if self.is_nonblocking() {
                return Err(crate::error::static_error!(
                    abi::WSAEWOULDBLOCK,
                    "the socket is non-blocking (FIONBIO) and no connection is waiting"
                ));
            }
            completion::check_not_nested_in_blocking_call()?;
            if let Some(false) = wait_fd(self, libc::POLLIN, None)? {
                return Err(interrupted());
            }
            if self.is_closed() {
                return Err(interrupted());
            }
        }
    }

    /// The deferred connection, or the kernel's next one; `None` when none
    /// waits.
    pub(super) fn try_next_connection(&self) -> Result<Option<(OwnedFd, SocketAddr)>> {
        if let Some(d) = lock(&self.stream.deferred).take() {
            return Ok(Some(d));
        }
        loop {
            let mut la = LinuxAddr::empty();
            // SAFETY: la is a sockaddr_storage with its length.
            let fd = unsafe {
                libc::accept4(
                    self.raw_fd(),
                    la.as_mut_ptr(),
                    la.len_mut(),
                    libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                )
            };
            if fd >= 0 {
                // SAFETY: a fresh descriptor we own.
                let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                let Some(peer) = la.to_socket_addr() else {
                    continue; // not IPv4/IPv6: cannot be (a TCP listener of ours)
                };
                return Ok(Some((fd, peer)));
            }
            match errno() {
                libc::EINTR | libc::ECONNABORTED => continue,
                libc::EAGAIN => return Ok(None),
                e => return Err(Error::from_errno(e, "accept")),
            }
        }
    }

    /// The socket of an accepted connection, with what Windows' accepted
    /// sockets take from their listener and the kernel does not copy.
    fn accepted(&self, fd: OwnedFd, peer: SocketAddr) -> SocketCore {
        let core =
            SocketCore::from_parts(fd, self.family, self.kind, self.protocol, self.overlapped);
        let v4 = match peer {
            SocketAddr::V4(_) => true,
            SocketAddr::V6(a) => a.ip().to_ipv4_mapped().is_some(),
        };
        // An accepted socket has the listener's options (Windows); the kernel
        // copies SO_OOBINLINE and its own, ws2 copies the bits it keeps.
        let inherited = self.state.load(Ordering::Acquire)
            & (NONBLOCKING | V6ONLY | OOB_INLINE | REUSE_ADDR | DEBUG);
        core.state.store(
            STREAM | BOUND | CONNECTED | ACCEPTED | inherited | if v4 { PEER_V4 } else { 0 },
            Ordering::Release,
        );
        core.set_send_timeout_ms(self.send_timeout_ms());
        core.set_recv_timeout_ms(self.recv_timeout_ms());
        core.set_socket_tos(self.socket_tos());
        core.stream.linger.store(
            self.stream.linger.load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
        *lock(&core.stream.peer) = Some(peer);
        *lock(&core.stream.connected_at) = Some(std::time::Instant::now());
        core
    }

    /// The checks of a stream receive or send, in Windows' order: closed,
    /// not connected (a listener, a connect in progress or failed), reset,
    /// shut down in that direction.
    #[inline]
    pub(crate) fn check_stream_io(&self, sending: bool) -> Result<()> {
        let state = self.state.load(Ordering::Acquire);
        let shut = if sending { SHUT_SEND } else { SHUT_RECV };
        if state & (CLOSED | LISTENING | CONNECTING | shut) != 0
            || state & CONNECTED == 0
            || self.stream.broken.load(Ordering::Relaxed) != 0
        {
            return self.stream_io_refusal(sending);
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn stream_io_refusal(&self, sending: bool) -> Result<()> {
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        self.refresh_connect();
        if !self.has(CONNECTED) || self.is_listening() {
            return Err(not_connected());
        }
        let broken = self.stream.broken.load(Ordering::Acquire);
        if broken != 0 {
            return Err(broken_error(broken));
        }
        if self.has(if sending { SHUT_SEND } else { SHUT_RECV }) {
            return Err(Error::new(
                abi::WSAESHUTDOWN,
                if sending {
                    "the socket was shut down for sending"
                } else {
                    "the socket was shut down for receiving"
                },
            ));
        }
        Ok(())
    }

    /// The error of a failed stream receive or send (`errno`): a reset or
    /// an abort is kept and reported by every later call (Linux reports it
    /// once, then reads end of stream and sends `EPIPE`); the caller drops
    /// the backlog if it holds it. `sending` maps
    /// `EPIPE` (the connection is gone: this side's own shutdown is checked
    /// before the kernel is asked) to the reset Windows reports.
    pub(crate) fn stream_failed(&self, e: i32, sending: bool) -> Error {
        let code = match e {
            libc::ECONNRESET => abi::WSAECONNRESET,
            libc::EPIPE if sending => abi::WSAECONNRESET,
            // The peer closed, then reset what this side sent after.
            libc::EPIPE | libc::ECONNABORTED | libc::ETIMEDOUT => abi::WSAECONNABORTED,
            _ => return Error::from_errno(e, if sending { "send" } else { "recv" }),
        };
        let _ = self
            .stream
            .broken
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire);
        broken_error(self.stream.broken.load(Ordering::Acquire))
    }

    /// Whether the connection broke (reset or aborted): the code every
    /// receive and send now reports, else 0.
    pub fn stream_broken(&self) -> i32 {
        self.stream.broken.load(Ordering::Acquire)
    }

    /// `shutdown` on a stream socket: `WSAENOTCONN` unless connected (a
    /// listener included: Linux would stop it); `SD_SEND` sends the FIN
    /// after the bytes the backlog still holds (Windows sends queued data
    /// first); repeating it is fine.
    pub(crate) fn shutdown_stream(&self, how: i32, linux: i32, bits: u64) -> Result<()> {
        self.refresh_connect();
        if !self.has(CONNECTED) || self.is_listening() {
            return Err(not_connected());
        }
        let mut fin_now = linux != libc::SHUT_RD;
        if fin_now {
            // Queued overlapped sends (P8) go before the FIN too; the send
            // queue is locked first, as the senders lock it.
            let q = lock(&self.queue);
            let mut b = lock(&self.stream.backlog);
            let ours = self.queue_generation.load(Ordering::Relaxed) == crate::fork::generation();
            if ours && (!b.is_empty() || !q.ops.is_empty()) {
                b.fin_pending = true;
                fin_now = false;
            }
        }
        let linux = match (how, fin_now) {
            (_, true) => linux,
            (abi::SD_BOTH, false) => libc::SHUT_RD,
            (_, false) => -1,
        };
        // The bits first: the reactor, woken by the kernel's shutdown, must
        // see that this side's own shutdown ended its receiving, not the
        // peer (no FD_CLOSE, `test_close_events`).
        let before = self.state.fetch_or(bits, Ordering::AcqRel);
        if linux >= 0 {
            // SAFETY: shutdown has no pointer arguments.
            let r = unsafe { libc::shutdown(self.raw_fd(), linux) };
            // A connection the peer already ended (CLOSE) is still one
            // Windows shuts down with success.
            if r < 0 && errno() != libc::ENOTCONN {
                let err = Error::last_os("shutdown");
                self.state.fetch_and(!(bits & !before), Ordering::AcqRel);
                return Err(err);
            }
        }
        Ok(())
    }

    /// Writes the backlog to the kernel, in order, until it is empty or
    /// the kernel's buffer is full; then the FIN a `shutdown(SD_SEND)`
    /// left waiting, unless overlapped sends are still queued behind the
    /// backlog (`ops_queued`: they go first). A failure breaks the
    /// connection (see [`SocketCore::stream_failed`]) and drops the backlog.
    pub(crate) fn write_backlog(&self, b: &mut Backlog, ops_queued: bool) -> Result<()> {
        while let Some(chunk) = b.chunks.front_mut() {
            let rest = &chunk.data[chunk.sent..];
            // An urgent send goes as its bytes, then its last byte urgent,
            // so the urgent pointer marks that byte whatever the kernel takes.
            let (len, flags) = if chunk.oob && rest.len() == 1 {
                (1, libc::MSG_OOB)
            } else if chunk.oob {
                (rest.len() - 1, 0)
            } else {
                (rest.len(), 0)
            };
            match send_now(self.raw_fd(), &rest[..len], flags) {
                Ok(0) => return Ok(()),
                Ok(n) => {
                    chunk.sent += n;
                    b.bytes -= n;
                    if chunk.sent == chunk.data.len() {
                        b.chunks.pop_front();
                    }
                }
                Err(e) => {
                    b.clear();
                    return Err(self.stream_failed(e, true));
                }
            }
        }
        if ops_queued {
            return Ok(());
        }
        if self.is_closed() {
            self.end_closed_stream();
        } else if std::mem::take(&mut b.fin_pending) {
            // SAFETY: shutdown has no pointer arguments.
            unsafe { libc::shutdown(self.raw_fd(), libc::SHUT_WR) };
        }
        Ok(())
    }

    /// Ends the connection of a closed stream socket now, gracefully: the
    /// kernel's own close waits for the last reference to the fd (a Rust
    /// clone, a thread waking from a call), and Windows' `closesocket` does
    /// not wait for those. A listener stops listening.
    pub(crate) fn end_closed_stream(&self) {
        // SAFETY: shutdown has no pointer arguments.
        unsafe { libc::shutdown(self.raw_fd(), libc::SHUT_RDWR) };
    }

    /// Makes the coming close abortive (a linger timeout expired, or
    /// `SO_LINGER {1, 0}`): the backlog is dropped and the kernel resets.
    pub(crate) fn abort_on_close(&self) {
        self.stream.abort_on_close.store(true, Ordering::Release);
        reset_on_close(self.raw_fd());
        lock(&self.stream.backlog).clear();
    }

    /// Resets the connection of a closed stream socket now (see
    /// [`SocketCore::end_closed_stream`] for why not at the kernel's close):
    /// `connect(AF_UNSPEC)` disconnects with a reset.
    pub(crate) fn reset_closed_stream(&self) {
        disconnect(self.raw_fd());
    }

    /// Whether the close resets (see [`SocketCore::abort_on_close`]).
    pub(crate) fn closes_abortively(&self) -> bool {
        let l = self.linger();
        self.stream.abort_on_close.load(Ordering::Acquire) || (l.l_onoff != 0 && l.l_linger == 0)
    }

    /// Bytes the kernel holds that the peer has not acknowledged (`SIOCOUTQ`).
    pub(crate) fn unacknowledged(&self) -> usize {
        let mut n: libc::c_int = 0;
        // SAFETY: SIOCOUTQ writes one c_int to a valid pointer.
        let r = unsafe { libc::ioctl(self.raw_fd(), libc::TIOCOUTQ, &mut n) };
        if r < 0 { 0 } else { n as usize }
    }
}

/// One non-blocking `send` of a stream's bytes (never `SIGPIPE`): the count
/// the kernel took (0: its buffer is full), or the errno.
pub(crate) fn send_now(
    fd: libc::c_int,
    bytes: &[u8],
    flags: i32,
) -> std::result::Result<usize, i32> {
    loop {
        // SAFETY: bytes is a live slice of its length.
        let n = unsafe {
            crate::sys::send(
                fd,
                bytes.as_ptr().cast(),
                bytes.len(),
                flags | libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT,
            )
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        match errno() {
            libc::EINTR => continue,
            libc::EAGAIN => return Ok(0),
            e => return Err(e),
        }
    }
}

/// `connect(AF_UNSPEC)`: the kernel disconnects the socket (with a reset
/// if it was connected) and it may connect or listen again.
fn disconnect(fd: libc::c_int) {
    let unspec = libc::sockaddr {
        sa_family: libc::AF_UNSPEC as libc::sa_family_t,
        sa_data: [0; 14],
    };
    // SAFETY: a valid AF_UNSPEC sockaddr and its size.
    unsafe { libc::connect(fd, &unspec, size_of::<libc::sockaddr>() as libc::socklen_t) };
}

/// Sets the kernel's abortive linger: closing `fd` then resets the connection.
fn reset_on_close(fd: libc::c_int) {
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: passes a live struct linger and its size.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const l).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        )
    };
}

/// Resets a connection that will not become a socket (`CF_REJECT`).
fn reset(fd: &OwnedFd) {
    reset_on_close(fd.as_raw_fd());
}

fn broken_error(code: i32) -> Error {
    Error::new(
        code,
        if code == abi::WSAECONNRESET {
            "the connection was reset by the peer"
        } else {
            "the connection was aborted (the peer reset it after closing, or it timed out)"
        },
    )
}

fn failure_text(code: i32) -> &'static str {
    match code {
        abi::WSAECONNREFUSED => "refused (nothing listens there)",
        abi::WSAETIMEDOUT => "timed out",
        abi::WSAENETUNREACH => "network unreachable",
        abi::WSAEHOSTUNREACH => "host unreachable",
        _ => "the kernel gave up",
    }
}
