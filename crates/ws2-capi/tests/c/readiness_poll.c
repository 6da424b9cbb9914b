/* P1 S35: WSAPoll on datagram sockets, as Wine's Windows-run sock.c
 * test_WSAPoll and test_select_after_WSAEventSelect record it (research
 * sheet research-readiness.md §2). */
#include "readiness.h"

static SOCKET udp(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    return s;
}

#define FULL (POLLRDNORM | POLLRDBAND | POLLWRNORM)

/* One entry polled: WSAPoll returns 1 exactly when revents is set
 * (test_WSAPoll's check_poll). */
#define CHECK_POLL(s, ev, expected)                                           \
    do {                                                                       \
        WSAPOLLFD p_;                                                          \
        p_.fd = (s);                                                           \
        p_.events = (SHORT)(ev);                                               \
        p_.revents = (SHORT)0xdead;                                            \
        int n_ = WSAPoll(&p_, 1, 0);                                           \
        CHECK_EQ(n_, (expected) ? 1 : 0);                                      \
        CHECK_EQ(p_.revents, (expected));                                      \
    } while (0)

/* test_WSAPoll parameter checks. */
static void bad_arguments(void)
{
    SOCKET s = udp();
    WSAPOLLFD fds[2];
    static const SHORT invalid[] = {POLLERR, POLLHUP, POLLNVAL, 0x8, POLLWRBAND, 0x40, 0x80,
                                    POLLPRI, 0x800, 0x1000, 0x2000, 0x4000, (SHORT)0x8000};
    unsigned i;

    CHECK_ERR(WSAPoll(NULL, 0, 0), WSAEINVAL);
    CHECK_ERR(WSAPoll(NULL, 1, 0), WSAEFAULT);
    CHECK_ERR(WSAPoll(NULL, 0, 1), WSAEINVAL);
    CHECK_ERR(WSAPoll(NULL, 1, 1), WSAEFAULT);

    /* Any events bit but RDNORM, RDBAND and WRNORM: WSAEINVAL, revents 0. */
    for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        fds[0].fd = s;
        fds[0].events = invalid[i];
        fds[0].revents = (SHORT)0xdead;
        CHECK_ERR(WSAPoll(fds, 1, 0), WSAEINVAL);
        CHECK_EQ(fds[0].revents, 0);
    }

    /* INVALID_SOCKET: POLLNVAL, not counted, its events not checked, and
     * a successful call sets the last error to 0. */
    fds[0].fd = INVALID_SOCKET;
    fds[0].events = POLLERR;
    fds[0].revents = (SHORT)0xdead;
    fds[1].fd = s;
    fds[1].events = POLLRDNORM;
    fds[1].revents = (SHORT)0xdead;
    WSASetLastError(0xdeadbeef);
    CHECK_EQ(WSAPoll(fds, 2, 0), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(fds[0].revents, POLLNVAL);
    CHECK_EQ(fds[1].revents, 0);

    /* A handle that is not a socket: POLLNVAL, not counted... */
    fds[0].fd = s;
    fds[0].events = POLLRDNORM;
    fds[1].fd = 0xabacab;
    fds[1].events = POLLRDNORM;
    fds[1].revents = 0;
    CHECK_EQ(WSAPoll(fds, 2, 0), 0);
    CHECK_EQ(fds[0].revents, 0);
    CHECK_EQ(fds[1].revents, POLLNVAL);
    /* ...but with bad events it fails the call: both revents 0. */
    fds[0].revents = (SHORT)0xdead;
    fds[1].events = POLLERR;
    fds[1].revents = (SHORT)0xdead;
    CHECK_ERR(WSAPoll(fds, 2, 0), WSAEINVAL);
    CHECK_EQ(fds[0].revents, 0);
    CHECK_EQ(fds[1].revents, 0);

    /* No socket at all: WSAENOTSOCK, every entry POLLNVAL (not WSAEINVAL
     * for the bad events). */
    fds[0].fd = INVALID_SOCKET;
    fds[0].events = POLLERR;
    fds[1].fd = 0xabacab;
    fds[1].events = POLLERR;
    CHECK_ERR(WSAPoll(fds, 2, 0), WSAENOTSOCK);
    CHECK_EQ(fds[0].revents, POLLNVAL);
    CHECK_EQ(fds[1].revents, POLLNVAL);

    /* events 0 is valid (a datagram socket has no POLLHUP/POLLERR). */
    CHECK_POLL(s, 0, 0);
    closesocket(s);
}

/* test_WSAPoll's UDP states: unbound and bound sockets are writable; a
 * queued datagram is POLLRDNORM, never POLLRDBAND. */
