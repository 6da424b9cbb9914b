//! Address strings in Windows' rules (SPEC P3): `inet_addr`'s forms,
//! `inet_pton`/`InetPton` (strict, with Windows' partial writes),
//! `WSAStringToAddress` (`RtlIpv4StringToAddressEx`/`RtlIpv6StringToAddressEx`
//! grammar: hex/octal parts, `:port`, `[addr]:port`, `%scope`), and the text
//! `inet_ntop`, `inet_ntoa` and `WSAAddressToString` produce. Pure functions
//! over ANSI (`u8`) or UTF-16 (`u16`) text; no I/O, no allocation except
//! the `String`s the formatters return.
//!
//! Where Windows writes part of an address before it rejects the text, the
//! parsers report exactly which bytes were written, so the C layer can
//! leave the rest of the caller's buffer alone (Wine's Windows-run
//! `test_inet_pton` and `test_WSAStringToAddress` record those bytes).

use core::fmt::Write as _;

use crate::consts::{AF_INET, AF_INET6, WSAEINVAL};
use crate::types::{IN_ADDR, SOCKADDR_IN, SOCKADDR_IN6};

/// A code unit of ANSI (`u8`) or UTF-16 (`u16`) text.
pub trait Unit: Copy {
    /// The unit as a number (code units past the ASCII range never match).
    fn code(self) -> u32;
}

impl Unit for u8 {
    fn code(self) -> u32 {
        u32::from(self)
    }
}

impl Unit for u16 {
    fn code(self) -> u32 {
        u32::from(self)
    }
}

/// The unit at `i`, or 0 past the end (the strings are NUL-terminated in C).
fn at<C: Unit>(s: &[C], i: usize) -> u32 {
    s.get(i).map_or(0, |c| c.code())
}

fn is(c: u32, ch: char) -> bool {
    c == ch as u32
}

fn digit_value(c: u32) -> Option<u32> {
    char::from_u32(c).and_then(|ch| ch.to_digit(16))
}

fn is_dec(c: u32) -> bool {
    (u32::from(b'0')..=u32::from(b'9')).contains(&c)
}

fn is_hex(c: u32) -> bool {
    digit_value(c).is_some()
}

/// C's `isspace` in the C locale.
fn is_c_space(c: u32) -> bool {
    matches!(c, 0x20 | 0x09..=0x0d)
}

// ---------------------------------------------------------------------------
// inet_addr

/// `inet_addr`: the 1 to 4 part forms (`a.b.c.d`, `a.b.c` with a 16-bit
/// last part, `a.b` with a 24-bit one, `a` with 32 bits), each part decimal,
/// octal (leading 0) or hex (0x); a whitespace character after a complete
/// address ends it. Returns the four bytes in network order, or `None`
/// (`INADDR_NONE`). One quirk is Windows' own (Wine's `test_inet_addr`):
/// the one-space string `" "` is 0.0.0.0.
pub fn inet_addr<C: Unit>(s: &[C]) -> Option<[u8; 4]> {
    if s.len() == 1 && is(at(s, 0), ' ') {
        return Some([0; 4]);
    }
    let mut parts = [0u32; 4];
    let mut n = 0;
    let mut i = 0;
    loop {
        if !is_dec(at(s, i)) {
            return None;
        }
        let (mut base, mut any) = (10u64, false);
        if is(at(s, i), '0') {
            i += 1;
            if is(at(s, i), 'x') || is(at(s, i), 'X') {
                base = 16;
                i += 1;
            } else {
                base = 8;
                any = true;
            }
        }
        let mut value: u64 = 0;
        while let Some(d) = digit_value(at(s, i)) {
            let d = u64::from(d);
            if base != 16 && d >= 10 {
                break;
            }
            if base == 8 && d >= 8 {
                return None;
            }
            value = value * base + d;
            if value > u64::from(u32::MAX) {
                return None;
            }
            any = true;
            i += 1;
        }
        if !any {
            return None;
        }
        let c = at(s, i);
        if is(c, '.') {
            if n == 3 || value > 0xff {
                return None;
            }
            parts[n] = value as u32;
            n += 1;
            i += 1;
            continue;
        }
        if c != 0 && !is_c_space(c) {
            return None;
        }
        let last = value as u32;
        let (head, max) = match n {
            0 => (0, u32::MAX),
            1 => (parts[0] << 24, 0x00ff_ffff),
            2 => ((parts[0] << 24) | (parts[1] << 16), 0xffff),
            _ => ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8), 0xff),
        };
        if last > max {
            return None;
        }
        return Some((head | last).to_be_bytes());
    }
}

