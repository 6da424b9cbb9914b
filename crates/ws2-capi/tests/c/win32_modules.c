/* The process and its modules: GetCurrentProcessId, GetCurrentThreadId,
 * GetSystemInfo/GetNativeSystemInfo (x64 Windows' page size, granularity
 * and address range, Microsoft's SYSTEM_INFO page), ExitProcess, GetModuleHandle, LoadLibrary(Ex), GetProcAddress and
 * FreeLibrary for the DLLs libws2_32 stands in for (P6).
 *
 * Windows' answers: kernel32 module.c (testLoadLibraryA: trailing spaces,
 * last error untouched on success; testLoadLibraryA_Wrong: 126;
 * testGetProcAddress_Wrong: 127 for NULL, 126 for a bogus module;
 * testLoadLibraryEx: FreeLibrary of a bogus handle is 193), Microsoft's
 * LoadLibrary page (".dll" appended, case ignored).
 *
 * With an argument, the program ends through ExitProcess(argument) after
 * printing (the harness checks the exit status and that stdout was
 * flushed). */
#include <windows.h>
#include <winsock2.h>

/* GetProcAddress returns FARPROC, INT_PTR (WINAPI *)(), and programs cast
 * it to the function's type; gcc's -Wextra (-Wcast-function-type) flags
 * every such cast, as it does with MinGW's headers. This program is built
 * with -Wextra, so it says it knows. */
#pragma GCC diagnostic ignored "-Wcast-function-type"
#include <mmsystem.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

typedef int (WSAAPI *PFN_WSASTARTUP)(WORD, LPWSADATA);
typedef int (WSAAPI *PFN_WSACLEANUP)(void);
typedef u_short (WSAAPI *PFN_HTONS)(u_short);
typedef DWORD (WINAPI *PFN_TIMEGETTIME)(void);
typedef DWORD (WINAPI *PFN_GETTICKCOUNT)(void);
typedef ULONG (WINAPI *PFN_GETADAPTERSINFO)(void *, ULONG *);

static void ids(void)
{
    DWORD pid = GetCurrentProcessId(), tid = GetCurrentThreadId();
    CHECK(pid != 0 && tid != 0);
    CHECK_EQ(pid, GetCurrentProcessId());
    CHECK_EQ(tid, GetCurrentThreadId());
}

/* P6: what a server sizes its worker pool with. */
static void system_info(void)
{
    SYSTEM_INFO si, native;
    memset(&si, 0xcc, sizeof si);
    GetSystemInfo(&si);
    CHECK_EQ(si.wProcessorArchitecture, PROCESSOR_ARCHITECTURE_AMD64);
    CHECK_EQ(si.dwProcessorType, PROCESSOR_AMD_X8664);
    CHECK_EQ(si.dwPageSize, 4096);
    CHECK_EQ(si.dwAllocationGranularity, 65536);
    CHECK(si.lpMinimumApplicationAddress == (LPVOID)0x10000);
    CHECK(si.lpMaximumApplicationAddress == (LPVOID)0x7ffffffeffffULL);
    CHECK(si.dwNumberOfProcessors >= 1);
    CHECK_EQ((DWORD)__builtin_popcountll(si.dwActiveProcessorMask),
             si.dwNumberOfProcessors < 64 ? si.dwNumberOfProcessors : 64);
    CHECK(si.wProcessorLevel != 0); /* the CPU family: 6 for Intel, 0x17+ for AMD */
    memset(&native, 0, sizeof native);
    GetNativeSystemInfo(&native);
    CHECK(memcmp(&si, &native, sizeof si) == 0);
    GetSystemInfo(NULL); /* Windows would fault; ws2 writes nothing */
}

static void module_handles(void)
{
    HMODULE ws2 = GetModuleHandleA("ws2_32.dll");
    CHECK(ws2 != NULL);
    CHECK(GetModuleHandleA("WS2_32") == ws2);
    CHECK(GetModuleHandleA("Ws2_32.DLL") == ws2);
    CHECK(GetModuleHandleA("C:\\Windows\\System32\\ws2_32.dll") == ws2);
    CHECK(GetModuleHandle(NULL) != NULL); /* the program itself */
    CHECK(GetModuleHandle(NULL) != ws2);
    /* The program's module is a module: it exports nothing ws2 knows. */
    SetLastError(0xdeadbeef);
    CHECK(GetProcAddress(GetModuleHandle(NULL), "WSAStartup") == NULL);
    CHECK_EQ(GetLastError(), ERROR_PROC_NOT_FOUND);
    CHECK(GetModuleHandleA("kernel32.dll") != NULL);
    CHECK(GetModuleHandleA("mswsock.dll") != NULL);
    CHECK(GetModuleHandleA("iphlpapi") != NULL);
    CHECK(GetModuleHandleA("winmm") != NULL);
    CHECK(GetModuleHandleA("winmm") != ws2);

    SetLastError(0xdeadbeef);
    CHECK(GetModuleHandleA("ntdll.dll") == NULL);
    CHECK_EQ(GetLastError(), ERROR_MOD_NOT_FOUND);

    WCHAR wname[16];
    const char *a = "WS2_32.dll";
    for (int i = 0; (wname[i] = (WCHAR)a[i]) != 0; i++) {
    }
    CHECK(GetModuleHandleW(wname) == ws2);
    CHECK(LoadLibraryW(wname) == ws2);
}

