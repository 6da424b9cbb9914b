//! Name resolution (SPEC P2) through the system resolver: glibc's
//! `getaddrinfo`, `getnameinfo`, `gethostbyname_r`, `getservbyname_r`...
//! (so `/etc/hosts`, `nsswitch.conf` and DNS all apply), with the answers
//! translated into Windows' structures and numbers: Windows families and
//! sockaddrs, `ADDRINFOA/W/EXA/EXW` lists in Windows' field order, `EAI_*`
//! as WSA codes, and per-thread `HOSTENT`/`SERVENT`/`PROTOENT` blocks laid
//! out as Windows lays them out.
//!
//! This module holds the logic; `ws2-capi/src/resolve.rs` holds the `extern "C"`
//! functions, which only read the caller's pointers, call in here and set
//! the last error.

use std::ffi::{CString, c_char, c_int, c_void};

use crate::error::{Error, Result};
use ws2_abi::addrstr;
use ws2_abi::*;

mod blocks;
mod lists;

pub use blocks::{hostent, protoent, servent};
pub use lists::{AddrInfo, free_list, into_list};

// glibc's reentrant database calls; the libc crate does not declare them.
unsafe extern "C" {
    fn gethostbyname_r(
        name: *const c_char,
        ret: *mut libc::hostent,
        buf: *mut c_char,
        buflen: usize,
        result: *mut *mut libc::hostent,
        h_errnop: *mut c_int,
    ) -> c_int;
    fn gethostbyaddr_r(
        addr: *const c_void,
        len: libc::socklen_t,
        family: c_int,
        ret: *mut libc::hostent,
        buf: *mut c_char,
        buflen: usize,
        result: *mut *mut libc::hostent,
        h_errnop: *mut c_int,
    ) -> c_int;
    fn getservbyname_r(
        name: *const c_char,
        proto: *const c_char,
        ret: *mut libc::servent,
        buf: *mut c_char,
        buflen: usize,
        result: *mut *mut libc::servent,
    ) -> c_int;
    fn getservbyport_r(
        port: c_int,
        proto: *const c_char,
        ret: *mut libc::servent,
        buf: *mut c_char,
        buflen: usize,
        result: *mut *mut libc::servent,
    ) -> c_int;
}

/// glibc's `AI_IDN`: convert a non-ASCII name to punycode (libidn2).
const GLIBC_AI_IDN: c_int = 0x0040;

/// Largest scratch buffer the `_r` calls may ask for before we give up.
const MAX_DB_BUFFER: usize = 1 << 20;

fn err(code: i32, message: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(code, message)
}

// ---------------------------------------------------------------------------
// getaddrinfo

/// The four hint fields that matter (`ai_flags`, `ai_family`,
/// `ai_socktype`, `ai_protocol`); NULL hints are all zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    pub flags: i32,
    pub family: i32,
    pub socktype: i32,
    pub protocol: i32,
}

/// A Windows socket address from a resolver answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WinAddr {
    V4(SOCKADDR_IN),
    V6(SOCKADDR_IN6),
}

impl WinAddr {
    fn family(&self) -> i32 {
        match self {
            WinAddr::V4(_) => AF_INET,
            WinAddr::V6(_) => AF_INET6,
        }
    }

    fn len(&self) -> usize {
        match self {
            WinAddr::V4(_) => size_of::<SOCKADDR_IN>(),
            WinAddr::V6(_) => size_of::<SOCKADDR_IN6>(),
        }
    }

