/* Raw IPv4 sockets: SOCK_RAW/IPPROTO_UDP with an IN_PKTINFO source, and
 * IPPROTO_RAW (header included) where the caller's header sets the source.
 * Needs root. Clauses: S9 (raw accepted), S23. */
#include "common.h"

/* A UDP header (checksum 0: none, allowed over IPv4) followed by payload. */
static int build_udp(unsigned char *out, unsigned sport, unsigned dport, const char *payload,
                     int len)
{
    int total = 8 + len;
    out[0] = (unsigned char)(sport >> 8);
    out[1] = (unsigned char)sport;
    out[2] = (unsigned char)(dport >> 8);
    out[3] = (unsigned char)dport;
    out[4] = (unsigned char)(total >> 8);
    out[5] = (unsigned char)total;
    out[6] = 0;
    out[7] = 0;
    memcpy(out + 8, payload, (size_t)len);
    return total;
}

static unsigned short ip_checksum(const unsigned char *p, int len)
{
    unsigned long sum = 0;
    for (int i = 0; i + 1 < len; i += 2) sum += (unsigned long)(p[i] << 8 | p[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (unsigned short)~sum;
}

int main(void)
{
    startup();
    SOCKADDR_STORAGE rxaddr;
    SOCKET rx = udp_receiver("127.0.0.1", &rxaddr);
    unsigned port = port_of(&rxaddr);
    SOCKADDR_IN to = addr4("127.0.0.1", 0);

    /* S9 + S23: SOCK_RAW / IPPROTO_UDP, hand-built UDP header, source 127.0.0.4 */
    {
        SOCKET r;
        CHECK_SOCKET(r = socket(AF_INET, SOCK_RAW, IPPROTO_UDP));
        LPFN_WSASENDMSG fn = get_wsasendmsg(r);
        unsigned char pkt[64];
        int n = build_udp(pkt, 40000, port, "raw-udp", 7);
        WSABUF b[2];
        b[0].buf = (CHAR *)pkt; /* header */
        b[0].len = 8;
        b[1].buf = (CHAR *)pkt + 8; /* payload, gathered */
        b[1].len = (ULONG)(n - 8);
        ctlbuf ctl = {0};
        IN_PKTINFO pi = pktinfo4("127.0.0.4");
        ctl_add(&ctl, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
        DWORD sent = 0;
        CHECK_OK(send_msg(fn, r, &to, sizeof to, b, 2, &ctl, 0, &sent));
        CHECK_EQ(sent, n);
        EXPECT_DGRAM(rx, "raw-udp", 7, "127.0.0.4");
        closesocket(r);
    }

    /* S23: IPPROTO_RAW: the caller's IPv4 header (source 127.0.0.5) decides */
    {
        SOCKET r;
        CHECK_SOCKET(r = socket(AF_INET, SOCK_RAW, IPPROTO_RAW));
        LPFN_WSASENDMSG fn = get_wsasendmsg(r);
        unsigned char pkt[128];
        memset(pkt, 0, sizeof pkt);
        int ulen = build_udp(pkt + 20, 40001, port, "raw-ip", 6);
        int total = 20 + ulen;
        pkt[0] = 0x45;
        pkt[2] = (unsigned char)(total >> 8);
        pkt[3] = (unsigned char)total;
        pkt[4] = 0x12; /* id */
        pkt[5] = 0x34;
        pkt[8] = 64;   /* ttl */
        pkt[9] = 17;   /* UDP */
        CHECK_EQ(inet_pton(AF_INET, "127.0.0.5", pkt + 12), 1);
        CHECK_EQ(inet_pton(AF_INET, "127.0.0.1", pkt + 16), 1);
        unsigned short ck = ip_checksum(pkt, 20);
        pkt[10] = (unsigned char)(ck >> 8);
        pkt[11] = (unsigned char)ck;
        WSABUF b;
        b.buf = (CHAR *)pkt;
        b.len = (ULONG)total;
        DWORD sent = 0;
        CHECK_OK(send_msg(fn, r, &to, sizeof to, &b, 1, NULL, 0, &sent));
        CHECK_EQ(sent, total);
        EXPECT_DGRAM(rx, "raw-ip", 6, "127.0.0.5");
        closesocket(r);
    }

    EXPECT_NOTHING(rx);
    closesocket(rx);
    WSACleanup();
    printf("raw_sockets: ok\n");
    return 0;
}
