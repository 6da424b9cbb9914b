/* Address-change notifications (SPEC P5): SIO_ADDRESS_LIST_CHANGE in every
 * mode and NotifyAddrChange, run by the harness inside the multi-homed
 * test host.  The program asks for each change by printing "add <cidr>":
 * the harness adds that address to veth0.  A call that blocks gets a
 * helper thread that keeps asking (a new address every 200 ms) until the
 * call returns, so no change can slip in before the call waits.
 * Records: Wine's sock.c test_sioAddressListChange and iphlpapi.c
 * testNotifyAddrChange (both run on Windows), Microsoft's
 * SIO_ADDRESS_LIST_CHANGE and NotifyAddrChange pages. */
#include "ov_common.h"
#include <iphlpapi.h>
#include <pthread.h>

static int next_host = 100;

/* Asks the harness for one new IPv4 (or IPv6) address on veth0. */
static void add_address(int v6)
{
    if (v6)
        printf("add fd00:51:1::%x/64\n", next_host++);
    else
        printf("add 10.51.1.%d/24\n", next_host++);
    fflush(stdout);
}

/* The helper that keeps asking while a blocking call waits. */
static volatile int keep_asking;
static void *asker(void *arg)
{
    (void)arg;
    while (keep_asking) {
        add_address(0);
        Sleep(200);
    }
    return NULL;
}

static SOCKET closer_target;
static void *closer(void *arg)
{
    (void)arg;
    Sleep(300);
    closesocket(closer_target);
    return NULL;
}

static int apc_count;
static DWORD apc_error, apc_size;
static void CALLBACK change_apc(DWORD error, DWORD size, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)ov;
    (void)flags;
    apc_count++;
    apc_error = error;
    apc_size = size;
}

static SOCKET bound_socket(int nonblocking)
{
    SOCKET s;
    CHECK_SOCKET(s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    SOCKADDR_IN a = addr4("10.51.1.1", 0);
    CHECK_OK(bind(s, (SOCKADDR *)&a, sizeof a));
    u_long on = (u_long)nonblocking;
    CHECK_OK(ioctlsocket(s, FIONBIO, &on));
    return s;
}

/* P5: sock.c test_sioAddressListChange, the parts that need no change:
 * pending with an OVERLAPPED whatever the blocking mode, WSAEWOULDBLOCK
 * without one on a non-blocking socket, closesocket aborts a pending one. */
static void list_change_calls(void)
{
    WSAOVERLAPPED ov, *ovp;
    DWORD bytes;
    ULONG_PTR key;
    for (int nonblocking = 0; nonblocking <= 1; nonblocking++) {
        SOCKET s = bound_socket(nonblocking);
        memset(&ov, 0, sizeof ov);
        ov.hEvent = new_event();
        CHECK_PENDING(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, &ov, NULL));
        CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
        CHECK(!event_is_set(ov.hEvent));
        closesocket(s);
        /* closesocket completed it: aborted, event set. */
        CHECK(event_is_set(ov.hEvent));
        CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);
        WSACloseEvent(ov.hEvent);
    }
    SOCKET s = bound_socket(1);
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, NULL, NULL),
              WSAEWOULDBLOCK);
    HANDLE port = CreateIoCompletionPort((HANDLE)s, NULL, 0, 0);
    CHECK(port != NULL);
    memset(&ov, 0, sizeof ov);
    CHECK_PENDING(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, &ov, NULL));
    ovp = (WSAOVERLAPPED *)(ULONG_PTR)0xdeadbeef;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &ovp, 0));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(ovp == NULL);
    closesocket(s);
    ovp = (WSAOVERLAPPED *)(ULONG_PTR)0xdeadbeef;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &ovp, 0));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK(ovp == &ov);
    /* Exactly once: nothing more. */
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &ovp, 0));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CloseHandle(port);
}

/* P5: an address added while SIO_ADDRESS_LIST_CHANGE waits completes it,
 * in every mode (sock.c test_sioAddressListChange, interactive part;
 * Microsoft: the completion carries no data). */
