//! URO (S44): `UDP_RECV_MAX_COALESCED_SIZE` over Linux UDP GRO.
//!
//! The option's first non-zero value turns `UDP_GRO` on for good (Linux
//! delivers runs it already queued glued, without their segment size, once
//! it is turned off again); 0 afterwards is emulated here, one datagram per
//! receive. A Linux read of a GRO socket returns one run (datagrams of one
//! source, destination and control data, all of one size but the last) or
//! one datagram, whole only if the read offers room for any UDP payload:
//! so a read gets the caller's buffers and, when they are shorter, an
//! overflow buffer of the socket's behind them. What arrives is cut on
//! datagram boundaries to fit the caller's buffers and the option's size
//! ([`cut`]); the rest of the run waits, per socket and in order, in the
//! residue, which every later receive serves before the kernel and which
//! counts as readable ([`SocketCore::buffered_in_user_space`]). A run delivered as
//! it arrived costs no copy; only a residue is copied.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::{self, Locked, lock};
use crate::translate::{
    CmsgBuf, INLINE_BUFFERS, LinuxAddr, MAX_IOVECS, Received, ReceivedControls, RecvOutputs,
    caller_memory, gro_segment_from_linux, received_to_windows,
};

use super::recv::{WindowsReceive, receive_msghdr, windows_outputs, write_windows_outputs};
use super::*;

/// Room a read of a GRO socket offers: any UDP payload fits (65,507 bytes
/// over IPv4, 65,527 over IPv6). Linux cuts a run that does not fit and the
/// rest of it is lost.
pub const GRO_READ: usize = 65536;

/// Most datagrams one receive returns coalesced: MsQuic takes at most 64
/// from one receive and drops the rest, and Linux runs reach 128 segments
/// (a local GSO send).
pub const MAX_COALESCED_SEGMENTS: usize = 64;

/// The most caller buffers a URO read takes: one iovec is left for the
/// overflow buffer it puts behind buffers shorter than [`GRO_READ`].
pub(crate) const MAX_URO_IOVECS: usize = MAX_IOVECS - 1;

/// Receives served from a residue (for tests and the bench).
pub(crate) static RESIDUE_PIECES: AtomicU64 = AtomicU64::new(0);

/// A socket's URO state.
pub(crate) struct Uro {
    /// `UDP_RECV_MAX_COALESCED_SIZE` (0: no coalescing).
    max: AtomicU32,
    /// Bytes of the residue's first unit plus one; 0 when the residue is
    /// empty (readiness reads it without the lock).
    front: AtomicUsize,
    residue: Mutex<Residue>,
}

impl Uro {
    pub(crate) fn new() -> Uro {
        Uro {
            max: AtomicU32::new(0),
            front: AtomicUsize::new(0),
            residue: Mutex::new(Residue {
                generation: fork::generation(),
                units: VecDeque::new(),
                spare: Vec::new(),
                overflow: Vec::new(),
            }),
        }
    }
}

/// What was read from the kernel but not yet delivered, in arrival order.
pub(crate) struct Residue {
    /// The fork generation it belongs to: a fork child lets go of its
    /// parent's, which the parent delivers.
    generation: u64,
    units: VecDeque<Unit>,
    /// Byte buffers of delivered units, kept for the next residue.
    spare: Vec<Vec<u8>>,
    /// Behind the caller's buffers in a read that offers less than
    /// [`GRO_READ`] (allocated on first need).
    overflow: Vec<u8>,
}

/// One Linux read (a run or one datagram), or what is left of it.
struct Unit {
    data: Vec<u8>,
    /// Bytes already delivered: whole datagrams.
    at: usize,
    /// Every datagram's size but the last's.
    segment: usize,
    from: Option<SocketAddr>,
    controls: ReceivedControls,
}

impl Unit {
    fn rest(&self) -> usize {
        self.data.len() - self.at
    }
}

/// How much of a run's rest one receive takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Bytes taken from the run: whole datagrams.
    pub taken: usize,
    /// Bytes delivered: `taken`, or the buffers' size for a datagram
    /// longer than the buffers (truncated, its tail lost).
    pub delivered: usize,
    /// Datagrams delivered.
    pub segments: usize,
    /// The one datagram delivered did not fit the buffers.
    pub truncated: bool,
}

