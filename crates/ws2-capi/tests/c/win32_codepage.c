/* Code pages: MultiByteToWideChar, WideCharToMultiByte, GetACP (P6).
 *
 * Windows' answers: kernel32 codepage.c (test_destination_buffer: a size
 * query, a destination too small filled to its size and
 * ERROR_INSUFFICIENT_BUFFER; test_null_source, test_negative_dest_length,
 * test_other_invalid_parameters: ERROR_INVALID_PARAMETER, checked after
 * the code page and before the flags, ERROR_INVALID_FLAGS;
 * test_negative_source_length: any negative length is -1;
 * test_overlapped_buffers; test_threadcp: "foobar" and its NUL are 7),
 * ntdll rtlstr.c (ill-formed UTF-8 and UTF-16 become U+FFFD; with the
 * strict flags 0 and ERROR_NO_UNICODE_TRANSLATION, the text still
 * written), and success leaving the last error alone throughout. */
#include <windows.h>
#include <winsock2.h>
#include <stdio.h>

#include "common.h"

#define SENTINEL 0xdeadbeef

static int wide_is(const WCHAR *w, const char *ascii)
{
    for (; *ascii; w++, ascii++)
        if (*w != (WCHAR)*ascii) return 0;
    return *w == 0;
}

static void sizes_and_buffers(void)
{
    WCHAR w[16];
    char a[16];

    /* -1 converts through the NUL and counts it; a length does not. */
    SETS(MultiByteToWideChar(CP_ACP, 0, "foobar", -1, NULL, 0), 7, SENTINEL);
    SETS(MultiByteToWideChar(CP_UTF8, 0, "foobar", 6, NULL, 0), 6, SENTINEL);
    SETS(MultiByteToWideChar(CP_UTF8, 0, "foobar", -1, w, 16), 7, SENTINEL);
    CHECK(wide_is(w, "foobar"));
    SETS(WideCharToMultiByte(CP_ACP, 0, w, -1, NULL, 0, NULL, NULL), 7, SENTINEL);
    SETS(WideCharToMultiByte(CP_THREAD_ACP, 0, w, 3, NULL, 0, NULL, NULL), 3, SENTINEL);
    SETS(WideCharToMultiByte(CP_UTF8, 0, w, -1, a, sizeof a, NULL, NULL), 7, SENTINEL);
    CHECK(strcmp(a, "foobar") == 0);
    /* Any negative source length is -1. */
    SETS(MultiByteToWideChar(CP_ACP, 0, "foobar", -2002, w, 16), 7, SENTINEL);
    SETS(WideCharToMultiByte(CP_UTF8, 0, w, -3, a, sizeof a, NULL, NULL), 7, SENTINEL);

    /* Too small: what fits is written, nothing past it; 0. */
    memset(a, 'x', sizeof a);
    SETS(WideCharToMultiByte(CP_ACP, 0, w, -1, a, 6, NULL, NULL), 0,
         ERROR_INSUFFICIENT_BUFFER);
    CHECK(memcmp(a, "foobarx", 7) == 0);
    memset(a, 'x', sizeof a);
    SETS(WideCharToMultiByte(CP_ACP, 0, w, -1, a, 1, NULL, NULL), 0,
         ERROR_INSUFFICIENT_BUFFER);
    CHECK(a[0] == 'f' && a[1] == 'x');
    SETS(MultiByteToWideChar(CP_ACP, 0, "foobar", -1, w, 6), 0, ERROR_INSUFFICIENT_BUFFER);

    /* Non-ASCII text both ways: e-acute, a CJK character, an emoji (a
     * surrogate pair). */
    const char *text = "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80";
    SETS(MultiByteToWideChar(CP_UTF8, 0, text, -1, w, 16), 5, SENTINEL);
    CHECK(w[0] == 0x00e9 && w[1] == 0x65e5 && w[2] == 0xd83d && w[3] == 0xde00 && w[4] == 0);
    SETS(WideCharToMultiByte(CP_UTF8, 0, w, -1, a, sizeof a, NULL, NULL), 10, SENTINEL);
    CHECK(strcmp(a, text) == 0);

    /* Overlapping but offset buffers convert. */
    union {
        char a[32];
        WCHAR w[16];
    } both;
    strcpy(both.a + 16, "foo");
    SETS(MultiByteToWideChar(CP_ACP, 0, both.a + 16, -1, both.w + 4, 8), 4, SENTINEL);
    CHECK(wide_is(both.w + 4, "foo"));

    /* A WCHAR string at an odd address, both ways (test_overlapped_buffers
     * converts such a buffer). */
    union {
        char bytes[40];
        WCHAR align;
    } odd;
    WCHAR *oddw = (WCHAR *)(odd.bytes + 1);
    SETS(MultiByteToWideChar(CP_UTF8, 0, "odd", -1, oddw, 8), 4, SENTINEL);
    WCHAR back[8];
    memcpy(back, oddw, sizeof back);
    CHECK(wide_is(back, "odd"));
    CHECK_EQ(lstrlenW(oddw), 3); /* ws2 reads such strings wherever it takes one */
    SETS(WideCharToMultiByte(CP_UTF8, 0, oddw, -1, a, sizeof a, NULL, NULL), 4, SENTINEL);
    CHECK(strcmp(a, "odd") == 0);

    /* Too small for the next character: only whole characters are
     * written (the three bytes of U+65E5 never in part, nor half of a
     * surrogate pair). */
    const WCHAR sun[] = {'a', 0x65e5, 0};
    memset(a, 'x', sizeof a);
    SETS(WideCharToMultiByte(CP_UTF8, 0, sun, -1, a, 3, NULL, NULL), 0,
         ERROR_INSUFFICIENT_BUFFER);
    CHECK(a[0] == 'a' && a[1] == 'x');
    memset(w, 0x55, sizeof w);
    SETS(MultiByteToWideChar(CP_UTF8, 0, "a\xf0\x9f\x98\x80", -1, w, 2), 0,
         ERROR_INSUFFICIENT_BUFFER);
    CHECK(w[0] == 'a' && w[1] == 0x5555);

    CHECK_EQ(GetACP(), CP_UTF8);
    CHECK_EQ(GetOEMCP(), CP_UTF8);
}

