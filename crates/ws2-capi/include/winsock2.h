/*
 * winsock2.h -- Winsock 2 for Linux (libws2_32 of the ws2 project).
 *
 * 64-bit Windows types, layouts and numbers.  Functions whose names POSIX
 * also uses (socket, bind, sendto, htons, ...) are declared with an asm label
 * (WS2_ASM) so that the object file refers to "ws2_<name>": the program gets
 * Winsock semantics and libc is never interposed.  Windows-only names
 * (WSAStartup, closesocket, ioctlsocket, ...) keep their own symbol names.
 *
 * glibc's socket headers may be included before or after this one: see
 * ws2_libc.h.  Including this header includes windows.h first, which also
 * turns gcc's -Wunknown-pragmas off for the translation unit (MSVC's
 * #pragma comment(lib, "Ws2_32.lib") then compiles under -Wall -Werror).
 *
 * Readiness (SPEC P1) is Windows': fd_set is a counted array of SOCKETs
 * (FD_SETSIZE 64 unless the program defines it before its first #include:
 * glibc's <stdlib.h> replaces a value defined after it), FD_SET & co. are
 * Windows' macros, select/WSAPoll/WSAEventSelect are libws2_32's, and
 * struct pollfd is WSAPOLLFD with Windows' POLL* values.  struct timeval is
 * glibc's (TIMEVAL is a typedef of it).  accept() and listen() are not
 * provided by libws2_32 yet: they are declared unavailable, so a program
 * using them fails to compile rather than link glibc's.
 */
#ifndef WS2_WINSOCK2_H
#define WS2_WINSOCK2_H

#define _WINSOCK2API_
#define _WINSOCKAPI_

#include "windows.h"
#include "ws2def.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- basic Winsock types ---- */
typedef UINT_PTR SOCKET;
typedef HANDLE   WSAEVENT, *LPWSAEVENT;
typedef unsigned int GROUP;

#define INVALID_SOCKET  ((SOCKET)(~0))
#define SOCKET_ERROR    (-1)

typedef struct timeval TIMEVAL, *PTIMEVAL, *LPTIMEVAL;   /* glibc's struct timeval */

typedef struct linger {
    u_short l_onoff;
    u_short l_linger;
} LINGER, *PLINGER, *LPLINGER;

#define WSADESCRIPTION_LEN      256
#define WSASYS_STATUS_LEN       128

typedef struct WSAData {
    WORD            wVersion;
    WORD            wHighVersion;
    unsigned short  iMaxSockets;
    unsigned short  iMaxUdpDg;
    char           *lpVendorInfo;
    char            szDescription[WSADESCRIPTION_LEN + 1];
    char            szSystemStatus[WSASYS_STATUS_LEN + 1];
} WSADATA, *LPWSADATA;

/* Opaque here: callers of WSASocketA/W pass NULL. */
typedef struct _WSAPROTOCOL_INFOA WSAPROTOCOL_INFOA, *LPWSAPROTOCOL_INFOA;
typedef struct _WSAPROTOCOL_INFOW WSAPROTOCOL_INFOW, *LPWSAPROTOCOL_INFOW;
typedef WSAPROTOCOL_INFOA WSAPROTOCOL_INFO;
typedef LPWSAPROTOCOL_INFOA LPWSAPROTOCOL_INFO;

/* ---- overlapped I/O ---- */
#define WSAOVERLAPPED   OVERLAPPED
typedef struct _OVERLAPPED *LPWSAOVERLAPPED;

