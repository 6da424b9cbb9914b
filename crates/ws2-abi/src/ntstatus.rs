//! The NTSTATUS → Winsock table of `WSAGetOverlappedResult` and completion
//! routines, as Windows answers it (Wine's Windows-run
//! `test_WSAGetOverlappedResult`, dlls/ws2_32/tests/sock.c: it writes each
//! status into `Internal` and reads the result back). The statuses ws2
//! itself writes are in `consts`; the others live here because a program may
//! write any of them into an `OVERLAPPED` it hands `WSAGetOverlappedResult`.

use crate::consts::*;
use crate::ifioctl::STATUS_BUFFER_TOO_SMALL;
use crate::types::NTSTATUS;

pub const STATUS_NOT_IMPLEMENTED: NTSTATUS = 0xC000_0002;
pub const STATUS_ACCESS_VIOLATION: NTSTATUS = 0xC000_0005;
pub const STATUS_PAGEFILE_QUOTA: NTSTATUS = 0xC000_0007;
pub const STATUS_NO_SUCH_DEVICE: NTSTATUS = 0xC000_000E;
pub const STATUS_NO_SUCH_FILE: NTSTATUS = 0xC000_000F;
pub const STATUS_NO_MEMORY: NTSTATUS = 0xC000_0017;
pub const STATUS_CONFLICTING_ADDRESSES: NTSTATUS = 0xC000_0018;
pub const STATUS_OBJECT_TYPE_MISMATCH: NTSTATUS = 0xC000_0024;
pub const STATUS_OBJECT_NAME_NOT_FOUND: NTSTATUS = 0xC000_0034;
pub const STATUS_OBJECT_PATH_NOT_FOUND: NTSTATUS = 0xC000_003A;
pub const STATUS_SHARING_VIOLATION: NTSTATUS = 0xC000_0043;
pub const STATUS_QUOTA_EXCEEDED: NTSTATUS = 0xC000_0044;
pub const STATUS_TOO_MANY_PAGING_FILES: NTSTATUS = 0xC000_0097;
pub const STATUS_WORKING_SET_QUOTA: NTSTATUS = 0xC000_00A1;
pub const STATUS_DEVICE_NOT_READY: NTSTATUS = 0xC000_00A3;
pub const STATUS_REMOTE_NOT_LISTENING: NTSTATUS = 0xC000_00BC;
pub const STATUS_BAD_NETWORK_PATH: NTSTATUS = 0xC000_00BE;
pub const STATUS_NETWORK_BUSY: NTSTATUS = 0xC000_00BF;
pub const STATUS_INVALID_NETWORK_RESPONSE: NTSTATUS = 0xC000_00C3;
pub const STATUS_UNEXPECTED_NETWORK_ERROR: NTSTATUS = 0xC000_00C4;
pub const STATUS_REQUEST_NOT_ACCEPTED: NTSTATUS = 0xC000_00D0;
pub const STATUS_COMMITMENT_LIMIT: NTSTATUS = 0xC000_012D;
pub const STATUS_LOCAL_DISCONNECT: NTSTATUS = 0xC000_013B;
pub const STATUS_REMOTE_DISCONNECT: NTSTATUS = 0xC000_013C;
pub const STATUS_REMOTE_RESOURCES: NTSTATUS = 0xC000_013D;
pub const STATUS_LINK_FAILED: NTSTATUS = 0xC000_013E;
pub const STATUS_LINK_TIMEOUT: NTSTATUS = 0xC000_013F;
pub const STATUS_INVALID_ADDRESS: NTSTATUS = 0xC000_0141;
pub const STATUS_INVALID_BUFFER_SIZE: NTSTATUS = 0xC000_0206;
pub const STATUS_INVALID_ADDRESS_COMPONENT: NTSTATUS = 0xC000_0207;
pub const STATUS_TOO_MANY_ADDRESSES: NTSTATUS = 0xC000_0209;
pub const STATUS_ADDRESS_ALREADY_EXISTS: NTSTATUS = 0xC000_020A;
pub const STATUS_CONNECTION_DISCONNECTED: NTSTATUS = 0xC000_020C;
pub const STATUS_TRANSACTION_ABORTED: NTSTATUS = 0xC000_020F;
pub const STATUS_CONNECTION_REFUSED: NTSTATUS = 0xC000_0236;
pub const STATUS_GRACEFUL_DISCONNECT: NTSTATUS = 0xC000_0237;
pub const STATUS_CONNECTION_ACTIVE: NTSTATUS = 0xC000_023B;
pub const STATUS_PROTOCOL_UNREACHABLE: NTSTATUS = 0xC000_023E;
pub const STATUS_REQUEST_ABORTED: NTSTATUS = 0xC000_0240;
pub const STATUS_CONNECTION_ABORTED: NTSTATUS = 0xC000_0241;
pub const STATUS_DATATYPE_MISALIGNMENT_ERROR: NTSTATUS = 0xC000_02C5;
pub const STATUS_HOST_DOWN: NTSTATUS = 0xC000_0350;

