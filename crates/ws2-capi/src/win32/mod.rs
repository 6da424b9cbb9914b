//! The Win32 basics Windows network programs call besides Winsock (SPEC P6):
//! heaps and `LocalAlloc`, the `lstr*` functions, time and winmm's timer,
//! `GetSystemInfo`, console control handlers (Ctrl+C as `SIGINT`), process
//! ids and module look-ups, the environment and the computer and module
//! names, `FormatMessage`, the Microsoft-named C
//! runtime (`strcpy_s`, `_stricmp`, io.h), and the calls over the engine's
//! waitable objects: threads, events, mutexes and semaphores, and overlapped results and
//! cancellation on sockets; the locks in the program's own memory
//! (critical sections, SRW locks, condition variables, `INIT_ONCE`); and
//! process.h's `_beginthreadex` family; virtual memory (`VirtualAlloc`
//! and friends), the debugging calls, the standard handles and
//! `WriteConsole`, `ReadFile`/`WriteFile` on sockets and the standard
//! handles, interlocked singly linked lists, and thread priorities and
//! affinity. Each module is
//! one area, with Windows' semantics as Microsoft documents them and as
//! Wine's Windows-run kernel32 tests record them. Like kernel32, these calls
//! leave the last error alone when they succeed.
//!
//! The printf-style functions (`sprintf_s`, `_snprintf_s`, `StringCchPrintf`)
//! and `_open` are variadic: they live in the headers as inline C
//! (`include/ws2_crt.h`, `include/strsafe.h`, `include/io.h`), as strsafe's
//! functions do in Windows' own header, and call into `crt` for what needs
//! the library.

mod codepage;
mod console;
mod console_io;
mod crt;
mod debug;
mod environment;
mod events;
mod file_io;
mod format_message;
mod format_render;
mod heap;
mod io;
mod memory_maps;
mod modules;
mod overlapped_io;
mod scheduling;
mod slist;
mod strings;
mod sync;
mod sync_objects;
mod system_info;
mod threads;
mod time;
mod virtual_memory;

use std::panic::AssertUnwindSafe;

use ws2_abi::iphlpapi::ERROR_CAN_NOT_COMPLETE;
use ws2_abi::{BOOL, DWORD};

const TRUE: BOOL = 1;
const FALSE: BOOL = 0;

/// Stores `code` in this thread's last-error slot (`GetLastError`).
fn set_last_error(code: DWORD) {
    crate::set_last_error(code)
}

/// Runs a kernel32-style call: `Ok` is returned as it is (the last error
/// untouched), `Err(code)` stores the code and returns `fail`. A panic never
/// crosses the C ABI: it becomes `ERROR_CAN_NOT_COMPLETE`.
fn win32<T>(fail: T, f: impl FnOnce() -> Result<T, DWORD>) -> T {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(code)) => {
            set_last_error(code);
            fail
        }
        Err(_) => {
            set_last_error(ERROR_CAN_NOT_COMPLETE);
            fail
        }
    }
}
