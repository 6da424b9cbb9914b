//! The one source of address-change notifications (SPEC P5), shared by
//! `SIO_ADDRESS_LIST_CHANGE` and `NotifyAddrChange`: an rtnetlink socket
//! subscribed to the IPv4 and IPv6 address groups, read by one thread per
//! network namespace that has requests waiting.
//!
//! A request is a [`Delivery`] (the engine's: an OVERLAPPED with its event,
//! routine or port packet, or a Rust callback) parked here until an address
//! of its family is added or removed. Whoever takes a request out of the
//! list under its lock completes it, with `socket::complete`: the
//! change (success, 0 bytes), `closesocket` (`cancel_socket`), the exit of
//! the issuing thread (`cancel_thread`) or `CancelIPChangeNotify`
//! (`cancel_overlapped`) — so each completes exactly once (S38).
//!
//! The socket is opened before the first request of a namespace is
//! accepted, so every change after the call is seen; its thread ends (and
//! the socket closes, releasing the namespace) once nothing waits. A fork
//! child starts sources of its own and drops its copies of the parent's
//! requests without completing them (S43).
//!
//! `FD_ADDRESS_LIST_CHANGE`: a non-blocking socket that asked without an
//! OVERLAPPED got `WSAEWOULDBLOCK` and is *armed* (`arm`); the next change
//! records the event in that socket's network-event record only (P1:
//! `WSAEventSelect` signals its event, `WSAEnumNetworkEvents` reports it).

use std::collections::HashMap;
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};
use ws2_abi as abi;

use crate::completion::Delivery;
use crate::error::{Error, Result};
use crate::fork::{Locked, lock};
use crate::socket::SocketCore;

/// `RTMGRP_IPV4_IFADDR` | `RTMGRP_IPV6_IFADDR` (linux/rtnetlink.h).
const ADDRESS_GROUPS: u32 = 0x10 | 0x100;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
/// How often an idle reader checks whether it is still needed.
const IDLE_CHECK: Duration = Duration::from_millis(500);

/// Which address families a request waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Families {
    pub v4: bool,
    pub v6: bool,
}

impl Families {
    pub(crate) const V4: Families = Families {
        v4: true,
        v6: false,
    };
    pub(crate) const V6: Families = Families {
        v4: false,
        v6: true,
    };

    fn meets(self, other: Families) -> bool {
        (self.v4 && other.v4) || (self.v6 && other.v6)
    }
}

/// One parked request.
pub(crate) struct Request {
    /// The socket of a `SIO_ADDRESS_LIST_CHANGE` (its port, its waiters).
    pub core: Option<Arc<SocketCore>>,
    pub families: Families,
    pub delivery: Delivery,
    /// The caller's OVERLAPPED (0 for none), to find the request again.
    pub overlapped: usize,
    /// The issuing thread (`ThreadState::id`), for S37 at its exit.
    pub issuer: u64,
    /// Runs after the completion is delivered (`NotifyAddrChange` signals
    /// its notification handle).
    pub after: Option<Box<dyn FnOnce() + Send>>,
}

struct Armed {
    socket: Weak<SocketCore>,
    socket_id: u64,
    families: Families,
}

/// The requests of one network namespace.
struct Source {
    requests: Mutex<Vec<Request>>,
    armed: Mutex<Vec<Armed>>,
    /// The subscribed rtnetlink socket its reader thread owns (a fork
    /// child closes its copy).
    fd: libc::c_int,
}

impl Source {
    fn idle(&self) -> bool {
        lock(&self.requests).is_empty()
            && lock(&self.armed)
                .iter()
                .all(|a| a.socket.strong_count() == 0)
    }
}

/// The process's sources, by network-namespace inode.
#[derive(Default)]
struct Sources {
    /// The fork generation whose reader threads serve them (S43).
    generation: u64,
    by_ns: HashMap<u64, Arc<Source>>,
}

