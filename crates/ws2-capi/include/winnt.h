/*
 * winnt.h -- the parts of Windows' winnt.h network programs use: language
 * ids (MAKELANGID, LANG_*, SUBLANG_*), LARGE_INTEGER, heap flags, limits
 * and the small helper macros.  Included by windows.h.
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

/* ---- heaps ---- */
#define HEAP_NO_SERIALIZE               0x00000001
#define HEAP_GROWABLE                   0x00000002
#define HEAP_GENERATE_EXCEPTIONS        0x00000004
#define HEAP_ZERO_MEMORY                0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY      0x00000010
#define HEAP_CREATE_ENABLE_EXECUTE      0x00040000
#define MEMORY_ALLOCATION_ALIGNMENT     16

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
#define C_ASSERT(e)                 typedef char __C_ASSERT__[(e) ? 1 : -1] __attribute__((unused))

#ifdef __cplusplus
}
#endif

#endif /* WS2_WINNT_H */
