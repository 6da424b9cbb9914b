//! `TransmitFile` and `TransmitPackets` (SPEC P8, part 2; research-streams.md
//! B12, B13, D22: Wine's Windows-run `test_TransmitFile`, Microsoft's
//! pages). ws2 has no file `HANDLE`s, so what they send is memory: the
//! head and tail buffers of a `TransmitFile` with no file, the memory
//! elements of a `TransmitPackets`; a file (`hFile`, a file element) is
//! `ERROR_INVALID_HANDLE`. The bytes go as one stream send (overlapped:
//! the same completion as `WSASend`, the byte count the total); with
//! `TF_DISCONNECT` a `shutdown(SD_SEND)` follows them; with
//! `TF_DISCONNECT | TF_REUSE_SOCKET` the connection ends after them and
//! the handle names a fresh socket, as `DisconnectEx(TF_REUSE_SOCKET)`
//! leaves it (`TF_REUSE_SOCKET` alone is `WSAEINVAL`, the pages say). The
//! checks come in Windows' order: the handle, then the connection
//! (`WSAENOTCONN`, also for an unconnected datagram socket), then the rest.

use std::sync::Arc;

use ws2_abi as abi;

use crate::completion::OvPtr;
use crate::error::{Error, Result};
use crate::handles;
use crate::io::{self, Submitted};
use crate::socket::SocketCore;

use super::{io_pending, overlapped_delivery};

/// The checks both calls share: a connected stream socket,
/// `TF_REUSE_SOCKET` only with `TF_DISCONNECT`.
fn check(core: &SocketCore, flags: u32) -> Result<()> {
    if !core.is_stream() {
        if core.peer_addr().is_err() {
            return Err(Error::new(abi::WSAENOTCONN, "the socket is not connected"));
        }
        return Err(Error::new(
            abi::WSAEINVAL,
            "TransmitFile/TransmitPackets: ws2 sends them on stream sockets only",
        ));
    }
    core.shutdown_checks()?;
    if flags & abi::TF_REUSE_SOCKET != 0 && flags & abi::TF_DISCONNECT == 0 {
        return Err(Error::new(
            abi::WSAEINVAL,
            "TF_REUSE_SOCKET is valid only together with TF_DISCONNECT",
        ));
    }
    Ok(())
}

fn no_files() -> Error {
    Error::new(
        abi::ERROR_INVALID_HANDLE as i32,
        "ws2 has no file handles: TransmitFile/TransmitPackets send memory only \
         (hFile NULL with head/tail buffers, TP_ELEMENT_MEMORY elements)",
    )
}

/// Sends `iov` as one stream send, overlapped or not, then the FIN with
/// `TF_DISCONNECT`. `Ok(())` is `TRUE`.
///
/// # Safety
/// The buffers readable until completion; `ov` null or valid until then.
unsafe fn send(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    ov: *mut abi::WSAOVERLAPPED,
    flags: u32,
) -> Result<()> {
    let total: u64 = iov.iter().map(|v| v.iov_len as u64).sum();
    if total > abi::TRANSMIT_MAX {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("{total} bytes is more than one call sends (2,147,483,646)"),
        ));
    }
    if flags & abi::TF_REUSE_SOCKET != 0 {
        // SAFETY: forwarded contract.
        return unsafe { send_and_reuse(core, iov, ov) };
    }
    let result = if ov.is_null() {
        io::send_stream(core, iov, false, false).map(|_| ())
    } else {
        // SAFETY: ov valid per the contract; these calls take no routine.
        let delivery = unsafe { overlapped_delivery(core, ov, None) }?;
        match io::send_stream_overlapped(core, iov, false, false, delivery, || {
            // SAFETY: ov valid; written before the op is visible.
            unsafe { OvPtr(ov).mark_pending() }
        })? {
            Submitted::Now(r, delivery) => {
                let n = r?;
                crate::socket::complete(Some(core), delivery, Ok(n), true);
                Ok(())
            }
            Submitted::Pending => Err(io_pending()),
        }
    };
    let taken = match &result {
        Ok(()) => true,
        Err(e) => e.code() == abi::WSA_IO_PENDING,
    };
    if flags & abi::TF_DISCONNECT != 0 && taken {
        // The FIN follows the bytes taken (the backlog and queued sends).
        core.shutdown(abi::SD_SEND)?;
    }
    result
}

