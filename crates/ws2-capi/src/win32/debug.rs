//! Debugging (debugapi.h): `OutputDebugStringA/W`, `IsDebuggerPresent`
//! and `DebugBreak`.
//!
//! Windows hands `OutputDebugString`'s text to an attached debugger (and
//! to a monitor such as DebugView); with neither, nothing anyone sees
//! happens, so programs sprinkle it freely, also in release builds. Linux
//! debuggers have no such channel, so ws2 shows it only when asked:
//! with `WS2_DEBUG_OUTPUT=stderr` in the environment at the first call
//! (read once), each string is written to standard error as it is (no line
//! break added, as Windows adds none); otherwise it is dropped, as on a
//! Windows machine with no debugger.
//!
//! `IsDebuggerPresent` is TRUE while a tracer (gdb, strace, any
//! `ptrace` user) is attached: Linux's `TracerPid` in `/proc/self/status`.
//! `DebugBreak` raises `SIGTRAP`: a debugger stops there; without one the
//! process ends by the signal (with a core dump where enabled), as an
//! unhandled breakpoint exception ends a Windows process.

use std::ffi::c_char;
use std::io::Write;
use std::sync::OnceLock;

use ws2_abi::*;

use crate::cstr;

/// The environment variable that sends `OutputDebugString` to stderr.
const DEBUG_OUTPUT_VARIABLE: &str = "WS2_DEBUG_OUTPUT";

/// Whether `OutputDebugString` writes to stderr (read once, at first use).
fn to_stderr() -> bool {
    static TO_STDERR: OnceLock<bool> = OnceLock::new();
    *TO_STDERR.get_or_init(|| {
        std::env::var_os(DEBUG_OUTPUT_VARIABLE).is_some_and(|v| v.eq_ignore_ascii_case("stderr"))
    })
}

fn emit(text: &[u8]) {
    if to_stderr() {
        // Unbuffered, in one write where it fits, so strings from several
        // threads do not interleave mid-line.
        let _ = std::io::stderr().lock().write_all(text);
    }
}

/// `OutputDebugStringA`. NULL is ignored.
///
/// # Safety
/// `text` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OutputDebugStringA(text: *const c_char) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract.
        if let Some(bytes) = unsafe { cstr::ansi(text) } {
            emit(bytes);
        }
    });
}

/// `OutputDebugStringW`: the `WCHAR`s as UTF-8 (an unpaired surrogate as
/// U+FFFD). NULL is ignored.
///
/// # Safety
/// `text` is NULL or NUL-terminated (at any alignment).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OutputDebugStringW(text: *const u16) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract.
        if let Some(units) = unsafe { cstr::wide(text) } {
            emit(&super::codepage::utf16_to_utf8(&units).0);
        }
    });
}

/// The tracer's process id in `/proc/self/status`'s text (0: none).
fn tracer_pid(status: &str) -> u32 {
    status
        .lines()
        .find_map(|line| line.strip_prefix("TracerPid:"))
        .and_then(|pid| pid.trim().parse().ok())
        .unwrap_or(0)
}

/// `IsDebuggerPresent`: TRUE while a tracer is attached.
#[unsafe(no_mangle)]
pub extern "C" fn IsDebuggerPresent() -> BOOL {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    (tracer_pid(&status) != 0) as BOOL
}

/// `DebugBreak`: a breakpoint, `SIGTRAP`.
#[unsafe(no_mangle)]
pub extern "C" fn DebugBreak() {
    // SAFETY: raise has no memory preconditions.
    unsafe { libc::raise(libc::SIGTRAP) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracer_pid_reads_proc_status() {
        // P6 (Microsoft's IsDebuggerPresent page; Linux's proc(5) TracerPid)
        assert_eq!(tracer_pid("Name:\tx\nTracerPid:\t0\nUid:\t0\n"), 0);
        assert_eq!(tracer_pid("Name:\tx\nTracerPid:\t4242\n"), 4242);
        assert_eq!(tracer_pid(""), 0);
    }
}
