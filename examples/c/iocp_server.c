/* iocp_server: a TCP echo server on an I/O completion port, written the way
 * Microsoft's IOCP server sample (iocpserverex) is: AcceptEx and
 * GetAcceptExSockaddrs fetched with WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER),
 * several AcceptEx posted ahead (each also receiving the client's first
 * data), overlapped WSARecv/WSASend per client, worker threads draining
 * GetQueuedCompletionStatus. Many clients are served at once.
 *
 *   iocp_server [-e port] [-i address] [-n clients] [-t threads]
 *
 * -e   the port to listen on (default 5001; 0: any free port, printed)
 * -i   the IPv4 address to bind (default 127.0.0.1)
 * -n   serve this many clients, then exit 0 (default: for ever)
 * -t   worker threads (default 2)
 *
 * Each client is echoed until it shuts down its side, then closed.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/iocp_server.c $(pkg-config --cflags --libs ws2_32) \
 *      -o iocp_server
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma comment(lib, "Ws2_32.lib")

#define BUFFER_SIZE 4096
#define ACCEPTS_POSTED 4
#define MAX_THREADS 16
#define ADDRESS_SLOT (sizeof(SOCKADDR_STORAGE) + 16)

typedef enum { OP_ACCEPT, OP_READ, OP_WRITE } IO_OPERATION;

/* One outstanding operation: the OVERLAPPED comes first, so the pointer
 * GetQueuedCompletionStatus returns is the context. */
typedef struct {
    WSAOVERLAPPED Overlapped;
    IO_OPERATION Operation;
    SOCKET Socket; /* the client socket (for OP_ACCEPT: the accept socket) */
    WSABUF Wsabuf;
    char Buffer[BUFFER_SIZE];
} IO_CONTEXT;

static SOCKET g_listener = INVALID_SOCKET;
static HANDLE g_port;
static LPFN_ACCEPTEX g_AcceptEx;
static LPFN_GETACCEPTEXSOCKADDRS g_GetAcceptExSockaddrs;
static long g_clients = -1;       /* -n: clients to serve (-1: for ever) */
static atomic_long g_accepted;    /* clients accepted so far */
static atomic_long g_finished;    /* clients closed so far */
static int g_threads = 2;

static void Usage(const char *progname)
{
    fprintf(stderr, "usage: %s [-e port] [-i address] [-n clients] [-t threads]\n", progname);
    exit(1);
}

static IO_CONTEXT *NewContext(IO_OPERATION op, SOCKET s)
{
    IO_CONTEXT *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    ctx->Operation = op;
    ctx->Socket = s;
    return ctx;
}

/* Posts one AcceptEx with a fresh accept socket, receiving the first data
 * into the context's buffer (the two address slots follow it). */
static BOOL PostAccept(void)
{
    SOCKET s = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) {
        fprintf(stderr, "WSASocket failed: %d\n", WSAGetLastError());
        return FALSE;
    }
    IO_CONTEXT *ctx = NewContext(OP_ACCEPT, s);
    DWORD bytes = 0;
    if (!g_AcceptEx(g_listener, s, ctx->Buffer, BUFFER_SIZE - 2 * ADDRESS_SLOT, ADDRESS_SLOT,
                    ADDRESS_SLOT, &bytes, (LPOVERLAPPED)&ctx->Overlapped) &&
        WSAGetLastError() != ERROR_IO_PENDING) {
        fprintf(stderr, "AcceptEx failed: %d\n", WSAGetLastError());
        closesocket(s);
        free(ctx);
        return FALSE;
    }
    return TRUE;
}

static void CloseClient(IO_CONTEXT *ctx)
{
    closesocket(ctx->Socket);
    free(ctx);
    long done = atomic_fetch_add(&g_finished, 1) + 1;
    if (g_clients > 0 && done == g_clients) {
        /* Every client served: wake each worker with a quit packet. */
        for (int i = 0; i < g_threads; i++) PostQueuedCompletionStatus(g_port, 0, 0, NULL);
    }
}

