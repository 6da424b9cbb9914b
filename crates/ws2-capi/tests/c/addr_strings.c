/* Address strings (P3): inet_addr, inet_ntoa, inet_pton/InetPtonW,
 * inet_ntop/InetNtopW, WSAAddressToStringA/W, WSAStringToAddressA/W,
 * gai_strerror and the mstcpip.h/ws2ipdef.h helpers, with bad input.
 * Windows' answers are those Wine's protocol.c records on Windows (each
 * block names its test function); the full tables run in ws2-abi's unit
 * tests, this program checks them through the C ABI.
 * Clauses: P3 (also P2: gai_strerror; S4: no WSAStartup needed). */
#include "common.h"
#include <mstcpip.h>
#include <threads.h>

#define W(s) ((const WCHAR *)u##s)

static const WCHAR *wide(const char *s)
{
    static WCHAR buf[4][128];
    static int next;
    WCHAR *w = buf[next++ % 4];
    size_t i;
    for (i = 0; s[i] && i < 127; i++) w[i] = (WCHAR)(unsigned char)s[i];
    w[i] = 0;
    return w;
}

static int wcs_eq(const WCHAR *a, const char *b)
{
    while (*a && *b && *a == (WCHAR)(unsigned char)*b) a++, b++;
    return *a == 0 && *b == 0;
}

/* ---- test_inet_addr ---------------------------------------------------- */
static void inet_addr_rows(void)
{
    static const struct { const char *text; ULONG le; } rows[] = {
        {"1.2.3.4", 0x04030201}, {"1 2 3 4", 0x01000000}, {"1.2.3 .4", 0x03000201},
        {"3.4.5.6.7", 0xffffffff}, {"3.4.5.6  7", 0x06050403}, {" 3.4.5.6", 0xffffffff},
        {"1.2.3", 0x03000201}, {"", 0xffffffff}, {" ", 0}, {"  ", 0xffffffff},
        {"0xa1a2b3b4 ", 0xb4b3a2a1}, {"127.127.127.255:123", 0xffffffff},
        {"127.127.127.256", 0xffffffff}, {"1.2.3.0xaA", 0xaa030201}, {"1.2.3.010", 0x08030201},
        {"1.2.3.0a", 0xffffffff}, {"1.2", 0x02000001}, {"203569230", 0x4e38220c},
        {"0x2134", 0x34210000}, {"017700000001", 0x0100007f}, {"0777", 0xff010000},
        {"::1", 0xffffffff}, {"[0.1.2.3]", 0xffffffff},
    };
    size_t i;
    /* NULL: INADDR_NONE and WSAEFAULT. */
    WSASetLastError(0xdead);
    CHECK_EQ(inet_addr(NULL), INADDR_NONE);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        u_long got;
        unsigned char *b = (unsigned char *)&got;
        WSASetLastError(0xdead);
        got = inet_addr(rows[i].text);
        /* Every string leaves the last error alone. */
        CHECK_EQ(WSAGetLastError(), 0xdead);
        if (((ULONG)b[0] | (ULONG)b[1] << 8 | (ULONG)b[2] << 16 | (ULONG)b[3] << 24) != rows[i].le) {
            fprintf(stderr, "inet_addr(\"%s\") = %#x, Windows gives %#lx\n", rows[i].text,
                    (unsigned)got, (unsigned long)rows[i].le);
            exit(1);
        }
    }
    CHECK_EQ(sizeof(inet_addr("1.2.3.4")), 4);
}

/* ---- test_inet_ntoa: one buffer per thread ------------------------------ */
static int ntoa_other_thread(void *arg)
{
    IN_ADDR a;
    char *p;
    (void)arg;
    a.s_addr = htonl(0x04030201);
    p = inet_ntoa(a);
    return p != NULL && strcmp(p, "4.3.2.1") == 0;
}

static void inet_ntoa_rows(void)
{
    IN_ADDR a;
    char *mine;
    thrd_t t;
    int ok = 0;
    a.s_addr = htonl(0x01020304);
    mine = inet_ntoa(a);
    CHECK(mine != NULL && strcmp(mine, "1.2.3.4") == 0);
    CHECK_EQ(thrd_create(&t, ntoa_other_thread, NULL), thrd_success);
    CHECK_EQ(thrd_join(t, &ok), thrd_success);
    CHECK(ok);
    CHECK(strcmp(mine, "1.2.3.4") == 0);
    a.s_addr = 0x20201015;
    CHECK(strcmp(inet_ntoa(a), "21.16.32.32") == 0);
}

