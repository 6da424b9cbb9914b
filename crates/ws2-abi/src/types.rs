//! `#[repr(C)]` Winsock structures with their 64-bit Windows layouts.
//! Every size and offset is pinned by the tests at the bottom (and by
//! `_Static_assert`s on the C side).

use core::ffi::{c_char, c_int, c_uint, c_ushort, c_void};

pub type BOOL = c_int;
pub type BYTE = u8;
pub type BOOLEAN = u8;
pub type WORD = u16;
pub type DWORD = u32;
pub type ULONG = u32;
pub type LONG = i32;
pub type INT = c_int;
pub type UINT = c_uint;
pub type USHORT = c_ushort;
pub type ULONG_PTR = usize;
pub type SIZE_T = usize;
pub type WCHAR = u16;
pub type HANDLE = *mut c_void;
pub type SOCKET = usize;
pub type WSAEVENT = HANDLE;
pub type ADDRESS_FAMILY = u16;
pub type NTSTATUS = u32;

/// `WSABUF { ULONG len; CHAR *buf; }`: 16 bytes, `buf` at offset 8.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct WSABUF {
    pub len: ULONG,
    pub buf: *mut c_char,
}

/// `WSAMSG`: 56 bytes on 64-bit Windows.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct WSAMSG {
    pub name: *mut SOCKADDR,
    pub namelen: INT,
    pub lpBuffers: *mut WSABUF,
    pub dwBufferCount: ULONG,
    pub Control: WSABUF,
    pub dwFlags: ULONG,
}

/// `WSACMSGHDR { SIZE_T cmsg_len; INT cmsg_level; INT cmsg_type; }`: 16 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WSACMSGHDR {
    pub cmsg_len: SIZE_T,
    pub cmsg_level: INT,
    pub cmsg_type: INT,
}

/// `IN_ADDR`: the address in network byte order (`S_un.S_addr`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IN_ADDR {
    pub s_addr: u32,
}

/// `IN6_ADDR`: sixteen bytes (`u.Byte`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IN6_ADDR {
    pub s6_addr: [u8; 16],
}

/// `IN_PKTINFO { IN_ADDR ipi_addr; ULONG ipi_ifindex; }`: 8 bytes. On send,
/// `ipi_addr` is the source address to use.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IN_PKTINFO {
    pub ipi_addr: IN_ADDR,
    pub ipi_ifindex: ULONG,
}

/// `IN6_PKTINFO { IN6_ADDR ipi6_addr; ULONG ipi6_ifindex; }`: 20 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IN6_PKTINFO {
    pub ipi6_addr: IN6_ADDR,
    pub ipi6_ifindex: ULONG,
}

/// `SOCKADDR { ADDRESS_FAMILY sa_family; CHAR sa_data[14]; }`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SOCKADDR {
    pub sa_family: ADDRESS_FAMILY,
    pub sa_data: [c_char; 14],
}

/// `SOCKADDR_IN`: 16 bytes; port and address in network byte order.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SOCKADDR_IN {
    pub sin_family: ADDRESS_FAMILY,
    pub sin_port: USHORT,
    pub sin_addr: IN_ADDR,
    pub sin_zero: [c_char; 8],
}

/// `SOCKADDR_IN6`: 28 bytes; family is Windows' `AF_INET6` (23).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SOCKADDR_IN6 {
    pub sin6_family: ADDRESS_FAMILY,
    pub sin6_port: USHORT,
    pub sin6_flowinfo: ULONG,
    pub sin6_addr: IN6_ADDR,
    pub sin6_scope_id: ULONG,
}

/// `SOCKADDR_STORAGE`: 128 bytes, 8-byte aligned.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug)]
pub struct SOCKADDR_STORAGE {
    pub ss_family: ADDRESS_FAMILY,
    pub __ss_pad1: [c_char; 6],
    pub __ss_align: i64,
    pub __ss_pad2: [c_char; 112],
}

impl Default for SOCKADDR_STORAGE {
    fn default() -> Self {
        SOCKADDR_STORAGE {
            ss_family: 0,
            __ss_pad1: [0; 6],
            __ss_align: 0,
            __ss_pad2: [0; 112],
        }
    }
}

/// `WSAOVERLAPPED` (= `OVERLAPPED`): 32 bytes. `Internal` holds an NTSTATUS,
/// `InternalHigh` the byte count; `Offset`/`OffsetHigh` overlay `Pointer`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct WSAOVERLAPPED {
    pub Internal: ULONG_PTR,
    pub InternalHigh: ULONG_PTR,
    pub Offset: DWORD,
    pub OffsetHigh: DWORD,
    pub hEvent: HANDLE,
}

