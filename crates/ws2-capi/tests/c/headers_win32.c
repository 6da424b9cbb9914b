/* Header fidelity (P6, P7), compiled by check-headers.sh as C11 -pedantic,
 * GNU11, C++17 and GNU++17 with -Wall -Wextra -Werror: what Windows'
 * windows.h brings in, MSVC's pragmas, min/max, the packing headers, the
 * Win32 layouts and numbers (Windows SDK values; the Rust side pins the
 * same layouts in ws2-abi's win32.rs), and every header spelling. */
#include <Windows.h>
#include <WinSock2.h>
#include <Winsock2.h>
#include <winsock.h>
#include <Ws2tcpip.h>
#include <WS2tcpip.h>
#include <Mswsock.h>
#include <MSWSock.h>
#include <Mstcpip.h>
#include <MSTcpIP.h>
#include <IPHlpApi.h>
#include <wspiapi.h>
#include <mmsystem.h>
#include <Mmsystem.h>
#include <MMSystem.h>
#include <timeapi.h>
#include <strsafe.h>
#include <StrSafe.h>
#include <Strsafe.h>
#include <tchar.h>
#include <Tchar.h>
#include <io.h>
#include <winerror.h>
#include <WinError.h>
#include <winbase.h>
#include <WinBase.h>
#include <winnt.h>
#include <WinNT.h>
#include <synchapi.h>
#include <process.h>

/* MSVC's pragmas compile cleanly under -Wall -Werror: windows.h turned
 * -Wunknown-pragmas off for the rest of the file. g++ before 13 lexes the
 * file before it sees that (GCC bug 53431), so C++ there needs
 * -Wno-unknown-pragmas on the command line, as the README says. */
#if !defined(__cplusplus) || __GNUC__ >= 13
#pragma comment(lib, "Ws2_32.lib")
#pragma comment(lib, "winmm.lib")
#pragma warning(disable : 4996)
#pragma warning(push)
#pragma warning(pop)
#pragma region helpers
#pragma endregion
#endif

#ifdef __cplusplus
#define SA(e, m) static_assert(e, m)
#else
#define SA(e, m) _Static_assert(e, m)
#endif

/* _WIN32 and WIN32 stay undefined: portable code must not take its
 * Windows-only paths. */
#if defined(_WIN32) || defined(WIN32) || defined(_WIN64)
#error "_WIN32/WIN32 must stay undefined"
#endif

/* ---- layouts (64-bit Windows) ---- */
SA(sizeof(FILETIME) == 8 && offsetof(FILETIME, dwHighDateTime) == 4, "FILETIME");
SA(sizeof(SYSTEMTIME) == 16 && offsetof(SYSTEMTIME, wDayOfWeek) == 4 &&
       offsetof(SYSTEMTIME, wMilliseconds) == 14, "SYSTEMTIME");
SA(sizeof(LARGE_INTEGER) == 8 && sizeof(ULARGE_INTEGER) == 8, "LARGE_INTEGER");
SA(sizeof(SYSTEM_INFO) == 48 && offsetof(SYSTEM_INFO, dwPageSize) == 4 &&
       offsetof(SYSTEM_INFO, wProcessorArchitecture) == 0 &&
       offsetof(SYSTEM_INFO, dwActiveProcessorMask) == 24 &&
       offsetof(SYSTEM_INFO, dwNumberOfProcessors) == 32 &&
       offsetof(SYSTEM_INFO, wProcessorRevision) == 46,
   "SYSTEM_INFO");
SA(sizeof(TIMECAPS) == 8, "TIMECAPS");
SA(sizeof(HRESULT) == 4 && (HRESULT)-1 < 0, "HRESULT is a 32-bit signed value");
SA(sizeof(SECURITY_ATTRIBUTES) == 24 && offsetof(SECURITY_ATTRIBUTES, lpSecurityDescriptor) == 8 &&
       offsetof(SECURITY_ATTRIBUTES, bInheritHandle) == 16, "SECURITY_ATTRIBUTES");
SA(STILL_ACTIVE == 259 && CREATE_SUSPENDED == 4 && STACK_SIZE_PARAM_IS_A_RESERVATION == 0x10000 &&
       CREATE_EVENT_MANUAL_RESET == 1 && CREATE_EVENT_INITIAL_SET == 2 &&
       EVENT_ALL_ACCESS == 0x1F0003 && SYNCHRONIZE == 0x100000, "threads and events");
