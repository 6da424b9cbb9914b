/*
 * strsafe.h -- StringCch* and StringCb*: string copies, appends, lengths
 * and printf that never overrun the destination and always terminate it.
 * Inline, as in Windows' own strsafe.h.  The rules (Windows SDK
 * um/strsafe.h):
 *   - success is S_OK; a result that did not fit is truncated to cch-1
 *     characters, terminated, and STRSAFE_E_INSUFFICIENT_BUFFER
 *     (0x8007007A);
 *   - a size of 0 or over STRSAFE_MAX_CCH is STRSAFE_E_INVALID_PARAMETER
 *     (0x80070057); nothing is written for 0, "" for too large;
 *   - StringCchCat needs a destination terminated within cch, else
 *     STRSAFE_E_INVALID_PARAMETER and nothing written;
 *   - StringCb* take bytes: cch = cb / sizeof(TCHAR).
 * A and W forms; the TCHAR names are the A ones (UNICODE builds are
 * refused, see windows.h).  StringCchPrintfW and StringCbPrintfW are not
 * provided (ws2 has no UTF-16 printf): using them fails to compile.
 */
#ifndef WS2_STRSAFE_H
#define WS2_STRSAFE_H

#include "windows.h"
#include <stdarg.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRSAFE_MAX_CCH                 2147483647
#define STRSAFE_MAX_LENGTH              (STRSAFE_MAX_CCH - 1)
#define STRSAFE_E_INSUFFICIENT_BUFFER   ((HRESULT)0x8007007A)
#define STRSAFE_E_INVALID_PARAMETER     ((HRESULT)0x80070057)
#define STRSAFE_E_END_OF_FILE           ((HRESULT)0x80070026)

typedef char        *STRSAFE_LPSTR;
typedef const char  *STRSAFE_LPCSTR;
typedef WCHAR       *STRSAFE_LPWSTR;
typedef const WCHAR *STRSAFE_LPCWSTR;

