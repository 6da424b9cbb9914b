/* Stream sockets on loopback, call by call (SPEC P8, part 1), each case
 * with the Windows-run record it follows: Wine's dlls/ws2_32/tests/sock.c
 * (test_listen, test_accept, test_accept_inheritance, test_connect,
 * test_shutdown, test_tcp_reset, test_empty_recv, test_tcp_sendto_recvfrom,
 * test_timeout, test_keepalive_vals, test_backlog_query, test_set_getsockopt,
 * test_extendedSocketOptions, test_select's OOB block, test_fionread_siocatmark)
 * and afd.c test_recv, or Microsoft's page where no test exists. */
#include "stream_common.h"

#include <pthread.h>

static SOCKET new_tcp(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    return s;
}

/* P8: test_listen. */
static void listen_rules(void)
{
    CHECK_ERR(listen(0, 0), WSAENOTSOCK);
    CHECK_ERR(listen((SOCKET)0xdeadbeef, 0), WSAENOTSOCK);
    SOCKET u;
    CHECK_SOCKET(u = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(listen(u, 1), WSAEOPNOTSUPP);
    closesocket(u);

    SOCKET a = new_tcp();
    CHECK_ERR(listen(a, -2), WSAEINVAL); /* unbound */
    CHECK_ERR(listen(a, 1), WSAEINVAL);
    CHECK_ERR(listen(a, SOMAXCONN), WSAEINVAL);
    SOCKADDR_IN addr = addr4("127.0.0.1", 0);
    CHECK_OK(bind(a, (SOCKADDR *)&addr, sizeof addr));
    int len = sizeof addr;
    CHECK_OK(getsockname(a, (SOCKADDR *)&addr, &len));
    int v = -1;
    len = sizeof v;
    CHECK_OK(getsockopt(a, SOL_SOCKET, SO_ACCEPTCONN, (char *)&v, &len));
    CHECK_EQ(v, 0);
    v = 1;
    CHECK_ERR(setsockopt(a, SOL_SOCKET, SO_ACCEPTCONN, (char *)&v, sizeof v), WSAENOPROTOOPT);
    CHECK_OK(listen(a, 0));
    CHECK_OK(listen(a, SOMAXCONN)); /* twice is fine */
    CHECK_EQ(WSAGetLastError(), 0);
    v = -1;
    len = sizeof v;
    CHECK_OK(getsockopt(a, SOL_SOCKET, SO_ACCEPTCONN, (char *)&v, &len));
    CHECK_EQ(v, 1);
    v = 0;
    CHECK_ERR(setsockopt(a, SOL_SOCKET, SO_ACCEPTCONN, (char *)&v, sizeof v), WSAENOPROTOOPT);
    /* A fresh socket cannot bind the listening address. */
    SOCKET b = new_tcp();
    CHECK_ERR(bind(b, (SOCKADDR *)&addr, sizeof addr), WSAEADDRINUSE);
    CHECK_ERR(listen(b, SOMAXCONN), WSAEINVAL); /* still unbound */
    /* A listener: connect is WSAEINVAL (test_connect), shutdown, recv, send
     * and getpeername WSAENOTCONN (test_shutdown; Microsoft's pages). */
    CHECK_ERR(connect(a, (SOCKADDR *)&addr, sizeof addr), WSAEINVAL);
    CHECK_ERR(shutdown(a, SD_SEND), WSAENOTCONN);
    CHECK_ERR(shutdown(a, SD_RECEIVE), WSAENOTCONN);
    char c;
    CHECK_ERR(recv(a, &c, 1, 0), WSAENOTCONN);
    CHECK_ERR(send(a, "x", 1, 0), WSAENOTCONN);
    SOCKADDR_STORAGE peer;
    len = sizeof peer;
    CHECK_ERR(getpeername(a, (SOCKADDR *)&peer, &len), WSAENOTCONN);
    /* The listener still works after SD_RECEIVE was refused (Linux would
     * have stopped it). */
    SOCKET cl = new_tcp();
    CHECK_OK(connect(cl, (SOCKADDR *)&addr, sizeof addr));
    SOCKET sv;
    CHECK_SOCKET(sv = accept(a, NULL, NULL));
    closesocket(sv);
    closesocket(cl);
    closesocket(b);
    closesocket(a);
}

/* The condition functions of WSAAccept. */
static SOCKADDR_IN seen_caller, seen_callee;
static DWORD_PTR seen_data;

static int CALLBACK always_defer(LPWSABUF caller, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos,
                                 LPWSABUF callee, LPWSABUF callee_data, GROUP *g, DWORD_PTR data)
{
    (void)caller_data, (void)sqos, (void)gqos, (void)callee_data, (void)g;
    CHECK_EQ(caller->len, sizeof(SOCKADDR_IN));
    CHECK_EQ(callee->len, sizeof(SOCKADDR_IN));
    memcpy(&seen_caller, caller->buf, sizeof seen_caller);
    memcpy(&seen_callee, callee->buf, sizeof seen_callee);
    seen_data = data;
    return CF_DEFER;
}

static int CALLBACK always_reject(LPWSABUF caller, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos,
                                  LPWSABUF callee, LPWSABUF callee_data, GROUP *g, DWORD_PTR data)
{
    (void)caller, (void)caller_data, (void)sqos, (void)gqos, (void)callee, (void)callee_data;
    (void)g, (void)data;
    return CF_REJECT;
}

static int CALLBACK say_seven(LPWSABUF caller, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos,
                              LPWSABUF callee, LPWSABUF callee_data, GROUP *g, DWORD_PTR data)
{
    (void)caller, (void)caller_data, (void)sqos, (void)gqos, (void)callee, (void)callee_data;
    (void)g, (void)data;
    return 7;
}

static int CALLBACK always_accept(LPWSABUF caller, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos,
                                  LPWSABUF callee, LPWSABUF callee_data, GROUP *g, DWORD_PTR data)
{
    (void)caller, (void)caller_data, (void)sqos, (void)gqos, (void)callee, (void)callee_data;
    (void)g, (void)data;
    return CF_ACCEPT;
}

/* A client connected to addr that sends one marker byte. */
static SOCKET client_with_marker(const SOCKADDR_IN *addr, char marker)
{
    SOCKET c = new_tcp();
    CHECK_OK(connect(c, (const SOCKADDR *)addr, sizeof *addr));
    CHECK_EQ(send(c, &marker, 1, 0), 1);
    return c;
}

static char marker_of(SOCKET accepted)
{
    char m = 0;
    CHECK_EQ(recv(accepted, &m, 1, 0), 1);
    return m;
}

/* P8: test_accept; Microsoft's WSAAccept page for CF_REJECT and bad values. */
static void accept_rules(void)
{
    SOCKET notlistening = new_tcp();
    CHECK_ERR(accept(notlistening, NULL, NULL), WSAEINVAL);
    closesocket(notlistening);
    SOCKET u;
    CHECK_SOCKET(u = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(accept(u, NULL, NULL), WSAEOPNOTSUPP);
    closesocket(u);

    SOCKADDR_IN addr;
    SOCKET l = tcp_listener("127.0.0.1", &addr);
    set_blocking(l, 0);
    CHECK_ERR(accept(l, NULL, NULL), WSAEWOULDBLOCK);
    set_blocking(l, 1);

    SOCKET c1 = client_with_marker(&addr, '1');
    SOCKADDR_STORAGE ss;
    int len = 0;
    memset(&ss, 0, sizeof ss);
    CHECK_ERR(accept(l, (SOCKADDR *)&ss, &len), WSAEFAULT);
    CHECK_EQ(len, 0);
    CHECK_ERR(WSAAccept(l, (SOCKADDR *)&ss, &len, NULL, 0), WSAEFAULT);
    CHECK_EQ(len, 0);
    len = sizeof ss;
    SOCKET a;
    CHECK_SOCKET(a = accept(l, (SOCKADDR *)&ss, &len));
    CHECK_EQ(len, sizeof(SOCKADDR_IN));
    CHECK_EQ(ss.ss_family, AF_INET);
    CHECK(strcmp(ip_of(&ss), "127.0.0.1") == 0);
    CHECK_EQ(marker_of(a), '1'); /* the faulting calls took nothing */
    closesocket(a);
    closesocket(c1);

    /* addr given, addrlen NULL: success, addr untouched. */
    SOCKET c2 = client_with_marker(&addr, '2');
    memset(&ss, 0, sizeof ss);
    CHECK_SOCKET(a = accept(l, (SOCKADDR *)&ss, NULL));
    CHECK_EQ(ss.ss_family, 0);
    closesocket(a);
    closesocket(c2);

    /* WSAAccept with no condition function accepts. */
    SOCKET c3 = client_with_marker(&addr, '3');
    CHECK_SOCKET(a = WSAAccept(l, NULL, NULL, NULL, 0));
    CHECK_EQ(marker_of(a), '3');
    closesocket(a);
    closesocket(c3);

    /* CF_DEFER: WSATRY_AGAIN, and the next accept gets that connection. */
    SOCKET c4 = client_with_marker(&addr, '4');
    len = sizeof ss;
    CHECK_ERR((int)WSAAccept(l, (SOCKADDR *)&ss, &len, always_defer, 0x1234), WSATRY_AGAIN);
    CHECK_EQ(seen_data, 0x1234);
    SOCKADDR_IN local;
    int llen = sizeof local;
    CHECK_OK(getsockname(c4, (SOCKADDR *)&local, &llen));
    CHECK_EQ(seen_caller.sin_port, local.sin_port); /* lpCallerId: the peer */
    CHECK_EQ(seen_callee.sin_port, addr.sin_port);  /* lpCalleeId: the listener */
    SOCKET c5 = client_with_marker(&addr, '5');
    CHECK_SOCKET(a = accept(l, NULL, NULL));
    CHECK_EQ(marker_of(a), '4');
    closesocket(a);
    /* Any other value: WSAEINVAL, and the connection stays first in line. */
    CHECK_ERR((int)WSAAccept(l, NULL, NULL, say_seven, 0), WSAEINVAL);
    CHECK_SOCKET(a = WSAAccept(l, NULL, NULL, always_accept, 0));
    CHECK_EQ(marker_of(a), '5');
    closesocket(a);
    closesocket(c4);
    closesocket(c5);

    /* CF_REJECT: WSAECONNREFUSED; the peer's connection is reset. */
    SOCKET c6 = client_with_marker(&addr, '6');
    CHECK_ERR((int)WSAAccept(l, NULL, NULL, always_reject, 0), WSAECONNREFUSED);
    char buf[4];
    CHECK_ERR(recv(c6, buf, sizeof buf, 0), WSAECONNRESET);
    closesocket(c6);
    closesocket(l);
}

/* P8: test_accept_inheritance: the accepted socket has the listener's options. */
static void accept_inherits(void)
{
    SOCKET l = new_tcp();
    int one = 1, t = 0x123;
    LINGER lg = {1, 555};
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, (char *)&one, sizeof one));
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_KEEPALIVE, (char *)&one, sizeof one));
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_OOBINLINE, (char *)&one, sizeof one));
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_SNDTIMEO, (char *)&t, sizeof t));
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, (char *)&t, sizeof t));
    CHECK_OK(setsockopt(l, IPPROTO_TCP, TCP_NODELAY, (char *)&one, sizeof one));
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof lg));
    SOCKADDR_IN addr = addr4("127.0.0.1", 0);
    CHECK_OK(bind(l, (SOCKADDR *)&addr, sizeof addr));
    int len = sizeof addr;
    CHECK_OK(getsockname(l, (SOCKADDR *)&addr, &len));
    CHECK_OK(listen(l, 1));
    SOCKET c = new_tcp();
    CHECK_OK(connect(c, (SOCKADDR *)&addr, sizeof addr));
    SOCKET a;
    CHECK_SOCKET(a = accept(l, NULL, NULL));
    static const int opts[] = {SO_REUSEADDR, SO_KEEPALIVE, SO_OOBINLINE, SO_SNDTIMEO, SO_RCVTIMEO};
    static const int want[] = {1, 1, 1, 0x123, 0x123};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        int v = 0;
        len = sizeof v;
        CHECK_OK(getsockopt(a, SOL_SOCKET, opts[i], (char *)&v, &len));
        CHECK_EQ(v, want[i]);
    }
    int v = 0;
    len = sizeof v;
    CHECK_OK(getsockopt(a, IPPROTO_TCP, TCP_NODELAY, (char *)&v, &len));
    CHECK_EQ(v, 1);
    LINGER got = {0, 0};
    len = sizeof got;
    CHECK_OK(getsockopt(a, SOL_SOCKET, SO_LINGER, (char *)&got, &len));
    CHECK_EQ(len, sizeof(LINGER));
    CHECK_EQ(got.l_onoff, 1);
    CHECK_EQ(got.l_linger, 555);
    closesocket(a);
    closesocket(c);
    closesocket(l);
}

