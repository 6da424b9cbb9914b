//! Heaps (`GetProcessHeap`, `HeapCreate`, `HeapAlloc`, `HeapReAlloc`,
//! `HeapSize`, `HeapFree`, `HeapValidate`, `HeapDestroy`) and the fixed
//! blocks of `LocalAlloc`/`GlobalAlloc`, over the C library's allocator with
//! Windows' rules (kernel32 heap.c test_HeapCreate, test_LocalAlloc,
//! test_GlobalAlloc):
//! - `HeapSize` of a live block is the size asked for, exactly (0 for a
//!   0-byte block, which is a real block), so every block carries a header
//!   with its size;
//! - `HeapReAlloc(NULL)` fails and `HeapReAlloc(p, 0)` keeps a 0-byte block
//!   (neither is `realloc`'s rule); `HEAP_ZERO_MEMORY` zeroes only the grown
//!   tail; `HEAP_REALLOC_IN_PLACE_ONLY` never moves a block;
//! - `HeapFree` of NULL succeeds; a pointer that is no block of the heap
//!   fails with the last error untouched (the header's tag tells);
//! - a block is aligned to `MEMORY_ALLOCATION_ALIGNMENT` (16).
//!
//! `LocalAlloc`/`GlobalAlloc` blocks come from the process heap, so
//! `HeapFree(GetProcessHeap())` frees them too, as on Windows. Moveable
//! memory (`LMEM_MOVEABLE`) is not provided: it fails with
//! `ERROR_NOT_SUPPORTED`. `HEAP_GENERATE_EXCEPTIONS` turns a failure into
//! what an unhandled `STATUS_NO_MEMORY` exception is on Windows: the end of
//! the process (here with a message on stderr, then `abort`).

use std::collections::HashSet;
use std::ffi::c_void;
use std::sync::Mutex;

use ws2_abi::*;

use super::{set_last_error, win32};
use ws2_engine::fork;

/// The header in front of every block: 16 bytes, so the block keeps the
/// allocator's 16-byte alignment.
#[repr(C, align(16))]
struct Header {
    size: usize,
    /// `TAG ^ heap ^ size` while the block is live; 0 once freed.
    tag: usize,
}

const HEADER: usize = std::mem::size_of::<Header>();
const TAG: usize = 0x5753_3248_4541_5021; // "WS2HEAP!"

/// The largest block a fixed-size heap gives: 0xFE00 granules of 16 bytes
/// on 64-bit Windows (Microsoft's HeapCreate page says "slightly less than
/// 512 KB" for 8-byte granules; heap.c: 512 KiB works, 1 MiB fails).
const FIXED_HEAP_MAX_BLOCK: usize = 0xF_E000;

