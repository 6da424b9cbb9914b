/*
 * wspiapi.h -- Microsoft's compatibility layer for getaddrinfo,
 * getnameinfo and freeaddrinfo.  On Windows it loads them at run time and
 * falls back to gethostbyname-based versions on systems without them;
 * libws2_32 always has them, so the three names go straight to ws2's
 * functions, which is what Microsoft's samples rely on.  As in the SDK,
 * the wrappers also store their result as the last error.
 */
#ifndef WS2_WSPIAPI_H
#define WS2_WSPIAPI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ws2tcpip.h"

#ifdef __cplusplus
extern "C" {
#endif

#define _WSPIAPI_STRCPY_S(_Dst, _Size, _Src)      strcpy((_Dst), (_Src))
#define _WSPIAPI_STRCAT_S(_Dst, _Size, _Src)      strcat((_Dst), (_Src))
#define _WSPIAPI_STRNCPY_S(_Dst, _Size, _Src, _Count) strncpy((_Dst), (_Src), (_Count))
#define _WSPIAPI_SPRINTF_S_1(_Dst, _Size, _Format, _Arg1) \
    snprintf((_Dst), (_Size), (_Format), (_Arg1))
#define WspiapiMalloc(tSize)    calloc(1, (tSize))
#define WspiapiFree(p)          free(p)
#define WspiapiSwap(a, b, c)    { (c) = (a); (a) = (b); (b) = (c); }

typedef int (WINAPI *WSPIAPI_PGETADDRINFO)(const char *nodename, const char *servname,
                                           const struct addrinfo *hints, struct addrinfo **res);
typedef int (WINAPI *WSPIAPI_PGETNAMEINFO)(const struct sockaddr *sa, socklen_t salen, char *host,
                                           size_t hostlen, char *serv, size_t servlen, int flags);
typedef void (WINAPI *WSPIAPI_PFREEADDRINFO)(struct addrinfo *ai);

static __inline int WINAPI WspiapiGetAddrInfo(const char *nodename, const char *servname,
                                              const struct addrinfo *hints, struct addrinfo **res)
{
    int error = ws2_getaddrinfo(nodename, servname, hints, res);
    WSASetLastError(error);
    return error;
}

static __inline int WINAPI WspiapiGetNameInfo(const struct sockaddr *sa, socklen_t salen,
                                              char *host, size_t hostlen, char *serv,
                                              size_t servlen, int flags)
{
    int error = ws2_getnameinfo(sa, salen, host, (DWORD)hostlen, serv, (DWORD)servlen, flags);
    WSASetLastError(error);
    return error;
}

static __inline void WINAPI WspiapiFreeAddrInfo(struct addrinfo *ai)
{
    ws2_freeaddrinfo(ai);
}

#undef getaddrinfo
#undef getnameinfo
#undef freeaddrinfo
#define getaddrinfo     WspiapiGetAddrInfo
#define getnameinfo     WspiapiGetNameInfo
#define freeaddrinfo    WspiapiFreeAddrInfo

#ifdef __cplusplus
}
#endif

#endif /* WS2_WSPIAPI_H */