/// `inet_ntoa`'s text: "a.b.c.d".
pub fn inet_ntoa(addr: IN_ADDR) -> String {
    let mut out = String::with_capacity(16);
    format_ipv4(addr.s_addr.to_ne_bytes(), 0, &mut out);
    out
}

// ---------------------------------------------------------------------------
// IPv4 text (RtlIpv4StringToAddress[Ex])

/// One IPv4 part. Non-strict: decimal, octal after a leading 0, hex after
/// 0x; strict: decimal without leading zeros. A lone '.' is consumed and
/// fails (where it ends matters for the terminator). The value wraps at 32
/// bits; a wrap below the previous value fails, as Windows checks it.
fn v4_part<C: Unit>(s: &[C], i: &mut usize, strict: bool) -> Option<u32> {
    if is(at(s, *i), '.') {
        *i += 1;
        return None;
    }
    let mut base = 10;
    if is(at(s, *i), '0') {
        let next = at(s, *i + 1);
        if is(next, 'x') || is(next, 'X') {
            *i += 2;
            if strict {
                return None;
            }
            base = 16;
        } else if is_dec(next) {
            *i += 1;
            if strict {
                return None;
            }
            base = 8;
        }
    }
    let mut value: u32 = 0;
    let mut any = false;
    while let Some(d) = digit_value(at(s, *i)).filter(|&d| d < base) {
        let next = value.wrapping_mul(base).wrapping_add(d);
        if next < value {
            return None;
        }
        value = next;
        any = true;
        *i += 1;
    }
    any.then_some(value)
}

/// What parsing IPv4 text found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Text {
    /// Whether the text is an address (and, in `with_port` mode, nothing
    /// follows it but an optional valid `:port`).
    pub ok: bool,
    /// The address bytes, when they were stored (Windows stores them as
    /// soon as the parts are in range, even if what follows is wrong).
    pub addr: Option<[u8; 4]>,
    /// The port (host order) when `:port` was parsed; 0 otherwise.
    pub port: u16,
    /// Index of the first unit not taken (the terminator).
    pub end: usize,
}

/// Parses IPv4 text. `strict`: exactly four decimal parts (`inet_pton`).
/// `stop_at_end`: success only when nothing follows (the `Ex` form, with a
/// port); otherwise the caller checks `end` (the terminator form).
pub fn parse_ipv4<C: Unit>(s: &[C], strict: bool, stop_at_end: bool) -> Ipv4Text {
    let mut r = Ipv4Text {
        ok: false,
        addr: None,
        port: 0,
        end: 0,
    };
    let mut i = 0;
    let mut parts = [0u32; 4];
    let mut n = 0;
    loop {
        match v4_part(s, &mut i, strict) {
            Some(v) => parts[n] = v,
            None => {
                r.end = i;
                return r;
            }
        }
        n += 1;
        if !is(at(s, i), '.') {
            break;
        }
        if n == 4 {
            r.end = i;
            return r;
        }
        i += 1;
    }
    let [a, b, c, d] = parts;
    let in_range = match n {
        4 => a <= 0xff && b <= 0xff && c <= 0xff && d <= 0xff,
        3 => a <= 0xff && b <= 0xff && c <= 0xffff,
        2 => a <= 0xff && b <= 0xff_ffff,
        _ => true,
    };
    if (strict && n < 4) || !in_range {
        r.end = i;
        return r;
    }
    let value = match n {
        4 => (a << 24) | (b << 16) | (c << 8) | d,
        3 => (a << 24) | (b << 16) | c,
        2 => (a << 24) | b,
        _ => a,
    };
    r.addr = Some(value.to_be_bytes());
    r.end = i;
    if is(at(s, i), ':') {
        i += 1;
        match v4_part(s, &mut i, false) {
            Some(p) if p != 0 && p <= 0xffff && at(s, i) == 0 => {
                if stop_at_end {
                    r.port = p as u16;
                    r.end = i;
                }
            }
            _ => {
                r.end = i;
                return r;
            }
        }
    }
    r.ok = !stop_at_end || at(s, i) == 0;
    r
}

