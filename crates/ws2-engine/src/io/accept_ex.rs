//! `AcceptEx` (SPEC P8, part 2; research-streams.md B5, B2, B15: Wine's
//! Windows-run `test_AcceptEx`, `test_completion_port`): an operation of
//! the **listener** (it completes on the listener's port key, a
//! `closesocket` or `CancelIoEx` of the listener cancels it, one of the
//! accept socket does not), queued like a receive on the listener and
//! tried whenever it is readable. A connection makes the accept socket the
//! connection (`SocketCore::adopt_connection`) and writes both addresses
//! into the caller's buffer; with no receive length the operation is done,
//! else it waits for the first data on the accepted socket (handed off to
//! that socket's receive queue, still completing on the listener's key):
//! what arrives first (at least a byte), or 0 when the peer closes.
//!
//! The address slots follow the receive data: a local one of
//! `dwLocalAddressLength` bytes, then a remote one; each holds a 4-byte
//! length and the `SOCKADDR` (ws2's own format, read back only by
//! [`accept_ex_sockaddrs`]). A slot must be 0 (local: not wanted) or hold
//! the family's `SOCKADDR` plus 16 bytes (Microsoft's `AcceptEx` page); a
//! smaller one fails the operation with `STATUS_BUFFER_TOO_SMALL` when a
//! connection arrives, leaving that connection queued.

use std::net::SocketAddr;
use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::{Delivery, PortBound};
use crate::error::{Error, Result};
use crate::ops::{Attempt, RecvFinish, RecvOp};
use crate::socket::SocketCore;
use crate::translate::{Family, Received, socket_addr_to_windows};

use super::Submitted;
use super::recv::{requeue, submit_attempt};

/// The caller's `AcceptEx` output buffer and its three parts' lengths.
#[derive(Clone, Copy)]
pub struct AcceptExBuffer {
    pub ptr: *mut u8,
    pub receive: u32,
    pub local: u32,
    pub remote: u32,
}

// SAFETY: the buffer is written by whichever thread completes the
// operation; Winsock's contract keeps it valid until then.
unsafe impl Send for AcceptExBuffer {}

/// Bytes a slot needs for `family`: the `SOCKADDR` and 16.
pub fn accept_ex_slot_size(family: Family) -> u32 {
    let addr = match family {
        Family::V4 => size_of::<abi::SOCKADDR_IN>(),
        Family::V6 => size_of::<abi::SOCKADDR_IN6>(),
    };
    addr as u32 + abi::ACCEPTEX_SLOT_EXTRA
}

/// `AcceptEx` after its handle lookups and argument checks (`ov`: the
/// OVERLAPPED's address, which a `closesocket` of the accept socket uses to
/// cancel it). `on_pending` writes `STATUS_PENDING` before the operation
/// becomes visible.
pub fn accept_ex(
    listener: &Arc<SocketCore>,
    acceptor: &Arc<SocketCore>,
    buf: AcceptExBuffer,
    ov: usize,
    delivery: Delivery,
    on_pending: impl FnOnce(),
) -> Result<Submitted> {
    acceptor.begin_accept_ex(listener, ov)?;
    let need = accept_ex_slot_size(listener.family());
    let slots_fit = (buf.local == 0 || buf.local >= need) && buf.remote >= need;
    let finish: RecvFinish = {
        let acceptor = acceptor.clone();
        RecvFinish::new(move |got: Result<Received>| {
            acceptor.end_accept_ex();
            got.map(|r| r.bytes)
        })
    };
    let attempt = {
        let (listener, acceptor) = (listener.clone(), acceptor.clone());
        Box::new(move || try_accept(&listener, &acceptor, buf, slots_fit, need))
    };
    let op = RecvOp::attempting(attempt, finish, delivery, 0);
    let submitted = submit_attempt(listener, op, on_pending);
    if submitted.is_err() {
        acceptor.end_accept_ex();
    }
    submitted
}

