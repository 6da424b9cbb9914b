//! The Win32 basics Windows network programs use besides Winsock (SPEC P6):
//! heap and `LocalAlloc` flags, `FormatMessage` flags and language ids,
//! winerror.h codes those calls return, HRESULTs, time structures, winmm's
//! timer codes and the CRT's error numbers. Numbers and layouts are the
//! Windows SDK's; the size/offset tests below are mirrored by
//! `_Static_assert`s in `tests/c/headers_win32.c`.

use crate::types::{DWORD, WORD};

// ---------------------------------------------------------------------------
// winerror.h codes of the Win32 calls (the Winsock ones are in consts.rs).

pub const ERROR_INVALID_FUNCTION: DWORD = 1;
pub const ERROR_PATH_NOT_FOUND: DWORD = 3;
pub const ERROR_TOO_MANY_OPEN_FILES: DWORD = 4;
pub const ERROR_INVALID_ACCESS: DWORD = 12;
pub const ERROR_OUTOFMEMORY: DWORD = 14;
pub const ERROR_HANDLE_EOF: DWORD = 38;
pub const ERROR_FILE_EXISTS: DWORD = 80;
pub const ERROR_BROKEN_PIPE: DWORD = 109;
pub const ERROR_CALL_NOT_IMPLEMENTED: DWORD = 120;
pub const ERROR_MOD_NOT_FOUND: DWORD = 126;
pub const ERROR_PROC_NOT_FOUND: DWORD = 127;
pub const ERROR_DISCARDED: DWORD = 157;
pub const ERROR_NOT_LOCKED: DWORD = 158;
pub const ERROR_ALREADY_EXISTS: DWORD = 183;
pub const ERROR_ENVVAR_NOT_FOUND: DWORD = 203;
pub const ERROR_BAD_EXE_FORMAT: DWORD = 193;
pub const ERROR_NO_WORK_DONE: DWORD = 235;
pub const ERROR_NO_MORE_ITEMS: DWORD = 259;
pub const ERROR_MR_MID_NOT_FOUND: DWORD = 317;
pub const ERROR_NOACCESS: DWORD = 998;
pub const ERROR_INVALID_FLAGS: DWORD = 1004;
pub const ERROR_NO_UNICODE_TRANSLATION: DWORD = 1113;
pub const ERROR_RESOURCE_DATA_NOT_FOUND: DWORD = 1812;
pub const ERROR_RESOURCE_TYPE_NOT_FOUND: DWORD = 1813;
pub const ERROR_RESOURCE_LANG_NOT_FOUND: DWORD = 1815;

// ---------------------------------------------------------------------------
// HRESULTs (winerror.h). HRESULT is a 32-bit signed value, as on Windows.

pub type HRESULT = i32;

pub const FACILITY_WIN32: u32 = 7;
pub const S_OK: HRESULT = 0;
pub const S_FALSE: HRESULT = 1;
pub const E_NOTIMPL: HRESULT = 0x8000_4001_u32 as HRESULT;
pub const E_NOINTERFACE: HRESULT = 0x8000_4002_u32 as HRESULT;
pub const E_POINTER: HRESULT = 0x8000_4003_u32 as HRESULT;
pub const E_ABORT: HRESULT = 0x8000_4004_u32 as HRESULT;
pub const E_FAIL: HRESULT = 0x8000_4005_u32 as HRESULT;
pub const E_UNEXPECTED: HRESULT = 0x8000_FFFF_u32 as HRESULT;
pub const E_ACCESSDENIED: HRESULT = 0x8007_0005_u32 as HRESULT;
pub const E_HANDLE: HRESULT = 0x8007_0006_u32 as HRESULT;
pub const E_OUTOFMEMORY: HRESULT = 0x8007_000E_u32 as HRESULT;
pub const E_INVALIDARG: HRESULT = 0x8007_0057_u32 as HRESULT;

