//! The socket option table: for each Windows (level, name), where ws2 keeps
//! the value ([`SockOpt`]), the lengths Windows accepts and the size it
//! reads back ([`OptLen`]), the values it accepts, the socket types it
//! works on, and whether it can be read and set. This is the one place an
//! option is declared: adding one (multicast, `P4`) is adding a row.
//!
//! The length rules are Windows' own, recorded by Wine's Windows-run
//! `test_set_getsockopt` (its option-size table), `test_sockopt_validity`
//! and `test_extendedSocketOptions` (dlls/ws2_32/tests/sock.c); the code
//! that applies them to a caller's buffers is `raw::options`.

use ws2_abi as abi;

use super::{GroupOp, RequestForm};
use crate::error::{Error, Result};

mod table;
use table::{MCAST_IP, MCAST_IPV6, OPTIONS};

/// The most `IP_OPTIONS` bytes an IPv4 header carries.
pub const MAX_IP_OPTIONS: usize = 40;

/// Where a Windows socket option lives once translated.
///
/// ```
/// use ws2_engine::translate::{sock_opt, SockOpt};
/// assert_eq!(sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_SNDTIMEO)?, SockOpt::SendTimeout);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockOpt {
    /// An `int` option Linux has under another number.
    Linux {
        /// The Linux level (`SOL_SOCKET`, `IPPROTO_IP`, ...).
        level: i32,
        /// The Linux option number.
        name: i32,
    },
    /// `SO_SNDBUF` (`send`) / `SO_RCVBUF`: given to Linux, and read back
    /// exactly as set (Linux doubles it and clamps it to a minimum).
    Buffer {
        /// `SO_SNDBUF` rather than `SO_RCVBUF`.
        send: bool,
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
    /// `IP_HDRINCL` (raw IPv4 sockets).
    HeaderIncluded,
    /// `SO_TYPE` (Windows numbers), read-only.
    Type,
    /// `SO_MAX_MSG_SIZE`, read-only (S11).
    MaxMsgSize,
    /// `SO_ERROR`: a Winsock code kept by ws2; settable, and reading it
    /// does not clear it (Linux's own pending error belongs to S19).
    Error,
    /// `SO_DEBUG`: kept by ws2 (Linux reserves it to `CAP_NET_ADMIN`).
    Debug,
    /// `SO_ACCEPTCONN`, read-only: whether a stream socket listens (no
    /// datagram socket does).
    AcceptConn,
    /// `SO_LINGER`: Windows' `LINGER` (two `u_short`s) as
    /// `l_onoff | l_linger << 16`, kept by ws2 (P8: a nonzero linger is
    /// `closesocket`'s wait, not the kernel's).
    Linger,
    /// `SO_DONTLINGER`: a BOOL, `!l_onoff` of `SO_LINGER`.
    DontLinger,
    /// `SO_OOBINLINE`: given to Linux and kept by ws2 too, for readiness
    /// (an urgent byte is then data, not out-of-band).
    OobInline,
    /// `SO_CONNECT_TIME`, read-only: seconds connected, `0xFFFFFFFF` for a
    /// socket that has no connection (every datagram socket).
    ConnectTime,
    /// `SO_OPENTYPE`: per thread, whatever handle it is asked on.
    OpenType,
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
    /// A multicast membership change (P4): `IP_ADD_MEMBERSHIP` & co.,
    /// their IPv6 and `MCAST_*` spellings. Set only.
    Membership {
        /// Join, leave, or a source filter change.
        op: GroupOp,
        /// The structure the option takes.
        form: RequestForm,
    },
    /// `IP_MULTICAST_LOOP`/`IPV6_MULTICAST_LOOP`: the receiving socket's
    /// switch on Windows, kept by ws2 (P4).
    MulticastLoop,
    /// `IP_MULTICAST_IF`: an address or a `0.x.x.x` index (network byte
    /// order); reads back the index (P4).
    MulticastInterfaceV4,
    /// `SO_REUSEADDR`, with Windows' bind table (P4).
    ReuseAddr,
    /// `SO_EXCLUSIVEADDRUSE` (P4).
    ExclusiveAddrUse,
    /// `IP_DONTFRAGMENT`/`IPV6_DONTFRAG` (P4).
    DontFragment,
    /// `IP_OPTIONS`: the IPv4 options bytes (up to 40), given to Linux and
    /// read back from it (P4).
    IpOptions,
    /// `IP_UNICAST_IF`: set in network byte order (as Linux takes it),
    /// read back in host byte order (Microsoft's page; Linux reports it in
    /// network byte order).
    UnicastInterfaceV4,
    /// What receives report of a datagram's destination (S27, P4):
    /// `IP_PKTINFO`/`IPV6_PKTINFO`, `IP_RECVIF`/`IPV6_RECVIF`,
    /// `IP_RECVDSTADDR`/`IPV6_RECVDSTADDR`: kept by ws2, one Linux option
    /// (`IP_PKTINFO`/`IPV6_RECVPKTINFO`) on while any is wanted.
    RecvAddress {
        /// The IPv6 option.
        v6: bool,
        /// Which report.
        what: RecvAddress,
    },
}

