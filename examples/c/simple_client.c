/* simple_client: the client of simple_server, TCP or UDP chosen by a flag,
 * written the way Microsoft's simple Winsock samples (Simplec.c) are.
 *
 *   simple_client [-p tcp|udp] [-n server] [-e port] [-l loops] [-b bytes]
 *
 * -p   the protocol (default tcp)
 * -n   the server's name or address (default localhost; every address
 *      getaddrinfo returns is tried in turn until one connects)
 * -e   the server's port (default 5001)
 * -l   how many messages to send (default 3)
 * -b   the size of each message (default 64)
 *
 * Each message is sent and its echo read back and compared. TCP: the
 * client then shuts down its sending side and reads until the server
 * closes. Exits 0 when every echo matched.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/simple_client.c $(pkg-config --cflags --libs ws2_32) \
 *      -o simple_client
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma comment(lib, "Ws2_32.lib")

#define DEFAULT_PORT "5001"
#define MAX_MESSAGE 65000

static void Usage(const char *progname)
{
    fprintf(stderr, "usage: %s [-p tcp|udp] [-n server] [-e port] [-l loops] [-b bytes]\n",
            progname);
    exit(1);
}

// Receives exactly len bytes of a stream (a stream may deliver a message in parts).
static int RecvAll(SOCKET s, char *buf, int len)
{
    int got = 0, n;
    while (got < len) {
        n = recv(s, buf + got, len - got, 0);
        if (n <= 0) return n == 0 ? got : SOCKET_ERROR;
        got += n;
    }
    return got;
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET ConnectSocket = INVALID_SOCKET;
    struct addrinfo *result = NULL, *ptr, hints;
    const char *server = "localhost", *port = DEFAULT_PORT;
    int socktype = SOCK_STREAM, loops = 3, bytes = 64, i, n, iResult, failed = 0;
    DWORD timeout = 5000;
    char *sendbuf, *recvbuf;
    char text[INET6_ADDRSTRLEN + 16];
    DWORD textlen;

    for (i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || argv[i][2] != '\0' || i + 1 >= argc) Usage(argv[0]);
        switch (argv[i][1]) {
        case 'p':
            if (_stricmp(argv[++i], "tcp") == 0)
                socktype = SOCK_STREAM;
            else if (_stricmp(argv[i], "udp") == 0)
                socktype = SOCK_DGRAM;
            else
                Usage(argv[0]);
            break;
        case 'n': server = argv[++i]; break;
        case 'e': port = argv[++i]; break;
        case 'l': loops = atoi(argv[++i]); break;
        case 'b': bytes = atoi(argv[++i]); break;
        default: Usage(argv[0]);
        }
    }
    if (bytes < 16 || bytes > MAX_MESSAGE) Usage(argv[0]);

    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }

    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    iResult = getaddrinfo(server, port, &hints, &result);
    if (iResult != 0) {
        printf("getaddrinfo failed with error: %d\n", iResult);
        WSACleanup();
        return 1;
    }

    // Attempt to connect to an address until one succeeds
    for (ptr = result; ptr != NULL; ptr = ptr->ai_next) {
        ConnectSocket = socket(ptr->ai_family, ptr->ai_socktype, ptr->ai_protocol);
        if (ConnectSocket == INVALID_SOCKET) {
            printf("socket failed with error: %d\n", WSAGetLastError());
            continue;
        }
        textlen = sizeof(text);
        if (WSAAddressToString(ptr->ai_addr, (DWORD)ptr->ai_addrlen, NULL, text, &textlen) != 0)
            strcpy(text, "?");
        if (connect(ConnectSocket, ptr->ai_addr, (int)ptr->ai_addrlen) == SOCKET_ERROR) {
            printf("connect to %s failed with error: %d\n", text, WSAGetLastError());
            closesocket(ConnectSocket);
            ConnectSocket = INVALID_SOCKET;
            continue;
        }
        printf("connected to %s\n", text);
        break;
    }
    freeaddrinfo(result);
    if (ConnectSocket == INVALID_SOCKET) {
        printf("unable to connect to %s port %s\n", server, port);
        WSACleanup();
        return 1;
    }
    setsockopt(ConnectSocket, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof(timeout));

    sendbuf = (char *)malloc((size_t)bytes);
    recvbuf = (char *)malloc((size_t)bytes);
    if (sendbuf == NULL || recvbuf == NULL) {
        printf("out of memory\n");
        return 1;
    }
    for (i = 0; i < loops && !failed; i++) {
        memset(sendbuf, 'a' + i % 26, (size_t)bytes);
        n = snprintf(sendbuf, (size_t)bytes, "message %d of %d", i + 1, loops);
        if (n > 0 && n < bytes) sendbuf[n] = ' ';
        if (send(ConnectSocket, sendbuf, bytes, 0) == SOCKET_ERROR) {
            printf("send failed with error: %d\n", WSAGetLastError());
            failed = 1;
            break;
        }
        if (socktype == SOCK_STREAM)
            n = RecvAll(ConnectSocket, recvbuf, bytes);
        else
            n = recv(ConnectSocket, recvbuf, bytes, 0);
        if (n == SOCKET_ERROR) {
            printf("recv failed with error: %d\n", WSAGetLastError());
            failed = 1;
        } else if (n != bytes || memcmp(sendbuf, recvbuf, (size_t)bytes) != 0) {
            printf("echo %d differs (%d bytes back)\n", i + 1, n);
            failed = 1;
        } else {
            printf("echo %d of %d: %d bytes\n", i + 1, loops, n);
        }
    }

    if (socktype == SOCK_STREAM && !failed) {
        // No more to send: the server sees the end of the stream and closes
        if (shutdown(ConnectSocket, SD_SEND) == SOCKET_ERROR) {
            printf("shutdown failed with error: %d\n", WSAGetLastError());
            failed = 1;
        }
        while ((n = recv(ConnectSocket, recvbuf, bytes, 0)) > 0) {
            printf("unexpected %d bytes after the echoes\n", n);
            failed = 1;
        }
        if (n == SOCKET_ERROR) {
            printf("recv failed with error: %d\n", WSAGetLastError());
            failed = 1;
        }
    }

    free(sendbuf);
    free(recvbuf);
    closesocket(ConnectSocket);
    WSACleanup();
    return failed;
}
