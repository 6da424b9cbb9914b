//! Multicast and the remaining datagram options (SPEC P4): their Windows
//! numbers and the request structures of the joins, laid out as on 64-bit
//! Windows (`ws2ipdef.h`). Traps against the Linux structures of the same
//! names: `ip_mreq_source` is group, **source**, interface (Linux: group,
//! interface, source); `GROUP_REQ`'s `SOCKADDR_STORAGE` carries Windows'
//! family numbers (`AF_INET6` 23); `MCAST_*` are 41–46 (Linux 42–47) and
//! `MCAST_INCLUDE`/`MCAST_EXCLUDE` are swapped.

use crate::types::{IN_ADDR, IN6_ADDR, SOCKADDR_STORAGE, ULONG};

/// `SO_EXCLUSIVEADDRUSE`: `~SO_REUSEADDR` as an `int`.
pub const SO_EXCLUSIVEADDRUSE: i32 = !crate::consts::SO_REUSEADDR;

// IPPROTO_IP options of P4.
pub const IP_OPTIONS: i32 = 1;
pub const IP_ADD_MEMBERSHIP: i32 = 12;
pub const IP_DROP_MEMBERSHIP: i32 = 13;
pub const IP_ADD_SOURCE_MEMBERSHIP: i32 = 15;
pub const IP_DROP_SOURCE_MEMBERSHIP: i32 = 16;
pub const IP_BLOCK_SOURCE: i32 = 17;
pub const IP_UNBLOCK_SOURCE: i32 = 18;
pub const IP_RECVIF: i32 = 24;
pub const IP_RECVDSTADDR: i32 = 25;

// IPPROTO_IPV6 options of P4.
pub const IPV6_HDRINCL: i32 = 2;
pub const IPV6_ADD_MEMBERSHIP: i32 = 12;
pub const IPV6_JOIN_GROUP: i32 = IPV6_ADD_MEMBERSHIP;
pub const IPV6_DROP_MEMBERSHIP: i32 = 13;
pub const IPV6_LEAVE_GROUP: i32 = IPV6_DROP_MEMBERSHIP;
pub const IPV6_DONTFRAG: i32 = 14;
pub const IPV6_RECVIF: i32 = 24;
pub const IPV6_RECVDSTADDR: i32 = 25;
pub const IPV6_UNICAST_IF: i32 = 31;

// Protocol-independent multicast (level IPPROTO_IP for an IPv4 group,
// IPPROTO_IPV6 for an IPv6 one).
pub const MCAST_JOIN_GROUP: i32 = 41;
pub const MCAST_LEAVE_GROUP: i32 = 42;
pub const MCAST_BLOCK_SOURCE: i32 = 43;
pub const MCAST_UNBLOCK_SOURCE: i32 = 44;
pub const MCAST_JOIN_SOURCE_GROUP: i32 = 45;
pub const MCAST_LEAVE_SOURCE_GROUP: i32 = 46;
/// `MULTICAST_MODE_TYPE`: receive only from the listed sources.
pub const MCAST_INCLUDE: i32 = 0;
/// `MULTICAST_MODE_TYPE`: receive from every source but the listed ones.
pub const MCAST_EXCLUDE: i32 = 1;

/// `IP_DEFAULT_MULTICAST_TTL`, `IP_DEFAULT_MULTICAST_LOOP`.
pub const IP_DEFAULT_MULTICAST_TTL: u32 = 1;
pub const IP_DEFAULT_MULTICAST_LOOP: u32 = 1;

/// `IP_MREQ`: 8 bytes. `imr_interface` is a local IPv4 address, or an
/// interface index in `0.x.x.x` form (`htonl(index)`), or 0 for the
/// default interface.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IP_MREQ {
    pub imr_multiaddr: IN_ADDR,
    pub imr_interface: IN_ADDR,
}

/// `IP_MREQ_SOURCE`: 12 bytes, **group, source, interface** (Linux's
/// `ip_mreq_source` puts the interface second).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IP_MREQ_SOURCE {
    pub imr_multiaddr: IN_ADDR,
    pub imr_sourceaddr: IN_ADDR,
    pub imr_interface: IN_ADDR,
}

/// `IPV6_MREQ`: 20 bytes; `ipv6mr_interface` is an interface index in
/// host byte order (0: the default interface).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IPV6_MREQ {
    pub ipv6mr_multiaddr: IN6_ADDR,
    pub ipv6mr_interface: ULONG,
}

/// `GROUP_REQ`: 136 bytes, the group at offset 8 (`SOCKADDR_STORAGE` is
/// 8-byte aligned); `gr_interface` is an index.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct GROUP_REQ {
    pub gr_interface: ULONG,
    pub gr_group: SOCKADDR_STORAGE,
}

