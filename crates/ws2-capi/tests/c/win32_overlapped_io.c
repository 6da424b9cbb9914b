/* GetOverlappedResult, CancelIo and CancelIoEx on sockets (P6; S37, S38),
 * with overlapped receives that stay pending on loopback until data comes.
 *
 * Windows' answers: kernel32 file.c test_overlapped (GetOverlappedResult
 * on an OVERLAPPED written by hand: all zero → TRUE and 0; STATUS_SUCCESS
 * with InternalHigh 0xabcd → TRUE and 0xabcd; STATUS_INVALID_HANDLE →
 * FALSE, ERROR_INVALID_HANDLE and the count written all the same;
 * STATUS_PENDING without bWait → ERROR_IO_INCOMPLETE and the count
 * untouched, even with hEvent set), ntdll error.c (RtlNtStatusToDosError:
 * STATUS_CONNECTION_RESET → ERROR_NETNAME_DELETED, STATUS_PORT_UNREACHABLE
 * → ERROR_PORT_UNREACHABLE, STATUS_CANCELLED → ERROR_OPERATION_ABORTED),
 * ntdll pipe.c test_cancelio and Microsoft's CancelIo / CancelIoEx pages
 * (CancelIo: TRUE with nothing to cancel, the calling thread's I/O only;
 * CancelIoEx: one OVERLAPPED or all, ERROR_NOT_FOUND when nothing matches;
 * a cancelled operation still sets its event and queues its packet). */
#include <windows.h>
#include <winsock2.h>
#include <stdio.h>

#include "common.h"

#define CHECK_LAST_ERROR(code) CHECK_EQ(GetLastError(), (code))

/* An OVERLAPPED whose result is written by hand, as file.c does. */
static void by_hand(ULONG_PTR internal, ULONG_PTR high, BOOL want, DWORD error, DWORD want_n)
{
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Internal = internal;
    ov.InternalHigh = high;
    DWORD n = 0x5555;
    SetLastError(0xdeadbeef);
    BOOL r = GetOverlappedResult(NULL, &ov, &n, FALSE);
    CHECK_EQ(r, want);
    CHECK_LAST_ERROR(error);
    CHECK_EQ(n, want_n);
}

static void results_written_by_hand(void)
{
    by_hand(0, 0, TRUE, 0xdeadbeef, 0);
    by_hand(STATUS_SUCCESS, 0xabcd, TRUE, 0xdeadbeef, 0xabcd);
    by_hand(0xC0000008 /* STATUS_INVALID_HANDLE */, 0xabcd, FALSE, ERROR_INVALID_HANDLE, 0xabcd);
    by_hand(STATUS_CONNECTION_RESET, 0, FALSE, ERROR_NETNAME_DELETED, 0);
    by_hand(STATUS_PORT_UNREACHABLE, 0, FALSE, ERROR_PORT_UNREACHABLE, 0);
    by_hand(STATUS_CANCELLED, 0, FALSE, ERROR_OPERATION_ABORTED, 0);
    by_hand(STATUS_BUFFER_OVERFLOW, 8, FALSE, ERROR_MORE_DATA, 8);
    by_hand(STATUS_HOST_UNREACHABLE, 0, FALSE, ERROR_HOST_UNREACHABLE, 0);
    /* still pending, no bWait: ERROR_IO_INCOMPLETE, even with hEvent set */
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Internal = STATUS_PENDING;
    ov.hEvent = CreateEventA(NULL, TRUE, TRUE, NULL);
    DWORD n = 0;
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult(NULL, &ov, &n, FALSE));
    CHECK_LAST_ERROR(ERROR_IO_INCOMPLETE);
    CHECK_EQ(n, 0);
    CHECK(HasOverlappedIoCompleted(&ov) == FALSE);
    /* with bWait, a set hEvent is trusted (research-fidelity-io §3.3) */
    SetLastError(0xdeadbeef);
    CHECK(GetOverlappedResult(NULL, &ov, &n, TRUE));
    /* bWait with hEvent NULL waits on the socket: no socket, bad handle */
    ov.hEvent = NULL;
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult((HANDLE)(UINT_PTR)0xdeadbee0u, &ov, &n, TRUE));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
}

/* A UDP socket bound to 127.0.0.1 with receives pending on it. */
typedef struct {
    OVERLAPPED ov;
    WSABUF buf;
    char data[64];
    DWORD flags;
} pending_recv;

static void post_recv(SOCKET s, pending_recv *p, HANDLE ev, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr)
{
    memset(p, 0, sizeof *p);
    p->ov.hEvent = ev;
    p->buf.buf = p->data;
    p->buf.len = sizeof p->data;
    DWORD got = 0;
    CHECK_ERR(WSARecv(s, &p->buf, 1, &got, &p->flags, &p->ov, cr), WSA_IO_PENDING);
    CHECK_EQ(p->ov.Internal, STATUS_PENDING);
}

