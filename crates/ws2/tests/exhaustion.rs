//! S18, S20, S30, S38: running out of file descriptors never panics, never
//! half-makes an operation, and never leaves a socket stuck. Each scenario
//! runs in a forked child whose `RLIMIT_NOFILE` is lowered until no
//! descriptor is free; the parent only sets up the rate-limited link
//! (hosts A and B in network namespaces: root required) and reads the
//! child's report.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ws2::{CompletionPort, Socket};
use ws2_abi as abi;

mod child;
mod slow_link;

use child::{Outcome, check, exhaust_fds, release_fds};
use slow_link::{LONG, slow_link};

/// Fills the socket's send buffer with non-overlapped, non-blocking sends
/// (which start nothing of the reactor's): from here on an overlapped send
/// must pend.
fn fill(tx: &Socket, to: SocketAddr) -> Outcome {
    tx.set_nonblocking(true);
    for _ in 0..10_000 {
        match tx.send_to(&[0x11; 1200], to) {
            Ok(_) => {}
            Err(e) if e.code() == abi::WSAEWOULDBLOCK => {
                tx.set_nonblocking(false);
                return Ok(());
            }
            Err(e) => return Err(format!("filling the send buffer: {e}")),
        }
    }
    Err("10000 sends never filled the rate-limited link".into())
}

fn code(e: &ws2::Error) -> i32 {
    e.code()
}

/// Waits for a routine to have run `n` times in alertable sleeps.
fn routine_runs(runs: &AtomicUsize, n: usize) -> Outcome {
    let start = Instant::now();
    while runs.load(Ordering::SeqCst) < n && start.elapsed() < LONG {
        ws2::sleep_alertable(Duration::from_millis(50));
    }
    check(runs.load(Ordering::SeqCst) == n, || {
        format!(
            "routine ran {} times, expected {n}",
            runs.load(Ordering::SeqCst)
        )
    })
}

