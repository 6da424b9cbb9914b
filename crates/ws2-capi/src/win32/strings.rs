//! `lstrlen`, `lstrcpy`, `lstrcpyn`, `lstrcat`, `lstrcmp`, `lstrcmpi` (A
//! and W). Windows' rules (Microsoft's pages; kernel32 locale.c
//! test_CompareStringA for the comparisons):
//! - a NULL string is caught: `lstrlen(NULL)` is 0, the copy functions
//!   return NULL; NULL sorts before every string (`lstrcmpA(NULL, "")` is
//!   -1). Windows also survives a wild pointer by catching the fault; ws2
//!   does not (it cannot catch a SIGSEGV cheaply), so only NULL is safe;
//! - `lstrcpyn`'s count includes the terminator: at most n-1 characters
//!   are copied and the result is always terminated when n >= 1;
//! - `lstrcmp`/`lstrcmpi` are not `strcmp`: they return -1, 0 or 1 in the
//!   "word sort" order of `CompareString`, where hyphen and apostrophe
//!   count only when the strings are otherwise equal, punctuation sorts
//!   before digits and digits before letters, letters compare by letter
//!   first and lowercase before uppercase after that. ws2 implements that
//!   order for ASCII; other characters sort after ASCII letters by code
//!   value (Windows uses its locale's tables), and punctuation sorts among
//!   itself by code value.

use std::ffi::c_char;

use crate::cstr;

/// The units of a NUL-terminated string of `C`, or `None` for NULL.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn units<'a, C: Copy + Into<u32>>(p: *const C) -> Option<&'a [C]> {
    if p.is_null() {
        return None;
    }
    let mut n = 0;
    // SAFETY: the string is NUL-terminated: every unit up to the NUL is readable.
    while unsafe { p.add(n).read() }.into() != 0 {
        n += 1;
    }
    // SAFETY: the n units before the NUL were just read.
    Some(unsafe { std::slice::from_raw_parts(p, n) })
}

/// Word-sort ignores these (unless nothing else differs).
fn ignored(c: u32) -> bool {
    c == u32::from(b'-') || c == u32::from(b'\'')
}

/// The primary weight: class (punctuation, digit, letter, other), then
/// the letter without case or the code.
fn primary(c: u32) -> (u8, u32) {
    match c {
        0x30..=0x39 => (1, c),
        0x41..=0x5A => (2, c + 0x20),
        0x61..=0x7A => (2, c),
        0..=0x7F => (0, c),
        _ => (3, c),
    }
}

fn is_upper(c: u32) -> bool {
    (0x41..=0x5A).contains(&c)
}

/// `CompareString`-style word sort of two strings (see the module comment).
fn word_compare(a: &[u32], b: &[u32], ignore_case: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let sig = |s: &[u32]| {
        s.iter()
            .copied()
            .filter(|&c| !ignored(c))
            .collect::<Vec<_>>()
    };
    let (sa, sb) = (sig(a), sig(b));
    let by_letter = sa
        .iter()
        .map(|&c| primary(c))
        .cmp(sb.iter().map(|&c| primary(c)));
    if by_letter != Ordering::Equal {
        return by_letter;
    }
    if !ignore_case {
        // Same letters: the first difference in case decides, lowercase first.
        if let Some((x, y)) = sa.iter().zip(&sb).find(|(x, y)| x != y) {
            return is_upper(*x).cmp(&is_upper(*y));
        }
    }
    // Only hyphens and apostrophes differ: a string without one (or with
    // one later) comes first, then by the character.
    let marks = |s: &[u32]| {
        s.iter()
            .enumerate()
            .filter(|(_, c)| ignored(**c))
            .map(|(i, c)| (i, *c))
            .collect::<Vec<_>>()
    };
    let (ma, mb) = (marks(a), marks(b));
    for (x, y) in ma.iter().zip(&mb) {
        if x.0 != y.0 {
            return y.0.cmp(&x.0);
        }
        if x.1 != y.1 {
            return x.1.cmp(&y.1);
        }
    }
    ma.len().cmp(&mb.len())
}

/// `lstrcmp`/`lstrcmpi`: -1, 0 or 1; NULL sorts first.
///
/// # Safety
/// `a` and `b` are NULL or NUL-terminated.
unsafe fn compare<C: Copy + Into<u32>>(a: *const C, b: *const C, ignore_case: bool) -> i32 {
    // SAFETY: forwarded contract.
    let (a, b) = unsafe { (units(a), units(b)) };
    let widen = |s: &[C]| s.iter().map(|&c| c.into()).collect::<Vec<u32>>();
    let order = match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(a), Some(b)) => word_compare(&widen(a), &widen(b), ignore_case),
    };
    order as i32
}

/// `lstrcpy`: `dst`, or NULL when either is NULL.
///
/// # Safety
/// `src` NULL or NUL-terminated; `dst` NULL or large enough (as `strcpy`).
unsafe fn copy<C: Copy + Into<u32>>(dst: *mut C, src: *const C) -> *mut C {
    if dst.is_null() {
        return dst;
    }
    // SAFETY: forwarded contract.
    let Some(s) = (unsafe { units(src) }) else {
        return std::ptr::null_mut();
    };
    // SAFETY: dst holds s.len() + 1 units per the contract; copy with the NUL.
    unsafe { std::ptr::copy(src, dst, s.len() + 1) };
    dst
}

