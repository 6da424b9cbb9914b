//! Winsock and Win32 constants with their Windows numbers.

use crate::types::{DWORD, NTSTATUS, SOCKET};

// Address families, socket types, protocols.
pub const AF_UNSPEC: i32 = 0;
pub const AF_INET: i32 = 2;
pub const AF_INET6: i32 = 23;
pub const SOCK_STREAM: i32 = 1;
pub const SOCK_DGRAM: i32 = 2;
pub const SOCK_RAW: i32 = 3;
pub const IPPROTO_IP: i32 = 0;
pub const IPPROTO_ICMP: i32 = 1;
pub const IPPROTO_TCP: i32 = 6;
pub const IPPROTO_UDP: i32 = 17;
pub const IPPROTO_IPV6: i32 = 41;
pub const IPPROTO_ICMPV6: i32 = 58;
pub const IPPROTO_RAW: i32 = 255;

pub const INVALID_SOCKET: SOCKET = !0;
pub const SOCKET_ERROR: i32 = -1;
pub const WSA_FLAG_OVERLAPPED: DWORD = 0x01;

// SOL_SOCKET options.
pub const SOL_SOCKET: i32 = 0xffff;
pub const SO_DEBUG: i32 = 0x0001;
pub const SO_ACCEPTCONN: i32 = 0x0002;
pub const SO_REUSEADDR: i32 = 0x0004;
pub const SO_KEEPALIVE: i32 = 0x0008;
pub const SO_DONTROUTE: i32 = 0x0010;
pub const SO_BROADCAST: i32 = 0x0020;
pub const SO_SNDBUF: i32 = 0x1001;
pub const SO_RCVBUF: i32 = 0x1002;
pub const SO_SNDTIMEO: i32 = 0x1005;
pub const SO_RCVTIMEO: i32 = 0x1006;
pub const SO_ERROR: i32 = 0x1007;
pub const SO_TYPE: i32 = 0x1008;
pub const SO_MAX_MSG_SIZE: i32 = 0x2003;
/// Per thread, not per socket: how `socket()` makes sockets (mswsock.h).
pub const SO_OPENTYPE: i32 = 0x7008;
pub const SO_CONNECT_TIME: i32 = 0x700C;
/// `SO_OPENTYPE` values: sockets made without `WSA_FLAG_OVERLAPPED`.
pub const SO_SYNCHRONOUS_ALERT: u32 = 0x10;
pub const SO_SYNCHRONOUS_NONALERT: u32 = 0x20;

// IPPROTO_IP options and control messages.
pub const IP_HDRINCL: i32 = 2;
pub const IP_TOS: i32 = 3;
pub const IP_TTL: i32 = 4;
pub const IP_MULTICAST_IF: i32 = 9;
pub const IP_MULTICAST_TTL: i32 = 10;
pub const IP_MULTICAST_LOOP: i32 = 11;
pub const IP_DONTFRAGMENT: i32 = 14;
pub const IP_PKTINFO: i32 = 19;
pub const IP_RECVTTL: i32 = 21;
pub const IP_UNICAST_IF: i32 = 31;
pub const IP_RECVTOS: i32 = 40;
pub const IP_ECN: i32 = 50;
pub const IP_RECVECN: i32 = 50;

// IPPROTO_IPV6 options and control messages.
pub const IPV6_UNICAST_HOPS: i32 = 4;
pub const IPV6_MULTICAST_IF: i32 = 9;
pub const IPV6_MULTICAST_HOPS: i32 = 10;
pub const IPV6_MULTICAST_LOOP: i32 = 11;
pub const IPV6_PKTINFO: i32 = 19;
pub const IPV6_HOPLIMIT: i32 = 21;
pub const IPV6_V6ONLY: i32 = 27;
pub const IPV6_TCLASS: i32 = 39;
pub const IPV6_RECVTCLASS: i32 = 40;
pub const IPV6_ECN: i32 = 50;
pub const IPV6_RECVECN: i32 = 50;

