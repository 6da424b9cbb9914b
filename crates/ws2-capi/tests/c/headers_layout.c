/* Layout and constant checks for the hand-written Winsock headers
 * (64-bit Windows values).  Compiles as C11 and C++17; links without
 * libws2_32 (no library calls) and walks a control buffer at run time. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <mstcpip.h>
#include <windows.h>
#include <stdio.h>
#include <stddef.h>

#ifdef __cplusplus
#define SA(e, m) static_assert(e, m)
#else
#define SA(e, m) _Static_assert(e, m)
#endif
#define SIZE(t, n) SA(sizeof(t) == (n), "sizeof " #t)
#define OFF(t, f, n) SA(offsetof(t, f) == (n), "offsetof " #t "." #f)
#define VAL(c, v) SA((c) == (v), #c)
#ifdef __cplusplus
#define ALIGN(t) alignof(t)
#else
#define ALIGN(t) _Alignof(t)
#endif

/* ---- basic types ---- */
SIZE(BYTE, 1); SIZE(WORD, 2); SIZE(DWORD, 4); SIZE(BOOL, 4);
SIZE(CHAR, 1); SIZE(UCHAR, 1); SIZE(SHORT, 2); SIZE(USHORT, 2);
SIZE(INT, 4); SIZE(UINT, 4); SIZE(LONG, 4); SIZE(ULONG, 4);
SIZE(LONGLONG, 8); SIZE(ULONGLONG, 8);
SIZE(WCHAR, 2); SIZE(u_long, 4); SIZE(u_short, 2); SIZE(u_char, 1); SIZE(u_int, 4);
SIZE(ULONG_PTR, 8); SIZE(UINT_PTR, 8); SIZE(LONG_PTR, 8); SIZE(SIZE_T, 8);
SIZE(DWORD_PTR, 8); SIZE(HANDLE, 8); SIZE(SOCKET, 8); SIZE(WSAEVENT, 8);
SIZE(ADDRESS_FAMILY, 2); SIZE(GROUP, 4); SIZE(socklen_t, 4);
SA((ULONG)-1 > 0, "ULONG unsigned"); SA((DWORD)-1 > 0, "DWORD unsigned");
SA((LONG)-1 < 0, "LONG signed"); SA((WCHAR)-1 > 0, "WCHAR unsigned");
SA((SOCKET)-1 > 0, "SOCKET unsigned"); SA((u_long)-1 == 0xFFFFFFFFu, "u_long 32");

/* ---- GUID ---- */
SIZE(GUID, 16); OFF(GUID, Data1, 0); OFF(GUID, Data2, 4); OFF(GUID, Data3, 6);
OFF(GUID, Data4, 8);

/* ---- sockaddr family ---- */
SIZE(SOCKADDR, 16); SIZE(struct sockaddr, 16);
OFF(SOCKADDR, sa_family, 0); OFF(SOCKADDR, sa_data, 2);
SIZE(IN_ADDR, 4); SIZE(struct in_addr, 4);
OFF(IN_ADDR, S_un.S_addr, 0); OFF(IN_ADDR, S_un.S_un_b.s_b4, 3);
OFF(IN_ADDR, S_un.S_un_w.s_w2, 2);
SIZE(SOCKADDR_IN, 16); SIZE(struct sockaddr_in, 16);
OFF(SOCKADDR_IN, sin_family, 0); OFF(SOCKADDR_IN, sin_port, 2);
OFF(SOCKADDR_IN, sin_addr, 4); OFF(SOCKADDR_IN, sin_zero, 8);
SIZE(IN6_ADDR, 16); SIZE(struct in6_addr, 16);
OFF(IN6_ADDR, u.Byte, 0); OFF(IN6_ADDR, u.Word, 0);
SIZE(SCOPE_ID, 4);
SIZE(SOCKADDR_IN6, 28); SIZE(struct sockaddr_in6, 28); SIZE(sockaddr_in6, 28);
SIZE(SOCKADDR_IN6_LH, 28);
OFF(SOCKADDR_IN6, sin6_family, 0); OFF(SOCKADDR_IN6, sin6_port, 2);
OFF(SOCKADDR_IN6, sin6_flowinfo, 4); OFF(SOCKADDR_IN6, sin6_addr, 8);
OFF(SOCKADDR_IN6, sin6_scope_id, 24); OFF(SOCKADDR_IN6, sin6_scope_struct, 24);
SA(__alignof__(SOCKADDR_IN6) == 4, "align SOCKADDR_IN6");
SIZE(SOCKADDR_STORAGE, 128); SIZE(struct sockaddr_storage, 128);
OFF(SOCKADDR_STORAGE, ss_family, 0); OFF(SOCKADDR_STORAGE, __ss_pad1, 2);
OFF(SOCKADDR_STORAGE, __ss_align, 8); OFF(SOCKADDR_STORAGE, __ss_pad2, 16);
SA(__alignof__(SOCKADDR_STORAGE) == 8, "align SOCKADDR_STORAGE");
SIZE(SOCKADDR_INET, 28);

