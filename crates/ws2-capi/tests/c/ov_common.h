/* Helpers shared by the overlapped-I/O C tests (ov_*.c). Windows API only,
 * plus pthreads for the threads a test starts. */
#ifndef WS2_OV_COMMON_H
#define WS2_OV_COMMON_H

#include "common.h"
#include <windows.h>

/* One overlapped (or plain) WSASendMsg of buf[0..len] to `to`. The WSAMSG
 * and WSABUF live on this stack frame only: Windows captures them during
 * the call (S21); the data must stay valid until completion. */
static inline int ov_send(LPFN_WSASENDMSG fn, SOCKET s, const void *to, int tolen,
                          const char *buf, ULONG len, DWORD *sent, WSAOVERLAPPED *ov,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr)
{
    WSABUF b;
    b.buf = (CHAR *)buf;
    b.len = len;
    WSAMSG msg;
    memset(&msg, 0, sizeof msg);
    msg.name = (LPSOCKADDR)(void *)to;
    msg.namelen = tolen;
    msg.lpBuffers = &b;
    msg.dwBufferCount = 1;
    return fn(s, &msg, 0, sent, ov, cr);
}

/* CHECK_PENDING(call): the call must return SOCKET_ERROR / WSA_IO_PENDING. */
#define CHECK_PENDING(call) CHECK_ERR((call), WSA_IO_PENDING)

/* SOFT_EQ(a, b): like CHECK_EQ, but records the failure and goes on, so a
 * run reports every mismatch; call SOFT_DONE() before exiting 0. */
static int ws2t_soft_failures __attribute__((unused));
#define SOFT_EQ(a, b)                                                                  \
    do {                                                                               \
        long long ws2t_a_ = (long long)(a), ws2t_b_ = (long long)(b);                  \
        if (ws2t_a_ != ws2t_b_) {                                                      \
            fprintf(stderr, "%s:%d: SOFT_EQ(%s, %s) failed: %lld (%#llx) != %lld (%#llx)\n", \
                    __FILE__, __LINE__, #a, #b, ws2t_a_, (unsigned long long)ws2t_a_,  \
                    ws2t_b_, (unsigned long long)ws2t_b_);                             \
            ws2t_soft_failures++;                                                      \
        }                                                                              \
    } while (0)
#define SOFT_DONE()                                                                    \
    do {                                                                               \
        if (ws2t_soft_failures) {                                                      \
            fprintf(stderr, "%d SOFT_EQ check(s) failed\n", ws2t_soft_failures);      \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

/* Is the event signalled now? */
static inline int event_is_set(WSAEVENT ev)
{
    return WaitForSingleObject(ev, 0) == WAIT_OBJECT_0;
}

/* CHECK_HEX_EQ: like CHECK_EQ, printed in hex (statuses). */
#define CHECK_HEX_EQ(a, b)                                                             \
    do {                                                                               \
        unsigned long long ws2t_a_ = (unsigned long long)(a),                          \
                           ws2t_b_ = (unsigned long long)(b);                          \
        if (ws2t_a_ != ws2t_b_) {                                                      \
            int ws2t_e_ = WSAGetLastError();                                           \
            char ws2t_m_[512];                                                         \
            snprintf(ws2t_m_, sizeof ws2t_m_, "CHECK_HEX_EQ(%s, %s) failed: %#llx != %#llx", \
                     #a, #b, ws2t_a_, ws2t_b_);                                        \
            ws2t_fail(__FILE__, __LINE__, ws2t_m_, ws2t_e_);                           \
        }                                                                              \
    } while (0)

/* Creates an event, failing the test if it cannot. */
#define new_event() ws2t_new_event(__FILE__, __LINE__)
static inline WSAEVENT ws2t_new_event(const char *file, int line)
{
    WSAEVENT ev = WSACreateEvent();
    if (ev == WSA_INVALID_EVENT) ws2t_fail(file, line, "WSACreateEvent", WSAGetLastError());
    return ev;
}

/* A UDP socket with SO_SNDBUF = sndbuf (0: leave the default). */
#define udp_socket(sndbuf) ws2t_udp_socket((sndbuf), __FILE__, __LINE__)
static inline SOCKET ws2t_udp_socket(int sndbuf, const char *file, int line)
{
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET) ws2t_fail(file, line, "socket()", WSAGetLastError());
    if (sndbuf > 0 &&
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&sndbuf, sizeof sndbuf) == SOCKET_ERROR)
        ws2t_fail(file, line, "setsockopt(SO_SNDBUF)", WSAGetLastError());
    return s;
}

#endif
