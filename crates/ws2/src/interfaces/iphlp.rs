//! The IP Helper calls (`iphlpapi.h`, SPEC P5) after their C signatures are
//! unpacked: each takes the caller's raw pointers and returns the Win32
//! error code the Windows function returns, with the rules Wine's
//! Windows-run tests record (`dlls/iphlpapi/tests/iphlpapi.c`) and
//! Microsoft documents. The structures are built straight into the
//! caller's buffer; the size a buffer needs is found by laying the same
//! structures out without writing ([`Arena`]).

use std::ffi::{CStr, c_char, c_void};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::sync::Mutex;

use ws2_abi as abi;

use super::changes::{self, Families, Request};
use super::ioctl::wait_slot;
use super::names;
use super::{
    AddressState, Extras, Interface, InterfaceAddress, InterfaceFlags, is_link_local, read,
    route_to,
};
use crate::completion::{self, Waitable};
use crate::engine::{Delivery, OvPtr};
use crate::error::Error;
use crate::handles::{self, Object};

/// Where the arena lays structures out: `base` null only measures.
struct Arena {
    base: *mut u8,
    off: usize,
}

impl Arena {
    fn measure() -> Arena {
        Arena {
            base: std::ptr::null_mut(),
            off: 0,
        }
    }

    /// Room for `count` values of `T`, aligned as `T` relative to the
    /// start: the same offsets whether measuring or writing.
    fn reserve<T>(&mut self, count: usize) -> *mut T {
        let align = align_of::<T>();
        self.off = self.off.div_ceil(align) * align;
        let p = self.base.wrapping_add(self.off).cast::<T>();
        self.off += size_of::<T>() * count;
        p
    }

    fn writing(&self) -> bool {
        !self.base.is_null()
    }

    /// Writes `v` at `p` when writing.
    ///
    /// # Safety
    /// When writing, `p` came from [`Arena::reserve`] on a buffer of at
    /// least the measured size.
    unsafe fn put<T>(&self, p: *mut T, v: T) {
        if self.writing() {
            // SAFETY: per the contract; the buffer need not be aligned.
            unsafe { p.write_unaligned(v) };
        }
    }

    /// Places a Windows `SOCKADDR_IN`/`SOCKADDR_IN6` and returns its
    /// `SOCKET_ADDRESS`.
    fn sockaddr(&mut self, addr: SocketAddr) -> abi::SOCKET_ADDRESS {
        let (p, len) = match addr {
            SocketAddr::V4(v4) => {
                let p = self.reserve::<abi::SOCKADDR_IN>(1);
                // SAFETY: reserved just above.
                unsafe { self.put(p, sockaddr_in(v4)) };
                (p.cast(), size_of::<abi::SOCKADDR_IN>())
            }
            SocketAddr::V6(v6) => {
                let p = self.reserve::<abi::SOCKADDR_IN6>(1);
                // SAFETY: reserved just above.
                unsafe { self.put(p, sockaddr_in6(v6)) };
                (p.cast(), size_of::<abi::SOCKADDR_IN6>())
            }
        };
        abi::SOCKET_ADDRESS {
            lpSockaddr: p,
            iSockaddrLength: len as i32,
        }
    }

    /// Places a NUL-terminated UTF-16 string.
    fn wide(&mut self, text: &str) -> *mut u16 {
        let units: Vec<u16> = text.encode_utf16().chain([0]).collect();
        let p = self.reserve::<u16>(units.len());
        for (k, u) in units.iter().enumerate() {
            // SAFETY: reserved just above, units.len() u16s.
            unsafe { self.put(p.wrapping_add(k), *u) };
        }
        p
    }

    /// Places a NUL-terminated byte string.
    fn narrow(&mut self, text: &str) -> *mut c_char {
        let p = self.reserve::<u8>(text.len() + 1);
        for (k, b) in text.bytes().chain([0]).enumerate() {
            // SAFETY: reserved just above.
            unsafe { self.put(p.wrapping_add(k), b) };
        }
        p.cast()
    }
}

