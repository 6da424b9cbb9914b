/* The last error after success (S41): the kernel32-style calls (waits,
 * completion ports, CloseHandle, WSACloseEvent/WSASetEvent/WSAResetEvent,
 * HasOverlappedIoCompleted, SetFileCompletionNotificationModes) leave it
 * untouched when they succeed, also when a wait times out; Winsock calls
 * keep setting it to 0; failures set the documented code.
 * The Windows record: Wine's kernel32 tests, sync.c test_WaitForSingleObject
 * (a sentinel survives WAIT_OBJECT_0 and WAIT_TIMEOUT, WAIT_FAILED sets
 * ERROR_INVALID_HANDLE), and ws2_32 sock.c test_completion_port (a
 * successful GetQueuedCompletionStatus leaves 0xdeadbeef in place).
 * Clauses: S41 (also S31, S36, S40). */
#include "common.h"

#define SENTINEL 0xdeadbeefu

int main(void)
{
    startup();
    HANDLE bogus = (HANDLE)(ULONG_PTR)0xdeadbee0;

    /* Winsock calls set 0 on success. */
    WSAEVENT ev;
    SetLastError(SENTINEL);
    ev = WSACreateEvent();
    CHECK(ev != WSA_INVALID_EVENT);
    CHECK_EQ(GetLastError(), 0);
    SOCKET s;
    SetLastError(SENTINEL);
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_EQ(GetLastError(), 0);

    /* Events and the wait functions. */
    KEEPS(WSAResetEvent(ev), TRUE);
    KEEPS(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    KEEPS(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    KEEPS(WSASetEvent(ev), TRUE);
    KEEPS(WSAWaitForMultipleEvents(1, &ev, TRUE, 0, TRUE), WSA_WAIT_EVENT_0);
    KEEPS(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    KEEPS(WaitForSingleObjectEx(ev, 0, TRUE), WAIT_OBJECT_0);
    KEEPS(WaitForMultipleObjects(1, &ev, FALSE, 0), WAIT_OBJECT_0);
    KEEPS(WaitForMultipleObjectsEx(1, &ev, TRUE, 0, TRUE), WAIT_OBJECT_0);
    KEEPS(SleepEx(0, FALSE), 0);
    KEEPS(SleepEx(1, TRUE), 0);
    SetLastError(SENTINEL);
    Sleep(0);
    CHECK_EQ(GetLastError(), SENTINEL);

    SETS(WSASetEvent((WSAEVENT)bogus), FALSE, WSA_INVALID_HANDLE);
    SETS(WSAResetEvent((WSAEVENT)bogus), FALSE, WSA_INVALID_HANDLE);
    SETS(WSAWaitForMultipleEvents(0, &ev, FALSE, 0, FALSE), WSA_WAIT_FAILED,
         WSA_INVALID_PARAMETER);
    SETS(WaitForSingleObject(bogus, 0), WAIT_FAILED, ERROR_INVALID_HANDLE);
    SETS(WaitForMultipleObjectsEx(1, &bogus, FALSE, 0, FALSE), WAIT_FAILED,
         ERROR_INVALID_HANDLE);

    /* Completion ports. */
    HANDLE port;
    SetLastError(SENTINEL);
    port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    CHECK_EQ(GetLastError(), SENTINEL);
    KEEPS(CreateIoCompletionPort((HANDLE)s, port, 42, 0) == port, 1);
    KEEPS(SetFileCompletionNotificationModes((HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
          TRUE);

    WSAOVERLAPPED posted;
    memset(&posted, 0, sizeof posted);
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED got = NULL;
    KEEPS(PostQueuedCompletionStatus(port, 5, 7, &posted), TRUE);
    KEEPS(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0), TRUE);
    CHECK_EQ(bytes, 5);
    CHECK_EQ(key, 7);
    CHECK(got == &posted);
    KEEPS(PostQueuedCompletionStatus(port, 6, 8, &posted), TRUE);
    OVERLAPPED_ENTRY entries[4];
    ULONG removed = 0;
    KEEPS(GetQueuedCompletionStatusEx(port, entries, 4, &removed, 0, FALSE), TRUE);
    CHECK_EQ(removed, 1);
    CHECK_EQ(entries[0].dwNumberOfBytesTransferred, 6);
    KEEPS(HasOverlappedIoCompleted(&posted), TRUE);

    got = &posted;
    SETS(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0), FALSE, WAIT_TIMEOUT);
    CHECK(got == NULL);
    SETS(GetQueuedCompletionStatusEx(port, entries, 4, &removed, 0, FALSE), FALSE,
         WAIT_TIMEOUT);
    SETS(GetQueuedCompletionStatus(bogus, &bytes, &key, &got, 0), FALSE, ERROR_INVALID_HANDLE);
    SETS(PostQueuedCompletionStatus(bogus, 0, 0, NULL), FALSE, ERROR_INVALID_HANDLE);
    SETS(CreateIoCompletionPort(bogus, NULL, 0, 0) == NULL, 1, ERROR_INVALID_HANDLE);
    SETS(SetFileCompletionNotificationModes(bogus, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), FALSE,
         ERROR_INVALID_HANDLE);

    /* An overlapped send that completes at once: WSASendTo and
     * WSAGetOverlappedResult are Winsock calls and set 0. */
    SOCKADDR_STORAGE rx_addr;
    SOCKET rx = udp_receiver("127.0.0.1", &rx_addr);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = (HANDLE)((ULONG_PTR)ev | 1); /* no port packet */
    char data[] = "last error";
    WSABUF b;
    b.buf = data;
    b.len = sizeof data;
    DWORD sent = 0, flags = 0;
    SetLastError(SENTINEL);
    CHECK_OK(WSASendTo(s, &b, 1, &sent, 0, (SOCKADDR *)&rx_addr, sizeof(SOCKADDR_IN), &ov, NULL));
    CHECK_EQ(GetLastError(), 0);
    KEEPS(HasOverlappedIoCompleted(&ov), TRUE);
    SetLastError(SENTINEL);
    CHECK(WSAGetOverlappedResult(s, &ov, &sent, FALSE, &flags));
    CHECK_EQ(GetLastError(), 0);
    CHECK_EQ(sent, sizeof data);
    EXPECT_DGRAM(rx, data, (int)sizeof data, "127.0.0.1");

    /* Closing. */
    KEEPS(CloseHandle(port), TRUE);
    SETS(CloseHandle(port), FALSE, ERROR_INVALID_HANDLE);
    KEEPS(WSACloseEvent(ev), TRUE);
    SETS(WSACloseEvent(ev), FALSE, WSA_INVALID_HANDLE);
    KEEPS(CloseHandle((HANDLE)rx), TRUE);
    SetLastError(SENTINEL);
    CHECK_OK(closesocket(s));
    CHECK_EQ(GetLastError(), 0);

    CHECK_OK(WSACleanup());
    printf("last_error: ok\n");
    return 0;
}
