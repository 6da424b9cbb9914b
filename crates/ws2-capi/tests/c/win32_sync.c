/* Synchronisation (P6): critical sections, SRW locks, condition variables,
 * the Interlocked family, INIT_ONCE, and process.h's _beginthreadex family,
 * as a multi-threaded Windows server uses them.
 *
 * Windows' answers: ntdll rtl.c (test_RtlInitializeCriticalSectionEx: a new
 * section has LockCount -1, RecursionCount 0, LockSemaphore NULL and, from
 * Windows 8, DebugInfo (PVOID)-1; test_RtlLeaveCriticalSection: entered,
 * LockCount is -2, RecursionCount 1 and OwningThread the thread id; leaving
 * a free section makes RecursionCount -1, -2 and leaves LockCount -1, and
 * the next enter sets it to 1); kernel32 sync.c (test_condvars_base: a wake
 * before the sleep is not remembered, a sleep without a wake returns FALSE
 * with ERROR_TIMEOUT, a woken sleep returns TRUE even when taking the lock
 * back outlasts its time-out, exclusive and shared SRW sleeps;
 * test_condvars_consumer_producer: everything produced is consumed, sleeps
 * fail only with ERROR_TIMEOUT; test_srwlock_base: exclusive is not
 * recursive, another thread may release, a queued writer goes before later
 * readers and makes TryAcquireSRWLockShared fail, the TryAcquire answers;
 * test_initonce: the INIT_ONCE words 0, 1, 2 | context and 3, the
 * InitOnceBeginInitialize/Complete error codes); Microsoft's pages for the
 * Interlocked functions (what each returns) and _beginthreadex/_beginthread
 * (0 or (uintptr_t)-1 and errno; _beginthread's handle is closed by its
 * thread).  Every loop is bounded in count and time. */
#include <windows.h>
#include <winsock2.h>
#include <process.h>
#include <stdio.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define CHECK_LAST_ERROR(code) CHECK_EQ(GetLastError(), (code))
#define WAIT_LIMIT 30000

static void wait_all(HANDLE *t, DWORD n)
{
    CHECK_EQ(WaitForMultipleObjects(n, t, TRUE, WAIT_LIMIT), WAIT_OBJECT_0);
    for (DWORD i = 0; i < n; i++) CHECK(CloseHandle(t[i]));
}

static HANDLE start(LPTHREAD_START_ROUTINE f, LPVOID p)
{
    HANDLE h = CreateThread(NULL, 0, f, p, 0, NULL);
    CHECK(h != NULL);
    return h;
}

static DWORD exit_code(HANDLE t)
{
    DWORD code = 0;
    CHECK_EQ(WaitForSingleObject(t, WAIT_LIMIT), WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(t, &code));
    CHECK(CloseHandle(t));
    return code;
}

/* Waits (bounded) until *v reaches n. */
static void wait_until(volatile LONG *v, LONG n)
{
    for (int i = 0; i < 10000 && *v < n; i++) Sleep(1);
    CHECK(*v >= n);
}

static double thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- critical sections ------------------------------------------------ */

static CRITICAL_SECTION cs;

static void critical_section_fields(void)
{
    CRITICAL_SECTION c;
    memset(&c, 0x11, sizeof c);
    InitializeCriticalSection(&c);
    CHECK(c.DebugInfo == (PRTL_CRITICAL_SECTION_DEBUG)(ULONG_PTR)-1);
    CHECK_EQ(c.LockCount, -1);
    CHECK_EQ(c.RecursionCount, 0);
    CHECK(c.OwningThread == NULL);
    CHECK(c.LockSemaphore == NULL);
    CHECK_EQ(c.SpinCount, 0);

    /* recursive per thread */
    EnterCriticalSection(&c);
    CHECK_EQ(c.LockCount, -2);
    CHECK_EQ(c.RecursionCount, 1);
    CHECK(c.OwningThread == (HANDLE)(ULONG_PTR)GetCurrentThreadId());
    EnterCriticalSection(&c);
    CHECK_EQ(c.RecursionCount, 2);
    SetLastError(0xdeadbeef);
    CHECK(TryEnterCriticalSection(&c));
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK_EQ(c.RecursionCount, 3);
    LeaveCriticalSection(&c);
    LeaveCriticalSection(&c);
    CHECK_EQ(c.LockCount, -2);
    CHECK_EQ(c.RecursionCount, 1);
    LeaveCriticalSection(&c);
    CHECK_EQ(c.LockCount, -1);
    CHECK_EQ(c.RecursionCount, 0);
    CHECK(c.OwningThread == NULL);

    /* leaving a free section */
    LeaveCriticalSection(&c);
    CHECK_EQ(c.LockCount, -1);
    CHECK_EQ(c.RecursionCount, -1);
    LeaveCriticalSection(&c);
    CHECK_EQ(c.RecursionCount, -2);
    EnterCriticalSection(&c);
    CHECK_EQ(c.RecursionCount, 1);
    CHECK_EQ(c.LockCount, -2);
    LeaveCriticalSection(&c);
    CHECK_EQ(c.LockCount, -1);
    DeleteCriticalSection(&c);

    /* spin counts: kept on a multiprocessor, 0 on one CPU; the old
     * preallocate-event bit is ignored */
    DWORD spin = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 4000 : 0;
    CHECK(InitializeCriticalSectionAndSpinCount(&c, 0x80000000u | 4000));
    CHECK_EQ(c.SpinCount, spin);
    CHECK_EQ(SetCriticalSectionSpinCount(&c, 100), spin);
    CHECK_EQ(c.SpinCount, spin ? 100 : 0);
    DeleteCriticalSection(&c);
    CHECK(InitializeCriticalSectionEx(&c, 10, CRITICAL_SECTION_NO_DEBUG_INFO));
    CHECK(c.DebugInfo == (PRTL_CRITICAL_SECTION_DEBUG)(ULONG_PTR)-1);
    CHECK_EQ(c.LockCount, -1);
    DeleteCriticalSection(&c);
    SetLastError(0xdeadbeef);
    CHECK(!InitializeCriticalSectionEx(&c, 0, 0x1));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!InitializeCriticalSectionEx(&c, 0x01000000, 0));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!InitializeCriticalSectionAndSpinCount(NULL, 0));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
}

