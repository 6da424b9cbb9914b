/* P1 S35: WSAEventSelect and WSAEnumNetworkEvents on datagram sockets, as
 * Wine's Windows-run sock.c records them: test_WSAEnumNetworkEvents,
 * test_events (test_connect_events' UDP part, test_read_events and
 * test_accept_events' event rules carried over to datagrams,
 * test_close_events), test_fionbio; research sheet §3, §4.1. */
#include "readiness.h"

static SOCKET udp(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    return s;
}

/* test_events' check_events: `expected` events (all with error 0) within
 * `timeout` ms, or none (the wait times out); then WSAEnumNetworkEvents
 * reports exactly them and resets the event. */
#define CHECK_EVENTS(s, ev, expected, timeout) \
    check_events((s), (ev), (expected), (timeout), __FILE__, __LINE__)
static void check_events(SOCKET s, WSAEVENT ev, LONG expected, DWORD timeout, const char *file,
                         int line)
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
        int want = (expected & (1 << bit)) ? 0 : (int)0xcccccccc;
        if (ne.iErrorCode[bit] != want) {
            snprintf(m, sizeof m, "iErrorCode[%d] = %#x, expected %#x", bit,
                     (unsigned)ne.iErrorCode[bit], (unsigned)want);
            ws2t_fail(file, line, m, 0);
        }
    }
}

/* Waits until `s` has a datagram (the socket is non-blocking once events
 * are selected). */
static void wait_readable(SOCKET s)
{
    WSAPOLLFD p = {s, POLLRDNORM, 0};
    CHECK_EQ(WSAPoll(&p, 1, 2000), 1);
}

static void send_to(SOCKET tx, const SOCKADDR_STORAGE *to, const char *data, int len)
{
    CHECK_EQ(sendto(tx, data, len, 0, (const SOCKADDR *)to, sizeof(SOCKADDR_IN)), len);
}

/* test_WSAEnumNetworkEvents, UDP bound to 0.0.0.0:0, with hEvent given and
 * NULL: FD_WRITE at the first selection only (re-selecting never records
 * it again); only the reported bits' iErrorCode entries are written. */
static void enum_network_events_udp(void)
{
    for (int with_event = 0; with_event < 2; with_event++) {
        SOCKET s = udp();
        SOCKADDR_IN any;
        WSAEVENT ev = WSACreateEvent();
        memset(&any, 0, sizeof any);
        any.sin_family = AF_INET;
        CHECK_OK(bind(s, (SOCKADDR *)&any, sizeof any));
        for (int j = 0; j < 5; j++) {
            WSANETWORKEVENTS ne;
            CHECK_OK(WSAEventSelect(s, ev, FD_READ | FD_WRITE));
            memset(&ne, 0xab, sizeof ne);
            CHECK_OK(WSAEnumNetworkEvents(s, with_event ? ev : NULL, &ne));
            CHECK_EQ(ne.lNetworkEvents, j == 0 ? FD_WRITE : 0);
            for (int k = 0; k < FD_MAX_EVENTS; k++) {
                if (ne.lNetworkEvents & (1 << k))
                    CHECK_EQ(ne.iErrorCode[k], 0);
                else
                    CHECK_EQ((unsigned)ne.iErrorCode[k], 0xababababu);
            }
        }
        WSACloseEvent(ev);
        closesocket(s);
    }
}

/* test_connect_events "Test with UDP sockets": an unbound UDP socket has
 * nothing pending; connect records FD_CONNECT + FD_WRITE (error 0); the
 * events of a connect made before the selection are reported by it. */
