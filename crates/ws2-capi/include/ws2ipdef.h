/*
 * ws2ipdef.h -- IPv4/IPv6 definitions: IN6_ADDR, SOCKADDR_IN6 (28 bytes),
 * IN_PKTINFO, IN6_PKTINFO, IP_*, IPV6_*, UDP_* option numbers (Windows values).
 */
#ifndef WS2_WS2IPDEF_H
#define WS2_WS2IPDEF_H

#include "ws2def.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- IPv6 address (in6addr.h) ---- */
typedef struct in6_addr {
    union {
        UCHAR  Byte[16];
        USHORT Word[8];
    } u;
} IN6_ADDR, *PIN6_ADDR, *LPIN6_ADDR;
#define in_addr6    in6_addr
#define _S6_un      u
#define _S6_u8      Byte
#define s6_addr     _S6_un._S6_u8
#define s6_bytes    u.Byte
#define s6_words    u.Word

typedef struct sockaddr_in6 {
    ADDRESS_FAMILY sin6_family;
    USHORT         sin6_port;
    ULONG          sin6_flowinfo;
    IN6_ADDR       sin6_addr;
    union {
        ULONG    sin6_scope_id;
        SCOPE_ID sin6_scope_struct;
    };
} SOCKADDR_IN6_LH, *PSOCKADDR_IN6_LH, *LPSOCKADDR_IN6_LH;
typedef SOCKADDR_IN6_LH SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;
typedef struct sockaddr_in6 sockaddr_in6;

typedef union _SOCKADDR_INET {
    SOCKADDR_IN    Ipv4;
    SOCKADDR_IN6   Ipv6;
    ADDRESS_FAMILY si_family;
} SOCKADDR_INET, *PSOCKADDR_INET;

#define SS_PORT(ssp)        (((PSOCKADDR_IN)(ssp))->sin_port)

#define INET_ADDRSTRLEN     22
#define INET6_ADDRSTRLEN    65

/* ---- well-known IPv6 addresses (network order) ---- */
#define IN6ADDR_ANY_INIT                      { { { 0 } } }
#define IN6ADDR_LOOPBACK_INIT                 { { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } }
#define IN6ADDR_ALLNODESONNODE_INIT           { { { 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 } } }
#define IN6ADDR_ALLNODESONLINK_INIT           { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 } } }
#define IN6ADDR_ALLROUTERSONLINK_INIT         { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 } } }
#define IN6ADDR_ALLMLDV2ROUTERSONLINK_INIT    { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16 } } }
#define IN6ADDR_TEREDOINITIALLINKLOCALADDRESS_INIT \
    { { { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe } } }
#define IN6ADDR_LINKLOCALPREFIX_INIT          { { { 0xfe, 0x80 } } }
#define IN6ADDR_MULTICASTPREFIX_INIT          { { { 0xff, 0x00 } } }
#define IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_INIT \
    { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff } } }
#define IN6ADDR_V4MAPPEDPREFIX_INIT           { { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff } } }
#define IN6ADDR_6TO4PREFIX_INIT               { { { 0x20, 0x02 } } }
#define IN6ADDR_TEREDOPREFIX_INIT             { { { 0x20, 0x01, 0, 0 } } }
#define IN6ADDR_TEREDOPREFIX_INIT_OLD         { { { 0x3f, 0xfe, 0x83, 0x1f } } }

#define IN6ADDR_LINKLOCALPREFIX_LENGTH                  64
#define IN6ADDR_MULTICASTPREFIX_LENGTH                  8
#define IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_LENGTH     104
#define IN6ADDR_V4MAPPEDPREFIX_LENGTH                   96
#define IN6ADDR_6TO4PREFIX_LENGTH                       16
#define IN6ADDR_TEREDOPREFIX_LENGTH                     32

/* Exported by libws2_32; in6addr_any/in6addr_loopback under ws2_ names
 * (ws2_libc.h), since glibc has variables of those names. */
extern const IN6_ADDR in6addr_any;
extern const IN6_ADDR in6addr_loopback;
extern const IN6_ADDR in6addr_allnodesonnode;
extern const IN6_ADDR in6addr_allnodesonlink;
extern const IN6_ADDR in6addr_allroutersonlink;
extern const IN6_ADDR in6addr_allmldv2routersonlink;
extern const IN6_ADDR in6addr_teredoinitiallinklocaladdress;
extern const IN6_ADDR in6addr_linklocalprefix;
extern const IN6_ADDR in6addr_multicastprefix;
extern const IN6_ADDR in6addr_solicitednodemulticastprefix;
extern const IN6_ADDR in6addr_v4mappedprefix;
extern const IN6_ADDR in6addr_6to4prefix;
extern const IN6_ADDR in6addr_teredoprefix;
extern const IN6_ADDR in6addr_teredoprefix_old;

