/* The process's environment and names: GetEnvironmentVariableA,
 * SetEnvironmentVariableA, GetComputerNameA, GetModuleFileNameA, and
 * GetCurrentProcess and SwitchToThread, and the W forms (P6).
 *
 * Windows' answers: kernel32 environ.c (test_GetSetEnvironmentVariableA:
 * the size with the NUL for a NULL buffer or one too small, which stays
 * untouched; the length without it when the value fits; names in any
 * case; a NULL value deletes; "" is a value, told from a missing one only
 * by the last error; success leaves the last error alone;
 * test_GetComputerName: size 0 is ERROR_BUFFER_OVERFLOW, the name fits
 * MAX_COMPUTERNAME_LENGTH + 1), module.c (testGetModuleFileName: the
 * length without the NUL, a buffer too small returns nSize, the last error
 * ERROR_SUCCESS since Vista; testGetModuleFileName_Wrong: a bad module is
 * 0 with the buffer untouched), process.c (test_Handles: GetCurrentProcess
 * is (HANDLE)-1), and Microsoft's pages of each. */
#include <windows.h>
#include <winsock2.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define SENTINEL 0xdeadbeef

static void environment_variables(void)
{
    char buf[64];

    CHECK(SetEnvironmentVariableA("WS2_TEST_VAR", "value"));
    /* A NULL buffer, or one with no room for the NUL: the size needed. */
    SetLastError(SENTINEL);
    CHECK_EQ(GetEnvironmentVariableA("WS2_TEST_VAR", NULL, 0), 6);
    CHECK_EQ(GetLastError(), SENTINEL);
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(GetEnvironmentVariableA("WS2_TEST_VAR", buf, 5), 6);
    CHECK(buf[0] == 'x' && buf[4] == 'x'); /* untouched */
    /* Room for the value and its NUL: the length without it. */
    SetLastError(SENTINEL);
    CHECK_EQ(GetEnvironmentVariableA("WS2_TEST_VAR", buf, 6), 5);
    CHECK(strcmp(buf, "value") == 0);
    CHECK_EQ(GetLastError(), SENTINEL);
    /* Names match in any case; the C library sees the same variable. */
    CHECK_EQ(GetEnvironmentVariableA("ws2_test_var", buf, sizeof buf), 5);
    CHECK(strcmp(getenv("WS2_TEST_VAR"), "value") == 0);
    /* Setting it under another case replaces it: one variable. */
    CHECK(SetEnvironmentVariableA("Ws2_Test_Var", "other"));
    CHECK_EQ(GetEnvironmentVariableA("WS2_TEST_VAR", buf, sizeof buf), 5);
    CHECK(strcmp(buf, "other") == 0);
    CHECK(getenv("WS2_TEST_VAR") == NULL);
    CHECK(strcmp(getenv("Ws2_Test_Var"), "other") == 0);

    /* "" is a value: "" written, 0 returned, the last error untouched. */
    CHECK(SetEnvironmentVariableA("WS2_TEST_VAR", ""));
    SetLastError(SENTINEL);
    strcpy(buf, "junk");
    CHECK_EQ(GetEnvironmentVariableA("WS2_TEST_VAR", buf, sizeof buf), 0);
    CHECK_EQ(GetLastError(), SENTINEL);
    CHECK(buf[0] == '\0');
    CHECK_EQ(GetEnvironmentVariableA("WS2_TEST_VAR", NULL, 0), 1);

    /* A NULL value deletes (TRUE again once it is gone). */
    CHECK(SetEnvironmentVariableA("ws2_TEST_var", NULL));
    CHECK(SetEnvironmentVariableA("WS2_TEST_VAR", NULL));
    SetLastError(SENTINEL);
    strcpy(buf, "junk");
    CHECK_EQ(GetEnvironmentVariableA("WS2_TEST_VAR", buf, sizeof buf), 0);
    CHECK_EQ(GetLastError(), ERROR_ENVVAR_NOT_FOUND);
    CHECK(strcmp(buf, "junk") == 0);
    CHECK(getenv("WS2_TEST_VAR") == NULL && getenv("Ws2_Test_Var") == NULL);

    /* An empty name is no variable; a value may hold '=', a name not. */
    SetLastError(SENTINEL);
    CHECK_EQ(GetEnvironmentVariableA("", buf, sizeof buf), 0);
    CHECK_EQ(GetLastError(), ERROR_ENVVAR_NOT_FOUND);
    CHECK(SetEnvironmentVariableA("WS2_TEST_EQ", "a=b"));
    CHECK_EQ(GetEnvironmentVariableA("WS2_TEST_EQ", buf, sizeof buf), 3);
    CHECK(strcmp(buf, "a=b") == 0);
    SetLastError(SENTINEL);
    CHECK(!SetEnvironmentVariableA("WS2=TEST", "x"));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(SetEnvironmentVariable("WS2_TEST_EQ", NULL));
}

