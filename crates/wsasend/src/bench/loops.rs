//! The measured loops of `wsasend bench`: raw `sendmsg` (plain, with
//! `IP_PKTINFO`, UDP GSO) and each ws2 mode, blocking and overlapped, each
//! sending `count` datagrams and counting the ones that failed.

use super::*;

/// A prebuilt raw `msghdr` with its address, iovec and control buffer.
/// Boxed so the self-referencing pointers stay valid.
pub(crate) struct RawMsg {
    addr: libc::sockaddr_in,
    iov: libc::iovec,
    cmsg: [u64; 8],
    msg: libc::msghdr,
}

/// Linux `SOL_UDP` / `UDP_SEGMENT` (not in every libc target).
pub(super) const SOL_UDP: libc::c_int = 17;
pub(super) const UDP_SEGMENT: libc::c_int = 103;

/// Largest UDP payload of one IPv4 datagram: a GSO send carries at most this.
pub(super) const MAX_UDP4: usize = 65507;

/// Segments per GSO call for `size`-byte datagrams (54 for 1200).
pub(crate) fn gso_segments(size: u32) -> u64 {
    (MAX_UDP4 / size.max(1) as usize).clamp(1, 64) as u64
}

impl RawMsg {
    /// A message whose payload the kernel splits into `segment`-byte
    /// datagrams (UDP GSO: one `SOL_UDP`/`UDP_SEGMENT` u16 cmsg).
    pub(crate) fn new_gso(dest: SocketAddrV4, payload: &[u8], segment: u16) -> Box<RawMsg> {
        let mut m = RawMsg::new(dest, payload, false);
        let data_len = size_of::<u16>() as u32;
        m.msg.msg_control = m.cmsg.as_mut_ptr().cast();
        // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic.
        m.msg.msg_controllen = unsafe { libc::CMSG_SPACE(data_len) } as usize;
        assert!(m.msg.msg_controllen <= size_of::<[u64; 8]>());
        // SAFETY: msg_control points to an 8-aligned zeroed buffer of
        // msg_controllen bytes, room for one u16 cmsg.
        unsafe {
            let c = libc::CMSG_FIRSTHDR(&m.msg);
            (*c).cmsg_level = SOL_UDP;
            (*c).cmsg_type = UDP_SEGMENT;
            (*c).cmsg_len = libc::CMSG_LEN(data_len) as usize;
            std::ptr::write_unaligned(libc::CMSG_DATA(c).cast::<u16>(), segment);
        }
        m
    }

    pub(super) fn new(dest: SocketAddrV4, payload: &[u8], pktinfo: bool) -> Box<RawMsg> {
        // SAFETY: sockaddr_in, iovec and msghdr are plain C data for which
        // all-zero is a valid (empty) value.
        let mut m: Box<RawMsg> = Box::new(unsafe { std::mem::zeroed() });
        m.addr.sin_family = libc::AF_INET as libc::sa_family_t;
        m.addr.sin_port = dest.port().to_be();
        m.addr.sin_addr.s_addr = u32::from_ne_bytes(dest.ip().octets());
        m.iov.iov_base = payload.as_ptr() as *mut libc::c_void;
        m.iov.iov_len = payload.len();
        m.msg.msg_name = (&raw mut m.addr).cast();
        m.msg.msg_namelen = size_of::<libc::sockaddr_in>() as libc::socklen_t;
        m.msg.msg_iov = &raw mut m.iov;
        m.msg.msg_iovlen = 1;
        if pktinfo {
            let data_len = size_of::<libc::in_pktinfo>() as u32;
            m.msg.msg_control = m.cmsg.as_mut_ptr().cast();
            // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic.
            m.msg.msg_controllen = unsafe { libc::CMSG_SPACE(data_len) } as usize;
            assert!(m.msg.msg_controllen <= size_of::<[u64; 8]>());
            // SAFETY: msg_control points to an 8-aligned zeroed buffer of
            // msg_controllen bytes, big enough for one in_pktinfo cmsg, so
            // CMSG_FIRSTHDR is non-null and its data area is in bounds.
            unsafe {
                let c = libc::CMSG_FIRSTHDR(&m.msg);
                (*c).cmsg_level = libc::IPPROTO_IP;
                (*c).cmsg_type = libc::IP_PKTINFO;
                (*c).cmsg_len = libc::CMSG_LEN(data_len) as usize;
                std::ptr::write_unaligned(
                    libc::CMSG_DATA(c).cast::<libc::in_pktinfo>(),
                    libc::in_pktinfo {
                        ipi_ifindex: 0,
                        ipi_spec_dst: libc::in_addr {
                            s_addr: u32::from_ne_bytes(SOURCE.octets()),
                        },
                        ipi_addr: libc::in_addr { s_addr: 0 },
                    },
                );
            }
        }
        m
    }
}