/* ---- packet info ---- */
SIZE(IN_PKTINFO, 8); OFF(IN_PKTINFO, ipi_addr, 0); OFF(IN_PKTINFO, ipi_ifindex, 4);
SIZE(IN6_PKTINFO, 20); OFF(IN6_PKTINFO, ipi6_addr, 0); OFF(IN6_PKTINFO, ipi6_ifindex, 16);
SIZE(IP_MREQ, 8); SIZE(IPV6_MREQ, 20);

/* ---- buffers and messages ---- */
SIZE(WSABUF, 16); OFF(WSABUF, len, 0); OFF(WSABUF, buf, 8);
SIZE(WSAMSG, 56);
OFF(WSAMSG, name, 0); OFF(WSAMSG, namelen, 8); OFF(WSAMSG, lpBuffers, 16);
OFF(WSAMSG, dwBufferCount, 24); OFF(WSAMSG, Control, 32); OFF(WSAMSG, Control.len, 32);
OFF(WSAMSG, Control.buf, 40); OFF(WSAMSG, dwFlags, 48);
SIZE(WSACMSGHDR, 16); SIZE(struct cmsghdr, 16); SIZE(CMSGHDR, 16);
OFF(WSACMSGHDR, cmsg_len, 0); OFF(WSACMSGHDR, cmsg_level, 8); OFF(WSACMSGHDR, cmsg_type, 12);
SA(TYPE_ALIGNMENT(WSACMSGHDR) == 8, "cmsghdr alignment");
SA(MAX_NATURAL_ALIGNMENT == 8, "natural alignment");

/* ---- overlapped ---- */
SIZE(OVERLAPPED, 32); SIZE(WSAOVERLAPPED, 32);
OFF(OVERLAPPED, Internal, 0); OFF(OVERLAPPED, InternalHigh, 8);
OFF(OVERLAPPED, Offset, 16); OFF(OVERLAPPED, OffsetHigh, 20);
OFF(OVERLAPPED, Pointer, 16); OFF(OVERLAPPED, hEvent, 24);
SIZE(OVERLAPPED_ENTRY, 32);
OFF(OVERLAPPED_ENTRY, lpCompletionKey, 0); OFF(OVERLAPPED_ENTRY, lpOverlapped, 8);
OFF(OVERLAPPED_ENTRY, Internal, 16); OFF(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred, 24);

/* ---- WSADATA (64-bit field order) ---- */
SIZE(WSADATA, 408);
OFF(WSADATA, wVersion, 0); OFF(WSADATA, wHighVersion, 2);
OFF(WSADATA, iMaxSockets, 4); OFF(WSADATA, iMaxUdpDg, 6);
OFF(WSADATA, lpVendorInfo, 8); OFF(WSADATA, szDescription, 16);
OFF(WSADATA, szSystemStatus, 273);
SIZE(LINGER, 4);

