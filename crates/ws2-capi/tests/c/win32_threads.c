/* Threads (P6): CreateThread, ExitThread, GetExitCodeThread, GetThreadId,
 * ResumeThread (CREATE_SUSPENDED), QueueUserAPC, GetCurrentThread's
 * pseudo-handle (thread.c: it is ~1, i.e. (HANDLE)-2); thread handles in the
 * wait functions and CloseHandle; the thread's completion routines and its
 * pending operations at exit (S33, S37).
 *
 * Windows' answers: kernel32 thread.c (test_CreateThread_basic: ids match
 * GetCurrentThreadId and differ, last error untouched, a returned 99 is the
 * exit code, handles stay signalled, CloseHandle succeeds;
 * test_CreateThread_suspended, test_SuspendThread: STILL_ACTIVE while
 * suspended, ResumeThread counts; test_GetThreadExitCode: 0x2bad2bad is
 * ERROR_INVALID_HANDLE), sync.c (test_QueueUserAPC: WAIT_IO_COMPLETION and
 * the APC ran once, ERROR_GEN_FAILURE for an ended thread;
 * test_alertable_wait: an APC that signals the awaited object still ends
 * the wait with WAIT_IO_COMPLETION and the signal is left for the next
 * wait; two queued APCs both run in one wait), Microsoft's CloseHandle and
 * ExitThread pages (closing a thread's handle does not end the thread).
 *
 * With the argument "exit-in-apc" the program calls ExitThread from an APC,
 * which ws2 refuses by ending the process (the harness checks it). */
#include <windows.h>
#include <winsock2.h>
#include <stdio.h>

#include "common.h"

#define CHECK_LAST_ERROR(code) CHECK_EQ(GetLastError(), (code))

static HANDLE new_event(BOOL manual)
{
    HANDLE h = CreateEventA(NULL, manual, FALSE, NULL);
    CHECK(h != NULL);
    return h;
}

/* ---- creation, ids, exit codes ---------------------------------------- */

static DWORD ids_seen[4];

static DWORD WINAPI record_id(LPVOID p)
{
    ids_seen[(UINT_PTR)p] = GetCurrentThreadId();
    return 99;
}

static void create_and_wait(void)
{
    HANDLE t[4];
    DWORD ids[4];
    for (int i = 0; i < 4; i++) {
        SetLastError(0xFACEABAD);
        t[i] = CreateThread(NULL, 0, record_id, (LPVOID)(UINT_PTR)i, 0, &ids[i]);
        CHECK(t[i] != NULL);
        CHECK_LAST_ERROR(0xFACEABAD);
    }
    /* thread handles in a wait-all */
    CHECK_EQ(WaitForMultipleObjects(4, t, TRUE, 10000), WAIT_OBJECT_0);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(ids_seen[i], ids[i]);
        CHECK_EQ(GetThreadId(t[i]), ids[i]);
        CHECK(ids[i] != GetCurrentThreadId());
        for (int j = 0; j < i; j++) CHECK(ids[i] != ids[j]);
        DWORD code = 0;
        SetLastError(0xdeadbeef);
        CHECK(GetExitCodeThread(t[i], &code));
        CHECK_EQ(code, 99);
        CHECK_LAST_ERROR(0xdeadbeef);
        /* signalled from then on */
        CHECK_EQ(WaitForSingleObject(t[i], 0), WAIT_OBJECT_0);
        CHECK_EQ(WaitForSingleObject(t[i], 0), WAIT_OBJECT_0);
    }
    for (int i = 0; i < 4; i++) CHECK(CloseHandle(t[i]));

    /* lpThreadId may be NULL */
    HANDLE h = CreateThread(NULL, 0, record_id, (LPVOID)(UINT_PTR)0, 0, NULL);
    CHECK(h != NULL);
    CHECK_EQ(WaitForSingleObject(h, 10000), WAIT_OBJECT_0);
    CHECK(CloseHandle(h));

    /* bad input */
    SetLastError(0xdeadbeef);
    CHECK(CreateThread(NULL, 0, NULL, NULL, 0, NULL) == NULL);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(CreateThread(NULL, 0, record_id, NULL, 0x80000000u, NULL) == NULL);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    DWORD code = 12345;
    SetLastError(0xdeadbeef);
    CHECK(!GetExitCodeThread((HANDLE)(UINT_PTR)0x2bad2bad, &code));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    CHECK_EQ(code, 12345);
    HANDLE ev = new_event(TRUE);
    SetLastError(0xdeadbeef);
    CHECK(!GetExitCodeThread(ev, &code)); /* an event is no thread */
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    CHECK_EQ(ResumeThread(ev), (DWORD)-1);
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    CHECK(!SetEvent((HANDLE)(UINT_PTR)0x2bad2bac));
    CHECK(CloseHandle(ev));
}

