/* A closed SOCKET stays dead: after closesocket its value is WSAENOTSOCK
 * across 2^20 further close/open cycles of handles (events, which share the
 * handle table with sockets), and across 1024 cycles of sockets while a live
 * socket receives. Before the FIFO free list the slot came straight back
 * with an 8-bit generation, so after 256 cycles the old value named a live
 * socket and sends on it left from that socket.
 * Clauses: S5 (also S40). */
#include "common.h"

static char data[] = "stale";

/* A send on the stale value must fail with WSAENOTSOCK and send nothing. */
static void expect_dead(SOCKET stale, const SOCKADDR_IN *to)
{
    CHECK_ERR(sendto(stale, data, (int)sizeof data, 0, (const SOCKADDR *)to, sizeof *to),
              WSAENOTSOCK);
}

int main(void)
{
    startup();

    SOCKADDR_STORAGE rx_addr;
    SOCKET rx = udp_receiver("127.0.0.1", &rx_addr);
    SOCKADDR_IN to = *(SOCKADDR_IN *)&rx_addr;

    SOCKET stale;
    CHECK_SOCKET(stale = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(closesocket(stale));
    expect_dead(stale, &to);

    /* Sockets: the scenario, past the old 256-cycle wrap. */
    for (int i = 0; i < 1024; i++) {
        SOCKET s;
        CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
        CHECK(s != stale);
        expect_dead(stale, &to);
        CHECK_OK(closesocket(s));
    }

    /* Events: 2^20 cycles through the same table. */
    for (long i = 0; i < (1L << 20); i++) {
        WSAEVENT e = WSACreateEvent();
        CHECK(e != WSA_INVALID_EVENT);
        CHECK((SOCKET)e != stale);
        CHECK(WSACloseEvent(e));
        if ((i & 0xffff) == 0) expect_dead(stale, &to);
    }
    expect_dead(stale, &to);
    CHECK_ERR(closesocket(stale), WSAENOTSOCK);
    EXPECT_NOTHING(rx);

    CHECK_OK(closesocket(rx));
    CHECK_OK(WSACleanup());
    printf("stale_handles: ok\n");
    return 0;
}
