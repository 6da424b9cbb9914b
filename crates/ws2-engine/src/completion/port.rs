//! Completion ports (S36): queues of packets that several threads may wait
//! on, woken last-in first-out.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::lock;

use super::inline::Payload;
use super::thread::{ThreadWaker, forget_parent_waiters};
use super::wait::{Waitable, Waited, wait_until};

/// One completion packet.
pub struct Packet {
    pub bytes: u32,
    pub key: usize,
    /// The caller's OVERLAPPED (C) or 0.
    pub overlapped: usize,
    /// The NTSTATUS of the operation.
    pub status: u32,
    /// What a Rust operation hands back (its buffers), if any.
    pub payload: Option<Payload>,
}

impl std::fmt::Debug for Packet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packet")
            .field("bytes", &self.bytes)
            .field("key", &self.key)
            .field("overlapped", &self.overlapped)
            .field("status", &self.status)
            .finish()
    }
}

/// A completion port: a queue of packets that several threads may wait on
/// (woken last-in first-out, S36).
#[derive(Default)]
pub struct Port {
    state: Mutex<PortState>,
    posted: AtomicUsize,
}

#[derive(Default)]
struct PortState {
    packets: VecDeque<Packet>,
    waiters: Vec<Arc<ThreadWaker>>,
    /// `CloseHandle` closed the port: waits end, packets are dropped.
    closed: bool,
}

/// A wait on a port that `close` ended (S36): `ERROR_ABANDONED_WAIT_0`.
fn abandoned() -> Error {
    Error::new(
        abi::ERROR_ABANDONED_WAIT_0 as i32,
        "the completion port was closed while this call waited on it",
    )
}

impl Port {
    /// A new, empty port.
    pub fn new() -> Port {
        Port::default()
    }

    /// Queues a packet and wakes the most recent waiter (a closed port
    /// drops it).
    pub fn post(&self, packet: Packet) {
        let mut s = lock(&self.state);
        if s.closed {
            drop(s);
            drop(packet);
            return;
        }
        s.packets.push_back(packet);
        self.posted.fetch_add(1, Ordering::Relaxed);
        if let Some(w) = s.waiters.last() {
            w.wake();
        }
    }

    /// Queues several packets under one lock and wakes the most recent
    /// waiter once (as that many `post`s in a row would); empties `packets`.
    pub fn post_many(&self, packets: &mut Vec<Packet>) {
        if packets.is_empty() {
            return;
        }
        let n = packets.len();
        let mut s = lock(&self.state);
        if s.closed {
            drop(s);
            packets.clear();
            return;
        }
        s.packets.extend(packets.drain(..));
        self.posted.fetch_add(n, Ordering::Relaxed);
        if let Some(w) = s.waiters.last() {
            w.wake();
        }
    }

    /// Closes the port (`CloseHandle`, S36): every thread waiting on it
    /// returns `ERROR_ABANDONED_WAIT_0`, queued and later packets are
    /// dropped.
    ///
    /// ```
    /// let port = ws2_engine::Port::new();
    /// port.close();
    /// let err = port.get(None, false).unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::ERROR_ABANDONED_WAIT_0 as i32);
    /// ```
    pub fn close(&self) {
        let mut s = lock(&self.state);
        s.closed = true;
        let dropped = std::mem::take(&mut s.packets);
        for w in &s.waiters {
            w.wake();
        }
        drop(s);
        drop(dropped); // Rust payloads' destructors run outside the lock
    }

    /// Takes up to `max` packets, waiting for at least one;
    /// `ERROR_ABANDONED_WAIT_0` if the port is closed.
    pub fn get_many(
        &self,
        max: usize,
        deadline: Option<Instant>,
        alertable: bool,
    ) -> Result<Waited<Vec<Packet>>> {
        let mut out = Vec::new();
        Ok(
            match self.take_many(max, deadline, alertable, |p| out.push(p))? {
                Waited::Done(_) => Waited::Done(out),
                Waited::TimedOut => Waited::TimedOut,
                Waited::IoCompletion => Waited::IoCompletion,
            },
        )
    }

    /// Takes up to `max` packets, waiting for at least one, and hands each
    /// to `each` (under the port's lock: it should only store it); how many.
    /// `ERROR_ABANDONED_WAIT_0` if the port is closed. No allocation.
    ///
    /// ```
    /// use ws2_engine::{Packet, Port, Waited};
    /// let port = Port::new();
    /// for key in [1, 2, 3] {
    ///     port.post(Packet { bytes: 0, key, overlapped: 0, status: 0, payload: None });
    /// }
    /// let mut keys = Vec::new();
    /// assert_eq!(port.take_many(2, None, false, |p| keys.push(p.key))?, Waited::Done(2));
    /// assert_eq!(keys, [1, 2]);
    /// # Ok::<(), ws2_engine::Error>(())
    /// ```
    pub fn take_many(
        &self,
        max: usize,
        deadline: Option<Instant>,
        alertable: bool,
        mut each: impl FnMut(Packet),
    ) -> Result<Waited<usize>> {
        let take = || {
            let mut s = lock(&self.state);
            if s.closed {
                return Some(None);
            }
            if s.packets.is_empty() {
                return None;
            }
            let n = s.packets.len().min(max.max(1));
            s.packets.drain(..n).for_each(&mut each);
            Some(Some(n))
        };
        self.wait_for(take, deadline, alertable)
    }

    /// Takes one packet, waiting for it; `ERROR_ABANDONED_WAIT_0` if the
    /// port is closed.
    pub fn get(&self, deadline: Option<Instant>, alertable: bool) -> Result<Waited<Packet>> {
        let take = || {
            let mut s = lock(&self.state);
            if s.closed {
                return Some(None);
            }
            s.packets.pop_front().map(Some)
        };
        self.wait_for(take, deadline, alertable)
    }

    /// `take` at once (no waiter registration when a packet is there), else
    /// in a wait; `take` yields `Some(None)` when the port is closed.
    fn wait_for<R>(
        &self,
        mut take: impl FnMut() -> Option<Option<R>>,
        deadline: Option<Instant>,
        alertable: bool,
    ) -> Result<Waited<R>> {
        let got = match take() {
            Some(got) => Waited::Done(got),
            None => wait_until(&[self], deadline, alertable, None, take)?,
        };
        match got {
            Waited::Done(Some(r)) => Ok(Waited::Done(r)),
            Waited::Done(None) => Err(abandoned()),
            Waited::TimedOut => Ok(Waited::TimedOut),
            Waited::IoCompletion => Ok(Waited::IoCompletion),
        }
    }
}

impl Waitable for Port {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        forget_parent_waiters(&mut s.waiters);
        s.waiters.push(waker.clone());
    }
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>) {
        let mut s = lock(&self.state);
        if let Some(i) = s.waiters.iter().rposition(|w| Arc::ptr_eq(w, waker)) {
            s.waiters.remove(i);
        }
        // A packet this waiter was woken for but did not take goes to the next.
        if !s.packets.is_empty()
            && let Some(w) = s.waiters.last()
        {
            w.wake();
        }
    }
}
