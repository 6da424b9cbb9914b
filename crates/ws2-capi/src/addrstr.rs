//! Address strings at the C ABI (SPEC P3): `inet_addr`, `inet_ntoa`,
//! `inet_pton`/`InetPtonW`, `inet_ntop`/`InetNtopW`,
//! `WSAAddressToStringA/W`, `WSAStringToAddressA/W`, and the address
//! constants `ws2ipdef.h`/`mstcpip.h` refer to (`in6addr_any`,
//! `in4addr_loopback`, ...). The rules themselves are `ws2_abi::addrstr`;
//! each function here reads the caller's pointers, calls them and sets the
//! last error where Windows does (and only there).
//!
//! `inet_*` are pure helpers: no `WSAStartup` needed (S4); the `WSA*`
//! calls need it. The byte-order helpers (`htons`, `ntohl`...) close the
//! file.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_int, c_void};
use std::panic::AssertUnwindSafe;

use ws2_abi::addrstr::{self, Pton};
use ws2_abi::*;
use ws2_engine::{Error, Result};

use crate::cstr::{self, Char};
use crate::{set_last_error, winsock};

/// Runs `f` for a call that leaves the last error alone unless it fails
/// (`inet_pton`, `inet_ntop`, `inet_addr`): an error stores its code and
/// returns `fail`; a panic never crosses the C ABI.
pub(crate) fn quiet<T>(fail: T, f: impl FnOnce() -> Result<T>) -> T {
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

// ---------------------------------------------------------------------------
// inet_addr, inet_ntoa

/// `inet_addr`: the address in network order, or `INADDR_NONE`. NULL sets
/// `WSAEFAULT`; no other input touches the last error (Wine's
/// `test_inet_addr`).
///
/// # Safety
/// `cp` is NULL or a NUL-terminated string.
#[unsafe(export_name = "ws2_inet_addr")]
pub unsafe extern "C" fn inet_addr(cp: *const c_char) -> u32 {
    quiet(u32::MAX, || {
        // SAFETY: forwarded contract.
        let text = unsafe { cstr::ansi(cp) }.ok_or_else(|| Error::new(WSAEFAULT, "cp is NULL"))?;
        Ok(addrstr::inet_addr(text).map_or(u32::MAX, u32::from_ne_bytes))
    })
}

thread_local! {
    /// `inet_ntoa`'s buffer: one per thread, as on Windows (Wine's
    /// `test_inet_ntoa` reads one thread's answer after another thread's call).
    static NTOA: Cell<[c_char; 16]> = const { Cell::new([0; 16]) };
}

/// `inet_ntoa`: "a.b.c.d" in this thread's buffer, valid until the next
/// call on this thread.
#[unsafe(export_name = "ws2_inet_ntoa")]
pub extern "C" fn inet_ntoa(addr: IN_ADDR) -> *mut c_char {
    let text = addrstr::inet_ntoa(addr);
    let mut buf = [0 as c_char; 16];
    for (d, s) in buf.iter_mut().zip(text.bytes()) {
        *d = s as c_char;
    }
    NTOA.with(|cell| {
        cell.set(buf);
        cell.as_ptr().cast()
    })
}

// ---------------------------------------------------------------------------
// inet_pton, InetPtonW

/// Stores the bytes Windows writes (even for a 0 result) and returns the
/// result.
///
/// # Safety
/// `dst` is writable for 4 (AF_INET) or 16 (AF_INET6) bytes.
unsafe fn store(p: Pton, dst: *mut c_void) -> c_int {
    let out = dst.cast::<u8>();
    for k in 0..16 {
        if p.written & (1 << k) != 0 {
            // SAFETY: `written` marks only bytes of the family's address size.
            unsafe { out.add(k).write(p.bytes[k]) };
        }
    }
    p.ret
}

fn pton<C: addrstr::Unit>(family: c_int, text: &[C]) -> Result<Pton> {
    match family {
        AF_INET => Ok(addrstr::inet_pton4(text)),
        AF_INET6 => Ok(addrstr::inet_pton6(text)),
        other => Err(Error::new(
            WSAEAFNOSUPPORT,
            format!("family {other} is not AF_INET (2) or AF_INET6 (23)"),
        )),
    }
}

/// `inet_pton` (= `InetPtonA`): 1, or 0 for text that is not an address
/// (the last error untouched, part of the address possibly written, as
/// Windows does), or -1 with `WSAEFAULT` (NULL, checked first) or
/// `WSAEAFNOSUPPORT` (Wine's `test_inet_pton`).
///
/// # Safety
/// `src` a NUL-terminated string; `dst` writable for 4 or 16 bytes.
#[unsafe(export_name = "ws2_inet_pton")]
pub unsafe extern "C" fn inet_pton(family: c_int, src: *const c_char, dst: *mut c_void) -> c_int {
    quiet(-1, || {
        // SAFETY: forwarded contract.
        let text = unsafe { cstr::ansi(src) };
        let text = text
            .filter(|_| !dst.is_null())
            .ok_or_else(|| Error::new(WSAEFAULT, "pszAddrString or pAddrBuf is NULL"))?;
        // SAFETY: dst writable for the family's size per the contract.
        Ok(unsafe { store(pton(family, text)?, dst) })
    })
}

/// `InetPtonW`: as `inet_pton`, but a 0 result also sets `WSAEINVAL`.
///
/// # Safety
/// `src` a NUL-terminated UTF-16 string; `dst` writable for 4 or 16 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InetPtonW(family: c_int, src: *const u16, dst: *mut c_void) -> c_int {
    quiet(-1, || {
        // SAFETY: forwarded contract.
        let text = unsafe { cstr::wide(src) };
        let text = text
            .filter(|_| !dst.is_null())
            .ok_or_else(|| Error::new(WSAEFAULT, "pszAddrString or pAddrBuf is NULL"))?;
        // SAFETY: dst writable for the family's size per the contract.
        let ret = unsafe { store(pton(family, &text)?, dst) };
        if ret == 0 {
            set_last_error(WSAEINVAL as u32);
        }
        Ok(ret)
    })
}

