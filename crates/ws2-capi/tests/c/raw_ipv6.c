/* Raw IPv6 sockets (as root): socket(AF_INET6, SOCK_RAW, ...) works (it
 * failed with WSAEINVAL while every AF_INET6 socket got IPV6_V6ONLY, which
 * Linux refuses on raw sockets). getsockopt(IPV6_V6ONLY) answers 1, the
 * Windows default for AF_INET6 sockets (Wine's sock.c test_ipv6only records
 * the default; no Windows-run record covers raw sockets, and a raw IPv6
 * socket carries IPv6 only): setting 1 is accepted, 0 is WSAEINVAL.
 * An ICMPv6 echo request goes out through WSASendMsg with an IN6_PKTINFO
 * source and is answered; a raw UDP datagram (caller-built header and
 * checksum) reaches a UDP receiver from that source, also with
 * IPV6_HDRINCL and a caller-built IPv6 header (P4).
 * Clauses: S9, S24 (also S23, S40, P4). */
#include "common.h"

static unsigned long sum16(const unsigned char *p, int len, unsigned long sum)
{
    for (int i = 0; i + 1 < len; i += 2) sum += (unsigned long)(p[i] << 8 | p[i + 1]);
    if (len & 1) sum += (unsigned long)(p[len - 1] << 8);
    return sum;
}

static unsigned short fold(unsigned long sum)
{
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (unsigned short)~sum;
}

static SOCKET raw6(int proto)
{
    SOCKET r;
    CHECK_SOCKET(r = socket(AF_INET6, SOCK_RAW, proto)); /* S9 */
    DWORD v = 0xff;
    int len = sizeof v;
    CHECK_OK(getsockopt(r, IPPROTO_IPV6, IPV6_V6ONLY, (char *)&v, &len));
    CHECK_EQ(v, 1);
    CHECK_EQ(len, 1); /* one byte, as Windows reads it back (sock.c test_ipv6only) */
    v = 1;
    CHECK_OK(setsockopt(r, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&v, sizeof v));
    v = 0;
    CHECK_ERR(setsockopt(r, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&v, sizeof v), WSAEINVAL);
    v = 0xff;
    CHECK_OK(getsockopt(r, IPPROTO_IPV6, IPV6_V6ONLY, (char *)&v, &len));
    CHECK_EQ(v, 1);
    return r;
}

