/* Waiting costs no CPU; routines run only on their issuing thread; many
 * events at once. Clauses: S31, S33, S36, S40. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "ov_common.h"
#include <pthread.h>
#include <sys/resource.h>

static double cpu_ms(int who)
{
    struct rusage ru;
    if (getrusage(who, &ru) != 0) {
        perror("getrusage");
        exit(1);
    }
    return ru.ru_utime.tv_sec * 1000.0 + ru.ru_utime.tv_usec / 1000.0 +
           ru.ru_stime.tv_sec * 1000.0 + ru.ru_stime.tv_usec / 1000.0;
}

/* Runs `wait` (which must take about 1 s) and checks it used < 50 ms of
 * this thread's CPU and < 100 ms of the whole process's. */
#define IDLE(label, call, expected)                                                            \
    do {                                                                                       \
        double c0 = cpu_ms(RUSAGE_THREAD), p0 = cpu_ms(RUSAGE_SELF), t0 = now_ms();            \
        DWORD r_ = (DWORD)(call);                                                              \
        double dt = now_ms() - t0;                                                             \
        double c = cpu_ms(RUSAGE_THREAD) - c0, p = cpu_ms(RUSAGE_SELF) - p0;                   \
        printf("%-40s returned %lu after %.0f ms, thread CPU %.1f ms, process CPU %.1f ms\n",  \
               label, (unsigned long)r_, dt, c, p);                                            \
        CHECK_EQ(r_, (expected));                                                              \
        CHECK(dt >= 950.0 && dt < 3000.0);                                                     \
        CHECK(c < 50.0);                                                                       \
        CHECK(p < 100.0);                                                                      \
    } while (0)

/* ---- routines run on the issuing thread only (S33) ---- */
#define PER_THREAD 200
struct worker {
    SOCKET s;
    SOCKADDR_STORAGE to;
    LPFN_WSASENDMSG fn;
    pthread_t self;
    WSAOVERLAPPED ov[PER_THREAD];
    int runs[PER_THREAD];
    int foreign; /* routines that ran on another thread */
};
static struct worker workers[2];
static pthread_barrier_t barrier;
static char data[64];

static void CALLBACK routine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED ov, DWORD dwFlags)
{
    (void)dwFlags;
    for (int w = 0; w < 2; w++) {
        struct worker *k = &workers[w];
        if (ov >= k->ov && ov < k->ov + PER_THREAD) {
            k->runs[ov - k->ov]++;
            if (!pthread_equal(pthread_self(), k->self)) k->foreign++;
            if (dwError != 0 || cbTransferred != sizeof data) {
                fprintf(stderr, "routine: error %lu bytes %lu\n", (unsigned long)dwError,
                        (unsigned long)cbTransferred);
                exit(1);
            }
            return;
        }
    }
    fprintf(stderr, "routine: unknown OVERLAPPED\n");
    exit(1);
}

static void *work(void *arg)
{
    struct worker *k = arg;
    k->self = pthread_self();
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < PER_THREAD; i++) {
        memset(&k->ov[i], 0, sizeof k->ov[i]);
        DWORD sent;
        int r = ov_send(k->fn, k->s, &k->to, sizeof(SOCKADDR_IN), data, sizeof data, &sent, &k->ov[i],
                        routine);
        if (r != 0 && WSAGetLastError() != WSA_IO_PENDING) {
            fprintf(stderr, "worker send failed: %d\n", WSAGetLastError());
            exit(1);
        }
        if (i % 10 == 0) SleepEx(0, TRUE); /* both threads alertable at the same time */
    }
    double t0 = now_ms();
    for (;;) {
        int done = 0;
        for (int i = 0; i < PER_THREAD; i++) done += k->runs[i] > 0;
        if (done == PER_THREAD) break;
        if (now_ms() - t0 > 5000) {
            fprintf(stderr, "only %d of %d routines ran\n", done, PER_THREAD);
            exit(1);
        }
        SleepEx(10, TRUE);
    }
    pthread_barrier_wait(&barrier); /* the other thread keeps waiting alertably meanwhile */
    SleepEx(50, TRUE);
    return NULL;
}

static void *set_later(void *ev)
{
    Sleep(100);
    WSASetEvent((WSAEVENT)ev);
    return NULL;
}

#define NEVENTS 10000

