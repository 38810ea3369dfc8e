//! `[agents.retail]`: the crowd's parameters, their units, defaults and valid ranges.
//!
//! Every field has a default ([`RetailConfig::default`]), so an empty table is a working crowd.
//! Units are in the names: `_per_hour` is a rate per trader, `_frac` a fraction in (0, 1], `_bps`
//! basis points (1 bp = 0.01%), `_pct` percent, and durations are [`Dur`] strings (`"10m"`, `"2h"`).

use serde::Deserialize;

use crate::agents::behaviour::{check_non_negative, check_positive, check_unit, Market, ParamIssue};
use crate::agents::Tape;
use crate::scenario::limits;
use crate::units::Dur;

/// Parameters of `retail`, a crowd of traders with one account each.
///
/// A trader's *type* (noise, momentum, stop-loss, fundamentalist, book reader) is fixed when the
/// crowd is built, in proportion to the five `*_weight`s; see the module docs of
/// [`retail`](crate::agents::retail) for what each type does.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetailConfig {
    /// Orders per trader per hour at normal attention (attention 1, no excitation, no momentum
    /// heat); the crowd's base rate is `count ×` this. > 0. Default 2.
    pub arrival_rate_per_hour: f64,

    /// Relative share of noise traders (≥ 0). Default 0.43.
    pub noise_weight: f64,
    /// Relative share of momentum (FOMO) traders (≥ 0). Default 0.02 (a strong trend-following
    /// share makes runaway trends).
    pub momentum_weight: f64,
    /// Relative share of stop-loss (panic) traders (≥ 0). Default 0.02.
    pub stop_loss_weight: f64,
    /// Relative share of fundamentalists (≥ 0). Default 0.47.
    pub fundamentalist_weight: f64,
    /// Relative share of book readers (≥ 0). Default 0.06 (a large share herds the price toward the
    /// heavier side of the book). The five weights must not all be 0.
    pub book_reader_weight: f64,

    /// Median order size as a fraction of the trader's free balance (cash for a buy, tokens for a
    /// sell), in (0, 1]. Default 0.05.
    pub order_size_frac: f64,
    /// Log-space standard deviation of the order size (log-normal around the median), in [0, 3].
    /// Sizes are capped at the whole free balance. Default 0.8.
    pub order_size_sigma: f64,
    /// Probability that a noise trader, book reader or non-panicking stop-loss trader sends a
    /// marketable order rather than a resting limit order, in [0, 1]. Momentum traders and panic
    /// sells are always marketable; fundamentalists always send limit orders at their value.
    /// Default 0.5.
    pub market_order_share: f64,
    /// Price collar of marketable orders: they are immediate-or-cancel limit orders at the opposite
    /// touch ± this many basis points, in (0, 5000]; fundamentalists' orders are capped the same
    /// way. Default 20.
    pub slippage_cap_bps: f64,
    /// Mean distance of a limit order behind the best price of its own side, in basis points
    /// (exponentially distributed; a buy never rests at or above the best ask, nor a sell at or below
    /// the best bid); fundamentalists rest this far inside their value. ≥ 0. Default 10.
    pub limit_offset_bps: f64,
    /// Share of limit orders priced from the mid rather than from their own side's best price, in
    /// [0, 1]: these may land inside the spread and improve it (the others add depth behind the
    /// touch). Default 0.
    pub limit_inside_share: f64,
    /// Mean time a retail limit order rests before the crowd cancels it (each order's lifetime is
    /// uniform in [0.5, 1.5] × this). > 0. Default `"2m"`.
    pub limit_lifetime: Dur,

    /// Look-back of momentum traders: the return over this window (whole minutes, 1m to 24h) is their
    /// signal. Default `"15m"`.
    pub momentum_window: Dur,
    /// A return of this many basis points over the window gives momentum traders a buy probability
    /// of `(1 + tanh 1) / 2 ≈ 0.88`. > 0. Default 200.
    pub momentum_scale_bps: f64,
    /// How much more often momentum traders act when the market moves: their rate is multiplied by
    /// `1 + gain × |tanh(signal)| × (1 + volume surge)`. ≥ 0. Default 0.5.
    pub momentum_activity_gain: f64,
    /// How much larger their orders get: size `× (1 + gain × |tanh(signal)|)`. ≥ 0. Default 0.5.
    pub momentum_size_gain: f64,

    /// A stop-loss trader sells all its free tokens, at market, when the price is this many percent
    /// below its average entry price, in (0, 100). Default 10.
    pub stop_loss_pct: f64,
    /// It takes profit (sells part of its tokens with a limit order) this many percent above its
    /// entry. > 0. Default 20.
    pub take_profit_pct: f64,
    /// Tokens held at the start were bought at different prices: each member's starting entry price
    /// is the opening price times `exp(N(0, (this / 100)²))`, so stop-losses do not all trigger at the
    /// same price. ≥ 0, in percent. Default 5.
    pub entry_dispersion_pct: f64,

    /// Volatility of the consensus value's log random walk at a rate multiplier of 1, in percent per
    /// square-root day; it scales with the multiplier (news comes with attention). 0 keeps the value
    /// at the opening price. ≥ 0. Default 4.
    pub fundamental_vol_pct_per_day: f64,
    /// Fundamentalists act only when their estimate of the value is at least this many basis points
    /// away from the mid; above 0 their size also grows with the gap (× gap / threshold, up to × 3).
    /// ≥ 0. Default 0 (they always act: near the value their orders rest and make the book).
    pub fundamental_threshold_bps: f64,
    /// Standard deviation of each fundamentalist's error about the value, drawn per decision, in
    /// basis points. ≥ 0. Default 10.
    pub fundamental_dispersion_bps: f64,

    /// Book readers compare the bid and ask quantities within this many basis points of the mid,
    /// in (0, 10000). Default 200.
    pub book_band_bps: f64,
    /// Their buy probability is `(1 + tanh(gain × imbalance)) / 2`, imbalance = (bids − asks) /
    /// (bids + asks) in the band. ≥ 0. Default 2.
    pub book_gain: f64,

    /// Standard deviation of the crowd's log attention, a mean-reverting (Ornstein–Uhlenbeck) process
    /// that scales every trader's rate (mean attention is 1): slow swings of retail interest. In
    /// [0, 3]; 0 turns it off. Default 0.5.
    pub attention_vol: f64,
    /// Attention saturates: it is capped at this multiple of its mean, ≥ 1. Default 3.
    pub attention_max: f64,
    /// Half-life of attention shocks. > 0. Default `"2h"`.
    pub attention_half_life: Dur,
    /// Self-excitation: each closed one-minute bar whose absolute return `|r|` exceeds twice its
    /// running mean `ā` adds `gain × (|r| / ā − 2)` to the excitation `E`, and the crowd's rate is
    /// multiplied by `1 + E`. ≥ 0; 0 turns it off. Default 0.3.
    pub excitation_gain: f64,
    /// Half-life of the excitation. > 0. Default `"15m"`.
    pub excitation_half_life: Dur,
    /// Upper bound on the excitation `E` (keeps the feedback from exploding). ≥ 0. Default 1.
    pub excitation_max: f64,
}

