/* Virtual memory (P6): VirtualAlloc, VirtualFree, VirtualProtect and
 * VirtualQuery with Windows' rules.
 *
 * Windows' answers: kernel32 virtual.c (Wine's tests, run on Windows)
 * test_VirtualAlloc, test_VirtualProtect and test_VirtualAlloc_protection;
 * ntdll virtual.c test_NtAllocateVirtualMemory (the NtFreeVirtualMemory
 * cases, which VirtualFree passes through); Microsoft's VirtualAlloc,
 * VirtualFree, VirtualProtect, VirtualQuery and MEMORY_BASIC_INFORMATION
 * pages. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS: a mapping the program makes itself */
#include <windows.h>
#include <stdio.h>
#include <sys/mman.h>

#include "common.h"

/* P6: MEMORY_BASIC_INFORMATION in x64 Windows' layout (ws2-abi asserts the
 * same offsets). */
_Static_assert(sizeof(MEMORY_BASIC_INFORMATION) == 48, "MEMORY_BASIC_INFORMATION size");
_Static_assert(offsetof(MEMORY_BASIC_INFORMATION, AllocationBase) == 8, "AllocationBase");
_Static_assert(offsetof(MEMORY_BASIC_INFORMATION, AllocationProtect) == 16, "AllocationProtect");
_Static_assert(offsetof(MEMORY_BASIC_INFORMATION, PartitionId) == 20, "PartitionId");
_Static_assert(offsetof(MEMORY_BASIC_INFORMATION, RegionSize) == 24, "RegionSize");
_Static_assert(offsetof(MEMORY_BASIC_INFORMATION, State) == 32, "State");
_Static_assert(offsetof(MEMORY_BASIC_INFORMATION, Protect) == 36, "Protect");
_Static_assert(offsetof(MEMORY_BASIC_INFORMATION, Type) == 40, "Type");

static void query(const void *p, MEMORY_BASIC_INFORMATION *info)
{
    memset(info, 'q', sizeof(*info));
    CHECK_EQ(VirtualQuery(p, info, sizeof(*info)), sizeof(*info));
}

