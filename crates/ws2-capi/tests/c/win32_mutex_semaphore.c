/* Mutexes, semaphores and PulseEvent (P6): CreateMutexA/W, CreateMutexEx
 * with CREATE_MUTEX_INITIAL_OWNER, OpenMutex, ReleaseMutex; CreateSemaphore
 * A/W and Ex, OpenSemaphore, ReleaseSemaphore with its previous count;
 * PulseEvent; all of them in WaitForSingleObject(Ex),
 * WaitForMultipleObjects (with events) and WSAWaitForMultipleEvents.
 *
 * Windows' answers, each cited where it is checked: kernel32 sync.c
 * (test_mutex, test_semaphore, test_temporary_objects, test_signalandwait),
 * ntdll sync.c (test_mutant, test_semaphore, test_event), ntdll om.c
 * (test_name_collisions), and Microsoft's pages (CreateMutex: a name held
 * by another kind is ERROR_INVALID_HANDLE; ReleaseSemaphore; PulseEvent;
 * WaitForMultipleObjects; WSAWaitForMultipleEvents: the array may hold
 * objects of different types). No WSAStartup except for the WSA wait. */
#include <windows.h>
#include <winsock2.h>
#include <stdio.h>

#include "common.h"

#define BOGUS ((HANDLE)(UINT_PTR)0xdeadbee0u)

static HANDLE start_thread(LPTHREAD_START_ROUTINE fn, void *arg)
{
    HANDLE t = CreateThread(NULL, 0, fn, arg, 0, NULL);
    CHECK(t != NULL);
    return t;
}

static void join(HANDLE t)
{
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK(CloseHandle(t));
}

/* What a helper thread does to one object, and what it got. */
struct probe {
    HANDLE object;
    DWORD wait_result;
    BOOL release_ok;
    DWORD release_error;
};

static DWORD WINAPI try_wait_zero(LPVOID p)
{
    struct probe *pr = p;
    pr->wait_result = WaitForSingleObject(pr->object, 0);
    if (pr->wait_result == WAIT_OBJECT_0 || pr->wait_result == WAIT_ABANDONED_0)
        CHECK(ReleaseMutex(pr->object));
    return 0;
}

static DWORD WINAPI try_release(LPVOID p)
{
    struct probe *pr = p;
    SetLastError(0);
    pr->release_ok = ReleaseMutex(pr->object);
    pr->release_error = GetLastError();
    return 0;
}

/* From another thread: a zero wait on the mutex (released again if taken). */
static DWORD other_thread_waits(HANDLE mutex)
{
    struct probe pr = {mutex, 0, FALSE, 0};
    join(start_thread(try_wait_zero, &pr));
    return pr.wait_result;
}

/* P6 kernel32 sync.c test_mutex: waits by the owner count (32 of them);
 * each ReleaseMutex gives one back; one more is ERROR_NOT_OWNER; another
 * thread can neither take an owned mutex nor release it. */
static void mutex_is_owned_and_recursive(void)
{
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    CHECK(m != NULL);
    for (int i = 0; i < 32; i++)
        KEEPS(WaitForSingleObject(m, 0), WAIT_OBJECT_0); /* last error untouched */
    CHECK_EQ(other_thread_waits(m), WAIT_TIMEOUT);
    struct probe pr = {m, 0, FALSE, 0};
    join(start_thread(try_release, &pr));
    CHECK(!pr.release_ok);
    CHECK_EQ(pr.release_error, ERROR_NOT_OWNER);
    for (int i = 0; i < 32; i++)
        KEEPS(ReleaseMutex(m), TRUE);
    SETS(ReleaseMutex(m), FALSE, ERROR_NOT_OWNER);
    CHECK_EQ(other_thread_waits(m), WAIT_OBJECT_0); /* free now */
    CHECK(CloseHandle(m));

    /* bInitialOwner and CREATE_MUTEX_INITIAL_OWNER (Microsoft's CreateMutex
     * and CreateMutexEx pages) */
    HANDLE owned = CreateMutexW(NULL, TRUE, NULL);
    CHECK(owned != NULL);
    CHECK_EQ(other_thread_waits(owned), WAIT_TIMEOUT);
    CHECK(ReleaseMutex(owned));
    SETS(ReleaseMutex(owned), FALSE, ERROR_NOT_OWNER);
    HANDLE ex = CreateMutexExA(NULL, NULL, CREATE_MUTEX_INITIAL_OWNER, MUTEX_ALL_ACCESS);
    CHECK(ex != NULL);
    CHECK_EQ(other_thread_waits(ex), WAIT_TIMEOUT);
    CHECK(ReleaseMutex(ex));
    HANDLE ex_free = CreateMutexExW(NULL, NULL, 0, SYNCHRONIZE);
    CHECK(ex_free != NULL);
    CHECK_EQ(other_thread_waits(ex_free), WAIT_OBJECT_0);
    SETS(CreateMutexExA(NULL, NULL, 0x2, 0), NULL, ERROR_INVALID_PARAMETER);

    /* what is no mutex */
    SETS(ReleaseMutex(BOGUS), FALSE, ERROR_INVALID_HANDLE);
    HANDLE ev = CreateEventA(NULL, TRUE, TRUE, NULL);
    SETS(ReleaseMutex(ev), FALSE, ERROR_INVALID_HANDLE);
    SETS(ReleaseSemaphore(owned, 1, NULL), FALSE, ERROR_INVALID_HANDLE);
    SETS(PulseEvent(owned), FALSE, ERROR_INVALID_HANDLE);
    CHECK(CloseHandle(owned) && CloseHandle(ex) && CloseHandle(ex_free) && CloseHandle(ev));
}

