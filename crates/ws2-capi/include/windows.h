/*
 * windows.h -- the Win32 types, constants and kernel32 calls that libws2_32
 * (ws2 for Linux) implements.  Hand-written for the 64-bit Windows (LLP64)
 * data model: LONG/ULONG/DWORD/HRESULT are 32-bit, pointers and *_PTR
 * 64-bit.
 *
 * Like Windows' windows.h it brings in <ctype.h>, <stdarg.h>, <string.h>,
 * <stdlib.h>, <wchar.h> (Windows programs call tolower or memcpy without
 * including them), winerror.h, winnt.h, winbase.h (and through it
 * synchapi.h: critical sections, SRW locks, condition variables), the
 * Microsoft-named C runtime (ws2_crt.h: strcpy_s, _stricmp, sprintf_s...),
 * and, unless WIN32_LEAN_AND_MEAN is defined, mmsystem.h and Winsock
 * (winsock2.h, which serves programs written for winsock.h too).  min and
 * max are Windows' macros unless NOMINMAX is defined.
 *
 * Two things differ on purpose:
 *   - _WIN32 (and WIN32) stay undefined: portable code uses them to pick
 *     Windows-only paths (__declspec, MSVC intrinsics...);
 *   - UNICODE and _UNICODE builds are refused (#error below).
 *
 * MSVC's #pragma comment(lib, ...), #pragma warning(...) and #pragma region
 * are everywhere in Windows sources, and gcc's -Wall warns about each
 * (-Wunknown-pragmas).  gcc has no switch for one pragma, so this header
 * turns -Wunknown-pragmas off for the rest of the translation unit (and
 * nothing else).  g++ before 13 ignores that pragma for code it has already
 * lexed (GCC bug 53431): C++ programs built with an older g++ need
 * -Wno-unknown-pragmas on the command line.
 */
#ifndef WS2_WINDOWS_H
#define WS2_WINDOWS_H

#if defined(UNICODE) || defined(_UNICODE)
#error "ws2: UNICODE and _UNICODE builds are not supported. Windows' WCHAR is 16-bit, but gcc's wchar_t and L\"...\" are 32-bit on Linux, so TCHAR text would silently be the wrong kind of string. Build without UNICODE and _UNICODE (TCHAR is then char); the W functions stay available with WCHAR (16-bit) buffers."
#endif

#pragma GCC diagnostic ignored "-Wunknown-pragmas"

/* A program's FD_SETSIZE survives glibc's <sys/select.h>, which
 * <sys/time.h> (and <stdlib.h> in GNU modes) bring in: ws2_fdsetsize.h. */
#include "ws2_fdsetsize.h"
#pragma push_macro("FD_SETSIZE")
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <sys/types.h>
#include <sys/time.h>
#pragma pop_macro("FD_SETSIZE")