fn sockaddr_in(v4: SocketAddrV4) -> abi::SOCKADDR_IN {
    abi::SOCKADDR_IN {
        sin_family: abi::AF_INET as u16,
        sin_port: v4.port().to_be(),
        sin_addr: abi::IN_ADDR {
            s_addr: u32::from_ne_bytes(v4.ip().octets()),
        },
        sin_zero: [0; 8],
    }
}

fn sockaddr_in6(v6: SocketAddrV6) -> abi::SOCKADDR_IN6 {
    abi::SOCKADDR_IN6 {
        sin6_family: abi::AF_INET6 as u16,
        sin6_port: v6.port().to_be(),
        sin6_flowinfo: 0,
        sin6_addr: abi::IN6_ADDR {
            s6_addr: v6.ip().octets(),
        },
        sin6_scope_id: v6.scope_id(),
    }
}

fn plain(addr: IpAddr) -> SocketAddr {
    SocketAddr::new(addr, 0)
}

/// The Win32 code for a failure reading the host or routing.
fn win32_of(e: &Error) -> u32 {
    match e.code() {
        abi::WSAENETUNREACH | abi::WSAEHOSTUNREACH => abi::ERROR_NETWORK_UNREACHABLE,
        abi::WSAEINVAL => abi::ERROR_INVALID_PARAMETER,
        abi::WSAENOBUFS => abi::ERROR_NOT_ENOUGH_MEMORY,
        _ => abi::ERROR_CAN_NOT_COMPLETE,
    }
}

/// The DNS servers of the system resolver (`nameserver` lines of
/// `/etc/resolv.conf`): Linux keeps one list for the host, so every
/// non-loopback adapter that is up shows it (the README's naming scheme).
fn dns_servers() -> Vec<SocketAddr> {
    let Ok(text) = std::fs::read_to_string("/etc/resolv.conf") else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some("nameserver")).then(|| w.next()).flatten()
        })
        .filter_map(|a| {
            let (ip, zone) = a.split_once('%').unwrap_or((a, ""));
            match ip.parse::<IpAddr>().ok()? {
                IpAddr::V4(v4) => Some(SocketAddr::new(v4.into(), 53)),
                IpAddr::V6(v6) => Some(SocketAddr::V6(SocketAddrV6::new(
                    v6,
                    53,
                    0,
                    zone.parse().unwrap_or(0),
                ))),
            }
        })
        .collect()
}

/// `NL_PREFIX_ORIGIN`, `NL_SUFFIX_ORIGIN`, `LeaseLifetime` of an address.
fn origins(i: &Interface, a: &InterfaceAddress) -> (u32, u32, u32) {
    let forever = u32::MAX;
    let lease = a
        .valid_lifetime
        .map_or(forever, |d| d.as_secs().min(u64::from(u32::MAX)) as u32);
    if i.is_loopback() {
        return (
            abi::IpPrefixOriginWellKnown,
            abi::IpSuffixOriginWellKnown,
            forever,
        );
    }
    let eui64 = match a.addr {
        IpAddr::V6(v6) => is_eui64(v6, &i.hardware_address),
        IpAddr::V4(_) => false,
    };
    let random = a.temporary || a.stable_privacy();
    let suffix_auto = if eui64 {
        abi::IpSuffixOriginLinkLayerAddress
    } else if random {
        abi::IpSuffixOriginRandom
    } else {
        abi::IpSuffixOriginManual
    };
    match (a.addr, a.permanent) {
        (IpAddr::V4(v4), _) if v4.is_link_local() => (
            abi::IpPrefixOriginWellKnown,
            abi::IpSuffixOriginRandom,
            forever,
        ),
        (IpAddr::V6(_), _) if a.is_link_local() => {
            (abi::IpPrefixOriginWellKnown, suffix_auto, forever)
        }
        (_, true) => (
            abi::IpPrefixOriginManual,
            abi::IpSuffixOriginManual,
            forever,
        ),
        (IpAddr::V4(_), false) => (abi::IpPrefixOriginDhcp, abi::IpSuffixOriginDhcp, lease),
        (IpAddr::V6(_), false) if a.prefix_len == 128 => {
            (abi::IpPrefixOriginDhcp, abi::IpSuffixOriginDhcp, lease)
        }
        (IpAddr::V6(_), false) => (abi::IpPrefixOriginRouterAdvertisement, suffix_auto, lease),
    }
}

