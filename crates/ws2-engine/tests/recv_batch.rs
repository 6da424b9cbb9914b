//! Batched overlapped receives (S27, S29, S30, S36, S37, S44): receives
//! posted on one socket and waiting are filled by one `recvmmsg` when
//! datagrams come, each completing with its own status, byte count, flags
//! and control data, in posting order; on a URO socket the rest of a run
//! goes to the next receives before anything read after it.

mod recv_common;

use std::sync::Arc;

use recv_common::*;
use ws2_abi as abi;
use ws2_engine::{Port, SocketCore, io};

/// A socket on `addr` bound to a new port, with IN_PKTINFO and TOS/ECN on.
fn on_port(addr: &str) -> (Arc<SocketCore>, Arc<Port>) {
    let core = bound(addr);
    core.set_recv_info(true, true, false).unwrap();
    let port = Arc::new(Port::new());
    core.set_port(port.clone(), 7).unwrap();
    (core, port)
}

/// Between `before` and `after`, `recvmmsg` read at least `messages`
/// messages, in fewer calls than messages.
fn assert_batched(before: io::RecvStats, after: io::RecvStats, messages: u64) {
    let (calls, read) = (
        after.recvmmsg_calls - before.recvmmsg_calls,
        after.messages - before.messages,
    );
    assert!(read >= messages, "{before:?} {after:?}");
    assert!(calls < read, "batched: {calls} calls for {read}");
}

// S29 S30 S36: eight receives wait; one GSO send puts eight datagrams in
// the socket's queue at once (a socket without UDP_GRO gets them apart);
// recvmmsg fills them: fewer calls than datagrams, each receive its own.
#[test]
fn queued_receives_are_filled_by_one_recvmmsg_in_posting_order() {
    let (core, port) = on_port("127.0.0.1:0");
    let tx = sender("127.0.0.1:0");
    let posted: Vec<_> = (0..8).map(|_| Posted::post(&core, 200)).collect();
    assert!(posted.iter().all(|p| p.call == Err(abi::WSA_IO_PENDING)));
    let before = io::recv_stats();
    gso(
        &tx,
        core.local_addr().unwrap(),
        &run(1, 100, 8, 0),
        100,
        Some(0x01),
    );
    let packets = take(&port, 8);
    let after = io::recv_stats();
    for (i, (p, packet)) in posted.iter().zip(&packets).enumerate() {
        assert_eq!(packet.overlapped, &raw const p.ov as usize, "posting order");
        assert_eq!((packet.key, packet.status, packet.bytes), (7, 0, 100));
        assert_eq!(p.status(), (abi::STATUS_SUCCESS, 100));
        assert_eq!(p.bytes()[..2], [1, i as u8]);
        assert_eq!(p.msg.dwFlags, 0);
        assert_eq!(p.source_port(), tx.local_addr().unwrap().port());
        let controls = p.controls();
        assert!(
            controls.contains(&(abi::IPPROTO_IP, abi::IP_ECN, 1)),
            "{controls:?}"
        );
        assert!(controls.iter().any(|c| c.1 == abi::IP_PKTINFO));
        assert_eq!(p.coalesced(), None);
    }
    assert_batched(before, after, 8);
}

// S27 G: in one batch, a receive whose buffer is too short completes with
// STATUS_BUFFER_OVERFLOW and MSG_TRUNC, its neighbours with success.
#[test]
fn each_receive_of_a_batch_completes_with_its_own_status_and_flags() {
    let (core, port) = on_port("127.0.0.1:0");
    let tx = sender("127.0.0.1:0");
    let sizes = [200, 50, 200, 99, 100];
    let posted: Vec<_> = sizes.iter().map(|&n| Posted::post(&core, n)).collect();
    gso(
        &tx,
        core.local_addr().unwrap(),
        &run(2, 100, 5, 0),
        100,
        None,
    );
    let packets = take(&port, 5);
    for (i, (p, packet)) in posted.iter().zip(&packets).enumerate() {
        assert_eq!(packet.overlapped, &raw const p.ov as usize);
        let fits = sizes[i] >= 100;
        let (status, flags) = if fits {
            (abi::STATUS_SUCCESS, 0)
        } else {
            (abi::STATUS_BUFFER_OVERFLOW, abi::MSG_TRUNC)
        };
        assert_eq!(p.status().0, status, "receive {i}");
        if fits {
            assert_eq!(p.status().1, 100, "receive {i}");
        }
        assert_eq!(packet.status, status);
        assert_eq!(p.msg.dwFlags & abi::MSG_TRUNC, flags, "receive {i}");
        assert_eq!(p.data[..2], [2, i as u8]);
    }
}