/// S20 S30 S38 S18: with no free descriptor the reactor cannot start: an
/// overlapped send (event, routine or port) fails with WSAEMFILE, gives its
/// buffer back and queues nothing (no completion ever arrives). Once
/// descriptors are free again the same sockets send, and each send
/// completes exactly once. With the reactor running, queuing and waiting
/// need no descriptor at all: a fresh thread sends and waits
/// (PendingSend::wait, a port, an alertable sleep) while none is free.
fn exhausted_then_recovered(tx: &Socket, tx_port: &Socket, to: SocketAddr) -> Outcome {
    fill(tx, to)?;
    fill(tx_port, to)?;
    let port = CompletionPort::new();
    port.associate(tx_port, 9).map_err(|e| e.to_string())?;
    // This thread's own state exists before the descriptors run out, so
    // what fails below is the reactor's start.
    ws2::sleep_alertable(Duration::ZERO);
    let runs = Arc::new(AtomicUsize::new(0));

    let held = exhaust_fds(64)?;
    let data = vec![7u8; 1200];
    // Each send below must have to pend: the buffer is filled again right
    // before it (filling needs no descriptor).
    fill(tx, to)?;
    match tx.send_overlapped(data.clone(), Some(to), &[]) {
        Ok(_) => return Err("an overlapped send was accepted with no fd for the reactor".into()),
        Err(e) => {
            check(code(&e.error) == abi::WSAEMFILE, || {
                format!("event send: {}", e.error)
            })?;
            check(e.buffer == data, || {
                "the refused send lost its buffer".into()
            })?;
            let io: std::io::Error = e.error.into();
            check(io.kind() == std::io::ErrorKind::QuotaExceeded, || {
                format!("io kind {:?}", io.kind())
            })?;
        }
    }
    let r = runs.clone();
    fill(tx, to)?;
    let refused = tx.send_with_routine(data.clone(), Some(to), &[], move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    check(
        refused.as_ref().err().map(|e| code(&e.error)) == Some(abi::WSAEMFILE),
        || {
            format!(
                "routine send: {:?}",
                refused.as_ref().err().map(|e| &e.error)
            )
        },
    )?;
    fill(tx_port, to)?;
    let refused = tx_port.send_to_port(data.clone(), Some(to), &[]);
    check(
        refused.as_ref().err().map(|e| code(&e.error)) == Some(abi::WSAEMFILE),
        || format!("port send: {:?}", refused.as_ref().err().map(|e| &e.error)),
    )?;
    // Nothing was queued: no routine, no packet.
    check(!ws2::sleep_alertable(Duration::from_millis(100)), || {
        "a routine ran for a refused send".into()
    })?;
    check(port.get(Some(Duration::from_millis(100))).is_none(), || {
        "a packet arrived for a refused send".into()
    })?;
    // A blocking send that has to wait for buffer space needs the thread's
    // wake fd (it polls the socket): it fails the same way, sending nothing.
    fill(tx, to)?;
    let blocked = std::thread::spawn({
        let tx = tx.clone();
        move || tx.send_to(&[1; 1200], to).map_err(|e| e.code())
    })
    .join()
    .map_err(|_| "the blocking sender panicked".to_string())?;
    check(blocked == Err(abi::WSAEMFILE), || {
        format!("blocking send: {blocked:?}")
    })?;

    // Descriptors are back: the same sockets send and complete.
    release_fds(held);
    let pending = tx
        .send_overlapped(data.clone(), Some(to), &[])
        .map_err(|e| format!("event send after recovery: {}", e.error))?;
    let done = pending.wait();
    check(done.result.as_ref().ok() == Some(&1200), || {
        format!("event send after recovery: {:?}", done.result)
    })?;
    let r = runs.clone();
    tx.send_with_routine(data.clone(), Some(to), &[], move |c| {
        if c.result.is_ok() {
            r.fetch_add(1, Ordering::SeqCst);
        }
    })
    .map_err(|e| format!("routine send after recovery: {}", e.error))?;
    routine_runs(&runs, 1)?;
    tx_port
        .send_to_port(data.clone(), Some(to), &[])
        .map_err(|e| format!("port send after recovery: {}", e.error))?;
    let packet = port.get(Some(LONG)).ok_or("no packet after recovery")?;
    check(packet.key == 9 && packet.result.is_ok(), || {
        format!("packet after recovery: {packet:?}")
    })?;
    check(port.get(Some(Duration::from_millis(50))).is_none(), || {
        "a second packet for one send".into()
    })?;

    // The reactor runs: queuing and waiting need no descriptor.
    let held = exhaust_fds(64)?;
    let fresh = std::thread::spawn({
        let tx = tx.clone();
        let tx_port = tx_port.clone();
        let port = port.clone();
        move || -> Outcome {
            fill(&tx, to)?;
            let p = tx
                .send_overlapped(vec![3u8; 1000], Some(to), &[])
                .map_err(|e| format!("send with no free fd: {}", e.error))?;
            check(!p.is_complete(), || "the send did not pend".into())?;
            let done = p.wait();
            check(done.result.as_ref().ok() == Some(&1000), || {
                format!("PendingSend::wait with no free fd: {:?}", done.result)
            })?;
            let runs = Arc::new(AtomicUsize::new(0));
            let r = runs.clone();
            tx.send_with_routine(vec![4u8; 1000], Some(to), &[], move |c| {
                if c.result.is_ok() {
                    r.fetch_add(1, Ordering::SeqCst);
                }
            })
            .map_err(|e| format!("routine send with no free fd: {}", e.error))?;
            routine_runs(&runs, 1)?;
            tx_port
                .send_to_port(vec![5u8; 1000], Some(to), &[])
                .map_err(|e| format!("port send with no free fd: {}", e.error))?;
            let packet = port.get(Some(LONG)).ok_or("no packet with no free fd")?;
            check(packet.result.is_ok(), || format!("{packet:?}"))
        }
    })
    .join()
    .map_err(|_| "the fresh thread panicked".to_string())?;
    release_fds(held);
    fresh
}

#[test]
fn s20_fd_exhaustion_queues_nothing_and_the_socket_recovers() {
    // S18 S20 S30 S38
    let link = slow_link("64kbit");
    let rx = link.receiver();
    let to = rx.local_addr().unwrap();
    let (tx, tx_port) = (link.sender(), link.sender());
    let child = child::fork(|| exhausted_then_recovered(&tx, &tx_port, to));
    if let Err(e) = child.wait(Duration::from_secs(60)) {
        panic!("{e}");
    }
}
