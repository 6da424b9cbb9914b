/* S29 S30 S31 S36 P1 from C, written as an IOCP server keeps its receives in
 * flight: a UDP socket associated with a completion port, a pool of
 * per-I/O contexts (the OVERLAPPED first, found again with
 * CONTAINING_RECORD), WSARecvMsg posted on each, GetQueuedCompletionStatusEx
 * taking several packets at once, each context posted again after its
 * packet. A call may complete at once (0) or report WSA_IO_PENDING even
 * with its datagram already queued: Windows allows both, and ws2 leaves
 * receives on a port nobody waits on for the port's next look, which reads
 * them together (recv_deferred.rs). Checked here: select and FIONREAD do
 * not count a datagram a posted receive takes; every datagram arrives
 * once, in order, each receive with its own bytes, source and IN_PKTINFO;
 * WSAGetOverlappedResult answers a pending receive whose datagram is there
 * as done; a program that only polls HasOverlappedIoCompleted gets its
 * receive too. */
#include "common.h"

#define POOL 16
#define DATAGRAMS 200

typedef struct {
    WSAOVERLAPPED ov; /* first: the packet's OVERLAPPED is the context */
    WSABUF buf;
    WSAMSG msg;
    SOCKADDR_STORAGE from;
    _Alignas(8) char control[64];
    char data[256];
} io_context;

/* Posts ctx's receive: 0 or WSA_IO_PENDING are both fine. */
static void post(LPFN_WSARECVMSG recvmsg_fn, SOCKET s, io_context *ctx)
{
    ZeroMemory(&ctx->ov, sizeof ctx->ov);
    ctx->buf.len = sizeof ctx->data;
    ctx->buf.buf = ctx->data;
    ctx->msg.name = (SOCKADDR *)&ctx->from;
    ctx->msg.namelen = sizeof ctx->from;
    ctx->msg.lpBuffers = &ctx->buf;
    ctx->msg.dwBufferCount = 1;
    ctx->msg.Control.len = sizeof ctx->control;
    ctx->msg.Control.buf = ctx->control;
    ctx->msg.dwFlags = 0;
    if (recvmsg_fn(s, &ctx->msg, NULL, &ctx->ov, NULL) == SOCKET_ERROR &&
        WSAGetLastError() != WSA_IO_PENDING)
        FAIL("WSARecvMsg");
}

/* The destination IN_PKTINFO reports, as text. */
static const char *destination(io_context *ctx)
{
    static char text[INET_ADDRSTRLEN];
    for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&ctx->msg); c != NULL;
         c = WSA_CMSG_NXTHDR(&ctx->msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            IN_PKTINFO pi;
            memcpy(&pi, WSA_CMSG_DATA(c), sizeof pi);
            return inet_ntop(AF_INET, &pi.ipi_addr, text, sizeof text);
        }
    }
    return "(none)";
}

/* Sends datagrams first..first+count-1 to `to`: 100 bytes, the number in
 * the first four. */
static void send_numbered(SOCKET tx, const SOCKADDR_STORAGE *to, int first, int count)
{
    char data[100];
    for (int i = first; i < first + count; i++) {
        memset(data, 0x5a, sizeof data);
        memcpy(data, &i, sizeof i);
        CHECK_EQ(sendto(tx, data, sizeof data, 0, (const SOCKADDR *)to, sizeof(SOCKADDR_IN)),
                 (int)sizeof data);
    }
}

