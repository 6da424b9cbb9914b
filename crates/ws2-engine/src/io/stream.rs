//! Stream sends (SPEC P8) with Windows' rule, which Linux does not share:
//! a **non-blocking** send takes the whole buffer or fails with
//! `WSAEWOULDBLOCK`, never part of it; a **blocking** send returns once
//! every byte is taken (research-streams.md A5, D1–D2: Wine's Windows-run
//! `test_send_buffering` and afd.c `test_poll`).
//!
//! What the kernel does not take of a non-blocking send waits in the
//! socket's user-space backlog (`socket::stream`), written in order, before
//! any later send, as the socket drains: by the next send, or by the
//! reactor (`drain::drain_stream`), which holds the socket while bytes wait.
//! A send is accepted while the backlog is empty and the kernel takes at
//! least a byte (its buffer is the socket's send buffer), so the backlog
//! holds at most one send's remainder; a send longer than
//! [`max_stream_backlog`] is refused with `WSAENOBUFS` (Windows was seen
//! taking 50 MiB at once). The backlog outlives `closesocket` and
//! `shutdown` (the FIN follows it) unless the close is abortive (`SO_LINGER
//! {1, 0}`), is no pending I/O request (`SIO_FLUSH` and thread exit leave it
//! alone), and a fork child forgets its parent's. The process's exit waits
//! for the backlogs of closed streams while they move (Windows' kernel sends
//! them after the process is gone).
//!
//! Overlapped sends on streams queue behind the backlog in the socket's
//! send FIFO and complete once all their bytes are taken
//! (`stream_overlapped`); a later send, of either kind, waits for them.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use ws2_abi as abi;

use crate::completion::{self, deadline_after};
use crate::error::{Error, Result};
use crate::fork::lock;
use crate::ops::SendQueue;
use crate::socket::{SocketCore, interrupted, wait_fd};

use super::attempt::{timed_out, would_block};
use super::drain;
use super::queues::send_queue;
use super::reactor::Direction;
use super::stream_write::{Done, advance, gather_from, pump, write_buffers};

/// The largest non-blocking stream send ws2 takes whole (bytes): the
/// most one send may leave in user space. The environment variable
/// `WS2_MAX_STREAM_BACKLOG` changes it for the process.
pub const DEFAULT_MAX_STREAM_BACKLOG: usize = 64 << 20;

/// The limit in force (see [`DEFAULT_MAX_STREAM_BACKLOG`]).
pub fn max_stream_backlog() -> usize {
    static LIMIT: OnceLock<usize> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("WS2_MAX_STREAM_BACKLOG")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(DEFAULT_MAX_STREAM_BACKLOG)
    })
}

/// `send`/`WSASend` on a stream socket (`iov`: the caller's buffers;
/// `oob`: `MSG_OOB`, the last byte urgent; `dontroute`: `MSG_DONTROUTE`).
/// Returns the whole length, or an error with nothing taken (see the
/// module docs).
pub fn send_stream(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    oob: bool,
    dontroute: bool,
) -> Result<usize> {
    core.check_stream_io(true)?;
    let total: usize = iov.iter().map(|v| v.iov_len).sum();
    if total == 0 {
        return Ok(0);
    }
    let flags = if dontroute { libc::MSG_DONTROUTE } else { 0 };
    if core.is_nonblocking() {
        let sent = send_whole_or_nothing(core, iov, total, oob, flags);
        if sent
            .as_ref()
            .is_err_and(|e| e.code() == abi::WSAEWOULDBLOCK)
        {
            // FD_WRITE is due when a send would be taken whole again (P1).
            super::watch::send_would_block(core);
        }
        sent
    } else {
        send_all(core, iov, total, oob, flags)
    }
}

