//! Code pages (stringapiset.h, winnls.h): `MultiByteToWideChar` and
//! `WideCharToMultiByte` between UTF-8 and Windows' 16-bit `WCHAR`s, and
//! `GetACP`/`GetOEMCP`. Programs call them around every W function
//! (`GetAddrInfoW`, `FormatMessageW`, `CreateEventW`) and to print what
//! those return.
//!
//! Linux text is UTF-8, so the code pages ws2 knows are UTF-8 ones:
//! `CP_UTF8`, and `CP_ACP`, `CP_OEMCP` and `CP_THREAD_ACP`, which name
//! UTF-8 here as they do on Windows set to "Use Unicode UTF-8 for worldwide
//! language support" (`GetACP` answers 65001). Any other code page is
//! `ERROR_INVALID_PARAMETER`, as Windows answers one it does not have.
//!
//! Windows' answers (kernel32 codepage.c, Microsoft's pages of both
//! functions; ReactOS's API tests for UTF-8): a length of -1 converts
//! through the NUL and counts it; a
//! destination size of 0 asks for the size needed; a destination too small
//! is 0 and `ERROR_INSUFFICIENT_BUFFER` with what fits written; any
//! negative source length is -1; a NULL source, a source length of 0, a
//! negative destination size, a NULL destination with a size, or the
//! source's address as the destination is `ERROR_INVALID_PARAMETER`
//! (checked after the code page, before the flags); for UTF-8 the
//! only flag is the one that makes bad input an error
//! (`MB_ERR_INVALID_CHARS`, `WC_ERR_INVALID_CHARS`: 0 and
//! `ERROR_NO_UNICODE_TRANSLATION`, the replaced text still written), any
//! other is `ERROR_INVALID_FLAGS`. Without the flag bad input becomes
//! U+FFFD: an unpaired surrogate one, an ill-formed UTF-8 sequence one per
//! maximal subpart as Unicode recommends (Windows gives the same for
//! truncated sequences, stray continuation bytes and 0xFE/0xFF, but two or
//! three for some overlong and surrogate encodings, ntdll rtlstr.c).
//! Success leaves the last error alone.

use std::ffi::c_char;

use ws2_abi::*;

use super::win32;

/// The code pages that are UTF-8 here.
const CP_ACP: UINT = 0;
const CP_OEMCP: UINT = 1;
const CP_THREAD_ACP: UINT = 3;
const CP_UTF8: UINT = 65001;
/// The flags UTF-8 takes.
const MB_ERR_INVALID_CHARS: DWORD = 0x8;
const WC_ERR_INVALID_CHARS: DWORD = 0x80;

/// U+FFFD, what bad input becomes.
const REPLACEMENT: char = '\u{FFFD}';

/// Whether `code_page` is one of the UTF-8 ones (else
/// `ERROR_INVALID_PARAMETER`).
fn utf8_code_page(code_page: UINT) -> Result<(), DWORD> {
    match code_page {
        CP_ACP | CP_OEMCP | CP_THREAD_ACP | CP_UTF8 => Ok(()),
        _ => Err(ERROR_INVALID_PARAMETER),
    }
}

/// UTF-8 bytes as UTF-16 units, each ill-formed sequence one U+FFFD
/// (Unicode's "maximal subpart" practice), and whether there was one.
pub(crate) fn utf8_to_utf16(bytes: &[u8]) -> (Vec<u16>, bool) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut bad = false;
    for chunk in bytes.utf8_chunks() {
        out.extend(chunk.valid().encode_utf16());
        if !chunk.invalid().is_empty() {
            bad = true;
            out.push(REPLACEMENT as u16);
        }
    }
    (out, bad)
}

