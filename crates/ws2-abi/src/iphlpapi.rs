//! The IP Helper API's types and numbers (`iphlpapi.h`, `iptypes.h`,
//! `ipifcons.h`, `ifdef.h`, `ipmib.h`, `netioapi.h`) with their 64-bit
//! Windows layouts (SPEC P5). Sizes and offsets are pinned by the tests
//! below and by `_Static_assert`s in the C headers.

use core::ffi::c_char;

use crate::ifioctl::SOCKET_ADDRESS;
use crate::types::{BOOL, DWORD, GUID, UINT, ULONG, WCHAR};

pub type IF_INDEX = ULONG;
pub type NET_IFINDEX = ULONG;
pub type IFTYPE = ULONG;
pub type IPAddr = ULONG;
pub type IPMask = ULONG;

// ---------------------------------------------------------------------------
// Win32 error codes the IP Helper calls return.

pub const NO_ERROR: DWORD = 0;
pub const ERROR_FILE_NOT_FOUND: DWORD = 2;
pub const ERROR_NOT_ENOUGH_MEMORY: DWORD = 8;
pub const ERROR_INVALID_DATA: DWORD = 13;
pub const ERROR_BUFFER_OVERFLOW: DWORD = 111;
pub const ERROR_INVALID_NAME: DWORD = 123;
pub const ERROR_NO_DATA: DWORD = 232;
pub const ERROR_CAN_NOT_COMPLETE: DWORD = 1003;
pub const ERROR_NOT_FOUND: DWORD = 1168;
pub const ERROR_CANCELLED: DWORD = 1223;

// ---------------------------------------------------------------------------
// GetAdaptersAddresses flags and adapter flags (iptypes.h).

pub const GAA_FLAG_SKIP_UNICAST: ULONG = 0x0001;
pub const GAA_FLAG_SKIP_ANYCAST: ULONG = 0x0002;
pub const GAA_FLAG_SKIP_MULTICAST: ULONG = 0x0004;
pub const GAA_FLAG_SKIP_DNS_SERVER: ULONG = 0x0008;
pub const GAA_FLAG_INCLUDE_PREFIX: ULONG = 0x0010;
pub const GAA_FLAG_SKIP_FRIENDLY_NAME: ULONG = 0x0020;
pub const GAA_FLAG_INCLUDE_WINS_INFO: ULONG = 0x0040;
pub const GAA_FLAG_INCLUDE_GATEWAYS: ULONG = 0x0080;
pub const GAA_FLAG_INCLUDE_ALL_INTERFACES: ULONG = 0x0100;
pub const GAA_FLAG_INCLUDE_ALL_COMPARTMENTS: ULONG = 0x0200;
pub const GAA_FLAG_INCLUDE_TUNNEL_BINDINGORDER: ULONG = 0x0400;

pub const IP_ADAPTER_DDNS_ENABLED: ULONG = 0x0001;
pub const IP_ADAPTER_REGISTER_ADAPTER_SUFFIX: ULONG = 0x0002;
pub const IP_ADAPTER_DHCP_ENABLED: ULONG = 0x0004;
pub const IP_ADAPTER_RECEIVE_ONLY: ULONG = 0x0008;
pub const IP_ADAPTER_NO_MULTICAST: ULONG = 0x0010;
pub const IP_ADAPTER_IPV6_OTHER_STATEFUL_CONFIG: ULONG = 0x0020;
pub const IP_ADAPTER_NETBIOS_OVER_TCPIP_ENABLED: ULONG = 0x0040;
pub const IP_ADAPTER_IPV4_ENABLED: ULONG = 0x0080;
pub const IP_ADAPTER_IPV6_ENABLED: ULONG = 0x0100;
pub const IP_ADAPTER_IPV6_MANAGE_ADDRESS_CONFIG: ULONG = 0x0200;