/// A plain (no control data) raw message borrowing its payload.
pub struct RawMsgRef<'a> {
    m: Box<RawMsg>,
    _payload: std::marker::PhantomData<&'a [u8]>,
}

impl<'a> RawMsgRef<'a> {
    pub fn new(dest: SocketAddrV4, payload: &'a [u8]) -> RawMsgRef<'a> {
        RawMsgRef {
            m: RawMsg::new(dest, payload, false),
            _payload: std::marker::PhantomData,
        }
    }

    /// The msghdr, valid while `self` lives.
    pub fn msg(&self) -> &libc::msghdr {
        &self.m.msg
    }
}

/// `count` raw sendmsg calls; EAGAIN waits in poll (the fd is O_NONBLOCK in
/// the kernel, as every ws2 socket), EINTR retries. Returns the errors.
pub(crate) fn raw_loop(fd: RawFd, m: &RawMsg, count: u64) -> u64 {
    let mut errors = 0;
    for _ in 0..count {
        loop {
            // SAFETY: m.msg points into `m` (name, iovec, control), which
            // outlives the call, and at a payload the caller keeps alive.
            // The bare system call, as ws2 makes it (engine `sys.rs`):
            // glibc's wrapper is a cancellation point, two atomic
            // operations per call in a process with threads.
            let n = unsafe { libc::syscall(libc::SYS_sendmsg, fd, &m.msg, libc::MSG_NOSIGNAL) };
            if n >= 0 {
                break;
            }
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) => {
                    let mut pfd = libc::pollfd {
                        fd,
                        events: libc::POLLOUT,
                        revents: 0,
                    };
                    // SAFETY: pfd is one valid pollfd.
                    unsafe { libc::poll(&mut pfd, 1, -1) };
                }
                _ => {
                    errors += 1;
                    break;
                }
            }
        }
    }
    errors
}

/// `count` ws2 sends of a prebuilt message. Returns the errors.
pub(super) fn ws2_loop(tx: &Socket, msg: &Message<'_>, count: u64) -> u64 {
    let mut errors = 0;
    for _ in 0..count {
        if tx.send_msg(msg, SendFlags::NONE).is_err() {
            errors += 1;
        }
    }
    errors
}

/// `send_to_port` then `port.get` per datagram. Returns the errors.
pub(super) fn port_each_loop(
    tx: &Socket,
    port: &CompletionPort,
    buf: &'static [u8],
    to: SocketAddr,
    count: u64,
) -> u64 {
    let mut errors = 0;
    for _ in 0..count {
        if tx.send_to_port(buf, Some(to), &[]).is_err() {
            errors += 1;
            continue;
        }
        match port.get(None) {
            Some(c) if c.result.is_ok() => {}
            _ => errors += 1,
        }
    }
    errors
}

/// Batches of 64 `send_to_port`, then `get_many(64)` until all are back.
pub(crate) fn port_batch_loop(
    tx: &Socket,
    port: &CompletionPort,
    buf: &'static [u8],
    to: SocketAddr,
    count: u64,
) -> u64 {
    let mut errors = 0;
    let mut left = count;
    let mut done = Vec::with_capacity(BATCH as usize);
    while left > 0 {
        let k = left.min(BATCH);
        left -= k;
        let mut out = 0;
        for _ in 0..k {
            match tx.send_to_port(buf, Some(to), &[]) {
                Ok(()) => out += 1,
                Err(_) => errors += 1,
            }
        }
        while out > 0 {
            done.clear();
            port.get_many_into(&mut done, BATCH as usize, None);
            for c in &done {
                out -= 1;
                errors += u64::from(c.result.is_err());
            }
        }
    }
    errors
}