/// What a blocking `WSARecvMsg` into 200 bytes, with `room` bytes for
/// control entries (`None`: no control buffer), wrote: the data, the control entries, the WSAMSG, and
/// the call's result.
struct Blocking {
    data: [u8; 200],
    control: [u64; 32],
    from: abi::SOCKADDR_STORAGE,
    msg: abi::WSAMSG,
    result: Result<u32, i32>,
}

/// A control `WSABUF` over `control` with `room` bytes, or none.
fn control_buffer(control: &mut [u64; 32], room: Option<u32>) -> abi::WSABUF {
    match room {
        Some(len) => abi::WSABUF {
            len,
            buf: control.as_mut_ptr().cast(),
        },
        None => abi::WSABUF {
            len: 0,
            buf: std::ptr::null_mut(),
        },
    }
}

fn blocking_recv(core: &Arc<SocketCore>, room: Option<u32>) -> Box<Blocking> {
    let mut b = Box::new(Blocking {
        data: [0; 200],
        control: [0; 32],
        from: abi::SOCKADDR_STORAGE::default(),
        // SAFETY: WSAMSG is plain C data; all-zero is valid.
        msg: unsafe { std::mem::zeroed() },
        result: Ok(0),
    });
    let mut wsabuf = abi::WSABUF {
        len: 200,
        buf: b.data.as_mut_ptr().cast(),
    };
    b.msg = abi::WSAMSG {
        name: (&raw mut b.from).cast(),
        namelen: size_of::<abi::SOCKADDR_STORAGE>() as i32,
        lpBuffers: &mut wsabuf,
        dwBufferCount: 1,
        Control: control_buffer(&mut b.control, room),
        dwFlags: 0,
    };
    let mut bytes = 0u32;
    // SAFETY: every pointer is into the box or to `wsabuf`, live for the
    // call, which has no OVERLAPPED.
    b.result = unsafe {
        ws2_engine::raw::recv_msg(core, &raw mut b.msg, &mut bytes, std::ptr::null_mut(), None)
    }
    .map(|_| bytes)
    .map_err(|e| e.code());
    b
}

