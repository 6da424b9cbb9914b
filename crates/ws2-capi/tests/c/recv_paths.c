/* The receive path on loopback: WSARecvMsg (blocking and overlapped) with
 * its control data in Windows layout, WSARecv/WSARecvFrom, truncation, the
 * overlapped delivery modes, cancellation by closesocket and ICMP port
 * unreachable reported on receive.
 *
 * Usage: recv_paths SECTION LO_IFINDEX. Each section is one test of
 * c_recv.rs; within a section the control-data checks are SOFT_EQ, so one
 * run reports every mismatch of that section.
 * Clauses: S19 S22 S27 S28 S29 S30 S31 S33 S36 S37. */
#include "ov_common.h"
#include "cr_record.h"
#include <mstcpip.h>

static ULONG lo_index;

#define WAIT_MS 3000

/* ---- helpers -------------------------------------------------------------- */

/* S1: WSARecvMsg through SIO_GET_EXTENSION_FUNCTION_POINTER. */
/* A blocking UDP socket bound to ip:0 (family from the text; "::" makes a
 * dual-stack socket), SO_RCVTIMEO = WAIT_MS so a missing datagram fails
 * the check instead of hanging; its address in *bound. */
static SOCKET bound_udp(const char *ip, SOCKADDR_STORAGE *bound)
{
    int v6 = strchr(ip, ':') != NULL;
    SOCKET s;
    CHECK_SOCKET(s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    SOCKADDR_STORAGE a;
    memset(&a, 0, sizeof a);
    int alen;
    if (v6) {
        DWORD off = 0;
        if (strcmp(ip, "::") == 0)
            CHECK_OK(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&off, sizeof off));
        *(SOCKADDR_IN6 *)&a = addr6(ip, 0);
        alen = sizeof(SOCKADDR_IN6);
    } else {
        *(SOCKADDR_IN *)&a = addr4(ip, 0);
        alen = sizeof(SOCKADDR_IN);
    }
    CHECK_OK(bind(s, (SOCKADDR *)&a, alen));
    DWORD timeout = WAIT_MS;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof timeout));
    int blen = sizeof *bound;
    memset(bound, 0, sizeof *bound);
    CHECK_OK(getsockname(s, (SOCKADDR *)bound, &blen));
    CHECK(port_of(bound) != 0);
    return s;
}

static void set_int_opt(SOCKET s, int level, int name, DWORD value)
{
    CHECK_OK(setsockopt(s, level, name, (const char *)&value, sizeof value));
}

static int addr_len(const SOCKADDR_STORAGE *a)
{
    return a->ss_family == AF_INET ? (int)sizeof(SOCKADDR_IN) : (int)sizeof(SOCKADDR_IN6);
}

/* Sends buf[0..len] from s to `to` with WSASendMsg and up to three INT
 * control entries {level, type, value} (count of them in n). */
struct ctl {
    int level, type, value;
};
static void send_with(SOCKET s, const SOCKADDR_STORAGE *to, const char *buf, ULONG len,
                      const struct ctl *ctls, int n)
{
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    char control[3 * WSA_CMSG_SPACE(sizeof(INT))];
    memset(control, 0, sizeof control);
    WSABUF b = {len, (CHAR *)buf};
    WSAMSG msg;
    memset(&msg, 0, sizeof msg);
    msg.name = (LPSOCKADDR)(void *)to;
    msg.namelen = addr_len(to);
    msg.lpBuffers = &b;
    msg.dwBufferCount = 1;
    msg.Control.buf = n ? control : NULL;
    msg.Control.len = n ? (ULONG)(n * WSA_CMSG_SPACE(sizeof(INT))) : 0;
    WSACMSGHDR *c = n ? WSA_CMSG_FIRSTHDR(&msg) : NULL;
    for (int i = 0; i < n; i++) {
        CHECK(c != NULL);
        c->cmsg_len = WSA_CMSG_LEN(sizeof(INT));
        c->cmsg_level = ctls[i].level;
        c->cmsg_type = ctls[i].type;
        memcpy(WSA_CMSG_DATA(c), &ctls[i].value, sizeof(INT));
        c = WSA_CMSG_NXTHDR(&msg, c);
    }
    DWORD sent = 0;
    CHECK_OK(fn(s, &msg, 0, &sent, NULL, NULL));
    CHECK_EQ(sent, len);
}

