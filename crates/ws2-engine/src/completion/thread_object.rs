//! Thread objects (`CreateThread`): a thread started for a C function, and
//! the object its handle names: signalled when the thread has ended (and
//! from then on), with the exit code (`STILL_ACTIVE`, 259, until then),
//! its id, and its queue of APCs (`QueueUserAPC`).
//!
//! The thread is a plain detached pthread whose start routine holds no
//! value with a destructor while the C function runs, so `ExitThread`
//! (`pthread_exit`, a forced unwind) passes through it as through C. Its
//! end runs in a thread-local destructor: the thread's pending operations
//! are cancelled first (S37), then the exit code is stored and the object
//! signalled, so a thread that waited for it finds them complete (as on
//! Windows, where a thread's I/O is cancelled before its handle is
//! signalled). Closing the handle does not stop the thread: the object
//! lives on while the thread runs.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::lock;

use super::apc::Apc;
use super::event::Event;
use super::thread::{ThreadState, current_thread, end_current_thread, in_completion_routine};

/// A thread's function (`LPTHREAD_START_ROUTINE`). It may leave through
/// `ExitThread`, a forced unwind, hence "C-unwind".
pub type ThreadStart = unsafe extern "C-unwind" fn(*mut c_void) -> u32;

/// What a thread handle names.
pub struct ThreadObject {
    /// Set when the thread has ended; never reset (manual reset).
    exited: Arc<Event>,
    exit_code: AtomicU32,
    /// The id `GetCurrentThreadId` gives in the thread (its Linux tid).
    id: AtomicU32,
    /// The thread's ws2 state, for `QueueUserAPC`; gone when it ends.
    state: OnceLock<Weak<ThreadState>>,
    /// Set once the thread has published its id and state.
    started: Event,
    /// `CREATE_SUSPENDED`'s count, and the event that lets the function run.
    suspend_count: Mutex<u32>,
    resumed: Event,
    /// `SetThreadPriority`'s value (`THREAD_PRIORITY_NORMAL`, 0, at first).
    priority: AtomicI32,
}

impl ThreadObject {
    /// The event a wait on the thread handle waits on: set when the thread
    /// has ended.
    pub fn exit_event(&self) -> &Arc<Event> {
        &self.exited
    }

    /// `GetExitCodeThread`: `STILL_ACTIVE` (259) until the thread has ended.
    pub fn exit_code(&self) -> u32 {
        self.exit_code.load(Ordering::Acquire)
    }

    /// The thread's id (`GetCurrentThreadId` in the thread).
    pub fn id(&self) -> u32 {
        self.id.load(Ordering::Acquire)
    }

    /// `GetThreadPriority`: the last value `SetThreadPriority` gave, kept
    /// with the thread as Windows keeps it with the kernel's.
    pub fn priority(&self) -> i32 {
        self.priority.load(Ordering::Acquire)
    }

    /// Records `SetThreadPriority`'s value.
    pub fn set_priority(&self, priority: i32) {
        self.priority.store(priority, Ordering::Release);
    }

    /// `ResumeThread`: the suspend count before the call; at 0 the thread's
    /// function starts.
    pub fn resume(&self) -> u32 {
        let mut count = lock(&self.suspend_count);
        let before = *count;
        if before > 0 {
            *count -= 1;
            if *count == 0 {
                self.resumed.set();
            }
        }
        before
    }

    /// `QueueUserAPC`: runs `apc` in the thread's next alertable wait;
    /// false once the thread has ended (it never runs).
    pub fn queue_apc(&self, apc: Apc) -> bool {
        match self.state.get().and_then(Weak::upgrade) {
            Some(state) => state.queue_apc(apc),
            None => false,
        }
    }
}

/// What `spawn` hands its thread.
struct Start {
    object: Arc<ThreadObject>,
    function: ThreadStart,
    param: usize,
}

/// Owned by the running thread; its destructor (at thread exit, normal or
/// through `ExitThread`) ends the thread as the module docs say.
struct Ending {
    object: Arc<ThreadObject>,
    code: Cell<u32>,
}

