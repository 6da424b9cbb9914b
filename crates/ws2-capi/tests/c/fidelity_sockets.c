/* Creating sockets and their addresses as Windows answers: WSASocket's
 * parameter table, bind, getsockname/getpeername, UDP connect (also to
 * AF_UNSPEC and to the broadcast address), shutdown, sends to port 0, and
 * the WSASendTo/WSASendMsg argument rows. The Windows record is Wine's
 * Windows-run dlls/ws2_32/tests/sock.c; each case names its test function.
 * Runs as root (raw sockets). Clauses: S4-S15, S40, S41. */
#include "common.h"

#define SENTINEL 0xdeadbeefu

#define SUCCEEDS(call)                                                                 \
    do {                                                                               \
        WSASetLastError((int)SENTINEL);                                                \
        int ws2t_r_ = (call);                                                          \
        CHECK_EQ(ws2t_r_, 0);                                                          \
        CHECK_EQ(WSAGetLastError(), 0);                                                \
    } while (0)

static int type_of(SOCKET s)
{
    int type = -1, size = sizeof type;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&type, &size));
    return type;
}

/* test_WSASocket: the 29-row parameter table (type checked before family,
 * family before protocol; AF_UNSPEC needs a protocol; zeros filled in), a
 * successful call sets the last error to 0; raw sockets (as root) with
 * IPPROTO_ICMP, IPPROTO_RAW through type 0, and IPPROTO_TCP. */
static void wsasocket_table(void)
{
    enum { BAD = 0xdead };
    static const struct {
        int af, type, protocol;
        int error; /* 0: a socket of type `want` */
        int want;
    } rows[] = {
        {BAD, SOCK_STREAM, IPPROTO_TCP, WSAEAFNOSUPPORT, 0},
        {-1, SOCK_STREAM, IPPROTO_TCP, WSAEAFNOSUPPORT, 0},
        {AF_INET, BAD, IPPROTO_TCP, WSAESOCKTNOSUPPORT, 0},
        {AF_INET, -1, IPPROTO_TCP, WSAESOCKTNOSUPPORT, 0},
        {AF_INET, SOCK_STREAM, BAD, WSAEPROTONOSUPPORT, 0},
        {AF_INET, SOCK_STREAM, -1, WSAEPROTONOSUPPORT, 0},
        {BAD, BAD, IPPROTO_TCP, WSAESOCKTNOSUPPORT, 0},
        {BAD, SOCK_STREAM, BAD, WSAEAFNOSUPPORT, 0},
        {AF_INET, BAD, BAD, WSAESOCKTNOSUPPORT, 0},
        {BAD, SOCK_STREAM, IPPROTO_UDP, WSAEAFNOSUPPORT, 0},
        {AF_INET, SOCK_STREAM, 0, 0, SOCK_STREAM},
        {AF_INET, SOCK_DGRAM, 0, 0, SOCK_DGRAM},
        {AF_INET, BAD, 0, WSAESOCKTNOSUPPORT, 0},
        {AF_INET, 0, IPPROTO_TCP, 0, SOCK_STREAM},
        {AF_INET, 0, IPPROTO_UDP, 0, SOCK_DGRAM},
        {AF_INET, 0, BAD, WSAEPROTONOSUPPORT, 0},
        {AF_INET, 0, 0, 0, SOCK_STREAM},
        {AF_INET, SOCK_STREAM, IPPROTO_UDP, WSAEPROTONOSUPPORT, 0},
        {AF_INET, SOCK_DGRAM, IPPROTO_TCP, WSAEPROTONOSUPPORT, 0},
        {AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, 0, SOCK_STREAM},
        {AF_UNSPEC, SOCK_STREAM, BAD, WSAEPROTONOSUPPORT, 0},
        {AF_UNSPEC, BAD, IPPROTO_UDP, WSAESOCKTNOSUPPORT, 0},
        {AF_UNSPEC, SOCK_STREAM, 0, WSAEINVAL, 0},
        {AF_UNSPEC, SOCK_DGRAM, 0, WSAEINVAL, 0},
        {AF_UNSPEC, BAD, 0, WSAEINVAL, 0},
        {AF_UNSPEC, 0, IPPROTO_TCP, 0, SOCK_STREAM},
        {AF_UNSPEC, 0, IPPROTO_UDP, 0, SOCK_DGRAM},
        {AF_UNSPEC, 0, BAD, WSAEPROTONOSUPPORT, 0},
        {AF_UNSPEC, 0, 0, WSAEINVAL, 0},
        /* Raw sockets (the test runs as root). */
        {AF_INET, SOCK_RAW, IPPROTO_ICMP, 0, SOCK_RAW},
        {AF_INET, 0, IPPROTO_RAW, 0, SOCK_RAW},
        {AF_INET, SOCK_RAW, IPPROTO_TCP, 0, SOCK_RAW},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fprintf(stderr, "WSASocket row %zu\n", i);
        WSASetLastError((int)SENTINEL);
        SOCKET s = WSASocketA(rows[i].af, rows[i].type, rows[i].protocol, NULL, 0, 0);
        if (rows[i].error) {
            CHECK(s == INVALID_SOCKET);
            CHECK_EQ(WSAGetLastError(), rows[i].error);
        } else {
            CHECK(s != INVALID_SOCKET);
            CHECK_EQ(WSAGetLastError(), 0);
            CHECK_EQ(type_of(s), rows[i].want);
            closesocket(s);
        }
    }
}

