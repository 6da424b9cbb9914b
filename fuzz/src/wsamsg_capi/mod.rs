//! Target `wsamsg_capi`: WSAMSG shapes through the C ABI (`WSASendMsg`,
//! `WSASendTo`, `WSASend`, and `WSARecvMsg` from
//! `WSAIoctl(WSAID_WSARECVMSG)`) on real UDP sockets, every piece of caller
//! memory built from the input and placed flush against a `PROT_NONE` page:
//! the `WSAMSG`, the name, the `WSABUF` array, each buffer's data, the
//! control buffer, `lpNumberOfBytes` and the `WSAOVERLAPPED`. Counts and
//! lengths may lie.
//!
//! Every call must return 0 (last error 0, S3) or `SOCKET_ERROR` with a
//! Winsock code expected of it; memory a call may only read is mapped
//! read-only, so a write faults; an OVERLAPPED is untouched by a failed
//! call (S20) and holds the result of a successful one (S29).
//!
//! Caller memory is what its lengths say: a name of `namelen` bytes, a
//! control buffer of `Control.len` bytes. A `dwBufferCount` above
//! `ws2_engine::translate::INLINE_BUFFERS` may lie (an array shorter than it says,
//! which must give `WSAEFAULT`, issue 7); a smaller one is an array of that
//! many entries (the common path reads it without a probe). A buffer's
//! `len` may run past its data, or its `buf` point at unmapped memory.
//!
//! The sockets live in a network namespace of the process's own (made at
//! start-up, as root): fuzzed destinations reach loopback or nothing.

use std::sync::OnceLock;

use ws2_32 as capi;
use ws2_abi::*;
use ws2_engine::translate::INLINE_BUFFERS;

use crate::guarded::Guarded;
use crate::input::{Input, Seed};

mod seeds;
mod sockets;

pub use seeds::seeds;
use sockets::Sockets;
pub use sockets::{sockaddr_in, sockaddr_in6};

/// Fixed ports: the namespace is the process's own, so nothing collides.
pub const PORT_V4: u16 = 5000;
pub const PORT_V6: u16 = 5001;
/// The most `WSABUF`s an array is made with (`present`).
const MAX_ARRAY: usize = 4096;
/// The longest name region made; a longer `namelen` gets this much (ws2
/// reads at most a `SOCKADDR_IN6` of it).
const MAX_NAME: usize = 4096;

/// The call kinds (`op & 3`).
pub const SEND_MSG: u8 = 0;
pub const SEND_TO: u8 = 1;
pub const RECV_MSG: u8 = 2;
pub const SEND: u8 = 3;

/// `opts` bits.
pub const MSG_NULL: u8 = 1;
pub const BYTES_NULL: u8 = 2;
pub const OVERLAPPED: u8 = 4;
/// `hEvent`'s low bit (no port packet).
pub const EVENT_LOW_BIT: u8 = 8;
/// For a receive: the datagram waiting comes from an IPv6 peer.
pub const PEER_V6: u8 = 16;

/// Where a `WSABUF::buf` points (`kind` of an entry).
pub const BUF_NULL: u8 = 0;
pub const BUF_PAYLOAD: u8 = 1;
/// An address below `mmap_min_addr`: never mapped.
pub const BUF_UNMAPPED: u8 = 2;

/// One call, as the input describes it.
#[derive(Clone, Debug, Default)]
pub struct Call {
    /// Bits 0-1: the call; bits 2-7: which socket (modulo those there are).
    pub op: u8,
    pub opts: u8,
    /// The `dwFlags` parameter (sends) or `WSAMSG::dwFlags` (receive).
    pub flags: u32,
    pub namelen: i32,
    /// The name's bytes (its region is `namelen` bytes); `None`: NULL.
    pub name: Option<Vec<u8>>,
    pub control_len: u16,
    /// The control buffer's bytes (its region is `Control.len` bytes); `None`: NULL.
    pub control: Option<Vec<u8>>,
    pub count: u32,
    /// Entries the array really has when `count > INLINE_BUFFERS`.
    pub present: u16,
    /// `(kind, offset, len)` per entry, repeated over the whole array.
    pub buffers: Vec<(u8, u16, u32)>,
    /// For a receive: the waiting datagram's length and TOS byte.
    pub dgram_len: u16,
    pub tos: u8,
    /// The data the buffers point into (a region of exactly this length).
    pub payload: Vec<u8>,
}

