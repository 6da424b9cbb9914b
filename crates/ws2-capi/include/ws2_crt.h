/*
 * ws2_crt.h -- the Microsoft-named C runtime Windows programs assume next
 * to <windows.h> (on Windows they come from <string.h>, <stdio.h> and
 * <stdlib.h> of Microsoft's runtime, which glibc's do not have): strcpy_s,
 * strncpy_s, strcat_s, strncat_s, strtok_s, sprintf_s, _snprintf_s,
 * _snprintf, _stricmp, _strnicmp, _strdup, _strlwr, _strupr, errno_t,
 * _TRUNCATE, STRUNCATE, _countof and the invalid-parameter handler.
 * Included by windows.h; not a Windows header, do not include it yourself.
 *
 * Where Windows' runtime calls its invalid-parameter handler (a NULL
 * pointer, a buffer too small without _TRUNCATE), ws2 does too; with no
 * handler installed the process ends (a message on stderr, then abort()),
 * as Windows' default handler ends it.  The string functions are in
 * libws2_32; the printf-style ones are inline here (they are variadic) and
 * format with the C library's vsnprintf, so formats are C99's: Microsoft's
 * %I64d is not one (use %lld), and gcc's -Wformat checks them as such.
 */
#ifndef WS2_CRT_H
#define WS2_CRT_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _ERRCODE_DEFINED
#define _ERRCODE_DEFINED
typedef int errno_t;
#endif
#ifndef _RSIZE_T_DEFINED
#define _RSIZE_T_DEFINED
typedef size_t rsize_t;
#endif

#ifndef _TRUNCATE
#define _TRUNCATE ((size_t)-1)
#endif
/* Microsoft's errno value for a truncated copy (only ever returned; Linux
 * has no such errno, and 80 there is ELIBBAD). */
#ifndef STRUNCATE
#define STRUNCATE 80
#endif
#ifndef _NLSCMPERROR
#define _NLSCMPERROR 2147483647
#endif
#ifndef _MAX_PATH
#define _MAX_PATH 260
#endif
#ifndef _countof
#define _countof(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* ---- the invalid-parameter handler ---- */
typedef void (*_invalid_parameter_handler)(const wchar_t *expression, const wchar_t *function,
                                           const wchar_t *file, unsigned int line,
                                           uintptr_t pReserved);
_invalid_parameter_handler _set_invalid_parameter_handler(_invalid_parameter_handler pNew);
_invalid_parameter_handler _get_invalid_parameter_handler(void);
_invalid_parameter_handler _set_thread_local_invalid_parameter_handler(_invalid_parameter_handler pNew);
_invalid_parameter_handler _get_thread_local_invalid_parameter_handler(void);
/* ws2's entry for the inline functions below: runs the handler and returns
 * code (with errno set), or ends the process when none is installed. */
int ws2_crt_invalid_parameter(const char *function, const char *problem, int code);

/* ---- strings (libws2_32) ---- */
errno_t strcpy_s(char *dest, rsize_t dest_size, const char *src);
errno_t strncpy_s(char *dest, rsize_t dest_size, const char *src, rsize_t count);
errno_t strcat_s(char *dest, rsize_t dest_size, const char *src);
errno_t strncat_s(char *dest, rsize_t dest_size, const char *src, rsize_t count);
char *strtok_s(char *str, const char *delimiters, char **context);
int _stricmp(const char *string1, const char *string2);
int _strnicmp(const char *string1, const char *string2, size_t count);
char *_strdup(const char *strSource);
char *_strlwr(char *str);
char *_strupr(char *str);
/* The old names Microsoft's runtime also accepts. */
int stricmp(const char *string1, const char *string2) __asm__("_stricmp");
int strnicmp(const char *string1, const char *string2, size_t count) __asm__("_strnicmp");
/* Where the C library has the function under another name. */
#define _atoi64     atoll
#define _strtoi64   strtoll
#define _strtoui64  strtoull

