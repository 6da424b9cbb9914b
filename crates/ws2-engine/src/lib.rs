//! The engine behind both faces of ws2: the safe Rust API (crate `ws2`)
//! and the C ABI of `libws2_32` (crate `ws2-capi`). Handles, translation,
//! socket state, the send and receive queues and their reactor, and
//! completions live here; the faces only unpack their arguments and call in.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod addr_changes;
pub mod completion;
mod error;
pub mod fork;
pub mod handles;
pub mod interfaces;
pub mod io;
pub mod ops;
pub mod raw;
pub mod resolve;
pub mod socket;
pub mod sync;
pub mod translate;

pub use completion::{Event, Packet, Port, Waited};
pub use error::{Error, Result};
pub use interfaces::{
    AddressState, Interface, InterfaceAddress, InterfaceFlags, OperStatus, Route, interfaces,
    route_to,
};
pub use socket::{SendFlags, SocketCore, SocketKind};
pub use translate::{ControlMessage, Family, Received, ReceivedControls};