// IPPROTO_UDP options and control messages.
pub const UDP_NOCHECKSUM: i32 = 1;
pub const UDP_SEND_MSG_SIZE: i32 = 2;
pub const UDP_RECV_MAX_COALESCED_SIZE: i32 = 3;
/// The control message of coalesced received data (S44): a `DWORD`, the
/// size of every datagram of the run but the last. The same number as the
/// option, in the control-message namespace (ws2ipdef.h).
pub const UDP_COALESCED_INFO: i32 = 3;

// Flags.
pub const MSG_OOB: u32 = 0x1;
pub const MSG_PEEK: u32 = 0x2;
pub const MSG_DONTROUTE: u32 = 0x4;
pub const MSG_WAITALL: u32 = 0x8;
pub const MSG_PUSH_IMMEDIATE: u32 = 0x20;
pub const MSG_PARTIAL: u32 = 0x8000;
pub const MSG_TRUNC: u32 = 0x0100;
pub const MSG_CTRUNC: u32 = 0x0200;
pub const MSG_BCAST: u32 = 0x0400;
pub const MSG_MCAST: u32 = 0x0800;

pub const SD_RECEIVE: i32 = 0;
pub const SD_SEND: i32 = 1;
pub const SD_BOTH: i32 = 2;

// ioctl codes.
pub const IOC_VOID: u32 = 0x2000_0000;
pub const IOC_OUT: u32 = 0x4000_0000;
pub const IOC_IN: u32 = 0x8000_0000;
pub const IOC_INOUT: u32 = IOC_IN | IOC_OUT;
pub const IOC_WS2: u32 = 0x0800_0000;
pub const IOC_VENDOR: u32 = 0x1800_0000;
/// `_IOW('f', 126, u_long)` with Windows' 32-bit `u_long`.
pub const FIONBIO: u32 = 0x8004_667E;
pub const FIONREAD: u32 = 0x4004_667F;
pub const SIO_GET_EXTENSION_FUNCTION_POINTER: u32 = IOC_INOUT | IOC_WS2 | 6;
pub const SIO_FLUSH: u32 = IOC_VOID | IOC_WS2 | 4;
pub const SIO_ENABLE_CIRCULAR_QUEUEING: u32 = IOC_VOID | IOC_WS2 | 2;
pub const SIO_BSP_HANDLE: u32 = IOC_OUT | IOC_WS2 | 27;
pub const SIO_BSP_HANDLE_SELECT: u32 = IOC_OUT | IOC_WS2 | 28;
pub const SIO_BSP_HANDLE_POLL: u32 = IOC_OUT | IOC_WS2 | 29;
pub const SIO_BASE_HANDLE: u32 = IOC_OUT | IOC_WS2 | 34;
/// `_IOR('s', 7, u_long)` with Windows' 32-bit `u_long`.
pub const SIOCATMARK: u32 = 0x4004_7307;
pub const SIO_UDP_CONNRESET: u32 = IOC_IN | IOC_VENDOR | 12;
pub const SIO_UDP_NETRESET: u32 = IOC_IN | IOC_VENDOR | 15;

