/* completion_port.c -- overlapped WSASendMsg with an I/O completion port.
 *
 * Written as for Windows: fetches WSASendMsg through
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER), associates the socket with a
 * completion port, issues a few overlapped sends and collects one packet per
 * send with GetQueuedCompletionStatus.
 *
 * Usage: completion_port [IPv4 address] [port]   (default 127.0.0.1 27015)
 */
#include <WinSock2.h>
#include <WS2tcpip.h>
#include <MSWSock.h>
#include <Windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENDS 3
#define SOCKET_KEY 1

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

    HANDLE hPort = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (hPort == NULL) {
        printf("CreateIoCompletionPort failed with error: %lu\n", (unsigned long)GetLastError());
        closesocket(s);
        WSACleanup();
        return 1;
    }
    if (CreateIoCompletionPort((HANDLE)s, hPort, SOCKET_KEY, 0) == NULL) {
        printf("CreateIoCompletionPort (associate) failed with error: %lu\n",
               (unsigned long)GetLastError());
        CloseHandle(hPort);
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
        CloseHandle(hPort);
        closesocket(s);
        WSACleanup();
        return 1;
    }

    /* Each operation needs its own OVERLAPPED and buffers, valid until it completes. */
    WSAOVERLAPPED overlapped[SENDS];
    char text[SENDS][64];
    int failed = 0;
    for (int i = 0; i < SENDS; i++) {
        snprintf(text[i], sizeof(text[i]), "datagram %d/%d: hello from completion_port", i + 1, SENDS);
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
        if (pWSASendMsg(s, &msg, 0, NULL, &overlapped[i], NULL) == SOCKET_ERROR &&
            WSAGetLastError() != WSA_IO_PENDING) {
            printf("WSASendMsg failed with error: %d\n", WSAGetLastError());
            failed = 1;
            break;
        }
    }

    /* One completion packet per accepted send, immediate or not. */
    for (int done = 0; !failed && done < SENDS; done++) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED pOv = NULL;
        if (!GetQueuedCompletionStatus(hPort, &bytes, &key, &pOv, 5000)) {
            if (pOv == NULL)
                printf("GetQueuedCompletionStatus timed out (error %lu)\n", (unsigned long)GetLastError());
            else
                printf("send failed with error %lu\n", (unsigned long)GetLastError());
            failed = 1;
            break;
        }
        int index = (int)(pOv - overlapped);
        printf("send %d completed: %lu bytes (key %lu)\n", index + 1, (unsigned long)bytes,
               (unsigned long)key);
    }

    CloseHandle(hPort);
    closesocket(s);
    WSACleanup();
    if (failed) return 1;
    printf("all %d datagrams sent to %s:%u\n", SENDS, ip, (unsigned)port);
    return 0;
}