impl Drop for Ending {
    fn drop(&mut self) {
        end_current_thread();
        self.object
            .exit_code
            .store(self.code.get(), Ordering::Release);
        self.object.exited.set();
    }
}

thread_local! {
    static ENDING: RefCell<Option<Ending>> = const { RefCell::new(None) };
}

unsafe extern "C" {
    /// `pthread_create` with a start routine that may be left by a forced
    /// unwind (`ExitThread`).
    #[link_name = "pthread_create"]
    fn pthread_create_unwinding(
        thread: *mut libc::pthread_t,
        attr: *const libc::pthread_attr_t,
        start: extern "C-unwind" fn(*mut c_void) -> *mut c_void,
        arg: *mut c_void,
    ) -> libc::c_int;
}

unsafe extern "C-unwind" {
    /// Ends the calling thread by a forced unwind of its stack.
    fn pthread_exit(value: *mut c_void) -> !;
}

impl ThreadObject {
    /// The object of a thread about to be started with [`start`] (a handle
    /// can name it before the thread runs); held before its function until
    /// [`ThreadObject::resume`] when `suspended`.
    pub fn new(suspended: bool) -> Arc<ThreadObject> {
        Arc::new(ThreadObject {
            exited: Arc::new(Event::new()),
            exit_code: AtomicU32::new(abi::STILL_ACTIVE),
            id: AtomicU32::new(0),
            state: OnceLock::new(),
            started: Event::new(),
            suspend_count: Mutex::new(suspended as u32),
            resumed: Event::with_mode(true, !suspended),
            priority: AtomicI32::new(0),
        })
    }
}

/// Starts the thread of `object` running `function(param)` (`CreateThread`),
/// with a stack of `stack_size` bytes (at least 64 KiB, whole pages) or
/// pthread's default. Returns once the thread has its id. Fails with
/// `ERROR_NOT_ENOUGH_MEMORY` when no thread can be made (nothing runs).
///
/// ```
/// # use std::ffi::c_void;
/// use ws2_engine::completion::{ThreadObject, thread_object};
/// unsafe extern "C-unwind" fn twice(p: *mut c_void) -> u32 {
///     2 * p as u32
/// }
/// let t = ThreadObject::new(false);
/// thread_object::start(&t, twice, 21 as *mut c_void, None)?;
/// assert!(t.exit_event().wait(Some(std::time::Duration::from_secs(10))));
/// assert_eq!(t.exit_code(), 42);
/// # Ok::<(), ws2_engine::Error>(())
/// ```
pub fn start(
    object: &Arc<ThreadObject>,
    function: ThreadStart,
    param: *mut c_void,
    stack_size: Option<usize>,
) -> Result<()> {
    let start = Box::into_raw(Box::new(Start {
        object: object.clone(),
        function,
        param: param as usize,
    }));
    // SAFETY: attr is initialised before use and destroyed once; start is
    // handed to the new thread, which owns it, or taken back on failure.
    let r = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        libc::pthread_attr_setdetachstate(&mut attr, libc::PTHREAD_CREATE_DETACHED);
        let mut r = 0;
        if let Some(size) = stack_size {
            r = libc::pthread_attr_setstacksize(&mut attr, stack_bytes(size));
        }
        if r == 0 {
            let mut thread: libc::pthread_t = 0;
            r = pthread_create_unwinding(&mut thread, &attr, run, start.cast());
        }
        libc::pthread_attr_destroy(&mut attr);
        r
    };
    if r != 0 {
        // SAFETY: the thread was not created, so `start` is still ours.
        drop(unsafe { Box::from_raw(start) });
        let text = std::io::Error::from_raw_os_error(r);
        return Err(Error::new(
            abi::ERROR_NOT_ENOUGH_MEMORY as i32,
            format!("pthread_create: {text} (Linux errno {r})"),
        ));
    }
    object.started.wait(None);
    Ok(())
}

