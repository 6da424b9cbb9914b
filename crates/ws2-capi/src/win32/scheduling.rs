//! Thread priorities and processor affinity (processthreadsapi.h,
//! winbase.h): `GetThreadPriority`, `SetThreadPriority`,
//! `SetThreadAffinityMask` and `GetProcessAffinityMask`.
//!
//! Windows' rules (kernel32 thread.c test_thread_priority and
//! test_thread_processor; Microsoft's pages):
//! - a thread starts at `THREAD_PRIORITY_NORMAL`; `SetThreadPriority`
//!   takes `THREAD_PRIORITY_IDLE`, `LOWEST` through `HIGHEST` (-2..2) and
//!   `TIME_CRITICAL`, and `GetThreadPriority` reads back what was set;
//!   another value fails with `ERROR_INVALID_PARAMETER` and changes
//!   nothing; a handle that is no thread: `ERROR_INVALID_HANDLE`
//!   (`GetThreadPriority` answers `THREAD_PRIORITY_ERROR_RETURN`);
//! - `SetThreadAffinityMask` answers the thread's previous mask; a mask
//!   with a processor outside the process's mask fails (0,
//!   `ERROR_INVALID_PARAMETER`); all bits set means every processor of
//!   the process.
//!
//! On Linux: the priority is kept with the thread (read back exactly) and
//! told to the scheduler as the thread's nice value (`IDLE` 19, `LOWEST`
//! 10, `BELOW_NORMAL` 5, `NORMAL` 0, `ABOVE_NORMAL` -5, `HIGHEST` -10,
//! `TIME_CRITICAL` -20) where the kernel lets the process: lowering always,
//! raising only with `CAP_SYS_NICE` or `RLIMIT_NICE`; where it refuses,
//! the thread keeps its nice value and the call still succeeds, as the
//! value is a hint on Windows too. `THREAD_MODE_BACKGROUND_BEGIN`/`END`
//! are not provided (`ERROR_INVALID_PARAMETER`). Affinity is
//! `sched_setaffinity` on the thread; the process's mask is the affinity
//! the process had at the first call (a thread narrowing its own does not
//! narrow the process's, as on Windows), and the system's mask is the
//! processors online, both within Windows' group of 64.

use ws2_abi::*;
use ws2_engine::handles;

use super::{FALSE, TRUE, win32};

const THREAD_PRIORITY_IDLE: i32 = -15;
const THREAD_PRIORITY_TIME_CRITICAL: i32 = 15;
/// `GetThreadPriority`'s failure value (`MAXLONG`).
const THREAD_PRIORITY_ERROR_RETURN: i32 = 0x7fff_ffff;

/// The nice value a priority asks Linux for.
fn nice_of(priority: i32) -> Option<i32> {
    Some(match priority {
        THREAD_PRIORITY_IDLE => 19,
        -2 => 10,
        -1 => 5,
        0 => 0,
        1 => -5,
        2 => -10,
        THREAD_PRIORITY_TIME_CRITICAL => -20,
        _ => return None,
    })
}

/// The thread a handle names (the pseudo-handle included).
fn thread_of(h: HANDLE) -> Result<std::sync::Arc<ws2_engine::completion::ThreadObject>, DWORD> {
    handles::thread(h as usize).map_err(|_| ERROR_INVALID_HANDLE)
}

/// The Linux thread id of a running thread (`None` once it has ended: its
/// id may name another thread by then).
fn running_tid(thread: &ws2_engine::completion::ThreadObject) -> Option<libc::pid_t> {
    let id = thread.id();
    (id != 0 && !thread.exit_event().is_set()).then_some(id as libc::pid_t)
}

/// `GetThreadPriority`.
#[unsafe(no_mangle)]
pub extern "C" fn GetThreadPriority(thread: HANDLE) -> i32 {
    win32(THREAD_PRIORITY_ERROR_RETURN, || {
        Ok(thread_of(thread)?.priority())
    })
}

/// `SetThreadPriority`.
#[unsafe(no_mangle)]
pub extern "C" fn SetThreadPriority(thread: HANDLE, priority: i32) -> BOOL {
    win32(FALSE, || {
        let object = thread_of(thread)?;
        let nice = nice_of(priority).ok_or(ERROR_INVALID_PARAMETER)?;
        object.set_priority(priority);
        if let Some(tid) = running_tid(&object) {
            // SAFETY: setpriority has no memory arguments; a refusal
            // (EPERM, EACCES) leaves the thread's nice value as it was.
            unsafe { libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, nice) };
        }
        Ok(TRUE)
    })
}

