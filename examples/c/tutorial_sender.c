/* tutorial_sender: a UDP sender written the way Microsoft's Winsock
 * tutorials and the sendto sample write one: <windows.h> first,
 * #pragma comment(lib, "Ws2_32.lib"), getaddrinfo for the destination, a
 * HeapAlloc'd send buffer filled with StringCchPrintf, FormatMessage for
 * every error, GetTickCount for the elapsed time.
 *
 *   tutorial_sender HOST PORT [COUNT]
 *
 * Sends COUNT datagrams (default 3) "datagram i of COUNT from process PID",
 * then one saying "quit", and exits 0 when every send succeeded.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/tutorial_sender.c \
 *      $(pkg-config --cflags --libs ws2_32) -o tutorial_sender
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <strsafe.h>
#include <stdio.h>
#include <stdlib.h>

#pragma comment(lib, "Ws2_32.lib")

#define DEFAULT_BUFLEN 512

/* Prints "<what> failed with error N: <system text>" (the text without
 * its "\r\n", as FormatMessage gives system messages). */
static void PrintError(LPCSTR what, DWORD error)
{
    LPSTR text = NULL;
    if (FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                           FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_MAX_WIDTH_MASK,
                       NULL, error, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), (LPSTR)&text, 0,
                       NULL) == 0) {
        printf("%s failed with error %lu\n", what, (unsigned long)error);
        return;
    }
    printf("%s failed with error %lu: %s\n", what, (unsigned long)error, text);
    LocalFree(text);
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET SendSocket = INVALID_SOCKET;
    struct addrinfo *result = NULL, *ptr, hints;
    char *sendbuf;
    size_t len;
    int iResult, i, count = 3, failures = 0;
    DWORD started;

    if (argc < 3) {
        printf("usage: %s host port [count]\n", argv[0]);
        return 1;
    }
    if (argc > 3)
        count = atoi(argv[3]);

    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }

    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    iResult = getaddrinfo(argv[1], argv[2], &hints, &result);
    if (iResult != 0) {
        PrintError("getaddrinfo", (DWORD)iResult);
        WSACleanup();
        return 1;
    }

    /* The first address a socket can be made for. */
    for (ptr = result; ptr != NULL; ptr = ptr->ai_next) {
        SendSocket = socket(ptr->ai_family, ptr->ai_socktype, ptr->ai_protocol);
        if (SendSocket != INVALID_SOCKET)
            break;
    }
    if (SendSocket == INVALID_SOCKET) {
        PrintError("socket", WSAGetLastError());
        freeaddrinfo(result);
        WSACleanup();
        return 1;
    }

    sendbuf = (char *)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, DEFAULT_BUFLEN);
    if (sendbuf == NULL) {
        printf("HeapAlloc failed\n");
        closesocket(SendSocket);
        freeaddrinfo(result);
        WSACleanup();
        return 1;
    }

    started = GetTickCount();
    for (i = 1; i <= count + 1; i++) {
        if (i <= count)
            StringCchPrintfA(sendbuf, DEFAULT_BUFLEN, "datagram %d of %d from process %lu", i,
                             count, (unsigned long)GetCurrentProcessId());
        else
            StringCchCopyA(sendbuf, DEFAULT_BUFLEN, "quit");
        StringCchLengthA(sendbuf, DEFAULT_BUFLEN, &len);
        iResult = sendto(SendSocket, sendbuf, (int)len, 0, ptr->ai_addr, (int)ptr->ai_addrlen);
        if (iResult == SOCKET_ERROR) {
            PrintError("sendto", WSAGetLastError());
            failures++;
        }
    }
    printf("sent %d datagrams in %lu ms\n", count + 1 - failures,
           (unsigned long)(GetTickCount() - started));

    HeapFree(GetProcessHeap(), 0, sendbuf);
    freeaddrinfo(result);
    if (closesocket(SendSocket) == SOCKET_ERROR)
        PrintError("closesocket", WSAGetLastError());
    WSACleanup();
    return failures == 0 ? 0 : 1;
}
