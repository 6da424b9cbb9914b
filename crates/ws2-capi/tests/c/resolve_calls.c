/* Name resolution (P2): getaddrinfo, GetAddrInfoW, GetAddrInfoExA/W,
 * getnameinfo, GetNameInfoW, gethostbyname, gethostbyaddr, gethostname,
 * GetHostNameW, getservbyname, getservbyport, getprotobyname,
 * getprotobynumber, each with bad input. Windows' answers are those Wine's
 * protocol.c records on Windows (each block names its test function) or
 * Microsoft's pages where Wine has no test.
 *
 * Runs in a network namespace whose /etc/hosts (testnet's resolver_files)
 * holds localhost, this machine's name (127.0.0.1 only) and:
 *   10.20.30.40 host4.ws2.test alias4
 *   fd00:20::40 host6.ws2.test
 *   10.20.30.41 both.ws2.test      and   fd00:20::41 both.ws2.test
 * with files-only nsswitch.conf and no DNS server.
 * Clauses: P2 (also S4: WSANOTINITIALISED; S41: last error 0 on success). */
#include "common.h"
#include <threads.h>

#define W(s) ((const WCHAR *)u##s)

static int wcs_eq(const WCHAR *a, const char *b)
{
    while (*a && *b && *a == (WCHAR)(unsigned char)*b) a++, b++;
    return *a == 0 && *b == 0;
}

static int count(const ADDRINFOA *ai)
{
    int n = 0;
    for (; ai; ai = ai->ai_next) n++;
    return n;
}

/* Two lists with the same entries (Wine's compare_addrinfo). */
static int same_list(const ADDRINFOA *a, const ADDRINFOA *b)
{
    for (; a && b; a = a->ai_next, b = b->ai_next) {
        if (a->ai_flags != b->ai_flags || a->ai_family != b->ai_family ||
            a->ai_socktype != b->ai_socktype || a->ai_protocol != b->ai_protocol ||
            a->ai_addrlen != b->ai_addrlen || memcmp(a->ai_addr, b->ai_addr, a->ai_addrlen) != 0 ||
            (a->ai_canonname == NULL) != (b->ai_canonname == NULL))
            return 0;
    }
    return a == NULL && b == NULL;
}

static const char *text_of(const SOCKADDR *sa)
{
    static char buf[INET6_ADDRSTRLEN];
    DWORD len = sizeof buf;
    if (WSAAddressToStringA((LPSOCKADDR)sa, sa->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6)
                                                                      : sizeof(SOCKADDR_IN),
                            NULL, buf, &len) != 0)
        return "?";
    return buf;
}

/* getaddrinfo must return `code`, leave it as the last error, and leave
 * *res NULL (preset to garbage). */
#define GAI_FAILS(node, serv, hints, code)                                                \
    do {                                                                                 \
        ADDRINFOA *r_ = (ADDRINFOA *)0xdeadbeef;                                         \
        WSASetLastError(0xdead);                                                         \
        CHECK_EQ(getaddrinfo((node), (serv), (hints), &r_), (code));                     \
        CHECK_EQ(WSAGetLastError(), (code));                                             \
        CHECK(r_ == NULL);                                                               \
    } while (0)

