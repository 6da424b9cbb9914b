/* Exactly-once completion under concurrency (S37, S38): issuing threads send
 * overlapped datagrams (event, completion-routine and completion-port
 * modes, mixed) while a chaos thread flushes (SIO_FLUSH) and closes the
 * sockets, and one issuing thread per round exits with operations pending.
 * The caller counts every delivery itself (routine runs and port packets
 * per OVERLAPPED, one event per OVERLAPPED) and checks at the end that each
 * accepted operation (0 or WSA_IO_PENDING) completed exactly once with a
 * final status, and that each refused one was left untouched (S20).
 *
 * argv: DEST_IPV4 PORT [ROUNDS [OPS_PER_THREAD]]; or `sink PORT SECONDS` to
 * bind 0.0.0.0:PORT and discard what arrives (a receiver for the other end
 * of the link, so no ICMP port unreachable comes back). Meant for a rate-limited
 * link (the harness and scripts/valgrind-stress.sh build one), so sends
 * really pend; on loopback it still runs, with immediate completions only.
 * Clauses: S20, S29, S30, S33, S36, S37, S38. */
#include "ov_common.h"
#include <pthread.h>
#include <stdatomic.h>

#define NTHREADS 4
#define MAX_OPS_PER_THREAD 2000
#define NSOCK 6       /* 0..3: event/routine sockets, 4..5: bound to the port */
#define LEN 100
#define SENTINEL ((ULONG_PTR)0x5eed5eedu)

enum { MODE_EVENT, MODE_ROUTINE, MODE_PORT };

typedef struct op {
    WSAOVERLAPPED ov; /* first: routines and packets find the op from it */
    WSAEVENT ev;
    int mode;
    int accepted;
    int thread;
    DWORD sent;
    atomic_int runs;
    atomic_int packets;
    atomic_int wrong_thread;
    DWORD cr_err, cr_bytes;
    pthread_t issuer;
} op;

static op ops[NTHREADS][MAX_OPS_PER_THREAD];
static int nops = 400, rounds = 6;
static SOCKADDR_IN to;
static LPFN_WSASENDMSG fn;
static char data[LEN];
static SOCKET socks[NSOCK];
static atomic_int closed_by_chaos[NSOCK];
static HANDLE port;
static atomic_int issued_threads, stop_chaos, stop_collector;
static atomic_int bad_packets;
static int exiting_thread;

static op *op_of(LPOVERLAPPED ov)
{
    op *first = &ops[0][0], *last = &ops[NTHREADS - 1][MAX_OPS_PER_THREAD - 1];
    op *o = (op *)(void *)ov;
    if (o < first || o > last) return NULL;
    return o;
}

static void CALLBACK routine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED ov, DWORD dwFlags)
{
    op *o = op_of(ov);
    if (o == NULL || dwFlags != 0) {
        fprintf(stderr, "routine: foreign OVERLAPPED %p or flags %lu\n", (void *)ov,
                (unsigned long)dwFlags);
        exit(1);
    }
    o->cr_err = dwError;
    o->cr_bytes = cbTransferred;
    if (!pthread_equal(o->issuer, pthread_self())) atomic_store(&o->wrong_thread, 1); /* S33 */
    atomic_fetch_add(&o->runs, 1);
}

