//! Winsock's `WSASendMsg` and the machinery around it, on Linux, with
//! Windows-exact behaviour: the safe Rust API. The same engine runs the C
//! ABI of `libws2_32` (package `ws2-linux-capi`); this crate (package
//! `ws2-linux`, crate `ws2`) is all a Rust program needs in its
//! `Cargo.toml`.
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
//!
//! Errors are [`Error`]: the Winsock code ([`Error::code`], compared with
//! the constants re-exported here: [`WSAEWOULDBLOCK`], ...) and a message
//! naming the field, control message or limit at fault; it converts into
//! `std::io::Error`.
//!
//! # Which completion style when
//!
//! **Operations issued by a thread that exits are cancelled** (S37): a send
//! still queued when its issuing thread ends completes with
//! `WSA_OPERATION_ABORTED` (a routine never runs), unless its socket is
//! bound to a [`CompletionPort`]. Issue overlapped sends from a thread that
//! outlives them, or bind the socket to a port.
//!
//! - **Blocking** ([`Socket::send_msg`], [`Socket::send_to`]): the call
//!   returns once the kernel took the datagram, waiting for buffer space if
//!   it must (`SO_SNDTIMEO`: [`Socket::set_send_timeout`]; a non-blocking
//!   socket, [`Socket::set_nonblocking`], fails with `WSAEWOULDBLOCK`
//!   instead). The simplest and, for single sends, the fastest: no
//!   allocation, one `sendmsg`.
//! - **[`PendingSend`]** ([`Socket::send_overlapped`]): the call returns at
//!   once, ws2 holds the buffers, and the result comes back with them: wait
//!   for it ([`PendingSend::wait`], [`PendingSend::wait_timeout`], its
//!   [`Event`]) or `.await` it on any executor (it is a `Future`). For many
//!   sends in flight from one thread, and for async code.
//! - **Completion port** ([`CompletionPort::associate`],
//!   [`Socket::send_to_port`]): completions of many sockets, each with the
//!   socket's key, taken by any thread ([`CompletionPort::get`],
//!   [`CompletionPort::get_many`] for batches). For worker pools; and the
//!   one style whose sends outlive their issuing thread.
//! - **Completion routine** ([`Socket::send_with_routine`]): the routine
//!   runs on the issuing thread, in its next alertable wait
//!   ([`sleep_alertable`]), one at a time and never nested. For a
//!   single-threaded loop that already waits alertably; nothing to lock.
//!
//! Every overlapped style takes one buffer ([`SendBuf`]) or several
//! gathered into one datagram ([`SendBufs`]: a `Vec` or array of them), and
//! `dwFlags` through the `*_with_flags` forms.
//!
//! # Stream sockets
//!
//! [`TcpListener`] and [`TcpStream`] are TCP with Windows' rules, shaped as
//! `std::net`'s (`Read`, `Write`, `shutdown`, timeouts, linger): a
//! non-blocking [`TcpStream::send`] takes the whole buffer or fails with
//! `WSAEWOULDBLOCK`, never part of it (what the kernel cannot take yet is
//! sent in order as the connection drains, also after `close`); a reset is
//! reported by every later call; `recv` answers 0 at every read after the
//! end of the stream.
//!
//! # Async receives with tokio
//!
//! A [`Socket`] is `AsFd`: an async runtime can wait for it to be readable
//! and receive without blocking. With tokio's `AsyncFd` (the socket made
//! non-blocking, so a receive with nothing waiting answers
//! `WSAEWOULDBLOCK`, which `std::io::Error` reads as `WouldBlock`):
//!
//! ```no_run
//! use tokio::io::Interest;
//! use tokio::io::unix::AsyncFd;
//!
//! async fn receive(rx: &AsyncFd<ws2::Socket>) -> std::io::Result<(Vec<u8>, std::net::SocketAddr)> {
//!     let mut buf = vec![0u8; 2048];
//!     loop {
//!         let mut ready = rx.readable().await?;
//!         match ready.try_io(|s| s.get_ref().recv_from(&mut buf).map_err(Into::into)) {
//!             Ok(got) => {
//!                 let (n, from) = got?;
//!                 buf.truncate(n);
//!                 return Ok((buf, from));
//!             }
//!             Err(_would_block) => continue, // readiness cleared: wait again
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let socket = ws2::Socket::udp_v4()?;
//! socket.bind("127.0.0.1:9000".parse()?)?;
//! socket.set_nonblocking(true);
//! // SAFETY: the socket moves into the AsyncFd and no clone of it exists,
//! // so nothing closes it or changes its fd while the AsyncFd owns it.
//! let rx = unsafe { AsyncFd::register_with_interest(socket, Interest::READABLE) }?;
//! let (data, from) = receive(&rx).await?;
//! println!("{} bytes from {from}", data.len());
//! # Ok(())
//! # }
//! ```
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(not(target_os = "linux"))]
compile_error!(
    "ws2-linux supports Linux only: it is Winsock built on Linux's sockets, epoll and rtnetlink; on Windows, use the system's Winsock (socket2, windows-sys)"
);

mod multicast;
mod overlapped;
mod port;
mod socket;
mod stream;

pub use overlapped::{PendingSend, SendBuf, SendBufs, SendCompletion, SendError};
pub use port::{CompletionPort, PortCompletion, sleep_alertable};
pub use socket::{RecvInfo, Socket};
pub use stream::{TcpListener, TcpStream};
/// The Windows numbers a program compares or passes: Winsock error codes
/// ([`Error::code`]), address families, socket types, IP protocols.
pub use ws2_engine::consts::*;
pub use ws2_engine::interfaces::{
    AddressState, Interface, InterfaceAddress, InterfaceFlags, OperStatus, Route, interfaces,
    route_to,
};
pub use ws2_engine::{
    ControlMessage, Error, Event, Family, Message, Received, ReceivedControls, Result, SendFlags,
    SocketKind,
};