static void PostRead(IO_CONTEXT *ctx)
{
    DWORD flags = 0;
    ctx->Operation = OP_READ;
    ctx->Wsabuf.buf = ctx->Buffer;
    ctx->Wsabuf.len = BUFFER_SIZE;
    memset(&ctx->Overlapped, 0, sizeof ctx->Overlapped);
    if (WSARecv(ctx->Socket, &ctx->Wsabuf, 1, NULL, &flags, &ctx->Overlapped, NULL) ==
            SOCKET_ERROR &&
        WSAGetLastError() != WSA_IO_PENDING) {
        fprintf(stderr, "WSARecv failed: %d\n", WSAGetLastError());
        CloseClient(ctx);
    }
}

static void PostWrite(IO_CONTEXT *ctx, DWORD len, DWORD offset)
{
    ctx->Operation = OP_WRITE;
    ctx->Wsabuf.buf = ctx->Buffer + offset;
    ctx->Wsabuf.len = len;
    memset(&ctx->Overlapped, 0, sizeof ctx->Overlapped);
    if (WSASend(ctx->Socket, &ctx->Wsabuf, 1, NULL, 0, &ctx->Overlapped, NULL) == SOCKET_ERROR &&
        WSAGetLastError() != WSA_IO_PENDING) {
        fprintf(stderr, "WSASend failed: %d\n", WSAGetLastError());
        CloseClient(ctx);
    }
}

/* A connection arrived (with its first bytes, or 0 if the client closed
 * at once): the accept socket takes the listener's settings, joins the
 * port, and is echoed; another AcceptEx replaces this one. */
static void Accepted(IO_CONTEXT *ctx, DWORD bytes)
{
    SOCKET s = ctx->Socket;
    if (setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&g_listener,
                   sizeof g_listener) == SOCKET_ERROR) {
        fprintf(stderr, "SO_UPDATE_ACCEPT_CONTEXT failed: %d\n", WSAGetLastError());
    }
    SOCKADDR *local = NULL, *remote = NULL;
    int local_len = 0, remote_len = 0;
    g_GetAcceptExSockaddrs(ctx->Buffer, BUFFER_SIZE - 2 * ADDRESS_SLOT, ADDRESS_SLOT,
                           ADDRESS_SLOT, &local, &local_len, &remote, &remote_len);
    char name[INET6_ADDRSTRLEN + 8] = "?";
    DWORD name_len = sizeof name;
    WSAAddressToStringA(remote, (DWORD)remote_len, NULL, name, &name_len);
    printf("accepted connection from %s\n", name);
    fflush(stdout);
    long accepted = atomic_fetch_add(&g_accepted, 1) + 1;
    if (g_clients < 0 || accepted + ACCEPTS_POSTED <= g_clients) PostAccept();
    if (CreateIoCompletionPort((HANDLE)s, g_port, (ULONG_PTR)s, 0) == NULL) {
        fprintf(stderr, "CreateIoCompletionPort failed: %lu\n", (unsigned long)GetLastError());
        CloseClient(ctx);
        return;
    }
    if (bytes == 0) {
        CloseClient(ctx);
        return;
    }
    PostWrite(ctx, bytes, 0);
}

static DWORD WINAPI Worker(LPVOID arg)
{
    (void)arg;
    for (;;) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        OVERLAPPED *ov = NULL;
        BOOL ok = GetQueuedCompletionStatus(g_port, &bytes, &key, &ov, INFINITE);
        if (ov == NULL) {
            if (!ok) fprintf(stderr, "GetQueuedCompletionStatus failed: %lu\n",
                             (unsigned long)GetLastError());
            return 0; /* a quit packet (or the port is gone) */
        }
        IO_CONTEXT *ctx = (IO_CONTEXT *)ov;
        if (!ok) {
            /* The operation failed: the client reset, or the server closes. */
            if (ctx->Operation == OP_ACCEPT) {
                closesocket(ctx->Socket);
                free(ctx);
            } else {
                CloseClient(ctx);
            }
            continue;
        }
        switch (ctx->Operation) {
        case OP_ACCEPT:
            Accepted(ctx, bytes);
            break;
        case OP_READ:
            if (bytes == 0)
                CloseClient(ctx); /* the client shut down its side */
            else
                PostWrite(ctx, bytes, 0);
            break;
        case OP_WRITE:
            /* An overlapped WSASend on a stream completes with every byte. */
            PostRead(ctx);
            break;
        }
    }
}

