//! Source filters kept per membership as Microsoft's "Multicast Socket
//! Option Behavior" answers them, and the kernel requests that apply them
//! to a group socket.

use std::net::{IpAddr, SocketAddr};
use std::os::fd::RawFd;

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::translate::{Family, LinuxAddr};

use super::{GroupOp, set_raw};

/// How a membership filters sources.
pub(super) enum Filter {
    /// Any source but `blocked`; `unblocked` remembers sources blocked and
    /// unblocked again (unblocking one twice is `WSAEADDRNOTAVAIL`, one
    /// never blocked `WSAEINVAL`).
    Any {
        blocked: Vec<IpAddr>,
        unblocked: Vec<IpAddr>,
    },
    /// Only these sources.
    Include(Vec<IpAddr>),
}

/// Linux `struct group_req` / `group_source_req` (the same layout as
/// Windows', with Linux family numbers).
#[repr(C)]
struct LinuxGroupReq {
    interface: u32,
    group: libc::sockaddr_storage,
}

#[repr(C)]
struct LinuxGroupSourceReq {
    interface: u32,
    group: libc::sockaddr_storage,
    source: libc::sockaddr_storage,
}

fn storage(addr: IpAddr) -> libc::sockaddr_storage {
    let la = LinuxAddr::new(
        &SocketAddr::new(addr, 0),
        if addr.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        },
    )
    .expect("an IP address has a Linux sockaddr");
    // SAFETY: sockaddr_storage is plain data; zeroed is valid.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    // SAFETY: la holds la.len() (<= 128) bytes of a sockaddr.
    unsafe {
        std::ptr::copy_nonoverlapping(
            la.as_ptr().cast::<u8>(),
            (&raw mut ss).cast::<u8>(),
            la.len() as usize,
        )
    };
    ss
}

/// Whether an interface of this index exists (in the calling thread's
/// network namespace).
fn interface_exists(index: u32) -> bool {
    let mut name = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: name holds IF_NAMESIZE bytes, as if_indextoname needs.
    !unsafe { libc::if_indextoname(index, name.as_mut_ptr()) }.is_null()
}

fn group_level(group: IpAddr) -> i32 {
    if group.is_ipv4() {
        libc::SOL_IP
    } else {
        libc::SOL_IPV6
    }
}

/// Joins (`join`) or leaves `group` on the group socket `fd`, for any
/// source or for `source` only.
pub(super) fn kernel_membership(
    fd: RawFd,
    group: IpAddr,
    ifindex: u32,
    source: Option<IpAddr>,
    join: bool,
) -> Result<()> {
    match source {
        None => set_raw(
            fd,
            group_level(group),
            if join {
                libc::MCAST_JOIN_GROUP
            } else {
                libc::MCAST_LEAVE_GROUP
            },
            &LinuxGroupReq {
                interface: ifindex,
                group: storage(group),
            },
            "setsockopt(MCAST_JOIN_GROUP)",
        ),
        Some(s) => source_request(
            fd,
            group,
            ifindex,
            s,
            if join {
                libc::MCAST_JOIN_SOURCE_GROUP
            } else {
                libc::MCAST_LEAVE_SOURCE_GROUP
            },
        ),
    }
    .map_err(|e| match e.code() {
        // ENODEV: no such interface.
        abi::WSAEINVAL if ifindex != 0 && !interface_exists(ifindex) => Error::new(
            abi::WSAEADDRNOTAVAIL,
            format!("interface {ifindex} does not exist"),
        ),
        _ => e,
    })
}

fn source_request(fd: RawFd, group: IpAddr, ifindex: u32, source: IpAddr, name: i32) -> Result<()> {
    set_raw(
        fd,
        group_level(group),
        name,
        &LinuxGroupSourceReq {
            interface: ifindex,
            group: storage(group),
            source: storage(source),
        },
        "setsockopt(MCAST_*_SOURCE)",
    )
}