/// Whether the interface identifier of `v6` is the modified EUI-64 of `mac`.
fn is_eui64(v6: Ipv6Addr, mac: &[u8]) -> bool {
    let Ok(m) = <[u8; 6]>::try_from(mac) else {
        return false;
    };
    let o = v6.octets();
    o[8..] == [m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]]
}

/// The prefixes `GAA_FLAG_INCLUDE_PREFIX` lists for an adapter, as
/// Microsoft's `IP_ADAPTER_ADDRESSES` page describes them: per IPv4
/// address its subnet, the host and the subnet broadcast; per IPv6 address
/// its on-link prefix and the host; with multicast, the multicast range
/// (and 255.255.255.255 for IPv4).
fn prefixes(i: &Interface, v4: bool, v6: bool) -> Vec<(IpAddr, u8)> {
    let mut out: Vec<(IpAddr, u8)> = Vec::new();
    let mut add = |p: (IpAddr, u8)| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    for a in &i.addresses {
        let (ok, host) = match a.addr {
            IpAddr::V4(_) => (v4, 32),
            IpAddr::V6(_) => (v6, 128),
        };
        if !ok {
            continue;
        }
        let network = match (a.addr, a.netmask()) {
            (IpAddr::V4(x), IpAddr::V4(m)) => IpAddr::V4((u32::from(x) & u32::from(m)).into()),
            (IpAddr::V6(x), IpAddr::V6(m)) => IpAddr::V6((u128::from(x) & u128::from(m)).into()),
            _ => a.addr,
        };
        if a.prefix_len < host {
            add((network, a.prefix_len));
        }
        add((a.addr, host));
        if let Some(bc) = a.broadcast {
            add((IpAddr::V4(bc), 32));
        }
    }
    if i.flags.contains(InterfaceFlags::MULTICAST) {
        if v4 && i.addresses.iter().any(|a| a.addr.is_ipv4()) {
            add((IpAddr::V4(Ipv4Addr::new(224, 0, 0, 0)), 4));
            add((IpAddr::V4(Ipv4Addr::BROADCAST), 32));
        }
        if v6 && i.addresses.iter().any(|a| a.addr.is_ipv6()) {
            add((IpAddr::V6(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0)), 8));
        }
    }
    out
}

/// Lays out a list of 32-byte address nodes; returns its first node.
fn node_list(
    arena: &mut Arena,
    addrs: &[SocketAddr],
    flags: u32,
) -> *mut abi::IP_ADAPTER_ADDRESS_NODE {
    if addrs.is_empty() {
        return std::ptr::null_mut();
    }
    let nodes = arena.reserve::<abi::IP_ADAPTER_ADDRESS_NODE>(addrs.len());
    for (k, a) in addrs.iter().enumerate() {
        let address = arena.sockaddr(*a);
        let next = if k + 1 < addrs.len() {
            nodes.wrapping_add(k + 1)
        } else {
            std::ptr::null_mut()
        };
        let node = abi::IP_ADAPTER_ADDRESS_NODE {
            Length: size_of::<abi::IP_ADAPTER_ADDRESS_NODE>() as u32,
            Flags: flags,
            Next: next,
            Address: address,
        };
        // SAFETY: reserved above.
        unsafe { arena.put(nodes.wrapping_add(k), node) };
    }
    nodes
}