static void invalid_parameters(void)
{
    WCHAR w[16];
    char a[16];
    const WCHAR foo[] = {'f', 'o', 'o', 0};

    SETS(MultiByteToWideChar(CP_ACP, 0, NULL, -1, w, 16), 0, ERROR_INVALID_PARAMETER);
    SETS(WideCharToMultiByte(CP_ACP, 0, NULL, -1, a, 16, NULL, NULL), 0,
         ERROR_INVALID_PARAMETER);
    SETS(MultiByteToWideChar(CP_ACP, 0, "foo", 0, w, 16), 0, ERROR_INVALID_PARAMETER);
    SETS(WideCharToMultiByte(CP_ACP, 0, foo, 0, a, 16, NULL, NULL), 0,
         ERROR_INVALID_PARAMETER);
    SETS(MultiByteToWideChar(CP_ACP, 0, "foo", -1, NULL, 16), 0, ERROR_INVALID_PARAMETER);
    SETS(WideCharToMultiByte(CP_ACP, 0, foo, -1, NULL, 16, NULL, NULL), 0,
         ERROR_INVALID_PARAMETER);
    SETS(MultiByteToWideChar(CP_ACP, 0, "foo", -1, w, -1), 0, ERROR_INVALID_PARAMETER);
    SETS(WideCharToMultiByte(CP_ACP, 0, foo, -1, a, -1000, NULL, NULL), 0,
         ERROR_INVALID_PARAMETER);
    /* The source's own address as the destination. */
    char same[16] = "foo";
    SETS(MultiByteToWideChar(CP_UTF8, 0, same, -1, (LPWSTR)same, 4), 0,
         ERROR_INVALID_PARAMETER);

    /* Flags UTF-8 does not take; a code page ws2 does not have, which is
     * reported before the flags; a NULL source before the flags too. */
    SETS(MultiByteToWideChar(CP_UTF8, 0x10, "foo", -1, w, 16), 0, ERROR_INVALID_FLAGS);
    SETS(WideCharToMultiByte(CP_UTF8, 0x100, foo, -1, a, 16, NULL, NULL), 0,
         ERROR_INVALID_FLAGS);
    SETS(MultiByteToWideChar(0xdeadbeef, 0x10, "foo", -1, w, 16), 0,
         ERROR_INVALID_PARAMETER);
    SETS(WideCharToMultiByte(0xdeadbeef, 0x100, foo, -1, a, 16, NULL, NULL), 0,
         ERROR_INVALID_PARAMETER);
    SETS(MultiByteToWideChar(CP_UTF8, 0x10, NULL, -1, w, 16), 0, ERROR_INVALID_PARAMETER);
    SETS(MultiByteToWideChar(1252, 0, "foo", -1, w, 16), 0, ERROR_INVALID_PARAMETER);
}

static void ill_formed_text(void)
{
    WCHAR w[16];
    char a[16];
    BOOL used = TRUE;

    /* A truncated sequence, a lone continuation byte, 0xFF: one U+FFFD
     * each. */
    const char *bad = "a\xe6\x97" "b\x80" "c\xff";
    SETS(MultiByteToWideChar(CP_UTF8, 0, bad, -1, w, 16), 7, SENTINEL);
    CHECK(w[0] == 'a' && w[1] == 0xfffd && w[2] == 'b' && w[3] == 0xfffd && w[4] == 'c' &&
          w[5] == 0xfffd && w[6] == 0);
    /* Strict: an error, the replaced text written all the same; a size
     * query fails too. */
    memset(w, 0, sizeof w);
    SETS(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, bad, -1, w, 16), 0,
         ERROR_NO_UNICODE_TRANSLATION);
    CHECK(w[0] == 'a' && w[1] == 0xfffd);
    SETS(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, bad, -1, NULL, 0), 0,
         ERROR_NO_UNICODE_TRANSLATION);
    /* Too small wins over the strict flag's error. */
    SETS(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, bad, -1, w, 1), 0,
         ERROR_INSUFFICIENT_BUFFER);
    /* U+FFFD itself is text, not an error. */
    SETS(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, "\xef\xbf\xbd", -1, w, 16), 2,
         SENTINEL);

    /* A lone high surrogate, then a lone low one: EF BF BD each. */
    const WCHAR lone[] = {'a', 0xd800, 'b', 0xdc00, 0};
    SETS(WideCharToMultiByte(CP_UTF8, 0, lone, -1, a, sizeof a, NULL, &used), 9, SENTINEL);
    CHECK(strcmp(a, "a\xef\xbf\xbd" "b\xef\xbf\xbd") == 0);
    CHECK(!used); /* UTF-8 has no default character */
    SETS(WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, lone, -1, a, sizeof a, NULL,
                             NULL),
         0, ERROR_NO_UNICODE_TRANSLATION);
    SETS(WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, lone, -1, NULL, 0, NULL, NULL), 0,
         ERROR_NO_UNICODE_TRANSLATION);
}

int main(void)
{
    sizes_and_buffers();
    invalid_parameters();
    ill_formed_text();
    printf("win32_codepage: ok\n");
    return 0;
}
