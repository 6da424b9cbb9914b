/* Helpers for ws2's C conformance tests.
 *
 * Every check prints file:line, what failed and the current
 * WSAGetLastError() value, then exits 1. The programs use the headers
 * exactly as a Windows program would; nothing here is Linux-specific
 * except that timing uses C11 timespec_get.
 */
#ifndef WS2_TEST_COMMON_H
#define WS2_TEST_COMMON_H

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline const char *wsa_err_name(int e)
{
    switch (e) {
    case 0: return "0";
    case WSAEINTR: return "WSAEINTR";
    case WSAEACCES: return "WSAEACCES";
    case WSAEFAULT: return "WSAEFAULT";
    case WSAEINVAL: return "WSAEINVAL";
    case WSAEWOULDBLOCK: return "WSAEWOULDBLOCK";
    case WSAEINPROGRESS: return "WSAEINPROGRESS";
    case WSAENOTSOCK: return "WSAENOTSOCK";
    case WSAEMSGSIZE: return "WSAEMSGSIZE";
    case WSAEOPNOTSUPP: return "WSAEOPNOTSUPP";
    case WSAEAFNOSUPPORT: return "WSAEAFNOSUPPORT";
    case WSAEADDRNOTAVAIL: return "WSAEADDRNOTAVAIL";
    case WSAENETDOWN: return "WSAENETDOWN";
    case WSAENETUNREACH: return "WSAENETUNREACH";
    case WSAENETRESET: return "WSAENETRESET";
    case WSAECONNRESET: return "WSAECONNRESET";
    case WSAENOBUFS: return "WSAENOBUFS";
    case WSAENOTCONN: return "WSAENOTCONN";
    case WSAESHUTDOWN: return "WSAESHUTDOWN";
    case WSAETIMEDOUT: return "WSAETIMEDOUT";
    case WSAEHOSTUNREACH: return "WSAEHOSTUNREACH";
    case WSANOTINITIALISED: return "WSANOTINITIALISED";
    case WSAEALREADY: return "WSAEALREADY";
    case WSAENOPROTOOPT: return "WSAENOPROTOOPT";
    case WSAEADDRINUSE: return "WSAEADDRINUSE";
    case WSAECONNABORTED: return "WSAECONNABORTED";
    case WSAEISCONN: return "WSAEISCONN";
    case WSAECONNREFUSED: return "WSAECONNREFUSED";
    case WSATRY_AGAIN: return "WSATRY_AGAIN";
    default: return "?";
    }
}

static inline void ws2t_fail(const char *file, int line, const char *what, int err)
{
    fprintf(stderr, "%s:%d: %s (WSAGetLastError()=%d %s)\n", file, line, what, err,
            wsa_err_name(err));
    fflush(stdout);
    exit(1);
}

#define FAIL(what) ws2t_fail(__FILE__, __LINE__, (what), WSAGetLastError())

/* CHECK(cond): cond must hold. */
#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            int ws2t_e_ = WSAGetLastError();                                           \
            ws2t_fail(__FILE__, __LINE__, "CHECK(" #cond ") failed", ws2t_e_);        \
        }                                                                              \
    } while (0)