SA(ERROR_NOT_FOUND == 1168 && ERROR_GEN_FAILURE == 31 && ERROR_ALREADY_EXISTS == 183 &&
       ERROR_IO_INCOMPLETE == 996 && ERROR_PORT_UNREACHABLE == 1234 &&
       ERROR_NETNAME_DELETED == 64 && MAXIMUM_WAIT_OBJECTS == 64, "winerror.h: waits and I/O");
SA(sizeof(MMRESULT) == 4 && sizeof(LANGID) == 2 && sizeof(TCHAR) == 1, "small types");
/* synchapi.h: Windows' x64 layouts (mirrored in ws2-abi's win32.rs) */
SA(sizeof(CRITICAL_SECTION) == 40 && offsetof(CRITICAL_SECTION, DebugInfo) == 0 &&
       offsetof(CRITICAL_SECTION, LockCount) == 8 &&
       offsetof(CRITICAL_SECTION, RecursionCount) == 12 &&
       offsetof(CRITICAL_SECTION, OwningThread) == 16 &&
       offsetof(CRITICAL_SECTION, LockSemaphore) == 24 &&
       offsetof(CRITICAL_SECTION, SpinCount) == 32, "CRITICAL_SECTION");
SA(sizeof(RTL_CRITICAL_SECTION_DEBUG) == 48 &&
       offsetof(RTL_CRITICAL_SECTION_DEBUG, CriticalSection) == 8 &&
       offsetof(RTL_CRITICAL_SECTION_DEBUG, ProcessLocksList) == 16 &&
       offsetof(RTL_CRITICAL_SECTION_DEBUG, EntryCount) == 32 &&
       offsetof(RTL_CRITICAL_SECTION_DEBUG, SpareWORD) == 46, "RTL_CRITICAL_SECTION_DEBUG");
SA(sizeof(SRWLOCK) == 8 && sizeof(CONDITION_VARIABLE) == 8 && sizeof(INIT_ONCE) == 8 &&
       sizeof(LIST_ENTRY) == 16, "one pointer each");
SA(CONDITION_VARIABLE_LOCKMODE_SHARED == 1 && INIT_ONCE_CHECK_ONLY == 1 && INIT_ONCE_ASYNC == 2 &&
       INIT_ONCE_INIT_FAILED == 4 && INIT_ONCE_CTX_RESERVED_BITS == 2 &&
       CRITICAL_SECTION_NO_DEBUG_INFO == 0x01000000, "synchapi.h flags");
SA(ERROR_TIMEOUT == 1460 && ERROR_NOT_OWNER == 288, "synchapi.h errors");

/* ---- macros and numbers ---- */
SA(MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT) == 0x0400, "LANG_USER_DEFAULT");
SA(LANG_USER_DEFAULT == 0x0400 && LANG_SYSTEM_DEFAULT == 0x0800, "language ids");
SA(PRIMARYLANGID(0x0409) == LANG_ENGLISH && SUBLANGID(0x0409) == SUBLANG_ENGLISH_US, "ids");
SA(FAILED(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)), "0x8007007A is a failure");
SA(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER) == (HRESULT)0x8007007A, "HRESULT_FROM_WIN32");
SA(HRESULT_FROM_WIN32(0) == S_OK && SUCCEEDED(S_FALSE) && FAILED(E_FAIL), "S_OK, E_FAIL");
SA(HRESULT_CODE(E_INVALIDARG) == ERROR_INVALID_PARAMETER && HRESULT_FACILITY(E_INVALIDARG) == 7, "");
SA(FORMAT_MESSAGE_ALLOCATE_BUFFER == 0x100 && FORMAT_MESSAGE_IGNORE_INSERTS == 0x200 &&
       FORMAT_MESSAGE_FROM_STRING == 0x400 && FORMAT_MESSAGE_FROM_HMODULE == 0x800 &&
       FORMAT_MESSAGE_FROM_SYSTEM == 0x1000 && FORMAT_MESSAGE_ARGUMENT_ARRAY == 0x2000 &&
       FORMAT_MESSAGE_MAX_WIDTH_MASK == 0xFF, "FORMAT_MESSAGE_*");
