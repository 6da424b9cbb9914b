//! What `wsasend recv` counts per flow: datagrams and bytes, and from the
//! sequence header loss, reordering, duplicates and jitter. A flow is one
//! `send` run, told apart by the session in its header (whatever source
//! address its datagrams come from: one run numbers them all), or, for
//! datagrams without the header, one source address.
//!
//! - **lost**: sequence numbers from 0 up to the highest seen that never
//!   arrived. A run's numbers start at 0, so a receiver started after the
//!   sender counts what it missed as lost; datagrams lost after the last
//!   one that arrived are not visible here (`send` reports how many it
//!   sent). A late datagram fills its gap: lost goes down again, so an
//!   interval's `lost` is the change over the interval and can be negative.
//! - **reordered**: arrived after a higher sequence number (and not before).
//! - **duplicates**: a sequence number seen before.
//! - **too_old**: more than [`WINDOW`] numbers below the highest: whether it
//!   is a duplicate cannot be told, so it is counted here and nowhere else.
//! - **jitter**: RFC 3550 section 6.4.1's estimator, as iperf3 reports it
//!   for UDP: per datagram in arrival order, `D` = the change of (arrival
//!   time - send time) from the previous datagram, `J += (|D| - J) / 16`.
//!   The two clocks need not agree: their offset cancels in `D`.

use std::net::SocketAddr;

/// Sequence numbers remembered for duplicate detection.
pub const WINDOW: u64 = 1 << 16;

/// Loss, order and duplicate accounting over one run's sequence numbers.
#[derive(Clone, Debug)]
pub struct SeqTracker {
    /// Bit `seq % WINDOW`: seen, for `seq` in `highest - WINDOW + 1 ..= highest`.
    seen: Vec<u64>,
    highest: Option<u64>,
    distinct: u64,
    pub reordered: u64,
    pub duplicates: u64,
    pub too_old: u64,
}

impl Default for SeqTracker {
    fn default() -> SeqTracker {
        SeqTracker {
            seen: vec![0; (WINDOW / 64) as usize],
            highest: None,
            distinct: 0,
            reordered: 0,
            duplicates: 0,
            too_old: 0,
        }
    }
}

impl SeqTracker {
    fn bit(&mut self, seq: u64) -> (&mut u64, u64) {
        let i = seq % WINDOW;
        (&mut self.seen[(i / 64) as usize], 1u64 << (i % 64))
    }

    /// Counts one arrival of `seq`.
    pub fn record(&mut self, seq: u64) {
        match self.highest {
            Some(h) if seq <= h => {
                if h - seq >= WINDOW {
                    self.too_old += 1;
                    return;
                }
                let (word, mask) = self.bit(seq);
                if *word & mask != 0 {
                    self.duplicates += 1;
                } else {
                    *word |= mask;
                    self.distinct += 1;
                    self.reordered += 1;
                }
            }
            _ => {
                // New highest: forget the numbers the window slides past.
                let first_new = self.highest.map_or(0, |h| h + 1);
                if seq - first_new >= WINDOW {
                    self.seen.fill(0);
                } else {
                    for s in first_new..seq {
                        let (word, mask) = self.bit(s);
                        *word &= !mask;
                    }
                }
                let (word, mask) = self.bit(seq);
                *word |= mask;
                self.highest = Some(seq);
                self.distinct += 1;
            }
        }
    }

    /// Sequence numbers 0 ..= highest (0 before the first datagram).
    pub fn expected(&self) -> u64 {
        self.highest.map_or(0, |h| h.saturating_add(1))
    }

    /// Expected numbers that never arrived.
    pub fn lost(&self) -> u64 {
        self.expected().saturating_sub(self.distinct)
    }
}

/// RFC 3550 interarrival jitter, in seconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Jitter {
    prev_transit_ns: Option<i128>,
    jitter_s: f64,
}

impl Jitter {
    pub fn record(&mut self, sent_ns: u64, arrived_ns: u64) {
        let transit = i128::from(arrived_ns) - i128::from(sent_ns);
        if let Some(prev) = self.prev_transit_ns {
            let d = (transit - prev).unsigned_abs() as f64 / 1e9;
            self.jitter_s += (d - self.jitter_s) / 16.0;
        }
        self.prev_transit_ns = Some(transit);
    }

    /// The estimate, once two datagrams arrived.
    pub fn seconds(&self) -> Option<f64> {
        self.prev_transit_ns.map(|_| self.jitter_s)
    }
}