impl Default for WSAOVERLAPPED {
    fn default() -> Self {
        WSAOVERLAPPED {
            Internal: 0,
            InternalHigh: 0,
            Offset: 0,
            OffsetHigh: 0,
            hEvent: core::ptr::null_mut(),
        }
    }
}

pub type OVERLAPPED = WSAOVERLAPPED;

/// `OVERLAPPED_ENTRY`: 32 bytes (28 padded to 8).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OVERLAPPED_ENTRY {
    pub lpCompletionKey: ULONG_PTR,
    pub lpOverlapped: *mut WSAOVERLAPPED,
    pub Internal: ULONG_PTR,
    pub dwNumberOfBytesTransferred: DWORD,
}

/// `WSADATA` in its 64-bit field order (the two strings come after
/// `lpVendorInfo` on 64-bit Windows): 408 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct WSADATA {
    pub wVersion: WORD,
    pub wHighVersion: WORD,
    pub iMaxSockets: u16,
    pub iMaxUdpDg: u16,
    pub lpVendorInfo: *mut c_char,
    pub szDescription: [c_char; WSADESCRIPTION_LEN + 1],
    pub szSystemStatus: [c_char; WSASYS_STATUS_LEN + 1],
}

pub const WSADESCRIPTION_LEN: usize = 256;
pub const WSASYS_STATUS_LEN: usize = 128;

/// `GUID`: 16 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GUID {
    pub Data1: u32,
    pub Data2: u16,
    pub Data3: u16,
    pub Data4: [u8; 8],
}

/// `WSAID_WSASENDMSG` = `a441e712-754f-43ca-84a7-0dee44cf606d` (S1).
pub const WSAID_WSASENDMSG: GUID = GUID {
    Data1: 0xa441e712,
    Data2: 0x754f,
    Data3: 0x43ca,
    Data4: [0x84, 0xa7, 0x0d, 0xee, 0x44, 0xcf, 0x60, 0x6d],
};

/// `WSAID_WSARECVMSG` = `f689d7c8-6f1f-436b-8a53-e54fe351c322` (S1).
pub const WSAID_WSARECVMSG: GUID = GUID {
    Data1: 0xf689d7c8,
    Data2: 0x6f1f,
    Data3: 0x436b,
    Data4: [0x8a, 0x53, 0xe5, 0x4f, 0xe3, 0x51, 0xc3, 0x22],
};

/// `void CALLBACK cr(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED, DWORD dwFlags)`.
pub type LPWSAOVERLAPPED_COMPLETION_ROUTINE =
    Option<unsafe extern "C" fn(DWORD, DWORD, *mut WSAOVERLAPPED, DWORD)>;

