/* Helpers for ws2's stream-socket (TCP) C tests (SPEC P8), written as a
 * Windows program writes them: a listener on 127.0.0.1, a connected pair as
 * Wine's tcp_socketpair makes it (bind 127.0.0.1:0, listen, blocking
 * connect, accept, close the listener), bounded waits. */
#ifndef WS2_STREAM_COMMON_H
#define WS2_STREAM_COMMON_H

#include "common.h"

#include <mstcpip.h>

/* A TCP listener on ip:0 (IPv4), its address in *bound. */
#define tcp_listener(ip, bound) ws2t_tcp_listener((ip), (bound), __FILE__, __LINE__)
static inline SOCKET ws2t_tcp_listener(const char *ip, SOCKADDR_IN *bound, const char *file,
                                       int line)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET) ws2t_fail(file, line, "listener socket()", WSAGetLastError());
    SOCKADDR_IN a = ws2t_addr4(ip, 0, file, line);
    if (bind(s, (SOCKADDR *)&a, sizeof a) == SOCKET_ERROR)
        ws2t_fail(file, line, "listener bind()", WSAGetLastError());
    if (listen(s, SOMAXCONN) == SOCKET_ERROR)
        ws2t_fail(file, line, "listen()", WSAGetLastError());
    int len = sizeof *bound;
    if (getsockname(s, (SOCKADDR *)bound, &len) == SOCKET_ERROR)
        ws2t_fail(file, line, "listener getsockname()", WSAGetLastError());
    return s;
}

/* A connected pair over loopback (Wine's tcp_socketpair). */
#define tcp_pair(client, server) ws2t_tcp_pair((client), (server), __FILE__, __LINE__)
static inline void ws2t_tcp_pair(SOCKET *client, SOCKET *server, const char *file, int line)
{
    SOCKADDR_IN a;
    SOCKET l = ws2t_tcp_listener("127.0.0.1", &a, file, line);
    *client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (*client == INVALID_SOCKET) ws2t_fail(file, line, "client socket()", WSAGetLastError());
    if (connect(*client, (SOCKADDR *)&a, sizeof a) == SOCKET_ERROR)
        ws2t_fail(file, line, "connect()", WSAGetLastError());
    *server = accept(l, NULL, NULL);
    if (*server == INVALID_SOCKET) ws2t_fail(file, line, "accept()", WSAGetLastError());
    closesocket(l);
}

static inline void set_blocking(SOCKET s, int blocking)
{
    u_long nb = !blocking;
    if (ioctlsocket(s, FIONBIO, &nb) == SOCKET_ERROR)
        ws2t_fail(__FILE__, __LINE__, "ioctlsocket(FIONBIO)", WSAGetLastError());
}

static inline int so_error(SOCKET s)
{
    int e = -1, len = sizeof e;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &len) == SOCKET_ERROR)
        ws2t_fail(__FILE__, __LINE__, "getsockopt(SO_ERROR)", WSAGetLastError());
    return e;
}

/* Waits up to timeout_ms until SO_ERROR reads want (a non-blocking connect
 * failing); fails the test otherwise. */
#define WAIT_SO_ERROR(s, want, timeout_ms) \
    ws2t_wait_so_error((s), (want), (timeout_ms), __FILE__, __LINE__)
static inline void ws2t_wait_so_error(SOCKET s, int want, int timeout_ms, const char *file,
                                      int line)
{
    double deadline = now_ms() + timeout_ms;
    int e;
    while ((e = so_error(s)) != want) {
        if (now_ms() > deadline) {
            char m[128];
            snprintf(m, sizeof m, "SO_ERROR is %d (%s), expected %d within %d ms", e,
                     wsa_err_name(e), want, timeout_ms);
            ws2t_fail(file, line, m, e);
        }
        Sleep(5);
    }
}

/* Waits up to timeout_ms until a non-blocking connect completed (the
 * socket has a peer and a send of 0 bytes is accepted). */
#define WAIT_CONNECTED(s, timeout_ms) ws2t_wait_connected((s), (timeout_ms), __FILE__, __LINE__)
static inline void ws2t_wait_connected(SOCKET s, int timeout_ms, const char *file, int line)
{
    double deadline = now_ms() + timeout_ms;
    while (send(s, "", 0, 0) == SOCKET_ERROR) {
        if (WSAGetLastError() != WSAENOTCONN || now_ms() > deadline)
            ws2t_fail(file, line, "the connect did not complete", WSAGetLastError());
        Sleep(5);
    }
}

/* Receives exactly len bytes (blocking socket, or retrying WSAEWOULDBLOCK
 * for up to timeout_ms). */
#define RECV_EXACTLY(s, buf, len) ws2t_recv_exactly((s), (buf), (len), 10000, __FILE__, __LINE__)
static inline void ws2t_recv_exactly(SOCKET s, char *buf, int len, int timeout_ms,
                                     const char *file, int line)
{
    double deadline = now_ms() + timeout_ms;
    int got = 0;
    while (got < len) {
        int n = recv(s, buf + got, len - got, 0);
        if (n == 0) ws2t_fail(file, line, "the stream ended early", 0);
        if (n == SOCKET_ERROR) {
            if (WSAGetLastError() != WSAEWOULDBLOCK || now_ms() > deadline)
                ws2t_fail(file, line, "recv()", WSAGetLastError());
            Sleep(1);
            continue;
        }
        got += n;
    }
}

#endif