    /// From a glibc `sockaddr` of `len` bytes; `None` for other families.
    ///
    /// # Safety
    /// `sa` is readable for `len` bytes.
    unsafe fn from_glibc(sa: *const libc::sockaddr, len: usize) -> Option<WinAddr> {
        if sa.is_null() {
            return None;
        }
        // SAFETY: at least the family is readable when len covers it.
        let family = (len >= 2).then(|| unsafe { (*sa).sa_family } as c_int)?;
        match family {
            libc::AF_INET if len >= size_of::<libc::sockaddr_in>() => {
                // SAFETY: len covers a sockaddr_in.
                let v4 = unsafe { sa.cast::<libc::sockaddr_in>().read_unaligned() };
                Some(WinAddr::V4(SOCKADDR_IN {
                    sin_family: AF_INET as u16,
                    sin_port: v4.sin_port,
                    sin_addr: IN_ADDR {
                        s_addr: v4.sin_addr.s_addr,
                    },
                    sin_zero: [0; 8],
                }))
            }
            libc::AF_INET6 if len >= size_of::<libc::sockaddr_in6>() => {
                // SAFETY: len covers a sockaddr_in6.
                let v6 = unsafe { sa.cast::<libc::sockaddr_in6>().read_unaligned() };
                Some(WinAddr::V6(SOCKADDR_IN6 {
                    sin6_family: AF_INET6 as u16,
                    sin6_port: v6.sin6_port,
                    sin6_flowinfo: v6.sin6_flowinfo,
                    sin6_addr: IN6_ADDR {
                        s6_addr: v6.sin6_addr.s6_addr,
                    },
                    sin6_scope_id: v6.sin6_scope_id,
                }))
            }
            _ => None,
        }
    }
}

/// A getaddrinfo answer before it becomes a C list: the canonical name
/// (first entry only, when `AI_CANONNAME` asked for it) and one address
/// per entry, with the hints' socket type and protocol.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    pub canonname: Option<String>,
    pub addrs: Vec<WinAddr>,
    pub socktype: i32,
    pub protocol: i32,
}

fn linux_family(windows: i32) -> Option<c_int> {
    match windows {
        AF_UNSPEC => Some(libc::AF_UNSPEC),
        AF_INET => Some(libc::AF_INET),
        AF_INET6 => Some(libc::AF_INET6),
        _ => None,
    }
}

fn windows_family(linux: c_int) -> Option<i16> {
    match linux {
        libc::AF_INET => Some(AF_INET as i16),
        libc::AF_INET6 => Some(AF_INET6 as i16),
        _ => None,
    }
}

/// Checks hints as Windows does before any lookup (Microsoft's getaddrinfo
/// page): unknown `ai_flags` bits and `AI_FQDN` with `AI_CANONNAME` are
/// `EAI_BADFLAGS`; a family other than AF_UNSPEC/AF_INET/AF_INET6 is
/// `EAI_FAMILY`; a socket type past `SOCK_SEQPACKET` is `EAI_SOCKTYPE`
/// (Wine's hinttests: 999 → WSAESOCKTNOSUPPORT); `AI_CANONNAME` or
/// `AI_FQDN` without a node name is `WSANO_RECOVERY`. Protocols are not
/// checked: Windows echoes any (hinttests: 999 is accepted).
fn check_hints(h: &Hints, has_node: bool) -> Result<()> {
    if h.flags & !AI_KNOWN_FLAGS != 0 {
        return Err(err(
            EAI_BADFLAGS,
            format!("ai_flags {:#x} has bits Windows does not define", h.flags),
        ));
    }
    if h.flags & AI_FQDN != 0 && h.flags & AI_CANONNAME != 0 {
        return Err(err(EAI_BADFLAGS, "AI_FQDN and AI_CANONNAME together"));
    }
    if linux_family(h.family).is_none() {
        return Err(err(
            EAI_FAMILY,
            format!(
                "ai_family {} is not AF_UNSPEC, AF_INET (2) or AF_INET6 (23)",
                h.family
            ),
        ));
    }
    if !(0..=5).contains(&h.socktype) {
        return Err(err(
            EAI_SOCKTYPE,
            format!("ai_socktype {} is not a socket type", h.socktype),
        ));
    }
    if !has_node && h.flags & (AI_CANONNAME | AI_FQDN) != 0 {
        return Err(err(WSANO_RECOVERY, "AI_CANONNAME/AI_FQDN need a node name"));
    }
    Ok(())
}

/// The node glibc should look up: "" is the local host (Windows answers
/// with the machine's addresses; its name resolves to them), and Windows
/// accepts "[v6addr]" and "[v6addr]:port" (the port ignored) when the
/// family allows IPv6 (Wine's `test_getaddrinfo`).
fn node_for_glibc(node: &[u8], family: i32) -> Result<Vec<u8>> {
    if node.is_empty() {
        return host_name();
    }
    if node[0] == b'['
        && family != AF_INET
        && let Some(close) = node.iter().position(|&c| c == b']')
    {
        return Ok(node[1..close].to_vec());
    }
    Ok(node.to_vec())
}