/* CHECK_EQ(a, b): two integer values must be equal (both are printed). */
#define CHECK_EQ(a, b)                                                                 \
    do {                                                                               \
        long long ws2t_a_ = (long long)(a), ws2t_b_ = (long long)(b);                  \
        if (ws2t_a_ != ws2t_b_) {                                                      \
            int ws2t_e_ = WSAGetLastError();                                           \
            char ws2t_m_[512];                                                         \
            snprintf(ws2t_m_, sizeof ws2t_m_, "CHECK_EQ(%s, %s) failed: %lld != %lld", \
                     #a, #b, ws2t_a_, ws2t_b_);                                        \
            ws2t_fail(__FILE__, __LINE__, ws2t_m_, ws2t_e_);                           \
        }                                                                              \
    } while (0)

/* The last-error checks: each sets the last error to LAST_ERROR_SENTINEL
 * and evaluates expr, which must equal want; SETS then expects the last
 * error to have become code, KEEPS expects it untouched. */
#define LAST_ERROR_SENTINEL 0xdeadbeefu
#define SETS(expr, want, code)                                                         \
    do {                                                                               \
        SetLastError(LAST_ERROR_SENTINEL);                                             \
        long long ws2t_v_ = (long long)(expr);                                         \
        CHECK_EQ(ws2t_v_, (long long)(want));                                          \
        CHECK_EQ(GetLastError(), (DWORD)(code));                                       \
    } while (0)
#define KEEPS(expr, want) SETS(expr, want, LAST_ERROR_SENTINEL)

/* CHECK_OK(call): an int-returning Winsock call must not return SOCKET_ERROR. */
#define CHECK_OK(call)                                                                 \
    do {                                                                               \
        int ws2t_r_ = (call);                                                          \
        if (ws2t_r_ == SOCKET_ERROR) {                                                 \
            int ws2t_e_ = WSAGetLastError();                                           \
            ws2t_fail(__FILE__, __LINE__, #call " failed", ws2t_e_);                   \
        }                                                                              \
    } while (0)

/* CHECK_ERR(call, code): an int-returning Winsock call must return
 * SOCKET_ERROR with WSAGetLastError() == code. */
#define CHECK_ERR(call, code)                                                          \
    do {                                                                               \
        WSASetLastError(0x5eed);                                                       \
        int ws2t_r_ = (call);                                                          \
        int ws2t_e_ = WSAGetLastError();                                               \
        if (ws2t_r_ != SOCKET_ERROR || ws2t_e_ != (code)) {                            \
            char ws2t_m_[512];                                                         \
            snprintf(ws2t_m_, sizeof ws2t_m_,                                          \
                     "%s: expected SOCKET_ERROR/%s(%d), got return %d", #call, #code,  \
                     (int)(code), ws2t_r_);                                            \
            ws2t_fail(__FILE__, __LINE__, ws2t_m_, ws2t_e_);                           \
        }                                                                              \
    } while (0)

/* CHECK_SOCKET(s = socket(...)): the call must return a valid SOCKET. */
#define CHECK_SOCKET(expr)                                                             \
    do {                                                                               \
        if ((expr) == INVALID_SOCKET) {                                                \
            int ws2t_e_ = WSAGetLastError();                                           \
            ws2t_fail(__FILE__, __LINE__, #expr " returned INVALID_SOCKET", ws2t_e_);  \
        }                                                                              \
    } while (0)

/* ---- time ---------------------------------------------------------------- */

static inline double now_ms(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- startup and the extension function --------------------------------- */

static inline void startup(void)
{
    WSADATA wsa;
    int r = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (r != 0) {
        fprintf(stderr, "WSAStartup failed: %d\n", r);
        exit(1);
    }
}

/* S1: WSASendMsg through SIO_GET_EXTENSION_FUNCTION_POINTER. */
#define get_wsasendmsg(s) ws2t_get_wsasendmsg((s), __FILE__, __LINE__)
static inline LPFN_WSASENDMSG ws2t_get_wsasendmsg(SOCKET s, const char *file, int line)
{
    GUID guid = WSAID_WSASENDMSG;
    LPFN_WSASENDMSG fn = NULL;
    DWORD bytes = 0xdead;
    int r = WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn,
                     sizeof fn, &bytes, NULL, NULL);
    int e = WSAGetLastError();
    if (r != 0) ws2t_fail(file, line, "WSAIoctl(WSAID_WSASENDMSG) != 0", e);
    if (bytes != sizeof(void *)) ws2t_fail(file, line, "WSAIoctl: bytes != sizeof(void*)", e);
    if (fn == NULL) ws2t_fail(file, line, "WSAIoctl: WSASendMsg pointer is NULL", e);
    return fn;
}

/* S27: WSARecvMsg through SIO_GET_EXTENSION_FUNCTION_POINTER. */
#define get_wsarecvmsg(s) ws2t_get_wsarecvmsg((s), __FILE__, __LINE__)
static inline LPFN_WSARECVMSG ws2t_get_wsarecvmsg(SOCKET s, const char *file, int line)
{
    GUID guid = WSAID_WSARECVMSG;
    LPFN_WSARECVMSG fn = NULL;
    DWORD bytes = 0xdead;
    int r = WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn,
                     sizeof fn, &bytes, NULL, NULL);
    int e = WSAGetLastError();
    if (r != 0) ws2t_fail(file, line, "WSAIoctl(WSAID_WSARECVMSG) != 0", e);
    if (bytes != sizeof(void *)) ws2t_fail(file, line, "WSAIoctl: bytes != sizeof(void*)", e);
    if (fn == NULL) ws2t_fail(file, line, "WSAIoctl: WSARecvMsg pointer is NULL", e);
    return fn;
}

/* ---- addresses ------------------------------------------------------------ */

#define addr4(ip, port) ws2t_addr4((ip), (port), __FILE__, __LINE__)
static inline SOCKADDR_IN ws2t_addr4(const char *ip, unsigned port, const char *file, int line)
{
    SOCKADDR_IN a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((u_short)port);
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) ws2t_fail(file, line, "inet_pton(AF_INET)", 0);
    return a;
}

#define addr6(ip, port) ws2t_addr6((ip), (port), __FILE__, __LINE__)
static inline SOCKADDR_IN6 ws2t_addr6(const char *ip, unsigned port, const char *file, int line)
{
    SOCKADDR_IN6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((u_short)port);
    if (inet_pton(AF_INET6, ip, &a.sin6_addr) != 1) ws2t_fail(file, line, "inet_pton(AF_INET6)", 0);
    return a;
}

/* The IP address of a SOCKADDR_STORAGE as text (static buffer). */
static inline const char *ip_of(const SOCKADDR_STORAGE *ss)
{
    static char buf[64];
    const void *p = NULL;
    if (ss->ss_family == AF_INET)
        p = &((const SOCKADDR_IN *)ss)->sin_addr;
    else if (ss->ss_family == AF_INET6)
        p = &((const SOCKADDR_IN6 *)ss)->sin6_addr;
    if (p == NULL || inet_ntop(ss->ss_family, p, buf, sizeof buf) == NULL)
        snprintf(buf, sizeof buf, "<family %d>", (int)ss->ss_family);
    return buf;
}

static inline unsigned port_of(const SOCKADDR_STORAGE *ss)
{
    if (ss->ss_family == AF_INET) return ntohs(((const SOCKADDR_IN *)ss)->sin_port);
    if (ss->ss_family == AF_INET6) return ntohs(((const SOCKADDR_IN6 *)ss)->sin6_port);
    return 0;
}

/* ---- receivers ------------------------------------------------------------ */

/* A non-blocking UDP socket bound to ip:0 (family from the text); its bound
 * address is written to *bound. */
#define udp_receiver(ip, bound) ws2t_udp_receiver((ip), (bound), __FILE__, __LINE__)
static inline SOCKET ws2t_udp_receiver(const char *ip, SOCKADDR_STORAGE *bound, const char *file,
                                       int line)
{
    int v6 = strchr(ip, ':') != NULL;
    SOCKET s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET) ws2t_fail(file, line, "receiver socket()", WSAGetLastError());
    SOCKADDR_STORAGE a;
    memset(&a, 0, sizeof a);
    int alen;
    if (v6) {
        *(SOCKADDR_IN6 *)&a = ws2t_addr6(ip, 0, file, line);
        alen = sizeof(SOCKADDR_IN6);
    } else {
        *(SOCKADDR_IN *)&a = ws2t_addr4(ip, 0, file, line);
        alen = sizeof(SOCKADDR_IN);
    }
    if (bind(s, (SOCKADDR *)&a, alen) == SOCKET_ERROR)
        ws2t_fail(file, line, "receiver bind()", WSAGetLastError());
    u_long one = 1;
    if (ioctlsocket(s, FIONBIO, &one) == SOCKET_ERROR)
        ws2t_fail(file, line, "receiver ioctlsocket(FIONBIO)", WSAGetLastError());
    int blen = sizeof *bound;
    memset(bound, 0, sizeof *bound);
    if (getsockname(s, (SOCKADDR *)bound, &blen) == SOCKET_ERROR)
        ws2t_fail(file, line, "receiver getsockname()", WSAGetLastError());
    if (port_of(bound) == 0) ws2t_fail(file, line, "receiver has port 0", 0);
    return s;
}

