/* Receives as Windows answers them: the source-address length rule, the
 * control-data rules of WSARecvMsg (blocking, overlapped with an event and
 * with a completion routine), the cmsg layouts, SO_RCVTIMEO, empty
 * receives, posting order, and raw ICMP truncation. The Windows record is
 * Wine's Windows-run dlls/ws2_32/tests/sock.c; each case names its test
 * function. Runs as root (raw sockets). Clauses: S15, S27, S29-S33, S41. */
#include "common.h"

#define SENTINEL 0xdeadbeefu

/* A blocking UDP socket bound to ip:0; its address in *bound. */
static SOCKET bound_socket(const char *ip, SOCKADDR_STORAGE *bound)
{
    SOCKET s = udp_receiver(ip, bound);
    u_long zero = 0;
    CHECK_OK(ioctlsocket(s, FIONBIO, &zero));
    return s;
}

static void send_to(SOCKET tx, const SOCKADDR_STORAGE *to, const char *data, int len)
{
    int tolen = to->ss_family == AF_INET ? sizeof(SOCKADDR_IN) : sizeof(SOCKADDR_IN6);
    CHECK_EQ(sendto(tx, data, len, 0, (const SOCKADDR *)to, tolen), len);
}

/* test_UDP: a from-buffer too small for the source address fails the call
 * and leaves both the buffer and the datagram alone (Microsoft's recvfrom
 * page: WSAEFAULT); a larger one gets only the SOCKADDR written. The same
 * rule for WSARecvFrom and for an AF_INET6 socket given 16 bytes. */
static void from_length(void)
{
    SOCKADDR_STORAGE bound;
    SOCKET rx = udp_receiver("127.0.0.1", &bound), tx; /* non-blocking */
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, 0));
    char data[16] = "0123456789abcdef", buf[16], from[1024];
    send_to(tx, &bound, data, sizeof data);
    Sleep(20);
    from[0] = 0x5a;
    int fromlen = 1;
    CHECK_ERR(recvfrom(rx, buf, sizeof buf, 0, (SOCKADDR *)from, &fromlen), WSAEFAULT);
    CHECK_EQ(from[0], 0x5a);
    CHECK_EQ(fromlen, 1);
    WSABUF b = {sizeof buf, buf};
    DWORD n = SENTINEL, flags = 0;
    fromlen = sizeof(SOCKADDR_IN) - 1;
    CHECK_ERR(WSARecvFrom(rx, &b, 1, &n, &flags, (SOCKADDR *)from, &fromlen, NULL, NULL),
              WSAEFAULT);
    CHECK_EQ(n, SENTINEL);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Internal = SENTINEL;
    CHECK_ERR(WSARecvFrom(rx, &b, 1, NULL, &flags, (SOCKADDR *)from, &fromlen, &ov, NULL),
              WSAEFAULT);
    CHECK_EQ(ov.Internal, SENTINEL); /* nothing was queued (S20) */
    from[1023] = 0x5a;
    fromlen = sizeof from;
    CHECK_EQ(recvfrom(rx, buf, sizeof buf, 0, (SOCKADDR *)from, &fromlen), (int)sizeof data);
    CHECK_EQ(fromlen, sizeof(SOCKADDR_IN));
    CHECK_EQ(from[1023], 0x5a);
    CHECK(memcmp(buf, data, sizeof data) == 0);
    closesocket(rx);

    rx = udp_receiver("::1", &bound);
    SOCKET tx6;
    CHECK_SOCKET(tx6 = socket(AF_INET6, SOCK_DGRAM, 0));
    send_to(tx6, &bound, data, sizeof data);
    Sleep(20);
    fromlen = sizeof(SOCKADDR_IN);
    CHECK_ERR(recvfrom(rx, buf, sizeof buf, 0, (SOCKADDR *)from, &fromlen), WSAEFAULT);
    fromlen = sizeof(SOCKADDR_IN6);
    CHECK_EQ(recvfrom(rx, buf, sizeof buf, 0, (SOCKADDR *)from, &fromlen), (int)sizeof data);
    closesocket(rx);
    closesocket(tx6);

    /* test_read_events: a negative length is WSAEFAULT. */
    rx = bound_socket("127.0.0.1", &bound);
    CHECK_ERR(recv(rx, buf, -1, 0), WSAEFAULT);
    closesocket(rx);
    closesocket(tx);
}

