//! The reactor: one per process, an epoll instance and the thread that
//! waits on it (`drain.rs`), which drains the queues of sockets whose
//! operations are queued.
//!
//! Everything an operation needs from the reactor is acquired before the
//! operation becomes visible (S20): the reactor itself (epoll instance and
//! thread, `drain::reactor`) and the socket's fd in its epoll set
//! ([`Reactor::add`], disabled until armed). Arming a registered fd
//! (`EPOLL_CTL_MOD`) then needs nothing more. A failure to start the reactor
//! is not remembered: the next operation tries again.
//!
//! A fork child restarts it on first use (S43): the parent's reactor thread
//! does not exist there, and its epoll fd is the parent's epoll instance.

use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result, errno};
use crate::fork::{self, lock};
use crate::socket::SocketCore;

/// What the reactor has done since the process started (pending path only;
/// immediate sends are not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReactorStats {
    /// `epoll_wait` calls that returned events.
    pub wakeups: u64,
    /// `sendmmsg` calls.
    pub sendmmsg_calls: u64,
    /// Datagrams those calls sent.
    pub datagrams: u64,
}

pub(super) static WAKEUPS: AtomicU64 = AtomicU64::new(0);
pub(super) static SENDMMSG_CALLS: AtomicU64 = AtomicU64::new(0);
pub(super) static BATCHED: AtomicU64 = AtomicU64::new(0);

/// The reactor's counters (for benchmarks: syscalls per queued datagram).
pub fn reactor_stats() -> ReactorStats {
    ReactorStats {
        wakeups: WAKEUPS.load(Ordering::Relaxed),
        sendmmsg_calls: SENDMMSG_CALLS.load(Ordering::Relaxed),
        datagrams: BATCHED.load(Ordering::Relaxed),
    }
}

/// One process's reactor. Never freed once running (its thread uses it
/// for the life of the process); a fork child's copy of the parent's one is
/// retired: its epoll fd closed, its sockets let go.
pub(crate) struct Reactor {
    /// The epoll instance (-1 once retired).
    pub(super) epoll: AtomicI32,
    /// Tells reactors apart: a socket queue records the reactor whose
    /// epoll set holds its fd (`in_epoll`).
    pub(super) serial: u64,
    /// The fork generation it belongs to.
    pub(super) generation: u64,
    /// Sockets with an armed direction, and which directions (bits).
    pub(super) sockets: Mutex<HashMap<u64, (Arc<SocketCore>, u8)>>,
    /// A timerfd in the epoll set ([`SWEEP_TOKEN`]): ticks while receives
    /// are deferred to ports (`drain::watch_deferral`); -1 once retired.
    pub(super) timer: AtomicI32,
}

/// The epoll token of the sweep timer: a socket's tokens never end in two
/// zero bits ([`Direction`] is 1 to 3).
pub(super) const SWEEP_TOKEN: u64 = 0;

pub(super) static REACTOR: AtomicPtr<Reactor> = AtomicPtr::new(std::ptr::null_mut());
pub(super) static STARTING: Mutex<()> = Mutex::new(());
pub(super) static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

/// The reactor, if this process has started one.
pub(crate) fn current() -> Option<&'static Reactor> {
    // SAFETY: a pointer stored in REACTOR is a leaked Box: valid for the
    // life of the process.
    let r = unsafe { REACTOR.load(Ordering::Acquire).as_ref() }?;
    (r.generation == fork::generation()).then_some(r)
}

/// In a fork child, lets go of what the parent's reactor held (its epoll
/// fd, the sockets it kept armed) before the child needs a reactor of its
/// own, so that a socket the child closes is really closed here.
#[cold]
pub(super) fn forget_parent() {
    let parents = {
        let _starting = lock(&STARTING);
        // SAFETY: as in `current`.
        match unsafe { REACTOR.load(Ordering::Acquire).as_ref() } {
            Some(r) if r.generation != fork::generation() => r.retire(),
            _ => return,
        }
    };
    drop(parents);
}

impl Drop for Reactor {
    fn drop(&mut self) {
        self.retire();
    }
}

/// Which queue of a socket the reactor watches: sends wait for EPOLLOUT on
/// the socket's fd, receives for EPOLLIN on a duplicate of it (epoll keys
/// registrations by fd, so each direction gets its own one-shot arming);
/// network events (`WSAEventSelect`, P1) for every arrival (edge-triggered
/// EPOLLIN) on another duplicate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Send = 1,
    Recv = 2,
    Events = 3,
}

