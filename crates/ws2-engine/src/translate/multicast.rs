//! Multicast membership requests (P4) read from a caller's option bytes in
//! their Windows layouts (`ws2ipdef.h`): `IP_MREQ`, `IP_MREQ_SOURCE`
//! (group, **source**, interface), `IPV6_MREQ`, `GROUP_REQ` and
//! `GROUP_SOURCE_REQ` (Windows family numbers in their addresses).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ws2_abi as abi;

use crate::error::{Error, Result};

use super::socket_addr_from_windows;

/// A membership change: Windows' options (`IP_*`, `IPV6_*` and `MCAST_*`
/// spellings alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupOp {
    /// `IP_ADD_MEMBERSHIP`, `IPV6_ADD_MEMBERSHIP`, `MCAST_JOIN_GROUP`.
    Join,
    /// `IP_DROP_MEMBERSHIP`, `IPV6_DROP_MEMBERSHIP`, `MCAST_LEAVE_GROUP`.
    Leave,
    /// `IP_ADD_SOURCE_MEMBERSHIP`, `MCAST_JOIN_SOURCE_GROUP`.
    JoinSource,
    /// `IP_DROP_SOURCE_MEMBERSHIP`, `MCAST_LEAVE_SOURCE_GROUP`.
    LeaveSource,
    /// `IP_BLOCK_SOURCE`, `MCAST_BLOCK_SOURCE`.
    Block,
    /// `IP_UNBLOCK_SOURCE`, `MCAST_UNBLOCK_SOURCE`.
    Unblock,
}

impl GroupOp {
    pub(crate) fn needs_source(self) -> bool {
        !matches!(self, GroupOp::Join | GroupOp::Leave)
    }
}

/// The interface a request names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupInterface {
    /// 0 / `0.0.0.0`: the interface the route to the group leaves by.
    Default,
    /// An interface index.
    Index(u32),
    /// A local IPv4 address (`imr_interface`, `IP_MULTICAST_IF`).
    Address(Ipv4Addr),
}

/// A membership request in Windows' terms.
///
/// ```
/// use ws2_engine::translate::{GroupInterface, GroupRequest};
/// let req = GroupRequest::any_source("239.1.2.3".parse()?, GroupInterface::Index(2));
/// assert!(req.source.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupRequest {
    /// The group.
    pub group: IpAddr,
    /// The interface it is joined on.
    pub interface: GroupInterface,
    /// The source of a source-specific request.
    pub source: Option<IpAddr>,
}

impl GroupRequest {
    /// A request without a source.
    pub fn any_source(group: IpAddr, interface: GroupInterface) -> GroupRequest {
        GroupRequest {
            group,
            interface,
            source: None,
        }
    }
}

/// Which structure a membership option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestForm {
    /// `IP_MREQ` (8 bytes).
    MreqV4,
    /// `IP_MREQ_SOURCE` (12 bytes).
    MreqSourceV4,
    /// `IPV6_MREQ` (20 bytes).
    MreqV6,
    /// `GROUP_REQ` (136 bytes).
    Group,
    /// `GROUP_SOURCE_REQ` (264 bytes).
    GroupSource,
}

impl RequestForm {
    /// The structure's size: a shorter `optlen` is `WSAEFAULT`.
    pub const fn size(self) -> usize {
        match self {
            RequestForm::MreqV4 => size_of::<abi::IP_MREQ>(),
            RequestForm::MreqSourceV4 => size_of::<abi::IP_MREQ_SOURCE>(),
            RequestForm::MreqV6 => size_of::<abi::IPV6_MREQ>(),
            RequestForm::Group => size_of::<abi::GROUP_REQ>(),
            RequestForm::GroupSource => size_of::<abi::GROUP_SOURCE_REQ>(),
        }
    }
}

fn v4_at(bytes: &[u8], at: usize) -> [u8; 4] {
    [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]
}

fn interface_v4(bytes: [u8; 4]) -> GroupInterface {
    match abi::interface_spec(bytes) {
        abi::InterfaceSpec::Default => GroupInterface::Default,
        abi::InterfaceSpec::Index(i) => GroupInterface::Index(i),
        abi::InterfaceSpec::Address(a) => GroupInterface::Address(Ipv4Addr::from(a)),
    }
}

fn index(i: u32) -> GroupInterface {
    if i == 0 {
        GroupInterface::Default
    } else {
        GroupInterface::Index(i)
    }
}

/// An `IP_MULTICAST_IF` value as read from the caller's DWORD (its bytes
/// in memory order, little-endian): an address, a `0.x.x.x` index or 0.
///
/// ```
/// use ws2_engine::{socket::GroupInterface, translate::interface_from_option};
/// assert_eq!(interface_from_option(u32::from_le_bytes([0, 0, 0, 5])), GroupInterface::Index(5));
/// ```
pub fn interface_from_option(value: u32) -> GroupInterface {
    interface_v4(value.to_le_bytes())
}