/* ---- test_inet_pton ----------------------------------------------------- */
static void inet_pton_rows(void)
{
    unsigned char buf[16];
    static const unsigned char v6_partial[16] = {0x11, 0x11, 0x22, 0x22, 0xab, 0xab, 0xab, 0xab,
                                                 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab};
    static const unsigned char v6_1111[16] = {0x11, 0x11};
    DWORD v4;

    /* Bad arguments: NULL text (checked before the family) and bad family. */
    WSASetLastError(0xdead);
    CHECK_EQ(inet_pton(AF_UNSPEC, NULL, buf), -1);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    WSASetLastError(0xdead);
    CHECK_EQ(inet_pton(AF_INET, NULL, buf), -1);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    WSASetLastError(0xdead);
    CHECK_EQ(InetPtonW(AF_UNSPEC, NULL, buf), -1);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    WSASetLastError(0xdead);
    CHECK_EQ(inet_pton(AF_UNSPEC, "127.0.0.1", buf), -1);
    CHECK_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
    WSASetLastError(0xdead);
    CHECK_EQ(inet_pton(AF_UNSPEC, "2607:f0d0:1002:51::4", buf), -1);
    CHECK_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
    WSASetLastError(0xdead);
    CHECK_EQ(inet_pton(AF_INET, "1.2.3.4", NULL), -1);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);

    /* Success and failure leave the last error alone; InetPtonW sets
     * WSAEINVAL on failure. */
    WSASetLastError(0xdead);
    CHECK_EQ(inet_pton(AF_INET, "127.127.127.255", &v4), 1);
    CHECK_EQ(v4, 0xff7f7f7f);
    CHECK_EQ(WSAGetLastError(), 0xdead);
    v4 = 0xdeadbeef;
    CHECK_EQ(inet_pton(AF_INET, "1.1.1.010", &v4), 0);
    CHECK_EQ(v4, 0xdeadbeef);
    CHECK_EQ(WSAGetLastError(), 0xdead);
    CHECK_EQ(InetPtonW(AF_INET, W("1.1.1.010"), &v4), 0);
    CHECK_EQ(WSAGetLastError(), WSAEINVAL);
    /* Partial writes: the address is stored before the trailing text fails. */
    v4 = 0xdeadbeef;
    CHECK_EQ(inet_pton(AF_INET, "127.127.127.255:123", &v4), 0);
    CHECK_EQ(v4, 0xff7f7f7f);
    v4 = 0xdeadbeef;
    CHECK_EQ(inet_pton(AF_INET, "1.1.1.0a", &v4), 0);
    CHECK_EQ(v4, 0x00010101);
    v4 = 0xdeadbeef;
    CHECK_EQ(inet_pton(AF_INET, "3.4.5.6 ", &v4), 0);
    CHECK_EQ(v4, 0x06050403);

    memset(buf, 0xab, sizeof buf);
    CHECK_EQ(inet_pton(AF_INET6, "1111:2222:3333", buf), 0);
    CHECK(memcmp(buf, v6_partial, 16) == 0);
    memset(buf, 0xab, sizeof buf);
    WSASetLastError(0xdead);
    CHECK_EQ(InetPtonW(AF_INET6, W("1111::"), buf), 1);
    CHECK_EQ(WSAGetLastError(), 0xdead);
    CHECK(memcmp(buf, v6_1111, 16) == 0);
    CHECK_EQ(inet_pton(AF_INET6, "1::001.2.3.4", buf), 1); /* glibc says 0 */
    CHECK(buf[0] == 0 && buf[1] == 1 && buf[12] == 1 && buf[15] == 4);
    CHECK_EQ(inet_pton(AF_INET6, "[::]", buf), 0);
    CHECK_EQ(inet_pton(AF_INET6, "::1/128", buf), 0);
}

