/* udp_sender: a small Winsock program that sends UDP datagrams with
 * WSASendMsg, written exactly as it would be for Windows.
 *
 *   udp_sender [DEST_IP [PORT]]      (defaults: 127.0.0.1 27015)
 *
 * Each datagram is gathered from two buffers (a header line and a body).
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/udp_sender.c $(pkg-config --cflags --libs ws2_32) \
 *      -o udp_sender
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT 3

static int fail(const char *what)
{
    fprintf(stderr, "udp_sender: %s failed with error %d\n", what, WSAGetLastError());
    WSACleanup();
    return 1;
}

int main(int argc, char **argv)
{
    const char *ip = argc > 1 ? argv[1] : "127.0.0.1";
    unsigned short port = (unsigned short)(argc > 2 ? atoi(argv[2]) : 27015);

    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        fprintf(stderr, "udp_sender: WSAStartup failed with error %d\n", rc);
        return 1;
    }

    /* The destination: IPv4 or IPv6 text. */
    SOCKADDR_STORAGE to;
    int tolen;
    memset(&to, 0, sizeof to);
    SOCKADDR_IN *to4 = (SOCKADDR_IN *)&to;
    SOCKADDR_IN6 *to6 = (SOCKADDR_IN6 *)&to;
    if (inet_pton(AF_INET, ip, &to4->sin_addr) == 1) {
        to4->sin_family = AF_INET;
        to4->sin_port = htons(port);
        tolen = sizeof *to4;
    } else if (inet_pton(AF_INET6, ip, &to6->sin6_addr) == 1) {
        to6->sin6_family = AF_INET6;
        to6->sin6_port = htons(port);
        tolen = sizeof *to6;
    } else {
        fprintf(stderr, "udp_sender: not an IP address: %s\n", ip);
        WSACleanup();
        return 2;
    }

    SOCKET s = socket(to.ss_family, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET) return fail("socket");

    /* WSASendMsg is an extension function: ask the provider for it. */
    GUID guid = WSAID_WSASENDMSG;
    LPFN_WSASENDMSG pWSASendMsg = NULL;
    DWORD bytes = 0;
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &pWSASendMsg,
                 sizeof pWSASendMsg, &bytes, NULL, NULL) == SOCKET_ERROR) {
        closesocket(s);
        return fail("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)");
    }

    for (int i = 1; i <= COUNT; i++) {
        char head[32], body[] = "hello from udp_sender";
        int hlen = snprintf(head, sizeof head, "datagram %d/%d: ", i, COUNT);
        WSABUF bufs[2];
        bufs[0].buf = head;
        bufs[0].len = (ULONG)hlen;
        bufs[1].buf = body;
        bufs[1].len = (ULONG)strlen(body);

        WSAMSG msg;
        memset(&msg, 0, sizeof msg);
        msg.name = (LPSOCKADDR)&to;
        msg.namelen = tolen;
        msg.lpBuffers = bufs;
        msg.dwBufferCount = 2;

        DWORD sent = 0;
        if (pWSASendMsg(s, &msg, 0, &sent, NULL, NULL) == SOCKET_ERROR) {
            closesocket(s);
            return fail("WSASendMsg");
        }
        printf("sent %lu bytes to %s:%u\n", (unsigned long)sent, ip, (unsigned)port);
    }

    closesocket(s);
    WSACleanup();
    return 0;
}