static void send_plain(SOCKET s, const SOCKADDR_STORAGE *to, const char *text)
{
    send_with(s, to, text, (ULONG)strlen(text), NULL, 0);
}

/* What a walk of a received Control found. Each slot counts the entries of
 * that kind; the values are of the last one. */
struct seen {
    int entries, unknown, bad_len;
    int pktinfo4, pktinfo6, tos, ecn, ttl, tclass, ecn6, hoplimit;
    IN_PKTINFO pi4;
    IN6_PKTINFO pi6;
    INT v_tos, v_ecn, v_ttl, v_tclass, v_ecn6, v_hoplimit;
    size_t end; /* offset just past the last entry, padded (WSA_CMSG_SPACE) */
};

/* Walks msg->Control exactly as a Windows program does (S22 S27). */
static struct seen walk(WSAMSG *msg)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    for (WSACMSGHDR *c = WSA_CMSG_FIRSTHDR(msg); c != NULL; c = WSA_CMSG_NXTHDR(msg, c)) {
        s.entries++;
        size_t payload = 0;
        void *data = WSA_CMSG_DATA(c);
        INT v = 0;
        memcpy(&v, data, sizeof v);
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            payload = sizeof(IN_PKTINFO);
            s.pktinfo4++;
            memcpy(&s.pi4, data, sizeof s.pi4);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            payload = sizeof(IN6_PKTINFO);
            s.pktinfo6++;
            memcpy(&s.pi6, data, sizeof s.pi6);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
            payload = sizeof(INT), s.tos++, s.v_tos = v;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_ECN) {
            payload = sizeof(INT), s.ecn++, s.v_ecn = v;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
            payload = sizeof(INT), s.ttl++, s.v_ttl = v;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
            payload = sizeof(INT), s.tclass++, s.v_tclass = v;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_ECN) {
            payload = sizeof(INT), s.ecn6++, s.v_ecn6 = v;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
            payload = sizeof(INT), s.hoplimit++, s.v_hoplimit = v;
        } else {
            fprintf(stderr, "unexpected control entry level %d type %d len %zu\n", c->cmsg_level,
                    c->cmsg_type, (size_t)c->cmsg_len);
            s.unknown++;
        }
        if (payload && c->cmsg_len != WSA_CMSG_LEN(payload)) {
            fprintf(stderr, "entry level %d type %d: cmsg_len %zu, expected WSA_CMSG_LEN(%zu) = %zu\n",
                    c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len, payload,
                    (size_t)WSA_CMSG_LEN(payload));
            s.bad_len++;
        }
        s.end = (size_t)((char *)c - msg->Control.buf) + WSA_CMSGHDR_ALIGN(c->cmsg_len);
    }
    return s;
}

/* A WSAMSG over one data buffer and a control buffer (filled with 0xEE so
 * stale bytes show), source into *from. */
static void prepare_msg(WSAMSG *msg, WSABUF *data, char *buf, ULONG len, char *control,
                        ULONG clen, SOCKADDR_STORAGE *from)
{
    memset(msg, 0, sizeof *msg);
    memset(buf, 0, len);
    memset(control, 0xEE, clen);
    memset(from, 0, sizeof *from);
    data->buf = buf;
    data->len = len;
    msg->name = (LPSOCKADDR)from;
    msg->namelen = sizeof *from;
    msg->lpBuffers = data;
    msg->dwBufferCount = 1;
    msg->Control.buf = control;
    msg->Control.len = clen;
    msg->dwFlags = 0;
}

/* Receives one datagram with a blocking WSARecvMsg into buf/control and
 * checks it is `text` from src_ip at txa's port (namelen of that family),
 * dwFlags 0; returns the walk of its Control. */
static struct seen recv_expect(LPFN_WSARECVMSG fn, SOCKET rx, WSAMSG *msg, char *buf, ULONG blen,
                               char *control, ULONG clen, const char *text,
                               const SOCKADDR_STORAGE *txa, const char *src_ip)
{
    static WSABUF data;
    static SOCKADDR_STORAGE from;
    prepare_msg(msg, &data, buf, blen, control, clen, &from);
    DWORD got = 0xdeadbeef;
    CHECK_OK(fn(rx, msg, &got, NULL, NULL)); /* S27 */
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(got, strlen(text));
    CHECK(memcmp(buf, text, got) == 0);
    int v6 = strchr(src_ip, ':') != NULL;
    SOFT_EQ(msg->namelen, v6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN));
    SOFT_EQ(from.ss_family, v6 ? AF_INET6 : AF_INET);
    SOFT_EQ(port_of(&from), port_of(txa));
    if (strcmp(ip_of(&from), src_ip) != 0) {
        fprintf(stderr, "source %s, expected %s\n", ip_of(&from), src_ip);
        SOFT_EQ(0, 1);
    }
    SOFT_EQ(msg->dwFlags, 0);
    return walk(msg);
}

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