/* ---- name resolution (P2): ai_addrlen is a size_t, ai_canonname before
 *      ai_addr; hostent's type/length are shorts; servent's 64-bit order ---- */
SIZE(ADDRINFOA, 48); SIZE(struct addrinfo, 48); SIZE(ADDRINFOW, 48);
OFF(ADDRINFOA, ai_flags, 0); OFF(ADDRINFOA, ai_family, 4); OFF(ADDRINFOA, ai_socktype, 8);
OFF(ADDRINFOA, ai_protocol, 12); OFF(ADDRINFOA, ai_addrlen, 16);
OFF(ADDRINFOA, ai_canonname, 24); OFF(ADDRINFOA, ai_addr, 32); OFF(ADDRINFOA, ai_next, 40);
OFF(ADDRINFOW, ai_addrlen, 16); OFF(ADDRINFOW, ai_canonname, 24);
OFF(ADDRINFOW, ai_addr, 32); OFF(ADDRINFOW, ai_next, 40);
SA(sizeof(((ADDRINFOA *)0)->ai_addrlen) == 8, "ai_addrlen is a size_t");
SIZE(ADDRINFOEXW, 72); SIZE(ADDRINFOEXA, 72);
OFF(ADDRINFOEXW, ai_canonname, 24); OFF(ADDRINFOEXW, ai_addr, 32); OFF(ADDRINFOEXW, ai_blob, 40);
OFF(ADDRINFOEXW, ai_bloblen, 48); OFF(ADDRINFOEXW, ai_provider, 56); OFF(ADDRINFOEXW, ai_next, 64);
OFF(ADDRINFOEXA, ai_blob, 40); OFF(ADDRINFOEXA, ai_next, 64);
SIZE(HOSTENT, 32); SIZE(struct hostent, 32);
OFF(HOSTENT, h_name, 0); OFF(HOSTENT, h_aliases, 8); OFF(HOSTENT, h_addrtype, 16);
OFF(HOSTENT, h_length, 18); OFF(HOSTENT, h_addr_list, 24);
SIZE(SERVENT, 32); SIZE(struct servent, 32);
OFF(SERVENT, s_name, 0); OFF(SERVENT, s_aliases, 8); OFF(SERVENT, s_proto, 16);
OFF(SERVENT, s_port, 24);
SIZE(PROTOENT, 24); OFF(PROTOENT, p_aliases, 8); OFF(PROTOENT, p_proto, 16);
SA(sizeof(((PROTOENT *)0)->p_proto) == 2, "p_proto is a short");
VAL(AI_PASSIVE, 1); VAL(AI_CANONNAME, 2); VAL(AI_NUMERICHOST, 4); VAL(AI_NUMERICSERV, 8);
VAL(AI_ALL, 0x100); VAL(AI_ADDRCONFIG, 0x400); VAL(AI_V4MAPPED, 0x800);
VAL(AI_FQDN, 0x20000); VAL(AI_DISABLE_IDN_ENCODING, 0x80000);
VAL(NI_NOFQDN, 1); VAL(NI_NUMERICHOST, 2); VAL(NI_NAMEREQD, 4); VAL(NI_NUMERICSERV, 8);
VAL(NI_DGRAM, 0x10); VAL(NI_MAXHOST, 1025); VAL(NI_MAXSERV, 32);
VAL(EAI_AGAIN, 11002); VAL(EAI_BADFLAGS, 10022); VAL(EAI_FAIL, 11003); VAL(EAI_FAMILY, 10047);
VAL(EAI_MEMORY, 8); VAL(EAI_NONAME, 11001); VAL(EAI_NODATA, 11001); VAL(EAI_SERVICE, 10109);
VAL(EAI_SOCKTYPE, 10044); VAL(WSAHOST_NOT_FOUND, 11001); VAL(WSANO_DATA, 11004);
VAL(NS_ALL, 0); VAL(NS_DNS, 12); VAL(GAI_STRERROR_BUFFER_SIZE, 1024); VAL(MAXGETHOSTSTRUCT, 1024);
SIZE(socklen_t, 4); SA((socklen_t)-1 < 0, "Winsock's socklen_t is signed");

