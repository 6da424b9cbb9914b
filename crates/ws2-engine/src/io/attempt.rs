//! One `sendmsg` attempt, and the waits for buffer space of a blocking
//! call (alertable, S35; `SO_SNDTIMEO`, `FIONBIO`: S16, S17).

use std::sync::atomic::Ordering;
use std::time::Instant;

use ws2_abi as abi;

use crate::completion::{self};
use crate::error::{Error, Result, errno};
use crate::ops::SendPlan;
use crate::socket::{SocketCore, SocketKind, interrupted, message_len, wait_fd};

use super::queues::queued_now;

/// Failure of one `sendmsg`: a Winsock error, or an errno to interpret.
pub(crate) enum SendFailure {
    WouldBlock,
    Errno(i32),
}

/// One `sendmsg` attempt; `ECONNREFUSED` (an ICMP error from an earlier
/// datagram) drops this datagram in Linux, so it is sent again: Windows
/// keeps sends succeeding (S19). Other threads' datagrams may draw new ICMP
/// errors between retries; each retry consumes one, so a bounded number of
/// them always ends.
pub(super) fn try_send(
    core: &SocketCore,
    msg: &libc::msghdr,
    flags: i32,
) -> std::result::Result<usize, SendFailure> {
    let mut refusals = 0;
    loop {
        // SAFETY: msg describes buffers, name and control valid for this call.
        let n = core.with_send_flags(flags, |flags| unsafe {
            libc::sendmsg(core.raw_fd(), msg, flags | libc::MSG_NOSIGNAL)
        });
        if n >= 0 {
            return Ok(n as usize);
        }
        match errno() {
            libc::EINTR => continue,
            libc::EAGAIN => return Err(SendFailure::WouldBlock),
            libc::ECONNREFUSED | libc::EHOSTUNREACH if refusals < 64 => {
                // An earlier datagram's ICMP error: keep it for the next
                // receive (S19) and send this one again.
                refusals += 1;
                if !core.collect_icmp_errors() {
                    core.note_icmp_reset();
                }
            }
            libc::ENOBUFS if counts_local_drops_as_sent(core) => return Ok(message_len(msg)),
            e => {
                return core
                    .windows_send_outcome(e, msg)
                    .map_err(SendFailure::Errno);
            }
        }
    }
}

/// S42: a datagram the local interface queue drops counts as sent. Linux
/// reports such a drop as `ENOBUFS` only to a UDP socket with
/// `IP_RECVERR`/`IPV6_RECVERR` (`udp_send_skb` swallows it otherwise),
/// which ws2 sets for ICMP reporting (S19); a socket without it, like a
/// Windows one, reports every datagram sent. `ENOBUFS` from an allocation
/// that failed before the datagram was built cannot be told apart here; it
/// is lost the same way and counts as sent too. Raw sockets keep the error
/// (they have no `IP_RECVERR`, so theirs is never a queue drop).
pub(super) fn counts_local_drops_as_sent(core: &SocketCore) -> bool {
    core.kind() == SocketKind::Datagram
}

/// Sends one Linux message, waiting alertably for buffer space (unless
/// FIONBIO). `None` when overlapped sends got queued while we waited.
pub(super) fn send_one_waiting(
    core: &SocketCore,
    msg: &libc::msghdr,
    plan: &SendPlan<'_>,
    deadline: Option<Instant>,
) -> Result<Option<usize>> {
    loop {
        match try_send(core, msg, plan.flags) {
            Ok(n) => return Ok(Some(n)),
            Err(SendFailure::Errno(e)) => {
                return Err(core.send_error(e, plan.controls, plan.to_v4));
            }
            Err(SendFailure::WouldBlock) if core.is_nonblocking() => return Err(would_block()),
            Err(SendFailure::WouldBlock) => {
                // Keep POLLERR from an ICMP error from spinning the wait.
                core.collect_icmp_errors();
            }
        }
        if core.queued.load(Ordering::Acquire) != 0 {
            return Ok(None);
        }
        let ready = wait_fd(core, libc::POLLOUT, deadline)?;
        match ready {
            Some(true) => continue,
            Some(false) => return Err(interrupted()),
            None => return Err(timed_out(core)),
        }
    }
}

/// Waits (alertably, as a blocking call: S35) until the socket's send FIFO
/// is empty; `WSAEWOULDBLOCK` on a non-blocking socket, `WSAETIMEDOUT` at
/// the deadline.
pub(super) fn wait_queue_empty(core: &SocketCore, deadline: Option<Instant>) -> Result<()> {
    if queued_now(core) == 0 {
        return Ok(());
    }
    if core.is_nonblocking() {
        return Err(would_block());
    }
    completion::check_not_nested_in_blocking_call()?;
    let emptied = completion::blocking_call_wait(&[core], deadline, None, || {
        (core.is_closed() || core.queued.load(Ordering::Acquire) == 0).then_some(())
    })?;
    match emptied {
        Some(()) if core.is_closed() => Err(interrupted()),
        Some(()) => Ok(()),
        None => Err(timed_out(core)),
    }
}

pub(super) fn would_block() -> Error {
    Error::new(
        abi::WSAEWOULDBLOCK,
        "the socket is non-blocking (FIONBIO) and the send cannot complete now",
    )
}

pub(super) fn timed_out(core: &SocketCore) -> Error {
    Error::new(
        abi::WSAETIMEDOUT,
        format!(
            "SO_SNDTIMEO of {} ms expired with the send buffer full",
            core.send_timeout_ms()
        ),
    )
}
