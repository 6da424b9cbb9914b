//! `FormatMessage`'s text rules, for ANSI (`u8`) and UTF-16 (`u16`) text
//! alike, as kernel32's format_msg.c records them on Windows
//! (test_message_from_string(_wide), test_message_ignore_inserts,
//! test_message_wrap):
//! - escapes: `%n` is a hard line break ("\r\n"), `%r` a bare "\r", `%t` a
//!   tab, `%0` ends the message (no line break after it), `%%`, `%.`, `%!`
//!   and `% ` are the character; a lone `%` at the end is an error;
//! - literal line breaks (CRLF, LF or a lone CR) become "\r\n"; with a
//!   width in the flags' low byte they become one space instead, and with
//!   a width of 1 to 254 lines are wrapped at the last run of spaces before
//!   the width is reached (a word longer than the line is cut);
//! - inserts `%1`..`%99`, optionally with a printf-style `!format!` (default
//!   `!s!`), read an argument array (`FORMAT_MESSAGE_ARGUMENT_ARRAY`) or
//!   the caller's `va_list`; with `FORMAT_MESSAGE_IGNORE_INSERTS` they, and
//!   every `%` sequence but `%n %r %t %0`, are copied as they are.

use std::ffi::c_void;

use ws2_abi::*;

/// A character unit of the text being formatted.
pub(super) trait Unit: Copy + Default + PartialEq + Into<u32> {
    fn of_ascii(b: u8) -> Self;
    /// This text type's encoding of a string (UTF-8 for ANSI).
    fn encode(s: &str, out: &mut Vec<Self>);
    /// Whether `s`/`c` in a format mean this type's own strings (`s` is a
    /// `char *` for `FormatMessageA`, a `WCHAR *` for `FormatMessageW`).
    const WIDE: bool;
}

impl Unit for u8 {
    fn of_ascii(b: u8) -> u8 {
        b
    }
    fn encode(s: &str, out: &mut Vec<u8>) {
        out.extend_from_slice(s.as_bytes());
    }
    const WIDE: bool = false;
}

impl Unit for u16 {
    fn of_ascii(b: u8) -> u16 {
        u16::from(b)
    }
    fn encode(s: &str, out: &mut Vec<u16>) {
        out.extend(s.encode_utf16());
    }
    const WIDE: bool = true;
}

/// Where insert arguments come from.
pub(super) enum Args {
    /// No arguments (`Arguments` NULL): an insert is an error.
    None,
    /// `FORMAT_MESSAGE_ARGUMENT_ARRAY`: an array of `DWORD_PTR`s.
    Array(*const usize),
    /// The caller's `va_list`, read as its C callee would (integers and
    /// pointers only: FormatMessage takes no floating-point arguments).
    VaList(VaReader),
}

/// Reads the caller's `va_list` in place, so that what is consumed stays
/// consumed for the caller (format_msg.c test_message_arg_eaten), and
/// remembers what it read, since an insert number may come back.
pub(super) struct VaReader {
    list: *mut c_void,
    read: Vec<usize>,
}

impl VaReader {
    /// # Safety
    /// `list` points to a live `va_list` of the calling C function whose
    /// remaining arguments are integers or pointers.
    pub(super) unsafe fn new(list: *mut c_void) -> VaReader {
        VaReader {
            list,
            read: Vec::new(),
        }
    }

    /// Argument `n` (1-based), reading the list up to it.
    fn arg(&mut self, n: usize) -> Result<usize, DWORD> {
        while self.read.len() < n {
            // SAFETY: per `new`'s contract the list has this argument.
            let v = unsafe { va_next(self.list) }?;
            self.read.push(v);
        }
        Ok(self.read[n - 1])
    }
}

