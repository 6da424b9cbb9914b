//! Receiving: blocking `recvmsg` with Windows semantics (S15–S17, S19),
//! control data decoded (S27), more buffers than Linux takes (S21).

use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::error::{Error, Result, errno};
use crate::translate::{
    CmsgBuf, LinuxAddr, MAX_IOVECS, Received, RecvOutputs, WindowsEntries,
    coalesced_info_to_windows, control_slice, controls_from_linux_add, windows_entries_in_order,
};

use super::*;

/// Most queued datagrams `FIONREAD` counts (one `recvmmsg` of this many
/// headers; measured here at 20 µs for a full walk, 2 µs for one datagram,
/// so a longer queue reports the total of its first 64 datagrams).
pub const FIONREAD_DATAGRAMS: usize = 64;

/// The Linux message of one receive: the source into `from`, the control
/// data into `cmsgs`, the payload into the `iovlen` iovecs at `iov`.
#[inline(always)]
pub(super) fn receive_msghdr(
    from: &mut LinuxAddr,
    cmsgs: &mut CmsgBuf,
    iov: *mut libc::iovec,
    iovlen: usize,
) -> libc::msghdr {
    // Every field named: nothing zeroed first only to be overwritten.
    libc::msghdr {
        msg_name: from.as_mut_ptr().cast(),
        msg_namelen: from.len(),
        msg_iov: iov,
        msg_iovlen: iovlen,
        msg_control: cmsgs.as_mut_ptr().cast(),
        msg_controllen: cmsgs.capacity(),
        msg_flags: 0,
    }
}

impl SocketCore {
    /// The duplicate fd the reactor watches for overlapped receives.
    pub(crate) fn recv_fd(&self) -> Result<RawFd> {
        if let Some(fd) = self.recv_fd.get() {
            return Ok(fd.as_raw_fd());
        }
        // SAFETY: F_DUPFD_CLOEXEC duplicates our open fd; no pointers.
        let fd = cvt(
            unsafe { libc::fcntl(self.raw_fd(), libc::F_DUPFD_CLOEXEC, 0) },
            "fcntl(F_DUPFD_CLOEXEC)",
        )?;
        // SAFETY: fd is a fresh descriptor we own.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(self.recv_fd.get_or_init(|| owned).as_raw_fd())
    }

    pub(crate) fn recv_fd_if_open(&self) -> Option<RawFd> {
        self.recv_fd.get().map(|fd| fd.as_raw_fd())
    }

