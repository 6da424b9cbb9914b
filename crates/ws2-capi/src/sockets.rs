//! The socket calls of `winsock2.h`: creating and closing sockets,
//! addresses, options, `ioctlsocket`.

use std::ffi::{c_char, c_int, c_long, c_void};
use std::sync::Arc;

use ws2_abi::*;
use ws2_engine::handles::{self, Object};
use ws2_engine::raw::{self};
use ws2_engine::translate::socket_addr_to_windows;
use ws2_engine::{Error, Result, SocketCore};

use crate::{socket_of, winsock};

fn new_socket(af: c_int, ty: c_int, protocol: c_int, overlapped: bool) -> Result<SOCKET> {
    let (family, kind, protocol) = ws2_engine::socket::socket_params(af, ty, protocol)?;
    let core = SocketCore::new(family, kind, protocol, overlapped)?;
    handles::insert(Object::Socket(Arc::new(core)))
}

#[unsafe(export_name = "ws2_socket")]
pub extern "C" fn socket(af: c_int, ty: c_int, protocol: c_int) -> SOCKET {
    // SO_OPENTYPE (per thread) decides whether socket() makes overlapped sockets.
    winsock(INVALID_SOCKET, || {
        new_socket(
            af,
            ty,
            protocol,
            ws2_engine::socket::socket_makes_overlapped(),
        )
    })
}

fn wsa_socket(af: c_int, ty: c_int, protocol: c_int, info: *const c_void, flags: DWORD) -> SOCKET {
    winsock(INVALID_SOCKET, || {
        if !info.is_null() {
            return Err(Error::new(
                WSAEINVAL,
                "lpProtocolInfo is not supported: pass NULL",
            ));
        }
        new_socket(af, ty, protocol, flags & WSA_FLAG_OVERLAPPED != 0)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn WSASocketA(
    af: c_int,
    ty: c_int,
    protocol: c_int,
    info: *const c_void,
    _g: u32,
    flags: DWORD,
) -> SOCKET {
    wsa_socket(af, ty, protocol, info, flags)
}

#[unsafe(no_mangle)]
pub extern "C" fn WSASocketW(
    af: c_int,
    ty: c_int,
    protocol: c_int,
    info: *const c_void,
    _g: u32,
    flags: DWORD,
) -> SOCKET {
    wsa_socket(af, ty, protocol, info, flags)
}

#[unsafe(no_mangle)]
pub extern "C" fn closesocket(s: SOCKET) -> c_int {
    winsock(SOCKET_ERROR, || {
        // A strong reference of its own, the lent one let go: `remove` then
        // forgets this thread's remembered socket, which goes below.
        let core = socket_of(s)?.to_arc();
        // SO_LINGER's wait (a non-blocking socket that cannot close at once stays open).
        core.close_lingering()?;
        handles::remove(s);
        core.close_handle();
        Ok(0)
    })
}

/// # Safety
/// `name` readable for `namelen` bytes.
#[unsafe(export_name = "ws2_bind")]
pub unsafe extern "C" fn bind(s: SOCKET, name: *const SOCKADDR, namelen: c_int) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        let addr = unsafe { raw::socket_addr_for(&core, name, namelen) }?;
        core.bind(&addr).map(|()| 0)
    })
}

/// # Safety
/// `name` readable for `namelen` bytes.
#[unsafe(export_name = "ws2_connect")]
pub unsafe extern "C" fn connect(s: SOCKET, name: *const SOCKADDR, namelen: c_int) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::connect(&core, name, namelen) }.map(|()| 0)
    })
}

#[unsafe(export_name = "ws2_shutdown")]
pub extern "C" fn shutdown(s: SOCKET, how: c_int) -> c_int {
    winsock(SOCKET_ERROR, || socket_of(s)?.shutdown(how).map(|()| 0))
}

