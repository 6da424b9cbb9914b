/* lstrlen, lstrcpy, lstrcpyn, lstrcat, lstrcmp, lstrcmpi, A and W (P6).
 *
 * Windows' answers: Microsoft's lstrlenA/lstrcpynA/lstrcmpA pages (NULL is
 * caught, lstrcpyn's count includes the terminator); kernel32 locale.c
 * test_CompareStringA (lstrcmp's word sort and its NULL order). */
#include <windows.h>
#include <stdio.h>

#include "common.h"

/* UTF-16 from ASCII, for the W functions (L"" is 32-bit here). */
static void w(WCHAR *dst, const char *src)
{
    while ((*dst++ = (WCHAR)(unsigned char)*src++) != 0) {
    }
}

static void lengths(void)
{
    WCHAR ws[16];
    CHECK_EQ(lstrlenA("hello"), 5);
    CHECK_EQ(lstrlenA(""), 0);
    CHECK_EQ(lstrlenA(NULL), 0);
    CHECK_EQ(lstrlen("tchar"), 5);
    w(ws, "wide");
    CHECK_EQ(lstrlenW(ws), 4);
    CHECK_EQ(lstrlenW(NULL), 0);
}

static void copies(void)
{
    char buf[16];
    WCHAR wbuf[16], wsrc[16];

    CHECK(lstrcpyA(buf, "abc") == buf);
    CHECK(strcmp(buf, "abc") == 0);
    CHECK(lstrcatA(buf, "def") == buf);
    CHECK(strcmp(buf, "abcdef") == 0);
    CHECK(lstrcpyA(NULL, "x") == NULL);
    CHECK(lstrcpyA(buf, NULL) == NULL);
    CHECK(lstrcatA(NULL, "x") == NULL);

    /* lstrcpyn: n counts the terminator. */
    memset(buf, 'x', sizeof buf);
    CHECK(lstrcpynA(buf, "abcdef", 4) == buf);
    CHECK(strcmp(buf, "abc") == 0);
    memset(buf, 'x', sizeof buf);
    CHECK(lstrcpynA(buf, "ab", 10) == buf);
    CHECK(strcmp(buf, "ab") == 0);
    memset(buf, 'x', sizeof buf);
    lstrcpynA(buf, "abc", 1);
    CHECK_EQ(buf[0], 0);
    memset(buf, 'x', sizeof buf);
    lstrcpynA(buf, "abc", 0); /* nothing written */
    CHECK_EQ(buf[0], 'x');

    w(wsrc, "wide");
    CHECK(lstrcpyW(wbuf, wsrc) == wbuf);
    CHECK_EQ(lstrlenW(wbuf), 4);
    CHECK(lstrcatW(wbuf, wsrc) == wbuf);
    CHECK_EQ(lstrlenW(wbuf), 8);
    CHECK(lstrcpynW(wbuf, wsrc, 3) == wbuf);
    CHECK_EQ(lstrlenW(wbuf), 2);
    CHECK_EQ(wbuf[1], 'i');
}

static void comparisons(void)
{
    WCHAR a[16], b[16];

    CHECK_EQ(lstrcmpA("", ""), 0);
    CHECK_EQ(lstrcmpA(NULL, NULL), 0);
    CHECK_EQ(lstrcmpA("", NULL), 1);
    CHECK_EQ(lstrcmpA(NULL, ""), -1);
    CHECK_EQ(lstrcmpiA("#", "."), -1);
    CHECK_EQ(lstrcmpA("'o", "-o"), -1);
    CHECK_EQ(lstrcmpA("`o", "/m"), 1);
    CHECK_EQ(lstrcmpA("`o", "-m"), -1);
    CHECK_EQ(lstrcmpiA("Salut", "SaLuT"), 0);
    CHECK_EQ(lstrcmpiA("Salut", "Salute"), -1);
    /* Not strcmp: letters first, then case (lowercase before uppercase). */
    CHECK_EQ(lstrcmpA("apple", "Banana"), -1);
    CHECK_EQ(lstrcmpA("a", "A"), -1);
    CHECK_EQ(lstrcmpA("B", "a"), 1);
    CHECK_EQ(lstrcmpi("ABC", "abc"), 0);
    CHECK_EQ(lstrcmp("abc", "abd"), -1);
    CHECK_EQ(lstrcmp("abd", "abc"), 1);

    w(a, "Alpha");
    w(b, "alpha");
    CHECK_EQ(lstrcmpiW(a, b), 0);
    CHECK_EQ(lstrcmpW(b, a), -1);
    CHECK_EQ(lstrcmpW(NULL, a), -1);
}

int main(void)
{
    lengths();
    copies();
    comparisons();
    puts("win32_strings: ok");
    return 0;
}
