/* Errors WSASendMsg (and its helpers) report at call time, one block per
 * clause, each checking the exact code.
 * Clauses: S2, S3, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S22. */
#include "common.h"

static SOCKADDR_STORAGE rxaddr; /* AF_INET receiver on 127.0.0.1 */
static SOCKET rx;
static LPFN_WSASENDMSG fn;
static char hello[] = "hello";

static SOCKET udp4(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    return s;
}

/* A WSAMSG to the receiver with one 5-byte buffer, no control data. */
static WSAMSG good_msg(WSABUF *b)
{
    WSAMSG m;
    memset(&m, 0, sizeof m);
    b->buf = hello;
    b->len = 5;
    m.name = (LPSOCKADDR)&rxaddr;
    m.namelen = sizeof(SOCKADDR_IN);
    m.lpBuffers = b;
    m.dwBufferCount = 1;
    return m;
}

static void s5_not_a_socket(void)
{
    WSABUF b;
    WSAMSG m = good_msg(&b);
    DWORD sent;
    /* S5: INVALID_SOCKET */
    CHECK_ERR(fn(INVALID_SOCKET, &m, 0, &sent, NULL, NULL), WSAENOTSOCK);
    /* S5: a closed socket */
    SOCKET s = udp4();
    CHECK_EQ(closesocket(s), 0);
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAENOTSOCK);
    /* S5: a forged value */
    CHECK_ERR(fn((SOCKET)0x1234, &m, 0, &sent, NULL, NULL), WSAENOTSOCK);
    /* S5: also through the exported name */
    CHECK_ERR(WSASendMsg((SOCKET)0x1234, &m, 0, &sent, NULL, NULL), WSAENOTSOCK);
    EXPECT_NOTHING(rx);
}

static void s6_null_msg(void)
{
    SOCKET s = udp4();
    DWORD sent;
    /* S6: lpMsg NULL -> WSAEFAULT */
    CHECK_ERR(fn(s, NULL, 0, &sent, NULL, NULL), WSAEFAULT);
    /* S6 + S15: the socket was not implicitly bound */
    SOCKADDR_STORAGE a;
    int alen = sizeof a;
    CHECK_ERR(getsockname(s, (SOCKADDR *)&a, &alen), WSAEINVAL);
    closesocket(s);
}

static void s7_null_bytes_sent(void)
{
    SOCKET s = udp4();
    WSABUF b;
    WSAMSG m = good_msg(&b);
    /* S7: lpNumberOfBytesSent NULL without OVERLAPPED -> WSAEFAULT */
    CHECK_ERR(fn(s, &m, 0, NULL, NULL, NULL), WSAEFAULT);
    /* S7: ... and the socket IS now bound (Windows binds even on this failure) */
    SOCKADDR_STORAGE a;
    int alen = sizeof a;
    memset(&a, 0, sizeof a);
    CHECK_OK(getsockname(s, (SOCKADDR *)&a, &alen));
    CHECK_EQ(a.ss_family, AF_INET);
    CHECK(port_of(&a) != 0);
    closesocket(s);
    /* drain whatever (if anything) that call sent */
    SOCKADDR_STORAGE from;
    char buf[16];
    (void)recv_wait(rx, buf, sizeof buf, &from, 50);
}

static void s8_bad_pointers_and_lengths(void)
{
    SOCKET s = udp4();
    DWORD sent;
    WSABUF b;
    WSAMSG m;

    /* S8: name NULL with namelen 16 -> WSAEFAULT */
    m = good_msg(&b);
    m.name = NULL;
    m.namelen = 16;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEFAULT);

    /* S8: Control.buf NULL with Control.len 24 -> WSAEFAULT */
    m = good_msg(&b);
    m.Control.buf = NULL;
    m.Control.len = 24;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEFAULT);

    /* S8: namelen 8 for AF_INET -> WSAEFAULT */
    m = good_msg(&b);
    m.namelen = 8;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEFAULT);

    /* S8: AF_INET6 destination on an AF_INET socket -> WSAEAFNOSUPPORT */
    SOCKADDR_IN6 to6 = addr6("::1", port_of(&rxaddr));
    m = good_msg(&b);
    m.name = (LPSOCKADDR)&to6;
    m.namelen = sizeof to6;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEAFNOSUPPORT);

    EXPECT_NOTHING(rx);
    closesocket(s);
}

