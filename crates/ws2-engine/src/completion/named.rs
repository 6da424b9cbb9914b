//! Named objects (`CreateEvent`, `CreateMutex`, `CreateSemaphore` and their
//! `Open*` with a name), within the process: one name, one object, for as
//! long as a handle to it is open.
//!
//! As on Windows (kernel32 sync.c `test_event`, `test_mutex`,
//! `test_semaphore`, `test_temporary_objects`; Microsoft's CreateEvent and
//! CreateMutex pages): a second `Create*` of a name gets the same object,
//! with its own settings kept (the new ones are ignored, and a mutex is
//! not taken), and says so (`ERROR_ALREADY_EXISTS`); events, mutexes and
//! semaphores share one namespace, so a name held by another kind of object
//! is `ERROR_INVALID_HANDLE` for both `Create*` and `Open*`; names are
//! case-sensitive; a name lives while one of its handles is open, so after
//! the last `CloseHandle` `Open*` finds nothing. Names do not reach other
//! processes. `Local\` names the session namespace, which is where a name
//! without a prefix lives too, so `Local\x` and `x` are one object;
//! `Global\x` is another.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::lock;

use super::SyncObject;

struct Named {
    object: SyncObject,
    /// Handles open to it (each `Create*`/`Open*` that named it).
    handles: usize,
}

fn registry() -> &'static Mutex<HashMap<String, Named>> {
    static NAMES: OnceLock<Mutex<HashMap<String, Named>>> = OnceLock::new();
    NAMES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Names registered now: closing an unnamed object skips the lock while 0.
static LIVE: AtomicUsize = AtomicUsize::new(0);

fn key(name: &str) -> &str {
    name.strip_prefix("Local\\").unwrap_or(name)
}

/// The kind of object a `Create*`/`Open*` call asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Event,
    Mutex,
    Semaphore,
}

impl Kind {
    fn of(object: &SyncObject) -> Kind {
        match object {
            SyncObject::Event(_) => Kind::Event,
            SyncObject::Mutex(_) => Kind::Mutex,
            SyncObject::Semaphore(_) => Kind::Semaphore,
        }
    }
}

/// The object's address, its identity (as wait-all orders objects).
fn identity(object: &SyncObject) -> usize {
    object.as_ref().address()
}

fn wrong_kind(name: &str, held: Kind, asked: Kind) -> Error {
    Error::new(
        abi::ERROR_INVALID_HANDLE as i32,
        format!("the name {name:?} belongs to a {held:?} object, not a {asked:?}"),
    )
}

/// `Create*` with a name: the object of that name (true: it existed), or
/// the one `make` makes. Counts one handle: the caller gives it back with
/// [`handle_closed`] when the handle closes (or when it could not make
/// one). A name held by another kind of object is `ERROR_INVALID_HANDLE`;
/// `make`'s own failure is passed on (nothing is registered).
///
/// ```
/// # use std::sync::Arc;
/// use ws2_engine::completion::{Event, MutexObject, SyncObject, named::{self, Kind}};
/// let event = || Ok(SyncObject::Event(Arc::new(Event::with_mode(true, false))));
/// let (a, existed) = named::create("doc-create", Kind::Event, event)?;
/// assert!(!existed);
/// let (b, existed) = named::create("doc-create", Kind::Event, event)?;
/// assert!(existed && named::same(&a, &b));
/// let mutex = || Ok(SyncObject::Mutex(MutexObject::new(false)));
/// let err = named::create("doc-create", Kind::Mutex, mutex).err().map(|e| e.code());
/// assert_eq!(err, Some(ws2_abi::ERROR_INVALID_HANDLE as i32));
/// named::handle_closed(&a);
/// named::handle_closed(&b);
/// assert!(named::open("doc-create", Kind::Event)?.is_none(), "gone with its last handle");
/// # Ok::<(), ws2_engine::Error>(())
/// ```
pub fn create(
    name: &str,
    kind: Kind,
    make: impl FnOnce() -> Result<SyncObject>,
) -> Result<(SyncObject, bool)> {
    let mut names = lock(registry());
    if let Some(n) = names.get_mut(key(name)) {
        let held = Kind::of(&n.object);
        if held != kind {
            return Err(wrong_kind(name, held, kind));
        }
        n.handles += 1;
        return Ok((n.object.clone(), true));
    }
    let object = make()?;
    names.insert(
        key(name).to_owned(),
        Named {
            object: object.clone(),
            handles: 1,
        },
    );
    LIVE.fetch_add(1, Ordering::Relaxed);
    Ok((object, false))
}

/// `Open*`: the object of that name, counting one more handle, if a
/// handle to it is open (`None` otherwise); `ERROR_INVALID_HANDLE` when it
/// is of another kind.
pub fn open(name: &str, kind: Kind) -> Result<Option<SyncObject>> {
    let mut names = lock(registry());
    let Some(n) = names.get_mut(key(name)) else {
        return Ok(None);
    };
    let held = Kind::of(&n.object);
    if held != kind {
        return Err(wrong_kind(name, held, kind));
    }
    n.handles += 1;
    Ok(Some(n.object.clone()))
}

/// Whether two handles' objects are one.
pub fn same(a: &SyncObject, b: &SyncObject) -> bool {
    identity(a) == identity(b)
}

/// A handle to `object` was closed: a named object's name goes with its
/// last handle. Nothing for an unnamed object.
pub fn handle_closed(object: &SyncObject) {
    if LIVE.load(Ordering::Relaxed) == 0 {
        return;
    }
    let mut names = lock(registry());
    let Some(name) = names
        .iter()
        .find(|(_, n)| identity(&n.object) == identity(object))
        .map(|(name, _)| name.clone())
    else {
        return;
    };
    let n = names.get_mut(&name).expect("just found");
    n.handles -= 1;
    if n.handles == 0 {
        names.remove(&name);
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}