/// `HRESULT_FROM_WIN32(x)`: codes above 0 become `0x8007xxxx`.
pub const fn hresult_from_win32(code: DWORD) -> HRESULT {
    if code as HRESULT <= 0 {
        code as HRESULT
    } else {
        ((code & 0xFFFF) | (FACILITY_WIN32 << 16) | 0x8000_0000) as HRESULT
    }
}

/// The Win32 code inside an HRESULT of `FACILITY_WIN32` (`FormatMessage`
/// accepts those as message ids, `format_msg.c` test_message_from_hmodule).
pub const fn win32_of_hresult(id: DWORD) -> Option<DWORD> {
    if id & 0xFFFF_0000 == 0x8007_0000 {
        Some(id & 0xFFFF)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Heaps and Local/Global memory (heapapi.h, winbase.h).

pub const HEAP_NO_SERIALIZE: DWORD = 0x0000_0001;
pub const HEAP_GROWABLE: DWORD = 0x0000_0002;
pub const HEAP_GENERATE_EXCEPTIONS: DWORD = 0x0000_0004;
pub const HEAP_ZERO_MEMORY: DWORD = 0x0000_0008;
pub const HEAP_REALLOC_IN_PLACE_ONLY: DWORD = 0x0000_0010;
pub const HEAP_CREATE_ENABLE_EXECUTE: DWORD = 0x0004_0000;

pub const LMEM_FIXED: u32 = 0x0000;
pub const LMEM_MOVEABLE: u32 = 0x0002;
pub const LMEM_NOCOMPACT: u32 = 0x0010;
pub const LMEM_NODISCARD: u32 = 0x0020;
pub const LMEM_ZEROINIT: u32 = 0x0040;
pub const LMEM_MODIFY: u32 = 0x0080;
pub const LMEM_DISCARDABLE: u32 = 0x0F00;
pub const LMEM_VALID_FLAGS: u32 = 0x0F72;
pub const LPTR: u32 = LMEM_FIXED | LMEM_ZEROINIT;
pub const LHND: u32 = LMEM_MOVEABLE | LMEM_ZEROINIT;
pub const GMEM_FIXED: u32 = 0x0000;
pub const GMEM_MOVEABLE: u32 = 0x0002;
pub const GMEM_ZEROINIT: u32 = 0x0040;
pub const GMEM_VALID_FLAGS: u32 = 0x7F72;
pub const GPTR: u32 = GMEM_FIXED | GMEM_ZEROINIT;
pub const GHND: u32 = GMEM_MOVEABLE | GMEM_ZEROINIT;

/// `MEMORY_ALLOCATION_ALIGNMENT` on 64-bit Windows: every heap block is a
/// multiple of it (heap.c test_HeapCreate).
pub const MEMORY_ALLOCATION_ALIGNMENT: usize = 16;

// ---------------------------------------------------------------------------
// FormatMessage (winbase.h) and language ids (winnt.h).

pub const FORMAT_MESSAGE_ALLOCATE_BUFFER: DWORD = 0x0000_0100;
pub const FORMAT_MESSAGE_IGNORE_INSERTS: DWORD = 0x0000_0200;
pub const FORMAT_MESSAGE_FROM_STRING: DWORD = 0x0000_0400;
pub const FORMAT_MESSAGE_FROM_HMODULE: DWORD = 0x0000_0800;
pub const FORMAT_MESSAGE_FROM_SYSTEM: DWORD = 0x0000_1000;
pub const FORMAT_MESSAGE_ARGUMENT_ARRAY: DWORD = 0x0000_2000;
pub const FORMAT_MESSAGE_MAX_WIDTH_MASK: DWORD = 0x0000_00FF;

pub const LANG_NEUTRAL: WORD = 0x00;
pub const LANG_INVARIANT: WORD = 0x7f;
pub const LANG_ENGLISH: WORD = 0x09;
pub const SUBLANG_NEUTRAL: WORD = 0x00;
pub const SUBLANG_DEFAULT: WORD = 0x01;
pub const SUBLANG_SYS_DEFAULT: WORD = 0x02;
pub const SUBLANG_ENGLISH_US: WORD = 0x01;

/// `MAKELANGID(p, s)`.
pub const fn make_lang_id(primary: WORD, sub: WORD) -> WORD {
    (sub << 10) | primary
}
/// `PRIMARYLANGID(l)`.
pub const fn primary_lang_id(lang: WORD) -> WORD {
    lang & 0x3ff
}
/// `SUBLANGID(l)`.
pub const fn sub_lang_id(lang: WORD) -> WORD {
    lang >> 10
}

pub const LANG_USER_DEFAULT: WORD = make_lang_id(LANG_NEUTRAL, SUBLANG_DEFAULT);
pub const LANG_SYSTEM_DEFAULT: WORD = make_lang_id(LANG_NEUTRAL, SUBLANG_SYS_DEFAULT);

// ---------------------------------------------------------------------------
// Time (minwinbase.h, winnt.h) and winmm's timer (mmsystem.h, timeapi.h).

/// `FILETIME`: 100-nanosecond intervals since 1601-01-01 00:00 UTC, in two
/// DWORDs (8 bytes, 4-aligned).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FILETIME {
    pub dwLowDateTime: DWORD,
    pub dwHighDateTime: DWORD,
}

impl FILETIME {
    pub const fn from_u64(v: u64) -> FILETIME {
        FILETIME {
            dwLowDateTime: v as DWORD,
            dwHighDateTime: (v >> 32) as DWORD,
        }
    }
    pub const fn as_u64(&self) -> u64 {
        ((self.dwHighDateTime as u64) << 32) | self.dwLowDateTime as u64
    }
}

/// `SYSTEM_INFO` (sysinfoapi.h, 48 bytes on x64). The leading union of
/// `dwOemId` and `{ wProcessorArchitecture, wReserved }` is kept as its two
/// WORDs.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SYSTEM_INFO {
    pub wProcessorArchitecture: WORD,
    pub wReserved: WORD,
    pub dwPageSize: DWORD,
    pub lpMinimumApplicationAddress: *mut core::ffi::c_void,
    pub lpMaximumApplicationAddress: *mut core::ffi::c_void,
    pub dwActiveProcessorMask: usize,
    pub dwNumberOfProcessors: DWORD,
    pub dwProcessorType: DWORD,
    pub dwAllocationGranularity: DWORD,
    pub wProcessorLevel: WORD,
    pub wProcessorRevision: WORD,
}

