//! A stream socket watched by a thread waiting on its completion port
//! ([`PortSource`]): the IOCP pattern posts a `WSASend` the kernel cannot
//! take whole and then waits on the port. Writing the rest in the
//! reactor's thread costs a thread switch to the reactor and another to
//! the waiter; the waiter polls the socket itself instead and writes the
//! rest (and posts the packet) when the socket is writable, as a blocking
//! `send` is woken. The reactor's watch is armed when the send is queued,
//! so it completes whether or not anyone waits on the port; a watching
//! thread disarms it and arms it again when it stops watching with sends
//! still queued. Either thread writes under the queue's lock
//! ([`write_stream`]), so each send completes once, in order.
//!
//! Receives stay with the reactor: measured on a quiet machine (`wsasend
//! bench --stream`, README "Speed"), a waiter completing its own receives
//! took smaller pieces of the stream per completion and moved less (0.93
//! of raw against 1.04), at the same CPU cost.

use std::os::fd::RawFd;
use std::sync::Arc;

use crate::completion::{Port, PortSource, ThreadWaker};
use crate::fork::lock;
use crate::socket::SocketCore;

use super::drain::{arm_or_fail, write_stream};
use super::queues::send_queue;
use super::reactor::{Direction, current};

const OUT: libc::c_short = libc::POLLOUT;
/// What `poll` reports whatever was asked: the end or failure of the
/// connection, which the sends then meet.
const ALWAYS: libc::c_short = libc::POLLERR | libc::POLLHUP;

impl PortSource for SocketCore {
    fn completes_on(&self, port: &Port) -> bool {
        self.is_stream()
            && self
                .port()
                .is_some_and(|(p, _)| std::ptr::eq(Arc::as_ptr(p), port))
    }

    fn watch(&self, waker: &Arc<ThreadWaker>) -> Option<(RawFd, libc::c_short)> {
        let r = current()?;
        if self.is_closed() {
            return None;
        }
        {
            let mut q = send_queue(self);
            let waiting = !q.ops.is_empty() || !lock(&self.stream.backlog).is_empty();
            if !q.registered || !waiting || q.cover.is_some() {
                return None;
            }
            q.cover = Some(waker.clone());
        }
        // The reactor may have been woken already: it then writes what it
        // can and leaves the watch to this thread.
        r.disarm(self, self.raw_fd(), Direction::Send);
        Some((self.raw_fd(), OUT))
    }

    fn serve(self: Arc<Self>, watched: libc::c_short, revents: libc::c_short) -> libc::c_short {
        let Some(r) = current() else {
            return 0;
        };
        if watched & OUT != 0 && revents & (OUT | ALWAYS) != 0 && !write_stream(r, &self) {
            return watched & !OUT;
        }
        watched
    }

    fn still_waiting(&self, watched: libc::c_short) -> libc::c_short {
        if self.is_closed() || watched & OUT == 0 {
            return 0;
        }
        let q = send_queue(self);
        if !q.ops.is_empty() || !lock(&self.stream.backlog).is_empty() {
            OUT
        } else {
            0
        }
    }

    fn fill_deferred(self: Arc<Self>) -> usize {
        super::drain::fill_deferred(&self)
    }

    fn unwatch(&self, directions: libc::c_short) {
        if directions & OUT == 0 {
            return;
        }
        let Some(r) = current() else {
            return;
        };
        // The reactor writes what still waits, or lets the socket go.
        let rearm = {
            let mut q = send_queue(self);
            q.cover = None;
            q.registered
        };
        if rearm {
            arm_or_fail(r, self, Direction::Send);
        }
    }
}
