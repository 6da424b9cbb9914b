/* S34: every send on a socket, blocking or overlapped, from any thread, goes
 * through one FIFO. Two modes of one program:
 *   ov_order recv PORT            (in host B) receives until an 'E' datagram
 *                                 or 10 s of silence, checks the order
 *   ov_order send ADDR PORT [N]   (in host A, link rate-limited to 10 mbit/s)
 * The sender's thread 1 issues N (default 10000) overlapped sends tagged 'O'
 * (event mode, a pool of OVERLAPPED+event reused after completion); thread
 * 2 issues blocking sends tagged 'B'. Each datagram also carries how many
 * sends of the other tag had been issued before it was: FIFO order means
 * the receiver has seen all of those before it. SO_SNDBUF is small so
 * sends pend; SO_RCVBUF is large so nothing is lost. Bounded: <= 60 s. */
#include "ov_common.h"
#include <pthread.h>
#include <stdatomic.h>

#define LEN 200
#define POOL 64

typedef struct {
    char tag;
    unsigned seq;   /* per tag, from 0 */
    unsigned other; /* sends of the other tag issued (returned) before this one started */
} hdr;

static int receiver(unsigned port)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    int rcvbuf = 8 << 20;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, (const char *)&rcvbuf, sizeof rcvbuf));
    SOCKADDR_IN a = addr4("0.0.0.0", port);
    CHECK_OK(bind(s, (SOCKADDR *)&a, sizeof a));
    u_long one = 1;
    CHECK_OK(ioctlsocket(s, FIONBIO, &one));
    printf("recv: ready\n");
    fflush(stdout);
    long last_o = -1, last_b = -1, count_o = 0, count_b = 0, gaps = 0, disorder = 0, cross = 0;
    unsigned want_o = 0, want_b = 0;
    double quiet = now_ms();
    int ended = 0;
    while (!ended && now_ms() - quiet < 10000) {
        char buf[LEN + 64];
        int n = recv(s, buf, sizeof buf, 0);
        if (n == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
            Sleep(1);
            continue;
        }
        quiet = now_ms();
        CHECK(n >= (int)sizeof(hdr));
        hdr h;
        memcpy(&h, buf, sizeof h);
        long *last = h.tag == 'O' ? &last_o : &last_b;
        long other_last = h.tag == 'O' ? last_b : last_o;
        switch (h.tag) {
        case 'E':
            want_o = h.seq;
            want_b = h.other;
            ended = 1;
            continue;
        case 'O':
            count_o++;
            break;
        case 'B':
            count_b++;
            break;
        default:
            FAIL("unknown tag");
        }
        if ((long)h.seq <= *last) {
            if (disorder < 10)
                fprintf(stderr, "%c %u arrived after %c %ld (S34)\n", h.tag, h.seq, h.tag, *last);
            disorder++;
        } else if ((long)h.seq != *last + 1) {
            gaps++;
        }
        if (h.other > 0 && other_last < (long)h.other - 1) {
            if (cross < 10)
                fprintf(stderr, "%c %u arrived before %c %u, which was issued before it (S34)\n",
                        h.tag, h.seq, h.tag == 'O' ? 'B' : 'O', h.other - 1);
            cross++;
        }
        if ((long)h.seq > *last) *last = h.seq;
    }
    printf("recv: O %ld of %u, B %ld of %u, gaps %ld, out of order %ld, overtaken %ld%s\n", count_o,
           want_o, count_b, want_b, gaps, disorder, cross, ended ? "" : " (no end marker)");
    CHECK(ended);
    CHECK_EQ(disorder, 0); /* S34: per-tag order */
    /* Losses (gaps) are judged by the harness against the receive-buffer
     * drop counter; with none, every datagram must be here, and nothing may
     * have overtaken a send issued before it. */
    if (gaps == 0) {
        CHECK_EQ(count_o, want_o);
        CHECK_EQ(count_b, want_b);
        CHECK_EQ(cross, 0); /* S34: one FIFO for blocking and overlapped sends */
    }
    closesocket(s);
    printf("ov_order recv: ok\n");
    return 0;
}

static SOCKET s;
static SOCKADDR_IN to;
static LPFN_WSASENDMSG fn;
static atomic_uint issued_o, issued_b;
static atomic_int o_done;
static unsigned n_o = 10000;
static long pended;