/// Cuts the front of a run (`rest` bytes of `segment`-byte datagrams, the
/// last maybe shorter) for a receive into `buffer` bytes with the option at
/// `max` (S44). With the option on, as many whole datagrams as fit both the
/// buffers and the option, at most [`MAX_COALESCED_SEGMENTS`]; else, or when
/// not even one fits, one datagram: whole when the buffers hold it (a
/// datagram over the option's size is still delivered, as Microsoft
/// documents), else truncated to the buffers as Windows truncates any
/// datagram. The datagrams after it are never lost.
///
/// ```
/// use ws2_engine::socket::{cut, Piece};
/// // 10 x 1200 + 500 into 5000 bytes, option 65527: four datagrams.
/// assert_eq!(cut(12_500, 1200, 5000, 65527), Piece { taken: 4800, delivered: 4800, segments: 4, truncated: false });
/// // The last 500 bytes with the 1200 before them: a short last datagram ends the piece.
/// assert_eq!(cut(1700, 1200, 5000, 65527).segments, 2);
/// // The option off: one datagram per receive.
/// assert_eq!(cut(12_500, 1200, 65536, 0).taken, 1200);
/// // A buffer shorter than one datagram: truncated, the rest of the run kept.
/// assert_eq!(cut(12_500, 1200, 1000, 65527), Piece { taken: 1200, delivered: 1000, segments: 1, truncated: true });
/// ```
pub fn cut(rest: usize, segment: usize, buffer: usize, max: u32) -> Piece {
    if rest == 0 {
        return Piece {
            taken: 0,
            delivered: 0,
            segments: 1,
            truncated: false,
        };
    }
    let g = segment.clamp(1, rest);
    if max != 0 {
        let limit = buffer.min(max as usize);
        let whole = rest / g;
        let tail = rest - whole * g;
        let mut k = (limit / g).min(whole).min(MAX_COALESCED_SEGMENTS);
        let mut bytes = k * g;
        if k == whole && tail > 0 && k < MAX_COALESCED_SEGMENTS && bytes + tail <= limit {
            k += 1;
            bytes += tail;
        }
        if k > 0 {
            return Piece {
                taken: bytes,
                delivered: bytes,
                segments: k,
                truncated: false,
            };
        }
    }
    Piece {
        taken: g,
        delivered: g.min(buffer),
        segments: 1,
        truncated: g > buffer,
    }
}

/// An iovec of nothing, for arrays filled afterwards.
const EMPTY_IOVEC: libc::iovec = libc::iovec {
    iov_base: std::ptr::null_mut(),
    iov_len: 0,
};

/// The iovecs of one read of a GRO socket: `own` (the caller's buffers),
/// then `overflow`'s, in `inline` for a few buffers, else in `heap`.
fn read_vecs<'a>(
    own: &[libc::iovec],
    overflow: &mut [u8],
    inline: &'a mut [libc::iovec; INLINE_BUFFERS + 1],
    heap: &'a mut Vec<libc::iovec>,
) -> &'a mut [libc::iovec] {
    let overflow_iov = libc::iovec {
        iov_base: overflow.as_mut_ptr().cast(),
        iov_len: overflow.len(),
    };
    if own.len() <= INLINE_BUFFERS {
        inline[..own.len()].copy_from_slice(own);
        inline[own.len()] = overflow_iov;
        &mut inline[..own.len() + 1]
    } else {
        heap.extend_from_slice(own);
        heap.push(overflow_iov);
        heap
    }
}

/// The bytes `iov` describes.
fn total(iov: &[libc::iovec]) -> usize {
    iov.iter()
        .fold(0usize, |sum, v| sum.saturating_add(v.iov_len))
}

/// The iovecs of bytes `[from, to)` of `iov`.
fn sub_iov(iov: &[libc::iovec], from: usize, to: usize) -> Vec<libc::iovec> {
    let mut out = Vec::new();
    let mut at = 0;
    for v in iov {
        let (start, end) = (at.max(from), (at + v.iov_len).min(to));
        if start < end {
            out.push(libc::iovec {
                iov_base: v.iov_base.cast::<u8>().wrapping_add(start - at).cast(),
                iov_len: end - start,
            });
        }
        at += v.iov_len;
        if at >= to {
            break;
        }
    }
    out
}