/* ---- constants ---- */
VAL(AF_UNSPEC, 0); VAL(AF_INET, 2); VAL(AF_INET6, 23); VAL(PF_INET6, 23);
VAL(SOCK_STREAM, 1); VAL(SOCK_DGRAM, 2); VAL(SOCK_RAW, 3);
VAL(IPPROTO_IP, 0); VAL(IPPROTO_TCP, 6); VAL(IPPROTO_UDP, 17); VAL(IPPROTO_IPV6, 41);
VAL(IPPROTO_ICMPV6, 58); VAL(IPPROTO_RAW, 255);
VAL(SOL_SOCKET, 0xffff); VAL(SO_REUSEADDR, 4); VAL(SO_BROADCAST, 0x20);
VAL(SO_SNDBUF, 0x1001); VAL(SO_RCVBUF, 0x1002); VAL(SO_SNDTIMEO, 0x1005);
VAL(SO_RCVTIMEO, 0x1006); VAL(SO_ERROR, 0x1007); VAL(SO_TYPE, 0x1008);
VAL(SO_MAX_MSG_SIZE, 0x2003);
VAL(IP_HDRINCL, 2); VAL(IP_TOS, 3); VAL(IP_TTL, 4); VAL(IP_PKTINFO, 19);
VAL(IP_RECVTTL, 21); VAL(IP_UNICAST_IF, 31); VAL(IP_RECVTOS, 40);
VAL(IP_ECN, 50); VAL(IP_RECVECN, 50);
VAL(IPV6_UNICAST_HOPS, 4); VAL(IPV6_PKTINFO, 19); VAL(IPV6_HOPLIMIT, 21);
VAL(IPV6_V6ONLY, 27); VAL(IPV6_TCLASS, 39); VAL(IPV6_RECVTCLASS, 40);
VAL(IPV6_ECN, 50); VAL(IPV6_RECVECN, 50);
VAL(UDP_SEND_MSG_SIZE, 2); VAL(UDP_RECV_MAX_COALESCED_SIZE, 3); VAL(UDP_COALESCED_INFO, 3);
VAL(MSG_OOB, 1); VAL(MSG_PEEK, 2); VAL(MSG_DONTROUTE, 4); VAL(MSG_WAITALL, 8);
VAL(MSG_PARTIAL, 0x8000); VAL(MSG_TRUNC, 0x100); VAL(MSG_CTRUNC, 0x200);
VAL(MSG_BCAST, 0x400); VAL(MSG_MCAST, 0x800);
VAL(WSAEINTR, 10004); VAL(WSAEACCES, 10013); VAL(WSAEFAULT, 10014);
VAL(WSAEINVAL, 10022); VAL(WSAEWOULDBLOCK, 10035); VAL(WSAEINPROGRESS, 10036);
VAL(WSAENOTSOCK, 10038); VAL(WSAEMSGSIZE, 10040); VAL(WSAEOPNOTSUPP, 10045);
VAL(WSAEAFNOSUPPORT, 10047); VAL(WSAEADDRNOTAVAIL, 10049); VAL(WSAENETDOWN, 10050);
VAL(WSAENETUNREACH, 10051); VAL(WSAENETRESET, 10052); VAL(WSAECONNRESET, 10054);
VAL(WSAENOBUFS, 10055); VAL(WSAENOTCONN, 10057); VAL(WSAESHUTDOWN, 10058);
VAL(WSAETIMEDOUT, 10060); VAL(WSAEHOSTUNREACH, 10065);
VAL(WSASYSNOTREADY, 10091); VAL(WSAVERNOTSUPPORTED, 10092);
VAL(WSANOTINITIALISED, 10093); VAL(WSAEDISCON, 10101);
VAL(WSA_IO_PENDING, 997); VAL(WSA_IO_INCOMPLETE, 996); VAL(WSA_OPERATION_ABORTED, 995);
VAL(WSA_INVALID_HANDLE, 6); VAL(WSA_INVALID_PARAMETER, 87); VAL(WSA_NOT_ENOUGH_MEMORY, 8);
VAL(WSA_WAIT_EVENT_0, 0); VAL(WSA_WAIT_IO_COMPLETION, 0xC0); VAL(WSA_WAIT_TIMEOUT, 258);
VAL(WSA_WAIT_FAILED, 0xFFFFFFFFu); VAL(WSA_INFINITE, 0xFFFFFFFFu);
VAL(WSA_MAXIMUM_WAIT_EVENTS, 64); VAL(WSA_FLAG_OVERLAPPED, 1);
VAL(SD_RECEIVE, 0); VAL(SD_SEND, 1); VAL(SD_BOTH, 2);
VAL(INADDR_ANY, 0); VAL(INADDR_LOOPBACK, 0x7f000001); VAL(INADDR_BROADCAST, 0xffffffffu);
VAL(INADDR_NONE, 0xffffffffu);
VAL(INET_ADDRSTRLEN, 22); VAL(INET6_ADDRSTRLEN, 65);
VAL(SOCKET_ERROR, -1); VAL(INVALID_SOCKET, (SOCKET)0xFFFFFFFFFFFFFFFFull);
VAL(FIONBIO, 0x8004667Eu); VAL(FIONREAD, 0x4004667Fu);
VAL(SIO_GET_EXTENSION_FUNCTION_POINTER, 0xC8000006u); VAL(SIO_FLUSH, 0x28000004u);
VAL(SIO_UDP_CONNRESET, 0x9800000Cu); VAL(SIO_UDP_NETRESET, 0x9800000Fu);
VAL(TRUE, 1); VAL(FALSE, 0); VAL(INFINITE, 0xFFFFFFFFu);
VAL(WAIT_OBJECT_0, 0); VAL(WAIT_ABANDONED_0, 0x80); VAL(WAIT_IO_COMPLETION, 0xC0);
VAL(WAIT_TIMEOUT, 258); VAL(WAIT_FAILED, 0xFFFFFFFFu);
VAL(ERROR_SUCCESS, 0); VAL(ERROR_INVALID_HANDLE, 6); VAL(ERROR_INVALID_PARAMETER, 87);
VAL(ERROR_IO_PENDING, 997); VAL(ERROR_IO_INCOMPLETE, 996); VAL(ERROR_OPERATION_ABORTED, 995);
VAL(ERROR_NETNAME_DELETED, 64); VAL(ERROR_PORT_UNREACHABLE, 1234);
VAL(ERROR_NETWORK_UNREACHABLE, 1231); VAL(ERROR_HOST_UNREACHABLE, 1232);
VAL(ERROR_CONNECTION_ABORTED, 1236); VAL(ERROR_ABANDONED_WAIT_0, 735);
VAL(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, 1); VAL(FILE_SKIP_SET_EVENT_ON_HANDLE, 2);
VAL(STATUS_SUCCESS, 0); VAL(STATUS_PENDING, 0x103);
VAL(STATUS_CANCELLED, 0xC0000120u); VAL(STATUS_BUFFER_OVERFLOW, 0x80000005u);
VAL(STATUS_INVALID_PARAMETER, 0xC000000Du); VAL(STATUS_ACCESS_DENIED, 0xC0000022u);
VAL(STATUS_NETWORK_UNREACHABLE, 0xC000023Cu); VAL(STATUS_HOST_UNREACHABLE, 0xC000023Du);
VAL(STATUS_PORT_UNREACHABLE, 0xC000023Fu); VAL(STATUS_CONNECTION_RESET, 0xC000020Du);
VAL(STATUS_PIPE_DISCONNECTED, 0xC00000B0u); VAL(STATUS_IO_TIMEOUT, 0xC00000B5u);
VAL(STATUS_INSUFFICIENT_RESOURCES, 0xC000009Au); VAL(STATUS_INVALID_CONNECTION, 0xC0000140u);
VAL(STATUS_NOT_SUPPORTED, 0xC00000BBu);
VAL(MAKEWORD(2, 2), 0x0202); VAL(LOBYTE(0x1234), 0x34); VAL(HIBYTE(0x1234), 0x12);
VAL(LOWORD(0x12345678), 0x5678); VAL(HIWORD(0x12345678), 0x1234);

