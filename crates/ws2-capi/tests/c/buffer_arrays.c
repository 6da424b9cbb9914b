/* Caller arrays that run into unreadable memory, and huge buffer counts
 * (S3, S20, S21): WSASendMsg, WSASend, WSASendTo, WSARecv, WSARecvFrom and
 * WSARecvMsg with dwBufferCount 0x7fffffff or 0xFFFFFFF0 and a one-entry
 * array that ends at a PROT_NONE page fail with WSAEFAULT (they used to
 * abort the process, sizing an allocation from the count); so do a
 * Control.len and a namelen that run into the guard page. An OVERLAPPED is
 * left untouched, no event is set and no port packet is queued. More than
 * 1024 buffers (Linux's UIO_MAXIOV; Windows has no such limit) make one
 * datagram on send and are filled in order on receive, blocking and
 * overlapped; past S11's size they are WSAEMSGSIZE.
 * (Guard pages: mmap/mprotect here; a Windows test would use VirtualAlloc
 * and VirtualProtect(PAGE_NOACCESS), as Wine's sock.c test_select does.)
 * Clauses: S3, S11, S20, S21, S27. */
#define _DEFAULT_SOURCE
#include "common.h"

#include <sys/mman.h>

#define PAGE 4096

/* `len` bytes that end exactly where a PROT_NONE page begins. */
static void *before_guard(size_t len)
{
    size_t pages = (len + PAGE - 1) / PAGE;
    char *p = mmap(NULL, (pages + 1) * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK(mprotect(p + pages * PAGE, PAGE, PROT_NONE) == 0);
    return p + pages * PAGE - len;
}

static const DWORD huge_counts[] = {0x7fffffffu, 0xfffffff0u, 17, 1025};

/* The OVERLAPPED of a failed call: pattern intact, event not set. */
static void init_ov(WSAOVERLAPPED *ov, WSAEVENT ev)
{
    memset(ov, 0x5a, sizeof *ov);
    ov->hEvent = ev;
}

static void untouched(const WSAOVERLAPPED *ov, WSAEVENT ev)
{
    CHECK_EQ(ov->Internal, (ULONG_PTR)0x5a5a5a5a5a5a5a5aULL);
    CHECK_EQ(ov->InternalHigh, (ULONG_PTR)0x5a5a5a5a5a5a5a5aULL);
    CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
}

static void sends_fault(SOCKET tx, HANDLE port, const SOCKADDR_STORAGE *to, SOCKET rx)
{
    LPFN_WSASENDMSG sendmsg_fn = get_wsasendmsg(tx);
    static char byte[] = "x";
    WSABUF *one = before_guard(sizeof(WSABUF));
    one->buf = byte;
    one->len = 1;
    WSAEVENT ev = WSACreateEvent();
    WSAOVERLAPPED ov;
    DWORD sent = 0xdead;
    int tolen = sizeof(SOCKADDR_IN);

    for (size_t i = 0; i < sizeof huge_counts / sizeof huge_counts[0]; i++) {
        DWORD n = huge_counts[i];
        WSAMSG msg;
        memset(&msg, 0, sizeof msg);
        msg.name = (LPSOCKADDR)(void *)to;
        msg.namelen = tolen;
        msg.lpBuffers = one;
        msg.dwBufferCount = n;
        CHECK_ERR(sendmsg_fn(tx, &msg, 0, &sent, NULL, NULL), WSAEFAULT);
        CHECK_ERR(WSASend(tx, one, n, &sent, 0, NULL, NULL), WSAEFAULT);
        CHECK_ERR(WSASendTo(tx, one, n, &sent, 0, (const SOCKADDR *)to, tolen, NULL, NULL),
                  WSAEFAULT);
        CHECK_EQ(sent, 0xdead);

        init_ov(&ov, ev);
        CHECK_ERR(sendmsg_fn(tx, &msg, 0, NULL, &ov, NULL), WSAEFAULT);
        untouched(&ov, ev);
        init_ov(&ov, ev);
        CHECK_ERR(WSASendTo(tx, one, n, NULL, 0, (const SOCKADDR *)to, tolen, &ov, NULL),
                  WSAEFAULT);
        untouched(&ov, ev);
    }

    /* Control.len running into the guard page (one valid IP_TTL entry). */
    {
        WSACMSGHDR *h = before_guard(WSA_CMSG_SPACE(sizeof(INT)));
        h->cmsg_len = WSA_CMSG_LEN(sizeof(INT));
        h->cmsg_level = IPPROTO_IP;
        h->cmsg_type = IP_TTL;
        *(INT *)WSA_CMSG_DATA(h) = 9;
        WSABUF b;
        b.buf = byte;
        b.len = 1;
        WSAMSG msg;
        memset(&msg, 0, sizeof msg);
        msg.name = (LPSOCKADDR)(void *)to;
        msg.namelen = tolen;
        msg.lpBuffers = &b;
        msg.dwBufferCount = 1;
        msg.Control.buf = (CHAR *)h;
        msg.Control.len = 0x100000;
        CHECK_ERR(sendmsg_fn(tx, &msg, 0, &sent, NULL, NULL), WSAEFAULT);
        init_ov(&ov, ev);
        CHECK_ERR(sendmsg_fn(tx, &msg, 0, NULL, &ov, NULL), WSAEFAULT);
        untouched(&ov, ev);
        /* Its real length is fine. */
        msg.Control.len = (ULONG)WSA_CMSG_SPACE(sizeof(INT));
        CHECK_OK(sendmsg_fn(tx, &msg, 0, &sent, NULL, NULL));
        EXPECT_DGRAM(rx, byte, 1, NULL);
    }

    /* A namelen running into the guard page. */
    {
        SOCKADDR_IN *name = before_guard(sizeof(SOCKADDR_IN));
        *name = *(const SOCKADDR_IN *)to;
        WSABUF b;
        b.buf = byte;
        b.len = 1;
        CHECK_ERR(WSASendTo(tx, &b, 1, &sent, 0, (const SOCKADDR *)name, 4096, NULL, NULL),
                  WSAEFAULT);
        CHECK_ERR(connect(tx, (const SOCKADDR *)name, 0x7fffffff), WSAEFAULT);
        CHECK_OK(WSASendTo(tx, &b, 1, &sent, 0, (const SOCKADDR *)name, sizeof *name, NULL, NULL));
        EXPECT_DGRAM(rx, byte, 1, NULL);
    }

    /* No port packet for any of the failed overlapped calls. */
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED got;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(WSACloseEvent(ev));
    EXPECT_NOTHING(rx);
}

static void receives_fault(SOCKET rx, HANDLE port)
{
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    static char space[16];
    WSABUF *one = before_guard(sizeof(WSABUF));
    one->buf = space;
    one->len = sizeof space;
    WSAEVENT ev = WSACreateEvent();
    WSAOVERLAPPED ov;
    DWORD got = 0xdead, flags = 0;

    for (size_t i = 0; i < sizeof huge_counts / sizeof huge_counts[0]; i++) {
        DWORD n = huge_counts[i];
        SOCKADDR_STORAGE from;
        int fromlen = sizeof from;
        WSAMSG msg;
        memset(&msg, 0, sizeof msg);
        msg.lpBuffers = one;
        msg.dwBufferCount = n;
        flags = 0;
        CHECK_ERR(WSARecv(rx, one, n, &got, &flags, NULL, NULL), WSAEFAULT);
        flags = 0;
        CHECK_ERR(WSARecvFrom(rx, one, n, &got, &flags, (SOCKADDR *)&from, &fromlen, NULL, NULL),
                  WSAEFAULT);
        CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAEFAULT);
        CHECK_EQ(got, 0xdead);
        init_ov(&ov, ev);
        flags = 0;
        CHECK_ERR(WSARecv(rx, one, n, NULL, &flags, &ov, NULL), WSAEFAULT);
        untouched(&ov, ev);
        init_ov(&ov, ev);
        CHECK_ERR(recvmsg_fn(rx, &msg, NULL, &ov, NULL), WSAEFAULT);
        untouched(&ov, ev);
    }
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED done;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &done, 0));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(WSACloseEvent(ev));
}

