//! The engine behind both faces of ws2: the safe Rust API (crate `ws2`,
//! package `ws2-linux`) and the C ABI of `libws2_32` (package
//! `ws2-linux-capi`). Handles, translation, socket state, the send and
//! receive queues and their reactor, and completions live here; the faces
//! only unpack their arguments and call in.
//! It is not an API for programs: its items are public for the two faces.
//!
//! # Layers
//!
//! Each module has one concern, and the modules form layers: a module uses
//! only modules of lower layers, so the `use crate::` graph has no cycle
//! (`tests/layers.rs` reads the imports and holds both rules, and that the
//! files of one module do not import each other in a circle). Lowest first:
//!
//! 1. [`error`] (`Error`, `Result`, errno mapping), [`sync`] (futex waits
//!    and wakes), [`consts`] (the Windows numbers of the safe API), `sys`
//!    (the datagram system calls without glibc's cancellation wrapper)
//! 2. [`fork`]: the fork generation and the gate every lock goes through
//!    (`fork::lock`)
//! 3. [`translate`]: Windows ↔ Linux addresses, `WSABUF` arrays and caller
//!    memory, control messages sent and received, socket options, C strings
//! 4. [`completion`] (thread states and APCs, the waiting loop, events,
//!    ports, deliveries), [`interfaces`](mod@interfaces) (reading interfaces and routes over
//!    rtnetlink), [`resolve`] (the system resolver in Windows' structures)
//! 5. [`ops`]: a socket's pending operations as data
//! 6. [`socket`]: `SocketCore`, the state of one socket and its synchronous
//!    operations (creation, options, addresses, send checks, ICMP errors,
//!    receives, waiters)
//! 7. [`readiness`]: what `select`, `WSAPoll` and `WSAEventSelect` answer
//!    (a set of sockets polled and waited on; the network-event record's
//!    association and report; `FIONREAD`)
//! 8. [`addr_changes`]: the address-change notifications
//! 9. [`io`]: the send and receive queues, the reactor (which also watches
//!    sockets with selected network events), cancellation and closing
//! 10. [`handles`]: the handle table (`SOCKET`, `WSAEVENT`, port `HANDLE`)
//!     and `WSAStartup`
//! 11. [`raw`]: the unsafe core the C face calls on raw pointers (sends,
//!     receives, options, overlapped results, the interface ioctls, the IP
//!     Helper calls, `select`/`WSAPoll`/`WSAEventSelect` on handles)
//!
//! What a lower layer needs from a higher one is handed down, not
//! imported: a thread's exit reaches the sockets it queued operations on
//! through [`completion::IssuedOn`] and [`completion::on_thread_exit`], a
//! completion reaches a socket's port through [`completion::PortBound`],
//! and the handle table gives the fork handlers its locks through
//! [`fork::take_first_at_fork`].
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(not(target_os = "linux"))]
compile_error!(
    "ws2-linux-engine supports Linux only: it is built on Linux's sockets, epoll, futexes and rtnetlink"
);

pub mod addr_changes;
pub mod completion;
pub mod consts;
pub mod error;
pub mod fork;
pub mod handles;
pub mod interfaces;
pub mod io;
pub mod ops;
pub mod raw;
pub mod readiness;
pub mod resolve;
pub mod socket;
pub mod sync;
mod sys;
pub mod translate;

pub use completion::{Event, Packet, Port, Waited};
pub use consts::*;
pub use error::{Error, Result};
pub use interfaces::{
    AddressState, Interface, InterfaceAddress, InterfaceFlags, OperStatus, Route, interfaces,
    route_to,
};
pub use socket::{Message, SendFlags, SocketCore, SocketKind};
pub use translate::{ControlMessage, Family, Received, ReceivedControls};
