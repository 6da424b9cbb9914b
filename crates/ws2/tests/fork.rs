//! S43: `fork`. Sockets made before a fork stay usable in the child; ws2's
//! per-process state (reactor, wake fds, queues) restarts there on first
//! use; what was pending in the parent at the fork is dropped in the child
//! and completes exactly once in the parent; a fork while other threads
//! are inside ws2 never leaves the child a lock it cannot take.
//!
//! Hosts A and B in network namespaces joined by a rate-limited veth (root
//! required). The forks happen on a thread inside A, so the children's new
//! sockets live in A too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ws2::{CompletionPort, PendingSend, Socket};

mod child;
mod slow_link;

use child::{Outcome, check};
use slow_link::{LONG, fill_until_pending, slow_link};

/// One overlapped send, waited for; `Err` unless it sent `len` bytes.
fn send_and_wait(tx: &Socket, to: SocketAddr, len: usize, what: &str) -> Outcome {
    let p = tx
        .send_overlapped(vec![0x43; len], Some(to), &[])
        .map_err(|e| format!("{what}: refused: {}", e.error))?;
    let done = p.wait();
    check(done.result.as_ref().ok() == Some(&len), || {
        format!("{what}: {:?}", done.result)
    })
}

/// One send with a completion routine, run in this thread's alertable sleeps.
fn send_with_routine(tx: &Socket, to: SocketAddr, what: &str) -> Outcome {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    tx.send_with_routine(vec![0x44; 300], Some(to), &[], move |c| {
        if c.result.is_ok() {
            r.fetch_add(1, Ordering::SeqCst);
        }
    })
    .map_err(|e| format!("{what}: refused: {}", e.error))?;
    let start = Instant::now();
    while runs.load(Ordering::SeqCst) == 0 && start.elapsed() < LONG {
        ws2::sleep_alertable(Duration::from_millis(50));
    }
    check(runs.load(Ordering::SeqCst) == 1, || {
        format!(
            "{what}: the routine ran {} times",
            runs.load(Ordering::SeqCst)
        )
    })
}

/// One send to the socket's port; packets of other sends (the parent's,
/// copied with the port) are skipped until this one's arrives.
fn send_to_port_and_get(tx: &Socket, port: &CompletionPort, to: SocketAddr, what: &str) -> Outcome {
    let mine = b"this child's".to_vec();
    tx.send_to_port(mine.clone(), Some(to), &[])
        .map_err(|e| format!("{what}: refused: {}", e.error))?;
    let start = Instant::now();
    while start.elapsed() < LONG {
        let Some(p) = port.get(Some(LONG)) else { break };
        let ok = p.result.is_ok();
        if p.buffer::<Vec<u8>>().as_ref() == Some(&mine) {
            return check(ok, || format!("{what}: the send failed"));
        }
    }
    Err(format!("{what}: no packet"))
}

/// The child's side: it sends on inherited and new sockets and every send
/// completes; what the parent had pending at the fork never completes here.
fn child_side(
    tx: &Socket,
    tx_port: &Socket,
    port: &CompletionPort,
    to: SocketAddr,
    parent_pending: &[PendingSend<Vec<u8>>],
    parent_routines: &[AtomicUsize],
) -> Outcome {
    let was_pending: Vec<bool> = parent_pending.iter().map(|p| !p.is_complete()).collect();
    check(was_pending.iter().any(|&p| p), || {
        "no send of the parent was pending at the fork".into()
    })?;
    // Inherited sockets: blocking, event, routine, port.
    tx.send_to(&[0x42; 1000], to)
        .map_err(|e| format!("blocking send on the inherited socket: {e}"))?;
    send_and_wait(tx, to, 1000, "overlapped send on the inherited socket")?;
    send_with_routine(tx, to, "routine on the inherited socket")?;
    send_to_port_and_get(tx_port, port, to, "port send on the inherited socket")?;
    // New sockets and a new port.
    let fresh = Socket::udp_v4().map_err(|e| e.to_string())?;
    fresh
        .send_to(&[0x45; 500], to)
        .map_err(|e| format!("blocking send on a new socket: {e}"))?;
    send_and_wait(&fresh, to, 500, "overlapped send on a new socket")?;
    let fresh_port = CompletionPort::new();
    let on_port = Socket::udp_v4().map_err(|e| e.to_string())?;
    fresh_port
        .associate(&on_port, 1)
        .map_err(|e| e.to_string())?;
    send_to_port_and_get(&on_port, &fresh_port, to, "port send on a new socket")?;
    // The parent's operations: dropped here, never completed, not even by
    // closing the socket; their routines never run here.
    tx.close();
    ws2::sleep_alertable(Duration::from_millis(100));
    for (i, (p, was)) in parent_pending.iter().zip(&was_pending).enumerate() {
        check(!was || !p.is_complete(), || {
            format!("the parent's pending send {i} completed in the child")
        })?;
    }
    check(
        parent_routines
            .iter()
            .all(|r| r.load(Ordering::SeqCst) == 0),
        || "a routine of the parent ran in the child".into(),
    )
}

