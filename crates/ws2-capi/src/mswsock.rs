//! `mswsock.h`'s stream extension functions (SPEC P8, part 2): `AcceptEx`,
//! `GetAcceptExSockaddrs` and `TransmitFile` (exported by name, as
//! mswsock.dll does) and `ConnectEx`, `DisconnectEx` and `TransmitPackets`
//! (by GUID only), all returned by
//! `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)`, over
//! `ws2_engine::raw::mswsock`.

use std::ffi::c_void;

use ws2_abi::*;
use ws2_engine::raw;

use crate::winsock;

/// `AcceptEx`: see `ws2_engine::raw::mswsock::accept_ex`.
///
/// # Safety
/// Winsock's contract: `output` writable for the three lengths' sum and
/// `overlapped` valid until completion.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn AcceptEx(
    listen: SOCKET,
    accept: SOCKET,
    output: *mut c_void,
    receive_len: DWORD,
    local_len: DWORD,
    remote_len: DWORD,
    bytes_received: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
) -> BOOL {
    winsock(0, || {
        // SAFETY: forwarded contract.
        unsafe {
            raw::mswsock::accept_ex(
                listen,
                accept,
                output.cast(),
                receive_len,
                local_len,
                remote_len,
                bytes_received,
                overlapped,
            )
        }?;
        Ok(1)
    })
}

/// `GetAcceptExSockaddrs`: pointers into the buffer an `AcceptEx` filled.
/// It returns nothing and sets no error.
///
/// # Safety
/// `output` as `AcceptEx` filled it, with the same lengths; outputs
/// writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn GetAcceptExSockaddrs(
    output: *mut c_void,
    receive_len: DWORD,
    local_len: DWORD,
    remote_len: DWORD,
    local: *mut *mut SOCKADDR,
    local_size: *mut i32,
    remote: *mut *mut SOCKADDR,
    remote_size: *mut i32,
) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract.
        unsafe {
            raw::mswsock::get_accept_ex_sockaddrs(
                output.cast(),
                receive_len,
                local_len,
                remote_len,
                local,
                local_size,
                remote,
                remote_size,
            )
        }
    });
}

/// `ConnectEx`: see `ws2_engine::raw::mswsock::connect_ex`. Not exported
/// by name (as on Windows): `WSAIoctl(WSAID_CONNECTEX)` returns it.
///
/// # Safety
/// Winsock's contract: `name` readable for `namelen` bytes, `send` for
/// `send_len`, `overlapped` valid until completion.
pub(crate) unsafe extern "C" fn connect_ex(
    s: SOCKET,
    name: *const SOCKADDR,
    namelen: i32,
    send: *const c_void,
    send_len: DWORD,
    bytes_sent: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
) -> BOOL {
    winsock(0, || {
        // SAFETY: forwarded contract.
        unsafe {
            raw::mswsock::connect_ex(
                s,
                name,
                namelen,
                send.cast(),
                send_len,
                bytes_sent,
                overlapped,
            )
        }?;
        Ok(1)
    })
}

/// `DisconnectEx`: see `ws2_engine::raw::mswsock::disconnect_ex`. By GUID
/// only (`WSAID_DISCONNECTEX`), as on Windows.
///
/// # Safety
/// `overlapped` null or valid until completion.
pub(crate) unsafe extern "C" fn disconnect_ex(
    s: SOCKET,
    overlapped: *mut WSAOVERLAPPED,
    flags: DWORD,
    reserved: DWORD,
) -> BOOL {
    winsock(0, || {
        // SAFETY: forwarded contract.
        unsafe { raw::mswsock::disconnect_ex(s, overlapped, flags, reserved) }?;
        Ok(1)
    })
}

/// `TransmitFile`: see `ws2_engine::raw::transmit::transmit_file` (no
/// file handles: the head and tail buffers only). Exported by name too.
///
/// # Safety
/// Winsock's contract: buffers readable and `overlapped` valid until
/// completion.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TransmitFile(
    s: SOCKET,
    file: HANDLE,
    bytes: DWORD,
    _bytes_per_send: DWORD,
    overlapped: *mut WSAOVERLAPPED,
    buffers: *mut TRANSMIT_FILE_BUFFERS,
    flags: DWORD,
) -> BOOL {
    winsock(0, || {
        // SAFETY: forwarded contract.
        unsafe { raw::transmit::transmit_file(s, file, bytes, overlapped, buffers, flags) }?;
        Ok(1)
    })
}

/// `TransmitPackets`: see `ws2_engine::raw::transmit::transmit_packets`
/// (memory elements). By GUID only, as on Windows.
///
/// # Safety
/// Winsock's contract: `elements` readable for `count` entries, their
/// buffers and `overlapped` valid until completion.
pub(crate) unsafe extern "C" fn transmit_packets(
    s: SOCKET,
    elements: *mut TRANSMIT_PACKETS_ELEMENT,
    count: DWORD,
    _send_size: DWORD,
    overlapped: *mut WSAOVERLAPPED,
    flags: DWORD,
) -> BOOL {
    winsock(0, || {
        // SAFETY: forwarded contract.
        unsafe { raw::transmit::transmit_packets(s, elements, count, overlapped, flags) }?;
        Ok(1)
    })
}

/// The extension function of `guid`, for `SIO_GET_EXTENSION_FUNCTION_POINTER`.
pub(crate) fn extension_function(guid: &GUID) -> Option<*const c_void> {
    Some(if *guid == WSAID_WSASENDMSG {
        crate::send::WSASendMsg as *const c_void
    } else if *guid == WSAID_WSARECVMSG {
        crate::recv::wsa_recv_msg as *const c_void
    } else if *guid == WSAID_ACCEPTEX {
        AcceptEx as *const c_void
    } else if *guid == WSAID_GETACCEPTEXSOCKADDRS {
        GetAcceptExSockaddrs as *const c_void
    } else if *guid == WSAID_CONNECTEX {
        connect_ex as *const c_void
    } else if *guid == WSAID_DISCONNECTEX {
        disconnect_ex as *const c_void
    } else if *guid == WSAID_TRANSMITFILE {
        TransmitFile as *const c_void
    } else if *guid == WSAID_TRANSMITPACKETS {
        transmit_packets as *const c_void
    } else {
        return None;
    })
}
