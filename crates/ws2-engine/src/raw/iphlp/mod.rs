//! The IP Helper calls (`iphlpapi.h`, SPEC P5) after their C signatures are
//! unpacked: each takes the caller's raw pointers and returns the Win32
//! error code the Windows function returns, with the rules Wine's
//! Windows-run tests record (`dlls/iphlpapi/tests/iphlpapi.c`) and
//! Microsoft documents. The adapter chains are in `adapters.rs`.

use std::ffi::{CStr, c_char};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;

use ws2_abi as abi;

use crate::addr_changes::{self as changes, Families, Request};
use crate::completion::{self, Delivery, OvPtr, Waitable};
use crate::error::Error;
use crate::handles::{self, Object};
use crate::interfaces::{AddressState, Extras, Interface, names, prefix_mask, read, route_to};
use crate::raw::ioctl::wait_slot;

mod adapters;
pub use adapters::{get_adapters_addresses, get_adapters_info};

/// The Win32 code for a failure reading the host or routing.
pub(super) fn win32_of(e: &Error) -> u32 {
    match e.code() {
        abi::WSAENETUNREACH | abi::WSAEHOSTUNREACH => abi::ERROR_NETWORK_UNREACHABLE,
        abi::WSAEINVAL => abi::ERROR_INVALID_PARAMETER,
        abi::WSAENOBUFS => abi::ERROR_NOT_ENOUGH_MEMORY,
        _ => abi::ERROR_CAN_NOT_COMPLETE,
    }
}

/// The rows of `GetIpAddrTable`: usable IPv4 addresses of interfaces that
/// are up (iphlpapi.c `testGetIpAddrTable`: `dwBCastAddr` 1, `dwReasmSize`
/// 0xffff, `wType` non-zero).
fn ip_addr_rows(ifs: &[Interface], order: bool) -> Vec<abi::MIB_IPADDRROW> {
    let mut rows = Vec::new();
    for i in ifs.iter().filter(|i| i.is_up()) {
        for a in &i.addresses {
            let (IpAddr::V4(ip), IpAddr::V4(mask)) = (a.addr, a.netmask()) else {
                continue;
            };
            if matches!(a.state, AddressState::Tentative | AddressState::Duplicate) {
                continue;
            }
            let mut kind = abi::MIB_IPADDR_PRIMARY;
            if !a.permanent {
                kind |= abi::MIB_IPADDR_DYNAMIC;
            }
            rows.push(abi::MIB_IPADDRROW {
                dwAddr: u32::from_ne_bytes(ip.octets()),
                dwIndex: i.index,
                dwMask: u32::from_ne_bytes(mask.octets()),
                dwBCastAddr: 1,
                dwReasmSize: 0xffff,
                unused1: 0,
                wType: kind,
            });
        }
    }
    if order {
        rows.sort_by_key(|r| u32::from_be(r.dwAddr));
    }
    rows
}

/// `GetIpAddrTable(pIpAddrTable, pdwSize, bOrder)`: too small a buffer is
/// `ERROR_INSUFFICIENT_BUFFER` with the size (not `ERROR_BUFFER_OVERFLOW`).
///
/// # Safety
/// `size` null or writable; `table` null or writable for `*size` bytes.
pub unsafe fn get_ip_addr_table(
    table: *mut abi::MIB_IPADDRTABLE,
    size: *mut u32,
    order: bool,
) -> u32 {
    if size.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    let rows = match read(Extras::default()) {
        Ok(ifs) => ip_addr_rows(&ifs, order),
        Err(e) => return win32_of(&e),
    };
    let needed = abi::MIB_IPADDRTABLE_HEADER + rows.len() * size_of::<abi::MIB_IPADDRROW>();
    // The struct's own size is the least a caller can pass (one row).
    let needed = needed.max(size_of::<abi::MIB_IPADDRTABLE>());
    // SAFETY: size writable (checked).
    let have = unsafe { size.read_unaligned() } as usize;
    if table.is_null() || have < needed {
        // SAFETY: as above.
        unsafe { size.write_unaligned(needed as u32) };
        return abi::ERROR_INSUFFICIENT_BUFFER;
    }
    // SAFETY: table writable for needed <= *size bytes.
    unsafe {
        let base = table.cast::<u8>();
        base.cast::<u32>().write_unaligned(rows.len() as u32);
        for (k, r) in rows.iter().enumerate() {
            base.add(abi::MIB_IPADDRTABLE_HEADER + k * size_of::<abi::MIB_IPADDRROW>())
                .cast::<abi::MIB_IPADDRROW>()
                .write_unaligned(*r);
        }
    }
    abi::NO_ERROR
}

