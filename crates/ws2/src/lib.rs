//! Winsock's `WSASendMsg` and the machinery around it, on Linux, with
//! Windows-exact behaviour: the safe Rust API.
//!
//! ```
//! use std::io::IoSlice;
//! use std::net::{Ipv4Addr, UdpSocket};
//! use ws2::{ControlMessage, Message, SendFlags, Socket};
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

mod overlapped;
mod socket;

pub use overlapped::{
    CompletionPort, PendingSend, PortCompletion, SendBuf, SendBufs, SendCompletion, SendError,
    sleep_alertable,
};
pub use socket::{Message, RecvInfo, Socket};
/// The Windows numbers a program compares or passes: Winsock error codes
/// ([`Error::code`]), address families, socket types, IP protocols.
pub use ws2_engine::consts::*;
pub use ws2_engine::interfaces::{
    AddressState, Interface, InterfaceAddress, InterfaceFlags, OperStatus, Route, interfaces,
    route_to,
};
pub use ws2_engine::{
    ControlMessage, Error, Event, Family, Received, ReceivedControls, Result, SendFlags, SocketKind,
};