/// Whether a GetAdaptersAddresses family matches an address.
fn family_has(family: i32, addr: IpAddr) -> bool {
    match family {
        abi::AF_INET => addr.is_ipv4(),
        abi::AF_INET6 => addr.is_ipv6(),
        _ => true,
    }
}

/// Lays out the adapters (first one at offset 0); returns the size used.
fn lay_out_adapters(
    arena: &mut Arena,
    adapters: &[&Interface],
    family: i32,
    flags: u32,
    dns: &[SocketAddr],
) -> usize {
    let heads = arena.reserve::<abi::IP_ADAPTER_ADDRESSES_LH>(adapters.len());
    for (k, i) in adapters.iter().enumerate() {
        let addrs: Vec<&InterfaceAddress> = i
            .addresses
            .iter()
            .filter(|a| family_has(family, a.addr) && a.state != AddressState::Duplicate)
            .collect();
        let has_v6 = i.addresses.iter().any(|a| a.addr.is_ipv6());
        let adapter_name = arena.narrow(&i.adapter_name());
        // Unicast nodes.
        let first_unicast = if flags & abi::GAA_FLAG_SKIP_UNICAST != 0 || addrs.is_empty() {
            std::ptr::null_mut()
        } else {
            let nodes = arena.reserve::<abi::IP_ADAPTER_UNICAST_ADDRESS_LH>(addrs.len());
            for (n, a) in addrs.iter().enumerate() {
                let address = arena.sockaddr(a.socket_addr(0));
                let (prefix_origin, suffix_origin, lease) = origins(i, a);
                let mut uflags = 0;
                if !i.is_loopback() && !a.is_link_local() && !a.temporary {
                    uflags |= abi::IP_ADAPTER_ADDRESS_DNS_ELIGIBLE;
                }
                if a.temporary {
                    uflags |= abi::IP_ADAPTER_ADDRESS_TRANSIENT;
                }
                let secs = |d: Option<std::time::Duration>| {
                    d.map_or(u32::MAX, |d| d.as_secs().min(u64::from(u32::MAX)) as u32)
                };
                let node = abi::IP_ADAPTER_UNICAST_ADDRESS_LH {
                    Length: size_of::<abi::IP_ADAPTER_UNICAST_ADDRESS_LH>() as u32,
                    Flags: uflags,
                    Next: if n + 1 < addrs.len() {
                        nodes.wrapping_add(n + 1)
                    } else {
                        std::ptr::null_mut()
                    },
                    Address: address,
                    PrefixOrigin: prefix_origin,
                    SuffixOrigin: suffix_origin,
                    DadState: a.state.windows(),
                    ValidLifetime: secs(a.valid_lifetime),
                    PreferredLifetime: secs(a.preferred_lifetime),
                    LeaseLifetime: lease,
                    OnLinkPrefixLength: a.prefix_len,
                };
                // SAFETY: reserved above.
                unsafe { arena.put(nodes.wrapping_add(n), node) };
            }
            nodes
        };
        let pick = |list: &[IpAddr]| -> Vec<SocketAddr> {
            list.iter()
                .filter(|a| family_has(family, **a))
                .map(|a| {
                    let zone = if is_link_local(*a) || multicast_link_scope(*a) {
                        i.index
                    } else {
                        0
                    };
                    match a {
                        IpAddr::V6(v6) => SocketAddr::V6(SocketAddrV6::new(*v6, 0, 0, zone)),
                        IpAddr::V4(_) => plain(*a),
                    }
                })
                .collect()
        };
        let first_anycast = if flags & abi::GAA_FLAG_SKIP_ANYCAST == 0 {
            node_list(arena, &pick(&i.anycast), 0)
        } else {
            std::ptr::null_mut()
        };
        let first_multicast = if flags & abi::GAA_FLAG_SKIP_MULTICAST == 0 {
            node_list(arena, &pick(&i.multicast), 0)
        } else {
            std::ptr::null_mut()
        };
        let first_dns =
            if flags & abi::GAA_FLAG_SKIP_DNS_SERVER == 0 && !i.is_loopback() && i.is_up() {
                let mine: Vec<SocketAddr> = dns
                    .iter()
                    .filter(|d| family_has(family, d.ip()))
                    .copied()
                    .collect();
                node_list(arena, &mine, 0)
            } else {
                std::ptr::null_mut()
            };
        let first_gateway = if flags & abi::GAA_FLAG_INCLUDE_GATEWAYS != 0 {
            node_list(arena, &pick(&i.gateways), 0)
        } else {
            std::ptr::null_mut()
        };
        let first_prefix = if flags & abi::GAA_FLAG_INCLUDE_PREFIX != 0 {
            let list = prefixes(i, family != abi::AF_INET6, family != abi::AF_INET);
            if list.is_empty() {
                std::ptr::null_mut()
            } else {
                let nodes = arena.reserve::<abi::IP_ADAPTER_PREFIX_XP>(list.len());
                for (n, (p, len)) in list.iter().enumerate() {
                    let address = arena.sockaddr(plain(*p));
                    let node = abi::IP_ADAPTER_PREFIX_XP {
                        Length: size_of::<abi::IP_ADAPTER_PREFIX_XP>() as u32,
                        Flags: 0,
                        Next: if n + 1 < list.len() {
                            nodes.wrapping_add(n + 1)
                        } else {
                            std::ptr::null_mut()
                        },
                        Address: address,
                        PrefixLength: u32::from(*len),
                    };
                    // SAFETY: reserved above.
                    unsafe { arena.put(nodes.wrapping_add(n), node) };
                }
                nodes
            }
        } else {
            std::ptr::null_mut()
        };
        let dns_suffix = arena.wide("");
        let description = arena.wide(&i.name);
        // GAA_FLAG_SKIP_FRIENDLY_NAME still needs the same room (iphlpapi.c
        // test_GetAdaptersAddresses): the name is reserved, an empty one written.
        let friendly = arena.wide(&i.name);
        if flags & abi::GAA_FLAG_SKIP_FRIENDLY_NAME != 0 {
            // SAFETY: `friendly` holds at least one u16.
            unsafe { arena.put(friendly, 0u16) };
        }
        let mut physical = [0u8; abi::MAX_ADAPTER_ADDRESS_LENGTH];
        let plen = i.hardware_address.len().min(physical.len());
        physical[..plen].copy_from_slice(&i.hardware_address[..plen]);
        let mut aflags = abi::IP_ADAPTER_IPV4_ENABLED;
        if has_v6 {
            aflags |= abi::IP_ADAPTER_IPV6_ENABLED;
        }
        if i.addresses.iter().any(|a| a.addr.is_ipv4() && !a.permanent) {
            aflags |= abi::IP_ADAPTER_DHCP_ENABLED;
        }
        if !i.flags.contains(InterfaceFlags::MULTICAST) {
            aflags |= abi::IP_ADAPTER_NO_MULTICAST;
        }
        let mut zones = [0u32; 16];
        // ScopeLevelInterface, Link, Subnet: the interface; Admin, Site,
        // Organization: the one default zone.
        zones[1..4].fill(i.index);
        zones[4..9].fill(1);
        let head = abi::IP_ADAPTER_ADDRESSES_LH {
            Length: size_of::<abi::IP_ADAPTER_ADDRESSES_LH>() as u32,
            IfIndex: i.index,
            Next: if k + 1 < adapters.len() {
                heads.wrapping_add(k + 1)
            } else {
                std::ptr::null_mut()
            },
            AdapterName: adapter_name,
            FirstUnicastAddress: first_unicast,
            FirstAnycastAddress: first_anycast,
            FirstMulticastAddress: first_multicast,
            FirstDnsServerAddress: first_dns,
            DnsSuffix: dns_suffix,
            Description: description,
            FriendlyName: friendly,
            PhysicalAddress: physical,
            PhysicalAddressLength: plen as u32,
            Flags: aflags,
            Mtu: i.mtu,
            IfType: i.if_type,
            OperStatus: i.oper_status.windows(),
            Ipv6IfIndex: if has_v6 { i.index } else { 0 },
            ZoneIndices: zones,
            FirstPrefix: first_prefix,
            TransmitLinkSpeed: 0,
            ReceiveLinkSpeed: 0,
            FirstWinsServerAddress: std::ptr::null_mut(),
            FirstGatewayAddress: first_gateway,
            Ipv4Metric: 0,
            Ipv6Metric: 0,
            Luid: names::luid(i.index, i.if_type),
            Dhcpv4Server: abi::SOCKET_ADDRESS::default(),
            CompartmentId: abi::NET_IF_COMPARTMENT_ID_PRIMARY,
            NetworkGuid: abi::GUID {
                Data1: 0,
                Data2: 0,
                Data3: 0,
                Data4: [0; 8],
            },
            ConnectionType: abi::NET_IF_CONNECTION_DEDICATED,
            TunnelType: if i.if_type == abi::IF_TYPE_TUNNEL {
                abi::TUNNEL_TYPE_OTHER
            } else {
                abi::TUNNEL_TYPE_NONE
            },
            Dhcpv6Server: abi::SOCKET_ADDRESS::default(),
            Dhcpv6ClientDuid: [0; abi::MAX_DHCPV6_DUID_LENGTH],
            Dhcpv6ClientDuidLength: 0,
            Dhcpv6Iaid: 0,
            FirstDnsSuffix: std::ptr::null_mut(),
        };
        // SAFETY: reserved above.
        unsafe { arena.put(heads.wrapping_add(k), head) };
    }
    arena.off
}

