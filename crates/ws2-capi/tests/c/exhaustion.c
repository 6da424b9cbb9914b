/* S18 S20 S30 S38: running out of file descriptors never leaves a socket
 * stuck. Run by the harness in host A of a rate-limited link; argv: the
 * destination IPv4 address and port (a receiver in host B).
 *
 * The send buffers are filled with non-blocking, non-overlapped sends
 * (they need nothing of the reactor), then RLIMIT_NOFILE is lowered until
 * no descriptor is free. An overlapped send that has to pend then cannot
 * have what pending needs (the reactor's epoll instance): it must fail at
 * call time with WSAEMFILE, leave its OVERLAPPED untouched and queue no
 * completion (no event, routine or packet), and closesocket must not
 * touch that OVERLAPPED later either; an overlapped receive with nothing
 * to receive likewise. Once descriptors are free again the same sockets
 * send and receive, and each operation completes exactly once. */
#include "cr_record.h"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#define SENTINEL_STATUS ((ULONG_PTR)0x5eed5eedu)
#define SENTINEL_BYTES ((ULONG_PTR)0x1234u)
#define LONG_MS 10000

static int held[8192];
static int nheld;

/* Lowers the soft descriptor limit to 64 and opens descriptors until none
 * is left. */
static void exhaust_fds(void)
{
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = 64;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    for (;;) {
        int fd = dup(0);
        if (fd < 0) {
            CHECK_EQ(errno, EMFILE);
            return;
        }
        CHECK(nheld < (int)(sizeof held / sizeof held[0]));
        held[nheld++] = fd;
    }
}

static void release_fds(void)
{
    while (nheld > 0) close(held[--nheld]);
}

/* Non-blocking, non-overlapped sends until WSAEWOULDBLOCK: the socket's
 * send buffer is full, so an overlapped send has to pend. */
static void fill(LPFN_WSASENDMSG fn, SOCKET s, const SOCKADDR_IN *to)
{
    static char data[1200];
    u_long on = 1, off = 0;
    CHECK_OK(ioctlsocket(s, FIONBIO, &on));
    for (int i = 0; i < 10000; i++) {
        DWORD sent;
        if (ov_send(fn, s, to, sizeof *to, data, sizeof data, &sent, NULL, NULL) == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
            CHECK_OK(ioctlsocket(s, FIONBIO, &off));
            return;
        }
    }
    FAIL("10000 sends never filled the rate-limited link");
}

static void prepare(WSAOVERLAPPED *ov, WSAEVENT ev)
{
    memset(ov, 0, sizeof *ov);
    ov->Internal = SENTINEL_STATUS;
    ov->InternalHigh = SENTINEL_BYTES;
    ov->hEvent = ev;
}

#define UNTOUCHED(ov)                                         \
    do {                                                      \
        CHECK_HEX_EQ((ov)->Internal, SENTINEL_STATUS);        \
        CHECK_HEX_EQ((ov)->InternalHigh, SENTINEL_BYTES);     \
    } while (0)