impl Call {
    pub fn decode(data: &[u8]) -> Call {
        let mut input = Input::new(data);
        let mut call = Call {
            op: input.u8(),
            opts: input.u8(),
            flags: input.u32(),
            namelen: input.i32(),
            ..Call::default()
        };
        let name_given = input.u8() & 1 != 0;
        let name = input.u8();
        let name = input.bytes(name.into()).to_vec();
        call.name = name_given.then_some(name);
        let control_given = input.u8() & 1 != 0;
        call.control_len = input.u16();
        let control = input.u16();
        let control = input.bytes(control.into()).to_vec();
        call.control = control_given.then_some(control);
        call.count = input.u32();
        call.present = input.u16();
        for _ in 0..input.u8() {
            call.buffers.push((input.u8(), input.u16(), input.u32()));
        }
        call.dgram_len = input.u16();
        call.tos = input.u8();
        call.payload = input.rest().to_vec();
        call
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut s = Seed::default();
        s.u8(self.op)
            .u8(self.opts)
            .u32(self.flags)
            .i32(self.namelen);
        let name = self.name.as_deref().unwrap_or(&[]);
        s.u8(self.name.is_some().into())
            .u8(name.len() as u8)
            .bytes(name);
        let control = self.control.as_deref().unwrap_or(&[]);
        s.u8(self.control.is_some().into()).u16(self.control_len);
        s.u16(control.len() as u16).bytes(control);
        s.u32(self.count)
            .u16(self.present)
            .u8(self.buffers.len() as u8);
        for &(kind, offset, len) in &self.buffers {
            s.u8(kind).u16(offset).u32(len);
        }
        s.u16(self.dgram_len).u8(self.tos).bytes(&self.payload);
        s.finish()
    }
}

