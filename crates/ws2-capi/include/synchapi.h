/*
 * synchapi.h -- the synchronisation objects that live in the program's own
 * memory: critical sections, slim reader/writer locks, condition variables
 * and one-time initialisation (SPEC P6).  Included by winbase.h (and so by
 * windows.h), as in Windows.  The layouts are Windows' (x64): a
 * CRITICAL_SECTION is 40 bytes with its fields at Windows' offsets, the
 * others one pointer each, all-zero when initialised, so static
 * initialisers and structures that embed them keep their sizes.
 *
 * Behaviour is Windows' (Microsoft's pages; Wine's Windows-run kernel32
 * sync.c test_srwlock_base, test_condvars_base, test_initonce):
 *   - a critical section is recursive per thread, blocks (futex) after
 *     spinning SpinCount times, and records its owner's thread id in
 *     OwningThread, the depth in RecursionCount; LockCount is -1 when free;
 *   - an SRW lock is not recursive, prefers waiting writers over new
 *     readers (a shared acquire waits, TryAcquireSRWLockShared fails, while
 *     a writer is queued), and may be released by another thread;
 *   - SleepConditionVariableCS/SRW return FALSE with ERROR_TIMEOUT when the
 *     time runs out, TRUE once woken (even if the lock is taken back
 *     later; a spurious wake-up is possible, as on Windows: test the
 *     condition in a loop); wakes before a sleep are not remembered; the
 *     critical section must be entered exactly once (the sleep leaves it
 *     once, as Windows' does);
 *   - InitOnceExecuteOnce runs the function once; its context (low 2 bits
 *     clear) is kept in the INIT_ONCE with state 2 (done).
 * Releasing a lock the caller does not hold (which raises an exception on
 * Windows) is ignored, leaving the lock as it was; sleeping on a critical
 * section the caller does not own fails with ERROR_NOT_OWNER.
 */
#ifndef WS2_SYNCHAPI_H
#define WS2_SYNCHAPI_H

#include "windows.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- critical sections (winnt.h's RTL_CRITICAL_SECTION) ---- */
struct _RTL_CRITICAL_SECTION;

typedef struct _RTL_CRITICAL_SECTION_DEBUG {
    WORD Type;
    WORD CreatorBackTraceIndex;
    struct _RTL_CRITICAL_SECTION *CriticalSection;
    LIST_ENTRY ProcessLocksList;
    DWORD EntryCount;
    DWORD ContentionCount;
    DWORD Flags;
    WORD CreatorBackTraceIndexHigh;
    WORD SpareWORD;
} RTL_CRITICAL_SECTION_DEBUG, *PRTL_CRITICAL_SECTION_DEBUG;

typedef struct _RTL_CRITICAL_SECTION {
    PRTL_CRITICAL_SECTION_DEBUG DebugInfo;  /* (PVOID)-1: none kept */
    LONG LockCount;                         /* -1 when free */
    LONG RecursionCount;                    /* the owner's depth */
    HANDLE OwningThread;                    /* the owner's thread id */
    HANDLE LockSemaphore;                   /* unused (the futex is LockCount) */
    ULONG_PTR SpinCount;
} RTL_CRITICAL_SECTION, *PRTL_CRITICAL_SECTION;

typedef RTL_CRITICAL_SECTION CRITICAL_SECTION;
typedef PRTL_CRITICAL_SECTION PCRITICAL_SECTION;
typedef PRTL_CRITICAL_SECTION LPCRITICAL_SECTION;
typedef RTL_CRITICAL_SECTION_DEBUG CRITICAL_SECTION_DEBUG;
typedef PRTL_CRITICAL_SECTION_DEBUG PCRITICAL_SECTION_DEBUG;
typedef PRTL_CRITICAL_SECTION_DEBUG LPCRITICAL_SECTION_DEBUG;

#define CRITICAL_SECTION_NO_DEBUG_INFO  0x01000000

VOID  WINAPI InitializeCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
BOOL  WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection,
                                                   DWORD dwSpinCount);
BOOL  WINAPI InitializeCriticalSectionEx(LPCRITICAL_SECTION lpCriticalSection,
                                         DWORD dwSpinCount, DWORD Flags);
DWORD WINAPI SetCriticalSectionSpinCount(LPCRITICAL_SECTION lpCriticalSection,
                                         DWORD dwSpinCount);
VOID  WINAPI EnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
BOOL  WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
VOID  WINAPI LeaveCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
VOID  WINAPI DeleteCriticalSection(LPCRITICAL_SECTION lpCriticalSection);

