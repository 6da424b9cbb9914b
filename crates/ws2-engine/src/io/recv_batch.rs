//! Batched overlapped receives: the receives queued on a socket are filled
//! in posting order by one `recvmmsg` when datagrams are waiting (the
//! receive twin of the `sendmmsg` drain), each completing with its own
//! status, byte count, flags and control data. On a socket with URO on
//! (S44) the residue of a coalesced run is served first, and a batch that
//! leaves one hands it on before anything read after it, so a flow is
//! never reordered.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::completion::Delivery;
use crate::error::{Result, errno};
use crate::ops::{RecvFinish, RecvOp, RecvQueue};
use crate::socket::{GRO_READ, MAX_URO_IOVECS, RESIDUE_PIECES, SocketCore};
use crate::translate::{CmsgBuf, LinuxAddr, MAX_IOVECS};

/// Messages per `recvmmsg`.
const RECV_BATCH: usize = 32;

/// Receives of one batch that may get an overflow buffer behind their own
/// (URO with buffers shorter than a run can be): each costs the reactor
/// [`GRO_READ`] bytes, kept for the next batch.
const OVERFLOWS: usize = 8;

static RECVMMSG_CALLS: AtomicU64 = AtomicU64::new(0);
static RECVMMSG_MESSAGES: AtomicU64 = AtomicU64::new(0);

/// What the reactor's receive side has done since the process started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecvStats {
    /// `recvmmsg` calls that filled queued overlapped receives.
    pub recvmmsg_calls: u64,
    /// Messages (datagrams, or coalesced runs) those calls read.
    pub messages: u64,
    /// Receives served from what a coalesced run left (S44), on any path.
    pub residue_pieces: u64,
}

/// The receive counters (for tests and benchmarks: messages per call).
pub fn recv_stats() -> RecvStats {
    RecvStats {
        recvmmsg_calls: RECVMMSG_CALLS.load(Ordering::Relaxed),
        messages: RECVMMSG_MESSAGES.load(Ordering::Relaxed),
        residue_pieces: RESIDUE_PIECES.load(Ordering::Relaxed),
    }
}

/// The reactor thread's buffers for one batch.
struct Scratch {
    msgs: [libc::mmsghdr; RECV_BATCH],
    names: [LinuxAddr; RECV_BATCH],
    cmsgs: [CmsgBuf; RECV_BATCH],
    /// On a URO socket, every message's iovecs, one after the other (a
    /// socket without URO reads into the receives' own).
    iovs: Vec<libc::iovec>,
    /// On a URO socket, per message: its iovecs in `iovs`, and its
    /// overflow buffer if any.
    layout: [(std::ops::Range<usize>, Option<usize>); RECV_BATCH],
    overflow: Vec<Vec<u8>>,
}

thread_local! {
    static SCRATCH: RefCell<Option<Box<Scratch>>> = const { RefCell::new(None) };
}

/// A batch's message as a receive's completion reads it: written into a C
/// receive's outputs, or decoded for any other.
enum Read {
    Written(Result<usize>),
    Decoded(crate::translate::Received),
}

/// How a batch ended.
enum Batch {
    /// Receives may remain and data may wait: go on.
    More,
    /// The kernel's queue is empty: wait for readability.
    Empty,
}

/// Fills the queued receives in order, from the residue and then in
/// `recvmmsg` batches, while datagrams wait; each one's completion goes to
/// `done`, in order. Returns whether receives remain that must wait for
/// the socket to become readable.
pub(super) fn fill_queued(
    core: &SocketCore,
    q: &mut RecvQueue,
    done: &mut Vec<(Delivery, Result<usize>)>,
) -> bool {
    let before = done.len();
    let wait = fill_in_order(core, q, done);
    if done.len() != before {
        // Receive calls re-enable FD_READ (P1), recorded again while data
        // (or a residue) is left.
        core.note_received();
    }
    wait
}