int main(void)
{
    startup();
    SOCKADDR_IN6 loop = addr6("::1", 0);
    ctlbuf ctl = {{0}, 0};
    IN6_PKTINFO pi = pktinfo6("::1");
    ctl_add(&ctl, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi);

    /* ICMPv6 echo request (the kernel fills in the ICMPv6 checksum). */
    {
        SOCKET r = raw6(IPPROTO_ICMPV6);
        LPFN_WSASENDMSG fn = get_wsasendmsg(r);
        unsigned short id = (unsigned short)((unsigned long)now_ms() & 0xffff);
        unsigned char hdr[8] = {128, 0, 0, 0, (unsigned char)(id >> 8), (unsigned char)id, 0, 9};
        char payload[] = "ws2 icmpv6 echo";
        WSABUF b[2];
        b[0].buf = (CHAR *)hdr;
        b[0].len = sizeof hdr;
        b[1].buf = payload;
        b[1].len = sizeof payload;
        DWORD sent = 0;
        CHECK_OK(send_msg(fn, r, &loop, sizeof loop, b, 2, &ctl, 0, &sent));
        CHECK_EQ(sent, sizeof hdr + sizeof payload);

        u_long nb = 1;
        CHECK_OK(ioctlsocket(r, FIONBIO, &nb));
        char buf[256];
        SOCKADDR_STORAGE from;
        double deadline = now_ms() + 3000;
        for (;;) {
            CHECK(now_ms() < deadline); /* the echo reply must come back */
            int n = recv_wait(r, buf, sizeof buf, &from, 3000);
            CHECK(n >= 0);
            const unsigned char *m = (const unsigned char *)buf;
            if (n < 8 || m[0] != 129 || m[4] != (unsigned char)(id >> 8) ||
                m[5] != (unsigned char)id)
                continue; /* our own request, or other ICMPv6 traffic */
            CHECK_EQ(m[7], 9);
            CHECK_EQ(n, (int)(sizeof hdr + sizeof payload));
            CHECK(memcmp(buf + 8, payload, sizeof payload) == 0);
            CHECK(strcmp(ip_of(&from), "::1") == 0);
            break;
        }
        CHECK_OK(closesocket(r));
    }

    /* Raw UDP over IPv6: the caller builds the header and the checksum
     * (mandatory over IPv6, over the pseudo-header with the chosen source). */
    {
        SOCKADDR_STORAGE rxa;
        SOCKET rx = udp_receiver("::1", &rxa);
        unsigned port = port_of(&rxa);
        SOCKET r = raw6(IPPROTO_UDP);
        LPFN_WSASENDMSG fn = get_wsasendmsg(r);
        char payload[] = "raw udp v6";
        unsigned char udp[8 + sizeof payload];
        int ulen = (int)sizeof udp;
        udp[0] = 0x9c; /* source port 40000 */
        udp[1] = 0x40;
        udp[2] = (unsigned char)(port >> 8);
        udp[3] = (unsigned char)port;
        udp[4] = (unsigned char)(ulen >> 8);
        udp[5] = (unsigned char)ulen;
        udp[6] = 0;
        udp[7] = 0;
        memcpy(udp + 8, payload, sizeof payload);
        unsigned char pseudo[40];
        memset(pseudo, 0, sizeof pseudo);
        memcpy(pseudo, &pi.ipi6_addr, 16);
        memcpy(pseudo + 16, &loop.sin6_addr, 16);
        pseudo[34] = (unsigned char)(ulen >> 8);
        pseudo[35] = (unsigned char)ulen;
        pseudo[39] = IPPROTO_UDP;
        unsigned short ck = fold(sum16(udp, ulen, sum16(pseudo, sizeof pseudo, 0)));
        if (ck == 0) ck = 0xffff;
        udp[6] = (unsigned char)(ck >> 8);
        udp[7] = (unsigned char)ck;
        WSABUF b;
        b.buf = (CHAR *)udp;
        b.len = (ULONG)ulen;
        DWORD sent = 0;
        CHECK_OK(send_msg(fn, r, &loop, sizeof loop, &b, 1, &ctl, 0, &sent));
        CHECK_EQ(sent, ulen);
        EXPECT_DGRAM(rx, payload, (int)sizeof payload, "::1");
        CHECK_OK(closesocket(r));
        CHECK_OK(closesocket(rx));
    }

    /* IPV6_HDRINCL (P4; sock.c test_sockopt_validity: raw sockets only):
     * with it on, the caller's buffer starts with the IPv6 header, whose
     * source the datagram carries. */
    {
        SOCKADDR_STORAGE rxa;
        SOCKET rx = udp_receiver("::1", &rxa);
        unsigned port = port_of(&rxa);
        SOCKET r = raw6(IPPROTO_UDP);
        DWORD on = 0xff;
        int len = sizeof on;
        CHECK_OK(getsockopt(r, IPPROTO_IPV6, IPV6_HDRINCL, (char *)&on, &len));
        CHECK_EQ(on, 0);
        on = 1;
        CHECK_OK(setsockopt(r, IPPROTO_IPV6, IPV6_HDRINCL, (char *)&on, sizeof on));
        on = 0xff;
        CHECK_OK(getsockopt(r, IPPROTO_IPV6, IPV6_HDRINCL, (char *)&on, &len));
        CHECK_EQ(on, 1);
        char payload[] = "hdrincl v6";
        unsigned char pkt[40 + 8 + sizeof payload];
        int ulen = 8 + (int)sizeof payload;
        memset(pkt, 0, sizeof pkt);
        pkt[0] = 0x60; /* version 6 */
        pkt[4] = (unsigned char)(ulen >> 8);
        pkt[5] = (unsigned char)ulen;
        pkt[6] = IPPROTO_UDP;
        pkt[7] = 64; /* hop limit */
        memcpy(pkt + 8, &loop.sin6_addr, 16);
        memcpy(pkt + 24, &loop.sin6_addr, 16);
        unsigned char *udp = pkt + 40;
        udp[0] = 0x9c;
        udp[1] = 0x41;
        udp[2] = (unsigned char)(port >> 8);
        udp[3] = (unsigned char)port;
        udp[4] = (unsigned char)(ulen >> 8);
        udp[5] = (unsigned char)ulen;
        memcpy(udp + 8, payload, sizeof payload);
        unsigned char pseudo[40];
        memset(pseudo, 0, sizeof pseudo);
        memcpy(pseudo, &loop.sin6_addr, 16);
        memcpy(pseudo + 16, &loop.sin6_addr, 16);
        pseudo[34] = (unsigned char)(ulen >> 8);
        pseudo[35] = (unsigned char)ulen;
        pseudo[39] = IPPROTO_UDP;
        unsigned short ck = fold(sum16(udp, ulen, sum16(pseudo, sizeof pseudo, 0)));
        if (ck == 0) ck = 0xffff;
        udp[6] = (unsigned char)(ck >> 8);
        udp[7] = (unsigned char)ck;
        CHECK_EQ(sendto(r, (const char *)pkt, (int)sizeof pkt, 0, (SOCKADDR *)&loop, sizeof loop),
                 (int)sizeof pkt);
        EXPECT_DGRAM(rx, payload, (int)sizeof payload, "::1");
        CHECK_OK(closesocket(r));
        CHECK_OK(closesocket(rx));
    }

    CHECK_OK(WSACleanup());
    printf("raw_ipv6: ok\n");
    return 0;
}