/* P8: test_connect, test_select's failed-connect block (interactive on
 * Windows), test_errors; Microsoft's connect page for INADDR_ANY. */
static void connect_rules(void)
{
    SOCKADDR_IN addr;
    SOCKET l = tcp_listener("127.0.0.1", &addr);
    SOCKADDR_IN closed = addr4("127.0.0.1", 0);
    {
        /* A port nothing listens on: bind one, never listen. */
        SOCKET holder = new_tcp();
        CHECK_OK(bind(holder, (SOCKADDR *)&closed, sizeof closed));
        int len = sizeof closed;
        CHECK_OK(getsockname(holder, (SOCKADDR *)&closed, &len));
        closesocket(holder);
    }

    /* Blocking, refused: WSAECONNREFUSED, and SO_ERROR reads 0 afterwards. */
    SOCKET s = new_tcp();
    CHECK_ERR(connect(s, (SOCKADDR *)&closed, sizeof closed), WSAECONNREFUSED);
    CHECK_EQ(so_error(s), 0);
    /* The same socket may connect again, non-blocking: WSAEWOULDBLOCK even
     * on loopback, then the listener accepts it. */
    set_blocking(s, 0);
    CHECK_ERR(connect(s, (SOCKADDR *)&addr, sizeof addr), WSAEWOULDBLOCK);
    SOCKET a;
    CHECK_SOCKET(a = accept(l, NULL, NULL));
    WAIT_CONNECTED(s, 2000);
    CHECK_ERR(connect(s, (SOCKADDR *)&addr, sizeof addr), WSAEISCONN);
    CHECK_ERR(connect(a, (SOCKADDR *)&addr, sizeof addr), WSAEISCONN);
    closesocket(a);
    closesocket(s);

    /* Non-blocking, refused: SO_ERROR says so, and keeps saying so (reading
     * does not clear it), also after a new connect to the same refusal; a
     * connect to a live listener then succeeds and SO_ERROR is 0 again. */
    s = new_tcp();
    set_blocking(s, 0);
    CHECK_ERR(connect(s, (SOCKADDR *)&closed, sizeof closed), WSAEWOULDBLOCK);
    WAIT_SO_ERROR(s, WSAECONNREFUSED, 2000);
    CHECK_EQ(so_error(s), WSAECONNREFUSED);
    char c;
    CHECK_ERR(recv(s, &c, 1, 0), WSAENOTCONN);
    CHECK_ERR(connect(s, (SOCKADDR *)&closed, sizeof closed), WSAEWOULDBLOCK);
    WAIT_SO_ERROR(s, WSAECONNREFUSED, 2000);
    CHECK_ERR(connect(s, (SOCKADDR *)&addr, sizeof addr), WSAEWOULDBLOCK);
    CHECK_SOCKET(a = accept(l, NULL, NULL));
    WAIT_CONNECTED(s, 2000);
    CHECK_EQ(so_error(s), 0);
    closesocket(a);
    closesocket(s);

    /* Listening after a failed connect works (test_select, todo_wine). */
    s = new_tcp();
    SOCKADDR_IN any = addr4("127.0.0.1", 0);
    CHECK_OK(bind(s, (SOCKADDR *)&any, sizeof any));
    set_blocking(s, 0);
    CHECK_ERR(connect(s, (SOCKADDR *)&closed, sizeof closed), WSAEWOULDBLOCK);
    WAIT_SO_ERROR(s, WSAECONNREFUSED, 2000);
    CHECK_OK(listen(s, 1));
    int len = sizeof any;
    CHECK_OK(getsockname(s, (SOCKADDR *)&any, &len));
    SOCKET c2 = new_tcp();
    CHECK_OK(connect(c2, (SOCKADDR *)&any, sizeof any));
    set_blocking(s, 1);
    CHECK_SOCKET(a = accept(s, NULL, NULL));
    closesocket(a);
    closesocket(c2);
    closesocket(s);

    /* ...on the port it was bound to, with the options it was given
     * (Linux lets no socket that went through connect listen: ws2 puts a
     * fresh kernel socket behind the handle, which must keep both). */
    s = new_tcp();
    SOCKADDR_IN fixed = addr4("127.0.0.1", 0);
    CHECK_OK(bind(s, (SOCKADDR *)&fixed, sizeof fixed));
    len = sizeof fixed;
    CHECK_OK(getsockname(s, (SOCKADDR *)&fixed, &len));
    closesocket(s);
    s = new_tcp();
    CHECK_OK(bind(s, (SOCKADDR *)&fixed, sizeof fixed));
    BOOL on = TRUE;
    int rcvbuf = 300000;
    CHECK_OK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&on, sizeof on));
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&on, sizeof on));
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_OOBINLINE, (char *)&on, sizeof on));
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, (char *)&rcvbuf, sizeof rcvbuf));
    int rcvbuf_set = 0;
    len = sizeof rcvbuf_set;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, (char *)&rcvbuf_set, &len));
    set_blocking(s, 0);
    CHECK_ERR(connect(s, (SOCKADDR *)&closed, sizeof closed), WSAEWOULDBLOCK);
    WAIT_SO_ERROR(s, WSAECONNREFUSED, 2000);
    CHECK_OK(listen(s, 1));
    SOCKADDR_IN now;
    len = sizeof now;
    CHECK_OK(getsockname(s, (SOCKADDR *)&now, &len));
    CHECK_EQ(ntohs(now.sin_port), ntohs(fixed.sin_port));
    int v = 0;
    len = sizeof v;
    CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&v, &len));
    CHECK_EQ(v != 0, 1);
    v = 0;
    len = sizeof v;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&v, &len));
    CHECK_EQ(v != 0, 1);
    v = 0;
    len = sizeof v;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, (char *)&v, &len));
    CHECK_EQ(v, rcvbuf_set);
    c2 = new_tcp();
    CHECK_OK(connect(c2, (SOCKADDR *)&now, sizeof now));
    set_blocking(s, 1);
    CHECK_SOCKET(a = accept(s, NULL, NULL));
    /* The accepted connection has the listener's SO_OOBINLINE in the
     * kernel too: an urgent byte reads inline, in order. */
    CHECK_EQ(send(c2, "xy", 2, 0), 2);
    CHECK_EQ(send(c2, "z", 1, MSG_OOB), 1);
    set_blocking(a, 0);
    char got3[4] = {0};
    int have = 0;
    for (int tries = 0; have < 3 && tries < 50; tries++) {
        int n = recv(a, got3 + have, 3 - have, 0);
        if (n > 0) have += n;
        else Sleep(10);
    }
    CHECK_EQ(have, 3);
    CHECK_EQ(memcmp(got3, "xyz", 3), 0);
    closesocket(a);
    closesocket(c2);
    closesocket(s);

    /* A connect that fails at once leaves an unbound socket unbound:
     * listen is WSAEINVAL (nothing renewed or bound behind the handle),
     * and a bind afterwards works. */
    s = new_tcp();
    SOCKADDR_IN group = addr4("224.0.0.1", 9);
    CHECK(connect(s, (SOCKADDR *)&group, sizeof group) == SOCKET_ERROR);
    CHECK_ERR(listen(s, 1), WSAEINVAL);
    SOCKADDR_IN lo_any = addr4("127.0.0.1", 0);
    CHECK_OK(bind(s, (SOCKADDR *)&lo_any, sizeof lo_any));
    CHECK_OK(listen(s, 1));
    closesocket(s);

    /* The any-address and port 0 are not peers. */
    s = new_tcp();
    SOCKADDR_IN zero = addr4("0.0.0.0", ntohs(addr.sin_port));
    CHECK_ERR(connect(s, (SOCKADDR *)&zero, sizeof zero), WSAEADDRNOTAVAIL);
    SOCKADDR_IN port0 = addr4("127.0.0.1", 0);
    CHECK_ERR(connect(s, (SOCKADDR *)&port0, sizeof port0), WSAEADDRNOTAVAIL);
    CHECK_ERR(connect(s, (SOCKADDR *)&addr, 4), WSAEFAULT);
    /* connect binds the socket implicitly. */
    CHECK_OK(connect(s, (SOCKADDR *)&addr, sizeof addr));
    SOCKADDR_IN name;
    len = sizeof name;
    CHECK_OK(getsockname(s, (SOCKADDR *)&name, &len));
    CHECK(name.sin_port != 0);
    CHECK_SOCKET(a = accept(l, NULL, NULL));
    /* Each end's peer is the other end's name. */
    SOCKADDR_IN peer_of_a, name_of_s;
    len = sizeof peer_of_a;
    CHECK_OK(getpeername(a, (SOCKADDR *)&peer_of_a, &len));
    len = sizeof name_of_s;
    CHECK_OK(getsockname(s, (SOCKADDR *)&name_of_s, &len));
    CHECK_EQ(peer_of_a.sin_port, name_of_s.sin_port);
    closesocket(a);
    closesocket(s);

    /* Unconnected: getpeername, recv, send and shutdown are WSAENOTCONN. */
    s = new_tcp();
    SOCKADDR_STORAGE ss;
    len = sizeof ss;
    CHECK_ERR(getpeername(s, (SOCKADDR *)&ss, &len), WSAENOTCONN);
    CHECK_ERR(recv(s, &c, 1, 0), WSAENOTCONN);
    CHECK_ERR(send(s, "x", 1, 0), WSAENOTCONN);
    CHECK_ERR(shutdown(s, SD_SEND), WSAENOTCONN);
    CHECK_ERR(shutdown(s, SD_RECEIVE), WSAENOTCONN);
    len = sizeof ss;
    CHECK_ERR(getsockname(s, (SOCKADDR *)&ss, &len), WSAEINVAL); /* unbound */
    closesocket(s);
    closesocket(l);
}