// ---------------------------------------------------------------------------
// IPv6 text (RtlIpv6StringToAddress[Ex])

/// One IPv6 group or embedded IPv4 part, read the way `wcstoul` reads it:
/// it must start with a hex digit; base 16 takes a `0x` prefix; the value
/// saturates at 32 bits and is then capped at 0x7fffffff. Returns the value
/// and the index after it.
fn v6_part<C: Unit>(s: &[C], i: usize, base: u32) -> Option<(u32, usize)> {
    if !is_hex(at(s, i)) {
        return None;
    }
    let mut j = i;
    if base == 16
        && is(at(s, j), '0')
        && (is(at(s, j + 1), 'x') || is(at(s, j + 1), 'X'))
        && is_hex(at(s, j + 2))
    {
        j += 2;
    }
    let start = j;
    let mut value: u64 = 0;
    while let Some(d) = digit_value(at(s, j)).filter(|&d| d < base) {
        value = (value * u64::from(base) + u64::from(d)).min(u64::from(u32::MAX));
        j += 1;
    }
    if j == start {
        return None;
    }
    Some((value.min(0x7fff_ffff) as u32, j))
}

/// What parsing IPv6 text found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Text {
    /// Whether the text is an address (see [`parse_ipv6`]).
    pub ok: bool,
    /// Bytes of the address as far as Windows wrote them.
    pub addr: [u8; 16],
    /// Bit `k` set: byte `k` of `addr` was written.
    pub written: u16,
    /// `%scope` (Ex form), else 0.
    pub scope: u32,
    /// `]:port` (Ex form, host order), else 0.
    pub port: u16,
    /// Index of the first unit not taken (the terminator form).
    pub end: usize,
}

impl Ipv6Text {
    fn put(&mut self, k: usize, v: u8) {
        self.addr[k] = v;
        self.written |= 1 << k;
    }

    fn put_word(&mut self, byte: usize, v: u32) {
        let [hi, lo] = (v as u16).to_be_bytes();
        self.put(byte, hi);
        self.put(byte + 1, lo);
    }

    fn fail(mut self, end: usize) -> Ipv6Text {
        self.ok = false;
        self.end = end;
        self
    }

    /// Moves the groups after a `::` to the end and zeroes the gap.
    fn close_gap(&mut self, gap: usize, n: usize) {
        let tail = n - gap;
        for j in (0..tail).rev() {
            let v = self.addr[gap + j];
            self.put(16 - tail + j, v);
        }
        for k in gap..16 - tail {
            self.put(k, 0);
        }
    }
}