/// `PROCESSOR_ARCHITECTURE_AMD64`.
pub const PROCESSOR_ARCHITECTURE_AMD64: WORD = 9;
/// `PROCESSOR_ARCHITECTURE_ARM64`.
pub const PROCESSOR_ARCHITECTURE_ARM64: WORD = 12;
/// `PROCESSOR_AMD_X8664`, the `dwProcessorType` of x64 Windows.
pub const PROCESSOR_AMD_X8664: DWORD = 8664;
/// `PROCESSOR_ARM`, what ARM64 Windows reports as `dwProcessorType`.
pub const PROCESSOR_ARM: DWORD = 0;

/// `SYSTEMTIME`: eight WORDs (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SYSTEMTIME {
    pub wYear: WORD,
    pub wMonth: WORD,
    pub wDayOfWeek: WORD,
    pub wDay: WORD,
    pub wHour: WORD,
    pub wMinute: WORD,
    pub wSecond: WORD,
    pub wMilliseconds: WORD,
}

/// 100-ns units between 1601-01-01 and 1970-01-01: (369·365 + 89) days
/// (kernel32 time.c uses the same constant).
pub const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;

/// `SYSTEMTIME` ⇄ `FILETIME` for dates from 1601 to 30827 (the range
/// `FileTimeToSystemTime` accepts: a `FILETIME` whose high bit is set is
/// invalid, kernel32 time.c test_FileTimeToSystemTime).
pub fn system_time_of_file_time(ft: u64) -> Option<SYSTEMTIME> {
    if ft > i64::MAX as u64 {
        return None;
    }
    let ms_total = ft / 10_000;
    let days = (ms_total / 86_400_000) as i64;
    let ms_of_day = ms_total % 86_400_000;
    // Days since 1601-01-01 (a Monday) → civil date.
    let (y, m, d) = civil_from_days(days - DAYS_1601_TO_1970);
    Some(SYSTEMTIME {
        wYear: y as WORD,
        wMonth: m as WORD,
        wDayOfWeek: ((days + 1) % 7) as WORD,
        wDay: d as WORD,
        wHour: (ms_of_day / 3_600_000) as WORD,
        wMinute: (ms_of_day / 60_000 % 60) as WORD,
        wSecond: (ms_of_day / 1000 % 60) as WORD,
        wMilliseconds: (ms_of_day % 1000) as WORD,
    })
}