// ---------------------------------------------------------------------------
// inet_ntop, InetNtopW

/// The text for `family` and the address at `src`, or the error Windows
/// sets: a bad family is `WSAEAFNOSUPPORT`; NULL pointers (and, in the
/// caller, a buffer too small) are `STATUS_INVALID_PARAMETER`, which
/// modern Windows leaves as the last error (Wine's `test_addr_to_print`).
///
/// # Safety
/// `src` readable for 4 or 16 bytes.
unsafe fn ntop_text(family: c_int, src: *const c_void, dst_null: bool) -> Result<String> {
    let invalid = || {
        Error::new(
            STATUS_INVALID_PARAMETER as i32,
            "pAddr or pStringBuf is NULL",
        )
    };
    if dst_null {
        return Err(invalid());
    }
    let size = match family {
        AF_INET => 4,
        AF_INET6 => 16,
        other => {
            return Err(Error::new(
                WSAEAFNOSUPPORT,
                format!("family {other} is not AF_INET (2) or AF_INET6 (23)"),
            ));
        }
    };
    if src.is_null() {
        return Err(invalid());
    }
    let mut bytes = [0u8; 16];
    // SAFETY: src readable for the family's size per the contract.
    unsafe { std::ptr::copy_nonoverlapping(src.cast::<u8>(), bytes.as_mut_ptr(), size) };
    Ok(addrstr::ntop(family, &bytes).expect("family checked"))
}

/// Writes `text` into a caller buffer of `size` units, or fails with
/// `STATUS_INVALID_PARAMETER` when it does not fit (NUL included).
///
/// # Safety
/// `dst` writable for `size` units.
unsafe fn ntop_out<C: Char>(text: &str, dst: *mut C, size: usize) -> Result<*const C> {
    // SAFETY: forwarded contract.
    if unsafe { cstr::copy_out(&C::encode(text), dst, size) } {
        Ok(dst.cast_const())
    } else {
        Err(Error::new(
            STATUS_INVALID_PARAMETER as i32,
            format!("StringBufSize {size} is too small for {text}"),
        ))
    }
}

/// `inet_ntop` (= `InetNtopA`): `dst`, or NULL with the last error set.
///
/// # Safety
/// `src` readable for 4 or 16 bytes; `dst` writable for `size` bytes.
#[unsafe(export_name = "ws2_inet_ntop")]
pub unsafe extern "C" fn inet_ntop(
    family: c_int,
    src: *const c_void,
    dst: *mut c_char,
    size: usize,
) -> *const c_char {
    quiet(std::ptr::null(), || {
        // SAFETY: forwarded contract.
        let text = unsafe { ntop_text(family, src, dst.is_null()) }?;
        // SAFETY: forwarded contract.
        unsafe { ntop_out(&text, dst, size) }
    })
}

/// `InetNtopW`: as `inet_ntop`, the size in WCHARs.
///
/// # Safety
/// `src` readable for 4 or 16 bytes; `dst` writable for `size` WCHARs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InetNtopW(
    family: c_int,
    src: *const c_void,
    dst: *mut u16,
    size: usize,
) -> *const u16 {
    quiet(std::ptr::null(), || {
        // SAFETY: forwarded contract.
        let text = unsafe { ntop_text(family, src, dst.is_null()) }?;
        // SAFETY: forwarded contract.
        unsafe { ntop_out(&text, dst, size) }
    })
}

