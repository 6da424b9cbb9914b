//! The sending side of multicast (`IP_MULTICAST_IF`, Windows'
//! `IP_MULTICAST_LOOP`) and what every datagram socket gets at creation.

use std::net::Ipv4Addr;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::translate::Family;

use super::super::{MULTICAST_NO_LOOP, SocketCore, set_int};
use super::{GroupInterface, interface_of_address, set_raw};

impl SocketCore {
    /// Windows' `IP_MULTICAST_LOOP`/`IPV6_MULTICAST_LOOP`: whether this
    /// socket receives group datagrams sent by this host (the receiver's
    /// switch on Windows; the kernel's own stays on).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(core.multicast_loop());
    /// core.set_multicast_loop(false);
    /// assert!(!core.multicast_loop());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_multicast_loop(&self, on: bool) {
        if on {
            self.state.fetch_and(!MULTICAST_NO_LOOP, Ordering::AcqRel);
        } else {
            self.state.fetch_or(MULTICAST_NO_LOOP, Ordering::AcqRel);
        }
    }

    /// See [`SocketCore::set_multicast_loop`].
    pub fn multicast_loop(&self) -> bool {
        !self.has(MULTICAST_NO_LOOP)
    }

    /// `IP_MULTICAST_IF`: the interface IPv4 group datagrams leave by
    /// (an index, a local address, or the default); read back as an index.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind, socket::GroupInterface};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_multicast_interface_v4(GroupInterface::Index(1))?; // lo
    /// assert_eq!(core.multicast_interface_v4(), 1);
    /// let err = core.set_multicast_interface_v4(GroupInterface::Address("192.0.2.1".parse()?)).unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::WSAEADDRNOTAVAIL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_multicast_interface_v4(&self, interface: GroupInterface) -> Result<()> {
        let (index, addr) = match interface {
            GroupInterface::Default => (0, Ipv4Addr::UNSPECIFIED),
            GroupInterface::Index(i) => (i, Ipv4Addr::UNSPECIFIED),
            GroupInterface::Address(a) if a.is_unspecified() => (0, a),
            GroupInterface::Address(a) => {
                let index =
                    super::netns::in_socket_namespace(self.raw_fd(), || interface_of_address(a))
                        .unwrap_or_else(|| Err(Error::new(abi::WSAENOBUFS, "network namespace")))?;
                (index, a)
            }
        };
        let mreqn = libc::ip_mreqn {
            imr_multiaddr: libc::in_addr { s_addr: 0 },
            imr_address: libc::in_addr {
                s_addr: u32::from_ne_bytes(addr.octets()),
            },
            imr_ifindex: index as i32,
        };
        set_raw(
            self.raw_fd(),
            libc::SOL_IP,
            libc::IP_MULTICAST_IF,
            &mreqn,
            "setsockopt(IP_MULTICAST_IF)",
        )
        .map_err(|e| match e.code() {
            abi::WSAEINVAL => Error::new(
                abi::WSAEADDRNOTAVAIL,
                format!("interface {index} does not exist"),
            ),
            _ => e,
        })?;
        self.groups.multicast_if.store(index, Ordering::Relaxed);
        Ok(())
    }

    /// See [`SocketCore::set_multicast_interface_v4`]: an index, 0 for the
    /// default.
    pub fn multicast_interface_v4(&self) -> u32 {
        self.groups.multicast_if.load(Ordering::Relaxed)
    }

    /// What every ws2 datagram and raw socket is given at creation (P4):
    /// no group it did not join itself (`IP_MULTICAST_ALL` 0: Linux hands
    /// a wildcard-bound socket every group any socket of the host joined),
    /// and IPv4 datagrams leave without DF, as Windows sends them unless
    /// `IP_DONTFRAGMENT` is set (Linux's default sets DF).
    pub(in crate::socket) fn datagram_defaults(&self) -> Result<()> {
        let fd = self.raw_fd();
        let v4 = set_int(
            fd,
            libc::SOL_IP,
            libc::IP_MULTICAST_ALL,
            0,
            "setsockopt(IP_MULTICAST_ALL)",
        );
        let df = set_int(
            fd,
            libc::SOL_IP,
            libc::IP_MTU_DISCOVER,
            libc::IP_PMTUDISC_DONT,
            "setsockopt(IP_MTU_DISCOVER)",
        );
        if self.family == Family::V4 {
            v4?;
            df?;
        } else {
            // The IPv4 side of a dual-stack socket (a raw IPv6 socket has
            // none: Linux refuses the IPv4 options there).
            set_int(
                fd,
                libc::SOL_IPV6,
                libc::IPV6_MULTICAST_ALL,
                0,
                "setsockopt(IPV6_MULTICAST_ALL)",
            )?;
        }
        Ok(())
    }
}