/// The `FILETIME` of a `SYSTEMTIME`; `None` for a field out of range or a
/// date before 1601 (time.c test_SystemTimeToFileTime: 1600-12-31 fails).
/// `wDayOfWeek` is ignored, as Windows ignores it.
pub fn file_time_of_system_time(st: &SYSTEMTIME) -> Option<u64> {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let (y, m, d) = (st.wYear as i64, st.wMonth as i64, st.wDay as i64);
    const DAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1601..=30827).contains(&y) || !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let month_days = DAYS[(m - 1) as usize] + i64::from(m == 2 && leap(y));
    if d > month_days
        || st.wHour > 23
        || st.wMinute > 59
        || st.wSecond > 59
        || st.wMilliseconds > 999
    {
        return None;
    }
    let days = days_from_civil(y, m, d) + DAYS_1601_TO_1970;
    let ms = days as u64 * 86_400_000
        + st.wHour as u64 * 3_600_000
        + st.wMinute as u64 * 60_000
        + st.wSecond as u64 * 1000
        + st.wMilliseconds as u64;
    Some(ms * 10_000)
}

const DAYS_1601_TO_1970: i64 = 134_774;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// well-known civil-calendar algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `MMRESULT` values of the timer calls.
pub type MMRESULT = u32;
pub const TIMERR_NOERROR: MMRESULT = 0;
pub const MMSYSERR_ERROR: MMRESULT = 1;
pub const MMSYSERR_INVALPARAM: MMRESULT = 11;
pub const TIMERR_NOCANDO: MMRESULT = 97;
pub const TIMERR_STRUCT: MMRESULT = 129;

/// `TIMECAPS { UINT wPeriodMin; UINT wPeriodMax; }`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TIMECAPS {
    pub wPeriodMin: u32,
    pub wPeriodMax: u32,
}

/// The periods `timeBeginPeriod`/`timeEndPeriod` accept, in milliseconds:
/// what `timeGetDevCaps` reports (1 ms to 1,000,000 ms, Windows' values).
pub const TIMER_PERIOD_MIN: u32 = 1;
pub const TIMER_PERIOD_MAX: u32 = 1_000_000;

/// `QueryPerformanceFrequency`: 10 MHz, what Windows 10 and later report,
/// so a program's arithmetic sees the numbers it sees there.
pub const PERFORMANCE_FREQUENCY: i64 = 10_000_000;

// ---------------------------------------------------------------------------
// Threads and events (processthreadsapi.h, synchapi.h, winnt.h).

/// `SECURITY_ATTRIBUTES` (24 bytes): accepted and ignored by `CreateThread`
/// and `CreateEvent` (no security descriptors, nothing to inherit).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SECURITY_ATTRIBUTES {
    pub nLength: DWORD,
    pub lpSecurityDescriptor: *mut core::ffi::c_void,
    pub bInheritHandle: i32,
}