/* ---- test_getaddrinfo --------------------------------------------------- */
static void getaddrinfo_cases(const char *hostname)
{
    ADDRINFOA hints, *res, *res2;
    SOCKADDR_IN *sin;
    SOCKADDR_IN6 *sin6;
    char text[INET6_ADDRSTRLEN];
    static const unsigned char beefcafe[16] = {0xbe, 0xef, 0, 0, 0, 0, 0, 0,
                                               0, 0, 0, 0, 0, 0, 0xca, 0xfe};

    GAI_FAILS(NULL, NULL, NULL, WSAHOST_NOT_FOUND);
    GAI_FAILS(NULL, NULL, NULL, EAI_NONAME);

    WSASetLastError(0xdead);
    CHECK_EQ(getaddrinfo("", NULL, NULL, &res), 0);
    CHECK(res != NULL);
    CHECK_EQ(WSAGetLastError(), 0);
    /* "" is the local host: the same list as its name. */
    CHECK_EQ(getaddrinfo(hostname, NULL, NULL, &res2), 0);
    CHECK(same_list(res, res2));
    freeaddrinfo(res2);
    freeaddrinfo(res);

    CHECK_EQ(getaddrinfo(NULL, "0", NULL, &res), 0);
    CHECK_EQ(getaddrinfo(NULL, "", NULL, &res2), 0);
    CHECK(same_list(res, res2));
    freeaddrinfo(res);
    freeaddrinfo(res2);
    CHECK_EQ(getaddrinfo("", "0", NULL, &res), 0);
    CHECK_EQ(getaddrinfo("", "", NULL, &res2), 0);
    CHECK(same_list(res, res2));
    freeaddrinfo(res);
    freeaddrinfo(res2);

    CHECK_EQ(getaddrinfo("localhost", NULL, NULL, &res), 0);
    freeaddrinfo(res);
    CHECK_EQ(getaddrinfo("localhost", "", NULL, &res), 0);
    freeaddrinfo(res);
    CHECK_EQ(getaddrinfo("localhost", "0", NULL, &res), 0);
    freeaddrinfo(res);
    memset(&hints, 0, sizeof hints);
    WSASetLastError(0xdead);
    CHECK_EQ(getaddrinfo("localhost", "80", &hints, &res), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    for (res2 = res; res2; res2 = res2->ai_next) {
        CHECK(res2->ai_family == AF_INET || res2->ai_family == AF_INET6);
        CHECK_EQ(ntohs(SS_PORT(res2->ai_addr)), 80);
    }
    freeaddrinfo(res);

    hints.ai_flags = AI_NUMERICHOST;
    GAI_FAILS("localhost", "80", &hints, WSAHOST_NOT_FOUND);
    GAI_FAILS("nxdomain.ws2.test", NULL, NULL, WSAHOST_NOT_FOUND);

    /* Numeric IPv4: the address, port 0. */
    CHECK_EQ(getaddrinfo("192.168.1.253", NULL, NULL, &res), 0);
    CHECK_EQ(res->ai_family, AF_INET);
    CHECK(res->ai_addrlen >= sizeof(SOCKADDR_IN) && res->ai_addr != NULL);
    sin = (SOCKADDR_IN *)res->ai_addr;
    CHECK_EQ(sin->sin_family, AF_INET);
    CHECK_EQ(sin->sin_port, 0);
    CHECK(strcmp(text_of(res->ai_addr), "192.168.1.253") == 0);
    freeaddrinfo(res);
    GAI_FAILS("192.168.1.253:1024", NULL, &hints, WSAHOST_NOT_FOUND);

    /* Numeric IPv6, with Windows' brackets. */
    CHECK_EQ(getaddrinfo("2a00:2039:dead:beef:cafe::6666", NULL, NULL, &res), 0);
    CHECK_EQ(res->ai_family, AF_INET6);
    CHECK(res->ai_addrlen >= sizeof(SOCKADDR_IN6));
    sin6 = (SOCKADDR_IN6 *)res->ai_addr;
    CHECK_EQ(sin6->sin6_family, AF_INET6);
    CHECK_EQ(sin6->sin6_port, 0);
    CHECK(inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text) != NULL);
    CHECK(strcmp(text, "2a00:2039:dead:beef:cafe::6666") == 0);
    freeaddrinfo(res);
    CHECK_EQ(getaddrinfo("[beef::cafe]", NULL, NULL, &res), 0);
    CHECK_EQ(res->ai_family, AF_INET6);
    CHECK(memcmp(&((SOCKADDR_IN6 *)res->ai_addr)->sin6_addr, beefcafe, 16) == 0);
    freeaddrinfo(res);
    hints.ai_family = AF_INET6;
    CHECK_EQ(getaddrinfo("[beef::cafe]", NULL, &hints, &res), 0);
    freeaddrinfo(res);
    hints.ai_family = AF_INET;
    GAI_FAILS("[beef::cafe]", NULL, &hints, WSAHOST_NOT_FOUND);
    CHECK_EQ(getaddrinfo("[beef::cafe]:10239", NULL, NULL, &res), 0);
    CHECK_EQ(res->ai_family, AF_INET6);
    CHECK_EQ(((SOCKADDR_IN6 *)res->ai_addr)->sin6_port, 0);
    CHECK(memcmp(&((SOCKADDR_IN6 *)res->ai_addr)->sin6_addr, beefcafe, 16) == 0);
    freeaddrinfo(res);
    GAI_FAILS("[beef::cafe", NULL, &hints, WSAHOST_NOT_FOUND);
    GAI_FAILS("beef::cafe]", NULL, &hints, WSAHOST_NOT_FOUND);

    /* A service name nobody has. */
    memset(&hints, 0, sizeof hints);
    GAI_FAILS(NULL, "nonexistentservice", &hints, WSATYPE_NOT_FOUND);

    /* The last block of test_getaddrinfo, on a hosts-file name: one entry
     * per address, hint flags not copied, socktype/protocol echoed, no
     * canonical name unless asked, ai_addrlen exactly 16. */
    hints.ai_flags = AI_ALL | AI_DNS_ONLY;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    CHECK_EQ(getaddrinfo("host4.ws2.test", NULL, &hints, &res), 0);
    CHECK_EQ(count(res), 1);
    CHECK_EQ(res->ai_flags, 0);
    CHECK_EQ(res->ai_family, AF_INET);
    CHECK_EQ(res->ai_socktype, SOCK_STREAM);
    CHECK_EQ(res->ai_protocol, IPPROTO_TCP);
    CHECK(res->ai_canonname == NULL);
    CHECK_EQ(res->ai_addrlen, sizeof(SOCKADDR_IN));
    CHECK_EQ(((SOCKADDR_IN *)res->ai_addr)->sin_port, 0);
    CHECK(strcmp(text_of(res->ai_addr), "10.20.30.40") == 0);
    freeaddrinfo(res);

    /* AI_CANONNAME: on the first entry only. */
    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_CANONNAME;
    CHECK_EQ(getaddrinfo("both.ws2.test", "http", &hints, &res), 0);
    CHECK_EQ(count(res), 2);
    CHECK(res->ai_canonname != NULL && strcmp(res->ai_canonname, "both.ws2.test") == 0);
    CHECK(res->ai_next->ai_canonname == NULL);
    for (res2 = res; res2; res2 = res2->ai_next) {
        CHECK_EQ(res2->ai_socktype, 0);
        CHECK_EQ(ntohs(SS_PORT(res2->ai_addr)), 80);
        CHECK_EQ(res2->ai_addrlen, res2->ai_family == AF_INET6 ? 28 : 16);
    }
    freeaddrinfo(res);

    /* AI_PASSIVE without a node: the wildcard addresses; without it, loopback. */
    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_PASSIVE;
    hints.ai_family = AF_INET;
    CHECK_EQ(getaddrinfo(NULL, "27015", &hints, &res), 0);
    CHECK(strcmp(text_of(res->ai_addr), "0.0.0.0:27015") == 0);
    freeaddrinfo(res);
    hints.ai_family = AF_INET6;
    CHECK_EQ(getaddrinfo(NULL, "27015", &hints, &res), 0);
    CHECK(strcmp(text_of(res->ai_addr), "[::]:27015") == 0);
    freeaddrinfo(res);
    hints.ai_flags = 0;
    CHECK_EQ(getaddrinfo(NULL, "27015", &hints, &res), 0);
    CHECK(strcmp(text_of(res->ai_addr), "[::1]:27015") == 0);
    freeaddrinfo(res);

    /* AI_V4MAPPED (0x800, glibc's is 8) with AF_INET6. */
    hints.ai_flags = AI_V4MAPPED;
    hints.ai_family = AF_INET6;
    CHECK_EQ(getaddrinfo("host4.ws2.test", NULL, &hints, &res), 0);
    CHECK(strcmp(text_of(res->ai_addr), "::ffff:10.20.30.40") == 0);
    freeaddrinfo(res);

    /* Services by name, and AI_NUMERICSERV (8, glibc's is 0x400). */
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_DGRAM;
    CHECK_EQ(getaddrinfo("127.0.0.1", "domain", &hints, &res), 0);
    CHECK_EQ(ntohs(SS_PORT(res->ai_addr)), 53);
    CHECK_EQ(res->ai_socktype, SOCK_DGRAM);
    freeaddrinfo(res);
    hints.ai_flags = AI_NUMERICSERV;
    GAI_FAILS("127.0.0.1", "domain", &hints, WSAHOST_NOT_FOUND);

    /* Bad hints (Microsoft's getaddrinfo page). */
    memset(&hints, 0, sizeof hints);
    hints.ai_addrlen = 16;
    GAI_FAILS("localhost", NULL, &hints, WSANO_RECOVERY);
    hints.ai_addrlen = 0;
    hints.ai_next = &hints;
    GAI_FAILS("localhost", NULL, &hints, WSANO_RECOVERY);
    hints.ai_next = NULL;
    hints.ai_family = 10; /* Linux's AF_INET6: not a Windows family */
    GAI_FAILS("localhost", NULL, &hints, WSAEAFNOSUPPORT);
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = 0x2000; /* no AI_ flag has this bit */
    GAI_FAILS("localhost", NULL, &hints, WSAEINVAL);
    hints.ai_flags = AI_FQDN | AI_CANONNAME;
    GAI_FAILS("localhost", NULL, &hints, EAI_BADFLAGS);
    hints.ai_flags = AI_CANONNAME;
    GAI_FAILS(NULL, "80", &hints, WSANO_RECOVERY);
    WSASetLastError(0xdead);
    CHECK_EQ(getaddrinfo("localhost", NULL, NULL, NULL), WSAEFAULT);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    freeaddrinfo(NULL);
}

