/*
 * ws2def.h -- Winsock definitions shared by winsock2.h and ws2ipdef.h:
 * address families, sockaddr structures, WSABUF, WSAMSG, WSACMSGHDR and the
 * WSA_CMSG_* macros, IPPROTO_*, MSG_* flags, IOC_* codes.  64-bit Windows
 * layouts and numbers (AF_INET6 is 23, SOL_SOCKET is 0xffff).
 *
 * glibc's socket headers are included first and their names renamed
 * (ws2_libc.h): struct sockaddr, struct in_addr, ... are the Windows ones
 * here, whether or not the program also includes <sys/socket.h>,
 * <netinet/in.h>, <arpa/inet.h> or <netdb.h>, before or after.
 */
#ifndef WS2_WS2DEF_H
#define WS2_WS2DEF_H

#include "windows.h"
#include "ws2_libc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- BSD integer names with Windows sizes ----
 * glibc's <sys/types.h> (already included by windows.h) declares u_long as a
 * 64-bit type in gnu modes.  Winsock's u_long is 32-bit, so the name is
 * redirected by macro to our own type from here on. */
typedef unsigned int ws2_u_long;
#undef u_long
#define u_long ws2_u_long
#ifndef __u_char_defined
typedef unsigned char  u_char;
typedef unsigned short u_short;
typedef unsigned int   u_int;
#define __u_char_defined
#endif

typedef USHORT ADDRESS_FAMILY;

/* ---- address families ---- */
#define AF_UNSPEC       0
#define AF_UNIX         1
#define AF_INET         2
#define AF_IMPLINK      3
#define AF_PUP          4
#define AF_CHAOS        5
#define AF_NS           6
#define AF_IPX          AF_NS
#define AF_ISO          7
#define AF_OSI          AF_ISO
#define AF_ECMA         8
#define AF_DATAKIT      9
#define AF_CCITT        10
#define AF_SNA          11
#define AF_DECnet       12
#define AF_DLI          13
#define AF_LAT          14
#define AF_HYLINK       15
#define AF_APPLETALK    16
#define AF_NETBIOS      17
#define AF_VOICEVIEW    18
#define AF_FIREFOX      19
#define AF_UNKNOWN1     20
#define AF_BAN          21
#define AF_ATM          22
#define AF_INET6        23
#define AF_CLUSTER      24
#define AF_12844        25
#define AF_IRDA         26
#define AF_NETDES       28
#define AF_TCNPROCESS   29
#define AF_TCNMESSAGE   30
#define AF_ICLFXBM      31
#define AF_BTH          32
#define AF_LINK         33
#define AF_HYPERV       34
#define AF_MAX          35

/* ---- socket types ---- */
#define SOCK_STREAM     1
#define SOCK_DGRAM      2
#define SOCK_RAW        3
#define SOCK_RDM        4
#define SOCK_SEQPACKET  5

/* ---- socket level options ---- */
#define SOL_SOCKET      0xffff

#define SO_DEBUG        0x0001
#define SO_ACCEPTCONN   0x0002
#define SO_REUSEADDR    0x0004
#define SO_KEEPALIVE    0x0008
#define SO_DONTROUTE    0x0010
#define SO_BROADCAST    0x0020
#define SO_USELOOPBACK  0x0040
#define SO_LINGER       0x0080
#define SO_OOBINLINE    0x0100
#define SO_DONTLINGER       ((int)(~SO_LINGER))
#define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))
#define SO_SNDBUF       0x1001
#define SO_RCVBUF       0x1002
#define SO_SNDLOWAT     0x1003
#define SO_RCVLOWAT     0x1004
#define SO_SNDTIMEO     0x1005
#define SO_RCVTIMEO     0x1006
#define SO_ERROR        0x1007
#define SO_TYPE         0x1008
#define SO_BSP_STATE    0x1009
#define SO_GROUP_ID         0x2001
#define SO_GROUP_PRIORITY   0x2002
#define SO_MAX_MSG_SIZE     0x2003
#define SO_PROTOCOL_INFOA   0x2004
#define SO_PROTOCOL_INFOW   0x2005
#define SO_PROTOCOL_INFO    SO_PROTOCOL_INFOA
#define PVD_CONFIG          0x3001
#define SO_CONDITIONAL_ACCEPT   0x3002
#define SO_PAUSE_ACCEPT         0x3003
#define SO_COMPARTMENT_ID       0x3004
#define SO_RANDOMIZE_PORT       0x3005
#define SO_PORT_SCALABILITY     0x3006
#define SO_REUSE_UNICASTPORT    0x3007
#define SO_REUSE_MULTICASTPORT  0x3008
#define SO_ORIGINAL_DST         0x300F

