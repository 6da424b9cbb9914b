//! Unit tests of the resolver translation (P2).

use super::*;

fn v4(a: [u8; 4]) -> WinAddr {
    WinAddr::V4(SOCKADDR_IN {
        sin_family: AF_INET as u16,
        sin_port: 80u16.to_be(),
        sin_addr: IN_ADDR {
            s_addr: u32::from_ne_bytes(a),
        },
        sin_zero: [0; 8],
    })
}

#[test]
fn hints_are_checked_as_windows_checks_them() {
    // P2: Microsoft's getaddrinfo page and Wine's hinttests.
    let h = |flags, family, socktype| Hints {
        flags,
        family,
        socktype,
        protocol: 999,
    };
    assert_eq!(
        check_hints(&h(0, AF_UNSPEC, 999), true).unwrap_err().code(),
        EAI_SOCKTYPE
    );
    assert_eq!(
        check_hints(&h(0, 10, 0), true).unwrap_err().code(),
        EAI_FAMILY
    );
    assert_eq!(
        check_hints(&h(0x2000, 0, 0), true).unwrap_err().code(),
        EAI_BADFLAGS
    );
    assert_eq!(
        check_hints(&h(AI_FQDN | AI_CANONNAME, 0, 0), true)
            .unwrap_err()
            .code(),
        EAI_BADFLAGS
    );
    assert_eq!(
        check_hints(&h(AI_CANONNAME, 0, 0), false)
            .unwrap_err()
            .code(),
        WSANO_RECOVERY
    );
    assert!(check_hints(&h(AI_ALL | AI_DNS_ONLY, AF_INET6, SOCK_DGRAM), true).is_ok());
    assert_eq!(
        node_for_glibc(b"[beef::cafe]:10239", AF_UNSPEC).unwrap(),
        b"beef::cafe"
    );
    assert_eq!(
        node_for_glibc(b"[beef::cafe]", AF_INET).unwrap(),
        b"[beef::cafe]"
    );
    assert_eq!(
        node_for_glibc(b"[beef::cafe", AF_INET6).unwrap(),
        b"[beef::cafe"
    );
}

#[test]
fn numeric_names_need_no_lookup() {
    // P2: Microsoft's gethostbyname page.
    let h = gethostbyname(Some(b"10.1.2.3")).unwrap();
    assert_eq!(
        (h.name.as_slice(), h.addrs[0].as_slice()),
        (&b"10.1.2.3"[..], &[10u8, 1, 2, 3][..])
    );
    assert_eq!(
        gethostbyname(Some(b"10.1.2.300")).unwrap_err().code(),
        WSANO_DATA
    );
    assert_eq!(gethostbyname(Some(b"::1")).unwrap_err().code(), WSANO_DATA);
    let a = v4([192, 168, 1, 253]);
    let (host, serv) = getnameinfo(&a, NI_NUMERICHOST | NI_NUMERICSERV, true, true).unwrap();
    assert_eq!(
        (host.as_deref(), serv.as_deref()),
        (Some("192.168.1.253"), Some("80"))
    );
    assert_eq!(
        getnameinfo(&a, 0x40, true, false).unwrap_err().code(),
        EAI_BADFLAGS
    );
    assert_eq!(
        getnameinfo(&a, 0, false, false).unwrap_err().code(),
        EAI_NONAME
    );
    assert_eq!(
        sockaddr_from_bytes(&[2, 0, 0]).unwrap_err().code(),
        WSAEFAULT
    );
    assert_eq!(
        sockaddr_from_bytes(&[1, 0, 0, 0]).unwrap_err().code(),
        WSAEAFNOSUPPORT
    );
}
