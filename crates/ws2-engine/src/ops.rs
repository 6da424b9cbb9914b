//! The pending operations of a socket, as data: a send captured so it
//! outlives its call (`Op`, from a validated [`SendPlan`]), the FIFO of
//! sends waiting for buffer space (`SendQueue`, S34) and the queue of
//! overlapped receives (`RecvQueue`). The `io` layer drives them.

use std::collections::VecDeque;

use std::sync::Arc;

use crate::completion::{Delivery, PortBound};
use crate::error::Result;
use crate::translate::{CmsgBuf, LinuxAddr, Received, RecvOutputs};

/// The iovecs an [`Op`] holds inline; a send with more buffers keeps them
/// in its [`Spill`] (16 bytes each, kept with a recycled box). One: most
/// sends have one buffer, and every pending send stays small (memory per
/// pending operation, README); the reactor reads every op it sends.
const OP_INLINE_IOV: usize = 1;

/// One send: the Linux message, owned so it outlives the call (S21: the
/// WSABUF array is captured; the data stays the caller's). `repr(C)` keeps
/// what the reactor reads for every datagram (the message) together at the
/// start; the control bytes follow only when there are any.
#[repr(C)]
pub(crate) struct Op {
    /// At most `MAX_IOVECS` for a datagram; a `WSABUF` count (a `u32`) for
    /// a stream send.
    pub(crate) iovlen: u32,
    pub(crate) flags: i32,
    /// Bytes of the datagram (the iovecs' total).
    pub(crate) len: usize,
    pub(crate) dest: Option<LinuxAddr>,
    /// A `ConnectEx`: its connect must end before its bytes go (P8). (Here
    /// it takes the padding after `dest`.)
    pub(crate) connect: bool,
    pub(crate) iov_inline: [libc::iovec; OP_INLINE_IOV],
    /// Taken when the operation completes (the box may then be reused).
    pub(crate) delivery: Option<Delivery>,
    pub(crate) issuer: u64,
    /// What few sends need (control messages, more than one buffer, a
    /// bounce buffer), out of line so that every pending send stays small
    /// (memory per pending send, README); kept with a recycled box.
    pub(crate) spill: Option<Box<Spill>>,
    /// A stream send's bytes the kernel has taken so far (P8: it completes
    /// when all `len` are).
    pub(crate) taken: usize,
}

/// What an op without control messages sends with.
static NO_CMSG: CmsgBuf = CmsgBuf::EMPTY;

/// The rarely used parts of an [`Op`].
#[derive(Default)]
pub(crate) struct Spill {
    /// The control messages, in a box of their own: a send of several
    /// buffers has none, most often. See [`Op::cmsg`].
    pub(crate) control: Option<Box<CmsgBuf>>,
    /// The iovecs of a send with more than `OP_INLINE_IOV` buffers.
    pub(crate) iov: Vec<libc::iovec>,
    /// The datagram's bytes when they were gathered into one bounce buffer
    /// (more buffers than one Linux message takes, S21); empty otherwise.
    pub(crate) bounce: Vec<u8>,
}

// SAFETY: the iovec pointers refer to buffers the caller keeps valid until
// completion (C contract) or that the delivery closure owns (Rust); nothing else
// in an Op is thread-bound.
unsafe impl Send for Op {}

impl Op {
    /// A fresh, empty operation box.
    pub(crate) fn boxed() -> Box<Op> {
        Box::new(Op {
            iovlen: 0,
            flags: 0,
            len: 0,
            dest: None,
            connect: false,
            iov_inline: [libc::iovec {
                iov_base: std::ptr::null_mut(),
                iov_len: 0,
            }; OP_INLINE_IOV],
            delivery: None,
            issuer: 0,
            spill: None,
            taken: 0,
        })
    }