/// The affinity of `tid` (0: the caller) as a 64-processor mask.
fn affinity_of(tid: libc::pid_t) -> Result<usize, DWORD> {
    // SAFETY: an all-zero cpu_set_t is an empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: writes one cpu_set_t of the size given.
    if unsafe { libc::sched_getaffinity(tid, size_of::<libc::cpu_set_t>(), &mut set) } != 0 {
        return Err(ERROR_INVALID_PARAMETER);
    }
    // SAFETY: CPU_ISSET reads the set, for CPUs below its capacity.
    Ok((0..usize::BITS as usize)
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .fold(0, |m, cpu| m | 1 << cpu))
}

/// The process's affinity mask, as it was at the first call.
fn process_mask() -> Result<usize, DWORD> {
    static MASK: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if let Some(&mask) = MASK.get() {
        return Ok(mask);
    }
    // SAFETY: getpid has no preconditions.
    let mask = affinity_of(unsafe { libc::getpid() })?;
    Ok(*MASK.get_or_init(|| mask))
}

/// The processors online, one bit each (at most 64).
fn system_mask() -> usize {
    // SAFETY: sysconf has no pointer arguments.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as u32;
    if online >= usize::BITS {
        usize::MAX
    } else {
        (1usize << online) - 1
    }
}

/// `SetThreadAffinityMask`: answers the previous mask, 0 on failure.
#[unsafe(no_mangle)]
pub extern "C" fn SetThreadAffinityMask(thread: HANDLE, mask: usize) -> usize {
    win32(0, || {
        let object = thread_of(thread)?;
        let tid = running_tid(&object).ok_or(ERROR_INVALID_HANDLE)?;
        let allowed = process_mask()?;
        let mask = if mask == usize::MAX { allowed } else { mask };
        if mask == 0 || mask & !allowed != 0 {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let previous = affinity_of(tid)?;
        // SAFETY: an all-zero cpu_set_t is an empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        for cpu in (0..usize::BITS as usize).filter(|&cpu| mask & 1 << cpu != 0) {
            // SAFETY: CPU_SET writes a CPU below the set's capacity.
            unsafe { libc::CPU_SET(cpu, &mut set) };
        }
        // SAFETY: reads one cpu_set_t of the size given.
        if unsafe { libc::sched_setaffinity(tid, size_of::<libc::cpu_set_t>(), &set) } != 0 {
            return Err(ERROR_INVALID_PARAMETER);
        }
        Ok(previous)
    })
}

/// `GetProcessAffinityMask` of the current process, named by its
/// pseudo-handle (ws2 has no other process handles: another value is
/// `ERROR_INVALID_HANDLE`).
///
/// # Safety
/// `process_mask_out` and `system_mask_out` are writable (NULL:
/// `ERROR_NOACCESS`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetProcessAffinityMask(
    process: HANDLE,
    process_mask_out: *mut usize,
    system_mask_out: *mut usize,
) -> BOOL {
    win32(FALSE, || {
        if process as usize != handles::CURRENT_PROCESS {
            return Err(ERROR_INVALID_HANDLE);
        }
        if process_mask_out.is_null() || system_mask_out.is_null() {
            return Err(ERROR_NOACCESS);
        }
        let mask = process_mask()?;
        // SAFETY: both writable per the contract (checked non-null).
        unsafe {
            process_mask_out.write_unaligned(mask);
            system_mask_out.write_unaligned(system_mask() | mask);
        }
        Ok(TRUE)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_nice_follows_the_priority_where_allowed() {
        // P6: the mapping in the module's note; lowering is always allowed.
        std::thread::spawn(|| {
            let me = handles::CURRENT_THREAD as HANDLE;
            // SAFETY: gettid has no preconditions.
            let tid = unsafe { libc::gettid() } as libc::id_t;
            assert_eq!(SetThreadPriority(me, -2), TRUE);
            assert_eq!(GetThreadPriority(me), -2);
            // SAFETY: getpriority has no memory arguments.
            assert_eq!(unsafe { libc::getpriority(libc::PRIO_PROCESS, tid) }, 10);
            assert_eq!(SetThreadPriority(me, THREAD_PRIORITY_IDLE), TRUE);
            // SAFETY: as above.
            assert_eq!(unsafe { libc::getpriority(libc::PRIO_PROCESS, tid) }, 19);
        })
        .join()
        .unwrap();
        assert_eq!(nice_of(3), None);
        assert_eq!(nice_of(THREAD_PRIORITY_TIME_CRITICAL), Some(-20));
    }
}
