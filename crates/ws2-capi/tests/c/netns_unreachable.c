/* Run by the harness inside a network namespace whose only addresses are
 * lo and argv[1] (10.0.0.1/24 on a veth; the peer is 10.0.0.2).
 * A local source to an unreachable network and a non-local source are told
 * apart. Clauses: S23, S24 (and S19's ENETUNREACH mapping). */
#include "common.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s LOCAL_IPV4\n", argv[0]);
        return 2;
    }
    const char *local = argv[1];
    startup();

    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    char payload[] = "unreachable";
    WSABUF b;
    b.buf = payload;
    b.len = 11;
    DWORD sent = 0xdeadbeef;

    /* S23: a local source with an unreachable destination -> WSAENETUNREACH */
    SOCKADDR_IN far = addr4("10.99.0.1", 9);
    ctlbuf ctl = {0};
    IN_PKTINFO pi = pktinfo4(local);
    ctl_add(&ctl, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    CHECK_ERR(send_msg(fn, s, &far, sizeof far, &b, 1, &ctl, 0, &sent), WSAENETUNREACH);
    CHECK_EQ(sent, 0xdeadbeef); /* not written on failure */

    /* S19: the same without control data -> WSAENETUNREACH */
    CHECK_ERR(send_msg(fn, s, &far, sizeof far, &b, 1, NULL, 0, &sent), WSAENETUNREACH);

    /* S23: a source that is not an address of this host -> WSAEINVAL */
    SOCKADDR_IN peer = addr4("10.0.0.2", 9);
    ctlbuf bad = {0};
    IN_PKTINFO npi = pktinfo4("10.0.0.77");
    ctl_add(&bad, IPPROTO_IP, IP_PKTINFO, &npi, sizeof npi);
    CHECK_ERR(send_msg(fn, s, &peer, sizeof peer, &b, 1, &bad, 0, &sent), WSAEINVAL);
    /* ... a non-local source to an unreachable network is still WSAEINVAL
     * (the source is what is wrong) */
    CHECK_ERR(send_msg(fn, s, &far, sizeof far, &b, 1, &bad, 0, &sent), WSAEINVAL);

    /* the local source to the reachable peer works */
    CHECK_OK(send_msg(fn, s, &peer, sizeof peer, &b, 1, &ctl, 0, &sent));
    CHECK_EQ(sent, 11);
    closesocket(s);

    /* S23/S24: a non-local IPv6 source with IN6_PKTINFO -> WSAEINVAL */
    SOCKET s6;
    CHECK_SOCKET(s6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    SOCKADDR_IN6 lo6 = addr6("::1", 9);
    ctlbuf c6 = {0};
    IN6_PKTINFO p6 = pktinfo6("fd00:99::1");
    ctl_add(&c6, IPPROTO_IPV6, IPV6_PKTINFO, &p6, sizeof p6);
    CHECK_ERR(send_msg(fn, s6, &lo6, sizeof lo6, &b, 1, &c6, 0, &sent), WSAEINVAL);
    /* ... while ::1 as the source works */
    ctlbuf ok6 = {0};
    IN6_PKTINFO l6 = pktinfo6("::1");
    ctl_add(&ok6, IPPROTO_IPV6, IPV6_PKTINFO, &l6, sizeof l6);
    CHECK_OK(send_msg(fn, s6, &lo6, sizeof lo6, &b, 1, &ok6, 0, &sent));
    closesocket(s6);

    WSACleanup();
    printf("netns_unreachable: ok\n");
    return 0;
}
