//! Socket addresses: Windows `SOCKADDR`s (their family numbers differ
//! from Linux's) to and from Linux `sockaddr`s.

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use ws2_abi as abi;

use crate::error::{Error, Result};

use super::*;

/// Room for an IPv4 or IPv6 Linux socket address: small, so the send path
/// copies 32 bytes, not a 128-byte `sockaddr_storage`.
#[repr(C)]
#[derive(Clone, Copy)]
union SockaddrInet {
    v4: libc::sockaddr_in,
    v6: libc::sockaddr_in6,
    family: libc::sa_family_t,
}

/// A Linux `sockaddr` ready for a syscall.
///
/// ```
/// use ws2_engine::translate::{Family, LinuxAddr};
/// let addr = LinuxAddr::new(&"127.0.0.1:53".parse()?, Family::V4)?;
/// assert_eq!(addr.len() as usize, size_of::<libc::sockaddr_in>());
/// assert_eq!(addr.to_socket_addr(), Some("127.0.0.1:53".parse()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct LinuxAddr {
    storage: SockaddrInet,
    len: libc::socklen_t,
}

impl LinuxAddr {
    /// An empty address buffer for the kernel to fill (`getsockname`, `recvfrom`).
    ///
    /// ```
    /// let addr = ws2_engine::translate::LinuxAddr::empty();
    /// assert!(addr.len() as usize >= size_of::<libc::sockaddr_in6>());
    /// assert_eq!(addr.to_socket_addr(), None, "family 0 is not IPv4/IPv6");
    /// ```
    pub fn empty() -> LinuxAddr {
        LinuxAddr {
            // SAFETY: plain data; all-zero is a valid value.
            storage: unsafe { std::mem::zeroed() },
            len: size_of::<SockaddrInet>() as libc::socklen_t,
        }
    }

