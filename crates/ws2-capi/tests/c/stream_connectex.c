/* ConnectEx and SO_UPDATE_CONNECT_CONTEXT through
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) (SPEC P8, part 2, item 2),
 * with events and completion ports, as Windows answers (research-streams.md
 * B8, B9, D8, D10, from Wine's Windows-run sock.c: test_connect,
 * test_connect_completion_port). Completions are counted by the caller. */
#include "ov_common.h"
#include "stream_common.h"

#include <mswsock.h>

static LPFN_CONNECTEX pConnectEx;

static SOCKET tcp_socket(void)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK(s != INVALID_SOCKET);
    return s;
}

static SOCKET bound_socket(void)
{
    SOCKET s = tcp_socket();
    SOCKADDR_IN a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_OK(bind(s, (SOCKADDR *)&a, sizeof a));
    return s;
}

#define CHECK_CONNECTEX_FAILS(call, ov, code)                                          \
    do {                                                                               \
        (ov).Internal = 0xdeadbeef;                                                    \
        WSASetLastError(0xdeadbeef);                                                   \
        CHECK(!(call));                                                                \
        CHECK_EQ(WSAGetLastError(), (code));                                           \
        CHECK_HEX_EQ((ov).Internal, STATUS_PENDING);                                   \
    } while (0)

/* test_connect: the checks in its order, a ConnectEx without and with
 * send data (copied at the call: the caller clears its buffer right
 * after), the connected socket's answers before and after
 * SO_UPDATE_CONNECT_CONTEXT, a refusal (ERROR_CONNECTION_REFUSED,
 * WSAECONNREFUSED) after which the socket connects again. */
