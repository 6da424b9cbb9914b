/* tutorial_receiver: a UDP receiver written the way Microsoft's Winsock
 * tutorials write one ("Getting started with Winsock", the recvfrom
 * sample): <windows.h> first, #pragma comment(lib, ...), getaddrinfo with
 * AI_PASSIVE, a HeapAlloc'd buffer, FormatMessage for error text,
 * StringCchPrintf, _stricmp and QueryPerformanceCounter.
 *
 *   tutorial_receiver PORT [COUNT]
 *
 * Binds 127.0.0.1:PORT (PORT 0: a port the system picks), prints
 * "listening on port N", then prints each datagram until COUNT datagrams
 * (default 10) or one saying "quit" arrived, and exits 0. A receive that
 * waits longer than 10 seconds ends it with the error's text (exit 1).
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/tutorial_receiver.c \
 *      $(pkg-config --cflags --libs ws2_32) -o tutorial_receiver
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <strsafe.h>
#include <stdio.h>
#include <stdlib.h>

#pragma comment(lib, "Ws2_32.lib")

#define DEFAULT_BUFLEN 1500

/* Prints "<what> failed with error N: <system text>". */
static void PrintError(LPCSTR what, DWORD error)
{
    LPSTR text = NULL;
    DWORD len = FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                   FORMAT_MESSAGE_IGNORE_INSERTS,
                               NULL, error, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT),
                               (LPSTR)&text, 0, NULL);
    if (len == 0) {
        printf("%s failed with error %lu\n", what, (unsigned long)error);
        return;
    }
    /* System messages end with "\r\n". */
    while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == '\n'))
        text[--len] = '\0';
    printf("%s failed with error %lu: %s\n", what, (unsigned long)error, text);
    LocalFree(text);
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET ListenSocket = INVALID_SOCKET;
    struct addrinfo *result = NULL, hints;
    SOCKADDR_IN bound, from;
    int boundLen = sizeof(bound), fromLen;
    char *recvbuf = NULL;
    char line[256], addr[INET_ADDRSTRLEN];
    DWORD timeout = 10000;
    LARGE_INTEGER freq, start, now;
    int iResult, count = 10, received = 0;

    if (argc < 2) {
        printf("usage: %s port [count]\n", argv[0]);
        return 1;
    }
    if (argc > 2)
        count = atoi(argv[2]);

    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }

    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    hints.ai_flags = AI_PASSIVE;
    iResult = getaddrinfo("127.0.0.1", argv[1], &hints, &result);
    if (iResult != 0) {
        PrintError("getaddrinfo", (DWORD)iResult);
        WSACleanup();
        return 1;
    }

    ListenSocket = socket(result->ai_family, result->ai_socktype, result->ai_protocol);
    if (ListenSocket == INVALID_SOCKET) {
        PrintError("socket", WSAGetLastError());
        freeaddrinfo(result);
        WSACleanup();
        return 1;
    }
    iResult = bind(ListenSocket, result->ai_addr, (int)result->ai_addrlen);
    freeaddrinfo(result);
    if (iResult == SOCKET_ERROR) {
        PrintError("bind", WSAGetLastError());
        closesocket(ListenSocket);
        WSACleanup();
        return 1;
    }
    setsockopt(ListenSocket, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof(timeout));
    getsockname(ListenSocket, (SOCKADDR *)&bound, &boundLen);
    printf("listening on port %u\n", ntohs(bound.sin_port));
    fflush(stdout);

    recvbuf = (char *)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, DEFAULT_BUFLEN + 1);
    if (recvbuf == NULL) {
        printf("HeapAlloc failed\n");
        closesocket(ListenSocket);
        WSACleanup();
        return 1;
    }

    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&start);
    while (received < count) {
        fromLen = sizeof(from);
        iResult = recvfrom(ListenSocket, recvbuf, DEFAULT_BUFLEN, 0, (SOCKADDR *)&from, &fromLen);
        if (iResult == SOCKET_ERROR) {
            PrintError("recvfrom", WSAGetLastError());
            break;
        }
        recvbuf[iResult] = '\0';
        received++;
        QueryPerformanceCounter(&now);
        inet_ntop(AF_INET, &from.sin_addr, addr, sizeof(addr));
        StringCchPrintfA(line, ARRAYSIZE(line), "%d bytes from %s:%u after %lld ms: %s", iResult,
                         addr, ntohs(from.sin_port),
                         (now.QuadPart - start.QuadPart) * 1000 / freq.QuadPart, recvbuf);
        printf("%s\n", line);
        fflush(stdout);
        if (_stricmp(recvbuf, "quit") == 0)
            break;
    }

    HeapFree(GetProcessHeap(), 0, recvbuf);
    closesocket(ListenSocket);
    WSACleanup();
    printf("received %d datagrams\n", received);
    return received > 0 && iResult != SOCKET_ERROR ? 0 : 1;
}
