//! `setsockopt`/`getsockopt` on raw `optval` pointers: the option table's
//! length, value and socket-type rules ([`OptionSpec`]) applied to the
//! caller's buffers, in Windows' order: the handle, the level, the
//! option, the socket type, then the buffers and the value.

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::handles::{self, SocketRef};
use crate::socket;
use crate::translate::caller_memory::{readable, scatter};
use crate::translate::{
    Access, MAX_IP_OPTIONS, OptLen, OptionSpec, RequestForm, SockOpt, membership_request,
    option_spec, sockets,
};

/// The row of a (level, name) and the socket it is asked on. The handle is
/// checked first (`WSAENOTSOCK` before any other error, `test_set_getsockopt`),
/// except for `SO_OPENTYPE`, which belongs to the thread and works on any
/// handle, `INVALID_SOCKET` included.
fn lookup(
    s: usize,
    level: i32,
    name: i32,
    get: bool,
) -> Result<(&'static OptionSpec, Option<SocketRef>)> {
    let spec = option_spec(level, name);
    if let Ok(spec) = spec
        && spec.store == SockOpt::OpenType
    {
        return Ok((spec, None));
    }
    let core = handles::socket(s)?;
    let spec = spec?;
    if get && spec.access == Access::WriteOnly {
        // test_sockopt_validity: on TCP, UDP and raw sockets alike.
        return Err(Error::new(
            abi::WSAENOPROTOOPT,
            format!("socket option {name} of level {level:#x} can be set but not read"),
        ));
    }
    if spec.sockets & sockets::bit(core.kind().windows()) == 0 {
        return Err(Error::new(
            spec.wrong_socket,
            format!(
                "socket option {} of level {:#x} does not apply to this socket type",
                name, level
            ),
        ));
    }
    Ok((spec, Some(core)))
}

fn fault(what: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(abi::WSAEFAULT, what)
}

/// Reads `len` (at most 4) bytes at `p` as a little-endian value.
fn read_value(p: *const u8, len: usize) -> Result<u32> {
    if !readable(p, len) {
        return Err(fault(format!("optval is not readable for {len} bytes")));
    }
    let mut bytes = [0u8; 4];
    // SAFETY: `len` <= 4 bytes at `p` were just found readable.
    unsafe { std::ptr::copy_nonoverlapping(p, bytes.as_mut_ptr(), len) };
    Ok(u32::from_le_bytes(bytes))
}

/// Writes `bytes` to the caller's `p`; `WSAEFAULT` where it is not writable.
fn write_bytes(p: *mut u8, bytes: &[u8]) -> Result<()> {
    let iov = [libc::iovec {
        iov_base: p.cast(),
        iov_len: bytes.len(),
    }];
    if !scatter(bytes, &iov) {
        return Err(fault(format!(
            "optval is not writable for {} bytes",
            bytes.len()
        )));
    }
    Ok(())
}

