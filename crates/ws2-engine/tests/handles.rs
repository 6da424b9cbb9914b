//! The process's handle table and WSAStartup/WSACleanup state through
//! `ws2_engine::handles`. That state is process-global: every check of the
//! startup count is in ONE test (`s4_startup_cleanup_counting`), and the
//! tests of this file take a lock so a final cleanup in one never removes
//! the handles another is looking at.

use std::sync::{Arc, Mutex, MutexGuard};

use ws2_abi as abi;
use ws2_engine::handles::{self, Object};
use ws2_engine::{Family, SocketCore, SocketKind};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn new_core() -> Arc<SocketCore> {
    Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap())
}

fn insert(core: &Arc<SocketCore>) -> usize {
    handles::insert(Object::Socket(core.clone())).unwrap()
}

fn notsock(handle: usize) {
    match handles::socket(handle) {
        Ok(_) => panic!("handle {handle:#x} still names a socket"),
        Err(e) => assert_eq!(e.code(), abi::WSAENOTSOCK, "{handle:#x}: {e}"),
    }
}

// S4, S40: reference-counted startup; the final cleanup closes every socket
// and their handles are gone (also after a new startup).
#[test]
fn s4_startup_cleanup_counting() {
    let _g = serial();

    // Before any startup.
    let err = handles::check_started().unwrap_err();
    assert_eq!(err.code(), abi::WSANOTINITIALISED, "{err}");
    let err = handles::cleanup().unwrap_err();
    assert_eq!(
        err.code(),
        abi::WSANOTINITIALISED,
        "cleanup without startup: {err}"
    );
    handles::check_started().unwrap_err();

    // Two startups need two cleanups.
    handles::startup();
    handles::check_started().unwrap();
    handles::startup();
    let core1 = new_core();
    let core2 = new_core();
    let h1 = insert(&core1);
    let h2 = insert(&core2);
    assert!(handles::socket(h1).is_ok());
    handles::cleanup().unwrap();
    handles::check_started().expect("one startup is still in force");
    assert!(
        handles::socket(h1).is_ok(),
        "a non-final cleanup must not close handles"
    );
    assert!(!core1.is_closed());

    // The final cleanup.
    handles::cleanup().unwrap();
    let err = handles::check_started().unwrap_err();
    assert_eq!(err.code(), abi::WSANOTINITIALISED, "{err}");
    let err = handles::cleanup().unwrap_err();
    assert_eq!(
        err.code(),
        abi::WSANOTINITIALISED,
        "second final cleanup: {err}"
    );
    assert!(core1.is_closed(), "final cleanup closes sockets");
    assert!(core2.is_closed(), "final cleanup closes sockets");
    notsock(h1);
    notsock(h2);

    // A new startup does not bring the old handles back.
    handles::startup();
    handles::check_started().unwrap();
    notsock(h1);
    notsock(h2);
    let core3 = new_core();
    let h3 = insert(&core3);
    assert_ne!(h3, h1);
    assert_ne!(h3, h2);
    assert!(handles::socket(h3).is_ok());
    notsock(h1);
    notsock(h2);
    handles::cleanup().unwrap();
    assert!(core3.is_closed());
    notsock(h3);
    handles::check_started().unwrap_err();
}

// S5: closed, INVALID_SOCKET and forged handles are WSAENOTSOCK.
#[test]
fn s5_closed_and_forged_handles_are_not_sockets() {
    let _g = serial();
    let core = new_core();
    let h = insert(&core);
    let found = handles::socket(h).unwrap();
    assert!(Arc::ptr_eq(&found, &core));
    assert!(matches!(handles::remove(h), Some(Object::Socket(_))));
    notsock(h);
    assert!(handles::remove(h).is_none(), "a second close finds nothing");
    notsock(h);

    // The slot is reused with another generation: the old value stays dead.
    let core2 = new_core();
    let h2 = insert(&core2);
    notsock(h);
    assert!(Arc::ptr_eq(&handles::socket(h2).unwrap(), &core2));

    const INVALID_SOCKET: usize = usize::MAX;
    for forged in [
        INVALID_SOCKET,
        0,
        1,
        2,
        3,
        h2 + 1,
        h2 + 4 * 100_000,
        1 << 31,
        1 << 40,
    ] {
        notsock(forged);
        assert!(handles::remove(forged).is_none(), "{forged:#x}");
    }
    assert!(handles::remove(h2).is_some());
    notsock(h2);
}

