/* P1 S35: select with Windows' fd_set on datagram sockets, as Wine's
 * Windows-run sock.c test_select (and test_UDP, send_udp_thread) records
 * it; the research sheet research-readiness.md §1 lists the records. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, setitimer: a Windows test would use VirtualAlloc */
#include "readiness.h"

#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/time.h>

static SOCKET udp(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    return s;
}

static void send_to(SOCKET tx, const SOCKADDR_STORAGE *to, const char *data, int len)
{
    CHECK_EQ(sendto(tx, data, len, 0, (const SOCKADDR *)to, sizeof(SOCKADDR_IN)), len);
}

/* test_select "Test selecting invalid handles": no socket at all is
 * WSAEINVAL; INVALID_SOCKET in any one set is WSAENOTSOCK; nfds is ignored. */
static void bad_arguments(void)
{
    fd_set r, w, e;
    struct timeval tv = {0, 500};
    FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
    CHECK_ERR(select(0, NULL, NULL, NULL, &tv), WSAEINVAL);
    CHECK_ERR(select(1, &r, &w, &e, &tv), WSAEINVAL);
    FD_SET(INVALID_SOCKET, &r);
    CHECK_ERR(select(-7, &r, &w, &e, &tv), WSAENOTSOCK);
    FD_ZERO(&r);
    FD_SET(INVALID_SOCKET, &w);
    CHECK_ERR(select(0, &r, &w, &e, &tv), WSAENOTSOCK);
    FD_ZERO(&w);
    FD_SET(INVALID_SOCKET, &e);
    CHECK_ERR(select(0, &r, &w, &e, &tv), WSAENOTSOCK);
    /* Our rule (no Windows record): a negative timeout is WSAEINVAL. */
    {
        SOCKET s = udp();
        struct timeval bad = {0, -1};
        FD_ZERO(&w);
        FD_SET(s, &w);
        CHECK_ERR(select(0, NULL, &w, NULL, &bad), WSAEINVAL);
        bad.tv_sec = -1;
        bad.tv_usec = 0;
        CHECK_ERR(select(0, NULL, &w, NULL, &bad), WSAEINVAL);
        closesocket(s);
    }
}

/* test_select "Try select() on a closed socket after connection": a closed
 * handle is WSAENOTSOCK and the sets are left unchanged. */
static void closed_handle_leaves_sets_unchanged(void)
{
    SOCKET a = udp(), b = udp();
    fd_set r, e;
    struct timeval tv = {1, 250000};
    closesocket(a);
    FD_ZERO(&r); FD_ZERO(&e);
    FD_SET(b, &r); FD_SET(a, &r);
    FD_SET(b, &e); FD_SET(a, &e);
    CHECK_ERR(select(0, &r, NULL, &e, &tv), WSAENOTSOCK);
    CHECK_EQ(r.fd_count, 2);
    CHECK_EQ(e.fd_count, 2);
    closesocket(b);
}

/* test_select "test UDP behavior of unbound sockets": a fresh UDP socket in
 * all three sets is writable only; {0,0} does not wait; on a timeout every
 * set comes back empty and the timeval is not written. */
static void unbound_udp_is_writable_only(void)
{
    SOCKET s = udp();
    SOCKADDR_STORAGE addr;
    SOCKET idle = udp_receiver("127.0.0.1", &addr);
    fd_set r, w, e;
    struct timeval tv = {0, 250000};
    FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
    FD_SET(s, &r); FD_SET(s, &w); FD_SET(s, &e);
    WSASetLastError(0x5eed);
    CHECK_EQ(select(0, &r, &w, &e, &tv), 1);
    CHECK_EQ(WSAGetLastError(), 0); /* S41: success sets the last error to 0 */
    CHECK(!FD_ISSET(s, &r) && FD_ISSET(s, &w) && !FD_ISSET(s, &e));
    CHECK_EQ(r.fd_count, 0);
    CHECK_EQ(e.fd_count, 0);

    /* {0,0}: at once, nothing ready: 0, every set emptied. */
    FD_ZERO(&r); FD_ZERO(&e);
    FD_SET(idle, &r); FD_SET(idle, &e); FD_SET(s, &e);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    double t0 = now_ms();
    CHECK_EQ(select(0, &r, NULL, &e, &tv), 0);
    CHECK(now_ms() - t0 < 100);
    CHECK_EQ(r.fd_count, 0);
    CHECK_EQ(e.fd_count, 0);

    /* {0,500}: sub-millisecond timeouts work; the timeval is not altered. */
    FD_SET(idle, &r);
    tv.tv_usec = 500;
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0);
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 500);
    CHECK(!FD_ISSET(idle, &r));

    /* A timeout of 300 ms waits that long. */
    FD_SET(idle, &r);
    tv.tv_usec = 300000;
    t0 = now_ms();
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0);
    CHECK(now_ms() - t0 >= 290);
    CHECK_EQ(tv.tv_usec, 300000);

    /* Our rule: a tv_usec of a million or more carries into seconds. */
    FD_SET(idle, &r);
    tv.tv_usec = 1100000;
    t0 = now_ms();
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0);
    CHECK(now_ms() - t0 >= 1050);
    closesocket(s);
    closesocket(idle);
}

