//! The rush-order pump detector: a logistic-regression classifier on rush-order features of short
//! chunks of trades, after La Morgia et al. 2020 ("Pump and dumps in the Bitcoin era", a random
//! forest on the same kind of features; P/R/F1 93.1 / 91.4 / 92.0 at 25 s).
//!
//! Trades are cut into chunks of `rush_chunk_s` (5 s). A *rush order* is one taker buy filled
//! several times at once (it swept levels); each of its fills counts. For each chunk with trades,
//! against the previous `rush_window` chunks (fewer at the start of the log):
//! 1. `ln(1 + rush fills) − ln(1 + their moving mean)`,
//! 2. the chunk's return in % (last price over the previous chunk's),
//! 3. `ln(1 + buy volume) − ln(1 + its moving mean)` (quote units),
//! 4. `ln(1 + trades) − ln(1 + their moving mean)`,
//! 5. the drawdown in % of the previous price from the highest of the last [`LONG_WINDOW_S`]
//!    (≤ 0: after a crash, sweeping buys are buy-backs, not pumps),
//! 6. the rise in % of the previous price from the lowest of the last [`LONG_WINDOW_S`],
//! 7. the return in % over the last minute,
//! 8. `ln(1 + the largest buy order's notional) − ln(1 + the mean trade notional of the window)`,
//! 9. the run-up in % of the chunk's close over the trailing reference, the mean price of the last
//!    [`LONG_WINDOW_S`] (a pump rises above where the price has been; a rebound after a crash
//!    climbs back from below it),
//! 10. the buy share of the chunk's traded value,
//! 11. the return in % of the previous price over the last 10 minutes,
//! 12. *nearness* to the recent high, `exp(drawdown / 5%)` (1 at the high, ≈ 0 far below it),
//! 13. feature 1 times the nearness, 14. feature 2 times the nearness, 15. feature 3 times the
//!     nearness: a rush of buys and a jump in price while the price makes new highs is a pump;
//!     the same rush far below the recent high is a buy-back or a rebound after a crash (a linear
//!     model cannot express that "and" without these products).
//!
//! [`RushModel`] standardises them and weighs them; a chunk whose probability reaches the model's
//! threshold alerts, and alerts closer than `event_gap_s` merge into one event. [`train`] fits the
//! weights on labelled chunks (plain gradient descent on the class-balanced log-loss with a small
//! L2 penalty) — `mmsim surveil-bench` trains on its training runs only; the defaults are what it
//! fitted on its training runs for `--seed 7` (see the README).

#![allow(clippy::needless_range_loop)] // feature vectors are indexed in step with their weights

use std::collections::HashMap;

use super::data::TradeRow;
use super::pump::merge;
use super::{Alert, Thresholds};

/// The drawdown and rise features look back this far (s).
pub const LONG_WINDOW_S: f64 = 1800.0;

/// The drawdown (in %) at which the nearness to the recent high has fallen to 1/e.
pub const NEAR_SCALE_PCT: f64 = 5.0;

/// Number of features per chunk.
pub const FEATURES: usize = 15;

/// A fitted classifier: standardisation, weights, bias and the alert threshold on the probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RushModel {
    /// Feature means (training chunks).
    pub mean: [f64; FEATURES],
    /// Feature standard deviations (training chunks; at least 1e-9).
    pub scale: [f64; FEATURES],
    /// Weights of the standardised features.
    pub weights: [f64; FEATURES],
    /// Bias.
    pub bias: f64,
    /// A chunk alerts when its probability is at least this.
    pub threshold: f64,
}

impl Default for RushModel {
    /// Fitted by `mmsim surveil-bench --runs 200 --seed 7` on its training runs (indices 200–399).
    fn default() -> Self {
        RushModel {
            mean: [
                0.01011, -0.02898, -1.11676, 0.37640, -8.35967, 5.68035, -0.18566, -2.32369, -1.98597, 0.55061,
                -0.06222, 0.68555, 0.01645, 0.01052, -0.73397,
            ],
            scale: [
                0.35914, 0.69259, 2.81319, 0.35697, 16.32706, 13.78051, 2.83242, 2.74293, 10.80626, 0.47845, 15.88904,
                0.36502, 0.25097, 0.23816, 2.27244,
            ],
            weights: [
                0.09098, 0.02319, -0.50999, 0.61532, 0.36833, -0.46282, 1.72427, 1.88707, 1.27137, 0.23736, 0.31116,
                2.04560, 0.22214, 0.88173, -0.52476,
            ],
            bias: -6.49318,
            threshold: 0.99,
        }
    }
}

