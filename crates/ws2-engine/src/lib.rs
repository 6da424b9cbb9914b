//! Winsock's `WSASendMsg` and the machinery around it, on Linux, with
//! Windows-exact behaviour.
//!
//! Two faces share one engine: the safe Rust API here ([`Socket`],
//! [`Message`], [`ControlMessage`]) and the C ABI of `libws2_32` (crate
//! `ws2-capi`), which calls the raw-pointer core in [`raw`].
//!
//! ```
//! use std::io::IoSlice;
//! use std::net::{Ipv4Addr, UdpSocket};
//! use ws2_engine::{ControlMessage, Message, SendFlags, Socket};
//!
//! let rx = UdpSocket::bind("127.0.0.1:0")?;
//! let tx = Socket::udp_v4()?;
//! let control = [ControlMessage::SourceV4 { addr: Ipv4Addr::new(127, 0, 0, 2), ifindex: 0 }];
//! let bufs = [IoSlice::new(b"hi")];
//! tx.send_msg(&Message::new(&bufs).to(rx.local_addr()?).control(&control), SendFlags::NONE)?;
//! let mut buf = [0u8; 8];
//! let (_, from) = rx.recv_from(&mut buf)?;
//! assert_eq!(from.ip(), Ipv4Addr::new(127, 0, 0, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(unsafe_op_in_unsafe_fn)]

pub mod completion;
pub mod engine;
mod error;
mod fork;
pub mod handles;
pub mod interfaces;
mod overlapped;
pub mod raw;
pub mod resolve;
mod socket;
pub mod sync;
pub mod translate;

pub use completion::{Event, Packet, Port, Waited};
pub use error::{Error, Result};
pub use interfaces::{
    AddressState, Interface, InterfaceAddress, InterfaceFlags, OperStatus, Route, interfaces,
    route_to,
};
pub use overlapped::{
    CompletionPort, PendingSend, PortCompletion, SendBuf, SendCompletion, SendError,
    sleep_alertable,
};
pub use socket::{Message, Received, RecvInfo, SendFlags, Socket, SocketCore, SocketKind};
pub use translate::{ControlMessage, Family, ReceivedControls};
