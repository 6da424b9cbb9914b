//! Name resolution as 64-bit Windows defines it (SPEC P2): `ADDRINFOA`,
//! `ADDRINFOW`, `ADDRINFOEXA/W`, `HOSTENT`, `SERVENT`, `PROTOENT`; the
//! `AI_*`, `NI_*`, `EAI_*`, `NS_*` numbers; the translation of flags and
//! error codes between Windows' numbering and glibc's; Windows' own protocol
//! database; and the texts `gai_strerror` gives. No I/O happens here.
//!
//! The traps this module exists for: `ADDRINFOA` has `ai_addrlen` as a
//! `size_t` and `ai_canonname` *before* `ai_addr` (glibc's order is the
//! other way round); `AI_*`/`NI_*` bits differ from glibc's; `EAI_*` are the
//! positive WSA codes; `HOSTENT`'s type and length are `short`; `SERVENT`
//! on 64-bit Windows has `s_proto` before `s_port`.

use core::ffi::{c_char, c_int, c_void};

use crate::consts::*;
use crate::types::{GUID, SOCKADDR};

// ---------------------------------------------------------------------------
// Error codes the resolver returns (winerror.h / winsock2.h).

pub const WSATYPE_NOT_FOUND: i32 = 10109;
pub const WSAHOST_NOT_FOUND: i32 = 11001;
pub const WSATRY_AGAIN: i32 = 11002;
pub const WSANO_RECOVERY: i32 = 11003;
pub const WSANO_DATA: i32 = 11004;

/// `EAI_*` (ws2tcpip.h): each one *is* a WSA code, and getaddrinfo stores
/// it as the last error too.
pub const EAI_AGAIN: i32 = WSATRY_AGAIN;
pub const EAI_BADFLAGS: i32 = WSAEINVAL;
pub const EAI_FAIL: i32 = WSANO_RECOVERY;
pub const EAI_FAMILY: i32 = WSAEAFNOSUPPORT;
pub const EAI_MEMORY: i32 = WSA_NOT_ENOUGH_MEMORY;
pub const EAI_NOSECURENAME: i32 = 11032;
pub const EAI_NONAME: i32 = WSAHOST_NOT_FOUND;
pub const EAI_SERVICE: i32 = WSATYPE_NOT_FOUND;
pub const EAI_SOCKTYPE: i32 = WSAESOCKTNOSUPPORT;
pub const EAI_IPSECPOLICY: i32 = 11033;
/// The SDK keeps `EAI_NODATA` as an alias of `EAI_NONAME` (dropped from
/// RFC 2553bis); getaddrinfo can still *return* `WSANO_DATA`.
pub const EAI_NODATA: i32 = EAI_NONAME;

// ---------------------------------------------------------------------------
// AI_* (ws2def.h): Windows' bits, not glibc's.

pub const AI_PASSIVE: i32 = 0x0000_0001;
pub const AI_CANONNAME: i32 = 0x0000_0002;
pub const AI_NUMERICHOST: i32 = 0x0000_0004;
pub const AI_NUMERICSERV: i32 = 0x0000_0008;
pub const AI_DNS_ONLY: i32 = 0x0000_0010;
pub const AI_FORCE_CLEAR_TEXT: i32 = 0x0000_0020;
pub const AI_BYPASS_DNS_CACHE: i32 = 0x0000_0040;
pub const AI_RETURN_TTL: i32 = 0x0000_0080;
pub const AI_ALL: i32 = 0x0000_0100;
pub const AI_ADDRCONFIG: i32 = 0x0000_0400;
pub const AI_V4MAPPED: i32 = 0x0000_0800;
pub const AI_NON_AUTHORITATIVE: i32 = 0x0000_4000;
pub const AI_SECURE: i32 = 0x0000_8000;
pub const AI_RETURN_PREFERRED_NAMES: i32 = 0x0001_0000;
pub const AI_FQDN: i32 = 0x0002_0000;
pub const AI_FILESERVER: i32 = 0x0004_0000;
pub const AI_DISABLE_IDN_ENCODING: i32 = 0x0008_0000;
pub const AI_SECURE_WITH_FALLBACK: i32 = 0x0010_0000;
pub const AI_EXCLUSIVE_CUSTOM_SERVERS: i32 = 0x0020_0000;
pub const AI_RETURN_RESPONSE_FLAGS: i32 = 0x1000_0000;
pub const AI_REQUIRE_SECURE: i32 = 0x2000_0000;
pub const AI_RESOLUTION_HANDLE: i32 = 0x4000_0000;
pub const AI_EXTENDED: i32 = 0x8000_0000_u32 as i32;

