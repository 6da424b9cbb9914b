/* Events and waits (P6): CreateEventA/W and CreateEventEx with manual- and
 * auto-reset events and an initial state, SetEvent/ResetEvent, named
 * events and OpenEvent, WaitForSingleObject/WaitForMultipleObjects(Ex)
 * (wait-any: lowest index, only that one consumed; wait-all: atomic),
 * MAXIMUM_WAIT_OBJECTS, and the same events under the WSA names.
 *
 * Windows' answers: kernel32 sync.c (test_event: named events, last error
 * 0 / ERROR_ALREADY_EXISTS, case-sensitive names, OpenEvent;
 * test_temporary_objects: a name dies with its last handle;
 * test_WaitForMultipleObjects: 64 events, [0] manual, lowest index wins and
 * only that auto event is consumed; test_WaitForSingleObject: last error
 * untouched on success and timeout, WAIT_FAILED/ERROR_INVALID_HANDLE),
 * thread.c (test_CreateRemoteThread: a wait-all success is WAIT_OBJECT_0),
 * Microsoft's WaitForMultipleObjects page (bWaitAll is atomic; nCount 1 to
 * MAXIMUM_WAIT_OBJECTS) and CreateEvent page (the existing event keeps its
 * settings). No WSAStartup: these are kernel32 calls. */
#include <windows.h>
#include <winsock2.h>
#include <pthread.h>
#include <stdio.h>

#include "common.h"

#define BOGUS ((HANDLE)(UINT_PTR)0xdeadbee0u)

/* The last error after a failed kernel32 call. */
#define CHECK_LAST_ERROR(code) CHECK_EQ(GetLastError(), (code))

static HANDLE event(BOOL manual, BOOL initial)
{
    HANDLE h = CreateEventA(NULL, manual, initial, NULL);
    CHECK(h != NULL);
    return h;
}

/* P6: manual-reset events stay set; auto-reset ones are consumed by one
 * satisfied wait; the initial state holds. */
static void manual_and_auto_reset(void)
{
    HANDLE manual = event(TRUE, FALSE), autoev = event(FALSE, TRUE);
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForSingleObject(manual, 0), WAIT_TIMEOUT);
    CHECK_LAST_ERROR(0xdeadbeef); /* a timeout leaves it alone */
    CHECK(SetEvent(manual));
    CHECK_EQ(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(manual, 0), WAIT_OBJECT_0); /* still set */
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK(ResetEvent(manual));
    CHECK_EQ(WaitForSingleObject(manual, 0), WAIT_TIMEOUT);

    CHECK_EQ(WaitForSingleObject(autoev, 0), WAIT_OBJECT_0); /* initially set */
    CHECK_EQ(WaitForSingleObject(autoev, 0), WAIT_TIMEOUT);  /* consumed */
    CHECK(SetEvent(autoev));
    CHECK(SetEvent(autoev)); /* setting a set event: no count */
    CHECK_EQ(WaitForSingleObject(autoev, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(autoev, 0), WAIT_TIMEOUT);

    /* CreateEventEx's flags */
    HANDLE ex = CreateEventExA(NULL, NULL, CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET,
                               EVENT_ALL_ACCESS);
    CHECK(ex != NULL);
    CHECK_EQ(WaitForSingleObject(ex, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(ex, 0), WAIT_OBJECT_0);
    HANDLE ex_auto = CreateEventExA(NULL, NULL, 0, SYNCHRONIZE | EVENT_MODIFY_STATE);
    CHECK(ex_auto != NULL);
    CHECK(SetEvent(ex_auto));
    CHECK_EQ(WaitForSingleObject(ex_auto, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(ex_auto, 0), WAIT_TIMEOUT);
    SetLastError(0xdeadbeef);
    CHECK(CreateEventExA(NULL, NULL, 0x4, 0) == NULL);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);

    /* bad handles: SetEvent/ResetEvent/waits on what is no event */
    SetLastError(0xdeadbeef);
    CHECK(!SetEvent(BOGUS));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    SetLastError(0xdeadbeef);
    CHECK(!ResetEvent(NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForSingleObject(BOGUS, 0), WAIT_FAILED);
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);

    /* a wait on a closed handle fails (no handle made in between) */
    HANDLE closed = event(TRUE, TRUE);
    CHECK(CloseHandle(closed));
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForSingleObject(closed, 0), WAIT_FAILED);
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    CHECK(!SetEvent(closed));
    CHECK(!CloseHandle(closed));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);

    CHECK(CloseHandle(manual) && CloseHandle(autoev) && CloseHandle(ex) && CloseHandle(ex_auto));
}

