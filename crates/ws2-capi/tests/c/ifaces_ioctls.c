/* Interface ioctls (SPEC P5), run by the harness inside the multi-homed
 * test host: lo, veth0 (10.51.1.1/24, fd00:51:1::1/64, fe80::51/64, peer
 * 10.51.1.2 / fd00:51:1::2) and veth1 (10.51.2.1/24, fd00:51:2::1/64,
 * peer 10.51.2.2 / fd00:51:2::2), nothing else.  Each block cites the
 * Windows record it follows (Wine's dlls/ws2_32/tests/sock.c, run on
 * Windows; Microsoft's pages where the tests are silent). */
#include "ov_common.h"
#include <iphlpapi.h>

static int apc_count;
static DWORD apc_error, apc_size;
static LPWSAOVERLAPPED apc_overlapped;

static void CALLBACK socket_apc(DWORD error, DWORD size, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)flags;
    apc_count++;
    apc_error = error;
    apc_size = size;
    apc_overlapped = ov;
}

static DWORD index_of(const char *name)
{
    DWORD i = if_nametoindex(name);
    if (i == 0) {
        fprintf(stderr, "no interface %s\n", name);
        exit(1);
    }
    return i;
}

/* P5: sock.c test_sioRoutingInterfaceQuery, then the answer for each peer. */
static void routing_interface_query(void)
{
    SOCKADDR_IN in, out;
    WSAOVERLAPPED ov, *ovp;
    ULONG_PTR key;
    DWORD size;
    SOCKET s;
    HANDLE port;

    memset(&in, 0, sizeof in);
    memset(&ov, 0, sizeof ov);
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK((port = CreateIoCompletionPort((HANDLE)s, NULL, 123, 0)) != NULL);

    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out, NULL,
                       NULL, NULL), WSAEFAULT);
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in - 1, &out, sizeof out, &size,
                       NULL, NULL), WSAEINVAL);
    CHECK_EQ(size, 0xdeadbeef);
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, NULL, sizeof in, &out, sizeof out, &size,
                       NULL, NULL), WSAEINVAL);
    CHECK_EQ(size, 0xdeadbeef);
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out, &size,
                       NULL, NULL), WSAEAFNOSUPPORT);
    CHECK_EQ(size, 0xdeadbeef);
    in.sin_family = AF_INET; /* 0.0.0.0 */
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out, &size,
                       NULL, NULL), WSAEINVAL);
    CHECK_EQ(size, 0xdeadbeef);

    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    WSASetLastError(0xdead);
    memset(&out, 0xcc, sizeof out);
    CHECK_EQ(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out, &size, NULL,
                      NULL), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, sizeof out);
    CHECK_EQ(out.sin_family, AF_INET);
    CHECK_EQ(out.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK_EQ(out.sin_port, 0);

    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out - 1, &size,
                       NULL, NULL), WSAEFAULT);
    CHECK_EQ(size, sizeof out);
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, NULL, sizeof out, &size,
                       NULL, NULL), WSAEFAULT);
    CHECK_EQ(size, 0xdeadbeef);
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out, NULL, &ov,
                       NULL), WSAEFAULT);

    /* With an OVERLAPPED: 0 at once, and still a packet of 0 bytes. */
    WSASetLastError(0xdead);
    ov.Internal = 0xdeadbeef;
    ov.InternalHigh = 0xdeadbeef;
    CHECK_EQ(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out, &size, &ov,
                      NULL), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, sizeof out);
    CHECK(GetQueuedCompletionStatus(port, &size, &key, &ovp, 0));
    CHECK_EQ(size, 0);
    CHECK_EQ(key, 123);
    CHECK(ovp == &ov);
    CHECK_EQ(ov.Internal, 0);
    CHECK_EQ(ov.InternalHigh, 0);
    CloseHandle(port);
    closesocket(s);

    /* With a completion routine: it runs once, error 0, 0 bytes. */
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out, NULL, &ov,
                       socket_apc), WSAEFAULT);
    apc_count = 0;
    size = 0xdeadbeef;
    CHECK_EQ(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &in, sizeof in, &out, sizeof out, &size, &ov,
                      socket_apc), 0);
    CHECK_EQ(size, sizeof out);
    CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(apc_count, 1);
    CHECK_EQ(apc_error, 0);
    CHECK_EQ(apc_size, 0);
    CHECK(apc_overlapped == &ov);

    /* P5: each peer is reached from the address of the link that routes to it. */
    static const char *const peers4[][2] = { { "10.51.1.2", "10.51.1.1" },
                                             { "10.51.2.2", "10.51.2.1" },
                                             { "10.51.1.1", "10.51.1.1" } };
    for (size_t k = 0; k < sizeof peers4 / sizeof peers4[0]; k++) {
        SOCKADDR_IN to = addr4(peers4[k][0], 9), want = addr4(peers4[k][1], 0);
        CHECK_EQ(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &to, sizeof to, &out, sizeof out, &size,
                          NULL, NULL), 0);
        CHECK_EQ(out.sin_addr.s_addr, want.sin_addr.s_addr);
    }
    /* No route (Microsoft's SIO_ROUTING_INTERFACE_QUERY: WSAENETUNREACH). */
    SOCKADDR_IN far = addr4("192.0.2.1", 9);
    CHECK_ERR(WSAIoctl(s, SIO_ROUTING_INTERFACE_QUERY, &far, sizeof far, &out, sizeof out, &size,
                       NULL, NULL), WSAENETUNREACH);
    closesocket(s);

    /* IPv6: SOCKADDR_IN6 in and out (28 bytes), a link-local peer answered
     * with the link's link-local address and its zone. */
    SOCKET s6;
    SOCKADDR_IN6 out6;
    CHECK_SOCKET(s6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    static const char *const peers6[][2] = { { "fd00:51:1::2", "fd00:51:1::1" },
                                             { "fd00:51:2::2", "fd00:51:2::1" } };
    for (size_t k = 0; k < 2; k++) {
        SOCKADDR_IN6 to = addr6(peers6[k][0], 9), want = addr6(peers6[k][1], 0);
        size = 0;
        CHECK_EQ(WSAIoctl(s6, SIO_ROUTING_INTERFACE_QUERY, &to, sizeof to, &out6, sizeof out6,
                          &size, NULL, NULL), 0);
        CHECK_EQ(size, sizeof(SOCKADDR_IN6));
        CHECK_EQ(out6.sin6_family, AF_INET6);
        CHECK(memcmp(&out6.sin6_addr, &want.sin6_addr, 16) == 0);
        CHECK_EQ(out6.sin6_scope_id, 0);
    }
    SOCKADDR_IN6 ll = addr6("fe80::2", 9), want_ll = addr6("fe80::51", 0);
    ll.sin6_scope_id = index_of("veth0");
    CHECK_EQ(WSAIoctl(s6, SIO_ROUTING_INTERFACE_QUERY, &ll, sizeof ll, &out6, sizeof out6, &size,
                      NULL, NULL), 0);
    CHECK(memcmp(&out6.sin6_addr, &want_ll.sin6_addr, 16) == 0);
    CHECK_EQ(out6.sin6_scope_id, index_of("veth0"));
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s6, SIO_ROUTING_INTERFACE_QUERY, &ll, sizeof ll - 1, &out6, sizeof out6,
                       &size, NULL, NULL), WSAEINVAL);
    CHECK_ERR(WSAIoctl(s6, SIO_ROUTING_INTERFACE_QUERY, &ll, sizeof ll, &out6, sizeof out6 - 1,
                       &size, NULL, NULL), WSAEFAULT);
    CHECK_EQ(size, sizeof(SOCKADDR_IN6));
    closesocket(s6);
}

