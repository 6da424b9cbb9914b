//! Interface discovery (SPEC P5): which interfaces the host has, their
//! addresses, and which local address the kernel would send from to reach
//! a peer, so a multi-homed sender can put the right source into
//! `IN_PKTINFO`.
//!
//! Everything is read from rtnetlink in the calling thread's network
//! namespace (`netlink`); nothing is cached, so each call sees the host
//! as it is. The safe API is [`interfaces()`] and [`route_to()`]; the
//! Windows faces built on them are the `WSAIoctl` codes
//! ([`raw::ioctl`](crate::raw::ioctl)), the IP Helper calls
//! ([`raw::iphlp`](crate::raw::iphlp)) and the address-change
//! notifications ([`addr_changes`](crate::addr_changes)), which the C ABI
//! calls. Names follow one scheme ([`names`]).
//!
//! ```
//! # use ws2_engine as ws2;
//! // Every host has a loopback interface with 127.0.0.1.
//! let all = ws2::interfaces()?;
//! let lo = all.iter().find(|i| i.is_loopback()).expect("a loopback interface");
//! assert!(lo.addresses.iter().any(|a| a.addr == std::net::Ipv4Addr::LOCALHOST));
//! // And the kernel sends to it from it.
//! let route = ws2::route_to("127.0.0.1:9".parse()?)?;
//! assert_eq!(route.interface_index, lo.index);
//! assert_eq!(route.source, std::net::Ipv4Addr::LOCALHOST);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod names;
mod netlink;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::time::Duration;

use ws2_abi as abi;

use crate::error::{Error, Result};
pub use names::luid_name;

/// An interface's flags. The bits below `0x20` are Windows' `IFF_*`
/// values (`INTERFACE_INFO.iiFlags`), so [`InterfaceFlags::bits`] masked
/// with `0x1f` is what `SIO_GET_INTERFACE_LIST` reports.
///
/// ```
/// # use ws2_engine as ws2;
/// use ws2::InterfaceFlags;
/// let f = InterfaceFlags::UP | InterfaceFlags::LOOPBACK;
/// assert!(f.contains(InterfaceFlags::UP) && !f.contains(InterfaceFlags::MULTICAST));
/// assert_eq!(f.bits(), 0x5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct InterfaceFlags(u32);

impl InterfaceFlags {
    /// Administratively up (`IFF_UP`).
    pub const UP: InterfaceFlags = InterfaceFlags(0x1);
    /// Has a broadcast address (`IFF_BROADCAST`).
    pub const BROADCAST: InterfaceFlags = InterfaceFlags(0x2);
    /// The loopback interface (`IFF_LOOPBACK`).
    pub const LOOPBACK: InterfaceFlags = InterfaceFlags(0x4);
    /// A point-to-point link (`IFF_POINTTOPOINT`).
    pub const POINT_TO_POINT: InterfaceFlags = InterfaceFlags(0x8);
    /// Supports multicast (`IFF_MULTICAST`).
    pub const MULTICAST: InterfaceFlags = InterfaceFlags(0x10);
    /// Operationally up: carrier present (Linux `IFF_RUNNING`; no Windows bit).
    pub const RUNNING: InterfaceFlags = InterfaceFlags(0x20);

    /// The raw bits.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: InterfaceFlags) -> bool {
        self.0 & other.0 == other.0
    }

    fn from_linux(flags: u32) -> InterfaceFlags {
        let pairs = [
            (libc::IFF_UP, InterfaceFlags::UP),
            (libc::IFF_BROADCAST, InterfaceFlags::BROADCAST),
            (libc::IFF_LOOPBACK, InterfaceFlags::LOOPBACK),
            (libc::IFF_POINTOPOINT, InterfaceFlags::POINT_TO_POINT),
            (libc::IFF_MULTICAST, InterfaceFlags::MULTICAST),
            (libc::IFF_RUNNING, InterfaceFlags::RUNNING),
        ];
        pairs
            .into_iter()
            .filter(|(linux, _)| flags & *linux as u32 != 0)
            .fold(InterfaceFlags(0), |acc, (_, f)| acc | f)
    }
}

