/* Overlapped sends that really pend: run by the harness in host A of two
 * namespaces joined by a veth pair rate-limited to 8 kbit/s, with
 * WS2_MAX_PENDING_SENDS=8 in the environment. argv: B's IPv4 address and a
 * UDP port (the harness keeps a receiver bound there).
 * Clauses: S18, S20, S30, S31, S32, S34, S36, S37, S38. */
#include "ov_common.h"
#include <pthread.h>

#define LIMIT 8 /* WS2_MAX_PENDING_SENDS, set by the harness (S18) */
#define MAX_OPS 300
#define KEY 0xfeedu
#define MARKER ((HANDLE)(UINT_PTR)0x5eed0000u)
#define SENT_UNWRITTEN 0xdeadbeefu

typedef struct op {
    WSAOVERLAPPED ov; /* first: the routine finds its op from the OVERLAPPED */
    WSAEVENT ev;      /* event mode: hEvent; routine mode: NULL */
    int routine;      /* completion-routine mode */
    int result;       /* 0: immediate, 1: pending */
    DWORD sent;
    int runs;         /* routine runs */
    DWORD cr_err, cr_bytes;
    pthread_t issuer;
    int wrong_thread;
} op;

static SOCKADDR_IN to;
static LPFN_WSASENDMSG fn;
static char small[100], big[1200];

static void CALLBACK routine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED ov, DWORD dwFlags)
{
    op *o = (op *)(void *)ov;
    (void)dwFlags;
    o->runs++;
    o->cr_err = dwError;
    o->cr_bytes = cbTransferred;
    if (!pthread_equal(o->issuer, pthread_self())) o->wrong_thread = 1;
}

static ULONG_PTR internal_of(const op *o)
{
    return *(volatile const ULONG_PTR *)&o->ov.Internal;
}

/* Issues one op on s; returns 0 (immediate) or 1 (pending); any other
 * outcome fails the test. */
#define issue(s, o, routine_mode, len) ws2t_issue((s), (o), (routine_mode), (len), __FILE__, __LINE__)
static int ws2t_issue(SOCKET s, op *o, int routine_mode, ULONG len, const char *file, int line)
{
    memset(o, 0, sizeof *o);
    o->routine = routine_mode;
    o->issuer = pthread_self();
    if (routine_mode) {
        o->ov.hEvent = MARKER; /* S32: the caller's context */
    } else {
        o->ev = ws2t_new_event(file, line);
        o->ov.hEvent = o->ev;
    }
    o->sent = SENT_UNWRITTEN;
    o->ov.Internal = 0x1111; /* overwritten by the call (S30) */
    int r = ov_send(fn, s, &to, sizeof to, len == sizeof big ? big : small, len, &o->sent, &o->ov,
                    routine_mode ? routine : NULL);
    int e = WSAGetLastError();
    if (r == 0) {
        if (o->sent != len) ws2t_fail(file, line, "immediate success: bytes not written (S29)", e);
        o->result = 0;
        return 0;
    }
    if (r != SOCKET_ERROR || e != WSA_IO_PENDING)
        ws2t_fail(file, line, "overlapped send: neither 0 nor WSA_IO_PENDING", e);
    o->result = 1;
    return 1;
}

/* Issues ops on s (all event mode, or alternating when mixed) until `want`
 * of them pended; returns how many were issued. */
#define fill(s, ops, want, len, mixed) ws2t_fill((s), (ops), (want), (len), (mixed), __FILE__, __LINE__)
static int ws2t_fill(SOCKET s, op *ops, int want, ULONG len, int mixed, const char *file, int line)
{
    int n = 0, pending = 0;
    while (pending < want) {
        if (n == MAX_OPS) ws2t_fail(file, line, "sends never pended: is the link rate-limited?", 0);
        int routine_mode = mixed && pending > 0 && (n % 2 == 1);
        pending += ws2t_issue(s, &ops[n], routine_mode, len, file, line);
        n++;
    }
    return n;
}

static void close_events(op *ops, int n)
{
    for (int i = 0; i < n; i++)
        if (ops[i].ev != NULL) {
            CHECK(WSACloseEvent(ops[i].ev));
            ops[i].ev = NULL;
        }
}

/* After a cancellation (closesocket, SIO_FLUSH): every op is final, the
 * cancelled ones form a suffix of the issue order (S34 FIFO), they carry
 * STATUS_CANCELLED and 0 bytes, events are set, routines have not run yet
 * (they run in the next alertable wait). Returns the number cancelled. */