/* ---- test_addr_to_print ------------------------------------------------- */
static void inet_ntop_rows(void)
{
    IN_ADDR a;
    IN6_ADDR a6;
    char buf[32];
    WCHAR wbuf[32];
    static const unsigned char compat[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0xcc, 0x98, 0xbd, 0x74};
    static const unsigned char low[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe,
                                          0xcc, 0x98, 0xbd, 0x74};
    a.s_addr = 0x20201015;

    WSASetLastError(0xdead);
    CHECK(inet_ntop(AF_INET, &a, buf, sizeof buf) == buf);
    CHECK(strcmp(buf, "21.16.32.32") == 0);
    CHECK_EQ(WSAGetLastError(), 0xdead);
    CHECK(inet_ntop(AF_INET, &a, buf, 12) == buf); /* exactly "21.16.32.32" + NUL */
    /* A NULL or too small buffer: STATUS_INVALID_PARAMETER as the last error. */
    WSASetLastError(0xdead);
    CHECK(inet_ntop(AF_INET, &a, NULL, sizeof buf) == NULL);
    CHECK_EQ((DWORD)WSAGetLastError(), STATUS_INVALID_PARAMETER);
    WSASetLastError(0xdead);
    CHECK(inet_ntop(AF_INET, &a, buf, 0) == NULL);
    CHECK_EQ((DWORD)WSAGetLastError(), STATUS_INVALID_PARAMETER);
    WSASetLastError(0xdead);
    CHECK(inet_ntop(AF_INET, &a, buf, 6) == NULL);
    CHECK_EQ((DWORD)WSAGetLastError(), STATUS_INVALID_PARAMETER);
    WSASetLastError(0xdead);
    CHECK(inet_ntop(AF_INET, &a, buf, 11) == NULL);
    CHECK_EQ((DWORD)WSAGetLastError(), STATUS_INVALID_PARAMETER);
    /* A family that is not IP. */
    WSASetLastError(0xdead);
    CHECK(inet_ntop(AF_UNIX, &a, buf, sizeof buf) == NULL);
    CHECK_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);

    memcpy(&a6, low, 16);
    CHECK(inet_ntop(AF_INET6, &a6, buf, sizeof buf) == buf);
    CHECK(strcmp(buf, "::fffe:cc98:bd74") == 0);
    CHECK(inet_ntop(AF_INET6, &a6, buf, 16) == NULL);
    CHECK_EQ((DWORD)WSAGetLastError(), STATUS_INVALID_PARAMETER);
    CHECK(inet_ntop(AF_INET6, &a6, buf, 18) == buf);
    memcpy(&a6, compat, 16);
    CHECK(inet_ntop(AF_INET6, &a6, buf, sizeof buf) == buf);
    CHECK(strcmp(buf, "::204.152.189.116") == 0);
    CHECK(InetNtopW(AF_INET6, &a6, wbuf, 32) == wbuf);
    CHECK(wcs_eq(wbuf, "::204.152.189.116"));
    CHECK(InetNtopW(AF_INET6, &a6, wbuf, 17) == NULL); /* sizes in WCHARs */
    CHECK_EQ((DWORD)WSAGetLastError(), STATUS_INVALID_PARAMETER);
    CHECK(InetNtopW(AF_INET, &a, wbuf, 12) == wbuf);
    CHECK(wcs_eq(wbuf, "21.16.32.32"));
    CHECK(InetNtop(AF_INET, &a, buf, sizeof buf) == buf); /* InetNtopA = inet_ntop */
}

