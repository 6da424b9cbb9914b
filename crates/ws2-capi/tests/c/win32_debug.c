/* Debugging calls (P6): OutputDebugStringA/W, IsDebuggerPresent and
 * DebugBreak, as a Windows server uses them: trace lines for a debugger,
 * a check whether one is attached, a breakpoint on a "can't happen" path.
 *
 * Windows' answers: Microsoft's OutputDebugString page (the text goes to
 * the debugger; with none, nothing visible happens), IsDebuggerPresent
 * page, DebugBreak page (a breakpoint exception: a debugger stops, without
 * one the process ends).  ws2's rule for OutputDebugString: stderr only
 * with WS2_DEBUG_OUTPUT=stderr (the harness runs both ways).
 *
 * Modes: none (the calls; the harness reads stderr), "break" (DebugBreak:
 * the process must end by SIGTRAP), "wait-debugger" (waits up to 10 s for
 * the harness to attach as a tracer). */
#include <windows.h>
#include <stdio.h>

#include "common.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "break") == 0) {
        printf("breaking\n");
        fflush(stdout);
        DebugBreak();
        printf("still running\n");
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "wait-debugger") == 0) {
        DWORD start = GetTickCount();
        printf("waiting\n");
        fflush(stdout);
        while (!IsDebuggerPresent()) {
            if (GetTickCount() - start > 10000) {
                printf("no debugger\n");
                return 1;
            }
            Sleep(10);
        }
        printf("debugger seen\n");
        return 0;
    }

    /* P6: IsDebuggerPresent page: FALSE when no debugger is attached;
     * the calls leave the last error alone. */
    SetLastError(0xdeadbeef);
    CHECK(!IsDebuggerPresent());
    OutputDebugStringA("ws2 debug A\n");
    OutputDebugString("ws2 debug TCHAR\n");
    {
        /* WCHARs as a Windows source spells them with L"" (32-bit wchar_t
         * here, so spelled out) */
        static const WCHAR wide[] = {'w', 's', '2', ' ', 'd', 'e', 'b', 'u', 'g', ' ', 'W', ' ',
                                     0x00e9, 0x20ac, '\n', 0};
        OutputDebugStringW(wide);
    }
    OutputDebugStringA(NULL);
    OutputDebugStringW(NULL);
    CHECK_EQ(GetLastError(), 0xdeadbeef);
    printf("done\n");
    return 0;
}
