//! Virtual memory (memoryapi.h): `VirtualAlloc`, `VirtualFree`,
//! `VirtualProtect` and `VirtualQuery`, with Windows' rules as kernel32's
//! virtual.c (test_VirtualAlloc, test_VirtualProtect,
//! test_VirtualAlloc_protection) and ntdll's virtual.c
//! (test_NtAllocateVirtualMemory's NtFreeVirtualMemory cases) record them
//! on Windows, and as Microsoft's pages for the four functions say:
//! - a reservation starts on a 64 KiB boundary (the allocation granularity
//!   `GetSystemInfo` reports) and spans whole pages; committed pages read
//!   as zeros until written, and again after a decommit;
//! - committing needs the whole range inside one reservation, protecting
//!   needs it committed (`ERROR_INVALID_ADDRESS`); committing committed
//!   pages succeeds and sets their protection;
//! - `MEM_RELEASE` takes size 0 (`ERROR_INVALID_PARAMETER`) and the
//!   reservation's base, page-rounded (`ERROR_INVALID_ADDRESS`); a
//!   `MEM_DECOMMIT` of size 0 decommits the whole region from its base;
//! - a protection is one of `PAGE_NOACCESS`, `PAGE_READONLY`,
//!   `PAGE_READWRITE`, `PAGE_EXECUTE`, `PAGE_EXECUTE_READ`,
//!   `PAGE_EXECUTE_READWRITE`, optionally with `PAGE_GUARD`, `PAGE_NOCACHE`
//!   or `PAGE_WRITECOMBINE` (not with `PAGE_NOACCESS`, not two of them);
//!   anything else, the write-copy ones included, `ERROR_INVALID_PARAMETER`.
//!   `PAGE_NOCACHE`/`PAGE_WRITECOMBINE` belong to the allocation (recent
//!   Windows cannot set them per page): they read back on every page of it.
//!
//! On Linux a reservation is a `PROT_NONE` anonymous mapping
//! (`MAP_NORESERVE`), committing is `mprotect`, decommitting maps fresh
//! zero pages over the range. `PAGE_GUARD` pages have no access: the first
//! touch ends the process, as an unhandled `STATUS_GUARD_PAGE_VIOLATION`
//! does (ws2 has no structured exceptions to resume from). `MEM_RESET`
//! tells Linux the contents may go (`MADV_FREE`; Windows too leaves them
//! undefined). Not provided: `MEM_RESET_UNDO`, `MEM_WRITE_WATCH` and
//! `MEM_PHYSICAL` (`ERROR_NOT_SUPPORTED`); `MEM_LARGE_PAGES` fails as for
//! a process without `SeLockMemoryPrivilege` (`ERROR_PRIVILEGE_NOT_HELD`).
//!
//! Memory `VirtualAlloc` did not make is described from Linux's own
//! mappings (`memory_maps`), and `VirtualProtect` changes it as Windows
//! would.

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::sync::Mutex;

use ws2_abi::*;

use super::memory_maps;
use super::system_info::{ALLOCATION_GRANULARITY, MIN_APPLICATION_ADDRESS, page_size};
use super::{FALSE, TRUE, win32};
use ws2_engine::fork;

/// Windows' allocation granularity (`GetSystemInfo`'s): reservations
/// start on it.
const GRANULARITY: usize = ALLOCATION_GRANULARITY as usize;
/// The lowest address a program may ask for (`GetSystemInfo`'s).
const MIN_ADDRESS: usize = MIN_APPLICATION_ADDRESS;
/// The end of the user address space (128 TiB, both systems').
const ADDRESS_SPACE_END: usize = 1 << 47;

/// The modifiers that may accompany a protection.
const MODIFIERS: DWORD = PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE;
/// The modifiers that belong to the allocation, not the page.
const CACHE_MODIFIERS: DWORD = PAGE_NOCACHE | PAGE_WRITECOMBINE;

/// One reservation of `VirtualAlloc`'s.
struct Region {
    size: usize,
    /// The protection passed when it was reserved.
    alloc_protect: DWORD,
    /// Per page: 0 while reserved, else its protection (committed),
    /// without the allocation's cache modifiers.
    pages: Vec<DWORD>,
}

impl Region {
    /// A page's protection as `VirtualQuery` and `VirtualProtect` report
    /// it.
    fn reported(&self, page: DWORD) -> DWORD {
        if page == 0 {
            0
        } else {
            page | (self.alloc_protect & CACHE_MODIFIERS)
        }
    }
}