/// A `SOCKADDR_STORAGE` of a `GROUP_REQ` at `at`: an IP address with a
/// Windows family.
fn storage_ip(bytes: &[u8], at: usize, what: &str) -> Result<IpAddr> {
    let ss = &bytes[at..at + size_of::<abi::SOCKADDR_STORAGE>()];
    // SAFETY: `ss` holds 128 readable bytes, as many as namelen says.
    unsafe { socket_addr_from_windows(ss.as_ptr().cast(), ss.len() as i32) }
        .map(|a| a.ip())
        .map_err(|e| Error::new(e.code(), format!("{what}: {}", e.message())))
}

/// Reads a membership request of `form` from `bytes` (at least
/// `form.size()` long).
///
/// ```
/// use ws2_engine::translate::{membership_request, RequestForm};
/// use ws2_engine::socket::GroupInterface;
/// // IP_MREQ_SOURCE: group 239.1.1.1, source 10.0.0.9, interface index 3 (0.0.0.3).
/// let bytes = [239, 1, 1, 1, 10, 0, 0, 9, 0, 0, 0, 3];
/// let req = membership_request(RequestForm::MreqSourceV4, &bytes)?;
/// assert_eq!(req.group, "239.1.1.1".parse::<std::net::IpAddr>()?);
/// assert_eq!(req.source, Some("10.0.0.9".parse()?));
/// assert_eq!(req.interface, GroupInterface::Index(3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn membership_request(form: RequestForm, bytes: &[u8]) -> Result<GroupRequest> {
    if bytes.len() < form.size() {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!(
                "optlen {} is shorter than the {}-byte membership structure",
                bytes.len(),
                form.size()
            ),
        ));
    }
    Ok(match form {
        RequestForm::MreqV4 => GroupRequest {
            group: Ipv4Addr::from(v4_at(bytes, 0)).into(),
            interface: interface_v4(v4_at(bytes, 4)),
            source: None,
        },
        RequestForm::MreqSourceV4 => GroupRequest {
            group: Ipv4Addr::from(v4_at(bytes, 0)).into(),
            source: Some(Ipv4Addr::from(v4_at(bytes, 4)).into()),
            interface: interface_v4(v4_at(bytes, 8)),
        },
        RequestForm::MreqV6 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&bytes[..16]);
            GroupRequest {
                group: Ipv6Addr::from(a).into(),
                interface: index(u32::from_ne_bytes(v4_at(bytes, 16))),
                source: None,
            }
        }
        RequestForm::Group => GroupRequest {
            group: storage_ip(bytes, 8, "gr_group")?,
            interface: index(u32::from_ne_bytes(v4_at(bytes, 0))),
            source: None,
        },
        RequestForm::GroupSource => GroupRequest {
            group: storage_ip(bytes, 8, "gsr_group")?,
            source: Some(storage_ip(bytes, 136, "gsr_source")?),
            interface: index(u32::from_ne_bytes(v4_at(bytes, 0))),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_layouts_are_read() {
        // P4: ip_mreq / ipv6_mreq / GROUP_REQ pages (MS), research 1.6.
        let r = membership_request(RequestForm::MreqV4, &[239, 0, 0, 7, 10, 1, 2, 3]).unwrap();
        assert_eq!(r.interface, GroupInterface::Address([10, 1, 2, 3].into()));
        let mut v6 = [0u8; 20];
        v6[0] = 0xff;
        v6[1] = 0x15;
        v6[15] = 1;
        v6[16..].copy_from_slice(&4u32.to_ne_bytes());
        let r = membership_request(RequestForm::MreqV6, &v6).unwrap();
        assert_eq!(r.group, "ff15::1".parse::<IpAddr>().unwrap());
        assert_eq!(r.interface, GroupInterface::Index(4));
        let mut g = abi::GROUP_SOURCE_REQ {
            gsr_interface: 2,
            ..Default::default()
        };
        g.gsr_group.ss_family = abi::AF_INET as u16;
        g.gsr_source.ss_family = abi::AF_INET as u16;
        // SAFETY (test): SOCKADDR_IN fits in a SOCKADDR_STORAGE.
        unsafe {
            let gr = (&raw mut g.gsr_group).cast::<abi::SOCKADDR_IN>();
            (*gr).sin_addr.s_addr = u32::from_ne_bytes([232, 1, 1, 1]);
            let sr = (&raw mut g.gsr_source).cast::<abi::SOCKADDR_IN>();
            (*sr).sin_addr.s_addr = u32::from_ne_bytes([10, 0, 0, 1]);
        }
        // SAFETY (test): g is plain data of its size.
        let bytes = unsafe {
            std::slice::from_raw_parts(
                (&raw const g).cast::<u8>(),
                size_of::<abi::GROUP_SOURCE_REQ>(),
            )
        };
        let r = membership_request(RequestForm::GroupSource, bytes).unwrap();
        assert_eq!(r.group, "232.1.1.1".parse::<IpAddr>().unwrap());
        assert_eq!(r.source, Some("10.0.0.1".parse().unwrap()));
        assert_eq!(r.interface, GroupInterface::Index(2));
        let short = membership_request(RequestForm::Group, &bytes[..135]).unwrap_err();
        assert_eq!(short.code(), abi::WSAEFAULT);
    }
}