/* P8: test_shutdown. */
static void shutdown_rules(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    set_blocking(client, 0);
    CHECK_OK(shutdown(client, SD_SEND));
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_OK(shutdown(client, SD_SEND)); /* again: fine */
    CHECK_ERR(send(client, "test", 5, 0), WSAESHUTDOWN);
    char buf[16];
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 0);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 0);
    CHECK_OK(shutdown(server, SD_RECEIVE));
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAESHUTDOWN);
    CHECK_EQ(send(server, "test", 5, 0), 5); /* the other direction still works */
    RECV_EXACTLY(client, buf, 5);
    CHECK(strcmp(buf, "test") == 0);
    CHECK_OK(shutdown(client, SD_RECEIVE));
    CHECK_ERR(recv(client, buf, sizeof buf, 0), WSAESHUTDOWN);
    CHECK_ERR(recv(client, buf, sizeof buf, 0), WSAESHUTDOWN);
    CHECK_OK(shutdown(server, SD_SEND));
    CHECK_ERR(send(server, "test", 5, 0), WSAESHUTDOWN);
    SOCKADDR_IN n1, n2;
    int len = sizeof n1;
    CHECK_OK(getpeername(client, (SOCKADDR *)&n1, &len));
    len = sizeof n2;
    CHECK_OK(getsockname(server, (SOCKADDR *)&n2, &len));
    CHECK_EQ(n1.sin_port, n2.sin_port);
    CHECK_ERR(connect(client, (SOCKADDR *)&n1, sizeof n1), WSAEISCONN);
    CHECK_ERR(shutdown(client, 0xdeadbeef), WSAEINVAL);
    closesocket(client);
    closesocket(server);

    /* SD_BOTH. */
    tcp_pair(&client, &server);
    CHECK_OK(shutdown(client, SD_BOTH));
    CHECK_ERR(recv(client, buf, sizeof buf, 0), WSAESHUTDOWN);
    CHECK_ERR(send(client, "test", 5, 0), WSAESHUTDOWN);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 0);
    CHECK_OK(shutdown(server, SD_BOTH));
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAESHUTDOWN);
    CHECK_ERR(send(server, "test", 5, 0), WSAESHUTDOWN);
    len = sizeof n1;
    CHECK_OK(getpeername(server, (SOCKADDR *)&n1, &len));
    CHECK_ERR(connect(client, (SOCKADDR *)&n1, sizeof n1), WSAEISCONN);
    closesocket(client);
    closesocket(server);

    /* The peer shut down and closed; a send still succeeds, and the RST
     * that answers it makes the next recv WSAECONNABORTED (todo_wine). */
    tcp_pair(&client, &server);
    CHECK_OK(shutdown(client, SD_SEND));
    closesocket(client);
    Sleep(50);
    CHECK_EQ(send(server, "test", 5, 0), 5);
    Sleep(50);
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAECONNABORTED);
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAECONNABORTED);
    closesocket(server);
}