    /// Captures an overlapped stream send (P8): the caller's buffers (they
    /// stay the caller's until completion), Linux flags (`MSG_OOB`: the
    /// last byte urgent; `MSG_DONTROUTE`), and the bytes already taken.
    pub(crate) fn fill_stream(
        &mut self,
        iov: &[libc::iovec],
        flags: i32,
        taken: usize,
        delivery: Delivery,
        issuer: u64,
    ) {
        self.iovlen = iov.len() as u32;
        self.len = iov.iter().map(|v| v.iov_len).sum();
        self.flags = flags;
        self.dest = None;
        self.delivery = Some(delivery);
        self.issuer = issuer;
        self.clear_control();
        self.taken = taken;
        self.connect = false;
        self.capture_iov(iov);
    }

    /// No control messages (a recycled box may have had some).
    fn clear_control(&mut self) {
        if let Some(control) = self.spill.as_mut().and_then(|s| s.control.as_mut()) {
            control.copy_from(&NO_CMSG);
        }
    }

    /// Keeps the iovecs of a send: inline, or in the spill when there are
    /// more.
    fn capture_iov(&mut self, iov: &[libc::iovec]) {
        if iov.len() > OP_INLINE_IOV {
            let spill = self.spill.get_or_insert_with(Box::default);
            spill.iov.clear();
            // Exactly: a first push would round 2 or 3 up to 4.
            spill.iov.reserve_exact(iov.len());
            spill.iov.extend_from_slice(iov);
        } else {
            self.iov_inline[..iov.len()].copy_from_slice(iov);
        }
    }

    /// The op's iovecs.
    pub(crate) fn iov(&self) -> &[libc::iovec] {
        // SAFETY: iov_ptr points to iovlen initialised iovecs.
        unsafe { std::slice::from_raw_parts(self.iov_ptr(), self.iovlen as usize) }
    }

    /// Whether `other` may share a UDP GSO message with this op: same
    /// destination, same control data, same flags.
    pub(crate) fn same_shape(&self, other: &Op) -> bool {
        self.flags == other.flags
            && cmsg_bytes(self.cmsg()) == cmsg_bytes(other.cmsg())
            && match (&self.dest, &other.dest) {
                (None, None) => true,
                (Some(a), Some(b)) => addr_bytes(a) == addr_bytes(b),
                _ => false,
            }
    }

    /// The control messages the send carries (none: an empty buffer).
    pub(crate) fn cmsg(&self) -> &CmsgBuf {
        match self.spill.as_ref().and_then(|s| s.control.as_deref()) {
            Some(control) => control,
            None => &NO_CMSG,
        }
    }

    pub(crate) fn iov_ptr(&self) -> *const libc::iovec {
        match &self.spill {
            Some(spill) if self.iovlen as usize > OP_INLINE_IOV => spill.iov.as_ptr(),
            _ => self.iov_inline.as_ptr(),
        }
    }

    pub(crate) fn msghdr(&self) -> libc::msghdr {
        msghdr(
            self.dest.as_ref(),
            self.iov_ptr(),
            self.iovlen as usize,
            self.cmsg(),
        )
    }
}

/// A Linux `msghdr` over a destination, iovecs and control messages that
/// outlive its use.
#[inline(always)]
pub(crate) fn msghdr(
    dest: Option<&LinuxAddr>,
    iov: *const libc::iovec,
    iovlen: usize,
    cmsg: &CmsgBuf,
) -> libc::msghdr {
    let (name, namelen) = match dest {
        Some(d) => (d.as_ptr().cast_mut().cast(), d.len()),
        None => (std::ptr::null_mut(), 0),
    };
    libc::msghdr {
        msg_name: name,
        msg_namelen: namelen,
        msg_iov: iov.cast_mut(),
        msg_iovlen: iovlen,
        msg_control: cmsg.as_ptr().cast_mut().cast(),
        msg_controllen: cmsg.len(),
        msg_flags: 0,
    }
}

/// The control bytes a `CmsgBuf` holds.
fn cmsg_bytes(c: &CmsgBuf) -> &[u8] {
    if c.is_empty() {
        return &[]; // as_ptr() is null then
    }
    // SAFETY: a CmsgBuf's first len() bytes are initialised.
    unsafe { std::slice::from_raw_parts(c.as_ptr(), c.len()) }
}

