/* Overlapped sends that complete at once (loopback), in every delivery mode,
 * and the event/port/wait machinery around them.
 * Clauses: S2, S20, S28, S29, S31, S32, S33, S36, S40. */
#include "ov_common.h"
#include "cr_record.h"

static char payload[100];


#define KEY 0x1234abcdu
#define KEY2 0x77u
#define MARKER ((HANDLE)(UINT_PTR)0x5eed0000u)

/* No packet may be waiting on the port (S36 timeout shape). */
#define EXPECT_NO_PACKET(port) ws2t_expect_no_packet((port), __FILE__, __LINE__)
static void ws2t_expect_no_packet(HANDLE port, const char *file, int line)
{
    DWORD bytes = 0xdead;
    ULONG_PTR key = 0xdead;
    LPOVERLAPPED pov = (LPOVERLAPPED)(UINT_PTR)0xdead;
    SetLastError(0);
    BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &pov, 50);
    DWORD e = GetLastError();
    if (ok) ws2t_fail(file, line, "unexpected completion packet", (int)e);
    if (pov != NULL) ws2t_fail(file, line, "timeout did not write a NULL OVERLAPPED", (int)e);
    if (e != WAIT_TIMEOUT) ws2t_fail(file, line, "timeout: GetLastError() != WAIT_TIMEOUT", (int)e);
}