/* P8: test_tcp_reset: SO_LINGER {1, 0} + closesocket resets; the peer's
 * recv and send answer WSAECONNRESET every time; its SO_ERROR reads 0.
 * Also the orderly close: data, then 0, then 0 again. */
static void close_and_reset(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    LINGER lg = {1, 0};
    WSASetLastError(0xdead);
    CHECK_OK(setsockopt(client, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof lg));
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_OK(closesocket(client));
    Sleep(50);
    char buf[16];
    CHECK_EQ(so_error(server), 0);
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAECONNRESET);
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAECONNRESET);
    CHECK_ERR(send(server, "x", 1, 0), WSAECONNRESET);
    CHECK_EQ(so_error(server), 0);
    closesocket(server);

    tcp_pair(&client, &server);
    CHECK_EQ(send(client, "hello", 5, 0), 5);
    CHECK_OK(closesocket(client));
    RECV_EXACTLY(server, buf, 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 0);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    closesocket(server);
}

static SOCKET late_target;
static void *send_two_late(void *arg)
{
    (void)arg;
    Sleep(100);
    send(late_target, "ef", 2, 0);
    return NULL;
}

/* P8: recv and its flags. */
static void recv_rules(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    char buf[64];

    /* test_empty_recv: a zero-length recv returns 0 and keeps the data. */
    CHECK_EQ(send(client, "data", 5, 0), 5);
    Sleep(20);
    CHECK_EQ(recv(server, NULL, 0, 0), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    /* afd.c test_recv: a peek returns the data and keeps it. */
    CHECK_EQ(recv(server, buf, sizeof buf, MSG_PEEK), 5);
    CHECK_EQ(recv(server, buf, sizeof buf, MSG_PEEK), 5);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv(server, buf, 2, 0), 2); /* partial reads */
    CHECK_EQ(recv(server, buf + 2, sizeof buf - 2, 0), 3);
    CHECK(strcmp(buf, "data") == 0);
    CHECK_ERR(recv(server, buf, -1, 0), WSAEFAULT); /* test_read_events */

    /* test_timeout: SO_RCVTIMEO → WSAETIMEDOUT, for recv and WSARecv (the
     * count untouched). */
    int ms = 100;
    CHECK_OK(setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms, sizeof ms));
    double t0 = now_ms();
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAETIMEDOUT);
    CHECK(now_ms() - t0 >= 90);
    WSABUF wb = {sizeof buf, buf};
    DWORD got = 0xdead, flags = 0;
    CHECK_ERR(WSARecv(server, &wb, 1, &got, &flags, NULL, NULL), WSAETIMEDOUT);
    CHECK_EQ(got, 0xdead);
    ms = 0;
    CHECK_OK(setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms, sizeof ms));

    /* MSG_WAITALL (Microsoft's recv page; afd.c test_recv, todo_wine): it
     * waits for a full buffer on a blocking socket; it is refused on a
     * non-blocking one and with MSG_PEEK or MSG_OOB. */
    CHECK_EQ(send(client, "abcd", 4, 0), 4);
    late_target = client;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, send_two_late, NULL), 0);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv(server, buf, 6, MSG_WAITALL), 6);
    CHECK(memcmp(buf, "abcdef", 6) == 0);
    pthread_join(t, NULL);
    CHECK_ERR(recv(server, buf, 6, MSG_WAITALL | MSG_PEEK), WSAEOPNOTSUPP);
    CHECK_ERR(recv(server, buf, 6, MSG_WAITALL | MSG_OOB), WSAEOPNOTSUPP);
    set_blocking(server, 0);
    CHECK_ERR(recv(server, buf, 6, MSG_WAITALL), WSAEOPNOTSUPP);
    CHECK_ERR(recv(server, buf, 6, 0), WSAEWOULDBLOCK); /* nothing waiting */
    /* WSARecv's flags are written back as 0 on a stream. */
    CHECK_EQ(send(client, "xy", 2, 0), 2);
    Sleep(20);
    flags = MSG_PEEK;
    CHECK_OK(WSARecv(server, &wb, 1, &got, &flags, NULL, NULL));
    CHECK_EQ(got, 2);
    CHECK_EQ(flags, 0);
    set_blocking(server, 1);

    /* test_tcp_sendto_recvfrom: on a stream the address arguments are
     * neither checked nor written. */
    SOCKADDR_STORAGE junk;
    memset(&junk, 0xfe, sizeof junk);
    CHECK_EQ(sendto(client, "hello", 5, 0, (SOCKADDR *)&junk, sizeof(SOCKADDR_IN)), 5);
    int fromlen = 0xc0ffee11;
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recvfrom(server, buf, sizeof buf, 0, (SOCKADDR *)&junk, &fromlen), 2 + 5);
    CHECK(memcmp(buf, "xyhello", 7) == 0);
    CHECK_EQ((unsigned)fromlen, 0xc0ffee11u);
    CHECK_EQ(((unsigned char *)&junk)[0], 0xfe);
    DWORD sent = 0;
    WSABUF sb = {3, "abc"};
    CHECK_OK(WSASendTo(client, &sb, 1, &sent, 0, (SOCKADDR *)&junk, 3, NULL, NULL));
    CHECK_EQ(sent, 3);
    RECV_EXACTLY(server, buf, 3);
    /* WSASendMsg still refuses a (connected) stream socket (S9). */
    LPFN_WSASENDMSG sendmsg_fn = get_wsasendmsg(client);
    CHECK_ERR(send_msg(sendmsg_fn, client, NULL, 0, &sb, 1, NULL, 0, &sent), WSAEINVAL);
    closesocket(client);
    closesocket(server);
}