/// The reservations, by base address. Changes to the mappings are made
/// with the lock held, so the table and the kernel agree.
static REGIONS: Mutex<BTreeMap<usize, Region>> = Mutex::new(BTreeMap::new());

/// Checks a protection value; answers its Linux `PROT_*` bits.
fn linux_protection(protect: DWORD) -> Result<libc::c_int, DWORD> {
    let modifiers = protect & !0xff;
    let base = protect & 0xff;
    let prot = match base {
        PAGE_NOACCESS => libc::PROT_NONE,
        PAGE_READONLY => libc::PROT_READ,
        PAGE_READWRITE => libc::PROT_READ | libc::PROT_WRITE,
        PAGE_EXECUTE => libc::PROT_EXEC,
        PAGE_EXECUTE_READ => libc::PROT_READ | libc::PROT_EXEC,
        PAGE_EXECUTE_READWRITE => libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
        _ => return Err(ERROR_INVALID_PARAMETER),
    };
    let one_modifier = modifiers.count_ones() <= 1;
    if modifiers & !MODIFIERS != 0 || !one_modifier || (modifiers != 0 && base == PAGE_NOACCESS) {
        return Err(ERROR_INVALID_PARAMETER);
    }
    Ok(if modifiers & PAGE_GUARD != 0 {
        libc::PROT_NONE
    } else {
        prot
    })
}

fn round_up(value: usize, to: usize) -> Option<usize> {
    Some(value.checked_add(to - 1)? & !(to - 1))
}

/// The reservation holding `address`, as (base, region).
fn region_at(
    regions: &mut BTreeMap<usize, Region>,
    address: usize,
) -> Option<(usize, &mut Region)> {
    let (&base, region) = regions.range_mut(..=address).next_back()?;
    (address < base + region.size).then_some((base, region))
}

/// The pages `[start, end)` of one reservation: (base, region, first page
/// index, page count), or `ERROR_INVALID_ADDRESS` when the range is not
/// inside one.
fn pages_of(
    regions: &mut BTreeMap<usize, Region>,
    start: usize,
    end: usize,
) -> Result<(usize, &mut Region, usize, usize), DWORD> {
    let page = page_size();
    let (base, region) = region_at(regions, start).ok_or(ERROR_INVALID_ADDRESS)?;
    if end > base + region.size {
        return Err(ERROR_INVALID_ADDRESS);
    }
    Ok((base, region, (start - base) / page, (end - start) / page))
}

fn mprotect(start: usize, len: usize, prot: libc::c_int) -> Result<(), DWORD> {
    // SAFETY: the range is one of our reservations (or, for memory we did
    // not map, one Linux reported mapped); changing protection moves no
    // memory.
    if unsafe { libc::mprotect(start as *mut c_void, len, prot) } != 0 {
        return Err(ERROR_NOT_ENOUGH_MEMORY);
    }
    Ok(())
}

