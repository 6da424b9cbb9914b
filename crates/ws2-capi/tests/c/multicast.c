/* P4: multicast and the remaining datagram options through the C ABI, run
 * in host `a` of a namespace pair joined by two links.
 * argv: link one's address and index in `a`, link two's address and index,
 * link one's subnet broadcast address.
 *
 * Windows' answers: Wine's Windows-run sock.c test_set_getsockopt (option
 * sizes, IP_DONTFRAGMENT defaults), test_sockopt_validity (membership
 * options are set-only: WSAENOPROTOOPT on get), test_reuseaddr (the bind
 * outcomes); Microsoft's "IPPROTO_IP socket options" (IP_MULTICAST_IF's
 * index form and read-back), "Multicast Socket Option Behavior" (join,
 * leave and source-filter errors), "Using SO_REUSEADDR and
 * SO_EXCLUSIVEADDRUSE" and the setsourcefilter/getsourcefilter pages
 * (RFC 3678's full-state calls). */
#include "common.h"

_Static_assert(sizeof(IP_MREQ) == 8, "IP_MREQ");
_Static_assert(sizeof(IP_MREQ_SOURCE) == 12, "IP_MREQ_SOURCE");
_Static_assert(offsetof(IP_MREQ_SOURCE, imr_sourceaddr) == 4, "group, source, interface");
_Static_assert(offsetof(IP_MREQ_SOURCE, imr_interface) == 8, "group, source, interface");
_Static_assert(sizeof(IPV6_MREQ) == 20, "IPV6_MREQ");
_Static_assert(sizeof(GROUP_REQ) == 136, "GROUP_REQ");
_Static_assert(offsetof(GROUP_REQ, gr_group) == 8, "GROUP_REQ");
_Static_assert(sizeof(GROUP_SOURCE_REQ) == 264, "GROUP_SOURCE_REQ");
_Static_assert(offsetof(GROUP_SOURCE_REQ, gsr_source) == 136, "GROUP_SOURCE_REQ");
_Static_assert(MCAST_JOIN_GROUP == 41 && MCAST_LEAVE_SOURCE_GROUP == 46, "MCAST_*");
_Static_assert(SO_EXCLUSIVEADDRUSE == (int)~SO_REUSEADDR, "SO_EXCLUSIVEADDRUSE");

static const char *one_addr, *two_addr;
static ULONG one_index, two_index;

static IN_ADDR in_addr_of(const char *text)
{
    IN_ADDR a;
    CHECK_EQ(inet_pton(AF_INET, text, &a), 1);
    return a;
}

/* An interface index in the 0.x.x.x form imr_interface takes. */
static IN_ADDR index_form(ULONG index)
{
    IN_ADDR a;
    a.s_addr = htonl(index);
    return a;
}

static SOCKET udp_bound(const char *ip, unsigned port)
{
    SOCKET s;
    SOCKADDR_IN sa = addr4(ip, port);
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(bind(s, (SOCKADDR *)&sa, sizeof sa));
    return s;
}

/* A sender whose group datagrams leave by the interface of `local` (an
 * address, as IP_MULTICAST_IF takes it). */
static SOCKET sender(const char *local)
{
    SOCKET s;
    IN_ADDR ifaddr = in_addr_of(local);
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, (char *)&ifaddr, sizeof ifaddr));
    return s;
}

static void send_to_group(SOCKET tx, const char *group, unsigned port, const char *text)
{
    SOCKADDR_IN to = addr4(group, port);
    CHECK_EQ(sendto(tx, text, (int)strlen(text), 0, (SOCKADDR *)&to, sizeof to),
             (int)strlen(text));
}

/* The next datagram within `ms`, or "" when none comes. */
static const char *recv_text(SOCKET s, DWORD ms)
{
    static char buf[256];
    DWORD timeout = ms;
    int n;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout, sizeof timeout));
    n = recv(s, buf, sizeof buf - 1, 0);
    if (n == SOCKET_ERROR) {
        CHECK_EQ(WSAGetLastError(), WSAETIMEDOUT);
        return "";
    }
    buf[n] = 0;
    return buf;
}

#define CHECK_TEXT(got, want)                                        \
    do {                                                             \
        const char *g_ = (got);                                      \
        if (strcmp(g_, (want)) != 0) {                               \
            fprintf(stderr, "got \"%s\", expected \"%s\"\n", g_, (want)); \
            FAIL("datagram text");                                   \
        }                                                            \
    } while (0)