pub const IP_ADAPTER_ADDRESS_DNS_ELIGIBLE: ULONG = 0x01;
pub const IP_ADAPTER_ADDRESS_TRANSIENT: ULONG = 0x02;

pub const MAX_ADAPTER_NAME_LENGTH: usize = 256;
pub const MAX_ADAPTER_DESCRIPTION_LENGTH: usize = 128;
pub const MAX_ADAPTER_ADDRESS_LENGTH: usize = 8;
pub const MAX_DHCPV6_DUID_LENGTH: usize = 130;
pub const MAX_DNS_SUFFIX_STRING_LENGTH: usize = 256;
pub const IF_MAX_STRING_SIZE: usize = 256;
pub const NDIS_IF_MAX_STRING_SIZE: usize = IF_MAX_STRING_SIZE;
pub const IF_NAMESIZE: usize = NDIS_IF_MAX_STRING_SIZE;
pub const IF_MAX_PHYS_ADDRESS_LENGTH: usize = 32;

// ---------------------------------------------------------------------------
// Interface types (IANA ifType, ipifcons.h) and states (ifdef.h).

pub const IF_TYPE_OTHER: IFTYPE = 1;
pub const IF_TYPE_ETHERNET_CSMACD: IFTYPE = 6;
pub const IF_TYPE_ISO88025_TOKENRING: IFTYPE = 9;
pub const IF_TYPE_PPP: IFTYPE = 23;
pub const IF_TYPE_SOFTWARE_LOOPBACK: IFTYPE = 24;
pub const IF_TYPE_ATM: IFTYPE = 37;
pub const IF_TYPE_IEEE80211: IFTYPE = 71;
pub const IF_TYPE_TUNNEL: IFTYPE = 131;
pub const IF_TYPE_IEEE1394: IFTYPE = 144;
pub const IF_TYPE_INFINIBAND: IFTYPE = 199;

pub const MIB_IF_TYPE_OTHER: UINT = 1;
pub const MIB_IF_TYPE_ETHERNET: UINT = 6;
pub const MIB_IF_TYPE_TOKENRING: UINT = 9;
pub const MIB_IF_TYPE_FDDI: UINT = 15;
pub const MIB_IF_TYPE_PPP: UINT = 23;
pub const MIB_IF_TYPE_LOOPBACK: UINT = 24;
pub const MIB_IF_TYPE_SLIP: UINT = 28;

/// `IF_OPER_STATUS`.
pub const IfOperStatusUp: u32 = 1;
pub const IfOperStatusDown: u32 = 2;
pub const IfOperStatusTesting: u32 = 3;
pub const IfOperStatusUnknown: u32 = 4;
pub const IfOperStatusDormant: u32 = 5;
pub const IfOperStatusNotPresent: u32 = 6;
pub const IfOperStatusLowerLayerDown: u32 = 7;

/// `NL_PREFIX_ORIGIN`.
pub const IpPrefixOriginOther: u32 = 0;
pub const IpPrefixOriginManual: u32 = 1;
pub const IpPrefixOriginWellKnown: u32 = 2;
pub const IpPrefixOriginDhcp: u32 = 3;
pub const IpPrefixOriginRouterAdvertisement: u32 = 4;
/// `NL_SUFFIX_ORIGIN`.
pub const IpSuffixOriginOther: u32 = 0;
pub const IpSuffixOriginManual: u32 = 1;
pub const IpSuffixOriginWellKnown: u32 = 2;
pub const IpSuffixOriginDhcp: u32 = 3;
pub const IpSuffixOriginLinkLayerAddress: u32 = 4;
pub const IpSuffixOriginRandom: u32 = 5;
/// `NL_DAD_STATE`.
pub const IpDadStateInvalid: u32 = 0;
pub const IpDadStateTentative: u32 = 1;
pub const IpDadStateDuplicate: u32 = 2;
pub const IpDadStateDeprecated: u32 = 3;
pub const IpDadStatePreferred: u32 = 4;

