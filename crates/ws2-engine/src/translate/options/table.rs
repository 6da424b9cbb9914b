//! The rows of the option table ([`OPTIONS`], and the `MCAST_*` rows at
//! both levels): every option ws2 answers, with Windows' lengths, values,
//! socket types and access. The types and the lookup are the parent's.

use ws2_abi as abi;

use super::*;

/// A membership option: a set-only structure on datagram and raw sockets
/// (MS "IPPROTO_IP socket options", "IPPROTO_IPV6 socket options",
/// `GROUP_REQ`).
const fn membership(level: i32, name: i32, op: GroupOp, form: RequestForm) -> OptionSpec {
    let mut spec = row(
        level,
        name,
        SockOpt::Membership { op, form },
        OptLen::Struct(form.size()),
    )
    .only(sockets::DATAGRAMS);
    spec.access = Access::WriteOnly;
    spec
}

/// `MCAST_*` at one level (`IPPROTO_IP` for IPv4 groups, `IPPROTO_IPV6`
/// for IPv6 ones; the structure carries the family).
macro_rules! mcast_rows {
    ($level:expr) => {
        [
            membership(
                $level,
                abi::MCAST_JOIN_GROUP,
                GroupOp::Join,
                RequestForm::Group,
            ),
            membership(
                $level,
                abi::MCAST_LEAVE_GROUP,
                GroupOp::Leave,
                RequestForm::Group,
            ),
            membership(
                $level,
                abi::MCAST_JOIN_SOURCE_GROUP,
                GroupOp::JoinSource,
                RequestForm::GroupSource,
            ),
            membership(
                $level,
                abi::MCAST_LEAVE_SOURCE_GROUP,
                GroupOp::LeaveSource,
                RequestForm::GroupSource,
            ),
            membership(
                $level,
                abi::MCAST_BLOCK_SOURCE,
                GroupOp::Block,
                RequestForm::GroupSource,
            ),
            membership(
                $level,
                abi::MCAST_UNBLOCK_SOURCE,
                GroupOp::Unblock,
                RequestForm::GroupSource,
            ),
        ]
    };
}

pub(super) static MCAST_IP: [OptionSpec; 6] = mcast_rows!(abi::IPPROTO_IP);
pub(super) static MCAST_IPV6: [OptionSpec; 6] = mcast_rows!(abi::IPPROTO_IPV6);

const fn linux(level: i32, name: i32) -> SockOpt {
    SockOpt::Linux { level, name }
}

pub(super) const SOCKET_DWORD: OptLen = OptLen::SocketDword { zero_short: false };

