/* tutorial_pool: a UDP sender run by a pool of worker threads, built the
 * way multi-threaded Windows servers (Microsoft's IOCP server sample among
 * them) build theirs: workers started with _beginthreadex that take work
 * from a completion port (PostQueuedCompletionStatus /
 * GetQueuedCompletionStatus), shared state under a CRITICAL_SECTION,
 * counters kept with InterlockedIncrement, the destination resolved once
 * by whichever worker needs it first (InitOnceExecuteOnce), read-mostly
 * settings under an SRWLOCK, and the main thread waiting for the last job
 * on a CONDITION_VARIABLE (SleepConditionVariableCS).
 *
 *   tutorial_pool HOST PORT [COUNT [WORKERS]]
 *
 * Sends COUNT datagrams (default 20) "job i of COUNT", each from one of
 * WORKERS threads (default 4), then "quit". Exits 0 when every datagram
 * was sent and the workers' own counts add up.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/tutorial_pool.c \
 *      $(pkg-config --cflags --libs ws2_32) -o tutorial_pool
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <process.h>
#include <strsafe.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#pragma comment(lib, "Ws2_32.lib")

#define MAX_WORKERS 16
#define TEXT_LEN 64
#define KEY_JOB 1
#define KEY_QUIT 0

/* Settings the workers read (shared) and main may change (exclusive). */
typedef struct _SETTINGS {
    const char *Host;
    const char *Port;
    int Count;
} SETTINGS;

static SETTINGS g_Settings;
static SRWLOCK g_SettingsLock = SRWLOCK_INIT;

static HANDLE g_hPort;                    /* the work queue */
static SOCKET g_Socket = INVALID_SOCKET;
static INIT_ONCE g_ResolveOnce = INIT_ONCE_STATIC_INIT;

static CRITICAL_SECTION g_StatsLock;      /* guards the two below */
static CONDITION_VARIABLE g_AllDone = CONDITION_VARIABLE_INIT;
static int g_JobsDone;
static DWORD g_SentBy[MAX_WORKERS];

static volatile LONG g_Sent;              /* Interlocked */
static volatile LONG g_Failures;          /* Interlocked */

/* Prints "<what> failed with error N: <system text>". */
static void PrintError(LPCSTR what, DWORD error)
{
    LPSTR text = NULL;
    if (FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                           FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_MAX_WIDTH_MASK,
                       NULL, error, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), (LPSTR)&text, 0,
                       NULL) == 0) {
        printf("%s failed with error %lu\n", what, (unsigned long)error);
        return;
    }
    printf("%s failed with error %lu: %s\n", what, (unsigned long)error, text);
    LocalFree(text);
}

/* Runs once: resolves the destination and makes the socket. The context
 * handed back is the addrinfo (its low two bits are clear, as INIT_ONCE
 * requires). */
static BOOL CALLBACK ResolveDestination(PINIT_ONCE InitOnce, PVOID Parameter, PVOID *Context)
{
    struct addrinfo hints, *result = NULL;
    const char *host, *port;
    int iResult;

    UNREFERENCED_PARAMETER(InitOnce);
    UNREFERENCED_PARAMETER(Parameter);
    AcquireSRWLockShared(&g_SettingsLock);
    host = g_Settings.Host;
    port = g_Settings.Port;
    ReleaseSRWLockShared(&g_SettingsLock);

    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    iResult = getaddrinfo(host, port, &hints, &result);
    if (iResult != 0) {
        PrintError("getaddrinfo", (DWORD)iResult);
        return FALSE;
    }
    g_Socket = socket(result->ai_family, result->ai_socktype, result->ai_protocol);
    if (g_Socket == INVALID_SOCKET) {
        PrintError("socket", WSAGetLastError());
        freeaddrinfo(result);
        return FALSE;
    }
    printf("thread %lu resolved %s port %s\n", (unsigned long)GetCurrentThreadId(), host, port);
    *Context = result;
    return TRUE;
}

/* A worker: sends each job it takes from the port; returns how many it
 * sent. */