/* P8: MSG_OOB as Windows treats it (afd.c test_recv, test_select's OOB
 * block, test_fionread_siocatmark): the urgent byte is kept out of the
 * normal stream, read with MSG_OOB; SIOCATMARK is FALSE while it waits;
 * with SO_OOBINLINE it reads inline and recv(MSG_OOB) is WSAEINVAL.
 * Linux keeps one urgent byte and drops it once a normal receive reads
 * past it (Windows queues them), so this reads it first: README, P8 row. */
static void oob_rules(void)
{
    SOCKET client, server;
    tcp_pair(&client, &server);
    u_long atmark = 0xdead;
    CHECK_OK(ioctlsocket(server, SIOCATMARK, &atmark));
    CHECK_EQ(atmark, 1);
    CHECK_EQ(send(client, "a", 1, MSG_OOB), 1);
    CHECK_EQ(send(client, "data", 5, 0), 5);
    Sleep(50);
    CHECK_OK(ioctlsocket(server, SIOCATMARK, &atmark));
    CHECK_EQ(atmark, 0);
    char buf[16];
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv(server, buf, sizeof buf, MSG_OOB), 1);
    CHECK_EQ(buf[0], 'a');
    memset(buf, 0, sizeof buf);
    RECV_EXACTLY(server, buf, 5); /* the normal stream skips the urgent byte */
    CHECK(strcmp(buf, "data") == 0);
    CHECK_OK(ioctlsocket(server, SIOCATMARK, &atmark));
    CHECK_EQ(atmark, 1);
    DWORD bytes = 0;
    atmark = 0xdead;
    CHECK_OK(WSAIoctl(server, SIOCATMARK, NULL, 0, &atmark, sizeof atmark, &bytes, NULL, NULL));
    CHECK_EQ(bytes, 4);
    CHECK_EQ(atmark, 1);

    int one = 1;
    CHECK_OK(setsockopt(server, SOL_SOCKET, SO_OOBINLINE, (char *)&one, sizeof one));
    CHECK_EQ(send(client, "b", 1, MSG_OOB), 1);
    Sleep(50);
    CHECK_ERR(recv(server, buf, sizeof buf, MSG_OOB), WSAEINVAL);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 1);
    CHECK_EQ(buf[0], 'b');
    /* send(MSG_OOB) with SO_OOBINLINE on is WSAEINVAL (Microsoft's send page). */
    CHECK_ERR(send(server, "c", 1, MSG_OOB), WSAEINVAL);
    closesocket(client);
    closesocket(server);
}

