//! Shared by `wire.rs` and `raw_wire.rs`: a packet capture on one veth
//! inside a test host (AF_PACKET, SOCK_DGRAM: the link header is stripped,
//! the IP header is parsed here), plus the hosts of the on-the-wire tests.
//! Everything is bounded in time; nothing skips.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use testnet::{Host, Link, Net};

/// One IP packet seen on a link (incoming to the capturing host).
#[derive(Clone, Debug)]
pub struct Pkt {
    pub v6: bool,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 TOS byte, or IPv6 traffic class.
    pub tos: u8,
    /// IPv4 TTL, or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 protocol / IPv6 next header.
    pub proto: u8,
    /// Bytes after the IP header.
    pub payload: Vec<u8>,
}

impl Pkt {
    /// `(source port, destination port, UDP payload)` of a UDP packet.
    pub fn udp(&self) -> Option<(u16, u16, &[u8])> {
        if self.proto != 17 || self.payload.len() < 8 {
            return None;
        }
        let p = &self.payload;
        Some((
            u16::from_be_bytes([p[0], p[1]]),
            u16::from_be_bytes([p[2], p[3]]),
            &p[8..],
        ))
    }

    /// `(type, code)` of an ICMP (v4) packet.
    pub fn icmp(&self) -> Option<(u8, u8)> {
        (!self.v6 && self.proto == 1 && self.payload.len() >= 8)
            .then(|| (self.payload[0], self.payload[1]))
    }
}

fn parse(buf: &[u8]) -> Option<Pkt> {
    match buf.first()? >> 4 {
        4 if buf.len() >= 20 => {
            let ihl = ((buf[0] & 0xf) as usize) * 4;
            let total = (u16::from_be_bytes([buf[2], buf[3]]) as usize).min(buf.len());
            if ihl < 20 || total < ihl {
                return None;
            }
            Some(Pkt {
                v6: false,
                src: IpAddr::V4(Ipv4Addr::new(buf[12], buf[13], buf[14], buf[15])),
                dst: IpAddr::V4(Ipv4Addr::new(buf[16], buf[17], buf[18], buf[19])),
                tos: buf[1],
                ttl: buf[8],
                proto: buf[9],
                payload: buf[ihl..total].to_vec(),
            })
        }
        6 if buf.len() >= 40 => {
            let plen = (u16::from_be_bytes([buf[4], buf[5]]) as usize).min(buf.len() - 40);
            let mut s = [0u8; 16];
            let mut d = [0u8; 16];
            s.copy_from_slice(&buf[8..24]);
            d.copy_from_slice(&buf[24..40]);
            Some(Pkt {
                v6: true,
                src: IpAddr::V6(Ipv6Addr::from(s)),
                dst: IpAddr::V6(Ipv6Addr::from(d)),
                tos: ((buf[0] & 0x0f) << 4) | (buf[1] >> 4),
                ttl: buf[7],
                proto: buf[6],
                payload: buf[40..40 + plen].to_vec(),
            })
        }
        _ => None,
    }
}

/// A raw packet socket bound to one interface of one host, seeing the
/// packets that arrive on it (outgoing ones are left out).
pub struct Capture {
    fd: OwnedFd,
    ifindex: i32,
}