// Winsock error codes.
pub const WSABASEERR: i32 = 10000;
pub const WSAEINTR: i32 = 10004;
pub const WSAEBADF: i32 = 10009;
pub const WSAEACCES: i32 = 10013;
pub const WSAEFAULT: i32 = 10014;
pub const WSAEINVAL: i32 = 10022;
pub const WSAEMFILE: i32 = 10024;
pub const WSAEWOULDBLOCK: i32 = 10035;
pub const WSAEINPROGRESS: i32 = 10036;
pub const WSAEALREADY: i32 = 10037;
pub const WSAENOTSOCK: i32 = 10038;
pub const WSAEDESTADDRREQ: i32 = 10039;
pub const WSAEMSGSIZE: i32 = 10040;
pub const WSAEPROTOTYPE: i32 = 10041;
pub const WSAENOPROTOOPT: i32 = 10042;
pub const WSAEPROTONOSUPPORT: i32 = 10043;
pub const WSAESOCKTNOSUPPORT: i32 = 10044;
pub const WSAEOPNOTSUPP: i32 = 10045;
pub const WSAEPFNOSUPPORT: i32 = 10046;
pub const WSAEAFNOSUPPORT: i32 = 10047;
pub const WSAEADDRINUSE: i32 = 10048;
pub const WSAEADDRNOTAVAIL: i32 = 10049;
pub const WSAENETDOWN: i32 = 10050;
pub const WSAENETUNREACH: i32 = 10051;
pub const WSAENETRESET: i32 = 10052;
pub const WSAECONNABORTED: i32 = 10053;
pub const WSAECONNRESET: i32 = 10054;
pub const WSAENOBUFS: i32 = 10055;
pub const WSAEISCONN: i32 = 10056;
pub const WSAENOTCONN: i32 = 10057;
pub const WSAESHUTDOWN: i32 = 10058;
pub const WSAETOOMANYREFS: i32 = 10059;
pub const WSAETIMEDOUT: i32 = 10060;
pub const WSAECONNREFUSED: i32 = 10061;
pub const WSAELOOP: i32 = 10062;
pub const WSAENAMETOOLONG: i32 = 10063;
pub const WSAEHOSTDOWN: i32 = 10064;
pub const WSAEHOSTUNREACH: i32 = 10065;
pub const WSASYSNOTREADY: i32 = 10091;
pub const WSAVERNOTSUPPORTED: i32 = 10092;
pub const WSANOTINITIALISED: i32 = 10093;
pub const WSAEDISCON: i32 = 10101;
pub const WSASYSCALLFAILURE: i32 = 10107;
pub const WSA_INVALID_HANDLE: i32 = 6;
pub const WSA_NOT_ENOUGH_MEMORY: i32 = 8;
pub const WSA_INVALID_PARAMETER: i32 = 87;
pub const WSA_OPERATION_ABORTED: i32 = 995;
pub const WSA_IO_INCOMPLETE: i32 = 996;
pub const WSA_IO_PENDING: i32 = 997;

// Win32 error codes (GetLastError after the non-Winsock calls).
pub const ERROR_SUCCESS: u32 = 0;
pub const ERROR_ACCESS_DENIED: u32 = 5;
pub const ERROR_INVALID_HANDLE: u32 = 6;
pub const ERROR_NOT_SUPPORTED: u32 = 50;
pub const ERROR_NETNAME_DELETED: u32 = 64;
pub const ERROR_INVALID_PARAMETER: u32 = 87;
pub const ERROR_SEM_TIMEOUT: u32 = 121;
pub const ERROR_PIPE_NOT_CONNECTED: u32 = 233;
pub const ERROR_MORE_DATA: u32 = 234;
pub const ERROR_ABANDONED_WAIT_0: u32 = 735;
pub const ERROR_OPERATION_ABORTED: u32 = 995;
pub const ERROR_IO_INCOMPLETE: u32 = 996;
pub const ERROR_IO_PENDING: u32 = 997;
pub const ERROR_CONNECTION_REFUSED: u32 = 1225;
pub const ERROR_CONNECTION_INVALID: u32 = 1229;
pub const ERROR_NETWORK_UNREACHABLE: u32 = 1231;
pub const ERROR_HOST_UNREACHABLE: u32 = 1232;
pub const ERROR_PORT_UNREACHABLE: u32 = 1234;
pub const ERROR_CONNECTION_ABORTED: u32 = 1236;
pub const ERROR_NO_SYSTEM_RESOURCES: u32 = 1450;