static void option_sizes_and_validity(void)
{
    SOCKET u, t;
    DWORD value;
    int len;
    IP_MREQ mreq;
    CHECK_SOCKET(u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_SOCKET(t = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));

    /* test_set_getsockopt: IP_MULTICAST_TTL takes one byte, refuses 0x100. */
    value = 0xdeadbeef;
    len = sizeof value;
    CHECK_OK(getsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, (char *)&value, &len));
    CHECK_EQ(value, IP_DEFAULT_MULTICAST_TTL);
    CHECK_EQ(len, 4);
    {
        char ttl = 9;
        CHECK_OK(setsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, 1));
    }
    value = 0xdeadbeef;
    len = 1;
    CHECK_OK(getsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, (char *)&value, &len));
    CHECK_EQ(len, 1);
    CHECK_EQ(value, 0xdeadbe09);
    value = 0x100;
    CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, (char *)&value, 4), WSAEINVAL);
    /* IP_MULTICAST_LOOP: on by default, 0x100 is read back as 1. */
    len = sizeof value;
    CHECK_OK(getsockopt(u, IPPROTO_IP, IP_MULTICAST_LOOP, (char *)&value, &len));
    CHECK_EQ(value, 1);
    value = 0x100;
    CHECK_OK(setsockopt(u, IPPROTO_IP, IP_MULTICAST_LOOP, (char *)&value, 4));
    CHECK_OK(getsockopt(u, IPPROTO_IP, IP_MULTICAST_LOOP, (char *)&value, &len));
    CHECK_EQ(value, 1);
    /* test_sockopt_validity: memberships are set-only, and the multicast
     * options do not apply to TCP. */
    CHECK_ERR(getsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, &len), WSAENOPROTOOPT);
    CHECK_ERR(getsockopt(t, IPPROTO_IP, IP_DROP_MEMBERSHIP, (char *)&mreq, &len), WSAENOPROTOOPT);
    CHECK_ERR(getsockopt(t, IPPROTO_IP, IP_MULTICAST_TTL, (char *)&value, &len), WSAEINVAL);
    mreq.imr_multiaddr = in_addr_of("239.72.0.1");
    mreq.imr_interface = index_form(one_index);
    CHECK_ERR(setsockopt(t, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, sizeof mreq), WSAEINVAL);
    /* A short structure is WSAEFAULT; an unbound socket cannot join. */
    CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, 7), WSAEFAULT);
    CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, sizeof mreq), WSAEINVAL);
    /* Not a group address. */
    {
        SOCKADDR_IN any = addr4("0.0.0.0", 0);
        CHECK_OK(bind(u, (SOCKADDR *)&any, sizeof any));
        mreq.imr_multiaddr = in_addr_of(one_addr);
        CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, sizeof mreq),
                  WSAEINVAL);
    }

    /* test_set_getsockopt: IP_DONTFRAGMENT is off on UDP, on on TCP, a
     * BOOL (0xdead reads back 1). */
    len = sizeof value;
    CHECK_OK(getsockopt(u, IPPROTO_IP, IP_DONTFRAGMENT, (char *)&value, &len));
    CHECK_EQ(value, 0);
    CHECK_OK(getsockopt(t, IPPROTO_IP, IP_DONTFRAGMENT, (char *)&value, &len));
    CHECK_EQ(value, 1);
    value = 0xdead;
    CHECK_OK(setsockopt(u, IPPROTO_IP, IP_DONTFRAGMENT, (char *)&value, sizeof value));
    CHECK_OK(getsockopt(u, IPPROTO_IP, IP_DONTFRAGMENT, (char *)&value, &len));
    CHECK_EQ(value, 1);

    /* IP_MULTICAST_IF: an address or a 0.x.x.x index; read back as the
     * index in host byte order. A non-local address: WSAEADDRNOTAVAIL. */
    {
        IN_ADDR a = in_addr_of(two_addr);
        CHECK_OK(setsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, (char *)&a, sizeof a));
        CHECK_OK(getsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, (char *)&value, &len));
        CHECK_EQ(value, two_index);
        a = index_form(one_index);
        CHECK_OK(setsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, (char *)&a, sizeof a));
        CHECK_OK(getsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, (char *)&value, &len));
        CHECK_EQ(value, one_index);
        a = in_addr_of("192.0.2.77");
        CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, (char *)&a, sizeof a),
                  WSAEADDRNOTAVAIL);
    }
    closesocket(u);
    closesocket(t);
}