/// The reports of [`SockOpt::RecvAddress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecvAddress {
    /// `IN_PKTINFO`/`IN6_PKTINFO`: address and interface.
    Pktinfo,
    /// `IP_RECVIF`: the arrival interface (a ULONG index).
    Interface,
    /// `IP_RECVDSTADDR`: the destination address (`IN_ADDR`/`IN6_ADDR`).
    Destination,
}

/// How an option's value is read from and written to the caller's buffer
/// (`test_set_getsockopt`'s size table). Every option reads a longer
/// `optlen` than it needs (only its own bytes count), refuses a NULL
/// `optval` (`WSAEFAULT`) and a get with `*optlen` 0 or negative
/// (`WSAEFAULT`, `*optlen` unchanged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLen {
    /// A `SOL_SOCKET` BOOL (`SO_BROADCAST`, `SO_REUSEADDR`...), 4 bytes:
    /// a set takes any length (0: FALSE; 1 to 3: those bytes; negative:
    /// the DWORD); a get of 1 byte writes 1, of 2 or 3 writes 2 and
    /// reports 1, of 4 or more writes 4.
    SocketBool,
    /// A `SOL_SOCKET` DWORD, 4 bytes: a set shorter than 4 is `WSAEFAULT`,
    /// a negative one reads the DWORD; a get shorter than 4 is `WSAEFAULT`,
    /// `*optlen` unchanged, and when `zero_short` the `*optlen` bytes are
    /// zeroed (`SO_SNDBUF`, `SO_RCVBUF`), else left alone.
    SocketDword {
        /// A failed short get zeroes the caller's bytes.
        zero_short: bool,
    },
    /// One byte (`SO_KEEPALIVE`, `SO_DONTROUTE`, `IPV6_V6ONLY`): a set
    /// reads the first byte whatever the length (so 0x100 is FALSE); a get
    /// writes one byte and reports 1.
    Byte,
    /// A DWORD of another level that takes short lengths (`IP_TOS`,
    /// `IP_TTL`, the multicast TTL/loop...): a set of 1 to 3 bytes uses
    /// those bytes; a get shorter than 4 writes one byte and reports 1.
    ShortDword,
    /// A DWORD of another level (`IP_PKTINFO`...): a set or get shorter
    /// than 4 is `WSAEFAULT`, and the get sets `*optlen` to 0.
    Dword,
    /// A structure of this many bytes (the membership requests): a set
    /// shorter than it is `WSAEFAULT`, a longer one reads its bytes only.
    Struct(usize),
    /// Up to this many bytes (`IP_OPTIONS`): a set takes 0 (none) to that
    /// many, more is `WSAEINVAL`; a get writes what there is and reports
    /// its length (0 for none), `WSAEFAULT` when `*optlen` is shorter.
    Bytes(usize),
}

impl OptLen {
    /// The size a get reads back when the buffer is large enough.
    pub fn natural(self) -> usize {
        match self {
            OptLen::Byte => 1,
            OptLen::Struct(size) | OptLen::Bytes(size) => size,
            _ => 4,
        }
    }

    /// A negative set length reads the DWORD (the `SOL_SOCKET` DWORDs and
    /// BOOLs) instead of failing with `WSAENOBUFS`.
    pub fn negative_set_reads_dword(self) -> bool {
        matches!(self, OptLen::SocketBool | OptLen::SocketDword { .. })
    }
}

