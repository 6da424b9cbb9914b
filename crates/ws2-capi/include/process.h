/*
 * process.h -- the Microsoft C runtime's threads: _beginthreadex,
 * _endthreadex, _beginthread and _endthread (SPEC P6).  Their threads are
 * CreateThread's: _beginthreadex returns the thread's HANDLE (as a
 * uintptr_t) for WaitForSingleObject/WaitForMultipleObjects,
 * GetExitCodeThread and CloseHandle, which the caller must call;
 * _beginthread's thread closes its own handle when it ends (do not wait
 * on it), and returns (uintptr_t)-1 on failure where _beginthreadex
 * returns 0.  A NULL start address goes through the invalid-parameter
 * handler (see ws2_crt.h), then errno is EINVAL; a thread that cannot be
 * made sets errno to EAGAIN.  _endthreadex/_endthread end the calling
 * thread like ExitThread (not from a completion routine or APC).
 *
 * process.h's other names (_getpid, the _exec and _spawn families) are not
 * provided.
 */
#ifndef WS2_PROCESS_H
#define WS2_PROCESS_H

#include "windows.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef __cdecl
#define __cdecl
#endif
#ifndef __stdcall
#define __stdcall
#endif

typedef unsigned (__stdcall *_beginthreadex_proc_type)(void *);
typedef void (__cdecl *_beginthread_proc_type)(void *);

uintptr_t __cdecl _beginthreadex(void *_Security, unsigned _StackSize,
                                 _beginthreadex_proc_type _StartAddress, void *_ArgList,
                                 unsigned _InitFlag, unsigned *_ThrdAddr);
__attribute__((noreturn)) void __cdecl _endthreadex(unsigned _ReturnCode);
uintptr_t __cdecl _beginthread(_beginthread_proc_type _StartAddress, unsigned _StackSize,
                               void *_ArgList);
__attribute__((noreturn)) void __cdecl _endthread(void);

#ifdef __cplusplus
}
#endif

#endif /* WS2_PROCESS_H */
