//! The stream-socket calls of `winsock2.h` (SPEC P8): `listen`, `accept`,
//! `WSAAccept`. Sends, receives, `connect` and `shutdown` on streams go
//! through the calls every socket has (`send.rs`, `recv.rs`, `sockets.rs`).

use std::ffi::c_int;

use ws2_abi::*;
use ws2_engine::{io, raw};

use crate::{socket_of, winsock};

#[unsafe(export_name = "ws2_listen")]
pub extern "C" fn listen(s: SOCKET, backlog: c_int) -> c_int {
    winsock(SOCKET_ERROR, || {
        io::listen(&*socket_of(s)?, backlog).map(|()| 0)
    })
}

/// # Safety
/// `addr` null or writable for `*addrlen` bytes; `addrlen` null or valid.
#[unsafe(export_name = "ws2_accept")]
pub unsafe extern "C" fn accept(s: SOCKET, addr: *mut SOCKADDR, addrlen: *mut c_int) -> SOCKET {
    winsock(INVALID_SOCKET, || {
        let listener = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::stream::accept(&listener, addr, addrlen, None, 0) }
    })
}

/// `WSAAccept`: `accept` with a condition function (NULL: accept all).
///
/// # Safety
/// As for `accept`; `condition` callable as Winsock calls it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAAccept(
    s: SOCKET,
    addr: *mut SOCKADDR,
    addrlen: *mut c_int,
    condition: LPCONDITIONPROC,
    callback_data: usize,
) -> SOCKET {
    winsock(INVALID_SOCKET, || {
        let listener = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::stream::accept(&listener, addr, addrlen, condition, callback_data) }
    })
}