/// The sources, locked. In a fork child the parent's are let go first:
/// their reader threads do not exist here, and their requests are the
/// parent's, dropped without completing (S43); a request in the child
/// starts a source of its own.
fn sources() -> Locked<'static, Sources> {
    static SOURCES: OnceLock<Mutex<Sources>> = OnceLock::new();
    let all = SOURCES.get_or_init(Default::default);
    let mut locked = lock(all);
    if locked.generation == crate::fork::generation() {
        return locked;
    }
    locked.generation = crate::fork::generation();
    let parents = std::mem::take(&mut locked.by_ns);
    drop(locked);
    for source in parents.into_values() {
        // SAFETY: the child's copy of the parent's reader socket, which
        // nothing in the child uses; closed once (taken out of the map).
        unsafe { libc::close(source.fd) };
    }
    lock(all)
}

/// The calling thread's network namespace (0 when /proc cannot say).
fn current_netns() -> u64 {
    std::fs::metadata("/proc/thread-self/ns/net")
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
        .unwrap_or(0)
}

/// Runs `f` on the calling thread's namespace's source, started if need
/// be (its socket subscribed before `f` runs). The sources' lock is held
/// throughout, so a reader that finds its source idle cannot retire it
/// while a request is being added.
fn with_source_here<R>(f: impl FnOnce(&Source) -> R) -> Result<R> {
    let ns = current_netns();
    let mut map = sources();
    if let Some(s) = map.by_ns.get(&ns) {
        return Ok(f(s));
    }
    let socket = subscribe()?;
    let source = Arc::new(Source {
        requests: Mutex::default(),
        armed: Mutex::default(),
        fd: socket.as_raw_fd(),
    });
    let reader = source.clone();
    std::thread::Builder::new()
        .name("ws2-addr-changes".into())
        .spawn(move || read_changes(ns, socket, reader))
        .map_err(|e| {
            Error::new(
                abi::WSAENOBUFS,
                format!("cannot start the address-change reader thread: {e}"),
            )
        })?;
    let r = f(&source);
    map.by_ns.insert(ns, source);
    Ok(r)
}

fn subscribe() -> Result<Socket> {
    let fail = |what: &str, e: std::io::Error| {
        Error::new(
            e.raw_os_error()
                .map(abi::wsa_from_errno)
                .unwrap_or(abi::WSAENOBUFS),
            format!("rtnetlink address notifications: {what}: {e}"),
        )
    };
    let mut socket = Socket::new(NETLINK_ROUTE).map_err(|e| fail("socket", e))?;
    socket
        .bind(&SocketAddr::new(0, ADDRESS_GROUPS))
        .map_err(|e| fail("bind to the address groups", e))?;
    let timeout = libc::timeval {
        tv_sec: 0,
        tv_usec: IDLE_CHECK.as_micros() as libc::suseconds_t,
    };
    // SAFETY: a valid timeval of the size given, on a socket we own.
    let r = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&raw const timeout).cast(),
            size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(fail("SO_RCVTIMEO", std::io::Error::last_os_error()));
    }
    Ok(socket)
}

/// The reader thread of namespace `ns`.
fn read_changes(ns: u64, socket: Socket, source: Arc<Source>) {
    // SAFETY: sigfillset/pthread_sigmask on a local, valid sigset_t.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let changed = match socket.recv(&mut &mut buf[..], 0) {
            Ok(n) => families_in(&buf[..n.min(buf.len())]),
            // ENOBUFS: notifications were lost; assume both changed.
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => Families { v4: true, v6: true },
            Err(_) => Families {
                v4: false,
                v6: false,
            },
        };
        if changed.v4 || changed.v6 {
            fire(&source, changed);
        }
        let mut map = sources();
        if source.idle() {
            if map.by_ns.get(&ns).is_some_and(|s| Arc::ptr_eq(s, &source)) {
                map.by_ns.remove(&ns);
            }
            return; // the socket closes here
        }
    }
}

/// The families of the address messages in one datagram.
fn families_in(mut bytes: &[u8]) -> Families {
    let mut f = Families {
        v4: false,
        v6: false,
    };
    while bytes.len() >= 16 {
        let len = u32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        let kind = u16::from_ne_bytes([bytes[4], bytes[5]]);
        if len < 16 || len > bytes.len() {
            break;
        }
        if (kind == RTM_NEWADDR || kind == RTM_DELADDR) && len > 16 {
            match bytes[16] as i32 {
                libc::AF_INET => f.v4 = true,
                libc::AF_INET6 => f.v6 = true,
                _ => {}
            }
        }
        bytes = &bytes[((len + 3) & !3).min(bytes.len())..];
    }
    f
}