impl RushModel {
    /// The probability that a chunk with features `x` is part of a pump.
    pub fn probability(&self, x: &[f64; FEATURES]) -> f64 {
        let mut z = self.bias;
        for k in 0..FEATURES {
            z += self.weights[k] * (x[k] - self.mean[k]) / self.scale[k];
        }
        1.0 / (1.0 + (-z).exp())
    }
}

struct Chunk {
    close: f64,
    notional: f64,
    largest_buy: f64,
    trades: f64,
    buy_volume: f64,
    rush: f64,
}

/// The features of every chunk that has trades: (chunk start in s, features).
pub fn features(trades: &[TradeRow], th: &Thresholds) -> Vec<(f64, [f64; FEATURES])> {
    let Some(last) = trades.last() else { return Vec::new() };
    let width = th.rush_chunk_s.max(1e-3);
    let minute = (60.0 / width).round().max(1.0) as usize;
    let lookback = th.rush_window.max(1).max(LONG_WINDOW_S as usize * minute / 60).max(10 * minute);
    let origin = super::grid_origin(trades[0].t, width, lookback);
    let n = ((last.t - origin) / width).floor().max(0.0) as usize + 1;
    // Fills and notional per taker order.
    let mut fills: HashMap<u64, (u32, f64)> = HashMap::new();
    for t in trades.iter().filter(|t| t.taker_order != 0) {
        let f = fills.entry(t.taker_order).or_default();
        f.0 += 1;
        f.1 += t.price * t.qty;
    }
    let mut chunks: Vec<Option<Chunk>> = (0..n).map(|_| None).collect();
    for t in trades {
        let i = (((t.t - origin) / width).floor().max(0.0) as usize).min(n - 1);
        let c = chunks[i].get_or_insert(Chunk {
            close: t.price,
            notional: 0.0,
            largest_buy: 0.0,
            trades: 0.0,
            buy_volume: 0.0,
            rush: 0.0,
        });
        c.close = t.price;
        c.trades += 1.0;
        c.notional += t.price * t.qty;
        if t.buy {
            c.buy_volume += t.price * t.qty;
            let (k, order) = fills.get(&t.taker_order).copied().unwrap_or((1, t.price * t.qty));
            c.largest_buy = c.largest_buy.max(order);
            if k >= 2 {
                c.rush += 1.0;
            }
        }
    }
    // The last price at the end of each chunk (carried over empty chunks).
    let mut price = Vec::with_capacity(n);
    let mut p = trades[0].price;
    for c in &chunks {
        if let Some(c) = c {
            p = c.close;
        }
        price.push(p);
    }
    // Prefix sums of the price, for the trailing mean.
    let mut sum = Vec::with_capacity(n + 1);
    sum.push(0.0);
    for (i, p) in price.iter().enumerate() {
        sum.push(sum[i] + p);
    }
    let mut out = Vec::new();
    for i in 0..n {
        let Some(c) = &chunks[i] else { continue };
        let from = i.saturating_sub(th.rush_window.max(1));
        let hist = &chunks[from..i];
        let k = hist.len().max(1) as f64;
        let mean = |f: &dyn Fn(&Chunk) -> f64| hist.iter().flatten().map(f).sum::<f64>() / k;
        let prev = if i > 0 { price[i - 1] } else { trades[0].price };
        let long = i.saturating_sub(LONG_WINDOW_S as usize * minute / 60);
        let (hi, lo) = price[long..i].iter().fold((prev, prev), |(h, l), &x| (h.max(x), l.min(x)));
        let ago = price[i.saturating_sub(minute)];
        let ago10 = price[i.saturating_sub(10 * minute)];
        let reference = if i > long { (sum[i] - sum[long]) / (i - long) as f64 } else { prev };
        let hist_trades: f64 = hist.iter().flatten().map(|c| c.trades).sum();
        let mean_trade = hist.iter().flatten().map(|c| c.notional).sum::<f64>() / hist_trades.max(1.0);
        let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * (a / b - 1.0) } else { 0.0 };
        let near = (pct(prev, hi) / NEAR_SCALE_PCT).exp();
        let rush = (1.0 + c.rush).ln() - (1.0 + mean(&|c| c.rush)).ln();
        let buys = (1.0 + c.buy_volume).ln() - (1.0 + mean(&|c| c.buy_volume)).ln();
        out.push((
            origin + i as f64 * width,
            [
                rush,
                pct(c.close, prev),
                buys,
                (1.0 + c.trades).ln() - (1.0 + mean(&|c| c.trades)).ln(),
                pct(prev, hi),
                pct(prev, lo),
                pct(prev, ago),
                (1.0 + c.largest_buy).ln() - (1.0 + mean_trade).ln(),
                pct(c.close, reference),
                if c.notional > 0.0 { c.buy_volume / c.notional } else { 0.5 },
                pct(prev, ago10),
                near,
                rush * near,
                pct(c.close, prev) * near,
                buys * near,
            ],
        ));
    }
    out
}