impl std::ops::BitOr for InterfaceFlags {
    type Output = InterfaceFlags;
    fn bitor(self, rhs: InterfaceFlags) -> InterfaceFlags {
        InterfaceFlags(self.0 | rhs.0)
    }
}

/// An interface's operational state, in RFC 2863's terms (Windows'
/// `IF_OPER_STATUS`). Linux reports "unknown" for interfaces without a
/// carrier notion (loopback, dummy): those count as up when they are up
/// and running, as Windows reports its loopback interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperStatus {
    Up,
    Down,
    Testing,
    Unknown,
    Dormant,
    NotPresent,
    LowerLayerDown,
}

impl OperStatus {
    /// The `IF_OPER_STATUS` number (`IfOperStatusUp` = 1 ...).
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// assert_eq!(ws2::OperStatus::Up.windows(), 1);
    /// assert_eq!(ws2::OperStatus::LowerLayerDown.windows(), 7);
    /// ```
    pub fn windows(self) -> u32 {
        match self {
            OperStatus::Up => abi::IfOperStatusUp,
            OperStatus::Down => abi::IfOperStatusDown,
            OperStatus::Testing => abi::IfOperStatusTesting,
            OperStatus::Unknown => abi::IfOperStatusUnknown,
            OperStatus::Dormant => abi::IfOperStatusDormant,
            OperStatus::NotPresent => abi::IfOperStatusNotPresent,
            OperStatus::LowerLayerDown => abi::IfOperStatusLowerLayerDown,
        }
    }

    fn from_linux(state: u8, flags: InterfaceFlags) -> OperStatus {
        match state {
            netlink::IF_OPER_UP => OperStatus::Up,
            netlink::IF_OPER_DOWN => OperStatus::Down,
            netlink::IF_OPER_TESTING => OperStatus::Testing,
            netlink::IF_OPER_DORMANT => OperStatus::Dormant,
            netlink::IF_OPER_NOTPRESENT => OperStatus::NotPresent,
            netlink::IF_OPER_LOWERLAYERDOWN => OperStatus::LowerLayerDown,
            _ if flags.contains(InterfaceFlags::UP | InterfaceFlags::RUNNING) => OperStatus::Up,
            netlink::IF_OPER_UNKNOWN if !flags.contains(InterfaceFlags::UP) => OperStatus::Down,
            _ => OperStatus::Unknown,
        }
    }
}

/// Where an address stands in duplicate address detection (Windows'
/// `NL_DAD_STATE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressState {
    /// Usable as a source.
    Preferred,
    /// Being checked for duplicates: not usable yet.
    Tentative,
    /// Valid for existing traffic, not chosen for new.
    Deprecated,
    /// Another host has it.
    Duplicate,
}

impl AddressState {
    /// The `NL_DAD_STATE` number (`IpDadStatePreferred` = 4 ...).
    pub fn windows(self) -> u32 {
        match self {
            AddressState::Preferred => abi::IpDadStatePreferred,
            AddressState::Tentative => abi::IpDadStateTentative,
            AddressState::Deprecated => abi::IpDadStateDeprecated,
            AddressState::Duplicate => abi::IpDadStateDuplicate,
        }
    }
}

// IFA_F_* (linux/if_addr.h).
const IFA_F_TEMPORARY: u32 = 0x01;
const IFA_F_OPTIMISTIC: u32 = 0x04;
const IFA_F_DADFAILED: u32 = 0x08;
const IFA_F_DEPRECATED: u32 = 0x20;
const IFA_F_TENTATIVE: u32 = 0x40;
const IFA_F_PERMANENT: u32 = 0x80;
const IFA_F_STABLE_PRIVACY: u32 = 0x800;