/* Waits up to timeout_ms for one datagram on a non-blocking socket.
 * Returns its length, or -1 on timeout. */
static inline int recv_wait(SOCKET s, char *buf, int len, SOCKADDR_STORAGE *from, int timeout_ms)
{
    double deadline = now_ms() + timeout_ms;
    for (;;) {
        int flen = sizeof *from;
        memset(from, 0, sizeof *from);
        int n = recvfrom(s, buf, len, 0, (SOCKADDR *)from, &flen);
        if (n != SOCKET_ERROR) return n;
        int e = WSAGetLastError();
        if (e != WSAEWOULDBLOCK) {
            fprintf(stderr, "recvfrom failed: %d %s\n", e, wsa_err_name(e));
            exit(1);
        }
        if (now_ms() > deadline) return -1;
        Sleep(2);
    }
}

/* The next datagram on rx must be exactly data[0..len] from source_ip. */
#define EXPECT_DGRAM(rx, data, len, source_ip)                                        \
    ws2t_expect_dgram((rx), (data), (len), (source_ip), __FILE__, __LINE__)
static inline void ws2t_expect_dgram(SOCKET rx, const void *data, int len, const char *source_ip,
                                     const char *file, int line)
{
    static char buf[70000];
    SOCKADDR_STORAGE from;
    int n = recv_wait(rx, buf, sizeof buf, &from, 3000);
    char m[512];
    if (n < 0) ws2t_fail(file, line, "expected datagram did not arrive within 3 s", 0);
    if (n != len) {
        snprintf(m, sizeof m, "datagram of %d bytes, expected %d", n, len);
        ws2t_fail(file, line, m, 0);
    }
    if (len > 0 && memcmp(buf, data, (size_t)len) != 0)
        ws2t_fail(file, line, "datagram payload differs", 0);
    if (source_ip != NULL) {
        /* A v4-mapped source on an AF_INET6 receiver counts as the v4 address. */
        const char *got = ip_of(&from);
        const char *cmp = got;
        if (strncmp(got, "::ffff:", 7) == 0 && strchr(source_ip, ':') == NULL) cmp = got + 7;
        if (strcmp(cmp, source_ip) != 0) {
            snprintf(m, sizeof m, "datagram came from %s, expected %s", got, source_ip);
            ws2t_fail(file, line, m, 0);
        }
    }
}

