//! What Linux has mapped outside ws2's own reservations, read from
//! `/proc/self/maps`, for `VirtualQuery` and `VirtualProtect` on memory
//! that `VirtualAlloc` did not make (the stack, the heap, the program's
//! image), which Windows programs also ask about (a thread finding its
//! stack's base through `VirtualQuery(&local)`).
//!
//! How Linux's mappings read as Windows regions:
//! - a file mapped executable anywhere is an image (`MEM_IMAGE`, allocation
//!   protection `PAGE_EXECUTE_WRITECOPY` as Windows reports images), its
//!   first mapping the allocation base; another file is `MEM_MAPPED`;
//!   anonymous memory (`[heap]`, `[stack]`, thread stacks) is `MEM_PRIVATE`;
//! - an anonymous mapping with no access is reserved address space (what
//!   allocators use `PROT_NONE` for): `MEM_RESERVE`, protection 0;
//! - the permissions map to `PAGE_*` (`r--` `PAGE_READONLY`, `rw-`
//!   `PAGE_READWRITE`, `r-x` `PAGE_EXECUTE_READ`, `rwx`
//!   `PAGE_EXECUTE_READWRITE`, `--x` `PAGE_EXECUTE`, `---`
//!   `PAGE_NOACCESS`; Windows has no write-only page: `-w-` reads as
//!   `PAGE_READWRITE`).

use std::io::{BufRead, BufReader};

use ws2_abi::*;

/// One line of `/proc/self/maps`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Mapping {
    pub start: usize,
    pub end: usize,
    read: bool,
    write: bool,
    exec: bool,
    inode: u64,
    /// The file, or `[heap]`, `[stack]`..., or empty for anonymous memory.
    path: String,
}

impl Mapping {
    fn parse(line: &str) -> Option<Mapping> {
        let mut fields = line.split_ascii_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let perms = fields.next()?.as_bytes();
        let _offset = fields.next()?;
        let _device = fields.next()?;
        let inode = fields.next()?.parse().ok()?;
        let path = fields.collect::<Vec<_>>().join(" ");
        Some(Mapping {
            start: usize::from_str_radix(start, 16).ok()?,
            end: usize::from_str_radix(end, 16).ok()?,
            read: perms.first() == Some(&b'r'),
            write: perms.get(1) == Some(&b'w'),
            exec: perms.get(2) == Some(&b'x'),
            inode,
            path,
        })
    }

    fn is_file(&self) -> bool {
        self.inode != 0 && !self.path.is_empty() && !self.path.starts_with('[')
    }

    fn same_object(&self, other: &Mapping) -> bool {
        if self.is_file() {
            other.inode == self.inode && other.path == self.path
        } else {
            !other.is_file() && other.path == self.path
        }
    }

    /// The `PAGE_*` value of the permissions.
    pub fn protection(&self) -> DWORD {
        match (self.read, self.write, self.exec) {
            (_, true, true) => PAGE_EXECUTE_READWRITE,
            (true, false, true) => PAGE_EXECUTE_READ,
            (false, false, true) => PAGE_EXECUTE,
            (_, true, false) => PAGE_READWRITE,
            (true, false, false) => PAGE_READONLY,
            (false, false, false) => PAGE_NOACCESS,
        }
    }

    /// An anonymous mapping with no access: reserved address space.
    fn is_reservation(&self) -> bool {
        !self.is_file() && !self.read && !self.write && !self.exec
    }
}

/// The process's mappings, in address order (empty if `/proc` is missing).
pub(super) fn mappings() -> Vec<Mapping> {
    let Ok(file) = std::fs::File::open("/proc/self/maps") else {
        return Vec::new();
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| Mapping::parse(&line))
        .collect()
}

