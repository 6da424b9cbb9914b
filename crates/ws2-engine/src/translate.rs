//! Windows → Linux, in one place: socket addresses (the family numbers
//! differ), `WSABUF` arrays (→ `iovec`), and control messages (Windows
//! `WSACMSGHDR` entries or typed [`ControlMessage`]s → validated
//! [`SendControls`] → Linux `cmsghdr`s). Everything on the send path is
//! written into fixed buffers: no allocation up to [`INLINE_BUFFERS`] buffers.

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use ws2_abi as abi;

use crate::error::{Error, Result};

/// WSABUF counts up to this are translated without touching the heap.
///
/// ```
/// let bufs = [ws2_abi::WSABUF { len: 0, buf: std::ptr::null_mut() }; ws2_engine::translate::INLINE_BUFFERS];
/// // SAFETY: `bufs` holds INLINE_BUFFERS readable WSABUFs.
/// let iov = unsafe { ws2_engine::translate::IoVecs::from_wsabufs(bufs.as_ptr(), bufs.len() as u32) }?;
/// assert_eq!(iov.len(), ws2_engine::translate::INLINE_BUFFERS);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const INLINE_BUFFERS: usize = 16;

/// Most iovecs one Linux message takes (`UIO_MAXIOV`). Windows has no such
/// limit: a datagram of more buffers is gathered into one bounce buffer on
/// send and scattered from one on receive (S21).
pub const MAX_IOVECS: usize = 1024;

/// A send's `Control.len` up to this is read directly; a longer one is
/// first checked to be readable (`WSAEFAULT` otherwise). Every valid control
/// buffer fits: each of the 9 kinds at most once is 232 bytes.
pub const CONTROL_INLINE: usize = 512;

/// The address family of a socket, as Linux sees it.
///
/// ```
/// use ws2_engine::Family;
/// assert_eq!(Family::from_windows(ws2_abi::AF_INET6), Some(Family::V6));
/// assert_eq!(Family::V6.linux(), libc::AF_INET6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    V4,
    /// IPv6 (`AF_INET6`), possibly dual-stack.
    V6,
}

impl Family {
    /// The Windows `AF_*` number.
    ///
    /// ```
    /// assert_eq!(ws2_engine::Family::V6.windows(), 23);
    /// ```
    pub fn windows(self) -> i32 {
        match self {
            Family::V4 => abi::AF_INET,
            Family::V6 => abi::AF_INET6,
        }
    }

    /// The Linux `AF_*` number.
    ///
    /// ```
    /// assert_eq!(ws2_engine::Family::V6.linux(), 10);
    /// ```
    pub fn linux(self) -> i32 {
        match self {
            Family::V4 => libc::AF_INET,
            Family::V6 => libc::AF_INET6,
        }
    }

    /// From a Windows `AF_*` number; `None` for anything but `AF_INET`/`AF_INET6`.
    ///
    /// ```
    /// use ws2_engine::Family;
    /// assert_eq!(Family::from_windows(2), Some(Family::V4));
    /// assert_eq!(Family::from_windows(10), None, "10 is Linux's AF_INET6, not Windows'");
    /// ```
    pub fn from_windows(af: i32) -> Option<Family> {
        match af {
            abi::AF_INET => Some(Family::V4),
            abi::AF_INET6 => Some(Family::V6),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Socket addresses

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
                return Ok(LinuxAddr {
                    storage: SockaddrInet { v4: sin },
                    len: size_of::<libc::sockaddr_in>() as libc::socklen_t,
                });
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
        Ok(LinuxAddr {
            storage: SockaddrInet { v6: sin6 },
            len: size_of::<libc::sockaddr_in6>() as libc::socklen_t,
        })
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

// ---------------------------------------------------------------------------
// Buffers

/// `iovec`s for one datagram, inline up to [`INLINE_BUFFERS`].
///
/// ```
/// use ws2_engine::translate::IoVecs;
/// let (mut a, mut b) = (*b"abc", *b"de");
/// let bufs = [ws2_abi::WSABUF { len: 3, buf: a.as_mut_ptr().cast() },
///             ws2_abi::WSABUF { len: 2, buf: b.as_mut_ptr().cast() }];
/// let mut iov = IoVecs::new();
/// // SAFETY: `bufs` holds 2 readable WSABUFs over live arrays.
/// unsafe { iov.gather(bufs.as_ptr(), 2) }?;
/// assert_eq!((iov.len(), iov.total()), (2, 5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct IoVecs {
    /// The first `len` entries are initialised when `len <= INLINE_BUFFERS`.
    inline: std::mem::MaybeUninit<[libc::iovec; INLINE_BUFFERS]>,
    heap: Vec<libc::iovec>,
    len: usize,
    total: usize,
}

impl Default for IoVecs {
    fn default() -> Self {
        IoVecs::new()
    }
}

impl IoVecs {
    /// An empty set, with nothing initialised (no per-call memset).
    ///
    /// ```
    /// let iov = ws2_engine::translate::IoVecs::new();
    /// assert!(iov.is_empty() && iov.total() == 0);
    /// ```
    #[inline(always)]
    pub fn new() -> IoVecs {
        let mut out = std::mem::MaybeUninit::<IoVecs>::uninit();
        // SAFETY: every field but `inline` (MaybeUninit) is written before
        // assume_init.
        unsafe {
            let p = out.as_mut_ptr();
            (&raw mut (*p).heap).write(Vec::new());
            (&raw mut (*p).len).write(0);
            (&raw mut (*p).total).write(0);
            out.assume_init()
        }
    }

    /// Gathers a Windows `WSABUF` array (S21) into `self`, filled in place
    /// (a returned value would be copied). A NULL array with a non-zero
    /// count, or a NULL `buf` with a non-zero `len`, is `WSAEFAULT`; so is an
    /// array of more than [`INLINE_BUFFERS`] entries that runs into
    /// unreadable memory (checked before anything is sized from the count).
    ///
    /// # Safety
    /// `bufs` must be null or point to `count` readable `WSABUF`s, except
    /// that an array longer than [`INLINE_BUFFERS`] may end early (that is
    /// the `WSAEFAULT` above).
    ///
    /// ```
    /// let mut iov = ws2_engine::translate::IoVecs::new();
    /// // SAFETY: a null array is allowed (it is the error being shown).
    /// let err = unsafe { iov.gather(std::ptr::null(), 1) }.unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::WSAEFAULT);
    /// ```
    #[inline]
    pub unsafe fn gather(&mut self, bufs: *const abi::WSABUF, count: u32) -> Result<()> {
        let count = count as usize;
        if bufs.is_null() && count != 0 {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("lpBuffers is NULL with dwBufferCount {count}"),
            ));
        }
        if count > INLINE_BUFFERS {
            // SAFETY: forwarded contract.
            return unsafe { self.gather_many(bufs, count) };
        }
        let inline = self.inline.as_mut_ptr().cast::<libc::iovec>();
        let mut total = 0;
        for i in 0..count {
            // SAFETY: i < count readable WSABUFs per the contract; unaligned read.
            let wb = unsafe { std::ptr::read_unaligned(bufs.add(i)) };
            let iov = iovec_of(wb, i)?;
            total += iov.iov_len;
            // SAFETY: i < count <= INLINE_BUFFERS.
            unsafe { inline.add(i).write(iov) };
        }
        self.len = count;
        self.total = total;
        Ok(())
    }