typedef void (CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(
    DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags);

/* ---- ioctlsocket commands (literal values: the _IOW formula with a
 *      64-bit long would give different numbers) ---- */
#define FIOASYNC        0x8004667D
#define FIONBIO         0x8004667E
#define FIONREAD        0x4004667F
#define SIOCSHIWAT      0x80047300
#define SIOCGHIWAT      0x40047301
#define SIOCSLOWAT      0x80047302
#define SIOCGLOWAT      0x40047303
#define SIOCATMARK      0x40047307

/* ---- WSAIoctl codes ---- */
#define SIO_ASSOCIATE_HANDLE                _WSAIOW(IOC_WS2, 1)
#define SIO_ENABLE_CIRCULAR_QUEUEING        _WSAIO(IOC_WS2, 2)
#define SIO_FIND_ROUTE                      _WSAIOR(IOC_WS2, 3)
#define SIO_FLUSH                           _WSAIO(IOC_WS2, 4)
#define SIO_GET_BROADCAST_ADDRESS           _WSAIOR(IOC_WS2, 5)
#define SIO_GET_EXTENSION_FUNCTION_POINTER  _WSAIORW(IOC_WS2, 6)
#define SIO_GET_QOS                         _WSAIORW(IOC_WS2, 7)
#define SIO_GET_GROUP_QOS                   _WSAIORW(IOC_WS2, 8)
#define SIO_MULTIPOINT_LOOPBACK             _WSAIOW(IOC_WS2, 9)
#define SIO_MULTICAST_SCOPE                 _WSAIOW(IOC_WS2, 10)
#define SIO_SET_QOS                         _WSAIOW(IOC_WS2, 11)
#define SIO_SET_GROUP_QOS                   _WSAIOW(IOC_WS2, 12)
#define SIO_TRANSLATE_HANDLE                _WSAIORW(IOC_WS2, 13)
#define SIO_ROUTING_INTERFACE_QUERY         _WSAIORW(IOC_WS2, 20)
#define SIO_ROUTING_INTERFACE_CHANGE        _WSAIOW(IOC_WS2, 21)
#define SIO_ADDRESS_LIST_QUERY              _WSAIOR(IOC_WS2, 22)
#define SIO_ADDRESS_LIST_CHANGE             _WSAIO(IOC_WS2, 23)
#define SIO_QUERY_TARGET_PNP_HANDLE         _WSAIOR(IOC_WS2, 24)
#define SIO_ADDRESS_LIST_SORT               _WSAIORW(IOC_WS2, 25)

/* ---- WSASocket flags, shutdown, misc ---- */
#define WSA_FLAG_OVERLAPPED             0x01
#define WSA_FLAG_MULTIPOINT_C_ROOT      0x02
#define WSA_FLAG_MULTIPOINT_C_LEAF      0x04
#define WSA_FLAG_MULTIPOINT_D_ROOT      0x08
#define WSA_FLAG_MULTIPOINT_D_LEAF      0x10
#define WSA_FLAG_ACCESS_SYSTEM_SECURITY 0x40
#define WSA_FLAG_NO_HANDLE_INHERIT      0x80
#define WSA_FLAG_REGISTERED_IO          0x100

#define SD_RECEIVE      0x00
#define SD_SEND         0x01
#define SD_BOTH         0x02

#define SOMAXCONN       0x7fffffff
#define SOMAXCONN_HINT(b) (-(b))

#define PF_UNSPEC       AF_UNSPEC
#define PF_UNIX         AF_UNIX
#define PF_INET         AF_INET
#define PF_IMPLINK      AF_IMPLINK
#define PF_PUP          AF_PUP
#define PF_CHAOS        AF_CHAOS
#define PF_NS           AF_NS
#define PF_IPX          AF_IPX
#define PF_ISO          AF_ISO
#define PF_OSI          AF_OSI
#define PF_ECMA         AF_ECMA
#define PF_DATAKIT      AF_DATAKIT
#define PF_CCITT        AF_CCITT
#define PF_SNA          AF_SNA
#define PF_DECnet       AF_DECnet
#define PF_DLI          AF_DLI
#define PF_LAT          AF_LAT
#define PF_HYLINK       AF_HYLINK
#define PF_APPLETALK    AF_APPLETALK
#define PF_VOICEVIEW    AF_VOICEVIEW
#define PF_FIREFOX      AF_FIREFOX
#define PF_UNKNOWN1     AF_UNKNOWN1
#define PF_BAN          AF_BAN
#define PF_ATM          AF_ATM
#define PF_INET6        AF_INET6
#define PF_BTH          AF_BTH
#define PF_MAX          AF_MAX

/* ---- events and waits ---- */
#define WSA_IO_PENDING          (ERROR_IO_PENDING)
#define WSA_IO_INCOMPLETE       (ERROR_IO_INCOMPLETE)
#define WSA_INVALID_HANDLE      (ERROR_INVALID_HANDLE)
#define WSA_INVALID_PARAMETER   (ERROR_INVALID_PARAMETER)
#define WSA_NOT_ENOUGH_MEMORY   (ERROR_NOT_ENOUGH_MEMORY)
#define WSA_OPERATION_ABORTED   (ERROR_OPERATION_ABORTED)

#define WSA_INVALID_EVENT       ((WSAEVENT)NULL)
#define WSA_MAXIMUM_WAIT_EVENTS (MAXIMUM_WAIT_OBJECTS)
#define WSA_WAIT_FAILED         (WAIT_FAILED)
#define WSA_WAIT_EVENT_0        (WAIT_OBJECT_0)
#define WSA_WAIT_IO_COMPLETION  (WAIT_IO_COMPLETION)
#define WSA_WAIT_TIMEOUT        (WAIT_TIMEOUT)
#define WSA_INFINITE            (INFINITE)

/* ---- select (P1): a counted array of SOCKETs, never glibc's bitmap ---- */
#include "ws2_fdsetsize.h"
#ifndef FD_SETSIZE
#define FD_SETSIZE      64
#endif

typedef struct fd_set {
    u_int   fd_count;
    SOCKET  fd_array[FD_SETSIZE];
} fd_set, FD_SET, *PFD_SET, *LPFD_SET;

/* Windows' macros: FD_SET adds a socket that is not there yet (a full set
 * ignores it), FD_CLR removes the first match and shifts the rest down. */
#define FD_CLR(fd, set) do {                                                   \
    u_int __i;                                                                 \
    for (__i = 0; __i < ((fd_set *)(set))->fd_count; __i++) {                  \
        if (((fd_set *)(set))->fd_array[__i] == (SOCKET)(fd)) {                \
            while (__i < ((fd_set *)(set))->fd_count - 1) {                    \
                ((fd_set *)(set))->fd_array[__i] =                             \
                    ((fd_set *)(set))->fd_array[__i + 1];                      \
                __i++;                                                         \
            }                                                                  \
            ((fd_set *)(set))->fd_count--;                                     \
            break;                                                             \
        }                                                                      \
    }                                                                          \
} while (0)