/// `QueueUserAPC` on a thread that has ended.
pub const ERROR_GEN_FAILURE: DWORD = 31;
/// `STILL_ACTIVE`: the exit code of a running thread (= `STATUS_PENDING`).
pub const STILL_ACTIVE: DWORD = 0x103;
/// `CreateThread`'s flags.
pub const CREATE_SUSPENDED: DWORD = 0x0000_0004;
pub const STACK_SIZE_PARAM_IS_A_RESERVATION: DWORD = 0x0001_0000;
/// `CreateEventEx`'s flags.
pub const CREATE_EVENT_MANUAL_RESET: DWORD = 0x0000_0001;
pub const CREATE_EVENT_INITIAL_SET: DWORD = 0x0000_0002;
/// Access rights of an event (accepted; every handle may do everything).
pub const SYNCHRONIZE: DWORD = 0x0010_0000;
pub const EVENT_MODIFY_STATE: DWORD = 0x0002;
pub const EVENT_ALL_ACCESS: DWORD = 0x001F_0003;
/// `CreateMutexEx`'s flag, and the access rights of mutexes and
/// semaphores (accepted, as an event's are).
pub const CREATE_MUTEX_INITIAL_OWNER: DWORD = 0x0000_0001;
pub const MUTEX_MODIFY_STATE: DWORD = 0x0001;
pub const MUTEX_ALL_ACCESS: DWORD = 0x001F_0001;
pub const SEMAPHORE_MODIFY_STATE: DWORD = 0x0002;
pub const SEMAPHORE_ALL_ACCESS: DWORD = 0x001F_0003;
/// `ReleaseSemaphore` past the maximum count.
pub const ERROR_TOO_MANY_POSTS: DWORD = 298;

// ---------------------------------------------------------------------------
// The Microsoft C runtime: error numbers and limits (errno.h, stdlib.h).

/// Microsoft's `STRUNCATE` (80). Linux has no such errno (80 is ELIBBAD
/// there); it is only ever a return value, never stored in `errno`.
pub const STRUNCATE: i32 = 80;
/// `_TRUNCATE` as the count of `strncpy_s`/`_snprintf_s`.
pub const TRUNCATE: usize = usize::MAX;
/// `_NLSCMPERROR`: what `_stricmp`/`_strnicmp` return for a NULL argument.
pub const NLSCMPERROR: i32 = i32::MAX;

/// io.h's `_O_*` open flags (Windows values; `_open` translates them to
/// Linux's). In a module of their own: the names are Linux's too.
pub mod open_flags {
    pub const O_RDONLY: i32 = 0x0000;
    pub const O_WRONLY: i32 = 0x0001;
    pub const O_RDWR: i32 = 0x0002;
    pub const O_APPEND: i32 = 0x0008;
    pub const O_CREAT: i32 = 0x0100;
    pub const O_TRUNC: i32 = 0x0200;
    pub const O_EXCL: i32 = 0x0400;
    pub const O_TEXT: i32 = 0x4000;
    pub const O_BINARY: i32 = 0x8000;
    pub const O_WTEXT: i32 = 0x10000;
    pub const O_U16TEXT: i32 = 0x20000;
    pub const O_U8TEXT: i32 = 0x40000;
    pub const O_NOINHERIT: i32 = 0x0080;
    pub const O_TEMPORARY: i32 = 0x0040;
    pub const O_SHORT_LIVED: i32 = 0x1000;
    pub const O_SEQUENTIAL: i32 = 0x0020;
    pub const O_RANDOM: i32 = 0x0010;
}

// ---------------------------------------------------------------------------
// Synchronisation objects in the program's memory (synchapi.h, winnt.h).

