//! The Win32 basics (SPEC P6) and the header modes (P7) through the C ABI:
//! one program of `tests/c/` per area (heap, strings, time, modules,
//! FormatMessage, the Microsoft-named CRT and io.h, strsafe.h, events and
//! waits, threads, synchronisation objects, overlapped results and
//! cancellation), each citing
//! the Windows-run test or Microsoft page it follows; the processes that
//! must end (`ExitProcess`, the default invalid-parameter handler); the
//! exported names every module look-up finds; and the header switches
//! (UNICODE refused, WIN32_LEAN_AND_MEAN, NOMINMAX, unprovided names).
//!
//! Nothing here skips: no `cc`, `nm` or library makes the test fail.

mod common;

use std::collections::BTreeMap;
use std::ffi::{CString, c_char, c_void};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Command;

use std::time::{Duration, Instant};

use common::{
    MANIFEST_DIR, assert_success, compile, compile_example, compile_test, lib_dir, out_dir,
    receiver_in, run_c_test, run_with_timeout, show, slow_link, start,
};

// P6
#[test]
fn heap_functions_follow_windows_rules() {
    run_c_test("win32_heap", &[]);
}

// P6
#[test]
fn lstr_functions_follow_windows_rules() {
    run_c_test("win32_strings", &[]);
}

// P6
#[test]
fn time_functions_and_winmm_timer() {
    run_c_test("win32_time", &[]);
}

// P6
#[test]
fn process_ids_and_module_look_ups() {
    run_c_test("win32_modules", &[]);
}

// P6
#[test]
fn code_page_conversions() {
    run_c_test("win32_codepage", &[]);
}

// P6
#[test]
fn environment_computer_and_module_names() {
    run_c_test("win32_environment", &[]);
}

// P6: ExitProcess ends the process with its code (Linux keeps 8 bits) and
// flushes stdio, as the end of a Windows process does.
#[test]
fn exit_process_ends_with_the_code() {
    let exe = compile_test("win32_modules");
    for (code, status) in [("3", 3), ("0", 0), ("259", 3)] {
        let mut cmd = Command::new(&exe);
        cmd.arg(code);
        let out = run_with_timeout(cmd, &format!("exit_process_{code}"));
        assert_eq!(out.status.code(), Some(status), "{}", show(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("ExitProcess({code})")),
            "stdout was not flushed\n{}",
            show(&out)
        );
    }
}

// P6
#[test]
fn format_message_system_and_string_sources() {
    run_c_test("win32_format_message", &[]);
}

// P6
#[test]
fn microsoft_crt_and_io_h() {
    run_c_test("win32_crt", &[]);
}

// P6: with no handler installed, an invalid parameter ends the process, as
// Windows' default handler does (there with 0xC0000409; here abort()).
#[test]
fn default_invalid_parameter_handler_ends_the_process() {
    let exe = compile_test("win32_crt");
    let mut cmd = Command::new(&exe);
    cmd.arg("default");
    let out = run_with_timeout(cmd, "win32_crt_default");
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid parameter passed to strcpy_s"),
        "{}",
        show(&out)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("returned"));
}

// P6
#[test]
fn strsafe_functions() {
    run_c_test("win32_strsafe", &[]);
}

// P6 (virtual memory: reserve, commit, protect, query, decommit, release
// with Windows' rounding, protections and error codes)
#[test]
fn virtual_memory_follows_windows_rules() {
    run_c_test("win32_memory", &[]);
}

// P6 (SLIST: sync.c test_slist, x64 layout, InterlockedPushListSListEx,
// four threads popping and pushing four entries)
#[test]
fn interlocked_slists_are_lock_free_lifo_lists() {
    run_c_test("win32_slist", &[]);
}

// P6 (events: manual- and auto-reset, named, wait-any and atomic wait-all,
// MAXIMUM_WAIT_OBJECTS; the events of WSACreateEvent)
#[test]
fn events_and_waits_follow_windows_rules() {
    run_c_test("win32_events", &[]);
}