/// `getaddrinfo` in Windows' terms. `idn`: the name came from
/// `GetAddrInfoW` and may be converted to punycode.
pub fn getaddrinfo(
    node: Option<&[u8]>,
    service: Option<&[u8]>,
    hints: &Hints,
    idn: bool,
) -> Result<Resolved> {
    if node.is_none() && service.is_none() {
        return Err(err(EAI_NONAME, "pNodeName and pServiceName are both NULL"));
    }
    check_hints(hints, node.is_some())?;
    let node = node.map(|n| node_for_glibc(n, hints.family)).transpose()?;
    let c_node =
        node.map(|n| CString::new(n).map_err(|_| err(EAI_NONAME, "node name holds a NUL")));
    let c_node = c_node.transpose()?;
    let c_service = service
        .map(|s| CString::new(s).map_err(|_| err(EAI_SERVICE, "service name holds a NUL")))
        .transpose()?;
    let mut flags = ai_flags_to_glibc(hints.flags);
    if idn && c_node.as_ref().is_some_and(|n| !n.as_bytes().is_ascii()) {
        flags |= GLIBC_AI_IDN;
    }
    // SAFETY: addrinfo is plain data; zero is valid for every field.
    let mut g: libc::addrinfo = unsafe { std::mem::zeroed() };
    g.ai_flags = flags;
    g.ai_family = linux_family(hints.family).unwrap_or(libc::AF_UNSPEC);
    // glibc needs the socket type to pick a named service's protocol; any
    // other type is looked up for all and echoed afterwards.
    g.ai_socktype = match hints.socktype {
        SOCK_STREAM => libc::SOCK_STREAM,
        SOCK_DGRAM => libc::SOCK_DGRAM,
        _ => 0,
    };
    let mut list: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: the strings are NUL-terminated and live across the call; g
    // and list are valid for the call.
    let rc = unsafe {
        libc::getaddrinfo(
            c_node.as_ref().map_or(std::ptr::null(), |n| n.as_ptr()),
            c_service.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            &g,
            &mut list,
        )
    };
    if rc != 0 {
        let code = wsa_from_eai(
            rc,
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        );
        let what = c_node
            .as_ref()
            .map_or("(none)".into(), |n| n.to_string_lossy().into_owned());
        return Err(err(
            code,
            format!("resolving {what:?} failed: {}", wsa_error_name(code)),
        ));
    }
    let mut out = Resolved {
        socktype: hints.socktype,
        protocol: hints.protocol,
        ..Resolved::default()
    };
    let mut p = list;
    while !p.is_null() {
        // SAFETY: p is an entry of the list glibc returned, not yet freed.
        let e = unsafe { &*p };
        if out.canonname.is_none() && hints.flags & AI_CANONNAME != 0 && !e.ai_canonname.is_null() {
            // SAFETY: glibc's canonical name is a C string in the list.
            let name = unsafe { std::ffi::CStr::from_ptr(e.ai_canonname) };
            out.canonname = Some(name.to_string_lossy().into_owned());
        }
        // SAFETY: ai_addr holds ai_addrlen bytes.
        if let Some(a) = unsafe { WinAddr::from_glibc(e.ai_addr, e.ai_addrlen as usize) } {
            // One entry per address, as Windows returns (glibc repeats each
            // address once per socket type).
            if !out.addrs.contains(&a) {
                out.addrs.push(a);
            }
        }
        p = e.ai_next;
    }
    // SAFETY: list came from getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(list) };
    if out.addrs.is_empty() {
        return Err(err(WSANO_DATA, "the name has no IPv4 or IPv6 address"));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// getnameinfo

/// A Windows sockaddr from the caller's bytes, checked as Windows checks
/// it: fewer bytes than the family's sockaddr is `WSAEFAULT`, a family
/// other than AF_INET/AF_INET6 `WSAEAFNOSUPPORT`.
pub fn sockaddr_from_bytes(sa: &[u8]) -> Result<WinAddr> {
    if sa.len() < 2 {
        return Err(err(
            WSAEFAULT,
            format!("SockaddrLength {} is too small", sa.len()),
        ));
    }
    let family = i32::from(u16::from_ne_bytes([sa[0], sa[1]]));
    let need = match family {
        AF_INET => size_of::<SOCKADDR_IN>(),
        AF_INET6 => size_of::<SOCKADDR_IN6>(),
        other => {
            return Err(err(
                WSAEAFNOSUPPORT,
                format!("sa_family {other} is not AF_INET or AF_INET6"),
            ));
        }
    };
    if sa.len() < need {
        return Err(err(
            WSAEFAULT,
            format!("SockaddrLength {} is smaller than {need}", sa.len()),
        ));
    }
    // SAFETY: sa holds at least `need` bytes, the size of the struct read.
    Ok(unsafe {
        if family == AF_INET {
            WinAddr::V4(sa.as_ptr().cast::<SOCKADDR_IN>().read_unaligned())
        } else {
            WinAddr::V6(sa.as_ptr().cast::<SOCKADDR_IN6>().read_unaligned())
        }
    })
}

fn glibc_sockaddr(a: &WinAddr) -> (libc::sockaddr_in6, libc::socklen_t) {
    // SAFETY: plain data; zero is valid.
    let mut store: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
    match a {
        WinAddr::V4(v4) => {
            // SAFETY: sockaddr_in6 is larger than sockaddr_in and suitably aligned.
            let s = unsafe { &mut *(&raw mut store).cast::<libc::sockaddr_in>() };
            s.sin_family = libc::AF_INET as libc::sa_family_t;
            s.sin_port = v4.sin_port;
            s.sin_addr.s_addr = v4.sin_addr.s_addr;
            (store, size_of::<libc::sockaddr_in>() as libc::socklen_t)
        }
        WinAddr::V6(v6) => {
            store.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            store.sin6_port = v6.sin6_port;
            store.sin6_flowinfo = v6.sin6_flowinfo;
            store.sin6_addr.s6_addr = v6.sin6_addr.s6_addr;
            store.sin6_scope_id = v6.sin6_scope_id;
            (store, size_of::<libc::sockaddr_in6>() as libc::socklen_t)
        }
    }
}

/// The numeric host text Windows gives: dotted IPv4, or its IPv6 text with
/// "%scope" when the scope is set.
fn numeric_host(a: &WinAddr) -> String {
    let mut s = String::new();
    match a {
        WinAddr::V4(v4) => addrstr::format_ipv4(v4.sin_addr.s_addr.to_ne_bytes(), 0, &mut s),
        WinAddr::V6(v6) => addrstr::format_ipv6(v6.sin6_addr.s6_addr, v6.sin6_scope_id, 0, &mut s),
    }
    s
}

fn glibc_nameinfo(a: &WinAddr, host: bool, flags: c_int) -> std::result::Result<String, c_int> {
    let (sa, len) = glibc_sockaddr(a);
    let mut buf = [0 as c_char; NI_MAXHOST];
    let (h, hl, s, sl) = if host {
        (
            buf.as_mut_ptr(),
            buf.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
        )
    } else {
        (
            std::ptr::null_mut(),
            0,
            buf.as_mut_ptr(),
            buf.len() as libc::socklen_t,
        )
    };
    // SAFETY: sa is a valid sockaddr of len bytes; the one output buffer is
    // valid for its length, the other is NULL with length 0.
    let rc = unsafe {
        libc::getnameinfo(
            (&raw const sa).cast::<libc::sockaddr>(),
            len,
            h,
            hl,
            s,
            sl,
            flags,
        )
    };
    if rc != 0 {
        return Err(rc);
    }
    // SAFETY: glibc NUL-terminates what it wrote into buf.
    Ok(unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned())
}

/// `getnameinfo` in Windows' terms: the host and/or service text asked
/// for. Unknown flag bits are `EAI_BADFLAGS`; asking for neither is
/// `EAI_NONAME` (Microsoft's getnameinfo page). A host without a name gives
/// its numeric form unless `NI_NAMEREQD`; an unknown port gives its number.
pub fn getnameinfo(
    a: &WinAddr,
    flags: i32,
    host: bool,
    serv: bool,
) -> Result<(Option<String>, Option<String>)> {
    if flags & !NI_KNOWN_FLAGS != 0 {
        return Err(err(
            EAI_BADFLAGS,
            format!("flags {flags:#x} has bits Windows does not define"),
        ));
    }
    if !host && !serv {
        return Err(err(
            EAI_NONAME,
            "pNodeBuffer and pServiceBuffer are both NULL",
        ));
    }
    let fail = |rc: c_int| {
        let code = wsa_from_eai(
            rc,
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        );
        err(code, format!("getnameinfo: {}", wsa_error_name(code)))
    };
    let host_text = if !host {
        None
    } else if flags & NI_NUMERICHOST != 0 {
        Some(numeric_host(a))
    } else {
        let g = ni_flags_to_glibc(flags & (NI_NOFQDN | NI_DGRAM)) | libc::NI_NAMEREQD;
        match glibc_nameinfo(a, true, g) {
            Ok(name) => Some(name),
            Err(libc::EAI_NONAME) if flags & NI_NAMEREQD == 0 => Some(numeric_host(a)),
            Err(rc) => return Err(fail(rc)),
        }
    };
    let serv_text = if !serv {
        None
    } else {
        let port = match a {
            WinAddr::V4(v4) => u16::from_be(v4.sin_port),
            WinAddr::V6(v6) => u16::from_be(v6.sin6_port),
        };
        if flags & NI_NUMERICSERV != 0 {
            Some(port.to_string())
        } else {
            Some(glibc_nameinfo(a, false, ni_flags_to_glibc(flags & NI_DGRAM)).map_err(fail)?)
        }
    };
    Ok((host_text, serv_text))
}

// ---------------------------------------------------------------------------
// gethostname, gethostbyname, gethostbyaddr

/// The machine's host name (`gethostname`), at most 255 bytes.
pub fn host_name() -> Result<Vec<u8>> {
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its length.
    if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } != 0 {
        return Err(Error::from_errno(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            "gethostname",
        ));
    }
    let n = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    Ok(buf[..n].to_vec())
}

/// A host's entry before it is laid out as a `HOSTENT`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Host {
    pub name: Vec<u8>,
    pub aliases: Vec<Vec<u8>>,
    /// Windows family (AF_INET or AF_INET6).
    pub family: i16,
    /// Each address, 4 or 16 bytes in network order.
    pub addrs: Vec<Vec<u8>>,
}

