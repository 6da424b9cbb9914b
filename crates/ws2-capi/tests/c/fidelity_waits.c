/* The wait functions as Windows answers them: the two low bits of a handle
 * value are ignored, the pseudo-handles of the current process and thread
 * are waitable alone but refused in an array, a wait-any answers the lowest
 * signalled index, counts outside 1..64 are ERROR_INVALID_PARAMETER, and
 * a successful wait leaves the last error alone. The Windows record is
 * Wine's Windows-run dlls/kernel32/tests/sync.c (test_WaitForSingleObject,
 * test_WaitForMultipleObjects) and Microsoft's WaitForMultipleObjects and
 * WSAWaitForMultipleEvents pages for the counts. Clauses: S31, S40, S41. */
#include "common.h"

#define SENTINEL 0xdeadbeefu

/* GetCurrentProcess() and GetCurrentThread() return these pseudo-handles
 * (Microsoft's pages of both functions). */
#define CURRENT_PROCESS ((HANDLE)(LONG_PTR)-1)
#define CURRENT_THREAD ((HANDLE)(LONG_PTR)-2)

int main(void)
{
    startup();

    /* test_WaitForSingleObject: an invalid value stays invalid with any low
     * bits; a valid event's value with 1, 2 or 3 OR-ed in is that event. */
    for (ULONG_PTR bits = 0; bits < 4; bits++)
        SETS(WaitForSingleObject((HANDLE)(0xdeadbee0 | bits), 0), WAIT_FAILED,
             ERROR_INVALID_HANDLE);
    WSAEVENT ev = WSACreateEvent();
    for (ULONG_PTR bits = 1; bits < 4; bits++) {
        HANDLE tagged = (HANDLE)((ULONG_PTR)ev | bits);
        KEEPS(WaitForSingleObject(tagged, 0), WAIT_TIMEOUT);
        KEEPS(WaitForSingleObjectEx(tagged, 0, TRUE), WAIT_TIMEOUT);
        KEEPS(WaitForMultipleObjects(1, &tagged, FALSE, 0), WAIT_TIMEOUT);
        KEEPS(WSAWaitForMultipleEvents(1, &tagged, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    }
    WSASetEvent(ev);
    for (ULONG_PTR bits = 1; bits < 4; bits++) {
        HANDLE tagged = (HANDLE)((ULONG_PTR)ev | bits);
        KEEPS(WaitForSingleObject(tagged, 0), WAIT_OBJECT_0);
        KEEPS(WaitForMultipleObjectsEx(1, &tagged, TRUE, 0, FALSE), WAIT_OBJECT_0);
    }

    /* The pseudo-handles: a wait on one alone times out. */
    KEEPS(WaitForSingleObject(CURRENT_PROCESS, 100), WAIT_TIMEOUT);
    KEEPS(WaitForSingleObject(CURRENT_THREAD, 100), WAIT_TIMEOUT);
    KEEPS(WaitForSingleObjectEx(CURRENT_THREAD, 10, TRUE), WAIT_TIMEOUT);

    /* test_WaitForMultipleObjects: in an array they are invalid handles. */
    HANDLE pair[2] = {ev, CURRENT_PROCESS};
    SETS(WaitForMultipleObjects(2, pair, FALSE, 0), WAIT_FAILED, ERROR_INVALID_HANDLE);
    pair[1] = CURRENT_THREAD;
    SETS(WaitForMultipleObjects(2, pair, FALSE, 0), WAIT_FAILED, ERROR_INVALID_HANDLE);

    /* 64 signalled events: wait-any answers the lowest index; once it is
     * reset, the next one. */
    HANDLE events[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
        events[i] = WSACreateEvent();
        WSASetEvent(events[i]);
    }
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
        KEEPS(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, events, FALSE, 0), WAIT_OBJECT_0 + i);
        KEEPS(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, events, FALSE, 0), WAIT_OBJECT_0 + i);
        WSAResetEvent(events[i]);
    }
    KEEPS(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, events, FALSE, 0), WAIT_TIMEOUT);

    /* Counts: 0 and more than 64 are refused (Microsoft's pages). */
    SETS(WaitForMultipleObjects(0, events, FALSE, 0), WAIT_FAILED, ERROR_INVALID_PARAMETER);
    HANDLE many[MAXIMUM_WAIT_OBJECTS + 1];
    memcpy(many, events, sizeof events);
    many[MAXIMUM_WAIT_OBJECTS] = ev;
    SETS(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, many, FALSE, 0), WAIT_FAILED,
         ERROR_INVALID_PARAMETER);
    SETS(WSAWaitForMultipleEvents(0, events, FALSE, 0, FALSE), WSA_WAIT_FAILED,
         WSA_INVALID_PARAMETER);

    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) WSACloseEvent(events[i]);
    WSACloseEvent(ev);
    WSACleanup();
    puts("fidelity_waits: ok");
    return 0;
}
