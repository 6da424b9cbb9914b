//! `FormatMessageA`/`FormatMessageW`: system messages (`FROM_SYSTEM`, from
//! `ws2_abi::messages`, every Winsock, Win32 and common HRESULT code) and
//! caller strings (`FROM_STRING`), with the buffer rules kernel32's
//! format_msg.c records on Windows:
//! - the result's length is returned without the terminator, but `nSize`
//!   must hold it ("test" needs 5);
//! - a buffer too small is `ERROR_INSUFFICIENT_BUFFER` (122): the A
//!   function leaves it untouched, the W one writes what fits, terminated;
//! - `ALLOCATE_BUFFER` stores a `LocalAlloc`'d buffer (of at least `nSize`
//!   characters) in `*(LPTSTR *)lpBuffer`, freed with `LocalFree`; on
//!   failure it stores NULL there;
//! - an empty result is `ERROR_NO_WORK_DONE` (235); an unknown message id
//!   is `ERROR_MR_MID_NOT_FOUND` (317); a language ws2 has no text in is
//!   `ERROR_RESOURCE_LANG_NOT_FOUND` (1815): ws2's messages are English, so
//!   neutral, default and English language ids find them;
//! - the ANSI function's result is limited to 32,767 characters with the
//!   terminator (`ERROR_INVALID_PARAMETER` beyond);
//! - `FROM_HMODULE` finds no message table (none of ws2's modules has one):
//!   `ERROR_RESOURCE_TYPE_NOT_FOUND` (1813), unless `FROM_SYSTEM` is also
//!   given, which is then searched.
//!
//! ANSI text is UTF-8 where it meets UTF-16 (`%1!S!` in the A function).

use std::ffi::{c_char, c_void};

use ws2_abi::messages::system_message;
use ws2_abi::*;

use super::format_render::{Args, Unit, VaReader, render};
use super::heap::local_copy;
use super::win32;

/// The largest ANSI result, terminator included (format_msg.c
/// test_message_insufficient_buffer: 32,767 works, 32,768 does not).
const ANSI_LIMIT: usize = 32_767;

/// Whether ws2's (English) messages serve `lang`.
fn language_served(lang: DWORD) -> bool {
    if lang > 0xFFFF {
        return false;
    }
    let primary = primary_lang_id(lang as WORD);
    lang == 0 || primary == LANG_NEUTRAL || primary == LANG_ENGLISH || primary == LANG_INVARIANT
}