static void *collector(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_collector)) {
        OVERLAPPED_ENTRY e[16];
        ULONG n = 0;
        if (!GetQueuedCompletionStatusEx(port, e, 16, &n, 50, FALSE)) {
            if (GetLastError() != WAIT_TIMEOUT) {
                fprintf(stderr, "GetQueuedCompletionStatusEx failed: %lu\n",
                        (unsigned long)GetLastError());
                atomic_fetch_add(&bad_packets, 1);
            }
            continue;
        }
        for (ULONG i = 0; i < n; i++) {
            op *o = op_of(e[i].lpOverlapped);
            if (o == NULL) {
                fprintf(stderr, "packet for a foreign OVERLAPPED %p\n", (void *)e[i].lpOverlapped);
                atomic_fetch_add(&bad_packets, 1);
                continue;
            }
            /* The packet carries the operation's final status and bytes. */
            ULONG_PTR st = *(volatile ULONG_PTR *)&o->ov.Internal;
            if (e[i].Internal != st || e[i].dwNumberOfBytesTransferred != o->ov.InternalHigh) {
                fprintf(stderr, "packet (%#lx, %lu) differs from the OVERLAPPED (%#lx, %lu)\n",
                        (unsigned long)e[i].Internal, (unsigned long)e[i].dwNumberOfBytesTransferred,
                        (unsigned long)st, (unsigned long)o->ov.InternalHigh);
                atomic_fetch_add(&bad_packets, 1);
            }
            atomic_fetch_add(&o->packets, 1);
        }
    }
    return NULL;
}

static void *chaos(void *arg)
{
    unsigned seed = (unsigned)(UINT_PTR)arg;
    int closes = 0;
    while (!atomic_load(&stop_chaos)) {
        seed = seed * 1103515245u + 12345u;
        Sleep(1 + (seed >> 16) % 3);
        int k = (int)((seed >> 8) % NSOCK);
        int action = (int)((seed >> 20) % 8);
        if (atomic_load(&closed_by_chaos[k])) continue;
        if (action < 3) {
            DWORD ret;
            if (WSAIoctl(socks[k], SIO_FLUSH, NULL, 0, NULL, 0, &ret, NULL, NULL) != 0) {
                fprintf(stderr, "SIO_FLUSH on socket %d failed: %d\n", k, WSAGetLastError());
                exit(1);
            }
        } else if (action < 6 && closes < 2 && (closes == 0 ? k < 4 : k >= 4)) {
            /* one event/routine socket and one port-bound socket per round */
            atomic_store(&closed_by_chaos[k], 1);
            if (closesocket(socks[k]) != 0) {
                fprintf(stderr, "chaos closesocket failed: %d\n", WSAGetLastError());
                exit(1);
            }
            closes++;
        }
    }
    return NULL;
}

static void *issuer(void *arg)
{
    int t = (int)(UINT_PTR)arg;
    int want_routines = 0;
    for (int i = 0; i < nops; i++) {
        op *o = &ops[t][i];
        o->mode = (i + t) % 3;
        o->thread = t;
        o->issuer = pthread_self();
        SOCKET s = o->mode == MODE_PORT ? socks[4 + i % 2] : socks[(t + i) % 4];
        memset(&o->ov, 0, sizeof o->ov);
        o->ov.Internal = SENTINEL;
        o->ov.InternalHigh = SENTINEL;
        if (o->mode == MODE_EVENT || (o->mode == MODE_PORT && i % 4 == 0)) o->ov.hEvent = o->ev;
        if (o->mode == MODE_ROUTINE) o->ov.hEvent = (HANDLE)o; /* S32: caller's context */
        o->sent = 0xdeadbeef;
        int r = ov_send(fn, s, &to, sizeof to, data, LEN, &o->sent, &o->ov,
                        o->mode == MODE_ROUTINE ? routine : NULL);
        int e = WSAGetLastError();
        if (r == 0) {
            if (o->sent != LEN) {
                fprintf(stderr, "thread %d op %d: immediate success wrote %lu bytes\n", t, i,
                        (unsigned long)o->sent);
                exit(1);
            }
            o->accepted = 1;
        } else if (e == WSA_IO_PENDING) {
            o->accepted = 2;
        } else if (e == WSAENOTSOCK || e == WSAEWOULDBLOCK) {
            o->accepted = 0; /* the chaos thread closed it / the limit: refused */
            if (o->ov.Internal != SENTINEL || o->ov.InternalHigh != SENTINEL) {
                fprintf(stderr, "thread %d op %d: refused (%d) but OVERLAPPED written (S20)\n", t, i, e);
                exit(1);
            }
        } else {
            fprintf(stderr, "thread %d op %d (mode %d): unexpected result %d error %d\n", t, i,
                    o->mode, r, e);
            exit(1);
        }
        if (o->accepted && o->mode == MODE_ROUTINE) want_routines++;
        if (i % 8 == 7) SleepEx(i % 16 == 15 ? 1 : 0, TRUE); /* routines run here (S33) */
    }
    atomic_fetch_add(&issued_threads, 1);
    if (t == exiting_thread) return NULL; /* exits with operations pending (S37) */
    /* Wait alertably until every routine of ours ran (main closes the sockets). */
    double t0 = now_ms();
    for (;;) {
        int ran = 0;
        for (int i = 0; i < nops; i++)
            if (ops[t][i].accepted && ops[t][i].mode == MODE_ROUTINE && atomic_load(&ops[t][i].runs) > 0)
                ran++;
        if (ran == want_routines) break;
        if (now_ms() - t0 > 15000) {
            fprintf(stderr, "thread %d: %d of %d routines ran within 15 s (S33 S38)\n", t, ran,
                    want_routines);
            exit(1);
        }
        SleepEx(20, TRUE);
    }
    SleepEx(10, TRUE); /* a second run would show up now */
    return NULL;
}

