//! Shared pieces of the receive tests (`uro.rs`, `recv_batch.rs`): sockets
//! on loopback, UDP GSO sends that arrive as one run on a GRO socket, runs
//! whose datagrams say which run and which datagram they are, and
//! overlapped `WSARecvMsg`s through the raw core with their outputs.
#![allow(dead_code)]

use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ws2_abi as abi;
use ws2_engine::raw;
use ws2_engine::translate::Family;
use ws2_engine::{Port, Received, SocketCore, SocketKind};

/// Longest a test waits for anything.
pub const WAIT: Duration = Duration::from_secs(5);

/// A ws2 UDP socket bound to `addr` (port 0), overlapped-capable, whose
/// blocking receives give up after [`WAIT`].
pub fn bound(addr: &str) -> Arc<SocketCore> {
    let addr: SocketAddr = addr.parse().unwrap();
    let family = if addr.is_ipv4() {
        Family::V4
    } else {
        Family::V6
    };
    let core = Arc::new(SocketCore::new(family, SocketKind::Datagram, 0, true).unwrap());
    if addr.ip().is_unspecified() && !addr.is_ipv4() {
        core.set_v6_only(false).unwrap();
    }
    core.bind(&addr).unwrap();
    core.set_recv_timeout_ms(WAIT.as_millis() as u32);
    core
}

/// The address to send to `core` at: its port on `ip`.
pub fn at(core: &SocketCore, ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse().unwrap(), core.local_addr().unwrap().port())
}

/// A plain Linux sender.
pub fn sender(addr: &str) -> UdpSocket {
    UdpSocket::bind(addr).unwrap()
}

/// Sends `payload` to `to` as one UDP GSO message of `segment`-byte
/// datagrams (the last may be shorter), with an `IP_TOS` (or
/// `IPV6_TCLASS`) if given: on loopback it reaches a GRO socket as one run.
pub fn gso(tx: &UdpSocket, to: SocketAddr, payload: &[u8], segment: u16, tos: Option<u8>) {
    let mut name: libc::sockaddr_storage = unsafe_zeroed();
    let namelen = match to {
        SocketAddr::V4(a) => {
            // SAFETY: sockaddr_storage has room for a sockaddr_in.
            let sin = unsafe { &mut *(&raw mut name).cast::<libc::sockaddr_in>() };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = a.port().to_be();
            sin.sin_addr.s_addr = u32::from_ne_bytes(a.ip().octets());
            size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            // SAFETY: sockaddr_storage has room for a sockaddr_in6.
            let sin6 = unsafe { &mut *(&raw mut name).cast::<libc::sockaddr_in6>() };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = a.port().to_be();
            sin6.sin6_addr.s6_addr = a.ip().octets();
            size_of::<libc::sockaddr_in6>()
        }
    };
    let mut iov = libc::iovec {
        iov_base: payload.as_ptr() as *mut libc::c_void,
        iov_len: payload.len(),
    };
    let mut control = [0u64; 8];
    let mut msg: libc::msghdr = unsafe_zeroed();
    msg.msg_name = (&raw mut name).cast();
    msg.msg_namelen = namelen as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    // SAFETY: CMSG_SPACE is arithmetic.
    msg.msg_controllen = unsafe { libc::CMSG_SPACE(2) + libc::CMSG_SPACE(4) } as usize;
    // SAFETY: the control buffer holds both cmsgs (64 bytes, 8-aligned).
    unsafe {
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_UDP;
        (*c).cmsg_type = libc::UDP_SEGMENT;
        (*c).cmsg_len = libc::CMSG_LEN(2) as usize;
        std::ptr::write_unaligned(libc::CMSG_DATA(c).cast::<u16>(), segment);
        match tos {
            Some(tos) => {
                let c = libc::CMSG_NXTHDR(&msg, c);
                (*c).cmsg_level = if to.is_ipv4() {
                    libc::IPPROTO_IP
                } else {
                    libc::IPPROTO_IPV6
                };
                (*c).cmsg_type = if to.is_ipv4() {
                    libc::IP_TOS
                } else {
                    libc::IPV6_TCLASS
                };
                (*c).cmsg_len = libc::CMSG_LEN(4) as usize;
                std::ptr::write_unaligned(libc::CMSG_DATA(c).cast::<i32>(), i32::from(tos));
            }
            None => msg.msg_controllen = libc::CMSG_SPACE(2) as usize,
        }
    }
    // SAFETY: msg points at live locals and at `payload`.
    let n = unsafe { libc::sendmsg(tx.as_raw_fd(), &msg, 0) };
    assert_eq!(
        n,
        payload.len() as isize,
        "GSO sendmsg: {}",
        std::io::Error::last_os_error()
    );
}

fn unsafe_zeroed<T>() -> T {
    // SAFETY: used only for plain C structs, for which all-zero is valid.
    unsafe { std::mem::zeroed() }
}

/// A run of `count` datagrams of `segment` bytes and, if `tail` > 0, one of
/// `tail` bytes (at least 2): datagram `i` starts with `[tag, i]` and is
/// `i` throughout.
pub fn run(tag: u8, segment: usize, count: usize, tail: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..count + usize::from(tail > 0) {
        let len = if i < count { segment } else { tail };
        let start = out.len();
        out.resize(start + len, i as u8);
        out[start] = tag;
    }
    out
}

/// The `[tag, index]` of each datagram of `data` cut at `segment` bytes.
pub fn datagrams(data: &[u8], segment: usize) -> Vec<(u8, u8)> {
    data.chunks(segment).map(|d| (d[0], d[1])).collect()
}

