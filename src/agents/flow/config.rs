//! `[agents.flow]`: the order-flow crowd's parameters, their units, defaults and valid ranges.
//!
//! Every parameter is a quantity `mmsim calibrate` measures on real data (see
//! [`crate::calibrate`]), so a fitted replica reads as its measurements: rates per minute for the
//! whole crowd, sizes in tokens, distances in ticks from the opposite best price.

use serde::Deserialize;

use crate::agents::behaviour::{check_non_negative, check_positive, check_unit, Market, ParamIssue};
use crate::scenario::limits;

/// The most distances a limit-order profile may list.
pub const MAX_DISTANCES: usize = 1_000;

/// Parameters of `flow`: a zero-intelligence order-flow crowd (Cont, Stoikov and Talreja 2010) with
/// self-exciting (Hawkes) market orders, as fitted by `mmsim calibrate`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlowConfig {
    /// Marketable buy orders per minute, the crowd's baseline (before excitation and the hourly
    /// profile). ≥ 0. Default 10.
    pub market_buy_per_min: f64,
    /// Marketable sell orders per minute (baseline). ≥ 0. Default 10.
    pub market_sell_per_min: f64,
    /// Hawkes branching ratio of market orders in [0, 0.95]: each market order raises the market
    /// order rate by `branching / decay`, decaying exponentially; the long-run rate is
    /// `baseline / (1 − branching)`. 0 gives Poisson arrivals. Default 0.
    pub hawkes_branching: f64,
    /// Mean life of one order's excitation, in seconds (1/β), in [0.001, 86400]. Default 10.
    pub hawkes_decay_secs: f64,
    /// Median size of a market order in tokens (log-normal). > 0. Default 1.
    pub market_size_median: f64,
    /// Log-space standard deviation of market order sizes, in [0, 4]. Default 1.
    pub market_size_sigma: f64,
    /// Marketable orders are immediate-or-cancel limit orders this many ticks through the opposite
    /// best price (how far one may walk the book). ≥ 1. Default 20.
    pub market_collar_ticks: u32,
    /// Limit buy orders per minute (spread over [`FlowConfig::limit_distance_weights`]). ≥ 0.
    /// Default 20.
    pub limit_buy_per_min: f64,
    /// Limit sell orders per minute. ≥ 0. Default 20.
    pub limit_sell_per_min: f64,
    /// Median size of a limit order in tokens (log-normal). > 0. Default 1.
    pub limit_size_median: f64,
    /// Log-space standard deviation of limit order sizes, in [0, 4]. Default 1.
    pub limit_size_sigma: f64,
    /// Share of orders (market and limit) whose size is rounded to one significant digit in tokens
    /// (0.1, 2, 50, ...): the clustering at round sizes of human traders, in [0, 1]. Default 0.
    pub round_share: f64,
    /// Relative weight of placing a limit order `i` ticks from the opposite best price, for
    /// `i = 1, 2, ...` (a buy at `best ask − i`, a sell at `best bid + i`; `i` below the spread
    /// improves the touch). Non-negative, not all 0, at most 1,000 entries. Default `[1, 1, 1, 1, 1]`.
    pub limit_distance_weights: Vec<f64>,
    /// Cancel rate per minute of a resting limit order placed at each distance (same indexing; the
    /// last entry applies beyond the list): an order lives an exponential time of mean `1 / rate`.
    /// Each > 0. Default `[1]`.
    pub cancel_per_min: Vec<f64>,
    /// Multipliers of every rate by UTC hour of day (24 entries, or empty for a flat day); the run
    /// starts at `start_hour`. Each ≥ 0. Default empty.
    pub hourly: Vec<f64>,
    /// UTC hour of day at which the run starts (for `hourly`), 0–23. Default 0.
    pub start_hour: u32,
    /// Seed the book at the start with each distance's steady-state depth (rate × weight / cancel
    /// rate orders per side), so the run starts in its stationary regime. Default true.
    pub seed_book: bool,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            market_buy_per_min: 10.0,
            market_sell_per_min: 10.0,
            hawkes_branching: 0.0,
            hawkes_decay_secs: 10.0,
            market_size_median: 1.0,
            market_size_sigma: 1.0,
            market_collar_ticks: 20,
            limit_buy_per_min: 20.0,
            limit_sell_per_min: 20.0,
            limit_size_median: 1.0,
            limit_size_sigma: 1.0,
            round_share: 0.0,
            limit_distance_weights: vec![1.0; 5],
            cancel_per_min: vec![1.0],
            hourly: Vec::new(),
            start_hour: 0,
            seed_book: true,
        }
    }
}

impl FlowConfig {
    /// The cancel rate per minute of an order placed `i` ticks from the opposite touch (`i ≥ 1`).
    pub fn cancel_rate(&self, i: usize) -> f64 {
        let k = i.saturating_sub(1).min(self.cancel_per_min.len().saturating_sub(1));
        self.cancel_per_min.get(k).copied().unwrap_or(1.0)
    }