/* test_select: the return value counts (socket, set) memberships; a
 * socket twice in a set, or in two sets given as one pointer, is written
 * and counted once; the output keeps the input order. */
static void write_back_rules(void)
{
    SOCKADDR_STORAGE rx_addr;
    SOCKET rx = udp_receiver("127.0.0.1", &rx_addr);
    SOCKET tx = udp();
    fd_set r, w;
    struct timeval tv = {1, 0};
    send_to(tx, &rx_addr, "data", 4);

    /* Readable and writable: 2. */
    FD_ZERO(&r); FD_ZERO(&w);
    FD_SET(rx, &r); FD_SET(rx, &w);
    CHECK_EQ(select(0, &r, &w, NULL, &tv), 2);
    CHECK(FD_ISSET(rx, &r) && FD_ISSET(rx, &w));

    /* "select the same socket twice": 1, fd_count 1, fd_array[1] untouched. */
    w.fd_count = 2;
    w.fd_array[0] = tx;
    w.fd_array[1] = tx;
    CHECK_EQ(select(0, NULL, &w, NULL, &tv), 1);
    CHECK_EQ(w.fd_count, 1);
    CHECK(w.fd_array[0] == tx && w.fd_array[1] == tx);

    /* "tests for overlapping fd_set pointers": {tx, rx} as readfds and
     * writefds at once: rx readable, both writable: 2, both in the set. */
    FD_ZERO(&r);
    FD_SET(tx, &r);
    FD_SET(rx, &r);
    CHECK_EQ(select(0, &r, &r, NULL, &tv), 2);
    CHECK_EQ(r.fd_count, 2);
    CHECK(FD_ISSET(tx, &r) && FD_ISSET(rx, &r));
    /* Input order kept: rx (read) first, then tx (write). */
    CHECK(r.fd_array[0] == rx && r.fd_array[1] == tx);

    char buf[16];
    CHECK_EQ(recv(rx, buf, sizeof buf, 0), 4);
    FD_ZERO(&r);
    FD_SET(rx, &r);
    tv.tv_sec = 0;
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0); /* drained: not readable */
    closesocket(rx);
    closesocket(tx);
}

/* test_select: fd_count may exceed FD_SETSIZE (200 sockets, a hand-made
 * set), the output keeps the input order. */
static void more_than_fd_setsize(void)
{
    enum { N = 200 };
    SOCKET sockets[N];
    fd_set *set = (fd_set *)malloc(offsetof(fd_set, fd_array) + N * sizeof(SOCKET));
    struct timeval tv = {0, 0};
    int i;
    CHECK(set != NULL);
    set->fd_count = N;
    for (i = 0; i < N; i++) set->fd_array[i] = sockets[i] = udp();
    CHECK_EQ(select(0, NULL, set, NULL, &tv), N);
    CHECK_EQ(set->fd_count, N);
    for (i = 0; i < N; i++) {
        CHECK(set->fd_array[i] == sockets[i]);
        closesocket(sockets[i]);
    }
    free(set);
}

/* test_select page_pair: only the first fd_count entries are read and
 * written, never sizeof(fd_set): a set whose fd_array[1] would be on a
 * page that cannot be touched works. */
static void reads_only_fd_count_entries(void)
{
    SOCKADDR_STORAGE rx_addr;
    SOCKET rx = udp_receiver("127.0.0.1", &rx_addr);
    SOCKET tx = udp();
    char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct timeval tv = {1, 0};
    CHECK(pages != MAP_FAILED);
    CHECK(mprotect(pages + 4096, 4096, PROT_NONE) == 0);
    fd_set *set = (fd_set *)(pages + 4096 - offsetof(fd_set, fd_array[1]));
    set->fd_count = 1;
    set->fd_array[0] = rx;
    send_to(tx, &rx_addr, "x", 1);
    CHECK_EQ(select(0, set, NULL, NULL, &tv), 1);
    CHECK_EQ(set->fd_count, 1);
    munmap(pages, 8192);
    closesocket(rx);
    closesocket(tx);
}

