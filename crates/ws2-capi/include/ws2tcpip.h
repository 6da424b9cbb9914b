/*
 * ws2tcpip.h -- TCP/IP specific Winsock 2 definitions: name resolution
 * (getaddrinfo, GetAddrInfoW, GetAddrInfoEx, getnameinfo, gai_strerror),
 * inet_pton/inet_ntop and their W forms, socklen_t, the URO option's
 * inline wrappers (WSASetUdpRecvMaxCoalescedSize).
 *
 * EAI_* are the WSA codes (EAI_NONAME is WSAHOST_NOT_FOUND, 11001), and
 * getaddrinfo stores its result code as the last error too.
 */
#ifndef WS2_WS2TCPIP_H
#define WS2_WS2TCPIP_H

#include "winsock2.h"
#include "ws2ipdef.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Winsock's socklen_t is a signed int (glibc's, renamed away, is unsigned). */
typedef int socklen_t;

/* ---- getaddrinfo / getnameinfo error codes ---- */
#define EAI_AGAIN           WSATRY_AGAIN
#define EAI_BADFLAGS        WSAEINVAL
#define EAI_FAIL            WSANO_RECOVERY
#define EAI_FAMILY          WSAEAFNOSUPPORT
#define EAI_MEMORY          WSA_NOT_ENOUGH_MEMORY
#define EAI_NOSECURENAME    WSA_SECURE_HOST_NOT_FOUND
#define EAI_NONAME          WSAHOST_NOT_FOUND
#define EAI_SERVICE         WSATYPE_NOT_FOUND
#define EAI_SOCKTYPE        WSAESOCKTNOSUPPORT
#define EAI_IPSECPOLICY     WSA_IPSEC_NAME_POLICY_ERROR
/* Kept by the SDK as an alias of EAI_NONAME (dropped from RFC 2553bis). */
#define EAI_NODATA          EAI_NONAME

#ifndef WSA_SECURE_HOST_NOT_FOUND
#define WSA_SECURE_HOST_NOT_FOUND   11032
#endif
#ifndef WSA_IPSEC_NAME_POLICY_ERROR
#define WSA_IPSEC_NAME_POLICY_ERROR 11033
#endif

#define GAI_STRERROR_BUFFER_SIZE    1024

/* ---- getaddrinfo and friends ---- */
INT WSAAPI getaddrinfo(PCSTR pNodeName, PCSTR pServiceName, const ADDRINFOA *pHints,
                       PADDRINFOA *ppResult) WS2_ASM(getaddrinfo);
INT WSAAPI GetAddrInfoW(PCWSTR pNodeName, PCWSTR pServiceName, const ADDRINFOW *pHints,
                        PADDRINFOW *ppResult);
VOID WSAAPI freeaddrinfo(PADDRINFOA pAddrInfo) WS2_ASM(freeaddrinfo);
VOID WSAAPI FreeAddrInfoW(PADDRINFOW pAddrInfo);
#define GetAddrInfoA    getaddrinfo
#define FreeAddrInfoA   freeaddrinfo

typedef INT (WSAAPI *LPFN_GETADDRINFO)(PCSTR pNodeName, PCSTR pServiceName,
                                        const ADDRINFOA *pHints, PADDRINFOA *ppResult);
typedef INT (WSAAPI *LPFN_GETADDRINFOW)(PCWSTR pNodeName, PCWSTR pServiceName,
                                         const ADDRINFOW *pHints, PADDRINFOW *ppResult);
typedef VOID (WSAAPI *LPFN_FREEADDRINFO)(PADDRINFOA pAddrInfo);
typedef VOID (WSAAPI *LPFN_FREEADDRINFOW)(PADDRINFOW pAddrInfo);

/* GetAddrInfoEx answers synchronously here: timeout, lpOverlapped,
 * lpCompletionRoutine and lpNameHandle must be NULL (else WSAEINVAL). */
INT WSAAPI GetAddrInfoExA(PCSTR pName, PCSTR pServiceName, DWORD dwNameSpace, LPGUID lpNspId,
                          const ADDRINFOEXA *hints, PADDRINFOEXA *ppResult,
                          struct timeval *timeout, LPOVERLAPPED lpOverlapped,
                          LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
                          LPHANDLE lpNameHandle);
INT WSAAPI GetAddrInfoExW(PCWSTR pName, PCWSTR pServiceName, DWORD dwNameSpace, LPGUID lpNspId,
                          const ADDRINFOEXW *hints, PADDRINFOEXW *ppResult,
                          struct timeval *timeout, LPOVERLAPPED lpOverlapped,
                          LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
                          LPHANDLE lpHandle);
INT WSAAPI GetAddrInfoExCancel(LPHANDLE lpHandle);
INT WSAAPI GetAddrInfoExOverlappedResult(LPOVERLAPPED lpOverlapped);
void WSAAPI FreeAddrInfoEx(PADDRINFOEXA pAddrInfoEx);
void WSAAPI FreeAddrInfoExW(PADDRINFOEXW pAddrInfoEx);
#define FreeAddrInfoExA FreeAddrInfoEx

INT WSAAPI getnameinfo(const SOCKADDR *pSockaddr, socklen_t SockaddrLength, PCHAR pNodeBuffer,
                       DWORD NodeBufferSize, PCHAR pServiceBuffer, DWORD ServiceBufferSize,
                       INT Flags) WS2_ASM(getnameinfo);
