/* Overlapped receives on loopback: WSARecvMsg and WSARecvFrom completing
 * through an event, a completion routine in an alertable wait and a
 * completion port, at call time and pending, and cancelled by closesocket.
 *
 * Usage: recv_overlapped SECTION LO_IFINDEX. Each section is one test of
 * c_recv.rs; within a section the checks are SOFT_EQ where one run should
 * report every mismatch.
 * Clauses: S27 S28 S29 S30 S31 S33 S36 S37. */
#include "recv_paths.h"
#include "cr_record.h"

/* ---- overlapped: event mode ---------------------------------------------- */

static void section_ov_event(void)
{
    SOCKADDR_STORAGE rxa, txa, from;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    set_int_opt(rx, IPPROTO_IP, IP_PKTINFO, 1);
    WSAEVENT ev = new_event();
    WSAOVERLAPPED ov;
    WSAMSG msg;
    WSABUF data;
    char buf[64], control[128];
    DWORD got, bytes, flags;

    /* Deferred: the datagram arrives after the call (S30 S31). */
    prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    got = 0xdeadbeef;
    CHECK_PENDING(recvmsg_fn(rx, &msg, &got, &ov, NULL)); /* S30 */
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);             /* S30 */
    CHECK(!event_is_set(ev));
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == FALSE); /* S31 */
    CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
    send_plain(tx, &rxa, "later");
    CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0); /* S31 */
    bytes = 0;
    flags = 0xdead;
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == TRUE);
    CHECK_EQ(bytes, 5);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 5);
    CHECK_EQ(got, 0xdeadbeef); /* S30: not written for a deferred completion */
    CHECK(memcmp(buf, "later", 5) == 0);
    SOFT_EQ(msg.namelen, sizeof(SOCKADDR_IN));
    SOFT_EQ(port_of(&from), port_of(&txa));
    SOFT_EQ(strcmp(ip_of(&from), "127.0.0.1"), 0);
    SOFT_EQ(msg.dwFlags, 0);
    {
        struct seen s = walk(&msg);
        SOFT_EQ(s.entries, 1);
        SOFT_EQ(s.pktinfo4, 1);
        SOFT_EQ(s.bad_len, 0);
        SOFT_EQ(s.pi4.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
        SOFT_EQ(s.pi4.ipi_ifindex, lo_index);
        SOFT_EQ(msg.Control.len, WSA_CMSG_SPACE(sizeof(IN_PKTINFO)));
    }

    /* Immediate: a datagram already waiting (S29). */
    send_plain(tx, &rxa, "waiting!");
    Sleep(20);
    WSAResetEvent(ev);
    prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    got = 0xdeadbeef;
    CHECK_EQ(recvmsg_fn(rx, &msg, &got, &ov, NULL), 0); /* S29 */
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(got, 8);
    CHECK(event_is_set(ev)); /* S29: still delivered */
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 8);
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == TRUE);
    CHECK_EQ(bytes, 8);
    CHECK(memcmp(buf, "waiting!", 8) == 0);
    SOFT_EQ(port_of(&from), port_of(&txa));
    SOFT_EQ(msg.Control.len, WSA_CMSG_SPACE(sizeof(IN_PKTINFO)));
    SOFT_EQ(walk(&msg).pktinfo4, 1);

    /* WSARecvFrom overlapped, deferred: lpFrom and lpFlags filled at completion. */
    char b[16];
    WSABUF wb = {sizeof b, b};
    int fromlen = sizeof from;
    memset(&from, 0, sizeof from);
    flags = 0;
    WSAResetEvent(ev);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    CHECK_PENDING(WSARecvFrom(rx, &wb, 1, &got, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL));
    send_plain(tx, &rxa, "from?");
    CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, TRUE, &flags) == TRUE);
    CHECK_EQ(bytes, 5);
    CHECK(memcmp(b, "from?", 5) == 0);
    SOFT_EQ(fromlen, sizeof(SOCKADDR_IN));
    SOFT_EQ(port_of(&from), port_of(&txa));
    SOFT_EQ(flags, 0);
    WSACloseEvent(ev);
    closesocket(rx);
    closesocket(tx);
}

