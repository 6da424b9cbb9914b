//! ADDRINFOA/W/EXA/EXW lists made from a resolver answer, and freed again:
//! each entry one allocation holding the structure, its sockaddr and its
//! canonical name, in Windows' field order.

use std::ffi::c_char;

use crate::error::Result;
use ws2_abi::*;

use super::{Hints, Resolved, WinAddr, err};
use crate::translate::cstr::Char;

/// What the four ADDRINFO structures have in common.
pub trait AddrInfo: Sized {
    /// `char` for the A forms, `WCHAR` for the W forms.
    type Text: Char;
    /// The hints in `self`; the fields Windows requires to be zero in
    /// hints (`ai_addrlen`, `ai_canonname`, `ai_addr`, `ai_next`) must be,
    /// else `WSANO_RECOVERY`.
    fn hints(&self) -> Result<Hints>;
    /// An entry with these fields and nothing after it.
    fn entry(h: &Hints, addrlen: usize, canon: *mut Self::Text, addr: *mut SOCKADDR) -> Self;
    fn next(&self) -> *mut Self;
    fn set_next(&mut self, next: *mut Self);
}

fn hint_fields_clear(
    addrlen: usize,
    canon_null: bool,
    addr_null: bool,
    next_null: bool,
) -> Result<()> {
    if addrlen != 0 || !canon_null || !addr_null || !next_null {
        return Err(err(
            WSANO_RECOVERY,
            "hints must have ai_addrlen 0 and NULL ai_canonname, ai_addr and ai_next",
        ));
    }
    Ok(())
}

macro_rules! addrinfo_impl {
    ($t:ty, $text:ty, { $($extra:ident: $value:expr),* }) => {
        impl AddrInfo for $t {
            type Text = $text;
            fn hints(&self) -> Result<Hints> {
                hint_fields_clear(
                    self.ai_addrlen,
                    self.ai_canonname.is_null(),
                    self.ai_addr.is_null(),
                    self.ai_next.is_null(),
                )?;
                Ok(Hints {
                    flags: self.ai_flags,
                    family: self.ai_family,
                    socktype: self.ai_socktype,
                    protocol: self.ai_protocol,
                })
            }
            fn entry(h: &Hints, addrlen: usize, canon: *mut $text, addr: *mut SOCKADDR) -> Self {
                Self {
                    ai_flags: 0,
                    ai_family: h.family,
                    ai_socktype: h.socktype,
                    ai_protocol: h.protocol,
                    ai_addrlen: addrlen,
                    ai_canonname: canon,
                    ai_addr: addr,
                    $($extra: $value,)*
                    ai_next: std::ptr::null_mut(),
                }
            }
            fn next(&self) -> *mut Self {
                self.ai_next
            }
            fn set_next(&mut self, next: *mut Self) {
                self.ai_next = next;
            }
        }
    };
}

addrinfo_impl!(ADDRINFOA, c_char, {});
addrinfo_impl!(ADDRINFOW, u16, {});
addrinfo_impl!(ADDRINFOEXA, c_char, {
    ai_blob: std::ptr::null_mut(),
    ai_bloblen: 0,
    ai_provider: std::ptr::null_mut()
});
addrinfo_impl!(ADDRINFOEXW, u16, {
    ai_blob: std::ptr::null_mut(),
    ai_bloblen: 0,
    ai_provider: std::ptr::null_mut()
});

#[repr(C)]
#[derive(Clone, Copy)]
union SockStore {
    v4: SOCKADDR_IN,
    v6: SOCKADDR_IN6,
}

/// One list entry and everything it points to, in one allocation: the
/// ADDRINFO comes first, so a pointer to it is a pointer to the node.
#[repr(C)]
struct Node<T: AddrInfo> {
    info: T,
    addr: SockStore,
    canon: Vec<T::Text>,
}

/// Turns an answer into a C list that [`free_list`] frees: one entry per
/// address, `ai_flags` 0 (Windows copies no hint flags into results), the
/// hints' socket type and protocol, the canonical name on the first entry.
pub fn into_list<T: AddrInfo>(r: &Resolved) -> *mut T {
    let mut head: *mut T = std::ptr::null_mut();
    for (k, a) in r.addrs.iter().enumerate().rev() {
        let canon = match (&r.canonname, k) {
            (Some(name), 0) => T::Text::encode(name),
            _ => Vec::new(),
        };
        let addr = match a {
            WinAddr::V4(v4) => SockStore { v4: *v4 },
            WinAddr::V6(v6) => SockStore { v6: *v6 },
        };
        let hints = Hints {
            flags: 0,
            family: a.family(),
            socktype: r.socktype,
            protocol: r.protocol,
        };
        let mut node = Box::new(Node {
            info: T::entry(&hints, 0, std::ptr::null_mut(), std::ptr::null_mut()),
            addr,
            canon,
        });
        let canon_ptr = if node.canon.is_empty() {
            std::ptr::null_mut()
        } else {
            node.canon.as_mut_ptr()
        };
        let addr_ptr = (&raw mut node.addr).cast::<SOCKADDR>();
        node.info = T::entry(&hints, a.len(), canon_ptr, addr_ptr);
        node.info.set_next(head);
        head = Box::into_raw(node).cast::<T>();
    }
    head
}

/// Frees a list made by [`into_list`], from `p` on.
///
/// # Safety
/// `p` is NULL or an entry of a list [`into_list`] returned, not freed yet.
pub unsafe fn free_list<T: AddrInfo>(mut p: *mut T) {
    while !p.is_null() {
        // SAFETY: p points to the `info` field at the start of a boxed
        // Node<T> that into_list leaked (repr(C), first field).
        let node = unsafe { Box::from_raw(p.cast::<Node<T>>()) };
        p = node.info.next();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(a: [u8; 4]) -> WinAddr {
        WinAddr::V4(SOCKADDR_IN {
            sin_family: AF_INET as u16,
            sin_port: 80u16.to_be(),
            sin_addr: IN_ADDR {
                s_addr: u32::from_ne_bytes(a),
            },
            sin_zero: [0; 8],
        })
    }

    #[test]
    fn lists_have_windows_order_and_free_cleanly() {
        // P2: canonname before addr, one entry per address, hints echoed.
        let r = Resolved {
            canonname: Some("host.example".into()),
            addrs: vec![v4([10, 0, 0, 1]), v4([10, 0, 0, 2])],
            socktype: 999,
            protocol: 42,
        };
        let head = into_list::<ADDRINFOA>(&r);
        // SAFETY: head is a fresh list of two entries.
        unsafe {
            let a = &*head;
            assert_eq!(
                (a.ai_flags, a.ai_family, a.ai_socktype, a.ai_protocol),
                (0, AF_INET, 999, 42)
            );
            assert_eq!(a.ai_addrlen, 16);
            assert_eq!(
                std::ffi::CStr::from_ptr(a.ai_canonname).to_bytes(),
                b"host.example"
            );
            let sa = &*a.ai_addr.cast::<SOCKADDR_IN>();
            assert_eq!(sa.sin_addr.s_addr.to_ne_bytes(), [10, 0, 0, 1]);
            let b = &*a.ai_next;
            assert!(b.ai_canonname.is_null());
            assert!(b.ai_next.is_null());
            free_list(head);
        }
        let w = into_list::<ADDRINFOEXW>(&r);
        // SAFETY: fresh list.
        unsafe {
            assert_eq!(*(*w).ai_canonname, u16::from(b'h'));
            assert!((*w).ai_blob.is_null() && (*w).ai_provider.is_null());
            free_list(w);
        }
    }
}
