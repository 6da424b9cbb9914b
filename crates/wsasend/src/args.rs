//! Command-line values: ports, rates, durations, TOS bytes, and host names
//! resolved to socket addresses.
//!
//! The clap value parsers here return a one-line message naming what is
//! wrong and what is accepted; `main` prefixes it with the argument.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::{AppError, AppResult};

/// Which address family a name may resolve to (`-4`, `-6`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilyPref {
    Any,
    V4,
    V6,
}

impl FamilyPref {
    pub fn from_flags(v4: bool, v6: bool) -> FamilyPref {
        match (v4, v6) {
            (true, _) => FamilyPref::V4,
            (_, true) => FamilyPref::V6,
            _ => FamilyPref::Any,
        }
    }

    fn accepts(self, ip: IpAddr) -> bool {
        match self {
            FamilyPref::Any => true,
            FamilyPref::V4 => ip.is_ipv4(),
            FamilyPref::V6 => ip.is_ipv6(),
        }
    }
}

/// A UDP port to send to or listen on: 1-65535.
pub fn parse_port(s: &str) -> Result<u16, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("port 0 is not a port to send to or listen on (1-65535)".into()),
        Ok(p) if p <= 65535 => Ok(p as u16),
        Ok(p) => Err(format!("port {p} is out of range (1-65535)")),
        Err(_) => Err(format!("'{s}' is not a port number (1-65535)")),
    }
}

/// A byte: decimal 0-255 or hex 0x00-0xff.
pub fn parse_u8(s: &str) -> Result<u8, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u8::from_str_radix(hex, 16),
        None => s.parse::<u8>(),
    };
    r.map_err(|_| format!("'{s}' is not 0-255 or 0x00-0xff"))
}

/// Longest `--duration`, `--interval` or `--timeout`: a year.
const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// A duration: a number of seconds (`10`, `0.5`) or a number with a unit
/// (`250ms`, `10s`, `5m`, `1h`); more than 0, at most a year.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (t, 1.0)
    };
    let bad = || format!("'{s}' is not a duration (seconds, or a number with ms, s, m or h)");
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let v: f64 = num.parse().map_err(|_| bad())?;
    let secs = v * scale;
    if secs <= 0.0 {
        return Err(format!("'{s}' is not a duration longer than 0"));
    }
    if secs > MAX_DURATION.as_secs_f64() {
        return Err(format!("'{s}' is out of range (at most a year)"));
    }
    Ok(Duration::from_secs_f64(secs).max(Duration::from_millis(1)))
}

/// `--rate`: how fast `send` may go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rate {
    /// A plain number: datagrams per second.
    Datagrams(f64),
    /// A number with a unit (`k`, `M`, `G`, optionally followed by `bit`,
    /// or `bit` alone): bits of UDP payload per second, decimal multiples.
    Bits(f64),
}

const MAX_DATAGRAM_RATE: f64 = 10_000_000.0;
const MAX_BIT_RATE: f64 = 1e12;

/// Parses `--rate` (see [`Rate`]): `1000` is 1000 datagrams/s; `800k`,
/// `10M`, `1G`, `10Mbit`, `64000bit` are bits/s.
pub fn parse_rate(s: &str) -> Result<Rate, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "'{s}' is not a rate: a number is datagrams/s (e.g. 1000), a number with k, M or G (optionally + 'bit') is bits/s (e.g. 10M)"
        )
    };
    let (body, bits) = match t.strip_suffix("bit") {
        Some(b) => (b, true),
        None => (t, false),
    };
    let (num, mult, bits) = match body.chars().last() {
        Some('k' | 'K') => (&body[..body.len() - 1], 1e3, true),
        Some('M') => (&body[..body.len() - 1], 1e6, true),
        Some('G') => (&body[..body.len() - 1], 1e9, true),
        _ => (body, 1.0, bits),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let v = num.parse::<f64>().map_err(|_| bad())? * mult;
    if v <= 0.0 {
        return Err(format!("'{s}' is not a rate above 0"));
    }
    if bits {
        if v > MAX_BIT_RATE {
            return Err(format!("'{s}' is out of range (at most 1000G bits/s)"));
        }
        Ok(Rate::Bits(v))
    } else {
        if v > MAX_DATAGRAM_RATE {
            return Err(format!(
                "'{s}' is out of range (at most 10000000 datagrams/s; for bits/s add k, M or G)"
            ));
        }
        Ok(Rate::Datagrams(v))
    }
}