/* test_bind: NULL or short names are WSAEFAULT, an unknown family
 * WSAEAFNOSUPPORT, a second bind WSAEINVAL, an address not on this host
 * WSAEADDRNOTAVAIL, the exact address of another socket WSAEADDRINUSE;
 * the AF_INET6 name of 24 bytes (sockaddr_in6_old) is too short. */
static void bind_rules(void)
{
    SOCKET s, s2;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(bind(s, NULL, 0), WSAEFAULT);
    CHECK_ERR(bind(s, NULL, sizeof(SOCKADDR)), WSAEFAULT);
    SOCKADDR_IN a = addr4("127.0.0.1", 0);
    CHECK_ERR(bind(s, (SOCKADDR *)&a, 0), WSAEFAULT);
    CHECK_ERR(bind(s, (SOCKADDR *)&a, sizeof a - 1), WSAEFAULT);
    SOCKADDR_IN bad = a;
    bad.sin_family = 0xdead;
    CHECK_ERR(bind(s, (SOCKADDR *)&bad, sizeof bad), WSAEAFNOSUPPORT);
    SOCKADDR_IN elsewhere = addr4("192.0.2.1", 0);
    CHECK_ERR(bind(s, (SOCKADDR *)&elsewhere, sizeof elsewhere), WSAEADDRNOTAVAIL);
    SUCCEEDS(bind(s, (SOCKADDR *)&a, sizeof a));
    CHECK_ERR(bind(s, (SOCKADDR *)&a, sizeof a), WSAEINVAL);
    SOCKADDR_IN got;
    int len = sizeof got;
    CHECK_OK(getsockname(s, (SOCKADDR *)&got, &len));
    CHECK_SOCKET(s2 = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(bind(s2, (SOCKADDR *)&got, sizeof got), WSAEADDRINUSE);
    closesocket(s2);
    closesocket(s);

    CHECK_SOCKET(s = socket(AF_INET6, SOCK_DGRAM, 0));
    SOCKADDR_IN6 a6 = addr6("::1", 0);
    CHECK_ERR(bind(s, (SOCKADDR *)&a6, 24), WSAEFAULT);
    SUCCEEDS(bind(s, (SOCKADDR *)&a6, sizeof a6));
    closesocket(s);
}

/* test_getsockname: unbound is WSAEINVAL with the buffer untouched; a
 * namelen one short is WSAEFAULT and stays as it was; bound to
 * INADDR_ANY:0 it reports a port and a zeroed sin_zero. test_getpeername
 * and test_connect_udp: WSAENOTCONN before any pointer check; once
 * connected the pointers are checked. */
static void names(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, 0));
    SOCKADDR_IN got;
    memset(&got, 0xcc, sizeof got);
    int len = sizeof got;
    CHECK_ERR(getsockname(s, (SOCKADDR *)&got, &len), WSAEINVAL);
    CHECK_EQ(((unsigned char *)&got)[0], 0xcc);
    CHECK_ERR(getpeername(s, NULL, NULL), WSAENOTCONN);
    SOCKADDR_IN any = addr4("0.0.0.0", 0);
    CHECK_OK(bind(s, (SOCKADDR *)&any, sizeof any));
    len = sizeof got - 1;
    CHECK_ERR(getsockname(s, (SOCKADDR *)&got, &len), WSAEFAULT);
    CHECK_EQ(len, sizeof got - 1);
    len = sizeof got;
    SUCCEEDS(getsockname(s, (SOCKADDR *)&got, &len));
    CHECK_EQ(got.sin_family, AF_INET);
    CHECK(got.sin_port != 0);
    CHECK_EQ(got.sin_addr.s_addr, 0);
    static const char zero[8];
    CHECK(memcmp(got.sin_zero, zero, sizeof zero) == 0);
    CHECK_ERR(getpeername(s, NULL, NULL), WSAENOTCONN);
    SOCKADDR_IN peer = addr4("127.0.0.1", 9);
    CHECK_OK(connect(s, (SOCKADDR *)&peer, sizeof peer));
    CHECK_ERR(getpeername(s, NULL, NULL), WSAEFAULT);
    CHECK_ERR(getpeername(s, (SOCKADDR *)&got, NULL), WSAEFAULT);
    len = 0;
    CHECK_ERR(getpeername(s, (SOCKADDR *)&got, &len), WSAEFAULT);
    CHECK_EQ(len, 0);
    len = sizeof got;
    SUCCEEDS(getpeername(s, (SOCKADDR *)&got, &len));
    CHECK_EQ(len, sizeof got);
    CHECK(memcmp(&got, &peer, sizeof got) == 0);
    closesocket(s);

    CHECK_SOCKET(s = socket(AF_INET6, SOCK_DGRAM, 0));
    SOCKADDR_IN6 a6 = addr6("::1", 0), got6;
    CHECK_OK(bind(s, (SOCKADDR *)&a6, sizeof a6));
    len = 24;
    CHECK_ERR(getsockname(s, (SOCKADDR *)&got6, &len), WSAEFAULT);
    len = sizeof got6;
    SUCCEEDS(getsockname(s, (SOCKADDR *)&got6, &len));
    CHECK_EQ(got6.sin6_family, AF_INET6);
    CHECK(got6.sin6_port != 0);
    closesocket(s);
}