/// `VirtualQuery`'s answer for `page`, a page-aligned address outside every
/// reservation of ws2's; `limit` is where the next reservation of ws2's
/// begins (or the end of the address space): no region runs past it, and
/// none begins before `floor`, where the previous reservation ends.
pub(super) fn query(
    maps: &[Mapping],
    page: usize,
    floor: usize,
    limit: usize,
) -> MEMORY_BASIC_INFORMATION {
    let Some(at) = maps.iter().position(|m| m.start <= page && page < m.end) else {
        let next = maps
            .iter()
            .map(|m| m.start)
            .find(|&s| s > page)
            .unwrap_or(limit)
            .min(limit);
        return MEMORY_BASIC_INFORMATION {
            BaseAddress: page,
            RegionSize: next - page,
            State: MEM_FREE,
            Protect: PAGE_NOACCESS,
            ..Default::default()
        };
    };
    let here = &maps[at];
    // The region: this mapping and the adjacent ones of the same object and
    // permissions.
    let mut end = here.end;
    for next in &maps[at + 1..] {
        if next.start != end || !next.same_object(here) || next.protection() != here.protection() {
            break;
        }
        end = next.end;
    }
    // The allocation: back over the adjacent mappings of the same object.
    let mut base = here.start;
    for prev in maps[..at].iter().rev() {
        if prev.end != base || !prev.same_object(here) {
            break;
        }
        base = prev.start;
    }
    let base = base.max(floor);
    let image = here.is_file() && maps.iter().any(|m| m.same_object(here) && m.exec);
    let (state, protect) = if here.is_reservation() {
        (MEM_RESERVE, 0)
    } else {
        (MEM_COMMIT, here.protection())
    };
    let first = maps.iter().find(|m| m.start == base).unwrap_or(here);
    MEMORY_BASIC_INFORMATION {
        BaseAddress: page,
        AllocationBase: base,
        AllocationProtect: if image {
            PAGE_EXECUTE_WRITECOPY
        } else {
            first.protection()
        },
        RegionSize: end.min(limit) - page,
        State: state,
        Protect: protect,
        Type: if image {
            MEM_IMAGE
        } else if here.is_file() {
            MEM_MAPPED
        } else {
            MEM_PRIVATE
        },
        ..Default::default()
    }
}

/// The protection of the mapping holding `page`, when every page of
/// `[page, end)` is mapped (adjacent mappings, no gap).
pub(super) fn mapped_protection(maps: &[Mapping], page: usize, end: usize) -> Option<DWORD> {
    let at = maps.iter().position(|m| m.start <= page && page < m.end)?;
    // Committed memory only: an inaccessible anonymous mapping (a guard
    // page) is reserved, as `VirtualQuery` reports it, and Windows refuses
    // to protect reserved pages.
    if maps[at].is_reservation() {
        return None;
    }
    let mut covered = maps[at].end;
    for next in &maps[at + 1..] {
        if covered >= end || next.start != covered || next.is_reservation() {
            break;
        }
        covered = next.end;
    }
    (covered >= end).then(|| maps[at].protection())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(line: &str) -> Mapping {
        Mapping::parse(line).unwrap()
    }

    #[test]
    fn reads_linux_mappings_as_windows_regions() {
        // P6 (Microsoft's MEMORY_BASIC_INFORMATION page: State, Protect,
        // Type, AllocationBase)
        let maps = vec![
            map("555555554000-555555556000 r--p 00000000 08:01 42 /usr/bin/server"),
            map("555555556000-555555558000 r-xp 00002000 08:01 42 /usr/bin/server"),
            map("555555558000-555555559000 rw-p 00004000 08:01 42 /usr/bin/server"),
            map("7ffff7000000-7ffff7001000 ---p 00000000 00:00 0"),
            map("7ffff7001000-7ffff7801000 rw-p 00000000 00:00 0"),
            map("7ffff7900000-7ffff7902000 r--p 00000000 08:01 77 /var/data.bin"),
        ];
        let limit = 1 << 47;
        let code = query(&maps, 0x5555_5555_7000, 0, limit);
        assert_eq!(code.AllocationBase, 0x5555_5555_4000);
        assert_eq!(
            (code.State, code.Protect, code.Type),
            (MEM_COMMIT, PAGE_EXECUTE_READ, MEM_IMAGE)
        );
        assert_eq!(code.AllocationProtect, PAGE_EXECUTE_WRITECOPY);
        assert_eq!(code.RegionSize, 0x1000);
        let guard = query(&maps, 0x7fff_f700_0000, 0, limit);
        assert_eq!(
            (guard.State, guard.Protect, guard.Type),
            (MEM_RESERVE, 0, MEM_PRIVATE)
        );
        let stack = query(&maps, 0x7fff_f700_2000, 0, limit);
        assert_eq!((stack.State, stack.Protect), (MEM_COMMIT, PAGE_READWRITE));
        assert_eq!(stack.RegionSize, 0x7ff000);
        let data = query(&maps, 0x7fff_f790_0000, 0, limit);
        assert_eq!(data.Type, MEM_MAPPED);
        let free = query(&maps, 0x7fff_f780_1000, 0, limit);
        assert_eq!(free.State, MEM_FREE);
        assert_eq!(free.Protect, PAGE_NOACCESS);
        assert_eq!(free.RegionSize, 0x7fff_f790_0000 - 0x7fff_f780_1000);
        assert_eq!(free.AllocationBase, 0);
        assert_eq!(
            mapped_protection(&maps, 0x5555_5555_4000, 0x5555_5555_9000),
            Some(PAGE_READONLY)
        );
        assert_eq!(
            mapped_protection(&maps, 0x5555_5555_8000, 0x5555_5555_a000),
            None
        );
    }
}
