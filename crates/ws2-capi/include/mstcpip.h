/*
 * mstcpip.h -- vendor WSAIoctl codes (SIO_UDP_CONNRESET, SIO_UDP_NETRESET,
 * ...) and the SDK's address helpers: IN4_*, IN4ADDR_*, IN6_* (the parts
 * not in ws2ipdef.h), INET_* and INETADDR_*, as BOOLEAN inline functions
 * on network-order addresses, with the SDK's names and semantics.
 */
#ifndef WS2_MSTCPIP_H
#define WS2_MSTCPIP_H

#include "winsock2.h"
#include "ws2ipdef.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tcp_keepalive {
    ULONG onoff;
    ULONG keepalivetime;
    ULONG keepaliveinterval;
};

#define SIO_RCVALL                  _WSAIOW(IOC_VENDOR, 1)
#define SIO_RCVALL_MCAST            _WSAIOW(IOC_VENDOR, 2)
#define SIO_RCVALL_IGMPMCAST        _WSAIOW(IOC_VENDOR, 3)
#define SIO_KEEPALIVE_VALS          _WSAIOW(IOC_VENDOR, 4)
#define SIO_ABSORB_RTRALERT         _WSAIOW(IOC_VENDOR, 5)
#define SIO_UCAST_IF                _WSAIOW(IOC_VENDOR, 6)
#define SIO_LIMIT_BROADCASTS        _WSAIOW(IOC_VENDOR, 7)
#define SIO_INDEX_BIND              _WSAIOW(IOC_VENDOR, 8)
#define SIO_INDEX_MCASTIF           _WSAIOW(IOC_VENDOR, 9)
#define SIO_INDEX_ADD_MCAST         _WSAIOW(IOC_VENDOR, 10)
#define SIO_INDEX_DEL_MCAST         _WSAIOW(IOC_VENDOR, 11)
#define SIO_UDP_CONNRESET           _WSAIOW(IOC_VENDOR, 12)
#define SIO_RCVALL_MCAST_IF         _WSAIOW(IOC_VENDOR, 13)
#define SIO_RCVALL_IF               _WSAIOW(IOC_VENDOR, 14)
#define SIO_UDP_NETRESET            _WSAIOW(IOC_VENDOR, 15)
#define SIO_LOOPBACK_FAST_PATH      _WSAIOW(IOC_VENDOR, 16)

/* ---- IPv4 addresses (network order) ---- */
#define IN4_CLASSA(i)               (((LONG)(i) & 0x00000080) == 0)
#define IN4_CLASSB(i)               (((LONG)(i) & 0x000000c0) == 0x00000080)
#define IN4_CLASSC(i)               (((LONG)(i) & 0x000000e0) == 0x000000c0)
#define IN4_CLASSD(i)               (((LONG)(i) & 0x000000f0) == 0x000000e0)
#define IN4_MULTICAST(i)            IN4_CLASSD(i)

#define IN4ADDR_ANY                 INADDR_ANY
#define IN4ADDR_LOOPBACK            0x0100007f
#define IN4ADDR_BROADCAST           INADDR_BROADCAST
#define IN4ADDR_NONE                INADDR_NONE
#define IN4ADDR_ANY_INIT                    { { { 0, 0, 0, 0 } } }
#define IN4ADDR_LOOPBACK_INIT               { { { 0x7f, 0, 0, 0x01 } } }
#define IN4ADDR_BROADCAST_INIT              { { { 0xff, 0xff, 0xff, 0xff } } }
#define IN4ADDR_ALLNODESONLINK_INIT         { { { 0xe0, 0, 0, 0x01 } } }
#define IN4ADDR_ALLROUTERSONLINK_INIT       { { { 0xe0, 0, 0, 0x02 } } }
#define IN4ADDR_ALLIGMPV3ROUTERSONLINK_INIT { { { 0xe0, 0, 0, 0x16 } } }
#define IN4ADDR_ALLTEREDONODESONLINK_INIT   { { { 0xe0, 0, 0, 0xfd } } }
#define IN4ADDR_LINKLOCALPREFIX_INIT        { { { 0xa9, 0xfe, 0, 0 } } }
#define IN4ADDR_MULTICASTPREFIX_INIT        { { { 0xe0, 0, 0, 0 } } }
#define IN4ADDR_LOOPBACKPREFIX_LENGTH       8
#define IN4ADDR_LINKLOCALPREFIX_LENGTH      16
#define IN4ADDR_MULTICASTPREFIX_LENGTH      4