static void reuse_table(void)
{
    SOCKET a, b;
    DWORD on = 1;
    SOCKADDR_IN lo = addr4("127.0.0.1", 7210);
    /* test_reuseaddr: SO_REUSEADDR on the second socket only → WSAEACCES. */
    CHECK_SOCKET(a = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(bind(a, (SOCKADDR *)&lo, sizeof lo));
    CHECK_SOCKET(b = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof on));
    CHECK_ERR(bind(b, (SOCKADDR *)&lo, sizeof lo), WSAEACCES);
    closesocket(a);
    closesocket(b);
    /* On both → success. */
    CHECK_SOCKET(a = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(setsockopt(a, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof on));
    CHECK_OK(bind(a, (SOCKADDR *)&lo, sizeof lo));
    CHECK_SOCKET(b = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof on));
    CHECK_OK(bind(b, (SOCKADDR *)&lo, sizeof lo));
    /* Both options on one socket → WSAEINVAL. */
    CHECK_ERR(setsockopt(b, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *)&on, sizeof on), WSAEINVAL);
    closesocket(a);
    closesocket(b);
    /* An exclusive wildcard keeps even a reusing socket out: WSAEACCES
     * (tests_exclusive, first record). */
    {
        SOCKADDR_IN any = addr4("0.0.0.0", 7211), lo2 = addr4("127.0.0.1", 7211);
        CHECK_SOCKET(a = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
        CHECK_OK(setsockopt(a, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *)&on, sizeof on));
        CHECK_OK(bind(a, (SOCKADDR *)&any, sizeof any));
        CHECK_SOCKET(b = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
        CHECK_ERR(bind(b, (SOCKADDR *)&lo2, sizeof lo2), WSAEACCES);
        closesocket(a);
        closesocket(b);
    }
}

/* GROUP_REQ join, overlapped receive pending before the datagram comes,
 * select and WSAEventSelect readiness for group datagrams. */
static void group_req_overlapped_and_readiness(void)
{
    SOCKET rx = udp_bound("0.0.0.0", 7220), tx = sender(one_addr);
    GROUP_REQ gr;
    SOCKADDR_IN *g = (SOCKADDR_IN *)&gr.gr_group;
    WSAOVERLAPPED ov;
    WSABUF wb;
    char buf[64];
    DWORD bytes = 0, flags = 0;
    memset(&gr, 0, sizeof gr);
    gr.gr_interface = one_index;
    g->sin_family = AF_INET;
    g->sin_addr = in_addr_of("239.72.0.2");
    CHECK_OK(setsockopt(rx, IPPROTO_IP, MCAST_JOIN_GROUP, (char *)&gr, sizeof gr));
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, MCAST_JOIN_GROUP, (char *)&gr, sizeof gr),
              WSAEADDRNOTAVAIL);

    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    wb.buf = buf;
    wb.len = sizeof buf;
    CHECK_ERR(WSARecv(rx, &wb, 1, NULL, &flags, &ov, NULL), WSA_IO_PENDING);
    send_to_group(tx, "239.72.0.2", 7220, "overlapped");
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags));
    CHECK_EQ(bytes, 10);
    CHECK(memcmp(buf, "overlapped", 10) == 0);

    /* select: readable once a group datagram waits. */
    {
        fd_set r;
        struct timeval tv = {0, 0};
        FD_ZERO(&r);
        FD_SET(rx, &r);
        CHECK_EQ(select(0, &r, NULL, NULL, &tv), 0);
        send_to_group(tx, "239.72.0.2", 7220, "select");
        tv.tv_sec = 5;
        FD_ZERO(&r);
        FD_SET(rx, &r);
        CHECK_EQ(select(0, &r, NULL, NULL, &tv), 1);
        CHECK_TEXT(recv_text(rx, 1000), "select");
    }
    /* WSAEventSelect: FD_READ for a group datagram. */
    {
        WSAEVENT ev = WSACreateEvent();
        WSANETWORKEVENTS ne;
        u_long off = 0;
        CHECK_OK(WSAEventSelect(rx, ev, FD_READ));
        send_to_group(tx, "239.72.0.2", 7220, "event");
        CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
        CHECK_OK(WSAEnumNetworkEvents(rx, ev, &ne));
        CHECK_EQ(ne.lNetworkEvents, FD_READ);
        CHECK_OK(WSAEventSelect(rx, NULL, 0));
        CHECK_OK(ioctlsocket(rx, FIONBIO, &off));
        CHECK_TEXT(recv_text(rx, 1000), "event");
        WSACloseEvent(ev);
    }
    CHECK_OK(setsockopt(rx, IPPROTO_IP, MCAST_LEAVE_GROUP, (char *)&gr, sizeof gr));
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, MCAST_LEAVE_GROUP, (char *)&gr, sizeof gr), WSAEINVAL);
    WSACloseEvent(ov.hEvent);
    closesocket(rx);
    closesocket(tx);
}

