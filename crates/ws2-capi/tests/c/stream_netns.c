/* Stream sockets between namespace hosts (SPEC P8, part 1), run in host a
 * by tests/c_streams.rs:
 *
 *   stream_netns unreachable   connects that cannot succeed, each bounded in
 *                              time: no route (WSAENETUNREACH), an
 *                              `unreachable` route (WSAEHOSTUNREACH), a
 *                              neighbour that never answers ARP (the
 *                              non-blocking connect's SO_ERROR), a refused
 *                              port (WSAECONNREFUSED), and a peer whose
 *                              answers are dropped: the connect stays in
 *                              progress (test_connecting_socket's record)
 *                              until closesocket interrupts it; select and
 *                              WSAPoll on those connects (nothing while one
 *                              goes on, exceptfds when it fails).
 *   stream_netns slow IP PORT  a large transfer through a rate-limited link to
 *                              a reader in host b: non-blocking sends are
 *                              taken whole or not at all, blocking ones return
 *                              once every byte is taken, the rest buffered at
 *                              closesocket still arrives (test_send_buffering,
 *                              test_send); SO_SNDTIMEO ends a blocking send
 *                              the link cannot take in time (S16).
 */
#include "stream_common.h"

#include <pthread.h>

#define CHUNK (256 << 10)

static SOCKET tcp_from(const char *local_ip)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    if (local_ip != NULL) {
        SOCKADDR_IN a = addr4(local_ip, 0);
        CHECK_OK(bind(s, (SOCKADDR *)&a, sizeof a));
    }
    return s;
}

static SOCKET blocked_sock;
static int blocked_error = -1;
static void *connect_blocked(void *arg)
{
    SOCKADDR_IN *to = arg;
    int r = connect(blocked_sock, (SOCKADDR *)to, sizeof *to);
    blocked_error = r == 0 ? 0 : WSAGetLastError();
    return NULL;
}

static void unreachable(void)
{
    /* No route at all: the namespace has only its link's subnet. */
    SOCKET s = tcp_from(NULL);
    SOCKADDR_IN far = addr4("192.0.2.1", 80);
    double t0 = now_ms();
    CHECK_ERR(connect(s, (SOCKADDR *)&far, sizeof far), WSAENETUNREACH);
    set_blocking(s, 0);
    CHECK_ERR(connect(s, (SOCKADDR *)&far, sizeof far), WSAENETUNREACH);
    closesocket(s);

    /* An `unreachable` route: the host cannot be reached. */
    s = tcp_from(NULL);
    SOCKADDR_IN blocked = addr4("10.9.0.1", 80);
    CHECK_ERR(connect(s, (SOCKADDR *)&blocked, sizeof blocked), WSAEHOSTUNREACH);
    closesocket(s);
    CHECK(now_ms() - t0 < 1000);

    /* A neighbour that never answers ARP (neighbour discovery shortened to
     * 100 ms by the harness): the non-blocking connect goes on, then
     * SO_ERROR says WSAEHOSTUNREACH, and keeps saying it. */
    s = tcp_from(NULL);
    set_blocking(s, 0);
    SOCKADDR_IN absent = addr4("10.0.0.99", 80);
    CHECK_ERR(connect(s, (SOCKADDR *)&absent, sizeof absent), WSAEWOULDBLOCK);
    /* P1: a select waiting on the connect ends when it fails, with the
     * socket in exceptfds only (test_select's failed-connect block). */
    {
        fd_set w, e;
        memset(&w, 0, sizeof w);
        memset(&e, 0, sizeof e);
        FD_SET(s, &w);
        FD_SET(s, &e);
        struct timeval tv = {5, 0};
        CHECK_EQ(select(0, NULL, &w, &e, &tv), 1);
        CHECK_EQ(w.fd_count, 0);
        CHECK(FD_ISSET(s, &e));
    }
    CHECK_EQ(so_error(s), WSAEHOSTUNREACH);
    CHECK_EQ(so_error(s), WSAEHOSTUNREACH);
    closesocket(s);
    /* Blocking, the same neighbour: the call's error. */
    s = tcp_from(NULL);
    t0 = now_ms();
    CHECK_ERR(connect(s, (SOCKADDR *)&absent, sizeof absent), WSAEHOSTUNREACH);
    CHECK(now_ms() - t0 < 5000);
    closesocket(s);

    /* A port nothing listens on, on host b: refused. */
    s = tcp_from(NULL);
    SOCKADDR_IN refused = addr4("10.0.0.2", 9);
    CHECK_ERR(connect(s, (SOCKADDR *)&refused, sizeof refused), WSAECONNREFUSED);
    closesocket(s);

    /* Host b drops everything it would send to 10.0.0.11 (a blackhole
     * route): a connect from there stays in progress. test_connecting_socket:
     * a second connect is WSAEALREADY, getpeername succeeds, recv and send
     * are WSAENOTCONN, SO_ERROR reads 0. */
    s = tcp_from("10.0.0.11");
    set_blocking(s, 0);
    SOCKADDR_IN silent = addr4("10.0.0.2", 80);
    CHECK_ERR(connect(s, (SOCKADDR *)&silent, sizeof silent), WSAEWOULDBLOCK);
    /* P1: a connect in progress is ready for nothing (select, WSAPoll). */
    {
        fd_set r, w, e;
        memset(&r, 0, sizeof r);
        memset(&w, 0, sizeof w);
        memset(&e, 0, sizeof e);
        FD_SET(s, &r);
        FD_SET(s, &w);
        FD_SET(s, &e);
        struct timeval tv = {0, 200000};
        CHECK_EQ(select(0, &r, &w, &e, &tv), 0);
        WSAPOLLFD p = {s, POLLRDNORM | POLLRDBAND | POLLWRNORM, 0};
        CHECK_EQ(WSAPoll(&p, 1, 100), 0);
        CHECK_EQ(p.revents, 0);
    }
    CHECK_ERR(connect(s, (SOCKADDR *)&silent, sizeof silent), WSAEALREADY);
    CHECK_EQ(so_error(s), 0);
    SOCKADDR_IN name;
    int len = sizeof name;
    CHECK_OK(getsockname(s, (SOCKADDR *)&name, &len));
    CHECK(name.sin_port != 0);
    len = sizeof name;
    CHECK_OK(getpeername(s, (SOCKADDR *)&name, &len));
    CHECK_EQ(name.sin_port, silent.sin_port);
    char c;
    CHECK_ERR(recv(s, &c, 1, 0), WSAENOTCONN);
    CHECK_ERR(send(s, "x", 1, 0), WSAENOTCONN);
    CHECK_ERR(listen(s, 1), WSAEINVAL);
    CHECK_OK(closesocket(s));

    /* A blocking connect there waits, whatever SO_SNDTIMEO says (Windows
     * applies it to sends only), until closesocket from another thread
     * interrupts it (S37: WSAEINTR). */
    blocked_sock = tcp_from("10.0.0.11");
    int ms = 100;
    CHECK_OK(setsockopt(blocked_sock, SOL_SOCKET, SO_SNDTIMEO, (char *)&ms, sizeof ms));
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, connect_blocked, &silent), 0);
    Sleep(400);
    CHECK_EQ(blocked_error, -1); /* still connecting */
    t0 = now_ms();
    CHECK_OK(closesocket(blocked_sock));
    pthread_join(t, NULL);
    CHECK(now_ms() - t0 < 1000);
    CHECK_EQ(blocked_error, WSAEINTR);
}

