//! Receiving on a stream socket (SPEC P8), as Windows answers: what is
//! there up to the buffers' size; 0 at the end of the stream, every time;
//! a reset or abort reported by every call (see `stream.rs`); `MSG_PEEK`;
//! `MSG_OOB` (the urgent byte; `WSAEINVAL` with `SO_OOBINLINE`);
//! `MSG_WAITALL` waiting for a full buffer on a blocking socket and
//! refused (`WSAEOPNOTSUPP`) on a non-blocking one or with `MSG_PEEK`/
//! `MSG_OOB`; `SO_RCVTIMEO` → `WSAETIMEDOUT`; waits alertable (S35).
//! Sources: research-streams.md A6, A7 (`test_shutdown`, `test_tcp_reset`,
//! `test_empty_recv`, `test_tcp_sendto_recvfrom`, afd.c `test_recv`, the
//! `recv` and `WSARecv` pages).

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::translate::{MAX_IOVECS, Received};

use super::*;

/// The receive flags streams take (Windows numbers).
const STREAM_RECV_FLAGS: u32 =
    abi::MSG_PEEK | abi::MSG_OOB | abi::MSG_WAITALL | abi::MSG_PUSH_IMMEDIATE;

impl SocketCore {
    /// `recv`/`WSARecv` on a stream socket into `iovlen` buffers with
    /// Windows flags (`MSG_PEEK`, `MSG_OOB`, `MSG_WAITALL`;
    /// `MSG_PUSH_IMMEDIATE` is a hint). More buffers than one Linux call
    /// takes are filled as far as the first 1024 go: a stream receive may
    /// return less than asked.
    ///
    /// ```
    /// # use std::io::Write;
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let core = SocketCore::new(Family::V4, SocketKind::Stream, 0, true)?;
    /// core.connect(&listener.local_addr()?)?;
    /// let mut peer = listener.accept()?.0;
    /// peer.write_all(b"hel")?;
    /// let sender = std::thread::spawn(move || peer.write_all(b"lo"));
    /// let mut buf = [0u8; 5];
    /// let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: 5 };
    /// // SAFETY: `iov` describes `buf`, live for the call.
    /// let n = unsafe { core.recv_stream(&mut iov, 1, ws2_abi::MSG_WAITALL) }?;
    /// assert_eq!(&buf[..n], b"hello"); // waited for the whole buffer
    /// sender.join().unwrap()?;
    /// core.set_nonblocking(true);
    /// // SAFETY: as above.
    /// let err = unsafe { core.recv_stream(&mut iov, 1, ws2_abi::MSG_WAITALL) }.unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::WSAEOPNOTSUPP);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Safety
    /// `iov` points to `iovlen` iovecs describing writable memory.
    pub unsafe fn recv_stream(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        flags: u32,
    ) -> Result<usize> {
        if flags & !STREAM_RECV_FLAGS != 0 {
            return Err(Error::new(
                abi::WSAEOPNOTSUPP,
                format!(
                    "receive flags {flags:#x}: streams take MSG_PEEK, MSG_OOB, MSG_WAITALL, MSG_PUSH_IMMEDIATE"
                ),
            ));
        }
        let mut linux = 0;
        if flags & abi::MSG_PEEK != 0 {
            linux |= libc::MSG_PEEK;
        }
        if flags & abi::MSG_OOB != 0 {
            linux |= libc::MSG_OOB;
        }
        if flags & abi::MSG_WAITALL != 0 {
            linux |= libc::MSG_WAITALL;
        }
        // SAFETY: msghdr is plain data; zeroed is a valid empty header.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = iov;
        msg.msg_iovlen = iovlen.min(MAX_IOVECS);
        self.recvmsg_blocking(&mut msg, linux, true)
    }

    /// One attempt of an overlapped receive, without waiting: `None` when
    /// nothing is there yet. On a stream (`flags`: Linux `MSG_PEEK`,
    /// `MSG_OOB`) it takes what is there; a receive into no bytes (the
    /// IOCP "zero-byte read") completes with 0 once data or the end of the
    /// stream is there and leaves the data queued (research-streams.md B1:
    /// `test_empty_recv`). A datagram socket takes one datagram with its
    /// controls.
    pub(crate) fn recv_ready(&self, iov: &[libc::iovec], flags: i32) -> Result<Option<Received>> {
        if !self.is_stream() {
            return self.recv_controls_now(iov.as_ptr().cast_mut(), iov.len());
        }
        let total: usize = iov.iter().map(|v| v.iov_len).sum();
        let got = if total == 0 {
            self.stream_data_waits(flags)
        } else {
            // SAFETY: msghdr is plain data; zeroed is a valid empty header.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            msg.msg_iov = iov.as_ptr().cast_mut();
            msg.msg_iovlen = iov.len();
            match self.recv_stream_msg(&mut msg, flags, false) {
                Ok(n) => Ok(Some(n)),
                Err(e) if e.code() == abi::WSAEWOULDBLOCK => Ok(None),
                Err(e) => Err(e),
            }
        };
        Ok(got?.map(|bytes| Received {
            bytes,
            ..Default::default()
        }))
    }