/* ---- overlapped: event mode ---------------------------------------------- */

static void section_ov_event(void)
{
    SOCKADDR_STORAGE rxa, txa, from;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    set_int_opt(rx, IPPROTO_IP, IP_PKTINFO, 1);
    WSAEVENT ev = new_event();
    WSAOVERLAPPED ov;
    WSAMSG msg;
    WSABUF data;
    char buf[64], control[128];
    DWORD got, bytes, flags;

    /* Deferred: the datagram arrives after the call (S30 S31). */
    prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    got = 0xdeadbeef;
    CHECK_PENDING(recvmsg_fn(rx, &msg, &got, &ov, NULL)); /* S30 */
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);             /* S30 */
    CHECK(!event_is_set(ev));
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == FALSE); /* S31 */
    CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
    send_plain(tx, &rxa, "later");
    CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0); /* S31 */
    bytes = 0;
    flags = 0xdead;
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == TRUE);
    CHECK_EQ(bytes, 5);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 5);
    CHECK_EQ(got, 0xdeadbeef); /* S30: not written for a deferred completion */
    CHECK(memcmp(buf, "later", 5) == 0);
    SOFT_EQ(msg.namelen, sizeof(SOCKADDR_IN));
    SOFT_EQ(port_of(&from), port_of(&txa));
    SOFT_EQ(strcmp(ip_of(&from), "127.0.0.1"), 0);
    SOFT_EQ(msg.dwFlags, 0);
    {
        struct seen s = walk(&msg);
        SOFT_EQ(s.entries, 1);
        SOFT_EQ(s.pktinfo4, 1);
        SOFT_EQ(s.bad_len, 0);
        SOFT_EQ(s.pi4.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
        SOFT_EQ(s.pi4.ipi_ifindex, lo_index);
        SOFT_EQ(msg.Control.len, WSA_CMSG_SPACE(sizeof(IN_PKTINFO)));
    }

    /* Immediate: a datagram already waiting (S29). */
    send_plain(tx, &rxa, "waiting!");
    Sleep(20);
    WSAResetEvent(ev);
    prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    got = 0xdeadbeef;
    CHECK_EQ(recvmsg_fn(rx, &msg, &got, &ov, NULL), 0); /* S29 */
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(got, 8);
    CHECK(event_is_set(ev)); /* S29: still delivered */
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 8);
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, FALSE, &flags) == TRUE);
    CHECK_EQ(bytes, 8);
    CHECK(memcmp(buf, "waiting!", 8) == 0);
    SOFT_EQ(port_of(&from), port_of(&txa));
    SOFT_EQ(msg.Control.len, WSA_CMSG_SPACE(sizeof(IN_PKTINFO)));
    SOFT_EQ(walk(&msg).pktinfo4, 1);

    /* WSARecvFrom overlapped, deferred: lpFrom and lpFlags filled at completion. */
    char b[16];
    WSABUF wb = {sizeof b, b};
    int fromlen = sizeof from;
    memset(&from, 0, sizeof from);
    flags = 0;
    WSAResetEvent(ev);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    CHECK_PENDING(WSARecvFrom(rx, &wb, 1, &got, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL));
    send_plain(tx, &rxa, "from?");
    CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(rx, &ov, &bytes, TRUE, &flags) == TRUE);
    CHECK_EQ(bytes, 5);
    CHECK(memcmp(b, "from?", 5) == 0);
    SOFT_EQ(fromlen, sizeof(SOCKADDR_IN));
    SOFT_EQ(port_of(&from), port_of(&txa));
    SOFT_EQ(flags, 0);
    WSACloseEvent(ev);
    closesocket(rx);
    closesocket(tx);
}

/* ---- overlapped: completion routine -------------------------------------- */


#define MARKER ((HANDLE)(UINT_PTR)0x5eed0000u)

