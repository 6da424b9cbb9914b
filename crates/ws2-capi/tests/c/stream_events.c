/* P8 P1: WSAEventSelect and WSAEnumNetworkEvents on stream sockets, as
 * Wine's Windows-run sock.c test_events records them (research-readiness.md
 * §3.3): test_connect_events, test_write_events, test_read_events,
 * test_accept_events, test_close_events, test_oob_events; and Microsoft's
 * WSAEventSelect page for FD_WRITE after a send that would block. */
#include "stream_common.h"

/* test_events' check_events: the events `expected` within `timeout` ms (or
 * none: the wait times out), each with iErrorCode 0 except `error_bit`'s,
 * which is `error`; WSAEnumNetworkEvents resets the event. */
#define CHECK_EVENTS(s, ev, expected, timeout) \
    check_events((s), (ev), (expected), -1, 0, (timeout), __FILE__, __LINE__)
#define CHECK_EVENT_ERROR(s, ev, expected, bit, error, timeout) \
    check_events((s), (ev), (expected), (bit), (error), (timeout), __FILE__, __LINE__)
static void check_events(SOCKET s, WSAEVENT ev, LONG expected, int error_bit, int error,
                         DWORD timeout, const char *file, int line)
{
    WSANETWORKEVENTS ne;
    DWORD w = WSAWaitForMultipleEvents(1, &ev, FALSE, timeout, FALSE);
    char m[200];
    if (w != (expected ? WSA_WAIT_EVENT_0 : WSA_WAIT_TIMEOUT)) {
        snprintf(m, sizeof m, "wait for events %#lx: %lu", (unsigned long)expected,
                 (unsigned long)w);
        ws2t_fail(file, line, m, WSAGetLastError());
    }
    memset(&ne, 0xcc, sizeof ne);
    if (WSAEnumNetworkEvents(s, ev, &ne) != 0)
        ws2t_fail(file, line, "WSAEnumNetworkEvents failed", WSAGetLastError());
    if (ne.lNetworkEvents != expected) {
        snprintf(m, sizeof m, "events %#lx, expected %#lx", (unsigned long)ne.lNetworkEvents,
                 (unsigned long)expected);
        ws2t_fail(file, line, m, 0);
    }
    for (int bit = 0; bit < FD_MAX_EVENTS; bit++) {
        int want = !(expected & (1 << bit)) ? (int)0xcccccccc : bit == error_bit ? error : 0;
        if (ne.iErrorCode[bit] != want) {
            snprintf(m, sizeof m, "iErrorCode[%d] = %#x, expected %#x", bit,
                     (unsigned)ne.iErrorCode[bit], (unsigned)want);
            ws2t_fail(file, line, m, 0);
        }
    }
}

#define ALL_BUT_CLOSE (FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE)
#define ALL (ALL_BUT_CLOSE | FD_CLOSE)

static SOCKET tcp(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    return s;
}

static SOCKET accept_one(SOCKET l)
{
    SOCKET s = accept(l, NULL, NULL);
    if (s == INVALID_SOCKET) FAIL("accept");
    return s;
}

/* Each case starts with the shared event reset: closing the last case's
 * sockets may have recorded (and signalled) their peer's FD_CLOSE. */
static void new_case(WSAEVENT ev)
{
    CHECK(WSAResetEvent(ev));
}

static void reselect_reports_nothing(SOCKET s, WSAEVENT ev, LONG mask)
{
    CHECK_OK(WSAEventSelect(s, ev, mask));
    CHECK_EVENTS(s, ev, 0, 0);
    CHECK_OK(WSAEventSelect(s, ev, 0));
    CHECK_OK(WSAEventSelect(s, ev, mask));
    CHECK_EVENTS(s, ev, 0, 0);
}