/* test_select (apc_count): a select that waits runs the routines queued to
 * the thread and goes on waiting (no WSAEINTR, no WSA_WAIT_IO_COMPLETION,
 * S35); one that is ready at once runs none, SleepEx(0, TRUE) does. */
static void routines_run_in_a_waiting_select_only(void)
{
    SOCKADDR_STORAGE idle_addr, sink_addr;
    SOCKET idle = udp_receiver("127.0.0.1", &idle_addr);
    SOCKET sink = udp_receiver("127.0.0.1", &sink_addr);
    SOCKET tx = udp();
    WSAOVERLAPPED ov;
    fd_set r, w;
    struct timeval tv = {0, 500};

    routines_run = 0;
    queue_routine(tx, &sink_addr, &ov);
    FD_ZERO(&r);
    FD_SET(idle, &r);
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0);
    CHECK_EQ(routines_run, 1);

    /* The routine does not end the wait: 300 ms still pass. */
    queue_routine(tx, &sink_addr, &ov);
    FD_SET(idle, &r);
    tv.tv_usec = 300000;
    double t0 = now_ms();
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0);
    CHECK(now_ms() - t0 >= 290);
    CHECK_EQ(routines_run, 2);

    queue_routine(tx, &sink_addr, &ov);
    FD_ZERO(&w);
    FD_SET(tx, &w);
    tv.tv_usec = 500;
    CHECK_EQ(select(0, NULL, &w, NULL, &tv), 1);
    CHECK_EQ(routines_run, 2);
    SleepEx(0, TRUE);
    CHECK_EQ(routines_run, 3);
    closesocket(idle);
    closesocket(sink);
    closesocket(tx);
}

/* S35: a select made by a routine that interrupted a blocking call and has
 * to wait fails with WSAEINPROGRESS; one that need not wait answers. */
static SOCKET nested_idle;
static int nested_wait_error, nested_poll_result;

static void CALLBACK nested_select(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    fd_set r;
    struct timeval wait = {0, 100000}, none = {0, 0};
    (void)err; (void)bytes; (void)ov; (void)flags;
    FD_ZERO(&r);
    FD_SET(nested_idle, &r);
    if (select(0, &r, NULL, NULL, &wait) == SOCKET_ERROR) nested_wait_error = WSAGetLastError();
    FD_SET(nested_idle, &r);
    nested_poll_result = select(0, &r, NULL, NULL, &none);
}

static void nested_select_in_a_routine(void)
{
    SOCKADDR_STORAGE idle_addr, sink_addr;
    SOCKET sink = udp_receiver("127.0.0.1", &sink_addr);
    SOCKET tx = udp();
    LPFN_WSASENDMSG send_msg = get_wsasendmsg(tx);
    WSABUF b = {4, "ping"};
    WSAMSG msg;
    WSAOVERLAPPED ov;
    fd_set r;
    struct timeval tv = {0, 200000};
    nested_idle = udp_receiver("127.0.0.1", &idle_addr);
    memset(&msg, 0, sizeof msg);
    msg.name = (LPSOCKADDR)&sink_addr;
    msg.namelen = sizeof(SOCKADDR_IN);
    msg.lpBuffers = &b;
    msg.dwBufferCount = 1;
    memset(&ov, 0, sizeof ov);
    CHECK_OK(send_msg(tx, &msg, 0, NULL, &ov, nested_select));
    FD_ZERO(&r);
    FD_SET(nested_idle, &r);
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0);
    CHECK_EQ(nested_wait_error, WSAEINPROGRESS);
    CHECK_EQ(nested_poll_result, 0);
    closesocket(nested_idle);
    closesocket(sink);
    closesocket(tx);
}

/* test_select SelectReadThread and "bug 38399": a socket closed by another
 * thread during select ends the wait: in readfds it comes back readable
 * (1); in exceptfds only, the call fails with WSAENOTSOCK and the set is
 * emptied. A datagram arriving ends the wait too. */