/// Posts one receive (200 bytes) per control room of [`ROOMS`] on `core`,
/// has `send(i)` send the i-th datagram (or coalesced run) of `len` bytes
/// for each, then again for as many blocking receives, and checks that each
/// batch-filled receive wrote what the blocking receive of the same traffic
/// wrote: data, byte count, source (all of it), control entries and their
/// length, flags; MSG_CTRUNC with STATUS_BUFFER_OVERFLOW (and WSAEMSGSIZE
/// for the blocking call) where the entries do not fit. Returns the entries
/// of the receives with room for all of them.
fn batch_and_blocking_agree(
    core: &Arc<SocketCore>,
    port: &Port,
    send: &dyn Fn(usize),
    len: usize,
    what: &str,
) -> Vec<Vec<(i32, i32, u32)>> {
    let mut posted: Vec<_> = ROOMS.iter().map(|_| Posted::post(core, 200)).collect();
    assert!(
        posted.iter().all(|p| p.call == Err(abi::WSA_IO_PENDING)),
        "{what}"
    );
    // The receives were posted with room for 256 bytes of entries: the
    // rooms are set before the datagrams come.
    for (p, &room) in posted.iter_mut().zip(&ROOMS) {
        p.msg.Control = control_buffer(&mut p.control, room);
    }
    let before = io::recv_stats();
    (0..ROOMS.len()).for_each(send);
    let packets = take(port, ROOMS.len());
    let after = io::recv_stats();
    assert!(
        after.recvmmsg_calls > before.recvmmsg_calls,
        "{what}: recvmmsg filled the receives"
    );
    (0..ROOMS.len()).for_each(send);
    let mut whole = Vec::new();
    for (i, (p, packet)) in posted.iter().zip(&packets).enumerate() {
        let b = blocking_recv(core, ROOMS[i]);
        let r = b.result;
        let what = format!("{what}, receive {i}");
        assert_eq!(packet.overlapped, &raw const p.ov as usize, "{what}");
        assert_eq!(p.status().1, len, "{what}: the byte count");
        assert_eq!(b.data[..len], p.data[..len], "{what}");
        assert_eq!(p.msg.dwFlags, b.msg.dwFlags, "{what}: flags");
        assert_eq!(
            p.msg.Control.len, b.msg.Control.len,
            "{what}: control length"
        );
        let used = p.msg.Control.len as usize / 8;
        assert_eq!(p.control[..used], b.control[..used], "{what}: entries");
        assert_eq!(p.msg.namelen, b.msg.namelen, "{what}: namelen");
        // SAFETY: both are plain SOCKADDR_STORAGEs.
        let name = |s: &abi::SOCKADDR_STORAGE| unsafe {
            std::slice::from_raw_parts((s as *const abi::SOCKADDR_STORAGE).cast::<u8>(), 128)
                .to_vec()
        };
        let namelen = p.msg.namelen as usize;
        assert_eq!(
            name(&p.from)[..namelen],
            name(&b.from)[..namelen],
            "{what}: source"
        );
        if ROOMS[i] != Some(256) {
            assert_eq!(p.msg.dwFlags & abi::MSG_CTRUNC, abi::MSG_CTRUNC, "{what}");
            assert_eq!(p.status().0, abi::STATUS_BUFFER_OVERFLOW, "{what}");
            assert_eq!(r, Err(abi::WSAEMSGSIZE), "{what}");
        } else {
            assert_eq!(p.status().0, abi::STATUS_SUCCESS, "{what}");
            assert_eq!(r, Ok(len as u32), "{what}");
            whole.push(p.controls());
        }
    }
    whole
}

/// The control rooms of [`batch_and_blocking_agree`]'s receives: room for
/// all entries, for none (16 bytes: a header, no data; 0 bytes), and a
/// NULL control buffer (still a buffer without room: MSG_CTRUNC, as a
/// blocking receive says).
const ROOMS: [Option<u32>; 5] = [Some(256), Some(16), Some(0), None, Some(256)];

/// `IP_RECVIF` (or `IPV6_RECVIF`) on: a report the usual case does not
/// write, so receives take the general path.
fn recv_if_on(core: &SocketCore, v6: bool) {
    let opt = ws2_engine::translate::SockOpt::RecvAddress {
        v6,
        what: ws2_engine::translate::RecvAddress::Interface,
    };
    core.set_option(opt, 1).unwrap();
}

// S27 G: a batch writes each C receive's outputs straight from what the
// kernel wrote; they are what a blocking WSARecvMsg of the same datagram
// writes: source, control entries and their length, flags, and for
// control data that does not fit (or a NULL Control.buf), MSG_CTRUNC with
// STATUS_BUFFER_OVERFLOW and the byte count. With IP_RECVIF on (a report
// the usual case does not write) the batch goes the general way, with the
// same outputs. IPv6 too: its source (scope and flow fields included) and
// IN6_PKTINFO.
#[test]
fn a_batch_writes_what_a_blocking_receive_writes() {
    for (addr, v6) in [("127.0.0.1:0", false), ("[::1]:0", true)] {
        for recv_if in [false, true] {
            let (core, port) = on_port(addr);
            if recv_if {
                recv_if_on(&core, v6);
            }
            let tx = sender(addr);
            let to = core.local_addr().unwrap();
            let send = |i: usize| {
                tx.send_to(&[9, i as u8, 0, 0], to).unwrap();
            };
            let what = format!("{addr}, IP_RECVIF {recv_if}");
            for controls in batch_and_blocking_agree(&core, &port, &send, 4, &what) {
                let (level, pktinfo) = if v6 {
                    (abi::IPPROTO_IPV6, abi::IPV6_PKTINFO)
                } else {
                    (abi::IPPROTO_IP, abi::IP_PKTINFO)
                };
                assert!(
                    controls.iter().any(|c| (c.0, c.1) == (level, pktinfo)),
                    "{what}: {controls:?}"
                );
                let recvif = if v6 { abi::IPV6_RECVIF } else { abi::IP_RECVIF };
                assert_eq!(
                    controls.iter().any(|c| (c.0, c.1) == (level, recvif)),
                    recv_if,
                    "{what}: {controls:?}"
                );
            }
        }
    }
}

