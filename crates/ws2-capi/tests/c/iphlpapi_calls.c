/* The IP Helper calls (SPEC P5), run by the harness inside the multi-homed
 * test host: lo, veth0 (10.51.1.1/24, fd00:51:1::1/64, fe80::51/64) to
 * peer 10.51.1.2, veth1 (10.51.2.1/24, fd00:51:2::1/64) to peer
 * 10.51.2.2, a default route via 10.51.2.2 and an empty resolv.conf.
 * Each block cites the Windows record it follows: Wine's
 * dlls/iphlpapi/tests/iphlpapi.c (run on Windows) or Microsoft's pages. */
#include "common.h"
#include <iphlpapi.h>

static DWORD lo_index, v0_index, v1_index;

/* A WCHAR string equal to an ASCII one? (wchar_t is 32-bit here, WCHAR 16.) */
static int wide_eq(const WCHAR *w, const char *a)
{
    for (; *a != '\0'; a++, w++)
        if (*w != (WCHAR)(unsigned char)*a) return 0;
    return *w == 0;
}

static const char *sa_text(const SOCKET_ADDRESS *a)
{
    static char buf[96];
    SOCKADDR_STORAGE ss;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, a->lpSockaddr, (size_t)a->iSockaddrLength);
    unsigned long zone = ss.ss_family == AF_INET6 ? ((SOCKADDR_IN6 *)&ss)->sin6_scope_id : 0;
    char ip[64];
    snprintf(ip, sizeof ip, "%s", ip_of(&ss));
    if (zone != 0)
        snprintf(buf, sizeof buf, "%s%%%lu", ip, zone);
    else
        snprintf(buf, sizeof buf, "%s", ip);
    return buf;
}

/* The unicast addresses of an adapter, as "a b c". */
static const char *unicast_list(const IP_ADAPTER_ADDRESSES *a)
{
    static char buf[512];
    buf[0] = '\0';
    for (const IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u != NULL; u = u->Next) {
        if (buf[0] != '\0') strcat(buf, " ");
        strcat(buf, sa_text(&u->Address));
    }
    return buf;
}

static int has_address(const IP_ADAPTER_MULTICAST_ADDRESS *m, const char *text)
{
    for (; m != NULL; m = m->Next)
        if (strcmp(sa_text(&m->Address), text) == 0) return 1;
    return 0;
}

static IP_ADAPTER_ADDRESSES *gaa(ULONG family, ULONG flags)
{
    ULONG size = 0;
    CHECK_EQ(GetAdaptersAddresses(family, flags, NULL, NULL, &size), ERROR_BUFFER_OVERFLOW);
    IP_ADAPTER_ADDRESSES *buf = malloc(size);
    CHECK(buf != NULL);
    CHECK_EQ(GetAdaptersAddresses(family, flags, NULL, buf, &size), ERROR_SUCCESS);
    return buf;
}

