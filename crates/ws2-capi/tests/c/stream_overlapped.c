/* Overlapped WSASend/WSARecv on stream sockets (SPEC P8, part 2, item 1),
 * with events, completion routines and completion ports, as Windows answers
 * (research-streams.md B1-B3, from Wine's Windows-run sock.c: test_send,
 * test_completion_port, test_iocp, test_simultaneous_async_recv,
 * test_nonblocking_async_recv, test_empty_recv, test_WSARecv, test_shutdown;
 * the port-bound receive that outlives its thread: test_iocp).
 * Every count of completions is kept here, by the caller. */
#include "ov_common.h"
#include "stream_common.h"

#include <pthread.h>

#define BIG (16 << 20)

static char *pattern(size_t len, unsigned seed)
{
    char *p = malloc(len);
    CHECK(p != NULL);
    for (size_t i = 0; i < len; i++) p[i] = (char)(i * 7 + seed + (i >> 12));
    return p;
}

/* Receives exactly len bytes from a blocking socket and compares them. */
static void recv_and_compare(SOCKET s, const char *want, size_t len)
{
    static char buf[1 << 16];
    size_t got = 0;
    while (got < len) {
        size_t ask = len - got < sizeof buf ? len - got : sizeof buf;
        int n = recv(s, buf, (int)ask, 0);
        if (n <= 0) FAIL("recv ended early");
        if (memcmp(buf, want + got, (size_t)n) != 0) FAIL("bytes out of order");
        got += (size_t)n;
    }
}

/* No packet waits on the port (the tests always look: exactly once). */
static void port_is_empty(HANDLE port)
{
    DWORD bytes = 0xdeadbeef;
    ULONG_PTR key = 0xdeadbeef;
    OVERLAPPED *ov = (OVERLAPPED *)1;
    SetLastError(0xdeadbeef);
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &ov, 50));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(ov == NULL);
    CHECK_EQ(bytes, 0xdeadbeef); /* untouched on timeout (test_iocp) */
    CHECK_EQ(key, 0xdeadbeef);
}

/* The next packet: its return, bytes, key and OVERLAPPED. */
static BOOL next_packet(HANDLE port, DWORD *bytes, ULONG_PTR *key, OVERLAPPED **ov)
{
    SetLastError(0xdeadbeef);
    BOOL ok = GetQueuedCompletionStatus(port, bytes, key, ov, 5000);
    if (!ok && *ov == NULL) FAIL("no completion packet within 5 s");
    return ok;
}

/* test_send: an overlapped WSASend on a non-blocking socket pends (never
 * WSAEWOULDBLOCK) until all its bytes are taken and completes with all of
 * them; a NULL count is fine; later sends go after it, in call order (a
 * non-blocking send meanwhile is WSAEWOULDBLOCK, an overlapped one queues
 * behind); a shutdown's FIN follows them. */
static void send_completes_when_all_taken(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    set_blocking(server, 0);
    int zero = 0;
    CHECK_OK(setsockopt(server, SOL_SOCKET, SO_SNDBUF, (char *)&zero, sizeof zero));
    char *a = pattern(BIG, 1), *c = pattern(4096, 2);
    WSABUF ba = {BIG, a}, bc = {4096, c};
    WSAOVERLAPPED ova, ovc;
    memset(&ova, 0, sizeof ova);
    memset(&ovc, 0, sizeof ovc);
    ova.hEvent = WSACreateEvent();
    ovc.hEvent = WSACreateEvent();
    DWORD sent = 0xdeadbeef;
    CHECK_PENDING(WSASend(server, &ba, 1, &sent, 0, &ova, NULL));
    CHECK_EQ(sent, 0xdeadbeef);
    CHECK_HEX_EQ(ova.Internal, STATUS_PENDING);
    CHECK_ERR(send(server, "x", 1, 0), WSAEWOULDBLOCK);
    CHECK_PENDING(WSASend(server, &bc, 1, NULL, 0, &ovc, NULL));
    CHECK_OK(shutdown(server, SD_SEND));
    CHECK(!event_is_set(ova.hEvent));
    recv_and_compare(client, a, BIG);
    recv_and_compare(client, c, 4096);
    char end;
    CHECK_EQ(recv(client, &end, 1, 0), 0); /* the FIN came after both */
    CHECK_EQ(WaitForSingleObject(ova.hEvent, 1000), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(ovc.hEvent, 1000), WAIT_OBJECT_0);
    DWORD n = 0, flags = 0;
    CHECK(WSAGetOverlappedResult(server, &ova, &n, FALSE, &flags));
    CHECK_EQ(n, BIG);
    CHECK_HEX_EQ(ova.Internal, STATUS_SUCCESS);
    CHECK_EQ(ova.InternalHigh, BIG);
    CHECK(WSAGetOverlappedResult(server, &ovc, &n, FALSE, &flags));
    CHECK_EQ(n, 4096);
    WSACloseEvent(ova.hEvent);
    WSACloseEvent(ovc.hEvent);
    free(a);
    free(c);
    closesocket(client);
    closesocket(server);
}

