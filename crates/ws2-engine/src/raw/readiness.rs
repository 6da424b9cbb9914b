//! `select`, `WSAPoll`, `WSAEventSelect`, `WSAEnumNetworkEvents` and
//! `__WSAFDIsSet` on the caller's structures (SPEC P1), with the argument
//! rules and write-back Wine's Windows-run tests record (sock.c
//! `test_select`, `test_WSAPoll`, `test_WSAEnumNetworkEvents`; the research
//! sheet `research-readiness.md` §1–§3). The waiting is
//! [`readiness::PollSet`]'s.

use std::cell::RefCell;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ws2_abi as abi;

use crate::completion;
use crate::error::{Error, Result};
use crate::handles;
use crate::io;
use crate::readiness::{
    self, FOUND_CLOSED, FOUND_DATA, FOUND_ERROR, FOUND_EXCEPT, FOUND_HANGUP, FOUND_OOB, FOUND_READ,
    FOUND_WRITE, PollSet, WANT_EXCEPT, WANT_HANGUP, WANT_OOB, WANT_READ, WANT_WRITE,
};
use crate::socket::SocketCore;
use crate::translate::caller_memory;

/// What one thread keeps between readiness calls, so that a call allocates
/// nothing once its sets have grown to their size.
#[derive(Default)]
struct Scratch {
    set: PollSet,
    /// The handle of each watch (`select`).
    handles: Vec<usize>,
    /// `WSAPoll`: the watch of each entry (`NOT_A_SOCKET`: none).
    watch_of: Vec<usize>,
    /// `select`: sockets already written back, per output set.
    marks: Marks,
    /// The socket each entry position named in this thread's last call.
    sockets: SocketCache,
}

/// The socket each entry position of the last call named, held weakly (a
/// closed socket is let go at once): a program that passes the same sets
/// call after call (a server's loop) finds each socket without a lookup in
/// the handle table. A handle value names one socket for as long as it is
/// open (`handles`: values come back only after 2^20 closes), so an entry
/// whose value is unchanged and whose socket is still open is that socket.
#[derive(Default)]
struct SocketCache {
    entries: Vec<(usize, Weak<SocketCore>)>,
}

impl SocketCache {
    /// The open socket `handle` names (entry `i` of the call); `None` for a
    /// value that is not an open socket.
    #[inline]
    fn socket(&mut self, i: usize, handle: usize) -> Option<Arc<SocketCore>> {
        if let Some((cached, weak)) = self.entries.get(i)
            && *cached == handle
            && let Some(core) = weak.upgrade()
            && !core.is_closed()
        {
            return Some(core);
        }
        let core: Arc<SocketCore> = (*handles::socket(handle).ok()?).clone();
        let entry = (handle, Arc::downgrade(&core));
        match self.entries.get_mut(i) {
            Some(slot) => *slot = entry,
            None => {
                self.entries.resize_with(i, || (0, Weak::new()));
                self.entries.push(entry);
            }
        }
        Some(core)
    }
}

const NOT_A_SOCKET: usize = usize::MAX;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch (taken out, so that a call made by a
/// completion routine running inside the wait gets one of its own), and
/// lets go of the sockets it held afterwards.
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let mut scratch = SCRATCH
        .try_with(|c| std::mem::take(&mut *c.borrow_mut()))
        .unwrap_or_default();
    let r = f(&mut scratch);
    scratch.set.clear();
    let _ = SCRATCH.try_with(|c| *c.borrow_mut() = scratch);
    r
}

fn not_a_socket(handle: usize) -> Error {
    Error::new(
        abi::WSAENOTSOCK,
        format!("select: handle {handle:#x} in an fd_set is not an open socket"),
    )
}

/// Marks of handles (by table slot) already written to an output set.
#[derive(Default)]
struct Marks {
    bits: [Vec<u64>; 3],
    touched: Vec<(usize, usize)>,
}