struct holder {
    HANDLE mutex, held, stop;
    BOOL exit_thread;
};

/* Takes the mutex, says so, waits for `stop`, and ends still owning it. */
static DWORD WINAPI hold_and_end(LPVOID p)
{
    struct holder *h = p;
    CHECK_EQ(WaitForSingleObject(h->mutex, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(h->mutex, 0), WAIT_OBJECT_0); /* twice: count 2 */
    CHECK(SetEvent(h->held));
    CHECK_EQ(WaitForSingleObject(h->stop, 10000), WAIT_OBJECT_0);
    if (h->exit_thread)
        ExitThread(7);
    return 0;
}

struct waiter {
    HANDLE mutex, done;
    DWORD result;
};

static DWORD WINAPI wait_long(LPVOID p)
{
    struct waiter *w = p;
    /* the handle is closed meanwhile: this thread ends owning the mutex */
    w->result = WaitForSingleObject(w->mutex, 10000);
    CHECK(SetEvent(w->done));
    return 0;
}

/* P6 ntdll sync.c test_mutant ("abandoned"): a thread that ends owning a
 * mutex abandons it; the next wait gets WAIT_ABANDONED_0 and owns it (one
 * ReleaseMutex frees it, whatever the old count); waits after that are
 * plain. kernel32 sync.c test_mutex (the owner/waiter threads): a thread
 * already waiting is the one that gets WAIT_ABANDONED, and closing the
 * mutex's handle meanwhile does not disturb it. */
static void abandoned_mutexes(void)
{
    struct holder h = {CreateMutexA(NULL, FALSE, NULL), CreateEventA(NULL, FALSE, FALSE, NULL),
                       CreateEventA(NULL, FALSE, FALSE, NULL), FALSE};
    HANDLE t = start_thread(hold_and_end, &h);
    CHECK_EQ(WaitForSingleObject(h.held, 10000), WAIT_OBJECT_0);
    CHECK(SetEvent(h.stop));
    join(t);
    CHECK_EQ(WaitForSingleObject(h.mutex, 0), WAIT_ABANDONED_0);
    CHECK(ReleaseMutex(h.mutex));
    SETS(ReleaseMutex(h.mutex), FALSE, ERROR_NOT_OWNER);
    CHECK_EQ(WaitForSingleObject(h.mutex, 0), WAIT_OBJECT_0); /* no longer abandoned */
    CHECK(ReleaseMutex(h.mutex));

    /* through ExitThread, in a wait-any: WAIT_ABANDONED_0 + its index */
    h.exit_thread = TRUE;
    t = start_thread(hold_and_end, &h);
    CHECK_EQ(WaitForSingleObject(h.held, 10000), WAIT_OBJECT_0);
    CHECK(SetEvent(h.stop));
    join(t);
    HANDLE unset = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE list[2] = {unset, h.mutex};
    CHECK_EQ(WaitForMultipleObjects(2, list, FALSE, 0), WAIT_ABANDONED_0 + 1);
    CHECK_EQ(WaitForMultipleObjects(2, list, FALSE, 0), WAIT_OBJECT_0 + 1); /* recursive */
    CHECK(ReleaseMutex(h.mutex) && ReleaseMutex(h.mutex));

    /* a waiter already blocked gets the abandoned mutex; its handle closed */
    h.exit_thread = FALSE;
    t = start_thread(hold_and_end, &h);
    CHECK_EQ(WaitForSingleObject(h.held, 10000), WAIT_OBJECT_0);
    struct waiter w = {h.mutex, CreateEventA(NULL, TRUE, FALSE, NULL), 0};
    HANDLE wt = start_thread(wait_long, &w);
    CHECK_EQ(WaitForSingleObject(w.done, 100), WAIT_TIMEOUT);
    CHECK(CloseHandle(h.mutex));
    CHECK_EQ(WaitForSingleObject(w.done, 100), WAIT_TIMEOUT);
    CHECK(SetEvent(h.stop));
    join(t);
    CHECK_EQ(WaitForSingleObject(w.done, 10000), WAIT_OBJECT_0);
    CHECK_EQ(w.result, WAIT_ABANDONED_0);
    join(wt);
    CHECK(CloseHandle(h.held) && CloseHandle(h.stop) && CloseHandle(unset) && CloseHandle(w.done));
}

/* P6 ntdll sync.c test_semaphore, kernel32 sync.c test_signalandwait,
 * Microsoft's CreateSemaphore and ReleaseSemaphore pages: bad counts are
 * ERROR_INVALID_PARAMETER; each wait takes one; a release past the maximum
 * is ERROR_TOO_MANY_POSTS and changes nothing (*lpPreviousCount untouched);
 * a successful one gives the count before. */
static void semaphore_counts(void)
{
    SETS(CreateSemaphoreA(NULL, 2, 1, NULL), NULL, ERROR_INVALID_PARAMETER);
    SETS(CreateSemaphoreA(NULL, 0, 0, NULL), NULL, ERROR_INVALID_PARAMETER);
    SETS(CreateSemaphoreW(NULL, -1, 1, NULL), NULL, ERROR_INVALID_PARAMETER);
    SETS(CreateSemaphoreExA(NULL, 0, 1, NULL, 1, SEMAPHORE_ALL_ACCESS), NULL,
         ERROR_INVALID_PARAMETER);
    HANDLE s = CreateSemaphoreA(NULL, 1, 2, NULL);
    CHECK(s != NULL);
    KEEPS(WaitForSingleObject(s, 1000), WAIT_OBJECT_0);
    KEEPS(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
    LONG prev = (LONG)0xdeadbeef;
    SETS(ReleaseSemaphore(s, 3, &prev), FALSE, ERROR_TOO_MANY_POSTS);
    CHECK_EQ(prev, (LONG)0xdeadbeef);
    KEEPS(ReleaseSemaphore(s, 1, &prev), TRUE);
    CHECK_EQ(prev, 0);
    KEEPS(ReleaseSemaphore(s, 1, &prev), TRUE);
    CHECK_EQ(prev, 1);
    prev = (LONG)0xdeadbeef;
    SETS(ReleaseSemaphore(s, 1, &prev), FALSE, ERROR_TOO_MANY_POSTS);
    CHECK_EQ(prev, (LONG)0xdeadbeef);
    SETS(ReleaseSemaphore(s, 0, NULL), FALSE, ERROR_INVALID_PARAMETER);
    SETS(ReleaseSemaphore(s, -1, NULL), FALSE, ERROR_INVALID_PARAMETER);
    /* the count is 2: two waits, then none */
    CHECK_EQ(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
    CHECK(ReleaseSemaphore(s, 2, NULL));
    SETS(ReleaseSemaphore(BOGUS, 1, NULL), FALSE, ERROR_INVALID_HANDLE);
    HANDLE ex = CreateSemaphoreExW(NULL, 0, 5, NULL, 0, SEMAPHORE_ALL_ACCESS);
    CHECK(ex != NULL);
    CHECK_EQ(WaitForSingleObject(ex, 0), WAIT_TIMEOUT);
    CHECK(CloseHandle(s) && CloseHandle(ex));
}

/* P6 names, one namespace for the three kinds, within the process:
 * kernel32 sync.c test_mutex and test_semaphore (0 for a new name,
 * ERROR_ALREADY_EXISTS, case-sensitive, Open* of a missing name
 * ERROR_FILE_NOT_FOUND and of NULL ERROR_INVALID_PARAMETER),
 * test_temporary_objects (a name dies with its last handle), ntdll om.c
 * test_name_collisions and Microsoft's CreateMutex page (a name another
 * kind holds is ERROR_INVALID_HANDLE). */
static void names(void)
{
    SETS(OpenMutexA(SYNCHRONIZE, FALSE, "ws2-mx"), NULL, ERROR_FILE_NOT_FOUND);
    HANDLE m = CreateMutexA(NULL, FALSE, "ws2-mx");
    CHECK(m != NULL);
    CHECK_EQ(GetLastError(), ERROR_SUCCESS);
    /* an existing mutex: bInitialOwner is ignored (it is not taken) */
    SetLastError(0xdeadbeef);
    HANDLE m2 = CreateMutexA(NULL, TRUE, "ws2-mx");
    CHECK(m2 != NULL);
    CHECK_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
    CHECK_EQ(other_thread_waits(m), WAIT_OBJECT_0);
    static const WCHAR name_w[] = {'w', 's', '2', '-', 'm', 'x', 0};
    HANDLE mw = OpenMutexW(MUTEX_ALL_ACCESS, FALSE, name_w);
    CHECK(mw != NULL);
    CHECK_EQ(WaitForSingleObject(mw, 0), WAIT_OBJECT_0); /* the same mutex */
    CHECK_EQ(other_thread_waits(m), WAIT_TIMEOUT);
    CHECK(ReleaseMutex(m)); /* through the other handle */
    SETS(OpenMutexA(SYNCHRONIZE, FALSE, "WS2-MX"), NULL, ERROR_FILE_NOT_FOUND);
    SETS(OpenMutexA(SYNCHRONIZE, FALSE, NULL), NULL, ERROR_INVALID_PARAMETER);
    SETS(OpenMutexW(SYNCHRONIZE, FALSE, NULL), NULL, ERROR_INVALID_PARAMETER);

    /* another kind under the same name */
    SETS(CreateEventA(NULL, TRUE, FALSE, "ws2-mx"), NULL, ERROR_INVALID_HANDLE);
    SETS(OpenEventA(EVENT_ALL_ACCESS, FALSE, "ws2-mx"), NULL, ERROR_INVALID_HANDLE);
    SETS(CreateSemaphoreA(NULL, 0, 1, "ws2-mx"), NULL, ERROR_INVALID_HANDLE);
    SETS(OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, "ws2-mx"), NULL, ERROR_INVALID_HANDLE);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, "ws2-ev-name");
    CHECK(ev != NULL);
    SETS(CreateMutexA(NULL, FALSE, "ws2-ev-name"), NULL, ERROR_INVALID_HANDLE);
    SETS(OpenMutexA(SYNCHRONIZE, FALSE, "ws2-ev-name"), NULL, ERROR_INVALID_HANDLE);

    /* semaphores: the first settings stay */
    HANDLE s = CreateSemaphoreA(NULL, 0, 1, "ws2-sem");
    CHECK(s != NULL);
    CHECK_EQ(GetLastError(), ERROR_SUCCESS);
    HANDLE s2 = CreateSemaphoreW(NULL, 3, 3, (const WCHAR[]){'w', 's', '2', '-', 's', 'e', 'm', 0});
    CHECK(s2 != NULL);
    CHECK_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
    CHECK_EQ(WaitForSingleObject(s2, 0), WAIT_TIMEOUT); /* count 0, not 3 */
    SETS(OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, "WS2-SEM"), NULL, ERROR_FILE_NOT_FOUND);
    SETS(OpenSemaphoreW(SEMAPHORE_ALL_ACCESS, FALSE, NULL), NULL, ERROR_INVALID_PARAMETER);
    HANDLE s3 = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, "ws2-sem");
    CHECK(s3 != NULL);
    CHECK(ReleaseSemaphore(s3, 1, NULL));
    CHECK_EQ(WaitForSingleObject(s, 0), WAIT_OBJECT_0);

    /* gone with their last handles */
    CHECK(CloseHandle(m) && CloseHandle(mw));
    HANDLE kept = OpenMutexA(SYNCHRONIZE, FALSE, "ws2-mx"); /* m2 keeps the name */
    CHECK(kept != NULL);
    CHECK(CloseHandle(kept) && CloseHandle(m2));
    SETS(OpenMutexA(SYNCHRONIZE, FALSE, "ws2-mx"), NULL, ERROR_FILE_NOT_FOUND);
    CHECK(CloseHandle(s) && CloseHandle(s2) && CloseHandle(s3) && CloseHandle(ev));
    SETS(OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, "ws2-sem"), NULL, ERROR_FILE_NOT_FOUND);
    HANDLE again = CreateSemaphoreA(NULL, 0, 1, "ws2-mx"); /* the name is free again */
    CHECK(again != NULL);
    CHECK_EQ(GetLastError(), ERROR_SUCCESS);
    CHECK(CloseHandle(again));
}