    /// `gather` of more than [`INLINE_BUFFERS`] entries, into `heap`: the
    /// array is checked to be readable before the heap is sized from the
    /// caller's count.
    ///
    /// # Safety
    /// `bufs` is non-null; see [`IoVecs::gather`].
    #[cold]
    #[inline(never)]
    unsafe fn gather_many(&mut self, bufs: *const abi::WSABUF, count: usize) -> Result<()> {
        let bytes = count * size_of::<abi::WSABUF>();
        if !crate::caller_memory::readable(bufs.cast(), bytes) {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!(
                    "lpBuffers runs into unreadable memory before its dwBufferCount {count} entries end"
                ),
            ));
        }
        self.heap.clear();
        self.heap.try_reserve_exact(count).map_err(|_| {
            Error::new(
                abi::WSAENOBUFS,
                format!("no memory for the iovecs of {count} buffers"),
            )
        })?;
        let mut total = 0;
        for i in 0..count {
            // SAFETY: the count entries were just read (probed); unaligned read.
            let wb = unsafe { std::ptr::read_unaligned(bufs.add(i)) };
            let iov = iovec_of(wb, i)?;
            total += iov.iov_len;
            self.heap.push(iov);
        }
        self.len = count;
        self.total = total;
        Ok(())
    }

    /// For more than [`MAX_IOVECS`] buffers (one Linux message takes no
    /// more), copies the data into one bounce buffer, which `self` then
    /// describes as a single iovec, and returns it: it must outlive every
    /// use of `self`. The caller's buffers are read through
    /// `process_vm_readv` (unreadable → `WSAEFAULT`). A datagram larger
    /// than `max` (S11) is left as it is, to fail with S11's error.
    ///
    /// # Safety
    /// The iovecs of `self` describe the caller's buffers, which Winsock's
    /// contract makes readable (this checks it).
    pub(crate) unsafe fn bounce(&mut self, max: usize) -> Result<Option<Vec<u8>>> {
        if self.len <= MAX_IOVECS || self.total > max {
            return Ok(None);
        }
        let mut data = Vec::new();
        data.try_reserve_exact(self.total).map_err(|_| {
            Error::new(
                abi::WSAENOBUFS,
                format!("no memory for a {}-byte bounce buffer", self.total),
            )
        })?;
        data.resize(self.total, 0);
        if !crate::caller_memory::gather(&self.heap, &mut data) {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!(
                    "a buffer of the {} in lpBuffers runs into unreadable memory",
                    self.len
                ),
            ));
        }
        self.heap.clear();
        self.len = 1;
        // SAFETY: index 0 < INLINE_BUFFERS; `data`'s heap block does not
        // move when the Vec does.
        unsafe {
            self.inline
                .as_mut_ptr()
                .cast::<libc::iovec>()
                .write(libc::iovec {
                    iov_base: data.as_mut_ptr().cast(),
                    iov_len: data.len(),
                })
        };
        Ok(Some(data))
    }

    /// `gather` into a new set (tests and cold paths).
    ///
    /// # Safety
    /// As for [`IoVecs::gather`].
    ///
    /// ```
    /// let mut data = [0u8; 32];
    /// let buf = ws2_abi::WSABUF { len: 32, buf: data.as_mut_ptr().cast() };
    /// // SAFETY: one readable WSABUF over a live array.
    /// let iov = unsafe { ws2_engine::translate::IoVecs::from_wsabufs(&buf, 1) }?;
    /// assert_eq!(iov.total(), 32);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub unsafe fn from_wsabufs(bufs: *const abi::WSABUF, count: u32) -> Result<IoVecs> {
        let mut out = IoVecs::new();
        // SAFETY: forwarded contract.
        unsafe { out.gather(bufs, count) }?;
        Ok(out)
    }

    /// Pointer to the first of [`IoVecs::len`] `iovec`s (`msg_iov`).
    ///
    /// ```
    /// let mut data = *b"hello";
    /// let buf = ws2_abi::WSABUF { len: 5, buf: data.as_mut_ptr().cast() };
    /// // SAFETY: one readable WSABUF over a live array.
    /// let iov = unsafe { ws2_engine::translate::IoVecs::from_wsabufs(&buf, 1) }?;
    /// // SAFETY: as_ptr() points to len() (= 1) initialised iovecs.
    /// assert_eq!(unsafe { (*iov.as_ptr()).iov_len }, 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_ptr(&self) -> *const libc::iovec {
        if self.len > INLINE_BUFFERS {
            self.heap.as_ptr()
        } else {
            self.inline.as_ptr().cast()
        }
    }

    /// The number of buffers (`msg_iovlen`).
    ///
    /// ```
    /// let empty = [ws2_abi::WSABUF { len: 0, buf: std::ptr::null_mut() }; 3];
    /// // SAFETY: three readable WSABUFs (zero-length buffers may be null).
    /// let iov = unsafe { ws2_engine::translate::IoVecs::from_wsabufs(empty.as_ptr(), 3) }?;
    /// assert_eq!((iov.len(), iov.total()), (3, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no buffers (a zero-byte datagram).
    ///
    /// ```
    /// // SAFETY: a null array with a zero count is a valid, empty set.
    /// let iov = unsafe { ws2_engine::translate::IoVecs::from_wsabufs(std::ptr::null(), 0) }?;
    /// assert!(iov.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total bytes of the datagram.
    ///
    /// ```
    /// let mut data = [0u8; 1200];
    /// let buf = ws2_abi::WSABUF { len: 1200, buf: data.as_mut_ptr().cast() };
    /// // SAFETY: one readable WSABUF over a live array.
    /// let iov = unsafe { ws2_engine::translate::IoVecs::from_wsabufs(&buf, 1) }?;
    /// assert_eq!(iov.total(), 1200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn total(&self) -> usize {
        self.total
    }
}

/// One `WSABUF` as an iovec: a NULL `buf` with a non-zero `len` is `WSAEFAULT`.
#[inline(always)]
fn iovec_of(wb: abi::WSABUF, i: usize) -> Result<libc::iovec> {
    if wb.buf.is_null() && wb.len != 0 {
        return Err(null_buffer(i, wb.len));
    }
    Ok(libc::iovec {
        iov_base: wb.buf.cast(),
        iov_len: wb.len as usize,
    })
}

#[cold]
fn null_buffer(i: usize, len: u32) -> Error {
    Error::new(
        abi::WSAEFAULT,
        format!("lpBuffers[{i}].buf is NULL with len {len}"),
    )
}

// ---------------------------------------------------------------------------
// Control messages

/// A control message to send with a datagram: the typed form of Windows'
/// `WSACMSGHDR` entries.
///
/// ```
/// use std::net::Ipv4Addr;
/// use ws2_engine::ControlMessage;
/// let source = ControlMessage::SourceV4 { addr: Ipv4Addr::LOCALHOST, ifindex: 0 };
/// assert!(matches!(source, ControlMessage::SourceV4 { .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlMessage {
    /// `IPPROTO_IP`/`IP_PKTINFO`: send from `addr` (and out of interface
    /// `ifindex` when non-zero). S23, S25.
    SourceV4 {
        /// The source address (`ipi_addr`).
        addr: Ipv4Addr,
        /// The outgoing interface index (`ipi_ifindex`); 0: any.
        ifindex: u32,
    },
    /// `IPPROTO_IPV6`/`IPV6_PKTINFO`: send from `addr` (and `ifindex`). S24.
    SourceV6 {
        /// The source address (`ipi6_addr`).
        addr: Ipv6Addr,
        /// The outgoing interface index (`ipi6_ifindex`); 0: any.
        ifindex: u32,
    },
    /// `IPPROTO_IP`/`IP_TOS`: the whole TOS byte (DSCP and ECN). S26.
    Tos(u8),
    /// `IPPROTO_IP`/`IP_TTL` (1–255). S26.
    Ttl(u8),
    /// `IPPROTO_IP`/`IP_ECN`: the ECN codepoint, 0–2 (Congestion
    /// Experienced, 3, may not be sent). S26.
    Ecn(u8),
    /// `IPPROTO_IPV6`/`IPV6_HOPLIMIT`. S26.
    HopLimit(u8),
    /// `IPPROTO_IPV6`/`IPV6_TCLASS`: the whole traffic class byte. S26.
    TrafficClass(u8),
    /// `IPPROTO_IPV6`/`IPV6_ECN`: the ECN codepoint, 0–2 (not CE). S26.
    EcnV6(u8),
    /// `IPPROTO_UDP`/`UDP_SEND_MSG_SIZE`: split the gathered buffer into
    /// datagrams of this many bytes, the last one shorter (UDP GSO). S26.
    SegmentSize(u32),
}

/// Validated control data for one send: at most one of each kind.
///
/// ```
/// use ws2_engine::{translate::SendControls, ControlMessage, Family};
/// let controls = SendControls::from_messages(&[ControlMessage::Ttl(3)], Family::V4)?;
/// assert_eq!(controls.ttl, Some(3));
/// let twice = [ControlMessage::Ttl(3), ControlMessage::Ttl(4)];
/// assert_eq!(SendControls::from_messages(&twice, Family::V4).unwrap_err().code(), ws2_abi::WSAEINVAL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendControls {
    /// [`ControlMessage::SourceV4`]: source address and interface index.
    pub source_v4: Option<(Ipv4Addr, u32)>,
    /// [`ControlMessage::SourceV6`]: source address and interface index.
    pub source_v6: Option<(Ipv6Addr, u32)>,
    /// [`ControlMessage::Tos`]: the whole TOS byte.
    pub tos: Option<u8>,
    /// [`ControlMessage::Ttl`] (1–255).
    pub ttl: Option<u8>,
    /// [`ControlMessage::Ecn`]: the ECN codepoint (0–2).
    pub ecn: Option<u8>,
    /// [`ControlMessage::HopLimit`].
    pub hop_limit: Option<u8>,
    /// [`ControlMessage::TrafficClass`]: the whole traffic class byte.
    pub traffic_class: Option<u8>,
    /// [`ControlMessage::EcnV6`]: the ECN codepoint (0–2).
    pub ecn_v6: Option<u8>,
    /// [`ControlMessage::SegmentSize`]: UDP GSO segment size in bytes.
    pub segment_size: Option<u32>,
}

#[inline]
fn once<T>(slot: &mut Option<T>, value: T, what: &'static str) -> Result<()> {
    if slot.is_some() {
        return Err(twice(what));
    }
    *slot = Some(value);
    Ok(())
}

