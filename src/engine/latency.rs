//! Order latency: how long a command takes to travel from an agent to the venue.
//!
//! A [`Latency`] is a fixed part plus a uniform random jitter, both in nanoseconds of simulated time:
//! each sample is `fixed_ns + U`, with `U` drawn uniformly from the integers `0..=jitter_ns`. The jitter
//! comes from the caller's RNG (the agent's own [`AgentRng`](crate::rng::AgentRng) stream, or the
//! engine's), so latencies are reproducible and drawing one does not disturb any other stream.
//!
//! With `jitter_ns == 0` a sample is exactly `fixed_ns` and **no random number is drawn**: turning
//! jitter off does not shift an agent's other draws. The sum saturates at `u64::MAX`.

use rand::{Rng, RngExt};
use serde::Deserialize;

/// A per-agent order latency: `fixed_ns` plus uniform jitter in `[0, jitter_ns]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// The deterministic part, in nanoseconds.
    pub fixed_ns: u64,
    /// The largest random extra delay, in nanoseconds (inclusive); 0 turns jitter off.
    #[serde(default)]
    pub jitter_ns: u64,
}

impl Latency {
    /// No delay at all: commands arrive at the instant they are sent (after earlier events of that instant).
    pub const ZERO: Latency = Latency { fixed_ns: 0, jitter_ns: 0 };

    /// A latency of `fixed_ns` plus uniform jitter in `[0, jitter_ns]`.
    pub const fn new(fixed_ns: u64, jitter_ns: u64) -> Self {
        Latency { fixed_ns, jitter_ns }
    }

    /// A latency without jitter: always `fixed_ns`.
    pub const fn fixed(fixed_ns: u64) -> Self {
        Self::new(fixed_ns, 0)
    }

    /// The smallest possible sample, `fixed_ns`.
    pub const fn min_ns(&self) -> u64 {
        self.fixed_ns
    }

    /// The largest possible sample, `fixed_ns + jitter_ns` (saturating).
    pub const fn max_ns(&self) -> u64 {
        self.fixed_ns.saturating_add(self.jitter_ns)
    }

    /// Draws one delay in nanoseconds, in `[min_ns, max_ns]`. Consumes randomness from `rng` only
    /// when `jitter_ns > 0`.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        if self.jitter_ns == 0 {
            return self.fixed_ns;
        }
        let jitter = rng.random_range(0..=self.jitter_ns);
        self.fixed_ns.saturating_add(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::AgentRng;

    #[test]
    fn jitter_stays_in_bounds_and_varies() {
        let lat = Latency::new(1_000, 250);
        let mut rng = AgentRng::new(3, "latency-test");
        let samples: Vec<u64> = (0..2_000).map(|_| lat.sample(&mut rng)).collect();
        assert!(samples.iter().all(|&s| (1_000..=1_250).contains(&s)));
        let distinct: std::collections::BTreeSet<_> = samples.iter().collect();
        assert!(distinct.len() > 100, "only {} distinct samples", distinct.len());
        // Both ends are reachable in principle; with 2000 draws over 251 values, we see values near both.
        assert!(*distinct.first().unwrap() < &1_010);
        assert!(*distinct.last().unwrap() > &1_240);
    }

    #[test]
    fn zero_jitter_is_exact_and_draws_nothing() {
        let lat = Latency::fixed(500);
        let mut used = AgentRng::new(3, "a");
        let mut untouched = AgentRng::new(3, "a");
        for _ in 0..10 {
            assert_eq!(lat.sample(&mut used), 500);
        }
        assert_eq!(used.next_u64(), untouched.next_u64());
        assert_eq!(Latency::ZERO.sample(&mut used), 0);
    }

    #[test]
    fn same_stream_gives_same_latencies() {
        let lat = Latency::new(10, 1_000_000);
        let a: Vec<u64> = {
            let mut r = AgentRng::new(5, "mm");
            (0..50).map(|_| lat.sample(&mut r)).collect()
        };
        let b: Vec<u64> = {
            let mut r = AgentRng::new(5, "mm");
            (0..50).map(|_| lat.sample(&mut r)).collect()
        };
        assert_eq!(a, b);
    }

    #[test]
    fn saturates_at_end_of_time() {
        let lat = Latency::new(u64::MAX - 1, 10);
        assert_eq!(lat.max_ns(), u64::MAX);
        let mut rng = AgentRng::new(0, "x");
        assert!(lat.sample(&mut rng) >= u64::MAX - 1);
    }

    #[test]
    fn deserializes_with_default_jitter() {
        let lat: Latency = toml::from_str("fixed_ns = 2000").unwrap();
        assert_eq!(lat, Latency::fixed(2_000));
        let lat: Latency = toml::from_str("fixed_ns = 1\njitter_ns = 9").unwrap();
        assert_eq!(lat, Latency::new(1, 9));
        assert!(toml::from_str::<Latency>("fixed_us = 1").is_err());
    }
}
