/*
 * winbase.h -- the kernel32 calls libws2_32 implements besides waits and
 * completion ports (those are in windows.h): heaps and Local/Global memory,
 * lstr*, time, process ids, module look-ups, FormatMessage, threads,
 * events, and overlapped results and cancellation on sockets (SPEC P6);
 * the synchronisation objects in the program's memory (critical sections,
 * SRW locks, condition variables, INIT_ONCE) are in synchapi.h, which it
 * includes.  Included by windows.h.  The TCHAR names (lstrlen, FormatMessage,
 * LoadLibrary, ...) are the A functions: UNICODE builds are refused (see
 * windows.h).
 */
#ifndef WS2_WINBASE_H
#define WS2_WINBASE_H

#include "windows.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- heaps (heapapi.h) ---- */
HANDLE WINAPI GetProcessHeap(void);
HANDLE WINAPI HeapCreate(DWORD flOptions, SIZE_T dwInitialSize, SIZE_T dwMaximumSize);
BOOL   WINAPI HeapDestroy(HANDLE hHeap);
LPVOID WINAPI HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes);
LPVOID WINAPI HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes);
SIZE_T WINAPI HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem);
BOOL   WINAPI HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem);
BOOL   WINAPI HeapValidate(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem);

/* ---- Local and Global memory (fixed blocks of the process heap) ---- */
typedef HANDLE HLOCAL;
typedef HANDLE HGLOBAL;

#define LMEM_FIXED          0x0000
#define LMEM_MOVEABLE       0x0002
#define LMEM_NOCOMPACT      0x0010
#define LMEM_NODISCARD      0x0020
#define LMEM_ZEROINIT       0x0040
#define LMEM_MODIFY         0x0080
#define LMEM_DISCARDABLE    0x0F00
#define LMEM_VALID_FLAGS    0x0F72
#define LMEM_INVALID_HANDLE 0x8000
#define LHND                (LMEM_MOVEABLE | LMEM_ZEROINIT)
#define LPTR                (LMEM_FIXED | LMEM_ZEROINIT)
#define NONZEROLHND         (LMEM_MOVEABLE)
#define NONZEROLPTR         (LMEM_FIXED)

#define GMEM_FIXED          0x0000
#define GMEM_MOVEABLE       0x0002
#define GMEM_NOCOMPACT      0x0010
#define GMEM_NODISCARD      0x0020
#define GMEM_ZEROINIT       0x0040
#define GMEM_MODIFY         0x0080
#define GMEM_DISCARDABLE    0x0100
#define GMEM_VALID_FLAGS    0x7F72
#define GHND                (GMEM_MOVEABLE | GMEM_ZEROINIT)
#define GPTR                (GMEM_FIXED | GMEM_ZEROINIT)

HLOCAL  WINAPI LocalAlloc(UINT uFlags, SIZE_T uBytes);
HLOCAL  WINAPI LocalFree(HLOCAL hMem);
HLOCAL  WINAPI LocalReAlloc(HLOCAL hMem, SIZE_T uBytes, UINT uFlags);
SIZE_T  WINAPI LocalSize(HLOCAL hMem);
LPVOID  WINAPI LocalLock(HLOCAL hMem);
BOOL    WINAPI LocalUnlock(HLOCAL hMem);
HGLOBAL WINAPI GlobalAlloc(UINT uFlags, SIZE_T dwBytes);
HGLOBAL WINAPI GlobalFree(HGLOBAL hMem);
HGLOBAL WINAPI GlobalReAlloc(HGLOBAL hMem, SIZE_T dwBytes, UINT uFlags);
SIZE_T  WINAPI GlobalSize(HGLOBAL hMem);
LPVOID  WINAPI GlobalLock(HGLOBAL hMem);
BOOL    WINAPI GlobalUnlock(HGLOBAL hMem);