/// UTF-16 units as UTF-8 bytes, each unpaired surrogate EF BF BD (U+FFFD),
/// and whether there was one.
pub(crate) fn utf16_to_utf8(units: &[u16]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(units.len());
    let mut bad = false;
    let mut buf = [0u8; 4];
    for c in char::decode_utf16(units.iter().copied()) {
        let c = c.unwrap_or_else(|_| {
            bad = true;
            REPLACEMENT
        });
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    (out, bad)
}

/// The source of a conversion, copied: `len` units from `src`, or
/// through its NUL (counted) for a negative length (Windows reads any as
/// -1). Read unit by unit without assuming alignment (a `WCHAR *` at an odd
/// address works on Windows: codepage.c `test_overlapped_buffers`). A NULL
/// source or a length of 0 is `ERROR_INVALID_PARAMETER`.
///
/// # Safety
/// `src` readable for `len` units, or NUL-terminated for a negative one.
unsafe fn source<T: Copy + Default + PartialEq>(src: *const T, len: i32) -> Result<Vec<T>, DWORD> {
    if src.is_null() || len == 0 {
        return Err(ERROR_INVALID_PARAMETER);
    }
    let mut units = Vec::with_capacity(len.max(0) as usize);
    for i in 0.. {
        if len > 0 && i == len as usize {
            break;
        }
        // SAFETY: readable for len units, or up to and including the NUL
        // for a negative len, per the contract; unaligned reads.
        let unit = unsafe { src.add(i).read_unaligned() };
        units.push(unit);
        if len < 0 && unit == T::default() {
            break;
        }
    }
    Ok(units)
}

/// The destination's checks: a negative size, a NULL destination with a
/// size, or the source's own address is `ERROR_INVALID_PARAMETER`.
fn check_destination(dst: *const u8, size: i32, src: *const u8) -> Result<(), DWORD> {
    if size < 0 || (dst.is_null() && size != 0) || (!dst.is_null() && dst == src) {
        return Err(ERROR_INVALID_PARAMETER);
    }
    Ok(())
}

/// Writes `converted` to `dst` of `size` units: the count (with size 0,
/// the count needed); too small is `ERROR_INSUFFICIENT_BUFFER` with the
/// whole characters that fit written (`starts_char` says which units begin
/// one). Then bad input with the strict flag (`bad && strict`) is
/// `ERROR_NO_UNICODE_TRANSLATION`, the replaced text written all the same.
/// Written as bytes: `dst` need not be aligned.
///
/// # Safety
/// `dst` writable for `size` units.
unsafe fn deliver<T: Copy>(
    converted: &[T],
    starts_char: impl Fn(T) -> bool,
    bad: bool,
    strict: bool,
    dst: *mut T,
    size: i32,
) -> Result<i32, DWORD> {
    let n = i32::try_from(converted.len()).map_err(|_| ERROR_INSUFFICIENT_BUFFER)?;
    if size != 0 {
        let mut fits = converted.len().min(size as usize);
        // Never part of a character: back off to where the next one starts.
        while fits < converted.len() && fits > 0 && !starts_char(converted[fits]) {
            fits -= 1;
        }
        // SAFETY: dst writable for size >= fits units per the contract;
        // `converted` is ws2's own memory, never the caller's; bytes, so
        // no alignment is assumed.
        unsafe {
            std::ptr::copy_nonoverlapping(
                converted.as_ptr().cast::<u8>(),
                dst.cast::<u8>(),
                fits * size_of::<T>(),
            )
        };
        if fits < converted.len() {
            return Err(ERROR_INSUFFICIENT_BUFFER);
        }
    }
    if bad && strict {
        return Err(ERROR_NO_UNICODE_TRANSLATION);
    }
    Ok(n)
}

/// Whether a UTF-16 unit begins a character (not a low surrogate).
fn starts_utf16_char(unit: u16) -> bool {
    !(0xdc00..0xe000).contains(&unit)
}

/// Whether a UTF-8 byte begins a character (not a continuation byte).
fn starts_utf8_char(byte: u8) -> bool {
    byte & 0xc0 != 0x80
}

/// `MultiByteToWideChar` for the UTF-8 code pages (module docs).
///
/// # Safety
/// `src` readable for `src_len` bytes (NUL-terminated for -1); `dst`
/// writable for `dst_len` WCHARs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn MultiByteToWideChar(
    code_page: UINT,
    flags: DWORD,
    src: *const c_char,
    src_len: i32,
    dst: *mut u16,
    dst_len: i32,
) -> i32 {
    win32(0, || {
        utf8_code_page(code_page)?;
        // SAFETY: forwarded contract.
        let bytes = unsafe { source(src.cast::<u8>(), src_len) }?;
        check_destination(dst.cast(), dst_len, src.cast())?;
        if flags & !MB_ERR_INVALID_CHARS != 0 {
            return Err(ERROR_INVALID_FLAGS);
        }
        let (units, bad) = utf8_to_utf16(&bytes);
        let strict = flags & MB_ERR_INVALID_CHARS != 0;
        // SAFETY: forwarded contract.
        unsafe { deliver(&units, starts_utf16_char, bad, strict, dst, dst_len) }
    })
}

