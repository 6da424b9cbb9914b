//! Threads blocked on a socket: woken when its operations complete or it
//! closes, and the alertable waits of blocking calls (S35).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use ws2_abi as abi;

use crate::completion::{self, Delivery, PortBound, Waitable, deliver};
use crate::error::{Error, Result};
use crate::fork::lock;

use super::*;

impl SocketCore {
    /// Marks the socket closed (`closesocket`): every later call fails.
    pub(crate) fn mark_closed(&self) {
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
    }

    pub(crate) fn wake_waiters(&self) {
        // Pairs with the fence in `add_waiter`: either the waiter sees the
        // new status on its re-check, or we see it registered (Dekker).
        std::sync::atomic::fence(Ordering::SeqCst);
        if self.waiter_count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let waiters = crate::fork::lock(&self.waiters);
        for w in waiters.iter() {
            w.wake();
        }
    }
}

impl PortBound for SocketCore {
    #[inline]
    fn port(&self) -> Option<&(Arc<completion::Port>, usize)> {
        SocketCore::port(self)
    }
    #[inline]
    fn skips_port_on_success(&self) -> bool {
        SocketCore::skips_port_on_success(self)
    }
}

/// Socket waiters (WSAGetOverlappedResult, blocked calls) wait on the socket.
impl Waitable for SocketCore {
    fn add_waiter(&self, waker: &Arc<completion::ThreadWaker>) {
        let mut w = lock(&self.waiters);
        completion::add_waker(&mut w, waker);
        self.waiter_count.store(w.len(), Ordering::Relaxed);
        drop(w);
        // Pairs with the fence in `wake_waiters`: the caller re-checks its
        // condition after this, so a completion is never missed.
        std::sync::atomic::fence(Ordering::SeqCst);
    }
    fn remove_waiter(&self, waker: &Arc<completion::ThreadWaker>) {
        let mut w = lock(&self.waiters);
        if completion::remove_waker(&mut w, waker) {
            self.waiter_count.store(w.len(), Ordering::Relaxed);
        }
    }
}

/// Waits for readability (blocking receives), alertably (S35).
pub(crate) fn wait_readable(core: &SocketCore, deadline: Option<Instant>) -> Result<bool> {
    completion::check_not_nested_in_blocking_call()?;
    match wait_fd_of(core, core.readable_fd(), libc::POLLIN, deadline)? {
        Some(true) => Ok(true),
        Some(false) => Err(interrupted()),
        None => Ok(false),
    }
}

/// A blocking call's alertable wait (S35) for `events` on the socket's fd:
/// `Some(true)` ready, `Some(false)` the socket was closed, `None` timed out.
pub(crate) fn wait_fd(
    core: &SocketCore,
    events: libc::c_short,
    deadline: Option<Instant>,
) -> Result<Option<bool>> {
    wait_fd_of(core, core.raw_fd(), events, deadline)
}

/// [`wait_fd`] on `fd`: the socket's own, or its receive set (P4).
fn wait_fd_of(
    core: &SocketCore,
    fd: RawFd,
    events: libc::c_short,
    deadline: Option<Instant>,
) -> Result<Option<bool>> {
    completion::blocking_call_wait(&[core], deadline, Some((fd, events)), || {
        if core.is_closed() {
            return Some(false);
        }
        // What a coalesced run left in user space is readable too (S44).
        if events & libc::POLLIN != 0 && core.buffered_in_user_space().is_some() {
            return Some(true);
        }
        let mut p = libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        // SAFETY: p is a valid pollfd.
        (unsafe { libc::poll(&mut p, 1, 0) } > 0).then_some(true)
    })
}

pub(crate) fn interrupted() -> Error {
    Error::new(
        abi::WSAEINTR,
        "the socket was closed while this call was blocked on it",
    )
}

/// Delivers one completion (S29–S33, S36, S38). `immediate` marks a send
/// that succeeded at call time (for `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`).
pub fn complete(
    core: Option<&SocketCore>,
    delivery: Delivery,
    result: Result<usize>,
    immediate: bool,
) {
    deliver(core, delivery, result, immediate, None);
    // An immediate completion happens before the call returns: nobody can
    // be waiting on it yet, so only deferred ones wake the socket's waiters.
    if !immediate && let Some(core) = core {
        core.wake_waiters();
    }
}