static DWORD WINAPI try_enter_elsewhere(LPVOID p)
{
    (void)p;
    SetLastError(0xdeadbeef);
    if (TryEnterCriticalSection(&cs)) return 1;
    if (GetLastError() != 0xdeadbeef) return 2;
    /* a Leave by a thread that does not own the section changes nothing */
    LeaveCriticalSection(&cs);
    if (TryEnterCriticalSection(&cs)) return 3;
    return 0;
}

static DWORD WINAPI try_enter_free(LPVOID p)
{
    (void)p;
    if (!TryEnterCriticalSection(&cs)) return 1;
    LeaveCriticalSection(&cs);
    return 0;
}

static void critical_section_held_elsewhere(void)
{
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    CHECK_EQ(exit_code(start(try_enter_elsewhere, NULL)), 0);
    CHECK(cs.OwningThread == (HANDLE)(ULONG_PTR)GetCurrentThreadId());
    CHECK_EQ(cs.RecursionCount, 1);
    LeaveCriticalSection(&cs);
    CHECK_EQ(exit_code(start(try_enter_free, NULL)), 0);
    DeleteCriticalSection(&cs);
}

#define CS_THREADS 4
#define CS_ROUNDS 50000
static volatile LONG plain_counter; /* incremented without atomics */

static DWORD WINAPI count_under_lock(LPVOID p)
{
    (void)p;
    for (int i = 0; i < CS_ROUNDS; i++) {
        EnterCriticalSection(&cs);
        EnterCriticalSection(&cs); /* recursion under contention */
        LONG v = plain_counter;
        if ((i & 255) == 0) YieldProcessor();
        plain_counter = v + 1;
        LeaveCriticalSection(&cs);
        LeaveCriticalSection(&cs);
    }
    return 0;
}

static void critical_section_contention(void)
{
    HANDLE t[CS_THREADS];
    InitializeCriticalSectionAndSpinCount(&cs, 200);
    plain_counter = 0;
    for (int i = 0; i < CS_THREADS; i++) t[i] = start(count_under_lock, NULL);
    wait_all(t, CS_THREADS);
    CHECK_EQ(plain_counter, CS_THREADS * CS_ROUNDS);
    CHECK_EQ(cs.LockCount, -1);
    CHECK_EQ(cs.RecursionCount, 0);
    DeleteCriticalSection(&cs);
}

/* A waiter sleeps: waiting 300 ms costs it (almost) no CPU time. */
static volatile LONG waiter_ready;
static double waiter_cpu_ms, waiter_wall_ms;

static DWORD WINAPI enter_and_measure(LPVOID p)
{
    (void)p;
    InterlockedIncrement(&waiter_ready);
    double cpu = thread_cpu_ms(), wall = now_ms();
    EnterCriticalSection(&cs);
    waiter_cpu_ms = thread_cpu_ms() - cpu;
    waiter_wall_ms = now_ms() - wall;
    LeaveCriticalSection(&cs);
    return 0;
}

static void critical_section_blocks(void)
{
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    waiter_ready = 0;
    HANDLE t = start(enter_and_measure, NULL);
    wait_until(&waiter_ready, 1);
    Sleep(300);
    LeaveCriticalSection(&cs);
    CHECK_EQ(exit_code(t), 0);
    printf("critical section: waited %.1f ms, using %.1f ms of CPU\n", waiter_wall_ms,
           waiter_cpu_ms);
    CHECK(waiter_wall_ms >= 100);
    CHECK(waiter_cpu_ms < waiter_wall_ms / 3);
    DeleteCriticalSection(&cs);
}

