//! Interface discovery through `WSAIoctl` (SPEC P5): the ioctl codes, the
//! network-event bits of address and route changes, `SOCKET_ADDRESS_LIST`
//! and `INTERFACE_INFO` with their 64-bit Windows layouts. Sizes and offsets
//! are pinned by the tests below and by `_Static_assert`s in the C headers.

use crate::consts::{IOC_IN, IOC_INOUT, IOC_OUT, IOC_VOID, IOC_WS2};
use crate::types::{DWORD, IN6_ADDR, INT, NTSTATUS, SOCKADDR, SOCKADDR_IN, ULONG};

/// `_WSAIORW(IOC_WS2, 20)`: the local address the stack would use to reach
/// a destination (a `SOCKADDR` in, a `SOCKADDR` out).
pub const SIO_ROUTING_INTERFACE_QUERY: u32 = IOC_INOUT | IOC_WS2 | 20;
/// `_WSAIOW(IOC_WS2, 21)`: not provided (`WSAEOPNOTSUPP`).
pub const SIO_ROUTING_INTERFACE_CHANGE: u32 = IOC_IN | IOC_WS2 | 21;
/// `_WSAIOR(IOC_WS2, 22)`: the socket family's local addresses
/// (`SOCKET_ADDRESS_LIST`).
pub const SIO_ADDRESS_LIST_QUERY: u32 = IOC_OUT | IOC_WS2 | 22;
/// `_WSAIO(IOC_WS2, 23)`: completes when the local address list changes.
pub const SIO_ADDRESS_LIST_CHANGE: u32 = IOC_VOID | IOC_WS2 | 23;
/// `_WSAIORW(IOC_WS2, 25)`: not provided (`WSAEOPNOTSUPP`).
pub const SIO_ADDRESS_LIST_SORT: u32 = IOC_INOUT | IOC_WS2 | 25;
/// `_IOR('t', 127, u_long)` with Windows' 32-bit `u_long`: one
/// `INTERFACE_INFO` per IPv4 address.
pub const SIO_GET_INTERFACE_LIST: u32 = 0x4004_747F;
/// `_IOR('t', 126, u_long)`: "not currently supported" (Microsoft).
pub const SIO_GET_INTERFACE_LIST_EX: u32 = 0x4004_747E;

/// `FD_ROUTING_INTERFACE_CHANGE_BIT`, `FD_ADDRESS_LIST_CHANGE_BIT`,
/// `FD_MAX_EVENTS` and the event masks `WSAEventSelect` takes.
pub const FD_ROUTING_INTERFACE_CHANGE_BIT: u32 = 8;
pub const FD_ADDRESS_LIST_CHANGE_BIT: u32 = 9;
pub const FD_MAX_EVENTS: u32 = 10;
pub const FD_ROUTING_INTERFACE_CHANGE: u32 = 1 << FD_ROUTING_INTERFACE_CHANGE_BIT;
pub const FD_ADDRESS_LIST_CHANGE: u32 = 1 << FD_ADDRESS_LIST_CHANGE_BIT;

/// `INTERFACE_INFO.iiFlags`: Windows' values (Linux's `IFF_LOOPBACK` is 8,
/// `IFF_POINTOPOINT` 0x10, `IFF_MULTICAST` 0x1000).
pub const IFF_UP: ULONG = 0x1;
pub const IFF_BROADCAST: ULONG = 0x2;
pub const IFF_LOOPBACK: ULONG = 0x4;
pub const IFF_POINTTOPOINT: ULONG = 0x8;
pub const IFF_MULTICAST: ULONG = 0x10;

/// `STATUS_BUFFER_TOO_SMALL`: an asynchronous `SIO_GET_INTERFACE_LIST`
/// whose buffer is too small (sock.c `test_get_interface_list`).
pub const STATUS_BUFFER_TOO_SMALL: NTSTATUS = 0xC000_0023;
/// `ERROR_INSUFFICIENT_BUFFER`: the Win32 code of `STATUS_BUFFER_TOO_SMALL`.
pub const ERROR_INSUFFICIENT_BUFFER: DWORD = 122;

/// `SOCKET_ADDRESS { LPSOCKADDR lpSockaddr; INT iSockaddrLength; }`: 16 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SOCKET_ADDRESS {
    pub lpSockaddr: *mut SOCKADDR,
    pub iSockaddrLength: INT,
}

