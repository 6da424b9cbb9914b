//! Error-code mappings: Linux `errno` → Winsock (S19), Winsock ↔ NTSTATUS
//! for `OVERLAPPED.Internal`, NTSTATUS → Win32 for completion ports (SPEC G).

use crate::consts::*;
use crate::ifioctl::{ERROR_INSUFFICIENT_BUFFER, STATUS_BUFFER_TOO_SMALL};
use crate::types::NTSTATUS;

/// The Winsock code for a Linux `errno` (S19). `EINTR` is retried by callers
/// and never reaches here; `EAGAIN` maps to `WSAEWOULDBLOCK` (callers turn it
/// into `WSAETIMEDOUT` where S16 says). Nothing maps to 0.
pub fn wsa_from_errno(errno: i32) -> i32 {
    match errno {
        libc::ENETUNREACH => WSAENETUNREACH,
        libc::EHOSTUNREACH => WSAEHOSTUNREACH,
        libc::ENETDOWN => WSAENETDOWN,
        libc::ENOBUFS | libc::ENOMEM => WSAENOBUFS,
        libc::EADDRNOTAVAIL => WSAEADDRNOTAVAIL,
        libc::EADDRINUSE => WSAEADDRINUSE,
        libc::EPERM | libc::EACCES => WSAEACCES,
        libc::EFAULT => WSAEFAULT,
        libc::EPIPE => WSAESHUTDOWN,
        libc::EMSGSIZE => WSAEMSGSIZE,
        libc::EAGAIN => WSAEWOULDBLOCK,
        libc::EINPROGRESS => WSAEINPROGRESS,
        libc::EALREADY => WSAEALREADY,
        libc::EOPNOTSUPP => WSAEOPNOTSUPP,
        libc::EINVAL => WSAEINVAL,
        libc::ENOTSOCK | libc::EBADF => WSAENOTSOCK,
        libc::EDESTADDRREQ | libc::ENOTCONN => WSAENOTCONN,
        libc::EISCONN => WSAEISCONN,
        libc::EAFNOSUPPORT => WSAEAFNOSUPPORT,
        libc::EPFNOSUPPORT => WSAEPFNOSUPPORT,
        libc::EPROTONOSUPPORT => WSAEPROTONOSUPPORT,
        libc::ESOCKTNOSUPPORT => WSAESOCKTNOSUPPORT,
        libc::EPROTOTYPE => WSAEPROTOTYPE,
        libc::ENOPROTOOPT => WSAENOPROTOOPT,
        libc::EMFILE | libc::ENFILE => WSAEMFILE,
        libc::ETIMEDOUT => WSAETIMEDOUT,
        libc::ECONNRESET => WSAECONNRESET,
        libc::ECONNREFUSED => WSAECONNREFUSED,
        libc::ECONNABORTED => WSAECONNABORTED,
        libc::ENETRESET => WSAENETRESET,
        libc::EHOSTDOWN => WSAEHOSTDOWN,
        // A bad `ipi_ifindex`: the caller passed an interface that does not exist.
        libc::ENODEV | libc::ENXIO => WSAEINVAL,
        libc::EINTR => WSAEINTR,
        _ => WSASYSCALLFAILURE,
    }
}

/// The NTSTATUS that `OVERLAPPED.Internal` holds for a Winsock result code.
pub fn status_from_wsa(code: i32) -> NTSTATUS {
    match code {
        0 => STATUS_SUCCESS,
        WSA_IO_PENDING => STATUS_PENDING,
        WSA_OPERATION_ABORTED => STATUS_CANCELLED,
        WSAEMSGSIZE => STATUS_BUFFER_OVERFLOW,
        WSAEACCES => STATUS_ACCESS_DENIED,
        WSAENETUNREACH => STATUS_NETWORK_UNREACHABLE,
        WSAEHOSTUNREACH => STATUS_HOST_UNREACHABLE,
        WSAECONNRESET => STATUS_CONNECTION_RESET,
        WSAESHUTDOWN => STATUS_PIPE_DISCONNECTED,
        WSAETIMEDOUT => STATUS_IO_TIMEOUT,
        WSAENOBUFS => STATUS_INSUFFICIENT_RESOURCES,
        WSAENOTCONN => STATUS_INVALID_CONNECTION,
        WSAEOPNOTSUPP => STATUS_NOT_SUPPORTED,
        // The only asynchronous WSAEFAULT: an output buffer too small (P5).
        WSAEFAULT => STATUS_BUFFER_TOO_SMALL,
        _ => STATUS_INVALID_PARAMETER,
    }
}