/// Every bit Windows defines for `ai_flags`; any other bit is
/// `EAI_BADFLAGS`.
pub const AI_KNOWN_FLAGS: i32 = AI_PASSIVE
    | AI_CANONNAME
    | AI_NUMERICHOST
    | AI_NUMERICSERV
    | AI_DNS_ONLY
    | AI_FORCE_CLEAR_TEXT
    | AI_BYPASS_DNS_CACHE
    | AI_RETURN_TTL
    | AI_ALL
    | AI_ADDRCONFIG
    | AI_V4MAPPED
    | AI_NON_AUTHORITATIVE
    | AI_SECURE
    | AI_RETURN_PREFERRED_NAMES
    | AI_FQDN
    | AI_FILESERVER
    | AI_DISABLE_IDN_ENCODING
    | AI_SECURE_WITH_FALLBACK
    | AI_EXCLUSIVE_CUSTOM_SERVERS
    | AI_RETURN_RESPONSE_FLAGS
    | AI_REQUIRE_SECURE
    | AI_RESOLUTION_HANDLE
    | AI_EXTENDED;

// ---------------------------------------------------------------------------
// NI_* (ws2def.h) and sizes.

pub const NI_NOFQDN: i32 = 0x01;
pub const NI_NUMERICHOST: i32 = 0x02;
pub const NI_NAMEREQD: i32 = 0x04;
pub const NI_NUMERICSERV: i32 = 0x08;
pub const NI_DGRAM: i32 = 0x10;
pub const NI_KNOWN_FLAGS: i32 =
    NI_NOFQDN | NI_NUMERICHOST | NI_NAMEREQD | NI_NUMERICSERV | NI_DGRAM;
pub const NI_MAXHOST: usize = 1025;
pub const NI_MAXSERV: usize = 32;

/// ws2ipdef.h: room for "255.255.255.255:65535" and for
/// "[ffff:...:255.255.255.255%4294967295]:65535" with the NUL.
pub const INET_ADDRSTRLEN: usize = 22;
pub const INET6_ADDRSTRLEN: usize = 65;
pub const GAI_STRERROR_BUFFER_SIZE: usize = 1024;
pub const MAXGETHOSTSTRUCT: usize = 1024;

// ---------------------------------------------------------------------------
// Name spaces (GetAddrInfoEx) and ADDRINFOEX versions.

pub const NS_ALL: u32 = 0;
pub const NS_SAP: u32 = 1;
pub const NS_NDS: u32 = 2;
pub const NS_PEER_BROWSE: u32 = 3;
pub const NS_SLP: u32 = 5;
pub const NS_DHCP: u32 = 6;
pub const NS_TCPIP_LOCAL: u32 = 10;
pub const NS_TCPIP_HOSTS: u32 = 11;
pub const NS_DNS: u32 = 12;
pub const NS_NETBT: u32 = 13;
pub const NS_WINS: u32 = 14;
pub const NS_NLA: u32 = 15;
pub const NS_BTH: u32 = 16;
pub const NS_NTDS: u32 = 32;
pub const NS_EMAIL: u32 = 37;

// ---------------------------------------------------------------------------
// Structures.

/// `ADDRINFOA` (`struct addrinfo`): 48 bytes. `ai_addrlen` is a `size_t`
/// and `ai_canonname` comes before `ai_addr`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ADDRINFOA {
    pub ai_flags: c_int,
    pub ai_family: c_int,
    pub ai_socktype: c_int,
    pub ai_protocol: c_int,
    pub ai_addrlen: usize,
    pub ai_canonname: *mut c_char,
    pub ai_addr: *mut SOCKADDR,
    pub ai_next: *mut ADDRINFOA,
}

/// `ADDRINFOW` (`struct addrinfoW`): `ADDRINFOA` with a UTF-16 name.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ADDRINFOW {
    pub ai_flags: c_int,
    pub ai_family: c_int,
    pub ai_socktype: c_int,
    pub ai_protocol: c_int,
    pub ai_addrlen: usize,
    pub ai_canonname: *mut u16,
    pub ai_addr: *mut SOCKADDR,
    pub ai_next: *mut ADDRINFOW,
}