/* ---- hinttests (test_getaddrinfo and test_GetAddrInfoW) ------------------ */
static const struct {
    int family, socktype, protocol, error;
} hinttests[] = {
    {AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, 0},   {AF_UNSPEC, SOCK_STREAM, IPPROTO_UDP, 0},
    {AF_UNSPEC, SOCK_STREAM, IPPROTO_IPV6, 0},  {AF_UNSPEC, SOCK_DGRAM, IPPROTO_TCP, 0},
    {AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, 0},    {AF_UNSPEC, SOCK_DGRAM, IPPROTO_IPV6, 0},
    {AF_INET, SOCK_STREAM, IPPROTO_TCP, 0},     {AF_INET, SOCK_STREAM, IPPROTO_UDP, 0},
    {AF_INET, SOCK_STREAM, IPPROTO_IPV6, 0},    {AF_INET, SOCK_DGRAM, IPPROTO_TCP, 0},
    {AF_INET, SOCK_DGRAM, IPPROTO_UDP, 0},      {AF_INET, SOCK_DGRAM, IPPROTO_IPV6, 0},
    {AF_UNSPEC, 0, IPPROTO_TCP, 0},             {AF_UNSPEC, 0, IPPROTO_UDP, 0},
    {AF_UNSPEC, 0, IPPROTO_IPV6, 0},            {AF_UNSPEC, SOCK_STREAM, 0, 0},
    {AF_UNSPEC, SOCK_DGRAM, 0, 0},              {AF_INET, 0, IPPROTO_TCP, 0},
    {AF_INET, 0, IPPROTO_UDP, 0},               {AF_INET, 0, IPPROTO_IPV6, 0},
    {AF_INET, SOCK_STREAM, 0, 0},               {AF_INET, SOCK_DGRAM, 0, 0},
    {AF_UNSPEC, 999, IPPROTO_TCP, WSAESOCKTNOSUPPORT},
    {AF_UNSPEC, 999, IPPROTO_UDP, WSAESOCKTNOSUPPORT},
    {AF_UNSPEC, 999, IPPROTO_IPV6, WSAESOCKTNOSUPPORT},
    {AF_INET, 999, IPPROTO_TCP, WSAESOCKTNOSUPPORT},
    {AF_INET, 999, IPPROTO_UDP, WSAESOCKTNOSUPPORT},
    {AF_INET, 999, IPPROTO_IPV6, WSAESOCKTNOSUPPORT},
    {AF_UNSPEC, SOCK_STREAM, 999, 0},           {AF_INET, SOCK_DGRAM, 999, 0},
};

