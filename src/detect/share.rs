//! The size-based wash-share estimate: trade sizes (and prices, for value) only, no account ids,
//! after Cong, Li, Tang and Yang 2023 ("Crypto wash trading").
//!
//! **What is counted.** Every print falls in a *cell*: its size bin ([`BINS`] bins of 0.1 in
//! log₁₀ tokens from 1 token), whether its size is round (one significant digit, at least 10
//! tokens: 10, 300, 5000) and whether it is part of a sweep (another print of the same taker at
//! the same time and side: an order that walked the book). A log becomes a [`Histogram`]: trades
//! and traded value per cell.
//!
//! **Mixture model.** The log is a mixture of genuine and wash trades, fitted by EM on the cells:
//! - the *genuine* part is a non-negative mix of the venue's genuine shapes: the smoothed
//!   histograms of labelled logs without wash ([`ShareModel::new`]), so a run's crowd, its pumps or
//!   its market maker's level sizes are explained by whichever known regimes they resemble;
//! - the *wash* part is log-normal in size, with its own share of round sizes, and never sweeps
//!   (a wash trade is one print between two orders of one owner).
//!
//! The wash share of value is the value of every cell times its posterior wash probability. It is
//! reported only when the log-likelihood ratio of the mixture against genuine shapes alone exceeds
//! the model's `threshold`; otherwise the estimate is 0. `mmsim surveil-bench` fits the shapes on
//! its training runs without wash and chooses the threshold there (leave-one-out: a training run
//! is never explained by its own shape), then scores the estimate on the held-out runs.
//!
//! **What it depends on.** The shapes are the genuine size distributions of the venue they were
//! fitted on, in absolute token sizes (the shipped model, [`ShareModel::default`]: the simulated
//! benchmark market of `mmsim surveil-bench --runs 200 --seed 7`). It finds wash whose sizes stand
//! out from every genuine regime (a bump, or round sizes the crowd does not use) and misses wash
//! that copies the crowd's sizes. On another venue fit it on labelled logs of that venue
//! (`mmsim surveil-bench` writes `share_model.txt`; `mmsim detect --share-model FILE` reads it).
//!
//! The published statistics (Benford first-digit χ², round-size clustering, tail exponent, and the
//! raw Benford-excess estimate, [`super::wash::benford_share`]) are computed by [`features`] and
//! reported as evidence next to the estimate.

use std::fmt;
use std::sync::{Arc, LazyLock};

use super::data::TradeRow;
use super::wash::{benford_share, BENFORD};

/// Size bins: 0.1 in log₁₀ tokens from 1 token (smaller trades fall in the first bin).
pub const BINS: usize = 70;
/// Cells: size bin × round × sweep (`bin * 4 + round * 2 + sweep`).
pub const CELLS: usize = BINS * 4;

/// Trade counts and traded value per cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Histogram {
    /// Trades per cell.
    pub count: [f64; CELLS],
    /// Value (price × quantity) per cell.
    pub value: [f64; CELLS],
}

/// True for a size of one significant digit and at least 10 tokens (10, 300, 5000; not 7 or 250).
pub fn is_round(qty: f64) -> bool {
    qty >= 10.0 && qty.is_finite() && (crate::agents::flow::round_one_digit(qty) / qty - 1.0).abs() < 1e-9
}

/// The cell of a print of `qty` tokens.
pub fn cell(qty: f64, round: bool, sweep: bool) -> usize {
    let bin = ((qty.log10() * 10.0 + 1e-9).floor().max(0.0) as usize).min(BINS - 1);
    bin * 4 + usize::from(round) * 2 + usize::from(sweep)
}

/// The histogram of a trade log (trades in time order). Prints of one taker at one time and side
/// are a sweep.
pub fn histogram(trades: &[TradeRow]) -> Histogram {
    let mut h = Histogram { count: [0.0; CELLS], value: [0.0; CELLS] };
    let same = |a: &TradeRow, b: &TradeRow| a.t == b.t && a.buy == b.buy;
    for (i, t) in trades.iter().enumerate() {
        if !(t.qty > 0.0 && t.price > 0.0 && t.qty.is_finite() && t.price.is_finite()) {
            continue;
        }
        let sweep = (i > 0 && same(&trades[i - 1], t)) || trades.get(i + 1).is_some_and(|n| same(t, n));
        let c = cell(t.qty, is_round(t.qty), sweep);
        h.count[c] += 1.0;
        h.value[c] += t.price * t.qty;
    }
    h
}