#define TCP_NODELAY     0x0001

/* ---- sockaddr ---- */
typedef struct sockaddr {
    ADDRESS_FAMILY sa_family;
    CHAR           sa_data[14];
} SOCKADDR, *PSOCKADDR, *LPSOCKADDR;

#define _SS_MAXSIZE     128
#define _SS_ALIGNSIZE   (sizeof(__int64))
#define _SS_PAD1SIZE    (_SS_ALIGNSIZE - sizeof(USHORT))
#define _SS_PAD2SIZE    (_SS_MAXSIZE - (sizeof(USHORT) + _SS_PAD1SIZE + _SS_ALIGNSIZE))

typedef struct sockaddr_storage {
    ADDRESS_FAMILY ss_family;
    CHAR           __ss_pad1[_SS_PAD1SIZE];
    __int64        __ss_align;
    CHAR           __ss_pad2[_SS_PAD2SIZE];
} SOCKADDR_STORAGE_LH, *PSOCKADDR_STORAGE_LH, *LPSOCKADDR_STORAGE_LH;
typedef SOCKADDR_STORAGE_LH SOCKADDR_STORAGE, *PSOCKADDR_STORAGE, *LPSOCKADDR_STORAGE;
typedef SOCKADDR_STORAGE_LH SOCKADDR_STORAGE_XP, *PSOCKADDR_STORAGE_XP, *LPSOCKADDR_STORAGE_XP;

/* ---- IPv4 address (inaddr.h) ---- */
typedef struct in_addr {
    union {
        struct { UCHAR s_b1, s_b2, s_b3, s_b4; } S_un_b;
        struct { USHORT s_w1, s_w2; } S_un_w;
        ULONG S_addr;
    } S_un;
} IN_ADDR, *PIN_ADDR, *LPIN_ADDR;
#define s_addr  S_un.S_addr
#define s_host  S_un.S_un_b.s_b2
#define s_net   S_un.S_un_b.s_b1
#define s_imp   S_un.S_un_w.s_w2
#define s_impno S_un.S_un_b.s_b4
#define s_lh    S_un.S_un_b.s_b3

typedef struct sockaddr_in {
    ADDRESS_FAMILY sin_family;
    USHORT         sin_port;
    IN_ADDR        sin_addr;
    CHAR           sin_zero[8];
} SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;

#define INADDR_ANY          ((ULONG)0x00000000)
#define INADDR_LOOPBACK     0x7f000001
#define INADDR_BROADCAST    ((ULONG)0xffffffff)
#define INADDR_NONE         0xffffffff

/* ---- scope id ---- */
typedef enum {
    ScopeLevelInterface    = 1,
    ScopeLevelLink         = 2,
    ScopeLevelSubnet       = 3,
    ScopeLevelAdmin        = 4,
    ScopeLevelSite         = 5,
    ScopeLevelOrganization = 8,
    ScopeLevelGlobal       = 14,
    ScopeLevelCount        = 16
} SCOPE_LEVEL;

typedef struct {
    union {
        __extension__ struct {
            ULONG Zone  : 28;
            ULONG Level : 4;
        };
        ULONG Value;
    };
} SCOPE_ID, *PSCOPE_ID;
#define SCOPEID_UNSPECIFIED_INIT { { 0 } }

