//! Multicast on test hosts: a route that sends IPv4 groups out of one
//! link, and a capture of the IPv4 UDP datagrams a host's interface
//! receives (an `AF_PACKET` socket), so a test sees a datagram as it
//! crossed the wire: which link, its TTL, its addresses.

use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use crate::{Error, Host, Result};

/// One IPv4 UDP datagram seen by a [`Capture`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Source address of the IP header.
    pub src: Ipv4Addr,
    /// Destination address of the IP header.
    pub dst: Ipv4Addr,
    /// TTL as it arrived.
    pub ttl: u8,
    /// Whether DF was set.
    pub dont_fragment: bool,
    /// UDP destination port.
    pub dst_port: u16,
    /// UDP payload.
    pub payload: Vec<u8>,
}

/// The IPv4 frames arriving on one interface of a host.
pub struct Capture {
    fd: OwnedFd,
}

impl Host {
    /// Routes the IPv4 multicast range (224.0.0.0/4) out of `dev`: the
    /// interface a join or send with no interface given uses. (veth links
    /// are multicast-capable; IPv6 has `ff00::/8` on every link already.)
    pub fn multicast_route(&self, dev: &str) -> Result<()> {
        self.ip(&["route", "add", "224.0.0.0/4", "dev", dev])
            .map(drop)
    }

    /// Starts capturing the IPv4 frames that arrive on `dev`.
    pub fn capture(&self, dev: &str) -> Result<Capture> {
        let index = self.ifindex(dev)?;
        let proto = (libc::ETH_P_IP as u16).to_be();
        let made = self.run(move || {
            // SAFETY: socket() has no pointer arguments.
            let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_DGRAM, proto.into()) };
            if raw < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // SAFETY: raw is a fresh descriptor we own.
            let fd = unsafe { OwnedFd::from_raw_fd(raw) };
            // SAFETY: sockaddr_ll is plain data; zeroed is valid.
            let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            sll.sll_family = libc::AF_PACKET as u16;
            sll.sll_protocol = proto;
            sll.sll_ifindex = index as i32;
            // SAFETY: sll is a valid sockaddr_ll of its size.
            let r = unsafe {
                libc::bind(
                    fd.as_raw_fd(),
                    (&raw const sll).cast(),
                    size_of::<libc::sockaddr_ll>() as libc::socklen_t,
                )
            };
            if r < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(fd)
        });
        made.map(|fd| Capture { fd }).map_err(|e| Error {
            command: format!("AF_PACKET capture on {dev} (in {})", self.name()),
            detail: e.to_string(),
        })
    }
}

impl Capture {
    /// The next UDP datagram to `port` seen within `timeout` (frames of
    /// other traffic are skipped).
    pub fn next_udp(&self, port: u16, timeout: Duration) -> Option<Captured> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 65536];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let mut p = libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: p is a valid pollfd.
            if unsafe { libc::poll(&mut p, 1, left.as_millis().min(60_000) as i32) } <= 0 {
                continue;
            }
            // SAFETY: buf is writable for its length.
            let n =
                unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n <= 0 {
                continue;
            }
            if let Some(c) = parse(&buf[..n as usize])
                && c.dst_port == port
            {
                return Some(c);
            }
        }
    }
}

fn parse(ip: &[u8]) -> Option<Captured> {
    if ip.len() < 20 || ip[0] >> 4 != 4 || ip[9] != libc::IPPROTO_UDP as u8 {
        return None;
    }
    let ihl = usize::from(ip[0] & 0xf) * 4;
    let udp = ip.get(ihl..)?;
    if udp.len() < 8 || u16::from_be_bytes([ip[6], ip[7]]) & 0x1fff != 0 {
        return None; // a later fragment
    }
    Some(Captured {
        src: Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]),
        dst: Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]),
        ttl: ip[8],
        dont_fragment: ip[6] & 0x40 != 0,
        dst_port: u16::from_be_bytes([udp[2], udp[3]]),
        payload: udp[8..].to_vec(),
    })
}