// P6 (mutexes: owned, recursive, ERROR_NOT_OWNER, abandoned; semaphores:
// counts, ERROR_TOO_MANY_POSTS; PulseEvent; one namespace with events;
// mixed wait-all; contention across threads)
#[test]
fn mutexes_semaphores_and_pulse_event_follow_windows_rules() {
    run_c_test("win32_mutex_semaphore", &[]);
}

// P6 S33 S37 (threads: handles, exit codes, CREATE_SUSPENDED, APCs,
// completion routines on them, pending operations cancelled at their end)
#[test]
fn threads_are_waitable_and_run_apcs() {
    run_c_test("win32_threads", &[]);
}

/// Runs `tests/c/win32_console.c` in a process group of its own (it signals
/// its group), with `arg`; returns the running program.
fn start_console_test(arg: Option<&str>, label: &str) -> common::Running {
    use std::os::unix::process::CommandExt;
    let exe = compile_test("win32_console");
    let mut cmd = std::process::Command::new(&exe);
    cmd.args(arg).process_group(0);
    start(cmd, label)
}

// P6 (console control handlers: Ctrl+C and Ctrl+Break on a new thread, the
// last added first, NULL + TRUE ignoring Ctrl+C)
#[test]
fn console_ctrl_handlers_run_as_windows_runs_them() {
    let out = start_console_test(None, "win32_console").wait(common::RUN_TIMEOUT);
    assert_success(&out, "win32_console");
}

// P6: no handler returns TRUE: Ctrl+C ends the process (by SIGINT here).
#[test]
fn an_unhandled_ctrl_c_ends_the_process() {
    let out =
        start_console_test(Some("unhandled"), "win32_console_unhandled").wait(common::RUN_TIMEOUT);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.signal(), Some(libc::SIGINT), "{}", show(&out));
    assert!(
        stdout.contains("declined 0") && !stdout.contains("still running"),
        "{stdout}"
    );
}

// P6: SIGTERM is CTRL_CLOSE_EVENT; the process ends after its handlers,
// whatever they return.
#[test]
fn sigterm_is_ctrl_close_and_ends_the_process() {
    let running = start_console_test(Some("close"), "win32_console_close");
    let t0 = std::time::Instant::now();
    while !running.stdout_so_far().contains("ready") {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "win32_console close did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: kill has no memory preconditions; the pid is our child's.
    unsafe { libc::kill(running.pid() as libc::pid_t, libc::SIGTERM) };
    let out = running.wait(common::RUN_TIMEOUT);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{}", show(&out));
    assert!(
        stdout.contains("closing 2") && !stdout.contains("still running"),
        "{stdout}"
    );
}

// P6 (critical sections, SRW locks, condition variables: ntdll rtl.c and
// kernel32 sync.c test_srwlock_base, test_condvars_base)
#[test]
fn locks_and_condition_variables_follow_windows_rules() {
    run_c_test("win32_sync", &[]);
}

// P6 (the Interlocked family; INIT_ONCE: kernel32 sync.c test_initonce)
#[test]
fn interlocked_and_init_once_follow_windows_rules() {
    run_c_test("win32_atomics", &[]);
}

// P6 (process.h: _beginthreadex, _endthreadex, _beginthread, _endthread)
#[test]
fn crt_threads_are_create_thread_threads() {
    run_c_test("win32_crt_threads", &[]);
}

// P6: ExitThread from an APC would unwind through ws2's own frames: the
// process ends with a message instead (documented in winbase.h).
#[test]
fn exit_thread_from_an_apc_ends_the_process() {
    let exe = compile_test("win32_threads");
    let mut cmd = Command::new(&exe);
    cmd.arg("exit-in-apc");
    let out = run_with_timeout(cmd, "win32_threads_exit_in_apc");
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("ExitThread called from a completion routine"),
        "{}",
        show(&out)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("returned from SleepEx"));
}

