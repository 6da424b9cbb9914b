/* Shared body of headers_glibc_first.c / headers_glibc_after.c: uses the
 * Windows names glibc also defines, with Windows' types, and asserts their
 * Windows values, so a glibc definition left in force fails to compile. */
#ifdef __cplusplus
#define SA(e, m) static_assert(e, m)
#else
#define SA(e, m) _Static_assert(e, m)
#endif

SA(AF_INET6 == 23, "AF_INET6 is Windows'");
SA(SOL_SOCKET == 0xffff, "SOL_SOCKET is Windows'");
SA(AI_NUMERICSERV == 0x8 && AI_ALL == 0x100 && AI_ADDRCONFIG == 0x400 && AI_V4MAPPED == 0x800,
   "AI_ flags are Windows'");
SA(NI_NUMERICHOST == 2 && NI_NAMEREQD == 4, "NI_ flags are Windows'");
SA(EAI_NONAME == 11001 && EAI_AGAIN == 11002, "EAI_ codes are WSA codes");
SA(INET6_ADDRSTRLEN == 65 && INET_ADDRSTRLEN == 22, "string lengths are Windows'");
SA(sizeof(struct sockaddr_in6) == 28, "struct sockaddr_in6 is Windows'");
SA(sizeof(socklen_t) == 4 && (socklen_t)-1 < 0, "socklen_t is a signed int");
SA(sizeof(struct servent) == 32 && offsetof(struct servent, s_port) == 24, "servent is Windows'");
SA(offsetof(struct addrinfo, ai_canonname) == 24, "addrinfo is Windows'");
SA(FIONBIO == 0x8004667E, "FIONBIO is Windows'");
SA(TCP_NODELAY == 1, "TCP_NODELAY");
#ifdef MSG_NOSIGNAL
#error "Linux-only socket macros must not be visible"
#endif
#ifdef SO_REUSEPORT
#error "Linux-only socket macros must not be visible"
#endif

int names_used(const char *host);

int names_used(const char *host)
{
    ADDRINFOA hints, *res = NULL;
    struct hostent *he;
    struct servent *se;
    struct protoent *pe;
    struct in_addr a;
    IN6_ADDR a6 = IN6ADDR_LOOPBACK_INIT;
    char text[INET6_ADDRSTRLEN], name[256], serv[NI_MAXSERV];
    DWORD len = sizeof text;
    SOCKADDR_IN6 sa6;
    int r;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = AI_PASSIVE;
    r = getaddrinfo(host, "80", &hints, &res);
    if (r == 0) {
        WSAAddressToStringA(res->ai_addr, (DWORD)res->ai_addrlen, NULL, text, &len);
        getnameinfo(res->ai_addr, (socklen_t)res->ai_addrlen, name, sizeof name, serv, sizeof serv,
                    NI_NUMERICSERV);
        freeaddrinfo(res);
    } else {
        printf("%s\n", gai_strerror(r));
    }
    he = gethostbyname(host);
    se = getservbyname("domain", "udp");
    pe = getprotobyname("udp");
    a.s_addr = inet_addr("127.0.0.1");
    printf("%s %d %d %d\n", inet_ntoa(a), he != NULL, se ? ntohs(se->s_port) : 0,
           pe ? pe->p_proto : 0);
    if (gethostname(name, (int)sizeof name) == 0) printf("%s\n", name);
    if (inet_pton(AF_INET6, "::1", &a6) == 1) inet_ntop(AF_INET6, &a6, text, sizeof text);
    IN6ADDR_SETLOOPBACK(&sa6);
    return h_errno + (int)INETADDR_ISLOOPBACK((SOCKADDR *)&sa6) +
           (int)IN6_ADDR_EQUAL(&a6, &in6addr_loopback);
}
