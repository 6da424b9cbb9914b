//! Reading and writing memory a C caller handed over that may not all be
//! there (S3, S21): a caller array that runs into unreadable memory is
//! `WSAEFAULT`, never a fault in ws2, and nothing is sized from a caller's
//! count before the memory behind it has been read.
//!
//! Which pointers are covered: the `WSABUF` array of every send and receive
//! when it has more than [`INLINE_BUFFERS`] entries (probed before the
//! iovec array is sized from `dwBufferCount`); a send's `Control` buffer
//! when `Control.len` is above [`CONTROL_INLINE`]; a destination or
//! `bind`/`connect` `SOCKADDR` whose `namelen` is above
//! `sizeof(SOCKADDR_STORAGE)`; and the data of more than [`MAX_IOVECS`]
//! buffers, which is copied into (send) or out of (receive) one bounce
//! buffer here. Smaller arrays are read directly, as Winsock's contract
//! allows, so the common path adds no syscall.
//!
//! How: `process_vm_readv`/`process_vm_writev` on our own process. The
//! kernel copies and answers `EFAULT` where a page is missing or not
//! readable (or writable), instead of a signal; it needs no fd (so it works
//! with every fd in use), takes no lock and allocates nothing (it is
//! async-signal-safe), and for the bounce copies what is checked is what
//! is copied, with no window between a probe and the use. Where a sandbox
//! refuses the call (`ENOSYS`, `EPERM`), ws2 falls back to plain reads and
//! copies, trusting the caller as before.
//!
//! [`INLINE_BUFFERS`]: crate::translate::INLINE_BUFFERS
//! [`MAX_IOVECS`]: crate::translate::MAX_IOVECS
//! [`CONTROL_INLINE`]: crate::translate::CONTROL_INLINE

use std::sync::atomic::{AtomicU8, Ordering};

const UNKNOWN: u8 = 0;
const AVAILABLE: u8 = 1;
const REFUSED: u8 = 2;

/// Whether `process_vm_readv` works in this process (sandboxes may refuse it).
static VM_CALLS: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Most iovecs one `process_vm_*` call takes (`IOV_MAX`).
const IOV_MAX: usize = 1024;

/// What one `process_vm_*` call did.
enum Copied {
    /// This many bytes (fewer than asked: the rest is not there).
    Bytes(usize),
    /// The kernel refuses the call here: copy directly.
    Refused,
}

fn vm_call(write: bool, local: &[libc::iovec], remote: &[libc::iovec]) -> Copied {
    if VM_CALLS.load(Ordering::Relaxed) == REFUSED {
        return Copied::Refused;
    }
    loop {
        // SAFETY: both iovec arrays are live for the call and hold at most
        // IOV_MAX entries; the local ones describe memory we own and may
        // write (read) for their lengths; the remote ones are only touched
        // by the kernel, which checks them and answers EFAULT.
        let n = unsafe {
            if write {
                libc::process_vm_writev(
                    libc::getpid(),
                    local.as_ptr(),
                    local.len() as libc::c_ulong,
                    remote.as_ptr(),
                    remote.len() as libc::c_ulong,
                    0,
                )
            } else {
                libc::process_vm_readv(
                    libc::getpid(),
                    local.as_ptr(),
                    local.len() as libc::c_ulong,
                    remote.as_ptr(),
                    remote.len() as libc::c_ulong,
                    0,
                )
            }
        };
        if n >= 0 {
            VM_CALLS.store(AVAILABLE, Ordering::Relaxed);
            return Copied::Bytes(n as usize);
        }
        match crate::error::errno() {
            libc::EINTR => continue,
            libc::ENOSYS | libc::EPERM => {
                VM_CALLS.store(REFUSED, Ordering::Relaxed);
                return Copied::Refused;
            }
            // EFAULT (nothing there at all), ENOMEM, ESRCH: not readable.
            _ => return Copied::Bytes(0),
        }
    }
}

/// Whether `len` bytes at `ptr` can be read. Reads them into a scratch
/// page (256 KiB per call), stopping at the first missing page.
pub(crate) fn readable(ptr: *const u8, len: usize) -> bool {
    const SCRATCH: usize = 4096;
    const REPEAT: usize = 64;
    if len == 0 {
        return true;
    }
    if (ptr as usize).checked_add(len).is_none() {
        return false;
    }
    let mut scratch = [0u8; SCRATCH];
    let local = [libc::iovec {
        iov_base: scratch.as_mut_ptr().cast(),
        iov_len: SCRATCH,
    }; REPEAT];
    let mut done = 0;
    while done < len {
        let chunk = (len - done).min(SCRATCH * REPEAT);
        let remote = [libc::iovec {
            // The kernel only reads through this pointer (process_vm_readv).
            iov_base: ptr.wrapping_add(done).cast_mut().cast(),
            iov_len: chunk,
        }];
        match vm_call(false, &local[..chunk.div_ceil(SCRATCH)], &remote) {
            Copied::Refused => return true,
            Copied::Bytes(n) if n == chunk => done += n,
            Copied::Bytes(_) => return false,
        }
    }
    true
}