/* P8: option sizes and values (test_set_getsockopt, test_extendedSocketOptions). */
static void option_rules(void)
{
    SOCKET s = new_tcp();
    static const LINGER lingers[] = {{0, 0}, {0, 73}, {1, 0}, {5, 189}};
    for (size_t i = 0; i < sizeof lingers / sizeof lingers[0]; i++) {
        LINGER set = lingers[i], got = {0xffff, 0xffff};
        CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&set, sizeof set));
        int len = sizeof got;
        CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&got, &len));
        CHECK_EQ(len, 4);
        CHECK_EQ(!!got.l_onoff, !!set.l_onoff);
        if (set.l_onoff) CHECK_EQ(got.l_linger, set.l_linger);
        int dont = -1;
        len = sizeof dont;
        CHECK_OK(getsockopt(s, SOL_SOCKET, SO_DONTLINGER, (char *)&dont, &len));
        CHECK_EQ(dont, !set.l_onoff);
    }
    BOOL dont = TRUE;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_DONTLINGER, (char *)&dont, sizeof dont));
    LINGER got;
    int len = sizeof got;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&got, &len));
    CHECK_EQ(got.l_onoff, 0);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_LINGER, NULL, sizeof(LINGER)), WSAEFAULT);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&got, 2), WSAEFAULT);

    /* TCP_NODELAY: any positive length sets it from its first byte; a get
     * writes one byte. */
    int v = 1;
    CHECK_OK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&v, 42));
    int buf4 = 0xff;
    len = sizeof buf4;
    CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&buf4, &len));
    CHECK_EQ(len, 1);
    CHECK_EQ(buf4, 1);
    v = 0x100;
    CHECK_OK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&v, 4));
    len = sizeof buf4;
    buf4 = 0xff;
    CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&buf4, &len));
    CHECK_EQ(buf4 & 0xff, 0);
    CHECK_ERR(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&v, 0), WSAEFAULT);

    /* SO_LINGER is a stream option: WSAENOPROTOOPT on UDP. */
    SOCKET u;
    CHECK_SOCKET(u = socket(AF_INET, SOCK_DGRAM, 0));
    len = sizeof got;
    CHECK_ERR(getsockopt(u, SOL_SOCKET, SO_LINGER, (char *)&got, &len), WSAENOPROTOOPT);

    /* test_keepalive_vals: SIO_KEEPALIVE_VALS takes a 12-byte tcp_keepalive. */
    struct tcp_keepalive kalive = {0, 0, 0};
    DWORD size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_KEEPALIVE_VALS, &kalive, 0, NULL, 0, &size, NULL, NULL), WSAEFAULT);
    CHECK_EQ(size, 0);
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(s, SIO_KEEPALIVE_VALS, NULL, sizeof kalive, NULL, 0, &size, NULL, NULL),
              WSAEFAULT);
    CHECK_EQ(size, 0);
    size = 0xdeadbeef;
    WSASetLastError(0xdead);
    CHECK_OK(WSAIoctl(s, SIO_KEEPALIVE_VALS, &kalive, sizeof kalive, NULL, 0, &size, NULL, NULL));
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, 0);
    CHECK_ERR(WSAIoctl(s, SIO_KEEPALIVE_VALS, &kalive, sizeof kalive, NULL, 0, NULL, NULL, NULL),
              WSAEFAULT);
    static const struct tcp_keepalive vals[] = {
        {1, 0, 0}, {1, 1000, 1000}, {1, 10000, 10000}, {1, 100, 100}, {0, 100, 100}};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        kalive = vals[i];
        CHECK_OK(WSAIoctl(s, SIO_KEEPALIVE_VALS, &kalive, sizeof kalive, NULL, 0, &size, NULL,
                          NULL));
        int on = -1;
        len = sizeof on;
        CHECK_OK(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&on, &len));
        CHECK_EQ(on & 0xff, (int)vals[i].onoff);
    }
    kalive.onoff = 1;
    CHECK_ERR(WSAIoctl(u, SIO_KEEPALIVE_VALS, &kalive, sizeof kalive, NULL, 0, &size, NULL, NULL),
              WSAENOPROTOOPT);
    closesocket(u);
    closesocket(s);
}