/// `lstrcpyn`: at most `n - 1` units, always terminated when `n` is not 0
/// (a negative `n` writes just the terminator, as Windows' loop does).
///
/// # Safety
/// `src` NULL or NUL-terminated (or at least `n - 1` units); `dst` NULL or
/// writable for `n` units.
unsafe fn copy_n<C: Copy + Into<u32> + Default>(dst: *mut C, src: *const C, n: i32) -> *mut C {
    if dst.is_null() || src.is_null() {
        return std::ptr::null_mut();
    }
    let mut i = 0usize;
    let mut left = n;
    while left > 1 {
        // SAFETY: i < n - 1 units of src are readable until its NUL.
        let c = unsafe { src.add(i).read() };
        if c.into() == 0 {
            break;
        }
        // SAFETY: dst is writable for n units and i < n - 1.
        unsafe { dst.add(i).write(c) };
        i += 1;
        left -= 1;
    }
    if left != 0 {
        // SAFETY: i < n (or i == 0 for a negative n, where Windows writes too).
        unsafe { dst.add(i).write(C::default()) };
    }
    dst
}

/// `lstrcat`: `dst`, or NULL when either is NULL.
///
/// # Safety
/// As `strcat`.
unsafe fn cat<C: Copy + Into<u32>>(dst: *mut C, src: *const C) -> *mut C {
    // SAFETY: forwarded contract.
    let Some(d) = (unsafe { units(dst as *const C) }) else {
        return std::ptr::null_mut();
    };
    // SAFETY: dst + len(dst) is where the copy goes.
    if unsafe { copy(dst.add(d.len()), src) }.is_null() {
        return std::ptr::null_mut();
    }
    dst
}

// ---------------------------------------------------------------------------
// Exports

/// # Safety
/// `s` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrlenA(s: *const c_char) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { cstr::ansi(s) }.map_or(0, |b| b.len() as i32)
}

/// # Safety
/// `s` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrlenW(s: *const u16) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { cstr::wide_len(s) }.map_or(0, |n| n as i32)
}

/// # Safety
/// As `strcpy` (NULL allowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcpyA(dst: *mut c_char, src: *const c_char) -> *mut c_char {
    // SAFETY: forwarded contract.
    unsafe { copy(dst as *mut u8, src as *const u8) as *mut c_char }
}

/// # Safety
/// As `wcscpy` on 16-bit units (NULL allowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcpyW(dst: *mut u16, src: *const u16) -> *mut u16 {
    // SAFETY: forwarded contract.
    unsafe { copy(dst, src) }
}

/// # Safety
/// `dst` writable for `n` units; `src` NUL-terminated or `n - 1` long.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcpynA(dst: *mut c_char, src: *const c_char, n: i32) -> *mut c_char {
    // SAFETY: forwarded contract.
    unsafe { copy_n(dst as *mut u8, src as *const u8, n) as *mut c_char }
}

/// # Safety
/// As [`lstrcpynA`] in 16-bit units.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcpynW(dst: *mut u16, src: *const u16, n: i32) -> *mut u16 {
    // SAFETY: forwarded contract.
    unsafe { copy_n(dst, src, n) }
}

/// # Safety
/// As `strcat` (NULL allowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcatA(dst: *mut c_char, src: *const c_char) -> *mut c_char {
    // SAFETY: forwarded contract.
    unsafe { cat(dst as *mut u8, src as *const u8) as *mut c_char }
}

/// # Safety
/// As `wcscat` on 16-bit units (NULL allowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcatW(dst: *mut u16, src: *const u16) -> *mut u16 {
    // SAFETY: forwarded contract.
    unsafe { cat(dst, src) }
}

/// # Safety
/// `a`, `b` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcmpA(a: *const c_char, b: *const c_char) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { compare(a as *const u8, b as *const u8, false) }
}

/// # Safety
/// `a`, `b` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcmpiA(a: *const c_char, b: *const c_char) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { compare(a as *const u8, b as *const u8, true) }
}

/// # Safety
/// `a`, `b` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcmpW(a: *const u16, b: *const u16) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { compare(a, b, false) }
}

/// # Safety
/// `a`, `b` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcmpiW(a: *const u16, b: *const u16) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { compare(a, b, true) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    fn cmp(a: &str, b: &str, ignore_case: bool) -> std::cmp::Ordering {
        let w = |s: &str| s.bytes().map(u32::from).collect::<Vec<_>>();
        word_compare(&w(a), &w(b), ignore_case)
    }

    #[test]
    fn word_sort_as_locale_c_records() {
        // P6: locale.c test_CompareStringA.
        assert_eq!(cmp("#", ".", true), Less);
        assert_eq!(cmp("'o", "-o", false), Less);
        assert_eq!(cmp("`o", "/m", false), Greater);
        assert_eq!(cmp("`o", "-m", false), Less);
        assert_eq!(cmp("Salut", "SaLuT", true), Equal);
        assert_eq!(cmp("Salut", "Salute", true), Less);
        assert_eq!(cmp("a", "B", false), Less, "letters before case");
        assert_eq!(cmp("a", "A", false), Less, "lowercase first");
        assert_eq!(cmp("coop", "co-op", false), Less);
        assert_eq!(cmp("!", "1", false), Less);
        assert_eq!(cmp("9", "a", false), Less);
    }
}
