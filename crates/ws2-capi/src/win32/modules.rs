//! The process and its modules: `GetCurrentProcess`, `GetCurrentProcessId`,
//! `GetCurrentThreadId`, `ExitProcess`, `GetModuleFileNameA` (in
//! `environment.rs`), and `GetModuleHandle`/`LoadLibrary(Ex)`/
//! `GetProcAddress`/`FreeLibrary` for the DLLs whose functions libws2_32 provides
//! (`ws2_32.dll`, `mswsock.dll`, `iphlpapi.dll`, `winmm.dll`,
//! `kernel32.dll`), so programs that look functions up by name find ours.
//!
//! Names follow the loader's rules (kernel32 module.c, Microsoft's
//! LoadLibrary page): case does not matter, a path before the name and
//! trailing spaces are ignored, ".dll" is added to a name without an
//! extension (a trailing "." means none). Each module answers for the
//! functions its Windows DLL exports (`GetProcAddress(winmm, "WSAStartup")`
//! fails as on Windows); names are case-sensitive. Any other module is
//! `ERROR_MOD_NOT_FOUND` (126), an unknown function `ERROR_PROC_NOT_FOUND`
//! (127), and success leaves the last error alone. All five are in
//! libws2_32, which every program using them has loaded, so they are
//! always "loaded": `GetModuleHandle` finds them without `LoadLibrary`, and
//! `FreeLibrary` never unloads them. Exports by ordinal are not provided.

use std::ffi::{c_char, c_void};

use ws2_abi::*;

use super::{set_last_error, win32};

