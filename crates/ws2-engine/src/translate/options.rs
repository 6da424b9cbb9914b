//! Windows socket options → what Linux has under other numbers.

use ws2_abi as abi;

use crate::error::{Error, Result};

/// A Windows socket option, translated.
///
/// ```
/// use ws2_engine::translate::{sock_opt, SockOpt};
/// assert_eq!(sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_SNDTIMEO)?, SockOpt::SendTimeout);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockOpt {
    /// An `int` option Linux has under another number. `halve`: Linux
    /// reports the value doubled (`SO_SNDBUF`, `SO_RCVBUF`).
    Linux {
        /// The Linux level (`SOL_SOCKET`, `IPPROTO_IP`, ...).
        level: i32,
        /// The Linux option number.
        name: i32,
        /// Whether reads divide the Linux value by 2.
        halve: bool,
    },
    /// `SO_SNDTIMEO`: milliseconds, kept by ws2 (blocking is emulated).
    SendTimeout,
    /// `SO_RCVTIMEO`: milliseconds, kept by ws2.
    RecvTimeout,
    /// `IP_TOS`/`IPV6_TCLASS`: also remembered for ECN-only sends.
    Tos {
        /// `IPPROTO_IP` or `IPPROTO_IPV6` (Linux numbers).
        level: i32,
        /// `IP_TOS` or `IPV6_TCLASS` (Linux numbers).
        name: i32,
    },
    /// `IP_HDRINCL`.
    HeaderIncluded,
    /// `SO_TYPE` (Windows numbers), read-only.
    Type,
    /// `SO_MAX_MSG_SIZE`, read-only (S11).
    MaxMsgSize,
    /// `SO_ERROR` (as a Winsock code), read-only.
    Error,
    /// `UDP_SEND_MSG_SIZE`: segment every send (S26); 0 turns it off.
    SegmentSize,
    /// `IPV6_V6ONLY`: kept by ws2 too (S8, S25), always on for raw IPv6.
    V6Only,
    /// `UDP_RECV_MAX_COALESCED_SIZE`: receives may return coalesced
    /// datagrams up to this many bytes (URO on Linux UDP GRO, S44); 0 off.
    RecvMaxCoalesced,
    /// `IP_RECVTOS`/`IPV6_RECVTCLASS` (`ecn: false`) and `IP_RECVECN`/
    /// `IPV6_RECVECN` (`ecn: true`): which of TOS and ECN receives report.
    RecvTos {
        /// The IPv6 option (`IPV6_RECVTCLASS`/`IPV6_RECVECN`).
        v6: bool,
        /// The ECN-only option (`IP_RECVECN`/`IPV6_RECVECN`).
        ecn: bool,
    },
}