/// One unicast address of an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceAddress {
    /// The address.
    pub addr: IpAddr,
    /// Its on-link prefix length.
    pub prefix_len: u8,
    /// The IPv4 broadcast address of its subnet, if the interface has one
    /// (the kernel's, or derived from the prefix on a broadcast link whose
    /// address was given without one).
    pub broadcast: Option<Ipv4Addr>,
    /// For an IPv6 link-local address, the interface index (its zone);
    /// 0 otherwise.
    pub scope_id: u32,
    /// Whether it can be used as a source now.
    pub state: AddressState,
    /// Configured by hand (or by a tool acting for the administrator), not
    /// by DHCP or autoconfiguration: it never expires.
    pub permanent: bool,
    /// An IPv6 temporary (privacy) address.
    pub temporary: bool,
    /// How long it stays valid; `None` is forever.
    pub valid_lifetime: Option<Duration>,
    /// How long it stays preferred; `None` is forever.
    pub preferred_lifetime: Option<Duration>,
    flags: u32,
}

impl InterfaceAddress {
    /// The address with `port`, ready for `bind` or a send's source; an
    /// IPv6 link-local address carries its zone.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let lo = ws2::interfaces()?.into_iter().find(|i| i.is_loopback()).unwrap();
    /// let a = lo.addresses.iter().find(|a| a.addr.is_ipv4()).unwrap();
    /// assert_eq!(a.socket_addr(53).to_string(), "127.0.0.1:53");
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn socket_addr(&self, port: u16) -> SocketAddr {
        match self.addr {
            IpAddr::V4(v4) => SocketAddr::new(v4.into(), port),
            IpAddr::V6(v6) => SocketAddr::V6(SocketAddrV6::new(v6, port, 0, self.scope_id)),
        }
    }

    /// The netmask of `prefix_len` (IPv4) or the prefix mask (IPv6).
    pub fn netmask(&self) -> IpAddr {
        prefix_mask(self.addr.is_ipv4(), self.prefix_len)
    }

    /// IPv6 link-local (`fe80::/10`) or IPv4 link-local (`169.254/16`).
    pub fn is_link_local(&self) -> bool {
        is_link_local(self.addr)
    }

    pub(crate) fn stable_privacy(&self) -> bool {
        self.flags & IFA_F_STABLE_PRIVACY != 0
    }
}

/// The Windows `SOCKADDR_IN`/`SOCKADDR_IN6` of an address (in a
/// `SOCKADDR_STORAGE`) and its length, 16 or 28.
pub(crate) fn windows_sockaddr(addr: SocketAddr) -> (abi::SOCKADDR_STORAGE, usize) {
    let mut storage = abi::SOCKADDR_STORAGE::default();
    let mut len = size_of::<abi::SOCKADDR_STORAGE>() as i32;
    // SAFETY: `storage` is writable for `len` (128) bytes, enough for either
    // family, so the conversion cannot fail.
    unsafe { crate::translate::socket_addr_to_windows(&addr, (&raw mut storage).cast(), &mut len) }
        .expect("a SOCKADDR_STORAGE holds any address");
    (storage, len as usize)
}

/// The mask of a prefix length.
pub(crate) fn prefix_mask(v4: bool, len: u8) -> IpAddr {
    if v4 {
        let len = u32::from(len.min(32));
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        IpAddr::V4(Ipv4Addr::from(mask))
    } else {
        let len = u32::from(len.min(128));
        let mask = if len == 0 {
            0
        } else {
            u128::MAX << (128 - len)
        };
        IpAddr::V6(Ipv6Addr::from(mask))
    }
}

