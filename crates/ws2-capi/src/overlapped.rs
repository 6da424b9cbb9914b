//! Events, waits, completion ports and overlapped results (S31–S37):
//! `WSACreateEvent`..., `WSAWaitForMultipleEvents`, `WaitFor*Object(s)(Ex)`,
//! `SleepEx`/`Sleep`, `WSAGetOverlappedResult`, `CreateIoCompletionPort`,
//! `GetQueuedCompletionStatus(Ex)`, `PostQueuedCompletionStatus`,
//! `SetFileCompletionNotificationModes`, `CloseHandle`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ws2_abi::*;
use ws2_engine::completion::{self as wait, Event, Packet, Port, SyncObject, Waited, named};
use ws2_engine::handles::{self, Object};
use ws2_engine::raw::{self};
use ws2_engine::{Error, Result};

use crate::{kernel32, socket_of, winsock, winsock_kernel32};

/// `Sleep`: not alertable.
#[unsafe(no_mangle)]
pub extern "C" fn Sleep(ms: DWORD) {
    if ms == INFINITE {
        loop {
            std::thread::park();
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(ms as u64));
}

const TRUE: BOOL = 1;
const FALSE: BOOL = 0;
const INVALID_HANDLE_VALUE: usize = usize::MAX;

fn deadline(ms: DWORD) -> Option<Instant> {
    (ms != INFINITE).then(|| Instant::now() + Duration::from_millis(ms as u64))
}

fn handle(h: HANDLE) -> usize {
    h as usize
}

#[unsafe(no_mangle)]
pub extern "C" fn WSACreateEvent() -> WSAEVENT {
    winsock(std::ptr::null_mut(), || {
        handles::insert(Object::Event(Arc::new(Event::new()))).map(|h| h as WSAEVENT)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn WSACloseEvent(h: WSAEVENT) -> BOOL {
    winsock_kernel32(FALSE, || {
        let event = handles::event(handle(h))?;
        handles::remove(handle(h));
        named::handle_closed(&SyncObject::Event(event));
        Ok(TRUE)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn WSASetEvent(h: WSAEVENT) -> BOOL {
    winsock_kernel32(FALSE, || {
        handles::event(handle(h))?.set();
        Ok(TRUE)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn WSAResetEvent(h: WSAEVENT) -> BOOL {
    winsock_kernel32(FALSE, || {
        handles::event(handle(h))?.reset();
        Ok(TRUE)
    })
}

/// Waits on up to 64 events, mutexes, semaphores and threads (wait-any or
/// wait-all), optionally alertable. A taken mutex whose owner ended owning
/// it gives `WAIT_ABANDONED_0 + i`. `WSAWaitForMultipleEvents` is this
/// same wait: its array "can contain handles of objects of different
/// types" (Microsoft's WSAWaitForMultipleEvents page).
///
/// # Safety
/// `list` readable for `count` handles.
unsafe fn wait_for_objects(
    count: DWORD,
    list: *const HANDLE,
    all: BOOL,
    ms: DWORD,
    alertable: BOOL,
) -> Result<DWORD> {
    if count == 0 || count > MAXIMUM_WAIT_OBJECTS || list.is_null() {
        return Err(Error::new(
            WSA_INVALID_PARAMETER,
            format!("{count} handles: between 1 and 64 are allowed, in a non-NULL array"),
        ));
    }
    // SAFETY: list readable for count handles per the contract.
    let handles_in = unsafe { std::slice::from_raw_parts(list, count as usize) };
    let objects = handles_in
        .iter()
        .map(|h| handles::waitable(handles::untagged(handle(*h))))
        .collect::<Result<Vec<SyncObject>>>()?;
    let refs: Vec<_> = objects.iter().map(SyncObject::as_ref).collect();
    Ok(
        match wait::wait_objects(&refs, all != 0, deadline(ms), alertable != 0)? {
            Waited::Done(s) if s.abandoned => WAIT_ABANDONED_0 + s.index as DWORD,
            Waited::Done(s) => WAIT_OBJECT_0 + s.index as DWORD,
            Waited::TimedOut => WAIT_TIMEOUT,
            Waited::IoCompletion => WAIT_IO_COMPLETION,
        },
    )
}

/// # Safety
/// `list` readable for `count` handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAWaitForMultipleEvents(
    count: DWORD,
    list: *const WSAEVENT,
    all: BOOL,
    ms: DWORD,
    alertable: BOOL,
) -> DWORD {
    // SAFETY: forwarded contract.
    winsock_kernel32(WSA_WAIT_FAILED, || unsafe {
        wait_for_objects(count, list, all, ms, alertable)
    })
}

/// # Safety
/// `list` readable for `count` handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitForMultipleObjectsEx(
    count: DWORD,
    list: *const HANDLE,
    all: BOOL,
    ms: DWORD,
    alertable: BOOL,
) -> DWORD {
    // SAFETY: forwarded contract.
    kernel32(WAIT_FAILED, || unsafe {
        wait_for_objects(count, list, all, ms, alertable)
    })
}

/// # Safety
/// `list` readable for `count` handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitForMultipleObjects(
    count: DWORD,
    list: *const HANDLE,
    all: BOOL,
    ms: DWORD,
) -> DWORD {
    // SAFETY: forwarded contract.
    unsafe { WaitForMultipleObjectsEx(count, list, all, ms, FALSE) }
}

/// One handle; the pseudo-handles of the current process and thread are
/// waitable here (never signalled: the wait times out), unlike in
/// `WaitForMultipleObjects` (kernel32 `test_WaitForSingleObject`).
#[unsafe(no_mangle)]
pub extern "C" fn WaitForSingleObjectEx(h: HANDLE, ms: DWORD, alertable: BOOL) -> DWORD {
    if matches!(
        handle(h),
        handles::CURRENT_PROCESS | handles::CURRENT_THREAD
    ) {
        return kernel32(WAIT_FAILED, || {
            Ok(match wait::sleep(deadline(ms), alertable != 0)? {
                Waited::IoCompletion => WAIT_IO_COMPLETION,
                _ => WAIT_TIMEOUT,
            })
        });
    }
    // SAFETY: a one-element array on the stack.
    unsafe { WaitForMultipleObjectsEx(1, &h, TRUE, ms, alertable) }
}

#[unsafe(no_mangle)]
pub extern "C" fn WaitForSingleObject(h: HANDLE, ms: DWORD) -> DWORD {
    WaitForSingleObjectEx(h, ms, FALSE)
}

/// `SleepEx`: 0, or `WAIT_IO_COMPLETION` when alertable and routines ran (S33).
#[unsafe(no_mangle)]
pub extern "C" fn SleepEx(ms: DWORD, alertable: BOOL) -> DWORD {
    kernel32(0, || {
        Ok(match wait::sleep(deadline(ms), alertable != 0)? {
            Waited::IoCompletion => WAIT_IO_COMPLETION,
            _ => 0,
        })
    })
}

/// # Safety
/// `bytes`, `flags` writable; `ov` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAGetOverlappedResult(
    s: SOCKET,
    ov: *mut WSAOVERLAPPED,
    bytes: *mut DWORD,
    wait: BOOL,
    flags: *mut DWORD,
) -> BOOL {
    winsock(FALSE, || {
        let core = socket_of(s)?;
        // SAFETY: forwarded contract.
        unsafe { raw::get_overlapped_result(&core, ov, bytes, wait != 0, flags) }.map(|_| TRUE)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn CloseHandle(h: HANDLE) -> BOOL {
    kernel32(FALSE, || match handles::object(handle(h)) {
        // The pseudo-handles of the current process and thread: closing
        // one does nothing.
        None if matches!(
            handle(h),
            handles::CURRENT_PROCESS | handles::CURRENT_THREAD
        ) =>
        {
            Ok(TRUE)
        }
        Some(Object::Socket(core)) => {
            handles::remove(handle(h));
            core.close_handle();
            Ok(TRUE)
        }
        Some(Object::Port(port)) => {
            handles::remove(handle(h));
            // Threads waiting on it return ERROR_ABANDONED_WAIT_0 (S36).
            port.close();
            Ok(TRUE)
        }
        // A mutex owned by a thread stays owned: only the handle goes.
        Some(Object::Event(event)) => close_named(h, SyncObject::Event(event)),
        Some(Object::Mutex(mutex)) => close_named(h, SyncObject::Mutex(mutex)),
        Some(Object::Semaphore(semaphore)) => close_named(h, SyncObject::Semaphore(semaphore)),
        // A thread runs on (its object lives while it does); a standard
        // stream's fd stays open (the C library's stdio still writes to it).
        Some(Object::Thread(_) | Object::StdStream(_)) => {
            handles::remove(handle(h));
            Ok(TRUE)
        }
        None => Err(Error::new(
            ERROR_INVALID_HANDLE as i32,
            format!("handle {h:p} is not open"),
        )),
    })
}

/// `CloseHandle` of an event, mutex or semaphore: its name goes with its
/// last handle.
fn close_named(h: HANDLE, object: SyncObject) -> Result<BOOL> {
    handles::remove(handle(h));
    named::handle_closed(&object);
    Ok(TRUE)
}

/// Creates a port, and/or binds a socket to one with a key (S36).
#[unsafe(no_mangle)]
pub extern "C" fn CreateIoCompletionPort(
    file: HANDLE,
    existing: HANDLE,
    key: ULONG_PTR,
    _threads: DWORD,
) -> HANDLE {
    kernel32(std::ptr::null_mut(), || {
        let (port, port_handle) = if existing.is_null() {
            let port = Arc::new(Port::new());
            let h = handles::insert(Object::Port(port.clone()))?;
            (port, h)
        } else {
            (handles::port(handle(existing))?, handle(existing))
        };
        if handle(file) != INVALID_HANDLE_VALUE {
            let core = handles::socket(handle(file)).map_err(|_| {
                Error::new(ERROR_INVALID_HANDLE as i32, "FileHandle is not a socket")
            })?;
            if let Err(e) = core.set_port(port, key) {
                if existing.is_null() {
                    handles::remove(port_handle);
                }
                return Err(Error::new(
                    ERROR_INVALID_PARAMETER as i32,
                    e.message().to_owned(),
                ));
            }
        } else if !existing.is_null() {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "INVALID_HANDLE_VALUE with an existing port",
            ));
        }
        Ok(port_handle as HANDLE)
    })
}

/// One packet: TRUE for a successful operation; FALSE with the OVERLAPPED
/// and the Win32 error for a failed one; FALSE, NULL and `WAIT_TIMEOUT`;
/// FALSE, NULL and `ERROR_ABANDONED_WAIT_0` when another thread closes the
/// port during the wait (`ERROR_INVALID_HANDLE` when it was closed before).
/// Without a packet, `*lpNumberOfBytes` and `*lpCompletionKey` are left
/// alone (Microsoft's GetQueuedCompletionStatus page).
///
/// # Safety
/// Out-pointers writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetQueuedCompletionStatus(
    port: HANDLE,
    bytes: *mut DWORD,
    key: *mut ULONG_PTR,
    ov: *mut *mut WSAOVERLAPPED,
    ms: DWORD,
) -> BOOL {
    kernel32(FALSE, || {
        if bytes.is_null() || key.is_null() || ov.is_null() {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "an out-pointer is NULL",
            ));
        }
        // SAFETY: ov writable per the contract (checked non-null): no packet
        // until one is taken.
        unsafe { ov.write_unaligned(std::ptr::null_mut()) };
        let port = handles::port(handles::untagged(handle(port)))?;
        let timeout = (ms != INFINITE).then(|| Duration::from_millis(ms as u64));
        match port.get_within(timeout, false)? {
            Waited::Done(p) => {
                // SAFETY: out-pointers writable per the contract (checked non-null).
                unsafe {
                    bytes.write_unaligned(p.bytes);
                    key.write_unaligned(p.key);
                    ov.write_unaligned(p.overlapped as *mut WSAOVERLAPPED);
                }
                if p.status == STATUS_SUCCESS {
                    Ok(TRUE)
                } else {
                    Err(Error::new(
                        win32_from_status(p.status) as i32,
                        "the operation failed",
                    ))
                }
            }
            _ => Err(Error::new(
                WAIT_TIMEOUT as i32,
                "no completion packet before the timeout",
            )),
        }
    })
}

/// A batch of packets (alertable when asked). A port closed during the
/// wait: FALSE, `*ulNumEntriesRemoved` 0, `ERROR_ABANDONED_WAIT_0`.
///
/// # Safety
/// `entries` writable for `count` entries; `removed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetQueuedCompletionStatusEx(
    port: HANDLE,
    entries: *mut OVERLAPPED_ENTRY,
    count: ULONG,
    removed: *mut ULONG,
    ms: DWORD,
    alertable: BOOL,
) -> BOOL {
    kernel32(FALSE, || {
        if entries.is_null() || removed.is_null() || count == 0 {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "entries/removed NULL or count 0",
            ));
        }
        let port = handles::port(handles::untagged(handle(port)))?;
        let mut i = 0;
        let got = port.take_many(count as usize, deadline(ms), alertable != 0, |p| {
            let e = OVERLAPPED_ENTRY {
                lpCompletionKey: p.key,
                lpOverlapped: p.overlapped as *mut WSAOVERLAPPED,
                Internal: p.status as usize,
                dwNumberOfBytesTransferred: p.bytes,
            };
            // SAFETY: at most `count` packets come, and `count` entries are
            // writable per the contract.
            unsafe { entries.add(i).write_unaligned(e) };
            i += 1;
        });
        if got.is_err() {
            // SAFETY: removed writable per the contract (checked non-null).
            unsafe { removed.write_unaligned(0) };
        }
        match got? {
            Waited::Done(n) => {
                // SAFETY: removed writable per the contract.
                unsafe { removed.write_unaligned(n as ULONG) };
                Ok(TRUE)
            }
            Waited::TimedOut => Err(Error::new(
                WAIT_TIMEOUT as i32,
                "no completion packet before the timeout",
            )),
            Waited::IoCompletion => Err(Error::new(
                WAIT_IO_COMPLETION as i32,
                "completion routines ran",
            )),
        }
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn PostQueuedCompletionStatus(
    port: HANDLE,
    bytes: DWORD,
    key: ULONG_PTR,
    ov: *mut WSAOVERLAPPED,
) -> BOOL {
    kernel32(FALSE, || {
        handles::port(handle(port))?.post(Packet {
            bytes,
            key,
            overlapped: ov as usize,
            status: STATUS_SUCCESS,
            payload: None,
        });
        Ok(TRUE)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn SetFileCompletionNotificationModes(h: HANDLE, flags: u8) -> BOOL {
    kernel32(FALSE, || {
        if flags & !(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE) != 0 {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                format!("unknown flags {flags:#x}"),
            ));
        }
        let core = handles::socket(handle(h))
            .map_err(|_| Error::new(ERROR_INVALID_HANDLE as i32, "not a socket"))?;
        core.set_notification_modes(flags);
        Ok(TRUE)
    })
}