    /// The rate multiplier at `hour` hours after the start.
    pub fn hour_factor(&self, hours_since_start: u64) -> f64 {
        if self.hourly.len() != 24 {
            return 1.0;
        }
        self.hourly[((u64::from(self.start_hour) + hours_since_start) % 24) as usize]
    }

    /// Every problem with these parameters (the key names the field).
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut v = Vec::new();
        for (key, x) in [
            ("market_buy_per_min", self.market_buy_per_min),
            ("market_sell_per_min", self.market_sell_per_min),
            ("limit_buy_per_min", self.limit_buy_per_min),
            ("limit_sell_per_min", self.limit_sell_per_min),
        ] {
            check_non_negative(&mut v, key, x);
            limits::at_most(&mut v, key, x, 6e7, "orders per minute");
        }
        if !(0.0..=0.95).contains(&self.hawkes_branching) {
            v.push(ParamIssue::new("hawkes_branching", format!("{} is outside [0, 0.95]", self.hawkes_branching)));
        }
        if !(0.001..=86_400.0).contains(&self.hawkes_decay_secs) {
            let msg = format!("{} is outside [0.001, 86400] seconds", self.hawkes_decay_secs);
            v.push(ParamIssue::new("hawkes_decay_secs", msg));
        }
        for (key, median, sigma) in [
            ("market_size_median", self.market_size_median, self.market_size_sigma),
            ("limit_size_median", self.limit_size_median, self.limit_size_sigma),
        ] {
            check_positive(&mut v, key, median);
            limits::tokens_at_most(&mut v, key, median, market);
            if !(0.0..=4.0).contains(&sigma) {
                let skey = if key.starts_with("market") { "market_size_sigma" } else { "limit_size_sigma" };
                v.push(ParamIssue::new(skey, format!("{sigma} is outside [0, 4]")));
            }
        }
        if self.market_collar_ticks == 0 {
            v.push(ParamIssue::new("market_collar_ticks", "must be ≥ 1"));
        }
        check_unit(&mut v, "round_share", self.round_share);
        let w = &self.limit_distance_weights;
        if w.is_empty() || w.len() > MAX_DISTANCES {
            v.push(ParamIssue::new("limit_distance_weights", format!("needs 1 to {MAX_DISTANCES} entries")));
        } else if w.iter().any(|x| !(x.is_finite() && *x >= 0.0)) || w.iter().all(|&x| x == 0.0) {
            v.push(ParamIssue::new("limit_distance_weights", "entries must be ≥ 0 and not all 0"));
        }
        let c = &self.cancel_per_min;
        if c.is_empty() || c.len() > MAX_DISTANCES || c.iter().any(|x| !(x.is_finite() && *x > 0.0 && *x <= 6e7)) {
            let msg = format!("needs 1 to {MAX_DISTANCES} entries, each > 0 and at most 6e7 per minute");
            v.push(ParamIssue::new("cancel_per_min", msg));
        }
        if !(self.hourly.is_empty() || self.hourly.len() == 24) {
            v.push(ParamIssue::new("hourly", format!("has {} entries: give 24 or none", self.hourly.len())));
        } else if self.hourly.iter().any(|x| !(x.is_finite() && (0.0..=1e3).contains(x))) {
            v.push(ParamIssue::new("hourly", "entries must be in [0, 1000]"));
        }
        if self.start_hour > 23 {
            v.push(ParamIssue::new("start_hour", format!("{} is outside 0–23", self.start_hour)));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Price, SimTime};
    use rust_decimal::dec;

    fn market() -> Market {
        Market { tick: dec!(0.01), lot: dec!(0.0001), open_price: Price(100_000), duration: SimTime::from_secs(60) }
    }

    #[test]
    fn defaults_are_valid_and_bad_values_name_their_key() {
        assert!(FlowConfig::default().check(&market()).is_empty());
        let bad = FlowConfig {
            hawkes_branching: 1.0,
            hawkes_decay_secs: 1e-300,
            hourly: vec![1.0; 3],
            limit_distance_weights: vec![0.0],
            cancel_per_min: vec![],
            start_hour: 24,
            ..FlowConfig::default()
        };
        let keys: Vec<_> = bad.check(&market()).into_iter().map(|i| i.key).collect();
        assert_eq!(
            keys,
            [
                "hawkes_branching",
                "hawkes_decay_secs",
                "limit_distance_weights",
                "cancel_per_min",
                "hourly",
                "start_hour"
            ]
        );
    }

    #[test]
    fn cancel_rates_extend_their_last_entry_and_hours_wrap() {
        let c = FlowConfig { cancel_per_min: vec![3.0, 2.0], ..FlowConfig::default() };
        assert_eq!([c.cancel_rate(1), c.cancel_rate(2), c.cancel_rate(9)], [3.0, 2.0, 2.0]);
        let mut hourly = vec![1.0; 24];
        hourly[1] = 2.0;
        let h = FlowConfig { hourly, start_hour: 23, ..FlowConfig::default() };
        assert_eq!([h.hour_factor(0), h.hour_factor(2), h.hour_factor(26)], [1.0, 2.0, 2.0]);
    }
}
