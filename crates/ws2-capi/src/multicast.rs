//! The multicast source-filter calls of `ws2tcpip.h` (P4).

use std::ffi::c_int;

use ws2_abi::*;
use ws2_engine::raw::source_filter as raw;

use crate::winsock;

/// # Safety
/// `SourceList` readable for `SourceCount` addresses.
#[unsafe(export_name = "ws2_setipv4sourcefilter")]
pub unsafe extern "C" fn setipv4sourcefilter(
    s: SOCKET,
    interface: IN_ADDR,
    group: IN_ADDR,
    mode: c_int,
    count: ULONG,
    list: *const IN_ADDR,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract (the engine probes the list).
        unsafe { raw::set_ipv4_source_filter(s, interface, group, mode, count, list) }.map(|()| 0)
    })
}

/// # Safety
/// `FilterMode`, `SourceCount` writable; `SourceList` writable for
/// `*SourceCount` addresses.
#[unsafe(export_name = "ws2_getipv4sourcefilter")]
pub unsafe extern "C" fn getipv4sourcefilter(
    s: SOCKET,
    interface: IN_ADDR,
    group: IN_ADDR,
    mode: *mut c_int,
    count: *mut ULONG,
    list: *mut IN_ADDR,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract (the engine probes every pointer).
        unsafe { raw::get_ipv4_source_filter(s, interface, group, mode, count, list) }.map(|()| 0)
    })
}

/// # Safety
/// `group` readable for `group_len` bytes; `SourceList` readable for
/// `SourceCount` entries.
#[unsafe(export_name = "ws2_setsourcefilter")]
pub unsafe extern "C" fn setsourcefilter(
    s: SOCKET,
    interface: ULONG,
    group: *const SOCKADDR,
    group_len: c_int,
    mode: c_int,
    count: ULONG,
    list: *const SOCKADDR_STORAGE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract (the engine probes every pointer).
        unsafe { raw::set_source_filter(s, interface, group, group_len, mode, count, list) }
            .map(|()| 0)
    })
}

/// # Safety
/// As [`setsourcefilter`], with the outputs writable.
#[unsafe(export_name = "ws2_getsourcefilter")]
pub unsafe extern "C" fn getsourcefilter(
    s: SOCKET,
    interface: ULONG,
    group: *const SOCKADDR,
    group_len: c_int,
    mode: *mut c_int,
    count: *mut ULONG,
    list: *mut SOCKADDR_STORAGE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        // SAFETY: forwarded contract (the engine probes every pointer).
        unsafe { raw::get_source_filter(s, interface, group, group_len, mode, count, list) }
            .map(|()| 0)
    })
}