/// A heap: the process heap (untracked) or one from `HeapCreate`.
struct Heap {
    /// `HeapCreate`'s options (`HEAP_GENERATE_EXCEPTIONS` matters).
    options: DWORD,
    /// `dwMaximumSize`: 0 for a growable heap.
    max: usize,
    /// Live blocks and bytes in use, for `HeapDestroy` and fixed-size
    /// limits; `None` for the process heap, which is never destroyed.
    blocks: Option<Mutex<Blocks>>,
    /// Cleared by `HeapDestroy`.
    alive: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
struct Blocks {
    live: HashSet<usize>,
    used: usize,
}

static PROCESS_HEAP: Heap = Heap {
    options: 0,
    max: 0,
    blocks: None,
    alive: std::sync::atomic::AtomicBool::new(true),
};

fn process_heap() -> HANDLE {
    &PROCESS_HEAP as *const Heap as HANDLE
}

/// The heap behind a handle. A private heap's `Heap` is never freed (a
/// destroyed one stays, marked dead), so a stale handle reads valid memory.
///
/// # Safety
/// `h` is NULL, the process heap, or a handle `HeapCreate` returned.
unsafe fn heap_of<'a>(h: HANDLE) -> Result<&'a Heap, DWORD> {
    if h.is_null() {
        return Err(ERROR_INVALID_HANDLE);
    }
    // SAFETY: per the contract, h points to a Heap that lives forever.
    let heap = unsafe { &*(h as *const Heap) };
    if !heap.alive.load(std::sync::atomic::Ordering::Acquire) {
        return Err(ERROR_INVALID_HANDLE);
    }
    Ok(heap)
}

fn tag(heap: &Heap, size: usize) -> usize {
    TAG ^ (heap as *const Heap as usize) ^ size
}

/// The header of `p` when `p` is a live block of `heap`.
///
/// # Safety
/// `p` is non-null and the 16 bytes before it are readable (a block of
/// this library, or memory inside one).
unsafe fn header_of(heap: &Heap, p: *mut c_void) -> Option<*mut Header> {
    if !(p as usize).is_multiple_of(MEMORY_ALLOCATION_ALIGNMENT) {
        return None;
    }
    // SAFETY: per the contract the header's bytes are readable.
    let h = unsafe { (p as *mut u8).sub(HEADER) } as *mut Header;
    // SAFETY: as above; aligned (p is 16-aligned).
    let (size, t) = unsafe { ((*h).size, (*h).tag) };
    (t == tag(heap, size)).then_some(h)
}

/// What a failed allocation does: `ERROR_NOT_ENOUGH_MEMORY` (heap.c pins
/// it for fixed-size heaps), or the end of the process for
/// `HEAP_GENERATE_EXCEPTIONS`.
fn out_of_memory(heap: &Heap, flags: DWORD, what: &str, size: usize) -> DWORD {
    if (heap.options | flags) & HEAP_GENERATE_EXCEPTIONS != 0 {
        eprintln!(
            "ws2: {what} of {size} bytes failed with HEAP_GENERATE_EXCEPTIONS: \
             STATUS_NO_MEMORY (0xC0000017) is not handled, so the process ends"
        );
        std::process::abort();
    }
    ERROR_NOT_ENOUGH_MEMORY
}

/// Checks a fixed-size heap's limits before a block grows by `grow` bytes
/// to `size`.
fn reserve(heap: &Heap, size: usize, grow: usize) -> bool {
    if heap.max == 0 {
        return true;
    }
    if size > FIXED_HEAP_MAX_BLOCK {
        return false;
    }
    let blocks = heap.blocks.as_ref().expect("private heaps track blocks");
    let b = fork::lock(blocks);
    b.used.saturating_add(grow) <= heap.max
}

fn track(heap: &Heap, added: Option<usize>, removed: Option<usize>, used_delta: isize) {
    if let Some(blocks) = &heap.blocks {
        let mut b = fork::lock(blocks);
        if let Some(r) = removed {
            b.live.remove(&r);
        }
        if let Some(a) = added {
            b.live.insert(a);
        }
        b.used = b.used.saturating_add_signed(used_delta);
    }
}

/// A new block of `size` bytes (zeroed with `HEAP_ZERO_MEMORY`).
fn alloc(heap: &Heap, flags: DWORD, size: usize) -> Result<*mut c_void, DWORD> {
    let total = size
        .checked_add(HEADER)
        .filter(|t| *t <= isize::MAX as usize)
        .ok_or_else(|| out_of_memory(heap, flags, "HeapAlloc", size))?;
    if !reserve(heap, size, size) {
        return Err(out_of_memory(heap, flags, "HeapAlloc", size));
    }
    // SAFETY: plain allocation; the result is checked for NULL.
    let base = unsafe {
        if flags & HEAP_ZERO_MEMORY != 0 {
            libc::calloc(1, total)
        } else {
            libc::malloc(total)
        }
    } as *mut Header;
    if base.is_null() {
        return Err(out_of_memory(heap, flags, "HeapAlloc", size));
    }
    debug_assert_eq!(base as usize % MEMORY_ALLOCATION_ALIGNMENT, 0);
    // SAFETY: base is a fresh allocation of at least HEADER bytes, aligned
    // to 16 (glibc's malloc alignment on 64-bit targets).
    unsafe {
        base.write(Header {
            size,
            tag: tag(heap, size),
        })
    };
    track(heap, Some(base as usize), None, size as isize);
    // SAFETY: the block starts right after the header, inside the allocation.
    Ok(unsafe { base.add(1) } as *mut c_void)
}

/// Frees a live block given its header.
///
/// # Safety
/// `h` is the header of a live block of `heap` (from [`header_of`]).
unsafe fn free(heap: &Heap, h: *mut Header) {
    // SAFETY: per the contract.
    let size = unsafe { (*h).size };
    // SAFETY: as above; clearing the tag makes a second free fail cleanly
    // while the memory is not reused.
    unsafe { (*h).tag = 0 };
    track(heap, None, Some(h as usize), -(size as isize));
    // SAFETY: h is the pointer malloc/realloc returned for this block.
    unsafe { libc::free(h as *mut c_void) };
}

/// `HeapReAlloc`'s rules on a live block.
///
/// # Safety
/// `h` is the header of a live block of `heap`.
unsafe fn realloc(
    heap: &Heap,
    flags: DWORD,
    h: *mut Header,
    size: usize,
) -> Result<*mut c_void, DWORD> {
    // SAFETY: per the contract.
    let old = unsafe { (*h).size };
    let total = size
        .checked_add(HEADER)
        .filter(|t| *t <= isize::MAX as usize)
        .ok_or_else(|| out_of_memory(heap, flags, "HeapReAlloc", size))?;
    if !reserve(heap, size, size.saturating_sub(old)) {
        return Err(out_of_memory(heap, flags, "HeapReAlloc", size));
    }
    // SAFETY: h is a block malloc returned.
    let room = unsafe { libc::malloc_usable_size(h as *mut c_void) };
    let base = if total <= room {
        h
    } else if flags & HEAP_REALLOC_IN_PLACE_ONLY != 0 {
        // heap.c: growing a block that cannot grow where it is fails and
        // leaves it as it was.
        return Err(out_of_memory(heap, flags, "HeapReAlloc", size));
    } else {
        // SAFETY: h is a live malloc block; on failure it stays valid.
        let moved = unsafe { libc::realloc(h as *mut c_void, total) } as *mut Header;
        if moved.is_null() {
            return Err(out_of_memory(heap, flags, "HeapReAlloc", size));
        }
        moved
    };
    // SAFETY: base holds at least `total` bytes and its header.
    unsafe {
        if flags & HEAP_ZERO_MEMORY != 0 && size > old {
            std::ptr::write_bytes((base.add(1) as *mut u8).add(old), 0, size - old);
        }
        base.write(Header {
            size,
            tag: tag(heap, size),
        });
    }
    track(
        heap,
        Some(base as usize),
        Some(h as usize),
        size as isize - old as isize,
    );
    // SAFETY: the block starts right after its header.
    Ok(unsafe { base.add(1) } as *mut c_void)
}

// ---------------------------------------------------------------------------
// Heap functions

#[unsafe(no_mangle)]
pub extern "C" fn GetProcessHeap() -> HANDLE {
    process_heap()
}

/// `HeapCreate(options, initial, maximum)`: a private heap; with a maximum
/// it is fixed-size (heap.c "fixed size heaps").
#[unsafe(no_mangle)]
pub extern "C" fn HeapCreate(options: DWORD, initial: SIZE_T, maximum: SIZE_T) -> HANDLE {
    win32(std::ptr::null_mut(), || {
        if maximum != 0 && initial > maximum {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let heap = Box::new(Heap {
            options,
            max: maximum,
            blocks: Some(Mutex::new(Blocks::default())),
            alive: std::sync::atomic::AtomicBool::new(true),
        });
        // Never freed: a stale handle stays readable (see heap_of).
        Ok(Box::into_raw(heap) as HANDLE)
    })
}

/// `HeapDestroy`: frees every block of a private heap.
///
/// # Safety
/// `h` is a handle `HeapCreate` returned (or the process heap, refused).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn HeapDestroy(h: HANDLE) -> BOOL {
    win32(0, || {
        if h == process_heap() {
            return Err(ERROR_INVALID_PARAMETER);
        }
        // SAFETY: forwarded contract.
        let heap = unsafe { heap_of(h)? };
        heap.alive
            .store(false, std::sync::atomic::Ordering::Release);
        let blocks = heap.blocks.as_ref().expect("private heaps track blocks");
        let mut b = fork::lock(blocks);
        for base in b.live.drain() {
            // SAFETY: every tracked address is a live malloc block of this heap.
            unsafe { libc::free(base as *mut c_void) };
        }
        b.used = 0;
        Ok(1)
    })
}

/// # Safety
/// `h` is the process heap or a live `HeapCreate` handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn HeapAlloc(h: HANDLE, flags: DWORD, bytes: SIZE_T) -> *mut c_void {
    win32(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        let heap = unsafe { heap_of(h)? };
        alloc(heap, flags, bytes)
    })
}