/* test_completion_port ("immediate read"): an overlapped WSASend the
 * kernel takes at once returns 0 with the full count; an overlapped
 * WSARecv with data queued returns 0 with its count, and each still
 * queues one packet; WSAEWOULDBLOCK never comes on a non-blocking socket
 * (test_nonblocking_async_recv). */
static void immediate_completions_still_queue_a_packet(void)
{
    SOCKET src, dest;
    tcp_pair(&src, &dest);
    HANDLE port = CreateIoCompletionPort((HANDLE)dest, NULL, 125, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)src, port, 236, 0) == port);
    char out[1024], in[1024];
    memset(out, 'a', sizeof out);
    WSABUF bo = {sizeof out, out}, bi = {sizeof in, in};
    WSAOVERLAPPED ovs, ovr;
    memset(&ovs, 0, sizeof ovs);
    memset(&ovr, 0, sizeof ovr);
    DWORD n = 0xdeadbeef;
    CHECK_OK(WSASend(src, &bo, 1, &n, 0, &ovs, NULL));
    CHECK_EQ(n, 1024);
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK_EQ(GetLastError(), 0xdeadbeef); /* success leaves the last error */
    CHECK_EQ(bytes, 1024);
    CHECK_EQ(key, 236);
    CHECK(got == &ovs);
    set_blocking(dest, 0);
    double deadline = now_ms() + 5000;
    u_long avail = 0;
    while (avail < 1024 && now_ms() < deadline) {
        CHECK_OK(ioctlsocket(dest, FIONREAD, &avail));
        Sleep(1);
    }
    DWORD flags = 0;
    n = 0xdeadbeef;
    CHECK_OK(WSARecv(dest, &bi, 1, &n, &flags, &ovr, NULL));
    CHECK_EQ(n, 1024);
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK_EQ(bytes, 1024);
    CHECK_EQ(key, 125);
    CHECK(got == &ovr);
    port_is_empty(port);
    /* Nothing queued: a non-blocking socket's overlapped receive pends. */
    CHECK_PENDING(WSARecv(dest, &bi, 1, &n, &flags, &ovr, NULL));
    CHECK_EQ(send(src, "hello world!", 12, 0), 12);
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK_EQ(bytes, 12);
    CHECK(got == &ovr);
    CHECK_HEX_EQ(ovr.Internal, STATUS_SUCCESS);
    CHECK_EQ(ovr.InternalHigh, 12);
    CHECK(memcmp(in, "hello world!", 12) == 0);
    port_is_empty(port);
    closesocket(src);
    closesocket(dest);
    CloseHandle(port);
}

/* test_simultaneous_async_recv: receives complete in posting order, each
 * filling its own buffer from the stream; test_iocp iocp_async_read: a
 * receive completes with what is there (12 of 512). */
