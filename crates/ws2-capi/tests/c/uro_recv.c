/* S44 from C, written as MsQuic's Windows datapath uses URO: the option
 * through the SDK's inline wrappers (0 by default, read back as set; a
 * successful get is how MsQuic learns URO is supported), a UDP GSO send
 * (UDP_SEND_MSG_SIZE) received coalesced by WSARecvMsg with IN_PKTINFO and
 * UDP_COALESCED_INFO (a DWORD in Windows layout, walked with
 * WSA_CMSG_FIRSTHDR/NXTHDR), a buffer smaller than the run taking whole
 * datagrams and the rest readable for select, WSAPoll, FIONREAD,
 * WSAEventSelect and an overlapped receive though the kernel's queue is
 * empty, a datagram longer than the buffer truncated without losing the
 * ones after it, and a socket closed with data held. No Windows-run record
 * exists for these corners; the rules are SPEC S44's (research sheet
 * "URO on UDP GRO"). */
#include "common.h"

/* count datagrams of segment bytes (and one of tail bytes if not 0) in one
 * UDP GSO send; datagram i starts with {tag, i} and is filled with i. */
static void send_run(LPFN_WSASENDMSG sendmsg_fn, SOCKET tx, const SOCKADDR_STORAGE *to,
                     char tag, int segment, int count, int tail)
{
    static char data[65000];
    int len = 0;
    for (int i = 0; i < count + (tail > 0); i++) {
        int n = i < count ? segment : tail;
        memset(data + len, i, (size_t)n);
        data[len] = tag;
        len += n;
    }
    ctlbuf ctl = {.len = 0};
    DWORD seg = (DWORD)segment, sent = 0;
    ctl_add(&ctl, IPPROTO_UDP, UDP_SEND_MSG_SIZE, &seg, sizeof seg);
    WSABUF b = {(ULONG)len, data};
    CHECK_OK(send_msg(sendmsg_fn, tx, to, sizeof(SOCKADDR_IN), &b, 1, &ctl, 0, &sent));
    CHECK_EQ(sent, (DWORD)len);
    Sleep(20);
}

/* What one WSARecvMsg returned. */
typedef struct {
    int rc, err;
    DWORD bytes, flags;
    DWORD segment; /* UDP_COALESCED_INFO, 0 when absent */
    int pktinfo;   /* IN_PKTINFO entries */
} received;

/* A WSARecvMsg offering ctl_len bytes of control room. */
static received recv_msg_ctl(LPFN_WSARECVMSG fn, SOCKET rx, char *buf, ULONG len, ULONG ctl_len)
{
    _Alignas(8) char control[128];
    SOCKADDR_STORAGE from;
    WSABUF b = {len, buf};
    WSAMSG msg = {(SOCKADDR *)&from, sizeof from, &b, 1, {ctl_len, control}, 0};
    received r = {0};
    r.rc = fn(rx, &msg, &r.bytes, NULL, NULL);
    r.err = r.rc == 0 ? 0 : WSAGetLastError();
    r.flags = msg.dwFlags;
    for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&msg); c != NULL; c = WSA_CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_COALESCED_INFO) {
            CHECK_EQ(c->cmsg_len, WSA_CMSG_LEN(sizeof(DWORD)));
            memcpy(&r.segment, WSA_CMSG_DATA(c), sizeof r.segment);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            r.pktinfo++;
        }
    }
    return r;
}

static received recv_msg(LPFN_WSARECVMSG fn, SOCKET rx, char *buf, ULONG len)
{
    return recv_msg_ctl(fn, rx, buf, len, 128);
}

/* buf holds whole datagrams of segment bytes tagged tag, numbered from first. */
static void check_datagrams(const char *buf, DWORD bytes, int segment, char tag, int first)
{
    for (DWORD at = 0, i = 0; at < bytes; at += (DWORD)segment, i++) {
        CHECK_EQ(buf[at], tag);
        CHECK_EQ((unsigned char)buf[at + 1], (unsigned char)(first + (int)i));
    }
}

