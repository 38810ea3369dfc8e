//! Parameters of `passive_mm`: every field has a unit in its name or its doc, and a default.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::super::behaviour::{check_non_negative, check_positive, check_unit, Market, ParamIssue};
use crate::scenario::limits;
use crate::units::Dur;

/// One day in nanoseconds: the time unit of `sigma_daily_bps` and of the model's horizon.
pub(super) const DAY_NS: f64 = 86_400e9;

/// The horizon `T − t` of the Avellaneda–Stoikov skew: written `horizon = "end"` or a duration
/// such as `horizon = "1h"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Horizon {
    /// The run's end: `T − t` shrinks to zero as the run ends (the paper's finite horizon).
    End,
    /// A rolling horizon: `T − t` is always this long (a market maker that never stops).
    Rolling(Dur),
}

impl Default for Horizon {
    fn default() -> Self {
        Horizon::Rolling(Dur(3_600_000_000_000))
    }
}

impl<'de> Deserialize<'de> for Horizon {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Horizon;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"end\" or a duration such as \"1h\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Horizon, E> {
                if v.trim() == "end" {
                    return Ok(Horizon::End);
                }
                v.parse::<Dur>().map(Horizon::Rolling).map_err(|e| E::custom(format!("{e}, or \"end\"")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Horizon, E> {
                let secs = u64::try_from(v).map_err(|_| E::custom("a horizon must be ≥ 0"))?;
                Ok(Horizon::Rolling(Dur(secs.saturating_mul(1_000_000_000))))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parameters of `passive_mm`.
///
/// Prices are in basis points (bps) of the fair price, sizes in tokens, times as durations. The
/// Avellaneda–Stoikov skew uses bps for prices, days for time and `level_size` clips for inventory:
/// the reservation price moves by `γ·σ²·τ` bps per clip held, with σ in bps per √day and τ in days.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PassiveMmConfig {
    /// Width of the innermost quote (bid to ask), in bps of the fair price. Default 50.
    pub spread_bps: f64,
    /// Quote levels per side. Default 3.
    pub levels: u32,
    /// Distance between consecutive levels of one side, in bps of the fair price. Default 25.
    pub level_spacing_bps: f64,
    /// Size of each level, in tokens (rounded down to whole lots). Default 100.
    pub level_size: f64,
    /// Time between requote checks (the agent never wakes more often). Default `"5s"`.
    pub requote_every: Dur,
    /// At a check, requote when the fair price has moved more than this since the last quote, in
    /// bps (a fill or a missing quote also triggers a requote). Default 10.
    pub requote_threshold_bps: f64,
    /// Largest position, in tokens, away from the starting token balance, long or short: the side
    /// that would grow the position past it is not quoted (or quoted smaller). Default 1000.
    pub max_inventory: f64,
    /// Risk aversion γ of the Avellaneda–Stoikov skew, per bps (see the struct doc); 0 turns the
    /// skew and the model's spread off. Default 0.0005.
    pub gamma: f64,
    /// Order-flow decay k, per bps of distance from the fair price: the model's spread is never
    /// below `(2/γ)·ln(1 + γ/k)` (≈ 2/k bps for small γ). Default 0.1.
    pub k: f64,
    /// Volatility σ of the price, in bps per √day; also the starting value of the estimate when
    /// `sigma_halflife` is set. Default 500 (5% a day).
    pub sigma_daily_bps: f64,
    /// When set, σ is estimated from the tape's one-minute closes with an exponentially weighted
    /// average of squared log returns whose weights halve every `sigma_halflife`. Default unset
    /// (σ = `sigma_daily_bps`).
    pub sigma_halflife: Option<Dur>,
    /// Horizon `T − t` of the skew: `"end"` (the run's end) or a rolling duration. Default `"1h"`.
    pub horizon: Horizon,
    /// Cash set aside per buy quote for the fee the exchange locks with it, in bps of the notional
    /// (must cover the venue's larger fee rate). Default 100.
    pub fee_reserve_bps: f64,
    /// Effort: the fraction of time the agent actually quotes, in [0, 1]. Below 1 it alternates
    /// quoting and absent periods of random (exponential) length. Default 1.
    pub quote_fraction: f64,
    /// Mean length of one quoting + absent cycle when `quote_fraction` < 1. Default `"1h"`.
    pub shirk_cycle: Dur,
    /// Effort: multiplies the quoted width (> 1 quotes wider than agreed). Default 1.
    pub spread_multiplier: f64,
    /// The fair price (the others' mid) is kept within this many bps of the last trade: quotes move
    /// further only when trades follow. Without it, two market makers that each centre on the
    /// other's quotes and skew against their inventory walk the book away together with no trade
    /// at all. 0 turns the anchor off. Default 100.
    pub anchor_bps: f64,
}

impl Default for PassiveMmConfig {
    fn default() -> Self {
        PassiveMmConfig {
            spread_bps: 50.0,
            levels: 3,
            level_spacing_bps: 25.0,
            level_size: 100.0,
            requote_every: Dur(5_000_000_000),
            requote_threshold_bps: 10.0,
            max_inventory: 1_000.0,
            gamma: 0.0005,
            k: 0.1,
            sigma_daily_bps: 500.0,
            sigma_halflife: None,
            horizon: Horizon::default(),
            fee_reserve_bps: 100.0,
            quote_fraction: 1.0,
            shirk_cycle: Dur(3_600_000_000_000),
            spread_multiplier: 1.0,
            anchor_bps: 100.0,
        }
    }
}

impl PassiveMmConfig {
    /// Every problem with these parameters.
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        check_positive(&mut issues, "spread_bps", self.spread_bps);
        if self.levels == 0 {
            issues.push(ParamIssue::new("levels", "0 must be ≥ 1"));
        }
        check_non_negative(&mut issues, "level_spacing_bps", self.level_spacing_bps);
        check_positive(&mut issues, "level_size", self.level_size);
        if self.level_size > 0.0 && market.lots(self.level_size).is_zero() {
            issues.push(ParamIssue::new(
                "level_size",
                format!("{} is less than one lot ({})", self.level_size, market.lot),
            ));
        }
        if self.requote_every.nanos() == 0 {
            issues.push(ParamIssue::new("requote_every", "must be longer than 0"));
        }
        check_non_negative(&mut issues, "requote_threshold_bps", self.requote_threshold_bps);
        check_non_negative(&mut issues, "anchor_bps", self.anchor_bps);
        check_positive(&mut issues, "max_inventory", self.max_inventory);
        if self.max_inventory > 0.0 && market.lots(self.max_inventory).is_zero() {
            let message =
                format!("{} is less than one lot ({}): nothing could be quoted", self.max_inventory, market.lot);
            issues.push(ParamIssue::new("max_inventory", message));
        }
        check_non_negative(&mut issues, "gamma", self.gamma);
        check_positive(&mut issues, "k", self.k);
        check_non_negative(&mut issues, "sigma_daily_bps", self.sigma_daily_bps);
        if self.sigma_halflife.is_some_and(|h| h.nanos() == 0) {
            issues.push(ParamIssue::new("sigma_halflife", "must be longer than 0"));
        }
        if self.horizon == Horizon::Rolling(Dur(0)) {
            issues.push(ParamIssue::new("horizon", "must be longer than 0, or \"end\""));
        }
        check_non_negative(&mut issues, "fee_reserve_bps", self.fee_reserve_bps);
        check_unit(&mut issues, "quote_fraction", self.quote_fraction);
        if self.shirk_cycle.nanos() == 0 {
            issues.push(ParamIssue::new("shirk_cycle", "must be longer than 0"));
        }
        check_positive(&mut issues, "spread_multiplier", self.spread_multiplier);
        self.check_bounds(market, &mut issues);
        issues
    }
}

impl PassiveMmConfig {
    /// Upper bounds that keep every price, size and rate within the engine's integer types (see
    /// [`crate::scenario::limits`]).
    fn check_bounds(&self, market: &Market, issues: &mut Vec<ParamIssue>) {
        for (key, v) in [
            ("spread_bps", self.spread_bps),
            ("level_spacing_bps", self.level_spacing_bps),
            ("requote_threshold_bps", self.requote_threshold_bps),
            ("sigma_daily_bps", self.sigma_daily_bps),
            ("fee_reserve_bps", self.fee_reserve_bps),
            ("anchor_bps", self.anchor_bps),
        ] {
            limits::bps_at_most(issues, key, v);
        }
        if self.levels > MAX_LEVELS {
            issues.push(ParamIssue::new("levels", format!("{} is too large: at most {MAX_LEVELS}", self.levels)));
        }
        limits::tokens_at_most(issues, "level_size", self.level_size, market);
        limits::tokens_at_most(issues, "max_inventory", self.max_inventory, market);
        limits::gain_at_most(issues, "gamma", self.gamma);
        limits::gain_at_most(issues, "k", self.k);
        limits::multiple_at_most(issues, "spread_multiplier", self.spread_multiplier);
    }
}

/// Most quote levels per side.
pub const MAX_LEVELS: u32 = 1_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Price, SimTime};
    use rust_decimal::Decimal;