/// The loop of [`fill_queued`].
fn fill_in_order(
    core: &SocketCore,
    q: &mut RecvQueue,
    done: &mut Vec<(Delivery, Result<usize>)>,
) -> bool {
    loop {
        if core.gro_on() && serve_residue(core, q, done) {
            continue;
        }
        if q.ops.is_empty() {
            return false;
        }
        // Closed, unbound or shut down for receiving: each receive fails
        // as a call would (S15, S37).
        if let Err(e) = core.recv_checks() {
            finish_front(q, Err(e), done);
            continue;
        }
        let Some(front) = q.ops.front() else {
            return false;
        };
        if front.iov.len() > core.iovecs_one_read_takes() || core.has_group_sockets() {
            // More buffers than one Linux message takes: on its own,
            // through the bounce buffer (S21); or datagrams that may come
            // from the socket's group sockets (P4): one at a time from
            // whichever has one.
            let got = match core.recv_controls_now(front.iov.as_ptr().cast_mut(), front.iov.len()) {
                Ok(None) => return true,
                Ok(Some(got)) => Ok(got),
                Err(e) => Err(e),
            };
            finish_front(q, got, done);
            continue;
        }
        if let Err(e) = core.report_icmp_error() {
            finish_front(q, Err(e), done);
            continue;
        }
        let batch = SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let s = s.get_or_insert_with(Scratch::new);
            receive_batch(core, q, s, done)
        });
        if let Batch::Empty = batch {
            return true;
        }
    }
}

/// Completes the front receive with `got`.
fn finish_front(
    q: &mut RecvQueue,
    got: Result<crate::translate::Received>,
    done: &mut Vec<(Delivery, Result<usize>)>,
) {
    if let Some(op) = q.ops.pop_front() {
        let (finish, delivery) = RecvOp::completion_of(op);
        done.push((delivery, finish.call(got)));
    }
}

/// Serves queued receives from the residue; whether it served any.
fn serve_residue(
    core: &SocketCore,
    q: &mut RecvQueue,
    done: &mut Vec<(Delivery, Result<usize>)>,
) -> bool {
    let mut res = core.lock_residue();
    let mut served = false;
    while let Some(op) = q.ops.front() {
        let Some(got) = core.serve_residue(&mut res, &op.iov, false) else {
            break;
        };
        finish_front(q, got, done);
        served = true;
    }
    served
}

impl Scratch {
    fn new() -> Box<Scratch> {
        Box::new(Scratch {
            // SAFETY: mmsghdr is plain data; zeroed is a valid empty value.
            msgs: unsafe { std::mem::zeroed() },
            names: [LinuxAddr::empty(); RECV_BATCH],
            cmsgs: std::array::from_fn(|_| CmsgBuf::default()),
            iovs: Vec::new(),
            layout: std::array::from_fn(|_| (0..0, None)),
            overflow: Vec::new(),
        })
    }
}