/// The source text to format, in the caller's character type.
///
/// # Safety
/// With `FROM_STRING`, `source` is a NUL-terminated string of `C`.
unsafe fn source_text<C: Unit>(
    flags: DWORD,
    source: *const c_void,
    id: DWORD,
    lang: DWORD,
) -> Result<Vec<C>, DWORD> {
    if flags & FORMAT_MESSAGE_FROM_STRING != 0 {
        if source.is_null() {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let p = source as *const C;
        let mut n = 0;
        // SAFETY: per the contract, the string is NUL-terminated.
        while unsafe { p.add(n).read() }.into() != 0 {
            n += 1;
        }
        // SAFETY: the n units before the NUL were just read.
        return Ok(unsafe { std::slice::from_raw_parts(p, n) }.to_vec());
    }
    if flags & FORMAT_MESSAGE_FROM_SYSTEM == 0 {
        // FROM_HMODULE alone: no module of ours carries a message table.
        return Err(ERROR_RESOURCE_TYPE_NOT_FOUND);
    }
    let text = system_message(id).ok_or(ERROR_MR_MID_NOT_FOUND)?;
    if !language_served(lang) {
        return Err(ERROR_RESOURCE_LANG_NOT_FOUND);
    }
    // System messages end with a line break, as Windows' do.
    let mut units = Vec::with_capacity(text.len() + 2);
    C::encode(text, &mut units);
    units.extend([C::of_ascii(b'\r'), C::of_ascii(b'\n')]);
    Ok(units)
}

/// Both functions.
///
/// # Safety
/// FormatMessage's contract: `source` as its flags say; `buffer` writable
/// for `size` units, or (with `ALLOCATE_BUFFER`) a writable `C *`;
/// `arguments` NULL, a `DWORD_PTR` array (`ARGUMENT_ARRAY`) or a live
/// `va_list *`, holding what the message's inserts need.
#[allow(clippy::too_many_arguments)]
unsafe fn format_message<C: Unit>(
    flags: DWORD,
    source: *const c_void,
    id: DWORD,
    lang: DWORD,
    buffer: *mut C,
    size: DWORD,
    arguments: *mut c_void,
) -> DWORD {
    let allocate = flags & FORMAT_MESSAGE_ALLOCATE_BUFFER != 0;
    let out_ptr = buffer as *mut *mut C;
    win32(0, || {
        let has_source = flags
            & (FORMAT_MESSAGE_FROM_STRING
                | FORMAT_MESSAGE_FROM_SYSTEM
                | FORMAT_MESSAGE_FROM_HMODULE)
            != 0;
        if allocate {
            if buffer.is_null() {
                // format_msg.c test_message_null_buffer(_wide).
                return Err(if C::WIDE {
                    ERROR_INVALID_PARAMETER
                } else {
                    ERROR_NOT_ENOUGH_MEMORY
                });
            }
            // SAFETY: with ALLOCATE_BUFFER, buffer is really a writable C **.
            unsafe { out_ptr.write_unaligned(std::ptr::null_mut()) };
        } else if buffer.is_null() && (C::WIDE || size > 1) {
            return Err(ERROR_INVALID_PARAMETER);
        }
        if !has_source {
            return Err(ERROR_INVALID_PARAMETER);
        }
        // SAFETY: forwarded contract.
        let src = unsafe { source_text::<C>(flags, source, id, lang)? };
        let mut args = if arguments.is_null() {
            Args::None
        } else if flags & FORMAT_MESSAGE_ARGUMENT_ARRAY != 0 {
            Args::Array(arguments as *const usize)
        } else {
            // SAFETY: forwarded contract: a live va_list *.
            Args::VaList(unsafe { VaReader::new(arguments) })
        };
        let text = render(&src, flags, &mut args)?;
        if !C::WIDE && text.len() + 1 > ANSI_LIMIT {
            return Err(ERROR_INVALID_PARAMETER);
        }
        if text.is_empty() {
            if C::WIDE && !allocate && size > 0 {
                // SAFETY: buffer holds size >= 1 units.
                unsafe { buffer.write(C::default()) };
            }
            return Err(ERROR_NO_WORK_DONE);
        }
        if allocate {
            let p = local_copy(&text, size as usize).ok_or(ERROR_NOT_ENOUGH_MEMORY)?;
            // SAFETY: as above.
            unsafe { out_ptr.write_unaligned(p) };
            return Ok(text.len() as DWORD);
        }
        let size = size as usize;
        if text.len() + 1 > size {
            if C::WIDE && size > 0 {
                // The W function writes what fits (format_msg.c
                // test_message_insufficient_buffer_wide: "tes\0" for 4).
                // SAFETY: buffer holds size units.
                unsafe {
                    std::ptr::copy_nonoverlapping(text.as_ptr(), buffer, size - 1);
                    buffer.add(size - 1).write(C::default());
                }
            }
            return Err(ERROR_INSUFFICIENT_BUFFER);
        }
        // SAFETY: buffer holds size >= text.len() + 1 units.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), buffer, text.len());
            buffer.add(text.len()).write(C::default());
        }
        Ok(text.len() as DWORD)
    })
}

/// # Safety
/// See [`format_message`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FormatMessageA(
    flags: DWORD,
    source: *const c_void,
    id: DWORD,
    lang: DWORD,
    buffer: *mut c_char,
    size: DWORD,
    arguments: *mut c_void,
) -> DWORD {
    // SAFETY: forwarded contract.
    unsafe { format_message::<u8>(flags, source, id, lang, buffer as *mut u8, size, arguments) }
}

/// # Safety
/// See [`format_message`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FormatMessageW(
    flags: DWORD,
    source: *const c_void,
    id: DWORD,
    lang: DWORD,
    buffer: *mut u16,
    size: DWORD,
    arguments: *mut c_void,
) -> DWORD {
    // SAFETY: forwarded contract.
    unsafe { format_message::<u16>(flags, source, id, lang, buffer, size, arguments) }
}
