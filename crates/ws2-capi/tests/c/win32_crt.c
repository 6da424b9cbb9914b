/* The Microsoft-named C runtime (P6): strcpy_s, strncpy_s (_TRUNCATE),
 * strcat_s, strncat_s, strtok_s, sprintf_s, _snprintf_s, _snprintf,
 * _stricmp, _strnicmp, _strdup, _strlwr/_strupr, the invalid-parameter
 * handler, and io.h (_open, _read, _write, _lseek, _close, _access,
 * _setmode, _dup, _unlink, _fileno).
 *
 * Windows' answers: Microsoft's pages for each function and the UCRT's
 * code (research-win32.md section 11): the handler runs first, "" is left
 * in the destination, then errno/return carry EINVAL or ERANGE; _TRUNCATE
 * returns STRUNCATE (80) without the handler and with errno unchanged;
 * _stricmp(NULL) is _NLSCMPERROR; _strdup(NULL) is NULL.
 *
 * Run without arguments, the program installs a handler that counts its
 * calls, so each case's return value can be checked. With "default", it
 * overflows strcpy_s with no handler installed: the process must end
 * (abort, after a message), as with Windows' default handler. */
#include <windows.h>
#include <io.h>
#include <errno.h>
#include <stdio.h>

#include "common.h"

static int handler_calls;

static void count_calls(const wchar_t *expression, const wchar_t *function, const wchar_t *file,
                        unsigned int line, uintptr_t reserved)
{
    /* Windows' release runtime passes NULL and 0 for all of these. */
    CHECK(expression == NULL && function == NULL && file == NULL);
    CHECK_EQ(line, 0);
    CHECK_EQ(reserved, 0);
    handler_calls++;
}

/* call must run the handler once and return want with errno == want_errno. */
#define EXPECT_IPH(call, want, want_errno)                                    \
    do {                                                                      \
        int before_ = handler_calls;                                          \
        errno = 0;                                                            \
        long long got_ = (long long)(call);                                   \
        CHECK_EQ(got_, (want));                                               \
        CHECK_EQ(errno, (want_errno));                                        \
        CHECK_EQ(handler_calls, before_ + 1);                                 \
    } while (0)

/* call must not run the handler, return want, and leave errno alone. */
#define EXPECT_QUIET(call, want)                                              \
    do {                                                                      \
        int before_ = handler_calls;                                          \
        errno = 12345;                                                        \
        long long got_ = (long long)(call);                                   \
        CHECK_EQ(got_, (want));                                               \
        CHECK_EQ(errno, 12345);                                               \
        CHECK_EQ(handler_calls, before_);                                     \
    } while (0)

static void copies(void)
{
    char d[8];

    EXPECT_QUIET(strcpy_s(d, sizeof d, "abc"), 0);
    CHECK(strcmp(d, "abc") == 0);
    EXPECT_QUIET(strcpy_s(d, sizeof d, "1234567"), 0); /* exactly fills */
    EXPECT_IPH(strcpy_s(d, sizeof d, "12345678"), ERANGE, ERANGE);
    CHECK_EQ(d[0], 0); /* "" left behind, not half a copy */
    EXPECT_IPH(strcpy_s(NULL, 8, "x"), EINVAL, EINVAL);
    EXPECT_IPH(strcpy_s(d, 0, "x"), EINVAL, EINVAL);
    memcpy(d, "zzz", 4);
    EXPECT_IPH(strcpy_s(d, sizeof d, NULL), EINVAL, EINVAL);
    CHECK_EQ(d[0], 0);

    EXPECT_QUIET(strncpy_s(d, sizeof d, "abcdef", 3), 0);
    CHECK(strcmp(d, "abc") == 0);
    EXPECT_QUIET(strncpy_s(d, sizeof d, "a very long string", _TRUNCATE), STRUNCATE);
    CHECK(strcmp(d, "a very ") == 0);
    EXPECT_QUIET(strncpy_s(d, sizeof d, "short", _TRUNCATE), 0);
    CHECK(strcmp(d, "short") == 0);
    EXPECT_IPH(strncpy_s(d, sizeof d, "a very long string", 10), ERANGE, ERANGE);
    CHECK_EQ(d[0], 0);
    EXPECT_QUIET(strncpy_s(NULL, 0, NULL, 0), 0);
    memcpy(d, "zzz", 4);
    EXPECT_QUIET(strncpy_s(d, sizeof d, NULL, 0), 0);
    CHECK_EQ(d[0], 0);

    strcpy_s(d, sizeof d, "ab");
    EXPECT_QUIET(strcat_s(d, sizeof d, "cd"), 0);
    CHECK(strcmp(d, "abcd") == 0);
    EXPECT_IPH(strcat_s(d, sizeof d, "efgh"), ERANGE, ERANGE);
    CHECK_EQ(d[0], 0);
    memset(d, 'x', sizeof d); /* not terminated */
    EXPECT_IPH(strcat_s(d, sizeof d, "a"), EINVAL, EINVAL);
    CHECK_EQ(d[0], 0);
    strcpy_s(d, sizeof d, "ab");
    EXPECT_QUIET(strncat_s(d, sizeof d, "cdefghij", _TRUNCATE), STRUNCATE);
    CHECK(strcmp(d, "abcdefg") == 0);
}

