/* S5 S37: closing a datagram socket's handle lets its port go at once,
 * even when another thread used the socket last and has looked nothing up
 * since (ws2 keeps a thread's last socket for its next call; DESIGN, "A
 * thread remembers its last socket and lends it"). On Windows the port is
 * free as soon as closesocket returns: binding it again succeeds. Each way
 * of closing is tried: closesocket, CloseHandle on the SOCKET, and the
 * last WSACleanup; each socket first has an overlapped receive pending
 * (ws2 then holds a second descriptor for it), which the close completes
 * with WSA_OPERATION_ABORTED. The other thread's next call on the closed
 * handle fails with WSAENOTSOCK. */
#include "common.h"

#include <windows.h>

enum close_by { CLOSESOCKET, CLOSEHANDLE, CLEANUP };

struct user {
    SOCKET s;
    HANDLE used;   /* set once the thread has called on s */
    HANDLE go;     /* set when s is closed */
    int late_error;
};

/* Uses the socket once, waits for its close, then uses it again. */
static DWORD WINAPI use_then_wait(LPVOID arg)
{
    struct user *u = arg;
    u_long pending = 1;
    if (ioctlsocket(u->s, FIONREAD, &pending) == SOCKET_ERROR || pending != 0)
        return 1;
    SetEvent(u->used);
    WaitForSingleObject(u->go, INFINITE);
    u->late_error = ioctlsocket(u->s, FIONREAD, &pending) == SOCKET_ERROR ? WSAGetLastError() : 0;
    return 0;
}

static void close_remembered(enum close_by how)
{
    WSADATA wsa;
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    SOCKADDR_STORAGE bound;
    SOCKET s = udp_receiver("127.0.0.1", &bound);

    /* A pending overlapped receive. */
    char buf[64];
    WSABUF wb = { sizeof buf, buf };
    DWORD flags = 0;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    CHECK(ov.hEvent != WSA_INVALID_EVENT);
    CHECK_ERR(WSARecv(s, &wb, 1, NULL, &flags, &ov, NULL), WSA_IO_PENDING);

    struct user u = { s, CreateEventA(NULL, TRUE, FALSE, NULL), CreateEventA(NULL, TRUE, FALSE, NULL), -1 };
    CHECK(u.used != NULL && u.go != NULL);
    HANDLE t = CreateThread(NULL, 0, use_then_wait, &u, 0, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(u.used, 5000), WAIT_OBJECT_0);

    if (how == CLOSESOCKET) {
        CHECK_OK(closesocket(s));
    } else if (how == CLOSEHANDLE) {
        CHECK(CloseHandle((HANDLE)s));
    } else {
        /* The event outlives WSACleanup (a kernel32 object). */
        CHECK_EQ(WSACleanup(), 0);
        CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    }
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
    CHECK_EQ(ov.Internal, 0xC0000120); /* STATUS_CANCELLED */

    /* The port is free while the other thread still remembers s. */
    SOCKET again = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    CHECK(again != INVALID_SOCKET);
    CHECK_OK(bind(again, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN)));

    SetEvent(u.go);
    CHECK_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    DWORD code = 1;
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 0);
    CHECK_EQ(u.late_error, WSAENOTSOCK);

    CHECK_OK(closesocket(again));
    CloseHandle(t);
    CloseHandle(u.used);
    CloseHandle(u.go);
    WSACloseEvent(ov.hEvent);
    CHECK_EQ(WSACleanup(), 0);
}

int main(void)
{
    close_remembered(CLOSESOCKET);
    close_remembered(CLOSEHANDLE);
    close_remembered(CLEANUP);
    printf("close_remembered: ok\n");
    return 0;
}