static void s9_stream_socket(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    WSABUF b;
    WSAMSG m = good_msg(&b);
    DWORD sent;
    /* S9: SOCK_STREAM -> WSAEINVAL */
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEINVAL);
    closesocket(s);
}

static void s10_flags(void)
{
    SOCKET s = udp4();
    WSABUF b;
    WSAMSG m = good_msg(&b);
    DWORD sent;
    /* S10: a bit outside MSG_OOB|MSG_DONTROUTE|MSG_PARTIAL -> WSAEOPNOTSUPP */
    CHECK_ERR(fn(s, &m, MSG_PEEK, &sent, NULL, NULL), WSAEOPNOTSUPP);
    CHECK_ERR(fn(s, &m, 0x10000, &sent, NULL, NULL), WSAEOPNOTSUPP);
    /* S10: MSG_OOB and MSG_PARTIAL on UDP -> WSAEOPNOTSUPP */
    CHECK_ERR(fn(s, &m, MSG_OOB, &sent, NULL, NULL), WSAEOPNOTSUPP);
    CHECK_ERR(fn(s, &m, MSG_PARTIAL, &sent, NULL, NULL), WSAEOPNOTSUPP);
    EXPECT_NOTHING(rx);
    /* S10: MSG_DONTROUTE to 127.0.0.1 succeeds */
    sent = 0;
    CHECK_EQ(fn(s, &m, MSG_DONTROUTE, &sent, NULL, NULL), 0);
    CHECK_EQ(sent, 5);
    EXPECT_DGRAM(rx, "hello", 5, "127.0.0.1");
    /* S10: lpMsg->dwFlags is ignored on input and not written on output */
    m.dwFlags = 0xdeadbeef;
    CHECK_EQ(fn(s, &m, 0, &sent, NULL, NULL), 0);
    CHECK_EQ(m.dwFlags, 0xdeadbeef);
    EXPECT_DGRAM(rx, "hello", 5, "127.0.0.1");
    closesocket(s);
}

static void s11_message_size(void)
{
    static char big[65528];
    memset(big, 'x', sizeof big);
    SOCKET s = udp4();
    DWORD sent;
    DWORD max = 0;
    int optlen = sizeof max;
    /* S11: SO_MAX_MSG_SIZE is 65507 for UDP/IPv4 */
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_MAX_MSG_SIZE, (char *)&max, &optlen));
    CHECK_EQ(max, 65507);
    CHECK_EQ(optlen, sizeof(DWORD));

    /* S11: 65508 bytes -> WSAEMSGSIZE, nothing sent (also when gathered) */
    WSABUF b[2];
    b[0].buf = big;
    b[0].len = 65508;
    CHECK_ERR(send_msg(fn, s, &rxaddr, sizeof(SOCKADDR_IN), b, 1, NULL, 0, &sent), WSAEMSGSIZE);
    b[0].len = 60000;
    b[1].buf = big;
    b[1].len = 5508;
    CHECK_ERR(send_msg(fn, s, &rxaddr, sizeof(SOCKADDR_IN), b, 2, NULL, 0, &sent), WSAEMSGSIZE);
    EXPECT_NOTHING(rx);

    /* S11: 65507 bytes succeed */
    b[0].len = 65507;
    sent = 0;
    CHECK_OK(send_msg(fn, s, &rxaddr, sizeof(SOCKADDR_IN), b, 1, NULL, 0, &sent));
    CHECK_EQ(sent, 65507);
    EXPECT_DGRAM(rx, big, 65507, "127.0.0.1");
    closesocket(s);

    /* S11: 65527 for UDP/IPv6; 65528 -> WSAEMSGSIZE */
    SOCKET s6;
    CHECK_SOCKET(s6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    max = 0;
    optlen = sizeof max;
    CHECK_OK(getsockopt(s6, SOL_SOCKET, SO_MAX_MSG_SIZE, (char *)&max, &optlen));
    CHECK_EQ(max, 65527);
    SOCKADDR_STORAGE rx6addr;
    SOCKET rx6 = udp_receiver("::1", &rx6addr);
    b[0].len = 65528;
    CHECK_ERR(send_msg(fn, s6, &rx6addr, sizeof(SOCKADDR_IN6), b, 1, NULL, 0, &sent),
              WSAEMSGSIZE);
    EXPECT_NOTHING(rx6);
    b[0].len = 65527;
    CHECK_OK(send_msg(fn, s6, &rx6addr, sizeof(SOCKADDR_IN6), b, 1, NULL, 0, &sent));
    CHECK_EQ(sent, 65527);
    EXPECT_DGRAM(rx6, big, 65527, "::1");
    closesocket(rx6);
    closesocket(s6);
}

