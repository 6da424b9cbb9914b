/* Interlocked singly linked lists (P6): InitializeSListHead,
 * InterlockedPushEntrySList, InterlockedPopEntrySList,
 * InterlockedFlushSList, QueryDepthSList, InterlockedPushListSListEx, and
 * several threads sharing one list, as a server keeps its free buffers.
 *
 * Windows' answers: kernel32 sync.c (Wine's tests, run on Windows)
 * test_slist; winnt.h's x64 SLIST_HEADER/SLIST_ENTRY layout; Microsoft's
 * "Using Singly Linked Lists" sample and InterlockedPushListSListEx page. */
#include <windows.h>
#include <stdio.h>

#include "common.h"

/* P6: x64 layouts (ws2-abi asserts the same). */
_Static_assert(sizeof(SLIST_HEADER) == 16, "SLIST_HEADER size");
_Static_assert(_Alignof(SLIST_HEADER) == 16, "SLIST_HEADER alignment");
_Static_assert(sizeof(SLIST_ENTRY) == 16, "SLIST_ENTRY size");
_Static_assert(_Alignof(SLIST_ENTRY) == 16, "SLIST_ENTRY alignment");
_Static_assert(offsetof(SLIST_HEADER, Region) == 8, "SLIST_HEADER Region");

struct item {
    SLIST_ENTRY entry; /* first, as Microsoft's sample keeps it */
    int value;
    volatile LONG uses;
};

/* P6: test_slist, step by step. */
static void single_thread(void)
{
    struct item item1, item2, item3, *pitem;
    SLIST_HEADER slist_header;
    PSLIST_ENTRY entry, next;
    int i, walked;

    memset(&slist_header, 0xFF, sizeof(slist_header));
    InitializeSListHead(&slist_header);
    CHECK_EQ(QueryDepthSList(&slist_header), 0);

    item1.value = 1;
    CHECK(InterlockedPushEntrySList(&slist_header, &item1.entry) == NULL);
    CHECK_EQ(QueryDepthSList(&slist_header), 1);
    /* winnt.h's HeaderX64: depth and the entry's address >> 4 */
    CHECK_EQ(slist_header.HeaderX64.Depth, 1);
    CHECK_EQ((ULONG_PTR)slist_header.HeaderX64.NextEntry << 4, (ULONG_PTR)&item1.entry);

    item2.value = 2;
    entry = InterlockedPushEntrySList(&slist_header, &item2.entry);
    CHECK(entry != NULL);
    CHECK_EQ(((struct item *)entry)->value, 1);
    CHECK_EQ(QueryDepthSList(&slist_header), 2);

    item3.value = 3;
    entry = InterlockedPushEntrySList(&slist_header, &item3.entry);
    CHECK(entry != NULL);
    CHECK_EQ(((struct item *)entry)->value, 2);
    CHECK_EQ(QueryDepthSList(&slist_header), 3);

    entry = InterlockedPopEntrySList(&slist_header);
    CHECK(entry != NULL);
    pitem = (struct item *)entry;
    CHECK_EQ(pitem->value, 3);
    CHECK_EQ(QueryDepthSList(&slist_header), 2);

    entry = InterlockedFlushSList(&slist_header);
    CHECK_EQ(QueryDepthSList(&slist_header), 0);
    CHECK(InterlockedPopEntrySList(&slist_header) == NULL);
    CHECK_EQ(((struct item *)entry)->value, 2);
    CHECK_EQ(((struct item *)entry->Next)->value, 1);
    CHECK(InterlockedFlushSList(&slist_header) == NULL);

    /* 65536 entries: the 16-bit depth wraps, the list does not */
    for (i = 0; i < 65536; i++) {
        entry = HeapAlloc(GetProcessHeap(), 0, sizeof(*entry));
        CHECK(entry != NULL);
        InterlockedPushEntrySList(&slist_header, entry);
    }
    CHECK_EQ(QueryDepthSList(&slist_header), 0);
    entry = InterlockedFlushSList(&slist_header);
    CHECK(entry != NULL);
    walked = 0;
    while (entry && walked <= 65536) {
        next = entry->Next;
        HeapFree(GetProcessHeap(), 0, entry);
        entry = next;
        walked++;
    }
    CHECK_EQ(walked, 65536);
}