/* ---- overlapped: completion routine -------------------------------------- */


#define MARKER ((HANDLE)(UINT_PTR)0x5eed0000u)

static void section_ov_routine(void)
{
    SOCKADDR_STORAGE rxa, txa, from;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    char b[16];
    WSABUF wb = {sizeof b, b};
    int fromlen = sizeof from;
    DWORD got = 0xdeadbeef, flags = 0;
    WSAOVERLAPPED ov;

    reset_routine();
    memset(&from, 0, sizeof from);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = MARKER; /* S32: the caller's own context */
    CHECK_PENDING(
        WSARecvFrom(rx, &wb, 1, &got, &flags, (SOCKADDR *)&from, &fromlen, &ov, routine));
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
    send_plain(tx, &rxa, "routine");
    Sleep(50);
    CHECK_EQ(cr_runs, 0); /* S33: only in an alertable wait */
    CHECK_EQ(SleepEx(WAIT_MS, TRUE), WAIT_IO_COMPLETION); /* S33 */
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_err, 0);
    CHECK_EQ(cr_bytes, 7);
    CHECK(cr_ov == &ov);
    CHECK_EQ(cr_flags, 0);
    CHECK(ov.hEvent == MARKER); /* S32 */
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 7);
    CHECK(memcmp(b, "routine", 7) == 0);
    SOFT_EQ(fromlen, sizeof(SOCKADDR_IN));
    SOFT_EQ(port_of(&from), port_of(&txa));
    CHECK_EQ(SleepEx(0, TRUE), 0); /* exactly once */
    CHECK_EQ(cr_runs, 1);

    /* Immediate completion still queues the routine (S29). */
    send_plain(tx, &rxa, "queued");
    Sleep(20);
    reset_routine();
    memset(&ov, 0, sizeof ov);
    got = 0xdeadbeef;
    CHECK_EQ(WSARecv(rx, &wb, 1, &got, &flags, &ov, routine), 0);
    CHECK_EQ(got, 6);
    CHECK_EQ(cr_runs, 0);
    CHECK_EQ(SleepEx(WAIT_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_bytes, 6);
    CHECK_EQ(cr_err, 0);
    closesocket(rx);
    closesocket(tx);
}

/* ---- overlapped: completion port ----------------------------------------- */

#define KEY 0x5151abcdu

static void get_packet(HANDLE port, DWORD *bytes, ULONG_PTR *key, LPOVERLAPPED *pov)
{
    *bytes = 0xdead;
    *key = 0;
    *pov = NULL;
    CHECK(GetQueuedCompletionStatus(port, bytes, key, pov, WAIT_MS) == TRUE); /* S36 */
}

