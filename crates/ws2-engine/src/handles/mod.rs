//! The process's Winsock handles and `WSAStartup` state.
//!
//! `SOCKET` values, event and port `HANDLE`s come from one table with a
//! generation per slot: a stale or forged value finds nothing
//! (`WSAENOTSOCK`), never another socket that reused the fd. Values are
//! non-zero multiples of 4 below 2^31: `((generation << 17) | slot) << 2`,
//! 17 bits of slot and 12 of generation. Lookup is lock-free (one atomic
//! load per slot, `arc-swap`); only creating and closing take the table's
//! lock. A thread remembers the socket it looked up last, valid until any
//! handle is closed (one counter, `REMOVALS`): a program that sends on one
//! socket at a time skips the table, and a datagram socket is lent to the
//! call without an atomic operation (`LastSocket`). Ports and events are
//! remembered the same way, weakly (a port's waiter, an OVERLAPPED's event
//! set at completion).
//!
//! Reuse (S5): closed slots wait in a FIFO and are taken again only while
//! more than [`REUSE_DELAY`] of them wait, oldest first, and a slot's
//! generation moves on at every close. So a closed value names nothing
//! again until its slot has been closed 4096 times (the 12-bit generation
//! wraps), and each time the slot is taken again at least 256 other
//! handles were closed since: at least 4096 × 257 − 1 = 1,052,671 further
//! closes of handles of any kind (more than 2^20). The price is the live
//! ceiling: [`MAX_LIVE_HANDLES`] (130,815), past which `WSAEMFILE`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use arc_swap::ArcSwapOption;

mod remembered;

use remembered::{LAST_EVENT, LAST_PORT, forget_remembered_socket, remember, remembered};
pub use remembered::{SocketRef, socket};

use ws2_abi as abi;

use crate::completion::{Event, MutexObject, Port, Semaphore, SyncObject, ThreadObject};
use crate::error::{Error, Result};
use crate::socket::SocketCore;

/// What a handle names.
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
///
/// let h = handles::insert(Object::Event(Arc::new(ws2_engine::Event::new())))?;
/// assert!(matches!(handles::object(h), Some(Object::Event(_))));
/// # handles::remove(h);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub enum Object {
    /// A socket (`SOCKET`).
    Socket(Arc<SocketCore>),
    /// An event object (`WSAEVENT`, from `WSACreateEvent`).
    Event(Arc<Event>),
    /// An I/O completion port (`HANDLE`, from `CreateIoCompletionPort`).
    Port(Arc<Port>),
    /// A thread (`HANDLE`, from `CreateThread`): waitable, signalled when
    /// the thread has ended.
    Thread(Arc<ThreadObject>),
    /// A mutex (`HANDLE`, from `CreateMutex`).
    Mutex(Arc<MutexObject>),
    /// A semaphore (`HANDLE`, from `CreateSemaphore`).
    Semaphore(Arc<Semaphore>),
    /// A standard stream (`HANDLE`, from `GetStdHandle`): the process's
    /// fd 0, 1 or 2, which the handle does not own.
    StdStream(StdStream),
}

/// What a standard-stream handle names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StdStream {
    /// The file descriptor: 0, 1 or 2.
    pub fd: i32,
}

struct Entry {
    generation: u32,
    object: Object,
}

const SEGMENT: usize = 4096;
const SEGMENTS: usize = 32;
const SLOT_BITS: u32 = 17;
/// Slots 1..=MAX_SLOTS (slot 0 is never used, so no handle is 0).
const MAX_SLOTS: usize = (1 << SLOT_BITS) - 1;
/// The 12 bits left below 2^31 once the slot and the two tag bits are taken.
const GENERATION_MASK: u32 = (1 << (31 - 2 - SLOT_BITS)) - 1;
/// Closed slots are reused only while more than this many wait (S5).
pub const REUSE_DELAY: usize = 256;
/// Most handles (sockets, events and ports together) open at once.
pub const MAX_LIVE_HANDLES: usize = MAX_SLOTS - REUSE_DELAY;
const _: () = assert!(SEGMENT * SEGMENTS == MAX_SLOTS + 1);
const _: () = assert!(MAX_LIVE_HANDLES >= 100_000);

