//! Readiness (`winsock2.h`, SPEC P1): `select` and `__WSAFDIsSet`,
//! `WSAPoll`, `WSAEventSelect`, `WSAEnumNetworkEvents`; the engine's
//! `raw::readiness` does the work.

use std::ffi::c_int;

use ws2_abi::*;
use ws2_engine::raw::readiness;

use crate::winsock;

/// `select`: `nfds` is ignored (Windows keeps it for Berkeley sources).
///
/// # Safety
/// Each set NULL or a valid `fd_set` with `fd_count` entries; `timeout`
/// NULL or readable.
#[unsafe(export_name = "ws2_select")]
pub unsafe extern "C" fn select(
    _nfds: c_int,
    readfds: *mut fd_set,
    writefds: *mut fd_set,
    exceptfds: *mut fd_set,
    timeout: *const libc::timeval,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract.
        unsafe { readiness::select([readfds, writefds, exceptfds], timeout) }
    })
}

/// `__WSAFDIsSet` (what `FD_ISSET` calls).
///
/// # Safety
/// `set` NULL or a valid `fd_set` with `fd_count` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __WSAFDIsSet(fd: SOCKET, set: *mut fd_set) -> c_int {
    // SAFETY: forwarded contract.
    c_int::from(unsafe { readiness::fd_is_set(fd, set) })
}

/// `WSAPoll`.
///
/// # Safety
/// `fd_array` NULL or valid for `fds` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAPoll(fd_array: *mut WSAPOLLFD, fds: ULONG, timeout: INT) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract.
        unsafe { readiness::poll(fd_array, fds, timeout) }
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn WSAEventSelect(s: SOCKET, event: WSAEVENT, network_events: LONG) -> c_int {
    winsock(SOCKET_ERROR, || {
        readiness::event_select(s, event as usize, network_events).map(|()| 0)
    })
}

/// `WSAEnumNetworkEvents`.
///
/// # Safety
/// `network_events` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAEnumNetworkEvents(
    s: SOCKET,
    event: WSAEVENT,
    network_events: *mut WSANETWORKEVENTS,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract.
        unsafe { readiness::enum_network_events(s, event as usize, network_events) }.map(|()| 0)
    })
}