static void connectex_checks_and_connects(void)
{
    SOCKADDR_IN bound;
    SOCKET listener = tcp_listener("127.0.0.1", &bound);
    SOCKET connector = tcp_socket();
    GUID g = WSAID_CONNECTEX;
    DWORD size = 0;
    CHECK_OK(WSAIoctl(connector, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof g, &pConnectEx,
                      sizeof pConnectEx, &size, NULL, NULL));
    CHECK_EQ(size, sizeof pConnectEx);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEvent(NULL, FALSE, FALSE, NULL);
    DWORD bytes = 0xdeadbeef;

    CHECK_CONNECTEX_FAILS(pConnectEx(listener, (SOCKADDR *)&bound, sizeof bound, NULL, 0, &bytes, &ov),
                          ov, WSAEINVAL);
    WSASetLastError(0xdeadbeef);
    CHECK(!pConnectEx(INVALID_SOCKET, (SOCKADDR *)&bound, sizeof bound, NULL, 0, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), WSAENOTSOCK);
    CHECK_CONNECTEX_FAILS(pConnectEx(connector, (SOCKADDR *)&bound, sizeof bound, NULL, 0, &bytes, &ov),
                          ov, WSAEINVAL); /* unbound */
    closesocket(connector);
    connector = bound_socket();
    SetLastError(0xdeadbeef);
    CHECK(!pConnectEx(connector, (SOCKADDR *)&bound, sizeof bound, NULL, 0, &bytes, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    CHECK(!pConnectEx(connector, (SOCKADDR *)&bound, sizeof bound, NULL, 0, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    CHECK_EQ(bytes, 0xdeadbeef);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 15000), WAIT_OBJECT_0);
    DWORD n = 0xdeadbeef;
    CHECK(GetOverlappedResult((HANDLE)connector, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(n, 0);
    SOCKET accepted = accept(listener, NULL, NULL);
    CHECK(accepted != INVALID_SOCKET);
    CHECK_CONNECTEX_FAILS(pConnectEx(connector, (SOCKADDR *)&bound, sizeof bound, NULL, 0, &bytes, &ov),
                          ov, WSAEISCONN);
    CHECK_CONNECTEX_FAILS(pConnectEx(accepted, (SOCKADDR *)&bound, sizeof bound, NULL, 0, &bytes, &ov),
                          ov, WSAEISCONN);
    CHECK_ERR(connect(connector, (SOCKADDR *)&bound, sizeof bound), WSAEINVAL);
    CHECK_OK(setsockopt(connector, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0));
    CHECK_ERR(connect(connector, (SOCKADDR *)&bound, sizeof bound), WSAEISCONN);
    SOCKADDR_IN peer;
    int len = sizeof peer;
    CHECK_OK(getpeername(connector, (SOCKADDR *)&peer, &len));
    CHECK_EQ(peer.sin_port, bound.sin_port);
    CHECK_EQ(send(connector, "abc", 3, 0), 3);
    char got[8];
    RECV_EXACTLY(accepted, got, 3);
    closesocket(accepted);
    closesocket(connector);

    /* With send data, cleared by the caller right after the call. */
    connector = bound_socket();
    char data[4] = "123";
    CHECK(!pConnectEx(connector, (SOCKADDR *)&bound, sizeof bound, data, 3, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    memset(data, 0, sizeof data);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 15000), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult((HANDLE)connector, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(n, 3);
    accepted = accept(listener, NULL, NULL);
    CHECK(accepted != INVALID_SOCKET);
    RECV_EXACTLY(accepted, got, 3);
    CHECK(memcmp(got, "123", 3) == 0);
    closesocket(accepted);
    closesocket(connector);

    /* Refused: a port nobody listens on. */
    SOCKADDR_IN closed_port;
    SOCKET gone = tcp_listener("127.0.0.1", &closed_port);
    closesocket(gone);
    connector = bound_socket();
    CHECK(!pConnectEx(connector, (SOCKADDR *)&closed_port, sizeof closed_port, NULL, 0, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 15000), WAIT_OBJECT_0);
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult((HANDLE)connector, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(GetLastError(), ERROR_CONNECTION_REFUSED);
    CHECK_HEX_EQ(ov.Internal, STATUS_CONNECTION_REFUSED);
    DWORD flags;
    CHECK(!WSAGetOverlappedResult(connector, &ov, &n, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAECONNREFUSED);
    /* The same socket may connect again (the doc). */
    CHECK(!pConnectEx(connector, (SOCKADDR *)&bound, sizeof bound, NULL, 0, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 15000), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult((HANDLE)connector, (LPOVERLAPPED)&ov, &n, FALSE));
    accepted = accept(listener, NULL, NULL);
    CHECK(accepted != INVALID_SOCKET);
    closesocket(accepted);
    closesocket(connector);
    closesocket(listener);
    CloseHandle(ov.hEvent);
}

static void port_is_empty(HANDLE port)
{
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got = (OVERLAPPED *)1;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 50));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(got == NULL);
}

/* test_connect_completion_port: a ConnectEx queues a packet (0 bytes, or
 * the bytes sent), also with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (it
 * pended); hEvent's low bit suppresses it; a refusal is FALSE,
 * ERROR_CONNECTION_REFUSED; a plain connect queues nothing. */
static void connectex_through_a_port(void)
{
    SOCKADDR_IN bound;
    SOCKET listener = tcp_listener("127.0.0.1", &bound);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
    DWORD bytes, n;
    ULONG_PTR key;
    OVERLAPPED *got;
    for (int mode = 0; mode < 4; mode++) {
        SOCKET connector = bound_socket();
        HANDLE port = CreateIoCompletionPort((HANDLE)connector, NULL, 0, 0);
        CHECK(port != NULL);
        if (mode == 3)
            CHECK(SetFileCompletionNotificationModes((HANDLE)connector,
                                                     FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
        ResetEvent(ov.hEvent);
        WSAOVERLAPPED *use = &ov;
        HANDLE saved = ov.hEvent;
        if (mode == 2) ov.hEvent = (HANDLE)((ULONG_PTR)ov.hEvent | 1);
        char data[] = "one";
        CHECK(!pConnectEx(connector, (SOCKADDR *)&bound, sizeof bound, mode == 1 ? data : NULL,
                          mode == 1 ? 3 : 0, &bytes, use));
        CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
        CHECK_EQ(WaitForSingleObject(saved, 1000), WAIT_OBJECT_0);
        CHECK(GetOverlappedResult((HANDLE)connector, (LPOVERLAPPED)&ov, &n, FALSE));
        ov.hEvent = saved;
        if (mode == 2) {
            port_is_empty(port);
        } else {
            got = NULL;
            CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 1000));
            CHECK(got == (OVERLAPPED *)&ov);
            CHECK_EQ(key, 0);
            CHECK_EQ(bytes, mode == 1 ? 3 : 0);
            port_is_empty(port);
        }
        SOCKET accepted = accept(listener, NULL, NULL);
        CHECK(accepted != INVALID_SOCKET);
        closesocket(accepted);
        closesocket(connector);
        CloseHandle(port);
    }
    /* Refused, with the skip mode: the failure is queued. */
    SOCKADDR_IN closed_port;
    SOCKET gone = tcp_listener("127.0.0.1", &closed_port);
    closesocket(gone);
    SOCKET connector = bound_socket();
    HANDLE port = CreateIoCompletionPort((HANDLE)connector, NULL, 0, 0);
    CHECK(SetFileCompletionNotificationModes((HANDLE)connector, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    CHECK(!pConnectEx(connector, (SOCKADDR *)&closed_port, sizeof closed_port, NULL, 0, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    got = NULL;
    SetLastError(0xdeadbeef);
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 2000));
    CHECK(got == (OVERLAPPED *)&ov);
    CHECK_EQ(GetLastError(), ERROR_CONNECTION_REFUSED);
    CHECK_EQ(bytes, 0);
    port_is_empty(port);
    closesocket(connector);
    CloseHandle(port);
    /* A plain connect on a port-bound socket queues nothing. */
    connector = tcp_socket();
    port = CreateIoCompletionPort((HANDLE)connector, NULL, 0, 0);
    CHECK_OK(connect(connector, (SOCKADDR *)&bound, sizeof bound));
    port_is_empty(port);
    SOCKET accepted = accept(listener, NULL, NULL);
    closesocket(accepted);
    closesocket(connector);
    CloseHandle(port);
    closesocket(listener);
    CloseHandle(ov.hEvent);
}

/* A ConnectEx closed at once: exactly one packet (its success, or
 * WSA_OPERATION_ABORTED), counted here, 50 rounds. */
static void close_right_after_connectex_completes_once(void)
{
    SOCKADDR_IN bound;
    SOCKET listener = tcp_listener("127.0.0.1", &bound);
    set_blocking(listener, 0);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    for (int round = 0; round < 50; round++) {
        SOCKET connector = bound_socket();
        CHECK(CreateIoCompletionPort((HANDLE)connector, port, 9, 0) == port);
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        DWORD bytes;
        char data[64] = "payload";
        BOOL r = pConnectEx(connector, (SOCKADDR *)&bound, sizeof bound, data, sizeof data, &bytes,
                            &ov);
        CHECK(r || WSAGetLastError() == ERROR_IO_PENDING);
        closesocket(connector);
        OVERLAPPED *got = NULL;
        ULONG_PTR key;
        BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &got, 2000);
        CHECK(got == (OVERLAPPED *)&ov);
        CHECK(ok || GetLastError() == ERROR_OPERATION_ABORTED);
        port_is_empty(port);
        SOCKET a;
        while ((a = accept(listener, NULL, NULL)) != INVALID_SOCKET) closesocket(a);
    }
    CloseHandle(port);
    closesocket(listener);
}

int main(void)
{
    startup();
    connectex_checks_and_connects();
    connectex_through_a_port();
    close_right_after_connectex_completes_once();
    WSACleanup();
    printf("stream_connectex: ok\n");
    return 0;
}
