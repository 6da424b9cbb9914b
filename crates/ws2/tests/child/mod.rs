//! Runs test code in a forked child process. The child is a copy of one
//! thread of a multi-threaded test process: it uses ws2, libc and the heap,
//! never std's I/O (another test thread may have held its locks at the
//! fork) and never panics on purpose; it reports through a pipe and leaves
//! with `_exit`. Shared by the test binaries that fork (S18, S43).
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// The result a child reports: `Ok` or what went wrong.
pub type Outcome = Result<(), String>;

/// `Err(message)` unless `cond`.
pub fn check(cond: bool, what: impl FnOnce() -> String) -> Outcome {
    if cond { Ok(()) } else { Err(what()) }
}

/// A forked child: its pid and the read end of its report pipe.
pub struct Child {
    pub pid: libc::pid_t,
    report: libc::c_int,
}

/// Forks; the child runs `f`, writes its error (if any) to the report pipe
/// and exits 0 on success, 1 on failure. The parent gets the child back.
pub fn fork(f: impl FnOnce() -> Outcome) -> Child {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid array of two ints.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: fork has no arguments; the child below only runs `f`, libc
    // calls and `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        // SAFETY: closing the child's copy of the read end.
        unsafe { libc::close(fds[0]) };
        // A panic must not unwind into the copy of the test harness.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .unwrap_or_else(|_| Err("the child panicked".into()));
        let code = match outcome {
            Ok(()) => 0,
            Err(message) => {
                write_all(fds[1], message.as_bytes());
                1
            }
        };
        // SAFETY: leaves the child without running the test harness's
        // atexit work, which belongs to the parent.
        unsafe { libc::_exit(code) };
    }
    // SAFETY: closing the parent's copy of the write end.
    unsafe { libc::close(fds[1]) };
    Child {
        pid,
        report: fds[0],
    }
}

fn write_all(fd: libc::c_int, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: bytes is a live slice.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

impl Child {
    /// Waits up to `limit` for the child; kills it after that. `Err` with
    /// the child's report, or with "hung" if it had to be killed.
    pub fn wait(self, limit: Duration) -> Outcome {
        let start = Instant::now();
        let mut status = 0;
        loop {
            // SAFETY: status is a valid int; WNOHANG never blocks.
            let r = unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) };
            if r == self.pid {
                break;
            }
            if start.elapsed() > limit {
                // SAFETY: our own child.
                unsafe {
                    libc::kill(self.pid, libc::SIGKILL);
                    libc::waitpid(self.pid, &mut status, 0);
                    libc::close(self.report);
                }
                return Err(format!("child {} hung for {limit:?}; killed", self.pid));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let report = read_all(self.report);
        // SAFETY: our read end.
        unsafe { libc::close(self.report) };
        if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
            Ok(())
        } else {
            Err(format!(
                "child {} failed (wait status {status:#x}): {report}",
                self.pid
            ))
        }
    }
}

fn read_all(fd: libc::c_int) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: buf is a live buffer; the write end is closed, so read ends.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            return String::from_utf8_lossy(&out).into_owned();
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
}

/// Lowers the soft `RLIMIT_NOFILE` to `limit` and opens descriptors until
/// none is left; returns them (give them back with [`release_fds`]).
pub fn exhaust_fds(limit: u64) -> Result<Vec<libc::c_int>, String> {
    let mut rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: rl is a valid rlimit.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) };
    rl.rlim_cur = limit;
    // SAFETY: as above.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &rl) } != 0 {
        return Err(format!("setrlimit: {}", std::io::Error::last_os_error()));
    }
    let mut held = Vec::new();
    loop {
        // SAFETY: duplicates stdin (or fails with EMFILE once none is left).
        let fd = unsafe { libc::fcntl(0, libc::F_DUPFD_CLOEXEC, 0) };
        if fd < 0 {
            let e = std::io::Error::last_os_error();
            return if e.raw_os_error() == Some(libc::EMFILE) {
                Ok(held)
            } else {
                Err(format!("dup: {e}"))
            };
        }
        held.push(fd);
        if held.len() > 100_000 {
            return Err("RLIMIT_NOFILE did not bound the descriptors".into());
        }
    }
}

/// Closes what [`exhaust_fds`] opened.
pub fn release_fds(fds: Vec<libc::c_int>) {
    for fd in fds {
        // SAFETY: descriptors exhaust_fds opened.
        unsafe { libc::close(fd) };
    }
}
