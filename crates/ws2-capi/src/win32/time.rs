//! Time: `GetTickCount(64)`, `QueryPerformanceCounter/Frequency`,
//! `GetSystemTimeAsFileTime` (100 ns since 1601), `GetSystemTime`,
//! `GetLocalTime`, `FileTimeToSystemTime`, `SystemTimeToFileTime`, and
//! winmm's `timeGetTime`/`timeBeginPeriod`/`timeEndPeriod`/`timeGetDevCaps`.
//!
//! - The tick counts are milliseconds since boot, suspend included
//!   (`CLOCK_BOOTTIME`); the 32-bit ones wrap after 49.7 days as Windows'
//!   do (kernel32 time.c test_GetTickCount brackets it by the system tick).
//! - The performance counter is `CLOCK_MONOTONIC` at 10 MHz, the frequency
//!   Windows 10 reports; it never fails for a valid pointer.
//! - Linux timers already have 1 ms resolution or better, so
//!   `timeBeginPeriod` changes nothing; it and `timeEndPeriod` check the
//!   period as winmm does (timer.c): 1 to 1,000,000 ms, else
//!   `TIMERR_NOCANDO`.

use ws2_abi::*;

use super::{set_last_error, win32};

fn clock(id: libc::clockid_t) -> libc::timespec {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-pointer; these clocks always exist on Linux.
    unsafe { libc::clock_gettime(id, &mut ts) };
    ts
}

fn millis_since_boot() -> u64 {
    let ts = clock(libc::CLOCK_BOOTTIME);
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}

/// The current time as a `FILETIME` value (100 ns units since 1601).
fn now_file_time() -> u64 {
    let ts = clock(libc::CLOCK_REALTIME);
    FILETIME_UNIX_EPOCH
        .wrapping_add_signed(ts.tv_sec * 10_000_000)
        .wrapping_add(ts.tv_nsec as u64 / 100)
}

#[unsafe(no_mangle)]
pub extern "C" fn GetTickCount() -> DWORD {
    millis_since_boot() as DWORD
}

#[unsafe(no_mangle)]
pub extern "C" fn GetTickCount64() -> u64 {
    millis_since_boot()
}

/// # Safety
/// `count` is NULL or a writable `LARGE_INTEGER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn QueryPerformanceCounter(count: *mut i64) -> BOOL {
    if count.is_null() {
        set_last_error(ERROR_NOACCESS);
        return 0;
    }
    let ts = clock(libc::CLOCK_MONOTONIC);
    let ticks = ts.tv_sec * PERFORMANCE_FREQUENCY + ts.tv_nsec / 100;
    // SAFETY: count is writable per the contract (alignment not assumed).
    unsafe { count.write_unaligned(ticks) };
    1
}

/// # Safety
/// `freq` is NULL or a writable `LARGE_INTEGER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn QueryPerformanceFrequency(freq: *mut i64) -> BOOL {
    if freq.is_null() {
        set_last_error(ERROR_NOACCESS);
        return 0;
    }
    // SAFETY: freq is writable per the contract.
    unsafe { freq.write_unaligned(PERFORMANCE_FREQUENCY) };
    1
}

/// # Safety
/// `ft` is a writable `FILETIME`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetSystemTimeAsFileTime(ft: *mut FILETIME) {
    if !ft.is_null() {
        // SAFETY: ft is writable per the contract.
        unsafe { ft.write_unaligned(FILETIME::from_u64(now_file_time())) };
    }
}

/// `GetSystemTimePreciseAsFileTime`: the same clock (Linux's realtime clock
/// is already precise to the nanosecond).
///
/// # Safety
/// `ft` is a writable `FILETIME`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetSystemTimePreciseAsFileTime(ft: *mut FILETIME) {
    // SAFETY: forwarded contract.
    unsafe { GetSystemTimeAsFileTime(ft) }
}

/// # Safety
/// `st` is a writable `SYSTEMTIME`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetSystemTime(st: *mut SYSTEMTIME) {
    if let (false, Some(t)) = (st.is_null(), system_time_of_file_time(now_file_time())) {
        // SAFETY: st is writable per the contract.
        unsafe { st.write_unaligned(t) };
    }
}