/// `ff02::/16`-style link-scope multicast (carries a zone like link-local).
fn multicast_link_scope(a: IpAddr) -> bool {
    matches!(a, IpAddr::V6(v6) if v6.segments()[0] & 0xff0f == 0xff02 || v6.segments()[0] & 0xff0f == 0xff01)
}

/// `GetAdaptersAddresses(Family, Flags, Reserved, AdapterAddresses, SizePointer)`.
///
/// # Safety
/// `size` null or a writable `ULONG`; `out` null or writable for `*size` bytes.
///
/// ```
/// # use ws2_abi::*;
/// let mut size = 0u32;
/// // SAFETY: `size` is a live local; no buffer: only the size is asked.
/// let r = unsafe { ws2::interfaces::iphlp::get_adapters_addresses(AF_UNSPEC as u32, 0,
///     std::ptr::null_mut(), std::ptr::null_mut(), &mut size) };
/// assert_eq!(r, ERROR_BUFFER_OVERFLOW);
/// let mut buf = vec![0u64; size as usize / 8 + 1];
/// // SAFETY: `buf` holds at least `size` bytes.
/// let r = unsafe { ws2::interfaces::iphlp::get_adapters_addresses(AF_UNSPEC as u32, 0,
///     std::ptr::null_mut(), buf.as_mut_ptr().cast(), &mut size) };
/// assert_eq!(r, NO_ERROR);
/// ```
pub unsafe fn get_adapters_addresses(
    family: u32,
    flags: u32,
    reserved: *mut c_void,
    out: *mut abi::IP_ADAPTER_ADDRESSES_LH,
    size: *mut u32,
) -> u32 {
    let family = family as i32;
    if size.is_null()
        || !reserved.is_null()
        || !matches!(family, abi::AF_UNSPEC | abi::AF_INET | abi::AF_INET6)
    {
        return abi::ERROR_INVALID_PARAMETER;
    }
    let skip_groups = abi::GAA_FLAG_SKIP_ANYCAST | abi::GAA_FLAG_SKIP_MULTICAST;
    let ifs = match read(Extras {
        groups: flags & skip_groups != skip_groups,
        gateways: flags & abi::GAA_FLAG_INCLUDE_GATEWAYS != 0,
    }) {
        Ok(ifs) => ifs,
        Err(e) => return win32_of(&e),
    };
    let all = flags & abi::GAA_FLAG_INCLUDE_ALL_INTERFACES != 0;
    let adapters: Vec<&Interface> = ifs
        .iter()
        .filter(|i| all || family != abi::AF_INET6 || i.addresses.iter().any(|a| a.addr.is_ipv6()))
        .collect();
    if adapters.is_empty() {
        return abi::ERROR_NO_DATA;
    }
    let dns = if flags & abi::GAA_FLAG_SKIP_DNS_SERVER == 0 {
        dns_servers()
    } else {
        Vec::new()
    };
    let needed = lay_out_adapters(&mut Arena::measure(), &adapters, family, flags, &dns);
    // SAFETY: size is a writable ULONG (checked non-null).
    let have = unsafe { size.read_unaligned() } as usize;
    if out.is_null() || have < needed {
        // SAFETY: as above.
        unsafe { size.write_unaligned(needed as u32) };
        return abi::ERROR_BUFFER_OVERFLOW;
    }
    let mut arena = Arena {
        base: out.cast(),
        off: 0,
    };
    lay_out_adapters(&mut arena, &adapters, family, flags, &dns);
    abi::NO_ERROR
}

