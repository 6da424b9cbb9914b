//! `WSAGetOverlappedResult` and `GetOverlappedResult`, and completing a raw
//! OVERLAPPED of an ioctl.

use ws2_abi as abi;

use crate::completion::{self, OvPtr};
use crate::error::{Error, Result};
use crate::io::{self};
use crate::socket::SocketCore;

use super::*;

/// `WSAGetOverlappedResult` after the handle lookup (S31, S32): the byte
/// count of a finished operation, `WSA_IO_INCOMPLETE` while pending without
/// `wait`, the mapped error of a failed one. Waiting is not alertable.
/// As Windows answers it (sock.c `test_WSAGetOverlappedResult`,
/// `test_ip_pktinfo`): TRUE for any success status, the whole NTSTATUS
/// table otherwise ([`abi::wsa_from_status`]); `*lpcbTransfer` is written
/// on failure too (a truncated receive's real count); `lpdwFlags` may be
/// NULL, and is written (0) only on success.
///
/// # Safety
/// `ov` valid; `bytes` writable; `flags` writable or null.
///
/// ```
/// # use ws2_engine::{translate::Family, SocketCore, SocketKind};
/// let core = std::sync::Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?);
/// // An operation that finished with 5 bytes (Internal = STATUS_SUCCESS).
/// let mut ov = ws2_abi::WSAOVERLAPPED { InternalHigh: 5, ..Default::default() };
/// let (mut bytes, mut flags) = (0u32, 0u32);
/// // SAFETY: `ov`, `bytes` and `flags` are live locals.
/// let n = unsafe { ws2_engine::raw::get_overlapped_result(&core, &mut ov, &mut bytes, false, &mut flags) }?;
/// assert_eq!((n, bytes), (5, 5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn get_overlapped_result(
    core: &Arc<SocketCore>,
    ov: *mut abi::WSAOVERLAPPED,
    bytes: *mut u32,
    wait: bool,
    flags: *mut u32,
) -> Result<u32> {
    if ov.is_null() || bytes.is_null() {
        return Err(Error::new(
            abi::WSAEFAULT,
            "lpOverlapped or lpcbTransfer is NULL",
        ));
    }
    let ovp = OvPtr(ov);
    let mut waited = false;
    // SAFETY: ov valid per the contract.
    if unsafe { ovp.status() } == abi::STATUS_PENDING {
        // A receive deferred to the socket's port reads as it would have
        // at call time.
        io::fill_deferred_receives(core);
    }
    // SAFETY: ov valid per the contract.
    if unsafe { ovp.status() } == abi::STATUS_PENDING {
        if !wait {
            return Err(Error::new(
                abi::WSA_IO_INCOMPLETE,
                "the overlapped operation is still pending",
            ));
        }
        if io::pending_has_routine(core, ov) == Some(true) {
            return Err(Error::new(
                abi::WSAEINVAL,
                "fWait is TRUE but the operation completes through a completion routine",
            ));
        }
        // Windows waits on hEvent when there is one, and then trusts it
        // (sock.c test_WSAGetOverlappedResult: a signalled event with
        // Internal still STATUS_PENDING returns TRUE); else on the
        // operation itself (S40).
        // SAFETY: ov valid per the contract.
        let h_event = unsafe { (*ov).hEvent } as usize & !1;
        match crate::handles::event(h_event) {
            Ok(event) => {
                completion::wait_events(&[&event], false, None, false)?;
            }
            Err(_) => {
                // SAFETY: ov valid per the contract.
                completion::wait_until(&[&**core], None, false, None, || {
                    (unsafe { ovp.status() } != abi::STATUS_PENDING).then_some(())
                })?;
            }
        }
        waited = true;
    }
    // SAFETY: ov valid, bytes writable, flags writable or null per the contract.
    unsafe {
        let status = ovp.status();
        let n = (*ov).InternalHigh as u32;
        bytes.write_unaligned(n);
        // After a wait on hEvent, a status still pending counts as done.
        let succeeded =
            abi::overlapped_succeeded(status) || (waited && status == abi::STATUS_PENDING);
        if !succeeded {
            let code = abi::wsa_from_status(status);
            return Err(Error::new(
                code,
                format!("the operation failed with NTSTATUS {status:#x}"),
            ));
        }
        if !flags.is_null() {
            flags.write_unaligned(0);
        }
        Ok(n)
    }
}