/// `NET_IF_CONNECTION_TYPE`, `TUNNEL_TYPE`, compartments.
pub const NET_IF_CONNECTION_DEDICATED: u32 = 1;
pub const TUNNEL_TYPE_NONE: u32 = 0;
pub const TUNNEL_TYPE_OTHER: u32 = 1;
pub const NET_IF_COMPARTMENT_ID_PRIMARY: u32 = 1;

/// `MIB_IPADDRROW.wType`.
pub const MIB_IPADDR_PRIMARY: u16 = 0x0001;
pub const MIB_IPADDR_DYNAMIC: u16 = 0x0004;
pub const MIB_IPADDR_DISCONNECTED: u16 = 0x0008;
pub const MIB_IPADDR_DELETED: u16 = 0x0040;
pub const MIB_IPADDR_TRANSIENT: u16 = 0x0080;

/// `MIB_IPFORWARD_TYPE`.
pub const MIB_IPROUTE_TYPE_OTHER: DWORD = 1;
pub const MIB_IPROUTE_TYPE_INVALID: DWORD = 2;
pub const MIB_IPROUTE_TYPE_DIRECT: DWORD = 3;
pub const MIB_IPROUTE_TYPE_INDIRECT: DWORD = 4;
/// `MIB_IPFORWARD_PROTO` (`MIB_IPPROTO_*`).
pub const MIB_IPPROTO_OTHER: DWORD = 1;
pub const MIB_IPPROTO_LOCAL: DWORD = 2;
pub const MIB_IPPROTO_NETMGMT: DWORD = 3;
pub const MIB_IPPROTO_ICMP: DWORD = 4;
pub const MIB_IPPROTO_RIP: DWORD = 8;
pub const MIB_IPPROTO_OSPF: DWORD = 13;
pub const MIB_IPPROTO_BGP: DWORD = 14;
pub const MIB_IPPROTO_NT_AUTOSTATIC: DWORD = 10002;
pub const MIB_IPPROTO_NT_STATIC: DWORD = 10006;
pub const MIB_IPPROTO_NT_STATIC_NON_DOD: DWORD = 10007;

// ---------------------------------------------------------------------------
// NET_LUID (ifdef.h)

/// `NET_LUID_LH`: a `ULONG64` whose bits 24–47 are `NetLuidIndex` and
/// 48–63 `IfType` (bits 0–23 reserved, zero).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NET_LUID {
    pub Value: u64,
}

impl NET_LUID {
    /// The LUID of interface type `if_type` and index `net_luid_index`
    /// (24 bits).
    ///
    /// ```
    /// let luid = ws2_abi::NET_LUID::new(6, 3);
    /// assert_eq!((luid.if_type(), luid.net_luid_index()), (6, 3));
    /// assert_eq!(luid.Value, 6 << 48 | 3 << 24);
    /// ```
    pub const fn new(if_type: IFTYPE, net_luid_index: u32) -> NET_LUID {
        NET_LUID {
            Value: ((if_type as u64 & 0xffff) << 48) | ((net_luid_index as u64 & 0xff_ffff) << 24),
        }
    }

    /// `Info.IfType`.
    pub const fn if_type(self) -> IFTYPE {
        (self.Value >> 48) as IFTYPE
    }

    /// `Info.NetLuidIndex`.
    pub const fn net_luid_index(self) -> u32 {
        ((self.Value >> 24) & 0xff_ffff) as u32
    }

    /// `Info.Reserved`.
    pub const fn reserved(self) -> u32 {
        (self.Value & 0xff_ffff) as u32
    }
}

// ---------------------------------------------------------------------------
// GetAdaptersAddresses (iptypes.h): the _LH structures of Vista SP1 and later.

