/* The receive path on loopback: WSARecvMsg with its control data in
 * Windows layout, WSARecv/WSARecvFrom, truncation, the usual receive at
 * every Control.len, and ICMP port unreachable reported on receive (the
 * overlapped delivery modes are recv_overlapped.c's).
 *
 * Usage: recv_paths SECTION LO_IFINDEX. Each section is one test of
 * c_recv.rs; within a section the control-data checks are SOFT_EQ, so one
 * run reports every mismatch of that section.
 * Clauses: S19 S22 S27 S30 G. */
#include "recv_paths.h"

/* ---- S27: IPv4 ---------------------------------------------------------- */

static const struct ctl v4_ctls[] = {
    {IPPROTO_IP, IP_TOS, 0xb8}, {IPPROTO_IP, IP_ECN, 1}, {IPPROTO_IP, IP_TTL, 9}};

static void enable_v4_controls(SOCKET rx)
{
    set_int_opt(rx, IPPROTO_IP, IP_PKTINFO, 1);
    set_int_opt(rx, IPPROTO_IP, IP_RECVTOS, 1);
    set_int_opt(rx, IPPROTO_IP, IP_RECVECN, 1);
    set_int_opt(rx, IPPROTO_IP, IP_RECVTTL, 1);
}

static void section_v4(void)
{
    SOCKADDR_STORAGE rxa, txa;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    enable_v4_controls(rx);
    send_with(tx, &rxa, "hello v4", 8, v4_ctls, 3);

    WSAMSG msg;
    char buf[64], control[256];
    struct seen s = recv_expect(recvmsg_fn, rx, &msg, buf, sizeof buf, control, sizeof control,
                                "hello v4", &txa, "127.0.0.1");
    SOFT_EQ(s.unknown, 0);
    SOFT_EQ(s.bad_len, 0); /* cmsg_len == WSA_CMSG_LEN(payload), unpadded */
    SOFT_EQ(s.entries, 4);
    SOFT_EQ(s.pktinfo4, 1);
    SOFT_EQ(s.pi4.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
    SOFT_EQ(s.pi4.ipi_ifindex, lo_index);
    SOFT_EQ(s.tos, 1);
    SOFT_EQ(s.v_tos, 0xb9); /* the whole TOS byte, widened to INT */
    SOFT_EQ(s.ecn, 1);
    SOFT_EQ(s.v_ecn, 1);
    SOFT_EQ(s.ttl, 1);
    SOFT_EQ(s.v_ttl, 9);
    SOFT_EQ(msg.Control.len, s.end); /* the bytes used */
    SOFT_EQ(msg.Control.len,
            WSA_CMSG_SPACE(sizeof(IN_PKTINFO)) + 3 * WSA_CMSG_SPACE(sizeof(INT)));

    /* With the options off again, no control entries and Control.len 0. */
    set_int_opt(rx, IPPROTO_IP, IP_PKTINFO, 0);
    set_int_opt(rx, IPPROTO_IP, IP_RECVTOS, 0);
    set_int_opt(rx, IPPROTO_IP, IP_RECVECN, 0);
    set_int_opt(rx, IPPROTO_IP, IP_RECVTTL, 0);
    send_with(tx, &rxa, "plain", 5, v4_ctls, 3);
    recv_expect(recvmsg_fn, rx, &msg, buf, sizeof buf, control, sizeof control, "plain", &txa,
                "127.0.0.1");
    SOFT_EQ(msg.Control.len, 0);
    closesocket(rx);
    closesocket(tx);
}

/* ---- S27: IPv6 ---------------------------------------------------------- */

static void section_v6(void)
{
    SOCKADDR_STORAGE rxa, txa;
    SOCKET rx = bound_udp("::1", &rxa);
    SOCKET tx = bound_udp("::1", &txa);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    set_int_opt(rx, IPPROTO_IPV6, IPV6_PKTINFO, 1);
    set_int_opt(rx, IPPROTO_IPV6, IPV6_RECVTCLASS, 1);
    set_int_opt(rx, IPPROTO_IPV6, IPV6_RECVECN, 1);
    set_int_opt(rx, IPPROTO_IPV6, IPV6_HOPLIMIT, 1);
    static const struct ctl ctls[] = {{IPPROTO_IPV6, IPV6_TCLASS, 0xb8},
                                      {IPPROTO_IPV6, IPV6_ECN, 2},
                                      {IPPROTO_IPV6, IPV6_HOPLIMIT, 7}};
    send_with(tx, &rxa, "hello v6!", 9, ctls, 3);

    WSAMSG msg;
    char buf[64], control[256];
    struct seen s = recv_expect(recvmsg_fn, rx, &msg, buf, sizeof buf, control, sizeof control,
                                "hello v6!", &txa, "::1");
    IN6_ADDR loop6 = IN6ADDR_LOOPBACK_INIT;
    SOFT_EQ(s.unknown, 0);
    SOFT_EQ(s.bad_len, 0);
    SOFT_EQ(s.entries, 4);
    SOFT_EQ(s.pktinfo6, 1);
    SOFT_EQ(memcmp(&s.pi6.ipi6_addr, &loop6, sizeof loop6), 0);
    SOFT_EQ(s.pi6.ipi6_ifindex, lo_index);
    SOFT_EQ(s.tclass, 1);
    SOFT_EQ(s.v_tclass, 0xba);
    SOFT_EQ(s.ecn6, 1); /* IPV6_ECN with IPV6_RECVECN on */
    SOFT_EQ(s.v_ecn6, 2);
    SOFT_EQ(s.hoplimit, 1);
    SOFT_EQ(s.v_hoplimit, 7);
    SOFT_EQ(msg.Control.len, s.end);
    SOFT_EQ(msg.Control.len,
            WSA_CMSG_SPACE(sizeof(IN6_PKTINFO)) + 3 * WSA_CMSG_SPACE(sizeof(INT)));
    closesocket(rx);
    closesocket(tx);
}

/* ---- S25 S27: dual-stack socket, IPv4 sender ---------------------------- */

static void section_dual(void)
{
    SOCKADDR_STORAGE rxa, txa;
    SOCKET rx = bound_udp("::", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    set_int_opt(rx, IPPROTO_IP, IP_PKTINFO, 1);
    set_int_opt(rx, IPPROTO_IPV6, IPV6_PKTINFO, 1);
    SOCKADDR_STORAGE to;
    memset(&to, 0, sizeof to);
    *(SOCKADDR_IN *)&to = addr4("127.0.0.1", port_of(&rxa));
    send_plain(tx, &to, "via v4");

    WSAMSG msg;
    char buf[64], control[256];
    /* the source is v4-mapped */
    struct seen s = recv_expect(recvmsg_fn, rx, &msg, buf, sizeof buf, control, sizeof control,
                                "via v4", &txa, "::ffff:127.0.0.1");
    SOFT_EQ(s.bad_len, 0);
    SOFT_EQ(s.pktinfo4, 1); /* IN_PKTINFO for an IPv4 datagram */
    SOFT_EQ(s.pi4.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
    SOFT_EQ(s.pi4.ipi_ifindex, lo_index);
    SOFT_EQ(msg.Control.len, s.end);
    closesocket(rx);
    closesocket(tx);
}

/* ---- S27: truncation ---------------------------------------------------- */

static void section_trunc(void)
{
    SOCKADDR_STORAGE rxa, txa, from;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    enable_v4_controls(rx);
    WSAMSG msg;
    WSABUF data;
    char buf[64], control[256];
    DWORD got;

    /* Control too small for four entries: WSAEMSGSIZE + MSG_CTRUNC, the
     * entries that fit are there, the data is whole. */
    send_with(tx, &rxa, "ctrunc", 6, v4_ctls, 3);
    prepare_msg(&msg, &data, buf, sizeof buf, control, 24, &from);
    got = 0xdeadbeef;
    CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAEMSGSIZE); /* S27 */
    SOFT_EQ(msg.dwFlags & MSG_CTRUNC, MSG_CTRUNC);
    SOFT_EQ(msg.dwFlags & MSG_TRUNC, 0);
    SOFT_EQ(memcmp(buf, "ctrunc", 6), 0);
    SOFT_EQ(port_of(&from), port_of(&txa));
    SOFT_EQ(msg.Control.len <= 24, 1);
    {
        struct seen s = walk(&msg);
        SOFT_EQ(s.entries >= 1, 1); /* IN_PKTINFO (24 bytes) fits */
        SOFT_EQ(s.unknown, 0);
        SOFT_EQ(s.bad_len, 0);
        SOFT_EQ(msg.Control.len, s.end);
        if (s.pktinfo4) {
            SOFT_EQ(s.pi4.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
            SOFT_EQ(s.pi4.ipi_ifindex, lo_index);
        }
        if (s.tos) SOFT_EQ(s.v_tos, 0xb9);
        if (s.ecn) SOFT_EQ(s.v_ecn, 1);
        if (s.ttl) SOFT_EQ(s.v_ttl, 9);
    }
    /* Control smaller than one header: nothing fits. */
    send_with(tx, &rxa, "tiny", 4, v4_ctls, 3);
    prepare_msg(&msg, &data, buf, sizeof buf, control, 8, &from);
    CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAEMSGSIZE);
    SOFT_EQ(msg.dwFlags & MSG_CTRUNC, MSG_CTRUNC);
    SOFT_EQ(msg.Control.len, 0);
    SOFT_EQ(memcmp(buf, "tiny", 4), 0);

    /* A datagram larger than the buffers (gathered into two): WSAEMSGSIZE +
     * MSG_TRUNC, both buffers filled, the rest discarded. */
    send_with(tx, &rxa, "0123456789abcdefghij", 20, v4_ctls, 3);
    char b1[4], b2[5];
    WSABUF two[2] = {{sizeof b1, b1}, {sizeof b2, b2}};
    prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
    memset(b1, 0, sizeof b1);
    memset(b2, 0, sizeof b2);
    msg.lpBuffers = two;
    msg.dwBufferCount = 2;
    CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAEMSGSIZE); /* S27 */
    SOFT_EQ(msg.dwFlags & MSG_TRUNC, MSG_TRUNC);
    SOFT_EQ(msg.dwFlags & MSG_CTRUNC, 0);
    SOFT_EQ(memcmp(b1, "0123", 4), 0);
    SOFT_EQ(memcmp(b2, "45678", 5), 0);
    SOFT_EQ(port_of(&from), port_of(&txa));

    /* WSARecvFrom truncated: WSAEMSGSIZE, the buffer filled. */
    send_plain(tx, &rxa, "truncated!");
    char small[5];
    memset(small, 0, sizeof small);
    WSABUF sb = {sizeof small, small};
    DWORD flags = 0;
    int fromlen = sizeof from;
    memset(&from, 0, sizeof from);
    CHECK_ERR(WSARecvFrom(rx, &sb, 1, &got, &flags, (SOCKADDR *)&from, &fromlen, NULL, NULL),
              WSAEMSGSIZE);
    SOFT_EQ(memcmp(small, "trunc", 5), 0);

    /* An overlapped WSARecvMsg that completes later with a truncated
     * datagram: STATUS_BUFFER_OVERFLOW, WSAEMSGSIZE, MSG_TRUNC, the buffer
     * filled (S27, G). */
    {
        WSAEVENT ev = new_event();
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = ev;
        prepare_msg(&msg, &data, buf, 4, control, sizeof control, &from);
        CHECK_PENDING(recvmsg_fn(rx, &msg, &got, &ov, NULL));
        send_plain(tx, &rxa, "overflowing");
        CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
        DWORD bytes = 0xdead;
        flags = 0;
        CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == FALSE);
        SOFT_EQ(WSAGetLastError(), WSAEMSGSIZE);
        SOFT_EQ(ov.Internal, STATUS_BUFFER_OVERFLOW);
        SOFT_EQ(memcmp(buf, "over", 4), 0);
        SOFT_EQ(msg.dwFlags & MSG_TRUNC, MSG_TRUNC);

        /* The same with the datagram already waiting: the call answers
         * WSA_IO_PENDING and the completion carries the error
         * (STATUS_BUFFER_OVERFLOW, a warning status), as Windows answers a
         * truncated receive whose datagram was already queued (sock.c
         * test_ip_pktinfo); it is delivered at once (S29 S38): the
         * datagram is consumed, a caller waiting on the event must not
         * wait for ever. */
        send_plain(tx, &rxa, "overflowing");
        Sleep(20);
        WSAResetEvent(ev);
        memset(&ov, 0, sizeof ov);
        ov.hEvent = ev;
        prepare_msg(&msg, &data, buf, 4, control, sizeof control, &from);
        CHECK_ERR(recvmsg_fn(rx, &msg, &got, &ov, NULL), WSA_IO_PENDING);
        SOFT_EQ(memcmp(buf, "over", 4), 0);
        SOFT_EQ(msg.dwFlags & MSG_TRUNC, MSG_TRUNC);
        SOFT_EQ(event_is_set(ev), 1);
        SOFT_EQ(ov.Internal, STATUS_BUFFER_OVERFLOW);
        WSACloseEvent(ev);
    }

    /* Each truncated datagram was consumed: the next receive gets the next one. */
    send_plain(tx, &rxa, "next");
    prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
    CHECK_OK(recvmsg_fn(rx, &msg, &got, NULL, NULL));
    CHECK_EQ(got, 4);
    CHECK(memcmp(buf, "next", 4) == 0);
    SOFT_EQ(msg.dwFlags, 0);
    closesocket(rx);
    closesocket(tx);
}

