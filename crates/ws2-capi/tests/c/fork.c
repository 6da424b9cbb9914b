/* S43: fork. Run by the harness in host A of a rate-limited link; argv:
 * mode (child | daemon | hammer), the destination IPv4 address and port
 * (a receiver in host B).
 *
 * child:  the program has overlapped sends pending (events, completion
 *         routines, a completion port) when it forks. The child sends on an
 *         inherited socket (blocking, event, routine in SleepEx, port) and
 *         on new ones, and every send completes; the parent's operations
 *         that were pending at the fork never complete in the child (their
 *         OVERLAPPED copies stay STATUS_PENDING, also across closesocket).
 *         The parent's own operations complete exactly once, in the parent.
 * daemon: the parent exits right after fork; the child (setsid) goes on,
 *         and its overlapped sends complete. It prints "daemon: ok".
 * hammer: threads keep ws2 busy (pending sends drained by the reactor,
 *         events, ports, sockets made and closed, a private heap,
 *         VirtualAlloc and the environment) while the main thread forks 40
 *         times; each child uses ws2 and must finish within 10 s (a lock
 *         held by another thread at the fork would hang it). */
#define _POSIX_C_SOURCE 200809L /* fork, kill, setsid, waitpid */
#include "cr_record.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#define LONG_MS 10000
#define PARENT_EVENT_OPS 12
#define PARENT_ROUTINE_OPS 4
#define PARENT_PORT_OPS 12

static SOCKADDR_IN to;
static LPFN_WSASENDMSG fn;
static char data[1000];

/* The call completed at once or pends. */
#define ACCEPTED(call)                                            \
    do {                                                          \
        int r_ = (call);                                          \
        if (r_ != 0) CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING); \
    } while (0)

/* Waits for a child; fails the run if it hangs past limit_ms or fails. */
static void wait_child(pid_t pid, double limit_ms, const char *what)
{
    double start = now_ms();
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        CHECK(r == 0);
        if (now_ms() - start > limit_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fprintf(stderr, "%s: child %d hung for %.0f ms\n", what, (int)pid, limit_ms);
            FAIL("a fork child hung");
        }
        Sleep(2);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s: child %d failed (status %#x)\n", what, (int)pid, status);
        FAIL("a fork child failed");
    }
}

/* One overlapped send with its own event, completed and checked. */
static void send_and_wait_event(SOCKET s)
{
    WSAEVENT ev = new_event();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    DWORD sent;
    ACCEPTED(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ov, NULL));
    CHECK_EQ(WaitForSingleObject(ev, LONG_MS), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, 0);
    CHECK_EQ(ov.InternalHigh, sizeof data);
    WSACloseEvent(ev);
}

/* One overlapped send whose routine runs in SleepEx on this thread. */
static void send_and_wait_routine(SOCKET s)
{
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    reset_routine();
    DWORD sent;
    ACCEPTED(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ov, routine));
    double start = now_ms();
    while (cr_runs == 0 && now_ms() - start < LONG_MS) SleepEx(100, TRUE);
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_err, 0);
    CHECK(cr_ov == &ov);
}

/* One overlapped send on a port-bound socket, its packet taken from the
 * port (packets of other OVERLAPPEDs are skipped, counted in *others). */
static void send_and_wait_port(SOCKET s, HANDLE port, int *others)
{
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD sent, bytes;
    ULONG_PTR key;
    LPOVERLAPPED got;
    ACCEPTED(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ov, NULL));
    for (;;) {
        CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, LONG_MS));
        if (got == &ov) break;
        (*others)++;
    }
    CHECK_EQ(bytes, sizeof data);
}

static void blocking_send(SOCKET s)
{
    DWORD sent = 0;
    CHECK_OK(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, NULL, NULL));
    CHECK_EQ(sent, sizeof data);
}

/* ---- child ---------------------------------------------------------------- */

static WSAOVERLAPPED ev_ov[PARENT_EVENT_OPS], rt_ov[PARENT_ROUTINE_OPS], pt_ov[PARENT_PORT_OPS];
static WSAEVENT ev_ev[PARENT_EVENT_OPS];
static int rt_runs[PARENT_ROUTINE_OPS];