/* ---- control-data macros ---- */
VAL(WSA_CMSGHDR_ALIGN(0), 0); VAL(WSA_CMSGHDR_ALIGN(1), 8); VAL(WSA_CMSGHDR_ALIGN(8), 8);
VAL(WSA_CMSGHDR_ALIGN(20), 24); VAL(WSA_CMSGDATA_ALIGN(16), 16); VAL(WSA_CMSGDATA_ALIGN(17), 24);
VAL(WSA_CMSG_LEN(0), 16); VAL(WSA_CMSG_LEN(4), 20); VAL(WSA_CMSG_LEN(8), 24);
VAL(WSA_CMSG_LEN(sizeof(IN6_PKTINFO)), 36);
VAL(WSA_CMSG_SPACE(4), 24); VAL(WSA_CMSG_SPACE(8), 24);
VAL(WSA_CMSG_SPACE(sizeof(IN_PKTINFO)), 24); VAL(WSA_CMSG_SPACE(sizeof(IN6_PKTINFO)), 40);
VAL(CMSG_LEN(4), 20); VAL(CMSG_SPACE(4), 24);

/* ---- readiness (P1): Windows' layouts and numbers (ws2-abi readiness.rs
 *      pins the same on the Rust side) ---- */
SIZE(fd_set, 8 + 64 * 8); OFF(fd_set, fd_count, 0); OFF(fd_set, fd_array, 8);
VAL(FD_SETSIZE, 64); SIZE(FD_SET, 520); SIZE(PFD_SET, 8);
SIZE(WSAPOLLFD, 16); SIZE(struct pollfd, 16); OFF(WSAPOLLFD, fd, 0); OFF(WSAPOLLFD, events, 8);
OFF(WSAPOLLFD, revents, 10); SA(ALIGN(WSAPOLLFD) == 8, "WSAPOLLFD align");
SIZE(WSANETWORKEVENTS, 44); OFF(WSANETWORKEVENTS, iErrorCode, 4);
SA(ALIGN(WSANETWORKEVENTS) == 4, "WSANETWORKEVENTS align");
SIZE(TIMEVAL, sizeof(struct timeval));
VAL(POLLRDNORM, 0x100); VAL(POLLRDBAND, 0x200); VAL(POLLIN, 0x300); VAL(POLLPRI, 0x400);
VAL(POLLWRNORM, 0x10); VAL(POLLOUT, 0x10); VAL(POLLWRBAND, 0x20);
VAL(POLLERR, 1); VAL(POLLHUP, 2); VAL(POLLNVAL, 4);
VAL(FD_READ, 1); VAL(FD_WRITE, 2); VAL(FD_OOB, 4); VAL(FD_ACCEPT, 8); VAL(FD_CONNECT, 0x10);
VAL(FD_CLOSE, 0x20); VAL(FD_QOS, 0x40); VAL(FD_GROUP_QOS, 0x80);
VAL(FD_READ_BIT, 0); VAL(FD_WRITE_BIT, 1); VAL(FD_CONNECT_BIT, 4); VAL(FD_CLOSE_BIT, 5);
VAL(FD_MAX_EVENTS, 10); VAL(FD_ALL_EVENTS, 0x3ff);