/// `ADDRINFOEXA`: 72 bytes (blob, blob length and provider before `ai_next`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ADDRINFOEXA {
    pub ai_flags: c_int,
    pub ai_family: c_int,
    pub ai_socktype: c_int,
    pub ai_protocol: c_int,
    pub ai_addrlen: usize,
    pub ai_canonname: *mut c_char,
    pub ai_addr: *mut SOCKADDR,
    pub ai_blob: *mut c_void,
    pub ai_bloblen: usize,
    pub ai_provider: *mut GUID,
    pub ai_next: *mut ADDRINFOEXA,
}

/// `ADDRINFOEXW`: `ADDRINFOEXA` with a UTF-16 name.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ADDRINFOEXW {
    pub ai_flags: c_int,
    pub ai_family: c_int,
    pub ai_socktype: c_int,
    pub ai_protocol: c_int,
    pub ai_addrlen: usize,
    pub ai_canonname: *mut u16,
    pub ai_addr: *mut SOCKADDR,
    pub ai_blob: *mut c_void,
    pub ai_bloblen: usize,
    pub ai_provider: *mut GUID,
    pub ai_next: *mut ADDRINFOEXW,
}

/// `HOSTENT`: 32 bytes; `h_addrtype` and `h_length` are `short`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct HOSTENT {
    pub h_name: *mut c_char,
    pub h_aliases: *mut *mut c_char,
    pub h_addrtype: i16,
    pub h_length: i16,
    pub h_addr_list: *mut *mut c_char,
}

/// `SERVENT` in its 64-bit layout: `s_proto` at 16, the `short` port (network
/// order) at 24. 32 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SERVENT {
    pub s_name: *mut c_char,
    pub s_aliases: *mut *mut c_char,
    pub s_proto: *mut c_char,
    pub s_port: i16,
}

/// `PROTOENT`: `p_proto` is a `short`. 24 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PROTOENT {
    pub p_name: *mut c_char,
    pub p_aliases: *mut *mut c_char,
    pub p_proto: i16,
}

// ---------------------------------------------------------------------------
// Flag and error translation (Windows <-> glibc).

/// `(Windows bit, glibc bit)` for the `AI_*` flags glibc understands.
pub const AI_FLAG_MAP: [(i32, i32); 7] = [
    (AI_PASSIVE, libc::AI_PASSIVE),
    (AI_CANONNAME, libc::AI_CANONNAME),
    (AI_NUMERICHOST, libc::AI_NUMERICHOST),
    (AI_NUMERICSERV, libc::AI_NUMERICSERV),
    (AI_ALL, libc::AI_ALL),
    (AI_ADDRCONFIG, libc::AI_ADDRCONFIG),
    (AI_V4MAPPED, libc::AI_V4MAPPED),
];

/// `(Windows bit, glibc bit)` for every `NI_*` flag.
pub const NI_FLAG_MAP: [(i32, i32); 5] = [
    (NI_NOFQDN, libc::NI_NOFQDN),
    (NI_NUMERICHOST, libc::NI_NUMERICHOST),
    (NI_NAMEREQD, libc::NI_NAMEREQD),
    (NI_NUMERICSERV, libc::NI_NUMERICSERV),
    (NI_DGRAM, libc::NI_DGRAM),
];

fn translate(flags: i32, map: &[(i32, i32)], from_windows: bool) -> i32 {
    map.iter().fold(0, |out, &(win, gnu)| {
        let (from, to) = if from_windows { (win, gnu) } else { (gnu, win) };
        if flags & from != 0 { out | to } else { out }
    })
}

/// glibc's `ai_flags` for Windows' `ai_flags`. Bits glibc has no
/// equivalent for (`AI_DNS_ONLY`, `AI_FQDN`, ...) are dropped: they are
/// hints or name-space options that the system resolver does not take.
pub fn ai_flags_to_glibc(windows: i32) -> i32 {
    translate(windows, &AI_FLAG_MAP, true)
}

/// Windows' `ai_flags` for glibc's.
pub fn ai_flags_from_glibc(glibc: i32) -> i32 {
    translate(glibc, &AI_FLAG_MAP, false)
}

/// glibc's `NI_*` flags for Windows' (the caller has rejected unknown bits).
pub fn ni_flags_to_glibc(windows: i32) -> i32 {
    translate(windows, &NI_FLAG_MAP, true)
}

/// Windows' `NI_*` flags for glibc's.
pub fn ni_flags_from_glibc(glibc: i32) -> i32 {
    translate(glibc, &NI_FLAG_MAP, false)
}