/* P6: Microsoft's InterlockedPushListSListEx page: a linked list of Count
 * entries goes in front at once; the previous first entry is returned. */
static void push_list(void)
{
    SLIST_HEADER head;
    struct item a, b, c, d;

    InitializeSListHead(&head);
    d.value = 4;
    CHECK(InterlockedPushEntrySList(&head, &d.entry) == NULL);
    a.value = 1;
    b.value = 2;
    c.value = 3;
    a.entry.Next = &b.entry;
    b.entry.Next = &c.entry;
    c.entry.Next = NULL;
    CHECK(InterlockedPushListSListEx(&head, &a.entry, &c.entry, 3) == &d.entry);
    CHECK_EQ(QueryDepthSList(&head), 4);
    CHECK(InterlockedPopEntrySList(&head) == &a.entry);
    CHECK(InterlockedPopEntrySList(&head) == &b.entry);
    CHECK(InterlockedPopEntrySList(&head) == &c.entry);
    CHECK(InterlockedPopEntrySList(&head) == &d.entry);
    CHECK(InterlockedPopEntrySList(&head) == NULL);
    CHECK_EQ(QueryDepthSList(&head), 0);
}

/* Several threads pop and push the same few entries as fast as they can:
 * the case where a popped first entry comes back before a slower pop's
 * exchange (ABA). Each pop must get an entry nobody else holds. */
#define POOL 4
#define THREADS 4
#define ROUNDS 500000

static SLIST_HEADER shared;
static struct item pool[POOL];
static volatile LONG pops, clashes, stop;

/* Takes an entry, checking nobody else holds it. */
static struct item *take(void)
{
    struct item *it = (struct item *)InterlockedPopEntrySList(&shared);
    if (it == NULL) return NULL;
    if (InterlockedIncrement(&it->uses) != 1) InterlockedIncrement(&clashes);
    InterlockedIncrement(&pops);
    return it;
}

static void give_back(struct item *it)
{
    if (it == NULL) return;
    InterlockedDecrement(&it->uses);
    InterlockedPushEntrySList(&shared, &it->entry);
}

static DWORD WINAPI churn(LPVOID arg)
{
    DWORD start = GetTickCount();
    int i;

    (void)arg;
    for (i = 0; i < ROUNDS && !stop; i++) {
        /* two out, the first back first: the first entry returns to the
         * front with a different successor, the ABA pattern */
        struct item *a = take();
        struct item *b = take();
        give_back(a);
        give_back(b);
        if ((i & 1023) == 0 && GetTickCount() - start > 20000) stop = 1;
    }
    return 0;
}

static void many_threads(void)
{
    HANDLE threads[THREADS];
    PSLIST_ENTRY entry;
    int i, found = 0;

    InitializeSListHead(&shared);
    for (i = 0; i < POOL; i++) {
        pool[i].value = i;
        InterlockedPushEntrySList(&shared, &pool[i].entry);
    }
    for (i = 0; i < THREADS; i++) {
        threads[i] = CreateThread(NULL, 0, churn, NULL, 0, NULL);
        CHECK(threads[i] != NULL);
    }
    CHECK_EQ(WaitForMultipleObjects(THREADS, threads, TRUE, 60000), WAIT_OBJECT_0);
    for (i = 0; i < THREADS; i++) CloseHandle(threads[i]);

    CHECK_EQ(clashes, 0);
    CHECK(pops > 0);
    CHECK_EQ(QueryDepthSList(&shared), POOL);
    entry = InterlockedFlushSList(&shared);
    while (entry && found <= POOL) {
        struct item *it = (struct item *)entry;
        CHECK(it >= pool && it < pool + POOL);
        CHECK_EQ(it->uses, 0);
        found++;
        entry = entry->Next;
    }
    CHECK_EQ(found, POOL);
    printf("many_threads: %ld pops\n", (long)pops);
}

int main(void)
{
    single_thread();
    push_list();
    many_threads();
    printf("win32_slist: ok\n");
    return 0;
}