/* Nothing may be waiting on rx (after a short grace period). */
#define EXPECT_NOTHING(rx) ws2t_expect_nothing((rx), __FILE__, __LINE__)
static inline void ws2t_expect_nothing(SOCKET rx, const char *file, int line)
{
    static char buf[70000];
    SOCKADDR_STORAGE from;
    int n = recv_wait(rx, buf, sizeof buf, &from, 100);
    if (n >= 0) {
        char m[256];
        snprintf(m, sizeof m, "unexpected datagram of %d bytes from %s", n, ip_of(&from));
        ws2t_fail(file, line, m, 0);
    }
}

/* ---- control data --------------------------------------------------------- */

typedef struct {
    _Alignas(8) char buf[512];
    ULONG len; /* bytes used, padded to WSA_CMSG_SPACE */
} ctlbuf;

/* Appends one entry (cmsg_len = WSA_CMSG_LEN(n), advances by WSA_CMSG_SPACE(n)). */
static inline WSACMSGHDR *ctl_add(ctlbuf *c, int level, int type, const void *data, size_t n)
{
    WSACMSGHDR *h = (WSACMSGHDR *)(void *)(c->buf + c->len);
    memset(h, 0, WSA_CMSG_SPACE(n));
    h->cmsg_len = WSA_CMSG_LEN(n);
    h->cmsg_level = level;
    h->cmsg_type = type;
    if (n > 0) memcpy(WSA_CMSG_DATA(h), data, n);
    c->len += (ULONG)WSA_CMSG_SPACE(n);
    return h;
}

#define pktinfo4(ip) ws2t_pktinfo4((ip), __FILE__, __LINE__)
static inline IN_PKTINFO ws2t_pktinfo4(const char *ip, const char *file, int line)
{
    IN_PKTINFO p;
    memset(&p, 0, sizeof p);
    if (inet_pton(AF_INET, ip, &p.ipi_addr) != 1) ws2t_fail(file, line, "inet_pton(pktinfo4)", 0);
    p.ipi_ifindex = 0;
    return p;
}

#define pktinfo6(ip) ws2t_pktinfo6((ip), __FILE__, __LINE__)
static inline IN6_PKTINFO ws2t_pktinfo6(const char *ip, const char *file, int line)
{
    IN6_PKTINFO p;
    memset(&p, 0, sizeof p);
    if (inet_pton(AF_INET6, ip, &p.ipi6_addr) != 1) ws2t_fail(file, line, "inet_pton(pktinfo6)", 0);
    p.ipi6_ifindex = 0;
    return p;
}

/* One WSAMSG send through fn; returns WSASendMsg's result. */
static inline int send_msg(LPFN_WSASENDMSG fn, SOCKET s, const void *to, int tolen, WSABUF *bufs,
                           DWORD nbufs, const ctlbuf *ctl, DWORD flags, DWORD *sent)
{
    WSAMSG msg;
    memset(&msg, 0, sizeof msg);
    msg.name = (LPSOCKADDR)(void *)to;
    msg.namelen = tolen;
    msg.lpBuffers = bufs;
    msg.dwBufferCount = nbufs;
    if (ctl != NULL && ctl->len > 0) {
        msg.Control.buf = (CHAR *)ctl->buf;
        msg.Control.len = ctl->len;
    }
    msg.dwFlags = 0;
    return fn(s, &msg, flags, sent, NULL, NULL);
}

#endif