pub(crate) fn is_link_local(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// One interface of the host, with its addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Interface {
    /// The interface index (`IfIndex`, `ipi_ifindex`, `sin6_scope_id`).
    pub index: u32,
    /// The Linux interface name (`eth0`): what Windows shows as the
    /// friendly name.
    pub name: String,
    /// The Linux link kind (`veth`, `bridge`, `dummy`...), if it has one.
    pub kind: Option<String>,
    /// The IANA interface type Windows reports (`IfType`): 24 loopback,
    /// 6 Ethernet, 131 tunnel...
    pub if_type: u32,
    /// Up, loopback, broadcast, multicast...
    pub flags: InterfaceFlags,
    /// Whether it can pass packets.
    pub oper_status: OperStatus,
    /// The link MTU in bytes.
    pub mtu: u32,
    /// The link-layer address (a MAC address for Ethernet; empty for loopback).
    pub hardware_address: Vec<u8>,
    /// Unicast addresses, IPv4 then IPv6, in the kernel's order.
    pub addresses: Vec<InterfaceAddress>,
    /// Multicast groups joined on it (IPv4 and IPv6).
    pub multicast: Vec<IpAddr>,
    /// IPv6 anycast addresses.
    pub anycast: Vec<IpAddr>,
    /// Default gateways reached through it.
    pub gateways: Vec<IpAddr>,
}

impl Interface {
    /// Whether this is the loopback interface.
    pub fn is_loopback(&self) -> bool {
        self.if_type == abi::IF_TYPE_SOFTWARE_LOOPBACK
    }

    /// The Windows `NET_LUID` value (see the naming scheme in the README).
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let lo = ws2::interfaces()?.into_iter().find(|i| i.is_loopback()).unwrap();
    /// assert_eq!(lo.luid() >> 48, 24);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn luid(&self) -> u64 {
        names::luid(self.index, self.if_type).Value
    }

    /// The Windows adapter name: an uppercase `{GUID}` stable for this
    /// interface (its index and name).
    pub fn adapter_name(&self) -> String {
        names::guid_string(&self.guid())
    }

    pub(crate) fn guid(&self) -> abi::GUID {
        names::guid(self.index, &self.name)
    }

    pub(crate) fn is_up(&self) -> bool {
        self.oper_status == OperStatus::Up
    }
}

/// What a snapshot reads besides links and addresses.
#[derive(Clone, Copy, Default)]
pub(crate) struct Extras {
    /// Multicast and anycast memberships.
    pub groups: bool,
    /// Default gateways (a route dump).
    pub gateways: bool,
}

/// Reads the host's interfaces (in the calling thread's namespace).
pub(crate) fn read(extras: Extras) -> Result<Vec<Interface>> {
    let mut nl = netlink::Rtnl::open()?;
    let mut links = nl.links()?;
    links.sort_by_key(|l| l.index);
    let addrs = nl.addresses()?;
    let (multicast, anycast) = if extras.groups {
        nl.groups()?
    } else {
        (Vec::new(), Vec::new())
    };
    let routes = if extras.gateways {
        nl.routes()?
    } else {
        Vec::new()
    };
    Ok(links
        .into_iter()
        .map(|l| {
            let flags = InterfaceFlags::from_linux(l.flags);
            let if_type = names::if_type(&l);
            let mut addresses: Vec<InterfaceAddress> = addrs
                .iter()
                .filter(|a| a.index == l.index)
                .map(|a| address_of(a, l.index, flags.contains(InterfaceFlags::BROADCAST)))
                .collect();
            addresses.sort_by_key(|a| a.addr.is_ipv6());
            Interface {
                index: l.index,
                oper_status: OperStatus::from_linux(l.oper_state, flags),
                hardware_address: if if_type == abi::IF_TYPE_SOFTWARE_LOOPBACK {
                    Vec::new()
                } else {
                    l.hardware_address.clone()
                },
                name: l.name,
                kind: l.kind,
                if_type,
                flags,
                mtu: l.mtu,
                addresses,
                multicast: multicast
                    .iter()
                    .filter(|g| g.index == l.index)
                    .map(|g| g.addr)
                    .collect(),
                anycast: anycast
                    .iter()
                    .filter(|g| g.index == l.index)
                    .map(|g| g.addr)
                    .collect(),
                gateways: routes
                    .iter()
                    .filter(|r| r.dst_len == 0 && r.oif == Some(l.index))
                    .filter_map(|r| r.gateway)
                    .collect(),
            }
        })
        .collect())
}

