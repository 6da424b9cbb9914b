/* libc headers first, then the Winsock headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <mstcpip.h>

int send_one(SOCKET s, const char *text);

int send_one(SOCKET s, const char *text)
{
    WSABUF buf;
    WSAMSG msg;
    SOCKADDR_IN6 to;
    DWORD sent = 0;
    u_long nb = 1;
    size_t n = strlen(text);
    struct timeval tv;
    time_t now = time(NULL);

    tv.tv_sec = 1;
    tv.tv_usec = 0;
    (void)tv;
    (void)now;
    ZeroMemory(&to, sizeof to);
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(9);
    if (inet_pton(AF_INET6, "::1", &to.sin6_addr) != 1) return -1;
    buf.buf = (CHAR *)text;
    buf.len = (ULONG)n;
    ZeroMemory(&msg, sizeof msg);
    msg.name = (LPSOCKADDR)&to;
    msg.namelen = sizeof to;
    msg.lpBuffers = &buf;
    msg.dwBufferCount = 1;
    if (ioctlsocket(s, FIONBIO, &nb) == SOCKET_ERROR) return -1;
    if (WSASendMsg(s, &msg, 0, &sent, NULL, NULL) == SOCKET_ERROR) {
        printf("error %d\n", WSAGetLastError());
        return -1;
    }
    return (int)sent;
}