/* ---- S27: the usual receive ------------------------------------------ */

/* The Control.len a receive uses when `room` bytes are offered for entries
 * of the given cmsg_len values: each entry whole, advanced by its
 * WSA_CMSG_SPACE, the last one's padding cut short by the buffer's end;
 * the count that fit in *fit. */
static ULONG control_used(const size_t *lens, int n, ULONG room, int *fit)
{
    ULONG used = 0;
    *fit = 0;
    for (int i = 0; i < n; i++) {
        if (used + lens[i] > room) break;
        ULONG space = (ULONG)WSA_CMSGHDR_ALIGN(lens[i]);
        used += used + space <= room ? space : room - used;
        (*fit)++;
    }
    return used;
}

/* The blocking receive of the usual case (the controls a QUIC stack asks
 * for: IN_PKTINFO / IN6_PKTINFO, the TOS byte or traffic class, ECN),
 * which ws2 translates from Linux's control data in one pass: the entries
 * in Windows' order with their exact values, every Control.len from none
 * to room for all (the entries that fit, MSG_CTRUNC and WSAEMSGSIZE with
 * the byte count when one does not), a NULL Control.buf, and the source
 * SOCKADDR byte for byte (nothing written past namelen). */
static void section_usual(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        const char *ip = v6 ? "::1" : "127.0.0.1";
        SOCKADDR_STORAGE rxa, txa;
        SOCKET rx = bound_udp(ip, &rxa);
        SOCKET tx = bound_udp(ip, &txa);
        LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
        int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
        set_int_opt(rx, level, v6 ? IPV6_PKTINFO : IP_PKTINFO, 1);
        set_int_opt(rx, level, v6 ? IPV6_RECVTCLASS : IP_RECVTOS, 1);
        set_int_opt(rx, level, v6 ? IPV6_RECVECN : IP_RECVECN, 1);
        struct ctl tos = {level, v6 ? IPV6_TCLASS : IP_TOS, 0x2e};
        size_t pktinfo = v6 ? sizeof(IN6_PKTINFO) : sizeof(IN_PKTINFO);
        size_t lens[3] = {WSA_CMSG_LEN(pktinfo), WSA_CMSG_LEN(sizeof(INT)),
                          WSA_CMSG_LEN(sizeof(INT))};
        int fit;
        ULONG all = control_used(lens, 3, 256, &fit);
        CHECK_EQ(fit, 3);
        WSAMSG msg;
        WSABUF data;
        char buf[64], control[256];
        SOCKADDR_STORAGE from;
        for (ULONG room = 0; room <= all; room++) {
            send_with(tx, &rxa, "usual", 5, &tos, 1);
            prepare_msg(&msg, &data, buf, sizeof buf, control, room, &from);
            memset(&from, 0x5a, sizeof from);
            DWORD got = 0xdeadbeef;
            ULONG used = control_used(lens, 3, room, &fit);
            if (fit == 3) {
                CHECK_OK(recvmsg_fn(rx, &msg, &got, NULL, NULL));
                SOFT_EQ(msg.dwFlags, 0);
            } else {
                CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAEMSGSIZE);
                SOFT_EQ(msg.dwFlags, MSG_CTRUNC);
            }
            SOFT_EQ(got, 5);
            SOFT_EQ(memcmp(buf, "usual", 5), 0);
            SOFT_EQ(msg.Control.len, used);
            struct seen s = walk(&msg);
            SOFT_EQ(s.entries, fit);
            SOFT_EQ(s.unknown, 0);
            SOFT_EQ(s.bad_len, 0);
            if (v6) {
                IN6_ADDR loop6 = IN6ADDR_LOOPBACK_INIT;
                SOFT_EQ(s.pktinfo6, fit >= 1);
                if (fit >= 1) {
                    SOFT_EQ(memcmp(&s.pi6.ipi6_addr, &loop6, sizeof loop6), 0);
                    SOFT_EQ(s.pi6.ipi6_ifindex, lo_index);
                }
                SOFT_EQ(s.tclass, fit >= 2);
                if (fit >= 2) SOFT_EQ(s.v_tclass, 0x2e);
                SOFT_EQ(s.ecn6, fit >= 3);
                if (fit >= 3) SOFT_EQ(s.v_ecn6, 2);
            } else {
                SOFT_EQ(s.pktinfo4, fit >= 1);
                if (fit >= 1) {
                    SOFT_EQ(s.pi4.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
                    SOFT_EQ(s.pi4.ipi_ifindex, lo_index);
                }
                SOFT_EQ(s.tos, fit >= 2);
                if (fit >= 2) SOFT_EQ(s.v_tos, 0x2e);
                SOFT_EQ(s.ecn, fit >= 3);
                if (fit >= 3) SOFT_EQ(s.v_ecn, 2);
            }
            /* The source: the SOCKADDR of the family, nothing past it. */
            const unsigned char *raw = (const unsigned char *)&from;
            if (v6) {
                const SOCKADDR_IN6 *a = (const SOCKADDR_IN6 *)&from, *t = (SOCKADDR_IN6 *)&txa;
                SOFT_EQ(msg.namelen, sizeof(SOCKADDR_IN6));
                SOFT_EQ(a->sin6_family, AF_INET6);
                SOFT_EQ(a->sin6_port, t->sin6_port);
                SOFT_EQ(a->sin6_flowinfo, 0);
                SOFT_EQ(memcmp(&a->sin6_addr, &t->sin6_addr, sizeof a->sin6_addr), 0);
                SOFT_EQ(a->sin6_scope_id, 0);
                SOFT_EQ(raw[sizeof(SOCKADDR_IN6)], 0x5a);
            } else {
                const SOCKADDR_IN *a = (const SOCKADDR_IN *)&from, *t = (SOCKADDR_IN *)&txa;
                static const char zero[8];
                SOFT_EQ(msg.namelen, sizeof(SOCKADDR_IN));
                SOFT_EQ(a->sin_family, AF_INET);
                SOFT_EQ(a->sin_port, t->sin_port);
                SOFT_EQ(a->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
                SOFT_EQ(memcmp(a->sin_zero, zero, sizeof zero), 0);
                SOFT_EQ(raw[sizeof(SOCKADDR_IN)], 0x5a);
            }
        }
        /* A NULL Control.buf of length 0: the entries do not fit. */
        send_with(tx, &rxa, "null", 4, &tos, 1);
        prepare_msg(&msg, &data, buf, sizeof buf, control, 0, &from);
        msg.Control.buf = NULL;
        DWORD got = 0;
        CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAEMSGSIZE);
        SOFT_EQ(got, 4);
        SOFT_EQ(msg.dwFlags, MSG_CTRUNC);
        SOFT_EQ(msg.Control.len, 0);
        /* No source asked for (NULL name): the datagram, its entries. */
        send_with(tx, &rxa, "noname", 6, &tos, 1);
        prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
        msg.name = NULL;
        msg.namelen = 0;
        CHECK_OK(recvmsg_fn(rx, &msg, &got, NULL, NULL));
        SOFT_EQ(got, 6);
        SOFT_EQ(msg.Control.len, all);
        SOFT_EQ(msg.namelen, 0);
        closesocket(rx);
        closesocket(tx);
    }
}