/// A stack of `size` bytes as pthread takes it: at least 64 KiB (ws2's own
/// frames run on it too), in whole pages.
fn stack_bytes(size: usize) -> usize {
    // SAFETY: sysconf has no pointer arguments.
    let page = (unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).max(4096) as usize;
    size.max(64 * 1024)
        .checked_next_multiple_of(page)
        .unwrap_or(usize::MAX - page + 1)
}

/// The thread's start routine. While the function runs this frame holds
/// only plain values (no destructor), so `ExitThread`'s forced unwind may
/// pass through it.
extern "C-unwind" fn run(start: *mut c_void) -> *mut c_void {
    let (function, param) = begin(start);
    // SAFETY: the caller of CreateThread gave a function of this type.
    let code = unsafe { function(param as *mut c_void) };
    set_exit_code(code);
    std::ptr::null_mut()
}

/// The thread's first steps: publish its id and state, arrange its end,
/// wait while suspended; returns what to call.
fn begin(start: *mut c_void) -> (ThreadStart, usize) {
    // SAFETY: `spawn` leaked this Box for this thread alone.
    let start = *unsafe { Box::from_raw(start.cast::<Start>()) };
    let object = start.object;
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() } as u32;
    object.id.store(tid, Ordering::Release);
    let _ = object.state.set(Arc::downgrade(&current_thread()));
    ENDING.with(|e| {
        *e.borrow_mut() = Some(Ending {
            object: object.clone(),
            code: Cell::new(0),
        })
    });
    object.started.set();
    object.resumed.wait(None);
    (start.function, start.param)
}

thread_local! {
    /// The object of a thread `CreateThread` did not start, made when the
    /// thread first names itself with `GetCurrentThread()`.
    static OWN: std::cell::OnceCell<Arc<ThreadObject>> = const { std::cell::OnceCell::new() };
}

/// The object `GetCurrentThread()`'s pseudo-handle names in the calling
/// thread: its `CreateThread` object, or one of its own for any other
/// thread (its id, its APC queue, `STILL_ACTIVE`; only the thread itself
/// can name it, so nothing waits for its end).
///
/// ```
/// use ws2_engine::completion::thread_object;
/// let me = thread_object::current();
/// assert!(std::sync::Arc::ptr_eq(&me, &thread_object::current()));
/// assert_eq!(me.exit_code(), ws2_abi::STILL_ACTIVE);
/// assert_ne!(me.id(), 0);
/// ```
pub fn current() -> Arc<ThreadObject> {
    let started = ENDING
        .try_with(|e| e.try_borrow().ok()?.as_ref().map(|e| e.object.clone()))
        .ok()
        .flatten();
    if let Some(object) = started {
        return object;
    }
    let make = || {
        let object = ThreadObject::new(false);
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::gettid() } as u32;
        object.id.store(tid, Ordering::Release);
        let _ = object.state.set(Arc::downgrade(&current_thread()));
        object.started.set();
        object
    };
    OWN.try_with(|own| own.get_or_init(make).clone())
        .unwrap_or_else(|_| make())
}

/// Records the exit code the thread ends with.
fn set_exit_code(code: u32) {
    let _ = ENDING.try_with(|e| {
        if let Ok(e) = e.try_borrow()
            && let Some(e) = e.as_ref()
        {
            e.code.set(code);
        }
    });
}

/// `ExitThread`: ends the calling thread with `code`. A thread that
/// `CreateThread` did not start ends too (it has no handle to signal).
///
/// Not from a completion routine or an APC: ws2's own frames, with values
/// to drop, are below it on the stack, and a forced unwind through them is
/// undefined behaviour in Rust; the process is aborted with a message
/// instead.
pub fn exit_current_thread(code: u32) -> ! {
    if in_completion_routine() {
        eprintln!(
            "ws2: ExitThread called from a completion routine or APC; ws2 cannot end a thread \
             from inside its alertable wait: aborting"
        );
        std::process::abort();
    }
    set_exit_code(code);
    // SAFETY: this frame and the C frames above it hold nothing to drop;
    // the thread ends here.
    unsafe { pthread_exit(std::ptr::null_mut()) }
}
