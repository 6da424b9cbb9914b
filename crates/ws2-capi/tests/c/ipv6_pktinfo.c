/* IPv6 source selection with IN6_PKTINFO, and IN6_PKTINFO rejected on an
 * AF_INET socket. Clauses: S24, S22. */
#include "common.h"

int main(void)
{
    startup();

    SOCKADDR_STORAGE rxaddr;
    SOCKET rx = udp_receiver("::1", &rxaddr);

    SOCKET tx;
    CHECK_SOCKET(tx = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    SOCKADDR_IN6 local = addr6("::1", 0);
    CHECK_OK(bind(tx, (SOCKADDR *)&local, sizeof local));
    LPFN_WSASENDMSG fn = get_wsasendmsg(tx);

    char payload[] = "six";
    WSABUF b;
    b.buf = payload;
    b.len = 3;

    /* S24: IPV6_PKTINFO with ::1 selects the source ::1. */
    ctlbuf ctl = {0};
    IN6_PKTINFO p6 = pktinfo6("::1");
    ctl_add(&ctl, IPPROTO_IPV6, IPV6_PKTINFO, &p6, sizeof p6);
    CHECK_EQ(ctl.len, 40); /* WSA_CMSG_SPACE(20) */
    DWORD sent = 0;
    CHECK_OK(send_msg(fn, tx, &rxaddr, sizeof(SOCKADDR_IN6), &b, 1, &ctl, 0, &sent));
    CHECK_EQ(sent, 3);
    EXPECT_DGRAM(rx, "six", 3, "::1");

    /* S22: Control.len ending at the unpadded entry (36) is accepted. */
    ctl.len = (ULONG)WSA_CMSG_LEN(sizeof(IN6_PKTINFO));
    CHECK_EQ(ctl.len, 36);
    CHECK_OK(send_msg(fn, tx, &rxaddr, sizeof(SOCKADDR_IN6), &b, 1, &ctl, 0, &sent));
    EXPECT_DGRAM(rx, "six", 3, "::1");

    /* S22: IN6_PKTINFO on an AF_INET socket -> WSAEINVAL, nothing sent. */
    {
        SOCKADDR_STORAGE rx4addr;
        SOCKET rx4 = udp_receiver("127.0.0.1", &rx4addr);
        SOCKET tx4;
        CHECK_SOCKET(tx4 = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
        ctlbuf c = {0};
        ctl_add(&c, IPPROTO_IPV6, IPV6_PKTINFO, &p6, sizeof p6);
        CHECK_ERR(send_msg(fn, tx4, &rx4addr, sizeof(SOCKADDR_IN), &b, 1, &c, 0, &sent),
                  WSAEINVAL);
        EXPECT_NOTHING(rx4);
        closesocket(tx4);
        closesocket(rx4);
    }

    EXPECT_NOTHING(rx);
    closesocket(tx);
    closesocket(rx);
    WSACleanup();
    printf("ipv6_pktinfo: ok\n");
    return 0;
}