static void formatted(void)
{
    char d[8];

    EXPECT_QUIET(sprintf_s(d, sizeof d, "%d-%s", 42, "ok"), 5);
    CHECK(strcmp(d, "42-ok") == 0);
    EXPECT_IPH(sprintf_s(d, sizeof d, "%s", "too long!"), -1, ERANGE);
    CHECK_EQ(d[0], 0);
    EXPECT_IPH(sprintf_s(NULL, 8, "x"), -1, EINVAL);

    EXPECT_QUIET(_snprintf_s(d, sizeof d, _TRUNCATE, "%s", "truncated"), -1);
    CHECK(strcmp(d, "truncat") == 0);
    EXPECT_QUIET(_snprintf_s(d, sizeof d, 3, "%s", "abcdef"), -1);
    CHECK(strcmp(d, "abc") == 0);
    EXPECT_QUIET(_snprintf_s(d, sizeof d, _TRUNCATE, "%d", 123), 3);
    CHECK(strcmp(d, "123") == 0);
    EXPECT_IPH(_snprintf_s(d, sizeof d, 20, "%s", "longer than eight"), -1, ERANGE);
    CHECK_EQ(d[0], 0);
    EXPECT_QUIET(_snprintf_s(NULL, 0, 0, "x"), 0);

    /* _snprintf: Microsoft's rule, not C99's: cut at count, unterminated, -1. */
    memset(d, 'x', sizeof d);
    CHECK_EQ(_snprintf(d, 4, "%s", "abcdef"), -1);
    CHECK(memcmp(d, "abcdx", 5) == 0);
    memset(d, 'x', sizeof d);
    CHECK_EQ(_snprintf(d, 4, "%s", "abcd"), 4); /* exactly count: unterminated */
    CHECK(memcmp(d, "abcdx", 5) == 0);
    CHECK_EQ(_snprintf(d, sizeof d, "%d", 7), 1);
    CHECK(strcmp(d, "7") == 0);
    CHECK_EQ(_scprintf("%d%s", 100, "ab"), 5);
}

static void compares_and_copies(void)
{
    char s[] = "MiXeD";
    char text[] = "a,b;;c";
    char *ctx = NULL;

    CHECK(_stricmp("Hello", "hELLO") == 0);
    CHECK(_stricmp("abc_", "ABCD") < 0); /* '_' sorts below letters once lowered */
    CHECK(_stricmp("b", "A") > 0);
    CHECK(_strnicmp("HelloX", "helloY", 5) == 0);
    CHECK(_strnicmp("a", "b", 0) == 0);
    CHECK(stricmp("OLD", "old") == 0);
    EXPECT_IPH(_stricmp(NULL, "x"), _NLSCMPERROR, EINVAL);
    EXPECT_IPH(_strnicmp("x", NULL, 1), _NLSCMPERROR, EINVAL);

    CHECK(_strdup(NULL) == NULL);
    char *dup = _strdup("copy");
    CHECK(dup != NULL && strcmp(dup, "copy") == 0);
    free(dup);

    CHECK(_strlwr(s) == s && strcmp(s, "mixed") == 0);
    CHECK(_strupr(s) == s && strcmp(s, "MIXED") == 0);

    CHECK(strcmp(strtok_s(text, ",;", &ctx), "a") == 0);
    CHECK(strcmp(strtok_s(NULL, ",;", &ctx), "b") == 0);
    CHECK(strcmp(strtok_s(NULL, ",;", &ctx), "c") == 0);
    CHECK(strtok_s(NULL, ",;", &ctx) == NULL);
    ctx = NULL;
    EXPECT_IPH(strtok_s(NULL, ",", &ctx) == NULL, 1, EINVAL);

    CHECK_EQ(_atoi64("-9000000000"), -9000000000LL);
    CHECK_EQ(_countof(s), 6);
}