/// A `UDP_SEND_MSG_SIZE` value: 1 to 65527 bytes, `WSAEINVAL` otherwise.
///
/// ```
/// use ws2_engine::translate::segment_size;
/// assert_eq!(segment_size(1200)?, 1200);
/// assert_eq!(segment_size(0).unwrap_err().code(), ws2_abi::WSAEINVAL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn segment_size(v: u32) -> Result<u32> {
    if v == 0 || v > abi::UDP_MAX_MSG_SIZE_V6 {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!(
                "UDP_SEND_MSG_SIZE {v} is not between 1 and {}",
                abi::UDP_MAX_MSG_SIZE_V6
            ),
        ));
    }
    Ok(v)
}

#[cold]
fn twice(what: &str) -> Error {
    Error::new(
        abi::WSAEINVAL,
        format!("control message {what} appears twice"),
    )
}

/// ECN Congestion Experienced: routers set it, senders may not (S26).
const ECN_CE: u8 = 3;

/// An `IP_ECN`/`IPV6_ECN` value to send: Not-ECT (0), ECT(1) or ECT(0) (2).
/// More than the two ECN bits, or CE (3), is `WSAEINVAL` (S26; Microsoft's
/// Winsock ECN page: an application may not send Congestion Experienced).
fn ecn_bits(value: u8, what: &str) -> Result<u8> {
    if value > ECN_CE {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("{what} value {value} is more than the two ECN bits (0-3)"),
        ));
    }
    if value == ECN_CE {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("{what} value 3 is Congestion Experienced, which a sender may not set"),
        ));
    }
    Ok(value)
}

fn needs_v6_socket(family: Family, what: &str) -> Result<()> {
    if family == Family::V4 {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("control message {what} does not fit an AF_INET socket"),
        ));
    }
    Ok(())
}

impl SendControls {
    /// Adds one typed control message, with the checks of S22/S26.
    ///
    /// ```
    /// use ws2_engine::{translate::SendControls, ControlMessage, Family};
    /// let mut controls = SendControls::default();
    /// controls.add(&ControlMessage::Tos(0xb8), Family::V4)?;
    /// let err = controls.add(&ControlMessage::HopLimit(8), Family::V4).unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::WSAEINVAL, "IPv6 message on an AF_INET socket");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn add(&mut self, msg: &ControlMessage, family: Family) -> Result<()> {
        match *msg {
            ControlMessage::SourceV4 { addr, ifindex } => {
                once(&mut self.source_v4, (addr, ifindex), "IP_PKTINFO")
            }
            ControlMessage::SourceV6 { addr, ifindex } => {
                needs_v6_socket(family, "IPV6_PKTINFO")?;
                once(&mut self.source_v6, (addr, ifindex), "IPV6_PKTINFO")
            }
            ControlMessage::Tos(v) => once(&mut self.tos, v, "IP_TOS"),
            ControlMessage::Ttl(v) => {
                if v == 0 {
                    return Err(Error::new(abi::WSAEINVAL, "IP_TTL value 0 is not 1-255"));
                }
                once(&mut self.ttl, v, "IP_TTL")
            }
            ControlMessage::Ecn(v) => once(&mut self.ecn, ecn_bits(v, "IP_ECN")?, "IP_ECN"),
            ControlMessage::HopLimit(v) => {
                needs_v6_socket(family, "IPV6_HOPLIMIT")?;
                once(&mut self.hop_limit, v, "IPV6_HOPLIMIT")
            }
            ControlMessage::TrafficClass(v) => {
                needs_v6_socket(family, "IPV6_TCLASS")?;
                once(&mut self.traffic_class, v, "IPV6_TCLASS")
            }
            ControlMessage::EcnV6(v) => {
                needs_v6_socket(family, "IPV6_ECN")?;
                once(&mut self.ecn_v6, ecn_bits(v, "IPV6_ECN")?, "IPV6_ECN")
            }
            ControlMessage::SegmentSize(v) => once(
                &mut self.segment_size,
                segment_size(v)?,
                "UDP_SEND_MSG_SIZE",
            ),
        }
    }

    /// Validates typed control messages.
    ///
    /// ```
    /// use ws2_engine::{translate::SendControls, ControlMessage, Family};
    /// let msgs = [ControlMessage::Ecn(1), ControlMessage::SegmentSize(1200)];
    /// let controls = SendControls::from_messages(&msgs, Family::V4)?;
    /// assert_eq!((controls.ecn, controls.segment_size), (Some(1), Some(1200)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_messages(msgs: &[ControlMessage], family: Family) -> Result<SendControls> {
        let mut out = SendControls::default();
        for msg in msgs {
            out.add(msg, family)?;
        }
        Ok(out)
    }

    /// Parses and validates a Windows control buffer (S22).
    ///
    /// ```
    /// use ws2_engine::{translate::SendControls, Family};
    /// let mut buf = Vec::new();
    /// ws2_abi::push_control(&mut buf, ws2_abi::IPPROTO_IP, ws2_abi::IP_TTL, &7i32.to_ne_bytes());
    /// let controls = SendControls::from_windows(&buf, Family::V4)?;
    /// assert_eq!(controls.ttl, Some(7));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_windows(control: &[u8], family: Family) -> Result<SendControls> {
        let mut out = SendControls::default();
        for entry in abi::ControlWalker::new(control) {
            let entry = entry.map_err(|e| Error::new(abi::WSAEINVAL, e.to_string()))?;
            let msg = parse_entry(&entry)?;
            out.add(&msg, family).map_err(|e| {
                Error::new(
                    e.code(),
                    format!("offset {}: {}", entry.offset, e.message()),
                )
            })?;
        }
        Ok(out)
    }

    /// True when nothing was asked for.
    ///
    /// ```
    /// use ws2_engine::{translate::SendControls, Family};
    /// assert!(SendControls::from_windows(&[], Family::V4)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        *self == SendControls::default()
    }
}

fn payload<const N: usize>(entry: &abi::ControlEntry<'_>, what: &str) -> Result<[u8; N]> {
    entry.data.try_into().map_err(|_| {
        Error::new(
            abi::WSAEINVAL,
            format!(
                "control message {what} at offset {}: payload is {} bytes, expected {N}",
                entry.offset,
                entry.data.len()
            ),
        )
    })
}

fn int_payload(entry: &abi::ControlEntry<'_>, what: &str, max: i32) -> Result<u8> {
    let v = i32::from_ne_bytes(payload::<4>(entry, what)?);
    if !(0..=max).contains(&v) {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!(
                "control message {what} at offset {}: value {v} is outside 0-{max}",
                entry.offset
            ),
        ));
    }
    Ok(v as u8)
}

fn parse_entry(entry: &abi::ControlEntry<'_>) -> Result<ControlMessage> {
    Ok(match (entry.level, entry.kind) {
        (abi::IPPROTO_IP, abi::IP_PKTINFO) => {
            let p = payload::<8>(entry, "IP_PKTINFO")?;
            ControlMessage::SourceV4 {
                addr: Ipv4Addr::new(p[0], p[1], p[2], p[3]),
                ifindex: u32::from_ne_bytes([p[4], p[5], p[6], p[7]]),
            }
        }
        (abi::IPPROTO_IPV6, abi::IPV6_PKTINFO) => {
            let p = payload::<20>(entry, "IPV6_PKTINFO")?;
            let mut addr = [0u8; 16];
            addr.copy_from_slice(&p[..16]);
            ControlMessage::SourceV6 {
                addr: Ipv6Addr::from(addr),
                ifindex: u32::from_ne_bytes([p[16], p[17], p[18], p[19]]),
            }
        }
        (abi::IPPROTO_IP, abi::IP_TOS) => ControlMessage::Tos(int_payload(entry, "IP_TOS", 255)?),
        (abi::IPPROTO_IP, abi::IP_TTL) => ControlMessage::Ttl(int_payload(entry, "IP_TTL", 255)?),
        (abi::IPPROTO_IP, abi::IP_ECN) => ControlMessage::Ecn(int_payload(entry, "IP_ECN", 255)?),
        (abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT) => {
            ControlMessage::HopLimit(int_payload(entry, "IPV6_HOPLIMIT", 255)?)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_TCLASS) => {
            ControlMessage::TrafficClass(int_payload(entry, "IPV6_TCLASS", 255)?)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_ECN) => {
            ControlMessage::EcnV6(int_payload(entry, "IPV6_ECN", 255)?)
        }
        (abi::IPPROTO_UDP, abi::UDP_SEND_MSG_SIZE) => ControlMessage::SegmentSize(
            u32::from_ne_bytes(payload::<4>(entry, "UDP_SEND_MSG_SIZE")?),
        ),
        (level, kind) => {
            return Err(Error::new(
                abi::WSAEINVAL,
                format!(
                    "control message at offset {}: level {level} type {kind} is not supported",
                    entry.offset
                ),
            ));
        }
    })
}

/// Linux control messages for one send, in an 8-aligned fixed buffer.
/// Only the bytes written are ever initialised (no per-send memset).
///
/// ```
/// use ws2_engine::{translate::{CmsgBuf, SendControls}, ControlMessage, Family};
/// let controls = SendControls::from_messages(&[ControlMessage::Ttl(9)], Family::V4)?;
/// let mut buf = CmsgBuf::default();
/// buf.encode(&controls, Family::V4, true, 0);
/// assert_eq!(buf.len(), 24, "one 16-byte cmsghdr plus an int padded to 8");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[repr(C, align(8))]
pub struct CmsgBuf {
    bytes: std::mem::MaybeUninit<[u8; CMSG_BUF_SIZE]>,
    len: usize,
}

