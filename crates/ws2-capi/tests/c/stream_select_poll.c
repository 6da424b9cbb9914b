/* P8 P1: select and WSAPoll on stream sockets, as Wine's Windows-run
 * sock.c records them (research-readiness.md §1.4, §1.5, §2.3):
 * test_select (listener, connector, accepted socket, OOB, peer close,
 * failed connects, a listener closed during the wait), test_errors,
 * test_WSAPoll and test_tcp_reset. */
#include "stream_common.h"

#include <pthread.h>
#include <sys/resource.h>

#define FULL (POLLRDNORM | POLLRDBAND | POLLWRNORM)

/* select over one socket in the sets chosen by `sets` ('r', 'w', 'e'),
 * timeout in ms; *found gets the sets it came back in. */
static int select_one(SOCKET s, const char *sets, int timeout_ms, char found[4])
{
    fd_set r, w, e;
    /* Whole sets zeroed (FD_ZERO sets fd_count only, which gcc cannot see). */
    memset(&r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    memset(&e, 0, sizeof e);
    if (strchr(sets, 'r')) FD_SET(s, &r);
    if (strchr(sets, 'w')) FD_SET(s, &w);
    if (strchr(sets, 'e')) FD_SET(s, &e);
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int n = select(0, strchr(sets, 'r') ? &r : NULL, strchr(sets, 'w') ? &w : NULL,
                   strchr(sets, 'e') ? &e : NULL, &tv);
    int k = 0;
    if (FD_ISSET(s, &r)) found[k++] = 'r';
    if (FD_ISSET(s, &w)) found[k++] = 'w';
    if (FD_ISSET(s, &e)) found[k++] = 'e';
    found[k] = 0;
    return n;
}

/* select(sets, timeout) returns `ret` with the socket in exactly `want`. */
#define CHECK_SELECT(s, sets, timeout_ms, ret, want)                                       \
    do {                                                                                   \
        char found_[4];                                                                    \
        CHECK_EQ(select_one((s), (sets), (timeout_ms), found_), (ret));                    \
        if (strcmp(found_, (want)) != 0) {                                                 \
            char m_[96];                                                                   \
            snprintf(m_, sizeof m_, "select found \"%s\", expected \"%s\"", found_, want); \
            FAIL(m_);                                                                      \
        }                                                                                  \
    } while (0)

/* test_WSAPoll's check_poll: waits up to 1 s for an expected answer (50 ms
 * when none is expected); WSAPoll returns 1 exactly when revents is set. */
#define CHECK_POLL(s, ev, expected)                                 \
    do {                                                             \
        WSAPOLLFD p_;                                                \
        p_.fd = (s);                                                 \
        p_.events = (SHORT)(ev);                                     \
        p_.revents = (SHORT)0xdead;                                  \
        int n_ = WSAPoll(&p_, 1, (expected) ? 1000 : 50);            \
        CHECK_EQ(n_, (expected) ? 1 : 0);                            \
        CHECK_EQ(p_.revents, (SHORT)(expected));                     \
    } while (0)

/* CPU time this process used, in ms (a waiting select must not spin). */
static double cpu_ms(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
           (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static SOCKET tcp(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    return s;
}

/* A loopback port nothing listens on (a listener bound, then closed). */
static SOCKADDR_IN closed_port(void)
{
    SOCKADDR_IN a;
    SOCKET l = tcp_listener("127.0.0.1", &a);
    closesocket(l);
    return a;
}

static void reset_by_peer(SOCKET peer)
{
    LINGER abort_now = {1, 0};
    CHECK_OK(setsockopt(peer, SOL_SOCKET, SO_LINGER, (char *)&abort_now, sizeof abort_now));
    CHECK_OK(closesocket(peer));
}

/* test_select: fresh sockets, a listener, a pending connect, the accepted
 * socket, data, OOB bytes and the peer's close. */
static void select_on_connections(void)
{
    SOCKADDR_IN a;
    char buf[8];

    /* Fresh unconnected TCP sockets are ready for nothing. */
    SOCKET fresh = tcp();
    double cpu0 = cpu_ms();
    CHECK_SELECT(fresh, "rwe", 300, 0, "");
    CHECK(cpu_ms() - cpu0 < 100);
    closesocket(fresh);

    /* A listener with nothing pending: nothing, after the wait. */
    SOCKET l = tcp_listener("127.0.0.1", &a);
    double t0 = now_ms();
    CHECK_SELECT(l, "rwe", 300, 0, "");
    CHECK(now_ms() - t0 >= 250);

    /* A pending non-blocking connect: the listener is readable only. */
    SOCKET c = tcp();
    set_blocking(c, 0);
    CHECK_ERR(connect(c, (SOCKADDR *)&a, sizeof a), WSAEWOULDBLOCK);
    CHECK_SELECT(l, "rwe", 1000, 1, "r");
    /* The connector becomes writable; SO_ERROR is 0. */
    CHECK_SELECT(c, "rwe", 1000, 1, "w");
    CHECK_EQ(so_error(c), 0);

    SOCKET s = accept(l, NULL, NULL);
    CHECK(s != INVALID_SOCKET);
    CHECK_SELECT(l, "rwe", 50, 0, "");
    /* The accepted socket and the connector are writable, nothing else. */
    {
        fd_set r, w, e;
        FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
        SOCKET all[3] = {l, s, c};
        for (int i = 0; i < 3; i++) {
            FD_SET(all[i], &r); FD_SET(all[i], &w); FD_SET(all[i], &e);
        }
        struct timeval tv = {0, 0};
        CHECK_EQ(select(0, &r, &w, &e, &tv), 2);
        CHECK_EQ(r.fd_count, 0);
        CHECK_EQ(e.fd_count, 0);
        CHECK(FD_ISSET(s, &w) && FD_ISSET(c, &w));
    }

    /* 4 bytes to the accepted socket: readable (and writable), no exception. */
    CHECK_EQ(send(c, "abcd", 4, 0), 4);
    CHECK_SELECT(s, "re", 1000, 1, "r");
    CHECK_SELECT(s, "rwe", 0, 2, "rw");
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 4);

    /* An urgent byte with SO_OOBINLINE off: exceptfds, not readfds. */
    CHECK_EQ(send(c, "A", 1, MSG_OOB), 1);
    CHECK_SELECT(s, "re", 1000, 1, "e");
    CHECK_EQ(recv(s, buf, 1, MSG_OOB), 1);
    CHECK_EQ(buf[0], 'A');
    CHECK_SELECT(s, "re", 50, 0, "");
    /* Normal data after it (a receive passes the urgent byte's place in
     * the stream before SO_OOBINLINE changes: Linux would return an urgent
     * byte already read out of band in line if it were still ahead). */
    CHECK_EQ(send(c, "x", 1, 0), 1);
    CHECK_SELECT(s, "re", 1000, 1, "r");
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 1);
    CHECK_EQ(buf[0], 'x');
    /* With SO_OOBINLINE on: readfds; recv(MSG_OOB) is WSAEINVAL. */
    BOOL on = TRUE;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_OOBINLINE, (char *)&on, sizeof on));
    CHECK_EQ(send(c, "B", 1, MSG_OOB), 1);
    CHECK_SELECT(s, "re", 1000, 1, "r");
    CHECK_ERR(recv(s, buf, 1, MSG_OOB), WSAEINVAL);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 1);
    CHECK_EQ(buf[0], 'B');

    /* The peer's closesocket: readable, recv 0. */
    CHECK_OK(closesocket(c));
    CHECK_SELECT(s, "r", 1000, 1, "r");
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    closesocket(s);
    closesocket(l);
}

