//! Reading the host's interfaces, addresses, groups and routes from
//! rtnetlink (`netlink-packet-route` messages over a `netlink-sys`
//! socket): one socket per snapshot or query, in the calling thread's
//! network namespace. Never command output, never `/proc` text.
//!
//! The crate has no message types for `RTM_GETMULTICAST` and
//! `RTM_GETANYCAST` (ifaddrmsg-shaped dumps of group memberships): those
//! two are requested as raw bytes and their replies walked with the
//! crate's buffer types.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{
    DoneBuffer, ErrorBuffer, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NetlinkBuffer,
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NlasIterator,
};
use netlink_packet_route::address::{AddressAttribute, AddressHeader, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkInfo, LinkMessage};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteFlags, RouteMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

use ws2_abi as abi;

use crate::error::{Error, Result};

/// `RTM_GETMULTICAST` / `RTM_GETANYCAST` (linux/rtnetlink.h).
const RTM_GETMULTICAST: u16 = 58;
const RTM_GETANYCAST: u16 = 62;
/// `IFA_ADDRESS`..`IFA_MULTICAST` attribute numbers (linux/if_addr.h).
const IFA_MULTICAST: u16 = 7;
const IFA_ANYCAST: u16 = 5;
/// Reply buffer: rtnetlink dump messages are cut at a page or two.
const RECV_BUFFER: usize = 64 * 1024;

/// A link (`RTM_NEWLINK`), as the kernel describes it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Link {
    pub index: u32,
    pub name: String,
    /// `ARPHRD_*`.
    pub link_type: u16,
    /// Linux `IFF_*` flags.
    pub flags: u32,
    /// `IF_OPER_*` (RFC 2863 states as Linux numbers them).
    pub oper_state: u8,
    pub mtu: u32,
    pub hardware_address: Vec<u8>,
    /// `IFLA_INFO_KIND` (`veth`, `bridge`, `dummy`...), if any.
    pub kind: Option<String>,
}

/// An address (`RTM_NEWADDR`).
#[derive(Clone, Debug)]
pub(crate) struct Addr {
    pub index: u32,
    pub addr: IpAddr,
    pub prefix_len: u8,
    pub broadcast: Option<Ipv4Addr>,
    /// `IFA_F_*` (the 32-bit `IFA_FLAGS` when present).
    pub flags: u32,
    /// Seconds; `u32::MAX` is forever.
    pub valid: u32,
    pub preferred: u32,
}

/// A multicast or anycast membership (`RTM_GETMULTICAST`/`RTM_GETANYCAST`).
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub index: u32,
    pub addr: IpAddr,
}

/// A route of the main table (dump) or the kernel's answer to a lookup.
#[derive(Clone, Debug, Default)]
pub(crate) struct RouteEntry {
    pub dst: Option<IpAddr>,
    pub dst_len: u8,
    pub gateway: Option<IpAddr>,
    pub oif: Option<u32>,
    pub prefsrc: Option<IpAddr>,
    pub priority: u32,
    /// `RTPROT_*`.
    pub protocol: u8,
    pub table: u32,
    /// `RTN_*`.
    pub kind: u8,
}

pub(crate) const IF_OPER_UNKNOWN: u8 = 0;
pub(crate) const IF_OPER_NOTPRESENT: u8 = 1;
pub(crate) const IF_OPER_DOWN: u8 = 2;
pub(crate) const IF_OPER_LOWERLAYERDOWN: u8 = 3;
pub(crate) const IF_OPER_TESTING: u8 = 4;
pub(crate) const IF_OPER_DORMANT: u8 = 5;
pub(crate) const IF_OPER_UP: u8 = 6;
pub(crate) const RT_TABLE_MAIN: u32 = 254;
pub(crate) const RTN_LOCAL: u8 = 2;

fn netlink_error(context: &str, e: std::io::Error) -> Error {
    let code = e
        .raw_os_error()
        .map(abi::wsa_from_errno)
        .unwrap_or(abi::WSASYSCALLFAILURE);
    Error::new(code, format!("rtnetlink {context}: {e}"))
}

