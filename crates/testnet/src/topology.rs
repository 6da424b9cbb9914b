//! Topologies several tests share.

use crate::{Host, Link, Net, Result};

/// Two hosts joined by two multicast-capable links, dual-stack:
///
/// ```text
/// a ─ link one (10.N.1.0/24, fd00:N:1::/64) ─ b
/// a ─ link two (10.N.2.0/24, fd00:N:2::/64) ─ b
/// ```
///
/// Host a is `.1`/`::1` on each link, b `.2`/`::2`; groups sent without an
/// interface leave by link one on both hosts.
pub struct TwoLinks {
    /// Kept so the namespaces live as long as the topology.
    pub net: Net,
    pub a: Host,
    pub b: Host,
    pub one: Link,
    pub two: Link,
}

impl TwoLinks {
    /// Builds the topology with `N` = `subnet` in its addresses.
    pub fn new(subnet: u8) -> Result<TwoLinks> {
        let net = Net::new()?;
        let a = net.host("a")?;
        let b = net.host("b")?;
        let one = net.link(
            &a,
            &format!("10.{subnet}.1.1/24"),
            &b,
            &format!("10.{subnet}.1.2/24"),
        )?;
        let two = net.link(
            &a,
            &format!("10.{subnet}.2.1/24"),
            &b,
            &format!("10.{subnet}.2.2/24"),
        )?;
        for (link, n) in [(&one, 1), (&two, 2)] {
            a.add_addr(&link.a_ifname, &format!("fd00:{subnet}:{n}::1/64"))?;
            b.add_addr(&link.b_ifname, &format!("fd00:{subnet}:{n}::2/64"))?;
        }
        a.multicast_route(&one.a_ifname)?;
        b.multicast_route(&one.b_ifname)?;
        Ok(TwoLinks {
            a,
            b,
            one,
            two,
            net,
        })
    }
}
