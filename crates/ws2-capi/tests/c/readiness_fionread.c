/* P1 S44: FIONREAD on a datagram socket answers the total pending, as
 * Microsoft's ioctlsocket page says Windows does for message-oriented
 * sockets (no Windows-run record exists for UDP: research sheet §4.2), not
 * the first datagram's size as Linux's SIOCINQ does; counted over at most
 * 64 queued datagrams (README, "What differs"). The argument rules are
 * test_fionread_siocatmark's. */
#include "common.h"

static u_long fionread(SOCKET s)
{
    u_long n = 0xdeadbeef;
    CHECK_OK(ioctlsocket(s, FIONREAD, &n));
    return n;
}

/* A moment for loopback delivery (it is done by the time sendto returns on
 * this machine; this only covers a busy scheduler). */
static void settle(void)
{
    Sleep(20);
}

int main(void)
{
    startup();
    SOCKADDR_STORAGE rx_addr;
    SOCKET rx = udp_receiver("127.0.0.1", &rx_addr);
    SOCKET tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    const SOCKADDR *to = (const SOCKADDR *)&rx_addr;
    char buf[2048];
    DWORD size;
    u_long n;
    int i;

    /* A fresh socket, and a bound one with nothing queued: 0. */
    CHECK_EQ(fionread(tx), 0);
    CHECK_EQ(fionread(rx), 0);

    CHECK_EQ(sendto(tx, "hello", 5, 0, to, sizeof(SOCKADDR_IN)), 5);
    settle();
    CHECK_EQ(fionread(rx), 5);
    CHECK_EQ(sendto(tx, "1234567", 7, 0, to, sizeof(SOCKADDR_IN)), 7);
    settle();
    CHECK_EQ(fionread(rx), 12);
    /* An empty datagram adds nothing (and is still one to receive). */
    CHECK_EQ(sendto(tx, "", 0, 0, to, sizeof(SOCKADDR_IN)), 0);
    CHECK_EQ(sendto(tx, buf, 1200, 0, to, sizeof(SOCKADDR_IN)), 1200);
    settle();
    CHECK_EQ(fionread(rx), 1212);

    /* Counting moves nothing: a peek still sees the first datagram, twice. */
    CHECK_EQ(recv(rx, buf, sizeof buf, MSG_PEEK), 5);
    CHECK_EQ(fionread(rx), 1212);
    CHECK_EQ(recv(rx, buf, sizeof buf, MSG_PEEK), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);

    /* Receiving takes one datagram off the total. */
    CHECK_EQ(recv(rx, buf, sizeof buf, 0), 5);
    CHECK_EQ(fionread(rx), 1207);
    CHECK_EQ(recv(rx, buf, sizeof buf, 0), 7);
    CHECK_EQ(fionread(rx), 1200);
    CHECK_EQ(recv(rx, buf, sizeof buf, 0), 0);
    CHECK_EQ(fionread(rx), 1200);
    CHECK_EQ(recv(rx, buf, sizeof buf, 0), 1200);
    CHECK_EQ(fionread(rx), 0);

    /* WSAIoctl: the value and 4 bytes returned; too small a buffer or no
     * lpcbBytesReturned is WSAEFAULT, the size untouched. */
    CHECK_EQ(sendto(tx, "abc", 3, 0, to, sizeof(SOCKADDR_IN)), 3);
    settle();
    n = 0;
    size = 0xdeadbeef;
    CHECK_OK(WSAIoctl(rx, FIONREAD, NULL, 0, &n, sizeof n, &size, NULL, NULL));
    CHECK_EQ(n, 3);
    CHECK_EQ(size, 4);
    size = 0xdeadbeef;
    CHECK_ERR(WSAIoctl(rx, FIONREAD, NULL, 0, &n, 3, &size, NULL, NULL), WSAEFAULT);
    CHECK_EQ(size, 0xdeadbeef);
    CHECK_ERR(WSAIoctl(rx, FIONREAD, NULL, 0, &n, sizeof n, NULL, NULL, NULL), WSAEFAULT);
    CHECK_ERR(ioctlsocket(rx, FIONREAD, (u_long *)1), WSAEFAULT);
    CHECK_EQ(recv(rx, buf, sizeof buf, 0), 3);

    /* Past 64 queued datagrams the first 64 are counted. */
    for (i = 0; i < 70; i++) CHECK_EQ(sendto(tx, buf, 10, 0, to, sizeof(SOCKADDR_IN)), 10);
    settle();
    CHECK_EQ(fionread(rx), 640);
    for (i = 0; i < 70; i++) CHECK_EQ(recv(rx, buf, sizeof buf, 0), 10);
    CHECK_EQ(fionread(rx), 0);

    closesocket(rx);
    closesocket(tx);
    WSACleanup();
    printf("readiness_fionread: ok\n");
    return 0;
}