impl Marks {
    /// Marks `slot` in set `set`; false if it was marked already.
    fn mark(&mut self, set: usize, slot: usize) -> bool {
        let bits = &mut self.bits[set];
        if bits.is_empty() {
            bits.resize(handles::SLOT_COUNT.div_ceil(64), 0);
        }
        let (word, bit) = (slot / 64, 1u64 << (slot % 64));
        if bits[word] & bit != 0 {
            return false;
        }
        bits[word] |= bit;
        self.touched.push((set, word));
        true
    }

    fn clear(&mut self) {
        for (set, word) in self.touched.drain(..) {
            self.bits[set][word] = 0;
        }
    }
}

/// The deadline of a `select` timeout (glibc's `struct timeval`, SPEC P1;
/// NULL waits for ever). Windows documents `WSAEINVAL` for a timeout that
/// is not valid and no Windows-run record fixes which: ws2 refuses negative
/// fields and carries a `tv_usec` of a million or more into seconds.
///
/// # Safety
/// `timeout` is NULL or readable.
unsafe fn deadline_of(timeout: *const libc::timeval) -> Result<Option<Instant>> {
    if timeout.is_null() {
        return Ok(None);
    }
    // SAFETY: non-null and readable per the contract.
    let tv = unsafe { timeout.read_unaligned() };
    if tv.tv_sec < 0 || tv.tv_usec < 0 {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!(
                "timeout {{{}, {}}}: tv_sec and tv_usec must not be negative",
                tv.tv_sec, tv.tv_usec
            ),
        ));
    }
    let wait = Duration::from_secs(tv.tv_sec as u64)
        .checked_add(Duration::from_micros(tv.tv_usec as u64))
        .unwrap_or(Duration::MAX);
    Ok(completion::deadline_in(wait))
}

/// The entries of an `fd_set` (its first `fd_count`; never more is read).
///
/// # Safety
/// `set` is non-null and readable for its `fd_count` entries.
unsafe fn entries<'a>(set: *mut abi::fd_set, count: usize) -> Result<&'a [usize]> {
    // SAFETY: per the contract, `fd_array` holds `count` entries.
    let array = unsafe { set.cast::<u8>().add(abi::FD_ARRAY_OFFSET).cast::<usize>() };
    if count > abi::FD_SETSIZE && !caller_memory::readable(array.cast(), count * 8) {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("an fd_set's fd_count is {count}, but its fd_array is not readable that far"),
        ));
    }
    // SAFETY: readable for `count` entries (checked above when large).
    Ok(unsafe { std::slice::from_raw_parts(array, count) })
}

/// `select(nfds, readfds, writefds, exceptfds, timeout)` (`nfds` is
/// ignored): the number of (socket, set) memberships that are ready, each
/// non-NULL set rewritten to its ready sockets in input order, once each
/// (a socket twice in a set, or in two sets given as one pointer, is
/// written and counted once); 0 and every set emptied at the timeout.
/// Errors: no socket in any set → `WSAEINVAL`; an entry that is not an
/// open socket → `WSAENOTSOCK` with the sets untouched; a socket closed
/// during the wait is readable if it is in `readfds`, else the call fails
/// with `WSAENOTSOCK` and the sets are emptied (`test_select`).
///
/// # Safety
/// Each set is NULL or a readable and writable `fd_set` whose `fd_array`
/// holds `fd_count` entries; `timeout` is NULL or readable.
pub unsafe fn select(sets: [*mut abi::fd_set; 3], timeout: *const libc::timeval) -> Result<i32> {
    let mut counts = [0usize; 3];
    for (count, set) in counts.iter_mut().zip(sets) {
        if !set.is_null() {
            // SAFETY: a non-null set is readable per the contract.
            *count = unsafe { (*set).fd_count } as usize;
        }
    }
    if counts.iter().sum::<usize>() == 0 {
        return Err(Error::new(
            abi::WSAEINVAL,
            "select: readfds, writefds and exceptfds hold no socket",
        ));
    }
    with_scratch(|s| {
        s.set.clear();
        s.handles.clear();
        for (k, want) in [WANT_READ, WANT_WRITE, WANT_EXCEPT].into_iter().enumerate() {
            if counts[k] == 0 {
                continue;
            }
            // SAFETY: non-null with fd_count entries per the contract.
            for &h in unsafe { entries(sets[k], counts[k]) }? {
                let core = s
                    .sockets
                    .socket(s.handles.len(), h)
                    .ok_or_else(|| not_a_socket(h))?;
                s.set.push(core, want);
                s.handles.push(h);
            }
        }
        // SAFETY: forwarded contract.
        let deadline = unsafe { deadline_of(timeout) }?;
        fill_deferred(&s.set);
        s.set.wait(deadline)?;
        // SAFETY: forwarded contract.
        unsafe { write_back(s, sets) }
    })
}