#define FD_SET(fd, set) do {                                                   \
    u_int __i;                                                                 \
    for (__i = 0; __i < ((fd_set *)(set))->fd_count; __i++) {                  \
        if (((fd_set *)(set))->fd_array[__i] == (SOCKET)(fd)) {                \
            break;                                                             \
        }                                                                      \
    }                                                                          \
    if (__i == ((fd_set *)(set))->fd_count) {                                  \
        if (((fd_set *)(set))->fd_count < (u_int)FD_SETSIZE) {                 \
            ((fd_set *)(set))->fd_array[__i] = (SOCKET)(fd);                   \
            ((fd_set *)(set))->fd_count++;                                     \
        }                                                                      \
    }                                                                          \
} while (0)

#define FD_ZERO(set) (((fd_set *)(set))->fd_count = 0)

#define FD_ISSET(fd, set) __WSAFDIsSet((SOCKET)(fd), (fd_set *)(set))

/* ---- WSAPoll (P1): Windows' values; struct pollfd is WSAPOLLFD ---- */
#define POLLRDNORM      0x0100
#define POLLRDBAND      0x0200
#define POLLIN          (POLLRDNORM | POLLRDBAND)
#define POLLPRI         0x0400
#define POLLWRNORM      0x0010
#define POLLOUT         (POLLWRNORM)
#define POLLWRBAND      0x0020
#define POLLERR         0x0001
#define POLLHUP         0x0002
#define POLLNVAL        0x0004

typedef struct pollfd {
    SOCKET  fd;
    SHORT   events;
    SHORT   revents;
} WSAPOLLFD, *PWSAPOLLFD, *LPWSAPOLLFD;

/* ---- network events (WSAEventSelect, P1; address and route changes, P5) ---- */
#define FD_READ_BIT                     0
#define FD_READ                         (1 << FD_READ_BIT)
#define FD_WRITE_BIT                    1
#define FD_WRITE                        (1 << FD_WRITE_BIT)
#define FD_OOB_BIT                      2
#define FD_OOB                          (1 << FD_OOB_BIT)
#define FD_ACCEPT_BIT                   3
#define FD_ACCEPT                       (1 << FD_ACCEPT_BIT)
#define FD_CONNECT_BIT                  4
#define FD_CONNECT                      (1 << FD_CONNECT_BIT)
#define FD_CLOSE_BIT                    5
#define FD_CLOSE                        (1 << FD_CLOSE_BIT)
#define FD_QOS_BIT                      6
#define FD_QOS                          (1 << FD_QOS_BIT)
#define FD_GROUP_QOS_BIT                7
#define FD_GROUP_QOS                    (1 << FD_GROUP_QOS_BIT)
#define FD_ROUTING_INTERFACE_CHANGE_BIT 8
#define FD_ROUTING_INTERFACE_CHANGE     (1 << FD_ROUTING_INTERFACE_CHANGE_BIT)
#define FD_ADDRESS_LIST_CHANGE_BIT      9
#define FD_ADDRESS_LIST_CHANGE          (1 << FD_ADDRESS_LIST_CHANGE_BIT)
#define FD_MAX_EVENTS                   10
#define FD_ALL_EVENTS                   ((1 << FD_MAX_EVENTS) - 1)

