/* TransmitFile and TransmitPackets (SPEC P8, part 2, item 3): their GUIDs
 * resolve; ws2 sends what is in memory (TransmitFile's head and tail with
 * no file, TransmitPackets' memory elements) and refuses a file with
 * ERROR_INVALID_HANDLE (ws2 has no file HANDLEs, README). TF_REUSE_SOCKET
 * is WSAEINVAL without TF_DISCONNECT (Microsoft's TransmitFile and
 * TransmitPackets pages); with it: stream_reuse.c. Windows' answers from
 * research-streams.md B12, B13 (Wine's Windows-run sock.c
 * test_TransmitFile). */
#include "ov_common.h"
#include "stream_common.h"

#include <mswsock.h>
#include <stddef.h>

_Static_assert(sizeof(TRANSMIT_FILE_BUFFERS) == 32, "TRANSMIT_FILE_BUFFERS is 32 bytes");
_Static_assert(offsetof(TRANSMIT_FILE_BUFFERS, Tail) == 16, "Tail at 16");
_Static_assert(offsetof(TRANSMIT_FILE_BUFFERS, TailLength) == 24, "TailLength at 24");
_Static_assert(sizeof(TRANSMIT_PACKETS_ELEMENT) == 24, "TRANSMIT_PACKETS_ELEMENT is 24 bytes");
_Static_assert(offsetof(TRANSMIT_PACKETS_ELEMENT, pBuffer) == 8, "pBuffer at 8");
_Static_assert(offsetof(TRANSMIT_PACKETS_ELEMENT, hFile) == 16, "hFile at 16");

static void *extension(SOCKET s, GUID guid)
{
    void *fn = NULL;
    DWORD size = 0;
    CHECK_OK(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, sizeof fn,
                      &size, NULL, NULL));
    CHECK(fn != NULL);
    return fn;
}

int main(void)
{
    startup();
    SOCKET client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), server;
    LPFN_TRANSMITFILE pTransmitFile = (LPFN_TRANSMITFILE)extension(client, (GUID)WSAID_TRANSMITFILE);
    LPFN_TRANSMITPACKETS pTransmitPackets =
        (LPFN_TRANSMITPACKETS)extension(client, (GUID)WSAID_TRANSMITPACKETS);
    CHECK(pTransmitFile == TransmitFile);

    /* test_TransmitFile: the handle first, then the connection (before the
     * flags' check), an unconnected UDP socket too. */
    WSASetLastError(0xdeadbeef);
    CHECK(!pTransmitFile(INVALID_SOCKET, NULL, 0, 0, NULL, NULL, 0));
    CHECK_EQ(WSAGetLastError(), WSAENOTSOCK);
    CHECK(!pTransmitFile(client, NULL, 0, 0, NULL, NULL, TF_REUSE_SOCKET));
    CHECK_EQ(WSAGetLastError(), WSAENOTCONN);
    SOCKET udp = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    CHECK(!pTransmitFile(udp, NULL, 0, 0, NULL, NULL, 0));
    CHECK_EQ(WSAGetLastError(), WSAENOTCONN);
    closesocket(udp);
    closesocket(client);

    tcp_pair(&client, &server);
    set_blocking(server, 0);
    /* Nothing to send: TRUE, nothing arrives. */
    CHECK(pTransmitFile(client, NULL, 0, 0, NULL, NULL, 0));
    char buf[64];
    Sleep(50);
    CHECK_ERR(recv(server, buf, sizeof buf, 0), WSAEWOULDBLOCK);
    /* Head then tail: 23 bytes. */
    char head[] = "hello world", tail[] = "goodbye!!!";
    TRANSMIT_FILE_BUFFERS tb = {head, sizeof head, tail, sizeof tail};
    CHECK(pTransmitFile(client, NULL, 0, 0, NULL, &tb, 0));
    set_blocking(server, 1);
    RECV_EXACTLY(server, buf, 23);
    CHECK(memcmp(buf, head, 12) == 0 && memcmp(buf + 12, tail, 11) == 0);
    /* Overlapped: completes with the total (event and result). */
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEvent(NULL, FALSE, FALSE, NULL);
    BOOL r = pTransmitFile(client, NULL, 0, 0, (LPOVERLAPPED)&ov, &tb, 0);
    CHECK(r || WSAGetLastError() == ERROR_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 2000), WAIT_OBJECT_0);
    DWORD n = 0, flags = 0;
    CHECK(WSAGetOverlappedResult(client, &ov, &n, FALSE, &flags));
    CHECK_EQ(n, 23);
    RECV_EXACTLY(server, buf, 23);
    /* ws2's refusal: a file handle; TF_REUSE_SOCKET without TF_DISCONNECT. */
    SetLastError(0xdeadbeef);
    CHECK(!pTransmitFile(client, (HANDLE)(ULONG_PTR)0x1234, 0, 0, NULL, NULL, 0));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(!pTransmitFile(client, NULL, 0, 0, NULL, &tb, TF_REUSE_SOCKET));
    CHECK_EQ(WSAGetLastError(), WSAEINVAL);

    /* TransmitPackets: memory elements in order; a file element refused. */
    char a[] = "abc", b[] = "defgh";
    TRANSMIT_PACKETS_ELEMENT el[3];
    memset(el, 0, sizeof el);
    el[0].dwElFlags = TP_ELEMENT_MEMORY;
    el[0].cLength = 3;
    el[0].pBuffer = a;
    el[1].dwElFlags = TP_ELEMENT_MEMORY | TP_ELEMENT_EOP;
    el[1].cLength = 5;
    el[1].pBuffer = b;
    CHECK(pTransmitPackets(client, el, 2, 0, NULL, 0));
    RECV_EXACTLY(server, buf, 8);
    CHECK(memcmp(buf, "abcdefgh", 8) == 0);
    el[2].dwElFlags = TP_ELEMENT_FILE;
    el[2].cLength = 10;
    SetLastError(0xdeadbeef);
    CHECK(!pTransmitPackets(client, el, 3, 0, NULL, 0));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    /* TF_DISCONNECT: the bytes, then the FIN; the socket still receives. */
    r = pTransmitPackets(client, el, 2, 0, (LPOVERLAPPED)&ov, TF_DISCONNECT);
    CHECK(r || WSAGetLastError() == ERROR_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 2000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(client, &ov, &n, FALSE, &flags));
    CHECK_EQ(n, 8);
    RECV_EXACTLY(server, buf, 8);
    CHECK_EQ(recv(server, buf, sizeof buf, 0), 0);
    CHECK_EQ(send(server, "back", 4, 0), 4);
    RECV_EXACTLY(client, buf, 4);
    CloseHandle(ov.hEvent);
    closesocket(client);
    closesocket(server);
    WSACleanup();
    printf("stream_transmit: ok\n");
    return 0;
}