/* ---- protocols ---- */
#define IPPROTO_IP          0
#define IPPROTO_HOPOPTS     0
#define IPPROTO_ICMP        1
#define IPPROTO_IGMP        2
#define IPPROTO_GGP         3
#define IPPROTO_IPV4        4
#define IPPROTO_ST          5
#define IPPROTO_TCP         6
#define IPPROTO_CBT         7
#define IPPROTO_EGP         8
#define IPPROTO_IGP         9
#define IPPROTO_PUP         12
#define IPPROTO_UDP         17
#define IPPROTO_IDP         22
#define IPPROTO_RDP         27
#define IPPROTO_IPV6        41
#define IPPROTO_ROUTING     43
#define IPPROTO_FRAGMENT    44
#define IPPROTO_ESP         50
#define IPPROTO_AH          51
#define IPPROTO_ICMPV6      58
#define IPPROTO_NONE        59
#define IPPROTO_DSTOPTS     60
#define IPPROTO_ND          77
#define IPPROTO_ICLFXBM     78
#define IPPROTO_PIM         103
#define IPPROTO_PGM         113
#define IPPROTO_L2TP        115
#define IPPROTO_SCTP        132
#define IPPROTO_RAW         255
#define IPPROTO_MAX         256
#define IPPROTO_RESERVED_RAW        257
#define IPPROTO_RESERVED_IPSEC      258
#define IPPROTO_RESERVED_IPSECOFFLOAD 259
#define IPPROTO_RESERVED_WNV        260
#define IPPROTO_RESERVED_MAX        261
typedef int IPPROTO, *PIPPROTO;

#define IPPORT_ECHO         7
#define IPPORT_DISCARD      9
#define IPPORT_RESERVED     1024

/* ---- ioctl codes ---- */
#define IOCPARM_MASK    0x7f
#define IOC_VOID        0x20000000
#define IOC_OUT         0x40000000
#define IOC_IN          0x80000000
#define IOC_INOUT       (IOC_IN | IOC_OUT)

#define IOC_UNIX        0x00000000
#define IOC_WS2         0x08000000
#define IOC_PROTOCOL    0x10000000
#define IOC_VENDOR      0x18000000
#define IOC_WSK         (IOC_WS2 | 0x07000000)

#define _WSAIO(x, y)    (IOC_VOID  | (x) | (y))
#define _WSAIOR(x, y)   (IOC_OUT   | (x) | (y))
#define _WSAIOW(x, y)   (IOC_IN    | (x) | (y))
#define _WSAIORW(x, y)  (IOC_INOUT | (x) | (y))

/* ---- WSABUF, WSAMSG ---- */
typedef struct _WSABUF {
    ULONG len;
    CHAR *buf;
} WSABUF, *LPWSABUF;

typedef struct _WSAMSG {
    LPSOCKADDR name;
    INT        namelen;
    LPWSABUF   lpBuffers;
    ULONG      dwBufferCount;
    WSABUF     Control;
    ULONG      dwFlags;
} WSAMSG, *PWSAMSG, *LPWSAMSG;

/* ---- control data (RFC 2292 layout, Windows alignment 8) ---- */
#define _WSACMSGHDR cmsghdr
typedef struct _WSACMSGHDR {
    SIZE_T cmsg_len;
    INT    cmsg_level;
    INT    cmsg_type;
    /* followed by UCHAR cmsg_data[] */
} WSACMSGHDR, *PWSACMSGHDR, *LPWSACMSGHDR;
typedef WSACMSGHDR CMSGHDR, *PCMSGHDR;

#ifndef TYPE_ALIGNMENT
#define TYPE_ALIGNMENT(t) __alignof__(t)
#endif
#ifndef MAX_NATURAL_ALIGNMENT
#define MAX_NATURAL_ALIGNMENT sizeof(ULONGLONG)
#endif

#define WSA_CMSGHDR_ALIGN(length)                           \
            ( ((length) + TYPE_ALIGNMENT(WSACMSGHDR)-1) &   \
                (~(TYPE_ALIGNMENT(WSACMSGHDR)-1)) )

#define WSA_CMSGDATA_ALIGN(length)                          \
            ( ((length) + MAX_NATURAL_ALIGNMENT-1) &        \
                (~(MAX_NATURAL_ALIGNMENT-1)) )