static void fill(char *buf, char tag, unsigned seq, unsigned other)
{
    hdr h;
    memset(&h, 0, sizeof h);
    h.tag = tag;
    h.seq = seq;
    h.other = other;
    memset(buf, tag, LEN);
    memcpy(buf, &h, sizeof h);
}

static void *overlapped_sender(void *arg)
{
    (void)arg;
    static WSAOVERLAPPED ov[POOL];
    static WSAEVENT ev[POOL];
    static char bufs[POOL][LEN];
    static int busy[POOL];
    for (int i = 0; i < POOL; i++) ev[i] = new_event();
    for (unsigned seq = 0; seq < n_o; seq++) {
        int k = (int)(seq % POOL);
        if (busy[k]) {
            /* every op signals its event, also an immediate success (S29) */
            CHECK_EQ(WSAWaitForMultipleEvents(1, &ev[k], TRUE, 20000, FALSE), WSA_WAIT_EVENT_0);
            DWORD bytes = 0, flags = 0;
            CHECK(WSAGetOverlappedResult(s, &ov[k], &bytes, FALSE, &flags));
            CHECK_EQ(bytes, LEN);
            CHECK(WSAResetEvent(ev[k]));
        }
        fill(bufs[k], 'O', seq, atomic_load(&issued_b));
        memset(&ov[k], 0, sizeof ov[k]);
        ov[k].hEvent = ev[k];
        DWORD sent;
        int r = ov_send(fn, s, &to, sizeof to, bufs[k], LEN, &sent, &ov[k], NULL);
        if (r != 0) {
            CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
            pended++;
        }
        busy[k] = 1;
        atomic_store(&issued_o, seq + 1);
    }
    for (int k = 0; k < POOL; k++)
        if (busy[k]) CHECK_EQ(WSAWaitForMultipleEvents(1, &ev[k], TRUE, 20000, FALSE), WSA_WAIT_EVENT_0);
    for (int k = 0; k < POOL; k++) WSACloseEvent(ev[k]);
    atomic_store(&o_done, 1);
    return NULL;
}

static void *blocking_sender(void *arg)
{
    (void)arg;
    char buf[LEN];
    unsigned seq = 0;
    while (!atomic_load(&o_done) && seq < 20000) {
        fill(buf, 'B', seq, atomic_load(&issued_o));
        DWORD sent = 0;
        CHECK_OK(ov_send(fn, s, &to, sizeof to, buf, LEN, &sent, NULL, NULL));
        CHECK_EQ(sent, LEN);
        atomic_store(&issued_b, ++seq);
    }
    return NULL;
}

static int sender(const char *addr, unsigned port)
{
    to = addr4(addr, port);
    s = udp_socket(8192);
    fn = get_wsasendmsg(s);
    double t0 = now_ms();
    pthread_t t1, t2;
    CHECK(pthread_create(&t1, NULL, overlapped_sender, NULL) == 0);
    CHECK(pthread_create(&t2, NULL, blocking_sender, NULL) == 0);
    CHECK(pthread_join(t1, NULL) == 0);
    CHECK(pthread_join(t2, NULL) == 0);
    /* the end marker, a few times (it may be overtaken by nothing: FIFO) */
    char buf[LEN];
    fill(buf, 'E', atomic_load(&issued_o), atomic_load(&issued_b));
    DWORD sent;
    CHECK_OK(ov_send(fn, s, &to, sizeof to, buf, LEN, &sent, NULL, NULL));
    printf("send: %u overlapped (%ld pended), %u blocking in %.0f ms\n", atomic_load(&issued_o), pended,
           atomic_load(&issued_b), now_ms() - t0);
    CHECK(pended > 0); /* the FIFO was exercised */
    Sleep(200);
    closesocket(s);
    printf("ov_order send: ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    startup();
    int rc = 2;
    if (argc == 3 && strcmp(argv[1], "recv") == 0)
        rc = receiver((unsigned)atoi(argv[2]));
    else if ((argc == 4 || argc == 5) && strcmp(argv[1], "send") == 0) {
        if (argc == 5) n_o = (unsigned)atoi(argv[4]);
        rc = sender(argv[2], (unsigned)atoi(argv[3]));
    } else
        fprintf(stderr, "usage: %s recv PORT | %s send ADDR PORT [N]\n", argv[0], argv[0]);
    WSACleanup();
    return rc;
}