static volatile LONG after_exit;

static void end_here(DWORD code)
{
    ExitThread(code);
}

static DWORD WINAPI exits_early(LPVOID p)
{
    end_here((DWORD)(UINT_PTR)p);
    after_exit = 1; /* never reached */
    return 1;
}

/* A thread's stack of its own size: 256 KiB reserved, most of it used. */
static DWORD WINAPI uses_stack(LPVOID p)
{
    volatile char big[200 * 1024];
    for (size_t i = 0; i < sizeof big; i += 4096) big[i] = (char)i;
    (void)p;
    return big[4096] == (char)4096 ? 5 : 6;
}

static void exit_codes(void)
{
    HANDLE t = CreateThread(NULL, 0, exits_early, (LPVOID)(UINT_PTR)7, 0, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    DWORD code = 0;
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 7);
    CHECK_EQ(after_exit, 0);
    CHECK(CloseHandle(t));

    t = CreateThread(NULL, 256 * 1024, uses_stack, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 5);
    CHECK(CloseHandle(t));
}

static volatile LONG suspended_ran;

static DWORD WINAPI mark_ran(LPVOID p)
{
    (void)p;
    suspended_ran = 1;
    return 3;
}

static void suspended_threads(void)
{
    DWORD id = 0;
    HANDLE t = CreateThread(NULL, 0, mark_ran, NULL, CREATE_SUSPENDED, &id);
    CHECK(t != NULL && id != 0);
    DWORD code = 0;
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, STILL_ACTIVE);
    CHECK_EQ(WaitForSingleObject(t, 100), WAIT_TIMEOUT);
    CHECK_EQ(suspended_ran, 0);
    CHECK_EQ(ResumeThread(t), 1);
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK_EQ(suspended_ran, 1);
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 3);
    CHECK_EQ(ResumeThread(t), 0); /* an ended thread: 0 */
    CHECK(CloseHandle(t));
}

/* ---- CloseHandle does not stop the thread ---------------------------- */

typedef struct {
    HANDLE go, finished;
} pair;

static DWORD WINAPI waits_then_signals(LPVOID p)
{
    pair *e = (pair *)p;
    if (WaitForSingleObject(e->go, 10000) != WAIT_OBJECT_0) return 1;
    SetEvent(e->finished);
    return 0;
}