static void s12_broadcast(void)
{
    SOCKET s = udp4();
    WSABUF b;
    b.buf = hello;
    b.len = 5;
    DWORD sent;
    unsigned port = port_of(&rxaddr);
    /* S12: broadcast without SO_BROADCAST -> WSAEACCES */
    SOCKADDR_IN all = addr4("255.255.255.255", port);
    CHECK_ERR(send_msg(fn, s, &all, sizeof all, &b, 1, NULL, 0, &sent), WSAEACCES);
    SOCKADDR_IN lob = addr4("127.255.255.255", port);
    CHECK_ERR(send_msg(fn, s, &lob, sizeof lob, &b, 1, NULL, 0, &sent), WSAEACCES);
    /* S12 (and S40 SO_BROADCAST): with SO_BROADCAST the loopback broadcast goes */
    BOOL on = TRUE;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_BROADCAST, (const char *)&on, sizeof on));
    CHECK_OK(send_msg(fn, s, &lob, sizeof lob, &b, 1, NULL, 0, &sent));
    CHECK_EQ(sent, 5);
    closesocket(s);
}

static void s13_shutdown(void)
{
    SOCKET s = udp4();
    SOCKADDR_IN local = addr4("127.0.0.1", 0);
    CHECK_OK(bind(s, (SOCKADDR *)&local, sizeof local));
    WSABUF b;
    WSAMSG m = good_msg(&b);
    DWORD sent;
    /* S13: invalid how -> WSAEINVAL */
    CHECK_ERR(shutdown(s, 7), WSAEINVAL);
    /* S13: shutdown(SD_SEND) on an unconnected UDP socket returns 0 */
    CHECK_EQ(shutdown(s, SD_SEND), 0);
    /* S13: then a send -> WSAESHUTDOWN */
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAESHUTDOWN);
    closesocket(s);

    /* S13: SD_BOTH likewise */
    s = udp4();
    CHECK_OK(bind(s, (SOCKADDR *)&local, sizeof local));
    CHECK_EQ(shutdown(s, SD_BOTH), 0);
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAESHUTDOWN);
    closesocket(s);
    EXPECT_NOTHING(rx);
}

static void s14_destination(void)
{
    SOCKET s = udp4();
    WSABUF b;
    WSAMSG m = good_msg(&b);
    DWORD sent;
    /* S14: name NULL on an unconnected socket -> WSAENOTCONN */
    m.name = NULL;
    m.namelen = 0;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAENOTCONN);
    closesocket(s);
    EXPECT_NOTHING(rx);

    /* S14: connected socket: name NULL goes to the peer; an explicit other
     * destination goes to that destination. */
    SOCKADDR_STORAGE other;
    SOCKET rx2 = udp_receiver("127.0.0.1", &other);
    s = udp4();
    CHECK_OK(connect(s, (SOCKADDR *)&rxaddr, sizeof(SOCKADDR_IN)));
    CHECK_EQ(fn(s, &m, 0, &sent, NULL, NULL), 0);
    EXPECT_DGRAM(rx, "hello", 5, "127.0.0.1");
    m.name = (LPSOCKADDR)&other;
    m.namelen = sizeof(SOCKADDR_IN);
    CHECK_EQ(fn(s, &m, 0, &sent, NULL, NULL), 0);
    CHECK_EQ(sent, 5);
    EXPECT_DGRAM(rx2, "hello", 5, "127.0.0.1");
    EXPECT_NOTHING(rx);
    closesocket(s);
    closesocket(rx2);
}