/// # Safety
/// `h` is the process heap or a live `HeapCreate` handle; `p` is NULL or a
/// pointer into memory of this process with 16 readable bytes before it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn HeapReAlloc(
    h: HANDLE,
    flags: DWORD,
    p: *mut c_void,
    bytes: SIZE_T,
) -> *mut c_void {
    win32(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        let heap = unsafe { heap_of(h)? };
        if p.is_null() {
            // heap.c: NULL, with the last error set to NO_ERROR.
            return Err(ERROR_SUCCESS);
        }
        // SAFETY: forwarded contract.
        let Some(header) = (unsafe { header_of(heap, p) }) else {
            // heap.c: a pointer that is no block fails, the last error untouched.
            return Ok(std::ptr::null_mut());
        };
        // SAFETY: header is a live block of heap.
        unsafe { realloc(heap, flags, header, bytes) }
    })
}

/// `HeapSize`: the size asked for; `(SIZE_T)-1` for what is no block
/// (without setting the last error, as documented).
///
/// # Safety
/// As [`HeapReAlloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn HeapSize(h: HANDLE, _flags: DWORD, p: *const c_void) -> SIZE_T {
    // SAFETY: forwarded contract.
    let Ok(heap) = (unsafe { heap_of(h) }) else {
        return usize::MAX;
    };
    if p.is_null() {
        return usize::MAX;
    }
    // SAFETY: forwarded contract.
    match unsafe { header_of(heap, p as *mut c_void) } {
        // SAFETY: a live block's header.
        Some(header) => unsafe { (*header).size },
        None => usize::MAX,
    }
}

