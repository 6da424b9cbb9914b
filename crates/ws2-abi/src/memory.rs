//! Virtual memory and lock-free lists as x64 Windows lays them out
//! (winnt.h, memoryapi.h): the `PAGE_*` protections, the `MEM_*`
//! allocation types and states, `MEMORY_BASIC_INFORMATION`, and
//! `SLIST_HEADER`/`SLIST_ENTRY` (16 bytes, 16-byte aligned).

use crate::types::DWORD;

/// `ERROR_BAD_LENGTH`: `VirtualQuery` with a buffer shorter than
/// `MEMORY_BASIC_INFORMATION`.
pub const ERROR_BAD_LENGTH: DWORD = 24;
/// `ERROR_INVALID_ADDRESS`: a range that is not (wholly) reserved or
/// committed as the call needs, or an address that is not a region's base.
pub const ERROR_INVALID_ADDRESS: DWORD = 487;
/// `ERROR_PRIVILEGE_NOT_HELD`: `MEM_LARGE_PAGES` without
/// `SeLockMemoryPrivilege`, which no process of ws2 holds.
pub const ERROR_PRIVILEGE_NOT_HELD: DWORD = 1314;

pub const PAGE_NOACCESS: DWORD = 0x01;
pub const PAGE_READONLY: DWORD = 0x02;
pub const PAGE_READWRITE: DWORD = 0x04;
pub const PAGE_WRITECOPY: DWORD = 0x08;
pub const PAGE_EXECUTE: DWORD = 0x10;
pub const PAGE_EXECUTE_READ: DWORD = 0x20;
pub const PAGE_EXECUTE_READWRITE: DWORD = 0x40;
pub const PAGE_EXECUTE_WRITECOPY: DWORD = 0x80;
pub const PAGE_GUARD: DWORD = 0x100;
pub const PAGE_NOCACHE: DWORD = 0x200;
pub const PAGE_WRITECOMBINE: DWORD = 0x400;

pub const MEM_COMMIT: DWORD = 0x1000;
pub const MEM_RESERVE: DWORD = 0x2000;
pub const MEM_DECOMMIT: DWORD = 0x4000;
pub const MEM_RELEASE: DWORD = 0x8000;
pub const MEM_FREE: DWORD = 0x10000;
pub const MEM_PRIVATE: DWORD = 0x20000;
pub const MEM_MAPPED: DWORD = 0x40000;
pub const MEM_RESET: DWORD = 0x80000;
pub const MEM_TOP_DOWN: DWORD = 0x100000;
pub const MEM_WRITE_WATCH: DWORD = 0x200000;
pub const MEM_PHYSICAL: DWORD = 0x400000;
pub const MEM_RESET_UNDO: DWORD = 0x1000000;
pub const MEM_IMAGE: DWORD = 0x1000000;
pub const MEM_LARGE_PAGES: DWORD = 0x20000000;

/// `MEMORY_BASIC_INFORMATION` (48 bytes on x64; the WORD after
/// `AllocationProtect` is x64's `PartitionId`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MEMORY_BASIC_INFORMATION {
    pub BaseAddress: usize,
    pub AllocationBase: usize,
    pub AllocationProtect: DWORD,
    pub PartitionId: u16,
    pub _padding: u16,
    pub RegionSize: usize,
    pub State: DWORD,
    pub Protect: DWORD,
    pub Type: DWORD,
    pub _padding2: DWORD,
}

/// `SLIST_ENTRY` on x64: one pointer, 16-byte aligned.
#[repr(C, align(16))]
#[derive(Debug)]
pub struct SLIST_ENTRY {
    pub Next: *mut SLIST_ENTRY,
}

/// `SLIST_HEADER` on x64 (`HeaderX64`): `Alignment` holds `Depth` (bits
/// 0-15) and `Sequence` (bits 16-63); `Region` holds `NextEntry`, the first
/// entry's address shifted right by 4, in bits 4-63 (an aligned entry's
/// low four bits are 0, so `Region` reads as the address itself).
#[repr(C, align(16))]
#[derive(Debug, Default)]
pub struct SLIST_HEADER {
    pub Alignment: u64,
    pub Region: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn layouts_are_x64_windows() {
        // P6: winnt.h's x64 layouts (mirrored in tests/c/win32_memory.c
        // and win32_slist.c).
        assert_eq!(size_of::<MEMORY_BASIC_INFORMATION>(), 48);
        assert_eq!(offset_of!(MEMORY_BASIC_INFORMATION, AllocationBase), 8);
        assert_eq!(offset_of!(MEMORY_BASIC_INFORMATION, AllocationProtect), 16);
        assert_eq!(offset_of!(MEMORY_BASIC_INFORMATION, PartitionId), 20);
        assert_eq!(offset_of!(MEMORY_BASIC_INFORMATION, RegionSize), 24);
        assert_eq!(offset_of!(MEMORY_BASIC_INFORMATION, State), 32);
        assert_eq!(offset_of!(MEMORY_BASIC_INFORMATION, Protect), 36);
        assert_eq!(offset_of!(MEMORY_BASIC_INFORMATION, Type), 40);
        assert_eq!(
            (size_of::<SLIST_HEADER>(), align_of::<SLIST_HEADER>()),
            (16, 16)
        );
        assert_eq!(
            (size_of::<SLIST_ENTRY>(), align_of::<SLIST_ENTRY>()),
            (16, 16)
        );
        assert_eq!(offset_of!(SLIST_HEADER, Region), 8);
    }
}
