//! `libws2_32` for Linux: the Winsock C ABI as a thin layer over the
//! engine (package `ws2-linux-engine`). Each function unpacks its pointers,
//! calls the engine, and turns the result into Windows' return value and
//! per-thread last error. No Winsock logic lives here.
//!
//! One module per Windows area, as the headers lay them out:
//! - `startup`: `WSAStartup`, `WSACleanup`, the last error
//! - `sockets`: creating and closing sockets, addresses, options,
//!   `ioctlsocket` (`winsock2.h`)
//! - `send`, `recv`: the sends and receives (`winsock2.h`, `mswsock.h`)
//! - `stream`: `listen`, `accept`, `WSAAccept` (`winsock2.h`)
//! - `ioctl`: `WSAIoctl`
//! - `overlapped`: events, waits, completion ports, `WSAGetOverlappedResult`,
//!   `SleepEx` (`winsock2.h`, and `windows.h`'s kernel32 calls)
//! - `readiness`: `select`, `WSAPoll`, `WSAEventSelect`,
//!   `WSAEnumNetworkEvents` (`winsock2.h`)
//! - `addrstr`: address strings and byte order (`ws2tcpip.h`, `winsock2.h`)
//! - `resolve`: name resolution (`ws2tcpip.h`, `winsock2.h`)
//! - `iphlpapi`: the IP Helper calls (`iphlpapi.h`, `netioapi.h`)
//!
//! This file declares them and holds what they share: the per-thread
//! last-error slot, and the wrappers that keep a panic from crossing the
//! ABI and set the last error as Winsock or kernel32 does.
//!
//! Names that POSIX also has (`socket`, `bind`, `sendto`, ...) are exported
//! as `ws2_<name>`; the headers bind the Windows spelling to them with asm
//! labels, so this library never interposes libc.
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(not(target_os = "linux"))]
compile_error!(
    "ws2-linux-capi supports Linux only: it is libws2_32 for Linux, built on Linux's sockets, epoll and rtnetlink; Windows has its own ws2_32.dll"
);

mod addrstr;
mod ioctl;
mod iphlpapi;
mod mswsock;
mod multicast;
mod overlapped;
mod readiness;
mod recv;
mod resolve;
mod send;
mod sockets;
mod startup;
mod stream;
mod win32;

pub use addrstr::*;
pub use ioctl::*;
pub use iphlpapi::*;
pub use mswsock::*;
pub use overlapped::*;
pub use readiness::*;
pub use recv::*;
pub use resolve::*;
pub use send::*;
pub use sockets::*;
pub use startup::*;
pub use stream::*;

use std::cell::Cell;
use std::panic::AssertUnwindSafe;

use ws2_abi::*;
use ws2_engine::Result;
use ws2_engine::handles;
// The C-string helpers the modules share, as `crate::cstr`.
use ws2_engine::translate::cstr;

thread_local! {
    static LAST_ERROR: Cell<u32> = const { Cell::new(0) };
}

#[inline(always)]
fn set_last_error(code: u32) {
    LAST_ERROR.set(code);
}

/// Runs `f`, never letting a panic cross the C ABI. Success sets the last
/// error to 0 (S3); failure stores the Winsock code and returns `fail`.
/// Inlined, as are `kernel32`, `winsock` and `socket_of`, into each
/// exported function: its arguments stay in registers instead of being
/// spilled into a closure for an out-of-line wrapper.
#[inline(always)]
fn guard<T>(fail: T, f: impl FnOnce() -> Result<T>) -> T {
    kernel32(fail, || {
        let v = f()?;
        set_last_error(0);
        Ok(v)
    })
}

/// `guard` for the kernel32-style calls (waits, completion ports, handles,
/// event signalling): success leaves the last error as it was (S41).
#[inline(always)]
fn kernel32<T>(fail: T, f: impl FnOnce() -> Result<T>) -> T {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            set_last_error(e.code() as u32);
            fail
        }
        Err(_) => {
            set_last_error(WSASYSCALLFAILURE as u32);
            fail
        }
    }
}

/// `guard` for Winsock calls that need `WSAStartup` (S4).
#[inline(always)]
fn winsock<T>(fail: T, f: impl FnOnce() -> Result<T>) -> T {
    guard(fail, || {
        handles::check_started()?;
        f()
    })
}

/// `kernel32` for the `WSA*` event calls that are kernel32 calls in
/// disguise but still need `WSAStartup` (S4, S41).
fn winsock_kernel32<T>(fail: T, f: impl FnOnce() -> Result<T>) -> T {
    kernel32(fail, || {
        handles::check_started()?;
        f()
    })
}

#[inline(always)]
fn socket_of(s: SOCKET) -> Result<handles::SocketRef> {
    handles::socket(s)
}