/// Every failure status Windows maps to a code of its own; any other
/// failure or warning status is `WSAEINVAL`.
const MAPPED: [(NTSTATUS, i32); 58] = [
    (STATUS_BUFFER_OVERFLOW, WSAEMSGSIZE),
    (STATUS_NOT_IMPLEMENTED, WSAEOPNOTSUPP),
    (STATUS_ACCESS_VIOLATION, WSAEFAULT),
    (STATUS_PAGEFILE_QUOTA, WSAENOBUFS),
    (STATUS_INVALID_HANDLE, WSAENOTSOCK),
    (STATUS_NO_SUCH_DEVICE, WSAENETDOWN),
    (STATUS_NO_SUCH_FILE, WSAENETDOWN),
    (STATUS_NO_MEMORY, WSAENOBUFS),
    (STATUS_CONFLICTING_ADDRESSES, WSAENOBUFS),
    (STATUS_ACCESS_DENIED, WSAEACCES),
    (STATUS_BUFFER_TOO_SMALL, WSAEFAULT),
    (STATUS_OBJECT_TYPE_MISMATCH, WSAENOTSOCK),
    (STATUS_OBJECT_NAME_NOT_FOUND, WSAENETDOWN),
    (STATUS_OBJECT_PATH_NOT_FOUND, WSAENETDOWN),
    (STATUS_SHARING_VIOLATION, WSAEADDRINUSE),
    (STATUS_QUOTA_EXCEEDED, WSAENOBUFS),
    (STATUS_TOO_MANY_PAGING_FILES, WSAENOBUFS),
    (STATUS_INSUFFICIENT_RESOURCES, WSAENOBUFS),
    (STATUS_WORKING_SET_QUOTA, WSAENOBUFS),
    (STATUS_DEVICE_NOT_READY, WSAEWOULDBLOCK),
    (STATUS_PIPE_DISCONNECTED, WSAESHUTDOWN),
    (STATUS_IO_TIMEOUT, WSAETIMEDOUT),
    (STATUS_NOT_SUPPORTED, WSAEOPNOTSUPP),
    (STATUS_REMOTE_NOT_LISTENING, WSAECONNREFUSED),
    (STATUS_BAD_NETWORK_PATH, WSAENETUNREACH),
    (STATUS_NETWORK_BUSY, WSAENETDOWN),
    (STATUS_INVALID_NETWORK_RESPONSE, WSAENETDOWN),
    (STATUS_UNEXPECTED_NETWORK_ERROR, WSAENETDOWN),
    (STATUS_REQUEST_NOT_ACCEPTED, WSAEWOULDBLOCK),
    (STATUS_CANCELLED, WSA_OPERATION_ABORTED),
    (STATUS_COMMITMENT_LIMIT, WSAENOBUFS),
    (STATUS_LOCAL_DISCONNECT, WSAECONNABORTED),
    (STATUS_REMOTE_DISCONNECT, WSAECONNRESET),
    (STATUS_REMOTE_RESOURCES, WSAENOBUFS),
    (STATUS_LINK_FAILED, WSAECONNRESET),
    (STATUS_LINK_TIMEOUT, WSAETIMEDOUT),
    (STATUS_INVALID_CONNECTION, WSAENOTCONN),
    (STATUS_INVALID_ADDRESS, WSAEADDRNOTAVAIL),
    (STATUS_INVALID_BUFFER_SIZE, WSAEMSGSIZE),
    (STATUS_INVALID_ADDRESS_COMPONENT, WSAEADDRNOTAVAIL),
    (STATUS_TOO_MANY_ADDRESSES, WSAENOBUFS),
    (STATUS_ADDRESS_ALREADY_EXISTS, WSAEADDRINUSE),
    (STATUS_CONNECTION_DISCONNECTED, WSAECONNRESET),
    (STATUS_CONNECTION_RESET, WSAECONNRESET),
    (STATUS_TRANSACTION_ABORTED, WSAECONNABORTED),
    (STATUS_CONNECTION_REFUSED, WSAECONNREFUSED),
    (STATUS_GRACEFUL_DISCONNECT, WSAEDISCON),
    (STATUS_CONNECTION_ACTIVE, WSAEISCONN),
    (STATUS_NETWORK_UNREACHABLE, WSAENETUNREACH),
    (STATUS_HOST_UNREACHABLE, WSAEHOSTUNREACH),
    (STATUS_PROTOCOL_UNREACHABLE, WSAENETUNREACH),
    (STATUS_PORT_UNREACHABLE, WSAECONNRESET),
    (STATUS_REQUEST_ABORTED, WSAEINTR),
    (STATUS_CONNECTION_ABORTED, WSAECONNABORTED),
    (STATUS_DATATYPE_MISALIGNMENT_ERROR, WSAEFAULT),
    (STATUS_HOST_DOWN, WSAEHOSTDOWN),
    // Win32 codes wrapped as NTSTATUS (FACILITY_WIN32 in a warning or an
    // error, and facility 1): ERROR_IO_INCOMPLETE stays itself.
    (0xC007_0000 | ERROR_IO_INCOMPLETE, WSA_IO_INCOMPLETE),
    (0x8007_0000 | ERROR_IO_INCOMPLETE, WSA_IO_INCOMPLETE),
];