/// A non-blocking send: all of it (the rest into the backlog), or
/// `WSAEWOULDBLOCK` with nothing taken.
fn send_whole_or_nothing(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    total: usize,
    oob: bool,
    flags: i32,
) -> Result<usize> {
    let limit = max_stream_backlog();
    if total > limit {
        return Err(Error::new(
            abi::WSAENOBUFS,
            format!(
                "a non-blocking send of {total} bytes is more than ws2 buffers for a stream \
                 ({limit} bytes, WS2_MAX_STREAM_BACKLOG): send it in parts"
            ),
        ));
    }
    let mut q = send_queue(core);
    let mut b = lock(&core.stream.backlog);
    let mut done = Done::new(core);
    let pumped = pump(core, &mut q, &mut b, &mut done);
    let idle = b.is_empty() && q.ops.is_empty();
    if !done.is_empty() {
        drop((q, b));
        done.deliver();
        // Re-check under the locks: another send may have come meanwhile.
        return match pumped {
            Err(e) => Err(e),
            Ok(()) => send_whole_or_nothing(core, iov, total, oob, flags),
        };
    }
    pumped?;
    if !idle {
        return Err(would_block());
    }
    let n = write_buffers(core, iov, total, oob, flags)?;
    if n == total {
        return Ok(total);
    }
    if n == 0 {
        return Err(would_block());
    }
    let mut rest = Vec::new();
    if rest.try_reserve_exact(total - n).is_err() {
        // No memory for the rest: the part the kernel took is all that
        // was sent, and the count says so (the only partial count).
        return Ok(n);
    }
    gather_from(iov, n, &mut rest);
    b.push(rest, oob);
    if arm(core, &mut q).is_err() {
        // No reactor to write the rest (no thread or fd could be had):
        // as above, only what the kernel took was sent.
        b.clear();
        return Ok(n);
    }
    Ok(total)
}

/// A blocking send: waits (alertably, S35; `SO_SNDTIMEO` → `WSAETIMEDOUT`;
/// `closesocket` → `WSAEINTR`) until every byte is taken, after the bytes
/// the backlog holds.
fn send_all(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    total: usize,
    oob: bool,
    flags: i32,
) -> Result<usize> {
    let deadline = deadline_after(core.send_timeout_ms());
    let mut rest: Option<Vec<libc::iovec>> = None;
    let mut done = 0;
    loop {
        {
            let mut q = send_queue(core);
            let mut b = lock(&core.stream.backlog);
            let mut completed = Done::new(core);
            let pumped = pump(core, &mut q, &mut b, &mut completed);
            if !completed.is_empty() {
                drop((q, b));
                completed.deliver();
                pumped?;
                continue;
            }
            pumped?;
            if b.is_empty() && q.ops.is_empty() {
                let cur = rest.as_deref().unwrap_or(iov);
                let n = write_buffers(core, cur, total - done, oob, flags)?;
                done += n;
                if done == total {
                    return Ok(total);
                }
                if n > 0 {
                    let mut v = Vec::new();
                    advance(cur, n, &mut v);
                    rest = Some(v);
                }
            }
        }
        completion::check_not_nested_in_blocking_call()?;
        match wait_fd(core, libc::POLLOUT, deadline)? {
            Some(true) => {}
            Some(false) => return Err(interrupted()),
            None => return Err(timed_out(core)),
        }
        core.check_stream_io(true)?;
    }
}

/// Has the reactor write the backlog as the socket drains: what that
/// needs (the reactor, the fd in its epoll set) is had first (S20).
pub(super) fn arm(core: &Arc<SocketCore>, q: &mut SendQueue) -> Result<()> {
    let r = drain::reactor()?;
    if q.in_epoll != r.serial {
        r.add(core, core.raw_fd(), Direction::Send)?;
        q.in_epoll = r.serial;
    }
    if !q.registered {
        // Held before armed: the reactor finds the socket when it fires.
        r.hold(core, Direction::Send);
        if let Err(e) = r.arm(core, core.raw_fd(), Direction::Send) {
            r.release(core, Direction::Send);
            return Err(e);
        }
        q.registered = true;
    }
    Ok(())
}