struct Table {
    segments: [OnceLock<Box<[ArcSwapOption<Entry>]>>; SEGMENTS],
    alloc: Mutex<Alloc>,
}

struct Alloc {
    /// Closed slots, least recently closed first.
    free: VecDeque<u32>,
    /// The first slot never used yet.
    next: u32,
    /// The generation the next handle of each slot gets (masked).
    generations: Vec<u32>,
    /// Handles open now.
    live: usize,
}

static TABLE: Table = Table {
    segments: [const { OnceLock::new() }; SEGMENTS],
    alloc: Mutex::new(Alloc {
        free: VecDeque::new(),
        next: 1,
        generations: Vec::new(),
        live: 0,
    }),
};

#[inline]
fn slot(index: u32) -> &'static ArcSwapOption<Entry> {
    let index = index as usize;
    let segment = TABLE.segments[index / SEGMENT]
        .get_or_init(|| (0..SEGMENT).map(|_| ArcSwapOption::empty()).collect());
    &segment[index % SEGMENT]
}

fn encode(index: u32, generation: u32) -> usize {
    ((generation << SLOT_BITS | index) as usize) << 2
}

#[inline]
fn decode(handle: usize) -> Option<(u32, u32)> {
    if handle & 3 != 0 || handle >= 1 << 31 {
        return None;
    }
    let v = (handle >> 2) as u32;
    let index = v & ((1 << SLOT_BITS) - 1);
    (index != 0 && index as usize <= MAX_SLOTS).then_some((index, v >> SLOT_BITS))
}

/// The table slot a well-formed handle value names (below
/// [`SLOT_COUNT`]), whether or not it is open: two open handles are the
/// same handle exactly when their slots are equal. For per-call marks
/// indexed by handle (`select`'s de-duplication, P1).
///
/// ```
/// use ws2_engine::handles;
/// assert_eq!(handles::slot_of(0), None);
/// assert_eq!(handles::slot_of(4), Some(1));
/// assert!(handles::slot_of(usize::MAX).is_none());
/// ```
#[inline]
pub fn slot_of(handle: usize) -> Option<usize> {
    decode(handle).map(|(index, _)| index as usize)
}

/// One more than the largest slot [`slot_of`] answers.
pub const SLOT_COUNT: usize = MAX_SLOTS + 1;

/// Registers an object and returns its handle value: non-zero, a multiple
/// of 4, below 2^31. `WSAEMFILE` past [`MAX_LIVE_HANDLES`].
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
///
/// let h = handles::insert(Object::Port(Arc::new(ws2_engine::Port::new())))?;
/// assert!(h != 0 && h % 4 == 0 && h < 1 << 31);
/// assert!(handles::port(h).is_ok());
/// # handles::remove(h);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn insert(object: Object) -> Result<usize> {
    hold_locks_across_fork();
    let mut alloc = TABLE.alloc.lock().unwrap_or_else(|e| e.into_inner());
    // Below the ceiling a slot is always there: live + waiting + never used
    // = MAX_SLOTS, so with at most REUSE_DELAY waiting some are unused.
    let index = if alloc.live >= MAX_LIVE_HANDLES {
        None
    } else if alloc.free.len() > REUSE_DELAY {
        alloc.free.pop_front()
    } else if alloc.next as usize <= MAX_SLOTS {
        alloc.next += 1;
        NEXT.store(alloc.next, Ordering::Release);
        alloc.generations.push(0);
        Some(alloc.next - 1)
    } else {
        None
    };
    let Some(index) = index else {
        return Err(Error::new(
            abi::WSAEMFILE,
            format!("{MAX_LIVE_HANDLES} Winsock handles are open, the most there may be"),
        ));
    };
    alloc.live += 1;
    let generation = alloc.generations[index as usize - 1];
    slot(index).store(Some(Arc::new(Entry { generation, object })));
    Ok(encode(index, generation))
}