static void connect_events_udp(WSAEVENT ev)
{
    SOCKADDR_STORAGE server_addr;
    SOCKET server = udp_receiver("127.0.0.1", &server_addr);
    SOCKET client = udp();
    CHECK_OK(WSAEventSelect(client, ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE));
    CHECK_EVENTS(client, ev, 0, 0);
    CHECK_OK(connect(client, (SOCKADDR *)&server_addr, sizeof(SOCKADDR_IN)));
    CHECK_EVENTS(client, ev, FD_CONNECT | FD_WRITE, 200);
    CHECK_EVENTS(client, ev, 0, 0);
    CHECK_OK(WSAEventSelect(client, ev, 0));
    CHECK_OK(WSAEventSelect(client, ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE));
    CHECK_EVENTS(client, ev, 0, 0);
    closesocket(client);

    /* Connect, then select. */
    client = udp();
    CHECK_OK(connect(client, (SOCKADDR *)&server_addr, sizeof(SOCKADDR_IN)));
    CHECK_OK(WSAEventSelect(client, ev, FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE));
    CHECK_EVENTS(client, ev, FD_CONNECT | FD_WRITE, 200);
    closesocket(client);
    closesocket(server);
}

/* test_read_events carried over to datagrams. */
static void read_events_udp(WSAEVENT ev)
{
    const LONG mask = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ;
    SOCKADDR_STORAGE server_addr;
    SOCKET server = udp_receiver("127.0.0.1", &server_addr);
    SOCKET client = udp();
    char buf[16];
    WSAOVERLAPPED ov;
    WSABUF wb;
    DWORD flags = 0, size = 0;

    CHECK_OK(WSAEventSelect(server, ev, mask));
    CHECK_EVENTS(server, ev, 0, 0);

    send_to(client, &server_addr, "data", 5);
    CHECK_EVENTS(server, ev, FD_READ, 200);
    CHECK_EVENTS(server, ev, 0, 0);
    /* Re-selecting reports nothing again, nor does selecting 0 first. */
    CHECK_OK(WSAEventSelect(server, ev, mask));
    CHECK_EVENTS(server, ev, 0, 0);
    CHECK_OK(WSAEventSelect(server, ev, 0));
    CHECK_OK(WSAEventSelect(server, ev, mask));
    CHECK_EVENTS(server, ev, 0, 0);

    /* New data records FD_READ again, though no receive re-enabled it. */
    send_to(client, &server_addr, "data", 5);
    CHECK_EVENTS(server, ev, FD_READ, 200);
    CHECK_EVENTS(server, ev, 0, 0);

    /* A receive re-enables: FD_READ again while a datagram remains. */
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 5);
    CHECK_EVENTS(server, ev, FD_READ, 200);
    CHECK_EVENTS(server, ev, 0, 0);

    /* A receive that fails with WSAEFAULT records nothing. */
    CHECK_ERR(recv(server, buf, -1, 0), WSAEFAULT);
    CHECK_EVENTS(server, ev, 0, 0);

    /* The last datagram: nothing remains, nothing recorded. */
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 5);
    CHECK_EVENTS(server, ev, 0, 0);

    /* "Send data while we're not selecting": reported once selected. */
    CHECK_OK(WSAEventSelect(server, ev, 0));
    send_to(client, &server_addr, "data", 5);
    wait_readable(server);
    CHECK_OK(WSAEventSelect(server, ev, mask));
    CHECK_EVENTS(server, ev, FD_READ, 200);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 5);

    /* Consumed while not selecting: nothing to report. */
    CHECK_OK(WSAEventSelect(server, ev, 0));
    send_to(client, &server_addr, "data", 5);
    wait_readable(server);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 5);
    CHECK_OK(WSAEventSelect(server, ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ));
    CHECK_EVENTS(server, ev, 0, 200);

    /* "Send data while we're polling for data but not selecting for
     * FD_READ": the enumeration does not clear events not selected; they
     * are reported once selected. */
    CHECK_OK(WSAEventSelect(server, ev, 0));
    send_to(client, &server_addr, "data", 5);
    wait_readable(server);
    CHECK_EVENTS(server, ev, 0, 0);
    CHECK_OK(WSAEventSelect(server, ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE));
    CHECK_EVENTS(server, ev, FD_READ | FD_WRITE, 200);
    CHECK_EVENTS(server, ev, 0, 0);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 5);

    /* "Send data while there is a pending WSARecv()": the receive takes it,
     * no FD_READ; the next datagram records it. */
    CHECK_OK(WSAEventSelect(server, ev, mask));
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    wb.buf = buf;
    wb.len = sizeof buf;
    CHECK_ERR(WSARecv(server, &wb, 1, NULL, &flags, &ov, NULL), WSA_IO_PENDING);
    send_to(client, &server_addr, "a", 1);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0);
    CHECK(WSAGetOverlappedResult(server, &ov, &size, FALSE, &flags));
    CHECK_EQ(size, 1);
    CHECK_EVENTS(server, ev, 0, 200);
    send_to(client, &server_addr, "a", 1);
    CHECK_EVENTS(server, ev, FD_READ, 200);
    CHECK_EVENTS(server, ev, 0, 0);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 1);
    WSACloseEvent(ov.hEvent);
    closesocket(server);
    closesocket(client);
}