/// Pump events found by `model` (see the module doc).
pub fn alerts(trades: &[TradeRow], th: &Thresholds) -> Vec<Alert> {
    let m = &th.rush;
    let hits: Vec<(f64, f64, f64)> = features(trades, th)
        .into_iter()
        .filter_map(|(t0, x)| {
            let p = m.probability(&x);
            (p >= m.threshold).then_some((t0, t0 + th.rush_chunk_s, p))
        })
        .collect();
    merge(hits, th.event_gap_s)
        .into_iter()
        .map(|(s, e, p)| Alert {
            detector: "pump_rush_orders",
            t_start: s,
            t_end: e,
            subject: "market".into(),
            score: p,
            evidence: format!("rush-order features of {}-s chunks: peak pump probability {p:.2}", th.rush_chunk_s),
        })
        .collect()
}

/// Fits a model (threshold 0.5) on labelled chunks `(features, is_pump)`.
pub fn train(samples: &[([f64; FEATURES], bool)]) -> RushModel {
    // From zero weights, never from the shipped defaults, so a fit depends on its samples alone.
    let mut m = RushModel {
        mean: [0.0; FEATURES],
        scale: [1.0; FEATURES],
        weights: [0.0; FEATURES],
        bias: 0.0,
        threshold: 0.5,
    };
    let n = samples.len().max(1) as f64;
    for k in 0..FEATURES {
        let mean = samples.iter().map(|s| s.0[k]).sum::<f64>() / n;
        let var = samples.iter().map(|s| (s.0[k] - mean).powi(2)).sum::<f64>() / n;
        m.mean[k] = mean;
        m.scale[k] = var.sqrt().max(1e-9);
    }
    let pos = samples.iter().filter(|s| s.1).count().max(1) as f64;
    let neg = (samples.len() as f64 - pos).max(1.0);
    let (wp, wn) = (n / (2.0 * pos), n / (2.0 * neg));
    let z: Vec<([f64; FEATURES], f64, f64)> = samples
        .iter()
        .map(|(x, y)| {
            let mut s = [0.0; FEATURES];
            for k in 0..FEATURES {
                s[k] = (x[k] - m.mean[k]) / m.scale[k];
            }
            (s, if *y { 1.0 } else { 0.0 }, if *y { wp } else { wn })
        })
        .collect();
    let (lr, l2) = (0.5, 1e-3);
    for _ in 0..3000 {
        let mut g = [0.0; FEATURES];
        let mut gb = 0.0;
        for (x, y, w) in &z {
            let mut s = m.bias;
            for k in 0..FEATURES {
                s += m.weights[k] * x[k];
            }
            let err = w * (1.0 / (1.0 + (-s).exp()) - y);
            for k in 0..FEATURES {
                g[k] += err * x[k];
            }
            gb += err;
        }
        for k in 0..FEATURES {
            m.weights[k] -= lr * (g[k] / n + l2 * m.weights[k]);
        }
        m.bias -= lr * gb / n;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_separates_separable_chunks() {
        let samples: Vec<([f64; FEATURES], bool)> = (0..200)
            .map(|i| {
                let pump = i % 10 == 0;
                let mut x = [0.0; FEATURES];
                x[0] = if pump { 2.0 } else { 0.0 } + (i % 7) as f64 * 0.1;
                x[1] = if pump { 1.0 } else { -0.2 };
                (x, pump)
            })
            .collect();
        let m = train(&samples);
        assert!(samples.iter().all(|(x, y)| (m.probability(x) >= 0.5) == *y));
    }
}
