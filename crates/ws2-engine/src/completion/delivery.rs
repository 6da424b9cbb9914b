//! Where an operation's completion goes ([`Delivery`]) and the one place
//! that delivers it (S29–S33, S36, S38): `InternalHigh`, then `Internal`
//! with release ordering, then the event, the routine queued to the
//! issuing thread, the port packet, or a Rust operation's own record.

use std::sync::{Arc, Mutex};

use ws2_abi as abi;

use crate::error::Result;
use crate::fork::lock;

use super::apc::{Apc, OvPtr, Routine};
use super::inline::{Payload, RustRoutine};
use super::{Event, Packet, Port, ThreadState};

/// What an operation completes on (a socket), as far as delivering its
/// completion needs: the completion port it is bound to (S36).
pub trait PortBound {
    /// The port and key, once bound.
    fn port(&self) -> Option<&(Arc<Port>, usize)>;
    /// `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS` is set.
    fn skips_port_on_success(&self) -> bool;
}

/// Where an operation's completion goes.
pub enum Delivery {
    /// A C OVERLAPPED: `Internal`/`InternalHigh`, then a routine queued to
    /// its thread, or the event and the port packet.
    Overlapped {
        ov: OvPtr,
        event: Option<Arc<Event>>,
        routine: Option<(Routine, Arc<ThreadState>)>,
        /// Post a packet to the socket's completion port (if it has one):
        /// false when `hEvent`'s low bit is set.
        to_port: bool,
    },
    /// A blocking call queued behind overlapped ones (S34).
    Waiter(Arc<WaiterSlot>),
    /// A Rust send on a socket bound to a port: the packet's payload (the
    /// caller's buffers), posted with the socket's key. Always posted,
    /// whatever the notification modes: it hands the buffers back.
    Port(Payload),
    /// A Rust operation that records its own completion (a `PendingSend`).
    Notify(Arc<dyn Notify>),
    /// A Rust completion routine, queued to its thread (S33).
    Routine(RustRoutine, Arc<ThreadState>),
    /// A Rust operation: the closure runs on the completing thread.
    Callback(Box<dyn FnOnce(Result<usize>) + Send>),
}

/// A Rust operation's own completion record ([`Delivery::Notify`]).
pub trait Notify: Send + Sync {
    /// Called exactly once, on the completing thread.
    fn notify(&self, result: Result<usize>);
}

/// A delivery, or what makes one: an overlapped send builds its delivery
/// only once the operation is accepted (sent now or queued), so a Rust
/// caller keeps its buffer when the call is refused.
pub trait MakeDelivery {
    fn make(self) -> Delivery;
}

impl MakeDelivery for Delivery {
    #[inline(always)]
    fn make(self) -> Delivery {
        self
    }
}

impl<F: FnOnce() -> Delivery> MakeDelivery for F {
    #[inline(always)]
    fn make(self) -> Delivery {
        self()
    }
}

/// Where a queued blocking call's result lands.
#[derive(Default)]
pub struct WaiterSlot {
    pub result: Mutex<Option<Result<usize>>>,
    pub event: Event,
}

/// [`deliver`] for the completions of a fill, whose packets the caller
/// posts together: the common one, a C OVERLAPPED with neither event nor
/// routine whose packet goes to the socket's port (`key`: every receive
/// deferred to a port is one), is finished and its packet added here, as
/// `deliver` would, without its general call.
#[inline(always)]
pub(crate) fn deliver_to_batch<T: PortBound + ?Sized>(
    core: &T,
    key: Option<usize>,
    delivery: Delivery,
    result: Result<usize>,
    packets: &mut Vec<Packet>,
) {
    if let (
        Delivery::Overlapped {
            ov,
            event: None,
            routine: None,
            to_port: true,
        },
        Some(key),
    ) = (&delivery, key)
    {
        let (status, bytes) = match &result {
            Ok(n) => (abi::STATUS_SUCCESS, *n),
            Err(e) => (e.status(), e.bytes()),
        };
        // SAFETY: the caller keeps the OVERLAPPED valid until this completion (S38).
        unsafe { ov.finish(status, bytes) };
        packets.push(Packet {
            bytes: bytes as u32,
            key,
            overlapped: ov.0 as usize,
            status,
            payload: None,
        });
        return;
    }
    deliver(Some(core), delivery, result, false, Some(packets));
}

/// One completion's delivery; port packets go to `packets` when given
/// (posted together by the caller), else straight to the port.
pub fn deliver<T: PortBound + ?Sized>(
    core: Option<&T>,
    delivery: Delivery,
    result: Result<usize>,
    immediate: bool,
    packets: Option<&mut Vec<Packet>>,
) {
    let post = |packet: Packet| {
        let Some((port, _)) = core.and_then(|c| c.port()) else {
            return;
        };
        match packets {
            Some(batch) => batch.push(packet),
            None => port.post(packet),
        }
    };
    let (status, bytes) = match &result {
        Ok(n) => (abi::STATUS_SUCCESS, *n),
        Err(e) => (e.status(), e.bytes()),
    };
    match delivery {
        Delivery::Overlapped {
            ov,
            event,
            routine,
            to_port,
        } => {
            // SAFETY: the caller keeps the OVERLAPPED valid until this completion (S38).
            unsafe { ov.finish(status, bytes) };
            if let Some((routine, thread)) = routine {
                thread.queue_apc(Apc::Overlapped {
                    routine,
                    error: abi::wsa_from_status(status) as u32,
                    bytes: bytes as u32,
                    ov,
                });
            } else {
                if let Some(e) = event {
                    e.set();
                }
                let skip = immediate
                    && status == abi::STATUS_SUCCESS
                    && core.is_some_and(|c| c.skips_port_on_success());
                if to_port
                    && !skip
                    && let Some((_, key)) = core.and_then(|c| c.port())
                {
                    post(Packet {
                        bytes: bytes as u32,
                        key: *key,
                        overlapped: ov.0 as usize,
                        status,
                        payload: None,
                    });
                }
            }
        }
        Delivery::Waiter(slot) => {
            *lock(&slot.result) = Some(result);
            slot.event.set();
        }
        Delivery::Port(payload) => {
            if let Some((_, key)) = core.and_then(|c| c.port()) {
                post(Packet {
                    bytes: bytes as u32,
                    key: *key,
                    overlapped: 0,
                    status,
                    payload: Some(payload),
                });
            }
        }
        Delivery::Notify(n) => n.notify(result),
        Delivery::Routine(routine, thread) => {
            thread.queue_apc(Apc::Rust(routine, result));
        }
        Delivery::Callback(f) => f(result),
    }
}
