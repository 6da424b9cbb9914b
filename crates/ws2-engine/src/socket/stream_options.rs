//! `SO_LINGER` as Windows keeps it, and the ioctls stream sockets have, as
//! Windows answers them (SPEC P8):
//! `SIO_KEEPALIVE_VALS` and `SIOCATMARK` (TRUE while no urgent byte waits:
//! Linux's answer inverted). Their socket options (`SO_LINGER`,
//! `SO_DONTLINGER`, `SO_OOBINLINE`, `TCP_NODELAY`, `SO_ACCEPTCONN`,
//! `SO_ERROR`) are rows of the option table (`translate::options`).
//! Sources: research-streams.md A2, A9, A10; research-fidelity-options.md
//! (`test_set_getsockopt`'s sizes, `test_extendedSocketOptions`).

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::lock;

use super::*;

fn stream_only(what: &str) -> Error {
    Error::new(
        abi::WSAENOPROTOOPT,
        format!("{what} works on stream (SOCK_STREAM) sockets only"),
    )
}

impl SocketCore {
    /// `SIO_KEEPALIVE_VALS`: keep-alive on or off, with its idle time and
    /// probe interval in milliseconds (Linux counts seconds: rounded up,
    /// at least 1 s, which is how a zero Windows accepts is kept). Windows
    /// sends 10 probes.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Stream, 0, true)?;
    /// core.set_keepalive_vals(true, 1500, 0)?;
    /// assert_eq!(core.int_option(libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, "")?, 2);
    /// assert_eq!(core.int_option(libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, "")?, 1);
    /// # Ok::<(), ws2_engine::Error>(())
    /// ```
    pub fn set_keepalive_vals(&self, on: bool, time_ms: u32, interval_ms: u32) -> Result<()> {
        if !self.is_stream() {
            return Err(stream_only("SIO_KEEPALIVE_VALS"));
        }
        let secs = |ms: u32| ms.div_ceil(1000).clamp(1, 32767) as i32;
        if on {
            self.set_int_option(
                libc::IPPROTO_TCP,
                libc::TCP_KEEPIDLE,
                secs(time_ms),
                "setsockopt(TCP_KEEPIDLE)",
            )?;
            self.set_int_option(
                libc::IPPROTO_TCP,
                libc::TCP_KEEPINTVL,
                secs(interval_ms),
                "setsockopt(TCP_KEEPINTVL)",
            )?;
            self.set_int_option(
                libc::IPPROTO_TCP,
                libc::TCP_KEEPCNT,
                10,
                "setsockopt(TCP_KEEPCNT)",
            )?;
        }
        self.set_int_option(
            libc::SOL_SOCKET,
            libc::SO_KEEPALIVE,
            on as i32,
            "setsockopt(SO_KEEPALIVE)",
        )
    }