/* ---- WSARecv / WSARecvFrom, blocking ------------------------------------ */

static void section_plain(void)
{
    SOCKADDR_STORAGE rxa, txa, from;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    char b1[3], b2[20];
    WSABUF two[2] = {{sizeof b1, b1}, {sizeof b2, b2}};
    DWORD got, flags;

    send_plain(tx, &rxa, "abcdefghij");
    memset(b1, 0, sizeof b1);
    memset(b2, 0, sizeof b2);
    got = 0xdeadbeef;
    flags = 0;
    CHECK_OK(WSARecv(rx, two, 2, &got, &flags, NULL, NULL));
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(got, 10);
    CHECK_EQ(flags, 0);
    CHECK(memcmp(b1, "abc", 3) == 0);
    CHECK(memcmp(b2, "defghij", 7) == 0);

    send_plain(tx, &rxa, "klmnopq");
    memset(b1, 0, sizeof b1);
    memset(b2, 0, sizeof b2);
    memset(&from, 0, sizeof from);
    int fromlen = sizeof from;
    got = 0xdeadbeef;
    flags = 0;
    CHECK_OK(WSARecvFrom(rx, two, 2, &got, &flags, (SOCKADDR *)&from, &fromlen, NULL, NULL));
    CHECK_EQ(got, 7);
    CHECK_EQ(flags, 0);
    CHECK(memcmp(b1, "klm", 3) == 0);
    CHECK(memcmp(b2, "nopq", 4) == 0);
    CHECK_EQ(fromlen, sizeof(SOCKADDR_IN));
    CHECK_EQ(from.ss_family, AF_INET);
    CHECK_EQ(port_of(&from), port_of(&txa));
    CHECK(strcmp(ip_of(&from), "127.0.0.1") == 0);
    closesocket(rx);
    closesocket(tx);
}

