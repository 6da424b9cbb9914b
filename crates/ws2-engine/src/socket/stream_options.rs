//! The options stream sockets have, as Windows answers them (SPEC P8):
//! `SO_LINGER` (kept by ws2: a nonzero linger is `closesocket`'s wait, not
//! the kernel's), `SO_DONTLINGER`, `SO_ACCEPTCONN` (read-only), `SO_OOBINLINE`,
//! `TCP_NODELAY` (a one-byte BOOL on get), `SO_ERROR` (a failed connect's
//! error, kept until a connect succeeds), `SIO_KEEPALIVE_VALS` and
//! `SIOCATMARK` (TRUE while no urgent byte waits: Linux's answer inverted).
//! Sources: research-streams.md A2, A9, A10; research-fidelity-options.md
//! (`test_set_getsockopt`'s sizes, `test_extendedSocketOptions`).

use ws2_abi as abi;

use crate::error::{Error, Result};

use super::*;

/// A stream option, translated from its Windows (level, name).
///
/// ```
/// use ws2_engine::socket::StreamOpt;
/// let opt = StreamOpt::from_windows(ws2_abi::SOL_SOCKET, ws2_abi::SO_LINGER, true);
/// assert_eq!(opt, Some(StreamOpt::Linger));
/// // SO_ERROR is a stream option only on stream sockets.
/// assert_eq!(StreamOpt::from_windows(ws2_abi::SOL_SOCKET, ws2_abi::SO_ERROR, false), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamOpt {
    /// `SO_LINGER`: a `LINGER` (4 bytes).
    Linger,
    /// `SO_DONTLINGER`: a BOOL, `!l_onoff`.
    DontLinger,
    /// `SO_ACCEPTCONN`: a BOOL, read-only.
    AcceptConn,
    /// `SO_OOBINLINE`: a BOOL.
    OobInline,
    /// `TCP_NODELAY`: a BOOL, one byte on get.
    NoDelay,
    /// `SO_ERROR` of a stream socket.
    Error,
}

impl StreamOpt {
    /// The option of (level, name), if it is one of these; `stream`: the
    /// socket is a stream socket (`SO_ERROR` is theirs only then).
    pub fn from_windows(level: i32, name: i32, stream: bool) -> Option<StreamOpt> {
        match (level, name) {
            (abi::SOL_SOCKET, abi::SO_LINGER) => Some(StreamOpt::Linger),
            (abi::SOL_SOCKET, abi::SO_DONTLINGER) => Some(StreamOpt::DontLinger),
            (abi::SOL_SOCKET, abi::SO_ACCEPTCONN) => Some(StreamOpt::AcceptConn),
            (abi::SOL_SOCKET, abi::SO_OOBINLINE) => Some(StreamOpt::OobInline),
            (abi::IPPROTO_TCP, abi::TCP_NODELAY) => Some(StreamOpt::NoDelay),
            (abi::SOL_SOCKET, abi::SO_ERROR) if stream => Some(StreamOpt::Error),
            _ => None,
        }
    }

    /// The bytes `getsockopt` writes (and sets `*optlen` to).
    pub fn size(self) -> usize {
        match self {
            StreamOpt::NoDelay => 1,
            _ => 4,
        }
    }

    /// Whether a BOOL: `setsockopt` takes a shorter `optlen` (its first byte).
    pub fn is_bool(self) -> bool {
        !matches!(self, StreamOpt::Linger | StreamOpt::Error)
    }
}

fn stream_only(what: &str) -> Error {
    Error::new(
        abi::WSAENOPROTOOPT,
        format!("{what} works on stream (SOCK_STREAM) sockets only"),
    )
}

impl SocketCore {
    /// Sets a stream option; `value` as Windows passes it (a `LINGER` as
    /// `l_onoff | l_linger << 16`, the bytes of the 4-byte value).
    ///
    /// ```
    /// # use ws2_engine::{Family, SocketCore, SocketKind, socket::StreamOpt};
    /// let core = SocketCore::new(Family::V4, SocketKind::Stream, 0, true)?;
    /// core.set_stream_option(StreamOpt::Linger, 1 | 5 << 16)?;
    /// assert_eq!(core.stream_option(StreamOpt::DontLinger)?, 0);
    /// let err = core.set_stream_option(StreamOpt::AcceptConn, 1).unwrap_err();
    /// assert_eq!(err.code(), ws2_abi::WSAENOPROTOOPT);
    /// # Ok::<(), ws2_engine::Error>(())
    /// ```
    pub fn set_stream_option(&self, opt: StreamOpt, value: i32) -> Result<()> {
        match opt {
            StreamOpt::Linger => self.set_linger(abi::LINGER {
                l_onoff: value as u16,
                l_linger: (value >> 16) as u16,
            }),
            StreamOpt::DontLinger => {
                let l = self.linger();
                self.set_linger(abi::LINGER {
                    l_onoff: (value == 0) as u16,
                    l_linger: l.l_linger,
                })
            }
            StreamOpt::AcceptConn => Err(Error::new(
                abi::WSAENOPROTOOPT,
                "SO_ACCEPTCONN can be read but not set",
            )),
            StreamOpt::OobInline => self.set_int_option(
                libc::SOL_SOCKET,
                libc::SO_OOBINLINE,
                (value != 0) as i32,
                "setsockopt(SO_OOBINLINE)",
            ),
            StreamOpt::NoDelay => {
                if !self.is_stream() {
                    return Err(stream_only("TCP_NODELAY"));
                }
                // Windows takes the BOOL's first byte (0x100 reads back 0).
                self.set_int_option(
                    libc::IPPROTO_TCP,
                    libc::TCP_NODELAY,
                    (value & 0xff != 0) as i32,
                    "setsockopt(TCP_NODELAY)",
                )
            }
            StreamOpt::Error => Err(Error::new(
                abi::WSAEINVAL,
                "this option can be read with getsockopt but not set",
            )),
        }
    }

    /// Reads a stream option (see [`SocketCore::set_stream_option`]).
    pub fn stream_option(&self, opt: StreamOpt) -> Result<i32> {
        match opt {
            StreamOpt::Linger | StreamOpt::DontLinger => {
                if !self.is_stream() {
                    return Err(stream_only("SO_LINGER"));
                }
                let l = self.linger();
                Ok(if opt == StreamOpt::Linger {
                    l.l_onoff as i32 | (l.l_linger as i32) << 16
                } else {
                    (l.l_onoff == 0) as i32
                })
            }
            StreamOpt::AcceptConn => Ok(self.is_listening() as i32),
            StreamOpt::OobInline => Ok((self.int_option(
                libc::SOL_SOCKET,
                libc::SO_OOBINLINE,
                "getsockopt(SO_OOBINLINE)",
            )? != 0) as i32),
            StreamOpt::NoDelay => {
                if !self.is_stream() {
                    return Err(stream_only("TCP_NODELAY"));
                }
                Ok((self.int_option(
                    libc::IPPROTO_TCP,
                    libc::TCP_NODELAY,
                    "getsockopt(TCP_NODELAY)",
                )? != 0) as i32)
            }
            StreamOpt::Error => Ok(self.stream_so_error()),
        }
    }

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
        let inline = self.int_option(
            libc::SOL_SOCKET,
            libc::SO_OOBINLINE,
            "getsockopt(SO_OOBINLINE)",
        )? != 0;
        if inline {
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
}
