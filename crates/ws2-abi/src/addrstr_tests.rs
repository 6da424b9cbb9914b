//! Windows' answers for address strings, as Wine's Windows-run conformance
//! tests record them (`dlls/ws2_32/tests/protocol.c`): `test_inet_addr`,
//! `test_inet_pton`, `test_inet_ntoa`, `test_addr_to_print`,
//! `test_WSAAddressToString`, `test_WSAStringToAddress`. Each table row is
//! Windows' result; IPv6 buffers are shown as in those tests, eight USHORTs
//! seen little-endian, pre-filled with 0xab where nothing was written.
// P3

use super::*;
use crate::types::IN6_ADDR;
use proptest::prelude::*;

fn a(s: &str) -> &[u8] {
    s.as_bytes()
}

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// inet_addr's result as the test prints it: the little-endian view of the
/// network-order bytes (0x04030201 is 1.2.3.4).
fn inet_addr_le(s: &str) -> u32 {
    inet_addr(a(s)).map_or(0xffff_ffff, u32::from_le_bytes)
}

#[test]
fn inet_addr_accepts_the_windows_forms() {
    // test_inet_addr
    let rows: &[(&str, u32)] = &[
        ("1.2.3.4", 0x04030201),
        ("1 2 3 4", 0x01000000),
        ("1.2.3. 4", 0xffffffff),
        ("1.2.3 .4", 0x03000201),
        ("3.4.5.6.7", 0xffffffff),
        ("3.4.5.6. 7", 0xffffffff),
        ("3.4.5.6  7", 0x06050403),
        (" 3.4.5.6", 0xffffffff),
        ("\t3.4.5.6", 0xffffffff),
        ("3.4.5.6 ", 0x06050403),
        ("3.4.5.6  ", 0x06050403),
        ("3. 4.5.6", 0xffffffff),
        ("3 .4.5.6", 0x03000000),
        ("1.2.3", 0x03000201),
        (".1.2.3", 0xffffffff),
        ("0.0.0.0", 0x00000000),
        ("", 0xffffffff),
        (" 0", 0xffffffff),
        ("0xa1a2b3b4 ", 0xb4b3a2a1),
        (".", 0xffffffff),
        (" ", 0x00000000),
        ("\t", 0xffffffff),
        ("  ", 0xffffffff),
        ("127.127.127.255", 0xff7f7f7f),
        ("127.127.127.255:123", 0xffffffff),
        ("127.127.127.256", 0xffffffff),
        ("a", 0xffffffff),
        ("1.2.3.0xaA", 0xaa030201),
        ("1.1.1.0x", 0xffffffff),
        ("1.2.3.010", 0x08030201),
        ("1.2.3.00", 0x00030201),
        ("1.2.3.0a", 0xffffffff),
        ("1.1.1.0o10", 0xffffffff),
        ("1.1.1.0b10", 0xffffffff),
        ("1.1.1.-2", 0xffffffff),
        ("1", 0x01000000),
        ("1.2", 0x02000001),
        ("203569230", 0x4e38220c),
        ("[0.1.2.3]", 0xffffffff),
        ("0x00010203", 0x03020100),
        ("0x2134", 0x34210000),
        ("1234BEEF", 0xffffffff),
        ("017700000001", 0x0100007f),
        ("0777", 0xff010000),
        ("2607:f0d0:1002:51::4", 0xffffffff),
        ("::177.32.45.20", 0xffffffff),
        ("::1/128", 0xffffffff),
        ("::1", 0xffffffff),
        (":1", 0xffffffff),
    ];
    for &(text, expected) in rows {
        assert_eq!(inet_addr_le(text), expected, "inet_addr({text:?})");
    }
    let mut bytes = b"1.2.3".to_vec();
    bytes.push(0);
    for c in 1u8..=255 {
        if c.is_ascii_digit() {
            continue;
        }
        bytes[5] = c;
        let expected = if matches!(c, 9..=13 | 32) {
            Some([1, 2, 0, 3])
        } else {
            None
        };
        assert_eq!(inet_addr(&bytes[..6]), expected, "suffix {c}");
    }
}

#[test]
fn inet_ntoa_prints_dotted_decimal() {
    // test_inet_ntoa
    assert_eq!(
        inet_ntoa(IN_ADDR {
            s_addr: u32::from_ne_bytes([1, 2, 3, 4])
        }),
        "1.2.3.4"
    );
    assert_eq!(
        inet_ntoa(IN_ADDR {
            s_addr: 0x20201015u32.to_le()
        }),
        "21.16.32.32"
    );
}

/// `inet_pton(AF_INET)` as the test shows it: return value and the DWORD
/// (little-endian view) left in a buffer pre-filled with 0xdeadbeef.
fn pton4(text: &str) -> (i32, u32) {
    let p = inet_pton4(a(text));
    let pw = inet_pton4(&w(text));
    assert_eq!(p, pw, "InetPtonW agrees with inet_pton for {text:?}");
    let v = if p.written == 0xf {
        u32::from_le_bytes([p.bytes[0], p.bytes[1], p.bytes[2], p.bytes[3]])
    } else {
        assert_eq!(p.written, 0);
        0xdeadbeef
    };
    (p.ret, v)
}