/* test_connect_udp (non-blocking sockets): unconnected send is
 * WSAENOTCONN, recv on an unbound socket WSAEINVAL, on a bound one
 * WSAEWOULDBLOCK; connect binds; a second connect changes the peer; a
 * connect to AF_UNSPEC dissolves the association (getpeername is
 * WSAENOTCONN again) and the local address stays. */
static void connect_udp(void)
{
    SOCKET client, server;
    CHECK_SOCKET(client = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_SOCKET(server = socket(AF_INET, SOCK_DGRAM, 0));
    u_long one = 1;
    CHECK_OK(ioctlsocket(client, FIONBIO, &one));
    CHECK_OK(ioctlsocket(server, FIONBIO, &one));
    char buf[16];
    CHECK_ERR(send(client, "data", 4, 0), WSAENOTCONN);
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAEINVAL);
    SOCKADDR_IN addr = addr4("127.0.0.1", 0), got;
    CHECK_OK(bind(server, (SOCKADDR *)&addr, sizeof addr));
    int len = sizeof addr;
    CHECK_OK(getsockname(server, (SOCKADDR *)&addr, &len));
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAEWOULDBLOCK);
    SUCCEEDS(connect(client, (SOCKADDR *)&addr, sizeof addr));
    len = sizeof got;
    CHECK_OK(getpeername(client, (SOCKADDR *)&got, &len));
    CHECK(memcmp(&got, &addr, sizeof addr) == 0);
    SOCKADDR_IN local;
    len = sizeof local;
    CHECK_OK(getsockname(client, (SOCKADDR *)&local, &len));
    CHECK_ERR(getpeername(server, (SOCKADDR *)&got, &len), WSAENOTCONN);
    CHECK_EQ(send(client, "data", 4, 0), 4);
    SOCKADDR_STORAGE from;
    CHECK_EQ(recv_wait(server, buf, sizeof buf, &from, 3000), 4);
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAEWOULDBLOCK);
    CHECK_ERR(send(server, "data", 4, 0), WSAENOTCONN);
    SUCCEEDS(connect(client, (SOCKADDR *)&addr, sizeof addr));
    SOCKADDR_IN next = addr;
    next.sin_port = htons((u_short)(ntohs(addr.sin_port) + 1));
    SUCCEEDS(connect(client, (SOCKADDR *)&next, sizeof next));
    SOCKADDR_IN unspec;
    memset(&unspec, 0, sizeof unspec);
    unspec.sin_family = AF_UNSPEC;
    SUCCEEDS(connect(client, (SOCKADDR *)&unspec, sizeof unspec));
    len = sizeof got;
    CHECK_ERR(getpeername(client, (SOCKADDR *)&got, &len), WSAENOTCONN);
    SOCKADDR_IN after;
    len = sizeof after;
    CHECK_OK(getsockname(client, (SOCKADDR *)&after, &len));
    CHECK_EQ(after.sin_port, local.sin_port);
    CHECK_ERR(send(client, "data", 4, 0), WSAENOTCONN);
    closesocket(client);
    closesocket(server);
}