static void s15_implicit_bind(void)
{
    SOCKET s = udp4();
    SOCKADDR_STORAGE a;
    int alen = sizeof a;
    char buf[16];
    /* S15: fresh UDP socket: getsockname -> WSAEINVAL */
    CHECK_ERR(getsockname(s, (SOCKADDR *)&a, &alen), WSAEINVAL);
    /* S15: recvfrom / recv -> WSAEINVAL (not a wait) */
    alen = sizeof a;
    CHECK_ERR(recvfrom(s, buf, sizeof buf, 0, (SOCKADDR *)&a, &alen), WSAEINVAL);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), WSAEINVAL);
    /* S15: after a WSASendMsg: bound to 0.0.0.0 with a nonzero port */
    WSABUF b;
    WSAMSG m = good_msg(&b);
    DWORD sent;
    CHECK_EQ(fn(s, &m, 0, &sent, NULL, NULL), 0);
    alen = sizeof a;
    memset(&a, 0xff, sizeof a);
    CHECK_OK(getsockname(s, (SOCKADDR *)&a, &alen));
    CHECK_EQ(alen, sizeof(SOCKADDR_IN));
    CHECK_EQ(a.ss_family, AF_INET);
    CHECK(strcmp(ip_of(&a), "0.0.0.0") == 0);
    unsigned port = port_of(&a);
    CHECK(port != 0);
    /* the datagram came from that port */
    SOCKADDR_STORAGE from;
    CHECK_EQ(recv_wait(rx, buf, sizeof buf, &from, 3000), 5);
    CHECK_EQ(port_of(&from), port);
    closesocket(s);

    /* S15: an AF_INET6 socket binds to :: */
    SOCKET s6;
    CHECK_SOCKET(s6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    alen = sizeof a;
    CHECK_ERR(getsockname(s6, (SOCKADDR *)&a, &alen), WSAEINVAL);
    SOCKADDR_STORAGE rx6addr;
    SOCKET rx6 = udp_receiver("::1", &rx6addr);
    CHECK_OK(send_msg(fn, s6, &rx6addr, sizeof(SOCKADDR_IN6), &b, 1, NULL, 0, &sent));
    alen = sizeof a;
    CHECK_OK(getsockname(s6, (SOCKADDR *)&a, &alen));
    CHECK_EQ(a.ss_family, AF_INET6);
    CHECK(strcmp(ip_of(&a), "::") == 0);
    CHECK(port_of(&a) != 0);
    EXPECT_DGRAM(rx6, "hello", 5, "::1");
    closesocket(rx6);
    closesocket(s6);
}