/* test_connect_events. */
static void connect_events(WSAEVENT ev)
{
    SOCKADDR_IN a, nobody;
    SOCKET l = tcp_listener("127.0.0.1", &a);
    SOCKET c = tcp();
    new_case(ev);
    CHECK_OK(WSAEventSelect(c, ev, ALL));
    CHECK_EVENTS(c, ev, 0, 0);
    CHECK_ERR(connect(c, (SOCKADDR *)&a, sizeof a), WSAEWOULDBLOCK);
    CHECK_EVENTS(c, ev, FD_CONNECT | FD_WRITE, 1000);
    CHECK_EVENTS(c, ev, 0, 0);
    reselect_reports_nothing(c, ev, ALL);
    /* The accepted socket: FD_WRITE only, never FD_CONNECT. */
    SOCKET s = accept_one(l);
    CHECK_OK(WSAEventSelect(s, ev, ALL_BUT_CLOSE));
    CHECK_EVENTS(s, ev, FD_WRITE, 200);
    closesocket(s);
    closesocket(c);

    /* Connect (blocking), then select: the connect's events are reported. */
    c = tcp();
    new_case(ev);
    CHECK_OK(connect(c, (SOCKADDR *)&a, sizeof a));
    s = accept_one(l);
    CHECK_EQ(send(c, "hello", 5, 0), 5);
    CHECK_OK(WSAEventSelect(c, ev, ALL));
    CHECK_EVENTS(c, ev, FD_CONNECT | FD_WRITE, 200);
    closesocket(s);
    closesocket(c);

    /* A blocking connect made while the association is cancelled (mask 0)
     * is recorded, and reported once selected again. */
    new_case(ev);
    c = tcp();
    CHECK_OK(WSAEventSelect(c, ev, ALL));
    CHECK_OK(WSAEventSelect(c, NULL, 0));
    set_blocking(c, 1);
    CHECK_OK(connect(c, (SOCKADDR *)&a, sizeof a));
    s = accept_one(l);
    CHECK_EVENTS(c, ev, 0, 0);
    CHECK_OK(WSAEventSelect(c, ev, ALL));
    CHECK_EVENTS(c, ev, FD_CONNECT | FD_WRITE, 200);
    closesocket(s);
    closesocket(c);

    /* A mask without FD_CONNECT first: FD_WRITE; adding it: FD_CONNECT alone. */
    c = tcp();
    new_case(ev);
    CHECK_OK(WSAEventSelect(c, ev, FD_ACCEPT | FD_CLOSE | FD_OOB | FD_READ | FD_WRITE));
    CHECK_ERR(connect(c, (SOCKADDR *)&a, sizeof a), WSAEWOULDBLOCK);
    s = accept_one(l);
    CHECK_EVENTS(c, ev, FD_WRITE, 1000);
    CHECK_OK(WSAEventSelect(c, ev, ALL_BUT_CLOSE));
    CHECK_EVENTS(c, ev, FD_CONNECT, 200);
    closesocket(s);
    closesocket(c);

    /* A refused connect: FD_CONNECT with WSAECONNREFUSED (Microsoft's page). */
    nobody = a;
    closesocket(l);
    c = tcp();
    new_case(ev);
    CHECK_OK(WSAEventSelect(c, ev, ALL));
    CHECK_ERR(connect(c, (SOCKADDR *)&nobody, sizeof nobody), WSAEWOULDBLOCK);
    CHECK_EVENT_ERROR(c, ev, FD_CONNECT, FD_CONNECT_BIT, WSAECONNREFUSED, 2000);
    CHECK_EVENTS(c, ev, 0, 0);
    /* Selected again later on a fresh association: still reported. */
    SOCKET c2 = tcp();
    set_blocking(c2, 0);
    CHECK_ERR(connect(c2, (SOCKADDR *)&nobody, sizeof nobody), WSAEWOULDBLOCK);
    WAIT_SO_ERROR(c2, WSAECONNREFUSED, 2000);
    CHECK_OK(WSAEventSelect(c2, ev, ALL));
    CHECK_EVENT_ERROR(c2, ev, FD_CONNECT, FD_CONNECT_BIT, WSAECONNREFUSED, 200);
    closesocket(c2);
    closesocket(c);
}