static unsigned __stdcall WorkerThread(void *lpParam)
{
    int index = (int)(INT_PTR)lpParam;
    unsigned sent = 0;

    for (;;) {
        DWORD dwJob = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED lpOverlapped = NULL;
        PVOID context = NULL;
        struct addrinfo *destination;
        char text[TEXT_LEN];
        int count;
        size_t len;

        if (!GetQueuedCompletionStatus(g_hPort, &dwJob, &key, &lpOverlapped, INFINITE)) {
            PrintError("GetQueuedCompletionStatus", GetLastError());
            return sent;
        }
        if (key == KEY_QUIT)
            return sent;

        AcquireSRWLockShared(&g_SettingsLock);
        count = g_Settings.Count;
        ReleaseSRWLockShared(&g_SettingsLock);
        if (!InitOnceExecuteOnce(&g_ResolveOnce, ResolveDestination, NULL, &context)) {
            InterlockedIncrement(&g_Failures);
        } else {
            destination = (struct addrinfo *)context;
            StringCchPrintfA(text, TEXT_LEN, "job %lu of %d", (unsigned long)dwJob, count);
            StringCchLengthA(text, TEXT_LEN, &len);
            if (sendto(g_Socket, text, (int)len, 0, destination->ai_addr,
                       (int)destination->ai_addrlen) == SOCKET_ERROR) {
                PrintError("sendto", WSAGetLastError());
                InterlockedIncrement(&g_Failures);
            } else {
                InterlockedIncrement(&g_Sent);
                sent++;
            }
        }

        EnterCriticalSection(&g_StatsLock);
        g_SentBy[index] = sent;
        if (++g_JobsDone == count)
            WakeAllConditionVariable(&g_AllDone);
        LeaveCriticalSection(&g_StatsLock);
    }
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    HANDLE hThreads[MAX_WORKERS];
    PVOID context = NULL;
    DWORD dwExitCode, total = 0;
    int i, count = 20, workers = 4, iResult, failures = 0;

    if (argc < 3) {
        printf("usage: %s host port [count [workers]]\n", argv[0]);
        return 1;
    }
    if (argc > 3)
        count = atoi(argv[3]);
    if (argc > 4)
        workers = atoi(argv[4]);
    if (count < 1 || workers < 1 || workers > MAX_WORKERS) {
        printf("count must be at least 1 and workers 1 to %d\n", MAX_WORKERS);
        return 1;
    }

    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }

    AcquireSRWLockExclusive(&g_SettingsLock);
    g_Settings.Host = argv[1];
    g_Settings.Port = argv[2];
    g_Settings.Count = count;
    ReleaseSRWLockExclusive(&g_SettingsLock);

    if (!InitializeCriticalSectionAndSpinCount(&g_StatsLock, 4000)) {
        PrintError("InitializeCriticalSectionAndSpinCount", GetLastError());
        return 1;
    }
    g_hPort = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (g_hPort == NULL) {
        PrintError("CreateIoCompletionPort", GetLastError());
        return 1;
    }

    for (i = 0; i < workers; i++) {
        hThreads[i] = (HANDLE)_beginthreadex(NULL, 0, WorkerThread, (void *)(INT_PTR)i, 0, NULL);
        if (hThreads[i] == NULL) {
            printf("_beginthreadex failed with errno %d\n", errno);
            return 1;
        }
    }

    /* The jobs: the number travels as the transfer count. */
    for (i = 1; i <= count; i++) {
        if (!PostQueuedCompletionStatus(g_hPort, (DWORD)i, KEY_JOB, NULL)) {
            PrintError("PostQueuedCompletionStatus", GetLastError());
            failures++;
        }
    }

    /* Wait (at most 20 s) until every job is done. */
    EnterCriticalSection(&g_StatsLock);
    while (g_JobsDone < count) {
        if (!SleepConditionVariableCS(&g_AllDone, &g_StatsLock, 20000)) {
            if (GetLastError() == ERROR_TIMEOUT)
                printf("only %d of %d jobs were done in time\n", g_JobsDone, count);
            else
                PrintError("SleepConditionVariableCS", GetLastError());
            failures++;
            break;
        }
    }
    LeaveCriticalSection(&g_StatsLock);

    /* One quit per worker, then wait for them all. */
    for (i = 0; i < workers; i++)
        PostQueuedCompletionStatus(g_hPort, 0, KEY_QUIT, NULL);
    if (WaitForMultipleObjects((DWORD)workers, hThreads, TRUE, 20000) != WAIT_OBJECT_0) {
        PrintError("WaitForMultipleObjects", GetLastError());
        return 1;
    }
    for (i = 0; i < workers; i++) {
        if (!GetExitCodeThread(hThreads[i], &dwExitCode))
            PrintError("GetExitCodeThread", GetLastError());
        else if (dwExitCode != g_SentBy[i])
            failures++;
        total += dwExitCode;
        CloseHandle(hThreads[i]);
    }
    printf("the pool sent %ld datagrams (workers' own counts add up to %lu), %ld failures\n",
           (long)g_Sent, (unsigned long)total, (long)g_Failures);

    /* The closing "quit" for the receiver, from the resolved destination. */
    if (InitOnceExecuteOnce(&g_ResolveOnce, ResolveDestination, NULL, &context)) {
        struct addrinfo *destination = (struct addrinfo *)context;
        sendto(g_Socket, "quit", 4, 0, destination->ai_addr, (int)destination->ai_addrlen);
        freeaddrinfo(destination);
    }

    closesocket(g_Socket);
    CloseHandle(g_hPort);
    DeleteCriticalSection(&g_StatsLock);
    WSACleanup();
    return failures == 0 && g_Failures == 0 && g_Sent == count && total == (DWORD)count ? 0 : 1;
}