/// One rtnetlink conversation.
pub(crate) struct Rtnl {
    socket: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl Rtnl {
    /// A route-netlink socket in the calling thread's network namespace.
    pub(crate) fn open() -> Result<Rtnl> {
        let mut socket = Socket::new(NETLINK_ROUTE).map_err(|e| netlink_error("socket", e))?;
        socket.bind_auto().map_err(|e| netlink_error("bind", e))?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(|e| netlink_error("connect", e))?;
        Ok(Rtnl {
            socket,
            seq: 0,
            buf: vec![0; RECV_BUFFER],
        })
    }

    fn send_bytes(&self, bytes: &[u8]) -> Result<()> {
        loop {
            match self.socket.send(bytes, 0) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(netlink_error("send", e)),
            }
        }
    }

    fn recv_datagram(&mut self) -> Result<usize> {
        loop {
            match self.socket.recv(&mut &mut self.buf[..], 0) {
                Ok(n) if n > self.buf.len() => {
                    return Err(Error::new(
                        abi::WSAENOBUFS,
                        format!("rtnetlink reply of {n} bytes exceeds {RECV_BUFFER}"),
                    ));
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(netlink_error("recv", e)),
            }
        }
    }

    /// Sends `message` and collects the replies of its sequence number:
    /// every message up to `NLMSG_DONE` for a dump, the one answer (or the
    /// error) for a request. Each reply is handed to `each` as raw bytes
    /// (one netlink message, header included).
    fn exchange(&mut self, message: &[u8], dump: bool, mut each: impl FnMut(&[u8])) -> Result<()> {
        self.send_bytes(message)?;
        let seq = self.seq;
        loop {
            let n = self.recv_datagram()?;
            let mut off = 0;
            while off < n {
                let Ok(nl) = NetlinkBuffer::new_checked(&self.buf[off..n]) else {
                    break;
                };
                let len = nl.length() as usize;
                if len == 0 {
                    break;
                }
                let this = &self.buf[off..off + len.min(n - off)];
                off += (len + 3) & !3;
                if nl.sequence_number() != seq {
                    continue; // a stale reply of an earlier, abandoned request
                }
                match nl.message_type() {
                    NLMSG_DONE => {
                        // A dump may end with an error code in its DONE.
                        let code = DoneBuffer::new_checked(nl.payload())
                            .map(|d| d.code())
                            .unwrap_or(0);
                        if code < 0 {
                            return Err(netlink_error(
                                "dump",
                                std::io::Error::from_raw_os_error(-code),
                            ));
                        }
                        return Ok(());
                    }
                    NLMSG_ERROR => {
                        let code = ErrorBuffer::new_checked(nl.payload())
                            .map(|e| e.code().map_or(0, |c| c.get()))
                            .unwrap_or(-libc::EPROTO);
                        if code < 0 {
                            return Err(netlink_error(
                                "request",
                                std::io::Error::from_raw_os_error(-code),
                            ));
                        }
                        return Ok(());
                    }
                    _ => {
                        each(this);
                        if !dump {
                            return Ok(());
                        }
                    }
                }
            }
        }
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1).max(1);
        self.seq
    }

