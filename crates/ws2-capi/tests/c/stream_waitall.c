/* An overlapped WSARecv with MSG_WAITALL on a stream (SPEC P8): Microsoft's
 * WSARecv page says the request completes only when the buffer is full,
 * the connection is closed, the request is cancelled or an error occurs
 * (Wine's sock.c has no overlapped MSG_WAITALL case). With a port, events
 * and WSAGetOverlappedResult; every completion counted here, by the
 * caller. Where Windows' answer is not recorded (the bytes a cancelled
 * one reports), the check says it is ws2's. */
#include "ov_common.h"
#include "stream_common.h"

static void port_is_empty(HANDLE port, DWORD ms)
{
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got = (OVERLAPPED *)1;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, ms));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(got == NULL);
}

static BOOL next_packet(HANDLE port, WSAOVERLAPPED *want, DWORD *bytes)
{
    ULONG_PTR key;
    OVERLAPPED *got = NULL;
    SetLastError(0xdeadbeef);
    BOOL ok = GetQueuedCompletionStatus(port, bytes, &key, &got, 5000);
    if (got == NULL) FAIL("no packet within 5 s");
    CHECK(got == (OVERLAPPED *)want);
    CHECK_EQ(key, 9);
    return ok;
}

int main(void)
{
    startup();
    SOCKET client, server;
    tcp_pair(&client, &server);
    HANDLE port = CreateIoCompletionPort((HANDLE)server, NULL, 9, 0);
    char buf[16], buf2[8];
    WSABUF w = {sizeof buf, buf};
    WSAOVERLAPPED ov, ov2;
    DWORD flags, bytes;

    /* Pending until full: 5 bytes do not complete it, 11 more do. */
    memset(&ov, 0, sizeof ov);
    flags = MSG_WAITALL;
    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL));
    CHECK_EQ(flags, 0);
    CHECK_EQ(send(client, "01234", 5, 0), 5);
    port_is_empty(port, 200);
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
    CHECK_EQ(send(client, "56789abcdefXYZ", 14, 0), 14);
    CHECK(next_packet(port, &ov, &bytes));
    CHECK_EQ(bytes, 16);
    CHECK(memcmp(buf, "0123456789abcdef", 16) == 0);
    port_is_empty(port, 50);

    /* The rest (3 bytes) and 13 more already there: done at the call
     * (0, the count, and still a packet). */
    CHECK_EQ(send(client, "ghijklmnopqrs", 13, 0), 13);
    Sleep(50);
    memset(&ov, 0, sizeof ov);
    flags = MSG_WAITALL;
    bytes = 0;
    CHECK_OK(WSARecv(server, &w, 1, &bytes, &flags, &ov, NULL));
    CHECK_EQ(bytes, 16);
    CHECK(memcmp(buf, "XYZghijklmnopqrs", 16) == 0);
    CHECK(next_packet(port, &ov, &bytes));
    CHECK_EQ(bytes, 16);

    /* Posting order: a MSG_WAITALL receive of 8, then a plain one; 12
     * bytes fill the first and give the second the other 4. */
    memset(&ov, 0, sizeof ov);
    memset(&ov2, 0, sizeof ov2);
    WSABUF w8 = {8, buf2};
    flags = MSG_WAITALL;
    CHECK_PENDING(WSARecv(server, &w8, 1, NULL, &flags, &ov, NULL));
    flags = 0;
    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ov2, NULL));
    CHECK_EQ(send(client, "ABCDEF", 6, 0), 6);
    port_is_empty(port, 100);
    CHECK_EQ(send(client, "GHIJKL", 6, 0), 6);
    CHECK(next_packet(port, &ov, &bytes));
    CHECK_EQ(bytes, 8);
    CHECK(memcmp(buf2, "ABCDEFGH", 8) == 0);
    CHECK(next_packet(port, &ov2, &bytes));
    CHECK_EQ(bytes, 4);
    CHECK(memcmp(buf, "IJKL", 4) == 0);

    /* Cancelled with 6 bytes in: STATUS_CANCELLED; InternalHigh tells the
     * 6 bytes the buffer holds (ws2's answer). */
    memset(&ov, 0, sizeof ov);
    flags = MSG_WAITALL;
    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL));
    CHECK_EQ(send(client, "cancel", 6, 0), 6);
    port_is_empty(port, 100);
    CHECK(CancelIoEx((HANDLE)server, (LPOVERLAPPED)&ov));
    CHECK(!next_packet(port, &ov, &bytes));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);
    CHECK_EQ(ov.InternalHigh, 6);
    CHECK(memcmp(buf, "cancel", 6) == 0);

    /* MSG_PEEK or MSG_OOB with it: WSAEOPNOTSUPP, nothing queued. */
    flags = MSG_WAITALL | MSG_PEEK;
    CHECK_ERR(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL), WSAEOPNOTSUPP);
    flags = MSG_WAITALL | MSG_OOB;
    CHECK_ERR(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL), WSAEOPNOTSUPP);
    port_is_empty(port, 50);

    /* The peer's end with 4 bytes in: it completes, with the 4 (an event
     * and WSAGetOverlappedResult this time). */
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    flags = MSG_WAITALL;
    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL));
    CHECK_EQ(send(client, "tail", 4, 0), 4);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 100), WAIT_TIMEOUT);
    CHECK_OK(shutdown(client, SD_SEND));
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
    DWORD got_flags = 0;
    CHECK(WSAGetOverlappedResult(server, &ov, &bytes, FALSE, &got_flags));
    CHECK_EQ(bytes, 4);
    CHECK(memcmp(buf, "tail", 4) == 0);
    CHECK(next_packet(port, &ov, &bytes));
    WSACloseEvent(ov.hEvent);
    closesocket(client);
    closesocket(server);

    /* A reset with 3 bytes in: it completes with the 3; the next receive
     * reports the reset. */
    tcp_pair(&client, &server);
    CHECK(CreateIoCompletionPort((HANDLE)server, port, 9, 0) == port);
    memset(&ov, 0, sizeof ov);
    flags = MSG_WAITALL;
    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL));
    CHECK_EQ(send(client, "abc", 3, 0), 3);
    port_is_empty(port, 100);
    LINGER l = {1, 0};
    CHECK_OK(setsockopt(client, SOL_SOCKET, SO_LINGER, (char *)&l, sizeof l));
    CHECK_OK(closesocket(client));
    CHECK(next_packet(port, &ov, &bytes));
    CHECK_EQ(bytes, 3);
    CHECK(memcmp(buf, "abc", 3) == 0);
    flags = MSG_WAITALL;
    CHECK_ERR(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL), WSAECONNRESET);
    port_is_empty(port, 50);
    closesocket(server);
    CloseHandle(port);
    WSACleanup();
    printf("stream_waitall: ok\n");
    return 0;
}