static void CALLBACK parent_routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)flags;
    CHECK_EQ(err, 0);
    CHECK_EQ(bytes, sizeof data);
    rt_runs[(ULONG_PTR)ov->hEvent]++; /* hEvent holds the index (S32) */
}

static int mode_child(void)
{
    SOCKET s = udp_socket(4096);  /* events and routines */
    SOCKET sp = udp_socket(4096); /* bound to the parent's port */
    fn = get_wsasendmsg(s);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)sp, port, 5, 0) == port);
    DWORD sent;
    for (int i = 0; i < PARENT_EVENT_OPS; i++) {
        ev_ev[i] = new_event();
        ev_ov[i].hEvent = ev_ev[i];
        ACCEPTED(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ev_ov[i], NULL));
    }
    for (int i = 0; i < PARENT_ROUTINE_OPS; i++) {
        rt_ov[i].hEvent = (WSAEVENT)(ULONG_PTR)i;
        ACCEPTED(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &rt_ov[i],
                         parent_routine));
    }
    for (int i = 0; i < PARENT_PORT_OPS; i++)
        ACCEPTED(ov_send(fn, sp, &to, sizeof to, data, sizeof data, &sent, &pt_ov[i], NULL));
    CHECK_HEX_EQ(ev_ov[PARENT_EVENT_OPS - 1].Internal, STATUS_PENDING); /* really pending */

    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        /* What was pending at the fork belongs to the parent. */
        int was_pending[PARENT_EVENT_OPS + PARENT_PORT_OPS];
        for (int i = 0; i < PARENT_EVENT_OPS; i++)
            was_pending[i] = ev_ov[i].Internal == STATUS_PENDING;
        for (int i = 0; i < PARENT_PORT_OPS; i++)
            was_pending[PARENT_EVENT_OPS + i] = pt_ov[i].Internal == STATUS_PENDING;
        int rt_was_pending = rt_ov[PARENT_ROUTINE_OPS - 1].Internal == STATUS_PENDING;

        /* Inherited sockets: blocking, event, routine, port. */
        blocking_send(s);
        send_and_wait_event(s);
        send_and_wait_routine(s);
        int others = 0;
        send_and_wait_port(sp, port, &others);
        /* A new socket and a new port. */
        SOCKET n = udp_socket(0);
        blocking_send(n);
        send_and_wait_event(n);
        HANDLE port2 = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
        CHECK(port2 != NULL);
        SOCKET np = udp_socket(0);
        CHECK(CreateIoCompletionPort((HANDLE)np, port2, 6, 0) == port2);
        int none = 0;
        send_and_wait_port(np, port2, &none);
        CHECK_EQ(none, 0);

        /* The parent's pending operations were dropped here, untouched,
         * also by closesocket; their routines never run here. */
        CHECK_OK(closesocket(s));
        CHECK_OK(closesocket(sp));
        CHECK_EQ(SleepEx(100, TRUE), 0);
        for (int i = 0; i < PARENT_EVENT_OPS; i++) {
            if (!was_pending[i]) continue;
            CHECK_HEX_EQ(ev_ov[i].Internal, STATUS_PENDING);
            CHECK(!event_is_set(ev_ev[i]));
        }
        for (int i = 0; i < PARENT_PORT_OPS; i++)
            if (was_pending[PARENT_EVENT_OPS + i]) CHECK_HEX_EQ(pt_ov[i].Internal, STATUS_PENDING);
        if (rt_was_pending) CHECK_HEX_EQ(rt_ov[PARENT_ROUTINE_OPS - 1].Internal, STATUS_PENDING);
        for (int i = 0; i < PARENT_ROUTINE_OPS; i++) CHECK_EQ(rt_runs[i], 0);
        closesocket(n);
        closesocket(np);
        CloseHandle(port2);
        WSACleanup();
        exit(0);
    }

    /* The parent: each of its operations completes exactly once, here. */
    wait_child(pid, 30000, "child"); /* within the harness's 60 s: a hung child is killed here */
    for (int i = 0; i < PARENT_EVENT_OPS; i++) {
        CHECK_EQ(WaitForSingleObject(ev_ev[i], LONG_MS), WAIT_OBJECT_0);
        CHECK_HEX_EQ(ev_ov[i].Internal, 0);
        CHECK_EQ(ev_ov[i].InternalHigh, sizeof data);
    }
    double start = now_ms();
    int total = 0;
    while (total < PARENT_ROUTINE_OPS && now_ms() - start < LONG_MS) {
        SleepEx(100, TRUE);
        total = 0;
        for (int i = 0; i < PARENT_ROUTINE_OPS; i++) total += rt_runs[i];
    }
    for (int i = 0; i < PARENT_ROUTINE_OPS; i++) CHECK_EQ(rt_runs[i], 1);
    int seen[PARENT_PORT_OPS] = {0};
    for (int n = 0; n < PARENT_PORT_OPS; n++) {
        DWORD bytes;
        ULONG_PTR key;
        LPOVERLAPPED got;
        CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, LONG_MS));
        CHECK_EQ(key, 5);
        CHECK(got >= &pt_ov[0] && got < &pt_ov[PARENT_PORT_OPS]);
        seen[got - &pt_ov[0]]++;
    }
    for (int i = 0; i < PARENT_PORT_OPS; i++) CHECK_EQ(seen[i], 1);
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED got;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 200)); /* nothing more */
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    closesocket(s);
    closesocket(sp);
    CloseHandle(port);
    WSACleanup();
    printf("fork child: ok\n");
    return 0;
}