fn lifetime(seconds: u32) -> Option<Duration> {
    (seconds != u32::MAX).then(|| Duration::from_secs(seconds.into()))
}

/// The subnet broadcast of an IPv4 address on a broadcast link whose
/// address came without one (`ip addr add` without `brd`): Windows always
/// reports it; /31 and /32 have none.
fn derived_broadcast(a: &netlink::Addr, link_broadcast: bool) -> Option<Ipv4Addr> {
    match a.addr {
        IpAddr::V4(v4) if a.broadcast.is_none() && link_broadcast && a.prefix_len < 31 => {
            let host_bits = u32::MAX >> a.prefix_len;
            Some(Ipv4Addr::from(u32::from(v4) | host_bits))
        }
        _ => a.broadcast,
    }
}

fn address_of(a: &netlink::Addr, index: u32, link_broadcast: bool) -> InterfaceAddress {
    let state = if a.flags & IFA_F_DADFAILED != 0 {
        AddressState::Duplicate
    } else if a.flags & (IFA_F_TENTATIVE | IFA_F_OPTIMISTIC) != 0 {
        AddressState::Tentative
    } else if a.flags & IFA_F_DEPRECATED != 0 || a.preferred == 0 {
        AddressState::Deprecated
    } else {
        AddressState::Preferred
    };
    InterfaceAddress {
        addr: a.addr,
        prefix_len: a.prefix_len,
        broadcast: derived_broadcast(a, link_broadcast),
        scope_id: if a.addr.is_ipv6() && is_link_local(a.addr) {
            index
        } else {
            0
        },
        state,
        // IPv4 addresses carry IFA_F_PERMANENT unless a lifetime was given
        // (DHCP clients give one); IPv6 the same (SLAAC gives one).
        permanent: a.flags & IFA_F_PERMANENT != 0 || a.valid == u32::MAX,
        temporary: a.addr.is_ipv6() && a.flags & IFA_F_TEMPORARY != 0,
        valid_lifetime: lifetime(a.valid),
        preferred_lifetime: lifetime(a.preferred),
        flags: a.flags,
    }
}

/// The host's interfaces with their addresses, multicast and anycast
/// memberships and default gateways, read now from the kernel (in the
/// calling thread's network namespace), in interface-index order.
///
/// ```
/// # use ws2_engine as ws2;
/// for i in ws2::interfaces()? {
///     for a in &i.addresses {
///         println!("{} ({}): {}/{}", i.name, i.index, a.addr, a.prefix_len);
///     }
/// }
/// # Ok::<(), ws2::Error>(())
/// ```
pub fn interfaces() -> Result<Vec<Interface>> {
    read(Extras {
        groups: true,
        gateways: true,
    })
}

/// The kernel's answer to "how would I reach this destination?".
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The local address a datagram to the destination would carry: what
    /// to put into `IN_PKTINFO`/`IN6_PKTINFO` or `bind` to.
    pub source: IpAddr,
    /// The interface it leaves by.
    pub interface_index: u32,
    /// The next hop, when not on-link.
    pub gateway: Option<IpAddr>,
    /// The matching routing-table entry's prefix and length
    /// (`127.0.0.1/32` for a local address: the local table's host route).
    pub prefix: IpAddr,
    pub prefix_len: u8,
    /// The matching entry's metric (priority).
    pub metric: u32,
    /// Whether the destination is an address of this host.
    pub local: bool,
    pub(crate) protocol: u8,
}

impl Route {
    /// [`Route::source`] with `port`; an IPv6 link-local source carries its
    /// interface as zone.
    pub fn source_socket_addr(&self, port: u16) -> SocketAddr {
        match self.source {
            IpAddr::V4(v4) => SocketAddr::new(v4.into(), port),
            IpAddr::V6(v6) => {
                let zone = if is_link_local(self.source) {
                    self.interface_index
                } else {
                    0
                };
                SocketAddr::V6(SocketAddrV6::new(v6, port, 0, zone))
            }
        }
    }
}