#[test]
fn inet_pton4_is_strict_and_writes_what_windows_writes() {
    // test_inet_pton (AF_INET)
    let rows: &[(&str, i32, u32)] = &[
        ("", 0, 0xdeadbeef),
        (" ", 0, 0xdeadbeef),
        ("1.1.1.1", 1, 0x01010101),
        ("0.0.0.0", 1, 0x00000000),
        ("127.127.127.255", 1, 0xff7f7f7f),
        ("127.127.127.255:123", 0, 0xff7f7f7f),
        ("127.127.127.256", 0, 0xdeadbeef),
        ("a", 0, 0xdeadbeef),
        ("1.1.1.0xaA", 0, 0xdeadbeef),
        ("1.1.1.0x", 0, 0xdeadbeef),
        ("1.1.1.010", 0, 0xdeadbeef),
        ("1.1.1.00", 0, 0xdeadbeef),
        ("1.1.1.0a", 0, 0x00010101),
        ("1.1.1.0o10", 0, 0x00010101),
        ("1.1.1.0b10", 0, 0x00010101),
        ("1.1.1.-2", 0, 0xdeadbeef),
        ("1", 0, 0xdeadbeef),
        ("1.2", 0, 0xdeadbeef),
        ("1.2.3", 0, 0xdeadbeef),
        ("203569230", 0, 0xdeadbeef),
        ("3.4.5.6.7", 0, 0xdeadbeef),
        (" 3.4.5.6", 0, 0xdeadbeef),
        ("\t3.4.5.6", 0, 0xdeadbeef),
        ("3.4.5.6 ", 0, 0x06050403),
        ("3. 4.5.6", 0, 0xdeadbeef),
        ("[0.1.2.3]", 0, 0xdeadbeef),
        ("0x00010203", 0, 0xdeadbeef),
        ("0x2134", 0, 0xdeadbeef),
        ("1234BEEF", 0, 0xdeadbeef),
        ("017700000001", 0, 0xdeadbeef),
        ("0777", 0, 0xdeadbeef),
        ("2607:f0d0:1002:51::4", 0, 0xdeadbeef),
        ("::177.32.45.20", 0, 0xdeadbeef),
        ("::1/128", 0, 0xdeadbeef),
        ("::1", 0, 0xdeadbeef),
        (":1", 0, 0xdeadbeef),
    ];
    for &(text, ret, value) in rows {
        assert_eq!(pton4(text), (ret, value), "inet_pton(AF_INET, {text:?})");
    }
}

const AB: u16 = 0xabab;

/// `inet_pton(AF_INET6)` as the test shows it: return value and the eight
/// little-endian USHORTs of a buffer pre-filled with 0xab.
fn pton6(text: &str) -> (i32, [u16; 8]) {
    let p = inet_pton6(a(text));
    assert_eq!(p, inet_pton6(&w(text)), "InetPtonW agrees for {text:?}");
    let mut buf = [0xabu8; 16];
    for (k, b) in buf.iter_mut().enumerate() {
        if p.written & (1 << k) != 0 {
            *b = p.bytes[k];
        }
    }
    (
        p.ret,
        core::array::from_fn(|k| u16::from_le_bytes([buf[2 * k], buf[2 * k + 1]])),
    )
}