/* ---- daemon --------------------------------------------------------------- */

static int daemon_ok;

static void report_daemon(void)
{
    printf(daemon_ok ? "daemon: ok\n" : "daemon: FAILED (see stderr)\n");
    fflush(stdout);
}

static int mode_daemon(void)
{
    SOCKET s = udp_socket(4096);
    fn = get_wsasendmsg(s);
    /* Sends pending in the parent when it forks and exits. */
    DWORD sent;
    for (int i = 0; i < PARENT_EVENT_OPS; i++) {
        ev_ev[i] = new_event();
        ev_ov[i].hEvent = ev_ev[i];
        ACCEPTED(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ev_ov[i], NULL));
    }
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid > 0) return 0; /* the parent exits at once */
    atexit(report_daemon);
    CHECK(setsid() > 0);
    printf("daemon pid %d\n", (int)getpid()); /* the harness kills a daemon that hangs */
    fflush(stdout);
    send_and_wait_event(s);
    send_and_wait_routine(s);
    SOCKET n = udp_socket(0);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)n, port, 1, 0) == port);
    int none = 0;
    send_and_wait_port(n, port, &none);
    blocking_send(s);
    closesocket(s);
    closesocket(n);
    CloseHandle(port);
    WSACleanup();
    daemon_ok = 1;
    return 0;
}

/* ---- hammer --------------------------------------------------------------- */

static atomic_int stop;
static SOCKET hammer_s, hammer_sp;
static HANDLE hammer_port;

/* Pending event sends on the slow link, a window of 8 kept in flight. */
static void *hammer_sends(void *arg)
{
    (void)arg;
    WSAOVERLAPPED ov[8];
    WSAEVENT ev[8];
    for (int i = 0; i < 8; i++) ev[i] = new_event();
    while (!atomic_load(&stop)) {
        for (int i = 0; i < 8; i++) {
            memset(&ov[i], 0, sizeof ov[i]);
            ov[i].hEvent = ev[i];
            WSAResetEvent(ev[i]);
            DWORD sent;
            ACCEPTED(ov_send(fn, hammer_s, &to, sizeof to, data, 200, &sent, &ov[i], NULL));
        }
        CHECK_EQ(WSAWaitForMultipleEvents(8, ev, TRUE, LONG_MS, FALSE), WSA_WAIT_EVENT_0);
    }
    for (int i = 0; i < 8; i++) WSACloseEvent(ev[i]);
    return NULL;
}

