//! `--rate` pacing: a token bucket.
//!
//! Tokens (datagrams, or bits of payload) accrue at the rate, up to a
//! depth of 20 ms worth, and at least two sends' cost; a send takes its
//! cost and waits only when the bucket is short. Oversleeping is paid back
//! by the tokens that accrued meanwhile (the depth leaves room for them),
//! so the long-run rate holds however coarse the sleeps are, and a burst
//! after a stall stays within the depth. The bucket starts with one send's
//! cost: the first send goes at once, with no burst.

use std::time::{Duration, Instant};

/// How much tokens may pile up, in seconds of rate.
const DEPTH: f64 = 0.02;

#[derive(Debug)]
pub struct TokenBucket {
    /// Tokens per second.
    rate: f64,
    depth: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A bucket for `rate` tokens/s whose sends cost `cost` tokens each,
    /// holding one send's cost at `now`.
    pub fn new(rate: f64, cost: f64, now: Instant) -> TokenBucket {
        TokenBucket {
            rate,
            depth: (rate * DEPTH).max(2.0 * cost),
            tokens: cost,
            last: now,
        }
    }

    /// How long to wait at `now` before a send of `cost` tokens may go
    /// (zero: go now). Call again after waiting; a send that goes must be
    /// followed by [`TokenBucket::take`].
    pub fn wait(&mut self, cost: f64, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.depth);
        self.last = now;
        if self.tokens >= cost {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((cost - self.tokens) / self.rate)
        }
    }

    /// Takes `cost` tokens for a send that went.
    pub fn take(&mut self, cost: f64) {
        self.tokens -= cost;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Simulated time: sends as fast as the bucket allows for `secs`, each
    /// wait overshooting by `oversleep`; returns the sends.
    fn sends_in(rate: f64, cost: f64, secs: f64, oversleep: Duration) -> u64 {
        let t0 = Instant::now();
        let mut now = t0;
        let mut b = TokenBucket::new(rate, cost, now);
        let mut n = 0;
        while now.duration_since(t0).as_secs_f64() < secs {
            let w = b.wait(cost, now);
            if w.is_zero() {
                b.take(cost);
                n += 1;
            } else {
                now += w + oversleep;
            }
        }
        n
    }

    #[test]
    fn holds_the_rate() {
        // 1000 datagrams/s for 2 s: 2000 (the first goes at time 0).
        let n = sends_in(1000.0, 1.0, 2.0, Duration::ZERO);
        assert!((2000..=2001).contains(&n), "{n}");
        // Sleeps that end late do not lower the long-run rate.
        for late_us in [60, 300, 900] {
            let late = Duration::from_micros(late_us);
            let n = sends_in(1000.0, 1.0, 2.0, late);
            assert!((1995..=2001).contains(&n), "{late_us} us late: {n}");
            let n = sends_in(100_000.0, 1.0, 1.0, late);
            assert!((99_900..=100_100).contains(&n), "{late_us} us late: {n}");
        }
    }

    #[test]
    fn a_stall_bursts_at_most_the_depth() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(1000.0, 1.0, t0);
        b.take(1.0);
        // A second without sending: 20 ms worth, not 1000, may go at once.
        let later = t0 + Duration::from_secs(1);
        let mut burst = 0;
        while b.wait(1.0, later).is_zero() {
            b.take(1.0);
            burst += 1;
        }
        assert_eq!(burst, 20);
    }

    #[test]
    fn bits_per_second() {
        // 1 Mbit/s of 1250-byte datagrams: 100 per second.
        let n = sends_in(1e6, 1250.0 * 8.0, 3.0, Duration::from_micros(80));
        assert!((299..=302).contains(&n), "{n}");
    }

    #[test]
    fn slow_rates_wait_the_whole_period() {
        let now = Instant::now();
        let mut b = TokenBucket::new(0.5, 1.0, now);
        assert_eq!(b.wait(1.0, now), Duration::ZERO);
        b.take(1.0);
        let w = b.wait(1.0, now);
        assert!((w.as_secs_f64() - 2.0).abs() < 1e-9, "{w:?}");
    }
}
