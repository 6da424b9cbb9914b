/* Heaps and Local/Global memory with Windows' rules (P6).
 *
 * Windows' answers: kernel32 heap.c (Wine's tests, run on Windows)
 * test_HeapCreate ("border cases", HEAP_ZERO_MEMORY, pointer alignment,
 * HEAP_REALLOC_IN_PLACE_ONLY, fixed size heaps), the older test_heap and
 * test_sized_HeapReAlloc, test_LocalAlloc and test_GlobalAlloc; Microsoft's
 * HeapAlloc/HeapSize/HeapFree pages. */
#include <windows.h>
#include <stdio.h>

#include "common.h"

#define ALLOC_SIZE (0x8000 * sizeof(void *))

static int all_zero(const BYTE *p, SIZE_T n)
{
    for (SIZE_T i = 0; i < n; i++)
        if (p[i] != 0) return 0;
    return 1;
}

/* P6: test_HeapCreate "border cases". */
static void border_cases(HANDLE heap)
{
    BYTE *p, *q;

    CHECK(HeapFree(heap, 0, NULL));
    CHECK(HeapFree(NULL, 0, NULL));

    SetLastError(0xdeadbeef);
    CHECK(HeapReAlloc(heap, 0, NULL, 1) == NULL);
    CHECK_EQ(GetLastError(), NO_ERROR);

    SetLastError(0xdeadbeef);
    CHECK(HeapValidate(heap, 0, NULL));
    CHECK_EQ(GetLastError(), 0xdeadbeef);

    /* A 0-byte block is a real block of size 0. */
    p = (BYTE *)HeapAlloc(heap, 0, 0);
    CHECK(p != NULL);
    CHECK_EQ(HeapSize(heap, 0, p), 0);
    CHECK(HeapReAlloc(heap, 0, p, ~(SIZE_T)0 - 7) == NULL);
    CHECK(HeapReAlloc(heap, 0, p, ~(SIZE_T)0) == NULL);
    CHECK(HeapValidate(heap, 0, p));
    CHECK(HeapFree(heap, 0, p));

    CHECK(HeapAlloc(heap, 0, ~(SIZE_T)0) == NULL);

    /* Shrinking to 0 keeps a block (not realloc's free). */
    p = (BYTE *)HeapAlloc(heap, 0, 1);
    CHECK(p != NULL);
    q = (BYTE *)HeapReAlloc(heap, 0, p, 0);
    CHECK(q != NULL);
    CHECK_EQ(HeapSize(heap, 0, q), 0);
    CHECK(HeapFree(heap, 0, q));

    /* A pointer inside a block is no block: FALSE, last error untouched. */
    p = (BYTE *)HeapAlloc(heap, 0, ALLOC_SIZE);
    CHECK(p != NULL);
    SetLastError(0xdeadbeef);
    CHECK(!HeapValidate(heap, 0, p + 64));
    CHECK(!HeapFree(heap, 0, p + 64));
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    CHECK_EQ(HeapSize(heap, 0, p + 64), (SIZE_T)-1);
    CHECK(HeapFree(heap, 0, p));
}

/* P6: HeapSize is the size asked for, exactly (test_heap's 0..256 loop). */
static void exact_sizes(HANDLE heap)
{
    for (SIZE_T n = 0; n <= 256; n++) {
        BYTE *p = (BYTE *)HeapAlloc(heap, 0, n);
        CHECK(p != NULL);
        CHECK_EQ(HeapSize(heap, 0, p), n);
        CHECK(HeapFree(heap, 0, p));
    }
}

/* P6: every block is 16-aligned (2 * sizeof(void *)); MEMORY_ALLOCATION_ALIGNMENT. */
static void alignment(HANDLE heap)
{
    BYTE *ptrs[32];
    _Static_assert(MEMORY_ALLOCATION_ALIGNMENT == 16, "64-bit Windows' alignment");
    for (int i = 0; i < 32; i++) {
        ptrs[i] = (BYTE *)HeapAlloc(heap, 0, (SIZE_T)(i * 7 + 1));
        CHECK(ptrs[i] != NULL);
        CHECK_EQ((UINT_PTR)ptrs[i] % (2 * sizeof(void *)), 0);
    }
    for (int i = 0; i < 32; i++)
        CHECK(HeapFree(heap, 0, ptrs[i]));
}

