/* process.h's threads (P6): _beginthreadex, _endthreadex, _beginthread,
 * _endthread.
 *
 * Windows' answers: Microsoft's _beginthread/_beginthreadex page (the
 * handle of _beginthreadex is the caller's to wait on and close; on
 * failure 0 and errno; _beginthread returns (uintptr_t)-1 on failure and
 * its thread closes its own handle; a NULL start address goes through the
 * invalid-parameter handler, then EINVAL) and _endthread/_endthreadex
 * (the thread ends there with the code given).  Every loop is bounded in
 * count and time. */
#include <windows.h>
#include <winsock2.h>
#include <process.h>
#include <stdio.h>
#include <errno.h>

#include "sync_common.h"

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
    crt_threads();
    puts("win32_crt_threads: ok");
    return 0;
}
