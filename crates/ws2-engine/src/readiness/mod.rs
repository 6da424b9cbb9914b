//! Readiness (SPEC P1): what `select`, `WSAPoll` and `WSAEventSelect` /
//! `WSAEnumNetworkEvents` answer, and `FIONREAD`/`FIONBIO` as they meet
//! them, on the sockets' own fds.
//!
//! - [`PollSet`], sockets and what each is watched for; one `poll(2)` over
//!   their fds tells what they are ready for (the socket layer's rules:
//!   `SocketCore::ready_from`), and when nothing is, the
//!   calling thread waits alertably (S35) in `poll` over the same fds plus
//!   its wake fd, registered as a waiter on each socket so that a
//!   `closesocket` or a drained send queue ends the wait. No polling loop,
//!   no fd per event.
//! - [`events`], the association of `WSAEventSelect` and the report of
//!   `WSAEnumNetworkEvents` over the socket's `EventRecord`; the `io`
//!   layer's reactor watches a live socket and records arrivals.
//! - [`pending_bytes`], `FIONREAD`.
//!
//! The handle-level calls (`fd_set`, `WSAPOLLFD` arrays) are `raw::readiness`'s.

pub mod events;
mod set;

pub use events::{EnumeratedEvents, enumerate, select_events, set_fionbio};
pub use set::{
    FOUND_CLOSED, FOUND_DATA, FOUND_ERROR, FOUND_EXCEPT, FOUND_HANGUP, FOUND_OOB, FOUND_READ,
    FOUND_WRITE, PollSet, WANT_EXCEPT, WANT_HANGUP, WANT_OOB, WANT_READ, WANT_WRITE, Watch,
};

use crate::error::Result;
use crate::socket::SocketCore;

/// `FIONREAD` (`ioctlsocket`, `WSAIoctl`): for a datagram socket, what
/// Windows answers per Microsoft's `ioctlsocket` page, the data pending in
/// total (user-space data first, SPEC S44, then the datagrams queued in the
/// kernel: see `SocketCore::queued_bytes` for how they are counted
/// and its limit), not the first datagram's size as Linux answers.
///
/// ```
/// # use ws2_engine::{Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// core.bind(&"127.0.0.1:0".parse()?)?;
/// let tx = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// tx.send_to(b"hello", core.local_addr()?)?;
/// tx.send_to(b"1234567", core.local_addr()?)?;
/// std::thread::sleep(std::time::Duration::from_millis(20));
/// assert_eq!(ws2_engine::readiness::pending_bytes(&core)?, 12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pending_bytes(core: &SocketCore) -> Result<u32> {
    let user = core.buffered_in_user_space().unwrap_or(0);
    let kernel = core.queued_bytes().map_err(|e| core.or_closed(e))?;
    Ok(u32::try_from(user.saturating_add(kernel)).unwrap_or(u32::MAX))
}