static void receives_complete_in_posting_order(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    char b1[16], b2[16], b3[512];
    WSABUF w1 = {16, b1}, w2 = {16, b2}, w3 = {512, b3};
    WSAOVERLAPPED o1, o2, o3;
    memset(&o1, 0, sizeof o1);
    memset(&o2, 0, sizeof o2);
    memset(&o3, 0, sizeof o3);
    o1.hEvent = WSACreateEvent();
    o2.hEvent = WSACreateEvent();
    o3.hEvent = WSACreateEvent();
    DWORD flags = 0;
    CHECK_PENDING(WSARecv(server, &w1, 1, NULL, &flags, &o1, NULL));
    CHECK_PENDING(WSARecv(server, &w2, 1, NULL, &flags, &o2, NULL));
    CHECK_PENDING(WSARecv(server, &w3, 1, NULL, &flags, &o3, NULL));
    char msg[44];
    for (int i = 0; i < 44; i++) msg[i] = (char)('A' + i);
    CHECK_EQ(send(client, msg, 32, 0), 32);
    CHECK_EQ(WaitForSingleObject(o1.hEvent, 5000), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(o2.hEvent, 5000), WAIT_OBJECT_0);
    DWORD n;
    CHECK(WSAGetOverlappedResult(server, &o1, &n, FALSE, &flags));
    CHECK_EQ(n, 16);
    CHECK(WSAGetOverlappedResult(server, &o2, &n, FALSE, &flags));
    CHECK_EQ(n, 16);
    CHECK(memcmp(b1, msg, 16) == 0 && memcmp(b2, msg + 16, 16) == 0);
    CHECK(!event_is_set(o3.hEvent));
    CHECK_EQ(send(client, msg + 32, 12, 0), 12);
    CHECK_EQ(WaitForSingleObject(o3.hEvent, 5000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(server, &o3, &n, FALSE, &flags));
    CHECK_EQ(n, 12);
    CHECK(memcmp(b3, msg + 32, 12) == 0);
    WSACloseEvent(o1.hEvent);
    WSACloseEvent(o2.hEvent);
    WSACloseEvent(o3.hEvent);
    closesocket(client);
    closesocket(server);
}

/* test_empty_recv: one zero-length WSABUF pends, completes with 0 bytes
 * when data arrives, and the data stays queued (the IOCP zero-byte read). */
static void zero_byte_receive_waits_for_data(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    char none;
    WSABUF w = {0, &none};
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    DWORD flags = 0, n;
    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL));
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 100), WAIT_TIMEOUT);
    CHECK_EQ(send(client, "hello", 5, 0), 5);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(server, &ov, &n, FALSE, &flags));
    CHECK_EQ(n, 0);
    char buf[8];
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    WSACloseEvent(ov.hEvent);
    closesocket(client);
    closesocket(server);
}

/* test_completion_port (graceful shutdown): the peer's close completes a
 * pending receive with success and 0 bytes; one issued after the end of
 * the stream returns 0 with 0 bytes and still queues a packet. */
static void peer_close_completes_receives_with_zero(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    HANDLE port = CreateIoCompletionPort((HANDLE)server, NULL, 125, 0);
    char buf[64];
    WSABUF w = {sizeof buf, buf};
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD flags = 0, n = 0xdeadbeef, bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    CHECK_PENDING(WSARecv(server, &w, 1, &n, &flags, &ov, NULL));
    CHECK_OK(closesocket(client));
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK_EQ(bytes, 0);
    CHECK_EQ(key, 125);
    CHECK(got == &ov);
    CHECK_OK(WSARecv(server, &w, 1, &n, &flags, &ov, NULL));
    CHECK_EQ(n, 0);
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK_EQ(bytes, 0);
    port_is_empty(port);
    closesocket(server);
    CloseHandle(port);
}

static void reset_by_peer(SOCKET s)
{
    LINGER l = {1, 0};
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&l, sizeof l));
    CHECK_OK(closesocket(s));
}

/* test_completion_port, test_tcp_reset: the peer's reset completes every
 * pending receive with STATUS_CONNECTION_RESET (GQCS: FALSE,
 * ERROR_NETNAME_DELETED; WSAGetOverlappedResult: WSAECONNRESET); later
 * overlapped receives and sends fail at call time with WSAECONNRESET and
 * queue nothing; an unconnected socket's is WSAENOTCONN, one shut down for
 * receiving WSAESHUTDOWN (test_shutdown). */
