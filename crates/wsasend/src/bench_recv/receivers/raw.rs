//! The raw Linux receivers the others are measured against: `recvmsg`
//! one datagram at a time ([`raw_drain`], also with `UDP_GRO`) and
//! `recvmmsg` into 32 buffers ([`raw_mmsg_drain`]). Both are made with
//! `syscall`, as ws2 makes them (engine `sys.rs`): glibc's wrappers are
//! cancellation points, which in this process (it has other threads)
//! cost two atomic operations per call that the bare system call does
//! not, and the yardstick is the system call.

use super::*;

/// `want` datagrams by `recvmsg` into `buf`, each one's control data walked
/// with `CMSG_NXTHDR` for the destination, the ECN bits and a segment size.
pub(super) fn raw_drain(fd: RawFd, want: u64, buf: &mut [u8], seen: &mut Seen) -> u64 {
    let mut control = [0u64; 16];
    // SAFETY: plain C data; all-zero is valid.
    let mut name: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let mut got = 0;
    while got < want {
        // SAFETY: plain C data; all-zero is valid.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = (&raw mut name).cast();
        msg.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = size_of::<[u64; 16]>();
        // SAFETY: msg points at live locals and `buf`.
        let n = unsafe { libc::syscall(libc::SYS_recvmsg, fd, &mut msg, 0) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        // SAFETY: the kernel filled msg's control buffer.
        let segment = unsafe { seen.linux(&msg) };
        got += datagrams(n as usize, segment);
    }
    got
}

/// Messages per `recvmmsg` of [`raw_mmsg_drain`], as many as the posted
/// receives it stands beside.
const MMSG: usize = 32;

/// `want` datagrams by `recvmmsg` into [`MMSG`] buffers of [`BUF`] bytes,
/// each message's control data walked as [`raw_drain`] walks it.
pub(super) fn raw_mmsg_drain(fd: RawFd, want: u64, seen: &mut Seen) -> u64 {
    struct Buffers {
        data: Vec<Vec<u8>>,
        control: [[u64; 16]; MMSG],
        names: [libc::sockaddr_storage; MMSG],
        iovs: [libc::iovec; MMSG],
        msgs: [libc::mmsghdr; MMSG],
    }
    thread_local! {
        static BUFFERS: std::cell::RefCell<Option<Box<Buffers>>> =
            const { std::cell::RefCell::new(None) };
    }
    BUFFERS.with(|b| {
        let mut b = b.borrow_mut();
        let b = b.get_or_insert_with(|| {
            Box::new(Buffers {
                data: (0..MMSG).map(|_| vec![0u8; BUF]).collect(),
                control: [[0; 16]; MMSG],
                // SAFETY: plain C data; all-zero is valid.
                names: unsafe { std::mem::zeroed() },
                // SAFETY: as above.
                iovs: unsafe { std::mem::zeroed() },
                // SAFETY: as above.
                msgs: unsafe { std::mem::zeroed() },
            })
        });
        let mut got = 0;
        while got < want {
            let n = MMSG.min((want - got) as usize);
            for j in 0..n {
                b.iovs[j] = libc::iovec {
                    iov_base: b.data[j].as_mut_ptr().cast(),
                    iov_len: BUF,
                };
                let h = &mut b.msgs[j].msg_hdr;
                h.msg_name = (&raw mut b.names[j]).cast();
                h.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
                h.msg_iov = &raw mut b.iovs[j];
                h.msg_iovlen = 1;
                h.msg_control = b.control[j].as_mut_ptr().cast();
                h.msg_controllen = size_of::<[u64; 16]>();
                h.msg_flags = 0;
            }
            // SAFETY: msgs[..n] point at this thread's live buffers.
            let r = unsafe {
                libc::syscall(
                    libc::SYS_recvmmsg,
                    fd,
                    b.msgs.as_mut_ptr(),
                    n as u32,
                    0,
                    std::ptr::null_mut::<libc::timespec>(),
                )
            };
            if r < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                break;
            }
            for m in &b.msgs[..r as usize] {
                // SAFETY: the kernel filled message m's control buffer.
                let segment = unsafe { seen.linux(&m.msg_hdr) };
                got += datagrams(m.msg_len as usize, segment);
            }
        }
        got
    })
}