/// `send_overlapped` then `PendingSend::wait` per datagram.
pub(super) fn event_loop(tx: &Socket, buf: &'static [u8], to: SocketAddr, count: u64) -> u64 {
    let mut errors = 0;
    for _ in 0..count {
        match tx.send_overlapped(buf, Some(to), &[]) {
            Ok(p) => errors += u64::from(p.wait().result.is_err()),
            Err(_) => errors += 1,
        }
    }
    errors
}

thread_local! {
    /// Routines run on the issuing thread: (ran, failed).
    static ROUTINES: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

/// Batches of 64 `send_with_routine`, then `sleep_alertable(0)` (and a
/// waiting one if some are still pending) until every routine ran.
pub(super) fn routine_loop(tx: &Socket, buf: &'static [u8], to: SocketAddr, count: u64) -> u64 {
    let mut errors = 0;
    let mut left = count;
    ROUTINES.set((0, 0));
    let mut issued = 0;
    while left > 0 {
        let k = left.min(BATCH);
        left -= k;
        for _ in 0..k {
            let r = tx.send_with_routine(buf, Some(to), &[], |c| {
                let (ran, failed) = ROUTINES.get();
                ROUTINES.set((ran + 1, failed + u64::from(c.result.is_err())));
            });
            match r {
                Ok(()) => issued += 1,
                Err(_) => errors += 1,
            }
        }
        ws2::sleep_alertable(Duration::ZERO);
        while ROUTINES.get().0 < issued {
            ws2::sleep_alertable(Duration::from_secs(5));
        }
    }
    errors + ROUTINES.get().1
}

/// C ABI: `WSASendMsg` with an OVERLAPPED per datagram on a port socket; a
/// packet is dequeued for every pending send, and for immediate ones unless
/// the socket skips them.
pub(super) fn capi_loop(c: &CapiSocket, dest: SocketAddrV4, payload: &[u8], count: u64) -> u64 {
    let mut to = abi::SOCKADDR_IN {
        sin_family: abi::AF_INET as abi::ADDRESS_FAMILY,
        sin_port: dest.port().to_be(),
        sin_addr: abi::IN_ADDR {
            s_addr: u32::from_ne_bytes(dest.ip().octets()),
        },
        sin_zero: [0; 8],
    };
    let mut wsabuf = abi::WSABUF {
        len: payload.len() as u32,
        buf: payload.as_ptr() as *mut std::ffi::c_char,
    };
    let mut msg = abi::WSAMSG {
        name: (&raw mut to).cast(),
        namelen: size_of::<abi::SOCKADDR_IN>() as i32,
        lpBuffers: &raw mut wsabuf,
        dwBufferCount: 1,
        Control: abi::WSABUF {
            len: 0,
            buf: std::ptr::null_mut(),
        },
        dwFlags: 0,
    };
    let mut ov = abi::WSAOVERLAPPED::default();
    let mut errors = 0;
    for _ in 0..count {
        ov = abi::WSAOVERLAPPED::default();
        let mut sent: abi::DWORD = 0;
        // SAFETY: msg points at `to`, `wsabuf` and the payload, all alive
        // until the send completes (it is dequeued below before reuse); `ov`
        // is reused only after its completion was taken.
        let r = unsafe { ws2_32::WSASendMsg(c.socket, &mut msg, 0, &mut sent, &mut ov, None) };
        if r == 0 {
            if c.skip {
                continue;
            }
        } else if ws2_32::WSAGetLastError() != abi::WSA_IO_PENDING {
            errors += 1;
            continue;
        }
        let (mut bytes, mut key, mut done) = (0, 0, std::ptr::null_mut());
        // SAFETY: out-pointers are writable locals.
        let ok = unsafe {
            ws2_32::GetQueuedCompletionStatus(
                c.port,
                &mut bytes,
                &mut key,
                &mut done,
                abi::INFINITE,
            )
        };
        if ok == 0 || done != &raw mut ov {
            errors += 1;
        }
    }
    let _ = ov;
    errors
}