fn new_event() -> usize {
    handles::insert(Object::Event(Arc::new(ws2_engine::Event::new()))).unwrap()
}

// S5: a closed handle's value stays dead across 2^20 further close/open
// cycles. Before the FIFO free list and the 12-bit generation, the slot
// came straight back with an 8-bit generation, so the value named a live
// object again after 256 cycles. Events exercise the same table as sockets,
// without an fd per cycle.
#[test]
fn s5_closed_value_stays_dead_for_2_pow_20_cycles() {
    let _g = serial();
    let core = new_core();
    let closed = insert(&core);
    assert!(handles::remove(closed).is_some());
    for cycle in 0..1u32 << 20 {
        let h = new_event();
        assert_ne!(
            h, closed,
            "cycle {cycle}: the closed value was handed out again"
        );
        assert!(handles::remove(h).is_some());
        if cycle % 4096 == 0 || cycle >= (1 << 20) - 4096 {
            notsock(closed);
        }
    }
    notsock(closed);
    assert!(handles::object(closed).is_none());
}

// S5: the live-handle ceiling the README states; past it WSAEMFILE, and a
// close makes room again.
#[test]
fn s5_live_handle_ceiling_is_wsaemfile() {
    /// Closes what it holds, also when an assertion fails.
    struct Open(Vec<usize>);
    impl Drop for Open {
        fn drop(&mut self) {
            for h in self.0.drain(..) {
                handles::remove(h);
            }
        }
    }
    let _g = serial();
    let mut open = Open(Vec::with_capacity(handles::MAX_LIVE_HANDLES));
    let err = loop {
        match handles::insert(Object::Event(Arc::new(ws2_engine::Event::new()))) {
            Ok(h) => open.0.push(h),
            Err(e) => break e,
        }
        assert!(
            open.0.len() <= handles::MAX_LIVE_HANDLES,
            "more than MAX_LIVE_HANDLES handles were handed out"
        );
    };
    assert_eq!(err.code(), abi::WSAEMFILE, "{err}");
    // This test holds the lock, so nothing else is open but leftovers of
    // tests in this process (none hold handles past their end).
    assert_eq!(open.0.len(), handles::MAX_LIVE_HANDLES);
    const { assert!(handles::MAX_LIVE_HANDLES >= 100_000) };
    assert!(handles::remove(open.0.pop().unwrap()).is_some());
    open.0.push(new_event());
    assert_eq!(
        handles::insert(Object::Event(Arc::new(ws2_engine::Event::new())))
            .unwrap_err()
            .code(),
        abi::WSAEMFILE
    );
}

/// A thread that looked `h` up last and then waits: it holds what it
/// remembered until `go` says to look up `next` (which replaces it), or,
/// without one, to exit.
fn remember_on_a_thread(
    h: usize,
    next: Option<usize>,
) -> (std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (looked_tx, looked_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        drop(handles::socket(h).unwrap());
        looked_tx.send(()).unwrap();
        go_rx.recv().unwrap();
        if let Some(next) = next {
            drop(handles::socket(next).unwrap());
        }
    });
    looked_rx.recv().unwrap();
    (go_tx, t)
}