static void datagram_states(void)
{
    SOCKADDR_STORAGE rx_addr;
    SOCKET fresh = udp();
    SOCKET rx = udp_receiver("127.0.0.1", &rx_addr);
    SOCKET tx = udp();
    CHECK_POLL(fresh, FULL, POLLWRNORM);
    CHECK_POLL(rx, FULL, POLLWRNORM);
    CHECK_POLL(rx, POLLRDNORM | POLLRDBAND, 0);
    CHECK_EQ(sendto(tx, "data", 5, 0, (SOCKADDR *)&rx_addr, sizeof(SOCKADDR_IN)), 5);
    {
        /* Wait for it with a real timeout. */
        WSAPOLLFD p = {rx, POLLIN, 0};
        CHECK_EQ(WSAPoll(&p, 1, 1000), 1);
        CHECK_EQ(p.revents, POLLRDNORM);
    }
    CHECK_POLL(rx, POLLRDNORM | POLLRDBAND, POLLRDNORM);
    CHECK_POLL(rx, FULL, POLLRDNORM | POLLWRNORM);
    CHECK_POLL(rx, POLLRDBAND, 0);
    CHECK_POLL(rx, POLLOUT, POLLWRNORM);
    CHECK_POLL(tx, FULL, POLLWRNORM);
    /* Several entries: the return value counts the entries with revents. */
    {
        WSAPOLLFD p[3] = {{rx, POLLIN, 0}, {tx, POLLIN, 0}, {fresh, POLLOUT, 0}};
        CHECK_EQ(WSAPoll(p, 3, 0), 2);
        CHECK(p[0].revents == POLLRDNORM && p[1].revents == 0 && p[2].revents == POLLWRNORM);
    }
    closesocket(fresh);
    closesocket(rx);
    closesocket(tx);
}

/* test_WSAPoll: a socket closed by another thread during the wait gives
 * POLLNVAL, counted, and ends the wait; a routine queued to the thread runs
 * in the wait and does not end it (S35). A negative timeout waits for ever:
 * an arrival ends it. */
static void close_routine_and_arrival(void)
{
    SOCKADDR_STORAGE a_addr, sink_addr;
    SOCKET a = udp_receiver("127.0.0.1", &a_addr);
    SOCKET sink = udp_receiver("127.0.0.1", &sink_addr);
    SOCKET tx = udp();
    WSAOVERLAPPED ov;
    struct later l;
    WSAPOLLFD p;
    double t0;

    routines_run = 0;
    queue_routine(tx, &sink_addr, &ov);
    memset(&l, 0, sizeof l);
    l.kind = LATER_CLOSE;
    l.delay_ms = 300;
    l.s = a;
    p.fd = a;
    p.events = POLLRDNORM | POLLRDBAND;
    p.revents = 0;
    t0 = now_ms();
    later_start(&l);
    CHECK_EQ(WSAPoll(&p, 1, 2000), 1);
    CHECK(now_ms() - t0 >= 250 && now_ms() - t0 < 1500);
    CHECK_EQ(p.revents, POLLNVAL);
    CHECK_EQ(routines_run, 1);
    later_join(&l);

    /* A routine queued while nothing is ready: it runs, and the wait goes
     * on to its timeout. */
    {
        SOCKADDR_STORAGE idle_addr;
        SOCKET idle = udp_receiver("127.0.0.1", &idle_addr);
        queue_routine(tx, &sink_addr, &ov);
        p.fd = idle;
        p.events = POLLRDNORM;
        t0 = now_ms();
        CHECK_EQ(WSAPoll(&p, 1, 300), 0);
        CHECK(now_ms() - t0 >= 290);
        CHECK_EQ(routines_run, 2);
        CHECK_EQ(p.revents, 0);
        closesocket(idle);
    }

    memset(&l, 0, sizeof l);
    l.kind = LATER_SEND;
    l.delay_ms = 200;
    l.s = udp();
    a = udp_receiver("127.0.0.1", &a_addr);
    l.to = a_addr;
    p.fd = a;
    p.events = POLLRDNORM;
    t0 = now_ms();
    later_start(&l);
    CHECK_EQ(WSAPoll(&p, 1, -5), 1);
    CHECK(now_ms() - t0 < 2000);
    CHECK_EQ(p.revents, POLLRDNORM);
    later_join(&l);
    closesocket(l.s);
    closesocket(a);
    closesocket(sink);
    closesocket(tx);
}

/* test_select_after_WSAEventSelect: polling does not record or signal
 * network events. */
static void polling_leaves_network_events_alone(void)
{
    SOCKADDR_STORAGE rx_addr;
    SOCKET rx = udp_receiver("127.0.0.1", &rx_addr);
    SOCKET tx = udp();
    WSAEVENT ev = WSACreateEvent();
    WSANETWORKEVENTS ne;
    WSAPOLLFD p = {rx, FULL, 0};
    CHECK_OK(WSAEventSelect(rx, ev, FD_READ));
    CHECK_EQ(sendto(tx, "data", 4, 0, (SOCKADDR *)&rx_addr, sizeof(SOCKADDR_IN)), 4);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_OK(WSAEnumNetworkEvents(rx, ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_READ);
    CHECK_EQ(WSAPoll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLRDNORM | POLLWRNORM);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    CHECK_OK(WSAEnumNetworkEvents(rx, NULL, &ne));
    CHECK_EQ(ne.lNetworkEvents, 0);
    WSACloseEvent(ev);
    closesocket(rx);
    closesocket(tx);
}

int main(void)
{
    startup();
    bad_arguments();
    datagram_states();
    close_routine_and_arrival();
    polling_leaves_network_events_alone();
    WSACleanup();
    printf("readiness_poll: ok\n");
    return 0;
}
