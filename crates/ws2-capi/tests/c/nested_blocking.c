/* S35: a blocking call that has to wait waits alertably: completion routines
 * queued to the thread run during it, and the call then goes on waiting. A
 * blocking call made by such a routine (nested inside the interrupted
 * blocking call) fails with WSAEINPROGRESS; a blocking call made by a routine
 * that SleepEx ran is an ordinary call. */
#include "common.h"

#include <pthread.h>

static SOCKET idle;          /* a bound socket nobody sends to */
static int routine_runs;
static int nested_error;
static double routine_ran_at;

static void CALLBACK from_blocking_wait(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)err; (void)bytes; (void)ov; (void)flags;
    routine_runs++;
    routine_ran_at = now_ms();
    char buf[16];
    /* A blocking call that would have to wait, nested in the interrupted recv. */
    if (recv(idle, buf, sizeof buf, 0) == SOCKET_ERROR) nested_error = WSAGetLastError();
}

static void CALLBACK from_sleepex(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)err; (void)bytes; (void)ov; (void)flags;
    routine_runs++;
    char buf[16];
    /* Not nested in a blocking call: an ordinary call that times out. */
    if (recv(idle, buf, sizeof buf, 0) == SOCKET_ERROR) nested_error = WSAGetLastError();
}

static SOCKADDR_STORAGE late_target;

static void *send_late(void *arg)
{
    (void)arg;
    Sleep(300);
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    sendto(s, "late", 4, 0, (SOCKADDR *)&late_target, sizeof(SOCKADDR_IN));
    closesocket(s);
    return NULL;
}

/* An overlapped send whose routine is queued to this thread at once. */
static void queue_routine(SOCKET tx, SOCKADDR_STORAGE *to, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          WSAOVERLAPPED *ov)
{
    LPFN_WSASENDMSG send_msg = get_wsasendmsg(tx);
    WSABUF b = {4, "ping"};
    WSAMSG msg;
    memset(&msg, 0, sizeof msg);
    msg.name = (LPSOCKADDR)to;
    msg.namelen = sizeof(SOCKADDR_IN);
    msg.lpBuffers = &b;
    msg.dwBufferCount = 1;
    memset(ov, 0, sizeof *ov);
    CHECK_OK(send_msg(tx, &msg, 0, NULL, ov, cr));
}

int main(void)
{
    startup();
    SOCKADDR_STORAGE sink_addr, idle_addr;
    SOCKET sink = udp_receiver("127.0.0.1", &sink_addr);
    idle = udp_receiver("127.0.0.1", &idle_addr);
    u_long blocking = 0;
    CHECK_OK(ioctlsocket(idle, FIONBIO, &blocking));
    DWORD timeout = 200;
    CHECK_OK(setsockopt(idle, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof timeout));

    SOCKADDR_STORAGE waiter_addr;
    SOCKET waiter = udp_receiver("127.0.0.1", &waiter_addr);
    CHECK_OK(ioctlsocket(waiter, FIONBIO, &blocking));
    timeout = 3000;
    CHECK_OK(setsockopt(waiter, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof timeout));

    SOCKET tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    CHECK(tx != INVALID_SOCKET);
    WSAOVERLAPPED ov;

    /* 1. The routine runs inside the blocking recv's wait; its own blocking
     *    call is nested: WSAEINPROGRESS; the outer recv goes on waiting and
     *    gets the datagram sent later. */
    queue_routine(tx, &sink_addr, from_blocking_wait, &ov);
    CHECK_EQ(routine_runs, 0); /* not before an alertable wait */
    late_target = waiter_addr;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, send_late, NULL), 0);
    double start = now_ms();
    char buf[16];
    int n = recv(waiter, buf, sizeof buf, 0);
    double end = now_ms();
    pthread_join(t, NULL);
    CHECK_EQ(n, 4);
    CHECK(memcmp(buf, "late", 4) == 0);
    CHECK_EQ(routine_runs, 1);
    CHECK_EQ(nested_error, WSAEINPROGRESS);
    CHECK(routine_ran_at - start < 250.0); /* ran during the wait, not after */
    CHECK(end - start >= 250.0);           /* and the recv went on waiting */

    /* 2. A routine run by SleepEx makes an ordinary blocking call. */
    routine_runs = 0;
    nested_error = 0;
    queue_routine(tx, &sink_addr, from_sleepex, &ov);
    CHECK_EQ(SleepEx(2000, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(routine_runs, 1);
    CHECK_EQ(nested_error, WSAETIMEDOUT);

    closesocket(tx);
    closesocket(waiter);
    closesocket(idle);
    closesocket(sink);
    WSACleanup();
    puts("nested_blocking: ok");
    return 0;
}
