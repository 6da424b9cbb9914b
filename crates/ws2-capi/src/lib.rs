//! `libws2_32` for Linux: the Winsock C ABI as a thin layer over the `ws2`
//! crate. Each function unpacks its pointers, calls `ws2`, and turns the
//! result into Windows' return value and per-thread last error. No Winsock
//! logic lives here.
//!
//! Names that POSIX also has (`socket`, `bind`, `sendto`, ...) are exported
//! as `ws2_<name>`; the headers bind the Windows spelling to them with asm
//! labels, so this library never interposes libc.
#![deny(unsafe_op_in_unsafe_fn)]

mod addrstr_api;
mod cstr;
mod iphlpapi;
mod resolve;
mod resolve_api;
mod win32;

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_long, c_void};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ws2::completion::{self as wait, Event, Packet, Port, Waited};
use ws2::handles::{self, Object};
use ws2::raw::{self, SendResultPtrs};
use ws2::translate::socket_addr_to_windows;
use ws2::{Error, Family, Result, SocketCore, SocketKind};
use ws2_abi::*;

// ---------------------------------------------------------------------------
// Last error: one per-thread slot shared by WSAGetLastError and GetLastError.

thread_local! {
    static LAST_ERROR: Cell<u32> = const { Cell::new(0) };
}

fn set_last_error(code: u32) {
    LAST_ERROR.with(|c| c.set(code));
}

/// Runs `f`, never letting a panic cross the C ABI. Success sets the last
/// error to 0 (S3); failure stores the Winsock code and returns `fail`.
fn guard<T>(fail: T, f: impl FnOnce() -> Result<T>) -> T {
    kernel32(fail, || {
        let v = f()?;
        set_last_error(0);
        Ok(v)
    })
}

/// `guard` for the kernel32-style calls (waits, completion ports, handles,
/// event signalling): success leaves the last error as it was (S41).
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

fn socket_of(s: SOCKET) -> Result<handles::SocketRef> {
    handles::socket(s)
}

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

// ---------------------------------------------------------------------------
// Startup

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

// ---------------------------------------------------------------------------
// Sockets

fn new_socket(af: c_int, ty: c_int, protocol: c_int, overlapped: bool) -> Result<SOCKET> {
    let family = Family::from_windows(af).ok_or_else(|| {
        Error::new(
            WSAEAFNOSUPPORT,
            format!("address family {af} is not AF_INET (2) or AF_INET6 (23)"),
        )
    })?;
    let kind = SocketKind::from_windows(ty).ok_or_else(|| {
        Error::new(
            WSAESOCKTNOSUPPORT,
            format!("socket type {ty} is not supported"),
        )
    })?;
    let core = SocketCore::new(family, kind, protocol, overlapped)?;
    handles::insert(Object::Socket(Arc::new(core)))
}

#[unsafe(export_name = "ws2_socket")]
pub extern "C" fn socket(af: c_int, ty: c_int, protocol: c_int) -> SOCKET {
    winsock(INVALID_SOCKET, || new_socket(af, ty, protocol, true))
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
        let core = socket_of(s)?;
        handles::remove(s);
        core.close();
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
        let addr = unsafe { raw::socket_addr_for(&core, name, namelen) }?;
        core.connect(&addr).map(|()| 0)
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
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::setsockopt(&core, level, name, optval.cast(), optlen) }.map(|()| 0)
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
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::getsockopt(&core, level, name, optval.cast(), optlen) }.map(|()| 0)
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

/// `ioctlsocket`: `FIONBIO` and `FIONREAD`. `cmd` is a C `long`; Windows
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

/// # Safety
/// `argp` must be null or point to a readable and writable `u32`.
unsafe fn simple_ioctl(core: &SocketCore, cmd: u32, argp: *mut u32) -> Result<()> {
    if argp.is_null() {
        return Err(Error::new(WSAEFAULT, "argp is NULL"));
    }
    match cmd {
        FIONBIO => {
            // SAFETY: argp is non-null and readable per the contract.
            core.set_nonblocking(unsafe { argp.read_unaligned() } != 0);
            Ok(())
        }
        FIONREAD => {
            let n = core.bytes_readable()?;
            // SAFETY: argp is non-null and writable per the contract.
            unsafe { argp.write_unaligned(n) };
            Ok(())
        }
        other => Err(Error::new(
            WSAEINVAL,
            format!("ioctl code {other:#x} is not supported"),
        )),
    }
}

