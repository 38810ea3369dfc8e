//! What is measured on a market, real or simulated, by the same code: [`Observed`] collects the
//! samples (a touch and depth every 100 ms, every trade), [`Figures`] and [`panels`] compute every
//! figure from them, so a real and a replica figure always come from one computation.

use serde::Serialize;

use super::stats::{acf, excess_kurtosis, ks_distance, median, window_counts};
use crate::types::Side;

/// The sampling step of the touch and depth, in ns (100 ms).
pub const GRID_NS: u64 = 100_000_000;
/// Lags of the autocorrelation of absolute 1-second returns.
pub const ACF_LAGS: usize = 20;

/// Samples of one market in the replica's units (prices in ticks, sizes in tokens).
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// Time covered, in ns.
    pub duration_ns: u64,
    /// Spread in ticks at each 100 ms sample where both sides were quoted.
    pub spread_ticks: Vec<f64>,
    /// Mid in ticks at each 100 ms sample (`None` without a two-sided touch).
    pub mids: Vec<Option<f64>>,
    /// Trade times, ns from the start, in order.
    pub trade_ns: Vec<u64>,
    /// Trade sizes in tokens.
    pub trade_sizes: Vec<f64>,
    /// Sum over depth samples of the size (tokens) resting `i + 1` ticks from the opposite best
    /// price, both sides added.
    pub depth_sum: Vec<f64>,
    /// Depth samples taken (each counts both sides).
    pub depth_samples: u64,
}

impl Observed {
    /// Empty samples with a depth profile over `distances` ticks.
    pub fn new(distances: usize) -> Self {
        Observed { depth_sum: vec![0.0; distances], ..Observed::default() }
    }

    /// Takes one 100 ms sample of a book: its touch (ticks) and, through `qty`, the size in tokens
    /// at a side and price; `depth` false samples only the touch.
    pub fn sample(&mut self, bid: Option<i64>, ask: Option<i64>, depth: bool, qty: impl Fn(Side, i64) -> f64) {
        match (bid, ask) {
            (Some(b), Some(a)) if a > b => {
                self.spread_ticks.push((a - b) as f64);
                self.mids.push(Some((a + b) as f64 / 2.0));
                if depth {
                    for (k, sum) in self.depth_sum.iter_mut().enumerate() {
                        let i = k as i64 + 1;
                        *sum += qty(Side::Buy, a - i) + qty(Side::Sell, b + i);
                    }
                    self.depth_samples += 1;
                }
            }
            _ => self.mids.push(None),
        }
    }

    /// Records a trade at `t_ns` from the start.
    pub fn trade(&mut self, t_ns: u64, size_tokens: f64) {
        self.trade_ns.push(t_ns);
        self.trade_sizes.push(size_tokens);
    }

    /// Mean depth (tokens, both sides) at each distance.
    pub fn depth_profile(&self) -> Vec<f64> {
        let n = self.depth_samples.max(1) as f64;
        self.depth_sum.iter().map(|s| s / n).collect()
    }

    /// Log returns of the mid over `step` samples (gaps skipped).
    pub fn returns(&self, step: usize) -> Vec<f64> {
        let pts: Vec<Option<f64>> = self.mids.iter().step_by(step.max(1)).copied().collect();
        pts.windows(2)
            .filter_map(|w| match (w[0], w[1]) {
                (Some(a), Some(b)) if a > 0.0 && b > 0.0 => Some((b / a).ln()),
                _ => None,
            })
            .collect()
    }

    /// Times between consecutive trades, in milliseconds.
    pub fn inter_arrivals_ms(&self) -> Vec<f64> {
        self.trade_ns.windows(2).map(|w| w[1].saturating_sub(w[0]) as f64 / 1e6).collect()
    }

    /// Trades in each whole minute.
    pub fn trades_per_minute(&self) -> Vec<f64> {
        window_counts(&self.trade_ns, 0, self.duration_ns, 60_000_000_000)
    }
}

/// The three headline figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Median spread, ticks.
    pub median_spread_ticks: f64,
    /// Trades per minute over the whole span.
    pub trades_per_min: f64,
    /// Median trade size, tokens.
    pub median_trade_size: f64,
}

impl Figures {
    /// The figures of `o` (0 where there is no data).
    pub fn of(o: &Observed) -> Figures {
        let minutes = o.duration_ns as f64 / 60e9;
        Figures {
            median_spread_ticks: median(&o.spread_ticks).unwrap_or(0.0),
            trades_per_min: if minutes > 0.0 { o.trade_ns.len() as f64 / minutes } else { 0.0 },
            median_trade_size: median(&o.trade_sizes).unwrap_or(0.0),
        }
    }