static void section_ov_routine(void)
{
    SOCKADDR_STORAGE rxa, txa, from;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    char b[16];
    WSABUF wb = {sizeof b, b};
    int fromlen = sizeof from;
    DWORD got = 0xdeadbeef, flags = 0;
    WSAOVERLAPPED ov;

    reset_routine();
    memset(&from, 0, sizeof from);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = MARKER; /* S32: the caller's own context */
    CHECK_PENDING(
        WSARecvFrom(rx, &wb, 1, &got, &flags, (SOCKADDR *)&from, &fromlen, &ov, routine));
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
    send_plain(tx, &rxa, "routine");
    Sleep(50);
    CHECK_EQ(cr_runs, 0); /* S33: only in an alertable wait */
    CHECK_EQ(SleepEx(WAIT_MS, TRUE), WAIT_IO_COMPLETION); /* S33 */
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_err, 0);
    CHECK_EQ(cr_bytes, 7);
    CHECK(cr_ov == &ov);
    CHECK_EQ(cr_flags, 0);
    CHECK(ov.hEvent == MARKER); /* S32 */
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 7);
    CHECK(memcmp(b, "routine", 7) == 0);
    SOFT_EQ(fromlen, sizeof(SOCKADDR_IN));
    SOFT_EQ(port_of(&from), port_of(&txa));
    CHECK_EQ(SleepEx(0, TRUE), 0); /* exactly once */
    CHECK_EQ(cr_runs, 1);

    /* Immediate completion still queues the routine (S29). */
    send_plain(tx, &rxa, "queued");
    Sleep(20);
    reset_routine();
    memset(&ov, 0, sizeof ov);
    got = 0xdeadbeef;
    CHECK_EQ(WSARecv(rx, &wb, 1, &got, &flags, &ov, routine), 0);
    CHECK_EQ(got, 6);
    CHECK_EQ(cr_runs, 0);
    CHECK_EQ(SleepEx(WAIT_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_bytes, 6);
    CHECK_EQ(cr_err, 0);
    closesocket(rx);
    closesocket(tx);
}

/* ---- overlapped: completion port ----------------------------------------- */

#define KEY 0x5151abcdu

static void get_packet(HANDLE port, DWORD *bytes, ULONG_PTR *key, LPOVERLAPPED *pov)
{
    *bytes = 0xdead;
    *key = 0;
    *pov = NULL;
    CHECK(GetQueuedCompletionStatus(port, bytes, key, pov, WAIT_MS) == TRUE); /* S36 */
}

static void section_ov_port(void)
{
    SOCKADDR_STORAGE rxa, txa;
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    SOCKET tx = bound_udp("127.0.0.1", &txa);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)rx, port, KEY, 0) == port);
    char b[16];
    WSABUF wb = {sizeof b, b};
    DWORD got = 0xdeadbeef, flags = 0, bytes;
    ULONG_PTR key;
    LPOVERLAPPED pov;
    WSAOVERLAPPED ov;

    memset(&ov, 0, sizeof ov);
    CHECK_PENDING(WSARecv(rx, &wb, 1, &got, &flags, &ov, NULL));
    CHECK_HEX_EQ(ov.Internal, STATUS_PENDING);
    send_plain(tx, &rxa, "to port");
    get_packet(port, &bytes, &key, &pov);
    CHECK_EQ(bytes, 7);
    CHECK_EQ(key, KEY);
    CHECK(pov == &ov);
    CHECK(memcmp(b, "to port", 7) == 0);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);

    /* Immediate completion: return 0 and still a packet (S29). */
    send_plain(tx, &rxa, "ready");
    Sleep(20);
    memset(&ov, 0, sizeof ov);
    CHECK_EQ(WSARecv(rx, &wb, 1, &got, &flags, &ov, NULL), 0);
    CHECK_EQ(got, 5);
    get_packet(port, &bytes, &key, &pov);
    CHECK_EQ(bytes, 5);
    CHECK(pov == &ov);

    /* Several pending: completed in call order, datagrams in arrival order. */
    enum { N = 6 };
    WSAOVERLAPPED ovs[N];
    char bufs[N][16];
    WSABUF wbs[N];
    for (int i = 0; i < N; i++) {
        memset(&ovs[i], 0, sizeof ovs[i]);
        memset(bufs[i], 0, sizeof bufs[i]);
        wbs[i].buf = bufs[i];
        wbs[i].len = sizeof bufs[i];
        flags = 0;
        CHECK_PENDING(WSARecv(rx, &wbs[i], 1, &got, &flags, &ovs[i], NULL));
    }
    for (int i = 0; i < N; i++) {
        char text[16];
        snprintf(text, sizeof text, "dgram %d", i);
        send_plain(tx, &rxa, text);
    }
    for (int i = 0; i < N; i++) {
        get_packet(port, &bytes, &key, &pov);
        CHECK(pov == &ovs[i]); /* call order */
        CHECK_EQ(bytes, 7);
    }
    for (int i = 0; i < N; i++) {
        char text[16];
        snprintf(text, sizeof text, "dgram %d", i);
        CHECK(memcmp(bufs[i], text, 7) == 0); /* arrival order */
    }
    closesocket(rx);
    closesocket(tx);
    CloseHandle(port);
}

