//! Overlapped sends for Rust: ws2 owns the buffer until the send completes
//! and hands it back with the result, so no safe code can free memory the
//! kernel may still read. Completion arrives as an [`Event`] / `Future`
//! ([`PendingSend`]), as a routine run in an alertable wait of the issuing
//! thread, or as a packet on a [`CompletionPort`](crate::CompletionPort). Same engine as the C ABI.

use std::cell::{Cell, UnsafeCell};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use ws2_abi as abi;

use ws2_engine::completion::{self, Apc, Delivery, Event, Notify, Packet, Payload, RustRoutine};
use ws2_engine::io::{self, SendSubmitted};
use ws2_engine::ops::SendPlan;
use ws2_engine::translate::MAX_IOVECS;
use ws2_engine::{ControlMessage, Error, Result, SendFlags, SocketCore};

use crate::socket::Socket;

/// A buffer whose bytes stay at the same address when the value moves, so
/// the kernel may read them while ws2 holds it.
///
/// # Safety
/// `as_ref()` must return the same memory for as long as the value lives,
/// wherever it is moved.
pub unsafe trait SendBuf: AsRef<[u8]> + Send + 'static {}
// SAFETY: heap storage does not move with the handle.
unsafe impl SendBuf for Vec<u8> {}
// SAFETY: as above.
unsafe impl SendBuf for Box<[u8]> {}
// SAFETY: as above.
unsafe impl SendBuf for String {}
// SAFETY: as above.
unsafe impl SendBuf for Arc<[u8]> {}
// SAFETY: static memory never moves.
unsafe impl SendBuf for &'static [u8] {}

/// The buffers of one overlapped send, gathered in order into one
/// datagram (S21): one [`SendBuf`], or a `Vec` or array of them. ws2 holds
/// them until the send completes and hands them back whole.
///
/// ```
/// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// let tx = ws2::Socket::udp_v4()?;
/// let parts = vec![b"hello, ".to_vec(), b"world".to_vec()];
/// let done = tx.send_overlapped(parts, Some(rx.local_addr()?), &[]).map_err(ws2::Error::from)?.wait();
/// assert_eq!(done.result?, 12);
/// assert_eq!(done.buffer.len(), 2);
/// let mut got = [0u8; 16];
/// let n = rx.recv(&mut got)?;
/// assert_eq!(&got[..n], b"hello, world");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Safety
/// `get(i)` must return the same memory for as long as the value lives,
/// wherever it is moved, for every `i` below `count()`.
pub unsafe trait SendBufs: Send + 'static {
    /// How many buffers.
    fn count(&self) -> usize;
    /// The bytes of buffer `i` (below `count()`).
    fn get(&self, i: usize) -> &[u8];
}

// SAFETY: one buffer, whose `SendBuf` contract is this one's.
unsafe impl<B: SendBuf> SendBufs for B {
    #[inline]
    fn count(&self) -> usize {
        1
    }
    #[inline]
    fn get(&self, _: usize) -> &[u8] {
        self.as_ref()
    }
}

// SAFETY: each element keeps its bytes in place (`SendBuf`); moving the
// `Vec` moves neither its elements nor their bytes.
unsafe impl<B: SendBuf> SendBufs for Vec<B> {
    fn count(&self) -> usize {
        self.len()
    }
    fn get(&self, i: usize) -> &[u8] {
        self[i].as_ref()
    }
}

// SAFETY: moving the array moves its elements, not their bytes (`SendBuf`).
unsafe impl<B: SendBuf, const N: usize> SendBufs for [B; N] {
    fn count(&self) -> usize {
        N
    }
    fn get(&self, i: usize) -> &[u8] {
        self[i].as_ref()
    }
}

/// A finished send: its result and the buffer, handed back.
#[derive(Debug)]
#[must_use = "a completion holds the send's result"]
pub struct SendCompletion<B> {
    pub result: Result<usize>,
    pub buffer: B,
}

/// A send refused at call time (nothing was queued): the error and the buffer.
#[derive(Debug)]
pub struct SendError<B> {
    pub error: Error,
    pub buffer: B,
}

impl<B> std::fmt::Display for SendError<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl<B: std::fmt::Debug> std::error::Error for SendError<B> {}

impl<B> From<SendError<B>> for Error {
    fn from(e: SendError<B>) -> Error {
        e.error
    }
}