static SOCKET blocked_listener;
static int accept_result_error;
/* P8: test_backlog_query (SIO_IDEAL_SEND_BACKLOG_QUERY) and SO_CONNECT_TIME
 * (research-fidelity-options.md §2): unconnected, connected, datagram. */
static void backlog_query_and_connect_time(void)
{
    ULONG isb = 0xdeadbeef;
    DWORD size = 0xdeadbeef, secs = 0;
    int len = sizeof secs;
    SOCKET s = new_tcp();
    CHECK_ERR(idealsendbacklogquery(s, &isb), WSAENOTCONN);
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_CONNECT_TIME, (char *)&secs, &len));
    CHECK_EQ(secs, 0xffffffffu);
    closesocket(s);

    SOCKET c, srv;
    tcp_pair(&c, &srv);
    CHECK_OK(WSAIoctl(c, SIO_IDEAL_SEND_BACKLOG_QUERY, NULL, 0, &isb, sizeof isb, &size, NULL,
                      NULL));
    CHECK_EQ(isb, 0x10000);
    CHECK_EQ(size, sizeof isb);
    CHECK_ERR(WSAIoctl(c, SIO_IDEAL_SEND_BACKLOG_QUERY, NULL, 0, &isb, 2, &size, NULL, NULL),
              WSAEFAULT);
    len = sizeof secs;
    CHECK_OK(getsockopt(c, SOL_SOCKET, SO_CONNECT_TIME, (char *)&secs, &len));
    CHECK_EQ(secs, 0);
    len = sizeof secs;
    CHECK_OK(getsockopt(srv, SOL_SOCKET, SO_CONNECT_TIME, (char *)&secs, &len));
    CHECK_EQ(secs, 0);
    closesocket(c);
    closesocket(srv);

    SOCKET u;
    CHECK_SOCKET(u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_ERR(idealsendbacklogquery(u, &isb), WSAEOPNOTSUPP);
    closesocket(u);
}

static void *accept_blocked(void *arg)
{
    (void)arg;
    SOCKET a = accept(blocked_listener, NULL, NULL);
    accept_result_error = a == INVALID_SOCKET ? WSAGetLastError() : 0;
    return NULL;
}

/* P8, S37: a blocking accept waits; closesocket of its listener from
 * another thread wakes it with INVALID_SOCKET (test_accept's
 * AcceptKillThread; WSAEINTR per S37). */
static void accept_interrupted(void)
{
    SOCKADDR_IN addr;
    blocked_listener = tcp_listener("127.0.0.1", &addr);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, accept_blocked, NULL), 0);
    Sleep(200);
    double t0 = now_ms();
    CHECK_OK(closesocket(blocked_listener));
    pthread_join(t, NULL);
    CHECK(now_ms() - t0 < 1000);
    CHECK_EQ(accept_result_error, WSAEINTR);
}

int main(void)
{
    startup();
    listen_rules();
    accept_rules();
    accept_inherits();
    connect_rules();
    shutdown_rules();
    close_and_reset();
    recv_rules();
    oob_rules();
    option_rules();
    backlog_query_and_connect_time();
    accept_interrupted();
    WSACleanup();
    printf("stream_calls: ok\n");
    return 0;
}