/* ---- S19: ICMP port unreachable reported on receive ---------------------- */

/* A loopback port nobody listens on. */
static SOCKADDR_STORAGE closed_port(void)
{
    SOCKADDR_STORAGE a;
    SOCKET s = bound_udp("127.0.0.1", &a);
    CHECK_OK(closesocket(s));
    return a;
}

static void section_icmp(void)
{
    SOCKADDR_STORAGE rxa, txa, from, dead = closed_port();
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    WSAEVENT ev = new_event();
    WSAOVERLAPPED ov;
    char b[32];
    WSABUF wb = {sizeof b, b};
    int fromlen;
    DWORD got, flags, bytes;

    /* A receive pending when the ICMP arrives completes with WSAECONNRESET. */
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    fromlen = sizeof from;
    flags = 0;
    CHECK_PENDING(WSARecvFrom(rx, &wb, 1, &got, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL));
    send_plain(rx, &dead, "nobody home"); /* the send itself succeeds (S19) */
    CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == FALSE); /* S31 */
    CHECK_EQ(WSAGetLastError(), WSAECONNRESET);                              /* S19 */
    CHECK(ov.Internal == STATUS_PORT_UNREACHABLE || ov.Internal == STATUS_CONNECTION_RESET);

    /* Reported once: the next receive pends and gets the next datagram. */
    WSAResetEvent(ev);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    memset(b, 0, sizeof b);
    fromlen = sizeof from;
    CHECK_PENDING(WSARecvFrom(rx, &wb, 1, &got, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL));
    Sleep(50);
    CHECK(!event_is_set(ev));
    send_plain(tx, &rxa, "after icmp");
    CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == TRUE);
    CHECK_EQ(bytes, 10);
    CHECK(memcmp(b, "after icmp", 10) == 0);
    CHECK_EQ(port_of(&from), port_of(&txa));

    /* The ICMP arrives while no receive is posted: the next receive call
     * (blocking) fails with WSAECONNRESET, once; WSARecvMsg likewise, and
     * an overlapped WSARecvMsg at call time (no completion comes). */
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    for (int round = 0; round < 3; round++) {
        send_plain(rx, &dead, "nobody home");
        Sleep(50);
        fromlen = sizeof from;
        if (round == 0) {
            CHECK_ERR(recvfrom(rx, b, sizeof b, 0, (SOCKADDR *)&from, &fromlen), WSAECONNRESET);
        } else {
            WSAMSG msg;
            WSABUF data;
            char control[64];
            prepare_msg(&msg, &data, b, sizeof b, control, sizeof control, &from);
            if (round == 1) {
                CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAECONNRESET);
            } else {
                WSAResetEvent(ev);
                memset(&ov, 0, sizeof ov);
                ov.hEvent = ev;
                CHECK_ERR(recvmsg_fn(rx, &msg, &got, &ov, NULL), WSAECONNRESET);
                CHECK(!event_is_set(ev));
            }
        }
        send_plain(tx, &rxa, "second");
        fromlen = sizeof from;
        memset(b, 0, sizeof b);
        int n = recvfrom(rx, b, sizeof b, 0, (SOCKADDR *)&from, &fromlen);
        CHECK_EQ(n, 6); /* not a second WSAECONNRESET */
        CHECK(memcmp(b, "second", 6) == 0);
    }

    /* SIO_UDP_CONNRESET FALSE: no error at all. */
    BOOL off = FALSE;
    CHECK_OK(WSAIoctl(rx, SIO_UDP_CONNRESET, &off, sizeof off, NULL, 0, &bytes, NULL, NULL));
    send_plain(rx, &dead, "nobody home");
    Sleep(50);
    send_plain(tx, &rxa, "third");
    fromlen = sizeof from;
    CHECK_EQ(recvfrom(rx, b, sizeof b, 0, (SOCKADDR *)&from, &fromlen), 5);
    WSACloseEvent(ev);
    closesocket(rx);
    closesocket(tx);
}

int main(int argc, char **argv)
{
    static const recv_section sections[] = {
        {"v4", section_v4},
        {"v6", section_v6},
        {"dual", section_dual},
        {"trunc", section_trunc},
        {"usual", section_usual},
        {"plain", section_plain},
        {"icmp", section_icmp},
    };
    return run_recv_section(argc, argv, "recv_paths", sections, sizeof sections / sizeof sections[0]);
}