#[inline]
fn lookup(handle: usize) -> Option<arc_swap::Guard<Option<Arc<Entry>>>> {
    let (index, generation) = decode(handle)?;
    // Never create a segment for a forged value.
    if index >= NEXT.load(Ordering::Acquire) {
        return None;
    }
    let guard = slot(index).load();
    match guard.as_ref() {
        Some(e) if e.generation == generation => Some(guard),
        _ => None,
    }
}

/// Mirrors `Alloc::next` for lock-free bound checks.
static NEXT: AtomicU32 = AtomicU32::new(1);

/// The object a handle names, if any.
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
///
/// let h = handles::insert(Object::Event(Arc::new(ws2_engine::Event::new())))?;
/// assert!(handles::object(h).is_some());
/// assert!(handles::object(h + 1).is_none(), "not a multiple of 4");
/// # handles::remove(h);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn object(handle: usize) -> Option<Object> {
    let guard = lookup(handle)?;
    guard.as_ref().map(|e| e.object.clone())
}

/// Handles closed so far: a thread's remembered lookup is valid while
/// this has not moved (every close bumps it after emptying the slot).
static REMOVALS: AtomicU64 = AtomicU64::new(0);

/// The event a handle names (`WSA_INVALID_HANDLE` otherwise).
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
///
/// let h = handles::insert(Object::Event(Arc::new(ws2_engine::Event::new())))?;
/// handles::event(h)?.set();
/// assert!(handles::event(h)?.is_set());
/// assert_eq!(handles::event(0).err().map(|e| e.code()), Some(ws2_abi::WSA_INVALID_HANDLE));
/// # handles::remove(h);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A thread that completes operations with one event again and again (an
/// OVERLAPPED's `hEvent` set at each completion) finds it without the
/// table, as [`socket`] does its socket.
pub fn event(handle: usize) -> Result<Arc<Event>> {
    if let Some(e) = remembered(&LAST_EVENT, handle) {
        return Ok(e);
    }
    // Read before the slot: a close after this read makes the memory stale.
    let removals = REMOVALS.load(Ordering::Acquire);
    match object(handle) {
        Some(Object::Event(e)) => {
            remember(&LAST_EVENT, handle, removals, &e);
            Ok(e)
        }
        _ => Err(Error::new(
            abi::WSA_INVALID_HANDLE,
            format!("handle {handle:#x} is not an event"),
        )),
    }
}

/// The object a wait on `handle` takes: an event, mutex or semaphore
/// itself, or a thread's exit event (`ERROR_INVALID_HANDLE` for anything
/// else).
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::completion::SyncObject;
/// use ws2_engine::handles::{self, Object};
///
/// let e = Arc::new(ws2_engine::Event::new());
/// let h = handles::insert(Object::Event(e.clone()))?;
/// assert!(matches!(handles::waitable(h)?, SyncObject::Event(w) if Arc::ptr_eq(&w, &e)));
/// let p = handles::insert(Object::Port(Arc::new(ws2_engine::Port::new())))?;
/// let err = handles::waitable(p).err().map(|e| e.code());
/// assert_eq!(err, Some(ws2_abi::ERROR_INVALID_HANDLE as i32));
/// # handles::remove(h);
/// # handles::remove(p);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn waitable(handle: usize) -> Result<SyncObject> {
    if let Some(e) = remembered(&LAST_EVENT, handle) {
        return Ok(SyncObject::Event(e));
    }
    match object(handle) {
        Some(Object::Event(e)) => Ok(SyncObject::Event(e)),
        Some(Object::Thread(t)) => Ok(SyncObject::Event(t.exit_event().clone())),
        Some(Object::Mutex(m)) => Ok(SyncObject::Mutex(m)),
        Some(Object::Semaphore(s)) => Ok(SyncObject::Semaphore(s)),
        _ => Err(Error::new(
            abi::ERROR_INVALID_HANDLE as i32,
            format!("handle {handle:#x} is not a waitable object"),
        )),
    }
}

