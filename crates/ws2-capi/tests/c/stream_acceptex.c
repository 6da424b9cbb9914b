/* AcceptEx, GetAcceptExSockaddrs and SO_UPDATE_ACCEPT_CONTEXT through
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) (SPEC P8, part 2, item 2),
 * with events and completion ports, as Windows answers (research-streams.md
 * B2, B4-B7, B15, from Wine's Windows-run sock.c: test_get_extension_func,
 * test_AcceptEx, test_completion_port). Completions are counted here, by
 * the caller. */
#include "ov_common.h"
#include "stream_common.h"

#include <mswsock.h>

#define SLOT ((DWORD)sizeof(SOCKADDR_IN) + 16)

static LPFN_ACCEPTEX pAcceptEx;
static LPFN_GETACCEPTEXSOCKADDRS pGetAcceptExSockaddrs;

static void *extension(SOCKET s, GUID guid)
{
    void *fn = NULL;
    DWORD size = 0xdeadbeef;
    WSASetLastError(0xdeadbeef);
    CHECK_OK(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, sizeof fn,
                      &size, NULL, NULL));
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, sizeof fn);
    CHECK(fn != NULL);
    return fn;
}

/* test_get_extension_func: the GUIDs resolve on any TCP socket (even
 * unbound); a NULL lpcbBytesReturned is WSAEFAULT, an unknown GUID
 * WSAEINVAL with nothing queued; with an OVERLAPPED the call returns 0 and
 * queues a 0-byte packet. */
static void extension_functions_resolve(void)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK(s != INVALID_SOCKET);
    pAcceptEx = (LPFN_ACCEPTEX)extension(s, (GUID)WSAID_ACCEPTEX);
    pGetAcceptExSockaddrs =
        (LPFN_GETACCEPTEXSOCKADDRS)extension(s, (GUID)WSAID_GETACCEPTEXSOCKADDRS);
    CHECK(pAcceptEx == AcceptEx); /* mswsock exports it by name too */
    CHECK(pGetAcceptExSockaddrs == GetAcceptExSockaddrs);
    GUID g = WSAID_ACCEPTEX;
    void *fn;
    CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof g, &fn, sizeof fn, NULL,
                       NULL, NULL),
              WSAEFAULT);
    HANDLE port = CreateIoCompletionPort((HANDLE)s, NULL, 123, 0);
    GUID unknown = {0x12345678, 0x1234, 0x1234, {1, 2, 3, 4, 5, 6, 7, 8}};
    DWORD size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &unknown, sizeof unknown, &fn,
                       sizeof fn, &size, NULL, NULL),
              WSAEINVAL);
    CHECK_EQ(size, 0xdeadbeef);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    CHECK_OK(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof g, &fn, sizeof fn, &size,
                      &ov, NULL));
    DWORD bytes = 0xdeadbeef;
    ULONG_PTR key;
    OVERLAPPED *got = NULL;
    CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 1000));
    CHECK_EQ(bytes, 0);
    CHECK_EQ(key, 123);
    CHECK(got == &ov);
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    closesocket(s);
    CloseHandle(port);
}

static SOCKET tcp_socket(void)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK(s != INVALID_SOCKET);
    return s;
}

/* FALSE, the error, and STATUS_PENDING in Internal (Windows writes it even
 * on these synchronous failures, test_AcceptEx). */
#define CHECK_ACCEPTEX_FAILS(call, ov, code)                                           \
    do {                                                                               \
        (ov).Internal = 0xdeadbeef;                                                    \
        WSASetLastError(0xdeadbeef);                                                   \
        CHECK(!(call));                                                                \
        CHECK_EQ(WSAGetLastError(), (code));                                           \
        CHECK_HEX_EQ((ov).Internal, STATUS_PENDING);                                   \
    } while (0)

static int same_addr(const SOCKADDR_IN *a, const SOCKADDR_IN *b)
{
    return a->sin_family == b->sin_family && a->sin_port == b->sin_port &&
           a->sin_addr.s_addr == b->sin_addr.s_addr;
}

static SOCKADDR_IN name_of(SOCKET s)
{
    SOCKADDR_IN a;
    int len = sizeof a;
    CHECK_OK(getsockname(s, (SOCKADDR *)&a, &len));
    CHECK_EQ(len, sizeof a);
    return a;
}

static SOCKET connect_to(const SOCKADDR_IN *a)
{
    SOCKET c = tcp_socket();
    CHECK_OK(connect(c, (const SOCKADDR *)a, sizeof *a));
    return c;
}