impl Default for RetailConfig {
    fn default() -> Self {
        RetailConfig {
            arrival_rate_per_hour: 2.0,
            noise_weight: 0.43,
            momentum_weight: 0.02,
            stop_loss_weight: 0.02,
            fundamentalist_weight: 0.47,
            book_reader_weight: 0.06,
            order_size_frac: 0.05,
            order_size_sigma: 0.8,
            market_order_share: 0.5,
            slippage_cap_bps: 20.0,
            limit_offset_bps: 10.0,
            limit_inside_share: 0.0,
            limit_lifetime: Dur(2 * MINUTE_NS),
            momentum_window: Dur(15 * MINUTE_NS),
            momentum_scale_bps: 200.0,
            momentum_activity_gain: 0.5,
            momentum_size_gain: 0.5,
            stop_loss_pct: 10.0,
            take_profit_pct: 20.0,
            entry_dispersion_pct: 5.0,
            fundamental_vol_pct_per_day: 4.0,
            fundamental_threshold_bps: 0.0,
            fundamental_dispersion_bps: 10.0,
            book_band_bps: 200.0,
            book_gain: 2.0,
            attention_vol: 0.5,
            attention_max: 3.0,
            attention_half_life: Dur(120 * MINUTE_NS),
            excitation_gain: 0.3,
            excitation_half_life: Dur(15 * MINUTE_NS),
            excitation_max: 1.0,
        }
    }
}

/// One minute in nanoseconds.
pub(super) const MINUTE_NS: u64 = 60_000_000_000;