/// The address of each exported function, by the symbol the library
/// exports it under (the Windows name, or `ws2_<name>` for names glibc
/// also has). Declared without parameters so one declaration serves every
/// signature: it is never called, only its address is taken.
macro_rules! module_exports {
    ($fn_name:ident, $names:ident: $($name:ident $(= $sym:literal)?),* $(,)?) => {
        #[allow(non_upper_case_globals)]
        mod $fn_name {
            unsafe extern "C" {
                $(
                    $(#[link_name = $sym])?
                    pub fn $name();
                )*
            }
        }

        /// This module's exports, by Windows name.
        #[cfg_attr(not(test), allow(dead_code))]
        pub(crate) const $names: &[&str] = &[$(stringify!($name)),*];

        #[allow(unused_variables)] // a module may export nothing
        fn $fn_name(name: &[u8]) -> Option<*const c_void> {
            $(
                if name == stringify!($name).as_bytes() {
                    return Some($fn_name::$name as *const c_void);
                }
            )*
            None
        }
    };
}

module_exports!(ws2_32, WS2_32:
    WSAStartup, WSACleanup, WSAGetLastError, WSASetLastError,
    socket = "ws2_socket", WSASocketA, WSASocketW, bind = "ws2_bind",
    connect = "ws2_connect", closesocket, shutdown = "ws2_shutdown",
    setsockopt = "ws2_setsockopt", getsockopt = "ws2_getsockopt",
    getsockname = "ws2_getsockname", getpeername = "ws2_getpeername", ioctlsocket,
    send = "ws2_send", sendto = "ws2_sendto", recv = "ws2_recv", recvfrom = "ws2_recvfrom",
    WSASend, WSASendTo, WSASendMsg, WSARecv, WSARecvFrom, WSAIoctl,
    WSACreateEvent, WSACloseEvent, WSASetEvent, WSAResetEvent, WSAWaitForMultipleEvents,
    WSAGetOverlappedResult,
    select = "ws2_select", __WSAFDIsSet, WSAPoll, WSAEventSelect, WSAEnumNetworkEvents,
    listen = "ws2_listen", accept = "ws2_accept", WSAAccept,
    htons = "ws2_htons", htonl = "ws2_htonl", ntohs = "ws2_ntohs", ntohl = "ws2_ntohl",
    inet_addr = "ws2_inet_addr", inet_ntoa = "ws2_inet_ntoa",
    inet_pton = "ws2_inet_pton", inet_ntop = "ws2_inet_ntop", InetPtonW, InetNtopW,
    WSAAddressToStringA, WSAAddressToStringW, WSAStringToAddressA, WSAStringToAddressW,
    getaddrinfo = "ws2_getaddrinfo", freeaddrinfo = "ws2_freeaddrinfo",
    getnameinfo = "ws2_getnameinfo", GetAddrInfoW, FreeAddrInfoW, GetNameInfoW,
    GetAddrInfoExA, GetAddrInfoExW, FreeAddrInfoEx, FreeAddrInfoExW, GetAddrInfoExCancel,
    GetAddrInfoExOverlappedResult,
    gethostbyname = "ws2_gethostbyname", gethostbyaddr = "ws2_gethostbyaddr",
    gethostname = "ws2_gethostname", GetHostNameW,
    getservbyname = "ws2_getservbyname", getservbyport = "ws2_getservbyport",
    getprotobyname = "ws2_getprotobyname", getprotobynumber = "ws2_getprotobynumber",
    setsourcefilter = "ws2_setsourcefilter", getsourcefilter = "ws2_getsourcefilter",
    setipv4sourcefilter = "ws2_setipv4sourcefilter",
    getipv4sourcefilter = "ws2_getipv4sourcefilter",
);

module_exports!(mswsock, MSWSOCK: AcceptEx, GetAcceptExSockaddrs, TransmitFile);

module_exports!(iphlpapi, IPHLPAPI:
    GetAdaptersAddresses, GetAdaptersInfo, GetIpAddrTable, GetBestInterface,
    GetBestInterfaceEx, GetBestRoute, if_nametoindex = "ws2_if_nametoindex",
    if_indextoname = "ws2_if_indextoname", ConvertInterfaceIndexToLuid,
    ConvertInterfaceLuidToIndex, ConvertInterfaceLuidToNameA, NotifyAddrChange,
    CancelIPChangeNotify,
);

module_exports!(winmm, WINMM: timeGetTime, timeBeginPeriod, timeEndPeriod, timeGetDevCaps);

module_exports!(kernel32, KERNEL32:
    GetLastError, SetLastError, Sleep, SleepEx, WaitForSingleObject, WaitForSingleObjectEx,
    WaitForMultipleObjects, WaitForMultipleObjectsEx, CloseHandle, CreateIoCompletionPort,
    GetQueuedCompletionStatus, GetQueuedCompletionStatusEx, PostQueuedCompletionStatus,
    SetFileCompletionNotificationModes,
    GetProcessHeap, HeapCreate, HeapDestroy, HeapAlloc, HeapReAlloc, HeapSize, HeapFree,
    HeapValidate, LocalAlloc, LocalFree, LocalReAlloc, LocalSize, LocalLock, LocalUnlock,
    GlobalAlloc, GlobalFree, GlobalReAlloc, GlobalSize, GlobalLock, GlobalUnlock,
    lstrlenA, lstrlenW, lstrcpyA, lstrcpyW, lstrcpynA, lstrcpynW, lstrcatA, lstrcatW,
    lstrcmpA, lstrcmpW, lstrcmpiA, lstrcmpiW,
    GetTickCount, GetTickCount64, QueryPerformanceCounter, QueryPerformanceFrequency,
    GetSystemTimeAsFileTime, GetSystemTimePreciseAsFileTime, GetSystemTime, GetLocalTime,
    FileTimeToSystemTime, SystemTimeToFileTime,
    GetCurrentProcess, GetCurrentProcessId, GetCurrentThreadId, ExitProcess, GetSystemInfo,
    GetNativeSystemInfo, GetEnvironmentVariableA, GetEnvironmentVariableW,
    SetEnvironmentVariableA, SetEnvironmentVariableW, GetComputerNameA, GetComputerNameW,
    GetModuleFileNameA, GetModuleFileNameW, SwitchToThread, MultiByteToWideChar, WideCharToMultiByte, GetACP,
    GetOEMCP,
    SetConsoleCtrlHandler, GenerateConsoleCtrlEvent,
    GetModuleHandleA, GetModuleHandleW, LoadLibraryA, LoadLibraryW, LoadLibraryExA,
    LoadLibraryExW, GetProcAddress, FreeLibrary, FormatMessageA, FormatMessageW,
    CreateThread, ExitThread, GetExitCodeThread, GetThreadId, ResumeThread, QueueUserAPC,
    GetCurrentThread,
    CreateEventA, CreateEventW, CreateEventExA, CreateEventExW, OpenEventA, OpenEventW,
    SetEvent, ResetEvent, PulseEvent, CreateMutexA, CreateMutexW, CreateMutexExA, CreateMutexExW,
    OpenMutexA, OpenMutexW, ReleaseMutex, CreateSemaphoreA, CreateSemaphoreW, CreateSemaphoreExA,
    CreateSemaphoreExW, OpenSemaphoreA, OpenSemaphoreW, ReleaseSemaphore,
    GetOverlappedResult, CancelIo, CancelIoEx,
    InitializeCriticalSection, InitializeCriticalSectionAndSpinCount,
    InitializeCriticalSectionEx, SetCriticalSectionSpinCount, EnterCriticalSection,
    TryEnterCriticalSection, LeaveCriticalSection, DeleteCriticalSection,
    InitializeSRWLock, AcquireSRWLockExclusive, AcquireSRWLockShared,
    TryAcquireSRWLockExclusive, TryAcquireSRWLockShared, ReleaseSRWLockExclusive,
    ReleaseSRWLockShared, InitializeConditionVariable, SleepConditionVariableCS,
    SleepConditionVariableSRW, WakeConditionVariable, WakeAllConditionVariable,
    InitOnceInitialize, InitOnceExecuteOnce, InitOnceBeginInitialize, InitOnceComplete,
    VirtualAlloc, VirtualFree, VirtualProtect, VirtualQuery,
    OutputDebugStringA, OutputDebugStringW, IsDebuggerPresent, DebugBreak,
    InitializeSListHead, InterlockedPushEntrySList, InterlockedPopEntrySList,
    InterlockedFlushSList, QueryDepthSList, InterlockedPushListSListEx,
    GetStdHandle, SetStdHandle, WriteConsoleA, WriteConsoleW, ReadFile, WriteFile,
    GetThreadPriority, SetThreadPriority, SetThreadAffinityMask, GetProcessAffinityMask,
);

/// One of the DLLs libws2_32 stands in for.
pub(crate) struct Module {
    /// The file name, lowercase (what `LoadLibrary` names are compared with).
    pub(crate) file: &'static str,
    lookup: fn(&[u8]) -> Option<*const c_void>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) exports: &'static [&'static str],
}

