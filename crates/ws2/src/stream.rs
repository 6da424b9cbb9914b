//! Stream sockets (TCP) with Windows semantics: [`TcpListener`] and
//! [`TcpStream`], shaped as `std::net`'s.
//!
//! A pair of types rather than more methods on [`Socket`](crate::Socket):
//! a `Socket` sends datagrams (destinations, control messages, overlapped
//! sends), none of which a stream has, while a stream has what a datagram
//! socket does not (accepting, half-closing, `Read`/`Write`, Windows'
//! whole-buffer send rule). Two types make the misuse a compile error and
//! read like the `std::net` types every Rust programmer knows; both are
//! thin handles on the same engine as everything else in ws2.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;

use ws2_abi as abi;
use ws2_engine::translate::SockOpt;
use ws2_engine::{Family, Result, SocketCore, SocketKind};

fn new_stream_socket(addr: &SocketAddr) -> Result<Arc<SocketCore>> {
    let family = if addr.is_ipv4() {
        Family::V4
    } else {
        Family::V6
    };
    Ok(Arc::new(SocketCore::new(
        family,
        SocketKind::Stream,
        0,
        true,
    )?))
}

/// `TCP_NODELAY` (the option table's row for it).
const NODELAY: SockOpt = SockOpt::Linux {
    level: libc::IPPROTO_TCP,
    name: libc::TCP_NODELAY,
};

fn timeout_ms(d: Option<Duration>) -> u32 {
    match d {
        None => 0,
        Some(d) => d.as_millis().clamp(1, u32::MAX as u128) as u32,
    }
}

/// A listening TCP socket: `bind` + `listen(SOMAXCONN)`, then [`accept`](TcpListener::accept).
///
/// ```
/// use std::io::{Read, Write};
/// let listener = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
/// let mut client = ws2::TcpStream::connect(listener.local_addr()?)?;
/// let (mut server, peer) = listener.accept()?;
/// assert_eq!(peer, client.local_addr()?);
/// client.write_all(b"ping")?;
/// let mut buf = [0u8; 4];
/// server.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TcpListener {
    core: Arc<SocketCore>,
}

impl TcpListener {
    /// A listener on `addr` (an IPv6 one is IPv6-only, the Windows default).
    /// A port already in use is `WSAEADDRINUSE`.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let err = ws2::TcpListener::bind(l.local_addr()?).unwrap_err();
    /// assert_eq!(err.code(), ws2::WSAEADDRINUSE);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bind(addr: SocketAddr) -> Result<TcpListener> {
        let core = new_stream_socket(&addr)?;
        core.bind(&addr)?;
        core.listen(abi::SOMAXCONN)?;
        Ok(TcpListener { core })
    }

    /// The next connection and its peer; waits unless non-blocking
    /// (`WSAEWOULDBLOCK`). The stream has the listener's settings
    /// (non-blocking mode, timeouts, linger, `TCP_NODELAY`...).
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// l.set_nonblocking(true);
    /// assert_eq!(l.accept().unwrap_err().code(), ws2::WSAEWOULDBLOCK);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accept(&self) -> Result<(TcpStream, SocketAddr)> {
        let (core, peer) = self.core.accept(None)?;
        Ok((
            TcpStream {
                core: Arc::new(core),
            },
            peer,
        ))
    }

    /// The address the listener is bound to.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// assert_ne!(l.local_addr()?.port(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.core.local_addr()
    }

    /// `FIONBIO`: `accept` answers `WSAEWOULDBLOCK` instead of waiting.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// l.set_nonblocking(true);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_nonblocking(&self, on: bool) {
        self.core.set_nonblocking(on)
    }

    /// `closesocket`: an `accept` blocked in another thread fails with
    /// `WSAEINTR`; later calls with `WSAENOTSOCK`.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// l.close();
    /// assert_eq!(l.accept().unwrap_err().code(), ws2::WSAENOTSOCK);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&self) {
        self.core.close()
    }
}