static void errors_complete_or_refuse(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    HANDLE port = CreateIoCompletionPort((HANDLE)server, NULL, 125, 0);
    char b1[8], b2[8];
    WSABUF w1 = {8, b1}, w2 = {8, b2};
    WSAOVERLAPPED o1, o2;
    memset(&o1, 0, sizeof o1);
    memset(&o2, 0, sizeof o2);
    DWORD flags = 0, n = 0xdeadbeef, bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    CHECK_PENDING(WSARecv(server, &w1, 1, &n, &flags, &o1, NULL));
    CHECK_PENDING(WSARecv(server, &w2, 1, &n, &flags, &o2, NULL));
    reset_by_peer(client);
    for (int i = 0; i < 2; i++) {
        got = NULL;
        CHECK(!next_packet(port, &bytes, &key, &got));
        CHECK_EQ(GetLastError(), ERROR_NETNAME_DELETED);
        CHECK_EQ(bytes, 0);
        CHECK_EQ(key, 125);
        CHECK(got == (i == 0 ? &o1 : &o2));
    }
    CHECK_HEX_EQ(o1.Internal, STATUS_CONNECTION_RESET);
    CHECK(!WSAGetOverlappedResult(server, &o2, &n, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAECONNRESET);
    port_is_empty(port);
    n = 0xdeadbeef;
    CHECK_ERR(WSARecv(server, &w1, 1, &n, &flags, &o1, NULL), WSAECONNRESET);
    CHECK_ERR(WSASend(server, &w1, 1, &n, 0, &o1, NULL), WSAECONNRESET);
    CHECK_EQ(n, 0xdeadbeef);
    port_is_empty(port);
    closesocket(server);

    SOCKET lone = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK(CreateIoCompletionPort((HANDLE)lone, port, 125, 0) == port);
    CHECK_ERR(WSARecv(lone, &w1, 1, &n, &flags, &o1, NULL), WSAENOTCONN);
    CHECK_ERR(WSASend(lone, &w1, 1, &n, 0, &o1, NULL), WSAENOTCONN);
    port_is_empty(port);
    closesocket(lone);

    tcp_pair(&client, &server);
    CHECK_OK(shutdown(server, SD_RECEIVE));
    CHECK_ERR(WSARecv(server, &w1, 1, &n, &flags, &o1, NULL), WSAESHUTDOWN);
    CHECK_OK(shutdown(server, SD_SEND));
    CHECK_ERR(WSASend(server, &w1, 1, &n, 0, &o1, NULL), WSAESHUTDOWN);
    closesocket(client);
    closesocket(server);
    CloseHandle(port);
}

/* test_iocp iocp_async_read_closesocket: closesocket with a receive
 * pending on a connected socket completes it once with
 * STATUS_CONNECTION_ABORTED (GQCS: FALSE, ERROR_CONNECTION_ABORTED, 0
 * bytes, the key); a pending send gets WSA_OPERATION_ABORTED (the
 * WSASend page); closing with nothing pending queues nothing
 * (iocp_async_closesocket). CancelIoEx cancels one (STATUS_CANCELLED). */
static void close_and_cancel_complete_once(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    HANDLE port = CreateIoCompletionPort((HANDLE)server, NULL, 0x12345678, 0);
    char buf[512];
    WSABUF w = {sizeof buf, buf};
    WSAOVERLAPPED ov, ovc;
    memset(&ov, 0, sizeof ov);
    memset(&ovc, 0, sizeof ovc);
    DWORD flags = 0, bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ovc, NULL));
    CHECK(CancelIoEx((HANDLE)server, &ovc));
    CHECK(!next_packet(port, &bytes, &key, &got));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK(got == &ovc);
    CHECK_HEX_EQ(ovc.Internal, STATUS_CANCELLED);
    SetLastError(0xdeadbeef);
    CHECK(!CancelIoEx((HANDLE)server, &ovc));
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);

    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ov, NULL));
    CHECK_OK(closesocket(server));
    CHECK(!next_packet(port, &bytes, &key, &got));
    CHECK_EQ(GetLastError(), ERROR_CONNECTION_ABORTED);
    CHECK_EQ(bytes, 0);
    CHECK_EQ(key, 0x12345678);
    CHECK(got == &ov);
    CHECK_HEX_EQ(ov.Internal, STATUS_CONNECTION_ABORTED);
    CHECK_EQ(ov.InternalHigh, 0);
    port_is_empty(port);
    closesocket(client);

    /* A send pending when the socket closes. */
    tcp_pair(&client, &server);
    CHECK(CreateIoCompletionPort((HANDLE)server, port, 7, 0) == port);
    char *big = pattern(BIG, 3);
    WSABUF wb = {BIG, big};
    CHECK_PENDING(WSASend(server, &wb, 1, NULL, 0, &ov, NULL));
    CHECK_OK(closesocket(server));
    CHECK(!next_packet(port, &bytes, &key, &got));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK_EQ(key, 7);
    port_is_empty(port);
    closesocket(client);
    free(big);

    /* Nothing pending: no packet. */
    tcp_pair(&client, &server);
    CHECK(CreateIoCompletionPort((HANDLE)server, port, 7, 0) == port);
    CHECK_OK(closesocket(server));
    port_is_empty(port);
    closesocket(client);
    CloseHandle(port);
}