/// Translates a Windows (level, name); unknown → `WSAENOPROTOOPT`.
///
/// ```
/// use ws2_engine::translate::{sock_opt, SockOpt};
/// let opt = sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_SNDBUF)?;
/// assert!(matches!(opt, SockOpt::Linux { halve: true, .. }));
/// assert_eq!(sock_opt(ws2_abi::SOL_SOCKET, 0x7777).unwrap_err().code(), ws2_abi::WSAENOPROTOOPT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sock_opt(level: i32, name: i32) -> Result<SockOpt> {
    let linux = |level, name| {
        Ok(SockOpt::Linux {
            level,
            name,
            halve: false,
        })
    };
    match (level, name) {
        (abi::SOL_SOCKET, abi::SO_BROADCAST) => linux(libc::SOL_SOCKET, libc::SO_BROADCAST),
        (abi::SOL_SOCKET, abi::SO_REUSEADDR) => linux(libc::SOL_SOCKET, libc::SO_REUSEADDR),
        (abi::SOL_SOCKET, abi::SO_DONTROUTE) => linux(libc::SOL_SOCKET, libc::SO_DONTROUTE),
        (abi::SOL_SOCKET, abi::SO_KEEPALIVE) => linux(libc::SOL_SOCKET, libc::SO_KEEPALIVE),
        (abi::SOL_SOCKET, abi::SO_SNDBUF) => Ok(SockOpt::Linux {
            level: libc::SOL_SOCKET,
            name: libc::SO_SNDBUF,
            halve: true,
        }),
        (abi::SOL_SOCKET, abi::SO_RCVBUF) => Ok(SockOpt::Linux {
            level: libc::SOL_SOCKET,
            name: libc::SO_RCVBUF,
            halve: true,
        }),
        (abi::SOL_SOCKET, abi::SO_SNDTIMEO) => Ok(SockOpt::SendTimeout),
        (abi::SOL_SOCKET, abi::SO_RCVTIMEO) => Ok(SockOpt::RecvTimeout),
        (abi::SOL_SOCKET, abi::SO_TYPE) => Ok(SockOpt::Type),
        (abi::SOL_SOCKET, abi::SO_MAX_MSG_SIZE) => Ok(SockOpt::MaxMsgSize),
        (abi::SOL_SOCKET, abi::SO_ERROR) => Ok(SockOpt::Error),
        (abi::IPPROTO_IP, abi::IP_TOS) => Ok(SockOpt::Tos {
            level: libc::IPPROTO_IP,
            name: libc::IP_TOS,
        }),
        (abi::IPPROTO_IP, abi::IP_TTL) => linux(libc::IPPROTO_IP, libc::IP_TTL),
        (abi::IPPROTO_IP, abi::IP_PKTINFO) => linux(libc::IPPROTO_IP, libc::IP_PKTINFO),
        (abi::IPPROTO_IP, abi::IP_HDRINCL) => Ok(SockOpt::HeaderIncluded),
        (abi::IPPROTO_IP, abi::IP_MULTICAST_TTL) => linux(libc::IPPROTO_IP, libc::IP_MULTICAST_TTL),
        (abi::IPPROTO_IP, abi::IP_MULTICAST_LOOP) => {
            linux(libc::IPPROTO_IP, libc::IP_MULTICAST_LOOP)
        }
        (abi::IPPROTO_IP, abi::IP_RECVTTL) => linux(libc::IPPROTO_IP, libc::IP_RECVTTL),
        (abi::IPPROTO_IP, abi::IP_RECVTOS) => Ok(SockOpt::RecvTos {
            v6: false,
            ecn: false,
        }),
        (abi::IPPROTO_IP, abi::IP_RECVECN) => Ok(SockOpt::RecvTos {
            v6: false,
            ecn: true,
        }),
        (abi::IPPROTO_IPV6, abi::IPV6_RECVECN) => Ok(SockOpt::RecvTos {
            v6: true,
            ecn: true,
        }),
        (abi::IPPROTO_UDP, abi::UDP_SEND_MSG_SIZE) => Ok(SockOpt::SegmentSize),
        (abi::IPPROTO_UDP, abi::UDP_RECV_MAX_COALESCED_SIZE) => Ok(SockOpt::RecvMaxCoalesced),
        (abi::IPPROTO_IPV6, abi::IPV6_V6ONLY) => Ok(SockOpt::V6Only),
        (abi::IPPROTO_IPV6, abi::IPV6_PKTINFO) => linux(libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO),
        (abi::IPPROTO_IPV6, abi::IPV6_UNICAST_HOPS) => {
            linux(libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_MULTICAST_HOPS) => {
            linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_HOPS)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_MULTICAST_LOOP) => {
            linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_LOOP)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT) => {
            linux(libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_RECVTCLASS) => Ok(SockOpt::RecvTos {
            v6: true,
            ecn: false,
        }),
        (abi::IPPROTO_IPV6, abi::IPV6_TCLASS) => Ok(SockOpt::Tos {
            level: libc::IPPROTO_IPV6,
            name: libc::IPV6_TCLASS,
        }),
        _ => Err(Error::new(
            abi::WSAENOPROTOOPT,
            format!("socket option level {level:#x} name {name} is not supported"),
        )),
    }
}