/// The next integer-class argument of a System V x86-64 `va_list`
/// (`{gp_offset, fp_offset, overflow_arg_area, reg_save_area}`; the psABI's
/// `va_arg` algorithm for INTEGER-class types).
///
/// # Safety
/// `list` points to a live `va_list` with another integer-class argument.
#[cfg(target_arch = "x86_64")]
unsafe fn va_next(list: *mut c_void) -> Result<usize, DWORD> {
    #[repr(C)]
    struct VaList {
        gp_offset: u32,
        fp_offset: u32,
        overflow_arg_area: *mut u8,
        reg_save_area: *mut u8,
    }
    // SAFETY: per the contract, list is a live x86-64 va_list.
    let va = unsafe { &mut *(list as *mut VaList) };
    // SAFETY: the psABI: the first 48 bytes of the register save area hold
    // the six general registers; later arguments are on the stack, 8 bytes each.
    unsafe {
        if va.gp_offset < 48 {
            let v = (va.reg_save_area.add(va.gp_offset as usize) as *const usize).read_unaligned();
            va.gp_offset += 8;
            Ok(v)
        } else {
            let v = (va.overflow_arg_area as *const usize).read_unaligned();
            va.overflow_arg_area = va.overflow_arg_area.add(8);
            Ok(v)
        }
    }
}

/// The same for AAPCS64 (`{stack, gr_top, vr_top, gr_offs, vr_offs}`).
///
/// # Safety
/// As the x86-64 version.
#[cfg(target_arch = "aarch64")]
unsafe fn va_next(list: *mut c_void) -> Result<usize, DWORD> {
    #[repr(C)]
    struct VaList {
        stack: *mut u8,
        gr_top: *mut u8,
        vr_top: *mut u8,
        gr_offs: i32,
        vr_offs: i32,
    }
    // SAFETY: per the contract, list is a live AAPCS64 va_list.
    let va = unsafe { &mut *(list as *mut VaList) };
    // SAFETY: AAPCS64: general registers are saved below gr_top (gr_offs is
    // negative while some remain); later arguments are on the stack.
    unsafe {
        if va.gr_offs < 0 {
            let v = (va.gr_top.offset(va.gr_offs as isize) as *const usize).read_unaligned();
            va.gr_offs += 8;
            Ok(v)
        } else {
            let v = (va.stack as *const usize).read_unaligned();
            va.stack = va.stack.add(8);
            Ok(v)
        }
    }
}

/// Other targets: inserts from a `va_list` are not provided there.
///
/// # Safety
/// None needed.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
unsafe fn va_next(_list: *mut c_void) -> Result<usize, DWORD> {
    Err(ERROR_CALL_NOT_IMPLEMENTED)
}

/// The output being built, with Windows' line wrapping.
struct Out<C> {
    done: Vec<C>,
    line: Vec<C>,
    /// Wrap width (1..=254), or 0 for none.
    width: usize,
}

impl<C: Unit> Out<C> {
    fn char(&mut self, c: C) {
        self.line.push(c);
        if self.width != 0 && self.line.len() == self.width {
            self.wrap();
        }
    }

    /// The line is full: break it at its last run of spaces (dropping the
    /// run), or cut it where it is when it has none.
    fn wrap(&mut self) {
        let space = C::of_ascii(b' ');
        let rest = match self.line.iter().rposition(|&c| c == space) {
            Some(last) => {
                let mut start = last;
                while start > 0 && self.line[start - 1] == space {
                    start -= 1;
                }
                self.done.extend_from_slice(&self.line[..start]);
                self.line[last + 1..].to_vec()
            }
            None => {
                self.done.extend_from_slice(&self.line);
                Vec::new()
            }
        };
        self.done.extend([C::of_ascii(b'\r'), C::of_ascii(b'\n')]);
        self.line = rest;
    }

    /// A break that starts a new line: "\r\n" (`%n`, a literal break) or
    /// "\r" (`%r`).
    fn hard_break(&mut self, crlf: bool) {
        self.done.append(&mut self.line);
        self.done.push(C::of_ascii(b'\r'));
        if crlf {
            self.done.push(C::of_ascii(b'\n'));
        }
    }