static int routine_calls;
static DWORD routine_error, routine_bytes;
static void CALLBACK on_received(DWORD error, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)ov;
    (void)flags;
    routine_calls++;
    routine_error = error;
    routine_bytes = bytes;
}

/* test_WSARecv: a completion routine runs once, in an alertable wait, on
 * the issuing thread; the event in hEvent is not signalled. A routine on a
 * port-bound socket is WSAEINVAL. */
static void routines_run_in_alertable_waits(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    char buf[64];
    WSABUF w = {sizeof buf, buf};
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    DWORD flags = 0;
    CHECK_PENDING(WSARecv(server, &w, 1, NULL, &flags, &ov, on_received));
    CHECK_EQ(send(client, "data", 4, 0), 4);
    double deadline = now_ms() + 5000;
    while (routine_calls == 0 && now_ms() < deadline) SleepEx(100, TRUE);
    CHECK_EQ(routine_calls, 1);
    CHECK_EQ(routine_error, 0);
    CHECK_EQ(routine_bytes, 4);
    CHECK_EQ(SleepEx(50, TRUE), 0);
    CHECK_EQ(routine_calls, 1);
    CHECK(!event_is_set(ov.hEvent));

    /* Routines on sends too, done at once or not. */
    routine_calls = 0;
    CHECK_OK(WSASend(client, &w, 1, NULL, 0, &ov, on_received));
    CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(routine_calls, 1);
    CHECK_EQ(routine_bytes, sizeof buf);

    HANDLE port = CreateIoCompletionPort((HANDLE)server, NULL, 1, 0);
    CHECK_ERR(WSARecv(server, &w, 1, NULL, &flags, &ov, on_received), WSAEINVAL);
    WSACloseEvent(ov.hEvent);
    closesocket(client);
    closesocket(server);
    CloseHandle(port);
}

/* Close races, counted by the caller: receives and sends pending on both
 * ends while a thread closes the sockets and the peers send; every
 * operation completes exactly once (one packet each, then nothing). */
#define RACE_ROUNDS 50
#define RACE_RECVS 4
#define RACE_SENDS 2
static SOCKET race_sock;
static void *close_soon(void *arg)
{
    (void)arg;
    Sleep(1);
    closesocket(race_sock);
    return NULL;
}

