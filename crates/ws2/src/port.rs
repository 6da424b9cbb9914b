//! Completion ports and alertable sleeps for Rust: the packets of sends
//! made with [`Socket::send_to_port`] on a bound socket, and the
//! completion routines of [`Socket::send_with_routine`].

use std::sync::Arc;
use std::time::Duration;

use ws2_abi as abi;

use ws2_engine::completion::{self, Packet, Payload, Port, Waited, deadline_in};
use ws2_engine::{Error, Result};

use crate::socket::Socket;

/// A completion port for Rust: sockets bound to it deliver their overlapped
/// sends' completions as packets, which any thread may take.
///
/// ```
/// use ws2::{CompletionPort, Socket};
/// let rx = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// let port = CompletionPort::new();
/// let tx = Socket::udp_v4()?;
/// port.associate(&tx, 7)?;
/// tx.send_to_port(b"hi".to_vec(), Some(rx.local_addr()?), &[]).map_err(ws2::Error::from)?;
/// let done = port.get(Some(std::time::Duration::from_secs(5))).expect("a packet");
/// assert_eq!((done.key, done.result.clone()?), (7, 2));
/// assert_eq!(done.buffer::<Vec<u8>>().unwrap(), b"hi");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct CompletionPort {
    port: Arc<Port>,
}

/// One completion taken from a [`CompletionPort`].
#[derive(Debug)]
#[must_use = "a completion holds the send's result"]
pub struct PortCompletion {
    pub key: usize,
    pub result: Result<usize>,
    payload: Option<Payload>,
}

impl PortCompletion {
    /// The buffer of the send, if it was a `B`.
    pub fn buffer<B: 'static>(self) -> Option<B> {
        self.payload?.downcast::<B>().ok()
    }
}

fn from_packet(p: Packet) -> PortCompletion {
    let result = if p.status == abi::STATUS_SUCCESS {
        Ok(p.bytes as usize)
    } else {
        let code = abi::wsa_from_status(p.status);
        Err(Error::new(
            code,
            format!("the send failed with NTSTATUS {:#x}", p.status),
        ))
    };
    PortCompletion {
        key: p.key,
        result,
        payload: p.payload,
    }
}

impl CompletionPort {
    /// A new port.
    pub fn new() -> CompletionPort {
        CompletionPort::default()
    }

    /// Binds `socket` to this port with `key` (once per socket).
    pub fn associate(&self, socket: &Socket, key: usize) -> Result<()> {
        socket.core.set_port(self.port.clone(), key)
    }

    /// Takes one completion, waiting up to `timeout` (`None`: forever).
    #[must_use = "a completion taken from the port is gone from it"]
    pub fn get(&self, timeout: Option<Duration>) -> Option<PortCompletion> {
        match self.port.get(timeout.and_then(deadline_in), false) {
            Ok(Waited::Done(p)) => Some(from_packet(p)),
            _ => None,
        }
    }

    /// Takes up to `max` completions, waiting for at least one.
    #[must_use = "completions taken from the port are gone from it"]
    pub fn get_many(&self, max: usize, timeout: Option<Duration>) -> Vec<PortCompletion> {
        let mut out = Vec::new();
        self.get_many_into(&mut out, max, timeout);
        out
    }

    /// Takes up to `max` completions into `out`, waiting up to `timeout` for
    /// at least one; how many were added. Reusing `out` allocates nothing.
    ///
    /// ```
    /// let port = ws2::CompletionPort::new();
    /// port.post(1, 0);
    /// port.post(2, 0);
    /// let mut done = Vec::with_capacity(64);
    /// assert_eq!(port.get_many_into(&mut done, 64, Some(std::time::Duration::ZERO)), 2);
    /// assert_eq!(done.iter().map(|c| c.key).collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn get_many_into(
        &self,
        out: &mut Vec<PortCompletion>,
        max: usize,
        timeout: Option<Duration>,
    ) -> usize {
        out.reserve(max.clamp(1, 1024));
        match self
            .port
            .take_many(max, timeout.and_then(deadline_in), false, |p| {
                out.push(from_packet(p))
            }) {
            Ok(Waited::Done(n)) => n,
            _ => 0,
        }
    }

    /// Posts a packet of our own.
    pub fn post(&self, key: usize, bytes: u32) {
        self.port.post(Packet {
            bytes,
            key,
            overlapped: 0,
            status: abi::STATUS_SUCCESS,
            payload: None,
        });
    }
}

/// Sleeps up to `timeout`, running the completion routines queued to this
/// thread; true if any ran (`SleepEx(ms, TRUE)` returning `WAIT_IO_COMPLETION`).
///
/// ```
/// assert!(!ws2::sleep_alertable(std::time::Duration::from_millis(1)));
/// ```
pub fn sleep_alertable(timeout: Duration) -> bool {
    matches!(
        completion::sleep(deadline_in(timeout), true),
        Ok(Waited::IoCompletion)
    )
}