/* test_accept_events (case 6) and Microsoft's page: WSAEventSelect never
 * resets the event; a selection that includes a pending event signals it
 * at once. */
static void selection_never_resets_the_event(WSAEVENT ev)
{
    SOCKADDR_STORAGE server_addr;
    SOCKET server = udp_receiver("127.0.0.1", &server_addr);
    SOCKET client = udp();
    char buf[16];
    CHECK_OK(WSAEventSelect(server, ev, FD_READ));
    send_to(client, &server_addr, "data", 4);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_OK(WSAEventSelect(server, ev, FD_OOB));
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK(WSAResetEvent(ev));
    CHECK_OK(WSAEventSelect(server, ev, FD_OOB));
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    CHECK_OK(WSAEventSelect(server, ev, FD_READ | FD_OOB));
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EVENTS(server, ev, FD_READ, 0);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 4);
    closesocket(server);
    closesocket(client);
}

/* Microsoft's page and test_fionbio: WSAEventSelect makes the socket
 * non-blocking; FIONBIO 0 is refused with WSAEINVAL while events are
 * selected (WSAIoctl writes 0 to lpcbBytesReturned), 1 is allowed, and
 * after WSAEventSelect(s, NULL, 0) 0 works again. */
static void nonblocking_and_fionbio(WSAEVENT ev)
{
    SOCKADDR_STORAGE addr;
    SOCKET s = udp_receiver("127.0.0.1", &addr);
    u_long zero = 0, one = 1;
    DWORD size;
    char buf[8];
    CHECK_OK(ioctlsocket(s, FIONBIO, &zero));
    CHECK_OK(WSAEventSelect(s, ev, FD_READ));
    CHECK_ERR(recv(s, buf, sizeof buf, 0), WSAEWOULDBLOCK);
    CHECK_ERR(ioctlsocket(s, FIONBIO, &zero), WSAEINVAL);
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, FIONBIO, &zero, sizeof zero, NULL, 0, &size, NULL, NULL), WSAEINVAL);
    CHECK_EQ(size, 0);
    CHECK_OK(ioctlsocket(s, FIONBIO, &one));
    size = 0xdeadbeef;
    CHECK_OK(WSAIoctl(s, FIONBIO, &one, sizeof one, NULL, 0, &size, NULL, NULL));
    CHECK_EQ(size, 0);
    CHECK_OK(WSAEventSelect(s, NULL, 0));
    CHECK_OK(ioctlsocket(s, FIONBIO, &zero));
    /* test_fionbio's bad arguments. */
    CHECK_ERR(ioctlsocket(s, FIONBIO, (u_long *)1), WSAEFAULT);
    CHECK_ERR(WSAIoctl(s, FIONBIO, &one, sizeof one, NULL, 0, NULL, NULL, NULL), WSAEFAULT);
    CHECK_ERR(WSAIoctl(s, FIONBIO, &one, 3, NULL, 0, &size, NULL, NULL), WSAEFAULT);
    closesocket(s);
}

