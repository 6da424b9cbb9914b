//! Readiness (SPEC P1): `select`'s `fd_set`, `WSAPoll`'s `WSAPOLLFD` and
//! `POLL*` values, `WSAEventSelect`'s `FD_*` network events and
//! `WSANETWORKEVENTS`, with the numbers and 64-bit layouts of Windows'
//! `winsock2.h`. Sizes and offsets are pinned by the tests below and by
//! `_Static_assert`s in the C headers. `struct timeval` stays glibc's
//! (SPEC P1): [`TIMEVAL`] is `libc::timeval`.

use crate::ifioctl::FD_MAX_EVENTS;
use crate::types::{INT, LONG, SOCKET};

/// `FD_SETSIZE`: Windows' default capacity of an `fd_set`; a program may
/// define a larger one before including `winsock2.h`. ws2 reads only the
/// first `fd_count` entries, so it works with any size.
pub const FD_SETSIZE: usize = 64;

/// `fd_set { u_int fd_count; SOCKET fd_array[FD_SETSIZE]; }` with the
/// default size: 520 bytes, `fd_array` at offset 8. A program's own
/// `FD_SETSIZE` changes only the length of `fd_array`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct fd_set {
    pub fd_count: u32,
    pub fd_array: [SOCKET; FD_SETSIZE],
}

/// Offset of `fd_array` in an `fd_set` of any `FD_SETSIZE`.
pub const FD_ARRAY_OFFSET: usize = 8;

/// `TIMEVAL`: glibc's `struct timeval` (16 bytes), which ws2's headers keep
/// because glibc's headers define it first (SPEC P1, LINUX-FACTS).
pub type TIMEVAL = libc::timeval;

/// `WSAPoll` flags (`winsock2.h`; not Linux's values).
pub const POLLRDNORM: i16 = 0x0100;
pub const POLLRDBAND: i16 = 0x0200;
pub const POLLIN: i16 = POLLRDNORM | POLLRDBAND;
pub const POLLPRI: i16 = 0x0400;
pub const POLLWRNORM: i16 = 0x0010;
pub const POLLOUT: i16 = POLLWRNORM;
pub const POLLWRBAND: i16 = 0x0020;
pub const POLLERR: i16 = 0x0001;
pub const POLLHUP: i16 = 0x0002;
pub const POLLNVAL: i16 = 0x0004;

/// The `events` bits `WSAPoll` accepts on a socket; any other bit is
/// `WSAEINVAL` (sock.c `test_WSAPoll`).
pub const POLL_VALID_EVENTS: i16 = POLLRDNORM | POLLRDBAND | POLLWRNORM;

/// `WSAPOLLFD` (C tag `pollfd`): `SOCKET fd` at 0, `SHORT events` at 8,
/// `SHORT revents` at 10; 16 bytes, alignment 8.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WSAPOLLFD {
    pub fd: SOCKET,
    pub events: i16,
    pub revents: i16,
}

/// Network events of `WSAEventSelect`: bit numbers and masks.
pub const FD_READ_BIT: u32 = 0;
pub const FD_WRITE_BIT: u32 = 1;
pub const FD_OOB_BIT: u32 = 2;
pub const FD_ACCEPT_BIT: u32 = 3;
pub const FD_CONNECT_BIT: u32 = 4;
pub const FD_CLOSE_BIT: u32 = 5;
pub const FD_QOS_BIT: u32 = 6;
pub const FD_GROUP_QOS_BIT: u32 = 7;
pub const FD_READ: u32 = 1 << FD_READ_BIT;
pub const FD_WRITE: u32 = 1 << FD_WRITE_BIT;
pub const FD_OOB: u32 = 1 << FD_OOB_BIT;
pub const FD_ACCEPT: u32 = 1 << FD_ACCEPT_BIT;
pub const FD_CONNECT: u32 = 1 << FD_CONNECT_BIT;
pub const FD_CLOSE: u32 = 1 << FD_CLOSE_BIT;
pub const FD_QOS: u32 = 1 << FD_QOS_BIT;
pub const FD_GROUP_QOS: u32 = 1 << FD_GROUP_QOS_BIT;
/// Every network event: `(1 << FD_MAX_EVENTS) - 1` (0x3FF).
pub const FD_ALL_EVENTS: u32 = (1 << FD_MAX_EVENTS) - 1;

/// `WSANETWORKEVENTS { LONG lNetworkEvents; int iErrorCode[FD_MAX_EVENTS]; }`:
/// 44 bytes, alignment 4, `iErrorCode` at offset 4 (plain WSA error
/// numbers, indexed by `FD_*_BIT`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WSANETWORKEVENTS {
    pub lNetworkEvents: LONG,
    pub iErrorCode: [INT; FD_MAX_EVENTS as usize],
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ifioctl::{FD_ADDRESS_LIST_CHANGE, FD_ROUTING_INTERFACE_CHANGE};
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn values_are_windows_values() {
        // P1: winsock2.h's numbers (research sheet §0), not Linux's.
        assert_eq!(
            [POLLRDNORM, POLLRDBAND, POLLIN, POLLPRI],
            [0x100, 0x200, 0x300, 0x400]
        );
        assert_eq!([POLLWRNORM, POLLOUT, POLLWRBAND], [0x10, 0x10, 0x20]);
        assert_eq!([POLLERR, POLLHUP, POLLNVAL], [1, 2, 4]);
        assert_eq!(
            [FD_READ, FD_WRITE, FD_OOB, FD_ACCEPT, FD_CONNECT, FD_CLOSE],
            [1, 2, 4, 8, 0x10, 0x20]
        );
        assert_eq!([FD_QOS, FD_GROUP_QOS], [0x40, 0x80]);
        assert_eq!(FD_ROUTING_INTERFACE_CHANGE | FD_ADDRESS_LIST_CHANGE, 0x300);
        assert_eq!(FD_ALL_EVENTS, 0x3FF);
        assert_eq!(FD_SETSIZE, 64);
    }

    #[test]
    fn layouts_match_64_bit_windows() {
        // P1
        assert_eq!(size_of::<fd_set>(), 520);
        assert_eq!(offset_of!(fd_set, fd_array), FD_ARRAY_OFFSET);
        assert_eq!(size_of::<WSAPOLLFD>(), 16);
        assert_eq!(align_of::<WSAPOLLFD>(), 8);
        assert_eq!(offset_of!(WSAPOLLFD, events), 8);
        assert_eq!(offset_of!(WSAPOLLFD, revents), 10);
        assert_eq!(size_of::<WSANETWORKEVENTS>(), 44);
        assert_eq!(align_of::<WSANETWORKEVENTS>(), 4);
        assert_eq!(offset_of!(WSANETWORKEVENTS, iErrorCode), 4);
        assert_eq!(size_of::<TIMEVAL>(), 16);
    }
}