static void CALLBACK set_event_apc(ULONG_PTR event)
{
    CHECK(SetEvent((HANDLE)event));
}

/* P6 Microsoft's WaitForMultipleObjects page (wait-all is atomic; the
 * same object twice is ERROR_INVALID_PARAMETER) with mutexes and
 * semaphores among events; kernel32 sync.c test_WaitForMultipleObjects
 * (wait-any: the lowest index, only it consumed). */
static void mixed_waits(void)
{
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    HANDLE s = CreateSemaphoreA(NULL, 0, 1, NULL);
    HANDLE e = CreateEventA(NULL, FALSE, TRUE, NULL); /* auto-reset, set */
    HANDLE all[3] = {m, s, e};
    CHECK_EQ(WaitForMultipleObjects(3, all, TRUE, 0), WAIT_TIMEOUT);
    CHECK_EQ(other_thread_waits(m), WAIT_OBJECT_0);   /* the mutex was not taken */
    CHECK_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0); /* nor the event */
    CHECK(SetEvent(e));
    CHECK(ReleaseSemaphore(s, 1, NULL));
    KEEPS(WaitForMultipleObjects(3, all, TRUE, 1000), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT); /* all three taken */
    CHECK_EQ(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
    CHECK_EQ(other_thread_waits(m), WAIT_TIMEOUT);
    CHECK(ReleaseMutex(m));

    /* wait-any: the semaphore (0) is skipped, only the mutex is taken */
    CHECK(SetEvent(e));
    CHECK_EQ(WaitForMultipleObjects(3, (HANDLE[]){s, m, e}, FALSE, 0), WAIT_OBJECT_0 + 1);
    CHECK_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0); /* still set */
    CHECK(ReleaseMutex(m));
    SETS(WaitForMultipleObjects(2, (HANDLE[]){m, m}, TRUE, 0), WAIT_FAILED,
         ERROR_INVALID_PARAMETER);

    /* alertable: an APC ends the wait, the semaphore keeps its count */
    CHECK(QueueUserAPC(set_event_apc, GetCurrentThread(), (ULONG_PTR)e));
    CHECK_EQ(WaitForSingleObjectEx(s, 1000, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0); /* the APC ran */
    CHECK(ReleaseSemaphore(s, 1, NULL));
    CHECK_EQ(WaitForMultipleObjectsEx(2, (HANDLE[]){m, s}, TRUE, 0, TRUE), WAIT_OBJECT_0);
    CHECK(ReleaseMutex(m));

    /* WSAWaitForMultipleEvents takes them too (Microsoft's page) */
    startup();
    CHECK(ReleaseSemaphore(s, 1, NULL));
    CHECK_EQ(WSAWaitForMultipleEvents(2, (WSAEVENT[]){m, s}, TRUE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &s, TRUE, 0, FALSE), WSA_WAIT_TIMEOUT);
    CHECK(ReleaseMutex(m));
    WSACleanup();
    CHECK(CloseHandle(m) && CloseHandle(s) && CloseHandle(e));
}

