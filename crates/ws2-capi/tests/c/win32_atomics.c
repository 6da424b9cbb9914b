/* The Interlocked family and one-time initialisation (P6).
 *
 * Windows' answers: Microsoft's pages for the Interlocked functions
 * (Increment, Decrement and Add return the new value; Exchange,
 * ExchangeAdd, CompareExchange, And, Or and Xor the value before; each a
 * full barrier); kernel32 sync.c test_initonce (the INIT_ONCE word is 0,
 * 1 while the function runs, the context | 2 after, 3 while asynchronous
 * initialisations run; a failed function leaves the last error alone and
 * the word 0; the InitOnceBeginInitialize/InitOnceComplete error codes).
 * Every loop is bounded in count and time. */
#include <windows.h>
#include <winsock2.h>
#include <stdio.h>

#include "sync_common.h"

/* ---- Interlocked ------------------------------------------------------ */

static volatile LONG atomic_counter;
static volatile LONG64 atomic_counter64;

static DWORD WINAPI interlocked_adder(LPVOID p)
{
    (void)p;
    for (int i = 0; i < 100000; i++) {
        InterlockedIncrement(&atomic_counter);
        InterlockedExchangeAdd64(&atomic_counter64, 3);
    }
    return 0;
}

static void interlocked(void)
{
    volatile LONG v = 5;
    CHECK_EQ(InterlockedIncrement(&v), 6);
    CHECK_EQ(InterlockedDecrement(&v), 5);
    CHECK_EQ(InterlockedExchange(&v, 9), 5);
    CHECK_EQ(v, 9);
    CHECK_EQ(InterlockedExchangeAdd(&v, 3), 9);
    CHECK_EQ(v, 12);
    CHECK_EQ(InterlockedAdd(&v, -2), 10);
    CHECK_EQ(InterlockedCompareExchange(&v, 77, 3), 10); /* no match: unchanged */
    CHECK_EQ(v, 10);
    CHECK_EQ(InterlockedCompareExchange(&v, 77, 10), 10);
    CHECK_EQ(v, 77);
    v = 0xF0;
    CHECK_EQ(InterlockedAnd(&v, 0x3C), 0xF0);
    CHECK_EQ(v, 0x30);
    CHECK_EQ(InterlockedOr(&v, 0x03), 0x30);
    CHECK_EQ(v, 0x33);
    CHECK_EQ(InterlockedXor(&v, 0x11), 0x33);
    CHECK_EQ(v, 0x22);
    v = 0x7FFFFFFF;
    CHECK_EQ(InterlockedIncrement(&v), (LONG)0x80000000); /* wraps as LONG */

    volatile LONG64 w = 0x100000000LL;
    CHECK_EQ(InterlockedIncrement64(&w), 0x100000001LL);
    CHECK_EQ(InterlockedDecrement64(&w), 0x100000000LL);
    CHECK_EQ(InterlockedExchange64(&w, 0x7FFFFFFFFFFFLL), 0x100000000LL);
    CHECK_EQ(InterlockedExchangeAdd64(&w, 1), 0x7FFFFFFFFFFFLL);
    CHECK_EQ(InterlockedAdd64(&w, 1), 0x800000000001LL);
    CHECK_EQ(InterlockedCompareExchange64(&w, 1, 0x800000000001LL), 0x800000000001LL);
    CHECK_EQ(w, 1);
    CHECK_EQ(InterlockedOr64(&w, 0x100000000LL), 1);
    CHECK_EQ(InterlockedAnd64(&w, 0x100000000LL), 0x100000001LL);
    CHECK_EQ(InterlockedXor64(&w, 0x100000001LL), 0x100000000LL);
    CHECK_EQ(w, 1);

    volatile SHORT h = 0x7FFF;
    CHECK_EQ(InterlockedIncrement16(&h), (SHORT)0x8000);
    CHECK_EQ(InterlockedCompareExchange16(&h, 1, (SHORT)0x8000), (SHORT)0x8000);
    CHECK_EQ(InterlockedDecrement16(&h), 0);

    int a = 1, b = 2;
    PVOID volatile p = &a;
    CHECK(InterlockedExchangePointer(&p, &b) == &a);
    CHECK(p == &b);
    CHECK(InterlockedCompareExchangePointer(&p, NULL, &a) == &b); /* no match */
    CHECK(InterlockedCompareExchangePointer(&p, NULL, &b) == &b);
    CHECK(p == NULL);
    MemoryBarrier();

    HANDLE t[4];
    atomic_counter = 0;
    atomic_counter64 = 0;
    for (int i = 0; i < 4; i++) t[i] = start(interlocked_adder, NULL);
    wait_all(t, 4);
    CHECK_EQ(atomic_counter, 400000);
    CHECK_EQ(atomic_counter64, 1200000);
}


/* ---- INIT_ONCE -------------------------------------------------------- */

static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
static BOOL callback_result;
static volatile LONG callback_calls;
static PVOID callback_context;

