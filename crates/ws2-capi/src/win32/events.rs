//! Event objects (synchapi.h): `CreateEventA/W`, `CreateEventExA/W`,
//! `OpenEventA/W`, `SetEvent`, `ResetEvent`, `PulseEvent`. The events are the ones
//! `WSACreateEvent` makes (one object for both APIs: an OVERLAPPED's
//! `hEvent`, `WSAWaitForMultipleEvents`, `WaitForMultipleObjects`), manual-
//! or auto-reset: an auto-reset event is consumed by the one wait it
//! satisfies (the lowest index of a wait-any; all together, and only then,
//! in a wait-all). Kernel32's, they need no `WSAStartup`.
//!
//! Names work within the process (`completion::named`): the same name gives
//! the same event, with `ERROR_ALREADY_EXISTS` in the last error and the
//! first settings kept; a new event sets the last error to 0 (kernel32
//! sync.c `test_event`); the name lives while a handle to it is open; a
//! name a mutex or semaphore holds is `ERROR_INVALID_HANDLE`. Names are
//! compared exactly (case matters), as UTF-8 for the A functions and
//! UTF-16 for the W ones, so "x" names one event in both; a name that is
//! neither is `ERROR_INVALID_NAME`. Other processes do not see them.
//! `PulseEvent` releases only the threads waiting at that moment, as
//! Windows' does (Microsoft calls it unreliable for that reason).

use std::ffi::c_char;
use std::sync::Arc;

use crate::cstr;
use ws2_abi::*;
use ws2_engine::completion::named::{self, Kind};
use ws2_engine::completion::{Event, SyncObject};
use ws2_engine::handles::{self, Object};
use ws2_engine::{Error, Result};

use super::threads::insert_handle;
use super::{FALSE, TRUE};
use crate::{kernel32, set_last_error};

/// A name as the A functions take it; `None` for NULL or "" (no name).
///
/// # Safety
/// `name` NULL or a NUL-terminated string.
pub(super) unsafe fn name_a(name: *const c_char) -> Result<Option<String>> {
    // SAFETY: per the contract.
    match unsafe { cstr::ansi(name) } {
        None | Some([]) => Ok(None),
        Some(bytes) => String::from_utf8(bytes.to_vec())
            .map(Some)
            .map_err(|_| invalid_name()),
    }
}

/// A name as the W functions take it; `None` for NULL or "" (no name).
///
/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
pub(super) unsafe fn name_w(name: *const u16) -> Result<Option<String>> {
    // SAFETY: per the contract.
    match unsafe { cstr::wide(name) }.as_deref() {
        None | Some([]) => Ok(None),
        Some(units) => cstr::utf8_of_wide(units).map(Some).ok_or_else(invalid_name),
    }
}

fn invalid_name() -> Error {
    Error::new(
        ERROR_INVALID_NAME as i32,
        "the object name is not valid text (UTF-8 for the A functions, UTF-16 for the W ones)",
    )
}

/// A handle to `object`, made by `Create*` (`existed`: it was there
/// already) or `Open*`: the name's count of handles is given back when no
/// handle can be made.
pub(super) fn named_handle(object: SyncObject) -> Result<HANDLE> {
    let h = match &object {
        SyncObject::Event(e) => Object::Event(e.clone()),
        SyncObject::Mutex(m) => Object::Mutex(m.clone()),
        SyncObject::Semaphore(s) => Object::Semaphore(s.clone()),
    };
    insert_handle(h).inspect_err(|_| named::handle_closed(&object))
}

/// `Create*` with a name or without: the last error is set on success too,
/// to 0 or `ERROR_ALREADY_EXISTS` (kernel32 sync.c `test_event`,
/// `test_mutex`, `test_semaphore`).
pub(super) fn create_object(
    name: Result<Option<String>>,
    kind: Kind,
    make: impl FnOnce() -> Result<SyncObject>,
) -> HANDLE {
    kernel32(std::ptr::null_mut(), || {
        let Some(name) = name? else {
            let h = named_handle(make()?)?;
            set_last_error(ERROR_SUCCESS);
            return Ok(h);
        };
        let (object, existed) = named::create(&name, kind, make)?;
        let h = named_handle(object)?;
        set_last_error(if existed {
            ERROR_ALREADY_EXISTS
        } else {
            ERROR_SUCCESS
        });
        Ok(h)
    })
}

