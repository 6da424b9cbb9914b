/* ECN on send: an application may not send Congestion Experienced (3):
 * IP_ECN/IPV6_ECN 3 fails with WSAEINVAL and nothing is sent, also next to
 * IP_TOS and with an OVERLAPPED (left untouched, nothing queued); ECT(0)
 * still goes out, with DSCP from IP_TOS and ECN from IP_ECN.
 * The Windows record: Microsoft's "Winsock explicit congestion
 * notification (ECN)" page.
 * Clauses: S26 (also S20, S22). */
#include "common.h"

static char data[] = "ecn";

static void ce_refused(SOCKET tx, LPFN_WSASENDMSG fn, const void *to, int tolen, int level,
                       int type, SOCKET rx)
{
    WSABUF b;
    b.buf = data;
    b.len = sizeof data;
    INT ce = 3, tos = 0xb8, ect0 = 2;
    DWORD sent = 0xdead;

    ctlbuf alone = {{0}, 0};
    ctl_add(&alone, level, type, &ce, sizeof ce);
    CHECK_ERR(send_msg(fn, tx, to, tolen, &b, 1, &alone, 0, &sent), WSAEINVAL);
    CHECK_EQ(sent, 0xdead);

    ctlbuf with_tos = {{0}, 0};
    ctl_add(&with_tos, level == IPPROTO_IP ? IPPROTO_IP : IPPROTO_IPV6,
            level == IPPROTO_IP ? IP_TOS : IPV6_TCLASS, &tos, sizeof tos);
    ctl_add(&with_tos, level, type, &ce, sizeof ce);
    CHECK_ERR(send_msg(fn, tx, to, tolen, &b, 1, &with_tos, 0, &sent), WSAEINVAL);

    /* S20: with an OVERLAPPED the failed call leaves it untouched. */
    WSAEVENT ev = WSACreateEvent();
    WSAOVERLAPPED ov;
    memset(&ov, 0x5a, sizeof ov);
    ov.hEvent = ev;
    WSAMSG msg;
    memset(&msg, 0, sizeof msg);
    msg.name = (LPSOCKADDR)(void *)to;
    msg.namelen = tolen;
    msg.lpBuffers = &b;
    msg.dwBufferCount = 1;
    msg.Control.buf = alone.buf;
    msg.Control.len = alone.len;
    CHECK_ERR(fn(tx, &msg, 0, &sent, &ov, NULL), WSAEINVAL);
    CHECK_EQ(ov.Internal, (ULONG_PTR)0x5a5a5a5a5a5a5a5aULL);
    CHECK_EQ(ov.InternalHigh, (ULONG_PTR)0x5a5a5a5a5a5a5a5aULL);
    CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    CHECK(WSACloseEvent(ev));
    EXPECT_NOTHING(rx);

    /* ECT(0) is allowed. */
    ctlbuf ok = {{0}, 0};
    ctl_add(&ok, level, type, &ect0, sizeof ect0);
    CHECK_OK(send_msg(fn, tx, to, tolen, &b, 1, &ok, 0, &sent));
    CHECK_EQ(sent, sizeof data);
    EXPECT_DGRAM(rx, data, (int)sizeof data, NULL);
}

int main(void)
{
    startup();

    SOCKADDR_STORAGE rx4a, rx6a;
    SOCKET rx4 = udp_receiver("127.0.0.1", &rx4a);
    SOCKET rx6 = udp_receiver("::1", &rx6a);
    SOCKET tx4, tx6;
    CHECK_SOCKET(tx4 = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_SOCKET(tx6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    LPFN_WSASENDMSG fn = get_wsasendmsg(tx4);

    ce_refused(tx4, fn, &rx4a, sizeof(SOCKADDR_IN), IPPROTO_IP, IP_ECN, rx4);
    ce_refused(tx6, fn, &rx6a, sizeof(SOCKADDR_IN6), IPPROTO_IPV6, IPV6_ECN, rx6);

    CHECK_OK(closesocket(tx4));
    CHECK_OK(closesocket(tx6));
    CHECK_OK(closesocket(rx4));
    CHECK_OK(closesocket(rx6));
    CHECK_OK(WSACleanup());
    printf("ecn_send: ok\n");
    return 0;
}