/// # Safety
/// `optval` readable for `optlen` bytes.
#[unsafe(export_name = "ws2_setsockopt")]
pub unsafe extern "C" fn setsockopt(
    s: SOCKET,
    level: c_int,
    name: c_int,
    optval: *const c_char,
    optlen: c_int,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract (the engine probes optval).
        unsafe { raw::setsockopt(s, level, name, optval.cast(), optlen) }.map(|()| 0)
    })
}

/// # Safety
/// `optval` writable for `*optlen` bytes.
#[unsafe(export_name = "ws2_getsockopt")]
pub unsafe extern "C" fn getsockopt(
    s: SOCKET,
    level: c_int,
    name: c_int,
    optval: *mut c_char,
    optlen: *mut c_int,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract (the engine probes optval and optlen).
        unsafe { raw::getsockopt(s, level, name, optval.cast(), optlen) }.map(|()| 0)
    })
}

/// # Safety
/// `name` writable for `*namelen` bytes.
#[unsafe(export_name = "ws2_getsockname")]
pub unsafe extern "C" fn getsockname(s: SOCKET, name: *mut SOCKADDR, namelen: *mut c_int) -> c_int {
    winsock(SOCKET_ERROR, || {
        let addr = socket_of(s)?.local_addr()?;
        // SAFETY: forwarded contract.
        unsafe { socket_addr_to_windows(&addr, name, namelen) }.map(|()| 0)
    })
}

/// # Safety
/// `name` writable for `*namelen` bytes.
#[unsafe(export_name = "ws2_getpeername")]
pub unsafe extern "C" fn getpeername(s: SOCKET, name: *mut SOCKADDR, namelen: *mut c_int) -> c_int {
    winsock(SOCKET_ERROR, || {
        let addr = socket_of(s)?.peer_addr()?;
        // SAFETY: forwarded contract.
        unsafe { socket_addr_to_windows(&addr, name, namelen) }.map(|()| 0)
    })
}

/// `ioctlsocket`: `FIONBIO` and `FIONREAD` (see `simple_ioctl`). `cmd` is a C `long`; Windows
/// code may pass it sign-extended, so only its low 32 bits count.
///
/// # Safety
/// `argp` must be null or point to a 32-bit `u_long`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ioctlsocket(s: SOCKET, cmd: c_long, argp: *mut u32) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { simple_ioctl(&core, cmd as u32, argp) }.map(|()| 0)
    })
}

/// `FIONBIO` (refused to turn off while `WSAEventSelect` has events
/// selected, P1) and `FIONREAD` (the total pending, P1:
/// `ws2_engine::readiness::pending_bytes`). A pointer into the first page
/// (never mapped on Linux) is `WSAEFAULT`, as Windows answers
/// `(u_long *)1` (sock.c `test_fionbio`, `test_fionread_siocatmark`).
///
/// # Safety
/// `argp` must be null, in the first page, or point to a readable and
/// writable `u32`.
pub(crate) unsafe fn simple_ioctl(
    core: &std::sync::Arc<SocketCore>,
    cmd: u32,
    argp: *mut u32,
) -> Result<()> {
    if (argp as usize) < 4096 {
        return Err(Error::new(
            WSAEFAULT,
            format!("argp {argp:p} is not a valid pointer"),
        ));
    }
    match cmd {
        FIONBIO => ws2_engine::raw::fionbio(core, argp.cast_const().cast(), 4),
        FIONREAD => {
            // Data a receive deferred to the port takes is not pending.
            ws2_engine::io::fill_deferred_receives(core);
            let n = ws2_engine::readiness::pending_bytes(core)?;
            // SAFETY: argp is non-null and writable per the contract.
            unsafe { argp.write_unaligned(n) };
            Ok(())
        }
        SIOCATMARK => {
            let at = core.at_oob_mark()?;
            // SAFETY: argp is non-null and writable per the contract.
            unsafe { argp.write_unaligned(at as u32) };
            Ok(())
        }
        other => Err(Error::new(
            WSAEINVAL,
            format!("ioctl code {other:#x} is not supported"),
        )),
    }
}