// ---------------------------------------------------------------------------
// WSAAddressToStringA/W

/// `WSAAddressToString`: the text into `buf`, its length (NUL included)
/// into `*len`. A NULL address, zero length or NULL `len` is `WSAEINVAL`
/// (Microsoft's page), as is a family other than AF_INET/AF_INET6 or a
/// length short of its sockaddr; a buffer too small (or NULL) is
/// `WSAEFAULT` with the length needed written back (Wine's
/// `test_WSAAddressToString`).
///
/// # Safety
/// `sa` readable for `sa_len` bytes; `len` NULL or a `DWORD`; `buf` NULL or
/// writable for `*len` units.
unsafe fn address_to_string<C: Char>(
    sa: *const SOCKADDR,
    sa_len: DWORD,
    buf: *mut C,
    len: *mut DWORD,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        if sa.is_null() || sa_len == 0 || len.is_null() {
            return Err(Error::new(
                WSAEINVAL,
                "lpsaAddress, dwAddressLength and lpdwAddressStringLength are required",
            ));
        }
        // SAFETY: sa readable for sa_len bytes per the contract.
        let bytes = unsafe { std::slice::from_raw_parts(sa.cast::<u8>(), sa_len as usize) };
        let text = addrstr::sockaddr_to_string(bytes).map_err(|code| {
            Error::new(
                code,
                "not an AF_INET or AF_INET6 address of its full length",
            )
        })?;
        let encoded = C::encode(&text);
        // SAFETY: len is a DWORD per the contract.
        let cap = unsafe { len.read_unaligned() } as usize;
        // SAFETY: buf writable for cap units per the contract.
        let fits = !buf.is_null() && unsafe { cstr::copy_out(&encoded, buf, cap) };
        // SAFETY: as above.
        unsafe { len.write_unaligned(encoded.len() as DWORD) };
        if !fits {
            return Err(Error::new(
                WSAEFAULT,
                format!("{} characters are needed for {text}", encoded.len()),
            ));
        }
        Ok(0)
    })
}

/// # Safety
/// See `address_to_string`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAAddressToStringA(
    sa: *const SOCKADDR,
    sa_len: DWORD,
    _info: *const c_void,
    buf: *mut c_char,
    len: *mut DWORD,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { address_to_string(sa, sa_len, buf, len) }
}

/// # Safety
/// See `address_to_string` (lengths in WCHARs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAAddressToStringW(
    sa: *const SOCKADDR,
    sa_len: DWORD,
    _info: *const c_void,
    buf: *mut u16,
    len: *mut DWORD,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { address_to_string(sa, sa_len, buf, len) }
}

// ---------------------------------------------------------------------------
// WSAStringToAddressA/W

/// `WSAStringToAddress`: a NULL address or length is `WSAEFAULT`, NULL text
/// or a family other than AF_INET/AF_INET6 `WSAEINVAL`; `*len` short of the
/// family's sockaddr is `WSAEFAULT` with the size written back, before any
/// parsing; then the sockaddr is zeroed and filled, and text that is not an
/// address is `WSAEINVAL` with `*len` unchanged and the partly parsed
/// address left as Windows leaves it (Wine's `test_WSAStringToAddress`).
///
/// # Safety
/// `sa` writable for `*len` bytes; `len` NULL or an `int`.
unsafe fn string_to_address<C: addrstr::Unit>(
    text: Option<&[C]>,
    family: c_int,
    sa: *mut SOCKADDR,
    len: *mut c_int,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        if sa.is_null() || len.is_null() {
            return Err(Error::new(
                WSAEFAULT,
                "lpAddress or lpAddressLength is NULL",
            ));
        }
        let text = text.ok_or_else(|| Error::new(WSAEINVAL, "AddressString is NULL"))?;
        let size = match family {
            AF_INET => size_of::<SOCKADDR_IN>(),
            AF_INET6 => size_of::<SOCKADDR_IN6>(),
            other => {
                return Err(Error::new(
                    WSAEINVAL,
                    format!("AddressFamily {other} is not AF_INET (2) or AF_INET6 (23)"),
                ));
            }
        };
        // SAFETY: len is an int per the contract.
        if unsafe { len.read_unaligned() } < size as c_int {
            // SAFETY: as above.
            unsafe { len.write_unaligned(size as c_int) };
            return Err(Error::new(
                WSAEFAULT,
                format!("*lpAddressLength must be at least {size}"),
            ));
        }
        // SAFETY: sa is writable for *len >= size bytes per the contract.
        let ok = unsafe {
            if family == AF_INET {
                let (ok, v4) = addrstr::string_to_sockaddr_in(text);
                sa.cast::<SOCKADDR_IN>().write_unaligned(v4);
                ok
            } else {
                let (ok, v6) = addrstr::string_to_sockaddr_in6(text);
                sa.cast::<SOCKADDR_IN6>().write_unaligned(v6);
                ok
            }
        };
        if !ok {
            return Err(Error::new(
                WSAEINVAL,
                "AddressString is not an address of that family",
            ));
        }
        // SAFETY: len is an int per the contract.
        unsafe { len.write_unaligned(size as c_int) };
        Ok(0)
    })
}

