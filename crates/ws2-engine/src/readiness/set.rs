//! [`PollSet`]: the sockets of one `select` or `WSAPoll` call, looked at
//! with one `poll(2)` and waited on alertably.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::completion::{self, Waitable};
use crate::error::{Error, Result, errno};
use crate::socket::SocketCore;

/// Watched for: readable (a receive completes at once).
pub const WANT_READ: u8 = 1;
/// Watched for: writable (a send does not block).
pub const WANT_WRITE: u8 = 2;
/// Watched for: an exception (`select`'s `exceptfds`). A datagram socket
/// never has one; stream sockets (OOB data, a failed connect) will.
pub const WANT_EXCEPT: u8 = 4;

/// Found: readable.
pub const FOUND_READ: u8 = 1;
/// Found: writable.
pub const FOUND_WRITE: u8 = 2;
/// Found: an exception.
pub const FOUND_EXCEPT: u8 = 4;
/// Found: the socket was closed (`closesocket` from another thread).
pub const FOUND_CLOSED: u8 = 8;

/// One socket of a [`PollSet`].
pub struct Watch {
    pub core: Arc<SocketCore>,
    /// `WANT_*` bits.
    pub want: u8,
    /// `FOUND_*` bits after [`PollSet::wait`].
    pub found: u8,
}

/// The sockets of one readiness call. Kept between calls by its owner so
/// that a call allocates nothing once the set has grown to its size.
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::readiness::{PollSet, FOUND_WRITE, WANT_READ, WANT_WRITE};
/// use ws2_engine::{Family, SocketCore, SocketKind};
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// let mut set = PollSet::default();
/// set.push(core, WANT_READ | WANT_WRITE);
/// // A fresh UDP socket is writable, not readable (sock.c test_select).
/// assert_eq!(set.wait(Some(std::time::Instant::now()))?, 1);
/// assert_eq!(set.watches()[0].found, FOUND_WRITE);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct PollSet {
    watches: Vec<Watch>,
    /// `fds[0]` is the wait's wake fd; `fds[i + 1]` is watch `i`'s fd.
    fds: Vec<libc::pollfd>,
}

impl PollSet {
    /// Empties the set (keeping its memory).
    pub fn clear(&mut self) {
        self.watches.clear();
        self.fds.clear();
    }

    /// Adds a socket, watched for `want` (`WANT_*` bits).
    pub fn push(&mut self, core: Arc<SocketCore>, want: u8) {
        self.watches.push(Watch {
            core,
            want,
            found: 0,
        });
    }

    /// The watched sockets, with what [`PollSet::wait`] found.
    pub fn watches(&self) -> &[Watch] {
        &self.watches
    }

    /// The number of watched sockets.
    pub fn len(&self) -> usize {
        self.watches.len()
    }

    /// Whether no socket is watched.
    pub fn is_empty(&self) -> bool {
        self.watches.is_empty()
    }

    /// Looks at every socket once; if none is ready and the deadline has
    /// not passed (`None`: no deadline), waits until one is, alertably as a
    /// blocking call (S35: routines queued to the thread run and the wait
    /// goes on; a call that is ready at once runs none). Returns how many
    /// watches found something (their `found` bits say what); 0 when the
    /// deadline passed.
    pub fn wait(&mut self, deadline: Option<Instant>) -> Result<usize> {
        loop {
            let found = self.look()?;
            if found > 0 {
                return Ok(found);
            }
            if deadline.is_some_and(|d| d <= Instant::now()) {
                return Ok(0);
            }
            completion::check_not_nested_in_blocking_call()?;
            self.fill_fds();
            let watches = &self.watches;
            let sources: Vec<&dyn Waitable> =
                watches.iter().map(|w| &*w.core as &dyn Waitable).collect();
            let woke = completion::blocking_call_poll(&sources, deadline, &mut self.fds, |fds| {
                watches
                    .iter()
                    .zip(&fds[1..])
                    .any(|(w, p)| may_have_changed(w, p))
                    .then_some(())
            })?;
            if woke.is_none() {
                return Ok(0);
            }
        }
    }

    /// The pollfds of the watches (revents cleared), after the wake fd's place.
    fn fill_fds(&mut self) {
        self.fds.clear();
        self.fds.push(libc::pollfd {
            fd: -1,
            events: 0,
            revents: 0,
        });
        for w in &self.watches {
            let mut events = 0;
            if w.want & WANT_READ != 0 {
                events |= libc::POLLIN;
            }
            if w.want & WANT_WRITE != 0 {
                events |= w.core.poll_write_events();
            }
            let fd = match w.core.readable_fd() {
                // A socket that joined groups: its receive set, whose
                // readability covers the group sockets too (P4); its
                // writability is looked at by `evaluate`.
                set if w.want & WANT_READ != 0 && set != w.core.raw_fd() => {
                    events = libc::POLLIN;
                    set
                }
                _ => w.core.raw_fd(),
            };
            self.fds.push(libc::pollfd {
                fd,
                events,
                revents: 0,
            });
        }
    }

    /// One `poll` of every fd without waiting; sets each watch's `found`.
    fn look(&mut self) -> Result<usize> {
        self.fill_fds();
        let fds = &mut self.fds[1..];
        loop {
            // SAFETY: fds is a valid array of fds.len() pollfd structs.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 0) };
            if n >= 0 {
                break;
            }
            match errno() {
                libc::EINTR => continue,
                e => return Err(Error::resource(e, "poll")),
            }
        }
        let mut found = 0;
        for (w, p) in self.watches.iter_mut().zip(fds.iter()) {
            w.found = evaluate(w, p.revents);
            found += usize::from(w.found != 0);
        }
        Ok(found)
    }
}

/// What a watch finds, from the `revents` of its fd.
#[inline]
fn evaluate(w: &Watch, revents: i16) -> u8 {
    let mut ready = w
        .core
        .ready_from(revents, w.want & WANT_READ != 0, w.want & WANT_WRITE != 0);
    if w.want & (WANT_READ | WANT_WRITE) == WANT_READ | WANT_WRITE
        && w.core.readable_fd() != w.core.raw_fd()
    {
        // Polled through the receive set (`fill_fds`): writability apart.
        ready.write = w.core.writable_now();
    }
    if ready.closed {
        return FOUND_CLOSED;
    }
    (if ready.read { FOUND_READ } else { 0 }) | (if ready.write { FOUND_WRITE } else { 0 })
}

/// Whether a watch is worth looking at again after a wake: its fd reported
/// something, the socket closed, its send queue drained (`POLLOUT` was not
/// asked while sends were queued), or data was buffered in user space.
fn may_have_changed(w: &Watch, p: &libc::pollfd) -> bool {
    p.revents != 0
        || w.core.is_closed()
        || (w.want & WANT_WRITE != 0
            && p.events & libc::POLLOUT == 0
            && w.core.queued.load(Ordering::Acquire) == 0)
        || (w.want & WANT_READ != 0 && w.core.buffered_in_user_space().is_some())
}