    /// The Linux form of `addr` for a socket of `family`: an IPv4 address
    /// sent from an IPv6 (dual-stack) socket becomes v4-mapped.
    ///
    /// ```
    /// use ws2_engine::translate::{Family, LinuxAddr};
    /// let addr = LinuxAddr::new(&"127.0.0.1:53".parse()?, Family::V6)?;
    /// assert_eq!(addr.to_socket_addr(), Some("[::ffff:127.0.0.1]:53".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(addr: &SocketAddr, family: Family) -> Result<LinuxAddr> {
        LinuxAddr::for_socket(addr, family, false)
    }

    /// As [`LinuxAddr::new`], for a socket that may be `IPV6_V6ONLY`: then
    /// an IPv4 address is `WSAEAFNOSUPPORT` (S8), where Linux would answer
    /// `ENETUNREACH` for its v4-mapped form.
    ///
    /// ```
    /// use ws2_engine::translate::{Family, LinuxAddr};
    /// let err = LinuxAddr::for_socket(&"127.0.0.1:53".parse()?, Family::V6, true).err().unwrap();
    /// assert_eq!(err.code(), ws2_abi::WSAEAFNOSUPPORT);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    pub fn for_socket(addr: &SocketAddr, family: Family, v6_only: bool) -> Result<LinuxAddr> {
        let mut slot = std::mem::MaybeUninit::uninit();
        LinuxAddr::write_for_socket(&mut slot, addr, family, v6_only)?;
        // SAFETY: written just above.
        Ok(unsafe { slot.assume_init() })
    }

    /// [`LinuxAddr::for_socket`] written straight into `slot` (the send
    /// path builds its message in place, without copies).
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// use ws2_engine::translate::{Family, LinuxAddr};
    /// let mut slot = MaybeUninit::uninit();
    /// let addr = LinuxAddr::write_for_socket(&mut slot, &"127.0.0.1:53".parse()?, Family::V6, false)?;
    /// assert_eq!(addr.to_socket_addr(), Some("[::ffff:127.0.0.1]:53".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    pub fn write_for_socket<'a>(
        slot: &'a mut std::mem::MaybeUninit<LinuxAddr>,
        addr: &SocketAddr,
        family: Family,
        v6_only: bool,
    ) -> Result<&'a LinuxAddr> {
        let v6 = match (addr, family) {
            (SocketAddr::V4(v4), Family::V4) => {
                let sin = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: v4.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(v4.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                return Ok(slot.write(LinuxAddr {
                    storage: SockaddrInet { v4: sin },
                    len: size_of::<libc::sockaddr_in>() as libc::socklen_t,
                }));
            }
            (SocketAddr::V4(_), Family::V6) if v6_only => return Err(ipv4_on_v6_only()),
            (SocketAddr::V4(v4), Family::V6) => {
                SocketAddrV6::new(v4.ip().to_ipv6_mapped(), v4.port(), 0, 0)
            }
            (SocketAddr::V6(v6), Family::V6) => *v6,
            (SocketAddr::V6(_), Family::V4) => {
                return Err(Error::new(
                    abi::WSAEAFNOSUPPORT,
                    "destination is an AF_INET6 address but the socket is AF_INET",
                ));
            }
        };
        let sin6 = libc::sockaddr_in6 {
            sin6_family: libc::AF_INET6 as libc::sa_family_t,
            sin6_port: v6.port().to_be(),
            sin6_flowinfo: v6.flowinfo().to_be(),
            sin6_addr: libc::in6_addr {
                s6_addr: v6.ip().octets(),
            },
            sin6_scope_id: v6.scope_id(),
        };
        Ok(slot.write(LinuxAddr {
            storage: SockaddrInet { v6: sin6 },
            len: size_of::<libc::sockaddr_in6>() as libc::socklen_t,
        }))
    }

    /// The address as a `SocketAddr`, `None` for a family other than IPv4/IPv6.
    ///
    /// ```
    /// use ws2_engine::translate::{Family, LinuxAddr};
    /// let addr = LinuxAddr::new(&"[::1]:8080".parse()?, Family::V6)?;
    /// assert_eq!(addr.to_socket_addr(), Some("[::1]:8080".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_socket_addr(&self) -> Option<SocketAddr> {
        // SAFETY: every variant starts with the family field.
        match unsafe { self.storage.family } as i32 {
            libc::AF_INET if self.len as usize >= size_of::<libc::sockaddr_in>() => {
                // SAFETY: the family says the storage holds a sockaddr_in, and it is long enough.
                let sin = unsafe { &*self.as_ptr().cast::<libc::sockaddr_in>() };
                Some(SocketAddr::V4(SocketAddrV4::new(
                    Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes()),
                    u16::from_be(sin.sin_port),
                )))
            }
            libc::AF_INET6 if self.len as usize >= size_of::<libc::sockaddr_in6>() => {
                // SAFETY: the family says the storage holds a sockaddr_in6, and it is long enough.
                let sin6 = unsafe { &*self.as_ptr().cast::<libc::sockaddr_in6>() };
                Some(SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                    u16::from_be(sin6.sin6_port),
                    u32::from_be(sin6.sin6_flowinfo),
                    sin6.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }

    /// Copies the address the kernel wrote into a Windows `SOCKADDR` at
    /// `name` and its size into `*namelen`, as
    /// [`socket_addr_to_windows`] writes it: the layouts of `sockaddr_in`
    /// and `SOCKADDR_IN`, `sockaddr_in6` and `SOCKADDR_IN6` are the same
    /// but for the IPv6 family number (Linux 10, Windows 23). Returns
    /// false, writing nothing, when `*namelen` is too small; an address of
    /// another family (none: nothing to report) writes nothing either.
    ///
    /// # Safety
    /// `name` writable for `*namelen` bytes, `namelen` readable and writable.
    ///
    /// ```
    /// use ws2_engine::translate::{Family, LinuxAddr};
    /// let addr = LinuxAddr::new(&"[::1]:53".parse()?, Family::V6)?;
    /// let (mut name, mut len) = (ws2_abi::SOCKADDR_STORAGE::default(), 128);
    /// // SAFETY: a live SOCKADDR_STORAGE of 128 bytes.
    /// assert!(unsafe { addr.copy_to_windows((&raw mut name).cast(), &mut len) });
    /// assert_eq!((name.ss_family, len), (ws2_abi::AF_INET6 as u16, 28));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    pub unsafe fn copy_to_windows(&self, name: *mut abi::SOCKADDR, namelen: *mut i32) -> bool {
        const V4: usize = size_of::<abi::SOCKADDR_IN>();
        const V6: usize = size_of::<abi::SOCKADDR_IN6>();
        const _: () = assert!(V4 == size_of::<libc::sockaddr_in>());
        const _: () = assert!(V6 == size_of::<libc::sockaddr_in6>());
        // SAFETY: every variant starts with the family field.
        let family = unsafe { self.storage.family } as i32;
        // SAFETY: namelen readable per the contract.
        let room = unsafe { namelen.read_unaligned() };
        if family == libc::AF_INET && self.len as usize >= V4 {
            if room < V4 as i32 {
                return false;
            }
            // SAFETY: V4 bytes of `name` are writable (checked above); the
            // storage holds the sockaddr_in the kernel wrote, whose family
            // (AF_INET) is Windows' too.
            unsafe {
                name.cast::<[u8; V4]>()
                    .write_unaligned(self.as_ptr().cast::<[u8; V4]>().read());
                namelen.write_unaligned(V4 as i32);
            }
        } else if family == libc::AF_INET6 && self.len as usize >= V6 {
            if room < V6 as i32 {
                return false;
            }
            // SAFETY: V6 bytes of `name` are writable (checked above); the
            // storage holds the sockaddr_in6 the kernel wrote; the family
            // is the first two bytes of both layouts.
            unsafe {
                name.cast::<[u8; V6]>()
                    .write_unaligned(self.as_ptr().cast::<[u8; V6]>().read());
                name.cast::<u16>().write_unaligned(abi::AF_INET6 as u16);
                namelen.write_unaligned(V6 as i32);
            }
        }
        true
    }

    /// Pointer for a syscall's `const sockaddr *` argument (`sendto`, `bind`).
    ///
    /// ```
    /// use ws2_engine::translate::{Family, LinuxAddr};
    /// let addr = LinuxAddr::new(&"127.0.0.1:0".parse()?, Family::V4)?;
    /// // SAFETY: the pointer is to a live sockaddr_in.
    /// let family = unsafe { (*addr.as_ptr()).sa_family };
    /// assert_eq!(family as i32, libc::AF_INET);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn as_ptr(&self) -> *const libc::sockaddr {
        (&raw const self.storage).cast()
    }

    /// Pointer for the kernel to write an address through (`getsockname`,
    /// `recvfrom`), with [`LinuxAddr::len_mut`] as its length.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// let sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let mut addr = ws2_engine::translate::LinuxAddr::empty();
    /// let (ptr, len) = (addr.as_mut_ptr(), addr.len_mut() as *mut libc::socklen_t);
    /// // SAFETY: ptr is writable for *len bytes, len is valid.
    /// assert_eq!(unsafe { libc::getsockname(sock.as_raw_fd(), ptr, len) }, 0);
    /// assert_eq!(addr.to_socket_addr(), Some(sock.local_addr()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_mut_ptr(&mut self) -> *mut libc::sockaddr {
        (&raw mut self.storage).cast()
    }

    /// The address's size in bytes (`socklen_t`).
    ///
    /// ```
    /// use ws2_engine::translate::{Family, LinuxAddr};
    /// let addr = LinuxAddr::new(&"[::1]:0".parse()?, Family::V6)?;
    /// assert_eq!(addr.len() as usize, size_of::<libc::sockaddr_in6>());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::len_without_is_empty)]
    #[inline]
    pub fn len(&self) -> libc::socklen_t {
        self.len
    }

    /// The length for the kernel to read and update (value-result
    /// `socklen_t *`), paired with [`LinuxAddr::as_mut_ptr`].
    ///
    /// ```
    /// let mut addr = ws2_engine::translate::LinuxAddr::empty();
    /// *addr.len_mut() = 16;
    /// assert_eq!(addr.len(), 16);
    /// ```
    pub fn len_mut(&mut self) -> &mut libc::socklen_t {
        &mut self.len
    }
}