/* The text of a SOCKET_ADDRESS ("1.2.3.4" or "fe80::51%3"). */
static const char *text_of(const SOCKET_ADDRESS *a)
{
    static char buf[96];
    SOCKADDR_STORAGE ss;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, a->lpSockaddr, (size_t)a->iSockaddrLength);
    if (ss.ss_family == AF_INET6 && ((SOCKADDR_IN6 *)&ss)->sin6_scope_id != 0) {
        char ip[64];
        snprintf(ip, sizeof ip, "%s", ip_of(&ss));
        snprintf(buf, sizeof buf, "%s%%%lu", ip, (unsigned long)((SOCKADDR_IN6 *)&ss)->sin6_scope_id);
        return buf;
    }
    snprintf(buf, sizeof buf, "%s", ip_of(&ss));
    return buf;
}

/* P5: sock.c test_address_list_query (size rules, completions) and the
 * exact lists: the socket family's addresses, no loopback ones (Microsoft's
 * SIO_ADDRESS_LIST_QUERY page). */
static void address_list_query(void)
{
    char buffer[1024];
    SOCKET_ADDRESS_LIST *list = (SOCKET_ADDRESS_LIST *)(void *)buffer;
    WSAOVERLAPPED ov, *ovp;
    DWORD size, expect;
    ULONG_PTR key;
    SOCKET s;
    HANDLE port;

    memset(&ov, 0, sizeof ov);
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK((port = CreateIoCompletionPort((HANDLE)s, NULL, 123, 0)) != NULL);

    size = 0;
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, NULL, 0, &size, NULL, NULL), WSAEFAULT);
    CHECK(size >= FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address[0]));
    expect = size;
    size = 0;
    CHECK_EQ(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, sizeof buffer, &size, NULL, NULL),
             0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, expect);
    DWORD sum = (DWORD)FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address[list->iAddressCount]);
    for (int i = 0; i < list->iAddressCount; i++) sum += (DWORD)list->Address[i].iSockaddrLength;
    CHECK_EQ(size, sum);
    /* Exactly the host's IPv4 addresses, loopback excluded. */
    CHECK_EQ(list->iAddressCount, 2);
    CHECK(strcmp(text_of(&list->Address[0]), "10.51.1.1") == 0);
    CHECK(strcmp(text_of(&list->Address[1]), "10.51.2.1") == 0);
    CHECK_EQ(list->Address[0].iSockaddrLength, sizeof(SOCKADDR_IN));
    /* The sockaddrs follow the array, packed. */
    CHECK((char *)list->Address[0].lpSockaddr == (char *)&list->Address[2]);
    CHECK((char *)list->Address[1].lpSockaddr == (char *)list->Address[0].lpSockaddr + 16);

    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, sizeof buffer, NULL, NULL, NULL),
              WSAEFAULT);
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, NULL, sizeof buffer, &size, NULL, NULL),
              WSAEFAULT);
    CHECK_EQ(size, expect);
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, 0, &size, NULL, NULL), WSAEFAULT);
    CHECK_EQ(size, expect);
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, 1, &size, NULL, NULL), WSAEINVAL);
    CHECK_EQ(size, 0);
    size = 0xdeadbeef;
    memset(buffer, 0xcc, sizeof buffer);
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer,
                       FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address[0]), &size, NULL, NULL),
              WSAEFAULT);
    CHECK_EQ(size, expect);
    CHECK_EQ((DWORD)list->iAddressCount, 0xccccccccu);
    /* One byte short of the list: the needed size, nothing written. */
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, expect - 1, &size, NULL, NULL),
              WSAEFAULT);
    CHECK_EQ(size, expect);
    CHECK_EQ((DWORD)list->iAddressCount, 0xccccccccu);

    /* Failures with an OVERLAPPED: same errors, OVERLAPPED untouched, no packet. */
    ov.Internal = 0xdeadbeef;
    ov.InternalHigh = 0xdeadbeef;
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, 0, &size, &ov, NULL), WSAEFAULT);
    CHECK_EQ(size, expect);
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, 1, &size, &ov, NULL), WSAEINVAL);
    CHECK_EQ(size, 0);
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer,
                       FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address[0]), &size, &ov, NULL),
              WSAEFAULT);
    CHECK_EQ(ov.Internal, 0xdeadbeef);
    CHECK_EQ(ov.InternalHigh, 0xdeadbeef);
    /* Success with an OVERLAPPED: one packet of 0 bytes, then nothing. */
    CHECK_EQ(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, sizeof buffer, &size, &ov, NULL),
             0);
    CHECK_EQ(size, expect);
    CHECK(GetQueuedCompletionStatus(port, &size, &key, &ovp, 0));
    CHECK_EQ(size, 0);
    CHECK(ovp == &ov);
    CHECK_EQ(ov.Internal, 0);
    CHECK_EQ(ov.InternalHigh, 0);
    CHECK(!GetQueuedCompletionStatus(port, &size, &key, &ovp, 0));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    closesocket(s);
    CloseHandle(port);

    /* A completion routine. */
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, sizeof buffer, NULL, &ov,
                       socket_apc), WSAEFAULT);
    apc_count = 0;
    size = 0xdeadbeef;
    CHECK_EQ(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, sizeof buffer, &size, &ov,
                      socket_apc), 0);
    CHECK_EQ(size, expect);
    CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(apc_count, 1);
    CHECK_EQ(apc_error, 0);
    CHECK_EQ(apc_size, 0);
    closesocket(s);

    /* An IPv6 socket lists the IPv6 addresses (::1 excluded), 28 bytes each. */
    CHECK_SOCKET(s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_EQ(WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, buffer, sizeof buffer, &size, NULL, NULL),
             0);
    CHECK_EQ(list->iAddressCount, 3);
    char want_ll[64];
    snprintf(want_ll, sizeof want_ll, "fe80::51%%%lu", (unsigned long)index_of("veth0"));
    CHECK(strcmp(text_of(&list->Address[0]), "fd00:51:1::1") == 0);
    CHECK(strcmp(text_of(&list->Address[1]), want_ll) == 0);
    CHECK(strcmp(text_of(&list->Address[2]), "fd00:51:2::1") == 0);
    CHECK_EQ(list->Address[2].iSockaddrLength, sizeof(SOCKADDR_IN6));
    CHECK_EQ(size, 8 + 3 * 16 + 3 * 28);
    closesocket(s);
}