/* ---- test_WSAAddressToString -------------------------------------------- */
static void address_to_string_rows(void)
{
    SOCKADDR_IN sin;
    SOCKADDR_IN6 sin6;
    char buf[64];
    WCHAR wbuf[64];
    DWORD len;
    static const unsigned char a20ab[16] = {0x20, 0xab, 0, 0, 0, 0, 0, 0,
                                            0, 0, 0, 0, 0, 0, 0x20, 0x01};

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    /* A buffer too small: WSAEFAULT and the needed length, NUL included. */
    len = 0;
    CHECK_ERR(WSAAddressToStringA((SOCKADDR *)&sin, sizeof sin, NULL, buf, &len), WSAEFAULT);
    CHECK_EQ(len, 8);
    len = 0;
    CHECK_ERR(WSAAddressToStringW((SOCKADDR *)&sin, sizeof sin, NULL, NULL, &len), WSAEFAULT);
    CHECK_EQ(len, 8);
    len = 64;
    CHECK_OK(WSAAddressToStringW((SOCKADDR *)&sin, sizeof sin, NULL, wbuf, &len));
    CHECK_EQ(len, 8);
    CHECK(wcs_eq(wbuf, "0.0.0.0"));
    CHECK_EQ(WSAGetLastError(), 0);
    sin.sin_addr.s_addr = 0xffffffff;
    sin.sin_port = 0xffff;
    len = sizeof buf;
    CHECK_OK(WSAAddressToStringA((SOCKADDR *)&sin, sizeof sin, NULL, buf, &len));
    CHECK(strcmp(buf, "255.255.255.255:65535") == 0);
    CHECK_EQ(len, 22);

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    memcpy(&sin6.sin6_addr, a20ab, 16);
    sin6.sin6_port = 0xfa81;
    sin6.sin6_scope_id = 0x1234;
    len = sizeof buf;
    CHECK_OK(WSAAddressToStringA((SOCKADDR *)&sin6, sizeof sin6, NULL, buf, &len));
    CHECK(strcmp(buf, "[20ab::2001%4660]:33274") == 0);
    CHECK_EQ(len, strlen(buf) + 1);
    sin6.sin6_port = 0;
    len = sizeof buf;
    CHECK_OK(WSAAddressToString((SOCKADDR *)&sin6, sizeof sin6, NULL, buf, &len));
    CHECK(strcmp(buf, "20ab::2001%4660") == 0);

    /* Bad input (Microsoft's page): WSAEINVAL. */
    len = sizeof buf;
    CHECK_ERR(WSAAddressToStringA(NULL, sizeof sin, NULL, buf, &len), WSAEINVAL);
    CHECK_ERR(WSAAddressToStringA((SOCKADDR *)&sin, sizeof sin, NULL, buf, NULL), WSAEINVAL);
    CHECK_ERR(WSAAddressToStringA((SOCKADDR *)&sin, sizeof sin - 1, NULL, buf, &len), WSAEINVAL);
    CHECK_ERR(WSAAddressToStringA((SOCKADDR *)&sin6, sizeof sin6 - 1, NULL, buf, &len), WSAEINVAL);
    sin.sin_family = AF_UNIX;
    CHECK_ERR(WSAAddressToStringA((SOCKADDR *)&sin, sizeof sin, NULL, buf, &len), WSAEINVAL);
    CHECK_EQ(len, sizeof buf);
}