extern const IN_ADDR in4addr_any;
extern const IN_ADDR in4addr_loopback;
extern const IN_ADDR in4addr_broadcast;
extern const IN_ADDR in4addr_allnodesonlink;
extern const IN_ADDR in4addr_allroutersonlink;
extern const IN_ADDR in4addr_alligmpv3routersonlink;
extern const IN_ADDR in4addr_allteredohostsonlink;
extern const IN_ADDR in4addr_linklocalprefix;
extern const IN_ADDR in4addr_multicastprefix;
extern const SCOPE_ID scopeid_unspecified;

static __inline BOOLEAN IN4_ADDR_EQUAL(const IN_ADDR *a, const IN_ADDR *b)
{
    return a->s_addr == b->s_addr;
}
static __inline BOOLEAN IN4_IS_ADDR_UNSPECIFIED(const IN_ADDR *a)
{
    return a->s_addr == IN4ADDR_ANY;
}
static __inline BOOLEAN IN4_IS_ADDR_LOOPBACK(const IN_ADDR *a)
{
    return a->S_un.S_un_b.s_b1 == 0x7f;
}
static __inline BOOLEAN IN4_IS_ADDR_BROADCAST(const IN_ADDR *a)
{
    return a->s_addr == IN4ADDR_BROADCAST;
}
static __inline BOOLEAN IN4_IS_ADDR_MULTICAST(const IN_ADDR *a)
{
    return IN4_MULTICAST(a->s_addr);
}
static __inline BOOLEAN IN4_IS_ADDR_LINKLOCAL(const IN_ADDR *a)
{
    return (a->s_addr & 0xffff) == 0xfea9;
}
static __inline BOOLEAN IN4_IS_ADDR_SITELOCAL(const IN_ADDR *a)
{
    (void)a;
    return FALSE;
}
static __inline BOOLEAN IN4_IS_ADDR_RFC1918(const IN_ADDR *a)
{
    return (a->s_addr & 0x00ff) == 0x0a || (a->s_addr & 0xf0ff) == 0x10ac ||
           (a->s_addr & 0xffff) == 0xa8c0;
}
static __inline BOOLEAN IN4_IS_ADDR_MC_LINKLOCAL(const IN_ADDR *a)
{
    return (a->s_addr & 0xffffff) == 0xe0;
}
static __inline BOOLEAN IN4_IS_ADDR_MC_ADMINLOCAL(const IN_ADDR *a)
{
    return (a->s_addr & 0xffff) == 0xffef;
}
static __inline BOOLEAN IN4_IS_ADDR_MC_SITELOCAL(const IN_ADDR *a)
{
    return (a->s_addr & 0xff) == 0xef && !IN4_IS_ADDR_MC_ADMINLOCAL(a);
}
#define IN4_UNALIGNED_ADDR_EQUAL            IN4_ADDR_EQUAL
#define IN4_IS_UNALIGNED_ADDR_UNSPECIFIED   IN4_IS_ADDR_UNSPECIFIED
#define IN4_IS_UNALIGNED_ADDR_LOOPBACK      IN4_IS_ADDR_LOOPBACK
#define IN4_IS_UNALIGNED_ADDR_BROADCAST     IN4_IS_ADDR_BROADCAST
#define IN4_IS_UNALIGNED_ADDR_MULTICAST     IN4_IS_ADDR_MULTICAST
#define IN4_IS_UNALIGNED_ADDR_LINKLOCAL     IN4_IS_ADDR_LINKLOCAL
#define IN4_IS_UNALIGNED_ADDR_SITELOCAL     IN4_IS_ADDR_SITELOCAL
#define IN4_IS_UNALIGNED_ADDR_RFC1918       IN4_IS_ADDR_RFC1918