/// `WideCharToMultiByte` for the UTF-8 code pages (module docs). UTF-8 has
/// no default character: `*lpUsedDefaultChar` is set FALSE (Windows 10
/// since 1709 takes both arguments with UTF-8, where earlier versions
/// refused them: codepage.c `test_other_invalid_parameters`).
///
/// # Safety
/// `src` readable for `src_len` WCHARs (NUL-terminated for -1); `dst`
/// writable for `dst_len` bytes; `used_default_char` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WideCharToMultiByte(
    code_page: UINT,
    flags: DWORD,
    src: *const u16,
    src_len: i32,
    dst: *mut c_char,
    dst_len: i32,
    _default_char: *const c_char,
    used_default_char: *mut BOOL,
) -> i32 {
    win32(0, || {
        utf8_code_page(code_page)?;
        // SAFETY: forwarded contract.
        let units = unsafe { source(src, src_len) }?;
        check_destination(dst.cast(), dst_len, src.cast())?;
        if flags & !WC_ERR_INVALID_CHARS != 0 {
            return Err(ERROR_INVALID_FLAGS);
        }
        if !used_default_char.is_null() {
            // SAFETY: writable per the contract.
            unsafe { used_default_char.write_unaligned(0) };
        }
        let (bytes, bad) = utf16_to_utf8(&units);
        let strict = flags & WC_ERR_INVALID_CHARS != 0;
        let dst = dst.cast::<u8>();
        // SAFETY: forwarded contract.
        unsafe { deliver(&bytes, starts_utf8_char, bad, strict, dst, dst_len) }
    })
}

/// The ANSI code page: UTF-8 (module docs).
#[unsafe(no_mangle)]
pub extern "C" fn GetACP() -> UINT {
    CP_UTF8
}

/// The OEM code page: UTF-8 (module docs).
#[unsafe(no_mangle)]
pub extern "C" fn GetOEMCP() -> UINT {
    CP_UTF8
}

#[cfg(test)]
mod tests {
    use super::*;

    // P6: well-formed text converts both ways.
    #[test]
    fn utf8_and_utf16_round_trip() {
        let text = "héllo, wörld: 日本 \u{1F600}";
        let (units, bad) = utf8_to_utf16(text.as_bytes());
        assert_eq!((units.clone(), bad), (text.encode_utf16().collect(), false));
        assert_eq!(utf16_to_utf8(&units), (text.as_bytes().to_vec(), false));
    }

    // P6: each ill-formed sequence is one U+FFFD (ntdll rtlstr.c's tables:
    // a truncated sequence, a lone continuation byte, 0xFF, one each).
    #[test]
    fn bad_input_becomes_replacement_characters() {
        let fffd = REPLACEMENT as u16;
        let bad = b"a\xe6\x97b\x80c\xff";
        let want = [b'a' as u16, fffd, b'b' as u16, fffd, b'c' as u16, fffd];
        assert_eq!(utf8_to_utf16(bad), (want.to_vec(), true));
        // An unpaired high surrogate, then a lone low one.
        let units = [0x61, 0xd800, 0x62, 0xdc00];
        let want = "a\u{FFFD}b\u{FFFD}".as_bytes().to_vec();
        assert_eq!(utf16_to_utf8(&units), (want, true));
    }
}
