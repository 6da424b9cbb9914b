//! S37: the exit of the thread that issued overlapped sends. Its own test
//! binary (own process): threads exit here with I/O pending.
//!
//! Pending sends need a full send buffer: hosts A and B in network
//! namespaces joined by an 8kbit veth (root required). A host that cannot
//! be built FAILS the test; nothing here skips.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ws2::{CompletionPort, SendBuf};
use ws2_abi as abi;

mod slow_link;

use slow_link::{LONG, fill_until_pending, slow_link};

/// A buffer that counts its drops, to see that ws2 releases the buffers of
/// routines that can never run.
struct Tracked {
    data: Vec<u8>,
    drops: Arc<AtomicUsize>,
}

impl AsRef<[u8]> for Tracked {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: the bytes live on the heap in `data`, which never moves or changes.
unsafe impl SendBuf for Tracked {}

// S37: a thread issues event-mode and routine-mode sends that pend, then
// exits. Its event-mode sends complete with WSA_OPERATION_ABORTED, its
// routines never run (their buffers are released), and sends of other
// threads on the same socket are not touched.
#[test]
fn s37_thread_exit_cancels_its_sends_not_others() {
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = Arc::new(link.sender());
    let routine_runs = Arc::new(AtomicUsize::new(0));
    let drops = Arc::new(AtomicUsize::new(0));

    let (filled, events) = {
        let tx = tx.clone();
        let routine_runs = routine_runs.clone();
        let drops = drops.clone();
        thread::spawn(move || {
            let filled = fill_until_pending(&tx, to);
            let mut events = Vec::new();
            for i in 0..5u8 {
                let p = tx
                    .send_overlapped(vec![i; 200], Some(to), &[])
                    .map_err(|e| e.error)
                    .unwrap();
                assert!(!p.is_complete());
                events.push(p);
            }
            for i in 0..5u8 {
                let runs = routine_runs.clone();
                let buf = Tracked {
                    data: vec![i; 200],
                    drops: drops.clone(),
                };
                tx.send_with_routine(buf, Some(to), &[], move |_| {
                    runs.fetch_add(1, Ordering::SeqCst);
                })
                .map_err(|e| e.error)
                .unwrap();
            }
            // No alertable wait: the thread exits with all of them pending.
            (filled, events)
        })
        .join()
        .unwrap()
    };
    // Sends of this (the main) thread, queued after the exited thread's.
    let mine: Vec<_> = (0..3u8)
        .map(|i| {
            tx.send_overlapped(vec![0xa0 + i; 100], Some(to), &[])
                .map_err(|e| e.error)
                .unwrap()
        })
        .collect();

    // join() returns after the thread's exit handlers ran.
    for (i, p) in events.into_iter().enumerate() {
        let c = match p.wait_timeout(Duration::from_secs(2)) {
            Ok(c) => c,
            Err(_) => panic!("S37: event send {i} of an exited thread never completed"),
        };
        assert_eq!(
            c.result.as_ref().err().map(|e| e.code()),
            Some(abi::WSA_OPERATION_ABORTED),
            "event send {i}: {:?}",
            c.result
        );
        assert_eq!(c.buffer, vec![i as u8; 200]);
    }
    // The routines can never run: no thread to run them. Their buffers go.
    let deadline = Instant::now() + Duration::from_secs(2);
    while drops.load(Ordering::SeqCst) < 5 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(drops.load(Ordering::SeqCst), 5, "routine buffers leaked");
    assert!(!ws2::sleep_alertable(Duration::from_millis(100)));
    assert_eq!(routine_runs.load(Ordering::SeqCst), 0, "S37: a routine ran");

    // This thread's sends were not cancelled by the other thread's exit.
    assert!(
        !mine[2].is_complete(),
        "S37: another thread's exit completed this thread's send"
    );
    // The filling sends: successes, or the pending one aborted with the rest.
    for p in filled {
        let c = p.wait_timeout(LONG).expect("filling send completes");
        assert!(
            c.result.is_ok()
                || c.result.as_ref().err().map(|e| e.code()) == Some(abi::WSA_OPERATION_ABORTED),
            "{:?}",
            c.result
        );
    }
    tx.close();
    for p in mine {
        let c = p.wait_timeout(LONG).expect("completes on close");
        assert!(
            c.result.is_ok()
                || c.result.as_ref().err().map(|e| e.code()) == Some(abi::WSA_OPERATION_ABORTED),
            "{:?}",
            c.result
        );
    }
}

// S37, S36: sends on a socket bound to a completion port are not tied to
// the issuing thread: its exit cancels nothing; they complete later,
// normally or on close, one packet each.
#[test]
fn s37_port_bound_sends_survive_thread_exit() {
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = Arc::new(link.sender());
    let port = CompletionPort::new();
    port.associate(&tx, 5).unwrap();

    let issued = {
        let tx = tx.clone();
        thread::spawn(move || {
            let mut n = 0u32;
            // Enough 1200-byte sends to fill the send buffer and queue more.
            for _ in 0..30 {
                let mut d = vec![0u8; 1200];
                d[..4].copy_from_slice(&n.to_le_bytes());
                tx.send_to_port(d, Some(to), &[])
                    .map_err(|e| e.error)
                    .unwrap();
                n += 1;
            }
            n
        })
        .join()
        .unwrap()
    };
    // After the exit: whatever arrives now must not be a cancellation.
    let mut seen = vec![0u32; issued as usize];
    let mut ok_before_close = 0;
    while let Some(p) = port.get(Some(Duration::from_millis(300))) {
        assert_eq!(p.key, 5);
        assert!(
            p.result.is_ok(),
            "S37: a port-bound send failed after its thread exited: {:?}",
            p.result
        );
        let b = p.buffer::<Vec<u8>>().unwrap();
        seen[u32::from_le_bytes(b[..4].try_into().unwrap()) as usize] += 1;
        ok_before_close += 1;
    }
    assert!(
        ok_before_close < issued,
        "the link should still hold pending sends (all {issued} completed)"
    );
    tx.close();
    let mut aborted = 0;
    while let Some(p) = port.get(Some(Duration::from_millis(300))) {
        if p.result.is_err() {
            assert_eq!(
                p.result.as_ref().err().map(|e| e.code()),
                Some(abi::WSA_OPERATION_ABORTED)
            );
            aborted += 1;
        }
        let b = p.buffer::<Vec<u8>>().unwrap();
        seen[u32::from_le_bytes(b[..4].try_into().unwrap()) as usize] += 1;
    }
    assert!(
        aborted > 0,
        "close should have aborted the still-pending sends"
    );
    assert!(
        seen.iter().all(|&n| n == 1),
        "packets per send (want exactly 1 each): {seen:?}"
    );
}
