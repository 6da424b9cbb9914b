/* select_server: a UDP echo server on an IPv4 and an IPv6 socket, waiting on
 * both with select(), written the way Microsoft's Winsock samples are.
 *
 *   select_server [PORT [COUNT]]
 *
 * One socket is bound to 0.0.0.0:PORT, the other to [::]:PORT (IPV6_V6ONLY,
 * Windows' default). Each select() call puts both in an fd_set; every
 * datagram on a socket that select() reports readable is echoed to its
 * sender. After COUNT datagrams (default 10) it exits 0; it gives up with
 * 1 after 20 s without a datagram.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/select_server.c $(pkg-config --cflags --libs ws2_32) \
 *      -o select_server
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdio.h>
#include <stdlib.h>

#pragma comment(lib, "Ws2_32.lib")

#define DEFAULT_PORT 27015
#define DEFAULT_BUFLEN 512

static SOCKET OpenSocket(int family, u_short port)
{
    SOCKADDR_STORAGE addr;
    int addrlen;
    SOCKET s = socket(family, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET) {
        printf("socket failed with error: %d\n", WSAGetLastError());
        return INVALID_SOCKET;
    }
    ZeroMemory(&addr, sizeof(addr));
    if (family == AF_INET) {
        SOCKADDR_IN *in4 = (SOCKADDR_IN *)&addr;
        in4->sin_family = AF_INET;
        in4->sin_addr.s_addr = htonl(INADDR_ANY);
        in4->sin_port = htons(port);
        addrlen = sizeof(SOCKADDR_IN);
    } else {
        SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)&addr;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_any;
        in6->sin6_port = htons(port);
        addrlen = sizeof(SOCKADDR_IN6);
    }
    if (bind(s, (SOCKADDR *)&addr, addrlen) == SOCKET_ERROR) {
        printf("bind failed with error: %d\n", WSAGetLastError());
        closesocket(s);
        return INVALID_SOCKET;
    }
    return s;
}

/* Echoes one datagram waiting on s; returns 0 on success. */
static int EchoOne(SOCKET s)
{
    char recvbuf[DEFAULT_BUFLEN];
    SOCKADDR_STORAGE from;
    int fromlen = sizeof(from);
    char host[INET6_ADDRSTRLEN];
    int bytes = recvfrom(s, recvbuf, DEFAULT_BUFLEN, 0, (SOCKADDR *)&from, &fromlen);
    if (bytes == SOCKET_ERROR) {
        printf("recvfrom failed with error: %d\n", WSAGetLastError());
        return 1;
    }
    if (sendto(s, recvbuf, bytes, 0, (SOCKADDR *)&from, fromlen) == SOCKET_ERROR) {
        printf("sendto failed with error: %d\n", WSAGetLastError());
        return 1;
    }
    if (from.ss_family == AF_INET)
        inet_ntop(AF_INET, &((SOCKADDR_IN *)&from)->sin_addr, host, sizeof(host));
    else
        inet_ntop(AF_INET6, &((SOCKADDR_IN6 *)&from)->sin6_addr, host, sizeof(host));
    printf("echoed %d bytes to %s\n", bytes, host);
    return 0;
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET sockets[2];
    u_short port = argc > 1 ? (u_short)atoi(argv[1]) : DEFAULT_PORT;
    int count = argc > 2 ? atoi(argv[2]) : 10;
    int served = 0, i, iResult;

    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }
    sockets[0] = OpenSocket(AF_INET, port);
    sockets[1] = OpenSocket(AF_INET6, port);
    if (sockets[0] == INVALID_SOCKET || sockets[1] == INVALID_SOCKET) {
        WSACleanup();
        return 1;
    }
    printf("listening on 0.0.0.0:%u and [::]:%u\n", port, port);
    fflush(stdout);

    while (served < count) {
        fd_set readfds;
        TIMEVAL timeout;
        timeout.tv_sec = 20;
        timeout.tv_usec = 0;
        FD_ZERO(&readfds);
        for (i = 0; i < 2; i++)
            FD_SET(sockets[i], &readfds);
        /* The first argument is ignored: a SOCKET is not a descriptor number. */
        iResult = select(0, &readfds, NULL, NULL, &timeout);
        if (iResult == SOCKET_ERROR) {
            printf("select failed with error: %d\n", WSAGetLastError());
            break;
        }
        if (iResult == 0) {
            printf("no datagram for 20 s\n");
            break;
        }
        for (i = 0; i < 2; i++) {
            if (FD_ISSET(sockets[i], &readfds)) {
                if (EchoOne(sockets[i]) != 0)
                    goto done;
                served++;
            }
        }
        fflush(stdout);
    }
done:
    for (i = 0; i < 2; i++)
        closesocket(sockets[i]);
    WSACleanup();
    return served == count ? 0 : 1;
}
