//! `GetAdaptersAddresses` and `GetAdaptersInfo` (SPEC P5): the adapter
//! chains laid out straight into the caller's buffer. The size a buffer
//! needs is found by laying the same structures out without writing
//! ([`Arena`]), so the two can never disagree.

use std::ffi::{c_char, c_void};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

use ws2_abi as abi;

use super::win32_of;
use crate::interfaces::{
    AddressState, Extras, Interface, InterfaceAddress, InterfaceFlags, is_link_local, names, read,
    windows_sockaddr,
};

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
        let (bytes, len) = windows_sockaddr(addr);
        let p: *mut u8 = if addr.is_ipv4() {
            self.reserve::<abi::SOCKADDR_IN>(1).cast()
        } else {
            self.reserve::<abi::SOCKADDR_IN6>(1).cast()
        };
        if self.writing() {
            // SAFETY: reserved just above for `len` bytes (the sockaddr's size).
            unsafe { std::ptr::copy_nonoverlapping((&raw const bytes).cast::<u8>(), p, len) };
        }
        abi::SOCKET_ADDRESS {
            lpSockaddr: p.cast(),
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

fn plain(addr: IpAddr) -> SocketAddr {
    SocketAddr::new(addr, 0)
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
/// let r = unsafe { ws2_engine::raw::iphlp::get_adapters_addresses(AF_UNSPEC as u32, 0,
///     std::ptr::null_mut(), std::ptr::null_mut(), &mut size) };
/// assert_eq!(r, ERROR_BUFFER_OVERFLOW);
/// let mut buf = vec![0u64; size as usize / 8 + 1];
/// // SAFETY: `buf` holds at least `size` bytes.
/// let r = unsafe { ws2_engine::raw::iphlp::get_adapters_addresses(AF_UNSPEC as u32, 0,
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
