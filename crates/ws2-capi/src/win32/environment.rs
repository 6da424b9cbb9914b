//! The process's environment and names (processenv.h, sysinfoapi.h,
//! libloaderapi.h): `GetEnvironmentVariable`, `SetEnvironmentVariable`,
//! `GetComputerName` and `GetModuleFileName` (A and W), which servers call
//! for their configuration, their logs and the directory they run from.
//! The W forms convert through UTF-8, as the environment and paths are
//! kept (`codepage.rs`).
//!
//! Windows' answers (kernel32 environ.c `test_GetSetEnvironmentVariableA`,
//! `test_GetComputerName`; module.c `testGetModuleFileName`; Microsoft's
//! pages of the four): a value that fits is copied and its length without
//! the NUL returned; one that does not fit leaves the buffer alone and
//! returns the size needed with the NUL; names match whatever their case.
//! Success leaves the last error alone, except `GetModuleFileNameA`'s,
//! which sets `ERROR_SUCCESS` as Windows since Vista does.
//!
//! The variables are the process's (Rust's `std::env` over the C
//! library's `environ`), so `getenv` and these see the same ones. Reads and
//! writes go through `std::env`, whose lock also orders them with ws2's own
//! reads of its settings; one more lock makes a set (find any case, remove,
//! set) one step. A program's own `setenv` beside them is as unsafe as
//! beside its own `getenv`.

use std::ffi::{CStr, CString, OsStr, OsString, c_char};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::sync::Mutex;

use ws2_abi::*;
use ws2_engine::translate::cstr;

use super::{FALSE, TRUE, set_last_error, win32};
use ws2_engine::fork;

/// `MAX_COMPUTERNAME_LENGTH`: a NetBIOS name's characters.
const MAX_COMPUTERNAME_LENGTH: usize = 15;

/// Makes each `SetEnvironmentVariable` one step.
static ENVIRONMENT: Mutex<()> = Mutex::new(());

/// Holds [`ENVIRONMENT`].
fn hold() -> fork::Locked<'static, ()> {
    fork::lock(&ENVIRONMENT)
}

/// The variable whose name matches `name` in any case (the first one, as
/// the environment lists them): its name as stored and its value.
fn find_variable(name: &[u8]) -> Option<(OsString, Vec<u8>)> {
    std::env::vars_os()
        .find(|(key, _)| key.as_bytes().eq_ignore_ascii_case(name))
        .map(|(key, value)| (key, value.into_vec()))
}

/// `name` as bytes, refused when NULL or empty (`ERROR_ENVVAR_NOT_FOUND`,
/// as Windows answers an empty name).
///
/// # Safety
/// `name` null or a NUL-terminated string.
unsafe fn variable_name<'a>(name: *const c_char) -> Result<&'a [u8], DWORD> {
    if name.is_null() {
        return Err(ERROR_INVALID_PARAMETER);
    }
    // SAFETY: non-null and NUL-terminated per the contract.
    let name = unsafe { CStr::from_ptr(name) }.to_bytes();
    if name.is_empty() {
        return Err(ERROR_ENVVAR_NOT_FOUND);
    }
    Ok(name)
}

/// Copies `text` and its NUL into `buffer` of `size` units when it fits:
/// `text`'s length; else the size needed, the NUL counted, with `buffer`
/// untouched.
///
/// # Safety
/// `buffer` writable for `size` units (or `size` 0).
unsafe fn copy_out<T: Copy + Default>(
    text: &[T],
    buffer: *mut T,
    size: DWORD,
) -> Result<DWORD, DWORD> {
    let len = DWORD::try_from(text.len()).map_err(|_| ERROR_INSUFFICIENT_BUFFER)?;
    // SAFETY: buffer writable for size units per the contract.
    if !buffer.is_null() && unsafe { cstr::copy_out(&with_nul(text), buffer, size as usize) } {
        return Ok(len);
    }
    len.checked_add(1).ok_or(ERROR_INSUFFICIENT_BUFFER)
}

/// `text` and a NUL.
fn with_nul<T: Copy + Default>(text: &[T]) -> Vec<T> {
    text.iter().copied().chain([T::default()]).collect()
}

/// `text` (UTF-8, as Linux keeps names) as `WCHAR`s.
fn wide(text: &[u8]) -> Vec<u16> {
    super::codepage::utf8_to_utf16(text).0
}

/// A `WCHAR` string as UTF-8; NULL stays `None`.
///
/// # Safety
/// `s` null or NUL-terminated (at any alignment).
unsafe fn narrow(s: *const u16) -> Option<CString> {
    // SAFETY: forwarded contract (read unaligned).
    let units = unsafe { cstr::wide(s) }?;
    // UTF-8 of units without a 0 has no NUL byte.
    CString::new(super::codepage::utf16_to_utf8(&units).0).ok()
}