/// Who a flow is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowKey {
    /// Datagrams with the header: its session.
    Session(u32),
    /// Datagrams without: their source address.
    Source(Option<SocketAddr>),
}

/// Counts for one flow.
#[derive(Clone, Debug)]
pub struct Flow {
    pub key: FlowKey,
    /// The source of the flow's first datagram.
    pub source: Option<SocketAddr>,
    pub datagrams: u64,
    pub bytes: u64,
    /// Present for flows with the sequence header.
    pub seq: Option<SeqTracker>,
    pub jitter: Jitter,
}

/// A flow's counters at one moment (for interval differences).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    pub datagrams: u64,
    pub bytes: u64,
    pub lost: u64,
    pub expected: u64,
    pub reordered: u64,
    pub duplicates: u64,
    pub too_old: u64,
}

impl Flow {
    pub fn new(key: FlowKey, source: Option<SocketAddr>) -> Flow {
        Flow {
            key,
            source,
            datagrams: 0,
            bytes: 0,
            seq: matches!(key, FlowKey::Session(_)).then(SeqTracker::default),
            jitter: Jitter::default(),
        }
    }

    pub fn counts(&self) -> Counts {
        let s = self.seq.as_ref();
        Counts {
            datagrams: self.datagrams,
            bytes: self.bytes,
            lost: s.map_or(0, SeqTracker::lost),
            expected: s.map_or(0, SeqTracker::expected),
            reordered: s.map_or(0, |s| s.reordered),
            duplicates: s.map_or(0, |s| s.duplicates),
            too_old: s.map_or(0, |s| s.too_old),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seqs: &[u64]) -> SeqTracker {
        let mut t = SeqTracker::default();
        for &s in seqs {
            t.record(s);
        }
        t
    }

    #[test]
    fn in_order_is_clean() {
        let t = run(&[0, 1, 2, 3]);
        assert_eq!(
            (t.expected(), t.lost(), t.reordered, t.duplicates),
            (4, 0, 0, 0)
        );
    }

    #[test]
    fn gaps_are_lost_until_filled() {
        let mut t = run(&[0, 1, 4, 5]);
        assert_eq!(t.lost(), 2);
        t.record(2);
        assert_eq!((t.lost(), t.reordered), (1, 1));
        t.record(3);
        assert_eq!((t.lost(), t.reordered, t.duplicates), (0, 2, 0));
    }

    #[test]
    fn duplicates_are_told_from_late_arrivals() {
        let t = run(&[0, 2, 1, 2, 1, 0, 3, 3]);
        assert_eq!((t.expected(), t.lost()), (4, 0));
        assert_eq!((t.reordered, t.duplicates), (1, 4));
    }

    #[test]
    fn a_late_start_counts_what_it_missed() {
        let t = run(&[5, 6]);
        assert_eq!((t.expected(), t.lost()), (7, 5));
    }

    #[test]
    fn the_window_slides() {
        let mut t = run(&[0]);
        t.record(WINDOW + 10);
        // 0 is now too old to tell apart: counted as such, nothing else.
        t.record(0);
        assert_eq!((t.too_old, t.duplicates, t.reordered), (1, 0, 0));
        // 20 is inside the window and was never seen: a late arrival.
        t.record(20);
        assert_eq!((t.reordered, t.duplicates), (1, 0));
        t.record(20);
        assert_eq!(t.duplicates, 1);
        assert_eq!(t.lost(), WINDOW + 11 - 3);
        // A jump of more than a window clears everything it passed.
        t.record(5 * WINDOW);
        t.record(5 * WINDOW - 1);
        assert_eq!(t.duplicates, 1);
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        let t = run(&[u64::MAX - 1, u64::MAX]);
        assert_eq!(t.expected(), u64::MAX);
        assert_eq!(t.lost(), u64::MAX - 2);
    }

    #[test]
    fn jitter_follows_rfc_3550() {
        let mut j = Jitter::default();
        assert_eq!(j.seconds(), None);
        // Constant transit: no jitter.
        j.record(0, 1_000_000);
        j.record(10_000_000, 11_000_000);
        assert_eq!(j.seconds(), Some(0.0));
        // Transit grows by 16 ms: J = 0 + (0.016 - 0) / 16 = 1 ms.
        j.record(20_000_000, 37_000_000);
        assert!((j.seconds().unwrap() - 0.001).abs() < 1e-12);
        // Back to 1 ms transit: |D| = 16 ms, J = 1 + (16 - 1) / 16 ms.
        j.record(30_000_000, 31_000_000);
        assert!((j.seconds().unwrap() - 0.001_937_5).abs() < 1e-12);
    }
}