static void hint_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof hinttests / sizeof hinttests[0]; i++) {
        ADDRINFOA hints, *res = NULL, *ai;
        ADDRINFOW whints, *wres = NULL, *wai;
        int r, wr;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = hinttests[i].family;
        hints.ai_socktype = hinttests[i].socktype;
        hints.ai_protocol = hinttests[i].protocol;
        memset(&whints, 0, sizeof whints);
        whints.ai_family = hinttests[i].family;
        whints.ai_socktype = hinttests[i].socktype;
        whints.ai_protocol = hinttests[i].protocol;
        WSASetLastError(0xdead);
        r = getaddrinfo("localhost", NULL, &hints, &res);
        if (r != hinttests[i].error) {
            fprintf(stderr, "hinttests[%zu]: getaddrinfo returned %d, Windows %d\n", i, r,
                    hinttests[i].error);
            exit(1);
        }
        CHECK_EQ(WSAGetLastError(), r);
        wr = GetAddrInfoW(W("localhost"), NULL, &whints, &wres);
        CHECK_EQ(wr, hinttests[i].error);
        if (r == 0) {
            for (ai = res; ai; ai = ai->ai_next) {
                CHECK_EQ(ai->ai_socktype, hinttests[i].socktype);
                CHECK_EQ(ai->ai_protocol, hinttests[i].protocol);
                if (hinttests[i].family == AF_UNSPEC)
                    CHECK(ai->ai_family == AF_INET || ai->ai_family == AF_INET6);
                else
                    CHECK_EQ(ai->ai_family, hinttests[i].family);
            }
            for (wai = wres; wai; wai = wai->ai_next) {
                CHECK_EQ(wai->ai_socktype, hinttests[i].socktype);
                CHECK_EQ(wai->ai_protocol, hinttests[i].protocol);
            }
            freeaddrinfo(res);
            FreeAddrInfoW(wres);
        } else {
            CHECK(res == NULL && wres == NULL);
        }
    }
}