#define EXPECT_STR(got, want)                                                          \
    do {                                                                               \
        if (strcmp((got), (want)) != 0) {                                              \
            fprintf(stderr, "%s:%d: got \"%s\", expected \"%s\"\n", __FILE__, __LINE__,  \
                    (got), (want));                                                    \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

/* P5: iphlpapi.c test_GetAdaptersAddresses, and exactly this host's adapters. */
static void adapters_addresses(void)
{
    ULONG size, size2;
    CHECK_EQ(GetAdaptersAddresses(AF_UNSPEC, 0, NULL, NULL, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetAdaptersAddresses(0xdead, 0, NULL, NULL, &size),
             ERROR_INVALID_PARAMETER);
    size = 0x7fffffff;
    CHECK_EQ(GetAdaptersAddresses(AF_UNSPEC, 0, NULL, NULL, &size), ERROR_BUFFER_OVERFLOW);
    CHECK(size > 0 && size < 0x7fffffff);
    size2 = 0;
    CHECK_EQ(GetAdaptersAddresses(AF_UNSPEC, GAA_FLAG_SKIP_FRIENDLY_NAME, NULL, NULL, &size2),
             ERROR_BUFFER_OVERFLOW);
    CHECK_EQ(size2, size);
    char *exact = malloc(size);
    CHECK(exact != NULL);
    size2 = size - 1;
    CHECK_EQ(GetAdaptersAddresses(AF_UNSPEC, 0, NULL, (IP_ADAPTER_ADDRESSES *)(void *)exact, &size2),
             ERROR_BUFFER_OVERFLOW);
    CHECK_EQ(size2, size);
    CHECK_EQ(GetAdaptersAddresses(AF_UNSPEC, 0, NULL, (IP_ADAPTER_ADDRESSES *)(void *)exact, &size),
             ERROR_SUCCESS);
    free(exact);
    /* A larger buffer: success, and the size is not shrunk. */
    ULONG big = size + 4096;
    IP_ADAPTER_ADDRESSES *all = malloc(big);
    CHECK(all != NULL);
    CHECK_EQ(GetAdaptersAddresses(AF_UNSPEC, 0, NULL, all, &big), ERROR_SUCCESS);
    CHECK_EQ(big, size + 4096);

    static const char *const names[] = { "lo", "veth0", "veth1" };
    static const char *const unicast[] = { "127.0.0.1 ::1",
                                           "10.51.1.1 fd00:51:1::1 fe80::51%%%lu",
                                           "10.51.2.1 fd00:51:2::1" };
    const DWORD indexes[] = { lo_index, v0_index, v1_index };
    int n = 0, dns_eligible = 0;
    for (IP_ADAPTER_ADDRESSES *a = all; a != NULL; a = a->Next, n++) {
        CHECK(n < 3);
        CHECK_EQ(a->Length, sizeof(IP_ADAPTER_ADDRESSES));
        CHECK(a->DnsSuffix != NULL && a->Description != NULL && a->FriendlyName != NULL);
        CHECK(wide_eq(a->FriendlyName, names[n]));
        CHECK(wide_eq(a->Description, names[n]));
        CHECK_EQ(a->IfIndex, indexes[n]);
        CHECK_EQ(a->Ipv6IfIndex, indexes[n]);
        CHECK_EQ(a->IfType, n == 0 ? IF_TYPE_SOFTWARE_LOOPBACK : IF_TYPE_ETHERNET_CSMACD);
        CHECK_EQ(a->OperStatus, IfOperStatusUp);
        CHECK_EQ(a->Mtu, n == 0 ? 65536 : 1500);
        CHECK_EQ(a->PhysicalAddressLength, n == 0 ? 0 : 6);
        CHECK(a->Ipv4Enabled && a->Ipv6Enabled);
        CHECK_EQ(a->Luid.Info.IfType, a->IfType);
        CHECK_EQ(a->Luid.Info.NetLuidIndex, a->IfIndex);
        /* AdapterName: an uppercase {GUID}. */
        CHECK_EQ(strlen(a->AdapterName), 38);
        CHECK(a->AdapterName[0] == '{' && a->AdapterName[37] == '}');
        for (int k = 1; k < 37; k++) {
            char c = a->AdapterName[k];
            if (k == 9 || k == 14 || k == 19 || k == 24)
                CHECK(c == '-');
            else
                CHECK((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
        }
        char want[128];
        snprintf(want, sizeof want, unicast[n], (unsigned long)v0_index);
        EXPECT_STR(unicast_list(a), want);
        for (IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u != NULL; u = u->Next) {
            CHECK_EQ(u->Length, sizeof(IP_ADAPTER_UNICAST_ADDRESS));
            CHECK(u->PrefixOrigin != IpPrefixOriginOther);
            CHECK(u->SuffixOrigin != IpSuffixOriginOther);
            if (u->PrefixOrigin == IpPrefixOriginManual || u->PrefixOrigin == IpPrefixOriginDhcp) {
                CHECK(u->ValidLifetime != 0);
                CHECK(u->PreferredLifetime != 0);
                CHECK(u->LeaseLifetime != 0);
            }
            CHECK_EQ(u->DadState, IpDadStatePreferred);
            if (u->Address.lpSockaddr->sa_family == AF_INET6)
                CHECK_EQ(u->Address.iSockaddrLength, sizeof(SOCKADDR_IN6));
            if (u->Flags & IP_ADAPTER_ADDRESS_DNS_ELIGIBLE) dns_eligible++;
        }
        CHECK_EQ(a->FirstUnicastAddress->OnLinkPrefixLength, n == 0 ? 8 : 24);
        /* An empty resolv.conf: no DNS servers. */
        CHECK(a->FirstDnsServerAddress == NULL);
        /* Gateways and prefixes only when asked. */
        CHECK(a->FirstGatewayAddress == NULL);
        CHECK(a->FirstPrefix == NULL);
    }
    CHECK_EQ(n, 3);
    CHECK(dns_eligible > 0);
    /* Multicast memberships of veth0. */
    char ff02[64];
    snprintf(ff02, sizeof ff02, "ff02::1%%%lu", (unsigned long)v0_index);
    CHECK(has_address(all->Next->FirstMulticastAddress, "224.0.0.1"));
    CHECK(has_address(all->Next->FirstMulticastAddress, ff02));
    free(all);

    /* Family filters: the addresses of that family only. */
    IP_ADAPTER_ADDRESSES *v4 = gaa(AF_INET, 0);
    EXPECT_STR(unicast_list(v4), "127.0.0.1");
    EXPECT_STR(unicast_list(v4->Next), "10.51.1.1");
    CHECK(!has_address(v4->Next->FirstMulticastAddress, ff02));
    free(v4);
    IP_ADAPTER_ADDRESSES *v6 = gaa(AF_INET6, GAA_FLAG_SKIP_MULTICAST);
    EXPECT_STR(unicast_list(v6->Next->Next), "fd00:51:2::1");
    CHECK(v6->Next->FirstMulticastAddress == NULL);
    free(v6);

    /* GAA_FLAG_SKIP_UNICAST, _SKIP_FRIENDLY_NAME, _INCLUDE_GATEWAYS, _INCLUDE_PREFIX. */
    IP_ADAPTER_ADDRESSES *f = gaa(AF_UNSPEC, GAA_FLAG_SKIP_UNICAST | GAA_FLAG_SKIP_FRIENDLY_NAME |
                                                 GAA_FLAG_INCLUDE_GATEWAYS | GAA_FLAG_INCLUDE_PREFIX);
    CHECK(f->FirstUnicastAddress == NULL);
    CHECK(f->FriendlyName != NULL && f->FriendlyName[0] == 0);
    IP_ADAPTER_ADDRESSES *v1 = f->Next->Next;
    CHECK(f->Next->FirstGatewayAddress == NULL);
    CHECK(v1->FirstGatewayAddress != NULL);
    EXPECT_STR(sa_text(&v1->FirstGatewayAddress->Address), "10.51.2.2");
    CHECK(v1->FirstGatewayAddress->Next == NULL);
    int subnet4 = 0, subnet6 = 0;
    for (IP_ADAPTER_PREFIX *p = v1->FirstPrefix; p != NULL; p = p->Next) {
        if (strcmp(sa_text(&p->Address), "10.51.2.0") == 0 && p->PrefixLength == 24) subnet4 = 1;
        if (strcmp(sa_text(&p->Address), "fd00:51:2::") == 0 && p->PrefixLength == 64) subnet6 = 1;
    }
    CHECK(subnet4 && subnet6);
    free(f);
}

/* P5: iphlpapi.c testGetAdaptersInfo (loopback excluded). */
static void adapters_info(IP_ADAPTER_ADDRESSES *all)
{
    ULONG len = 0;
    CHECK_EQ(GetAdaptersInfo(NULL, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetAdaptersInfo(NULL, &len), ERROR_BUFFER_OVERFLOW);
    CHECK(len >= 2 * sizeof(IP_ADAPTER_INFO));
    IP_ADAPTER_INFO *info = malloc(len);
    CHECK(info != NULL);
    CHECK_EQ(GetAdaptersInfo(info, &len), ERROR_SUCCESS);
    static const char *const want[][4] = {
        { "veth0", "10.51.1.1", "255.255.255.0", "0.0.0.0" },
        { "veth1", "10.51.2.1", "255.255.255.0", "10.51.2.2" },
    };
    int n = 0;
    IP_ADAPTER_ADDRESSES *a = all->Next; /* GAA's veth0, veth1 */
    for (IP_ADAPTER_INFO *i = info; i != NULL; i = i->Next, n++, a = a->Next) {
        CHECK(n < 2);
        CHECK(i->Type != MIB_IF_TYPE_LOOPBACK);
        CHECK_EQ(i->Type, MIB_IF_TYPE_ETHERNET);
        CHECK_EQ(i->Index, a->IfIndex);
        EXPECT_STR(i->AdapterName, a->AdapterName);
        EXPECT_STR(i->Description, want[n][0]);
        CHECK_EQ(i->AddressLength, 6);
        CHECK(memcmp(i->Address, a->PhysicalAddress, 6) == 0);
        EXPECT_STR(i->IpAddressList.IpAddress.String, want[n][1]);
        EXPECT_STR(i->IpAddressList.IpMask.String, want[n][2]);
        CHECK(i->IpAddressList.Next == NULL);
        EXPECT_STR(i->GatewayList.IpAddress.String, want[n][3]);
        CHECK(i->GatewayList.IpMask.String[0] != '\0');
    }
    CHECK_EQ(n, 2);
    free(info);
}

/* P5: iphlpapi.c testGetIpAddrTable. */
static void ip_addr_table(void)
{
    ULONG size = 0;
    CHECK_EQ(GetIpAddrTable(NULL, NULL, FALSE), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetIpAddrTable(NULL, &size, FALSE), ERROR_INSUFFICIENT_BUFFER);
    CHECK_EQ(size, FIELD_OFFSET(MIB_IPADDRTABLE, table[3]));
    MIB_IPADDRTABLE *t = malloc(size);
    CHECK(t != NULL);
    ULONG small = size - 1;
    CHECK_EQ(GetIpAddrTable(t, &small, FALSE), ERROR_INSUFFICIENT_BUFFER);
    CHECK_EQ(small, size);
    CHECK_EQ(GetIpAddrTable(t, &size, TRUE), NO_ERROR);
    CHECK_EQ(t->dwNumEntries, 3);
    static const char *const addrs[] = { "10.51.1.1", "10.51.2.1", "127.0.0.1" };
    static const char *const masks[] = { "255.255.255.0", "255.255.255.0", "255.0.0.0" };
    const DWORD indexes[] = { v0_index, v1_index, lo_index };
    for (int i = 0; i < 3; i++) {
        SOCKADDR_IN a = addr4(addrs[i], 0), m = addr4(masks[i], 0);
        CHECK_EQ(t->table[i].dwAddr, a.sin_addr.s_addr);
        CHECK_EQ(t->table[i].dwMask, m.sin_addr.s_addr);
        CHECK_EQ(t->table[i].dwIndex, indexes[i]);
        CHECK_EQ(t->table[i].dwBCastAddr, 1);
        CHECK_EQ(t->table[i].dwReasmSize, 0xffff);
        CHECK(t->table[i].wType != 0);
    }
    free(t);
}

/* P5: iphlpapi.c testGetBestInterface(Ex), test_best_routes, testGetBestRoute. */
static void best_routes(void)
{
    DWORD idx;
    SOCKADDR_IN p0 = addr4("10.51.1.2", 0), p1 = addr4("10.51.2.2", 0), far = addr4("192.0.2.1", 0);
    CHECK_EQ(GetBestInterface(p0.sin_addr.s_addr, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetBestInterface(htonl(INADDR_LOOPBACK), &idx), NO_ERROR);
    CHECK_EQ(idx, lo_index);
    CHECK_EQ(GetBestInterface(p0.sin_addr.s_addr, &idx), NO_ERROR);
    CHECK_EQ(idx, v0_index);
    CHECK_EQ(GetBestInterface(far.sin_addr.s_addr, &idx), NO_ERROR); /* the default route */
    CHECK_EQ(idx, v1_index);

    SOCKADDR_IN6 zero;
    memset(&zero, 0, sizeof zero);
    SOCKADDR_IN6 ff;
    memset(&ff, 0xff, sizeof ff);
    CHECK_EQ(GetBestInterfaceEx(NULL, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetBestInterfaceEx(NULL, &idx), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&zero, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&ff, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&p1, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&zero, &idx), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&p1, &idx), NO_ERROR);
    CHECK_EQ(idx, v1_index);
    SOCKADDR_IN6 ll = addr6("fe80::1", 0);
    ll.sin6_scope_id = v0_index;
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&ll, &idx), NO_ERROR);
    CHECK_EQ(idx, v0_index);
    SOCKADDR_IN6 global = addr6("fd00:51:2::2", 0);
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&global, &idx), NO_ERROR);
    CHECK_EQ(idx, v1_index);
    global.sin6_scope_id = 0xdeadbeef;
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&global, &idx), ERROR_INVALID_PARAMETER);
    global.sin6_scope_id = v1_index;
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&global, &idx), ERROR_INVALID_PARAMETER);
    SOCKADDR_IN6 lo6 = addr6("::1", 0);
    lo6.sin6_scope_id = lo_index;
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&lo6, &idx), ERROR_INVALID_PARAMETER);
    lo6.sin6_scope_id = 0;
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&lo6, &idx), NO_ERROR);
    CHECK_EQ(idx, lo_index);
    SOCKADDR_IN6 noroute = addr6("2ead:beaf:dead:beaf::beaf", 0);
    CHECK_EQ(GetBestInterfaceEx((SOCKADDR *)&noroute, &idx), ERROR_NETWORK_UNREACHABLE);

    MIB_IPFORWARDROW row;
    CHECK_EQ(GetBestRoute(0, 0, NULL), ERROR_INVALID_PARAMETER);
    memset(&row, 0, sizeof row);
    CHECK_EQ(GetBestRoute(htonl(INADDR_LOOPBACK), 0, &row), NO_ERROR);
    CHECK_EQ(row.dwForwardMask, 0xffffffff);
    CHECK_EQ(row.dwForwardIfIndex, lo_index);
    SOCKADDR_IN net0 = addr4("10.51.1.0", 0), mask24 = addr4("255.255.255.0", 0);
    SOCKADDR_IN own0 = addr4("10.51.1.1", 0);
    CHECK_EQ(GetBestRoute(p0.sin_addr.s_addr, 0, &row), NO_ERROR);
    CHECK_EQ(row.dwForwardDest, net0.sin_addr.s_addr);
    CHECK_EQ(row.dwForwardMask, mask24.sin_addr.s_addr);
    CHECK_EQ(row.dwForwardNextHop, own0.sin_addr.s_addr);
    CHECK_EQ(row.dwForwardIfIndex, v0_index);
    CHECK_EQ(row.dwForwardType, MIB_IPROUTE_TYPE_DIRECT);
    CHECK_EQ(row.dwForwardProto, MIB_IPPROTO_LOCAL);
    CHECK_EQ(row.dwForwardPolicy, 0);
    CHECK_EQ(row.dwForwardMetric2, 0);
    CHECK_EQ(GetBestRoute(far.sin_addr.s_addr, 0, &row), NO_ERROR);
    CHECK_EQ(row.dwForwardDest, 0);
    CHECK_EQ(row.dwForwardMask, 0);
    CHECK_EQ(row.dwForwardNextHop, p1.sin_addr.s_addr);
    CHECK_EQ(row.dwForwardIfIndex, v1_index);
    CHECK_EQ(row.dwForwardType, MIB_IPROUTE_TYPE_INDIRECT);
}