impl RetailConfig {
    /// The five type weights in [`TraderType`](super::TraderType) order.
    pub fn weights(&self) -> [f64; 5] {
        [
            self.noise_weight,
            self.momentum_weight,
            self.stop_loss_weight,
            self.fundamentalist_weight,
            self.book_reader_weight,
        ]
    }

    /// The momentum window in whole one-minute bars.
    pub fn momentum_bars(&self) -> usize {
        (self.momentum_window.nanos() / MINUTE_NS) as usize
    }

    /// Every problem with these parameters (the key names the field).
    pub fn check(&self, _market: &Market) -> Vec<ParamIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "arrival_rate_per_hour", self.arrival_rate_per_hour);
        let keys =
            ["noise_weight", "momentum_weight", "stop_loss_weight", "fundamentalist_weight", "book_reader_weight"];
        for (key, w) in keys.into_iter().zip(self.weights()) {
            check_non_negative(&mut v, key, w);
        }
        if self.weights().iter().all(|&w| w == 0.0) {
            v.push(ParamIssue::new(
                "noise_weight",
                "the five *_weight parameters are all 0: give at least one a share",
            ));
        }
        if !(self.order_size_frac > 0.0 && self.order_size_frac <= 1.0) {
            v.push(ParamIssue::new("order_size_frac", format!("{} is outside (0, 1]", self.order_size_frac)));
        }
        in_range(&mut v, "order_size_sigma", self.order_size_sigma, 0.0, 3.0);
        check_unit(&mut v, "market_order_share", self.market_order_share);
        if !(self.slippage_cap_bps > 0.0 && self.slippage_cap_bps <= 5_000.0) {
            v.push(ParamIssue::new("slippage_cap_bps", format!("{} is outside (0, 5000]", self.slippage_cap_bps)));
        }
        check_non_negative(&mut v, "limit_offset_bps", self.limit_offset_bps);
        check_unit(&mut v, "limit_inside_share", self.limit_inside_share);
        positive_dur(&mut v, "limit_lifetime", self.limit_lifetime);
        let w = self.momentum_window.nanos();
        if w == 0 || w % MINUTE_NS != 0 || self.momentum_bars() > Tape::BARS {
            let msg = format!("{} must be a whole number of minutes from 1m to 24h", self.momentum_window);
            v.push(ParamIssue::new("momentum_window", msg));
        }
        check_positive(&mut v, "momentum_scale_bps", self.momentum_scale_bps);
        check_non_negative(&mut v, "momentum_activity_gain", self.momentum_activity_gain);
        check_non_negative(&mut v, "momentum_size_gain", self.momentum_size_gain);
        if !(self.stop_loss_pct > 0.0 && self.stop_loss_pct < 100.0) {
            v.push(ParamIssue::new("stop_loss_pct", format!("{} is outside (0, 100)", self.stop_loss_pct)));
        }
        check_positive(&mut v, "take_profit_pct", self.take_profit_pct);
        check_non_negative(&mut v, "entry_dispersion_pct", self.entry_dispersion_pct);
        check_non_negative(&mut v, "fundamental_vol_pct_per_day", self.fundamental_vol_pct_per_day);
        check_non_negative(&mut v, "fundamental_threshold_bps", self.fundamental_threshold_bps);
        check_non_negative(&mut v, "fundamental_dispersion_bps", self.fundamental_dispersion_bps);
        if !(self.book_band_bps > 0.0 && self.book_band_bps < 10_000.0) {
            v.push(ParamIssue::new("book_band_bps", format!("{} is outside (0, 10000)", self.book_band_bps)));
        }
        check_non_negative(&mut v, "book_gain", self.book_gain);
        in_range(&mut v, "attention_vol", self.attention_vol, 0.0, 3.0);
        if !(self.attention_max >= 1.0 && self.attention_max.is_finite()) {
            v.push(ParamIssue::new("attention_max", format!("{} must be ≥ 1", self.attention_max)));
        }
        positive_dur(&mut v, "attention_half_life", self.attention_half_life);
        check_non_negative(&mut v, "excitation_gain", self.excitation_gain);
        positive_dur(&mut v, "excitation_half_life", self.excitation_half_life);
        check_non_negative(&mut v, "excitation_max", self.excitation_max);
        self.check_bounds(&mut v);
        v
    }

    /// Upper bounds that keep prices, rates and times within the engine's types (see
    /// [`crate::scenario::limits`]).
    fn check_bounds(&self, v: &mut Vec<ParamIssue>) {
        limits::at_most(v, "arrival_rate_per_hour", self.arrival_rate_per_hour, 3.6e6, "orders per trader per hour");
        for (key, x) in [
            ("limit_offset_bps", self.limit_offset_bps),
            ("momentum_scale_bps", self.momentum_scale_bps),
            ("fundamental_threshold_bps", self.fundamental_threshold_bps),
            ("fundamental_dispersion_bps", self.fundamental_dispersion_bps),
        ] {
            limits::bps_at_most(v, key, x);
        }
        for (key, x) in [
            ("noise_weight", self.noise_weight),
            ("momentum_weight", self.momentum_weight),
            ("stop_loss_weight", self.stop_loss_weight),
            ("fundamentalist_weight", self.fundamentalist_weight),
            ("book_reader_weight", self.book_reader_weight),
        ] {
            limits::at_most(v, key, x, 1e12, "a relative share");
        }
        for (key, x) in [
            ("momentum_activity_gain", self.momentum_activity_gain),
            ("momentum_size_gain", self.momentum_size_gain),
            ("book_gain", self.book_gain),
            ("excitation_gain", self.excitation_gain),
            ("excitation_max", self.excitation_max),
            ("attention_max", self.attention_max),
        ] {
            limits::gain_at_most(v, key, x);
        }
        for (key, x) in [
            ("take_profit_pct", self.take_profit_pct),
            ("entry_dispersion_pct", self.entry_dispersion_pct),
            ("fundamental_vol_pct_per_day", self.fundamental_vol_pct_per_day),
        ] {
            limits::at_most(v, key, x, limits::MAX_BPS / 100.0, "percent, ×100 the price");
        }
    }
}