struct pulse_waiter {
    HANDLE event;
    volatile LONG *released;
};

static DWORD WINAPI wait_for_pulse(LPVOID p)
{
    struct pulse_waiter *w = p;
    if (WaitForSingleObject(w->event, 10000) == WAIT_OBJECT_0)
        InterlockedIncrement(w->released);
    return 0;
}

/* Pulses until `want` waiters were released (at most 100 pulses); an
 * auto-reset event must release at most one per pulse. */
static void pulse_until(HANDLE e, volatile LONG *released, LONG want, BOOL one_per_pulse)
{
    for (int i = 0; i < 100 && *released < want; i++) {
        LONG before = *released;
        CHECK(PulseEvent(e));
        CHECK_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT); /* left reset */
        Sleep(50);
        if (one_per_pulse)
            CHECK(*released - before <= 1);
    }
    CHECK_EQ(*released, want);
}

/* P6 Microsoft's PulseEvent page, ntdll sync.c test_event: with nobody
 * waiting a pulse only resets the event; a manual-reset event releases
 * every thread waiting, an auto-reset one a single thread per pulse. */
static void pulse_event(void)
{
    HANDLE manual = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE autoev = CreateEventA(NULL, FALSE, TRUE, NULL);
    KEEPS(PulseEvent(manual), TRUE);
    CHECK_EQ(WaitForSingleObject(manual, 0), WAIT_TIMEOUT);
    CHECK(PulseEvent(autoev));
    CHECK_EQ(WaitForSingleObject(autoev, 0), WAIT_TIMEOUT);
    SETS(PulseEvent(BOGUS), FALSE, ERROR_INVALID_HANDLE);

    volatile LONG released = 0;
    struct pulse_waiter w = {manual, &released};
    HANDLE t[3];
    for (int i = 0; i < 3; i++)
        t[i] = start_thread(wait_for_pulse, &w);
    Sleep(100);
    CHECK_EQ(released, 0);
    pulse_until(manual, &released, 3, FALSE);
    for (int i = 0; i < 3; i++)
        join(t[i]);

    released = 0;
    w.event = autoev;
    for (int i = 0; i < 2; i++)
        t[i] = start_thread(wait_for_pulse, &w);
    Sleep(100);
    pulse_until(autoev, &released, 2, TRUE);
    for (int i = 0; i < 2; i++)
        join(t[i]);
    CHECK(CloseHandle(manual) && CloseHandle(autoev));
}