/* P5: iphlpapi.c test_interface_identifier_conversion(_failure). */
static void identifiers(IP_ADAPTER_ADDRESSES *all)
{
    char name[IF_NAMESIZE], want[64];
    NET_LUID luid;
    NET_IFINDEX idx;

    CHECK(if_indextoname(v0_index, name) == name);
    snprintf(want, sizeof want, "ethernet_%lu", (unsigned long)v0_index);
    EXPECT_STR(name, want);
    CHECK_EQ(if_nametoindex(name), v0_index);
    CHECK(if_indextoname(lo_index, name) == name);
    snprintf(want, sizeof want, "loopback_%lu", (unsigned long)lo_index);
    EXPECT_STR(name, want);
    CHECK_EQ(if_nametoindex(want), lo_index);
    CHECK_EQ(if_nametoindex("veth1"), v1_index); /* ws2: Linux names too */
    CHECK_EQ(if_nametoindex(all->Next->AdapterName), 0);
    CHECK_EQ(if_nametoindex("{00000001-0000-0000-0000-000000000000}"), 0);
    CHECK_EQ(if_nametoindex(NULL), 0);
    CHECK_EQ(if_nametoindex("ethernet_999999"), 0);
    CHECK(if_indextoname(0, NULL) == NULL);
    CHECK(if_indextoname(0, name) == NULL);
    CHECK(if_indextoname(~0u, name) == NULL);

    luid.Value = 0xdeadbeef;
    CHECK_EQ(ConvertInterfaceIndexToLuid(0, &luid), ERROR_FILE_NOT_FOUND);
    CHECK_EQ(luid.Value, 0);
    CHECK_EQ(ConvertInterfaceIndexToLuid(0, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(ConvertInterfaceIndexToLuid((NET_IFINDEX)-1, &luid), ERROR_FILE_NOT_FOUND);
    CHECK_EQ(ConvertInterfaceIndexToLuid(v0_index, &luid), NO_ERROR);
    CHECK_EQ(luid.Value, all->Next->Luid.Value);

    CHECK_EQ(ConvertInterfaceLuidToIndex(&luid, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(ConvertInterfaceLuidToIndex(NULL, NULL), ERROR_INVALID_PARAMETER);
    CHECK_EQ(ConvertInterfaceLuidToIndex(NULL, &idx), ERROR_INVALID_PARAMETER);
    CHECK_EQ(ConvertInterfaceLuidToIndex(&luid, &idx), NO_ERROR);
    CHECK_EQ(idx, v0_index);
    NET_LUID bad;
    bad.Value = ~0ull;
    idx = 0xdeadbeef;
    CHECK_EQ(ConvertInterfaceLuidToIndex(&bad, &idx), ERROR_FILE_NOT_FOUND);
    CHECK_EQ(idx, 0);

    CHECK_EQ(ConvertInterfaceLuidToNameA(&luid, NULL, 0), ERROR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(ConvertInterfaceLuidToNameA(&luid, name, 0), ERROR_NOT_ENOUGH_MEMORY);
    memset(name, 'x', sizeof name);
    CHECK_EQ(ConvertInterfaceLuidToNameA(NULL, name, 0), ERROR_INVALID_PARAMETER);
    CHECK_EQ(name[0], 'x');
    CHECK_EQ(ConvertInterfaceLuidToNameA(&luid, name, sizeof name), NO_ERROR);
    snprintf(want, sizeof want, "ethernet_%lu", (unsigned long)v0_index);
    EXPECT_STR(name, want);
}

int main(void)
{
    lo_index = if_nametoindex("lo");
    v0_index = if_nametoindex("veth0");
    v1_index = if_nametoindex("veth1");
    CHECK(lo_index != 0 && v0_index != 0 && v1_index != 0);
    adapters_addresses();
    IP_ADAPTER_ADDRESSES *all = gaa(AF_UNSPEC, 0);
    adapters_info(all);
    ip_addr_table();
    best_routes();
    identifiers(all);
    free(all);
    printf("iphlpapi_calls: ok\n");
    return 0;
}
