//! How finished operations reach their caller (S31–S38): manual-reset
//! events, completion routines queued to the issuing thread and run only in
//! its alertable waits, and completion ports. All in user space: the only fd
//! involved is one eventfd per thread that ever waits, so a program with one
//! event per OVERLAPPED never meets the fd limit.

mod apc;
mod delivery;
mod event;
mod inline;
mod port;
mod thread;
mod wait;

pub use apc::{Apc, OvPtr, Routine};
pub use delivery::{Delivery, MakeDelivery, Notify, PortBound, WaiterSlot, deliver};
pub use event::{Event, wait_events};
pub use inline::{Payload, RustRoutine};
pub use port::{Packet, Port};
pub use thread::{
    IssuedOn, ThreadState, ThreadWaker, check_not_nested_in_blocking_call, current_thread,
    forget_parent_waiters, on_thread_exit, queue_apc_here,
};
pub use wait::{
    Waitable, Waited, blocking_call_wait, deadline_after, deadline_in, sleep, wait_until,
};