const CMSG_BUF_SIZE: usize = 192;
const LINUX_CMSG_HDR: usize = size_of::<libc::cmsghdr>();

impl Default for CmsgBuf {
    #[inline(always)]
    fn default() -> Self {
        let mut buf = std::mem::MaybeUninit::<CmsgBuf>::uninit();
        // SAFETY: `len` is the only field that needs initialising; `bytes`
        // is MaybeUninit. (A struct literal here compiles to a memset of
        // the whole buffer on every send.)
        unsafe {
            (&raw mut (*buf.as_mut_ptr()).len).write(0);
            buf.assume_init()
        }
    }
}

impl CmsgBuf {
    fn push<T: Copy>(&mut self, level: i32, kind: i32, value: T) {
        let space = linux_cmsg_space(size_of::<T>());
        // Every kind appears at most once, so the buffer is always big enough.
        assert!(self.len + space <= CMSG_BUF_SIZE, "cmsg buffer overflow");
        let hdr = libc::cmsghdr {
            cmsg_len: LINUX_CMSG_HDR + size_of::<T>(),
            cmsg_level: level,
            cmsg_type: kind,
        };
        // SAFETY: `len + space` fits the buffer (asserted); `len` stays a
        // multiple of 8 so the header is aligned; the payload is written
        // unaligned-safe and the padding zeroed.
        unsafe {
            let base = self.bytes.as_mut_ptr().cast::<u8>().add(self.len);
            std::ptr::write(base.cast::<libc::cmsghdr>(), hdr);
            std::ptr::write_unaligned(base.add(LINUX_CMSG_HDR).cast::<T>(), value);
            let used = LINUX_CMSG_HDR + size_of::<T>();
            std::ptr::write_bytes(base.add(used), 0, space - used);
        }
        self.len += space;
    }

    /// Pointer for `msg_control` (null when empty).
    ///
    /// ```
    /// let mut buf = ws2_engine::translate::CmsgBuf::default();
    /// assert!(buf.as_ptr().is_null());
    /// buf.push_segment_size(1200);
    /// assert!(!buf.as_ptr().is_null());
    /// ```
    pub fn as_ptr(&self) -> *const u8 {
        if self.len == 0 {
            std::ptr::null()
        } else {
            self.bytes.as_ptr().cast()
        }
    }

    /// Bytes of control messages written (`msg_controllen`).
    ///
    /// ```
    /// let mut buf = ws2_engine::translate::CmsgBuf::default();
    /// buf.push_segment_size(1200);
    /// assert_eq!(buf.len(), 24);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no control message was written.
    ///
    /// ```
    /// assert!(ws2_engine::translate::CmsgBuf::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole buffer, for the kernel to fill on receive.
    ///
    /// ```
    /// let mut buf = ws2_engine::translate::CmsgBuf::default();
    /// let p = buf.as_mut_ptr();
    /// assert_eq!(p as usize % 8, 0, "cmsghdr-aligned");
    /// ```
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.bytes.as_mut_ptr().cast()
    }

    /// The buffer's size in bytes (`msg_controllen` for a receive).
    ///
    /// ```
    /// let buf = ws2_engine::translate::CmsgBuf::default();
    /// assert!(buf.capacity() >= 128);
    /// ```
    pub fn capacity(&self) -> usize {
        CMSG_BUF_SIZE
    }

    /// Adds `UDP_SEGMENT` (Linux UDP GSO) for `UDP_SEND_MSG_SIZE`.
    ///
    /// ```
    /// let mut buf = ws2_engine::translate::CmsgBuf::default();
    /// buf.push_segment_size(1400);
    /// assert!(!buf.is_empty());
    /// ```
    pub fn push_segment_size(&mut self, segment: u16) {
        self.push(libc::SOL_UDP, libc::UDP_SEGMENT, segment);
    }

    /// Copies another buffer's messages (queuing a send).
    ///
    /// ```
    /// use ws2_engine::translate::CmsgBuf;
    /// let mut a = CmsgBuf::default();
    /// a.push_segment_size(1200);
    /// let mut b = CmsgBuf::default();
    /// b.copy_from(&a);
    /// assert_eq!(b.len(), a.len());
    /// ```
    pub fn copy_from(&mut self, other: &CmsgBuf) {
        // SAFETY: other's first `len` bytes are initialised; both buffers hold CMSG_BUF_SIZE bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(
                other.bytes.as_ptr().cast::<u8>(),
                self.bytes.as_mut_ptr().cast::<u8>(),
                other.len,
            )
        };
        self.len = other.len;
    }

    /// Encodes `controls` for a socket of `family` sending to an IPv4 or
    /// v4-mapped destination (`to_v4`) or a native IPv6 one. `socket_tos` is the
    /// socket's TOS/traffic class, whose DSCP stays when only ECN is given.
    /// Dual-stack rule (S25): to IPv4 destinations the IPv4 messages apply; to
    /// IPv6 destinations the IPv6 ones.
    ///
    /// ```
    /// use ws2_engine::{translate::{CmsgBuf, SendControls}, ControlMessage, Family};
    /// let msgs = [ControlMessage::Ttl(9), ControlMessage::HopLimit(9)];
    /// let controls = SendControls::from_messages(&msgs, Family::V6)?;
    /// let mut buf = CmsgBuf::default();
    /// buf.encode(&controls, Family::V6, true, 0);
    /// assert_eq!(buf.len(), 24, "to an IPv4 destination only IP_TTL applies");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encode(&mut self, controls: &SendControls, family: Family, to_v4: bool, socket_tos: u8) {
        self.len = 0;
        if family == Family::V4 || to_v4 {
            if let Some((addr, ifindex)) = controls.source_v4 {
                self.push(
                    libc::SOL_IP,
                    libc::IP_PKTINFO,
                    libc::in_pktinfo {
                        ipi_ifindex: ifindex as i32,
                        // Windows' ipi_addr is the source: Linux reads ipi_spec_dst.
                        ipi_spec_dst: libc::in_addr {
                            s_addr: u32::from_ne_bytes(addr.octets()),
                        },
                        ipi_addr: libc::in_addr { s_addr: 0 },
                    },
                );
            }
            if let Some(tos) = merge_ecn(controls.tos, controls.ecn, socket_tos) {
                self.push(libc::SOL_IP, libc::IP_TOS, tos as libc::c_int);
            }
            if let Some(ttl) = controls.ttl {
                self.push(libc::SOL_IP, libc::IP_TTL, ttl as libc::c_int);
            }
        } else {
            if let Some((addr, ifindex)) = controls.source_v6 {
                self.push(
                    libc::SOL_IPV6,
                    libc::IPV6_PKTINFO,
                    libc::in6_pktinfo {
                        ipi6_addr: libc::in6_addr {
                            s6_addr: addr.octets(),
                        },
                        ipi6_ifindex: ifindex,
                    },
                );
            }
            if let Some(tclass) = merge_ecn(controls.traffic_class, controls.ecn_v6, socket_tos) {
                self.push(libc::SOL_IPV6, libc::IPV6_TCLASS, tclass as libc::c_int);
            }
            if let Some(hops) = controls.hop_limit {
                self.push(libc::SOL_IPV6, libc::IPV6_HOPLIMIT, hops as libc::c_int);
            }
        }
    }
}

/// DSCP from the TOS byte (or the socket's), ECN bits from the ECN message (S26).
fn merge_ecn(tos: Option<u8>, ecn: Option<u8>, socket_tos: u8) -> Option<u8> {
    match (tos, ecn) {
        (tos, None) => tos,
        (tos, Some(ecn)) => Some((tos.unwrap_or(socket_tos) & !3) | ecn),
    }
}

const fn linux_cmsg_space(len: usize) -> usize {
    LINUX_CMSG_HDR + ((len + 7) & !7)
}

/// The source address the controls ask for on a send to `to_v4`/IPv6
/// (`None` when none, or the unspecified address, was given).
///
/// ```
/// use std::net::Ipv4Addr;
/// use ws2_engine::{translate::{requested_source, SendControls}, ControlMessage, Family};
/// let msg = ControlMessage::SourceV4 { addr: Ipv4Addr::LOCALHOST, ifindex: 0 };
/// let controls = SendControls::from_messages(&[msg], Family::V4)?;
/// assert_eq!(requested_source(&controls, Family::V4, true), Some(Ipv4Addr::LOCALHOST.into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn requested_source(
    controls: &SendControls,
    family: Family,
    to_v4: bool,
) -> Option<std::net::IpAddr> {
    if family == Family::V4 || to_v4 {
        controls
            .source_v4
            .map(|(a, _)| a)
            .filter(|a| !a.is_unspecified())
            .map(Into::into)
    } else {
        controls
            .source_v6
            .map(|(a, _)| a)
            .filter(|a| !a.is_unspecified())
            .map(Into::into)
    }
}