/// Which local address and interface the kernel would use to send to
/// `destination` (its port is ignored; an IPv6 link-local destination's
/// `scope_id` names the interface), as `SIO_ROUTING_INTERFACE_QUERY` and
/// `GetBestRoute` answer it: the unspecified address is `WSAEINVAL`, a
/// scope id on a destination that is not link-local `WSAEINVAL`, no route
/// `WSAENETUNREACH`.
///
/// ```
/// # use ws2_engine as ws2;
/// use std::net::Ipv6Addr;
/// let r = ws2::route_to("[::1]:443".parse()?)?;
/// assert_eq!(r.source, Ipv6Addr::LOCALHOST);
/// assert!(r.local);
/// let bad = ws2::route_to("0.0.0.0:9".parse()?).unwrap_err();
/// assert_eq!(bad.code(), ws2::WSAEINVAL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn route_to(destination: SocketAddr) -> Result<Route> {
    let ip = destination.ip();
    if ip.is_unspecified() {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("the destination {ip} is the unspecified address: nothing routes to it"),
        ));
    }
    let oif = match destination {
        SocketAddr::V6(v6) if v6.scope_id() != 0 => {
            let scoped = is_link_local(ip) || v6.ip().segments()[0] & 0xff0f == 0xff02;
            if !scoped {
                return Err(Error::new(
                    abi::WSAEINVAL,
                    format!(
                        "sin6_scope_id {} on {ip}, which is not link-local: only link-local \
                         destinations take a zone",
                        v6.scope_id()
                    ),
                ));
            }
            Some(v6.scope_id())
        }
        _ => None,
    };
    let mut nl = netlink::Rtnl::open()?;
    let resolved = nl.route_get(ip, oif, false).map_err(unreachable_to(ip))?;
    let entry = nl
        .route_get(ip, oif, true)
        .unwrap_or_else(|_| resolved.clone());
    let interface_index = resolved.oif.or(entry.oif).ok_or_else(|| {
        Error::new(
            abi::WSAENETUNREACH,
            format!("the route to {ip} names no interface"),
        )
    })?;
    let source = match resolved.prefsrc {
        Some(s) => s,
        None => source_by_connect(destination)?,
    };
    let (prefix, prefix_len) = match entry.dst {
        Some(d) => (d, entry.dst_len),
        None if ip.is_ipv4() => (IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        None => (IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
    };
    Ok(Route {
        source,
        interface_index,
        gateway: resolved.gateway,
        prefix,
        prefix_len,
        metric: entry.priority,
        local: resolved.kind == netlink::RTN_LOCAL,
        protocol: entry.protocol,
    })
}

/// No route: `WSAENETUNREACH` whatever the kernel's errno (it may say
/// `EHOSTUNREACH` or `EACCES` for unreachable or prohibit routes).
fn unreachable_to(ip: IpAddr) -> impl FnOnce(Error) -> Error {
    move |e| {
        if e.code() == abi::WSAENOBUFS || e.code() == abi::WSASYSCALLFAILURE {
            return e;
        }
        Error::new(
            abi::WSAENETUNREACH,
            format!("no route to {ip} ({})", e.message()),
        )
    }
}

/// The source the kernel picks, asked the other way: a connected UDP
/// socket's local address (used only when the route lookup names none).
fn source_by_connect(destination: SocketAddr) -> Result<IpAddr> {
    let any: SocketAddr = if destination.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let probe = std::net::UdpSocket::bind(any)
        .and_then(|s| {
            let mut to = destination;
            to.set_port(9);
            s.connect(to)?;
            s.local_addr()
        })
        .map_err(|e| {
            Error::new(
                e.raw_os_error()
                    .map(abi::wsa_from_errno)
                    .unwrap_or(abi::WSAENETUNREACH),
                format!("choosing a source for {destination}: {e}"),
            )
        })?;
    Ok(probe.ip())
}
