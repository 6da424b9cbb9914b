//! The process's own Win32 surface (SPEC P6) through the C ABI: the std
//! handles, `ReadFile`/`WriteFile` on sockets and std handles,
//! `WriteConsole` on a terminal, thread priorities and affinity, and the
//! debugging calls (`OutputDebugString`, `DebugBreak`,
//! `IsDebuggerPresent`), each citing the Windows-run test or Microsoft
//! page it follows. (The rest of P6 is `c_win32.rs`.)
//!
//! Nothing here skips: no `cc` or library makes the test fail.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{assert_success, compile_test, run_c_test, run_with_timeout, show, start};

// P6 (console.c test_GetSetStdHandle; WriteConsole fails on a redirected
// handle)
#[test]
fn std_handles_and_write_console_redirected() {
    let out = run_c_test("win32_console_io", &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("done"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("redirected"));
}

// P6 S30 (ReadFile/WriteFile on sockets: blocking, overlapped with an event
// and a completion port, TCP; the std handles, a stdin pipe whose writer is
// gone; bad handles: kernel32 file.c test_read_write, Microsoft's
// ReadFile/WriteFile pages)
#[test]
fn read_file_and_write_file_on_sockets_and_std_handles() {
    let out = run_c_test("win32_file_io", &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("WriteFile to the std output handle\nov\n"),
        "{}",
        show(&out)
    );
    let mut cmd = Command::new("sh");
    let pipe = "printf 'piped\\n' | \"$0\" stdin-pipe";
    cmd.arg("-c").arg(pipe).arg(compile_test("win32_file_io"));
    let out = run_with_timeout(cmd, "win32_file_io_stdin_pipe");
    assert_success(&out, "win32_file_io_stdin_pipe");
    assert!(String::from_utf8_lossy(&out.stdout).contains("stdin-pipe: ok"));
}

// P6 (Microsoft's GetStdHandle page: no stream, NULL)
#[test]
fn std_handle_of_a_closed_stream_is_null() {
    use std::os::unix::process::CommandExt;
    let exe = compile_test("win32_console_io");
    let mut cmd = Command::new(&exe);
    cmd.arg("no-stdin");
    // SAFETY: close(2) is async-signal-safe; the child closes only its
    // own fd 0 before exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(0);
            Ok(())
        });
    }
    let out = run_with_timeout(cmd, "win32_console_io_no_stdin");
    assert_success(&out, "win32_console_io_no_stdin");
}

// P6 (Microsoft's WriteConsole page: on a console, A and W write their
// characters; W here as UTF-8)
#[test]
fn write_console_writes_to_a_terminal() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let exe = compile_test("win32_console_io");
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two fds; no name, termios or size is passed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: two fresh fds openpty gave us, each owned once.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut child = Command::new(&exe)
        .arg("tty")
        .stdin(std::process::Stdio::null())
        .stdout(slave)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "win32_console_io tty did not finish"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let mut pfd = libc::pollfd {
            fd: std::os::fd::AsRawFd::as_raw_fd(&master),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd on the stack.
        if unsafe { libc::poll(&mut pfd, 1, 200) } <= 0 {
            break;
        }
        // SAFETY: reads into a stack buffer of its size.
        let n = unsafe { libc::read(pfd.fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            break;
        }
        text.extend_from_slice(&buf[..n as usize]);
    }
    let text = String::from_utf8_lossy(&text).replace('\r', "");
    assert!(status.success(), "{status:?}\n{stderr}\n{text}");
    assert_eq!(
        text, "console A\nconsole W \u{e9}\u{20ac}\ntty done\n",
        "{stderr}"
    );
}

// P6 (thread.c test_thread_priority and test_thread_processor)
#[test]
fn thread_priorities_and_affinity() {
    run_c_test("win32_scheduling", &[]);
}

/// Runs `tests/c/win32_debug.c` with `arg`, with or without
/// `WS2_DEBUG_OUTPUT=stderr`.
fn run_debug_test(arg: Option<&str>, to_stderr: bool, label: &str) -> std::process::Output {
    let exe = compile_test("win32_debug");
    let mut cmd = Command::new(&exe);
    cmd.args(arg);
    if to_stderr {
        cmd.env("WS2_DEBUG_OUTPUT", "stderr");
    } else {
        cmd.env_remove("WS2_DEBUG_OUTPUT");
    }
    run_with_timeout(cmd, label)
}

// P6 (Microsoft's OutputDebugString page: nothing visible without a
// debugger; ws2's WS2_DEBUG_OUTPUT=stderr shows the strings as they are)
#[test]
fn output_debug_string_is_silent_unless_asked() {
    let quiet = run_debug_test(None, false, "win32_debug_quiet");
    assert_success(&quiet, "win32_debug_quiet");
    assert!(
        !String::from_utf8_lossy(&quiet.stderr).contains("ws2 debug"),
        "{}",
        show(&quiet)
    );
    let loud = run_debug_test(None, true, "win32_debug_stderr");
    assert_success(&loud, "win32_debug_stderr");
    assert_eq!(
        String::from_utf8_lossy(&loud.stderr),
        "ws2 debug A\nws2 debug TCHAR\nws2 debug W \u{e9}\u{20ac}\n",
        "{}",
        show(&loud)
    );
}

// P6 (Microsoft's DebugBreak page: without a debugger the breakpoint ends
// the process; here by SIGTRAP)
#[test]
fn debug_break_ends_the_process_by_sigtrap() {
    let out = run_debug_test(Some("break"), false, "win32_debug_break");
    assert_eq!(out.status.signal(), Some(libc::SIGTRAP), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("breaking") && !stdout.contains("still running"));
}

// P6 (Microsoft's IsDebuggerPresent page): FALSE alone (the default mode
// checks it), TRUE once a tracer attaches.
#[test]
fn is_debugger_present_sees_a_tracer() {
    let exe = compile_test("win32_debug");
    let mut cmd = Command::new(&exe);
    cmd.arg("wait-debugger");
    let running = start(cmd, "win32_debug_traced");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running.stdout_so_far().contains("waiting") {
        assert!(Instant::now() < deadline, "the program did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = running.pid() as libc::pid_t;
    // SAFETY: attaches to our own child without stopping it; no memory is
    // passed.
    let rc = unsafe { libc::ptrace(libc::PTRACE_SEIZE, pid, 0, 0) };
    assert_eq!(rc, 0, "PTRACE_SEIZE: {}", std::io::Error::last_os_error());
    let out = running.wait(Duration::from_secs(20));
    assert_success(&out, "win32_debug_traced");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("debugger seen"),
        "{}",
        show(&out)
    );
}