// S44 S27 G: on a URO socket too, batch-filled receives write what
// blocking ones write for the same coalesced runs: UDP_COALESCED_INFO
// after the other entries, MSG_CTRUNC where they do not fit, and with
// IP_RECVIF the general way.
#[test]
fn a_uro_batch_writes_what_a_blocking_receive_writes() {
    for recv_if in [false, true] {
        let (core, port) = on_port("127.0.0.1:0");
        core.set_recv_max_coalesced(65527).unwrap();
        if recv_if {
            recv_if_on(&core, false);
        }
        let tx = sender("127.0.0.1:0");
        let to = core.local_addr().unwrap();
        // Each send one run of two 60-byte datagrams.
        let send = |i: usize| gso(&tx, to, &run(i as u8, 60, 2, 0), 60, None);
        let what = format!("URO, IP_RECVIF {recv_if}");
        for controls in batch_and_blocking_agree(&core, &port, &send, 120, &what) {
            assert_eq!(
                controls.last(),
                Some(&(abi::IPPROTO_UDP, abi::UDP_COALESCED_INFO, 60)),
                "{what}: {controls:?}"
            );
            assert_eq!(
                controls.iter().any(|c| c.1 == abi::IP_RECVIF),
                recv_if,
                "{what}: {controls:?}"
            );
        }
    }
}

// S44 S29: on a URO socket, a batch's reads keep a flow in order: the rest
// of the first run goes to the next receives before the second run, and
// what no receive takes waits for the next one.
#[test]
fn a_batch_hands_the_rest_of_a_run_on_before_the_next_run() {
    let (core, port) = on_port("127.0.0.1:0");
    core.set_recv_max_coalesced(65527).unwrap();
    let tx = sender("127.0.0.1:0");
    let posted: Vec<_> = (0..4).map(|_| Posted::post(&core, 3000)).collect();
    assert!(posted.iter().all(|p| p.call == Err(abi::WSA_IO_PENDING)));
    let to = core.local_addr().unwrap();
    gso(&tx, to, &run(1, 1200, 5, 0), 1200, None);
    gso(&tx, to, &run(2, 1200, 5, 0), 1200, None);
    let packets = take(&port, 4);
    let expect: [&[(u8, u8)]; 4] = [
        &[(1, 0), (1, 1)],
        &[(1, 2), (1, 3)],
        &[(1, 4)],
        &[(2, 0), (2, 1)],
    ];
    for (i, (p, packet)) in posted.iter().zip(&packets).enumerate() {
        assert_eq!(packet.overlapped, &raw const p.ov as usize);
        assert_eq!(p.status().0, abi::STATUS_SUCCESS, "receive {i}");
        assert_eq!(whole_datagrams(p.bytes(), 1200), expect[i], "receive {i}");
        let coalesced = (expect[i].len() > 1).then_some(1200);
        assert_eq!(p.coalesced(), coalesced, "receive {i}");
        assert_eq!(p.source_port(), tx.local_addr().unwrap().port());
    }
    assert_eq!(core.buffered_in_user_space(), Some(3600));
    // A receive posted now completes at once, from what was left.
    let last = Posted::post(&core, 65536);
    assert_eq!(last.call, Ok(3600));
    assert_eq!(
        whole_datagrams(last.bytes(), 1200),
        [(2, 2), (2, 3), (2, 4)]
    );
    assert_eq!(last.coalesced(), Some(1200));
    assert_eq!(take(&port, 1)[0].overlapped, &raw const last.ov as usize);
}