// ---------------------------------------------------------------------------
// Sending

fn results(
    bytes_sent: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> SendResultPtrs {
    SendResultPtrs {
        bytes_sent,
        overlapped,
        routine,
    }
}

/// `WSASendMsg` (S1, S3–S25). Also returned by `WSAIoctl(WSAID_WSASENDMSG)`.
///
/// # Safety
/// Winsock's contract: every non-null pointer valid for its documented use.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSASendMsg(
    s: SOCKET,
    msg: *mut WSAMSG,
    flags: DWORD,
    bytes_sent: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::send_msg(&core, msg, flags, &results(bytes_sent, overlapped, routine)) }
            .map(|_| 0)
    })
}

/// # Safety
/// Winsock's contract for `WSASend`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSASend(
    s: SOCKET,
    buffers: *mut WSABUF,
    count: DWORD,
    bytes_sent: *mut DWORD,
    flags: DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe {
            raw::send_gathered(
                &core,
                buffers,
                count,
                std::ptr::null(),
                0,
                no_control(),
                flags,
                &results(bytes_sent, overlapped, routine),
            )
        }
        .map(|_| 0)
    })
}

/// # Safety
/// Winsock's contract for `WSASendTo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSASendTo(
    s: SOCKET,
    buffers: *mut WSABUF,
    count: DWORD,
    bytes_sent: *mut DWORD,
    flags: DWORD,
    to: *const SOCKADDR,
    tolen: c_int,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe {
            raw::send_gathered(
                &core,
                buffers,
                count,
                to,
                tolen,
                no_control(),
                flags,
                &results(bytes_sent, overlapped, routine),
            )
        }
        .map(|_| 0)
    })
}

fn no_control() -> WSABUF {
    WSABUF {
        len: 0,
        buf: std::ptr::null_mut(),
    }
}

fn one_buffer(buf: *const c_char, len: c_int) -> Result<WSABUF> {
    let len =
        u32::try_from(len).map_err(|_| Error::new(WSAEFAULT, format!("len {len} is negative")))?;
    Ok(WSABUF {
        len,
        buf: buf.cast_mut(),
    })
}

/// # Safety
/// `buf` readable for `len` bytes.
#[unsafe(export_name = "ws2_send")]
pub unsafe extern "C" fn send(s: SOCKET, buf: *const c_char, len: c_int, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { sendto(s, buf, len, flags, std::ptr::null(), 0) }
}

/// # Safety
/// `buf` readable for `len` bytes, `to` for `tolen` bytes.
#[unsafe(export_name = "ws2_sendto")]
pub unsafe extern "C" fn sendto(
    s: SOCKET,
    buf: *const c_char,
    len: c_int,
    flags: c_int,
    to: *const SOCKADDR,
    tolen: c_int,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        let wsabuf = one_buffer(buf, len)?;
        let mut sent: DWORD = 0;
        // SAFETY: wsabuf describes the caller's buffer; `to` per the contract.
        unsafe {
            raw::send_gathered(
                &core,
                &wsabuf,
                1,
                to,
                tolen,
                no_control(),
                flags as u32,
                &results(&mut sent, std::ptr::null_mut(), None),
            )
        }
        .map(|n| n as c_int)
    })
}

// ---------------------------------------------------------------------------
// Receiving

/// # Safety
/// `buf` writable for `len` bytes.
#[unsafe(export_name = "ws2_recv")]
pub unsafe extern "C" fn recv(s: SOCKET, buf: *mut c_char, len: c_int, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        recvfrom(
            s,
            buf,
            len,
            flags,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    }
}