/// Reads the receives deferred to a port on the sockets watched for
/// reading (`io::fill_deferred_receives`): data such a receive takes is
/// not readable, as it would not be had the receive completed at call
/// time.
fn fill_deferred(set: &PollSet) {
    for w in set.watches() {
        if w.want & WANT_READ != 0 {
            io::fill_deferred_receives(&w.core);
        }
    }
}

/// Rewrites the sets after a wait (see [`select`]).
///
/// # Safety
/// As [`select`]'s.
unsafe fn write_back(s: &mut Scratch, sets: [*mut abi::fd_set; 3]) -> Result<i32> {
    let watches = s.set.watches();
    // A set given twice is one output: its index is the first one's.
    let target: [usize; 3] =
        std::array::from_fn(|k| (0..k).find(|&j| sets[j] == sets[k]).unwrap_or(k));
    let closed_elsewhere = watches.iter().zip(&s.handles).any(|(w, h)| {
        w.found & FOUND_CLOSED != 0
            && w.want != WANT_READ
            && !watches
                .iter()
                .zip(&s.handles)
                .any(|(r, rh)| r.want == WANT_READ && rh == h)
    });
    let mut written = [0u32; 3];
    let mut total = 0;
    if !closed_elsewhere {
        for (w, &h) in watches.iter().zip(&s.handles) {
            let (k, ready) = match w.want {
                WANT_READ => (0, FOUND_READ | FOUND_CLOSED),
                WANT_WRITE => (1, FOUND_WRITE),
                _ => (2, FOUND_EXCEPT),
            };
            if w.found & ready == 0 {
                continue;
            }
            let t = target[k];
            let slot = handles::slot_of(h).unwrap_or(0);
            if !s.marks.mark(t, slot) {
                continue;
            }
            // SAFETY: an output never holds more entries than its input had:
            // within the set's fd_count entries (per the contract).
            unsafe {
                sets[t]
                    .cast::<u8>()
                    .add(abi::FD_ARRAY_OFFSET)
                    .cast::<usize>()
                    .add(written[t] as usize)
                    .write_unaligned(h);
            }
            written[t] += 1;
            total += 1;
        }
        s.marks.clear();
    }
    for k in 0..3 {
        if !sets[k].is_null() && target[k] == k {
            // SAFETY: a non-null set is writable per the contract.
            unsafe { (*sets[k]).fd_count = written[k] };
        }
    }
    if closed_elsewhere {
        return Err(Error::new(
            abi::WSAENOTSOCK,
            "a socket in writefds or exceptfds (and not in readfds) was closed during select",
        ));
    }
    Ok(total)
}

/// `__WSAFDIsSet` (`FD_ISSET`): whether `fd` is among the set's first
/// `fd_count` entries.
///
/// # Safety
/// `set` is NULL or a readable `fd_set` with `fd_count` entries.
pub unsafe fn fd_is_set(fd: usize, set: *const abi::fd_set) -> bool {
    if set.is_null() {
        return false;
    }
    // SAFETY: readable per the contract.
    let count = unsafe { (*set).fd_count } as usize;
    // SAFETY: as above, fd_array holds `count` entries.
    let array = unsafe {
        std::slice::from_raw_parts(
            set.cast::<u8>().add(abi::FD_ARRAY_OFFSET).cast::<usize>(),
            count,
        )
    };
    array.contains(&fd)
}