/* test_write_events, and FD_WRITE after WSAEWOULDBLOCK (Microsoft's page). */
static void write_events(WSAEVENT ev)
{
    SOCKET c, s;
    char buf[16];
    tcp_pair(&c, &s);
    new_case(ev);
    set_blocking(c, 0);
    CHECK_OK(WSAEventSelect(s, ev, ALL));
    CHECK_EVENTS(s, ev, FD_WRITE, 200);
    CHECK_EVENTS(s, ev, 0, 0);
    reselect_reports_nothing(s, ev, ALL);
    CHECK_EQ(send(s, "hello", 5, 0), 5);
    CHECK_EVENTS(s, ev, 0, 0);
    RECV_EXACTLY(c, buf, 5);
    CHECK_EVENTS(s, ev, 0, 0);

    /* Sends taken whole until one would block; once the peer drains the
     * connection, FD_WRITE. */
    static char chunk[1 << 20];
    int sends = 0;
    while (send(s, chunk, sizeof chunk, 0) == (int)sizeof chunk) {
        CHECK(++sends < 256);
    }
    CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
    CHECK_EVENTS(s, ev, 0, 0);
    long want = (long)sends * (long)sizeof chunk, got = 0;
    static char sink[1 << 16];
    double deadline = now_ms() + 20000;
    while (got < want) {
        int n = recv(c, sink, sizeof sink, 0);
        if (n == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
            CHECK(now_ms() < deadline);
            Sleep(1);
            continue;
        }
        CHECK(n > 0);
        got += n;
    }
    CHECK_EVENTS(s, ev, FD_WRITE, 2000);
    CHECK_EVENTS(s, ev, 0, 0);
    closesocket(s);
    closesocket(c);

    /* A subset without FD_WRITE: FD_CONNECT on the connecting side; adding
     * FD_WRITE reports it. */
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_EQ(send(c, "hello", 5, 0), 5);
    CHECK_OK(WSAEventSelect(c, ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ));
    CHECK_EVENTS(c, ev, FD_CONNECT, 200);
    CHECK_EVENTS(c, ev, 0, 0);
    CHECK_OK(WSAEventSelect(c, ev, ALL_BUT_CLOSE));
    CHECK_EVENTS(c, ev, FD_WRITE, 200);
    CHECK_EVENTS(c, ev, 0, 0);
    closesocket(s);
    closesocket(c);

    /* A send does not clear a pending FD_WRITE. */
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, ALL));
    CHECK_EQ(send(s, "hello", 5, 0), 5);
    CHECK_EVENTS(s, ev, FD_WRITE, 200);
    closesocket(s);
    closesocket(c);
}

/* test_read_events. */
static void read_events(WSAEVENT ev)
{
    SOCKET c, s;
    char buf[16];
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ));
    CHECK_EVENTS(s, ev, 0, 0);
    CHECK_EQ(send(c, "hello", 5, 0), 5);
    CHECK_EVENTS(s, ev, FD_READ, 1000);
    CHECK_EVENTS(s, ev, 0, 0);
    reselect_reports_nothing(s, ev, FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ);
    /* New data records it again, though nothing re-enabled it. */
    CHECK_EQ(send(c, "hello", 5, 0), 5);
    CHECK_EVENTS(s, ev, FD_READ, 1000);
    CHECK_EVENTS(s, ev, 0, 0);
    /* A partial receive re-enables it: data remains. */
    CHECK_EQ(recv(s, buf, 2, 0), 2);
    CHECK_EVENTS(s, ev, FD_READ, 200);
    CHECK_EVENTS(s, ev, 0, 0);
    /* A receive that fails with WSAEFAULT records nothing. */
    CHECK_ERR(recv(s, buf, -1, 0), WSAEFAULT);
    CHECK_EVENTS(s, ev, 0, 0);
    /* Byte by byte: FD_READ after each but the last. */
    for (int i = 0; i < 8; i++) {
        CHECK_EQ(recv(s, buf, 1, 0), 1);
        CHECK_EVENTS(s, ev, i < 7 ? FD_READ : 0, i < 7 ? 200 : 0);
    }
    /* Consumed while not selecting: nothing to report. */
    CHECK_OK(WSAEventSelect(s, ev, 0));
    CHECK_EQ(send(c, "hello", 5, 0), 5);
    set_blocking(s, 1);
    RECV_EXACTLY(s, buf, 5);
    CHECK_OK(WSAEventSelect(s, ev, FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ));
    CHECK_EVENTS(s, ev, 0, 0);
    closesocket(s);
    closesocket(c);
}

static int CALLBACK defer_it(LPWSABUF caller, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos,
                             LPWSABUF callee, LPWSABUF callee_data, GROUP *g, DWORD_PTR data)
{
    (void)caller, (void)caller_data, (void)sqos, (void)gqos, (void)callee, (void)callee_data;
    (void)g, (void)data;
    return CF_DEFER;
}

/* test_accept_events; Microsoft's WSAEventSelect page: WSAAccept failing
 * with WSATRY_AGAIN (CF_DEFER) does not re-enable FD_ACCEPT. */