/// Checks that `data` holds whole datagrams of one run, each consistent
/// with its own `[tag, index]` header; returns their tags.
pub fn whole_datagrams(data: &[u8], segment: usize) -> Vec<(u8, u8)> {
    for d in data.chunks(segment) {
        assert!(
            d[2..].iter().all(|&b| b == d[1]),
            "datagram {:?} is not whole",
            &d[..2]
        );
    }
    datagrams(data, segment)
}

/// A blocking receive with control data into a `len`-byte buffer.
pub fn recv(core: &SocketCore, len: usize) -> (Received, Vec<u8>) {
    let mut buf = vec![0u8; len];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: len,
    };
    let got = core.recv_with_controls(&mut iov, 1).unwrap();
    buf.truncate(got.bytes);
    (got, buf)
}

/// A receive's error code (blocking).
pub fn recv_err(core: &SocketCore, len: usize) -> i32 {
    let mut buf = vec![0u8; len];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: len,
    };
    core.recv_with_controls(&mut iov, 1).unwrap_err().code()
}

/// One overlapped `WSARecvMsg` through the raw core, with the memory the
/// call's contract keeps alive until it completes (boxed: the WSAMSG
/// points into it).
pub struct Posted {
    pub data: Vec<u8>,
    pub wsabuf: abi::WSABUF,
    pub control: [u64; 32],
    pub from: abi::SOCKADDR_STORAGE,
    pub msg: abi::WSAMSG,
    pub ov: abi::WSAOVERLAPPED,
    /// What the call returned: `Ok(bytes)` completed at once, else its
    /// error (`WSA_IO_PENDING` when queued).
    pub call: Result<u32, i32>,
}

impl Posted {
    /// Posts a receive of `len` bytes on `core`.
    pub fn post(core: &Arc<SocketCore>, len: usize) -> Box<Posted> {
        Posted::post_with_event(core, len, 0)
    }

    /// Posts a receive of `len` bytes on `core`, its OVERLAPPED's `hEvent`
    /// set to `h_event` (an event handle, its low bit set for no packet).
    pub fn post_with_event(core: &Arc<SocketCore>, len: usize, h_event: usize) -> Box<Posted> {
        let mut p = Box::new(Posted {
            data: vec![0u8; len],
            wsabuf: abi::WSABUF {
                len: 0,
                buf: std::ptr::null_mut(),
            },
            control: [0; 32],
            from: abi::SOCKADDR_STORAGE::default(),
            msg: unsafe_zeroed(),
            ov: abi::WSAOVERLAPPED::default(),
            call: Ok(0),
        });
        p.wsabuf = abi::WSABUF {
            len: len as u32,
            buf: p.data.as_mut_ptr().cast(),
        };
        p.msg = abi::WSAMSG {
            name: (&raw mut p.from).cast(),
            namelen: size_of::<abi::SOCKADDR_STORAGE>() as i32,
            lpBuffers: &raw mut p.wsabuf,
            dwBufferCount: 1,
            Control: abi::WSABUF {
                len: size_of::<[u64; 32]>() as u32,
                buf: p.control.as_mut_ptr().cast(),
            },
            dwFlags: 0,
        };
        p.ov.hEvent = h_event as abi::HANDLE;
        let mut bytes = 0u32;
        // SAFETY: every pointer is into the box, which the test keeps until
        // the receive completed.
        p.call = unsafe { raw::recv_msg(core, &raw mut p.msg, &mut bytes, &raw mut p.ov, None) }
            .map(|_| bytes)
            .map_err(|e| e.code());
        p
    }

    /// The completed receive's status (NTSTATUS) and byte count.
    pub fn status(&self) -> (u32, usize) {
        (self.ov.Internal as u32, self.ov.InternalHigh)
    }

    /// The bytes received.
    pub fn bytes(&self) -> &[u8] {
        &self.data[..self.ov.InternalHigh.min(self.data.len())]
    }

    /// The Windows control entries written: (level, type, INT/DWORD value
    /// or the first 4 bytes).
    pub fn controls(&self) -> Vec<(i32, i32, u32)> {
        // SAFETY: `control` is 256 plain bytes.
        let bytes: &[u8] = unsafe { std::slice::from_raw_parts(self.control.as_ptr().cast(), 256) };
        abi::ControlWalker::new(&bytes[..self.msg.Control.len as usize])
            .map(|e| {
                let e = e.expect("well-formed control data");
                let v = u32::from_ne_bytes(e.data[..4].try_into().unwrap());
                (e.level, e.kind, v)
            })
            .collect()
    }

    /// `UDP_COALESCED_INFO`'s value, if the receive carries it.
    pub fn coalesced(&self) -> Option<u32> {
        self.controls()
            .into_iter()
            .find(|&(level, kind, _)| level == abi::IPPROTO_UDP && kind == abi::UDP_COALESCED_INFO)
            .map(|(_, _, v)| v)
    }

    /// The source port written to `from`.
    pub fn source_port(&self) -> u16 {
        // SAFETY: SOCKADDR_STORAGE holds a SOCKADDR_IN/IN6 with the port at 2.
        let b: &[u8; 4] = unsafe { &*(&raw const self.from).cast() };
        u16::from_be_bytes([b[2], b[3]])
    }
}

/// Takes `n` packets from `port`, in completion order.
pub fn take(port: &Port, n: usize) -> Vec<ws2_engine::Packet> {
    let deadline = Instant::now() + WAIT;
    (0..n)
        .map(|i| match port.get(Some(deadline), false).unwrap() {
            ws2_engine::Waited::Done(p) => p,
            _ => panic!("completion {i} of {n} did not come"),
        })
        .collect()
}