// S5 (closesocket): a datagram socket another thread looked up last
// (and holds, lent to its calls without a reference count) is closed for
// the kernel at its close: its port can be bound again at once and its
// handle names nothing; its memory goes at that thread's next lookup.
#[test]
fn s5_a_datagram_socket_remembered_by_another_thread_lets_its_port_go_at_close() {
    let _g = serial();
    let core = new_core();
    core.bind(&"127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = core.local_addr().unwrap();
    let h = insert(&core);
    let other = new_core();
    let next = insert(&other);
    let (go, t) = remember_on_a_thread(h, Some(next));

    let weak = Arc::downgrade(&core);
    let closed = handles::socket(h).unwrap().to_arc();
    assert!(handles::remove(h).is_some());
    closed.close_handle();
    drop((closed, core));
    notsock(h);
    assert_eq!(weak.strong_count(), 1, "the other thread still holds it");
    let again = new_core();
    again
        .bind(&addr)
        .expect("the closed socket's port is free at once");

    go.send(()).unwrap();
    t.join().unwrap();
    assert_eq!(weak.strong_count(), 0, "gone at the thread's next lookup");
    handles::remove(next);
}

// S5: a socket closed on the thread that looked it up last goes with the
// close (nothing of it stays remembered).
#[test]
fn s5_a_socket_closed_on_the_thread_that_used_it_goes_at_once() {
    let _g = serial();
    let core = new_core();
    let h = insert(&core);
    let weak = Arc::downgrade(&core);
    drop(core);
    assert_eq!(handles::socket(h).unwrap().kind(), SocketKind::Datagram);
    let closing = handles::socket(h).unwrap().to_arc();
    handles::remove(h).unwrap();
    closing.close();
    drop(closing);
    assert_eq!(weak.strong_count(), 0);
}

// S5: a stream another thread looked up last is held weakly (a graceful
// close ends with its last reference): it goes with its close.
#[test]
fn s5_a_stream_remembered_by_another_thread_goes_with_its_close() {
    let _g = serial();
    let core = Arc::new(SocketCore::new(Family::V4, SocketKind::Stream, 0, true).unwrap());
    let h = insert(&core);
    let other = new_core();
    let next = insert(&other);
    let (go, t) = remember_on_a_thread(h, Some(next));
    let weak = Arc::downgrade(&core);
    handles::remove(h).unwrap();
    core.close();
    drop(core);
    assert_eq!(weak.strong_count(), 0);
    go.send(()).unwrap();
    t.join().unwrap();
    handles::remove(next);
}

// S5: a lookup made while this thread's remembered socket is lent to a
// call leaves it in place; each reference names its own socket, and a
// close meanwhile does not pull the lent one away.
#[test]
fn s5_a_lookup_within_a_call_keeps_the_lent_socket() {
    let _g = serial();
    let (a, b) = (new_core(), new_core());
    let (ha, hb) = (insert(&a), insert(&b));
    drop(handles::socket(ha).unwrap());
    let lent = handles::socket(ha).unwrap();
    assert!(lent.is_lent(), "remembered and lent");
    let inner = handles::socket(hb).unwrap();
    assert!(!inner.is_lent(), "the slot is lent");
    assert!(Arc::ptr_eq(&lent, &a) && Arc::ptr_eq(&inner, &b));
    handles::remove(ha).unwrap();
    a.close();
    drop(a);
    assert!(lent.is_closed(), "still readable while lent");
    drop((lent, inner));
    notsock(ha);
    assert!(handles::socket(hb).unwrap().is_lent());
    handles::remove(hb);
}

// S5: two lookups of one handle within a call both lend the remembered
// socket; once both are gone the slot can take another socket again.
#[test]
fn s5_lent_references_are_counted_back() {
    let _g = serial();
    let (a, b) = (new_core(), new_core());
    let (ha, hb) = (insert(&a), insert(&b));
    drop(handles::socket(ha).unwrap());
    let (one, two) = (handles::socket(ha).unwrap(), handles::socket(ha).unwrap());
    assert!(one.is_lent() && two.is_lent());
    assert_eq!(
        Arc::strong_count(&a),
        3,
        "the table, the remembered one, `a`"
    );
    drop(one);
    assert!(!handles::socket(hb).unwrap().is_lent(), "one still lent");
    drop(two);
    drop(handles::socket(hb).unwrap());
    assert!(handles::socket(hb).unwrap().is_lent(), "b remembered now");
    assert_eq!(Arc::strong_count(&a), 2, "a no longer remembered");
    handles::remove(ha);
    handles::remove(hb);
}

// S5: a thread that exits remembering a closed socket lets it go.
#[test]
fn s5_a_thread_exit_lets_its_remembered_socket_go() {
    let _g = serial();
    let core = new_core();
    let h = insert(&core);
    let (go_tx, t) = remember_on_a_thread(h, None);
    let weak = Arc::downgrade(&core);
    handles::remove(h).unwrap();
    core.close_handle();
    drop(core);
    assert_eq!(weak.strong_count(), 1, "the thread remembers it");
    go_tx.send(()).unwrap();
    t.join().unwrap();
    assert_eq!(weak.strong_count(), 0, "gone with the thread");
}

// S5: a call that raced a handle's close and reaches the released socket
// (its fds name the placeholder) fails with WSAENOTSOCK, not with what the
// placeholder answers (FIONREAD's ioctl: ENOTTY).
#[test]
fn s5_a_call_on_a_released_socket_is_wsaenotsock() {
    let core = new_core();
    core.bind(&"127.0.0.1:0".parse().unwrap()).unwrap();
    core.close_handle();
    let err = ws2_engine::readiness::pending_bytes(&core).unwrap_err();
    assert_eq!(err.code(), abi::WSAENOTSOCK, "{err}");
}
