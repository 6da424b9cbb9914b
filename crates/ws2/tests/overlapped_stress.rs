//! Exactly-once completion of overlapped sends through the Rust API under
//! concurrency (S37, S38, with S33 and S36): issuer threads race closer and
//! flusher threads over sockets on a rate-limited link; every count is kept
//! by the test, not by ws2.
//!
//! Pending sends need a full send buffer: hosts A and B in network
//! namespaces joined by a rate-limited veth (root required). A host that
//! cannot be built FAILS the test; nothing here skips.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ws2::{CompletionPort, Socket};

mod slow_link;

use slow_link::{slow_link, wait_done};

// S37, S38, S33, S36: issuer threads (event, routine, port) race closer and
// flusher threads over slow-link sockets. Every accepted send completes
// exactly once; refused ones never do. Counts kept here, by op id.
#[test]
fn s38_exactly_once_stress() {
    const SOCKETS: usize = 6;
    const PER_THREAD: usize = 400;
    const ISSUERS: usize = 4; // 0,1: event; 2: routine; 3: port
    let link = slow_link("8kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let port = CompletionPort::new();
    let sockets: Arc<Vec<Socket>> = Arc::new(
        (0..SOCKETS)
            .map(|i| {
                let s = link.sender();
                if i % 2 == 1 {
                    port.associate(&s, i).unwrap();
                }
                s
            })
            .collect(),
    );
    let total = ISSUERS * PER_THREAD;
    let counts: Arc<Vec<AtomicU8>> = Arc::new((0..total).map(|_| AtomicU8::new(0)).collect());
    let accepted: Arc<Vec<AtomicBool>> =
        Arc::new((0..total).map(|_| AtomicBool::new(false)).collect());
    let wrong_thread = Arc::new(AtomicUsize::new(0));
    let issued_all = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();

    let payload = |id: usize| {
        let mut d = vec![0u8; 64];
        d[..8].copy_from_slice(&(id as u64).to_le_bytes());
        d
    };

    let mut issuers = Vec::new();
    for t in 0..ISSUERS {
        let sockets = sockets.clone();
        let counts = counts.clone();
        let accepted = accepted.clone();
        let wrong_thread = wrong_thread.clone();
        let issued_all = issued_all.clone();
        issuers.push(thread::spawn(move || {
            let me = thread::current().id();
            let mut pendings = Vec::new();
            let mut routines = 0usize;
            let ran = Arc::new(AtomicUsize::new(0));
            for k in 0..PER_THREAD {
                let id = t * PER_THREAD + k;
                // Port issuers use port-bound sockets (odd), the others even.
                let s = if t == 3 {
                    &sockets[(k % (SOCKETS / 2)) * 2 + 1]
                } else {
                    &sockets[(k % (SOCKETS / 2)) * 2]
                };
                let ok = match t {
                    0 | 1 => match s.send_overlapped(payload(id), Some(to), &[]) {
                        Ok(p) => {
                            pendings.push((id, p));
                            true
                        }
                        Err(e) => {
                            assert_eq!(e.buffer, payload(id));
                            false
                        }
                    },
                    2 => {
                        let counts = counts.clone();
                        let wrong = wrong_thread.clone();
                        let ran = ran.clone();
                        let r = s.send_with_routine(payload(id), Some(to), &[], move |c| {
                            if thread::current().id() != me {
                                wrong.fetch_add(1, Ordering::SeqCst);
                            }
                            let got = u64::from_le_bytes(c.buffer[..8].try_into().unwrap());
                            counts[got as usize].fetch_add(1, Ordering::SeqCst);
                            ran.fetch_add(1, Ordering::SeqCst);
                        });
                        match r {
                            Ok(()) => {
                                routines += 1;
                                true
                            }
                            Err(e) => {
                                assert_eq!(e.buffer, payload(id));
                                false
                            }
                        }
                    }
                    _ => match s.send_to_port(payload(id), Some(to), &[]) {
                        Ok(()) => true,
                        Err(e) => {
                            assert_eq!(e.buffer, payload(id));
                            false
                        }
                    },
                };
                accepted[id].store(ok, Ordering::SeqCst);
                if k % 50 == 0 {
                    // Let routines queued so far run now and then.
                    ws2::sleep_alertable(Duration::from_millis(1));
                }
            }
            issued_all.fetch_add(1, Ordering::SeqCst);
            // Event mode: wait for each; routine mode: stay alertable
            // until every accepted routine ran.
            for (id, p) in pendings {
                let c = wait_done(p, "stress event send");
                let got = u64::from_le_bytes(c.buffer[..8].try_into().unwrap());
                assert_eq!(got as usize, id, "buffer of another op");
                counts[id].fetch_add(1, Ordering::SeqCst);
            }
            let deadline = Instant::now() + Duration::from_secs(15);
            while ran.load(Ordering::SeqCst) < routines && Instant::now() < deadline {
                ws2::sleep_alertable(Duration::from_millis(100));
            }
            while ws2::sleep_alertable(Duration::from_millis(50)) {}
        }));
    }

    // Flusher: flushes random sockets while sends go on.
    let stop = Arc::new(AtomicBool::new(false));
    let flusher = {
        let sockets = sockets.clone();
        let stop = stop.clone();
        thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                sockets[i % SOCKETS].cancel_pending();
                i += 1;
                thread::sleep(Duration::from_millis(3));
            }
        })
    };
    // Closer: closes two sockets mid-run (one of each kind).
    let closer = {
        let sockets = sockets.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            sockets[0].close();
            thread::sleep(Duration::from_millis(20));
            sockets[1].close();
        })
    };
    // Port drainer.
    let port_counts = {
        let port = port.clone();
        let counts = counts.clone();
        let stop = stop.clone();
        thread::spawn(move || {
            let mut n = 0usize;
            loop {
                match port.get(Some(Duration::from_millis(100))) {
                    Some(p) => {
                        let buf = p.buffer::<Vec<u8>>().expect("buffer back");
                        let id = u64::from_le_bytes(buf[..8].try_into().unwrap());
                        counts[id as usize].fetch_add(1, Ordering::SeqCst);
                        n += 1;
                    }
                    None if stop.load(Ordering::SeqCst) => break n,
                    None => {}
                }
            }
        })
    };

    closer.join().unwrap();
    while issued_all.load(Ordering::SeqCst) < ISSUERS {
        assert!(start.elapsed() < Duration::from_secs(20), "issuers stuck");
        thread::sleep(Duration::from_millis(10));
    }
    // Everything still pending ends here.
    for s in sockets.iter() {
        s.close();
    }
    for h in issuers {
        h.join().unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    flusher.join().unwrap();
    let packets = port_counts.join().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );

    assert_eq!(
        wrong_thread.load(Ordering::SeqCst),
        0,
        "routine on a foreign thread"
    );
    let mut accepted_n = 0;
    let mut bad = Vec::new();
    for id in 0..total {
        let want = u8::from(accepted[id].load(Ordering::SeqCst));
        accepted_n += want as usize;
        let got = counts[id].load(Ordering::SeqCst);
        if got != want {
            bad.push((id, want, got));
        }
    }
    assert!(bad.is_empty(), "(op, expected, completions): {bad:?}");
    let port_accepted = (3 * PER_THREAD..total)
        .filter(|&i| accepted[i].load(Ordering::SeqCst))
        .count();
    assert_eq!(packets, port_accepted);
    assert!(accepted_n > total / 4, "too few accepted: {accepted_n}");
}
