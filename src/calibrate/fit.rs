//! From measurements to the crowd's parameters: direct estimates ([`Estimates`]), then a search by
//! simulation ([`search`]) on three scale knobs so the replica's headline figures match.
//!
//! **Direct estimates** (the simplest credible methods, Cont–Stoikov–Talreja style):
//! - market orders: taker orders per minute and side; their 1 s / 10 s / 60 s counts' Fano factors
//!   (windows with at least 10 whole windows in the data) fit a Hawkes branching ratio and kernel
//!   life when over-dispersed ([`hawkes_fit`]); the baseline is the observed rate × (1 − branching);
//! - sizes: log-normal fits of taker orders and of level increases (limit orders); the share of
//!   taker orders at one significant digit;
//! - limit orders: volume added per side over the time the book was trusted, divided by the mean
//!   limit size, spread over distances 1..N in proportion to the volume added at each
//!   (N = 20 × the median spread, between 20 and 200 ticks);
//! - cancels: volume cancelled at each distance / (mean depth there × time), per resting unit
//!   (a distance without cancels or depth takes the pooled rate);
//! - by hour: taker orders per UTC hour over the mean, when the data cover two hours or more.
//!
//! **Search.** A zero-intelligence crowd's spread, trade count and fill sizes are emergent (a
//! market order fills several resting orders; the touch empties and refills), so the estimates are
//! then scaled by three knobs — market order rates, all sizes, limit order rates — and the replica
//! is simulated; each knob is multiplied by the ratio of real to simulated trades per minute,
//! median trade size and (inverted) median spread, each step clamped to ×[1/4, 4] and damped after
//! three rounds, until all three are within 8% or the rounds run out. The best round is kept.

use serde::Serialize;

use super::measure::{relative_error, Figures, Observed};
use super::real::{RealMarket, MAX_DISTANCE};
use super::stats::{fano, hawkes_fit, lognormal_fit, median, window_counts};
use super::CalibrateError;
use crate::agents::flow::FlowConfig;

/// The direct estimates from the data.
#[derive(Clone, Debug, Serialize)]
pub struct Estimates {
    /// Minutes of data.
    pub minutes: f64,
    /// Minutes the book was trusted (limit and cancel rates are per these).
    pub trusted_minutes: f64,
    /// Taker (market) orders per minute, buy side, as observed.
    pub market_buy_per_min: f64,
    /// Taker orders per minute, sell side.
    pub market_sell_per_min: f64,
    /// Fano factors of taker order counts: `(window seconds, factor)`.
    pub fano: Vec<(f64, f64)>,
    /// Fitted Hawkes branching ratio (0: Poisson).
    pub hawkes_branching: f64,
    /// Fitted kernel mean life, seconds.
    pub hawkes_decay_secs: f64,
    /// Log-normal fit of taker order sizes (median tokens, sigma).
    pub market_size: (f64, f64),
    /// Log-normal fit of limit order sizes.
    pub limit_size: (f64, f64),
    /// Share of taker orders at round sizes.
    pub round_share: f64,
    /// Limit orders per minute, buy side.
    pub limit_buy_per_min: f64,
    /// Limit orders per minute, sell side.
    pub limit_sell_per_min: f64,
    /// Distances modelled.
    pub distances: usize,
    /// Share of limit volume at each distance.
    pub limit_distance_weights: Vec<f64>,
    /// Cancel rate per resting unit and minute at each distance.
    pub cancel_per_min: Vec<f64>,
    /// Rate multipliers by UTC hour (empty: under two hours of data).
    pub hourly: Vec<f64>,
    /// UTC hour of the first event.
    pub start_hour: u32,
}

/// The three scale knobs of the search.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Knobs {
    /// Multiplies the market order rates.
    pub market_rate: f64,
    /// Multiplies the market and limit size medians.
    pub size: f64,
    /// Multiplies the limit order rates.
    pub limit_rate: f64,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs { market_rate: 1.0, size: 1.0, limit_rate: 1.0 }
    }
}

