/* What recv_paths.c and recv_overlapped.c share: the socket set-up, the
 * sends with control data, the walk of Windows' control entries a receive
 * returned, and the WSAMSG a receive is given. */
#ifndef RECV_PATHS_H
#define RECV_PATHS_H

#include "ov_common.h"
#include <mstcpip.h>

static ULONG lo_index;

#define WAIT_MS 3000

/* ---- helpers -------------------------------------------------------------- */

/* S1: WSARecvMsg through SIO_GET_EXTENSION_FUNCTION_POINTER. */
/* A blocking UDP socket bound to ip:0 (family from the text; "::" makes a
 * dual-stack socket), SO_RCVTIMEO = WAIT_MS so a missing datagram fails
 * the check instead of hanging; its address in *bound. */
static inline SOCKET bound_udp(const char *ip, SOCKADDR_STORAGE *bound)
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

static inline void set_int_opt(SOCKET s, int level, int name, DWORD value)
{
    CHECK_OK(setsockopt(s, level, name, (const char *)&value, sizeof value));
}

static inline int addr_len(const SOCKADDR_STORAGE *a)
{
    return a->ss_family == AF_INET ? (int)sizeof(SOCKADDR_IN) : (int)sizeof(SOCKADDR_IN6);
}

/* Sends buf[0..len] from s to `to` with WSASendMsg and up to three INT
 * control entries {level, type, value} (count of them in n). */
struct ctl {
    int level, type, value;
};
static inline void send_with(SOCKET s, const SOCKADDR_STORAGE *to, const char *buf, ULONG len,
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

static inline void send_plain(SOCKET s, const SOCKADDR_STORAGE *to, const char *text)
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
static inline struct seen walk(WSAMSG *msg)
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
static inline void prepare_msg(WSAMSG *msg, WSABUF *data, char *buf, ULONG len, char *control,
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
static inline struct seen recv_expect(LPFN_WSARECVMSG fn, SOCKET rx, WSAMSG *msg, char *buf, ULONG blen,
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

/* One section of a program: its name on the command line, its body. */
typedef struct {
    const char *name;
    void (*run)(void);
} recv_section;

/* main of recv_paths.c and recv_overlapped.c: PROGRAM SECTION LO_IFINDEX
 * runs the named section of `sections` (n of them) and reports. */
static inline int run_recv_section(int argc, char **argv, const char *program,
                                   const recv_section *sections, size_t n)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SECTION LO_IFINDEX\n", argv[0]);
        return 2;
    }
    lo_index = (ULONG)strtoul(argv[2], NULL, 10);
    const recv_section *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], sections[i].name) == 0) found = &sections[i];
    if (found == NULL) {
        fprintf(stderr, "unknown section %s\n", argv[1]);
        return 2;
    }
    startup();
    found->run();
    SOFT_DONE();
    WSACleanup();
    printf("%s %s: ok\n", program, found->name);
    return 0;
}

#endif
