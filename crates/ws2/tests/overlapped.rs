//! Overlapped sends through the Rust API (SPEC section D): immediate and
//! pending completion in each mode (event / `PendingSend`, completion
//! routine, completion port), ordering, cancellation by close and flush,
//! the pending limit, call-time errors and the `Future`; the exactly-once
//! stress run is `overlapped_stress.rs`.
//!
//! Pending sends need a full send buffer: hosts A and B in network
//! namespaces joined by a rate-limited veth (root required). A host that
//! cannot be built FAILS the test; nothing here skips.

use std::collections::HashMap;
use std::future::Future;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::pin::pin;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use ws2::{CompletionPort, ControlMessage, Socket};
use ws2_abi as abi;

mod slow_link;

use slow_link::{LONG, fill_until_pending, slow_link, wait_done};

// ---------------------------------------------------------------------------
// Helpers

fn loopback_rx() -> UdpSocket {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    rx
}

fn big_rcvbuf(rx: &UdpSocket) {
    let v: libc::c_int = 8 << 20;
    // SAFETY: setsockopt with a valid int on our own socket.
    let r = unsafe {
        libc::setsockopt(
            rx.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            (&raw const v).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(r, 0, "SO_RCVBUFFORCE: {}", std::io::Error::last_os_error());
}

fn err_code(r: &ws2::Result<usize>) -> Option<i32> {
    r.as_ref().err().map(|e| e.code())
}

/// A waker that unparks the thread blocked in `block_on`.
struct Unpark(thread::Thread, AtomicUsize);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.unpark();
    }
}

/// A minimal executor: polls, parks until woken; panics after `limit`.
/// Returns the output and how many polls it took.
fn block_on<F: Future>(f: F, limit: Duration) -> (F::Output, usize) {
    let unpark = Arc::new(Unpark(thread::current(), AtomicUsize::new(0)));
    let waker = Waker::from(unpark.clone());
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    let deadline = Instant::now() + limit;
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return (v, polls);
        }
        let now = Instant::now();
        assert!(now < deadline, "future not ready within {limit:?}");
        thread::park_timeout(deadline - now);
    }
}

// ---------------------------------------------------------------------------
// S29: immediate completion on loopback, each mode

// S29, S31: event mode — call returns, event already set, wait gives the
// byte count and the buffer back.
#[test]
fn s29_immediate_event_mode() {
    let rx = loopback_rx();
    let to = rx.local_addr().unwrap();
    let tx = Socket::udp_v4().unwrap();
    let p = tx
        .send_overlapped(b"hello".to_vec(), Some(to), &[])
        .map_err(|e| e.error)
        .unwrap();
    assert!(p.is_complete(), "loopback send should complete at once");
    assert!(p.event().is_set(), "S29: the event is still set");
    assert!(p.event().wait(Some(Duration::ZERO)));
    let done = p.wait();
    assert_eq!(done.result.unwrap(), 5);
    assert_eq!(done.buffer, b"hello");
    let mut buf = [0u8; 16];
    let (n, _) = rx.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello");
}

// S29, S33: routine mode — the routine is queued even for an immediate
// success, runs only inside sleep_alertable, exactly once, on this thread.
#[test]
fn s29_s33_immediate_routine_mode() {
    let rx = loopback_rx();
    let to = rx.local_addr().unwrap();
    let tx = Socket::udp_v4().unwrap();
    let ran = Arc::new(Mutex::new(Vec::<(ThreadId, usize, Vec<u8>)>::new()));
    let seen = ran.clone();
    tx.send_with_routine(b"routine".to_vec(), Some(to), &[], move |c| {
        seen.lock()
            .unwrap()
            .push((thread::current().id(), c.result.unwrap(), c.buffer));
    })
    .map_err(|e| e.error)
    .unwrap();
    // Not in a non-alertable wait, nor a plain sleep.
    thread::sleep(Duration::from_millis(50));
    assert!(
        ran.lock().unwrap().is_empty(),
        "ran outside an alertable wait"
    );
    let e = ws2::Event::new();
    assert!(!e.wait(Some(Duration::from_millis(50))));
    assert!(
        ran.lock().unwrap().is_empty(),
        "ran in a non-alertable wait"
    );
    // Another thread's alertable wait does not run it.
    thread::spawn(|| assert!(!ws2::sleep_alertable(Duration::from_millis(50))))
        .join()
        .unwrap();
    assert!(ran.lock().unwrap().is_empty(), "ran on another thread");

    assert!(
        ws2::sleep_alertable(LONG),
        "S33: WAIT_IO_COMPLETION expected"
    );
    {
        let r = ran.lock().unwrap();
        assert_eq!(r.len(), 1, "exactly once");
        assert_eq!(r[0].0, thread::current().id(), "on the issuing thread");
        assert_eq!(r[0].1, 7);
        assert_eq!(r[0].2, b"routine", "buffer handed back");
    }
    assert!(!ws2::sleep_alertable(Duration::from_millis(50)));
    assert_eq!(ran.lock().unwrap().len(), 1, "ran a second time");
}