static __inline VOID IN4ADDR_SETSOCKADDR(PSOCKADDR_IN a, const IN_ADDR *addr, USHORT port)
{
    a->sin_family = AF_INET;
    a->sin_port = port;
    a->sin_addr = *addr;
    memset(a->sin_zero, 0, sizeof a->sin_zero);
}
static __inline VOID IN4ADDR_SETANY(PSOCKADDR_IN a)
{
    IN_ADDR any;
    any.s_addr = IN4ADDR_ANY;
    IN4ADDR_SETSOCKADDR(a, &any, 0);
}
static __inline VOID IN4ADDR_SETLOOPBACK(PSOCKADDR_IN a)
{
    IN_ADDR loopback;
    loopback.s_addr = IN4ADDR_LOOPBACK;
    IN4ADDR_SETSOCKADDR(a, &loopback, 0);
}
static __inline BOOLEAN IN4ADDR_ISANY(const SOCKADDR_IN *a)
{
    return IN4_IS_ADDR_UNSPECIFIED(&a->sin_addr);
}
static __inline BOOLEAN IN4ADDR_ISLOOPBACK(const SOCKADDR_IN *a)
{
    return IN4_IS_ADDR_LOOPBACK(&a->sin_addr);
}
static __inline SCOPE_ID IN4ADDR_SCOPE_ID(const SOCKADDR_IN *a)
{
    SCOPE_ID none;
    (void)a;
    none.Value = 0;
    return none;
}
static __inline BOOLEAN IN4ADDR_ISEQUAL(const SOCKADDR_IN *a, const SOCKADDR_IN *b)
{
    return IN4_ADDR_EQUAL(&a->sin_addr, &b->sin_addr);
}
static __inline BOOLEAN IN4ADDR_ISUNSPECIFIED(const SOCKADDR_IN *a)
{
    return IN4_IS_ADDR_UNSPECIFIED(&a->sin_addr);
}