/// Parses IPv6 text with Windows' grammar. `ex` (`WSAStringToAddress`,
/// `RtlIpv6StringToAddressEx`): `[addr]`, `[addr]:port`, `%scope`, and
/// success only when nothing follows. Otherwise (`inet_pton`, the
/// terminator form) no brackets, and the caller checks `end`.
///
/// Windows' own rules kept here: a leading `::` stores a zero first group
/// before anything else is read; a last group written `0x...` is read as hex of any length
/// (the address is stored, the text still rejected); an embedded IPv4 tail
/// takes 1–3 decimal digits per part; bytes are stored as they are parsed.
pub fn parse_ipv6<C: Unit>(s: &[C], ex: bool) -> Ipv6Text {
    let mut r = Ipv6Text {
        ok: false,
        addr: [0; 16],
        written: 0,
        scope: 0,
        port: 0,
        end: 0,
    };
    let mut i = 0;
    let mut bracket = false;
    if is(at(s, i), '[') {
        if !ex {
            return r.fail(i);
        }
        bracket = true;
        i += 1;
    }
    let mut n = 0; // bytes stored so far
    let mut gap: Option<usize> = None;
    let mut v4 = 0; // index (1-4) of the IPv4 part being read, 0 before the tail
    let mut too_big = false;
    let mut hex_tail = false;
    'parse: {
        if is(at(s, i), ':') {
            if !is(at(s, i + 1), ':') {
                return r.fail(i);
            }
            // A leading "::": Windows stores a zero first group at once
            // (the groups that follow overwrite it), and since Windows 11
            // the gap may stand for a single group ("::0:a:b:c:d:e:f").
            i += 2;
            r.put_word(0, 0);
            gap = Some(0);
            if v6_part(s, i, 16).is_none() {
                r.end = i;
                break 'parse;
            }
        }
        loop {
            let prev;
            if v4 == 0 && is(at(s, i), ':') {
                if gap.is_some() {
                    return r.fail(i);
                }
                i += 1;
                prev = i;
                gap = Some(n);
                if n == 14 || v6_part(s, i, 16).is_none() {
                    break;
                }
            } else {
                prev = i;
            }
            let room = if gap.is_some() { 10 } else { 12 };
            if v4 == 0
                && n <= room
                && matches!(v6_part(s, i, 10), Some((_, j)) if is(at(s, j), '.'))
            {
                v4 = 1;
            }
            if v4 > 0 {
                let Some((v, j)) = v6_part(s, i, 10) else {
                    return r.fail(i);
                };
                i = j;
                if i - prev > 3 || v > 255 {
                    too_big = true;
                } else {
                    if !is(at(s, i), '.') && (v4 < 4 || (n < 15 && gap.is_none())) {
                        return r.fail(i);
                    }
                    r.put(n, v as u8);
                    n += 1;
                }
                if v4 == 4 || !is(at(s, i), '.') {
                    break;
                }
                v4 += 1;
            } else {
                let Some((v, j)) = v6_part(s, i, 16) else {
                    return r.fail(i);
                };
                i = j;
                if is(at(s, prev), '0') && (is(at(s, prev + 1), 'x') || is(at(s, prev + 1), 'X')) {
                    // Windows reads a last group written 0x... as one hex
                    // number and reports the 'x' as the terminator.
                    r.end = prev + 1;
                    if n < 14 && gap.is_none() {
                        return r;
                    }
                    r.put_word(n, v);
                    n += 2;
                    hex_tail = true;
                    break 'parse;
                }
                if !is(at(s, i), ':') && n < 14 && gap.is_none() {
                    return r.fail(i);
                }
                if i - prev > 4 {
                    too_big = true;
                } else {
                    r.put_word(n, v);
                }
                n += 2;
                if !is(at(s, i), ':') || (gap.is_some() && is(at(s, i + 1), ':')) {
                    break;
                }
            }
            if n == if gap.is_some() { 14 } else { 16 } {
                break;
            }
            if too_big {
                return r;
            }
            i += 1;
        }
        r.end = i;
        if too_big {
            return r;
        }
    }
    match gap {
        None if n < 16 => return r.fail(i),
        None => {}
        Some(g) => r.close_gap(g, n),
    }
    if ex {
        if hex_tail {
            return r.fail(i);
        }
        if is(at(s, i), '%') {
            i += 1;
            match v4_part(s, &mut i, true) {
                Some(v) => r.scope = v,
                None => return r.fail(i),
            }
        }
        if bracket {
            if !is(at(s, i), ']') {
                return r.fail(i);
            }
            i += 1;
            if is(at(s, i), ':') {
                i += 1;
                match v4_part(s, &mut i, false) {
                    Some(p) if p != 0 && p <= 0xffff && at(s, i) == 0 => r.port = p as u16,
                    _ => return r.fail(i),
                }
            }
        }
        if at(s, i) != 0 {
            r.scope = 0;
            r.port = 0;
            return r.fail(i);
        }
    }
    r.ok = true;
    r
}

