//! Address reuse as Windows decides it (P4; DESIGN.md, "Multicast and
//! address reuse"): `SO_REUSEADDR` and `SO_EXCLUSIVEADDRUSE` are kept by
//! ws2, and a bind is answered from Microsoft's table ("Using
//! SO_REUSEADDR and SO_EXCLUSIVEADDRUSE", the pairs Wine's Windows-run
//! `test_reuseaddr` records) against the other bound sockets of this
//! process. Where Windows allows a pair that Linux would refuse, both
//! kernel sockets get `SO_REUSEADDR` before the kernel bind. Across
//! processes Linux's rules apply.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::RawFd;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::lock;
use crate::translate::{Family, LinuxAddr};

use super::*;

/// One bound socket of this process.
struct Binding {
    id: u64,
    fd: RawFd,
    kind: SocketKind,
    views: Views,
    port: u16,
}

/// What a binding holds of each family's port space: its address there,
/// and its options at bind time.
#[derive(Clone, Copy)]
struct View {
    v4: bool,
    addr: IpAddr,
    option: Opt,
    /// The IPv4 wildcard held by an IPv6 wildcard bind.
    from_v6: bool,
}

type Views = [Option<View>; 2];

/// A socket's reuse option at bind time (the table's row or column).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opt {
    Default,
    Reuse,
    Exclusive,
}

static BINDINGS: Mutex<Vec<Binding>> = Mutex::new(Vec::new());

/// Windows' answer for a second bind (`second`) overlapping a first one
/// (`first`); `wild` says which of them is a wildcard address.
/// 0: success, else the Winsock error.
fn table(first: Opt, first_wild: bool, second: Opt, second_wild: bool) -> i32 {
    const S: i32 = 0;
    const INUSE: i32 = abi::WSAEADDRINUSE;
    const ACCESS: i32 = abi::WSAEACCES;
    // Rows: the first bind; columns: the second. Order: Default W, Default
    // S, Reuse W, Reuse S, Exclusive W, Exclusive S.
    const T: [[i32; 6]; 6] = [
        [INUSE, S, ACCESS, S, INUSE, S],
        [S, INUSE, S, ACCESS, INUSE, INUSE],
        [INUSE, S, S, S, INUSE, S],
        [S, INUSE, S, S, INUSE, INUSE],
        [INUSE, ACCESS, ACCESS, ACCESS, INUSE, ACCESS],
        [S, INUSE, S, ACCESS, INUSE, INUSE],
    ];
    let index = |o: Opt, wild: bool| {
        (match o {
            Opt::Default => 0,
            Opt::Reuse => 2,
            Opt::Exclusive => 4,
        }) + usize::from(!wild)
    };
    T[index(first, first_wild)][index(second, second_wild)]
}

fn views(addr: &SocketAddr, family: Family, dual: bool, option: Opt) -> Views {
    match (family, addr.ip()) {
        (_, IpAddr::V4(a)) => [
            Some(View {
                v4: true,
                addr: a.into(),
                option,
                from_v6: false,
            }),
            None,
        ],
        (_, IpAddr::V6(a)) => match a.to_ipv4_mapped() {
            Some(v4) => [
                Some(View {
                    v4: true,
                    addr: v4.into(),
                    option,
                    from_v6: false,
                }),
                None,
            ],
            None => {
                let v6 = Some(View {
                    v4: false,
                    addr: a.into(),
                    option,
                    from_v6: false,
                });
                // An IPv6 wildcard holds the IPv4 wildcard when it is
                // exclusive, also with IPV6_V6ONLY (Wine's tests_exclusive,
                // on Windows' default V6ONLY sockets: records 2, 11, 12,
                // 15), and when it is dual-stack (the kernel's rule).
                let v4 =
                    (a.is_unspecified() && (dual || option == Opt::Exclusive)).then_some(View {
                        v4: true,
                        addr: Ipv4Addr::UNSPECIFIED.into(),
                        option,
                        from_v6: true,
                    });
                [v6, v4]
            }
        },
    }
}