/// Copies a NULL-terminated `char **` list.
///
/// # Safety
/// `list` is NULL or a NULL-terminated array of C strings.
unsafe fn string_list(list: *mut *mut c_char) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if list.is_null() {
        return out;
    }
    let mut k = 0;
    loop {
        // SAFETY: the array is NULL-terminated per the contract.
        let p = unsafe { *list.add(k) };
        if p.is_null() {
            return out;
        }
        // SAFETY: each element is a C string.
        out.push(unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes().to_vec());
        k += 1;
    }
}

/// Runs a glibc `*_r` call with a growing scratch buffer: `call(buf, len)`
/// returns the call's result code; `ERANGE` asks for more room.
fn with_scratch<R>(mut call: impl FnMut(*mut c_char, usize) -> (c_int, R)) -> Result<R> {
    let mut buf: Vec<c_char> = vec![0; 1024];
    loop {
        let (rc, r) = call(buf.as_mut_ptr(), buf.len());
        if rc != libc::ERANGE {
            return Ok(r);
        }
        if buf.len() >= MAX_DB_BUFFER {
            return Err(err(WSANO_RECOVERY, "the resolver's answer is too large"));
        }
        buf.resize(buf.len() * 2, 0);
    }
}

/// Converts glibc's `hostent` (or its `h_errno`) into [`Host`].
///
/// # Safety
/// `found` is NULL or a valid hostent whose pointers are still valid.
unsafe fn host_from_glibc(found: *mut libc::hostent, h_errno: c_int, what: &str) -> Result<Host> {
    if found.is_null() {
        let code = wsa_from_h_errno(h_errno);
        return Err(err(code, format!("{what}: {}", wsa_error_name(code))));
    }
    // SAFETY: non-null and valid per the contract.
    let h = unsafe { &*found };
    let family = windows_family(h.h_addrtype).ok_or_else(|| {
        err(
            WSANO_DATA,
            format!("{what}: address type {} is not IP", h.h_addrtype),
        )
    })?;
    let len = h.h_length as usize;
    let mut addrs = Vec::new();
    let mut k = 0;
    loop {
        // SAFETY: h_addr_list is a NULL-terminated array of h_length-byte addresses.
        let p = unsafe { *h.h_addr_list.add(k) };
        if p.is_null() {
            break;
        }
        // SAFETY: as above.
        addrs.push(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) }.to_vec());
        k += 1;
    }
    Ok(Host {
        // SAFETY: h_name is a C string.
        name: unsafe { std::ffi::CStr::from_ptr(h.h_name) }
            .to_bytes()
            .to_vec(),
        // SAFETY: h_aliases is a NULL-terminated list of C strings.
        aliases: unsafe { string_list(h.h_aliases) },
        family,
        addrs,
    })
}