static void close_races_complete_each_once(void)
{
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    char *big = pattern(1 << 20, 5);
    static char bufs[RACE_RECVS][256];
    for (int round = 0; round < RACE_ROUNDS; round++) {
        SOCKET client, server;
        tcp_pair(&client, &server);
        CHECK(CreateIoCompletionPort((HANDLE)server, port, 1, 0) == port);
        WSAOVERLAPPED ovs[RACE_RECVS + RACE_SENDS];
        int seen[RACE_RECVS + RACE_SENDS] = {0};
        memset(ovs, 0, sizeof ovs);
        int posted = 0;
        DWORD flags = 0;
        for (int i = 0; i < RACE_RECVS; i++) {
            WSABUF w = {sizeof bufs[i], bufs[i]};
            int r = WSARecv(server, &w, 1, NULL, &flags, &ovs[i], NULL);
            CHECK(r == 0 || WSAGetLastError() == WSA_IO_PENDING);
            posted++;
        }
        for (int i = 0; i < RACE_SENDS; i++) {
            WSABUF w = {1 << 20, big};
            int r = WSASend(server, &w, 1, NULL, 0, &ovs[RACE_RECVS + i], NULL);
            CHECK(r == 0 || WSAGetLastError() == WSA_IO_PENDING);
            posted++;
        }
        race_sock = server;
        pthread_t t;
        CHECK_EQ(pthread_create(&t, NULL, close_soon, NULL), 0);
        send(client, big, 300 + round * 13, 0);
        /* Waiting on the port while the close happens: this thread may be
         * completing the socket's operations itself (it watches it). */
        for (int i = 0; i < posted; i++) {
            DWORD bytes;
            ULONG_PTR key;
            OVERLAPPED *got = NULL;
            next_packet(port, &bytes, &key, &got);
            int idx = (int)((WSAOVERLAPPED *)got - ovs);
            CHECK(idx >= 0 && idx < posted);
            CHECK_EQ(seen[idx], 0);
            seen[idx] = 1;
        }
        pthread_join(t, NULL);
        port_is_empty(port);
        closesocket(client);
    }
    free(big);
    CloseHandle(port);
}

static SOCKET issuer_sock;
static WSAOVERLAPPED issuer_ov;
static char issuer_buf[512];
static void *issue_receive_and_exit(void *arg)
{
    (void)arg;
    WSABUF w = {sizeof issuer_buf, issuer_buf};
    DWORD flags = 0;
    if (WSARecv(issuer_sock, &w, 1, NULL, &flags, &issuer_ov, NULL) != SOCKET_ERROR ||
        WSAGetLastError() != WSA_IO_PENDING)
        FAIL("WSARecv in the thread did not pend");
    return NULL;
}

/* test_iocp iocp_async_read_thread and iocp_async_read_thread_closesocket:
 * the exit of the thread that issued a receive on a port-bound socket
 * cancels nothing; data then completes it (12 bytes), or closesocket
 * completes it with ERROR_CONNECTION_ABORTED. */
static void port_bound_receive_outlives_its_thread(void)
{
    for (int closing = 0; closing < 2; closing++) {
        SOCKET client, server;
        tcp_pair(&client, &server);
        HANDLE port = CreateIoCompletionPort((HANDLE)server, NULL, 0x12345678, 0);
        memset(&issuer_ov, 0, sizeof issuer_ov);
        issuer_sock = server;
        pthread_t t;
        CHECK_EQ(pthread_create(&t, NULL, issue_receive_and_exit, NULL), 0);
        CHECK_EQ(pthread_join(t, NULL), 0);
        port_is_empty(port);
        DWORD bytes;
        ULONG_PTR key;
        OVERLAPPED *got = NULL;
        if (closing) {
            CHECK_OK(closesocket(server));
            CHECK(!next_packet(port, &bytes, &key, &got));
            CHECK_EQ(GetLastError(), ERROR_CONNECTION_ABORTED);
        } else {
            CHECK_EQ(send(client, "hello world!", 12, 0), 12);
            CHECK(next_packet(port, &bytes, &key, &got));
            CHECK_EQ(bytes, 12);
            closesocket(server);
        }
        CHECK(got == (OVERLAPPED *)&issuer_ov);
        CHECK_EQ(key, 0x12345678);
        port_is_empty(port);
        closesocket(client);
        CloseHandle(port);
    }
}

/* The IOCP pattern, a receive posted and then a wait on the port, while
 * another thread sends, closes or cancels (test_iocp iocp_async_read and
 * iocp_async_read_closesocket: the pending receive completes while the
 * caller waits in GetQueuedCompletionStatus); each case counts the
 * packets: exactly one, then nothing. A receive whose wait timed out still
 * completes when data comes later with nobody waiting (the event is set,
 * Internal written); closing a socket while the port's waiter waits ends
 * its connection at once. A send the kernel cannot take whole, then the
 * wait: ws2 lets the waiting thread write the rest itself (it watches the
 * socket); a close under that wait cancels the send once. */