/* ---- IPv6 addresses beyond ws2ipdef.h ---- */
static __inline BOOLEAN IN6_PREFIX_EQUAL(const IN6_ADDR *a, const IN6_ADDR *b, UCHAR prefix_len)
{
    UCHAR bytes = prefix_len / 8, bits = prefix_len % 8, mask = (UCHAR)(0xff00 >> bits);
    return prefix_len <= 128 && memcmp(a, b, bytes) == 0 &&
           (bits == 0 || (a->u.Byte[bytes] & mask) == (b->u.Byte[bytes] & mask));
}
static __inline BOOLEAN IN6_IS_ADDR_ALLNODESONNODE(const IN6_ADDR *a)
{
    return IN6_ADDR_EQUAL(a, &in6addr_allnodesonnode);
}
static __inline BOOLEAN IN6_IS_ADDR_ALLNODESONLINK(const IN6_ADDR *a)
{
    return IN6_ADDR_EQUAL(a, &in6addr_allnodesonlink);
}
static __inline BOOLEAN IN6_IS_ADDR_ALLROUTERSONLINK(const IN6_ADDR *a)
{
    return IN6_ADDR_EQUAL(a, &in6addr_allroutersonlink);
}
static __inline BOOLEAN IN6_IS_ADDR_SOLICITEDNODE(const IN6_ADDR *a)
{
    return IN6_PREFIX_EQUAL(a, &in6addr_solicitednodemulticastprefix,
                            IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_LENGTH);
}
static __inline BOOLEAN IN6_IS_ADDR_ISATAP(const IN6_ADDR *a)
{
    return (a->u.Word[4] & 0xfffd) == 0 && a->u.Word[5] == 0xfe5e;
}
static __inline BOOLEAN IN6_IS_ADDR_6TO4(const IN6_ADDR *a)
{
    return a->u.Word[0] == 0x0220;
}
static __inline BOOLEAN IN6_IS_ADDR_TEREDO(const IN6_ADDR *a)
{
    return (a->u.Word[0] == 0x0120 && a->u.Word[1] == 0) ||
           (a->u.Word[0] == 0xfe3f && a->u.Word[1] == 0x1f83);
}
static __inline BOOLEAN IN6ADDR_ISV4MAPPED(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr);
}
static __inline BOOLEAN IN6ADDR_ISISATAP(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_ISATAP(&a->sin6_addr);
}
static __inline BOOLEAN IN6ADDR_IS6TO4(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_6TO4(&a->sin6_addr);
}
static __inline BOOLEAN IN6ADDR_ISTEREDO(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_TEREDO(&a->sin6_addr);
}
static __inline const UCHAR *IN6_GET_ADDR_V4MAPPED(const IN6_ADDR *a)
{
    return &a->u.Byte[12];
}
static __inline const UCHAR *IN6_GET_ADDR_V4COMPAT(const IN6_ADDR *a)
{
    return &a->u.Byte[12];
}
static __inline const UCHAR *IN6_EXTRACT_V4ADDR_FROM_ISATAP(const IN6_ADDR *a)
{
    return &a->u.Byte[12];
}
static __inline const UCHAR *IN6_EXTRACT_V4ADDR_FROM_6TO4(const IN6_ADDR *a)
{
    return &a->u.Byte[2];
}
static __inline VOID IN6_SET_ADDR_V4MAPPED(PIN6_ADDR a6, const IN_ADDR *a4)
{
    *a6 = in6addr_v4mappedprefix;
    memcpy(&a6->u.Byte[12], a4, sizeof *a4);
}
static __inline VOID IN6_SET_ADDR_V4COMPAT(PIN6_ADDR a6, const IN_ADDR *a4)
{
    memset(a6, 0, sizeof *a6);
    memcpy(&a6->u.Byte[12], a4, sizeof *a4);
}
static __inline VOID IN6_SET_ADDR_SOLICITEDNODE(PIN6_ADDR multicast, const IN6_ADDR *unicast)
{
    *multicast = in6addr_solicitednodemulticastprefix;
    multicast->u.Byte[13] = unicast->u.Byte[13];
    multicast->u.Byte[14] = unicast->u.Byte[14];
    multicast->u.Byte[15] = unicast->u.Byte[15];
}
static __inline SCOPE_LEVEL Ipv6AddressScope(const UCHAR *address)
{
    IN6_ADDR a;
    memcpy(&a, address, sizeof a);
    if (IN6_IS_ADDR_MULTICAST(&a)) return (SCOPE_LEVEL)(a.u.Byte[1] & 0xf);
    if (IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_LOOPBACK(&a)) return ScopeLevelLink;
    if (IN6_IS_ADDR_SITELOCAL(&a)) return ScopeLevelSite;
    return ScopeLevelGlobal;
}
static __inline SCOPE_LEVEL IN6_MULTICAST_SCOPE(const UCHAR *address)
{
    return (SCOPE_LEVEL)(address[1] & 0xf);
}
static __inline VOID IN6_UNCANONICALIZE_SCOPE_ID(const IN6_ADDR *a, SCOPE_ID *scope)
{
    SCOPE_LEVEL level = Ipv6AddressScope((const UCHAR *)a);
    if (IN6_IS_ADDR_LOOPBACK(a) || level == ScopeLevelGlobal) scope->Value = 0;
    if ((ULONG)level == scope->Level) scope->Level = 0;
}
static __inline VOID IN6ADDR_SETSOCKADDR(PSOCKADDR_IN6 a, const IN6_ADDR *addr, SCOPE_ID scope,
                                         USHORT port)
{
    a->sin6_family = AF_INET6;
    a->sin6_port = port;
    a->sin6_flowinfo = 0;
    a->sin6_addr = *addr;
    a->sin6_scope_struct = scope;
    IN6_UNCANONICALIZE_SCOPE_ID(&a->sin6_addr, &a->sin6_scope_struct);
}
static __inline VOID IN6ADDR_SETV4MAPPED(PSOCKADDR_IN6 a6, const IN_ADDR *a4, SCOPE_ID scope,
                                         USHORT port)
{
    a6->sin6_family = AF_INET6;
    a6->sin6_port = port;
    a6->sin6_flowinfo = 0;
    IN6_SET_ADDR_V4MAPPED(&a6->sin6_addr, a4);
    a6->sin6_scope_struct = scope;
    IN6_UNCANONICALIZE_SCOPE_ID(&a6->sin6_addr, &a6->sin6_scope_struct);
}

