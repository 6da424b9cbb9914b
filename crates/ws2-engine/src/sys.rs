//! The socket system calls of the send and receive paths, made directly.
//!
//! glibc's `recvmsg`, `recvmmsg`, `sendmsg` and `sendmmsg` are
//! cancellation points (as are `send`, `recv`, `read` and `write`): in a
//! process with more than one thread (every
//! program that has an overlapped operation pending: ws2's reactor is a
//! thread) each call switches asynchronous cancellation on and off around
//! the system call, two atomic read-modify-writes of the thread's
//! cancellation word (`__pthread_enable_asynccancel`/`disable`), as much as
//! a receive's whole handle lookup used to cost. Winsock calls are not
//! cancellation points (Windows has no `pthread_cancel`), and ws2's blocking
//! waits in `poll` still are, so these skip the wrapper: glibc's `syscall`
//! is not a cancellation point. Same arguments, result and
//! `errno` as the libc functions.

use libc::{c_int, c_uint, c_void, mmsghdr, msghdr, size_t, ssize_t};

/// `recvmsg(2)`.
///
/// # Safety
/// As `libc::recvmsg`: `msg` describes memory valid for the call.
#[inline]
pub(crate) unsafe fn recvmsg(fd: c_int, msg: *mut msghdr, flags: c_int) -> ssize_t {
    // SAFETY: the caller's contract is recvmsg's; the kernel reads and
    // writes only what `msg` describes.
    unsafe { libc::syscall(libc::SYS_recvmsg, fd, msg, flags) as ssize_t }
}

/// `recvmmsg(2)` without a timeout.
///
/// # Safety
/// As `libc::recvmmsg`: `msgs` holds `vlen` headers describing memory
/// valid for the call.
#[inline]
pub(crate) unsafe fn recvmmsg(fd: c_int, msgs: *mut mmsghdr, vlen: c_uint, flags: c_int) -> c_int {
    // SAFETY: as above; a null timeout.
    unsafe {
        libc::syscall(
            libc::SYS_recvmmsg,
            fd,
            msgs,
            vlen,
            flags,
            std::ptr::null_mut::<libc::timespec>(),
        ) as c_int
    }
}

/// `sendmsg(2)`.
///
/// # Safety
/// As `libc::sendmsg`: `msg` describes memory valid for the call.
#[inline]
pub(crate) unsafe fn sendmsg(fd: c_int, msg: *const msghdr, flags: c_int) -> ssize_t {
    // SAFETY: the caller's contract is sendmsg's; the kernel only reads.
    unsafe { libc::syscall(libc::SYS_sendmsg, fd, msg, flags) as ssize_t }
}

/// `sendmmsg(2)`.
///
/// # Safety
/// As `libc::sendmmsg`: `msgs` holds `vlen` headers describing memory
/// valid for the call.
#[inline]
pub(crate) unsafe fn sendmmsg(fd: c_int, msgs: *mut mmsghdr, vlen: c_uint, flags: c_int) -> c_int {
    // SAFETY: as above; the kernel writes only each header's `msg_len`.
    unsafe { libc::syscall(libc::SYS_sendmmsg, fd, msgs, vlen, flags) as c_int }
}

/// `send(2)` (`sendto` without an address, as glibc makes it).
///
/// # Safety
/// As `libc::send`: `buf` readable for `len` bytes.
#[inline]
pub(crate) unsafe fn send(fd: c_int, buf: *const c_void, len: size_t, flags: c_int) -> ssize_t {
    // SAFETY: the caller's contract is send's; the kernel only reads.
    unsafe { libc::syscall(libc::SYS_sendto, fd, buf, len, flags, 0usize, 0usize) as ssize_t }
}

/// `recv(2)` (`recvfrom` without an address, as glibc makes it).
///
/// # Safety
/// As `libc::recv`: `buf` writable for `len` bytes (or null with a flag
/// that writes nothing, such as `MSG_TRUNC` on TCP).
#[inline]
pub(crate) unsafe fn recv(fd: c_int, buf: *mut c_void, len: size_t, flags: c_int) -> ssize_t {
    // SAFETY: the caller's contract is recv's; the kernel writes only `buf`.
    unsafe { libc::syscall(libc::SYS_recvfrom, fd, buf, len, flags, 0usize, 0usize) as ssize_t }
}

/// `read(2)`, for the eventfds and timerfds ws2 makes.
///
/// # Safety
/// As `libc::read`: `buf` writable for `count` bytes.
#[inline]
pub(crate) unsafe fn read(fd: c_int, buf: *mut c_void, count: size_t) -> ssize_t {
    // SAFETY: the caller's contract is read's.
    unsafe { libc::syscall(libc::SYS_read, fd, buf, count) as ssize_t }
}

/// `write(2)`, for the eventfds ws2 makes.
///
/// # Safety
/// As `libc::write`: `buf` readable for `count` bytes.
#[inline]
pub(crate) unsafe fn write(fd: c_int, buf: *const c_void, count: size_t) -> ssize_t {
    // SAFETY: the caller's contract is write's; the kernel only reads.
    unsafe { libc::syscall(libc::SYS_write, fd, buf, count) as ssize_t }
}
