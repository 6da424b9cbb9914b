//! The ioctls stream sockets have, as Windows answers them (SPEC P8):
//! `SIO_KEEPALIVE_VALS` and `SIOCATMARK` (TRUE while no urgent byte waits:
//! Linux's answer inverted). Their socket options (`SO_LINGER`,
//! `SO_DONTLINGER`, `SO_OOBINLINE`, `TCP_NODELAY`, `SO_ACCEPTCONN`,
//! `SO_ERROR`) are rows of the option table (`translate::options`).
//! Sources: research-streams.md A2, A9, A10; research-fidelity-options.md
//! (`test_set_getsockopt`'s sizes, `test_extendedSocketOptions`).

use ws2_abi as abi;

use crate::error::{Error, Result};

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
            libc::recv(
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
}
