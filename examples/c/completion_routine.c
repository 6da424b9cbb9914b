/* completion_routine.c -- overlapped WSASendMsg with completion routines.
 *
 * Written as for Windows: fetches WSASendMsg through
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER), issues a few overlapped sends
 * with a completion routine, and lets the routines run in an alertable wait
 * (SleepEx). hEvent is free for the program's own use in this mode: here it
 * carries the send's number.
 *
 * Usage: completion_routine [IPv4 address] [port]   (default 127.0.0.1 27015)
 */
#include <WinSock2.h>
#include <WS2tcpip.h>
#include <MSWSock.h>
#include <Windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENDS 3

static int completed = 0;
static int errors = 0;

static void CALLBACK SendCompleted(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped,
                                   DWORD dwFlags)
{
    (void)dwFlags;
    int index = (int)(INT_PTR)lpOverlapped->hEvent;
    if (dwError != 0) {
        printf("send %d failed with error %lu\n", index, (unsigned long)dwError);
        errors++;
    } else {
        printf("send %d completed: %lu bytes\n", index, (unsigned long)cbTransferred);
    }
    completed++;
}

int main(int argc, char **argv)
{
    const char *ip = argc > 1 ? argv[1] : "127.0.0.1";
    unsigned short port = (unsigned short)(argc > 2 ? atoi(argv[2]) : 27015);
    WSADATA wsaData;
    int err = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (err != 0) {
        printf("WSAStartup failed with error: %d\n", err);
        return 1;
    }

    SOCKET s = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) {
        printf("WSASocket failed with error: %d\n", WSAGetLastError());
        WSACleanup();
        return 1;
    }

    GUID guid = WSAID_WSASENDMSG;
    LPFN_WSASENDMSG pWSASendMsg = NULL;
    DWORD dwBytes = 0;
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof(guid), &pWSASendMsg,
                 sizeof(pWSASendMsg), &dwBytes, NULL, NULL) == SOCKET_ERROR) {
        printf("WSAIoctl failed with error: %d\n", WSAGetLastError());
        closesocket(s);
        WSACleanup();
        return 1;
    }

    SOCKADDR_IN dest;
    ZeroMemory(&dest, sizeof(dest));
    dest.sin_family = AF_INET;
    dest.sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &dest.sin_addr) != 1) {
        printf("invalid IPv4 address: %s\n", ip);
        closesocket(s);
        WSACleanup();
        return 1;
    }

    WSAOVERLAPPED overlapped[SENDS];
    char text[SENDS][64];
    int issued = 0;
    for (int i = 0; i < SENDS; i++) {
        snprintf(text[i], sizeof(text[i]), "datagram %d/%d: hello from completion_routine", i + 1,
                 SENDS);
        WSABUF buf;
        buf.buf = text[i];
        buf.len = (ULONG)strlen(text[i]);
        WSAMSG msg;
        ZeroMemory(&msg, sizeof(msg));
        msg.name = (LPSOCKADDR)&dest;
        msg.namelen = sizeof(dest);
        msg.lpBuffers = &buf;
        msg.dwBufferCount = 1;
        ZeroMemory(&overlapped[i], sizeof(overlapped[i]));
        overlapped[i].hEvent = (HANDLE)(INT_PTR)(i + 1); /* our own context */
        if (pWSASendMsg(s, &msg, 0, NULL, &overlapped[i], SendCompleted) == SOCKET_ERROR &&
            WSAGetLastError() != WSA_IO_PENDING) {
            printf("WSASendMsg failed with error: %d\n", WSAGetLastError());
            break;
        }
        issued++;
    }

    /* The routines run only while this thread waits alertably. */
    DWORD start = 0;
    while (completed < issued && start < 50) {
        if (SleepEx(100, TRUE) != WAIT_IO_COMPLETION) start++;
    }

    closesocket(s);
    WSACleanup();
    if (issued < SENDS || completed < SENDS || errors > 0) {
        printf("%d of %d sends completed, %d failed\n", completed, SENDS, errors);
        return 1;
    }
    printf("all %d datagrams sent to %s:%u\n", SENDS, ip, (unsigned)port);
    return 0;
}