enum waiter_act { ACT_SEND, ACT_CLOSE, ACT_CANCEL, ACT_CLOSE_THEN_PEER_READS, ACT_READ_BIG };
static SOCKET act_client, act_server;
static WSAOVERLAPPED *act_ov;
static enum waiter_act act;
static const char *act_big;
static volatile int act_peer_saw_end_ms = -1;
static void *act_later(void *arg)
{
    (void)arg;
    Sleep(100);
    switch (act) {
    case ACT_SEND:
        if (send(act_client, "first", 5, 0) != 5) FAIL("send first");
        Sleep(50);
        if (send(act_client, "second!", 7, 0) != 7) FAIL("send second");
        break;
    case ACT_CLOSE:
        closesocket(act_server);
        break;
    case ACT_CANCEL:
        if (!CancelIoEx((HANDLE)act_server, act_ov)) FAIL("CancelIoEx");
        break;
    case ACT_READ_BIG:
        recv_and_compare(act_client, act_big, BIG);
        break;
    case ACT_CLOSE_THEN_PEER_READS: {
        double t0 = now_ms();
        closesocket(act_server);
        char c;
        DWORD ms = 3000;
        setsockopt(act_client, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms, sizeof ms);
        if (recv(act_client, &c, 1, 0) == 0) act_peer_saw_end_ms = (int)(now_ms() - t0);
        break;
    }
    }
    return NULL;
}

