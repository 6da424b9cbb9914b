//! Name resolution at the C ABI (SPEC P2): `getaddrinfo`/`freeaddrinfo`,
//! `GetAddrInfoW`/`FreeAddrInfoW`, `GetAddrInfoExA/W` (synchronous),
//! `getnameinfo`/`GetNameInfoW`, `gethostbyname`, `gethostbyaddr`,
//! `gethostname`/`GetHostNameW`, `getservbyname`/`getservbyport`,
//! `getprotobyname`/`getprotobynumber`. Each function reads the caller's
//! pointers, calls `resolve` and returns Windows' value with the last error
//! set. Names glibc also has are exported as `ws2_<name>` (the headers bind
//! them with asm labels).

use std::ffi::{c_char, c_int, c_void};

use ws2_abi::*;
use ws2_engine::{Error, Result};

use crate::WSAGetLastError;
use crate::cstr::{self, Char};
use crate::winsock;
use ws2_engine::resolve::{self, AddrInfo, Hints, Resolved};

/// Runs a call that returns its error code (0 on success) and also stores
/// it as the last error, as the getaddrinfo family does.
fn code_of(f: impl FnOnce() -> Result<()>) -> c_int {
    if winsock(false, || f().map(|()| true)) {
        0
    } else {
        WSAGetLastError()
    }
}

/// The shared body of the getaddrinfo calls: `*res` is NULL unless the
/// call succeeds (Wine's `test_getaddrinfo`), then it is the new list.
///
/// # Safety
/// `hints` NULL or a valid `T`; `res` NULL or writable.
unsafe fn lookup<T: AddrInfo>(
    hints: *const T,
    res: *mut *mut T,
    resolve: impl FnOnce(&Hints) -> Result<Resolved>,
) -> c_int {
    if !res.is_null() {
        // SAFETY: res is writable per the contract. Cleared before anything
        // else, WSAStartup included.
        unsafe { res.write_unaligned(std::ptr::null_mut()) };
    }
    code_of(|| {
        if res.is_null() {
            return Err(Error::new(WSAEFAULT, "ppResult is NULL"));
        }
        let hints = if hints.is_null() {
            Hints::default()
        } else {
            // SAFETY: hints is a valid T per the contract.
            unsafe { &*hints }.hints()?
        };
        let answer = resolve(&hints)?;
        // SAFETY: as above.
        unsafe { res.write_unaligned(resolve::into_list::<T>(&answer)) };
        Ok(())
    })
}

/// A UTF-16 node name for the resolver. Non-ASCII names are converted to
/// punycode by the resolver unless `AI_DISABLE_IDN_ENCODING` says not to,
/// which makes them unknown (Wine's `test_GetAddrInfoW`).
fn wide_name(units: &[u16], flags: i32) -> Result<Vec<u8>> {
    let text = cstr::utf8_of_wide(units)
        .ok_or_else(|| Error::new(WSAHOST_NOT_FOUND, "the name is not valid UTF-16"))?;
    if !text.is_ascii() && flags & AI_DISABLE_IDN_ENCODING != 0 {
        return Err(Error::new(
            WSAHOST_NOT_FOUND,
            "a non-ASCII name with AI_DISABLE_IDN_ENCODING",
        ));
    }
    Ok(text.into_bytes())
}

/// `getaddrinfo` (= `GetAddrInfoA`).
///
/// # Safety
/// Strings NULL or NUL-terminated; `hints` NULL or valid; `res` writable.
#[unsafe(export_name = "ws2_getaddrinfo")]
pub unsafe extern "C" fn getaddrinfo(
    node: *const c_char,
    service: *const c_char,
    hints: *const ADDRINFOA,
    res: *mut *mut ADDRINFOA,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        lookup(hints, res, |h| {
            resolve::getaddrinfo(cstr::ansi(node), cstr::ansi(service), h, false)
        })
    }
}

/// Resolves UTF-16 node and service names.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16.
unsafe fn wide_lookup(node: *const u16, service: *const u16, h: &Hints) -> Result<Resolved> {
    // SAFETY: forwarded contract.
    let node = unsafe { cstr::wide(node) }
        .map(|n| wide_name(&n, h.flags))
        .transpose()?;
    // SAFETY: forwarded contract.
    let service = unsafe { cstr::wide(service) }
        .map(|s| {
            cstr::utf8_of_wide(&s)
                .ok_or_else(|| Error::new(WSATYPE_NOT_FOUND, "the service is not valid UTF-16"))
        })
        .transpose()?;
    resolve::getaddrinfo(
        node.as_deref(),
        service.as_ref().map(String::as_bytes),
        h,
        true,
    )
}