/// The Windows code (= `EAI_*`) for a glibc `getaddrinfo`/`getnameinfo`
/// result. `errno` is consulted for `EAI_SYSTEM` only.
pub fn wsa_from_eai(eai: i32, errno: i32) -> i32 {
    match eai {
        0 => 0,
        libc::EAI_BADFLAGS => EAI_BADFLAGS,
        libc::EAI_NONAME => WSAHOST_NOT_FOUND,
        libc::EAI_AGAIN => WSATRY_AGAIN,
        libc::EAI_FAIL => WSANO_RECOVERY,
        // The name exists but has no address (of the asked family).
        libc::EAI_NODATA | EAI_ADDRFAMILY_GLIBC => WSANO_DATA,
        libc::EAI_FAMILY => WSAEAFNOSUPPORT,
        libc::EAI_SOCKTYPE => WSAESOCKTNOSUPPORT,
        libc::EAI_SERVICE => WSATYPE_NOT_FOUND,
        libc::EAI_MEMORY => WSA_NOT_ENOUGH_MEMORY,
        // A result that does not fit the caller's buffer.
        libc::EAI_OVERFLOW => WSAEFAULT,
        // A name libidn2 cannot convert (or no libidn2): unknown, as
        // Windows 7 answered for non-ASCII names.
        EAI_IDN_ENCODE_GLIBC => WSAHOST_NOT_FOUND,
        libc::EAI_SYSTEM if errno == 0 => WSAHOST_NOT_FOUND,
        libc::EAI_SYSTEM => crate::errors::wsa_from_errno(errno),
        _ => WSANO_RECOVERY,
    }
}

/// glibc's `EAI_ADDRFAMILY` (not exported by the `libc` crate).
pub const EAI_ADDRFAMILY_GLIBC: i32 = -9;
/// glibc's `EAI_IDN_ENCODE` (not exported by the `libc` crate).
pub const EAI_IDN_ENCODE_GLIBC: i32 = -105;

/// glibc's `h_errno` values (netdb.h).
pub const GLIBC_HOST_NOT_FOUND: i32 = 1;
pub const GLIBC_TRY_AGAIN: i32 = 2;
pub const GLIBC_NO_RECOVERY: i32 = 3;
pub const GLIBC_NO_DATA: i32 = 4;

/// The Windows code for glibc's `h_errno` after `gethostbyname_r` and friends.
pub fn wsa_from_h_errno(h_errno: i32) -> i32 {
    match h_errno {
        GLIBC_HOST_NOT_FOUND => WSAHOST_NOT_FOUND,
        GLIBC_TRY_AGAIN => WSATRY_AGAIN,
        GLIBC_NO_DATA => WSANO_DATA,
        _ => WSANO_RECOVERY,
    }
}

/// The text `gai_strerror` returns for a code: the system message for it
/// (`crate::messages`), as `FormatMessage(FORMAT_MESSAGE_MAX_WIDTH_MASK)`
/// gives it, which is how the SDK's `gai_strerror` makes it: the message's
/// closing line break becomes one space (kernel32's
/// `test_message_from_string_wide` records that rule). A code without a
/// message gets an unknown-error text.
pub fn gai_error_text(code: i32) -> String {
    match crate::messages::system_message(code as u32) {
        Some(text) => format!("{text} "),
        None => format!("Unknown error {code}. "),
    }
}

// ---------------------------------------------------------------------------
// Windows' protocol database (what getprotobyname/getprotobynumber answer).

/// One row of Windows' protocol table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protocol {
    pub number: i16,
    pub name: &'static str,
    pub alias: &'static str,
}

const fn proto(number: i16, name: &'static str, alias: &'static str) -> Protocol {
    Protocol {
        number,
        name,
        alias,
    }
}

/// The 19 entries Windows' `%WINDIR%\system32\drivers\etc\protocol` has
/// (Wine's `test_getprotobyname`/`test_getprotobynumber` record them).
/// glibc's `/etc/protocols` differs (igmp, no rvd, other aliases), so this
/// table, not the system's, answers.
pub const PROTOCOLS: [Protocol; 19] = [
    proto(0, "ip", "IP"),
    proto(1, "icmp", "ICMP"),
    proto(3, "ggp", "GGP"),
    proto(6, "tcp", "TCP"),
    proto(8, "egp", "EGP"),
    proto(12, "pup", "PUP"),
    proto(17, "udp", "UDP"),
    proto(20, "hmp", "HMP"),
    proto(22, "xns-idp", "XNS-IDP"),
    proto(27, "rdp", "RDP"),
    proto(41, "ipv6", "IPv6"),
    proto(43, "ipv6-route", "IPv6-Route"),
    proto(44, "ipv6-frag", "IPv6-Frag"),
    proto(50, "esp", "ESP"),
    proto(51, "ah", "AH"),
    proto(58, "ipv6-icmp", "IPv6-ICMP"),
    proto(59, "ipv6-nonxt", "IPv6-NoNxt"),
    proto(60, "ipv6-opts", "IPv6-Opts"),
    proto(66, "rvd", "RVD"),
];

