//! Interlocked singly linked lists (interlockedapi.h, winnt.h's `SLIST_*`):
//! `InitializeSListHead`, `InterlockedPushEntrySList`,
//! `InterlockedPopEntrySList`, `InterlockedFlushSList`, `QueryDepthSList`
//! and `InterlockedPushListSListEx`, in the program's own memory with x64
//! Windows' layout: a 16-byte `SLIST_HEADER` holding the depth (16 bits),
//! a sequence number (48 bits) and the first entry's address, changed as a
//! whole by one 16-byte compare-exchange (`lock cmpxchg16b`), so the list
//! is lock-free; every change moves the sequence on, so a pop that read a
//! first entry which was popped and pushed back meanwhile fails its
//! exchange and retries (the ABA case). Entries are 16-byte aligned
//! `SLIST_ENTRY`s (Windows' requirement, `MEMORY_ALLOCATION_ALIGNMENT`).
//!
//! As with Windows' list, an entry popped by one thread while another is
//! reading its `Next` must stay readable memory: Windows resumes that read
//! after an access fault, ws2 cannot, so an entry's memory is returned to
//! the heap (which keeps it mapped), not unmapped, while others may pop.
//! The depth is 16 bits and wraps, as Windows' does.

use std::sync::atomic::{AtomicU64, Ordering};

use ws2_abi::{SLIST_ENTRY, SLIST_HEADER};

/// The header's two words: (`Alignment`: depth and sequence, `Region`:
/// the first entry).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Words {
    counts: u64,
    first: u64,
}

impl Words {
    fn depth(self) -> u16 {
        self.counts as u16
    }

    /// The words after a change to `first` with the depth moved by `delta`
    /// (mod 2^16) and the sequence moved on by one (mod 2^48).
    fn changed(self, first: u64, delta: u16) -> Words {
        let depth = self.depth().wrapping_add(delta) as u64;
        let sequence = (self.counts >> 16).wrapping_add(1) << 16;
        Words {
            counts: sequence | depth,
            first,
        }
    }
}

/// Reads the header's words (each atomically; the pair may be torn, which
/// the compare-exchange then catches).
///
/// # Safety
/// `head` is a live, 16-byte aligned `SLIST_HEADER`.
unsafe fn load(head: *mut SLIST_HEADER) -> Words {
    // SAFETY: two aligned u64 words of a live header, read atomically as
    // the other threads write them (by cmpxchg16b).
    unsafe {
        let words = head.cast::<AtomicU64>();
        Words {
            counts: (*words).load(Ordering::Acquire),
            first: (*words.add(1)).load(Ordering::Acquire),
        }
    }
}

/// Replaces the header's words with `new` if they are still `old`.
///
/// # Safety
/// `head` is a live, 16-byte aligned `SLIST_HEADER`.
#[cfg(target_arch = "x86_64")]
unsafe fn exchange(head: *mut SLIST_HEADER, old: Words, new: Words) -> bool {
    let swapped: u8;
    // SAFETY: cmpxchg16b on 16 aligned bytes of a live header; rbx, which
    // the instruction reads and Rust may not name as an operand, is
    // swapped in and restored around it. Every x86-64 CPU Windows 8.1 and
    // later run on has the instruction, as do all Linux machines ws2
    // targets.
    unsafe {
        core::arch::asm!(
            "xchg {new_low}, rbx",
            "lock cmpxchg16b xmmword ptr [{head}]",
            "sete {swapped}",
            "mov rbx, {new_low}",
            head = in(reg) head,
            new_low = inout(reg) new.counts => _,
            swapped = out(reg_byte) swapped,
            in("rcx") new.first,
            inout("rax") old.counts => _,
            inout("rdx") old.first => _,
            options(nostack),
        );
    }
    swapped != 0
}