// S43 S38
#[test]
fn s43_child_uses_inherited_and_new_sockets_parent_completes_its_own_once() {
    // Slow enough that the parent's sends are still pending when the child
    // starts, even on a loaded machine.
    let link = slow_link("256kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let tx_port = link.sender();
    let port = CompletionPort::new();
    port.associate(&tx_port, 3).unwrap();
    let outcome = link.a.run(|| -> Outcome {
        let mut pending = fill_until_pending(&tx, to);
        for i in 0..8u8 {
            pending.push(
                tx.send_overlapped(vec![i; 1200], Some(to), &[])
                    .map_err(|e| e.error.to_string())?,
            );
        }
        let routines: Arc<[AtomicUsize]> = (0..4).map(|_| AtomicUsize::new(0)).collect();
        for i in 0..4 {
            let r = routines.clone();
            tx.send_with_routine(vec![0x50; 1200], Some(to), &[], move |c| {
                if c.result.is_ok() {
                    r[i].fetch_add(1, Ordering::SeqCst);
                }
            })
            .map_err(|e| e.error.to_string())?;
        }
        for i in 0..8u8 {
            tx_port
                .send_to_port(vec![i; 1200], Some(to), &[])
                .map_err(|e| e.error.to_string())?;
        }
        let child = child::fork(|| child_side(&tx, &tx_port, &port, to, &pending, &routines));
        child.wait(Duration::from_secs(60))?;

        // The parent: each of its operations completes once, here.
        for (i, p) in pending.into_iter().enumerate() {
            let done = p
                .wait_timeout(LONG)
                .map_err(|_| format!("send {i} never completed"))?;
            check(done.result.is_ok(), || {
                format!("send {i}: {:?}", done.result)
            })?;
        }
        let start = Instant::now();
        while routines.iter().any(|r| r.load(Ordering::SeqCst) == 0) && start.elapsed() < LONG {
            ws2::sleep_alertable(Duration::from_millis(50));
        }
        ws2::sleep_alertable(Duration::from_millis(100));
        for (i, r) in routines.iter().enumerate() {
            let n = r.load(Ordering::SeqCst);
            check(n == 1, || {
                format!("routine {i} ran {n} times in the parent")
            })?;
        }
        for i in 0..8 {
            let p = port
                .get(Some(LONG))
                .ok_or(format!("port packet {i} missing"))?;
            check(p.key == 3 && p.result.is_ok(), || format!("{p:?}"))?;
        }
        check(port.get(Some(Duration::from_millis(200))).is_none(), || {
            "an extra packet in the parent".into()
        })
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

// S43: the daemonize pattern: fork, the parent exits at once, the child
// (in a session of its own) goes on using ws2. The daemon is a grandchild
// of this process: it reports through a pipe.
#[test]
fn s43_daemonize_parent_exits_child_goes_on() {
    let link = slow_link("1mbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = link.sender();
    let report = link.a.run(|| -> Result<String, String> {
        // Sends pending when the daemon's parent forks and exits.
        let pending = fill_until_pending(&tx, to);
        let mut fds = [0; 2];
        // SAFETY: fds is a valid array of two ints.
        check(
            unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == 0,
            || "pipe2".into(),
        )?;
        let parent = child::fork(|| {
            // SAFETY: fork has no arguments.
            let pid = unsafe { libc::fork() };
            if pid != 0 {
                return check(pid > 0, || "fork in the daemon's parent".into()); // exits at once
            }
            // SAFETY: setsid and getpid have no arguments.
            let pid = unsafe {
                libc::setsid();
                libc::getpid()
            };
            // The test kills the daemon if it does not report in time.
            let hello = format!("pid {pid}\n");
            // SAFETY: writes a live buffer to the pipe's write end.
            unsafe { libc::write(fds[1], hello.as_ptr().cast(), hello.len()) };
            let verdict = (|| -> Outcome {
                send_and_wait(&tx, to, 800, "the daemon's overlapped send")?;
                send_with_routine(&tx, to, "the daemon's routine")?;
                let port = CompletionPort::new();
                let on_port = Socket::udp_v4().map_err(|e| e.to_string())?;
                port.associate(&on_port, 1).map_err(|e| e.to_string())?;
                send_to_port_and_get(&on_port, &port, to, "the daemon's port send")?;
                tx.send_to(&[0x46; 900], to)
                    .map(drop)
                    .map_err(|e| format!("the daemon's blocking send: {e}"))
            })();
            let text = match verdict {
                Ok(()) => "daemon: ok".to_string(),
                Err(e) => format!("daemon: {e}"),
            };
            // SAFETY: writes a live buffer to the pipe's write end.
            unsafe { libc::write(fds[1], text.as_ptr().cast(), text.len()) };
            // SAFETY: the daemon leaves without the harness's atexit work.
            unsafe { libc::_exit(0) };
        });
        // SAFETY: this process's copy of the write end.
        unsafe { libc::close(fds[1]) };
        parent.wait(Duration::from_secs(10))?;
        let text = read_with_deadline(fds[0], Duration::from_secs(60));
        // SAFETY: our read end.
        unsafe { libc::close(fds[0]) };
        let (hello, verdict) = text.split_once('\n').unwrap_or((&text, ""));
        if verdict.is_empty()
            && let Some(pid) = hello.strip_prefix("pid ").and_then(|p| p.parse().ok())
        {
            // SAFETY: the daemon this test started, which did not report.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        let verdict = verdict.to_string();
        // The parent's own sends still complete here.
        for p in pending {
            let done = p
                .wait_timeout(LONG)
                .map_err(|_| "a send never completed".to_string())?;
            check(done.result.is_ok(), || format!("{:?}", done.result))?;
        }
        Ok(verdict)
    });
    assert_eq!(report, Ok("daemon: ok".to_string()));
}

/// Reads a pipe until EOF or the deadline.
fn read_with_deadline(fd: libc::c_int, limit: Duration) -> String {
    let start = Instant::now();
    let mut out = Vec::new();
    while start.elapsed() < limit {
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: p is a valid pollfd.
        if unsafe { libc::poll(&mut p, 1, 100) } <= 0 {
            continue;
        }
        let mut buf = [0u8; 512];
        // SAFETY: buf is a live buffer.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            break;
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

// S43: forks while other threads are inside ws2 all the time (pending
// sends drained by the reactor, completion ports, events, sockets made and
// dropped): every child gets every lock it needs and finishes in bounded
// time.
#[test]
fn s43_fork_while_threads_hammer_ws2_never_deadlocks() {
    let link = slow_link("2mbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let tx = Arc::new(link.sender());
    let tx_port = Arc::new(link.sender());
    let port = CompletionPort::new();
    port.associate(&tx_port, 4).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut hammers = Vec::new();
    for _ in 0..2 {
        let (tx, stop) = (tx.clone(), stop.clone());
        hammers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let window: Vec<_> = (0..8)
                    .filter_map(|_| tx.send_overlapped(vec![1u8; 200], Some(to), &[]).ok())
                    .collect();
                for p in window {
                    let _ = p.wait();
                }
            }
        }));
    }
    {
        let (tx_port, port, stop) = (tx_port.clone(), port.clone(), stop.clone());
        hammers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let _ = tx_port.send_to_port(vec![2u8; 200], Some(to), &[]);
                port.post(99, 1);
                let _ = port.get_many(8, Some(Duration::from_millis(100)));
                let e = ws2::Event::new();
                e.set();
                e.wait(Some(Duration::ZERO));
                drop(Socket::udp_v4());
                ws2::sleep_alertable(Duration::ZERO);
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(100));
    let outcome = link.a.run(|| -> Outcome {
        for i in 0..30 {
            let child = child::fork(|| {
                tx.send_to(&[3; 300], to)
                    .map_err(|e| format!("blocking send: {e}"))?;
                send_and_wait(&tx, to, 300, "overlapped send on the inherited socket")?;
                port.post(77, 1);
                let start = Instant::now();
                while start.elapsed() < LONG {
                    if port.get(Some(LONG)).is_some_and(|p| p.key == 77) {
                        let fresh = Socket::udp_v4().map_err(|e| e.to_string())?;
                        return send_and_wait(&fresh, to, 300, "a new socket");
                    }
                }
                Err("the posted packet never came".into())
            });
            child
                .wait(Duration::from_secs(10))
                .map_err(|e| format!("fork {i}: {e}"))?;
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    });
    stop.store(true, Ordering::Relaxed);
    for h in hammers {
        h.join().unwrap();
    }
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