/// `GetBestInterface(dwDestAddr, pdwBestIfIndex)`; the address is in
/// network byte order.
///
/// # Safety
/// `index` null or writable.
pub unsafe fn get_best_interface(dest: u32, index: *mut u32) -> u32 {
    if index.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    let ip = Ipv4Addr::from(dest.to_ne_bytes());
    match route_to(SocketAddr::new(ip.into(), 0)) {
        Ok(r) => {
            // SAFETY: index writable (checked).
            unsafe { index.write_unaligned(r.interface_index) };
            abi::NO_ERROR
        }
        Err(e) => win32_of(&e),
    }
}

/// `GetBestInterfaceEx(pDestAddr, pdwBestIfIndex)`: `AF_INET` or `AF_INET6`
/// (Windows numbers); a scope id on a destination that is not link-local
/// is `ERROR_INVALID_PARAMETER` (iphlpapi.c `test_best_routes`).
///
/// # Safety
/// `dest` null or readable as a `SOCKADDR` of its family; `index` null or writable.
pub unsafe fn get_best_interface_ex(dest: *const abi::SOCKADDR, index: *mut u32) -> u32 {
    if dest.is_null() || index.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    // SAFETY: dest readable per the contract; family first.
    let family = unsafe { dest.cast::<u16>().read_unaligned() } as i32;
    let len = match family {
        abi::AF_INET => size_of::<abi::SOCKADDR_IN>(),
        abi::AF_INET6 => size_of::<abi::SOCKADDR_IN6>(),
        _ => return abi::ERROR_INVALID_PARAMETER,
    };
    // SAFETY: a SOCKADDR of its family is readable per the contract.
    let Ok(addr) = (unsafe { crate::translate::socket_addr_from_windows(dest, len as i32) }) else {
        return abi::ERROR_INVALID_PARAMETER;
    };
    match route_to(addr) {
        Ok(r) => {
            // SAFETY: index writable (checked).
            unsafe { index.write_unaligned(r.interface_index) };
            abi::NO_ERROR
        }
        Err(e) => win32_of(&e),
    }
}

/// `MIB_IPPROTO_*` for a Linux route protocol (`RTPROT_*`).
fn mib_proto(protocol: u8) -> u32 {
    match protocol {
        2 => abi::MIB_IPPROTO_LOCAL, // kernel: connected and local routes
        3 | 4 | 16 => abi::MIB_IPPROTO_NETMGMT, // boot, static, dhcp
        9 => abi::MIB_IPPROTO_ICMP,  // router advertisement
        186 => abi::MIB_IPPROTO_BGP,
        188 => abi::MIB_IPPROTO_OSPF,
        189 => abi::MIB_IPPROTO_RIP,
        _ => abi::MIB_IPPROTO_OTHER,
    }
}

/// `GetBestRoute(dwDestAddr, dwSourceAddr, pBestRoute)`: the routing-table
/// entry the kernel would use, in `MIB_IPFORWARDROW` conventions (an on-link
/// route's next hop is the interface's own address, type DIRECT). The
/// source address is accepted and not used: Linux picks one route per
/// destination.
///
/// # Safety
/// `row` null or writable.
pub unsafe fn get_best_route(dest: u32, _source: u32, row: *mut abi::MIB_IPFORWARDROW) -> u32 {
    if row.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    let ip = Ipv4Addr::from(dest.to_ne_bytes());
    let route = match route_to(SocketAddr::new(ip.into(), 0)) {
        Ok(r) => r,
        Err(e) => return win32_of(&e),
    };
    let IpAddr::V4(prefix) = route.prefix else {
        return abi::ERROR_CAN_NOT_COMPLETE;
    };
    let IpAddr::V4(mask) = prefix_mask(true, route.prefix_len) else {
        return abi::ERROR_CAN_NOT_COMPLETE;
    };
    let (next_hop, kind) = match route.gateway {
        Some(IpAddr::V4(g)) => (g, abi::MIB_IPROUTE_TYPE_INDIRECT),
        _ => {
            let own = read(Extras::default()).ok().and_then(|ifs| {
                ifs.into_iter()
                    .find(|i| i.index == route.interface_index)
                    .and_then(|i| {
                        i.addresses.into_iter().find_map(|a| match a.addr {
                            IpAddr::V4(v4) => Some(v4),
                            IpAddr::V6(_) => None,
                        })
                    })
            });
            let fallback = match route.source {
                IpAddr::V4(v4) => v4,
                IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
            };
            (own.unwrap_or(fallback), abi::MIB_IPROUTE_TYPE_DIRECT)
        }
    };
    let r = abi::MIB_IPFORWARDROW {
        dwForwardDest: u32::from_ne_bytes(prefix.octets()),
        dwForwardMask: u32::from_ne_bytes(mask.octets()),
        dwForwardPolicy: 0,
        dwForwardNextHop: u32::from_ne_bytes(next_hop.octets()),
        dwForwardIfIndex: route.interface_index,
        dwForwardType: kind,
        dwForwardProto: mib_proto(route.protocol),
        dwForwardAge: 0,
        dwForwardNextHopAS: 0,
        dwForwardMetric1: route.metric,
        dwForwardMetric2: 0,
        dwForwardMetric3: 0,
        dwForwardMetric4: 0,
        dwForwardMetric5: 0,
    };
    // SAFETY: row writable (checked).
    unsafe { row.write_unaligned(r) };
    abi::NO_ERROR
}

