/*
 * ws2_libc.h -- how ws2's Windows headers live next to glibc's.  Included
 * by ws2def.h; not a Windows header, do not include it yourself.
 *
 * glibc's socket headers define many Windows names with Linux meanings
 * (struct sockaddr_in6, AF_INET6 = 10, getaddrinfo with glibc's struct
 * addrinfo, ...).  So that a program may include <netdb.h>, <arpa/inet.h>,
 * <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>, <sys/select.h>,
 * <sys/ioctl.h>, <poll.h>, <net/if.h> or <unistd.h> before or after the Winsock headers and
 * still get Windows' types, numbers and functions, this header
 *   1. includes those glibc headers itself, first (so a later #include of
 *      them changes nothing),
 *   2. removes every public macro they define (ws2_libc_undef.h, generated
 *      by include-audit/derive.sh): the Winsock headers then define
 *      Windows' values, and Linux-only socket macros (MSG_NOSIGNAL,
 *      SO_REUSEPORT, ...) are gone, as on Windows,
 *   3. renames by macro every struct, type, function and variable name
 *      glibc declared that Windows also has: from here on `struct
 *      sockaddr_in6` is ws2's 28-byte SOCKADDR_IN6, `getaddrinfo` is
 *      ws2_getaddrinfo (exported by libws2_32), and so on.  glibc's own
 *      declarations keep their names and are never reached.
 * A name Windows declares but ws2 does not provide yet is declared
 * unavailable (WS2_UNPROVIDED): using it fails to compile, it never links
 * glibc's function of that name.  include-audit/glibc-names.txt lists
 * every such name; tests/glibc_names.rs checks the list both ways.
 *
 * C++: the renames are object-like macros, so a C++ name spelled like one
 * (std::bind, a member called send) is renamed too; include the standard
 * C++ headers after the Winsock headers, as Windows code usually does.
 */
#ifndef WS2_LIBC_H
#define WS2_LIBC_H

/* A program's FD_SETSIZE survives glibc's <sys/select.h> (ws2_fdsetsize.h). */
#include "ws2_fdsetsize.h"
#pragma push_macro("FD_SETSIZE")

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <net/if.h>
#include <unistd.h>

#include "ws2_libc_undef.h"

#pragma pop_macro("FD_SETSIZE")

/* ---- binding and refusing names ---- */
#ifndef WS2_ASM
#define WS2_ASM(name) __asm__("ws2_" #name)
#endif

#if defined(__has_attribute)
#if __has_attribute(unavailable)
#define WS2_UNPROVIDED(name)                                                  \
    WS2_ASM(name) __attribute__((unavailable(#name " is not provided by ws2"), \
                                 error(#name " is not provided by ws2")))
#endif
#endif
#ifndef WS2_UNPROVIDED
#define WS2_UNPROVIDED(name) \
    WS2_ASM(name) __attribute__((error(#name " is not provided by ws2")))
#endif

/* ---- structures and types both define ---- */
#define sockaddr            ws2_sockaddr
#define sockaddr_storage    ws2_sockaddr_storage
#define in_addr             ws2_in_addr
#define sockaddr_in         ws2_sockaddr_in
#define in6_addr            ws2_in6_addr
#define sockaddr_in6        ws2_sockaddr_in6
#define cmsghdr             ws2_cmsghdr
#define linger              ws2_linger
#define ip_mreq             ws2_ip_mreq
#define ip_mreq_source      ws2_ip_mreq_source
#define ip_msfilter         ws2_ip_msfilter
#define ipv6_mreq           ws2_ipv6_mreq
#define in_pktinfo          ws2_in_pktinfo
#define in6_pktinfo         ws2_in6_pktinfo
#define group_req           ws2_group_req
#define group_source_req    ws2_group_source_req
#define group_filter        ws2_group_filter
#define addrinfo            ws2_addrinfo
#define hostent             ws2_hostent
#define servent             ws2_servent
#define protoent            ws2_protoent
#define netent              ws2_netent
#define socklen_t           ws2_socklen_t
#define fd_set              ws2_fd_set
#define pollfd              ws2_pollfd

/* ---- functions and variables both declare ---- */
#define socket              ws2_socket
#define bind                ws2_bind
#define connect             ws2_connect
#define listen              ws2_listen
#define accept              ws2_accept
#define shutdown            ws2_shutdown
#define setsockopt          ws2_setsockopt
#define getsockopt          ws2_getsockopt
#define getsockname         ws2_getsockname
#define getpeername         ws2_getpeername
#define send                ws2_send
#define sendto              ws2_sendto
#define recv                ws2_recv
#define recvfrom            ws2_recvfrom
#define select              ws2_select
#define htons               ws2_htons
#define htonl               ws2_htonl
#define ntohs               ws2_ntohs
#define ntohl               ws2_ntohl
#define inet_addr           ws2_inet_addr
#define inet_ntoa           ws2_inet_ntoa
#define inet_pton           ws2_inet_pton
#define inet_ntop           ws2_inet_ntop
#define getaddrinfo         ws2_getaddrinfo
#define freeaddrinfo        ws2_freeaddrinfo
#define getnameinfo         ws2_getnameinfo
#define gethostbyname       ws2_gethostbyname
#define gethostbyaddr       ws2_gethostbyaddr
#define gethostname         ws2_gethostname
#define getservbyname       ws2_getservbyname
#define getservbyport       ws2_getservbyport
#define getprotobyname      ws2_getprotobyname
#define getprotobynumber    ws2_getprotobynumber
#define getsourcefilter     ws2_getsourcefilter
#define setsourcefilter     ws2_setsourcefilter
#define getipv4sourcefilter ws2_getipv4sourcefilter
#define if_nametoindex      ws2_if_nametoindex
#define if_indextoname      ws2_if_indextoname
#define setipv4sourcefilter ws2_setipv4sourcefilter
#define in6addr_any         ws2_in6addr_any
#define in6addr_loopback    ws2_in6addr_loopback

#endif /* WS2_LIBC_H */