/// `HeapFree`: TRUE for NULL (with any heap handle, heap.c); FALSE with the
/// last error untouched for a pointer that is no live block of the heap.
///
/// # Safety
/// As [`HeapReAlloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn HeapFree(h: HANDLE, _flags: DWORD, p: *mut c_void) -> BOOL {
    if p.is_null() {
        return 1;
    }
    // SAFETY: forwarded contract.
    let Ok(heap) = (unsafe { heap_of(h) }) else {
        set_last_error(ERROR_INVALID_HANDLE);
        return 0;
    };
    // SAFETY: forwarded contract.
    match unsafe { header_of(heap, p) } {
        Some(header) => {
            // SAFETY: a live block of heap.
            unsafe { free(heap, header) };
            1
        }
        None => 0,
    }
}

/// `HeapValidate`: TRUE for the whole heap (NULL) and for a live block;
/// FALSE, the last error untouched, for anything else (heap.c).
///
/// # Safety
/// As [`HeapReAlloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn HeapValidate(h: HANDLE, _flags: DWORD, p: *const c_void) -> BOOL {
    // SAFETY: forwarded contract.
    let Ok(heap) = (unsafe { heap_of(h) }) else {
        return 0;
    };
    // SAFETY: forwarded contract.
    (p.is_null() || unsafe { header_of(heap, p as *mut c_void) }.is_some()) as BOOL
}