/// The modules; a module's `HMODULE` is the address of its entry.
pub(crate) static MODULES: [Module; 5] = [
    Module {
        file: "ws2_32.dll",
        lookup: ws2_32,
        exports: WS2_32,
    },
    Module {
        file: "mswsock.dll",
        lookup: mswsock,
        exports: MSWSOCK,
    },
    Module {
        file: "iphlpapi.dll",
        lookup: iphlpapi,
        exports: IPHLPAPI,
    },
    Module {
        file: "winmm.dll",
        lookup: winmm,
        exports: WINMM,
    },
    Module {
        file: "kernel32.dll",
        lookup: kernel32,
        exports: KERNEL32,
    },
];

/// The program's own module (`GetModuleHandle(NULL)`): it exports nothing.
static EXE: Module = Module {
    file: "",
    lookup: |_| None,
    exports: &[],
};

impl Module {
    /// Whether this is the program's own module (`GetModuleHandle(NULL)`).
    pub(super) fn is_program(&self) -> bool {
        std::ptr::eq(self, &EXE)
    }
}

fn handle_of(m: &'static Module) -> HANDLE {
    m as *const Module as HANDLE
}

/// The module `h` names: the program's for NULL or its own handle.
pub(super) fn module_of(h: HANDLE) -> Option<&'static Module> {
    if h.is_null() || h == handle_of(&EXE) {
        return Some(&EXE);
    }
    MODULES.iter().find(|m| handle_of(m) == h)
}