/* P6: test_VirtualAlloc, step by step. */
static void reserve_commit_protect_free(void)
{
    MEMORY_BASIC_INFORMATION info;
    DWORD old_prot;
    char *addr1, *addr2;

    SetLastError(0xdeadbeef);
    CHECK(VirtualAlloc(NULL, 0, MEM_RESERVE, PAGE_NOACCESS) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    addr1 = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    CHECK(addr1 != NULL);
    CHECK_EQ((ULONG_PTR)addr1 & 0xffff, 0);

    /* reserved, not committed: Protect 0 */
    query(addr1, &info);
    CHECK(info.BaseAddress == addr1);
    CHECK(info.AllocationBase == addr1);
    CHECK_EQ(info.AllocationProtect, PAGE_NOACCESS);
    CHECK_EQ(info.RegionSize, 0x10000);
    CHECK_EQ(info.State, MEM_RESERVE);
    CHECK_EQ(info.Protect, 0);
    CHECK_EQ(info.Type, MEM_PRIVATE);

    SetLastError(0xdeadbeef);
    CHECK(!VirtualProtect(addr1, 0xFFFC, PAGE_READONLY, &old_prot));
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);

    addr2 = VirtualAlloc(addr1, 0x1000, MEM_COMMIT, PAGE_NOACCESS);
    CHECK(addr2 == addr1);

    query(addr1, &info);
    CHECK(info.BaseAddress == addr1);
    CHECK(info.AllocationBase == addr1);
    CHECK_EQ(info.AllocationProtect, PAGE_NOACCESS);
    CHECK_EQ(info.RegionSize, 0x1000);
    CHECK_EQ(info.State, MEM_COMMIT);
    CHECK_EQ(info.Protect, PAGE_NOACCESS);
    CHECK_EQ(info.Type, MEM_PRIVATE);

    /* the rest of the reservation is still reserved */
    query(addr1 + 0x1000, &info);
    CHECK(info.BaseAddress == addr1 + 0x1000);
    CHECK(info.AllocationBase == addr1);
    CHECK_EQ(info.RegionSize, 0xf000);
    CHECK_EQ(info.State, MEM_RESERVE);
    CHECK_EQ(info.Protect, 0);

    /* not the whole range committed yet */
    SetLastError(0xdeadbeef);
    CHECK(!VirtualProtect(addr1, 0xFFFC, PAGE_READONLY, &old_prot));
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);

    SetLastError(0xdeadbeef);
    CHECK(VirtualProtect(addr1, 0x1000, PAGE_READONLY, &old_prot));
    CHECK_EQ(old_prot, PAGE_NOACCESS);
    CHECK(VirtualProtect(addr1, 0x1000, PAGE_READWRITE, &old_prot));
    CHECK_EQ(old_prot, PAGE_READONLY);
    CHECK_EQ(GetLastError(), 0xdeadbeef); /* success leaves it alone */

    query(addr1, &info);
    CHECK_EQ(info.RegionSize, 0x1000);
    CHECK_EQ(info.State, MEM_COMMIT);
    CHECK_EQ(info.Protect, PAGE_READWRITE);
    /* committed memory reads as zeros (Microsoft's VirtualAlloc page) */
    CHECK_EQ(*(DWORD *)addr1, 0);
    memset(addr1, 0x55, 20);
    CHECK_EQ(*(DWORD *)addr1, 0x55555555);

    /* MEM_RESET: the contents may go, the state stays */
    addr2 = VirtualAlloc(addr1, 0x1000, MEM_RESET, PAGE_NOACCESS);
    CHECK(addr2 == addr1);
    CHECK(*(DWORD *)addr1 == 0x55555555 || *(DWORD *)addr1 == 0);
    query(addr1, &info);
    CHECK_EQ(info.State, MEM_COMMIT);
    CHECK_EQ(info.Protect, PAGE_READWRITE);
    addr2 = VirtualAlloc(addr1 + 0x1000, 0x1000, MEM_RESET, PAGE_NOACCESS);
    CHECK(addr2 == addr1 + 0x1000);
    query(addr2, &info);
    CHECK_EQ(info.State, MEM_RESERVE);
    SetLastError(0xdeadbeef);
    CHECK(VirtualAlloc(addr1 + 0xf000, 0x2000, MEM_RESET, PAGE_NOACCESS) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);

    /* invalid protections */
    SetLastError(0xdeadbeef);
    CHECK(VirtualAlloc(NULL, 0x1000, MEM_RESERVE, 0) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, 0) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(VirtualAlloc(addr1, 0x1000, MEM_COMMIT, PAGE_READONLY | PAGE_EXECUTE) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!VirtualProtect(addr1, 0x1000, PAGE_READWRITE | PAGE_EXECUTE_WRITECOPY, &old_prot));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!VirtualProtect(addr1, 0x1000, 0, &old_prot));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    /* free types */
    SetLastError(0xdeadbeef);
    CHECK(!VirtualFree(addr1, 0x10000, 0));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!VirtualFree(addr1, 0, MEM_FREE));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    CHECK(VirtualFree(addr1, 0x10000, MEM_DECOMMIT));
    query(addr1, &info);
    CHECK_EQ(info.State, MEM_RESERVE);
    CHECK_EQ(info.RegionSize, 0x10000);

    /* if the type is MEM_RELEASE, size must be 0 */
    SetLastError(0xdeadbeef);
    CHECK(!VirtualFree(addr1, 1, MEM_RELEASE));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(VirtualFree(addr1, 0, MEM_RELEASE));

    /* gone: the address is free (MEM_FREE, PAGE_NOACCESS, no allocation) */
    query(addr1, &info);
    CHECK_EQ(info.State, MEM_FREE);
    CHECK_EQ(info.Protect, PAGE_NOACCESS);
    CHECK(info.AllocationBase == NULL);
    CHECK_EQ(info.Type, 0);
    SetLastError(0xdeadbeef);
    CHECK(!VirtualFree(addr1, 0, MEM_RELEASE));
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);

    /* committing outside any reservation */
    SetLastError(0xdeadbeef);
    CHECK(VirtualAlloc(addr1, 0x1000, MEM_COMMIT, PAGE_READWRITE) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);

    /* memory returned by VirtualAlloc is aligned to 64k; the freed base
     * can be reserved again at once, AT_ROUND_TO_PAGE is refused */
    addr1 = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    CHECK(addr1 != NULL);
    CHECK_EQ((ULONG_PTR)addr1 & 0xffff, 0);
    CHECK(VirtualFree(addr1, 0, MEM_RELEASE));
    addr2 = VirtualAlloc(addr1, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    CHECK(addr2 == addr1);
    /* a second reservation over it conflicts */
    SetLastError(0xdeadbeef);
    CHECK(VirtualAlloc(addr1, 0x1000, MEM_RESERVE, PAGE_READWRITE) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);
    SetLastError(0xdeadbeef);
    CHECK(VirtualAlloc(addr1, 0x1000, MEM_RESERVE | MEM_COMMIT | 0x40000000 /* AT_ROUND_TO_PAGE */,
                       PAGE_EXECUTE_READWRITE) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(VirtualFree(addr1, 0, MEM_RELEASE));
}

/* P6: test_VirtualAlloc's PAGE_NOCACHE cases: the modifier belongs to the
 * allocation in recent Windows, not to a page. */
static void nocache_belongs_to_the_allocation(void)
{
    MEMORY_BASIC_INFORMATION info;
    DWORD old_prot;
    char *addr1 = VirtualAlloc(NULL, 0x2000, MEM_COMMIT, PAGE_READWRITE | PAGE_NOCACHE);

    CHECK(addr1 != NULL);
    query(addr1, &info);
    CHECK_EQ(info.AllocationProtect, PAGE_READWRITE | PAGE_NOCACHE);
    CHECK_EQ(info.RegionSize, 0x2000);
    CHECK_EQ(info.Protect, PAGE_READWRITE | PAGE_NOCACHE);

    CHECK(VirtualProtect(addr1, 0x1000, PAGE_READWRITE, &old_prot));
    CHECK_EQ(old_prot, PAGE_READWRITE | PAGE_NOCACHE);
    query(addr1, &info);
    CHECK_EQ(info.RegionSize, 0x2000);
    CHECK_EQ(info.Protect, PAGE_READWRITE | PAGE_NOCACHE);

    CHECK(VirtualProtect(addr1, 0x1000, PAGE_READONLY, &old_prot));
    query(addr1, &info);
    CHECK_EQ(info.RegionSize, 0x1000);
    CHECK_EQ(info.Protect, PAGE_READONLY | PAGE_NOCACHE);
    CHECK(VirtualFree(addr1, 0, MEM_RELEASE));

    addr1 = VirtualAlloc(NULL, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    CHECK(addr1 != NULL);
    CHECK(VirtualProtect(addr1, 0x1000, PAGE_READONLY | PAGE_NOCACHE, &old_prot));
    CHECK_EQ(old_prot, PAGE_READWRITE);
    query(addr1, &info);
    CHECK_EQ(info.AllocationProtect, PAGE_READWRITE);
    CHECK_EQ(info.RegionSize, 0x1000);
    CHECK_EQ(info.Protect, PAGE_READONLY);
    CHECK(VirtualFree(addr1, 0, MEM_RELEASE));
}

/* P6: test_VirtualAlloc_protection and test_VirtualProtect's table: the
 * six plain protections work, every other value of the low byte fails. */
static void protection_values(void)
{
    SYSTEM_INFO si;
    DWORD prot, old_prot;
    MEMORY_BASIC_INFORMATION info;
    char *base;

    GetSystemInfo(&si);
    base = VirtualAlloc(NULL, si.dwPageSize, MEM_RESERVE | MEM_COMMIT, PAGE_NOACCESS);
    CHECK(base != NULL);
    for (prot = 0; prot <= 0xf0; prot = prot < 0x10 ? prot + 1 : prot + 0x10) {
        BOOL valid = prot == PAGE_NOACCESS || prot == PAGE_READONLY || prot == PAGE_READWRITE ||
                     prot == PAGE_EXECUTE || prot == PAGE_EXECUTE_READ ||
                     prot == PAGE_EXECUTE_READWRITE;
        char *p;

        SetLastError(0xdeadbeef);
        p = VirtualAlloc(NULL, si.dwPageSize, MEM_COMMIT, prot);
        if (valid) {
            CHECK(p != NULL);
            query(p, &info);
            CHECK_EQ(info.RegionSize, si.dwPageSize);
            CHECK_EQ(info.Protect, prot);
            CHECK_EQ(info.AllocationProtect, prot);
            CHECK_EQ(info.State, MEM_COMMIT);
            if (prot == PAGE_READWRITE || prot == PAGE_EXECUTE_READWRITE) p[0] = (char)0xfe;
            /* committing committed pages succeeds */
            CHECK(VirtualAlloc(p, si.dwPageSize, MEM_COMMIT, prot) == p);
            CHECK(VirtualFree(p, 0, MEM_RELEASE));
        } else {
            CHECK(p == NULL);
            CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
        }

        old_prot = 0xdeadbeef;
        SetLastError(0xdeadbeef);
        if (valid) {
            CHECK(VirtualProtect(base, si.dwPageSize, prot, &old_prot));
            CHECK_EQ(old_prot, PAGE_NOACCESS);
            query(base, &info);
            CHECK_EQ(info.Protect, prot);
            CHECK_EQ(info.AllocationProtect, PAGE_NOACCESS);
        } else {
            CHECK(!VirtualProtect(base, si.dwPageSize, prot, &old_prot));
            CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
        }
        CHECK(VirtualProtect(base, si.dwPageSize, PAGE_NOACCESS, &old_prot));
        CHECK_EQ(old_prot, valid ? prot : PAGE_NOACCESS);
    }
    CHECK(VirtualFree(base, 0, MEM_RELEASE));
}

/* P6: test_NtAllocateVirtualMemory's NtFreeVirtualMemory cases (addresses
 * are rounded to pages; a size of 0 names the region from its base). */
static void decommit_and_release_rounding(void)
{
    MEMORY_BASIC_INFORMATION info;
    char *addr1 = VirtualAlloc(NULL, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);

    CHECK(addr1 != NULL);
    memset(addr1, 0x77, 0x10000);
    /* two bytes across a page boundary decommit both pages */
    CHECK(VirtualFree(addr1 + 0x1fff, 2, MEM_DECOMMIT));
    query(addr1 + 0x1000, &info);
    CHECK_EQ(info.State, MEM_RESERVE);
    CHECK_EQ(info.RegionSize, 0x2000);
    query(addr1, &info);
    CHECK_EQ(info.State, MEM_COMMIT);
    CHECK_EQ(info.RegionSize, 0x1000);
    CHECK_EQ((BYTE)addr1[0xfff], 0x77);
    CHECK_EQ((BYTE)addr1[0x3000], 0x77);

    /* recommitted pages are zero again */
    CHECK(VirtualAlloc(addr1 + 0x1000, 0x2000, MEM_COMMIT, PAGE_READWRITE) == addr1 + 0x1000);
    CHECK_EQ(addr1[0x1000], 0);
    CHECK_EQ(addr1[0x2fff], 0);

    SetLastError(0xdeadbeef);
    CHECK(!VirtualFree(addr1 + 0x1001, 0, MEM_DECOMMIT));
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);
    /* within the base's page, size 0: the whole region */
    CHECK(VirtualFree(addr1 + 0xffe, 0, MEM_DECOMMIT));
    query(addr1, &info);
    CHECK_EQ(info.State, MEM_RESERVE);
    CHECK_EQ(info.RegionSize, 0x10000);

    SetLastError(0xdeadbeef);
    CHECK(!VirtualFree(addr1 + 0x1001, 0, MEM_RELEASE));
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);
    CHECK(VirtualFree(addr1 + 0xfff, 0, MEM_RELEASE));
    query(addr1, &info);
    CHECK_EQ(info.State, MEM_FREE);
}

