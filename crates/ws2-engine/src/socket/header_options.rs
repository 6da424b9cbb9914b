//! What goes into each datagram's IP header (P4): `IP_OPTIONS`, and
//! don't-fragment: `IP_DONTFRAGMENT`/`IPV6_DONTFRAG` as socket options,
//! and as control messages of one send. IPv6 has a Linux cmsg;
//! IPv4 has none, so a send that asks for another DF state than the
//! socket's carries a private flag ([`SEND_DF_ON`], [`SEND_DF_OFF`]) and
//! its `sendmsg`/`sendmmsg` runs with the socket's `IP_MTU_DISCOVER`
//! switched (DESIGN.md, "Don't-fragment"). The private flags keep such
//! sends in batches and GSO messages of their own (the reactor batches
//! one flags value at a time).

use crate::error::{Error, Result, errno};
use crate::fork::lock;
use crate::translate::Family;

use super::*;

/// A send's private flag: DF on for this IPv4 datagram (never passed to
/// the kernel).
pub(crate) const SEND_DF_ON: i32 = 1 << 28;
/// A send's private flag: DF off for this IPv4 datagram.
pub(crate) const SEND_DF_OFF: i32 = 1 << 27;
const SEND_PRIVATE: i32 = SEND_DF_ON | SEND_DF_OFF;

impl SocketCore {
    /// `IP_DONTFRAGMENT`/`IPV6_DONTFRAG` (P4): IPv4 datagrams leave
    /// without DF unless it is on (Linux: `IP_MTU_DISCOVER` `DONT`/`DO`);
    /// IPv6 datagram sockets have Linux's `IPV6_DONTFRAG`; a stream socket
    /// switches path MTU discovery (on by default, as Windows reads it).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// assert!(!core.dont_fragment()?, "Windows sends UDP without DF");
    /// core.set_dont_fragment(true)?;
    /// assert!(core.dont_fragment()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_dont_fragment(&self, on: bool) -> Result<()> {
        let mtu = |level, name, dont| {
            let value = match (on, dont) {
                (true, _) => libc::IP_PMTUDISC_DO,
                (false, dont) => dont,
            };
            self.set_int_option(level, name, value, "setsockopt(IP_MTU_DISCOVER)")
        };
        let v4 = mtu(
            libc::IPPROTO_IP,
            libc::IP_MTU_DISCOVER,
            libc::IP_PMTUDISC_DONT,
        );
        if v4.is_ok() {
            // What a send's own IP_DONTFRAGMENT is compared with.
            self.set_state_bit(DONT_FRAGMENT, on);
        }
        match (self.family, self.kind) {
            (Family::V4, _) => v4,
            (Family::V6, SocketKind::Stream) => mtu(
                libc::IPPROTO_IPV6,
                libc::IPV6_MTU_DISCOVER,
                libc::IPV6_PMTUDISC_DONT,
            ),
            // The IPv4 side (`v4`) matters only to a dual-stack socket.
            (Family::V6, _) => self.set_int_option(
                libc::IPPROTO_IPV6,
                libc::IPV6_DONTFRAG,
                on as i32,
                "setsockopt(IPV6_DONTFRAG)",
            ),
        }
    }

    /// See [`SocketCore::set_dont_fragment`].
    pub fn dont_fragment(&self) -> Result<bool> {
        Ok(match (self.family, self.kind) {
            (Family::V4, _) => {
                self.int_option(libc::IPPROTO_IP, libc::IP_MTU_DISCOVER, "getsockopt")?
                    != libc::IP_PMTUDISC_DONT
            }
            (Family::V6, SocketKind::Stream) => {
                self.int_option(libc::IPPROTO_IPV6, libc::IPV6_MTU_DISCOVER, "getsockopt")?
                    != libc::IPV6_PMTUDISC_DONT
            }
            (Family::V6, _) => {
                self.int_option(libc::IPPROTO_IPV6, libc::IPV6_DONTFRAG, "getsockopt")? != 0
            }
        })
    }

    /// The private flag a send with `controls` needs (0 for most: one
    /// test of an `Option`).
    #[inline(always)]
    pub(crate) fn send_df_flags(
        &self,
        dont_fragment: Option<bool>,
        state: u64,
        to_v4: bool,
    ) -> i32 {
        match dont_fragment {
            None => 0,
            Some(on)
                if !(to_v4 || self.family == Family::V4) || on == (state & DONT_FRAGMENT != 0) =>
            {
                0
            }
            Some(true) => SEND_DF_ON,
            Some(false) => SEND_DF_OFF,
        }
    }

    /// Runs one send call with the kernel's part of `flags`; when a
    /// private don't-fragment flag is there, with `IP_MTU_DISCOVER`
    /// switched around it (and `errno` kept from the send).
    #[inline(always)]
    pub(crate) fn with_send_flags<R>(&self, flags: i32, send: impl FnOnce(i32) -> R) -> R {
        if flags & SEND_PRIVATE == 0 {
            return send(flags);
        }
        self.df_switched(flags, send)
    }

    #[cold]
    #[inline(never)]
    fn df_switched<R>(&self, flags: i32, send: impl FnOnce(i32) -> R) -> R {
        let value = |on| {
            if on {
                libc::IP_PMTUDISC_DO
            } else {
                libc::IP_PMTUDISC_DONT
            }
        };
        let _switch = lock(&self.df_switch);
        let fd = self.raw_fd();
        let _ = set_int(
            fd,
            libc::IPPROTO_IP,
            libc::IP_MTU_DISCOVER,
            value(flags & SEND_DF_ON != 0),
            "setsockopt(IP_MTU_DISCOVER)",
        );
        let r = send(flags & !SEND_PRIVATE);
        let e = errno();
        let _ = set_int(
            fd,
            libc::IPPROTO_IP,
            libc::IP_MTU_DISCOVER,
            value(self.has(DONT_FRAGMENT)),
            "setsockopt(IP_MTU_DISCOVER)",
        );
        // SAFETY: errno is this thread's; put back what the send left.
        unsafe { *libc::__errno_location() = e };
        r
    }
}

