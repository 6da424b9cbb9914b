//! The full-state source-filter calls of `ws2tcpip.h` on raw pointers
//! (P4; RFC 3678, Microsoft's `setsourcefilter`/`getsourcefilter`,
//! `setipv4sourcefilter`/`getipv4sourcefilter`): a group's whole filter at
//! once. `MCAST_INCLUDE` with no source leaves the group; on a group not
//! joined yet, a set joins it. A get of a group not joined on that
//! interface is `WSAEADDRNOTAVAIL`; `*SourceCount` says how many sources
//! the list has room for and is set to how many the filter holds.

use std::net::{IpAddr, Ipv4Addr};

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::handles;
use crate::socket::{FilterMode, GroupInterface, GroupRequest};
use crate::translate::caller_memory::{readable, scatter};
use crate::translate::{interface_from_option, socket_addr_from_windows, socket_addr_to_windows};

/// Most sources one call takes (a bound on what is read).
pub const MAX_FILTER_SOURCES: u32 = 1024;

fn fault(what: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(abi::WSAEFAULT, what)
}

fn mode_from(mode: i32) -> Result<FilterMode> {
    match mode {
        abi::MCAST_INCLUDE => Ok(FilterMode::Include),
        abi::MCAST_EXCLUDE => Ok(FilterMode::Exclude),
        m => Err(Error::new(
            abi::WSAEINVAL,
            format!("FilterMode {m} is neither MCAST_INCLUDE nor MCAST_EXCLUDE"),
        )),
    }
}

fn mode_to(mode: FilterMode) -> i32 {
    match mode {
        FilterMode::Include => abi::MCAST_INCLUDE,
        FilterMode::Exclude => abi::MCAST_EXCLUDE,
    }
}

fn index(interface: u32) -> GroupInterface {
    if interface == 0 {
        GroupInterface::Default
    } else {
        GroupInterface::Index(interface)
    }
}

/// Copies `count` items of `T` from the caller (`WSAEFAULT` when they are
/// not readable).
fn read_list<T: Copy + Default>(list: *const T, count: u32) -> Result<Vec<T>> {
    if count > MAX_FILTER_SOURCES {
        return Err(Error::new(
            abi::WSAENOBUFS,
            format!("SourceCount {count} is above {MAX_FILTER_SOURCES}"),
        ));
    }
    let bytes = count as usize * size_of::<T>();
    if count != 0 && (list.is_null() || !readable(list.cast(), bytes)) {
        return Err(fault(format!(
            "SourceList is not readable for {count} sources"
        )));
    }
    let mut out = vec![T::default(); count as usize];
    if count != 0 {
        // SAFETY: `bytes` bytes at `list` were just found readable, and
        // `out` has room for them.
        unsafe { std::ptr::copy_nonoverlapping(list, out.as_mut_ptr(), count as usize) };
    }
    Ok(out)
}

/// Writes `data` to the caller's `p` (`WSAEFAULT` where it is not writable).
fn write_bytes(p: *mut u8, data: &[u8], what: &str) -> Result<()> {
    let iov = [libc::iovec {
        iov_base: p.cast(),
        iov_len: data.len(),
    }];
    if data.is_empty() || scatter(data, &iov) {
        Ok(())
    } else {
        Err(fault(format!("{what} is not writable")))
    }
}

fn v4(addr: abi::IN_ADDR) -> IpAddr {
    Ipv4Addr::from(addr.s_addr.to_ne_bytes()).into()
}

/// `setipv4sourcefilter`.
///
/// # Safety
/// None beyond Winsock's: `list` is probed before it is read.
pub unsafe fn set_ipv4_source_filter(
    s: usize,
    interface: abi::IN_ADDR,
    group: abi::IN_ADDR,
    mode: i32,
    count: u32,
    list: *const abi::IN_ADDR,
) -> Result<()> {
    let core = handles::socket(s)?;
    let mode = mode_from(mode)?;
    let sources: Vec<IpAddr> = read_list(list, count)?.into_iter().map(v4).collect();
    let req = GroupRequest::any_source(
        v4(group),
        interface_from_option(u32::from_le_bytes(interface.s_addr.to_ne_bytes())),
    );
    crate::io::set_source_filter(&core, &req, mode, &sources)
}