// P6 S19 S37 S38 (GetOverlappedResult's Win32 codes, CancelIo/CancelIoEx
// of pending receives: events, routines, port packets, exactly once)
#[test]
fn overlapped_results_and_cancellation_on_sockets() {
    run_c_test("win32_overlapped_io", &[]);
}

// P6 S34 S37 S38: CancelIoEx/CancelIo of sends pending on a slow link.
#[test]
fn cancel_io_ex_of_pending_sends_on_a_slow_link() {
    let exe = compile_test("win32_cancel_send");
    let link = slow_link("w32cancel", "8kbit");
    let (rx, port) = receiver_in(&link.b);
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(
        link.a.command(&[exe, "10.0.0.2", &port]),
        "win32_cancel_send",
    );
    assert_success(&out, "win32_cancel_send");
    drop(rx);
}

// ---------------------------------------------------------------------------
// Module exports

/// The CRT's functions: Windows has them in its C runtime DLL, which ws2
/// does not stand in for, so no module of ours exports them by name.
const CRT: &[&str] = &["strcpy_s", "strncpy_s", "strcat_s", "strncat_s", "strtok_s"];

/// Exported by libws2_32 for its headers only (inline in Windows' SDK).
const HEADER_ONLY: &[&str] = &["gai_strerrorA", "gai_strerrorW"];

/// Every function libws2_32 exports under a Windows name, with the symbol:
/// `socket` is `ws2_socket`; the CRT (`_stricmp`, `strcpy_s`...) and ws2's
/// helpers for inline header code (`ws2_crt_*`) are left out.
fn windows_exports(lib: &Path) -> BTreeMap<String, String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(lib)
        .output()
        .expect("nm (binutils) is required");
    assert!(out.status.success(), "nm failed\n{}", show(&out));
    let mut names = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut words = line.split_whitespace();
        let (Some(_), Some("T"), Some(symbol)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        if symbol.starts_with('_') || symbol.starts_with("ws2_crt_") || symbol.starts_with("rust_")
        {
            continue;
        }
        let name = symbol.strip_prefix("ws2_").unwrap_or(symbol);
        if CRT.contains(&name) || HEADER_ONLY.contains(&name) {
            continue;
        }
        names.insert(name.to_string(), symbol.to_string());
    }
    names
}

/// This run's libws2_32, loaded into the test process.
struct Lib {
    handle: *mut c_void,
}

impl Lib {
    fn open() -> Lib {
        let lib = lib_dir().join("libws2_32.so");
        let path = CString::new(lib.to_str().unwrap()).unwrap();
        // SAFETY: dlopen of this run's library; it stays loaded for the test.
        let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        assert!(!handle.is_null(), "dlopen {}", lib.display());
        Lib { handle }
    }

    /// The address of `symbol` in the library (NULL if absent).
    fn sym(&self, symbol: &str) -> *mut c_void {
        let c = CString::new(symbol).unwrap();
        // SAFETY: handle is live; c is NUL-terminated.
        unsafe { libc::dlsym(self.handle, c.as_ptr()) }
    }
}