/// Splits `HOST:PORT`, `[IPV6]:PORT` or `IPV4:PORT`. `what` names the
/// argument in messages.
pub fn split_host_port(s: &str, what: &str) -> AppResult<(String, u16)> {
    let usage = |m: String| AppError::usage(format!("{what} '{s}': {m}"));
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| usage("no ']' after the IPv6 address".into()))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| usage("expected [IPV6]:PORT".into()))?;
        (host, port)
    } else {
        match s.split_once(':') {
            Some((host, port)) if !port.contains(':') => (host, port),
            Some(_) => {
                return Err(usage(
                    "an IPv6 address with a port needs brackets: [IPV6]:PORT".into(),
                ));
            }
            None => return Err(usage("expected HOST:PORT (or HOST and PORT)".into())),
        }
    };
    if host.is_empty() {
        return Err(usage("no host before the port".into()));
    }
    let port = parse_port(port).map_err(usage)?;
    Ok((host.to_string(), port))
}

/// Resolves `host` (an IP literal, bracketed or not, or a name through the
/// system's resolver) to one address of the family `family` allows, and of
/// `like`'s family if given (so `--from` and the destination agree).
pub fn resolve(
    host: &str,
    port: u16,
    family: FamilyPref,
    like: Option<IpAddr>,
) -> AppResult<SocketAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let fits = |ip: IpAddr| family.accepts(ip) && like.is_none_or(|l| l.is_ipv4() == ip.is_ipv4());
    if let Ok(ip) = bare.parse::<IpAddr>() {
        let name = |ip: IpAddr| if ip.is_ipv4() { "IPv4" } else { "IPv6" };
        return match like {
            _ if !family.accepts(ip) => Err(AppError::usage(format!(
                "{ip} is not an {} address (-4/-6)",
                wanted(family, None)
            ))),
            Some(l) if !fits(ip) => Err(AppError::usage(format!(
                "the destination {ip} is {} but --from {l} is {}",
                name(ip),
                name(l)
            ))),
            _ => Ok(SocketAddr::new(ip, port)),
        };
    }
    let all: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|e| AppError::resolve(format!("cannot resolve '{bare}': {e}")))?
        .collect();
    all.iter().copied().find(|a| fits(a.ip())).ok_or_else(|| {
        AppError::resolve(format!(
            "'{bare}' has no {} address (it resolves to {})",
            wanted(family, like),
            if all.is_empty() {
                "nothing".to_string()
            } else {
                all.iter()
                    .map(|a| a.ip().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ))
    })
}

fn wanted(family: FamilyPref, like: Option<IpAddr>) -> &'static str {
    match (family, like) {
        (FamilyPref::V4, _) | (FamilyPref::Any, Some(IpAddr::V4(_))) => "IPv4",
        (FamilyPref::V6, _) | (FamilyPref::Any, Some(IpAddr::V6(_))) => "IPv6",
        (FamilyPref::Any, None) => "IPv4 or IPv6",
    }
}

