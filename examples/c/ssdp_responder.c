/* ssdp_responder: an SSDP-style multicast responder, written the way
 * Microsoft's Winsock samples are.
 *
 *   ssdp_responder [COUNT]
 *
 * It enumerates the host's interfaces with GetAdaptersAddresses and, on
 * every one that is up, multicast-capable and has an IPv4 address, joins
 * the SSDP group 239.255.255.250 by interface index (IP_ADD_MEMBERSHIP
 * with imr_interface in the 0.x.x.x index form). One socket, bound to
 * 0.0.0.0:1900 with SO_REUSEADDR, receives the M-SEARCH queries with
 * WSARecvMsg; IP_PKTINFO tells which interface each came in on, and the
 * reply goes back to the querier with WSASendMsg from that interface's
 * address (an IN_PKTINFO control message), so a client on every link gets
 * an answer from an address it can reach, with a LOCATION on that address.
 * After COUNT replies (default 3) it exits 0; after 20 s without a query
 * it gives up with 1.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/ssdp_responder.c \
 *      $(pkg-config --cflags --libs ws2_32) -o ssdp_responder
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma comment(lib, "Ws2_32.lib")
#pragma comment(lib, "Iphlpapi.lib")

#define SSDP_GROUP "239.255.255.250"
#define SSDP_PORT 1900
#define MAX_INTERFACES 16

typedef struct {
    ULONG index;
    IN_ADDR address;
} JOINED_INTERFACE;

static int fail(const char *what)
{
    printf("%s failed with error: %d\n", what, WSAGetLastError());
    return 1;
}

/* Joins the SSDP group on every interface that can take it; returns how
 * many it joined on (their indexes and IPv4 addresses in `joined`). */
