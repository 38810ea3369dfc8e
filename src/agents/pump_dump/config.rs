//! Parameters of `pump_dump` (the `[agents.pump_dump]` table), their defaults and range checks.
//!
//! Times (`*_until`) are measured from the start of the run. Multiples are of the market's opening
//! price; a `*_price` in quote units, when set, overrides the matching multiple.

use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use super::super::behaviour::{check_non_negative, check_positive, check_unit, Market, ParamIssue};
use crate::scenario::limits;
use crate::units::{Dec, Dur};

/// Parameters of `pump_dump`: accumulation, consensus, rug pull.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PumpDumpConfig {
    /// Time between decisions (jittered ±20%). Default `"1m"`.
    pub interval: Dur,

    /// Accumulation ends at this time. Default `"1d"`.
    pub accumulate_until: Dur,
    /// Accumulation also ends once the account holds this many tokens. Default: none.
    pub accumulate_target_tokens: Option<f64>,
    /// Accumulation never pays more than this multiple of the open price. Default 1.1.
    pub accumulate_cap_multiple: f64,
    /// Accumulation price cap in quote units; overrides `accumulate_cap_multiple`. Default: none.
    pub accumulate_cap_price: Option<Dec>,
    /// Tokens bought (or bid for) per decision while accumulating. Default 1000.
    pub accumulate_clip_tokens: f64,
    /// With no bid to join, the accumulation bid rests this far below the reference price, in bps.
    /// Default 50.
    pub accumulate_discount_bps: f64,

    /// The consensus phase ends (and the rug pull starts) at this time. Default `"2d"`.
    pub consensus_until: Dur,
    /// At the start of consensus, one aggressive buy lifts the price this far, in bps; the band is
    /// centred on the lifted price. 0 disables the lift. Default 500.
    pub consensus_lift_bps: f64,
    /// Size of the lift, in tokens. Default 2000.
    pub consensus_lift_tokens: f64,
    /// Half-width of the oscillation band around its centre, in bps. Default 300.
    pub band_bps: f64,
    /// Period of one oscillation of the printed price across the band. Default `"2h"`.
    pub oscillation_period: Dur,
    /// Wash volume per decision in the consensus phase (each trade is 50–100% of it), in tokens.
    /// Default 500.
    pub wash_clip_tokens: f64,
    /// Resting quote on each band edge (bid at the bottom, ask at the top), in tokens. 0 disables.
    /// Default 500.
    pub band_quote_tokens: f64,
    /// When set, the band quotes keep the position within this share of the stock held when
    /// consensus began (the ask never sells below `stock × (1 − tolerance)`, the bid never buys
    /// above `stock × (1 + tolerance)`), so the whale still holds its stock when the rug pull
    /// starts. In [0, 1]. Default: none (the band quotes may trade the whole stock away).
    pub band_inventory_tolerance: Option<f64>,

    /// The rug pull stops pushing the price once it reaches this multiple of the open price, and
    /// from then on only sells (it never pushes again). Default 3.0.
    pub pump_target_multiple: f64,
    /// When set, the target is this multiple of the price when the rug pull began (overrides
    /// `pump_target_multiple`), so a crowd that drifted during consensus does not change the rise.
    /// Default: none.
    pub pump_rise_multiple: Option<f64>,
    /// When true the mark-up is a paced ratchet: every decision the push level climbs by
    /// `pump_step_bps` above the higher of the previous level and the last price (up to the target)
    /// and the push buys the asks up to it with `pump_spend_share` of the free cash, whether or not
    /// the slices sold (`pump_to_dump_ratio` is then not used). Default false: each push reaches
    /// `pump_step_bps` above the last price and is bounded by `pump_to_dump_ratio`.
    pub pump_ratchet: bool,
    /// Each push buys up to this far above the reference price, in bps. Default 200.
    pub pump_step_bps: f64,
    /// Share of free cash spent by each push. Default 0.05.
    pub pump_spend_share: f64,
    /// Pushes buy at most this fraction of the tokens the rug pull has sold so far plus the slice on
    /// offer, so the rug pull distributes more than it buys. Default 0.5.
    pub pump_to_dump_ratio: f64,
    /// Share of the tokens left to distribute offered per decision. Default 0.05.
    pub dump_slice_share: f64,
    /// While pushing, distribution asks rest this far above the push's limit price, in bps. Default 50.
    pub dump_premium_bps: f64,
    /// Once the target is reached, distribution sells may hit bids down to this far below the
    /// reference price, in bps (the unfilled rest stays there as an ask). Default 200.
    pub dump_discount_bps: f64,
    /// When set, after the top the distribution never offers below this far under the top (the
    /// highest last price of the rug pull), in bps: the whale waits for buyers rather than chasing
    /// its own price down, and the fall below is the crowd's; while the last price is under the
    /// floor it offers nothing. Default: none.
    pub dump_floor_bps: Option<f64>,
    /// Tokens kept back (never distributed). Default 0.
    pub keep_tokens: f64,
    /// During the rug pull a support bid rests this far below the reference price, in bps; it is
    /// withdrawn at the end. 0 disables. Default 300.
    pub support_bps: f64,
    /// Size of the support bid, in tokens. Default 1000.
    pub support_tokens: f64,
    /// When true the support bid is pulled once the target is reached (the top): the crowd meets
    /// no bid of the whale's on the way down. Default false (support until the rug pull ends).
    pub support_until_top: bool,
    /// The rug pull ends at this time at the latest (it ends earlier once holdings are distributed).
    /// Default: none.
    pub rug_pull_until: Option<Dur>,
}

