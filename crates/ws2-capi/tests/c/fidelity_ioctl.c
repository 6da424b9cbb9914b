/* WSAIoctl and ioctlsocket as Windows answers them on datagram sockets:
 * codes ws2 does not support (with and without an OVERLAPPED or a
 * completion routine), FIONBIO, SIO_BASE_HANDLE, SIO_ENABLE_CIRCULAR_QUEUEING
 * and SIO_GET_EXTENSION_FUNCTION_POINTER with an OVERLAPPED. The Windows
 * record is Wine's Windows-run dlls/ws2_32/tests/sock.c (which runs these
 * on TCP sockets bound to a completion port with key 123; the rules are
 * the ioctl layer's, not the transport's); each case names its test
 * function. SIO_FLUSH is left out: current Windows answers it as an
 * unsupported code (test_unsupported_ioctls), SPEC S37 keeps it as the
 * cancellation of pending sends. Clauses: S2, S20, S29, S33, S36, S41. */
#include "common.h"

#define SENTINEL 0xdeadbeefu
#define KEY 123

static unsigned routine_calls;
static DWORD routine_error, routine_size, routine_flags;
static LPWSAOVERLAPPED routine_ov;
static void CALLBACK routine(DWORD error, DWORD size, LPWSAOVERLAPPED ov, DWORD flags)
{
    routine_error = error;
    routine_size = size;
    routine_ov = ov;
    routine_flags = flags;
    routine_calls++;
}

/* The one packet of `ov` on `port`: its result, error, bytes and key. */
static void expect_packet(HANDLE port, WSAOVERLAPPED *ov, BOOL ok, DWORD error, DWORD bytes)
{
    DWORD got_bytes = SENTINEL;
    ULONG_PTR key = 0;
    OVERLAPPED *got = NULL;
    SetLastError(SENTINEL);
    BOOL r = GetQueuedCompletionStatus(port, &got_bytes, &key, &got, 1000);
    CHECK_EQ(r, ok);
    if (!ok) CHECK_EQ(GetLastError(), error);
    CHECK(got == ov);
    CHECK_EQ(got_bytes, bytes);
    CHECK_EQ(key, KEY);
}

static void expect_no_packet(HANDLE port)
{
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *got = (OVERLAPPED *)1;
    CHECK_EQ(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0), FALSE);
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(got == NULL);
}

static SOCKET port_socket(int af, HANDLE *port)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(af, SOCK_DGRAM, 0));
    *port = CreateIoCompletionPort((HANDLE)s, NULL, KEY, 0);
    CHECK(*port != NULL);
    return s;
}

/* test_unsupported_ioctls. */
static void unsupported(void)
{
    const DWORD codes[] = {0xdeadbeef, FIOASYNC, 0x667e};
    HANDLE port;
    SOCKET s = port_socket(AF_INET, &port), plain;
    CHECK_SOCKET(plain = socket(AF_INET, SOCK_DGRAM, 0));
    for (int i = 0; i < 3; i++) {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        DWORD size = KEY;
        CHECK_ERR(WSAIoctl(s, codes[i], NULL, 0, NULL, 0, NULL, &ov, NULL), WSAEFAULT);
        CHECK_ERR(WSAIoctl(s, codes[i], NULL, 0, NULL, 0, &size, NULL, NULL), WSAEOPNOTSUPP);
        CHECK_EQ(size, 0);
        size = KEY;
        CHECK_ERR(WSAIoctl(s, codes[i], NULL, 0, NULL, 0, &size, &ov, NULL), WSA_IO_PENDING);
        CHECK_EQ(size, KEY);
        expect_packet(port, &ov, FALSE, ERROR_NOT_SUPPORTED, 0);
        CHECK_EQ(ov.Internal, STATUS_NOT_SUPPORTED);
        CHECK_EQ(ov.InternalHigh, 0);

        memset(&ov, 0, sizeof ov);
        routine_calls = 0;
        CHECK_ERR(WSAIoctl(plain, codes[i], NULL, 0, NULL, 0, &size, &ov, routine), WSA_IO_PENDING);
        CHECK_EQ(size, KEY);
        CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
        CHECK_EQ(routine_calls, 1);
        CHECK_EQ(routine_error, WSAEOPNOTSUPP);
        CHECK_EQ(routine_size, 0);
        CHECK(routine_ov == &ov);
        CHECK_EQ(routine_flags, 0);
        /* A completion routine on a socket bound to a port: WSAEINVAL (S36). */
        CHECK_ERR(WSAIoctl(s, codes[i], NULL, 0, NULL, 0, &size, &ov, routine), WSAEINVAL);
    }
    expect_no_packet(port);
    closesocket(plain);
    closesocket(s);
    CloseHandle(port);
}