// ---------------------------------------------------------------------------
// LocalAlloc / GlobalAlloc: fixed blocks of the process heap. A fixed
// block's handle is its pointer (test_LocalAlloc: LocalLock(mem) == mem).

fn local_alloc(flags: u32, valid: u32, bytes: usize) -> Result<*mut c_void, DWORD> {
    if flags & !valid != 0 {
        return Err(ERROR_INVALID_PARAMETER);
    }
    if flags & LMEM_MOVEABLE != 0 {
        return Err(ERROR_NOT_SUPPORTED);
    }
    let zero = if flags & LMEM_ZEROINIT != 0 {
        HEAP_ZERO_MEMORY
    } else {
        0
    };
    alloc(&PROCESS_HEAP, zero, bytes)
}

/// The header of a fixed Local/Global block, or `ERROR_INVALID_HANDLE`.
///
/// # Safety
/// `mem` is NULL or a pointer with 16 readable bytes before it.
unsafe fn local_block(mem: *mut c_void) -> Result<*mut Header, DWORD> {
    if mem.is_null() {
        return Err(ERROR_INVALID_HANDLE);
    }
    // SAFETY: forwarded contract.
    unsafe { header_of(&PROCESS_HEAP, mem) }.ok_or(ERROR_INVALID_HANDLE)
}

/// `LocalFree`/`GlobalFree`: NULL on success (also for NULL); the handle
/// itself, with `ERROR_INVALID_HANDLE`, for what is no live block.
///
/// # Safety
/// As [`local_block`].
unsafe fn local_free(mem: *mut c_void) -> *mut c_void {
    if mem.is_null() {
        return mem;
    }
    win32(mem, || {
        // SAFETY: forwarded contract.
        let header = unsafe { local_block(mem)? };
        // SAFETY: a live block of the process heap.
        unsafe { free(&PROCESS_HEAP, header) };
        Ok(std::ptr::null_mut())
    })
}

/// `LocalReAlloc`/`GlobalReAlloc` on a fixed block: without `LMEM_MOVEABLE`
/// the block may only change in place; `LMEM_MODIFY` changes no size.
///
/// # Safety
/// As [`local_block`].
unsafe fn local_realloc(mem: *mut c_void, bytes: usize, flags: u32) -> *mut c_void {
    win32(std::ptr::null_mut(), || {
        if mem.is_null() {
            return Err(ERROR_INVALID_HANDLE);
        }
        // SAFETY: forwarded contract.
        let header = unsafe { local_block(mem)? };
        if flags & LMEM_MODIFY != 0 {
            if flags & LMEM_MOVEABLE != 0 {
                return Err(ERROR_NOT_SUPPORTED);
            }
            return Ok(mem);
        }
        let mut heap_flags = 0;
        if flags & LMEM_ZEROINIT != 0 {
            heap_flags |= HEAP_ZERO_MEMORY;
        }
        if flags & LMEM_MOVEABLE == 0 {
            heap_flags |= HEAP_REALLOC_IN_PLACE_ONLY;
        }
        // SAFETY: a live block of the process heap.
        unsafe { realloc(&PROCESS_HEAP, heap_flags, header, bytes) }
    })
}

/// # Safety
/// As [`local_block`].
unsafe fn local_size(mem: *mut c_void) -> usize {
    // SAFETY: forwarded contract.
    match unsafe { local_block(mem) } {
        // SAFETY: a live block's header.
        Ok(header) => unsafe { (*header).size },
        Err(code) => {
            set_last_error(code);
            0
        }
    }
}

