/* Dual-stack socket: an AF_INET6 socket with IPV6_V6ONLY = 0 sends to an
 * IPv4-mapped destination with the source chosen by an IN_PKTINFO.
 * Clauses: S25 (also S40: IPV6_V6ONLY through setsockopt). */
#include "common.h"

int main(void)
{
    startup();

    SOCKADDR_STORAGE rxaddr;
    SOCKET rx = udp_receiver("127.0.0.1", &rxaddr);
    unsigned port = port_of(&rxaddr);

    SOCKET tx;
    CHECK_SOCKET(tx = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    DWORD off = 0;
    CHECK_OK(setsockopt(tx, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&off, sizeof off));
    DWORD v6only = 0xff;
    int optlen = sizeof v6only;
    CHECK_OK(getsockopt(tx, IPPROTO_IPV6, IPV6_V6ONLY, (char *)&v6only, &optlen));
    CHECK_EQ(v6only, 0);

    LPFN_WSASENDMSG fn = get_wsasendmsg(tx);

    SOCKADDR_IN6 to = addr6("::ffff:127.0.0.1", port);
    char payload[] = "dual-stack";
    WSABUF b;
    b.buf = payload;
    b.len = 10;

    /* S25: to a v4-mapped destination, the source comes from IN_PKTINFO. */
    ctlbuf ctl = {0};
    IN_PKTINFO pi = pktinfo4("127.0.0.3");
    ctl_add(&ctl, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    DWORD sent = 0;
    CHECK_OK(send_msg(fn, tx, &to, sizeof to, &b, 1, &ctl, 0, &sent));
    CHECK_EQ(sent, 10);
    EXPECT_DGRAM(rx, "dual-stack", 10, "127.0.0.3");

    /* Without control data the mapped send still works (source 127.0.0.1). */
    CHECK_OK(send_msg(fn, tx, &to, sizeof to, &b, 1, NULL, 0, &sent));
    EXPECT_DGRAM(rx, "dual-stack", 10, "127.0.0.1");

    /* S25: to a native IPv6 destination the source comes from IN6_PKTINFO. */
    {
        SOCKADDR_STORAGE rx6addr;
        SOCKET rx6 = udp_receiver("::1", &rx6addr);
        ctlbuf c6 = {0};
        IN6_PKTINFO p6 = pktinfo6("::1");
        ctl_add(&c6, IPPROTO_IPV6, IPV6_PKTINFO, &p6, sizeof p6);
        CHECK_OK(send_msg(fn, tx, &rx6addr, sizeof(SOCKADDR_IN6), &b, 1, &c6, 0, &sent));
        CHECK_EQ(sent, 10);
        EXPECT_DGRAM(rx6, "dual-stack", 10, "::1");
        closesocket(rx6);
    }

    EXPECT_NOTHING(rx);
    closesocket(tx);
    closesocket(rx);
    WSACleanup();
    printf("dual_stack: ok\n");
    return 0;
}