static void section_ov_port(void)
{
    SOCKADDR_STORAGE rxa, txa;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)rx, port, KEY, 0) == port);
    char b[16];
    WSABUF wb = {sizeof b, b};
    DWORD got = 0xdeadbeef, flags = 0, bytes;
    ULONG_PTR key;
    LPOVERLAPPED pov;
    WSAOVERLAPPED ov;

    memset(&ov, 0, sizeof ov);
    CHECK_PENDING(WSARecv(rx, &wb, 1, &got, &flags, &ov, NULL));
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
    send_plain(tx, &rxa, "to port");
    get_packet(port, &bytes, &key, &pov);
    CHECK_EQ(bytes, 7);
    CHECK_EQ(key, KEY);
    CHECK(pov == &ov);
    CHECK(memcmp(b, "to port", 7) == 0);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);

    /* Immediate completion: return 0 and still a packet (S29). */
    send_plain(tx, &rxa, "ready");
    Sleep(20);
    memset(&ov, 0, sizeof ov);
    CHECK_EQ(WSARecv(rx, &wb, 1, &got, &flags, &ov, NULL), 0);
    CHECK_EQ(got, 5);
    get_packet(port, &bytes, &key, &pov);
    CHECK_EQ(bytes, 5);
    CHECK(pov == &ov);

    /* Several pending: completed in call order, datagrams in arrival order. */
    enum { N = 6 };
    WSAOVERLAPPED ovs[N];
    char bufs[N][16];
    WSABUF wbs[N];
    for (int i = 0; i < N; i++) {
        memset(&ovs[i], 0, sizeof ovs[i]);
        memset(bufs[i], 0, sizeof bufs[i]);
        wbs[i].buf = bufs[i];
        wbs[i].len = sizeof bufs[i];
        flags = 0;
        CHECK_PENDING(WSARecv(rx, &wbs[i], 1, &got, &flags, &ovs[i], NULL));
    }
    for (int i = 0; i < N; i++) {
        char text[16];
        snprintf(text, sizeof text, "dgram %d", i);
        send_plain(tx, &rxa, text);
    }
    for (int i = 0; i < N; i++) {
        get_packet(port, &bytes, &key, &pov);
        CHECK(pov == &ovs[i]); /* call order */
        CHECK_EQ(bytes, 7);
    }
    for (int i = 0; i < N; i++) {
        char text[16];
        snprintf(text, sizeof text, "dgram %d", i);
        CHECK(memcmp(bufs[i], text, 7) == 0); /* arrival order */
    }
    closesocket(rx);
    closesocket(tx);
    CloseHandle(port);
}

/* ---- S37: closesocket with receives pending ------------------------------ */

static void section_ov_close(void)
{
    SOCKADDR_STORAGE rxa, from;
    DWORD got = 0xdeadbeef, flags = 0, bytes;
    char b[16];
    WSABUF wb = {sizeof b, b};

    /* event mode */
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    WSAEVENT ev = new_event();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    WSAMSG msg;
    WSABUF data;
    char buf[16], control[64];
    prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
    CHECK_PENDING(recvmsg_fn(rx, &msg, &got, &ov, NULL));
    CHECK_OK(closesocket(rx));
    CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED); /* S37 */
    CHECK_EQ(ov.InternalHigh, 0);

    /* completion routine mode */
    rx = bound_udp("127.0.0.1", &rxa);
    reset_routine();
    memset(&ov, 0, sizeof ov);
    CHECK_PENDING(WSARecv(rx, &wb, 1, &got, &flags, &ov, routine));
    CHECK_OK(closesocket(rx));
    CHECK_EQ(SleepEx(WAIT_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_err, WSA_OPERATION_ABORTED); /* S37 */
    CHECK_EQ(cr_bytes, 0);
    CHECK(cr_ov == &ov);
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);

    /* completion port */
    rx = bound_udp("127.0.0.1", &rxa);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)rx, port, KEY, 0) == port);
    memset(&ov, 0, sizeof ov);
    CHECK_PENDING(WSARecv(rx, &wb, 1, &got, &flags, &ov, NULL));
    CHECK_OK(closesocket(rx));
    ULONG_PTR key = 0;
    LPOVERLAPPED pov = NULL;
    bytes = 0xdead;
    SetLastError(0);
    CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &pov, WAIT_MS) == FALSE); /* S36 */
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK(pov == &ov);
    CHECK_EQ(key, KEY);
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);
    CloseHandle(port);
    WSACloseEvent(ev);
}

int main(int argc, char **argv)
{
    static const recv_section sections[] = {
        {"ov_event", section_ov_event},
        {"ov_routine", section_ov_routine},
        {"ov_port", section_ov_port},
        {"ov_close", section_ov_close},
    };
    return run_recv_section(argc, argv, "recv_overlapped", sections, sizeof sections / sizeof sections[0]);
}
