/* Overlapped stream I/O between namespace hosts (SPEC P8, part 2), run in
 * host a by tests/c_streams.rs against a reader in host b behind a
 * rate-limited link:
 *
 *   stream_ov_netns IP PORT
 *
 * A ConnectEx from a bound socket with 3 bytes of data; eight overlapped
 * WSASend of 256 KiB queued at once (they pend: the link takes 2 MB a
 * second), each completing once with its whole length, in posting order,
 * through the port (test_send: a send completes once all its bytes are
 * taken; test_completion_port); a non-blocking send meanwhile is
 * WSAEWOULDBLOCK (it would have to wait its turn); an overlapped WSARecv
 * posted before the reader answers; DisconnectEx's FIN after every queued
 * byte (test_DisconnectEx). The reader checks every byte and answers with
 * the total it received, which the pending WSARecv gets. */
#include "ov_common.h"
#include "stream_common.h"

#include <mswsock.h>

#define CHUNK (256 << 10)
#define SENDS 8

int main(int argc, char **argv)
{
    if (argc != 3) FAIL("usage: stream_ov_netns IP PORT");
    startup();
    SOCKADDR_IN peer = addr4(argv[1], (unsigned)atoi(argv[2]));
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    SOCKADDR_IN local = addr4("10.0.0.1", 0);
    CHECK_OK(bind(s, (SOCKADDR *)&local, sizeof local));
    HANDLE port = CreateIoCompletionPort((HANDLE)s, NULL, 77, 0);
    CHECK(port != NULL);
    LPFN_CONNECTEX pConnectEx;
    LPFN_DISCONNECTEX pDisconnectEx;
    GUID gc = WSAID_CONNECTEX, gd = WSAID_DISCONNECTEX;
    DWORD size, bytes;
    CHECK_OK(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &gc, sizeof gc, &pConnectEx,
                      sizeof pConnectEx, &size, NULL, NULL));
    CHECK_OK(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &gd, sizeof gd, &pDisconnectEx,
                      sizeof pDisconnectEx, &size, NULL, NULL));

    static char data[CHUNK];
    for (int i = 0; i < CHUNK; i++) data[i] = (char)(i * 7 + 3 + (i >> 12));
    WSAOVERLAPPED ovc;
    memset(&ovc, 0, sizeof ovc);
    CHECK(!pConnectEx(s, (SOCKADDR *)&peer, sizeof peer, data, 3, &bytes, &ovc));
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    ULONG_PTR key;
    OVERLAPPED *got;
    got = NULL;
    CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 10000));
    CHECK(got == (OVERLAPPED *)&ovc);
    CHECK_EQ(bytes, 3);
    CHECK_EQ(key, 77);
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0));

    /* The rest of the first chunk, then seven whole ones: pattern by offset
     * within each 256 KiB chunk, so the reader checks (offset % CHUNK). */
    WSAOVERLAPPED ovs[SENDS];
    memset(ovs, 0, sizeof ovs);
    int pending = 0;
    for (int i = 0; i < SENDS; i++) {
        WSABUF b = {i == 0 ? CHUNK - 3 : CHUNK, i == 0 ? data + 3 : data};
        int r = WSASend(s, &b, 1, NULL, 0, &ovs[i], NULL);
        if (r == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
            pending++;
        }
    }
    CHECK(pending > 0); /* the link cannot have taken 2 MiB at once */
    u_long nb = 1;
    CHECK_OK(ioctlsocket(s, FIONBIO, &nb));
    CHECK_ERR(send(s, data, 1, 0), WSAEWOULDBLOCK);
    nb = 0;
    CHECK_OK(ioctlsocket(s, FIONBIO, &nb));
    char answer[16];
    WSABUF rb = {sizeof answer, answer};
    WSAOVERLAPPED ovr;
    memset(&ovr, 0, sizeof ovr);
    DWORD flags = 0;
    CHECK_ERR(WSARecv(s, &rb, 1, NULL, &flags, &ovr, NULL), WSA_IO_PENDING);
    WSAOVERLAPPED ovd;
    memset(&ovd, 0, sizeof ovd);
    CHECK(!pDisconnectEx(s, &ovd, 0, 0)); /* its FIN waits for the queued sends */
    CHECK_EQ(WSAGetLastError(), ERROR_IO_PENDING);

    int next_send = 0, disconnected = 0, received = 0;
    while (next_send < SENDS || !disconnected || !received) {
        got = NULL;
        if (!GetQueuedCompletionStatus(port, &bytes, &key, &got, 30000))
            FAIL("a completion failed or none came within 30 s");
        if (got == (OVERLAPPED *)&ovd) {
            CHECK_EQ(disconnected++, 0);
        } else if (got == (OVERLAPPED *)&ovr) {
            CHECK_EQ(received++, 0);
            CHECK_EQ(next_send, SENDS); /* the answer came after every byte */
            CHECK_EQ(bytes, 4);
            unsigned total;
            memcpy(&total, answer, 4);
            CHECK_EQ(total, (unsigned)SENDS * CHUNK);
        } else {
            /* Sends complete in posting order, each with all its bytes. */
            CHECK(got == (OVERLAPPED *)&ovs[next_send]);
            CHECK_EQ(bytes, next_send == 0 ? CHUNK - 3 : CHUNK);
            next_send++;
        }
    }
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 100));
    closesocket(s);
    CloseHandle(port);
    WSACleanup();
    printf("stream_ov_netns: %d sends, %d pending at the call\n", SENDS, pending);
    return 0;
}
