/* WSAStartup/WSACleanup reference counting and WSANOTINITIALISED; runs in
 * its own process because it calls the final WSACleanup.
 * Clauses: S4 (also S40: WSADATA, S36: ports). */
#include "common.h"

static char data[] = "init";

static int send_to(SOCKET s, LPFN_WSASENDMSG f, SOCKADDR_STORAGE *to, DWORD *sent)
{
    WSABUF b;
    b.buf = data;
    b.len = 4;
    return send_msg(f, s, to, sizeof(SOCKADDR_IN), &b, 1, NULL, 0, sent);
}

int main(void)
{
    DWORD sent;
    SOCKADDR_IN nowhere = addr4("127.0.0.1", 9);

    /* S4: before any WSAStartup every Winsock call fails with WSANOTINITIALISED */
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    CHECK(s == INVALID_SOCKET);
    CHECK_EQ(WSAGetLastError(), WSANOTINITIALISED);
    {
        WSABUF b;
        b.buf = data;
        b.len = 4;
        CHECK_ERR(send_msg(WSASendMsg, (SOCKET)0x1234, &nowhere, sizeof nowhere, &b, 1, NULL, 0,
                           &sent),
                  WSANOTINITIALISED);
    }
    CHECK_ERR(WSACleanup(), WSANOTINITIALISED);
    /* S4: pure helpers still work */
    CHECK_EQ(htons(0x1234), 0x3412);
    CHECK_EQ(ntohl(htonl(0x01020304)), 0x01020304);
    IN_ADDR ia;
    CHECK_EQ(inet_pton(AF_INET, "1.2.3.4", &ia), 1);
    {
        const unsigned char *p = (const unsigned char *)&ia;
        CHECK(p[0] == 1 && p[1] == 2 && p[2] == 3 && p[3] == 4);
    }

    /* S4 + S40: WSAStartup twice (reference counted), WSADATA filled in */
    WSADATA wsa;
    memset(&wsa, 0, sizeof wsa);
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    CHECK_EQ(wsa.wVersion, MAKEWORD(2, 2));
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);

    SOCKADDR_STORAGE rxaddr;
    SOCKET rx = udp_receiver("127.0.0.1", &rxaddr);
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);

    /* S4: one WSACleanup after two WSAStartups: still usable */
    CHECK_EQ(WSACleanup(), 0);
    CHECK_OK(send_to(s, fn, &rxaddr, &sent));
    CHECK_EQ(sent, 4);
    EXPECT_DGRAM(rx, "init", 4, "127.0.0.1");
    SOCKET s2;
    CHECK_SOCKET(s2 = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_EQ(closesocket(s2), 0);

    /* Events and completion ports are kernel objects on Windows, not
     * Winsock's: the final WSACleanup leaves them working for kernel32's
     * calls (Microsoft's WSACleanup page: it deallocates sockets). */
    WSAEVENT wsa_event = WSACreateEvent();
    CHECK(wsa_event != WSA_INVALID_EVENT);
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    CHECK(event != NULL);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);

    /* S4: the final WSACleanup: every call fails with WSANOTINITIALISED */
    CHECK_EQ(WSACleanup(), 0);
    CHECK(SetEvent(wsa_event));
    CHECK_EQ(WaitForSingleObject(wsa_event, 0), WAIT_OBJECT_0);
    CHECK(SetEvent(event));
    CHECK_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    CHECK(PostQueuedCompletionStatus(port, 7, 42, NULL));
    {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED ov = NULL;
        CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0));
        CHECK(bytes == 7 && key == 42 && ov == NULL);
    }
    CHECK(CloseHandle(wsa_event));
    CHECK(CloseHandle(event));
    CHECK(CloseHandle(port));
    CHECK(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) == INVALID_SOCKET);
    CHECK_EQ(WSAGetLastError(), WSANOTINITIALISED);
    CHECK_ERR(send_to(s, fn, &rxaddr, &sent), WSANOTINITIALISED);
    CHECK_ERR(send_to(s, WSASendMsg, &rxaddr, &sent), WSANOTINITIALISED);
    CHECK_ERR(closesocket(s), WSANOTINITIALISED);
    CHECK_ERR(WSACleanup(), WSANOTINITIALISED);
    CHECK_EQ(htons(1), 0x100);

    /* S4: a new WSAStartup: the handles from before the cleanup are gone */
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    CHECK_ERR(send_to(s, fn, &rxaddr, &sent), WSAENOTSOCK);
    CHECK_ERR(send_to(rx, WSASendMsg, &rxaddr, &sent), WSAENOTSOCK);
    CHECK_ERR(closesocket(s), WSAENOTSOCK);
    CHECK_ERR(closesocket(rx), WSAENOTSOCK);
    /* ... and new sockets work */
    SOCKADDR_STORAGE rx2addr;
    SOCKET rx2 = udp_receiver("127.0.0.1", &rx2addr);
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(send_to(s, WSASendMsg, &rx2addr, &sent));
    EXPECT_DGRAM(rx2, "init", 4, "127.0.0.1");
    CHECK_EQ(closesocket(s), 0);
    CHECK_EQ(closesocket(rx2), 0);
    CHECK_EQ(WSACleanup(), 0);
    printf("not_initialised: ok\n");
    return 0;
}
