//! `ws2_engine::Error`: a Winsock code plus a message that says what was wrong.

use std::borrow::Cow;
use std::fmt;
use std::io;

use ws2_abi as abi;

/// An error with its Winsock code (`WSAEINVAL`, `WSAEMSGSIZE`, ...) and a
/// message naming the field, control message or limit at fault.
///
/// ```
/// # use ws2_engine as ws2;
/// let err = ws2::Error::new(ws2::WSAEINVAL, "IN_PKTINFO payload is 4 bytes, expected 8");
/// assert_eq!(err.code(), ws2::WSAEINVAL);
/// let io: std::io::Error = err.into();
/// assert!(io.to_string().contains("IN_PKTINFO"));
/// ```
#[derive(Clone)]
pub struct Error(Repr);

/// A tag and a pointer: a `Result` of a word stays two words (the tag's
/// spare values hold `Ok`) and travels in registers, as it did when
/// `Error` was one box.
#[derive(Clone)]
enum Repr {
    /// A fixed answer made without allocating ([`static_error!`]): the
    /// routine ones of hot paths, `WSA_IO_PENDING` and `WSAEWOULDBLOCK`.
    Static(&'static Inner),
    /// Any other error (errors are the cold path).
    Boxed(Box<Inner>),
}

/// The fields of an [`Error`].
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Inner {
    code: i32,
    message: Cow<'static, str>,
    /// The NTSTATUS an operation failing with this error completes with,
    /// where the Winsock code alone does not tell it (`None`: the code's).
    status: Option<abi::NTSTATUS>,
    /// Bytes the failed operation still transferred (a receive whose
    /// datagram or control data was truncated: `InternalHigh`).
    bytes: usize,
}

/// `Result` with [`Error`].
///
/// ```
/// # use ws2_engine as ws2;
/// fn check(n: usize) -> ws2::Result<usize> {
///     if n > 65507 {
///         return Err(ws2::Error::new(ws2::WSAEMSGSIZE, "too big"));
///     }
///     Ok(n)
/// }
/// assert_eq!(check(70000).unwrap_err().code(), ws2::WSAEMSGSIZE);
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An [`Error`] with a fixed code and message that allocates nothing: for
/// the answers hot paths give routinely (`WSA_IO_PENDING` on every posted
/// operation, `WSAEWOULDBLOCK` on every empty non-blocking receive).
macro_rules! static_error {
    ($code:expr, $message:expr) => {{
        static INNER: $crate::error::Inner = $crate::error::Error::fixed($code, $message);
        $crate::error::Error::from_static(&INNER)
    }};
}
pub(crate) use static_error;

impl Error {
    /// An error with a Winsock code and a message.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let err = ws2::Error::new(ws2::WSAENOTSOCK, "handle 0x4 is not an open socket");
    /// assert_eq!(err.message(), "handle 0x4 is not an open socket");
    /// ```
    #[cold]
    pub fn new(code: i32, message: impl Into<Cow<'static, str>>) -> Error {
        Error(Repr::Boxed(Box::new(Inner {
            code,
            message: message.into(),
            status: None,
            bytes: 0,
        })))
    }

    /// The fields of a fixed error, for [`static_error!`].
    pub(crate) const fn fixed(code: i32, message: &'static str) -> Inner {
        Inner {
            code,
            message: Cow::Borrowed(message),
            status: None,
            bytes: 0,
        }
    }

    /// The error whose fields are `inner`, allocating nothing.
    pub(crate) const fn from_static(inner: &'static Inner) -> Error {
        Error(Repr::Static(inner))
    }

    #[inline]
    fn inner(&self) -> &Inner {
        match &self.0 {
            Repr::Static(inner) => inner,
            Repr::Boxed(inner) => inner,
        }
    }

    /// The fields, to change: a fixed error becomes an allocated copy.
    fn inner_mut(&mut self) -> &mut Inner {
        if let Repr::Static(inner) = self.0 {
            self.0 = Repr::Boxed(Box::new(inner.clone()));
        }
        match &mut self.0 {
            Repr::Boxed(inner) => inner,
            Repr::Static(_) => unreachable!("made Boxed just above"),
        }
    }

    /// The same error, completing an overlapped operation with `status`
    /// (`Internal`; `GetOverlappedResult`'s Win32 code comes from it) where
    /// several statuses share one Winsock code: an ICMP port unreachable
    /// is `WSAECONNRESET` to Winsock and `STATUS_PORT_UNREACHABLE`
    /// (`ERROR_PORT_UNREACHABLE`) to kernel32, a TCP reset
    /// `STATUS_CONNECTION_RESET` (`ERROR_NETNAME_DELETED`).
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let err = ws2::Error::new(ws2::WSAECONNRESET, "ICMP port unreachable")
    ///     .with_status(ws2_abi::STATUS_PORT_UNREACHABLE);
    /// assert_eq!(err.status(), ws2_abi::STATUS_PORT_UNREACHABLE);
    /// let plain = ws2::Error::new(ws2::WSAECONNRESET, "reset");
    /// assert_eq!(plain.status(), ws2_abi::STATUS_CONNECTION_RESET);
    /// ```
    #[doc(hidden)]
    pub fn with_status(mut self, status: abi::NTSTATUS) -> Error {
        self.inner_mut().status = Some(status);
        self
    }