int main(void)
{
    startup();
    SOCKADDR_STORAGE to, txaddr;
    SOCKET rx = udp_receiver("127.0.0.1", &to), tx = udp_receiver("127.0.0.1", &txaddr);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    DWORD on = 1;
    int rcvbuf = 4 << 20;
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_PKTINFO, (const char *)&on, sizeof on));
    CHECK_OK(setsockopt(rx, SOL_SOCKET, SO_RCVBUF, (const char *)&rcvbuf, sizeof rcvbuf));
    HANDLE port = CreateIoCompletionPort((HANDLE)rx, NULL, 42, 0);
    CHECK(port != NULL);

    /* P1: a receive posted with its datagram there takes it, completed at
     * once or pending: select finds nothing to read and FIONREAD counts
     * nothing, as when Windows completes it at call time. */
    static io_context pool[POOL];
    send_numbered(tx, &to, 500, 1);
    Sleep(20);
    post(recvmsg_fn, rx, &pool[0]);
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(rx, &readable);
    TIMEVAL zero = {0, 0};
    CHECK_EQ(select(0, &readable, NULL, NULL, &zero), 0);
    u_long pending = 99;
    CHECK_OK(ioctlsocket(rx, FIONREAD, &pending));
    CHECK_EQ(pending, (u_long)0);
    {
        OVERLAPPED_ENTRY first;
        ULONG got = 0;
        CHECK(GetQueuedCompletionStatusEx(port, &first, 1, &got, 5000, FALSE));
        CHECK(first.lpOverlapped == &pool[0].ov);
        int number;
        memcpy(&number, pool[0].data, sizeof number);
        CHECK_EQ(number, 500);
    }

    /* The pool: every receive posted while the datagrams wait, then each
     * posted again as its packet is taken, until all have come. */
    send_numbered(tx, &to, 0, DATAGRAMS);
    for (int i = 0; i < POOL; i++) post(recvmsg_fn, rx, &pool[i]);
    int next = 0;
    while (next < DATAGRAMS) {
        OVERLAPPED_ENTRY entries[POOL];
        ULONG n = 0;
        CHECK(GetQueuedCompletionStatusEx(port, entries, POOL, &n, 5000, FALSE));
        CHECK(n >= 1 && n <= POOL);
        for (ULONG e = 0; e < n; e++) {
            io_context *ctx = CONTAINING_RECORD(entries[e].lpOverlapped, io_context, ov);
            CHECK_EQ(entries[e].lpCompletionKey, (ULONG_PTR)42);
            CHECK_EQ(entries[e].dwNumberOfBytesTransferred, (DWORD)100);
            CHECK(HasOverlappedIoCompleted(&ctx->ov));
            int number;
            memcpy(&number, ctx->data, sizeof number);
            CHECK_EQ(number, next); /* each once, in order */
            CHECK_EQ(port_of(&ctx->from), port_of(&txaddr));
            CHECK(strcmp(destination(ctx), "127.0.0.1") == 0);
            CHECK_EQ(ctx->msg.dwFlags, (DWORD)0);
            next++;
            if (next + POOL <= DATAGRAMS) post(recvmsg_fn, rx, ctx);
        }
    }

    /* Nothing is left: a receive posted now waits for its datagram. */
    io_context *ctx = &pool[0];
    post(recvmsg_fn, rx, ctx);
    OVERLAPPED_ENTRY entry;
    ULONG n = 0;
    CHECK(!GetQueuedCompletionStatusEx(port, &entry, 1, &n, 50, FALSE));
    CHECK_EQ(GetLastError(), (DWORD)WAIT_TIMEOUT);
    send_numbered(tx, &to, 1000, 1);
    CHECK(GetQueuedCompletionStatusEx(port, &entry, 1, &n, 5000, FALSE));
    CHECK_EQ(n, (ULONG)1);
    CHECK(entry.lpOverlapped == &ctx->ov);
    int number;
    memcpy(&number, ctx->data, sizeof number);
    CHECK_EQ(number, 1000);

    /* S31: the datagram is there; WSAGetOverlappedResult without waiting
     * answers the receive as done, whether or not the call said pending. */
    send_numbered(tx, &to, 1001, 1);
    post(recvmsg_fn, rx, ctx);
    DWORD bytes = 0, flags = 7;
    CHECK(WSAGetOverlappedResult(rx, &ctx->ov, &bytes, FALSE, &flags));
    CHECK_EQ(bytes, (DWORD)100);
    memcpy(&number, ctx->data, sizeof number);
    CHECK_EQ(number, 1001);
    CHECK(GetQueuedCompletionStatusEx(port, &entry, 1, &n, 5000, FALSE));
    CHECK(entry.lpOverlapped == &ctx->ov);

    /* A program that never looks at the port but polls the OVERLAPPED
     * still sees its receive complete (within a second here). */
    send_numbered(tx, &to, 1002, 1);
    post(recvmsg_fn, rx, ctx);
    double start = now_ms();
    while (!HasOverlappedIoCompleted(&ctx->ov)) {
        CHECK(now_ms() - start < 1000);
        Sleep(1);
    }
    memcpy(&number, ctx->data, sizeof number);
    CHECK_EQ(number, 1002);
    CHECK(GetQueuedCompletionStatusEx(port, &entry, 1, &n, 5000, FALSE));
    CHECK(entry.lpOverlapped == &ctx->ov);

    CHECK_OK(closesocket(rx));
    CHECK_OK(closesocket(tx));
    CHECK(CloseHandle(port));
    WSACleanup();
    printf("recv_posted: ok\n");
    return 0;
}