/* Not starved: a thread entering and leaving in a tight loop does not keep
 * another out for long. */
static volatile LONG hog_stop, hog_rounds;

static DWORD WINAPI hog(LPVOID p)
{
    (void)p;
    double end = now_ms() + 5000;
    while (!hog_stop && now_ms() < end) {
        EnterCriticalSection(&cs);
        hog_rounds++;
        LeaveCriticalSection(&cs);
    }
    return 0;
}

static void critical_section_not_starved(void)
{
    InitializeCriticalSection(&cs);
    hog_stop = 0;
    hog_rounds = 0;
    HANDLE t = start(hog, NULL);
    wait_until(&hog_rounds, 1000);
    double worst = 0;
    for (int i = 0; i < 20; i++) {
        double t0 = now_ms();
        EnterCriticalSection(&cs);
        double took = now_ms() - t0;
        LeaveCriticalSection(&cs);
        if (took > worst) worst = took;
        Sleep(1);
    }
    hog_stop = 1;
    CHECK_EQ(exit_code(t), 0);
    printf("critical section: worst wait behind a busy owner %.2f ms\n", worst);
    CHECK(worst < 2000); /* starved: behind the whole 5 s loop */
    DeleteCriticalSection(&cs);
}

/* ---- condition variables ---------------------------------------------- */

static CONDITION_VARIABLE not_empty = CONDITION_VARIABLE_INIT;
static CONDITION_VARIABLE not_full;
static SRWLOCK srw = SRWLOCK_INIT;

#define BUFFER_SIZE 5
#define PER_PRODUCER 2000
#define PRODUCERS 2
#define CONSUMERS 2
static LONG buffer_len, produced, consumed;
static volatile LONG sleep_errors;

static DWORD WINAPI producer(LPVOID p)
{
    DWORD ms = (DWORD)(UINT_PTR)p;
    for (int i = 0; i < PER_PRODUCER; i++) {
        EnterCriticalSection(&cs);
        while (buffer_len == BUFFER_SIZE) {
            if (!SleepConditionVariableCS(&not_full, &cs, ms) && GetLastError() != ERROR_TIMEOUT)
                InterlockedIncrement(&sleep_errors);
        }
        buffer_len++;
        produced++;
        LeaveCriticalSection(&cs);
        WakeConditionVariable(&not_empty);
    }
    return 0;
}

static DWORD WINAPI consumer(LPVOID p)
{
    DWORD ms = (DWORD)(UINT_PTR)p;
    for (;;) {
        EnterCriticalSection(&cs);
        while (buffer_len == 0 && consumed < PRODUCERS * PER_PRODUCER) {
            if (!SleepConditionVariableCS(&not_empty, &cs, ms) && GetLastError() != ERROR_TIMEOUT)
                InterlockedIncrement(&sleep_errors);
        }
        if (buffer_len == 0) { /* everything consumed */
            LeaveCriticalSection(&cs);
            WakeAllConditionVariable(&not_empty);
            return 0;
        }
        buffer_len--;
        consumed++;
        LeaveCriticalSection(&cs);
        WakeConditionVariable(&not_full);
    }
}

static void producer_consumer(void)
{
    HANDLE t[PRODUCERS + CONSUMERS];
    InitializeCriticalSection(&cs);
    InitializeConditionVariable(&not_full);
    /* time-outs of 1 and 5 ms (some sleeps time out) and INFINITE */
    for (int i = 0; i < PRODUCERS; i++) t[i] = start(producer, (LPVOID)(UINT_PTR)(i ? INFINITE : 1));
    for (int i = 0; i < CONSUMERS; i++)
        t[PRODUCERS + i] = start(consumer, (LPVOID)(UINT_PTR)(i ? 5 : INFINITE));
    wait_all(t, PRODUCERS + CONSUMERS);
    CHECK_EQ(produced, PRODUCERS * PER_PRODUCER);
    CHECK_EQ(consumed, produced);
    CHECK_EQ(buffer_len, 0);
    CHECK_EQ(sleep_errors, 0);
    DeleteCriticalSection(&cs);
}

static volatile LONG seq;
static BOOL woken_result;
static double asleep_at;

#define SLEEP_LIMIT 200

static DWORD WINAPI sleep_long(LPVOID p)
{
    (void)p;
    EnterCriticalSection(&cs);
    asleep_at = now_ms();
    InterlockedIncrement(&seq);
    BOOL r = SleepConditionVariableCS(&not_empty, &cs, SLEEP_LIMIT);
    /* held again, by this thread, once */
    if (cs.OwningThread != (HANDLE)(ULONG_PTR)GetCurrentThreadId() || cs.RecursionCount != 1) r = 2;
    LeaveCriticalSection(&cs);
    woken_result = r;
    return 0;
}