static int JoinOnEveryInterface(SOCKET s, JOINED_INTERFACE *joined)
{
    ULONG size = 15000;
    PIP_ADAPTER_ADDRESSES adapters = NULL, a;
    ULONG ret;
    int count = 0;
    for (int tries = 0; tries < 3; tries++) {
        adapters = (PIP_ADAPTER_ADDRESSES)malloc(size);
        if (adapters == NULL)
            return 0;
        ret = GetAdaptersAddresses(AF_INET, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_DNS_SERVER,
                                   NULL, adapters, &size);
        if (ret != ERROR_BUFFER_OVERFLOW)
            break;
        free(adapters);
        adapters = NULL;
    }
    if (adapters == NULL || ret != NO_ERROR) {
        printf("GetAdaptersAddresses failed with error: %lu\n", (unsigned long)ret);
        free(adapters);
        return 0;
    }
    for (a = adapters; a != NULL && count < MAX_INTERFACES; a = a->Next) {
        IP_MREQ mreq;
        if (a->OperStatus != IfOperStatusUp || (a->Flags & IP_ADAPTER_NO_MULTICAST) ||
            a->IfType == IF_TYPE_SOFTWARE_LOOPBACK || a->FirstUnicastAddress == NULL)
            continue;
        ZeroMemory(&mreq, sizeof(mreq));
        inet_pton(AF_INET, SSDP_GROUP, &mreq.imr_multiaddr);
        mreq.imr_interface.s_addr = htonl(a->IfIndex); /* 0.x.x.x: an index */
        if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, sizeof(mreq)) ==
            SOCKET_ERROR) {
            printf("IP_ADD_MEMBERSHIP on interface %lu failed with error: %d\n",
                   (unsigned long)a->IfIndex, WSAGetLastError());
            continue;
        }
        joined[count].index = a->IfIndex;
        joined[count].address =
            ((SOCKADDR_IN *)a->FirstUnicastAddress->Address.lpSockaddr)->sin_addr;
        printf("joined %s on interface %lu\n", SSDP_GROUP, (unsigned long)a->IfIndex);
        count++;
    }
    free(adapters);
    return count;
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET s;
    SOCKADDR_IN local;
    JOINED_INTERFACE joined[MAX_INTERFACES];
    int joinedCount, replies = 0, wanted = argc > 1 ? atoi(argv[1]) : 3;
    DWORD on = 1, timeout = 20000, bytes = 0;
    GUID recvGuid = WSAID_WSARECVMSG, sendGuid = WSAID_WSASENDMSG;
    LPFN_WSARECVMSG pWSARecvMsg = NULL;
    LPFN_WSASENDMSG pWSASendMsg = NULL;

    if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0) {
        printf("WSAStartup failed\n");
        return 1;
    }
    s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET)
        return fail("socket");
    /* Other SSDP listeners on this host may share the port. */
    if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof(on)) == SOCKET_ERROR ||
        setsockopt(s, IPPROTO_IP, IP_PKTINFO, (char *)&on, sizeof(on)) == SOCKET_ERROR ||
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout, sizeof(timeout)) == SOCKET_ERROR)
        return fail("setsockopt");
    ZeroMemory(&local, sizeof(local));
    local.sin_family = AF_INET;
    local.sin_port = htons(SSDP_PORT);
    if (bind(s, (SOCKADDR *)&local, sizeof(local)) == SOCKET_ERROR)
        return fail("bind");
    joinedCount = JoinOnEveryInterface(s, joined);
    if (joinedCount == 0) {
        printf("no interface to join %s on\n", SSDP_GROUP);
        return 1;
    }
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &recvGuid, sizeof(recvGuid),
                 &pWSARecvMsg, sizeof(pWSARecvMsg), &bytes, NULL, NULL) == SOCKET_ERROR ||
        WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &sendGuid, sizeof(sendGuid),
                 &pWSASendMsg, sizeof(pWSASendMsg), &bytes, NULL, NULL) == SOCKET_ERROR)
        return fail("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)");
    printf("listening on %s:%d on %d interfaces\n", SSDP_GROUP, SSDP_PORT, joinedCount);
    fflush(stdout);

    while (replies < wanted) {
        char query[1024], reply[512], from[INET_ADDRSTRLEN], on_addr[INET_ADDRSTRLEN];
        union {
            WSACMSGHDR align;
            char buf[WSA_CMSG_SPACE(sizeof(IN_PKTINFO))];
        } control;
        SOCKADDR_IN peer;
        WSABUF data = {sizeof(query) - 1, query};
        WSAMSG msg;
        IN_PKTINFO arrived;
        BOOL haveInfo = FALSE;
        const JOINED_INTERFACE *ifc = NULL;
        DWORD got = 0, sent = 0;
        int len;

        ZeroMemory(&msg, sizeof(msg));
        msg.name = (SOCKADDR *)&peer;
        msg.namelen = sizeof(peer);
        msg.lpBuffers = &data;
        msg.dwBufferCount = 1;
        msg.Control.buf = control.buf;
        msg.Control.len = sizeof(control.buf);
        if (pWSARecvMsg(s, &msg, &got, NULL, NULL) == SOCKET_ERROR) {
            if (WSAGetLastError() == WSAETIMEDOUT)
                printf("no query for 20 s\n");
            return fail("WSARecvMsg");
        }
        query[got] = 0;
        for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&msg); c != NULL; c = WSA_CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                memcpy(&arrived, WSA_CMSG_DATA(c), sizeof(arrived));
                haveInfo = TRUE;
            }
        }
        if (!haveInfo || strncmp(query, "M-SEARCH * HTTP/1.1", 19) != 0)
            continue; /* not a query */
        for (int i = 0; i < joinedCount; i++)
            if (joined[i].index == arrived.ipi_ifindex)
                ifc = &joined[i];
        if (ifc == NULL)
            continue; /* an interface we did not join on */
        inet_ntop(AF_INET, &peer.sin_addr, from, sizeof(from));
        inet_ntop(AF_INET, &ifc->address, on_addr, sizeof(on_addr));
        len = snprintf(reply, sizeof(reply),
                       "HTTP/1.1 200 OK\r\n"
                       "CACHE-CONTROL: max-age=1800\r\n"
                       "ST: upnp:rootdevice\r\n"
                       "USN: uuid:ws2-example::upnp:rootdevice\r\n"
                       "LOCATION: http://%s:8080/description.xml\r\n\r\n",
                       on_addr);

        /* Reply from the address of the interface the query came in on. */
        {
            union {
                WSACMSGHDR align;
                char buf[WSA_CMSG_SPACE(sizeof(IN_PKTINFO))];
            } out;
            WSABUF rdata = {(ULONG)len, reply};
            WSAMSG rmsg;
            WSACMSGHDR *c = (WSACMSGHDR *)out.buf;
            IN_PKTINFO source;
            ZeroMemory(&out, sizeof(out));
            ZeroMemory(&source, sizeof(source));
            source.ipi_addr = ifc->address;
            source.ipi_ifindex = ifc->index;
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = WSA_CMSG_LEN(sizeof(IN_PKTINFO));
            memcpy(WSA_CMSG_DATA(c), &source, sizeof(source));
            ZeroMemory(&rmsg, sizeof(rmsg));
            rmsg.name = (SOCKADDR *)&peer;
            rmsg.namelen = sizeof(peer);
            rmsg.lpBuffers = &rdata;
            rmsg.dwBufferCount = 1;
            rmsg.Control.buf = out.buf;
            rmsg.Control.len = (ULONG)WSA_CMSG_SPACE(sizeof(IN_PKTINFO));
            if (pWSASendMsg(s, &rmsg, 0, &sent, NULL, NULL) == SOCKET_ERROR)
                return fail("WSASendMsg");
        }
        printf("M-SEARCH from %s on interface %lu, answered from %s\n", from,
               (unsigned long)ifc->index, on_addr);
        fflush(stdout);
        replies++;
    }
    closesocket(s);
    WSACleanup();
    return 0;
}