#define CMSGHDR_ALIGN  WSA_CMSGHDR_ALIGN
#define CMSGDATA_ALIGN WSA_CMSGDATA_ALIGN

#define WSA_CMSG_FIRSTHDR(msg) \
    ( ((msg)->Control.len >= sizeof(WSACMSGHDR))            \
        ? (LPWSACMSGHDR)(msg)->Control.buf                  \
        : (LPWSACMSGHDR)NULL )

#define CMSG_FIRSTHDR WSA_CMSG_FIRSTHDR

#define WSA_CMSG_NXTHDR(msg, cmsg)                          \
    ( ((cmsg) == NULL)                                      \
        ? WSA_CMSG_FIRSTHDR(msg)                            \
        : ( ( ((PUCHAR)(cmsg) +                             \
                    WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len) +   \
                    sizeof(WSACMSGHDR) ) >                  \
                (PUCHAR)((msg)->Control.buf) +              \
                    (msg)->Control.len )                    \
            ? (LPWSACMSGHDR)NULL                            \
            : (LPWSACMSGHDR)((PUCHAR)(cmsg) +               \
                WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len)) ) )

#define CMSG_NXTHDR WSA_CMSG_NXTHDR

/* Windows has no CMSG_DATA alias (the name belongs to wincrypt.h there). */
#define WSA_CMSG_DATA(cmsg)             \
            ( (PUCHAR)(cmsg) + WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)) )

#define WSA_CMSG_SPACE(length)  \
        (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR) + WSA_CMSGHDR_ALIGN(length)))

#define CMSG_SPACE WSA_CMSG_SPACE

#define WSA_CMSG_LEN(length)    \
         (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)) + length)

#define CMSG_LEN WSA_CMSG_LEN

/* ---- message flags ---- */
#define MSG_OOB             0x1
#define MSG_PEEK            0x2
#define MSG_DONTROUTE       0x4
#define MSG_WAITALL         0x8
#define MSG_INTERRUPT       0x10
#define MSG_PUSH_IMMEDIATE  0x20
#define MSG_PARTIAL         0x8000
#define MSG_MAXIOVLEN       16
#define MSG_TRUNC           0x0100
#define MSG_CTRUNC          0x0200
#define MSG_BCAST           0x0400
#define MSG_MCAST           0x0800
#define MSG_ERRQUEUE        0x1000

/* ---- name resolution (getaddrinfo/getnameinfo): Windows' bits ---- */
#define AI_PASSIVE                  0x00000001
#define AI_CANONNAME                0x00000002
#define AI_NUMERICHOST              0x00000004
#define AI_NUMERICSERV              0x00000008
#define AI_DNS_ONLY                 0x00000010
#define AI_FORCE_CLEAR_TEXT         0x00000020
#define AI_BYPASS_DNS_CACHE         0x00000040
#define AI_RETURN_TTL               0x00000080
#define AI_ALL                      0x00000100
#define AI_ADDRCONFIG               0x00000400
#define AI_V4MAPPED                 0x00000800
#define AI_NON_AUTHORITATIVE        0x00004000
#define AI_SECURE                   0x00008000
#define AI_RETURN_PREFERRED_NAMES   0x00010000
#define AI_FQDN                     0x00020000
#define AI_FILESERVER               0x00040000
#define AI_DISABLE_IDN_ENCODING     0x00080000
#define AI_SECURE_WITH_FALLBACK     0x00100000
#define AI_EXCLUSIVE_CUSTOM_SERVERS 0x00200000
#define AI_RETURN_RESPONSE_FLAGS    0x10000000
#define AI_REQUIRE_SECURE           0x20000000
#define AI_RESOLUTION_HANDLE        0x40000000
#define AI_EXTENDED                 0x80000000

/* ADDRINFOA: ai_addrlen is a size_t and ai_canonname comes before ai_addr
 * (glibc's struct addrinfo has them the other way round). */
typedef struct addrinfo {
    int              ai_flags;
    int              ai_family;
    int              ai_socktype;
    int              ai_protocol;
    size_t           ai_addrlen;
    char            *ai_canonname;
    struct sockaddr *ai_addr;
    struct addrinfo *ai_next;
} ADDRINFOA, *PADDRINFOA;