/// The local address `recv` listens on, from `[ADDRESS] PORT`, `ADDR:PORT`
/// or `--bind`: without an address, every address (`[::]` dual-stack, or
/// `0.0.0.0` with `-4`).
pub fn listen_address(
    positional: &[String],
    bind: Option<&str>,
    family: FamilyPref,
) -> AppResult<SocketAddr> {
    let any = |port| match family {
        FamilyPref::V4 => SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port),
        _ => SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), port),
    };
    let port_of = |s: &str| parse_port(s).map_err(|m| AppError::usage(format!("PORT: {m}")));
    match (positional, bind) {
        ([], Some(b)) => {
            let (host, port) = split_host_port(b, "--bind")?;
            resolve(&host, port, family, None)
        }
        ([one], None) if one.contains(':') => {
            let (host, port) = split_host_port(one, "ADDRESS")?;
            resolve(&host, port, family, None)
        }
        ([port], None) => Ok(any(port_of(port)?)),
        ([host, port], None) => resolve(host, port_of(port)?, family, None),
        ([], None) => Err(AppError::usage(
            "recv needs a PORT to listen on ([ADDRESS] PORT)",
        )),
        _ => Err(AppError::usage(
            "recv takes [ADDRESS] PORT or --bind ADDR:PORT, not both",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(parse_port("9000"), Ok(9000));
        assert!(parse_port("0").unwrap_err().contains("port 0"));
        assert!(parse_port("65536").unwrap_err().contains("out of range"));
        assert!(parse_port("http").unwrap_err().contains("not a port"));
        assert!(parse_port("-1").is_err());
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("1000"), Ok(Rate::Datagrams(1000.0)));
        assert_eq!(parse_rate("0.5"), Ok(Rate::Datagrams(0.5)));
        assert_eq!(parse_rate("800k"), Ok(Rate::Bits(800e3)));
        assert_eq!(parse_rate("10M"), Ok(Rate::Bits(10e6)));
        assert_eq!(parse_rate("10Mbit"), Ok(Rate::Bits(10e6)));
        assert_eq!(parse_rate("1G"), Ok(Rate::Bits(1e9)));
        assert_eq!(parse_rate("64000bit"), Ok(Rate::Bits(64000.0)));
        for bad in ["", "fast", "10x", "k", "-5", "1e3", "10 M", "10m"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert!(parse_rate("0").unwrap_err().contains("above 0"));
        assert!(parse_rate("20000000").unwrap_err().contains("out of range"));
        assert!(parse_rate("2000G").unwrap_err().contains("out of range"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["", "soon", "-1", "1d", "ms", "1.2.3"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_duration("0").unwrap_err().contains("longer than 0"));
        assert!(parse_duration("400d").is_err());
        assert!(
            parse_duration("9000h")
                .unwrap_err()
                .contains("out of range")
        );
    }

    #[test]
    fn bytes() {
        assert_eq!(parse_u8("0xb8"), Ok(0xb8));
        assert_eq!(parse_u8("40"), Ok(40));
        assert!(parse_u8("256").is_err());
        assert!(parse_u8("0x1ff").is_err());
    }

    #[test]
    fn host_port_forms() {
        let ok = |s| split_host_port(s, "--to").unwrap();
        assert_eq!(ok("example:53"), ("example".to_string(), 53));
        assert_eq!(ok("127.0.0.1:9"), ("127.0.0.1".to_string(), 9));
        assert_eq!(ok("[::1]:9000"), ("::1".to_string(), 9000));
        for bad in ["::1:9000", "host", "host:0", "host:99999", ":9", "[::1]9"] {
            let e = split_host_port(bad, "--to").unwrap_err();
            assert_eq!(e.exit, crate::exit::USAGE, "{bad}");
            assert!(
                e.message.contains("--to") && e.message.contains(bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn literals_never_touch_the_resolver() {
        let v6 = resolve("[::1]", 9, FamilyPref::Any, None).unwrap();
        assert_eq!(v6, "[::1]:9".parse().unwrap());
        let e = resolve("::1", 9, FamilyPref::V4, None).unwrap_err();
        assert_eq!(e.exit, crate::exit::USAGE);
        let e = resolve(
            "127.0.0.1",
            9,
            FamilyPref::Any,
            Some("::1".parse().unwrap()),
        );
        assert!(e.unwrap_err().message.contains("--from ::1 is IPv6"));
    }

    #[test]
    fn listen_forms() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let any = listen_address(&s(&["9000"]), None, FamilyPref::Any).unwrap();
        assert_eq!(any, "[::]:9000".parse().unwrap());
        let v4 = listen_address(&s(&["9000"]), None, FamilyPref::V4).unwrap();
        assert_eq!(v4, "0.0.0.0:9000".parse().unwrap());
        let one = listen_address(&s(&["127.0.0.1", "9"]), None, FamilyPref::Any).unwrap();
        assert_eq!(one, "127.0.0.1:9".parse().unwrap());
        let joined = listen_address(&s(&["[::1]:9"]), None, FamilyPref::Any).unwrap();
        assert_eq!(joined, "[::1]:9".parse().unwrap());
        let bind = listen_address(&[], Some("127.0.0.1:9"), FamilyPref::Any).unwrap();
        assert_eq!(bind, "127.0.0.1:9".parse().unwrap());
        for bad in [&s(&["0"])[..], &s(&["x"]), &[]] {
            let e = listen_address(bad, None, FamilyPref::Any).unwrap_err();
            assert_eq!(e.exit, crate::exit::USAGE, "{bad:?}");
        }
    }
}