    /// The NTSTATUS an overlapped operation failing with this error
    /// completes with (`Internal`).
    #[doc(hidden)]
    pub fn status(&self) -> abi::NTSTATUS {
        let inner = self.inner();
        inner
            .status
            .unwrap_or_else(|| abi::status_from_wsa(inner.code))
    }

    /// The error of an operation that still transferred `bytes`: a receive
    /// completing with `STATUS_BUFFER_OVERFLOW` reports the datagram's byte
    /// count in `InternalHigh`, to `WSAGetOverlappedResult` and to a
    /// completion routine (sock.c `test_ip_pktinfo`).
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let err = ws2::Error::new(ws2::WSAEMSGSIZE, "control data truncated").with_bytes(6);
    /// assert_eq!(err.bytes(), 6);
    /// ```
    pub fn with_bytes(mut self, bytes: usize) -> Error {
        self.inner_mut().bytes = bytes;
        self
    }

    /// Bytes the failed operation still transferred (0 for most errors).
    pub fn bytes(&self) -> usize {
        self.inner().bytes
    }

    /// The error for a Linux `errno`, mapped as SPEC S19 says.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let err = ws2::Error::from_errno(libc::ENETUNREACH, "sendmsg");
    /// assert_eq!(err.code(), ws2::WSAENETUNREACH);
    /// let err = ws2::Error::from_errno(libc::EMSGSIZE, "sendmsg");
    /// assert_eq!(err.code(), ws2::WSAEMSGSIZE);
    /// ```
    #[doc(hidden)]
    pub fn from_errno(errno: i32, context: &'static str) -> Error {
        let text = io::Error::from_raw_os_error(errno);
        Error::new(
            abi::wsa_from_errno(errno),
            format!("{context}: {text} (Linux errno {errno})"),
        )
    }

    /// The error for the current `errno`.
    pub(crate) fn last_os(context: &'static str) -> Error {
        Error::from_errno(errno(), context)
    }

    /// A resource ws2 needs for an operation (an fd, a thread, kernel
    /// memory) could not be had: `WSAEMFILE` when the process or the
    /// system is out of file descriptors (`EMFILE`, `ENFILE`), else
    /// `WSAENOBUFS` (`ENOMEM`, `EAGAIN` from thread creation, `ENOSPC` of
    /// epoll's watch limit...). The caller has queued nothing; a later
    /// call tries again (S18, S20).
    #[cold]
    pub(crate) fn resource(errno: i32, what: &'static str) -> Error {
        let code = match errno {
            libc::EMFILE | libc::ENFILE => abi::WSAEMFILE,
            _ => abi::WSAENOBUFS,
        };
        let text = io::Error::from_raw_os_error(errno);
        Error::new(
            code,
            format!("{what}: {text} (Linux errno {errno}); nothing was queued, try again later"),
        )
    }

    /// The Winsock code (`WSAGetLastError` value).
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let err = ws2::Error::new(ws2::WSAEMSGSIZE, "datagram of 70000 bytes");
    /// assert_eq!(err.code(), ws2::WSAEMSGSIZE);
    /// ```
    pub fn code(&self) -> i32 {
        self.inner().code
    }

    /// The symbolic name of the code, e.g. `"WSAEINVAL"`.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let err = ws2::Error::new(ws2::WSAEINVAL, "bad flags");
    /// assert_eq!(err.name(), "WSAEINVAL");
    /// ```
    pub fn name(&self) -> &'static str {
        abi::wsa_error_name(self.code())
    }

    /// The message (without the code).
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// let err = ws2::Error::new(ws2::WSAEINVAL, "bad flags");
    /// assert_eq!(err.message(), "bad flags");
    /// assert_eq!(err.to_string(), "WSAEINVAL (10022): bad flags");
    /// ```
    pub fn message(&self) -> &str {
        &self.inner().message
    }
}

pub(crate) fn errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.name(), self.code(), self.message())
    }
}

impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        self.inner() == other.inner()
    }
}