    fn market() -> Market {
        Market {
            tick: Decimal::new(1, 4),
            lot: Decimal::ONE,
            open_price: Price(10_000),
            duration: SimTime::from_secs(60),
        }
    }

    #[test]
    fn defaults_are_valid_and_a_bad_table_names_its_keys() {
        assert!(PassiveMmConfig::default().check(&market()).is_empty());
        let bad = PassiveMmConfig {
            quote_fraction: 1.5,
            spread_multiplier: 0.0,
            level_size: 0.5,
            max_inventory: 0.5,
            k: -1.0,
            horizon: Horizon::Rolling(Dur(0)),
            ..PassiveMmConfig::default()
        };
        let keys: Vec<_> = bad.check(&market()).iter().map(|i| i.key).collect();
        assert_eq!(keys, ["level_size", "max_inventory", "k", "horizon", "quote_fraction", "spread_multiplier"]);
    }

    #[test]
    fn parses_units_and_rejects_unknown_keys() {
        let c: PassiveMmConfig =
            toml::from_str("spread_bps = 30\nrequote_every = \"250ms\"\nhorizon = \"end\"\nsigma_halflife = \"10m\"")
                .unwrap();
        assert_eq!(c.spread_bps, 30.0);
        assert_eq!(c.requote_every, Dur(250_000_000));
        assert_eq!(c.horizon, Horizon::End);
        assert_eq!(c.sigma_halflife, Some(Dur(600_000_000_000)));
        assert_eq!(c.levels, 3, "unset keys keep their defaults");
        let rolling: PassiveMmConfig = toml::from_str("horizon = \"30m\"").unwrap();
        assert_eq!(rolling.horizon, Horizon::Rolling(Dur(1_800_000_000_000)));
        let err = toml::from_str::<PassiveMmConfig>("spread = 30").unwrap_err().to_string();
        assert!(err.contains("spread_bps"), "{err}");
        assert!(toml::from_str::<PassiveMmConfig>("horizon = \"soon\"").is_err());
    }
}
