//! What a thread remembers of its lookups: the socket it looked up last,
//! lent to each call ([`SocketRef`]), and the last port and event, held
//! weakly. Each is valid while no handle was closed since (`REMOVALS`).

use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::thread::LocalKey;

use ws2_abi as abi;

use super::{Object, REMOVALS, lookup};
use crate::completion::{Event, Port};
use crate::error::{Error, Result};
use crate::socket::SocketCore;

/// A socket held for one call: it stays alive while this lives, even if
/// another thread closes the handle meanwhile. Dereferences to
/// `Arc<SocketCore>`; made by [`socket`]. Tied to its thread (not `Send`):
/// it may lend the thread's remembered socket, which takes no reference
/// count.
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
/// use ws2_engine::{translate::Family, SocketCore, SocketKind};
///
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let h = handles::insert(Object::Socket(Arc::new(core)))?;
/// let sock: handles::SocketRef = handles::socket(h)?;
/// assert_eq!(sock.kind(), SocketKind::Datagram);
/// # drop(sock);
/// # handles::remove(h);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SocketRef {
    /// A lent one (`lent`) is this thread's remembered `Arc` copied
    /// without a count and never dropped: [`LastSocket::lent`] counts it,
    /// and the slot is neither replaced nor cleared while it is lent. An
    /// unlent one is a strong reference of its own.
    core: ManuallyDrop<Arc<SocketCore>>,
    lent: bool,
    /// Not `Send` or `Sync`: a lent one belongs to its thread's slot.
    _thread: PhantomData<*const ()>,
}

impl SocketRef {
    /// A strong reference that outlives the call (and this thread).
    pub fn to_arc(&self) -> Arc<SocketCore> {
        Arc::clone(&self.core)
    }

    /// Whether this lends the thread's remembered socket (no reference
    /// count taken) rather than holding a reference of its own.
    pub fn is_lent(&self) -> bool {
        self.lent
    }

    fn own(core: Arc<SocketCore>) -> SocketRef {
        SocketRef {
            core: ManuallyDrop::new(core),
            lent: false,
            _thread: PhantomData,
        }
    }

    /// Lends `core`, the thread's remembered socket, which the caller has
    /// just counted in `LastSocket::lent`.
    fn lend(core: &Arc<SocketCore>) -> SocketRef {
        SocketRef {
            // SAFETY: a copy of the remembered `Arc` without a count: it
            // is never dropped (`Drop` below), and the remembered one
            // outlives it, since its slot is not replaced or cleared while
            // `lent` counts this (`remember_socket`,
            // `forget_remembered_socket`), is leaked rather than dropped if
            // the thread exits meanwhile (`LastSocket`'s `Drop`), and a
            // `SocketRef` never leaves its thread.
            core: ManuallyDrop::new(unsafe { Arc::from_raw(Arc::as_ptr(core)) }),
            lent: true,
            _thread: PhantomData,
        }
    }
}

impl std::ops::Deref for SocketRef {
    type Target = Arc<SocketCore>;
    #[inline]
    fn deref(&self) -> &Arc<SocketCore> {
        &self.core
    }
}

impl Drop for SocketRef {
    #[inline]
    fn drop(&mut self) {
        if !self.lent {
            // SAFETY: an unlent one owns its reference; dropped once, here.
            unsafe { ManuallyDrop::drop(&mut self.core) };
            return;
        }
        let _ = LAST_SOCKET.try_with(|last| {
            // SAFETY: the slot is this thread's and no other reference to
            // it lives meanwhile (see `socket`).
            let last = unsafe { &mut *last.get() };
            last.lent -= 1;
        });
    }
}

/// The object of a kind a thread looked up last: its handle, `REMOVALS`
/// then, and the object, weakly (an event or a port lives on while a
/// thread merely remembers it).
pub(super) struct Last<T> {
    handle: usize,
    removals: u64,
    object: Weak<T>,
}

/// The socket a thread looked up last. A datagram or raw socket is held
/// strongly and lent to each call without touching its reference count
/// (two atomic operations per call otherwise): its `closesocket` releases
/// the kernel socket itself (`SocketCore::close_handle`), so what a thread still
/// remembers after another closed it is memory and a placeholder fd,
/// dropped at this thread's next lookup. A stream's close may still send
/// its backlog and must end with its last reference: a stream is held
/// weakly and each call takes a strong reference, as before.
struct LastSocket {
    handle: usize,
    removals: u64,
    strong: Option<Arc<SocketCore>>,
    weak: Weak<SocketCore>,
    /// Live lent `SocketRef`s of `strong`.
    lent: usize,
}

impl Drop for LastSocket {
    /// At thread exit a `SocketRef` still lent (one a thread-local of the
    /// program's own holds) must not outlive the socket: it is leaked
    /// rather than freed.
    fn drop(&mut self) {
        if self.lent != 0
            && let Some(core) = self.strong.take()
        {
            std::mem::forget(core);
        }
    }
}

impl LastSocket {
    const EMPTY: LastSocket = LastSocket {
        handle: 0,
        removals: 0,
        strong: None,
        weak: Weak::new(),
        lent: 0,
    };
}

thread_local! {
    static LAST_SOCKET: UnsafeCell<LastSocket> = const { UnsafeCell::new(LastSocket::EMPTY) };
    pub(super) static LAST_PORT: UnsafeCell<Last<Port>> = const {
        UnsafeCell::new(Last { handle: 0, removals: 0, object: Weak::new() })
    };
    pub(super) static LAST_EVENT: UnsafeCell<Last<Event>> = const {
        UnsafeCell::new(Last { handle: 0, removals: 0, object: Weak::new() })
    };
}