impl Eq for Error {}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The `io::ErrorKind` closest to the Winsock code.
    ///
    /// ```
    /// # use ws2_engine as ws2;
    /// use std::io::ErrorKind;
    /// let err = ws2::Error::new(ws2::WSAEWOULDBLOCK, "no buffer space yet");
    /// assert_eq!(err.kind(), ErrorKind::WouldBlock);
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        use io::ErrorKind as K;
        match self.code() {
            abi::WSAEWOULDBLOCK => K::WouldBlock,
            abi::WSAETIMEDOUT => K::TimedOut,
            abi::WSAEINVAL | abi::WSAEFAULT | abi::WSAEAFNOSUPPORT => K::InvalidInput,
            abi::WSAEACCES => K::PermissionDenied,
            abi::WSAECONNRESET => K::ConnectionReset,
            abi::WSAECONNREFUSED => K::ConnectionRefused,
            abi::WSAENOTCONN => K::NotConnected,
            abi::WSAEADDRINUSE => K::AddrInUse,
            abi::WSAEADDRNOTAVAIL => K::AddrNotAvailable,
            abi::WSAENETUNREACH => K::NetworkUnreachable,
            abi::WSAEHOSTUNREACH => K::HostUnreachable,
            abi::WSAENETDOWN => K::NetworkDown,
            abi::WSAEINTR | abi::WSA_OPERATION_ABORTED => K::Interrupted,
            abi::WSAESHUTDOWN => K::BrokenPipe,
            abi::WSAEOPNOTSUPP => K::Unsupported,
            // "No buffer space available ... or a queue was full", and
            // "too many open sockets": a limit of the system or of the
            // process was reached, which may pass. `OutOfMemory` would say
            // this process's heap failed, which a caller may treat as fatal.
            abi::WSAENOBUFS | abi::WSAEMFILE => K::QuotaExceeded,
            abi::WSAEMSGSIZE => K::InvalidInput,
            _ => K::Other,
        }
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        io::Error::new(err.kind(), err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_error_is_an_error_like_any_other() {
        let e = static_error!(abi::WSAEWOULDBLOCK, "no datagram is waiting");
        assert_eq!(e, Error::new(abi::WSAEWOULDBLOCK, "no datagram is waiting"));
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(e.status(), abi::status_from_wsa(abi::WSAEWOULDBLOCK));
        // Changing one makes an owned copy; the static stays as it was.
        let changed = e
            .clone()
            .with_bytes(3)
            .with_status(abi::STATUS_BUFFER_OVERFLOW);
        assert_eq!(
            (changed.bytes(), changed.status()),
            (3, abi::STATUS_BUFFER_OVERFLOW)
        );
        assert_eq!((e.bytes(), e.message()), (0, "no datagram is waiting"));
        // A `Result` stays at most two words (returned in registers).
        assert_eq!(size_of::<Error>(), 2 * size_of::<usize>());
        assert_eq!(size_of::<Result<usize>>(), 2 * size_of::<usize>());
        assert_eq!(size_of::<Result<()>>(), 2 * size_of::<usize>());
    }

    #[test]
    fn a_boxed_error_clones_and_drops_its_own_copy() {
        let e = Error::new(abi::WSAEINVAL, format!("field {} is wrong", 3));
        let copy = e.clone().with_bytes(7);
        drop(e);
        assert_eq!(
            (copy.code(), copy.message(), copy.bytes()),
            (abi::WSAEINVAL, "field 3 is wrong", 7)
        );
        // Sent to another thread and back.
        let back = std::thread::spawn(move || copy).join().unwrap();
        assert_eq!(back.message(), "field 3 is wrong");
    }

    #[test]
    fn io_error_keeps_code_and_message() {
        let io: io::Error =
            Error::new(abi::WSAEMSGSIZE, "datagram of 70000 bytes exceeds 65507").into();
        assert_eq!(io.kind(), io::ErrorKind::InvalidInput);
        let inner = io.get_ref().unwrap().downcast_ref::<Error>().unwrap();
        assert_eq!(inner.code(), abi::WSAEMSGSIZE);
        assert!(io.to_string().starts_with("WSAEMSGSIZE (10040)"));
    }

    #[test]
    fn resource_errors_by_errno() {
        // S18
        for (errno, code) in [
            (libc::EMFILE, abi::WSAEMFILE),
            (libc::ENFILE, abi::WSAEMFILE),
            (libc::ENOMEM, abi::WSAENOBUFS),
            (libc::EAGAIN, abi::WSAENOBUFS),
            (libc::ENOSPC, abi::WSAENOBUFS),
        ] {
            let e = Error::resource(errno, "epoll_create1 for the reactor");
            assert_eq!(e.code(), code, "errno {errno}");
            assert!(
                e.message().starts_with("epoll_create1 for the reactor: "),
                "{e}"
            );
        }
    }

    #[test]
    fn enobufs_does_not_read_as_out_of_memory() {
        // S18 S42
        for code in [abi::WSAENOBUFS, abi::WSAEMFILE] {
            let io: io::Error = Error::new(code, "a limit").into();
            assert_eq!(io.kind(), io::ErrorKind::QuotaExceeded, "{code}");
        }
    }
}