/// One try: a connection waiting becomes the accept socket's.
fn try_accept(
    listener: &Arc<SocketCore>,
    acceptor: &Arc<SocketCore>,
    buf: AcceptExBuffer,
    slots_fit: bool,
    need: u32,
) -> Attempt {
    if acceptor.is_closed() {
        return Attempt::Done(Err(Error::new(
            abi::WSA_OPERATION_ABORTED,
            "the accept socket was closed",
        )));
    }
    if !slots_fit {
        if !listener.connection_waiting() {
            return Attempt::NotYet;
        }
        return Attempt::Done(Err(Error::new(
            abi::WSAEFAULT,
            format!(
                "AcceptEx: an address slot holds less than the {need} bytes the address needs \
                 (dwLocalAddressLength 0 or at least {need}, dwRemoteAddressLength at least \
                 {need}); the connection stays queued"
            ),
        )));
    }
    let (fd, peer) = match listener.connection_now() {
        Ok(Some(c)) => c,
        Ok(None) => return Attempt::NotYet,
        Err(e) => return Attempt::Done(Err(e)),
    };
    if let Err(e) = acceptor.adopt_connection(fd, peer) {
        return Attempt::Done(Err(e));
    }
    let local = acceptor.local_addr().ok();
    // SAFETY: the buffer holds receive + local + remote bytes (the
    // caller's contract), valid until completion.
    unsafe {
        let slots = buf.ptr.add(buf.receive as usize);
        write_slot(slots, buf.local, local);
        write_slot(slots.add(buf.local as usize), buf.remote, Some(peer));
    }
    if buf.receive == 0 {
        return Attempt::Done(Ok(received(0)));
    }
    let iov = |buf: AcceptExBuffer| {
        vec![libc::iovec {
            iov_base: buf.ptr.cast(),
            iov_len: buf.receive as usize,
        }]
    };
    match acceptor.recv_ready(&iov(buf), 0) {
        Ok(Some(got)) => Attempt::Done(Ok(got)),
        Err(e) => Attempt::Done(Err(e)),
        Ok(None) => {
            let acceptor = acceptor.clone();
            let port_of: Arc<dyn PortBound + Send + Sync> = listener.clone();
            Attempt::Handoff(Box::new(move |op| {
                requeue(&acceptor, op.into_receive(&iov(buf), port_of));
            }))
        }
    }
}

fn received(bytes: usize) -> Received {
    Received {
        bytes,
        ..Default::default()
    }
}

/// Writes one address slot: its length (4 bytes), then the `SOCKADDR`.
/// A slot of 0 bytes is not wanted.
///
/// # Safety
/// `slot` writable for `len` bytes (`len` 0, or at least the address + 16).
unsafe fn write_slot(slot: *mut u8, len: u32, addr: Option<SocketAddr>) {
    let Some(addr) = addr else { return };
    if len < 4 {
        return;
    }
    let mut room = len as i32 - 4;
    // SAFETY: the slot holds `room` bytes after its length (the contract).
    if unsafe { socket_addr_to_windows(&addr, slot.add(4).cast(), &mut room) }.is_ok() {
        // SAFETY: the slot's first 4 bytes are writable.
        unsafe { slot.cast::<u32>().write_unaligned(room as u32) };
    }
}

/// `GetAcceptExSockaddrs`: pointers into the caller's buffer at the
/// addresses an `AcceptEx` with the same lengths wrote, and their sizes.
/// A slot of 0 bytes leaves its outputs untouched (`test_AcceptEx`).
///
/// # Safety
/// `buf` readable for `receive + local + remote` bytes as `AcceptEx` filled
/// it; each output null or writable.
pub unsafe fn accept_ex_sockaddrs(
    buf: AcceptExBuffer,
    local: (*mut *mut abi::SOCKADDR, *mut i32),
    remote: (*mut *mut abi::SOCKADDR, *mut i32),
) {
    if buf.ptr.is_null() {
        return;
    }
    // SAFETY: within the caller's buffer (the contract).
    let slots = unsafe { buf.ptr.add(buf.receive as usize) };
    for (slot, len, out) in [
        (slots, buf.local, local),
        // SAFETY: as above.
        (unsafe { slots.add(buf.local as usize) }, buf.remote, remote),
    ] {
        if len < 4 {
            continue;
        }
        // SAFETY: the slot's length word is readable.
        let stored = unsafe { slot.cast::<u32>().read_unaligned() }.min(len - 4);
        // SAFETY: the outputs are writable when given (the contract).
        unsafe {
            if !out.0.is_null() {
                out.0.write_unaligned(slot.add(4).cast());
            }
            if !out.1.is_null() {
                out.1.write_unaligned(stored as i32);
            }
        }
    }
}