/* Port sends and posts, events set and waited, sockets made and closed. */
static void *hammer_misc(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        DWORD sent, bytes;
        ULONG_PTR key;
        LPOVERLAPPED got;
        ACCEPTED(ov_send(fn, hammer_sp, &to, sizeof to, data, 200, &sent, &ov, NULL));
        CHECK(PostQueuedCompletionStatus(hammer_port, 1, 99, NULL));
        for (int n = 0; n < 2; n++)
            CHECK(GetQueuedCompletionStatus(hammer_port, &bytes, &key, &got, LONG_MS));
        WSAEVENT ev = new_event();
        WSASetEvent(ev);
        CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
        WSACloseEvent(ev);
        SOCKET t = udp_socket(0);
        closesocket(t);
        SleepEx(0, TRUE);
    }
    return NULL;
}

/* kernel32's own tables: a private heap's blocks, VirtualAlloc's
 * reservations and the environment, each behind a lock of ws2's. */
static HANDLE hammer_heap;

static void use_memory(void)
{
    void *p = HeapAlloc(hammer_heap, HEAP_ZERO_MEMORY, 96);
    CHECK(p != NULL);
    CHECK(HeapFree(hammer_heap, 0, p));
    char *v = VirtualAlloc(NULL, 65536, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    CHECK(v != NULL);
    v[100] = 1;
    CHECK(VirtualFree(v, 0, MEM_RELEASE));
    CHECK(SetEnvironmentVariableA("WS2_FORK_HAMMER", "1"));
}

static void *hammer_memory(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) use_memory();
    return NULL;
}

static int mode_hammer(void)
{
    hammer_s = udp_socket(4096);
    hammer_sp = udp_socket(4096);
    fn = get_wsasendmsg(hammer_s);
    hammer_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(hammer_port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)hammer_sp, hammer_port, 2, 0) == hammer_port);
    hammer_heap = HeapCreate(0, 0, 0);
    CHECK(hammer_heap != NULL);
    pthread_t t[4];
    CHECK_EQ(pthread_create(&t[0], NULL, hammer_sends, NULL), 0);
    CHECK_EQ(pthread_create(&t[1], NULL, hammer_sends, NULL), 0);
    CHECK_EQ(pthread_create(&t[2], NULL, hammer_misc, NULL), 0);
    CHECK_EQ(pthread_create(&t[3], NULL, hammer_memory, NULL), 0);
    Sleep(100);
    for (int i = 0; i < 40; i++) {
        fflush(stdout);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            /* The inherited sockets and port, and a new socket. */
            blocking_send(hammer_s);
            send_and_wait_event(hammer_s);
            CHECK(PostQueuedCompletionStatus(hammer_port, 7, 77, NULL));
            DWORD bytes;
            ULONG_PTR key = 0;
            LPOVERLAPPED got;
            while (key != 77) CHECK(GetQueuedCompletionStatus(hammer_port, &bytes, &key, &got, LONG_MS));
            SOCKET n = udp_socket(0);
            send_and_wait_event(n);
            closesocket(n);
            use_memory();
            exit(0);
        }
        wait_child(pid, 10000, "hammer");
        Sleep(10);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 4; i++) CHECK_EQ(pthread_join(t[i], NULL), 0);
    CHECK(HeapDestroy(hammer_heap));
    closesocket(hammer_s);
    closesocket(hammer_sp);
    CloseHandle(hammer_port);
    WSACleanup();
    printf("fork hammer: ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s child|daemon|hammer DEST_IPV4 PORT\n", argv[0]);
        return 2;
    }
    startup();
    to = addr4(argv[2], (unsigned)atoi(argv[3]));
    memset(data, 'f', sizeof data);
    if (strcmp(argv[1], "child") == 0) return mode_child();
    if (strcmp(argv[1], "daemon") == 0) return mode_daemon();
    if (strcmp(argv[1], "hammer") == 0) return mode_hammer();
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
}