/// `gethostbyname`: NULL or "" is the local host name; a name made of
/// digits and dots is taken as an IPv4 address without a lookup (`h_name`
/// is the text itself), or `WSANO_DATA` when it is not a valid one; IPv6
/// text is `WSANO_DATA` too; anything else is looked up for IPv4 only
/// (Microsoft's gethostbyname page).
pub fn gethostbyname(name: Option<&[u8]>) -> Result<Host> {
    let name = match name {
        None | Some([]) => host_name()?,
        Some(n) => n.to_vec(),
    };
    if name.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return match addrstr::inet_addr(&name) {
            Some(addr) => Ok(Host {
                name,
                aliases: Vec::new(),
                family: AF_INET as i16,
                addrs: vec![addr.to_vec()],
            }),
            None => Err(err(WSANO_DATA, "the name is not a valid IPv4 address")),
        };
    }
    if addrstr::inet_pton6(&name).ret == 1 {
        return Err(err(
            WSANO_DATA,
            "gethostbyname returns IPv4 entries only; this is IPv6 text",
        ));
    }
    let c_name = CString::new(name).map_err(|_| err(WSAHOST_NOT_FOUND, "name holds a NUL"))?;
    // SAFETY: plain data; zero is valid.
    let mut ret: libc::hostent = unsafe { std::mem::zeroed() };
    let (found, h_errno) = with_scratch(|buf, len| {
        let mut found = std::ptr::null_mut();
        let mut h_errno = 0;
        // SAFETY: every pointer is valid for the call; buf for len bytes.
        let rc = unsafe {
            gethostbyname_r(
                c_name.as_ptr(),
                &mut ret,
                buf,
                len,
                &mut found,
                &mut h_errno,
            )
        };
        if found.is_null() {
            (rc, (None, h_errno))
        } else {
            // SAFETY: found points into ret/buf, still alive here.
            (
                rc,
                (
                    Some(unsafe { host_from_glibc(found, 0, "gethostbyname") }),
                    0,
                ),
            )
        }
    })?;
    match found {
        Some(host) => host,
        // SAFETY: a NULL hostent only reads h_errno.
        None => unsafe { host_from_glibc(std::ptr::null_mut(), h_errno, "gethostbyname") },
    }
}