/// `GROUP_SOURCE_REQ`: 264 bytes: interface, group at 8, source at 136.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct GROUP_SOURCE_REQ {
    pub gsr_interface: ULONG,
    pub gsr_group: SOCKADDR_STORAGE,
    pub gsr_source: SOCKADDR_STORAGE,
}

/// An `imr_interface` / `IP_MULTICAST_IF` / `IP_UNICAST_IF` value (the
/// four bytes as they lie in memory, network byte order) read the Windows
/// way: `0.x.x.x` other than `0.0.0.0` is an interface index.
///
/// ```
/// use ws2_abi::{InterfaceSpec, interface_spec};
/// assert_eq!(interface_spec([0, 0, 0, 7]), InterfaceSpec::Index(7));
/// assert_eq!(interface_spec([10, 0, 0, 1]), InterfaceSpec::Address([10, 0, 0, 1]));
/// assert_eq!(interface_spec([0; 4]), InterfaceSpec::Default);
/// ```
pub fn interface_spec(bytes: [u8; 4]) -> InterfaceSpec {
    match bytes {
        [0, 0, 0, 0] => InterfaceSpec::Default,
        [0, a, b, c] => InterfaceSpec::Index(u32::from_be_bytes([0, a, b, c])),
        addr => InterfaceSpec::Address(addr),
    }
}

/// What an IPv4 interface field names (see [`interface_spec`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterfaceSpec {
    /// `0.0.0.0`: the default interface.
    Default,
    /// `0.x.x.x`: an interface index.
    Index(u32),
    /// A local IPv4 address (octets in order).
    Address([u8; 4]),
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn layouts_match_64_bit_windows() {
        // P4: ws2ipdef.h's structures; the C side asserts the same.
        assert_eq!(size_of::<IP_MREQ>(), 8);
        assert_eq!(offset_of!(IP_MREQ, imr_interface), 4);
        assert_eq!(size_of::<IP_MREQ_SOURCE>(), 12);
        assert_eq!(offset_of!(IP_MREQ_SOURCE, imr_sourceaddr), 4);
        assert_eq!(offset_of!(IP_MREQ_SOURCE, imr_interface), 8);
        assert_eq!(size_of::<IPV6_MREQ>(), 20);
        assert_eq!(offset_of!(IPV6_MREQ, ipv6mr_interface), 16);
        assert_eq!(size_of::<GROUP_REQ>(), 136);
        assert_eq!(align_of::<GROUP_REQ>(), 8);
        assert_eq!(offset_of!(GROUP_REQ, gr_group), 8);
        assert_eq!(size_of::<GROUP_SOURCE_REQ>(), 264);
        assert_eq!(offset_of!(GROUP_SOURCE_REQ, gsr_group), 8);
        assert_eq!(offset_of!(GROUP_SOURCE_REQ, gsr_source), 136);
    }

    #[test]
    fn numbers_are_windows_ones() {
        // P4: ws2ipdef.h / ws2def.h values (Linux's differ for MCAST_*).
        assert_eq!(SO_EXCLUSIVEADDRUSE, -5);
        assert_eq!(SO_EXCLUSIVEADDRUSE as u32, 0xFFFF_FFFB);
        assert_eq!(
            [
                MCAST_JOIN_GROUP,
                MCAST_LEAVE_GROUP,
                MCAST_BLOCK_SOURCE,
                MCAST_UNBLOCK_SOURCE,
                MCAST_JOIN_SOURCE_GROUP,
                MCAST_LEAVE_SOURCE_GROUP
            ],
            [41, 42, 43, 44, 45, 46]
        );
        assert_eq!((MCAST_INCLUDE, MCAST_EXCLUDE), (0, 1));
        assert_eq!(
            (IP_ADD_MEMBERSHIP, IP_BLOCK_SOURCE, IP_RECVIF),
            (12, 17, 24)
        );
        assert_eq!(
            (IPV6_JOIN_GROUP, IPV6_DONTFRAG, IPV6_UNICAST_IF),
            (12, 14, 31)
        );
    }

    #[test]
    fn index_form_is_zero_first_octet() {
        // P4: MS "IPPROTO_IP socket options", IP_MULTICAST_IF / ip_mreq.
        assert_eq!(interface_spec([0, 0, 1, 2]), InterfaceSpec::Index(0x102));
        assert_eq!(
            interface_spec([0, 0xff, 0xff, 0xff]),
            InterfaceSpec::Index(0x00ff_ffff)
        );
        assert_eq!(
            interface_spec([127, 0, 0, 1]),
            InterfaceSpec::Address([127, 0, 0, 1])
        );
    }
}