static void accept_events(WSAEVENT ev)
{
    SOCKADDR_IN a;
    const LONG mask = FD_CONNECT | FD_READ | FD_OOB | FD_ACCEPT;
    SOCKET l = tcp();
    new_case(ev);
    CHECK_OK(WSAEventSelect(l, ev, mask));
    CHECK_EVENTS(l, ev, 0, 0);
    a = addr4("127.0.0.1", 0);
    CHECK_OK(bind(l, (SOCKADDR *)&a, sizeof a));
    int len = sizeof a;
    CHECK_OK(getsockname(l, (SOCKADDR *)&a, &len));
    CHECK_OK(listen(l, 2));
    CHECK_EVENTS(l, ev, 0, 0);

    SOCKET c1 = tcp();
    CHECK_OK(connect(c1, (SOCKADDR *)&a, sizeof a));
    CHECK_EVENTS(l, ev, FD_ACCEPT, 1000);
    CHECK_EVENTS(l, ev, 0, 0);
    reselect_reports_nothing(l, ev, mask);
    /* A second connection records it again. */
    SOCKET c2 = tcp();
    CHECK_OK(connect(c2, (SOCKADDR *)&a, sizeof a));
    CHECK_EVENTS(l, ev, FD_ACCEPT, 1000);
    /* accept re-enables: one still waits. */
    SOCKET s1 = accept_one(l);
    CHECK_EVENTS(l, ev, FD_ACCEPT, 200);
    CHECK_EVENTS(l, ev, 0, 0);
    SOCKET s2 = accept_one(l);
    CHECK_EVENTS(l, ev, 0, 0);
    closesocket(s1); closesocket(s2); closesocket(c1); closesocket(c2);

    /* A connection that came while FD_ACCEPT was not selected, then
     * selected: reported. Accepted before re-selecting: not. */
    CHECK_OK(WSAEventSelect(l, ev, FD_CONNECT | FD_READ | FD_OOB));
    c1 = tcp();
    new_case(ev);
    CHECK_OK(connect(c1, (SOCKADDR *)&a, sizeof a));
    Sleep(200);
    CHECK_OK(WSAEventSelect(l, ev, mask));
    CHECK_EVENTS(l, ev, FD_ACCEPT, 200);
    s1 = accept_one(l);
    CHECK_OK(WSAEventSelect(l, ev, FD_CONNECT | FD_READ | FD_OOB));
    c2 = tcp();
    CHECK_OK(connect(c2, (SOCKADDR *)&a, sizeof a));
    Sleep(200);
    s2 = accept_one(l);
    CHECK_OK(WSAEventSelect(l, ev, mask));
    CHECK_EVENTS(l, ev, 0, 0);
    closesocket(s1); closesocket(s2); closesocket(c1); closesocket(c2);

    /* A deferred connection: FD_ACCEPT is not recorded again; the accept
     * that takes it re-enables it, with nothing left waiting. */
    new_case(ev);
    c1 = tcp();
    CHECK_OK(connect(c1, (SOCKADDR *)&a, sizeof a));
    CHECK_EVENTS(l, ev, FD_ACCEPT, 1000);
    CHECK(WSAAccept(l, NULL, NULL, defer_it, 0) == INVALID_SOCKET);
    CHECK_EQ(WSAGetLastError(), WSATRY_AGAIN);
    CHECK_EVENTS(l, ev, 0, 200);
    s1 = WSAAccept(l, NULL, NULL, NULL, 0);
    CHECK(s1 != INVALID_SOCKET);
    CHECK_EVENTS(l, ev, 0, 0);
    closesocket(s1); closesocket(c1);

    /* The accepted socket takes the listener's event and mask: FD_WRITE. */
    CHECK_OK(WSAEventSelect(l, ev, mask | FD_WRITE));
    c1 = tcp();
    new_case(ev);
    CHECK_OK(connect(c1, (SOCKADDR *)&a, sizeof a));
    CHECK_EVENTS(l, ev, FD_ACCEPT, 1000);
    s1 = accept_one(l);
    CHECK_EVENTS(s1, ev, FD_WRITE, 200);
    CHECK_EVENTS(s1, ev, 0, 0);
    /* ...and is non-blocking, as WSAEventSelect made the listener. */
    char b;
    CHECK_ERR(recv(s1, &b, 1, 0), WSAEWOULDBLOCK);
    closesocket(s1); closesocket(c1);
    closesocket(l);
}

