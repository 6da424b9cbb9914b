/* strsafe.h (P6): StringCchCopy/CopyN/Cat/CatN/Length/Printf and the
 * StringCb forms, A and W, with every failure the SDK's header defines.
 *
 * Windows' answers: the Windows SDK's um/strsafe.h (research-win32.md
 * section 10) and Microsoft's StringCchCopy, StringCchCat,
 * StringCchPrintf and StringCchLength pages: a result that does not fit
 * is truncated, terminated and STRSAFE_E_INSUFFICIENT_BUFFER; a size of
 * 0 or over STRSAFE_MAX_CCH is STRSAFE_E_INVALID_PARAMETER. */
#include <windows.h>
#include <strsafe.h>
#include <stdio.h>

#include "common.h"

_Static_assert(STRSAFE_E_INSUFFICIENT_BUFFER == (HRESULT)0x8007007A, "HRESULT_FROM_WIN32(122)");
_Static_assert(STRSAFE_E_INVALID_PARAMETER == E_INVALIDARG, "HRESULT_FROM_WIN32(87)");
_Static_assert(STRSAFE_E_INSUFFICIENT_BUFFER == HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), "");
_Static_assert(STRSAFE_MAX_CCH == 2147483647, "");

static int wide_is(const WCHAR *w, const char *a)
{
    while (*a != 0)
        if (*w++ != (WCHAR)(unsigned char)*a++) return 0;
    return *w == 0;
}

static void copy_and_cat(void)
{
    char d[8];
    size_t n;

    CHECK_EQ(StringCchCopyA(d, sizeof d, "abc"), S_OK);
    CHECK(strcmp(d, "abc") == 0);
    CHECK(SUCCEEDED(StringCchCopy(d, ARRAYSIZE(d), "1234567")));
    HRESULT hr = StringCchCopyA(d, sizeof d, "123456789");
    CHECK(FAILED(hr));
    CHECK_EQ(hr, STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(strcmp(d, "1234567") == 0); /* truncated and terminated */

    memcpy(d, "xxxxxxx", 8);
    CHECK_EQ(StringCchCopyA(d, 0, "abc"), STRSAFE_E_INVALID_PARAMETER);
    CHECK_EQ(d[0], 'x'); /* nothing written for 0 */
    CHECK_EQ(StringCchCopyA(d, (size_t)STRSAFE_MAX_CCH + 1, "abc"), STRSAFE_E_INVALID_PARAMETER);
    CHECK_EQ(d[0], 0);

    CHECK_EQ(StringCchCopyNA(d, sizeof d, "abcdef", 2), S_OK);
    CHECK(strcmp(d, "ab") == 0);
    CHECK_EQ(StringCchCatA(d, sizeof d, "cd"), S_OK);
    CHECK(strcmp(d, "abcd") == 0);
    CHECK_EQ(StringCchCatA(d, sizeof d, "efgh"), STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(strcmp(d, "abcdefg") == 0);
    CHECK_EQ(StringCchCatNA(d, sizeof d, "zz", 1), STRSAFE_E_INSUFFICIENT_BUFFER); /* full */
    CHECK(strcmp(d, "abcdefg") == 0);
    CHECK_EQ(StringCchCatNA(d, sizeof d, "zz", 0), S_OK); /* nothing to append */
    memset(d, 'x', sizeof d); /* not terminated within cch */
    CHECK_EQ(StringCchCatA(d, sizeof d, "a"), STRSAFE_E_INVALID_PARAMETER);
    CHECK_EQ(d[0], 'x');

    CHECK_EQ(StringCchLengthA("hello", STRSAFE_MAX_CCH, &n), S_OK);
    CHECK_EQ(n, 5);
    CHECK_EQ(StringCchLengthA("hello", 5, &n), STRSAFE_E_INVALID_PARAMETER);
    CHECK_EQ(n, 0);
    CHECK_EQ(StringCchLengthA(NULL, 10, &n), STRSAFE_E_INVALID_PARAMETER);
    CHECK_EQ(StringCbLengthA("hello", 6, &n), S_OK);
    CHECK_EQ(n, 5);

    CHECK_EQ(StringCbCopyA(d, sizeof d, "bytes"), S_OK);
    CHECK_EQ(StringCbCatA(d, sizeof d, "++"), S_OK);
    CHECK(strcmp(d, "bytes++") == 0);
    CHECK_EQ(StringCbCopy(d, 4, "long"), STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(strcmp(d, "lon") == 0);
}

static void printf_forms(void)
{
    char d[8];
    CHECK_EQ(StringCchPrintfA(d, ARRAYSIZE(d), "%d:%s", 12, "ab"), S_OK);
    CHECK(strcmp(d, "12:ab") == 0);
    CHECK_EQ(StringCchPrintf(d, ARRAYSIZE(d), "%s", "1234567"), S_OK); /* cch-1 fits */
    CHECK_EQ(StringCchPrintfA(d, ARRAYSIZE(d), "%s", "12345678"), STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(strcmp(d, "1234567") == 0);
    memcpy(d, "xxxxxxx", 8);
    CHECK_EQ(StringCchPrintfA(d, 0, "%d", 1), STRSAFE_E_INVALID_PARAMETER);
    CHECK_EQ(d[0], 'x');
    CHECK_EQ(StringCbPrintfA(d, sizeof d, "%u", 4000000000u), STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(strcmp(d, "4000000") == 0);
}

static void wide_forms(void)
{
    WCHAR d[6], src[16];
    size_t n;
    const char *a = "wide text";
    for (int i = 0; (src[i] = (WCHAR)a[i]) != 0; i++) {
    }
    CHECK_EQ(StringCchCopyW(d, ARRAYSIZE(d), src), STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(wide_is(d, "wide "));
    CHECK_EQ(StringCchCopyNW(d, ARRAYSIZE(d), src, 2), S_OK);
    CHECK_EQ(StringCchCatNW(d, ARRAYSIZE(d), src, 3), S_OK);
    CHECK(wide_is(d, "wiwid"));
    CHECK_EQ(StringCchLengthW(d, ARRAYSIZE(d), &n), S_OK);
    CHECK_EQ(n, 5);
    CHECK_EQ(StringCbLengthW(d, sizeof d, &n), S_OK);
    CHECK_EQ(n, 10);
    CHECK_EQ(StringCbCopyW(d, sizeof d, src), STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(wide_is(d, "wide "));
    CHECK_EQ(StringCbCopyW(d, 1, src), STRSAFE_E_INVALID_PARAMETER); /* cb 1 -> cch 0 */
}

int main(void)
{
    copy_and_cat();
    printf_forms();
    wide_forms();
    puts("win32_strsafe: ok");
    return 0;
}
