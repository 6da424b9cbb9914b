/* tutorial_overlapped: a UDP sender with overlapped I/O, written the way
 * Microsoft's WSASendTo sample and "Synchronization and Overlapped Input
 * and Output" write it: a socket made with WSA_FLAG_OVERLAPPED, one
 * OVERLAPPED per send with a manual-reset event from CreateEvent,
 * WSASendTo returning 0 or WSA_IO_PENDING, WaitForMultipleObjects on the
 * events, and each completion read with GetOverlappedResult on the socket
 * handle.
 *
 *   tutorial_overlapped HOST PORT [COUNT]
 *
 * Sends COUNT datagrams (default 3, at most MAXIMUM_WAIT_OBJECTS - 1)
 * "overlapped send i of COUNT", then "quit", all in flight together;
 * prints each completion's byte count and exits 0 when all succeeded.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/tutorial_overlapped.c \
 *      $(pkg-config --cflags --libs ws2_32) -o tutorial_overlapped
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <strsafe.h>
#include <stdio.h>
#include <stdlib.h>

#pragma comment(lib, "Ws2_32.lib")

#define TEXT_LEN 64

/* One send in flight: its OVERLAPPED, buffer and text live until it is done. */
typedef struct _SEND_CONTEXT {
    OVERLAPPED Overlapped;
    WSABUF DataBuf;
    char Text[TEXT_LEN];
} SEND_CONTEXT, *PSEND_CONTEXT;

/* Prints "<what> failed with error N: <system text>". */
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
    SOCKET SendSocket;
    struct addrinfo *result = NULL, hints;
    PSEND_CONTEXT sends;
    HANDLE events[MAXIMUM_WAIT_OBJECTS];
    DWORD dwBytes, dwFlags = 0, dwWait;
    size_t len;
    int iResult, i, total, count = 3, failures = 0;

    if (argc < 3) {
        printf("usage: %s host port [count]\n", argv[0]);
        return 1;
    }
    if (argc > 3)
        count = atoi(argv[3]);
    if (count < 0 || count > MAXIMUM_WAIT_OBJECTS - 1) {
        printf("count must be between 0 and %d\n", MAXIMUM_WAIT_OBJECTS - 1);
        return 1;
    }
    total = count + 1;

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

    SendSocket = WSASocket(result->ai_family, result->ai_socktype, result->ai_protocol, NULL, 0,
                           WSA_FLAG_OVERLAPPED);
    if (SendSocket == INVALID_SOCKET) {
        PrintError("WSASocket", WSAGetLastError());
        freeaddrinfo(result);
        WSACleanup();
        return 1;
    }

    sends = (PSEND_CONTEXT)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY,
                                     sizeof(SEND_CONTEXT) * (SIZE_T)total);
    if (sends == NULL) {
        printf("HeapAlloc failed\n");
        closesocket(SendSocket);
        freeaddrinfo(result);
        WSACleanup();
        return 1;
    }

    /* Start every send: each completes at once or later (WSA_IO_PENDING);
     * either way its event is set when it is done. */
    for (i = 0; i < total; i++) {
        PSEND_CONTEXT ctx = &sends[i];
        ctx->Overlapped.hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
        if (ctx->Overlapped.hEvent == NULL) {
            PrintError("CreateEvent", GetLastError());
            return 1;
        }
        events[i] = ctx->Overlapped.hEvent;
        if (i < count)
            StringCchPrintfA(ctx->Text, TEXT_LEN, "overlapped send %d of %d", i + 1, count);
        else
            StringCchCopyA(ctx->Text, TEXT_LEN, "quit");
        StringCchLengthA(ctx->Text, TEXT_LEN, &len);
        ctx->DataBuf.buf = ctx->Text;
        ctx->DataBuf.len = (ULONG)len;
        iResult = WSASendTo(SendSocket, &ctx->DataBuf, 1, NULL, dwFlags, result->ai_addr,
                            (int)result->ai_addrlen, (LPWSAOVERLAPPED)&ctx->Overlapped, NULL);
        if (iResult == SOCKET_ERROR && WSAGetLastError() != WSA_IO_PENDING) {
            PrintError("WSASendTo", WSAGetLastError());
            return 1;
        }
    }

    /* Wait until all are done, then read each result. */
    dwWait = WaitForMultipleObjects((DWORD)total, events, TRUE, 10000);
    if (dwWait != WAIT_OBJECT_0) {
        if (dwWait == WAIT_FAILED)
            PrintError("WaitForMultipleObjects", GetLastError());
        else
            printf("the sends did not complete in time\n");
        failures++;
    }
    for (i = 0; i < total; i++) {
        PSEND_CONTEXT ctx = &sends[i];
        if (!HasOverlappedIoCompleted(&ctx->Overlapped)) {
            CancelIoEx((HANDLE)SendSocket, &ctx->Overlapped);
        }
        if (!GetOverlappedResult((HANDLE)SendSocket, &ctx->Overlapped, &dwBytes, TRUE)) {
            PrintError("GetOverlappedResult", GetLastError());
            failures++;
        } else {
            printf("send %d completed: %lu bytes\n", i + 1, (unsigned long)dwBytes);
        }
        CloseHandle(ctx->Overlapped.hEvent);
    }

    HeapFree(GetProcessHeap(), 0, sends);
    closesocket(SendSocket);
    freeaddrinfo(result);
    WSACleanup();
    printf("%d of %d sends succeeded\n", total - failures, total);
    return failures == 0 ? 0 : 1;
}
