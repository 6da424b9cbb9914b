//! Target `sockaddr`: socket addresses both ways.
//! - Windows → Rust (what a send reads, S8): `socket_addr_from_windows`
//!   over a `SOCKADDR` of any family, length, port, flow info, scope id,
//!   v4-mapped or not, then `LinuxAddr::new` for an `AF_INET` or
//!   `AF_INET6` socket (what the syscall gets).
//! - Linux → Windows (what a receive writes): a Linux `sockaddr` of any
//!   bytes and `msg_namelen` (`LinuxAddr::to_socket_addr`), then
//!   `socket_addr_to_windows` into a caller buffer of any capacity.
//!
//! Input: `mode: u8` (bit 0: direction, bit 1: AF_INET6 socket, bit 2: a
//! NULL name pointer), `namelen: i32` (Windows → Rust: the name's length;
//! Linux → Windows: `msg_namelen`), `capacity: i32` (`*namelen` of the
//! output), then the address bytes. Every caller buffer is a heap block of
//! exactly its stated length, so ASan reports any byte touched past it.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use ws2_abi::{self as abi, SOCKADDR};
use ws2_engine::Family;
use ws2_engine::translate::{LinuxAddr, socket_addr_from_windows, socket_addr_to_windows};

use crate::input::{Input, Seed, exact};

/// Longest caller buffer built; longer stated lengths get this much.
const MAX_NAME: usize = 4096;
/// The byte the output buffer holds before the call: what ws2 must not touch.
const UNTOUCHED: u8 = 0xa5;

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    let family = if mode & 2 == 0 {
        Family::V4
    } else {
        Family::V6
    };
    let null = mode & 4 != 0;
    let namelen = input.i32();
    let capacity = input.i32();
    let bytes = input.rest();
    let addr = if mode & 1 == 0 {
        windows_to_rust(bytes, namelen, null, family)
    } else {
        linux_to_rust(bytes, namelen as u32)
    };
    if let Some(addr) = addr {
        rust_to_windows(&addr, capacity, null);
    }
}

fn windows_to_rust(bytes: &[u8], namelen: i32, null: bool, family: Family) -> Option<SocketAddr> {
    let name = exact(
        bytes,
        usize::try_from(namelen).map_or(0, |n| n.min(MAX_NAME)),
    );
    let ptr: *const SOCKADDR = if null {
        std::ptr::null()
    } else {
        name.as_ptr().cast()
    };
    // SAFETY: ptr is null or readable for min(namelen, MAX_NAME) bytes, and
    // ws2 reads at most a SOCKADDR_IN6 (28 bytes) whatever namelen says.
    let got = unsafe { socket_addr_from_windows(ptr, namelen) };
    let want = if null {
        Err(abi::WSAEFAULT)
    } else {
        windows_model(&name, namelen)
    };
    assert_eq!(
        got.as_ref().map_err(|e| e.code()),
        want.as_ref().map_err(|&c| c),
        "S8: {got:?}"
    );
    let addr = got.ok()?;

    // The destination as the syscall gets it (S8, S25).
    match (LinuxAddr::new(&addr, family), addr, family) {
        (Err(e), SocketAddr::V6(_), Family::V4) => assert_eq!(e.code(), abi::WSAEAFNOSUPPORT),
        (Ok(linux), SocketAddr::V4(v4), Family::V6) => {
            let mapped = SocketAddrV6::new(v4.ip().to_ipv6_mapped(), v4.port(), 0, 0);
            assert_eq!(linux.to_socket_addr(), Some(SocketAddr::V6(mapped)));
            assert_eq!(linux.len() as usize, size_of::<libc::sockaddr_in6>());
        }
        (Ok(linux), addr, _) => assert_eq!(linux.to_socket_addr(), Some(addr)),
        (got, addr, family) => panic!("LinuxAddr::new({addr}, {family:?}) gave {:?}", got.err()),
    }
    Some(addr)
}

