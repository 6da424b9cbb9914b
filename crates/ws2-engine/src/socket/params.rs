//! `socket`/`WSASocket`'s parameter table: which (family, type, protocol)
//! triples make a socket, what the zeros stand for, and which error a bad
//! one gets, in Windows' order (Wine's Windows-run `test_WSASocket`,
//! dlls/ws2_32/tests/sock.c).

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::translate::Family;

use super::SocketKind;

/// The socket a Windows (family, type, protocol) asks for, with the zeros
/// filled in as Windows' provider table fills them: type 0 is the type of
/// the protocol (TCP: stream, UDP: datagram, another IP protocol: raw; 0:
/// stream), protocol 0 the type's own (TCP, UDP; raw keeps 0), `AF_UNSPEC`
/// with a protocol is `AF_INET`. The checks run in Windows' order:
/// `AF_UNSPEC` with protocol 0 is `WSAEINVAL` whatever the type; then an
/// unknown type is `WSAESOCKTNOSUPPORT`, an unknown family
/// `WSAEAFNOSUPPORT`, an unknown protocol or one the type does not carry
/// `WSAEPROTONOSUPPORT`.
///
/// ```
/// use ws2_engine::{socket::socket_params, Family, SocketKind};
/// use ws2_abi::*;
/// assert_eq!(socket_params(AF_INET, 0, IPPROTO_UDP)?, (Family::V4, SocketKind::Datagram, IPPROTO_UDP));
/// assert_eq!(socket_params(AF_UNSPEC, 0, IPPROTO_TCP)?, (Family::V4, SocketKind::Stream, IPPROTO_TCP));
/// assert_eq!(socket_params(AF_UNSPEC, SOCK_DGRAM, 0).unwrap_err().code(), WSAEINVAL);
/// assert_eq!(socket_params(0xdead, 0xdead, IPPROTO_TCP).unwrap_err().code(), WSAESOCKTNOSUPPORT);
/// assert_eq!(socket_params(AF_INET, SOCK_STREAM, IPPROTO_UDP).unwrap_err().code(), WSAEPROTONOSUPPORT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn socket_params(af: i32, ty: i32, protocol: i32) -> Result<(Family, SocketKind, i32)> {
    if af == abi::AF_UNSPEC && protocol == 0 {
        return Err(Error::new(
            abi::WSAEINVAL,
            "AF_UNSPEC needs a protocol to choose the address family from",
        ));
    }
    let kind = match ty {
        0 => None,
        other => Some(SocketKind::from_windows(other).ok_or_else(|| {
            Error::new(
                abi::WSAESOCKTNOSUPPORT,
                format!("socket type {other} is not SOCK_STREAM, SOCK_DGRAM or SOCK_RAW"),
            )
        })?),
    };
    let family = match af {
        abi::AF_UNSPEC => Family::V4,
        other => Family::from_windows(other).ok_or_else(|| {
            Error::new(
                abi::WSAEAFNOSUPPORT,
                format!("address family {other} is not AF_INET (2) or AF_INET6 (23)"),
            )
        })?,
    };
    let unsupported = || {
        Error::new(
            abi::WSAEPROTONOSUPPORT,
            format!("protocol {protocol} is not supported by socket type {ty}"),
        )
    };
    let ip_protocol = (0..=255).contains(&protocol);
    let (kind, protocol) = match (kind, protocol) {
        (None, 0) | (None, abi::IPPROTO_TCP) => (SocketKind::Stream, abi::IPPROTO_TCP),
        (None, abi::IPPROTO_UDP) => (SocketKind::Datagram, abi::IPPROTO_UDP),
        (None, p) if ip_protocol => (SocketKind::Raw, p),
        (Some(SocketKind::Stream), 0 | abi::IPPROTO_TCP) => (SocketKind::Stream, abi::IPPROTO_TCP),
        (Some(SocketKind::Datagram), 0 | abi::IPPROTO_UDP) => {
            (SocketKind::Datagram, abi::IPPROTO_UDP)
        }
        (Some(SocketKind::Raw), p) if ip_protocol => (SocketKind::Raw, p),
        _ => return Err(unsupported()),
    };
    Ok((family, kind, protocol))
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::*;

    #[test]
    fn windows_parameter_table() {
        // test_WSASocket's 29 rows.
        const BAD: i32 = 0xdead;
        let stream = Ok((Family::V4, SocketKind::Stream, IPPROTO_TCP));
        let dgram = Ok((Family::V4, SocketKind::Datagram, IPPROTO_UDP));
        let rows: [(i32, i32, i32, Result<_, i32>); 29] = [
            (BAD, SOCK_STREAM, IPPROTO_TCP, Err(WSAEAFNOSUPPORT)),
            (-1, SOCK_STREAM, IPPROTO_TCP, Err(WSAEAFNOSUPPORT)),
            (AF_INET, BAD, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
            (AF_INET, -1, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
            (AF_INET, SOCK_STREAM, BAD, Err(WSAEPROTONOSUPPORT)),
            (AF_INET, SOCK_STREAM, -1, Err(WSAEPROTONOSUPPORT)),
            (BAD, BAD, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
            (BAD, SOCK_STREAM, BAD, Err(WSAEAFNOSUPPORT)),
            (AF_INET, BAD, BAD, Err(WSAESOCKTNOSUPPORT)),
            (BAD, SOCK_STREAM, IPPROTO_UDP, Err(WSAEAFNOSUPPORT)),
            (AF_INET, SOCK_STREAM, 0, stream),
            (AF_INET, SOCK_DGRAM, 0, dgram),
            (AF_INET, BAD, 0, Err(WSAESOCKTNOSUPPORT)),
            (AF_INET, 0, IPPROTO_TCP, stream),
            (AF_INET, 0, IPPROTO_UDP, dgram),
            (AF_INET, 0, BAD, Err(WSAEPROTONOSUPPORT)),
            (AF_INET, 0, 0, stream),
            (AF_INET, SOCK_STREAM, IPPROTO_UDP, Err(WSAEPROTONOSUPPORT)),
            (AF_INET, SOCK_DGRAM, IPPROTO_TCP, Err(WSAEPROTONOSUPPORT)),
            (AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, stream),
            (AF_UNSPEC, SOCK_STREAM, BAD, Err(WSAEPROTONOSUPPORT)),
            (AF_UNSPEC, BAD, IPPROTO_UDP, Err(WSAESOCKTNOSUPPORT)),
            (AF_UNSPEC, SOCK_STREAM, 0, Err(WSAEINVAL)),
            (AF_UNSPEC, SOCK_DGRAM, 0, Err(WSAEINVAL)),
            (AF_UNSPEC, BAD, 0, Err(WSAEINVAL)),
            (AF_UNSPEC, 0, IPPROTO_TCP, stream),
            (AF_UNSPEC, 0, IPPROTO_UDP, dgram),
            (AF_UNSPEC, 0, BAD, Err(WSAEPROTONOSUPPORT)),
            (AF_UNSPEC, 0, 0, Err(WSAEINVAL)),
        ];
        for (i, (af, ty, protocol, want)) in rows.into_iter().enumerate() {
            let got = socket_params(af, ty, protocol).map_err(|e| e.code());
            assert_eq!(got, want, "row {i}");
        }
        // (0, 0, IPPROTO_RAW) and (AF_INET, SOCK_RAW, IPPROTO_TCP) are raw.
        assert_eq!(
            socket_params(AF_INET, 0, IPPROTO_RAW).unwrap().1,
            SocketKind::Raw
        );
        assert_eq!(
            socket_params(AF_INET, SOCK_RAW, IPPROTO_TCP).unwrap(),
            (Family::V4, SocketKind::Raw, IPPROTO_TCP)
        );
    }
}