int main(int argc, char **argv)
{
    const char *port = "5001";
    const char *address = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || argv[i][1] == '\0' || argv[i][2] != '\0' || i + 1 >= argc)
            Usage(argv[0]);
        switch (argv[i][1]) {
        case 'e': port = argv[++i]; break;
        case 'i': address = argv[++i]; break;
        case 'n': g_clients = atol(argv[++i]); break;
        case 't': g_threads = atoi(argv[++i]); break;
        default: Usage(argv[0]);
        }
    }
    if (g_threads < 1 || g_threads > MAX_THREADS || g_clients == 0) Usage(argv[0]);

    WSADATA wsd;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsd);
    if (rc != 0) {
        fprintf(stderr, "WSAStartup failed: %d\n", rc);
        return 1;
    }
    g_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (g_port == NULL) {
        fprintf(stderr, "CreateIoCompletionPort failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    g_listener = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    SOCKADDR_IN local = {0};
    local.sin_family = AF_INET;
    local.sin_port = htons((u_short)atoi(port));
    if (g_listener == INVALID_SOCKET ||
        inet_pton(AF_INET, address, &local.sin_addr) != 1 ||
        bind(g_listener, (SOCKADDR *)&local, sizeof local) == SOCKET_ERROR ||
        listen(g_listener, SOMAXCONN) == SOCKET_ERROR) {
        fprintf(stderr, "listener setup failed: %d\n", WSAGetLastError());
        return 1;
    }
    int len = sizeof local;
    getsockname(g_listener, (SOCKADDR *)&local, &len);
    if (CreateIoCompletionPort((HANDLE)g_listener, g_port, (ULONG_PTR)g_listener, 0) == NULL) {
        fprintf(stderr, "CreateIoCompletionPort failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    GUID accept_ex = WSAID_ACCEPTEX, sockaddrs = WSAID_GETACCEPTEXSOCKADDRS;
    DWORD bytes;
    if (WSAIoctl(g_listener, SIO_GET_EXTENSION_FUNCTION_POINTER, &accept_ex, sizeof accept_ex,
                 &g_AcceptEx, sizeof g_AcceptEx, &bytes, NULL, NULL) == SOCKET_ERROR ||
        WSAIoctl(g_listener, SIO_GET_EXTENSION_FUNCTION_POINTER, &sockaddrs, sizeof sockaddrs,
                 &g_GetAcceptExSockaddrs, sizeof g_GetAcceptExSockaddrs, &bytes, NULL,
                 NULL) == SOCKET_ERROR) {
        fprintf(stderr, "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) failed: %d\n",
                WSAGetLastError());
        return 1;
    }
    HANDLE threads[MAX_THREADS];
    for (int i = 0; i < g_threads; i++) {
        threads[i] = CreateThread(NULL, 0, Worker, NULL, 0, NULL);
        if (threads[i] == NULL) {
            fprintf(stderr, "CreateThread failed: %lu\n", (unsigned long)GetLastError());
            return 1;
        }
    }
    int posted = g_clients > 0 && g_clients < ACCEPTS_POSTED ? (int)g_clients : ACCEPTS_POSTED;
    for (int i = 0; i < posted; i++)
        if (!PostAccept()) return 1;
    printf("listening on %s:%u\n", address, ntohs(local.sin_port));
    fflush(stdout);

    WaitForMultipleObjects((DWORD)g_threads, threads, TRUE, INFINITE);
    for (int i = 0; i < g_threads; i++) CloseHandle(threads[i]);
    closesocket(g_listener); /* cancels the AcceptEx still posted, if any */
    CloseHandle(g_port);
    printf("served %ld clients\n", (long)atomic_load(&g_finished));
    WSACleanup();
    return 0;
}