#define VERIFY(cond, o, what)                                                                    \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr,                                                                       \
                    "round %d thread %d op %d (mode %d, accepted %d): %s [%s]: Internal %#lx "    \
                    "InternalHigh %lu runs %d packets %d\n",                                      \
                    round, (o)->thread, (int)((o) - ops[(o)->thread]), (o)->mode, (o)->accepted,  \
                    (what), #cond, (unsigned long)(o)->ov.Internal,                               \
                    (unsigned long)(o)->ov.InternalHigh, atomic_load(&(o)->runs),                 \
                    atomic_load(&(o)->packets));                                                  \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

static int sink(unsigned port, int seconds)
{
    startup();
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    SOCKADDR_IN a = addr4("0.0.0.0", port);
    CHECK_OK(bind(s, (SOCKADDR *)&a, sizeof a));
    u_long one = 1;
    CHECK_OK(ioctlsocket(s, FIONBIO, &one));
    printf("sink: ready\n");
    fflush(stdout);
    long n = 0;
    double end = now_ms() + seconds * 1000.0;
    while (now_ms() < end) {
        char buf[2048];
        if (recv(s, buf, sizeof buf, 0) >= 0)
            n++;
        else
            Sleep(1);
    }
    printf("sink: %ld datagrams\n", n);
    closesocket(s);
    WSACleanup();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "sink") == 0) return sink((unsigned)atoi(argv[2]), atoi(argv[3]));
    if (argc < 3) {
        fprintf(stderr, "usage: %s DEST_IPV4 PORT [ROUNDS [OPS_PER_THREAD]]\n", argv[0]);
        return 2;
    }
    if (argc > 3) rounds = atoi(argv[3]);
    if (argc > 4) nops = atoi(argv[4]);
    if (rounds < 1 || nops < 1 || nops > MAX_OPS_PER_THREAD) {
        fprintf(stderr, "bad ROUNDS/OPS_PER_THREAD\n");
        return 2;
    }
    startup();
    to = addr4(argv[1], (unsigned)atoi(argv[2]));
    memset(data, 'x', sizeof data);
    for (int t = 0; t < NTHREADS; t++)
        for (int i = 0; i < nops; i++) ops[t][i].ev = new_event();
    port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    pthread_t coll;
    CHECK(pthread_create(&coll, NULL, collector, NULL) == 0);
    double start = now_ms();
    long total[4] = {0, 0, 0, 0}; /* refused, immediate, pending, cancelled */

    for (int round = 0; round < rounds; round++) {
        exiting_thread = round % NTHREADS;
        atomic_store(&issued_threads, 0);
        atomic_store(&stop_chaos, 0);
        for (int t = 0; t < NTHREADS; t++)
            for (int i = 0; i < nops; i++) {
                op *o = &ops[t][i];
                CHECK(WSAResetEvent(o->ev));
                o->accepted = 0;
                atomic_store(&o->runs, 0);
                atomic_store(&o->packets, 0);
                atomic_store(&o->wrong_thread, 0);
            }
        for (int k = 0; k < NSOCK; k++) {
            socks[k] = udp_socket(4096);
            atomic_store(&closed_by_chaos[k], 0);
            if (k >= 4) CHECK(CreateIoCompletionPort((HANDLE)socks[k], port, (ULONG_PTR)k, 0) == port);
        }
        if (round == 0) fn = get_wsasendmsg(socks[0]);
        pthread_t ch, th[NTHREADS];
        CHECK(pthread_create(&ch, NULL, chaos, (void *)(UINT_PTR)(round * 7919 + 17)) == 0);
        for (int t = 0; t < NTHREADS; t++)
            CHECK(pthread_create(&th[t], NULL, issuer, (void *)(UINT_PTR)t) == 0);
        while (atomic_load(&issued_threads) < NTHREADS) Sleep(1);
        atomic_store(&stop_chaos, 1);
        CHECK(pthread_join(ch, NULL) == 0);
        CHECK(pthread_join(th[exiting_thread], NULL) == 0);
        /* S37: close everything still open; pending operations are cancelled */
        for (int k = 0; k < NSOCK; k++) {
            if (atomic_load(&closed_by_chaos[k]))
                CHECK_ERR(closesocket(socks[k]), WSAENOTSOCK);
            else
                CHECK_OK(closesocket(socks[k]));
        }
        for (int t = 0; t < NTHREADS; t++)
            if (t != exiting_thread) CHECK(pthread_join(th[t], NULL) == 0);
        /* wait for every port packet */
        int want_packets = 0;
        for (int t = 0; t < NTHREADS; t++)
            for (int i = 0; i < nops; i++)
                if (ops[t][i].accepted && ops[t][i].mode == MODE_PORT) want_packets++;
        double t0 = now_ms();
        for (;;) {
            int got = 0;
            for (int t = 0; t < NTHREADS; t++)
                for (int i = 0; i < nops; i++) got += atomic_load(&ops[t][i].packets);
            if (got >= want_packets) break;
            if (now_ms() - t0 > 10000) {
                fprintf(stderr, "round %d: %d of %d port packets within 10 s (S36 S38)\n", round,
                        got, want_packets);
                exit(1);
            }
            Sleep(5);
        }
        Sleep(30); /* a duplicate packet would arrive now */
        CHECK_EQ(atomic_load(&bad_packets), 0);

        for (int t = 0; t < NTHREADS; t++)
            for (int i = 0; i < nops; i++) {
                op *o = &ops[t][i];
                ULONG_PTR st = *(volatile ULONG_PTR *)&o->ov.Internal;
                total[o->accepted]++;
                if (!o->accepted) {
                    VERIFY(st == SENTINEL && o->ov.InternalHigh == SENTINEL, o, "refused op written (S20)");
                    VERIFY(atomic_load(&o->runs) == 0, o, "refused op: routine ran (S20)");
                    VERIFY(atomic_load(&o->packets) == 0, o, "refused op: packet (S20)");
                    VERIFY(!event_is_set(o->ev), o, "refused op: event set (S20)");
                    continue;
                }
                if (o->accepted == 2) VERIFY(o->sent == 0xdeadbeef, o, "pending op: bytes written (S30)");
                /* final status: never STATUS_PENDING (or our sentinel) after the end */
                if (st == STATUS_PENDING && o->mode != MODE_ROUTINE) {
                    /* Internal is written before the event (S38): give it a moment */
                    WaitForSingleObject(o->ev, 2000);
                    st = *(volatile ULONG_PTR *)&o->ov.Internal;
                }
                VERIFY(st != STATUS_PENDING, o, "still STATUS_PENDING after every socket closed (S37 S38)");
                VERIFY(st != SENTINEL, o, "accepted op never written (S30)");
                VERIFY(st == STATUS_SUCCESS || st == STATUS_CANCELLED || (st & 0xC0000000u) == 0xC0000000u,
                       o, "not a final NTSTATUS");
                if (st == STATUS_SUCCESS) VERIFY(o->ov.InternalHigh == LEN, o, "success: bytes");
                if (st == STATUS_CANCELLED) {
                    VERIFY(o->ov.InternalHigh == 0, o, "cancelled: bytes");
                    total[3]++;
                }
                int runs = atomic_load(&o->runs), packets = atomic_load(&o->packets);
                VERIFY(runs <= 1 && packets <= 1, o, "delivered twice (S38)");
                switch (o->mode) {
                case MODE_EVENT:
                    VERIFY(event_is_set(o->ev), o, "event not set (S31 S37)");
                    VERIFY(runs == 0 && packets == 0, o, "event op delivered elsewhere");
                    break;
                case MODE_ROUTINE:
                    VERIFY(packets == 0, o, "routine op got a packet");
                    VERIFY(o->ov.hEvent == (HANDLE)o, o, "hEvent touched (S32)");
                    VERIFY(!atomic_load(&o->wrong_thread), o, "routine on another thread (S33)");
                    if (o->thread != exiting_thread) {
                        VERIFY(runs == 1, o, "routine did not run exactly once (S33 S38)");
                        VERIFY(o->cr_err == (st == STATUS_SUCCESS ? 0u
                                             : st == STATUS_CANCELLED ? (DWORD)WSA_OPERATION_ABORTED
                                                                      : o->cr_err),
                               o, "routine dwError does not match Internal (S33)");
                        VERIFY(o->cr_bytes == o->ov.InternalHigh, o, "routine bytes != InternalHigh");
                    }
                    break;
                case MODE_PORT:
                    VERIFY(packets == 1, o, "port op: not exactly one packet (S36 S38)");
                    VERIFY(runs == 0, o, "port op ran a routine");
                    if (o->ov.hEvent != NULL) VERIFY(event_is_set(o->ev), o, "port op with event: not set");
                    break;
                }
            }
        /* an event set twice would be set again after a reset */
        for (int t = 0; t < NTHREADS; t++)
            for (int i = 0; i < nops; i++) CHECK(WSAResetEvent(ops[t][i].ev));
        Sleep(20);
        for (int t = 0; t < NTHREADS; t++)
            for (int i = 0; i < nops; i++) {
                op *o = &ops[t][i];
                VERIFY(!event_is_set(o->ev), o, "event set again after the op completed (S38)");
                VERIFY(atomic_load(&o->runs) <= 1 && atomic_load(&o->packets) <= 1, o,
                       "delivered twice (S38)");
            }
        CHECK(SleepEx(0, TRUE) == 0); /* nothing queued to the main thread */
    }
    atomic_store(&stop_collector, 1);
    CHECK(pthread_join(coll, NULL) == 0);
    CHECK(CloseHandle(port));
    for (int t = 0; t < NTHREADS; t++)
        for (int i = 0; i < nops; i++) CHECK(WSACloseEvent(ops[t][i].ev));
    WSACleanup();
    printf("ov_stress: %d rounds x %d threads x %d ops in %.0f ms: %ld refused, %ld immediate, "
           "%ld pending, %ld cancelled\n",
           rounds, NTHREADS, nops, now_ms() - start, total[0], total[1], total[2], total[3]);
    if (total[2] == 0) printf("ov_stress: note: no operation pended (link not rate-limited?)\n");
    printf("ov_stress: ok\n");
    return 0;
}