/* ---- lstr* ---- */
int    WINAPI lstrlenA(LPCSTR lpString);
int    WINAPI lstrlenW(LPCWSTR lpString);
LPSTR  WINAPI lstrcpyA(LPSTR lpString1, LPCSTR lpString2);
LPWSTR WINAPI lstrcpyW(LPWSTR lpString1, LPCWSTR lpString2);
LPSTR  WINAPI lstrcpynA(LPSTR lpString1, LPCSTR lpString2, int iMaxLength);
LPWSTR WINAPI lstrcpynW(LPWSTR lpString1, LPCWSTR lpString2, int iMaxLength);
LPSTR  WINAPI lstrcatA(LPSTR lpString1, LPCSTR lpString2);
LPWSTR WINAPI lstrcatW(LPWSTR lpString1, LPCWSTR lpString2);
int    WINAPI lstrcmpA(LPCSTR lpString1, LPCSTR lpString2);
int    WINAPI lstrcmpW(LPCWSTR lpString1, LPCWSTR lpString2);
int    WINAPI lstrcmpiA(LPCSTR lpString1, LPCSTR lpString2);
int    WINAPI lstrcmpiW(LPCWSTR lpString1, LPCWSTR lpString2);
#define lstrlen     lstrlenA
#define lstrcpy     lstrcpyA
#define lstrcpyn    lstrcpynA
#define lstrcat     lstrcatA
#define lstrcmp     lstrcmpA
#define lstrcmpi    lstrcmpiA

/* ---- the machine (sysinfoapi.h): what x64 Windows reports for the page
 * size (4096), the allocation granularity (64 KiB) and the application
 * address range; the processors online; the CPU's family as the level and
 * its model and stepping as the revision. */
typedef struct _SYSTEM_INFO {
    union {
        DWORD dwOemId;
        struct {
            WORD wProcessorArchitecture;
            WORD wReserved;
        };
    };
    DWORD     dwPageSize;
    LPVOID    lpMinimumApplicationAddress;
    LPVOID    lpMaximumApplicationAddress;
    DWORD_PTR dwActiveProcessorMask;
    DWORD     dwNumberOfProcessors;
    DWORD     dwProcessorType;
    DWORD     dwAllocationGranularity;
    WORD      wProcessorLevel;
    WORD      wProcessorRevision;
} SYSTEM_INFO, *LPSYSTEM_INFO;

#define PROCESSOR_ARCHITECTURE_INTEL    0
#define PROCESSOR_ARCHITECTURE_ARM      5
#define PROCESSOR_ARCHITECTURE_AMD64    9
#define PROCESSOR_ARCHITECTURE_ARM64    12
#define PROCESSOR_ARCHITECTURE_UNKNOWN  0xffff
#define PROCESSOR_INTEL_386             386
#define PROCESSOR_INTEL_486             486
#define PROCESSOR_INTEL_PENTIUM         586
#define PROCESSOR_AMD_X8664             8664
#define PROCESSOR_ARM                   0

VOID WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo);
VOID WINAPI GetNativeSystemInfo(LPSYSTEM_INFO lpSystemInfo);

/* ---- virtual memory (memoryapi.h): reservations on 64 KiB boundaries,
 * committed pages zero-filled, Windows' protections and error codes;
 * MEM_RESET_UNDO, MEM_WRITE_WATCH and MEM_PHYSICAL are not provided
 * (ERROR_NOT_SUPPORTED).  Memory VirtualAlloc did not make (the stack, the
 * heap, the image) is described from Linux's mappings. ---- */
LPVOID WINAPI VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType,
                           DWORD flProtect);
BOOL   WINAPI VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType);
BOOL   WINAPI VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect,
                             PDWORD lpflOldProtect);
SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer,
                           SIZE_T dwLength);

/* ---- interlocked singly linked lists (interlockedapi.h): lock-free, one
 * 16-byte compare-exchange per change; an entry popped while another
 * thread may pop must stay readable memory (freed to the heap, not
 * unmapped). ---- */
VOID         WINAPI InitializeSListHead(PSLIST_HEADER ListHead);
PSLIST_ENTRY WINAPI InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry);
PSLIST_ENTRY WINAPI InterlockedPopEntrySList(PSLIST_HEADER ListHead);
PSLIST_ENTRY WINAPI InterlockedFlushSList(PSLIST_HEADER ListHead);
USHORT       WINAPI QueryDepthSList(PSLIST_HEADER ListHead);
PSLIST_ENTRY WINAPI InterlockedPushListSListEx(PSLIST_HEADER ListHead, PSLIST_ENTRY List,
                                               PSLIST_ENTRY ListEnd, ULONG Count);

