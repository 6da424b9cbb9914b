/* P1 S17 S34: writability on a rate-limited link (host A of a slow veth
 * link, argv: B's IPv4 address and a port where B receives):
 * - a non-blocking send that fails with WSAEWOULDBLOCK re-enables FD_WRITE,
 *   recorded once the socket can send again (Microsoft's WSAEventSelect
 *   page; sock.c test_write_events' check of it runs on Wine only, research
 *   sheet §3.3 write case 3), and a successful send does not clear a
 *   pending FD_WRITE (test_write_events, last case);
 * - select and WSAPoll answer "not writable" while the send buffer is full
 *   or overlapped sends are queued ahead (a send would block, S34), and
 *   their wait ends when that changes. */
#include "readiness.h"

static int send_until_it_would_block(SOCKET s, const SOCKADDR_IN *to)
{
    static char payload[1000];
    for (int i = 0; i < 100000; i++) {
        if (sendto(s, payload, sizeof payload, 0, (const SOCKADDR *)to, sizeof *to) ==
            SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
            return i;
        }
    }
    FAIL("the send buffer never filled");
    return 0;
}

static void writable_again_after_would_block(const SOCKADDR_IN *to)
{
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    int sndbuf = 4096;
    WSAEVENT ev = WSACreateEvent();
    WSANETWORKEVENTS ne;
    fd_set w;
    struct timeval none = {0, 0}, ten = {10, 0};
    WSAPOLLFD p;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&sndbuf, sizeof sndbuf));
    CHECK_OK(connect(s, (const SOCKADDR *)to, sizeof *to));
    CHECK_OK(WSAEventSelect(s, ev, FD_WRITE));
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0);
    /* A successful send does not clear the pending FD_WRITE... */
    CHECK_EQ(send(s, "x", 1, 0), 1);
    CHECK_OK(WSAEnumNetworkEvents(s, ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_WRITE);
    /* ...nor records one. */
    CHECK_EQ(send(s, "x", 1, 0), 1);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);

    CHECK(send_until_it_would_block(s, to) > 0);
    /* Full: not writable for select or WSAPoll. */
    FD_ZERO(&w);
    FD_SET(s, &w);
    CHECK_EQ(select(0, NULL, &w, NULL, &none), 0);
    p.fd = s;
    p.events = POLLWRNORM;
    CHECK_EQ(WSAPoll(&p, 1, 0), 0);
    CHECK_EQ(p.revents, 0);
    /* The link drains: FD_WRITE, and select's wait ends. */
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 10000, FALSE), WSA_WAIT_EVENT_0);
    memset(&ne, 0xcc, sizeof ne);
    CHECK_OK(WSAEnumNetworkEvents(s, ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_WRITE);
    CHECK_EQ(ne.iErrorCode[FD_WRITE_BIT], 0);
    FD_SET(s, &w);
    CHECK_EQ(select(0, NULL, &w, NULL, &ten), 1);
    CHECK(FD_ISSET(s, &w));

    /* Once reported, FD_WRITE comes again only after another failed send. */
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 300, FALSE), WSA_WAIT_TIMEOUT);
    CHECK(send_until_it_would_block(s, to) > 0);
    p.revents = 0;
    CHECK_EQ(WSAPoll(&p, 1, 10000), 1); /* WSAPoll's wait ends as it drains */
    CHECK_EQ(p.revents, POLLWRNORM);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 10000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_OK(WSAEnumNetworkEvents(s, ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_WRITE);
    WSACloseEvent(ev);
    closesocket(s);
}

/* Overlapped sends queued ahead: a send would wait its turn (S34), so the
 * socket is not writable until the reactor has sent them all; the wait
 * ends then (the reactor wakes the socket's waiters). */
static void not_writable_behind_queued_sends(const SOCKADDR_IN *to)
{
    enum { N = 64 };
    static WSAOVERLAPPED ov[N];
    static char payload[1000];
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    int sndbuf = 4096, pending = 0;
    fd_set w;
    struct timeval none = {0, 0}, ten = {10, 0};
    WSABUF b = {sizeof payload, payload};
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&sndbuf, sizeof sndbuf));
    for (int i = 0; i < N; i++) {
        DWORD sent;
        memset(&ov[i], 0, sizeof ov[i]);
        ov[i].hEvent = WSACreateEvent();
        int r = WSASendTo(s, &b, 1, &sent, 0, (const SOCKADDR *)to, sizeof *to, &ov[i], NULL);
        if (r == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
            pending++;
        }
    }
    CHECK(pending > 0);
    FD_ZERO(&w);
    FD_SET(s, &w);
    CHECK_EQ(select(0, NULL, &w, NULL, &none), 0);
    FD_SET(s, &w);
    CHECK_EQ(select(0, NULL, &w, NULL, &ten), 1);
    /* Writable means nothing is queued ahead any more. */
    for (int i = 0; i < N; i++) {
        CHECK_EQ(WSAWaitForMultipleEvents(1, &ov[i].hEvent, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
        WSACloseEvent(ov[i].hEvent);
    }
    closesocket(s);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DEST_IPV4 PORT\n", argv[0]);
        return 2;
    }
    startup();
    SOCKADDR_IN to = addr4(argv[1], (unsigned)atoi(argv[2]));
    writable_again_after_would_block(&to);
    not_writable_behind_queued_sends(&to);
    WSACleanup();
    printf("readiness_write_events: ok\n");
    return 0;
}