static volatile LONG shared_sleepers, shared_woken;

static DWORD WINAPI sleep_shared(LPVOID p)
{
    (void)p;
    AcquireSRWLockShared(&srw);
    InterlockedIncrement(&shared_sleepers);
    if (SleepConditionVariableSRW(&not_full, &srw, WAIT_LIMIT, CONDITION_VARIABLE_LOCKMODE_SHARED))
        InterlockedIncrement(&shared_woken);
    ReleaseSRWLockShared(&srw);
    return 0;
}

static void condition_variable_rules(void)
{
    InitializeCriticalSection(&cs);
    InitializeConditionVariable(&not_empty);
    InitializeConditionVariable(&not_full);

    /* untriggered, and a wake before the sleep is not remembered */
    WakeConditionVariable(&not_empty);
    WakeAllConditionVariable(&not_empty);
    EnterCriticalSection(&cs);
    double t0 = now_ms();
    SetLastError(0xdeadbeef);
    CHECK(!SleepConditionVariableCS(&not_empty, &cs, 20));
    CHECK_LAST_ERROR(ERROR_TIMEOUT);
    CHECK(now_ms() - t0 >= 19);
    CHECK_EQ(cs.RecursionCount, 1);
    SetLastError(0xdeadbeef);
    CHECK(!SleepConditionVariableCS(&not_empty, &cs, 0));
    CHECK_LAST_ERROR(ERROR_TIMEOUT);
    LeaveCriticalSection(&cs);

    /* a section the caller does not own; bad flags */
    SetLastError(0xdeadbeef);
    CHECK(!SleepConditionVariableCS(&not_empty, &cs, 10));
    CHECK_LAST_ERROR(ERROR_NOT_OWNER);
    AcquireSRWLockExclusive(&srw);
    SetLastError(0xdeadbeef);
    CHECK(!SleepConditionVariableSRW(&not_empty, &srw, 10, 2));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!SleepConditionVariableSRW(&not_empty, &srw, 10, CONDITION_VARIABLE_LOCKMODE_SHARED));
    CHECK_LAST_ERROR(ERROR_NOT_OWNER);

    /* SRW sleeps time out in both modes, the lock held again after */
    SetLastError(0xdeadbeef);
    CHECK(!SleepConditionVariableSRW(&not_empty, &srw, 10, 0));
    CHECK_LAST_ERROR(ERROR_TIMEOUT);
    CHECK(!TryAcquireSRWLockShared(&srw));
    ReleaseSRWLockExclusive(&srw);
    AcquireSRWLockShared(&srw);
    SetLastError(0xdeadbeef);
    CHECK(!SleepConditionVariableSRW(&not_empty, &srw, 10, CONDITION_VARIABLE_LOCKMODE_SHARED));
    CHECK_LAST_ERROR(ERROR_TIMEOUT);
    CHECK(!TryAcquireSRWLockExclusive(&srw));
    ReleaseSRWLockShared(&srw);

    /* woken while the waker holds the section past the sleeper's time-out:
     * still TRUE (test_condvars_base step 8). A try where this thread got
     * the section too late to wake the sleeper in time proves nothing and
     * is made again. */
    int conclusive = 0;
    for (int i = 0; i < 5 && !conclusive; i++) {
        seq = 0;
        HANDLE t = start(sleep_long, NULL);
        wait_until(&seq, 1);
        EnterCriticalSection(&cs); /* the sleeper is asleep: it released the section */
        conclusive = now_ms() - asleep_at < SLEEP_LIMIT / 2;
        WakeConditionVariable(&not_empty);
        Sleep(SLEEP_LIMIT + 100);
        LeaveCriticalSection(&cs);
        CHECK_EQ(exit_code(t), 0);
        if (conclusive) CHECK_EQ(woken_result, TRUE);
    }
    CHECK(conclusive);

    /* WakeAll wakes every shared sleeper */
    HANDLE s[3];
    shared_sleepers = shared_woken = 0;
    for (int i = 0; i < 3; i++) s[i] = start(sleep_shared, NULL);
    wait_until(&shared_sleepers, 3);
    AcquireSRWLockExclusive(&srw); /* every sleeper has released its share */
    WakeAllConditionVariable(&not_full);
    ReleaseSRWLockExclusive(&srw);
    wait_all(s, 3);
    CHECK_EQ(shared_woken, 3);
    DeleteCriticalSection(&cs);
}

/* ---- SRW locks -------------------------------------------------------- */

static volatile LONG readers_inside, writers_inside, srw_errors;

static DWORD WINAPI reader_waits_for_peers(LPVOID p)
{
    (void)p;
    AcquireSRWLockShared(&srw);
    InterlockedIncrement(&readers_inside);
    /* all three hold it shared at once */
    for (int i = 0; i < 5000 && readers_inside < 3; i++) Sleep(1);
    LONG seen = readers_inside;
    ReleaseSRWLockShared(&srw);
    return seen == 3 ? 0 : 1;
}