/* test_shutdown, datagram part: SD_RECEIVE then recvfrom is WSAESHUTDOWN;
 * SD_SEND on an unconnected socket (bound by an earlier sendto) returns
 * 0, twice, and sendto is then WSAESHUTDOWN; an invalid how is WSAEINVAL. */
static void shutdown_udp(void)
{
    SOCKET server, client;
    SOCKADDR_STORAGE bound;
    server = udp_receiver("127.0.0.1", &bound);
    SUCCEEDS(shutdown(server, SD_RECEIVE));
    char buf[16];
    SOCKADDR_IN from;
    int len = sizeof from;
    CHECK_ERR(recvfrom(server, buf, sizeof buf, 0, (SOCKADDR *)&from, &len), WSAESHUTDOWN);
    CHECK_SOCKET(client = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_EQ(sendto(client, "test", 4, 0, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN)), 4);
    SUCCEEDS(shutdown(client, SD_SEND));
    SUCCEEDS(shutdown(client, SD_SEND));
    CHECK_ERR(sendto(client, "test", 4, 0, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN)),
              WSAESHUTDOWN);
    CHECK_ERR(shutdown(client, 0xdeadbeef), WSAEINVAL);
    closesocket(client);
    closesocket(server);
}

/* test_UDP, end: sendto port 0 succeeds with the full length, IPv4 and
 * IPv6 (Linux refuses it with EINVAL; Windows drops the datagram). Sends
 * to a closed port keep succeeding (S19). */