/* ---- test_WSAStringToAddress -------------------------------------------- */
static void string_to_address_rows(void)
{
    SOCKADDR_IN sin;
    SOCKADDR_IN6 sin6;
    int len;
    static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    /* *len too small: WSAEFAULT and the size, before any parsing. */
    len = 0;
    CHECK_ERR(WSAStringToAddressA((char *)"", AF_INET, NULL, (SOCKADDR *)&sin, &len), WSAEFAULT);
    CHECK_EQ(len, sizeof(SOCKADDR_IN));
    len = (int)sizeof(SOCKADDR_IN6) - 1;
    CHECK_ERR(WSAStringToAddressA((char *)"::1", AF_INET6, NULL, (SOCKADDR *)&sin6, &len),
              WSAEFAULT);
    CHECK_EQ(len, sizeof(SOCKADDR_IN6));

    len = sizeof sin + 10;
    memset(&sin, 0xab, sizeof sin);
    CHECK_OK(WSAStringToAddressA((char *)"127.127.127.127:0xAbCd", AF_INET, NULL,
                                 (SOCKADDR *)&sin, &len));
    CHECK_EQ(len, sizeof sin);
    CHECK_EQ(sin.sin_family, AF_INET);
    CHECK_EQ(ntohs(sin.sin_port), 43981);
    CHECK_EQ(ntohl(sin.sin_addr.s_addr), 0x7f7f7f7f);
    CHECK_EQ(WSAGetLastError(), 0);

    /* Failure: WSAEINVAL, *len unchanged, family and port zeroed, the part
     * of the address parsed so far left in place. */
    len = sizeof sin + 10;
    memset(&sin, 0xab, sizeof sin);
    CHECK_ERR(WSAStringToAddressA((char *)"1234BEEF", AF_INET, NULL, (SOCKADDR *)&sin, &len),
              WSAEINVAL);
    CHECK_EQ(len, sizeof sin + 10);
    CHECK_EQ(sin.sin_family, 0);
    CHECK_EQ(sin.sin_port, 0);
    CHECK_EQ(ntohl(sin.sin_addr.s_addr), 0x4d2);
    len = sizeof sin;
    CHECK_ERR(WSAStringToAddressA((char *)"127.127.127.127:0", AF_INET, NULL, (SOCKADDR *)&sin,
                                  &len),
              WSAEINVAL);
    CHECK_ERR(WSAStringToAddressA((char *)" 3.4.5.6", AF_INET, NULL, (SOCKADDR *)&sin, &len),
              WSAEINVAL);
    CHECK_OK(WSAStringToAddressW((LPWSTR)wide("0777:10"), AF_INET, NULL, (SOCKADDR *)&sin, &len));
    CHECK_EQ(ntohl(sin.sin_addr.s_addr), 0x1ff);
    CHECK_EQ(ntohs(sin.sin_port), 10);

    len = sizeof sin6;
    memset(&sin6, 0xab, sizeof sin6);
    CHECK_OK(WSAStringToAddressW((LPWSTR)W("[::1]:65535"), AF_INET6, NULL, (SOCKADDR *)&sin6,
                                 &len));
    CHECK(memcmp(&sin6.sin6_addr, lo6, 16) == 0);
    CHECK_EQ(sin6.sin6_port, 0xffff);
    CHECK_EQ(sin6.sin6_scope_id, 0);
    CHECK_EQ(sin6.sin6_flowinfo, 0);
    CHECK_OK(WSAStringToAddressA((char *)"fe80::1%5", AF_INET6, NULL, (SOCKADDR *)&sin6, &len));
    CHECK_EQ(sin6.sin6_scope_id, 5);
    CHECK_ERR(WSAStringToAddressA((char *)"::1]:65535", AF_INET6, NULL, (SOCKADDR *)&sin6, &len),
              WSAEINVAL);
    CHECK(memcmp(&sin6.sin6_addr, lo6, 16) == 0);
    CHECK_EQ(sin6.sin6_family, 0);
    CHECK_ERR(WSAStringToAddressA((char *)"1.2.3.4", AF_INET6, NULL, (SOCKADDR *)&sin6, &len),
              WSAEINVAL);

    /* Bad arguments. */
    len = sizeof sin;
    CHECK_ERR(WSAStringToAddressA(NULL, AF_INET, NULL, (SOCKADDR *)&sin, &len), WSAEINVAL);
    CHECK_ERR(WSAStringToAddressA((char *)"1.2.3.4", AF_UNIX, NULL, (SOCKADDR *)&sin, &len),
              WSAEINVAL);
    CHECK_ERR(WSAStringToAddressA((char *)"1.2.3.4", AF_INET, NULL, NULL, &len), WSAEFAULT);
    CHECK_ERR(WSAStringToAddressA((char *)"1.2.3.4", AF_INET, NULL, (SOCKADDR *)&sin, NULL),
              WSAEFAULT);
}

/* ---- mstcpip.h / ws2ipdef.h helpers (SDK shapes and semantics) ----------- */
static IN_ADDR v4(const char *text)
{
    IN_ADDR a;
    CHECK_EQ(inet_pton(AF_INET, text, &a), 1);
    return a;
}

static IN6_ADDR v6(const char *text)
{
    IN6_ADDR a;
    CHECK_EQ(inet_pton(AF_INET6, text, &a), 1);
    return a;
}