#define SRW_ROUNDS 20000
static DWORD WINAPI srw_writer(LPVOID p)
{
    (void)p;
    for (int i = 0; i < SRW_ROUNDS; i++) {
        AcquireSRWLockExclusive(&srw);
        if (InterlockedIncrement(&writers_inside) != 1 || readers_inside != 0)
            InterlockedIncrement(&srw_errors);
        plain_counter++;
        InterlockedDecrement(&writers_inside);
        ReleaseSRWLockExclusive(&srw);
    }
    return 0;
}

static DWORD WINAPI srw_reader(LPVOID p)
{
    (void)p;
    for (int i = 0; i < SRW_ROUNDS; i++) {
        AcquireSRWLockShared(&srw);
        InterlockedIncrement(&readers_inside);
        if (writers_inside != 0) InterlockedIncrement(&srw_errors);
        InterlockedDecrement(&readers_inside);
        ReleaseSRWLockShared(&srw);
    }
    return 0;
}

static volatile LONG order, writer_order, reader_order, second_acquired;

static DWORD WINAPI queued_writer(LPVOID p)
{
    (void)p;
    AcquireSRWLockExclusive(&srw);
    writer_order = InterlockedIncrement(&order);
    Sleep(20);
    ReleaseSRWLockExclusive(&srw);
    return 0;
}

static volatile LONG reader_trying, first_acquired;

static DWORD WINAPI queued_reader(LPVOID p)
{
    (void)p;
    InterlockedIncrement(&reader_trying);
    AcquireSRWLockShared(&srw);
    reader_order = InterlockedIncrement(&order);
    ReleaseSRWLockShared(&srw);
    return 0;
}

static DWORD WINAPI exclusive_twice(LPVOID p)
{
    (void)p;
    AcquireSRWLockExclusive(&srw);
    InterlockedIncrement(&first_acquired);
    AcquireSRWLockExclusive(&srw); /* not recursive: waits for a release */
    second_acquired = 1;
    ReleaseSRWLockExclusive(&srw);
    return 0;
}

static DWORD WINAPI try_while_exclusive(LPVOID p)
{
    (void)p;
    return TryAcquireSRWLockShared(&srw) || TryAcquireSRWLockExclusive(&srw);
}

static void srw_locks(void)
{
    InitializeSRWLock(&srw);
    CHECK(srw.Ptr == NULL);

    /* TryAcquire answers on one thread (test_srwlock_base step 19) */
    CHECK_EQ(TryAcquireSRWLockExclusive(&srw), TRUE);
    CHECK_EQ(TryAcquireSRWLockShared(&srw), FALSE);
    CHECK_EQ(TryAcquireSRWLockExclusive(&srw), FALSE);
    CHECK_EQ(exit_code(start(try_while_exclusive, NULL)), FALSE);
    ReleaseSRWLockExclusive(&srw);
    CHECK_EQ(TryAcquireSRWLockShared(&srw), TRUE);
    CHECK_EQ(TryAcquireSRWLockShared(&srw), TRUE);
    CHECK_EQ(TryAcquireSRWLockExclusive(&srw), FALSE);
    ReleaseSRWLockShared(&srw);
    CHECK_EQ(TryAcquireSRWLockExclusive(&srw), FALSE);
    ReleaseSRWLockShared(&srw);
    CHECK(srw.Ptr == NULL);
    /* releasing what is not held changes nothing */
    ReleaseSRWLockShared(&srw);
    ReleaseSRWLockExclusive(&srw);
    CHECK(srw.Ptr == NULL);
    CHECK_EQ(TryAcquireSRWLockExclusive(&srw), TRUE);
    ReleaseSRWLockShared(&srw);
    CHECK_EQ(TryAcquireSRWLockShared(&srw), FALSE);
    ReleaseSRWLockExclusive(&srw);

    /* shared holders at the same time */
    HANDLE r[3];
    readers_inside = 0;
    for (int i = 0; i < 3; i++) r[i] = start(reader_waits_for_peers, NULL);
    for (int i = 0; i < 3; i++) CHECK_EQ(exit_code(r[i]), 0);

    /* writers exclude readers and each other */
    HANDLE t[4];
    readers_inside = writers_inside = srw_errors = 0;
    plain_counter = 0;
    t[0] = start(srw_writer, NULL);
    t[1] = start(srw_reader, NULL);
    t[2] = start(srw_writer, NULL);
    t[3] = start(srw_reader, NULL);
    wait_all(t, 4);
    CHECK_EQ(srw_errors, 0);
    CHECK_EQ(plain_counter, 2 * SRW_ROUNDS);

    /* a queued writer goes before a later reader, and makes
     * TryAcquireSRWLockShared fail (steps 13-18, 24) */
    order = writer_order = reader_order = 0;
    AcquireSRWLockShared(&srw);
    HANDLE w = start(queued_writer, NULL);
    int blocked = 0;
    for (int i = 0; i < 10000 && !blocked; i++) {
        blocked = !TryAcquireSRWLockShared(&srw); /* once the writer waits */
        if (!blocked) {
            ReleaseSRWLockShared(&srw);
            Sleep(1);
        }
    }
    CHECK(blocked);
    reader_trying = 0;
    HANDLE rd = start(queued_reader, NULL);
    wait_until(&reader_trying, 1);
    Sleep(50);
    CHECK_EQ(order, 0);
    ReleaseSRWLockShared(&srw);
    CHECK_EQ(exit_code(w), 0);
    CHECK_EQ(exit_code(rd), 0);
    CHECK_EQ(writer_order, 1);
    CHECK_EQ(reader_order, 2);

    /* exclusive is not recursive; another thread may release (steps 1-2) */
    second_acquired = first_acquired = 0;
    HANDLE x = start(exclusive_twice, NULL);
    wait_until(&first_acquired, 1);
    Sleep(100);
    CHECK_EQ(second_acquired, 0);
    ReleaseSRWLockExclusive(&srw);
    CHECK_EQ(exit_code(x), 0);
    CHECK_EQ(second_acquired, 1);
    CHECK(srw.Ptr == NULL || TryAcquireSRWLockExclusive(&srw));
}