/// Maps fresh inaccessible zero pages at `[start, start + len)`, which
/// must be ours (a reservation's pages).
fn map_reserved(start: usize, len: usize) -> Result<(), DWORD> {
    // SAFETY: MAP_FIXED over pages of our own reservation only (callers
    // hold REGIONS and checked the range), replacing them with fresh ones.
    let p = unsafe {
        libc::mmap(
            start as *mut c_void,
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(ERROR_NOT_ENOUGH_MEMORY);
    }
    Ok(())
}

/// Reserves `len` bytes at `base` (64 KiB aligned), or anywhere when
/// `base` is 0; answers the base.
fn reserve(base: usize, len: usize) -> Result<usize, DWORD> {
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE;
    if base != 0 {
        // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping.
        let p = unsafe {
            libc::mmap(
                base as *mut c_void,
                len,
                libc::PROT_NONE,
                flags | libc::MAP_FIXED_NOREPLACE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            let errno = std::io::Error::last_os_error().raw_os_error();
            return Err(if errno == Some(libc::ENOMEM) {
                ERROR_NOT_ENOUGH_MEMORY
            } else {
                ERROR_INVALID_ADDRESS
            });
        }
        if p as usize != base {
            // A kernel older than 4.17 took the address as a hint.
            // SAFETY: unmaps the mapping just made, nothing else.
            unsafe { libc::munmap(p, len) };
            return Err(ERROR_INVALID_ADDRESS);
        }
        return Ok(base);
    }
    let padded = len
        .checked_add(GRANULARITY)
        .ok_or(ERROR_NOT_ENOUGH_MEMORY)?;
    // SAFETY: a new anonymous mapping at an address the kernel picks.
    let p = unsafe { libc::mmap(std::ptr::null_mut(), padded, libc::PROT_NONE, flags, -1, 0) };
    if p == libc::MAP_FAILED {
        return Err(ERROR_NOT_ENOUGH_MEMORY);
    }
    let start = p as usize;
    let aligned = round_up(start, GRANULARITY).ok_or(ERROR_NOT_ENOUGH_MEMORY)?;
    // SAFETY: trims the head and tail of the mapping just made, outside
    // [aligned, aligned + len).
    unsafe {
        if aligned > start {
            libc::munmap(p, aligned - start);
        }
        let tail = start + padded - (aligned + len);
        if tail > 0 {
            libc::munmap((aligned + len) as *mut c_void, tail);
        }
    }
    Ok(aligned)
}

fn virtual_alloc(address: usize, size: usize, kind: DWORD, protect: DWORD) -> Result<usize, DWORD> {
    const KNOWN: DWORD = MEM_COMMIT
        | MEM_RESERVE
        | MEM_RESET
        | MEM_RESET_UNDO
        | MEM_TOP_DOWN
        | MEM_WRITE_WATCH
        | MEM_PHYSICAL
        | MEM_LARGE_PAGES;
    if size == 0 || kind & !KNOWN != 0 {
        return Err(ERROR_INVALID_PARAMETER);
    }
    if kind & (MEM_RESET | MEM_RESET_UNDO) != 0 && kind != MEM_RESET && kind != MEM_RESET_UNDO {
        return Err(ERROR_INVALID_PARAMETER);
    }
    if kind & (MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_RESET_UNDO) == 0 {
        return Err(ERROR_INVALID_PARAMETER);
    }
    let prot = linux_protection(protect)?;
    if kind & (MEM_RESET_UNDO | MEM_WRITE_WATCH | MEM_PHYSICAL) != 0 {
        return Err(ERROR_NOT_SUPPORTED);
    }
    if kind & MEM_LARGE_PAGES != 0 {
        return Err(ERROR_PRIVILEGE_NOT_HELD);
    }
    if address != 0 && !(MIN_ADDRESS..ADDRESS_SPACE_END).contains(&address) {
        return Err(ERROR_INVALID_PARAMETER);
    }
    let page = page_size();
    let end = address
        .checked_add(size)
        .and_then(|e| round_up(e, page))
        .filter(|&e| e <= ADDRESS_SPACE_END)
        .ok_or(ERROR_INVALID_PARAMETER)?;
    let mut regions = fork::lock(&REGIONS);
    if kind == MEM_RESET {
        let start = address & !(page - 1);
        let (_, region, first, count) = pages_of(&mut regions, start, end)?;
        for (i, &p) in region.pages[first..first + count].iter().enumerate() {
            if p != 0 {
                // SAFETY: a committed page of our reservation; MADV_FREE
                // only lets the kernel drop its contents (an old kernel
                // without it refuses, and the contents stay, which Windows
                // allows too).
                unsafe { libc::madvise((start + i * page) as *mut c_void, page, libc::MADV_FREE) };
            }
        }
        return Ok(start);
    }
    let (start, end) = if kind & MEM_RESERVE != 0 || address == 0 {
        let base = address & !(GRANULARITY - 1);
        let len = end - base;
        // An address in use (ours or any mapping) is refused by the
        // kernel: `MAP_FIXED_NOREPLACE`.
        let base = reserve(base, len)?;
        let pages = len / page;
        let mut table = Vec::new();
        if table.try_reserve_exact(pages).is_err() {
            // SAFETY: unmaps the reservation just made.
            unsafe { libc::munmap(base as *mut c_void, len) };
            return Err(ERROR_NOT_ENOUGH_MEMORY);
        }
        table.resize(pages, 0);
        regions.insert(
            base,
            Region {
                size: len,
                alloc_protect: protect,
                pages: table,
            },
        );
        if kind & MEM_COMMIT == 0 {
            return Ok(base);
        }
        (base, base + len)
    } else {
        (address & !(page - 1), end)
    };
    let (base, region, first, count) = pages_of(&mut regions, start, end)?;
    if let Err(e) = mprotect(start, end - start, prot) {
        if kind & MEM_RESERVE != 0 || address == 0 {
            // The reservation this call made goes with its failed commit.
            let size = region.size;
            regions.remove(&base);
            // SAFETY: unmaps the reservation this call made, nothing else.
            unsafe { libc::munmap(base as *mut c_void, size) };
        }
        return Err(e);
    }
    let own = protect & !CACHE_MODIFIERS;
    region.pages[first..first + count].fill(own);
    Ok(start)
}

/// `VirtualAlloc`: reserves, commits, or both; resets with `MEM_RESET`.
/// Answers the region's base (a commit: its first page), or NULL with the
/// last error.
#[unsafe(no_mangle)]
pub extern "C" fn VirtualAlloc(
    address: *mut c_void,
    size: usize,
    kind: DWORD,
    protect: DWORD,
) -> *mut c_void {
    win32(std::ptr::null_mut(), || {
        virtual_alloc(address as usize, size, kind, protect).map(|a| a as *mut c_void)
    })
}

fn virtual_free(address: usize, size: usize, kind: DWORD) -> Result<(), DWORD> {
    if kind != MEM_DECOMMIT && kind != MEM_RELEASE {
        return Err(ERROR_INVALID_PARAMETER);
    }
    if kind == MEM_RELEASE && size != 0 {
        return Err(ERROR_INVALID_PARAMETER);
    }
    let page = page_size();
    let start = address & !(page - 1);
    let mut regions = fork::lock(&REGIONS);
    let (base, region) = region_at(&mut regions, start).ok_or(ERROR_INVALID_ADDRESS)?;
    let (base, len) = (base, region.size);
    if kind == MEM_RELEASE {
        if start != base {
            return Err(ERROR_INVALID_ADDRESS);
        }
        // SAFETY: the whole reservation, ours, removed from the table below
        // under the same lock.
        unsafe { libc::munmap(base as *mut c_void, len) };
        regions.remove(&base);
        return Ok(());
    }
    let end = if size == 0 {
        if start != base {
            return Err(ERROR_INVALID_ADDRESS);
        }
        base + len
    } else {
        address
            .checked_add(size)
            .and_then(|e| round_up(e, page))
            .ok_or(ERROR_INVALID_ADDRESS)?
    };
    let (_, region, first, count) = pages_of(&mut regions, start, end)?;
    map_reserved(start, end - start)?;
    region.pages[first..first + count].fill(0);
    Ok(())
}

/// `VirtualFree`: `MEM_RELEASE` frees a reservation (size 0, its base),
/// `MEM_DECOMMIT` returns pages to the reserved state.
#[unsafe(no_mangle)]
pub extern "C" fn VirtualFree(address: *mut c_void, size: usize, kind: DWORD) -> BOOL {
    win32(FALSE, || {
        virtual_free(address as usize, size, kind).map(|()| TRUE)
    })
}

fn virtual_protect(address: usize, size: usize, protect: DWORD) -> Result<DWORD, DWORD> {
    let prot = linux_protection(protect)?;
    let page = page_size();
    let start = address & !(page - 1);
    let end = address
        .checked_add(size)
        .and_then(|e| round_up(e, page))
        .ok_or(ERROR_INVALID_PARAMETER)?;
    if end <= start {
        return Err(ERROR_INVALID_PARAMETER);
    }
    let mut regions = fork::lock(&REGIONS);
    if region_at(&mut regions, start).is_none() {
        // Memory VirtualAlloc did not make: all of it mapped, none ours.
        if regions.range(start..end).next().is_some() {
            return Err(ERROR_INVALID_ADDRESS);
        }
        let maps = memory_maps::mappings();
        let old = memory_maps::mapped_protection(&maps, start, end).ok_or(ERROR_INVALID_ADDRESS)?;
        mprotect(start, end - start, prot)?;
        return Ok(old);
    }
    let (_, region, first, count) = pages_of(&mut regions, start, end)?;
    let pages = &region.pages[first..first + count];
    if pages.contains(&0) {
        return Err(ERROR_INVALID_ADDRESS);
    }
    let old = region.reported(pages[0]);
    mprotect(start, end - start, prot)?;
    region.pages[first..first + count].fill(protect & !CACHE_MODIFIERS);
    Ok(old)
}

/// `VirtualProtect`: changes committed pages' protection; the first
/// page's old protection goes to `*old` (which must be writable:
/// `ERROR_NOACCESS`).
///
/// # Safety
/// `old` is NULL or a writable DWORD.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn VirtualProtect(
    address: *mut c_void,
    size: usize,
    protect: DWORD,
    old: *mut DWORD,
) -> BOOL {
    win32(FALSE, || {
        if old.is_null() {
            return Err(ERROR_NOACCESS);
        }
        let previous = virtual_protect(address as usize, size, protect)?;
        // SAFETY: non-null and writable per the contract.
        unsafe { old.write_unaligned(previous) };
        Ok(TRUE)
    })
}

/// The region of equal state and protection from `page` on.
fn query(address: usize) -> Result<MEMORY_BASIC_INFORMATION, DWORD> {
    if address >= ADDRESS_SPACE_END {
        return Err(ERROR_INVALID_PARAMETER);
    }
    let page_len = page_size();
    let page = address & !(page_len - 1);
    let mut regions = fork::lock(&REGIONS);
    if let Some((base, region)) = region_at(&mut regions, page) {
        let first = (page - base) / page_len;
        let state = region.pages[first];
        let run = region.pages[first..]
            .iter()
            .take_while(|&&p| p == state)
            .count();
        return Ok(MEMORY_BASIC_INFORMATION {
            BaseAddress: page,
            AllocationBase: base,
            AllocationProtect: region.alloc_protect,
            RegionSize: run * page_len,
            State: if state == 0 { MEM_RESERVE } else { MEM_COMMIT },
            Protect: region.reported(state),
            Type: MEM_PRIVATE,
            ..Default::default()
        });
    }
    let floor = regions
        .range(..page)
        .next_back()
        .map_or(0, |(&b, r)| b + r.size);
    let limit = regions
        .range(page..)
        .next()
        .map_or(ADDRESS_SPACE_END, |(&b, _)| b);
    Ok(memory_maps::query(
        &memory_maps::mappings(),
        page,
        floor,
        limit,
    ))
}

/// `VirtualQuery`: describes the region holding `address` into `info`;
/// answers the bytes written (`sizeof(MEMORY_BASIC_INFORMATION)`), or 0
/// with the last error (a shorter buffer: `ERROR_BAD_LENGTH`).
///
/// # Safety
/// `info` is NULL or `len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn VirtualQuery(
    address: *const c_void,
    info: *mut MEMORY_BASIC_INFORMATION,
    len: usize,
) -> usize {
    win32(0, || {
        if len < size_of::<MEMORY_BASIC_INFORMATION>() {
            return Err(ERROR_BAD_LENGTH);
        }
        if info.is_null() {
            return Err(ERROR_NOACCESS);
        }
        let answer = query(address as usize)?;
        // SAFETY: at least sizeof(MEMORY_BASIC_INFORMATION) writable bytes
        // per the contract (checked above).
        unsafe { info.write_unaligned(answer) };
        Ok(size_of::<MEMORY_BASIC_INFORMATION>())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protections_follow_the_virtual_c_tables() {
        // P6: test_VirtualAlloc_protection / test_VirtualProtect's tables:
        // exactly the six plain protections succeed; write-copy, 0 and any
        // two together fail.
        let ok = [
            PAGE_NOACCESS,
            PAGE_READONLY,
            PAGE_READWRITE,
            PAGE_EXECUTE,
            PAGE_EXECUTE_READ,
            PAGE_EXECUTE_READWRITE,
        ];
        for p in 0..=0xffu32 {
            let valid = ok.contains(&p);
            assert_eq!(linux_protection(p).is_ok(), valid, "{p:#x}");
        }
        assert!(linux_protection(PAGE_READWRITE | PAGE_GUARD).is_ok());
        assert!(linux_protection(PAGE_READWRITE | PAGE_NOCACHE).is_ok());
        assert!(linux_protection(PAGE_NOACCESS | PAGE_GUARD).is_err());
        assert!(linux_protection(PAGE_READWRITE | PAGE_NOCACHE | PAGE_GUARD).is_err());
        assert!(linux_protection(PAGE_READWRITE | PAGE_NOCACHE | PAGE_WRITECOMBINE).is_err());
        assert!(linux_protection(PAGE_READWRITE | 0x800).is_err());
    }
}
