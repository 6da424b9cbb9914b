//! Waiting costs nothing and scales: idle waits burn no CPU, routines stay
//! on their issuing thread, and many events or pending sends need no fds
//! of their own (DESIGN: only sockets are fds; S31, S33, S36).

use std::net::UdpSocket;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use ws2::{CompletionPort, Event, Socket};

const IDLE: Duration = Duration::from_secs(1);
const MAX_CPU: Duration = Duration::from_millis(50);

/// CPU time (user + system) of the calling thread.
fn thread_cpu() -> Duration {
    // SAFETY: getrusage fills a valid rusage struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) };
    assert_eq!(r, 0, "getrusage: {}", std::io::Error::last_os_error());
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Runs `wait` on a fresh thread and returns (CPU used, wall time) there.
fn measure(wait: impl FnOnce() + Send + 'static) -> (Duration, Duration) {
    thread::spawn(move || {
        // Warm up ws2's per-thread state so its creation is not counted.
        assert!(!ws2::sleep_alertable(Duration::from_millis(1)));
        let cpu = thread_cpu();
        let t = Instant::now();
        wait();
        (thread_cpu() - cpu, t.elapsed())
    })
    .join()
    .unwrap()
}

fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

// S31: a thread idle 1 s in Event::wait burns < 50 ms CPU.
#[test]
fn idle_event_wait_uses_no_cpu() {
    let (cpu, wall) = measure(|| {
        let e = Event::new();
        assert!(!e.wait(Some(IDLE)), "nothing sets the event");
    });
    assert!(
        wall >= IDLE - Duration::from_millis(20),
        "returned early: {wall:?}"
    );
    assert!(cpu < MAX_CPU, "Event::wait burned {cpu:?} CPU in {wall:?}");
}

// S33: a thread idle 1 s in sleep_alertable burns < 50 ms CPU.
#[test]
fn idle_alertable_sleep_uses_no_cpu() {
    let (cpu, wall) = measure(|| {
        assert!(!ws2::sleep_alertable(IDLE), "no routine queued");
    });
    assert!(
        wall >= IDLE - Duration::from_millis(20),
        "returned early: {wall:?}"
    );
    assert!(
        cpu < MAX_CPU,
        "sleep_alertable burned {cpu:?} CPU in {wall:?}"
    );
}

// S36: a thread idle 1 s in CompletionPort::get burns < 50 ms CPU.
#[test]
fn idle_port_get_uses_no_cpu() {
    let (cpu, wall) = measure(|| {
        let port = CompletionPort::new();
        assert!(port.get(Some(IDLE)).is_none(), "no packet posted");
    });
    assert!(
        wall >= IDLE - Duration::from_millis(20),
        "returned early: {wall:?}"
    );
    assert!(
        cpu < MAX_CPU,
        "CompletionPort::get burned {cpu:?} CPU in {wall:?}"
    );
}

// S33: two threads, two sockets: each thread's routines run on it alone,
// and only in its own alertable waits.
#[test]
fn routines_run_only_on_their_issuing_thread() {
    const N: usize = 50;
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = rx.local_addr().unwrap();
    let ran_on = Arc::new(Mutex::new(Vec::<(usize, ThreadId)>::new()));
    let handles: Vec<_> = (0..2usize)
        .map(|t| {
            let ran_on = ran_on.clone();
            thread::spawn(move || {
                let tx = Socket::udp_v4().unwrap();
                let count = Arc::new(AtomicUsize::new(0));
                for _ in 0..N {
                    let ran_on = ran_on.clone();
                    let count = count.clone();
                    tx.send_with_routine(vec![t as u8; 32], Some(to), &[], move |c| {
                        assert_eq!(c.result.unwrap(), 32);
                        ran_on.lock().unwrap().push((t, thread::current().id()));
                        count.fetch_add(1, Ordering::SeqCst);
                    })
                    .map_err(|e| e.error)
                    .unwrap();
                }
                // Non-alertable waits never run them.
                assert!(!Event::new().wait(Some(Duration::from_millis(30))));
                assert_eq!(count.load(Ordering::SeqCst), 0);
                let deadline = Instant::now() + Duration::from_secs(10);
                while count.load(Ordering::SeqCst) < N && Instant::now() < deadline {
                    ws2::sleep_alertable(Duration::from_millis(100));
                }
                assert!(!ws2::sleep_alertable(Duration::from_millis(50)));
                assert_eq!(
                    count.load(Ordering::SeqCst),
                    N,
                    "thread {t}: each routine once"
                );
                thread::current().id()
            })
        })
        .collect();
    let ids: Vec<ThreadId> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ran_on = ran_on.lock().unwrap();
    assert_eq!(ran_on.len(), 2 * N);
    for (t, id) in ran_on.iter() {
        assert_eq!(
            *id, ids[*t],
            "a routine of thread {t} ran on another thread"
        );
    }
}

// DESIGN (events live in user space), S31: 10,000 events alive at once
// cost no fds; 10,000 PendingSends on loopback complete and are waited.
#[test]
fn ten_thousand_events_and_pending_sends() {
    const N: usize = 10_000;
    // Per-thread wake fd first, so it is not counted below. Other tests of
    // this binary open a few fds meanwhile: the bound is far below N.
    assert!(!ws2::sleep_alertable(Duration::from_millis(1)));
    let before = fd_count();
    let events: Vec<Event> = (0..N).map(|_| Event::new()).collect();
    for e in events.iter().step_by(2) {
        e.set();
    }
    let grown = fd_count().saturating_sub(before);
    assert!(grown < 64, "{N} events took {grown} fds");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.wait(Some(Duration::ZERO)), i % 2 == 0, "event {i}");
    }

    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = rx.local_addr().unwrap();
    let tx = Socket::udp_v4().unwrap();
    let before = fd_count();
    let pending: Vec<_> = (0..N)
        .map(|i| {
            tx.send_overlapped((i as u32).to_le_bytes().to_vec(), Some(to), &[])
                .map_err(|e| e.error)
                .expect("loopback send")
        })
        .collect();
    let grown = fd_count().saturating_sub(before);
    assert!(grown < 64, "{N} pending sends took {grown} fds");
    for (i, p) in pending.into_iter().enumerate() {
        let c = match p.wait_timeout(Duration::from_secs(10)) {
            Ok(c) => c,
            Err(_) => panic!("send {i} never completed"),
        };
        assert_eq!(c.result.unwrap(), 4);
        assert_eq!(c.buffer, (i as u32).to_le_bytes());
    }
    drop(events);
}