    fn text(&mut self, units: &[C]) {
        for &c in units {
            self.char(c);
        }
    }

    fn finish(mut self) -> Vec<C> {
        self.done.append(&mut self.line);
        self.done
    }
}

/// Formats `src` by the rules in the module comment. Errors are Win32 codes
/// (`ERROR_INVALID_PARAMETER` for a malformed `%` or a missing argument).
pub(super) fn render<C: Unit>(src: &[C], flags: DWORD, args: &mut Args) -> Result<Vec<C>, DWORD> {
    let low = (flags & FORMAT_MESSAGE_MAX_WIDTH_MASK) as usize;
    let mut out = Out {
        done: Vec::with_capacity(src.len()),
        line: Vec::new(),
        width: if low == 0xFF { 0 } else { low },
    };
    let ignore_inserts = flags & FORMAT_MESSAGE_IGNORE_INSERTS != 0;
    let mut slots = Slots::default();
    let ascii = |c: C| -> Option<u8> { u8::try_from(c.into()).ok().filter(u8::is_ascii) };
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        match ascii(c) {
            Some(b'\r') | Some(b'\n') => {
                // CRLF is one break; a lone CR or LF is one too.
                let crlf = ascii(c) == Some(b'\r')
                    && src.get(i + 1).copied().and_then(ascii) == Some(b'\n');
                i += if crlf { 2 } else { 1 };
                if low == 0 {
                    out.hard_break(true);
                } else {
                    out.char(C::of_ascii(b' '));
                }
            }
            Some(b'%') => {
                let next = src.get(i + 1).copied().and_then(ascii);
                match next {
                    Some(b'n') => out.hard_break(true),
                    Some(b'r') => out.hard_break(false),
                    Some(b't') => out.char(C::of_ascii(b'\t')),
                    Some(b'0') => return Ok(out.finish()),
                    _ if ignore_inserts => {
                        out.char(c);
                        i += 1;
                        continue;
                    }
                    None if i + 1 == src.len() => return Err(ERROR_INVALID_PARAMETER),
                    Some(d @ b'1'..=b'9') => {
                        i += 2;
                        let mut n = usize::from(d - b'0');
                        if let Some(d2 @ b'0'..=b'9') = src.get(i).copied().and_then(ascii) {
                            n = n * 10 + usize::from(d2 - b'0');
                            i += 1;
                        }
                        let mut spec = Vec::new();
                        if src.get(i).copied().and_then(ascii) == Some(b'!') {
                            let close = src[i + 1..]
                                .iter()
                                .position(|&u| ascii(u) == Some(b'!'))
                                .ok_or(ERROR_INVALID_PARAMETER)?;
                            spec = src[i + 1..i + 1 + close]
                                .iter()
                                .map(|&u| ascii(u).ok_or(ERROR_INVALID_PARAMETER))
                                .collect::<Result<_, _>>()?;
                            i += close + 2;
                        }
                        let text = insert::<C>(n, &spec, args, &mut slots)?;
                        out.text(&text);
                        continue;
                    }
                    // `%%`, `%.`, `%!`, `% ` and any other character: itself.
                    _ => out.char(src[i + 1]),
                }
                i += 2;
            }
            _ => {
                out.char(c);
                i += 1;
            }
        }
    }
    Ok(out.finish())
}

/// A printf-style conversion inside `!...!`.
#[derive(Default)]
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alt: bool,
    width: Option<usize>,
    precision: Option<usize>,
    star_width: bool,
    star_precision: bool,
    /// Bits of an integer argument (16, 32 or 64).
    bits: u32,
    /// `l`/`w` (wide) or `h` (narrow) on a string or character.
    wide: Option<bool>,
    conv: u8,
}

