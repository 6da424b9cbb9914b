/* tutorial_pacer: a paced UDP sender as games and media programs write one
 * for Windows: winmm's timeBeginPeriod(1) for a 1 ms Sleep, timeGetTime to
 * schedule each send, GetSystemTimeAsFileTime to stamp it, the Microsoft C
 * runtime's sprintf_s and strcpy_s, and <windows.h> without
 * WIN32_LEAN_AND_MEAN, which brings in mmsystem.h and Winsock itself.
 *
 *   tutorial_pacer HOST PORT [COUNT [INTERVAL_MS]]
 *
 * Sends COUNT datagrams (default 5), one every INTERVAL_MS (default 20),
 * each "tick i at <FILETIME>", then "quit"; prints how long the run took
 * and exits 0 when every send succeeded.
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/tutorial_pacer.c \
 *      $(pkg-config --cflags --libs ws2_32) -lwinmm -o tutorial_pacer
 */
#include <windows.h>
#include <ws2tcpip.h>
#include <stdio.h>

#pragma comment(lib, "Ws2_32.lib")
#pragma comment(lib, "winmm.lib")

static void PrintError(LPCSTR what, DWORD error)
{
    char text[256];
    if (FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                           FORMAT_MESSAGE_MAX_WIDTH_MASK,
                       NULL, error, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), text,
                       sizeof(text), NULL) == 0)
        strcpy_s(text, sizeof(text), "(no message)");
    printf("%s failed with error %lu: %s\n", what, (unsigned long)error, text);
}

int main(int argc, char **argv)
{
    WSADATA wsaData;
    SOCKET s;
    SOCKADDR_STORAGE to;
    int tolen = sizeof(to), count = 5, failures = 0, i;
    DWORD interval = 20, start, next;
    TIMECAPS tc;
    char msg[128];

    if (argc < 3) {
        printf("usage: %s host port [count [interval_ms]]\n", argv[0]);
        return 1;
    }
    if (argc > 3)
        count = atoi(argv[3]);
    if (argc > 4)
        interval = (DWORD)atoi(argv[4]);

    if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0) {
        printf("WSAStartup failed\n");
        return 1;
    }
    sprintf_s(msg, sizeof(msg), "%s:%s", argv[1], argv[2]);
    ZeroMemory(&to, sizeof(to));
    if (WSAStringToAddressA(msg, AF_INET, NULL, (LPSOCKADDR)&to, &tolen) == SOCKET_ERROR) {
        PrintError("WSAStringToAddress", WSAGetLastError());
        WSACleanup();
        return 1;
    }
    s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET) {
        PrintError("socket", WSAGetLastError());
        WSACleanup();
        return 1;
    }

    /* The finest timer period the system offers, for the Sleep below. */
    if (timeGetDevCaps(&tc, sizeof(tc)) != TIMERR_NOERROR || timeBeginPeriod(tc.wPeriodMin) != TIMERR_NOERROR) {
        printf("timeBeginPeriod failed\n");
        closesocket(s);
        WSACleanup();
        return 1;
    }

    start = next = timeGetTime();
    for (i = 1; i <= count + 1; i++) {
        FILETIME ft;
        ULARGE_INTEGER stamp;
        DWORD now = timeGetTime();
        if ((LONG)(next - now) > 0)
            Sleep(next - now);
        next += interval;
        GetSystemTimeAsFileTime(&ft);
        stamp.LowPart = ft.dwLowDateTime;
        stamp.HighPart = ft.dwHighDateTime;
        if (i <= count)
            sprintf_s(msg, sizeof(msg), "tick %d at %llu", i, stamp.QuadPart);
        else
            strcpy_s(msg, sizeof(msg), "quit");
        if (sendto(s, msg, (int)strlen(msg), 0, (SOCKADDR *)&to, tolen) == SOCKET_ERROR) {
            PrintError("sendto", WSAGetLastError());
            failures++;
        }
    }
    printf("sent %d ticks in %lu ms (every %lu ms)\n", count, (unsigned long)(timeGetTime() - start),
           (unsigned long)interval);

    timeEndPeriod(tc.wPeriodMin);
    closesocket(s);
    WSACleanup();
    return failures == 0 ? 0 : 1;
}
