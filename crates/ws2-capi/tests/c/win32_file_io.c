/* ReadFile and WriteFile on sockets and the standard handles (P6).
 *
 * Windows' answers:
 * - Microsoft's ReadFile and WriteFile pages: a SOCKET is a file handle;
 *   ReadFile/WriteFile on it receive and send, overlapped ones pend with
 *   ERROR_IO_PENDING and complete through the OVERLAPPED's event and the
 *   socket's completion port, as WSARecv/WSASend with that OVERLAPPED;
 * - kernel32 file.c test_read_write: the count is 0 after a failed call;
 *   WriteFile(NULL, 0) and ReadFile(NULL, 0) succeed with the last error
 *   untouched; WriteFile(NULL, 10) is ERROR_INVALID_USER_BUFFER,
 *   ReadFile(NULL, 10) ERROR_NOACCESS;
 * - Microsoft's ReadFile page: the count may be NULL only with an
 *   OVERLAPPED; an anonymous pipe whose write end is closed is
 *   ERROR_BROKEN_PIPE; a truncated message ERROR_MORE_DATA
 *   (RtlNtStatusToDosError of STATUS_BUFFER_OVERFLOW, as
 *   GetOverlappedResult reports it).
 *
 * Modes: none (stdin /dev/null, stdout a file), "stdin-pipe" (stdin a
 * pipe holding "piped\n" whose writer is gone). */
#include <windows.h>
#include <winsock2.h>
#include <stdio.h>

#include "common.h"

#define CHECK_LAST_ERROR(code) CHECK_EQ(GetLastError(), (code))
#define WAIT_MS 5000

/* Every blocking read ends: a receive timeout of WAIT_MS. */
static void bounded(SOCKET s)
{
    DWORD ms = WAIT_MS;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof ms));
}

