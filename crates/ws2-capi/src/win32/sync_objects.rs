//! Mutex and semaphore objects (synchapi.h): `CreateMutexA/W`,
//! `CreateMutexExA/W`, `OpenMutexA/W`, `ReleaseMutex`; `CreateSemaphoreA/W`,
//! `CreateSemaphoreExA/W`, `OpenSemaphoreA/W`, `ReleaseSemaphore`. Handles
//! the wait functions take (with events and threads, in one wait), closed
//! by `CloseHandle`. Kernel32's: they need no `WSAStartup`.
//!
//! A mutex belongs to the thread that took it, which may take it again
//! (each wait counts); `ReleaseMutex` from any other thread is
//! `ERROR_NOT_OWNER`; a thread that ends owning one abandons it, and the
//! next wait owns it and returns `WAIT_ABANDONED_0 + i` (kernel32 sync.c
//! `test_mutex`, ntdll sync.c `test_mutant`). A semaphore counts between 0
//! and its maximum: `ReleaseSemaphore` past the maximum is
//! `ERROR_TOO_MANY_POSTS` and changes nothing (ntdll sync.c
//! `test_semaphore`). Names share the events' namespace within the process
//! (`events`): `ERROR_ALREADY_EXISTS` for an existing one (whose settings
//! stay: `bInitialOwner` does not take an existing mutex),
//! `ERROR_INVALID_HANDLE` for a name another kind of object holds.
//! Access masks are accepted and not enforced, as for events.

use std::ffi::c_char;
use std::sync::Arc;

use ws2_abi::*;
use ws2_engine::completion::named::Kind;
use ws2_engine::completion::{MutexObject, Semaphore, SyncObject};
use ws2_engine::handles;
use ws2_engine::{Error, Result};

use super::events::{create_object, name_a, name_w, open_object};
use super::{FALSE, TRUE};
use crate::kernel32;

