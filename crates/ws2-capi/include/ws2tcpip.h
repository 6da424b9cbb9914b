/*
 * ws2tcpip.h -- TCP/IP specific Winsock 2 definitions: IPv6, inet_pton/ntop.
 */
#ifndef WS2_WS2TCPIP_H
#define WS2_WS2TCPIP_H

#include "winsock2.h"
#include "ws2ipdef.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Winsock's socklen_t is int.  If glibc already declared its own (unsigned)
 * socklen_t, keep that one; otherwise stop later glibc headers from adding it. */
#ifndef __socklen_t_defined
typedef int socklen_t;
#define __socklen_t_defined
#endif

/* Returns 1 on success, 0 for a malformed string, -1 (WSAEAFNOSUPPORT) for a
 * bad family. */
INT WSAAPI inet_pton(INT Family, PCSTR pszAddrString, PVOID pAddrBuf) WS2_ASM(inet_pton);
/* Returns pStringBuf, or NULL on failure. */
PCSTR WSAAPI inet_ntop(INT Family, const VOID *pAddr, PSTR pStringBuf,
                       size_t StringBufSize) WS2_ASM(inet_ntop);

/* As on Windows, the ANSI names are macros for inet_pton / inet_ntop. */
#define InetPtonA   inet_pton
#define InetNtopA   inet_ntop
#ifndef UNICODE
#define InetPton    InetPtonA
#define InetNtop    InetNtopA
#endif

#ifdef __cplusplus
}
#endif

#endif /* WS2_WS2TCPIP_H */
