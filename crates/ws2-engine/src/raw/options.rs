//! `setsockopt`/`getsockopt` on raw `optval` pointers, with Windows
//! numbers and lengths.

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::socket::SocketCore;
use crate::translate::sock_opt;

/// `setsockopt` with a Windows level/name and an `optval` of `optlen` bytes.
///
/// # Safety
/// `optval` must be null or readable for `optlen` bytes.
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let on = 1i32;
/// // SAFETY: `on` is a live 4-byte value.
/// unsafe { ws2_engine::raw::setsockopt(&core, ws2_abi::SOL_SOCKET, ws2_abi::SO_BROADCAST, (&raw const on).cast(), 4) }?;
/// let broadcast = ws2_engine::translate::sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_BROADCAST)?;
/// assert_eq!(core.option(broadcast)?, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn setsockopt(
    core: &SocketCore,
    level: i32,
    name: i32,
    optval: *const u8,
    optlen: i32,
) -> Result<()> {
    let opt = sock_opt(level, name)?;
    if opt == crate::translate::SockOpt::RecvMaxCoalesced && optlen < 4 && !optval.is_null() {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("optlen {optlen} is smaller than UDP_RECV_MAX_COALESCED_SIZE's DWORD"),
        ));
    }
    if optval.is_null() || optlen < 1 {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("optval is NULL or optlen {optlen} is too small"),
        ));
    }
    // Windows reads a DWORD/BOOL; a shorter buffer is accepted for byte-sized
    // values (some programs pass a char), as Windows does for BOOL options.
    let value: i32 = if optlen >= 4 {
        // SAFETY: optval readable for at least 4 bytes.
        unsafe { optval.cast::<i32>().read_unaligned() }
    } else {
        // SAFETY: optval readable for at least 1 byte.
        unsafe { optval.read() as i32 }
    };
    core.set_option(opt, value)
}

/// `getsockopt`: writes a 4-byte value and sets `*optlen` to 4.
///
/// # Safety
/// `optval` writable for `*optlen` bytes, `optlen` valid, or either null.
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let (mut value, mut len) = (0i32, 4i32);
/// // SAFETY: `value` is a live 4-byte buffer and `len` says so.
/// unsafe { ws2_engine::raw::getsockopt(&core, ws2_abi::SOL_SOCKET, ws2_abi::SO_TYPE, (&raw mut value).cast(), &mut len) }?;
/// assert_eq!((value, len), (ws2_abi::SOCK_DGRAM, 4));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn getsockopt(
    core: &SocketCore,
    level: i32,
    name: i32,
    optval: *mut u8,
    optlen: *mut i32,
) -> Result<()> {
    let opt = sock_opt(level, name)?;
    if optval.is_null() || optlen.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "optval or optlen is NULL"));
    }
    // SAFETY: optlen is valid per the contract.
    let len = unsafe { optlen.read_unaligned() };
    if len < 4 {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("optlen {len} is smaller than the 4-byte option value"),
        ));
    }
    let value = core.option(opt)?;
    // SAFETY: optval writable for at least 4 bytes (checked), optlen valid.
    unsafe {
        optval.cast::<i32>().write_unaligned(value);
        optlen.write_unaligned(4);
    }
    Ok(())
}
