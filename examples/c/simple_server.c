/* simple_server: a TCP or UDP echo server, the protocol chosen by a flag,
 * written the way Microsoft's simple Winsock samples (Simples.c) are.
 *
 *   simple_server [-p tcp|udp] [-e port] [-i address] [-n count]
 *
 * -p   the protocol (default tcp)
 * -e   the port to listen on (default 5001; 0: any free port, printed)
 * -i   the local address to bind (default: every address, as AI_PASSIVE
 *      gives it; the first that getaddrinfo returns is used)
 * -n   serve this many clients (TCP) or datagrams (UDP), then exit 0
 *      (default: for ever)
 *
 * TCP: each accepted client is echoed until it shuts down its side, then
 * closed. UDP: each datagram goes back to its sender. Every peer is
 * printed with WSAAddressToString.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/simple_server.c $(pkg-config --cflags --libs ws2_32) \
 *      -o simple_server
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
#define DEFAULT_BUFLEN 1024

static void Usage(const char *progname)
{
    fprintf(stderr, "usage: %s [-p tcp|udp] [-e port] [-i address] [-n count]\n", progname);
    exit(1);
}

static void PrintAddress(const char *what, SOCKADDR *addr, int addrlen)
{
    char text[INET6_ADDRSTRLEN + 16];
    DWORD textlen = sizeof(text);
    if (WSAAddressToString(addr, (DWORD)addrlen, NULL, text, &textlen) != 0)
        strcpy(text, "?");
    printf("%s %s\n", what, text);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET ListenSocket = INVALID_SOCKET, ClientSocket;
    struct addrinfo *result = NULL, hints;
    const char *port = DEFAULT_PORT, *address = NULL;
    int socktype = SOCK_STREAM, count = -1, served = 0, i, iResult;
    char recvbuf[DEFAULT_BUFLEN];
    SOCKADDR_STORAGE from;
    int fromlen;

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
        case 'e': port = argv[++i]; break;
        case 'i': address = argv[++i]; break;
        case 'n': count = atoi(argv[++i]); break;
        default: Usage(argv[0]);
        }
    }

    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }

    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    hints.ai_flags = AI_PASSIVE;
    iResult = getaddrinfo(address, port, &hints, &result);
    if (iResult != 0) {
        printf("getaddrinfo failed with error: %d\n", iResult);
        WSACleanup();
        return 1;
    }

    ListenSocket = socket(result->ai_family, result->ai_socktype, result->ai_protocol);
    if (ListenSocket == INVALID_SOCKET) {
        printf("socket failed with error: %d\n", WSAGetLastError());
        freeaddrinfo(result);
        WSACleanup();
        return 1;
    }
    if (bind(ListenSocket, result->ai_addr, (int)result->ai_addrlen) == SOCKET_ERROR) {
        printf("bind failed with error: %d\n", WSAGetLastError());
        freeaddrinfo(result);
        closesocket(ListenSocket);
        WSACleanup();
        return 1;
    }
    freeaddrinfo(result);
    if (socktype == SOCK_STREAM && listen(ListenSocket, SOMAXCONN) == SOCKET_ERROR) {
        printf("listen failed with error: %d\n", WSAGetLastError());
        closesocket(ListenSocket);
        WSACleanup();
        return 1;
    }
    fromlen = sizeof(from);
    getsockname(ListenSocket, (SOCKADDR *)&from, &fromlen);
    PrintAddress(socktype == SOCK_STREAM ? "listening (TCP) on" : "listening (UDP) on",
                 (SOCKADDR *)&from, fromlen);

    while (count < 0 || served < count) {
        if (socktype == SOCK_DGRAM) {
            fromlen = sizeof(from);
            iResult = recvfrom(ListenSocket, recvbuf, DEFAULT_BUFLEN, 0, (SOCKADDR *)&from,
                               &fromlen);
            if (iResult == SOCKET_ERROR) {
                printf("recvfrom failed with error: %d\n", WSAGetLastError());
                break;
            }
            PrintAddress("datagram from", (SOCKADDR *)&from, fromlen);
            if (sendto(ListenSocket, recvbuf, iResult, 0, (SOCKADDR *)&from, fromlen) ==
                SOCKET_ERROR) {
                printf("sendto failed with error: %d\n", WSAGetLastError());
                break;
            }
            served++;
            continue;
        }

        fromlen = sizeof(from);
        ClientSocket = accept(ListenSocket, (SOCKADDR *)&from, &fromlen);
        if (ClientSocket == INVALID_SOCKET) {
            printf("accept failed with error: %d\n", WSAGetLastError());
            break;
        }
        PrintAddress("accepted connection from", (SOCKADDR *)&from, fromlen);
        // Echo until the client shuts down its side of the connection
        do {
            iResult = recv(ClientSocket, recvbuf, DEFAULT_BUFLEN, 0);
            if (iResult > 0) {
                if (send(ClientSocket, recvbuf, iResult, 0) == SOCKET_ERROR) {
                    printf("send failed with error: %d\n", WSAGetLastError());
                    break;
                }
            } else if (iResult == SOCKET_ERROR) {
                printf("recv failed with error: %d\n", WSAGetLastError());
            }
        } while (iResult > 0);
        if (shutdown(ClientSocket, SD_SEND) == SOCKET_ERROR)
            printf("shutdown failed with error: %d\n", WSAGetLastError());
        closesocket(ClientSocket);
        served++;
    }

    closesocket(ListenSocket);
    WSACleanup();
    printf("served %d\n", served);
    return count >= 0 && served == count ? 0 : 1;
}