/// The module a `LoadLibrary`/`GetModuleHandle` name means, by the
/// loader's rules (see the module comment).
fn module_named(name: &str) -> Option<&'static Module> {
    let name = name.trim_end_matches(' ');
    let base = name.rsplit(['\\', '/']).next().unwrap_or(name);
    let mut file = base.to_ascii_lowercase();
    if let Some(stem) = file.strip_suffix('.') {
        file = stem.to_string();
    } else if !file.contains('.') {
        file.push_str(".dll");
    }
    MODULES.iter().find(|m| m.file == file)
}

/// A module name argument: NULL is `Ok(None)`; text that is not ASCII names
/// no module of ours.
///
/// # Safety
/// `p` is NULL or NUL-terminated.
unsafe fn ansi_name(p: *const c_char) -> Option<String> {
    // SAFETY: forwarded contract.
    unsafe { crate::cstr::ansi(p) }.map(|b| String::from_utf8_lossy(b).into_owned())
}

/// # Safety
/// `p` is NULL or NUL-terminated UTF-16.
unsafe fn wide_name(p: *const u16) -> Option<String> {
    // SAFETY: forwarded contract.
    unsafe { crate::cstr::wide(p) }.map(|w| String::from_utf16_lossy(&w))
}

fn get_module_handle(name: Option<String>) -> HANDLE {
    win32(std::ptr::null_mut(), || match name {
        None => Ok(handle_of(&EXE)),
        Some(n) => module_named(&n).map(handle_of).ok_or(ERROR_MOD_NOT_FOUND),
    })
}

fn load_library(name: Option<String>, file: HANDLE) -> HANDLE {
    win32(std::ptr::null_mut(), || {
        if !file.is_null() {
            return Err(ERROR_INVALID_PARAMETER);
        }
        match name {
            None => Err(ERROR_INVALID_PARAMETER),
            Some(n) if n.trim_end_matches(' ').is_empty() => Err(ERROR_INVALID_PARAMETER),
            Some(n) => module_named(&n).map(handle_of).ok_or(ERROR_MOD_NOT_FOUND),
        }
    })
}

// ---------------------------------------------------------------------------
// Exports

/// The pseudo-handle of the process, `(HANDLE)-1` (kernel32 process.c
/// `test_Handles`): waitable (never signalled while the process runs);
/// closing it does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn GetCurrentProcess() -> HANDLE {
    ws2_engine::handles::CURRENT_PROCESS as HANDLE
}

#[unsafe(no_mangle)]
pub extern "C" fn GetCurrentProcessId() -> DWORD {
    // SAFETY: getpid has no preconditions.
    unsafe { libc::getpid() as DWORD }
}

/// The kernel's thread id: distinct per live thread, as Windows' are.
#[unsafe(no_mangle)]
pub extern "C" fn GetCurrentThreadId() -> DWORD {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() as DWORD }
}

/// `ExitProcess`: `exit(code)`, which flushes C stdio and runs `atexit`
/// handlers as the end of a Windows process does. Linux keeps only the low
/// 8 bits of the code for the parent (`ExitProcess(256)` reads as 0).
#[unsafe(no_mangle)]
pub extern "C" fn ExitProcess(code: UINT) -> ! {
    // SAFETY: exit has no preconditions; it does not return.
    unsafe { libc::exit(code as i32) }
}

/// # Safety
/// `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetModuleHandleA(name: *const c_char) -> HANDLE {
    // SAFETY: forwarded contract.
    get_module_handle(unsafe { ansi_name(name) })
}

