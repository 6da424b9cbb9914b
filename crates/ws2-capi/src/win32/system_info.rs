//! The machine (sysinfoapi.h): `GetSystemInfo` and `GetNativeSystemInfo`,
//! which servers call to size their worker pools (Microsoft's IOCP server
//! sample starts two workers per processor) and allocators to learn the
//! page size.
//!
//! The answers are x64 Windows' where they describe Windows' own memory
//! manager (the 64 KiB allocation granularity, the application address
//! range) and this machine's otherwise: the page size, the processors
//! online, the CPU's family as `wProcessorLevel` and its model and stepping
//! as `wProcessorRevision` (`0xMMSS`, as Windows reports an x86 CPU).

use ws2_abi::*;

/// `lpMinimumApplicationAddress` of x64 Windows.
pub(super) const MIN_APPLICATION_ADDRESS: usize = 0x1_0000;
/// `lpMaximumApplicationAddress` of x64 Windows (128 TiB minus 64 KiB,
/// last byte).
const MAX_APPLICATION_ADDRESS: usize = 0x7FFF_FFFE_FFFF;
/// Windows' allocation granularity.
pub(super) const ALLOCATION_GRANULARITY: DWORD = 0x1_0000;

/// This machine's processor family, model and stepping as Windows reports
/// them: (`wProcessorLevel`, `wProcessorRevision`).
#[cfg(target_arch = "x86_64")]
fn processor_level_and_revision() -> (WORD, WORD) {
    // CPUID leaf 1 exists on every x86-64 CPU.
    let eax = core::arch::x86_64::__cpuid(1).eax;
    let base_family = (eax >> 8) & 0xf;
    let family = if base_family == 0xf {
        base_family + ((eax >> 20) & 0xff)
    } else {
        base_family
    };
    let mut model = (eax >> 4) & 0xf;
    if base_family == 0x6 || base_family == 0xf {
        model |= ((eax >> 16) & 0xf) << 4;
    }
    let stepping = eax & 0xf;
    (family as WORD, (model << 8 | stepping) as WORD)
}

#[cfg(not(target_arch = "x86_64"))]
fn processor_level_and_revision() -> (WORD, WORD) {
    (0, 0)
}

/// The page size (4096 where `sysconf` cannot tell).
pub(super) fn page_size() -> usize {
    // SAFETY: sysconf has no pointer arguments.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if page > 0 { page as usize } else { 4096 }
}

fn system_info() -> SYSTEM_INFO {
    let page = page_size();
    // SAFETY: as above.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as u32;
    let (level, revision) = processor_level_and_revision();
    let (architecture, processor_type) = if cfg!(target_arch = "aarch64") {
        (PROCESSOR_ARCHITECTURE_ARM64, PROCESSOR_ARM)
    } else {
        (PROCESSOR_ARCHITECTURE_AMD64, PROCESSOR_AMD_X8664)
    };
    SYSTEM_INFO {
        wProcessorArchitecture: architecture,
        wReserved: 0,
        dwPageSize: page as DWORD,
        lpMinimumApplicationAddress: MIN_APPLICATION_ADDRESS as *mut _,
        lpMaximumApplicationAddress: MAX_APPLICATION_ADDRESS as *mut _,
        // One bit per processor, as Windows sets them within a group of 64.
        dwActiveProcessorMask: if online >= 64 {
            usize::MAX
        } else {
            (1usize << online) - 1
        },
        dwNumberOfProcessors: online,
        dwProcessorType: processor_type,
        dwAllocationGranularity: ALLOCATION_GRANULARITY,
        wProcessorLevel: level,
        wProcessorRevision: revision,
    }
}

/// # Safety
/// `info` is a writable `SYSTEM_INFO` (NULL is ignored).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetSystemInfo(info: *mut SYSTEM_INFO) {
    if !info.is_null() {
        // SAFETY: writable per the contract (checked non-null).
        unsafe { info.write_unaligned(system_info()) };
    }
}

/// The same answer: ws2 runs no 32-bit programs under emulation.
///
/// # Safety
/// As [`GetSystemInfo`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetNativeSystemInfo(info: *mut SYSTEM_INFO) {
    // SAFETY: forwarded contract.
    unsafe { GetSystemInfo(info) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_this_machine_as_x64_windows_would() {
        // P6
        let info = system_info();
        let online = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(info.dwNumberOfProcessors as usize >= online.min(64));
        assert_eq!(
            info.dwActiveProcessorMask.count_ones(),
            info.dwNumberOfProcessors.min(64)
        );
        assert_eq!(info.dwAllocationGranularity, 0x10000);
        assert!(info.dwPageSize >= 4096 && info.dwPageSize.is_power_of_two());
    }
}