/// The bytes of a Linux socket address.
fn addr_bytes(a: &LinuxAddr) -> &[u8] {
    // SAFETY: a LinuxAddr holds a valid sockaddr of len() bytes.
    unsafe { std::slice::from_raw_parts(a.as_ptr().cast::<u8>(), a.len() as usize) }
}

/// A datagram that could not go at once, translated and validated: what
/// the `io` layer needs to wait for buffer space, queue it or segment it.
pub struct SendPlan<'a> {
    /// `UDP_SEND_MSG_SIZE` when the datagram is longer than one segment.
    pub segment: Option<u16>,
    pub iov: *const libc::iovec,
    pub iovlen: usize,
    pub dest: Option<&'a LinuxAddr>,
    pub cmsg: &'a CmsgBuf,
    /// Linux `sendmsg` flags.
    pub flags: i32,
}

impl SendPlan<'_> {
    pub(crate) fn msghdr(&self) -> libc::msghdr {
        msghdr(self.dest, self.iov, self.iovlen, self.cmsg)
    }

    /// Captures the plan into an owned operation (the pending path), field
    /// by field (a recycled box is overwritten in place, not rebuilt).
    pub(crate) fn fill(&self, op: &mut Op, delivery: Delivery, issuer: u64) {
        op.iovlen = self.iovlen as u32;
        op.flags = self.flags;
        op.dest = self.dest.copied();
        op.delivery = Some(delivery);
        op.issuer = issuer;
        if !self.cmsg.is_empty() {
            op.spill
                .get_or_insert_with(Box::default)
                .control
                .get_or_insert_with(Box::default)
                .copy_from(self.cmsg);
        } else {
            op.clear_control();
        }
        op.taken = 0;
        op.connect = false;
        // SAFETY: the plan's iov points to iovlen iovecs valid for this call.
        let iov = unsafe { std::slice::from_raw_parts(self.iov, self.iovlen) };
        op.len = iov.iter().map(|v| v.iov_len).sum();
        op.capture_iov(iov);
    }
}

/// The socket's queue of sends waiting for buffer space.
#[derive(Default)]
pub(crate) struct SendQueue {
    pub(crate) ops: VecDeque<Box<Op>>,
    /// Boxes of completed operations, reused by the next pending sends so
    /// the pending path does not allocate per datagram. Boxed because they
    /// move into `ops` as boxes.
    #[allow(clippy::vec_box)]
    pub(crate) spare: Vec<Box<Op>>,
    /// The reactor holds the socket and will drain it.
    pub(crate) registered: bool,
    /// The serial of the reactor whose epoll set holds the socket's fd (0:
    /// none yet).
    pub(crate) in_epoll: u64,
    /// The kernel refused UDP GSO on this socket's route (EIO): queued
    /// datagrams are not coalesced.
    pub(crate) no_coalesce: bool,
    /// Coalesce only datagrams shorter than this (0: any); set when the
    /// kernel refused a GSO message of that segment size (over the MTU).
    pub(crate) coalesce_below: usize,
    /// The thread waiting on the stream socket's completion port that
    /// watches its writability itself (the reactor's watch is disarmed
    /// meanwhile, `io/port_watch.rs`): woken when the queue is emptied by
    /// someone else.
    pub(crate) cover: Option<Arc<crate::completion::ThreadWaker>>,
}

/// Writes a received datagram's outputs and says how the operation ends
/// (`WSAEMSGSIZE` for truncation, S27).
pub enum RecvFinish {
    /// A C receive's outputs in its caller's memory: a batch writes them
    /// straight from what the kernel wrote (`SocketCore::received_windows`),
    /// with no `Received` in between. Made only by the unsafe
    /// [`RecvFinish::windows`].
    Windows(WindowsFinish),
    /// Any other completion (Rust receives, `AcceptEx`, streams), in four
    /// words without an allocation.
    Closure(crate::completion::InlineFnOnce<Result<Received>, Result<usize>, 4>),
}