/* P6: sync.c test_WaitForMultipleObjects, as Windows runs it: 64 events,
 * [0] manual-reset, the rest auto-reset, all set. */
static void lowest_index_wins(void)
{
    HANDLE h[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
        h[i] = CreateEventA(NULL, i == 0, TRUE, NULL);
        CHECK(h[i] != NULL);
    }
    CHECK_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, h, FALSE, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, h, FALSE, 0), WAIT_OBJECT_0);
    CHECK(ResetEvent(h[0]));
    for (int i = 1; i < MAXIMUM_WAIT_OBJECTS; i++) {
        SetLastError(0xdeadbeef);
        CHECK_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, h, FALSE, 0), WAIT_OBJECT_0 + i);
        CHECK_LAST_ERROR(0xdeadbeef);
    }
    CHECK_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, h, FALSE, 0), WAIT_TIMEOUT);

    /* nCount: 1 to 64 (Microsoft's page) */
    HANDLE more[MAXIMUM_WAIT_OBJECTS + 1];
    for (int i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++) more[i] = h[i % MAXIMUM_WAIT_OBJECTS];
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, more, FALSE, 0), WAIT_FAILED);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForMultipleObjects(0, h, FALSE, 0), WAIT_FAILED);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForMultipleObjectsEx(2, NULL, TRUE, 0, FALSE), WAIT_FAILED);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    /* one bad handle fails the whole wait */
    HANDLE with_bad[2] = {h[1], BOGUS};
    CHECK(SetEvent(h[1]));
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForMultipleObjects(2, with_bad, FALSE, 0), WAIT_FAILED);
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    CHECK_EQ(WaitForSingleObject(h[1], 0), WAIT_OBJECT_0); /* not consumed by the failure */
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) CHECK(CloseHandle(h[i]));
}

/* A thread that waits for all of two events, for the atomicity test. */
typedef struct {
    HANDLE events[2];
    volatile LONG done;
    DWORD result;
} wait_all_args;

static DWORD WINAPI wait_for_both(LPVOID p)
{
    wait_all_args *a = (wait_all_args *)p;
    a->result = WaitForMultipleObjects(2, a->events, TRUE, 10000);
    __atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
    return 0;
}

/* P6: bWaitAll is atomic (Microsoft's WaitForMultipleObjects page): an
 * auto-reset event that is set while the other is not stays set, and
 * another wait may take it; when both are set at once, both are consumed
 * together and the result is WAIT_OBJECT_0 (thread.c). */
static void wait_all_is_atomic(void)
{
    HANDLE a = event(FALSE, FALSE), b = event(FALSE, FALSE);
    HANDLE both[2] = {a, b};
    CHECK(SetEvent(a));
    CHECK_EQ(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObject(a, 0), WAIT_OBJECT_0); /* not consumed */
    CHECK(SetEvent(a) && SetEvent(b));
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK_EQ(WaitForSingleObject(a, 0), WAIT_TIMEOUT); /* both consumed */
    CHECK_EQ(WaitForSingleObject(b, 0), WAIT_TIMEOUT);

    /* a waiting wait-all does not hold a signal it cannot use yet */
    wait_all_args args;
    args.events[0] = a;
    args.events[1] = b;
    args.done = 0;
    args.result = 0xffff;
    HANDLE t = CreateThread(NULL, 0, wait_for_both, &args, 0, NULL);
    CHECK(t != NULL);
    Sleep(50); /* let it wait */
    CHECK(SetEvent(a));
    Sleep(50);
    CHECK(!__atomic_load_n(&args.done, __ATOMIC_ACQUIRE));
    CHECK_EQ(WaitForSingleObject(a, 0), WAIT_OBJECT_0); /* ours to take */
    CHECK(SetEvent(a));
    CHECK(SetEvent(b));
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK_EQ(args.result, WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(a, 0), WAIT_TIMEOUT); /* the thread took both */
    CHECK_EQ(WaitForSingleObject(b, 0), WAIT_TIMEOUT);
    CHECK(CloseHandle(t));

    /* the same object twice in a wait-all: ERROR_INVALID_PARAMETER
     * (Microsoft: the array may not hold copies of one handle) */
    HANDLE twice[2] = {a, a};
    SetLastError(0xdeadbeef);
    CHECK_EQ(WaitForMultipleObjects(2, twice, TRUE, 0), WAIT_FAILED);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    CHECK(CloseHandle(a) && CloseHandle(b));
}