/* ---- Interlocked ------------------------------------------------------ */

static volatile LONG atomic_counter;
static volatile LONG64 atomic_counter64;

static DWORD WINAPI interlocked_adder(LPVOID p)
{
    (void)p;
    for (int i = 0; i < 100000; i++) {
        InterlockedIncrement(&atomic_counter);
        InterlockedExchangeAdd64(&atomic_counter64, 3);
    }
    return 0;
}

static void interlocked(void)
{
    volatile LONG v = 5;
    CHECK_EQ(InterlockedIncrement(&v), 6);
    CHECK_EQ(InterlockedDecrement(&v), 5);
    CHECK_EQ(InterlockedExchange(&v, 9), 5);
    CHECK_EQ(v, 9);
    CHECK_EQ(InterlockedExchangeAdd(&v, 3), 9);
    CHECK_EQ(v, 12);
    CHECK_EQ(InterlockedAdd(&v, -2), 10);
    CHECK_EQ(InterlockedCompareExchange(&v, 77, 3), 10); /* no match: unchanged */
    CHECK_EQ(v, 10);
    CHECK_EQ(InterlockedCompareExchange(&v, 77, 10), 10);
    CHECK_EQ(v, 77);
    v = 0xF0;
    CHECK_EQ(InterlockedAnd(&v, 0x3C), 0xF0);
    CHECK_EQ(v, 0x30);
    CHECK_EQ(InterlockedOr(&v, 0x03), 0x30);
    CHECK_EQ(v, 0x33);
    CHECK_EQ(InterlockedXor(&v, 0x11), 0x33);
    CHECK_EQ(v, 0x22);
    v = 0x7FFFFFFF;
    CHECK_EQ(InterlockedIncrement(&v), (LONG)0x80000000); /* wraps as LONG */

    volatile LONG64 w = 0x100000000LL;
    CHECK_EQ(InterlockedIncrement64(&w), 0x100000001LL);
    CHECK_EQ(InterlockedDecrement64(&w), 0x100000000LL);
    CHECK_EQ(InterlockedExchange64(&w, 0x7FFFFFFFFFFFLL), 0x100000000LL);
    CHECK_EQ(InterlockedExchangeAdd64(&w, 1), 0x7FFFFFFFFFFFLL);
    CHECK_EQ(InterlockedAdd64(&w, 1), 0x800000000001LL);
    CHECK_EQ(InterlockedCompareExchange64(&w, 1, 0x800000000001LL), 0x800000000001LL);
    CHECK_EQ(w, 1);
    CHECK_EQ(InterlockedOr64(&w, 0x100000000LL), 1);
    CHECK_EQ(InterlockedAnd64(&w, 0x100000000LL), 0x100000001LL);
    CHECK_EQ(InterlockedXor64(&w, 0x100000001LL), 0x100000000LL);
    CHECK_EQ(w, 1);

    volatile SHORT h = 0x7FFF;
    CHECK_EQ(InterlockedIncrement16(&h), (SHORT)0x8000);
    CHECK_EQ(InterlockedCompareExchange16(&h, 1, (SHORT)0x8000), (SHORT)0x8000);
    CHECK_EQ(InterlockedDecrement16(&h), 0);

    int a = 1, b = 2;
    PVOID volatile p = &a;
    CHECK(InterlockedExchangePointer(&p, &b) == &a);
    CHECK(p == &b);
    CHECK(InterlockedCompareExchangePointer(&p, NULL, &a) == &b); /* no match */
    CHECK(InterlockedCompareExchangePointer(&p, NULL, &b) == &b);
    CHECK(p == NULL);
    MemoryBarrier();

    HANDLE t[4];
    atomic_counter = 0;
    atomic_counter64 = 0;
    for (int i = 0; i < 4; i++) t[i] = start(interlocked_adder, NULL);
    wait_all(t, 4);
    CHECK_EQ(atomic_counter, 400000);
    CHECK_EQ(atomic_counter64, 1200000);
}

