//! Windows' answers for socket addresses as strings, as Wine's Windows-run
//! conformance tests record them (`dlls/ws2_32/tests/protocol.c`):
//! `test_WSAAddressToString`, `test_WSAStringToAddress`; and properties of
//! every parser and formatter (never a panic, text round trips).
// P3

use super::tests::{a, w};
use super::*;
use crate::types::IN6_ADDR;
use proptest::prelude::*;

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