    /// Whether a zero-byte stream receive completes now: data or the end
    /// of the stream is there (`Some(0)`), nothing yet (`None`).
    fn stream_data_waits(&self, flags: i32) -> Result<Option<usize>> {
        self.check_stream_io(false)?;
        let mut byte = 0u8;
        loop {
            // SAFETY: one writable byte; a peek takes nothing.
            let n = unsafe {
                crate::sys::recv(
                    self.raw_fd(),
                    (&raw mut byte).cast(),
                    1,
                    libc::MSG_PEEK | libc::MSG_DONTWAIT | (flags & libc::MSG_OOB),
                )
            };
            if n >= 0 {
                return Ok(Some(0));
            }
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN | libc::EINVAL => return Ok(None),
                e => return Err(self.stream_failed(e, false)),
            }
        }
    }

    /// The stream half of `recvmsg_blocking` (`flags`: Linux `MSG_PEEK`,
    /// `MSG_OOB`, `MSG_WAITALL`; `msg` describes live, writable buffers).
    pub(super) fn recv_stream_msg(
        &self,
        msg: &mut libc::msghdr,
        flags: i32,
        may_wait: bool,
    ) -> Result<usize> {
        self.check_stream_io(false)?;
        msg.msg_name = std::ptr::null_mut();
        msg.msg_namelen = 0;
        msg.msg_iovlen = msg.msg_iovlen.min(MAX_IOVECS);
        // SAFETY: msg_iov points to msg_iovlen iovecs (the caller's contract).
        let iov = unsafe { std::slice::from_raw_parts(msg.msg_iov, msg.msg_iovlen) };
        let total: usize = iov.iter().map(|v| v.iov_len).sum();
        if flags & libc::MSG_WAITALL != 0 {
            if flags & (libc::MSG_PEEK | libc::MSG_OOB) != 0 {
                return Err(Error::new(
                    abi::WSAEOPNOTSUPP,
                    "MSG_WAITALL cannot be combined with MSG_PEEK or MSG_OOB",
                ));
            }
            if self.is_nonblocking() || !may_wait {
                return Err(Error::new(
                    abi::WSAEOPNOTSUPP,
                    "MSG_WAITALL works on blocking sockets only",
                ));
            }
            return self.recv_stream_waitall(iov.to_vec(), total);
        }
        let mut deadline = None;
        loop {
            // SAFETY: msg describes live, writable buffers (the caller's contract).
            let n = unsafe { crate::sys::recvmsg(self.raw_fd(), msg, flags) };
            if n > 0 || (n == 0 && total == 0) {
                return Ok(n as usize);
            }
            if n == 0 {
                return self.end_of_stream();
            }
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => {
                    if !may_wait || self.is_nonblocking() {
                        return Err(crate::error::static_error!(
                            abi::WSAEWOULDBLOCK,
                            "the socket is non-blocking (FIONBIO) and no data is waiting"
                        ));
                    }
                    let d = *deadline.get_or_insert_with(|| {
                        crate::completion::deadline_after(self.recv_timeout_ms())
                    });
                    self.wait_stream_readable(d)?;
                }
                libc::EINVAL if flags & libc::MSG_OOB != 0 => {
                    return Err(Error::new(
                        abi::WSAEINVAL,
                        "MSG_OOB: no urgent byte waits, or SO_OOBINLINE is on",
                    ));
                }
                e => return Err(self.stream_failed(e, false)),
            }
        }
    }

    /// The end of the stream: 0, unless the peer reset what this side sent
    /// after it had closed (Windows: `WSAECONNABORTED`), which Linux leaves
    /// as the socket's pending error behind the end of stream.
    fn end_of_stream(&self) -> Result<usize> {
        match self.int_option(libc::SOL_SOCKET, libc::SO_ERROR, "getsockopt(SO_ERROR)") {
            Ok(0) | Err(_) => Ok(0),
            Ok(e) => Err(self.stream_failed(e, false)),
        }
    }

    /// Waits (alertably, S35) until the socket is readable; `WSAETIMEDOUT`
    /// at the deadline, `WSAEINTR` when it is closed meanwhile, and the
    /// stream's own refusals (shut down or reset meanwhile).
    fn wait_stream_readable(&self, deadline: Option<std::time::Instant>) -> Result<()> {
        if !super::waiters::wait_readable(self, deadline)? {
            return Err(Error::new(
                abi::WSAETIMEDOUT,
                format!("SO_RCVTIMEO of {} ms expired", self.recv_timeout_ms()),
            ));
        }
        self.check_stream_io(false)
    }

    /// `MSG_WAITALL` on a blocking socket: receives until the buffers are
    /// full. The end of the stream, a reset or the timeout with part of it
    /// received returns that part (the reset stays reported to the next call).
    #[cold]
    fn recv_stream_waitall(&self, mut iov: Vec<libc::iovec>, total: usize) -> Result<usize> {
        let deadline = crate::completion::deadline_after(self.recv_timeout_ms());
        let mut got = 0;
        let mut first = 0;
        while got < total {
            // SAFETY: msghdr is plain data; zeroed is a valid empty header.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            msg.msg_iov = iov[first..].as_mut_ptr();
            msg.msg_iovlen = iov.len() - first;
            // SAFETY: the iovecs describe the caller's live, writable buffers.
            let n = unsafe { crate::sys::recvmsg(self.raw_fd(), &mut msg, 0) };
            let err = match n {
                0 => match self.end_of_stream() {
                    Ok(_) => return Ok(got),
                    Err(e) => Some(e),
                },
                n if n > 0 => {
                    let mut n = n as usize;
                    got += n;
                    while n > 0 {
                        let v = &mut iov[first];
                        let take = n.min(v.iov_len);
                        // SAFETY: advancing within the caller's buffer.
                        v.iov_base = unsafe { v.iov_base.cast::<u8>().add(take) }.cast();
                        v.iov_len -= take;
                        n -= take;
                        if v.iov_len == 0 {
                            first += 1;
                        }
                    }
                    None
                }
                _ => match errno() {
                    libc::EINTR => None,
                    libc::EAGAIN => self.wait_stream_readable(deadline).err(),
                    e => Some(self.stream_failed(e, false)),
                },
            };
            if let Some(e) = err {
                if got > 0 && e.code() != abi::WSAEINTR {
                    return Ok(got);
                }
                return Err(e);
            }
        }
        Ok(got)
    }
}