/* P5: sock.c test_get_interface_list, and the entries: one per IPv4
 * address, loopback included, Windows IFF_* values. */
static void get_interface_list(void)
{
    char buffer[4096];
    INTERFACE_INFO *info = (INTERFACE_INFO *)(void *)buffer;
    WSAOVERLAPPED ov, *ovp;
    DWORD size;
    ULONG_PTR key;
    SOCKET s;
    HANDLE port;

    memset(&ov, 0, sizeof ov);
    CHECK_SOCKET(s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    CHECK((port = CreateIoCompletionPort((HANDLE)s, NULL, 123, 0)) != NULL);

    size = 0xdeadbeef;
    CHECK_EQ(WSAIoctl(s, SIO_GET_INTERFACE_LIST, NULL, 0, buffer, sizeof buffer, &size, NULL, NULL),
             0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, 3 * sizeof(INTERFACE_INFO));
    static const struct { const char *addr, *mask, *bcast; ULONG flags; } want[] = {
        { "127.0.0.1", "255.0.0.0", NULL, IFF_UP | IFF_LOOPBACK },
        { "10.51.1.1", "255.255.255.0", "10.51.1.255", IFF_UP | IFF_BROADCAST | IFF_MULTICAST },
        { "10.51.2.1", "255.255.255.0", "10.51.2.255", IFF_UP | IFF_BROADCAST | IFF_MULTICAST },
    };
    for (int i = 0; i < 3; i++) {
        SOCKADDR_IN a = addr4(want[i].addr, 0), m = addr4(want[i].mask, 0);
        CHECK_EQ(info[i].iiFlags, want[i].flags);
        CHECK_EQ(info[i].iiAddress.AddressIn.sin_family, AF_INET);
        CHECK_EQ(info[i].iiAddress.AddressIn.sin_addr.s_addr, a.sin_addr.s_addr);
        CHECK_EQ(info[i].iiNetmask.AddressIn.sin_family, AF_INET);
        CHECK_EQ(info[i].iiNetmask.AddressIn.sin_addr.s_addr, m.sin_addr.s_addr);
        if (want[i].bcast != NULL) {
            SOCKADDR_IN b = addr4(want[i].bcast, 0);
            CHECK_EQ(info[i].iiBroadcastAddress.AddressIn.sin_family, AF_INET);
            CHECK_EQ(info[i].iiBroadcastAddress.AddressIn.sin_addr.s_addr, b.sin_addr.s_addr);
        } else {
            CHECK_EQ(info[i].iiBroadcastAddress.AddressIn.sin_family, 0);
            CHECK_EQ(info[i].iiBroadcastAddress.AddressIn.sin_addr.s_addr, 0);
        }
    }

    /* With an OVERLAPPED it always pends; the packet carries the size. */
    size = 0xdeadbeef;
    CHECK_PENDING(WSAIoctl(s, SIO_GET_INTERFACE_LIST, NULL, 0, buffer, sizeof buffer, &size, &ov,
                           NULL));
    CHECK_EQ(size, 0xdeadbeef);
    CHECK(GetQueuedCompletionStatus(port, &size, &key, &ovp, 0));
    CHECK_EQ(size, 3 * sizeof(INTERFACE_INFO));
    CHECK_EQ(key, 123);
    CHECK(ovp == &ov);
    CHECK_EQ(ov.Internal, 0);
    CHECK_EQ(ov.InternalHigh, 3 * sizeof(INTERFACE_INFO));

    /* Too small: WSAEFAULT with size 0; pending, STATUS_BUFFER_TOO_SMALL. */
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_GET_INTERFACE_LIST, NULL, 0, buffer, sizeof(INTERFACE_INFO) - 1, &size,
                       NULL, NULL), WSAEFAULT);
    CHECK_EQ(size, 0);
    size = 0xdeadbeef;
    CHECK_PENDING(WSAIoctl(s, SIO_GET_INTERFACE_LIST, NULL, 0, buffer, sizeof(INTERFACE_INFO) - 1,
                           &size, &ov, NULL));
    CHECK_EQ(size, 0xdeadbeef);
    key = 0xdeadbeef;
    CHECK(!GetQueuedCompletionStatus(port, &size, &key, &ovp, 0));
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK_EQ(size, 0);
    CHECK_EQ(key, 123);
    CHECK(ovp == &ov);
    CHECK_EQ(ov.Internal, 0xC0000023); /* STATUS_BUFFER_TOO_SMALL */
    CHECK_EQ(ov.InternalHigh, 0);

    CHECK_ERR(WSAIoctl(s, SIO_GET_INTERFACE_LIST, NULL, 0, buffer, sizeof buffer, NULL, NULL, NULL),
              WSAEFAULT);
    CloseHandle(port);
    closesocket(s);

    /* A completion routine gets WSAEFAULT for a buffer too small. */
    CHECK_SOCKET(s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    apc_count = 0;
    CHECK_PENDING(WSAIoctl(s, SIO_GET_INTERFACE_LIST, NULL, 0, buffer, sizeof(INTERFACE_INFO) - 1,
                           &size, &ov, socket_apc));
    CHECK_EQ(SleepEx(100, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(apc_count, 1);
    CHECK_EQ(apc_error, WSAEFAULT);
    CHECK_EQ(apc_size, 0);
    closesocket(s);

    /* Microsoft: an IPv6 socket -> WSAEINVAL. */
    CHECK_SOCKET(s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_ERR(WSAIoctl(s, SIO_GET_INTERFACE_LIST, NULL, 0, buffer, sizeof buffer, &size, NULL, NULL),
              WSAEINVAL);
    closesocket(s);
}

int main(void)
{
    startup();
    routing_interface_query();
    address_list_query();
    get_interface_list();
    WSACleanup();
    printf("ifaces_ioctls: ok\n");
    return 0;
}