static unsigned apc_calls;
static DWORD apc_error, apc_size, apc_flags;
static void CALLBACK recv_apc(DWORD error, DWORD size, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)ov;
    apc_error = error;
    apc_size = size;
    apc_flags = flags;
    apc_calls++;
}

#define IP_PKTINFO_LEN (sizeof(WSACMSGHDR) + WSA_CMSGDATA_ALIGN(sizeof(IN_PKTINFO)))

/* test_ip_pktinfo, for a server bound to 127.0.0.1 and to INADDR_ANY. */
static void ip_pktinfo(const char *server_ip)
{
    char recvbuf[10], pktbuf[512], msg[] = "HELLO";
    SOCKADDR_STORAGE bound, peer;
    SOCKET s1 = bound_socket(server_ip, &bound), s2;
    ((SOCKADDR_IN *)&bound)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_SOCKET(s2 = socket(AF_INET, SOCK_DGRAM, 0));
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(s1);
    WSAEVENT event = WSACreateEvent();
    WSABUF iov = {sizeof recvbuf, recvbuf};
    WSAMSG hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.name = (SOCKADDR *)&peer;
    hdr.namelen = sizeof peer;
    hdr.lpBuffers = &iov;
    hdr.dwBufferCount = 1;
    DWORD size, flags;
    WSAOVERLAPPED ov;

    CHECK_ERR(recvmsg_fn(s1, NULL, NULL, NULL, NULL), WSAEFAULT);

    /* No control data arrives: a NULL, zero-length Control is fine. */
    send_to(s2, &bound, msg, sizeof msg);
    hdr.Control.buf = NULL;
    hdr.Control.len = 0;
    CHECK_OK(recvmsg_fn(s1, &hdr, &size, NULL, NULL));
    CHECK_EQ(size, sizeof msg);
    hdr.Control.buf = pktbuf;

    DWORD yes = 1;
    CHECK_OK(setsockopt(s1, IPPROTO_IP, IP_PKTINFO, (const char *)&yes, sizeof yes));

    /* Control too short, blocking: WSAEMSGSIZE, the byte count written
     * anyway, dwFlags exactly MSG_CTRUNC. */
    send_to(s2, &bound, msg, sizeof msg);
    hdr.Control.len = 1;
    size = SENTINEL;
    CHECK_ERR(recvmsg_fn(s1, &hdr, &size, NULL, NULL), WSAEMSGSIZE);
    CHECK_EQ(size, sizeof msg);
    CHECK_EQ(hdr.dwFlags, MSG_CTRUNC);
    hdr.dwFlags = 0;

    /* The same overlapped, posted before the datagram: it completes with
     * STATUS_BUFFER_OVERFLOW and the real byte count; Offset/OffsetHigh
     * stay; WSAGetOverlappedResult fails with WSAEMSGSIZE, writes the count
     * and leaves lpdwFlags alone. */
    hdr.Control.len = 1;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = event;
    ov.Internal = 0xdead1;
    ov.InternalHigh = 0xdead2;
    ov.Offset = 0xdead3;
    ov.OffsetHigh = 0xdead4;
    CHECK_ERR(recvmsg_fn(s1, &hdr, NULL, &ov, NULL), WSA_IO_PENDING);
    send_to(s2, &bound, msg, sizeof msg);
    CHECK_EQ(WaitForSingleObject(event, 3000), WAIT_OBJECT_0);
    CHECK_EQ(ov.Internal, 0x80000005); /* STATUS_BUFFER_OVERFLOW */
    CHECK_EQ(ov.InternalHigh, sizeof msg);
    CHECK_EQ(ov.Offset, 0xdead3);
    CHECK_EQ(ov.OffsetHigh, 0xdead4);
    flags = SENTINEL;
    size = 0;
    WSASetLastError(0);
    CHECK_EQ(WSAGetOverlappedResult(s1, &ov, &size, FALSE, &flags), FALSE);
    CHECK_EQ(WSAGetLastError(), WSAEMSGSIZE);
    CHECK_EQ(size, sizeof msg);
    CHECK_EQ(flags, SENTINEL);
    CHECK_EQ(hdr.dwFlags, MSG_CTRUNC);
    hdr.dwFlags = 0;
    WSAResetEvent(event);

    /* With a completion routine, the datagram already queued: the call
     * still answers WSA_IO_PENDING; the routine gets (WSAEMSGSIZE, 6, 0). */
    send_to(s2, &bound, msg, sizeof msg);
    Sleep(50);
    hdr.Control.len = 1;
    memset(&ov, 0, sizeof ov);
    apc_calls = 0;
    CHECK_ERR(recvmsg_fn(s1, &hdr, NULL, &ov, recv_apc), WSA_IO_PENDING);
    CHECK_EQ(SleepEx(1000, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(apc_calls, 1);
    CHECK_EQ(apc_error, WSAEMSGSIZE);
    CHECK_EQ(apc_size, sizeof msg);
    CHECK_EQ(apc_flags, 0);
    CHECK_EQ(hdr.dwFlags, MSG_CTRUNC);
    hdr.dwFlags = 0;

    /* Room enough: Control.len is the caller's until completion, then the
     * bytes used (16 + 8); the address is the destination, 127.0.0.1,
     * also for the INADDR_ANY server. NULL lpdwFlags is accepted. */
    hdr.Control.len = sizeof pktbuf;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = event;
    CHECK_ERR(recvmsg_fn(s1, &hdr, NULL, &ov, NULL), WSA_IO_PENDING);
    CHECK_EQ(hdr.Control.len, sizeof pktbuf);
    send_to(s2, &bound, msg, sizeof msg);
    CHECK_EQ(WaitForSingleObject(event, 3000), WAIT_OBJECT_0);
    size = 0;
    CHECK_EQ(WSAGetOverlappedResult(s1, &ov, &size, FALSE, NULL), TRUE);
    CHECK_EQ(size, sizeof msg);
    CHECK(strncmp(recvbuf, msg, sizeof msg) == 0);
    CHECK_EQ(hdr.Control.len, IP_PKTINFO_LEN);
    BOOL found = FALSE;
    for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&hdr); c != NULL; c = WSA_CMSG_NXTHDR(&hdr, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            IN_PKTINFO *pi = (IN_PKTINFO *)WSA_CMSG_DATA(c);
            CHECK_EQ(pi->ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
            found = TRUE;
        }
    }
    CHECK(found);

    /* No Windows record covers a NULL, zero-length Control while receive
     * options are on; ws2 extends the recorded rule (a Control too short
     * for what arrived is WSAEMSGSIZE with MSG_CTRUNC) to length 0. */
    send_to(s2, &bound, msg, sizeof msg);
    hdr.Control.buf = NULL;
    hdr.Control.len = 0;
    hdr.dwFlags = 0;
    size = SENTINEL;
    CHECK_ERR(recvmsg_fn(s1, &hdr, &size, NULL, NULL), WSAEMSGSIZE);
    CHECK_EQ(size, sizeof msg);
    CHECK_EQ(hdr.dwFlags, MSG_CTRUNC);

    WSACloseEvent(event);
    closesocket(s2);
    closesocket(s1);
}

/* test_ipv4_cmsg and test_ipv6_cmsg: one option at a time on a server the
 * client is connected to; WSARecvMsg without a name; one entry whose
 * cmsg_len is the unpadded length. */
struct cmsg_case {
    int level, option, type;
    size_t data_len;
};

static void cmsg_layouts(int af)
{
    static const struct cmsg_case v4[] = {
        {IPPROTO_IP, IP_RECVTTL, IP_TTL, sizeof(INT)},
        {IPPROTO_IP, IP_PKTINFO, IP_PKTINFO, sizeof(IN_PKTINFO)},
        {IPPROTO_IP, IP_RECVTOS, IP_TOS, sizeof(INT)},
    };
    static const struct cmsg_case v6[] = {
        {IPPROTO_IPV6, IPV6_HOPLIMIT, IPV6_HOPLIMIT, sizeof(INT)},
        {IPPROTO_IPV6, IPV6_PKTINFO, IPV6_PKTINFO, sizeof(IN6_PKTINFO)},
        {IPPROTO_IPV6, IPV6_RECVTCLASS, IPV6_TCLASS, sizeof(INT)},
    };
    const struct cmsg_case *cases = af == AF_INET ? v4 : v6;
    SOCKADDR_STORAGE bound;
    SOCKET server = bound_socket(af == AF_INET ? "127.0.0.1" : "::1", &bound), client;
    CHECK_SOCKET(client = socket(af, SOCK_DGRAM, 0));
    int blen = af == AF_INET ? sizeof(SOCKADDR_IN) : sizeof(SOCKADDR_IN6);
    CHECK_OK(connect(client, (SOCKADDR *)&bound, blen));
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(server);
    char payload[] = "HELLO";
    _Alignas(8) char control[100];
    WSABUF payload_buf = {sizeof payload, payload};
    for (int i = 0; i < 3; i++) {
        DWORD on = 1, off = 0, state = 0, count = sizeof state;
        WSAMSG msg = {NULL, 0, &payload_buf, 1, {sizeof control, control}, 0};
        memset(control, 0, sizeof control);
        CHECK_OK(setsockopt(server, cases[i].level, cases[i].option, (const char *)&on, sizeof on));
        CHECK_OK(getsockopt(server, cases[i].level, cases[i].option, (char *)&state, (INT *)&count));
        CHECK_EQ(state, 1);
        CHECK_EQ(send(client, payload, sizeof payload, 0), (int)sizeof payload);
        CHECK_OK(recvmsg_fn(server, &msg, &count, NULL, NULL));
        CHECK_EQ(count, sizeof payload);
        WSACMSGHDR *header = (WSACMSGHDR *)control;
        CHECK_EQ(header->cmsg_level, cases[i].level);
        CHECK_EQ(header->cmsg_type, cases[i].type);
        CHECK_EQ(header->cmsg_len, sizeof(WSACMSGHDR) + cases[i].data_len);
        CHECK(WSA_CMSG_NXTHDR(&msg, header) == NULL);
        INT *value = (INT *)WSA_CMSG_DATA(header);
        if (cases[i].type == IP_TTL || cases[i].type == IPV6_HOPLIMIT)
            CHECK(*value >= 32);
        else if (cases[i].type == IP_TOS || cases[i].type == IPV6_TCLASS)
            CHECK_EQ(*value, 0);
        else if (af == AF_INET)
            CHECK_EQ(((IN_PKTINFO *)WSA_CMSG_DATA(header))->ipi_addr.s_addr,
                     htonl(INADDR_LOOPBACK));
        else
            CHECK(IN6_IS_ADDR_LOOPBACK(&((IN6_PKTINFO *)WSA_CMSG_DATA(header))->ipi6_addr));
        CHECK_OK(setsockopt(server, cases[i].level, cases[i].option, (const char *)&off,
                            sizeof off));
    }
    closesocket(client);
    closesocket(server);
}

/* test_timeout: SO_RCVTIMEO makes a blocking recv and a blocking WSARecv
 * fail with WSAETIMEDOUT (the byte count untouched); an overlapped WSARecv
 * is not subject to it and completes when data comes. */
static void receive_timeout(void)
{
    SOCKADDR_STORAGE bound;
    SOCKET rx = bound_socket("127.0.0.1", &bound), tx;
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, 0));
    DWORD timeout = 100;
    CHECK_OK(setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout, sizeof timeout));
    char buf[4];
    CHECK_ERR(recv(rx, buf, sizeof buf, 0), WSAETIMEDOUT);
    WSABUF b = {sizeof buf, buf};
    DWORD n = SENTINEL, flags = 0;
    CHECK_ERR(WSARecv(rx, &b, 1, &n, &flags, NULL, NULL), WSAETIMEDOUT);
    CHECK_EQ(n, SENTINEL);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    CHECK_ERR(WSARecv(rx, &b, 1, NULL, &flags, &ov, NULL), WSA_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 200), WAIT_TIMEOUT);
    send_to(tx, &bound, "x", 1);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 3000), WAIT_OBJECT_0);
    CHECK_EQ(WSAGetOverlappedResult(rx, &ov, &n, FALSE, &flags), TRUE);
    CHECK_EQ(n, 1);
    WSACloseEvent(ov.hEvent);
    closesocket(rx);
    closesocket(tx);
}

