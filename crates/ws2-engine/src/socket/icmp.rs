//! ICMP errors (S19): collected from the socket's error queue
//! (`IP_RECVERR`) and reported once on a later receive, as Windows does.

use std::sync::atomic::Ordering;

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::translate::CmsgBuf;

use super::*;

impl SocketCore {
    /// Reports one collected ICMP error on a receive call, once (S19):
    /// port unreachable → `WSAECONNRESET`, TTL expired → `WSAENETRESET`,
    /// unless `SIO_UDP_CONNRESET`/`SIO_UDP_NETRESET` turned them off.
    pub(crate) fn report_icmp_error(&self) -> Result<()> {
        if take_one(&self.icmp_resets) && !self.has(NO_CONNRESET) {
            return Err(Error::new(
                abi::WSAECONNRESET,
                "an earlier datagram was answered with ICMP port unreachable",
            )
            .with_status(abi::STATUS_PORT_UNREACHABLE));
        }
        if take_one(&self.icmp_ttl_expired) && !self.has(NO_NETRESET) {
            return Err(Error::new(
                abi::WSAENETRESET,
                "an earlier datagram's TTL expired in transit (ICMP time exceeded)",
            ));
        }
        Ok(())
    }

    /// Whether a receive would report a collected ICMP error now (so the
    /// socket counts as readable: the receive completes at once); `state`
    /// is the socket's state word.
    pub(super) fn icmp_error_to_report(&self, state: u64) -> bool {
        (self.icmp_resets.load(Ordering::Acquire) != 0 && state & NO_CONNRESET == 0)
            || (self.icmp_ttl_expired.load(Ordering::Acquire) != 0 && state & NO_NETRESET == 0)
    }

    /// Drains the socket's error queue (`IP_RECVERR`), counting ICMP port
    /// unreachable and time-exceeded messages. True if it found any entry.
    pub(crate) fn collect_icmp_errors(&self) -> bool {
        if self.kind != SocketKind::Datagram {
            return false;
        }
        let mut found = false;
        loop {
            let mut data = [0u8; 1];
            let mut iov = libc::iovec {
                iov_base: data.as_mut_ptr().cast(),
                iov_len: 1,
            };
            let mut control = CmsgBuf::default();
            // SAFETY: msghdr is plain data; zeroed is a valid empty header.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = control.capacity();
            // SAFETY: msg points at live local buffers.
            let n = unsafe {
                crate::sys::recvmsg(
                    self.raw_fd(),
                    &mut msg,
                    libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT,
                )
            };
            if n < 0 {
                return found;
            }
            found = true;
            // SAFETY: the kernel wrote msg_controllen bytes of cmsgs.
            unsafe {
                let mut c = libc::CMSG_FIRSTHDR(&msg);
                while !c.is_null() {
                    let is_err = matches!(
                        ((*c).cmsg_level, (*c).cmsg_type),
                        (libc::SOL_IP, libc::IP_RECVERR) | (libc::SOL_IPV6, libc::IPV6_RECVERR)
                    );
                    if is_err {
                        let e = std::ptr::read_unaligned(
                            libc::CMSG_DATA(c).cast::<libc::sock_extended_err>(),
                        );
                        match (e.ee_origin, e.ee_type, e.ee_code) {
                            (libc::SO_EE_ORIGIN_ICMP, 3, 3) | (libc::SO_EE_ORIGIN_ICMP6, 1, 4) => {
                                self.icmp_resets.fetch_add(1, Ordering::AcqRel);
                            }
                            (libc::SO_EE_ORIGIN_ICMP, 11, _) | (libc::SO_EE_ORIGIN_ICMP6, 3, _) => {
                                self.icmp_ttl_expired.fetch_add(1, Ordering::AcqRel);
                            }
                            _ => {}
                        }
                    }
                    c = libc::CMSG_NXTHDR(&msg, c);
                }
            }
        }
    }

    /// Counts an ICMP port unreachable that Linux reported as a send error
    /// without an error-queue entry (connected sockets).
    pub(crate) fn note_icmp_reset(&self) {
        if self.kind == SocketKind::Datagram {
            self.icmp_resets.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// `SIO_UDP_CONNRESET` / `SIO_UDP_NETRESET`: whether receives report
    /// ICMP port unreachable / TTL expired (S19).
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// core.set_recv_timeout_ms(50);
    /// core.set_icmp_reporting(Some(false), None);
    /// let closed = std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()?; // now nobody listens
    /// core.bind(&"127.0.0.1:0".parse()?)?;
    /// std::net::UdpSocket::bind("127.0.0.1:0")?.send_to(b"x", closed)?;
    /// let mut buf = [0u8; 4];
    /// assert_eq!(core.recv_from(&mut buf, false).unwrap_err().code(), ws2_abi::WSAETIMEDOUT);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_icmp_reporting(&self, connreset: Option<bool>, netreset: Option<bool>) {
        for (on, bit) in [(connreset, NO_CONNRESET), (netreset, NO_NETRESET)] {
            match on {
                Some(true) => {
                    self.state.fetch_and(!bit, Ordering::AcqRel);
                }
                Some(false) => {
                    self.state.fetch_or(bit, Ordering::AcqRel);
                }
                None => {}
            }
        }
    }
}