/// # Safety
/// `name` is NULL or NUL-terminated UTF-16.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetModuleHandleW(name: *const u16) -> HANDLE {
    // SAFETY: forwarded contract.
    get_module_handle(unsafe { wide_name(name) })
}

/// # Safety
/// `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LoadLibraryA(name: *const c_char) -> HANDLE {
    // SAFETY: forwarded contract.
    load_library(unsafe { ansi_name(name) }, std::ptr::null_mut())
}

/// # Safety
/// `name` is NULL or NUL-terminated UTF-16.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LoadLibraryW(name: *const u16) -> HANDLE {
    // SAFETY: forwarded contract.
    load_library(unsafe { wide_name(name) }, std::ptr::null_mut())
}

/// `LoadLibraryExA`: the flags (search paths, data-file loads) change
/// nothing for modules that are part of libws2_32; `hFile` must be NULL.
///
/// # Safety
/// `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LoadLibraryExA(
    name: *const c_char,
    file: HANDLE,
    _flags: DWORD,
) -> HANDLE {
    // SAFETY: forwarded contract.
    load_library(unsafe { ansi_name(name) }, file)
}

/// # Safety
/// `name` is NULL or NUL-terminated UTF-16.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LoadLibraryExW(name: *const u16, file: HANDLE, _flags: DWORD) -> HANDLE {
    // SAFETY: forwarded contract.
    load_library(unsafe { wide_name(name) }, file)
}

/// `GetProcAddress`: the function, or NULL with `ERROR_PROC_NOT_FOUND`
/// (also for an ordinal: a "name" below 0x10000) or, for a handle that is
/// no module, `ERROR_MOD_NOT_FOUND` (module.c testGetProcAddress_Wrong).
///
/// # Safety
/// `name` is an ordinal (below 0x10000) or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetProcAddress(module: HANDLE, name: *const c_char) -> *const c_void {
    win32(std::ptr::null(), || {
        let m = module_of(module).ok_or(ERROR_MOD_NOT_FOUND)?;
        if (name as usize) < 0x10000 {
            return Err(ERROR_PROC_NOT_FOUND);
        }
        // SAFETY: not an ordinal, so NUL-terminated per the contract.
        let n = unsafe { crate::cstr::ansi(name) }.unwrap_or_default();
        (m.lookup)(n).ok_or(ERROR_PROC_NOT_FOUND)
    })
}

/// `FreeLibrary`: TRUE for our modules (they stay loaded); FALSE with
/// `ERROR_BAD_EXE_FORMAT` for a handle that is no module (module.c
/// testLoadLibraryEx).
#[unsafe(no_mangle)]
pub extern "C" fn FreeLibrary(module: HANDLE) -> BOOL {
    if module.is_null() || module_of(module).is_none() {
        set_last_error(ERROR_BAD_EXE_FORMAT);
        return 0;
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_loader_rules() {
        // P6: module.c testLoadLibraryA ("kernel32   "), MS LoadLibrary page.
        for name in [
            "ws2_32",
            "WS2_32.DLL",
            "ws2_32.dll   ",
            "C:\\Windows\\System32\\Ws2_32.dll",
        ] {
            assert_eq!(
                module_named(name).map(|m| m.file),
                Some("ws2_32.dll"),
                "{name}"
            );
        }
        assert!(
            module_named("ws2_32.").is_none(),
            "a trailing dot means no extension"
        );
        assert!(module_named("ws2_32.lib").is_none());
        assert!(module_named("ntdll.dll").is_none());
        assert!(module_named("winmm").is_some());
    }

    #[test]
    fn every_module_finds_each_of_its_exports() {
        // P6
        for m in &MODULES {
            for name in m.exports {
                assert!((m.lookup)(name.as_bytes()).is_some(), "{}!{name}", m.file);
            }
        }
        assert!(ws2_32(b"wsastartup").is_none(), "names are case-sensitive");
    }
}
