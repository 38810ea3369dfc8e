//! The calibrated size-based wash-share estimate: trade sizes (and prices, for value) only, no
//! account ids, after Cong, Li, Tang and Yang 2023 ("Crypto wash trading").
//!
//! **Mixture decomposition.** Trades are binned by size ([`BINS`] bins of 0.1 in log₁₀ tokens).
//! Genuine trades dominate the *body* (sizes below `10^(body_bins/10)` tokens); a venue's genuine
//! size distribution, relative to its body, is learned from labelled runs without wash: for every
//! bin the `envelope` holds a high quantile, over those runs, of the bin's count per body trade.
//! On a log, the genuine count expected in a bin is the body count × the envelope; the trades in
//! excess of it above the body are counted as wash, at their bin's mean value. [`train`] fits the
//! envelope; `mmsim surveil-bench` fits it on its training runs only (choosing the quantile and
//! the body by cross-validation there) and scores it on the held-out runs.
//!
//! **What it depends on.** The envelope is the genuine size distribution of the venue it was
//! fitted on, in absolute token sizes (here: a simulated retail crowd, a market maker, pumps and
//! spoofs; no wash). It detects wash that trades at sizes genuine traders rarely reach and misses
//! wash in the body; on another venue it must be refitted on labelled trades of that venue.
//!
//! The published statistics (Benford first-digit χ², round-size clustering, tail exponent, and the
//! raw Benford-excess estimate, [`super::wash::benford_share`]) are computed by [`features`] and
//! reported as evidence next to the estimate.

#![allow(clippy::needless_range_loop)] // histograms are indexed in step with the envelope

use super::data::TradeRow;
use super::wash::{benford_share, BENFORD};

/// Size bins: 0.1 in log₁₀ tokens from 1 token (smaller trades fall in the first bin).
pub const BINS: usize = 70;

/// A fitted decomposition: the genuine counts per body trade, per size bin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShareModel {
    /// Bins `0..body_bins` are the body.
    pub body_bins: usize,
    /// Expected genuine trades per body trade, per bin (a high quantile over the training runs).
    pub envelope: [f64; BINS],
}

impl Default for ShareModel {
    /// Fitted by `mmsim surveil-bench --runs 200 --seed 7` on its training runs (indices 200–299).
    fn default() -> Self {
        ShareModel { body_bins: 20, envelope: DEFAULT_ENVELOPE }
    }
}

/// The envelope fitted at `--seed 7` (see [`ShareModel::default`]).
const DEFAULT_ENVELOPE: [f64; BINS] = [
    0.019048, 0.0, 0.0, 0.025641, 0.04065, 0.0, 0.066667, 0.04, 0.076923, 0.087912, 0.095745, 0.10744, 0.13462,
    0.14286, 0.15625, 0.17722, 0.19, 0.18824, 0.16949, 0.15603, 0.17391, 0.17518, 0.15328, 0.14706, 0.12887, 0.11392,
    0.087591, 0.078014, 0.074906, 0.070922, 1.0755, 0.0051813, 0.010417, 0.0027855, 0.0051813, 0.0, 0.0, 0.0, 0.0,
    0.0027933, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
];

/// Trade counts and traded value per size bin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Histogram {
    /// Trades per bin.
    pub count: [f64; BINS],
    /// Value (price × quantity) per bin.
    pub value: [f64; BINS],
}

/// The size histogram of a trade log.
pub fn histogram(trades: &[TradeRow]) -> Histogram {
    let mut h = Histogram { count: [0.0; BINS], value: [0.0; BINS] };
    for t in trades.iter().filter(|t| t.qty > 0.0 && t.price > 0.0) {
        let b = ((t.qty.log10() * 10.0).floor().max(0.0) as usize).min(BINS - 1);
        h.count[b] += 1.0;
        h.value[b] += t.price * t.qty;
    }
    h
}

