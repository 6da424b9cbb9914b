//! C strings at the ABI: reading NUL-terminated ANSI (`char`) and UTF-16
//! (`WCHAR`) text from the caller, and writing results into the caller's
//! buffers with Windows' length rules.

use std::ffi::{CStr, c_char};

/// The bytes of a NUL-terminated string (without the NUL); `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub unsafe fn ansi<'a>(p: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: per the contract, a non-null p is a valid C string.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// The units of a NUL-terminated UTF-16 string (without the NUL), copied;
/// `None` for NULL. Read unit by unit: a `WCHAR *` may sit at an odd
/// address (it works on Windows), where a slice could not.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated UTF-16 string.
pub unsafe fn wide(p: *const u16) -> Option<Vec<u16>> {
    // SAFETY: forwarded contract.
    let n = unsafe { wide_len(p) }?;
    // SAFETY: the n units before the NUL are readable; unaligned reads.
    Some(
        (0..n)
            .map(|i| unsafe { p.add(i).read_unaligned() })
            .collect(),
    )
}

/// The length in units of a NUL-terminated UTF-16 string (without the
/// NUL), read without assuming alignment; `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated UTF-16 string.
pub unsafe fn wide_len(p: *const u16) -> Option<usize> {
    if p.is_null() {
        return None;
    }
    let mut n = 0;
    // SAFETY: the string is NUL-terminated, so every unit up to and
    // including the NUL is readable; unaligned reads.
    while unsafe { p.add(n).read_unaligned() } != 0 {
        n += 1;
    }
    Some(n)
}

/// UTF-16 text as UTF-8; `None` when it holds an unpaired surrogate.
pub fn utf8_of_wide(units: &[u16]) -> Option<String> {
    String::from_utf16(units).ok()
}

/// UTF-8 text as NUL-terminated UTF-16.
pub fn wide_of(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// A character type C strings are made of.
pub trait Char: Copy + Default {
    /// The NUL-terminated string of this type for `text`.
    fn encode(text: &str) -> Vec<Self>;
}

impl Char for c_char {
    fn encode(text: &str) -> Vec<c_char> {
        text.bytes()
            .map(|b| b as c_char)
            .chain(std::iter::once(0))
            .collect()
    }
}

impl Char for u16 {
    fn encode(text: &str) -> Vec<u16> {
        wide_of(text)
    }
}

/// Copies a NUL-terminated `text` into `dst` when it fits in `cap` units
/// (NUL included). Returns whether it did; nothing is written otherwise.
/// Written as bytes: a `WCHAR` buffer may sit at an odd address.
///
/// # Safety
/// `dst` is writable for `cap` units of `C`.
pub unsafe fn copy_out<C: Copy>(text: &[C], dst: *mut C, cap: usize) -> bool {
    if text.len() > cap {
        return false;
    }
    // SAFETY: text.len() <= cap units are writable per the contract; the
    // source is our own buffer, so they cannot overlap; bytes, so no
    // alignment is assumed.
    unsafe {
        std::ptr::copy_nonoverlapping(
            text.as_ptr().cast::<u8>(),
            dst.cast::<u8>(),
            std::mem::size_of_val(text),
        )
    };
    true
}
