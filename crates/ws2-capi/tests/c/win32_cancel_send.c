/* CancelIoEx and CancelIo of overlapped sends that really pend (P6; S34,
 * S37, S38): run by the harness in host A of two namespaces joined by a
 * veth pair rate-limited to 8 kbit/s. argv: B's IPv4 address and a UDP
 * port (the harness keeps a receiver bound there).
 *
 * Windows' answers: Microsoft's CancelIoEx page (one OVERLAPPED, or all of
 * the handle's I/O from any thread; ERROR_NOT_FOUND when nothing is
 * pending; a cancelled request completes with ERROR_OPERATION_ABORTED, its
 * event set and its completion packet queued) and CancelIo page (the
 * calling thread's I/O only); ntdll pipe.c test_cancelio; kernel32 file.c
 * test_overlapped for GetOverlappedResult. Datagrams already handed to
 * the link are not recalled: those sends complete with their byte count. */
#include "ov_common.h"

#define MAX_OPS 400
#define LEN 1000

typedef struct {
    WSAOVERLAPPED ov;
    int pending;
} send_op;

static SOCKADDR_IN to;
static LPFN_WSASENDMSG fn;
static char data[LEN];
static send_op ops[MAX_OPS];

static ULONG_PTR internal_of(const send_op *o)
{
    return *(volatile const ULONG_PTR *)&o->ov.Internal;
}

/* Sends until `want` sends pend (each with its own event, or none when
 * bound to a port); returns how many were issued. */
static int fill(SOCKET s, int want, int with_events)
{
    int n = 0, pending = 0;
    while (pending < want) {
        if (n == MAX_OPS) FAIL("sends never pended: is the link rate-limited?");
        send_op *o = &ops[n++];
        memset(o, 0, sizeof *o);
        o->ov.hEvent = with_events ? new_event() : NULL;
        DWORD sent = 0;
        int r = ov_send(fn, s, &to, sizeof to, data, LEN, &sent, &o->ov, NULL);
        if (r == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
            o->pending = 1;
            pending++;
        }
    }
    return n;
}

/* Waits until every op is final; checks each is success (LEN bytes) or
 * cancelled (0 bytes), the cancelled ones a suffix of the issue order
 * (one FIFO, S34), the events set; returns how many were cancelled. */
static int settle(int n)
{
    int cancelled = 0;
    for (int i = 0; i < n; i++) {
        send_op *o = &ops[i];
        double t0 = now_ms();
        while (internal_of(o) == STATUS_PENDING) {
            if (now_ms() - t0 > 20000) FAIL("an operation never completed (S38)");
            Sleep(10);
        }
        DWORD bytes = 0x5555;
        SetLastError(0xdeadbeef);
        BOOL ok = GetOverlappedResult((HANDLE)0, &o->ov, &bytes, FALSE);
        if (internal_of(o) == STATUS_CANCELLED) {
            CHECK(!ok);
            CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
            CHECK_EQ(bytes, 0);
            cancelled++;
        } else {
            CHECK_EQ(internal_of(o), STATUS_SUCCESS);
            CHECK(ok);
            CHECK_EQ(bytes, LEN);
            CHECK_EQ(cancelled, 0); /* nothing succeeds after a cancelled one */
        }
        if (o->ov.hEvent != NULL) {
            CHECK(event_is_set(o->ov.hEvent));
            CHECK(CloseHandle(o->ov.hEvent));
        }
    }
    return cancelled;
}

/* Issues sends from another thread and stays alive until told. */
typedef struct {
    SOCKET s;
    int n;
    HANDLE issued, finish;
} issuer;