    /// One receive attempt without waiting, into `got`: false when no
    /// datagram waits.
    #[inline]
    pub(crate) fn recv_controls_now_to(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        got: &mut Received,
    ) -> Result<bool> {
        match self.recv_with_controls_to(iov, iovlen, false, got) {
            Ok(()) => Ok(true),
            Err(e) if e.code() == abi::WSAEWOULDBLOCK => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// One receive attempt without waiting: `None` when no datagram waits.
    #[inline]
    pub(crate) fn recv_controls_now(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
    ) -> Result<Option<Received>> {
        match self.recv_with_controls_inner(iov, iovlen, false) {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.code() == abi::WSAEWOULDBLOCK => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The checks every receive makes first: the socket is open (S37),
    /// bound (S15: `WSAEINVAL`, nothing can arrive) and not shut down for
    /// receiving.
    #[inline]
    pub(crate) fn recv_checks(&self) -> Result<()> {
        // One load for the usual case: open, bound, not shut down.
        if self.state.load(Ordering::Acquire) & (CLOSED | BOUND | SHUT_RECV) == BOUND {
            return Ok(());
        }
        self.recv_refused()
    }

    /// Why [`SocketCore::recv_checks`] refuses.
    #[cold]
    fn recv_refused(&self) -> Result<()> {
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        if !self.is_bound() {
            return Err(Error::new(
                abi::WSAEINVAL,
                "the socket is not bound: nothing can arrive on it",
            ));
        }
        if self.has(SHUT_RECV) {
            return Err(Error::new(
                abi::WSAESHUTDOWN,
                "the socket was shut down for receiving",
            ));
        }
        Ok(())
    }

    /// One `recvmsg` that does not wait, after reporting a collected ICMP
    /// error (S19): `None` when no datagram waits. `msg` must describe
    /// live, writable buffers; its name and control lengths are restored
    /// before every try.
    #[inline(always)]
    pub(crate) fn recv_attempt(&self, msg: &mut libc::msghdr, flags: i32) -> Result<Option<usize>> {
        let (namelen, controllen) = (msg.msg_namelen, msg.msg_controllen);
        let mut again = false;
        loop {
            self.report_icmp_error()?;
            // The kernel wrote the lengths of a failed try: restored.
            if again {
                msg.msg_namelen = namelen;
                msg.msg_controllen = controllen;
            }
            again = true;
            // A peek must not meet FIONREAD's walk of the queue, which moves
            // the socket's peek offset (`queued_bytes`).
            let peeking = (flags & libc::MSG_PEEK != 0).then(|| crate::fork::lock(&self.peek_lock));
            // The socket's own fd, or one of its group sockets (P4).
            let n = self.recv_any(msg, flags);
            drop(peeking);
            match n {
                Ok(n) => return Ok(Some(n)),
                Err(e) => {
                    if !self.recv_failed(e, "recvmsg")? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// What a receive call's failure means (`recvmsg`, `recvmmsg`):
    /// `Ok(true)` try again (`EINTR`, or an ICMP error was collected to be
    /// reported first, S19), `Ok(false)` nothing waits, or the error.
    #[cold]
    pub(crate) fn recv_failed(&self, e: i32, call: &'static str) -> Result<bool> {
        match e {
            libc::EINTR => Ok(true),
            // An ICMP error in the error queue makes the fd readable
            // (POLLERR) without data: collect it so it is reported.
            libc::EAGAIN => Ok(self.collect_icmp_errors()),
            libc::ECONNREFUSED | libc::EHOSTUNREACH | libc::ENETUNREACH | libc::EPROTO => {
                self.absorb_icmp_error();
                Ok(true)
            }
            e => Err(Error::from_errno(e, call)),
        }
    }

    /// Waits, alertably, until the socket may have something to receive:
    /// `WSAEWOULDBLOCK` when the call must not wait (`FIONBIO`, an
    /// overlapped try), `WSAETIMEDOUT` when `SO_RCVTIMEO` runs out (its
    /// deadline set on the first wait of the call).
    #[cold]
    pub(crate) fn wait_to_receive(
        &self,
        may_wait: bool,
        deadline: &mut Option<Option<std::time::Instant>>,
    ) -> Result<()> {
        if !may_wait || self.is_nonblocking() {
            return Err(crate::error::static_error!(
                abi::WSAEWOULDBLOCK,
                "the socket is non-blocking (FIONBIO) and no datagram is waiting"
            ));
        }
        let d = *deadline
            .get_or_insert_with(|| crate::completion::deadline_after(self.recv_timeout_ms()));
        if !super::waiters::wait_readable(self, d)? {
            return Err(Error::new(
                abi::WSAETIMEDOUT,
                format!("SO_RCVTIMEO of {} ms expired", self.recv_timeout_ms()),
            ));
        }
        Ok(())
    }

    /// `recvmsg` with Windows semantics: `WSAEINVAL` when unbound (S15),
    /// blocking emulated with `SO_RCVTIMEO` → `WSAETIMEDOUT`, `FIONBIO` →
    /// `WSAEWOULDBLOCK`. `msg` must describe live, writable buffers.
    #[inline]
    pub(crate) fn recvmsg_blocking(
        &self,
        msg: &mut libc::msghdr,
        flags: i32,
        may_wait: bool,
    ) -> Result<usize> {
        if self.has(STREAM) {
            return self.recvmsg_stream(msg, flags, may_wait);
        }
        self.recv_checks()?;
        let result = self.recvmsg_waiting(msg, flags, may_wait);
        // Every receive call re-enables FD_READ (P1).
        self.note_received();
        result
    }

    /// [`SocketCore::recvmsg_blocking`] on a stream socket (P8).
    #[cold]
    #[inline(never)]
    fn recvmsg_stream(&self, msg: &mut libc::msghdr, flags: i32, may_wait: bool) -> Result<usize> {
        if self.is_closed() {
            return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
        }
        let result = self.recv_stream_msg(msg, flags, may_wait);
        // Every receive call re-enables FD_READ and FD_OOB (P1, P8).
        self.note_received();
        result
    }

    /// The receive loop of [`SocketCore::recvmsg_blocking`].
    #[inline(always)]
    fn recvmsg_waiting(&self, msg: &mut libc::msghdr, flags: i32, may_wait: bool) -> Result<usize> {
        self.recvmsg_waiting_from(msg, flags, may_wait, None)
    }

    /// [`SocketCore::recvmsg_waiting`] with the call's `SO_RCVTIMEO`
    /// deadline as an earlier wait set it.
    #[inline(always)]
    fn recvmsg_waiting_from(
        &self,
        msg: &mut libc::msghdr,
        flags: i32,
        may_wait: bool,
        mut deadline: Option<Option<std::time::Instant>>,
    ) -> Result<usize> {
        loop {
            if let Some(n) = self.recv_attempt(msg, flags)? {
                return Ok(n);
            }
            self.wait_to_receive(may_wait, &mut deadline)?;
        }
    }

    /// [`SocketCore::recvmsg_waiting`] without flags, for the usual
    /// receives: one `recvmsg` at once when no collected ICMP error waits
    /// to be reported and no group socket is joined (two loads), else, or
    /// when that try fails, the general loop out of line. The try's count
    /// comes back in a register: through the loop, the `Result` of every
    /// way out merged in memory (callgrind).
    #[inline(always)]
    fn recvmsg_usual(&self, msg: &mut libc::msghdr, may_wait: bool) -> Result<usize> {
        let (namelen, controllen) = (msg.msg_namelen, msg.msg_controllen);
        let first = if self.icmp_resets.load(Ordering::Relaxed) == 0
            && self.icmp_ttl_expired.load(Ordering::Relaxed) == 0
            && !self.groups.any()
        {
            // SAFETY: msg describes live, writable buffers (the callers').
            let n = unsafe { crate::sys::recvmsg(self.raw_fd(), msg, 0) };
            if n >= 0 {
                return Ok(n as usize);
            }
            errno()
        } else {
            0
        };
        self.recvmsg_after(msg, namelen, controllen, first, may_wait)
    }

    /// [`SocketCore::recvmsg_usual`] the general way: after its try failed
    /// with `first` (its lengths restored first), or from the start when
    /// `first` is 0.
    #[cold]
    #[inline(never)]
    fn recvmsg_after(
        &self,
        msg: &mut libc::msghdr,
        namelen: libc::socklen_t,
        controllen: usize,
        first: i32,
        may_wait: bool,
    ) -> Result<usize> {
        if first != 0 {
            msg.msg_namelen = namelen;
            msg.msg_controllen = controllen;
            // As the loop meets a failed try: again at once, or wait first.
            if !self.recv_failed(first, "recvmsg")? {
                let mut deadline = None;
                self.wait_to_receive(may_wait, &mut deadline)?;
                return self.recvmsg_waiting_from(msg, 0, may_wait, deadline);
            }
        }
        self.recvmsg_waiting(msg, 0, may_wait)
    }

    /// The pending socket error of an ICMP message, met by a receive
    /// (S19): counted so that a receive reports it.
    fn absorb_icmp_error(&self) {
        self.collect_icmp_errors();
        if self.kind == SocketKind::Datagram && self.icmp_resets.load(Ordering::Acquire) == 0 {
            self.icmp_resets.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// The payload bytes of the datagrams queued in the kernel, as
    /// Windows' `FIONREAD` counts them for a datagram socket (the total, not
    /// the first datagram's size as Linux's `SIOCINQ` answers), counting at
    /// most [`FIONREAD_DATAGRAMS`] datagrams. Linux keeps no total: the
    /// queue is walked with one `recvmmsg(MSG_PEEK | MSG_TRUNC)` whose peek
    /// offset (`SO_PEEK_OFF`, turned on for the walk only) moves from one
    /// datagram to the next, copying nothing. Other sockets (raw ones have
    /// no peek offset) answer `SIOCINQ`.
    pub fn queued_bytes(&self) -> Result<usize> {
        let mut p = libc::pollfd {
            fd: self.raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: p is a valid pollfd.
        unsafe { libc::poll(&mut p, 1, 0) };
        if p.revents & libc::POLLIN == 0 {
            // Nothing on the socket's own fd: what its group sockets hold (P4).
            return Ok(self.group_bytes_readable() as usize);
        }
        if self.kind != SocketKind::Datagram {
            return self.siocinq();
        }
        let _walk = crate::fork::lock(&self.peek_lock);
        for _ in 0..2 {
            match self.peek_walk() {
                Ok(n) => return Ok(n),
                Err(libc::EAGAIN) => return Ok(0),
                // An ICMP error met on the way: count it, walk again.
                Err(libc::ECONNREFUSED | libc::EHOSTUNREACH | libc::ENETUNREACH | libc::EPROTO) => {
                    self.absorb_icmp_error();
                }
                // No peek offset here: the first datagram, as Linux counts.
                Err(_) => return self.siocinq(),
            }
        }
        self.siocinq()
    }

    /// One walk of the receive queue (see `queued_bytes`); the
    /// caller holds `peek_lock`. The errno of a failed `recvmmsg`.
    fn peek_walk(&self) -> std::result::Result<usize, i32> {
        let set_peek_off = |off: libc::c_int| {
            // SAFETY: passes a pointer to a live c_int and its size.
            unsafe {
                libc::setsockopt(
                    self.raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_PEEK_OFF,
                    (&raw const off).cast(),
                    size_of::<libc::c_int>() as libc::socklen_t,
                )
            }
        };
        if set_peek_off(0) < 0 {
            return Err(errno());
        }
        // SAFETY: mmsghdr is plain data; zeroed is valid (no name, no
        // buffers, no control: only the lengths come back).
        let mut msgs: [libc::mmsghdr; FIONREAD_DATAGRAMS] = unsafe { std::mem::zeroed() };
        // SAFETY: msgs holds FIONREAD_DATAGRAMS headers that describe no memory.
        let n = unsafe {
            crate::sys::recvmmsg(
                self.raw_fd(),
                msgs.as_mut_ptr(),
                FIONREAD_DATAGRAMS as libc::c_uint,
                libc::MSG_PEEK | libc::MSG_TRUNC | libc::MSG_DONTWAIT,
            )
        };
        let walk_errno = errno();
        // Back to Linux's default (-1: peeks read from the head), so that
        // receives that peek see the first datagram again.
        set_peek_off(-1);
        if n < 0 {
            return Err(walk_errno);
        }
        Ok(msgs[..n as usize].iter().map(|m| m.msg_len as usize).sum())
    }

    /// `SIOCINQ`: the first datagram's size (the bytes queued on a stream).
    fn siocinq(&self) -> Result<usize> {
        let mut n: libc::c_int = 0;
        // SAFETY: SIOCINQ writes one c_int to a valid pointer.
        cvt(
            unsafe { libc::ioctl(self.raw_fd(), libc::FIONREAD, &mut n) },
            "ioctl(FIONREAD)",
        )?;
        Ok(n as usize)
    }

    /// `recvfrom` with Windows semantics (see `recvmsg_blocking`), and
    /// `WSAEMSGSIZE` for a datagram longer than `buf` (which gets its start).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"hello", core.local_addr()?)?;
    /// let mut big = [0u8; 16];
    /// assert_eq!(core.recv_from(&mut big, true)?.0, 5); // peek: still queued
    /// let mut small = [0u8; 3];
    /// let err = core.recv_from(&mut small, false).unwrap_err();
    /// assert_eq!((err.code(), &small), (ws2_abi::WSAEMSGSIZE, b"hel"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recv_from(&self, buf: &mut [u8], peek: bool) -> Result<(usize, Option<SocketAddr>)> {
        let mut from = LinuxAddr::empty();
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        if self.gro_on() {
            let got = self.recv_uro(std::slice::from_ref(&iov), peek, true)?;
            if got.truncated {
                return Err(truncated(buf.len()));
            }
            return Ok((got.bytes, got.from));
        }
        // SAFETY: msghdr is plain data; zeroed is a valid empty header.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = from.as_mut_ptr().cast();
        msg.msg_namelen = from.len();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        let n = self.recvmsg_blocking(&mut msg, if peek { libc::MSG_PEEK } else { 0 }, true)?;
        *from.len_mut() = msg.msg_namelen;
        if msg.msg_flags & libc::MSG_TRUNC != 0 && self.kind != SocketKind::Stream {
            return Err(truncated(buf.len()));
        }
        Ok((n, from.to_socket_addr()))
    }

    /// Receives one datagram into `iov` with its control data (S27): the
    /// Linux cmsgs are decoded into [`ReceivedControls`](crate::ReceivedControls).
    #[inline]
    pub fn recv_with_controls(&self, iov: *mut libc::iovec, iovlen: usize) -> Result<Received> {
        self.recv_with_controls_inner(iov, iovlen, true)
    }

    #[inline]
    fn recv_with_controls_inner(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        may_wait: bool,
    ) -> Result<Received> {
        let mut got = Received::default();
        self.recv_with_controls_to(iov, iovlen, may_wait, &mut got)?;
        Ok(got)
    }

    /// [`SocketCore::recv_with_controls`] into `got`, so that the C face
    /// writes the outputs from where the receive put them (a `Received`
    /// is large: every move of it costs). `got` comes as
    /// `Received::default()` makes it (see `received_into`). Inlined into its three callers,
    /// where the optimizer then keeps `got` in the caller's frame and drops
    /// the stores the decoder overwrites.
    #[inline(always)]
    pub(crate) fn recv_with_controls_to(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        may_wait: bool,
        got: &mut Received,
    ) -> Result<()> {
        // One load decides the usual case: an open, bound datagram socket
        // without URO, not shut down, into buffers one Linux message takes.
        let state = self.state.load(Ordering::Acquire);
        if state & (CLOSED | BOUND | SHUT_RECV | STREAM | GRO) != BOUND || iovlen > MAX_IOVECS {
            return self.recv_with_controls_other(iov, iovlen, may_wait, got);
        }
        let mut from = LinuxAddr::empty();
        let mut cmsgs = CmsgBuf::default();
        let mut msg = receive_msghdr(&mut from, &mut cmsgs, iov, iovlen);
        // Every receive call re-enables FD_READ (P1); in each arm, so that
        // the count stays in a register across it.
        let bytes = match self.recvmsg_usual(&mut msg, may_wait) {
            Ok(n) => {
                self.note_received();
                n
            }
            Err(e) => {
                self.note_received();
                return Err(e);
            }
        };
        // SAFETY: the kernel filled msg's name and msg_controllen bytes of cmsgs.
        unsafe { self.received_into(state, &msg, &mut from, bytes, got) };
        Ok(())
    }

    /// The blocking C receive of the usual case (an open, bound datagram
    /// socket without URO, not shut down, that asks for no
    /// `IP_RECVIF`/`IP_RECVDSTADDR` or their IPv6 twins, into buffers one
    /// Linux message takes), decided by one load of the state word and
    /// written straight into Windows' outputs (S27): the source copied
    /// from Linux's `sockaddr` into `name` (only the IPv6 family number
    /// differs), the control entries translated from Linux's cmsgs into
    /// `control` in one pass when they come in Windows' order
    /// ([`windows_entries_in_order`]; [`WindowsEntries`] for any other), with no
    /// [`Received`] in between. `None` for any other case, before
    /// anything is received: the caller takes the general path
    /// ([`SocketCore::recv_with_controls_to`]), which writes the same.
    /// `control` is `None` when the caller passed no control `WSABUF`;
    /// without `may_wait`, `WSAEWOULDBLOCK` when no datagram waits (see
    /// [`SocketCore::recv_controls_now_to`]).
    ///
    /// # Safety
    /// `iov` holds `iovlen` iovecs of writable memory; `name` null or
    /// writable for `*namelen` bytes (`namelen` null or readable and
    /// writable).
    #[inline(always)]
    pub(crate) unsafe fn recv_windows_usual(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        name: *mut abi::SOCKADDR,
        namelen: *mut i32,
        control: Option<&mut [u8]>,
        may_wait: bool,
    ) -> Option<Result<WindowsReceive>> {
        let state = self.state.load(Ordering::Acquire);
        let other = CLOSED | BOUND | SHUT_RECV | STREAM | GRO | WANT_ADDRESS_EXTRA;
        if state & other != BOUND || iovlen > MAX_IOVECS {
            // A URO socket's own usual case or the general path, both the
            // caller's (`raw::recv_not_usual`): a result made out of line
            // and returned from here went through the stack on every
            // receive.
            return None;
        }
        let mut from = LinuxAddr::empty();
        let mut cmsgs = CmsgBuf::default();
        let mut msg = receive_msghdr(&mut from, &mut cmsgs, iov, iovlen);
        // Every receive call re-enables FD_READ (P1); in each arm, so that
        // the count stays in a register across it.
        let bytes = match self.recvmsg_usual(&mut msg, may_wait) {
            Ok(n) => {
                self.note_received();
                n
            }
            Err(e) => {
                self.note_received();
                return Some(Err(e));
            }
        };
        // SAFETY: the kernel filled msg (name in `from`, cmsgs); forwarded
        // contract for the outputs.
        Some(unsafe {
            windows_outputs(state, &msg, &mut from, name, namelen, control, bytes, None)
        })
    }

    /// [`SocketCore::recv_with_controls_to`] for every other case: more
    /// buffers than Linux takes (S21), URO (S44), a stream, or a socket
    /// the receive checks refuse.
    #[cold]
    #[inline(never)]
    fn recv_with_controls_other(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        may_wait: bool,
        got: &mut Received,
    ) -> Result<()> {
        if iovlen > self.iovecs_one_read_takes() && !self.has(STREAM) {
            *got = self.recv_bounced(iov, iovlen, may_wait)?;
            return Ok(());
        }
        if self.gro_on() {
            // SAFETY: `iov` points to `iovlen` iovecs (this function's callers).
            let iov = unsafe { std::slice::from_raw_parts(iov, iovlen) };
            *got = self.recv_uro(iov, false, may_wait)?;
            return Ok(());
        }
        let mut from = LinuxAddr::empty();
        let mut cmsgs = CmsgBuf::default();
        let mut msg = receive_msghdr(&mut from, &mut cmsgs, iov, iovlen);
        let bytes = self.recvmsg_blocking(&mut msg, 0, may_wait)?;
        let state = self.state.load(Ordering::Relaxed);
        // SAFETY: the kernel filled msg's name and msg_controllen bytes of cmsgs.
        unsafe { self.received_into(state, &msg, &mut from, bytes, got) };
        Ok(())
    }

    /// What the kernel wrote through `msg` into `got`, as Windows reports
    /// it (see [`SocketCore::received`]); `state` says which reports the
    /// socket wants. `got.controls` must hold no value yet (as
    /// `Received::default()` makes it): the decoded ones are added, not
    /// cleared first again.
    ///
    /// # Safety
    /// As [`SocketCore::received`].
    #[inline(always)]
    unsafe fn received_into(
        &self,
        state: u64,
        msg: &libc::msghdr,
        from: &mut LinuxAddr,
        bytes: usize,
        got: &mut Received,
    ) {
        *from.len_mut() = msg.msg_namelen;
        got.bytes = bytes;
        got.from = from.to_socket_addr();
        // SAFETY: the kernel filled msg_controllen bytes of cmsgs through
        // msg; `got.controls` holds nothing yet (this function's contract).
        unsafe {
            controls_from_linux_add(
                msg,
                state & WANT_TOS != 0,
                state & WANT_ECN != 0,
                &mut got.controls,
            );
        }
        self.recv_address_reports(state, &mut got.controls);
        got.truncated = msg.msg_flags & libc::MSG_TRUNC != 0;
    }

    /// A datagram as Windows reports it, from what the kernel wrote
    /// through `msg`: its source (in `from`, which `msg.msg_name` points
    /// to), its control data, `MSG_TRUNC`.
    ///
    /// # Safety
    /// The kernel filled `msg` (its name and `msg_controllen` bytes of cmsgs).
    #[inline]
    pub(crate) unsafe fn received(
        &self,
        msg: &libc::msghdr,
        from: &mut LinuxAddr,
        bytes: usize,
    ) -> Received {
        let mut got = Received::default();
        // SAFETY: forwarded contract.
        unsafe {
            self.received_into(
                self.state.load(Ordering::Relaxed),
                msg,
                from,
                bytes,
                &mut got,
            )
        };
        got
    }

    /// A queued C receive's completion from what the kernel wrote through
    /// `msg` (a `recvmmsg` batch): written straight into Windows' outputs
    /// as a blocking receive's are ([`windows_outputs`]), unless the socket
    /// reports more than the usual case does (`IP_RECVIF`,
    /// `IP_RECVDSTADDR`), whose receive goes through [`Received`].
    ///
    /// # Safety
    /// As [`SocketCore::received`]; `outputs` valid and writable as
    /// Winsock documents.
    #[inline]
    pub(crate) unsafe fn received_windows(
        &self,
        msg: &libc::msghdr,
        from: &mut LinuxAddr,
        bytes: usize,
        outputs: RecvOutputs,
    ) -> Result<usize> {
        let state = self.state.load(Ordering::Relaxed);
        if state & WANT_ADDRESS_EXTRA != 0 {
            // SAFETY: forwarded contract.
            return unsafe { outputs.write(&self.received(msg, from, bytes)) };
        }
        // SAFETY: forwarded contract.
        unsafe { write_windows_outputs(state, msg, from, bytes, None, outputs) }
    }

    /// A receive into more buffers than one Linux message takes (S21, S27):
    /// into one bounce buffer, then scattered over the caller's buffers (a
    /// buffer that is not writable is `WSAEFAULT`). The bounce buffer holds
    /// any datagram (65,536 bytes) or the buffers' total if less, so a
    /// datagram is truncated exactly when it would be without it.
    #[cold]
    #[inline(never)]
    fn recv_bounced(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        may_wait: bool,
    ) -> Result<Received> {
        // SAFETY: `iov` points to `iovlen` iovecs (this function's callers).
        let iov = unsafe { std::slice::from_raw_parts(iov, iovlen) };
        let total = iov
            .iter()
            .fold(0usize, |sum, v| sum.saturating_add(v.iov_len));
        let mut data = Vec::new();
        data.try_reserve_exact(total.min(1 << 16))
            .map_err(|_| Error::new(abi::WSAENOBUFS, "no memory for a receive bounce buffer"))?;
        data.resize(total.min(1 << 16), 0);
        let mut one = libc::iovec {
            iov_base: data.as_mut_ptr().cast(),
            iov_len: data.len(),
        };
        let got = self.recv_with_controls_inner(&mut one, 1, may_wait)?;
        if !crate::translate::caller_memory::scatter(&data[..got.bytes.min(data.len())], iov) {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("a buffer of the {iovlen} in lpBuffers is not writable"),
            ));
        }
        Ok(got)
    }
}

/// What [`SocketCore::recv_windows_usual`] received: the datagram's bytes
/// placed, the control bytes written, the flags Windows reports
/// (`MSG_TRUNC`, `MSG_CTRUNC`, `MSG_BCAST`, `MSG_MCAST`).
pub(crate) struct WindowsReceive {
    pub(crate) bytes: usize,
    pub(crate) control_used: usize,
    pub(crate) flags: u32,
}

/// [`windows_outputs`] written into a queued C receive's `outputs`, and
/// how it ends ([`RecvOutputs::report`]: `WSAEMSGSIZE` when truncated).
///
/// # Safety
/// As [`windows_outputs`]; `outputs` valid and writable as Winsock
/// documents.
pub(super) unsafe fn write_windows_outputs(
    state: u64,
    msg: &libc::msghdr,
    from: &mut LinuxAddr,
    bytes: usize,
    segment: Option<u32>,
    outputs: RecvOutputs,
) -> Result<usize> {
    // SAFETY: forwarded contract (the control buffer's).
    let control = unsafe { control_slice(outputs.control) }?;
    // SAFETY: forwarded contract.
    let done = unsafe {
        windows_outputs(
            state,
            msg,
            from,
            outputs.name,
            outputs.namelen,
            control,
            bytes,
            segment,
        )
    }?;
    // SAFETY: forwarded contract.
    unsafe { outputs.report(done.bytes, done.control_used, done.flags) }
}

/// Windows' outputs of a datagram of `bytes` the kernel wrote through
/// `msg` (its source in `from`), for a socket of `state` (S27, S44): the
/// source copied into `name` (only the IPv6 family number differs), the
/// cmsgs translated into `control` in one pass when they come in Windows'
/// order ([`windows_entries_in_order`]; [`WindowsEntries`] for any
/// other), then `UDP_COALESCED_INFO` of `segment` when given; `MSG_TRUNC`
/// from the kernel's flags, `MSG_CTRUNC` when `control` is given and short.
///
/// # Safety
/// The kernel filled `msg` (its name in `from`, `msg_controllen` bytes of
/// cmsgs); `name` null or writable for `*namelen` bytes, `namelen` null or
/// readable and writable.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn windows_outputs(
    state: u64,
    msg: &libc::msghdr,
    from: &mut LinuxAddr,
    name: *mut abi::SOCKADDR,
    namelen: *mut i32,
    control: Option<&mut [u8]>,
    bytes: usize,
    segment: Option<u32>,
) -> Result<WindowsReceive> {
    *from.len_mut() = msg.msg_namelen;
    // SAFETY: forwarded contract (name writable for *namelen bytes).
    if !name.is_null() && !namelen.is_null() && !unsafe { from.copy_to_windows(name, namelen) } {
        return Err(source_too_small());
    }
    let (want_tos, want_ecn) = (state & WANT_TOS != 0, state & WANT_ECN != 0);
    // With no control WSABUF, only the flags are wanted.
    let wanted = control.is_some();
    let out = control.unwrap_or_default();
    // SAFETY: the kernel filled msg_controllen bytes of cmsgs through msg.
    let (mut used, mut ctrunc, mut flags) =
        match unsafe { windows_entries_in_order(msg, want_tos, want_ecn, out) } {
            Some(done) => done,
            // SAFETY: as above.
            None => unsafe { windows_entries_any_order(msg, want_tos, want_ecn, out) },
        };
    if let Some(segment) = segment {
        // UDP_COALESCED_INFO after the others (S44).
        if !ctrunc {
            let (more, short) = coalesced_info_to_windows(segment, &mut out[used..]);
            used += more;
            ctrunc = short;
        } else {
            ctrunc = true;
        }
    }
    if msg.msg_flags & libc::MSG_TRUNC != 0 {
        flags |= abi::MSG_TRUNC;
    }
    let mut control_used = 0;
    if wanted {
        control_used = used;
        if ctrunc {
            flags |= abi::MSG_CTRUNC;
        }
    }
    Ok(WindowsReceive {
        bytes,
        control_used,
        flags,
    })
}

/// [`windows_entries_in_order`] for cmsgs that are not in Windows' order:
/// decoded first, then written ([`WindowsEntries`]).
///
/// # Safety
/// The kernel filled `msg_controllen` bytes of cmsgs through `msg`.
#[cold]
#[inline(never)]
unsafe fn windows_entries_any_order(
    msg: &libc::msghdr,
    want_tos: bool,
    want_ecn: bool,
    out: &mut [u8],
) -> (usize, bool, u32) {
    // SAFETY: forwarded contract.
    let entries = unsafe { WindowsEntries::from_linux(msg, want_tos, want_ecn) };
    let (used, ctrunc) = entries.write(out);
    (used, ctrunc, entries.flags())
}

/// A source address too large for its buffer, met after the receive (the
/// check before it, `raw::check_source_room`, makes this rare).
#[cold]
fn source_too_small() -> Error {
    Error::new(
        abi::WSAEFAULT,
        "namelen is too small for the source address",
    )
}

/// `WSAEMSGSIZE` for a datagram longer than a `len`-byte buffer.
fn truncated(len: usize) -> Error {
    Error::new(
        abi::WSAEMSGSIZE,
        format!("datagram was larger than the {len}-byte buffer and was truncated"),
    )
}