#define THREADS 4
#define ROUNDS 200

struct contender {
    HANDLE mutex, semaphore;
    volatile LONG *inside, *total;
};

/* Each round takes the mutex and a semaphore unit in one wait-all. */
static DWORD WINAPI contend(LPVOID p)
{
    struct contender *c = p;
    HANDLE both[2] = {c->mutex, c->semaphore};
    for (int i = 0; i < ROUNDS; i++) {
        CHECK_EQ(WaitForMultipleObjects(2, both, TRUE, 10000), WAIT_OBJECT_0);
        CHECK_EQ(InterlockedIncrement(c->inside), 1); /* the mutex excludes */
        (*c->total)++;
        InterlockedDecrement(c->inside);
        CHECK(ReleaseSemaphore(c->semaphore, 1, NULL));
        CHECK(ReleaseMutex(c->mutex));
    }
    return 0;
}

static DWORD WINAPI post_rounds(LPVOID p)
{
    for (int i = 0; i < ROUNDS; i++)
        CHECK(ReleaseSemaphore((HANDLE)p, 1, NULL));
    return 0;
}

/* P6 exactly once under contention: wait-alls from several threads on one
 * mutex and one semaphore (each round counted once, never two inside);
 * a semaphore released by many threads gives exactly one wait per unit. */
