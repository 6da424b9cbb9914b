//! The per-thread `HOSTENT`, `SERVENT` and `PROTOENT` blocks: one of each
//! per thread, laid out as Windows lays them out.

use std::cell::RefCell;
use std::ffi::c_char;

use ws2_abi::*;

use super::{Host, Service};

/// One thread's buffer for one kind of entry. Windows keeps one per thread
/// (Microsoft's gethostbyname/getservbyname pages), overwritten by the next
/// call on that thread and freed when the thread ends; it is reused while
/// an entry fits, so consecutive answers come back at the same address
/// (Wine's `test_getservbyname` checks that).
struct Block {
    words: Vec<u64>,
}

impl Block {
    const fn new() -> Block {
        Block { words: Vec::new() }
    }

    /// A zeroed region of at least `size` bytes, 8-byte aligned.
    fn region(&mut self, size: usize) -> *mut u8 {
        let words = size.div_ceil(8).max(MAXGETHOSTSTRUCT / 8);
        if self.words.len() < words {
            self.words = vec![0; words];
        } else {
            self.words.fill(0);
        }
        self.words.as_mut_ptr().cast()
    }
}

thread_local! {
    static HOSTENT_BLOCK: RefCell<Block> = const { RefCell::new(Block::new()) };
    static SERVENT_BLOCK: RefCell<Block> = const { RefCell::new(Block::new()) };
    static PROTOENT_BLOCK: RefCell<Block> = const { RefCell::new(Block::new()) };
}

/// Places pieces one after the other in a region sized beforehand.
struct Layout {
    base: *mut u8,
    off: usize,
}

impl Layout {
    /// Reserves `n` pointer slots.
    fn pointers(&mut self, n: usize) -> *mut *mut c_char {
        self.off = self.off.next_multiple_of(8);
        // SAFETY: the region was sized for every piece placed in it.
        let p = unsafe { self.base.add(self.off) }.cast();
        self.off += n * 8;
        p
    }

    /// Copies `bytes`, plus a NUL when `nul`.
    fn bytes(&mut self, bytes: &[u8], nul: bool) -> *mut c_char {
        // SAFETY: the region was sized for every piece placed in it, and
        // bytes is our own data, distinct from the region.
        let p = unsafe { self.base.add(self.off) };
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len()) };
        self.off += bytes.len() + usize::from(nul);
        p.cast()
    }

    /// Places the strings of a list whose pointer array (`list.len() + 1`
    /// zeroed slots) was placed earlier, and points the array at them.
    fn fill_strings(&mut self, array: *mut *mut c_char, list: &[Vec<u8>]) {
        for (k, s) in list.iter().enumerate() {
            let p = self.bytes(s, true);
            // SAFETY: array has list.len() + 1 slots (zeroed: the last is NULL).
            unsafe { array.add(k).write(p) };
        }
    }
}

fn strings_size(list: &[Vec<u8>]) -> usize {
    list.iter().map(|s| s.len() + 1).sum()
}

/// Lays `host` out in this thread's `HOSTENT` block as Windows does (Wine's
/// `test_dns`): the struct, then the alias pointers, then the address
/// pointers, then the addresses, then the strings. Valid until the next
/// gethostbyname/gethostbyaddr on this thread.
pub fn hostent(host: &Host) -> *mut HOSTENT {
    let len = host.addrs.first().map_or(4, Vec::len);
    let size = size_of::<HOSTENT>()
        + (host.aliases.len() + 1) * 8
        + (host.addrs.len() + 1) * 8
        + host.addrs.len() * len
        + host.name.len()
        + 1
        + strings_size(&host.aliases)
        + 8;
    HOSTENT_BLOCK.with(|b| {
        let base = b.borrow_mut().region(size);
        let mut l = Layout {
            base,
            off: size_of::<HOSTENT>(),
        };
        let aliases = l.pointers(host.aliases.len() + 1);
        let addr_list = l.pointers(host.addrs.len() + 1);
        for (k, a) in host.addrs.iter().enumerate() {
            let p = l.bytes(a, false);
            // SAFETY: addr_list has addrs.len() + 1 zeroed slots.
            unsafe { addr_list.add(k).write(p) };
        }
        let name = l.bytes(&host.name, true);
        l.fill_strings(aliases, &host.aliases);
        let h = base.cast::<HOSTENT>();
        // SAFETY: the region starts with room for a HOSTENT, 8-aligned.
        unsafe {
            h.write(HOSTENT {
                h_name: name,
                h_aliases: aliases,
                h_addrtype: host.family,
                h_length: len as i16,
                h_addr_list: addr_list,
            })
        };
        h
    })
}