impl Default for SOCKET_ADDRESS {
    fn default() -> Self {
        SOCKET_ADDRESS {
            lpSockaddr: core::ptr::null_mut(),
            iSockaddrLength: 0,
        }
    }
}

/// `SOCKET_ADDRESS_LIST { INT iAddressCount; SOCKET_ADDRESS Address[1]; }`:
/// the array starts at offset 8 (`FIELD_OFFSET(SOCKET_ADDRESS_LIST,
/// Address[0])`); `SIO_ADDRESS_LIST_QUERY` packs the sockaddrs right after
/// the array.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SOCKET_ADDRESS_LIST {
    pub iAddressCount: INT,
    pub Address: [SOCKET_ADDRESS; 1],
}

/// Bytes before `SOCKET_ADDRESS_LIST.Address[0]`.
pub const SOCKET_ADDRESS_LIST_HEADER: usize = 8;

/// `sockaddr_in6_old`: the 24-byte IPv6 address of `sockaddr_gen` (no scope id).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct sockaddr_in6_old {
    pub sin6_family: i16,
    pub sin6_port: u16,
    pub sin6_flowinfo: u32,
    pub sin6_addr: IN6_ADDR,
}

/// `sockaddr_gen`: 24 bytes, 4-aligned.
#[repr(C)]
#[derive(Clone, Copy)]
pub union sockaddr_gen {
    pub Address: SOCKADDR,
    pub AddressIn: SOCKADDR_IN,
    pub AddressIn6: sockaddr_in6_old,
}

impl Default for sockaddr_gen {
    fn default() -> Self {
        sockaddr_gen {
            AddressIn6: sockaddr_in6_old::default(),
        }
    }
}

/// `INTERFACE_INFO`: 76 bytes; `iiBroadcastAddress` is all zero (family 0)
/// when the interface has no broadcast.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct INTERFACE_INFO {
    pub iiFlags: ULONG,
    pub iiAddress: sockaddr_gen,
    pub iiBroadcastAddress: sockaddr_gen,
    pub iiNetmask: sockaddr_gen,
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn codes_have_windows_values() {
        // P5: the sheet's table of ioctl values (ws2def.h/ws2ipdef.h).
        assert_eq!(SIO_ROUTING_INTERFACE_QUERY, 0xC800_0014);
        assert_eq!(SIO_ROUTING_INTERFACE_CHANGE, 0x8800_0015);
        assert_eq!(SIO_ADDRESS_LIST_QUERY, 0x4800_0016);
        assert_eq!(SIO_ADDRESS_LIST_CHANGE, 0x2800_0017);
        assert_eq!(SIO_ADDRESS_LIST_SORT, 0xC800_0019);
        assert_eq!(SIO_GET_INTERFACE_LIST, 0x4004_747F);
        assert_eq!(FD_ADDRESS_LIST_CHANGE, 0x200);
        assert_eq!(FD_ROUTING_INTERFACE_CHANGE, 0x100);
        assert_eq!(IFF_MULTICAST, 0x10);
    }

    #[test]
    fn layouts_match_64_bit_windows() {
        // P5
        assert_eq!(size_of::<SOCKET_ADDRESS>(), 16);
        assert_eq!(offset_of!(SOCKET_ADDRESS, iSockaddrLength), 8);
        assert_eq!(
            offset_of!(SOCKET_ADDRESS_LIST, Address),
            SOCKET_ADDRESS_LIST_HEADER
        );
        assert_eq!(size_of::<SOCKET_ADDRESS_LIST>(), 24);
        assert_eq!(size_of::<sockaddr_in6_old>(), 24);
        assert_eq!(size_of::<sockaddr_gen>(), 24);
        assert_eq!(align_of::<sockaddr_gen>(), 4);
        assert_eq!(size_of::<INTERFACE_INFO>(), 76);
        assert_eq!(offset_of!(INTERFACE_INFO, iiAddress), 4);
        assert_eq!(offset_of!(INTERFACE_INFO, iiBroadcastAddress), 28);
        assert_eq!(offset_of!(INTERFACE_INFO, iiNetmask), 52);
    }
}