/// Every option ws2 answers. `sockets` of the IP-level receive and
/// multicast options exclude streams (`WSAEINVAL` there,
/// `test_sockopt_validity`); `IP_HDRINCL` is raw-only (`WSAEINVAL`
/// on UDP and TCP, `test_set_getsockopt`); `SO_LINGER` is stream-only
/// (`WSAENOPROTOOPT` on UDP, `test_extendedSocketOptions`), and so are
/// `SO_DONTLINGER` and `TCP_NODELAY`.
pub(super) static OPTIONS: &[OptionSpec] = &[
    // SOL_SOCKET
    row(
        abi::SOL_SOCKET,
        abi::SO_DEBUG,
        SockOpt::Debug,
        OptLen::SocketBool,
    )
    .boolean(),
    row(
        abi::SOL_SOCKET,
        abi::SO_ACCEPTCONN,
        SockOpt::AcceptConn,
        OptLen::SocketBool,
    )
    .boolean()
    .read_only(),
    row(
        abi::SOL_SOCKET,
        abi::SO_LINGER,
        SockOpt::Linger,
        OptLen::SocketDword { zero_short: true },
    )
    .only(sockets::STREAM)
    .wrong_socket(abi::WSAENOPROTOOPT),
    row(
        abi::SOL_SOCKET,
        abi::SO_DONTLINGER,
        SockOpt::DontLinger,
        OptLen::SocketBool,
    )
    .boolean()
    .only(sockets::STREAM)
    .wrong_socket(abi::WSAENOPROTOOPT),
    row(
        abi::SOL_SOCKET,
        abi::SO_OOBINLINE,
        SockOpt::OobInline,
        OptLen::SocketBool,
    )
    .boolean(),
    row(
        abi::SOL_SOCKET,
        abi::SO_REUSEADDR,
        SockOpt::ReuseAddr,
        OptLen::SocketBool,
    )
    .boolean(),
    row(
        abi::SOL_SOCKET,
        abi::SO_EXCLUSIVEADDRUSE,
        SockOpt::ExclusiveAddrUse,
        OptLen::SocketBool,
    )
    .boolean(),
    row(
        abi::SOL_SOCKET,
        abi::SO_KEEPALIVE,
        linux(libc::SOL_SOCKET, libc::SO_KEEPALIVE),
        OptLen::Byte,
    )
    .boolean(),
    row(
        abi::SOL_SOCKET,
        abi::SO_DONTROUTE,
        linux(libc::SOL_SOCKET, libc::SO_DONTROUTE),
        OptLen::Byte,
    )
    .boolean(),
    row(
        abi::SOL_SOCKET,
        abi::SO_BROADCAST,
        linux(libc::SOL_SOCKET, libc::SO_BROADCAST),
        OptLen::SocketBool,
    )
    .boolean(),
    row(
        abi::SOL_SOCKET,
        abi::SO_SNDBUF,
        SockOpt::Buffer { send: true },
        OptLen::SocketDword { zero_short: true },
    ),
    row(
        abi::SOL_SOCKET,
        abi::SO_RCVBUF,
        SockOpt::Buffer { send: false },
        OptLen::SocketDword { zero_short: true },
    ),
    row(
        abi::SOL_SOCKET,
        abi::SO_SNDTIMEO,
        SockOpt::SendTimeout,
        SOCKET_DWORD,
    ),
    row(
        abi::SOL_SOCKET,
        abi::SO_RCVTIMEO,
        SockOpt::RecvTimeout,
        SOCKET_DWORD,
    ),
    row(abi::SOL_SOCKET, abi::SO_ERROR, SockOpt::Error, SOCKET_DWORD),
    row(abi::SOL_SOCKET, abi::SO_TYPE, SockOpt::Type, SOCKET_DWORD).read_only(),
    row(
        abi::SOL_SOCKET,
        abi::SO_MAX_MSG_SIZE,
        SockOpt::MaxMsgSize,
        SOCKET_DWORD,
    )
    .read_only(),
    row(
        abi::SOL_SOCKET,
        abi::SO_OPENTYPE,
        SockOpt::OpenType,
        SOCKET_DWORD,
    ),
    row(
        abi::SOL_SOCKET,
        abi::SO_CONNECT_TIME,
        SockOpt::ConnectTime,
        SOCKET_DWORD,
    )
    .read_only(),
    // IPPROTO_IP
    row(
        abi::IPPROTO_IP,
        abi::IP_HDRINCL,
        SockOpt::HeaderIncluded,
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::RAW),
    row(
        abi::IPPROTO_IP,
        abi::IP_TOS,
        SockOpt::Tos {
            level: libc::IPPROTO_IP,
            name: libc::IP_TOS,
        },
        OptLen::ShortDword,
    )
    .max(255),
    row(
        abi::IPPROTO_IP,
        abi::IP_TTL,
        linux(libc::IPPROTO_IP, libc::IP_TTL),
        OptLen::ShortDword,
    )
    .max(255),
    row(
        abi::IPPROTO_IP,
        abi::IP_MULTICAST_TTL,
        linux(libc::IPPROTO_IP, libc::IP_MULTICAST_TTL),
        OptLen::ShortDword,
    )
    .max(255)
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IP,
        abi::IP_MULTICAST_LOOP,
        SockOpt::MulticastLoop,
        OptLen::ShortDword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IP,
        abi::IP_MULTICAST_IF,
        SockOpt::MulticastInterfaceV4,
        OptLen::Dword,
    )
    .only(sockets::DATAGRAMS),
    membership(
        abi::IPPROTO_IP,
        abi::IP_ADD_MEMBERSHIP,
        GroupOp::Join,
        RequestForm::MreqV4,
    ),
    membership(
        abi::IPPROTO_IP,
        abi::IP_DROP_MEMBERSHIP,
        GroupOp::Leave,
        RequestForm::MreqV4,
    ),
    membership(
        abi::IPPROTO_IP,
        abi::IP_ADD_SOURCE_MEMBERSHIP,
        GroupOp::JoinSource,
        RequestForm::MreqSourceV4,
    ),
    membership(
        abi::IPPROTO_IP,
        abi::IP_DROP_SOURCE_MEMBERSHIP,
        GroupOp::LeaveSource,
        RequestForm::MreqSourceV4,
    ),
    membership(
        abi::IPPROTO_IP,
        abi::IP_BLOCK_SOURCE,
        GroupOp::Block,
        RequestForm::MreqSourceV4,
    ),
    membership(
        abi::IPPROTO_IP,
        abi::IP_UNBLOCK_SOURCE,
        GroupOp::Unblock,
        RequestForm::MreqSourceV4,
    ),
    // test_set_getsockopt: a boolean on UDP, TCP and raw sockets alike.
    row(
        abi::IPPROTO_IP,
        abi::IP_DONTFRAGMENT,
        SockOpt::DontFragment,
        OptLen::Dword,
    )
    .boolean(),
    // test_sockopt_validity: on TCP, UDP and raw sockets; a fresh socket
    // reads back no options.
    row(
        abi::IPPROTO_IP,
        abi::IP_OPTIONS,
        SockOpt::IpOptions,
        OptLen::Bytes(MAX_IP_OPTIONS),
    ),
    row(
        abi::IPPROTO_IP,
        abi::IP_UNICAST_IF,
        SockOpt::UnicastInterfaceV4,
        OptLen::Dword,
    ),
    row(
        abi::IPPROTO_IP,
        abi::IP_PKTINFO,
        SockOpt::RecvAddress {
            v6: false,
            what: RecvAddress::Pktinfo,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    // test_sockopt_validity: UDP and raw, WSAEINVAL on TCP; their control
    // messages are undocumented: a ULONG index, an IN_ADDR (our choice,
    // the shape of IP_ORIGINAL_ARRIVAL_IF's).
    row(
        abi::IPPROTO_IP,
        abi::IP_RECVIF,
        SockOpt::RecvAddress {
            v6: false,
            what: RecvAddress::Interface,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IP,
        abi::IP_RECVDSTADDR,
        SockOpt::RecvAddress {
            v6: false,
            what: RecvAddress::Destination,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IP,
        abi::IP_RECVTTL,
        linux(libc::IPPROTO_IP, libc::IP_RECVTTL),
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IP,
        abi::IP_RECVTOS,
        SockOpt::RecvTos {
            v6: false,
            ecn: false,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IP,
        abi::IP_RECVECN,
        SockOpt::RecvTos {
            v6: false,
            ecn: true,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    // IPPROTO_IPV6
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_UNICAST_HOPS,
        linux(libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS),
        OptLen::ShortDword,
    )
    .max(255),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_MULTICAST_HOPS,
        linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_HOPS),
        OptLen::ShortDword,
    )
    .max(255)
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_MULTICAST_LOOP,
        SockOpt::MulticastLoop,
        OptLen::ShortDword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    // An index in host byte order, as Linux takes it.
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_MULTICAST_IF,
        linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_IF),
        OptLen::Dword,
    )
    .only(sockets::DATAGRAMS),
    membership(
        abi::IPPROTO_IPV6,
        abi::IPV6_ADD_MEMBERSHIP,
        GroupOp::Join,
        RequestForm::MreqV6,
    ),
    membership(
        abi::IPPROTO_IPV6,
        abi::IPV6_DROP_MEMBERSHIP,
        GroupOp::Leave,
        RequestForm::MreqV6,
    ),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_DONTFRAG,
        SockOpt::DontFragment,
        OptLen::Dword,
    )
    .boolean(),
    // test_sockopt_validity: raw IPv6 sockets only (WSAEINVAL on UDP/TCP).
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_HDRINCL,
        linux(libc::IPPROTO_IPV6, libc::IPV6_HDRINCL),
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::RAW),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_UNICAST_IF,
        linux(libc::IPPROTO_IPV6, libc::IPV6_UNICAST_IF),
        OptLen::Dword,
    ),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_PKTINFO,
        SockOpt::RecvAddress {
            v6: true,
            what: RecvAddress::Pktinfo,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_RECVIF,
        SockOpt::RecvAddress {
            v6: true,
            what: RecvAddress::Interface,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_RECVDSTADDR,
        SockOpt::RecvAddress {
            v6: true,
            what: RecvAddress::Destination,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_HOPLIMIT,
        linux(libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT),
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_RECVTCLASS,
        SockOpt::RecvTos {
            v6: true,
            ecn: false,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_RECVECN,
        SockOpt::RecvTos {
            v6: true,
            ecn: true,
        },
        OptLen::Dword,
    )
    .boolean()
    .only(sockets::DATAGRAMS),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_TCLASS,
        SockOpt::Tos {
            level: libc::IPPROTO_IPV6,
            name: libc::IPV6_TCLASS,
        },
        OptLen::ShortDword,
    )
    .max(255),
    row(
        abi::IPPROTO_IPV6,
        abi::IPV6_V6ONLY,
        SockOpt::V6Only,
        OptLen::Byte,
    )
    .boolean(),
    // IPPROTO_TCP
    row(
        abi::IPPROTO_TCP,
        abi::TCP_NODELAY,
        linux(libc::IPPROTO_TCP, libc::TCP_NODELAY),
        OptLen::Byte,
    )
    .boolean()
    .only(sockets::STREAM)
    .wrong_socket(abi::WSAENOPROTOOPT),
    // IPPROTO_UDP
    row(
        abi::IPPROTO_UDP,
        abi::UDP_SEND_MSG_SIZE,
        SockOpt::SegmentSize,
        OptLen::Dword,
    )
    .only(sockets::DGRAM),
    // Any UDP socket answers it, v4 or v6 (MsQuic takes a successful get
    // as "URO supported"); another protocol does not have it (S44).
    row(
        abi::IPPROTO_UDP,
        abi::UDP_RECV_MAX_COALESCED_SIZE,
        SockOpt::RecvMaxCoalesced,
        OptLen::Dword,
    )
    .only(sockets::DGRAM)
    .wrong_socket(abi::WSAENOPROTOOPT),
];
