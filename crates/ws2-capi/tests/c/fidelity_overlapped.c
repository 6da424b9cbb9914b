/* WSAGetOverlappedResult as Windows answers it: the status table (every
 * status of the ranges Windows was swept with), the invalid socket, NULL
 * lpdwFlags, and fWait on a signalled event. The Windows record is Wine's
 * Windows-run dlls/ws2_32/tests/sock.c test_WSAGetOverlappedResult (and
 * test_ip_pktinfo for NULL lpdwFlags). Clauses: S31, S32, S41, SPEC G. */
#include "common.h"

#define SENTINEL 0xdeadbeefu

/* Windows' mapping (test_WSAGetOverlappedResult's map_status). */
static DWORD map_status(DWORD status)
{
    static const struct {
        DWORD status;
        DWORD error;
    } errors[] = {
        {0x00000103, ERROR_IO_INCOMPLETE},  /* STATUS_PENDING */
        {0x80000005, WSAEMSGSIZE},          /* STATUS_BUFFER_OVERFLOW */
        {0xC0000002, WSAEOPNOTSUPP},        /* STATUS_NOT_IMPLEMENTED */
        {0xC0000005, WSAEFAULT},            /* STATUS_ACCESS_VIOLATION */
        {0xC0000007, WSAENOBUFS},           /* STATUS_PAGEFILE_QUOTA */
        {0xC0000008, WSAENOTSOCK},          /* STATUS_INVALID_HANDLE */
        {0xC000000E, WSAENETDOWN},          /* STATUS_NO_SUCH_DEVICE */
        {0xC000000F, WSAENETDOWN},          /* STATUS_NO_SUCH_FILE */
        {0xC0000017, WSAENOBUFS},           /* STATUS_NO_MEMORY */
        {0xC0000018, WSAENOBUFS},           /* STATUS_CONFLICTING_ADDRESSES */
        {0xC0000022, WSAEACCES},            /* STATUS_ACCESS_DENIED */
        {0xC0000023, WSAEFAULT},            /* STATUS_BUFFER_TOO_SMALL */
        {0xC0000024, WSAENOTSOCK},          /* STATUS_OBJECT_TYPE_MISMATCH */
        {0xC0000034, WSAENETDOWN},          /* STATUS_OBJECT_NAME_NOT_FOUND */
        {0xC000003A, WSAENETDOWN},          /* STATUS_OBJECT_PATH_NOT_FOUND */
        {0xC0000043, WSAEADDRINUSE},        /* STATUS_SHARING_VIOLATION */
        {0xC0000044, WSAENOBUFS},           /* STATUS_QUOTA_EXCEEDED */
        {0xC0000097, WSAENOBUFS},           /* STATUS_TOO_MANY_PAGING_FILES */
        {0xC000009A, WSAENOBUFS},           /* STATUS_INSUFFICIENT_RESOURCES */
        {0xC00000A1, WSAENOBUFS},           /* STATUS_WORKING_SET_QUOTA */
        {0xC00000A3, WSAEWOULDBLOCK},       /* STATUS_DEVICE_NOT_READY */
        {0xC00000B0, WSAESHUTDOWN},         /* STATUS_PIPE_DISCONNECTED */
        {0xC00000B5, WSAETIMEDOUT},         /* STATUS_IO_TIMEOUT */
        {0xC00000BB, WSAEOPNOTSUPP},        /* STATUS_NOT_SUPPORTED */
        {0xC00000BC, WSAECONNREFUSED},      /* STATUS_REMOTE_NOT_LISTENING */
        {0xC00000BE, WSAENETUNREACH},       /* STATUS_BAD_NETWORK_PATH */
        {0xC00000BF, WSAENETDOWN},          /* STATUS_NETWORK_BUSY */
        {0xC00000C3, WSAENETDOWN},          /* STATUS_INVALID_NETWORK_RESPONSE */
        {0xC00000C4, WSAENETDOWN},          /* STATUS_UNEXPECTED_NETWORK_ERROR */
        {0xC00000D0, WSAEWOULDBLOCK},       /* STATUS_REQUEST_NOT_ACCEPTED */
        {0xC0000120, ERROR_OPERATION_ABORTED}, /* STATUS_CANCELLED */
        {0xC000012D, WSAENOBUFS},           /* STATUS_COMMITMENT_LIMIT */
        {0xC000013B, WSAECONNABORTED},      /* STATUS_LOCAL_DISCONNECT */
        {0xC000013C, WSAECONNRESET},        /* STATUS_REMOTE_DISCONNECT */
        {0xC000013D, WSAENOBUFS},           /* STATUS_REMOTE_RESOURCES */
        {0xC000013E, WSAECONNRESET},        /* STATUS_LINK_FAILED */
        {0xC000013F, WSAETIMEDOUT},         /* STATUS_LINK_TIMEOUT */
        {0xC0000140, WSAENOTCONN},          /* STATUS_INVALID_CONNECTION */
        {0xC0000141, WSAEADDRNOTAVAIL},     /* STATUS_INVALID_ADDRESS */
        {0xC0000206, WSAEMSGSIZE},          /* STATUS_INVALID_BUFFER_SIZE */
        {0xC0000207, WSAEADDRNOTAVAIL},     /* STATUS_INVALID_ADDRESS_COMPONENT */
        {0xC0000209, WSAENOBUFS},           /* STATUS_TOO_MANY_ADDRESSES */
        {0xC000020A, WSAEADDRINUSE},        /* STATUS_ADDRESS_ALREADY_EXISTS */
        {0xC000020C, WSAECONNRESET},        /* STATUS_CONNECTION_DISCONNECTED */
        {0xC000020D, WSAECONNRESET},        /* STATUS_CONNECTION_RESET */
        {0xC000020F, WSAECONNABORTED},      /* STATUS_TRANSACTION_ABORTED */
        {0xC0000236, WSAECONNREFUSED},      /* STATUS_CONNECTION_REFUSED */
        {0xC0000237, WSAEDISCON},           /* STATUS_GRACEFUL_DISCONNECT */
        {0xC000023B, WSAEISCONN},           /* STATUS_CONNECTION_ACTIVE */
        {0xC000023C, WSAENETUNREACH},       /* STATUS_NETWORK_UNREACHABLE */
        {0xC000023D, WSAEHOSTUNREACH},      /* STATUS_HOST_UNREACHABLE */
        {0xC000023E, WSAENETUNREACH},       /* STATUS_PROTOCOL_UNREACHABLE */
        {0xC000023F, WSAECONNRESET},        /* STATUS_PORT_UNREACHABLE */
        {0xC0000240, WSAEINTR},             /* STATUS_REQUEST_ABORTED */
        {0xC0000241, WSAECONNABORTED},      /* STATUS_CONNECTION_ABORTED */
        {0xC00002C5, WSAEFAULT},            /* STATUS_DATATYPE_MISALIGNMENT_ERROR */
        {0xC0000350, WSAEHOSTDOWN},         /* STATUS_HOST_DOWN */
        {0x80070000 | ERROR_IO_INCOMPLETE, ERROR_IO_INCOMPLETE},
        {0xC0010000 | ERROR_IO_INCOMPLETE, ERROR_IO_INCOMPLETE},
        {0xC0070000 | ERROR_IO_INCOMPLETE, ERROR_IO_INCOMPLETE},
    };
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].status == status) return errors[i].error;
    return (status & 0x80000000) == 0 ? 0 : WSAEINVAL;
}

