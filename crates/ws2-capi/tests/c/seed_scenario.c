/* The seed's scenario: WSASendMsg by GUID, a gathered datagram with an
 * IN_PKTINFO source address, received by our own recvfrom.
 * Clauses: S1, S3, S21, S23. */
#include "common.h"

int main(void)
{
    startup();

    SOCKADDR_STORAGE rxaddr;
    SOCKET rx = udp_receiver("127.0.0.1", &rxaddr);

    SOCKET tx;
    CHECK_SOCKET(tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));

    /* S1: the extension function pointer, return 0, bytes == sizeof(void*). */
    LPFN_WSASENDMSG fn = get_wsasendmsg(tx);

    /* S1: WSAID_WSARECVMSG likewise returns WSARecvMsg. */
    {
        GUID g = WSAID_WSARECVMSG;
        LPFN_WSARECVMSG rfn = NULL;
        DWORD bytes = 0;
        CHECK_EQ(WSAIoctl(tx, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof g, &rfn, sizeof rfn,
                          &bytes, NULL, NULL),
                 0);
        CHECK_EQ(bytes, sizeof(void *));
        CHECK(rfn != NULL);
    }

    /* S21 + S23: two WSABUFs gathered into one datagram, source 127.0.0.2. */
    char part1[] = "hello, ";
    char part2[] = "world";
    WSABUF bufs[2];
    bufs[0].buf = part1;
    bufs[0].len = 7;
    bufs[1].buf = part2;
    bufs[1].len = 5;

    ctlbuf ctl = {0};
    IN_PKTINFO pi = pktinfo4("127.0.0.2");
    ctl_add(&ctl, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    CHECK_EQ(ctl.len, WSA_CMSG_SPACE(sizeof(IN_PKTINFO)));

    WSAMSG msg;
    memset(&msg, 0, sizeof msg);
    msg.name = (LPSOCKADDR)&rxaddr;
    msg.namelen = sizeof(SOCKADDR_IN);
    msg.lpBuffers = bufs;
    msg.dwBufferCount = 2;
    msg.Control.buf = ctl.buf;
    msg.Control.len = ctl.len;
    msg.dwFlags = 0;

    DWORD sent = 0xdeadbeef;
    WSASetLastError(WSAEINVAL);
    int r = fn(tx, &msg, 0, &sent, NULL, NULL);
    CHECK_EQ(r, 0);                     /* S3 */
    CHECK_EQ(WSAGetLastError(), 0);     /* S3: success sets last error to 0 */
    CHECK_EQ(sent, 12);                 /* S3: lpNumberOfBytesSent */
    EXPECT_DGRAM(rx, "hello, world", 12, "127.0.0.2"); /* S21, S23 */

    /* S1: the exported WSASendMsg works too (and is the same function). */
    sent = 0;
    r = WSASendMsg(tx, &msg, 0, &sent, NULL, NULL);
    CHECK_EQ(r, 0);
    CHECK_EQ(sent, 12);
    EXPECT_DGRAM(rx, "hello, world", 12, "127.0.0.2");

    /* S21: three buffers, one of them empty, in order. */
    {
        char a[] = "abc", c[] = "defg";
        WSABUF three[3];
        three[0].buf = a;
        three[0].len = 3;
        three[1].buf = NULL;
        three[1].len = 0;
        three[2].buf = c;
        three[2].len = 4;
        sent = 0;
        CHECK_OK(send_msg(fn, tx, &rxaddr, sizeof(SOCKADDR_IN), three, 3, NULL, 0, &sent));
        CHECK_EQ(sent, 7);
        EXPECT_DGRAM(rx, "abcdefg", 7, "127.0.0.1");
    }

    /* S21: zero-length datagram (dwBufferCount 0) arrives as 0 bytes. */
    sent = 0xdeadbeef;
    CHECK_OK(send_msg(fn, tx, &rxaddr, sizeof(SOCKADDR_IN), NULL, 0, &ctl, 0, &sent));
    CHECK_EQ(sent, 0);
    EXPECT_DGRAM(rx, "", 0, "127.0.0.2");

    /* S21: the WSABUF array is captured by the call: reusing it afterwards
     * does not change what was sent (trivially true for a blocking send,
     * but checked anyway). */
    bufs[0].buf = part2;
    bufs[0].len = 5;
    bufs[1].buf = part1;
    bufs[1].len = 7;
    CHECK_OK(WSASendMsg(tx, &msg, 0, &sent, NULL, NULL));
    CHECK_EQ(sent, 12);
    EXPECT_DGRAM(rx, "worldhello, ", 12, "127.0.0.2");

    EXPECT_NOTHING(rx);
    CHECK_EQ(closesocket(tx), 0);
    CHECK_EQ(closesocket(rx), 0);
    CHECK_EQ(WSACleanup(), 0);
    printf("seed_scenario: ok\n");
    return 0;
}
