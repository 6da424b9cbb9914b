//! The Microsoft-named C runtime string functions (`strcpy_s`, `strncpy_s`,
//! `strcat_s`, `strncat_s`, `strtok_s`, `_stricmp`, `_strnicmp`, `_strdup`,
//! `_strlwr`, `_strupr`) and the invalid-parameter handler, with the rules
//! of Microsoft's UCRT (research-win32.md §11):
//! - on EINVAL and ERANGE cases the invalid-parameter handler runs first;
//!   the destination, when there is one, is set to "" (not left half
//!   written); if the handler returns, errno and the return value carry the
//!   code;
//! - `_TRUNCATE` asks for truncation instead: `STRUNCATE` (80) comes back,
//!   no handler runs and errno is unchanged;
//! - Windows' default handler ends the process (`__fastfail`, exit status
//!   0xC0000409), and a program that installs none relies on that. ws2's
//!   default does the same: it prints what was wrong on stderr and calls
//!   `abort`. `_set_invalid_parameter_handler` and its thread-local twin
//!   install a handler as on Windows; ws2 calls it with NULL expression,
//!   function and file, as Windows' release runtime does.
//!
//! Where the C library has the function, it does the work (`strcasecmp`,
//! `strdup`, `strtok_r`).

use std::cell::Cell;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};

use ws2_abi::win32::{NLSCMPERROR, STRUNCATE, TRUNCATE};

/// `_invalid_parameter_handler`: `(expression, function, file, line,
/// reserved)`; the strings are `wchar_t *` on Windows and always NULL here.
type Handler =
    Option<unsafe extern "C" fn(*const c_void, *const c_void, *const c_void, u32, usize)>;

static HANDLER: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());

thread_local! {
    static THREAD_HANDLER: Cell<*mut c_void> = const { Cell::new(std::ptr::null_mut()) };
}

fn handler_of(p: *mut c_void) -> Handler {
    // SAFETY: the pointer was stored from a Handler (same size, nullable).
    unsafe { std::mem::transmute::<*mut c_void, Handler>(p) }
}

fn pointer_of(h: Handler) -> *mut c_void {
    h.map_or(std::ptr::null_mut(), |f| f as *mut c_void)
}

fn set_errno(code: c_int) {
    // SAFETY: __errno_location always returns this thread's errno.
    unsafe { *libc::__errno_location() = code };
}

/// The invalid-parameter path of `function`: the program's handler (then
/// errno is set to `code` and the caller returns it), or the end of the
/// process.
pub(super) fn invalid_parameter(function: &str, problem: &str, code: c_int) -> c_int {
    let local = THREAD_HANDLER.with(Cell::get);
    let global = HANDLER.load(Ordering::Acquire);
    let handler = handler_of(if local.is_null() { global } else { local });
    match handler {
        Some(f) => {
            // SAFETY: the program installed f with this signature.
            unsafe { f(std::ptr::null(), std::ptr::null(), std::ptr::null(), 0, 0) };
            set_errno(code);
            code
        }
        None => {
            eprintln!(
                "ws2: invalid parameter passed to {function}: {problem}. No invalid-parameter \
                 handler is installed, so the process ends, as Windows' default handler ends it."
            );
            std::process::abort();
        }
    }
}

/// The entry the header's inline functions (`sprintf_s`, `_snprintf_s`,
/// `_open`) use: returns `code` when the program's handler returned.
///
/// # Safety
/// `function` and `problem` are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ws2_crt_invalid_parameter(
    function: *const c_char,
    problem: *const c_char,
    code: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    let text = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    invalid_parameter(&text(function), &text(problem), code)
}

#[unsafe(no_mangle)]
pub extern "C" fn _set_invalid_parameter_handler(new: Handler) -> Handler {
    handler_of(HANDLER.swap(pointer_of(new), Ordering::AcqRel))
}

#[unsafe(no_mangle)]
pub extern "C" fn _get_invalid_parameter_handler() -> Handler {
    handler_of(HANDLER.load(Ordering::Acquire))
}

#[unsafe(no_mangle)]
pub extern "C" fn _set_thread_local_invalid_parameter_handler(new: Handler) -> Handler {
    handler_of(THREAD_HANDLER.with(|c| c.replace(pointer_of(new))))
}