/* ---- either family, chosen by an ADDRESS_FAMILY ---- */
static __inline BOOLEAN INET_ADDR_EQUAL(ADDRESS_FAMILY af, const VOID *a, const VOID *b)
{
    if (af == AF_INET6) return IN6_ADDR_EQUAL((const IN6_ADDR *)a, (const IN6_ADDR *)b);
    return IN4_ADDR_EQUAL((const IN_ADDR *)a, (const IN_ADDR *)b);
}
#define INET_UNALIGNED_ADDR_EQUAL INET_ADDR_EQUAL
static __inline BOOLEAN INET_IS_ADDR_UNSPECIFIED(ADDRESS_FAMILY af, const VOID *a)
{
    if (af == AF_INET6) return IN6_IS_ADDR_UNSPECIFIED((const IN6_ADDR *)a);
    return IN4_IS_ADDR_UNSPECIFIED((const IN_ADDR *)a);
}
#define INET_IS_UNALIGNED_ADDR_UNSPECIFIED INET_IS_ADDR_UNSPECIFIED
static __inline BOOLEAN INET_IS_ADDR_LOOPBACK(ADDRESS_FAMILY af, const VOID *a)
{
    if (af == AF_INET6) return IN6_IS_ADDR_LOOPBACK((const IN6_ADDR *)a);
    return IN4_IS_ADDR_LOOPBACK((const IN_ADDR *)a);
}
static __inline BOOLEAN INET_IS_ADDR_BROADCAST(ADDRESS_FAMILY af, const VOID *a)
{
    if (af == AF_INET6) return FALSE;
    return IN4_IS_ADDR_BROADCAST((const IN_ADDR *)a);
}
static __inline BOOLEAN INET_IS_ADDR_MULTICAST(ADDRESS_FAMILY af, const VOID *a)
{
    if (af == AF_INET6) return IN6_IS_ADDR_MULTICAST((const IN6_ADDR *)a);
    return IN4_IS_ADDR_MULTICAST((const IN_ADDR *)a);
}
static __inline const UCHAR *INET_ADDR_UNSPECIFIED(ADDRESS_FAMILY af)
{
    if (af == AF_INET6) return (const UCHAR *)&in6addr_any;
    return (const UCHAR *)&in4addr_any;
}
static __inline SIZE_T INET_ADDR_LENGTH(ADDRESS_FAMILY af)
{
    return af == AF_INET6 ? sizeof(IN6_ADDR) : sizeof(IN_ADDR);
}
static __inline SIZE_T INET_SOCKADDR_LENGTH(ADDRESS_FAMILY af)
{
    return af == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN);
}
static __inline VOID INET_SET_ADDRESS(ADDRESS_FAMILY af, PUCHAR dst, const UCHAR *src)
{
    memcpy(dst, src, INET_ADDR_LENGTH(af));
}

