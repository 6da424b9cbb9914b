/* DisconnectEx with TF_REUSE_SOCKET (SPEC P8, part 2, item 2; and
 * TransmitFile/TransmitPackets with TF_DISCONNECT | TF_REUSE_SOCKET): after the
 * disconnect completes, the same SOCKET is used again, as Microsoft's pages
 * say (DisconnectEx: "the socket handle can be passed to the AcceptEx or
 * ConnectEx function"; ConnectEx: a socket reused so after it connected is
 * "not connected, but still bound" and may go to ConnectEx, not AcceptEx;
 * AcceptEx: an accept socket must be neither bound nor connected). Wine's
 * sock.c test_DisconnectEx has no TF_REUSE_SOCKET case; the refusals of a
 * socket reused wrongly are test_AcceptEx's (a bound or connected accept
 * socket: WSAEINVAL) and test_connect's (ConnectEx on an unbound socket:
 * WSAEINVAL; on a connected one: WSAEISCONN). Every completion is counted
 * here, by the caller. */
#include "ov_common.h"
#include "stream_common.h"

#include <mswsock.h>
#include <pthread.h>

#define SLOT ((DWORD)sizeof(SOCKADDR_IN) + 16)

static LPFN_ACCEPTEX pAcceptEx;
static LPFN_CONNECTEX pConnectEx;
static LPFN_DISCONNECTEX pDisconnectEx;
static LPFN_TRANSMITFILE pTransmitFile;
static LPFN_TRANSMITPACKETS pTransmitPackets;

static void *extension(SOCKET s, GUID guid)
{
    void *fn = NULL;
    DWORD size;
    CHECK_OK(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, sizeof fn,
                      &size, NULL, NULL));
    return fn;
}

/* One packet from the port: it must be ov's, with this key and byte count. */
static void expect_packet(HANDLE port, WSAOVERLAPPED *ov, ULONG_PTR want_key, DWORD want_bytes)
{
    DWORD bytes = 0xdeadbeef;
    ULONG_PTR key = 0;
    OVERLAPPED *got = NULL;
    if (!GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000)) FAIL("packet");
    CHECK(got == (OVERLAPPED *)ov);
    CHECK_EQ(key, want_key);
    CHECK_EQ(bytes, want_bytes);
}

static void port_is_empty(HANDLE port)
{
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got = (OVERLAPPED *)1;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 50));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
}

/* AcceptEx into `acceptor` from `listener` (no receive data); a client
 * connects; returns the client. */
static SOCKET accept_ex_into(SOCKET listener, const SOCKADDR_IN *at, SOCKET acceptor)
{
    static char buf[2 * SLOT];
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    DWORD n = 0;
    if (!pAcceptEx(listener, acceptor, buf, 0, SLOT, SLOT, &n, &ov))
        CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    SOCKET client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK_OK(connect(client, (const SOCKADDR *)at, sizeof *at));
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult((HANDLE)listener, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(n, 0);
    CHECK_OK(setsockopt(acceptor, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&listener,
                        sizeof listener));
    WSACloseEvent(ov.hEvent);
    return client;
}

/* ConnectEx of the bound `s` to `to`; returns the listener's side. */
static SOCKET connect_ex_to(SOCKET s, SOCKET listener, const SOCKADDR_IN *to)
{
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    DWORD n;
    if (!pConnectEx(s, (const SOCKADDR *)to, sizeof *to, NULL, 0, &n, &ov))
        CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult((HANDLE)s, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0));
    WSACloseEvent(ov.hEvent);
    SOCKET server = accept(listener, NULL, NULL);
    CHECK(server != INVALID_SOCKET);
    return server;
}

/* Both ways over a connected pair. */
static void exchange(SOCKET a, SOCKET b, const char *what)
{
    char buf[32];
    int len = (int)strlen(what);
    CHECK_EQ(send(a, what, len, 0), len);
    RECV_EXACTLY(b, buf, len);
    CHECK(memcmp(buf, what, (size_t)len) == 0);
    CHECK_EQ(send(b, what, len, 0), len);
    RECV_EXACTLY(a, buf, len);
    CHECK(memcmp(buf, what, (size_t)len) == 0);
}

/* The peer reads the end of the stream (a FIN: 0, not a reset). */
static void peer_sees_end(SOCKET peer)
{
    char c;
    DWORD ms = 5000;
    CHECK_OK(setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms, sizeof ms));
    CHECK_EQ(recv(peer, &c, 1, 0), 0);
}