/// `SleepConditionVariableCS`/`SRW` ran out of time.
pub const ERROR_TIMEOUT: DWORD = 1460;
/// A lock released (or slept on) by a thread that does not hold it.
pub const ERROR_NOT_OWNER: DWORD = 288;
/// `SleepConditionVariableSRW`: the lock is held shared.
pub const CONDITION_VARIABLE_LOCKMODE_SHARED: DWORD = 0x1;
/// `InitOnceBeginInitialize`/`InitOnceComplete` flags.
pub const INIT_ONCE_CHECK_ONLY: DWORD = 0x1;
pub const INIT_ONCE_ASYNC: DWORD = 0x2;
pub const INIT_ONCE_INIT_FAILED: DWORD = 0x4;
/// The low bits of an `INIT_ONCE` that hold its state, never context.
pub const INIT_ONCE_CTX_RESERVED_BITS: u32 = 2;

/// `RTL_CRITICAL_SECTION` (`CRITICAL_SECTION`), 40 bytes on x64, with
/// Windows' field names and offsets: programs and debuggers read
/// `OwningThread` (the owner's thread id), `RecursionCount` and
/// `LockCount` (-1 when free).
#[repr(C)]
#[derive(Debug)]
pub struct RTL_CRITICAL_SECTION {
    pub DebugInfo: *mut core::ffi::c_void,
    pub LockCount: i32,
    pub RecursionCount: i32,
    pub OwningThread: *mut core::ffi::c_void,
    pub LockSemaphore: *mut core::ffi::c_void,
    pub SpinCount: usize,
}