/* test_empty_recv: no buffers, or a count of 0, is WSAEINVAL. */
static void empty_recv(void)
{
    SOCKADDR_STORAGE bound;
    SOCKET rx = bound_socket("127.0.0.1", &bound);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD flags = 0;
    WSABUF b = {0, NULL};
    CHECK_ERR(WSARecv(rx, NULL, 0, NULL, &flags, &ov, NULL), WSAEINVAL);
    CHECK_ERR(WSARecv(rx, &b, 0, NULL, &flags, &ov, NULL), WSAEINVAL);
    closesocket(rx);
}

/* test_simultaneous_async_recv: receives pending together are served in
 * the order they were posted (for UDP: one datagram each). */
static void posting_order(void)
{
    SOCKADDR_STORAGE bound;
    SOCKET rx = bound_socket("127.0.0.1", &bound), tx;
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, 0));
    char bufs[2][16];
    WSABUF b[2] = {{16, bufs[0]}, {16, bufs[1]}};
    WSAOVERLAPPED ov[2];
    DWORD flags = 0, n;
    for (int i = 0; i < 2; i++) {
        memset(&ov[i], 0, sizeof ov[i]);
        ov[i].hEvent = WSACreateEvent();
        CHECK_ERR(WSARecv(rx, &b[i], 1, NULL, &flags, &ov[i], NULL), WSA_IO_PENDING);
    }
    send_to(tx, &bound, "first", 5);
    send_to(tx, &bound, "second", 6);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(WaitForSingleObject(ov[i].hEvent, 3000), WAIT_OBJECT_0);
        CHECK_EQ(WSAGetOverlappedResult(rx, &ov[i], &n, FALSE, &flags), TRUE);
        CHECK_EQ(n, i ? 6 : 5);
        CHECK(memcmp(bufs[i], i ? "second" : "first", n) == 0);
        WSACloseEvent(ov[i].hEvent);
    }
    closesocket(rx);
    closesocket(tx);
}