/* ip_mreq_source in Windows' order, and Microsoft's source-filter table. */
static void source_specific(void)
{
    SOCKET rx = udp_bound("0.0.0.0", 7230), tx_one = sender(one_addr), tx_two = sender(two_addr);
    IP_MREQ_SOURCE ms;
    IP_MREQ mreq;
    /* Both senders' datagrams go out of link one, so both arrive there;
     * only the listed source is let in. */
    IN_ADDR one_if = in_addr_of(one_addr);
    CHECK_OK(setsockopt(tx_two, IPPROTO_IP, IP_MULTICAST_IF, (char *)&one_if, sizeof one_if));
    {
        SOCKADDR_IN src = addr4(two_addr, 0);
        CHECK_OK(bind(tx_two, (SOCKADDR *)&src, sizeof src));
    }
    ms.imr_multiaddr = in_addr_of("232.72.0.3");
    ms.imr_sourceaddr = in_addr_of(one_addr);
    ms.imr_interface = index_form(one_index);
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, (char *)&ms, sizeof ms));
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, (char *)&ms, sizeof ms),
              WSAEADDRNOTAVAIL);
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_UNBLOCK_SOURCE, (char *)&ms, sizeof ms), WSAEINVAL);
    mreq.imr_multiaddr = ms.imr_multiaddr;
    mreq.imr_interface = ms.imr_interface;
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, sizeof mreq),
              WSAEADDRNOTAVAIL);
    send_to_group(tx_two, "232.72.0.3", 7230, "from two");
    send_to_group(tx_one, "232.72.0.3", 7230, "from one");
    CHECK_TEXT(recv_text(rx, 1000), "from one");
    CHECK_TEXT(recv_text(rx, 200), "");
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, (char *)&ms, sizeof ms));
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, (char *)&ms, sizeof ms),
              WSAEINVAL);

    /* Any-source join, then block one source. */
    mreq.imr_multiaddr = in_addr_of("239.72.0.4");
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, sizeof mreq));
    ms.imr_multiaddr = mreq.imr_multiaddr;
    ms.imr_sourceaddr = in_addr_of(two_addr);
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, (char *)&ms, sizeof ms),
              WSAEINVAL);
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_UNBLOCK_SOURCE, (char *)&ms, sizeof ms), WSAEINVAL);
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_BLOCK_SOURCE, (char *)&ms, sizeof ms));
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_BLOCK_SOURCE, (char *)&ms, sizeof ms),
              WSAEADDRNOTAVAIL);
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, sizeof mreq), WSAEINVAL);
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, (char *)&ms, sizeof ms),
              WSAEINVAL);
    send_to_group(tx_two, "239.72.0.4", 7230, "blocked");
    send_to_group(tx_one, "239.72.0.4", 7230, "let in");
    CHECK_TEXT(recv_text(rx, 1000), "let in");
    CHECK_TEXT(recv_text(rx, 200), "");
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_UNBLOCK_SOURCE, (char *)&ms, sizeof ms));
    CHECK_ERR(setsockopt(rx, IPPROTO_IP, IP_UNBLOCK_SOURCE, (char *)&ms, sizeof ms),
              WSAEADDRNOTAVAIL);
    send_to_group(tx_two, "239.72.0.4", 7230, "unblocked");
    CHECK_TEXT(recv_text(rx, 1000), "unblocked");
    closesocket(rx);
    closesocket(tx_one);
    closesocket(tx_two);
}

/* The full-state calls: setipv4sourcefilter joins with an include list,
 * getipv4sourcefilter reads it back, an exclude list lets every other
 * source in, setsourcefilter with an empty include list leaves. */