/* ---- slim reader/writer locks ---- */
typedef struct _RTL_SRWLOCK {
    PVOID Ptr;
} RTL_SRWLOCK, SRWLOCK, *PRTL_SRWLOCK, *PSRWLOCK;

#define RTL_SRWLOCK_INIT    {0}
#define SRWLOCK_INIT        RTL_SRWLOCK_INIT

VOID    WINAPI InitializeSRWLock(PSRWLOCK SRWLock);
VOID    WINAPI AcquireSRWLockExclusive(PSRWLOCK SRWLock);
VOID    WINAPI AcquireSRWLockShared(PSRWLOCK SRWLock);
BOOLEAN WINAPI TryAcquireSRWLockExclusive(PSRWLOCK SRWLock);
BOOLEAN WINAPI TryAcquireSRWLockShared(PSRWLOCK SRWLock);
VOID    WINAPI ReleaseSRWLockExclusive(PSRWLOCK SRWLock);
VOID    WINAPI ReleaseSRWLockShared(PSRWLOCK SRWLock);

/* ---- condition variables ---- */
typedef struct _RTL_CONDITION_VARIABLE {
    PVOID Ptr;
} RTL_CONDITION_VARIABLE, CONDITION_VARIABLE, *PRTL_CONDITION_VARIABLE, *PCONDITION_VARIABLE;

#define RTL_CONDITION_VARIABLE_INIT         {0}
#define CONDITION_VARIABLE_INIT             RTL_CONDITION_VARIABLE_INIT
#define RTL_CONDITION_VARIABLE_LOCKMODE_SHARED  0x1
#define CONDITION_VARIABLE_LOCKMODE_SHARED  RTL_CONDITION_VARIABLE_LOCKMODE_SHARED

VOID WINAPI InitializeConditionVariable(PCONDITION_VARIABLE ConditionVariable);
BOOL WINAPI SleepConditionVariableCS(PCONDITION_VARIABLE ConditionVariable,
                                     PCRITICAL_SECTION CriticalSection, DWORD dwMilliseconds);
BOOL WINAPI SleepConditionVariableSRW(PCONDITION_VARIABLE ConditionVariable, PSRWLOCK SRWLock,
                                      DWORD dwMilliseconds, ULONG Flags);
VOID WINAPI WakeConditionVariable(PCONDITION_VARIABLE ConditionVariable);
VOID WINAPI WakeAllConditionVariable(PCONDITION_VARIABLE ConditionVariable);

/* ---- one-time initialisation ---- */
typedef union _RTL_RUN_ONCE {
    PVOID Ptr;
} RTL_RUN_ONCE, *PRTL_RUN_ONCE, INIT_ONCE, *PINIT_ONCE, *LPINIT_ONCE;

#define RTL_RUN_ONCE_INIT           {0}
#define INIT_ONCE_STATIC_INIT       RTL_RUN_ONCE_INIT
#define RTL_RUN_ONCE_CHECK_ONLY     0x00000001UL
#define RTL_RUN_ONCE_ASYNC          0x00000002UL
#define RTL_RUN_ONCE_INIT_FAILED    0x00000004UL
#define RTL_RUN_ONCE_CTX_RESERVED_BITS 2
#define INIT_ONCE_CHECK_ONLY        RTL_RUN_ONCE_CHECK_ONLY
#define INIT_ONCE_ASYNC             RTL_RUN_ONCE_ASYNC
#define INIT_ONCE_INIT_FAILED       RTL_RUN_ONCE_INIT_FAILED
#define INIT_ONCE_CTX_RESERVED_BITS RTL_RUN_ONCE_CTX_RESERVED_BITS

typedef BOOL (WINAPI *PINIT_ONCE_FN)(PINIT_ONCE InitOnce, PVOID Parameter, PVOID *Context);

VOID WINAPI InitOnceInitialize(PINIT_ONCE InitOnce);
BOOL WINAPI InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn, PVOID Parameter,
                                LPVOID *Context);
BOOL WINAPI InitOnceBeginInitialize(LPINIT_ONCE lpInitOnce, DWORD dwFlags, PBOOL fPending,
                                    LPVOID *lpContext);
BOOL WINAPI InitOnceComplete(LPINIT_ONCE lpInitOnce, DWORD dwFlags, LPVOID lpContext);

#ifdef __cplusplus
}
#endif

#endif /* WS2_SYNCHAPI_H */