static void s22_control_data(void)
{
    SOCKET s = udp4();
    WSABUF b;
    WSAMSG m = good_msg(&b);
    DWORD sent;
    IN_PKTINFO pi = pktinfo4("127.0.0.1");
    ctlbuf c;
    WSACMSGHDR *h;

    /* S22: cmsg_len smaller than the header -> WSAEINVAL */
    memset(&c, 0, sizeof c);
    h = ctl_add(&c, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    h->cmsg_len = 8;
    m.Control.buf = c.buf;
    m.Control.len = c.len;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEINVAL);

    /* S22: cmsg_len running past Control.len -> WSAEINVAL */
    h->cmsg_len = WSA_CMSG_LEN(sizeof pi);
    m.Control.len = 20; /* header fits, entry (24) does not */
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEINVAL);
    h->cmsg_len = 100;
    m.Control.len = c.len;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEINVAL);

    /* S22: unknown level / type -> WSAEINVAL */
    memset(&c, 0, sizeof c);
    h = ctl_add(&c, IPPROTO_IP, 99, &pi, sizeof pi);
    m.Control.buf = c.buf;
    m.Control.len = c.len;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEINVAL);
    h->cmsg_level = 12345;
    h->cmsg_type = IP_PKTINFO;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEINVAL);

    /* S22: IN_PKTINFO payload of 4 bytes -> WSAEINVAL */
    memset(&c, 0, sizeof c);
    ctl_add(&c, IPPROTO_IP, IP_PKTINFO, &pi, 4);
    m.Control.buf = c.buf;
    m.Control.len = c.len;
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEINVAL);

    /* S22: IN_PKTINFO twice -> WSAEINVAL */
    memset(&c, 0, sizeof c);
    ctl_add(&c, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    ctl_add(&c, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    m.Control.buf = c.buf;
    m.Control.len = c.len;
    CHECK_EQ(c.len, 48);
    CHECK_ERR(fn(s, &m, 0, &sent, NULL, NULL), WSAEINVAL);

    EXPECT_NOTHING(rx);

    /* S22: trailing 8 bytes after a valid entry are ignored */
    IN_PKTINFO src = pktinfo4("127.0.0.6");
    memset(&c, 0, sizeof c);
    ctl_add(&c, IPPROTO_IP, IP_PKTINFO, &src, sizeof src);
    memset(c.buf + c.len, 0x5a, 8);
    m.Control.buf = c.buf;
    m.Control.len = c.len + 8;
    CHECK_EQ(fn(s, &m, 0, &sent, NULL, NULL), 0);
    CHECK_EQ(sent, 5);
    EXPECT_DGRAM(rx, "hello", 5, "127.0.0.6");

    /* S22: Control.len ending exactly at the entry's cmsg_len is accepted
     * (IN_PKTINFO's entry is unpadded at 24; the IPv6 case with a padded
     * entry is in ipv6_pktinfo.c) */
    m.Control.len = (ULONG)WSA_CMSG_LEN(sizeof src);
    CHECK_EQ(fn(s, &m, 0, &sent, NULL, NULL), 0);
    EXPECT_DGRAM(rx, "hello", 5, "127.0.0.6");

    /* S22: an empty control buffer (len 0, buf non-NULL) is no control data */
    m.Control.len = 0;
    CHECK_EQ(fn(s, &m, 0, &sent, NULL, NULL), 0);
    EXPECT_DGRAM(rx, "hello", 5, "127.0.0.1");
    closesocket(s);
}

static void s2_wsaioctl(void)
{
    SOCKET s = udp4();
    GUID g = WSAID_WSASENDMSG;
    LPFN_WSASENDMSG p = NULL;
    DWORD bytes = 0;
    /* S2: lpcbBytesReturned NULL -> WSAEFAULT */
    CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof g, &p, sizeof p, NULL,
                       NULL, NULL),
              WSAEFAULT);
    /* S2: unknown GUID -> WSAEINVAL */
    GUID unknown = {0x01234567, 0x89ab, 0xcdef, {0, 1, 2, 3, 4, 5, 6, 7}};
    CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &unknown, sizeof unknown, &p,
                       sizeof p, &bytes, NULL, NULL),
              WSAEINVAL);
    closesocket(s);
}

static void s3_success_clears_error(void)
{
    SOCKET s = udp4();
    WSABUF b;
    WSAMSG m = good_msg(&b);
    DWORD sent = 0;
    /* S3: a successful call sets the last error to 0 */
    WSASetLastError(123);
    CHECK_EQ(WSAGetLastError(), 123);
    CHECK_EQ(fn(s, &m, 0, &sent, NULL, NULL), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(sent, 5);
    EXPECT_DGRAM(rx, "hello", 5, "127.0.0.1");
    /* S3: a failure returns exactly SOCKET_ERROR (-1) */
    CHECK_EQ(fn(s, NULL, 0, &sent, NULL, NULL), -1);
    closesocket(s);
}

int main(void)
{
    startup();
    rx = udp_receiver("127.0.0.1", &rxaddr);
    SOCKET s = udp4();
    fn = get_wsasendmsg(s);
    closesocket(s);

    s5_not_a_socket();
    s6_null_msg();
    s7_null_bytes_sent();
    s8_bad_pointers_and_lengths();
    s9_stream_socket();
    s10_flags();
    s11_message_size();
    s12_broadcast();
    s13_shutdown();
    s14_destination();
    s15_implicit_bind();
    s22_control_data();
    s2_wsaioctl();
    s3_success_clears_error();

    EXPECT_NOTHING(rx);
    closesocket(rx);
    WSACleanup();
    printf("errors_call_time: ok\n");
    return 0;
}