int main(void)
{
    startup();
    memset(payload, 'i', sizeof payload);
    SOCKADDR_STORAGE rxa;
    SOCKET rx = udp_receiver("127.0.0.1", &rxa);
    int tolen = sizeof(SOCKADDR_IN);
    SOCKET s = udp_socket(0);
    LPFN_WSASENDMSG fn = get_wsasendmsg(s);
    WSAOVERLAPPED ov;
    DWORD sent, bytes, flags;

    /* ---- S29/S31: event mode, immediate success ---- */
    WSAEVENT ev = new_event();
    CHECK(!event_is_set(ev));
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    sent = 0xdeadbeef;
    CHECK_EQ(ov_send(fn, s, &rxa, tolen, payload, sizeof payload, &sent, &ov, NULL), 0); /* S29 */
    CHECK_EQ(WSAGetLastError(), 0);                                                       /* S3 */
    CHECK_EQ(sent, sizeof payload);                                                       /* S29 */
    CHECK(event_is_set(ev));                                                              /* S29 */
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);                                            /* S30 */
    CHECK_EQ(ov.InternalHigh, sizeof payload);                                            /* S30 */
    CHECK(HasOverlappedIoCompleted(&ov));
    bytes = 0;
    flags = 0xdead;
    CHECK(WSAGetOverlappedResult(s, &ov, &bytes, FALSE, &flags) == TRUE); /* S31 */
    CHECK_EQ(bytes, sizeof payload);
    bytes = 0;
    CHECK(WSAGetOverlappedResult(s, &ov, &bytes, TRUE, &flags) == TRUE); /* S31 */
    CHECK_EQ(bytes, sizeof payload);
    EXPECT_DGRAM(rx, payload, sizeof payload, "127.0.0.1");
    /* S31: a stale socket → WSAENOTSOCK */
    SOCKET stale = udp_socket(0);
    CHECK_OK(closesocket(stale));
    CHECK(WSAGetOverlappedResult(stale, &ov, &bytes, FALSE, &flags) == FALSE);
    CHECK_EQ(WSAGetLastError(), WSAENOTSOCK);

    /* ---- S29/S32/S33: completion-routine mode ---- */
    reset_routine();
    memset(&ov, 0, sizeof ov);
    ov.hEvent = MARKER; /* S32: the caller's own context */
    sent = 0xdeadbeef;
    CHECK_EQ(ov_send(fn, s, &rxa, tolen, payload, 60, &sent, &ov, routine), 0); /* S29 */
    CHECK_EQ(sent, 60);
    Sleep(50);                /* not alertable */
    CHECK_EQ(cr_runs, 0);     /* S33: only in an alertable wait */
    CHECK(SleepEx(0, FALSE) == 0);
    CHECK_EQ(cr_runs, 0);     /* S33 */
    CHECK_EQ(SleepEx(1000, TRUE), WAIT_IO_COMPLETION); /* S33 */
    CHECK_EQ(cr_runs, 1);     /* S33 exactly once */
    CHECK_EQ(cr_err, 0);
    CHECK_EQ(cr_bytes, 60);
    CHECK(cr_ov == &ov);
    CHECK_EQ(cr_flags, 0);    /* S33 */
    CHECK(ov.hEvent == MARKER); /* S32 */
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 60);
    CHECK_EQ(SleepEx(0, TRUE), 0); /* nothing more queued */
    CHECK_EQ(cr_runs, 1);
    EXPECT_DGRAM(rx, payload, 60, "127.0.0.1");
    /* S31/S32: fWait TRUE on a completed routine operation is fine on
     * Windows only while pending; here it has completed: no wait needed. */

    /* S33: WSAWaitForMultipleEvents(fAlertable) and WaitForSingleObjectEx run routines */
    reset_routine();
    memset(&ov, 0, sizeof ov);
    ov.hEvent = MARKER;
    CHECK_EQ(ov_send(fn, s, &rxa, tolen, payload, 10, &sent, &ov, routine), 0);
    WSAEVENT unset = new_event();
    CHECK_EQ(WSAWaitForMultipleEvents(1, &unset, FALSE, 1000, TRUE), WSA_WAIT_IO_COMPLETION);
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_bytes, 10);
    EXPECT_DGRAM(rx, payload, 10, "127.0.0.1");
    reset_routine();
    memset(&ov, 0, sizeof ov);
    CHECK_EQ(ov_send(fn, s, &rxa, tolen, payload, 11, &sent, &ov, routine), 0);
    CHECK_EQ(WaitForSingleObjectEx(unset, 1000, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(cr_runs, 1);
    CHECK_EQ(cr_bytes, 11);
    EXPECT_DGRAM(rx, payload, 11, "127.0.0.1");
    /* several queued routines all run in one alertable wait */
    reset_routine();
    WSAOVERLAPPED ovs[5];
    for (int i = 0; i < 5; i++) {
        memset(&ovs[i], 0, sizeof ovs[i]);
        CHECK_EQ(ov_send(fn, s, &rxa, tolen, payload, 20 + (ULONG)i, &sent, &ovs[i], routine), 0);
    }
    CHECK_EQ(SleepEx(1000, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(cr_runs, 5); /* S33: all queued routines */
    for (int i = 0; i < 5; i++) EXPECT_DGRAM(rx, payload, 20 + i, "127.0.0.1");

    /* S28: a completion routine without an OVERLAPPED is ignored */
    reset_routine();
    sent = 0;
    CHECK_EQ(ov_send(fn, s, &rxa, tolen, payload, 12, &sent, NULL, routine), 0);
    CHECK_EQ(sent, 12);
    CHECK_EQ(SleepEx(50, TRUE), 0);
    CHECK_EQ(cr_runs, 0);
    EXPECT_DGRAM(rx, payload, 12, "127.0.0.1");

    /* ---- S36: completion port ---- */
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    SOCKET ps = udp_socket(0);
    CHECK(CreateIoCompletionPort((HANDLE)ps, port, KEY, 0) == port);
    memset(&ov, 0, sizeof ov);
    sent = 0;
    CHECK_EQ(ov_send(fn, ps, &rxa, tolen, payload, 33, &sent, &ov, NULL), 0); /* S29 */
    CHECK_EQ(sent, 33);
    {
        DWORD b = 0;
        ULONG_PTR k = 0;
        LPOVERLAPPED pov = NULL;
        CHECK(GetQueuedCompletionStatus(port, &b, &k, &pov, 1000) == TRUE); /* S29 S36 */
        CHECK_EQ(b, 33);
        CHECK_EQ(k, KEY);
        CHECK(pov == &ov);
    }
    EXPECT_NO_PACKET(port); /* exactly one packet */
    EXPECT_DGRAM(rx, payload, 33, "127.0.0.1");

    /* S36: event and port both: event set and packet queued */
    WSAResetEvent(ev);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    CHECK_EQ(ov_send(fn, ps, &rxa, tolen, payload, 34, &sent, &ov, NULL), 0);
    CHECK(event_is_set(ev));
    {
        DWORD b = 0;
        ULONG_PTR k = 0;
        LPOVERLAPPED pov = NULL;
        CHECK(GetQueuedCompletionStatus(port, &b, &k, &pov, 1000) == TRUE);
        CHECK_EQ(b, 34);
        CHECK(pov == &ov);
    }
    EXPECT_DGRAM(rx, payload, 34, "127.0.0.1");

    /* S36: hEvent with its low bit set: event set, no packet */
    WSAResetEvent(ev);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = (HANDLE)((UINT_PTR)ev | 1);
    CHECK_EQ(ov_send(fn, ps, &rxa, tolen, payload, 35, &sent, &ov, NULL), 0);
    CHECK_EQ(sent, 35);
    CHECK(event_is_set(ev));
    EXPECT_NO_PACKET(port); /* S36 */
    EXPECT_DGRAM(rx, payload, 35, "127.0.0.1");

    /* S36 S20: a completion routine on a port-bound socket → WSAEINVAL, OVERLAPPED untouched */
    reset_routine();
    memset(&ov, 0xA5, sizeof ov);
    WSAOVERLAPPED copy = ov;
    sent = 0xdeadbeef;
    CHECK_ERR(ov_send(fn, ps, &rxa, tolen, payload, 36, &sent, &ov, routine), WSAEINVAL);
    CHECK(memcmp(&ov, &copy, sizeof ov) == 0); /* S20 */
    CHECK_EQ(sent, 0xdeadbeef);
    CHECK_EQ(SleepEx(50, TRUE), 0);            /* S20: no routine */
    CHECK_EQ(cr_runs, 0);
    EXPECT_NO_PACKET(port);                    /* S20: no packet */
    EXPECT_NOTHING(rx);                        /* nothing sent */

    /* S36: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: no packet for an immediate success */
    SOCKET ps2 = udp_socket(0);
    CHECK(CreateIoCompletionPort((HANDLE)ps2, port, KEY2, 0) == port);
    CHECK(SetFileCompletionNotificationModes((HANDLE)ps2, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    WSAResetEvent(ev);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    sent = 0;
    CHECK_EQ(ov_send(fn, ps2, &rxa, tolen, payload, 37, &sent, &ov, NULL), 0);
    CHECK_EQ(sent, 37);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_EQ(ov.InternalHigh, 37);
    EXPECT_NO_PACKET(port); /* S36 */
    EXPECT_DGRAM(rx, payload, 37, "127.0.0.1");

    /* S36: PostQueuedCompletionStatus round trip */
    WSAOVERLAPPED posted;
    CHECK(PostQueuedCompletionStatus(port, 77, 0xabc, &posted));
    {
        DWORD b = 0;
        ULONG_PTR k = 0;
        LPOVERLAPPED pov = NULL;
        CHECK(GetQueuedCompletionStatus(port, &b, &k, &pov, 1000) == TRUE);
        CHECK_EQ(b, 77);
        CHECK_EQ(k, 0xabc);
        CHECK(pov == &posted);
    }
    CHECK(PostQueuedCompletionStatus(port, 0, 0, NULL));
    {
        DWORD b = 1;
        ULONG_PTR k = 1;
        LPOVERLAPPED pov = &posted;
        CHECK(GetQueuedCompletionStatus(port, &b, &k, &pov, 1000) == TRUE);
        CHECK_EQ(b, 0);
        CHECK_EQ(k, 0);
        CHECK(pov == NULL);
    }

    /* S36: GetQueuedCompletionStatusEx batch: 3 posted + 2 sends */
    {
        WSAOVERLAPPED p[3], o2[2];
        for (int i = 0; i < 3; i++) CHECK(PostQueuedCompletionStatus(port, 100 + (DWORD)i, 500 + (ULONG_PTR)i, &p[i]));
        for (int i = 0; i < 2; i++) {
            memset(&o2[i], 0, sizeof o2[i]);
            CHECK_EQ(ov_send(fn, ps, &rxa, tolen, payload, 40 + (ULONG)i, &sent, &o2[i], NULL), 0);
        }
        int seen_p[3] = {0, 0, 0}, seen_o[2] = {0, 0};
        int got = 0;
        double t0 = now_ms();
        while (got < 5 && now_ms() - t0 < 3000) {
            OVERLAPPED_ENTRY e[8];
            ULONG n = 0;
            memset(e, 0, sizeof e);
            CHECK(GetQueuedCompletionStatusEx(port, e, 8, &n, 1000, FALSE) == TRUE);
            CHECK(n >= 1 && n <= 8);
            for (ULONG j = 0; j < n; j++) {
                int found = 0;
                for (int i = 0; i < 3; i++)
                    if (e[j].lpOverlapped == &p[i]) {
                        CHECK_EQ(e[j].lpCompletionKey, 500 + i);
                        CHECK_EQ(e[j].dwNumberOfBytesTransferred, 100 + i);
                        seen_p[i]++;
                        found = 1;
                    }
                for (int i = 0; i < 2; i++)
                    if (e[j].lpOverlapped == &o2[i]) {
                        CHECK_EQ(e[j].lpCompletionKey, KEY);
                        CHECK_EQ(e[j].dwNumberOfBytesTransferred, 40 + i);
                        CHECK_HEX_EQ(e[j].Internal, STATUS_SUCCESS);
                        seen_o[i]++;
                        found = 1;
                    }
                CHECK(found);
                got++;
            }
        }
        CHECK_EQ(got, 5);
        for (int i = 0; i < 3; i++) CHECK_EQ(seen_p[i], 1);
        for (int i = 0; i < 2; i++) CHECK_EQ(seen_o[i], 1);
        OVERLAPPED_ENTRY e[2];
        ULONG n = 99;
        SetLastError(0);
        CHECK(GetQueuedCompletionStatusEx(port, e, 2, &n, 50, FALSE) == FALSE); /* S36 timeout */
        CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
        for (int i = 0; i < 2; i++) EXPECT_DGRAM(rx, payload, 40 + i, "127.0.0.1");
    }

    /* ---- S2: SIO_GET_EXTENSION_FUNCTION_POINTER with an OVERLAPPED ---- */
    {
        GUID guid = WSAID_WSASENDMSG;
        LPFN_WSASENDMSG f2 = NULL;
        DWORD ret = 0xdead;
        WSAResetEvent(ev);
        memset(&ov, 0, sizeof ov);
        ov.hEvent = ev;
        CHECK_OK(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &f2, sizeof f2,
                          &ret, &ov, NULL));
        CHECK_EQ(ret, sizeof(void *));
        CHECK(f2 != NULL);
        CHECK(event_is_set(ev));        /* S2: the completion is delivered */
        CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
        SOFT_EQ(ov.InternalHigh, 0);    /* S2: 0 bytes */

        /* through the port: a packet with 0 bytes */
        memset(&ov, 0, sizeof ov);
        ret = 0xdead;
        CHECK_OK(WSAIoctl(ps, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &f2, sizeof f2,
                          &ret, &ov, NULL));
        CHECK_EQ(ret, sizeof(void *));
        DWORD b = 0xdead;
        ULONG_PTR k = 0;
        LPOVERLAPPED pov = NULL;
        CHECK(GetQueuedCompletionStatus(port, &b, &k, &pov, 1000) == TRUE); /* S2 */
        SOFT_EQ(b, 0);
        CHECK_EQ(k, KEY);
        CHECK(pov == &ov);

        /* with a completion routine: error 0, size 0 */
        reset_routine();
        memset(&ov, 0, sizeof ov);
        ov.hEvent = MARKER;
        CHECK_OK(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &f2, sizeof f2,
                          &ret, &ov, routine));
        CHECK_EQ(cr_runs, 0);
        CHECK_EQ(SleepEx(1000, TRUE), WAIT_IO_COMPLETION); /* S2 S33 */
        CHECK_EQ(cr_runs, 1);
        CHECK_EQ(cr_err, 0);
        SOFT_EQ(cr_bytes, 0); /* S2 */
        CHECK(cr_ov == &ov);
        CHECK(ov.hEvent == MARKER);

        /* S2 S20: unknown GUID with an OVERLAPPED → WSAEINVAL, untouched, nothing queued */
        GUID bogus = {0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};
        WSAResetEvent(ev);
        memset(&ov, 0x5A, sizeof ov);
        ov.hEvent = ev;
        copy = ov;
        CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &bogus, sizeof bogus, &f2,
                           sizeof f2, &ret, &ov, NULL),
                  WSAEINVAL);
        CHECK(memcmp(&ov, &copy, sizeof ov) == 0); /* S2 S20 */
        CHECK(!event_is_set(ev));                  /* S20 */
        memset(&ov, 0x5A, sizeof ov);
        copy = ov;
        CHECK_ERR(WSAIoctl(ps, SIO_GET_EXTENSION_FUNCTION_POINTER, &bogus, sizeof bogus, &f2,
                           sizeof f2, &ret, &ov, NULL),
                  WSAEINVAL);
        CHECK(memcmp(&ov, &copy, sizeof ov) == 0);
        EXPECT_NO_PACKET(port); /* S2 */
        reset_routine();
        memset(&ov, 0x5A, sizeof ov);
        copy = ov;
        CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &bogus, sizeof bogus, &f2,
                           sizeof f2, &ret, &ov, routine),
                  WSAEINVAL);
        CHECK(memcmp(&ov, &copy, sizeof ov) == 0);
        CHECK_EQ(SleepEx(50, TRUE), 0); /* S2: no routine */
        CHECK_EQ(cr_runs, 0);
        /* S2: lpcbBytesReturned NULL with an OVERLAPPED → WSAEFAULT, untouched */
        memset(&ov, 0x5A, sizeof ov);
        ov.hEvent = ev;
        copy = ov;
        CHECK_ERR(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &f2, sizeof f2,
                           NULL, &ov, NULL),
                  WSAEFAULT);
        CHECK(memcmp(&ov, &copy, sizeof ov) == 0);
        CHECK(!event_is_set(ev));
    }

    /* ---- S28: a socket without WSA_FLAG_OVERLAPPED blocks even with an OVERLAPPED ---- */
    {
        SOCKET ns;
        CHECK_SOCKET(ns = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, 0));
        WSAResetEvent(ev);
        memset(&ov, 0x77, sizeof ov);
        ov.hEvent = ev;
        sent = 0xdeadbeef;
        CHECK_EQ(ov_send(fn, ns, &rxa, tolen, payload, 44, &sent, &ov, NULL), 0); /* S28 */
        CHECK_EQ(sent, 44);
        CHECK_HEX_EQ(ov.Internal, 0);      /* S28 */
        CHECK_EQ(ov.InternalHigh, 44);     /* S28 */
        CHECK(event_is_set(ev));           /* S28 */
        EXPECT_DGRAM(rx, payload, 44, "127.0.0.1");
        /* also in FIONBIO mode */
        u_long one = 1;
        CHECK_OK(ioctlsocket(ns, FIONBIO, &one));
        WSAResetEvent(ev);
        memset(&ov, 0x77, sizeof ov);
        ov.hEvent = ev;
        CHECK_EQ(ov_send(fn, ns, &rxa, tolen, payload, 45, &sent, &ov, NULL), 0);
        CHECK_HEX_EQ(ov.Internal, 0);
        CHECK_EQ(ov.InternalHigh, 45);
        CHECK(event_is_set(ev));
        EXPECT_DGRAM(rx, payload, 45, "127.0.0.1");
        CHECK_OK(closesocket(ns));
        /* WSASocket with WSA_FLAG_OVERLAPPED is overlapped-capable: completion via routine */
        CHECK_SOCKET(ns = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED));
        reset_routine();
        memset(&ov, 0, sizeof ov);
        CHECK_EQ(ov_send(fn, ns, &rxa, tolen, payload, 46, &sent, &ov, routine), 0);
        CHECK_EQ(cr_runs, 0);
        CHECK_EQ(SleepEx(1000, TRUE), WAIT_IO_COMPLETION);
        CHECK_EQ(cr_runs, 1);
        EXPECT_DGRAM(rx, payload, 46, "127.0.0.1");
        CHECK_OK(closesocket(ns));
    }

    /* ---- S40: WSAWaitForMultipleEvents ---- */
    {
        WSAEVENT e3[3];
        for (int i = 0; i < 3; i++) e3[i] = new_event();
        double t0 = now_ms();
        CHECK_EQ(WSAWaitForMultipleEvents(3, e3, FALSE, 50, FALSE), WSA_WAIT_TIMEOUT);
        CHECK(now_ms() - t0 >= 45.0);
        CHECK(WSASetEvent(e3[1]));
        CHECK_EQ(WSAWaitForMultipleEvents(3, e3, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0 + 1);
        CHECK(event_is_set(e3[1])); /* manual reset: still set */
        CHECK_EQ(WSAWaitForMultipleEvents(3, e3, TRUE, 50, FALSE), WSA_WAIT_TIMEOUT);
        CHECK(WSASetEvent(e3[0]));
        CHECK(WSASetEvent(e3[2]));
        CHECK_EQ(WSAWaitForMultipleEvents(3, e3, FALSE, 0, FALSE), WSA_WAIT_EVENT_0); /* lowest */
        CHECK_EQ(WSAWaitForMultipleEvents(3, e3, TRUE, 1000, FALSE), WSA_WAIT_EVENT_0);
        CHECK_EQ(WaitForMultipleObjects(3, e3, TRUE, 0), WAIT_OBJECT_0);
        CHECK(WSAResetEvent(e3[0]));
        CHECK_EQ(WaitForMultipleObjects(3, e3, FALSE, 0), WAIT_OBJECT_0 + 1);
        CHECK_EQ(WaitForSingleObject(e3[0], 0), WAIT_TIMEOUT);
        for (int i = 0; i < 3; i++) CHECK(WSACloseEvent(e3[i]));

        WSAEVENT e64[65];
        for (int i = 0; i < 65; i++) e64[i] = new_event();
        CHECK_EQ(WSAWaitForMultipleEvents(64, e64, FALSE, 10, FALSE), WSA_WAIT_TIMEOUT);
        CHECK(WSASetEvent(e64[63]));
        CHECK_EQ(WSAWaitForMultipleEvents(64, e64, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0 + 63);
        CHECK(WSASetEvent(e64[40]));
        CHECK_EQ(WSAWaitForMultipleEvents(64, e64, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0 + 40);
        CHECK_EQ(WSAWaitForMultipleEvents(64, e64, TRUE, 10, FALSE), WSA_WAIT_TIMEOUT);
        for (int i = 0; i < 64; i++) CHECK(WSASetEvent(e64[i]));
        CHECK_EQ(WSAWaitForMultipleEvents(64, e64, TRUE, 1000, FALSE), WSA_WAIT_EVENT_0);
        /* more than WSA_MAXIMUM_WAIT_EVENTS → WSA_WAIT_FAILED / WSA_INVALID_PARAMETER */
        CHECK_EQ(WSAWaitForMultipleEvents(65, e64, FALSE, 0, FALSE), WSA_WAIT_FAILED);
        CHECK_EQ(WSAGetLastError(), WSA_INVALID_PARAMETER);
        for (int i = 0; i < 65; i++) CHECK(WSACloseEvent(e64[i]));
        /* a wait wakes when another thread... (see ov_idle.c); a closed event is invalid */
        CHECK(WSASetEvent(e64[0]) == FALSE);
        CHECK_EQ(WSAGetLastError(), WSA_INVALID_HANDLE);
    }

    /* ---- S40: waiting on a socket handle → WAIT_FAILED / ERROR_INVALID_HANDLE ---- */
    SetLastError(0);
    CHECK_EQ(WaitForSingleObject((HANDLE)s, 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0);
    CHECK_EQ(WaitForSingleObject(port, 0), WAIT_FAILED); /* a port is not waitable either */
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);

    CHECK(CloseHandle(port));
    CHECK(WSACloseEvent(ev));
    CHECK(WSACloseEvent(unset));
    CHECK_OK(closesocket(ps));
    CHECK_OK(closesocket(ps2));
    CHECK_OK(closesocket(s));
    CHECK_OK(closesocket(rx));
    WSACleanup();
    SOFT_DONE();
    printf("ov_immediate: ok\n");
    return 0;
}
