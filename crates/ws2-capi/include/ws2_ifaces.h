/*
 * ws2_ifaces.h -- the interface-discovery part of ws2def.h, ws2ipdef.h and
 * winsock2.h (SPEC P5): SOCKET_ADDRESS, SOCKET_ADDRESS_LIST, sockaddr_gen,
 * INTERFACE_INFO, Windows' IFF_* values, SIO_GET_INTERFACE_LIST, the
 * FD_*_CHANGE event bits and the winerror.h codes of the IP Helper calls.  Included by winsock2.h; not a Windows header,
 * do not include it yourself.  64-bit Windows layouts, asserted by
 * tests/c/headers_iphlpapi.c.
 */
#ifndef WS2_IFACES_H
#define WS2_IFACES_H

#include "ws2def.h"
#include "ws2ipdef.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef FIELD_OFFSET
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#endif

/* ---- winerror.h: the codes the IP Helper calls return that windows.h
 * does not define yet ---- */
#ifndef ERROR_INVALID_DATA
#define ERROR_INVALID_DATA              13
#endif
#ifndef ERROR_BUFFER_OVERFLOW
#define ERROR_BUFFER_OVERFLOW           111
#endif
#ifndef ERROR_INVALID_NAME
#define ERROR_INVALID_NAME              123
#endif
#ifndef ERROR_NO_DATA
#define ERROR_NO_DATA                   232
#endif
#ifndef ERROR_CAN_NOT_COMPLETE
#define ERROR_CAN_NOT_COMPLETE          1003
#endif
#ifndef ERROR_CANCELLED
#define ERROR_CANCELLED                 1223
#endif

/* ---- ws2def.h ---- */
typedef struct _SOCKET_ADDRESS {
    LPSOCKADDR lpSockaddr;
    INT        iSockaddrLength;
} SOCKET_ADDRESS, *PSOCKET_ADDRESS, *LPSOCKET_ADDRESS;

typedef struct _SOCKET_ADDRESS_LIST {
    INT            iAddressCount;
    SOCKET_ADDRESS Address[1];
} SOCKET_ADDRESS_LIST, *PSOCKET_ADDRESS_LIST, *LPSOCKET_ADDRESS_LIST;

#define SIZEOF_SOCKET_ADDRESS_LIST(AddressCount) \
    (FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address) + (AddressCount) * sizeof(SOCKET_ADDRESS))

/* ---- winsock2.h: network events of address and route changes ---- */
#define FD_ROUTING_INTERFACE_CHANGE_BIT 8
#define FD_ROUTING_INTERFACE_CHANGE     (1 << FD_ROUTING_INTERFACE_CHANGE_BIT)
#define FD_ADDRESS_LIST_CHANGE_BIT      9
#define FD_ADDRESS_LIST_CHANGE          (1 << FD_ADDRESS_LIST_CHANGE_BIT)

/* ---- ws2ipdef.h: SIO_GET_INTERFACE_LIST ---- */
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

#endif /* WS2_IFACES_H */