static SOCKET bound_socket(SOCKADDR_IN *addr)
{
    SOCKET s;
    CHECK_SOCKET(s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    *addr = addr4("127.0.0.1", 0);
    CHECK_OK(bind(s, (struct sockaddr *)addr, sizeof *addr));
    int len = sizeof *addr;
    CHECK_OK(getsockname(s, (struct sockaddr *)addr, &len));
    return s;
}

static void send_to(SOCKET tx, const SOCKADDR_IN *to, const char *text)
{
    CHECK(sendto(tx, text, (int)strlen(text), 0, (const struct sockaddr *)to, sizeof *to) ==
          (int)strlen(text));
}

/* GetOverlappedResult on real operations: pending, then done. */
static void real_results(void)
{
    SOCKADDR_IN addr;
    SOCKET s = bound_socket(&addr), tx;
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    pending_recv p;
    post_recv(s, &p, ev, NULL);
    DWORD n = 0x77;
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult((HANDLE)s, &p.ov, &n, FALSE));
    CHECK_LAST_ERROR(ERROR_IO_INCOMPLETE);
    CHECK_EQ(n, 0x77);
    send_to(tx, &addr, "hello");
    SetLastError(0xdeadbeef);
    CHECK(GetOverlappedResult((HANDLE)s, &p.ov, &n, TRUE)); /* waits on hEvent */
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK_EQ(n, 5);
    CHECK(memcmp(p.data, "hello", 5) == 0);

    /* hEvent NULL: the wait is on the socket itself */
    post_recv(s, &p, NULL, NULL);
    send_to(tx, &addr, "again!");
    CHECK(GetOverlappedResult((HANDLE)s, &p.ov, &n, TRUE));
    CHECK_EQ(n, 6);
    CHECK(CloseHandle(ev));
    closesocket(tx);
    closesocket(s);
}

/* S19: a pending receive ended by an ICMP port unreachable: Internal is
 * STATUS_PORT_UNREACHABLE, so GetOverlappedResult says
 * ERROR_PORT_UNREACHABLE (1234) where WSAGetOverlappedResult says
 * WSAECONNRESET (ntdll error.c; research-fidelity-io §3.2). */
