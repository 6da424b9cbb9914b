/* Thread priorities and processor affinity (P6): GetThreadPriority,
 * SetThreadPriority, SetThreadAffinityMask, GetProcessAffinityMask, as a
 * server lowers its housekeeping thread and pins its I/O threads.
 *
 * Windows' answers: kernel32 thread.c (Wine's tests, run on Windows)
 * test_thread_priority and test_thread_processor; Microsoft's
 * SetThreadPriority, GetThreadPriority and SetThreadAffinityMask pages
 * (the previous mask is returned). */
#include <windows.h>
#include <stdio.h>

#include "common.h"

static HANDLE ready, go;
static volatile int seen_priority;

static DWORD WINAPI worker(LPVOID arg)
{
    (void)arg;
    SetEvent(ready);
    CHECK_EQ(WaitForSingleObject(go, 10000), WAIT_OBJECT_0);
    seen_priority = GetThreadPriority(GetCurrentThread());
    return 0;
}

/* P6: test_thread_priority */
static void priorities(void)
{
    HANDLE cur = GetCurrentThread(), thread, event;
    int i;

    CHECK_EQ(GetThreadPriority(cur), THREAD_PRIORITY_NORMAL);
    for (i = THREAD_PRIORITY_LOWEST; i <= THREAD_PRIORITY_HIGHEST; i++) {
        SetLastError(0xdeadbeef);
        CHECK(SetThreadPriority(cur, i));
        CHECK_EQ(GetThreadPriority(cur), i);
        CHECK_EQ(GetLastError(), 0xdeadbeef);
    }
    CHECK(SetThreadPriority(cur, THREAD_PRIORITY_TIME_CRITICAL));
    CHECK_EQ(GetThreadPriority(cur), THREAD_PRIORITY_TIME_CRITICAL);
    CHECK(SetThreadPriority(cur, THREAD_PRIORITY_IDLE));
    CHECK_EQ(GetThreadPriority(cur), THREAD_PRIORITY_IDLE);
    CHECK(SetThreadPriority(cur, 0));

    /* outside the range: refused, the priority unchanged */
    CHECK(SetThreadPriority(cur, THREAD_PRIORITY_LOWEST));
    SetLastError(0xdeadbeef);
    CHECK(!SetThreadPriority(cur, THREAD_PRIORITY_LOWEST - 1));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetThreadPriority(cur), THREAD_PRIORITY_LOWEST);
    CHECK(SetThreadPriority(cur, THREAD_PRIORITY_HIGHEST));
    SetLastError(0xdeadbeef);
    CHECK(!SetThreadPriority(cur, THREAD_PRIORITY_HIGHEST + 1));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK_EQ(GetThreadPriority(cur), THREAD_PRIORITY_HIGHEST);
    CHECK(SetThreadPriority(cur, THREAD_PRIORITY_NORMAL));

    /* another thread's priority, set through its handle, is what it reads */
    ready = CreateEventA(NULL, FALSE, FALSE, NULL);
    go = CreateEventA(NULL, FALSE, FALSE, NULL);
    thread = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    CHECK(thread != NULL);
    CHECK_EQ(WaitForSingleObject(ready, 10000), WAIT_OBJECT_0);
    CHECK_EQ(GetThreadPriority(thread), THREAD_PRIORITY_NORMAL);
    CHECK(SetThreadPriority(thread, THREAD_PRIORITY_BELOW_NORMAL));
    CHECK_EQ(GetThreadPriority(thread), THREAD_PRIORITY_BELOW_NORMAL);
    CHECK_EQ(GetThreadPriority(cur), THREAD_PRIORITY_NORMAL);
    SetEvent(go);
    CHECK_EQ(WaitForSingleObject(thread, 10000), WAIT_OBJECT_0);
    CHECK_EQ(seen_priority, THREAD_PRIORITY_BELOW_NORMAL);
    CloseHandle(thread);
    CloseHandle(ready);
    CloseHandle(go);

    /* a handle that is no thread */
    event = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(0xdeadbeef);
    CHECK_EQ(GetThreadPriority(event), THREAD_PRIORITY_ERROR_RETURN);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0xdeadbeef);
    CHECK(!SetThreadPriority(event, THREAD_PRIORITY_LOWEST));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CloseHandle(event);
}

/* P6: test_thread_processor */
static void affinity(void)
{
    HANDLE cur = GetCurrentThread();
    DWORD_PTR process_mask, system_mask, low, mask;

    SetLastError(0xdeadbeef);
    CHECK(GetProcessAffinityMask(GetCurrentProcess(), &process_mask, &system_mask));
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    CHECK(process_mask != 0);
    CHECK_EQ(process_mask & ~system_mask, 0);

    CHECK_EQ(SetThreadAffinityMask(cur, process_mask), process_mask);
    SetLastError(0xdeadbeef);
    CHECK_EQ(SetThreadAffinityMask(cur, process_mask + 1), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK_EQ(SetThreadAffinityMask(cur, ~(DWORD_PTR)0), process_mask);

    /* the previous mask comes back (Microsoft's SetThreadAffinityMask
     * page); narrowing a thread does not narrow the process */
    low = process_mask & (~process_mask + 1);
    CHECK_EQ(SetThreadAffinityMask(cur, low), process_mask);
    CHECK_EQ(SetThreadAffinityMask(cur, low), low);
    CHECK(GetProcessAffinityMask(GetCurrentProcess(), &mask, &system_mask));
    CHECK_EQ(mask, process_mask);
    CHECK_EQ(SetThreadAffinityMask(cur, process_mask), low);

    SetLastError(0xdeadbeef);
    CHECK_EQ(SetThreadAffinityMask(cur, 0), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
}

int main(void)
{
    priorities();
    affinity();
    printf("win32_scheduling: ok\n");
    return 0;
}