/// `GetOverlappedResult` (P6): the byte count of a finished operation in
/// `*bytes`, written on failure too; the failure is the Win32 code of the
/// operation's NTSTATUS (`RtlNtStatusToDosError`: `STATUS_CONNECTION_RESET`
/// → `ERROR_NETNAME_DELETED`, `STATUS_CANCELLED` → `ERROR_OPERATION_ABORTED`
/// ...), not the Winsock code `WSAGetOverlappedResult` gives. While the
/// operation is pending: `ERROR_IO_INCOMPLETE` without `wait` (`*bytes`
/// untouched), else a wait that is not alertable, as Windows' is: on
/// `hEvent` (taking an auto-reset event's signal), trusting it once set,
/// or, when `hEvent` is NULL, until the operation on the socket `file`
/// completes. `file` is looked at only then (kernel32 file.c
/// `test_overlapped`, Microsoft's GetOverlappedResult page).
///
/// # Safety
/// `ov` valid (or null); `bytes` writable (or null).
///
/// ```
/// // An OVERLAPPED whose operation failed: a TCP reset (Windows' file.c
/// // test_overlapped writes Internal and InternalHigh by hand the same way).
/// let mut ov = ws2_abi::WSAOVERLAPPED {
///     Internal: ws2_abi::STATUS_CONNECTION_RESET as usize,
///     InternalHigh: 7,
///     ..Default::default()
/// };
/// let mut bytes = 0u32;
/// // SAFETY: `ov` and `bytes` are live locals.
/// let err = unsafe { ws2_engine::raw::overlapped_result(0, &mut ov, &mut bytes, false) };
/// assert_eq!(err.unwrap_err().code(), ws2_abi::ERROR_NETNAME_DELETED as i32);
/// assert_eq!(bytes, 7);
/// ```
pub unsafe fn overlapped_result(
    file: usize,
    ov: *mut abi::WSAOVERLAPPED,
    bytes: *mut u32,
    wait: bool,
) -> Result<u32> {
    if ov.is_null() || bytes.is_null() {
        return Err(Error::new(
            abi::ERROR_INVALID_PARAMETER as i32,
            "lpOverlapped or lpNumberOfBytesTransferred is NULL",
        ));
    }
    let ovp = OvPtr(ov);
    // SAFETY: ov valid per the contract.
    if unsafe { ovp.status() } == abi::STATUS_PENDING
        && let Ok(core) = handles::socket(file)
    {
        // As in `get_overlapped_result`.
        io::fill_deferred_receives(&core);
    }
    // SAFETY: ov valid per the contract.
    if unsafe { ovp.status() } == abi::STATUS_PENDING {
        if !wait {
            return Err(Error::new(
                abi::ERROR_IO_INCOMPLETE as i32,
                "the overlapped operation is still pending",
            ));
        }
        // SAFETY: ov valid per the contract. Windows ignores a handle's
        // low two bits (the low bit of hEvent only tells ports to skip).
        let h_event = unsafe { (*ov).hEvent } as usize & !3;
        if h_event != 0 {
            let object = handles::waitable(h_event)?;
            completion::wait_objects(&[object.as_ref()], false, None, false)?;
        } else {
            let core = handles::socket(file).map_err(|_| {
                Error::new(
                    abi::ERROR_INVALID_HANDLE as i32,
                    format!("hEvent is NULL and hFile {file:#x} is not a socket"),
                )
            })?;
            // SAFETY: ov valid per the contract.
            completion::wait_until(
                &[&**core as &dyn completion::Waitable],
                None,
                false,
                None,
                || (unsafe { ovp.status() } != abi::STATUS_PENDING).then_some(()),
            )?;
        }
    }
    // SAFETY: ov valid, bytes writable per the contract.
    unsafe {
        let status = ovp.status();
        let n = (*ov).InternalHigh as u32;
        bytes.write_unaligned(n);
        // Set, the event is trusted even if Internal still says pending.
        if status != abi::STATUS_SUCCESS && status != abi::STATUS_PENDING {
            return Err(Error::new(
                abi::win32_from_status(status) as i32,
                format!("the operation failed with NTSTATUS {status:#x}"),
            ));
        }
        Ok(n)
    }
}

/// Completes an ioctl that succeeded at once: with an OVERLAPPED on an
/// overlapped-capable socket the completion is still delivered, with 0
/// bytes (S2; the byte count went to `lpcbBytesReturned`).
///
/// # Safety
/// `ov` null or valid and writable.
///
/// ```
/// # use std::sync::Arc;
/// # use ws2_engine::{handles::{self, Object}, translate::Family, SocketCore, SocketKind};
/// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
/// let event = Arc::new(ws2_engine::Event::new());
/// let h = handles::insert(Object::Event(event.clone()))?;
/// // Low bit set in hEvent: signal the event, post nothing to a port.
/// let mut ov = ws2_abi::WSAOVERLAPPED { hEvent: (h | 1) as _, ..Default::default() };
/// // SAFETY: `ov` is a live local that outlives the (immediate) completion.
/// unsafe { ws2_engine::raw::complete_ioctl(&core, &mut ov, None) }?;
/// assert!(event.is_set());
/// assert_eq!(ov.Internal as ws2_abi::NTSTATUS, ws2_abi::STATUS_SUCCESS);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn complete_ioctl(
    core: &SocketCore,
    ov: *mut abi::WSAOVERLAPPED,
    routine: abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<()> {
    let bytes = 0u32;
    if ov.is_null() {
        return Ok(());
    }
    if !core.is_overlapped() {
        // SAFETY: ov valid per the contract (S28).
        unsafe { fill_blocking_overlapped(ov, bytes as usize) };
        return Ok(());
    }
    // SAFETY: ov valid per the contract.
    let delivery = unsafe { overlapped_delivery(core, ov, routine) }?;
    crate::socket::complete(Some(core), delivery, Ok(bytes as usize), true);
    Ok(())
}
