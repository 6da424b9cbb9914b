/* event_sender: sends UDP datagrams with overlapped WSASendTo, one event per
 * send, waits for all of them with WSAWaitForMultipleEvents and reads
 * each result with WSAGetOverlappedResult, written exactly as it would be for Windows.
 *
 *   event_sender [DEST_IP [PORT [COUNT]]]    (defaults: 127.0.0.1 27015 3)
 *
 * DEST_IP is IPv4 or IPv6 text. It exits 0 when every send completed.
 * Built by this directory's CMakeLists.txt, on Windows as on Linux.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SENDS WSA_MAXIMUM_WAIT_EVENTS

static int fail(const char *what)
{
    fprintf(stderr, "event_sender: %s failed with error %d\n", what, WSAGetLastError());
    WSACleanup();
    return 1;
}

int main(int argc, char **argv)
{
    const char *ip = argc > 1 ? argv[1] : "127.0.0.1";
    unsigned short port = (unsigned short)(argc > 2 ? atoi(argv[2]) : 27015);
    int count = argc > 3 ? atoi(argv[3]) : 3;
    if (count < 1 || count > MAX_SENDS) {
        fprintf(stderr, "event_sender: COUNT must be 1 to %d\n", MAX_SENDS);
        return 2;
    }

    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        fprintf(stderr, "event_sender: WSAStartup failed with error %d\n", rc);
        return 1;
    }

    SOCKADDR_STORAGE to;
    int tolen;
    ZeroMemory(&to, sizeof to);
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
        fprintf(stderr, "event_sender: not an IP address: %s\n", ip);
        WSACleanup();
        return 2;
    }

    SOCKET s = WSASocket(to.ss_family, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) return fail("WSASocket");

    /* Every send in flight at once: each with its own OVERLAPPED, event and
     * buffer, all valid until it completes. */
    WSAOVERLAPPED ov[MAX_SENDS];
    WSAEVENT events[MAX_SENDS];
    char text[MAX_SENDS][64];
    WSABUF bufs[MAX_SENDS];
    for (int i = 0; i < count; i++) {
        events[i] = WSACreateEvent();
        if (events[i] == WSA_INVALID_EVENT) return fail("WSACreateEvent");
        ZeroMemory(&ov[i], sizeof ov[i]);
        ov[i].hEvent = events[i];
        bufs[i].buf = text[i];
        bufs[i].len = (ULONG)snprintf(text[i], sizeof text[i], "event_sender datagram %d/%d",
                                      i + 1, count);
        DWORD sent = 0;
        if (WSASendTo(s, &bufs[i], 1, &sent, 0, (SOCKADDR *)&to, tolen, &ov[i], NULL) ==
                SOCKET_ERROR &&
            WSAGetLastError() != WSA_IO_PENDING)
            return fail("WSASendTo");
    }

    /* Wait until every send has completed, then read each one's result. */
    DWORD w = WSAWaitForMultipleEvents((DWORD)count, events, TRUE, 10000, FALSE);
    if (w == WSA_WAIT_TIMEOUT) {
        fprintf(stderr, "event_sender: sends still pending after 10 s\n");
        WSACleanup();
        return 1;
    }
    if (w == WSA_WAIT_FAILED) return fail("WSAWaitForMultipleEvents");
    for (int i = 0; i < count; i++) {
        DWORD sent = 0, flags = 0;
        if (!WSAGetOverlappedResult(s, &ov[i], &sent, FALSE, &flags))
            return fail("WSAGetOverlappedResult");
        printf("send %d completed: %lu bytes to %s:%u\n", i + 1, (unsigned long)sent, ip,
               (unsigned)port);
    }

    for (int i = 0; i < count; i++) WSACloseEvent(events[i]);
    closesocket(s);
    WSACleanup();
    return 0;
}