/* An accepted socket, disconnected for reuse through a port (the IOCP
 * server's pattern), is accepted into again by AcceptEx and works; a
 * receive pending at the disconnect completes once (WSAECONNABORTED, as at
 * closesocket: ws2's answer, no Windows record); it is unbound until then,
 * so ConnectEx refuses it (WSAEINVAL), and a second disconnect finds it
 * unconnected (WSAENOTCONN). */
static void accepted_socket_is_reused_by_acceptex(void)
{
    SOCKADDR_IN at;
    SOCKET listener = tcp_listener("127.0.0.1", &at);
    SOCKET acceptor = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    HANDLE port = CreateIoCompletionPort((HANDLE)acceptor, NULL, 5, 0);
    CHECK(port != NULL);
    for (int round = 0; round < 3; round++) {
        SOCKET client = accept_ex_into(listener, &at, acceptor);
        exchange(client, acceptor, round == 0 ? "first" : "again");
        char buf[16];
        WSABUF w = {sizeof buf, buf};
        DWORD flags = 0;
        WSAOVERLAPPED ovr, ovd;
        memset(&ovr, 0, sizeof ovr);
        memset(&ovd, 0, sizeof ovd);
        CHECK_PENDING(WSARecv(acceptor, &w, 1, NULL, &flags, &ovr, NULL));
        SetLastError(0xdeadbeef);
        CHECK(!pDisconnectEx(acceptor, &ovd, TF_REUSE_SOCKET, 0));
        CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
        /* The receive first (ended under it), then the disconnect. */
        DWORD bytes;
        ULONG_PTR key;
        OVERLAPPED *got = NULL;
        CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
        CHECK(got == (OVERLAPPED *)&ovr);
        CHECK_EQ(GetLastError(), ERROR_CONNECTION_ABORTED);
        expect_packet(port, &ovd, 5, 0);
        DWORD n = 0xdeadbeef;
        CHECK(GetOverlappedResult((HANDLE)acceptor, (LPOVERLAPPED)&ovd, &n, FALSE));
        CHECK_EQ(n, 0);
        port_is_empty(port);
        peer_sees_end(client);
        closesocket(client);

        /* Not connected, not bound. */
        SOCKADDR_IN a;
        int len = sizeof a;
        CHECK_ERR(getpeername(acceptor, (SOCKADDR *)&a, &len), WSAENOTCONN);
        CHECK_ERR(getsockname(acceptor, (SOCKADDR *)&a, &len), WSAEINVAL);
        CHECK_ERR(send(acceptor, "x", 1, 0), WSAENOTCONN);
        CHECK(!pDisconnectEx(acceptor, NULL, TF_REUSE_SOCKET, 0));
        CHECK_EQ(WSAGetLastError(), WSAENOTCONN);
        WSAOVERLAPPED ovc;
        memset(&ovc, 0, sizeof ovc);
        CHECK(!pConnectEx(acceptor, (SOCKADDR *)&at, sizeof at, NULL, 0, &n, &ovc));
        CHECK_EQ(WSAGetLastError(), WSAEINVAL);
    }
    /* Its port association stayed: a last receive still posts there. */
    SOCKET client = accept_ex_into(listener, &at, acceptor);
    char buf[8];
    WSABUF w = {sizeof buf, buf};
    DWORD flags = 0;
    WSAOVERLAPPED ovr;
    memset(&ovr, 0, sizeof ovr);
    CHECK_PENDING(WSARecv(acceptor, &w, 1, NULL, &flags, &ovr, NULL));
    CHECK_EQ(send(client, "last", 4, 0), 4);
    expect_packet(port, &ovr, 5, 4);
    port_is_empty(port);
    closesocket(client);
    closesocket(acceptor);
    closesocket(listener);
    CloseHandle(port);
}

/* A socket that connected (ConnectEx), disconnected for reuse without an
 * OVERLAPPED (TRUE), stays bound to its address: ConnectEx connects it
 * again (to another listener) and it works; AcceptEx refuses it as an
 * accept socket (bound: WSAEINVAL). */
