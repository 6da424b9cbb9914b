/* S36 S40: CloseHandle on a completion port that threads are waiting on.
 *
 * Windows' answer: Microsoft's GetQueuedCompletionStatus page ("If a call
 * to GetQueuedCompletionStatus fails because the completion port handle
 * associated with it is closed while the call is outstanding, the function
 * returns FALSE, *lpOverlapped will be NULL, and GetLastError will return
 * ERROR_ABANDONED_WAIT_0"; without a packet *lpNumberOfBytes and
 * *lpCompletionKey are not written), and Wine's Windows-run test
 * test_completion_port_scheduling (dlls/ntdll/tests/sync.c): two threads
 * blocked in GetQueuedCompletionStatus / GetQueuedCompletionStatusEx(...,
 * INFINITE, TRUE) on a port that is closed both return FALSE with
 * ERROR_ABANDONED_WAIT_0 (GetQueuedCompletionStatusEx writes at most 1 to
 * *ulNumEntriesRemoved: here 0), and a call on a port already closed fails
 * with ERROR_INVALID_HANDLE. */
#include "ov_common.h"

#include <pthread.h>
#include <stdatomic.h>

enum kind { GQCS, GQCS_EX, GQCS_EX_ALERTABLE };

struct waiter {
    HANDLE port;
    enum kind kind;
    atomic_int done;
    BOOL ret;
    DWORD err;
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED ov;
    ULONG removed;
};

static void *wait_on_port(void *arg)
{
    struct waiter *w = arg;
    OVERLAPPED_ENTRY entries[4];
    if (w->kind == GQCS)
        w->ret = GetQueuedCompletionStatus(w->port, &w->bytes, &w->key, &w->ov, INFINITE);
    else
        w->ret = GetQueuedCompletionStatusEx(w->port, entries, 4, &w->removed, INFINITE,
                                             w->kind == GQCS_EX_ALERTABLE);
    w->err = GetLastError();
    atomic_store(&w->done, 1);
    return NULL;
}

static void start_waiter(struct waiter *w, pthread_t *t, HANDLE port, enum kind kind)
{
    memset(w, 0, sizeof *w);
    w->port = port;
    w->kind = kind;
    w->ret = 0x77;
    w->bytes = 0xdead;
    w->key = 0xbeef;
    w->ov = (LPOVERLAPPED)(ULONG_PTR)0x10;
    w->removed = 0xdeadbeef;
    atomic_init(&w->done, 0);
    CHECK_EQ(pthread_create(t, NULL, wait_on_port, w), 0);
}

/* The waiter returned within 5 s of the close (else: fail, still blocked). */
static void returned(struct waiter *w, pthread_t t)
{
    double start = now_ms();
    while (!atomic_load(&w->done) && now_ms() - start < 5000) Sleep(5);
    if (!atomic_load(&w->done)) FAIL("a wait on the closed port is still blocked after 5 s");
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK_EQ(w->ret, FALSE);
    CHECK_EQ(w->err, ERROR_ABANDONED_WAIT_0);
    if (w->kind == GQCS) {
        CHECK(w->ov == NULL);
        CHECK_EQ(w->bytes, 0xdead);
        CHECK_EQ(w->key, 0xbeef);
    } else {
        CHECK_EQ(w->removed, 0);
    }
}

int main(void)
{
    startup();

    /* Two threads in GetQueuedCompletionStatus(INFINITE), then each kind
     * of GetQueuedCompletionStatusEx alone. */
    static const enum kind kinds[][2] = {{GQCS, GQCS}, {GQCS_EX, GQCS_EX_ALERTABLE}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
        CHECK(port != NULL);
        struct waiter w[2];
        pthread_t t[2];
        for (int i = 0; i < 2; i++) start_waiter(&w[i], &t[i], port, kinds[k][i]);
        Sleep(200); /* both are waiting */
        CHECK(!atomic_load(&w[0].done) && !atomic_load(&w[1].done));
        CHECK_EQ(CloseHandle(port), TRUE);
        for (int i = 0; i < 2; i++) returned(&w[i], t[i]);

        /* Closed before the call: ERROR_INVALID_HANDLE, no packet. */
        DWORD bytes = 0xdead;
        ULONG_PTR key = 0xbeef;
        LPOVERLAPPED ov = (LPOVERLAPPED)(ULONG_PTR)0x10;
        CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0));
        CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
        CHECK(ov == NULL);
        OVERLAPPED_ENTRY e[2];
        ULONG removed;
        CHECK(!GetQueuedCompletionStatusEx(port, e, 2, &removed, 0, FALSE));
        CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
        CHECK(!CloseHandle(port));
        CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    }

    /* A socket whose port was closed still sends; its packets go nowhere
     * and its event is still set. */
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    SOCKADDR_STORAGE bound;
    SOCKET rx = udp_receiver("127.0.0.1", &bound);
    SOCKET s = udp_socket(0);
    CHECK(CreateIoCompletionPort((HANDLE)s, port, 3, 0) == port);
    CHECK_EQ(CloseHandle(port), TRUE);
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    WSAEVENT ev = new_event();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    DWORD sent = 0;
    CHECK_OK(ov_send(fn, s, &bound, sizeof(SOCKADDR_IN), "after close", 11, &sent, &ov, NULL));
    CHECK_EQ(sent, 11);
    CHECK(event_is_set(ev));
    EXPECT_DGRAM(rx, "after close", 11, "127.0.0.1");
    closesocket(s);
    closesocket(rx);
    WSACloseEvent(ev);
    WSACleanup();
    printf("port_close: ok\n");
    return 0;
}