impl Default for PumpDumpConfig {
    fn default() -> Self {
        const MIN: u64 = 60_000_000_000;
        PumpDumpConfig {
            interval: Dur(MIN),
            accumulate_until: Dur(24 * 60 * MIN),
            accumulate_target_tokens: None,
            accumulate_cap_multiple: 1.1,
            accumulate_cap_price: None,
            accumulate_clip_tokens: 1000.0,
            accumulate_discount_bps: 50.0,
            consensus_until: Dur(48 * 60 * MIN),
            consensus_lift_bps: 500.0,
            consensus_lift_tokens: 2000.0,
            band_bps: 300.0,
            oscillation_period: Dur(120 * MIN),
            wash_clip_tokens: 500.0,
            band_quote_tokens: 500.0,
            band_inventory_tolerance: None,
            pump_target_multiple: 3.0,
            pump_rise_multiple: None,
            pump_ratchet: false,
            pump_step_bps: 200.0,
            pump_spend_share: 0.05,
            pump_to_dump_ratio: 0.5,
            dump_slice_share: 0.05,
            dump_premium_bps: 50.0,
            dump_discount_bps: 200.0,
            dump_floor_bps: None,
            keep_tokens: 0.0,
            support_bps: 300.0,
            support_tokens: 1000.0,
            support_until_top: false,
            rug_pull_until: None,
        }
    }
}