/// `getipv4sourcefilter`.
///
/// # Safety
/// None beyond Winsock's: `mode`, `count` and `list` are probed.
pub unsafe fn get_ipv4_source_filter(
    s: usize,
    interface: abi::IN_ADDR,
    group: abi::IN_ADDR,
    mode: *mut i32,
    count: *mut u32,
    list: *mut abi::IN_ADDR,
) -> Result<()> {
    let core = handles::socket(s)?;
    let interface = interface_from_option(u32::from_le_bytes(interface.s_addr.to_ne_bytes()));
    let (got_mode, sources) = core.source_filter(v4(group), interface)?;
    let room = read_list(count.cast_const(), 1)?[0];
    let mut bytes = Vec::with_capacity(sources.len() * 4);
    for s in sources.iter().take(room as usize) {
        if let IpAddr::V4(a) = s {
            bytes.extend_from_slice(&a.octets());
        }
    }
    write_bytes(list.cast(), &bytes, "SourceList")?;
    write_bytes(mode.cast(), &mode_to(got_mode).to_ne_bytes(), "FilterMode")?;
    write_bytes(
        count.cast(),
        &(sources.len() as u32).to_ne_bytes(),
        "SourceCount",
    )
}

/// The group of `setsourcefilter`/`getsourcefilter`.
///
/// # Safety
/// `group` is probed by the address translation.
unsafe fn group_of(group: *const abi::SOCKADDR, len: i32) -> Result<IpAddr> {
    // SAFETY: forwarded contract (the translation checks NULL and length).
    unsafe { socket_addr_from_windows(group, len) }.map(|a| a.ip())
}

/// `setsourcefilter`.
///
/// # Safety
/// None beyond Winsock's: `group` and `list` are probed before use.
pub unsafe fn set_source_filter(
    s: usize,
    interface: u32,
    group: *const abi::SOCKADDR,
    group_len: i32,
    mode: i32,
    count: u32,
    list: *const abi::SOCKADDR_STORAGE,
) -> Result<()> {
    let core = handles::socket(s)?;
    // SAFETY: forwarded contract.
    let group = unsafe { group_of(group, group_len) }?;
    let mode = mode_from(mode)?;
    let stored = read_list(list, count)?;
    let mut sources = Vec::with_capacity(stored.len());
    for ss in &stored {
        // SAFETY: `ss` is a whole SOCKADDR_STORAGE copied from the caller.
        let addr = unsafe {
            socket_addr_from_windows(
                (ss as *const abi::SOCKADDR_STORAGE).cast(),
                size_of::<abi::SOCKADDR_STORAGE>() as i32,
            )
        }?;
        sources.push(addr.ip());
    }
    let req = GroupRequest::any_source(group, index(interface));
    crate::io::set_source_filter(&core, &req, mode, &sources)
}

/// `getsourcefilter`.
///
/// # Safety
/// None beyond Winsock's: every pointer is probed before use.
pub unsafe fn get_source_filter(
    s: usize,
    interface: u32,
    group: *const abi::SOCKADDR,
    group_len: i32,
    mode: *mut i32,
    count: *mut u32,
    list: *mut abi::SOCKADDR_STORAGE,
) -> Result<()> {
    let core = handles::socket(s)?;
    // SAFETY: forwarded contract.
    let group = unsafe { group_of(group, group_len) }?;
    let (got_mode, sources) = core.source_filter(group, index(interface))?;
    let room = read_list(count.cast_const(), 1)?[0];
    let ss_len = size_of::<abi::SOCKADDR_STORAGE>();
    let mut bytes = vec![0u8; ss_len * sources.len().min(room as usize)];
    for (i, s) in sources.iter().take(room as usize).enumerate() {
        let mut len = ss_len as i32;
        // SAFETY: `bytes` has room for a whole SOCKADDR_STORAGE at i.
        unsafe {
            socket_addr_to_windows(
                &std::net::SocketAddr::new(*s, 0),
                bytes[i * ss_len..].as_mut_ptr().cast(),
                &mut len,
            )
        }?;
    }
    write_bytes(list.cast(), &bytes, "SourceList")?;
    write_bytes(mode.cast(), &mode_to(got_mode).to_ne_bytes(), "FilterMode")?;
    write_bytes(
        count.cast(),
        &(sources.len() as u32).to_ne_bytes(),
        "SourceCount",
    )
}