/// The Win32 code `GetQueuedCompletionStatus` and `GetOverlappedResult`
/// leave in `GetLastError` for a failed operation's NTSTATUS
/// (`RtlNtStatusToDosError`, ntdll error.c).
pub fn win32_from_status(status: NTSTATUS) -> u32 {
    match status {
        STATUS_SUCCESS => ERROR_SUCCESS,
        STATUS_PENDING => ERROR_IO_PENDING,
        STATUS_CANCELLED => ERROR_OPERATION_ABORTED,
        STATUS_BUFFER_OVERFLOW => ERROR_MORE_DATA,
        STATUS_INVALID_HANDLE => ERROR_INVALID_HANDLE,
        STATUS_INVALID_PARAMETER => ERROR_INVALID_PARAMETER,
        STATUS_ACCESS_DENIED => ERROR_ACCESS_DENIED,
        STATUS_NETWORK_UNREACHABLE => ERROR_NETWORK_UNREACHABLE,
        STATUS_HOST_UNREACHABLE => ERROR_HOST_UNREACHABLE,
        STATUS_PORT_UNREACHABLE => ERROR_PORT_UNREACHABLE,
        STATUS_CONNECTION_RESET => ERROR_NETNAME_DELETED,
        STATUS_PIPE_DISCONNECTED => ERROR_PIPE_NOT_CONNECTED,
        STATUS_IO_TIMEOUT => ERROR_SEM_TIMEOUT,
        STATUS_INSUFFICIENT_RESOURCES => ERROR_NO_SYSTEM_RESOURCES,
        STATUS_INVALID_CONNECTION => ERROR_CONNECTION_INVALID,
        STATUS_NOT_SUPPORTED => ERROR_NOT_SUPPORTED,
        STATUS_BUFFER_TOO_SMALL => ERROR_INSUFFICIENT_BUFFER,
        _ => ERROR_INVALID_PARAMETER,
    }
}

