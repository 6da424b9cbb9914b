/* S26 from C: UDP_SEND_MSG_SIZE as a control message and as a socket option,
 * and the send-side socket options of the same names (IP_TOS, IP_TTL,
 * IPV6_TCLASS, IPV6_UNICAST_HOPS) set and read back with Windows numbers. */
#include "common.h"

static char data[3000];

/* Receives `count` datagrams from rx and checks their lengths and bytes. */
static void expect_segments(SOCKET rx, const int *lens, int count, const char *src)
{
    int off = 0;
    for (int i = 0; i < count; i++) {
        EXPECT_DGRAM(rx, data + off, lens[i], src);
        off += lens[i];
    }
    char buf[2048];
    SOCKADDR_STORAGE from;
    CHECK_EQ(recv_wait(rx, buf, sizeof buf, &from, 100), -1); /* nothing more */
}

int main(void)
{
    startup();
    for (int i = 0; i < (int)sizeof data; i++) data[i] = (char)(i * 7);
    SOCKADDR_STORAGE bound;
    SOCKET rx = udp_receiver("127.0.0.1", &bound);
    SOCKET tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    CHECK(tx != INVALID_SOCKET);
    LPFN_WSASENDMSG send_msg = get_wsasendmsg(tx);

    /* S26: a UDP_SEND_MSG_SIZE control message (DWORD) splits one call into
     * datagrams of that size, gathered across two WSABUFs. */
    {
        WSABUF bufs[2] = {{1100, data}, {1400, data + 1100}};
        union { WSACMSGHDR h; char space[WSA_CMSG_SPACE(sizeof(DWORD))]; } c;
        memset(&c, 0, sizeof c);
        c.h.cmsg_len = WSA_CMSG_LEN(sizeof(DWORD));
        c.h.cmsg_level = IPPROTO_UDP;
        c.h.cmsg_type = UDP_SEND_MSG_SIZE;
        *(DWORD *)WSA_CMSG_DATA(&c.h) = 1000;
        WSAMSG msg;
        memset(&msg, 0, sizeof msg);
        msg.name = (LPSOCKADDR)&bound;
        msg.namelen = sizeof(SOCKADDR_IN);
        msg.lpBuffers = bufs;
        msg.dwBufferCount = 2;
        msg.Control.buf = c.space;
        msg.Control.len = sizeof c.space;
        DWORD sent = 0;
        CHECK_OK(send_msg(tx, &msg, 0, &sent, NULL, NULL));
        CHECK_EQ(sent, 2500);
        int lens[3] = {1000, 1000, 500};
        expect_segments(rx, lens, 3, "127.0.0.1");

        /* S26 with S11: the total is limited like one datagram. */
        static char big[65508];
        WSABUF one = {sizeof big, big};
        msg.lpBuffers = &one;
        msg.dwBufferCount = 1;
        CHECK_ERR(send_msg(tx, &msg, 0, &sent, NULL, NULL), WSAEMSGSIZE);

        /* S22: a payload of the wrong size. */
        c.h.cmsg_len = WSA_CMSG_LEN(2);
        msg.lpBuffers = bufs;
        msg.dwBufferCount = 2;
        msg.Control.len = (ULONG)WSA_CMSG_LEN(2);
        CHECK_ERR(send_msg(tx, &msg, 0, &sent, NULL, NULL), WSAEINVAL);
    }

    /* S26: UDP_SEND_MSG_SIZE as a socket option applies to every send. */
    {
        DWORD seg = 500;
        CHECK_OK(setsockopt(tx, IPPROTO_UDP, UDP_SEND_MSG_SIZE, (const char *)&seg, sizeof seg));
        DWORD got = 0;
        int len = sizeof got;
        CHECK_OK(getsockopt(tx, IPPROTO_UDP, UDP_SEND_MSG_SIZE, (char *)&got, &len));
        CHECK_EQ(got, 500);
        CHECK_EQ(sendto(tx, data, 1200, 0, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN)), 1200);
        int lens[3] = {500, 500, 200};
        expect_segments(rx, lens, 3, "127.0.0.1");
        seg = 0;
        CHECK_OK(setsockopt(tx, IPPROTO_UDP, UDP_SEND_MSG_SIZE, (const char *)&seg, sizeof seg));
        CHECK_EQ(sendto(tx, data, 1200, 0, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN)), 1200);
        int whole[1] = {1200};
        expect_segments(rx, whole, 1, "127.0.0.1");
    }

    /* S26/S40: IP_TOS and IP_TTL socket options, read back as set. */
    {
        int tos = 0xb8, ttl = 17, got = 0, len = sizeof got;
        CHECK_OK(setsockopt(tx, IPPROTO_IP, IP_TOS, (const char *)&tos, sizeof tos));
        CHECK_OK(getsockopt(tx, IPPROTO_IP, IP_TOS, (char *)&got, &len));
        CHECK_EQ(got, 0xb8);
        CHECK_OK(setsockopt(tx, IPPROTO_IP, IP_TTL, (const char *)&ttl, sizeof ttl));
        len = sizeof got;
        CHECK_OK(getsockopt(tx, IPPROTO_IP, IP_TTL, (char *)&got, &len));
        CHECK_EQ(got, 17);
    }

    /* S26/S40: IPV6_TCLASS and IPV6_UNICAST_HOPS on an IPv6 socket. */
    {
        SOCKET t6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
        CHECK(t6 != INVALID_SOCKET);
        int tclass = 0x28, hops = 9, got = 0, len = sizeof got;
        CHECK_OK(setsockopt(t6, IPPROTO_IPV6, IPV6_TCLASS, (const char *)&tclass, sizeof tclass));
        CHECK_OK(getsockopt(t6, IPPROTO_IPV6, IPV6_TCLASS, (char *)&got, &len));
        CHECK_EQ(got, 0x28);
        CHECK_OK(setsockopt(t6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, (const char *)&hops, sizeof hops));
        len = sizeof got;
        CHECK_OK(getsockopt(t6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, (char *)&got, &len));
        CHECK_EQ(got, 9);
        closesocket(t6);
    }

    /* S40: an unknown option is WSAENOPROTOOPT. */
    {
        int v = 1;
        CHECK_ERR(setsockopt(tx, IPPROTO_IP, 9999, (const char *)&v, sizeof v), WSAENOPROTOOPT);
    }

    closesocket(tx);
    closesocket(rx);
    WSACleanup();
    puts("send_options: ok");
    return 0;
}