/* ---- test_GetAddrInfoW -------------------------------------------------- */
static void getaddrinfow_cases(void)
{
    ADDRINFOW hints, *res = (ADDRINFOW *)0xdeadbeef;

    WSASetLastError(0xdead);
    CHECK_EQ(GetAddrInfoW(NULL, NULL, NULL, &res), WSAHOST_NOT_FOUND);
    CHECK_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
    CHECK(res == NULL);
    WSASetLastError(0xdead);
    CHECK_EQ(GetAddrInfoW(W(""), NULL, NULL, &res), 0);
    CHECK(res != NULL);
    CHECK_EQ(WSAGetLastError(), 0);
    FreeAddrInfoW(res);
    CHECK_EQ(GetAddrInfoW(W("localhost"), W("80"), NULL, &res), 0);
    FreeAddrInfoW(res);
    res = (ADDRINFOW *)0xdeadbeef;
    CHECK_EQ(GetAddrInfoW(W("nxdomain.ws2.test"), NULL, NULL, &res), WSAHOST_NOT_FOUND);
    CHECK(res == NULL);

    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_CANONNAME;
    hints.ai_family = AF_INET;
    CHECK_EQ(GetAddrInfoW(W("host4.ws2.test"), NULL, &hints, &res), 0);
    CHECK(res->ai_canonname != NULL && wcs_eq(res->ai_canonname, "host4.ws2.test"));
    CHECK_EQ(res->ai_addrlen, sizeof(SOCKADDR_IN));
    CHECK(strcmp(text_of(res->ai_addr), "10.20.30.40") == 0);
    FreeAddrInfoW(res);

    /* A Unicode name with IDN conversion turned off is unknown. */
    hints.ai_flags = AI_DISABLE_IDN_ENCODING;
    res = (ADDRINFOW *)0xdeadbeef;
    WSASetLastError(0xdead);
    CHECK_EQ(GetAddrInfoW(W("\u30c6\u30b9\u30c8.ws2.test"), NULL, &hints, &res),
             WSAHOST_NOT_FOUND);
    CHECK_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
    CHECK(res == NULL);
}

/* ---- test_GetAddrInfoExW (synchronous) ----------------------------------- */
static void getaddrinfoex_cases(void)
{
    ADDRINFOEXW *res = (ADDRINFOEXW *)0xdeadbeef;
    ADDRINFOEXA *resa = NULL;
    OVERLAPPED ov;

    WSASetLastError(0xdead);
    CHECK_EQ(GetAddrInfoExW(NULL, NULL, NS_DNS, NULL, NULL, &res, NULL, NULL, NULL, NULL),
             WSAHOST_NOT_FOUND);
    CHECK_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
    CHECK(res == NULL);
    WSASetLastError(0xdead);
    CHECK_EQ(GetAddrInfoExW(W(""), NULL, NS_DNS, NULL, NULL, &res, NULL, NULL, NULL, NULL), 0);
    CHECK(res != NULL);
    CHECK_EQ(WSAGetLastError(), 0);
    FreeAddrInfoExW(res);
    CHECK_EQ(GetAddrInfoExW(W("localhost"), NULL, NS_DNS, NULL, NULL, &res, NULL, NULL, NULL,
                            NULL),
             0);
    CHECK(res->ai_blob == NULL && res->ai_bloblen == 0 && res->ai_provider == NULL);
    FreeAddrInfoExW(res);
    CHECK_EQ(GetAddrInfoExA("host4.ws2.test", "80", NS_ALL, NULL, NULL, &resa, NULL, NULL, NULL,
                            NULL),
             0);
    CHECK(strcmp(text_of(resa->ai_addr), "10.20.30.40:80") == 0);
    FreeAddrInfoEx(resa);

    CHECK_EQ(GetAddrInfoExOverlappedResult(NULL), WSAEINVAL);
    /* Asynchronous use is not provided: WSAEINVAL, nothing started. */
    memset(&ov, 0, sizeof ov);
    res = (ADDRINFOEXW *)0xdeadbeef;
    CHECK_EQ(GetAddrInfoExW(W("localhost"), NULL, NS_DNS, NULL, NULL, &res, NULL, &ov, NULL,
                            NULL),
             WSAEINVAL);
    CHECK(res == NULL);
    CHECK_EQ(GetAddrInfoExW(W("localhost"), NULL, 99, NULL, NULL, &res, NULL, NULL, NULL, NULL),
             WSAEINVAL);
}