/* Bad arguments (Microsoft's pages; no Windows-run record fixes more). */
static void bad_arguments(WSAEVENT ev)
{
    SOCKADDR_STORAGE addr;
    SOCKET s = udp_receiver("127.0.0.1", &addr);
    SOCKET other = udp();
    WSANETWORKEVENTS ne;
    CHECK_ERR(WSAEventSelect(INVALID_SOCKET, ev, FD_READ), WSAENOTSOCK);
    CHECK_ERR(WSAEventSelect(s, ev, FD_ALL_EVENTS + 1), WSAEINVAL);
    CHECK_ERR(WSAEventSelect(s, NULL, FD_READ), WSAEINVAL);
    CHECK_ERR(WSAEventSelect(s, (WSAEVENT)other, FD_READ), WSAEINVAL);
    CHECK_OK(WSAEventSelect(s, ev, FD_ALL_EVENTS));
    CHECK_ERR(WSAEnumNetworkEvents(s, ev, NULL), WSAEFAULT);
    CHECK_ERR(WSAEnumNetworkEvents(s, (WSAEVENT)other, &ne), WSAEINVAL);
    CHECK_ERR(WSAEnumNetworkEvents(INVALID_SOCKET, ev, &ne), WSAENOTSOCK);
    /* The failed calls touched neither the record nor the event. */
    CHECK_EVENTS(s, ev, FD_WRITE, 0);
    closesocket(s);
    CHECK_ERR(WSAEnumNetworkEvents(s, ev, &ne), WSAENOTSOCK);
    closesocket(other);
}

/* test_close_events: FD_CLOSE is a stream's (the peer's close or
 * shutdown); a datagram socket never records it, and no shutdown of one's
 * own records anything ("No other shutdown() call generates an event"). */
static void no_close_events_for_datagrams(WSAEVENT ev)
{
    SOCKADDR_STORAGE a_addr, b_addr;
    SOCKET a = udp_receiver("127.0.0.1", &a_addr);
    SOCKET b = udp_receiver("127.0.0.1", &b_addr);
    CHECK_OK(connect(a, (SOCKADDR *)&b_addr, sizeof(SOCKADDR_IN)));
    CHECK_OK(connect(b, (SOCKADDR *)&a_addr, sizeof(SOCKADDR_IN)));
    CHECK_OK(WSAEventSelect(a, ev, FD_CLOSE | FD_OOB | FD_ACCEPT));
    CHECK_EVENTS(a, ev, 0, 0);
    closesocket(b);
    CHECK_EVENTS(a, ev, 0, 200);
    CHECK_OK(shutdown(a, SD_BOTH));
    CHECK_EVENTS(a, ev, 0, 200);
    closesocket(a);
}

/* The event is waited on like any (S33): an alertable wait runs a routine
 * and returns WSA_WAIT_IO_COMPLETION; closesocket ends the association and
 * the event stays usable. */
static void alertable_wait_and_close(WSAEVENT ev)
{
    SOCKADDR_STORAGE rx_addr, sink_addr;
    SOCKET rx = udp_receiver("127.0.0.1", &rx_addr);
    SOCKET sink = udp_receiver("127.0.0.1", &sink_addr);
    SOCKET tx = udp();
    WSAOVERLAPPED ov;
    CHECK_OK(WSAEventSelect(rx, ev, FD_READ));
    routines_run = 0;
    queue_routine(tx, &sink_addr, &ov);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, TRUE), WSA_WAIT_IO_COMPLETION);
    CHECK_EQ(routines_run, 1);
    send_to(tx, &rx_addr, "x", 1);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, TRUE), WSA_WAIT_EVENT_0);
    CHECK(WSAResetEvent(ev));
    closesocket(rx);
    send_to(tx, &rx_addr, "x", 1);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 100, FALSE), WSA_WAIT_TIMEOUT);
    CHECK(WSASetEvent(ev));
    CHECK(WSAResetEvent(ev));
    closesocket(sink);
    closesocket(tx);
}

int main(void)
{
    startup();
    WSAEVENT ev = WSACreateEvent();
    CHECK(ev != WSA_INVALID_EVENT);
    enum_network_events_udp();
    connect_events_udp(ev);
    read_events_udp(ev);
    selection_never_resets_the_event(ev);
    nonblocking_and_fionbio(ev);
    bad_arguments(ev);
    no_close_events_for_datagrams(ev);
    alertable_wait_and_close(ev);
    WSACloseEvent(ev);
    WSACleanup();
    printf("readiness_events: ok\n");
    return 0;
}
