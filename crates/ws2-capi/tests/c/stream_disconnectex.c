/* DisconnectEx through WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) (SPEC
 * P8, part 2, item 2), as Windows answers (research-streams.md B10, B11,
 * D12, from Wine's Windows-run sock.c: test_DisconnectEx,
 * test_shutdown_completion_port): a half close like shutdown(SD_SEND),
 * overlapped or not, its packets. TF_REUSE_SOCKET: stream_reuse.c. */
#include "ov_common.h"
#include "stream_common.h"

#include <mswsock.h>

static LPFN_DISCONNECTEX pDisconnectEx;

static void port_is_empty(HANDLE port)
{
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got = (OVERLAPPED *)1;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 50));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(got == NULL);
}

int main(void)
{
    startup();
    SOCKET lone = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    GUID g = WSAID_DISCONNECTEX;
    DWORD size;
    CHECK_OK(WSAIoctl(lone, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof g, &pDisconnectEx,
                      sizeof pDisconnectEx, &size, NULL, NULL));
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);

    WSASetLastError(0xdeadbeef);
    CHECK(!pDisconnectEx(INVALID_SOCKET, &ov, 0, 0));
    CHECK_EQ(WSAGetLastError(), WSAENOTSOCK);
    CHECK(!pDisconnectEx(lone, &ov, 0, 0));
    CHECK_EQ(WSAGetLastError(), WSAENOTCONN);
    closesocket(lone);

    /* Overlapped: pending, then TRUE with 0 bytes; a half close. */
    SOCKET client, server;
    tcp_pair(&client, &server);
    CHECK(!pDisconnectEx(client, &ov, 0, 1));
    CHECK_EQ(WSAGetLastError(), WSAEINVAL); /* dwReserved */
    CHECK(!pDisconnectEx(client, &ov, TF_DISCONNECT, 0));
    CHECK_EQ(WSAGetLastError(), WSAEINVAL);
    CHECK(!pDisconnectEx(client, &ov, TF_DISCONNECT | TF_REUSE_SOCKET, 0));
    CHECK_EQ(WSAGetLastError(), WSAEINVAL);
    CHECK(!pDisconnectEx(client, &ov, 0, 0));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 1000), WAIT_OBJECT_0);
    DWORD n = 0xdeadbeef;
    CHECK(GetOverlappedResult((HANDLE)client, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(n, 0);
    SOCKADDR_IN a;
    int len = sizeof a;
    CHECK_OK(getpeername(client, (SOCKADDR *)&a, &len));
    CHECK_ERR(connect(client, (SOCKADDR *)&a, sizeof a), WSAEISCONN);
    CHECK_ERR(send(client, "x", 1, 0), WSAESHUTDOWN);
    char buf[8];
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 0); /* the FIN */
    CHECK_EQ(send(server, "hello", 5, 0), 5);
    RECV_EXACTLY(client, buf, 5); /* still receiving */
    CHECK(memcmp(buf, "hello", 5) == 0);
    /* Without an OVERLAPPED: TRUE, last error 0, and again. */
    WSASetLastError(0xdeadbeef);
    CHECK(pDisconnectEx(client, NULL, 0, 0));
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK(pDisconnectEx(client, NULL, 0, 0));
    closesocket(client);
    closesocket(server);

    /* test_shutdown_completion_port: a packet for the overlapped one (also
     * with skip-on-success: it pended), none without an OVERLAPPED or with
     * hEvent's low bit; shutdown queues none. */
    for (int mode = 0; mode < 4; mode++) {
        tcp_pair(&client, &server);
        HANDLE port = CreateIoCompletionPort((HANDLE)client, NULL, 0, 0);
        CHECK(SetFileCompletionNotificationModes((HANDLE)client,
                                                 FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
        ResetEvent(ov.hEvent);
        HANDLE saved = ov.hEvent;
        if (mode == 0) {
            CHECK(!pDisconnectEx(client, &ov, 0, 0));
            CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
            CHECK(GetOverlappedResult((HANDLE)client, (LPOVERLAPPED)&ov, &n, TRUE));
            DWORD bytes = 0xdeadbeef;
            ULONG_PTR key = 0xdeadbeef;
            OVERLAPPED *got = NULL;
            CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 1000));
            CHECK(got == (OVERLAPPED *)&ov);
            CHECK_EQ(bytes, 0);
            CHECK_EQ(key, 0);
        } else if (mode == 1) {
            WSASetLastError(0xdeadbeef);
            CHECK(pDisconnectEx(client, NULL, 0, 0));
            CHECK_EQ(WSAGetLastError(), 0);
        } else if (mode == 2) {
            ov.hEvent = (HANDLE)((ULONG_PTR)ov.hEvent | 1);
            CHECK(!pDisconnectEx(client, &ov, 0, 0));
            CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
            CHECK_EQ(WaitForSingleObject(saved, 1000), WAIT_OBJECT_0);
            ov.hEvent = saved;
        } else {
            CHECK_OK(shutdown(client, SD_SEND));
        }
        port_is_empty(port);
        closesocket(client);
        closesocket(server);
        CloseHandle(port);
    }
    CloseHandle(ov.hEvent);
    WSACleanup();
    printf("stream_disconnectex: ok\n");
    return 0;
}