impl Direction {
    /// The direction's bit in `Reactor::sockets`.
    fn bit(self) -> u8 {
        match self {
            Direction::Send => 1,
            Direction::Recv => 2,
            Direction::Events => 4,
        }
    }

    /// The direction of an epoll token.
    pub(super) fn of_token(token: u64) -> Direction {
        match token & 3 {
            3 => Direction::Events,
            2 => Direction::Recv,
            _ => Direction::Send,
        }
    }
}

pub(super) fn token(core: &SocketCore, dir: Direction) -> u64 {
    core.id << 2 | dir as u64
}

impl Reactor {
    pub(super) fn epoll(&self) -> RawFd {
        self.epoll.load(Ordering::Relaxed)
    }

    /// A fork child's copy of the parent's reactor: closes the child's
    /// copy of the epoll fd (the same epoll instance as the parent's) and
    /// hands back the sockets it held.
    pub(super) fn retire(&self) -> HashMap<u64, (Arc<SocketCore>, u8)> {
        for fd in [&self.epoll, &self.timer].map(|fd| fd.swap(-1, Ordering::AcqRel)) {
            if fd >= 0 {
                // SAFETY: our descriptor, swapped out so it is closed once.
                unsafe { libc::close(fd) };
            }
        }
        std::mem::take(&mut *lock(&self.sockets))
    }