static void connected_socket_is_reused_by_connectex(void)
{
    SOCKADDR_IN at1, at2;
    SOCKET l1 = tcp_listener("127.0.0.1", &at1);
    SOCKET l2 = tcp_listener("127.0.0.1", &at2);
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    SOCKADDR_IN local = {0};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_OK(bind(s, (SOCKADDR *)&local, sizeof local));
    SOCKADDR_IN bound;
    int len = sizeof bound;
    CHECK_OK(getsockname(s, (SOCKADDR *)&bound, &len));

    SOCKET server = connect_ex_to(s, l1, &at1);
    exchange(s, server, "one");
    /* A WSAEventSelect association stays with the handle (ws2's answer,
     * not recorded): the next connection's arrivals are reported. */
    WSAEVENT ev = new_event();
    CHECK_OK(WSAEventSelect(s, ev, FD_READ));
    WSASetLastError(0xdeadbeef);
    CHECK(pDisconnectEx(s, NULL, TF_REUSE_SOCKET, 0));
    CHECK_EQ(WSAGetLastError(), 0);
    peer_sees_end(server);
    closesocket(server);

    SOCKADDR_IN a;
    len = sizeof a;
    CHECK_ERR(getpeername(s, (SOCKADDR *)&a, &len), WSAENOTCONN);
    len = sizeof a;
    CHECK_OK(getsockname(s, (SOCKADDR *)&a, &len));
    CHECK_EQ(a.sin_port, bound.sin_port); /* still bound */
    char buf[2 * SLOT];
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD n;
    CHECK(!pAcceptEx(l1, s, buf, 0, SLOT, SLOT, &n, &ov));
    CHECK_EQ(WSAGetLastError(), WSAEINVAL);

    server = connect_ex_to(s, l2, &at2);
    WSANETWORKEVENTS ne;
    CHECK_OK(WSAEnumNetworkEvents(s, ev, &ne)); /* what came before */
    CHECK_EQ(send(server, "x", 1, 0), 1);
    CHECK_EQ(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
    CHECK_OK(WSAEnumNetworkEvents(s, ev, &ne));
    CHECK(ne.lNetworkEvents & FD_READ);
    RECV_EXACTLY(s, buf, 1);
    CHECK_OK(WSAEventSelect(s, NULL, 0));
    WSACloseEvent(ev);
    exchange(s, server, "two");
    len = sizeof a;
    CHECK_OK(getpeername(server, (SOCKADDR *)&a, &len));
    CHECK_EQ(a.sin_port, bound.sin_port); /* the same local port, again */
    closesocket(server);
    closesocket(s);
    closesocket(l1);
    closesocket(l2);
}

/* A socket still connected is not reused: after DisconnectEx without
 * TF_REUSE_SOCKET (a half close) AcceptEx refuses it (WSAEINVAL) and
 * ConnectEx says WSAEISCONN. */
static void a_connected_socket_is_refused(void)
{
    SOCKADDR_IN at;
    SOCKET listener = tcp_listener("127.0.0.1", &at);
    SOCKET client, server;
    tcp_pair(&client, &server);
    CHECK(pDisconnectEx(client, NULL, 0, 0));
    char buf[2 * SLOT];
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD n;
    CHECK(!pAcceptEx(listener, client, buf, 0, SLOT, SLOT, &n, &ov));
    CHECK_EQ(WSAGetLastError(), WSAEINVAL);
    CHECK(!pConnectEx(client, (SOCKADDR *)&at, sizeof at, NULL, 0, &n, &ov));
    CHECK_EQ(WSAGetLastError(), WSAEISCONN);
    closesocket(client);
    closesocket(server);
    closesocket(listener);
}

/* Bytes sends already took go out before the disconnect: a non-blocking
 * send larger than the socket buffers (taken whole, Windows' rule) and an
 * overlapped one are read in full by the peer, then the end. */
#define BIG (4 << 20)
static SOCKET reader_sock;
static size_t reader_got;
static int reader_end;
static void *read_all(void *arg)
{
    (void)arg;
    static char buf[1 << 16];
    for (;;) {
        int r = recv(reader_sock, buf, sizeof buf, 0);
        if (r <= 0) {
            reader_end = r;
            return NULL;
        }
        reader_got += (size_t)r;
    }
}

static void taken_bytes_go_out_first(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    char *big = malloc(BIG);
    CHECK(big != NULL);
    memset(big, 'b', BIG);
    set_blocking(client, 0);
    CHECK_EQ(send(client, big, BIG, 0), BIG);
    WSABUF w = {BIG, big};
    WSAOVERLAPPED ovs;
    memset(&ovs, 0, sizeof ovs);
    ovs.hEvent = new_event();
    CHECK_PENDING(WSASend(client, &w, 1, NULL, 0, &ovs, NULL));
    reader_sock = server;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, read_all, NULL), 0);
    CHECK(pDisconnectEx(client, NULL, TF_REUSE_SOCKET, 0));
    CHECK(event_is_set(ovs.hEvent));
    DWORD n;
    CHECK(WSAGetOverlappedResult(client, &ovs, &n, FALSE, &(DWORD){0}));
    CHECK_EQ(n, BIG);
    pthread_join(t, NULL);
    CHECK_EQ(reader_got, 2 * (size_t)BIG);
    CHECK_EQ(reader_end, 0);
    WSACloseEvent(ovs.hEvent);
    free(big);
    closesocket(client);
    closesocket(server);
}