fn parse_spec(spec: &[u8]) -> Result<Spec, DWORD> {
    let mut s = Spec {
        bits: 32,
        ..Spec::default()
    };
    let mut i = 0;
    let at = |i: usize| spec.get(i).copied();
    while let Some(f) = at(i).filter(|b| b"-0+ #".contains(b)) {
        match f {
            b'-' => s.left = true,
            b'0' => s.zero = true,
            b'+' => s.plus = true,
            b' ' => s.space = true,
            _ => s.alt = true,
        }
        i += 1;
    }
    let number = |i: &mut usize| {
        let start = *i;
        while at(*i).is_some_and(|b| b.is_ascii_digit()) {
            *i += 1;
        }
        std::str::from_utf8(&spec[start..*i])
            .ok()?
            .parse::<usize>()
            .ok()
    };
    if at(i) == Some(b'*') {
        s.star_width = true;
        i += 1;
    } else {
        s.width = number(&mut i);
    }
    if at(i) == Some(b'.') {
        i += 1;
        if at(i) == Some(b'*') {
            s.star_precision = true;
            i += 1;
        } else {
            s.precision = Some(number(&mut i).unwrap_or(0));
        }
    }
    let rest = &spec[i..];
    let (bits, wide, conv): (u32, Option<bool>, &[u8]) = match rest {
        [b'I', b'6', b'4', c @ ..] | [b'l', b'l', c @ ..] => (64, None, c),
        [b'I', b'3', b'2', c @ ..] => (32, None, c),
        [b'I', c @ ..] => (usize::BITS, None, c),
        [b'l', c @ ..] | [b'w', c @ ..] => (32, Some(true), c),
        [b'h', c @ ..] => (16, Some(false), c),
        c => (32, None, c),
    };
    let [conv] = conv else {
        return Err(ERROR_INVALID_PARAMETER);
    };
    s.bits = bits;
    s.wide = wide;
    s.conv = *conv;
    Ok(s)
}

/// Which insert first took each argument slot, so that a repeated insert
/// number finds its own arguments again.
#[derive(Default)]
struct Slots {
    owner: Vec<Option<usize>>,
}

impl Slots {
    fn take(&mut self, slot: usize, insert: usize) -> usize {
        if self.owner.len() <= slot {
            self.owner.resize(slot + 1, None);
        }
        self.owner[slot].get_or_insert(insert);
        slot
    }

    /// The slot after every slot taken so far.
    fn fresh(&self) -> usize {
        self.owner
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |i| i + 1)
    }
}

/// The arguments of insert `n`: its first from slot `n - 1` (unless another
/// insert took that slot: then the next fresh one), the rest (after `*`
/// widths and precisions) from fresh slots. That is what Windows does for
/// arrays and `va_list`s alike (format_msg.c: with {6,4,2,5,3,1},
/// "%1!*.*u!,%1!*.*u!" gives "  0002, 00003" and "%1!*.*u!,%4!*.*u!" gives
/// "  0002,  001"; with a `va_list` of 5,3,1,6,4,2, "%1!*.*u!,%3!*.*u!"
/// gives "  001,  0002").
fn insert_args(
    n: usize,
    count: usize,
    args: &mut Args,
    slots: &mut Slots,
) -> Result<Vec<usize>, DWORD> {
    let mut values = Vec::with_capacity(count);
    for k in 0..count {
        let slot = match (k, slots.owner.get(n - 1).copied().flatten()) {
            (0, None) => n - 1,
            (0, Some(owner)) if owner == n => n - 1,
            _ => slots.fresh(),
        };
        slots.take(slot, n);
        let v = match args {
            Args::None => return Err(ERROR_INVALID_PARAMETER),
            Args::Array(array) if array.is_null() => return Err(ERROR_INVALID_PARAMETER),
            // SAFETY: the caller's array holds every argument its message
            // refers to (FormatMessage's contract).
            Args::Array(array) => unsafe { array.add(slot).read_unaligned() },
            Args::VaList(reader) => reader.arg(slot + 1)?,
        };
        values.push(v);
    }
    Ok(values)
}