/// A source-specific change on a joined membership, by Microsoft's table.
/// Returns whether the membership ends (its last included source left).
pub(super) fn source_change(
    op: GroupOp,
    filter: &mut Filter,
    s: IpAddr,
    fd: RawFd,
    group: IpAddr,
    ifindex: u32,
) -> Result<bool> {
    let invalid = |why: &str| Err(Error::new(abi::WSAEINVAL, format!("{s} in {group}: {why}")));
    let not_avail = |why: &str| {
        Err(Error::new(
            abi::WSAEADDRNOTAVAIL,
            format!("{s} in {group}: {why}"),
        ))
    };
    match (op, filter) {
        (GroupOp::JoinSource, Filter::Any { blocked, .. }) if blocked.contains(&s) => {
            invalid("the source is blocked: unblock it instead")
        }
        (GroupOp::JoinSource, Filter::Any { .. }) => {
            not_avail("the group is joined for any source already")
        }
        (GroupOp::JoinSource, Filter::Include(list)) if list.contains(&s) => {
            not_avail("the source is joined already")
        }
        (GroupOp::JoinSource, Filter::Include(list)) => {
            kernel_membership(fd, group, ifindex, Some(s), true)?;
            list.push(s);
            Ok(false)
        }
        (GroupOp::LeaveSource, Filter::Any { .. }) => {
            invalid("the group is joined for any source: block the source instead")
        }
        (GroupOp::LeaveSource, Filter::Include(list)) => {
            let Some(i) = list.iter().position(|x| *x == s) else {
                return not_avail("the source is not in the include list");
            };
            if list.len() == 1 {
                return Ok(true); // closing the group socket leaves
            }
            source_request(fd, group, ifindex, s, libc::MCAST_LEAVE_SOURCE_GROUP)?;
            list.remove(i);
            Ok(false)
        }
        (GroupOp::Block, Filter::Include(_)) => {
            invalid("the group is joined for some sources only: leave the source instead")
        }
        (GroupOp::Block, Filter::Any { blocked, .. }) if blocked.contains(&s) => {
            not_avail("the source is blocked already")
        }
        (GroupOp::Block, Filter::Any { blocked, unblocked }) => {
            source_request(fd, group, ifindex, s, libc::MCAST_BLOCK_SOURCE)?;
            blocked.push(s);
            unblocked.retain(|x| *x != s);
            Ok(false)
        }
        (GroupOp::Unblock, Filter::Include(_)) => invalid("the source was never blocked"),
        (GroupOp::Unblock, Filter::Any { blocked, unblocked }) => {
            match blocked.iter().position(|x| *x == s) {
                Some(i) => {
                    source_request(fd, group, ifindex, s, libc::MCAST_UNBLOCK_SOURCE)?;
                    blocked.remove(i);
                    unblocked.push(s);
                    Ok(false)
                }
                None if unblocked.contains(&s) => not_avail("the source is unblocked already"),
                None => invalid("the source was never blocked"),
            }
        }
        (GroupOp::Join | GroupOp::Leave, _) => unreachable!("handled by change_membership_here"),
    }
}

/// `MULTICAST_MODE_TYPE` of the full-state calls (`setsourcefilter` & co.).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterMode {
    /// `MCAST_INCLUDE`: only the listed sources (an empty list leaves).
    Include,
    /// `MCAST_EXCLUDE`: every source but the listed ones (an empty list
    /// is an any-source join).
    Exclude,
}

impl Filter {
    /// The full state, as `getsourcefilter` reports it.
    pub(super) fn state(&self) -> (FilterMode, Vec<IpAddr>) {
        match self {
            Filter::Any { blocked, .. } => (FilterMode::Exclude, blocked.clone()),
            Filter::Include(list) => (FilterMode::Include, list.clone()),
        }
    }

    pub(super) fn from_state(mode: FilterMode, sources: &[IpAddr]) -> Filter {
        match mode {
            FilterMode::Exclude => Filter::Any {
                blocked: sources.to_vec(),
                unblocked: Vec::new(),
            },
            FilterMode::Include => Filter::Include(sources.to_vec()),
        }
    }
}

/// Sets the full source filter of a joined group socket at once (Linux's
/// `MCAST_MSFILTER`, `struct group_filter`).
pub(super) fn set_msfilter(
    fd: RawFd,
    group: IpAddr,
    ifindex: u32,
    mode: FilterMode,
    sources: &[IpAddr],
) -> Result<()> {
    // struct group_filter: interface (4, padded to 8), group (128),
    // fmode (4), numsrc (4), then numsrc sockaddr_storage.
    const SLIST: usize = 8 + 128 + 8;
    let ss = size_of::<libc::sockaddr_storage>();
    let mut buf = vec![0u8; SLIST + ss * sources.len().max(1)];
    buf[..4].copy_from_slice(&ifindex.to_ne_bytes());
    let put = |buf: &mut [u8], at: usize, addr: IpAddr| {
        let s = storage(addr);
        // SAFETY: s is plain data of `ss` bytes.
        let bytes = unsafe { std::slice::from_raw_parts((&raw const s).cast::<u8>(), ss) };
        buf[at..at + ss].copy_from_slice(bytes);
    };
    put(&mut buf, 8, group);
    let fmode = match mode {
        FilterMode::Include => libc::MCAST_INCLUDE,
        FilterMode::Exclude => libc::MCAST_EXCLUDE,
    } as u32;
    buf[136..140].copy_from_slice(&fmode.to_ne_bytes());
    buf[140..144].copy_from_slice(&(sources.len() as u32).to_ne_bytes());
    for (i, s) in sources.iter().enumerate() {
        put(&mut buf, SLIST + i * ss, *s);
    }
    let len = SLIST + ss * sources.len();
    // SAFETY: buf holds `len` (<= buf.len()) bytes of a group_filter.
    let r = unsafe {
        libc::setsockopt(
            fd,
            group_level(group),
            libc::MCAST_MSFILTER,
            buf.as_ptr().cast(),
            len.max(SLIST) as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(Error::last_os("setsockopt(MCAST_MSFILTER)"));
    }
    Ok(())
}