static void port_waiter_sees_its_receives_complete(void)
{
    static char bufs[2][64];
    DWORD flags = 0, bytes;
    ULONG_PTR key;
    OVERLAPPED *got;
    pthread_t t;

    /* Two receives posted, the waiter waits, the peer sends twice. */
    tcp_pair(&act_client, &act_server);
    HANDLE port = CreateIoCompletionPort((HANDLE)act_server, NULL, 0x1234, 0);
    WSAOVERLAPPED ov[2];
    memset(ov, 0, sizeof ov);
    for (int i = 0; i < 2; i++) {
        WSABUF w = {sizeof bufs[i], bufs[i]};
        CHECK_PENDING(WSARecv(act_server, &w, 1, NULL, &flags, &ov[i], NULL));
    }
    act = ACT_SEND;
    CHECK_EQ(pthread_create(&t, NULL, act_later, NULL), 0);
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK(got == &ov[0]);
    CHECK_EQ(key, 0x1234);
    CHECK_EQ(bytes, 5);
    CHECK(memcmp(bufs[0], "first", 5) == 0);
    CHECK_EQ(GetLastError(), 0xdeadbeef); /* success leaves it (B3) */
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK(got == &ov[1]);
    CHECK_EQ(bytes, 7);
    CHECK(memcmp(bufs[1], "second!", 7) == 0);
    CHECK_EQ(ov[1].InternalHigh, 7);
    CHECK_HEX_EQ(ov[1].Internal, STATUS_SUCCESS);
    pthread_join(t, NULL);
    port_is_empty(port);

    /* The wait times out with the receive pending: data that comes when
     * nobody waits on the port still completes it (event, Internal), and
     * its packet waits for the next look. */
    memset(ov, 0, sizeof ov);
    ov[0].hEvent = new_event();
    WSABUF w0 = {sizeof bufs[0], bufs[0]};
    CHECK_PENDING(WSARecv(act_server, &w0, 1, NULL, &flags, &ov[0], NULL));
    port_is_empty(port);
    CHECK_EQ(send(act_client, "late", 4, 0), 4);
    CHECK_EQ(WaitForSingleObject(ov[0].hEvent, 5000), WAIT_OBJECT_0);
    CHECK_EQ(ov[0].InternalHigh, 4);
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK(got == &ov[0]);
    CHECK_EQ(bytes, 4);
    port_is_empty(port);
    WSACloseEvent(ov[0].hEvent);

    /* CancelIoEx from another thread while the waiter waits. */
    memset(ov, 0, sizeof ov);
    CHECK_PENDING(WSARecv(act_server, &w0, 1, NULL, &flags, &ov[0], NULL));
    act = ACT_CANCEL;
    act_ov = &ov[0];
    CHECK_EQ(pthread_create(&t, NULL, act_later, NULL), 0);
    CHECK(!next_packet(port, &bytes, &key, &got));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK(got == &ov[0]);
    CHECK_HEX_EQ(ov[0].Internal, STATUS_CANCELLED);
    pthread_join(t, NULL);
    port_is_empty(port);

    /* closesocket from another thread while the waiter waits. */
    memset(ov, 0, sizeof ov);
    CHECK_PENDING(WSARecv(act_server, &w0, 1, NULL, &flags, &ov[0], NULL));
    act = ACT_CLOSE;
    CHECK_EQ(pthread_create(&t, NULL, act_later, NULL), 0);
    CHECK(!next_packet(port, &bytes, &key, &got));
    CHECK_EQ(GetLastError(), ERROR_CONNECTION_ABORTED);
    CHECK(got == &ov[0]);
    CHECK_EQ(key, 0x1234);
    CHECK_HEX_EQ(ov[0].Internal, STATUS_CONNECTION_ABORTED);
    pthread_join(t, NULL);
    port_is_empty(port);
    closesocket(act_client);

    /* A send the kernel cannot take whole, then the wait on the port while
     * the peer reads (test_send's send, through a port): one packet with
     * every byte; then one closed under the wait: cancelled, once. */
    tcp_pair(&act_client, &act_server);
    CHECK(CreateIoCompletionPort((HANDLE)act_server, port, 0x1234, 0) == port);
    char *big = pattern(BIG, 11);
    act_big = big;
    WSABUF wb = {BIG, big};
    memset(ov, 0, sizeof ov);
    CHECK_PENDING(WSASend(act_server, &wb, 1, NULL, 0, &ov[0], NULL));
    act = ACT_READ_BIG;
    CHECK_EQ(pthread_create(&t, NULL, act_later, NULL), 0);
    CHECK(next_packet(port, &bytes, &key, &got));
    CHECK(got == &ov[0]);
    CHECK_EQ(bytes, BIG);
    pthread_join(t, NULL);
    port_is_empty(port);
    memset(ov, 0, sizeof ov);
    CHECK_PENDING(WSASend(act_server, &wb, 1, NULL, 0, &ov[0], NULL));
    act = ACT_CLOSE;
    CHECK_EQ(pthread_create(&t, NULL, act_later, NULL), 0);
    CHECK(!next_packet(port, &bytes, &key, &got));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK(got == &ov[0]);
    pthread_join(t, NULL);
    port_is_empty(port);
    closesocket(act_client);
    free(big);

    /* No packet for this receive (hEvent's low bit): closing the socket
     * while the port's waiter still waits ends the connection at once (the
     * peer reads the end), and the wait goes on to its timeout. */
    tcp_pair(&act_client, &act_server);
    CHECK(CreateIoCompletionPort((HANDLE)act_server, port, 0x1234, 0) == port);
    memset(ov, 0, sizeof ov);
    WSAEVENT ev = new_event();
    ov[0].hEvent = (HANDLE)((ULONG_PTR)ev | 1);
    CHECK_PENDING(WSARecv(act_server, &w0, 1, NULL, &flags, &ov[0], NULL));
    act = ACT_CLOSE_THEN_PEER_READS;
    act_peer_saw_end_ms = -1;
    CHECK_EQ(pthread_create(&t, NULL, act_later, NULL), 0);
    double t0 = now_ms();
    got = (OVERLAPPED *)1;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 1500));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(now_ms() - t0 >= 1400);
    pthread_join(t, NULL);
    CHECK(act_peer_saw_end_ms >= 0 && act_peer_saw_end_ms < 1000);
    CHECK(event_is_set(ev));
    CHECK_HEX_EQ(ov[0].Internal, STATUS_CONNECTION_ABORTED);
    port_is_empty(port);
    WSACloseEvent(ev);
    closesocket(act_client);
    CloseHandle(port);
}

int main(void)
{
    startup();
    send_completes_when_all_taken();
    immediate_completions_still_queue_a_packet();
    receives_complete_in_posting_order();
    zero_byte_receive_waits_for_data();
    peer_close_completes_receives_with_zero();
    errors_complete_or_refuse();
    close_and_cancel_complete_once();
    routines_run_in_alertable_waits();
    port_bound_receive_outlives_its_thread();
    close_races_complete_each_once();
    port_waiter_sees_its_receives_complete();
    WSACleanup();
    printf("stream_overlapped: ok\n");
    return 0;
}
