//! Named events (`CreateEvent` and `OpenEvent` with a name), within the
//! process: one name, one event, for as long as a handle to it is open.
//!
//! As on Windows (kernel32 sync.c `test_event`, `test_temporary_objects`,
//! Microsoft's CreateEvent page): a second `CreateEvent` of a name gets the
//! same event, with its own settings kept (the new `bManualReset` and
//! `bInitialState` are ignored), and says so (`ERROR_ALREADY_EXISTS`);
//! names are case-sensitive; a name lives while one of its handles is
//! open, so after the last `CloseHandle` `OpenEvent` finds nothing. Events
//! are the only named objects ws2 has, so no name can belong to another
//! kind. Names do not reach other processes. `Local\` names the session
//! namespace, which is where a name without a prefix lives too, so
//! `Local\x` and `x` are one event; `Global\x` is another.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::fork::lock;

use super::Event;

struct Named {
    event: Arc<Event>,
    /// Handles open to it (each `CreateEvent`/`OpenEvent` that named it).
    handles: usize,
}

fn registry() -> &'static Mutex<HashMap<String, Named>> {
    static NAMES: OnceLock<Mutex<HashMap<String, Named>>> = OnceLock::new();
    NAMES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Names registered now: closing an unnamed event skips the lock while 0.
static LIVE: AtomicUsize = AtomicUsize::new(0);

fn key(name: &str) -> &str {
    name.strip_prefix("Local\\").unwrap_or(name)
}

/// `CreateEvent` with a name: the event of that name (true: it existed),
/// or a new one made with these settings. Counts one handle: the caller
/// gives it back with [`handle_closed`] when the handle closes (or when
/// it could not make one).
///
/// ```
/// # use ws2_engine::completion::named;
/// let (a, existed) = named::create("doc-create", true, false);
/// assert!(!existed);
/// let (b, existed) = named::create("doc-create", false, true);
/// assert!(existed && std::sync::Arc::ptr_eq(&a, &b));
/// assert!(!b.is_set() && !b.is_auto_reset(), "the first settings stay");
/// named::handle_closed(&a);
/// named::handle_closed(&b);
/// assert!(named::open("doc-create").is_none(), "gone with its last handle");
/// ```
pub fn create(name: &str, manual_reset: bool, initially_set: bool) -> (Arc<Event>, bool) {
    let mut names = lock(registry());
    if let Some(n) = names.get_mut(key(name)) {
        n.handles += 1;
        return (n.event.clone(), true);
    }
    let event = Arc::new(Event::with_mode(manual_reset, initially_set));
    names.insert(
        key(name).to_owned(),
        Named {
            event: event.clone(),
            handles: 1,
        },
    );
    LIVE.fetch_add(1, Ordering::Relaxed);
    (event, false)
}

/// `OpenEvent`: the event of that name, counting one more handle, if a
/// handle to it is open.
pub fn open(name: &str) -> Option<Arc<Event>> {
    let mut names = lock(registry());
    let n = names.get_mut(key(name))?;
    n.handles += 1;
    Some(n.event.clone())
}

/// A handle to `event` was closed: a named event's name goes with its
/// last handle. Nothing for an unnamed event.
pub fn handle_closed(event: &Arc<Event>) {
    if LIVE.load(Ordering::Relaxed) == 0 {
        return;
    }
    let mut names = lock(registry());
    let Some(name) = names
        .iter()
        .find(|(_, n)| Arc::ptr_eq(&n.event, event))
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
