//! The sequence header `wsasend send` puts at the start of every datagram
//! it generates, and `wsasend recv` reads to count loss, reordering,
//! duplicates and jitter.
//!
//! 24 bytes, every field big-endian:
//!
//! | offset | bytes | field                                                      |
//! |-------:|------:|------------------------------------------------------------|
//! |      0 |     4 | magic `57 53 32 01` (`"WS2"` and header version 1)         |
//! |      4 |     4 | session: random per `send` run, tells runs apart           |
//! |      8 |     8 | sequence number: 0 for the run's first datagram, +1 each   |
//! |     16 |     8 | send time: nanoseconds since the Unix epoch (CLOCK_REALTIME) |
//!
//! The rest of the datagram is the byte pattern `offset mod 256`. Only
//! datagrams the kernel took get a number: a failed send reuses it, so a
//! gap at the receiver is a datagram the network lost.
//!
//! A datagram shorter than 24 bytes carries no header (`--size` below 24,
//! or a segment of `--segment-size` below 24): `recv` then counts its
//! datagrams and bytes but reports loss, order and jitter as unknown, never
//! as zero.

use std::time::{SystemTime, UNIX_EPOCH};

/// Header length in bytes.
pub const LEN: usize = 24;
/// First four bytes of every header: `"WS2"` and the header version.
pub const MAGIC: [u8; 4] = [0x57, 0x53, 0x32, 0x01];

/// One datagram's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub session: u32,
    pub seq: u64,
    /// Send time, nanoseconds since the Unix epoch.
    pub sent_ns: u64,
}

impl Header {
    /// Writes the header into the first [`LEN`] bytes of `buf` (which must
    /// be at least that long).
    pub fn write(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&MAGIC);
        buf[4..8].copy_from_slice(&self.session.to_be_bytes());
        buf[8..16].copy_from_slice(&self.seq.to_be_bytes());
        buf[16..24].copy_from_slice(&self.sent_ns.to_be_bytes());
    }

    /// The header at the start of `datagram`, if it has one.
    pub fn read(datagram: &[u8]) -> Option<Header> {
        if datagram.len() < LEN || datagram[0..4] != MAGIC {
            return None;
        }
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&datagram[i..i + 8]);
            u64::from_be_bytes(b)
        };
        let mut session = [0u8; 4];
        session.copy_from_slice(&datagram[4..8]);
        Some(Header {
            session: u32::from_be_bytes(session),
            seq: u64_at(8),
            sent_ns: u64_at(16),
        })
    }
}

/// Now, in nanoseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// A session number for one `send` run: std's per-process random hash keys.
pub fn new_session() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(now_ns());
    h.write_u32(std::process::id());
    h.finish() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_the_documented_one() {
        let h = Header {
            session: 0x0102_0304,
            seq: 0x1112_1314_1516_1718,
            sent_ns: 0x2122_2324_2526_2728,
        };
        let mut buf = [0u8; 30];
        h.write(&mut buf);
        assert_eq!(
            &buf[..24],
            &[
                0x57, 0x53, 0x32, 0x01, 1, 2, 3, 4, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28
            ]
        );
        assert_eq!(Header::read(&buf), Some(h));
        assert_eq!(Header::read(&buf[..24]), Some(h));
    }

    #[test]
    fn short_or_foreign_datagrams_have_none() {
        let mut buf = [0u8; 24];
        Header {
            session: 1,
            seq: 2,
            sent_ns: 3,
        }
        .write(&mut buf);
        assert_eq!(Header::read(&buf[..23]), None);
        buf[3] = 2;
        assert_eq!(Header::read(&buf), None, "another header version");
        let pattern: Vec<u8> = (0..64u32).map(|i| i as u8).collect();
        assert_eq!(Header::read(&pattern), None);
    }
}