int main(void)
{
    startup();
    SOCKADDR_STORAGE to;
    SOCKET rx = udp_receiver("127.0.0.1", &to), tx;
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    LPFN_WSASENDMSG sendmsg_fn = get_wsasendmsg(tx);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    static char buf[65536];
    DWORD max = 0xdeadbeef, on = 1;
    received r;

    /* The option: 0 by default, then what was set. */
    CHECK_OK(WSAGetUdpRecvMaxCoalescedSize(rx, &max));
    CHECK_EQ(max, 0);
    CHECK_OK(WSASetUdpRecvMaxCoalescedSize(rx, 65527));
    CHECK_OK(WSAGetUdpRecvMaxCoalescedSize(rx, &max));
    CHECK_EQ(max, 65527);
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_PKTINFO, (const char *)&on, sizeof on));

    /* A run arrives whole: its size in UDP_COALESCED_INFO, next to IN_PKTINFO. */
    send_run(sendmsg_fn, tx, &to, 'a', 1200, 10, 500);
    r = recv_msg(recvmsg_fn, rx, buf, sizeof buf);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.bytes, 12500);
    CHECK_EQ(r.segment, 1200);
    CHECK_EQ(r.pktinfo, 1);
    CHECK_EQ(r.flags, 0);
    check_datagrams(buf, r.bytes, 1200, 'a', 0);

    /* Control room for IN_PKTINFO only: the run is received whole and its
     * UDP_COALESCED_INFO is what does not fit (MSG_CTRUNC, WSAEMSGSIZE with
     * the byte count), as for any control entry (S27); the same for a piece
     * of a run that leaves a residue, and for the residue's next piece. */
    ULONG pktinfo_only = WSA_CMSG_SPACE(sizeof(IN_PKTINFO));
    send_run(sendmsg_fn, tx, &to, 'c', 1200, 4, 0);
    r = recv_msg_ctl(recvmsg_fn, rx, buf, sizeof buf, pktinfo_only);
    CHECK_EQ(r.rc, SOCKET_ERROR);
    CHECK_EQ(r.err, WSAEMSGSIZE);
    CHECK_EQ(r.bytes, 4800);
    CHECK(r.flags & MSG_CTRUNC);
    CHECK_EQ(r.segment, 0);
    CHECK_EQ(r.pktinfo, 1);
    check_datagrams(buf, r.bytes, 1200, 'c', 0);
    send_run(sendmsg_fn, tx, &to, 'd', 1200, 4, 0);
    for (int piece = 0; piece < 2; piece++) {
        r = recv_msg_ctl(recvmsg_fn, rx, buf, 2500, pktinfo_only);
        CHECK_EQ(r.err, WSAEMSGSIZE);
        CHECK_EQ(r.bytes, 2400);
        CHECK(r.flags & MSG_CTRUNC);
        CHECK_EQ(r.segment, 0);
        CHECK_EQ(r.pktinfo, 1);
        check_datagrams(buf, r.bytes, 1200, 'd', 2 * piece);
    }

    /* A smaller buffer takes whole datagrams; the rest is held. */
    send_run(sendmsg_fn, tx, &to, 'b', 1200, 10, 0);
    r = recv_msg(recvmsg_fn, rx, buf, 2500);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.bytes, 2400);
    CHECK_EQ(r.segment, 1200);
    check_datagrams(buf, r.bytes, 1200, 'b', 0);

    /* What is held is readable, though the kernel's queue is empty. */
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(rx, &readable);
    TIMEVAL zero = {0, 0};
    CHECK_EQ(select(0, &readable, NULL, NULL, &zero), 1);
    CHECK(FD_ISSET(rx, &readable));
    WSAPOLLFD p = {rx, POLLRDNORM, 0};
    CHECK_EQ(WSAPoll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLRDNORM);
    u_long pending = 0;
    CHECK_OK(ioctlsocket(rx, FIONREAD, &pending));
    CHECK_EQ(pending, 9600);
    WSAEVENT ev = WSACreateEvent();
    WSANETWORKEVENTS ne;
    CHECK_OK(WSAEventSelect(rx, ev, FD_READ));
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK_OK(WSAEnumNetworkEvents(rx, ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_READ);
    /* A receive that leaves some records FD_READ again. */
    r = recv_msg(recvmsg_fn, rx, buf, 2500);
    CHECK_EQ(r.bytes, 2400);
    check_datagrams(buf, r.bytes, 1200, 'b', 2);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK_OK(WSAEnumNetworkEvents(rx, ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_READ);
    CHECK_OK(WSAEventSelect(rx, NULL, 0));

    /* An overlapped receive completes from what is held: one datagram (its
     * buffer holds one), no UDP_COALESCED_INFO. */
    {
        _Alignas(8) char control[128];
        SOCKADDR_STORAGE from;
        WSABUF b = {1300, buf};
        WSAMSG msg = {(SOCKADDR *)&from, sizeof from, &b, 1, {sizeof control, control}, 0};
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        DWORD got = 0, flags = 0;
        int rc = recvmsg_fn(rx, &msg, &got, &ov, NULL);
        CHECK(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
        CHECK(WSAGetOverlappedResult(rx, &ov, &got, TRUE, &flags));
        CHECK_EQ(got, 1200);
        check_datagrams(buf, got, 1200, 'b', 4);
        for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&msg); c != NULL; c = WSA_CMSG_NXTHDR(&msg, c))
            CHECK(!(c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_COALESCED_INFO));
        WSACloseEvent(ov.hEvent);
    }

    /* A buffer shorter than one datagram: that datagram is truncated
     * (WSAEMSGSIZE, MSG_TRUNC), the ones after it are not lost. */
    r = recv_msg(recvmsg_fn, rx, buf, 1000);
    CHECK_EQ(r.rc, SOCKET_ERROR);
    CHECK_EQ(r.err, WSAEMSGSIZE);
    CHECK(r.flags & MSG_TRUNC);
    CHECK_EQ(buf[0], 'b');
    CHECK_EQ(buf[1], 5);
    r = recv_msg(recvmsg_fn, rx, buf, sizeof buf);
    CHECK_EQ(r.rc, 0);
    CHECK_EQ(r.bytes, 4 * 1200);
    CHECK_EQ(r.segment, 1200);
    check_datagrams(buf, r.bytes, 1200, 'b', 6);
    CHECK_OK(ioctlsocket(rx, FIONREAD, &pending));
    CHECK_EQ(pending, 0);

    /* Closed with data held: nothing leaks, nothing is left. */
    send_run(sendmsg_fn, tx, &to, 'c', 1000, 5, 0);
    r = recv_msg(recvmsg_fn, rx, buf, 1000);
    CHECK_EQ(r.bytes, 1000);
    CHECK_EQ(r.segment, 0);
    CHECK_OK(closesocket(rx));
    CHECK_OK(closesocket(tx));
    WSACloseEvent(ev);
    WSACleanup();
    printf("uro_recv: ok\n");
    return 0;
}
