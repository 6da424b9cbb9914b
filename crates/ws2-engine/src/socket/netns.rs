//! Work that must happen in a socket's network namespace: a socket made in
//! one namespace (a test host's thread) may be used from a thread of
//! another, and address probes, route lookups and the group sockets of a
//! join (`groups`) must see the socket's namespace, not the caller's.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Runs `f` in the network namespace of the socket `fd`: on this thread
/// when it is already there (or the namespace cannot be told), else on a
/// helper thread that enters it. `None` when the helper thread cannot be
/// started or cannot enter the namespace. Only on slow paths (joins,
/// failure diagnostics).
pub(crate) fn in_socket_namespace<R: Send>(fd: RawFd, f: impl FnOnce() -> R + Send) -> Option<R> {
    const SIOCGSKNS: libc::c_ulong = 0x894C;
    // SAFETY: SIOCGSKNS takes no argument and returns a new fd for the
    // socket's network namespace.
    let ns = unsafe { libc::ioctl(fd, SIOCGSKNS as _) };
    if ns < 0 {
        return Some(f());
    }
    // SAFETY: ns is a fresh descriptor we own.
    let ns = unsafe { OwnedFd::from_raw_fd(ns) };
    let same = match (
        std::fs::metadata("/proc/thread-self/ns/net"),
        fd_inode(ns.as_raw_fd()),
    ) {
        (Ok(m), Some(ino)) => std::os::unix::fs::MetadataExt::ino(&m) == ino,
        _ => true,
    };
    if same {
        return Some(f());
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("ws2-netns".into())
            .spawn_scoped(scope, || {
                // SAFETY: setns on this helper thread only, with a
                // namespace fd we own.
                if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } < 0 {
                    return None;
                }
                Some(f())
            })
            .ok()?
            .join()
            .ok()
            .flatten()
    })
}

fn fd_inode(fd: RawFd) -> Option<u64> {
    // SAFETY: fstat fills a valid, zeroed stat struct.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        (libc::fstat(fd, &mut st) == 0).then_some(st.st_ino)
    }
}
