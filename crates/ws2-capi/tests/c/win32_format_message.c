/* FormatMessageA/W (P6): system messages for Winsock and Win32 codes, caller
 * strings with inserts, and every buffer rule.
 *
 * Windows' answers: kernel32 format_msg.c (Wine's tests, run on Windows):
 * test_message_from_string(_wide), test_message_ignore_inserts,
 * test_message_insufficient_buffer(_wide), test_message_null_buffer(_wide),
 * test_message_allocate_buffer(_wide), test_message_invalid_flags,
 * test_message_from_hmodule (HRESULTs of FACILITY_WIN32),
 * test_message_system_errors (unknown ids: ERROR_MR_MID_NOT_FOUND),
 * test_message_wrap, test_message_arg_eaten. */
#include <windows.h>
#include <winsock2.h>
#include <stdarg.h>
#include <stdio.h>

#include "common.h"

#define SYS (FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS)
#define LANG MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT)

static DWORD doit(DWORD flags, LPCVOID src, LPSTR out, DWORD size, ...)
{
    va_list args;
    va_start(args, size);
    DWORD r = FormatMessageA(flags, src, 0, 0, out, size, &args);
    va_end(args);
    return r;
}

static DWORD doitW(DWORD flags, LPCVOID src, LPWSTR out, DWORD size, ...)
{
    va_list args;
    va_start(args, size);
    DWORD r = FormatMessageW(flags, src, 0, 0, out, size, &args);
    va_end(args);
    return r;
}

static void widen(WCHAR *dst, const char *src)
{
    while ((*dst++ = (WCHAR)(unsigned char)*src++) != 0) {
    }
}

static int wide_is(const WCHAR *w, const char *a)
{
    while (*a != 0)
        if (*w++ != (WCHAR)(unsigned char)*a++) return 0;
    return *w == 0;
}

/* The idiom of Microsoft's samples: ALLOCATE_BUFFER + FROM_SYSTEM +
 * IGNORE_INSERTS, freed with LocalFree. Every code ends with "\r\n". */
static void system_messages(void)
{
    static const DWORD codes[] = {
        0, ERROR_INVALID_HANDLE, ERROR_NOT_ENOUGH_MEMORY, ERROR_INVALID_PARAMETER,
        ERROR_INSUFFICIENT_BUFFER, ERROR_MOD_NOT_FOUND, ERROR_PROC_NOT_FOUND,
        ERROR_NETNAME_DELETED, ERROR_PORT_UNREACHABLE, ERROR_OPERATION_ABORTED,
        ERROR_IO_PENDING, ERROR_IO_INCOMPLETE, ERROR_NOT_FOUND, WAIT_TIMEOUT,
        WSAEINTR, WSAEACCES, WSAEFAULT, WSAEINVAL, WSAEMFILE, WSAEWOULDBLOCK,
        WSAEINPROGRESS, WSAENOTSOCK, WSAEMSGSIZE, WSAEOPNOTSUPP, WSAEAFNOSUPPORT,
        WSAEADDRINUSE, WSAEADDRNOTAVAIL, WSAENETDOWN, WSAENETUNREACH, WSAENETRESET,
        WSAECONNRESET, WSAENOBUFS, WSAENOTCONN, WSAESHUTDOWN, WSAETIMEDOUT,
        WSAECONNREFUSED, WSAEHOSTUNREACH, WSANOTINITIALISED, WSASYSCALLFAILURE,
        WSAHOST_NOT_FOUND, WSATRY_AGAIN, WSANO_RECOVERY, WSANO_DATA,
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        LPSTR text = (LPSTR)0xdeadbeef;
        SetLastError(0xdeadbeef);
        DWORD n = FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | SYS, NULL, codes[i], LANG,
                                 (LPSTR)&text, 0, NULL);
        if (n == 0) {
            fprintf(stderr, "no message for %lu\n", (unsigned long)codes[i]);
            FAIL("FormatMessageA(FROM_SYSTEM)");
        }
        CHECK_EQ(GetLastError(), 0xdeadbeef); /* success leaves it alone */
        CHECK(text != NULL && text != (LPSTR)0xdeadbeef);
        CHECK_EQ(strlen(text), n);
        CHECK(n > 12 && text[n - 2] == '\r' && text[n - 1] == '\n');
        CHECK(strchr(text, '\r') == text + n - 2); /* one line */
        CHECK(LocalFree(text) == NULL);
    }

    /* The same text in UTF-16, and into a caller's buffer. */
    char a[256];
    WCHAR wbuf[256];
    DWORD n = FormatMessageA(SYS, NULL, WSAECONNRESET, LANG, a, sizeof a, NULL);
    DWORD nw = FormatMessageW(SYS, NULL, WSAECONNRESET, LANG, wbuf, 256, NULL);
    CHECK(n > 0);
    CHECK_EQ(nw, n);
    CHECK(wide_is(wbuf, a));

    /* MAX_WIDTH_MASK: the closing line break becomes one space. */
    char one[256];
    DWORD m = FormatMessageA(SYS | FORMAT_MESSAGE_MAX_WIDTH_MASK, NULL, WSAECONNRESET, LANG, one,
                             sizeof one, NULL);
    CHECK_EQ(m, n - 1);
    CHECK(strncmp(one, a, n - 2) == 0 && one[m - 1] == ' ');

    /* A width wraps at the last space before it; the closing line break
     * is a space then, as with MAX_WIDTH_MASK. */
    m = FormatMessageA(SYS | 20, NULL, WSAECONNRESET, LANG, one, sizeof one, NULL);
    CHECK(m > n);
    CHECK_EQ(one[m - 1], ' ');
    for (char *line = one, *end; (end = strstr(line, "\r\n")) != NULL; line = end + 2)
        CHECK(end - line < 20);

    /* An HRESULT of FACILITY_WIN32 reads its code's text; E_FAIL has one. */
    char h[256];
    CHECK(FormatMessageA(SYS, NULL, HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), LANG, h, sizeof h, NULL) > 0);
    CHECK(FormatMessageA(SYS, NULL, ERROR_ACCESS_DENIED, LANG, a, sizeof a, NULL) > 0);
    CHECK(strcmp(h, a) == 0);
    CHECK(FormatMessageA(SYS, NULL, (DWORD)E_FAIL, LANG_USER_DEFAULT, h, sizeof h, NULL) > 0);
    CHECK(FormatMessageA(SYS, NULL, (DWORD)E_NOTIMPL, 0, h, sizeof h, NULL) > 0);
    CHECK(FormatMessageA(SYS, NULL, WSAEINVAL, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), h,
                         sizeof h, NULL) > 0);

    /* Unknown ids and languages. */
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(SYS, NULL, 3044, LANG, h, sizeof h, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_MR_MID_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(SYS, NULL, WSAEINVAL, MAKELANGID(0x07, SUBLANG_DEFAULT), h, sizeof h, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_RESOURCE_LANG_NOT_FOUND);

    /* ALLOCATE_BUFFER on failure stores NULL. */
    LPSTR text = (LPSTR)0xdeadbeef;
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | SYS, NULL, 3044, LANG, (LPSTR)&text,
                            0, NULL), 0);
    CHECK(text == NULL);
    /* A module without a message table, alone or before the system. */
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE, GetModuleHandleA("ws2_32"), WSAEINVAL, 0,
                            h, sizeof h, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_RESOURCE_TYPE_NOT_FOUND);
    CHECK(FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE | SYS, GetModuleHandleA("ws2_32"), WSAEINVAL,
                         0, h, sizeof h, NULL) > 0);
}

