//! `--shard K/N`: which disjoint slice of a sweep's runs one process runs (run `r` belongs to shard
//! `K/N` when `r % N == K − 1`).

use std::fmt;
use std::str::FromStr;

/// `--shard K/N`: the K-th (from 1) of N disjoint slices of the runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, 1..=n.
    pub k: u32,
    /// How many slices.
    pub n: u32,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { k: 1, n: 1 };

    /// True when run `r` belongs to this shard.
    pub fn contains(self, r: u64) -> bool {
        r % u64::from(self.n) == u64::from(self.k - 1)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected K/N with 1 ≤ K ≤ N, e.g. 2/8; got {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n) = (k.trim().parse::<u32>().map_err(|_| bad())?, n.trim().parse::<u32>().map_err(|_| bad())?);
        if k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}