/* test_close_events. */
static void close_events(WSAEVENT ev)
{
    SOCKET c, s;
    char buf[16];
    const LONG mask = ALL_BUT_CLOSE & ~FD_WRITE;

    /* The peer's closesocket: FD_CLOSE, error 0, once. */
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, mask | FD_CLOSE));
    CHECK_OK(closesocket(c));
    CHECK_EVENTS(s, ev, FD_CLOSE, 1000);
    CHECK_EVENTS(s, ev, 0, 0);
    reselect_reports_nothing(s, ev, mask | FD_CLOSE);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    CHECK_EVENTS(s, ev, 0, 0);
    closesocket(s);

    /* The peer's shutdown(SD_SEND): FD_CLOSE; its closesocket after: nothing. */
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, mask | FD_CLOSE));
    CHECK_OK(shutdown(c, SD_SEND));
    CHECK_EVENTS(s, ev, FD_CLOSE, 1000);
    CHECK_EVENTS(s, ev, 0, 0);
    CHECK_OK(closesocket(c));
    CHECK_EVENTS(s, ev, 0, 200);
    closesocket(s);

    /* Own shutdowns record nothing; the peer's SD_SEND after them does. */
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, mask | FD_CLOSE));
    CHECK_OK(shutdown(c, SD_RECEIVE));
    CHECK_OK(shutdown(s, SD_BOTH));
    CHECK_EVENTS(s, ev, 0, 200);
    CHECK_OK(shutdown(c, SD_SEND));
    CHECK_EVENTS(s, ev, FD_CLOSE, 1000);
    CHECK_EVENTS(s, ev, 0, 0);
    closesocket(s);
    closesocket(c);

    /* FD_CLOSE comes with data still unread. */
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, mask | FD_CLOSE));
    CHECK_EQ(send(c, "hello", 5, 0), 5);
    CHECK_EVENTS(s, ev, FD_READ, 1000);
    CHECK_OK(closesocket(c));
    CHECK_EVENTS(s, ev, FD_CLOSE, 1000);
    CHECK_EQ(recv(s, buf, 3, 0), 3);
    CHECK_EVENTS(s, ev, FD_READ, 200);
    CHECK_EQ(recv(s, buf, 5, 0), 2);
    CHECK_EVENTS(s, ev, 0, 0);
    closesocket(s);

    /* Closed first, then selected: FD_CLOSE. Not selected, then added: too. */
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(closesocket(c));
    Sleep(100);
    CHECK_OK(WSAEventSelect(s, ev, mask | FD_CLOSE));
    CHECK_EVENTS(s, ev, FD_CLOSE, 200);
    closesocket(s);
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, mask));
    CHECK_OK(closesocket(c));
    CHECK_EVENTS(s, ev, 0, 200);
    CHECK_OK(WSAEventSelect(s, ev, mask | FD_CLOSE));
    CHECK_EVENTS(s, ev, FD_CLOSE, 200);
    closesocket(s);

    /* A reset: FD_CLOSE with WSAECONNABORTED, once. */
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, mask | FD_CLOSE));
    LINGER abort_now = {1, 0};
    CHECK_OK(setsockopt(c, SOL_SOCKET, SO_LINGER, (char *)&abort_now, sizeof abort_now));
    CHECK_OK(closesocket(c));
    CHECK_EVENT_ERROR(s, ev, FD_CLOSE, FD_CLOSE_BIT, WSAECONNABORTED, 1000);
    CHECK_EVENTS(s, ev, 0, 0);
    reselect_reports_nothing(s, ev, mask | FD_CLOSE);
    closesocket(s);
}

/* test_oob_events (SO_OOBINLINE off). */
static void oob_events(WSAEVENT ev)
{
    SOCKET c, s;
    char buf[4];
    const LONG mask = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ;
    tcp_pair(&c, &s);
    new_case(ev);
    CHECK_OK(WSAEventSelect(s, ev, mask));
    CHECK_EVENTS(s, ev, 0, 0);
    CHECK_EQ(send(c, "a", 1, MSG_OOB), 1);
    CHECK_EVENTS(s, ev, FD_OOB, 1000);
    CHECK_EVENTS(s, ev, 0, 0);
    reselect_reports_nothing(s, ev, mask);
    CHECK_EQ(recv(s, buf, 1, MSG_OOB), 1);
    CHECK_EQ(buf[0], 'a');
    CHECK_EVENTS(s, ev, 0, 0);
    /* Sent while not selected, reported once selected. */
    CHECK_OK(WSAEventSelect(s, ev, 0));
    CHECK_EQ(send(c, "b", 1, MSG_OOB), 1);
    Sleep(100);
    CHECK_OK(WSAEventSelect(s, ev, mask));
    CHECK_EVENTS(s, ev, FD_OOB, 200);
    closesocket(s);
    closesocket(c);
}

int main(void)
{
    startup();
    WSAEVENT ev = WSACreateEvent();
    connect_events(ev);
    write_events(ev);
    read_events(ev);
    accept_events(ev);
    close_events(ev);
    oob_events(ev);
    WSACloseEvent(ev);
    WSACleanup();
    printf("stream_events: ok\n");
    return 0;
}
