//! `WSABUF` arrays → Linux `iovec`s, inline up to [`INLINE_BUFFERS`].

use ws2_abi as abi;

use crate::error::{Error, Result};

use super::*;

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

    /// The iovec of one `WSABUF`: the usual receive's, with no `IoVecs`
    /// to build (a NULL `buf` with a non-zero `len` is `WSAEFAULT`).
    ///
    /// ```
    /// let wb = ws2_abi::WSABUF { len: 4, buf: std::ptr::null_mut() };
    /// assert_eq!(ws2_engine::translate::IoVecs::one(wb).unwrap_err().code(), ws2_abi::WSAEFAULT);
    /// ```
    #[inline(always)]
    pub fn one(wb: abi::WSABUF) -> Result<libc::iovec> {
        iovec_of(wb, 0)
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
        if !crate::translate::caller_memory::readable(bufs.cast(), bytes) {
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
        if !crate::translate::caller_memory::gather(&self.heap, &mut data) {
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
