/* Windows' stream send rule on loopback (SPEC P8, part 1, item 2): a
 * non-blocking send takes the whole buffer or fails with WSAEWOULDBLOCK,
 * never part of it, and what it took is delivered in order, before later
 * sends, also after closesocket and shutdown (Wine's Windows-run sock.c
 * test_send_buffering, afd.c test_poll); a blocking send returns once every
 * byte is taken (test_send); closesocket's linger (Microsoft's
 * "Graceful Shutdown, Linger Options, and Socket Closure" and closesocket
 * pages). Argument "limit": the process runs with WS2_MAX_STREAM_BACKLOG
 * set to 1 MiB by the harness, and checks the bound. */
#include "stream_common.h"

#include <pthread.h>

#define BIG (50 << 20)

static char *pattern(size_t len, unsigned seed)
{
    char *p = malloc(len);
    CHECK(p != NULL);
    for (size_t i = 0; i < len; i++) p[i] = (char)(i * 7 + seed + (i >> 12));
    return p;
}

/* Receives until the end of the stream (non-blocking, bounded), checking
 * every byte against sends of `chunk` bytes of pattern(chunk, seed). */
static size_t drain_and_check(SOCKET s, const char *chunk, size_t chunk_len)
{
    static char buf[1 << 20];
    size_t total = 0;
    double deadline = now_ms() + 30000;
    for (;;) {
        int n = recv(s, buf, sizeof buf, 0);
        if (n == 0) break;
        if (n == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
            CHECK(now_ms() < deadline);
            Sleep(1);
            continue;
        }
        for (int i = 0; i < n; i++)
            if (buf[i] != chunk[(total + (size_t)i) % chunk_len]) FAIL("a byte arrived out of order");
        total += (size_t)n;
    }
    CHECK_EQ(WSAGetLastError(), 0); /* the final 0 leaves the last error 0 */
    return total;
}

/* test_send_buffering: every successful non-blocking send returns its whole
 * length; the first succeeds; the loop ends in WSAEWOULDBLOCK; closesocket
 * right after still delivers every byte in order. */
static void whole_or_nothing_then_close(const char *data)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    set_blocking(server, 0);
    set_blocking(client, 0);
    size_t sent = 0;
    int r;
    while ((r = send(server, data, BIG, 0)) != SOCKET_ERROR) {
        CHECK_EQ(r, BIG);
        sent += (size_t)r;
        CHECK(sent <= (size_t)4 * BIG);
    }
    CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
    CHECK(sent > 0);
    CHECK_OK(closesocket(server));
    CHECK_EQ(drain_and_check(client, data, BIG), sent);
    closesocket(client);
}

static SOCKET thread_sock;
static size_t thread_sent;
static const char *thread_data;
static void *send_then_shutdown_close(void *arg)
{
    (void)arg;
    int r;
    while ((r = send(thread_sock, thread_data, BIG, 0)) != SOCKET_ERROR) thread_sent += (size_t)r;
    if (WSAGetLastError() != WSAEWOULDBLOCK) FAIL("send");
    if (shutdown(thread_sock, SD_BOTH) == SOCKET_ERROR) FAIL("shutdown");
    if (closesocket(thread_sock) == SOCKET_ERROR) FAIL("closesocket");
    return NULL;
}

/* test_send_buffering, second run: the buffered bytes survive
 * shutdown(SD_BOTH), closesocket and the exit of the sending thread. */
static void survives_shutdown_close_and_thread_exit(const char *data)
{
    SOCKET client;
    tcp_pair(&client, &thread_sock);
    set_blocking(thread_sock, 0);
    set_blocking(client, 0);
    thread_data = data;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, send_then_shutdown_close, NULL), 0);
    pthread_join(t, NULL);
    CHECK(thread_sent > 0);
    CHECK_EQ(drain_and_check(client, data, BIG), thread_sent);
    closesocket(client);
}

static SOCKET reader_sock;
static size_t reader_got;
static void *read_all_slowly(void *arg)
{
    (void)arg;
    static char buf[4096];
    int n;
    while ((n = recv(reader_sock, buf, sizeof buf, 0)) > 0) {
        reader_got += (size_t)n;
        if (reader_got % (64 << 10) < 4096) Sleep(1);
    }
    return NULL;
}

/* test_send: a blocking send of 1 MiB returns 1 MiB, once a slow reader
 * has made room for all of it; a non-blocking send's buffered rest goes
 * before a later blocking send's bytes; a shutdown(SD_SEND) sends its FIN
 * after them. */
static void blocking_send_takes_everything(const char *data)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    reader_sock = client;
    reader_got = 0;
    set_blocking(server, 0);
    /* Fill the kernel so the next non-blocking send leaves a rest. */
    size_t queued = 0;
    while (send(server, data, 1 << 20, 0) == 1 << 20) queued += 1 << 20;
    CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
    CHECK(queued > 0);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, read_all_slowly, NULL), 0);
    set_blocking(server, 1);
    CHECK_EQ(send(server, data, 1 << 20, 0), 1 << 20);
    CHECK_OK(shutdown(server, SD_SEND));
    pthread_join(t, NULL);
    CHECK_EQ(reader_got, queued + (1 << 20));
    closesocket(client);
    closesocket(server);
}

/* S16 on a stream: a blocking send to a peer that reads nothing times out
 * with SO_SNDTIMEO (WSAETIMEDOUT). */
static void blocking_send_times_out(const char *data)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    int ms = 200;
    CHECK_OK(setsockopt(server, SOL_SOCKET, SO_SNDTIMEO, (char *)&ms, sizeof ms));
    double t0 = now_ms();
    int r = send(server, data, BIG, 0);
    CHECK_EQ(r, SOCKET_ERROR);
    CHECK_EQ(WSAGetLastError(), WSAETIMEDOUT);
    CHECK(now_ms() - t0 >= 190);
    closesocket(client);
    closesocket(server);
}

