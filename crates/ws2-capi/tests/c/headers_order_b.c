/* Winsock headers first, then libc headers. */
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <mstcpip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

static LPFN_WSASENDMSG get_sendmsg(SOCKET s)
{
    GUID guid = WSAID_WSASENDMSG;
    LPFN_WSASENDMSG fn = NULL;
    DWORD bytes = 0;
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid,
                 &fn, sizeof fn, &bytes, NULL, NULL) == SOCKET_ERROR)
        return NULL;
    return fn;
}

int run(void);

int run(void)
{
    WSADATA wsa;
    SOCKET s;
    struct sockaddr_in to;
    char text[INET_ADDRSTRLEN];
    WSAEVENT ev;
    WSAOVERLAPPED ov;
    DWORD sent = 0, flags = 0;
    BOOL off = FALSE;
    WSABUF buf;
    WSAMSG msg;
    LPFN_WSASENDMSG fn;
    uint32_t addr;
    bool ok;

    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return 1;
    s = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) { WSACleanup(); return 1; }
    WSAIoctl(s, SIO_UDP_CONNRESET, &off, sizeof off, NULL, 0, &sent, NULL, NULL);
    fn = get_sendmsg(s);
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr = ntohl(to.sin_addr.s_addr);
    ok = addr == INADDR_LOOPBACK;
    inet_ntop(AF_INET, &to.sin_addr, text, sizeof text);
    buf.buf = text;
    buf.len = (ULONG)strlen(text);
    ZeroMemory(&msg, sizeof msg);
    msg.name = (LPSOCKADDR)&to;
    msg.namelen = sizeof to;
    msg.lpBuffers = &buf;
    msg.dwBufferCount = 1;
    ev = WSACreateEvent();
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = ev;
    if (fn && fn(s, &msg, 0, NULL, &ov, NULL) == SOCKET_ERROR &&
        WSAGetLastError() == WSA_IO_PENDING) {
        WSAWaitForMultipleEvents(1, &ev, TRUE, WSA_INFINITE, TRUE);
        WSAGetOverlappedResult(s, &ov, &sent, FALSE, &flags);
    }
    WSACloseEvent(ev);
    closesocket(s);
    WSACleanup();
    printf("%s %lu %d\n", text, (unsigned long)sent, ok);
    return EXIT_SUCCESS;
}