static void close_does_not_stop(void)
{
    pair e;
    e.go = new_event(TRUE);
    e.finished = new_event(TRUE);
    HANDLE t = CreateThread(NULL, 0, waits_then_signals, &e, 0, NULL);
    CHECK(t != NULL);
    CHECK(CloseHandle(t)); /* the thread runs on */
    CHECK(SetEvent(e.go));
    CHECK_EQ(WaitForSingleObject(e.finished, 10000), WAIT_OBJECT_0);
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForSingleObject(t, 0), WAIT_FAILED); /* the handle is gone */
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    CHECK(!CloseHandle(t));

    /* a thread and an event in one wait */
    CHECK(ResetEvent(e.go) && ResetEvent(e.finished));
    t = CreateThread(NULL, 0, waits_then_signals, &e, 0, NULL);
    CHECK(t != NULL);
    HANDLE mix[2] = {e.finished, t};
    CHECK(SetEvent(e.finished));
    CHECK_EQ(WaitForMultipleObjects(2, mix, TRUE, 50), WAIT_TIMEOUT); /* the thread runs */
    CHECK_EQ(WaitForMultipleObjects(2, mix, FALSE, 0), WAIT_OBJECT_0);
    CHECK(ResetEvent(e.finished));
    CHECK(SetEvent(e.go));
    CHECK_EQ(WaitForMultipleObjects(2, mix, TRUE, 10000), WAIT_OBJECT_0);
    CHECK(CloseHandle(t) && CloseHandle(e.go) && CloseHandle(e.finished));
}

/* ---- APCs ------------------------------------------------------------- */

static volatile LONG apc_runs;
static DWORD apc_thread;

static void WINAPI count_apc(ULONG_PTR data)
{
    __atomic_add_fetch(&apc_runs, (LONG)data, __ATOMIC_SEQ_CST);
    apc_thread = GetCurrentThreadId();
}

static void WINAPI set_event_apc(ULONG_PTR data)
{
    SetEvent((HANDLE)data);
}

typedef struct {
    HANDLE ready, ev;
    DWORD first, second, plain;
} apc_args;

static DWORD WINAPI sleeps_alertably(LPVOID p)
{
    apc_args *a = (apc_args *)p;
    SetEvent(a->ready);
    a->first = SleepEx(10000, TRUE);
    return 0;
}

static DWORD WINAPI waits_alertably(LPVOID p)
{
    apc_args *a = (apc_args *)p;
    /* not alertable: an APC queued now waits */
    a->plain = WaitForSingleObject(a->ev, 100);
    SetEvent(a->ready);
    a->first = WaitForSingleObjectEx(a->ev, 10000, TRUE);
    a->second = WaitForSingleObjectEx(a->ev, 200, TRUE);
    return 0;
}

static void user_apcs(void)
{
    apc_args a;
    memset(&a, 0, sizeof a);
    a.ready = new_event(FALSE);
    DWORD id = 0;
    HANDLE t = CreateThread(NULL, 0, sleeps_alertably, &a, 0, &id);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(a.ready, 10000), WAIT_OBJECT_0);
    SetLastError(0xdeadbeef);
    CHECK(QueueUserAPC(count_apc, t, 1) != 0);
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK_EQ(a.first, WAIT_IO_COMPLETION);
    CHECK_EQ(apc_runs, 1);
    CHECK_EQ(apc_thread, id);
    /* an ended thread: its APCs can never run */
    SetLastError(0xdeadbeef);
    CHECK_EQ(QueueUserAPC(count_apc, t, 1), 0);
    CHECK_LAST_ERROR(ERROR_GEN_FAILURE);
    SetLastError(0xdeadbeef);
    CHECK_EQ(QueueUserAPC(count_apc, a.ready, 1), 0);
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    CHECK(CloseHandle(t));

    /* two APCs queued before one alertable wait both run in it; queued to
     * a suspended thread, they wait for it */
    apc_runs = 0;
    t = CreateThread(NULL, 0, sleeps_alertably, &a, CREATE_SUSPENDED, NULL);
    CHECK(t != NULL);
    CHECK(QueueUserAPC(count_apc, t, 1) && QueueUserAPC(count_apc, t, 10));
    CHECK_EQ(ResumeThread(t), 1);
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK_EQ(a.first, WAIT_IO_COMPLETION);
    CHECK_EQ(apc_runs, 11);
    CHECK(CloseHandle(t));

    /* an APC that signals the awaited event: WAIT_IO_COMPLETION, and the
     * signal is the next wait's (test_alertable_wait); a plain wait runs
     * no APC */
    a.ev = new_event(TRUE);
    t = CreateThread(NULL, 0, waits_alertably, &a, 0, NULL);
    CHECK(t != NULL);
    CHECK(QueueUserAPC(set_event_apc, t, (ULONG_PTR)a.ev));
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK_EQ(a.plain, WAIT_TIMEOUT);
    CHECK_EQ(a.first, WAIT_IO_COMPLETION);
    CHECK_EQ(a.second, WAIT_OBJECT_0);
    CHECK(CloseHandle(t) && CloseHandle(a.ev) && CloseHandle(a.ready));
}