/* ---- S37: closesocket with receives pending ------------------------------ */

static void section_ov_close(void)
{
    SOCKADDR_STORAGE rxa, from;
    DWORD got = 0xdeadbeef, flags = 0, bytes;
    char b[16];
    WSABUF wb = {sizeof b, b};

    /* event mode */
    SOCKET rx = bound_udp("127.0.0.1", &rxa);
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    WSAEVENT ev = new_event();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    WSAMSG msg;
    WSABUF data;
    char buf[16], control[64];
    prepare_msg(&msg, &data, buf, sizeof buf, control, sizeof control, &from);
    CHECK_PENDING(recvmsg_fn(rx, &msg, &got, &ov, NULL));
    CHECK_OK(closesocket(rx));
    CHECK_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED); /* S37 */
    CHECK_EQ(ov.InternalHigh, 0);

    /* completion routine mode */
    rx = bound_udp("127.0.0.1", &rxa);
    reset_routine();
    memset(&ov, 0, sizeof ov);
    CHECK_PENDING(WSARecv(rx, &wb, 1, &got, &flags, &ov, routine));
    CHECK_OK(closesocket(rx));
    CHECK_EQ(SleepEx(WAIT_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_err, WSA_OPERATION_ABORTED); /* S37 */
    CHECK_EQ(cr_bytes, 0);
    CHECK(cr_ov == &ov);
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);

    /* completion port */
    rx = bound_udp("127.0.0.1", &rxa);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)rx, port, KEY, 0) == port);
    memset(&ov, 0, sizeof ov);
    CHECK_PENDING(WSARecv(rx, &wb, 1, &got, &flags, &ov, NULL));
    CHECK_OK(closesocket(rx));
    ULONG_PTR key = 0;
    LPOVERLAPPED pov = NULL;
    bytes = 0xdead;
    SetLastError(0);
    CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &pov, WAIT_MS) == FALSE); /* S36 */
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK(pov == &ov);
    CHECK_EQ(key, KEY);
    CHECK_HEX_EQ(ov.Internal, STATUS_CANCELLED);
    CloseHandle(port);
    WSACloseEvent(ev);
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
     * (blocking) fails with WSAECONNRESET, once; WSARecvMsg likewise. */
    LPFN_WSARECVMSG recvmsg_fn = get_wsarecvmsg(rx);
    for (int round = 0; round < 2; round++) {
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
            CHECK_ERR(recvmsg_fn(rx, &msg, &got, NULL, NULL), WSAECONNRESET);
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
    if (argc != 3) {
        fprintf(stderr, "usage: %s SECTION LO_IFINDEX\n", argv[0]);
        return 2;
    }
    lo_index = (ULONG)strtoul(argv[2], NULL, 10);
    startup();
    const char *sec = argv[1];
    if (strcmp(sec, "v4") == 0) section_v4();
    else if (strcmp(sec, "v6") == 0) section_v6();
    else if (strcmp(sec, "dual") == 0) section_dual();
    else if (strcmp(sec, "trunc") == 0) section_trunc();
    else if (strcmp(sec, "usual") == 0) section_usual();
    else if (strcmp(sec, "plain") == 0) section_plain();
    else if (strcmp(sec, "ov_event") == 0) section_ov_event();
    else if (strcmp(sec, "ov_routine") == 0) section_ov_routine();
    else if (strcmp(sec, "ov_port") == 0) section_ov_port();
    else if (strcmp(sec, "ov_close") == 0) section_ov_close();
    else if (strcmp(sec, "icmp") == 0) section_icmp();
    else {
        fprintf(stderr, "unknown section %s\n", sec);
        return 2;
    }
    SOFT_DONE();
    WSACleanup();
    printf("recv_paths %s: ok\n", sec);
    return 0;
}
