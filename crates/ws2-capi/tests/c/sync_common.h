/* Helpers shared by the synchronisation C tests (win32_sync.c,
 * win32_atomics.c, win32_crt_threads.c): threads started and waited for
 * with Windows' calls, each wait bounded. */
#ifndef WS2_SYNC_COMMON_H
#define WS2_SYNC_COMMON_H

#include <windows.h>
#include <winsock2.h>

#include "common.h"

#define CHECK_LAST_ERROR(code) CHECK_EQ(GetLastError(), (code))
#define WAIT_LIMIT 30000

static inline void wait_all(HANDLE *t, DWORD n)
{
    CHECK_EQ(WaitForMultipleObjects(n, t, TRUE, WAIT_LIMIT), WAIT_OBJECT_0);
    for (DWORD i = 0; i < n; i++) CHECK(CloseHandle(t[i]));
}

static inline HANDLE start(LPTHREAD_START_ROUTINE f, LPVOID p)
{
    HANDLE h = CreateThread(NULL, 0, f, p, 0, NULL);
    CHECK(h != NULL);
    return h;
}

static inline DWORD exit_code(HANDLE t)
{
    DWORD code = 0;
    CHECK_EQ(WaitForSingleObject(t, WAIT_LIMIT), WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(t, &code));
    CHECK(CloseHandle(t));
    return code;
}

/* Waits (bounded) until *v reaches n. */
static inline void wait_until(volatile LONG *v, LONG n)
{
    for (int i = 0; i < 10000 && *v < n; i++) Sleep(1);
    CHECK(*v >= n);
}


#endif /* WS2_SYNC_COMMON_H */