impl<B> From<SendError<B>> for std::io::Error {
    fn from(e: SendError<B>) -> std::io::Error {
        e.error.into()
    }
}

/// Where a `PendingSend`'s buffer is.
enum Slot<B> {
    /// Held while the send is in flight (the kernel may read it), with the
    /// waker of a task polling it.
    Held { buffer: B, waker: Option<Waker> },
    /// Completed: the result and the buffer, until taken.
    Done(SendCompletion<B>),
    /// Taken by the owner (or given back on a refused call).
    Taken,
}

/// What a `send_overlapped` still in flight shares with the engine: the
/// buffer, the result, the async waker and the event, in one allocation
/// (made only when the send could not complete at call time). The slot is
/// kept under the event's own lock: 88 bytes with the `Arc`'s counts for a
/// `Vec<u8>` (memory per pending send, README).
struct SendState<B> {
    event: Event,
    slot: UnsafeCell<Slot<B>>,
}

// SAFETY: `slot` is only reached under the event's lock (`SendState::with`),
// so the state is shared as a `Mutex<Slot<B>>` would be: `Send` buffers are
// enough for `Sync`.
unsafe impl<B: Send> Sync for SendState<B> {}

impl<B> SendState<B> {
    fn new(buffer: B) -> SendState<B> {
        SendState {
            event: Event::new(),
            slot: UnsafeCell::new(Slot::Held {
                buffer,
                waker: None,
            }),
        }
    }

    /// Runs `f` on the slot, under the event's lock; `f` may signal the
    /// event.
    fn with<R>(&self, f: impl FnOnce(&mut Slot<B>, &mut bool) -> R) -> R {
        self.event.with_lock(|signaled| {
            // SAFETY: the event's lock is held, and every access to the
            // slot is made here: this is the only reference.
            f(unsafe { &mut *self.slot.get() }, signaled)
        })
    }

    /// The buffer of a send that was refused or done after all (never
    /// queued).
    fn take_back(&self) -> B {
        match self.with(|slot, _| std::mem::replace(slot, Slot::Taken)) {
            Slot::Held { buffer, .. } => buffer,
            _ => unreachable!("a send that was not queued was never completed"),
        }
    }

    /// The completion, if there is one not yet taken; else `waker` (when
    /// given) is kept to be woken by it.
    fn take_done(&self, waker: Option<&Waker>) -> Option<SendCompletion<B>> {
        self.with(|slot, _| match std::mem::replace(slot, Slot::Taken) {
            Slot::Done(c) => Some(c),
            Slot::Held {
                buffer,
                waker: mut kept,
            } => {
                if let Some(w) = waker {
                    match &mut kept {
                        Some(k) => k.clone_from(w),
                        none => *none = Some(w.clone()),
                    }
                }
                *slot = Slot::Held {
                    buffer,
                    waker: kept,
                };
                None
            }
            Slot::Taken => None,
        })
    }
}

impl<B: SendBufs> Notify for SendState<B> {
    fn notify(&self, result: Result<usize>) {
        // The completion is stored and the event set in one step.
        let waker = self.with(|slot, signaled| {
            *signaled = true;
            match std::mem::replace(slot, Slot::Taken) {
                Slot::Held { buffer, waker } => {
                    *slot = Slot::Done(SendCompletion { result, buffer });
                    waker
                }
                other => {
                    *slot = other;
                    None
                }
            }
        });
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// An overlapped send: wait on it, poll it as a `Future`, or watch its
/// [`Event`]. Dropping it does not cancel the send, which still completes
/// (and frees its buffers), but its result is then lost.
#[must_use = "dropping a PendingSend loses the send's result"]
pub struct PendingSend<B> {
    state: Pending<B>,
}

/// Where a [`PendingSend`]'s completion is.
enum Pending<B> {
    /// Completed at call time (the common case): nothing was shared with
    /// the engine, so nothing was allocated. The event is made, set, only
    /// if asked for.
    Done {
        completion: Option<SendCompletion<B>>,
        event: OnceLock<Event>,
    },
    /// Queued: the engine completes the shared state.
    InFlight(Arc<SendState<B>>),
}

// No `Pin<&mut B>` is ever made: the buffers are only moved.
impl<B> Unpin for PendingSend<B> {}

impl<B> std::fmt::Debug for PendingSend<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSend")
            .field("complete", &self.is_complete())
            .finish()
    }
}