#define check_cancelled(ops, n, len) ws2t_check_cancelled((ops), (n), (len), __FILE__, __LINE__)
static int ws2t_check_cancelled(op *ops, int n, ULONG len, const char *file, int line)
{
    int cancelled = 0;
    for (int i = 0; i < n; i++) {
        op *o = &ops[i];
        ULONG_PTR st = internal_of(o);
        char m[256];
        snprintf(m, sizeof m, "op %d/%d: Internal %#lx, expected 0 or STATUS_CANCELLED (S37)", i, n,
                 (unsigned long)st);
        if (st != STATUS_SUCCESS && st != STATUS_CANCELLED) ws2t_fail(file, line, m, 0);
        if (st == STATUS_CANCELLED) {
            cancelled++;
            if (o->ov.InternalHigh != 0) ws2t_fail(file, line, "cancelled op: InternalHigh != 0", 0);
        } else {
            if (cancelled > 0) {
                snprintf(m, sizeof m, "op %d succeeded after an earlier op was cancelled (S34 FIFO)", i);
                ws2t_fail(file, line, m, 0);
            }
            if (o->ov.InternalHigh != len) ws2t_fail(file, line, "successful op: InternalHigh != len", 0);
        }
        if (o->result == 1 && o->sent != SENT_UNWRITTEN)
            ws2t_fail(file, line, "pending op: lpNumberOfBytesSent was written (S30)", 0);
        if (o->routine) {
            if (o->ov.hEvent != MARKER) ws2t_fail(file, line, "routine op: hEvent touched (S32)", 0);
        } else if (!event_is_set(o->ev)) {
            snprintf(m, sizeof m, "op %d: event not set after completion (S31 S37)", i);
            ws2t_fail(file, line, m, 0);
        }
    }
    return cancelled;
}

/* Runs the routines queued to this thread and checks each routine op ran
 * exactly once with the status its Internal shows. */
#define run_routines(ops, n, len) ws2t_run_routines((ops), (n), (len), __FILE__, __LINE__)
static void ws2t_run_routines(op *ops, int n, ULONG len, const char *file, int line)
{
    int want = 0;
    for (int i = 0; i < n; i++) want += ops[i].routine;
    double t0 = now_ms();
    for (;;) {
        int ran = 0;
        for (int i = 0; i < n; i++) ran += ops[i].routine && ops[i].runs > 0;
        if (ran == want) break;
        if (now_ms() - t0 > 5000) ws2t_fail(file, line, "routines did not run within 5 s (S33)", 0);
        SleepEx(100, TRUE);
    }
    SleepEx(20, TRUE);
    for (int i = 0; i < n; i++) {
        op *o = &ops[i];
        if (!o->routine) continue;
        char m[256];
        if (o->runs != 1) {
            snprintf(m, sizeof m, "op %d: routine ran %d times (S33 S38)", i, o->runs);
            ws2t_fail(file, line, m, 0);
        }
        if (o->wrong_thread) ws2t_fail(file, line, "routine ran on another thread (S33)", 0);
        DWORD want_err = internal_of(o) == STATUS_CANCELLED ? WSA_OPERATION_ABORTED : 0;
        DWORD want_bytes = internal_of(o) == STATUS_CANCELLED ? 0 : len;
        if (o->cr_err != want_err || o->cr_bytes != want_bytes) {
            snprintf(m, sizeof m, "op %d: routine got (%lu, %lu), expected (%lu, %lu) (S33 S37)", i,
                     (unsigned long)o->cr_err, (unsigned long)o->cr_bytes,
                     (unsigned long)want_err, (unsigned long)want_bytes);
            ws2t_fail(file, line, m, 0);
        }
    }
}

static op ops[MAX_OPS];

/* ---- threads ---- */
struct blocked {
    SOCKET s;
    volatile int done;
    int r, err;
};

static void *blocking_sender(void *arg)
{
    struct blocked *b = arg;
    b->r = sendto(b->s, big, sizeof big, 0, (const SOCKADDR *)&to, sizeof to);
    b->err = WSAGetLastError();
    b->done = 1;
    return NULL;
}

struct exiting {
    SOCKET s;
    op *ops;
    int n;
    int mixed;
};