/* ---- INIT_ONCE -------------------------------------------------------- */

static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
static BOOL callback_result;
static volatile LONG callback_calls;
static PVOID callback_context;

static BOOL CALLBACK init_callback(PINIT_ONCE o, PVOID parameter, PVOID *context)
{
    InterlockedIncrement(&callback_calls);
    if (o->Ptr != (PVOID)1 || parameter != (PVOID)0xdeadbeef) return FALSE;
    if (context && callback_context) *context = callback_context;
    Sleep(50); /* others arriving meanwhile wait */
    return callback_result;
}

static DWORD WINAPI execute_once(LPVOID p)
{
    PVOID ctx = NULL;
    (void)p;
    if (!InitOnceExecuteOnce(&once, init_callback, (PVOID)0xdeadbeef, &ctx)) return 1;
    return ctx == (PVOID)0x1230 ? 0 : 2;
}

static void init_once(void)
{
    INIT_ONCE o;
    PVOID ctx = NULL;
    BOOL pending;

    o.Ptr = (PVOID)0xdeadbeef;
    InitOnceInitialize(&o);
    CHECK(o.Ptr == NULL);
    callback_result = TRUE;
    callback_context = NULL;
    callback_calls = 0;
    CHECK(InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK(o.Ptr == (PVOID)2);
    CHECK(ctx == NULL);
    CHECK(InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK_EQ(callback_calls, 1);

    /* the context keeps its value, with state 2 in the low bits */
    InitOnceInitialize(&o);
    ctx = (PVOID)0xFFFFFFF0;
    CHECK(InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK(o.Ptr == (PVOID)0xFFFFFFF2);
    CHECK(ctx == (PVOID)0xFFFFFFF0);

    /* a failed callback: FALSE, last error untouched, back to 0 */
    InitOnceInitialize(&o);
    callback_result = FALSE;
    ctx = NULL;
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK(o.Ptr == NULL);

    /* reserved context bits from the callback */
    InitOnceInitialize(&o);
    callback_result = TRUE;
    callback_context = (PVOID)0x1231;
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    CHECK(o.Ptr == NULL);

    /* begin/complete, synchronous */
    InitOnceInitialize(&o);
    CHECK(InitOnceBeginInitialize(&o, 0, &pending, &ctx));
    CHECK(pending);
    CHECK(o.Ptr == (PVOID)1);
    pending = 0xf;
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceBeginInitialize(&o, INIT_ONCE_CHECK_ONLY, &pending, &ctx));
    CHECK_LAST_ERROR(ERROR_GEN_FAILURE);
    CHECK_EQ(pending, 0xf);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceBeginInitialize(&o, INIT_ONCE_ASYNC, &pending, &ctx));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceComplete(&o, INIT_ONCE_INIT_FAILED, (PVOID)0xdeadbee0));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceComplete(&o, 0, (PVOID)0xdeadbeef));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    CHECK(o.Ptr == (PVOID)1);
    CHECK(InitOnceComplete(&o, 0, (PVOID)0xdeadbee0));
    CHECK(o.Ptr == (PVOID)0xdeadbee2);
    ctx = NULL;
    CHECK(InitOnceBeginInitialize(&o, INIT_ONCE_CHECK_ONLY, &pending, &ctx));
    CHECK(!pending);
    CHECK(ctx == (PVOID)0xdeadbee0);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceBeginInitialize(&o, INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC, &pending, &ctx));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    InitOnceInitialize(&o);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceComplete(&o, INIT_ONCE_INIT_FAILED, NULL));
    CHECK_LAST_ERROR(ERROR_GEN_FAILURE);
    CHECK(InitOnceBeginInitialize(&o, 0, &pending, &ctx));
    CHECK(InitOnceComplete(&o, INIT_ONCE_INIT_FAILED, NULL));
    CHECK(o.Ptr == NULL);

    /* asynchronous */
    CHECK(InitOnceBeginInitialize(&o, INIT_ONCE_ASYNC, &pending, &ctx));
    CHECK(pending);
    CHECK(o.Ptr == (PVOID)3);
    CHECK(InitOnceBeginInitialize(&o, INIT_ONCE_ASYNC, &pending, &ctx));
    CHECK(pending);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceBeginInitialize(&o, 0, &pending, &ctx));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceComplete(&o, INIT_ONCE_INIT_FAILED, NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    CHECK(o.Ptr == (PVOID)3);
    CHECK(InitOnceComplete(&o, INIT_ONCE_ASYNC, (PVOID)0xdeadbee0));
    CHECK(o.Ptr == (PVOID)0xdeadbee2);

    /* threads racing: the function runs once, all see its context */
    HANDLE t[4];
    callback_calls = 0;
    callback_result = TRUE;
    callback_context = (PVOID)0x1230;
    for (int i = 0; i < 4; i++) t[i] = start(execute_once, NULL);
    for (int i = 0; i < 4; i++) CHECK_EQ(exit_code(t[i]), 0);
    CHECK_EQ(callback_calls, 1);
    CHECK(once.Ptr == (PVOID)0x1232);
}