#[test]
fn inet_pton6_accepts_what_windows_accepts() {
    // test_inet_pton (AF_INET6, return 1)
    let zero = [0u16; 8];
    for text in [
        "0000:0000:0000:0000:0000:0000:0000:0000",
        "0:0:0:0:0:0:0:0",
        "0:0:0:0:0:0:0::",
        "0:0:0:0:0:0::",
        "0:0:0:0:0::",
        "0::",
        "::",
        "::0",
        "::0:0",
        "::0:0:0",
        "::0:0:0:0",
        "::0:0:0:0:0",
        "::0:0:0:0:0:0",
        "::0:0:0:0:0:0:0",
    ] {
        assert_eq!(pton6(text), (1, zero), "{text}");
    }
    let rows: &[(&str, [u16; 8])] = &[
        (
            "0000:0000:0000:0000:0000:0000:0000:0001",
            [0, 0, 0, 0, 0, 0, 0, 0x100],
        ),
        ("0:0:0:0:0:0:0:1", [0, 0, 0, 0, 0, 0, 0, 0x100]),
        ("0:0:0:0:0:0:13.1.68.3", [0, 0, 0, 0, 0, 0, 0x10d, 0x344]),
        (
            "0:0:0:0:0:FFFF:129.144.52.38",
            [0, 0, 0, 0, 0, 0xffff, 0x9081, 0x2634],
        ),
        (
            "0:1:2:3:4:5:6:7",
            [0, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700],
        ),
        (
            "1080:0:0:0:8:800:200c:417a",
            [0x8010, 0, 0, 0, 0x800, 0x8, 0x0c20, 0x7a41],
        ),
        (
            "0:a:b:c:d:e:f::",
            [0, 0xa00, 0xb00, 0xc00, 0xd00, 0xe00, 0xf00, 0],
        ),
        (
            "::0:a:b:c:d:e:f",
            [0, 0, 0xa00, 0xb00, 0xc00, 0xd00, 0xe00, 0xf00],
        ),
        (
            "1111:2222:3333:4444:5555:6666:123.123.123.123",
            [
                0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b,
            ],
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777:8888",
            [
                0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888,
            ],
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777::",
            [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0],
        ),
        (
            "1111:2222:3333:4444:5555:6666::",
            [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0],
        ),
        (
            "1111:2222:3333:4444:5555:6666::8888",
            [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0x8888],
        ),
        (
            "1111:2222:3333:4444:5555::",
            [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0],
        ),
        (
            "1111:2222:3333:4444:5555::123.123.123.123",
            [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0x7b7b, 0x7b7b],
        ),
        (
            "1111:2222:3333:4444:5555::7777:8888",
            [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0x7777, 0x8888],
        ),
        (
            "1111:2222:3333:4444:5555::8888",
            [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x8888],
        ),
        ("1111::", [0x1111, 0, 0, 0, 0, 0, 0, 0]),
        (
            "1111::123.123.123.123",
            [0x1111, 0, 0, 0, 0, 0, 0x7b7b, 0x7b7b],
        ),
        (
            "1111::3333:4444:5555:6666:123.123.123.123",
            [0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b],
        ),
        (
            "1111::3333:4444:5555:6666:7777:8888",
            [0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888],
        ),
        (
            "1111::4444:5555:6666:123.123.123.123",
            [0x1111, 0, 0, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b],
        ),
        (
            "1111::4444:5555:6666:7777:8888",
            [0x1111, 0, 0, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888],
        ),
        (
            "1111::5555:6666:123.123.123.123",
            [0x1111, 0, 0, 0, 0x5555, 0x6666, 0x7b7b, 0x7b7b],
        ),
        (
            "1111::5555:6666:7777:8888",
            [0x1111, 0, 0, 0, 0x5555, 0x6666, 0x7777, 0x8888],
        ),
        (
            "1111::6666:123.123.123.123",
            [0x1111, 0, 0, 0, 0, 0x6666, 0x7b7b, 0x7b7b],
        ),
        (
            "1111::6666:7777:8888",
            [0x1111, 0, 0, 0, 0, 0x6666, 0x7777, 0x8888],
        ),
        ("1111::7777:8888", [0x1111, 0, 0, 0, 0, 0, 0x7777, 0x8888]),
        ("1111::8888", [0x1111, 0, 0, 0, 0, 0, 0, 0x8888]),
        (
            "1:2:3:4:5:6:1.2.3.4",
            [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x201, 0x403],
        ),
        (
            "1:2:3:4:5:6:7:8",
            [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800],
        ),
        (
            "1:2:3:4:5:6::",
            [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0, 0],
        ),
        (
            "1:2:3:4:5:6::8",
            [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0, 0x800],
        ),
        (
            "2001:0000:1234:0000:0000:C1C0:ABCD:0876",
            [0x120, 0, 0x3412, 0, 0, 0xc0c1, 0xcdab, 0x7608],
        ),
        (
            "2001:0000:4136:e378:8000:63bf:3fff:fdd2",
            [0x120, 0, 0x3641, 0x78e3, 0x80, 0xbf63, 0xff3f, 0xd2fd],
        ),
        (
            "2001:0db8:0:0:0:0:1428:57ab",
            [0x120, 0xb80d, 0, 0, 0, 0, 0x2814, 0xab57],
        ),
        (
            "2001:0db8:1234:ffff:ffff:ffff:ffff:ffff",
            [
                0x120, 0xb80d, 0x3412, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
            ],
        ),
        (
            "2001::CE49:7601:2CAD:DFFF:7C94:FFFE",
            [0x120, 0, 0x49ce, 0x176, 0xad2c, 0xffdf, 0x947c, 0xfeff],
        ),
        (
            "2001:db8:85a3::8a2e:370:7334",
            [0x120, 0xb80d, 0xa385, 0, 0, 0x2e8a, 0x7003, 0x3473],
        ),
        (
            "3ffe:0b00:0000:0000:0001:0000:0000:000a",
            [0xfe3f, 0xb, 0, 0, 0x100, 0, 0, 0xa00],
        ),
        ("::123.123.123.123", [0, 0, 0, 0, 0, 0, 0x7b7b, 0x7b7b]),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", [0xffff; 8]),
        ("1::001.2.3.4", [0x100, 0, 0, 0, 0, 0, 0x201, 0x403]),
        ("1::1.002.3.4", [0x100, 0, 0, 0, 0, 0, 0x201, 0x403]),
        ("1::1.2.3.4", [0x100, 0, 0, 0, 0, 0, 0x201, 0x403]),
    ];
    for &(text, words) in rows {
        assert_eq!(pton6(text), (1, words), "{text}");
    }
}