/// S8: a family's whole structure must fit `namelen` (`WSAEFAULT`); only
/// `AF_INET` and `AF_INET6` are addresses (`WSAEAFNOSUPPORT`).
fn windows_model(name: &[u8], namelen: i32) -> Result<SocketAddr, i32> {
    let len = usize::try_from(namelen).unwrap_or(0);
    if len < 2 {
        return Err(abi::WSAEFAULT);
    }
    let u16_at = |i: usize| [name[i], name[i + 1]];
    let u32_at = |i: usize| [name[i], name[i + 1], name[i + 2], name[i + 3]];
    match i32::from(u16::from_ne_bytes(u16_at(0))) {
        abi::AF_INET if len < 16 => Err(abi::WSAEFAULT),
        abi::AF_INET => Ok(SocketAddr::V4(SocketAddrV4::new(
            Ipv4Addr::from(u32_at(4)),
            u16::from_be_bytes(u16_at(2)),
        ))),
        abi::AF_INET6 if len < 28 => Err(abi::WSAEFAULT),
        abi::AF_INET6 => Ok(SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::from(<[u8; 16]>::try_from(&name[8..24]).unwrap()),
            u16::from_be_bytes(u16_at(2)),
            u32::from_be_bytes(u32_at(4)),
            u32::from_ne_bytes(u32_at(24)),
        ))),
        _ => Err(abi::WSAEAFNOSUPPORT),
    }
}

/// A Linux `sockaddr` as `recvmsg`/`getsockname` leave it: any bytes, any
/// `msg_namelen`; an IPv4 or IPv6 address only when the family says so and
/// the length holds the whole structure.
fn linux_to_rust(bytes: &[u8], namelen: u32) -> Option<SocketAddr> {
    let mut linux = LinuxAddr::empty();
    let room = linux.len() as usize;
    let raw = exact(bytes, room);
    // SAFETY: as_mut_ptr is writable for len() (room) bytes.
    unsafe { std::ptr::copy_nonoverlapping(raw.as_ptr(), linux.as_mut_ptr().cast::<u8>(), room) };
    *linux.len_mut() = namelen;
    let got = linux.to_socket_addr();
    let len = namelen as usize;
    let want = match i32::from(u16::from_ne_bytes([raw[0], raw[1]])) {
        libc::AF_INET if len >= size_of::<libc::sockaddr_in>() => {
            Some(SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::from(<[u8; 4]>::try_from(&raw[4..8]).unwrap()),
                u16::from_be_bytes([raw[2], raw[3]]),
            )))
        }
        libc::AF_INET6 if len >= size_of::<libc::sockaddr_in6>() => {
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(<[u8; 16]>::try_from(&raw[8..24]).unwrap()),
                u16::from_be_bytes([raw[2], raw[3]]),
                u32::from_be_bytes(raw[4..8].try_into().unwrap()),
                u32::from_ne_bytes(raw[24..28].try_into().unwrap()),
            )))
        }
        _ => None,
    };
    assert_eq!(
        got,
        want,
        "Linux sockaddr family {:?}, len {namelen}",
        &raw[..2]
    );
    got
}

/// A receive's source into the caller's `name`/`*namelen`: too small →
/// `WSAEFAULT` with nothing written; else exactly a `SOCKADDR_IN` or
/// `SOCKADDR_IN6`, `*namelen` set to its size, and it reads back the same.
fn rust_to_windows(addr: &SocketAddr, capacity: i32, null: bool) {
    let mut name = vec![UNTOUCHED; usize::try_from(capacity).map_or(0, |n| n.min(MAX_NAME))]
        .into_boxed_slice();
    let ptr: *mut SOCKADDR = if null {
        std::ptr::null_mut()
    } else {
        name.as_mut_ptr().cast()
    };
    let mut namelen = capacity;
    // SAFETY: ptr is null or writable for min(capacity, MAX_NAME) bytes, more
    // than the 28 ws2 may write when capacity says more.
    let got = unsafe { socket_addr_to_windows(addr, ptr, &mut namelen) };
    let need = match addr {
        SocketAddr::V4(_) => size_of::<abi::SOCKADDR_IN>(),
        SocketAddr::V6(_) => size_of::<abi::SOCKADDR_IN6>(),
    };
    if null || usize::try_from(capacity).unwrap_or(0) < need {
        assert_eq!(got.map_err(|e| e.code()), Err(abi::WSAEFAULT));
        assert_eq!(namelen, capacity, "namelen written on failure");
        assert!(
            name.iter().all(|&b| b == UNTOUCHED),
            "name written on failure"
        );
        return;
    }
    got.unwrap();
    assert_eq!(namelen as usize, need);
    assert!(
        name[need..].iter().all(|&b| b == UNTOUCHED),
        "wrote past the address"
    );
    if let SocketAddr::V4(_) = addr {
        assert_eq!(name[8..16], [0; 8], "sin_zero");
    }
    // SAFETY: name holds `need` readable bytes.
    let back = unsafe { socket_addr_from_windows(name.as_ptr().cast(), namelen) };
    assert_eq!(back.ok().as_ref(), Some(addr), "round trip");
}