fn in_range(issues: &mut Vec<ParamIssue>, key: &'static str, value: f64, lo: f64, hi: f64) {
    if !(lo..=hi).contains(&value) {
        issues.push(ParamIssue::new(key, format!("{value} is outside [{lo}, {hi}]")));
    }
}

fn positive_dur(issues: &mut Vec<ParamIssue>, key: &'static str, value: Dur) {
    if value.nanos() == 0 {
        issues.push(ParamIssue::new(key, "must be longer than 0 (e.g. \"10m\")"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Price, SimTime};
    use rust_decimal::dec;

    fn market() -> Market {
        Market { tick: dec!(0.0001), lot: dec!(1), open_price: Price(10_000), duration: SimTime::from_secs(3_600) }
    }

    #[test]
    fn defaults_are_valid_and_an_empty_table_gives_them() {
        assert_eq!(RetailConfig::default().check(&market()), vec![]);
        let parsed: RetailConfig = toml::from_str("").unwrap();
        assert_eq!(parsed, RetailConfig::default());
        let parsed: RetailConfig = toml::from_str("limit_lifetime = \"5m\"\nnoise_weight = 1").unwrap();
        assert_eq!(parsed.limit_lifetime, Dur(5 * MINUTE_NS));
        assert!(toml::from_str::<RetailConfig>("order_size = 0.1").is_err(), "unknown keys are refused");
    }

    #[test]
    fn bad_values_name_their_key() {
        let bad = RetailConfig {
            arrival_rate_per_hour: 0.0,
            order_size_frac: 1.5,
            market_order_share: -0.1,
            momentum_window: Dur(90_000_000_000),
            stop_loss_pct: 100.0,
            limit_lifetime: Dur(0),
            attention_vol: f64::NAN,
            ..RetailConfig::default()
        };
        let keys: Vec<_> = bad.check(&market()).into_iter().map(|i| i.key).collect();
        assert_eq!(
            keys,
            [
                "arrival_rate_per_hour",
                "order_size_frac",
                "market_order_share",
                "limit_lifetime",
                "momentum_window",
                "stop_loss_pct",
                "attention_vol"
            ]
        );
        let none = RetailConfig {
            noise_weight: 0.0,
            momentum_weight: 0.0,
            stop_loss_weight: 0.0,
            fundamentalist_weight: 0.0,
            book_reader_weight: 0.0,
            ..RetailConfig::default()
        };
        assert_eq!(none.check(&market())[0].key, "noise_weight");
    }
}