static void port_unreachable(void)
{
    SOCKADDR_IN addr, closed;
    SOCKET s = bound_socket(&addr);
    SOCKET gone = bound_socket(&closed);
    closesocket(gone); /* nobody listens there now */
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    pending_recv p;
    post_recv(s, &p, ev, NULL);
    send_to(s, &closed, "anyone?");
    CHECK_EQ(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
    CHECK_EQ(p.ov.Internal, STATUS_PORT_UNREACHABLE);
    DWORD n = 0x55, flags = 0;
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult((HANDLE)s, &p.ov, &n, FALSE));
    CHECK_LAST_ERROR(ERROR_PORT_UNREACHABLE);
    CHECK_EQ(n, 0);
    CHECK(!WSAGetOverlappedResult(s, &p.ov, &n, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAECONNRESET);
    CHECK(CloseHandle(ev));
    closesocket(s);
}

static void CALLBACK count_routine(DWORD error, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    int *runs = (int *)ov->hEvent;
    (void)flags;
    (void)bytes;
    runs[0]++;
    runs[1] = (int)error;
}

typedef struct {
    SOCKET s;
    pending_recv recv;
    HANDLE posted, finish;
} other_thread;

/* Posts a receive, then stays alive (its end would cancel it, S37) until told. */
static DWORD WINAPI posts_and_stays(LPVOID p)
{
    other_thread *o = (other_thread *)p;
    post_recv(o->s, &o->recv, CreateEventA(NULL, TRUE, FALSE, NULL), NULL);
    SetEvent(o->posted);
    WaitForSingleObject(o->finish, 10000);
    return 0;
}

static void cancelling(void)
{
    SOCKADDR_IN addr;
    SOCKET s = bound_socket(&addr), tx;
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));

    /* nothing pending: CancelIo TRUE, CancelIoEx ERROR_NOT_FOUND */
    SetLastError(0xdeadbeef);
    CHECK(CancelIo((HANDLE)s));
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK(!CancelIoEx((HANDLE)s, NULL));
    CHECK_LAST_ERROR(ERROR_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(!CancelIo((HANDLE)(UINT_PTR)0xdeadbee0u));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    SetLastError(0xdeadbeef);
    CHECK(!CancelIoEx(NULL, NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);

    /* CancelIoEx of one OVERLAPPED: that one only, completed once */
    HANDLE e1 = CreateEventA(NULL, TRUE, FALSE, NULL), e2 = CreateEventA(NULL, TRUE, FALSE, NULL);
    pending_recv a, b;
    post_recv(s, &a, e1, NULL);
    post_recv(s, &b, e2, NULL);
    CHECK(CancelIoEx((HANDLE)s, &b.ov));
    CHECK_EQ(b.ov.Internal, STATUS_CANCELLED);
    CHECK_EQ(WaitForSingleObject(e2, 0), WAIT_OBJECT_0); /* its event is set */
    CHECK_EQ(a.ov.Internal, STATUS_PENDING);
    CHECK_EQ(WaitForSingleObject(e1, 0), WAIT_TIMEOUT);
    DWORD n = 0x55;
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult((HANDLE)s, &b.ov, &n, TRUE));
    CHECK_LAST_ERROR(ERROR_OPERATION_ABORTED);
    CHECK_EQ(n, 0);
    DWORD wsa_n = 0, wsa_flags = 0;
    CHECK(!WSAGetOverlappedResult(s, &b.ov, &wsa_n, FALSE, &wsa_flags));
    CHECK_EQ(WSAGetLastError(), WSA_OPERATION_ABORTED);
    /* done already: not found again */
    SetLastError(0xdeadbeef);
    CHECK(!CancelIoEx((HANDLE)s, &b.ov));
    CHECK_LAST_ERROR(ERROR_NOT_FOUND);
    /* the one left still gets the data */
    send_to(tx, &addr, "kept");
    CHECK_EQ(WaitForSingleObject(e1, 5000), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult((HANDLE)s, &a.ov, &n, FALSE));
    CHECK_EQ(n, 4);
    CHECK_EQ(b.ov.Internal, STATUS_CANCELLED); /* never completed twice */

    /* CancelIo: the calling thread's operations only */
    other_thread o;
    memset(&o, 0, sizeof o);
    o.s = s;
    o.posted = CreateEventA(NULL, TRUE, FALSE, NULL);
    o.finish = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, posts_and_stays, &o, 0, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(o.posted, 10000), WAIT_OBJECT_0);
    CHECK(ResetEvent(e1));
    post_recv(s, &a, e1, NULL);
    CHECK(CancelIo((HANDLE)s));
    CHECK_EQ(a.ov.Internal, STATUS_CANCELLED);
    CHECK_EQ(o.recv.ov.Internal, STATUS_PENDING); /* the other thread's */
    /* CancelIoEx(NULL): every operation, whoever issued it */
    CHECK(CancelIoEx((HANDLE)s, NULL));
    CHECK_EQ(o.recv.ov.Internal, STATUS_CANCELLED);
    CHECK_EQ(WaitForSingleObject(o.recv.ov.hEvent, 0), WAIT_OBJECT_0);
    CHECK(SetEvent(o.finish));
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CHECK(CloseHandle(t) && CloseHandle(o.recv.ov.hEvent) && CloseHandle(o.posted) &&
          CloseHandle(o.finish));

    /* a completion routine: queued to its thread, runs once, with 995 */
    int runs[2] = {0, 0};
    post_recv(s, &a, (HANDLE)runs, count_routine);
    CHECK(CancelIoEx((HANDLE)s, &a.ov));
    CHECK_EQ(runs[0], 0); /* only in an alertable wait */
    CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(runs[0], 1);
    CHECK_EQ(runs[1], WSA_OPERATION_ABORTED);
    CHECK_EQ(SleepEx(0, TRUE), 0);

    /* a socket bound to a completion port: the packet is posted (995) */
    HANDLE port = CreateIoCompletionPort((HANDLE)s, NULL, 0x77, 0);
    CHECK(port != NULL);
    post_recv(s, &a, NULL, NULL);
    CHECK(CancelIoEx((HANDLE)s, &a.ov));
    DWORD bytes = 0x99;
    ULONG_PTR key = 0;
    LPOVERLAPPED got = NULL;
    SetLastError(0xdeadbeef);
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
    CHECK_LAST_ERROR(ERROR_OPERATION_ABORTED);
    CHECK(got == &a.ov);
    CHECK_EQ(key, 0x77);
    CHECK_EQ(bytes, 0);
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0)); /* one packet only */
    CHECK_LAST_ERROR(WAIT_TIMEOUT);

    CHECK(CloseHandle(e1) && CloseHandle(e2));
    closesocket(tx);
    closesocket(s);
    CHECK(CloseHandle(port));
}

int main(void)
{
    results_written_by_hand();
    startup();
    real_results();
    port_unreachable();
    cancelling();
    WSACleanup();
    printf("win32_overlapped_io: ok\n");
    return 0;
}