impl<B> PendingSend<B> {
    fn done(result: Result<usize>, buffer: B) -> PendingSend<B> {
        PendingSend {
            state: Pending::Done {
                completion: Some(SendCompletion { result, buffer }),
                event: OnceLock::new(),
            },
        }
    }

    /// The manual-reset event set when the send completes.
    pub fn event(&self) -> &Event {
        match &self.state {
            Pending::Done { event, .. } => event.get_or_init(|| {
                let e = Event::new();
                e.set();
                e
            }),
            Pending::InFlight(state) => &state.event,
        }
    }

    /// Whether the send has completed.
    pub fn is_complete(&self) -> bool {
        match &self.state {
            Pending::Done { .. } => true,
            Pending::InFlight(state) => state.event.is_set(),
        }
    }

    /// Waits (not alertably) for the completion. The wait needs no file
    /// descriptor: it works when the process has none left.
    pub fn wait(mut self) -> SendCompletion<B> {
        loop {
            // The completion is stored before the event is set.
            if let Some(done) = self.take() {
                return done;
            }
            if let Pending::InFlight(state) = &self.state {
                state.event.wait(None);
            }
        }
    }

    /// Waits up to `timeout`; gives the pending send back on timeout.
    pub fn wait_timeout(
        mut self,
        timeout: Duration,
    ) -> std::result::Result<SendCompletion<B>, PendingSend<B>> {
        if let Pending::InFlight(state) = &self.state {
            state.event.wait(Some(timeout));
        }
        match self.take() {
            Some(done) => Ok(done),
            None => Err(self),
        }
    }

    fn take(&mut self) -> Option<SendCompletion<B>> {
        match &mut self.state {
            Pending::Done { completion, .. } => completion.take(),
            Pending::InFlight(state) => state.take_done(None),
        }
    }
}

impl<B> Future for PendingSend<B> {
    type Output = SendCompletion<B>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SendCompletion<B>> {
        let this = self.get_mut();
        let state = match &mut this.state {
            Pending::Done { completion, .. } => {
                return match completion.take() {
                    Some(c) => Poll::Ready(c),
                    None => Poll::Pending, // polled again after Ready
                };
            }
            Pending::InFlight(state) => state,
        };
        // Checked and registered under the lock the completion takes: a
        // completion either is seen here or finds the waker.
        match state.take_done(Some(cx.waker())) {
            Some(c) => Poll::Ready(c),
            None => Poll::Pending,
        }
    }
}

/// A buffer's bytes as an iovec.
fn iovec(bytes: &[u8]) -> libc::iovec {
    libc::iovec {
        iov_base: bytes.as_ptr().cast_mut().cast(),
        iov_len: bytes.len(),
    }
}

/// The iovecs of a send's buffers: raw copies, so the buffers may move
/// once these are taken (their bytes stay in place: `SendBufs`).
enum Iovecs {
    One([libc::iovec; 1]),
    /// Gathered buffers (an overlapped Rust send allocates its state anyway).
    Many(Vec<libc::iovec>),
}

impl Iovecs {
    #[inline]
    fn of<B: SendBufs>(buffers: &B) -> Iovecs {
        match buffers.count() {
            1 => Iovecs::One([iovec(buffers.get(0))]),
            n => Iovecs::Many((0..n).map(|i| iovec(buffers.get(i))).collect()),
        }
    }
}

/// How an overlapped send went at call time.
enum Outcome<S> {
    /// The kernel took it: the bytes sent.
    Now(usize),
    /// Queued: what the caller keeps of it.
    Queued(S),
}