/* test_select's failed connects (127.0.0.1, nothing listening) and
 * test_errors: exceptfds, never writable; SO_ERROR kept until a connect
 * succeeds. */
static void select_on_failed_connects(void)
{
    SOCKADDR_IN nobody = closed_port(), a;
    SOCKET c = tcp();
    set_blocking(c, 0);
    CHECK_ERR(connect(c, (SOCKADDR *)&nobody, sizeof nobody), WSAEWOULDBLOCK);
    CHECK_SELECT(c, "rwe", 5000, 1, "e");
    CHECK_EQ(so_error(c), WSAECONNREFUSED);
    CHECK_EQ(so_error(c), WSAECONNREFUSED); /* reading does not clear it */
    CHECK_SELECT(c, "rwe", 0, 1, "e");
    /* Connect again to the same address: the same answers. */
    CHECK_ERR(connect(c, (SOCKADDR *)&nobody, sizeof nobody), WSAEWOULDBLOCK);
    CHECK_SELECT(c, "e", 5000, 1, "e");
    CHECK_EQ(so_error(c), WSAECONNREFUSED);
    /* Then to a live listener: writable, SO_ERROR 0. */
    SOCKET l = tcp_listener("127.0.0.1", &a);
    CHECK_ERR(connect(c, (SOCKADDR *)&a, sizeof a), WSAEWOULDBLOCK);
    CHECK_SELECT(c, "rwe", 1000, 1, "w");
    CHECK_EQ(so_error(c), 0);
    closesocket(c);
    closesocket(l);

    /* A blocking connect refused: not writable (test_errors), but in
     * exceptfds (test_select). */
    c = tcp();
    CHECK_ERR(connect(c, (SOCKADDR *)&nobody, sizeof nobody), WSAECONNREFUSED);
    CHECK_SELECT(c, "w", 50, 0, "");
    CHECK_SELECT(c, "e", 0, 1, "e");
    closesocket(c);
}