/// `IP_ADAPTER_UNICAST_ADDRESS_LH`: 64 bytes (the `_XP` form is the first 56).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IP_ADAPTER_UNICAST_ADDRESS_LH {
    pub Length: ULONG,
    pub Flags: DWORD,
    pub Next: *mut IP_ADAPTER_UNICAST_ADDRESS_LH,
    pub Address: SOCKET_ADDRESS,
    pub PrefixOrigin: u32,
    pub SuffixOrigin: u32,
    pub DadState: u32,
    pub ValidLifetime: ULONG,
    pub PreferredLifetime: ULONG,
    pub LeaseLifetime: ULONG,
    pub OnLinkPrefixLength: u8,
}

/// The 32-byte node of the anycast, multicast, DNS-server, WINS-server and
/// gateway lists (`IP_ADAPTER_ANYCAST_ADDRESS_XP`, `..._MULTICAST_...`,
/// `..._DNS_SERVER_...`, `..._WINS_SERVER_ADDRESS_LH`,
/// `..._GATEWAY_ADDRESS_LH`: one layout; `Flags` is `Reserved` in some).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IP_ADAPTER_ADDRESS_NODE {
    pub Length: ULONG,
    pub Flags: DWORD,
    pub Next: *mut IP_ADAPTER_ADDRESS_NODE,
    pub Address: SOCKET_ADDRESS,
}

pub type IP_ADAPTER_ANYCAST_ADDRESS_XP = IP_ADAPTER_ADDRESS_NODE;
pub type IP_ADAPTER_MULTICAST_ADDRESS_XP = IP_ADAPTER_ADDRESS_NODE;
pub type IP_ADAPTER_DNS_SERVER_ADDRESS_XP = IP_ADAPTER_ADDRESS_NODE;
pub type IP_ADAPTER_WINS_SERVER_ADDRESS_LH = IP_ADAPTER_ADDRESS_NODE;
pub type IP_ADAPTER_GATEWAY_ADDRESS_LH = IP_ADAPTER_ADDRESS_NODE;

/// `IP_ADAPTER_PREFIX_XP`: 40 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IP_ADAPTER_PREFIX_XP {
    pub Length: ULONG,
    pub Flags: DWORD,
    pub Next: *mut IP_ADAPTER_PREFIX_XP,
    pub Address: SOCKET_ADDRESS,
    pub PrefixLength: ULONG,
}

/// `IP_ADAPTER_DNS_SUFFIX`: 520 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IP_ADAPTER_DNS_SUFFIX {
    pub Next: *mut IP_ADAPTER_DNS_SUFFIX,
    pub String: [WCHAR; MAX_DNS_SUFFIX_STRING_LENGTH],
}

/// `IP_ADAPTER_ADDRESSES_LH`: 448 bytes; `Length` says which version the
/// caller got (184 = `_XP`, ending after `FirstPrefix`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IP_ADAPTER_ADDRESSES_LH {
    pub Length: ULONG,
    pub IfIndex: IF_INDEX,
    pub Next: *mut IP_ADAPTER_ADDRESSES_LH,
    pub AdapterName: *mut c_char,
    pub FirstUnicastAddress: *mut IP_ADAPTER_UNICAST_ADDRESS_LH,
    pub FirstAnycastAddress: *mut IP_ADAPTER_ADDRESS_NODE,
    pub FirstMulticastAddress: *mut IP_ADAPTER_ADDRESS_NODE,
    pub FirstDnsServerAddress: *mut IP_ADAPTER_ADDRESS_NODE,
    pub DnsSuffix: *mut WCHAR,
    pub Description: *mut WCHAR,
    pub FriendlyName: *mut WCHAR,
    pub PhysicalAddress: [u8; MAX_ADAPTER_ADDRESS_LENGTH],
    pub PhysicalAddressLength: ULONG,
    pub Flags: ULONG,
    pub Mtu: ULONG,
    pub IfType: IFTYPE,
    pub OperStatus: u32,
    pub Ipv6IfIndex: IF_INDEX,
    pub ZoneIndices: [ULONG; 16],
    pub FirstPrefix: *mut IP_ADAPTER_PREFIX_XP,
    pub TransmitLinkSpeed: u64,
    pub ReceiveLinkSpeed: u64,
    pub FirstWinsServerAddress: *mut IP_ADAPTER_ADDRESS_NODE,
    pub FirstGatewayAddress: *mut IP_ADAPTER_ADDRESS_NODE,
    pub Ipv4Metric: ULONG,
    pub Ipv6Metric: ULONG,
    pub Luid: NET_LUID,
    pub Dhcpv4Server: SOCKET_ADDRESS,
    pub CompartmentId: u32,
    pub NetworkGuid: GUID,
    pub ConnectionType: u32,
    pub TunnelType: u32,
    pub Dhcpv6Server: SOCKET_ADDRESS,
    pub Dhcpv6ClientDuid: [u8; MAX_DHCPV6_DUID_LENGTH],
    pub Dhcpv6ClientDuidLength: ULONG,
    pub Dhcpv6Iaid: ULONG,
    pub FirstDnsSuffix: *mut IP_ADAPTER_DNS_SUFFIX,
}