static void address_helpers(void)
{
    SOCKADDR_STORAGE ss;
    SOCKADDR *sa = (SOCKADDR *)&ss;
    SOCKADDR_IN6 *sin6 = (SOCKADDR_IN6 *)&ss;
    SOCKADDR_IN *sin = (SOCKADDR_IN *)&ss;
    IN_ADDR a, b;
    IN6_ADDR x, y;
    SCOPE_ID scope;

    CHECK_EQ(INET_SOCKADDR_LENGTH(AF_INET6), 28);
    CHECK_EQ(INET_SOCKADDR_LENGTH(AF_INET), 16);
    CHECK_EQ(INET_ADDR_LENGTH(AF_INET6), 16);

    memset(&ss, 0x55, sizeof ss);
    ss.ss_family = AF_INET6;
    INETADDR_SETLOOPBACK(sa);
    CHECK(INETADDR_ISLOOPBACK(sa));
    CHECK(!INETADDR_ISANY(sa));
    CHECK_EQ(sin6->sin6_port, 0);
    CHECK_EQ(sin6->sin6_scope_id, 0);
    CHECK(IN6_ADDR_EQUAL(&sin6->sin6_addr, &in6addr_loopback));
    INETADDR_SETANY(sa);
    CHECK(INETADDR_ISANY(sa) && INETADDR_ISUNSPECIFIED(sa));
    CHECK(IN6_ADDR_EQUAL((IN6_ADDR *)INETADDR_ADDRESS(sa), &in6addr_any));
    SS_PORT(&ss) = htons(5555);
    CHECK_EQ(INETADDR_PORT(sa), htons(5555)); /* network order, not swapped */
    sin6->sin6_addr = v6("::ffff:10.1.2.3");
    CHECK(INETADDR_ISV4MAPPED(sa));
    CHECK(memcmp(IN6_GET_ADDR_V4MAPPED(&sin6->sin6_addr), "\x0a\x01\x02\x03", 4) == 0);

    memset(&ss, 0x55, sizeof ss);
    ss.ss_family = AF_INET;
    INETADDR_SETLOOPBACK(sa);
    CHECK_EQ(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK(sin->sin_zero[0] == 0 && sin->sin_zero[7] == 0);
    CHECK(!INETADDR_ISV4MAPPED(sa)); /* only AF_INET6 can be mapped */
    sin->sin_addr = v4("127.9.9.9");
    CHECK(INETADDR_ISLOOPBACK(sa)); /* all of 127/8 */
    INETADDR_SETANY(sa);
    CHECK(INETADDR_ISANY(sa));
    CHECK_EQ(sin->sin_family, AF_INET);

    a = v4("10.0.0.1");
    b = v4("10.0.0.1");
    CHECK(IN4_ADDR_EQUAL(&a, &b));
    CHECK(IN4_IS_ADDR_RFC1918(&a));
    b = v4("172.31.0.1");
    CHECK(IN4_IS_ADDR_RFC1918(&b));
    b = v4("172.32.0.1");
    CHECK(!IN4_IS_ADDR_RFC1918(&b));
    b = v4("169.254.1.1");
    CHECK(IN4_IS_ADDR_LINKLOCAL(&b));
    b = v4("224.0.0.251");
    CHECK(IN4_IS_ADDR_MULTICAST(&b) && IN4_IS_ADDR_MC_LINKLOCAL(&b));
    b = v4("239.255.1.1");
    CHECK(IN4_IS_ADDR_MC_ADMINLOCAL(&b) && !IN4_IS_ADDR_MC_SITELOCAL(&b));
    b = v4("239.1.1.1");
    CHECK(IN4_IS_ADDR_MC_SITELOCAL(&b));
    b = v4("255.255.255.255");
    CHECK(IN4_IS_ADDR_BROADCAST(&b) && INET_IS_ADDR_BROADCAST(AF_INET, &b));
    CHECK(IN4_ADDR_EQUAL(&in4addr_loopback, &(IN_ADDR){{{0x7f, 0, 0, 1}}}));

    x = v6("fe80::1");
    CHECK(IN6_IS_ADDR_LINKLOCAL(&x) && !IN6_IS_ADDR_GLOBAL(&x));
    x = v6("fec0::1");
    CHECK(IN6_IS_ADDR_SITELOCAL(&x));
    x = v6("2001:db8::1");
    CHECK(IN6_IS_ADDR_GLOBAL(&x) && IN6_IS_ADDR_TEREDO(&x) == 0);
    x = v6("2001::1");
    CHECK(IN6_IS_ADDR_TEREDO(&x));
    x = v6("2002:a01:203::1");
    CHECK(IN6_IS_ADDR_6TO4(&x));
    CHECK(memcmp(IN6_EXTRACT_V4ADDR_FROM_6TO4(&x), "\x0a\x01\x02\x03", 4) == 0);
    x = v6("fe80::5efe:10.1.2.3");
    CHECK(IN6_IS_ADDR_ISATAP(&x));
    x = v6("ff02::1");
    CHECK(IN6_IS_ADDR_MULTICAST(&x) && IN6_IS_ADDR_MC_LINKLOCAL(&x) &&
          IN6_IS_ADDR_ALLNODESONLINK(&x));
    x = v6("ff05::2");
    CHECK(IN6_IS_ADDR_MC_SITELOCAL(&x) && !IN6_IS_ADDR_MC_GLOBAL(&x));
    x = v6("ff0e::2");
    CHECK(IN6_IS_ADDR_MC_GLOBAL(&x));
    x = v6("ff02::1:ff12:3456");
    CHECK(IN6_IS_ADDR_SOLICITEDNODE(&x));
    x = v6("::1.2.3.4");
    CHECK(IN6_IS_ADDR_V4COMPAT(&x));
    x = v6("::1");
    CHECK(!IN6_IS_ADDR_V4COMPAT(&x) && IN6_IS_ADDR_LOOPBACK(&x));
    x = v6("::ffff:0:1.2.3.4");
    CHECK(IN6_IS_ADDR_V4TRANSLATED(&x) && !IN6_IS_ADDR_V4MAPPED(&x));
    x = v6("2001:db8::");
    CHECK(IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(&x) && IN6_IS_ADDR_ANYCAST(&x));
    x = v6("2001:db8::fdff:ffff:ffff:ff80");
    CHECK(IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(&x));
    IN6_SET_ADDR_LOOPBACK(&y);
    CHECK(IN6_ARE_ADDR_EQUAL(&y, &in6addr_loopback));
    IN6_SET_ADDR_UNSPECIFIED(&y);
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&y));
    a = v4("192.0.2.7");
    IN6_SET_ADDR_V4MAPPED(&y, &a);
    x = v6("::ffff:192.0.2.7");
    CHECK(IN6_ADDR_EQUAL(&x, &y));
    x = v6("2001:db8:1::");
    y = v6("2001:db8:1:ff::");
    CHECK(IN6_PREFIX_EQUAL(&x, &y, 48) && !IN6_PREFIX_EQUAL(&x, &y, 64));

    /* IN6ADDR_SETSOCKADDR drops a scope a global address cannot have. */
    scope.Value = 7;
    x = v6("2001:db8::1");
    IN6ADDR_SETSOCKADDR(sin6, &x, scope, htons(80));
    CHECK_EQ(sin6->sin6_scope_id, 0);
    CHECK_EQ(sin6->sin6_port, htons(80));
    x = v6("fe80::1");
    INETADDR_SETSOCKADDR(AF_INET6, sa, &x, scope, htons(81));
    CHECK_EQ(sin6->sin6_scope_id, 7);
    CHECK(INETADDR_ISEQUAL(sa, sa));
}