static void port_zero(void)
{
    SOCKET s;
    char data[16] = "port zero";
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, 0));
    SOCKADDR_IN to = addr4("127.0.0.1", 0);
    WSASetLastError((int)SENTINEL);
    CHECK_EQ(sendto(s, data, sizeof data, 0, (SOCKADDR *)&to, sizeof to), (int)sizeof data);
    CHECK_EQ(WSAGetLastError(), 0);
    /* Also through WSASendMsg, overlapped and with segmentation (S26). */
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    WSABUF b = {sizeof data, data};
    DWORD sent = 0;
    CHECK_OK(send_msg(fn, s, &to, sizeof to, &b, 1, NULL, 0, &sent));
    CHECK_EQ(sent, sizeof data);
    ctlbuf ctl = {.len = 0};
    DWORD seg = 4;
    ctl_add(&ctl, IPPROTO_UDP, UDP_SEND_MSG_SIZE, &seg, sizeof seg);
    sent = 0;
    CHECK_OK(send_msg(fn, s, &to, sizeof to, &b, 1, &ctl, 0, &sent));
    CHECK_EQ(sent, sizeof data);
    closesocket(s);

    CHECK_SOCKET(s = socket(AF_INET6, SOCK_DGRAM, 0));
    SOCKADDR_IN6 to6 = addr6("::1", 0);
    CHECK_EQ(sendto(s, data, sizeof data, 0, (SOCKADDR *)&to6, sizeof to6), (int)sizeof data);
    closesocket(s);

    /* A connected socket whose peer has no listener: every send succeeds. */
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, 0));
    SOCKADDR_IN closed = addr4("127.0.0.1", 255);
    CHECK_OK(connect(s, (SOCKADDR *)&closed, sizeof closed));
    for (int i = 0; i < 10; i++) CHECK_EQ(send(s, data, sizeof data, 0), (int)sizeof data);
    closesocket(s);
}

/* test_broadcast: sendto 255.255.255.255 fails without SO_BROADCAST (S12:
 * WSAEACCES), works with it, fails again once it is off; connect to the
 * broadcast address works without the option, which still reads 0, and
 * send on the connected socket works while sendto does not. IPv6 sendto
 * ff01::1 needs no option. Run in a namespace host with a default route
 * (Windows' routing table always has 255.255.255.255 on-link). */
static void broadcast(void)
{
    SOCKADDR_IN bcast = addr4("255.255.255.255", 12345);
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_ERR(sendto(s, "test", 4, 0, (SOCKADDR *)&bcast, sizeof bcast), WSAEACCES);
    int val = 1;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_BROADCAST, (char *)&val, sizeof val));
    CHECK_EQ(sendto(s, "test", 4, 0, (SOCKADDR *)&bcast, sizeof bcast), 4);
    val = 0;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_BROADCAST, (char *)&val, sizeof val));
    CHECK_ERR(sendto(s, "test", 4, 0, (SOCKADDR *)&bcast, sizeof bcast), WSAEACCES);
    SUCCEEDS(connect(s, (SOCKADDR *)&bcast, sizeof bcast));
    val = 1;
    int len = sizeof val;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_BROADCAST, (char *)&val, &len));
    CHECK_EQ(val, 0);
    CHECK_ERR(sendto(s, "test", 4, 0, (SOCKADDR *)&bcast, sizeof bcast), WSAEACCES);
    CHECK_EQ(send(s, "test", 4, 0), 4);
    closesocket(s);

    CHECK_SOCKET(s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    SOCKADDR_IN6 mcast6 = addr6("ff01::1", 12345);
    CHECK_EQ(sendto(s, "test", 4, 0, (SOCKADDR *)&mcast6, sizeof mcast6), 4);
    closesocket(s);
}

/* The same without any route: Windows checks SO_BROADCAST for the limited
 * broadcast address whatever its routes (it always has one for it), so
 * the answer without the option is still WSAEACCES (S12), not Linux's
 * ENETUNREACH. With the option, Linux has nowhere to send it:
 * WSAENETUNREACH (README: Windows would send it on loopback). */