/// The symbolic name of a Winsock code, for messages.
pub fn wsa_error_name(code: i32) -> &'static str {
    match code {
        0 => "NO_ERROR",
        WSAEINTR => "WSAEINTR",
        WSAEBADF => "WSAEBADF",
        WSAEACCES => "WSAEACCES",
        WSAEFAULT => "WSAEFAULT",
        WSAEINVAL => "WSAEINVAL",
        WSAEMFILE => "WSAEMFILE",
        WSAEWOULDBLOCK => "WSAEWOULDBLOCK",
        WSAEINPROGRESS => "WSAEINPROGRESS",
        WSAEALREADY => "WSAEALREADY",
        WSAENOTSOCK => "WSAENOTSOCK",
        WSAEDESTADDRREQ => "WSAEDESTADDRREQ",
        WSAEMSGSIZE => "WSAEMSGSIZE",
        WSAEPROTOTYPE => "WSAEPROTOTYPE",
        WSAENOPROTOOPT => "WSAENOPROTOOPT",
        WSAEPROTONOSUPPORT => "WSAEPROTONOSUPPORT",
        WSAESOCKTNOSUPPORT => "WSAESOCKTNOSUPPORT",
        WSAEOPNOTSUPP => "WSAEOPNOTSUPP",
        WSAEPFNOSUPPORT => "WSAEPFNOSUPPORT",
        WSAEAFNOSUPPORT => "WSAEAFNOSUPPORT",
        WSAEADDRINUSE => "WSAEADDRINUSE",
        WSAEADDRNOTAVAIL => "WSAEADDRNOTAVAIL",
        WSAENETDOWN => "WSAENETDOWN",
        WSAENETUNREACH => "WSAENETUNREACH",
        WSAENETRESET => "WSAENETRESET",
        WSAECONNABORTED => "WSAECONNABORTED",
        WSAECONNRESET => "WSAECONNRESET",
        WSAENOBUFS => "WSAENOBUFS",
        WSAEISCONN => "WSAEISCONN",
        WSAENOTCONN => "WSAENOTCONN",
        WSAESHUTDOWN => "WSAESHUTDOWN",
        WSAETIMEDOUT => "WSAETIMEDOUT",
        WSAECONNREFUSED => "WSAECONNREFUSED",
        WSAEHOSTDOWN => "WSAEHOSTDOWN",
        WSAEHOSTUNREACH => "WSAEHOSTUNREACH",
        WSASYSNOTREADY => "WSASYSNOTREADY",
        WSAVERNOTSUPPORTED => "WSAVERNOTSUPPORTED",
        WSANOTINITIALISED => "WSANOTINITIALISED",
        WSASYSCALLFAILURE => "WSASYSCALLFAILURE",
        WSA_INVALID_HANDLE => "WSA_INVALID_HANDLE",
        WSA_NOT_ENOUGH_MEMORY => "WSA_NOT_ENOUGH_MEMORY",
        WSA_INVALID_PARAMETER => "WSA_INVALID_PARAMETER",
        WSA_OPERATION_ABORTED => "WSA_OPERATION_ABORTED",
        WSA_IO_INCOMPLETE => "WSA_IO_INCOMPLETE",
        WSA_IO_PENDING => "WSA_IO_PENDING",
        _ => "unknown Winsock error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ntstatus::wsa_from_status;

    #[test]
    fn s19_errno_table() {
        // S19
        let table = [
            (libc::ENETUNREACH, WSAENETUNREACH),
            (libc::EHOSTUNREACH, WSAEHOSTUNREACH),
            (libc::ENETDOWN, WSAENETDOWN),
            (libc::ENOBUFS, WSAENOBUFS),
            (libc::ENOMEM, WSAENOBUFS),
            (libc::EADDRNOTAVAIL, WSAEADDRNOTAVAIL),
            (libc::EPERM, WSAEACCES),
            (libc::EACCES, WSAEACCES),
            (libc::EFAULT, WSAEFAULT),
            (libc::EPIPE, WSAESHUTDOWN),
            (libc::EMSGSIZE, WSAEMSGSIZE),
            (libc::EAGAIN, WSAEWOULDBLOCK),
            (libc::EOPNOTSUPP, WSAEOPNOTSUPP),
            (libc::EINVAL, WSAEINVAL),
        ];
        for (errno, wsa) in table {
            assert_eq!(wsa_from_errno(errno), wsa, "errno {errno}");
        }
    }

    #[test]
    fn nothing_maps_to_zero() {
        // S19
        for errno in 0..200 {
            assert_ne!(wsa_from_errno(errno), 0, "errno {errno}");
        }
    }

    #[test]
    fn status_round_trips_through_wsa() {
        // SPEC G
        let table = [
            (STATUS_SUCCESS, 0),
            (STATUS_CANCELLED, WSA_OPERATION_ABORTED),
            (STATUS_BUFFER_OVERFLOW, WSAEMSGSIZE),
            (STATUS_INVALID_PARAMETER, WSAEINVAL),
            (STATUS_ACCESS_DENIED, WSAEACCES),
            (STATUS_NETWORK_UNREACHABLE, WSAENETUNREACH),
            (STATUS_HOST_UNREACHABLE, WSAEHOSTUNREACH),
            (STATUS_CONNECTION_RESET, WSAECONNRESET),
            (STATUS_PIPE_DISCONNECTED, WSAESHUTDOWN),
            (STATUS_IO_TIMEOUT, WSAETIMEDOUT),
            (STATUS_INSUFFICIENT_RESOURCES, WSAENOBUFS),
            (STATUS_INVALID_CONNECTION, WSAENOTCONN),
            (STATUS_NOT_SUPPORTED, WSAEOPNOTSUPP),
            (STATUS_BUFFER_TOO_SMALL, WSAEFAULT), // P5 test_get_interface_list
        ];
        for (status, wsa) in table {
            assert_eq!(wsa_from_status(status), wsa);
            assert_eq!(status_from_wsa(wsa), status);
        }
        assert_eq!(wsa_from_status(STATUS_PORT_UNREACHABLE), WSAECONNRESET);
        assert_eq!(wsa_from_status(STATUS_PENDING), WSA_IO_INCOMPLETE);
        assert_eq!(win32_from_status(STATUS_CANCELLED), 995);
        assert_eq!(win32_from_status(STATUS_BUFFER_TOO_SMALL), 122);
    }
}