    /// Sends a typed message; returns the typed replies.
    fn request(
        &mut self,
        payload: RouteNetlinkMessage,
        dump: bool,
    ) -> Result<Vec<RouteNetlinkMessage>> {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | if dump { NLM_F_DUMP } else { 0 };
        header.sequence_number = self.next_seq();
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(payload));
        packet.finalize();
        let mut bytes = vec![0; packet.buffer_len()];
        packet.serialize(&mut bytes);
        let mut out = Vec::new();
        let mut bad = None;
        self.exchange(&bytes, dump, |raw| {
            match NetlinkMessage::<RouteNetlinkMessage>::deserialize(raw) {
                Ok(m) => {
                    if let NetlinkPayload::InnerMessage(inner) = m.payload {
                        out.push(inner);
                    }
                }
                Err(e) => bad = Some(e.to_string()),
            }
        })?;
        if let Some(e) = bad {
            return Err(Error::new(
                abi::WSASYSCALLFAILURE,
                format!("rtnetlink reply could not be decoded: {e}"),
            ));
        }
        Ok(out)
    }

    /// Every link.
    pub(crate) fn links(&mut self) -> Result<Vec<Link>> {
        let replies = self.request(RouteNetlinkMessage::GetLink(LinkMessage::default()), true)?;
        Ok(replies
            .into_iter()
            .filter_map(|m| match m {
                RouteNetlinkMessage::NewLink(l) => Some(link_of(l)),
                _ => None,
            })
            .collect())
    }

    /// Every address of every family.
    pub(crate) fn addresses(&mut self) -> Result<Vec<Addr>> {
        let replies = self.request(
            RouteNetlinkMessage::GetAddress(AddressMessage::default()),
            true,
        )?;
        Ok(replies
            .into_iter()
            .filter_map(|m| match m {
                RouteNetlinkMessage::NewAddress(a) => addr_of(a),
                _ => None,
            })
            .collect())
    }

    /// Every route of the main table, both families.
    pub(crate) fn routes(&mut self) -> Result<Vec<RouteEntry>> {
        let replies = self.request(RouteNetlinkMessage::GetRoute(RouteMessage::default()), true)?;
        Ok(replies
            .into_iter()
            .filter_map(|m| match m {
                RouteNetlinkMessage::NewRoute(r) => route_of(r),
                _ => None,
            })
            .filter(|r| r.table == RT_TABLE_MAIN)
            .collect())
    }

    /// The kernel's route to `dest` (`ip route get`): with `fib_match`
    /// the matching table entry (its prefix, protocol and metric) instead
    /// of the resolved route (its preferred source). `oif` pins the output
    /// interface (an IPv6 link-local destination's scope).
    pub(crate) fn route_get(
        &mut self,
        dest: IpAddr,
        oif: Option<u32>,
        fib_match: bool,
    ) -> Result<RouteEntry> {
        let mut msg = RouteMessage::default();
        msg.header.address_family = match dest {
            IpAddr::V4(_) => AddressFamily::Inet,
            IpAddr::V6(_) => AddressFamily::Inet6,
        };
        msg.header.destination_prefix_length = if dest.is_ipv4() { 32 } else { 128 };
        if fib_match {
            msg.header.flags = RouteFlags::FibMatch;
        }
        msg.attributes
            .push(RouteAttribute::Destination(RouteAddress::from(dest)));
        if let Some(oif) = oif {
            msg.attributes.push(RouteAttribute::Oif(oif));
        }
        let replies = self.request(RouteNetlinkMessage::GetRoute(msg), false)?;
        replies
            .into_iter()
            .find_map(|m| match m {
                RouteNetlinkMessage::NewRoute(r) => route_of(r),
                _ => None,
            })
            .ok_or_else(|| {
                Error::new(
                    abi::WSAENETUNREACH,
                    format!("the kernel gave no route to {dest}"),
                )
            })
    }

    /// IPv4 and IPv6 multicast memberships (`RTM_GETMULTICAST`) and IPv6
    /// anycast addresses (`RTM_GETANYCAST`; IPv4 has none).
    pub(crate) fn groups(&mut self) -> Result<(Vec<Group>, Vec<Group>)> {
        let mut multicast = Vec::new();
        for family in [libc::AF_INET as u8, libc::AF_INET6 as u8] {
            self.raw_group_dump(RTM_GETMULTICAST, family, IFA_MULTICAST, &mut multicast)?;
        }
        let mut anycast = Vec::new();
        self.raw_group_dump(
            RTM_GETANYCAST,
            libc::AF_INET6 as u8,
            IFA_ANYCAST,
            &mut anycast,
        )?;
        Ok((multicast, anycast))
    }

    fn raw_group_dump(
        &mut self,
        message_type: u16,
        family: u8,
        attribute: u16,
        out: &mut Vec<Group>,
    ) -> Result<()> {
        let seq = self.next_seq();
        // nlmsghdr (16 bytes) + ifaddrmsg (8 bytes), native endian.
        let mut bytes = Vec::with_capacity(24);
        bytes.extend_from_slice(&24u32.to_ne_bytes());
        bytes.extend_from_slice(&message_type.to_ne_bytes());
        bytes.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
        bytes.extend_from_slice(&seq.to_ne_bytes());
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        bytes.extend_from_slice(&[family, 0, 0, 0, 0, 0, 0, 0]);
        self.exchange(&bytes, true, |raw| {
            let Ok(nl) = NetlinkBuffer::new_checked(raw) else {
                return;
            };
            let payload = nl.payload();
            let Ok(header) = AddressHeader::parse(payload) else {
                return;
            };
            for nla in NlasIterator::new(&payload[8.min(payload.len())..]).flatten() {
                if nla.kind() != attribute {
                    continue;
                }
                if let Some(addr) = ip_of_bytes(nla.value()) {
                    out.push(Group {
                        index: header.index,
                        addr,
                    });
                }
            }
        })
    }
}