typedef struct _WSANETWORKEVENTS {
    LONG lNetworkEvents;
    int  iErrorCode[FD_MAX_EVENTS];
} WSANETWORKEVENTS, *LPWSANETWORKEVENTS;

/* ---- error codes (WSAGetLastError) ---- */
#define WSABASEERR              10000
#define WSAEINTR                10004
#define WSAEBADF                10009
#define WSAEACCES               10013
#define WSAEFAULT               10014
#define WSAEINVAL               10022
#define WSAEMFILE               10024
#define WSAEWOULDBLOCK          10035
#define WSAEINPROGRESS          10036
#define WSAEALREADY             10037
#define WSAENOTSOCK             10038
#define WSAEDESTADDRREQ         10039
#define WSAEMSGSIZE             10040
#define WSAEPROTOTYPE           10041
#define WSAENOPROTOOPT          10042
#define WSAEPROTONOSUPPORT      10043
#define WSAESOCKTNOSUPPORT      10044
#define WSAEOPNOTSUPP           10045
#define WSAEPFNOSUPPORT         10046
#define WSAEAFNOSUPPORT         10047
#define WSAEADDRINUSE           10048
#define WSAEADDRNOTAVAIL        10049
#define WSAENETDOWN             10050
#define WSAENETUNREACH          10051
#define WSAENETRESET            10052
#define WSAECONNABORTED         10053
#define WSAECONNRESET           10054
#define WSAENOBUFS              10055
#define WSAEISCONN              10056
#define WSAENOTCONN             10057
#define WSAESHUTDOWN            10058
#define WSAETOOMANYREFS         10059
#define WSAETIMEDOUT            10060
#define WSAECONNREFUSED         10061
#define WSAELOOP                10062
#define WSAENAMETOOLONG         10063
#define WSAEHOSTDOWN            10064
#define WSAEHOSTUNREACH         10065
#define WSAENOTEMPTY            10066
#define WSAEPROCLIM             10067
#define WSAEUSERS               10068
#define WSAEDQUOT               10069
#define WSAESTALE               10070
#define WSAEREMOTE              10071
#define WSASYSNOTREADY          10091
#define WSAVERNOTSUPPORTED      10092
#define WSANOTINITIALISED       10093
#define WSAEDISCON              10101
#define WSAENOMORE              10102
#define WSAECANCELLED           10103
#define WSAEINVALIDPROCTABLE    10104
#define WSAEINVALIDPROVIDER     10105
#define WSAEPROVIDERFAILEDINIT  10106
#define WSASYSCALLFAILURE       10107
#define WSASERVICE_NOT_FOUND    10108
#define WSATYPE_NOT_FOUND       10109
#define WSA_E_NO_MORE           10110
#define WSA_E_CANCELLED         10111
#define WSAEREFUSED             10112
#define WSAHOST_NOT_FOUND       11001
#define WSATRY_AGAIN            11002
#define WSANO_RECOVERY          11003
#define WSANO_DATA              11004
#define WSANO_ADDRESS           WSANO_DATA

/* ---- functions ---- */
int WSAAPI WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData);
int WSAAPI WSACleanup(void);
int WSAAPI WSAGetLastError(void);
void WSAAPI WSASetLastError(int iError);

SOCKET WSAAPI socket(int af, int type, int protocol) WS2_ASM(socket);
SOCKET WSAAPI WSASocketA(int af, int type, int protocol,
                         LPWSAPROTOCOL_INFOA lpProtocolInfo, GROUP g, DWORD dwFlags);
SOCKET WSAAPI WSASocketW(int af, int type, int protocol,
                         LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g, DWORD dwFlags);
#ifdef UNICODE
#define WSASocket WSASocketW
#else
#define WSASocket WSASocketA
#endif

int WSAAPI bind(SOCKET s, const struct sockaddr *name, int namelen) WS2_ASM(bind);
int WSAAPI connect(SOCKET s, const struct sockaddr *name, int namelen) WS2_ASM(connect);
int WSAAPI closesocket(SOCKET s);
int WSAAPI shutdown(SOCKET s, int how) WS2_ASM(shutdown);
int WSAAPI setsockopt(SOCKET s, int level, int optname,
                      const char *optval, int optlen) WS2_ASM(setsockopt);
