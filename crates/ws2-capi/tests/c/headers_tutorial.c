/* Written the way Windows tutorials write it: mixed-case header names,
 * <stdlib.h> after the Winsock headers, u_long with ioctlsocket, a
 * completion port and a completion routine.  Compiled with -c only. */
#include <Windows.h>
#include <WinSock2.h>
#include <WS2tcpip.h>
#include <MSWSock.h>
#include <stdlib.h>
#include <stdio.h>

static void CALLBACK on_sent(DWORD dwError, DWORD cbTransferred,
                             LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
    UNREFERENCED_PARAMETER(lpOverlapped);
    UNREFERENCED_PARAMETER(dwFlags);
    printf("sent %lu bytes, error %lu\n", (unsigned long)cbTransferred, (unsigned long)dwError);
}

int tutorial_main(void);

int tutorial_main(void)
{
    WSADATA wsaData;
    SOCKET sock;
    u_long mode = 1;
    int iResult;
    struct sockaddr_in6 dest;
    sockaddr_in6 copy;
    SOCKADDR_STORAGE ss;
    int sslen = sizeof ss;
    char payload[] = "hello";
    WSABUF wsabuf = { sizeof payload - 1, payload };
    WSAMSG msg;
    char control[WSA_CMSG_SPACE(sizeof(IN6_PKTINFO))];
    WSACMSGHDR *cmsg;
    IN6_PKTINFO *pkt;
    WSAOVERLAPPED ov;
    HANDLE port;
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED done;
    OVERLAPPED_ENTRY entries[4];
    ULONG removed;
    int v6only = 0;

    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed: %d\n", iResult);
        return 1;
    }
    sock = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
    if (sock == INVALID_SOCKET) {
        printf("socket failed with error: %ld\n", (long)WSAGetLastError());
        WSACleanup();
        return 1;
    }
    iResult = ioctlsocket(sock, FIONBIO, &mode);
    if (iResult != NO_ERROR)
        printf("ioctlsocket failed with error: %d\n", iResult);
    setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&v6only, sizeof v6only);

    ZeroMemory(&dest, sizeof dest);
    dest.sin6_family = AF_INET6;
    dest.sin6_port = htons(27015);
    InetPtonA(AF_INET6, "::1", &dest.sin6_addr);
    copy = dest;
    bind(sock, (SOCKADDR *)&copy, sizeof copy);
    getsockname(sock, (SOCKADDR *)&ss, &sslen);

    ZeroMemory(control, sizeof control);
    ZeroMemory(&msg, sizeof msg);
    msg.name = (LPSOCKADDR)&dest;
    msg.namelen = sizeof dest;
    msg.lpBuffers = &wsabuf;
    msg.dwBufferCount = 1;
    msg.Control.buf = control;
    msg.Control.len = sizeof control;
    cmsg = WSA_CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = IPPROTO_IPV6;
    cmsg->cmsg_type = IPV6_PKTINFO;
    cmsg->cmsg_len = WSA_CMSG_LEN(sizeof(IN6_PKTINFO));
    pkt = (IN6_PKTINFO *)WSA_CMSG_DATA(cmsg);
    pkt->ipi6_addr = dest.sin6_addr;
    pkt->ipi6_ifindex = 0;

    ZeroMemory(&ov, sizeof ov);
    if (WSASendMsg(sock, &msg, 0, NULL, &ov, on_sent) == SOCKET_ERROR &&
        WSAGetLastError() != WSA_IO_PENDING) {
        printf("WSASendMsg failed with error: %d\n", WSAGetLastError());
    }
    SleepEx(INFINITE, TRUE);

    port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CreateIoCompletionPort((HANDLE)sock, port, (ULONG_PTR)1, 0);
    SetFileCompletionNotificationModes((HANDLE)sock, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    PostQueuedCompletionStatus(port, 0, 7, NULL);
    if (!GetQueuedCompletionStatus(port, &bytes, &key, &done, 100))
        printf("GQCS: %lu\n", (unsigned long)GetLastError());
    GetQueuedCompletionStatusEx(port, entries, 4, &removed, 0, FALSE);
    CloseHandle(port);

    if (WaitForSingleObjectEx(WSACreateEvent(), 0, TRUE) == WAIT_TIMEOUT)
        Sleep(1);

    closesocket(sock);
    WSACleanup();
    return EXIT_SUCCESS;
}