/* ---- GetCurrentThread: the pseudo-handle (HANDLE)-2 ------------------- */

static DWORD pseudo_id_seen;

static DWORD WINAPI names_itself(LPVOID p)
{
    (void)p;
    pseudo_id_seen = GetThreadId(GetCurrentThread());
    /* an APC to itself runs in its own alertable wait */
    if (!QueueUserAPC(count_apc, GetCurrentThread(), 100)) return 1;
    return SleepEx(0, TRUE) == WAIT_IO_COMPLETION ? 0 : 2;
}

static void current_thread_pseudo_handle(void)
{
    HANDLE me = GetCurrentThread();
    CHECK(me == (HANDLE)~(ULONG_PTR)1);
    CHECK_EQ(GetThreadId(me), GetCurrentThreadId());
    DWORD code = 0;
    CHECK(GetExitCodeThread(me, &code));
    CHECK_EQ(code, STILL_ACTIVE);
    /* a wait on the running thread itself times out */
    CHECK_EQ(WaitForSingleObject(me, 0), WAIT_TIMEOUT);

    /* QueueUserAPC(GetCurrentThread()) from a thread CreateThread did not
     * start (here the main thread) */
    apc_runs = 0;
    SetLastError(0xdeadbeef);
    CHECK(QueueUserAPC(count_apc, GetCurrentThread(), 5));
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK_EQ(apc_runs, 0); /* not before an alertable wait */
    CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(apc_runs, 5);
    CHECK_EQ(apc_thread, GetCurrentThreadId());

    /* closing the pseudo-handle succeeds and changes nothing */
    CHECK(CloseHandle(me));
    CHECK_EQ(GetThreadId(GetCurrentThread()), GetCurrentThreadId());

    /* in a thread of CreateThread it names that thread */
    DWORD id = 0;
    apc_runs = 0;
    HANDLE t = CreateThread(NULL, 0, names_itself, NULL, 0, &id);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 0);
    CHECK_EQ(pseudo_id_seen, id);
    CHECK_EQ(apc_runs, 100);
    CHECK_EQ(apc_thread, id);
    CHECK(CloseHandle(t));
}

/* ---- sockets: completion routines, and the thread's end (S33, S37) ---- */

typedef struct {
    SOCKADDR_STORAGE to;
    DWORD thread_id, routine_thread, routine_error, routine_bytes, sleep_result;
    int routine_runs;
    SOCKET s;
    WSAOVERLAPPED recv_ov;
    WSABUF recv_buf;
    char recv_data[64];
    DWORD recv_flags;
} socket_args;

static void CALLBACK send_done(DWORD error, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    socket_args *a = (socket_args *)ov->hEvent; /* the program's own context */
    (void)flags;
    a->routine_runs++;
    a->routine_thread = GetCurrentThreadId();
    a->routine_error = error;
    a->routine_bytes = bytes;
}

/* Sends with a completion routine and runs it in an alertable wait. */
static DWORD WINAPI sends_with_routine(LPVOID p)
{
    socket_args *a = (socket_args *)p;
    a->thread_id = GetCurrentThreadId();
    SOCKET s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) return 1;
    char data[] = "from a worker thread";
    WSABUF b;
    b.buf = data;
    b.len = sizeof data;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = (WSAEVENT)a;
    DWORD sent;
    int r = WSASendTo(s, &b, 1, &sent, 0, (const struct sockaddr *)&a->to, sizeof(SOCKADDR_IN),
                      &ov, send_done);
    if (r != 0 && WSAGetLastError() != WSA_IO_PENDING) return 2;
    a->sleep_result = SleepEx(5000, TRUE);
    closesocket(s);
    return 0;
}