static void full_state_filters(void)
{
    SOCKET rx = udp_bound("0.0.0.0", 7250), tx_one = sender(one_addr), tx_two = sender(one_addr);
    IN_ADDR group = in_addr_of("239.72.0.5"), ifc = index_form(one_index);
    IN_ADDR list[4], from_one = in_addr_of(one_addr), from_two = in_addr_of(two_addr);
    MULTICAST_MODE_TYPE mode = (MULTICAST_MODE_TYPE)-1;
    ULONG count = 4;
    SOCKADDR_IN g = addr4("239.72.0.5", 0);
    {
        SOCKADDR_IN src = addr4(two_addr, 0);
        CHECK_OK(bind(tx_two, (SOCKADDR *)&src, sizeof src));
    }
    CHECK_ERR(getipv4sourcefilter(rx, ifc, group, &mode, &count, list), WSAEADDRNOTAVAIL);
    CHECK_ERR(setipv4sourcefilter(rx, ifc, group, (MULTICAST_MODE_TYPE)7, 1, &from_one),
              WSAEINVAL);
    CHECK_OK(setipv4sourcefilter(rx, ifc, group, MCAST_INCLUDE, 1, &from_one));
    CHECK_OK(getipv4sourcefilter(rx, ifc, group, &mode, &count, list));
    CHECK_EQ(mode, MCAST_INCLUDE);
    CHECK_EQ(count, 1);
    CHECK_EQ(list[0].s_addr, from_one.s_addr);
    send_to_group(tx_two, "239.72.0.5", 7250, "two");
    send_to_group(tx_one, "239.72.0.5", 7250, "one");
    CHECK_TEXT(recv_text(rx, 1000), "one");
    CHECK_TEXT(recv_text(rx, 200), "");

    CHECK_OK(setipv4sourcefilter(rx, ifc, group, MCAST_EXCLUDE, 1, &from_two));
    count = 0; /* no room: the count is still reported */
    CHECK_OK(getipv4sourcefilter(rx, ifc, group, &mode, &count, list));
    CHECK_EQ(mode, MCAST_EXCLUDE);
    CHECK_EQ(count, 1);
    send_to_group(tx_two, "239.72.0.5", 7250, "two again");
    send_to_group(tx_one, "239.72.0.5", 7250, "one again");
    CHECK_TEXT(recv_text(rx, 1000), "one again");
    CHECK_TEXT(recv_text(rx, 200), "");

    CHECK_OK(setsourcefilter(rx, one_index, (SOCKADDR *)&g, sizeof g, MCAST_INCLUDE, 0, NULL));
    {
        SOCKADDR_STORAGE sources[2];
        count = 2;
        CHECK_ERR(getsourcefilter(rx, one_index, (SOCKADDR *)&g, sizeof g, &mode, &count, sources),
                  WSAEADDRNOTAVAIL);
    }
    send_to_group(tx_one, "239.72.0.5", 7250, "after leaving");
    CHECK_TEXT(recv_text(rx, 200), "");
    closesocket(rx);
    closesocket(tx_one);
    closesocket(tx_two);
}

/* IP_RECVIF and IP_RECVDSTADDR without IP_PKTINFO: WSARecvMsg reports the
 * arrival interface (a ULONG) and the destination (an IN_ADDR: the group),
 * and no IN_PKTINFO. test_sockopt_validity: UDP get/set, TCP WSAEINVAL.
 * The other datagram options: IP_OPTIONS (a fresh socket has none),
 * IP_UNICAST_IF (set in network byte order, read back in host order),
 * IPV6_HDRINCL (raw sockets only). */