impl RecvFinish {
    /// A completion that runs `f` on what arrived.
    pub fn new(f: impl FnOnce(Result<Received>) -> Result<usize> + Send + 'static) -> RecvFinish {
        RecvFinish::Closure(crate::completion::InlineFnOnce::new(f))
    }

    /// A C receive's completion: what arrived written into `outputs`.
    ///
    /// # Safety
    /// Every non-null pointer of `outputs` stays valid and writable, as
    /// Winsock documents, until the receive completes.
    pub unsafe fn windows(outputs: RecvOutputs) -> RecvFinish {
        RecvFinish::Windows(WindowsFinish(outputs))
    }

    /// Completes with `got`.
    #[inline]
    pub fn call(self, got: Result<Received>) -> Result<usize> {
        match self {
            // SAFETY: valid until completion: a `WindowsFinish` is made
            // only by `RecvFinish::windows`, whose caller promised it.
            RecvFinish::Windows(w) => got.and_then(|got| unsafe { w.0.write(&got) }),
            RecvFinish::Closure(f) => f.call(got),
        }
    }
}

/// A C receive's outputs, valid until it completes: its field is private,
/// so safe code cannot make one from arbitrary pointers (only the unsafe
/// [`RecvFinish::windows`] does).
///
/// ```compile_fail
/// use ws2_engine::{ops::{RecvFinish, WindowsFinish}, translate::RecvOutputs};
/// let mut x = 0u32;
/// let o = RecvOutputs {
///     name: std::ptr::null_mut(),
///     namelen: std::ptr::null_mut(),
///     control: std::ptr::null_mut(),
///     flags: &raw mut x,
/// };
/// let _ = RecvFinish::Windows(WindowsFinish(o));
/// ```
/// ```
/// use ws2_engine::{ops::RecvFinish, translate::{Received, RecvOutputs}};
/// let mut x = 7u32;
/// let o = RecvOutputs {
///     name: std::ptr::null_mut(),
///     namelen: std::ptr::null_mut(),
///     control: std::ptr::null_mut(),
///     flags: &raw mut x,
/// };
/// // SAFETY: `x` outlives the completion below.
/// let finish = unsafe { RecvFinish::windows(o) };
/// assert_eq!(finish.call(Ok(Received { bytes: 3, ..Default::default() })).unwrap(), 3);
/// assert_eq!(x, 0, "the flags written");
/// ```
pub struct WindowsFinish(RecvOutputs);

impl WindowsFinish {
    /// The outputs, for writing at completion.
    pub(crate) fn outputs(&self) -> RecvOutputs {
        self.0
    }
}

/// One try of a queued operation that is not a plain receive (`AcceptEx`,
/// P8): whether it completed, must wait, or goes on as another socket's
/// receive.
pub enum Attempt {
    /// Nothing yet: the reactor tries again when the socket is readable.
    NotYet,
    /// Done, with this result (the `finish` of the op writes its outputs).
    Done(Result<Received>),
    /// The operation moves on: the closure queues it where it now waits
    /// (an `AcceptEx` waiting for its first data, on the accepted socket).
    Handoff(Handoff),
}

/// Where a handed-off operation goes next.
pub type Handoff = Box<dyn FnOnce(Box<RecvOp>) + Send>;

/// The try of an [`Attempt`] operation, run by its call and by the reactor
/// when the socket is readable.
pub type RecvAttempt = Box<dyn FnMut() -> Attempt + Send>;

/// A queued receive's buffers as Linux iovecs: one (most receives) kept
/// inline, so queuing it allocates nothing for them.
pub(crate) enum RecvIovs {
    One(libc::iovec),
    Many(Vec<libc::iovec>),
}

impl From<&[libc::iovec]> for RecvIovs {
    #[inline]
    fn from(iov: &[libc::iovec]) -> RecvIovs {
        match iov {
            [one] => RecvIovs::One(*one),
            _ => RecvIovs::Many(iov.to_vec()),
        }
    }
}

impl std::ops::Deref for RecvIovs {
    type Target = [libc::iovec];
    #[inline]
    fn deref(&self) -> &[libc::iovec] {
        match self {
            RecvIovs::One(one) => std::slice::from_ref(one),
            RecvIovs::Many(many) => many,
        }
    }
}