/// # Safety
/// `buf` writable for `len` bytes; `from` writable for `*fromlen` bytes.
#[unsafe(export_name = "ws2_recvfrom")]
pub unsafe extern "C" fn recvfrom(
    s: SOCKET,
    buf: *mut c_char,
    len: c_int,
    flags: c_int,
    from: *mut SOCKADDR,
    fromlen: *mut c_int,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        let len = usize::try_from(len)
            .map_err(|_| Error::new(WSAEFAULT, format!("len {len} is negative")))?;
        if buf.is_null() && len != 0 {
            return Err(Error::new(WSAEFAULT, "buf is NULL"));
        }
        if flags as u32 & !MSG_PEEK != 0 {
            return Err(Error::new(
                WSAEOPNOTSUPP,
                format!("recv flags {flags:#x}: only MSG_PEEK is supported"),
            ));
        }
        if !from.is_null() && fromlen.is_null() {
            return Err(Error::new(WSAEFAULT, "from is given but fromlen is NULL"));
        }
        let slice: &mut [u8] = if len == 0 {
            &mut []
        } else {
            // SAFETY: buf writable for len bytes per the contract.
            unsafe { std::slice::from_raw_parts_mut(buf.cast(), len) }
        };
        let (n, source) = core.recv_from(slice, flags as u32 & MSG_PEEK != 0)?;
        if !from.is_null()
            && let Some(source) = source
        {
            // SAFETY: forwarded contract.
            unsafe { socket_addr_to_windows(&source, from, fromlen) }?;
        }
        Ok(n as c_int)
    })
}

/// `WSARecvMsg` (S27): not exported by name on Windows, only returned by
/// `WSAIoctl(WSAID_WSARECVMSG)` (S1).
///
/// # Safety
/// Winsock's contract: every non-null pointer valid for its documented use.
unsafe extern "C" fn wsa_recv_msg(
    s: SOCKET,
    msg: *mut WSAMSG,
    bytes: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::recv_msg(&core, msg, bytes, overlapped, routine) }.map(|_| 0)
    })
}

/// `WSARecvFrom`: one datagram into gathered buffers, with its source;
/// blocking or overlapped (S27, S28–S30). `*lpFlags` must be 0 on input.
///
/// # Safety
/// Winsock's contract: every non-null pointer valid until completion.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSARecvFrom(
    s: SOCKET,
    buffers: *mut WSABUF,
    count: DWORD,
    bytes: *mut DWORD,
    flags: *mut DWORD,
    from: *mut SOCKADDR,
    fromlen: *mut c_int,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        if flags.is_null() {
            return Err(Error::new(WSAEFAULT, "lpFlags is NULL"));
        }
        // SAFETY: flags readable per the contract (checked non-null).
        let in_flags = unsafe { flags.read_unaligned() };
        if in_flags != 0 {
            return Err(Error::new(
                WSAEOPNOTSUPP,
                format!("receive flags {in_flags:#x} are not supported on datagram sockets"),
            ));
        }
        if !from.is_null() && fromlen.is_null() {
            return Err(Error::new(
                WSAEFAULT,
                "lpFrom is given but lpFromlen is NULL",
            ));
        }
        let outputs = raw::RecvOutputs {
            name: from,
            namelen: fromlen,
            control: std::ptr::null_mut(),
            flags,
        };
        // SAFETY: forwarded contract.
        unsafe { raw::recv_into(&core, buffers, count, outputs, bytes, overlapped, routine) }
            .map(|_| 0)
    })
}

/// `WSARecv`: as `WSARecvFrom` without the source address.
///
/// # Safety
/// Winsock's contract: every non-null pointer valid until completion.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSARecv(
    s: SOCKET,
    buffers: *mut WSABUF,
    count: DWORD,
    bytes: *mut DWORD,
    flags: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        WSARecvFrom(
            s,
            buffers,
            count,
            bytes,
            flags,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            overlapped,
            routine,
        )
    }
}

// ---------------------------------------------------------------------------
// WSAIoctl