/* P6: VirtualQuery's own errors (Microsoft's VirtualQuery page: the
 * buffer must hold a MEMORY_BASIC_INFORMATION) and memory VirtualAlloc did
 * not make: a thread's stack is committed private read-write memory. */
static void query_errors_and_other_memory(void)
{
    MEMORY_BASIC_INFORMATION info;
    volatile int local = 1;
    DWORD old_prot;
    char *heap_block;

    SetLastError(0xdeadbeef);
    CHECK_EQ(VirtualQuery((void *)&local, &info, sizeof(info) - 1), 0);
    CHECK_EQ(GetLastError(), ERROR_BAD_LENGTH);

    SetLastError(0xdeadbeef);
    query((void *)&local, &info);
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    CHECK_EQ(info.State, MEM_COMMIT);
    CHECK_EQ(info.Protect, PAGE_READWRITE);
    CHECK_EQ(info.Type, MEM_PRIVATE);
    CHECK((char *)info.AllocationBase <= (char *)&local);
    CHECK((char *)info.BaseAddress <= (char *)&local);
    CHECK((char *)info.BaseAddress + info.RegionSize > (char *)&local);

    /* the program's code is an image, executable */
    query((void *)&query_errors_and_other_memory, &info);
    CHECK_EQ(info.State, MEM_COMMIT);
    CHECK_EQ(info.Type, MEM_IMAGE);
    CHECK(info.Protect == PAGE_EXECUTE_READ || info.Protect == PAGE_EXECUTE_READWRITE);

    /* VirtualProtect on heap memory changes it and reports the old value */
    heap_block = malloc(0x3000);
    CHECK(heap_block != NULL);
    {
        char *page = (char *)(((ULONG_PTR)heap_block + 0xfff) & ~(ULONG_PTR)0xfff);
        CHECK(VirtualProtect(page, 0x1000, PAGE_READONLY, &old_prot));
        CHECK_EQ(old_prot, PAGE_READWRITE);
        query(page, &info);
        CHECK_EQ(info.Protect, PAGE_READONLY);
        CHECK(VirtualProtect(page, 0x1000, PAGE_READWRITE, &old_prot));
        CHECK_EQ(old_prot, PAGE_READONLY);
        page[0] = 1;
    }
    free(heap_block);

    /* reserved memory VirtualAlloc did not make (an inaccessible anonymous
     * mapping, as a thread stack's guard page is) cannot be protected:
     * Windows refuses pages that are not committed (test_VirtualAlloc) */
    {
        void *guard = mmap(NULL, 0x1000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(guard != MAP_FAILED);
        query(guard, &info);
        CHECK_EQ(info.State, MEM_RESERVE);
        SetLastError(0xdeadbeef);
        CHECK(!VirtualProtect(guard, 0x1000, PAGE_READWRITE, &old_prot));
        CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);
        CHECK_EQ(munmap(guard, 0x1000), 0);
    }

    /* a NULL lpflOldProtect fails */
    {
        char *p = VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE);
        CHECK(p != NULL);
        SetLastError(0xdeadbeef);
        CHECK(!VirtualProtect(p, 0x1000, PAGE_READONLY, NULL));
        CHECK_EQ(GetLastError(), ERROR_NOACCESS);
        CHECK(VirtualFree(p, 0, MEM_RELEASE));
    }
}

int main(void)
{
    reserve_commit_protect_free();
    nocache_belongs_to_the_allocation();
    protection_values();
    decommit_and_release_rounding();
    query_errors_and_other_memory();
    printf("win32_memory: ok\n");
    return 0;
}