/// `WSAPoll(fdArray, fds, timeout)`: the number of entries with `revents`
/// set. As `test_WSAPoll` records: an entry that is not an open socket
/// (`INVALID_SOCKET` included) gets `POLLNVAL` and is not counted; no open
/// socket at all → `WSAENOTSOCK` with every entry `POLLNVAL`; `events`
/// outside `POLLRDNORM | POLLRDBAND | POLLWRNORM` on any entry but an
/// `INVALID_SOCKET` one → `WSAEINVAL` with every `revents` 0; a NULL array
/// → `WSAEINVAL` for 0 entries, `WSAEFAULT` otherwise; a socket closed
/// during the wait → `POLLNVAL`, counted; a negative timeout waits for
/// ever. A datagram socket reports `POLLRDNORM` and `POLLWRNORM` only; a
/// stream socket also `POLLRDBAND` (an urgent byte), and unasked `POLLHUP`
/// (the peer's end, a reset, a failed connect) and `POLLERR` (a reset, a
/// failed connect), as `test_WSAPoll` and `test_tcp_reset` record.
///
/// # Safety
/// `fds` is NULL or a readable and writable array of `count` entries.
pub unsafe fn poll(fds: *mut abi::WSAPOLLFD, count: u32, timeout: i32) -> Result<i32> {
    if fds.is_null() || count == 0 {
        let code = if count == 0 {
            abi::WSAEINVAL
        } else {
            abi::WSAEFAULT
        };
        return Err(Error::new(
            code,
            format!("WSAPoll: fdArray is {fds:p} with {count} entries"),
        ));
    }
    let n = count as usize;
    if n > abi::FD_SETSIZE && !caller_memory::readable(fds.cast(), n * size_of::<abi::WSAPOLLFD>())
    {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("WSAPoll: fdArray is not readable for {count} entries"),
        ));
    }
    // SAFETY: readable and writable for `count` entries per the contract.
    let entries = unsafe { std::slice::from_raw_parts_mut(fds, n) };
    with_scratch(|s| {
        s.set.clear();
        s.watch_of.clear();
        for (i, e) in entries.iter().enumerate() {
            let core = (e.fd != abi::INVALID_SOCKET)
                .then(|| s.sockets.socket(i, e.fd))
                .flatten();
            match core {
                Some(core) => {
                    s.watch_of.push(s.set.len());
                    // The end of a stream and its errors are reported unasked.
                    let mut want = WANT_HANGUP;
                    if e.events & abi::POLLRDNORM != 0 {
                        want |= WANT_READ;
                    }
                    if e.events & abi::POLLRDBAND != 0 {
                        want |= WANT_OOB;
                    }
                    if e.events & abi::POLLWRNORM != 0 {
                        want |= WANT_WRITE;
                    }
                    s.set.push(core, want);
                }
                None => s.watch_of.push(NOT_A_SOCKET),
            }
        }
        if s.set.is_empty() {
            for e in entries.iter_mut() {
                e.revents = abi::POLLNVAL;
            }
            return Err(Error::new(
                abi::WSAENOTSOCK,
                "WSAPoll: no entry of fdArray is an open socket",
            ));
        }
        if let Some(bad) = entries
            .iter()
            .find(|e| e.fd != abi::INVALID_SOCKET && e.events & !abi::POLL_VALID_EVENTS != 0)
        {
            let events = bad.events;
            for e in entries.iter_mut() {
                e.revents = 0;
            }
            return Err(Error::new(
                abi::WSAEINVAL,
                format!(
                    "WSAPoll: events {events:#x}: only POLLRDNORM, POLLRDBAND and POLLWRNORM may be asked"
                ),
            ));
        }
        let deadline = if timeout < 0 {
            None
        } else {
            completion::deadline_in(Duration::from_millis(timeout as u64))
        };
        fill_deferred(&s.set);
        s.set.wait(deadline)?;
        let watches = s.set.watches();
        let mut ready = 0;
        for (e, &w) in entries.iter_mut().zip(&s.watch_of) {
            e.revents = if w == NOT_A_SOCKET {
                abi::POLLNVAL
            } else {
                let found = watches[w].found;
                let mut revents = 0;
                if found & FOUND_CLOSED != 0 {
                    revents = abi::POLLNVAL;
                }
                if found & FOUND_DATA != 0 {
                    revents |= abi::POLLRDNORM;
                }
                if found & FOUND_OOB != 0 {
                    revents |= abi::POLLRDBAND;
                }
                if found & FOUND_WRITE != 0 {
                    revents |= abi::POLLWRNORM;
                }
                if found & FOUND_HANGUP != 0 {
                    revents |= abi::POLLHUP;
                }
                if found & FOUND_ERROR != 0 {
                    revents |= abi::POLLERR;
                }
                ready += i32::from(revents != 0);
                revents
            };
        }
        Ok(ready)
    })
}

