//! The target's sockets, made once per process inside a network namespace
//! of its own, and the datagrams its receives find.

use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::sync::OnceLock;

use ws2_32 as capi;
use ws2_abi::*;

use super::{Call, PEER_V6, PORT_V4, PORT_V6, RECV_MSG};

/// `LPFN_WSARECVMSG`.
pub(super) type RecvMsgFn = unsafe extern "C" fn(
    SOCKET,
    *mut WSAMSG,
    *mut u32,
    *mut WSAOVERLAPPED,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32;

/// The process's sockets, made once.
pub(super) struct Sockets {
    /// Sends: AF_INET, AF_INET6 (v6-only), AF_INET6 dual-stack, AF_INET
    /// connected, AF_INET6 connected, AF_INET not overlapped-capable.
    senders: Vec<SOCKET>,
    /// Receives (non-blocking, every receive option on): AF_INET on
    /// 127.0.0.1:5000, AF_INET6 dual-stack on [::]:5001.
    receivers: [SOCKET; 2],
    pub(super) recv_msg: RecvMsgFn,
    /// Plain sockets that send the datagram a receive finds.
    peer_v4: UdpSocket,
    peer_v6: UdpSocket,
}

impl Sockets {
    pub(super) fn get() -> &'static Sockets {
        static SOCKETS: OnceLock<Sockets> = OnceLock::new();
        SOCKETS.get_or_init(|| {
            private_network();
            Sockets::new()
        })
    }

    fn new() -> Sockets {
        // SAFETY: WSADATA is plain data, written by WSAStartup.
        let mut data: WSADATA = unsafe { std::mem::zeroed() };
        // SAFETY: data is a live WSADATA.
        assert_eq!(unsafe { capi::WSAStartup(0x0202, &mut data) }, 0);
        let v4 = |port: u16, a: [u8; 4]| sockaddr_in(port, a);
        let v6 = |port: u16, a: [u8; 16]| sockaddr_in6(port, a);
        let loop6 = std::net::Ipv6Addr::LOCALHOST.octets();

        let r4 = new_socket(AF_INET, true);
        bind(r4, &v4(PORT_V4, [127, 0, 0, 1]));
        let r6 = new_socket(AF_INET6, true);
        set(r6, IPPROTO_IPV6, IPV6_V6ONLY, 0);
        bind(r6, &v6(PORT_V6, [0; 16]));
        for (s, level, opt) in [
            (r4, IPPROTO_IP, IP_PKTINFO),
            (r4, IPPROTO_IP, IP_RECVTOS),
            (r4, IPPROTO_IP, IP_RECVECN),
            (r4, IPPROTO_IP, IP_RECVTTL),
            (r6, IPPROTO_IPV6, IPV6_PKTINFO),
            (r6, IPPROTO_IPV6, IPV6_RECVTCLASS),
            (r6, IPPROTO_IPV6, IPV6_RECVECN),
            (r6, IPPROTO_IPV6, IPV6_HOPLIMIT),
            (r6, IPPROTO_IP, IP_PKTINFO),
            (r6, IPPROTO_IP, IP_RECVTOS),
            (r6, IPPROTO_IP, IP_RECVTTL),
        ] {
            set(s, level, opt, 1);
        }
        for r in [r4, r6] {
            let mut on = 1u32;
            // SAFETY: on is a live u_long.
            assert_eq!(unsafe { capi::ioctlsocket(r, FIONBIO as _, &mut on) }, 0);
        }

        let s4 = new_socket(AF_INET, true);
        let s6 = new_socket(AF_INET6, true);
        let s46 = new_socket(AF_INET6, true);
        set(s46, IPPROTO_IPV6, IPV6_V6ONLY, 0);
        let s4c = new_socket(AF_INET, true);
        connect(s4c, &v4(PORT_V4, [127, 0, 0, 1]));
        let s6c = new_socket(AF_INET6, true);
        connect(s6c, &v6(PORT_V6, loop6));
        let s4n = new_socket(AF_INET, false);

        let mut recv_msg: usize = 0;
        let mut guid = WSAID_WSARECVMSG;
        let mut n = 0u32;
        // SAFETY: in/out buffers are live locals of the sizes given.
        let rc = unsafe {
            capi::WSAIoctl(
                r4,
                SIO_GET_EXTENSION_FUNCTION_POINTER,
                (&raw mut guid).cast(),
                size_of::<GUID>() as u32,
                (&raw mut recv_msg).cast(),
                size_of::<usize>() as u32,
                &mut n,
                std::ptr::null_mut(),
                None,
            )
        };
        assert_eq!(rc, 0, "WSAIoctl(WSAID_WSARECVMSG)");
        assert_ne!(recv_msg, 0);
        Sockets {
            senders: vec![s4, s6, s46, s4c, s6c, s4n],
            receivers: [r4, r6],
            // SAFETY: WSAIoctl returned WSARecvMsg, which has this signature (S1).
            recv_msg: unsafe { std::mem::transmute::<usize, RecvMsgFn>(recv_msg) },
            peer_v4: UdpSocket::bind("127.0.0.1:0").expect("peer socket"),
            peer_v6: UdpSocket::bind("[::1]:0").expect("peer socket"),
        }
    }

    pub(super) fn pick(&self, call: &Call) -> SOCKET {
        let i = usize::from(call.op >> 2);
        if call.op & 3 == RECV_MSG {
            self.receivers[i % self.receivers.len()]
        } else {
            self.senders[i % self.senders.len()]
        }
    }

    /// Queues the datagram a receive will find, from a peer with the
    /// call's TOS byte (or traffic class), so control data comes with it.
    pub(super) fn send_datagram(&self, call: &Call) {
        let r = usize::from(call.op >> 2) % self.receivers.len();
        let (peer, to, level, opt): (_, std::net::SocketAddr, _, _) =
            match (r, call.opts & PEER_V6 != 0) {
                (0, _) | (1, false) => {
                    let to = if r == 0 {
                        ([127, 0, 0, 1], PORT_V4).into()
                    } else {
                        ([127, 0, 0, 1], PORT_V6).into()
                    };
                    (&self.peer_v4, to, libc::IPPROTO_IP, libc::IP_TOS)
                }
                _ => (
                    &self.peer_v6,
                    (std::net::Ipv6Addr::LOCALHOST, PORT_V6).into(),
                    libc::IPPROTO_IPV6,
                    libc::IPV6_TCLASS,
                ),
            };
        let tos = libc::c_int::from(call.tos);
        // SAFETY: a live c_int option value on a live socket.
        let rc = unsafe {
            libc::setsockopt(
                peer.as_raw_fd(),
                level,
                opt,
                (&raw const tos).cast(),
                size_of::<libc::c_int>() as u32,
            )
        };
        assert_eq!(rc, 0, "set TOS on the peer");
        let data = vec![0x42u8; usize::from(call.dgram_len) % 2048];
        peer.send_to(&data, to).expect("peer send");
    }

    /// A receive that pends waits for a datagram: send it one more.
    pub(super) fn post_datagram_if_receiving(&self, call: &Call) {
        if call.op & 3 == RECV_MSG {
            self.send_datagram(call);
        }
    }

    /// Empties the receivers so the next input starts from nothing queued.
    pub(super) fn drain(&self) {
        let mut buf = vec![0u8; 65536];
        for &r in &self.receivers {
            for _ in 0..10_000 {
                // SAFETY: buf is writable for its length.
                let n = unsafe { capi::recv(r, buf.as_mut_ptr().cast(), buf.len() as i32, 0) };
                if n == SOCKET_ERROR && capi::WSAGetLastError() == WSAEWOULDBLOCK {
                    break;
                }
            }
        }
    }
}