/// `gethostbyaddr`: `addr` of `len` bytes, family `family` (Windows).
/// AF_INET needs 4 bytes (`WSAEFAULT`), AF_INET6 exactly 16 (`WSAEINVAL`);
/// other families are `WSAEAFNOSUPPORT` (Microsoft's gethostbyaddr page).
pub fn gethostbyaddr(addr: &[u8], family: i32) -> Result<Host> {
    let linux = match family {
        AF_INET if addr.len() < 4 => {
            return Err(err(
                WSAEFAULT,
                format!("len {} is too small for AF_INET", addr.len()),
            ));
        }
        AF_INET => libc::AF_INET,
        AF_INET6 if addr.len() != 16 => {
            return Err(err(
                WSAEINVAL,
                format!("len {} is not 16 for AF_INET6", addr.len()),
            ));
        }
        AF_INET6 => libc::AF_INET6,
        other => {
            return Err(err(
                WSAEAFNOSUPPORT,
                format!("type {other} is not AF_INET or AF_INET6"),
            ));
        }
    };
    let addr = if linux == libc::AF_INET {
        &addr[..4]
    } else {
        addr
    };
    // SAFETY: plain data; zero is valid.
    let mut ret: libc::hostent = unsafe { std::mem::zeroed() };
    let (found, h_errno) = with_scratch(|buf, len| {
        let mut found = std::ptr::null_mut();
        let mut h_errno = 0;
        // SAFETY: every pointer is valid for the call; buf for len bytes.
        let rc = unsafe {
            gethostbyaddr_r(
                addr.as_ptr().cast(),
                addr.len() as libc::socklen_t,
                linux,
                &mut ret,
                buf,
                len,
                &mut found,
                &mut h_errno,
            )
        };
        if found.is_null() {
            (rc, (None, h_errno))
        } else {
            // SAFETY: found points into ret/buf, still alive here.
            (
                rc,
                (
                    Some(unsafe { host_from_glibc(found, 0, "gethostbyaddr") }),
                    0,
                ),
            )
        }
    })?;
    match found {
        Some(host) => host,
        // SAFETY: a NULL hostent only reads h_errno.
        None => unsafe { host_from_glibc(std::ptr::null_mut(), h_errno, "gethostbyaddr") },
    }
}

