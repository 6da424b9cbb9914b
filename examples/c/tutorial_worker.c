/* tutorial_worker: a UDP sender whose sends are made by a worker thread,
 * handed work the way Microsoft's "Creating Threads" and "Using Event
 * Objects" samples hand it over: CreateThread with a ThreadProc, two
 * auto-reset events made with CreateEvent (work ready, work done),
 * WaitForSingleObject on them, and at the end WaitForSingleObject on the
 * thread handle, GetExitCodeThread and CloseHandle.
 *
 *   tutorial_worker HOST PORT [COUNT]
 *
 * The main thread writes COUNT texts (default 3) "job i of COUNT", then
 * "quit", one at a time; the worker sends each as a datagram and returns
 * the number it sent, which the main thread reads as the thread's exit
 * code. Exits 0 when every datagram was sent.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/tutorial_worker.c \
 *      $(pkg-config --cflags --libs ws2_32) -o tutorial_worker
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <strsafe.h>
#include <stdio.h>
#include <stdlib.h>

#pragma comment(lib, "Ws2_32.lib")

#define TEXT_LEN 128

/* The work the main thread hands the worker. */
typedef struct _WORK {
    SOCKET Socket;
    const struct addrinfo *Destination;
    char Text[TEXT_LEN];
    BOOL Quit;
} WORK, *PWORK;

static HANDLE ghWorkReady; /* auto-reset: one job per SetEvent */
static HANDLE ghWorkDone;  /* auto-reset: the job was sent */

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

/* The worker: waits for a job, sends it, says it is done; returns how many
 * datagrams it sent. */
static DWORD WINAPI SenderThread(LPVOID lpParam)
{
    PWORK pWork = (PWORK)lpParam;
    DWORD dwSent = 0;
    size_t len;

    for (;;) {
        DWORD dwWaitResult = WaitForSingleObject(ghWorkReady, INFINITE);
        if (dwWaitResult != WAIT_OBJECT_0) {
            PrintError("WaitForSingleObject", GetLastError());
            return dwSent;
        }
        if (pWork->Quit)
            return dwSent;
        StringCchLengthA(pWork->Text, TEXT_LEN, &len);
        if (sendto(pWork->Socket, pWork->Text, (int)len, 0, pWork->Destination->ai_addr,
                   (int)pWork->Destination->ai_addrlen) == SOCKET_ERROR)
            PrintError("sendto", WSAGetLastError());
        else
            dwSent++;
        printf("worker thread %lu sent: %s\n", (unsigned long)GetCurrentThreadId(), pWork->Text);
        if (!SetEvent(ghWorkDone)) {
            PrintError("SetEvent", GetLastError());
            return dwSent;
        }
    }
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    struct addrinfo *result = NULL, hints;
    WORK work;
    HANDLE hThread;
    DWORD dwThreadId, dwExitCode = 0;
    int iResult, i, count = 3, failures = 0;

    if (argc < 3) {
        printf("usage: %s host port [count]\n", argv[0]);
        return 1;
    }
    if (argc > 3)
        count = atoi(argv[3]);

    iResult = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (iResult != 0) {
        printf("WSAStartup failed with error: %d\n", iResult);
        return 1;
    }

    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    iResult = getaddrinfo(argv[1], argv[2], &hints, &result);
    if (iResult != 0) {
        PrintError("getaddrinfo", (DWORD)iResult);
        WSACleanup();
        return 1;
    }

    ZeroMemory(&work, sizeof(work));
    work.Destination = result;
    work.Socket = socket(result->ai_family, result->ai_socktype, result->ai_protocol);
    if (work.Socket == INVALID_SOCKET) {
        PrintError("socket", WSAGetLastError());
        freeaddrinfo(result);
        WSACleanup();
        return 1;
    }

    /* Auto-reset events, initially not signalled, without names. */
    ghWorkReady = CreateEvent(NULL, FALSE, FALSE, NULL);
    ghWorkDone = CreateEvent(NULL, FALSE, FALSE, NULL);
    if (ghWorkReady == NULL || ghWorkDone == NULL) {
        PrintError("CreateEvent", GetLastError());
        return 1;
    }

    hThread = CreateThread(NULL, 0, SenderThread, &work, 0, &dwThreadId);
    if (hThread == NULL) {
        PrintError("CreateThread", GetLastError());
        return 1;
    }
    printf("main thread %lu started worker thread %lu\n", (unsigned long)GetCurrentThreadId(),
           (unsigned long)dwThreadId);

    for (i = 1; i <= count + 1; i++) {
        if (i <= count)
            StringCchPrintfA(work.Text, TEXT_LEN, "job %d of %d", i, count);
        else
            StringCchCopyA(work.Text, TEXT_LEN, "quit");
        if (!SetEvent(ghWorkReady)) {
            PrintError("SetEvent", GetLastError());
            failures++;
            break;
        }
        if (WaitForSingleObject(ghWorkDone, 10000) != WAIT_OBJECT_0) {
            printf("the worker did not send job %d in time\n", i);
            failures++;
            break;
        }
    }

    /* Tell the worker to return, then wait for it to end. */
    work.Quit = TRUE;
    SetEvent(ghWorkReady);
    if (WaitForSingleObject(hThread, INFINITE) == WAIT_FAILED)
        PrintError("WaitForSingleObject", GetLastError());
    if (!GetExitCodeThread(hThread, &dwExitCode))
        PrintError("GetExitCodeThread", GetLastError());
    printf("the worker sent %lu datagrams\n", (unsigned long)dwExitCode);

    CloseHandle(hThread);
    CloseHandle(ghWorkReady);
    CloseHandle(ghWorkDone);
    closesocket(work.Socket);
    freeaddrinfo(result);
    WSACleanup();
    return failures == 0 && dwExitCode == (DWORD)count + 1 ? 0 : 1;
}