static void receive_reports_and_other_options(void)
{
    SOCKET rx = udp_bound("0.0.0.0", 7260), tx = sender(one_addr), t;
    IP_MREQ mreq;
    DWORD on = 1, value, got = 0;
    int len = sizeof value;
    GUID guid = WSAID_WSARECVMSG;
    LPFN_WSARECVMSG recvmsg_fn = NULL;
    char data[64];
    union {
        WSACMSGHDR align;
        char buf[256];
    } control;
    WSABUF wb = {sizeof data, data};
    WSAMSG msg;
    BOOL saw_if = FALSE, saw_dst = FALSE;

    CHECK_SOCKET(t = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    CHECK_ERR(getsockopt(t, IPPROTO_IP, IP_RECVIF, (char *)&value, &len), WSAEINVAL);
    CHECK_OK(getsockopt(rx, IPPROTO_IP, IP_RECVIF, (char *)&value, &len));
    CHECK_EQ(value, 0);
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_RECVIF, (char *)&on, sizeof on));
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_RECVDSTADDR, (char *)&on, sizeof on));
    CHECK_OK(getsockopt(rx, IPPROTO_IP, IP_PKTINFO, (char *)&value, &len));
    CHECK_EQ(value, 0);
    mreq.imr_multiaddr = in_addr_of("239.72.0.6");
    mreq.imr_interface = index_form(one_index);
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *)&mreq, sizeof mreq));
    send_to_group(tx, "239.72.0.6", 7260, "reports");
    CHECK_OK(WSAIoctl(rx, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &recvmsg_fn,
                      sizeof recvmsg_fn, &got, NULL, NULL));
    memset(&msg, 0, sizeof msg);
    msg.lpBuffers = &wb;
    msg.dwBufferCount = 1;
    msg.Control.buf = control.buf;
    msg.Control.len = sizeof control.buf;
    CHECK_OK(recvmsg_fn(rx, &msg, &got, NULL, NULL));
    CHECK_EQ(got, 7);
    for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&msg); c != NULL; c = WSA_CMSG_NXTHDR(&msg, c)) {
        CHECK_EQ(c->cmsg_level, IPPROTO_IP);
        if (c->cmsg_type == IP_RECVIF) {
            ULONG index;
            CHECK_EQ(c->cmsg_len, WSA_CMSG_LEN(sizeof(ULONG)));
            memcpy(&index, WSA_CMSG_DATA(c), sizeof index);
            CHECK_EQ(index, one_index);
            saw_if = TRUE;
        } else if (c->cmsg_type == IP_RECVDSTADDR) {
            IN_ADDR dst;
            CHECK_EQ(c->cmsg_len, WSA_CMSG_LEN(sizeof(IN_ADDR)));
            memcpy(&dst, WSA_CMSG_DATA(c), sizeof dst);
            CHECK_EQ(dst.s_addr, mreq.imr_multiaddr.s_addr);
            saw_dst = TRUE;
        } else {
            FAIL("a control message that was not asked for (IP_PKTINFO is off)");
        }
    }
    CHECK(saw_if && saw_dst);
    /* Multicast reported in dwFlags needs IN_PKTINFO; there it was the
     * destination only. With IN_PKTINFO alone (the receive ws2 translates
     * in one pass) a group datagram is MSG_MCAST, its IN_PKTINFO the group
     * and the arrival interface (S27). */
    value = 0;
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_RECVIF, (char *)&value, sizeof value));
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_RECVDSTADDR, (char *)&value, sizeof value));
    CHECK_OK(setsockopt(rx, IPPROTO_IP, IP_PKTINFO, (char *)&on, sizeof on));
    send_to_group(tx, "239.72.0.6", 7260, "mcast");
    msg.Control.len = sizeof control.buf;
    msg.dwFlags = 0;
    CHECK_OK(recvmsg_fn(rx, &msg, &got, NULL, NULL));
    CHECK_EQ(got, 5);
    CHECK_EQ(msg.dwFlags, MSG_MCAST);
    CHECK_EQ(msg.Control.len, WSA_CMSG_SPACE(sizeof(IN_PKTINFO)));
    {
        WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(&msg);
        IN_PKTINFO pi;
        CHECK(c != NULL);
        CHECK_EQ(c->cmsg_level, IPPROTO_IP);
        CHECK_EQ(c->cmsg_type, IP_PKTINFO);
        memcpy(&pi, WSA_CMSG_DATA(c), sizeof pi);
        CHECK_EQ(pi.ipi_addr.s_addr, mreq.imr_multiaddr.s_addr);
        CHECK_EQ(pi.ipi_ifindex, one_index);
    }

    /* IP_OPTIONS: none on a fresh socket; NOPs set and read back. */
    {
        char opts[40] = {1, 1, 1, 0};
        len = sizeof opts;
        CHECK_OK(getsockopt(tx, IPPROTO_IP, IP_OPTIONS, opts + 8, &len));
        CHECK_EQ(len, 0);
        CHECK_OK(setsockopt(tx, IPPROTO_IP, IP_OPTIONS, opts, 4));
        len = sizeof opts;
        CHECK_OK(getsockopt(tx, IPPROTO_IP, IP_OPTIONS, opts + 8, &len));
        CHECK_EQ(len, 4);
        CHECK_ERR(setsockopt(tx, IPPROTO_IP, IP_OPTIONS, opts, 41), WSAEINVAL);
        CHECK_OK(setsockopt(tx, IPPROTO_IP, IP_OPTIONS, opts, 0));
        len = sizeof opts;
        CHECK_OK(getsockopt(tx, IPPROTO_IP, IP_OPTIONS, opts + 8, &len));
        CHECK_EQ(len, 0);
    }
    /* IP_UNICAST_IF: network byte order in, host byte order out. */
    value = htonl(two_index);
    CHECK_OK(setsockopt(tx, IPPROTO_IP, IP_UNICAST_IF, (char *)&value, sizeof value));
    len = sizeof value;
    CHECK_OK(getsockopt(tx, IPPROTO_IP, IP_UNICAST_IF, (char *)&value, &len));
    CHECK_EQ(value, two_index);
    /* IPV6_HDRINCL: WSAEINVAL on a UDP socket. */
    {
        SOCKET u6;
        CHECK_SOCKET(u6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
        len = sizeof value;
        CHECK_ERR(getsockopt(u6, IPPROTO_IPV6, IPV6_HDRINCL, (char *)&value, &len), WSAEINVAL);
        closesocket(u6);
    }
    closesocket(t);
    closesocket(rx);
    closesocket(tx);
}