/* P6: HEAP_ZERO_MEMORY on alloc and on the grown tail of a realloc
 * (test_HeapCreate, test_sized_HeapReAlloc). */
static void zero_memory(HANDLE heap)
{
    BYTE *p, *q;
    SIZE_T sizes[] = {1, 1 << 20, ALLOC_SIZE};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        p = (BYTE *)HeapAlloc(heap, HEAP_ZERO_MEMORY, sizes[i]);
        CHECK(p != NULL);
        CHECK_EQ(HeapSize(heap, 0, p), sizes[i]);
        CHECK(all_zero(p, sizes[i]));
        CHECK(HeapFree(heap, 0, p));
    }

    p = (BYTE *)HeapAlloc(heap, 0, 100);
    CHECK(p != NULL);
    memset(p, 0xAB, 100);
    q = (BYTE *)HeapReAlloc(heap, HEAP_ZERO_MEMORY, p, 3 * ALLOC_SIZE);
    CHECK(q != NULL);
    CHECK_EQ(HeapSize(heap, 0, q), 3 * ALLOC_SIZE);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(q[i], 0xAB); /* old contents kept */
    CHECK(all_zero(q + 100, 3 * ALLOC_SIZE - 100));

    /* In place: shrinking and growing back never move the block. */
    p = (BYTE *)HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, q, ALLOC_SIZE * 3 / 2);
    CHECK(p == q);
    p = (BYTE *)HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, q, 2 * ALLOC_SIZE);
    CHECK(p == q);
    CHECK_EQ(HeapSize(heap, 0, q), 2 * ALLOC_SIZE);

    q = (BYTE *)HeapReAlloc(heap, HEAP_ZERO_MEMORY, p, 1);
    CHECK(q != NULL);
    CHECK_EQ(HeapSize(heap, 0, q), 1);
    q[0] = 7;
    p = (BYTE *)HeapReAlloc(heap, HEAP_ZERO_MEMORY, q, 1 << 20);
    CHECK(p != NULL);
    CHECK_EQ(p[0], 7);
    CHECK(all_zero(p + 1, (1 << 20) - 1));

    /* A block that cannot grow where it is: NULL, the block untouched. */
    q = (BYTE *)HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 64 << 20);
    CHECK(q == NULL);
    CHECK_EQ(HeapSize(heap, 0, p), 1 << 20);
    CHECK_EQ(p[0], 7);
    CHECK(HeapFree(heap, 0, p));
}

/* P6: fixed-size heaps refuse what does not fit, with ERROR_NOT_ENOUGH_MEMORY,
 * and large blocks altogether (test_HeapCreate "fixed size heaps"). */