/// The mutex a handle names (`ERROR_INVALID_HANDLE` otherwise).
pub fn mutex(handle: usize) -> Result<Arc<MutexObject>> {
    match object(handle) {
        Some(Object::Mutex(m)) => Ok(m),
        _ => Err(Error::new(
            abi::ERROR_INVALID_HANDLE as i32,
            format!("handle {handle:#x} is not a mutex"),
        )),
    }
}

/// The semaphore a handle names (`ERROR_INVALID_HANDLE` otherwise).
pub fn semaphore(handle: usize) -> Result<Arc<Semaphore>> {
    match object(handle) {
        Some(Object::Semaphore(s)) => Ok(s),
        _ => Err(Error::new(
            abi::ERROR_INVALID_HANDLE as i32,
            format!("handle {handle:#x} is not a semaphore"),
        )),
    }
}

/// The thread a handle names (`ERROR_INVALID_HANDLE` otherwise).
pub fn thread(handle: usize) -> Result<Arc<ThreadObject>> {
    if handle == CURRENT_THREAD {
        return Ok(crate::completion::thread_object::current());
    }
    match object(handle) {
        Some(Object::Thread(t)) => Ok(t),
        _ => Err(Error::new(
            abi::ERROR_INVALID_HANDLE as i32,
            format!("handle {handle:#x} is not a thread handle"),
        )),
    }
}

/// The completion port a handle names (`ERROR_INVALID_HANDLE` otherwise).
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
///
/// let h = handles::insert(Object::Port(Arc::new(ws2_engine::Port::new())))?;
/// assert!(handles::port(h).is_ok());
/// let err = handles::port(0).err().map(|e| e.code());
/// assert_eq!(err, Some(ws2_abi::ERROR_INVALID_HANDLE as i32));
/// # handles::remove(h);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// A thread waiting on one port again and again finds it without the
/// table (as [`socket`] does).
#[inline]
pub fn port(handle: usize) -> Result<Arc<Port>> {
    if let Some(port) = remembered(&LAST_PORT, handle) {
        return Ok(port);
    }
    // Read before the slot: a close after this read makes the memory stale.
    let removals = REMOVALS.load(Ordering::Acquire);
    match object(handle) {
        Some(Object::Port(p)) => {
            remember(&LAST_PORT, handle, removals, &p);
            Ok(p)
        }
        _ => Err(Error::new(
            abi::ERROR_INVALID_HANDLE as i32,
            format!("handle {handle:#x} is not a completion port"),
        )),
    }
}

/// A handle value as the wait functions look it up: Windows' object manager
/// ignores the two low bits of a handle value, which callers use as tags
/// (kernel32 `test_WaitForSingleObject`: an event's handle with 1, 2 or 3
/// OR-ed in waits on that event; 0xdeadbee0 with them is still invalid).
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
///
/// let h = handles::insert(Object::Event(Arc::new(ws2_engine::Event::new())))?;
/// assert!(handles::event(handles::untagged(h | 3)).is_ok());
/// # handles::remove(h);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn untagged(handle: usize) -> usize {
    handle & !3
}

/// `GetCurrentProcess()`'s pseudo-handle, `(HANDLE)-1`: waitable by
/// `WaitForSingleObject` (never signalled while the process runs), refused
/// by `WaitForMultipleObjects` (kernel32 `test_WaitForSingleObject`,
/// `test_WaitForMultipleObjects`).
pub const CURRENT_PROCESS: usize = usize::MAX;
/// `GetCurrentThread()`'s pseudo-handle, `(HANDLE)-2`: as
/// [`CURRENT_PROCESS`] in waits (the waiting thread is not signalled while
/// it waits); the calling thread's object for the thread calls
/// ([`thread`]). Never in the table: its low bits are set.
pub const CURRENT_THREAD: usize = usize::MAX - 1;