/* closesocket's linger: {1, n} on a non-blocking socket with bytes not
 * yet taken by the peer fails with WSAEWOULDBLOCK and the socket stays
 * open; on a blocking one it waits up to n seconds, then resets. {1, 0}
 * drops the buffered bytes and resets at once. */
static void linger_close(const char *data)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    set_blocking(server, 0);
    while (send(server, data, 1 << 20, 0) == 1 << 20) {
    }
    LINGER lg = {1, 1};
    CHECK_OK(setsockopt(server, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof lg));
    CHECK_ERR(closesocket(server), WSAEWOULDBLOCK);
    SOCKADDR_IN name;
    int len = sizeof name;
    CHECK_OK(getsockname(server, (SOCKADDR *)&name, &len)); /* still open */
    set_blocking(server, 1);
    double t0 = now_ms();
    CHECK_OK(closesocket(server));
    double waited = now_ms() - t0;
    CHECK(waited >= 900 && waited < 3000);
    /* The peer reads what arrived, then the reset. */
    set_blocking(client, 0);
    static char buf[1 << 16];
    double deadline = now_ms() + 10000;
    int n;
    while ((n = recv(client, buf, sizeof buf, 0)) != SOCKET_ERROR || WSAGetLastError() == WSAEWOULDBLOCK) {
        CHECK(n != 0);
        CHECK(now_ms() < deadline);
        if (n == SOCKET_ERROR) Sleep(1);
    }
    CHECK_EQ(WSAGetLastError(), WSAECONNRESET);
    closesocket(client);

    tcp_pair(&client, &server);
    set_blocking(server, 0);
    while (send(server, data, 1 << 20, 0) == 1 << 20) {
    }
    LINGER abort_now = {1, 0};
    CHECK_OK(setsockopt(server, SOL_SOCKET, SO_LINGER, (char *)&abort_now, sizeof abort_now));
    t0 = now_ms();
    CHECK_OK(closesocket(server));
    CHECK(now_ms() - t0 < 500);
    set_blocking(client, 0);
    deadline = now_ms() + 10000;
    while ((n = recv(client, buf, sizeof buf, 0)) != SOCKET_ERROR || WSAGetLastError() == WSAEWOULDBLOCK) {
        CHECK(n != 0);
        CHECK(now_ms() < deadline);
        if (n == SOCKET_ERROR) Sleep(1);
    }
    CHECK_EQ(WSAGetLastError(), WSAECONNRESET);
    closesocket(client);
}

/* An urgent send that the kernel takes only in part keeps its last byte
 * urgent when the rest is written. */
static void urgent_send_through_the_backlog(const char *data)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    set_blocking(server, 0);
    size_t sent = 0;
    while (send(server, data, 1 << 20, 0) == 1 << 20) sent += 1 << 20;
    /* The kernel is full: wait for room, then an urgent send of 1 MiB goes
     * mostly into the backlog. */
    set_blocking(client, 0);
    static char buf[1 << 20];
    size_t got = 0;
    int r;
    double deadline = now_ms() + 20000;
    while ((r = send(server, data, 1 << 20, MSG_OOB)) == SOCKET_ERROR) {
        CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
        int n = recv(client, buf, sizeof buf, 0);
        if (n > 0) got += (size_t)n;
        CHECK(now_ms() < deadline);
    }
    CHECK_EQ(r, 1 << 20);
    sent += 1 << 20;
    /* Read everything but the urgent byte, then the urgent byte itself. */
    while (got < sent - 1) {
        int n = recv(client, buf, sizeof buf, 0);
        if (n > 0) got += (size_t)n;
        else CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
        CHECK(now_ms() < deadline);
    }
    CHECK_EQ(got, sent - 1);
    char oob = 0;
    while (recv(client, &oob, 1, MSG_OOB) != 1) {
        CHECK(now_ms() < deadline);
        Sleep(1);
    }
    CHECK_EQ(oob, data[(1 << 20) - 1]);
    closesocket(client);
    closesocket(server);
}

/* The bound: with WS2_MAX_STREAM_BACKLOG at 1 MiB, a longer non-blocking
 * send is WSAENOBUFS with nothing sent; a shorter one is taken whole. */
static void backlog_bound(const char *data)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    set_blocking(server, 0);
    CHECK_ERR(send(server, data, (1 << 20) + 1, 0), WSAENOBUFS);
    CHECK_EQ(send(server, data, 1 << 20, 0), 1 << 20);
    closesocket(server);
    set_blocking(client, 0);
    CHECK_EQ(drain_and_check(client, data, 1 << 20), 1 << 20);
    closesocket(client);
}

/* Runs one case and says how long it took. */
#define STEP(call)                                                        \
    do {                                                                  \
        double t0_ = now_ms();                                            \
        call;                                                             \
        printf("%-60s %6.0f ms\n", #call, now_ms() - t0_);               \
        fflush(stdout);                                                   \
    } while (0)

int main(int argc, char **argv)
{
    startup();
    char *data = pattern(BIG, 3);
    if (argc > 1 && strcmp(argv[1], "limit") == 0) {
        backlog_bound(data);
    } else {
        STEP(whole_or_nothing_then_close(data));
        STEP(survives_shutdown_close_and_thread_exit(data));
        STEP(blocking_send_takes_everything(data));
        STEP(blocking_send_times_out(data));
        STEP(linger_close(data));
        STEP(urgent_send_through_the_backlog(data));
    }
    free(data);
    WSACleanup();
    printf("stream_send: ok\n");
    return 0;
}