static void fixed_heap(void)
{
    HANDLE heap = HeapCreate(0, 8 * ALLOC_SIZE, 8 * ALLOC_SIZE);
    BYTE *p, *q;
    CHECK(heap != NULL);
    p = (BYTE *)HeapAlloc(heap, 0, 0);
    CHECK(p != NULL);
    CHECK_EQ(HeapSize(heap, 0, p), 0);
    CHECK(HeapFree(heap, 0, p));

    SetLastError(0xdeadbeef);
    CHECK(HeapAlloc(heap, 0, 4 * ALLOC_SIZE) == NULL);
    CHECK_EQ(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);

    p = (BYTE *)HeapAlloc(heap, HEAP_ZERO_MEMORY, ALLOC_SIZE);
    CHECK(p != NULL);
    CHECK(all_zero(p, ALLOC_SIZE));
    q = (BYTE *)HeapReAlloc(heap, HEAP_ZERO_MEMORY, p, 2 * ALLOC_SIZE);
    CHECK(q != NULL);
    CHECK_EQ(HeapSize(heap, 0, q), 2 * ALLOC_SIZE);
    CHECK(all_zero(q, 2 * ALLOC_SIZE));
    CHECK(HeapFree(heap, 0, q));

    /* HeapDestroy frees what is left; the handle is dead afterwards. */
    CHECK(HeapAlloc(heap, 0, 1000) != NULL);
    CHECK(HeapDestroy(heap));
    SetLastError(0xdeadbeef);
    CHECK(HeapAlloc(heap, 0, 10) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
}

/* P6: a block of one heap is no block of another. */
static void heaps_are_separate(void)
{
    HANDLE a = HeapCreate(0, 0, 0), b = HeapCreate(0, 0, 0);
    CHECK(a != NULL && b != NULL && a != b);
    void *p = HeapAlloc(a, 0, 32);
    CHECK(p != NULL);
    CHECK(!HeapFree(b, 0, p));
    CHECK(HeapFree(a, 0, p));
    CHECK(HeapDestroy(a));
    CHECK(HeapDestroy(b));
    SetLastError(0xdeadbeef);
    CHECK(!HeapDestroy(GetProcessHeap()));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
}

/* P6: test_LocalAlloc / test_GlobalAlloc, fixed blocks. */
static void local_and_global(void)
{
    HLOCAL l;
    HGLOBAL g;
    BYTE *p;

    CHECK(LocalFree(NULL) == NULL);
    CHECK(GlobalFree(NULL) == NULL);

    l = LocalAlloc(LMEM_FIXED, 0);
    CHECK(l != NULL);
    CHECK_EQ(LocalSize(l), 0);
    CHECK(LocalFree(l) == NULL);

    g = GlobalAlloc(GMEM_FIXED, 0);
    CHECK(g != NULL);
    CHECK_EQ(GlobalSize(g), 1);
    CHECK(GlobalFree(g) == NULL);

    l = LocalAlloc(LMEM_ZEROINIT, 100000);
    CHECK(l != NULL);
    CHECK(all_zero((BYTE *)l, 100000));
    CHECK(LocalLock(l) == l); /* a fixed block's handle is its pointer */
    CHECK(LocalSize(l) >= 100000);
    SetLastError(0xdeadbeef);
    CHECK(!LocalUnlock(l));
    CHECK_EQ(GetLastError(), ERROR_NOT_LOCKED);
    /* Without LMEM_MOVEABLE a fixed block may not move. */
    CHECK(LocalReAlloc(l, 64 << 20, 0) == NULL);
    l = LocalReAlloc(l, 200000, LMEM_MOVEABLE | LMEM_ZEROINIT);
    CHECK(l != NULL);
    CHECK(all_zero((BYTE *)l + 100000, 100000));
    CHECK(LocalFree(l) == NULL);

    p = (BYTE *)LocalAlloc(LPTR, 16);
    CHECK(p != NULL);
    CHECK(all_zero(p, 16));
    CHECK(HeapFree(GetProcessHeap(), 0, p)); /* LocalAlloc uses the process heap */

    p = (BYTE *)GlobalAlloc(GPTR, 10);
    CHECK(p != NULL);
    CHECK(GlobalLock(p) == p);
    CHECK(GlobalFree(p) == NULL);

    CHECK(LocalReAlloc(NULL, 10, LMEM_MOVEABLE) == NULL);
    CHECK(GlobalReAlloc(NULL, 10, GMEM_MOVEABLE) == NULL);

    /* Not a block: the handle comes back with ERROR_INVALID_HANDLE. */
    p = (BYTE *)HeapAlloc(GetProcessHeap(), 0, 128);
    CHECK(p != NULL);
    SetLastError(0xdeadbeef);
    CHECK(LocalFree(p + 32) == p + 32);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(HeapFree(GetProcessHeap(), 0, p));

    /* Moveable memory is not provided: a clear error, never a wrong block. */
    SetLastError(0xdeadbeef);
    CHECK(LocalAlloc(LHND, 10) == NULL);
    CHECK_EQ(GetLastError(), ERROR_NOT_SUPPORTED);
    CHECK(GlobalAlloc(GHND, 10) == NULL);
    CHECK_EQ(GetLastError(), ERROR_NOT_SUPPORTED);
    SetLastError(0xdeadbeef);
    CHECK(LocalAlloc(0x10000, 10) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
}

int main(void)
{
    HANDLE heap = GetProcessHeap();
    HANDLE priv = HeapCreate(0, 0, 0);
    CHECK(heap != NULL);
    CHECK(GetProcessHeap() == heap);
    CHECK(priv != NULL);

    border_cases(heap);
    border_cases(priv);
    exact_sizes(heap);
    alignment(heap);
    alignment(priv);
    zero_memory(heap);
    zero_memory(priv);
    CHECK(HeapDestroy(priv));
    fixed_heap();
    heaps_are_separate();
    local_and_global();
    puts("win32_heap: ok");
    return 0;
}