/// The second FACILITY_WIN32 form of `ERROR_IO_INCOMPLETE` the table of
/// `test_WSAGetOverlappedResult` lists (facility 1, error severity).
const IO_INCOMPLETE_FACILITY_1: NTSTATUS = 0xC001_0000 | ERROR_IO_INCOMPLETE;

/// Whether `WSAGetOverlappedResult` returns TRUE for this final status:
/// a success or informational status (`NT_SUCCESS`) that is not
/// `STATUS_PENDING`. A warning such as `STATUS_BUFFER_OVERFLOW` is a
/// failure.
///
/// ```
/// use ws2_abi::*;
/// assert!(overlapped_succeeded(STATUS_SUCCESS));
/// assert!(overlapped_succeeded(0x4000_0001));
/// assert!(!overlapped_succeeded(STATUS_PENDING));
/// assert!(!overlapped_succeeded(STATUS_BUFFER_OVERFLOW));
/// ```
pub fn overlapped_succeeded(status: NTSTATUS) -> bool {
    status & 0x8000_0000 == 0 && status != STATUS_PENDING
}

/// The Winsock code `WSAGetOverlappedResult` and completion routines report
/// for an NTSTATUS (SPEC G and Windows' table above): 0 for a success,
/// `WSA_IO_INCOMPLETE` for `STATUS_PENDING`, the mapped code of a listed
/// failure, `WSAEINVAL` for any other warning or failure.
///
/// ```
/// use ws2_abi::*;
/// assert_eq!(wsa_from_status(STATUS_SUCCESS), 0);
/// assert_eq!(wsa_from_status(STATUS_BUFFER_OVERFLOW), WSAEMSGSIZE);
/// assert_eq!(wsa_from_status(STATUS_HOST_DOWN), WSAEHOSTDOWN);
/// assert_eq!(wsa_from_status(0xC000_0001), WSAEINVAL);
/// ```
pub fn wsa_from_status(status: NTSTATUS) -> i32 {
    if status == STATUS_PENDING || status == IO_INCOMPLETE_FACILITY_1 {
        return WSA_IO_INCOMPLETE;
    }
    if overlapped_succeeded(status) {
        return 0;
    }
    MAPPED
        .iter()
        .find(|(s, _)| *s == status)
        .map_or(WSAEINVAL, |(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_each_status_once() {
        for (i, (s, _)) in MAPPED.iter().enumerate() {
            assert!(MAPPED[i + 1..].iter().all(|(t, _)| t != s), "{s:#x} twice");
        }
    }

    #[test]
    fn ranges_swept_by_windows() {
        // test_WSAGetOverlappedResult sweeps these ranges: successes are 0,
        // unlisted failures and warnings WSAEINVAL.
        for status in (0..0x1_0000).chain(0x4000_0000..0x4000_1000) {
            let want = if status == STATUS_PENDING {
                WSA_IO_INCOMPLETE
            } else {
                0
            };
            assert_eq!(wsa_from_status(status), want, "{status:#x}");
        }
        for base in [0x8000_0000u32, 0xC000_0000, 0xD000_0000] {
            for status in base..base + 0x1000 {
                let want = MAPPED
                    .iter()
                    .find(|(s, _)| *s == status)
                    .map_or(WSAEINVAL, |(_, c)| *c);
                assert_eq!(wsa_from_status(status), want, "{status:#x}");
            }
        }
        assert_eq!(wsa_from_status(0xC007_0000 | 996), WSA_IO_INCOMPLETE);
        assert_eq!(wsa_from_status(0xC001_0000 | 996), WSA_IO_INCOMPLETE);
        assert_eq!(wsa_from_status(0x8007_0000 | 996), WSA_IO_INCOMPLETE);
        assert_eq!(wsa_from_status(0xC007_0000 | 995), WSAEINVAL);
    }
}