static void close_or_arrival_ends_the_wait(void)
{
    SOCKADDR_STORAGE a_addr, b_addr;
    SOCKET a = udp_receiver("127.0.0.1", &a_addr);
    SOCKET b = udp_receiver("127.0.0.1", &b_addr);
    struct later l;
    fd_set r, e;
    struct timeval tv = {5, 0};
    double t0;

    memset(&l, 0, sizeof l);
    l.kind = LATER_CLOSE;
    l.delay_ms = 200;
    l.s = a;
    FD_ZERO(&r); FD_ZERO(&e);
    FD_SET(a, &r); FD_SET(a, &e); FD_SET(b, &r);
    t0 = now_ms();
    later_start(&l);
    CHECK_EQ(select(0, &r, NULL, &e, &tv), 1);
    CHECK(now_ms() - t0 < 1000);
    CHECK(FD_ISSET(a, &r) && !FD_ISSET(b, &r) && e.fd_count == 0);
    later_join(&l);

    a = udp_receiver("127.0.0.1", &a_addr);
    l.s = a;
    FD_ZERO(&e);
    FD_SET(a, &e);
    t0 = now_ms();
    later_start(&l);
    CHECK_ERR(select(0, NULL, NULL, &e, &tv), WSAENOTSOCK);
    CHECK(now_ms() - t0 < 1000);
    CHECK(!FD_ISSET(a, &e));
    later_join(&l);

    /* Arrival. */
    memset(&l, 0, sizeof l);
    l.kind = LATER_SEND;
    l.delay_ms = 200;
    l.s = udp();
    l.to = b_addr;
    FD_ZERO(&r);
    FD_SET(b, &r);
    t0 = now_ms();
    later_start(&l);
    CHECK_EQ(select(0, &r, NULL, NULL, NULL), 1); /* NULL: no timeout */
    CHECK(now_ms() - t0 < 2000);
    CHECK(FD_ISSET(b, &r));
    later_join(&l);
    closesocket(l.s);
    closesocket(b);
}

/* A signal during the wait does not end it: EINTR is retried with the time
 * that is left (DESIGN "Signals"). */
static void on_alarm(int sig) { (void)sig; }

static void signals_do_not_end_the_wait(void)
{
    SOCKADDR_STORAGE addr;
    SOCKET idle = udp_receiver("127.0.0.1", &addr);
    struct sigaction sa;
    struct itimerval it;
    fd_set r;
    struct timeval tv = {0, 400000};
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: poll fails with EINTR */
    sigaction(SIGALRM, &sa, NULL);
    memset(&it, 0, sizeof it);
    it.it_value.tv_usec = 50000;
    it.it_interval.tv_usec = 50000;
    setitimer(ITIMER_REAL, &it, NULL);
    FD_ZERO(&r);
    FD_SET(idle, &r);
    double t0 = now_ms();
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0);
    CHECK(now_ms() - t0 >= 390);
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    closesocket(idle);
}

/* test_UDP / send_udp_thread: a connected UDP socket answered with ICMP port
 * unreachable stays writable and its sends succeed; the error makes it
 * readable (the next receive reports WSAECONNRESET at once, S19). */
static void icmp_errors_leave_it_writable_and_make_it_readable(void)
{
    SOCKADDR_STORAGE gone_addr;
    SOCKET gone = udp_receiver("127.0.0.1", &gone_addr);
    SOCKET s = udp();
    fd_set r, w;
    struct timeval none = {0, 0}, tv = {1, 0};
    int i;
    closesocket(gone); /* nobody listens there now */
    CHECK_OK(connect(s, (SOCKADDR *)&gone_addr, sizeof(SOCKADDR_IN)));
    for (i = 0; i < 8; i++) {
        FD_ZERO(&w);
        FD_SET(s, &w);
        CHECK_EQ(select(0, NULL, &w, NULL, &none), 1);
        CHECK_EQ(send(s, "0123456789abcdef", 16, 0), 16);
    }
    FD_ZERO(&r);
    FD_SET(s, &r);
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 1);
    char buf[16];
    CHECK_ERR(recv(s, buf, sizeof buf, 0), WSAECONNRESET);
    closesocket(s);
}

int main(void)
{
    startup();
    bad_arguments();
    closed_handle_leaves_sets_unchanged();
    unbound_udp_is_writable_only();
    write_back_rules();
    more_than_fd_setsize();
    reads_only_fd_count_entries();
    routines_run_in_a_waiting_select_only();
    nested_select_in_a_routine();
    close_or_arrival_ends_the_wait();
    signals_do_not_end_the_wait();
    icmp_errors_leave_it_writable_and_make_it_readable();
    WSACleanup();
    printf("readiness_select: ok\n");
    return 0;
}