// S44 S27: UDP_COALESCED_INFO in Windows layout after the other entries,
// and only with two datagrams or more; no room for it is MSG_CTRUNC.
#[test]
fn coalesced_info_is_a_dword_in_windows_layout() {
    let (core, port) = on_port("127.0.0.1:0");
    core.set_recv_max_coalesced(65527).unwrap();
    let tx = sender("127.0.0.1:0");
    let to = core.local_addr().unwrap();
    gso(&tx, to, &run(1, 1000, 3, 0), 1000, None);
    // Posted on a port nobody waits on: pending until the port's next
    // look reads it (recv_deferred.rs), or at once.
    let p = Posted::post(&core, 65536);
    assert!(
        matches!(p.call, Ok(3000) | Err(abi::WSA_IO_PENDING)),
        "{:?}",
        p.call
    );
    take(&port, 1);
    assert_eq!(p.status(), (abi::STATUS_SUCCESS, 3000));
    let controls = p.controls();
    assert_eq!(
        controls.last(),
        Some(&(abi::IPPROTO_UDP, abi::UDP_COALESCED_INFO, 1000))
    );
    // SAFETY: the control buffer is 256 plain bytes.
    let raw: &[u8] = unsafe { std::slice::from_raw_parts(p.control.as_ptr().cast(), 256) };
    let at = p.msg.Control.len as usize - abi::wsa_cmsg_space(4);
    assert_eq!(u64::from_ne_bytes(raw[at..at + 8].try_into().unwrap()), 20);
    // One datagram: no entry.
    tx.send_to(&run(2, 1000, 1, 0), to).unwrap();
    let p = Posted::post(&core, 65536);
    take(&port, 1);
    assert_eq!(p.status(), (abi::STATUS_SUCCESS, 1000));
    assert_eq!(p.coalesced(), None);
}

// S37 S44: closesocket completes every waiting receive with
// WSA_OPERATION_ABORTED, in order.
#[test]
fn closesocket_aborts_waiting_receives_in_order() {
    let (core, port) = on_port("127.0.0.1:0");
    core.set_recv_max_coalesced(65527).unwrap();
    let posted: Vec<_> = (0..3).map(|_| Posted::post(&core, 3000)).collect();
    core.close();
    let packets = take(&port, 3);
    for (p, packet) in posted.iter().zip(&packets) {
        assert_eq!(packet.overlapped, &raw const p.ov as usize);
        assert_eq!(p.status(), (abi::STATUS_CANCELLED, 0));
    }
}

/// A posted receive into `lens.len()` buffers of those lengths.
struct Scattered {
    data: Vec<Vec<u8>>,
    bufs: Vec<abi::WSABUF>,
    control: [u64; 32],
    from: abi::SOCKADDR_STORAGE,
    msg: abi::WSAMSG,
    ov: abi::WSAOVERLAPPED,
    call: Result<u32, i32>,
}

impl Scattered {
    fn post(core: &Arc<SocketCore>, lens: &[usize]) -> Box<Scattered> {
        let mut p = Box::new(Scattered {
            data: lens.iter().map(|&n| vec![0u8; n]).collect(),
            bufs: Vec::new(),
            control: [0; 32],
            from: abi::SOCKADDR_STORAGE::default(),
            // SAFETY: WSAMSG is plain C data; all-zero is valid.
            msg: unsafe { std::mem::zeroed() },
            ov: abi::WSAOVERLAPPED::default(),
            call: Ok(0),
        });
        p.bufs = p
            .data
            .iter_mut()
            .map(|d| abi::WSABUF {
                len: d.len() as u32,
                buf: d.as_mut_ptr().cast(),
            })
            .collect();
        p.msg = abi::WSAMSG {
            name: (&raw mut p.from).cast(),
            namelen: size_of::<abi::SOCKADDR_STORAGE>() as i32,
            lpBuffers: p.bufs.as_mut_ptr(),
            dwBufferCount: p.bufs.len() as u32,
            Control: abi::WSABUF {
                len: size_of::<[u64; 32]>() as u32,
                buf: p.control.as_mut_ptr().cast(),
            },
            dwFlags: 0,
        };
        let mut bytes = 0u32;
        // SAFETY: every pointer is into the box and its vectors, which the
        // test keeps until the receive completed.
        p.call = unsafe {
            ws2_engine::raw::recv_msg(core, &raw mut p.msg, &mut bytes, &raw mut p.ov, None)
        }
        .map(|_| bytes)
        .map_err(|e| e.code());
        p
    }