/// Removes a handle and returns its object; the generation moves on, so the
/// value names nothing for at least 2^20 further closes (module docs).
///
/// ```
/// use std::sync::Arc;
/// use ws2_engine::handles::{self, Object};
///
/// let h = handles::insert(Object::Event(Arc::new(ws2_engine::Event::new())))?;
/// assert!(handles::remove(h).is_some());
/// assert!(handles::remove(h).is_none(), "a stale handle names nothing");
/// assert!(handles::object(h).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn remove(handle: usize) -> Option<Object> {
    let (index, generation) = decode(handle)?;
    hold_locks_across_fork();
    let mut alloc = TABLE.alloc.lock().unwrap_or_else(|e| e.into_inner());
    if index >= alloc.next {
        return None;
    }
    let s = slot(index);
    match s.load().as_ref() {
        Some(e) if e.generation == generation => {}
        _ => return None,
    }
    let entry = s.swap(None)?;
    // After the slot is empty: a lookup that read the old count may still
    // find the socket (as a lookup racing the close finds it in the table);
    // one that reads the new count finds it closed.
    REMOVALS.fetch_add(1, Ordering::AcqRel);
    alloc.generations[index as usize - 1] = (generation + 1) & GENERATION_MASK;
    alloc.free.push_back(index);
    alloc.live -= 1;
    drop(alloc);
    if let Object::Socket(core) = &entry.object {
        forget_remembered_socket(core);
    }
    Some(entry.object.clone())
}

/// Removes every socket handle (the final `WSACleanup`, S4) and returns
/// the sockets. Events, completion ports and threads are kernel32's
/// objects on Windows, not Winsock's: they outlive `WSACleanup`.
fn remove_all_sockets() -> Vec<Object> {
    let next = TABLE.alloc.lock().unwrap_or_else(|e| e.into_inner()).next;
    (1..next)
        .filter_map(|index| {
            let guard = slot(index).load();
            let entry = guard.as_ref()?;
            if !matches!(entry.object, Object::Socket(_)) {
                return None;
            }
            let generation = entry.generation;
            drop(guard);
            remove(encode(index, generation))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// WSAStartup / WSACleanup (S4)

static STARTUPS: Mutex<u32> = Mutex::new(0);
static STARTED: AtomicU32 = AtomicU32::new(0);

/// Counts one successful `WSAStartup`.
///
/// ```
/// ws2_engine::handles::startup();
/// assert!(ws2_engine::handles::check_started().is_ok());
/// # ws2_engine::handles::cleanup()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn startup() {
    crate::fork::install();
    // Opened while fds are to be had, not at the first close.
    crate::socket::open_placeholder();
    hold_locks_across_fork();
    let mut n = STARTUPS.lock().unwrap_or_else(|e| e.into_inner());
    *n += 1;
    STARTED.store(*n, Ordering::Release);
}

/// One `WSACleanup`: the last one closes every socket (S4);
/// `WSANOTINITIALISED` if there was no matching [`startup`].
///
/// ```
/// use ws2_engine::handles;
///
/// handles::startup();
/// handles::cleanup()?;
/// let err = handles::cleanup().unwrap_err();
/// assert_eq!(err.code(), ws2_abi::WSANOTINITIALISED);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cleanup() -> Result<()> {
    hold_locks_across_fork();
    let mut n = STARTUPS.lock().unwrap_or_else(|e| e.into_inner());
    if *n == 0 {
        return Err(not_initialised());
    }
    *n -= 1;
    STARTED.store(*n, Ordering::Release);
    if *n == 0 {
        for object in remove_all_sockets() {
            if let Object::Socket(core) = object {
                core.close_handle();
            }
        }
    }
    Ok(())
}

/// `WSANOTINITIALISED` unless `WSAStartup` is in force (S4).
///
/// ```
/// use ws2_engine::handles;
///
/// assert_eq!(handles::check_started().unwrap_err().code(), ws2_abi::WSANOTINITIALISED);
/// handles::startup();
/// assert!(handles::check_started().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub fn check_started() -> Result<()> {
    if STARTED.load(Ordering::Acquire) == 0 {
        return Err(not_initialised());
    }
    Ok(())
}

