//! How finished operations reach their caller (S31–S38): events (manual-
//! and auto-reset, named ones in `named`), completion routines queued to
//! the issuing thread and run only in its alertable waits, and completion
//! ports; and the other objects a wait waits on: mutexes, semaphores, and
//! threads started by `CreateThread` (`thread_object`), one or many at once
//! (`multiple`). All in user space: the only fd
//! involved is one eventfd per thread that ever waits, so a program with one
//! event per OVERLAPPED never meets the fd limit.

mod apc;
mod delivery;
mod event;
mod inline;
mod multiple;
mod mutex;
pub mod named;
mod port;
mod semaphore;
mod thread;
pub mod thread_object;
mod wait;

pub use apc::{Apc, OvPtr, Routine, UserApc};
pub(crate) use delivery::deliver_to_batch;
pub use delivery::{Delivery, MakeDelivery, Notify, PortBound, WaiterSlot, deliver};
pub use event::Event;
pub use inline::{InlineFnOnce, Payload, RustRoutine};
pub use multiple::{Satisfied, SyncObject, SyncRef, wait_events, wait_objects};
pub use mutex::MutexObject;
pub use port::{Packet, Port, PortSource, note_pended};
pub use semaphore::Semaphore;
pub(crate) use thread::this_thread;
pub use thread::{
    IssuedOn, Owned, ThreadState, ThreadWaker, add_waker, check_not_nested_in_blocking_call,
    current_thread, forget_parent_waiters, in_completion_routine, on_thread_exit, queue_apc_here,
    remove_waker,
};
pub use thread_object::ThreadObject;
pub use wait::{
    Waitable, Waited, blocking_call_poll, blocking_call_wait, deadline_after, deadline_in, sleep,
    wait_polling, wait_until,
};