/// The text of insert `n` with its format (`s` when none).
fn insert<C: Unit>(
    n: usize,
    spec: &[u8],
    args: &mut Args,
    slots: &mut Slots,
) -> Result<Vec<C>, DWORD> {
    let mut spec = parse_spec(if spec.is_empty() { b"s" } else { spec })?;
    let stars = usize::from(spec.star_width) + usize::from(spec.star_precision);
    let values = insert_args(n, stars + 1, args, slots)?;
    if spec.star_width {
        spec.width = Some(values[0] as u32 as usize);
    }
    if spec.star_precision {
        spec.precision = Some(values[usize::from(spec.star_width)] as u32 as usize);
    }
    let value = values[stars];
    let mut body: Vec<C> = Vec::new();
    let mut numeric_prefix = String::new();
    let own = |w: Option<bool>| w.unwrap_or(C::WIDE);
    match spec.conv {
        b's' | b'S' => {
            let wide = if spec.conv == b'S' {
                spec.wide.unwrap_or(!C::WIDE)
            } else {
                own(spec.wide)
            };
            // SAFETY: a string insert's argument is NULL or a NUL-terminated
            // string of the kind its format names.
            let text = unsafe { string_arg(value, wide) };
            let text: String = match spec.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            C::encode(&text, &mut body);
        }
        b'c' | b'C' => {
            let wide = if spec.conv == b'C' {
                spec.wide.unwrap_or(!C::WIDE)
            } else {
                own(spec.wide)
            };
            let code = if wide {
                value as u16 as u32
            } else {
                value as u8 as u32
            };
            let ch = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
            C::encode(ch.encode_utf8(&mut [0; 4]), &mut body);
        }
        b'd' | b'i' | b'u' | b'x' | b'X' | b'o' | b'p' => {
            let bits = if spec.conv == b'p' {
                usize::BITS
            } else {
                spec.bits
            };
            let raw = if bits == 64 {
                value as u64
            } else {
                value as u64 & ((1u64 << bits) - 1)
            };
            let signed = matches!(spec.conv, b'd' | b'i');
            let (neg, magnitude) = if signed {
                let v = (raw << (64 - bits)) as i64 >> (64 - bits);
                (v < 0, v.unsigned_abs())
            } else {
                (false, raw)
            };
            let mut digits = match spec.conv {
                b'x' => format!("{magnitude:x}"),
                b'X' | b'p' => format!("{magnitude:X}"),
                b'o' => format!("{magnitude:o}"),
                _ => magnitude.to_string(),
            };
            if spec.conv == b'p' {
                spec.precision = Some(usize::BITS as usize / 4);
            }
            if let Some(p) = spec.precision {
                if p == 0 && magnitude == 0 {
                    digits.clear();
                }
                while digits.len() < p {
                    digits.insert(0, '0');
                }
            }
            if neg {
                numeric_prefix.push('-');
            } else if signed && spec.plus {
                numeric_prefix.push('+');
            } else if signed && spec.space {
                numeric_prefix.push(' ');
            }
            if spec.alt && magnitude != 0 {
                match spec.conv {
                    b'x' => numeric_prefix.push_str("0x"),
                    b'X' => numeric_prefix.push_str("0X"),
                    b'o' if !digits.starts_with('0') => numeric_prefix.push('0'),
                    _ => {}
                }
            }
            // `0` pads between the sign and the digits, unless a precision is given.
            if spec.zero && !spec.left && spec.precision.is_none() {
                let total = numeric_prefix.len() + digits.len();
                if let Some(w) = spec.width.filter(|&w| w > total) {
                    digits.insert_str(0, &"0".repeat(w - total));
                }
            }
            C::encode(&(numeric_prefix + &digits), &mut body);
        }
        _ => return Err(ERROR_INVALID_PARAMETER),
    }
    if let Some(w) = spec.width.filter(|&w| w > body.len()) {
        let pad = vec![C::of_ascii(b' '); w - body.len()];
        if spec.left {
            body.extend(pad);
        } else {
            body.splice(0..0, pad);
        }
    }
    Ok(body)
}