// Waits.
pub const INFINITE: DWORD = 0xFFFF_FFFF;
pub const WAIT_OBJECT_0: DWORD = 0;
/// A wait that took a mutex whose owner ended owning it (+ index).
pub const WAIT_ABANDONED_0: DWORD = 0x80;
pub const WAIT_IO_COMPLETION: DWORD = 0xC0;
pub const WAIT_TIMEOUT: DWORD = 258;
pub const WAIT_FAILED: DWORD = 0xFFFF_FFFF;
pub const WSA_WAIT_EVENT_0: DWORD = WAIT_OBJECT_0;
pub const WSA_WAIT_IO_COMPLETION: DWORD = WAIT_IO_COMPLETION;
pub const WSA_WAIT_TIMEOUT: DWORD = WAIT_TIMEOUT;
pub const WSA_WAIT_FAILED: DWORD = WAIT_FAILED;
pub const WSA_INFINITE: DWORD = INFINITE;
pub const WSA_MAXIMUM_WAIT_EVENTS: DWORD = 64;
pub const MAXIMUM_WAIT_OBJECTS: DWORD = 64;

// Completion ports.
pub const FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: u8 = 0x1;
pub const FILE_SKIP_SET_EVENT_ON_HANDLE: u8 = 0x2;

// NTSTATUS values written to OVERLAPPED.Internal (SPEC section G).
pub const STATUS_SUCCESS: NTSTATUS = 0;
pub const STATUS_PENDING: NTSTATUS = 0x103;
pub const STATUS_BUFFER_OVERFLOW: NTSTATUS = 0x8000_0005;
pub const STATUS_INVALID_HANDLE: NTSTATUS = 0xC000_0008;
pub const STATUS_INVALID_PARAMETER: NTSTATUS = 0xC000_000D;
pub const STATUS_ACCESS_DENIED: NTSTATUS = 0xC000_0022;
pub const STATUS_INSUFFICIENT_RESOURCES: NTSTATUS = 0xC000_009A;
pub const STATUS_PIPE_DISCONNECTED: NTSTATUS = 0xC000_00B0;
pub const STATUS_IO_TIMEOUT: NTSTATUS = 0xC000_00B5;
pub const STATUS_NOT_SUPPORTED: NTSTATUS = 0xC000_00BB;
pub const STATUS_CANCELLED: NTSTATUS = 0xC000_0120;
pub const STATUS_INVALID_CONNECTION: NTSTATUS = 0xC000_0140;
pub const STATUS_CONNECTION_RESET: NTSTATUS = 0xC000_020D;
pub const STATUS_NETWORK_UNREACHABLE: NTSTATUS = 0xC000_023C;
pub const STATUS_HOST_UNREACHABLE: NTSTATUS = 0xC000_023D;
pub const STATUS_PORT_UNREACHABLE: NTSTATUS = 0xC000_023F;

/// Transport maxima reported by `SO_MAX_MSG_SIZE` (S11).
pub const UDP_MAX_MSG_SIZE_V4: u32 = 65507;
pub const UDP_MAX_MSG_SIZE_V6: u32 = 65527;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_codes_have_windows_values() {
        assert_eq!(SIO_GET_EXTENSION_FUNCTION_POINTER, 0xC800_0006); // S1
        assert_eq!(SIO_FLUSH, 0x2800_0004);
        assert_eq!(SIO_UDP_CONNRESET, 0x9800_000C);
        assert_eq!(SIO_UDP_NETRESET, 0x9800_000F);
        assert_eq!(FIONBIO, 0x8004_667E);
        assert_eq!(SIO_BASE_HANDLE, 0x4800_0022); // test_base_handle
        assert_eq!(SIO_ENABLE_CIRCULAR_QUEUEING, 0x2800_0002);
    }

    #[test]
    fn numbers_differ_from_linux_where_windows_does() {
        assert_eq!(AF_INET6, 23);
        assert_eq!(SOL_SOCKET, 0xffff);
        assert_eq!(IP_PKTINFO, 19);
        assert_eq!(WSA_IO_PENDING, 997);
        assert_eq!(WSANOTINITIALISED, 10093);
        assert_eq!(WSAEWOULDBLOCK, 10035);
        assert_eq!(INVALID_SOCKET, usize::MAX);
    }
}