static void broadcast_without_route(void)
{
    SOCKADDR_IN bcast = addr4("255.255.255.255", 12345);
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_ERR(sendto(s, "test", 4, 0, (SOCKADDR *)&bcast, sizeof bcast), WSAEACCES);
    int val = 1;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_BROADCAST, (char *)&val, sizeof val));
    CHECK_ERR(sendto(s, "test", 4, 0, (SOCKADDR *)&bcast, sizeof bcast), WSAENETUNREACH);
    closesocket(s);
}

/* test_WSASendTo and test_WSASendMsg: the argument rows (NULL byte count
 * without an OVERLAPPED is WSAEFAULT, yet WSASendMsg binds the socket;
 * NULL lpMsg binds nothing); a successful send sets the last error to 0
 * and binds to the wildcard address; two buffers make one datagram; a
 * stream socket is WSAEINVAL. */
static void send_rows(void)
{
    SOCKET rx, s;
    SOCKADDR_STORAGE bound;
    rx = udp_receiver("127.0.0.1", &bound);
    char data[18] = "hello world!123456";
    WSABUF b = {12, data};
    DWORD sent = 0;
    CHECK_ERR(WSASendTo(INVALID_SOCKET, &b, 1, NULL, 0, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN),
                        NULL, NULL),
              WSAENOTSOCK);
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, 0));
    SOCKADDR_IN name;
    int len = sizeof name;
    CHECK_ERR(getsockname(s, (SOCKADDR *)&name, &len), WSAEINVAL);
    CHECK_ERR(WSASendTo(s, &b, 1, NULL, 0, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN), NULL, NULL),
              WSAEFAULT);
    SUCCEEDS(WSASendTo(s, &b, 1, &sent, 0, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN), NULL, NULL));
    CHECK_EQ(sent, 12);
    len = sizeof name;
    CHECK_OK(getsockname(s, (SOCKADDR *)&name, &len));
    CHECK_EQ(name.sin_addr.s_addr, 0);
    CHECK(name.sin_port != 0);
    EXPECT_DGRAM(rx, data, 12, "127.0.0.1");
    closesocket(s);

    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, 0));
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    CHECK_ERR(fn(INVALID_SOCKET, NULL, 0, &sent, NULL, NULL), WSAENOTSOCK);
    CHECK_ERR(fn(s, NULL, 0, NULL, NULL, NULL), WSAEFAULT);
    CHECK_ERR(fn(s, NULL, 0, &sent, NULL, NULL), WSAEFAULT);
    len = sizeof name;
    CHECK_ERR(getsockname(s, (SOCKADDR *)&name, &len), WSAEINVAL);
    WSABUF two[2] = {{12, data}, {6, data + 12}};
    CHECK_ERR(send_msg(fn, s, &bound, sizeof(SOCKADDR_IN), two, 2, NULL, 0, NULL), WSAEFAULT);
    len = sizeof name;
    CHECK_OK(getsockname(s, (SOCKADDR *)&name, &len)); /* bound anyway (S7) */
    WSASetLastError((int)SENTINEL);
    CHECK_OK(send_msg(fn, s, &bound, sizeof(SOCKADDR_IN), two, 2, NULL, 0, &sent));
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(sent, 18);
    EXPECT_DGRAM(rx, data, 18, "127.0.0.1");
    closesocket(s);

    CHECK_SOCKET(s = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(send_msg(fn, s, &bound, sizeof(SOCKADDR_IN), &b, 1, NULL, 0, &sent), WSAEINVAL);
    closesocket(s);
    closesocket(rx);
}

int main(int argc, char **argv)
{
    const char *section = argc > 1 ? argv[1] : "main";
    startup();
    if (strcmp(section, "broadcast") == 0) {
        broadcast();
    } else if (strcmp(section, "broadcast-noroute") == 0) {
        broadcast_without_route();
    } else {
        wsasocket_table();
        bind_rules();
        names();
        connect_udp();
        shutdown_udp();
        port_zero();
        send_rows();
    }
    WSACleanup();
    printf("fidelity_sockets %s: ok\n", section);
    return 0;
}