int WSAAPI getsockopt(SOCKET s, int level, int optname,
                      char *optval, int *optlen) WS2_ASM(getsockopt);
int WSAAPI getsockname(SOCKET s, struct sockaddr *name, int *namelen) WS2_ASM(getsockname);
int WSAAPI getpeername(SOCKET s, struct sockaddr *name, int *namelen) WS2_ASM(getpeername);
int WSAAPI ioctlsocket(SOCKET s, long cmd, u_long *argp);

int WSAAPI send(SOCKET s, const char *buf, int len, int flags) WS2_ASM(send);
int WSAAPI sendto(SOCKET s, const char *buf, int len, int flags,
                  const struct sockaddr *to, int tolen) WS2_ASM(sendto);
int WSAAPI recv(SOCKET s, char *buf, int len, int flags) WS2_ASM(recv);
int WSAAPI recvfrom(SOCKET s, char *buf, int len, int flags,
                    struct sockaddr *from, int *fromlen) WS2_ASM(recvfrom);

int WSAAPI WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                   LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                     LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                     const struct sockaddr *lpTo, int iTolen,
                     LPWSAOVERLAPPED lpOverlapped,
                     LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSASendMsg(SOCKET Handle, LPWSAMSG lpMsg, DWORD dwFlags,
                      LPDWORD lpNumberOfBytesSent, LPWSAOVERLAPPED lpOverlapped,
                      LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                   LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                       LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                       struct sockaddr *lpFrom, LPINT lpFromlen,
                       LPWSAOVERLAPPED lpOverlapped,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSAIoctl(SOCKET s, DWORD dwIoControlCode,
                    LPVOID lpvInBuffer, DWORD cbInBuffer,
                    LPVOID lpvOutBuffer, DWORD cbOutBuffer,
                    LPDWORD lpcbBytesReturned, LPWSAOVERLAPPED lpOverlapped,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);

WSAEVENT WSAAPI WSACreateEvent(void);
BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent);
BOOL WSAAPI WSASetEvent(WSAEVENT hEvent);
BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent);
DWORD WSAAPI WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT *lphEvents,
                                      BOOL fWaitAll, DWORD dwTimeout, BOOL fAlertable);
BOOL WSAAPI WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                   LPDWORD lpcbTransfer, BOOL fWait, LPDWORD lpdwFlags);

/* ---- IPv4 address classes ---- */
#define IN_CLASSA(i)            (((LONG)(i) & 0x80000000) == 0)
#define IN_CLASSA_NET           0xff000000
#define IN_CLASSA_NSHIFT        24
#define IN_CLASSA_HOST          0x00ffffff
#define IN_CLASSA_MAX           128
#define IN_CLASSB(i)            (((LONG)(i) & 0xc0000000) == 0x80000000)
#define IN_CLASSB_NET           0xffff0000
#define IN_CLASSB_NSHIFT        16
#define IN_CLASSB_HOST          0x0000ffff
#define IN_CLASSB_MAX           65536
#define IN_CLASSC(i)            (((LONG)(i) & 0xe0000000) == 0xc0000000)
#define IN_CLASSC_NET           0xffffff00
#define IN_CLASSC_NSHIFT        8
#define IN_CLASSC_HOST          0x000000ff
#define IN_CLASSD(i)            (((LONG)(i) & 0xf0000000) == 0xe0000000)
#define IN_CLASSD_NET           0xf0000000
#define IN_CLASSD_NSHIFT        28
#define IN_CLASSD_HOST          0x0fffffff
#define IN_MULTICAST(i)         IN_CLASSD(i)
#define ADDR_ANY                INADDR_ANY

/* ---- host, service and protocol entries (64-bit layouts) ---- */
typedef struct hostent {
    char  *h_name;
    char **h_aliases;
    short  h_addrtype;
    short  h_length;
    char **h_addr_list;
#define h_addr h_addr_list[0]
} HOSTENT, *PHOSTENT, *LPHOSTENT;

struct netent {
    char   *n_name;
    char  **n_aliases;
    short   n_addrtype;
    u_long  n_net;
};

/* On 64-bit Windows s_proto comes before s_port. */
typedef struct servent {
    char  *s_name;
    char **s_aliases;
    char  *s_proto;
    short  s_port;
} SERVENT, *PSERVENT, *LPSERVENT;