static void list_change_completes(void)
{
    WSAOVERLAPPED ov, *ovp;
    DWORD bytes, flags;
    ULONG_PTR key;

    /* Event. */
    SOCKET s = bound_socket(1);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    CHECK_PENDING(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, &ov, NULL));
    CHECK(!WSAGetOverlappedResult(s, &ov, &bytes, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
    add_address(0);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(s, &ov, &bytes, FALSE, &flags));
    CHECK_EQ(bytes, 0);
    CHECK_EQ(ov.Internal, 0);
    WSACloseEvent(ov.hEvent);
    closesocket(s);

    /* Completion port. */
    s = bound_socket(0);
    HANDLE port = CreateIoCompletionPort((HANDLE)s, NULL, 77, 0);
    CHECK(port != NULL);
    memset(&ov, 0, sizeof ov);
    CHECK_PENDING(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, &ov, NULL));
    add_address(0);
    CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &ovp, 10000));
    CHECK_EQ(bytes, 0);
    CHECK_EQ(key, 77);
    CHECK(ovp == &ov);
    closesocket(s);
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &ovp, 0));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CloseHandle(port);

    /* Completion routine, run in an alertable wait on this thread. */
    s = bound_socket(1);
    memset(&ov, 0, sizeof ov);
    apc_count = 0;
    CHECK_PENDING(
        WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, &ov, change_apc));
    add_address(0);
    double deadline = now_ms() + 10000;
    while (apc_count == 0 && now_ms() < deadline) SleepEx(100, TRUE);
    CHECK_EQ(apc_count, 1);
    CHECK_EQ(apc_error, 0);
    CHECK_EQ(apc_size, 0);
    closesocket(s);

    /* Blocking, no OVERLAPPED: the call itself waits for the change. */
    s = bound_socket(0);
    pthread_t t;
    keep_asking = 1;
    CHECK_EQ(pthread_create(&t, NULL, asker, NULL), 0);
    bytes = 0xdeadbeef;
    CHECK_EQ(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, NULL, NULL), 0);
    CHECK_EQ(bytes, 0);
    keep_asking = 0;
    pthread_join(t, NULL);

    /* ... and closesocket from another thread ends that wait (S37: WSAEINTR). */
    closer_target = s;
    CHECK_EQ(pthread_create(&t, NULL, closer, NULL), 0);
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, NULL, NULL), WSAEINTR);
    pthread_join(t, NULL);

    /* The socket's family only (Microsoft): an IPv6 socket's request waits
     * through an IPv4 change and completes on an IPv6 one. */
    SOCKET s6;
    CHECK_SOCKET(s6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    CHECK_PENDING(WSAIoctl(s6, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, &ov, NULL));
    add_address(0);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 700), WAIT_TIMEOUT);
    add_address(1);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
    CHECK_EQ(ov.Internal, 0);
    WSACloseEvent(ov.hEvent);
    closesocket(s6);
}

/* P5: iphlpapi.c testNotifyAddrChange. */
static void notify_addr_change(void)
{
    OVERLAPPED ov;
    HANDLE h = NULL;

    /* A zeroed OVERLAPPED: pending (also in the last error), cancellable. */
    memset(&ov, 0, sizeof ov);
    SetLastError(0xdeadbeef);
    CHECK_EQ(NotifyAddrChange(&h, &ov), ERROR_IO_PENDING);
    CHECK_EQ(GetLastError(), ERROR_IO_PENDING);
    CHECK(h != NULL && h != INVALID_HANDLE_VALUE);
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
    CHECK_EQ(WaitForSingleObject(h, 0), WAIT_TIMEOUT);
    /* Microsoft: the same request twice is ERROR_INVALID_PARAMETER. */
    CHECK_EQ(NotifyAddrChange(&h, &ov), ERROR_INVALID_PARAMETER);
    CHECK(CancelIPChangeNotify(&ov));
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);
    CHECK_EQ(WaitForSingleObject(h, 1000), WAIT_OBJECT_0); /* the handle is signalled */
    CHECK(!CancelIPChangeNotify(&ov));                       /* nothing pending now */

    /* With an event: pending, then an IPv4 change completes it. */
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    CHECK_EQ(NotifyAddrChange(&h, &ov), ERROR_IO_PENDING);
    CHECK(!HasOverlappedIoCompleted(&ov));
    CHECK_EQ(WaitForSingleObject(h, 0), WAIT_TIMEOUT);
    /* IPv4 only (Microsoft): an IPv6 change does not complete it. */
    add_address(1);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 700), WAIT_TIMEOUT);
    add_address(0);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
    CHECK(HasOverlappedIoCompleted(&ov));
    CHECK_EQ(ov.Internal, 0);
    CHECK_EQ(WaitForSingleObject(h, 1000), WAIT_OBJECT_0);
    /* A new request on the same OVERLAPPED is accepted again, and cancelled. */
    CHECK_EQ(NotifyAddrChange(&h, &ov), ERROR_IO_PENDING);
    CHECK(CancelIPChangeNotify(&ov));
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 1000), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);
    WSACloseEvent(ov.hEvent);

    /* Synchronous: NotifyAddrChange(NULL, NULL) blocks until a change. */
    pthread_t t;
    keep_asking = 1;
    CHECK_EQ(pthread_create(&t, NULL, asker, NULL), 0);
    CHECK_EQ(NotifyAddrChange(NULL, NULL), NO_ERROR);
    keep_asking = 0;
    pthread_join(t, NULL);
}

int main(void)
{
    startup();
    list_change_calls();
    list_change_completes();
    notify_addr_change();
    WSACleanup();
    printf("ifaces_changes: ok\n");
    return 0;
}
