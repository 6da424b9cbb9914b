//! The receive paths of the C ABI allocate nothing once warm (the brief:
//! "hot paths do not allocate"; the send paths: `crates/ws2/tests/
//! alloc_free.rs`): a blocking `WSARecvMsg`, a non-blocking one that finds
//! nothing (`WSAEWOULDBLOCK`), an overlapped one completed at call time
//! with an event, and the IOCP server's loop (receives kept posted on a
//! port, each returning `WSA_IO_PENDING`, taken with
//! `GetQueuedCompletionStatusEx` and posted again).
//!
//! A counting global allocator counts allocation calls made by this
//! thread only (the reactor's own start-up is not the caller's cost);
//! each case runs a few warm-up rounds, then counts a bounded loop. This
//! binary holds only this one test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::UdpSocket;

use ws2_abi as abi;

struct Counting;

thread_local! {
    /// Allocation calls (alloc, alloc_zeroed, realloc) by this thread.
    static CALLS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the allocator may run while the thread's locals are
    // being torn down.
    let _ = CALLS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` unchanged; counting touches
// only a const-initialised thread-local `Cell` (no allocation, no
// destructor).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocation calls this thread makes while `f` runs.
fn allocations(f: impl FnOnce()) -> u64 {
    let before = CALLS.with(Cell::get);
    f();
    CALLS.with(Cell::get) - before
}

type RecvMsgFn = unsafe extern "C" fn(
    abi::SOCKET,
    *mut abi::WSAMSG,
    *mut abi::DWORD,
    *mut abi::WSAOVERLAPPED,
    abi::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32;

fn last_error() -> i32 {
    ws2_32::WSAGetLastError()
}

/// A UDP socket on 127.0.0.1 reporting the destination and ECN (the
/// bench's receivers), and its port.
fn receiver() -> (abi::SOCKET, u16) {
    let s = ws2_32::socket(abi::AF_INET, abi::SOCK_DGRAM, abi::IPPROTO_UDP);
    assert_ne!(s, abi::INVALID_SOCKET, "socket: {}", last_error());
    let mut a = abi::SOCKADDR_IN {
        sin_family: abi::AF_INET as abi::ADDRESS_FAMILY,
        sin_port: 0,
        sin_addr: abi::IN_ADDR {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    };
    let mut len = size_of::<abi::SOCKADDR_IN>() as i32;
    // SAFETY: `a` is a live SOCKADDR_IN of `len` bytes; the options' values
    // are live DWORDs.
    unsafe {
        assert_eq!(ws2_32::bind(s, (&raw const a).cast(), len), 0, "bind");
        assert_eq!(ws2_32::getsockname(s, (&raw mut a).cast(), &mut len), 0);
        for name in [abi::IP_PKTINFO, abi::IP_RECVECN] {
            let on = 1u32;
            let r = ws2_32::setsockopt(s, abi::IPPROTO_IP, name, (&raw const on).cast(), 4);
            assert_eq!(r, 0, "setsockopt {name}: {}", last_error());
        }
        // Room for every datagram a case sends before it reads.
        let size = 1u32 << 22;
        let r = ws2_32::setsockopt(
            s,
            abi::SOL_SOCKET,
            abi::SO_RCVBUF,
            (&raw const size).cast(),
            4,
        );
        assert_eq!(r, 0, "setsockopt SO_RCVBUF: {}", last_error());
    }
    (s, u16::from_be(a.sin_port))
}

fn recvmsg_fn(s: abi::SOCKET) -> RecvMsgFn {
    let guid = abi::WSAID_WSARECVMSG;
    let mut f: Option<RecvMsgFn> = None;
    let mut bytes = 0u32;
    // SAFETY: in/out buffers are live locals of the sizes given.
    let r = unsafe {
        ws2_32::WSAIoctl(
            s,
            abi::SIO_GET_EXTENSION_FUNCTION_POINTER,
            (&raw const guid).cast_mut().cast(),
            size_of::<abi::GUID>() as u32,
            (&raw mut f).cast(),
            size_of::<Option<RecvMsgFn>>() as u32,
            &mut bytes,
            std::ptr::null_mut(),
            None,
        )
    };
    assert_eq!(r, 0, "WSAIoctl(WSAID_WSARECVMSG): {}", last_error());
    f.expect("WSARecvMsg")
}

/// One receive's buffers, kept where they are while it is posted.
struct Slot {
    ov: abi::WSAOVERLAPPED,
    msg: abi::WSAMSG,
    wsabuf: abi::WSABUF,
    control: [u64; 16],
    from: abi::SOCKADDR_STORAGE,
    buf: [u8; 256],
}

impl Slot {
    fn new() -> Box<Slot> {
        Box::new(Slot {
            ov: abi::WSAOVERLAPPED::default(),
            // SAFETY: WSAMSG is plain C data; all-zero is valid.
            msg: unsafe { std::mem::zeroed() },
            wsabuf: abi::WSABUF {
                len: 0,
                buf: std::ptr::null_mut(),
            },
            control: [0; 16],
            from: abi::SOCKADDR_STORAGE::default(),
            buf: [0; 256],
        })
    }

    /// `WSARecvMsg` into this slot; its return value.
    ///
    /// # Safety
    /// The slot stays where it is until an overlapped receive completes.
    unsafe fn recv(&mut self, f: RecvMsgFn, s: abi::SOCKET, overlapped: bool) -> i32 {
        let h_event = self.ov.hEvent;
        self.ov = abi::WSAOVERLAPPED {
            hEvent: h_event,
            ..Default::default()
        };
        self.wsabuf = abi::WSABUF {
            len: self.buf.len() as u32,
            buf: self.buf.as_mut_ptr().cast(),
        };
        self.msg = abi::WSAMSG {
            name: (&raw mut self.from).cast(),
            namelen: size_of::<abi::SOCKADDR_STORAGE>() as i32,
            lpBuffers: &raw mut self.wsabuf,
            dwBufferCount: 1,
            Control: abi::WSABUF {
                len: size_of::<[u64; 16]>() as u32,
                buf: self.control.as_mut_ptr().cast(),
            },
            dwFlags: 0,
        };
        let mut bytes = 0u32;
        let ov = if overlapped {
            &raw mut self.ov
        } else {
            std::ptr::null_mut()
        };
        // SAFETY: the slot's buffers stay valid while the receive runs
        // (this function's contract).
        unsafe { f(s, &raw mut self.msg, &mut bytes, ov, None) }
    }
}

fn send(tx: &UdpSocket, port: u16, n: usize) {
    let to = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    for i in 0..n {
        tx.send_to(&[i as u8; 64], to).unwrap();
    }
}

// S27 S30 S38
#[test]
fn receive_paths_allocate_nothing_once_warm() {
    let mut data: abi::WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: data is writable.
    assert_eq!(unsafe { ws2_32::WSAStartup(0x0202, &mut data) }, 0);
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut slot = Slot::new();

    // Blocking WSARecvMsg, each finding a datagram.
    let (s, port) = receiver();
    let f = recvmsg_fn(s);
    send(&tx, port, 16 + 200);
    let receive = |slot: &mut Slot| {
        // SAFETY: a blocking receive; the slot outlives it.
        assert_eq!(unsafe { slot.recv(f, s, false) }, 0, "{}", last_error());
        assert_eq!(slot.msg.dwFlags, 0);
        assert!(slot.msg.Control.len > 0, "IN_PKTINFO and IP_ECN reported");
    };
    (0..16).for_each(|_| receive(&mut slot));
    let n = allocations(|| (0..200).for_each(|_| receive(&mut slot)));
    assert_eq!(n, 0, "blocking WSARecvMsg: {n} allocations in 200 receives");

    // Non-blocking, nothing waiting: WSAEWOULDBLOCK.
    let mut on = 1u32;
    // SAFETY: `on` is a live u_long.
    let r = unsafe { ws2_32::ioctlsocket(s, abi::FIONBIO as i32 as libc::c_long, &mut on) };
    assert_eq!(r, 0);
    let empty = |slot: &mut Slot| {
        // SAFETY: a non-blocking receive; the slot outlives it.
        assert_eq!(unsafe { slot.recv(f, s, false) }, abi::SOCKET_ERROR);
        assert_eq!(last_error(), abi::WSAEWOULDBLOCK);
    };
    (0..16).for_each(|_| empty(&mut slot));
    let n = allocations(|| (0..200).for_each(|_| empty(&mut slot)));
    assert_eq!(n, 0, "WSAEWOULDBLOCK: {n} allocations in 200 receives");
    assert_eq!(ws2_32::closesocket(s), 0);

    // Overlapped with an event, a datagram waiting: complete at call time.
    let (s, port) = receiver();
    let f = recvmsg_fn(s);
    let event = ws2_32::WSACreateEvent();
    assert!(!event.is_null());
    slot.ov.hEvent = event;
    send(&tx, port, 16 + 200);
    let at_call_time = |slot: &mut Slot| {
        // SAFETY: the slot outlives the receive, which completes at once.
        assert_eq!(unsafe { slot.recv(f, s, true) }, 0, "{}", last_error());
        assert_eq!(slot.ov.Internal, 0, "STATUS_SUCCESS");
    };
    (0..16).for_each(|_| at_call_time(&mut slot));
    let n = allocations(|| (0..200).for_each(|_| at_call_time(&mut slot)));
    assert_eq!(
        n, 0,
        "overlapped at call time: {n} allocations in 200 receives"
    );
    slot.ov.hEvent = std::ptr::null_mut();
    assert_eq!(ws2_32::closesocket(s), 0);
    assert_ne!(ws2_32::WSACloseEvent(event), 0);

    // The IOCP server: 32 receives kept posted on a port.
    const POSTED: usize = 32;
    let (s, port) = receiver();
    let f = recvmsg_fn(s);
    let cp = ws2_32::CreateIoCompletionPort(s as abi::HANDLE, std::ptr::null_mut(), 7, 0);
    assert!(!cp.is_null(), "CreateIoCompletionPort: {}", last_error());
    let mut slots: Vec<Box<Slot>> = (0..POSTED).map(|_| Slot::new()).collect();
    let post = |slot: &mut Slot| {
        // SAFETY: the slots stay boxed and in place until their packets
        // are taken; nothing is waiting, so each pends.
        let r = unsafe { slot.recv(f, s, true) };
        assert_eq!((r, last_error()), (abi::SOCKET_ERROR, abi::WSA_IO_PENDING));
    };
    // SAFETY: plain C data; all-zero is valid.
    let mut entries: [abi::OVERLAPPED_ENTRY; POSTED] = unsafe { std::mem::zeroed() };
    let mut round = |slots: &mut Vec<Box<Slot>>| {
        slots.iter_mut().for_each(|slot| post(slot));
        send(&tx, port, POSTED);
        let mut taken = 0;
        while taken < POSTED {
            let mut n = 0u32;
            // SAFETY: entries holds POSTED writable entries.
            let ok = unsafe {
                ws2_32::GetQueuedCompletionStatusEx(
                    cp,
                    entries.as_mut_ptr(),
                    POSTED as u32,
                    &mut n,
                    5000,
                    0,
                )
            };
            assert_ne!(ok, 0, "GetQueuedCompletionStatusEx: {}", last_error());
            for e in &entries[..n as usize] {
                assert_eq!(e.lpCompletionKey, 7);
                assert_eq!(e.dwNumberOfBytesTransferred, 64);
            }
            taken += n as usize;
        }
    };
    (0..4).for_each(|_| round(&mut slots));
    // The fewest of three tries: a thread descheduled for a whole sweep
    // period (10 ms) between posting and its look at the port has its
    // receives filled by the reactor, whose thread then keeps their boxes
    // (a machine's hiccup); an allocation of the path shows in every try.
    let n = (0..3)
        .map(|_| allocations(|| (0..20).for_each(|_| round(&mut slots))))
        .min()
        .expect("three tries");
    assert_eq!(
        n,
        0,
        "posted on a port: {n} allocations in {} receives",
        20 * POSTED
    );
    assert_eq!(ws2_32::closesocket(s), 0);
    assert_ne!(ws2_32::CloseHandle(cp), 0);
}