/* TransmitPackets and TransmitFile with TF_DISCONNECT | TF_REUSE_SOCKET
 * (Microsoft's pages: the socket may then go to AcceptEx again): the peer
 * reads the bytes, then the end; the handle is accepted into again. */
static void transmit_disconnects_for_reuse(void)
{
    SOCKADDR_IN at;
    SOCKET listener = tcp_listener("127.0.0.1", &at);
    SOCKET acceptor = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    SOCKET client = accept_ex_into(listener, &at, acceptor);
    TRANSMIT_PACKETS_ELEMENT el[2];
    memset(el, 0, sizeof el);
    el[0].dwElFlags = TP_ELEMENT_MEMORY;
    el[0].cLength = 4;
    el[0].pBuffer = "head";
    el[1].dwElFlags = TP_ELEMENT_MEMORY;
    el[1].cLength = 4;
    el[1].pBuffer = "tail";
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    CHECK(!pTransmitPackets(acceptor, el, 2, 0, (LPOVERLAPPED)&ov,
                            TF_DISCONNECT | TF_REUSE_SOCKET));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
    DWORD n = 0;
    CHECK(GetOverlappedResult((HANDLE)acceptor, (LPOVERLAPPED)&ov, &n, FALSE));
    CHECK_EQ(n, 8);
    char buf[8];
    RECV_EXACTLY(client, buf, 8);
    CHECK(memcmp(buf, "headtail", 8) == 0);
    peer_sees_end(client);
    closesocket(client);
    WSACloseEvent(ov.hEvent);

    client = accept_ex_into(listener, &at, acceptor);
    exchange(client, acceptor, "three");
    TRANSMIT_FILE_BUFFERS tb = {"HEAD", 4, "TAIL", 4};
    WSASetLastError(0xdeadbeef);
    CHECK(pTransmitFile(acceptor, NULL, 0, 0, NULL, &tb, TF_DISCONNECT | TF_REUSE_SOCKET));
    RECV_EXACTLY(client, buf, 8);
    CHECK(memcmp(buf, "HEADTAIL", 8) == 0);
    peer_sees_end(client);
    SOCKADDR_IN a;
    int len = sizeof a;
    CHECK_ERR(getpeername(acceptor, (SOCKADDR *)&a, &len), WSAENOTCONN);
    closesocket(client);
    client = accept_ex_into(listener, &at, acceptor);
    exchange(client, acceptor, "four");
    closesocket(client);
    closesocket(acceptor);
    closesocket(listener);
}

int main(void)
{
    startup();
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    pAcceptEx = (LPFN_ACCEPTEX)extension(s, (GUID)WSAID_ACCEPTEX);
    pConnectEx = (LPFN_CONNECTEX)extension(s, (GUID)WSAID_CONNECTEX);
    pDisconnectEx = (LPFN_DISCONNECTEX)extension(s, (GUID)WSAID_DISCONNECTEX);
    pTransmitFile = (LPFN_TRANSMITFILE)extension(s, (GUID)WSAID_TRANSMITFILE);
    pTransmitPackets = (LPFN_TRANSMITPACKETS)extension(s, (GUID)WSAID_TRANSMITPACKETS);
    closesocket(s);
    accepted_socket_is_reused_by_acceptex();
    connected_socket_is_reused_by_connectex();
    a_connected_socket_is_refused();
    taken_bytes_go_out_first();
    transmit_disconnects_for_reuse();
    WSACleanup();
    printf("stream_reuse: ok\n");
    return 0;
}