/// Lays `s` out in this thread's `SERVENT` block.
pub fn servent(s: &Service) -> *mut SERVENT {
    let size = size_of::<SERVENT>()
        + (s.aliases.len() + 1) * 8
        + s.name.len()
        + s.proto.len()
        + 2
        + strings_size(&s.aliases)
        + 8;
    SERVENT_BLOCK.with(|b| {
        let base = b.borrow_mut().region(size);
        let mut l = Layout {
            base,
            off: size_of::<SERVENT>(),
        };
        let aliases = l.pointers(s.aliases.len() + 1);
        let name = l.bytes(&s.name, true);
        let proto = l.bytes(&s.proto, true);
        l.fill_strings(aliases, &s.aliases);
        let out = base.cast::<SERVENT>();
        // SAFETY: the region starts with room for a SERVENT, 8-aligned.
        unsafe {
            out.write(SERVENT {
                s_name: name,
                s_aliases: aliases,
                s_proto: proto,
                s_port: s.port as i16,
            })
        };
        out
    })
}

/// Lays a row of Windows' protocol table out in this thread's `PROTOENT` block.
pub fn protoent(p: &Protocol) -> *mut PROTOENT {
    let aliases = [p.alias.as_bytes().to_vec()];
    let size = size_of::<PROTOENT>() + 2 * 8 + p.name.len() + 1 + strings_size(&aliases) + 8;
    PROTOENT_BLOCK.with(|b| {
        let base = b.borrow_mut().region(size);
        let mut l = Layout {
            base,
            off: size_of::<PROTOENT>(),
        };
        let list = l.pointers(aliases.len() + 1);
        let name = l.bytes(p.name.as_bytes(), true);
        l.fill_strings(list, &aliases);
        let out = base.cast::<PROTOENT>();
        // SAFETY: the region starts with room for a PROTOENT, 8-aligned.
        unsafe {
            out.write(PROTOENT {
                p_name: name,
                p_aliases: list,
                p_proto: p.number,
            })
        };
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostent_block_is_laid_out_as_windows_does() {
        // P2, Wine's test_dns: aliases right after the struct, addresses
        // right after the address pointers.
        let host = Host {
            name: b"h.example".to_vec(),
            aliases: vec![b"h".to_vec(), b"alias".to_vec()],
            family: AF_INET as i16,
            addrs: vec![vec![1, 2, 3, 4], vec![5, 6, 7, 8]],
        };
        let h = hostent(&host);
        // SAFETY: h points into this thread's block, just filled.
        unsafe {
            let e = &*h;
            assert_eq!(e.h_aliases.cast::<u8>(), h.add(1).cast::<u8>());
            assert_eq!(e.h_addr_list, e.h_aliases.add(3));
            assert_eq!(
                (*e.h_addr_list).cast::<u8>(),
                e.h_addr_list.add(3).cast::<u8>()
            );
            assert_eq!(
                std::slice::from_raw_parts((*e.h_addr_list.add(1)).cast::<u8>(), 4),
                [5, 6, 7, 8]
            );
            assert!((*e.h_addr_list.add(2)).is_null() && (*e.h_aliases.add(2)).is_null());
            assert_eq!(
                std::ffi::CStr::from_ptr(*e.h_aliases.add(1)).to_bytes(),
                b"alias"
            );
            assert_eq!((e.h_addrtype, e.h_length), (AF_INET as i16, 4));
        }
        let again = hostent(&host);
        assert_eq!(h, again, "one block per thread, reused");
    }
}
