//! A stream socket watched by a thread waiting on its completion port
//! ([`PortSource`]): the IOCP pattern posts a `WSARecv` that finds no data
//! and then waits on the port. Completing that receive in the reactor's
//! thread costs a thread switch to the reactor and another to the waiter;
//! the waiter polls the socket itself instead and completes the receive
//! (and posts its packet) when data arrives, the way the blocking `recv`
//! is woken. The reactor's watch is armed when the receive is queued, so
//! the receive completes whether or not anyone waits on the port; a
//! watching thread disarms it and arms it again when it stops watching
//! with receives still queued. Either thread completes under the receive
//! queue's lock, so each receive completes once, in posting order.

use std::os::fd::RawFd;
use std::sync::Arc;

use crate::completion::{Port, PortSource, ThreadWaker};
use crate::socket::SocketCore;

use super::drain::{arm_or_fail, drain_stream_recvs};
use super::queues::recv_queue;
use super::reactor::{Direction, current};
use super::recv_op::deliver_op;

impl PortSource for SocketCore {
    fn completes_on(&self, port: &Port) -> bool {
        self.is_stream()
            && self
                .port()
                .is_some_and(|(p, _)| std::ptr::eq(Arc::as_ptr(p), port))
    }

    fn watch(&self, waker: &Arc<ThreadWaker>) -> Option<RawFd> {
        let r = current()?;
        let recv_fd = self.recv_fd_if_open()?;
        {
            let mut q = recv_queue(self);
            if !q.registered || q.ops.is_empty() || q.cover.is_some() || self.is_closed() {
                return None;
            }
            q.cover = Some(waker.clone());
        }
        // The reactor may have been woken already: it then completes what
        // is ready and leaves the watch to this thread.
        r.disarm(self, recv_fd, Direction::Recv);
        Some(self.raw_fd())
    }

    fn serve(&self) -> bool {
        let Some(r) = current() else {
            return false;
        };
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
        // Readable but nothing completed (an `MSG_OOB` receive with only
        // normal data there): the reactor's one-shot arming takes over
        // rather than this thread polling the same readiness again.
        let progressed = !done.is_empty() || !handoffs.is_empty();
        for (delivery, port_of, result) in done {
            deliver_op(self, delivery, port_of, result);
        }
        for (next, op) in handoffs {
            next(op);
        }
        waiting && progressed
    }

    fn still_waiting(&self) -> bool {
        !self.is_closed() && !recv_queue(self).ops.is_empty()
    }

    fn unwatch(&self) {
        let Some(r) = current() else {
            return;
        };
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
}
