/* closesocket, then the process ends (SPEC P8, S37): on Windows the kernel
 * goes on sending what a graceful closesocket accepted after the program
 * has exited ("Graceful Shutdown, Linger Options, and Socket Closure": with
 * the default SO_DONTLINGER, closesocket returns at once and the data
 * still queued is sent). A non-blocking send takes a large buffer whole,
 * closesocket follows at once, then main returns: the peer (the harness)
 * must still receive every byte, FIN last.
 *
 * Usage: stream_close_exit PORT  (a listener on 127.0.0.1:PORT) */
#include "stream_common.h"

#define TOTAL (4 << 20)

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: stream_close_exit PORT\n");
        return 2;
    }
    startup();
    char *data = malloc(TOTAL);
    CHECK(data != NULL);
    for (size_t i = 0; i < TOTAL; i++) data[i] = (char)(i * 13 + (i >> 16));

    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK(s != INVALID_SOCKET);
    int sndbuf = 16 << 10;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (char *)&sndbuf, sizeof sndbuf));
    SOCKADDR_IN to = addr4("127.0.0.1", (unsigned)atoi(argv[1]));
    CHECK_OK(connect(s, (SOCKADDR *)&to, sizeof to));
    set_blocking(s, 0);
    /* The peer is not reading yet: the kernel takes a little, the rest
     * waits in ws2's backlog, and the send still counts it all. */
    CHECK_EQ(send(s, data, TOTAL, 0), TOTAL);
    CHECK_OK(closesocket(s));
    free(data);
    WSACleanup();
    printf("sent %d bytes, closed\n", TOTAL);
    return 0;
}