/* test_message_insufficient_buffer(_wide), test_message_null_buffer(_wide). */
static void buffers(void)
{
    char out[8];
    WCHAR wout[8], src[8];

    /* "test" needs 5: the terminator counts. A leaves the buffer alone. */
    for (DWORD size = 0; size <= 4; size++) {
        memcpy(out, "xxxxxxx", 8);
        SetLastError(0xdeadbeef);
        CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING, "test", 0, 0, out, size, NULL), 0);
        CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
        CHECK(memcmp(out, "xxxxxxx", 8) == 0);
    }
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING, "test", 0, 0, out, 5, NULL), 4);
    CHECK(strcmp(out, "test") == 0);

    /* W writes what fits, terminated. */
    widen(src, "test");
    widen(wout, "xxxxxx");
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageW(FORMAT_MESSAGE_FROM_STRING, src, 0, 0, wout, 4, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK(wide_is(wout, "tes") && wout[4] == 'x');
    widen(wout, "xxxxxx");
    CHECK_EQ(FormatMessageW(FORMAT_MESSAGE_FROM_STRING, src, 0, 0, wout, 1, NULL), 0);
    CHECK(wout[0] == 0 && wout[1] == 'x');

    /* A system message into a too-small buffer. */
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(SYS, NULL, WSAECONNRESET, LANG, out, sizeof out, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);

    /* NULL buffers. */
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, NULL, 0, 0, NULL, 0, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, NULL, 0, 0, NULL, 1, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER, NULL, 0, 0,
                            NULL, 256, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, 0, 0, NULL, 256, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER, NULL, 0, 0,
                            NULL, 0, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    /* No source (test_message_invalid_flags). */
    memcpy(out, "xxxxxxx", 8);
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_IGNORE_INSERTS, "test", 0, 0, out, sizeof out, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(memcmp(out, "xxxxxxx", 8) == 0);
    LPSTR p = (LPSTR)0xdeadbeef;
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER, "test", 0, 0, (LPSTR)&p, 0, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(p == NULL);

    /* ALLOCATE_BUFFER: nSize is a minimum; "" is ERROR_NO_WORK_DONE, NULL. */
    for (DWORD size = 0; size < 2000; size += 500) {
        p = (LPSTR)0xdeadbeef;
        CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ALLOCATE_BUFFER, "test",
                                0, 0, (LPSTR)&p, size, NULL), 4);
        CHECK(strcmp(p, "test") == 0);
        CHECK(LocalSize(p) >= size);
        CHECK(LocalFree(p) == NULL);
    }
    p = (LPSTR)0xdeadbeef;
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ALLOCATE_BUFFER, "", 0, 0,
                            (LPSTR)&p, 0, NULL), 0);
    CHECK(p == NULL);
    CHECK_EQ(GetLastError(), ERROR_NO_WORK_DONE);

    /* The ANSI result is limited to 32,767 characters with the terminator. */
    char *big = (char *)HeapAlloc(GetProcessHeap(), 0, 32768);
    char *buf = (char *)HeapAlloc(GetProcessHeap(), 0, 32768);
    CHECK(big != NULL && buf != NULL);
    memset(big, 'A', 32767);
    big[32766] = 0;
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING, big, 0, 0, buf, 32767, NULL), 32766);
    big[32766] = 'A';
    big[32767] = 0;
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING, big, 0, 0, buf, 32768, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    HeapFree(GetProcessHeap(), 0, big);
    HeapFree(GetProcessHeap(), 0, buf);
}

