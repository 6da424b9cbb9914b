/* name_client: a UDP client that resolves a host name with getaddrinfo,
 * written the way Microsoft's Winsock samples are (wspiapi.h included, as
 * their older samples do).
 *
 *   name_client HOST PORT [MESSAGE]
 *
 * getaddrinfo(HOST, PORT) with AF_UNSPEC gives every address of HOST, IPv6
 * and IPv4; the client tries them in order: it connects a UDP socket,
 * sends MESSAGE and waits up to 3 s for the echo. The first address that
 * answers wins; each attempt is printed with WSAAddressToString. Exits 0
 * when an echo came back.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/name_client.c $(pkg-config --cflags --libs ws2_32) \
 *      -o name_client
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <wspiapi.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_BUFLEN 512
#define REPLY_TIMEOUT_MS 3000

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET ConnectSocket = INVALID_SOCKET;
    struct addrinfo *result = NULL, *ptr = NULL, hints;
    const char *sendbuf = argc > 3 ? argv[3] : "this is a test";
    char recvbuf[DEFAULT_BUFLEN];
    char text[INET6_ADDRSTRLEN];
    DWORD textlen, timeout = REPLY_TIMEOUT_MS;
    int iResult, answered = 0;

    // Validate the parameters
    if (argc < 3 || argc > 4) {
        printf("usage: %s server-name port [message]\n", argv[0]);
        return 1;
    }

    // Initialize Winsock
    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }

    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;

    // Resolve the server address and port
    iResult = getaddrinfo(argv[1], argv[2], &hints, &result);
    if (iResult != 0) {
        printf("getaddrinfo failed with error: %d (%s)\n", iResult, gai_strerror(iResult));
        WSACleanup();
        return 1;
    }

    // Attempt each address until one answers
    for (ptr = result; ptr != NULL && !answered; ptr = ptr->ai_next) {
        textlen = sizeof(text);
        if (WSAAddressToString(ptr->ai_addr, (DWORD)ptr->ai_addrlen, NULL, text, &textlen) != 0)
            strcpy(text, "?");

        ConnectSocket = socket(ptr->ai_family, ptr->ai_socktype, ptr->ai_protocol);
        if (ConnectSocket == INVALID_SOCKET) {
            printf("socket failed with error: %d\n", WSAGetLastError());
            freeaddrinfo(result);
            WSACleanup();
            return 1;
        }
        setsockopt(ConnectSocket, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout,
                   sizeof(timeout));

        iResult = connect(ConnectSocket, ptr->ai_addr, (int)ptr->ai_addrlen);
        if (iResult != SOCKET_ERROR)
            iResult = send(ConnectSocket, sendbuf, (int)strlen(sendbuf), 0);
        if (iResult != SOCKET_ERROR)
            iResult = recv(ConnectSocket, recvbuf, DEFAULT_BUFLEN - 1, 0);
        if (iResult == SOCKET_ERROR) {
            printf("%s: no echo (error %d)\n", text, WSAGetLastError());
        } else {
            recvbuf[iResult] = '\0';
            printf("%s echoed %d bytes: %s\n", text, iResult, recvbuf);
            answered = 1;
        }
        closesocket(ConnectSocket);
    }

    freeaddrinfo(result);
    WSACleanup();
    return answered ? 0 : 1;
}
