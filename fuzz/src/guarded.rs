//! Caller memory that ends right before a `PROT_NONE` page: a read or write
//! one byte past the length it was made with faults at once, in user space
//! (ws2's code) and in the kernel (`EFAULT` from the syscall) alike.

/// A fresh mapping of the data pages plus one inaccessible page after them,
/// the data placed flush against that page.
pub struct Guarded {
    base: *mut u8,
    map_len: usize,
    data: *mut u8,
    len: usize,
}

fn page() -> usize {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) as usize }
}

impl Guarded {
    /// `len` bytes, starting with `init` (zero after it), ending at the guard
    /// page. `len` must be a multiple of the alignment the caller needs
    /// (the data's start is `page_end - len`).
    pub fn new(init: &[u8], len: usize) -> Guarded {
        let page = page();
        let data_pages = len.div_ceil(page);
        let map_len = (data_pages + 1) * page;
        // SAFETY: an anonymous private mapping; no pointer is passed in.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED, "mmap {map_len} bytes");
        let base = base.cast::<u8>();
        // SAFETY: the last page is inside the mapping just made.
        let guard = unsafe { base.add(data_pages * page) };
        // SAFETY: guard..guard+page is inside the mapping.
        let rc = unsafe { libc::mprotect(guard.cast(), page, libc::PROT_NONE) };
        assert_eq!(rc, 0, "mprotect the guard page");
        // SAFETY: len <= data_pages * page, so data stays inside the mapping.
        let data = unsafe { guard.sub(len) };
        let n = init.len().min(len);
        // SAFETY: data is writable for len >= n bytes.
        unsafe { std::ptr::copy_nonoverlapping(init.as_ptr(), data, n) };
        Guarded {
            base,
            map_len,
            data,
            len,
        }
    }

    /// A region exactly as long as a `T`, holding `value`.
    pub fn of<T: Copy>(value: T) -> Guarded {
        let region = Guarded::new(&[], size_of::<T>());
        // SAFETY: the region is writable for size_of::<T>() bytes.
        unsafe { region.data.cast::<T>().write_unaligned(value) };
        region
    }

    pub fn ptr(&self) -> *mut u8 {
        self.data
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Makes the data pages read-only: memory the call may only read.
    pub fn read_only(&self) {
        let data_len = self.map_len - page();
        if data_len == 0 {
            return;
        }
        // SAFETY: the data pages are inside the mapping.
        let rc = unsafe { libc::mprotect(self.base.cast(), data_len, libc::PROT_READ) };
        assert_eq!(rc, 0, "mprotect read-only");
    }

    /// The bytes as they are now.
    pub fn bytes(&self) -> Vec<u8> {
        // SAFETY: data is readable for len bytes.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }.to_vec()
    }

    /// Reads the region as a `T` (it must be at least that long).
    pub fn read<T: Copy>(&self) -> T {
        assert!(self.len >= size_of::<T>());
        // SAFETY: at least size_of::<T>() readable bytes; T is plain data.
        unsafe { self.data.cast::<T>().read_unaligned() }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // SAFETY: base/map_len are the mapping made in new.
        unsafe { libc::munmap(self.base.cast(), self.map_len) };
    }
}