// P6: each Windows-named function of libws2_32 is found by GetProcAddress
// in exactly one module (its Windows DLL), and it is the same function the
// program links.
#[test]
fn every_export_is_found_in_exactly_one_module() {
    let exports = windows_exports(&lib_dir().join("libws2_32.so"));
    assert!(exports.len() > 150, "only {} exports", exports.len());
    let lib = Lib::open();
    type GetModuleHandleA = unsafe extern "C" fn(*const c_char) -> *mut c_void;
    type GetProcAddress = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut c_void;
    // SAFETY: the symbols are these functions (winbase.h's signatures).
    let (get_module, get_proc) = unsafe {
        (
            std::mem::transmute::<*mut c_void, GetModuleHandleA>(lib.sym("GetModuleHandleA")),
            std::mem::transmute::<*mut c_void, GetProcAddress>(lib.sym("GetProcAddress")),
        )
    };
    let modules: Vec<(&str, *mut c_void)> = ["ws2_32", "mswsock", "iphlpapi", "winmm", "kernel32"]
        .iter()
        // SAFETY: a NUL-terminated name.
        .map(|m| {
            (*m, unsafe {
                get_module(CString::new(*m).unwrap().as_ptr())
            })
        })
        .collect();
    for (m, h) in &modules {
        assert!(!h.is_null(), "GetModuleHandleA({m})");
    }
    for (name, symbol) in &exports {
        let want = lib.sym(symbol);
        assert!(!want.is_null(), "{symbol}");
        let c = CString::new(name.as_str()).unwrap();
        let found: Vec<&str> = modules
            .iter()
            // SAFETY: h is one of our modules; c is NUL-terminated.
            .filter(|(_, h)| unsafe { get_proc(*h, c.as_ptr()) } == want)
            .map(|(m, _)| *m)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{name} ({symbol}) is found in {found:?}: list it in exactly one module of win32/modules.rs"
        );
    }
    for name in CRT {
        let c = CString::new(*name).unwrap();
        for (m, h) in &modules {
            // SAFETY: as above.
            assert!(unsafe { get_proc(*h, c.as_ptr()) }.is_null(), "{m}!{name}");
        }
    }
}

/// Every `#define NAME <decimal>` of our headers whose name says it is a
/// Win32 or Winsock error code.
fn header_error_codes() -> BTreeMap<String, u32> {
    const NOT_CODES: &[&str] = &["WSABASEERR", "WSADESCRIPTION_LEN", "WSASYS_STATUS_LEN"];
    let mut codes = BTreeMap::new();
    let dir = Path::new(MANIFEST_DIR).join("include");
    for entry in std::fs::read_dir(&dir).expect("include/") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let (Some("#define"), Some(name), Some(value)) =
                (words.next(), words.next(), words.next())
            else {
                continue;
            };
            let is_code = name.starts_with("ERROR_") || name.starts_with("WSA");
            if let (true, false, Ok(v)) = (is_code, NOT_CODES.contains(&name), value.parse::<u32>())
            {
                codes.insert(name.to_string(), v);
            }
        }
    }
    codes
}

// P6: FormatMessage(FROM_SYSTEM) has a message for every error code our
// headers define (ws2-abi's messages test covers the Rust constants).
#[test]
fn every_header_error_code_has_a_system_message() {
    let codes = header_error_codes();
    assert!(codes.len() > 120, "only {} codes", codes.len());
    let lib = Lib::open();
    type FormatMessageA =
        unsafe extern "C" fn(u32, *const c_void, u32, u32, *mut c_char, u32, *mut c_void) -> u32;
    // SAFETY: the symbol is FormatMessageA (winbase.h's signature).
    let format: FormatMessageA = unsafe { std::mem::transmute(lib.sym("FormatMessageA")) };
    let mut buf = [0 as c_char; 512];
    for (name, code) in codes {
        // FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, LANG_USER_DEFAULT.
        // SAFETY: buf holds 512 chars; no inserts are read.
        let n = unsafe {
            format(
                0x1200,
                std::ptr::null(),
                code,
                0x400,
                buf.as_mut_ptr(),
                512,
                std::ptr::null_mut(),
            )
        };
        assert!(n > 2, "{name} ({code}) has no system message");
    }
}

// ---------------------------------------------------------------------------
// Header modes