/// `GetAddrInfoW`.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16; `hints` NULL or valid; `res` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetAddrInfoW(
    node: *const u16,
    service: *const u16,
    hints: *const ADDRINFOW,
    res: *mut *mut ADDRINFOW,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { lookup(hints, res, |h| wide_lookup(node, service, h)) }
}

/// The arguments of `GetAddrInfoEx` that only asynchronous or
/// provider-specific use needs. ws2 answers synchronously from the system
/// resolver: any of them set is `WSAEINVAL` (Microsoft's GetAddrInfoExW
/// page: the reserved parameters must be NULL where not supported).
fn check_ex(namespace: DWORD, provider: *const GUID, reserved: [*const c_void; 4]) -> Result<()> {
    if !matches!(namespace, NS_ALL | NS_DNS | NS_TCPIP_LOCAL | NS_TCPIP_HOSTS) {
        return Err(Error::new(
            WSAEINVAL,
            format!("dwNameSpace {namespace} is not NS_ALL, NS_DNS or NS_TCPIP_*"),
        ));
    }
    if !provider.is_null() {
        return Err(Error::new(
            WSAEINVAL,
            "lpNspId must be NULL (the system resolver answers)",
        ));
    }
    if reserved.iter().any(|p| !p.is_null()) {
        return Err(Error::new(
            WSAEINVAL,
            "timeout, lpOverlapped, lpCompletionRoutine and lpNameHandle must be NULL: \
             GetAddrInfoEx is synchronous here",
        ));
    }
    Ok(())
}

/// `GetAddrInfoExW`, synchronous use.
///
/// # Safety
/// As `GetAddrInfoW`; the other pointers are only compared with NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetAddrInfoExW(
    name: *const u16,
    service: *const u16,
    namespace: DWORD,
    provider: *const GUID,
    hints: *const ADDRINFOEXW,
    res: *mut *mut ADDRINFOEXW,
    timeout: *const c_void,
    overlapped: *const c_void,
    routine: *const c_void,
    handle: *const c_void,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        lookup(hints, res, |h| {
            check_ex(namespace, provider, [timeout, overlapped, routine, handle])?;
            wide_lookup(name, service, h)
        })
    }
}

/// `GetAddrInfoExA`, synchronous use.
///
/// # Safety
/// As `getaddrinfo`; the other pointers are only compared with NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetAddrInfoExA(
    name: *const c_char,
    service: *const c_char,
    namespace: DWORD,
    provider: *const GUID,
    hints: *const ADDRINFOEXA,
    res: *mut *mut ADDRINFOEXA,
    timeout: *const c_void,
    overlapped: *const c_void,
    routine: *const c_void,
    handle: *const c_void,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        lookup(hints, res, |h| {
            check_ex(namespace, provider, [timeout, overlapped, routine, handle])?;
            resolve::getaddrinfo(cstr::ansi(name), cstr::ansi(service), h, false)
        })
    }
}

/// `GetAddrInfoExOverlappedResult`: ws2 starts no asynchronous lookups, so
/// no OVERLAPPED is one of ours: `WSAEINVAL` (Wine's `test_GetAddrInfoExW`
/// records it for NULL).
#[unsafe(no_mangle)]
pub extern "C" fn GetAddrInfoExOverlappedResult(_overlapped: *const c_void) -> c_int {
    WSAEINVAL
}

/// `GetAddrInfoExCancel`: there is never a lookup to cancel.
#[unsafe(no_mangle)]
pub extern "C" fn GetAddrInfoExCancel(_handle: *const c_void) -> c_int {
    WSA_INVALID_HANDLE
}

/// `freeaddrinfo` (= `FreeAddrInfoA`).
///
/// # Safety
/// `ai` NULL or a list from `getaddrinfo`, freed once.
#[unsafe(export_name = "ws2_freeaddrinfo")]
pub unsafe extern "C" fn freeaddrinfo(ai: *mut ADDRINFOA) {
    // SAFETY: forwarded contract.
    unsafe { resolve::free_list(ai) }
}

/// # Safety
/// `ai` NULL or a list from `GetAddrInfoW`, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FreeAddrInfoW(ai: *mut ADDRINFOW) {
    // SAFETY: forwarded contract.
    unsafe { resolve::free_list(ai) }
}

/// # Safety
/// `ai` NULL or a list from `GetAddrInfoExW`, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FreeAddrInfoExW(ai: *mut ADDRINFOEXW) {
    // SAFETY: forwarded contract.
    unsafe { resolve::free_list(ai) }
}

