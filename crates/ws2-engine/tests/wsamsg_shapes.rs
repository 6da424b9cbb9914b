//! Arbitrary `WSAMSG` shapes through the raw core that `WSASendMsg` calls
//! (S6–S8, S21, S22): never a panic, never a read outside `name`/`namelen`
//! or `Control.len` (each buffer ends at a PROT_NONE guard page, so a read
//! one byte too far faults), and only the Winsock codes the contract allows.

use std::net::UdpSocket;
use std::sync::Arc;

use proptest::prelude::*;
use ws2_abi as abi;
use ws2_engine::raw::{self, SendResultPtrs};
use ws2_engine::{Family, SocketCore, SocketKind};

/// `len` bytes placed so that the byte after the last one is unmapped.
struct Guarded {
    base: *mut u8,
    map_len: usize,
    start: usize,
    len: usize,
}

impl Guarded {
    fn new(bytes: &[u8]) -> Guarded {
        // SAFETY: sysconf has no pointer arguments.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let data_pages = bytes.len().div_ceil(page).max(1);
        let map_len = (data_pages + 1) * page;
        // SAFETY: an anonymous private mapping; checked below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED);
        let base = base.cast::<u8>();
        // SAFETY: the last page of our own mapping becomes the guard.
        let r =
            unsafe { libc::mprotect(base.add(data_pages * page).cast(), page, libc::PROT_NONE) };
        assert_eq!(r, 0);
        let start = data_pages * page - bytes.len();
        // SAFETY: `start + len` is the end of the writable pages.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), base.add(start), bytes.len()) };
        Guarded {
            base,
            map_len,
            start,
            len: bytes.len(),
        }
    }

    fn ptr(&self) -> *mut u8 {
        // SAFETY: `start` is inside the mapping (at most its writable end).
        unsafe { self.base.add(self.start) }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping.
        unsafe { libc::munmap(self.base.cast(), self.map_len) };
    }
}

fn sockaddr_v4(port: u16) -> Vec<u8> {
    let sin = abi::SOCKADDR_IN {
        sin_family: abi::AF_INET as u16,
        sin_port: port.to_be(),
        sin_addr: abi::IN_ADDR {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: SOCKADDR_IN is plain data of this size.
    unsafe {
        std::slice::from_raw_parts((&raw const sin).cast::<u8>(), std::mem::size_of_val(&sin))
    }
    .to_vec()
}

#[derive(Debug, Clone)]
struct Shape {
    name: Option<Vec<u8>>,
    namelen_delta: i32,
    buffers: Vec<usize>,
    control: Option<Vec<u8>>,
    control_len_delta: i32,
    flags: u32,
}

fn shape() -> impl Strategy<Value = Shape> {
    let name = prop_oneof![
        Just(None),
        any::<u16>().prop_map(|_| Some(Vec::new())),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Some),
    ];
    let control = prop_oneof![
        Just(None),
        proptest::collection::vec(any::<u8>(), 0..96).prop_map(Some),
        // Well-formed IN_PKTINFO entries, sometimes twice, sometimes cut.
        (0usize..3, any::<bool>()).prop_map(|(n, cut)| {
            let mut buf = Vec::new();
            for _ in 0..n {
                let mut p = vec![127, 0, 0, 1];
                p.extend_from_slice(&0u32.to_ne_bytes());
                abi::push_control(&mut buf, abi::IPPROTO_IP, abi::IP_PKTINFO, &p);
            }
            if cut && !buf.is_empty() {
                buf.pop();
            }
            Some(buf)
        }),
    ];
    (
        name,
        -4i32..4,
        proptest::collection::vec(0usize..300, 0..20),
        control,
        -8i32..8,
        prop_oneof![Just(0u32), Just(abi::MSG_DONTROUTE), any::<u32>()],
    )
        .prop_map(
            |(name, namelen_delta, buffers, control, control_len_delta, flags)| Shape {
                name,
                namelen_delta,
                buffers,
                control,
                control_len_delta,
                flags,
            },
        )
}

/// The codes S6–S22 allow for a malformed or valid message on a UDP socket.
const ALLOWED: [i32; 6] = [
    abi::WSAEFAULT,
    abi::WSAEINVAL,
    abi::WSAEAFNOSUPPORT,
    abi::WSAEOPNOTSUPP,
    abi::WSAENOTCONN,
    abi::WSAEMSGSIZE,
];

fn run(core: &Arc<SocketCore>, port: u16, s: &Shape) {
    // The name: a real destination (sometimes corrupted) or arbitrary bytes.
    let name_bytes = match &s.name {
        Some(b) if b.is_empty() => Some(sockaddr_v4(port)),
        other => other.clone(),
    };
    let name = name_bytes.as_deref().map(Guarded::new);
    let namelen = name.as_ref().map_or(s.namelen_delta.max(0), |g| {
        // Never claim more bytes than exist: the caller's contract.
        (g.len as i32 + s.namelen_delta.min(0)).max(0)
    });
    let data = vec![0x5au8; 300];
    let bufs: Vec<abi::WSABUF> = s
        .buffers
        .iter()
        .map(|&len| abi::WSABUF {
            len: len as u32,
            buf: data.as_ptr() as *mut _,
        })
        .collect();
    let control = s.control.as_deref().map(Guarded::new);
    let control_len = control.as_ref().map_or(0, |g| {
        (g.len as i32 + s.control_len_delta.min(0)).max(0) as u32
    });
    let msg = abi::WSAMSG {
        name: name
            .as_ref()
            .map_or(std::ptr::null_mut(), |g| g.ptr().cast()),
        namelen,
        lpBuffers: bufs.as_ptr() as *mut _,
        dwBufferCount: bufs.len() as u32,
        Control: abi::WSABUF {
            len: control_len,
            buf: control
                .as_ref()
                .map_or(std::ptr::null_mut(), |g| g.ptr().cast()),
        },
        dwFlags: 0xdead_beef,
    };
    let mut sent = 0u32;
    let out = SendResultPtrs {
        bytes_sent: &mut sent,
        overlapped: std::ptr::null_mut(),
        routine: None,
    };
    // SAFETY: every pointer in `msg` points to live memory of the lengths it
    // claims (the guard pages make any read past them fault).
    let r = unsafe { raw::send_msg(core, &msg, s.flags, &out) };
    match r {
        Ok(n) => {
            let total: usize = s.buffers.iter().sum();
            assert_eq!(n as usize, total);
            assert_eq!(sent as usize, total);
        }
        Err(e) => assert!(ALLOWED.contains(&e.code()), "unexpected {e} for {s:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    // S6–S8, S21, S22: arbitrary WSAMSG shapes never panic, never read past
    // what they claim, and fail only with the contract's codes.
    #[test]
    fn arbitrary_wsamsg_shapes(s in shape()) {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = rx.local_addr().unwrap().port();
        let sock = Arc::new(SocketCore::new(Family::V4, SocketKind::Datagram, 0, true).unwrap());
        run(&sock, port, &s);
    }
}