#[cold]
fn ipv4_on_v6_only() -> Error {
    Error::new(
        abi::WSAEAFNOSUPPORT,
        "an IPv4 address on an IPV6_V6ONLY socket (turn IPV6_V6ONLY off for a dual-stack socket)",
    )
}

/// Reads a Windows `SOCKADDR` of `namelen` bytes (S8): too short for its
/// family → `WSAEFAULT`; a family other than `AF_INET`/`AF_INET6` →
/// `WSAEAFNOSUPPORT`.
///
/// # Safety
/// `name` must be null or point to `namelen` readable bytes.
///
/// ```
/// use ws2_engine::translate::{socket_addr_from_windows, socket_addr_to_windows};
/// let (mut name, mut namelen) = (ws2_abi::SOCKADDR_STORAGE::default(), 128);
/// let addr = "127.0.0.1:5000".parse()?;
/// // SAFETY: `name` is writable and readable for 128 bytes.
/// unsafe { socket_addr_to_windows(&addr, (&raw mut name).cast(), &mut namelen) }?;
/// // SAFETY: as above.
/// assert_eq!(unsafe { socket_addr_from_windows((&raw const name).cast(), namelen) }?, addr);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub unsafe fn socket_addr_from_windows(
    name: *const abi::SOCKADDR,
    namelen: i32,
) -> Result<SocketAddr> {
    if name.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "name is NULL"));
    }
    let len = usize::try_from(namelen).unwrap_or(0);
    if len < size_of::<abi::ADDRESS_FAMILY>() {
        return Err(Error::new(
            abi::WSAEFAULT,
            format!("namelen {namelen} is too small for a SOCKADDR"),
        ));
    }
    // SAFETY: at least two readable bytes (checked above); unaligned read.
    let family = unsafe { std::ptr::read_unaligned(name.cast::<u16>()) } as i32;
    match family {
        abi::AF_INET => {
            if len < size_of::<abi::SOCKADDR_IN>() {
                return Err(Error::new(
                    abi::WSAEFAULT,
                    format!(
                        "namelen {namelen} is too small for SOCKADDR_IN ({} bytes)",
                        size_of::<abi::SOCKADDR_IN>()
                    ),
                ));
            }
            // SAFETY: `len` readable bytes cover a whole SOCKADDR_IN; unaligned read.
            let sin = unsafe { std::ptr::read_unaligned(name.cast::<abi::SOCKADDR_IN>()) };
            Ok(SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes()),
                u16::from_be(sin.sin_port),
            )))
        }
        abi::AF_INET6 => {
            if len < size_of::<abi::SOCKADDR_IN6>() {
                return Err(Error::new(
                    abi::WSAEFAULT,
                    format!(
                        "namelen {namelen} is too small for SOCKADDR_IN6 ({} bytes)",
                        size_of::<abi::SOCKADDR_IN6>()
                    ),
                ));
            }
            // SAFETY: `len` readable bytes cover a whole SOCKADDR_IN6; unaligned read.
            let sin6 = unsafe { std::ptr::read_unaligned(name.cast::<abi::SOCKADDR_IN6>()) };
            Ok(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                u16::from_be(sin6.sin6_port),
                u32::from_be(sin6.sin6_flowinfo),
                sin6.sin6_scope_id,
            )))
        }
        other => Err(Error::new(
            abi::WSAEAFNOSUPPORT,
            format!("address family {other} is not AF_INET (2) or AF_INET6 (23)"),
        )),
    }
}