/// One `recvmmsg` into the front receives (up to [`RECV_BATCH`]).
fn receive_batch(
    core: &SocketCore,
    q: &mut RecvQueue,
    s: &mut Scratch,
    done: &mut Vec<(Delivery, Result<usize>)>,
) -> Batch {
    let gro = core.gro_on();
    let n = if gro {
        gather_with_overflow(q, s)
    } else {
        // Each message reads into its receive's own iovecs, which stay
        // where they are (the boxed operation's, or its vector's) while it
        // is queued; the kernel reads iovecs and never writes them.
        let mut n = 0;
        for op in q.ops.iter().take(RECV_BATCH) {
            if op.iov.len() > MAX_IOVECS {
                break;
            }
            let h = &mut s.msgs[n].msg_hdr;
            h.msg_iov = op.iov.as_ptr().cast_mut();
            h.msg_iovlen = op.iov.len();
            n += 1;
        }
        n
    };
    for j in 0..n {
        s.names[j] = LinuxAddr::empty();
        let h = &mut s.msgs[j].msg_hdr;
        h.msg_name = s.names[j].as_mut_ptr().cast();
        h.msg_namelen = s.names[j].len();
        h.msg_control = s.cmsgs[j].as_mut_ptr().cast();
        h.msg_controllen = s.cmsgs[j].capacity();
        h.msg_flags = 0;
        s.msgs[j].msg_len = 0;
    }
    // SAFETY: msgs[..n] describe live buffers: names, cmsgs and overflow
    // buffers of the scratch, and the queued receives' buffers, which their
    // callers keep valid until completion (Winsock's contract). Their
    // iovecs are the scratch's `iovs` (URO) or the queued operations' own,
    // which stay where they are: `q` is held, and nothing leaves it until
    // the call returns.
    let r = unsafe { crate::sys::recvmmsg(core.raw_fd(), s.msgs.as_mut_ptr(), n as u32, 0) };
    RECVMMSG_CALLS.fetch_add(1, Ordering::Relaxed);
    if r < 0 {
        return match core.recv_failed(errno(), "recvmmsg") {
            Ok(true) => Batch::More,
            Ok(false) => Batch::Empty,
            Err(e) => {
                finish_front(q, Err(e), done);
                Batch::More
            }
        };
    }
    let r = r as usize;
    RECVMMSG_MESSAGES.fetch_add(r as u64, Ordering::Relaxed);
    let mut res = gro.then(|| core.lock_residue());
    for j in 0..r {
        let Some(op) = q.ops.pop_front() else { break };
        let bytes = s.msgs[j].msg_len as usize;
        let hdr = &s.msgs[j].msg_hdr;
        let result = match res.as_mut() {
            Some(res) => {
                let overflow = s.layout[j].1.map_or(&[][..], |k| &s.overflow[k][..]);
                let RecvOp {
                    iov,
                    finish,
                    delivery,
                    ..
                } = RecvOp::unboxed(op);
                let name = &mut s.names[j];
                // SAFETY: the kernel filled message j: its name, cmsgs and
                // `bytes` bytes over the receive's buffers then its
                // overflow; a C receive's outputs are valid until it
                // completes.
                let result = match finish {
                    RecvFinish::Windows(w) => unsafe {
                        core.settle_read_windows(res, &iov, overflow, hdr, name, bytes, w.outputs())
                    },
                    finish => finish
                        .call(unsafe { core.settle_read(res, &iov, overflow, hdr, name, bytes) }),
                };
                (delivery, result)
            }
            None => {
                // Message j is read before the operation is taken apart:
                // its iovecs are the operation's own.
                let name = &mut s.names[j];
                let read = match &op.finish {
                    // SAFETY: the kernel filled message j (name and cmsgs);
                    // a C receive's outputs are valid until it completes.
                    RecvFinish::Windows(w) => Read::Written(unsafe {
                        core.received_windows(hdr, name, bytes, w.outputs())
                    }),
                    // SAFETY: the kernel filled message j (name and cmsgs).
                    RecvFinish::Closure(_) => {
                        Read::Decoded(unsafe { core.received(hdr, name, bytes) })
                    }
                };
                let (finish, delivery) = RecvOp::completion_of(op);
                let result = match read {
                    Read::Written(result) => result,
                    Read::Decoded(got) => finish.call(Ok(got)),
                };
                (delivery, result)
            }
        };
        done.push(result);
    }
    let left = res.as_ref().is_some_and(|res| res.has_units());
    if r < n && !left {
        Batch::Empty
    } else {
        Batch::More
    }
}

/// The front receives' iovecs on a URO socket, each followed by an
/// overflow buffer when its own are shorter than a run can be, gathered
/// into the scratch and pointed at by its messages: how many messages.
#[inline(always)]
fn gather_with_overflow(q: &RecvQueue, s: &mut Scratch) -> usize {
    // The iovecs first, all of them: no pointer into `iovs` is taken
    // before it stops growing.
    s.iovs.clear();
    let (mut n, mut overflows) = (0, 0);
    for op in q.ops.iter().take(RECV_BATCH) {
        if op.iov.len() > MAX_URO_IOVECS {
            break;
        }
        let overflow = op.iov.iter().map(|v| v.iov_len).sum::<usize>() < GRO_READ;
        if overflow && overflows == OVERFLOWS {
            break;
        }
        let first = s.iovs.len();
        s.iovs.extend_from_slice(&op.iov);
        if overflow {
            if s.overflow.len() == overflows {
                s.overflow.push(vec![0; GRO_READ]);
            }
            s.iovs.push(libc::iovec {
                iov_base: s.overflow[overflows].as_mut_ptr().cast(),
                iov_len: GRO_READ,
            });
            overflows += 1;
        }
        s.layout[n] = (first..s.iovs.len(), overflow.then(|| overflows - 1));
        n += 1;
    }
    for j in 0..n {
        let iovs = s.layout[j].0.clone();
        let h = &mut s.msgs[j].msg_hdr;
        h.msg_iovlen = iovs.len();
        h.msg_iov = s.iovs[iovs].as_mut_ptr();
    }
    n
}