/// `WSAEventSelect(s, hEventObject, lNetworkEvents)`: `lNetworkEvents`
/// may hold only `FD_ALL_EVENTS` bits, and needs an event object unless it
/// is 0 (which cancels the association; the event is then ignored);
/// otherwise `WSAEINVAL` (Microsoft's page: "a supplied parameter was not
/// valid"; no Windows-run record fixes more).
pub fn event_select(s: usize, h_event: usize, events: i32) -> Result<()> {
    let core = handles::socket(s)?;
    let mask = events as u32;
    if mask & !abi::FD_ALL_EVENTS != 0 {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("lNetworkEvents {mask:#x} holds bits outside FD_ALL_EVENTS (0x3ff)"),
        ));
    }
    let event = if mask == 0 {
        None
    } else {
        Some(handles::event(h_event).map_err(|_| {
            Error::new(
                abi::WSAEINVAL,
                format!("hEventObject {h_event:#x} is not an event object"),
            )
        })?)
    };
    crate::io::event_select(&core, event, mask).map_err(|e| core.or_closed(e))
}

/// `WSAEnumNetworkEvents(s, hEventObject, lpNetworkEvents)`: writes the
/// selected events that happened since the last report and, for each, its
/// `iErrorCode` entry (the other entries are left as they were:
/// `test_WSAEnumNetworkEvents`), clears them and resets `hEventObject`
/// unless it is NULL. A NULL `lpNetworkEvents` is `WSAEFAULT`, an
/// `hEventObject` that is not an event `WSAEINVAL`; a failed call touches
/// neither the record nor the event.
///
/// # Safety
/// `out` is NULL or writable.
pub unsafe fn enum_network_events(
    s: usize,
    h_event: usize,
    out: *mut abi::WSANETWORKEVENTS,
) -> Result<()> {
    let core = handles::socket(s)?;
    if out.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "lpNetworkEvents is NULL"));
    }
    let reset = if h_event == 0 {
        None
    } else {
        Some(handles::event(h_event).map_err(|_| {
            Error::new(
                abi::WSAEINVAL,
                format!("hEventObject {h_event:#x} is not an event object"),
            )
        })?)
    };
    crate::io::collect_arrivals(&core);
    let got = readiness::enumerate(&core, reset.as_deref());
    // SAFETY: `out` is writable per the contract; only the fields reported
    // are written.
    unsafe {
        std::ptr::addr_of_mut!((*out).lNetworkEvents).write_unaligned(got.events as i32);
        for bit in 0..abi::FD_MAX_EVENTS as usize {
            if got.events & (1 << bit) != 0 {
                std::ptr::addr_of_mut!((*out).iErrorCode[bit]).write_unaligned(got.errors[bit]);
            }
        }
    }
    Ok(())
}