/* test_tcp_reset: after the peer's abortive close the socket is readable
 * and writable, never in exceptfds; recv and send report the reset. */
static void select_after_a_reset(void)
{
    SOCKET c, s;
    char buf[4];
    tcp_pair(&c, &s);
    reset_by_peer(c);
    CHECK_SELECT(s, "r", 1000, 1, "r");
    CHECK_SELECT(s, "rwe", 0, 2, "rw");
    /* Waiting for what never comes costs no CPU (Linux says POLLHUP of a
     * reset socket for ever: the wait must not end on it each time). */
    double t0 = now_ms(), cpu0 = cpu_ms();
    CHECK_SELECT(s, "e", 300, 0, "");
    CHECK(now_ms() - t0 >= 250);
    CHECK(cpu_ms() - cpu0 < 100);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), WSAECONNRESET);
    CHECK_SELECT(s, "rwe", 0, 2, "rw");
    CHECK_ERR(send(s, "x", 1, 0), WSAECONNRESET);
    closesocket(s);
}

static SOCKET closing_listener;

static void *close_listener_later(void *arg)
{
    (void)arg;
    Sleep(200);
    closesocket(closing_listener);
    return NULL;
}

/* test_select's SelectReadThread: closing a listener a select waits on
 * (readfds only) ends the wait with the listener readable. */
static void closing_a_listener_ends_select(void)
{
    SOCKADDR_IN a;
    closing_listener = tcp_listener("127.0.0.1", &a);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, close_listener_later, NULL), 0);
    double t0 = now_ms();
    fd_set r;
    FD_ZERO(&r);
    FD_SET(closing_listener, &r);
    struct timeval tv = {5, 0};
    CHECK_EQ(select(0, &r, NULL, NULL, &tv), 1);
    CHECK(now_ms() - t0 < 1200);
    pthread_join(t, NULL);
}