/// The remembered object of `handle` in `last`, if no handle was closed
/// since.
#[inline]
pub(super) fn remembered<T>(
    last: &'static LocalKey<UnsafeCell<Last<T>>>,
    handle: usize,
) -> Option<Arc<T>> {
    let removals = REMOVALS.load(Ordering::Acquire);
    last.try_with(|last| {
        // SAFETY: the slot is this thread's, and no other reference to it
        // lives meanwhile: this one ends before the closure returns, and
        // nothing it calls (comparisons, `Weak::upgrade`, which runs no
        // destructor) can reach `remembered` or `remember` again.
        let last = unsafe { &*last.get() };
        if last.handle != handle || last.removals != removals {
            return None;
        }
        last.object.upgrade()
    })
    .ok()
    .flatten()
}

/// Remembers `object` in `last` as the object of `handle`, as of `removals`.
pub(super) fn remember<T>(
    last: &'static LocalKey<UnsafeCell<Last<T>>>,
    handle: usize,
    removals: u64,
    object: &Arc<T>,
) {
    let _ = last.try_with(|last| {
        let new = Last {
            handle,
            removals,
            object: Arc::downgrade(object),
        };
        // SAFETY: the slot is this thread's, and no other reference to it
        // lives meanwhile (see `remembered`). The old value is moved out
        // before it is dropped: dropping a `Weak` only frees memory (the
        // object's destructor ran with its last strong reference), but
        // even so the slot is not borrowed while it happens.
        let old = unsafe { std::ptr::replace(last.get(), new) };
        drop(old);
    });
}

impl std::fmt::Debug for SocketRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// The socket a handle names; `WSAENOTSOCK` for anything else (S5).
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
///
/// let h = handles::insert(Object::Event(Arc::new(ws2_engine::Event::new())))?;
/// let err = handles::socket(h).unwrap_err();
/// assert_eq!(err.code(), ws2_abi::WSAENOTSOCK);
/// # handles::remove(h);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub fn socket(handle: usize) -> Result<SocketRef> {
    let removals = REMOVALS.load(Ordering::Acquire);
    let remembered = LAST_SOCKET.try_with(|last| {
        // SAFETY: the slot is this thread's, and no other reference to it
        // lives meanwhile: each use of it (here, `remember_socket`,
        // `forget_remembered_socket`, `SocketRef::drop`) ends before it
        // returns and calls nothing that could reach another (comparisons,
        // a count, `Weak::upgrade`, which runs no destructor).
        let last = unsafe { &mut *last.get() };
        if last.handle != handle || last.removals != removals {
            return None;
        }
        match &last.strong {
            Some(core) => {
                last.lent += 1;
                Some(SocketRef::lend(core))
            }
            None => last.weak.upgrade().map(SocketRef::own),
        }
    });
    // Both ways give an `Option` of two words, merged in registers: the
    // `Result` is made after (merging two `Result`s went through memory,
    // 8 more instructions per call).
    let found = match remembered {
        Ok(Some(found)) => Some(found),
        _ => socket_from_table(handle),
    };
    found.ok_or_else(|| not_a_socket(handle))
}

/// [`socket`] through the table; remembers what it found. `None` when
/// `handle` names no socket.
#[inline(never)]
fn socket_from_table(handle: usize) -> Option<SocketRef> {
    // Read before the slot: a close after this read makes the memory stale.
    let removals = REMOVALS.load(Ordering::Acquire);
    let guard = lookup(handle)?;
    let (found, old) = match guard.as_ref().map(|e| &e.object) {
        Some(Object::Socket(core)) => remember_socket(handle, removals, core),
        _ => return None,
    };
    drop(guard);
    // After the table's guard: dropping the socket a thread remembered
    // after its close frees it here, and its destructors may reach this
    // module.
    drop(old);
    Some(found)
}

/// Remembers `core` as this thread's socket of `handle` as of `removals`
/// and returns it for the call: lent when it is held strongly. A slot
/// whose socket is lent stays as it is (a lookup within a call that holds
/// one): then, and for a stream, a strong reference of its own. Gives back
/// what the slot held, for the caller to drop.
fn remember_socket(
    handle: usize,
    removals: u64,
    core: &Arc<SocketCore>,
) -> (SocketRef, Option<LastSocket>) {
    let strong = !core.is_stream();
    let swapped = LAST_SOCKET.try_with(|last| {
        // SAFETY: as in `socket`.
        let last = unsafe { &mut *last.get() };
        if last.lent != 0 {
            return None;
        }
        let new = LastSocket {
            handle,
            removals,
            strong: strong.then(|| core.clone()),
            weak: Arc::downgrade(core),
            lent: 0,
        };
        let old = std::mem::replace(last, new);
        let lent = last.strong.as_ref().map(|core| {
            last.lent = 1;
            SocketRef::lend(core)
        });
        Some((old, lent))
    });
    match swapped {
        Ok(Some((old, lent))) => (
            lent.unwrap_or_else(|| SocketRef::own(core.clone())),
            Some(old),
        ),
        _ => (SocketRef::own(core.clone()), None),
    }
}

/// Forgets this thread's remembered socket if it is `core` and not lent:
/// a socket closed on the thread that used it goes at once.
pub(super) fn forget_remembered_socket(core: &Arc<SocketCore>) {
    let old = LAST_SOCKET.try_with(|last| {
        // SAFETY: as in `socket`.
        let last = unsafe { &mut *last.get() };
        (last.lent == 0 && std::ptr::eq(last.weak.as_ptr(), Arc::as_ptr(core)))
            .then(|| std::mem::replace(last, LastSocket::EMPTY))
    });
    // Outside the slot's borrow, as in `socket_from_table`.
    drop(old);
}

#[cold]
fn not_a_socket(handle: usize) -> Error {
    Error::new(
        abi::WSAENOTSOCK,
        format!("handle {handle:#x} is not an open socket"),
    )
}