static void low_level_io(void)
{
    char path[64], buf[16];
    snprintf(path, sizeof path, "/tmp/ws2-win32-crt-%lu", (unsigned long)GetCurrentProcessId());

    int fd = _open(path, _O_CREAT | _O_TRUNC | _O_RDWR | _O_BINARY, _S_IREAD | _S_IWRITE);
    CHECK(fd >= 0);
    CHECK_EQ(_write(fd, "line\n", 5), 5); /* binary: no CRLF */
    CHECK_EQ(_lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(_read(fd, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "line\n", 5) == 0);
    CHECK_EQ(_read(fd, buf, sizeof buf), 0); /* end of file */
    CHECK_EQ(_setmode(fd, _O_TEXT), _O_BINARY);
    int fd2 = _dup(fd);
    CHECK(fd2 >= 0);
    CHECK_EQ(_close(fd2), 0);
    CHECK_EQ(_close(fd), 0);

    CHECK_EQ(_access(path, 0), 0);
    CHECK_EQ(_access(path, 6), 0);
    CHECK_EQ(_access_s(path, 4), 0);
    EXPECT_IPH(_access(path, 1), -1, EINVAL); /* X_OK is no Windows mode */
    EXPECT_IPH(_access(NULL, 0), -1, EINVAL);

    /* _O_EXCL on an existing file; unknown flags are refused. */
    errno = 0;
    CHECK_EQ(_open(path, _O_CREAT | _O_EXCL | _O_WRONLY, _S_IWRITE), -1);
    CHECK_EQ(errno, EEXIST);
    EXPECT_IPH(_open(path, 0x100000), -1, EINVAL);

    CHECK_EQ(_unlink(path), 0);
    errno = 0;
    CHECK_EQ(_access(path, 0), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(_access_s(path, 0), ENOENT);

    /* A descriptor that is not open goes through the handler (EBADF). */
    EXPECT_IPH(_close(fd), -1, EBADF);
    EXPECT_IPH(_read(fd, buf, 1), -1, EBADF);
    EXPECT_IPH(_write(fd, buf, 1), -1, EBADF);
    EXPECT_IPH(_setmode(fd, _O_BINARY), -1, EBADF);
    EXPECT_IPH(_read(0, NULL, 1), -1, EINVAL);

    CHECK_EQ(_fileno(stderr), 2);
    CHECK(_isatty(-1) == 0);
}

int main(int argc, char **argv)
{
    char d[4];
    if (argc > 1 && strcmp(argv[1], "default") == 0) {
        /* No handler: Windows' default ends the process, and so must ws2. */
        strcpy_s(d, sizeof d, "far too long");
        puts("strcpy_s returned: the process should have ended");
        return 0;
    }
    CHECK(_get_invalid_parameter_handler() == NULL);
    CHECK(_set_invalid_parameter_handler(count_calls) == NULL);
    CHECK(_get_invalid_parameter_handler() == count_calls);
    copies();
    formatted();
    compares_and_copies();
    low_level_io();
    /* A thread-local handler takes precedence; removing it restores the global one. */
    CHECK(_set_thread_local_invalid_parameter_handler(count_calls) == NULL);
    CHECK(_get_thread_local_invalid_parameter_handler() == count_calls);
    _set_thread_local_invalid_parameter_handler(NULL);
    puts("win32_crt: ok");
    return 0;
}
