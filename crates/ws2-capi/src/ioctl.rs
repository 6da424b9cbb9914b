//! `WSAIoctl`: extension functions, `FIONBIO`/`FIONREAD`, `SIO_FLUSH`,
//! the UDP reporting codes and the interface ioctls.

use std::ffi::{c_int, c_void};

use ws2_abi::*;
use ws2_engine::Error;
use ws2_engine::raw::{self};

use crate::recv::wsa_recv_msg;
use crate::send::WSASendMsg;
use crate::sockets::simple_ioctl;
use crate::{socket_of, winsock};

/// `WSAIoctl`: `SIO_GET_EXTENSION_FUNCTION_POINTER` (S1, S2), `FIONBIO`, `FIONREAD`,
/// and the interface ioctls (P5, `ws2_engine::raw::ioctl`).
///
/// # Safety
/// Winsock's contract: buffers valid for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WSAIoctl(
    s: SOCKET,
    code: DWORD,
    in_buf: *mut c_void,
    in_len: DWORD,
    out_buf: *mut c_void,
    out_len: DWORD,
    bytes_returned: *mut DWORD,
    overlapped: *mut WSAOVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> c_int {
    winsock(SOCKET_ERROR, || {
        let core = socket_of(s)?;
        if bytes_returned.is_null() {
            return Err(Error::new(WSAEFAULT, "lpcbBytesReturned is NULL"));
        }
        let written: DWORD = match code {
            SIO_GET_EXTENSION_FUNCTION_POINTER => {
                if in_buf.is_null() || (in_len as usize) < size_of::<GUID>() {
                    return Err(Error::new(WSAEFAULT, "lpvInBuffer must hold a GUID"));
                }
                // SAFETY: in_buf holds at least a GUID (checked).
                let guid = unsafe { in_buf.cast::<GUID>().read_unaligned() };
                let function: *const c_void = if guid == WSAID_WSASENDMSG {
                    WSASendMsg as *const c_void
                } else if guid == WSAID_WSARECVMSG {
                    wsa_recv_msg as *const c_void
                } else {
                    return Err(Error::new(WSAEINVAL, "unknown extension function GUID"));
                };
                if out_buf.is_null() || (out_len as usize) < size_of::<*const c_void>() {
                    return Err(Error::new(
                        WSAEFAULT,
                        "lpvOutBuffer must hold a function pointer",
                    ));
                }
                // SAFETY: out_buf holds at least a pointer (checked).
                unsafe { out_buf.cast::<*const c_void>().write_unaligned(function) };
                size_of::<*const c_void>() as DWORD
            }
            SIO_FLUSH => {
                core.flush();
                0
            }
            SIO_UDP_CONNRESET | SIO_UDP_NETRESET => {
                if in_buf.is_null() || (in_len as usize) < size_of::<BOOL>() {
                    return Err(Error::new(WSAEFAULT, "lpvInBuffer must hold a BOOL"));
                }
                // SAFETY: in_buf holds a BOOL (checked).
                let on = unsafe { in_buf.cast::<BOOL>().read_unaligned() } != 0;
                if code == SIO_UDP_CONNRESET {
                    core.set_icmp_reporting(Some(on), None);
                } else {
                    core.set_icmp_reporting(None, Some(on));
                }
                0
            }
            code if ws2_engine::raw::ioctl::handles(code) => {
                let b = ws2_engine::raw::ioctl::IoctlBuffers {
                    in_buf: in_buf.cast_const().cast(),
                    in_len,
                    out_buf: out_buf.cast(),
                    out_len,
                    bytes_returned,
                    overlapped,
                    routine,
                };
                // SAFETY: forwarded contract (P5: the interface ioctls).
                return unsafe { ws2_engine::raw::ioctl::wsa_ioctl(&core, code, &b) }.map(|()| 0);
            }
            FIONBIO => {
                // Windows writes 0 here even when FIONBIO 0 is refused
                // while events are selected (sock.c test_fionbio).
                // SAFETY: bytes_returned is non-null (checked) and writable.
                unsafe { bytes_returned.write_unaligned(0) };
                raw::fionbio(&core, in_buf.cast_const().cast(), in_len)?;
                0
            }
            FIONREAD => {
                if out_buf.is_null() || (out_len as usize) < size_of::<u32>() {
                    return Err(Error::new(WSAEFAULT, "lpvOutBuffer must hold a u_long"));
                }
                // SAFETY: out_buf holds a u_long (checked).
                unsafe { simple_ioctl(&core, code, out_buf.cast()) }?;
                4
            }
            SIO_BASE_HANDLE | SIO_BSP_HANDLE | SIO_BSP_HANDLE_SELECT | SIO_BSP_HANDLE_POLL => {
                // SAFETY: forwarded contract.
                unsafe { raw::base_handle(&core, s, out_buf.cast(), out_len, overlapped, routine) }?
            }
            SIO_ENABLE_CIRCULAR_QUEUEING => {
                // SAFETY: forwarded contract.
                unsafe { raw::circular_queueing(&core, bytes_returned, overlapped, routine) }?
            }
            other => {
                // SAFETY: forwarded contract.
                return Err(unsafe {
                    raw::not_supported(&core, other, bytes_returned, overlapped, routine)
                });
            }
        };
        // SAFETY: bytes_returned is non-null (checked) and writable per the contract.
        unsafe { bytes_returned.write_unaligned(written) };
        // SAFETY: forwarded contract (S2: the completion is still delivered).
        unsafe { raw::complete_ioctl(&core, overlapped, routine) }?;
        Ok(0)
    })
}
