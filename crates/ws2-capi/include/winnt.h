/*
 * winnt.h -- the parts of Windows' winnt.h network programs use: language
 * ids (MAKELANGID, LANG_*, SUBLANG_*), LARGE_INTEGER, LIST_ENTRY, the
 * Interlocked functions and MemoryBarrier, heap flags, limits and the small
 * helper macros.  Included by windows.h.
 */
#ifndef WS2_WINNT_H
#define WS2_WINNT_H

#include "windows.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- language ids ---- */
typedef WORD  LANGID;
typedef DWORD LCID;

#define LANG_NEUTRAL            0x00
#define LANG_INVARIANT          0x7f
#define LANG_ENGLISH            0x09
#define SUBLANG_NEUTRAL         0x00
#define SUBLANG_DEFAULT         0x01
#define SUBLANG_SYS_DEFAULT     0x02
#define SUBLANG_ENGLISH_US      0x01
#define SUBLANG_ENGLISH_UK      0x02
#define SORT_DEFAULT            0x0

#define MAKELANGID(p, s)        ((((WORD)(s)) << 10) | (WORD)(p))
#define PRIMARYLANGID(lgid)     ((WORD)(lgid) & 0x3ff)
#define SUBLANGID(lgid)         ((WORD)(lgid) >> 10)
#define MAKELCID(lgid, srtid)   ((DWORD)((((DWORD)((WORD)(srtid))) << 16) | ((DWORD)((WORD)(lgid)))))
#define LANGIDFROMLCID(lcid)    ((WORD)(lcid))

#define LANG_SYSTEM_DEFAULT     (MAKELANGID(LANG_NEUTRAL, SUBLANG_SYS_DEFAULT))
#define LANG_USER_DEFAULT       (MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT))
#define LOCALE_SYSTEM_DEFAULT   (MAKELCID(LANG_SYSTEM_DEFAULT, SORT_DEFAULT))
#define LOCALE_USER_DEFAULT     (MAKELCID(LANG_USER_DEFAULT, SORT_DEFAULT))

/* ---- 64-bit integers as two halves ---- */
typedef union _LARGE_INTEGER {
    __extension__ struct {
        DWORD LowPart;
        LONG  HighPart;
    };
    struct {
        DWORD LowPart;
        LONG  HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    __extension__ struct {
        DWORD LowPart;
        DWORD HighPart;
    };
    struct {
        DWORD LowPart;
        DWORD HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

/* ---- doubly linked list heads (used by RTL_CRITICAL_SECTION_DEBUG) ---- */
typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

/* ---- the Interlocked family ----
 * On Windows these are compiler intrinsics (winnt.h maps InterlockedX to
 * _InterlockedX); here they are inline functions over gcc's __atomic
 * builtins, each a full barrier (sequentially consistent) as on Windows.
 * Increment/Decrement/Add return the new value; Exchange, ExchangeAdd,
 * CompareExchange, And, Or and Xor return the value before.  The
 * Acquire/Release/NoFence spellings are the full-barrier functions (x64
 * has no weaker interlocked instruction). */
#define WS2_INTERLOCKED(T, sfx)                                                             \
    static __inline__ T _InterlockedIncrement##sfx(T volatile *Addend)                    \
    { return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST); }                           \
    static __inline__ T _InterlockedDecrement##sfx(T volatile *Addend)                    \
    { return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST); }                           \
    static __inline__ T _InterlockedExchange##sfx(T volatile *Target, T Value)            \
    { return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST); }                      \
    static __inline__ T _InterlockedExchangeAdd##sfx(T volatile *Addend, T Value)         \
    { return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST); }                       \
    static __inline__ T _InterlockedAdd##sfx(T volatile *Addend, T Value)                 \
    { return __atomic_add_fetch(Addend, Value, __ATOMIC_SEQ_CST); }                       \
    static __inline__ T _InterlockedCompareExchange##sfx(T volatile *Destination,         \
                                                         T Exchange, T Comperand)          \
    {                                                                                      \
        __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0,                 \
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                  \
        return Comperand;                                                                  \
    }                                                                                      \
    static __inline__ T _InterlockedAnd##sfx(T volatile *Destination, T Value)            \
    { return __atomic_fetch_and(Destination, Value, __ATOMIC_SEQ_CST); }                  \
    static __inline__ T _InterlockedOr##sfx(T volatile *Destination, T Value)             \
    { return __atomic_fetch_or(Destination, Value, __ATOMIC_SEQ_CST); }                   \
    static __inline__ T _InterlockedXor##sfx(T volatile *Destination, T Value)            \
    { return __atomic_fetch_xor(Destination, Value, __ATOMIC_SEQ_CST); }