/// Smoothing of a genuine histogram along the size bins (s.d. in bins).
const SMOOTH_BINS: f64 = 1.0;
/// Pseudo-count added to every cell of a genuine shape, per trade of its log.
const FLOOR_PER_TRADE: f64 = 0.005 / CELLS as f64;

/// A genuine shape: a labelled log's cell counts, and its smoothed, normalised density.
#[derive(Clone, PartialEq)]
struct Shape {
    counts: [f64; CELLS],
    density: [f64; CELLS],
    /// Median trade size of the log, in tokens (its bin's centre).
    median_tokens: f64,
}

impl Shape {
    fn new(counts: [f64; CELLS]) -> Shape {
        let n: f64 = counts.iter().sum();
        let kernel: Vec<f64> = (-6i32..=6).map(|d| (-0.5 * (f64::from(d) / SMOOTH_BINS).powi(2)).exp()).collect();
        let norm: f64 = kernel.iter().sum();
        let mut density = [n * FLOOR_PER_TRADE; CELLS];
        for (c, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0.0) {
            let (bin, layer) = (c / 4, c % 4);
            for (k, w) in kernel.iter().enumerate() {
                let to = bin as i64 + k as i64 - 6;
                if (0..BINS as i64).contains(&to) {
                    density[to as usize * 4 + layer] += n * w / norm;
                }
            }
        }
        let total: f64 = density.iter().sum();
        if total > 0.0 {
            density.iter_mut().for_each(|d| *d /= total);
        }
        let median_tokens = 10f64.powf(cell_quantile(&counts, 0.5) / 10.0);
        Shape { counts, density, median_tokens }
    }
}

/// The fitted mixture of one log.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fit {
    /// Estimated wash share of traded value, before the threshold, in [0, 1].
    pub share: f64,
    /// Log-likelihood ratio of the mixture against genuine shapes alone (≥ 0).
    pub lr: f64,
    /// Estimated number of wash trades.
    pub wash_trades: f64,
    /// Median wash size, in tokens.
    pub wash_median_tokens: f64,
    /// Share of wash trades at round sizes.
    pub wash_round: f64,
}

/// The model: the venue's genuine shapes and the likelihood-ratio threshold.
#[derive(Clone, PartialEq)]
pub struct ShareModel {
    /// Shared, so that a leave-one-out model copies pointers, not histograms.
    shapes: Arc<[Arc<Shape>]>,
    /// The estimate is reported when the likelihood ratio exceeds this; otherwise it is 0.
    pub threshold: f64,
}

impl fmt::Debug for ShareModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShareModel {{ genuine shapes: {}, threshold: {} }}", self.shapes.len(), self.threshold)
    }
}

/// The shipped model, written by `mmsim surveil-bench --runs 200 --seed 7` (`share_model.txt`).
const SHIPPED: &str = include_str!("share_model.txt");
static DEFAULT: LazyLock<ShareModel> =
    LazyLock::new(|| ShareModel::parse(SHIPPED).unwrap_or_else(|e| panic!("shipped share_model.txt: {e}")));

impl Default for ShareModel {
    /// Fitted by `mmsim surveil-bench --runs 200 --seed 7` on its training runs (indices 200–399).
    fn default() -> Self {
        DEFAULT.clone()
    }
}

/// Most iterations of EM per start.
const ITERATIONS: usize = 100;
/// EM stops when an iteration gains less log-likelihood than this (nats).
const CONVERGED: f64 = 1e-6;
/// Quantiles of the log's own sizes the wash component starts from.
const STARTS: [f64; 5] = [0.5, 0.7, 0.85, 0.95, 0.99];
/// Narrowest wash component (s.d. in bins).
const MIN_SD_BINS: f64 = 0.8;

impl ShareModel {
    /// A model from the cell counts of genuine logs (no wash) and a threshold.
    pub fn new(genuine: &[Histogram], threshold: f64) -> ShareModel {
        let shapes =
            genuine.iter().filter(|h| h.count.iter().sum::<f64>() > 0.0).map(|h| Arc::new(Shape::new(h.count)));
        ShareModel { shapes: shapes.collect(), threshold }
    }

    /// Number of genuine shapes.
    pub fn shapes(&self) -> usize {
        self.shapes.len()
    }

    /// The smallest and largest median trade size of its genuine logs, in tokens (bin centres;
    /// `None` without shapes).
    pub fn genuine_medians(&self) -> Option<(f64, f64)> {
        let medians = self.shapes.iter().map(|s| s.median_tokens);
        let lo = medians.clone().min_by(f64::total_cmp)?;
        Some((lo, medians.max_by(f64::total_cmp)?))
    }

