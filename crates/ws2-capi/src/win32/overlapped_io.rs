//! Overlapped I/O on sockets through kernel32 (ioapiset.h):
//! `GetOverlappedResult`, `CancelIo`, `CancelIoEx`. A `SOCKET` is the
//! `HANDLE` they take, as on Windows.
//!
//! - `GetOverlappedResult` reports a failed operation with the Win32 code of
//!   its NTSTATUS (`ERROR_NETNAME_DELETED` for a reset,
//!   `ERROR_PORT_UNREACHABLE`, `ERROR_OPERATION_ABORTED` for a cancelled
//!   one), where `WSAGetOverlappedResult` gives Winsock codes; the byte
//!   count is written on failure too (kernel32 file.c `test_overlapped`).
//! - `CancelIo` cancels the calling thread's pending operations on the
//!   socket and succeeds when there are none; `CancelIoEx` cancels one
//!   OVERLAPPED's operation, or with NULL all of the socket's, and fails
//!   with `ERROR_NOT_FOUND` when nothing matched (Microsoft's CancelIo and
//!   CancelIoEx pages, ntdll pipe.c `test_cancelio`). A cancelled operation
//!   completes once, as `closesocket` completes it: `Internal` =
//!   `STATUS_CANCELLED`, its event set, its routine queued, its port packet
//!   posted (`ERROR_OPERATION_ABORTED`). One that already finished is
//!   not found. Blocking calls are not cancelled.

use ws2_abi::*;
use ws2_engine::Error;
use ws2_engine::handles;
use ws2_engine::io::Cancel;
use ws2_engine::raw;

use super::{FALSE, TRUE};
use crate::kernel32;

/// # Safety
/// `ov` valid; `bytes` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetOverlappedResult(
    file: HANDLE,
    ov: *mut WSAOVERLAPPED,
    bytes: *mut DWORD,
    wait: BOOL,
) -> BOOL {
    kernel32(FALSE, || {
        // SAFETY: forwarded contract.
        unsafe { raw::overlapped_result(file as usize, ov, bytes, wait != 0) }.map(|_| TRUE)
    })
}

/// The socket a cancel names (`ERROR_INVALID_HANDLE` for anything else).
fn socket(file: HANDLE) -> ws2_engine::Result<handles::SocketRef> {
    handles::socket(file as usize).map_err(|_| {
        Error::new(
            ERROR_INVALID_HANDLE as i32,
            format!("handle {file:p} is not a socket"),
        )
    })
}

/// Cancels the calling thread's pending operations on the socket; TRUE
/// even when there were none.
#[unsafe(no_mangle)]
pub extern "C" fn CancelIo(file: HANDLE) -> BOOL {
    kernel32(FALSE, || {
        socket(file)?.cancel_overlapped(Cancel::IssuedByMe);
        Ok(TRUE)
    })
}

/// Cancels the operation of `ov` on the socket, or all of its pending
/// operations when `ov` is NULL; `ERROR_NOT_FOUND` when none matched.
#[unsafe(no_mangle)]
pub extern "C" fn CancelIoEx(file: HANDLE, ov: *mut WSAOVERLAPPED) -> BOOL {
    kernel32(FALSE, || {
        let which = if ov.is_null() {
            Cancel::All
        } else {
            Cancel::Overlapped(ov)
        };
        if socket(file)?.cancel_overlapped(which) == 0 {
            return Err(Error::new(
                ERROR_NOT_FOUND as i32,
                "no pending operation of this socket matches",
            ));
        }
        Ok(TRUE)
    })
}