#[test]
fn inet_pton6_rejects_and_leaves_what_windows_leaves() {
    // test_inet_pton (AF_INET6, return 0): the partial writes included.
    const H: [u16; 4] = [0x1111, 0x2222, 0x3333, 0x4444];
    let h = |rest: [u16; 4]| [H[0], H[1], H[2], H[3], rest[0], rest[1], rest[2], rest[3]];
    let mut rows: Vec<(&str, [u16; 8])> = vec![
        (
            "1111:2222:3333:4444:5555:6666::7777:8888",
            h([0x5555, 0x6666, 0, 0x7777]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777::8888",
            h([0x5555, 0x6666, 0x7777, 0]),
        ),
        (
            "1111:2222:3333:4444:5555::0x1.123.123.123",
            h([0x5555, 0, 0, 0x100]),
        ),
        ("1111:2222:3333:4444:5555::0x88", h([0x5555, 0, 0, 0x8800])),
        ("1111:2222:3333:4444:5555::0X88", h([0x5555, 0, 0, 0x8800])),
        (
            "1111:2222:3333:4444:5555::0X88:7777",
            h([0x5555, 0, 0, 0x8800]),
        ),
        ("1111:2222:3333:4444:5555::0X", h([0x5555, 0, 0, 0])),
        (
            "1111:2222:3333:4444:5555::0x8888",
            h([0x5555, 0, 0, 0x8888]),
        ),
        (
            "1111:2222:3333:4444:5555::0x80000000",
            h([0x5555, 0, 0, 0xffff]),
        ),
        (
            "1111:2222:3333:4444::5555:0x012345678",
            h([0, 0, 0x5555, 0x7856]),
        ),
        (
            "1111:2222:3333:4444::5555:0x123456789",
            h([0, 0, 0x5555, 0xffff]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:0x12345678",
            h([0x5555, 0x6666, AB, AB]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777:0x80000000",
            h([0x5555, 0x6666, 0x7777, 0xffff]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777:0x012345678",
            h([0x5555, 0x6666, 0x7777, 0x7856]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777:0x123456789",
            h([0x5555, 0x6666, 0x7777, 0xffff]),
        ),
        (
            "111:222:333:444:555:666:777:0x123456789abcdef0",
            [
                0x1101, 0x2202, 0x3303, 0x4404, 0x5505, 0x6606, 0x7707, 0xffff,
            ],
        ),
        ("1111:2222:3333:4444:5555::08888", h([0x5555, AB, AB, AB])),
        ("1111:2222:3333:4444:5555::08888::", h([0x5555, AB, AB, AB])),
        (
            "1111:2222:3333:4444:5555:6666:7777:fffff:",
            h([0x5555, 0x6666, 0x7777, AB]),
        ),
        (
            "1111:2222:3333:4444:5555:6666::fffff:",
            h([0x5555, 0x6666, AB, AB]),
        ),
        ("1111:2222:3333:4444:5555::fffff", h([0x5555, AB, AB, AB])),
        ("1111:2222:3333:4444::fffff", h([AB, AB, AB, AB])),
        (
            "1111:2222:3333::fffff",
            [0x1111, 0x2222, 0x3333, AB, AB, AB, AB, AB],
        ),
        ("::%16", [0; 8]),
        ("::/16", [0; 8]),
        ("::-1", [0; 8]),
        ("::.", [0; 8]),
        ("::..", [0; 8]),
        ("::...", [0; 8]),
        ("::01234", [0, AB, AB, AB, AB, AB, AB, AB]),
        ("::12345678", [0, AB, AB, AB, AB, AB, AB, AB]),
        ("::123456789", [0, AB, AB, AB, AB, AB, AB, AB]),
        ("::1234567890abcdef0", [0, AB, AB, AB, AB, AB, AB, AB]),
        ("::0x80000000", [0, 0, 0, 0, 0, 0, 0, 0xffff]),
        ("::0x123456789", [0, 0, 0, 0, 0, 0, 0, 0xffff]),
        ("::0x1234567890abcdef0", [0, 0, 0, 0, 0, 0, 0, 0xffff]),
        ("::0x012345678", [0, 0, 0, 0, 0, 0, 0, 0x7856]),
        (
            "2001:00000:1234:0000:0000:C1C0:ABCD:0876",
            [0x120, AB, AB, AB, AB, AB, AB, AB],
        ),
        (
            "2001:0000:01234:0000:0000:C1C0:ABCD:0876",
            [0x120, 0, AB, AB, AB, AB, AB, AB],
        ),
        ("2001:0000::01234.0", [0x120, 0, AB, AB, AB, AB, AB, AB]),
        ("2001:0::b.0", [0x120, 0, 0, 0, 0, 0, 0, 0xb00]),
        ("2001::0:b.0", [0x120, 0, 0, 0, 0, 0, 0, 0xb00]),
        ("1.2.3.4", [0x201, 0xab03, AB, AB, AB, AB, AB, AB]),
        (
            "1.2.3.4:1111::5555",
            [0x201, 0xab03, AB, AB, AB, AB, AB, AB],
        ),
        ("1.2.3.4::5555", [0x201, 0xab03, AB, AB, AB, AB, AB, AB]),
        ("1111:2222:", [0x1111, 0x2222, AB, AB, AB, AB, AB, AB]),
        ("1111:2222:3333", [0x1111, 0x2222, AB, AB, AB, AB, AB, AB]),
        (
            "1111:2222:1.2.3.4",
            [0x1111, 0x2222, 0x201, 0xab03, AB, AB, AB, AB],
        ),
        (
            "1111:2222:3333:4444:5555:6666::1.2.3.4",
            h([0x5555, 0x6666, 0, 0x100]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777:1.2.3.4",
            h([0x5555, 0x6666, 0x7777, 0x100]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777:8888:",
            h([0x5555, 0x6666, 0x7777, 0x8888]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777:8888:1.2.3.4",
            h([0x5555, 0x6666, 0x7777, 0x8888]),
        ),
        (
            "1111:2222:3333:4444:5555:6666:7777:8888:9999",
            h([0x5555, 0x6666, 0x7777, 0x8888]),
        ),
        ("1111:2222:::", [0x1111, 0x2222, 0, 0, 0, 0, 0, 0]),
        (
            "1111:2222:::4444:5555:6666:1.2.3.4",
            [0x1111, 0x2222, 0, 0, 0, 0, 0, 0],
        ),
        ("1111::5555:", [0x1111, 0x5555, AB, AB, AB, AB, AB, AB]),
        (
            "1111::3333:4444:5555:6666:7777::",
            [0x1111, 0, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777],
        ),
        (
            "1111::3333::5555:6666:1.2.3.4",
            [0x1111, 0, 0, 0, 0, 0, 0, 0x3333],
        ),
        ("1::1.2.3.4::1", [0x100, 0, 0, 0, 0, 0, 0x201, 0x403]),
        ("1::1a.2.3.4", [0x100, 0, 0, 0, 0, 0, 0, 0x1a00]),
        ("1::2::3", [0x100, 0, 0, 0, 0, 0, 0, 0x200]),
        (
            "2001:0000:1234: 0000:0000:C1C0:ABCD:0876",
            [0x120, 0, 0x3412, AB, AB, AB, AB, AB],
        ),
        (
            "2001:0000:1234:0000:0000:C1C0:ABCD:0876  0",
            [0x120, 0, 0x3412, 0, 0, 0xc0c1, 0xcdab, 0x7608],
        ),
        (
            "2001:1:1:1:1:1:255Z255X255Y255",
            [0x120, 0x100, 0x100, 0x100, 0x100, 0x100, AB, AB],
        ),
        ("2001::FFD3::57ab", [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff]),
    ];
    for text in [
        "1111:2222:3333:4444:0x5555:6666:7777:8888",
        "1111:2222:3333:4444:x555:6666:7777:8888",
        "1111:2222:3333:4444:0r5555:6666:7777:8888",
        "1111:2222:3333:4444:r5555:6666:7777:8888",
    ] {
        rows.push((text, h([AB; 4])));
    }
    for text in [
        "':10.0.0.1",
        "-1",
        "02001:0000:1234:0000:0000:C1C0:ABCD:0876",
        "11112222:3333:4444:5555:6666:1.2.3.4",
        "11112222:3333:4444:5555:6666:7777:8888",
        "1111",
        "0x1111",
        "12345::6:7:8",
        ":",
        ":1111:2222:3333:4444:5555:6666:1.2.3.4",
        ":1111:2222:3333:4444:5555:6666:7777:8888",
        ":1111::",
        "XXXX:XXXX:XXXX:XXXX:XXXX:XXXX:1.2.3.4",
        "[::]",
    ] {
        rows.push((text, [AB; 8]));
    }
    for text in [
        "1111:22223333:4444:5555:6666:1.2.3.4",
        "1111:22223333:4444:5555:6666:7777:8888",
        "1111:123456789:4444:5555:6666:7777:8888",
        "1111:1234567890abcdef0:4444:5555:6666:7777:888",
    ] {
        rows.push((text, [0x1111, AB, AB, AB, AB, AB, AB, AB]));
    }
    for text in ["1::0001.2.3.4", "1::256.2.3.4"] {
        rows.push((text, [0x100, AB, AB, AB, AB, AB, AB, AB]));
    }
    for text in [
        "1::1.0002.3.4",
        "1::1.2::1",
        "1::1.",
        "1::1.2",
        "1::1.256.3.4",
        "1::1.256:3.4",
        "1::1.2a.3.4",
    ] {
        rows.push((text, [0x100, 0xab01, AB, AB, AB, AB, AB, AB]));
    }
    for text in [
        "1::1.2.256.4",
        "1::1.2.4294967296.4",
        "1::1.2.18446744073709551616.4",
        "1::1.2.",
        "1::1.2.3",
        "1::1.2.300.4",
    ] {
        rows.push((text, [0x100, 0x201, AB, AB, AB, AB, AB, AB]));
    }
    for text in [
        "1::1.2.3.256",
        "1::1.2.3.4294967296",
        "1::1.2.3.18446744073709551616",
        "1::1.2.3.300",
        "1::1.2.3.300.",
        "1::1.2.3.",
        "1::1.2.3.900",
    ] {
        rows.push((text, [0x100, 0x201, 0xab03, AB, AB, AB, AB, AB]));
    }
    for (text, words) in rows {
        assert_eq!(pton6(text), (0, words), "{text}");
    }
}

#[test]
fn inet_ntop_formats_as_windows() {
    // test_addr_to_print
    let mut v4 = [0u8; 16];
    v4[..4].copy_from_slice(&0x20201015u32.to_le_bytes());
    assert_eq!(ntop(AF_INET, &v4).unwrap(), "21.16.32.32");
    let mut b = [0u8; 16];
    b[10..].copy_from_slice(&[0xff, 0xfe, 0xcc, 0x98, 0xbd, 0x74]);
    assert_eq!(ntop(AF_INET6, &b).unwrap(), "::fffe:cc98:bd74");
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&[0x20, 0x30, 0xa4, 0xb1]);
    assert_eq!(ntop(AF_INET6, &b).unwrap(), "2030:a4b1::");
    let mut b = [0u8; 16];
    b[12..].copy_from_slice(&[0xcc, 0x98, 0xbd, 0x74]);
    assert_eq!(ntop(AF_INET6, &b).unwrap(), "::204.152.189.116");
    assert!(ntop(1, &b).is_none());
    // RtlIpv6AddressToString's IPv4 tails: mapped, translated, ISATAP.
    let v6 = |s: &str| s.parse::<std::net::Ipv6Addr>().unwrap().octets();
    assert_eq!(
        ntop(AF_INET6, &v6("::ffff:1.2.3.4")).unwrap(),
        "::ffff:1.2.3.4"
    );
    assert_eq!(
        ntop(AF_INET6, &v6("::ffff:0:102:304")).unwrap(),
        "::ffff:0:1.2.3.4"
    );
    assert_eq!(
        ntop(AF_INET6, &v6("fe80::5efe:102:304")).unwrap(),
        "fe80::5efe:1.2.3.4"
    );
    assert_eq!(
        ntop(AF_INET6, &v6("fe80::200:5efe:102:304")).unwrap(),
        "fe80::200:5efe:1.2.3.4"
    );
    assert_eq!(ntop(AF_INET6, &v6("::1")).unwrap(), "::1");
    assert_eq!(ntop(AF_INET6, &v6("::")).unwrap(), "::");
    assert_eq!(ntop(AF_INET6, &v6("::2")).unwrap(), "::2");
    assert_eq!(
        ntop(AF_INET6, &v6("1:0:0:2:0:0:0:3")).unwrap(),
        "1:0:0:2::3"
    );
    assert_eq!(
        ntop(AF_INET6, &v6("1:0:2:3:4:5:6:7")).unwrap(),
        "1:0:2:3:4:5:6:7"
    );
}

fn sa_v4(addr: u32, port_raw: u16) -> Vec<u8> {
    let sa = SOCKADDR_IN {
        sin_family: AF_INET as u16,
        sin_port: port_raw,
        sin_addr: IN_ADDR { s_addr: addr },
        sin_zero: [0; 8],
    };
    // SAFETY: SOCKADDR_IN is plain data of 16 bytes.
    unsafe { core::slice::from_raw_parts((&sa as *const SOCKADDR_IN).cast::<u8>(), 16) }.to_vec()
}

fn sa_v6(words: [u16; 8], scope: u32, port_raw: u16) -> Vec<u8> {
    let mut bytes = [0u8; 16];
    for (k, w) in words.iter().enumerate() {
        bytes[2 * k..2 * k + 2].copy_from_slice(&w.to_le_bytes());
    }
    let sa = SOCKADDR_IN6 {
        sin6_family: AF_INET6 as u16,
        sin6_port: port_raw,
        sin6_flowinfo: 0,
        sin6_addr: IN6_ADDR { s6_addr: bytes },
        sin6_scope_id: scope,
    };
    // SAFETY: SOCKADDR_IN6 is plain data of 28 bytes.
    unsafe { core::slice::from_raw_parts((&sa as *const SOCKADDR_IN6).cast::<u8>(), 28) }.to_vec()
}

#[test]
fn address_to_string_formats_as_windows() {
    // test_WSAAddressToString
    let rows4: &[(u32, u16, &str)] = &[
        (0, 0, "0.0.0.0"),
        (0xffffffff, 0, "255.255.255.255"),
        (0, 0xffff, "0.0.0.0:65535"),
        (0xffffffff, 0xffff, "255.255.255.255:65535"),
    ];
    for &(addr, port, text) in rows4 {
        assert_eq!(sockaddr_to_string(&sa_v4(addr, port)).unwrap(), text);
    }
    let rows6: &[([u16; 8], u32, u16, &str)] = &[
        ([0, 0, 0, 0, 0, 0, 0, 0x100], 0, 0, "::1"),
        ([0xab20, 0, 0, 0, 0, 0, 0, 0x100], 0, 0, "20ab::1"),
        (
            [0xab20, 0, 0, 0, 0, 0, 0, 0x120],
            0,
            0xfa81,
            "[20ab::2001]:33274",
        ),
        (
            [0xab20, 0, 0, 0, 0, 0, 0, 0x120],
            0x1234,
            0xfa81,
            "[20ab::2001%4660]:33274",
        ),
        (
            [0xab20, 0, 0, 0, 0, 0, 0, 0x120],
            0x1234,
            0,
            "20ab::2001%4660",
        ),
    ];
    for &(words, scope, port, text) in rows6 {
        assert_eq!(
            sockaddr_to_string(&sa_v6(words, scope, port)).unwrap(),
            text
        );
    }
    // Short lengths and other families: WSAEINVAL.
    assert_eq!(sockaddr_to_string(&sa_v4(0, 0)[..15]), Err(WSAEINVAL));
    assert_eq!(
        sockaddr_to_string(&sa_v6([0; 8], 0, 0)[..27]),
        Err(WSAEINVAL)
    );
    let mut other = sa_v4(0, 0);
    other[0] = 1;
    assert_eq!(sockaddr_to_string(&other), Err(WSAEINVAL));
    assert_eq!(sockaddr_to_string(&[]), Err(WSAEINVAL));
}

/// WSAStringToAddress(AF_INET) as the test shows it: (address in host
/// order, port in host order, success).
fn s2a4(text: &str) -> (u32, u16, bool) {
    let (ok, sa) = string_to_sockaddr_in(a(text));
    let (okw, saw) = string_to_sockaddr_in(&w(text));
    assert_eq!((ok, sa), (okw, saw), "A and W agree for {text:?}");
    assert_eq!(sa.sin_family, if ok { AF_INET as u16 } else { 0 }, "{text}");
    (
        u32::from_be(sa.sin_addr.s_addr),
        u16::from_be(sa.sin_port),
        ok,
    )
}

#[test]
fn string_to_address_v4_as_windows() {
    // test_WSAStringToAddress (AF_INET)
    let rows: &[(&str, u32, u16, bool)] = &[
        ("", 0, 0, false),
        (" ", 0, 0, false),
        ("1.1.1.1", 0x01010101, 0, true),
        ("0.0.0.0", 0, 0, true),
        ("127.127.127.127", 0x7f7f7f7f, 0, true),
        ("127.127.127.127:", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:0", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:123", 0x7f7f7f7f, 123, true),
        ("127.127.127.127:65535", 0x7f7f7f7f, 65535, true),
        ("127.127.127.127:65537", 0x7f7f7f7f, 0, false),
        ("127.127.127.127::1", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:0xAbCd", 0x7f7f7f7f, 43981, true),
        ("127.127.127.127:0XaBcD", 0x7f7f7f7f, 43981, true),
        ("127.127.127.127:0x", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:0x10000", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:010", 0x7f7f7f7f, 8, true),
        ("127.127.127.127:007", 0x7f7f7f7f, 7, true),
        ("127.127.127.127:08", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:008", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:0a", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:0o10", 0x7f7f7f7f, 0, false),
        ("127.127.127.127:0b10", 0x7f7f7f7f, 0, false),
        ("255.255.255.255", 0xffffffff, 0, true),
        ("255.255.255.255:123", 0xffffffff, 123, true),
        ("255.255.255.255:65535", 0xffffffff, 65535, true),
        ("255.255.255.256", 0, 0, false),
        ("a", 0, 0, false),
        ("1.1.1.0xaA", 0x010101aa, 0, true),
        ("1.1.1.0XaA", 0x010101aa, 0, true),
        ("1.1.1.0x", 0, 0, false),
        ("1.1.1.0xff", 0x010101ff, 0, true),
        ("1.1.1.0x100", 0, 0, false),
        ("1.1.1.010", 0x01010108, 0, true),
        ("1.1.1.00", 0x01010100, 0, true),
        ("1.1.1.007", 0x01010107, 0, true),
        ("1.1.1.08", 0, 0, false),
        ("1.1.1.008", 0x01010100, 0, false),
        ("1.1.1.0a", 0x01010100, 0, false),
        ("1.1.1.0o10", 0x01010100, 0, false),
        ("1.1.1.0b10", 0x01010100, 0, false),
        ("1.1.1.-2", 0, 0, false),
        ("1", 0x00000001, 0, true),
        ("-1", 0, 0, false),
        ("1:1", 0x00000001, 1, true),
        ("1.2", 0x01000002, 0, true),
        ("1.2:1", 0x01000002, 1, true),
        ("1000.2000", 0, 0, false),
        ("1.2.", 0, 0, false),
        ("1..2", 0, 0, false),
        ("1...2", 0, 0, false),
        ("1.2.3", 0x01020003, 0, true),
        ("1.2.3.", 0, 0, false),
        ("1.2.3:1", 0x01020003, 1, true),
        ("203569230", 0x0c22384e, 0, true),
        ("203569230:123", 0x0c22384e, 123, true),
        ("2001::1", 0x000007d1, 0, false),
        ("1.223756", 0x01036a0c, 0, true),
        ("3.4.756", 0x030402f4, 0, true),
        ("756.3.4", 0, 0, false),
        ("3.756.4", 0, 0, false),
        ("3.4.756.1", 0, 0, false),
        ("3.4.65536", 0, 0, false),
        ("3.4.5.6.7", 0, 0, false),
        ("3.4.5.+6", 0, 0, false),
        (" 3.4.5.6", 0, 0, false),
        ("\t3.4.5.6", 0, 0, false),
        ("3.4.5.6 ", 0x03040506, 0, false),
        ("3.4.5.6:7 ", 0x03040506, 0, false),
        ("3.4.5.6: 7", 0x03040506, 0, false),
        ("3. 4.5.6", 0, 0, false),
        (".", 0, 0, false),
        ("[0.1.2.3]", 0, 0, false),
        ("0x00010203", 0x00010203, 0, true),
        ("0X00010203", 0x00010203, 0, true),
        ("0x00010203:10", 0x00010203, 10, true),
        ("0x1234", 0x00001234, 0, true),
        ("0x123456789", 0x23456789, 0, true),
        ("0x00010Q03", 0x00000010, 0, false),
        ("x00010203", 0, 0, false),
        ("1234BEEF", 0x000004d2, 0, false),
        ("017700000001", 0x7f000001, 0, true),
        ("0777", 0x000001ff, 0, true),
        ("0777:10", 0x000001ff, 10, true),
        ("::1", 0, 0, false),
        (":1", 0, 0, false),
    ];
    for &(text, addr, port, ok) in rows {
        assert_eq!(
            s2a4(text),
            (addr, port, ok),
            "WSAStringToAddress({text:?}, AF_INET)"
        );
    }
}

#[test]
fn string_to_address_v6_as_windows() {
    // test_WSAStringToAddress (AF_INET6)
    let rows: &[(&str, [u16; 8], u16, bool)] = &[
        ("::1", [0, 0, 0, 0, 0, 0, 0, 0x100], 0, true),
        ("[::1]", [0, 0, 0, 0, 0, 0, 0, 0x100], 0, true),
        ("[::1]:65535", [0, 0, 0, 0, 0, 0, 0, 0x100], 0xffff, true),
        ("2001::1", [0x120, 0, 0, 0, 0, 0, 0, 0x100], 0, true),
        ("::1]:65535", [0, 0, 0, 0, 0, 0, 0, 0x100], 0, false),
        ("001::1", [0x100, 0, 0, 0, 0, 0, 0, 0x100], 0, true),
        (
            "::1:2:3:4:5:6:7",
            [0, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700],
            0,
            true,
        ),
        ("1.2.3.4", [0x201, 3, 0, 0, 0, 0, 0, 0], 0, false),
        ("1:2:3:", [0x100, 0x200, 0x300, 0, 0, 0, 0, 0], 0, false),
        ("", [0; 8], 0, false),
    ];
    for &(text, words, port, ok) in rows {
        let (got_ok, sa) = string_to_sockaddr_in6(a(text));
        assert_eq!(
            (got_ok, sa),
            string_to_sockaddr_in6(&w(text)),
            "A and W agree for {text:?}"
        );
        let got: [u16; 8] = core::array::from_fn(|k| {
            u16::from_le_bytes([sa.sin6_addr.s6_addr[2 * k], sa.sin6_addr.s6_addr[2 * k + 1]])
        });
        assert_eq!((got, sa.sin6_port, got_ok), (words, port, ok), "{text}");
        assert_eq!((sa.sin6_scope_id, sa.sin6_flowinfo), (0, 0), "{text}");
        assert_eq!(sa.sin6_family, if ok { AF_INET6 as u16 } else { 0 });
    }
    let (ok, sa) = string_to_sockaddr_in6(a("[fe80::1%7]:80"));
    assert!(ok);
    assert_eq!((sa.sin6_scope_id, u16::from_be(sa.sin6_port)), (7, 80));
    let (ok, sa) = string_to_sockaddr_in6(a("fe80::1%12"));
    assert!(ok);
    assert_eq!(sa.sin6_scope_id, 12);
    // Without brackets a trailing ":80" is a group, not a port.
    let (ok, sa) = string_to_sockaddr_in6(a("::1:80"));
    assert!(ok);
    assert_eq!(
        (
            sa.sin6_addr.s6_addr[13],
            sa.sin6_addr.s6_addr[15],
            sa.sin6_port
        ),
        (1, 0x80, 0)
    );
    assert!(!string_to_sockaddr_in6(a("[::1]:0")).0);
    assert!(!string_to_sockaddr_in6(a("[::1]x")).0);
}

fn v6_bytes() -> impl Strategy<Value = [u8; 16]> {
    // Plenty of zero groups, so "::" and the IPv4 tails come up often.
    proptest::array::uniform8(prop_oneof![
        Just(0u16),
        Just(0xffff),
        Just(0x5efe),
        any::<u16>()
    ])
    .prop_map(|w| {
        let mut b = [0u8; 16];
        for (k, v) in w.iter().enumerate() {
            b[2 * k..2 * k + 2].copy_from_slice(&v.to_be_bytes());
        }
        b
    })
}

proptest! {
    // P3: no input makes a parser panic, in either character width.
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80),
                           units in proptest::collection::vec(any::<u16>(), 0..80)) {
        let _ = inet_addr(&bytes);
        let _ = inet_pton4(&bytes);
        let _ = inet_pton6(&bytes);
        let _ = string_to_sockaddr_in(&bytes);
        let _ = string_to_sockaddr_in6(&bytes);
        let _ = sockaddr_to_string(&bytes);
        let _ = inet_pton6(&units);
        let _ = string_to_sockaddr_in6(&units);
        let _ = inet_addr(&units);
    }

    // The same for text built from the characters the grammars care about.
    #[test]
    fn parsers_never_panic_on_address_like_text(s in "[0-9a-fA-FxX:.%\\[\\] ]{0,60}") {
        let _ = inet_addr(a(&s));
        let _ = inet_pton4(a(&s));
        let p = inet_pton6(a(&s));
        if p.ret == 1 {
            prop_assert_eq!(p.written, 0xffff);
        }
        let _ = string_to_sockaddr_in(a(&s));
        let _ = string_to_sockaddr_in6(a(&s));
    }

    // Round trips: what WSAAddressToString prints, WSAStringToAddress reads
    // back (port, scope and all); what inet_ntop prints, inet_pton reads.
    #[test]
    fn ipv4_text_round_trips(addr in any::<[u8; 4]>(), port in any::<u16>()) {
        let mut text = String::new();
        format_ipv4(addr, port, &mut text);
        let (ok, sa) = string_to_sockaddr_in(a(&text));
        prop_assert!(ok, "{}", text);
        prop_assert_eq!(sa.sin_addr.s_addr.to_ne_bytes(), addr);
        prop_assert_eq!(u16::from_be(sa.sin_port), port);
        if port == 0 {
            prop_assert_eq!(inet_addr(a(&text)), Some(addr));
            let p = inet_pton4(a(&text));
            prop_assert_eq!((p.ret, &p.bytes[..4]), (1, &addr[..]));
        }
    }

    #[test]
    fn ipv6_text_round_trips(addr in v6_bytes(), scope in prop_oneof![Just(0u32), any::<u32>()],
                             port in prop_oneof![Just(0u16), any::<u16>()]) {
        let mut text = String::new();
        format_ipv6(addr, scope, port, &mut text);
        prop_assert!(text.len() < INET6_ADDRSTRLEN_FOR_TESTS, "{}", text);
        let (ok, sa) = string_to_sockaddr_in6(a(&text));
        prop_assert!(ok, "{}", text);
        prop_assert_eq!(sa.sin6_addr.s6_addr, addr, "{}", text);
        prop_assert_eq!((sa.sin6_scope_id, u16::from_be(sa.sin6_port)), (scope, port));
        let mut plain = String::new();
        format_ipv6(addr, 0, 0, &mut plain);
        let p = inet_pton6(a(&plain));
        prop_assert_eq!((p.ret, p.bytes), (1, addr), "{}", plain);
    }

    // Where Windows prints no dotted tail, its text is RFC 5952's, which is
    // what Rust's std prints too.
    #[test]
    fn ipv6_text_matches_rfc5952_without_ipv4_tail(addr in v6_bytes()) {
        let std_text = std::net::Ipv6Addr::from(addr).to_string();
        let mut text = String::new();
        format_ipv6(addr, 0, 0, &mut text);
        if !text.contains('.') && !std_text.contains('.') {
            prop_assert_eq!(&text, &std_text);
        }
        prop_assert_eq!(inet_pton6(a(&std_text)).bytes, addr);
    }
}

/// `INET6_ADDRSTRLEN` (65) holds every text WSAAddressToString makes.
const INET6_ADDRSTRLEN_FOR_TESTS: usize = crate::resolve::INET6_ADDRSTRLEN;