/* test_AcceptEx: the argument and state checks in its order, then an
 * AcceptEx without receive data completing when a client connects (0
 * bytes), the accept socket usable after SO_UPDATE_ACCEPT_CONTEXT. */
static void checks_then_accept_without_data(void)
{
    char buffer[1024];
    DWORD bytes = 0xdeadbeef;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEvent(NULL, FALSE, FALSE, NULL);
    SOCKADDR_IN bound;
    SOCKET listener = tcp_socket();
    SOCKADDR_IN any = {0};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_OK(bind(listener, (SOCKADDR *)&any, sizeof any));
    set_blocking(listener, 0);
    SOCKET acceptor = tcp_socket();

    CHECK_ACCEPTEX_FAILS(pAcceptEx(INVALID_SOCKET, acceptor, buffer, 960, SLOT, SLOT, &bytes, &ov),
                         ov, WSAENOTSOCK);
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, acceptor, buffer, 960, SLOT, SLOT, &bytes, &ov), ov,
                         WSAEINVAL); /* not listening */
    CHECK_OK(listen(listener, 5));
    bound = name_of(listener);
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, INVALID_SOCKET, buffer, 960, SLOT, SLOT, &bytes, &ov),
                         ov, WSAENOTSOCK);
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, acceptor, NULL, 960, SLOT, SLOT, &bytes, &ov), ov,
                         WSAEFAULT);
    SOCKET udp = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, udp, buffer, 0, 0, SLOT, &bytes, &ov), ov, WSAEINVAL);
    closesocket(udp);
    SOCKET bound_one = tcp_socket();
    CHECK_OK(bind(bound_one, (SOCKADDR *)&any, sizeof any));
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, bound_one, buffer, 0, SLOT, SLOT, &bytes, &ov), ov,
                         WSAEINVAL);
    closesocket(bound_one);
    SOCKET c1, c2;
    tcp_pair(&c1, &c2);
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, c1, buffer, 0, SLOT, SLOT, &bytes, &ov), ov, WSAEINVAL);
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, c2, buffer, 0, SLOT, SLOT, &bytes, &ov), ov, WSAEINVAL);
    closesocket(c1);
    closesocket(c2);
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, acceptor, buffer, 0, SLOT, 0, &bytes, &ov), ov,
                         WSAEFAULT); /* remote length 0 */
    SetLastError(0xdeadbeef);
    CHECK(!pAcceptEx(listener, acceptor, buffer, 0, SLOT, SLOT, &bytes, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(!pAcceptEx(listener, acceptor, buffer, 0, 0, 0, &bytes, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    bytes = 0xdeadbeef;
    CHECK(!pAcceptEx(listener, acceptor, buffer, 0, SLOT, SLOT, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
    CHECK_EQ(bytes, 0xdeadbeef);
    WSAOVERLAPPED ov2;
    memset(&ov2, 0, sizeof ov2);
    CHECK_ACCEPTEX_FAILS(pAcceptEx(listener, acceptor, buffer, 0, SLOT, SLOT, &bytes, &ov2), ov2,
                         WSAEINVAL); /* the same accept socket again */
    CHECK_ERR(connect(acceptor, (SOCKADDR *)&bound, sizeof bound), WSAEINVAL);

    SOCKET client = connect_to(&bound);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 1000), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    DWORD n = 0xdeadbeef;
    CHECK(GetOverlappedResult((HANDLE)listener, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(n, 0);
    CHECK_OK(setsockopt(acceptor, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&listener,
                        sizeof listener));
    SOCKADDR_IN local = name_of(acceptor), peer;
    CHECK(same_addr(&local, &bound));
    int len = sizeof peer;
    CHECK_OK(getpeername(acceptor, (SOCKADDR *)&peer, &len));
    SOCKADDR_IN client_name = name_of(client);
    CHECK(same_addr(&peer, &client_name));
    CHECK_EQ(send(client, "ping", 4, 0), 4);
    char got[8];
    set_blocking(acceptor, 1);
    RECV_EXACTLY(acceptor, got, 4);
    CHECK(memcmp(got, "ping", 4) == 0);
    CHECK_EQ(send(acceptor, "pong", 4, 0), 4);
    RECV_EXACTLY(client, got, 4);
    CHECK(memcmp(got, "pong", 4) == 0);
    closesocket(client);
    closesocket(acceptor);

    /* Local slot 0: GetAcceptExSockaddrs leaves the local outputs alone. */
    acceptor = tcp_socket();
    CHECK(!pAcceptEx(listener, acceptor, buffer, 0, 0, SLOT, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    client = connect_to(&bound);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 1000), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    SOCKADDR *lp = (SOCKADDR *)0xdeadbeef, *rp = NULL;
    int ll = 0x5eed, rl = 0;
    pGetAcceptExSockaddrs(buffer, 0, 0, SLOT, &lp, &ll, &rp, &rl);
    CHECK(lp == (SOCKADDR *)0xdeadbeef);
    CHECK_EQ(ll, 0x5eed);
    CHECK_EQ(rl, sizeof(SOCKADDR_IN));
    client_name = name_of(client);
    CHECK(same_addr((SOCKADDR_IN *)rp, &client_name));
    CHECK((char *)rp > buffer && (char *)rp < buffer + sizeof buffer); /* into the buffer */
    closesocket(client);
    closesocket(acceptor);
    closesocket(listener);
    CloseHandle(ov.hEvent);
}

/* test_AcceptEx: a local slot too small (3 bytes) fails the AcceptEx when a
 * client connects (ERROR_INSUFFICIENT_BUFFER, STATUS_BUFFER_TOO_SMALL;
 * WSAEFAULT through WSAGetOverlappedResult) and leaves the connection for
 * the next accept. */
static void small_slot_fails_and_keeps_the_connection(void)
{
    char buffer[1024];
    DWORD bytes;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEvent(NULL, FALSE, FALSE, NULL);
    SOCKADDR_IN bound;
    SOCKET listener = tcp_listener("127.0.0.1", &bound);
    SOCKET acceptor = tcp_socket();
    CHECK(!pAcceptEx(listener, acceptor, buffer, 0, 3, SLOT, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    SOCKET client = connect_to(&bound);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 1000), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, STATUS_BUFFER_TOO_SMALL);
    DWORD n = 0xdeadbeef, flags;
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult((HANDLE)listener, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK_EQ(n, 0);
    CHECK(!WSAGetOverlappedResult(listener, &ov, &n, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    closesocket(acceptor);
    SOCKADDR_IN peer;
    int len = sizeof peer;
    SOCKET accepted = accept(listener, (SOCKADDR *)&peer, &len);
    CHECK(accepted != INVALID_SOCKET);
    SOCKADDR_IN client_name = name_of(client);
    CHECK(same_addr(&peer, &client_name));
    closesocket(accepted);
    closesocket(client);
    closesocket(listener);
    CloseHandle(ov.hEvent);
}

/* test_AcceptEx: with a receive length the AcceptEx completes on the first
 * data (1 byte of 2), not at the connect; the addresses are the listener's
 * and the client's; a client that connects and closes completes it with
 * success and 0 bytes. */
static void accept_with_first_data(void)
{
    char buffer[1024];
    DWORD bytes;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEvent(NULL, FALSE, FALSE, NULL);
    SOCKADDR_IN bound;
    SOCKET listener = tcp_listener("127.0.0.1", &bound);
    SOCKET acceptor = tcp_socket();
    CHECK(!pAcceptEx(listener, acceptor, buffer, 2, SLOT, SLOT, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    SOCKET client = connect_to(&bound);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 200), WAIT_TIMEOUT);
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
    CHECK_EQ(send(client, "1", 1, 0), 1);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 1000), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    DWORD n;
    CHECK(GetOverlappedResult((HANDLE)listener, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(n, 1);
    CHECK_EQ(buffer[0], '1');
    SOCKADDR *lp = NULL, *rp = NULL;
    int ll = 0, rl = 0;
    pGetAcceptExSockaddrs(buffer, 2, SLOT, SLOT, &lp, &ll, &rp, &rl);
    CHECK_EQ(ll, sizeof(SOCKADDR_IN));
    CHECK_EQ(rl, sizeof(SOCKADDR_IN));
    CHECK(same_addr((SOCKADDR_IN *)lp, &bound));
    SOCKADDR_IN client_name = name_of(client);
    CHECK(same_addr((SOCKADDR_IN *)rp, &client_name));
    closesocket(client);
    closesocket(acceptor);

    acceptor = tcp_socket();
    CHECK(!pAcceptEx(listener, acceptor, buffer, 960, SLOT, SLOT, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    client = connect_to(&bound);
    closesocket(client);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 1000), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult((HANDLE)listener, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(n, 0);
    closesocket(acceptor);
    closesocket(listener);
    CloseHandle(ov.hEvent);
}

static void expect_packet(HANDLE port, BOOL ok, DWORD error, ULONG_PTR want_key, DWORD want_bytes,
                          WSAOVERLAPPED *want_ov)
{
    DWORD bytes = 0xdeadbeef;
    ULONG_PTR key = 0;
    OVERLAPPED *got = NULL;
    SetLastError(0xdeadbeef);
    BOOL r = GetQueuedCompletionStatus(port, &bytes, &key, &got, 2000);
    CHECK(got != NULL);
    CHECK_EQ(r, ok);
    if (!ok) CHECK_EQ(GetLastError(), error);
    CHECK_EQ(key, want_key);
    CHECK_EQ(bytes, want_bytes);
    CHECK(got == (OVERLAPPED *)want_ov);
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

/* test_completion_port: an AcceptEx completes on the listener's key (125),
 * not the accept socket's (236); closing the listener cancels it
 * (STATUS_CANCELLED, ERROR_OPERATION_ABORTED), with the port associated
 * before or after the AcceptEx; closing the accept socket after its first
 * byte leaves the success, before it fails it (995 or 1236); test_AcceptEx:
 * closing the accept socket before a connection cancels (995), CancelIoEx
 * of the accept socket does not, of the listener does. */
static void completion_port_and_closing(void)
{
    char buffer[1024];
    DWORD bytes;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    SOCKADDR_IN bound;
    for (int before = 0; before < 2; before++) {
        SOCKET listener = tcp_listener("127.0.0.1", &bound);
        set_blocking(listener, 0);
        SOCKET acceptor = tcp_socket();
        if (before) CHECK(CreateIoCompletionPort((HANDLE)listener, port, 125, 0) == port);
        CHECK(!pAcceptEx(listener, acceptor, buffer, 960, SLOT, SLOT, &bytes, &ov));
        CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
        if (!before) CHECK(CreateIoCompletionPort((HANDLE)listener, port, 125, 0) == port);
        CHECK_OK(closesocket(listener));
        expect_packet(port, FALSE, ERROR_OPERATION_ABORTED, 125, 0, &ov);
        CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);
        port_is_empty(port);
        closesocket(acceptor);
    }

    SOCKET listener = tcp_listener("127.0.0.1", &bound);
    CHECK(CreateIoCompletionPort((HANDLE)listener, port, 125, 0) == port);
    /* Connect and close: TRUE, the listener's key, 0 bytes. */
    SOCKET acceptor = tcp_socket();
    CHECK(CreateIoCompletionPort((HANDLE)acceptor, port, 236, 0) == port);
    CHECK(!pAcceptEx(listener, acceptor, buffer, 960, SLOT, SLOT, &bytes, &ov));
    SOCKET client = connect_to(&bound);
    closesocket(client);
    expect_packet(port, TRUE, 0, 125, 0, &ov);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    port_is_empty(port);
    closesocket(acceptor);
    /* One byte, then the accept socket closed: the success stays. */
    acceptor = tcp_socket();
    CHECK(CreateIoCompletionPort((HANDLE)acceptor, port, 236, 0) == port);
    CHECK(!pAcceptEx(listener, acceptor, buffer, 960, SLOT, SLOT, &bytes, &ov));
    client = connect_to(&bound);
    CHECK_EQ(send(client, "1", 1, 0), 1);
    Sleep(100);
    closesocket(acceptor);
    expect_packet(port, TRUE, 0, 125, 1, &ov);
    port_is_empty(port);
    closesocket(client);
    /* Connected, silent, the accept socket closed: a failure on key 125. */
    acceptor = tcp_socket();
    CHECK(!pAcceptEx(listener, acceptor, buffer, 960, SLOT, SLOT, &bytes, &ov));
    client = connect_to(&bound);
    Sleep(100);
    closesocket(acceptor);
    {
        DWORD b = 0xdeadbeef;
        ULONG_PTR key = 0;
        OVERLAPPED *got = NULL;
        CHECK(!GetQueuedCompletionStatus(port, &b, &key, &got, 2000));
        CHECK(got == (OVERLAPPED *)&ov);
        DWORD e = GetLastError();
        CHECK(e == ERROR_OPERATION_ABORTED || e == ERROR_CONNECTION_ABORTED);
        CHECK_EQ(key, 125);
        CHECK_EQ(b, 0);
    }
    port_is_empty(port);
    closesocket(client);
    /* Before any connection: closing the accept socket cancels. */
    acceptor = tcp_socket();
    CHECK(!pAcceptEx(listener, acceptor, buffer, 0, SLOT, SLOT, &bytes, &ov));
    closesocket(acceptor);
    expect_packet(port, FALSE, ERROR_OPERATION_ABORTED, 125, 0, &ov);
    port_is_empty(port);
    /* CancelIoEx: not through the accept socket; through the listener. */
    acceptor = tcp_socket();
    CHECK(!pAcceptEx(listener, acceptor, buffer, 0, SLOT, SLOT, &bytes, &ov));
    SetLastError(0xdeadbeef);
    CHECK(!CancelIoEx((HANDLE)acceptor, (LPOVERLAPPED)&ov));
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
    port_is_empty(port);
    CHECK(CancelIoEx((HANDLE)listener, (LPOVERLAPPED)&ov));
    expect_packet(port, FALSE, ERROR_OPERATION_ABORTED, 125, 0, &ov);
    port_is_empty(port);
    /* The accept socket is free again: a new AcceptEx may use it. */
    CHECK(!pAcceptEx(listener, acceptor, buffer, 0, SLOT, SLOT, &bytes, &ov));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    client = connect_to(&bound);
    expect_packet(port, TRUE, 0, 125, 0, &ov);
    closesocket(client);
    closesocket(acceptor);
    closesocket(listener);
    CloseHandle(port);
}

/* Several AcceptEx at once take connections in posting order; closing the
 * listener completes the rest; every one completes exactly once (counted
 * here), rounds of it. */
#define POSTED 8
#define CLIENTS 5
static void many_accepts_complete_once(void)
{
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    static char buffers[POSTED][2 * 32 + 16];
    for (int round = 0; round < 20; round++) {
        SOCKADDR_IN bound;
        SOCKET listener = tcp_listener("127.0.0.1", &bound);
        CHECK(CreateIoCompletionPort((HANDLE)listener, port, 7, 0) == port);
        SOCKET acceptors[POSTED], clients[CLIENTS];
        WSAOVERLAPPED ovs[POSTED];
        memset(ovs, 0, sizeof ovs);
        DWORD bytes;
        for (int i = 0; i < POSTED; i++) {
            acceptors[i] = tcp_socket();
            CHECK(!pAcceptEx(listener, acceptors[i], buffers[i], 0, SLOT, SLOT, &bytes, &ovs[i]));
            CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
        }
        for (int i = 0; i < CLIENTS; i++) clients[i] = connect_to(&bound);
        int seen[POSTED] = {0}, ok = 0, aborted = 0;
        for (int i = 0; i < CLIENTS; i++) {
            DWORD b;
            ULONG_PTR key;
            OVERLAPPED *got = NULL;
            CHECK(GetQueuedCompletionStatus(port, &b, &key, &got, 2000));
            int idx = (int)((WSAOVERLAPPED *)got - ovs);
            CHECK(idx >= 0 && idx < CLIENTS); /* the first posted take them */
            CHECK_EQ(seen[idx]++, 0);
            ok++;
        }
        closesocket(listener);
        for (int i = CLIENTS; i < POSTED; i++) {
            DWORD b;
            ULONG_PTR key;
            OVERLAPPED *got = NULL;
            CHECK(!GetQueuedCompletionStatus(port, &b, &key, &got, 2000));
            CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
            int idx = (int)((WSAOVERLAPPED *)got - ovs);
            CHECK(idx >= 0 && idx < POSTED);
            CHECK_EQ(seen[idx]++, 0);
            aborted++;
        }
        CHECK_EQ(ok + aborted, POSTED);
        port_is_empty(port);
        for (int i = 0; i < CLIENTS; i++) {
            /* Each accepted socket is its client's peer. */
            CHECK_EQ(send(acceptors[i], "x", 1, 0), 1);
            closesocket(clients[i]);
        }
        for (int i = 0; i < POSTED; i++) closesocket(acceptors[i]);
    }
    CloseHandle(port);
}

int main(void)
{
    startup();
    extension_functions_resolve();
    checks_then_accept_without_data();
    small_slot_fails_and_keeps_the_connection();
    accept_with_first_data();
    completion_port_and_closing();
    many_accepts_complete_once();
    WSACleanup();
    printf("stream_acceptex: ok\n");
    return 0;
}