fn memory_fault(what: &str) -> Error {
    Error::new(
        abi::WSAEFAULT,
        format!("lpBuffers is not writable where {what}"),
    )
}

impl SocketCore {
    /// Whether `UDP_GRO` is on (the option was non-zero once): receives go
    /// through [`SocketCore::recv_uro`].
    #[inline]
    pub(crate) fn gro_on(&self) -> bool {
        self.has(GRO)
    }

    /// The most caller buffers one Linux read of this socket takes: a URO
    /// read puts an overflow buffer behind buffers shorter than a run can
    /// be, one iovec more ([`MAX_URO_IOVECS`]). Past it, a receive reads
    /// through a bounce buffer (S21).
    #[inline]
    pub(crate) fn iovecs_one_read_takes(&self) -> usize {
        if self.gro_on() {
            MAX_URO_IOVECS
        } else {
            MAX_IOVECS
        }
    }

    /// `UDP_RECV_MAX_COALESCED_SIZE` (S44): receives may return several
    /// datagrams of one source, destination and control data, up to this
    /// many bytes, with their size in `UDP_COALESCED_INFO`; 0 (the
    /// default) turns coalescing off. Only UDP sockets have it
    /// (`WSAENOPROTOOPT`).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.recv_max_coalesced()?, 0, "off by default");
    /// core.set_recv_max_coalesced(65527)?;
    /// assert_eq!(core.recv_max_coalesced()?, 65527);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_recv_max_coalesced(&self, bytes: u32) -> Result<()> {
        self.check_uro_socket()?;
        if bytes != 0 && self.has_group_sockets() {
            // Group datagrams arrive on group sockets the URO path does
            // not read (README: where ws2 answers differently).
            return Err(Error::new(
                abi::WSAEINVAL,
                "UDP_RECV_MAX_COALESCED_SIZE: ws2 does not coalesce on a socket with multicast memberships",
            ));
        }
        if bytes != 0 && !self.gro_on() {
            // The bit first: a receive that sees it reads through the URO
            // path, which also takes what a socket without GRO delivers.
            self.state.fetch_or(GRO, Ordering::AcqRel);
            self.set_int_option(libc::SOL_UDP, libc::UDP_GRO, 1, "setsockopt(UDP_GRO)")?;
        }
        self.uro.max.store(bytes, Ordering::Relaxed);
        Ok(())
    }

    /// `UDP_RECV_MAX_COALESCED_SIZE` as set (see
    /// [`SocketCore::set_recv_max_coalesced`]).
    pub fn recv_max_coalesced(&self) -> Result<u32> {
        self.check_uro_socket()?;
        Ok(self.uro.max.load(Ordering::Relaxed))
    }

    fn check_uro_socket(&self) -> Result<()> {
        if self.kind != SocketKind::Datagram || self.protocol != libc::IPPROTO_UDP {
            return Err(Error::new(
                abi::WSAENOPROTOOPT,
                "UDP_RECV_MAX_COALESCED_SIZE is an option of UDP sockets only",
            ));
        }
        Ok(())
    }

    /// The bytes held in the residue for later receives, `None` when it
    /// is empty (see [`SocketCore::buffered_in_user_space`]).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert_eq!(core.buffered_in_user_space(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub(crate) fn residue_bytes(&self) -> Option<usize> {
        if self.uro.front.load(Ordering::Acquire) == 0 {
            return None;
        }
        let res = self.lock_residue();
        res.has_units()
            .then(|| res.units.iter().map(Unit::rest).sum())
    }

    /// The residue, locked. A fork child first lets go of its parent's.
    pub(crate) fn lock_residue(&self) -> Locked<'_, Residue> {
        let mut res = lock(&self.uro.residue);
        let generation = fork::generation();
        if res.generation != generation {
            res.generation = generation;
            res.units.clear();
            self.uro.front.store(0, Ordering::Release);
        }
        res
    }

    /// `closesocket`: what was held is dropped with the socket.
    pub(crate) fn drop_residue(&self) {
        let mut res = self.lock_residue();
        res.units.clear();
        res.overflow = Vec::new();
        res.spare.clear();
        self.publish(&res);
    }

    fn publish(&self, res: &Residue) {
        let front = res.units.front().map_or(0, |u| u.rest() + 1);
        self.uro.front.store(front, Ordering::Release);
    }

    /// A receive on a socket with `UDP_GRO` on (S44): the residue first,
    /// else one kernel read cut to fit; waits as `recvmsg_blocking` does.
    /// `peek` (`MSG_PEEK`) leaves what it returns in place for the next
    /// receive. A blocking receive (`may_wait`) that leaves a residue
    /// hands it to overlapped receives queued meanwhile; an overlapped one
    /// runs with the queue locked and empty.
    pub(crate) fn recv_uro(
        &self,
        iov: &[libc::iovec],
        peek: bool,
        may_wait: bool,
    ) -> Result<Received> {
        self.recv_checks()?;
        let result = self.recv_uro_waiting(iov, peek, may_wait);
        // Every receive call re-enables FD_READ (P1), recorded again while
        // a residue is left.
        self.note_received();
        result
    }

    /// The receive loop of [`SocketCore::recv_uro`].
    fn recv_uro_waiting(
        &self,
        iov: &[libc::iovec],
        peek: bool,
        may_wait: bool,
    ) -> Result<Received> {
        let mut deadline = None;
        loop {
            let (got, left) = {
                let mut res = self.lock_residue();
                let got = match self.serve_residue(&mut res, iov, peek) {
                    Some(got) => Some(got),
                    None => self.read_unit(&mut res, iov, peek)?,
                };
                (got, !res.units.is_empty())
            };
            if let Some(got) = got {
                if left && may_wait {
                    self.serve_queued_receives();
                }
                return got;
            }
            self.wait_to_receive(may_wait, &mut deadline)?;
        }
    }

    /// One kernel read with the residue empty: `None` when nothing waits.
    fn read_unit(
        &self,
        res: &mut Residue,
        iov: &[libc::iovec],
        peek: bool,
    ) -> Result<Option<Result<Received>>> {
        let buffer = total(iov);
        let mut overflow = std::mem::take(&mut res.overflow);
        if (peek || buffer < GRO_READ) && overflow.len() < GRO_READ {
            overflow.resize(GRO_READ, 0);
        }
        // A peek reads into the overflow alone: the whole unit becomes
        // residue, and the peek serves it without taking it.
        let own: &[libc::iovec] = if peek { &[] } else { iov };
        let mut inline = [EMPTY_IOVEC; INLINE_BUFFERS + 1];
        let mut heap = Vec::new();
        let vecs = read_vecs(own, &mut overflow, &mut inline, &mut heap);
        let with_overflow = peek || buffer < GRO_READ;
        let mut from = LinuxAddr::empty();
        let mut cmsgs = CmsgBuf::default();
        let mut msg = receive_msghdr(
            &mut from,
            &mut cmsgs,
            vecs.as_mut_ptr(),
            vecs.len() - usize::from(!with_overflow),
        );
        let got = match self.recv_attempt(&mut msg, 0) {
            Ok(Some(n)) if peek => {
                // SAFETY: the kernel filled msg: the name in `from`, the
                // cmsgs, n bytes in the overflow.
                let (got, segment) = unsafe { self.decode_read(&msg, &mut from, n) };
                res.unit_of(&[], &overflow, 0, n, segment, &got)
                    .map(|unit| {
                        res.units.push_back(unit);
                        self.publish(res);
                        self.serve_residue(res, iov, true)
                    })
            }
            // SAFETY: the kernel filled msg: the name in `from`, the cmsgs,
            // n bytes over the caller's buffers then the overflow.
            Ok(Some(n)) => Ok(Some(unsafe {
                self.settle_read(res, iov, &overflow, &msg, &mut from, n)
            })),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        res.overflow = overflow;
        got
    }

    /// [`SocketCore::recv_windows_usual`] on a URO socket (S44), for a C
    /// receive that does not peek: a read whose run the caller's buffers
    /// take whole, within the option's size (the usual case, buffers of
    /// that size), is written straight into Windows' outputs
    /// ([`windows_outputs`]), its segment size as `UDP_COALESCED_INFO` when
    /// it holds two datagrams or more; a read that leaves a residue, and a
    /// residue already held, go the general way ([`SocketCore::settle_read`],
    /// [`SocketCore::serve_residue`]) and are written from their
    /// [`Received`]. Waits as [`SocketCore::recv_uro`] does.
    ///
    /// # Safety
    /// `iov` holds `iovlen` iovecs of writable memory; `name` null or
    /// writable for `*namelen` bytes, `namelen` null or readable and
    /// writable.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) unsafe fn recv_uro_windows(
        &self,
        iov: *mut libc::iovec,
        iovlen: usize,
        name: *mut abi::SOCKADDR,
        namelen: *mut i32,
        mut control: Option<&mut [u8]>,
        may_wait: bool,
    ) -> Option<Result<WindowsReceive>> {
        // Past the usual receive's one-load check: a URO socket otherwise
        // usual, else the general path (`None`).
        let state = self.state.load(Ordering::Acquire);
        let other = CLOSED | BOUND | SHUT_RECV | STREAM | WANT_ADDRESS_EXTRA;
        if state & GRO == 0 || state & other != BOUND || iovlen > MAX_URO_IOVECS {
            return None;
        }
        // SAFETY: `iov` holds `iovlen` iovecs (the contract).
        let iov = unsafe { std::slice::from_raw_parts(iov, iovlen) };
        let mut deadline = None;
        let result = loop {
            let (got, left) = {
                let mut res = self.lock_residue();
                let got = match self.serve_residue(&mut res, iov, false) {
                    Some(got) => Some(got.map(UroRead::General)),
                    // SAFETY: forwarded contract.
                    None => unsafe {
                        self.read_windows(
                            state,
                            &mut res,
                            iov,
                            name,
                            namelen,
                            control.as_deref_mut(),
                        )
                    }
                    .transpose(),
                };
                (got, !res.units.is_empty())
            };
            if let Some(got) = got {
                if left && may_wait {
                    self.serve_queued_receives();
                }
                break got;
            }
            if let Err(e) = self.wait_to_receive(may_wait, &mut deadline) {
                break Err(e);
            }
        };
        // Every receive call re-enables FD_READ (P1), recorded again while
        // a residue is left.
        self.note_received();
        Some(result.and_then(|read| match read {
            UroRead::Written(done) => Ok(done),
            UroRead::General(got) => {
                // SAFETY: forwarded contract.
                let (used, flags) = unsafe { received_to_windows(&got, name, namelen, control) }?;
                Ok(WindowsReceive {
                    bytes: got.bytes,
                    control_used: used,
                    flags,
                })
            }
        }))
    }

    /// One kernel read of [`SocketCore::recv_uro_windows`] with the residue
    /// empty: `None` when nothing waits.
    ///
    /// # Safety
    /// As [`SocketCore::recv_uro_windows`].
    unsafe fn read_windows(
        &self,
        state: u64,
        res: &mut Residue,
        iov: &[libc::iovec],
        name: *mut abi::SOCKADDR,
        namelen: *mut i32,
        control: Option<&mut [u8]>,
    ) -> Result<Option<UroRead>> {
        let buffer = total(iov);
        let mut overflow = std::mem::take(&mut res.overflow);
        let with_overflow = buffer < GRO_READ;
        if with_overflow && overflow.len() < GRO_READ {
            overflow.resize(GRO_READ, 0);
        }
        let mut inline = [EMPTY_IOVEC; INLINE_BUFFERS + 1];
        let mut heap = Vec::new();
        let vecs = read_vecs(iov, &mut overflow, &mut inline, &mut heap);
        let mut from = LinuxAddr::empty();
        let mut cmsgs = CmsgBuf::default();
        let iovlen = vecs.len() - usize::from(!with_overflow);
        let mut msg = receive_msghdr(&mut from, &mut cmsgs, vecs.as_mut_ptr(), iovlen);
        let got = match self.recv_attempt(&mut msg, 0) {
            Ok(Some(n)) => {
                // SAFETY: the kernel wrote the cmsgs.
                let segment = unsafe { gro_segment_from_linux(&msg) }.unwrap_or(n);
                let piece = cut(n, segment, buffer, self.uro.max.load(Ordering::Relaxed));
                if piece.taken == n && !piece.truncated && n <= buffer {
                    let segment = (piece.segments > 1).then_some(segment as u32);
                    // SAFETY: the kernel filled msg (name in `from`, cmsgs),
                    // n bytes in the caller's buffers; forwarded contract.
                    unsafe {
                        windows_outputs(state, &msg, &mut from, name, namelen, control, n, segment)
                    }
                    .map(|done| Some(UroRead::Written(done)))
                } else {
                    // SAFETY: the kernel filled msg: the name in `from`, the
                    // cmsgs, n bytes over the caller's buffers then the overflow.
                    unsafe { self.settle_read(res, iov, &overflow, &msg, &mut from, n) }
                        .map(|got| Some(UroRead::General(got)))
                }
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        res.overflow = overflow;
        got
    }

    /// Settles one Linux read of `n` bytes that lie over `iov` (the
    /// caller's buffers) and then `overflow`, for the receive that owns
    /// `iov` (S44): with no residue, the front of the read is that
    /// receive's, in place, and what is left of the run becomes the
    /// residue; behind a residue, the read joins it whole and the receive
    /// gets the residue's front, so a flow is never reordered.
    ///
    /// # Safety
    /// The kernel filled `msg` (its name in `from`, its cmsgs) and `n`
    /// bytes over `iov` and `overflow`, in that order.
    pub(crate) unsafe fn settle_read(
        &self,
        res: &mut Residue,
        iov: &[libc::iovec],
        overflow: &[u8],
        msg: &libc::msghdr,
        from: &mut LinuxAddr,
        n: usize,
    ) -> Result<Received> {
        // SAFETY: forwarded contract.
        let (got, segment) = unsafe { self.decode_read(msg, from, n) };
        let buffer = total(iov);
        if !res.units.is_empty() {
            let unit = res.unit_of(iov, overflow, 0, n, segment, &got)?;
            res.units.push_back(unit);
            return self
                .serve_residue(res, iov, false)
                .expect("the residue is not empty");
        }
        let piece = cut(n, segment, buffer, self.uro.max.load(Ordering::Relaxed));
        if piece.taken < n {
            let unit = res.unit_of(iov, overflow, piece.taken, n, segment, &got)?;
            res.units.push_back(unit);
            self.publish(res);
            self.wake_waiters();
        }
        Ok(Received {
            bytes: piece.delivered,
            truncated: piece.truncated || got.truncated,
            segment_size: (piece.segments > 1).then_some(segment as u32),
            ..got
        })
    }

    /// [`SocketCore::settle_read`] for a C receive (a `recvmmsg` batch):
    /// a run the caller's buffers and the option take whole, with no
    /// residue before it, is written straight into Windows' outputs as a
    /// blocking receive's is (`read_windows`); anything else is settled
    /// through [`Received`].
    ///
    /// # Safety
    /// As [`SocketCore::settle_read`]; `outputs` valid and writable as
    /// Winsock documents.
    #[allow(clippy::too_many_arguments)]
    pub(crate) unsafe fn settle_read_windows(
        &self,
        res: &mut Residue,
        iov: &[libc::iovec],
        overflow: &[u8],
        msg: &libc::msghdr,
        from: &mut LinuxAddr,
        n: usize,
        outputs: RecvOutputs,
    ) -> Result<usize> {
        let state = self.state.load(Ordering::Relaxed);
        let buffer = total(iov);
        if res.units.is_empty() && state & WANT_ADDRESS_EXTRA == 0 && n <= buffer {
            // SAFETY: the kernel wrote the cmsgs.
            let segment = unsafe { gro_segment_from_linux(msg) }.unwrap_or(n);
            let piece = cut(n, segment, buffer, self.uro.max.load(Ordering::Relaxed));
            if piece.taken == n && !piece.truncated {
                let segment = (piece.segments > 1).then_some(segment as u32);
                // SAFETY: the kernel filled msg (name in `from`, cmsgs), n
                // bytes in the caller's buffers; forwarded contract.
                return unsafe { write_windows_outputs(state, msg, from, n, segment, outputs) };
            }
        }
        // SAFETY: forwarded contract.
        let got = unsafe { self.settle_read(res, iov, overflow, msg, from, n) }?;
        // SAFETY: forwarded contract.
        unsafe { outputs.write(&got) }
    }

    /// What a read of a GRO socket says: the datagram as
    /// [`SocketCore::received`] decodes it, and its segment size (`n` when
    /// it holds one datagram).
    ///
    /// # Safety
    /// As [`SocketCore::received`].
    unsafe fn decode_read(
        &self,
        msg: &libc::msghdr,
        from: &mut LinuxAddr,
        n: usize,
    ) -> (Received, usize) {
        // SAFETY: forwarded contract.
        let got = unsafe { self.received(msg, from, n) };
        // SAFETY: as above: the kernel wrote the cmsgs.
        let segment = unsafe { gro_segment_from_linux(msg) }.unwrap_or(n);
        (got, segment)
    }

    /// The residue's front cut for a receive into `iov` (copied there),
    /// `None` when the residue is empty; `WSAEFAULT` when `iov` is not
    /// writable (the residue keeps it). `peek` leaves it in place.
    pub(crate) fn serve_residue(
        &self,
        res: &mut Residue,
        iov: &[libc::iovec],
        peek: bool,
    ) -> Option<Result<Received>> {
        let max = self.uro.max.load(Ordering::Relaxed);
        let unit = res.units.front_mut()?;
        let piece = cut(unit.rest(), unit.segment, total(iov), max);
        if !caller_memory::scatter(&unit.data[unit.at..unit.at + piece.delivered], iov) {
            return Some(Err(memory_fault("the rest of a coalesced run was copied")));
        }
        let got = Received {
            bytes: piece.delivered,
            from: unit.from,
            controls: unit.controls,
            truncated: piece.truncated,
            segment_size: (piece.segments > 1).then_some(unit.segment as u32),
        };
        if !peek {
            RESIDUE_PIECES.fetch_add(1, Ordering::Relaxed);
            unit.at += piece.taken;
            if unit.rest() == 0
                && let Some(done) = res.units.pop_front()
                && res.spare.len() < 4
            {
                res.spare.push(done.data);
            }
            self.publish(res);
        }
        Some(Ok(got))
    }

    /// Hands the residue to overlapped receives queued on the socket, in
    /// order, after a blocking receive left one: the kernel's queue may be
    /// empty, so the reactor would not wake for them.
    #[cold]
    fn serve_queued_receives(&self) {
        // A fork child's first use of the queue is the io layer's: it
        // drops the operations the parent had queued.
        if self.queue_generation.load(Ordering::Relaxed) != fork::generation() {
            return;
        }
        let mut done = Vec::new();
        {
            let mut q = lock(&self.recv_queue);
            let mut res = self.lock_residue();
            while let Some(op) = q.ops.front() {
                let Some(got) = self.serve_residue(&mut res, &op.iov, false) else {
                    break;
                };
                let Some(op) = q.ops.pop_front() else { break };
                done.push((op.delivery, op.finish.call(got)));
            }
            self.recv_queued.store(q.ops.len(), Ordering::Release);
        }
        for (delivery, result) in done {
            complete(Some(self), delivery, result, false);
        }
    }
}

impl Residue {
    /// Whether it holds anything.
    pub(crate) fn has_units(&self) -> bool {
        !self.units.is_empty()
    }

    /// A unit of bytes `[from, to)` of a read that lies over `iov` and
    /// then `overflow`, copied out (`WSAEFAULT` if `iov` is no longer
    /// readable: the caller unmapped it during the call).
    fn unit_of(
        &mut self,
        iov: &[libc::iovec],
        overflow: &[u8],
        from: usize,
        to: usize,
        segment: usize,
        got: &Received,
    ) -> Result<Unit> {
        let buffer = total(iov);
        let mut data = self.spare.pop().unwrap_or_default();
        data.clear();
        data.resize(to - from, 0);
        let in_iov = from.min(buffer)..to.min(buffer);
        if !in_iov.is_empty()
            && !caller_memory::gather(
                &sub_iov(iov, in_iov.start, in_iov.end),
                &mut data[..in_iov.len()],
            )
        {
            return Err(memory_fault("a coalesced run was read"));
        }
        let past = from.max(buffer) - buffer..to.max(buffer) - buffer;
        data[in_iov.len()..].copy_from_slice(&overflow[past]);
        Ok(Unit {
            data,
            at: 0,
            segment,
            from: got.from,
            controls: got.controls,
        })
    }
}

/// What a C receive on a URO socket got: written into Windows' outputs
/// already, or a [`Received`] to write.
enum UroRead {
    Written(WindowsReceive),
    General(Received),
}