/// The same, under one process-wide lock, where no 16-byte compare-exchange
/// is at hand (not lock-free there; x86-64 is what ws2 is built for).
///
/// # Safety
/// `head` is a live, 16-byte aligned `SLIST_HEADER`.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn exchange(head: *mut SLIST_HEADER, old: Words, new: Words) -> bool {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _held = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: a live header; every writer holds LOCK.
    unsafe {
        if load(head) != old {
            return false;
        }
        let words = head.cast::<AtomicU64>();
        (*words).store(new.counts, Ordering::Release);
        (*words.add(1)).store(new.first, Ordering::Release);
    }
    true
}

/// `InitializeSListHead`: an empty list.
///
/// # Safety
/// `head` is a writable, 16-byte aligned `SLIST_HEADER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitializeSListHead(head: *mut SLIST_HEADER) {
    // SAFETY: writable per the contract.
    unsafe { head.write(SLIST_HEADER::default()) };
}

/// `QueryDepthSList`: the number of entries (mod 2^16).
///
/// # Safety
/// `head` is an initialised `SLIST_HEADER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn QueryDepthSList(head: *mut SLIST_HEADER) -> u16 {
    // SAFETY: forwarded contract.
    unsafe { load(head) }.depth()
}

/// Pushes the linked entries `first`..=`last` (`count` of them) in front;
/// answers the entry that was first before.
///
/// # Safety
/// `head` is an initialised header; `first`..=`last` are linked, aligned
/// entries in no list.
unsafe fn push(
    head: *mut SLIST_HEADER,
    first: *mut SLIST_ENTRY,
    last: *mut SLIST_ENTRY,
    count: u16,
) -> *mut SLIST_ENTRY {
    loop {
        // SAFETY: forwarded contract.
        let old = unsafe { load(head) };
        // SAFETY: `last` is ours until the exchange publishes it.
        unsafe { (*last).Next = old.first as *mut SLIST_ENTRY };
        let new = old.changed(first as u64, count);
        // SAFETY: forwarded contract.
        if unsafe { exchange(head, old, new) } {
            return old.first as *mut SLIST_ENTRY;
        }
    }
}

/// `InterlockedPushEntrySList`: pushes `entry`; answers the previous first
/// entry (NULL if the list was empty).
///
/// # Safety
/// `head` is an initialised header; `entry` a 16-byte aligned entry in no
/// list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InterlockedPushEntrySList(
    head: *mut SLIST_HEADER,
    entry: *mut SLIST_ENTRY,
) -> *mut SLIST_ENTRY {
    // SAFETY: forwarded contract.
    unsafe { push(head, entry, entry, 1) }
}

/// `InterlockedPushListSListEx`: pushes the `count` entries linked from
/// `list` to `list_end` at once; answers the previous first entry.
///
/// # Safety
/// `head` is an initialised header; `list`..=`list_end` are `count`
/// linked, aligned entries in no list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InterlockedPushListSListEx(
    head: *mut SLIST_HEADER,
    list: *mut SLIST_ENTRY,
    list_end: *mut SLIST_ENTRY,
    count: u32,
) -> *mut SLIST_ENTRY {
    // SAFETY: forwarded contract.
    unsafe { push(head, list, list_end, count as u16) }
}

/// `InterlockedPopEntrySList`: removes and answers the first entry (NULL if
/// the list is empty).
///
/// # Safety
/// `head` is an initialised header whose entries stay readable while they
/// may be popped (see the module's note).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InterlockedPopEntrySList(head: *mut SLIST_HEADER) -> *mut SLIST_ENTRY {
    loop {
        // SAFETY: forwarded contract.
        let old = unsafe { load(head) };
        let first = old.first as *mut SLIST_ENTRY;
        if first.is_null() {
            return first;
        }
        // SAFETY: an entry of the list (or one just popped elsewhere, still
        // readable per the contract; the exchange then fails). Read
        // volatile: another thread may be rewriting it.
        let next = unsafe { std::ptr::read_volatile(&raw const (*first).Next) };
        let new = old.changed(next as u64, u16::MAX);
        // SAFETY: forwarded contract.
        if unsafe { exchange(head, old, new) } {
            return first;
        }
    }
}