#ifdef __cplusplus
extern "C" {
#endif

/* ---- calling conventions, decorations, SAL: all empty on Linux ---- */
#ifndef WINAPI
#define WINAPI
#endif
#ifndef WINAPIV
#define WINAPIV
#endif
#ifndef APIENTRY
#define APIENTRY
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef PASCAL
#define PASCAL
#endif
#ifndef WSAAPI
#define WSAAPI
#endif
#ifndef FAR
#define FAR
#endif
#ifndef NEAR
#define NEAR
#endif
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef VOID
#define VOID void
#endif

#ifndef _In_
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_(n)
#define _In_reads_bytes_opt_(n)
#define _Out_
#define _Out_opt_
#define _Out_writes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_to_(n, m)
#define _Out_writes_bytes_to_(n, m)
#define _Out_writes_bytes_to_opt_(n, m)
#define _Inout_
#define _Inout_opt_
#define _Outptr_
#define _Outptr_opt_
#define _Reserved_
#define _Field_size_(n)
#define _Field_size_bytes_(n)
#define _Success_(expr)
#define _Must_inspect_result_
#define _Ret_maybenull_
#define _Check_return_
#endif

/* ---- Microsoft integer keywords (as MinGW provides them) ---- */
#ifndef __int8
#define __int8 char
#endif
#ifndef __int16
#define __int16 short
#endif
#ifndef __int32
#define __int32 int
#endif
#ifndef __int64
#define __int64 long long
#endif

/* ---- base types (LLP64 sizes) ---- */
typedef unsigned char       BYTE;
typedef unsigned short      WORD;
typedef unsigned int        DWORD;      /* 32-bit, as on Windows */
typedef int                 BOOL;
typedef unsigned char       BOOLEAN;
typedef char                CHAR;
typedef unsigned char       UCHAR;
typedef short               SHORT;
typedef unsigned short      USHORT;
typedef int                 INT;
typedef unsigned int        UINT;
typedef int                 LONG;       /* 32-bit, as on Windows */
typedef unsigned int        ULONG;      /* 32-bit, as on Windows */
typedef long long           LONGLONG;
typedef unsigned long long  ULONGLONG;
typedef unsigned long long  DWORDLONG;
typedef signed char         INT8;
typedef unsigned char       UINT8;
typedef short               INT16;
typedef unsigned short      UINT16;
typedef int                 INT32;
typedef unsigned int        UINT32;
typedef long long           INT64;
typedef unsigned long long  UINT64;
typedef int                 LONG32;
typedef unsigned int        ULONG32;
typedef unsigned int        DWORD32;
typedef long long           LONG64;
typedef unsigned long long  ULONG64;
typedef unsigned long long  DWORD64;
typedef float               FLOAT;
typedef int                 HRESULT;
typedef unsigned short      WCHAR;      /* UTF-16 code unit, not wchar_t */

typedef intptr_t            INT_PTR;
typedef uintptr_t           UINT_PTR;
typedef intptr_t            LONG_PTR;
typedef uintptr_t           ULONG_PTR;
typedef ULONG_PTR           DWORD_PTR;
typedef ULONG_PTR           SIZE_T;
typedef LONG_PTR            SSIZE_T;

typedef void               *PVOID;
typedef void               *LPVOID;
typedef const void         *LPCVOID;
typedef void               *HANDLE;
typedef HANDLE             *PHANDLE;
typedef HANDLE             *LPHANDLE;
typedef HANDLE              HMODULE;
typedef HANDLE              HINSTANCE;

typedef BYTE               *PBYTE,   *LPBYTE;
typedef WORD               *PWORD,   *LPWORD;
typedef DWORD              *PDWORD,  *LPDWORD;
typedef BOOL               *PBOOL,   *LPBOOL;
typedef BOOLEAN            *PBOOLEAN;
typedef CHAR               *PCHAR,   *LPCH;
typedef UCHAR              *PUCHAR;
typedef SHORT              *PSHORT;
typedef USHORT             *PUSHORT;
typedef INT                *PINT,    *LPINT;
typedef UINT               *PUINT,   *LPUINT;
typedef LONG               *PLONG,   *LPLONG;
typedef ULONG              *PULONG;
typedef LONGLONG           *PLONGLONG;
typedef ULONGLONG          *PULONGLONG;
typedef INT_PTR            *PINT_PTR;
typedef UINT_PTR           *PUINT_PTR;
typedef LONG_PTR           *PLONG_PTR;
typedef ULONG_PTR          *PULONG_PTR;
typedef DWORD_PTR          *PDWORD_PTR;
typedef SIZE_T             *PSIZE_T;
typedef WCHAR              *PWCHAR;

typedef CHAR               *LPSTR,   *PSTR,  *NPSTR;
typedef const CHAR         *LPCSTR,  *PCSTR;
typedef WCHAR              *LPWSTR,  *PWSTR;
typedef const WCHAR        *LPCWSTR, *PCWSTR;
/* TCHAR is char: UNICODE builds are refused (above). */
#ifndef _TCHAR_DEFINED
#define _TCHAR_DEFINED
typedef char TCHAR, *PTCHAR;
typedef unsigned char TBYTE, *PTBYTE;
#endif
typedef char               *LPTSTR,  *PTSTR;
typedef const char         *LPCTSTR, *PCTSTR;
typedef const CHAR         *LPCCH,   *PCCH;
typedef CHAR               *PSZ;
#define __TEXT(quote) quote
#define TEXT(quote) __TEXT(quote)

/* ---- time structures (minwinbase.h) ---- */
typedef struct _FILETIME {
    DWORD dwLowDateTime;
    DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef struct _SYSTEMTIME {
    WORD wYear;
    WORD wMonth;
    WORD wDayOfWeek;
    WORD wDay;
    WORD wHour;
    WORD wMinute;
    WORD wSecond;
    WORD wMilliseconds;
} SYSTEMTIME, *PSYSTEMTIME, *LPSYSTEMTIME;

/* ---- GUID ---- */
#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    ULONG  Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR  Data4[8];
} GUID;
#endif
typedef GUID *LPGUID;
typedef GUID *PGUID;
typedef const GUID *LPCGUID;
#ifndef REFGUID
#ifdef __cplusplus
#define REFGUID const GUID &
#else
#define REFGUID const GUID *
#endif
#endif

/* ---- OVERLAPPED (32 bytes) ---- */
typedef struct _OVERLAPPED {
    ULONG_PTR Internal;       /* NTSTATUS of the operation (STATUS_PENDING while pending) */
    ULONG_PTR InternalHigh;   /* bytes transferred */
    union {
        __extension__ struct {
            DWORD Offset;
            DWORD OffsetHigh;
        };
        PVOID Pointer;
    };
    HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED, *POVERLAPPED;

typedef struct _OVERLAPPED_ENTRY {
    ULONG_PTR    lpCompletionKey;
    LPOVERLAPPED lpOverlapped;
    ULONG_PTR    Internal;
    DWORD        dwNumberOfBytesTransferred;
} OVERLAPPED_ENTRY, *LPOVERLAPPED_ENTRY, *POVERLAPPED_ENTRY;

typedef VOID (WINAPI *LPOVERLAPPED_COMPLETION_ROUTINE)(
    DWORD dwErrorCode, DWORD dwNumberOfBytesTransfered, LPOVERLAPPED lpOverlapped);

/* ---- constants ---- */
#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef MAX_PATH
#define MAX_PATH 260
#endif

#define INFINITE                0xFFFFFFFF
#define MAXIMUM_WAIT_OBJECTS    64
#define INVALID_HANDLE_VALUE    ((HANDLE)(LONG_PTR)-1)

/* NTSTATUS values, as they appear in OVERLAPPED.Internal (zero-extended). */
#define STATUS_SUCCESS                  ((DWORD)0x00000000L)
#define STATUS_WAIT_0                   ((DWORD)0x00000000L)
#define STATUS_ABANDONED_WAIT_0         ((DWORD)0x00000080L)
#define STATUS_USER_APC                 ((DWORD)0x000000C0L)
#define STATUS_TIMEOUT                  ((DWORD)0x00000102L)
#define STATUS_PENDING                  ((DWORD)0x00000103L)
#define STATUS_BUFFER_OVERFLOW          ((DWORD)0x80000005L)
#define STATUS_BUFFER_TOO_SMALL         ((DWORD)0xC0000023L)
#define STATUS_INVALID_PARAMETER        ((DWORD)0xC000000DL)
#define STATUS_ACCESS_DENIED            ((DWORD)0xC0000022L)
#define STATUS_INSUFFICIENT_RESOURCES   ((DWORD)0xC000009AL)
#define STATUS_PIPE_DISCONNECTED        ((DWORD)0xC00000B0L)
#define STATUS_IO_TIMEOUT               ((DWORD)0xC00000B5L)
#define STATUS_NOT_SUPPORTED            ((DWORD)0xC00000BBL)
#define STATUS_CONNECTION_RESET         ((DWORD)0xC000020DL)
#define STATUS_CONNECTION_REFUSED       ((DWORD)0xC0000236L)
#define STATUS_CONNECTION_ABORTED       ((DWORD)0xC0000241L)
#define STATUS_CANCELLED                ((DWORD)0xC0000120L)
#define STATUS_INVALID_CONNECTION       ((DWORD)0xC0000140L)
#define STATUS_NETWORK_UNREACHABLE      ((DWORD)0xC000023CL)
#define STATUS_HOST_UNREACHABLE         ((DWORD)0xC000023DL)
#define STATUS_PORT_UNREACHABLE         ((DWORD)0xC000023FL)

#define WAIT_OBJECT_0           ((STATUS_WAIT_0) + 0)
#define WAIT_ABANDONED          ((STATUS_ABANDONED_WAIT_0) + 0)
#define WAIT_ABANDONED_0        ((STATUS_ABANDONED_WAIT_0) + 0)
#define WAIT_IO_COMPLETION      STATUS_USER_APC
#define WAIT_TIMEOUT            258
#define WAIT_FAILED             ((DWORD)0xFFFFFFFF)

#define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS    0x1
#define FILE_SKIP_SET_EVENT_ON_HANDLE           0x2

/* ---- macros ---- */
#define MAKEWORD(a, b)  ((WORD)(((BYTE)(((DWORD_PTR)(a)) & 0xff)) | ((WORD)((BYTE)(((DWORD_PTR)(b)) & 0xff))) << 8))
#define MAKELONG(a, b)  ((LONG)(((WORD)(((DWORD_PTR)(a)) & 0xffff)) | ((DWORD)((WORD)(((DWORD_PTR)(b)) & 0xffff))) << 16))
#define LOWORD(l)       ((WORD)(((DWORD_PTR)(l)) & 0xffff))
#define HIWORD(l)       ((WORD)((((DWORD_PTR)(l)) >> 16) & 0xffff))
#define LOBYTE(w)       ((BYTE)(((DWORD_PTR)(w)) & 0xff))
#define HIBYTE(w)       ((BYTE)((((DWORD_PTR)(w)) >> 8) & 0xff))

#define MoveMemory(Destination, Source, Length)  memmove((Destination), (Source), (Length))
#define CopyMemory(Destination, Source, Length)  memcpy((Destination), (Source), (Length))
#define FillMemory(Destination, Length, Fill)    memset((Destination), (Fill), (Length))
#define ZeroMemory(Destination, Length)          memset((Destination), 0, (Length))
#define RtlMoveMemory MoveMemory
#define RtlCopyMemory CopyMemory
#define RtlFillMemory FillMemory
#define RtlZeroMemory ZeroMemory
#define SecureZeroMemory ZeroMemory

/* min and max, as Windows defines them (each argument may be evaluated
 * twice), unless NOMINMAX or the program's own come first. */
#ifndef NOMINMAX
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#endif

#define UNREFERENCED_PARAMETER(P)           ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P)       ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V)  ((void)(V))

#define HasOverlappedIoCompleted(lpOverlapped) \
    (((DWORD)(lpOverlapped)->Internal) != STATUS_PENDING)

/* ---- kernel32 calls implemented by libws2_32 (Windows names, no prefix) ---- */
DWORD WINAPI GetLastError(void);
VOID  WINAPI SetLastError(DWORD dwErrCode);
VOID  WINAPI Sleep(DWORD dwMilliseconds);
DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable);
DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles,
                                    BOOL bWaitAll, DWORD dwMilliseconds);
DWORD WINAPI WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles,
                                      BOOL bWaitAll, DWORD dwMilliseconds, BOOL bAlertable);
BOOL  WINAPI CloseHandle(HANDLE hObject);
HANDLE WINAPI CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
                                     ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads);
BOOL  WINAPI GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
                                       PULONG_PTR lpCompletionKey, LPOVERLAPPED *lpOverlapped,
                                       DWORD dwMilliseconds);
BOOL  WINAPI GetQueuedCompletionStatusEx(HANDLE CompletionPort,
                                         LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                         ULONG ulCount, PULONG ulNumEntriesRemoved,
                                         DWORD dwMilliseconds, BOOL fAlertable);
BOOL  WINAPI PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
                                        ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped);
BOOL  WINAPI SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags);

#ifdef __cplusplus
}
#endif

#include "winerror.h"
#include "winnt.h"
#include "winbase.h"
#include "ws2_crt.h"

#ifndef WIN32_LEAN_AND_MEAN
#include "mmsystem.h"
#include "winsock2.h"
#endif

#endif /* WS2_WINDOWS_H */