fn ip_of_bytes(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
        16 => {
            let a: [u8; 16] = b.try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        _ => None,
    }
}

fn link_of(l: LinkMessage) -> Link {
    let mut link = Link {
        index: l.header.index,
        link_type: u16::from(l.header.link_layer_type),
        flags: l.header.flags.bits(),
        oper_state: IF_OPER_UNKNOWN,
        ..Default::default()
    };
    for a in l.attributes {
        match a {
            LinkAttribute::IfName(n) => link.name = n,
            LinkAttribute::Mtu(m) => link.mtu = m,
            LinkAttribute::Address(mac) => link.hardware_address = mac,
            LinkAttribute::OperState(s) => link.oper_state = u8::from(s),
            LinkAttribute::LinkInfo(infos) => {
                for i in infos {
                    if let LinkInfo::Kind(k) = i {
                        link.kind = Some(k.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    link
}

fn addr_of(a: AddressMessage) -> Option<Addr> {
    let mut local = None;
    let mut address = None;
    let mut out = Addr {
        index: a.header.index,
        addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        prefix_len: a.header.prefix_len,
        broadcast: None,
        flags: a.header.flags.bits() as u32,
        valid: u32::MAX,
        preferred: u32::MAX,
    };
    for attr in a.attributes {
        match attr {
            AddressAttribute::Local(ip) => local = Some(ip),
            AddressAttribute::Address(ip) => address = Some(ip),
            AddressAttribute::Broadcast(b) => out.broadcast = Some(b),
            AddressAttribute::Flags(f) => out.flags = f.bits(),
            AddressAttribute::CacheInfo(c) => {
                out.valid = c.ifa_valid;
                out.preferred = c.ifa_preferred;
            }
            _ => {}
        }
    }
    // IFA_LOCAL is the local address; IFA_ADDRESS is the peer on
    // point-to-point links (and the same as IFA_LOCAL elsewhere).
    out.addr = local.or(address)?;
    Some(out)
}

fn route_addr(a: RouteAddress) -> Option<IpAddr> {
    match a {
        RouteAddress::Inet(v4) => Some(IpAddr::V4(v4)),
        RouteAddress::Inet6(v6) => Some(IpAddr::V6(v6)),
        _ => None,
    }
}

fn route_of(r: RouteMessage) -> Option<RouteEntry> {
    if !matches!(
        r.header.address_family,
        AddressFamily::Inet | AddressFamily::Inet6
    ) {
        return None;
    }
    let mut out = RouteEntry {
        dst_len: r.header.destination_prefix_length,
        protocol: u8::from(r.header.protocol),
        table: r.header.table as u32,
        kind: u8::from(r.header.kind),
        ..Default::default()
    };
    for a in r.attributes {
        match a {
            RouteAttribute::Destination(d) => out.dst = route_addr(d),
            RouteAttribute::Gateway(g) => out.gateway = route_addr(g),
            RouteAttribute::PrefSource(s) => out.prefsrc = route_addr(s),
            RouteAttribute::Oif(i) => out.oif = Some(i),
            RouteAttribute::Priority(p) => out.priority = p,
            RouteAttribute::Table(t) => out.table = t,
            _ => {}
        }
    }
    Some(out)
}
