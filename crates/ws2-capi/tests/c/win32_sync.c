/* Locks (P6): critical sections, SRW locks and condition variables, as a
 * multi-threaded Windows server uses them.
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
 * readers and makes TryAcquireSRWLockShared fail, the TryAcquire answers);
 * Microsoft's InitializeCriticalSectionAndSpinCount page (the count is 0
 * on one processor).  Every loop is bounded in count and time. */
#include <windows.h>
#include <winsock2.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "sync_common.h"

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
    puts("win32_sync: ok");
    return 0;
}