impl SocketCore {
    /// `IP_OPTIONS` (P4): the IPv4 options every datagram carries (none
    /// when empty), as Linux takes them (`WSAEINVAL` for options it
    /// refuses).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Datagram, 0, true)?;
    /// let mut buf = [0u8; 40];
    /// assert_eq!(core.ip_options(&mut buf)?, 0, "a fresh socket has none");
    /// core.set_ip_options(&[1, 1, 1, 0])?; // NOP NOP NOP EOL
    /// assert_eq!(core.ip_options(&mut buf)?, 4);
    /// core.set_ip_options(&[])?;
    /// assert_eq!(core.ip_options(&mut buf)?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_ip_options(&self, options: &[u8]) -> Result<()> {
        // SAFETY: options is a live slice of its length.
        let r = unsafe {
            libc::setsockopt(
                self.raw_fd(),
                libc::IPPROTO_IP,
                libc::IP_OPTIONS,
                options.as_ptr().cast(),
                options.len() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(Error::last_os("setsockopt(IP_OPTIONS)"));
        }
        Ok(())
    }

    /// See [`SocketCore::set_ip_options`]: the bytes written to `out`.
    pub fn ip_options(&self, out: &mut [u8]) -> Result<usize> {
        let mut len = out.len() as libc::socklen_t;
        // SAFETY: out is writable for len bytes.
        let r = unsafe {
            libc::getsockopt(
                self.raw_fd(),
                libc::IPPROTO_IP,
                libc::IP_OPTIONS,
                out.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if r < 0 {
            return Err(Error::last_os("getsockopt(IP_OPTIONS)"));
        }
        Ok(len as usize)
    }
}