fn find(pred: impl Fn(&Interface) -> bool) -> Option<Interface> {
    read(Extras::default()).ok()?.into_iter().find(pred)
}

/// `if_nametoindex`: a LUID name (`ethernet_3`) or a Linux interface name;
/// 0 for anything else, a `{GUID}` included (iphlpapi.c
/// `test_interface_identifier_conversion`).
///
/// # Safety
/// `name` null or a NUL-terminated string.
pub unsafe fn if_nametoindex(name: *const c_char) -> u32 {
    if name.is_null() {
        return 0;
    }
    // SAFETY: NUL-terminated per the contract.
    let Ok(name) = unsafe { CStr::from_ptr(name) }.to_str() else {
        return 0;
    };
    if name.is_empty() || name.starts_with('{') {
        return 0;
    }
    if let Some(luid) = names::parse_luid_name(name)
        && let Some(i) = find(|i| names::luid(i.index, i.if_type) == luid)
    {
        return i.index;
    }
    find(|i| i.name == name).map_or(0, |i| i.index)
}

/// `if_indextoname`: writes the LUID name (at most `IF_NAMESIZE` bytes with
/// its NUL) and returns `buf`; NULL for an unknown index or a NULL `buf`.
///
/// # Safety
/// `buf` null or writable for `IF_NAMESIZE` (256) bytes.
pub unsafe fn if_indextoname(index: u32, buf: *mut c_char) -> *mut c_char {
    if buf.is_null() || index == 0 {
        return std::ptr::null_mut();
    }
    let Some(i) = find(|i| i.index == index) else {
        return std::ptr::null_mut();
    };
    let name = names::luid_name(names::luid(i.index, i.if_type));
    // SAFETY: buf writable for IF_NAMESIZE bytes; a LUID name is far shorter.
    unsafe {
        std::ptr::copy_nonoverlapping(name.as_ptr().cast(), buf, name.len());
        buf.add(name.len()).write(0);
    }
    buf
}

/// `ConvertInterfaceIndexToLuid`: the LUID is zeroed first; index 0 or
/// unknown is `ERROR_FILE_NOT_FOUND`.
///
/// # Safety
/// `luid` null or writable.
pub unsafe fn convert_interface_index_to_luid(index: u32, luid: *mut abi::NET_LUID) -> u32 {
    if luid.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    // SAFETY: luid writable (checked).
    unsafe { luid.write_unaligned(abi::NET_LUID::default()) };
    let found = (index != 0).then(|| find(|i| i.index == index)).flatten();
    match found {
        Some(i) => {
            // SAFETY: as above.
            unsafe { luid.write_unaligned(names::luid(i.index, i.if_type)) };
            abi::NO_ERROR
        }
        None => abi::ERROR_FILE_NOT_FOUND,
    }
}

/// `ConvertInterfaceLuidToIndex`: an unknown LUID is `ERROR_FILE_NOT_FOUND`
/// with the index set to 0.
///
/// # Safety
/// `luid` null or readable; `index` null or writable.
pub unsafe fn convert_interface_luid_to_index(luid: *const abi::NET_LUID, index: *mut u32) -> u32 {
    if luid.is_null() || index.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    // SAFETY: luid readable (checked).
    let want = unsafe { luid.read_unaligned() };
    let found = find(|i| names::luid(i.index, i.if_type) == want).map_or(0, |i| i.index);
    // SAFETY: index writable (checked).
    unsafe { index.write_unaligned(found) };
    if found == 0 {
        abi::ERROR_FILE_NOT_FOUND
    } else {
        abi::NO_ERROR
    }
}

/// `ConvertInterfaceLuidToNameA(InterfaceLuid, InterfaceName, Length)`: the
/// name is the LUID's own (`<type>_<NetLuidIndex>`); no buffer or too short
/// a one is `ERROR_NOT_ENOUGH_MEMORY`.
///
/// # Safety
/// `luid` null or readable; `buf` null or writable for `len` bytes.
pub unsafe fn convert_interface_luid_to_name_a(
    luid: *const abi::NET_LUID,
    buf: *mut c_char,
    len: usize,
) -> u32 {
    if luid.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    // SAFETY: luid readable (checked).
    let name = names::luid_name(unsafe { luid.read_unaligned() });
    if buf.is_null() || len < name.len() + 1 {
        return abi::ERROR_NOT_ENOUGH_MEMORY;
    }
    // SAFETY: buf writable for len > name.len() bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(name.as_ptr().cast(), buf, name.len());
        buf.add(name.len()).write(0);
    }
    abi::NO_ERROR
}