/* ---- debugging (debugapi.h): OutputDebugString is dropped, as on Windows
 * with no debugger attached, unless WS2_DEBUG_OUTPUT=stderr is in the
 * environment when the program starts (then written to stderr as is);
 * IsDebuggerPresent is TRUE while a tracer (gdb, strace) is attached;
 * DebugBreak raises SIGTRAP. ---- */
VOID WINAPI OutputDebugStringA(LPCSTR lpOutputString);
VOID WINAPI OutputDebugStringW(LPCWSTR lpOutputString);
BOOL WINAPI IsDebuggerPresent(void);
VOID WINAPI DebugBreak(void);
#define OutputDebugString OutputDebugStringA

/* ---- the standard handles and console output (processenv.h,
 * consoleapi.h): a handle for each of stdin, stdout and stderr that is open
 * (NULL otherwise), the same at every call; WriteConsole writes to a
 * terminal only (redirected to a file or pipe: ERROR_INVALID_HANDLE, as on
 * Windows), WriteConsoleW as UTF-8. ---- */
#define STD_INPUT_HANDLE    ((DWORD)-10)
#define STD_OUTPUT_HANDLE   ((DWORD)-11)
#define STD_ERROR_HANDLE    ((DWORD)-12)
HANDLE WINAPI GetStdHandle(DWORD nStdHandle);
BOOL   WINAPI SetStdHandle(DWORD nStdHandle, HANDLE hHandle);
BOOL   WINAPI WriteConsoleA(HANDLE hConsoleOutput, const VOID *lpBuffer,
                            DWORD nNumberOfCharsToWrite, LPDWORD lpNumberOfCharsWritten,
                            LPVOID lpReserved);
BOOL   WINAPI WriteConsoleW(HANDLE hConsoleOutput, const VOID *lpBuffer,
                            DWORD nNumberOfCharsToWrite, LPDWORD lpNumberOfCharsWritten,
                            LPVOID lpReserved);
#define WriteConsole WriteConsoleA

/* ---- ReadFile and WriteFile (fileapi.h) on a SOCKET (a file handle, as
 * on Windows: WSARecv/WSASend with one buffer and no flags, blocking or
 * overlapped through the OVERLAPPED's event, the socket's completion port
 * and GetOverlappedResult) and on the standard handles (blocking reads and
 * writes). The byte count may be NULL only with an OVERLAPPED. ---- */
BOOL   WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                       LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped);
BOOL   WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                        LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped);

/* ---- console control handlers (consoleapi.h, wincon.h): Linux's SIGINT is
 * CTRL_C_EVENT, SIGQUIT (Ctrl-backslash) CTRL_BREAK_EVENT, SIGHUP and SIGTERM
 * CTRL_CLOSE_EVENT.  The first SetConsoleCtrlHandler installs ws2's
 * handlers for those four signals; the routines run on a new thread, the
 * most recently added first, until one returns TRUE. */
typedef BOOL (WINAPI *PHANDLER_ROUTINE)(DWORD CtrlType);
#define CTRL_C_EVENT        0
#define CTRL_BREAK_EVENT    1
#define CTRL_CLOSE_EVENT    2
#define CTRL_LOGOFF_EVENT   5
#define CTRL_SHUTDOWN_EVENT 6
BOOL WINAPI SetConsoleCtrlHandler(PHANDLER_ROUTINE HandlerRoutine, BOOL Add);
BOOL WINAPI GenerateConsoleCtrlEvent(DWORD dwCtrlEvent, DWORD dwProcessGroupId);

/* ---- the environment (processenv.h) and the computer's name
 * (sysinfoapi.h): the C library's environment, names matched in any case;
 * the computer name is the host name's first label in upper case, at most
 * MAX_COMPUTERNAME_LENGTH characters (a NetBIOS name). ---- */
#define MAX_COMPUTERNAME_LENGTH 15
DWORD WINAPI GetEnvironmentVariableA(LPCSTR lpName, LPSTR lpBuffer, DWORD nSize);
DWORD WINAPI GetEnvironmentVariableW(LPCWSTR lpName, LPWSTR lpBuffer, DWORD nSize);
BOOL  WINAPI SetEnvironmentVariableA(LPCSTR lpName, LPCSTR lpValue);
BOOL  WINAPI SetEnvironmentVariableW(LPCWSTR lpName, LPCWSTR lpValue);
BOOL  WINAPI GetComputerNameA(LPSTR lpBuffer, LPDWORD nSize);
BOOL  WINAPI GetComputerNameW(LPWSTR lpBuffer, LPDWORD nSize);
#define GetEnvironmentVariable GetEnvironmentVariableA
#define SetEnvironmentVariable SetEnvironmentVariableA
#define GetComputerName        GetComputerNameA

