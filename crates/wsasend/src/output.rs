//! Where `send` and `recv` write: stdout lines that end quietly when the
//! reader goes away (`wsasend recv | head -1`), JSON lines, SIGINT/SIGTERM
//! as a request to stop and report, and the progress bar (a terminal only).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::{AppError, AppResult};

/// `println!` for the demo and bench tables, returning `AppResult<()>`: a
/// closed standard output ends the run quietly (see [`print_line`]).
#[macro_export]
macro_rules! outln {
    () => {
        $crate::print_line("")
    };
    ($($arg:tt)*) => {
        $crate::print_line(&format!($($arg)*))
    };
}

/// Writes one line to stdout; a closed pipe is [`AppError::quiet`], which
/// ends the run with status 0 and no message once the caller returns it.
pub fn print_line(text: &str) -> AppResult<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(AppError::quiet()),
        Err(e) => Err(AppError::setup(format!("writing to standard output: {e}"))),
    }
}

/// Version of every JSON object `send`, `recv` and `bench` print (field
/// `"version"`). Fields may be added within a version; a field is renamed,
/// removed or changes meaning only with a new version.
pub const JSON_VERSION: u32 = 1;

/// Standard output, line by line. A closed pipe ends the run quietly:
/// writes become no-ops and [`Out::closed`] says so.
pub struct Out {
    closed: bool,
    is_pipe: bool,
    /// When [`Out::closed`] last looked at the pipe.
    polled: Option<Instant>,
}

/// How often [`Out::closed`] looks at the pipe (a syscall) at most.
const POLL_EVERY: Duration = Duration::from_millis(100);

impl Out {
    pub fn new() -> Out {
        // SAFETY: fstat on fd 1 writes only into `st`, a zeroed stat.
        let is_pipe = unsafe {
            let mut st: libc::stat = std::mem::zeroed();
            libc::fstat(1, &mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFIFO
        };
        Out {
            closed: false,
            is_pipe,
            polled: None,
        }
    }

    /// Writes one line and flushes it.
    pub fn line(&mut self, text: &str) -> AppResult<()> {
        if self.closed {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        let r = writeln!(out, "{text}").and_then(|()| out.flush());
        match r {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(AppError::setup(format!("writing to standard output: {e}"))),
        }
    }

    /// Writes `value` as one line of JSON.
    pub fn json<T: Serialize>(&mut self, value: &T) -> AppResult<()> {
        let text = serde_json::to_string(value)
            .map_err(|e| AppError::setup(format!("JSON output: {e}")))?;
        self.line(&text)
    }

    /// Whether the reader of standard output went away: a write failed with
    /// a broken pipe, or (checked without writing, at most every 100 ms)
    /// the pipe's reading end is closed.
    pub fn closed(&mut self) -> bool {
        if !self.closed && self.is_pipe && self.polled.is_none_or(|t| t.elapsed() >= POLL_EVERY) {
            self.polled = Some(Instant::now());
            let mut pfd = libc::pollfd {
                fd: 1,
                events: 0,
                revents: 0,
            };
            // SAFETY: one valid pollfd, no wait.
            let n = unsafe { libc::poll(&mut pfd, 1, 0) };
            self.closed = n > 0 && pfd.revents & (libc::POLLERR | libc::POLLHUP) != 0;
        }
        self.closed
    }
}

/// The signal that asked the run to stop (0: none yet).
static STOP: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_stop_signal(sig: libc::c_int) {
    STOP.store(sig, Ordering::Relaxed);
}

/// From now on SIGINT and SIGTERM ask the run to stop (see [`stop_signal`])
/// instead of killing it; a second one kills as usual (`SA_RESETHAND`).
/// No `SA_RESTART`: a waiting call wakes up to look.
pub fn stop_on_signals() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: sigaction is plain C data, zero is a valid start; the
        // handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_stop_signal as extern "C" fn(libc::c_int) as usize;
            sa.sa_flags = libc::SA_RESETHAND;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// The name of the signal that asked to stop, if one did.
pub fn stop_signal() -> Option<&'static str> {
    match STOP.load(Ordering::Relaxed) {
        0 => None,
        libc::SIGINT => Some("SIGINT"),
        libc::SIGTERM => Some("SIGTERM"),
        _ => Some("a signal"),
    }
}

/// A progress bar on stderr of `len` steps, only when stderr is a terminal.
pub fn progress(len: u64, template: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    Some(bar)
}

/// `1 datagram`, `2 datagrams`.
pub fn count(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// `bytes` over `secs` in bits/s (0 when no time passed).
pub fn bits_per_s(bytes: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        bytes as f64 * 8.0 / secs
    } else {
        0.0
    }
}

/// A bit rate for people: `512 kbit/s`, `1.20 Gbit/s`.
pub fn human_bits(bps: f64) -> String {
    let (v, unit) = if bps >= 1e9 {
        (bps / 1e9, "Gbit/s")
    } else if bps >= 1e6 {
        (bps / 1e6, "Mbit/s")
    } else if bps >= 1e3 {
        (bps / 1e3, "kbit/s")
    } else {
        (bps, "bit/s")
    };
    if v >= 100.0 {
        format!("{v:.0} {unit}")
    } else {
        format!("{v:.2} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_rates_read_well() {
        assert_eq!(human_bits(0.0), "0.00 bit/s");
        assert_eq!(human_bits(512_000.0), "512 kbit/s");
        assert_eq!(human_bits(1.2e9), "1.20 Gbit/s");
        assert_eq!(human_bits(25.5e6), "25.50 Mbit/s");
        assert_eq!(bits_per_s(1000, 0.0), 0.0);
        assert_eq!(bits_per_s(1000, 2.0), 4000.0);
        assert_eq!(count(1, "datagram"), "1 datagram");
        assert_eq!(count(0, "send"), "0 sends");
    }
}