/// `setsockopt` with a Windows level/name and an `optval` of `optlen`
/// bytes on the socket handle `s`. The length rules are the table's
/// ([`OptLen`]); a value above the row's maximum is `WSAEINVAL`; a BOOL is
/// stored as 0 or 1.
///
/// # Safety
/// None beyond Winsock's: `optval` is probed before it is read.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{handles::{self, Object}, translate::Family, SocketCore, SocketKind};
/// let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// let s = handles::insert(Object::Socket(core.clone()))?;
/// let tos = 0x100i32;
/// // SAFETY: `tos` is a live 4-byte value.
/// let err = unsafe { ws2_engine::raw::setsockopt(s, ws2_abi::IPPROTO_IP, ws2_abi::IP_TOS, (&raw const tos).cast(), 4) };
/// assert_eq!(err.unwrap_err().code(), ws2_abi::WSAEINVAL);
/// let on = 1u8;
/// // SAFETY: one readable byte, and SO_BROADCAST takes one.
/// unsafe { ws2_engine::raw::setsockopt(s, ws2_abi::SOL_SOCKET, ws2_abi::SO_BROADCAST, &on, 1) }?;
/// let broadcast = ws2_engine::translate::sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_BROADCAST)?;
/// assert_eq!(core.option(broadcast)?, 1);
/// # handles::remove(s);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn setsockopt(
    s: usize,
    level: i32,
    name: i32,
    optval: *const u8,
    optlen: i32,
) -> Result<()> {
    let (spec, core) = lookup(s, level, name, false)?;
    if spec.access == Access::ReadOnly {
        let stream = core
            .as_ref()
            .is_some_and(|c| c.kind() == socket::SocketKind::Stream);
        return Err(Error::new(
            if stream {
                abi::WSAENOPROTOOPT
            } else {
                abi::WSAEINVAL
            },
            format!("socket option {name} of level {level:#x} can be read but not set"),
        ));
    }
    if optval.is_null() {
        return Err(fault("optval is NULL"));
    }
    if let (SockOpt::Membership { op, form }, Some(core)) = (spec.store, &core) {
        return set_membership(core, level, op, form, optval, optlen);
    }
    if let (OptLen::Bytes(max), Some(core)) = (spec.len, &core) {
        return set_bytes(core, max, optval, optlen);
    }
    let take = match (spec.len, optlen) {
        (OptLen::SocketBool, 0) => 0,
        (_, 0) => return Err(fault("optlen is 0")),
        (len, n) if n < 0 && len.negative_set_reads_dword() => 4,
        (_, n) if n < 0 => {
            return Err(Error::new(
                abi::WSAENOBUFS,
                format!("optlen {n} is negative"),
            ));
        }
        (OptLen::Byte, _) => 1,
        (OptLen::SocketBool | OptLen::ShortDword, n) => (n as usize).min(4),
        (OptLen::Dword | OptLen::SocketDword { .. }, n) if n < 4 => {
            return Err(fault(format!(
                "optlen {n} is shorter than the 4-byte option"
            )));
        }
        _ => 4,
    };
    let mut value = read_value(optval, take)?;
    if value > spec.max {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!(
                "value {value:#x} of socket option {name} is above its maximum {}",
                spec.max
            ),
        ));
    }
    if spec.boolean {
        value = (value != 0) as u32;
    }
    match core {
        Some(core) => core.set_option(spec.store, value as i32),
        None => {
            socket::set_open_type(value);
            Ok(())
        }
    }
}

/// A membership option (P4): the request structure read from the caller's
/// bytes (`WSAEFAULT` when `optlen` is shorter than it or they are not
/// readable), then the change made with Windows' rules.
fn set_membership(
    core: &SocketRef,
    level: i32,
    op: crate::socket::GroupOp,
    form: RequestForm,
    optval: *const u8,
    optlen: i32,
) -> Result<()> {
    let size = form.size();
    if optlen < size as i32 {
        return Err(fault(format!(
            "optlen {optlen} is shorter than the {size}-byte membership structure"
        )));
    }
    if !readable(optval, size) {
        return Err(fault(format!("optval is not readable for {size} bytes")));
    }
    let mut bytes = [0u8; size_of::<ws2_abi::GROUP_SOURCE_REQ>()];
    // SAFETY: `size` (at most 264) bytes at `optval` were just found readable.
    unsafe { std::ptr::copy_nonoverlapping(optval, bytes.as_mut_ptr(), size) };
    let req = membership_request(form, &bytes[..size])?;
    if level == abi::IPPROTO_IP && !req.group.is_ipv4() {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("an IPv6 group ({}) at level IPPROTO_IP", req.group),
        ));
    }
    crate::io::change_membership(core, op, &req)
}