/* test_icmp: a raw IPv4 ICMP receive includes the IP header; a buffer one
 * byte short of the datagram is WSAEMSGSIZE and the datagram is gone; the
 * echo identifier is not rewritten. */
static USHORT checksum(const void *data, int len)
{
    const USHORT *p = data;
    ULONG sum = 0;
    for (; len > 1; len -= 2) sum += *p++;
    if (len) sum += *(const UCHAR *)p;
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    return (USHORT)~sum;
}

static void send_echo(SOCKET s, USHORT seq)
{
    unsigned char req[8] = {8, 0, 0, 0, 0xbe, 0xaf, 0, 0};
    req[6] = (unsigned char)(seq >> 8);
    req[7] = (unsigned char)seq;
    USHORT sum = checksum(req, sizeof req);
    memcpy(req + 2, &sum, 2);
    SOCKADDR_IN to = addr4("127.0.0.1", 0);
    CHECK_EQ(sendto(s, (const char *)req, sizeof req, 0, (SOCKADDR *)&to, sizeof to), 8);
}

static void raw_icmp(void)
{
    SOCKET s;
    CHECK_SOCKET(s = WSASocketA(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL, 0, 0));
    DWORD timeout = 3000;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout, sizeof timeout));
    unsigned char buf[256];
    send_echo(s, 1);
    CHECK_ERR(recv(s, (char *)buf, 20 + 8 - 1, 0), WSAEMSGSIZE);
    u_long waiting = 1;
    while (waiting) {
        /* Drain what the first echo brought (Linux also delivers the request
         * looped back on lo), so the next datagram is the second echo's. */
        u_long one = 1, zero = 0;
        CHECK_OK(ioctlsocket(s, FIONBIO, &one));
        int r = recv(s, (char *)buf, sizeof buf, 0);
        CHECK_OK(ioctlsocket(s, FIONBIO, &zero));
        if (r == SOCKET_ERROR) waiting = 0;
    }
    send_echo(s, 2);
    CHECK_EQ(recv(s, (char *)buf, sizeof buf, 0), 28);
    CHECK_EQ(buf[0], 0x45);
    CHECK_EQ((buf[2] << 8) | buf[3], 28);
    CHECK_EQ(buf[9], 1); /* protocol ICMP */
    SOCKADDR_IN lo = addr4("127.0.0.1", 0);
    CHECK(memcmp(buf + 12, &lo.sin_addr, 4) == 0);
    CHECK_EQ((buf[24] << 8) | buf[25], 0xbeaf);
    CHECK_EQ((buf[26] << 8) | buf[27], 2);
    closesocket(s);
}

int main(void)
{
    startup();
    from_length();
    ip_pktinfo("127.0.0.1");
    ip_pktinfo("0.0.0.0");
    cmsg_layouts(AF_INET);
    cmsg_layouts(AF_INET6);
    receive_timeout();
    empty_recv();
    posting_order();
    raw_icmp();
    WSACleanup();
    puts("fidelity_recv: ok");
    return 0;
}