/// A string argument as text: "(null)" for NULL (format_msg.c); ANSI
/// strings are read as UTF-8.
///
/// # Safety
/// `p` is 0 or a NUL-terminated string (`WCHAR` when `wide`).
unsafe fn string_arg(p: usize, wide: bool) -> String {
    if p == 0 {
        return "(null)".to_string();
    }
    if wide {
        // SAFETY: per the contract.
        String::from_utf16_lossy(&unsafe { crate::cstr::wide(p as *const u16) }.unwrap_or_default())
    } else {
        // SAFETY: per the contract.
        String::from_utf8_lossy(
            unsafe { crate::cstr::ansi(p as *const std::ffi::c_char) }.unwrap_or_default(),
        )
        .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str, flags: DWORD) -> Result<String, DWORD> {
        render(src.as_bytes(), flags, &mut Args::None).map(|v| String::from_utf8(v).unwrap())
    }

    fn fmt_args(src: &str, flags: DWORD, args: &[usize]) -> String {
        let out = render(src.as_bytes(), flags, &mut Args::Array(args.as_ptr())).unwrap();
        String::from_utf8(out).unwrap()
    }

    const S: DWORD = FORMAT_MESSAGE_FROM_STRING;

    #[test]
    fn escapes_and_line_breaks() {
        // P6: format_msg.c test_message_from_string.
        assert_eq!(fmt("test", S).unwrap(), "test");
        assert_eq!(fmt(" %%%% ", S).unwrap(), " %% ");
        assert_eq!(fmt(" %.%.  x", S).unwrap(), " ..  x");
        assert_eq!(fmt("test%0test", S).unwrap(), "test");
        assert_eq!(fmt("yah%!%0   ", S).unwrap(), "yah!");
        assert_eq!(fmt("% %   ", S).unwrap(), "    ");
        assert_eq!(fmt("%n%r%t", S).unwrap(), "\r\n\r\t");
        assert_eq!(fmt("hi\n", S).unwrap(), "hi\r\n");
        assert_eq!(fmt("hi\r\n", S).unwrap(), "hi\r\n");
        assert_eq!(fmt("\r", S).unwrap(), "\r\n");
        assert_eq!(fmt("\r\r\n", S).unwrap(), "\r\n\r\n");
        assert_eq!(fmt("%", S), Err(ERROR_INVALID_PARAMETER));
        assert_eq!(fmt("test%", S), Err(ERROR_INVALID_PARAMETER));
        assert_eq!(fmt("%1", S), Err(ERROR_INVALID_PARAMETER));
        let m = S | FORMAT_MESSAGE_MAX_WIDTH_MASK;
        assert_eq!(fmt("hi\n", m).unwrap(), "hi ");
        assert_eq!(fmt("hi\r\n", m).unwrap(), "hi ");
        assert_eq!(fmt("\r", m).unwrap(), " ");
        assert_eq!(fmt("\r\r\n", m).unwrap(), "  ");
        assert_eq!(fmt("first line%n1 2", m).unwrap(), "first line\r\n1 2");
    }

    #[test]
    fn ignore_inserts_copies_percent_sequences() {
        // P6: format_msg.c test_message_ignore_inserts.
        let i = S | FORMAT_MESSAGE_IGNORE_INSERTS;
        assert_eq!(fmt("test%1%2!*.*s!%99", i).unwrap(), "test%1%2!*.*s!%99");
        assert_eq!(fmt("%%% %.%!", i).unwrap(), "%%% %.%!");
        assert_eq!(fmt("%0test", i).unwrap(), "");
        assert_eq!(fmt("hi\r\n", i | 0xFF).unwrap(), "hi ");
    }

    #[test]
    fn inserts_from_an_array() {
        // P6: format_msg.c test_message_from_string(_wide).
        let (te, st) = (c"te".as_ptr() as usize, c"st".as_ptr() as usize);
        assert_eq!(fmt_args("%1%2", S, &[te, st]), "test");
        assert_eq!(fmt_args("%2%1", S, &[st, te]), "test");
        assert_eq!(fmt_args("%1!d!%2!d!%3!d!", S, &[1, 2, 3]), "123");
        assert_eq!(fmt_args("%1!4d!", S, &[1]), "   1");
        assert_eq!(fmt_args("%1!-4d!", S, &[1]), "1   ");
        assert_eq!(fmt_args("%1!4x!", S, &[11]), "   b");
        assert_eq!(fmt_args("%1!-4X!", S, &[11]), "B   ");
        assert_eq!(fmt_args("%1!4X!", S, &[0x1ab]), " 1AB");
        assert_eq!(fmt_args(" %.%.  %1!d!", S, &[0x1ab]), " ..  427");
        assert_eq!(fmt_args("%1", S, &[0]), "(null)");
        assert_eq!(fmt_args("%1!3s!", S, &[c"t".as_ptr() as usize]), "  t");
        assert_eq!(fmt_args("%1!4.2u!", S, &[3]), "  03");
        assert_eq!(
            fmt_args("%1!c!%2!c!", S, &[b't' as usize, b'e' as usize]),
            "te"
        );
        assert_eq!(fmt_args("%1!d!", S, &[(-5i32) as u32 as usize]), "-5");
        let args = [6, 4, 2, 5, 3, 1];
        assert_eq!(fmt_args("%1!*.*u!,%1!*.*u!", S, &args), "  0002, 00003");
        assert_eq!(fmt_args("%1!*.*u!,%4!*.*u!", S, &args), "  0002,  001");
    }

    #[test]
    fn lines_wrap_at_the_width() {
        // P6: format_msg.c test_message_wrap.
        let cases: &[(&str, DWORD, &str)] = &[
            ("short long line", 20, "short long line"),
            ("short long line", 11, "short long\r\nline"),
            ("short long long line", 20, "short long long\r\nline"),
            ("short long line", 10, "short\r\nlong line"),
            ("short long    line", 16, "short long\r\nline"),
            (
                "short long    wordlongerthanaline",
                16,
                "short long\r\nwordlongerthanal\r\nine",
            ),
            ("short long    line", 12, "short long\r\n  line"),
            (
                "short long    wordlongerthanaline",
                12,
                "short long\r\n\r\nwordlongerth\r\nanaline",
            ),
            ("   short line", 15, "   short line"),
            ("   shortlong line", 11, "\r\nshortlong\r\nline"),
            ("l1%n   shortlong line", 11, "l1\r\n\r\nshortlong\r\nline"),
            ("                ", 5, "\r\n\r\n\r\n "),
            ("l1               ", 5, "l1\r\n\r\n\r\n  "),
            ("shortlon", 8, "shortlon\r\n"),
            ("shortlongline", 8, "shortlon\r\ngline"),
            ("short long line", 7, "short\r\nlong\r\nline"),
            ("short\nlong line", 11, "short long\r\nline"),
            ("shortlon%n", 8, "shortlon\r\n\r\n"),
            ("short%nlong line", 10, "short\r\nlong line"),
            ("short%nlong line", 8, "short\r\nlong\r\nline"),
            ("short%rlong line", 10, "short\rlong line"),
            ("short%rlong line", 8, "short\rlong\r\nline"),
            ("short long\tline", 11, "short\r\nlong\tline"),
            ("short long-line", 11, "short\r\nlong-line"),
        ];
        for &(src, width, want) in cases {
            assert_eq!(fmt(src, S | width).unwrap(), want, "{src:?} at {width}");
        }
        let i = S | FORMAT_MESSAGE_IGNORE_INSERTS | 8;
        assert_eq!(
            fmt("short%nlong line%1", i).unwrap(),
            "short\r\nlong\r\nline%1"
        );
    }
}