/// At `closesocket` (P8): whether the reactor goes on writing the socket's
/// backlog (a graceful close sends it: the kernel's own close, with its
/// FIN, happens when the reactor lets go). An abortive close drops it and
/// resets.
pub(super) fn drains_after_close(core: &SocketCore) -> bool {
    if !core.is_stream() {
        return false;
    }
    if core.closes_abortively() {
        core.abort_on_close();
        core.reset_closed_stream();
        return false;
    }
    let _q = send_queue(core);
    if lock(&core.stream.backlog).is_empty() {
        core.end_closed_stream();
        return false;
    }
    wait_for_closed_backlogs_at_exit();
    true
}

/// How long the process's exit waits for closed streams' backlogs without
/// seeing a byte move (a peer that stopped reading) before it lets them go.
const EXIT_DRAIN_STALL: Duration = Duration::from_secs(5);

/// Has the process's exit (`exit`, a return from `main`, `ExitProcess`)
/// wait for the backlogs of streams closed gracefully: Windows' kernel goes
/// on sending what `closesocket` accepted after the process is gone, and
/// here those bytes live in this process until the reactor writes them.
fn wait_for_closed_backlogs_at_exit() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: atexit stores a plain function pointer; the function
        // lives as long as the library (an `atexit` in a shared object is
        // run when it is unloaded).
        unsafe { libc::atexit(drain_closed_backlogs) };
    });
}

/// The exit handler: waits while closed streams still hold backlog bytes
/// and they keep moving; once the backlog is in the kernel, its own close
/// sends it, FIN last.
extern "C" fn drain_closed_backlogs() {
    let Some(r) = super::reactor::current() else {
        return; // a fork child: the parent's reactor writes its backlogs
    };
    let mut least = usize::MAX;
    let mut moved = Instant::now();
    loop {
        let waiting = closed_backlog_bytes(r);
        if waiting == 0 {
            return;
        }
        if waiting < least {
            least = waiting;
            moved = Instant::now();
        } else if moved.elapsed() >= EXIT_DRAIN_STALL {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Bytes the backlogs of closed streams still hold (the reactor holds
/// such a socket until its backlog is written).
fn closed_backlog_bytes(r: &super::reactor::Reactor) -> usize {
    let held: Vec<Arc<SocketCore>> = lock(&r.sockets)
        .values()
        .map(|(core, _)| core.clone())
        .collect();
    held.iter()
        .filter(|core| core.is_stream() && core.is_closed())
        .map(|core| lock(&core.stream.backlog).len())
        .sum()
}

impl SocketCore {
    /// `closesocket`'s linger on a stream socket (Windows' rules): with
    /// `SO_LINGER {1, n > 0}` and bytes not yet sent and acknowledged, a
    /// blocking socket waits (alertably) up to `n` seconds for them, then
    /// resets if they are still there; a non-blocking one fails with
    /// `WSAEWOULDBLOCK` and stays open (call `closesocket` again). Every
    /// other close returns at once (a graceful one sends the backlog in
    /// the background).
    pub fn close_lingering(&self) -> Result<()> {
        if !self.is_stream() || self.is_closed() {
            return Ok(());
        }
        let l = self.linger();
        if l.l_onoff == 0 || l.l_linger == 0 {
            return Ok(());
        }
        let unsent = || !lock(&self.stream.backlog).is_empty() || self.unacknowledged() > 0;
        if !unsent() {
            return Ok(());
        }
        if self.is_nonblocking() {
            return Err(Error::new(
                abi::WSAEWOULDBLOCK,
                format!(
                    "SO_LINGER of {} s on a non-blocking socket with data not yet sent: \
                     the socket stays open, call closesocket again",
                    l.l_linger
                ),
            ));
        }
        completion::check_not_nested_in_blocking_call()?;
        let deadline = Instant::now() + Duration::from_secs(l.l_linger as u64);
        // The kernel signals nothing when the peer acknowledges: look again
        // every few milliseconds (a closing path, not a hot one).
        while unsent() {
            let now = Instant::now();
            if now >= deadline {
                self.abort_on_close();
                break;
            }
            let step = deadline.min(now + Duration::from_millis(5));
            completion::blocking_call_wait(&[self], Some(step), None, || None::<()>)?;
        }
        Ok(())
    }
}