// S29, S36: port mode — the packet carries the key, the byte count and the
// buffer; exactly one packet.
#[test]
fn s29_s36_immediate_port_mode() {
    let rx = loopback_rx();
    let to = rx.local_addr().unwrap();
    let tx = Socket::udp_v4().unwrap();
    let port = CompletionPort::new();
    port.associate(&tx, 0xfeed).unwrap();
    tx.send_to_port(b"port!!".to_vec(), Some(to), &[])
        .map_err(|e| e.error)
        .unwrap();
    let done = port.get(Some(LONG)).expect("a packet");
    assert_eq!(done.key, 0xfeed);
    assert_eq!(done.result.as_ref().unwrap(), &6);
    assert_eq!(done.buffer::<Vec<u8>>().unwrap(), b"port!!");
    assert!(
        port.get(Some(Duration::from_millis(100))).is_none(),
        "a second packet for one send"
    );
}

// S36: a routine on a port-bound socket → WSAEINVAL, buffer back, nothing
// queued (S20).
#[test]
fn s36_routine_on_port_bound_socket_is_einval() {
    let rx = loopback_rx();
    let to = rx.local_addr().unwrap();
    let tx = Socket::udp_v4().unwrap();
    let port = CompletionPort::new();
    port.associate(&tx, 1).unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let err = tx
        .send_with_routine(b"abc".to_vec(), Some(to), &[], move |_| {
            r.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap_err();
    assert_eq!(err.error.code(), abi::WSAEINVAL);
    assert_eq!(err.buffer, b"abc");
    assert!(!ws2::sleep_alertable(Duration::from_millis(100)));
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    assert!(port.get(Some(Duration::from_millis(100))).is_none());
}

// S20: a call-time error (an IPv6 source on a v4 socket) → SendError with
// WSAEINVAL and the buffer; no event, routine or packet ever arrives.
#[test]
fn s20_call_time_error_queues_nothing() {
    let rx = loopback_rx();
    let to = rx.local_addr().unwrap();
    let bad = [ControlMessage::SourceV6 {
        addr: "::1".parse().unwrap(),
        ifindex: 0,
    }];

    let tx = Socket::udp_v4().unwrap();
    let err = tx
        .send_overlapped(b"event".to_vec(), Some(to), &bad)
        .expect_err("must fail at call time");
    assert_eq!(err.error.code(), abi::WSAEINVAL, "{}", err.error);
    assert_eq!(err.buffer, b"event");

    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let err = tx
        .send_with_routine(b"routine".to_vec(), Some(to), &bad, move |_| {
            r.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap_err();
    assert_eq!(err.error.code(), abi::WSAEINVAL);
    assert_eq!(err.buffer, b"routine");
    assert!(!ws2::sleep_alertable(Duration::from_millis(100)));
    assert_eq!(ran.load(Ordering::SeqCst), 0, "S20: a routine ran");

    let ptx = Socket::udp_v4().unwrap();
    // Not bound to a port yet → WSAEINVAL, buffer back.
    let err = ptx
        .send_to_port(b"noport".to_vec(), Some(to), &[])
        .unwrap_err();
    assert_eq!(err.error.code(), abi::WSAEINVAL);
    assert_eq!(err.buffer, b"noport");
    let port = CompletionPort::new();
    port.associate(&ptx, 3).unwrap();
    let err = ptx
        .send_to_port(b"port".to_vec(), Some(to), &bad)
        .unwrap_err();
    assert_eq!(err.error.code(), abi::WSAEINVAL);
    assert_eq!(err.buffer, b"port");
    assert!(
        port.get(Some(Duration::from_millis(200))).is_none(),
        "S20: a packet arrived"
    );
    // Nothing reached the receiver either.
    rx.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0u8; 16];
    assert!(rx.recv_from(&mut buf).is_err(), "S20: a datagram was sent");
}

// ---------------------------------------------------------------------------
// S30: pending for real

// S30: on a full, rate-limited link a send stays pending, then completes
// normally with its byte count and buffer.
#[test]
fn s30_pending_then_completes() {
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let mut sends = fill_until_pending(&tx, to);
    let last = sends.pop().unwrap();
    assert!(!last.event().is_set(), "S30: event set while pending");
    let last = match last.wait_timeout(Duration::from_millis(100)) {
        Ok(c) => panic!("completed too soon on an 8kbit link: {:?}", c.result),
        Err(p) => p,
    };
    for (i, p) in sends.into_iter().enumerate() {
        let c = wait_done(p, "immediate send");
        assert_eq!(c.result.unwrap(), 1200, "send {i}");
    }
    let c = match last.wait_timeout(Duration::from_secs(30)) {
        Ok(c) => c,
        Err(_) => panic!("pending send never completed"),
    };
    assert_eq!(c.result.unwrap(), 1200);
    assert_eq!(c.buffer.len(), 1200);
    tx.close();
}

// S30 via the Future: polled by a thread-parking executor, first Pending,
// then Ready once the reactor completes it.
#[test]
fn future_completes_on_the_pending_path() {
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let _earlier = fill_until_pending(&tx, to);
    let fut = tx
        .send_msg_async(vec![7u8; 1200], Some(to), &[])
        .map_err(|e| e.error)
        .unwrap();
    assert!(!fut.is_complete(), "behind a pending send, must pend");
    let (done, polls) = block_on(fut, Duration::from_secs(30));
    assert!(polls >= 2, "first poll should have been Pending");
    assert_eq!(done.result.unwrap(), 1200);
    assert_eq!(done.buffer, vec![7u8; 1200]);
    tx.close();
}

// ---------------------------------------------------------------------------
// S34: one FIFO per socket

// S34: 2,000 overlapped sends from one thread mixed with blocking sends
// from a second thread, through a 10mbit link with a small SO_SNDBUF,
// arrive in per-thread order, none lost.
#[test]
fn s34_overlapped_and_blocking_sends_keep_per_thread_order() {
    const OVERLAPPED: u32 = 2000;
    const BLOCKING: u32 = 1000;
    let link = slow_link("10mbit");
    link.receive_on_one_cpu();
    let rx = link.receiver();
    big_rcvbuf(&rx);
    let to = rx.local_addr().unwrap();
    let tx = Arc::new(link.sender());
    // Resolve B's neighbour entry first: while ARP is unresolved Linux
    // queues datagrams in the neighbour entry and may let a later one
    // overtake them when resolution completes (kernel, not ws2).
    tx.send_to(b"warm-up", to).expect("warm-up send");
    let mut warm = [0u8; 16];
    assert_eq!(rx.recv_from(&mut warm).expect("warm-up datagram").0, 7);
    let start = Instant::now();

    let reader = thread::spawn(move || {
        let mut got: Vec<(u8, u32)> = Vec::new();
        let mut buf = [0u8; 256];
        let deadline = Instant::now() + Duration::from_secs(30);
        while got.len() < (OVERLAPPED + BLOCKING) as usize && Instant::now() < deadline {
            match rx.recv_from(&mut buf) {
                Ok((n, _)) => {
                    assert_eq!(n, 100);
                    got.push((buf[0], u32::from_le_bytes(buf[1..5].try_into().unwrap())));
                }
                Err(_) => break, // 5 s with nothing: give up, checked below
            }
        }
        got
    });

    let blocking = {
        let tx = tx.clone();
        thread::spawn(move || {
            for seq in 0..BLOCKING {
                let mut d = [0u8; 100];
                d[0] = 2;
                d[1..5].copy_from_slice(&seq.to_le_bytes());
                assert_eq!(tx.send_to(&d, to).expect("blocking send"), 100);
            }
        })
    };
    let mut pending = Vec::new();
    let mut pended = 0;
    for seq in 0..OVERLAPPED {
        let mut d = vec![0u8; 100];
        d[0] = 1;
        d[1..5].copy_from_slice(&seq.to_le_bytes());
        let p = tx
            .send_overlapped(d, Some(to), &[])
            .map_err(|e| e.error)
            .expect("overlapped send");
        if !p.is_complete() {
            pended += 1;
        }
        pending.push(p);
    }
    blocking.join().unwrap();
    for p in pending {
        assert_eq!(wait_done(p, "ordered send").result.unwrap(), 100);
    }
    let got = reader.join().unwrap();
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(pended > 0, "no send ever pended: the link did not fill");
    let mut next = HashMap::from([(1u8, 0u32), (2u8, 0u32)]);
    if std::env::var_os("S34_DUMP").is_some() {
        eprintln!("first received: {:?}", &got[..got.len().min(40)]);
        eprintln!("received {} of {}", got.len(), OVERLAPPED + BLOCKING);
    }
    for (i, (tag, seq)) in got.iter().enumerate() {
        let want = next.get_mut(tag).expect("unknown tag");
        assert_eq!(seq, want, "datagram {i}: thread {tag} out of order");
        *want += 1;
    }
    assert_eq!(next[&1], OVERLAPPED, "overlapped datagrams lost");
    assert_eq!(next[&2], BLOCKING, "blocking datagrams lost");
}

// ---------------------------------------------------------------------------
// S37: close and flush cancel pending sends

// S37, S38: closesocket with pending sends: each pending PendingSend
// completes with WSA_OPERATION_ABORTED exactly once, buffer back.
#[test]
fn s37_close_aborts_pending_event_sends() {
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let immediate = fill_until_pending(&tx, to);
    let mut pending = Vec::new();
    for i in 0..20u8 {
        let p = tx
            .send_overlapped(vec![i; 300], Some(to), &[])
            .map_err(|e| e.error)
            .unwrap();
        assert!(!p.is_complete(), "behind a pending send, must pend");
        pending.push((i, p));
    }
    tx.close();
    for (i, p) in pending {
        // Already complete: close completes synchronously.
        assert!(p.is_complete(), "op {i} not complete after close");
        let c = wait_done(p, "aborted send");
        assert_eq!(
            err_code(&c.result),
            Some(abi::WSA_OPERATION_ABORTED),
            "op {i}: {:?}",
            c.result
        );
        assert_eq!(c.buffer, vec![i; 300], "op {i} buffer");
    }
    // The first pending one may have gone out before close: either is fine.
    for p in immediate {
        let c = wait_done(p, "earlier send");
        assert!(
            c.result.is_ok() || err_code(&c.result) == Some(abi::WSA_OPERATION_ABORTED),
            "{:?}",
            c.result
        );
    }
    // After close, a new send is refused with its buffer.
    let err = tx
        .send_overlapped(b"late".to_vec(), Some(to), &[])
        .expect_err("send after close must fail");
    assert_eq!(err.buffer, b"late");
}

// S37, S33: close with pending routine sends: each routine runs exactly
// once with WSA_OPERATION_ABORTED on this thread's next alertable wait.
#[test]
fn s37_close_aborts_pending_routine_sends() {
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let _earlier = fill_until_pending(&tx, to);
    let runs: Arc<Vec<AtomicU8>> = Arc::new((0..20).map(|_| AtomicU8::new(0)).collect());
    let codes = Arc::new(Mutex::new(Vec::new()));
    for i in 0..20usize {
        let runs = runs.clone();
        let codes = codes.clone();
        let me = thread::current().id();
        tx.send_with_routine(vec![i as u8; 300], Some(to), &[], move |c| {
            assert_eq!(thread::current().id(), me);
            runs[i].fetch_add(1, Ordering::SeqCst);
            codes
                .lock()
                .unwrap()
                .push((i, err_code(&c.result), c.buffer));
        })
        .map_err(|e| e.error)
        .unwrap();
    }
    tx.close();
    let deadline = Instant::now() + LONG;
    while codes.lock().unwrap().len() < 20 && Instant::now() < deadline {
        ws2::sleep_alertable(Duration::from_millis(200));
    }
    while ws2::sleep_alertable(Duration::from_millis(100)) {}
    for (i, r) in runs.iter().enumerate() {
        assert_eq!(r.load(Ordering::SeqCst), 1, "routine {i} ran ≠ once");
    }
    for (i, code, buf) in codes.lock().unwrap().iter() {
        assert_eq!(*code, Some(abi::WSA_OPERATION_ABORTED), "routine {i}");
        assert_eq!(buf, &vec![*i as u8; 300]);
    }
}

// S37, S36: close with pending port sends: one packet per send, 995, key
// and buffer back.
#[test]
fn s37_close_aborts_pending_port_sends() {
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let port = CompletionPort::new();
    port.associate(&tx, 99).unwrap();
    // Fill with port sends: count the immediate ones from their packets.
    let mut issued = 0u32;
    loop {
        assert!(issued < 2000, "link never filled");
        let mut d = vec![0u8; 1200];
        d[..4].copy_from_slice(&issued.to_le_bytes());
        tx.send_to_port(d, Some(to), &[])
            .map_err(|e| e.error)
            .unwrap();
        issued += 1;
        // Immediate successes post at once; a send that posts nothing pends.
        if port.get(Some(Duration::from_millis(20))).is_none() {
            break;
        }
    }
    for i in issued..issued + 20 {
        let mut d = vec![0u8; 1200];
        d[..4].copy_from_slice(&i.to_le_bytes());
        tx.send_to_port(d, Some(to), &[])
            .map_err(|e| e.error)
            .unwrap();
    }
    let first_pending = issued - 1;
    tx.close();
    let mut seen = HashMap::new();
    while let Some(p) = port.get(Some(Duration::from_millis(300))) {
        assert_eq!(p.key, 99);
        let code = err_code(&p.result);
        let buf = p.buffer::<Vec<u8>>().expect("buffer back");
        let id = u32::from_le_bytes(buf[..4].try_into().unwrap());
        if id != first_pending {
            assert_eq!(code, Some(abi::WSA_OPERATION_ABORTED), "op {id}");
        }
        *seen.entry(id).or_insert(0) += 1;
    }
    for id in first_pending..issued + 20 {
        assert_eq!(seen.get(&id), Some(&1), "op {id}: packets ≠ 1");
    }
    assert_eq!(seen.len() as u32, 21, "packets for unknown ops: {seen:?}");
}

// S37: SIO_FLUSH (cancel_pending()) aborts pending sends like close, and the
// socket stays usable.
#[test]
fn s37_flush_aborts_pending_and_socket_stays_usable() {
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let _earlier = fill_until_pending(&tx, to);
    let pending: Vec<_> = (0..10u8)
        .map(|i| {
            tx.send_overlapped(vec![i; 100], Some(to), &[])
                .map_err(|e| e.error)
                .unwrap()
        })
        .collect();
    tx.cancel_pending();
    for (i, p) in pending.into_iter().enumerate() {
        assert!(p.is_complete(), "op {i} not complete after flush");
        let c = wait_done(p, "flushed send");
        assert_eq!(err_code(&c.result), Some(abi::WSA_OPERATION_ABORTED));
        assert_eq!(c.buffer, vec![i as u8; 100]);
    }
    let after = tx
        .send_overlapped(b"after flush".to_vec(), Some(to), &[])
        .map_err(|e| e.error)
        .expect("the socket stays open after a flush");
    tx.close();
    let c = wait_done(after, "send after flush");
    assert!(
        c.result.is_ok() || err_code(&c.result) == Some(abi::WSA_OPERATION_ABORTED),
        "{:?}",
        c.result
    );
}

// ---------------------------------------------------------------------------
// S18: the pending limit

// S18, S20: past max_pending_sends() queued sends, a send fails with
// WSAEWOULDBLOCK and its buffer; nothing is queued for it.
#[test]
fn s18_pending_limit_is_wouldblock() {
    let limit = ws2_engine::io::max_pending_sends();
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let mut all = fill_until_pending(&tx, to);
    let mut accepted_pending = 1usize;
    let refused = loop {
        assert!(
            accepted_pending <= limit + 1000,
            "{accepted_pending} pending sends accepted, limit {limit}"
        );
        let mut d = vec![0u8; 64];
        d[..8].copy_from_slice(&(accepted_pending as u64).to_le_bytes());
        match tx.send_overlapped(d, Some(to), &[]) {
            Ok(p) => {
                all.push(p);
                accepted_pending += 1;
            }
            Err(e) => break e,
        }
    };
    assert_eq!(
        refused.error.code(),
        abi::WSAEWOULDBLOCK,
        "{}",
        refused.error
    );
    assert_eq!(
        u64::from_le_bytes(refused.buffer[..8].try_into().unwrap()),
        accepted_pending as u64,
        "the refused buffer comes back"
    );
    // The reactor may have sent a few meanwhile; never fewer than the limit.
    assert!(
        accepted_pending >= limit,
        "refused after {accepted_pending} pending, limit {limit}"
    );
    tx.close();
    let mut aborted = 0;
    for p in all {
        let c = wait_done(p, "send at the limit");
        match err_code(&c.result) {
            None => {}
            Some(abi::WSA_OPERATION_ABORTED) => aborted += 1,
            Some(e) => panic!("unexpected error {e}"),
        }
    }
    assert!(aborted >= limit - 10, "only {aborted} aborted");
}

// S37: after close, every kind of send is refused at call time with the
// buffer back (also when the send buffer has room: loopback), and nothing
// reaches the receiver.
#[test]
fn s37_sends_after_close_are_refused() {
    let rx = loopback_rx();
    rx.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let to = rx.local_addr().unwrap();
    let tx = Socket::udp_v4().unwrap();
    tx.send_to(b"before", to).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(rx.recv_from(&mut buf).unwrap().0, 6);
    tx.close();
    match tx.send_overlapped(b"after".to_vec(), Some(to), &[]) {
        Err(e) => assert_eq!(e.buffer, b"after"),
        Ok(p) => panic!(
            "overlapped send after close accepted: {:?}",
            p.wait_timeout(LONG).ok().map(|c| c.result)
        ),
    }
    assert!(
        tx.send_to(b"blocking", to).is_err(),
        "blocking send after close succeeded"
    );
    assert!(
        rx.recv_from(&mut buf).is_err(),
        "a datagram sent after close arrived"
    );
}

// S34 with S26: a segmented send (UDP_SEND_MSG_SIZE) made while overlapped
// sends are queued waits for them and leaves after them, still segmented.
#[test]
fn s34_segmented_send_keeps_its_place_behind_queued_sends() {
    let link = slow_link("1mbit");
    link.receive_on_one_cpu();
    let rx = link.receiver();
    big_rcvbuf(&rx);
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    tx.send_to(b"warm-up", to).unwrap();
    let mut buf = vec![0u8; 65536];
    assert_eq!(rx.recv(&mut buf).unwrap(), 7);

    let queued = fill_until_pending(&tx, to);
    let data: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
    let bufs = [std::io::IoSlice::new(&data)];
    let control = [ControlMessage::SegmentSize(500)];
    let msg = ws2::Message::new(&bufs).to(to).control(&control);
    assert_eq!(tx.send_msg(&msg, ws2::SendFlags::NONE).unwrap(), 1500);
    for p in queued {
        wait_done(p, "queued send").result.unwrap();
    }
    // Every earlier 1200-byte datagram first, then the three segments.
    let mut lens = Vec::new();
    loop {
        let n = rx
            .recv(&mut buf)
            .unwrap_or_else(|e| panic!("datagram after {lens:?}: {e}"));
        lens.push(n);
        if n == 500 && lens.iter().filter(|&&l| l == 500).count() == 3 {
            break;
        }
    }
    let first_segment = lens.iter().position(|&l| l == 500).unwrap();
    assert!(lens[..first_segment].iter().all(|&l| l == 1200), "{lens:?}");
    assert_eq!(&lens[first_segment..], &[500, 500, 500], "{lens:?}");
}