static void status_table(SOCKET s)
{
    static const DWORD ranges[][2] = {
        {0x0, 0x10000},           {0x40000000, 0x40001000}, {0x80000000, 0x80001000},
        {0x80070000, 0x80080000}, {0xC0000000, 0xC0001000}, {0xC0070000, 0xC0080000},
        {0xD0000000, 0xD0001000}, {0xD0070000, 0xD0080000},
    };
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.InternalHigh = 7;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (DWORD status = ranges[r][0]; status < ranges[r][1]; status++) {
            BOOL expect_ret = (status & 0x80000000) == 0 && status != 0x103;
            DWORD size = 0, flags = SENTINEL;
            ov.Internal = status;
            WSASetLastError((int)SENTINEL);
            BOOL ret = WSAGetOverlappedResult(s, &ov, &size, FALSE, &flags);
            if (ret != expect_ret || (DWORD)WSAGetLastError() != map_status(status)) {
                fprintf(stderr, "status %#lx: got %d / %d, expected %d / %lu\n",
                        (unsigned long)status, ret, WSAGetLastError(), expect_ret,
                        (unsigned long)map_status(status));
                exit(1);
            }
            /* The count is written either way; the flags only on success. */
            if (status != 0x103) CHECK_EQ(size, 7);
            if (!ret) CHECK_EQ(flags, SENTINEL);
        }
    }
}

int main(void)
{
    startup();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD size, flags;
    CHECK_EQ(WSAGetOverlappedResult((SOCKET)0xdeadbeef, &ov, &size, FALSE, &flags), FALSE);
    CHECK_EQ(WSAGetLastError(), WSAENOTSOCK);

    SOCKET s;
    CHECK_SOCKET(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    status_table(s);

    /* NULL lpdwFlags is accepted (test_ip_pktinfo, test_TransmitFile). */
    memset(&ov, 0, sizeof ov);
    ov.InternalHigh = 5;
    size = 0;
    CHECK_EQ(WSAGetOverlappedResult(s, &ov, &size, FALSE, NULL), TRUE);
    CHECK_EQ(size, 5);

    /* fWait with Internal still STATUS_PENDING and hEvent already set:
     * Windows waits on the event, not alertably, and trusts it. */
    memset(&ov, 0, sizeof ov);
    ov.Internal = 0x103;
    ov.hEvent = WSACreateEvent();
    WSASetEvent(ov.hEvent);
    CHECK_EQ(WSAGetOverlappedResult(s, &ov, &size, TRUE, &flags), TRUE);
    WSACloseEvent(ov.hEvent);

    /* A real send's completion: flags are those of a successful call. */
    SOCKADDR_STORAGE bound;
    SOCKET rx = udp_receiver("127.0.0.1", &bound);
    char data[4] = "data";
    WSABUF b = {sizeof data, data};
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    int r = WSASendTo(s, &b, 1, NULL, 0, (SOCKADDR *)&bound, sizeof(SOCKADDR_IN), &ov, NULL);
    CHECK(r == 0 || WSAGetLastError() == WSA_IO_PENDING);
    CHECK_EQ(WSAGetOverlappedResult(s, &ov, &size, TRUE, &flags), TRUE);
    CHECK_EQ(size, sizeof data);
    WSACloseEvent(ov.hEvent);
    closesocket(rx);
    closesocket(s);
    WSACleanup();
    puts("fidelity_overlapped: ok");
    return 0;
}