/* Two threads waiting on one auto-reset event: one SetEvent releases one. */
static volatile LONG released;

static DWORD WINAPI take_one(LPVOID p)
{
    if (WaitForSingleObject((HANDLE)p, 1000) == WAIT_OBJECT_0)
        __atomic_add_fetch(&released, 1, __ATOMIC_SEQ_CST);
    return 0;
}

/* P6: SetEvent on an auto-reset event releases exactly one waiter
 * (Microsoft's SetEvent page); a manual-reset one releases all. */
static void auto_reset_releases_one_waiter(void)
{
    HANDLE autoev = event(FALSE, FALSE);
    HANDLE t[2];
    for (int i = 0; i < 2; i++) {
        t[i] = CreateThread(NULL, 0, take_one, autoev, 0, NULL);
        CHECK(t[i] != NULL);
    }
    Sleep(50);
    CHECK(SetEvent(autoev));
    /* the two waits end (one released, one timed out after 1 s) */
    CHECK_EQ(WaitForMultipleObjects(2, t, TRUE, 10000), WAIT_OBJECT_0);
    CHECK_EQ(released, 1);
    CHECK_EQ(WaitForSingleObject(autoev, 0), WAIT_TIMEOUT);

    HANDLE manual = event(TRUE, FALSE);
    released = 0;
    for (int i = 0; i < 2; i++) {
        CHECK(CloseHandle(t[i]));
        t[i] = CreateThread(NULL, 0, take_one, manual, 0, NULL);
        CHECK(t[i] != NULL);
    }
    Sleep(50);
    CHECK(SetEvent(manual));
    CHECK_EQ(WaitForMultipleObjects(2, t, TRUE, 10000), WAIT_OBJECT_0);
    CHECK_EQ(released, 2);
    for (int i = 0; i < 2; i++) CHECK(CloseHandle(t[i]));
    CHECK(CloseHandle(autoev) && CloseHandle(manual));
}

static const WCHAR name_w[] = {'w', 's', '2', '-', 'e', 'v', 0};

/* P6: named events within the process (sync.c test_event,
 * test_temporary_objects; Microsoft's CreateEvent page). */