/// `GetEnvironmentVariableA`: the value's length (without the NUL) when it
/// fits `nSize` chars, else the size needed with the NUL and the buffer
/// untouched; 0 and `ERROR_ENVVAR_NOT_FOUND` when there is no such
/// variable. An empty value writes "" and returns 0 with the last error
/// untouched (only the last error tells it from a missing one).
///
/// # Safety
/// `name` a NUL-terminated string; `buffer` writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetEnvironmentVariableA(
    name: *const c_char,
    buffer: *mut c_char,
    size: DWORD,
) -> DWORD {
    win32(0, || {
        // SAFETY: forwarded contract.
        let name = unsafe { variable_name(name) }?;
        let (_, value) = find_variable(name).ok_or(ERROR_ENVVAR_NOT_FOUND)?;
        // SAFETY: forwarded contract.
        unsafe { copy_out(&value, buffer.cast::<u8>(), size) }
    })
}

/// `SetEnvironmentVariableA`: sets `name` (replacing a variable whose name
/// differs only in case) or, with a NULL value, deletes it (`TRUE` also
/// when there was none). A name containing '=' is `ERROR_INVALID_PARAMETER`
/// (Windows accepts one that starts with '=', Linux's environment does
/// not).
///
/// # Safety
/// `name` and `value` null or NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SetEnvironmentVariableA(
    name: *const c_char,
    value: *const c_char,
) -> BOOL {
    win32(FALSE, || {
        // SAFETY: forwarded contract.
        let name = unsafe { variable_name(name) }.map_err(|_| ERROR_INVALID_PARAMETER)?;
        if name.contains(&b'=') {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let value = (!value.is_null()).then(|| {
            // SAFETY: non-null and NUL-terminated per the contract.
            OsStr::from_bytes(unsafe { CStr::from_ptr(value) }.to_bytes())
        });
        let _held = hold();
        while let Some((stored, _)) = find_variable(name) {
            // SAFETY: std::env's own lock orders this with every reader
            // through std::env (ws2's included); the name as stored is
            // neither empty nor has '=' or NUL.
            unsafe { std::env::remove_var(stored) };
        }
        if let Some(value) = value {
            // SAFETY: as above; the name was checked: not empty, no '='
            // (nor NUL: a C string); the value has no NUL.
            unsafe { std::env::set_var(OsStr::from_bytes(name), value) };
        }
        Ok(TRUE)
    })
}

/// This machine's computer name as Windows gives it: the NetBIOS name, the
/// host name's first label in upper case, at most 15 characters.
fn computer_name() -> Vec<u8> {
    let host = ws2_engine::resolve::host_name().unwrap_or_default();
    let label = host.split(|&b| b == b'.').next().unwrap_or(&[]);
    let mut name = label.to_ascii_uppercase();
    name.truncate(MAX_COMPUTERNAME_LENGTH);
    // Not in the middle of a character (a host name may be UTF-8).
    while std::str::from_utf8(&name).is_err_and(|e| e.error_len().is_none()) {
        name.pop();
    }
    if name.is_empty() {
        name = b"LOCALHOST".to_vec();
    }
    name
}

/// `GetComputerNameA`: the computer name and, in `*size`, its length
/// without the NUL; a buffer of `*size` chars too small for it is FALSE
/// with `ERROR_BUFFER_OVERFLOW` and `*size` the size needed with the NUL.
///
/// # Safety
/// `size` null or a DWORD; `buffer` writable for `*size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetComputerNameA(buffer: *mut c_char, size: *mut DWORD) -> BOOL {
    // SAFETY: forwarded contract.
    win32(FALSE, || unsafe {
        name_into(&computer_name(), buffer.cast::<u8>(), size)
    })
}

/// `GetComputerName`'s answer: `name` into `buffer` of `*size` units,
/// `*size` its length; or, too small, `ERROR_BUFFER_OVERFLOW` and `*size`
/// the size needed with the NUL.
///
/// # Safety
/// `size` null or a DWORD; `buffer` writable for `*size` units.
unsafe fn name_into<T: Copy + Default>(
    name: &[T],
    buffer: *mut T,
    size: *mut DWORD,
) -> Result<BOOL, DWORD> {
    if size.is_null() {
        return Err(ERROR_INVALID_PARAMETER);
    }
    // SAFETY: size is a readable DWORD per the contract.
    let room = unsafe { size.read_unaligned() };
    // SAFETY: buffer writable for room units per the contract.
    let got = unsafe { copy_out(name, buffer, room) }?;
    // SAFETY: size is a writable DWORD per the contract.
    unsafe { size.write_unaligned(got) };
    if got as usize > name.len() {
        return Err(ERROR_BUFFER_OVERFLOW);
    }
    Ok(TRUE)
}

