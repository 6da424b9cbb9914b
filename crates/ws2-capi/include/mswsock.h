/*
 * mswsock.h -- Microsoft Winsock extensions: WSASendMsg / WSARecvMsg
 * extension function GUIDs and pointer types.
 *
 * WSARecvMsg is not exported by name (as on Windows): get it with
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, &(GUID)WSAID_WSARECVMSG, ...).
 */
#ifndef WS2_MSWSOCK_H
#define WS2_MSWSOCK_H

#include "winsock2.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WSAID_WSARECVMSG /* f689d7c8-6f1f-436b-8a53-e54fe351c322 */ \
    {0xf689d7c8,0x6f1f,0x436b,{0x8a,0x53,0xe5,0x4f,0xe3,0x51,0xc3,0x22}}

#define WSAID_WSASENDMSG /* a441e712-754f-43ca-84a7-0dee44cf606d */ \
    {0xa441e712,0x754f,0x43ca,{0x84,0xa7,0x0d,0xee,0x44,0xcf,0x60,0x6d}}

typedef INT (PASCAL *LPFN_WSARECVMSG)(SOCKET s, LPWSAMSG lpMsg,
                                      LPDWORD lpdwNumberOfBytesRecvd,
                                      LPWSAOVERLAPPED lpOverlapped,
                                      LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);

typedef INT (WSAAPI *LPFN_WSASENDMSG)(SOCKET s, LPWSAMSG lpMsg, DWORD dwFlags,
                                      LPDWORD lpNumberOfBytesSent,
                                      LPWSAOVERLAPPED lpOverlapped,
                                      LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);

/* mswsock.h socket options (values only). */
#define SO_CONNDATA                 0x7000
#define SO_CONNOPT                  0x7001
#define SO_DISCDATA                 0x7002
#define SO_DISCOPT                  0x7003
#define SO_CONNDATALEN              0x7004
#define SO_CONNOPTLEN               0x7005
#define SO_DISCDATALEN              0x7006
#define SO_DISCOPTLEN               0x7007
#define SO_OPENTYPE                 0x7008
#define SO_MAXDG                    0x7009
#define SO_MAXPATHDG                0x700A
#define SO_UPDATE_ACCEPT_CONTEXT    0x700B
#define SO_CONNECT_TIME             0x700C
#define SO_UPDATE_CONNECT_CONTEXT   0x7010

/* SO_OPENTYPE values: socket() then makes sockets without overlapped I/O. */
#define SO_SYNCHRONOUS_ALERT        0x10
#define SO_SYNCHRONOUS_NONALERT     0x20

/* The base provider's handle of a socket (ws2 has no layered providers:
 * the socket itself). */
#define SIO_BSP_HANDLE              _WSAIOR(IOC_WS2, 27)
#define SIO_BSP_HANDLE_SELECT       _WSAIOR(IOC_WS2, 28)
#define SIO_BSP_HANDLE_POLL         _WSAIOR(IOC_WS2, 29)
#define SIO_BASE_HANDLE             _WSAIOR(IOC_WS2, 34)

#ifdef __cplusplus
}
#endif

#endif /* WS2_MSWSOCK_H */