/// A connected TCP stream with Windows' send rule: [`send`](TcpStream::send)
/// takes the whole buffer or fails (`WSAEWOULDBLOCK` when non-blocking),
/// never part of it; what the kernel cannot take yet is sent, in order, as
/// the connection drains, also after [`close`](TcpStream::close) or drop.
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::Shutdown;
/// let listener = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
/// let client = ws2::TcpStream::connect(listener.local_addr()?)?;
/// let (server, _) = listener.accept()?;
/// client.set_nonblocking(true);
/// let big = vec![7u8; 8 << 20];
/// assert_eq!(client.send(&big)?, big.len()); // all of it, at once
/// client.shutdown(Shutdown::Write)?; // the end of stream follows the bytes
/// let mut got = Vec::new();
/// (&server).read_to_end(&mut got)?;
/// assert_eq!(got, big);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TcpStream {
    core: Arc<SocketCore>,
}

impl TcpStream {
    /// Connects to `addr`, waiting until the kernel connects or gives up
    /// (`WSAECONNREFUSED`, `WSAETIMEDOUT`, `WSAENETUNREACH`...).
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let port = l.local_addr()?;
    /// l.close();
    /// let err = ws2::TcpStream::connect(port).unwrap_err();
    /// assert_eq!(err.code(), ws2::WSAECONNREFUSED);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn connect(addr: SocketAddr) -> Result<TcpStream> {
        let core = new_stream_socket(&addr)?;
        core.connect(&addr)?;
        Ok(TcpStream { core })
    }

    /// Sends all of `buf` (Windows' rule, above): blocking, it returns once
    /// every byte is taken (`SO_SNDTIMEO`: [`set_write_timeout`](TcpStream::set_write_timeout));
    /// non-blocking, it takes everything or fails with `WSAEWOULDBLOCK`.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// assert_eq!(s.send(b"hello")?, 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send(&self, buf: &[u8]) -> Result<usize> {
        let iov = [libc::iovec {
            iov_base: buf.as_ptr().cast_mut().cast(),
            iov_len: buf.len(),
        }];
        ws2_engine::io::send_stream(&self.core, &iov, false, false)
    }

    /// Receives what has arrived, up to `buf.len()` bytes; 0 at the end of
    /// the stream (every time); `WSAECONNRESET` after a reset (every time).
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// let (peer, _) = l.accept()?;
    /// peer.send(b"hi")?;
    /// peer.close()?;
    /// let mut buf = [0u8; 8];
    /// assert_eq!(s.recv(&mut buf)?, 2);
    /// assert_eq!(s.recv(&mut buf)?, 0);
    /// assert_eq!(s.recv(&mut buf)?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize> {
        self.recv_with(buf, 0)
    }

    /// Like [`recv`](TcpStream::recv), but leaves the bytes queued (`MSG_PEEK`).
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// l.accept()?.0.send(b"hi")?;
    /// let mut buf = [0u8; 8];
    /// let n = s.peek(&mut buf)?;
    /// assert_eq!(s.recv(&mut buf)?, n);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn peek(&self, buf: &mut [u8]) -> Result<usize> {
        self.recv_with(buf, abi::MSG_PEEK)
    }

    fn recv_with(&self, buf: &mut [u8], flags: u32) -> Result<usize> {
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: `iov` describes `buf`, writable for the call.
        unsafe { self.core.recv_stream(&mut iov, 1, flags) }
    }

    /// `shutdown`: `Write` sends the end of the stream after every byte
    /// already taken; later sends fail with `WSAESHUTDOWN`.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// s.shutdown(std::net::Shutdown::Write)?;
    /// assert_eq!(s.send(b"x").unwrap_err().code(), ws2::WSAESHUTDOWN);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        self.core.shutdown(match how {
            Shutdown::Read => abi::SD_RECEIVE,
            Shutdown::Write => abi::SD_SEND,
            Shutdown::Both => abi::SD_BOTH,
        })
    }

    /// The local address.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// assert_eq!(l.accept()?.1, s.local_addr()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.core.local_addr()
    }

    /// The peer.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// assert_eq!(s.peer_addr()?, l.local_addr()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        self.core.peer_addr()
    }

    /// `TCP_NODELAY`: send small writes at once instead of coalescing them.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// s.set_nodelay(true)?;
    /// assert!(s.nodelay()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_nodelay(&self, on: bool) -> Result<()> {
        self.core.set_option(NODELAY, on as i32)
    }

    /// Whether `TCP_NODELAY` is on.
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// assert!(!ws2::TcpStream::connect(l.local_addr()?)?.nodelay()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn nodelay(&self) -> Result<bool> {
        Ok(self.core.option(NODELAY)? != 0)
    }

    /// `SO_LINGER` (whole seconds, at most 65535): `Some(ZERO)` makes
    /// [`close`](TcpStream::close) reset the connection, dropping what is
    /// not sent; `Some(t)` makes a blocking `close` wait up to `t` for the
    /// peer to take everything (then reset); `None` (the default) closes
    /// gracefully in the background.
    ///
    /// ```
    /// use std::time::Duration;
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// s.set_linger(Some(Duration::from_secs(5)))?;
    /// assert_eq!(s.linger(), Some(Duration::from_secs(5)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> Result<()> {
        self.core.set_linger(abi::LINGER {
            l_onoff: linger.is_some() as u16,
            l_linger: linger.map_or(0, |d| d.as_secs().min(u16::MAX as u64) as u16),
        })
    }

    /// The `SO_LINGER` in force.
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// assert_eq!(ws2::TcpStream::connect(l.local_addr()?)?.linger(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn linger(&self) -> Option<Duration> {
        let l = self.core.linger();
        (l.l_onoff != 0).then(|| Duration::from_secs(l.l_linger as u64))
    }

    /// `FIONBIO`: receives with nothing waiting and sends the kernel cannot
    /// take answer `WSAEWOULDBLOCK` (as `io::ErrorKind::WouldBlock`).
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// s.set_nonblocking(true);
    /// assert_eq!(s.recv(&mut [0u8; 4]).unwrap_err().code(), ws2::WSAEWOULDBLOCK);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_nonblocking(&self, on: bool) {
        self.core.set_nonblocking(on)
    }

    /// `SO_RCVTIMEO`: a blocking receive gives up with `WSAETIMEDOUT`.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// s.set_read_timeout(Some(std::time::Duration::from_millis(20)));
    /// assert_eq!(s.recv(&mut [0u8; 4]).unwrap_err().code(), ws2::WSAETIMEDOUT);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        self.core.set_recv_timeout_ms(timeout_ms(timeout))
    }

    /// `SO_SNDTIMEO`: a blocking send gives up with `WSAETIMEDOUT`.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// s.set_write_timeout(Some(std::time::Duration::from_millis(200)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        self.core.set_send_timeout_ms(timeout_ms(timeout))
    }

    /// `closesocket`, for this stream and every clone: what the stream still
    /// holds is sent in the background (unless [`set_linger`](TcpStream::set_linger)
    /// says otherwise; a non-blocking stream that must linger answers
    /// `WSAEWOULDBLOCK` and stays open); a call blocked in another thread
    /// fails with `WSAEINTR`, later calls with `WSAENOTSOCK`. Dropping the
    /// last clone closes gracefully too.
    ///
    /// ```
    /// let l = ws2::TcpListener::bind("127.0.0.1:0".parse()?)?;
    /// let s = ws2::TcpStream::connect(l.local_addr()?)?;
    /// s.close()?;
    /// assert_eq!(s.send(b"x").unwrap_err().code(), ws2::WSAENOTSOCK);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&self) -> Result<()> {
        self.core.close_lingering()?;
        self.core.close();
        Ok(())
    }
}

impl io::Read for TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
}

impl io::Read for &TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.recv(buf)?)
    }
}

impl io::Write for TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `write` sends the whole buffer (Windows' rule), so `write_all` is one call.
impl io::Write for &TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.send(buf)?)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.core.as_fd()
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.core.raw_fd()
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.core.as_fd()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.core.raw_fd()
    }
}

impl std::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.core.fmt(f)
    }
}

impl std::fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.core.fmt(f)
    }
}