/* ---- IPv6 address tests (SDK shapes: BOOLEAN inline functions) ---- */
static __inline BOOLEAN IN6_ADDR_EQUAL(const IN6_ADDR *x, const IN6_ADDR *y)
{
    return memcmp(x, y, sizeof(IN6_ADDR)) == 0;
}
#define IN6_ARE_ADDR_EQUAL IN6_ADDR_EQUAL

static __inline BOOLEAN IN6_IS_ADDR_UNSPECIFIED(const IN6_ADDR *a)
{
    static const IN6_ADDR zero = IN6ADDR_ANY_INIT;
    return IN6_ADDR_EQUAL(a, &zero);
}
static __inline BOOLEAN IN6_IS_ADDR_LOOPBACK(const IN6_ADDR *a)
{
    static const IN6_ADDR loopback = IN6ADDR_LOOPBACK_INIT;
    return IN6_ADDR_EQUAL(a, &loopback);
}
static __inline BOOLEAN IN6_IS_ADDR_MULTICAST(const IN6_ADDR *a)
{
    return a->u.Byte[0] == 0xff;
}
static __inline BOOLEAN IN6_IS_ADDR_EUI64(const IN6_ADDR *a)
{
    return (a->u.Byte[0] & 0xe0) != 0 && !IN6_IS_ADDR_MULTICAST(a);
}
static __inline BOOLEAN IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_EUI64(a) && a->u.Word[4] == 0 && a->u.Word[5] == 0 &&
           a->u.Word[6] == 0 && a->u.Word[7] == 0;
}
static __inline BOOLEAN IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_EUI64(a) && a->u.Word[4] == 0xfffd && a->u.Word[5] == 0xffff &&
           a->u.Word[6] == 0xffff && (a->u.Word[7] & 0x80ff) == 0x80ff;
}
static __inline BOOLEAN IN6_IS_ADDR_ANYCAST(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(a) || IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(a);
}
static __inline BOOLEAN IN6_IS_ADDR_LINKLOCAL(const IN6_ADDR *a)
{
    return a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0x80;
}
static __inline BOOLEAN IN6_IS_ADDR_SITELOCAL(const IN6_ADDR *a)
{
    return a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0xc0;
}
static __inline BOOLEAN IN6_IS_ADDR_GLOBAL(const IN6_ADDR *a)
{
    ULONG high = a->u.Byte[0] & 0xf0;
    return high != 0 && high != 0xf0;
}
static __inline BOOLEAN IN6_IS_ADDR_V4MAPPED(const IN6_ADDR *a)
{
    return a->u.Word[0] == 0 && a->u.Word[1] == 0 && a->u.Word[2] == 0 &&
           a->u.Word[3] == 0 && a->u.Word[4] == 0 && a->u.Word[5] == 0xffff;
}
static __inline BOOLEAN IN6_IS_ADDR_V4COMPAT(const IN6_ADDR *a)
{
    return a->u.Word[0] == 0 && a->u.Word[1] == 0 && a->u.Word[2] == 0 &&
           a->u.Word[3] == 0 && a->u.Word[4] == 0 && a->u.Word[5] == 0 &&
           !(a->u.Word[6] == 0 && (a->u.Word[7] == 0 || a->u.Word[7] == 0x0100));
}
static __inline BOOLEAN IN6_IS_ADDR_V4TRANSLATED(const IN6_ADDR *a)
{
    return a->u.Word[0] == 0 && a->u.Word[1] == 0 && a->u.Word[2] == 0 &&
           a->u.Word[3] == 0 && a->u.Word[4] == 0xffff && a->u.Word[5] == 0;
}
static __inline BOOLEAN IN6_IS_ADDR_MC_NODELOCAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 1;
}
static __inline BOOLEAN IN6_IS_ADDR_MC_LINKLOCAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 2;
}
static __inline BOOLEAN IN6_IS_ADDR_MC_SITELOCAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 5;
}
static __inline BOOLEAN IN6_IS_ADDR_MC_ORGLOCAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 8;
}
static __inline BOOLEAN IN6_IS_ADDR_MC_GLOBAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 0xe;
}
static __inline VOID IN6_SET_ADDR_UNSPECIFIED(PIN6_ADDR a)
{
    memset(a, 0, sizeof(IN6_ADDR));
}
static __inline VOID IN6_SET_ADDR_LOOPBACK(PIN6_ADDR a)
{
    memset(a, 0, sizeof(IN6_ADDR));
    a->u.Byte[15] = 1;
}

