//! Seed derivation and per-agent random number streams.
//!
//! A run has one master seed (`u64`, required in the scenario; never OS entropy). Every consumer of
//! randomness (each agent, and the engine's latency jitter) gets its own [`AgentRng`]: a
//! `rand_chacha::ChaCha8Rng` seeded with [`SeedableRng::seed_from_u64`]`(master_seed)` and switched to
//! the stream `stream_id(name)`. ChaCha offers 2⁶⁴ independent streams per seed, so:
//!
//! - the draws of a stream depend only on `(master_seed, name)`: not on the agent's index, on which
//!   other streams exist, or on the order in which they were created. Removing one agent from a scenario
//!   leaves every other agent's draws unchanged, which counterfactual runs rely on;
//! - the generator is named (ChaCha8), so results do not change when `rand` swaps `StdRng`'s algorithm.
//!
//! [`stream_id`] is a hand-written 64-bit FNV-1a hash of the name's UTF-8 bytes: stable across Rust and
//! crate versions, unlike `std`'s `DefaultHasher`. Two names hashing to the same id would share a stream;
//! with 64-bit ids this is negligible for a few hundred agents, and scenario validation may check it.
//!
//! [`AgentRng`] implements `rand`'s [`TryRng`] (with `Error = Infallible`), hence [`rand::Rng`], so the
//! usual `rand::RngExt` methods (`random_range`, `random_bool`, …) and `rand_distr` distributions work
//! on it directly.

use std::convert::Infallible;

use rand::{SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

/// FNV-1a 64-bit offset basis (the FNV-0 hash of the ASCII string
/// `"chongo <Landon Curt Noll> /\../\"`), the hash of the empty input.
pub const FNV1A_64_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV 64-bit prime, 2⁴⁰ + 2⁸ + 0xb3.
pub const FNV1A_64_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The stream id of a named randomness consumer: 64-bit FNV-1a over the UTF-8 bytes of `name`.
///
/// For each byte: `hash ^= byte; hash = hash.wrapping_mul(FNV1A_64_PRIME)`, starting from
/// [`FNV1A_64_OFFSET_BASIS`]. The result is part of the reproducibility contract: changing this
/// function changes every run's draws.
pub const fn stream_id(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash = FNV1A_64_OFFSET_BASIS;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(FNV1A_64_PRIME);
        i += 1;
    }
    hash
}

/// A deterministic random number stream owned by one named consumer (an agent, or the engine).
///
/// Use it with `rand::RngExt` (`rng.random_range(0..10)`) or any `rand_distr` distribution
/// (`Normal::new(0.0, 1.0)?.sample(&mut rng)`).
#[derive(Clone, Debug)]
pub struct AgentRng(ChaCha8Rng);

impl AgentRng {
    /// The stream for `name` under `master_seed`: `ChaCha8Rng::seed_from_u64(master_seed)` switched to
    /// stream [`stream_id`]`(name)`. Its draws depend on nothing else.
    pub fn new(master_seed: u64, name: &str) -> Self {
        Self::from_stream(master_seed, stream_id(name))
    }

    /// The stream with an explicit id under `master_seed` (for ids not derived from a name).
    pub fn from_stream(master_seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(master_seed);
        rng.set_stream(stream);
        AgentRng(rng)
    }

    /// The ChaCha stream id this generator draws from.
    pub fn stream(&self) -> u64 {
        self.0.get_stream()
    }
}

impl TryRng for AgentRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.0.try_next_u32()
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0.try_next_u64()
    }

    #[inline]
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.try_fill_bytes(dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngExt};
    use rand_distr::{Distribution, Exp, Normal};

    fn draws(rng: &mut AgentRng, n: usize) -> Vec<u64> {
        (0..n).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn fnv1a_64_known_vectors() {
        assert_eq!(stream_id(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stream_id("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stream_id("b"), 0xaf63_df4c_8601_f1a5);
        assert_eq!(stream_id("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn stream_id_is_usable_in_const_context() {
        const ENGINE: u64 = stream_id("");
        assert_eq!(ENGINE, FNV1A_64_OFFSET_BASIS);
    }

    #[test]
    fn stream_is_the_hash_of_the_name() {
        let rng = AgentRng::new(7, "passive_mm");
        assert_eq!(rng.stream(), stream_id("passive_mm"));
    }

    #[test]
    fn same_seed_and_name_give_same_draws() {
        let a = draws(&mut AgentRng::new(42, "mm"), 64);
        let b = draws(&mut AgentRng::new(42, "mm"), 64);
        assert_eq!(a, b);
    }

    #[test]
    fn different_names_or_seeds_give_different_draws() {
        let base = draws(&mut AgentRng::new(42, "mm"), 8);
        assert_ne!(base, draws(&mut AgentRng::new(42, "mm2"), 8));
        assert_ne!(base, draws(&mut AgentRng::new(43, "mm"), 8));
    }

    #[test]
    fn draws_depend_only_on_seed_and_name() {
        // Interleave other streams, created before and between draws: "x" must not notice.
        let alone = draws(&mut AgentRng::new(9, "x"), 32);

        let mut others: Vec<AgentRng> = ["retail_1", "pump", "engine"].iter().map(|n| AgentRng::new(9, n)).collect();
        let mut x = AgentRng::new(9, "x");
        let mut mixed = Vec::new();
        for i in 0..32 {
            for o in &mut others {
                o.next_u64();
            }
            if i == 10 {
                others.push(AgentRng::new(9, "late_joiner"));
            }
            mixed.push(x.next_u64());
        }
        assert_eq!(alone, mixed);
    }

    #[test]
    fn draws_are_pinned_across_releases() {
        // Regression anchor: if rand_chacha, seed_from_u64 or rand's integer sampling ever change their
        // output, stored runs stop being reproducible. Values recorded with rand 0.10.4, rand_core 0.10.1
        // and rand_chacha 0.10.0; update them only on a deliberate, announced dependency bump.
        let mut rng = AgentRng::new(42, "mm");
        assert_eq!(rng.next_u64(), 6_635_812_711_486_434_865);
        let ranged: Vec<u32> = (0..4).map(|_| rng.random_range(0..1_000)).collect();
        assert_eq!(ranged, [994, 605, 385, 754]);
    }

    #[test]
    fn works_with_rng_ext_and_rand_distr() {
        let mut rng = AgentRng::new(1, "retail");
        let k: u32 = rng.random_range(10..20);
        assert!((10..20).contains(&k));
        let _coin: bool = rng.random_bool(0.5);
        let x: f64 = Normal::new(0.0, 1.0).unwrap().sample(&mut rng);
        assert!(x.is_finite());
        let wait: f64 = Exp::new(2.0).unwrap().sample(&mut rng);
        assert!(wait >= 0.0);
        // Works through `&mut` too (as agents receive it from their context).
        let r: &mut AgentRng = &mut rng;
        let y: u64 = r.random_range(..=5);
        assert!(y <= 5);
    }
}
