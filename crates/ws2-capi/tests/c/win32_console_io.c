/* The standard handles and console output (P6): GetStdHandle, SetStdHandle,
 * WriteConsoleA/W, as a Windows console program writes its status lines.
 *
 * Windows' answers: kernel32 console.c (Wine's tests, run on Windows)
 * test_GetSetStdHandle; Microsoft's GetStdHandle page (the same handle
 * each call, NULL when the process has no such stream) and WriteConsole
 * page (it fails on a standard handle redirected to a file).
 *
 * Modes: none (stdout and stderr redirected to files by the harness),
 * "tty" (stdout is a terminal: WriteConsole writes), "no-stdin" (the
 * harness closed fd 0). */
#include <windows.h>
#include <stdio.h>

#include "common.h"

static void on_a_terminal(void)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    static const char text[] = "console A\n";
    /* "console W é€\n" as WCHARs (L"" is 32-bit wchar_t here) */
    static const WCHAR wide[] = {'c', 'o', 'n', 's', 'o', 'l', 'e', ' ', 'W', ' ',
                                 0x00e9, 0x20ac, '\n'};
    DWORD written = 0xdeadbeef;

    CHECK(out != NULL && out != INVALID_HANDLE_VALUE);
    SetLastError(0xdeadbeef);
    CHECK(WriteConsoleA(out, text, (DWORD)strlen(text), &written, NULL));
    CHECK_EQ(written, strlen(text));
    written = 0xdeadbeef;
    CHECK(WriteConsoleW(out, wide, ARRAYSIZE(wide), &written, NULL));
    CHECK_EQ(written, ARRAYSIZE(wide));
    CHECK(WriteConsole(out, "", 0, NULL, NULL));
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    /* the input handle is no output console */
    SetLastError(0xdeadbeef);
    CHECK(!WriteConsoleA(GetStdHandle(STD_INPUT_HANDLE), "x", 1, &written, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
}

int main(int argc, char **argv)
{
    HANDLE in, out, err, event;
    DWORD written;

    if (argc > 1 && strcmp(argv[1], "tty") == 0) {
        on_a_terminal();
        printf("tty done\n");
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "no-stdin") == 0) {
        /* P6: GetStdHandle page: no such stream, NULL */
        SetLastError(0xdeadbeef);
        CHECK(GetStdHandle(STD_INPUT_HANDLE) == NULL);
        CHECK_EQ(GetLastError(), 0xdeadbeef);
        CHECK(GetStdHandle(STD_OUTPUT_HANDLE) != NULL);
        printf("no-stdin done\n");
        return 0;
    }

    /* P6: test_GetSetStdHandle */
    SetLastError(0xdeadbeef);
    CHECK(GetStdHandle(42) == INVALID_HANDLE_VALUE);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);

    SetLastError(0xdeadbeef);
    in = GetStdHandle(STD_INPUT_HANDLE);
    out = GetStdHandle(STD_OUTPUT_HANDLE);
    err = GetStdHandle(STD_ERROR_HANDLE);
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    CHECK(in != NULL && in != INVALID_HANDLE_VALUE);
    CHECK(out != NULL && out != INVALID_HANDLE_VALUE);
    CHECK(err != NULL && err != INVALID_HANDLE_VALUE);
    CHECK(in != out && out != err && in != err);
    CHECK(GetStdHandle(STD_OUTPUT_HANDLE) == out);

    /* handles of their own, not events' or sockets' */
    event = CreateEventA(NULL, TRUE, FALSE, NULL);
    CHECK(event != NULL && event != in && event != out && event != err);
    SetLastError(0xdeadbeef);
    CHECK(!WriteConsoleA(event, "x", 1, &written, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CloseHandle(event);

    /* P6: WriteConsole page: redirected to a file, WriteConsole fails */
    SetLastError(0xdeadbeef);
    CHECK(!WriteConsoleA(out, "redirected\n", 11, &written, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);

    /* P6: test_GetSetStdHandle: SetStdHandle's numbers, and the value it
     * sets is what GetStdHandle answers */
    SetLastError(0xdeadbeef);
    CHECK(!SetStdHandle(42, out));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0xdeadbeef);
    CHECK(SetStdHandle(STD_OUTPUT_HANDLE, err));
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    CHECK(GetStdHandle(STD_OUTPUT_HANDLE) == err);
    CHECK(SetStdHandle(STD_OUTPUT_HANDLE, out));
    CHECK(GetStdHandle(STD_OUTPUT_HANDLE) == out);

    /* closing the handle leaves the C library's stdout working */
    CHECK(CloseHandle(in));
    SetLastError(0xdeadbeef);
    CHECK(!CloseHandle(in));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(GetStdHandle(STD_INPUT_HANDLE) == in);
    printf("done\n");
    return 0;
}
