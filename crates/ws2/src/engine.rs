//! The send/receive engine: every fd is `O_NONBLOCK` in the kernel, and
//! Windows blocking semantics are emulated by trying the syscall and, when it
//! would block, `poll`ing the fd together with the calling thread's wake fd.
//! The wake fd lets `closesocket` (and later completion routines) interrupt
//! a blocked thread, which is what makes blocking calls alertable.

use std::cell::OnceCell;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::socket::SocketCore;

/// One per thread that ever has to wait: an eventfd that other threads
/// write to wake it.
pub(crate) struct ThreadWaker {
    fd: OwnedFd,
}

impl ThreadWaker {
    fn new() -> Result<ThreadWaker> {
        // SAFETY: eventfd has no pointer arguments.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(Error::last_os("eventfd for the thread's wake fd"));
        }
        // SAFETY: fd is a fresh descriptor we own.
        Ok(ThreadWaker {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Wakes the thread if it is (or is about to be) in `poll`.
    pub(crate) fn wake(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a valid u64 to our eventfd. A full
        // counter (EAGAIN) still leaves the fd readable, which is all we need.
        unsafe { libc::write(self.fd.as_raw_fd(), (&raw const one).cast(), 8) };
    }

    fn drain(&self) {
        let mut value: u64 = 0;
        // SAFETY: reads 8 bytes into a valid u64 from our non-blocking eventfd.
        unsafe { libc::read(self.fd.as_raw_fd(), (&raw mut value).cast(), 8) };
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

thread_local! {
    static WAKER: OnceCell<Arc<ThreadWaker>> = const { OnceCell::new() };
}

/// The calling thread's waker, created on first use.
pub(crate) fn thread_waker() -> Result<Arc<ThreadWaker>> {
    WAKER.with(|cell| {
        if let Some(w) = cell.get() {
            return Ok(w.clone());
        }
        let w = Arc::new(ThreadWaker::new()?);
        let _ = cell.set(w.clone());
        Ok(w)
    })
}

/// What a blocked call waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Readiness {
    Writable,
    Readable,
}

/// Why a wait ended without the fd becoming ready.
pub(crate) enum WaitEnd {
    Ready,
    TimedOut,
}

/// Waits until `core`'s fd is ready, the deadline passes, or the socket is
/// closed (→ `WSAEINTR`, S37). `EINTR` is retried with the remaining time.
pub(crate) fn wait(
    core: &SocketCore,
    readiness: Readiness,
    deadline: Option<Instant>,
) -> Result<WaitEnd> {
    let waker = thread_waker()?;
    let _registration = core.register_waiter(&waker);
    let events = match readiness {
        Readiness::Writable => libc::POLLOUT,
        Readiness::Readable => libc::POLLIN,
    };
    loop {
        if core.is_closed() {
            return Err(Error::new(
                abi::WSAEINTR,
                "the socket was closed while this call was blocked on it",
            ));
        }
        let timeout_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(WaitEnd::TimedOut);
                }
                // Round up so we never wake just before the deadline.
                left.as_millis().min(i32::MAX as u128) as i32 + 1
            }
        };
        let mut fds = [
            libc::pollfd {
                fd: core.raw_fd(),
                events,
                revents: 0,
            },
            libc::pollfd {
                fd: waker.raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: fds is a valid array of two pollfd structs.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout_ms) };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                continue;
            }
            return Err(Error::from_errno(e, "poll"));
        }
        if fds[1].revents != 0 {
            waker.drain();
        }
        if fds[0].revents != 0 {
            return Ok(WaitEnd::Ready);
        }
    }
}

/// Converts a Windows millisecond timeout (0 = none) into a deadline.
pub(crate) fn deadline_after(ms: u32) -> Option<Instant> {
    (ms != 0).then(|| Instant::now() + Duration::from_millis(ms as u64))
}

/// `sendmsg` with Windows blocking semantics (S16, S17): retries `EINTR`,
/// waits alertably on `EAGAIN` unless the socket is non-blocking, and
/// returns the raw `errno` of a final failure for the caller to translate.
pub(crate) fn sendmsg_blocking(
    core: &SocketCore,
    msg: &libc::msghdr,
    flags: i32,
) -> Result<usize, SendFailure> {
    let mut deadline: Option<Option<Instant>> = None;
    loop {
        // SAFETY: msg points to a msghdr whose buffers, name and control the
        // caller keeps alive for the duration of this call.
        let n = unsafe { libc::sendmsg(core.raw_fd(), msg, flags | libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(n as usize);
        }
        match errno() {
            libc::EINTR => continue,
            libc::EAGAIN => {
                if core.is_nonblocking() {
                    return Err(SendFailure::Wsa(Error::new(
                        abi::WSAEWOULDBLOCK,
                        "the socket is non-blocking (FIONBIO) and its send buffer is full",
                    )));
                }
                let d = *deadline.get_or_insert_with(|| deadline_after(core.send_timeout_ms()));
                match wait(core, Readiness::Writable, d).map_err(SendFailure::Wsa)? {
                    WaitEnd::Ready => continue,
                    WaitEnd::TimedOut => {
                        return Err(SendFailure::Wsa(Error::new(
                            abi::WSAETIMEDOUT,
                            format!(
                                "SO_SNDTIMEO of {} ms expired with the send buffer full",
                                core.send_timeout_ms()
                            ),
                        )));
                    }
                }
            }
            e => return Err(SendFailure::Errno(e)),
        }
    }
}

/// A send that failed: either already a Winsock error, or a raw `errno`
/// the caller interprets with what it knows (requested source, ICMP state).
pub(crate) enum SendFailure {
    Wsa(Error),
    Errno(i32),
}