/// What a received datagram's control data said (S27), decoded from
/// Linux cmsgs; `to_windows` writes it back in Windows layout.
///
/// ```
/// use ws2_engine::ReceivedControls;
/// let got = ReceivedControls { ttl: Some(64), ..Default::default() };
/// let mut out = [0u8; 64];
/// assert_eq!(got.to_windows(&mut out), (24, false));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReceivedControls {
    /// `IN_PKTINFO`: the datagram's destination address and arrival interface.
    pub destination_v4: Option<(Ipv4Addr, u32)>,
    /// `IN6_PKTINFO`.
    pub destination_v6: Option<(Ipv6Addr, u32)>,
    /// `IP_TOS` (with `IP_RECVTOS`).
    pub tos: Option<u8>,
    /// `IP_ECN`: the ECN bits of the TOS byte (with `IP_RECVECN`).
    pub ecn: Option<u8>,
    /// `IP_TTL`.
    pub ttl: Option<u8>,
    /// `IPV6_TCLASS` (with `IPV6_RECVTCLASS`).
    pub traffic_class: Option<u8>,
    /// `IPV6_ECN`: the ECN bits of the traffic class (with `IPV6_RECVECN`).
    pub ecn_v6: Option<u8>,
    /// `IPV6_HOPLIMIT`.
    pub hop_limit: Option<u8>,
}

impl ReceivedControls {
    /// Decodes the cmsgs the kernel wrote through `msg`.
    ///
    /// # Safety
    /// `msg.msg_control` must hold `msg.msg_controllen` bytes of cmsgs
    /// written by the kernel.
    ///
    /// A cmsg the kernel cut short for lack of room (`MSG_CTRUNC`: its
    /// `cmsg_len` ends at `msg_controllen`, before its payload does) carries
    /// no value and is skipped; nothing past `msg_controllen` is read.
    ///
    /// ```
    /// // SAFETY: an all-zero msghdr has no control data (msg_controllen 0).
    /// let msg: libc::msghdr = unsafe { std::mem::zeroed() };
    /// // SAFETY: the (empty) control buffer holds valid cmsgs.
    /// let got = unsafe { ws2_engine::ReceivedControls::from_linux(&msg, false, false) };
    /// assert_eq!(got, ws2_engine::ReceivedControls::default());
    /// ```
    pub unsafe fn from_linux(
        msg: &libc::msghdr,
        want_tos: bool,
        want_ecn: bool,
    ) -> ReceivedControls {
        let mut out = ReceivedControls::default();
        let end = msg.msg_control as usize + msg.msg_controllen;
        // SAFETY: per the contract the control buffer holds valid cmsgs;
        // CMSG_FIRSTHDR/NXTHDR give headers that lie whole within
        // msg_controllen, and a payload is read only when `len` (its bytes
        // within both cmsg_len and msg_controllen) covers it.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(msg);
            while !c.is_null() {
                let data = libc::CMSG_DATA(c);
                let len = ((*c).cmsg_len as usize)
                    .min(end - c as usize)
                    .saturating_sub(LINUX_CMSG_HDR);
                let int = || std::ptr::read_unaligned(data.cast::<libc::c_int>()) as u8;
                const INT: usize = size_of::<libc::c_int>();
                match ((*c).cmsg_level, (*c).cmsg_type) {
                    (libc::SOL_IP, libc::IP_PKTINFO) if len >= size_of::<libc::in_pktinfo>() => {
                        let p = std::ptr::read_unaligned(data.cast::<libc::in_pktinfo>());
                        out.destination_v4 = Some((
                            Ipv4Addr::from(p.ipi_addr.s_addr.to_ne_bytes()),
                            p.ipi_ifindex as u32,
                        ));
                    }
                    (libc::SOL_IPV6, libc::IPV6_PKTINFO)
                        if len >= size_of::<libc::in6_pktinfo>() =>
                    {
                        let p = std::ptr::read_unaligned(data.cast::<libc::in6_pktinfo>());
                        out.destination_v6 =
                            Some((Ipv6Addr::from(p.ipi6_addr.s6_addr), p.ipi6_ifindex));
                    }
                    // Linux delivers IP_TOS as one byte; Windows as an INT.
                    (libc::SOL_IP, libc::IP_TOS) if len >= 1 => {
                        let tos = *data;
                        out.tos = want_tos.then_some(tos);
                        out.ecn = want_ecn.then_some(tos & 3);
                    }
                    (libc::SOL_IP, libc::IP_TTL) if len >= INT => out.ttl = Some(int()),
                    (libc::SOL_IPV6, libc::IPV6_TCLASS) if len >= INT => {
                        let tclass = int();
                        out.traffic_class = want_tos.then_some(tclass);
                        out.ecn_v6 = want_ecn.then_some(tclass & 3);
                    }
                    (libc::SOL_IPV6, libc::IPV6_HOPLIMIT) if len >= INT => {
                        out.hop_limit = Some(int())
                    }
                    _ => {}
                }
                c = libc::CMSG_NXTHDR(msg, c);
            }
        }
        out
    }

    /// Writes the Windows control entries into `out` (`cmsg_len` unpadded,
    /// entries advanced by `WSA_CMSG_SPACE`). Returns the bytes used and
    /// whether some entry did not fit (`MSG_CTRUNC`).
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// let got = ws2_engine::ReceivedControls { destination_v4: Some((Ipv4Addr::LOCALHOST, 1)), ..Default::default() };
    /// let mut small = [0u8; 8];
    /// assert_eq!(got.to_windows(&mut small), (0, true), "IN_PKTINFO needs 24 bytes");
    /// ```
    pub fn to_windows(&self, out: &mut [u8]) -> (usize, bool) {
        let mut w = WindowsControlWriter {
            out,
            used: 0,
            truncated: false,
        };
        if let Some((addr, ifindex)) = self.destination_v4 {
            let mut p = [0u8; 8];
            p[..4].copy_from_slice(&addr.octets());
            p[4..].copy_from_slice(&ifindex.to_ne_bytes());
            w.push(abi::IPPROTO_IP, abi::IP_PKTINFO, &p);
        }
        if let Some((addr, ifindex)) = self.destination_v6 {
            let mut p = [0u8; 20];
            p[..16].copy_from_slice(&addr.octets());
            p[16..].copy_from_slice(&ifindex.to_ne_bytes());
            w.push(abi::IPPROTO_IPV6, abi::IPV6_PKTINFO, &p);
        }
        if let Some(tos) = self.tos {
            w.push(abi::IPPROTO_IP, abi::IP_TOS, &(tos as i32).to_ne_bytes());
        }
        if let Some(ecn) = self.ecn {
            w.push(abi::IPPROTO_IP, abi::IP_ECN, &(ecn as i32).to_ne_bytes());
        }
        if let Some(ttl) = self.ttl {
            w.push(abi::IPPROTO_IP, abi::IP_TTL, &(ttl as i32).to_ne_bytes());
        }
        if let Some(tclass) = self.traffic_class {
            w.push(
                abi::IPPROTO_IPV6,
                abi::IPV6_TCLASS,
                &(tclass as i32).to_ne_bytes(),
            );
        }
        if let Some(ecn) = self.ecn_v6 {
            w.push(
                abi::IPPROTO_IPV6,
                abi::IPV6_ECN,
                &(ecn as i32).to_ne_bytes(),
            );
        }
        if let Some(hops) = self.hop_limit {
            w.push(
                abi::IPPROTO_IPV6,
                abi::IPV6_HOPLIMIT,
                &(hops as i32).to_ne_bytes(),
            );
        }
        (w.used, w.truncated)
    }

    /// `MSG_BCAST`/`MSG_MCAST` as far as the destination address tells.
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// let got = ws2_engine::ReceivedControls { destination_v4: Some((Ipv4Addr::BROADCAST, 1)), ..Default::default() };
    /// assert_eq!(got.windows_flags(), ws2_abi::MSG_BCAST);
    /// ```
    pub fn windows_flags(&self) -> u32 {
        match (self.destination_v4, self.destination_v6) {
            (Some((a, _)), _) if a.is_multicast() => abi::MSG_MCAST,
            (Some((a, _)), _) if a.is_broadcast() => abi::MSG_BCAST,
            (_, Some((a, _))) if a.is_multicast() => abi::MSG_MCAST,
            _ => 0,
        }
    }
}

/// The most bytes [`ReceivedControls::to_windows`] writes: every entry once.
pub(crate) const RECEIVED_CONTROL_MAX: usize =
    abi::wsa_cmsg_space(8) + abi::wsa_cmsg_space(20) + 6 * abi::wsa_cmsg_space(4);

struct WindowsControlWriter<'a> {
    out: &'a mut [u8],
    used: usize,
    truncated: bool,
}