/// # Safety
/// See `string_to_address`; `text` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAStringToAddressA(
    text: *const c_char,
    family: c_int,
    _info: *const c_void,
    sa: *mut SOCKADDR,
    len: *mut c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { string_to_address(cstr::ansi(text), family, sa, len) }
}

/// # Safety
/// See `string_to_address`; `text` NULL or NUL-terminated UTF-16.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAStringToAddressW(
    text: *const u16,
    family: c_int,
    _info: *const c_void,
    sa: *mut SOCKADDR,
    len: *mut c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { string_to_address(cstr::wide(text).as_deref(), family, sa, len) }
}

// ---------------------------------------------------------------------------
// Address constants (ws2ipdef.h, mstcpip.h). glibc also exports
// in6addr_any/in6addr_loopback with its own types, so ours carry ws2_ names.

const fn v6(groups: [u16; 8]) -> IN6_ADDR {
    let mut s6_addr = [0u8; 16];
    let mut k = 0;
    while k < 8 {
        let [hi, lo] = groups[k].to_be_bytes();
        s6_addr[2 * k] = hi;
        s6_addr[2 * k + 1] = lo;
        k += 1;
    }
    IN6_ADDR { s6_addr }
}

const fn v4(a: u8, b: u8, c: u8, d: u8) -> IN_ADDR {
    IN_ADDR {
        s_addr: u32::from_ne_bytes([a, b, c, d]),
    }
}

#[unsafe(export_name = "ws2_in6addr_any")]
pub static IN6ADDR_ANY: IN6_ADDR = v6([0; 8]);
#[unsafe(export_name = "ws2_in6addr_loopback")]
pub static IN6ADDR_LOOPBACK: IN6_ADDR = v6([0, 0, 0, 0, 0, 0, 0, 1]);
#[unsafe(export_name = "in6addr_allnodesonnode")]
pub static IN6ADDR_ALLNODESONNODE: IN6_ADDR = v6([0xff01, 0, 0, 0, 0, 0, 0, 1]);
#[unsafe(export_name = "in6addr_allnodesonlink")]
pub static IN6ADDR_ALLNODESONLINK: IN6_ADDR = v6([0xff02, 0, 0, 0, 0, 0, 0, 1]);
#[unsafe(export_name = "in6addr_allroutersonlink")]
pub static IN6ADDR_ALLROUTERSONLINK: IN6_ADDR = v6([0xff02, 0, 0, 0, 0, 0, 0, 2]);
#[unsafe(export_name = "in6addr_allmldv2routersonlink")]
pub static IN6ADDR_ALLMLDV2ROUTERSONLINK: IN6_ADDR = v6([0xff02, 0, 0, 0, 0, 0, 0, 0x16]);
#[unsafe(export_name = "in6addr_teredoinitiallinklocaladdress")]
pub static IN6ADDR_TEREDOINITIALLINKLOCALADDRESS: IN6_ADDR =
    v6([0xfe80, 0, 0, 0, 0, 0xffff, 0xffff, 0xfffe]);