/// Copies the bytes the caller's `iov` describe, in order, into `out`
/// (exactly as long as their total); false when some are not readable.
pub(crate) fn gather(iov: &[libc::iovec], out: &mut [u8]) -> bool {
    debug_assert_eq!(iov.iter().map(|v| v.iov_len).sum::<usize>(), out.len());
    let mut at = 0;
    for chunk in iov.chunks(IOV_MAX) {
        let len: usize = chunk.iter().map(|v| v.iov_len).sum();
        let local = [libc::iovec {
            iov_base: out[at..].as_mut_ptr().cast(),
            iov_len: len,
        }];
        match vm_call(false, &local, chunk) {
            Copied::Bytes(n) if n == len => {}
            Copied::Bytes(_) => return false,
            Copied::Refused => {
                for v in chunk {
                    // SAFETY: the fallback trusts the caller, as Winsock's
                    // contract does: each iovec is readable for its length;
                    // `out` has room (the lengths add up to out.len()).
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            v.iov_base.cast::<u8>(),
                            out.as_mut_ptr().add(at),
                            v.iov_len,
                        )
                    };
                    at += v.iov_len;
                }
                continue;
            }
        }
        at += len;
    }
    true
}

/// Copies `data` into the caller's `iov` in order, as far as it goes;
/// false when some of that memory is not writable.
pub(crate) fn scatter(data: &[u8], iov: &[libc::iovec]) -> bool {
    let mut at = 0;
    for chunk in iov.chunks(IOV_MAX) {
        if at == data.len() {
            break;
        }
        // Only as much of this chunk as there is data for.
        let mut remote = [libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }; IOV_MAX];
        let mut count = 0;
        let mut len = 0;
        for v in chunk {
            if at + len == data.len() {
                break;
            }
            let take = v.iov_len.min(data.len() - at - len);
            remote[count] = libc::iovec {
                iov_base: v.iov_base,
                iov_len: take,
            };
            count += 1;
            len += take;
        }
        let local = [libc::iovec {
            // The kernel only reads through this pointer (process_vm_writev).
            iov_base: data[at..].as_ptr().cast_mut().cast(),
            iov_len: len,
        }];
        match vm_call(true, &local, &remote[..count]) {
            Copied::Bytes(n) if n == len => {}
            Copied::Bytes(_) => return false,
            Copied::Refused => {
                let mut from = at;
                for v in &remote[..count] {
                    // SAFETY: the fallback trusts the caller: each iovec is
                    // writable for its length, and `data` holds these bytes.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            data.as_ptr().add(from),
                            v.iov_base.cast::<u8>(),
                            v.iov_len,
                        )
                    };
                    from += v.iov_len;
                }
            }
        }
        at += len;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two pages, the second PROT_NONE; returns the first page's address.
    fn guarded() -> *mut u8 {
        // SAFETY: an anonymous private mapping; mprotect on its second page.
        unsafe {
            let p = libc::mmap(
                std::ptr::null_mut(),
                8192,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert_ne!(p, libc::MAP_FAILED);
            assert_eq!(
                libc::mprotect(p.cast::<u8>().add(4096).cast(), 4096, libc::PROT_NONE),
                0
            );
            p.cast()
        }
    }

    #[test]
    fn probes_stop_at_a_guard_page() {
        let p = guarded();
        assert!(readable(p, 4096));
        assert!(readable(p.wrapping_add(4000), 96));
        assert!(!readable(p.wrapping_add(4000), 97));
        assert!(!readable(p, 1 << 40));
        assert!(!readable(std::ptr::null(), 1));
        assert!(readable(std::ptr::null(), 0));
        assert!(
            !readable(usize::MAX as *const u8, 2),
            "wraps the address space"
        );
    }

    #[test]
    fn gather_and_scatter_through_many_iovecs() {
        let src: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
        let iov: Vec<libc::iovec> = src
            .chunks(1)
            .map(|c| libc::iovec {
                iov_base: c.as_ptr().cast_mut().cast(),
                iov_len: 1,
            })
            .collect();
        let mut out = vec![0u8; src.len()];
        assert!(gather(&iov, &mut out));
        assert_eq!(out, src);

        let mut dst = vec![0u8; 3000];
        let dst_iov: Vec<libc::iovec> = dst
            .chunks_mut(3)
            .map(|c| libc::iovec {
                iov_base: c.as_mut_ptr().cast(),
                iov_len: 3,
            })
            .collect();
        assert!(scatter(&src[..2500], &dst_iov));
        assert_eq!(&dst[..2500], &src[..2500]);
        assert!(dst[2500..].iter().all(|&b| b == 0), "nothing past the data");

        let p = guarded();
        let bad = [libc::iovec {
            iov_base: p.wrapping_add(4090).cast(),
            iov_len: 10,
        }];
        let mut ten = [0u8; 10];
        assert!(!gather(&bad, &mut ten));
        assert!(!scatter(&ten, &bad));
        assert!(
            scatter(&ten[..6], &bad),
            "only the bytes written must be writable"
        );
    }
}