impl WindowsControlWriter<'_> {
    fn push(&mut self, level: i32, kind: i32, data: &[u8]) {
        let len = abi::wsa_cmsg_len(data.len());
        if self.truncated || self.used + len > self.out.len() {
            self.truncated = true;
            return;
        }
        let at = &mut self.out[self.used..];
        at[..8].copy_from_slice(&(len as u64).to_ne_bytes());
        at[8..12].copy_from_slice(&level.to_ne_bytes());
        at[12..16].copy_from_slice(&kind.to_ne_bytes());
        at[16..len].copy_from_slice(data);
        let space = abi::wsa_cmsg_space(data.len()).min(at.len());
        at[len..space].fill(0);
        self.used += space;
    }
}

// ---------------------------------------------------------------------------
// Socket options

/// A Windows socket option, translated.
///
/// ```
/// use ws2_engine::translate::{sock_opt, SockOpt};
/// assert_eq!(sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_SNDTIMEO)?, SockOpt::SendTimeout);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockOpt {
    /// An `int` option Linux has under another number. `halve`: Linux
    /// reports the value doubled (`SO_SNDBUF`, `SO_RCVBUF`).
    Linux {
        /// The Linux level (`SOL_SOCKET`, `IPPROTO_IP`, ...).
        level: i32,
        /// The Linux option number.
        name: i32,
        /// Whether reads divide the Linux value by 2.
        halve: bool,
    },
    /// `SO_SNDTIMEO`: milliseconds, kept by ws2 (blocking is emulated).
    SendTimeout,
    /// `SO_RCVTIMEO`: milliseconds, kept by ws2.
    RecvTimeout,
    /// `IP_TOS`/`IPV6_TCLASS`: also remembered for ECN-only sends.
    Tos {
        /// `IPPROTO_IP` or `IPPROTO_IPV6` (Linux numbers).
        level: i32,
        /// `IP_TOS` or `IPV6_TCLASS` (Linux numbers).
        name: i32,
    },
    /// `IP_HDRINCL`.
    HeaderIncluded,
    /// `SO_TYPE` (Windows numbers), read-only.
    Type,
    /// `SO_MAX_MSG_SIZE`, read-only (S11).
    MaxMsgSize,
    /// `SO_ERROR` (as a Winsock code), read-only.
    Error,
    /// `UDP_SEND_MSG_SIZE`: segment every send (S26); 0 turns it off.
    SegmentSize,
    /// `IPV6_V6ONLY`: kept by ws2 too (S8, S25), always on for raw IPv6.
    V6Only,
    /// `IP_RECVTOS`/`IPV6_RECVTCLASS` (`ecn: false`) and `IP_RECVECN`/
    /// `IPV6_RECVECN` (`ecn: true`): which of TOS and ECN receives report.
    RecvTos {
        /// The IPv6 option (`IPV6_RECVTCLASS`/`IPV6_RECVECN`).
        v6: bool,
        /// The ECN-only option (`IP_RECVECN`/`IPV6_RECVECN`).
        ecn: bool,
    },
}