// ---------------------------------------------------------------------------
// inet_pton / InetPton

/// What `inet_pton` stores and returns for one string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pton {
    /// 1 for an address, 0 for text that is not one.
    pub ret: i32,
    /// The bytes Windows writes to the output buffer, even when `ret` is 0.
    pub bytes: [u8; 16],
    /// Bit `k`: byte `k` of the output is written (4 bytes for AF_INET).
    pub written: u16,
}

/// `inet_pton(AF_INET, ...)`: exactly `a.b.c.d` in decimal, no leading
/// zeros, nothing after it (Wine's `test_inet_pton`).
pub fn inet_pton4<C: Unit>(s: &[C]) -> Pton {
    let t = parse_ipv4(s, true, false);
    let mut p = Pton {
        ret: i32::from(t.ok && t.end == s.len()),
        bytes: [0; 16],
        written: 0,
    };
    if let Some(a) = t.addr {
        p.bytes[..4].copy_from_slice(&a);
        p.written = 0xf;
    }
    p
}

/// `inet_pton(AF_INET6, ...)`: no brackets, scope or prefix.
pub fn inet_pton6<C: Unit>(s: &[C]) -> Pton {
    let t = parse_ipv6(s, false);
    Pton {
        ret: i32::from(t.ok && t.end == s.len()),
        bytes: t.addr,
        written: t.written,
    }
}

// ---------------------------------------------------------------------------
// Formatting (RtlIpv4/6AddressToStringEx)

/// "a.b.c.d", then ":port" when `port` (host order) is not 0.
pub fn format_ipv4(addr: [u8; 4], port: u16, out: &mut String) {
    let [a, b, c, d] = addr;
    let _ = write!(out, "{a}.{b}.{c}.{d}");
    if port != 0 {
        let _ = write!(out, ":{port}");
    }
}

/// Whether Windows prints the last 32 bits of this address dotted:
/// IPv4-compatible (`::a.b.c.d`), mapped (`::ffff:a.b.c.d`), translated
/// (`::ffff:0:a.b.c.d`), or ISATAP (`...:0:5efe:a.b.c.d`, also `200:5efe`).
fn has_ipv4_tail(w: &[u16; 8]) -> bool {
    if w[5] == 0x5efe && w[4] & !0x0200 == 0 {
        return true;
    }
    w[..4] == [0; 4] && matches!((w[4], w[5]), (0, 0) | (0, 0xffff) | (0xffff, 0)) && w[6] != 0
}

/// Windows' IPv6 text: lowercase groups without leading zeros, the first
/// longest run of two or more zero groups as "::", an IPv4 tail dotted
/// (see `has_ipv4_tail`), then "%scope" when `scope` is not 0, all in
/// "[...]:port" when `port` (host order) is not 0.
pub fn format_ipv6(addr: [u8; 16], scope: u32, port: u16, out: &mut String) {
    let w: [u16; 8] = core::array::from_fn(|k| u16::from_be_bytes([addr[2 * k], addr[2 * k + 1]]));
    let groups = if has_ipv4_tail(&w) { 6 } else { 8 };
    let (mut gap, mut gap_len) = (usize::MAX, 1);
    let mut k = 0;
    while k < groups {
        let start = k;
        while k < groups && w[k] == 0 {
            k += 1;
        }
        if k - start > gap_len {
            (gap, gap_len) = (start, k - start);
        }
        k += 1;
    }
    if port != 0 {
        out.push('[');
    }
    let mut k = 0;
    while k < groups {
        if k == gap {
            out.push_str(if k + gap_len == groups { "::" } else { ":" });
            k += gap_len;
            continue;
        }
        if k > 0 {
            out.push(':');
        }
        let _ = write!(out, "{:x}", w[k]);
        k += 1;
    }
    if groups == 6 {
        if !out.ends_with(':') {
            out.push(':');
        }
        format_ipv4([addr[12], addr[13], addr[14], addr[15]], 0, out);
    }
    if scope != 0 {
        let _ = write!(out, "%{scope}");
    }
    if port != 0 {
        let _ = write!(out, "]:{port}");
    }
}