static void computer_name(void)
{
    char name[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD size = 0;

    /* No room: ERROR_BUFFER_OVERFLOW and the size needed, NUL counted. */
    SetLastError(SENTINEL);
    CHECK(!GetComputerNameA((LPSTR)0xdeadbeef, &size));
    CHECK_EQ(GetLastError(), ERROR_BUFFER_OVERFLOW);
    CHECK(size >= 2 && size <= MAX_COMPUTERNAME_LENGTH + 1);
    DWORD needed = size;

    size = sizeof name;
    SetLastError(SENTINEL);
    CHECK(GetComputerName(name, &size));
    CHECK_EQ(GetLastError(), SENTINEL);
    CHECK_EQ(size, needed - 1);
    CHECK_EQ(strlen(name), size);
    /* A NetBIOS name: upper case, no dots. */
    for (DWORD i = 0; i < size; i++)
        CHECK(name[i] != '.' && !(name[i] >= 'a' && name[i] <= 'z'));

    /* Exactly the length, no room for the NUL: overflow, size needed. */
    char small[MAX_COMPUTERNAME_LENGTH + 1];
    size = needed - 1;
    CHECK(!GetComputerNameA(small, &size));
    CHECK_EQ(size, needed);
}

static void module_file_name(void)
{
    char path[4096], cut[8];
    DWORD n;

    SetLastError(SENTINEL);
    n = GetModuleFileNameA(NULL, path, sizeof path);
    CHECK(n > 0 && n < sizeof path);
    CHECK_EQ(strlen(path), n);
    CHECK_EQ(GetLastError(), ERROR_SUCCESS);
    CHECK(path[0] == '/');
    CHECK(strstr(path, "win32_environment") != NULL); /* this program */

    /* The program's own module handle names the same file. */
    char again[4096];
    CHECK_EQ(GetModuleFileNameA(GetModuleHandle(NULL), again, sizeof again), n);
    CHECK(strcmp(again, path) == 0);

    /* Too small: cut, NUL-terminated, nSize returned. */
    memset(cut, 'x', sizeof cut);
    SetLastError(SENTINEL);
    CHECK_EQ(GetModuleFileNameA(NULL, cut, sizeof cut), sizeof cut);
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK(cut[sizeof cut - 1] == '\0');
    CHECK(strncmp(cut, path, sizeof cut - 1) == 0);

    /* The DLLs libws2_32 stands in for are its file, by its full path
     * (whatever name the loader was given). */
    n = GetModuleFileName(GetModuleHandleA("ws2_32.dll"), path, sizeof path);
    CHECK(n > 0);
    CHECK(path[0] == '/');
    CHECK(strstr(path, "ws2_32") != NULL);

    /* A handle that names no module: 0, the buffer untouched. */
    strcpy(path, "junk");
    SetLastError(SENTINEL);
    CHECK_EQ(GetModuleFileNameA((HMODULE)0xdeadbee0, path, sizeof path), 0);
    CHECK_EQ(GetLastError(), ERROR_MOD_NOT_FOUND);
    CHECK(strcmp(path, "junk") == 0);
}

/* ASCII text as WCHARs (L"" literals are 32-bit wchar_t on Linux). */
static const WCHAR *W(const char *ascii, WCHAR *out)
{
    int i = 0;
    for (; ascii[i]; i++)
        out[i] = (WCHAR)ascii[i];
    out[i] = 0;
    return out;
}

static int wide_equals_ascii(const WCHAR *w, const char *ascii)
{
    for (; *ascii; w++, ascii++)
        if (*w != (WCHAR)*ascii) return 0;
    return *w == 0;
}

/* The W forms: the same answers in WCHARs. */
static void wide_forms(void)
{
    WCHAR name[32], value[32], buf[64];
    char narrow[64];
    DWORD size;

    CHECK(SetEnvironmentVariableW(W("WS2_TEST_WIDE", name), W("wide value", value)));
    CHECK(strcmp(getenv("WS2_TEST_WIDE"), "wide value") == 0);
    CHECK_EQ(GetEnvironmentVariableW(W("ws2_test_wide", name), NULL, 0), 11);
    CHECK_EQ(GetEnvironmentVariableW(name, buf, 64), 10);
    CHECK(wide_equals_ascii(buf, "wide value"));
    /* At an odd address. */
    union {
        char bytes[80];
        WCHAR align;
    } odd;
    WCHAR *oddw = (WCHAR *)(odd.bytes + 1);
    CHECK_EQ(GetEnvironmentVariableW(name, oddw, 32), 10);
    memcpy(buf, oddw, 11 * sizeof(WCHAR));
    CHECK(wide_equals_ascii(buf, "wide value"));
    CHECK(SetEnvironmentVariableW(name, NULL));
    SetLastError(SENTINEL);
    CHECK_EQ(GetEnvironmentVariableW(name, buf, 64), 0);
    CHECK_EQ(GetLastError(), ERROR_ENVVAR_NOT_FOUND);

    size = sizeof narrow;
    CHECK(GetComputerNameA(narrow, &size));
    DWORD wsize = 0;
    CHECK(!GetComputerNameW(buf, &wsize));
    CHECK_EQ(GetLastError(), ERROR_BUFFER_OVERFLOW);
    CHECK_EQ(wsize, size + 1);
    CHECK(GetComputerNameW(buf, &wsize));
    CHECK_EQ(wsize, size);
    CHECK(wide_equals_ascii(buf, narrow));
    wsize = 32;
    CHECK(GetComputerNameW(oddw, &wsize)); /* written at an odd address too */
    memcpy(buf, oddw, (wsize + 1) * sizeof(WCHAR));
    CHECK(wide_equals_ascii(buf, narrow));

    char path[4096];
    WCHAR wpath[4096];
    DWORD n = GetModuleFileNameA(NULL, path, sizeof path);
    SetLastError(SENTINEL);
    CHECK_EQ(GetModuleFileNameW(NULL, wpath, 4096), n);
    CHECK_EQ(GetLastError(), ERROR_SUCCESS);
    CHECK(wide_equals_ascii(wpath, path)); /* the build directory is ASCII */
    CHECK_EQ(GetModuleFileNameW(NULL, wpath, 4), 4);
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK(wpath[3] == 0 && wpath[0] == (WCHAR)path[0]);
}

static void current_process(void)
{
    HANDLE me = GetCurrentProcess();
    CHECK(me == (HANDLE)(LONG_PTR)-1);
    /* Waitable, never signalled while the process runs; closing it does
     * nothing. */
    CHECK_EQ(WaitForSingleObject(me, 0), WAIT_TIMEOUT);
    CHECK(CloseHandle(me));
    CHECK_EQ(WaitForSingleObject(GetCurrentProcess(), 0), WAIT_TIMEOUT);
}

int main(void)
{
    environment_variables();
    computer_name();
    module_file_name();
    wide_forms();
    current_process();
    /* Declared and exported; whether it reports a switch is tested where
     * another thread can be made ready on the same processor (the engine's
     * SwitchToThread test, threads.rs). */
    (void)SwitchToThread();
    printf("win32_environment: ok\n");
    return 0;
}