#[unsafe(export_name = "in6addr_linklocalprefix")]
pub static IN6ADDR_LINKLOCALPREFIX: IN6_ADDR = v6([0xfe80, 0, 0, 0, 0, 0, 0, 0]);
#[unsafe(export_name = "in6addr_multicastprefix")]
pub static IN6ADDR_MULTICASTPREFIX: IN6_ADDR = v6([0xff00, 0, 0, 0, 0, 0, 0, 0]);
#[unsafe(export_name = "in6addr_solicitednodemulticastprefix")]
pub static IN6ADDR_SOLICITEDNODEMULTICASTPREFIX: IN6_ADDR = v6([0xff02, 0, 0, 0, 0, 1, 0xff00, 0]);
#[unsafe(export_name = "in6addr_v4mappedprefix")]
pub static IN6ADDR_V4MAPPEDPREFIX: IN6_ADDR = v6([0, 0, 0, 0, 0, 0xffff, 0, 0]);
#[unsafe(export_name = "in6addr_6to4prefix")]
pub static IN6ADDR_6TO4PREFIX: IN6_ADDR = v6([0x2002, 0, 0, 0, 0, 0, 0, 0]);
#[unsafe(export_name = "in6addr_teredoprefix")]
pub static IN6ADDR_TEREDOPREFIX: IN6_ADDR = v6([0x2001, 0, 0, 0, 0, 0, 0, 0]);
#[unsafe(export_name = "in6addr_teredoprefix_old")]
pub static IN6ADDR_TEREDOPREFIX_OLD: IN6_ADDR = v6([0x3ffe, 0x831f, 0, 0, 0, 0, 0, 0]);
#[unsafe(export_name = "in4addr_any")]
pub static IN4ADDR_ANY: IN_ADDR = v4(0, 0, 0, 0);
#[unsafe(export_name = "in4addr_loopback")]
pub static IN4ADDR_LOOPBACK: IN_ADDR = v4(127, 0, 0, 1);
#[unsafe(export_name = "in4addr_broadcast")]
pub static IN4ADDR_BROADCAST: IN_ADDR = v4(255, 255, 255, 255);
#[unsafe(export_name = "in4addr_allnodesonlink")]
pub static IN4ADDR_ALLNODESONLINK: IN_ADDR = v4(224, 0, 0, 1);
#[unsafe(export_name = "in4addr_allroutersonlink")]
pub static IN4ADDR_ALLROUTERSONLINK: IN_ADDR = v4(224, 0, 0, 2);
#[unsafe(export_name = "in4addr_alligmpv3routersonlink")]
pub static IN4ADDR_ALLIGMPV3ROUTERSONLINK: IN_ADDR = v4(224, 0, 0, 22);
#[unsafe(export_name = "in4addr_allteredohostsonlink")]
pub static IN4ADDR_ALLTEREDOHOSTSONLINK: IN_ADDR = v4(224, 0, 0, 253);
#[unsafe(export_name = "in4addr_linklocalprefix")]
pub static IN4ADDR_LINKLOCALPREFIX: IN_ADDR = v4(169, 254, 0, 0);
#[unsafe(export_name = "in4addr_multicastprefix")]
pub static IN4ADDR_MULTICASTPREFIX: IN_ADDR = v4(224, 0, 0, 0);
/// `scopeid_unspecified` (`SCOPE_ID`, a ULONG): 0.
#[unsafe(export_name = "scopeid_unspecified")]
pub static SCOPEID_UNSPECIFIED: u32 = 0;

// ---------------------------------------------------------------------------
// gai_strerror

/// Room for a `gai_strerror` text, as in the SDK's inline version.
const GAI_BUF: usize = GAI_STRERROR_BUFFER_SIZE + 1;

thread_local! {
    static GAI_TEXT_A: RefCell<[c_char; GAI_BUF]> = const { RefCell::new([0; GAI_BUF]) };
    static GAI_TEXT_W: RefCell<[u16; GAI_BUF]> = const { RefCell::new([0; GAI_BUF]) };
}

/// Puts `code`'s text in a thread's buffer and returns the buffer, whose
/// address stays the same from call to call, as Windows' does.
fn gai_text<C: Char>(code: c_int, cell: &RefCell<[C; GAI_BUF]>) -> *const C {
    let text = C::encode(&gai_error_text(code));
    let n = text.len().min(GAI_BUF - 1);
    let mut buf = cell.borrow_mut();
    buf[..n].copy_from_slice(&text[..n]);
    buf[n] = C::default();
    drop(buf);
    cell.as_ptr().cast()
}

/// `gai_strerrorA` (`gai_strerror` when UNICODE is not defined): Windows'
/// system text for the code, in a buffer of this thread that the next call
/// on this thread overwrites. Needs no `WSAStartup`.
#[unsafe(no_mangle)]
pub extern "C" fn gai_strerrorA(code: c_int) -> *const c_char {
    GAI_TEXT_A.with(|cell| gai_text(code, cell))
}

/// `gai_strerrorW`: as `gai_strerrorA`, in UTF-16.
#[unsafe(no_mangle)]
pub extern "C" fn gai_strerrorW(code: c_int) -> *const u16 {
    GAI_TEXT_W.with(|cell| gai_text(code, cell))
}

// ---------------------------------------------------------------------------
// Byte order: no WSAStartup needed (S4).

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