/* ---- getnameinfo / GetNameInfoW (Microsoft's getnameinfo page) ----------- */
static void getnameinfo_cases(void)
{
    SOCKADDR_IN sin;
    SOCKADDR_IN6 sin6;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    WCHAR whost[NI_MAXHOST], wserv[NI_MAXSERV];

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(80);
    CHECK_EQ(inet_pton(AF_INET, "10.20.30.40", &sin.sin_addr), 1);

    WSASetLastError(0xdead);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, host, sizeof host, serv, sizeof serv, 0),
             0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK(strcmp(host, "host4.ws2.test") == 0);
    CHECK(strcmp(serv, "http") == 0);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, host, sizeof host, serv, sizeof serv,
                         NI_NUMERICHOST | NI_NUMERICSERV),
             0);
    CHECK(strcmp(host, "10.20.30.40") == 0 && strcmp(serv, "80") == 0);
    sin.sin_port = htons(53);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, NULL, 0, serv, sizeof serv, NI_DGRAM), 0);
    CHECK(strcmp(serv, "domain") == 0);
    sin.sin_port = htons(34567); /* no service: its number (Vista and later) */
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, NULL, 0, serv, sizeof serv, 0), 0);
    CHECK(strcmp(serv, "34567") == 0);
    /* An address without a name: numeric, unless NI_NAMEREQD. */
    CHECK_EQ(inet_pton(AF_INET, "10.99.99.99", &sin.sin_addr), 1);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, host, sizeof host, NULL, 0, 0), 0);
    CHECK(strcmp(host, "10.99.99.99") == 0);
    WSASetLastError(0xdead);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, host, sizeof host, NULL, 0, NI_NAMEREQD),
             EAI_NONAME);
    CHECK_EQ(WSAGetLastError(), EAI_NONAME);

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6addr_loopback;
    CHECK_EQ(GetNameInfoW((SOCKADDR *)&sin6, sizeof sin6, whost, NI_MAXHOST, wserv, NI_MAXSERV,
                          NI_NUMERICSERV),
             0);
    CHECK(wcs_eq(whost, "localhost") && wcs_eq(wserv, "0"));
    CHECK_EQ(GetNameInfoW((SOCKADDR *)&sin6, sizeof sin6, whost, 9, NULL, 0, 0), WSAEFAULT);
    CHECK_EQ(GetNameInfoW((SOCKADDR *)&sin6, sizeof sin6, whost, 10, NULL, 0, 0), 0);

    /* Bad input. */
    CHECK_EQ(getnameinfo(NULL, sizeof sin, host, sizeof host, NULL, 0, 0), WSAEFAULT);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin - 1, host, sizeof host, NULL, 0, 0),
             WSAEFAULT);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin6, sizeof sin6 - 1, host, sizeof host, NULL, 0, 0),
             WSAEFAULT);
    sin.sin_family = AF_UNIX;
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, host, sizeof host, NULL, 0, 0),
             WSAEAFNOSUPPORT);
    sin.sin_family = AF_INET;
    WSASetLastError(0xdead);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, NULL, 0, NULL, 0, 0), EAI_NONAME);
    CHECK_EQ(WSAGetLastError(), EAI_NONAME);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, host, 0, NULL, 0, 0), EAI_BADFLAGS);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, NULL, 0, serv, 0, 0), EAI_BADFLAGS);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, host, sizeof host, NULL, 0, 0x40),
             EAI_BADFLAGS);
    CHECK_EQ(getnameinfo((SOCKADDR *)&sin, sizeof sin, host, 5, NULL, 0, NI_NUMERICHOST),
             WSAEFAULT);
}

