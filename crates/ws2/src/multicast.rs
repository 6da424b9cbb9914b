//! Multicast and the other datagram options of SPEC P4 on [`Socket`]:
//! joins and leaves with Windows' delivery rule (a socket receives the
//! groups it joined, on the interface it joined them, whatever address it
//! is bound to), source filters, the sending options, address reuse as
//! Windows decides it, and don't-fragment.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ws2_engine::Result;
use ws2_engine::socket::{GroupInterface, GroupOp, GroupRequest};

use crate::Socket;

fn interface(index: u32) -> GroupInterface {
    if index == 0 {
        GroupInterface::Default
    } else {
        GroupInterface::Index(index)
    }
}

impl Socket {
    fn membership(
        &self,
        op: GroupOp,
        group: IpAddr,
        index: u32,
        source: Option<IpAddr>,
    ) -> Result<()> {
        let req = GroupRequest {
            group,
            interface: interface(index),
            source,
        };
        ws2_engine::io::change_membership(&self.core, op, &req)
    }

    /// Joins an IPv4 group on the interface of this index (0: the one the
    /// route to the group leaves by): `IP_ADD_MEMBERSHIP`. The socket must
    /// be bound; it then receives the group's datagrams that arrive on that
    /// interface and port, also when bound to a unicast address. Joining a
    /// group twice on one interface is `WSAEADDRNOTAVAIL`.
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// let s = ws2::Socket::udp_v4()?;
    /// s.bind("0.0.0.0:0".parse()?)?;
    /// let group = Ipv4Addr::new(239, 255, 10, 1);
    /// s.join_multicast_v4(group, 1)?; // interface 1: loopback
    /// assert_eq!(s.join_multicast_v4(group, 1).unwrap_err().code(), ws2::WSAEADDRNOTAVAIL);
    /// s.leave_multicast_v4(group, 1)?;
    /// assert_eq!(s.leave_multicast_v4(group, 1).unwrap_err().code(), ws2::WSAEINVAL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn join_multicast_v4(&self, group: Ipv4Addr, interface: u32) -> Result<()> {
        self.membership(GroupOp::Join, group.into(), interface, None)
    }

    /// Leaves an IPv4 group (`IP_DROP_MEMBERSHIP`); one not joined on that
    /// interface is `WSAEINVAL`.
    pub fn leave_multicast_v4(&self, group: Ipv4Addr, interface: u32) -> Result<()> {
        self.membership(GroupOp::Leave, group.into(), interface, None)
    }

    /// Joins an IPv6 group on the interface of this index
    /// (`IPV6_ADD_MEMBERSHIP`; see [`Socket::join_multicast_v4`]).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v6()?;
    /// s.bind("[::]:0".parse()?)?;
    /// s.join_multicast_v6("ff15::7".parse()?, 1)?;
    /// s.leave_multicast_v6("ff15::7".parse()?, 1)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn join_multicast_v6(&self, group: Ipv6Addr, interface: u32) -> Result<()> {
        self.membership(GroupOp::Join, group.into(), interface, None)
    }

    /// Leaves an IPv6 group (`IPV6_DROP_MEMBERSHIP`).
    pub fn leave_multicast_v6(&self, group: Ipv6Addr, interface: u32) -> Result<()> {
        self.membership(GroupOp::Leave, group.into(), interface, None)
    }

    /// Receives `group` from `source` too (`IP_ADD_SOURCE_MEMBERSHIP`,
    /// `MCAST_JOIN_SOURCE_GROUP`): the first call joins the group for
    /// that source only; each further one adds a source.
    ///
    /// ```
    /// use std::net::IpAddr;
    /// let s = ws2::Socket::udp_v4()?;
    /// s.bind("0.0.0.0:0".parse()?)?;
    /// let (group, source): (IpAddr, IpAddr) = ("232.1.2.3".parse()?, "127.0.0.1".parse()?);
    /// s.join_source_multicast(group, source, 1)?;
    /// // Microsoft's "Multicast Socket Option Behavior": a second any-source
    /// // join of that group is WSAEADDRNOTAVAIL.
    /// assert_eq!(s.join_multicast_v4("232.1.2.3".parse()?, 1).unwrap_err().code(), ws2::WSAEADDRNOTAVAIL);
    /// s.leave_source_multicast(group, source, 1)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn join_source_multicast(
        &self,
        group: IpAddr,
        source: IpAddr,
        interface: u32,
    ) -> Result<()> {
        self.membership(GroupOp::JoinSource, group, interface, Some(source))
    }

    /// Stops receiving `group` from `source` (`IP_DROP_SOURCE_MEMBERSHIP`);
    /// the last source leaves the group.
    pub fn leave_source_multicast(
        &self,
        group: IpAddr,
        source: IpAddr,
        interface: u32,
    ) -> Result<()> {
        self.membership(GroupOp::LeaveSource, group, interface, Some(source))
    }

    /// Blocks one source of a group joined for any source
    /// (`IP_BLOCK_SOURCE`).
    pub fn block_multicast_source(
        &self,
        group: IpAddr,
        source: IpAddr,
        interface: u32,
    ) -> Result<()> {
        self.membership(GroupOp::Block, group, interface, Some(source))
    }

    /// Unblocks a source blocked with [`Socket::block_multicast_source`]
    /// (`IP_UNBLOCK_SOURCE`).
    pub fn unblock_multicast_source(
        &self,
        group: IpAddr,
        source: IpAddr,
        interface: u32,
    ) -> Result<()> {
        self.membership(GroupOp::Unblock, group, interface, Some(source))
    }

    /// Windows' `IP_MULTICAST_LOOP`/`IPV6_MULTICAST_LOOP`: whether **this
    /// socket receives** group datagrams sent from this host (on Linux the
    /// option is the sender's; ws2 answers as Windows does).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// assert!(s.multicast_loop());
    /// s.set_multicast_loop(false);
    /// assert!(!s.multicast_loop());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_multicast_loop(&self, on: bool) {
        self.core.set_multicast_loop(on)
    }

    /// See [`Socket::set_multicast_loop`].
    pub fn multicast_loop(&self) -> bool {
        self.core.multicast_loop()
    }

    /// `IP_MULTICAST_TTL` (IPv4) or `IPV6_MULTICAST_HOPS` (IPv6 sockets):
    /// the TTL of the group datagrams this socket sends (default 1).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_multicast_ttl(4)?;
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_multicast_ttl(&self, ttl: u8) -> Result<()> {
        match self.core.family() {
            ws2_engine::Family::V4 => self.core.set_int_option(
                libc::IPPROTO_IP,
                libc::IP_MULTICAST_TTL,
                ttl.into(),
                "setsockopt(IP_MULTICAST_TTL)",
            ),
            ws2_engine::Family::V6 => self.core.set_int_option(
                libc::IPPROTO_IPV6,
                libc::IPV6_MULTICAST_HOPS,
                ttl.into(),
                "setsockopt(IPV6_MULTICAST_HOPS)",
            ),
        }
    }

    /// `IP_MULTICAST_IF` (IPv4) or `IPV6_MULTICAST_IF` (IPv6 sockets): the
    /// interface, by index, group datagrams leave by (0: the route's).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// s.set_multicast_interface(1)?;
    /// assert_eq!(s.multicast_interface()?, 1);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_multicast_interface(&self, index: u32) -> Result<()> {
        match self.core.family() {
            ws2_engine::Family::V4 => self.core.set_multicast_interface_v4(interface(index)),
            ws2_engine::Family::V6 => self.core.set_int_option(
                libc::IPPROTO_IPV6,
                libc::IPV6_MULTICAST_IF,
                index as i32,
                "setsockopt(IPV6_MULTICAST_IF)",
            ),
        }
    }

    /// See [`Socket::set_multicast_interface`].
    pub fn multicast_interface(&self) -> Result<u32> {
        Ok(match self.core.family() {
            ws2_engine::Family::V4 => self.core.multicast_interface_v4(),
            ws2_engine::Family::V6 => self.core.int_option(
                libc::IPPROTO_IPV6,
                libc::IPV6_MULTICAST_IF,
                "getsockopt(IPV6_MULTICAST_IF)",
            )? as u32,
        })
    }

    /// `SO_REUSEADDR`, with the bind outcomes of Windows' table among this
    /// process's sockets (see [`Socket::set_exclusive_address_use`]).
    ///
    /// ```
    /// let a = ws2::Socket::udp_v4()?;
    /// a.set_reuse_address(true)?;
    /// a.bind("127.0.0.1:0".parse()?)?;
    /// let b = ws2::Socket::udp_v4()?;
    /// // MS "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE": the second socket
    /// // without the option cannot share the port.
    /// assert_eq!(b.bind(a.local_addr()?).unwrap_err().code(), ws2::WSAEADDRINUSE);
    /// b.set_reuse_address(true)?;
    /// b.bind(a.local_addr()?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_reuse_address(&self, on: bool) -> Result<()> {
        self.core.set_reuse_addr(on)
    }

    /// `SO_EXCLUSIVEADDRUSE`: no other socket may bind the port, also with
    /// `SO_REUSEADDR` (`WSAEACCES`). Setting it while `SO_REUSEADDR` is on
    /// is `WSAEINVAL`, and the other way round.
    ///
    /// ```
    /// let a = ws2::Socket::udp_v4()?;
    /// a.set_exclusive_address_use(true)?;
    /// assert_eq!(a.set_reuse_address(true).unwrap_err().code(), ws2::WSAEINVAL);
    /// a.bind("127.0.0.1:0".parse()?)?;
    /// let b = ws2::Socket::udp_v4()?;
    /// b.set_reuse_address(true)?;
    /// assert_eq!(b.bind(a.local_addr()?).unwrap_err().code(), ws2::WSAEACCES);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_exclusive_address_use(&self, on: bool) -> Result<()> {
        self.core.set_exclusive_addr_use(on)
    }

    /// `IP_DONTFRAGMENT` (`IPV6_DONTFRAG` on IPv6 sockets): datagrams
    /// larger than the path MTU then fail with `WSAEMSGSIZE` instead of
    /// leaving in fragments (Windows' default, and ws2's, is to fragment).
    ///
    /// ```
    /// let s = ws2::Socket::udp_v4()?;
    /// assert!(!s.dont_fragment()?);
    /// s.set_dont_fragment(true)?;
    /// assert!(s.dont_fragment()?);
    /// # Ok::<(), ws2::Error>(())
    /// ```
    pub fn set_dont_fragment(&self, on: bool) -> Result<()> {
        self.core.set_dont_fragment(on)
    }

    /// See [`Socket::set_dont_fragment`].
    pub fn dont_fragment(&self) -> Result<bool> {
        self.core.dont_fragment()
    }
}