/// Which of get and set an option answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Both.
    ReadWrite,
    /// Get only; a set fails (`WSAENOPROTOOPT` on stream sockets,
    /// `WSAEINVAL` on the others: `SO_TYPE` in `test_WSASocket`,
    /// `SO_ACCEPTCONN` in `test_listen`).
    ReadOnly,
    /// Set only; a get fails with `WSAENOPROTOOPT` on every socket type
    /// (the memberships, `test_sockopt_validity`).
    WriteOnly,
}

/// Socket types an option works on (bits of [`OptionSpec::sockets`]).
pub mod sockets {
    /// `SOCK_DGRAM`.
    pub const DGRAM: u8 = 1;
    /// `SOCK_RAW`.
    pub const RAW: u8 = 2;
    /// `SOCK_STREAM`.
    pub const STREAM: u8 = 4;
    /// Every type.
    pub const ALL: u8 = DGRAM | RAW | STREAM;
    /// What a datagram travels on: not streams.
    pub const DATAGRAMS: u8 = DGRAM | RAW;

    /// The bit of a Windows `SOCK_*` number.
    pub fn bit(windows_type: i32) -> u8 {
        match windows_type {
            ws2_abi::SOCK_DGRAM => DGRAM,
            ws2_abi::SOCK_RAW => RAW,
            ws2_abi::SOCK_STREAM => STREAM,
            _ => 0,
        }
    }
}

/// One row of the option table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionSpec {
    /// The Windows level.
    pub level: i32,
    /// The Windows option number.
    pub name: i32,
    /// Where the value lives.
    pub store: SockOpt,
    /// The length rules.
    pub len: OptLen,
    /// The largest value a set accepts (`WSAEINVAL` above it): 255 for
    /// the TTL/TOS/hop-limit options, which refuse 0x100.
    pub max: u32,
    /// A BOOL: any non-zero value is stored (and read back) as 1.
    pub boolean: bool,
    /// The socket types it works on ([`sockets`] bits).
    pub sockets: u8,
    /// The error on another socket type (get and set alike).
    pub wrong_socket: i32,
    /// Get and set, or get only.
    pub access: Access,
}

const fn row(level: i32, name: i32, store: SockOpt, len: OptLen) -> OptionSpec {
    OptionSpec {
        level,
        name,
        store,
        len,
        max: u32::MAX,
        boolean: false,
        sockets: sockets::ALL,
        wrong_socket: abi::WSAEINVAL,
        access: Access::ReadWrite,
    }
}

impl OptionSpec {
    const fn boolean(mut self) -> Self {
        self.boolean = true;
        self
    }
    const fn max(mut self, max: u32) -> Self {
        self.max = max;
        self
    }
    const fn only(mut self, sockets: u8) -> Self {
        self.sockets = sockets;
        self
    }
    const fn wrong_socket(mut self, code: i32) -> Self {
        self.wrong_socket = code;
        self
    }
    const fn read_only(mut self) -> Self {
        self.access = Access::ReadOnly;
        self
    }
}

/// Levels Windows knows: anything else is `WSAEINVAL` ("invalid values for
/// level" in `test_set_getsockopt`, `test_extendedSocketOptions`), while an
/// unknown option of a known level is `WSAENOPROTOOPT`.
fn known_level(level: i32) -> bool {
    matches!(
        level,
        abi::SOL_SOCKET | abi::IPPROTO_IP | abi::IPPROTO_IPV6 | abi::IPPROTO_TCP | abi::IPPROTO_UDP
    )
}

/// The table's row for a Windows (level, name): `WSAEINVAL` for an
/// unknown level, `WSAENOPROTOOPT` for an unknown option.
///
/// ```
/// use ws2_engine::translate::{option_spec, OptLen};
/// let spec = option_spec(ws2_abi::IPPROTO_IP, ws2_abi::IP_TOS)?;
/// assert_eq!((spec.len, spec.max), (OptLen::ShortDword, 255));
/// assert_eq!(option_spec(0x8000, ws2_abi::SO_RCVTIMEO).unwrap_err().code(), ws2_abi::WSAEINVAL);
/// assert_eq!(option_spec(ws2_abi::IPPROTO_IP, -1).unwrap_err().code(), ws2_abi::WSAENOPROTOOPT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn option_spec(level: i32, name: i32) -> Result<&'static OptionSpec> {
    if !known_level(level) {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!(
                "socket option level {level:#x} is not SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, \
                 IPPROTO_TCP or IPPROTO_UDP"
            ),
        ));
    }
    OPTIONS
        .iter()
        .chain(&MCAST_IP)
        .chain(&MCAST_IPV6)
        .find(|o| o.level == level && o.name == name)
        .ok_or_else(|| {
            Error::new(
                abi::WSAENOPROTOOPT,
                format!("socket option {name} of level {level:#x} is not supported"),
            )
        })
}