/// One queued receive (or an operation tried the same way).
pub struct RecvOp {
    pub(crate) iov: RecvIovs,
    /// A stream receive's Linux flags (`MSG_PEEK`, `MSG_OOB`); 0 otherwise.
    pub(crate) flags: i32,
    pub(crate) finish: RecvFinish,
    pub(crate) delivery: Delivery,
    pub(crate) issuer: u64,
    /// Tried by this instead of a receive into `iov`.
    pub(crate) attempt: Option<RecvAttempt>,
    /// Completes on this socket's port (an `AcceptEx` completes on the
    /// listener's key, not the accepted socket's: `test_completion_port`).
    pub(crate) port_of: Option<Arc<dyn PortBound + Send + Sync>>,
}

impl RecvOp {
    /// A queued operation of its own kind: `attempt` says when it is done.
    pub fn attempting(
        attempt: RecvAttempt,
        finish: RecvFinish,
        delivery: Delivery,
        issuer: u64,
    ) -> Box<RecvOp> {
        RecvOp::boxed(RecvOp {
            iov: RecvIovs::Many(Vec::new()),
            flags: 0,
            finish,
            delivery,
            issuer,
            attempt: Some(attempt),
            port_of: None,
        })
    }

    /// Makes a handed-off operation a plain receive into `iov` that
    /// completes on `port_of`'s port.
    pub fn into_receive(
        mut self: Box<Self>,
        iov: &[libc::iovec],
        port_of: Arc<dyn PortBound + Send + Sync>,
    ) -> Box<RecvOp> {
        self.attempt = None;
        self.iov = iov.into();
        self.flags = 0;
        self.port_of = Some(port_of);
        self
    }
}

// SAFETY: the iovecs point into buffers the caller keeps valid until
// completion (Winsock's contract); nothing else is thread-bound.
unsafe impl Send for RecvOp {}

/// Boxes a thread let go of, for its next queued receives: a program that
/// keeps receives posted queues and completes a batch of them at a time,
/// more than the allocator's per-thread cache keeps (7 of a size), so
/// each would otherwise cost a trip to its shared lists.
const SPARE_RECV_OPS: usize = 64;