/* ---- IPv6 socket addresses ---- */
static __inline VOID IN6ADDR_SETANY(PSOCKADDR_IN6 a)
{
    a->sin6_family = AF_INET6;
    a->sin6_port = 0;
    a->sin6_flowinfo = 0;
    IN6_SET_ADDR_UNSPECIFIED(&a->sin6_addr);
    a->sin6_scope_id = 0;
}
static __inline VOID IN6ADDR_SETLOOPBACK(PSOCKADDR_IN6 a)
{
    a->sin6_family = AF_INET6;
    a->sin6_port = 0;
    a->sin6_flowinfo = 0;
    IN6_SET_ADDR_LOOPBACK(&a->sin6_addr);
    a->sin6_scope_id = 0;
}
static __inline BOOLEAN IN6ADDR_ISANY(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}
static __inline BOOLEAN IN6ADDR_ISLOOPBACK(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}
static __inline BOOLEAN IN6ADDR_ISEQUAL(const SOCKADDR_IN6 *a, const SOCKADDR_IN6 *b)
{
    return a->sin6_scope_id == b->sin6_scope_id && IN6_ADDR_EQUAL(&a->sin6_addr, &b->sin6_addr);
}
static __inline BOOLEAN IN6ADDR_ISUNSPECIFIED(const SOCKADDR_IN6 *a)
{
    return a->sin6_scope_id == 0 && IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}

/* ---- IPPROTO_IP options ---- */
#define IP_OPTIONS                  1
#define IP_HDRINCL                  2
#define IP_TOS                      3
#define IP_TTL                      4
#define IP_MULTICAST_IF             9
#define IP_MULTICAST_TTL            10
#define IP_MULTICAST_LOOP           11
#define IP_ADD_MEMBERSHIP           12
#define IP_DROP_MEMBERSHIP          13
#define IP_DONTFRAGMENT             14
#define IP_ADD_SOURCE_MEMBERSHIP    15
#define IP_DROP_SOURCE_MEMBERSHIP   16
#define IP_BLOCK_SOURCE             17
#define IP_UNBLOCK_SOURCE           18
#define IP_PKTINFO                  19
#define IP_HOPLIMIT                 21
#define IP_RECVTTL                  21
#define IP_RECEIVE_BROADCAST        22
#define IP_RECVIF                   24
#define IP_RECVDSTADDR              25
#define IP_IFLIST                   28
#define IP_ADD_IFLIST               29
#define IP_DEL_IFLIST               30
#define IP_UNICAST_IF               31
#define IP_RTHDR                    32
#define IP_GET_IFLIST               33
#define IP_RECVRTHDR                38
#define IP_TCLASS                   39
#define IP_RECVTCLASS               40
#define IP_RECVTOS                  40
#define IP_ORIGINAL_ARRIVAL_IF      47
#define IP_ECN                      50
#define IP_RECVECN                  50
#define IP_PKTINFO_EX               51
#define IP_WFP_REDIRECT_RECORDS     60
#define IP_WFP_REDIRECT_CONTEXT     70
#define IP_MTU_DISCOVER             71
#define IP_MTU                      73
#define IP_NRT_INTERFACE            74
#define IP_RECVERR                  75
#define IP_USER_MTU                 76

#define IP_UNSPECIFIED_TYPE_OF_SERVICE  -1
#define IP_DEFAULT_MULTICAST_TTL    1
#define IP_DEFAULT_MULTICAST_LOOP   1
#define IP_MAX_MEMBERSHIPS          20

/* ---- IPPROTO_IPV6 options ---- */
#define IPV6_HOPOPTS                1
#define IPV6_HDRINCL                2
#define IPV6_UNICAST_HOPS           4
#define IPV6_MULTICAST_IF           9
#define IPV6_MULTICAST_HOPS         10
#define IPV6_MULTICAST_LOOP         11
#define IPV6_ADD_MEMBERSHIP         12
#define IPV6_JOIN_GROUP             IPV6_ADD_MEMBERSHIP
#define IPV6_DROP_MEMBERSHIP        13
#define IPV6_LEAVE_GROUP            IPV6_DROP_MEMBERSHIP
#define IPV6_DONTFRAG               14
#define IPV6_PKTINFO                19
#define IPV6_HOPLIMIT               21
#define IPV6_PROTECTION_LEVEL       23
#define IPV6_RECVIF                 24
#define IPV6_RECVDSTADDR            25
#define IPV6_CHECKSUM               26
#define IPV6_V6ONLY                 27
#define IPV6_IFLIST                 28
#define IPV6_ADD_IFLIST             29
#define IPV6_DEL_IFLIST             30
#define IPV6_UNICAST_IF             31
#define IPV6_RTHDR                  32
#define IPV6_GET_IFLIST             33
#define IPV6_RECVRTHDR              38
#define IPV6_TCLASS                 39
#define IPV6_RECVTCLASS             40
#define IPV6_ECN                    50
#define IPV6_RECVECN                50
#define IPV6_PKTINFO_EX             51
#define IPV6_WFP_REDIRECT_RECORDS   60
#define IPV6_WFP_REDIRECT_CONTEXT   70
#define IPV6_MTU_DISCOVER           71
#define IPV6_MTU                    72
#define IPV6_NRT_INTERFACE          74
#define IPV6_RECVERR                75
#define IPV6_USER_MTU               76