/// `inet_ntop`'s text for a family (`None`: not AF_INET/AF_INET6).
pub fn ntop(family: i32, bytes: &[u8; 16]) -> Option<String> {
    let mut out = String::with_capacity(46);
    match family {
        AF_INET => format_ipv4([bytes[0], bytes[1], bytes[2], bytes[3]], 0, &mut out),
        AF_INET6 => format_ipv6(*bytes, 0, 0, &mut out),
        _ => return None,
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// WSAAddressToString / WSAStringToAddress

/// `WSAAddressToString`'s text for the `len` bytes of a sockaddr: IPv4 with
/// ":port" when the port is not 0; IPv6 with "%scope" and, when the port is
/// not 0, "[...]:port" (Wine's `test_WSAAddressToString`). A family other
/// than AF_INET/AF_INET6, or fewer bytes than its sockaddr, is `WSAEINVAL`.
pub fn sockaddr_to_string(sa: &[u8]) -> Result<String, i32> {
    let family = match sa {
        [a, b, ..] => i32::from(u16::from_ne_bytes([*a, *b])),
        _ => return Err(WSAEINVAL),
    };
    let mut out = String::with_capacity(64);
    match family {
        AF_INET if sa.len() >= 16 => {
            let port = u16::from_be_bytes([sa[2], sa[3]]);
            format_ipv4([sa[4], sa[5], sa[6], sa[7]], port, &mut out);
        }
        AF_INET6 if sa.len() >= 28 => {
            let port = u16::from_be_bytes([sa[2], sa[3]]);
            let addr: [u8; 16] = sa[8..24].try_into().expect("16 bytes");
            let scope = u32::from_ne_bytes(sa[24..28].try_into().expect("4 bytes"));
            format_ipv6(addr, scope, port, &mut out);
        }
        _ => return Err(WSAEINVAL),
    }
    Ok(out)
}

/// `WSAStringToAddress(AF_INET)`: the sockaddr as Windows leaves it (zeroed,
/// then the address where it was parsed; family and port only on success)
/// and whether the text was an address.
pub fn string_to_sockaddr_in<C: Unit>(s: &[C]) -> (bool, SOCKADDR_IN) {
    let t = parse_ipv4(s, false, true);
    let mut sa = SOCKADDR_IN::default();
    if let Some(a) = t.addr {
        sa.sin_addr = IN_ADDR {
            s_addr: u32::from_ne_bytes(a),
        };
    }
    if t.ok {
        sa.sin_family = AF_INET as u16;
        sa.sin_port = t.port.to_be();
    }
    (t.ok, sa)
}

/// `WSAStringToAddress(AF_INET6)`: as [`string_to_sockaddr_in`].
pub fn string_to_sockaddr_in6<C: Unit>(s: &[C]) -> (bool, SOCKADDR_IN6) {
    let t = parse_ipv6(s, true);
    let mut sa = SOCKADDR_IN6::default();
    for k in 0..16 {
        if t.written & (1 << k) != 0 {
            sa.sin6_addr.s6_addr[k] = t.addr[k];
        }
    }
    if t.ok {
        sa.sin6_family = AF_INET6 as u16;
        sa.sin6_port = t.port.to_be();
        sa.sin6_scope_id = t.scope;
    }
    (t.ok, sa)
}

#[cfg(test)]
#[path = "addrstr_tests.rs"]
mod tests;
#[cfg(test)]
#[path = "addrstr_wsa_tests.rs"]
mod wsa_tests;