typedef struct protoent {
    char  *p_name;
    char **p_aliases;
    short  p_proto;
} PROTOENT, *PPROTOENT, *LPPROTOENT;

#define MAXGETHOSTSTRUCT        1024

#define h_errno                 WSAGetLastError()
#define HOST_NOT_FOUND          WSAHOST_NOT_FOUND
#define TRY_AGAIN               WSATRY_AGAIN
#define NO_RECOVERY             WSANO_RECOVERY
#define NO_DATA                 WSANO_DATA
#define NO_ADDRESS              WSANO_ADDRESS

typedef void (CALLBACK *LPLOOKUPSERVICE_COMPLETION_ROUTINE)(
    DWORD dwError, DWORD dwBytes, LPWSAOVERLAPPED lpOverlapped);

/* ---- names and address strings (SPEC P2, P3) ---- */
struct hostent *WSAAPI gethostbyname(const char *name) WS2_ASM(gethostbyname);
struct hostent *WSAAPI gethostbyaddr(const char *addr, int len, int type) WS2_ASM(gethostbyaddr);
int WSAAPI gethostname(char *name, int namelen) WS2_ASM(gethostname);
int WSAAPI GetHostNameW(PWSTR name, int namelen);
struct servent *WSAAPI getservbyname(const char *name, const char *proto) WS2_ASM(getservbyname);
struct servent *WSAAPI getservbyport(int port, const char *proto) WS2_ASM(getservbyport);
struct protoent *WSAAPI getprotobyname(const char *name) WS2_ASM(getprotobyname);
struct protoent *WSAAPI getprotobynumber(int number) WS2_ASM(getprotobynumber);
u_long WSAAPI inet_addr(const char *cp) WS2_ASM(inet_addr); /* 32-bit, as on Windows */
char *WSAAPI inet_ntoa(struct in_addr in) WS2_ASM(inet_ntoa);

INT WSAAPI WSAAddressToStringA(LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
                               LPWSAPROTOCOL_INFOA lpProtocolInfo, LPSTR lpszAddressString,
                               LPDWORD lpdwAddressStringLength);
INT WSAAPI WSAAddressToStringW(LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
                               LPWSAPROTOCOL_INFOW lpProtocolInfo, LPWSTR lpszAddressString,
                               LPDWORD lpdwAddressStringLength);
INT WSAAPI WSAStringToAddressA(LPSTR AddressString, INT AddressFamily,
                               LPWSAPROTOCOL_INFOA lpProtocolInfo, LPSOCKADDR lpAddress,
                               LPINT lpAddressLength);
INT WSAAPI WSAStringToAddressW(LPWSTR AddressString, INT AddressFamily,
                               LPWSAPROTOCOL_INFOW lpProtocolInfo, LPSOCKADDR lpAddress,
                               LPINT lpAddressLength);
#ifdef UNICODE
#define WSAAddressToString  WSAAddressToStringW
#define WSAStringToAddress  WSAStringToAddressW
#else
#define WSAAddressToString  WSAAddressToStringA
#define WSAStringToAddress  WSAStringToAddressA
#endif

/* ---- readiness (SPEC P1) ---- */
int WSAAPI select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                  const struct timeval *timeout) WS2_ASM(select);
int WSAAPI __WSAFDIsSet(SOCKET fd, fd_set *set);
int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout);
int WSAAPI WSAEventSelect(SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents);
int WSAAPI WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
                                LPWSANETWORKEVENTS lpNetworkEvents);

/* ---- not provided yet: using these fails to compile (never glibc's) ---- */
SOCKET WSAAPI accept(SOCKET s, struct sockaddr *addr, int *addrlen) WS2_UNPROVIDED(accept);
int WSAAPI listen(SOCKET s, int backlog) WS2_UNPROVIDED(listen);

u_short WSAAPI htons(u_short hostshort) WS2_ASM(htons);
u_long  WSAAPI htonl(u_long hostlong) WS2_ASM(htonl);
u_short WSAAPI ntohs(u_short netshort) WS2_ASM(ntohs);
u_long  WSAAPI ntohl(u_long netlong) WS2_ASM(ntohl);

#ifdef __cplusplus
}
#endif

/* INTERFACE_INFO and SIO_GET_INTERFACE_LIST (P5), and the IPv6 types,
 * as this header has always brought them in. */
#include "ws2ipdef.h"

#endif /* WS2_WINSOCK2_H */