static void contention(void)
{
    volatile LONG inside = 0, total = 0;
    struct contender c = {CreateMutexA(NULL, FALSE, NULL), CreateSemaphoreA(NULL, 2, 2, NULL),
                          &inside, &total};
    HANDLE t[THREADS];
    for (int i = 0; i < THREADS; i++)
        t[i] = start_thread(contend, &c);
    for (int i = 0; i < THREADS; i++)
        join(t[i]);
    CHECK_EQ(total, THREADS * ROUNDS);
    SETS(ReleaseSemaphore(c.semaphore, 1, NULL), FALSE, ERROR_TOO_MANY_POSTS); /* back at 2 */
    CHECK_EQ(other_thread_waits(c.mutex), WAIT_OBJECT_0); /* and free */

    HANDLE units = CreateSemaphoreA(NULL, 0, THREADS * ROUNDS, NULL);
    for (int i = 0; i < THREADS; i++)
        t[i] = start_thread(post_rounds, units);
    for (int i = 0; i < THREADS * ROUNDS; i++)
        CHECK_EQ(WaitForSingleObject(units, 10000), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(units, 0), WAIT_TIMEOUT);
    for (int i = 0; i < THREADS; i++)
        join(t[i]);
    CHECK(CloseHandle(c.mutex) && CloseHandle(c.semaphore) && CloseHandle(units));
}

int main(void)
{
    mutex_is_owned_and_recursive();
    abandoned_mutexes();
    semaphore_counts();
    names();
    mixed_waits();
    pulse_event();
    contention();
    printf("win32_mutex_semaphore: ok\n");
    return 0;
}