typedef struct addrinfoW {
    int               ai_flags;
    int               ai_family;
    int               ai_socktype;
    int               ai_protocol;
    size_t            ai_addrlen;
    PWSTR             ai_canonname;
    struct sockaddr  *ai_addr;
    struct addrinfoW *ai_next;
} ADDRINFOW, *PADDRINFOW;

typedef struct addrinfoexA {
    int                 ai_flags;
    int                 ai_family;
    int                 ai_socktype;
    int                 ai_protocol;
    size_t              ai_addrlen;
    char               *ai_canonname;
    struct sockaddr    *ai_addr;
    void               *ai_blob;
    size_t              ai_bloblen;
    LPGUID              ai_provider;
    struct addrinfoexA *ai_next;
} ADDRINFOEXA, *PADDRINFOEXA, *LPADDRINFOEXA;

typedef struct addrinfoexW {
    int                 ai_flags;
    int                 ai_family;
    int                 ai_socktype;
    int                 ai_protocol;
    size_t              ai_addrlen;
    PWSTR               ai_canonname;
    struct sockaddr    *ai_addr;
    void               *ai_blob;
    size_t              ai_bloblen;
    LPGUID              ai_provider;
    struct addrinfoexW *ai_next;
} ADDRINFOEXW, *PADDRINFOEXW, *LPADDRINFOEXW;

#ifdef UNICODE
typedef ADDRINFOW   ADDRINFOT, *PADDRINFOT;
typedef ADDRINFOEXW ADDRINFOEX, *PADDRINFOEX;
#else
typedef ADDRINFOA   ADDRINFOT, *PADDRINFOT;
typedef ADDRINFOEXA ADDRINFOEX, *PADDRINFOEX;
#endif
typedef ADDRINFOA ADDRINFO, *LPADDRINFO;

#define ADDRINFOEX_VERSION_2    2
#define ADDRINFOEX_VERSION_3    3
#define ADDRINFOEX_VERSION_4    4
#define ADDRINFOEX_VERSION_5    5
#define ADDRINFOEX_VERSION_6    6

/* ---- name spaces (GetAddrInfoEx) ---- */
#define NS_ALL          0
#define NS_SAP          1
#define NS_NDS          2
#define NS_PEER_BROWSE  3
#define NS_SLP          5
#define NS_DHCP         6
#define NS_TCPIP_LOCAL  10
#define NS_TCPIP_HOSTS  11
#define NS_DNS          12
#define NS_NETBT        13
#define NS_WINS         14
#define NS_NLA          15
#define NS_BTH          16
#define NS_NTDS         32
#define NS_EMAIL        37
#define NS_PNRPNAME     38
#define NS_PNRPCLOUD    39

/* ---- getnameinfo flags and sizes ---- */
#define NI_NOFQDN       0x01
#define NI_NUMERICHOST  0x02
#define NI_NAMEREQD     0x04
#define NI_NUMERICSERV  0x08
#define NI_DGRAM        0x10
#define NI_MAXHOST      1025
#define NI_MAXSERV      32

/* ---- socket address lists (SIO_ADDRESS_LIST_QUERY, P5) ---- */
#ifndef FIELD_OFFSET
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#endif

typedef struct _SOCKET_ADDRESS {
    LPSOCKADDR lpSockaddr;
    INT        iSockaddrLength;
} SOCKET_ADDRESS, *PSOCKET_ADDRESS, *LPSOCKET_ADDRESS;

typedef struct _SOCKET_ADDRESS_LIST {
    INT            iAddressCount;
    SOCKET_ADDRESS Address[1];
} SOCKET_ADDRESS_LIST, *PSOCKET_ADDRESS_LIST, *LPSOCKET_ADDRESS_LIST;

#define SIZEOF_SOCKET_ADDRESS_LIST(AddressCount) \
    (FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address) + (AddressCount) * sizeof(SOCKET_ADDRESS))

#ifdef __cplusplus
}
#endif

#endif /* WS2_WS2DEF_H */