    /// The figures as `(name, value)` pairs, in the order they are reported.
    pub fn named(&self) -> [(&'static str, f64); 3] {
        [
            ("median_spread_ticks", self.median_spread_ticks),
            ("trades_per_min", self.trades_per_min),
            ("median_trade_size", self.median_trade_size),
        ]
    }
}

/// Relative error of `replica` against `real` (`(replica − real) / real`); `None` when `real` is 0.
pub fn relative_error(real: f64, replica: f64) -> Option<f64> {
    (real != 0.0).then(|| (replica - real) / real)
}

/// One side-by-side comparison of the calibration page.
#[derive(Clone, Debug, Serialize)]
pub struct Panel {
    /// Short id (`spread`, `returns_1m`, ...).
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// How the two are compared (`KS distance`, `relative error`, ...).
    pub metric: &'static str,
    /// The distance (`None` when a side has no data).
    pub distance: Option<f64>,
    /// A scalar shown with the panel, real and replica (e.g. kurtosis), if any.
    pub extra: Option<(&'static str, Option<f64>, Option<f64>)>,
    /// How the figure draws: `cdf` (samples) or `bars` (a profile by index).
    #[serde(skip)]
    pub kind: PanelKind,
    /// Real values (samples, or the profile).
    #[serde(skip)]
    pub real: Vec<f64>,
    /// Replica values.
    #[serde(skip)]
    pub replica: Vec<f64>,
    /// Label of the x axis.
    #[serde(skip)]
    pub x_label: &'static str,
}

/// How a panel's figure draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PanelKind {
    /// Empirical CDFs of two samples.
    #[default]
    Cdf,
    /// Two profiles by index 1, 2, ...
    Bars,
}

fn cdf(id: &'static str, title: &'static str, x_label: &'static str, real: Vec<f64>, replica: Vec<f64>) -> Panel {
    Panel {
        id,
        title,
        metric: "KS distance",
        distance: ks_distance(&real, &replica),
        extra: None,
        kind: PanelKind::Cdf,
        real,
        replica,
        x_label,
    }
}

/// Mean absolute difference of two profiles over the indices both have.
fn mean_abs_diff(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let d: Vec<f64> = a.iter().zip(b).filter_map(|(x, y)| Some((x.as_ref()? - y.as_ref()?).abs())).collect();
    (!d.is_empty()).then(|| d.iter().sum::<f64>() / d.len() as f64)
}

/// The side-by-side panels of real and replica.
pub fn panels(real: &Observed, replica: &Observed) -> Vec<Panel> {
    let (r1m, s1m) = (real.returns(600), replica.returns(600));
    let (r1s, s1s) = (real.returns(10), replica.returns(10));
    let mut ret1m = cdf("returns_1m", "1-minute mid returns", "log return", r1m.clone(), s1m.clone());
    ret1m.extra = Some(("excess kurtosis", excess_kurtosis(&r1m), excess_kurtosis(&s1m)));
    let mut ret1s = cdf("returns_1s", "1-second mid returns", "log return", r1s.clone(), s1s.clone());
    ret1s.extra = Some(("excess kurtosis", excess_kurtosis(&r1s), excess_kurtosis(&s1s)));
    let abs = |v: &[f64]| v.iter().map(|x| x.abs()).collect::<Vec<f64>>();
    let (ar, as_) = (acf(&abs(&r1s), ACF_LAGS), acf(&abs(&s1s), ACF_LAGS));
    let acf_panel = Panel {
        id: "acf_abs_returns",
        title: "Autocorrelation of |1-second returns|, lags 1–20 s",
        metric: "mean absolute difference",
        distance: mean_abs_diff(&ar, &as_),
        extra: None,
        kind: PanelKind::Bars,
        real: ar.iter().map(|x| x.unwrap_or(0.0)).collect(),
        replica: as_.iter().map(|x| x.unwrap_or(0.0)).collect(),
        x_label: "lag (s)",
    };
    let (dr, ds) = (real.depth_profile(), replica.depth_profile());
    let total: f64 = dr.iter().sum();
    let depth = Panel {
        id: "depth_profile",
        title: "Depth profile: mean size i ticks from the opposite best price (both sides)",
        metric: "relative L1 error",
        distance: (total > 0.0).then(|| dr.iter().zip(&ds).map(|(a, b)| (a - b).abs()).sum::<f64>() / total),
        extra: None,
        kind: PanelKind::Bars,
        real: dr,
        replica: ds,
        x_label: "distance (ticks)",
    };
    let mut tpm =
        cdf("trades_per_minute", "Trades per minute", "trades", real.trades_per_minute(), replica.trades_per_minute());
    tpm.metric = "KS distance";
    vec![
        cdf("spread", "Spread (100 ms samples)", "ticks", real.spread_ticks.clone(), replica.spread_ticks.clone()),
        ret1m,
        ret1s,
        acf_panel,
        cdf(
            "inter_arrival",
            "Inter-arrival times of trades",
            "ms",
            real.inter_arrivals_ms(),
            replica.inter_arrivals_ms(),
        ),
        cdf("trade_sizes", "Trade sizes", "tokens", real.trade_sizes.clone(), replica.trade_sizes.clone()),
        depth,
        tpm,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_make_the_figures() {
        let mut o = Observed::new(2);
        o.duration_ns = 120_000_000_000;
        o.sample(Some(100), Some(102), true, |side, p| if side == Side::Buy && p == 101 { 5.0 } else { 1.0 });
        o.sample(Some(100), Some(101), false, |_, _| 0.0);
        o.sample(None, Some(101), true, |_, _| 0.0);
        for (t, s) in [(0, 1.0), (1_000_000, 3.0), (61_000_000_000, 2.0)] {
            o.trade(t, s);
        }
        let f = Figures::of(&o);
        assert_eq!(f, Figures { median_spread_ticks: 1.5, trades_per_min: 1.5, median_trade_size: 2.0 });
        assert_eq!(o.depth_profile(), vec![6.0, 2.0]);
        assert_eq!(o.trades_per_minute(), vec![2.0, 1.0]);
        assert_eq!(o.inter_arrivals_ms(), vec![1.0, 60_999.0]);
        assert_eq!(relative_error(2.0, 2.5), Some(0.25));
    }
}
