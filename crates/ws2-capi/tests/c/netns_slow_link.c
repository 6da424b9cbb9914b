/* Run by the harness in host A of two namespaces joined by a veth pair
 * rate-limited to 8 kbit/s; argv: destination IPv4 address and port.
 * A full send buffer makes a blocking send with SO_SNDTIMEO time out, and a
 * non-blocking one fail at once. Clauses: S16, S17. */
#include "common.h"

#define MAX_SENDS 10000
#define MAX_MS 10000.0

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DEST_IPV4 PORT\n", argv[0]);
        return 2;
    }
    startup();
    SOCKADDR_IN to = addr4(argv[1], (unsigned)atoi(argv[2]));
    static char data[1200];
    memset(data, 'z', sizeof data);
    WSABUF b;
    b.buf = data;
    b.len = sizeof data;
    DWORD sent;

    /* S16: blocking socket, small SO_SNDBUF, SO_SNDTIMEO 200 ms */
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    int sndbuf = 4096;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&sndbuf, sizeof sndbuf));
    DWORD timeout = 200;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, (const char *)&timeout, sizeof timeout));
    DWORD got = 0;
    int optlen = sizeof got;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, (char *)&got, &optlen));
    CHECK_EQ(got, 200);

    double start = now_ms();
    int i, r = 0, err = 0;
    double call_ms = 0;
    for (i = 0; i < MAX_SENDS && now_ms() - start < MAX_MS; i++) {
        double t0 = now_ms();
        r = send_msg(fn, s, &to, sizeof to, &b, 1, NULL, 0, &sent);
        call_ms = now_ms() - t0;
        if (r != 0) {
            err = WSAGetLastError();
            break;
        }
        CHECK_EQ(sent, sizeof data);
    }
    printf("blocking: %d sends succeeded, then r=%d err=%d (%s) after %.1f ms\n", i, r, err,
           wsa_err_name(err), call_ms);
    CHECK(r == SOCKET_ERROR); /* the buffer must fill up */
    CHECK_EQ(err, WSAETIMEDOUT);
    CHECK(call_ms >= 150.0);  /* it waited for the timeout */
    CHECK(call_ms < 5000.0);
    closesocket(s);

    /* S17: non-blocking socket (FIONBIO): WSAEWOULDBLOCK without waiting */
    SOCKET n;
    CHECK_SOCKET(n = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(setsockopt(n, SOL_SOCKET, SO_SNDBUF, (const char *)&sndbuf, sizeof sndbuf));
    u_long one = 1;
    CHECK_OK(ioctlsocket(n, FIONBIO, &one));
    start = now_ms();
    r = 0;
    err = 0;
    for (i = 0; i < MAX_SENDS && now_ms() - start < MAX_MS; i++) {
        double t0 = now_ms();
        r = send_msg(fn, n, &to, sizeof to, &b, 1, NULL, 0, &sent);
        call_ms = now_ms() - t0;
        if (r != 0) {
            err = WSAGetLastError();
            break;
        }
    }
    printf("non-blocking: %d sends succeeded, then r=%d err=%d (%s) after %.1f ms\n", i, r, err,
           wsa_err_name(err), call_ms);
    CHECK(r == SOCKET_ERROR);
    CHECK_EQ(err, WSAEWOULDBLOCK);
    CHECK(call_ms < 100.0);
    /* and again, still at once */
    double t0 = now_ms();
    CHECK_ERR(send_msg(fn, n, &to, sizeof to, &b, 1, NULL, 0, &sent), WSAEWOULDBLOCK);
    CHECK(now_ms() - t0 < 100.0);
    closesocket(n);

    WSACleanup();
    printf("netns_slow_link: ok\n");
    return 0;
}