pub type IP_ADAPTER_ADDRESSES = IP_ADAPTER_ADDRESSES_LH;
/// The size of the `_XP` form (through `FirstPrefix`).
pub const IP_ADAPTER_ADDRESSES_XP_SIZE: usize = 184;

// ---------------------------------------------------------------------------
// GetAdaptersInfo (iptypes.h)

/// `IP_ADDRESS_STRING` / `IP_MASK_STRING`: a dotted quad in 16 chars.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct IP_ADDRESS_STRING {
    pub String: [c_char; 16],
}

/// `IP_ADDR_STRING`: 48 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IP_ADDR_STRING {
    pub Next: *mut IP_ADDR_STRING,
    pub IpAddress: IP_ADDRESS_STRING,
    pub IpMask: IP_ADDRESS_STRING,
    pub Context: DWORD,
}

/// `IP_ADAPTER_INFO`: 704 bytes (`time_t` is 8 bytes on 64-bit Windows).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IP_ADAPTER_INFO {
    pub Next: *mut IP_ADAPTER_INFO,
    pub ComboIndex: DWORD,
    pub AdapterName: [c_char; MAX_ADAPTER_NAME_LENGTH + 4],
    pub Description: [c_char; MAX_ADAPTER_DESCRIPTION_LENGTH + 4],
    pub AddressLength: UINT,
    pub Address: [u8; MAX_ADAPTER_ADDRESS_LENGTH],
    pub Index: DWORD,
    pub Type: UINT,
    pub DhcpEnabled: UINT,
    pub CurrentIpAddress: *mut IP_ADDR_STRING,
    pub IpAddressList: IP_ADDR_STRING,
    pub GatewayList: IP_ADDR_STRING,
    pub DhcpServer: IP_ADDR_STRING,
    pub HaveWins: BOOL,
    pub PrimaryWinsServer: IP_ADDR_STRING,
    pub SecondaryWinsServer: IP_ADDR_STRING,
    pub LeaseObtained: i64,
    pub LeaseExpires: i64,
}

// ---------------------------------------------------------------------------
// GetIpAddrTable, GetBestRoute (ipmib.h)

/// `MIB_IPADDRROW`: 24 bytes; addresses and masks in network byte order.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MIB_IPADDRROW {
    pub dwAddr: DWORD,
    pub dwIndex: IF_INDEX,
    pub dwMask: DWORD,
    pub dwBCastAddr: DWORD,
    pub dwReasmSize: DWORD,
    pub unused1: u16,
    pub wType: u16,
}

/// `MIB_IPADDRTABLE { DWORD dwNumEntries; MIB_IPADDRROW table[1]; }`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MIB_IPADDRTABLE {
    pub dwNumEntries: DWORD,
    pub table: [MIB_IPADDRROW; 1],
}

/// Bytes before `MIB_IPADDRTABLE.table[0]`.
pub const MIB_IPADDRTABLE_HEADER: usize = 4;