typedef int (*sendmsg_sig)(SOCKET, LPWSAMSG, DWORD, LPDWORD, LPWSAOVERLAPPED,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE);

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s\n", __LINE__, #c); failures++; } } while (0)

static void cr(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED ov, DWORD dwFlags)
{
    UNREFERENCED_PARAMETER(dwError);
    UNREFERENCED_PARAMETER(cbTransferred);
    UNREFERENCED_PARAMETER(ov);
    UNREFERENCED_PARAMETER(dwFlags);
}

int main(void)
{
    /* A control buffer with IN_PKTINFO then an INT (IP_TOS), 8-aligned. */
    union { ULONGLONG align; char bytes[64]; } ctl;
    WSAMSG msg;
    WSACMSGHDR *c;
    IN_PKTINFO pi;
    INT tos = 0x2e;
    int n = 0;
    GUID gs = WSAID_WSASENDMSG, gr = WSAID_WSARECVMSG;
    IN6_ADDR any = IN6ADDR_ANY_INIT, lo = IN6ADDR_LOOPBACK_INIT;
    IN_ADDR a4;
    WSAOVERLAPPED ov;
    LPWSAOVERLAPPED_COMPLETION_ROUTINE fcr = cr;
    LPFN_WSASENDMSG fsend = NULL;
    LPFN_WSARECVMSG frecv = NULL;
    sendmsg_sig fexp = NULL;
    u_long mode = 1;
    WSADATA wsa;

    ZeroMemory(&ctl, sizeof ctl);
    ZeroMemory(&msg, sizeof msg);
    ZeroMemory(&pi, sizeof pi);
    pi.ipi_addr.s_addr = 0x0100007f;
    pi.ipi_ifindex = 1;

    c = (WSACMSGHDR *)ctl.bytes;
    c->cmsg_len = WSA_CMSG_LEN(sizeof pi);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    CopyMemory(WSA_CMSG_DATA(c), &pi, sizeof pi);
    c = (WSACMSGHDR *)(ctl.bytes + WSA_CMSG_SPACE(sizeof pi));
    c->cmsg_len = WSA_CMSG_LEN(sizeof tos);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_TOS;
    CopyMemory(WSA_CMSG_DATA(c), &tos, sizeof tos);

    msg.Control.buf = ctl.bytes;
    /* Ends at the last entry's unpadded length (S22). */
    msg.Control.len = (ULONG)(WSA_CMSG_SPACE(sizeof pi) + WSA_CMSG_LEN(sizeof tos));
    CHECK(msg.Control.len == 44);

    c = WSA_CMSG_FIRSTHDR(&msg);
    CHECK(c == (WSACMSGHDR *)ctl.bytes);
    for (; c != NULL; c = WSA_CMSG_NXTHDR(&msg, c)) {
        n++;
        if (n == 1) {
            IN_PKTINFO got;
            CHECK(c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO);
            CHECK(c->cmsg_len == 24);
            CHECK(WSA_CMSG_DATA(c) == (PUCHAR)ctl.bytes + 16);
            CopyMemory(&got, WSA_CMSG_DATA(c), sizeof got);
            CHECK(got.ipi_addr.s_addr == 0x0100007f && got.ipi_ifindex == 1);
            CHECK(got.ipi_addr.S_un.S_un_b.s_b1 == 127);
        } else if (n == 2) {
            INT got;
            CHECK((char *)c == ctl.bytes + 24);
            CHECK(c->cmsg_type == IP_TOS && c->cmsg_len == 20);
            CopyMemory(&got, WSA_CMSG_DATA(c), sizeof got);
            CHECK(got == 0x2e);
        }
        if (n > 3) break;
    }
    CHECK(n == 2);
    /* CMSG_ aliases walk the same way. */
    CHECK(CMSG_FIRSTHDR(&msg) == WSA_CMSG_FIRSTHDR(&msg));
    CHECK(CMSG_NXTHDR(&msg, CMSG_FIRSTHDR(&msg)) == (WSACMSGHDR *)(ctl.bytes + 24));
    CHECK(WSA_CMSG_NXTHDR(&msg, (LPWSACMSGHDR)NULL) == WSA_CMSG_FIRSTHDR(&msg));

    /* Trailing bytes shorter than a header are ignored. */
    msg.Control.len = 24 + 15;
    CHECK(WSA_CMSG_NXTHDR(&msg, WSA_CMSG_FIRSTHDR(&msg)) == NULL);
    /* Too short for even one header: no first header. */
    msg.Control.len = 15;
    CHECK(WSA_CMSG_FIRSTHDR(&msg) == NULL);
    msg.Control.len = 0;
    msg.Control.buf = NULL;
    CHECK(WSA_CMSG_FIRSTHDR(&msg) == NULL);

    /* FD_SET skips a socket already there and ignores one past FD_SETSIZE;
     * FD_CLR shifts the rest down; FD_ZERO only clears fd_count (P1,
     * research sheet §0: Windows' macros). */
    {
        fd_set set;
        SOCKET i;
        set.fd_array[0] = 77;
        FD_ZERO(&set);
        CHECK(set.fd_count == 0 && set.fd_array[0] == 77);
        FD_SET(8, &set);
        FD_SET(12, &set);
        FD_SET(8, &set);
        FD_SET(16, &set);
        CHECK(set.fd_count == 3 && set.fd_array[0] == 8 && set.fd_array[1] == 12 &&
              set.fd_array[2] == 16);
        FD_CLR(12, &set);
        CHECK(set.fd_count == 2 && set.fd_array[0] == 8 && set.fd_array[1] == 16);
        FD_CLR(99, &set);
        CHECK(set.fd_count == 2);
        FD_CLR(8, &set);
        CHECK(set.fd_count == 1 && set.fd_array[0] == 16);
        FD_ZERO(&set);
        for (i = 0; i < FD_SETSIZE + 3; i++) FD_SET(4 * (i + 1), &set);
        CHECK(set.fd_count == FD_SETSIZE && set.fd_array[FD_SETSIZE - 1] == 4 * FD_SETSIZE);
    }

    /* GUID initializers. */
    CHECK(gs.Data1 == 0xa441e712 && gs.Data2 == 0x754f && gs.Data3 == 0x43ca);
    CHECK(gs.Data4[0] == 0x84 && gs.Data4[7] == 0x6d);
    CHECK(gr.Data1 == 0xf689d7c8 && gr.Data4[0] == 0x8a && gr.Data4[7] == 0x22);

    /* IN6 initializers and helpers. */
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&any));
    CHECK(IN6_IS_ADDR_LOOPBACK(&lo) && lo.s6_addr[15] == 1 && lo.u.Byte[15] == 1);
    a4.s_addr = INADDR_ANY;
    CHECK(a4.S_un.S_addr == 0);

    ZeroMemory(&ov, sizeof ov);
    ov.Internal = STATUS_PENDING;
    CHECK(!HasOverlappedIoCompleted(&ov));
    ov.Internal = STATUS_CANCELLED;
    CHECK(HasOverlappedIoCompleted(&ov));
    ov.Internal = STATUS_SUCCESS;
    CHECK(HasOverlappedIoCompleted(&ov));

    FillMemory(&wsa, sizeof wsa, 0xAB);
    CHECK(((unsigned char *)&wsa)[407] == 0xAB);

    (void)fcr; (void)fsend; (void)frecv; (void)fexp; (void)mode;
    if (failures == 0) printf("headers_layout: ok\n");
    return failures == 0 ? 0 : 1;
}