/// # Safety
/// `ai` NULL or a list from `GetAddrInfoExA`, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FreeAddrInfoEx(ai: *mut ADDRINFOEXA) {
    // SAFETY: forwarded contract.
    unsafe { resolve::free_list(ai) }
}

// ---------------------------------------------------------------------------
// getnameinfo

/// The shared body of getnameinfo/GetNameInfoW. A NULL or short sockaddr is
/// `WSAEFAULT`; a buffer given with size 0 is `EAI_BADFLAGS` (Microsoft's
/// getnameinfo page); an answer longer than its buffer is `WSAEFAULT` and
/// nothing is written.
///
/// # Safety
/// `sa` readable for `sa_len` bytes; each buffer NULL or writable for its size.
#[allow(clippy::too_many_arguments)]
unsafe fn nameinfo<C: Char>(
    sa: *const SOCKADDR,
    sa_len: c_int,
    host: *mut C,
    host_len: DWORD,
    serv: *mut C,
    serv_len: DWORD,
    flags: c_int,
) -> c_int {
    code_of(|| {
        if sa.is_null() || sa_len < 0 {
            return Err(Error::new(
                WSAEFAULT,
                "pSockaddr is NULL or SockaddrLength negative",
            ));
        }
        // SAFETY: sa readable for sa_len bytes per the contract.
        let bytes = unsafe { std::slice::from_raw_parts(sa.cast::<u8>(), sa_len as usize) };
        let addr = resolve::sockaddr_from_bytes(bytes)?;
        if (!host.is_null() && host_len == 0) || (!serv.is_null() && serv_len == 0) {
            return Err(Error::new(EAI_BADFLAGS, "a buffer was given with size 0"));
        }
        let (h, s) = resolve::getnameinfo(&addr, flags, !host.is_null(), !serv.is_null())?;
        let h = h.map(|t| C::encode(&t));
        let s = s.map(|t| C::encode(&t));
        if h.as_ref().is_some_and(|t| t.len() > host_len as usize)
            || s.as_ref().is_some_and(|t| t.len() > serv_len as usize)
        {
            return Err(Error::new(WSAEFAULT, "the answer does not fit the buffer"));
        }
        // SAFETY: each buffer is writable for its size, which the text fits.
        unsafe {
            if let Some(t) = h {
                cstr::copy_out(&t, host, host_len as usize);
            }
            if let Some(t) = s {
                cstr::copy_out(&t, serv, serv_len as usize);
            }
        }
        Ok(())
    })
}

/// `getnameinfo` (= `GetNameInfoA`).
///
/// # Safety
/// See `nameinfo`.
#[unsafe(export_name = "ws2_getnameinfo")]
pub unsafe extern "C" fn getnameinfo(
    sa: *const SOCKADDR,
    sa_len: c_int,
    host: *mut c_char,
    host_len: DWORD,
    serv: *mut c_char,
    serv_len: DWORD,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { nameinfo(sa, sa_len, host, host_len, serv, serv_len, flags) }
}

/// `GetNameInfoW`: sizes in WCHARs.
///
/// # Safety
/// See `nameinfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetNameInfoW(
    sa: *const SOCKADDR,
    sa_len: c_int,
    host: *mut u16,
    host_len: DWORD,
    serv: *mut u16,
    serv_len: DWORD,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { nameinfo(sa, sa_len, host, host_len, serv, serv_len, flags) }
}

// ---------------------------------------------------------------------------
// Host names and the hostent/servent/protoent calls

/// `gethostname`: the name and its NUL must fit `len` bytes, else
/// `WSAEFAULT` and the buffer is left untouched (Wine's `test_gethostname`).
///
/// # Safety
/// `name` NULL or writable for `len` bytes.
#[unsafe(export_name = "ws2_gethostname")]
pub unsafe extern "C" fn gethostname(name: *mut c_char, len: c_int) -> c_int {
    winsock(SOCKET_ERROR, || {
        if name.is_null() {
            return Err(Error::new(WSAEFAULT, "name is NULL"));
        }
        let text = c_char::encode(&String::from_utf8_lossy(&resolve::host_name()?));
        // SAFETY: name writable for len bytes per the contract.
        if len < 0 || !unsafe { cstr::copy_out(&text, name, len as usize) } {
            return Err(Error::new(
                WSAEFAULT,
                format!(
                    "namelen {len} is too small: {} bytes are needed",
                    text.len()
                ),
            ));
        }
        Ok(0)
    })
}