fn create_mutex(name: Result<Option<String>>, initial_owner: bool) -> HANDLE {
    // Made only when the name is new: an existing mutex is not taken.
    create_object(name, Kind::Mutex, || {
        Ok(SyncObject::Mutex(MutexObject::new(initial_owner)))
    })
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateMutexA(
    _attributes: *mut SECURITY_ATTRIBUTES,
    initial_owner: BOOL,
    name: *const c_char,
) -> HANDLE {
    // SAFETY: forwarded contract.
    create_mutex(unsafe { name_a(name) }, initial_owner != 0)
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateMutexW(
    _attributes: *mut SECURITY_ATTRIBUTES,
    initial_owner: BOOL,
    name: *const u16,
) -> HANDLE {
    // SAFETY: forwarded contract.
    create_mutex(unsafe { name_w(name) }, initial_owner != 0)
}

/// `CreateMutexEx`'s flags, checked: only `CREATE_MUTEX_INITIAL_OWNER`.
fn mutex_flags(flags: DWORD) -> Result<bool> {
    if flags & !CREATE_MUTEX_INITIAL_OWNER != 0 {
        return Err(Error::new(
            ERROR_INVALID_PARAMETER as i32,
            format!("dwFlags {flags:#x}: only CREATE_MUTEX_INITIAL_OWNER is known"),
        ));
    }
    Ok(flags & CREATE_MUTEX_INITIAL_OWNER != 0)
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateMutexExA(
    _attributes: *mut SECURITY_ATTRIBUTES,
    name: *const c_char,
    flags: DWORD,
    _access: DWORD,
) -> HANDLE {
    match mutex_flags(flags) {
        // SAFETY: forwarded contract.
        Ok(owned) => create_mutex(unsafe { name_a(name) }, owned),
        Err(e) => kernel32(std::ptr::null_mut(), || Err(e)),
    }
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateMutexExW(
    _attributes: *mut SECURITY_ATTRIBUTES,
    name: *const u16,
    flags: DWORD,
    _access: DWORD,
) -> HANDLE {
    match mutex_flags(flags) {
        // SAFETY: forwarded contract.
        Ok(owned) => create_mutex(unsafe { name_w(name) }, owned),
        Err(e) => kernel32(std::ptr::null_mut(), || Err(e)),
    }
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenMutexA(_access: DWORD, _inherit: BOOL, name: *const c_char) -> HANDLE {
    // SAFETY: forwarded contract.
    open_object(unsafe { name_a(name) }, Kind::Mutex)
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenMutexW(_access: DWORD, _inherit: BOOL, name: *const u16) -> HANDLE {
    // SAFETY: forwarded contract.
    open_object(unsafe { name_w(name) }, Kind::Mutex)
}

/// Gives back one acquisition of a mutex the calling thread owns;
/// `ERROR_NOT_OWNER` otherwise, `ERROR_INVALID_HANDLE` for anything but a
/// mutex.
#[unsafe(no_mangle)]
pub extern "C" fn ReleaseMutex(h: HANDLE) -> BOOL {
    kernel32(FALSE, || {
        handles::mutex(handles::untagged(h as usize))?.release()?;
        Ok(TRUE)
    })
}

fn create_semaphore(name: Result<Option<String>>, initial: LONG, maximum: LONG) -> HANDLE {
    // Checked before the name is looked at: bad counts fail even for a
    // name that exists.
    match Semaphore::new(initial, maximum) {
        Ok(semaphore) => create_object(name, Kind::Semaphore, || {
            Ok(SyncObject::Semaphore(Arc::new(semaphore)))
        }),
        Err(e) => kernel32(std::ptr::null_mut(), || Err(e)),
    }
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateSemaphoreA(
    _attributes: *mut SECURITY_ATTRIBUTES,
    initial: LONG,
    maximum: LONG,
    name: *const c_char,
) -> HANDLE {
    // SAFETY: forwarded contract.
    create_semaphore(unsafe { name_a(name) }, initial, maximum)
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateSemaphoreW(
    _attributes: *mut SECURITY_ATTRIBUTES,
    initial: LONG,
    maximum: LONG,
    name: *const u16,
) -> HANDLE {
    // SAFETY: forwarded contract.
    create_semaphore(unsafe { name_w(name) }, initial, maximum)
}

/// `CreateSemaphoreEx`'s `dwFlags` is reserved: it must be 0.
fn reserved_flags(flags: DWORD) -> Result<()> {
    if flags != 0 {
        return Err(Error::new(
            ERROR_INVALID_PARAMETER as i32,
            format!("dwFlags {flags:#x}: reserved, must be 0"),
        ));
    }
    Ok(())
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateSemaphoreExA(
    _attributes: *mut SECURITY_ATTRIBUTES,
    initial: LONG,
    maximum: LONG,
    name: *const c_char,
    flags: DWORD,
    _access: DWORD,
) -> HANDLE {
    match reserved_flags(flags) {
        // SAFETY: forwarded contract.
        Ok(()) => create_semaphore(unsafe { name_a(name) }, initial, maximum),
        Err(e) => kernel32(std::ptr::null_mut(), || Err(e)),
    }
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateSemaphoreExW(
    _attributes: *mut SECURITY_ATTRIBUTES,
    initial: LONG,
    maximum: LONG,
    name: *const u16,
    flags: DWORD,
    _access: DWORD,
) -> HANDLE {
    match reserved_flags(flags) {
        // SAFETY: forwarded contract.
        Ok(()) => create_semaphore(unsafe { name_w(name) }, initial, maximum),
        Err(e) => kernel32(std::ptr::null_mut(), || Err(e)),
    }
}

/// # Safety
/// `name` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenSemaphoreA(
    _access: DWORD,
    _inherit: BOOL,
    name: *const c_char,
) -> HANDLE {
    // SAFETY: forwarded contract.
    open_object(unsafe { name_a(name) }, Kind::Semaphore)
}

/// # Safety
/// `name` NULL or a NUL-terminated UTF-16 string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenSemaphoreW(
    _access: DWORD,
    _inherit: BOOL,
    name: *const u16,
) -> HANDLE {
    // SAFETY: forwarded contract.
    open_object(unsafe { name_w(name) }, Kind::Semaphore)
}

/// Adds `count` (above 0) to the semaphore and stores the count before in
/// `*previous` (when not NULL); past the maximum: `ERROR_TOO_MANY_POSTS`,
/// nothing changed, `*previous` untouched.
///
/// # Safety
/// `previous` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReleaseSemaphore(h: HANDLE, count: LONG, previous: *mut LONG) -> BOOL {
    kernel32(FALSE, || {
        let before = handles::semaphore(handles::untagged(h as usize))?.release(count)?;
        if !previous.is_null() {
            // SAFETY: writable per the contract (checked non-null).
            unsafe { previous.write_unaligned(before) };
        }
        Ok(TRUE)
    })
}
