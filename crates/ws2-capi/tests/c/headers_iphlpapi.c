/* Layouts and numbers of the interface-discovery headers (SPEC P5):
 * iphlpapi.h and what it pulls in (iptypes.h, ipifcons.h, ifdef.h,
 * nldef.h, ipmib.h, netioapi.h), SOCKET_ADDRESS_LIST and INTERFACE_INFO,
 * with 64-bit Windows values (the same table as ws2-abi's tests).  Uses
 * the Windows spellings, and includes glibc's <net/if.h> after ours. */
#include <WinSock2.h>
#include <WS2tcpip.h>
#include <IPHlpApi.h>
#include <IPTypes.h>
#include <IPIfCons.h>
#include <net/if.h>
#include <stddef.h>

#ifdef __cplusplus
#define SA(e, m) static_assert(e, m)
#else
#define SA(e, m) _Static_assert(e, m)
#endif
#define SIZE(t, n) SA(sizeof(t) == (n), "sizeof " #t)
#define OFF(t, f, n) SA(offsetof(t, f) == (n), "offsetof " #t "." #f)
#define VAL(c, v) SA((c) == (v), #c)

/* ---- WSAIoctl (ws2def.h, ws2ipdef.h, winsock2.h) ---- */
SIZE(SOCKET_ADDRESS, 16); OFF(SOCKET_ADDRESS, iSockaddrLength, 8);
SIZE(SOCKET_ADDRESS_LIST, 24); OFF(SOCKET_ADDRESS_LIST, Address, 8);
SIZE(sockaddr_gen, 24); SIZE(INTERFACE_INFO, 76);
OFF(INTERFACE_INFO, iiAddress, 4); OFF(INTERFACE_INFO, iiBroadcastAddress, 28);
OFF(INTERFACE_INFO, iiNetmask, 52);
VAL(SIO_ROUTING_INTERFACE_QUERY, 0xC8000014); VAL(SIO_ADDRESS_LIST_QUERY, 0x48000016);
VAL(SIO_ADDRESS_LIST_CHANGE, 0x28000017); VAL(SIO_GET_INTERFACE_LIST, 0x4004747F);
VAL(FD_ADDRESS_LIST_CHANGE, 0x200); VAL(FD_ROUTING_INTERFACE_CHANGE, 0x100);
VAL(IFF_UP, 1); VAL(IFF_BROADCAST, 2); VAL(IFF_LOOPBACK, 4); VAL(IFF_POINTTOPOINT, 8);
VAL(IFF_MULTICAST, 0x10);

/* ---- ifdef.h, ipifcons.h, nldef.h ---- */
SIZE(NET_LUID, 8); SIZE(IF_OPER_STATUS, 4);
VAL(IF_TYPE_SOFTWARE_LOOPBACK, 24); VAL(IF_TYPE_ETHERNET_CSMACD, 6); VAL(MIB_IF_TYPE_LOOPBACK, 24);
VAL(IfOperStatusUp, 1); VAL(IfOperStatusLowerLayerDown, 7);
VAL(IpPrefixOriginDhcp, 3); VAL(IpSuffixOriginRandom, 5); VAL(IpDadStatePreferred, 4);
VAL(IF_NAMESIZE, 256); VAL(IF_MAX_STRING_SIZE, 256);