    /// Makes the sweep timer a timerfd in the epoll set, stopped.
    pub(super) fn add_sweep_timer(&self) -> Result<()> {
        // SAFETY: timerfd_create has no pointer arguments.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_CLOEXEC | libc::TFD_NONBLOCK,
            )
        };
        if fd < 0 {
            return Err(Error::resource(
                errno(),
                "timerfd_create for the ws2 reactor",
            ));
        }
        self.timer.store(fd, Ordering::Release);
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: SWEEP_TOKEN,
        };
        // SAFETY: ev is a valid epoll_event; fd is the timerfd just made.
        if unsafe { libc::epoll_ctl(self.epoll(), libc::EPOLL_CTL_ADD, fd, &mut ev) } < 0 {
            return Err(Error::resource(
                errno(),
                "epoll_ctl(EPOLL_CTL_ADD) of the ws2 reactor's timer",
            ));
        }
        Ok(())
    }

    /// Starts the sweep timer ticking every `period`, or stops it.
    pub(super) fn set_sweep_timer(&self, period: Option<std::time::Duration>) {
        let t = period.map_or(
            libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            |p| libc::timespec {
                tv_sec: p.as_secs() as libc::time_t,
                tv_nsec: p.subsec_nanos().into(),
            },
        );
        let spec = libc::itimerspec {
            it_interval: t,
            it_value: t,
        };
        // SAFETY: spec is a valid itimerspec; a retired timer is -1 (EBADF).
        unsafe {
            libc::timerfd_settime(
                self.timer.load(Ordering::Acquire),
                0,
                &spec,
                std::ptr::null_mut(),
            )
        };
    }

    /// Reads the sweep timer's expiry count (so epoll reports it again
    /// only at its next tick).
    pub(super) fn take_sweep_tick(&self) {
        let mut ticks = 0u64;
        // SAFETY: reads 8 bytes into a local u64; a non-blocking timerfd.
        unsafe {
            crate::sys::read(
                self.timer.load(Ordering::Acquire),
                (&raw mut ticks).cast(),
                size_of::<u64>(),
            )
        };
    }

    /// Adds a direction's fd to the epoll set, disabled (one-shot with no
    /// event: it reports nothing until armed), before the first operation
    /// that needs it becomes visible; already there is fine.
    pub(super) fn add(&self, core: &SocketCore, fd: RawFd, dir: Direction) -> Result<()> {
        let mut ev = libc::epoll_event {
            events: libc::EPOLLONESHOT as u32,
            u64: token(core, dir),
        };
        // SAFETY: ev is a valid epoll_event; fd is the socket's open fd.
        let r = unsafe { libc::epoll_ctl(self.epoll(), libc::EPOLL_CTL_ADD, fd, &mut ev) };
        if r < 0 && errno() != libc::EEXIST {
            return Err(Error::resource(
                errno(),
                "epoll_ctl(EPOLL_CTL_ADD) for the ws2 reactor",
            ));
        }
        Ok(())
    }

    /// Holds the socket while one of its directions has operations queued
    /// (called with that direction's queue locked).
    pub(super) fn hold(&self, core: &Arc<SocketCore>, dir: Direction) {
        lock(&self.sockets)
            .entry(core.id)
            .or_insert_with(|| (core.clone(), 0))
            .1 |= dir.bit();
    }

    /// Lets go of a direction (its queue is empty, failed or closed; called
    /// with that queue locked).
    pub(super) fn release(&self, core: &SocketCore, dir: Direction) {
        let released = {
            let mut sockets = lock(&self.sockets);
            match sockets.get_mut(&core.id) {
                Some(entry) if entry.1 & !dir.bit() != 0 => {
                    entry.1 &= !dir.bit();
                    None
                }
                Some(_) => sockets.remove(&core.id),
                None => None,
            }
        };
        drop(released);
    }

    /// Arms a registered direction for one readiness event.
    pub(super) fn arm(&self, core: &SocketCore, fd: RawFd, dir: Direction) -> Result<()> {
        let mut ev = libc::epoll_event {
            events: (match dir {
                Direction::Send => libc::EPOLLOUT,
                Direction::Recv | Direction::Events => libc::EPOLLIN,
            } | libc::EPOLLONESHOT) as u32,
            u64: token(core, dir),
        };
        // SAFETY: ev is a valid epoll_event; the fd stays open while the reactor holds the socket.
        let r = unsafe { libc::epoll_ctl(self.epoll(), libc::EPOLL_CTL_MOD, fd, &mut ev) };
        if r < 0 {
            return Err(Error::last_os("epoll_ctl(EPOLL_CTL_MOD)"));
        }
        Ok(())
    }

    /// Disarms a registered direction (a thread waiting on the socket's
    /// port watches it instead, `port_watch`): it reports nothing until
    /// armed again. A failure leaves it armed, which costs only a wake.
    pub(super) fn disarm(&self, core: &SocketCore, fd: RawFd, dir: Direction) {
        let mut ev = libc::epoll_event {
            events: libc::EPOLLONESHOT as u32,
            u64: token(core, dir),
        };
        // SAFETY: ev is a valid epoll_event; the fd stays open while the reactor holds the socket.
        unsafe { libc::epoll_ctl(self.epoll(), libc::EPOLL_CTL_MOD, fd, &mut ev) };
    }

    /// [`Reactor::arm`] an fd that may not be in the epoll set yet (a
    /// socket's receive set, made by its first multicast join, P4).
    pub(super) fn arm_or_add(&self, core: &SocketCore, fd: RawFd, dir: Direction) -> Result<()> {
        let mut ev = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLONESHOT) as u32,
            u64: token(core, dir),
        };
        // SAFETY: ev is a valid epoll_event; fd is the socket's open receive set.
        let mut r = unsafe { libc::epoll_ctl(self.epoll(), libc::EPOLL_CTL_MOD, fd, &mut ev) };
        if r < 0 && errno() == libc::ENOENT {
            // SAFETY: as above.
            r = unsafe { libc::epoll_ctl(self.epoll(), libc::EPOLL_CTL_ADD, fd, &mut ev) };
        }
        if r < 0 {
            return Err(Error::resource(
                errno(),
                "epoll_ctl of a receive set for the ws2 reactor",
            ));
        }
        Ok(())
    }

    /// Adds the epoll instance that tells a socket's arrivals (network
    /// events, P1; `SocketCore::events_fd`): level-triggered, ready while
    /// it holds an arrival nobody collected; it stays armed.
    pub(super) fn add_arrivals(&self, core: &SocketCore, fd: RawFd) -> Result<()> {
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: token(core, Direction::Events),
        };
        // SAFETY: ev is a valid epoll_event; fd is the socket's open duplicate.
        let r = unsafe { libc::epoll_ctl(self.epoll(), libc::EPOLL_CTL_ADD, fd, &mut ev) };
        if r < 0 && errno() != libc::EEXIST {
            return Err(Error::resource(
                errno(),
                "epoll_ctl(EPOLL_CTL_ADD) for the ws2 reactor (WSAEventSelect)",
            ));
        }
        Ok(())
    }

    /// Removes a closed socket's fd from the epoll set.
    pub(super) fn remove(&self, fd: RawFd) {
        // SAFETY: removing an fd from our epoll set; a null event is allowed.
        unsafe { libc::epoll_ctl(self.epoll(), libc::EPOLL_CTL_DEL, fd, std::ptr::null_mut()) };
    }
}