int main(void)
{
    startup();
    memset(data, 'q', sizeof data);

    /* ---- S40 S33 S36: 1 s waits use no CPU ---- */
    WSAEVENT ev = new_event();
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    IDLE("WSAWaitForMultipleEvents(1000)", WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, FALSE),
         WSA_WAIT_TIMEOUT);
    IDLE("WSAWaitForMultipleEvents(1000, alertable)",
         WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, TRUE), WSA_WAIT_TIMEOUT);
    IDLE("SleepEx(1000, TRUE)", SleepEx(1000, TRUE), 0);
    IDLE("WaitForSingleObject(1000)", WaitForSingleObject(ev, 1000), WAIT_TIMEOUT);
    {
        DWORD b;
        ULONG_PTR k;
        LPOVERLAPPED pov;
        IDLE("GetQueuedCompletionStatus(1000)", GetQueuedCompletionStatus(port, &b, &k, &pov, 1000),
             FALSE);
        CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
        OVERLAPPED_ENTRY e[4];
        ULONG n;
        IDLE("GetQueuedCompletionStatusEx(1000, alertable)",
             GetQueuedCompletionStatusEx(port, e, 4, &n, 1000, TRUE), FALSE);
        CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    }
    /* an idle process with open sockets, a port and the engine started: no CPU */
    {
        SOCKADDR_STORAGE rxa;
        SOCKET rx = udp_receiver("127.0.0.1", &rxa);
        SOCKET s = udp_socket(0);
        LPFN_WSASENDMSG fn = get_wsasendmsg(s);
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = ev;
        DWORD sent;
        CHECK_EQ(ov_send(fn, s, &rxa, sizeof(SOCKADDR_IN), data, sizeof data, &sent, &ov, NULL), 0);
        CHECK(WSAResetEvent(ev));
        IDLE("SleepEx(1000, TRUE) with sockets open", SleepEx(1000, TRUE), 0);
        closesocket(s);
        closesocket(rx);
    }

    /* ---- S33: routines run only on their issuing thread ---- */
    {
        SOCKADDR_STORAGE rxa;
        SOCKET rx = udp_receiver("127.0.0.1", &rxa);
        CHECK(pthread_barrier_init(&barrier, NULL, 2) == 0);
        pthread_t t[2];
        for (int w = 0; w < 2; w++) {
            workers[w].s = udp_socket(0);
            workers[w].fn = get_wsasendmsg(workers[w].s);
            workers[w].to = rxa;
            CHECK(pthread_create(&t[w], NULL, work, &workers[w]) == 0);
        }
        for (int w = 0; w < 2; w++) CHECK(pthread_join(t[w], NULL) == 0);
        for (int w = 0; w < 2; w++) {
            CHECK_EQ(workers[w].foreign, 0); /* S33 */
            for (int i = 0; i < PER_THREAD; i++) CHECK_EQ(workers[w].runs[i], 1);
            closesocket(workers[w].s);
        }
        CHECK_EQ(SleepEx(0, TRUE), 0); /* none reached the main thread */
        printf("routines: 2 x %d, each on its issuing thread, once\n", PER_THREAD);
        closesocket(rx);
    }

    /* ---- S40: a wait wakes when another thread sets the event ---- */
    {
        CHECK(WSAResetEvent(ev));
        pthread_t t;
        CHECK(pthread_create(&t, NULL, set_later, ev) == 0);
        double t0 = now_ms();
        CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
        double dt = now_ms() - t0;
        CHECK(dt >= 90.0 && dt < 1000.0);
        CHECK(pthread_join(t, NULL) == 0);
    }

    /* ---- S40: 10,000 events alive at once ---- */
    {
        static WSAEVENT evs[NEVENTS];
        for (int i = 0; i < NEVENTS; i++) {
            evs[i] = WSACreateEvent();
            if (evs[i] == WSA_INVALID_EVENT) {
                fprintf(stderr, "WSACreateEvent #%d failed: %d\n", i, WSAGetLastError());
                return 1;
            }
        }
        for (int i = 1; i < NEVENTS; i++) CHECK(evs[i] != evs[i - 1]);
        CHECK(WSASetEvent(evs[0]));
        CHECK(WSASetEvent(evs[5000]));
        CHECK(WSASetEvent(evs[NEVENTS - 1]));
        CHECK_EQ(WaitForSingleObject(evs[0], 0), WAIT_OBJECT_0);
        CHECK_EQ(WaitForSingleObject(evs[5000], 0), WAIT_OBJECT_0);
        CHECK_EQ(WaitForSingleObject(evs[NEVENTS - 1], 0), WAIT_OBJECT_0);
        CHECK_EQ(WaitForSingleObject(evs[4999], 0), WAIT_TIMEOUT);
        CHECK_EQ(WSAWaitForMultipleEvents(64, &evs[NEVENTS - 64], FALSE, 0, FALSE), WSA_WAIT_EVENT_0 + 63);
        CHECK_EQ(WSAWaitForMultipleEvents(64, &evs[4990], FALSE, 1000, FALSE), WSA_WAIT_EVENT_0 + 10);
        CHECK_EQ(WSAWaitForMultipleEvents(64, &evs[100], FALSE, 10, FALSE), WSA_WAIT_TIMEOUT);
        for (int i = 0; i < NEVENTS; i++) CHECK(WSACloseEvent(evs[i]));
        CHECK(WSASetEvent(evs[5000]) == FALSE);
        CHECK_EQ(WSAGetLastError(), WSA_INVALID_HANDLE);
        printf("10000 events: created, set, waited, closed\n");
    }

    CHECK(CloseHandle(port));
    CHECK(WSACloseEvent(ev));
    WSACleanup();
    printf("ov_idle: ok\n");
    return 0;
}