/// `LocalLock` of a fixed block: the block itself.
///
/// # Safety
/// As [`local_block`].
unsafe fn local_lock(mem: *mut c_void) -> *mut c_void {
    // SAFETY: forwarded contract.
    win32(std::ptr::null_mut(), || {
        unsafe { local_block(mem) }.map(|_| mem)
    })
}

/// `LocalUnlock` of a fixed block: FALSE with `ERROR_NOT_LOCKED`
/// (test_LocalAlloc).
///
/// # Safety
/// As [`local_block`].
unsafe fn local_unlock(mem: *mut c_void) -> BOOL {
    win32(0, || {
        // SAFETY: forwarded contract.
        unsafe { local_block(mem)? };
        Err(ERROR_NOT_LOCKED)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn LocalAlloc(flags: UINT, bytes: SIZE_T) -> *mut c_void {
    win32(std::ptr::null_mut(), || {
        local_alloc(flags, LMEM_VALID_FLAGS, bytes)
    })
}

/// # Safety
/// `mem` is NULL or a pointer with 16 readable bytes before it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LocalFree(mem: *mut c_void) -> *mut c_void {
    // SAFETY: forwarded contract.
    unsafe { local_free(mem) }
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LocalReAlloc(mem: *mut c_void, bytes: SIZE_T, flags: UINT) -> *mut c_void {
    // SAFETY: forwarded contract.
    unsafe { local_realloc(mem, bytes, flags) }
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LocalSize(mem: *mut c_void) -> SIZE_T {
    // SAFETY: forwarded contract.
    unsafe { local_size(mem) }
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LocalLock(mem: *mut c_void) -> *mut c_void {
    // SAFETY: forwarded contract.
    unsafe { local_lock(mem) }
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LocalUnlock(mem: *mut c_void) -> BOOL {
    // SAFETY: forwarded contract.
    unsafe { local_unlock(mem) }
}

/// `GlobalAlloc`: as `LocalAlloc`; a 0-byte block reports `GlobalSize` 1
/// (test_GlobalAlloc), so it is made 1 byte long.
#[unsafe(no_mangle)]
pub extern "C" fn GlobalAlloc(flags: UINT, bytes: SIZE_T) -> *mut c_void {
    win32(std::ptr::null_mut(), || {
        local_alloc(flags, GMEM_VALID_FLAGS, bytes.max(1))
    })
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GlobalFree(mem: *mut c_void) -> *mut c_void {
    // SAFETY: forwarded contract.
    unsafe { local_free(mem) }
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GlobalReAlloc(
    mem: *mut c_void,
    bytes: SIZE_T,
    flags: UINT,
) -> *mut c_void {
    // SAFETY: forwarded contract.
    unsafe { local_realloc(mem, bytes.max(1), flags) }
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GlobalSize(mem: *mut c_void) -> SIZE_T {
    // SAFETY: forwarded contract.
    unsafe { local_size(mem) }
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GlobalLock(mem: *mut c_void) -> *mut c_void {
    // SAFETY: forwarded contract.
    unsafe { local_lock(mem) }
}

/// # Safety
/// As [`LocalFree`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GlobalUnlock(mem: *mut c_void) -> BOOL {
    // SAFETY: forwarded contract.
    unsafe { local_unlock(mem) }
}

/// A NUL-terminated copy of `units` in a `LocalAlloc`'d block of at least
/// `min_units` units (`FormatMessage`'s `ALLOCATE_BUFFER`).
pub(super) fn local_copy<C: Copy + Default>(units: &[C], min_units: usize) -> Option<*mut C> {
    let n = units.len().checked_add(1)?.max(min_units);
    let bytes = n.checked_mul(std::mem::size_of::<C>())?;
    let p = alloc(&PROCESS_HEAP, HEAP_ZERO_MEMORY, bytes).ok()? as *mut C;
    // SAFETY: p holds n >= units.len() + 1 units, freshly allocated.
    unsafe {
        std::ptr::copy_nonoverlapping(units.as_ptr(), p, units.len());
        p.add(units.len()).write(C::default());
    }
    Some(p)
}
