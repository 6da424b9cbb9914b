//! Console control handlers (consoleapi.h, wincon.h): `SetConsoleCtrlHandler`
//! and `GenerateConsoleCtrlEvent`, with which Windows servers stop cleanly
//! on Ctrl+C.
//!
//! Linux delivers these events as signals: `SIGINT` is `CTRL_C_EVENT`,
//! `SIGQUIT` (Ctrl+\\) `CTRL_BREAK_EVENT`, `SIGHUP` (the terminal went away)
//! and `SIGTERM` (the service manager's stop) `CTRL_CLOSE_EVENT`. As on
//! Windows (Microsoft's SetConsoleCtrlHandler and HandlerRoutine pages): a
//! new thread runs the handlers, the most recently added first, until one
//! returns TRUE; when none does, the process ends as the default handler
//! ends it (here: by the signal itself); after `CTRL_CLOSE_EVENT`'s
//! handlers the process ends whatever they returned;
//! `SetConsoleCtrlHandler(NULL, TRUE)` makes the process ignore Ctrl+C.
//!
//! The signal handlers are installed by the first `SetConsoleCtrlHandler`
//! call: they only write the signal's number to a pipe, which a thread of
//! ws2's reads.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, Once};

use ws2_abi::*;

use super::{FALSE, TRUE, win32};
use ws2_engine::fork;

/// `PHANDLER_ROUTINE`.
pub type HandlerRoutine = Option<unsafe extern "C" fn(DWORD) -> BOOL>;

const CTRL_C_EVENT: DWORD = 0;
const CTRL_BREAK_EVENT: DWORD = 1;
const CTRL_CLOSE_EVENT: DWORD = 2;

/// The signals ws2 turns into control events.
const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGQUIT, libc::SIGHUP, libc::SIGTERM];

/// The handlers, in the order they were added.
static HANDLERS: Mutex<Vec<unsafe extern "C" fn(DWORD) -> BOOL>> = Mutex::new(Vec::new());
/// `SetConsoleCtrlHandler(NULL, TRUE)` is in force.
static IGNORE_CTRL_C: AtomicBool = AtomicBool::new(false);
/// The pipe's write end, for the signal handler.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

fn control_event(signal: libc::c_int) -> DWORD {
    match signal {
        libc::SIGINT => CTRL_C_EVENT,
        libc::SIGQUIT => CTRL_BREAK_EVENT,
        _ => CTRL_CLOSE_EVENT,
    }
}

/// The signal handler: async-signal-safe, it only writes the number.
extern "C" fn on_signal(signal: libc::c_int) {
    let fd = SIGNAL_PIPE.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = signal as u8;
        // SAFETY: write(2) is async-signal-safe; one byte from the stack.
        unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
    }
}

/// Ends the process as `signal` would have without ws2's handler.
fn die_of(signal: libc::c_int) -> ! {
    // SAFETY: restoring the default action and raising the signal have no
    // memory preconditions; _exit does not return.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::kill(libc::getpid(), signal);
        std::thread::sleep(std::time::Duration::from_secs(1));
        libc::_exit(128 + signal)
    }
}

/// Runs the handlers for one signal (on a thread of its own, as Windows
/// runs them), the most recently added first.
fn dispatch(signal: libc::c_int) {
    let event = control_event(signal);
    if event == CTRL_C_EVENT && IGNORE_CTRL_C.load(Ordering::Acquire) {
        return;
    }
    let handlers: Vec<_> = fork::lock(&HANDLERS).clone();
    // SAFETY: each is a handler routine the program registered.
    let handled = handlers.iter().rev().any(|h| unsafe { h(event) } != FALSE);
    if !handled || event == CTRL_CLOSE_EVENT {
        die_of(signal);
    }
}

/// The pipe, its reader thread and the signal handlers, once.
fn install() -> bool {
    static INSTALLED: Once = Once::new();
    static OK: AtomicBool = AtomicBool::new(false);
    INSTALLED.call_once(|| {
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two fds into the array.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return;
        }
        let reader = fds[0];
        let started = std::thread::Builder::new()
            .name("ws2-console-ctrl".into())
            .spawn(move || {
                // SAFETY: blocks every signal in this thread only, on a
                // local, valid sigset_t.
                unsafe {
                    let mut all: libc::sigset_t = std::mem::zeroed();
                    libc::sigfillset(&mut all);
                    libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
                }
                let mut byte = 0u8;
                // SAFETY: reads one byte into a local.
                while unsafe { libc::read(reader, (&raw mut byte).cast(), 1) } == 1 {
                    let signal = byte as libc::c_int;
                    // A thread per event, as Windows starts one.
                    let _ = std::thread::Builder::new()
                        .name("ws2-console-handler".into())
                        .spawn(move || dispatch(signal));
                }
            });
        if started.is_err() {
            return;
        }
        SIGNAL_PIPE.store(fds[1], Ordering::Release);
        for signal in SIGNALS {
            // SAFETY: a zeroed sigaction with a plain handler, SA_RESTART so
            // that the program's system calls are not interrupted.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
        OK.store(true, Ordering::Release);
    });
    OK.load(Ordering::Acquire)
}

/// Adds or removes a handler; NULL with `add` TRUE ignores Ctrl+C, with
/// FALSE restores it. Removing a handler that was not added fails with
/// `ERROR_INVALID_PARAMETER`.
#[unsafe(no_mangle)]
pub extern "C" fn SetConsoleCtrlHandler(routine: HandlerRoutine, add: BOOL) -> BOOL {
    win32(FALSE, || {
        if !install() {
            return Err(ERROR_NOT_ENOUGH_MEMORY);
        }
        let Some(routine) = routine else {
            IGNORE_CTRL_C.store(add != FALSE, Ordering::Release);
            return Ok(TRUE);
        };
        let mut handlers = fork::lock(&HANDLERS);
        if add != FALSE {
            handlers.push(routine);
        } else {
            let at = handlers
                .iter()
                .rposition(|h| std::ptr::fn_addr_eq(*h, routine))
                .ok_or(ERROR_INVALID_PARAMETER)?;
            handlers.remove(at);
        }
        Ok(TRUE)
    })
}

/// Sends `CTRL_C_EVENT` (`SIGINT`) or `CTRL_BREAK_EVENT` (`SIGQUIT`) to the
/// processes of a group: 0 is the caller's process group (the processes
/// sharing its console, on Windows), another value the group that process
/// id leads.
#[unsafe(no_mangle)]
pub extern "C" fn GenerateConsoleCtrlEvent(event: DWORD, group: DWORD) -> BOOL {
    win32(FALSE, || {
        let signal = match event {
            CTRL_C_EVENT => libc::SIGINT,
            CTRL_BREAK_EVENT => libc::SIGQUIT,
            _ => return Err(ERROR_INVALID_PARAMETER),
        };
        let target = if group == 0 {
            0
        } else {
            -(group as libc::pid_t)
        };
        // SAFETY: kill has no memory preconditions.
        if unsafe { libc::kill(target, signal) } != 0 {
            return Err(ERROR_INVALID_PARAMETER);
        }
        Ok(TRUE)
    })
}