static void slow(const char *ip, unsigned port)
{
    char *chunk = malloc(CHUNK);
    CHECK(chunk != NULL);
    for (size_t i = 0; i < CHUNK; i++) chunk[i] = (char)(i * 7 + 3 + (i >> 12));
    SOCKADDR_IN to = addr4(ip, port);

    SOCKET s = tcp_from(NULL);
    int sndbuf = 64 << 10;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (char *)&sndbuf, sizeof sndbuf));
    CHECK_OK(connect(s, (SOCKADDR *)&to, sizeof to));
    /* Non-blocking: each send is taken whole or refused whole. */
    set_blocking(s, 0);
    int sent = 0, refused = 0;
    double deadline = now_ms() + 20000;
    while (sent < 8) {
        int r = send(s, chunk, CHUNK, 0);
        if (r == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
            refused++;
            CHECK(now_ms() < deadline);
            Sleep(5);
            continue;
        }
        CHECK_EQ(r, CHUNK);
        sent++;
    }
    CHECK(refused > 0); /* the link is slower than the sends */
    /* Blocking: returns once the whole buffer is taken. */
    set_blocking(s, 1);
    for (int i = 0; i < 4; i++) {
        double t0 = now_ms();
        CHECK_EQ(send(s, chunk, CHUNK, 0), CHUNK);
        CHECK(now_ms() - t0 < 20000);
        sent++;
    }
    /* One more non-blocking send, then closesocket at once: what it left in
     * user space still arrives, with the FIN after it. */
    set_blocking(s, 0);
    while (send(s, chunk, CHUNK, 0) == SOCKET_ERROR) {
        CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
        CHECK(now_ms() < deadline);
        Sleep(5);
    }
    sent++;
    CHECK_OK(closesocket(s));
    printf("sent %d chunks of %d bytes, %d refused whole\n", sent, CHUNK, refused);

    /* S16: a blocking send the link cannot take within SO_SNDTIMEO: 4 MB,
     * two seconds of the 16 Mbit/s link (one chunk could pass in 200 ms). */
    const int big_len = 16 * CHUNK;
    char *big = calloc(1, big_len);
    CHECK(big != NULL);
    s = tcp_from(NULL);
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (char *)&sndbuf, sizeof sndbuf));
    CHECK_OK(connect(s, (SOCKADDR *)&to, sizeof to));
    int ms = 200;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, (char *)&ms, sizeof ms));
    double t0 = now_ms();
    CHECK_ERR(send(s, big, big_len, 0), WSAETIMEDOUT);
    CHECK(now_ms() - t0 >= 190);
    LINGER abort_now = {1, 0};
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&abort_now, sizeof abort_now));
    CHECK_OK(closesocket(s));
    free(big);
    free(chunk);
}

int main(int argc, char **argv)
{
    startup();
    if (argc == 2 && strcmp(argv[1], "unreachable") == 0) {
        unreachable();
    } else if (argc == 4 && strcmp(argv[1], "slow") == 0) {
        slow(argv[2], (unsigned)atoi(argv[3]));
    } else {
        fprintf(stderr, "usage: stream_netns unreachable | slow IP PORT\n");
        return 2;
    }
    WSACleanup();
    printf("stream_netns %s: ok\n", argv[1]);
    return 0;
}