static void named_events(void)
{
    SetLastError(0xdeadbeef);
    HANDLE a = CreateEventA(NULL, FALSE, FALSE, "ws2-ev");
    CHECK(a != NULL);
    CHECK_LAST_ERROR(ERROR_SUCCESS); /* set to 0 on success */
    SetLastError(0xdeadbeef);
    HANDLE b = CreateEventA(NULL, TRUE, TRUE, "ws2-ev");
    CHECK(b != NULL && b != a);
    CHECK_LAST_ERROR(ERROR_ALREADY_EXISTS);
    /* the same object, with its first settings: auto-reset, not set */
    CHECK_EQ(WaitForSingleObject(b, 0), WAIT_TIMEOUT);
    CHECK(SetEvent(a));
    CHECK_EQ(WaitForSingleObject(b, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(a, 0), WAIT_TIMEOUT); /* consumed through b */

    /* the W name "ws2-ev" is the same name */
    SetLastError(0xdeadbeef);
    HANDLE w = CreateEventW(NULL, TRUE, FALSE, name_w);
    CHECK(w != NULL);
    CHECK_LAST_ERROR(ERROR_ALREADY_EXISTS);

    /* names are case-sensitive */
    SetLastError(0xdeadbeef);
    HANDLE upper = CreateEventA(NULL, TRUE, FALSE, "WS2-EV");
    CHECK(upper != NULL);
    CHECK_LAST_ERROR(ERROR_SUCCESS);
    CHECK(SetEvent(upper));
    CHECK_EQ(WaitForSingleObject(a, 0), WAIT_TIMEOUT);

    /* OpenEvent */
    HANDLE opened = OpenEventA(EVENT_ALL_ACCESS, FALSE, "ws2-ev");
    CHECK(opened != NULL);
    CHECK(SetEvent(opened));
    CHECK_EQ(WaitForSingleObject(a, 0), WAIT_OBJECT_0);
    SetLastError(0xdeadbeef);
    CHECK(OpenEventA(EVENT_ALL_ACCESS, FALSE, "Ws2-Ev") == NULL);
    CHECK_LAST_ERROR(ERROR_FILE_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(OpenEventA(EVENT_ALL_ACCESS, FALSE, NULL) == NULL);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    CHECK(OpenEventW(EVENT_ALL_ACCESS, FALSE, NULL) == NULL);
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);
    HANDLE opened_w = OpenEventW(SYNCHRONIZE, FALSE, name_w);
    CHECK(opened_w != NULL);

    /* a name lives while one of its handles is open, whichever */
    CHECK(CloseHandle(a) && CloseHandle(b) && CloseHandle(w) && CloseHandle(opened));
    HANDLE again = OpenEventA(EVENT_ALL_ACCESS, FALSE, "ws2-ev");
    CHECK(again != NULL);
    CHECK(WSACloseEvent(again) == FALSE); /* no WSAStartup: WSANOTINITIALISED */
    CHECK(CloseHandle(again) && CloseHandle(opened_w));
    SetLastError(0xdeadbeef);
    CHECK(OpenEventA(EVENT_ALL_ACCESS, FALSE, "ws2-ev") == NULL);
    CHECK_LAST_ERROR(ERROR_FILE_NOT_FOUND);
    SetLastError(0xdeadbeef);
    HANDLE fresh = CreateEventA(NULL, TRUE, FALSE, "ws2-ev");
    CHECK(fresh != NULL);
    CHECK_LAST_ERROR(ERROR_SUCCESS); /* a new object */
    CHECK(CloseHandle(fresh) && CloseHandle(upper));

    /* "Local\" is the namespace of a name without a prefix */
    HANDLE plain = CreateEventA(NULL, TRUE, FALSE, "ws2-local");
    SetLastError(0xdeadbeef);
    HANDLE local = CreateEventA(NULL, TRUE, FALSE, "Local\\ws2-local");
    CHECK(plain != NULL && local != NULL);
    CHECK_LAST_ERROR(ERROR_ALREADY_EXISTS);
    CHECK(CloseHandle(plain) && CloseHandle(local));

    /* a name that is no UTF-8 text */
    SetLastError(0xdeadbeef);
    CHECK(CreateEventA(NULL, TRUE, FALSE, "\xff\xfe") == NULL);
    CHECK_LAST_ERROR(ERROR_INVALID_NAME);
}

/* P6 (the events of WSACreateEvent are Win32 events): one object for both
 * sets of names, and an auto-reset event as an OVERLAPPED's hEvent. */
static void wsa_and_win32_names_share_events(void)
{
    startup();
    WSAEVENT wsa = WSACreateEvent();
    CHECK(wsa != WSA_INVALID_EVENT);
    CHECK(SetEvent(wsa));
    CHECK_EQ(WSAWaitForMultipleEvents(1, &wsa, TRUE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(WaitForSingleObject(wsa, 0), WAIT_OBJECT_0); /* manual reset */
    CHECK(WSAResetEvent(wsa));
    HANDLE autoev = event(FALSE, FALSE);
    CHECK(WSASetEvent(autoev));
    CHECK_EQ(WSAWaitForMultipleEvents(1, &autoev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &autoev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);

    /* an overlapped send completes into an auto-reset event: one wait sees it */
    SOCKADDR_STORAGE bound;
    SOCKET rx = udp_receiver("127.0.0.1", &bound);
    SOCKET tx;
    CHECK_SOCKET(tx = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    char data[] = "auto";
    WSABUF b;
    b.buf = data;
    b.len = sizeof data;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = autoev;
    DWORD sent = 0;
    int r = WSASendTo(tx, &b, 1, &sent, 0, (const struct sockaddr *)&bound, sizeof(SOCKADDR_IN),
                      &ov, NULL);
    CHECK(r == 0 || WSAGetLastError() == WSA_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(autoev, 5000), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(autoev, 0), WAIT_TIMEOUT);
    DWORD n = 0;
    CHECK(GetOverlappedResult((HANDLE)tx, &ov, &n, FALSE));
    CHECK_EQ(n, sizeof data);
    EXPECT_DGRAM(rx, data, (int)sizeof data, "127.0.0.1");
    closesocket(tx);
    closesocket(rx);
    CHECK(WSACloseEvent(wsa));
    CHECK(WSACloseEvent(autoev)); /* CloseHandle by another name */
    CHECK(!CloseHandle(autoev));
    WSACleanup();
}

int main(void)
{
    manual_and_auto_reset();
    lowest_index_wins();
    wait_all_is_atomic();
    auto_reset_releases_one_waiter();
    named_events();
    wsa_and_win32_names_share_events();
    printf("win32_events: ok\n");
    return 0;
}
