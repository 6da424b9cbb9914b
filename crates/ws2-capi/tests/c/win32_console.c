/* Console control handlers (P6): SetConsoleCtrlHandler and
 * GenerateConsoleCtrlEvent, as a Windows server uses them to stop on Ctrl+C.
 * Windows' answers: Microsoft's SetConsoleCtrlHandler and HandlerRoutine
 * pages (a new thread runs the routines, the last added first, until one
 * returns TRUE; none: the default handler ends the process; after
 * CTRL_CLOSE_EVENT the process ends; NULL + TRUE ignores Ctrl+C).
 *
 * The harness runs this program in a process group of its own, since
 * GenerateConsoleCtrlEvent(..., 0) signals the caller's whole group.
 * Modes: none (the checks below), "unhandled" (a handler returning FALSE:
 * Ctrl+C ends the process), "close" (waits for the harness's SIGTERM,
 * CTRL_CLOSE_EVENT, whose handler returns TRUE: the process still ends). */
#include <windows.h>
#include <stdio.h>

#include "common.h"

static HANDLE ran;
static volatile LONG calls[8];
static volatile LONG order;
static volatile LONG first_seen, second_seen;
static volatile DWORD handler_thread;

static BOOL WINAPI first(DWORD type)
{
    InterlockedIncrement(&calls[type & 7]);
    first_seen = InterlockedIncrement(&order);
    handler_thread = GetCurrentThreadId();
    SetEvent(ran);
    return TRUE;
}

static BOOL WINAPI second(DWORD type)
{
    (void)type;
    second_seen = InterlockedIncrement(&order);
    return FALSE; /* passes the event on */
}

static BOOL WINAPI declines(DWORD type)
{
    printf("declined %lu\n", (unsigned long)type);
    fflush(stdout);
    return FALSE;
}

static BOOL WINAPI closing(DWORD type)
{
    printf("closing %lu\n", (unsigned long)type);
    fflush(stdout);
    return TRUE;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "unhandled") == 0) {
        CHECK(SetConsoleCtrlHandler(declines, TRUE));
        CHECK(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
        Sleep(5000);
        printf("still running\n");
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "close") == 0) {
        CHECK(SetConsoleCtrlHandler(closing, TRUE));
        printf("ready\n");
        fflush(stdout);
        Sleep(10000);
        printf("still running\n");
        return 0;
    }

    ran = CreateEventA(NULL, FALSE, FALSE, NULL);
    CHECK(ran != NULL);
    SetLastError(0xdeadbeef);
    CHECK(SetConsoleCtrlHandler(first, TRUE));
    CHECK_EQ(GetLastError(), 0xdeadbeef);

    /* Ctrl+C: the handler runs on a thread of its own and keeps us alive */
    CHECK(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
    CHECK_EQ(WaitForSingleObject(ran, 5000), WAIT_OBJECT_0);
    CHECK_EQ(calls[CTRL_C_EVENT], 1);
    CHECK(handler_thread != 0 && handler_thread != GetCurrentThreadId());

    /* the last added runs first; FALSE passes the event on */
    CHECK(SetConsoleCtrlHandler(second, TRUE));
    CHECK(GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0));
    CHECK_EQ(WaitForSingleObject(ran, 5000), WAIT_OBJECT_0);
    CHECK_EQ(calls[CTRL_BREAK_EVENT], 1);
    CHECK(second_seen != 0 && second_seen < first_seen);

    /* removing: once, then ERROR_INVALID_PARAMETER */
    CHECK(SetConsoleCtrlHandler(second, FALSE));
    SetLastError(0xdeadbeef);
    CHECK(!SetConsoleCtrlHandler(second, FALSE));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    /* NULL + TRUE: Ctrl+C is ignored, Ctrl+Break still delivered */
    CHECK(SetConsoleCtrlHandler(NULL, TRUE));
    CHECK(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
    CHECK_EQ(WaitForSingleObject(ran, 300), WAIT_TIMEOUT);
    CHECK_EQ(calls[CTRL_C_EVENT], 1);
    CHECK(SetConsoleCtrlHandler(NULL, FALSE));
    CHECK(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
    CHECK_EQ(WaitForSingleObject(ran, 5000), WAIT_OBJECT_0);
    CHECK_EQ(calls[CTRL_C_EVENT], 2);

    /* only Ctrl+C and Ctrl+Break can be generated */
    SetLastError(0xdeadbeef);
    CHECK(!GenerateConsoleCtrlEvent(CTRL_CLOSE_EVENT, 0));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    CloseHandle(ran);
    printf("win32_console: ok\n");
    return 0;
}
