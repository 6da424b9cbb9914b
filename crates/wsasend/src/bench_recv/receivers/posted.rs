//! Receives kept posted on a completion port ([`posted_drain`]): an IOCP
//! server with several receives in flight.

use super::*;

/// Receives [`posted_drain`] keeps in flight.
const POSTED: usize = 32;

/// One posted receive and everything its completion writes; the
/// OVERLAPPED first, so a dequeued packet's OVERLAPPED is its slot.
#[repr(C)]
struct Slot {
    ov: abi::WSAOVERLAPPED,
    msg: abi::WSAMSG,
    wsabuf: abi::WSABUF,
    control: [u64; 16],
    from: abi::SOCKADDR_STORAGE,
    buf: Vec<u8>,
}

unsafe extern "C" {
    // kernel32's, exported by libws2_32 (the bench links it as a crate).
    fn CancelIoEx(file: abi::HANDLE, ov: *mut abi::WSAOVERLAPPED) -> abi::BOOL;
}

/// Posts `slot`'s receive on `c` (completing at once or pending: a packet
/// comes to the port either way, the socket not skipping it).
///
/// # Safety
/// `slot` stays where it is, untouched, until its packet is dequeued.
unsafe fn post(r: &Receivers, c: &CSocket, slot: &mut Slot) -> AppResult<()> {
    slot.ov = abi::WSAOVERLAPPED::default();
    slot.wsabuf = abi::WSABUF {
        len: slot.buf.len() as u32,
        buf: slot.buf.as_mut_ptr().cast(),
    };
    slot.msg = abi::WSAMSG {
        name: (&raw mut slot.from).cast(),
        namelen: size_of::<abi::SOCKADDR_STORAGE>() as i32,
        lpBuffers: &raw mut slot.wsabuf,
        dwBufferCount: 1,
        Control: abi::WSABUF {
            len: size_of::<[u64; 16]>() as u32,
            buf: slot.control.as_mut_ptr().cast(),
        },
        dwFlags: 0,
    };
    let mut bytes = 0u32;
    // SAFETY: the slot's buffers stay valid until its packet is dequeued
    // (this function's contract).
    let rc = unsafe { (r.recvmsg)(c.s, &raw mut slot.msg, &mut bytes, &raw mut slot.ov, None) };
    if rc != 0 && ws2_32::WSAGetLastError() != abi::WSA_IO_PENDING {
        return Err(format!("WSARecvMsg: error {}", ws2_32::WSAGetLastError()).into());
    }
    Ok(())
}

/// `want` datagrams through [`POSTED`] receives kept posted on `c`'s port
/// (no skip-on-success), each taking `per_receive` of them (a coalesced
/// run, or one): each dequeued with `GetQueuedCompletionStatusEx` (up to
/// [`POSTED`] a call), its datagrams counted, and posted again while
/// datagrams remain, so exactly what was sent is posted for.
pub(super) fn posted_drain(
    r: &Receivers,
    c: &CSocket,
    want: u64,
    per_receive: u64,
    seen: &mut Seen,
) -> AppResult<u64> {
    thread_local! {
        // Made once and never grown: each slot stays where it is while
        // its receive is posted.
        static SLOTS: std::cell::RefCell<Vec<Slot>> = std::cell::RefCell::new(
            (0..POSTED)
                .map(|_| Slot {
                    ov: abi::WSAOVERLAPPED::default(),
                    // SAFETY: WSAMSG is plain C data; all-zero is valid.
                    msg: unsafe { std::mem::zeroed() },
                    wsabuf: abi::WSABUF { len: 0, buf: std::ptr::null_mut() },
                    control: [0; 16],
                    from: abi::SOCKADDR_STORAGE::default(),
                    buf: vec![0u8; BUF],
                })
                .collect()
        );
    }
    SLOTS.with(|slots| {
        let mut slots = slots.borrow_mut();
        let runs = want.div_ceil(per_receive);
        let (mut posted, mut outstanding, mut got) = (0u64, 0usize, 0u64);
        for slot in slots.iter_mut().take(POSTED.min(runs as usize)) {
            // SAFETY: the slots live in this thread for good; each is
            // touched again only after its packet is dequeued.
            unsafe { post(r, c, slot) }?;
            posted += 1;
            outstanding += 1;
        }
        // SAFETY: plain C data; all-zero is valid.
        let mut entries: [abi::OVERLAPPED_ENTRY; POSTED] = unsafe { std::mem::zeroed() };
        while outstanding > 0 {
            let Some(n) = take_packets(c.port, &mut entries, 2000) else {
                // The queue ran dry: cancel what is still posted and take
                // its packets, so no slot is reused while pending.
                // SAFETY: the socket's handle; every receive of it is ours.
                unsafe { CancelIoEx(c.s as abi::HANDLE, std::ptr::null_mut()) };
                while outstanding > 0 {
                    let n = take_packets(c.port, &mut entries, 5000)
                        .ok_or("cancelled receives never completed")?;
                    outstanding -= n;
                }
                break;
            };
            for e in &entries[..n] {
                outstanding -= 1;
                // SAFETY: every packet of this port is a slot's receive (its
                // OVERLAPPED, the slot's first field); the slot is ours again.
                let slot = unsafe { &mut *e.lpOverlapped.cast::<Slot>() };
                if slot.ov.Internal != 0 {
                    return Err(
                        format!("a posted receive failed: status {:#x}", slot.ov.Internal).into(),
                    );
                }
                // SAFETY: the control buffer is 128 plain bytes.
                let control: &[u8] = unsafe {
                    std::slice::from_raw_parts(
                        slot.control.as_ptr().cast(),
                        slot.msg.Control.len as usize,
                    )
                };
                let segment = seen.windows(control);
                got += datagrams(e.dwNumberOfBytesTransferred as usize, segment);
                if posted < runs {
                    // SAFETY: as above.
                    unsafe { post(r, c, slot) }?;
                    posted += 1;
                    outstanding += 1;
                }
            }
        }
        Ok(got)
    })
}

/// Up to [`POSTED`] packets of `port` into `entries`, waiting at most `ms`:
/// how many, or `None` when none came.
fn take_packets(
    port: abi::HANDLE,
    entries: &mut [abi::OVERLAPPED_ENTRY; POSTED],
    ms: u32,
) -> Option<usize> {
    let mut n = 0u32;
    // SAFETY: entries holds POSTED writable entries; n is a live u32.
    let ok = unsafe {
        ws2_32::GetQueuedCompletionStatusEx(
            port,
            entries.as_mut_ptr(),
            POSTED as u32,
            &mut n,
            ms,
            0,
        )
    };
    (ok != 0).then_some(n as usize)
}
