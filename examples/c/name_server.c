/* name_server: a UDP echo server that finds its own addresses with
 * getaddrinfo, written the way Microsoft's Winsock samples are.
 *
 *   name_server PORT [COUNT]
 *
 * getaddrinfo(NULL, PORT) with AI_PASSIVE and AF_UNSPEC gives the wildcard
 * address of each family (0.0.0.0 and ::); the server binds one socket to
 * each, prints it with WSAAddressToString, then waits on all of them at
 * once with overlapped WSARecvFrom and WSAWaitForMultipleEvents. Every
 * datagram is echoed to its sender, whose address is printed with
 * WSAAddressToString ("[fd00:44::2]:40001", "10.44.0.2:40002"). After
 * COUNT datagrams (default 10) it exits 0.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/name_server.c $(pkg-config --cflags --libs ws2_32) \
 *      -o name_server
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_BUFLEN 512
#define MAX_SOCKETS 2
#define WAIT_MS 20000

/* One bound socket with its receive in flight. */
typedef struct {
    SOCKET socket;
    WSAOVERLAPPED overlapped;
    WSABUF wsabuf;
    char buffer[DEFAULT_BUFLEN];
    SOCKADDR_STORAGE from;
    int fromlen;
    DWORD flags;
} LISTENER;

static int PostReceive(LISTENER *l)
{
    DWORD received = 0;
    WSAEVENT event = l->overlapped.hEvent;

    ZeroMemory(&l->overlapped, sizeof(l->overlapped));
    l->overlapped.hEvent = event;
    l->wsabuf.buf = l->buffer;
    l->wsabuf.len = DEFAULT_BUFLEN;
    l->fromlen = sizeof(l->from);
    l->flags = 0;
    if (WSARecvFrom(l->socket, &l->wsabuf, 1, &received, &l->flags, (SOCKADDR *)&l->from,
                    &l->fromlen, &l->overlapped, NULL) == SOCKET_ERROR &&
        WSAGetLastError() != WSA_IO_PENDING) {
        printf("WSARecvFrom failed with error: %d\n", WSAGetLastError());
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    int iResult;
    struct addrinfo *result = NULL, *ptr = NULL, hints;
    LISTENER listeners[MAX_SOCKETS];
    WSAEVENT events[MAX_SOCKETS];
    DWORD nListeners = 0, i;
    long count = 10, served = 0;
    char text[INET6_ADDRSTRLEN];
    DWORD textlen;

    if (argc < 2 || argc > 3) {
        printf("usage: %s port [count]\n", argv[0]);
        return 1;
    }
    if (argc == 3) count = atol(argv[2]);

    // Initialize Winsock
    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }

    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    hints.ai_flags = AI_PASSIVE;

    // Resolve the local addresses and port to be used by the server
    iResult = getaddrinfo(NULL, argv[1], &hints, &result);
    if (iResult != 0) {
        printf("getaddrinfo failed with error: %d (%s)\n", iResult, gai_strerror(iResult));
        WSACleanup();
        return 1;
    }

    // One socket for each address: IPv4 and IPv6
    for (ptr = result; ptr != NULL && nListeners < MAX_SOCKETS; ptr = ptr->ai_next) {
        LISTENER *l = &listeners[nListeners];

        l->socket = socket(ptr->ai_family, ptr->ai_socktype, ptr->ai_protocol);
        if (l->socket == INVALID_SOCKET) {
            printf("socket failed with error: %d\n", WSAGetLastError());
            freeaddrinfo(result);
            WSACleanup();
            return 1;
        }
        if (bind(l->socket, ptr->ai_addr, (int)ptr->ai_addrlen) == SOCKET_ERROR) {
            printf("bind failed with error: %d\n", WSAGetLastError());
            freeaddrinfo(result);
            WSACleanup();
            return 1;
        }
        textlen = sizeof(text);
        if (WSAAddressToString(ptr->ai_addr, (DWORD)ptr->ai_addrlen, NULL, text, &textlen) == 0)
            printf("listening on %s\n", text);
        ZeroMemory(&l->overlapped, sizeof(l->overlapped));
        l->overlapped.hEvent = WSACreateEvent();
        events[nListeners] = l->overlapped.hEvent;
        if (PostReceive(l) != 0) {
            freeaddrinfo(result);
            WSACleanup();
            return 1;
        }
        nListeners++;
    }
    freeaddrinfo(result);
    fflush(stdout);

    // Echo datagrams until COUNT have been served
    while (served < count) {
        DWORD index, bytes = 0, flags = 0;
        LISTENER *l;

        index = WSAWaitForMultipleEvents(nListeners, events, FALSE, WAIT_MS, FALSE);
        if (index == WSA_WAIT_TIMEOUT) {
            printf("no datagram within %d ms\n", WAIT_MS);
            break;
        }
        if (index == WSA_WAIT_FAILED) {
            printf("WSAWaitForMultipleEvents failed with error: %d\n", WSAGetLastError());
            break;
        }
        l = &listeners[index - WSA_WAIT_EVENT_0];
        WSAResetEvent(l->overlapped.hEvent);
        if (!WSAGetOverlappedResult(l->socket, &l->overlapped, &bytes, FALSE, &flags)) {
            printf("WSARecvFrom failed with error: %d\n", WSAGetLastError());
            break;
        }

        textlen = sizeof(text);
        if (WSAAddressToString((SOCKADDR *)&l->from, (DWORD)l->fromlen, NULL, text, &textlen) != 0)
            strcpy(text, "?");
        printf("%lu bytes from %s\n", (unsigned long)bytes, text);
        fflush(stdout);

        // Echo the datagram back to the sender
        iResult = sendto(l->socket, l->buffer, (int)bytes, 0, (SOCKADDR *)&l->from, l->fromlen);
        if (iResult == SOCKET_ERROR) {
            printf("sendto failed with error: %d\n", WSAGetLastError());
            break;
        }
        served++;
        if (PostReceive(l) != 0) break;
    }

    // cleanup
    for (i = 0; i < nListeners; i++) {
        closesocket(listeners[i].socket);
        WSACloseEvent(listeners[i].overlapped.hEvent);
    }
    WSACleanup();
    return served == count ? 0 : 1;
}