impl Capture {
    /// Starts capturing on `dev` inside `host`. Panics (fails the test) if
    /// the socket cannot be made.
    pub fn start(host: &Host, dev: &str) -> Capture {
        let ifindex = host.ifindex(dev).expect("ifindex of capture device") as i32;
        let fd = host.run(move || {
            let proto = (libc::ETH_P_ALL as u16).to_be();
            // SAFETY: plain socket(2) call.
            let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_DGRAM, proto as i32) };
            assert!(
                fd >= 0,
                "AF_PACKET socket: {}",
                std::io::Error::last_os_error()
            );
            // SAFETY: fd was just returned by socket(2) and is ours.
            let fd = unsafe { OwnedFd::from_raw_fd(fd) };
            // SAFETY: sockaddr_ll is plain data.
            let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            sll.sll_family = libc::AF_PACKET as u16;
            sll.sll_protocol = proto;
            sll.sll_ifindex = ifindex;
            // SAFETY: sll is a valid sockaddr_ll of the given size.
            let r = unsafe {
                libc::bind(
                    fd.as_raw_fd(),
                    (&sll as *const libc::sockaddr_ll).cast(),
                    std::mem::size_of::<libc::sockaddr_ll>() as u32,
                )
            };
            assert_eq!(r, 0, "bind AF_PACKET: {}", std::io::Error::last_os_error());
            let tv = libc::timeval {
                tv_sec: 0,
                tv_usec: 50_000,
            };
            // SAFETY: SO_RCVTIMEO takes a timeval.
            let r = unsafe {
                libc::setsockopt(
                    fd.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_RCVTIMEO,
                    (&tv as *const libc::timeval).cast(),
                    std::mem::size_of::<libc::timeval>() as u32,
                )
            };
            assert_eq!(r, 0);
            // Room for bursts (hundreds of segments) without capture drops.
            let size: libc::c_int = 8 << 20;
            // SAFETY: SO_RCVBUFFORCE takes an int; root may exceed rmem_max.
            let r = unsafe {
                libc::setsockopt(
                    fd.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_RCVBUFFORCE,
                    (&size as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as u32,
                )
            };
            assert_eq!(r, 0, "SO_RCVBUFFORCE: {}", std::io::Error::last_os_error());
            fd
        });
        let cap = Capture { fd, ifindex };
        // Drop whatever arrived before the bind took effect.
        cap.drain();
        cap
    }

    /// Reads one packet, or None after the 50 ms socket timeout.
    fn read_one(&self) -> Option<Option<Pkt>> {
        let mut buf = vec![0u8; 70_000];
        // SAFETY: sockaddr_ll is plain data.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_ll>() as u32;
        // SAFETY: buf and sll are valid for the lengths given.
        let n = unsafe {
            libc::recvfrom(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                0,
                (&mut sll as *mut libc::sockaddr_ll).cast(),
                &mut len,
            )
        };
        if n < 0 {
            return None;
        }
        if sll.sll_ifindex != self.ifindex || sll.sll_pkttype == libc::PACKET_OUTGOING {
            return Some(None);
        }
        Some(parse(&buf[..n as usize]))
    }

    /// Discards everything captured so far.
    pub fn drain(&self) {
        while self.read_one().is_some() {}
    }

    /// Collects packets matching `keep` until `done(collected)` says so or
    /// `limit` has passed; returns what it collected.
    pub fn collect(
        &self,
        limit: Duration,
        keep: impl Fn(&Pkt) -> bool,
        done: impl Fn(&[Pkt]) -> bool,
    ) -> Vec<Pkt> {
        let deadline = Instant::now() + limit;
        let mut got = Vec::new();
        while Instant::now() < deadline && !done(&got) {
            if let Some(Some(p)) = self.read_one()
                && keep(&p)
            {
                got.push(p);
            }
        }
        got
    }

    /// The first packet matching `keep` within `limit`; panics with `what`
    /// if none shows up.
    pub fn expect(&self, limit: Duration, what: &str, keep: impl Fn(&Pkt) -> bool) -> Pkt {
        self.collect(limit, keep, |g| !g.is_empty())
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("not seen on the wire within {limit:?}: {what}"))
    }

    /// Asserts that no packet matching `keep` shows up within `limit`.
    pub fn expect_none(&self, limit: Duration, what: &str, keep: impl Fn(&Pkt) -> bool) {
        let got = self.collect(limit, keep, |g| !g.is_empty());
        assert!(got.is_empty(), "unexpected on the wire ({what}): {got:?}");
    }
}

/// Host A with two links: to B (10.1.0.1/24 + 10.1.0.11/24, fd00:1::1/64
/// ↔ 10.1.0.2/24, fd00:1::2/64) and to C (10.2.0.1/24 ↔ 10.2.0.2/24).
pub struct MultiHomed {
    pub net: Net,
    pub a: Host,
    pub b: Host,
    pub c: Host,
    pub ab: Link,
    pub ac: Link,
}

pub fn multi_homed() -> MultiHomed {
    let net = Net::new().expect("cannot set up network namespaces (root needed)");
    let a = net.host("a").expect("host a");
    let b = net.host("b").expect("host b");
    let c = net.host("c").expect("host c");
    let ab = net
        .link(&a, "10.1.0.1/24", &b, "10.1.0.2/24")
        .expect("veth a-b");
    a.add_addr(&ab.a_ifname, "fd00:1::1/64").expect("fd00:1::1");
    b.add_addr(&ab.b_ifname, "fd00:1::2/64").expect("fd00:1::2");
    a.add_addr(&ab.a_ifname, "10.1.0.11/24").expect("10.1.0.11");
    let ac = net
        .link(&a, "10.2.0.1/24", &c, "10.2.0.2/24")
        .expect("veth a-c");
    for h in [&a, &b, &c] {
        // Answer every ICMP error at once (no rate limit in the tests).
        h.sysctl("net.ipv4.icmp_ratelimit", "0")
            .expect("icmp_ratelimit");
    }
    MultiHomed {
        net,
        a,
        b,
        c,
        ab,
        ac,
    }
}
