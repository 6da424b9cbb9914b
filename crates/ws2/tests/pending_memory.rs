//! Memory per pending operation (issue 17; README "Speed", DESIGN): what
//! ws2 holds for each overlapped send that waits for buffer space and for
//! each posted receive, beyond the caller's buffers and OVERLAPPEDs, is at
//! most `BUDGET` bytes, for every form: a Rust `send_overlapped`'s state
//! shared with its `PendingSend` (buffer, result, waker and event: 88
//! bytes) included.
//!
//! A counting global allocator keeps the bytes live (requested from the
//! allocator, all threads, the reactor's included). Each case issues
//! `COUNT` operations that all stay pending (sends behind a rate-limited
//! link, receives on a socket nothing is sent to), with every caller
//! buffer made before the count starts, and divides the growth of live
//! bytes by `COUNT`: the operations' own records, the queue slots they
//! take, and what a Rust send shares with its `PendingSend`. This binary
//! holds only this one test, so no other test's allocations are counted.

mod slow_link;

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;

use slow_link::{LONG, fill_until_pending, slow_link};
use ws2::{CompletionPort, Family, SocketKind};
use ws2_abi as abi;
use ws2_engine::SocketCore;
use ws2_engine::raw::{self, RecvOutputs, SendResultPtrs};
use ws2_engine::translate::socket_addr_to_windows;

/// Bytes a pending operation may hold (README, DESIGN).
const BUDGET: isize = 256;

/// Operations per case: enough that one-off costs (the queue's first
/// allocation, a reactor registration) vanish in the average.
const COUNT: usize = 2000;

struct Counting;