INT WSAAPI GetNameInfoW(const SOCKADDR *pSockaddr, socklen_t SockaddrLength, PWCHAR pNodeBuffer,
                        DWORD NodeBufferSize, PWCHAR pServiceBuffer, DWORD ServiceBufferSize,
                        INT Flags);
#define GetNameInfoA    getnameinfo

typedef INT (WSAAPI *LPFN_GETNAMEINFO)(const SOCKADDR *pSockaddr, socklen_t SockaddrLength,
                                        PCHAR pNodeBuffer, DWORD NodeBufferSize,
                                        PCHAR pServiceBuffer, DWORD ServiceBufferSize, INT Flags);
typedef INT (WSAAPI *LPFN_GETNAMEINFOW)(const SOCKADDR *pSockaddr, socklen_t SockaddrLength,
                                         PWCHAR pNodeBuffer, DWORD NodeBufferSize,
                                         PWCHAR pServiceBuffer, DWORD ServiceBufferSize,
                                         INT Flags);

/* Windows' system text for an EAI_ / WSA code ("No such host is known. "),
 * in a buffer of the calling thread. */
const char *WSAAPI gai_strerrorA(int ecode);
const WCHAR *WSAAPI gai_strerrorW(int ecode);

#ifdef UNICODE
#define GetAddrInfo         GetAddrInfoW
#define FreeAddrInfo        FreeAddrInfoW
#define GetAddrInfoEx       GetAddrInfoExW
#define GetNameInfo         GetNameInfoW
#define gai_strerror        gai_strerrorW
#else
#define GetAddrInfo         GetAddrInfoA
#define FreeAddrInfo        FreeAddrInfoA
#define GetAddrInfoEx       GetAddrInfoExA
#define GetNameInfo         GetNameInfoA
#define gai_strerror        gai_strerrorA
#endif

/* ---- address text ---- */
/* Returns 1 on success, 0 for a malformed string (the last error untouched;
 * part of the address may be written, as Windows does), -1 with WSAEFAULT
 * or WSAEAFNOSUPPORT. */
INT WSAAPI inet_pton(INT Family, PCSTR pszAddrString, PVOID pAddrBuf) WS2_ASM(inet_pton);
/* As inet_pton; a 0 result also sets WSAEINVAL. */
INT WSAAPI InetPtonW(INT Family, PCWSTR pszAddrString, PVOID pAddrBuf);
/* Returns pStringBuf, or NULL (WSAEAFNOSUPPORT; a NULL or too small buffer
 * leaves STATUS_INVALID_PARAMETER, 0xC000000D, as modern Windows does). */
PCSTR WSAAPI inet_ntop(INT Family, const VOID *pAddr, PSTR pStringBuf,
                       size_t StringBufSize) WS2_ASM(inet_ntop);
PCWSTR WSAAPI InetNtopW(INT Family, const VOID *pAddr, PWSTR pStringBuf, size_t StringBufSize);

/* As on Windows, the ANSI names are macros for inet_pton / inet_ntop. */
#define InetPtonA   inet_pton
#define InetNtopA   inet_ntop
#ifdef UNICODE
#define InetPton    InetPtonW
#define InetNtop    InetNtopW
#else
#define InetPton    InetPtonA
#define InetNtop    InetNtopA
#endif

/* ---- URO: receive coalescing (UDP_RECV_MAX_COALESCED_SIZE, ws2ipdef.h) ----
 * The SDK's type-safe inline wrappers of the socket option. 0 = off (the
 * default); a receive through WSARecvMsg then reports the size of the
 * coalesced datagrams in a UDP_COALESCED_INFO control message (DWORD). */
static __inline INT WSASetUdpRecvMaxCoalescedSize(SOCKET Socket, DWORD MaxCoalescedMsgSize)
{
    return setsockopt(Socket, IPPROTO_UDP, UDP_RECV_MAX_COALESCED_SIZE,
                      (const char *)&MaxCoalescedMsgSize, (int)sizeof(MaxCoalescedMsgSize));
}

static __inline INT WSAGetUdpRecvMaxCoalescedSize(SOCKET Socket, DWORD *MaxCoalescedMsgSize)
{
    INT OptLen = (INT)sizeof(*MaxCoalescedMsgSize);
    return getsockopt(Socket, IPPROTO_UDP, UDP_RECV_MAX_COALESCED_SIZE,
                      (char *)MaxCoalescedMsgSize, &OptLen);
}

/* ---- multicast source filters (RFC 3678 full-state calls) ---- */
int WSAAPI getipv4sourcefilter(SOCKET Socket, IN_ADDR Interface, IN_ADDR Group,
                               MULTICAST_MODE_TYPE *FilterMode, ULONG *SourceCount,
                               IN_ADDR *SourceList);
int WSAAPI setipv4sourcefilter(SOCKET Socket, IN_ADDR Interface, IN_ADDR Group,
                               MULTICAST_MODE_TYPE FilterMode, ULONG SourceCount,
                               const IN_ADDR *SourceList);
int WSAAPI getsourcefilter(SOCKET Socket, ULONG Interface, const SOCKADDR *Group, int GroupLength,
                           MULTICAST_MODE_TYPE *FilterMode, ULONG *SourceCount,
                           SOCKADDR_STORAGE *SourceList);
int WSAAPI setsourcefilter(SOCKET Socket, ULONG Interface, const SOCKADDR *Group, int GroupLength,
                           MULTICAST_MODE_TYPE FilterMode, ULONG SourceCount,
                           const SOCKADDR_STORAGE *SourceList);

#ifdef __cplusplus
}
#endif

#endif /* WS2_WS2TCPIP_H */