/* ---- test_dns, test_gethostbyname, Microsoft's gethostbyaddr page -------- */
static void hostent_cases(const char *hostname)
{
    struct hostent *h, *again;
    char **p;
    int n, aliases = 0, has_loopback = 0;
    IN_ADDR a;
    IN6_ADDR a6;

    CHECK((h = gethostbyname("")) != NULL);
    CHECK(gethostbyname(NULL) != NULL);
    WSASetLastError(0xdead);
    CHECK((h = gethostbyname(hostname)) != NULL);
    CHECK_EQ(WSAGetLastError(), 0);
    for (n = 0; h->h_addr_list[n]; n++)
        if (((IN_ADDR *)h->h_addr_list[n])->s_addr == htonl(INADDR_LOOPBACK)) has_loopback = 1;
    CHECK(!has_loopback || n == 1); /* 127.0.0.1 is then the only address */

    CHECK((h = gethostbyname("host4.ws2.test")) != NULL);
    CHECK(strcmp(h->h_name, "host4.ws2.test") == 0);
    CHECK_EQ(h->h_addrtype, AF_INET);
    CHECK_EQ(h->h_length, 4);
    CHECK(strcmp(inet_ntoa(*(IN_ADDR *)h->h_addr), "10.20.30.40") == 0);
    for (p = h->h_aliases; *p; p++) aliases += strcmp(*p, "alias4") == 0;
    CHECK_EQ(aliases, 1);
    /* One block, laid out as Windows lays it out. */
    CHECK(h->h_aliases == (char **)(h + 1));
    for (p = h->h_aliases; *p; p++)
        ;
    CHECK(h->h_addr_list == p + 1);
    for (p = h->h_addr_list; *p; p++)
        ;
    CHECK(h->h_addr_list[0] == (char *)(p + 1));
    /* One hostent per thread, reused. */
    again = gethostbyname("localhost");
    CHECK(again == h);
    CHECK(strcmp(inet_ntoa(*(IN_ADDR *)again->h_addr), "127.0.0.1") == 0);

    /* IPv4 text needs no lookup; IPv6 text and unknown names fail. */
    CHECK((h = gethostbyname("192.0.2.9")) != NULL);
    CHECK(strcmp(h->h_name, "192.0.2.9") == 0);
    CHECK(strcmp(inet_ntoa(*(IN_ADDR *)h->h_addr), "192.0.2.9") == 0);
    WSASetLastError(0xdead);
    CHECK(gethostbyname("::1") == NULL);
    CHECK_EQ(WSAGetLastError(), WSANO_DATA);
    CHECK(gethostbyname("192.0.2.300") == NULL);
    CHECK_EQ(WSAGetLastError(), WSANO_DATA);
    CHECK(gethostbyname("nxdomain.ws2.test") == NULL);
    CHECK_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
    CHECK_EQ(h_errno, WSAHOST_NOT_FOUND);

    a.s_addr = htonl(INADDR_LOOPBACK);
    CHECK((h = gethostbyaddr((const char *)&a, 4, AF_INET)) != NULL);
    CHECK(strcmp(h->h_name, "localhost") == 0);
    a6 = in6addr_loopback;
    CHECK((h = gethostbyaddr((const char *)&a6, 16, AF_INET6)) != NULL);
    CHECK_EQ(h->h_addrtype, AF_INET6);
    CHECK_EQ(h->h_length, 16);
    CHECK(inet_pton(AF_INET, "10.99.99.99", &a) == 1);
    CHECK(gethostbyaddr((const char *)&a, 4, AF_INET) == NULL);
    CHECK_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
    CHECK(gethostbyaddr(NULL, 4, AF_INET) == NULL);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    CHECK(gethostbyaddr((const char *)&a, 3, AF_INET) == NULL);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    CHECK(gethostbyaddr((const char *)&a6, 4, AF_INET6) == NULL);
    CHECK_EQ(WSAGetLastError(), WSAEINVAL);
    CHECK(gethostbyaddr((const char *)&a, 4, 99) == NULL);
    CHECK_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
}

/* ---- test_gethostname, test_GetHostNameW --------------------------------- */
static void hostname_cases(char *name, size_t size)
{
    char buf[256];
    WCHAR wname[256], wbuf[256];
    size_t len, wlen;

    WSASetLastError(0xdead);
    CHECK_ERR(gethostname(NULL, 256), WSAEFAULT);
    CHECK_OK(gethostname(name, (int)size));
    len = strlen(name);
    CHECK(len > 0);
    CHECK(gethostbyname(name) != NULL);
    strcpy(buf, "deadbeef");
    CHECK_ERR(gethostname(buf, (int)len), WSAEFAULT);
    CHECK(strcmp(buf, "deadbeef") == 0); /* untouched */
    CHECK_OK(gethostname(buf, (int)len + 1));
    CHECK(strcmp(buf, name) == 0);

    CHECK_ERR(GetHostNameW(NULL, 256), WSAEFAULT);
    CHECK_OK(GetHostNameW(wname, 256));
    CHECK(wcs_eq(wname, name));
    for (wlen = 0; wname[wlen]; wlen++)
        ;
    memcpy(wbuf, W("deadbeef"), 9 * sizeof(WCHAR));
    CHECK_ERR(GetHostNameW(wbuf, (int)wlen), WSAEFAULT);
    CHECK(wcs_eq(wbuf, "deadbeef"));
    CHECK_OK(GetHostNameW(wbuf, (int)wlen + 1));
    CHECK(wcs_eq(wbuf, name));
}

/* ---- test_getservbyname: two threads, one servent each, reused ----------- */
static int servent_thread(void *arg)
{
    struct servent *first = NULL, *s;
    int i;
    (void)arg;
    for (i = 0; i < 200; i++) {
        int udp = i % 2 == 0;
        s = getservbyname(udp ? "domain" : "telnet", udp ? "udp" : "tcp");
        if (s == NULL || ntohs(s->s_port) != (udp ? 53 : 23) ||
            strcmp(s->s_proto, udp ? "udp" : "tcp") != 0 ||
            strcmp(s->s_name, udp ? "domain" : "telnet") != 0)
            return 0;
        if (first == NULL) first = s;
        if (s != first) return 0;
    }
    return 1;
}