/// An address of `changed`'s families changed: completes the requests
/// waiting for them and records `FD_ADDRESS_LIST_CHANGE` for the armed
/// sockets.
fn fire(source: &Source, changed: Families) {
    let done: Vec<Request> = {
        let mut requests = lock(&source.requests);
        let (done, rest) = std::mem::take(&mut *requests)
            .into_iter()
            .partition(|r| r.families.meets(changed));
        *requests = rest;
        done
    };
    let fired: Vec<Armed> = {
        let mut armed = lock(&source.armed);
        let (fired, rest): (Vec<Armed>, Vec<Armed>) = std::mem::take(&mut *armed)
            .into_iter()
            .filter(|a| a.socket.strong_count() > 0)
            .partition(|a| a.families.meets(changed));
        *armed = rest;
        fired
    };
    // FD_ADDRESS_LIST_CHANGE in each armed socket's record, then the
    // WSAEventSelect events of those that select it (P1): recorded for
    // every socket before any waiter wakes, as one change is one event.
    let to_signal: Vec<_> = fired
        .iter()
        .filter_map(|a| a.socket.upgrade())
        .filter_map(|socket| {
            socket
                .event_record()
                .record_unsignalled(abi::FD_ADDRESS_LIST_CHANGE, 0)
        })
        .collect();
    for event in to_signal {
        event.set();
    }
    for r in done {
        finish(r, Ok(0));
    }
}

fn finish(r: Request, result: Result<usize>) {
    crate::socket::complete(r.core.as_deref(), r.delivery, result, false);
    if let Some(after) = r.after {
        after();
    }
}

fn aborted() -> Error {
    Error::new(
        abi::WSA_OPERATION_ABORTED,
        "the address-change request was cancelled (closesocket, CancelIo(Ex), CancelIPChangeNotify or thread exit)",
    )
}

/// Parks a request in the calling thread's namespace until an address of
/// its families changes. `on_accepted` runs under the lock just before the
/// request becomes visible (it writes `STATUS_PENDING`).
pub(crate) fn register(request: Request, on_accepted: impl FnOnce()) -> Result<()> {
    crate::completion::on_thread_exit(|thread| cancel_thread(thread.id));
    if let Some(core) = &request.core
        && core.is_closed()
    {
        return Err(Error::new(abi::WSAENOTSOCK, "the socket was closed"));
    }
    with_source_here(|source| {
        let mut requests = lock(&source.requests);
        if request.overlapped != 0 && requests.iter().any(|r| r.overlapped == request.overlapped) {
            return Err(Error::new(
                abi::WSAEINVAL,
                "this OVERLAPPED already has an address-change request pending",
            ));
        }
        on_accepted();
        requests.push(request);
        Ok(())
    })?
}

/// Arms `FD_ADDRESS_LIST_CHANGE` for `core` (a non-blocking
/// `SIO_ADDRESS_LIST_CHANGE` without an OVERLAPPED).
pub(crate) fn arm(core: &Arc<SocketCore>, families: Families) -> Result<()> {
    with_source_here(|source| {
        let mut armed = lock(&source.armed);
        if !armed.iter().any(|a| a.socket_id == core.id) {
            armed.push(Armed {
                socket: Arc::downgrade(core),
                socket_id: core.id,
                families,
            });
        }
    })
}

/// Takes (and clears) `core`'s recorded `FD_ADDRESS_LIST_CHANGE`: true once
/// after an address change that followed a non-blocking
/// `SIO_ADDRESS_LIST_CHANGE` on this socket, never for a socket that did not
/// ask (sock.c `test_sioAddressListChange`). `WSAEnumNetworkEvents` reports
/// the same pending event when it is selected.
///
/// ```
/// # use ws2_engine::{Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// assert!(!ws2_engine::addr_changes::address_list_change_recorded(&core));
/// # Ok::<(), ws2_engine::Error>(())
/// ```
pub fn address_list_change_recorded(core: &SocketCore) -> bool {
    let mut record = core.event_record();
    let recorded = record.pending & abi::FD_ADDRESS_LIST_CHANGE != 0;
    record.pending &= !abi::FD_ADDRESS_LIST_CHANGE;
    recorded
}