/// `GetHostNameW`: as `gethostname`, the length in WCHARs (Wine's
/// `test_GetHostNameW`).
///
/// # Safety
/// `name` NULL or writable for `len` WCHARs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetHostNameW(name: *mut u16, len: c_int) -> c_int {
    winsock(SOCKET_ERROR, || {
        if name.is_null() {
            return Err(Error::new(WSAEFAULT, "name is NULL"));
        }
        let text = cstr::wide_of(&String::from_utf8_lossy(&resolve::host_name()?));
        // SAFETY: name writable for len WCHARs per the contract.
        if len < 0 || !unsafe { cstr::copy_out(&text, name, len as usize) } {
            return Err(Error::new(
                WSAEFAULT,
                format!(
                    "namelen {len} is too small: {} WCHARs are needed",
                    text.len()
                ),
            ));
        }
        Ok(0)
    })
}

/// `gethostbyname`: a `HOSTENT` in this thread's block, or NULL with the
/// last error set.
///
/// # Safety
/// `name` NULL or NUL-terminated.
#[unsafe(export_name = "ws2_gethostbyname")]
pub unsafe extern "C" fn gethostbyname(name: *const c_char) -> *mut HOSTENT {
    winsock(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        let host = resolve::gethostbyname(unsafe { cstr::ansi(name) })?;
        Ok(resolve::hostent(&host))
    })
}

/// `gethostbyaddr`: `addr` of `len` bytes of family `family`.
///
/// # Safety
/// `addr` NULL or readable for `len` bytes.
#[unsafe(export_name = "ws2_gethostbyaddr")]
pub unsafe extern "C" fn gethostbyaddr(
    addr: *const c_char,
    len: c_int,
    family: c_int,
) -> *mut HOSTENT {
    winsock(std::ptr::null_mut(), || {
        if addr.is_null() || len < 0 {
            return Err(Error::new(WSAEFAULT, "addr is NULL or len negative"));
        }
        // SAFETY: addr readable for len bytes per the contract.
        let bytes = unsafe { std::slice::from_raw_parts(addr.cast::<u8>(), len as usize) };
        Ok(resolve::hostent(&resolve::gethostbyaddr(bytes, family)?))
    })
}

/// `getservbyname`: a `SERVENT` in this thread's block, or NULL
/// (`WSANO_DATA` for an unknown service).
///
/// # Safety
/// `name` and `proto` NULL or NUL-terminated.
#[unsafe(export_name = "ws2_getservbyname")]
pub unsafe extern "C" fn getservbyname(name: *const c_char, proto: *const c_char) -> *mut SERVENT {
    winsock(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        let name =
            unsafe { cstr::ansi(name) }.ok_or_else(|| Error::new(WSAEFAULT, "name is NULL"))?;
        // SAFETY: forwarded contract.
        let service = resolve::getservbyname(name, unsafe { cstr::ansi(proto) })?;
        Ok(resolve::servent(&service))
    })
}

/// `getservbyport`: `port` in network order.
///
/// # Safety
/// `proto` NULL or NUL-terminated.
#[unsafe(export_name = "ws2_getservbyport")]
pub unsafe extern "C" fn getservbyport(port: c_int, proto: *const c_char) -> *mut SERVENT {
    winsock(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        let service = resolve::getservbyport(port, unsafe { cstr::ansi(proto) })?;
        Ok(resolve::servent(&service))
    })
}

/// `getprotobyname`: from Windows' protocol table, ignoring case.
///
/// # Safety
/// `name` NULL or NUL-terminated.
#[unsafe(export_name = "ws2_getprotobyname")]
pub unsafe extern "C" fn getprotobyname(name: *const c_char) -> *mut PROTOENT {
    winsock(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        let name =
            unsafe { cstr::ansi(name) }.ok_or_else(|| Error::new(WSAEFAULT, "name is NULL"))?;
        let p = protocol_by_name(name).ok_or_else(|| {
            Error::new(
                WSANO_DATA,
                format!("no protocol {:?}", String::from_utf8_lossy(name)),
            )
        })?;
        Ok(resolve::protoent(p))
    })
}

/// `getprotobynumber`: from Windows' protocol table.
#[unsafe(export_name = "ws2_getprotobynumber")]
pub extern "C" fn getprotobynumber(number: c_int) -> *mut PROTOENT {
    winsock(std::ptr::null_mut(), || {
        let p = protocol_by_number(number)
            .ok_or_else(|| Error::new(WSANO_DATA, format!("no protocol number {number}")))?;
        Ok(resolve::protoent(p))
    })
}
