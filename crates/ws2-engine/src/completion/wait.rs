//! The one waiting loop: every wait of ws2 (events, ports, blocking calls,
//! `SleepEx`) runs here, alertable or not.

use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result, errno};

use super::thread::{ThreadWaker, current_thread, run_apcs, running_apcs};

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waited<R> {
    /// The condition held.
    Done(R),
    /// The timeout passed.
    TimedOut,
    /// Completion routines ran (alertable waits only): `WAIT_IO_COMPLETION`.
    IoCompletion,
}

/// Something a thread can wait on: it keeps a list of wakers to wake.
pub trait Waitable {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>);
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>);
}

/// Waits until `check` yields, the deadline passes, or (when `alertable`)
/// routines were queued to this thread, which then run. `also_fd` is
/// polled too (a socket waiting to become writable) and re-checks `check`.
/// Routines already running on this thread make every wait non-alertable,
/// so routines never nest (S34).
///
/// A wait with `also_fd` polls it together with the thread's eventfd, so
/// it fails (`WSAEMFILE`/`WSAENOBUFS`) when no eventfd can be made; every
/// other wait then sleeps on the thread's futex word instead, and never
/// fails.
pub fn wait_until<R>(
    sources: &[&dyn Waitable],
    deadline: Option<Instant>,
    alertable: bool,
    also_fd: Option<(RawFd, libc::c_short)>,
    mut check: impl FnMut() -> Option<R>,
) -> Result<Waited<R>> {
    let mut fds = [
        libc::pollfd {
            fd: -1,
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: also_fd.map_or(-1, |(fd, _)| fd),
            events: also_fd.map_or(0, |(_, ev)| ev),
            revents: 0,
        },
    ];
    let n = if also_fd.is_some() { 2 } else { 1 };
    wait_polling(sources, deadline, alertable, &mut fds[..n], |_| check())
}

/// [`wait_until`] polling any number of fds: `fds[0]` is the thread's wake
/// fd (filled in here), `fds[1..]` the caller's, whose `revents` `check`
/// sees after each `poll` (before the first one they are as given); it may
/// take an fd out (-1) for the next `poll`. With
/// fds of its own the wait needs the eventfd (`WSAEMFILE`/`WSAENOBUFS`
/// without one); `EINTR` polls again for the time that is left.
pub fn wait_polling<R>(
    sources: &[&dyn Waitable],
    deadline: Option<Instant>,
    alertable: bool,
    fds: &mut [libc::pollfd],
    mut check: impl FnMut(&mut [libc::pollfd]) -> Option<R>,
) -> Result<Waited<R>> {
    let me = current_thread();
    let alertable = alertable && !running_apcs();
    let polls_fds = fds.len() > 1;
    let wake_fd = match me.waker.ensure_fd() {
        Ok(fd) => Some(fd),
        Err(e) if polls_fds => return Err(e),
        Err(_) => None,
    };
    for s in sources {
        s.add_waiter(&me.waker);
    }
    let result = (|| loop {
        if let Some(r) = check(fds) {
            return Ok(Waited::Done(r));
        }
        if alertable && me.has_apcs() {
            run_apcs(&me, false);
            return Ok(Waited::IoCompletion);
        }
        let timeout_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(Waited::TimedOut);
                }
                // Round up so we never wake just before the deadline.
                left.as_millis().min(i32::MAX as u128 - 1) as i32 + 1
            }
        };
        let Some(wake_fd) = wake_fd else {
            me.waker.sleep_on_word(timeout_ms);
            continue;
        };
        fds[0] = libc::pollfd {
            fd: wake_fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: fds is a valid array of fds.len() pollfd structs.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
        if n < 0 {
            match errno() {
                libc::EINTR => {}
                e if polls_fds => return Err(Error::resource(e, "poll")),
                // The kernel could not run poll (ENOMEM): look again soon.
                _ => std::thread::sleep(Duration::from_millis(1)),
            }
            continue;
        }
        if fds[0].revents != 0 {
            me.waker.drain(wake_fd);
        }
    })();
    for s in sources {
        s.remove_waiter(&me.waker);
    }
    result
}

/// A blocking call's wait (S35): alertable, routines run and the call goes
/// on waiting; a routine's own blocking call then fails (WSAEINPROGRESS).
pub fn blocking_call_wait<R>(
    sources: &[&dyn Waitable],
    deadline: Option<Instant>,
    also_fd: Option<(RawFd, libc::c_short)>,
    mut check: impl FnMut() -> Option<R>,
) -> Result<Option<R>> {
    let mut fds = [
        libc::pollfd {
            fd: -1,
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: also_fd.map_or(-1, |(fd, _)| fd),
            events: also_fd.map_or(0, |(_, ev)| ev),
            revents: 0,
        },
    ];
    let n = if also_fd.is_some() { 2 } else { 1 };
    blocking_call_poll(sources, deadline, &mut fds[..n], |_| check())
}

/// [`blocking_call_wait`] polling any number of fds, as [`wait_polling`]
/// does (`fds[0]` is the wake fd's place).
pub fn blocking_call_poll<R>(
    sources: &[&dyn Waitable],
    deadline: Option<Instant>,
    fds: &mut [libc::pollfd],
    mut check: impl FnMut(&[libc::pollfd]) -> Option<R>,
) -> Result<Option<R>> {
    let me = current_thread();
    loop {
        let nested = running_apcs();
        match wait_polling(sources, deadline, false, fds, |fds| {
            if !nested && me.has_apcs() {
                return Some(None);
            }
            check(fds).map(Some)
        })? {
            Waited::Done(Some(r)) => return Ok(Some(r)),
            Waited::Done(None) => {
                run_apcs(&me, true);
            }
            Waited::TimedOut => return Ok(None),
            Waited::IoCompletion => unreachable!("non-alertable wait"),
        }
    }
}

/// `SleepEx`: sleeps; when alertable, returns early with `IoCompletion`
/// after running the routines queued to this thread (S33).
pub fn sleep(deadline: Option<Instant>, alertable: bool) -> Result<Waited<()>> {
    wait_until(&[], deadline, alertable, None, || None::<()>)
}

/// The deadline `t` from now; `None` (no deadline) when it is too far away
/// to represent.
pub fn deadline_in(t: Duration) -> Option<Instant> {
    Instant::now().checked_add(t)
}

/// Converts a Windows millisecond timeout (0 = none) into a deadline.
pub fn deadline_after(ms: u32) -> Option<Instant> {
    (ms != 0).then(|| Instant::now() + Duration::from_millis(ms as u64))
}