/* ---- process.h -------------------------------------------------------- */

static volatile LONG after_end;

static unsigned __stdcall returns_42(void *p)
{
    (void)p;
    return 42;
}

static unsigned __stdcall ends_with_7(void *p)
{
    (void)p;
    _endthreadex(7);
    after_end = 1; /* never reached */
    return 1;
}

static HANDLE began;

static void __cdecl sets_event(void *p)
{
    SetEvent((HANDLE)p);
}

static void __cdecl ends_early(void *p)
{
    SetEvent((HANDLE)p);
    _endthread();
    after_end = 1; /* never reached */
}

static volatile LONG handler_calls;

static void count_calls(const wchar_t *expression, const wchar_t *function, const wchar_t *file,
                        unsigned int line, uintptr_t reserved)
{
    (void)expression, (void)function, (void)file, (void)line, (void)reserved;
    handler_calls++;
}

/* A _beginthread thread closes its own handle: polls until the handle no
 * longer names a thread. */
static void wait_handle_closed(HANDLE h)
{
    DWORD code;
    int i = 0;
    while (i < 5000 && GetExitCodeThread(h, &code)) {
        Sleep(1);
        i++;
    }
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
}

static void crt_threads(void)
{
    unsigned id = 0;
    uintptr_t t = _beginthreadex(NULL, 0, returns_42, NULL, 0, &id);
    CHECK(t != 0);
    CHECK(id != 0);
    CHECK_EQ(GetThreadId((HANDLE)t), id);
    CHECK_EQ(exit_code((HANDLE)t), 42);

    t = _beginthreadex(NULL, 0, returns_42, NULL, CREATE_SUSPENDED, NULL);
    CHECK(t != 0);
    DWORD code = 0;
    Sleep(20);
    CHECK(GetExitCodeThread((HANDLE)t, &code));
    CHECK_EQ(code, STILL_ACTIVE);
    CHECK_EQ(ResumeThread((HANDLE)t), 1);
    CHECK_EQ(exit_code((HANDLE)t), 42);

    after_end = 0;
    t = _beginthreadex(NULL, 0, ends_with_7, NULL, 0, NULL);
    CHECK(t != 0);
    CHECK_EQ(exit_code((HANDLE)t), 7);
    CHECK_EQ(after_end, 0);

    began = CreateEventA(NULL, FALSE, FALSE, NULL);
    CHECK(began != NULL);
    t = _beginthread(sets_event, 0, began);
    CHECK(t != (uintptr_t)-1);
    CHECK_EQ(WaitForSingleObject(began, WAIT_LIMIT), WAIT_OBJECT_0);
    wait_handle_closed((HANDLE)t);
    t = _beginthread(ends_early, 64 * 1024, began);
    CHECK(t != (uintptr_t)-1);
    CHECK_EQ(WaitForSingleObject(began, WAIT_LIMIT), WAIT_OBJECT_0);
    wait_handle_closed((HANDLE)t);
    CHECK_EQ(after_end, 0);
    CHECK(CloseHandle(began));

    /* a NULL start address: the invalid-parameter handler, then EINVAL */
    _set_invalid_parameter_handler(count_calls);
    errno = 0;
    CHECK_EQ(_beginthreadex(NULL, 0, NULL, NULL, 0, NULL), 0);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK_EQ(_beginthread(NULL, 0, NULL), (uintptr_t)-1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(handler_calls, 2);
    /* bad flags: CreateThread's ERROR_INVALID_PARAMETER is EINVAL */
    errno = 0;
    CHECK_EQ(_beginthreadex(NULL, 0, returns_42, NULL, 0x80000000u, NULL), 0);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(handler_calls, 2);
    _set_invalid_parameter_handler(NULL);
}

int main(void)
{
    critical_section_fields();
    critical_section_held_elsewhere();
    critical_section_contention();
    critical_section_blocks();
    critical_section_not_starved();
    producer_consumer();
    condition_variable_rules();
    srw_locks();
    interlocked();
    init_once();
    crt_threads();
    puts("win32_sync: ok");
    return 0;
}