static void servent_cases(void)
{
    thrd_t t[2];
    int ok[2] = {0, 0}, i;
    struct servent *s;

    for (i = 0; i < 2; i++) CHECK_EQ(thrd_create(&t[i], servent_thread, NULL), thrd_success);
    for (i = 0; i < 2; i++) CHECK_EQ(thrd_join(t[i], &ok[i]), thrd_success);
    CHECK(ok[0] && ok[1]);

    CHECK((s = getservbyname("domain", NULL)) != NULL);
    CHECK_EQ(ntohs(s->s_port), 53);
    CHECK((s = getservbyport(htons(23), "tcp")) != NULL);
    CHECK(strcmp(s->s_name, "telnet") == 0);
    CHECK((s = getservbyport(htons(53), NULL)) != NULL);
    CHECK(strcmp(s->s_name, "domain") == 0);
    WSASetLastError(0xdead);
    CHECK(getservbyname("nonexistentservice", "tcp") == NULL);
    CHECK_EQ(WSAGetLastError(), WSANO_DATA);
    CHECK(getservbyport(htons(34567), "udp") == NULL);
    CHECK_EQ(WSAGetLastError(), WSANO_DATA);
    CHECK(getservbyname(NULL, "tcp") == NULL);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
}

/* ---- test_getprotobyname, test_getprotobynumber -------------------------- */
static void protoent_cases(void)
{
    static const struct { int n; const char *name, *alias, *upper; } protocols[] = {
        {0, "ip", "IP", "IP"}, {1, "icmp", "ICMP", "ICMP"}, {3, "ggp", "GGP", "GGP"},
        {6, "tcp", "TCP", "TCP"}, {8, "egp", "EGP", "EGP"}, {12, "pup", "PUP", "PUP"},
        {17, "udp", "UDP", "UDP"}, {20, "hmp", "HMP", "HMP"},
        {22, "xns-idp", "XNS-IDP", "XNS-IDP"}, {27, "rdp", "RDP", "RDP"},
        {41, "ipv6", "IPv6", "IPV6"}, {43, "ipv6-route", "IPv6-Route", "IPV6-ROUTE"},
        {44, "ipv6-frag", "IPv6-Frag", "IPV6-FRAG"}, {50, "esp", "ESP", "ESP"},
        {51, "ah", "AH", "AH"}, {58, "ipv6-icmp", "IPv6-ICMP", "IPV6-ICMP"},
        {59, "ipv6-nonxt", "IPv6-NoNxt", "IPV6-NONXT"}, {60, "ipv6-opts", "IPv6-Opts", "IPV6-OPTS"},
        {66, "rvd", "RVD", "RVD"},
    };
    size_t k;
    int n;
    for (k = 0; k < sizeof protocols / sizeof protocols[0]; k++) {
        struct protoent *p = getprotobyname(protocols[k].name);
        CHECK(p != NULL && p->p_proto == protocols[k].n);
        p = getprotobyname(protocols[k].alias);
        CHECK(p != NULL && p->p_proto == protocols[k].n);
        p = getprotobyname(protocols[k].upper);
        CHECK(p != NULL && p->p_proto == protocols[k].n);
    }
    for (n = -1; n <= 256; n++) {
        struct protoent *p = getprotobynumber(n);
        const char *name = NULL, *alias = NULL;
        for (k = 0; k < sizeof protocols / sizeof protocols[0]; k++)
            if (protocols[k].n == n) name = protocols[k].name, alias = protocols[k].alias;
        if (name == NULL) {
            CHECK(p == NULL);
            CHECK_EQ(WSAGetLastError(), WSANO_DATA);
        } else {
            CHECK(p != NULL && strcmp(p->p_name, name) == 0);
            CHECK(p->p_aliases[0] != NULL && strcmp(p->p_aliases[0], alias) == 0);
            CHECK(p->p_aliases[1] == NULL);
        }
    }
    CHECK(getprotobyname("igmp") == NULL); /* in glibc's /etc/protocols, not in Windows' */
    CHECK(getprotobyname(NULL) == NULL);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
}

int main(void)
{
    WSADATA wsa;
    ADDRINFOA *res = (ADDRINFOA *)0xdeadbeef;
    char hostname[256];

    /* S4: every resolver call needs WSAStartup. */
    CHECK_EQ(getaddrinfo("localhost", NULL, NULL, &res), WSANOTINITIALISED);
    CHECK_EQ(WSAGetLastError(), WSANOTINITIALISED);
    CHECK(res == NULL);
    CHECK(gethostbyname("localhost") == NULL);
    CHECK_EQ(WSAGetLastError(), WSANOTINITIALISED);
    CHECK_ERR(gethostname(hostname, sizeof hostname), WSANOTINITIALISED);

    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    hostname_cases(hostname, sizeof hostname);
    getaddrinfo_cases(hostname);
    hint_cases();
    getaddrinfow_cases();
    getaddrinfoex_cases();
    getnameinfo_cases();
    hostent_cases(hostname);
    servent_cases();
    protoent_cases();
    CHECK_EQ(WSACleanup(), 0);
    printf("resolve_calls: all checks passed\n");
    return 0;
}