/* ---- socket addresses of either family (dispatch on sa_family) ---- */
static __inline VOID INETADDR_SETSOCKADDR(ADDRESS_FAMILY af, PSOCKADDR a, const VOID *addr,
                                          SCOPE_ID scope, USHORT port)
{
    if (af == AF_INET6)
        IN6ADDR_SETSOCKADDR((PSOCKADDR_IN6)a, (const IN6_ADDR *)addr, scope, port);
    else
        IN4ADDR_SETSOCKADDR((PSOCKADDR_IN)a, (const IN_ADDR *)addr, port);
}
static __inline VOID INETADDR_SETANY(PSOCKADDR a)
{
    if (a->sa_family == AF_INET6)
        IN6ADDR_SETANY((PSOCKADDR_IN6)a);
    else
        IN4ADDR_SETANY((PSOCKADDR_IN)a);
}
static __inline VOID INETADDR_SETLOOPBACK(PSOCKADDR a)
{
    if (a->sa_family == AF_INET6)
        IN6ADDR_SETLOOPBACK((PSOCKADDR_IN6)a);
    else
        IN4ADDR_SETLOOPBACK((PSOCKADDR_IN)a);
}
static __inline BOOLEAN INETADDR_ISANY(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6) return IN6ADDR_ISANY((const SOCKADDR_IN6 *)a);
    return IN4ADDR_ISANY((const SOCKADDR_IN *)a);
}
static __inline BOOLEAN INETADDR_ISLOOPBACK(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6) return IN6ADDR_ISLOOPBACK((const SOCKADDR_IN6 *)a);
    return IN4ADDR_ISLOOPBACK((const SOCKADDR_IN *)a);
}
static __inline BOOLEAN INETADDR_ISV4MAPPED(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6) return IN6ADDR_ISV4MAPPED((const SOCKADDR_IN6 *)a);
    return FALSE;
}
static __inline BOOLEAN INETADDR_ISEQUAL(const SOCKADDR *a, const SOCKADDR *b)
{
    if (a->sa_family == AF_INET6)
        return b->sa_family == AF_INET6 &&
               IN6ADDR_ISEQUAL((const SOCKADDR_IN6 *)a, (const SOCKADDR_IN6 *)b);
    return b->sa_family == a->sa_family &&
           IN4ADDR_ISEQUAL((const SOCKADDR_IN *)a, (const SOCKADDR_IN *)b);
}
static __inline BOOLEAN INETADDR_ISUNSPECIFIED(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6) return IN6ADDR_ISUNSPECIFIED((const SOCKADDR_IN6 *)a);
    return IN4ADDR_ISUNSPECIFIED((const SOCKADDR_IN *)a);
}
static __inline SCOPE_ID INETADDR_SCOPE_ID(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6) return ((const SOCKADDR_IN6 *)a)->sin6_scope_struct;
    return IN4ADDR_SCOPE_ID((const SOCKADDR_IN *)a);
}
/* The port as stored: network order, not swapped. */
static __inline USHORT INETADDR_PORT(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6) return ((const SOCKADDR_IN6 *)a)->sin6_port;
    return ((const SOCKADDR_IN *)a)->sin_port;
}
static __inline PUCHAR INETADDR_ADDRESS(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6) return (PUCHAR)&((const SOCKADDR_IN6 *)a)->sin6_addr;
    return (PUCHAR)&((const SOCKADDR_IN *)a)->sin_addr;
}
static __inline VOID INETADDR_SET_PORT(PSOCKADDR a, USHORT port)
{
    SS_PORT(a) = port;
}
static __inline VOID INETADDR_SET_ADDRESS(PSOCKADDR a, const UCHAR *address)
{
    if (a->sa_family == AF_INET6)
        memcpy(&((PSOCKADDR_IN6)a)->sin6_addr, address, sizeof(IN6_ADDR));
    else
        memcpy(&((PSOCKADDR_IN)a)->sin_addr, address, sizeof(IN_ADDR));
}

static __inline BOOLEAN NL_ADDR_EQUAL(ADDRESS_FAMILY af, SCOPE_ID scope_a, const UCHAR *a,
                                      SCOPE_ID scope_b, const UCHAR *b)
{
    return scope_a.Value == scope_b.Value && INET_ADDR_EQUAL(af, a, b);
}
static __inline BOOLEAN NL_IS_ADDR_UNSPECIFIED(ADDRESS_FAMILY af, SCOPE_ID scope, const UCHAR *a)
{
    return scope.Value == 0 && INET_IS_ADDR_UNSPECIFIED(af, a);
}

#ifdef __cplusplus
}
#endif

#endif /* WS2_MSTCPIP_H */