static DWORD WINAPI issue_and_stay(LPVOID p)
{
    issuer *x = (issuer *)p;
    x->n = fill(x->s, 3, 1);
    SetEvent(x->issued);
    WaitForSingleObject(x->finish, 30000);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DEST_IPV4 PORT\n", argv[0]);
        return 2;
    }
    startup();
    to = addr4(argv[1], (unsigned)atoi(argv[2]));
    memset(data, 'c', sizeof data);
    int sndbuf = 4096;

    /* 1. CancelIoEx(one OVERLAPPED), then CancelIoEx(NULL) */
    SOCKET s;
    CHECK_SOCKET(s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&sndbuf, sizeof sndbuf));
    fn = get_wsasendmsg(s);
    int n = fill(s, 6, 1);
    send_op *last = &ops[n - 1];
    SetLastError(0xdeadbeef);
    CHECK(CancelIoEx((HANDLE)s, &last->ov));
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    CHECK_HEX_EQ(internal_of(last), STATUS_CANCELLED);
    CHECK(event_is_set(last->ov.hEvent));
    CHECK_HEX_EQ(internal_of(&ops[n - 2]), STATUS_PENDING); /* the others wait on */
    SetLastError(0xdeadbeef);
    CHECK(!CancelIoEx((HANDLE)s, &last->ov)); /* done: not found */
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
    CHECK(CancelIoEx((HANDLE)s, NULL));
    int cancelled = settle(n);
    printf("CancelIoEx: %d of %d sends cancelled\n", cancelled, n);
    CHECK(cancelled >= 5);
    SetLastError(0xdeadbeef);
    CHECK(!CancelIoEx((HANDLE)s, NULL));
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
    CHECK(CancelIo((HANDLE)s)); /* nothing to cancel: TRUE */

    /* 2. CancelIo: the calling thread's sends only; CancelIoEx(NULL) from
     * any thread */
    Sleep(2000); /* let the link drain what was sent */
    issuer x;
    x.s = s;
    x.issued = new_event();
    x.finish = new_event();
    HANDLE t = CreateThread(NULL, 0, issue_and_stay, &x, 0, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(x.issued, 30000), WAIT_OBJECT_0);
    CHECK(CancelIo((HANDLE)s)); /* ours: none */
    CHECK_HEX_EQ(internal_of(&ops[x.n - 1]), STATUS_PENDING);
    CHECK(CancelIoEx((HANDLE)s, NULL));
    CHECK_HEX_EQ(internal_of(&ops[x.n - 1]), STATUS_CANCELLED);
    cancelled = settle(x.n);
    CHECK(cancelled >= 3);
    CHECK(SetEvent(x.finish));
    CHECK_EQ(WaitForSingleObject(t, 30000), WAIT_OBJECT_0);
    CHECK(CloseHandle(t) && CloseHandle(x.issued) && CloseHandle(x.finish));
    Sleep(2000);
    n = fill(s, 4, 1);
    CHECK(CancelIo((HANDLE)s)); /* now ours */
    cancelled = settle(n);
    CHECK(cancelled >= 4);
    closesocket(s);

    /* 3. bound to a completion port: one packet per send, the cancelled
     * ones with ERROR_OPERATION_ABORTED */
    Sleep(2000);
    CHECK_SOCKET(s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&sndbuf, sizeof sndbuf));
    HANDLE port = CreateIoCompletionPort((HANDLE)s, NULL, 0x51, 0);
    CHECK(port != NULL);
    n = fill(s, 5, 0);
    CHECK(CancelIoEx((HANDLE)s, NULL));
    int packets = 0, aborted = 0;
    for (;;) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED got = NULL;
        SetLastError(0xdeadbeef);
        BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &got, 3000);
        if (got == NULL) {
            CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
            break;
        }
        CHECK_EQ(key, 0x51);
        CHECK(got >= &ops[0].ov && got <= &ops[n - 1].ov);
        if (!ok) {
            CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
            CHECK_EQ(bytes, 0);
            aborted++;
        }
        packets++;
    }
    CHECK_EQ(packets, n); /* exactly one each (S38) */
    CHECK_EQ(aborted, settle(n));
    CHECK(aborted >= 5);
    closesocket(s);
    CHECK(CloseHandle(port));

    WSACleanup();
    printf("win32_cancel_send: ok\n");
    return 0;
}
