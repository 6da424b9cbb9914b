//! Receiving from a socket that joined groups: its own fd and its group
//! sockets' fds, Windows' receiver-side `IP_MULTICAST_LOOP`.

use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::error::errno;
use crate::fork::lock;
use crate::translate::LinuxAddr;

use super::super::{MULTICAST_NO_LOOP, SocketCore, is_local_address, set_int};

/// How long a "this source is (not) local" answer is kept.
const LOCAL_SOURCE_TTL: Duration = Duration::from_secs(1);

/// Receive options a group socket copies from its socket: what a receive
/// reports (Linux level, name).
pub(super) const MIRRORED: [(i32, i32); 7] = [
    (libc::SOL_IP, libc::IP_PKTINFO),
    (libc::SOL_IP, libc::IP_RECVTOS),
    (libc::SOL_IP, libc::IP_RECVTTL),
    (libc::SOL_IPV6, libc::IPV6_RECVPKTINFO),
    (libc::SOL_IPV6, libc::IPV6_RECVTCLASS),
    (libc::SOL_IPV6, libc::IPV6_RECVHOPLIMIT),
    (libc::SOL_SOCKET, libc::SO_RCVBUF),
];

impl SocketCore {
    /// Copies a receive option the socket just set to its group sockets.
    pub(crate) fn mirror_option(&self, level: i32, name: i32, value: i32) {
        if !self.groups.any() || !MIRRORED.contains(&(level, name)) {
            return;
        }
        for m in lock(&self.groups.list).iter() {
            let _ = set_int(m.fd.as_raw_fd(), level, name, value, "setsockopt");
        }
    }

    /// One non-blocking `recvmsg` from the socket or one of its group
    /// sockets (the one that delivered last first): the byte count or the
    /// errno (`EAGAIN` when none has a datagram).
    #[inline(always)]
    pub(crate) fn recv_any(
        &self,
        msg: &mut libc::msghdr,
        flags: i32,
    ) -> std::result::Result<usize, i32> {
        if !self.groups.any() {
            // SAFETY: msg describes live, writable buffers (the callers').
            let n = unsafe { crate::sys::recvmsg(self.raw_fd(), msg, flags) };
            return if n >= 0 { Ok(n as usize) } else { Err(errno()) };
        }
        self.recv_grouped(msg, flags)
    }

    #[cold]
    #[inline(never)]
    fn recv_grouped(&self, msg: &mut libc::msghdr, flags: i32) -> std::result::Result<usize, i32> {
        let (namelen, controllen) = (msg.msg_namelen, msg.msg_controllen);
        // A receive that does not ask for the source still needs it when
        // the loop is off.
        let mut own_name = LinuxAddr::empty();
        let borrowed_name = msg.msg_name.is_null();
        if borrowed_name {
            msg.msg_name = own_name.as_mut_ptr().cast();
        }
        let list = lock(&self.groups.list);
        let fds = list.len() + 1;
        let start = self.groups.last.load(Ordering::Relaxed).min(fds - 1);
        let mut result = Err(libc::EAGAIN);
        let mut k = 0;
        while k < fds {
            let i = (start + k) % fds;
            let fd = if i == 0 {
                self.raw_fd()
            } else {
                list[i - 1].fd.as_raw_fd()
            };
            msg.msg_namelen = if borrowed_name {
                own_name.len()
            } else {
                namelen
            };
            msg.msg_controllen = controllen;
            // SAFETY: msg describes live, writable buffers (the callers',
            // or `own_name`).
            let n = unsafe { crate::sys::recvmsg(fd, msg, flags) };
            if n < 0 {
                let e = errno();
                if i == 0 && e != libc::EAGAIN {
                    // The socket's own errors (S19) are the caller's to read.
                    result = Err(e);
                    break;
                }
                k += 1;
                continue;
            }
            if i != 0 && self.has(MULTICAST_NO_LOOP) && self.sent_here(msg) {
                if flags & libc::MSG_PEEK != 0 {
                    // SAFETY: a zero-length receive discards the datagram.
                    unsafe { crate::sys::recv(fd, std::ptr::null_mut(), 0, libc::MSG_DONTWAIT) };
                }
                continue; // the same fd again: the next datagram
            }
            self.groups.last.store(i, Ordering::Relaxed);
            result = Ok(n as usize);
            break;
        }
        drop(list);
        if borrowed_name {
            msg.msg_name = std::ptr::null_mut();
            msg.msg_namelen = 0;
        }
        result
    }

    /// Whether the datagram just received into `msg` came from an address
    /// of this host (Windows' receiver-side `IP_MULTICAST_LOOP`).
    fn sent_here(&self, msg: &libc::msghdr) -> bool {
        let mut from = LinuxAddr::empty();
        let len = msg.msg_namelen.min(from.len());
        // SAFETY: msg_name holds msg_namelen bytes the kernel wrote, and
        // `from` has room for len of them.
        unsafe {
            std::ptr::copy_nonoverlapping(
                msg.msg_name.cast::<u8>(),
                from.as_mut_ptr().cast::<u8>(),
                len as usize,
            )
        };
        *from.len_mut() = len;
        let Some(from) = from.to_socket_addr() else {
            return false;
        };
        let ip = match from.ip() {
            IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map(IpAddr::V4)
                .unwrap_or(IpAddr::V6(v6)),
            v4 => v4,
        };
        let now = Instant::now();
        let mut cache = lock(&self.groups.local_source);
        if let Some((addr, local, at)) = *cache
            && addr == ip
            && now.duration_since(at) < LOCAL_SOURCE_TTL
        {
            return local;
        }
        let local = is_local_address(self.raw_fd(), ip);
        *cache = Some((ip, local, now));
        local
    }

    /// `FIONREAD` over the group sockets, when the socket's own fd has
    /// nothing waiting.
    pub(crate) fn group_bytes_readable(&self) -> u32 {
        if !self.groups.any() {
            return 0;
        }
        for m in lock(&self.groups.list).iter() {
            let mut n: libc::c_int = 0;
            // SAFETY: FIONREAD writes one c_int to a valid pointer.
            if unsafe { libc::ioctl(m.fd.as_raw_fd(), libc::FIONREAD, &mut n) } == 0 && n > 0 {
                return n as u32;
            }
        }
        0
    }
}
