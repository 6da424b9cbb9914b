/* echo_server: a dual-stack UDP echo server for a multi-homed host,
 * written exactly as it would be for Windows.
 *
 *   echo_server PORT COUNT
 *
 * One AF_INET6 socket with IPV6_V6ONLY off serves IPv4 and IPv6 clients.
 * Each datagram is received with WSARecvMsg, which reports the address it
 * was sent to (IN_PKTINFO for IPv4, IN6_PKTINFO for IPv6, with
 * IP_PKTINFO / IPV6_PKTINFO on); the echo goes back with WSASendMsg from
 * that same address, so a client that wrote to any one of the host's
 * addresses gets its answer from it (a reply from another address is
 * dropped by most clients and NATs). After COUNT datagrams it exits 0.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/echo_server.c $(pkg-config --cflags --libs ws2_32) \
 *      -o echo_server
 */
#include <WinSock2.h>
#include <WS2tcpip.h>
#include <MSWSock.h>
#include <Windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what)
{
    fprintf(stderr, "echo_server: %s failed with error %d\n", what, WSAGetLastError());
    WSACleanup();
    return 1;
}

/* Text form of an address for the log. */
static void addr_text(int family, const void *addr, char *out, size_t len)
{
    if (inet_ntop(family, addr, out, len) == NULL) snprintf(out, len, "?");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: echo_server PORT COUNT\n");
        return 2;
    }
    unsigned short port = (unsigned short)atoi(argv[1]);
    long count = atol(argv[2]);

    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        fprintf(stderr, "echo_server: WSAStartup failed with error %d\n", rc);
        return 1;
    }

    SOCKET s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET) return fail("socket");

    DWORD off = 0, on = 1;
    if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&off, sizeof off) == SOCKET_ERROR)
        return fail("setsockopt(IPV6_V6ONLY)");
    if (setsockopt(s, IPPROTO_IP, IP_PKTINFO, (const char *)&on, sizeof on) == SOCKET_ERROR)
        return fail("setsockopt(IP_PKTINFO)");
    if (setsockopt(s, IPPROTO_IPV6, IPV6_PKTINFO, (const char *)&on, sizeof on) == SOCKET_ERROR)
        return fail("setsockopt(IPV6_PKTINFO)");

    SOCKADDR_IN6 local;
    ZeroMemory(&local, sizeof local);
    local.sin6_family = AF_INET6;
    local.sin6_port = htons(port);
    local.sin6_addr = (IN6_ADDR)IN6ADDR_ANY_INIT;
    if (bind(s, (SOCKADDR *)&local, sizeof local) == SOCKET_ERROR) return fail("bind");

    /* WSARecvMsg and WSASendMsg are extension functions: ask for them. */
    GUID recv_guid = WSAID_WSARECVMSG, send_guid = WSAID_WSASENDMSG;
    LPFN_WSARECVMSG pWSARecvMsg = NULL;
    LPFN_WSASENDMSG pWSASendMsg = NULL;
    DWORD bytes = 0;
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &recv_guid, sizeof recv_guid,
                 &pWSARecvMsg, sizeof pWSARecvMsg, &bytes, NULL, NULL) == SOCKET_ERROR)
        return fail("WSAIoctl(WSAID_WSARECVMSG)");
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &send_guid, sizeof send_guid,
                 &pWSASendMsg, sizeof pWSASendMsg, &bytes, NULL, NULL) == SOCKET_ERROR)
        return fail("WSAIoctl(WSAID_WSASENDMSG)");

    printf("echo_server: listening on [::]:%u (IPv4 and IPv6)\n", port);
    fflush(stdout);

    for (long served = 0; served < count;) {
        char data[2048];
        /* Control space for either pktinfo (the larger one) plus slack. */
        union {
            WSACMSGHDR align;
            char buf[WSA_CMSG_SPACE(sizeof(IN6_PKTINFO)) + WSA_CMSG_SPACE(sizeof(IN_PKTINFO))];
        } control;
        SOCKADDR_IN6 from;
        WSABUF buf;
        WSAMSG msg;
        ZeroMemory(&from, sizeof from);
        ZeroMemory(&msg, sizeof msg);
        buf.buf = data;
        buf.len = sizeof data;
        msg.name = (LPSOCKADDR)&from;
        msg.namelen = sizeof from;
        msg.lpBuffers = &buf;
        msg.dwBufferCount = 1;
        msg.Control.buf = control.buf;
        msg.Control.len = sizeof control.buf;
        DWORD got = 0;
        if (pWSARecvMsg(s, &msg, &got, NULL, NULL) == SOCKET_ERROR) {
            int err = WSAGetLastError();
            /* An ICMP error from an earlier echo: not fatal for a server. */
            if (err == WSAECONNRESET || err == WSAENETRESET) continue;
            closesocket(s);
            return fail("WSARecvMsg");
        }

        /* Where was it sent to? Walk the control data. */
        IN_PKTINFO dst4;
        IN6_PKTINFO dst6;
        int have4 = 0, have6 = 0;
        for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&msg); c != NULL; c = WSA_CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                memcpy(&dst4, WSA_CMSG_DATA(c), sizeof dst4);
                have4 = 1;
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                memcpy(&dst6, WSA_CMSG_DATA(c), sizeof dst6);
                have6 = 1;
            }
        }
        if (!have4 && !have6) {
            fprintf(stderr, "echo_server: datagram without IN_PKTINFO/IN6_PKTINFO\n");
            closesocket(s);
            WSACleanup();
            return 1;
        }

        /* Echo it from that address: the same pktinfo on the way out. An
         * IPv4 client (v4-mapped source on this dual-stack socket) needs an
         * IN_PKTINFO, an IPv6 client an IN6_PKTINFO. */
        union {
            WSACMSGHDR align;
            char buf[WSA_CMSG_SPACE(sizeof(IN6_PKTINFO))];
        } out;
        ZeroMemory(&out, sizeof out);
        WSACMSGHDR *c = (WSACMSGHDR *)out.buf;
        int v4 = IN6_IS_ADDR_V4MAPPED(&from.sin6_addr) && have4;
        char dst_text[INET6_ADDRSTRLEN], from_text[INET6_ADDRSTRLEN];
        if (v4) {
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = WSA_CMSG_LEN(sizeof(IN_PKTINFO));
            memcpy(WSA_CMSG_DATA(c), &dst4, sizeof dst4);
            addr_text(AF_INET, &dst4.ipi_addr, dst_text, sizeof dst_text);
        } else {
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = WSA_CMSG_LEN(sizeof(IN6_PKTINFO));
            memcpy(WSA_CMSG_DATA(c), &dst6, sizeof dst6);
            addr_text(AF_INET6, &dst6.ipi6_addr, dst_text, sizeof dst_text);
        }
        addr_text(AF_INET6, &from.sin6_addr, from_text, sizeof from_text);

        WSABUF reply;
        reply.buf = data;
        reply.len = got;
        WSAMSG rmsg;
        ZeroMemory(&rmsg, sizeof rmsg);
        rmsg.name = (LPSOCKADDR)&from;
        rmsg.namelen = msg.namelen;
        rmsg.lpBuffers = &reply;
        rmsg.dwBufferCount = 1;
        rmsg.Control.buf = out.buf;
        rmsg.Control.len = (ULONG)WSA_CMSG_SPACE(v4 ? sizeof(IN_PKTINFO) : sizeof(IN6_PKTINFO));
        DWORD sent = 0;
        if (pWSASendMsg(s, &rmsg, 0, &sent, NULL, NULL) == SOCKET_ERROR) {
            closesocket(s);
            return fail("WSASendMsg");
        }
        served++;
        printf("echo_server: %lu bytes from [%s]:%u to %s, echoed from %s\n",
               (unsigned long)got, from_text, ntohs(from.sin6_port), dst_text, dst_text);
        fflush(stdout);
    }

    closesocket(s);
    WSACleanup();
    return 0;
}
