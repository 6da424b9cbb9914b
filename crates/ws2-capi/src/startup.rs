//! `WSAStartup`, `WSACleanup` and the last error (`WSAGetLastError`,
//! `GetLastError` and their setters: one per-thread slot).

use std::ffi::{c_char, c_int};

use ws2_abi::*;
use ws2_engine::handles::{self};

use crate::{LAST_ERROR, guard, set_last_error};

#[unsafe(no_mangle)]
pub extern "C" fn WSAGetLastError() -> c_int {
    LAST_ERROR.with(|c| c.get()) as c_int
}

#[unsafe(no_mangle)]
pub extern "C" fn WSASetLastError(code: c_int) {
    set_last_error(code as u32)
}

#[unsafe(no_mangle)]
pub extern "C" fn GetLastError() -> DWORD {
    LAST_ERROR.with(|c| c.get())
}

#[unsafe(no_mangle)]
pub extern "C" fn SetLastError(code: DWORD) {
    set_last_error(code)
}

fn copy_cstr(dst: &mut [c_char], text: &str) {
    for (d, s) in dst.iter_mut().zip(text.bytes()) {
        *d = s as c_char;
    }
}

/// `WSAStartup`: returns the error code itself (not through the last error).
///
/// # Safety
/// `data` must be null or point to a writable `WSADATA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAStartup(version: WORD, data: *mut WSADATA) -> c_int {
    if data.is_null() {
        return WSAEFAULT;
    }
    let (major, minor) = (version & 0xff, version >> 8);
    if major < 1 || (major == 1 && minor < 1) {
        return WSAVERNOTSUPPORTED;
    }
    let granted = if major > 2 || (major == 2 && minor > 2) {
        0x0202
    } else {
        version
    };
    // SAFETY: plain data; zero is valid for every field.
    let mut out: WSADATA = unsafe { std::mem::zeroed() };
    out.wVersion = granted;
    out.wHighVersion = 0x0202;
    copy_cstr(&mut out.szDescription, "WinSock 2.0 (ws2 for Linux)");
    copy_cstr(&mut out.szSystemStatus, "Running");
    // SAFETY: data is non-null and writable per the contract.
    unsafe { data.write_unaligned(out) };
    handles::startup();
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn WSACleanup() -> c_int {
    guard(SOCKET_ERROR, || handles::cleanup().map(|()| 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn last_error_slot_is_shared() {
        WSASetLastError(WSAEINVAL);
        assert_eq!(GetLastError(), WSAEINVAL as u32);
        SetLastError(5);
        assert_eq!(WSAGetLastError(), 5);
    }

    #[test]
    fn layouts_the_headers_promise() {
        assert_eq!(size_of::<WSAMSG>(), 56);
        assert_eq!(offset_of!(WSAMSG, Control), 32);
        assert_eq!(size_of::<WSADATA>(), 408);
    }
}