pub fn run(data: &[u8]) {
    let sockets = Sockets::get();
    let call = Call::decode(data);
    let kind = call.op & 3;
    let overlapped = call.opts & OVERLAPPED != 0;
    let receiving = kind == RECV_MSG;

    let payload = Guarded::new(&call.payload, call.payload.len());
    let wsabufs = wsabuf_array(&call, &payload);
    // What the data sums to, when the array holds every entry it claims.
    let total: Option<u64> = (wsabufs.len() == call.count as usize)
        .then(|| wsabufs.iter().map(|b| u64::from(b.len)).sum());
    let array = Guarded::new(&[], wsabufs.len() * size_of::<WSABUF>());
    for (i, b) in wsabufs.iter().enumerate() {
        // SAFETY: the region holds wsabufs.len() WSABUFs, 8-aligned (its end
        // is a page boundary and its length a multiple of 16).
        unsafe { array.ptr().cast::<WSABUF>().add(i).write(*b) };
    }
    let name = call.name.as_ref().map(|n| {
        Guarded::new(
            n,
            usize::try_from(call.namelen).map_or(0, |l| l.min(MAX_NAME)),
        )
    });
    let control = call
        .control
        .as_ref()
        .map(|c| Guarded::new(c, call.control_len.into()));
    let name_ptr = name
        .as_ref()
        .map_or(std::ptr::null_mut(), |n| n.ptr().cast::<SOCKADDR>());
    let control_buf = WSABUF {
        len: call.control_len.into(),
        buf: control
            .as_ref()
            .map_or(std::ptr::null_mut(), |c| c.ptr().cast()),
    };
    let msg = (call.opts & MSG_NULL == 0).then(|| {
        Guarded::of(WSAMSG {
            name: name_ptr,
            namelen: call.namelen,
            lpBuffers: array.ptr().cast(),
            dwBufferCount: call.count,
            Control: control_buf,
            dwFlags: call.flags,
        })
    });
    let bytes = (call.opts & BYTES_NULL == 0).then(|| Guarded::of(0xdead_beef_u32));
    let ov = overlapped.then(|| {
        Guarded::of(WSAOVERLAPPED {
            Internal: 0x1111_2222,
            InternalHigh: 0x3333_4444,
            Offset: 5,
            OffsetHigh: 6,
            hEvent: usize::from(call.opts & EVENT_LOW_BIT != 0) as HANDLE,
        })
    });
    let ov_before = ov.as_ref().map(Guarded::bytes);
    // Memory a call may only read is read-only: a write faults.
    array.read_only();
    if !receiving {
        payload.read_only();
        for r in [&name, &control, &msg].into_iter().flatten() {
            r.read_only();
        }
    }
    let msg_ptr = msg
        .as_ref()
        .map_or(std::ptr::null_mut(), |m| m.ptr().cast::<WSAMSG>());
    let bytes_ptr = bytes
        .as_ref()
        .map_or(std::ptr::null_mut(), |b| b.ptr().cast::<u32>());
    let ov_ptr = ov
        .as_ref()
        .map_or(std::ptr::null_mut(), |o| o.ptr().cast::<WSAOVERLAPPED>());

    let s = sockets.pick(&call);
    if receiving {
        sockets.send_datagram(&call);
    }
    // SAFETY: every pointer is null or points into a live region of the
    // size its length or count says (counts above INLINE_BUFFERS may lie:
    // that is the input class under test); the regions outlive the call and
    // its completion (waited for below).
    let rc = unsafe {
        match kind {
            SEND_MSG => capi::WSASendMsg(s, msg_ptr, call.flags, bytes_ptr, ov_ptr, None),
            SEND_TO => capi::WSASendTo(
                s,
                array.ptr().cast(),
                call.count,
                bytes_ptr,
                call.flags,
                name_ptr,
                call.namelen,
                ov_ptr,
                None,
            ),
            SEND => capi::WSASend(
                s,
                array.ptr().cast(),
                call.count,
                bytes_ptr,
                call.flags,
                ov_ptr,
                None,
            ),
            _ => (sockets.recv_msg)(s, msg_ptr, bytes_ptr, ov_ptr, None),
        }
    };
    let err = capi::WSAGetLastError();
    if trace() {
        eprintln!(
            "wsamsg_capi: call {kind} on socket {s}: rc {rc}, error {err} ({})",
            wsa_error_name(err)
        );
    }
    let allowed: &[i32] = if receiving { RECV_ERRORS } else { SEND_ERRORS };
    match rc {
        0 => assert_eq!(err, 0, "S3: last error after success"),
        SOCKET_ERROR if err == WSA_IO_PENDING && overlapped => {
            sockets.post_datagram_if_receiving(&call);
            if let Err(e) = wait(s, ov_ptr) {
                assert!(
                    allowed.contains(&e),
                    "call {kind} completed with error {e} ({})",
                    wsa_error_name(e)
                );
            }
        }
        SOCKET_ERROR => {
            assert!(
                allowed.contains(&err),
                "call {kind}: unexpected error {err} ({})",
                wsa_error_name(err)
            );
            if let (Some(ov), Some(before)) = (&ov, &ov_before) {
                if receiving && err == WSAEMSGSIZE {
                    // A truncated receive is a completed one (SPEC G:
                    // STATUS_BUFFER_OVERFLOW is a warning status): its
                    // completion is delivered, as every immediate one (S29).
                    let o: WSAOVERLAPPED = ov.read();
                    assert_eq!(o.Internal as NTSTATUS, STATUS_BUFFER_OVERFLOW, "S27, G");
                } else {
                    assert_eq!(
                        &ov.bytes(),
                        before,
                        "S20: a failed call touched its OVERLAPPED"
                    );
                }
            }
        }
        other => panic!("S3: returned {other}"),
    }
    if rc == 0 {
        let n = bytes.as_ref().map(|b| b.read::<u32>());
        if let Some(ov) = &ov {
            let o: WSAOVERLAPPED = ov.read();
            assert_eq!(o.Internal as NTSTATUS, STATUS_SUCCESS, "S29: Internal");
            if let Some(n) = n {
                assert_eq!(o.InternalHigh as u32, n, "S29: InternalHigh");
            }
        }
        if let (Some(n), Some(total), false) = (n, total, receiving) {
            assert_eq!(u64::from(n), total, "S21: bytes sent");
        }
        if receiving && let Some(m) = &msg {
            let m: WSAMSG = m.read();
            assert!(
                m.Control.len <= u32::from(call.control_len),
                "S27: Control.len grew"
            );
            let known = MSG_TRUNC | MSG_CTRUNC | MSG_BCAST | MSG_MCAST;
            assert_eq!(m.dwFlags & !known, 0, "S27: dwFlags {:#x}", m.dwFlags);
        }
    }
    sockets.drain();
}

