/* Time: GetTickCount(64), QueryPerformanceCounter/Frequency,
 * GetSystemTimeAsFileTime, GetSystemTime, FileTimeToSystemTime,
 * SystemTimeToFileTime, and winmm's timeGetTime/timeBeginPeriod/
 * timeEndPeriod/timeGetDevCaps (P6).
 *
 * Windows' answers: kernel32 time.c (test_GetTickCount,
 * test_GetSystemTimeAsFileTime, test_FileTimeToSystemTime,
 * test_SystemTimeToFileTime: the 1980 and 2002 check values), winmm
 * timer.c (test_timeGetDevCaps, test_timeBeginPeriod), Microsoft's
 * QueryPerformanceCounter page ("always succeeds"). */
#include <windows.h>
#include <mmsystem.h>
#include <stdio.h>
#include <time.h>

#include "common.h"

/* 100-ns units from 1601 to 1970. */
#define EPOCH_DIFF 116444736000000000ULL

static ULONGLONG u64_of(FILETIME ft)
{
    return ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static void ticks(void)
{
    DWORD t0 = GetTickCount();
    ULONGLONG t64 = GetTickCount64();
    DWORD m0 = timeGetTime();
    CHECK((DWORD)t64 - t0 < 1000); /* the same clock, 32 bits of it */
    CHECK(m0 - t0 < 1000);
    Sleep(120);
    DWORD elapsed = GetTickCount() - t0;
    CHECK(elapsed >= 100 && elapsed < 5000);
    CHECK(timeGetTime() - m0 >= 100);
    CHECK(GetTickCount64() > t64);
}

static void performance_counter(void)
{
    LARGE_INTEGER freq, a, b;
    CHECK(QueryPerformanceFrequency(&freq));
    CHECK(freq.QuadPart > 0);
    CHECK_EQ(freq.QuadPart, 10000000); /* Windows 10's value */
    CHECK(QueryPerformanceCounter(&a));
    Sleep(50);
    CHECK(QueryPerformanceCounter(&b));
    LONGLONG us = (b.QuadPart - a.QuadPart) * 1000000 / freq.QuadPart;
    CHECK(us >= 45000 && us < 5000000);
    CHECK_EQ(a.u.LowPart, a.LowPart);
}

static void system_time(void)
{
    FILETIME ft, ft2;
    SYSTEMTIME st;
    time_t before = time(NULL);
    GetSystemTimeAsFileTime(&ft);
    time_t after = time(NULL);
    ULONGLONG secs = (u64_of(ft) - EPOCH_DIFF) / 10000000;
    /* time() reads the kernel's coarse clock, updated once per tick: just
     * after a second begins it may still give the one before */
    CHECK(secs >= (ULONGLONG)before && secs <= (ULONGLONG)after + 1);

    GetSystemTimePreciseAsFileTime(&ft2);
    CHECK(u64_of(ft2) >= u64_of(ft));
    CHECK(u64_of(ft2) - u64_of(ft) < 1000000); /* within 100 ms */

    GetSystemTime(&st);
    CHECK(st.wYear >= 2024 && st.wMonth >= 1 && st.wMonth <= 12);
    CHECK(st.wDayOfWeek <= 6 && st.wHour <= 23);
    GetLocalTime(&st);
    CHECK(st.wYear >= 2024 && st.wDay >= 1 && st.wDay <= 31);
}

static void conversions(void)
{
    SYSTEMTIME st;
    FILETIME ft;

    memset(&st, 0, sizeof st);
    st.wYear = 1980;
    st.wMonth = 1;
    st.wDay = 1;
    CHECK(SystemTimeToFileTime(&st, &ft));
    CHECK_EQ(ft.dwHighDateTime, 0x01A8E79F);
    CHECK_EQ(ft.dwLowDateTime, 0xE1D58000);

    st.wYear = 2002;
    st.wMonth = 5;
    st.wDay = 1;
    st.wHour = 12;
    CHECK(SystemTimeToFileTime(&st, &ft));
    CHECK_EQ(ft.dwHighDateTime, 0x01C1F107);
    CHECK_EQ(ft.dwLowDateTime, 0xB82B6000);

    memset(&st, 0xff, sizeof st);
    CHECK(FileTimeToSystemTime(&ft, &st));
    CHECK_EQ(st.wYear, 2002);
    CHECK_EQ(st.wMonth, 5);
    CHECK_EQ(st.wDay, 1);
    CHECK_EQ(st.wDayOfWeek, 3);
    CHECK_EQ(st.wHour, 12);
    CHECK_EQ(st.wMinute, 0);
    CHECK_EQ(st.wMilliseconds, 0);

    ft.dwLowDateTime = 0;
    ft.dwHighDateTime = 0;
    CHECK(FileTimeToSystemTime(&ft, &st));
    CHECK_EQ(st.wYear, 1601);
    CHECK_EQ(st.wDayOfWeek, 1);

    ft.dwLowDateTime = 0xFFFFFFFF;
    ft.dwHighDateTime = 0xFFFFFFFF;
    SetLastError(0xdeadbeef);
    CHECK(!FileTimeToSystemTime(&ft, &st));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    memset(&st, 0, sizeof st);
    st.wYear = 1600;
    st.wMonth = 12;
    st.wDay = 31;
    SetLastError(0xdeadbeef);
    CHECK(!SystemTimeToFileTime(&st, &ft));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    st.wYear = 2001;
    st.wMonth = 2;
    st.wDay = 29;
    CHECK(!SystemTimeToFileTime(&st, &ft));
}

static void winmm_timer(void)
{
    TIMECAPS tc;
    CHECK_EQ(timeGetDevCaps(&tc, sizeof tc), TIMERR_NOERROR);
    CHECK(tc.wPeriodMin >= 1 && tc.wPeriodMin <= tc.wPeriodMax);
    CHECK_EQ(timeGetDevCaps(&tc, 0), TIMERR_NOCANDO);
    CHECK_EQ(timeGetDevCaps(NULL, sizeof tc), TIMERR_NOCANDO);

    CHECK_EQ(timeBeginPeriod(1), TIMERR_NOERROR);
    CHECK_EQ(timeEndPeriod(1), TIMERR_NOERROR);
    CHECK_EQ(timeBeginPeriod(10), TIMERR_NOERROR);
    CHECK_EQ(timeEndPeriod(10), TIMERR_NOERROR);
    CHECK_EQ(timeBeginPeriod(0), TIMERR_NOCANDO);
    CHECK_EQ(timeEndPeriod(0), TIMERR_NOCANDO);
    CHECK_EQ(timeBeginPeriod(tc.wPeriodMax + 1), TIMERR_NOCANDO);
    CHECK_EQ(TIMERR_NOCANDO, 97);
}

int main(void)
{
    ticks();
    performance_counter();
    system_time();
    conversions();
    winmm_timer();
    puts("win32_time: ok");
    return 0;
}