/// Seeds: whole, short, long and NULL names of each family, v4-mapped and
/// link-local IPv6 with scope ids, unknown families (Linux's `AF_INET6` 10
/// among them), and Linux sockaddrs with short and long `msg_namelen`.
pub fn seeds() -> crate::Seeds {
    let sin = |port: u16, a: [u8; 4]| {
        let mut b = (abi::AF_INET as u16).to_ne_bytes().to_vec();
        b.extend_from_slice(&port.to_be_bytes());
        b.extend_from_slice(&a);
        b.extend_from_slice(&[0; 8]);
        b
    };
    let sin6 = |family: u16, port: u16, flow: u32, a: Ipv6Addr, scope: u32| {
        let mut b = family.to_ne_bytes().to_vec();
        b.extend_from_slice(&port.to_be_bytes());
        b.extend_from_slice(&flow.to_be_bytes());
        b.extend_from_slice(&a.octets());
        b.extend_from_slice(&scope.to_ne_bytes());
        b
    };
    let w6 = abi::AF_INET6 as u16;
    let l6 = libc::AF_INET6 as u16;
    let mapped: Ipv6Addr = "::ffff:127.0.0.1".parse().unwrap();
    let link: Ipv6Addr = "fe80::1".parse().unwrap();
    let v4 = sin(5000, [127, 0, 0, 1]);
    let v6 = sin6(w6, 5001, 0, Ipv6Addr::LOCALHOST, 0);
    let mut linux_v4 = v4.clone();
    linux_v4[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
    let cases: Vec<(&str, u8, i32, i32, Vec<u8>)> = vec![
        ("v4", 0, 16, 16, v4.clone()),
        ("v4_storage_len", 0, 128, 128, v4.clone()),
        ("v4_len_15", 0, 15, 16, v4.clone()),
        ("v4_len_1", 0, 1, 16, v4.clone()),
        ("v4_len_negative", 0, -1, 16, v4.clone()),
        ("v4_null_name", 4, 16, 16, v4.clone()),
        ("v4_on_v6_socket", 2, 16, 28, v4.clone()),
        ("v4_out_too_small", 0, 16, 15, v4.clone()),
        ("v4_broadcast", 0, 16, 16, sin(9, [255; 4])),
        ("v6", 2, 28, 28, v6.clone()),
        ("v6_len_27", 2, 27, 28, v6.clone()),
        ("v6_on_v4_socket", 0, 28, 28, v6.clone()),
        ("v6_out_27", 2, 28, 27, v6.clone()),
        ("v6_mapped", 2, 28, 28, sin6(w6, 53, 0, mapped, 0)),
        ("v6_mapped_on_v4", 0, 28, 28, sin6(w6, 53, 0, mapped, 0)),
        (
            "v6_link_local_scope",
            2,
            28,
            128,
            sin6(w6, 1, 0x12345, link, 7),
        ),
        (
            "v6_flowinfo_scope_max",
            2,
            28,
            28,
            sin6(w6, 65535, u32::MAX, link, u32::MAX),
        ),
        (
            "linux_af_inet6_number",
            2,
            28,
            28,
            sin6(l6, 1, 0, Ipv6Addr::LOCALHOST, 0),
        ),
        ("family_0", 0, 16, 16, vec![0; 16]),
        ("family_ffff", 0, 2, 16, vec![0xff; 2]),
        ("from_linux_v4", 1, 16, 16, linux_v4.clone()),
        ("from_linux_v4_short", 1, 15, 16, linux_v4.clone()),
        ("from_linux_v4_out_small", 1, 16, 8, linux_v4),
        ("from_linux_v6", 1, 28, 28, sin6(l6, 443, 7, link, 2)),
        (
            "from_linux_v6_short",
            1,
            27,
            28,
            sin6(l6, 443, 0, Ipv6Addr::LOCALHOST, 0),
        ),
        (
            "from_linux_v6_long_len",
            1,
            128,
            4096,
            sin6(l6, 443, 0, mapped, 0),
        ),
        ("from_linux_windows_af_inet6", 1, 28, 28, v6),
        ("from_linux_null_out", 5, 16, 16, v4),
    ];
    cases
        .into_iter()
        .map(|(name, mode, namelen, capacity, bytes)| {
            let seed = Seed::default()
                .u8(mode)
                .i32(namelen)
                .i32(capacity)
                .bytes(&bytes)
                .finish();
            (name.to_string(), seed)
        })
        .collect()
}