/// Writes `addr` as a Windows `SOCKADDR_IN`/`SOCKADDR_IN6` into `name`,
/// whose capacity is `*namelen`; sets `*namelen` to the size written.
///
/// # Safety
/// `name` must be null or writable for `*namelen` bytes; `namelen` null or valid.
///
/// ```
/// use ws2_engine::translate::socket_addr_to_windows;
/// let mut sin6 = ws2_abi::SOCKADDR_IN6::default();
/// let mut namelen = size_of::<ws2_abi::SOCKADDR_IN6>() as i32;
/// // SAFETY: `sin6` is writable for `namelen` (28) bytes.
/// unsafe { socket_addr_to_windows(&"[::1]:80".parse()?, (&raw mut sin6).cast(), &mut namelen) }?;
/// assert_eq!((sin6.sin6_family as i32, u16::from_be(sin6.sin6_port), namelen), (ws2_abi::AF_INET6, 80, 28));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline(always)]
pub unsafe fn socket_addr_to_windows(
    addr: &SocketAddr,
    name: *mut abi::SOCKADDR,
    namelen: *mut i32,
) -> Result<()> {
    if name.is_null() || namelen.is_null() {
        return Err(Error::new(abi::WSAEFAULT, "name or namelen is NULL"));
    }
    // SAFETY: namelen is non-null and valid per the contract.
    let capacity = unsafe { namelen.read_unaligned() };
    match addr {
        SocketAddr::V4(v4) => {
            let need = size_of::<abi::SOCKADDR_IN>();
            if usize::try_from(capacity).unwrap_or(0) < need {
                return Err(Error::new(
                    abi::WSAEFAULT,
                    format!("namelen {capacity} is too small for SOCKADDR_IN ({need} bytes)"),
                ));
            }
            let sin = abi::SOCKADDR_IN {
                sin_family: abi::AF_INET as u16,
                sin_port: v4.port().to_be(),
                sin_addr: abi::IN_ADDR {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: the capacity check above makes `need` bytes writable.
            unsafe {
                std::ptr::write_unaligned(name.cast::<abi::SOCKADDR_IN>(), sin);
                namelen.write_unaligned(need as i32);
            }
        }
        SocketAddr::V6(v6) => {
            let need = size_of::<abi::SOCKADDR_IN6>();
            if usize::try_from(capacity).unwrap_or(0) < need {
                return Err(Error::new(
                    abi::WSAEFAULT,
                    format!("namelen {capacity} is too small for SOCKADDR_IN6 ({need} bytes)"),
                ));
            }
            let sin6 = abi::SOCKADDR_IN6 {
                sin6_family: abi::AF_INET6 as u16,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo().to_be(),
                sin6_addr: abi::IN6_ADDR {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: the capacity check above makes `need` bytes writable.
            unsafe {
                std::ptr::write_unaligned(name.cast::<abi::SOCKADDR_IN6>(), sin6);
                namelen.write_unaligned(need as i32);
            }
        }
    }
    Ok(())
}