/* SO_BROADCAST: a send to the subnet broadcast address of link one is
 * WSAEACCES without it, and arrives with it (sock.c test_broadcast). */
static void subnet_broadcast(const char *broadcast)
{
    SOCKET rx = udp_bound("0.0.0.0", 7270), tx;
    SOCKADDR_IN to = addr4(broadcast, 7270), from = addr4(one_addr, 0);
    DWORD on = 1;
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(bind(tx, (SOCKADDR *)&from, sizeof from));
    CHECK_ERR(sendto(tx, "bcast", 5, 0, (SOCKADDR *)&to, sizeof to), WSAEACCES);
    CHECK_OK(setsockopt(tx, SOL_SOCKET, SO_BROADCAST, (char *)&on, sizeof on));
    CHECK_EQ(sendto(tx, "bcast", 5, 0, (SOCKADDR *)&to, sizeof to), 5);
    CHECK_TEXT(recv_text(rx, 1000), "bcast");
    closesocket(rx);
    closesocket(tx);
}

/* IPV6_ADD_MEMBERSHIP with an index; IPV6_MULTICAST_IF/HOPS. */
static void ipv6_join(void)
{
    SOCKET rx, tx;
    SOCKADDR_IN6 any = addr6("::", 7240), to = addr6("ff15::72", 7240);
    IPV6_MREQ m;
    DWORD hops = 3, index = one_index;
    CHECK_SOCKET(rx = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(bind(rx, (SOCKADDR *)&any, sizeof any));
    m.ipv6mr_multiaddr = to.sin6_addr;
    m.ipv6mr_interface = one_index;
    CHECK_OK(setsockopt(rx, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, (char *)&m, sizeof m));
    CHECK_ERR(setsockopt(rx, IPPROTO_IPV6, IPV6_JOIN_GROUP, (char *)&m, sizeof m),
              WSAEADDRNOTAVAIL);
    CHECK_SOCKET(tx = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(setsockopt(tx, IPPROTO_IPV6, IPV6_MULTICAST_IF, (char *)&index, sizeof index));
    CHECK_OK(setsockopt(tx, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, (char *)&hops, sizeof hops));
    CHECK_EQ(sendto(tx, "six", 3, 0, (SOCKADDR *)&to, sizeof to), 3);
    CHECK_TEXT(recv_text(rx, 1000), "six");
    CHECK_OK(setsockopt(rx, IPPROTO_IPV6, IPV6_LEAVE_GROUP, (char *)&m, sizeof m));
    closesocket(rx);
    closesocket(tx);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: multicast ONE-ADDR ONE-INDEX TWO-ADDR TWO-INDEX BROADCAST\n");
        return 2;
    }
    one_addr = argv[1];
    one_index = (ULONG)strtoul(argv[2], NULL, 10);
    two_addr = argv[3];
    two_index = (ULONG)strtoul(argv[4], NULL, 10);
    startup();
    option_sizes_and_validity();
    reuse_table();
    group_req_overlapped_and_readiness();
    source_specific();
    full_state_filters();
    receive_reports_and_other_options();
    subnet_broadcast(argv[5]);
    ipv6_join();
    WSACleanup();
    puts("multicast: ok");
    return 0;
}