    /// The same model without its `skip`-th genuine shape (for leave-one-out).
    pub fn without(&self, skip: usize) -> ShareModel {
        let shapes = self.shapes.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, s)| Arc::clone(s));
        ShareModel { shapes: shapes.collect(), threshold: self.threshold }
    }

    /// The estimate reported for a fit: its share when its likelihood ratio exceeds the
    /// threshold, else 0.
    pub fn reported(&self, fit: &Fit) -> f64 {
        if fit.lr > self.threshold {
            fit.share
        } else {
            0.0
        }
    }

    /// Fits the mixture to `h` (see the module doc).
    pub fn fit(&self, h: &Histogram) -> Fit {
        let cells: Vec<usize> = (0..CELLS).filter(|&c| h.count[c] > 0.0).collect();
        let total_value: f64 = cells.iter().map(|&c| h.value[c]).sum();
        if self.shapes.is_empty() || cells.is_empty() || total_value <= 0.0 {
            return Fit::default();
        }
        let null = self.em(h, &cells, None);
        let mut best: Option<Mixture> = None;
        for q in STARTS {
            let m = self.em(h, &cells, Some(cell_quantile(&h.count, q)));
            if best.as_ref().is_none_or(|b| m.log_lik > b.log_lik) {
                best = Some(m);
            }
        }
        let Some(m) = best else { return Fit::default() };
        let wash_value: f64 = cells.iter().zip(&m.posterior).map(|(&c, p)| p * h.value[c]).sum();
        let n: f64 = cells.iter().map(|&c| h.count[c]).sum();
        Fit {
            share: (wash_value / total_value).clamp(0.0, 1.0),
            lr: (m.log_lik - null.log_lik).max(0.0),
            wash_trades: m.pi * n,
            wash_median_tokens: 10f64.powf(m.mu / 10.0),
            wash_round: m.rho,
        }
    }

    /// EM from a wash component centred on bin `start` (`None`: genuine shapes alone).
    fn em(&self, h: &Histogram, cells: &[usize], start: Option<f64>) -> Mixture {
        let k = self.shapes.len();
        let n: Vec<f64> = cells.iter().map(|&c| h.count[c]).collect();
        let total: f64 = n.iter().sum();
        let mut weights = vec![1.0 / k as f64; k];
        let (mut pi, mut mu, mut sd, mut rho) =
            (if start.is_some() { 0.2 } else { 0.0 }, start.unwrap_or(0.0), 3.0, 0.5);
        let mut wash = vec![0.0; cells.len()];
        let mut genuine = vec![0.0; cells.len()];
        let mut posterior = vec![0.0; cells.len()];
        let mut resp = vec![0.0; k];
        let mut log_lik = f64::NEG_INFINITY;
        for iteration in 0..=ITERATIONS {
            let previous = log_lik;
            // Densities under the current parameters.
            let bins = wash_bins(mu, sd);
            for (i, &c) in cells.iter().enumerate() {
                let (round, sweep) = (c % 4 >= 2, c % 2 == 1);
                wash[i] =
                    if start.is_some() && !sweep { bins[c / 4] * if round { rho } else { 1.0 - rho } } else { 0.0 };
                genuine[i] = weights.iter().zip(self.shapes.iter()).map(|(w, s)| w * s.density[c]).sum();
            }
            log_lik = 0.0;
            resp.iter_mut().for_each(|r| *r = 0.0);
            let (mut s0, mut s1, mut s_round) = (0.0, 0.0, 0.0);
            for (i, &c) in cells.iter().enumerate() {
                let mix = pi * wash[i] + (1.0 - pi) * genuine[i];
                log_lik += n[i] * mix.ln();
                posterior[i] = pi * wash[i] / mix;
                let g = n[i] * (1.0 - posterior[i]) / genuine[i];
                for (r, s) in resp.iter_mut().zip(self.shapes.iter()) {
                    *r += g * s.density[c];
                }
                let p = n[i] * posterior[i];
                s0 += p;
                s1 += p * (c / 4) as f64;
                s_round += if c % 4 >= 2 { p } else { 0.0 };
            }
            if iteration == ITERATIONS || log_lik - previous < CONVERGED {
                break;
            }
            // Maximisation.
            let sum: f64 = weights.iter().zip(&resp).map(|(w, r)| w * r).sum();
            for (w, r) in weights.iter_mut().zip(&resp) {
                *w = *w * r / sum;
            }
            if start.is_some() {
                if s0 < 1e-9 {
                    pi = 0.0;
                    continue;
                }
                pi = (s0 / total).clamp(1e-9, 1.0 - 1e-9);
                mu = s1 / s0 + 0.5;
                let var: f64 = cells
                    .iter()
                    .zip(&posterior)
                    .zip(&n)
                    .map(|((&c, p), n)| n * p * ((c / 4) as f64 + 0.5 - mu).powi(2))
                    .sum::<f64>()
                    / s0;
                sd = var.sqrt().max(MIN_SD_BINS);
                rho = (s_round / s0).clamp(1e-3, 1.0 - 1e-3);
            }
        }
        Mixture { log_lik, pi, mu, rho, posterior }
    }
}