/* Two UDP sockets on 127.0.0.1 connected to each other. */
static void udp_pair(SOCKET *a, SOCKET *b)
{
    SOCKADDR_IN aa = addr4("127.0.0.1", 0), ba = addr4("127.0.0.1", 0);
    int len = sizeof aa;
    CHECK_SOCKET(*a = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    CHECK_SOCKET(*b = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
    CHECK_OK(bind(*a, (struct sockaddr *)&aa, sizeof aa));
    CHECK_OK(bind(*b, (struct sockaddr *)&ba, sizeof ba));
    CHECK_OK(getsockname(*a, (struct sockaddr *)&aa, &len));
    len = sizeof ba;
    CHECK_OK(getsockname(*b, (struct sockaddr *)&ba, &len));
    CHECK_OK(connect(*a, (struct sockaddr *)&ba, sizeof ba));
    CHECK_OK(connect(*b, (struct sockaddr *)&aa, sizeof aa));
    bounded(*a);
    bounded(*b);
}

/* P6: blocking WriteFile/ReadFile on a connected UDP pair. */
static void udp_blocking(void)
{
    SOCKET a, b;
    char buf[64];
    DWORD n = 0x5555;
    udp_pair(&a, &b);

    SetLastError(0xdeadbeef);
    CHECK(WriteFile((HANDLE)a, "hello", 5, &n, NULL));
    CHECK_EQ(n, 5);
    CHECK_LAST_ERROR(0xdeadbeef);
    n = 0x5555;
    CHECK(ReadFile((HANDLE)b, buf, sizeof buf, &n, NULL));
    CHECK_EQ(n, 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_LAST_ERROR(0xdeadbeef);

    /* the other way, and recv sees what WriteFile sent */
    CHECK(WriteFile((HANDLE)b, "back", 4, &n, NULL));
    CHECK_EQ(recv(a, buf, sizeof buf, 0), 4);
    CHECK(memcmp(buf, "back", 4) == 0);

    /* a datagram longer than the buffer: ERROR_MORE_DATA */
    CHECK(WriteFile((HANDLE)a, "0123456789", 10, &n, NULL));
    n = 0x5555;
    SetLastError(0xdeadbeef);
    CHECK(!ReadFile((HANDLE)b, buf, 4, &n, NULL));
    CHECK_LAST_ERROR(ERROR_MORE_DATA);
    CHECK_EQ(n, 4);
    CHECK(memcmp(buf, "0123", 4) == 0);

    /* the count may be NULL only with an OVERLAPPED: Windows would fault
     * on it after the I/O; ws2 refuses before any */
    SetLastError(0xdeadbeef);
    CHECK(!WriteFile((HANDLE)a, "x", 1, NULL, NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_PARAMETER);

    /* test_read_write: NULL buffer with a length */
    n = 0x5555;
    SetLastError(0xdeadbeef);
    CHECK(!WriteFile((HANDLE)a, NULL, 10, &n, NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_USER_BUFFER);
    CHECK_EQ(n, 0);
    n = 0x5555;
    SetLastError(0xdeadbeef);
    CHECK(!ReadFile((HANDLE)b, NULL, 10, &n, NULL));
    CHECK_LAST_ERROR(ERROR_NOACCESS);
    CHECK_EQ(n, 0);

    /* nothing queued on a non-blocking socket: STATUS_CANT_WAIT, the
     * NTSTATUS Windows' AFD gives for WSAEWOULDBLOCK (ERROR_CANT_WAIT) */
    u_long on = 1;
    CHECK_OK(ioctlsocket(b, FIONBIO, &on));
    SetLastError(0xdeadbeef);
    CHECK(!ReadFile((HANDLE)b, buf, sizeof buf, &n, NULL));
    CHECK_LAST_ERROR(554 /* ERROR_CANT_WAIT */);
    CHECK_EQ(WSAGetLastError(), 554);
    closesocket(a);
    closesocket(b);
}

/* P6 S30: overlapped, completed through the OVERLAPPED's event and
 * GetOverlappedResult (Microsoft's ReadFile page). */
static void udp_overlapped_event(void)
{
    SOCKET a, b;
    char buf[64];
    OVERLAPPED ov, wov;
    DWORD n = 0x5555;
    BOOL r;
    udp_pair(&a, &b);

    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(0xdeadbeef);
    CHECK(!ReadFile((HANDLE)b, buf, sizeof buf, &n, &ov));
    CHECK_LAST_ERROR(ERROR_IO_PENDING);
    CHECK_EQ(n, 0); /* set to 0 before any work */
    CHECK_EQ(ov.Internal, STATUS_PENDING);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_TIMEOUT);
    SetLastError(0xdeadbeef);
    CHECK(!GetOverlappedResult((HANDLE)b, &ov, &n, FALSE));
    CHECK_LAST_ERROR(ERROR_IO_INCOMPLETE);

    CHECK(WriteFile((HANDLE)a, "pending", 7, &n, NULL));
    CHECK_EQ(WaitForSingleObject(ov.hEvent, WAIT_MS), WAIT_OBJECT_0);
    n = 0;
    SetLastError(0xdeadbeef);
    CHECK(GetOverlappedResult((HANDLE)b, &ov, &n, FALSE));
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK_EQ(n, 7);
    CHECK(memcmp(buf, "pending", 7) == 0);

    /* a datagram already there: the overlapped ReadFile succeeds at once,
     * its count written, and still completes (the event set) */
    CHECK(WriteFile((HANDLE)a, "ready", 5, &n, NULL));
    CHECK(ResetEvent(ov.hEvent));
    n = 0;
    memset(buf, 0, sizeof buf);
    SetLastError(0xdeadbeef);
    CHECK(ReadFile((HANDLE)b, buf, sizeof buf, &n, &ov));
    CHECK_LAST_ERROR(0xdeadbeef);
    CHECK_EQ(n, 5);
    CHECK(memcmp(buf, "ready", 5) == 0);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);

    /* an overlapped WriteFile, the count NULL: done at once on loopback,
     * TRUE, and the event set; GetOverlappedResult gives the count */
    memset(&wov, 0, sizeof wov);
    wov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(0xdeadbeef);
    r = WriteFile((HANDLE)a, "ovw", 3, NULL, &wov);
    CHECK(r || GetLastError() == ERROR_IO_PENDING);
    CHECK_EQ(WaitForSingleObject(wov.hEvent, WAIT_MS), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult((HANDLE)a, &wov, &n, TRUE));
    CHECK_EQ(n, 3);
    CHECK(ReadFile((HANDLE)b, buf, sizeof buf, &n, NULL));
    CHECK_EQ(n, 3);
    CHECK(memcmp(buf, "ovw", 3) == 0);

    CHECK(CloseHandle(ov.hEvent));
    CHECK(CloseHandle(wov.hEvent));
    closesocket(a);
    closesocket(b);
}

/* P6 S30: overlapped ReadFile/WriteFile on a socket bound to a completion
 * port: the packet carries the key and the OVERLAPPED (Microsoft's
 * ReadFile page, "I/O completion ports"). */
static void udp_completion_port(void)
{
    SOCKET a, b;
    char buf[64];
    OVERLAPPED ov, wov;
    DWORD n = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED got = NULL;
    udp_pair(&a, &b);
    HANDLE port = CreateIoCompletionPort((HANDLE)b, NULL, 0x77, 0);
    CHECK(port != NULL);

    memset(&ov, 0, sizeof ov);
    SetLastError(0xdeadbeef);
    CHECK(!ReadFile((HANDLE)b, buf, sizeof buf, NULL, &ov));
    CHECK_LAST_ERROR(ERROR_IO_PENDING);
    SetLastError(0xdeadbeef);
    CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, 0));
    CHECK_LAST_ERROR(WAIT_TIMEOUT);
    CHECK(got == NULL);

    CHECK(WriteFile((HANDLE)a, "port", 4, &n, NULL));
    n = 0;
    CHECK(GetQueuedCompletionStatus(port, &n, &key, &got, WAIT_MS));
    CHECK(got == &ov);
    CHECK_EQ(key, 0x77);
    CHECK_EQ(n, 4);
    CHECK(memcmp(buf, "port", 4) == 0);

    /* a WriteFile from the bound socket posts its packet too */
    memset(&wov, 0, sizeof wov);
    SetLastError(0xdeadbeef);
    BOOL r = WriteFile((HANDLE)b, "sent", 4, NULL, &wov);
    CHECK(r || GetLastError() == ERROR_IO_PENDING);
    got = NULL;
    CHECK(GetQueuedCompletionStatus(port, &n, &key, &got, WAIT_MS));
    CHECK(got == &wov);
    CHECK_EQ(n, 4);
    CHECK(ReadFile((HANDLE)a, buf, sizeof buf, &n, NULL));
    CHECK_EQ(n, 4);
    CHECK(memcmp(buf, "sent", 4) == 0);

    /* the port itself is no file */
    SetLastError(0xdeadbeef);
    CHECK(!ReadFile(port, buf, sizeof buf, &n, NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);

    closesocket(a);
    closesocket(b);
    CHECK(CloseHandle(port));
}

/* Reads exactly `len` bytes of a stream with ReadFile. */
static void read_all(SOCKET s, char *buf, DWORD len)
{
    DWORD total = 0, n;
    while (total < len) {
        CHECK(ReadFile((HANDLE)s, buf + total, len - total, &n, NULL));
        CHECK(n > 0);
        total += n;
    }
}

/* P6: a TCP connection: blocking, overlapped, and the end of the stream
 * (TRUE with 0 bytes, as recv's 0). */
static void tcp_connection(void)
{
    SOCKET l, c, s;
    SOCKADDR_IN addr = addr4("127.0.0.1", 0);
    int len = sizeof addr;
    char buf[64];
    DWORD n = 0;
    OVERLAPPED ov;

    CHECK_SOCKET(l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    CHECK_OK(bind(l, (struct sockaddr *)&addr, sizeof addr));
    CHECK_OK(getsockname(l, (struct sockaddr *)&addr, &len));
    CHECK_OK(listen(l, 1));
    CHECK_SOCKET(c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    CHECK_OK(connect(c, (struct sockaddr *)&addr, sizeof addr));
    CHECK_SOCKET(s = accept(l, NULL, NULL));
    bounded(c);
    bounded(s);

    SetLastError(0xdeadbeef);
    CHECK(WriteFile((HANDLE)c, "stream data", 11, &n, NULL));
    CHECK_EQ(n, 11);
    CHECK_LAST_ERROR(0xdeadbeef);
    read_all(s, buf, 11);
    CHECK(memcmp(buf, "stream data", 11) == 0);

    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(0xdeadbeef);
    CHECK(!ReadFile((HANDLE)c, buf, sizeof buf, NULL, &ov));
    CHECK_LAST_ERROR(ERROR_IO_PENDING);
    CHECK(WriteFile((HANDLE)s, "reply", 5, &n, NULL));
    CHECK_EQ(WaitForSingleObject(ov.hEvent, WAIT_MS), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult((HANDLE)c, &ov, &n, FALSE));
    CHECK_EQ(n, 5);
    CHECK(memcmp(buf, "reply", 5) == 0);
    CHECK(CloseHandle(ov.hEvent));

    /* the peer closes: the end of the stream, TRUE with 0 bytes */
    closesocket(c);
    n = 0x5555;
    SetLastError(0xdeadbeef);
    CHECK(ReadFile((HANDLE)s, buf, sizeof buf, &n, NULL));
    CHECK_EQ(n, 0);
    CHECK_LAST_ERROR(0xdeadbeef);

    closesocket(s);
    closesocket(l);
}

/* P6: the standard handles (stdout a file, stdin /dev/null here). */
static void std_handles(void)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE), in = GetStdHandle(STD_INPUT_HANDLE);
    static const char line[] = "WriteFile to the std output handle\n";
    char buf[16];
    DWORD n = 0x5555;
    OVERLAPPED ov;

    CHECK(out != NULL && out != INVALID_HANDLE_VALUE);
    fflush(stdout);
    SetLastError(0xdeadbeef);
    CHECK(WriteFile(out, line, (DWORD)strlen(line), &n, NULL));
    CHECK_EQ(n, strlen(line));
    CHECK_LAST_ERROR(0xdeadbeef);

    /* test_read_write: NULL and 0 succeed, NULL and 10 do not */
    n = 12345678;
    CHECK(WriteFile(out, NULL, 0, &n, NULL));
    CHECK_EQ(n, 0);
    CHECK_LAST_ERROR(0xdeadbeef);
    n = 12345678;
    CHECK(!WriteFile(out, NULL, 10, &n, NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_USER_BUFFER);
    CHECK_EQ(n, 0);
    n = 12345678;
    SetLastError(0xdeadbeef);
    CHECK(ReadFile(in, NULL, 0, &n, NULL));
    CHECK_EQ(n, 0);
    CHECK_LAST_ERROR(0xdeadbeef);
    n = 12345678;
    CHECK(!ReadFile(in, NULL, 10, &n, NULL));
    CHECK_LAST_ERROR(ERROR_NOACCESS);
    CHECK_EQ(n, 0);

    /* the end of /dev/null: TRUE with 0 bytes */
    n = 12345678;
    SetLastError(0xdeadbeef);
    CHECK(ReadFile(in, buf, sizeof buf, &n, NULL));
    CHECK_EQ(n, 0);
    CHECK_LAST_ERROR(0xdeadbeef);

    /* an OVERLAPPED with a handle not opened for overlapped I/O: the call
     * is synchronous, its result in the OVERLAPPED and its event set */
    memset(&ov, 0, sizeof ov);
    ov.Internal = STATUS_PENDING;
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    CHECK(WriteFile(out, "ov\n", 3, NULL, &ov));
    CHECK_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 3);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult(out, &ov, &n, FALSE));
    CHECK_EQ(n, 3);
    CHECK(CloseHandle(ov.hEvent));
}

/* P6: handles that are no file: ERROR_INVALID_HANDLE, the count 0. */
static void bad_handles(void)
{
    HANDLE event = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE mutex = CreateMutexA(NULL, FALSE, NULL);
    HANDLE handles[] = {event, mutex, GetCurrentThread(), GetCurrentProcess(), NULL,
                        INVALID_HANDLE_VALUE, (HANDLE)(UINT_PTR)0xdeadbee0u};
    SOCKET closed;
    char buf[4];
    DWORD n;

    for (size_t i = 0; i < ARRAYSIZE(handles); i++) {
        n = 0x5555;
        SetLastError(0xdeadbeef);
        CHECK(!WriteFile(handles[i], "x", 1, &n, NULL));
        CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
        CHECK_EQ(n, 0);
        n = 0x5555;
        SetLastError(0xdeadbeef);
        CHECK(!ReadFile(handles[i], buf, sizeof buf, &n, NULL));
        CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
        CHECK_EQ(n, 0);
    }
    /* a socket after closesocket */
    CHECK_SOCKET(closed = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    closesocket(closed);
    SetLastError(0xdeadbeef);
    CHECK(!WriteFile((HANDLE)closed, "x", 1, &n, NULL));
    CHECK_LAST_ERROR(ERROR_INVALID_HANDLE);
    CHECK(CloseHandle(event));
    CHECK(CloseHandle(mutex));
}

/* P6: ReadFile page: a pipe whose writer is gone is ERROR_BROKEN_PIPE
 * after its data. */
static void stdin_pipe(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    char buf[16];
    DWORD n = 0, total = 0;
    while (total < 6) {
        CHECK(ReadFile(in, buf + total, sizeof buf - total, &n, NULL));
        CHECK(n > 0);
        total += n;
    }
    CHECK_EQ(total, 6);
    CHECK(memcmp(buf, "piped\n", 6) == 0);
    n = 0x5555;
    SetLastError(0xdeadbeef);
    CHECK(!ReadFile(in, buf, sizeof buf, &n, NULL));
    CHECK_LAST_ERROR(ERROR_BROKEN_PIPE);
    CHECK_EQ(n, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "stdin-pipe") == 0) {
        stdin_pipe();
        printf("win32_file_io stdin-pipe: ok\n");
        return 0;
    }
    startup();
    udp_blocking();
    udp_overlapped_event();
    udp_completion_port();
    tcp_connection();
    std_handles();
    bad_handles();
    WSACleanup();
    printf("win32_file_io: ok\n");
    return 0;
}