/// `MIB_IPFORWARDROW`: 56 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MIB_IPFORWARDROW {
    pub dwForwardDest: DWORD,
    pub dwForwardMask: DWORD,
    pub dwForwardPolicy: DWORD,
    pub dwForwardNextHop: DWORD,
    pub dwForwardIfIndex: IF_INDEX,
    pub dwForwardType: DWORD,
    pub dwForwardProto: DWORD,
    pub dwForwardAge: DWORD,
    pub dwForwardNextHopAS: DWORD,
    pub dwForwardMetric1: DWORD,
    pub dwForwardMetric2: DWORD,
    pub dwForwardMetric3: DWORD,
    pub dwForwardMetric4: DWORD,
    pub dwForwardMetric5: DWORD,
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn adapter_addresses_layout_is_windows_lh() {
        // P5: the sheet's table 0.4 (IP_ADAPTER_ADDRESSES_LH, x64).
        type A = IP_ADAPTER_ADDRESSES_LH;
        assert_eq!(size_of::<A>(), 448);
        let offsets = [
            (offset_of!(A, IfIndex), 4),
            (offset_of!(A, Next), 8),
            (offset_of!(A, AdapterName), 16),
            (offset_of!(A, FirstUnicastAddress), 24),
            (offset_of!(A, FirstAnycastAddress), 32),
            (offset_of!(A, FirstMulticastAddress), 40),
            (offset_of!(A, FirstDnsServerAddress), 48),
            (offset_of!(A, DnsSuffix), 56),
            (offset_of!(A, Description), 64),
            (offset_of!(A, FriendlyName), 72),
            (offset_of!(A, PhysicalAddress), 80),
            (offset_of!(A, PhysicalAddressLength), 88),
            (offset_of!(A, Flags), 92),
            (offset_of!(A, Mtu), 96),
            (offset_of!(A, IfType), 100),
            (offset_of!(A, OperStatus), 104),
            (offset_of!(A, Ipv6IfIndex), 108),
            (offset_of!(A, ZoneIndices), 112),
            (offset_of!(A, FirstPrefix), 176),
            (offset_of!(A, TransmitLinkSpeed), 184),
            (offset_of!(A, ReceiveLinkSpeed), 192),
            (offset_of!(A, FirstWinsServerAddress), 200),
            (offset_of!(A, FirstGatewayAddress), 208),
            (offset_of!(A, Ipv4Metric), 216),
            (offset_of!(A, Ipv6Metric), 220),
            (offset_of!(A, Luid), 224),
            (offset_of!(A, Dhcpv4Server), 232),
            (offset_of!(A, CompartmentId), 248),
            (offset_of!(A, NetworkGuid), 252),
            (offset_of!(A, ConnectionType), 268),
            (offset_of!(A, TunnelType), 272),
            (offset_of!(A, Dhcpv6Server), 280),
            (offset_of!(A, Dhcpv6ClientDuid), 296),
            (offset_of!(A, Dhcpv6ClientDuidLength), 428),
            (offset_of!(A, Dhcpv6Iaid), 432),
            (offset_of!(A, FirstDnsSuffix), 440),
        ];
        for (i, (got, want)) in offsets.iter().enumerate() {
            assert_eq!(got, want, "field #{i}");
        }
        assert_eq!(offset_of!(A, FirstPrefix) + 8, IP_ADAPTER_ADDRESSES_XP_SIZE);
    }

    #[test]
    fn list_nodes_match_windows() {
        // P5
        type U = IP_ADAPTER_UNICAST_ADDRESS_LH;
        assert_eq!(size_of::<U>(), 64);
        assert_eq!(offset_of!(U, Next), 8);
        assert_eq!(offset_of!(U, Address), 16);
        assert_eq!(offset_of!(U, PrefixOrigin), 32);
        assert_eq!(offset_of!(U, SuffixOrigin), 36);
        assert_eq!(offset_of!(U, DadState), 40);
        assert_eq!(offset_of!(U, ValidLifetime), 44);
        assert_eq!(offset_of!(U, PreferredLifetime), 48);
        assert_eq!(offset_of!(U, LeaseLifetime), 52);
        assert_eq!(offset_of!(U, OnLinkPrefixLength), 56);
        assert_eq!(size_of::<IP_ADAPTER_ADDRESS_NODE>(), 32);
        assert_eq!(offset_of!(IP_ADAPTER_ADDRESS_NODE, Address), 16);
        assert_eq!(size_of::<IP_ADAPTER_PREFIX_XP>(), 40);
        assert_eq!(offset_of!(IP_ADAPTER_PREFIX_XP, PrefixLength), 32);
        assert_eq!(size_of::<IP_ADAPTER_DNS_SUFFIX>(), 520);
        assert_eq!(size_of::<NET_LUID>(), 8);
    }

    #[test]
    fn adapter_info_and_mib_rows_match_windows() {
        // P5
        type I = IP_ADAPTER_INFO;
        assert_eq!(size_of::<IP_ADDR_STRING>(), 48);
        assert_eq!(offset_of!(IP_ADDR_STRING, IpAddress), 8);
        assert_eq!(offset_of!(IP_ADDR_STRING, IpMask), 24);
        assert_eq!(offset_of!(IP_ADDR_STRING, Context), 40);
        assert_eq!(size_of::<I>(), 704);
        assert_eq!(offset_of!(I, ComboIndex), 8);
        assert_eq!(offset_of!(I, AdapterName), 12);
        assert_eq!(offset_of!(I, Description), 272);
        assert_eq!(offset_of!(I, AddressLength), 404);
        assert_eq!(offset_of!(I, Address), 408);
        assert_eq!(offset_of!(I, Index), 416);
        assert_eq!(offset_of!(I, Type), 420);
        assert_eq!(offset_of!(I, DhcpEnabled), 424);
        assert_eq!(offset_of!(I, CurrentIpAddress), 432);
        assert_eq!(offset_of!(I, IpAddressList), 440);
        assert_eq!(offset_of!(I, GatewayList), 488);
        assert_eq!(offset_of!(I, DhcpServer), 536);
        assert_eq!(offset_of!(I, HaveWins), 584);
        assert_eq!(offset_of!(I, PrimaryWinsServer), 592);
        assert_eq!(offset_of!(I, SecondaryWinsServer), 640);
        assert_eq!(offset_of!(I, LeaseObtained), 688);
        assert_eq!(offset_of!(I, LeaseExpires), 696);
        assert_eq!(size_of::<MIB_IPADDRROW>(), 24);
        assert_eq!(offset_of!(MIB_IPADDRROW, unused1), 20);
        assert_eq!(offset_of!(MIB_IPADDRROW, wType), 22);
        assert_eq!(offset_of!(MIB_IPADDRTABLE, table), MIB_IPADDRTABLE_HEADER);
        assert_eq!(size_of::<MIB_IPFORWARDROW>(), 56);
        assert_eq!(offset_of!(MIB_IPFORWARDROW, dwForwardIfIndex), 16);
        assert_eq!(offset_of!(MIB_IPFORWARDROW, dwForwardMetric1), 36);
        assert_eq!(offset_of!(MIB_IPFORWARDROW, dwForwardMetric5), 52);
    }

    #[test]
    fn luid_packs_type_and_index() {
        // P5 (ifdef.h: NetLuidIndex bits 24-47, IfType bits 48-63)
        let l = NET_LUID::new(IF_TYPE_SOFTWARE_LOOPBACK, 1);
        assert_eq!(l.Value, 0x0018_0000_0100_0000);
        assert_eq!(l.reserved(), 0);
        assert_eq!(NET_LUID { Value: u64::MAX }.net_luid_index(), 0xff_ffff);
    }
}