/// `WSAIoctl`: `SIO_GET_EXTENSION_FUNCTION_POINTER` (S1, S2), `FIONBIO`, `FIONREAD`,
/// and the interface ioctls (P5, `ws2::interfaces::ioctl`).
///
/// # Safety
/// Winsock's contract: buffers valid for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAIoctl(
    s: SOCKET,
    code: DWORD,
    in_buf: *mut c_void,
    in_len: DWORD,
    out_buf: *mut c_void,
    out_len: DWORD,
    bytes_returned: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        if bytes_returned.is_null() {
            return Err(Error::new(WSAEFAULT, "lpcbBytesReturned is NULL"));
        }
        let written: DWORD = match code {
            SIO_GET_EXTENSION_FUNCTION_POINTER => {
                if in_buf.is_null() || (in_len as usize) < size_of::<GUID>() {
                    return Err(Error::new(WSAEFAULT, "lpvInBuffer must hold a GUID"));
                }
                // SAFETY: in_buf holds at least a GUID (checked).
                let guid = unsafe { in_buf.cast::<GUID>().read_unaligned() };
                let function: *const c_void = if guid == WSAID_WSASENDMSG {
                    WSASendMsg as *const c_void
                } else if guid == WSAID_WSARECVMSG {
                    wsa_recv_msg as *const c_void
                } else {
                    return Err(Error::new(WSAEINVAL, "unknown extension function GUID"));
                };
                if out_buf.is_null() || (out_len as usize) < size_of::<*const c_void>() {
                    return Err(Error::new(
                        WSAEFAULT,
                        "lpvOutBuffer must hold a function pointer",
                    ));
                }
                // SAFETY: out_buf holds at least a pointer (checked).
                unsafe { out_buf.cast::<*const c_void>().write_unaligned(function) };
                size_of::<*const c_void>() as DWORD
            }
            SIO_FLUSH => {
                core.flush();
                0
            }
            SIO_UDP_CONNRESET | SIO_UDP_NETRESET => {
                if in_buf.is_null() || (in_len as usize) < size_of::<BOOL>() {
                    return Err(Error::new(WSAEFAULT, "lpvInBuffer must hold a BOOL"));
                }
                // SAFETY: in_buf holds a BOOL (checked).
                let on = unsafe { in_buf.cast::<BOOL>().read_unaligned() } != 0;
                if code == SIO_UDP_CONNRESET {
                    core.set_icmp_reporting(Some(on), None);
                } else {
                    core.set_icmp_reporting(None, Some(on));
                }
                0
            }
            code if ws2::interfaces::ioctl::handles(code) => {
                let b = ws2::interfaces::ioctl::IoctlBuffers {
                    in_buf: in_buf.cast_const().cast(),
                    in_len,
                    out_buf: out_buf.cast(),
                    out_len,
                    bytes_returned,
                    overlapped,
                    routine,
                };
                // SAFETY: forwarded contract (P5: the interface ioctls).
                return unsafe { ws2::interfaces::ioctl::wsa_ioctl(&core, code, &b) }.map(|()| 0);
            }
            FIONBIO | FIONREAD => {
                let arg = if code == FIONBIO { in_buf } else { out_buf };
                // SAFETY: the caller passes a u_long buffer for these codes.
                unsafe { simple_ioctl(&core, code, arg.cast()) }?;
                if code == FIONREAD { 4 } else { 0 }
            }
            other => {
                return Err(Error::new(
                    WSAEOPNOTSUPP,
                    format!("ioctl code {other:#x} is not supported"),
                ));
            }
        };
        // SAFETY: bytes_returned is non-null (checked) and writable per the contract.
        unsafe { bytes_returned.write_unaligned(written) };
        // SAFETY: forwarded contract (S2: the completion is still delivered).
        unsafe { raw::complete_ioctl(&core, overlapped, routine) }?;
        Ok(0)
    })
}

// ---------------------------------------------------------------------------
// Pure helpers: no WSAStartup needed (S4).

#[unsafe(export_name = "ws2_htons")]
pub extern "C" fn htons(v: u16) -> u16 {
    v.to_be()
}
#[unsafe(export_name = "ws2_ntohs")]
pub extern "C" fn ntohs(v: u16) -> u16 {
    u16::from_be(v)
}
#[unsafe(export_name = "ws2_htonl")]
pub extern "C" fn htonl(v: u32) -> u32 {
    v.to_be()
}
#[unsafe(export_name = "ws2_ntohl")]
pub extern "C" fn ntohl(v: u32) -> u32 {
    u32::from_be(v)
}