/// The first refusal among the overlaps of `new` with `old`, and whether
/// they overlap at all.
fn decide(old: &Views, new: &Views) -> (bool, i32) {
    let mut overlap = false;
    for o in old.iter().flatten() {
        for n in new.iter().flatten() {
            if o.v4 != n.v4 {
                continue;
            }
            let (ow, nw) = (o.addr.is_unspecified(), n.addr.is_unspecified());
            if !(ow || nw || o.addr == n.addr) {
                continue;
            }
            overlap = true;
            let mut code = table(o.option, ow, n.option, nw);
            if code != 0 && o.from_v6 && o.option == Opt::Exclusive {
                // tests_exclusive record 11: WSAEACCES, where two IPv4
                // wildcards would answer WSAEADDRINUSE.
                code = abi::WSAEACCES;
            }
            if code != 0 {
                return (true, code);
            }
        }
    }
    (overlap, 0)
}

impl SocketCore {
    fn reuse_option(&self) -> Opt {
        let state = self.state.load(Ordering::Acquire);
        if state & EXCLUSIVE_ADDR != 0 {
            Opt::Exclusive
        } else if state & REUSE_ADDR != 0 {
            Opt::Reuse
        } else {
            Opt::Default
        }
    }

    /// `SO_REUSEADDR`: `WSAEINVAL` while `SO_EXCLUSIVEADDRUSE` is on
    /// (Wine's `test_reuseaddr`). Also the kernel's option, so that
    /// sockets of other processes share the port by Linux's rules.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_exclusive_addr_use(true)?;
    /// assert_eq!(core.set_reuse_addr(true).unwrap_err().code(), ws2_abi::WSAEINVAL);
    /// core.set_exclusive_addr_use(false)?;
    /// core.set_reuse_addr(true)?;
    /// assert!(core.reuse_addr());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_reuse_addr(&self, on: bool) -> Result<()> {
        if on && self.has(EXCLUSIVE_ADDR) {
            return Err(Error::new(
                abi::WSAEINVAL,
                "SO_REUSEADDR cannot be set while SO_EXCLUSIVEADDRUSE is on",
            ));
        }
        set_int(
            self.raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            on as i32,
            "setsockopt(SO_REUSEADDR)",
        )?;
        self.set_state_bit(REUSE_ADDR, on);
        Ok(())
    }

    /// See [`SocketCore::set_reuse_addr`].
    pub fn reuse_addr(&self) -> bool {
        self.has(REUSE_ADDR)
    }

    /// `SO_EXCLUSIVEADDRUSE`: `WSAEINVAL` while `SO_REUSEADDR` is on.
    pub fn set_exclusive_addr_use(&self, on: bool) -> Result<()> {
        if on && self.has(REUSE_ADDR) {
            return Err(Error::new(
                abi::WSAEINVAL,
                "SO_EXCLUSIVEADDRUSE cannot be set while SO_REUSEADDR is on",
            ));
        }
        self.set_state_bit(EXCLUSIVE_ADDR, on);
        Ok(())
    }

    /// See [`SocketCore::set_exclusive_addr_use`].
    pub fn exclusive_addr_use(&self) -> bool {
        self.has(EXCLUSIVE_ADDR)
    }

    pub(super) fn set_state_bit(&self, bit: u64, on: bool) {
        if on {
            self.state.fetch_or(bit, Ordering::AcqRel);
        } else {
            self.state.fetch_and(!bit, Ordering::AcqRel);
        }
    }

    /// Binds the kernel socket to `la` (the Linux form of `addr`) if
    /// Windows' table allows it against this process's bound sockets.
    pub(super) fn bind_checked(&self, addr: &SocketAddr, la: &LinuxAddr) -> Result<()> {
        let dual = self.family == Family::V6 && !self.has(V6ONLY);
        let option = self.reuse_option();
        let new = views(addr, self.family, dual, option);
        let reuse_wanted = option == Opt::Reuse;
        let mut bindings = lock(&BINDINGS);
        let mut shared = Vec::new();
        if addr.port() != 0 && self.kind != SocketKind::Raw {
            for b in bindings.iter() {
                if b.kind != self.kind || b.port != addr.port() || b.id == self.id {
                    continue;
                }
                let (overlap, code) = decide(&b.views, &new);
                if code != 0 {
                    return Err(Error::new(
                        code,
                        format!(
                            "bind to {addr}: another socket of this process holds the port{}",
                            if code == abi::WSAEACCES {
                                " exclusively, or without SO_REUSEADDR where this one asks to share it"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
                if overlap {
                    shared.push(b.fd);
                }
            }
        }
        // Linux refuses any overlap unless both kernel sockets reuse; a
        // bind to port 0 must not land on a port a reusing socket holds.
        for fd in &shared {
            let _ = set_int(*fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1, "setsockopt");
        }
        let kernel_reuse = !shared.is_empty() || (reuse_wanted && addr.port() != 0);
        let _ = set_int(
            self.raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            kernel_reuse as i32,
            "setsockopt(SO_REUSEADDR)",
        );
        // SAFETY: la holds a valid sockaddr of la.len() bytes.
        let r = cvt(
            unsafe { libc::bind(self.raw_fd(), la.as_ptr(), la.len()) },
            "bind",
        );
        if reuse_wanted != kernel_reuse {
            let _ = set_int(
                self.raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                reuse_wanted as i32,
                "setsockopt(SO_REUSEADDR)",
            );
        }
        r?;
        self.register_binding(&mut bindings, option, dual);
        Ok(())
    }

    fn register_binding(&self, bindings: &mut Vec<Binding>, option: Opt, dual: bool) {
        if self.kind == SocketKind::Raw {
            return;
        }
        let Ok(Some(local)) = self.kernel_local_addr() else {
            return;
        };
        bindings.retain(|b| b.id != self.id);
        bindings.push(Binding {
            id: self.id,
            fd: self.raw_fd(),
            kind: self.kind,
            views: views(&local, self.family, dual, option),
            port: local.port(),
        });
        self.state.fetch_or(REGISTERED, Ordering::Release);
    }

    /// A registered socket's kernel socket was bound anew, to the same
    /// address on a port the kernel chose
    /// (`SocketCore::reuse_stream_socket`): its entry takes the port.
    pub(super) fn refresh_binding_port(&self) {
        if !self.has(REGISTERED) {
            return;
        }
        let Ok(Some(local)) = self.kernel_local_addr() else {
            return;
        };
        if let Some(b) = lock(&BINDINGS).iter_mut().find(|b| b.id == self.id) {
            b.port = local.port();
        }
    }

    /// Takes the socket out of the registry (`closesocket`, drop): its
    /// port is free for the process's other sockets.
    pub(crate) fn forget_binding(&self) {
        if self.state.fetch_and(!REGISTERED, Ordering::AcqRel) & REGISTERED != 0 {
            lock(&BINDINGS).retain(|b| b.id != self.id);
        }
    }
}

/// Lets this process's sockets on `port` share it in the kernel (a group
/// socket binds the group address on it, `groups`).
pub(super) fn share_port(family: Family, port: u16) {
    let _ = family;
    for b in lock(&BINDINGS).iter().filter(|b| b.port == port) {
        let _ = set_int(b.fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1, "setsockopt");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_table_and_wine_records() {
        // P4: MS "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE" (Windows
        // Server 2003 and later) and sock.c test_reuseaddr / tests_exclusive.
        use Opt::*;
        let w = true;
        let s = false;
        assert_eq!(table(Default, s, Reuse, s), abi::WSAEACCES); // test_reuseaddr A
        assert_eq!(table(Reuse, s, Reuse, s), 0); // B2
        assert_eq!(table(Default, w, Default, s), 0); // C
        assert_eq!(table(Default, s, Default, w), 0); // D
        assert_eq!(table(Default, w, Default, w), abi::WSAEADDRINUSE); // E
        assert_eq!(table(Exclusive, w, Default, s), abi::WSAEACCES); // exclusive 1
        assert_eq!(table(Default, w, Exclusive, s), 0); // 3
        assert_eq!(table(Exclusive, w, Exclusive, s), abi::WSAEACCES); // 4
        assert_eq!(table(Exclusive, s, Default, w), 0); // 5
        assert_eq!(table(Default, s, Exclusive, w), abi::WSAEADDRINUSE); // 6
        assert_eq!(table(Exclusive, s, Default, s), abi::WSAEADDRINUSE); // 20
        assert_eq!(table(Default, s, Exclusive, s), abi::WSAEADDRINUSE); // 21
    }

    #[test]
    fn dual_stack_wildcard_holds_ipv4_only_when_exclusive() {
        // P4: tests_exclusive records 2, 11, 12, 15, 16.
        let any6: SocketAddr = "[::]:9375".parse().unwrap();
        let any4: SocketAddr = "0.0.0.0:9375".parse().unwrap();
        let lo4: SocketAddr = "127.0.0.1:9375".parse().unwrap();
        let mapped_any: SocketAddr = "[::ffff:0.0.0.0]:9375".parse().unwrap();
        let v = |a: &SocketAddr, f, dual, o| views(a, f, dual, o);
        // Windows' AF_INET6 sockets are IPV6_V6ONLY by default.
        let dual_plain = v(&any6, Family::V6, false, Opt::Default);
        let dual_excl = v(&any6, Family::V6, false, Opt::Exclusive);
        let v4_plain = v(&any4, Family::V4, false, Opt::Default);
        let v4_excl = v(&any4, Family::V4, false, Opt::Exclusive);
        assert_eq!(decide(&dual_plain, &v4_plain).1, 0); // 15
        assert_eq!(decide(&dual_plain, &v4_excl).1, 0); // 12
        assert_eq!(decide(&dual_excl, &v4_plain).1, abi::WSAEACCES); // 11
        let lo = v(&lo4, Family::V4, false, Opt::Default);
        assert_eq!(decide(&dual_excl, &lo).1, abi::WSAEACCES); // 2
        let mapped = v(&mapped_any, Family::V6, true, Opt::Default);
        assert_eq!(decide(&mapped, &v4_plain).1, abi::WSAEADDRINUSE); // 16
        // A dual-stack wildcard holds the IPv4 port as Linux's does.
        let dual = v(&any6, Family::V6, true, Opt::Default);
        assert_eq!(decide(&dual, &v4_plain).1, abi::WSAEADDRINUSE);
    }
    #[test]
    fn every_record_of_tests_exclusive() {
        // P4: sock.c test_reuseaddr's tests_exclusive, in order: the first
        // socket bound, then the second; TRUE marks SO_EXCLUSIVEADDRUSE.
        // Windows' AF_INET6 sockets are IPV6_V6ONLY by default.
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        let (any4, lo4) = (a("0.0.0.0:9375"), a("127.0.0.1:9375"));
        let (any6, lo6) = (a("[::]:9375"), a("[::1]:9375"));
        let (any6m, lo6m) = (a("[::ffff:0.0.0.0]:9375"), a("[::ffff:127.0.0.1]:9375"));
        let view = |addr: SocketAddr, exclusive: bool| {
            let family = if addr.is_ipv4() {
                Family::V4
            } else {
                Family::V6
            };
            let option = if exclusive {
                Opt::Exclusive
            } else {
                Opt::Default
            };
            views(&addr, family, false, option)
        };
        let (ok, inuse, acces) = (0, abi::WSAEADDRINUSE, abi::WSAEACCES);
        let records = [
            (any4, true, lo4, false, acces),
            (any6, true, lo4, false, acces),
            (any4, false, lo4, true, ok),
            (any4, true, lo4, true, acces),
            (lo4, true, any4, false, ok),
            (lo4, false, any4, true, inuse),
            (lo4, false, any6, true, inuse),
            (lo6, false, any4, true, ok),
            (lo6, true, lo4, true, ok),
            (lo6m, false, any4, true, inuse),
            (any6, true, any4, false, acces),
            (any6, false, any4, true, ok),
            (any4, false, any4, true, inuse),
            (any4, false, any4, false, inuse),
            (any6, false, any4, false, ok),
            (any6m, false, any4, false, inuse),
            (lo6m, false, lo4, false, inuse),
            (lo4, false, lo6m, false, inuse),
            (lo6, true, lo4, true, ok),
            (lo4, true, lo4, false, inuse),
            (lo4, false, lo4, true, inuse),
        ];
        for (i, (first, x1, second, x2, want)) in records.into_iter().enumerate() {
            let got = decide(&view(first, x1), &view(second, x2)).1;
            assert_eq!(got, want, "record {i}: {first} ({x1}) then {second} ({x2})");
        }
    }
}