/// `Open*`: a new handle to the named object; `ERROR_FILE_NOT_FOUND` when
/// no handle to that name is open, `ERROR_INVALID_PARAMETER` for no name,
/// `ERROR_INVALID_HANDLE` for a name of another kind of object (kernel32
/// sync.c `test_event`, `test_mutex`, `test_semaphore`).
pub(super) fn open_object(name: Result<Option<String>>, kind: Kind) -> HANDLE {
    kernel32(std::ptr::null_mut(), || {
        let Some(name) = name? else {
            return Err(Error::new(
                ERROR_INVALID_PARAMETER as i32,
                "lpName is NULL: only a named object can be opened",
            ));
        };
        let Some(object) = named::open(&name, kind)? else {
            return Err(Error::new(
                ERROR_FILE_NOT_FOUND as i32,
                format!("no {kind:?} is named {name:?}"),
            ));
        };
        named_handle(object)
    })
}

fn create(name: Result<Option<String>>, manual_reset: bool, initially_set: bool) -> HANDLE {
    create_object(name, Kind::Event, || {
        Ok(SyncObject::Event(Arc::new(Event::with_mode(
            manual_reset,
            initially_set,
        ))))
    })
}

fn open(name: Result<Option<String>>) -> HANDLE {
    open_object(name, Kind::Event)
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateEventA(
    _attributes: *mut SECURITY_ATTRIBUTES,
    manual_reset: BOOL,
    initial_state: BOOL,
    name: *const c_char,
) -> HANDLE {
    // SAFETY: forwarded contract.
    create(
        unsafe { name_a(name) },
        manual_reset != 0,
        initial_state != 0,
    )
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateEventW(
    _attributes: *mut SECURITY_ATTRIBUTES,
    manual_reset: BOOL,
    initial_state: BOOL,
    name: *const u16,
) -> HANDLE {
    // SAFETY: forwarded contract.
    create(
        unsafe { name_w(name) },
        manual_reset != 0,
        initial_state != 0,
    )
}

/// The flags of `CreateEventEx`, checked.
fn ex_flags(flags: DWORD) -> Result<(bool, bool)> {
    if flags & !(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET) != 0 {
        return Err(Error::new(
            ERROR_INVALID_PARAMETER as i32,
            format!(
                "dwFlags {flags:#x}: only CREATE_EVENT_MANUAL_RESET and \
                 CREATE_EVENT_INITIAL_SET are known"
            ),
        ));
    }
    Ok((
        flags & CREATE_EVENT_MANUAL_RESET != 0,
        flags & CREATE_EVENT_INITIAL_SET != 0,
    ))
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateEventExA(
    _attributes: *mut SECURITY_ATTRIBUTES,
    name: *const c_char,
    flags: DWORD,
    _access: DWORD,
) -> HANDLE {
    match ex_flags(flags) {
        // SAFETY: forwarded contract.
        Ok((manual, set)) => create(unsafe { name_a(name) }, manual, set),
        Err(e) => kernel32(std::ptr::null_mut(), || Err(e)),
    }
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateEventExW(
    _attributes: *mut SECURITY_ATTRIBUTES,
    name: *const u16,
    flags: DWORD,
    _access: DWORD,
) -> HANDLE {
    match ex_flags(flags) {
        // SAFETY: forwarded contract.
        Ok((manual, set)) => create(unsafe { name_w(name) }, manual, set),
        Err(e) => kernel32(std::ptr::null_mut(), || Err(e)),
    }
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenEventA(_access: DWORD, _inherit: BOOL, name: *const c_char) -> HANDLE {
    // SAFETY: forwarded contract.
    open(unsafe { name_a(name) })
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenEventW(_access: DWORD, _inherit: BOOL, name: *const u16) -> HANDLE {
    // SAFETY: forwarded contract.
    open(unsafe { name_w(name) })
}

/// Signals the event: a manual-reset one stays set, an auto-reset one
/// until one wait takes it. `ERROR_INVALID_HANDLE` for anything else.
#[unsafe(no_mangle)]
pub extern "C" fn SetEvent(h: HANDLE) -> BOOL {
    kernel32(FALSE, || {
        handles::event(h as usize)?.set();
        Ok(TRUE)
    })
}

/// Clears the event. `ERROR_INVALID_HANDLE` for anything else.
#[unsafe(no_mangle)]
pub extern "C" fn ResetEvent(h: HANDLE) -> BOOL {
    kernel32(FALSE, || {
        handles::event(h as usize)?.reset();
        Ok(TRUE)
    })
}

/// `PulseEvent`: releases the threads waiting on the event now (all of
/// them for a manual-reset event, one for an auto-reset one) and leaves it
/// reset; with nobody waiting it only resets it (Microsoft's PulseEvent
/// page; ntdll sync.c `test_event`). `ERROR_INVALID_HANDLE` for anything
/// else.
#[unsafe(no_mangle)]
pub extern "C" fn PulseEvent(h: HANDLE) -> BOOL {
    kernel32(FALSE, || {
        handles::event(h as usize)?.pulse();
        Ok(TRUE)
    })
}