/// The overlapped send of gathered buffers, as one datagram (S21); more
/// buffers than one Linux message takes are gathered into one bounce
/// buffer, which a queued send keeps.
#[inline(never)]
fn gathered<S>(
    core: &Arc<SocketCore>,
    iovs: &[libc::iovec],
    to: Option<SocketAddr>,
    controls: &[ControlMessage],
    flags: SendFlags,
    queue: impl FnOnce(&Arc<SocketCore>, &SendPlan<'_>, Vec<u8>) -> Result<Outcome<S>>,
) -> Result<Outcome<S>> {
    let total: usize = iovs.iter().map(|v| v.iov_len).sum();
    if iovs.len() > MAX_IOVECS && total <= core.max_msg_size() as usize {
        let mut bounce = Vec::with_capacity(total);
        for v in iovs {
            // SAFETY: each iovec describes the bytes of a buffer the caller
            // holds for this call.
            bounce.extend_from_slice(unsafe {
                std::slice::from_raw_parts(v.iov_base.cast::<u8>(), v.iov_len)
            });
        }
        let one = iovec(&bounce);
        return core.send_datagram(
            &one,
            1,
            total,
            to.as_ref(),
            controls,
            flags,
            Outcome::Now,
            |core, plan| queue(core, plan, bounce),
        );
    }
    core.send_datagram(
        iovs.as_ptr(),
        iovs.len(),
        total,
        to.as_ref(),
        controls,
        flags,
        Outcome::Now,
        |core, plan| queue(core, plan, Vec::new()),
    )
}

/// Queues a send that could not go at call time, with the delivery `make`
/// builds once it is accepted; `Now` when it was done after all (a
/// segmented send).
fn queue_send(
    core: &Arc<SocketCore>,
    plan: &SendPlan<'_>,
    bounce: Vec<u8>,
    make: impl FnOnce() -> Delivery,
) -> Result<Outcome<()>> {
    Ok(
        match io::send_overlapped(core, plan, bounce, make, || {})? {
            SendSubmitted::Now(n) => Outcome::Now(n),
            SendSubmitted::Pending => Outcome::Queued(()),
        },
    )
}

impl Socket {
    /// Submits one overlapped send of the bytes `iovs` describe: at once
    /// when the kernel takes it (`Now`), else through `queue` (with the
    /// bounce buffer a queued send of many buffers keeps).
    #[inline(always)]
    fn submit<S>(
        &self,
        iovs: &Iovecs,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        flags: SendFlags,
        queue: impl FnOnce(&Arc<SocketCore>, &SendPlan<'_>, Vec<u8>) -> Result<Outcome<S>>,
    ) -> Result<Outcome<S>> {
        let core = &self.core;
        core.ensure_bound()?;
        let controls = control;
        match iovs {
            Iovecs::One([iov]) => core.send_datagram(
                iov,
                1,
                iov.iov_len,
                to.as_ref(),
                controls,
                flags,
                Outcome::Now,
                |core, plan| queue(core, plan, Vec::new()),
            ),
            Iovecs::Many(iovs) => gathered(core, iovs, to, controls, flags, queue),
        }
    }

    /// `submit` of owned buffers whose delivery (`wrap`, made only once
    /// the send is queued) takes them; `done` completes a send the kernel
    /// took at call time. A refused call gives the buffers back.
    #[inline(always)]
    fn submit_owned<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        flags: SendFlags,
        wrap: impl FnOnce(B) -> Delivery,
        done: impl FnOnce(usize, B),
    ) -> std::result::Result<(), SendError<B>> {
        let iovs = Iovecs::of(&buffers);
        let held = Cell::new(Some(buffers));
        let taken = || held.take().expect("the buffers are taken once");
        match self.submit(&iovs, to, control, flags, |core, plan, bounce| {
            queue_send(core, plan, bounce, || wrap(taken()))
        }) {
            Ok(Outcome::Now(n)) => {
                done(n, taken());
                Ok(())
            }
            Ok(Outcome::Queued(())) => Ok(()),
            Err(error) => Err(SendError {
                error,
                buffer: taken(),
            }),
        }
    }

    /// An overlapped send of owned buffers (S29, S30): one [`SendBuf`], or
    /// several gathered into one datagram ([`SendBufs`]). The result and
    /// the buffers come back through the returned [`PendingSend`] (its
    /// event, a blocking wait, or `.await` on any executor).
    ///
    /// If the issuing thread exits while the send is still queued, it is
    /// cancelled and completes with `WSA_OPERATION_ABORTED`, as an
    /// event-mode operation does on Windows (S37).
    ///
    /// ```
    /// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let tx = ws2::Socket::udp_v4()?;
    /// let pending = tx.send_overlapped(b"hello".to_vec(), Some(rx.local_addr()?), &[]).map_err(ws2::Error::from)?;
    /// let done = pending.wait();
    /// assert_eq!(done.result?, 5);
    /// assert_eq!(done.buffer, b"hello");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_overlapped<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
    ) -> std::result::Result<PendingSend<B>, SendError<B>> {
        self.pending_send(buffers, to, control, SendFlags::NONE)
    }

    /// [`Socket::send_overlapped`] with `dwFlags` (S10): `MSG_DONTROUTE`;
    /// `MSG_OOB` and `MSG_PARTIAL` are refused (`WSAEOPNOTSUPP`).
    ///
    /// ```
    /// use ws2::SendFlags;
    /// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let tx = ws2::Socket::udp_v4()?;
    /// let to = Some(rx.local_addr()?);
    /// let done = tx.send_overlapped_with_flags(b"x".to_vec(), to, &[], SendFlags::DONTROUTE)
    ///     .map_err(ws2::Error::from)?
    ///     .wait();
    /// assert_eq!(done.result?, 1);
    /// let refused = tx.send_overlapped_with_flags(b"x".to_vec(), to, &[], SendFlags::OOB).unwrap_err();
    /// assert_eq!(refused.error.code(), ws2::WSAEOPNOTSUPP);
    /// assert_eq!(refused.buffer, b"x", "a refused send gives its buffer back");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_overlapped_with_flags<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        flags: SendFlags,
    ) -> std::result::Result<PendingSend<B>, SendError<B>> {
        self.pending_send(buffers, to, control, flags)
    }

    /// The send of [`Socket::send_overlapped_with_flags`], inlined into each
    /// form so that constant flags fold away. A send the kernel takes at
    /// call time allocates nothing; a queued one shares one allocation
    /// with the engine.
    #[inline(always)]
    fn pending_send<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        flags: SendFlags,
    ) -> std::result::Result<PendingSend<B>, SendError<B>> {
        let iovs = Iovecs::of(&buffers);
        let held = Cell::new(Some(buffers));
        let taken = || held.take().expect("the buffers are taken once");
        let submitted = self.submit(&iovs, to, control, flags, |core, plan, bounce| {
            // Made outside the queue's lock; the buffers come back from it
            // when the send is refused or done after all.
            let state = Arc::new(SendState::new(taken()));
            let queued = queue_send(core, plan, bounce, || Delivery::Notify(state.clone()));
            if !matches!(queued, Ok(Outcome::Queued(()))) {
                held.set(Some(state.take_back()));
            }
            Ok(match queued? {
                Outcome::Now(n) => Outcome::Now(n),
                Outcome::Queued(()) => Outcome::Queued(state),
            })
        });
        match submitted {
            Ok(Outcome::Now(n)) => Ok(PendingSend::done(Ok(n), taken())),
            Ok(Outcome::Queued(state)) => Ok(PendingSend {
                state: Pending::InFlight(state),
            }),
            Err(error) => Err(SendError {
                error,
                buffer: taken(),
            }),
        }
    }

    /// The same send as a runtime-agnostic `Future`.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let waker = std::task::Waker::noop();
    /// #     let mut cx = std::task::Context::from_waker(&waker);
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } std::thread::yield_now(); }
    /// # }
    /// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let tx = ws2::Socket::udp_v4()?;
    /// let done = block_on(tx.send_msg_async(b"x".to_vec(), Some(rx.local_addr()?), &[])?);
    /// assert_eq!(done.result?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_msg_async<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
    ) -> std::result::Result<PendingSend<B>, SendError<B>> {
        self.send_overlapped(buffers, to, control)
    }

    /// An overlapped send whose completion runs `routine` on this thread,
    /// in its next alertable wait ([`sleep_alertable`](crate::sleep_alertable)), exactly once (S33).
    /// If the thread exits first, the routine never runs (S37).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let tx = ws2::Socket::udp_v4()?;
    /// let ran = Arc::new(AtomicUsize::new(0));
    /// let seen = ran.clone();
    /// tx.send_with_routine(b"hi".to_vec(), Some(rx.local_addr()?), &[], move |c| {
    ///     assert_eq!(c.result.unwrap(), 2);
    ///     seen.fetch_add(1, Ordering::SeqCst);
    /// }).map_err(ws2::Error::from)?;
    /// assert_eq!(ran.load(Ordering::SeqCst), 0); // not before an alertable wait
    /// assert!(ws2::sleep_alertable(std::time::Duration::from_secs(5)));
    /// assert_eq!(ran.load(Ordering::SeqCst), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_with_routine<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        routine: impl FnOnce(SendCompletion<B>) + Send + 'static,
    ) -> std::result::Result<(), SendError<B>> {
        self.routine_send(buffers, to, control, SendFlags::NONE, routine)
    }

    /// [`Socket::send_with_routine`] with `dwFlags` (S10).
    pub fn send_with_routine_with_flags<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        flags: SendFlags,
        routine: impl FnOnce(SendCompletion<B>) + Send + 'static,
    ) -> std::result::Result<(), SendError<B>> {
        self.routine_send(buffers, to, control, flags, routine)
    }

    /// The send of [`Socket::send_with_routine_with_flags`] (see
    /// `pending_send`).
    #[inline(always)]
    fn routine_send<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        flags: SendFlags,
        routine: impl FnOnce(SendCompletion<B>) + Send + 'static,
    ) -> std::result::Result<(), SendError<B>> {
        if self.core.port().is_some() {
            return Err(SendError {
                error: Error::new(
                    abi::WSAEINVAL,
                    "a completion routine cannot be used on a socket bound to a completion port",
                ),
                buffer: buffers,
            });
        }
        // The routine and its buffers travel inline (no allocation when
        // they fit three words): queued to this thread at once when the
        // kernel takes the send now, else held by the queued operation.
        let routine = Cell::new(Some(routine));
        let call = |buffer: B| {
            let routine = routine.take().expect("one routine per send");
            RustRoutine::new(move |result| routine(SendCompletion { result, buffer }))
        };
        self.submit_owned(
            buffers,
            to,
            control,
            flags,
            |buffer| Delivery::Routine(call(buffer), completion::current_thread()),
            |n, buffer| completion::queue_apc_here(Apc::Rust(call(buffer), Ok(n))),
        )
    }

    /// An overlapped send whose completion is posted to the socket's
    /// [`CompletionPort`](crate::CompletionPort) (see [`CompletionPort::associate`](crate::CompletionPort::associate)).
    pub fn send_to_port<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
    ) -> std::result::Result<(), SendError<B>> {
        self.port_send(buffers, to, control, SendFlags::NONE)
    }

    /// [`Socket::send_to_port`] with `dwFlags` (S10).
    pub fn send_to_port_with_flags<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        flags: SendFlags,
    ) -> std::result::Result<(), SendError<B>> {
        self.port_send(buffers, to, control, flags)
    }

    /// The send of [`Socket::send_to_port_with_flags`] (see `pending_send`).
    #[inline(always)]
    fn port_send<B: SendBufs>(
        &self,
        buffers: B,
        to: Option<SocketAddr>,
        control: &[ControlMessage],
        flags: SendFlags,
    ) -> std::result::Result<(), SendError<B>> {
        if self.core.port().is_none() {
            return Err(SendError {
                error: Error::new(
                    abi::WSAEINVAL,
                    "the socket is not bound to a completion port",
                ),
                buffer: buffers,
            });
        }
        // The buffers travel as the packet's payload, inline when they fit
        // three words: no allocation.
        self.submit_owned(
            buffers,
            to,
            control,
            flags,
            |buffer| Delivery::Port(Payload::new(buffer)),
            |n, buffer| self.post_completion(n, buffer),
        )
    }

    /// Posts the packet of a send the kernel took at call time (always
    /// posted: it hands the buffers back).
    fn post_completion<B: SendBufs>(&self, bytes: usize, buffer: B) {
        if let Some((port, key)) = self.core.port() {
            port.post(Packet {
                bytes: bytes as u32,
                key: *key,
                overlapped: 0,
                status: abi::STATUS_SUCCESS,
                payload: Some(Payload::new(buffer)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    /// The README's memory per pending `send_overlapped`: the engine's op,
    /// its queue slot, and this shared state (with the `Arc`'s two counts,
    /// for a `Vec<u8>` buffer) within 256 bytes
    /// (`tests/pending_memory.rs` counts them all).
    #[test]
    fn the_shared_state_of_a_pending_send_stays_small() {
        let size = std::mem::size_of::<super::SendState<Vec<u8>>>();
        assert!(size + 16 <= 88, "{size}");
    }
}