/* test_message_from_string(_wide), test_message_ignore_inserts. */
static void strings_and_inserts(void)
{
    char out[64];
    WCHAR wout[64], wsrc[64], warg[8];

    SetLastError(0xdeadbeef);
    memcpy(out, "xxxxxx", 7);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING, "", 0, 0, out, sizeof out, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_NO_WORK_DONE);
    CHECK(memcmp(out, "xxxxxx", 7) == 0);
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING, "test%", 0, 0, out, sizeof out, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING, "%1", 0, 0, out, sizeof out, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%1!s!", out, sizeof out, "test"), 4);
    CHECK(strcmp(out, "test") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%1%3%2%1", out, sizeof out, "t", "s", "e"), 4);
    CHECK(strcmp(out, "test") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%1!d!%2!d!%3!d!", out, sizeof out, 1, 2, 3), 3);
    CHECK(strcmp(out, "123") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%1!-4X!|", out, sizeof out, 11), 5);
    CHECK(strcmp(out, "B   |") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%1!*.*u!,%3!*.*u!", out, sizeof out, 5, 3, 1, 6, 4, 2), 12);
    CHECK(strcmp(out, "  001,  0002") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%1!*.*u!,%1!*.*u!", out, sizeof out, 5, 3, 1, 4, 2), 11);
    CHECK(strcmp(out, "  001, 0002") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%1", out, sizeof out, NULL), 6);
    CHECK(strcmp(out, "(null)") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%n%r%t", out, sizeof out), 4);
    CHECK(strcmp(out, "\r\n\r\t") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "hi\n", out, sizeof out), 4);
    CHECK(strcmp(out, "hi\r\n") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_MAX_WIDTH_MASK, "hi\r\n", out, sizeof out), 3);
    CHECK(strcmp(out, "hi ") == 0);
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING | 11, "short long line", out, sizeof out), 16);
    CHECK(strcmp(out, "short long\r\nline") == 0);
    /* With a wide argument in the A function (%1!S!). */
    widen(warg, "wide");
    CHECK_EQ(doit(FORMAT_MESSAGE_FROM_STRING, "%1!S!", out, sizeof out, warg), 4);
    CHECK(strcmp(out, "wide") == 0);

    /* An argument array. */
    DWORD_PTR args[] = {6, 4, 2, 5, 3, 1};
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY,
                            "%1!*.*u!,%1!*.*u!", 0, 0, out, sizeof out, (va_list *)args), 13);
    CHECK(strcmp(out, "  0002, 00003") == 0);

    /* IGNORE_INSERTS copies % sequences but %n %r %t %0. */
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_IGNORE_INSERTS,
                            "test%1%2!*.*s!%99", 0, 0, out, sizeof out, NULL), 17);
    CHECK(strcmp(out, "test%1%2!*.*s!%99") == 0);
    CHECK_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_IGNORE_INSERTS,
                            "%%% %.%!", 0, 0, out, sizeof out, NULL), 8);

    /* W with inserts (the arguments are WCHAR strings there). */
    widen(wsrc, "%1!s!-%2!c!");
    widen(warg, "ab");
    CHECK_EQ(doitW(FORMAT_MESSAGE_FROM_STRING, wsrc, wout, 64, warg, 'z'), 4);
    CHECK(wide_is(wout, "ab-z"));

    /* A consumed va_list stays consumed, also when the buffer is too small. */
    {
        WCHAR tiny[1];
        widen(wsrc, "%1!s! %2!s!");
        CHECK_EQ(doitW(FORMAT_MESSAGE_FROM_STRING, wsrc, tiny, 1, warg, warg), 0);
        CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
        CHECK(tiny[0] == 0);
    }
}

int main(void)
{
    system_messages();
    buffers();
    strings_and_inserts();
    puts("win32_format_message: ok");
    return 0;
}