static void load_and_look_up(void)
{
    HMODULE ws2, winmm, kernel32, iphlpapi;
    WSADATA wsa;

    SetLastError(0xdeadbeef);
    ws2 = LoadLibraryA("ws2_32.dll");
    CHECK(ws2 != NULL);
    CHECK_EQ(GetLastError(), 0xdeadbeef); /* success leaves it alone */
    CHECK(LoadLibraryA("ws2_32   ") == ws2);
    CHECK(LoadLibraryExA("ws2_32.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32) == ws2);

    /* A function looked up by name is the function the header declares. */
    SetLastError(0xdeadbeef);
    PFN_WSASTARTUP startup = (PFN_WSASTARTUP)GetProcAddress(ws2, "WSAStartup");
    CHECK(startup != NULL);
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    CHECK(startup == WSAStartup);
    CHECK_EQ(startup(MAKEWORD(2, 2), &wsa), 0);
    PFN_HTONS hs = (PFN_HTONS)GetProcAddress(ws2, "htons");
    CHECK(hs != NULL);
    CHECK(hs == htons); /* Winsock's, not glibc's */
    CHECK_EQ(hs(0x1234), 0x3412);
    PFN_WSACLEANUP cleanup = (PFN_WSACLEANUP)GetProcAddress(ws2, "WSACleanup");
    CHECK(cleanup != NULL);
    CHECK_EQ(cleanup(), 0);

    winmm = LoadLibraryA("WINMM.DLL");
    CHECK(winmm != NULL);
    PFN_TIMEGETTIME tgt = (PFN_TIMEGETTIME)GetProcAddress(winmm, "timeGetTime");
    CHECK(tgt == timeGetTime);
    CHECK(tgt() - timeGetTime() < 1000);

    kernel32 = GetModuleHandleA("kernel32");
    PFN_GETTICKCOUNT gtc = (PFN_GETTICKCOUNT)GetProcAddress(kernel32, "GetTickCount");
    CHECK(gtc == GetTickCount);
    CHECK(GetProcAddress(kernel32, "GetSystemTimePreciseAsFileTime") != NULL);

    iphlpapi = LoadLibraryA("iphlpapi.dll");
    PFN_GETADAPTERSINFO gai = (PFN_GETADAPTERSINFO)GetProcAddress(iphlpapi, "GetAdaptersInfo");
    CHECK(gai != NULL);

    /* Each module answers for its own DLL's exports; names are case-sensitive. */
    SetLastError(0xdeadbeef);
    CHECK(GetProcAddress(winmm, "WSAStartup") == NULL);
    CHECK_EQ(GetLastError(), ERROR_PROC_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(GetProcAddress(ws2, "wsastartup") == NULL);
    CHECK_EQ(GetLastError(), ERROR_PROC_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(GetProcAddress(ws2, "non_ex_call") == NULL);
    CHECK_EQ(GetLastError(), ERROR_PROC_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(GetProcAddress(GetModuleHandleA("mswsock"), "WSAStartup") == NULL);
    CHECK_EQ(GetLastError(), ERROR_PROC_NOT_FOUND);
    CHECK(GetProcAddress(GetModuleHandleA("mswsock"), "AcceptEx") != NULL); /* P8 */
    SetLastError(0xdeadbeef);
    CHECK(GetProcAddress(NULL, "non_ex_call") == NULL);
    CHECK_EQ(GetLastError(), ERROR_PROC_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(GetProcAddress((HMODULE)(UINT_PTR)0xdeadbeef, "WSAStartup") == NULL);
    CHECK_EQ(GetLastError(), ERROR_MOD_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(GetProcAddress(ws2, (LPCSTR)(UINT_PTR)115) == NULL); /* ordinals: none */
    CHECK_EQ(GetLastError(), ERROR_PROC_NOT_FOUND);

    SetLastError(0xdeadbeef);
    CHECK(LoadLibraryA("non_ex_pv.dll") == NULL);
    CHECK_EQ(GetLastError(), ERROR_MOD_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(LoadLibraryA("ws2_32.") == NULL); /* a trailing dot: no extension */
    CHECK_EQ(GetLastError(), ERROR_MOD_NOT_FOUND);
    SetLastError(0xdeadbeef);
    CHECK(LoadLibraryA("") == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    /* Our modules stay loaded: FreeLibrary succeeds and changes nothing. */
    CHECK(FreeLibrary(ws2));
    CHECK(FreeLibrary(winmm));
    CHECK(GetModuleHandleA("ws2_32") == ws2);
    SetLastError(0xdeadbeef);
    CHECK(!FreeLibrary((HMODULE)(UINT_PTR)0xdeadbeef));
    CHECK_EQ(GetLastError(), ERROR_BAD_EXE_FORMAT);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        printf("exiting through ExitProcess(%s)\n", argv[1]);
        ExitProcess((UINT)strtoul(argv[1], NULL, 10));
    }
    ids();
    system_info();
    module_handles();
    load_and_look_up();
    puts("win32_modules: ok");
    return 0;
}