/* test_WSAPoll's stream states (research-readiness.md §2.3). */
static void wsapoll_on_streams(void)
{
    SOCKADDR_IN a;
    char buf[8];
    SOCKET l = tcp_listener("127.0.0.1", &a);
    CHECK_POLL(l, FULL, 0);
    SOCKET c = tcp();
    set_blocking(c, 0);
    CHECK_ERR(connect(c, (SOCKADDR *)&a, sizeof a), WSAEWOULDBLOCK);
    /* A connection waits: POLLRDNORM only, level-triggered. */
    CHECK_POLL(l, POLLIN, POLLRDNORM);
    CHECK_POLL(l, POLLIN, POLLRDNORM);
    CHECK_POLL(l, POLLRDBAND | POLLWRNORM, 0);
    SOCKET s = accept(l, NULL, NULL);
    CHECK(s != INVALID_SOCKET);
    CHECK_POLL(l, FULL, 0);

    CHECK_POLL(c, FULL, POLLWRNORM);
    CHECK_POLL(s, FULL, POLLWRNORM);
    CHECK_EQ(send(c, "data", 4, 0), 4);
    CHECK_POLL(s, POLLRDNORM | POLLRDBAND, POLLRDNORM);
    CHECK_POLL(s, FULL, POLLRDNORM | POLLWRNORM);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 4);

    /* An urgent byte (SO_OOBINLINE off): POLLRDBAND, not POLLRDNORM. */
    CHECK_EQ(send(c, "A", 1, MSG_OOB), 1);
    CHECK_POLL(s, POLLRDNORM | POLLRDBAND, POLLRDBAND);
    CHECK_POLL(s, FULL, POLLWRNORM | POLLRDBAND);
    CHECK_EQ(recv(s, buf, 1, MSG_OOB), 1);
    CHECK_POLL(s, FULL, POLLWRNORM);
    CHECK_EQ(send(c, "x", 1, 0), 1);
    CHECK_POLL(s, POLLRDNORM | POLLRDBAND, POLLRDNORM);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 1);
    /* SO_OOBINLINE on: the urgent byte is data. */
    BOOL on = TRUE;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_OOBINLINE, (char *)&on, sizeof on));
    CHECK_EQ(send(c, "B", 1, MSG_OOB), 1);
    CHECK_POLL(s, POLLRDNORM | POLLRDBAND, POLLRDNORM);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 1);
    CHECK_POLL(s, FULL, POLLWRNORM);

    /* The own side's shutdown(SD_RECEIVE): writable only. */
    CHECK_OK(shutdown(s, SD_RECEIVE));
    CHECK_POLL(s, FULL, POLLWRNORM);
    closesocket(s);
    closesocket(c);

    /* The peer's shutdown(SD_SEND) with nothing queued: POLLHUP, asked or
     * not, and no POLLRDNORM; with 5 bytes queued, POLLRDNORM too. */
    tcp_pair(&c, &s);
    CHECK_OK(shutdown(c, SD_SEND));
    CHECK_POLL(s, 0, POLLHUP);
    CHECK_POLL(s, FULL, POLLWRNORM | POLLHUP);
    closesocket(s);
    closesocket(c);
    tcp_pair(&c, &s);
    CHECK_EQ(send(c, "hello", 5, 0), 5);
    CHECK_OK(shutdown(c, SD_SEND));
    CHECK_POLL(s, FULL, POLLWRNORM | POLLRDNORM | POLLHUP);
    RECV_EXACTLY(s, buf, 5);
    CHECK_POLL(s, FULL, POLLWRNORM | POLLHUP);
    closesocket(s);
    closesocket(c);

    /* The peer's graceful closesocket: the same. */
    tcp_pair(&c, &s);
    CHECK_OK(closesocket(c));
    CHECK_POLL(s, 0, POLLHUP);
    CHECK_POLL(s, FULL, POLLWRNORM | POLLHUP);
    closesocket(s);

    /* After a reset (test_tcp_reset): POLLERR | POLLHUP | POLLWRNORM. */
    tcp_pair(&c, &s);
    reset_by_peer(c);
    CHECK_POLL(s, FULL, POLLERR | POLLHUP | POLLWRNORM);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), WSAECONNRESET);
    CHECK_POLL(s, FULL, POLLERR | POLLHUP | POLLWRNORM);
    closesocket(s);

    /* A failed non-blocking connect: POLLWRNORM | POLLHUP | POLLERR. */
    SOCKADDR_IN nobody = closed_port();
    c = tcp();
    set_blocking(c, 0);
    CHECK_ERR(connect(c, (SOCKADDR *)&nobody, sizeof nobody), WSAEWOULDBLOCK);
    CHECK_POLL(c, FULL, POLLWRNORM | POLLHUP | POLLERR);
    CHECK_EQ(so_error(c), WSAECONNREFUSED);
    CHECK_EQ(so_error(c), WSAECONNREFUSED);
    CHECK_POLL(c, FULL, POLLWRNORM | POLLHUP | POLLERR);
    closesocket(c);
    closesocket(l);

    /* A fresh TCP socket is ready for nothing. */
    c = tcp();
    CHECK_POLL(c, FULL, 0);
    closesocket(c);
}

int main(void)
{
    startup();
    select_on_connections();
    select_on_failed_connects();
    select_after_a_reset();
    closing_a_listener_ends_select();
    wsapoll_on_streams();
    WSACleanup();
    printf("stream_select_poll: ok\n");
    return 0;
}
