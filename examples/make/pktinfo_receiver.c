/* pktinfo_receiver: receives UDP datagrams with WSARecvMsg and reports, for
 * each one, who sent it and which local address it was sent to (IN_PKTINFO),
 * written exactly as it would be for Windows.
 *
 *   pktinfo_receiver [PORT [COUNT]]      (defaults: 27015, 3)
 *
 * It listens on every IPv4 address; PORT 0 takes any free port, which it
 * prints ("listening on 0.0.0.0:PORT"). After COUNT datagrams it exits 0;
 * with nothing to receive for 10 seconds it gives up (WSAETIMEDOUT).
 * Built by this directory's Makefile, unchanged on Windows (MinGW) and on
 * Linux with ws2 installed (the Makefile says how).
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what)
{
    fprintf(stderr, "pktinfo_receiver: %s failed with error %d\n", what, WSAGetLastError());
    WSACleanup();
    return 1;
}

int main(int argc, char **argv)
{
    unsigned short port = (unsigned short)(argc > 1 ? atoi(argv[1]) : 27015);
    int count = argc > 2 ? atoi(argv[2]) : 3;

    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        fprintf(stderr, "pktinfo_receiver: WSAStartup failed with error %d\n", rc);
        return 1;
    }

    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET) return fail("socket");

    /* IP_PKTINFO on: every datagram comes with the address it was sent to. */
    DWORD on = 1, timeout_ms = 10000;
    if (setsockopt(s, IPPROTO_IP, IP_PKTINFO, (const char *)&on, sizeof on) == SOCKET_ERROR ||
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout_ms, sizeof timeout_ms) ==
            SOCKET_ERROR) {
        closesocket(s);
        return fail("setsockopt");
    }

    SOCKADDR_IN local;
    int locallen = sizeof local;
    ZeroMemory(&local, sizeof local);
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_ANY);
    local.sin_port = htons(port);
    if (bind(s, (SOCKADDR *)&local, sizeof local) == SOCKET_ERROR ||
        getsockname(s, (SOCKADDR *)&local, &locallen) == SOCKET_ERROR) {
        closesocket(s);
        return fail("bind");
    }
    printf("listening on 0.0.0.0:%u\n", ntohs(local.sin_port));
    fflush(stdout);

    /* WSARecvMsg is an extension function: ask the provider for it. */
    GUID guid = WSAID_WSARECVMSG;
    LPFN_WSARECVMSG pWSARecvMsg = NULL;
    DWORD bytes = 0;
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &pWSARecvMsg,
                 sizeof pWSARecvMsg, &bytes, NULL, NULL) == SOCKET_ERROR) {
        closesocket(s);
        return fail("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)");
    }

    for (int i = 0; i < count; i++) {
        char data[1500];
        union {
            WSACMSGHDR align;
            char buf[WSA_CMSG_SPACE(sizeof(IN_PKTINFO))];
        } control;
        SOCKADDR_IN from;
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
            closesocket(s);
            return fail("WSARecvMsg");
        }

        char to_text[INET_ADDRSTRLEN] = "?", from_text[INET_ADDRSTRLEN] = "?";
        ULONG ifindex = 0;
        for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&msg); c != NULL; c = WSA_CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                IN_PKTINFO pktinfo;
                memcpy(&pktinfo, WSA_CMSG_DATA(c), sizeof pktinfo);
                inet_ntop(AF_INET, &pktinfo.ipi_addr, to_text, sizeof to_text);
                ifindex = pktinfo.ipi_ifindex;
            }
        }
        inet_ntop(AF_INET, &from.sin_addr, from_text, sizeof from_text);
        printf("%lu bytes from %s:%u to %s (interface %lu): %.*s\n", (unsigned long)got,
               from_text, ntohs(from.sin_port), to_text, (unsigned long)ifindex, (int)got, data);
        fflush(stdout);
    }

    closesocket(s);
    WSACleanup();
    return 0;
}
