//! Stream-socket (TCP) numbers and layouts of `winsock2.h`, `ws2def.h`,
//! `ws2ipdef.h` and `mstcpip.h` (SPEC P8): `struct linger`, `struct
//! tcp_keepalive`, the `WSAAccept` condition function, the options and
//! ioctl codes that only streams use.

use std::ffi::{c_int, c_void};

use crate::types::{DWORD, ULONG, WSABUF};

/// `SO_LINGER`: a [`LINGER`].
pub const SO_LINGER: i32 = 0x0080;
/// `SO_OOBINLINE`: urgent data stays in the normal stream.
pub const SO_OOBINLINE: i32 = 0x0100;
/// `SO_DONTLINGER` (`~SO_LINGER`): a BOOL, the negation of `l_onoff`.
pub const SO_DONTLINGER: i32 = !SO_LINGER;
/// `IPPROTO_TCP` option `TCP_NODELAY`: a BOOL (one byte on get).
pub const TCP_NODELAY: i32 = 0x0001;

/// `SOMAXCONN`: "a reasonable maximum" backlog.
pub const SOMAXCONN: i32 = 0x7fff_ffff;

/// `SIO_KEEPALIVE_VALS` (`_WSAIOW(IOC_VENDOR, 4)`): a [`tcp_keepalive`].
pub const SIO_KEEPALIVE_VALS: u32 = crate::consts::IOC_IN | crate::consts::IOC_VENDOR | 4;
/// `SIO_IDEAL_SEND_BACKLOG_QUERY` (`_IOR('t', 123, ULONG)`): the ideal send
/// backlog of a connected stream, a `ULONG`.
pub const SIO_IDEAL_SEND_BACKLOG_QUERY: u32 = 0x4004_747B;

/// `WSAAccept`'s condition-function results.
pub const CF_ACCEPT: c_int = 0;
pub const CF_REJECT: c_int = 1;
pub const CF_DEFER: c_int = 2;

/// `struct linger` / `LINGER`: two `u_short`s (4 bytes; Linux's has two
/// `int`s). `l_linger` is in seconds.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LINGER {
    pub l_onoff: u16,
    pub l_linger: u16,
}

/// `struct tcp_keepalive` (mstcpip.h): three 32-bit `u_long`s (12 bytes),
/// times in milliseconds.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct tcp_keepalive {
    pub onoff: ULONG,
    pub keepalivetime: ULONG,
    pub keepaliveinterval: ULONG,
}

/// `LPCONDITIONPROC`: `WSAAccept`'s condition function. The QOS arguments
/// are opaque here (ws2 passes NULL), `g` is a `GROUP*`.
pub type LPCONDITIONPROC = Option<
    unsafe extern "C" fn(
        lpCallerId: *mut WSABUF,
        lpCallerData: *mut WSABUF,
        lpSQOS: *mut c_void,
        lpGQOS: *mut c_void,
        lpCalleeId: *mut WSABUF,
        lpCalleeData: *mut WSABUF,
        g: *mut u32,
        dwCallbackData: usize,
    ) -> c_int,
>;

/// The size of the `tcp_keepalive` input `SIO_KEEPALIVE_VALS` requires.
pub const TCP_KEEPALIVE_SIZE: DWORD = size_of::<tcp_keepalive>() as DWORD;

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    // P8: the layouts of 64-bit Windows (research-streams.md §0.3).
    #[test]
    fn linger_and_keepalive_have_windows_layouts() {
        assert_eq!((size_of::<LINGER>(), align_of::<LINGER>()), (4, 2));
        assert_eq!(offset_of!(LINGER, l_linger), 2);
        assert_eq!(size_of::<tcp_keepalive>(), 12);
        assert_eq!(offset_of!(tcp_keepalive, keepaliveinterval), 8);
        assert_eq!(TCP_KEEPALIVE_SIZE, 12);
    }

    #[test]
    fn stream_numbers_are_windows_numbers() {
        assert_eq!(SIO_KEEPALIVE_VALS, 0x9800_0004);
        assert_eq!(SIO_IDEAL_SEND_BACKLOG_QUERY, 0x4004_747B);
        assert_eq!(SO_DONTLINGER, -129);
        assert_eq!((CF_ACCEPT, CF_REJECT, CF_DEFER), (0, 1, 2));
        assert_eq!(SOMAXCONN, 0x7fff_ffff);
    }
}