SA(HEAP_ZERO_MEMORY == 8 && HEAP_REALLOC_IN_PLACE_ONLY == 0x10 && HEAP_GENERATE_EXCEPTIONS == 4, "");
SA(LPTR == 0x40 && LHND == 0x42 && GPTR == 0x40 && GHND == 0x42, "LocalAlloc flags");
SA(TIMERR_NOERROR == 0 && TIMERR_NOCANDO == 97 && TIMERR_STRUCT == 129 && MMSYSERR_INVALPARAM == 11, "");
SA(ERROR_MOD_NOT_FOUND == 126 && ERROR_PROC_NOT_FOUND == 127 && ERROR_MR_MID_NOT_FOUND == 317 &&
       ERROR_NO_WORK_DONE == 235 && ERROR_BAD_EXE_FORMAT == 193 && ERROR_NOT_LOCKED == 158 &&
       ERROR_RESOURCE_LANG_NOT_FOUND == 1815, "winerror.h");
SA(STRUNCATE == 80 && _TRUNCATE == (size_t)-1 && _NLSCMPERROR == 2147483647, "CRT");
SA(_O_RDONLY == 0 && _O_WRONLY == 1 && _O_RDWR == 2 && _O_APPEND == 8 && _O_CREAT == 0x100 &&
       _O_TRUNC == 0x200 && _O_EXCL == 0x400 && _O_TEXT == 0x4000 && _O_BINARY == 0x8000, "io.h");
SA(MAX_PATH == 260 && _MAX_PATH == 260 && MEMORY_ALLOCATION_ALIGNMENT == 16, "limits");

/* min and max are Windows' macros (NOMINMAX not defined here). */
SA(max(3, 7) == 7 && min(3, 7) == 3 && max(-1, -2) == -1, "min/max");

/* ---- packing headers: push/pop pairs, nestable ---- */
#include <pshpack1.h>
typedef struct { char c; DWORD d; } PACKED1;
#include <pshpack4.h>
typedef struct { char c; ULONGLONG q; } PACKED4;
#include <poppack.h>
typedef struct { char c; DWORD d; WORD w; } PACKED1_AGAIN;
#include <poppack.h>
#include <pshpack2.h>
typedef struct { char c; DWORD d; } PACKED2;
#include <poppack.h>
#include <pshpack8.h>
typedef struct { char c; ULONGLONG q; } PACKED8;
#include <poppack.h>
typedef struct { char c; DWORD d; } NATURAL;
SA(sizeof(PACKED1) == 5 && sizeof(PACKED1_AGAIN) == 7, "pshpack1.h");
SA(sizeof(PACKED2) == 6 && sizeof(PACKED4) == 12 && sizeof(PACKED8) == 16, "pshpack2/4/8.h");
SA(sizeof(NATURAL) == 8, "poppack.h restores the natural packing");

/* What windows.h brings in, used without including it again: ctype,
 * string, stdlib, stdarg; TCHAR text; the kernel32, winmm and Winsock
 * calls of a program that includes only <windows.h>. */
int win32_header_use(const char *name, ...);
int win32_header_use(const char *name, ...)
{
    TCHAR buf[32];
    char copy[8];
    va_list args;
    int n = tolower((unsigned char)name[0]) + isdigit((unsigned char)name[1]);
    va_start(args, name);
    n += va_arg(args, int);
    va_end(args);
    memcpy(copy, "abc", 4);
    n += (int)strlen(copy) + atoi("1") + abs(-1);
    if (FAILED(StringCchPrintf(buf, ARRAYSIZE(buf), TEXT("%s:%d"), name, n)))
        return -1;
    n += (int)_tcslen(buf) + lstrlen(_T("abc")) + _tcsicmp(_T("A"), _T("a"));
    n += (int)(timeGetTime() & 1) + (int)(GetTickCount() & 1);
    n += socket(AF_INET, SOCK_DGRAM, 0) == INVALID_SOCKET;
    n += _stricmp("x", "X") + (strcpy_s(copy, sizeof copy, "x") == 0);
    {
        static SRWLOCK lock = SRWLOCK_INIT;
        static CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
        static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
        static volatile LONG counter;
        AcquireSRWLockShared(&lock);
        ReleaseSRWLockShared(&lock);
        WakeConditionVariable(&cv);
        n += once.Ptr == NULL;
        n += (int)InterlockedIncrement(&counter) + (int)InterlockedCompareExchange(&counter, 0, 1);
        MemoryBarrier();
        {
            _beginthreadex_proc_type f = NULL;
            n += f == NULL;
        }
    }
    return max(n, 0);
}
