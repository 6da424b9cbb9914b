/* tutorial_winerr: prints the system message of Windows error codes, as
 * the "net helpmsg"-style helpers of Windows programs do: FormatMessage
 * with FORMAT_MESSAGE_FROM_SYSTEM, the buffer allocated by the system and
 * freed with LocalFree; an HRESULT of FACILITY_WIN32 (0x8007xxxx) reads as
 * its code; the Winsock functions are looked up by name with LoadLibrary
 * and GetProcAddress, as programs that must run without them do.
 *
 *   tutorial_winerr CODE...      (decimal, or hex with 0x)
 *
 * Prints "CODE: text" for each code and exits 0, or 1 when a code has no
 * message (FormatMessage's own error is printed then).
 *
 * Build on Linux against an installed ws2 (README.md, "Using it from C"):
 *   cc -std=c11 -Wall -Werror examples/c/tutorial_winerr.c \
 *      $(pkg-config --cflags --libs ws2_32) -o tutorial_winerr
 */
#define WIN32_LEAN_AND_MEAN

#include <windows.h>
#include <winsock2.h>
#include <stdio.h>
#include <stdlib.h>

#pragma comment(lib, "Ws2_32.lib")

typedef int (WSAAPI *LPFN_WSASTARTUP)(WORD, LPWSADATA);
typedef int (WSAAPI *LPFN_WSACLEANUP)(void);

int main(int argc, char **argv)
{
    HMODULE ws2 = LoadLibraryA("ws2_32.dll");
    LPFN_WSASTARTUP pWSAStartup;
    LPFN_WSACLEANUP pWSACleanup;
    WSADATA wsaData;
    int i, missing = 0;

    if (argc < 2) {
        printf("usage: %s code...\n", argv[0]);
        return 1;
    }
    if (ws2 == NULL) {
        printf("LoadLibrary(ws2_32.dll) failed with error %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    /* Through void (*)(void): gcc's -Wextra flags a direct cast of FARPROC. */
    pWSAStartup = (LPFN_WSASTARTUP)(void (*)(void))GetProcAddress(ws2, "WSAStartup");
    pWSACleanup = (LPFN_WSACLEANUP)(void (*)(void))GetProcAddress(ws2, "WSACleanup");
    if (pWSAStartup == NULL || pWSACleanup == NULL || pWSAStartup(MAKEWORD(2, 2), &wsaData) != 0) {
        printf("Winsock is not available\n");
        return 1;
    }

    for (i = 1; i < argc; i++) {
        DWORD code = (DWORD)strtoul(argv[i], NULL, 0);
        LPSTR text = NULL;
        DWORD len = FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                       FORMAT_MESSAGE_IGNORE_INSERTS,
                                   NULL, code, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT),
                                   (LPSTR)&text, 0, NULL);
        if (len == 0) {
            printf("%s: no message (FormatMessage failed with error %lu)\n", argv[i],
                   (unsigned long)GetLastError());
            missing++;
            continue;
        }
        printf("%s: %s", argv[i], text); /* system messages end with "\r\n" */
        LocalFree(text);
    }

    pWSACleanup();
    FreeLibrary(ws2);
    return missing == 0 ? 0 : 1;
}