    /// What the receive wrote, its buffers joined.
    fn joined(&self) -> Vec<u8> {
        self.data.concat()
    }
}

// S21 S27 S30: receives into several buffers wait in one queue with one
// into more buffers than one Linux message takes (1,025 of one byte: read
// on its own, through the bounce buffer); a GSO send puts six datagrams in
// the queue at once. Each receive gets its own datagram scattered over its
// own buffers, in posting order, the others read by recvmmsg.
#[test]
fn queued_receives_into_several_buffers_are_filled_by_recvmmsg() {
    let (core, port) = on_port("127.0.0.1:0");
    let tx = sender("127.0.0.1:0");
    let lens: [&[usize]; 6] = [
        &[10, 20, 200],
        &[1, 99],
        &[1; ws2_engine::translate::MAX_IOVECS + 1],
        &[50, 50, 50],
        &[100],
        &[3, 3, 3, 3, 200],
    ];
    let posted: Vec<_> = lens.iter().map(|l| Scattered::post(&core, l)).collect();
    assert!(posted.iter().all(|p| p.call == Err(abi::WSA_IO_PENDING)));
    let before = io::recv_stats();
    let payload = run(3, 100, 6, 0);
    gso(&tx, core.local_addr().unwrap(), &payload, 100, None);
    let packets = take(&port, 6);
    let after = io::recv_stats();
    for (i, (p, packet)) in posted.iter().zip(&packets).enumerate() {
        assert_eq!(packet.overlapped, &raw const p.ov as usize, "posting order");
        assert_eq!((packet.status, packet.bytes), (0, 100), "receive {i}");
        let got = p.joined();
        assert_eq!(got[..100], payload[i * 100..(i + 1) * 100], "receive {i}");
        assert!(got[100..].iter().all(|&b| b == 0), "receive {i}");
        assert_eq!(p.msg.dwFlags, 0, "receive {i}");
        assert!(p.msg.Control.len > 0, "receive {i}: IN_PKTINFO and IP_ECN");
    }
    // Five of the six came through recvmmsg (the sixth through the bounce
    // buffer).
    assert_batched(before, after, 5);
}

// S21 S44: on a URO socket, a queued receive into as many buffers as one
// Linux message takes (1,024 of one byte) is filled as a blocking one is
// (a URO read would add an overflow buffer: 1,025), and the receive queued
// behind it gets the next run.
#[test]
fn a_queued_uro_receive_into_the_most_buffers_linux_takes_gets_its_run() {
    let (core, port) = on_port("127.0.0.1:0");
    core.set_recv_max_coalesced(65527).unwrap();
    let tx = sender("127.0.0.1:0");
    let most = Scattered::post(&core, &[1; ws2_engine::translate::MAX_IOVECS]);
    let next = Scattered::post(&core, &[2000]);
    assert_eq!(
        (most.call, next.call),
        (Err(abi::WSA_IO_PENDING), Err(abi::WSA_IO_PENDING))
    );
    let to = core.local_addr().unwrap();
    gso(&tx, to, &run(5, 100, 3, 0), 100, None);
    gso(&tx, to, &run(6, 100, 2, 0), 100, None);
    let packets = take(&port, 2);
    assert_eq!(packets[0].overlapped, &raw const most.ov as usize);
    assert_eq!((packets[0].status, packets[0].bytes), (0, 300));
    assert_eq!(
        datagrams(&most.joined()[..300], 100),
        [(5, 0), (5, 1), (5, 2)]
    );
    assert_eq!(packets[1].overlapped, &raw const next.ov as usize);
    assert_eq!((packets[1].status, packets[1].bytes), (0, 200));
    assert_eq!(datagrams(&next.joined()[..200], 100), [(6, 0), (6, 1)]);
}