#[cold]
fn not_initialised() -> Error {
    Error::new(
        abi::WSANOTINITIALISED,
        "WSAStartup has not been called (or WSACleanup undid it)",
    )
}

/// The handle table's locks, held across `fork` (see `fork.rs`): the
/// child must not inherit them taken by a thread it does not have.
struct ForkLocks {
    _startups: std::sync::MutexGuard<'static, u32>,
    _alloc: std::sync::MutexGuard<'static, Alloc>,
}

/// Takes the table's locks in the order `cleanup` takes them.
fn lock_for_fork() -> Box<dyn std::any::Any> {
    let startups = STARTUPS.lock().unwrap_or_else(|e| e.into_inner());
    let alloc = TABLE.alloc.lock().unwrap_or_else(|e| e.into_inner());
    Box::new(ForkLocks {
        _startups: startups,
        _alloc: alloc,
    })
}

/// Hands the fork handlers the table's locks, before the first use of
/// either lock can hold them.
fn hold_locks_across_fork() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| crate::fork::take_first_at_fork(lock_for_fork));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::SocketKind;
    use crate::translate::Family;

    fn new_socket() -> Arc<SocketCore> {
        Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap())
    }

    #[test]
    fn handles_are_tagged_and_stale_ones_fail() {
        // S5
        let h = insert_socket(new_socket());
        assert_eq!(h % 4, 0);
        assert!(h != 0 && h < 1 << 31);
        assert!(socket(h).is_ok());
        assert!(remove(h).is_some());
        assert_eq!(socket(h).unwrap_err().code(), abi::WSAENOTSOCK);
        let h2 = insert_socket(new_socket());
        assert_ne!(h, h2, "a reused slot gets a new generation");
        assert_eq!(socket(h).unwrap_err().code(), abi::WSAENOTSOCK);
        for forged in [0usize, 1, 0x1234, usize::MAX, 1 << 31, h2 + 4 * 1000] {
            assert_eq!(
                socket(forged).unwrap_err().code(),
                abi::WSAENOTSOCK,
                "{forged:#x}"
            );
        }
        remove(h2);
    }

    #[test]
    fn a_remembered_event_answers_only_while_its_handle_is_open() {
        // S5 S41
        let e = Arc::new(Event::new());
        let h = insert(Object::Event(e.clone())).unwrap();
        assert!(Arc::ptr_eq(&event(h).unwrap(), &e));
        // Now from this thread's memory, which holds the event weakly.
        assert!(Arc::ptr_eq(&event(h).unwrap(), &e));
        assert!(matches!(waitable(h).unwrap(), SyncObject::Event(w) if Arc::ptr_eq(&w, &e)));
        assert_eq!(Arc::strong_count(&e), 2, "the table's and ours");
        // Another handle of another kind is not answered from it.
        let p = insert(Object::Port(Arc::new(Port::new()))).unwrap();
        assert_eq!(
            event(p).err().map(|e| e.code()),
            Some(abi::WSA_INVALID_HANDLE)
        );
        assert!(Arc::ptr_eq(&event(h).unwrap(), &e));
        remove(h);
        assert_eq!(
            event(h).err().map(|e| e.code()),
            Some(abi::WSA_INVALID_HANDLE)
        );
        let code = waitable(h).err().map(|e| e.code());
        assert_eq!(code, Some(abi::ERROR_INVALID_HANDLE as i32));
        assert_eq!(Arc::strong_count(&e), 1, "closed: only ours is left");
        remove(p);
    }

    fn insert_socket(core: Arc<SocketCore>) -> usize {
        insert(Object::Socket(core)).unwrap()
    }
}
