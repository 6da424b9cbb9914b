//! Windows → Linux, in one place: socket addresses (the family numbers
//! differ), `WSABUF` arrays (→ `iovec`), and control messages (Windows
//! `WSACMSGHDR` entries or typed [`ControlMessage`]s → validated
//! [`SendControls`] → Linux `cmsghdr`s). Everything on the send path is
//! written into fixed buffers: no allocation up to [`INLINE_BUFFERS`] buffers.

mod addr;
pub mod caller_memory;
mod cmsg_buf;
pub mod cstr;
mod iovecs;
mod multicast;
mod options;
mod received;
mod received_usual;
mod recv_outputs;
mod send_controls;
#[cfg(test)]
mod tests;

pub use addr::*;
pub use cmsg_buf::*;
pub use iovecs::*;
pub use multicast::*;
pub use options::*;
pub use received::*;
pub(crate) use received_usual::windows_entries_in_order;
pub use recv_outputs::RecvOutputs;
pub(crate) use recv_outputs::control_slice;
pub use send_controls::*;

use ws2_abi as abi;

/// WSABUF counts up to this are translated without touching the heap.
///
/// ```
/// let bufs = [ws2_abi::WSABUF { len: 0, buf: std::ptr::null_mut() }; ws2_engine::translate::INLINE_BUFFERS];
/// // SAFETY: `bufs` holds INLINE_BUFFERS readable WSABUFs.
/// let iov = unsafe { ws2_engine::translate::IoVecs::from_wsabufs(bufs.as_ptr(), bufs.len() as u32) }?;
/// assert_eq!(iov.len(), ws2_engine::translate::INLINE_BUFFERS);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const INLINE_BUFFERS: usize = 16;

/// Most iovecs one Linux message takes (`UIO_MAXIOV`). Windows has no such
/// limit: a datagram of more buffers is gathered into one bounce buffer on
/// send and scattered from one on receive (S21).
pub const MAX_IOVECS: usize = 1024;

/// A send's `Control.len` up to this is read directly; a longer one is
/// first checked to be readable (`WSAEFAULT` otherwise). Every valid control
/// buffer fits: each of the 9 kinds at most once is 232 bytes.
pub const CONTROL_INLINE: usize = 512;

/// The address family of a socket, as Linux sees it.
///
/// ```
/// # use ws2_engine as ws2;
/// use ws2::Family;
/// assert_eq!(Family::from_windows(ws2::AF_INET6), Some(Family::V6));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    V4,
    /// IPv6 (`AF_INET6`), possibly dual-stack.
    V6,
}

impl Family {
    /// The Windows `AF_*` number.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// assert_eq!(ws2::Family::V6.windows(), 23);
    /// ```
    pub fn windows(self) -> i32 {
        match self {
            Family::V4 => abi::AF_INET,
            Family::V6 => abi::AF_INET6,
        }
    }

    /// The Linux `AF_*` number.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// assert_eq!(ws2::Family::V6.linux(), 10);
    /// assert_eq!(ws2::Family::V6.linux(), libc::AF_INET6);
    /// ```
    #[doc(hidden)]
    pub fn linux(self) -> i32 {
        match self {
            Family::V4 => libc::AF_INET,
            Family::V6 => libc::AF_INET6,
        }
    }

    /// From a Windows `AF_*` number; `None` for anything but `AF_INET`/`AF_INET6`.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// use ws2::Family;
    /// assert_eq!(Family::from_windows(2), Some(Family::V4));
    /// assert_eq!(Family::from_windows(10), None, "10 is Linux's AF_INET6, not Windows'");
    /// ```
    pub fn from_windows(af: i32) -> Option<Family> {
        match af {
            abi::AF_INET => Some(Family::V4),
            abi::AF_INET6 => Some(Family::V6),
            _ => None,
        }
    }
}