/* ---- iptypes.h: GetAdaptersAddresses ---- */
SIZE(IP_ADAPTER_ADDRESSES, 448);
OFF(IP_ADAPTER_ADDRESSES, Length, 0); OFF(IP_ADAPTER_ADDRESSES, IfIndex, 4);
OFF(IP_ADAPTER_ADDRESSES, Next, 8); OFF(IP_ADAPTER_ADDRESSES, AdapterName, 16);
OFF(IP_ADAPTER_ADDRESSES, FirstUnicastAddress, 24);
OFF(IP_ADAPTER_ADDRESSES, FirstAnycastAddress, 32);
OFF(IP_ADAPTER_ADDRESSES, FirstMulticastAddress, 40);
OFF(IP_ADAPTER_ADDRESSES, FirstDnsServerAddress, 48);
OFF(IP_ADAPTER_ADDRESSES, DnsSuffix, 56); OFF(IP_ADAPTER_ADDRESSES, Description, 64);
OFF(IP_ADAPTER_ADDRESSES, FriendlyName, 72); OFF(IP_ADAPTER_ADDRESSES, PhysicalAddress, 80);
OFF(IP_ADAPTER_ADDRESSES, PhysicalAddressLength, 88); OFF(IP_ADAPTER_ADDRESSES, Flags, 92);
OFF(IP_ADAPTER_ADDRESSES, Mtu, 96); OFF(IP_ADAPTER_ADDRESSES, IfType, 100);
OFF(IP_ADAPTER_ADDRESSES, OperStatus, 104); OFF(IP_ADAPTER_ADDRESSES, Ipv6IfIndex, 108);
OFF(IP_ADAPTER_ADDRESSES, ZoneIndices, 112); OFF(IP_ADAPTER_ADDRESSES, FirstPrefix, 176);
OFF(IP_ADAPTER_ADDRESSES, TransmitLinkSpeed, 184);
OFF(IP_ADAPTER_ADDRESSES, ReceiveLinkSpeed, 192);
OFF(IP_ADAPTER_ADDRESSES, FirstWinsServerAddress, 200);
OFF(IP_ADAPTER_ADDRESSES, FirstGatewayAddress, 208);
OFF(IP_ADAPTER_ADDRESSES, Ipv4Metric, 216); OFF(IP_ADAPTER_ADDRESSES, Ipv6Metric, 220);
OFF(IP_ADAPTER_ADDRESSES, Luid, 224); OFF(IP_ADAPTER_ADDRESSES, Dhcpv4Server, 232);
OFF(IP_ADAPTER_ADDRESSES, CompartmentId, 248); OFF(IP_ADAPTER_ADDRESSES, NetworkGuid, 252);
OFF(IP_ADAPTER_ADDRESSES, ConnectionType, 268); OFF(IP_ADAPTER_ADDRESSES, TunnelType, 272);
OFF(IP_ADAPTER_ADDRESSES, Dhcpv6Server, 280);
OFF(IP_ADAPTER_ADDRESSES, Dhcpv6ClientDuid, 296);
OFF(IP_ADAPTER_ADDRESSES, Dhcpv6ClientDuidLength, 428);
OFF(IP_ADAPTER_ADDRESSES, Dhcpv6Iaid, 432); OFF(IP_ADAPTER_ADDRESSES, FirstDnsSuffix, 440);
SIZE(IP_ADAPTER_UNICAST_ADDRESS, 64);
OFF(IP_ADAPTER_UNICAST_ADDRESS, Flags, 4); OFF(IP_ADAPTER_UNICAST_ADDRESS, Next, 8);
OFF(IP_ADAPTER_UNICAST_ADDRESS, Address, 16); OFF(IP_ADAPTER_UNICAST_ADDRESS, PrefixOrigin, 32);
OFF(IP_ADAPTER_UNICAST_ADDRESS, DadState, 40); OFF(IP_ADAPTER_UNICAST_ADDRESS, LeaseLifetime, 52);
OFF(IP_ADAPTER_UNICAST_ADDRESS, OnLinkPrefixLength, 56);
SIZE(IP_ADAPTER_ANYCAST_ADDRESS, 32); SIZE(IP_ADAPTER_MULTICAST_ADDRESS, 32);
SIZE(IP_ADAPTER_DNS_SERVER_ADDRESS, 32); SIZE(IP_ADAPTER_GATEWAY_ADDRESS, 32);
SIZE(IP_ADAPTER_WINS_SERVER_ADDRESS, 32); OFF(IP_ADAPTER_GATEWAY_ADDRESS, Address, 16);
SIZE(IP_ADAPTER_PREFIX, 40); OFF(IP_ADAPTER_PREFIX, PrefixLength, 32);
SIZE(IP_ADAPTER_DNS_SUFFIX, 520);
VAL(GAA_FLAG_SKIP_FRIENDLY_NAME, 0x20); VAL(GAA_FLAG_INCLUDE_GATEWAYS, 0x80);
VAL(GAA_FLAG_INCLUDE_ALL_INTERFACES, 0x100); VAL(IP_ADAPTER_IPV4_ENABLED, 0x80);

/* ---- iptypes.h: GetAdaptersInfo ---- */
SIZE(IP_ADDR_STRING, 48); OFF(IP_ADDR_STRING, IpAddress, 8); OFF(IP_ADDR_STRING, IpMask, 24);
OFF(IP_ADDR_STRING, Context, 40);
SIZE(IP_ADAPTER_INFO, 704); OFF(IP_ADAPTER_INFO, AdapterName, 12);
OFF(IP_ADAPTER_INFO, Description, 272); OFF(IP_ADAPTER_INFO, AddressLength, 404);
OFF(IP_ADAPTER_INFO, Address, 408); OFF(IP_ADAPTER_INFO, Index, 416);
OFF(IP_ADAPTER_INFO, Type, 420); OFF(IP_ADAPTER_INFO, CurrentIpAddress, 432);
OFF(IP_ADAPTER_INFO, IpAddressList, 440); OFF(IP_ADAPTER_INFO, GatewayList, 488);
OFF(IP_ADAPTER_INFO, DhcpServer, 536); OFF(IP_ADAPTER_INFO, HaveWins, 584);
OFF(IP_ADAPTER_INFO, PrimaryWinsServer, 592); OFF(IP_ADAPTER_INFO, LeaseObtained, 688);
OFF(IP_ADAPTER_INFO, LeaseExpires, 696);

/* ---- ipmib.h ---- */
SIZE(MIB_IPADDRROW, 24); OFF(MIB_IPADDRROW, unused1, 20); OFF(MIB_IPADDRROW, wType, 22);
SIZE(MIB_IPADDRTABLE, 28); OFF(MIB_IPADDRTABLE, table, 4);
SIZE(MIB_IPFORWARDROW, 56); OFF(MIB_IPFORWARDROW, dwForwardIfIndex, 16);
OFF(MIB_IPFORWARDROW, dwForwardType, 20); OFF(MIB_IPFORWARDROW, dwForwardMetric1, 36);
OFF(MIB_IPFORWARDROW, dwForwardMetric5, 52);
VAL(MIB_IPROUTE_TYPE_DIRECT, 3); VAL(MIB_IPPROTO_LOCAL, 2); VAL(MIB_IPADDR_PRIMARY, 1);

/* The calls are declared with Windows' types (and if_* bound to ws2). */
typedef ULONG (WINAPI *gaa_fn)(ULONG, ULONG, PVOID, PIP_ADAPTER_ADDRESSES, PULONG);
typedef NET_IFINDEX (WINAPI *nametoindex_fn)(PCSTR);
int headers_iphlpapi_use(void);
int headers_iphlpapi_use(void)
{
    gaa_fn gaa = GetAdaptersAddresses;
    nametoindex_fn n2i = if_nametoindex;
    NET_LUID luid;
    luid.Value = 0;
    luid.Info.IfType = IF_TYPE_ETHERNET_CSMACD;
    luid.Info.NetLuidIndex = 3;
    return gaa != NULL && n2i != NULL && luid.Value == (6ull << 48 | 3ull << 24);
}