/// The path of the file `module` was loaded from: the program's for NULL
/// or `GetModuleHandle(NULL)`, libws2_32's for the DLLs it stands in for.
/// Absolute, as Windows gives it: the kernel's name of the mapping that
/// holds this code (the loader's own name may be relative).
fn module_path(module: HANDLE) -> Option<Vec<u8>> {
    if super::modules::module_of(module)?.is_program() {
        let exe = std::fs::read_link("/proc/self/exe").ok()?;
        return Some(exe.into_os_string().into_vec());
    }
    let here = module_path as fn(HANDLE) -> Option<Vec<u8>> as usize;
    let maps = std::fs::read("/proc/self/maps").ok()?;
    maps.split(|&b| b == b'\n').find_map(|line| {
        // "start-end perms offset dev inode   path"
        let mut fields = line.splitn(6, |&b| b == b' ');
        let range = std::str::from_utf8(fields.next()?).ok()?;
        let (start, end) = range.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        let path = fields.nth(4)?.trim_ascii_start();
        (start <= here && here < end && path.starts_with(b"/")).then(|| path.to_vec())
    })
}

/// `GetModuleFileNameA`: the module's path and its length without the NUL
/// (the last error `ERROR_SUCCESS`); into a buffer too small, the path cut
/// to `nSize - 1` chars and a NUL, `nSize` returned and
/// `ERROR_INSUFFICIENT_BUFFER` (Windows since Vista). A handle that names
/// no module is 0 and `ERROR_MOD_NOT_FOUND`, the buffer untouched.
///
/// # Safety
/// `buffer` writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetModuleFileNameA(
    module: HANDLE,
    buffer: *mut c_char,
    size: DWORD,
) -> DWORD {
    win32(0, || {
        let path = module_path(module).ok_or(ERROR_MOD_NOT_FOUND)?;
        // SAFETY: forwarded contract.
        unsafe { cut_path(&path, buffer.cast::<u8>(), size) }
    })
}

/// Writes `path` into `buffer` of `size` units for `GetModuleFileName`:
/// whole, its length returned and the last error `ERROR_SUCCESS`; else cut
/// to `size - 1` units and a NUL, `size` returned and
/// `ERROR_INSUFFICIENT_BUFFER`.
///
/// # Safety
/// `buffer` writable for `size` units.
unsafe fn cut_path<T: Copy + Default>(
    path: &[T],
    buffer: *mut T,
    size: DWORD,
) -> Result<DWORD, DWORD> {
    let room = size as usize;
    if room == 0 || buffer.is_null() {
        return Err(ERROR_INSUFFICIENT_BUFFER);
    }
    let n = path.len().min(room - 1);
    // SAFETY: buffer writable for room > n units per the contract.
    unsafe { cstr::copy_out(&with_nul(&path[..n]), buffer, room) };
    if n < path.len() {
        set_last_error(ERROR_INSUFFICIENT_BUFFER);
        return Ok(size);
    }
    set_last_error(ERROR_SUCCESS);
    Ok(n as DWORD)
}

/// `GetEnvironmentVariableW`: [`GetEnvironmentVariableA`] in `WCHAR`s.
///
/// # Safety
/// `name` a NUL-terminated `WCHAR` string; `buffer` writable for `size`
/// `WCHAR`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetEnvironmentVariableW(
    name: *const u16,
    buffer: *mut u16,
    size: DWORD,
) -> DWORD {
    win32(0, || {
        // SAFETY: forwarded contract.
        let name = unsafe { narrow(name) }.ok_or(ERROR_INVALID_PARAMETER)?;
        if name.is_empty() {
            return Err(ERROR_ENVVAR_NOT_FOUND);
        }
        let (_, value) = find_variable(name.to_bytes()).ok_or(ERROR_ENVVAR_NOT_FOUND)?;
        // SAFETY: forwarded contract.
        unsafe { copy_out(&wide(&value), buffer, size) }
    })
}

/// `SetEnvironmentVariableW`: [`SetEnvironmentVariableA`] with `WCHAR`s.
///
/// # Safety
/// `name` and `value` null or NUL-terminated `WCHAR` strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SetEnvironmentVariableW(name: *const u16, value: *const u16) -> BOOL {
    // SAFETY: forwarded contract.
    let (name, value) = unsafe { (narrow(name), narrow(value)) };
    let Some(name) = name else {
        set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    };
    let value_ptr = value.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
    // SAFETY: both NUL-terminated strings (or a NULL value) live to the
    // end of the call.
    unsafe { SetEnvironmentVariableA(name.as_ptr(), value_ptr) }
}

/// `GetComputerNameW`: [`GetComputerNameA`] in `WCHAR`s.
///
/// # Safety
/// `size` null or a DWORD; `buffer` writable for `*size` `WCHAR`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetComputerNameW(buffer: *mut u16, size: *mut DWORD) -> BOOL {
    // SAFETY: forwarded contract.
    win32(FALSE, || unsafe {
        name_into(&wide(&computer_name()), buffer, size)
    })
}

/// `GetModuleFileNameW`: [`GetModuleFileNameA`] in `WCHAR`s.
///
/// # Safety
/// `buffer` writable for `size` `WCHAR`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetModuleFileNameW(
    module: HANDLE,
    buffer: *mut u16,
    size: DWORD,
) -> DWORD {
    win32(0, || {
        let path = wide(&module_path(module).ok_or(ERROR_MOD_NOT_FOUND)?);
        // SAFETY: forwarded contract.
        unsafe { cut_path(&path, buffer, size) }
    })
}
