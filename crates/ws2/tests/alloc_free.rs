//! The blocking send path allocates nothing (issue requirement: 10,000
//! blocking sends with IN_PKTINFO allocate nothing), and neither does an
//! overlapped send that completes at call time, on any path (issue 17: no
//! payload box, no boxed closure, no `Vec` per `get_many`).
//!
//! A counting global allocator counts allocations made on threads that set
//! the thread-local `COUNTING` flag, so the test harness's own threads (and
//! the receiver's drain thread) cannot disturb the count. This binary holds
//! only this one test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::IoSlice;
use std::net::{Ipv4Addr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use ws2::{CompletionPort, ControlMessage, Message, SendFlags, Socket};
use ws2_abi as abi;
use ws2_engine::raw::{self, SendResultPtrs};
use ws2_engine::translate::socket_addr_to_windows;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn counting() -> bool {
    // try_with: the slot may be gone while the thread is being torn down.
    COUNTING.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: every method forwards to `System` unchanged; counting only reads a
// const-initialised thread-local (which itself never allocates) and bumps an
// atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
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

/// Counts the allocations `f` makes on this thread.
fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

// Self-check of the counter, so a broken allocator cannot make the real
// assertion pass vacuously.
fn counter_works() {
    let n = allocations_in(|| {
        let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(64));
        std::hint::black_box(&v);
    });
    assert_eq!(n, 1, "the counting allocator does not count");
}

// Issue requirement (S23 send path, S21 gathering): no allocation per send.
#[test]
fn blocking_sends_with_in_pktinfo_allocate_nothing() {
    counter_works();

    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let big: libc::c_int = 8 << 20;
    // SAFETY: a pointer to a live c_int and its size. SO_RCVBUFFORCE needs
    // root (CI is root); fall back to SO_RCVBUF, drops are fine anyway.
    unsafe {
        for opt in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
            if libc::setsockopt(
                rx.as_raw_fd(),
                libc::SOL_SOCKET,
                opt,
                (&raw const big).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            ) == 0
            {
                break;
            }
        }
    }
    rx.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let to = rx.local_addr().unwrap();

    // Drain on another thread (not counted) so the receiver does not just
    // drop everything; the count does not depend on it either way.
    let stop = Arc::new(AtomicBool::new(false));
    let received = Arc::new(AtomicUsize::new(0));
    let drain = {
        let rx = rx.try_clone().unwrap();
        let stop = stop.clone();
        let received = received.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while !stop.load(Ordering::Relaxed) {
                if rx.recv_from(&mut buf).is_ok() {
                    received.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };

    let tx = Socket::udp_v4().unwrap();
    let control = [ControlMessage::SourceV4 {
        addr: Ipv4Addr::LOCALHOST,
        ifindex: 0,
    }];
    let payload = [0x5au8; 64];
    let bufs = [IoSlice::new(&payload)];
    let msg = Message::new(&bufs).to(to).control(&control);

    // Warm-up: implicit bind, thread-locals, lazy statics.
    for _ in 0..16 {
        assert_eq!(tx.send_msg(&msg, SendFlags::NONE).unwrap(), 64);
    }

    let mut failures = 0usize;
    let n = allocations_in(|| {
        for _ in 0..10_000 {
            match tx.send_msg(&msg, SendFlags::NONE) {
                Ok(64) => {}
                _ => failures += 1,
            }
        }
    });
    assert_eq!(failures, 0, "some of the 10,000 sends failed");
    assert_eq!(
        n, 0,
        "10,000 blocking sends with IN_PKTINFO allocated {n} times"
    );

    // 16 gathered buffers (S21), with the source control message too.
    let pieces: Vec<[u8; 4]> = (0..16u8).map(|i| [i; 4]).collect();
    let gathered: Vec<IoSlice<'_>> = pieces.iter().map(|p| IoSlice::new(p)).collect();
    let msg16 = Message::new(&gathered).to(to).control(&control);
    for _ in 0..4 {
        assert_eq!(tx.send_msg(&msg16, SendFlags::NONE).unwrap(), 64);
    }
    let mut failures = 0usize;
    let n = allocations_in(|| {
        for _ in 0..1_000 {
            match tx.send_msg(&msg16, SendFlags::NONE) {
                Ok(64) => {}
                _ => failures += 1,
            }
        }
    });
    assert_eq!(failures, 0, "some gathered sends failed");
    assert_eq!(
        n, 0,
        "1,000 sends of 16 gathered buffers allocated {n} times"
    );

    overlapped_sends_completed_at_call_time_allocate_nothing(&tx, to);

    stop.store(true, Ordering::Relaxed);
    drain.join().unwrap();
    assert!(
        received.load(Ordering::Relaxed) > 0,
        "nothing arrived at all"
    );
}

/// Counts the allocations of `rounds` rounds of `round` after 4 rounds of
/// warm-up (queues growing to their size once).
fn steady_allocations(rounds: usize, mut round: impl FnMut()) -> usize {
    for _ in 0..4 {
        round();
    }
    allocations_in(|| {
        for _ in 0..rounds {
            round();
        }
    })
}

thread_local! {
    static ROUTINES_RAN: Cell<usize> = const { Cell::new(0) };
}

// S29 S30 S33 S36: every overlapped form, each completing at call time.
fn overlapped_sends_completed_at_call_time_allocate_nothing(tx: &Socket, to: std::net::SocketAddr) {
    const BATCH: usize = 64;
    let payload: &'static [u8] = &[0x5a; 64];

    // PendingSend: the result is held without sharing anything.
    let n = steady_allocations(100, || {
        for _ in 0..BATCH {
            let done = tx.send_overlapped(payload, Some(to), &[]).unwrap().wait();
            assert_eq!(done.result.unwrap(), 64);
        }
    });
    assert_eq!(n, 0, "6,400 send_overlapped + wait allocated {n} times");

    // Completion routines: inline, queued to this thread's own queue.
    let n = steady_allocations(100, || {
        for _ in 0..BATCH {
            tx.send_with_routine(payload, Some(to), &[], |c| {
                assert_eq!(c.result.unwrap(), 64);
                ROUTINES_RAN.with(|r| r.set(r.get() + 1));
            })
            .unwrap();
        }
        let before = ROUTINES_RAN.with(Cell::get);
        assert!(ws2::sleep_alertable(Duration::ZERO));
        assert_eq!(ROUTINES_RAN.with(Cell::get) - before, BATCH);
    });
    assert_eq!(n, 0, "6,400 send_with_routine allocated {n} times");

    // A completion port: the buffer travels inline in the packet, and
    // get_many_into fills a reused Vec.
    let port_tx = Socket::udp_v4().unwrap();
    let port = CompletionPort::new();
    port.associate(&port_tx, 3).unwrap();
    let mut done = Vec::with_capacity(BATCH);
    let n = steady_allocations(100, || {
        for _ in 0..BATCH {
            port_tx.send_to_port(payload, Some(to), &[]).unwrap();
        }
        let mut left = BATCH;
        while left > 0 {
            done.clear();
            left -= port.get_many_into(&mut done, BATCH, Some(Duration::from_secs(5)));
            for c in &done {
                assert_eq!((c.key, c.result.as_ref().ok()), (3, Some(&64)));
            }
        }
    });
    assert_eq!(
        n, 0,
        "6,400 send_to_port + get_many_into allocated {n} times"
    );

    // The C ABI: WSASendMsg with an OVERLAPPED completes it in place.
    let core = ws2_engine::SocketCore::new(ws2::Family::V4, ws2::SocketKind::Datagram, 0, true)
        .map(Arc::new)
        .unwrap();
    let (mut name, mut namelen) = (abi::SOCKADDR_STORAGE::default(), 128);
    // SAFETY: `name` is writable for 128 bytes.
    unsafe { socket_addr_to_windows(&to, (&raw mut name).cast(), &mut namelen) }.unwrap();
    let buf = abi::WSABUF {
        len: payload.len() as u32,
        buf: payload.as_ptr().cast_mut().cast(),
    };
    let mut ov = abi::WSAOVERLAPPED::default();
    let n = steady_allocations(100, || {
        for _ in 0..BATCH {
            ov = abi::WSAOVERLAPPED::default();
            let out = SendResultPtrs {
                bytes_sent: std::ptr::null_mut(),
                overlapped: &mut ov,
                routine: None,
            };
            let no_control = abi::WSABUF {
                len: 0,
                buf: std::ptr::null_mut(),
            };
            // SAFETY: the WSABUF, the payload, the name and the OVERLAPPED
            // outlive the call, which completes at once (asserted).
            let sent = unsafe {
                raw::send_gathered(
                    &core,
                    &buf,
                    1,
                    (&raw const name).cast(),
                    namelen,
                    no_control,
                    0,
                    &out,
                )
            };
            assert_eq!(sent.unwrap(), 64);
            assert_eq!((ov.Internal, ov.InternalHigh), (0, 64));
        }
    });
    assert_eq!(n, 0, "6,400 C overlapped sends allocated {n} times");
}