#[unsafe(no_mangle)]
pub extern "C" fn _get_thread_local_invalid_parameter_handler() -> Handler {
    handler_of(THREAD_HANDLER.with(Cell::get))
}

// ---------------------------------------------------------------------------
// Secure string functions

/// The length of `s` if a NUL occurs within `max` bytes.
///
/// # Safety
/// `s` is readable up to its NUL or `max` bytes, whichever comes first.
unsafe fn len_within(s: *const c_char, max: usize) -> Option<usize> {
    // SAFETY: forwarded contract.
    let n = unsafe { libc::strnlen(s, max) };
    (n < max).then_some(n)
}

/// The shared body of the `*cpy_s`/`*cat_s` functions: `dst` (capacity
/// `n`) gets `src` (at most `count` bytes, or all of it for `None`)
/// appended at `start`.
///
/// # Safety
/// `dst` writable for `n` bytes; `src` NUL-terminated (or `count` long).
unsafe fn put(
    name: &str,
    dst: *mut c_char,
    n: usize,
    start: usize,
    src: *const c_char,
    count: Option<usize>,
) -> c_int {
    let truncate = count == Some(TRUNCATE);
    // SAFETY: forwarded contract: src readable up to its NUL or count bytes.
    let len = unsafe { libc::strnlen(src, count.filter(|_| !truncate).unwrap_or(usize::MAX)) };
    let room = n - start; // bytes left, terminator included (>= 1)
    let (copied, code) = if len < room {
        (len, 0)
    } else if truncate {
        (room - 1, STRUNCATE)
    } else {
        // SAFETY: dst holds n >= 1 bytes.
        unsafe { *dst = 0 };
        return invalid_parameter(name, "the destination buffer is too small", libc::ERANGE);
    };
    // SAFETY: start + copied < n bytes of dst are writable; src has copied bytes.
    unsafe {
        std::ptr::copy(src, dst.add(start), copied);
        *dst.add(start + copied) = 0;
    }
    code
}

/// # Safety
/// `dst` NULL or writable for `n` bytes; `src` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strcpy_s(dst: *mut c_char, n: usize, src: *const c_char) -> c_int {
    if dst.is_null() || n == 0 {
        return invalid_parameter(
            "strcpy_s",
            "the destination is NULL or has size 0",
            libc::EINVAL,
        );
    }
    if src.is_null() {
        // SAFETY: dst holds n >= 1 bytes.
        unsafe { *dst = 0 };
        return invalid_parameter("strcpy_s", "the source is NULL", libc::EINVAL);
    }
    // SAFETY: forwarded contract.
    unsafe { put("strcpy_s", dst, n, 0, src, None) }
}

/// `strncpy_s`: at most `count` bytes; `_TRUNCATE` copies what fits and
/// returns `STRUNCATE` when that is not all.
///
/// # Safety
/// `dst` NULL or writable for `n` bytes; `src` NULL, NUL-terminated or
/// `count` bytes long.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strncpy_s(
    dst: *mut c_char,
    n: usize,
    src: *const c_char,
    count: usize,
) -> c_int {
    if count == 0 && dst.is_null() && n == 0 {
        return 0;
    }
    if dst.is_null() || n == 0 {
        return invalid_parameter(
            "strncpy_s",
            "the destination is NULL or has size 0",
            libc::EINVAL,
        );
    }
    if count == 0 {
        // SAFETY: dst holds n >= 1 bytes.
        unsafe { *dst = 0 };
        return 0;
    }
    if src.is_null() {
        // SAFETY: as above.
        unsafe { *dst = 0 };
        return invalid_parameter("strncpy_s", "the source is NULL", libc::EINVAL);
    }
    // SAFETY: forwarded contract.
    unsafe { put("strncpy_s", dst, n, 0, src, Some(count)) }
}

/// # Safety
/// `dst` NULL or writable for `n` bytes and terminated within them; `src`
/// NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strcat_s(dst: *mut c_char, n: usize, src: *const c_char) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { cat("strcat_s", dst, n, src, None) }
}

/// # Safety
/// As [`strcat_s`]; `src` may also be `count` bytes long.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strncat_s(
    dst: *mut c_char,
    n: usize,
    src: *const c_char,
    count: usize,
) -> c_int {
    if count == 0 && dst.is_null() && n == 0 {
        return 0;
    }
    // SAFETY: forwarded contract.
    unsafe { cat("strncat_s", dst, n, src, Some(count)) }
}