/* test_fionbio. */
static void fionbio(void)
{
    HANDLE port;
    SOCKET s = port_socket(AF_INET, &port), plain;
    CHECK_SOCKET(plain = socket(AF_INET, SOCK_DGRAM, 0));
    u_long one = 1;
    CHECK_ERR(ioctlsocket(s, FIONBIO, (u_long *)1), WSAEFAULT);
    CHECK_ERR(WSAIoctl(s, FIONBIO, &one, sizeof one, NULL, 0, NULL, NULL, NULL), WSAEFAULT);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD size = SENTINEL;
    CHECK_ERR(WSAIoctl(s, FIONBIO, &one, sizeof one - 1, NULL, 0, &size, &ov, NULL), WSAEFAULT);
    WSASetLastError((int)SENTINEL);
    CHECK_EQ(WSAIoctl(s, FIONBIO, &one, sizeof one, NULL, 0, &size, NULL, NULL), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, 0);
    char five[5] = {1, 0, 0, 0, 0};
    CHECK_OK(WSAIoctl(s, FIONBIO, five, sizeof five, NULL, 0, &size, NULL, NULL));
    /* The output buffer is not looked at. */
    CHECK_OK(WSAIoctl(s, FIONBIO, &one, sizeof one, (void *)1, 4, &size, NULL, NULL));
    expect_no_packet(port);

    size = SENTINEL;
    memset(&ov, 0, sizeof ov);
    CHECK_EQ(WSAIoctl(s, FIONBIO, &one, sizeof one, NULL, 0, &size, &ov, NULL), 0);
    CHECK_EQ(size, 0);
    expect_packet(port, &ov, TRUE, 0, 0);
    CHECK_EQ(ov.Internal, 0);
    CHECK_EQ(ov.InternalHigh, 0);

    memset(&ov, 0, sizeof ov);
    routine_calls = 0;
    CHECK_EQ(WSAIoctl(plain, FIONBIO, &one, sizeof one, NULL, 0, &size, &ov, routine), 0);
    CHECK_EQ(size, 0);
    CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(routine_calls, 1);
    CHECK_EQ(routine_error, 0);
    CHECK_EQ(routine_size, 0);
    closesocket(plain);
    closesocket(s);
    CloseHandle(port);
}

/* test_base_handle, IPv4 and IPv6 UDP. */
static void base_handle(int af)
{
    HANDLE port;
    SOCKET s = port_socket(af, &port), plain, base;
    CHECK_SOCKET(plain = socket(af, SOCK_DGRAM, 0));
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD size = SENTINEL;
    CHECK_ERR(WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, NULL, &ov, NULL),
              WSAEFAULT);
    base = 0;
    WSASetLastError((int)SENTINEL);
    CHECK_EQ(WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, &size, NULL, NULL), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, sizeof base);
    CHECK(base == s);
    /* An output too short for a SOCKET (Microsoft's SIO_BASE_HANDLE entry). */
    CHECK_ERR(WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base - 1, &size, NULL, NULL),
              WSAEFAULT);

    base = INVALID_SOCKET;
    size = SENTINEL;
    CHECK_ERR(WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, &size, &ov, NULL),
              WSA_IO_PENDING);
    CHECK_EQ(size, SENTINEL);
    expect_packet(port, &ov, FALSE, ERROR_NOT_SUPPORTED, 0);
    CHECK_EQ(ov.Internal, STATUS_NOT_SUPPORTED);
    CHECK_EQ(ov.InternalHigh, 0);
    CHECK(base == INVALID_SOCKET);

    memset(&ov, 0, sizeof ov);
    routine_calls = 0;
    CHECK_ERR(WSAIoctl(plain, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, &size, &ov, routine),
              WSA_IO_PENDING);
    CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(routine_calls, 1);
    CHECK_EQ(routine_error, WSAEOPNOTSUPP);
    CHECK_EQ(routine_size, 0);
    CHECK(base == INVALID_SOCKET);
    closesocket(plain);
    closesocket(s);
    CloseHandle(port);
}

/* test_circular_queueing: accepted on a UDP socket. */
static void circular_queueing(void)
{
    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, 0));
    DWORD size = SENTINEL;
    CHECK_EQ(WSAIoctl(s, SIO_ENABLE_CIRCULAR_QUEUEING, NULL, 0, NULL, 0, &size, NULL, NULL), 0);
    closesocket(s);
}

/* test_get_extension_func: with an OVERLAPPED the call returns 0 with the
 * pointer's size and still queues a packet of 0 bytes; an unknown GUID is
 * WSAEINVAL and touches nothing (S2); with a routine, the routine runs with
 * (0, 0). */
static void extension_func(void)
{
    HANDLE port;
    SOCKET s = port_socket(AF_INET, &port), plain;
    CHECK_SOCKET(plain = socket(AF_INET, SOCK_DGRAM, 0));
    GUID guid = WSAID_WSASENDMSG, bogus = {0x1234, 0x5678, 0x9abc, {1, 2, 3, 4, 5, 6, 7, 8}};
    void *fn = NULL;
    DWORD size = SENTINEL;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, sizeof fn,
                       NULL, &ov, NULL),
              WSAEFAULT);
    WSASetLastError((int)SENTINEL);
    CHECK_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, sizeof fn,
                      &size, &ov, NULL),
             0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(size, sizeof fn);
    CHECK(fn != NULL);
    expect_packet(port, &ov, TRUE, 0, 0);
    CHECK_EQ(ov.Internal, 0);
    CHECK_EQ(ov.InternalHigh, 0);

    memset(&ov, 0, sizeof ov);
    ov.Internal = SENTINEL;
    ov.InternalHigh = SENTINEL;
    size = SENTINEL;
    CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &bogus, sizeof bogus, &fn, sizeof fn,
                       &size, &ov, NULL),
              WSAEINVAL);
    CHECK_EQ(size, SENTINEL);
    CHECK_EQ(ov.Internal, SENTINEL);
    CHECK_EQ(ov.InternalHigh, SENTINEL);
    expect_no_packet(port);

    memset(&ov, 0, sizeof ov);
    routine_calls = 0;
    CHECK_EQ(WSAIoctl(plain, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn,
                      sizeof fn, &size, &ov, routine),
             0);
    CHECK_EQ(size, sizeof fn);
    CHECK_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(routine_calls, 1);
    CHECK_EQ(routine_error, 0);
    CHECK_EQ(routine_size, 0);
    closesocket(plain);
    closesocket(s);
    CloseHandle(port);
}

int main(void)
{
    startup();
    unsupported();
    fionbio();
    base_handle(AF_INET);
    base_handle(AF_INET6);
    circular_queueing();
    extension_func();
    WSACleanup();
    puts("fidelity_ioctl: ok");
    return 0;
}