impl PumpDumpConfig {
    /// Every problem with these parameters.
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        if self.interval.nanos() == 0 {
            issues.push(ParamIssue::new("interval", "must be > 0"));
        }
        if self.consensus_until < self.accumulate_until {
            issues.push(ParamIssue::new(
                "consensus_until",
                format!(
                    "{} is before accumulate_until ({}): phases run in order",
                    self.consensus_until, self.accumulate_until
                ),
            ));
        }
        if let Some(end) = self.rug_pull_until {
            if end < self.consensus_until {
                issues.push(ParamIssue::new(
                    "rug_pull_until",
                    format!("{end} is before consensus_until ({})", self.consensus_until),
                ));
            }
        }
        if self.oscillation_period.nanos() == 0 {
            issues.push(ParamIssue::new("oscillation_period", "must be > 0"));
        }
        if let Some(t) = self.accumulate_target_tokens {
            check_positive(&mut issues, "accumulate_target_tokens", t);
        }
        check_positive(&mut issues, "accumulate_cap_multiple", self.accumulate_cap_multiple);
        if let Some(p) = self.accumulate_cap_price {
            if p.0.to_f64().is_none_or(|v| v < market.quote_f64(crate::types::Price(1))) {
                issues
                    .push(ParamIssue::new("accumulate_cap_price", format!("{p} is below one tick ({})", market.tick)));
            }
        }
        check_positive(&mut issues, "accumulate_clip_tokens", self.accumulate_clip_tokens);
        check_positive(&mut issues, "pump_target_multiple", self.pump_target_multiple);
        check_unit(&mut issues, "pump_spend_share", self.pump_spend_share);
        check_unit(&mut issues, "pump_to_dump_ratio", self.pump_to_dump_ratio);
        check_unit(&mut issues, "dump_slice_share", self.dump_slice_share);
        if let Some(t) = self.band_inventory_tolerance {
            check_unit(&mut issues, "band_inventory_tolerance", t);
        }
        if let Some(k) = self.pump_rise_multiple {
            check_positive(&mut issues, "pump_rise_multiple", k);
            limits::multiple_at_most(&mut issues, "pump_rise_multiple", k);
        }
        if self.dump_slice_share == 0.0 {
            issues.push(ParamIssue::new("dump_slice_share", "must be > 0, or the rug pull never distributes"));
        }
        for (key, v) in [
            ("accumulate_discount_bps", self.accumulate_discount_bps),
            ("dump_discount_bps", self.dump_discount_bps),
            ("support_bps", self.support_bps),
            ("dump_floor_bps", self.dump_floor_bps.unwrap_or(0.0)),
        ] {
            check_non_negative(&mut issues, key, v);
            if v >= 10_000.0 {
                issues.push(ParamIssue::new(key, format!("{v} must be below 10000 (100%)")));
            }
        }
        for (key, v) in [
            ("consensus_lift_bps", self.consensus_lift_bps),
            ("consensus_lift_tokens", self.consensus_lift_tokens),
            ("wash_clip_tokens", self.wash_clip_tokens),
            ("band_quote_tokens", self.band_quote_tokens),
            ("pump_step_bps", self.pump_step_bps),
            ("dump_premium_bps", self.dump_premium_bps),
            ("keep_tokens", self.keep_tokens),
            ("support_tokens", self.support_tokens),
        ] {
            check_non_negative(&mut issues, key, v);
        }
        for (key, v) in [
            ("consensus_lift_bps", self.consensus_lift_bps),
            ("pump_step_bps", self.pump_step_bps),
            ("dump_premium_bps", self.dump_premium_bps),
        ] {
            limits::bps_at_most(&mut issues, key, v);
        }
        for (key, v) in [
            ("accumulate_target_tokens", self.accumulate_target_tokens.unwrap_or(0.0)),
            ("accumulate_clip_tokens", self.accumulate_clip_tokens),
            ("consensus_lift_tokens", self.consensus_lift_tokens),
            ("wash_clip_tokens", self.wash_clip_tokens),
            ("band_quote_tokens", self.band_quote_tokens),
            ("keep_tokens", self.keep_tokens),
            ("support_tokens", self.support_tokens),
        ] {
            limits::tokens_at_most(&mut issues, key, v, market);
        }
        limits::multiple_at_most(&mut issues, "accumulate_cap_multiple", self.accumulate_cap_multiple);
        limits::multiple_at_most(&mut issues, "pump_target_multiple", self.pump_target_multiple);
        if let Some(p) = self.accumulate_cap_price {
            let ticks = p.0.to_f64().map_or(f64::INFINITY, |v| market.ticks_f64(v));
            limits::at_most(&mut issues, "accumulate_cap_price", ticks, limits::MAX_PRICE_TICKS as f64, "ticks");
        }
        check_non_negative(&mut issues, "band_bps", self.band_bps);
        if self.band_bps >= 10_000.0 {
            issues.push(ParamIssue::new("band_bps", format!("{} must be below 10000 (100%)", self.band_bps)));
        }
        issues
    }

    /// The accumulation price cap in ticks (fractional).
    pub fn cap_ticks(&self, market: &Market) -> f64 {
        match self.accumulate_cap_price.and_then(|p| p.0.to_f64()) {
            Some(q) => market.ticks_f64(q),
            None => market.open_price.0 as f64 * self.accumulate_cap_multiple,
        }
    }
}
