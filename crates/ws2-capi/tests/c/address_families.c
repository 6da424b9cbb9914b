/* Address families of destinations and local addresses (S8, S25): an
 * AF_INET SOCKADDR on an AF_INET6 socket is WSAEAFNOSUPPORT, whether the
 * socket is IPV6_V6ONLY (the default; this used to be WSAENETUNREACH) or
 * dual-stack: Windows' dual-stack sockets "always require IPv6 addresses"
 * and take IPv4 peers as IPv4-mapped AF_INET6 addresses (Microsoft's
 * "Dual-Stack Sockets for IPv6 Winsock Applications" page). The same for
 * sendto, WSASendTo, WSASendMsg (overlapped too: the OVERLAPPED is left
 * untouched), connect and bind; nothing is sent. The mapped spelling works
 * on a dual-stack socket.
 * Clauses: S8, S25 (also S20). */
#include "common.h"

static char data[] = "family";

static void refuses_ipv4_sockaddr(SOCKET s, const SOCKADDR_IN *to4, SOCKET rx)
{
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    WSABUF b;
    b.buf = data;
    b.len = sizeof data;
    DWORD sent = 0xdead;

    CHECK_ERR(sendto(s, data, (int)sizeof data, 0, (const SOCKADDR *)to4, sizeof *to4),
              WSAEAFNOSUPPORT);
    CHECK_ERR(WSASendTo(s, &b, 1, &sent, 0, (const SOCKADDR *)to4, sizeof *to4, NULL, NULL),
              WSAEAFNOSUPPORT);
    CHECK_ERR(send_msg(fn, s, to4, sizeof *to4, &b, 1, NULL, 0, &sent), WSAEAFNOSUPPORT);
    /* A SOCKADDR_STORAGE holding the AF_INET address, with its full length. */
    SOCKADDR_STORAGE big;
    memset(&big, 0, sizeof big);
    memcpy(&big, to4, sizeof *to4);
    CHECK_ERR(send_msg(fn, s, &big, sizeof big, &b, 1, NULL, 0, &sent), WSAEAFNOSUPPORT);
    CHECK_EQ(sent, 0xdead);

    WSAEVENT ev = WSACreateEvent();
    WSAOVERLAPPED ov;
    memset(&ov, 0x5a, sizeof ov);
    ov.hEvent = ev;
    CHECK_ERR(WSASendTo(s, &b, 1, NULL, 0, (const SOCKADDR *)to4, sizeof *to4, &ov, NULL),
              WSAEAFNOSUPPORT);
    CHECK_EQ(ov.Internal, (ULONG_PTR)0x5a5a5a5a5a5a5a5aULL);
    CHECK_EQ(ov.InternalHigh, (ULONG_PTR)0x5a5a5a5a5a5a5a5aULL);
    CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    CHECK(WSACloseEvent(ev));

    CHECK_ERR(connect(s, (const SOCKADDR *)to4, sizeof *to4), WSAEAFNOSUPPORT);
    SOCKADDR_IN any4 = addr4("127.0.0.1", 0);
    CHECK_ERR(bind(s, (const SOCKADDR *)&any4, sizeof any4), WSAEAFNOSUPPORT);
    EXPECT_NOTHING(rx);
}

int main(void)
{
    startup();
    SOCKADDR_STORAGE rxa;
    SOCKET rx = udp_receiver("127.0.0.1", &rxa);
    SOCKADDR_IN to4 = *(SOCKADDR_IN *)&rxa;
    SOCKADDR_IN6 mapped = addr6("::ffff:127.0.0.1", port_of(&rxa));

    /* IPV6_V6ONLY (the default). */
    SOCKET v6;
    CHECK_SOCKET(v6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    DWORD on = 0xff;
    int len = sizeof on;
    CHECK_OK(getsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, (char *)&on, &len));
    CHECK_EQ(on, 1);
    refuses_ipv4_sockaddr(v6, &to4, rx);
    CHECK_OK(closesocket(v6));

    /* Dual-stack: AF_INET is still refused, the mapped spelling is sent. */
    SOCKET dual;
    CHECK_SOCKET(dual = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    DWORD off = 0;
    CHECK_OK(setsockopt(dual, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&off, sizeof off));
    refuses_ipv4_sockaddr(dual, &to4, rx);
    CHECK_EQ(sendto(dual, data, (int)sizeof data, 0, (const SOCKADDR *)&mapped, sizeof mapped),
             (int)sizeof data);
    EXPECT_DGRAM(rx, data, (int)sizeof data, "127.0.0.1");
    CHECK_OK(connect(dual, (const SOCKADDR *)&mapped, sizeof mapped));
    CHECK_EQ(send(dual, data, (int)sizeof data, 0), (int)sizeof data);
    EXPECT_DGRAM(rx, data, (int)sizeof data, "127.0.0.1");
    CHECK_OK(closesocket(dual));

    /* And the other way round: AF_INET6 on an AF_INET socket. */
    SOCKET v4;
    CHECK_SOCKET(v4 = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_ERR(sendto(v4, data, (int)sizeof data, 0, (const SOCKADDR *)&mapped, sizeof mapped),
              WSAEAFNOSUPPORT);
    CHECK_ERR(connect(v4, (const SOCKADDR *)&mapped, sizeof mapped), WSAEAFNOSUPPORT);
    CHECK_OK(closesocket(v4));
    EXPECT_NOTHING(rx);

    CHECK_OK(closesocket(rx));
    CHECK_OK(WSACleanup());
    printf("address_families: ok\n");
    return 0;
}