// ---------------------------------------------------------------------------
// getservbyname, getservbyport

/// A service's entry before it is laid out as a `SERVENT`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Service {
    pub name: Vec<u8>,
    pub aliases: Vec<Vec<u8>>,
    /// Network order, as in `SERVENT.s_port`.
    pub port: u16,
    pub proto: Vec<u8>,
}

fn lower(text: &[u8]) -> Result<CString> {
    CString::new(text.to_ascii_lowercase()).map_err(|_| err(WSANO_DATA, "name holds a NUL"))
}

/// Runs `getservbyname_r`/`getservbyport_r`; `None` found is `WSANO_DATA`.
fn service_lookup(
    what: &str,
    mut call: impl FnMut(*mut libc::servent, *mut c_char, usize, *mut *mut libc::servent) -> c_int,
) -> Result<Service> {
    // SAFETY: plain data; zero is valid.
    let mut ret: libc::servent = unsafe { std::mem::zeroed() };
    let found = with_scratch(|buf, len| {
        let mut found: *mut libc::servent = std::ptr::null_mut();
        let rc = call(&mut ret, buf, len, &mut found);
        if found.is_null() {
            return (rc, None);
        }
        // SAFETY: found points into ret/buf, alive until this closure returns.
        let s = unsafe { &*found };
        (
            rc,
            Some(Service {
                // SAFETY: s_name and s_proto are C strings, s_aliases a NULL-terminated list.
                name: unsafe { std::ffi::CStr::from_ptr(s.s_name) }
                    .to_bytes()
                    .to_vec(),
                aliases: unsafe { string_list(s.s_aliases) },
                port: s.s_port as u16,
                proto: unsafe { std::ffi::CStr::from_ptr(s.s_proto) }
                    .to_bytes()
                    .to_vec(),
            }),
        )
    })?;
    found.ok_or_else(|| err(WSANO_DATA, format!("{what}: no such service")))
}

/// `getservbyname`: names compared without regard to case; a NULL or empty
/// protocol matches any.
pub fn getservbyname(name: &[u8], proto: Option<&[u8]>) -> Result<Service> {
    let c_name = lower(name)?;
    let c_proto = proto.filter(|p| !p.is_empty()).map(lower).transpose()?;
    service_lookup("getservbyname", |ret, buf, len, found| {
        let proto = c_proto.as_ref().map_or(std::ptr::null(), |p| p.as_ptr());
        // SAFETY: strings NUL-terminated; ret, buf (len bytes), found valid.
        unsafe { getservbyname_r(c_name.as_ptr(), proto, ret, buf, len, found) }
    })
}

/// `getservbyport`: `port` in network order (the low 16 bits count).
pub fn getservbyport(port: i32, proto: Option<&[u8]>) -> Result<Service> {
    let c_proto = proto.filter(|p| !p.is_empty()).map(lower).transpose()?;
    let port = c_int::from(port as u16);
    service_lookup("getservbyport", |ret, buf, len, found| {
        let proto = c_proto.as_ref().map_or(std::ptr::null(), |p| p.as_ptr());
        // SAFETY: string NUL-terminated; ret, buf (len bytes), found valid.
        unsafe { getservbyport_r(port, proto, ret, buf, len, found) }
    })
}

#[cfg(test)]
mod tests;