/// `Sleep`: not alertable.
#[unsafe(no_mangle)]
pub extern "C" fn Sleep(ms: DWORD) {
    if ms == INFINITE {
        loop {
            std::thread::park();
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(ms as u64));
}

// ---------------------------------------------------------------------------
// Events, waits, completion ports (S31-S37)

const TRUE: BOOL = 1;
const FALSE: BOOL = 0;
const INVALID_HANDLE_VALUE: usize = usize::MAX;

fn deadline(ms: DWORD) -> Option<Instant> {
    (ms != INFINITE).then(|| Instant::now() + Duration::from_millis(ms as u64))
}

fn handle(h: HANDLE) -> usize {
    h as usize
}

#[unsafe(no_mangle)]
pub extern "C" fn WSACreateEvent() -> WSAEVENT {
    winsock(std::ptr::null_mut(), || {
        handles::insert(Object::Event(Arc::new(Event::new()))).map(|h| h as WSAEVENT)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn WSACloseEvent(h: WSAEVENT) -> BOOL {
    winsock_kernel32(FALSE, || {
        handles::event(handle(h))?;
        handles::remove(handle(h));
        Ok(TRUE)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn WSASetEvent(h: WSAEVENT) -> BOOL {
    winsock_kernel32(FALSE, || {
        handles::event(handle(h))?.set();
        Ok(TRUE)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn WSAResetEvent(h: WSAEVENT) -> BOOL {
    winsock_kernel32(FALSE, || {
        handles::event(handle(h))?.reset();
        Ok(TRUE)
    })
}

/// Waits on up to 64 events (wait-any or wait-all), optionally alertable.
///
/// # Safety
/// `list` readable for `count` handles.
unsafe fn wait_for_events(
    count: DWORD,
    list: *const HANDLE,
    all: BOOL,
    ms: DWORD,
    alertable: BOOL,
) -> Result<DWORD> {
    if count == 0 || count > MAXIMUM_WAIT_OBJECTS || list.is_null() {
        return Err(Error::new(
            WSA_INVALID_PARAMETER,
            format!("{count} handles: between 1 and 64 are allowed, in a non-NULL array"),
        ));
    }
    // SAFETY: list readable for count handles per the contract.
    let handles_in = unsafe { std::slice::from_raw_parts(list, count as usize) };
    let mut events: [Option<Arc<Event>>; 64] = [const { None }; 64];
    for (slot, h) in events.iter_mut().zip(handles_in) {
        *slot = Some(handles::event(handle(*h))?);
    }
    let refs: Vec<&Event> = events[..count as usize]
        .iter()
        .map(|e| &**e.as_ref().expect("filled"))
        .collect();
    Ok(
        match wait::wait_events(&refs, all != 0, deadline(ms), alertable != 0)? {
            Waited::Done(i) => WAIT_OBJECT_0 + i as DWORD,
            Waited::TimedOut => WAIT_TIMEOUT,
            Waited::IoCompletion => WAIT_IO_COMPLETION,
        },
    )
}

/// # Safety
/// `list` readable for `count` handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAWaitForMultipleEvents(
    count: DWORD,
    list: *const WSAEVENT,
    all: BOOL,
    ms: DWORD,
    alertable: BOOL,
) -> DWORD {
    // SAFETY: forwarded contract.
    winsock_kernel32(WSA_WAIT_FAILED, || unsafe {
        wait_for_events(count, list, all, ms, alertable)
    })
}

/// # Safety
/// `list` readable for `count` handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitForMultipleObjectsEx(
    count: DWORD,
    list: *const HANDLE,
    all: BOOL,
    ms: DWORD,
    alertable: BOOL,
) -> DWORD {
    // SAFETY: forwarded contract.
    kernel32(WAIT_FAILED, || unsafe {
        wait_for_events(count, list, all, ms, alertable)
    })
}

/// # Safety
/// `list` readable for `count` handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitForMultipleObjects(
    count: DWORD,
    list: *const HANDLE,
    all: BOOL,
    ms: DWORD,
) -> DWORD {
    // SAFETY: forwarded contract.
    unsafe { WaitForMultipleObjectsEx(count, list, all, ms, FALSE) }
}

#[unsafe(no_mangle)]
pub extern "C" fn WaitForSingleObjectEx(h: HANDLE, ms: DWORD, alertable: BOOL) -> DWORD {
    // SAFETY: a one-element array on the stack.
    unsafe { WaitForMultipleObjectsEx(1, &h, TRUE, ms, alertable) }
}

#[unsafe(no_mangle)]
pub extern "C" fn WaitForSingleObject(h: HANDLE, ms: DWORD) -> DWORD {
    WaitForSingleObjectEx(h, ms, FALSE)
}

/// `SleepEx`: 0, or `WAIT_IO_COMPLETION` when alertable and routines ran (S33).
#[unsafe(no_mangle)]
pub extern "C" fn SleepEx(ms: DWORD, alertable: BOOL) -> DWORD {
    kernel32(0, || {
        Ok(match wait::sleep(deadline(ms), alertable != 0)? {
            Waited::IoCompletion => WAIT_IO_COMPLETION,
            _ => 0,
        })
    })
}

/// # Safety
/// `bytes`, `flags` writable; `ov` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAGetOverlappedResult(
    s: SOCKET,
    ov: *mut WSAOVERLAPPED,
    bytes: *mut DWORD,
    wait: BOOL,
    flags: *mut DWORD,
) -> BOOL {
    winsock(FALSE, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::get_overlapped_result(&core, ov, bytes, wait != 0, flags) }.map(|_| TRUE)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn CloseHandle(h: HANDLE) -> BOOL {
    kernel32(FALSE, || match handles::object(handle(h)) {
        Some(Object::Socket(core)) => {
            handles::remove(handle(h));
            core.close();
            Ok(TRUE)
        }
        Some(Object::Port(port)) => {
            handles::remove(handle(h));
            // Threads waiting on it return ERROR_ABANDONED_WAIT_0 (S36).
            port.close();
            Ok(TRUE)
        }
        Some(Object::Event(_)) => {
            handles::remove(handle(h));
            Ok(TRUE)
        }
        None => Err(Error::new(
            ERROR_INVALID_HANDLE as i32,
            format!("handle {h:p} is not open"),
        )),
    })
}

/// Creates a port, and/or binds a socket to one with a key (S36).
#[unsafe(no_mangle)]
pub extern "C" fn CreateIoCompletionPort(
    file: HANDLE,
    existing: HANDLE,
    key: ULONG_PTR,
    _threads: DWORD,
) -> HANDLE {
    kernel32(std::ptr::null_mut(), || {
        let (port, port_handle) = if existing.is_null() {
            let port = Arc::new(Port::new());
            let h = handles::insert(Object::Port(port.clone()))?;
            (port, h)
        } else {
            (handles::port(handle(existing))?, handle(existing))
        };
        if handle(file) != INVALID_HANDLE_VALUE {
            let core = handles::socket(handle(file)).map_err(|_| {
                Error::new(ERROR_INVALID_HANDLE as i32, "FileHandle is not a socket")
            })?;
            if let Err(e) = core.set_port(port, key) {
                if existing.is_null() {
                    handles::remove(port_handle);
                }
                return Err(Error::new(
                    ERROR_INVALID_PARAMETER as i32,
                    e.message().to_owned(),
                ));
            }
        } else if !existing.is_null() {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "INVALID_HANDLE_VALUE with an existing port",
            ));
        }
        Ok(port_handle as HANDLE)
    })
}

/// One packet: TRUE for a successful operation; FALSE with the OVERLAPPED
/// and the Win32 error for a failed one; FALSE, NULL and `WAIT_TIMEOUT`;
/// FALSE, NULL and `ERROR_ABANDONED_WAIT_0` when another thread closes the
/// port during the wait (`ERROR_INVALID_HANDLE` when it was closed before).
/// Without a packet, `*lpNumberOfBytes` and `*lpCompletionKey` are left
/// alone (Microsoft's GetQueuedCompletionStatus page).
///
/// # Safety
/// Out-pointers writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetQueuedCompletionStatus(
    port: HANDLE,
    bytes: *mut DWORD,
    key: *mut ULONG_PTR,
    ov: *mut *mut WSAOVERLAPPED,
    ms: DWORD,
) -> BOOL {
    kernel32(FALSE, || {
        if bytes.is_null() || key.is_null() || ov.is_null() {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "an out-pointer is NULL",
            ));
        }
        // SAFETY: ov writable per the contract (checked non-null): no packet
        // until one is taken.
        unsafe { ov.write_unaligned(std::ptr::null_mut()) };
        let port = handles::port(handle(port))?;
        match port.get(deadline(ms), false)? {
            Waited::Done(p) => {
                // SAFETY: out-pointers writable per the contract (checked non-null).
                unsafe {
                    bytes.write_unaligned(p.bytes);
                    key.write_unaligned(p.key);
                    ov.write_unaligned(p.overlapped as *mut WSAOVERLAPPED);
                }
                if p.status == STATUS_SUCCESS {
                    Ok(TRUE)
                } else {
                    Err(Error::new(
                        win32_from_status(p.status) as i32,
                        "the operation failed",
                    ))
                }
            }
            _ => Err(Error::new(
                WAIT_TIMEOUT as i32,
                "no completion packet before the timeout",
            )),
        }
    })
}

/// A batch of packets (alertable when asked). A port closed during the
/// wait: FALSE, `*ulNumEntriesRemoved` 0, `ERROR_ABANDONED_WAIT_0`.
///
/// # Safety
/// `entries` writable for `count` entries; `removed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetQueuedCompletionStatusEx(
    port: HANDLE,
    entries: *mut OVERLAPPED_ENTRY,
    count: ULONG,
    removed: *mut ULONG,
    ms: DWORD,
    alertable: BOOL,
) -> BOOL {
    kernel32(FALSE, || {
        if entries.is_null() || removed.is_null() || count == 0 {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "entries/removed NULL or count 0",
            ));
        }
        let port = handles::port(handle(port))?;
        let got = port.get_many(count as usize, deadline(ms), alertable != 0);
        if got.is_err() {
            // SAFETY: removed writable per the contract (checked non-null).
            unsafe { removed.write_unaligned(0) };
        }
        match got? {
            Waited::Done(packets) => {
                for (i, p) in packets.iter().enumerate() {
                    let e = OVERLAPPED_ENTRY {
                        lpCompletionKey: p.key,
                        lpOverlapped: p.overlapped as *mut WSAOVERLAPPED,
                        Internal: p.status as usize,
                        dwNumberOfBytesTransferred: p.bytes,
                    };
                    // SAFETY: i < packets.len() <= count entries writable per the contract.
                    unsafe { entries.add(i).write_unaligned(e) };
                }
                // SAFETY: removed writable per the contract.
                unsafe { removed.write_unaligned(packets.len() as ULONG) };
                Ok(TRUE)
            }
            Waited::TimedOut => Err(Error::new(
                WAIT_TIMEOUT as i32,
                "no completion packet before the timeout",
            )),
            Waited::IoCompletion => Err(Error::new(
                WAIT_IO_COMPLETION as i32,
                "completion routines ran",
            )),
        }
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn PostQueuedCompletionStatus(
    port: HANDLE,
    bytes: DWORD,
    key: ULONG_PTR,
    ov: *mut WSAOVERLAPPED,
) -> BOOL {
    kernel32(FALSE, || {
        handles::port(handle(port))?.post(Packet {
            bytes,
            key,
            overlapped: ov as usize,
            status: STATUS_SUCCESS,
            payload: None,
        });
        Ok(TRUE)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn SetFileCompletionNotificationModes(h: HANDLE, flags: u8) -> BOOL {
    kernel32(FALSE, || {
        if flags & !(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE) != 0 {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                format!("unknown flags {flags:#x}"),
            ));
        }
        let core = handles::socket(handle(h))
            .map_err(|_| Error::new(ERROR_INVALID_HANDLE as i32, "not a socket"))?;
        core.set_notification_modes(flags);
        Ok(TRUE)
    })
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