/* ---- code pages (stringapiset.h, winnls.h): UTF-8 only.  CP_ACP,
 * CP_OEMCP and CP_THREAD_ACP are UTF-8 here (GetACP() is 65001), as on
 * Windows set to use UTF-8 for worldwide language support; any other code
 * page is ERROR_INVALID_PARAMETER. ---- */
#define CP_ACP                  0
#define CP_OEMCP                1
#define CP_MACCP                2
#define CP_THREAD_ACP           3
#define CP_UTF7                 65000
#define CP_UTF8                 65001
#define MB_PRECOMPOSED          0x00000001
#define MB_COMPOSITE            0x00000002
#define MB_USEGLYPHCHARS        0x00000004
#define MB_ERR_INVALID_CHARS    0x00000008
#define WC_DISCARDNS            0x00000010
#define WC_SEPCHARS             0x00000020
#define WC_DEFAULTCHAR          0x00000040
#define WC_ERR_INVALID_CHARS    0x00000080
#define WC_COMPOSITECHECK       0x00000200
#define WC_NO_BEST_FIT_CHARS    0x00000400
int  WINAPI MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCSTR lpMultiByteStr,
                                int cbMultiByte, LPWSTR lpWideCharStr, int cchWideChar);
int  WINAPI WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWSTR lpWideCharStr,
                                int cchWideChar, LPSTR lpMultiByteStr, int cbMultiByte,
                                LPCSTR lpDefaultChar, LPBOOL lpUsedDefaultChar);
UINT WINAPI GetACP(void);
UINT WINAPI GetOEMCP(void);

/* ---- time (sysinfoapi.h, profileapi.h, timezoneapi.h) ---- */
DWORD     WINAPI GetTickCount(void);
ULONGLONG WINAPI GetTickCount64(void);
BOOL      WINAPI QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount);
BOOL      WINAPI QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency);
VOID      WINAPI GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime);
VOID      WINAPI GetSystemTimePreciseAsFileTime(LPFILETIME lpSystemTimeAsFileTime);
VOID      WINAPI GetSystemTime(LPSYSTEMTIME lpSystemTime);
VOID      WINAPI GetLocalTime(LPSYSTEMTIME lpSystemTime);
BOOL      WINAPI FileTimeToSystemTime(const FILETIME *lpFileTime, LPSYSTEMTIME lpSystemTime);
BOOL      WINAPI SystemTimeToFileTime(const SYSTEMTIME *lpSystemTime, LPFILETIME lpFileTime);

/* ---- the process and its modules ---- */
typedef INT_PTR (WINAPI *FARPROC)();
typedef INT_PTR (WINAPI *NEARPROC)();
typedef INT_PTR (WINAPI *PROC)();

HANDLE  WINAPI GetCurrentProcess(void);   /* the pseudo-handle (HANDLE)-1 */
DWORD   WINAPI GetCurrentProcessId(void);
DWORD   WINAPI GetCurrentThreadId(void);
__attribute__((noreturn)) VOID WINAPI ExitProcess(UINT uExitCode);

#define LOAD_LIBRARY_AS_DATAFILE            0x00000002
#define LOAD_WITH_ALTERED_SEARCH_PATH       0x00000008
#define LOAD_LIBRARY_AS_IMAGE_RESOURCE      0x00000020
#define LOAD_LIBRARY_SEARCH_APPLICATION_DIR 0x00000200
#define LOAD_LIBRARY_SEARCH_SYSTEM32        0x00000800
#define LOAD_LIBRARY_SEARCH_DEFAULT_DIRS    0x00001000