/// The entry whose name or alias matches `name`, ignoring ASCII case (as
/// Windows does: "IPV6-ROUTE" finds ipv6-route).
pub fn protocol_by_name(name: &[u8]) -> Option<&'static Protocol> {
    PROTOCOLS.iter().find(|p| {
        p.name.as_bytes().eq_ignore_ascii_case(name)
            || p.alias.as_bytes().eq_ignore_ascii_case(name)
    })
}

/// The entry for a protocol number; `None` for every number not in the table.
pub fn protocol_by_number(number: i32) -> Option<&'static Protocol> {
    PROTOCOLS.iter().find(|p| i32::from(p.number) == number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn structures_have_the_64_bit_windows_layout() {
        // P2: ai_addrlen is a size_t, ai_canonname before ai_addr.
        assert_eq!(size_of::<ADDRINFOA>(), 48);
        assert_eq!(offset_of!(ADDRINFOA, ai_flags), 0);
        assert_eq!(offset_of!(ADDRINFOA, ai_family), 4);
        assert_eq!(offset_of!(ADDRINFOA, ai_socktype), 8);
        assert_eq!(offset_of!(ADDRINFOA, ai_protocol), 12);
        assert_eq!(offset_of!(ADDRINFOA, ai_addrlen), 16);
        assert_eq!(offset_of!(ADDRINFOA, ai_canonname), 24);
        assert_eq!(offset_of!(ADDRINFOA, ai_addr), 32);
        assert_eq!(offset_of!(ADDRINFOA, ai_next), 40);
        assert_eq!(size_of::<ADDRINFOW>(), 48);
        assert_eq!(offset_of!(ADDRINFOW, ai_addrlen), 16);
        assert_eq!(offset_of!(ADDRINFOW, ai_canonname), 24);
        assert_eq!(offset_of!(ADDRINFOW, ai_addr), 32);
        assert_eq!(offset_of!(ADDRINFOW, ai_next), 40);
        for (size, blob, bloblen, provider, next) in [
            (
                size_of::<ADDRINFOEXW>(),
                offset_of!(ADDRINFOEXW, ai_blob),
                offset_of!(ADDRINFOEXW, ai_bloblen),
                offset_of!(ADDRINFOEXW, ai_provider),
                offset_of!(ADDRINFOEXW, ai_next),
            ),
            (
                size_of::<ADDRINFOEXA>(),
                offset_of!(ADDRINFOEXA, ai_blob),
                offset_of!(ADDRINFOEXA, ai_bloblen),
                offset_of!(ADDRINFOEXA, ai_provider),
                offset_of!(ADDRINFOEXA, ai_next),
            ),
        ] {
            assert_eq!((size, blob, bloblen, provider, next), (72, 40, 48, 56, 64));
        }
        assert_eq!(size_of::<HOSTENT>(), 32);
        assert_eq!(offset_of!(HOSTENT, h_aliases), 8);
        assert_eq!(offset_of!(HOSTENT, h_addrtype), 16);
        assert_eq!(offset_of!(HOSTENT, h_length), 18);
        assert_eq!(offset_of!(HOSTENT, h_addr_list), 24);
        assert_eq!(size_of::<SERVENT>(), 32);
        assert_eq!(offset_of!(SERVENT, s_aliases), 8);
        assert_eq!(offset_of!(SERVENT, s_proto), 16);
        assert_eq!(offset_of!(SERVENT, s_port), 24);
        assert_eq!(size_of::<PROTOENT>(), 24);
        assert_eq!(offset_of!(PROTOENT, p_proto), 16);
        assert_eq!(align_of::<ADDRINFOA>(), 8);
    }

    #[test]
    fn numbers_are_windows_not_glibc() {
        // P2
        assert_eq!(
            (AI_NUMERICSERV, AI_ALL, AI_ADDRCONFIG, AI_V4MAPPED),
            (0x8, 0x100, 0x400, 0x800)
        );
        assert_eq!(
            (
                NI_NOFQDN,
                NI_NUMERICHOST,
                NI_NAMEREQD,
                NI_NUMERICSERV,
                NI_DGRAM
            ),
            (1, 2, 4, 8, 16)
        );
        assert_eq!((EAI_NONAME, EAI_AGAIN, EAI_FAIL), (11001, 11002, 11003));
        assert_eq!(
            (EAI_SERVICE, EAI_FAMILY, EAI_SOCKTYPE),
            (10109, 10047, 10044)
        );
        assert_eq!((EAI_BADFLAGS, EAI_MEMORY, EAI_NODATA), (10022, 8, 11001));
        assert_eq!((INET_ADDRSTRLEN, INET6_ADDRSTRLEN), (22, 65));
    }

    #[test]
    fn flags_translate_both_ways() {
        // P2
        let all_win = AI_FLAG_MAP.iter().fold(0, |a, m| a | m.0);
        let all_gnu = AI_FLAG_MAP.iter().fold(0, |a, m| a | m.1);
        assert_eq!(ai_flags_to_glibc(all_win), all_gnu);
        assert_eq!(ai_flags_from_glibc(all_gnu), all_win);
        assert_eq!(ai_flags_to_glibc(AI_NUMERICSERV), libc::AI_NUMERICSERV);
        assert_eq!(
            ai_flags_to_glibc(AI_V4MAPPED | AI_ALL),
            libc::AI_V4MAPPED | libc::AI_ALL
        );
        assert_eq!(ai_flags_to_glibc(AI_FQDN | AI_DNS_ONLY), 0);
        for &(win, gnu) in &NI_FLAG_MAP {
            assert_eq!(ni_flags_to_glibc(win), gnu);
            assert_eq!(ni_flags_from_glibc(gnu), win);
        }
        assert_eq!(
            AI_KNOWN_FLAGS & 0x0000_3200,
            0,
            "undefined bits stay unknown"
        );
    }

    #[test]
    fn glibc_errors_map_to_wsa_codes() {
        // P2
        assert_eq!(wsa_from_eai(libc::EAI_NONAME, 0), WSAHOST_NOT_FOUND);
        assert_eq!(wsa_from_eai(libc::EAI_SERVICE, 0), WSATYPE_NOT_FOUND);
        assert_eq!(wsa_from_eai(libc::EAI_SOCKTYPE, 0), WSAESOCKTNOSUPPORT);
        assert_eq!(wsa_from_eai(libc::EAI_FAMILY, 0), WSAEAFNOSUPPORT);
        assert_eq!(wsa_from_eai(libc::EAI_AGAIN, 0), WSATRY_AGAIN);
        assert_eq!(wsa_from_eai(libc::EAI_NODATA, 0), WSANO_DATA);
        assert_eq!(wsa_from_eai(libc::EAI_SYSTEM, libc::ENOMEM), WSAENOBUFS);
        assert_eq!(wsa_from_eai(EAI_IDN_ENCODE_GLIBC, 0), WSAHOST_NOT_FOUND);
        assert_eq!(wsa_from_h_errno(GLIBC_HOST_NOT_FOUND), WSAHOST_NOT_FOUND);
        assert_eq!(wsa_from_h_errno(GLIBC_NO_DATA), WSANO_DATA);
    }

    #[test]
    fn protocol_table_is_windows_and_case_insensitive() {
        // P2: Wine's test_getprotobyname / test_getprotobynumber.
        for p in &PROTOCOLS {
            assert_eq!(protocol_by_name(p.name.as_bytes()), Some(p));
            assert_eq!(protocol_by_name(p.alias.as_bytes()), Some(p));
            assert_eq!(
                protocol_by_name(p.name.to_ascii_uppercase().as_bytes()),
                Some(p)
            );
            assert_eq!(protocol_by_number(i32::from(p.number)), Some(p));
        }
        let known: Vec<i32> = PROTOCOLS.iter().map(|p| i32::from(p.number)).collect();
        for n in -1..=256 {
            assert_eq!(protocol_by_number(n).is_some(), known.contains(&n), "{n}");
        }
        assert!(protocol_by_name(b"igmp").is_none());
        assert_eq!(protocol_by_number(66).map(|p| p.alias), Some("RVD"));
    }

    #[test]
    fn gai_texts_end_like_format_message_max_width() {
        assert_eq!(gai_error_text(EAI_NONAME), "The host name is not known. ");
        assert_eq!(gai_error_text(12345), "Unknown error 12345. ");
        assert!(gai_error_text(EAI_AGAIN).len() < GAI_STRERROR_BUFFER_SIZE);
    }
}
