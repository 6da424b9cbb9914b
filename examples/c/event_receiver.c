/* event_receiver: an event-driven UDP receiver, written the way Microsoft's
 * Winsock samples are: WSAEventSelect(FD_READ) ties each socket to an event
 * object, WSAWaitForMultipleEvents waits for any of them, and
 * WSAEnumNetworkEvents says what happened (and resets the event).
 *
 *   event_receiver [PORT [COUNT]]
 *
 * Two sockets, 0.0.0.0:PORT and [::]:PORT; each datagram is printed with
 * its length and sender. WSAEventSelect made the sockets non-blocking, so
 * on FD_READ it receives until WSAEWOULDBLOCK. After COUNT datagrams
 * (default 10) it exits 0; it gives up with 1 after 20 s of silence.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/event_receiver.c $(pkg-config --cflags --libs ws2_32) \
 *      -o event_receiver
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
        ((SOCKADDR_IN *)&addr)->sin_family = AF_INET;
        ((SOCKADDR_IN *)&addr)->sin_port = htons(port);
        addrlen = sizeof(SOCKADDR_IN);
    } else {
        ((SOCKADDR_IN6 *)&addr)->sin6_family = AF_INET6;
        ((SOCKADDR_IN6 *)&addr)->sin6_port = htons(port);
        addrlen = sizeof(SOCKADDR_IN6);
    }
    if (bind(s, (SOCKADDR *)&addr, addrlen) == SOCKET_ERROR) {
        printf("bind failed with error: %d\n", WSAGetLastError());
        closesocket(s);
        return INVALID_SOCKET;
    }
    return s;
}

/* Receives every datagram waiting on s; returns how many, or -1. */
static int ReceiveAll(SOCKET s)
{
    int received = 0;
    for (;;) {
        char recvbuf[DEFAULT_BUFLEN];
        char host[INET6_ADDRSTRLEN];
        SOCKADDR_STORAGE from;
        int fromlen = sizeof(from);
        int bytes = recvfrom(s, recvbuf, DEFAULT_BUFLEN, 0, (SOCKADDR *)&from, &fromlen);
        if (bytes == SOCKET_ERROR) {
            if (WSAGetLastError() == WSAEWOULDBLOCK)
                return received;
            printf("recvfrom failed with error: %d\n", WSAGetLastError());
            return -1;
        }
        if (from.ss_family == AF_INET)
            inet_ntop(AF_INET, &((SOCKADDR_IN *)&from)->sin_addr, host, sizeof(host));
        else
            inet_ntop(AF_INET6, &((SOCKADDR_IN6 *)&from)->sin6_addr, host, sizeof(host));
        printf("received %d bytes from %s\n", bytes, host);
        received++;
    }
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET sockets[2];
    WSAEVENT events[2];
    u_short port = argc > 1 ? (u_short)atoi(argv[1]) : DEFAULT_PORT;
    int count = argc > 2 ? atoi(argv[2]) : 10;
    int total = 0, i, iResult;

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
    for (i = 0; i < 2; i++) {
        events[i] = WSACreateEvent();
        if (events[i] == WSA_INVALID_EVENT ||
            WSAEventSelect(sockets[i], events[i], FD_READ) == SOCKET_ERROR) {
            printf("WSAEventSelect failed with error: %d\n", WSAGetLastError());
            WSACleanup();
            return 1;
        }
    }
    printf("waiting on 0.0.0.0:%u and [::]:%u\n", port, port);
    fflush(stdout);

    while (total < count) {
        WSANETWORKEVENTS networkEvents;
        DWORD index = WSAWaitForMultipleEvents(2, events, FALSE, 20000, FALSE);
        if (index == WSA_WAIT_FAILED) {
            printf("WSAWaitForMultipleEvents failed with error: %d\n", WSAGetLastError());
            break;
        }
        if (index == WSA_WAIT_TIMEOUT) {
            printf("no datagram for 20 s\n");
            break;
        }
        index -= WSA_WAIT_EVENT_0;
        if (WSAEnumNetworkEvents(sockets[index], events[index], &networkEvents) == SOCKET_ERROR) {
            printf("WSAEnumNetworkEvents failed with error: %d\n", WSAGetLastError());
            break;
        }
        if (networkEvents.lNetworkEvents & FD_READ) {
            int got;
            if (networkEvents.iErrorCode[FD_READ_BIT] != 0) {
                printf("FD_READ failed with error: %d\n", networkEvents.iErrorCode[FD_READ_BIT]);
                break;
            }
            got = ReceiveAll(sockets[index]);
            if (got < 0)
                break;
            total += got;
        }
        fflush(stdout);
    }
    for (i = 0; i < 2; i++) {
        closesocket(sockets[i]);
        WSACloseEvent(events[i]);
    }
    WSACleanup();
    return total >= count ? 0 : 1;
}