/// Translates a Windows (level, name); unknown → `WSAENOPROTOOPT`.
///
/// ```
/// use ws2_engine::translate::{sock_opt, SockOpt};
/// let opt = sock_opt(ws2_abi::SOL_SOCKET, ws2_abi::SO_SNDBUF)?;
/// assert!(matches!(opt, SockOpt::Linux { halve: true, .. }));
/// assert_eq!(sock_opt(ws2_abi::SOL_SOCKET, 0x7777).unwrap_err().code(), ws2_abi::WSAENOPROTOOPT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sock_opt(level: i32, name: i32) -> Result<SockOpt> {
    let linux = |level, name| {
        Ok(SockOpt::Linux {
            level,
            name,
            halve: false,
        })
    };
    match (level, name) {
        (abi::SOL_SOCKET, abi::SO_BROADCAST) => linux(libc::SOL_SOCKET, libc::SO_BROADCAST),
        (abi::SOL_SOCKET, abi::SO_REUSEADDR) => linux(libc::SOL_SOCKET, libc::SO_REUSEADDR),
        (abi::SOL_SOCKET, abi::SO_DONTROUTE) => linux(libc::SOL_SOCKET, libc::SO_DONTROUTE),
        (abi::SOL_SOCKET, abi::SO_KEEPALIVE) => linux(libc::SOL_SOCKET, libc::SO_KEEPALIVE),
        (abi::SOL_SOCKET, abi::SO_SNDBUF) => Ok(SockOpt::Linux {
            level: libc::SOL_SOCKET,
            name: libc::SO_SNDBUF,
            halve: true,
        }),
        (abi::SOL_SOCKET, abi::SO_RCVBUF) => Ok(SockOpt::Linux {
            level: libc::SOL_SOCKET,
            name: libc::SO_RCVBUF,
            halve: true,
        }),
        (abi::SOL_SOCKET, abi::SO_SNDTIMEO) => Ok(SockOpt::SendTimeout),
        (abi::SOL_SOCKET, abi::SO_RCVTIMEO) => Ok(SockOpt::RecvTimeout),
        (abi::SOL_SOCKET, abi::SO_TYPE) => Ok(SockOpt::Type),
        (abi::SOL_SOCKET, abi::SO_MAX_MSG_SIZE) => Ok(SockOpt::MaxMsgSize),
        (abi::SOL_SOCKET, abi::SO_ERROR) => Ok(SockOpt::Error),
        (abi::IPPROTO_IP, abi::IP_TOS) => Ok(SockOpt::Tos {
            level: libc::IPPROTO_IP,
            name: libc::IP_TOS,
        }),
        (abi::IPPROTO_IP, abi::IP_TTL) => linux(libc::IPPROTO_IP, libc::IP_TTL),
        (abi::IPPROTO_IP, abi::IP_PKTINFO) => linux(libc::IPPROTO_IP, libc::IP_PKTINFO),
        (abi::IPPROTO_IP, abi::IP_HDRINCL) => Ok(SockOpt::HeaderIncluded),
        (abi::IPPROTO_IP, abi::IP_MULTICAST_TTL) => linux(libc::IPPROTO_IP, libc::IP_MULTICAST_TTL),
        (abi::IPPROTO_IP, abi::IP_MULTICAST_LOOP) => {
            linux(libc::IPPROTO_IP, libc::IP_MULTICAST_LOOP)
        }
        (abi::IPPROTO_IP, abi::IP_RECVTTL) => linux(libc::IPPROTO_IP, libc::IP_RECVTTL),
        (abi::IPPROTO_IP, abi::IP_RECVTOS) => Ok(SockOpt::RecvTos {
            v6: false,
            ecn: false,
        }),
        (abi::IPPROTO_IP, abi::IP_RECVECN) => Ok(SockOpt::RecvTos {
            v6: false,
            ecn: true,
        }),
        (abi::IPPROTO_IPV6, abi::IPV6_RECVECN) => Ok(SockOpt::RecvTos {
            v6: true,
            ecn: true,
        }),
        (abi::IPPROTO_UDP, abi::UDP_SEND_MSG_SIZE) => Ok(SockOpt::SegmentSize),
        (abi::IPPROTO_IPV6, abi::IPV6_V6ONLY) => Ok(SockOpt::V6Only),
        (abi::IPPROTO_IPV6, abi::IPV6_PKTINFO) => linux(libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO),
        (abi::IPPROTO_IPV6, abi::IPV6_UNICAST_HOPS) => {
            linux(libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_MULTICAST_HOPS) => {
            linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_HOPS)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_MULTICAST_LOOP) => {
            linux(libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_LOOP)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_HOPLIMIT) => {
            linux(libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT)
        }
        (abi::IPPROTO_IPV6, abi::IPV6_RECVTCLASS) => Ok(SockOpt::RecvTos {
            v6: true,
            ecn: false,
        }),
        (abi::IPPROTO_IPV6, abi::IPV6_TCLASS) => Ok(SockOpt::Tos {
            level: libc::IPPROTO_IPV6,
            name: libc::IPV6_TCLASS,
        }),
        _ => Err(Error::new(
            abi::WSAENOPROTOOPT,
            format!("socket option level {level:#x} name {name} is not supported"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pktinfo(addr: [u8; 4], ifindex: u32) -> Vec<u8> {
        let mut p = addr.to_vec();
        p.extend_from_slice(&ifindex.to_ne_bytes());
        p
    }

    #[test]
    fn windows_pktinfo_becomes_linux_spec_dst() {
        // S23
        let mut buf = Vec::new();
        abi::push_control(
            &mut buf,
            abi::IPPROTO_IP,
            abi::IP_PKTINFO,
            &pktinfo([127, 0, 0, 2], 1),
        );
        let c = SendControls::from_windows(&buf, Family::V4).unwrap();
        assert_eq!(c.source_v4, Some((Ipv4Addr::new(127, 0, 0, 2), 1)));
        let mut cm = CmsgBuf::default();
        cm.encode(&c, Family::V4, true, 0);
        assert_eq!(cm.len(), linux_cmsg_space(12));
        // SAFETY (test): the buffer holds one in_pktinfo cmsg.
        let info = unsafe { std::ptr::read(cm.as_ptr().add(16).cast::<libc::in_pktinfo>()) };
        assert_eq!(info.ipi_spec_dst.s_addr.to_ne_bytes(), [127, 0, 0, 2]);
        assert_eq!(info.ipi_ifindex, 1);
    }

    #[test]
    fn s22_rejections() {
        // S22: wrong payload size, unsupported type, duplicate, wrong family.
        let mut short = Vec::new();
        abi::push_control(&mut short, abi::IPPROTO_IP, abi::IP_PKTINFO, &[0; 4]);
        let mut unknown = Vec::new();
        abi::push_control(&mut unknown, 99, 1, &[0; 4]);
        let mut twice = Vec::new();
        abi::push_control(&mut twice, abi::IPPROTO_IP, abi::IP_PKTINFO, &[0; 8]);
        abi::push_control(&mut twice, abi::IPPROTO_IP, abi::IP_PKTINFO, &[0; 8]);
        let mut v6_on_v4 = Vec::new();
        abi::push_control(
            &mut v6_on_v4,
            abi::IPPROTO_IPV6,
            abi::IPV6_PKTINFO,
            &[0; 20],
        );
        for (buf, needle) in [
            (&short, "payload is 4 bytes, expected 8"),
            (&unknown, "level 99 type 1 is not supported"),
            (&twice, "appears twice"),
            (&v6_on_v4, "does not fit an AF_INET socket"),
        ] {
            let err = SendControls::from_windows(buf, Family::V4).unwrap_err();
            assert_eq!(err.code(), abi::WSAEINVAL);
            assert!(err.message().contains(needle), "{err}");
        }
        assert!(SendControls::from_windows(&v6_on_v4, Family::V6).is_ok());
    }

    #[test]
    fn ecn_merges_with_tos() {
        // S26
        let c = SendControls::from_messages(
            &[ControlMessage::Tos(0xb8), ControlMessage::Ecn(1)],
            Family::V4,
        )
        .unwrap();
        assert_eq!(merge_ecn(c.tos, c.ecn, 0), Some(0xb9));
        assert_eq!(merge_ecn(None, Some(2), 0x20), Some(0x22));
        let err = SendControls::from_messages(&[ControlMessage::Ecn(4)], Family::V4).unwrap_err();
        assert!(err.message().contains("ECN"));
    }

    /// `entries` zero-length WSABUFs that end where a PROT_NONE page begins.
    struct GuardedArray {
        map: *mut libc::c_void,
        map_len: usize,
        bufs: *const abi::WSABUF,
    }

    impl Drop for GuardedArray {
        fn drop(&mut self) {
            // SAFETY (test): our own mapping, no longer used.
            unsafe { libc::munmap(self.map, self.map_len) };
        }
    }

    fn before_guard_page(entries: usize) -> GuardedArray {
        let bytes = entries * size_of::<abi::WSABUF>();
        let pages = bytes.div_ceil(4096);
        let map_len = (pages + 1) * 4096;
        // SAFETY (test): a fresh anonymous mapping; its last page made PROT_NONE.
        unsafe {
            let map = libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert_ne!(map, libc::MAP_FAILED);
            let guard = map.cast::<u8>().add(pages * 4096);
            assert_eq!(libc::mprotect(guard.cast(), 4096, libc::PROT_NONE), 0);
            // mmap memory is zeroed: zero-length, NULL buffers are valid.
            GuardedArray {
                map,
                map_len,
                bufs: guard.sub(bytes).cast(),
            }
        }
    }

    #[test]
    fn every_received_control_fits_received_control_max() {
        let all = ReceivedControls {
            destination_v4: Some((Ipv4Addr::LOCALHOST, 1)),
            destination_v6: Some((Ipv6Addr::LOCALHOST, 1)),
            tos: Some(1),
            ecn: Some(1),
            ttl: Some(1),
            traffic_class: Some(1),
            ecn_v6: Some(1),
            hop_limit: Some(1),
        };
        let mut out = [0u8; RECEIVED_CONTROL_MAX];
        assert_eq!(all.to_windows(&mut out), (RECEIVED_CONTROL_MAX, false));
    }

    #[test]
    fn ecn_congestion_experienced_is_refused() {
        // S26 (Microsoft's Winsock ECN page: a sender may not set CE).
        for msg in [ControlMessage::Ecn(3), ControlMessage::EcnV6(3)] {
            let err = SendControls::from_messages(&[msg], Family::V6).unwrap_err();
            assert_eq!(err.code(), abi::WSAEINVAL);
            assert!(err.message().contains("Congestion Experienced"), "{err}");
        }
        for (level, kind) in [
            (abi::IPPROTO_IP, abi::IP_ECN),
            (abi::IPPROTO_IPV6, abi::IPV6_ECN),
        ] {
            let mut buf = Vec::new();
            abi::push_control(
                &mut buf,
                abi::IPPROTO_IP,
                abi::IP_TOS,
                &0xb8i32.to_ne_bytes(),
            );
            abi::push_control(&mut buf, level, kind, &3i32.to_ne_bytes());
            let err = SendControls::from_windows(&buf, Family::V6).unwrap_err();
            assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
        }
    }

    #[test]
    fn dual_stack_picks_by_destination() {
        // S25
        let c = SendControls::from_messages(
            &[
                ControlMessage::SourceV4 {
                    addr: Ipv4Addr::new(127, 0, 0, 3),
                    ifindex: 0,
                },
                ControlMessage::SourceV6 {
                    addr: Ipv6Addr::LOCALHOST,
                    ifindex: 0,
                },
            ],
            Family::V6,
        )
        .unwrap();
        let mut to_v4 = CmsgBuf::default();
        to_v4.encode(&c, Family::V6, true, 0);
        // SAFETY (test): one cmsghdr at the start of an 8-aligned buffer.
        let hdr = unsafe { std::ptr::read(to_v4.as_ptr().cast::<libc::cmsghdr>()) };
        assert_eq!(
            (hdr.cmsg_level, hdr.cmsg_type),
            (libc::SOL_IP, libc::IP_PKTINFO)
        );
        let mut to_v6 = CmsgBuf::default();
        to_v6.encode(&c, Family::V6, false, 0);
        // SAFETY (test): as above.
        let hdr = unsafe { std::ptr::read(to_v6.as_ptr().cast::<libc::cmsghdr>()) };
        assert_eq!(
            (hdr.cmsg_level, hdr.cmsg_type),
            (libc::SOL_IPV6, libc::IPV6_PKTINFO)
        );
    }

    #[test]
    fn sockaddr_round_trip_and_s8_errors() {
        // S8
        let addr: SocketAddr = "[fe80::1%3]:4433".parse().unwrap();
        let mut out = abi::SOCKADDR_STORAGE::default();
        let mut len = 128i32;
        // SAFETY (test): out is 128 writable bytes.
        unsafe { socket_addr_to_windows(&addr, (&raw mut out).cast(), &mut len).unwrap() };
        assert_eq!(len, 28);
        assert_eq!(out.ss_family, 23);
        // SAFETY (test): out holds 28 readable bytes.
        let back = unsafe { socket_addr_from_windows((&raw const out).cast(), len) }.unwrap();
        assert_eq!(back, addr);
        // SAFETY (test): as above; shorter lengths are checked before reading.
        let err = unsafe { socket_addr_from_windows((&raw const out).cast(), 24) }.unwrap_err();
        assert_eq!(err.code(), abi::WSAEFAULT);
        out.ss_family = 1;
        // SAFETY (test): as above.
        let err = unsafe { socket_addr_from_windows((&raw const out).cast(), 28) }.unwrap_err();
        assert_eq!(err.code(), abi::WSAEAFNOSUPPORT);
        let err = LinuxAddr::new(&addr, Family::V4).err().unwrap();
        assert_eq!(err.code(), abi::WSAEAFNOSUPPORT);
        let mapped = LinuxAddr::new(&"127.0.0.1:9".parse().unwrap(), Family::V6).unwrap();
        assert_eq!(
            mapped.to_socket_addr().unwrap(),
            "[::ffff:127.0.0.1]:9".parse().unwrap()
        );
    }

    #[test]
    fn wsabufs_gather_inline_and_heap() {
        // S21
        let mut data = [1u8, 2, 3];
        for count in [0usize, 1, 16, 17, 40] {
            let bufs: Vec<abi::WSABUF> = (0..count)
                .map(|_| abi::WSABUF {
                    len: 3,
                    buf: data.as_mut_ptr().cast(),
                })
                .collect();
            // SAFETY (test): bufs has `count` WSABUFs.
            let iov = unsafe { IoVecs::from_wsabufs(bufs.as_ptr(), count as u32) }.unwrap();
            assert_eq!(iov.len(), count);
            assert_eq!(iov.total(), 3 * count);
        }
        // SAFETY (test): null is allowed and rejected.
        let err = unsafe { IoVecs::from_wsabufs(std::ptr::null(), 2) }
            .err()
            .unwrap();
        assert_eq!(err.code(), abi::WSAEFAULT);
    }

    proptest! {
        // S21: any WSABUF array (up to past MAX_IOVECS, zero lengths too)
        // gathers to iovecs of the same lengths and total; past MAX_IOVECS
        // one bounce buffer holds the bytes in order (within S11's max).
        #[test]
        fn wsabuf_arrays_gather_and_bounce(lens in proptest::collection::vec(0u32..48, 0..2100)) {
            let total: usize = lens.iter().map(|&l| l as usize).sum();
            let data: Vec<u8> = (0..total).map(|i| (i * 13) as u8).collect();
            let mut at = 0;
            let bufs: Vec<abi::WSABUF> = lens
                .iter()
                .map(|&l| {
                    let b = abi::WSABUF { len: l, buf: data[at..].as_ptr().cast_mut().cast() };
                    at += l as usize;
                    b
                })
                .collect();
            let mut iov = IoVecs::new();
            // SAFETY (test): `bufs` holds lens.len() WSABUFs over `data`.
            unsafe { iov.gather(bufs.as_ptr(), bufs.len() as u32) }.unwrap();
            prop_assert_eq!(iov.len(), lens.len());
            prop_assert_eq!(iov.total(), total);
            // SAFETY (test): the iovecs describe `data`.
            let bounce = unsafe { iov.bounce(65507) }.unwrap();
            match bounce {
                Some(b) => {
                    prop_assert!(lens.len() > MAX_IOVECS);
                    prop_assert_eq!(&b[..], &data[..]);
                    prop_assert_eq!((iov.len(), iov.total()), (1, total));
                    // SAFETY (test): one initialised iovec.
                    prop_assert_eq!(unsafe { (*iov.as_ptr()).iov_base }, b.as_ptr().cast_mut().cast());
                }
                None => prop_assert!(lens.len() <= MAX_IOVECS || total > 65507),
            }
        }

        // S3, S21: a WSABUF array that ends where an unreadable page begins:
        // any count past its end (up to 0xFFFFFFFF) is WSAEFAULT once there
        // are more than INLINE_BUFFERS, never a fault or an allocation of
        // the count; counts within it gather.
        #[test]
        fn counts_past_an_unreadable_page_are_wsaefault(entries in 1usize..80, count in any::<u32>()) {
            let guarded = before_guard_page(entries);
            let bufs = guarded.bufs;
            let mut iov = IoVecs::new();
            let readable = count as usize <= entries;
            if !readable && count as usize <= INLINE_BUFFERS {
                return Ok(()); // read directly, as the contract allows: not probed
            }
            // SAFETY (test): `bufs` holds `entries` WSABUFs; a longer count
            // is probed (count > INLINE_BUFFERS).
            let r = unsafe { iov.gather(bufs, count) };
            if readable {
                prop_assert!(r.is_ok());
                prop_assert_eq!(iov.len(), count as usize);
            } else {
                prop_assert_eq!(r.unwrap_err().code(), abi::WSAEFAULT);
            }
        }

        // S26: an IP_ECN/IPV6_ECN entry of any INT value is accepted exactly
        // when it is Not-ECT, ECT(1) or ECT(0) (0-2), else WSAEINVAL.
        #[test]
        fn ecn_values_accepted_iff_sendable(v in any::<i32>(), v6 in any::<bool>()) {
            let (level, kind) = if v6 {
                (abi::IPPROTO_IPV6, abi::IPV6_ECN)
            } else {
                (abi::IPPROTO_IP, abi::IP_ECN)
            };
            let mut buf = Vec::new();
            abi::push_control(&mut buf, level, kind, &v.to_ne_bytes());
            match SendControls::from_windows(&buf, Family::V6) {
                Ok(c) => {
                    prop_assert!((0..=2).contains(&v), "{v} accepted");
                    prop_assert_eq!(if v6 { c.ecn_v6 } else { c.ecn }, Some(v as u8));
                }
                Err(e) => {
                    prop_assert!(!(0..=2).contains(&v), "{v} refused: {e}");
                    prop_assert_eq!(e.code(), abi::WSAEINVAL);
                }
            }
        }

        // S8: any bytes and namelen read as a SOCKADDR give an address, or
        // WSAEFAULT (too short for its family) / WSAEAFNOSUPPORT (another
        // family); what is read never depends on bytes past namelen.
        #[test]
        fn arbitrary_sockaddr_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40), namelen in -4i32..48, v6 in any::<bool>()) {
            let mut buf = bytes.clone();
            if buf.len() >= 2 {
                let family = if v6 { abi::AF_INET6 } else { abi::AF_INET } as u16;
                buf[..2].copy_from_slice(&family.to_ne_bytes());
            }
            let len = namelen.clamp(0, buf.len() as i32);
            // SAFETY (test): `buf` holds at least `len` readable bytes.
            let got = unsafe { socket_addr_from_windows(buf.as_ptr().cast(), len) };
            let need = match (buf.len() >= 2, v6) {
                (false, _) => usize::MAX,
                (true, false) => size_of::<abi::SOCKADDR_IN>(),
                (true, true) => size_of::<abi::SOCKADDR_IN6>(),
            };
            match got {
                Ok(a) => {
                    prop_assert!(len as usize >= need);
                    prop_assert_eq!(a.is_ipv6(), v6);
                    let mut tail = buf.clone();
                    tail.truncate(len as usize);
                    tail.extend_from_slice(&[0xa5; 40]);
                    // SAFETY (test): as above.
                    let again = unsafe { socket_addr_from_windows(tail.as_ptr().cast(), len) };
                    prop_assert_eq!(again.ok(), Some(a));
                }
                Err(e) => {
                    prop_assert!((len as usize) < need);
                    prop_assert_eq!(e.code(), abi::WSAEFAULT);
                }
            }
        }

        // S8, S25: an address for a socket of a family: IPv6 on AF_INET and
        // IPv4 on an IPV6_V6ONLY socket are WSAEAFNOSUPPORT; IPv4 on a
        // dual-stack socket becomes v4-mapped; the rest round-trips.
        #[test]
        fn addresses_for_socket_families(ip in any::<[u8; 16]>(), port in any::<u16>(), v4 in any::<bool>(), family_v6 in any::<bool>(), v6_only in any::<bool>()) {
            let addr: SocketAddr = if v4 {
                (Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]), port).into()
            } else {
                (Ipv6Addr::from(ip), port).into()
            };
            let family = if family_v6 { Family::V6 } else { Family::V4 };
            match LinuxAddr::for_socket(&addr, family, v6_only) {
                Ok(la) => {
                    let refused = (family == Family::V4 && !v4) || (family == Family::V6 && v4 && v6_only);
                    prop_assert!(!refused);
                    let back = la.to_socket_addr().unwrap();
                    match (addr, family) {
                        (SocketAddr::V4(a), Family::V6) => prop_assert_eq!(
                            back,
                            SocketAddr::new(a.ip().to_ipv6_mapped().into(), port)
                        ),
                        _ => prop_assert_eq!(back, addr),
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e.code(), abi::WSAEAFNOSUPPORT);
                    prop_assert!((family == Family::V4 && !v4) || (family == Family::V6 && v4 && v6_only));
                }
            }
        }

        // S26: DSCP from IP_TOS (or the socket's TOS), ECN from IP_ECN.
        #[test]
        fn tos_and_ecn_merge(tos in any::<u8>(), ecn in 0u8..3, socket_tos in any::<u8>()) {
            prop_assert_eq!(merge_ecn(Some(tos), Some(ecn), socket_tos), Some((tos & !3) | ecn));
            prop_assert_eq!(merge_ecn(None, Some(ecn), socket_tos), Some((socket_tos & !3) | ecn));
            prop_assert_eq!(merge_ecn(Some(tos), None, socket_tos), Some(tos));
            prop_assert_eq!(merge_ecn(None, None, socket_tos), None);
        }

        // S22: arbitrary control bytes never panic, and any accepted buffer
        // re-encodes into the fixed Linux buffer.
        #[test]
        fn arbitrary_control_never_panics(buf in proptest::collection::vec(any::<u8>(), 0..160), v6 in any::<bool>()) {
            let family = if v6 { Family::V6 } else { Family::V4 };
            if let Ok(c) = SendControls::from_windows(&buf, family) {
                let mut out = CmsgBuf::default();
                out.encode(&c, family, true, 0);
                out.encode(&c, family, false, 0);
            }
        }

        // S22: well-formed entries with a corrupted length byte are either
        // accepted identically or rejected with WSAEINVAL, never anything else.
        #[test]
        fn corrupted_lengths_are_wsaeinval(kind in 0usize..4, corrupt in any::<u64>(), at in 0usize..2) {
            let mut buf = Vec::new();
            abi::push_control(&mut buf, abi::IPPROTO_IP, abi::IP_PKTINFO, &pktinfo([127, 0, 0, 1], 0));
            abi::push_control(&mut buf, abi::IPPROTO_IP, abi::IP_TOS, &(kind as i32).to_ne_bytes());
            let off = if at == 0 { 0 } else { 24 };
            buf[off..off + 8].copy_from_slice(&corrupt.to_ne_bytes());
            match SendControls::from_windows(&buf, Family::V4) {
                Ok(_) => {}
                Err(e) => prop_assert_eq!(e.code(), abi::WSAEINVAL),
            }
        }
    }
}