/* ws2_strsafe_*: the shared bodies, for char (A) and WCHAR (W). */
#define WS2_STRSAFE_BODIES(S, CH)                                                        \
    /* Copies at most max characters of src to dst (room cch >= 1). */                  \
    static inline HRESULT ws2_strsafe_copy##S(CH *dst, size_t cch, const CH *src,        \
                                             size_t max)                                 \
    {                                                                                    \
        size_t i = 0;                                                                    \
        while (i < cch - 1 && i < max && src[i] != 0) {                                  \
            dst[i] = src[i];                                                             \
            i++;                                                                         \
        }                                                                                \
        dst[i] = 0;                                                                      \
        return (i < max && src[i] != 0) ? STRSAFE_E_INSUFFICIENT_BUFFER : S_OK;          \
    }                                                                                    \
    /* The length of s if it ends within max characters. */                             \
    static inline HRESULT ws2_strsafe_length##S(const CH *s, size_t max, size_t *len)    \
    {                                                                                    \
        size_t n = 0;                                                                    \
        while (n < max && s[n] != 0)                                                     \
            n++;                                                                         \
        if (len != NULL)                                                                 \
            *len = n < max ? n : 0;                                                      \
        return n < max ? S_OK : STRSAFE_E_INVALID_PARAMETER;                             \
    }                                                                                    \
    static inline HRESULT ws2_strsafe_cpy##S(CH *dst, size_t cch, const CH *src,         \
                                            size_t max)                                  \
    {                                                                                    \
        if (cch == 0)                                                                    \
            return STRSAFE_E_INVALID_PARAMETER;                                          \
        if (cch > STRSAFE_MAX_CCH || max > STRSAFE_MAX_CCH) {                            \
            dst[0] = 0;                                                                  \
            return STRSAFE_E_INVALID_PARAMETER;                                          \
        }                                                                                \
        return ws2_strsafe_copy##S(dst, cch, src, max);                                  \
    }                                                                                    \
    static inline HRESULT ws2_strsafe_cat##S(CH *dst, size_t cch, const CH *src,         \
                                            size_t max)                                  \
    {                                                                                    \
        size_t len;                                                                      \
        if (cch == 0 || cch > STRSAFE_MAX_CCH || max > STRSAFE_MAX_CCH)                  \
            return STRSAFE_E_INVALID_PARAMETER;                                          \
        if (FAILED(ws2_strsafe_length##S(dst, cch, &len)))                               \
            return STRSAFE_E_INVALID_PARAMETER;                                          \
        return ws2_strsafe_copy##S(dst + len, cch - len, src, max);                      \
    }

WS2_STRSAFE_BODIES(A, char)
WS2_STRSAFE_BODIES(W, WCHAR)

/* ---- StringCch*: sizes in characters ---- */
static inline HRESULT StringCchCopyA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc)
{
    return ws2_strsafe_cpyA(pszDest, cchDest, pszSrc, STRSAFE_MAX_CCH);
}
static inline HRESULT StringCchCopyW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc)
{
    return ws2_strsafe_cpyW(pszDest, cchDest, pszSrc, STRSAFE_MAX_CCH);
}
static inline HRESULT StringCchCopyNA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc,
                                      size_t cchToCopy)
{
    return ws2_strsafe_cpyA(pszDest, cchDest, pszSrc, cchToCopy);
}
static inline HRESULT StringCchCopyNW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc,
                                      size_t cchToCopy)
{
    return ws2_strsafe_cpyW(pszDest, cchDest, pszSrc, cchToCopy);
}
static inline HRESULT StringCchCatA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc)
{
    return ws2_strsafe_catA(pszDest, cchDest, pszSrc, STRSAFE_MAX_CCH);
}
static inline HRESULT StringCchCatW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc)
{
    return ws2_strsafe_catW(pszDest, cchDest, pszSrc, STRSAFE_MAX_CCH);
}
static inline HRESULT StringCchCatNA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc,
                                     size_t cchToAppend)
{
    return ws2_strsafe_catA(pszDest, cchDest, pszSrc, cchToAppend);
}
static inline HRESULT StringCchCatNW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc,
                                     size_t cchToAppend)
{
    return ws2_strsafe_catW(pszDest, cchDest, pszSrc, cchToAppend);
}
static inline HRESULT StringCchLengthA(STRSAFE_LPCSTR psz, size_t cchMax, size_t *pcchLength)
{
    if (psz == NULL || cchMax > STRSAFE_MAX_CCH) {
        if (pcchLength != NULL)
            *pcchLength = 0;
        return STRSAFE_E_INVALID_PARAMETER;
    }
    return ws2_strsafe_lengthA(psz, cchMax, pcchLength);
}
static inline HRESULT StringCchLengthW(STRSAFE_LPCWSTR psz, size_t cchMax, size_t *pcchLength)
{
    if (psz == NULL || cchMax > STRSAFE_MAX_CCH) {
        if (pcchLength != NULL)
            *pcchLength = 0;
        return STRSAFE_E_INVALID_PARAMETER;
    }
    return ws2_strsafe_lengthW(psz, cchMax, pcchLength);
}
static inline __attribute__((format(printf, 3, 0))) HRESULT
StringCchVPrintfA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszFormat, va_list argList)
{
    if (cchDest == 0)
        return STRSAFE_E_INVALID_PARAMETER;
    if (cchDest > STRSAFE_MAX_CCH) {
        pszDest[0] = 0;
        return STRSAFE_E_INVALID_PARAMETER;
    }
    int n = vsnprintf(pszDest, cchDest, pszFormat, argList);
    if (n < 0) {
        pszDest[0] = 0;
        return STRSAFE_E_INSUFFICIENT_BUFFER;
    }
    return (size_t)n < cchDest ? S_OK : STRSAFE_E_INSUFFICIENT_BUFFER;
}
static inline __attribute__((format(printf, 3, 4))) HRESULT
StringCchPrintfA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszFormat, ...)
{
    va_list args;
    va_start(args, pszFormat);
    HRESULT hr = StringCchVPrintfA(pszDest, cchDest, pszFormat, args);
    va_end(args);
    return hr;
}

/* ---- StringCb*: sizes in bytes ---- */
static inline HRESULT StringCbCopyA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc)
{
    return StringCchCopyA(pszDest, cbDest, pszSrc);
}
static inline HRESULT StringCbCopyW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc)
{
    return StringCchCopyW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}