/// Bytes allocated and not freed, all threads.
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` unchanged; counting only bumps
// an atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Live bytes `issue` adds per operation (`COUNT` of them).
fn bytes_per_operation(issue: impl FnOnce()) -> isize {
    let before = LIVE.load(Ordering::SeqCst);
    issue();
    (LIVE.load(Ordering::SeqCst) - before) / COUNT as isize
}

fn check(what: &str, per: isize, budget: isize) {
    eprintln!("{what}: {per} bytes per pending operation");
    assert!(
        (0..=budget).contains(&per),
        "{what}: {per} bytes per pending operation, budget {budget}"
    );
}

/// The destination as a Windows `SOCKADDR`.
fn windows_name(to: SocketAddr) -> (abi::SOCKADDR_STORAGE, i32) {
    let (mut name, mut namelen) = (abi::SOCKADDR_STORAGE::default(), 128);
    // SAFETY: `name` is writable for 128 bytes.
    unsafe { socket_addr_to_windows(&to, (&raw mut name).cast(), &mut namelen) }.unwrap();
    (name, namelen)
}

// S18 S30 S38
#[test]
fn memory_per_pending_operation_stays_within_budget() {
    let link = slow_link("64kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();

    // The C ABI's WSASendMsg with an OVERLAPPED (no event, no port).
    let core = link.sender_core();
    let (name, namelen) = windows_name(to);
    let data = [0x5au8; 1200];
    let buf = abi::WSABUF {
        len: data.len() as u32,
        buf: data.as_ptr().cast_mut().cast(),
    };
    let mut ovs: Vec<Box<abi::WSAOVERLAPPED>> = (0..COUNT + 64).map(|_| Box::default()).collect();
    let send = |ov: &mut abi::WSAOVERLAPPED| {
        let out = SendResultPtrs {
            bytes_sent: std::ptr::null_mut(),
            overlapped: ov,
            routine: None,
        };
        let no_control = abi::WSABUF {
            len: 0,
            buf: std::ptr::null_mut(),
        };
        // SAFETY: the WSABUF, its bytes, the name and the OVERLAPPED live
        // until the socket is closed below, which completes every send.
        unsafe {
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
        }
    };
    let (warm, measured) = ovs.split_at_mut(64);
    let pended = warm
        .iter_mut()
        .map(|ov| send(ov))
        .filter(|r| matches!(r, Err(e) if e.code() == abi::WSA_IO_PENDING))
        .count();
    assert!(pended > 0, "no C send pended: the link is not slow enough");
    let per = bytes_per_operation(|| {
        for ov in measured.iter_mut() {
            let e = send(ov).expect_err("every send pends behind the slow link");
            assert_eq!(e.code(), abi::WSA_IO_PENDING, "{e}");
        }
    });
    check("C WSASendMsg, OVERLAPPED", per, BUDGET);
    core.close();

    // Rust send_overlapped: the op, and the state its PendingSend shares.
    let tx = link.sender();
    let mut pendings = fill_until_pending(&tx, to);
    let mut buffers: Vec<Vec<u8>> = (0..COUNT).map(|_| vec![0x5a; 1200]).collect();
    pendings.reserve(COUNT);
    let per = bytes_per_operation(|| {
        // drain: the outer Vec, the caller's, is freed after the count.
        for b in buffers.drain(..) {
            let p = tx
                .send_overlapped(b, Some(to), &[])
                .map_err(|e| e.error)
                .unwrap();
            assert!(!p.is_complete(), "pending behind the slow link");
            pendings.push(p);
        }
    });
    check("Rust send_overlapped (PendingSend)", per, BUDGET);
    tx.close();
    for p in pendings {
        let done = p.wait_timeout(LONG).expect("completed by the close");
        drop(done);
    }

    // Rust send_to_port: the buffers travel in the op's delivery.
    let tx = link.sender();
    let port = CompletionPort::new();
    port.associate(&tx, 7).unwrap();
    for p in fill_until_pending(&tx, to) {
        drop(p);
    }
    let mut buffers: Vec<Vec<u8>> = (0..COUNT).map(|_| vec![0x5a; 1200]).collect();
    let per = bytes_per_operation(|| {
        // drain: the outer Vec, the caller's, is freed after the count.
        for b in buffers.drain(..) {
            tx.send_to_port(b, Some(to), &[])
                .map_err(|e| e.error)
                .unwrap();
        }
    });
    check("Rust send_to_port", per, BUDGET);
    tx.close();
    let mut collected = 0;
    while collected < COUNT {
        let got = port.get_many(1024, Some(LONG));
        assert!(!got.is_empty(), "the close completes every send");
        collected += got.len();
    }

    // C WSARecvMsg with an OVERLAPPED, nothing arriving.
    let core = link.b.run(|| {
        let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap();
        core.bind(&"10.0.0.2:0".parse().unwrap()).unwrap();
        std::sync::Arc::new(core)
    });
    let mut bufs: Vec<[u8; 64]> = vec![[0; 64]; COUNT + 1];
    let wsabufs: Vec<abi::WSABUF> = bufs
        .iter_mut()
        .map(|b| abi::WSABUF {
            len: 64,
            buf: b.as_mut_ptr().cast(),
        })
        .collect();
    let mut ovs: Vec<Box<abi::WSAOVERLAPPED>> = (0..COUNT + 1).map(|_| Box::default()).collect();
    let mut flags = vec![0u32; COUNT + 1];
    let post = |i: usize, ov: &mut abi::WSAOVERLAPPED, flags: &mut u32| {
        let outputs = RecvOutputs {
            name: std::ptr::null_mut(),
            namelen: std::ptr::null_mut(),
            control: std::ptr::null_mut(),
            flags,
        };
        // SAFETY: the WSABUF, its bytes, the flags and the OVERLAPPED live
        // until the socket is closed below, which completes every receive.
        let e = unsafe {
            raw::recv_into(
                &core,
                &wsabufs[i],
                1,
                outputs,
                std::ptr::null_mut(),
                ov,
                None,
            )
        }
        .expect_err("nothing arrives: the receive pends");
        assert_eq!(e.code(), abi::WSA_IO_PENDING, "{e}");
    };
    let (first_ov, ovs_rest) = ovs.split_at_mut(1);
    let (first_flags, flags_rest) = flags.split_at_mut(1);
    // The first receive registers the socket with the reactor.
    post(0, &mut first_ov[0], &mut first_flags[0]);
    let per = bytes_per_operation(|| {
        for (i, (ov, f)) in ovs_rest.iter_mut().zip(flags_rest.iter_mut()).enumerate() {
            post(i + 1, ov, f);
        }
    });
    check("C WSARecvMsg, OVERLAPPED", per, BUDGET);
    core.close();
    std::thread::sleep(Duration::from_millis(10));
}