/// # Safety
/// As [`strncat_s`].
unsafe fn cat(
    name: &str,
    dst: *mut c_char,
    n: usize,
    src: *const c_char,
    count: Option<usize>,
) -> c_int {
    if dst.is_null() || n == 0 {
        return invalid_parameter(name, "the destination is NULL or has size 0", libc::EINVAL);
    }
    if src.is_null() && count != Some(0) {
        // SAFETY: dst holds n >= 1 bytes.
        unsafe { *dst = 0 };
        return invalid_parameter(name, "the source is NULL", libc::EINVAL);
    }
    // SAFETY: dst is readable for n bytes.
    let Some(start) = (unsafe { len_within(dst, n) }) else {
        // SAFETY: as above.
        unsafe { *dst = 0 };
        return invalid_parameter(name, "the destination is not terminated", libc::EINVAL);
    };
    if count == Some(0) {
        return 0;
    }
    // SAFETY: forwarded contract; start < n.
    unsafe { put(name, dst, n, start, src, count) }
}

/// `strtok_s`: `strtok_r` with Microsoft's checks.
///
/// # Safety
/// As `strtok_r` (NULL arguments are checked).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strtok_s(
    s: *mut c_char,
    delim: *const c_char,
    context: *mut *mut c_char,
) -> *mut c_char {
    // SAFETY: context is read only when non-NULL.
    if delim.is_null() || context.is_null() || (s.is_null() && unsafe { (*context).is_null() }) {
        invalid_parameter("strtok_s", "a NULL argument", libc::EINVAL);
        return std::ptr::null_mut();
    }
    // SAFETY: forwarded contract.
    unsafe { libc::strtok_r(s, delim, context) }
}

/// `_stricmp`: the difference of the first differing bytes, lowered (the C
/// library's `strcasecmp`); `_NLSCMPERROR` for NULL.
///
/// # Safety
/// `a`, `b` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _stricmp(a: *const c_char, b: *const c_char) -> c_int {
    if a.is_null() || b.is_null() {
        invalid_parameter("_stricmp", "a NULL string", libc::EINVAL);
        return NLSCMPERROR;
    }
    // SAFETY: forwarded contract.
    unsafe { libc::strcasecmp(a, b) }
}

/// # Safety
/// `a`, `b` NULL or NUL-terminated (or `n` bytes long).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _strnicmp(a: *const c_char, b: *const c_char, n: usize) -> c_int {
    if a.is_null() || b.is_null() || n > i32::MAX as usize {
        invalid_parameter(
            "_strnicmp",
            "a NULL string or a count over INT_MAX",
            libc::EINVAL,
        );
        return NLSCMPERROR;
    }
    // SAFETY: forwarded contract.
    unsafe { libc::strncasecmp(a, b, n) }
}

/// `_strdup`: NULL for NULL (glibc's `strdup` would crash); the copy is
/// `malloc`'d, freed with `free`.
///
/// # Safety
/// `s` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _strdup(s: *const c_char) -> *mut c_char {
    if s.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: forwarded contract.
    unsafe { libc::strdup(s) }
}

/// `_strlwr`/`_strupr`: in place, ASCII letters (the C locale).
///
/// # Safety
/// `s` NULL or a writable NUL-terminated string.
unsafe fn map_case(name: &str, s: *mut c_char, upper: bool) -> *mut c_char {
    if s.is_null() {
        invalid_parameter(name, "a NULL string", libc::EINVAL);
        return s;
    }
    let mut p = s;
    // SAFETY: the string is writable up to its NUL.
    unsafe {
        while *p != 0 {
            let b = *p as u8;
            *p = if upper {
                b.to_ascii_uppercase()
            } else {
                b.to_ascii_lowercase()
            } as c_char;
            p = p.add(1);
        }
    }
    s
}

/// # Safety
/// `s` NULL or a writable NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _strlwr(s: *mut c_char) -> *mut c_char {
    // SAFETY: forwarded contract.
    unsafe { map_case("_strlwr", s, false) }
}

/// # Safety
/// `s` NULL or a writable NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _strupr(s: *mut c_char) -> *mut c_char {
    // SAFETY: forwarded contract.
    unsafe { map_case("_strupr", s, true) }
}