static inline HRESULT StringCbCopyNA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc,
                                     size_t cbToCopy)
{
    return StringCchCopyNA(pszDest, cbDest, pszSrc, cbToCopy);
}
static inline HRESULT StringCbCopyNW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc,
                                     size_t cbToCopy)
{
    return StringCchCopyNW(pszDest, cbDest / sizeof(WCHAR), pszSrc, cbToCopy / sizeof(WCHAR));
}
static inline HRESULT StringCbCatA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc)
{
    return StringCchCatA(pszDest, cbDest, pszSrc);
}
static inline HRESULT StringCbCatW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc)
{
    return StringCchCatW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}
static inline HRESULT StringCbCatNA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc,
                                    size_t cbToAppend)
{
    return StringCchCatNA(pszDest, cbDest, pszSrc, cbToAppend);
}
static inline HRESULT StringCbCatNW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc,
                                    size_t cbToAppend)
{
    return StringCchCatNW(pszDest, cbDest / sizeof(WCHAR), pszSrc, cbToAppend / sizeof(WCHAR));
}
static inline HRESULT StringCbLengthA(STRSAFE_LPCSTR psz, size_t cbMax, size_t *pcbLength)
{
    return StringCchLengthA(psz, cbMax, pcbLength);
}
static inline HRESULT StringCbLengthW(STRSAFE_LPCWSTR psz, size_t cbMax, size_t *pcbLength)
{
    HRESULT hr = StringCchLengthW(psz, cbMax / sizeof(WCHAR), pcbLength);
    if (pcbLength != NULL)
        *pcbLength *= sizeof(WCHAR);
    return hr;
}
static inline __attribute__((format(printf, 3, 0))) HRESULT
StringCbVPrintfA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszFormat, va_list argList)
{
    return StringCchVPrintfA(pszDest, cbDest, pszFormat, argList);
}
static inline __attribute__((format(printf, 3, 4))) HRESULT
StringCbPrintfA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszFormat, ...)
{
    va_list args;
    va_start(args, pszFormat);
    HRESULT hr = StringCchVPrintfA(pszDest, cbDest, pszFormat, args);
    va_end(args);
    return hr;
}

/* ---- not provided: no UTF-16 printf ---- */
#define WS2_STRSAFE_WHY(name) #name " is not provided by ws2 (no UTF-16 printf): use the A form"
#if defined(__has_attribute) && __has_attribute(unavailable)
#define WS2_STRSAFE_UNPROVIDED(name) \
    __attribute__((unavailable(WS2_STRSAFE_WHY(name)), error(WS2_STRSAFE_WHY(name))))
#else
#define WS2_STRSAFE_UNPROVIDED(name) __attribute__((error(WS2_STRSAFE_WHY(name))))
#endif
HRESULT StringCchPrintfW(STRSAFE_LPWSTR, size_t, STRSAFE_LPCWSTR, ...) WS2_STRSAFE_UNPROVIDED(StringCchPrintfW);
HRESULT StringCbPrintfW(STRSAFE_LPWSTR, size_t, STRSAFE_LPCWSTR, ...) WS2_STRSAFE_UNPROVIDED(StringCbPrintfW);
HRESULT StringCchVPrintfW(STRSAFE_LPWSTR, size_t, STRSAFE_LPCWSTR, va_list) WS2_STRSAFE_UNPROVIDED(StringCchVPrintfW);
HRESULT StringCbVPrintfW(STRSAFE_LPWSTR, size_t, STRSAFE_LPCWSTR, va_list) WS2_STRSAFE_UNPROVIDED(StringCbVPrintfW);

/* ---- TCHAR names ---- */
#define StringCchCopy       StringCchCopyA
#define StringCchCopyN      StringCchCopyNA
#define StringCchCat        StringCchCatA
#define StringCchCatN       StringCchCatNA
#define StringCchLength     StringCchLengthA
#define StringCchPrintf     StringCchPrintfA
#define StringCchVPrintf    StringCchVPrintfA
#define StringCbCopy        StringCbCopyA
#define StringCbCopyN       StringCbCopyNA
#define StringCbCat         StringCbCatA
#define StringCbCatN        StringCbCatNA
#define StringCbLength      StringCbLengthA
#define StringCbPrintf      StringCbPrintfA
#define StringCbVPrintf     StringCbVPrintfA

#ifdef __cplusplus
}
#endif

#endif /* WS2_STRSAFE_H */