static BOOL CALLBACK init_callback(PINIT_ONCE o, PVOID parameter, PVOID *context)
{
    InterlockedIncrement(&callback_calls);
    if (o->Ptr != (PVOID)1 || parameter != (PVOID)0xdeadbeef) return FALSE;
    if (context && callback_context) *context = callback_context;
    Sleep(50); /* others arriving meanwhile wait */
    return callback_result;
}

static DWORD WINAPI execute_once(LPVOID p)
{
    PVOID ctx = NULL;
    (void)p;
    if (!InitOnceExecuteOnce(&once, init_callback, (PVOID)0xdeadbeef, &ctx)) return 1;
    return ctx == (PVOID)0x1230 ? 0 : 2;
}

static void init_once(void)
{
    INIT_ONCE o;
    PVOID ctx = NULL;
    BOOL pending;

    o.Ptr = (PVOID)0xdeadbeef;
    InitOnceInitialize(&o);
    CHECK(o.Ptr == NULL);
    callback_result = TRUE;
    callback_context = NULL;
    callback_calls = 0;
    CHECK(InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK(o.Ptr == (PVOID)2);
    CHECK(ctx == NULL);
    CHECK(InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK_EQ(callback_calls, 1);

    /* the context keeps its value, with state 2 in the low bits */
    InitOnceInitialize(&o);
    ctx = (PVOID)0xFFFFFFF0;
    CHECK(InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK(o.Ptr == (PVOID)0xFFFFFFF2);
    CHECK(ctx == (PVOID)0xFFFFFFF0);

    /* a failed callback: FALSE, last error untouched, back to 0 */
    InitOnceInitialize(&o);
    callback_result = FALSE;
    ctx = NULL;
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK(o.Ptr == NULL);

    /* reserved context bits from the callback */
    InitOnceInitialize(&o);
    callback_result = TRUE;
    callback_context = (PVOID)0x1231;
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceExecuteOnce(&o, init_callback, (PVOID)0xdeadbeef, &ctx));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    CHECK(o.Ptr == NULL);

    /* begin/complete, synchronous */
    InitOnceInitialize(&o);
    CHECK(InitOnceBeginInitialize(&o, 0, &pending, &ctx));
    CHECK(pending);
    CHECK(o.Ptr == (PVOID)1);
    pending = 0xf;
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceBeginInitialize(&o, INIT_ONCE_CHECK_ONLY, &pending, &ctx));
    CHECK_LAST_ERROR(ERROR_GEN_FAILURE);
    CHECK_EQ(pending, 0xf);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceBeginInitialize(&o, INIT_ONCE_ASYNC, &pending, &ctx));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceComplete(&o, INIT_ONCE_INIT_FAILED, (PVOID)0xdeadbee0));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceComplete(&o, 0, (PVOID)0xdeadbeef));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    CHECK(o.Ptr == (PVOID)1);
    CHECK(InitOnceComplete(&o, 0, (PVOID)0xdeadbee0));
    CHECK(o.Ptr == (PVOID)0xdeadbee2);
    ctx = NULL;
    CHECK(InitOnceBeginInitialize(&o, INIT_ONCE_CHECK_ONLY, &pending, &ctx));
    CHECK(!pending);
    CHECK(ctx == (PVOID)0xdeadbee0);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceBeginInitialize(&o, INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC, &pending, &ctx));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    InitOnceInitialize(&o);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceComplete(&o, INIT_ONCE_INIT_FAILED, NULL));
    CHECK_LAST_ERROR(ERROR_GEN_FAILURE);
    CHECK(InitOnceBeginInitialize(&o, 0, &pending, &ctx));
    CHECK(InitOnceComplete(&o, INIT_ONCE_INIT_FAILED, NULL));
    CHECK(o.Ptr == NULL);

    /* asynchronous */
    CHECK(InitOnceBeginInitialize(&o, INIT_ONCE_ASYNC, &pending, &ctx));
    CHECK(pending);
    CHECK(o.Ptr == (PVOID)3);
    CHECK(InitOnceBeginInitialize(&o, INIT_ONCE_ASYNC, &pending, &ctx));
    CHECK(pending);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceBeginInitialize(&o, 0, &pending, &ctx));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(!InitOnceComplete(&o, INIT_ONCE_INIT_FAILED, NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    CHECK(o.Ptr == (PVOID)3);
    CHECK(InitOnceComplete(&o, INIT_ONCE_ASYNC, (PVOID)0xdeadbee0));
    CHECK(o.Ptr == (PVOID)0xdeadbee2);

    /* threads racing: the function runs once, all see its context */
    HANDLE t[4];
    callback_calls = 0;
    callback_result = TRUE;
    callback_context = (PVOID)0x1230;
    for (int i = 0; i < 4; i++) t[i] = start(execute_once, NULL);
    for (int i = 0; i < 4; i++) CHECK_EQ(exit_code(t[i]), 0);
    CHECK_EQ(callback_calls, 1);
    CHECK(once.Ptr == (PVOID)0x1232);
}

int main(void)
{
    interlocked();
    init_once();
    puts("win32_atomics: ok");
    return 0;
}