thread_local! {
    // The boxes themselves are what is kept (each goes back into service
    // as a `Box<RecvOp>`), not their values.
    #[allow(clippy::vec_box)]
    static SPARE: std::cell::RefCell<Vec<Box<std::mem::MaybeUninit<RecvOp>>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

impl RecvOp {
    /// `op` in a box, a spare one of this thread's when it has one.
    #[inline(always)]
    pub(crate) fn boxed(op: RecvOp) -> Box<RecvOp> {
        Box::write(spare_or_new(), op)
    }

    /// A plain receive into `iov` in a box (see [`RecvOp::boxed`]), its
    /// fields written where they go: a value built first and then moved
    /// in is copied whole.
    #[inline(always)]
    pub(crate) fn boxed_receive(
        iov: &[libc::iovec],
        finish: RecvFinish,
        delivery: Delivery,
        issuer: u64,
    ) -> Box<RecvOp> {
        let mut b = spare_or_new();
        let p = b.as_mut_ptr();
        // SAFETY: `p` is the box's memory; every field is written once (the
        // list is kept in step with the struct by hand, `_EVERY_FIELD`
        // prompting it), so the box then holds a value.
        unsafe {
            (&raw mut (*p).iov).write(iov.into());
            (&raw mut (*p).flags).write(0);
            (&raw mut (*p).finish).write(finish);
            (&raw mut (*p).delivery).write(delivery);
            (&raw mut (*p).issuer).write(issuer);
            (&raw mut (*p).attempt).write(None);
            (&raw mut (*p).port_of).write(None);
            b.assume_init()
        }
    }

    /// The operation out of its box, which this thread keeps as a spare.
    #[inline]
    pub(crate) fn unboxed(op: Box<RecvOp>) -> RecvOp {
        let raw = Box::into_raw(op);
        // SAFETY: `raw` is the live box's value, read once; the box is then
        // treated as uninitialised memory, so the value is not dropped twice.
        let value = unsafe { raw.read() };
        // SAFETY: the same allocation, its value moved out above.
        unsafe { keep_spare(raw) };
        value
    }

    /// The operation's completion (how it finishes, where it is
    /// delivered) out of its box, the rest dropped and the box kept as a
    /// spare: what a batch needs, without copying the whole operation.
    #[inline]
    pub(crate) fn completion_of(op: Box<RecvOp>) -> (RecvFinish, Delivery) {
        let raw = Box::into_raw(op);
        // SAFETY: `raw` is the live box's value; `finish` and `delivery` are
        // read once each and every other field that owns something is
        // dropped in place once (`flags` and `issuer` are plain integers;
        // the list is kept in step by hand, `_EVERY_FIELD` failing to
        // compile when a field is added), so the box then holds no value.
        let parts = unsafe {
            let parts = (
                (&raw const (*raw).finish).read(),
                (&raw const (*raw).delivery).read(),
            );
            std::ptr::drop_in_place(&raw mut (*raw).iov);
            std::ptr::drop_in_place(&raw mut (*raw).attempt);
            std::ptr::drop_in_place(&raw mut (*raw).port_of);
            parts
        };
        // SAFETY: the same allocation, its value moved out or dropped above.
        unsafe { keep_spare(raw) };
        parts
    }
}

/// Every field of [`RecvOp`], named: [`RecvOp::boxed_receive`] writes and
/// [`RecvOp::completion_of`] reads or drops each one by hand, so a new
/// field must be added there too.
const _EVERY_FIELD: fn(RecvOp) = |op| {
    let RecvOp {
        iov: _,
        flags: _,
        finish: _,
        delivery: _,
        issuer: _,
        attempt: _,
        port_of: _,
    } = op;
};

/// One of this thread's spare operation boxes, or a new one.
#[inline(always)]
fn spare_or_new() -> Box<std::mem::MaybeUninit<RecvOp>> {
    SPARE
        .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.pop()))
        .ok()
        .flatten()
        .unwrap_or_else(Box::new_uninit)
}

/// Keeps an emptied operation box as one of this thread's spares (or
/// frees it when the thread has enough).
///
/// # Safety
/// `raw` is a `Box<RecvOp>`'s allocation whose value was moved out or
/// dropped.
#[inline]
unsafe fn keep_spare(raw: *mut RecvOp) {
    // SAFETY: the allocation of a box, holding no value (the contract).
    let spare = unsafe { Box::from_raw(raw.cast::<std::mem::MaybeUninit<RecvOp>>()) };
    let _ = SPARE.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut()
            && s.len() < SPARE_RECV_OPS
        {
            s.push(spare);
        }
    });
}

/// The socket's queue of receives waiting for datagrams.
#[derive(Default)]
pub(crate) struct RecvQueue {
    pub(crate) ops: VecDeque<Box<RecvOp>>,
    pub(crate) registered: bool,
    /// The queued receives wait for the socket's completion port to fill
    /// them (`io::recv_deferred`), not for the reactor (`registered` is
    /// false meanwhile).
    pub(crate) deferred: bool,
    /// The reactor's sweep count when the deferral began (`io::drain`).
    pub(crate) deferred_at: u64,
    /// Listed for the reactor's sweep of deferred receives.
    pub(crate) swept: bool,
    /// The serial of the reactor whose epoll set holds the receive fd.
    pub(crate) in_epoll: u64,
}

#[cfg(test)]
mod tests {
    /// The README states the memory per pending send (144 bytes for the
    /// op; 256 with the queue's slot and what a Rust `send_overlapped`
    /// shares with its `PendingSend`; `crates/ws2/tests/pending_memory.rs`
    /// counts them): keep it true.
    #[test]
    fn a_pending_send_fits_its_stated_budget() {
        assert!(
            std::mem::size_of::<super::Op>() <= 144,
            "{}",
            std::mem::size_of::<super::Op>()
        );
    }
}
