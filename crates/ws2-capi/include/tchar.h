/*
 * tchar.h -- the generic-text names (_T, _TCHAR, _tmain, _tcslen, ...) for
 * ANSI builds: each maps to the char function.  _MBCS builds get the same
 * single-byte mapping (byte-wise, as for an SBCS code page).  UNICODE and
 * _UNICODE builds are refused (see windows.h): WCHAR is 16-bit on Windows
 * while wchar_t and L"" are 32-bit here, so _T("x") would silently become
 * the wrong kind of string.
 */
#ifndef WS2_TCHAR_H
#define WS2_TCHAR_H

#include "windows.h"
#include "io.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef _TCHAR_DEFINED
#define _TCHAR_DEFINED
typedef char TCHAR, *PTCHAR;
typedef unsigned char TBYTE, *PTBYTE;
#endif
typedef char           _TCHAR;
typedef char           _TSCHAR;
typedef unsigned char  _TUCHAR;
typedef char           _TXCHAR;
typedef int            _TINT;

#define _TEOF       EOF
#define __T(x)      x
#define _T(x)       __T(x)
#define _TEXT(x)    __T(x)

/* ---- entry points ---- */
#define _tmain      main

/* ---- formatted I/O ---- */
#define _tprintf        printf
#define _ftprintf       fprintf
#define _stprintf       sprintf
#define _stprintf_s     sprintf_s
#define _sntprintf      _snprintf
#define _sntprintf_s    _snprintf_s
#define _vtprintf       vprintf
#define _vftprintf      vfprintf
#define _vstprintf      vsprintf
#define _vstprintf_s    vsprintf_s
#define _vsntprintf     _vsnprintf
#define _vsntprintf_s   _vsnprintf_s
#define _tscanf         scanf
#define _ftscanf        fscanf
#define _stscanf        sscanf

/* ---- unformatted I/O ---- */
#define _fgettc     fgetc
#define _fgetts     fgets
#define _fputtc     fputc
#define _fputts     fputs
#define _gettc      getc
#define _gettchar   getchar
#define _puttc      putc
#define _puttchar   putchar
#define _putts      puts
#define _tfopen     fopen
#define _tfreopen   freopen
#define _tperror    perror
#define _tremove    remove
#define _trename    rename
#define _tgetenv    getenv
#define _tsystem    system
#define _taccess    _access
#define _topen      _open
#define _tunlink    _unlink

/* ---- strings ---- */
#define _tcslen     strlen
#define _tcsclen    strlen
#define _tcscpy     strcpy
#define _tcscpy_s   strcpy_s
#define _tcsncpy    strncpy
#define _tcsncpy_s  strncpy_s
#define _tcscat     strcat
#define _tcscat_s   strcat_s
#define _tcsncat    strncat
#define _tcsncat_s  strncat_s
#define _tcscmp     strcmp
#define _tcsncmp    strncmp
#define _tcsicmp    _stricmp
#define _tcsnicmp   _strnicmp
#define _tcscoll    strcoll
#define _tcsdup     _strdup
#define _tcschr     strchr
#define _tcsrchr    strrchr
#define _tcsstr     strstr
#define _tcspbrk    strpbrk
#define _tcsspn     strspn
#define _tcscspn    strcspn
#define _tcstok     strtok
#define _tcstok_s   strtok_s
#define _tcslwr     _strlwr
#define _tcsupr     _strupr
#define _tcsftime   strftime
#define _tcserror   strerror

/* ---- conversions ---- */
#define _tcstol     strtol
#define _tcstoul    strtoul
#define _tcstoi64   strtoll
#define _tcstoui64  strtoull
#define _tcstod     strtod
#define _ttoi       atoi
#define _ttol       atol
#define _ttoi64     atoll
#define _tstoi      atoi
#define _tstol      atol
#define _tstof      atof
#define _ttof       atof

/* ---- characters ---- */
#define _istalnum   isalnum
#define _istalpha   isalpha
#define _istdigit   isdigit
#define _istxdigit  isxdigit
#define _istspace   isspace
#define _istpunct   ispunct
#define _istprint   isprint
#define _istgraph   isgraph
#define _istcntrl   iscntrl
#define _istlower   islower
#define _istupper   isupper
#define _totlower   tolower
#define _totupper   toupper

#endif /* WS2_TCHAR_H */
