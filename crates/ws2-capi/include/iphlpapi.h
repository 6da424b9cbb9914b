/*
 * iphlpapi.h -- the IP Helper calls ws2 provides (SPEC P5), in libws2_32
 * (-liphlpapi resolves to it, see the README's "Link names"): GetAdaptersAddresses,
 * GetAdaptersInfo, GetIpAddrTable, GetBestInterface(Ex), GetBestRoute,
 * NotifyAddrChange / CancelIPChangeNotify, and from netioapi.h the
 * ConvertInterface* calls and if_nametoindex / if_indextoname.  Everything
 * is read from the Linux kernel (rtnetlink) at each call; the naming scheme
 * for AdapterName, FriendlyName and LUID names is in the README.
 */
#ifndef WS2_IPHLPAPI_H
#define WS2_IPHLPAPI_H

#include "winsock2.h"
#include "winerror.h"
#include "ws2ipdef.h"
#include "iptypes.h"
#include "ipmib.h"
#include "netioapi.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef IPHLPAPI_DLL_LINKAGE
#define IPHLPAPI_DLL_LINKAGE
#endif

typedef ULONG IPAddr;
typedef ULONG IPMask;
typedef ULONG IP_STATUS;

IPHLPAPI_DLL_LINKAGE ULONG WINAPI GetAdaptersAddresses(ULONG Family, ULONG Flags, PVOID Reserved,
                                                       PIP_ADAPTER_ADDRESSES AdapterAddresses,
                                                       PULONG SizePointer);
IPHLPAPI_DLL_LINKAGE ULONG WINAPI GetAdaptersInfo(PIP_ADAPTER_INFO AdapterInfo, PULONG SizePointer);
IPHLPAPI_DLL_LINKAGE ULONG WINAPI GetIpAddrTable(PMIB_IPADDRTABLE IpAddrTable, PULONG SizePointer,
                                                 BOOL Order);
IPHLPAPI_DLL_LINKAGE DWORD WINAPI GetBestInterface(IPAddr dwDestAddr, PDWORD pdwBestIfIndex);
IPHLPAPI_DLL_LINKAGE DWORD WINAPI GetBestInterfaceEx(struct sockaddr *pDestAddr,
                                                     PDWORD pdwBestIfIndex);
IPHLPAPI_DLL_LINKAGE DWORD WINAPI GetBestRoute(DWORD dwDestAddr, DWORD dwSourceAddr,
                                               PMIB_IPFORWARDROW pBestRoute);
IPHLPAPI_DLL_LINKAGE DWORD WINAPI NotifyAddrChange(PHANDLE Handle, LPOVERLAPPED overlapped);
IPHLPAPI_DLL_LINKAGE BOOL WINAPI CancelIPChangeNotify(LPOVERLAPPED notifyOverlapped);

#ifdef __cplusplus
}
#endif

#endif /* WS2_IPHLPAPI_H */
