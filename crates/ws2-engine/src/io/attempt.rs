//! The waits for buffer space of a blocking
//! call (alertable, S35; `SO_SNDTIMEO`, `FIONBIO`: S16, S17).

use std::sync::atomic::Ordering;
use std::time::Instant;

use ws2_abi as abi;

use crate::completion::{self};
use crate::error::{Error, Result};
use crate::ops::SendPlan;
use crate::socket::{SendFailure, SocketCore, interrupted, wait_fd};

use super::queues::queued_now;

/// Sends one Linux message, waiting alertably for buffer space (unless
/// FIONBIO). `None` when overlapped sends got queued while we waited.
pub(super) fn send_one_waiting(
    core: &SocketCore,
    msg: &libc::msghdr,
    plan: &SendPlan<'_>,
    deadline: Option<Instant>,
) -> Result<Option<usize>> {
    let mut woken = false;
    loop {
        match core.try_sendmsg(msg, plan.flags) {
            Ok(n) => return Ok(Some(n)),
            Err(SendFailure::Errno(e)) => return Err(core.send_error(e, plan.cmsg)),
            Err(SendFailure::WouldBlock) if core.is_nonblocking() => return Err(would_block()),
            Err(SendFailure::WouldBlock) if woken => {
                // Woken without room to send: POLLERR from an ICMP error
                // (S19). Collect it, or the wait would spin. Not read on
                // the first EAGAIN, which has not waited yet.
                core.collect_icmp_errors();
            }
            Err(SendFailure::WouldBlock) => {}
        }
        if core.queued.load(Ordering::Acquire) != 0 {
            return Ok(None);
        }
        let ready = wait_fd(core, libc::POLLOUT, deadline)?;
        match ready {
            Some(true) => woken = true,
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
    crate::error::static_error!(
        abi::WSAEWOULDBLOCK,
        "the socket is non-blocking (FIONBIO) and the send cannot complete now"
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