/// `LPFN_WSASENDMSG`.
pub type LPFN_WSASENDMSG = unsafe extern "C" fn(
    SOCKET,
    *mut WSAMSG,
    DWORD,
    *mut DWORD,
    *mut WSAOVERLAPPED,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn sizes_match_64_bit_windows() {
        assert_eq!(size_of::<WSABUF>(), 16);
        assert_eq!(size_of::<WSAMSG>(), 56);
        assert_eq!(size_of::<WSACMSGHDR>(), 16);
        assert_eq!(size_of::<IN_ADDR>(), 4);
        assert_eq!(size_of::<IN6_ADDR>(), 16);
        assert_eq!(size_of::<IN_PKTINFO>(), 8);
        assert_eq!(size_of::<IN6_PKTINFO>(), 20);
        assert_eq!(size_of::<SOCKADDR>(), 16);
        assert_eq!(size_of::<SOCKADDR_IN>(), 16);
        assert_eq!(size_of::<SOCKADDR_IN6>(), 28);
        assert_eq!(size_of::<SOCKADDR_STORAGE>(), 128);
        assert_eq!(align_of::<SOCKADDR_STORAGE>(), 8);
        assert_eq!(size_of::<WSAOVERLAPPED>(), 32);
        assert_eq!(size_of::<OVERLAPPED_ENTRY>(), 32);
        assert_eq!(size_of::<WSADATA>(), 408);
        assert_eq!(size_of::<GUID>(), 16);
        assert_eq!(size_of::<WCHAR>(), 2);
        assert_eq!(size_of::<ULONG>(), 4);
        assert_eq!(size_of::<DWORD>(), 4);
        assert_eq!(size_of::<SOCKET>(), size_of::<*const u8>());
    }

    #[test]
    fn offsets_match_64_bit_windows() {
        assert_eq!(offset_of!(WSABUF, len), 0);
        assert_eq!(offset_of!(WSABUF, buf), 8);
        assert_eq!(offset_of!(WSAMSG, name), 0);
        assert_eq!(offset_of!(WSAMSG, namelen), 8);
        assert_eq!(offset_of!(WSAMSG, lpBuffers), 16);
        assert_eq!(offset_of!(WSAMSG, dwBufferCount), 24);
        assert_eq!(offset_of!(WSAMSG, Control), 32);
        assert_eq!(offset_of!(WSAMSG, dwFlags), 48);
        assert_eq!(offset_of!(WSACMSGHDR, cmsg_len), 0);
        assert_eq!(offset_of!(WSACMSGHDR, cmsg_level), 8);
        assert_eq!(offset_of!(WSACMSGHDR, cmsg_type), 12);
        assert_eq!(offset_of!(IN_PKTINFO, ipi_ifindex), 4);
        assert_eq!(offset_of!(IN6_PKTINFO, ipi6_ifindex), 16);
        assert_eq!(offset_of!(SOCKADDR_IN, sin_port), 2);
        assert_eq!(offset_of!(SOCKADDR_IN, sin_addr), 4);
        assert_eq!(offset_of!(SOCKADDR_IN, sin_zero), 8);
        assert_eq!(offset_of!(SOCKADDR_IN6, sin6_port), 2);
        assert_eq!(offset_of!(SOCKADDR_IN6, sin6_flowinfo), 4);
        assert_eq!(offset_of!(SOCKADDR_IN6, sin6_addr), 8);
        assert_eq!(offset_of!(SOCKADDR_IN6, sin6_scope_id), 24);
        assert_eq!(offset_of!(SOCKADDR_STORAGE, __ss_align), 8);
        assert_eq!(offset_of!(WSAOVERLAPPED, Internal), 0);
        assert_eq!(offset_of!(WSAOVERLAPPED, InternalHigh), 8);
        assert_eq!(offset_of!(WSAOVERLAPPED, Offset), 16);
        assert_eq!(offset_of!(WSAOVERLAPPED, OffsetHigh), 20);
        assert_eq!(offset_of!(WSAOVERLAPPED, hEvent), 24);
        assert_eq!(offset_of!(OVERLAPPED_ENTRY, lpCompletionKey), 0);
        assert_eq!(offset_of!(OVERLAPPED_ENTRY, lpOverlapped), 8);
        assert_eq!(offset_of!(OVERLAPPED_ENTRY, Internal), 16);
        assert_eq!(offset_of!(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred), 24);
        assert_eq!(offset_of!(WSADATA, wVersion), 0);
        assert_eq!(offset_of!(WSADATA, wHighVersion), 2);
        assert_eq!(offset_of!(WSADATA, iMaxSockets), 4);
        assert_eq!(offset_of!(WSADATA, iMaxUdpDg), 6);
        assert_eq!(offset_of!(WSADATA, lpVendorInfo), 8);
        assert_eq!(offset_of!(WSADATA, szDescription), 16);
        assert_eq!(offset_of!(WSADATA, szSystemStatus), 273);
        assert_eq!(offset_of!(GUID, Data2), 4);
        assert_eq!(offset_of!(GUID, Data3), 6);
        assert_eq!(offset_of!(GUID, Data4), 8);
    }

    #[test]
    fn guids_are_the_documented_ones() {
        // S1
        assert_eq!(WSAID_WSASENDMSG.Data1, 0xa441e712);
        assert_eq!(
            WSAID_WSASENDMSG.Data4,
            [0x84, 0xa7, 0x0d, 0xee, 0x44, 0xcf, 0x60, 0x6d]
        );
        assert_eq!(WSAID_WSARECVMSG.Data1, 0xf689d7c8);
        assert_eq!(WSAID_WSARECVMSG.Data2, 0x6f1f);
        assert_eq!(WSAID_WSARECVMSG.Data3, 0x436b);
        assert_eq!(
            WSAID_WSARECVMSG.Data4,
            [0x8a, 0x53, 0xe5, 0x4f, 0xe3, 0x51, 0xc3, 0x22]
        );
        assert_ne!(WSAID_WSASENDMSG, WSAID_WSARECVMSG);
    }
}