/// Copies `text` into a fixed `char` array, NUL-terminated, cut to fit.
fn fixed<const N: usize>(text: &str) -> [c_char; N] {
    let mut out = [0 as c_char; N];
    for (d, s) in out.iter_mut().zip(text.bytes().take(N - 1)) {
        *d = s as c_char;
    }
    out
}

fn addr_string(addr: &str, mask: &str) -> abi::IP_ADDR_STRING {
    abi::IP_ADDR_STRING {
        Next: std::ptr::null_mut(),
        IpAddress: abi::IP_ADDRESS_STRING {
            String: fixed(addr),
        },
        IpMask: abi::IP_ADDRESS_STRING {
            String: fixed(mask),
        },
        Context: 0,
    }
}

/// Lays out `GetAdaptersInfo`'s chain; returns the size used.
fn lay_out_info(arena: &mut Arena, adapters: &[&Interface]) -> usize {
    let heads = arena.reserve::<abi::IP_ADAPTER_INFO>(adapters.len());
    for (k, i) in adapters.iter().enumerate() {
        let v4: Vec<(String, String)> = i
            .addresses
            .iter()
            .filter(|a| a.addr.is_ipv4())
            .map(|a| (a.addr.to_string(), a.netmask().to_string()))
            .collect();
        let gateways: Vec<(String, String)> = i
            .gateways
            .iter()
            .filter(|g| g.is_ipv4())
            .map(|g| (g.to_string(), "255.255.255.255".to_string()))
            .collect();
        // The first entry of each list is inline; the rest are chained
        // after the adapters.
        let mut chain = |list: &[(String, String)]| -> abi::IP_ADDR_STRING {
            let Some((first, rest)) = list.split_first() else {
                return addr_string("0.0.0.0", "0.0.0.0");
            };
            let mut head = addr_string(&first.0, &first.1);
            if !rest.is_empty() {
                let nodes = arena.reserve::<abi::IP_ADDR_STRING>(rest.len());
                head.Next = nodes;
                for (n, (a, m)) in rest.iter().enumerate() {
                    let mut node = addr_string(a, m);
                    if n + 1 < rest.len() {
                        node.Next = nodes.wrapping_add(n + 1);
                    }
                    // SAFETY: reserved above.
                    unsafe { arena.put(nodes.wrapping_add(n), node) };
                }
            }
            head
        };
        let ip_list = chain(&v4);
        let gateway_list = chain(&gateways);
        let mut address = [0u8; abi::MAX_ADAPTER_ADDRESS_LENGTH];
        let alen = i.hardware_address.len().min(address.len());
        address[..alen].copy_from_slice(&i.hardware_address[..alen]);
        let head = abi::IP_ADAPTER_INFO {
            Next: if k + 1 < adapters.len() {
                heads.wrapping_add(k + 1)
            } else {
                std::ptr::null_mut()
            },
            ComboIndex: i.index,
            AdapterName: fixed(&i.adapter_name()),
            Description: fixed(&i.name),
            AddressLength: alen as u32,
            Address: address,
            Index: i.index,
            Type: i.if_type,
            DhcpEnabled: u32::from(i.addresses.iter().any(|a| a.addr.is_ipv4() && !a.permanent)),
            CurrentIpAddress: std::ptr::null_mut(),
            IpAddressList: ip_list,
            GatewayList: gateway_list,
            DhcpServer: addr_string("", ""),
            HaveWins: 0,
            PrimaryWinsServer: addr_string("", ""),
            SecondaryWinsServer: addr_string("", ""),
            LeaseObtained: 0,
            LeaseExpires: 0,
        };
        // SAFETY: reserved above.
        unsafe { arena.put(heads.wrapping_add(k), head) };
    }
    arena.off
}