/// Estimates the crowd's parameters from `m` (see the module doc).
///
/// # Errors
/// [`CalibrateError::NotEnough`] when the book was never trusted (no snapshot and under 60 s of
/// diffs) or no limit order was seen.
pub fn estimate(m: &RealMarket, files: &str) -> Result<Estimates, CalibrateError> {
    let minutes = m.observed.duration_ns as f64 / 60e9;
    let trusted = m.trusted_ns as f64 / 60e9;
    let not_enough = |what: &str| CalibrateError::NotEnough { files: files.to_owned(), what: what.to_owned() };
    if trusted <= 0.0 {
        return Err(not_enough("no trusted book: give a snapshot, or more than 60 s of depth diffs"));
    }
    let spread = median(&m.observed.spread_ticks).unwrap_or(1.0);
    let n = ((20.0 * spread).ceil() as usize).clamp(20, MAX_DISTANCE);
    let mut all: Vec<u64> = m.taker_times.concat();
    all.sort_unstable();
    let end = m.observed.duration_ns;
    let fano: Vec<(f64, f64)> = [1u64, 10, 60]
        .into_iter()
        .filter(|w| end / (w * 1_000_000_000) >= 10)
        .filter_map(|w| fano(&window_counts(&all, 0, end, w * 1_000_000_000)).map(|f| (w as f64, f)))
        .collect();
    let (branching, decay) = hawkes_fit(&fano);
    let market_size = lognormal_fit(&m.taker_sizes).unwrap_or((1.0, 0.0));
    let limit_size = lognormal_fit(&m.add_sizes).ok_or_else(|| not_enough("no limit order (level increase) seen"))?;
    let mean_limit = limit_size.0 * (limit_size.1.powi(2) / 2.0).exp();
    let added = |side: usize| m.add_volume[side][..n].iter().sum::<f64>();
    let pooled: Vec<f64> = (0..n).map(|k| m.add_volume[0][k] + m.add_volume[1][k]).collect();
    let total: f64 = pooled.iter().sum();
    if total <= 0.0 {
        return Err(not_enough("no limit order within 200 ticks of the touch"));
    }
    let depth = m.observed.depth_profile();
    let pooled_cancel =
        m.cancel_volume[..n].iter().sum::<f64>() / (depth[..n].iter().sum::<f64>() * trusted).max(1e-12);
    let clamp = |x: f64| if x.is_finite() && x > 0.0 { x.clamp(1e-3, 6e4) } else { pooled_cancel.clamp(1e-3, 6e4) };
    let cancel: Vec<f64> = (0..n)
        .map(|k| {
            if depth[k] > 0.0 && m.cancel_volume[k] > 0.0 {
                clamp(m.cancel_volume[k] / (depth[k] * trusted))
            } else {
                clamp(pooled_cancel)
            }
        })
        .collect();
    let covered: f64 = m.by_hour.iter().map(|h| h.1).sum();
    let hourly = if covered >= 7_200.0 {
        let rate = m.by_hour.iter().map(|h| h.0).sum::<f64>() / covered;
        m.by_hour.iter().map(|&(c, secs)| if secs >= 600.0 && rate > 0.0 { c / secs / rate } else { 1.0 }).collect()
    } else {
        Vec::new()
    };
    Ok(Estimates {
        minutes,
        trusted_minutes: trusted,
        market_buy_per_min: m.taker_times[0].len() as f64 / minutes,
        market_sell_per_min: m.taker_times[1].len() as f64 / minutes,
        fano,
        hawkes_branching: branching,
        hawkes_decay_secs: decay,
        market_size,
        limit_size,
        round_share: m.round_share,
        limit_buy_per_min: added(0) / trusted / mean_limit,
        limit_sell_per_min: added(1) / trusted / mean_limit,
        distances: n,
        limit_distance_weights: pooled.iter().map(|v| v / total).collect(),
        cancel_per_min: cancel,
        hourly,
        start_hour: ((m.start_ns / 1_000_000_000 % 86_400) / 3_600) as u32,
    })
}

impl Estimates {
    /// The crowd's parameters with the knobs applied.
    pub fn flow(&self, k: Knobs) -> FlowConfig {
        let base = 1.0 - self.hawkes_branching;
        FlowConfig {
            market_buy_per_min: self.market_buy_per_min * base * k.market_rate,
            market_sell_per_min: self.market_sell_per_min * base * k.market_rate,
            hawkes_branching: self.hawkes_branching,
            hawkes_decay_secs: self.hawkes_decay_secs,
            market_size_median: self.market_size.0 * k.size,
            market_size_sigma: self.market_size.1.min(4.0),
            market_collar_ticks: self.distances as u32,
            limit_buy_per_min: self.limit_buy_per_min * k.limit_rate,
            limit_sell_per_min: self.limit_sell_per_min * k.limit_rate,
            limit_size_median: self.limit_size.0 * k.size,
            limit_size_sigma: self.limit_size.1.min(4.0),
            round_share: self.round_share,
            limit_distance_weights: self.limit_distance_weights.clone(),
            cancel_per_min: self.cancel_per_min.clone(),
            hourly: self.hourly.clone(),
            start_hour: self.start_hour,
            seed_book: true,
        }
    }
}

/// One round of the search.
#[derive(Clone, Debug, Serialize)]
pub struct Round {
    /// The knobs tried.
    pub knobs: Knobs,
    /// The replica's figures with them.
    pub figures: Figures,
    /// The largest absolute relative error of the three figures.
    pub worst_error: f64,
}

/// The largest absolute relative error of `sim` against `real` (∞ when undefined).
pub fn worst_error(real: &Figures, sim: &Figures) -> f64 {
    real.named()
        .iter()
        .zip(sim.named())
        .map(|((_, r), (_, s))| relative_error(*r, s).map_or(f64::INFINITY, f64::abs))
        .fold(0.0, f64::max)
}

/// Searches the knobs so the simulated figures match `real` (see the module doc); `simulate` runs
/// the replica with given knobs. Returns the best knobs and every round.
///
/// # Errors
/// Whatever `simulate` returns.
pub fn search(
    real: &Figures,
    rounds: usize,
    mut simulate: impl FnMut(Knobs) -> Result<Observed, CalibrateError>,
) -> Result<(Knobs, Vec<Round>), CalibrateError> {
    let mut k = Knobs::default();
    let mut log: Vec<Round> = Vec::new();
    for round in 0..rounds.max(1) {
        let figures = Figures::of(&simulate(k)?);
        let worst = worst_error(real, &figures);
        log.push(Round { knobs: k, figures, worst_error: worst });
        if worst < 0.08 {
            break;
        }
        let damp = if round < 3 { 1.0 } else { 0.5 };
        let step = |want: f64, got: f64| {
            let r = if got > 0.0 && want > 0.0 { want / got } else { 4.0 };
            r.clamp(0.25, 4.0).powf(damp)
        };
        k.market_rate *= step(real.trades_per_min, figures.trades_per_min);
        k.size *= step(real.median_trade_size, figures.median_trade_size);
        k.limit_rate *= step(figures.median_spread_ticks, real.median_spread_ticks);
    }
    let best = log.iter().min_by(|a, b| a.worst_error.total_cmp(&b.worst_error)).map_or(k, |r| r.knobs);
    Ok((best, log))
}