/// `IP_OPTIONS` (P4): 0 to `max` bytes, given to Linux as they are.
fn set_bytes(core: &SocketRef, max: usize, optval: *const u8, optlen: i32) -> Result<()> {
    let n = usize::try_from(optlen)
        .map_err(|_| Error::new(abi::WSAENOBUFS, format!("optlen {optlen} is negative")))?;
    if n > max {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("optlen {n} is more than the {max} bytes of IP options"),
        ));
    }
    if !readable(optval, n) {
        return Err(fault(format!("optval is not readable for {n} bytes")));
    }
    let mut buf = [0u8; MAX_IP_OPTIONS];
    // SAFETY: `n` (at most 40) bytes at `optval` were just found readable.
    unsafe { std::ptr::copy_nonoverlapping(optval, buf.as_mut_ptr(), n) };
    core.set_ip_options(&buf[..n])
}

/// `getsockopt` on the socket handle `s`: writes the option's bytes as the
/// table says and sets `*optlen` to the size read back (1 or 4).
///
/// # Safety
/// None beyond Winsock's: `optlen` and `optval` are probed before use.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{handles::{self, Object}, translate::Family, SocketCore, SocketKind};
/// let core = Arc::new(SocketCore::new(Family::V6, SocketKind::Datagram, 0, true)?);
/// let s = handles::insert(Object::Socket(core))?;
/// let (mut value, mut len) = (0xdeadbeefu32, 4i32);
/// // SAFETY: `value` is a live 4-byte buffer and `len` says so.
/// unsafe { ws2_engine::raw::getsockopt(s, ws2_abi::IPPROTO_IPV6, ws2_abi::IPV6_V6ONLY, (&raw mut value).cast(), &mut len) }?;
/// assert_eq!((value, len), (0xdeadbe01, 1)); // one byte, as Windows writes it
/// # handles::remove(s);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn getsockopt(
    s: usize,
    level: i32,
    name: i32,
    optval: *mut u8,
    optlen: *mut i32,
) -> Result<()> {
    let (spec, core) = lookup(s, level, name, true)?;
    if optval.is_null() || optlen.is_null() {
        return Err(fault("optval or optlen is NULL"));
    }
    let len = read_value(optlen.cast(), 4)? as i32;
    // SO_OPENTYPE is answered by mswsock, which reads optlen unsigned.
    let len = if core.is_none() && len < 0 {
        i32::MAX
    } else {
        len
    };
    if len <= 0 {
        return Err(fault(format!("*optlen {len} leaves no room for the value")));
    }
    let set_len = |n: i32| write_bytes(optlen.cast(), &n.to_le_bytes());
    if let (OptLen::Bytes(max), Some(core)) = (spec.len, &core) {
        let mut buf = [0u8; MAX_IP_OPTIONS];
        let n = core.ip_options(&mut buf[..max.min(MAX_IP_OPTIONS)])?;
        if (len as usize) < n {
            return Err(fault(format!(
                "*optlen {len} is shorter than the {n} bytes of IP options"
            )));
        }
        write_bytes(optval, &buf[..n])?;
        return set_len(n as i32);
    }
    let (size, reported) = match spec.len {
        OptLen::Byte => (1, 1),
        OptLen::SocketBool if len >= 4 => (4, 4),
        OptLen::SocketBool if len >= 2 => (2, 1),
        OptLen::SocketBool => (1, 1),
        OptLen::ShortDword if len < 4 => (1, 1),
        OptLen::Dword if len < 4 => {
            set_len(0)?;
            return Err(fault(format!(
                "*optlen {len} is shorter than the 4-byte option"
            )));
        }
        OptLen::SocketDword { zero_short } if len < 4 => {
            if zero_short {
                write_bytes(optval, &[0u8; 3][..len as usize])?;
            }
            return Err(fault(format!(
                "*optlen {len} is shorter than the 4-byte option"
            )));
        }
        _ => (4, 4),
    };
    let mut value = match &core {
        Some(core) => core.option(spec.store)?,
        None => socket::open_type() as i32,
    };
    if spec.boolean {
        value = (value != 0) as i32;
    }
    write_bytes(optval, &value.to_le_bytes()[..size])?;
    set_len(reported)
}