static void *issue_and_exit(void *arg)
{
    struct exiting *x = arg;
    x->n = fill(x->s, x->ops, 3, sizeof small, x->mixed);
    return NULL; /* exits with pending operations (S37) */
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DEST_IPV4 PORT\n", argv[0]);
        return 2;
    }
    startup();
    to = addr4(argv[1], (unsigned)atoi(argv[2]));
    memset(small, 's', sizeof small);
    memset(big, 'b', sizeof big);
    {
        SOCKET tmp = udp_socket(0);
        fn = get_wsasendmsg(tmp);
        closesocket(tmp);
    }
    int n, c;

    /* ---- S34: a blocking send waits behind queued overlapped sends ---- */
    {
        SOCKET s = udp_socket(4096);
        n = fill(s, ops, 3, sizeof small, 0);
        CHECK_HEX_EQ(internal_of(&ops[n - 1]), STATUS_PENDING);
        double t0 = now_ms();
        DWORD sent = 0;
        CHECK_OK(ov_send(fn, s, &to, sizeof to, small, sizeof small, &sent, NULL, NULL));
        double waited = now_ms() - t0;
        CHECK_EQ(sent, sizeof small);
        for (int i = 0; i < n; i++) {
            if (internal_of(&ops[i]) == STATUS_PENDING) {
                fprintf(stderr, "op %d of %d still pending when the blocking send returned\n", i, n);
                FAIL("blocking send overtook queued overlapped sends (S34)");
            }
            CHECK_HEX_EQ(internal_of(&ops[i]), STATUS_SUCCESS);
            CHECK(event_is_set(ops[i].ev));
        }
        printf("S34: %d overlapped sends (3 pending), blocking send waited %.0f ms\n", n, waited);
        CHECK_OK(closesocket(s));
        close_events(ops, n);
    }

    /* ---- S37 SIO_FLUSH: pending ops complete with STATUS_CANCELLED ---- */
    {
        SOCKET s = udp_socket(4096);
        n = fill(s, ops, 4, sizeof small, 1);
        DWORD ret = 0xdead;
        CHECK_OK(WSAIoctl(s, SIO_FLUSH, NULL, 0, NULL, 0, &ret, NULL, NULL));
        c = check_cancelled(ops, n, sizeof small);
        CHECK(c >= 1);
        printf("SIO_FLUSH: %d ops, %d cancelled\n", n, c);
        for (int i = 0; i < n; i++)
            if (ops[i].routine) CHECK_EQ(ops[i].runs, 0); /* not before an alertable wait */
        CHECK_EQ(SleepEx(1000, TRUE), WAIT_IO_COMPLETION);
        run_routines(ops, n, sizeof small);
        /* S31: a failed operation → FALSE with its mapped error */
        for (int i = 0; i < n; i++) {
            if (ops[i].routine || internal_of(&ops[i]) != STATUS_CANCELLED) continue;
            DWORD bytes = 0xdead, flags = 0;
            CHECK(WSAGetOverlappedResult(s, &ops[i].ov, &bytes, FALSE, &flags) == FALSE);
            CHECK_EQ(WSAGetLastError(), WSA_OPERATION_ABORTED);
            CHECK(WSAGetOverlappedResult(s, &ops[i].ov, &bytes, TRUE, &flags) == FALSE);
            CHECK_EQ(WSAGetLastError(), WSA_OPERATION_ABORTED);
        }
        close_events(ops, n);
        /* the socket is still usable */
        op *o = &ops[0];
        issue(s, o, 0, sizeof small);
        DWORD bytes = 0, flags = 0;
        CHECK(WSAGetOverlappedResult(s, &o->ov, &bytes, TRUE, &flags) == TRUE); /* S31 */
        CHECK_EQ(bytes, sizeof small);
        CHECK(event_is_set(o->ev));
        close_events(ops, 1);
        CHECK_OK(closesocket(s));
    }

    /* ---- S36 S37: port-bound socket closed with ops pending ---- */
    {
        HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
        CHECK(port != NULL);
        SOCKET s = udp_socket(4096);
        CHECK(CreateIoCompletionPort((HANDLE)s, port, KEY, 0) == port);
        n = fill(s, ops, 3, sizeof small, 0);
        CHECK_OK(closesocket(s));
        c = check_cancelled(ops, n, sizeof small);
        CHECK(c >= 1);
        int seen[MAX_OPS] = {0};
        int got = 0, failed = 0;
        while (got < n) {
            DWORD bytes = 0xdead;
            ULONG_PTR key = 0;
            LPOVERLAPPED pov = NULL;
            SetLastError(0);
            BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &pov, 2000);
            DWORD e = GetLastError();
            CHECK(pov != NULL); /* S36: no timeout before every op's packet */
            int i = (int)((op *)(void *)pov - ops);
            CHECK(i >= 0 && i < n);
            CHECK_EQ(key, KEY);
            seen[i]++;
            got++;
            if (internal_of(&ops[i]) == STATUS_CANCELLED) {
                CHECK(ok == FALSE);                     /* S36 */
                CHECK_EQ(e, ERROR_OPERATION_ABORTED);   /* S36 G: 995 */
                CHECK_EQ(bytes, 0);
                failed++;
            } else {
                CHECK(ok == TRUE);
                CHECK_EQ(bytes, sizeof small);
            }
        }
        for (int i = 0; i < n; i++) CHECK_EQ(seen[i], 1); /* S38 */
        CHECK_EQ(failed, c);
        DWORD bytes;
        ULONG_PTR key;
        LPOVERLAPPED pov = &ops[0].ov;
        SetLastError(0);
        CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &pov, 100) == FALSE);
        CHECK(pov == NULL);
        CHECK_EQ(GetLastError(), WAIT_TIMEOUT); /* no second packet (S38) */
        printf("port close: %d ops, %d cancelled, one packet each\n", n, c);
        close_events(ops, n);

        /* S37: ops on a port-bound socket are not tied to the issuing thread */
        s = udp_socket(4096);
        CHECK(CreateIoCompletionPort((HANDLE)s, port, KEY, 0) == port);
        struct exiting x = {s, ops, 0, 0};
        pthread_t t;
        CHECK(pthread_create(&t, NULL, issue_and_exit, &x) == 0);
        CHECK(pthread_join(t, NULL) == 0);
        memset(seen, 0, sizeof seen);
        for (got = 0; got < x.n; got++) {
            bytes = 0;
            pov = NULL;
            SetLastError(0);
            BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &pov, 10000);
            if (!ok) {
                fprintf(stderr, "packet %d of %d: FALSE, GetLastError()=%lu, ov=%p\n", got, x.n,
                        (unsigned long)GetLastError(), (void *)pov);
                FAIL("op on a port-bound socket did not succeed after its thread exited (S37)");
            }
            int i = (int)((op *)(void *)pov - ops);
            CHECK(i >= 0 && i < x.n);
            seen[i]++;
            CHECK_EQ(bytes, sizeof small);
        }
        for (int i = 0; i < x.n; i++) CHECK_EQ(seen[i], 1);
        printf("port ops outlive their thread: %d ops all succeeded\n", x.n);
        close_events(ops, x.n);
        CHECK_OK(closesocket(s));
        CHECK(CloseHandle(port));
    }

    /* ---- S30 S31 S32 S18 S37: 1200-byte sends, limit, closesocket ---- */
    {
        SOCKET s = udp_socket(4096);
        /* event mode until the first pending one */
        n = 0;
        while (issue(s, &ops[n], 0, sizeof big) == 0) {
            n++;
            CHECK(n < MAX_OPS);
        }
        op *p0 = &ops[n++];
        CHECK_HEX_EQ(internal_of(p0), STATUS_PENDING); /* S30 */
        CHECK_EQ(p0->sent, SENT_UNWRITTEN);            /* S30 */
        CHECK(!HasOverlappedIoCompleted(&p0->ov));     /* S30 */
        CHECK(!event_is_set(p0->ev));                  /* S31 */
        DWORD bytes = 0xdead, flags = 0;
        CHECK(WSAGetOverlappedResult(s, &p0->ov, &bytes, FALSE, &flags) == FALSE); /* S31 */
        CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
        int pending = 1;
        /* a routine-mode op behind it pends too */
        op *r0 = &ops[n++];
        CHECK_EQ(issue(s, r0, 1, sizeof big), 1);
        pending++;
        CHECK_HEX_EQ(internal_of(r0), STATUS_PENDING);
        CHECK(WSAGetOverlappedResult(s, &r0->ov, &bytes, TRUE, &flags) == FALSE); /* S32 */
        CHECK_EQ(WSAGetLastError(), WSAEINVAL);
        CHECK(WSAGetOverlappedResult(s, &r0->ov, &bytes, FALSE, &flags) == FALSE); /* S31 */
        CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
        CHECK(r0->ov.hEvent == MARKER); /* S32 */
        /* fill up to the limit, alternating modes */
        while (pending < LIMIT) {
            CHECK_EQ(issue(s, &ops[n], n % 2, sizeof big), 1);
            n++;
            pending++;
        }
        /* S18: one more → WSAEWOULDBLOCK, nothing queued, OVERLAPPED untouched */
        {
            WSAOVERLAPPED extra, copy;
            WSAEVENT ev = new_event();
            memset(&extra, 0x3C, sizeof extra);
            extra.hEvent = ev;
            copy = extra;
            DWORD sent = SENT_UNWRITTEN;
            CHECK_ERR(ov_send(fn, s, &to, sizeof to, big, sizeof big, &sent, &extra, NULL),
                      WSAEWOULDBLOCK);                     /* S18 */
            CHECK(memcmp(&extra, &copy, sizeof extra) == 0); /* S18 S20 */
            CHECK_EQ(sent, SENT_UNWRITTEN);
            memset(&extra, 0x3C, sizeof extra);
            extra.hEvent = MARKER;
            copy = extra;
            CHECK_ERR(ov_send(fn, s, &to, sizeof to, big, sizeof big, &sent, &extra, routine),
                      WSAEWOULDBLOCK);
            CHECK(memcmp(&extra, &copy, sizeof extra) == 0);
            CHECK(!event_is_set(ev)); /* S20 */
            CHECK(WSACloseEvent(ev));
        }
        for (int i = n - LIMIT; i < n; i++) CHECK_HEX_EQ(internal_of(&ops[i]), STATUS_PENDING);
        printf("limit: %d immediate, %d pending, the next one WSAEWOULDBLOCK\n", n - LIMIT, LIMIT);
        /* S37: closesocket cancels every pending op */
        CHECK_OK(closesocket(s));
        c = check_cancelled(ops, n, sizeof big);
        printf("closesocket: %d of %d pending ops cancelled\n", c, LIMIT);
        CHECK(c >= LIMIT - 1); /* at most one could have drained at 8 kbit/s */
        for (int i = 0; i < n; i++)
            if (ops[i].routine) CHECK_EQ(ops[i].runs, 0);
        CHECK_EQ(SleepEx(1000, TRUE), WAIT_IO_COMPLETION); /* S33 S37 */
        run_routines(ops, n, sizeof big);
        /* S31: a stale socket → WSAENOTSOCK */
        CHECK(WSAGetOverlappedResult(s, &p0->ov, &bytes, FALSE, &flags) == FALSE);
        CHECK_EQ(WSAGetLastError(), WSAENOTSOCK);
        close_events(ops, n);
    }

    /* ---- S37: a thread blocked in a send is woken by closesocket with WSAEINTR ---- */
    {
        SOCKET s = udp_socket(4096);
        n = fill(s, ops, 2, sizeof big, 0);
        struct blocked b = {s, 0, 0, 0};
        pthread_t t;
        CHECK(pthread_create(&t, NULL, blocking_sender, &b) == 0);
        Sleep(300);
        CHECK(!b.done); /* it waits behind the pending sends */
        CHECK_OK(closesocket(s));
        double t0 = now_ms();
        while (!b.done && now_ms() - t0 < 3000) Sleep(5);
        CHECK(b.done); /* S37: woken */
        CHECK(pthread_join(t, NULL) == 0);
        CHECK_EQ(b.r, SOCKET_ERROR);
        SOFT_EQ(b.err, WSAEINTR); /* S37 */
        c = check_cancelled(ops, n, sizeof big);
        CHECK(c >= 1);
        close_events(ops, n);
    }

    /* ---- S37: the issuing thread exits: its pending ops are cancelled ---- */
    {
        SOCKET s = udp_socket(4096);
        struct exiting x = {s, ops, 0, 1};
        pthread_t t;
        CHECK(pthread_create(&t, NULL, issue_and_exit, &x) == 0);
        CHECK(pthread_join(t, NULL) == 0);
        n = x.n;
        double t0 = now_ms();
        for (int i = 0; i < n; i++)
            while (internal_of(&ops[i]) == STATUS_PENDING) {
                if (now_ms() - t0 > 3000) {
                    fprintf(stderr, "op %d of %d (%s mode) still pending 3 s after its thread exited\n",
                            i, n, ops[i].routine ? "routine" : "event");
                    FAIL("thread exit did not cancel pending ops (S37)");
                }
                Sleep(5);
            }
        c = check_cancelled(ops, n, sizeof small);
        CHECK(c >= 1);
        /* no routine may run any more, least of all on this thread */
        CHECK_EQ(SleepEx(50, TRUE), 0);
        for (int i = 0; i < n; i++)
            if (ops[i].routine) CHECK_EQ(ops[i].runs, 0);
        printf("thread exit: %d ops, %d cancelled\n", n, c);
        close_events(ops, n);
        CHECK_OK(closesocket(s));
    }

    WSACleanup();
    SOFT_DONE();
    printf("ov_pending: ok\n");
    return 0;
}