/* ---- IPPROTO_UDP options ---- */
#define UDP_NOCHECKSUM                  1
#define UDP_SEND_MSG_SIZE               2
#define UDP_RECV_MAX_COALESCED_SIZE     3
#define UDP_CHECKSUM_COVERAGE           20
#define UDP_COALESCED_INFO              UDP_RECV_MAX_COALESCED_SIZE

/* ---- packet info (control messages) ---- */
typedef struct in_pktinfo {
    IN_ADDR ipi_addr;
    ULONG   ipi_ifindex;
} IN_PKTINFO, *PIN_PKTINFO;

typedef struct in6_pktinfo {
    IN6_ADDR ipi6_addr;
    ULONG    ipi6_ifindex;
} IN6_PKTINFO, *PIN6_PKTINFO;

/* ---- multicast requests ---- */
typedef struct ip_mreq {
    IN_ADDR imr_multiaddr;
    IN_ADDR imr_interface;
} IP_MREQ, *PIP_MREQ;

/* Windows' order: group, source, interface (Linux puts the interface second). */
typedef struct ip_mreq_source {
    IN_ADDR imr_multiaddr;
    IN_ADDR imr_sourceaddr;
    IN_ADDR imr_interface;
} IP_MREQ_SOURCE, *PIP_MREQ_SOURCE;

typedef struct ipv6_mreq {
    IN6_ADDR ipv6mr_multiaddr;
    ULONG    ipv6mr_interface;
} IPV6_MREQ, *PIPV6_MREQ;

/* ---- protocol-independent multicast (level IPPROTO_IP or IPPROTO_IPV6) ---- */
#define MCAST_JOIN_GROUP            41
#define MCAST_LEAVE_GROUP           42
#define MCAST_BLOCK_SOURCE          43
#define MCAST_UNBLOCK_SOURCE        44
#define MCAST_JOIN_SOURCE_GROUP     45
#define MCAST_LEAVE_SOURCE_GROUP    46

typedef enum {
    MCAST_INCLUDE = 0,
    MCAST_EXCLUDE
} MULTICAST_MODE_TYPE;

typedef struct group_req {
    ULONG            gr_interface;
    SOCKADDR_STORAGE gr_group;
} GROUP_REQ, *PGROUP_REQ;

typedef struct group_source_req {
    ULONG            gsr_interface;
    SOCKADDR_STORAGE gsr_group;
    SOCKADDR_STORAGE gsr_source;
} GROUP_SOURCE_REQ, *PGROUP_SOURCE_REQ;

/* ---- SIO_GET_INTERFACE_LIST (P5) ---- */
typedef struct sockaddr_in6_old {
    SHORT    sin6_family;
    USHORT   sin6_port;
    ULONG    sin6_flowinfo;
    IN6_ADDR sin6_addr;
} SOCKADDR_IN6_OLD;

typedef union sockaddr_gen {
    struct sockaddr         Address;
    struct sockaddr_in      AddressIn;
    struct sockaddr_in6_old AddressIn6;
} sockaddr_gen;

typedef struct _INTERFACE_INFO {
    ULONG        iiFlags;
    sockaddr_gen iiAddress;
    sockaddr_gen iiBroadcastAddress;
    sockaddr_gen iiNetmask;
} INTERFACE_INFO, *LPINTERFACE_INFO;

/* Windows' values, not Linux's (IFF_LOOPBACK is 8 there, IFF_MULTICAST 0x1000). */
#define IFF_UP              0x00000001
#define IFF_BROADCAST       0x00000002
#define IFF_LOOPBACK        0x00000004
#define IFF_POINTTOPOINT    0x00000008
#define IFF_MULTICAST       0x00000010

/* _IOR('t', 127, u_long) and _IOR('t', 126, u_long) with a 32-bit u_long. */
#define SIO_GET_INTERFACE_LIST      0x4004747F
#define SIO_GET_INTERFACE_LIST_EX   0x4004747E

#ifdef __cplusplus
}
#endif

#endif /* WS2_WS2IPDEF_H */
