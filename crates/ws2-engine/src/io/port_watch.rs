//! A stream socket watched by a thread waiting on its completion port
//! ([`PortSource`]): the IOCP pattern posts a `WSARecv` that finds no data
//! (or a `WSASend` the kernel cannot take whole) and then waits on the
//! port. Completing that operation in the reactor's thread costs a thread
//! switch to the reactor and another to the waiter; the waiter polls the
//! socket itself instead and completes the operation (and posts its
//! packet) when the socket is ready, the way a blocking `recv` or `send`
//! is woken. The reactor's watch is armed when the operation is queued, so
//! it completes whether or not anyone waits on the port; a watching thread
//! disarms it and arms it again when it stops watching with operations
//! still queued. Either thread completes under the queue's lock, so each
//! operation completes once, in order.

use std::os::fd::RawFd;
use std::sync::Arc;

use crate::completion::{Port, PortSource, ThreadWaker};
use crate::fork::lock;
use crate::socket::SocketCore;

use super::drain::{arm_or_fail, drain_stream_recvs, write_stream};
use super::queues::{recv_queue, send_queue};
use super::reactor::{Direction, current};
use super::recv_op::deliver_op;

const IN: libc::c_short = libc::POLLIN;
const OUT: libc::c_short = libc::POLLOUT;
/// What `poll` reports whatever was asked: the end or failure of the
/// connection, which the operations then meet.
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
        let mut events = 0;
        let recv_fd = self.recv_fd_if_open();
        if let Some(fd) = recv_fd {
            let mut q = recv_queue(self);
            if q.registered && !q.ops.is_empty() && q.cover.is_none() {
                q.cover = Some(waker.clone());
                events |= IN;
            }
            drop(q);
            if events & IN != 0 {
                // The reactor may have been woken already: it then completes
                // what is ready and leaves the watch to this thread.
                r.disarm(self, fd, Direction::Recv);
            }
        }
        {
            let mut q = send_queue(self);
            let waiting = !q.ops.is_empty() || !lock(&self.stream.backlog).is_empty();
            if q.registered && waiting && q.cover.is_none() {
                q.cover = Some(waker.clone());
                events |= OUT;
            }
        }
        if events & OUT != 0 {
            r.disarm(self, self.raw_fd(), Direction::Send);
        }
        (events != 0).then(|| (self.raw_fd(), events))
    }

    fn serve(self: Arc<Self>, watched: libc::c_short, revents: libc::c_short) -> libc::c_short {
        let Some(r) = current() else {
            return 0;
        };
        let mut keep = watched;
        if watched & IN != 0 && revents & (IN | ALWAYS) != 0 && !self.serve_receives(r) {
            keep &= !IN;
        }
        if watched & OUT != 0 && revents & (OUT | ALWAYS) != 0 && !write_stream(r, &self) {
            keep &= !OUT;
        }
        keep
    }

    fn still_waiting(&self, watched: libc::c_short) -> libc::c_short {
        if self.is_closed() {
            return 0;
        }
        let mut waiting = 0;
        if watched & IN != 0 && !recv_queue(self).ops.is_empty() {
            waiting |= IN;
        }
        if watched & OUT != 0 {
            let q = send_queue(self);
            if !q.ops.is_empty() || !lock(&self.stream.backlog).is_empty() {
                waiting |= OUT;
            }
        }
        waiting
    }

    fn unwatch(&self, directions: libc::c_short) {
        let Some(r) = current() else {
            return;
        };
        if directions & IN != 0 {
            let rearm = {
                let mut q = recv_queue(self);
                q.cover = None;
                if q.registered && q.ops.is_empty() {
                    // Emptied by a cancellation while this thread watched.
                    q.registered = false;
                    r.release(self, Direction::Recv);
                }
                q.registered
            };
            if rearm {
                arm_or_fail(r, self, Direction::Recv);
            }
        }
        if directions & OUT != 0 {
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
}

impl SocketCore {
    /// Completes the queued receives that can complete now, as the
    /// reactor would; whether to go on watching: receives still wait and
    /// some completed (readable with nothing completing, as an `MSG_OOB`
    /// receive with only normal data there, leaves the watch to the
    /// reactor's one-shot arming rather than poll the same readiness
    /// again).
    fn serve_receives(&self, r: &super::reactor::Reactor) -> bool {
        let mut done = Vec::new();
        let mut handoffs = Vec::new();
        let waiting = {
            let mut q = recv_queue(self);
            let waiting = drain_stream_recvs(self, &mut q, &mut done, &mut handoffs);
            if !waiting && std::mem::replace(&mut q.registered, false) {
                r.release(self, Direction::Recv);
            }
            waiting
        };
        let progressed = !done.is_empty() || !handoffs.is_empty();
        for (delivery, port_of, result) in done {
            deliver_op(self, delivery, port_of, result);
        }
        for (next, op) in handoffs {
            next(op);
        }
        waiting && progressed
    }
}