/* Leaves an overlapped receive pending and ends. */
static DWORD WINAPI leaves_a_receive_pending(LPVOID p)
{
    socket_args *a = (socket_args *)p;
    DWORD got = 0;
    a->recv_buf.buf = a->recv_data;
    a->recv_buf.len = sizeof a->recv_data;
    a->recv_flags = 0;
    int r = WSARecv(a->s, &a->recv_buf, 1, &got, &a->recv_flags, &a->recv_ov, NULL);
    return r == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING ? 5 : 6;
}

static void threads_and_sockets(void)
{
    startup();
    socket_args a;
    memset(&a, 0, sizeof a);
    SOCKET rx = udp_receiver("127.0.0.1", &a.to);
    HANDLE t = CreateThread(NULL, 0, sends_with_routine, &a, 0, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    DWORD code = 9;
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 0);
    CHECK_EQ(a.sleep_result, WAIT_IO_COMPLETION); /* S33 */
    CHECK_EQ(a.routine_runs, 1);
    CHECK_EQ(a.routine_thread, a.thread_id);
    CHECK_EQ(a.routine_error, 0);
    CHECK_EQ(a.routine_bytes, sizeof "from a worker thread");
    EXPECT_DGRAM(rx, "from a worker thread", (int)sizeof "from a worker thread", "127.0.0.1");
    CHECK(CloseHandle(t));

    /* S37: the thread's pending receive is cancelled at its end, before
     * its handle is signalled */
    CHECK_SOCKET(a.s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    SOCKADDR_IN any = addr4("127.0.0.1", 0);
    CHECK_OK(bind(a.s, (struct sockaddr *)&any, sizeof any));
    a.recv_ov.hEvent = new_event(TRUE);
    t = CreateThread(NULL, 0, leaves_a_receive_pending, &a, 0, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 5);
    CHECK_EQ(a.recv_ov.Internal, STATUS_CANCELLED);
    CHECK_EQ(WaitForSingleObject(a.recv_ov.hEvent, 0), WAIT_OBJECT_0);
    DWORD n = 77;
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult((HANDLE)a.s, &a.recv_ov, &n, FALSE));
    CHECK_LAST_ERROR(ERROR_OPERATION_ABORTED);
    CHECK_EQ(n, 0);
    CHECK(CloseHandle(a.recv_ov.hEvent));
    closesocket(a.s);
    closesocket(rx);

    /* a thread handle is kernel32's: WSACleanup leaves it open */
    t = CreateThread(NULL, 0, record_id, (LPVOID)(UINT_PTR)0, 0, NULL);
    CHECK(t != NULL);
    WSACleanup();
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 99);
    CHECK(CloseHandle(t));
}

/* ---- ExitThread from an APC: refused by ending the process ------------ */

static void WINAPI exit_in_apc(ULONG_PTR data)
{
    ExitThread((DWORD)data);
}

static DWORD WINAPI runs_exiting_apc(LPVOID p)
{
    (void)p;
    SleepEx(10000, TRUE);
    printf("returned from SleepEx\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exit-in-apc") == 0) {
        HANDLE t = CreateThread(NULL, 0, runs_exiting_apc, NULL, CREATE_SUSPENDED, NULL);
        CHECK(t != NULL);
        CHECK(QueueUserAPC(exit_in_apc, t, 4));
        ResumeThread(t);
        WaitForSingleObject(t, 10000);
        printf("the thread ended\n");
        return 0;
    }
    create_and_wait();
    exit_codes();
    suspended_threads();
    close_does_not_stop();
    user_apcs();
    current_thread_pseudo_handle();
    threads_and_sockets();
    printf("win32_threads: ok\n");
    return 0;
}