/// `GetLocalTime`: the system time moved by the local zone's offset at
/// this moment (`localtime_r`, which reads `TZ` and `/etc/localtime`).
///
/// # Safety
/// `st` is a writable `SYSTEMTIME`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetLocalTime(st: *mut SYSTEMTIME) {
    if st.is_null() {
        return;
    }
    let now = now_file_time();
    let secs = ((now - FILETIME_UNIX_EPOCH) / 10_000_000) as libc::time_t;
    // SAFETY: plain data; zero is a valid tm.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to a time_t and a tm.
    let offset = if unsafe { libc::localtime_r(&secs, &mut tm) }.is_null() {
        0
    } else {
        tm.tm_gmtoff
    };
    let local = now.wrapping_add_signed(offset * 10_000_000);
    if let Some(t) = system_time_of_file_time(local) {
        // SAFETY: st is writable per the contract.
        unsafe { st.write_unaligned(t) };
    }
}

/// `FileTimeToSystemTime`: FALSE with `ERROR_INVALID_PARAMETER` for a time
/// with the high bit set (time.c test_FileTimeToSystemTime).
///
/// # Safety
/// `ft` readable, `st` writable (NULL fails with `ERROR_NOACCESS`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FileTimeToSystemTime(ft: *const FILETIME, st: *mut SYSTEMTIME) -> BOOL {
    win32(0, || {
        if ft.is_null() || st.is_null() {
            return Err(ERROR_NOACCESS);
        }
        // SAFETY: ft is readable per the contract.
        let v = unsafe { ft.read_unaligned() }.as_u64();
        let t = system_time_of_file_time(v).ok_or(ERROR_INVALID_PARAMETER)?;
        // SAFETY: st is writable per the contract.
        unsafe { st.write_unaligned(t) };
        Ok(1)
    })
}

/// `SystemTimeToFileTime`: FALSE with `ERROR_INVALID_PARAMETER` for a field
/// out of range or a date before 1601 (time.c test_SystemTimeToFileTime).
///
/// # Safety
/// `st` readable, `ft` writable (NULL fails with `ERROR_NOACCESS`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SystemTimeToFileTime(st: *const SYSTEMTIME, ft: *mut FILETIME) -> BOOL {
    win32(0, || {
        if ft.is_null() || st.is_null() {
            return Err(ERROR_NOACCESS);
        }
        // SAFETY: st is readable per the contract.
        let t = unsafe { st.read_unaligned() };
        let v = file_time_of_system_time(&t).ok_or(ERROR_INVALID_PARAMETER)?;
        // SAFETY: ft is writable per the contract.
        unsafe { ft.write_unaligned(FILETIME::from_u64(v)) };
        Ok(1)
    })
}

// ---------------------------------------------------------------------------
// winmm (mmsystem.h / timeapi.h)

#[unsafe(no_mangle)]
pub extern "C" fn timeGetTime() -> DWORD {
    millis_since_boot() as DWORD
}

fn check_period(period: u32) -> MMRESULT {
    if (TIMER_PERIOD_MIN..=TIMER_PERIOD_MAX).contains(&period) {
        TIMERR_NOERROR
    } else {
        TIMERR_NOCANDO
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn timeBeginPeriod(period: u32) -> MMRESULT {
    check_period(period)
}

#[unsafe(no_mangle)]
pub extern "C" fn timeEndPeriod(period: u32) -> MMRESULT {
    check_period(period)
}

/// `timeGetDevCaps`: `TIMERR_NOCANDO` for a NULL or short structure (one of
/// the answers winmm timer.c accepts from Windows).
///
/// # Safety
/// `caps` is NULL or writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn timeGetDevCaps(caps: *mut TIMECAPS, size: u32) -> MMRESULT {
    if caps.is_null() || (size as usize) < std::mem::size_of::<TIMECAPS>() {
        return TIMERR_NOCANDO;
    }
    // SAFETY: caps is writable for at least sizeof(TIMECAPS) bytes.
    unsafe {
        caps.write_unaligned(TIMECAPS {
            wPeriodMin: TIMER_PERIOD_MIN,
            wPeriodMax: TIMER_PERIOD_MAX,
        })
    };
    TIMERR_NOERROR
}