/// `InterlockedFlushSList`: empties the list; answers its first entry (the
/// entries stay linked), NULL if it was empty.
///
/// # Safety
/// `head` is an initialised header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InterlockedFlushSList(head: *mut SLIST_HEADER) -> *mut SLIST_ENTRY {
    loop {
        // SAFETY: forwarded contract.
        let old = unsafe { load(head) };
        if old.first == 0 {
            return std::ptr::null_mut();
        }
        let mut new = old.changed(0, 0);
        new.counts &= !0xffff;
        // SAFETY: forwarded contract.
        if unsafe { exchange(head, old, new) } {
            return old.first as *mut SLIST_ENTRY;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_count_and_sequence_wrap() {
        // P6: winnt.h's HeaderX64 (Depth:16, Sequence:48)
        let w = Words {
            counts: 0xffff_ffff_ffff_ffff,
            first: 0,
        };
        let next = w.changed(0x10, 1);
        assert_eq!(next.depth(), 0);
        assert_eq!(next.counts >> 16, 0);
        assert_eq!(next.first, 0x10);
        let popped = Words {
            counts: 2,
            first: 0,
        }
        .changed(0, u16::MAX);
        assert_eq!((popped.depth(), popped.counts >> 16), (1, 1));
    }

    #[test]
    fn a_pop_that_saw_a_recycled_first_entry_fails_its_exchange() {
        // P6: the ABA case winnt.h's Sequence field is for. A pop reads
        // first A (next B); meanwhile A and B are popped, D and A pushed:
        // A is first again with the same depth but a different successor.
        let mut head = SLIST_HEADER::default();
        let mut entries: Vec<SLIST_ENTRY> = (0..4)
            .map(|_| SLIST_ENTRY {
                Next: std::ptr::null_mut(),
            })
            .collect();
        let [a, b, c, d] = [0, 1, 2, 3].map(|i| entries.as_mut_ptr().wrapping_add(i));
        // SAFETY: a live header; aligned entries pushed only while in no list.
        unsafe {
            InterlockedPushEntrySList(&mut head, c);
            InterlockedPushEntrySList(&mut head, b);
            InterlockedPushEntrySList(&mut head, a);
            let seen = load(&mut head);
            assert_eq!((*a).Next, b);
            assert_eq!(InterlockedPopEntrySList(&mut head), a);
            assert_eq!(InterlockedPopEntrySList(&mut head), b);
            InterlockedPushEntrySList(&mut head, d);
            InterlockedPushEntrySList(&mut head, a);
            let now = load(&mut head);
            assert_eq!((now.first, now.depth()), (seen.first, seen.depth()));
            assert!(!exchange(&mut head, seen, seen.changed(b as u64, u16::MAX)));
            assert_eq!(InterlockedPopEntrySList(&mut head), a);
            assert_eq!(InterlockedPopEntrySList(&mut head), d);
        }
    }

    #[test]
    fn push_pop_flush_in_rust() {
        // P6: kernel32 sync.c test_slist (LIFO order, depth, flush)
        let mut head = SLIST_HEADER::default();
        let mut entries: Vec<SLIST_ENTRY> = (0..3)
            .map(|_| SLIST_ENTRY {
                Next: std::ptr::null_mut(),
            })
            .collect();
        let base = entries.as_mut_ptr();
        // SAFETY: a live header and three aligned entries in no list.
        unsafe {
            InitializeSListHead(&mut head);
            assert!(InterlockedPushEntrySList(&mut head, base).is_null());
            assert_eq!(InterlockedPushEntrySList(&mut head, base.add(1)), base);
            assert_eq!(QueryDepthSList(&mut head), 2);
            assert_eq!(InterlockedPopEntrySList(&mut head), base.add(1));
            assert_eq!(InterlockedPushEntrySList(&mut head, base.add(2)), base);
            assert_eq!(InterlockedFlushSList(&mut head), base.add(2));
            assert_eq!((*base.add(2)).Next, base);
            assert_eq!(QueryDepthSList(&mut head), 0);
            assert!(InterlockedPopEntrySList(&mut head).is_null());
            assert!(InterlockedFlushSList(&mut head).is_null());
        }
    }
}
