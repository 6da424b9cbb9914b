//! The IP Helper API of `iphlpapi.h` (SPEC P5): thin `extern "C"` faces
//! over `ws2_engine::raw::iphlp`. These calls return their Win32 error
//! code (they need no `WSAStartup`); only `NotifyAddrChange` also leaves
//! `ERROR_IO_PENDING` in the last error, as Windows does (iphlpapi.c
//! `testNotifyAddrChange`). A panic never crosses the ABI: it becomes
//! `ERROR_CAN_NOT_COMPLETE` (NULL, 0 or FALSE where that is the failure).

use std::ffi::{c_char, c_void};
use std::panic::AssertUnwindSafe;

use ws2_abi::*;
use ws2_engine::raw::iphlp;

fn status(f: impl FnOnce() -> u32) -> u32 {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or(ERROR_CAN_NOT_COMPLETE)
}

/// # Safety
/// `size` null or a writable `ULONG`; `addresses` null or writable for `*size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetAdaptersAddresses(
    family: ULONG,
    flags: ULONG,
    reserved: *mut c_void,
    addresses: *mut IP_ADAPTER_ADDRESSES_LH,
    size: *mut ULONG,
) -> ULONG {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::get_adapters_addresses(family, flags, reserved, addresses, size) })
}

/// # Safety
/// `size` null or writable; `info` null or writable for `*size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetAdaptersInfo(info: *mut IP_ADAPTER_INFO, size: *mut ULONG) -> ULONG {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::get_adapters_info(info, size) })
}

/// # Safety
/// `size` null or writable; `table` null or writable for `*size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetIpAddrTable(
    table: *mut MIB_IPADDRTABLE,
    size: *mut ULONG,
    order: BOOL,
) -> ULONG {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::get_ip_addr_table(table, size, order != 0) })
}

/// # Safety
/// `index` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetBestInterface(dest: IPAddr, index: *mut DWORD) -> DWORD {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::get_best_interface(dest, index) })
}

/// # Safety
/// `dest` null or a readable `SOCKADDR_IN`/`SOCKADDR_IN6`; `index` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetBestInterfaceEx(dest: *const SOCKADDR, index: *mut DWORD) -> DWORD {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::get_best_interface_ex(dest, index) })
}

/// # Safety
/// `row` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetBestRoute(
    dest: DWORD,
    source: DWORD,
    row: *mut MIB_IPFORWARDROW,
) -> DWORD {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::get_best_route(dest, source, row) })
}

/// `if_nametoindex` (glibc has the name: bound by the headers' asm label).
///
/// # Safety
/// `name` null or NUL-terminated.
#[unsafe(export_name = "ws2_if_nametoindex")]
pub unsafe extern "C" fn if_nametoindex(name: *const c_char) -> NET_IFINDEX {
    // SAFETY: forwarded contract.
    std::panic::catch_unwind(|| unsafe { iphlp::if_nametoindex(name) }).unwrap_or(0)
}

/// `if_indextoname` (glibc has the name: bound by the headers' asm label).
///
/// # Safety
/// `buf` null or writable for `IF_NAMESIZE` bytes.
#[unsafe(export_name = "ws2_if_indextoname")]
pub unsafe extern "C" fn if_indextoname(index: NET_IFINDEX, buf: *mut c_char) -> *mut c_char {
    // SAFETY: forwarded contract.
    std::panic::catch_unwind(AssertUnwindSafe(|| unsafe {
        iphlp::if_indextoname(index, buf)
    }))
    .unwrap_or(std::ptr::null_mut())
}

/// # Safety
/// `luid` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ConvertInterfaceIndexToLuid(
    index: NET_IFINDEX,
    luid: *mut NET_LUID,
) -> DWORD {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::convert_interface_index_to_luid(index, luid) })
}

/// # Safety
/// `luid` null or readable; `index` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ConvertInterfaceLuidToIndex(
    luid: *const NET_LUID,
    index: *mut NET_IFINDEX,
) -> DWORD {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::convert_interface_luid_to_index(luid, index) })
}

/// # Safety
/// `luid` null or readable; `name` null or writable for `length` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ConvertInterfaceLuidToNameA(
    luid: *const NET_LUID,
    name: *mut c_char,
    length: SIZE_T,
) -> DWORD {
    // SAFETY: forwarded contract.
    status(|| unsafe { iphlp::convert_interface_luid_to_name_a(luid, name, length) })
}

/// # Safety
/// `handle` null or writable; `overlapped` null or valid until completion.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn NotifyAddrChange(
    handle: *mut HANDLE,
    overlapped: *mut OVERLAPPED,
) -> DWORD {
    // SAFETY: forwarded contract.
    let r = status(|| unsafe { iphlp::notify_addr_change(handle, overlapped) });
    if r == ERROR_IO_PENDING {
        super::set_last_error(ERROR_IO_PENDING);
    }
    r
}

/// # Safety
/// `overlapped` null or a pointer `NotifyAddrChange` was given.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CancelIPChangeNotify(overlapped: *mut OVERLAPPED) -> BOOL {
    std::panic::catch_unwind(|| iphlp::cancel_ip_change_notify(overlapped)).unwrap_or(false) as BOOL
}