/// One EM result.
struct Mixture {
    log_lik: f64,
    pi: f64,
    mu: f64,
    rho: f64,
    posterior: Vec<f64>,
}

/// The wash component's probability per size bin: a normal in bins, normalised over the bins.
fn wash_bins(mu: f64, sd: f64) -> [f64; BINS] {
    let mut b = [0.0; BINS];
    for (i, x) in b.iter_mut().enumerate() {
        *x = (-0.5 * ((i as f64 + 0.5 - mu) / sd).powi(2)).exp();
    }
    let sum: f64 = b.iter().sum();
    if sum > 0.0 {
        b.iter_mut().for_each(|x| *x /= sum);
    }
    b
}

/// The `q` quantile of the trades counted per cell, as a bin centre (in bins).
fn cell_quantile(count: &[f64; CELLS], q: f64) -> f64 {
    let n: f64 = count.iter().sum();
    let mut seen = 0.0;
    for (c, k) in count.iter().enumerate() {
        seen += k;
        if seen >= q * n {
            return (c / 4) as f64 + 0.5;
        }
    }
    BINS as f64 - 0.5
}

/// The largest trade count a model file may give a cell.
const MAX_COUNT: f64 = 1e12;

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ModelError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, and what is allowed.
    pub message: String,
}

impl ShareModel {
    /// The model as text: `threshold T`, then one `genuine` line per shape with its nonzero cell
    /// counts as `cell:count` (cell = `bin * 4 + round * 2 + sweep`). `#` lines are comments.
    pub fn to_text(&self) -> String {
        let mut s = String::from(
            "# mmsim wash-share model: genuine size histograms (cell = bin*4 + round*2 + sweep, bin = floor(10 log10 tokens))\n",
        );
        s.push_str(&format!("threshold {}\n", self.threshold));
        for shape in self.shapes.iter() {
            s.push_str("genuine");
            for (c, &n) in shape.counts.iter().enumerate().filter(|(_, n)| **n > 0.0) {
                s.push_str(&format!(" {c}:{n}"));
            }
            s.push('\n');
        }
        s
    }

    /// Reads [`ShareModel::to_text`]'s format.
    ///
    /// # Errors
    /// A line that is not a comment, `threshold T` (T ≥ 0) or `genuine cell:count …` (cell below
    /// [`CELLS`], count from 0 to 10¹²), or no `threshold` line.
    pub fn parse(text: &str) -> Result<ShareModel, ModelError> {
        let mut threshold = None;
        let mut genuine = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let err = |message: String| ModelError { line: i + 1, message };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            match words.next() {
                Some("threshold") => {
                    let t = words.next().and_then(|w| w.parse::<f64>().ok()).filter(|t| t.is_finite() && *t >= 0.0);
                    threshold = Some(t.ok_or_else(|| err(format!("`{line}`: expected `threshold T` with T ≥ 0")))?);
                }
                Some("genuine") => {
                    let mut h = Histogram { count: [0.0; CELLS], value: [0.0; CELLS] };
                    for w in words {
                        let parsed = w
                            .split_once(':')
                            .and_then(|(c, n)| Some((c.parse::<usize>().ok()?, n.parse::<f64>().ok()?)));
                        match parsed {
                            Some((c, n)) if c < CELLS && (0.0..=MAX_COUNT).contains(&n) => h.count[c] = n,
                            _ => {
                                return Err(err(format!(
                                    "`{w}`: expected cell:count, cell below {CELLS}, count from 0 to {MAX_COUNT:e}"
                                )))
                            }
                        }
                    }
                    genuine.push(h);
                }
                _ => return Err(err(format!("`{line}`: expected `threshold T` or `genuine cell:count …`"))),
            }
        }
        let threshold = threshold.ok_or(ModelError { line: 0, message: "no `threshold T` line".into() })?;
        Ok(ShareModel::new(&genuine, threshold))
    }
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
#[path = "share_tests.rs"]
mod tests;