/// `TF_DISCONNECT | TF_REUSE_SOCKET`: the bytes are taken whole (after
/// earlier sends, as a blocking send waits its turn), then
/// [`io::reuse_stream`] writes them, ends the connection and puts a fresh
/// socket behind the handle; an OVERLAPPED then completes with the byte
/// count (`WSA_IO_PENDING`, as `DisconnectEx` answers), so its completion
/// comes after the reuse.
///
/// # Safety
/// As [`send`].
unsafe fn send_and_reuse(
    core: &Arc<SocketCore>,
    iov: &[libc::iovec],
    ov: *mut abi::WSAOVERLAPPED,
) -> Result<()> {
    let delivery = if ov.is_null() {
        None
    } else {
        // SAFETY: ov valid per the contract; these calls take no routine.
        Some(unsafe { overlapped_delivery(core, ov, None) }?)
    };
    let n = io::send_stream(core, iov, false, false)?;
    io::reuse_stream(core)?;
    match delivery {
        None => Ok(()),
        Some(delivery) => {
            // SAFETY: ov valid per the contract; written before it completes.
            unsafe { OvPtr(ov).mark_pending() };
            crate::socket::complete(Some(core), delivery, Ok(n), false);
            Err(io_pending())
        }
    }
}

/// `TransmitFile` with no file: the head, then the tail.
///
/// # Safety
/// `buffers` null or readable, its buffers readable until completion; `ov`
/// null or valid until completion.
pub unsafe fn transmit_file(
    s: usize,
    file: *mut std::ffi::c_void,
    bytes: u32,
    ov: *mut abi::WSAOVERLAPPED,
    buffers: *const abi::TRANSMIT_FILE_BUFFERS,
    flags: u32,
) -> Result<()> {
    let core = handles::socket(s)?;
    check(&core, flags)?;
    if u64::from(bytes) > abi::TRANSMIT_MAX {
        return Err(Error::new(
            abi::WSAEINVAL,
            format!("nNumberOfBytesToWrite {bytes} is over 2,147,483,646"),
        ));
    }
    if !file.is_null() {
        return Err(no_files());
    }
    let mut iov = Vec::with_capacity(2);
    if !buffers.is_null() {
        // SAFETY: buffers readable per the contract.
        let b = unsafe { buffers.read_unaligned() };
        for (p, len) in [(b.Head, b.HeadLength), (b.Tail, b.TailLength)] {
            if len == 0 {
                continue;
            }
            if p.is_null() {
                return Err(Error::new(
                    abi::WSAEFAULT,
                    "a TRANSMIT_FILE_BUFFERS buffer is NULL with a length",
                ));
            }
            iov.push(libc::iovec {
                iov_base: p,
                iov_len: len as usize,
            });
        }
    }
    // SAFETY: forwarded contract.
    unsafe { send(&core, &iov, ov, flags) }
}

/// `TransmitPackets` of memory elements, in order.
///
/// # Safety
/// `elements` readable for `count` entries, their buffers readable until
/// completion; `ov` null or valid until completion.
pub unsafe fn transmit_packets(
    s: usize,
    elements: *const abi::TRANSMIT_PACKETS_ELEMENT,
    count: u32,
    ov: *mut abi::WSAOVERLAPPED,
    flags: u32,
) -> Result<()> {
    let core = handles::socket(s)?;
    check(&core, flags)?;
    if elements.is_null() && count != 0 {
        return Err(Error::new(
            abi::WSAEFAULT,
            "lpPacketArray is NULL with nElementCount elements",
        ));
    }
    let mut iov = Vec::with_capacity(count as usize);
    for i in 0..count as usize {
        // SAFETY: elements readable for count entries per the contract.
        let e = unsafe { elements.add(i).read_unaligned() };
        if e.dwElFlags & abi::TP_ELEMENT_MEMORY == 0 || e.dwElFlags & abi::TP_ELEMENT_FILE != 0 {
            return Err(no_files());
        }
        if e.cLength == 0 {
            continue;
        }
        let p = e.nFileOffset_or_pBuffer as usize as *mut std::ffi::c_void;
        if p.is_null() {
            return Err(Error::new(
                abi::WSAEFAULT,
                format!("element {i}: pBuffer is NULL with cLength {}", e.cLength),
            ));
        }
        iov.push(libc::iovec {
            iov_base: p,
            iov_len: e.cLength as usize,
        });
    }
    // SAFETY: forwarded contract.
    unsafe { send(&core, &iov, ov, flags) }
}