/// Compiles `source` (C11, -Wall -Wextra -Werror, our headers) to an
/// object file (a full compile: gcc reports `error` attributes only after
/// parsing); returns whether it compiled and gcc's messages.
fn compiles(tag: &str, source: &str) -> (bool, String) {
    let src = out_dir().join(format!("mode_{tag}.c"));
    std::fs::write(&src, source).expect("write source");
    let out = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-c", "-I"])
        .arg(Path::new(MANIFEST_DIR).join("include"))
        .arg(&src)
        .arg("-o")
        .arg(out_dir().join(format!("mode_{tag}.o")))
        .output()
        .expect("the C compiler `cc` is required");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn must_compile(tag: &str, source: &str) {
    let (ok, err) = compiles(tag, source);
    assert!(ok, "{tag} did not compile:\n{source}\n{err}");
}

fn must_fail(tag: &str, source: &str, message: &str) {
    let (ok, err) = compiles(tag, source);
    assert!(!ok, "{tag} compiled:\n{source}");
    assert!(
        err.contains(message),
        "{tag}: the error does not say {message:?}:\n{err}"
    );
}

// P6 P7 (issue 13, item 2): UNICODE and _UNICODE builds are refused with a
// clear #error, whichever header comes first; TCHAR text never compiles
// into the wrong kind of string.
#[test]
fn unicode_builds_are_refused() {
    let why = "UNICODE and _UNICODE builds are not supported";
    must_fail("unicode", "#define UNICODE\n#include <windows.h>\n", why);
    must_fail(
        "unicode_ws2",
        "#define UNICODE\n#include <winsock2.h>\n",
        why,
    );
    must_fail(
        "tchar_unicode",
        "#define _UNICODE\n#include <tchar.h>\n",
        why,
    );
    must_fail(
        "strsafe_unicode",
        "#define _UNICODE\n#include <strsafe.h>\n",
        why,
    );
    must_compile(
        "ansi",
        "#include <tchar.h>\nint f(void);\nint f(void) { return (int)_tcslen(_T(\"x\")); }\n",
    );
}

// P6 P7: what WIN32_LEAN_AND_MEAN leaves out; NOMINMAX; a program's own
// min/max; names ws2 does not provide fail to compile, never glibc's.
#[test]
fn header_switches_behave_as_windows_headers() {
    let use_winmm = "int f(void);\nint f(void) { return (int)timeGetTime(); }\n";
    must_compile("full", &format!("#include <windows.h>\n{use_winmm}"));
    must_fail(
        "lean_winmm",
        &format!("#define WIN32_LEAN_AND_MEAN\n#include <windows.h>\n{use_winmm}"),
        "timeGetTime",
    );
    must_compile(
        "lean_then_mmsystem",
        &format!(
            "#define WIN32_LEAN_AND_MEAN\n#include <windows.h>\n#include <mmsystem.h>\n{use_winmm}"
        ),
    );
    must_fail(
        "lean_socket",
        "#define WIN32_LEAN_AND_MEAN\n#include <windows.h>\nint f(void);\nint f(void) { return (int)socket(2, 2, 0); }\n",
        "socket",
    );
    must_compile(
        "nominmax",
        "#define NOMINMAX\n#include <windows.h>\n#if defined(min) || defined(max)\n#error min/max defined\n#endif\n",
    );
    must_compile(
        "own_max",
        "#define max(a, b) ((a) + (b))\n#include <windows.h>\n_Static_assert(max(1, 2) == 3, \"the program's max\");\n",
    );
    must_fail(
        "printf_w",
        "#include <strsafe.h>\nvoid f(WCHAR *d);\nvoid f(WCHAR *d) { StringCchPrintfW(d, 4, d); }\n",
        "StringCchPrintfW is not provided by ws2",
    );
    // Microsoft's %I64d is no C99 format: gcc's -Wformat says so, never a
    // silently wrong number.
    must_fail(
        "i64d",
        "#include <windows.h>\nvoid f(char *d);\nvoid f(char *d) { sprintf_s(d, 8, \"%I64d\", 1LL); }\n",
        "format",
    );
}

// ---------------------------------------------------------------------------
// The tutorial corpus (examples/c/tutorial_*.c), built with -Wall -Wextra
// -Werror and run on loopback.

/// Starts `tutorial_receiver 0 COUNT` and returns it with its port. Each
/// test compiles its own copy: tests run in parallel, and one must not
/// start the executable another is still writing.
fn receiver(count: &str, label: &str) -> (common::Running, String) {
    let exe = compile(
        &Path::new(MANIFEST_DIR).join("../../examples/c/tutorial_receiver.c"),
        label,
    );
    let mut cmd = Command::new(exe);
    cmd.args(["0", count]);
    let running = start(cmd, label);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let so_far = running.stdout_so_far();
        if let Some(port) = so_far
            .lines()
            .find_map(|l| l.strip_prefix("listening on port "))
        {
            return (running, port.trim().to_string());
        }
        assert!(
            Instant::now() < deadline,
            "the receiver did not start: {so_far}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

// P6 P7: a pool of _beginthreadex workers on a completion port sends the
// jobs, with a critical section, a condition variable, an SRW lock,
// InitOnceExecuteOnce and Interlocked counters (examples/c/tutorial_pool.c).
#[test]
fn tutorial_pool_sends_from_its_workers() {
    let (rx, port) = receiver("20", "tutorial_pool_receiver");
    let mut cmd = Command::new(compile_example("tutorial_pool"));
    cmd.args(["127.0.0.1", &port, "20", "4"]);
    let sent = run_with_timeout(cmd, "tutorial_pool");
    assert_success(&sent, "tutorial_pool");
    let out = String::from_utf8_lossy(&sent.stdout);
    assert_eq!(
        out.matches(" resolved 127.0.0.1 port ").count(),
        1,
        "resolved once\n{out}"
    );
    assert!(
        out.contains("the pool sent 20 datagrams (workers' own counts add up to 20), 0 failures"),
        "{out}"
    );
    let got = rx.wait(Duration::from_secs(20));
    assert_success(&got, "tutorial_pool_receiver");
    let log = String::from_utf8_lossy(&got.stdout);
    for i in 1..=20 {
        assert!(log.contains(&format!(": job {i} of 20")), "{log}");
    }
    assert!(log.contains("received 20 datagrams"), "{log}");
}

// P6 P7: the sender and receiver of the tutorial corpus talk on loopback.
#[test]
fn tutorial_sender_and_receiver() {
    let (rx, port) = receiver("10", "tutorial_receiver");
    let mut cmd = Command::new(compile_example("tutorial_sender"));
    cmd.args(["127.0.0.1", &port, "3"]);
    let sent = run_with_timeout(cmd, "tutorial_sender");
    assert_success(&sent, "tutorial_sender");
    assert!(String::from_utf8_lossy(&sent.stdout).contains("sent 4 datagrams"));
    let got = rx.wait(Duration::from_secs(20));
    assert_success(&got, "tutorial_receiver");
    let log = String::from_utf8_lossy(&got.stdout);
    for i in 1..=3 {
        assert!(
            log.contains(&format!("datagram {i} of 3 from process ")),
            "{log}"
        );
    }
    assert!(
        log.contains("bytes from 127.0.0.1:") && log.contains(": quit"),
        "{log}"
    );
    assert!(log.contains("received 4 datagrams"), "{log}");
}

// P6 P7: the worker-thread sender (CreateThread, two auto-reset events,
// GetExitCodeThread) hands its jobs to a thread that sends them.
#[test]
fn tutorial_worker_sends_from_its_thread() {
    let (rx, port) = receiver("10", "tutorial_worker_receiver");
    let mut cmd = Command::new(compile_example("tutorial_worker"));
    cmd.args(["127.0.0.1", &port, "3"]);
    let sent = run_with_timeout(cmd, "tutorial_worker");
    assert_success(&sent, "tutorial_worker");
    let out = String::from_utf8_lossy(&sent.stdout);
    let main_id = out
        .lines()
        .find_map(|l| l.strip_prefix("main thread "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("no main thread id\n{out}"));
    let worker_lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("worker thread "))
        .collect();
    assert_eq!(worker_lines.len(), 4, "{out}");
    for l in &worker_lines {
        assert!(
            !l.starts_with(&format!("worker thread {main_id} ")),
            "{out}"
        );
    }
    assert!(out.contains("the worker sent 4 datagrams"), "{out}");
    let got = rx.wait(Duration::from_secs(20));
    assert_success(&got, "tutorial_worker_receiver");
    let log = String::from_utf8_lossy(&got.stdout);
    for i in 1..=3 {
        assert!(log.contains(&format!(": job {i} of 3")), "{log}");
    }
    assert!(log.contains("received 4 datagrams"), "{log}");
}

// P6 P7: the overlapped sender reads each completion with
// GetOverlappedResult after WaitForMultipleObjects on CreateEvent events.
#[test]
fn tutorial_overlapped_reads_completions_with_get_overlapped_result() {
    let (rx, port) = receiver("10", "tutorial_overlapped_receiver");
    let mut cmd = Command::new(compile_example("tutorial_overlapped"));
    cmd.args(["127.0.0.1", &port, "5"]);
    let sent = run_with_timeout(cmd, "tutorial_overlapped");
    assert_success(&sent, "tutorial_overlapped");
    let out = String::from_utf8_lossy(&sent.stdout);
    for i in 1..=5 {
        assert!(
            out.contains(&format!("send {i} completed: 22 bytes")),
            "{out}"
        );
    }
    assert!(out.contains("send 6 completed: 4 bytes"), "{out}");
    assert!(out.contains("6 of 6 sends succeeded"), "{out}");
    let got = rx.wait(Duration::from_secs(20));
    assert_success(&got, "tutorial_overlapped_receiver");
    let log = String::from_utf8_lossy(&got.stdout);
    assert!(log.contains(": overlapped send 5 of 5"), "{log}");
    assert!(log.contains("received 6 datagrams"), "{log}");
}

// P6 P7: the paced sender (winmm timer, FILETIME stamps, no
// WIN32_LEAN_AND_MEAN) reaches the receiver at its pace.
#[test]
fn tutorial_pacer_paces_its_sends() {
    let (rx, port) = receiver("10", "tutorial_pacer_receiver");
    let mut cmd = Command::new(compile_example("tutorial_pacer"));
    cmd.args(["127.0.0.1", &port, "5", "20"]);
    let sent = run_with_timeout(cmd, "tutorial_pacer");
    assert_success(&sent, "tutorial_pacer");
    let got = rx.wait(Duration::from_secs(20));
    assert_success(&got, "tutorial_pacer_receiver");
    let log = String::from_utf8_lossy(&got.stdout);
    let stamps: Vec<u64> = log
        .lines()
        .filter_map(|l| l.split(" at ").nth(1))
        .map(|t| t.trim().parse().expect("a FILETIME stamp"))
        .collect();
    assert_eq!(stamps.len(), 5, "{log}");
    // 100 ns units: 4 intervals of 20 ms take at least 80 ms.
    assert!(stamps[4] - stamps[0] >= 750_000, "{stamps:?}");
    assert!(stamps.windows(2).all(|w| w[1] > w[0]), "{stamps:?}");
}

// P6: the error-text helper prints the system messages and fails on an
// unknown code with ERROR_MR_MID_NOT_FOUND.
#[test]
fn tutorial_winerr_prints_system_messages() {
    let exe = compile_example("tutorial_winerr");
    let mut cmd = Command::new(&exe);
    cmd.args(["10054", "0x80070005", "126"]);
    let out = run_with_timeout(cmd, "tutorial_winerr");
    assert_success(&out, "tutorial_winerr");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("\r\n").count(), 3, "{text:?}");
    assert!(
        text.starts_with("10054: The remote end reset the connection"),
        "{text}"
    );
    let mut cmd = Command::new(&exe);
    cmd.args(["99999"]);
    let out = run_with_timeout(cmd, "tutorial_winerr_unknown");
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("failed with error 317"));
}