/// `WS2_FUZZ_TRACE=1`: print each call's result (to see what seeds do).
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("WS2_FUZZ_TRACE").is_some())
}

/// Errors a send may give here (S6–S19, S26): no other.
const SEND_ERRORS: &[i32] = &[
    WSAEFAULT,
    WSAEINVAL,
    WSAEAFNOSUPPORT,
    WSAEOPNOTSUPP,
    WSAEMSGSIZE,
    WSAEACCES,
    WSAENETUNREACH,
    WSAEHOSTUNREACH,
    WSAEADDRNOTAVAIL,
    WSAENOTCONN,
    WSAEWOULDBLOCK,
    WSAENOBUFS,
];

/// Errors a receive may give here (S27; the receivers are non-blocking).
const RECV_ERRORS: &[i32] = &[
    WSAEFAULT,
    WSAEINVAL,
    WSAEOPNOTSUPP,
    WSAEMSGSIZE,
    WSAEWOULDBLOCK,
];

/// The `WSABUF` array: `count` entries, or `present` (at most `count`) when
/// the count is one the engine must check before reading.
fn wsabuf_array(call: &Call, payload: &Guarded) -> Vec<WSABUF> {
    let count = call.count as usize;
    let entries = if count <= INLINE_BUFFERS {
        count
    } else {
        usize::from(call.present).min(count).min(MAX_ARRAY)
    };
    (0..entries)
        .map(|i| {
            let Some(&(kind, offset, len)) = call.buffers.get(i % call.buffers.len().max(1)) else {
                return WSABUF {
                    len: 0,
                    buf: std::ptr::null_mut(),
                };
            };
            let buf = match kind % 3 {
                BUF_NULL => std::ptr::null_mut(),
                // SAFETY: an offset of at most payload.len() stays in (or at
                // the end of) the region.
                BUF_PAYLOAD => unsafe {
                    payload.ptr().add(usize::from(offset) % (payload.len() + 1))
                },
                _ => (usize::from(offset % 16) * 4096) as *mut u8,
            };
            WSABUF {
                len,
                buf: buf.cast(),
            }
        })
        .collect()
}

/// Waits for a pending operation (S30) and returns its result.
fn wait(s: SOCKET, ov: *mut WSAOVERLAPPED) -> Result<(), i32> {
    let (mut bytes, mut flags) = (0u32, 0u32);
    // SAFETY: ov is the live OVERLAPPED of the pending call.
    let ok = unsafe { capi::WSAGetOverlappedResult(s, ov, &mut bytes, 1, &mut flags) };
    if ok != 0 {
        Ok(())
    } else {
        Err(capi::WSAGetLastError())
    }
}