/// `SRWLOCK`, `CONDITION_VARIABLE` and `INIT_ONCE` (`RTL_RUN_ONCE`): one
/// pointer-sized word each, all-zero when initialised (`SRWLOCK_INIT`,
/// `CONDITION_VARIABLE_INIT`, `INIT_ONCE_STATIC_INIT`).
#[repr(C)]
#[derive(Debug)]
pub struct SRWLOCK {
    pub Ptr: *mut core::ffi::c_void,
}
pub type CONDITION_VARIABLE = SRWLOCK;
pub type INIT_ONCE = SRWLOCK;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn layouts_are_windows() {
        // P6: minwinbase.h / mmsystem.h layouts.
        assert_eq!((size_of::<FILETIME>(), align_of::<FILETIME>()), (8, 4));
        assert_eq!(offset_of!(FILETIME, dwHighDateTime), 4);
        assert_eq!(size_of::<SYSTEMTIME>(), 16);
        assert_eq!(
            (size_of::<SYSTEM_INFO>(), align_of::<SYSTEM_INFO>()),
            (48, 8)
        );
        assert_eq!(offset_of!(SYSTEM_INFO, dwPageSize), 4);
        assert_eq!(offset_of!(SYSTEM_INFO, dwActiveProcessorMask), 24);
        assert_eq!(offset_of!(SYSTEM_INFO, dwNumberOfProcessors), 32);
        assert_eq!(offset_of!(SYSTEM_INFO, wProcessorRevision), 46);
        assert_eq!(offset_of!(SYSTEMTIME, wDayOfWeek), 4);
        assert_eq!(offset_of!(SYSTEMTIME, wMilliseconds), 14);
        assert_eq!(size_of::<TIMECAPS>(), 8);
        assert_eq!(size_of::<SECURITY_ATTRIBUTES>(), 24);
        assert_eq!(offset_of!(SECURITY_ATTRIBUTES, lpSecurityDescriptor), 8);
        assert_eq!(offset_of!(SECURITY_ATTRIBUTES, bInheritHandle), 16);
        // synchapi.h / winnt.h (mirrored in tests/c/headers_win32.c).
        assert_eq!(size_of::<RTL_CRITICAL_SECTION>(), 40);
        assert_eq!(offset_of!(RTL_CRITICAL_SECTION, DebugInfo), 0);
        assert_eq!(offset_of!(RTL_CRITICAL_SECTION, LockCount), 8);
        assert_eq!(offset_of!(RTL_CRITICAL_SECTION, RecursionCount), 12);
        assert_eq!(offset_of!(RTL_CRITICAL_SECTION, OwningThread), 16);
        assert_eq!(offset_of!(RTL_CRITICAL_SECTION, LockSemaphore), 24);
        assert_eq!(offset_of!(RTL_CRITICAL_SECTION, SpinCount), 32);
        assert_eq!((size_of::<SRWLOCK>(), align_of::<SRWLOCK>()), (8, 8));
    }

    #[test]
    fn macros_have_windows_values() {
        // P6: winnt.h MAKELANGID and winerror.h HRESULT_FROM_WIN32.
        assert_eq!(LANG_USER_DEFAULT, 0x0400);
        assert_eq!(LANG_SYSTEM_DEFAULT, 0x0800);
        assert_eq!(make_lang_id(LANG_ENGLISH, SUBLANG_ENGLISH_US), 0x0409);
        assert_eq!(primary_lang_id(0x0409), LANG_ENGLISH);
        assert_eq!(sub_lang_id(0x0409), SUBLANG_ENGLISH_US);
        assert_eq!(hresult_from_win32(122) as u32, 0x8007_007A);
        assert_eq!(hresult_from_win32(0), 0);
        assert_eq!(hresult_from_win32(87), E_INVALIDARG);
        assert_eq!(win32_of_hresult(0x8007_0005), Some(5));
        assert_eq!(win32_of_hresult(E_FAIL as u32), None);
    }

    #[test]
    fn file_times_match_kernel32_time_c() {
        // P6: time.c's check values (test_FileTimeToSystemTime and friends).
        let st = |y, mo, d, h, mi| SYSTEMTIME {
            wYear: y,
            wMonth: mo,
            wDay: d,
            wHour: h,
            wMinute: mi,
            ..SYSTEMTIME::default()
        };
        assert_eq!(
            file_time_of_system_time(&st(1980, 1, 1, 0, 0)),
            Some(0x01A8_E79F_E1D5_8000)
        );
        assert_eq!(
            file_time_of_system_time(&st(2002, 5, 1, 12, 0)),
            Some(0x01C1_F107_B82B_6000)
        );
        assert_eq!(
            file_time_of_system_time(&st(1970, 1, 1, 0, 0)),
            Some(FILETIME_UNIX_EPOCH)
        );
        assert_eq!(file_time_of_system_time(&st(1600, 12, 31, 0, 0)), None);
        assert_eq!(file_time_of_system_time(&st(2001, 2, 29, 0, 0)), None);
        assert_eq!(file_time_of_system_time(&st(2000, 2, 29, 24, 0)), None);
        let zero = system_time_of_file_time(0).unwrap();
        assert_eq!((zero.wYear, zero.wMonth, zero.wDay), (1601, 1, 1));
        assert_eq!(zero.wDayOfWeek, 1, "1601-01-01 was a Monday");
        assert_eq!(system_time_of_file_time(u64::MAX), None);
        let t = system_time_of_file_time(0x01C1_F107_B82B_6000 + 1234 * 10_000).unwrap();
        assert_eq!(
            (
                t.wYear,
                t.wMonth,
                t.wDay,
                t.wHour,
                t.wSecond,
                t.wMilliseconds
            ),
            (2002, 5, 1, 12, 1, 234)
        );
        assert_eq!(t.wDayOfWeek, 3, "2002-05-01 was a Wednesday");
        for ft in [
            0u64,
            1,
            FILETIME_UNIX_EPOCH,
            0x01C1_F107_B82B_6000,
            0x7FFF_0000_0000_0000,
        ] {
            let ft = ft / 10_000 * 10_000; // SYSTEMTIME holds milliseconds
            let st = system_time_of_file_time(ft).unwrap();
            assert_eq!(file_time_of_system_time(&st), Some(ft), "{st:?}");
        }
    }
}