/* ---- gai_strerror: the system texts (FormatMessage's, one line) ----------- */
static void gai_strerror_texts(void)
{
    const char *t = gai_strerror(EAI_NONAME);
    const WCHAR *wt = gai_strerrorW(EAI_NONAME);
    CHECK(strcmp(t, "The host name is not known. ") == 0);
    CHECK(wcs_eq(wt, "The host name is not known. "));
    CHECK(gai_strerror(EAI_SERVICE) == t); /* one buffer, reused */
    CHECK(strcmp(t, "The class or service type requested was not found. ") == 0);
    CHECK(strlen(gai_strerrorA(EAI_AGAIN)) < GAI_STRERROR_BUFFER_SIZE);
}

int main(void)
{
    WSADATA wsa;
    SOCKADDR_IN sin;
    char buf[32];
    DWORD len = sizeof buf;
    int slen = sizeof sin;

    /* S4: the inet_* helpers and gai_strerror need no WSAStartup... */
    inet_addr_rows();
    inet_ntoa_rows();
    inet_pton_rows();
    inet_ntop_rows();
    gai_strerror_texts();
    /* ...the WSA* conversions do. */
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    CHECK_ERR(WSAAddressToStringA((SOCKADDR *)&sin, sizeof sin, NULL, buf, &len),
              WSANOTINITIALISED);
    CHECK_ERR(WSAStringToAddressA((char *)"1.2.3.4", AF_INET, NULL, (SOCKADDR *)&sin, &slen),
              WSANOTINITIALISED);

    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    address_to_string_rows();
    string_to_address_rows();
    address_helpers();
    CHECK_EQ(WSACleanup(), 0);
    printf("addr_strings: all checks passed\n");
    return 0;
}