    /// `SIOCATMARK` as Windows answers it: TRUE while no urgent (`MSG_OOB`)
    /// byte waits to be read, FALSE while one does (Linux answers whether
    /// the read position is at the mark). TRUE on datagram sockets.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let core = SocketCore::new(Family::V4, SocketKind::Stream, 0, true)?;
    /// assert!(core.at_oob_mark()?);
    /// # Ok::<(), ws2_engine::Error>(())
    /// ```
    pub fn at_oob_mark(&self) -> Result<bool> {
        if !self.is_stream() || !self.has(CONNECTED) {
            return Ok(true);
        }
        if self.oob_inline() {
            /// Linux's `SIOCATMARK` (`<linux/sockios.h>`).
            const LINUX_SIOCATMARK: libc::c_ulong = 0x8905;
            let mut at: libc::c_int = 0;
            // SAFETY: SIOCATMARK writes one c_int to a valid pointer.
            cvt(
                unsafe { libc::ioctl(self.raw_fd(), LINUX_SIOCATMARK, &mut at) },
                "ioctl(SIOCATMARK)",
            )?;
            return Ok(at == 0);
        }
        let mut byte = 0u8;
        // SAFETY: one writable byte.
        let n = unsafe {
            crate::sys::recv(
                self.raw_fd(),
                (&raw mut byte).cast(),
                1,
                libc::MSG_OOB | libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        Ok(n != 1)
    }

    /// Whether `SO_OOBINLINE` is on: urgent bytes then stay in the stream.
    pub fn oob_inline(&self) -> bool {
        self.has(OOB_INLINE)
    }

    /// `SO_CONNECT_TIME`: whole seconds since a stream connected;
    /// `0xFFFFFFFF` (-1) for a socket that never did (every datagram
    /// socket). Options §2: 0 just after the connect.
    pub(crate) fn connect_time(&self) -> i32 {
        if !self.is_stream() {
            return -1;
        }
        self.refresh_connect();
        lock(&self.stream.connected_at)
            .map_or(-1, |t| t.elapsed().as_secs().min(i32::MAX as u64) as i32)
    }

    /// `SIO_IDEAL_SEND_BACKLOG_QUERY` (`test_backlog_query`): the bytes to
    /// keep queued on a connected stream so that the link stays busy, its
    /// bandwidth-delay product (the kernel's delivery rate times the
    /// round trip), at least 64 KiB (Windows' answer on loopback) and at
    /// most 16 MiB. Not connected: `WSAENOTCONN`; not a stream:
    /// `WSAEOPNOTSUPP`.
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind};
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let core = SocketCore::new(Family::V4, SocketKind::Stream, 0, true)?;
    /// assert_eq!(core.ideal_send_backlog().unwrap_err().code(), ws2_abi::WSAENOTCONN);
    /// core.connect(&listener.local_addr()?)?;
    /// assert_eq!(core.ideal_send_backlog()?, 0x10000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ideal_send_backlog(&self) -> Result<u32> {
        const FLOOR: u64 = 64 << 10;
        const CEILING: u64 = 16 << 20;
        if !self.is_stream() {
            return Err(Error::new(
                abi::WSAEOPNOTSUPP,
                "SIO_IDEAL_SEND_BACKLOG_QUERY works on stream (SOCK_STREAM) sockets only",
            ));
        }
        self.refresh_connect();
        if !self.has(CONNECTED) || self.has(CONNECTING) {
            return Err(Error::new(
                abi::WSAENOTCONN,
                "SIO_IDEAL_SEND_BACKLOG_QUERY: the socket is not connected",
            ));
        }
        let bdp = self.tcp_info().map_or(0, |i| {
            i.tcpi_delivery_rate.saturating_mul(i.tcpi_rtt as u64) / 1_000_000
        });
        Ok(bdp.clamp(FLOOR, CEILING) as u32)
    }
}

impl SocketCore {
    /// `SO_LINGER` as Windows reads it.
    pub fn linger(&self) -> abi::LINGER {
        let v = self.stream.linger.load(Ordering::Acquire);
        abi::LINGER {
            l_onoff: v as u16,
            l_linger: (v >> 16) as u16,
        }
    }

    /// Sets `SO_LINGER` (`WSAENOPROTOOPT` on datagram sockets). The kernel
    /// is told only of an abortive linger (`{1, 0}`: the close resets);
    /// ws2 itself makes `closesocket` wait for a nonzero one, so the
    /// kernel never blocks a close (which may run on the reactor's thread).
    pub fn set_linger(&self, linger: abi::LINGER) -> Result<()> {
        if !self.is_stream() {
            return Err(Error::new(
                abi::WSAENOPROTOOPT,
                "SO_LINGER works on stream sockets only",
            ));
        }
        let abort = linger.l_onoff != 0 && linger.l_linger == 0;
        let kernel = libc::linger {
            l_onoff: abort as i32,
            l_linger: 0,
        };
        // SAFETY: passes a live struct linger and its size.
        cvt(
            unsafe {
                libc::setsockopt(
                    self.raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_LINGER,
                    (&raw const kernel).cast(),
                    size_of::<libc::linger>() as libc::socklen_t,
                )
            },
            "setsockopt(SO_LINGER)",
        )?;
        self.stream.linger.store(
            linger.l_onoff as u32 | (linger.l_linger as u32) << 16,
            Ordering::Release,
        );
        Ok(())
    }
}
