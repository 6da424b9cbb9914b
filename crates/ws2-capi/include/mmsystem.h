/*
 * mmsystem.h -- winmm's timer calls network programs use: timeGetTime
 * (milliseconds since boot, wrapping after 49.7 days like GetTickCount),
 * timeBeginPeriod/timeEndPeriod (1 to 1,000,000 ms, else TIMERR_NOCANDO;
 * Linux timers need no raising, so they change nothing) and timeGetDevCaps.
 * Newer SDKs declare these in timeapi.h, which is this header too.  The
 * functions are in libws2_32: -lwinmm links it.  windows.h includes this
 * header unless WIN32_LEAN_AND_MEAN is defined, as Windows' does.
 */
#ifndef WS2_MMSYSTEM_H
#define WS2_MMSYSTEM_H

#include "windows.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef UINT MMRESULT;

#define MMSYSERR_BASE       0
#define TIMERR_BASE         96
#define MMSYSERR_NOERROR    0
#define MMSYSERR_ERROR      (MMSYSERR_BASE + 1)
#define MMSYSERR_INVALPARAM (MMSYSERR_BASE + 11)
#define TIMERR_NOERROR      (0)
#define TIMERR_NOCANDO      (TIMERR_BASE + 1)
#define TIMERR_STRUCT       (TIMERR_BASE + 33)

typedef struct timecaps_tag {
    UINT wPeriodMin;
    UINT wPeriodMax;
} TIMECAPS, *PTIMECAPS, *NPTIMECAPS, *LPTIMECAPS;

DWORD    WINAPI timeGetTime(void);
MMRESULT WINAPI timeBeginPeriod(UINT uPeriod);
MMRESULT WINAPI timeEndPeriod(UINT uPeriod);
MMRESULT WINAPI timeGetDevCaps(LPTIMECAPS ptc, UINT cbtc);

#ifdef __cplusplus
}
#endif

#endif /* WS2_MMSYSTEM_H */