/// Where a Windows (level, name) lives (see [`option_spec`]).
///
/// ```
/// use ws2_engine::translate::{sock_opt, SockOpt};
/// let opt = sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_SNDBUF)?;
/// assert_eq!(opt, SockOpt::Buffer { send: true });
/// assert_eq!(sock_opt(ws2_abi::SOL_SOCKET, 0x7777).unwrap_err().code(), ws2_abi::WSAENOPROTOOPT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sock_opt(level: i32, name: i32) -> Result<SockOpt> {
    option_spec(level, name).map(|o| o.store)
}

#[cfg(test)]
mod tests {
    use super::table::SOCKET_DWORD;
    use super::*;

    #[test]
    fn each_option_is_declared_once() {
        let all: Vec<_> = OPTIONS.iter().chain(&MCAST_IP).chain(&MCAST_IPV6).collect();
        for (i, o) in all.iter().enumerate() {
            assert!(
                all[i + 1..]
                    .iter()
                    .all(|p| (p.level, p.name) != (o.level, o.name)),
                "level {:#x} name {} twice",
                o.level,
                o.name
            );
            assert!(known_level(o.level));
        }
    }

    #[test]
    fn sizes_follow_the_windows_table() {
        // test_set_getsockopt's test_optsize rows that ws2 has.
        use OptLen::*;
        let table = [
            (abi::SOL_SOCKET, abi::SO_BROADCAST, SocketBool, true),
            (
                abi::SOL_SOCKET,
                abi::SO_RCVBUF,
                SocketDword { zero_short: true },
                true,
            ),
            (
                abi::SOL_SOCKET,
                abi::SO_SNDBUF,
                SocketDword { zero_short: true },
                true,
            ),
            (abi::SOL_SOCKET, abi::SO_KEEPALIVE, Byte, true),
            (abi::SOL_SOCKET, abi::SO_DONTROUTE, Byte, true),
            (abi::SOL_SOCKET, abi::SO_RCVTIMEO, SOCKET_DWORD, true),
            (abi::SOL_SOCKET, abi::SO_SNDTIMEO, SOCKET_DWORD, true),
            (abi::SOL_SOCKET, abi::SO_REUSEADDR, SocketBool, true),
            (abi::IPPROTO_IP, abi::IP_MULTICAST_LOOP, ShortDword, true),
            (abi::IPPROTO_IP, abi::IP_MULTICAST_TTL, ShortDword, false),
            (abi::IPPROTO_IP, abi::IP_PKTINFO, Dword, true),
            (abi::IPPROTO_IP, abi::IP_RECVTOS, Dword, true),
            (abi::IPPROTO_IP, abi::IP_RECVTTL, Dword, true),
            (abi::IPPROTO_IP, abi::IP_TOS, ShortDword, false),
            (abi::IPPROTO_IP, abi::IP_TTL, ShortDword, false),
            (abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT, Dword, true),
            (
                abi::IPPROTO_IPV6,
                abi::IPV6_MULTICAST_HOPS,
                ShortDword,
                false,
            ),
            (
                abi::IPPROTO_IPV6,
                abi::IPV6_MULTICAST_LOOP,
                ShortDword,
                true,
            ),
            (abi::IPPROTO_IPV6, abi::IPV6_PKTINFO, Dword, true),
            (abi::IPPROTO_IPV6, abi::IPV6_RECVTCLASS, Dword, true),
            (abi::IPPROTO_IPV6, abi::IPV6_UNICAST_HOPS, ShortDword, false),
            (abi::IPPROTO_IPV6, abi::IPV6_V6ONLY, Byte, true),
        ];
        for (level, name, len, takes_0x100) in table {
            let o = option_spec(level, name).unwrap();
            assert_eq!(o.len, len, "level {level:#x} name {name}");
            assert_eq!(o.max >= 0x100, takes_0x100, "level {level:#x} name {name}");
        }
    }
}