/* The call either completed at once or pends. */
#define ACCEPTED(call)                                                        \
    do {                                                                      \
        int r_ = (call);                                                      \
        if (r_ != 0) CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);             \
    } while (0)

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DEST_IPV4 PORT\n", argv[0]);
        return 2;
    }
    startup();
    SOCKADDR_IN to = addr4(argv[1], (unsigned)atoi(argv[2]));
    static char data[1000];
    memset(data, 'x', sizeof data);

    SOCKET s = udp_socket(4096);  /* events and routines */
    SOCKET sp = udp_socket(4096); /* bound to a completion port */
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)sp, port, 7, 0) == port);
    WSAEVENT ev = new_event();
    /* A receiver in this host, with nothing to receive yet. */
    SOCKADDR_STORAGE rx_addr;
    SOCKET rx = udp_receiver("10.0.0.1", &rx_addr);
    u_long off = 0;
    CHECK_OK(ioctlsocket(rx, FIONBIO, &off));
    static char rx_data[2000];
    WSABUF rx_buf;
    rx_buf.buf = rx_data;
    rx_buf.len = sizeof rx_data;
    /* This thread's own Winsock state exists before the descriptors run
     * out: what is missing below is the reactor. */
    CHECK_EQ(SleepEx(0, TRUE), 0);

    fill(fn, s, &to);
    fill(fn, sp, &to);
    exhaust_fds();

    /* Each send below must have to pend: its buffer is filled again right
     * before it (filling needs no descriptor). */

    /* Event mode. */
    fill(fn, s, &to);
    WSAOVERLAPPED ov_e;
    prepare(&ov_e, ev);
    DWORD sent = 0xabcd;
    CHECK_ERR(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ov_e, NULL), WSAEMFILE);
    UNTOUCHED(&ov_e);
    CHECK_EQ(sent, 0xabcd);
    CHECK(!event_is_set(ev));

    /* Completion routine. */
    fill(fn, s, &to);
    WSAOVERLAPPED ov_r;
    prepare(&ov_r, NULL);
    reset_routine();
    CHECK_ERR(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ov_r, routine), WSAEMFILE);
    UNTOUCHED(&ov_r);
    CHECK_EQ(SleepEx(100, TRUE), 0); /* no routine was queued */
    CHECK_EQ(cr_runs, 0);

    /* Completion port. */
    fill(fn, sp, &to);
    WSAOVERLAPPED ov_p;
    prepare(&ov_p, NULL);
    CHECK_ERR(ov_send(fn, sp, &to, sizeof to, data, sizeof data, &sent, &ov_p, NULL), WSAEMFILE);
    UNTOUCHED(&ov_p);
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED got = (LPOVERLAPPED)&ov_p;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 100));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(got == NULL);

    /* An overlapped receive that has to pend. */
    WSAOVERLAPPED ov_rx;
    prepare(&ov_rx, NULL);
    DWORD got_bytes = 0xabcd, rx_flags = 0;
    CHECK_ERR(WSARecv(rx, &rx_buf, 1, &got_bytes, &rx_flags, &ov_rx, NULL), WSAEMFILE);
    UNTOUCHED(&ov_rx);
    CHECK_EQ(got_bytes, 0xabcd);

    /* Descriptors are free again: the same sockets send and receive, each
     * operation completes exactly once. */
    release_fds();

    WSAEVENT rx_ev = new_event();
    WSAOVERLAPPED ov_rx2;
    prepare(&ov_rx2, rx_ev);
    rx_flags = 0;
    CHECK_ERR(WSARecv(rx, &rx_buf, 1, &got_bytes, &rx_flags, &ov_rx2, NULL), WSA_IO_PENDING);
    SOCKET local = udp_socket(0);
    DWORD local_sent;
    CHECK_OK(ov_send(fn, local, &rx_addr, sizeof(SOCKADDR_IN), "to the receiver", 15, &local_sent,
                     NULL, NULL));
    CHECK_EQ(WaitForSingleObject(rx_ev, LONG_MS), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov_rx2.Internal, 0);
    CHECK_EQ(ov_rx2.InternalHigh, 15);
    CHECK(memcmp(rx_data, "to the receiver", 15) == 0);

    WSAOVERLAPPED ov_e2;
    prepare(&ov_e2, ev);
    ACCEPTED(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ov_e2, NULL));
    CHECK_EQ(WaitForSingleObject(ev, LONG_MS), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov_e2.Internal, 0);
    CHECK_EQ(ov_e2.InternalHigh, sizeof data);

    WSAOVERLAPPED ov_r2;
    prepare(&ov_r2, NULL);
    reset_routine();
    ACCEPTED(ov_send(fn, s, &to, sizeof to, data, sizeof data, &sent, &ov_r2, routine));
    double start = now_ms();
    while (cr_runs == 0 && now_ms() - start < LONG_MS) SleepEx(100, TRUE);
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_err, 0);
    CHECK_EQ(cr_bytes, sizeof data);
    CHECK(cr_ov == &ov_r2);

    WSAOVERLAPPED ov_p2;
    prepare(&ov_p2, NULL);
    ACCEPTED(ov_send(fn, sp, &to, sizeof to, data, sizeof data, &sent, &ov_p2, NULL));
    CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, LONG_MS));
    CHECK(got == &ov_p2);
    CHECK_EQ(key, 7);
    CHECK_EQ(bytes, sizeof data);
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 100)); /* exactly one */
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);

    /* closesocket cancels what is pending, never the refused calls. */
    CHECK_OK(closesocket(s));
    CHECK_OK(closesocket(sp));
    CHECK_OK(closesocket(rx));
    CHECK_OK(closesocket(local));
    UNTOUCHED(&ov_e);
    UNTOUCHED(&ov_r);
    UNTOUCHED(&ov_p);
    UNTOUCHED(&ov_rx);
    WSACloseEvent(rx_ev);
    CHECK_EQ(SleepEx(50, TRUE), 0);
    CHECK_EQ(cr_runs, 1);

    CloseHandle(port);
    WSACloseEvent(ev);
    WSACleanup();
    printf("exhaustion: ok\n");
    return 0;
}
