//! Where a C receive's results go in the caller's memory, and their
//! writing (S27): shared by the call (`raw`) and a queued receive's
//! completion (`ops::RecvFinish`), which a batch writes straight from what
//! the kernel wrote.

use ws2_abi as abi;

use crate::error::{Error, Result};

use super::{RECEIVED_CONTROL_MAX, Received, received_to_windows};

/// Where a receive's results go in the caller's memory: the source address
/// and its length, the control buffer (whose `len` becomes the bytes used)
/// and the flags word. Any may be null.
///
/// ```
/// let none = ws2_engine::translate::RecvOutputs {
///     name: std::ptr::null_mut(),
///     namelen: std::ptr::null_mut(),
///     control: std::ptr::null_mut(),
///     flags: std::ptr::null_mut(),
/// };
/// assert!(none.name.is_null());
/// ```
#[derive(Clone, Copy)]
pub struct RecvOutputs {
    /// `lpFrom` / `WSAMSG::name`: receives the source address.
    pub name: *mut abi::SOCKADDR,
    /// `lpFromlen` / `WSAMSG::namelen`: capacity in, size written out.
    pub namelen: *mut i32,
    /// `WSAMSG::Control`: Windows-layout control entries; `len` becomes
    /// the bytes used.
    pub control: *mut abi::WSABUF,
    /// `lpFlags` / `WSAMSG::dwFlags`: `MSG_TRUNC`, `MSG_CTRUNC`, `MSG_BCAST`...
    pub flags: *mut u32,
}

// SAFETY: the pointers are written once, at completion, and Winsock's
// contract keeps them valid until then.
unsafe impl Send for RecvOutputs {}

impl RecvOutputs {
    /// Writes what arrived (S27): source, Windows-layout control entries,
    /// `MSG_TRUNC`/`MSG_CTRUNC`/`MSG_BCAST`/`MSG_MCAST`; a truncated datagram
    /// or control data is `WSAEMSGSIZE` after everything that fit is written.
    ///
    /// # Safety
    /// Every non-null pointer valid and writable as Winsock documents.
    #[inline(always)]
    pub(crate) unsafe fn write(self, got: &Received) -> Result<usize> {
        // SAFETY: control readable per the contract.
        let control = unsafe { control_slice(self.control) }?;
        // SAFETY: forwarded contract.
        let (used, flags) = unsafe { received_to_windows(got, self.name, self.namelen, control) }?;
        // SAFETY: forwarded contract.
        unsafe { self.report(got.bytes, used, flags) }
    }

    /// Writes the control bytes used and the flags; a truncated datagram
    /// (`MSG_TRUNC`) or control data (`MSG_CTRUNC`) is `WSAEMSGSIZE`
    /// after that, else the datagram's `bytes`.
    ///
    /// # Safety
    /// As [`RecvOutputs::write`].
    #[inline(always)]
    pub(crate) unsafe fn report(
        self,
        bytes: usize,
        control_used: usize,
        flags: u32,
    ) -> Result<usize> {
        if !self.control.is_null() {
            // SAFETY: control writable per the contract.
            unsafe { (&raw mut (*self.control).len).write_unaligned(control_used as u32) };
        }
        if !self.flags.is_null() {
            // SAFETY: flags writable per the contract.
            unsafe { self.flags.write_unaligned(flags) };
        }
        if flags & (abi::MSG_TRUNC | abi::MSG_CTRUNC) != 0 {
            return Err(truncated(flags, bytes));
        }
        Ok(bytes)
    }
}

/// Where a receive's control entries go: `None` when none are asked for
/// (`control` null), else `Control.buf` for as far as the entries can go
/// (a `Control.len` larger than that claims nothing more; a NULL
/// `Control.buf` is an empty slice, and `WSAEFAULT` with a non-zero len).
///
/// # Safety
/// `control` null or readable, its `buf` writable for its `len` bytes.
#[inline(always)]
pub(crate) unsafe fn control_slice<'a>(control: *mut abi::WSABUF) -> Result<Option<&'a mut [u8]>> {
    if control.is_null() {
        return Ok(None);
    }
    // SAFETY: control readable per the contract.
    let c = unsafe { control.read_unaligned() };
    if c.buf.is_null() {
        if c.len != 0 {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("Control.buf is NULL but Control.len is {}", c.len),
            ));
        }
        return Ok(Some(&mut []));
    }
    let len = (c.len as usize).min(RECEIVED_CONTROL_MAX);
    // SAFETY: Control.buf writable for Control.len bytes per the contract.
    Ok(Some(unsafe {
        std::slice::from_raw_parts_mut(c.buf.cast::<u8>(), len)
    }))
}

/// `WSAEMSGSIZE` for a receive whose `flags` say `MSG_TRUNC` or `MSG_CTRUNC`.
#[cold]
fn truncated(flags: u32, bytes: usize) -> Error {
    let what = if flags & abi::MSG_TRUNC != 0 {
        "the datagram was larger than the buffers (MSG_TRUNC)"
    } else {
        "the control data did not fit Control.len (MSG_CTRUNC)"
    };
    Error::new(abi::WSAEMSGSIZE, what).with_bytes(bytes)
}