/// Takes the requests `pick` selects out of every namespace's list.
fn take_where(mut pick: impl FnMut(&Request) -> bool) -> Vec<Request> {
    let all: Vec<Arc<Source>> = sources().by_ns.values().cloned().collect();
    let mut out = Vec::new();
    for s in all {
        let mut requests = lock(&s.requests);
        let (taken, rest) = std::mem::take(&mut *requests)
            .into_iter()
            .partition(|r| pick(r));
        *requests = rest;
        out.extend::<Vec<Request>>(taken);
    }
    out
}

/// `closesocket`: the socket's requests complete with
/// `WSA_OPERATION_ABORTED` (S37; sock.c `test_sioAddressListChange`), and
/// it is disarmed.
pub(crate) fn cancel_socket(core: &SocketCore) {
    let id = core.id;
    let mine = take_where(|r| r.core.as_ref().is_some_and(|c| c.id == id));
    for r in mine {
        finish(r, Err(aborted()));
    }
    let all: Vec<Arc<Source>> = sources().by_ns.values().cloned().collect();
    for s in all {
        lock(&s.armed).retain(|a| a.socket_id != id);
    }
}

/// `CancelIo`/`CancelIoEx`: the overlapped requests of `core` that `pick`
/// chooses (by issuing thread and OVERLAPPED) complete with
/// `WSA_OPERATION_ABORTED`; returns how many.
pub(crate) fn cancel_socket_where(core: &SocketCore, pick: impl Fn(u64, usize) -> bool) -> usize {
    let id = core.id;
    let mine = take_where(|r| {
        r.core.as_ref().is_some_and(|c| c.id == id)
            && matches!(r.delivery, Delivery::Overlapped { .. })
            && pick(r.issuer, r.overlapped)
    });
    let n = mine.len();
    for r in mine {
        finish(r, Err(aborted()));
    }
    n
}

/// Thread exit: the thread's requests not tied to a completion port are
/// cancelled (S37).
pub(crate) fn cancel_thread(thread_id: u64) {
    let mine =
        take_where(|r| r.issuer == thread_id && r.core.as_ref().is_none_or(|c| c.port().is_none()));
    for r in mine {
        finish(r, Err(aborted()));
    }
}

/// `CancelIPChangeNotify`: cancels the request of this OVERLAPPED; false if
/// none is pending.
pub(crate) fn cancel_overlapped(overlapped: usize) -> bool {
    let mine = take_where(|r| r.overlapped == overlapped && r.core.is_none());
    let found = !mine.is_empty();
    for r in mine {
        finish(r, Err(aborted()));
    }
    found
}

/// Whether a pending request of `core` with this OVERLAPPED completes
/// through a routine (`WSAGetOverlappedResult` with `fWait`, S32).
pub(crate) fn pending_has_routine(core: &SocketCore, ov: *mut abi::WSAOVERLAPPED) -> Option<bool> {
    let all: Vec<Arc<Source>> = sources().by_ns.values().cloned().collect();
    all.iter().find_map(|s| {
        lock(&s.requests).iter().find_map(|r| {
            let mine =
                r.overlapped == ov as usize && r.core.as_ref().is_some_and(|c| c.id == core.id);
            let routine = matches!(
                &r.delivery,
                Delivery::Overlapped {
                    routine: Some(_),
                    ..
                }
            );
            mine.then_some(routine)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u16, family: u8) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&24u32.to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&[0; 10]);
        m.extend_from_slice(&[family, 0, 0, 0, 0, 0, 0, 0]);
        m
    }

    #[test]
    fn address_messages_name_their_family() {
        // P5: v4 requests wake on IPv4 changes only, v6 on IPv6.
        let mut both = message(RTM_NEWADDR, libc::AF_INET as u8);
        both.extend(message(RTM_DELADDR, libc::AF_INET6 as u8));
        assert_eq!(families_in(&both), Families { v4: true, v6: true });
        assert_eq!(
            families_in(&message(RTM_NEWADDR, libc::AF_INET6 as u8)),
            Families::V6
        );
        // A link message is not an address change.
        assert_eq!(
            families_in(&message(16, libc::AF_INET as u8)),
            Families {
                v4: false,
                v6: false
            }
        );
        assert_eq!(
            families_in(&[1, 2, 3]),
            Families {
                v4: false,
                v6: false
            }
        );
    }
}