impl ShareModel {
    /// The estimated wash share of traded value of a log with histogram `h`, in [0, 1].
    pub fn predict(&self, h: &Histogram) -> f64 {
        let total: f64 = h.value.iter().sum();
        let body: f64 = h.count[..self.body_bins.min(BINS)].iter().sum();
        if total <= 0.0 || body <= 0.0 {
            return 0.0;
        }
        let wash: f64 = (self.body_bins.min(BINS)..BINS)
            .filter(|&b| h.count[b] > 0.0)
            .map(|b| (h.count[b] - body * self.envelope[b]).max(0.0) * h.value[b] / h.count[b])
            .sum();
        (wash / total).clamp(0.0, 1.0)
    }
}

/// Fits the envelope on the histograms of labelled runs without wash: per bin, the `quantile` of
/// the count per body trade.
pub fn train(genuine: &[Histogram], body_bins: usize, quantile: f64) -> ShareModel {
    let mut envelope = [0.0; BINS];
    let body_bins = body_bins.min(BINS);
    let ratios: Vec<[f64; BINS]> = genuine
        .iter()
        .filter_map(|h| {
            let body: f64 = h.count[..body_bins].iter().sum();
            (body > 0.0).then(|| {
                let mut r = [0.0; BINS];
                for b in 0..BINS {
                    r[b] = h.count[b] / body;
                }
                r
            })
        })
        .collect();
    if !ratios.is_empty() {
        for b in 0..BINS {
            let mut v: Vec<f64> = ratios.iter().map(|r| r[b]).collect();
            v.sort_by(f64::total_cmp);
            envelope[b] = v[((v.len() - 1) as f64 * quantile.clamp(0.0, 1.0)).round() as usize];
        }
    }
    ShareModel { body_bins, envelope }
}

/// Number of evidence statistics.
pub const FEATURES: usize = 5;

/// The published size statistics, for evidence: raw Benford-excess share, Benford χ², share of
/// trades at round sizes (multiples of 10 tokens), Hill tail exponent, trades counted.
pub fn features(trades: &[TradeRow]) -> [f64; FEATURES] {
    let mut x = [0.0; FEATURES];
    let q: Vec<f64> = trades.iter().map(|t| t.qty).filter(|&q| q > 0.0).collect();
    let n = q.len() as f64;
    if q.is_empty() {
        return x;
    }
    let mut digits = [0f64; 9];
    for &s in &q {
        let d = (s / 10f64.powf(s.log10().floor())).floor() as usize;
        if (1..=9).contains(&d) {
            digits[d - 1] += 1.0;
        }
    }
    x[0] = benford_share(trades, 0.25);
    x[1] = (0..9).map(|d| (digits[d] - n * BENFORD[d]).powi(2) / (n * BENFORD[d])).sum::<f64>();
    x[2] = q.iter().filter(|&&s| s >= 10.0 && (s / 10.0).fract() == 0.0).count() as f64 / n;
    x[3] = super::wash::hill(trades);
    x[4] = n;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trades(sizes: impl Iterator<Item = f64>) -> Vec<TradeRow> {
        sizes.map(|qty| TradeRow { qty, price: 1.0, ..TradeRow::default() }).collect()
    }

    #[test]
    fn the_envelope_explains_genuine_sizes_and_counts_the_excess_as_wash() {
        // Genuine: 1000 trades of 10–99 tokens and 10 of 1000–1099, in every run.
        let genuine = || trades((0..1000).map(|i| 10.0 + (i % 90) as f64).chain((0..10).map(|i| 1000.0 + i as f64)));
        let model = train(&[histogram(&genuine()), histogram(&genuine())], 23, 0.9);
        assert_eq!(model.predict(&histogram(&genuine())), 0.0);
        // Plus 100 wash trades of 5000 tokens: 500,000 of value.
        let mut mixed = genuine();
        mixed.extend(trades(std::iter::repeat_n(5000.0, 100)));
        let total: f64 = mixed.iter().map(|t| t.qty).sum();
        let est = model.predict(&histogram(&mixed));
        assert!((est - 500_000.0 / total).abs() < 1e-9, "{est}");
    }
}