/// The handle `NotifyAddrChange` gives back: one per process (as Windows
/// hands out its one IP Helper device handle), an event in the handle table
/// that is reset when a request is made and set when one completes, so a
/// caller whose OVERLAPPED has no event can wait on it.
fn notification_handle() -> Result<(usize, std::sync::Arc<completion::Event>), u32> {
    static HANDLE: Mutex<usize> = Mutex::new(0);
    let mut h = HANDLE.lock().unwrap_or_else(|e| e.into_inner());
    if let Ok(event) = handles::event(*h) {
        return Ok((*h, event));
    }
    let event = std::sync::Arc::new(completion::Event::new());
    *h = handles::insert(Object::Event(event.clone())).map_err(|_| abi::ERROR_NOT_ENOUGH_MEMORY)?;
    Ok((*h, event))
}

/// `NotifyAddrChange(Handle, overlapped)`: completes when an IPv4 address
/// is added or removed. Both NULL: blocks until then and returns
/// `NO_ERROR`. With an OVERLAPPED: `ERROR_IO_PENDING`; the OVERLAPPED's
/// event (if any) and `*Handle` are signalled at completion (iphlpapi.c
/// `testNotifyAddrChange`). The same OVERLAPPED twice while pending is
/// `ERROR_INVALID_PARAMETER`.
///
/// # Safety
/// `handle` null or writable; `overlapped` null or valid until completion.
pub unsafe fn notify_addr_change(
    handle: *mut abi::HANDLE,
    overlapped: *mut abi::OVERLAPPED,
) -> u32 {
    let issuer = completion::current_thread().id;
    if overlapped.is_null() {
        if !handle.is_null() {
            return abi::ERROR_INVALID_PARAMETER;
        }
        let (slot, event) = wait_slot();
        let done = slot.clone();
        let signal = event.clone();
        let request = Request {
            core: None,
            families: Families::V4,
            delivery: Delivery::Callback(Box::new(move |r| {
                *done.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                signal.set();
            })),
            overlapped: 0,
            issuer,
            after: None,
        };
        if let Err(e) = changes::register(request, || {}) {
            return win32_of(&e);
        }
        let sources: [&dyn Waitable; 1] = [&*event];
        return match completion::blocking_call_wait(&sources, None, None, || {
            slot.lock().unwrap_or_else(|e| e.into_inner()).take()
        }) {
            Ok(Some(Ok(_))) => abi::NO_ERROR,
            Ok(Some(Err(_))) => abi::ERROR_OPERATION_ABORTED,
            Ok(None) => abi::ERROR_CAN_NOT_COMPLETE,
            Err(e) => win32_of(&e),
        };
    }
    if handle.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    let (h, file_event) = match notification_handle() {
        Ok(x) => x,
        Err(code) => return code,
    };
    // SAFETY: overlapped valid per the contract.
    let h_event = unsafe { (*overlapped).hEvent } as usize & !1;
    let event = (h_event != 0)
        .then(|| handles::event(h_event).ok())
        .flatten();
    let request = Request {
        core: None,
        families: Families::V4,
        delivery: Delivery::Overlapped {
            ov: OvPtr(overlapped),
            event,
            routine: None,
            to_port: false,
        },
        overlapped: overlapped as usize,
        issuer,
        after: Some(Box::new(move || file_event.set())),
    };
    let reset = match handles::event(h) {
        Ok(e) => e,
        Err(_) => return abi::ERROR_INVALID_HANDLE,
    };
    // SAFETY: overlapped valid; written before the request is visible.
    let registered = changes::register(request, || {
        reset.reset();
        unsafe { OvPtr(overlapped).mark_pending() }
    });
    if let Err(e) = registered {
        return win32_of(&e);
    }
    // SAFETY: handle writable (checked).
    unsafe { handle.write_unaligned(h as abi::HANDLE) };
    abi::ERROR_IO_PENDING
}

/// `CancelIPChangeNotify(notifyOverlapped)`: the pending request of that
/// OVERLAPPED completes with `ERROR_OPERATION_ABORTED`; false when none is
/// pending.
pub fn cancel_ip_change_notify(overlapped: *mut abi::OVERLAPPED) -> bool {
    !overlapped.is_null() && changes::cancel_overlapped(overlapped as usize)
}