/* ---- printf-style (inline: variadic) ---- */
#define WS2_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* vsprintf_s/sprintf_s: the whole result or, when it does not fit, ""
 * and the invalid-parameter handler (ERANGE); -1 for a NULL buffer or
 * format or a size of 0 (EINVAL). */
static inline WS2_PRINTF(3, 0) int vsprintf_s(char *buffer, size_t size, const char *format,
                                                va_list args)
{
    if (buffer == NULL || size == 0 || format == NULL) {
        ws2_crt_invalid_parameter("sprintf_s", "a NULL buffer or format, or a size of 0", EINVAL);
        return -1;
    }
    int n = vsnprintf(buffer, size, format, args);
    if (n < 0 || (size_t)n >= size) {
        buffer[0] = '\0';
        ws2_crt_invalid_parameter("sprintf_s", "the buffer is too small", n < 0 ? EINVAL : ERANGE);
        return -1;
    }
    return n;
}

static inline WS2_PRINTF(3, 4) int sprintf_s(char *buffer, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsprintf_s(buffer, size, format, args);
    va_end(args);
    return n;
}

/* _vsnprintf_s/_snprintf_s: at most count characters (_TRUNCATE: as many
 * as fit), always terminated.  Output cut short returns -1 without the
 * handler when count < size or count is _TRUNCATE; a count that does not
 * fit otherwise is ERANGE through the handler, "" left behind. */
static inline WS2_PRINTF(4, 0) int _vsnprintf_s(char *buffer, size_t size, size_t count,
                                                  const char *format, va_list args)
{
    if (format == NULL) {
        ws2_crt_invalid_parameter("_snprintf_s", "the format is NULL", EINVAL);
        return -1;
    }
    if (buffer == NULL && size == 0 && count == 0)
        return 0;
    if (buffer == NULL || size == 0) {
        ws2_crt_invalid_parameter("_snprintf_s", "a NULL buffer or a size of 0", EINVAL);
        return -1;
    }
    size_t limit = (count == _TRUNCATE || count >= size) ? size : count + 1;
    int n = vsnprintf(buffer, limit, format, args);
    if (n < 0) {
        buffer[0] = '\0';
        ws2_crt_invalid_parameter("_snprintf_s", "an invalid format", EINVAL);
        return -1;
    }
    if ((size_t)n < limit)
        return n;
    if (count == _TRUNCATE || count < size)
        return -1;
    buffer[0] = '\0';
    ws2_crt_invalid_parameter("_snprintf_s", "the buffer is too small", ERANGE);
    return -1;
}

static inline WS2_PRINTF(4, 5) int _snprintf_s(char *buffer, size_t size, size_t count,
                                                 const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = _vsnprintf_s(buffer, size, count, format, args);
    va_end(args);
    return n;
}

/* _vsnprintf/_snprintf (no _s): Microsoft's older rule, not C99's: when
 * the output does not fit in count characters it is cut at count, NOT
 * terminated, and -1 comes back; when it fits exactly it is not
 * terminated either. */
static inline WS2_PRINTF(3, 0) int _vsnprintf(char *buffer, size_t count, const char *format,
                                                va_list args)
{
    va_list again;
    va_copy(again, args);
    int n = vsnprintf(NULL, 0, format, again);
    va_end(again);
    if (n < 0)
        return -1;
    if ((size_t)n < count)
        return vsnprintf(buffer, count, format, args);
    if (count > 0) {
        char *whole = (char *)malloc((size_t)n + 1);
        if (whole == NULL)
            return -1;
        vsnprintf(whole, (size_t)n + 1, format, args);
        memcpy(buffer, whole, count);
        free(whole);
    }
    return (size_t)n == count ? n : -1;
}

static inline WS2_PRINTF(3, 4) int _snprintf(char *buffer, size_t count, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = _vsnprintf(buffer, count, format, args);
    va_end(args);
    return n;
}

/* _scprintf: the length the output would have. */
static inline WS2_PRINTF(1, 2) int _scprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsnprintf(NULL, 0, format, args);
    va_end(args);
    return n;
}

#ifdef __cplusplus
}
#endif

#endif /* WS2_CRT_H */