/// `GetAdaptersInfo(AdapterInfo, SizePointer)`: IPv4 adapters, loopback
/// excluded (iphlpapi.c `testGetAdaptersInfo`).
///
/// # Safety
/// `size` null or writable; `out` null or writable for `*size` bytes.
pub unsafe fn get_adapters_info(out: *mut abi::IP_ADAPTER_INFO, size: *mut u32) -> u32 {
    if size.is_null() {
        return abi::ERROR_INVALID_PARAMETER;
    }
    let ifs = match read(Extras {
        groups: false,
        gateways: true,
    }) {
        Ok(ifs) => ifs,
        Err(e) => return win32_of(&e),
    };
    let adapters: Vec<&Interface> = ifs.iter().filter(|i| !i.is_loopback()).collect();
    if adapters.is_empty() {
        return abi::ERROR_NO_DATA;
    }
    let needed = lay_out_info(&mut Arena::measure(), &adapters);
    // SAFETY: size writable (checked non-null).
    let have = unsafe { size.read_unaligned() } as usize;
    if out.is_null() || have < needed {
        // SAFETY: as above.
        unsafe { size.write_unaligned(needed as u32) };
        return abi::ERROR_BUFFER_OVERFLOW;
    }
    lay_out_info(
        &mut Arena {
            base: out.cast(),
            off: 0,
        },
        &adapters,
    );
    abi::NO_ERROR
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
    let addr = match family {
        abi::AF_INET => {
            // SAFETY: an AF_INET SOCKADDR is a SOCKADDR_IN.
            let s = unsafe { dest.cast::<abi::SOCKADDR_IN>().read_unaligned() };
            SocketAddr::new(Ipv4Addr::from(s.sin_addr.s_addr.to_ne_bytes()).into(), 0)
        }
        abi::AF_INET6 => {
            // SAFETY: an AF_INET6 SOCKADDR is a SOCKADDR_IN6.
            let s = unsafe { dest.cast::<abi::SOCKADDR_IN6>().read_unaligned() };
            SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(s.sin6_addr.s6_addr),
                0,
                0,
                s.sin6_scope_id,
            ))
        }
        _ => return abi::ERROR_INVALID_PARAMETER,
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
    let IpAddr::V4(mask) = super::prefix_mask(true, route.prefix_len) else {
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
    let issuer = match completion::current_thread() {
        Ok(t) => t.id,
        Err(e) => return win32_of(&e),
    };
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