HMODULE WINAPI GetModuleHandleA(LPCSTR lpModuleName);
HMODULE WINAPI GetModuleHandleW(LPCWSTR lpModuleName);
HMODULE WINAPI LoadLibraryA(LPCSTR lpLibFileName);
HMODULE WINAPI LoadLibraryW(LPCWSTR lpLibFileName);
HMODULE WINAPI LoadLibraryExA(LPCSTR lpLibFileName, HANDLE hFile, DWORD dwFlags);
HMODULE WINAPI LoadLibraryExW(LPCWSTR lpLibFileName, HANDLE hFile, DWORD dwFlags);
FARPROC WINAPI GetProcAddress(HMODULE hModule, LPCSTR lpProcName);
BOOL    WINAPI FreeLibrary(HMODULE hLibModule);
/* The program's path for NULL, libws2_32's for the DLLs it stands in for;
 * a buffer too small gets the path cut, a NUL, nSize returned and
 * ERROR_INSUFFICIENT_BUFFER. */
DWORD   WINAPI GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize);
DWORD   WINAPI GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize);
#define GetModuleHandle GetModuleHandleA
#define GetModuleFileName GetModuleFileNameA
#define LoadLibrary     LoadLibraryA
#define LoadLibraryEx   LoadLibraryExA

/* ---- threads (processthreadsapi.h) ---- */
typedef struct _SECURITY_ATTRIBUTES {
    DWORD  nLength;
    LPVOID lpSecurityDescriptor;
    BOOL   bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef DWORD (WINAPI *PTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
typedef PTHREAD_START_ROUTINE LPTHREAD_START_ROUTINE;
typedef VOID (WINAPI *PAPCFUNC)(ULONG_PTR Parameter);

#define STILL_ACTIVE                        ((DWORD)0x00000103L)
#define CREATE_SUSPENDED                    0x00000004
#define STACK_SIZE_PARAM_IS_A_RESERVATION   0x00010000

/* The thread's handle is signalled once it has ended; CloseHandle does not
 * stop it.  ExitThread must not be called from a completion routine or an
 * APC (ws2 aborts the process with a message).  GetCurrentThread() is the
 * pseudo-handle (HANDLE)-2: the calling thread wherever a thread handle is
 * taken; closing it does nothing.  SuspendThread and TerminateThread are
 * not provided. */
HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId);
__attribute__((noreturn)) VOID WINAPI ExitThread(DWORD dwExitCode);
BOOL  WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode);
DWORD WINAPI GetThreadId(HANDLE Thread);
DWORD WINAPI ResumeThread(HANDLE hThread);
HANDLE WINAPI GetCurrentThread(void);
BOOL  WINAPI SwitchToThread(void);
DWORD WINAPI QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData);

/* ---- thread priorities and affinity (processthreadsapi.h): the priority
 * set is the priority read back, and Linux's nice value follows it where
 * the kernel allows (lowering always, raising with CAP_SYS_NICE);
 * THREAD_MODE_BACKGROUND_BEGIN/END are not provided.  Affinity is the
 * thread's sched_setaffinity; the process mask is the one it started
 * with. ---- */
#define THREAD_PRIORITY_LOWEST          (-2)
#define THREAD_PRIORITY_BELOW_NORMAL    (-1)
#define THREAD_PRIORITY_NORMAL          0
#define THREAD_PRIORITY_HIGHEST         2
#define THREAD_PRIORITY_ABOVE_NORMAL    1
#define THREAD_PRIORITY_ERROR_RETURN    (MAXLONG)
#define THREAD_PRIORITY_TIME_CRITICAL   15
#define THREAD_PRIORITY_IDLE            (-15)
int       WINAPI GetThreadPriority(HANDLE hThread);
BOOL      WINAPI SetThreadPriority(HANDLE hThread, int nPriority);
DWORD_PTR WINAPI SetThreadAffinityMask(HANDLE hThread, DWORD_PTR dwThreadAffinityMask);
BOOL      WINAPI GetProcessAffinityMask(HANDLE hProcess, PDWORD_PTR lpProcessAffinityMask,
                                        PDWORD_PTR lpSystemAffinityMask);

/* ---- events (synchapi.h): the events of WSACreateEvent, manual- or
 * auto-reset; names work within the process, shared with mutexes and
 * semaphores.  PulseEvent releases only the threads waiting at the time. */
#define CREATE_EVENT_MANUAL_RESET   0x00000001
#define CREATE_EVENT_INITIAL_SET    0x00000002
#define SYNCHRONIZE                 0x00100000L
#define EVENT_MODIFY_STATE          0x0002
#define EVENT_ALL_ACCESS            0x001F0003

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCSTR lpName);
HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCWSTR lpName);
HANDLE WINAPI CreateEventExA(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCSTR lpName,
                             DWORD dwFlags, DWORD dwDesiredAccess);
