/* S43 P5: address-change requests across fork. Run by the harness inside a
 * namespace host of its own, as root (it adds addresses to lo there).
 *
 * The parent has an overlapped SIO_ADDRESS_LIST_CHANGE pending when it
 * forks. In the child, that copy of the parent's request never completes
 * (not on a change, not on closesocket), while the child's own requests
 * (SIO_ADDRESS_LIST_CHANGE and NotifyAddrChange) complete on the next
 * change; the parent's request completes in the parent. */
#define _POSIX_C_SOURCE 200809L /* fork, waitpid */
#include "ov_common.h"

#include <iphlpapi.h>
#include <sys/wait.h>
#include <unistd.h>

/* One new IPv4 address on lo: an address change every process here sees. */
static void add_address(int host)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "ip address add 10.77.0.%d/32 dev lo", host);
    CHECK_EQ(system(cmd), 0);
}

static SOCKET udp_bound(void)
{
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    CHECK(s != INVALID_SOCKET);
    SOCKADDR_IN a = addr4("127.0.0.1", 0);
    CHECK_OK(bind(s, (SOCKADDR *)&a, sizeof a));
    return s;
}

static int child(SOCKET parents, WSAOVERLAPPED *parents_ov)
{
    DWORD bytes = 0;
    /* The child's own requests, made after the fork. */
    SOCKET s = udp_bound();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    CHECK_PENDING(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, &ov, NULL));
    OVERLAPPED notify;
    memset(&notify, 0, sizeof notify);
    notify.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    CHECK(notify.hEvent != NULL);
    HANDLE h = NULL;
    CHECK_EQ(NotifyAddrChange(&h, &notify), ERROR_IO_PENDING);

    add_address(2);
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
    DWORD flags = 0;
    CHECK(WSAGetOverlappedResult(s, &ov, &bytes, FALSE, &flags));
    CHECK_EQ(bytes, 0);
    CHECK_EQ(WaitForSingleObject(notify.hEvent, 5000), WAIT_OBJECT_0);

    /* The parent's request, copied into this process, stays pending: its
     * completion belongs to the parent. */
    CHECK_HEX_EQ(parents_ov->Internal, STATUS_PENDING);
    CHECK(!event_is_set(parents_ov->hEvent));
    CHECK_OK(closesocket(parents));
    Sleep(100);
    CHECK_HEX_EQ(parents_ov->Internal, STATUS_PENDING);
    CHECK(!event_is_set(parents_ov->hEvent));

    CHECK_OK(closesocket(s));
    WSACloseEvent(ov.hEvent);
    CloseHandle(notify.hEvent);
    WSACleanup();
    return 0;
}

int main(void)
{
    startup();
    DWORD bytes = 0;
    SOCKET s = udp_bound();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = new_event();
    /* The parent's source (its reader thread) is running before the fork. */
    CHECK_PENDING(WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &bytes, &ov, NULL));
    fflush(stdout);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) _exit(child(s, &ov));

    int status = 0;
    double deadline = now_ms() + 20000;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            FAIL("the fork child hung");
        }
        Sleep(5);
    }
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
    /* The child's change also completed the parent's own request, here. */
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
    CHECK_HEX_EQ(ov.Internal, STATUS_SUCCESS);
    CHECK_OK(closesocket(s));
    WSACloseEvent(ov.hEvent);
    WSACleanup();
    printf("fork_addr_change: ok\n");
    return 0;
}