WS2_INTERLOCKED(LONG, )
WS2_INTERLOCKED(LONG64, 64)
WS2_INTERLOCKED(SHORT, 16)
#undef WS2_INTERLOCKED

static __inline__ PVOID _InterlockedExchangePointer(PVOID volatile *Target, PVOID Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
static __inline__ PVOID _InterlockedCompareExchangePointer(PVOID volatile *Destination,
                                                           PVOID Exchange, PVOID Comperand)
{
    __atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return Comperand;
}

#define InterlockedIncrement                _InterlockedIncrement
#define InterlockedDecrement                _InterlockedDecrement
#define InterlockedExchange                 _InterlockedExchange
#define InterlockedExchangeAdd              _InterlockedExchangeAdd
#define InterlockedAdd                      _InterlockedAdd
#define InterlockedCompareExchange          _InterlockedCompareExchange
#define InterlockedAnd                      _InterlockedAnd
#define InterlockedOr                       _InterlockedOr
#define InterlockedXor                      _InterlockedXor
#define InterlockedIncrement64              _InterlockedIncrement64
#define InterlockedDecrement64              _InterlockedDecrement64
#define InterlockedExchange64               _InterlockedExchange64
#define InterlockedExchangeAdd64            _InterlockedExchangeAdd64
#define InterlockedAdd64                    _InterlockedAdd64
#define InterlockedCompareExchange64        _InterlockedCompareExchange64
#define InterlockedAnd64                    _InterlockedAnd64
#define InterlockedOr64                     _InterlockedOr64
#define InterlockedXor64                    _InterlockedXor64
#define InterlockedIncrement16              _InterlockedIncrement16
#define InterlockedDecrement16              _InterlockedDecrement16
#define InterlockedCompareExchange16        _InterlockedCompareExchange16
#define InterlockedExchangePointer          _InterlockedExchangePointer
#define InterlockedCompareExchangePointer   _InterlockedCompareExchangePointer
#define InterlockedIncrementAcquire         _InterlockedIncrement
#define InterlockedIncrementRelease         _InterlockedIncrement
#define InterlockedIncrementNoFence         _InterlockedIncrement
#define InterlockedDecrementAcquire         _InterlockedDecrement
#define InterlockedDecrementRelease         _InterlockedDecrement
#define InterlockedDecrementNoFence         _InterlockedDecrement
#define InterlockedCompareExchangeAcquire   _InterlockedCompareExchange
#define InterlockedCompareExchangeRelease   _InterlockedCompareExchange
#define InterlockedCompareExchangeNoFence   _InterlockedCompareExchange
#define InterlockedExchangeAcquire          _InterlockedExchange
#define InterlockedExchangeNoFence          _InterlockedExchange
#define InterlockedCompareExchangePointerAcquire _InterlockedCompareExchangePointer
#define InterlockedCompareExchangePointerRelease _InterlockedCompareExchangePointer
#define InterlockedExchangePointerAcquire   _InterlockedExchangePointer
#define InterlockedExchangePointerNoFence   _InterlockedExchangePointer

/* A full memory barrier, and the spin-wait hint (x64's pause). */
#define MemoryBarrier()     __atomic_thread_fence(__ATOMIC_SEQ_CST)
#if defined(__x86_64__) || defined(__i386__)
#define YieldProcessor()    __builtin_ia32_pause()
#else
#define YieldProcessor()    ((void)0)
#endif

/* ---- heaps ---- */
#define HEAP_NO_SERIALIZE               0x00000001
#define HEAP_GROWABLE                   0x00000002
#define HEAP_GENERATE_EXCEPTIONS        0x00000004
#define HEAP_ZERO_MEMORY                0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY      0x00000010
#define HEAP_CREATE_ENABLE_EXECUTE      0x00040000
#define MEMORY_ALLOCATION_ALIGNMENT     16

/* ---- interlocked singly linked lists (the functions are in winbase.h):
 * x64's layout, 16 bytes aligned to 16; HeaderX64 holds the depth (16
 * bits), a sequence number (48 bits) and the first entry's address shifted
 * right by 4 (so entries must be 16-byte aligned, as SLIST_ENTRY is). ---- */
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct DECLSPEC_ALIGN(16) _SLIST_ENTRY {
    struct _SLIST_ENTRY *Next;
} SLIST_ENTRY, *PSLIST_ENTRY;

typedef union DECLSPEC_ALIGN(16) _SLIST_HEADER {
    __extension__ struct {
        ULONGLONG Alignment;
        ULONGLONG Region;
    };
    struct {
        ULONGLONG Depth : 16;
        ULONGLONG Sequence : 48;
        ULONGLONG Reserved : 4;
        ULONGLONG NextEntry : 60;
    } HeaderX64;
} SLIST_HEADER, *PSLIST_HEADER;

/* ---- virtual memory (VirtualAlloc and friends, in winbase.h) ---- */
#define PAGE_NOACCESS           0x01
#define PAGE_READONLY           0x02
#define PAGE_READWRITE          0x04
#define PAGE_WRITECOPY          0x08
#define PAGE_EXECUTE            0x10
#define PAGE_EXECUTE_READ       0x20
#define PAGE_EXECUTE_READWRITE  0x40
#define PAGE_EXECUTE_WRITECOPY  0x80
#define PAGE_GUARD              0x100
#define PAGE_NOCACHE            0x200
#define PAGE_WRITECOMBINE       0x400

#define MEM_COMMIT              0x00001000
#define MEM_RESERVE             0x00002000
#define MEM_DECOMMIT            0x00004000
#define MEM_RELEASE             0x00008000
#define MEM_FREE                0x00010000
#define MEM_PRIVATE             0x00020000
#define MEM_MAPPED              0x00040000
#define MEM_RESET               0x00080000
#define MEM_TOP_DOWN            0x00100000
#define MEM_WRITE_WATCH         0x00200000
#define MEM_PHYSICAL            0x00400000
#define MEM_RESET_UNDO          0x01000000
#define MEM_IMAGE               0x01000000
#define MEM_LARGE_PAGES         0x20000000

/* x64's layout: 48 bytes, PartitionId in the padding after
 * AllocationProtect. */
typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID  BaseAddress;
    PVOID  AllocationBase;
    DWORD  AllocationProtect;
    WORD   PartitionId;
    SIZE_T RegionSize;
    DWORD  State;
    DWORD  Protect;
    DWORD  Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

/* ---- limits ---- */
#define MINCHAR     0x80
#define MAXCHAR     0x7f
#define MINSHORT    0x8000
#define MAXSHORT    0x7fff
#define MINLONG     0x80000000
#define MAXLONG     0x7fffffff
#define MAXBYTE     0xff
#define MAXWORD     0xffff
#define MAXDWORD    0xffffffff
#define MAXLONGLONG (0x7fffffffffffffffLL)

/* ---- helpers ---- */
#ifndef ANYSIZE_ARRAY
#define ANYSIZE_ARRAY 1
#endif
#ifndef FIELD_OFFSET
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#endif
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_NUMBER_OF(A)            (sizeof(A) / sizeof((A)[0]))
#define ARRAYSIZE(A)                RTL_NUMBER_OF(A)
/* The structure holding `field` at `address` (an IOCP server's per-I/O
 * context from the packet's OVERLAPPED). */
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((char *)(address) - (ULONG_PTR)offsetof(type, field)))
#define C_ASSERT(e)                 typedef char __C_ASSERT__[(e) ? 1 : -1] __attribute__((unused))

#ifdef __cplusplus
}
#endif

#endif /* WS2_WINNT_H */