HANDLE WINAPI CreateEventExW(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCWSTR lpName,
                             DWORD dwFlags, DWORD dwDesiredAccess);
HANDLE WINAPI OpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
HANDLE WINAPI OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
BOOL   WINAPI SetEvent(HANDLE hEvent);
BOOL   WINAPI ResetEvent(HANDLE hEvent);
BOOL   WINAPI PulseEvent(HANDLE hEvent);
#define CreateEvent     CreateEventA
#define CreateEventEx   CreateEventExA
#define OpenEvent       OpenEventA

/* ---- mutexes and semaphores (synchapi.h): waitable with events and
 * threads; a mutex is owned by a thread, recursively, and abandoned
 * (WAIT_ABANDONED_0 + i for the next wait) when its owner ends holding it.
 * Access rights are accepted, not enforced. */
#define CREATE_MUTEX_INITIAL_OWNER  0x00000001
#define MUTEX_MODIFY_STATE          0x0001
#define MUTEX_ALL_ACCESS            0x001F0001
#define SEMAPHORE_MODIFY_STATE      0x0002
#define SEMAPHORE_ALL_ACCESS        0x001F0003

HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner,
                           LPCSTR lpName);
HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner,
                           LPCWSTR lpName);
HANDLE WINAPI CreateMutexExA(LPSECURITY_ATTRIBUTES lpMutexAttributes, LPCSTR lpName,
                             DWORD dwFlags, DWORD dwDesiredAccess);
HANDLE WINAPI CreateMutexExW(LPSECURITY_ATTRIBUTES lpMutexAttributes, LPCWSTR lpName,
                             DWORD dwFlags, DWORD dwDesiredAccess);
HANDLE WINAPI OpenMutexA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
HANDLE WINAPI OpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
BOOL   WINAPI ReleaseMutex(HANDLE hMutex);
HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                               LONG lMaximumCount, LPCSTR lpName);
HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                               LONG lMaximumCount, LPCWSTR lpName);
HANDLE WINAPI CreateSemaphoreExA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                                 LONG lMaximumCount, LPCSTR lpName, DWORD dwFlags,
                                 DWORD dwDesiredAccess);
HANDLE WINAPI CreateSemaphoreExW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                                 LONG lMaximumCount, LPCWSTR lpName, DWORD dwFlags,
                                 DWORD dwDesiredAccess);
HANDLE WINAPI OpenSemaphoreA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
HANDLE WINAPI OpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
BOOL   WINAPI ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount);
#define CreateMutex       CreateMutexA
#define CreateMutexEx     CreateMutexExA
#define OpenMutex         OpenMutexA
#define CreateSemaphore   CreateSemaphoreA
#define CreateSemaphoreEx CreateSemaphoreExA
#define OpenSemaphore     OpenSemaphoreA

/* ---- overlapped I/O on sockets (ioapiset.h): a SOCKET is the HANDLE ---- */
BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                LPDWORD lpNumberOfBytesTransferred, BOOL bWait);
BOOL WINAPI CancelIo(HANDLE hFile);
BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped);

/* ---- FormatMessage ---- */
#define FORMAT_MESSAGE_ALLOCATE_BUFFER  0x00000100
#define FORMAT_MESSAGE_IGNORE_INSERTS   0x00000200
#define FORMAT_MESSAGE_FROM_STRING      0x00000400
#define FORMAT_MESSAGE_FROM_HMODULE     0x00000800
#define FORMAT_MESSAGE_FROM_SYSTEM      0x00001000
#define FORMAT_MESSAGE_ARGUMENT_ARRAY   0x00002000
#define FORMAT_MESSAGE_MAX_WIDTH_MASK   0x000000FF

DWORD WINAPI FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId,
                            DWORD dwLanguageId, LPSTR lpBuffer, DWORD nSize,
                            va_list *Arguments);
DWORD WINAPI FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId,
                            DWORD dwLanguageId, LPWSTR lpBuffer, DWORD nSize,
                            va_list *Arguments);
#define FormatMessage FormatMessageA

#ifdef __cplusplus
}
#endif

#include "synchapi.h"

#endif /* WS2_WINBASE_H */
