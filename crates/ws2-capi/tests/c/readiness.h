/* Helpers of the readiness tests (SPEC P1): routines queued to the calling
 * thread, and actions another thread takes after a delay while the main
 * thread waits in select, WSAPoll or an event wait. */
#ifndef WS2_TEST_READINESS_H
#define WS2_TEST_READINESS_H

#include "common.h"

#include <pthread.h>

/* ---- completion routines queued to this thread (the S35 APCs) ---------- */

static volatile int routines_run;

static void CALLBACK count_routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)err; (void)bytes; (void)ov; (void)flags;
    routines_run++;
}

/* An overlapped send to `to` whose completion routine (count_routine) is
 * queued to this thread at once: it runs in this thread's next alertable
 * wait, which is what Windows' QueueUserAPC gives the sock.c tests. */
static inline void queue_routine(SOCKET tx, const SOCKADDR_STORAGE *to, WSAOVERLAPPED *ov)
{
    LPFN_WSASENDMSG send_msg = get_wsasendmsg(tx);
    WSABUF b = {4, "ping"};
    WSAMSG msg;
    memset(&msg, 0, sizeof msg);
    msg.name = (LPSOCKADDR)(void *)to;
    msg.namelen = to->ss_family == AF_INET6 ? (int)sizeof(SOCKADDR_IN6) : (int)sizeof(SOCKADDR_IN);
    msg.lpBuffers = &b;
    msg.dwBufferCount = 1;
    memset(ov, 0, sizeof *ov);
    CHECK_OK(send_msg(tx, &msg, 0, NULL, ov, count_routine));
}

/* ---- delayed actions from another thread -------------------------------- */

enum later_kind { LATER_CLOSE, LATER_SEND };

struct later {
    enum later_kind kind;
    int delay_ms;
    SOCKET s;                /* LATER_CLOSE: closed; LATER_SEND: sent from */
    SOCKADDR_STORAGE to;     /* LATER_SEND: destination */
    pthread_t thread;
};

static void *later_main(void *arg)
{
    struct later *l = (struct later *)arg;
    Sleep((DWORD)l->delay_ms);
    if (l->kind == LATER_CLOSE) {
        closesocket(l->s);
    } else {
        int tolen = l->to.ss_family == AF_INET6 ? (int)sizeof(SOCKADDR_IN6) : (int)sizeof(SOCKADDR_IN);
        sendto(l->s, "later", 5, 0, (SOCKADDR *)&l->to, tolen);
    }
    return NULL;
}

static inline void later_start(struct later *l)
{
    if (pthread_create(&l->thread, NULL, later_main, l) != 0) FAIL("pthread_create");
}

static inline void later_join(struct later *l)
{
    pthread_join(l->thread, NULL);
}

#endif