fn new_socket(af: i32, overlapped: bool) -> SOCKET {
    let flags = if overlapped { WSA_FLAG_OVERLAPPED } else { 0 };
    let s = capi::WSASocketW(af, SOCK_DGRAM, IPPROTO_UDP, std::ptr::null(), 0, flags);
    assert_ne!(s, INVALID_SOCKET, "socket: {}", capi::WSAGetLastError());
    s
}

fn set(s: SOCKET, level: i32, opt: i32, value: i32) {
    // SAFETY: value is a live 4-byte int.
    let rc = unsafe { capi::setsockopt(s, level, opt, (&raw const value).cast(), 4) };
    assert_eq!(
        rc,
        0,
        "setsockopt({level}, {opt}): {}",
        capi::WSAGetLastError()
    );
}

fn bind(s: SOCKET, addr: &[u8]) {
    // SAFETY: addr is a live SOCKADDR of its length.
    let rc = unsafe { capi::bind(s, addr.as_ptr().cast(), addr.len() as i32) };
    assert_eq!(rc, 0, "bind: {}", capi::WSAGetLastError());
}

fn connect(s: SOCKET, addr: &[u8]) {
    // SAFETY: addr is a live SOCKADDR of its length.
    let rc = unsafe { capi::connect(s, addr.as_ptr().cast(), addr.len() as i32) };
    assert_eq!(rc, 0, "connect: {}", capi::WSAGetLastError());
}

/// A Windows `SOCKADDR_IN`'s bytes.
pub fn sockaddr_in(port: u16, addr: [u8; 4]) -> Vec<u8> {
    let mut b = (AF_INET as u16).to_ne_bytes().to_vec();
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&addr);
    b.extend_from_slice(&[0; 8]);
    b
}

/// A Windows `SOCKADDR_IN6`'s bytes (flow info and scope id 0).
pub fn sockaddr_in6(port: u16, addr: [u8; 16]) -> Vec<u8> {
    let mut b = (AF_INET6 as u16).to_ne_bytes().to_vec();
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&addr);
    b.extend_from_slice(&[0; 4]);
    b
}

/// Moves this thread (and the threads it starts: ws2's reactor) into a new
/// network namespace with only `lo`, up: whatever destination the fuzzer
/// writes, a datagram reaches this process's loopback or nowhere. Needs
/// root (CAP_SYS_ADMIN); without it the target stops here.
fn private_network() {
    // SAFETY: unshare has no memory preconditions.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        panic!(
            "wsamsg_capi needs its own network namespace (run as root): unshare(CLONE_NEWNET): {}",
            std::io::Error::last_os_error()
        );
    }
    // SAFETY: a plain socket for the interface ioctls, closed below.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0);
    // SAFETY: ifreq is plain data; all-zero is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, s) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *d = *s as libc::c_char;
    }
    // SAFETY: req is a live ifreq naming "lo".
    unsafe {
        assert_eq!(
            libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req),
            0,
            "SIOCGIFFLAGS lo"
        );
        req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        assert_eq!(
            libc::ioctl(fd, libc::SIOCSIFFLAGS, &req),
            0,
            "SIOCSIFFLAGS lo up"
        );
        libc::close(fd);
    }
    let names: Vec<String> = std::fs::read_to_string("/proc/thread-self/net/dev")
        .expect("/proc/thread-self/net/dev")
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next().map(|n| n.trim().to_string()))
        .collect();
    assert_eq!(names, ["lo"], "the private namespace must hold only lo");
}
