/*
 * mswsock.h -- Microsoft Winsock extensions: WSASendMsg / WSARecvMsg and
 * the stream extensions (AcceptEx, GetAcceptExSockaddrs, ConnectEx,
 * DisconnectEx): their function
 * GUIDs and pointer types.
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

#define WSAID_ACCEPTEX /* b5367df1-cbac-11cf-95ca-00805f48a192 */ \
    {0xb5367df1,0xcbac,0x11cf,{0x95,0xca,0x00,0x80,0x5f,0x48,0xa1,0x92}}

#define WSAID_GETACCEPTEXSOCKADDRS /* b5367df2-cbac-11cf-95ca-00805f48a192 */ \
    {0xb5367df2,0xcbac,0x11cf,{0x95,0xca,0x00,0x80,0x5f,0x48,0xa1,0x92}}

typedef BOOL (PASCAL *LPFN_ACCEPTEX)(SOCKET sListenSocket, SOCKET sAcceptSocket,
                                     PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                                     DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                                     LPDWORD lpdwBytesReceived, LPOVERLAPPED lpOverlapped);

typedef VOID (PASCAL *LPFN_GETACCEPTEXSOCKADDRS)(PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                                                 DWORD dwLocalAddressLength,
                                                 DWORD dwRemoteAddressLength,
                                                 struct sockaddr **LocalSockaddr,
                                                 LPINT LocalSockaddrLength,
                                                 struct sockaddr **RemoteSockaddr,
                                                 LPINT RemoteSockaddrLength);

#define WSAID_CONNECTEX /* 25a207b9-ddf3-4660-8ee9-76e58c74063e */ \
    {0x25a207b9,0xddf3,0x4660,{0x8e,0xe9,0x76,0xe5,0x8c,0x74,0x06,0x3e}}

/* ConnectEx is not exported by name (as on Windows): get it with
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, &(GUID)WSAID_CONNECTEX, ...). */
typedef BOOL (PASCAL *LPFN_CONNECTEX)(SOCKET s, const struct sockaddr *name, int namelen,
                                      PVOID lpSendBuffer, DWORD dwSendDataLength,
                                      LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped);

#define WSAID_DISCONNECTEX /* 7fda2e11-8630-436f-a031-f536a6eec157 */ \
    {0x7fda2e11,0x8630,0x436f,{0xa0,0x31,0xf5,0x36,0xa6,0xee,0xc1,0x57}}

/* DisconnectEx: by GUID only, as ConnectEx. */
typedef BOOL (PASCAL *LPFN_DISCONNECTEX)(SOCKET s, LPOVERLAPPED lpOverlapped, DWORD dwFlags,
                                         DWORD dwReserved);

#define WSAID_TRANSMITFILE /* b5367df0-cbac-11cf-95ca-00805f48a192 */ \
    {0xb5367df0,0xcbac,0x11cf,{0x95,0xca,0x00,0x80,0x5f,0x48,0xa1,0x92}}

#define WSAID_TRANSMITPACKETS /* d9689da0-1f90-11d3-9971-00c04f68c876 */ \
    {0xd9689da0,0x1f90,0x11d3,{0x99,0x71,0x00,0xc0,0x4f,0x68,0xc8,0x76}}

/* ws2 has no file HANDLEs: TransmitFile sends its head and tail buffers
 * (hFile NULL), TransmitPackets its TP_ELEMENT_MEMORY elements; a file is
 * ERROR_INVALID_HANDLE. */
typedef struct _TRANSMIT_FILE_BUFFERS {
    LPVOID Head;
    DWORD HeadLength;
    LPVOID Tail;
    DWORD TailLength;
} TRANSMIT_FILE_BUFFERS, *PTRANSMIT_FILE_BUFFERS, *LPTRANSMIT_FILE_BUFFERS;

#define TP_ELEMENT_MEMORY       1
#define TP_ELEMENT_FILE         2
#define TP_ELEMENT_EOP          4

typedef struct _TRANSMIT_PACKETS_ELEMENT {
    ULONG dwElFlags;
    ULONG cLength;
    union {
        __extension__ struct {
            LARGE_INTEGER nFileOffset;
            HANDLE hFile;
        };
        PVOID pBuffer;
    };
} TRANSMIT_PACKETS_ELEMENT, *PTRANSMIT_PACKETS_ELEMENT, *LPTRANSMIT_PACKETS_ELEMENT;

typedef BOOL (PASCAL *LPFN_TRANSMITFILE)(SOCKET hSocket, HANDLE hFile,
                                         DWORD nNumberOfBytesToWrite, DWORD nNumberOfBytesPerSend,
                                         LPOVERLAPPED lpOverlapped,
                                         LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers,
                                         DWORD dwReserved);

typedef BOOL (PASCAL *LPFN_TRANSMITPACKETS)(SOCKET hSocket, LPTRANSMIT_PACKETS_ELEMENT lpPacketArray,
                                            DWORD nElementCount, DWORD nSendSize,
                                            LPOVERLAPPED lpOverlapped, DWORD dwFlags);

BOOL PASCAL TransmitFile(SOCKET hSocket, HANDLE hFile, DWORD nNumberOfBytesToWrite,
                         DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped,
                         LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers, DWORD dwReserved);

/* Exported by name too (mswsock.dll). */
BOOL PASCAL AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer,
                     DWORD dwReceiveDataLength, DWORD dwLocalAddressLength,
                     DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived,
                     LPOVERLAPPED lpOverlapped);
VOID PASCAL GetAcceptExSockaddrs(PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                                 DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                                 struct sockaddr **LocalSockaddr, LPINT LocalSockaddrLength,
                                 struct sockaddr **RemoteSockaddr, LPINT RemoteSockaddrLength);

/* TransmitFile / TransmitPackets / DisconnectEx flags. */
#define TF_DISCONNECT           0x01
#define TF_REUSE_SOCKET         0x02
#define TF_WRITE_BEHIND         0x04
#define TF_USE_DEFAULT_WORKER   0x00
#define TF_USE_SYSTEM_THREAD    0x10
#define TF_USE_KERNEL_APC       0x20
#define DE_REUSE_SOCKET         TF_REUSE_SOCKET

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