#define MANY 2000

/* MANY one-byte buffers over data[] (each buffer one byte of it). */
static WSABUF *many_bufs(char *data, int n)
{
    WSABUF *b = malloc(sizeof(WSABUF) * (size_t)n);
    CHECK(b != NULL);
    for (int i = 0; i < n; i++) {
        b[i].buf = data + i;
        b[i].len = 1;
    }
    return b;
}

static void many_buffers(SOCKET tx, SOCKET rx, const SOCKADDR_STORAGE *to)
{
    LPFN_WSASENDMSG sendmsg_fn = get_wsasendmsg(tx);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    static char data[MANY], back[MANY];
    for (int i = 0; i < MANY; i++) data[i] = (char)(i * 7 + 1);
    WSABUF *out = many_bufs(data, MANY);
    WSABUF *in = many_bufs(back, MANY);
    DWORD sent = 0, got = 0, flags = 0;
    int tolen = sizeof(SOCKADDR_IN);

    /* S21: one datagram of MANY bytes, in order (WSASendMsg and WSASendTo). */
    CHECK_OK(send_msg(sendmsg_fn, tx, to, tolen, out, MANY, NULL, 0, &sent));
    CHECK_EQ(sent, MANY);
    EXPECT_DGRAM(rx, data, MANY, "127.0.0.1");
    CHECK_OK(WSASendTo(tx, out, MANY, &sent, 0, (const SOCKADDR *)to, tolen, NULL, NULL));
    CHECK_EQ(sent, MANY);
    EXPECT_DGRAM(rx, data, MANY, "127.0.0.1");

    /* Overlapped, with a completion event. */
    WSAEVENT ev = WSACreateEvent();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = (HANDLE)((ULONG_PTR)ev | 1);
    int r = WSASendTo(tx, out, MANY, NULL, 0, (const SOCKADDR *)to, tolen, &ov, NULL);
    CHECK(r == 0 || WSAGetLastError() == WSA_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ev, 3000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(tx, &ov, &sent, FALSE, &flags));
    CHECK_EQ(sent, MANY);
    EXPECT_DGRAM(rx, data, MANY, "127.0.0.1");

    /* S11: past 65507 bytes in many buffers: WSAEMSGSIZE, nothing sent. */
    {
        static char big[70000];
        WSABUF *bb = malloc(sizeof(WSABUF) * 1400);
        CHECK(bb != NULL);
        for (int i = 0; i < 1400; i++) {
            bb[i].buf = big + i * 50;
            bb[i].len = 50;
        }
        CHECK_ERR(WSASendTo(tx, bb, 1400, &sent, 0, (const SOCKADDR *)to, tolen, NULL, NULL),
                  WSAEMSGSIZE);
        free(bb);
        EXPECT_NOTHING(rx);
    }

    /* Receive into MANY one-byte buffers (S21, S27). */
    u_long blocking = 0;
    CHECK_OK(ioctlsocket(rx, FIONBIO, &blocking));
    memset(back, 0, sizeof back);
    CHECK_OK(WSASendTo(tx, out, MANY, &sent, 0, (const SOCKADDR *)to, tolen, NULL, NULL));
    flags = 0;
    CHECK_OK(WSARecv(rx, in, MANY, &got, &flags, NULL, NULL));
    CHECK_EQ(got, MANY);
    CHECK(memcmp(back, data, MANY) == 0);

    /* A longer datagram is truncated to the buffers: WSAEMSGSIZE, MSG_TRUNC. */
    memset(back, 0, sizeof back);
    CHECK_OK(WSASendTo(tx, out, MANY, &sent, 0, (const SOCKADDR *)to, tolen, NULL, NULL));
    WSAMSG msg;
    memset(&msg, 0, sizeof msg);
    msg.lpBuffers = in;
    msg.dwBufferCount = 1500;
    CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAEMSGSIZE);
    CHECK(msg.dwFlags & MSG_TRUNC);
    CHECK(memcmp(back, data, 1500) == 0);
    CHECK_EQ(back[1500], 0);

    /* Overlapped receive posted before the datagram arrives. */
    CHECK(WSAResetEvent(ev));
    memset(back, 0, sizeof back);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = (HANDLE)((ULONG_PTR)ev | 1);
    flags = 0;
    CHECK_ERR(WSARecv(rx, in, MANY, NULL, &flags, &ov, NULL), WSA_IO_PENDING);
    CHECK_OK(WSASendTo(tx, out, MANY, &sent, 0, (const SOCKADDR *)to, tolen, NULL, NULL));
    CHECK_EQ(WaitForSingleObject(ev, 3000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(rx, &ov, &got, FALSE, &flags));
    CHECK_EQ(got, MANY);
    CHECK(memcmp(back, data, MANY) == 0);

    CHECK(WSACloseEvent(ev));
    free(out);
    free(in);
}

int main(void)
{
    startup();
    SOCKADDR_STORAGE rxa;
    SOCKET rx = udp_receiver("127.0.0.1", &rxa);
    SOCKET tx;
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    HANDLE port = CreateIoCompletionPort((HANDLE)tx, NULL, 1, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)rx, port, 2, 0) == port);

    sends_fault(tx, port, &rxa, rx);
    receives_fault(rx, port);

    SOCKET tx2, rx2;
    SOCKADDR_STORAGE rx2a;
    CHECK_SOCKET(tx2 = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    rx2 = udp_receiver("127.0.0.1", &rx2a);
    many_buffers(tx2, rx2, &rx2a);

    CHECK(CloseHandle(port));
    CHECK_OK(closesocket(tx));
    CHECK_OK(closesocket(rx));
    CHECK_OK(closesocket(tx2));
    CHECK_OK(closesocket(rx2));
    CHECK_OK(WSACleanup());
    printf("buffer_arrays: ok\n");
    return 0;
}
