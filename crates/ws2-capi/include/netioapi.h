/*
 * netioapi.h -- interface identifier conversions and if_nametoindex /
 * if_indextoname.  Names follow ws2's scheme (README): LUID names are
 * Windows' "<type>_<index>" (ethernet_3, loopback_1); if_nametoindex also
 * takes a Linux interface name.  glibc has if_nametoindex and
 * if_indextoname too: ws2_libc.h binds these names to libws2_32's.
 */
#ifndef WS2_NETIOAPI_H
#define WS2_NETIOAPI_H

#include "winsock2.h"
#include "ws2ipdef.h"
#include "ifdef.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef NETIOAPI_API
#define NETIOAPI_API DWORD WINAPI
#endif
typedef DWORD NETIO_STATUS;

#ifndef IF_NAMESIZE
#define IF_NAMESIZE NDIS_IF_MAX_STRING_SIZE
#endif

NETIOAPI_API ConvertInterfaceIndexToLuid(NET_IFINDEX InterfaceIndex, PNET_LUID InterfaceLuid);
NETIOAPI_API ConvertInterfaceLuidToIndex(const NET_LUID *InterfaceLuid,
                                         PNET_IFINDEX InterfaceIndex);
NETIOAPI_API ConvertInterfaceLuidToNameA(const NET_LUID *InterfaceLuid, PSTR InterfaceName,
                                         SIZE_T Length);

NET_IFINDEX WINAPI if_nametoindex(PCSTR InterfaceName);
PCHAR WINAPI if_indextoname(NET_IFINDEX InterfaceIndex, PCHAR InterfaceName);

#ifdef __cplusplus
}
#endif

#endif /* WS2_NETIOAPI_H */
