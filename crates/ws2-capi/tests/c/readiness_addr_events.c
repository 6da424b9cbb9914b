/* P1 P5: FD_ADDRESS_LIST_CHANGE through WSAEventSelect. A non-blocking
 * socket arms it with SIO_ADDRESS_LIST_CHANGE (WSAEWOULDBLOCK), and the
 * next address change records it once (sock.c test_sioAddressListChange;
 * Microsoft's WSAEventSelect page: re-enabled by SIO_ADDRESS_LIST_CHANGE).
 * Run in a test host whose harness adds the IPv4 address this program
 * prints after "add " (argv[1]: the first three octets of its subnet). */
#include "readiness.h"

static const char *subnet;
static int next_host = 10;

static void ask_for_a_new_address(void)
{
    printf("add %s.%d/24\n", subnet, next_host++);
    fflush(stdout);
}

static void arm(SOCKET s)
{
    DWORD size = 0;
    CHECK_ERR(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &size, NULL, NULL),
              WSAEWOULDBLOCK);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SUBNET (like 10.61.1)\n", argv[0]);
        return 2;
    }
    subnet = argv[1];
    startup();
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    SOCKET quiet = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    WSAEVENT ev = WSACreateEvent(), quiet_ev = WSACreateEvent();
    WSANETWORKEVENTS ne;

    /* WSAEventSelect makes the sockets non-blocking, so the ioctl arms. */
    CHECK_OK(WSAEventSelect(s, ev, FD_ADDRESS_LIST_CHANGE));
    CHECK_OK(WSAEventSelect(quiet, quiet_ev, FD_READ));
    arm(s);
    arm(quiet);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);

    ask_for_a_new_address();
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 10000, FALSE), WSA_WAIT_EVENT_0);
    memset(&ne, 0xcc, sizeof ne);
    CHECK_OK(WSAEnumNetworkEvents(s, ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_ADDRESS_LIST_CHANGE);
    CHECK_EQ(ne.iErrorCode[FD_ADDRESS_LIST_CHANGE_BIT], 0);
    CHECK_EQ((unsigned)ne.iErrorCode[FD_READ_BIT], 0xccccccccu);

    /* Recorded for the socket that did not select it, not signalled; its
     * selection reports it. */
    CHECK_EQ(WSAWaitForMultipleEvents(1, &quiet_ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    CHECK_OK(WSAEventSelect(quiet, quiet_ev, FD_READ | FD_ADDRESS_LIST_CHANGE));
    CHECK_EQ(WSAWaitForMultipleEvents(1, &quiet_ev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK_OK(WSAEnumNetworkEvents(quiet, quiet_ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_ADDRESS_LIST_CHANGE);

    /* Once per arming: the next change records nothing... */
    ask_for_a_new_address();
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, FALSE), WSA_WAIT_TIMEOUT);
    /* ...until SIO_ADDRESS_LIST_CHANGE re-enables it. */
    arm(s);
    ask_for_a_new_address();
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 10000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_OK(WSAEnumNetworkEvents(s, ev, &ne));
    CHECK_EQ(ne.lNetworkEvents, FD_ADDRESS_LIST_CHANGE);

    WSACloseEvent(ev);
    WSACloseEvent(quiet_ev);
    closesocket(s);
    closesocket(quiet);
    WSACleanup();
    printf("readiness_addr_events: ok\n");
    return 0;
}
