//! Parameters of `spoofer` (the `[agents.spoofer]` table), their defaults and range checks.

use serde::Deserialize;

use super::super::behaviour::{check_non_negative, check_positive, Market, ParamIssue};
use crate::scenario::limits;
use crate::units::Dur;

/// Which side the spoofs go on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpoofSide {
    /// Spoof bids (fake buying interest); real sells.
    Bid,
    /// Spoof asks (fake selling pressure); real buys.
    Ask,
    /// Start with bids, flip on time or inventory.
    #[default]
    Alternate,
}

/// Parameters of `spoofer`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpooferConfig {
    /// Time between decisions, which is also how often spoofs are checked (jittered ±20%).
    /// Default `"2s"`.
    pub interval: Dur,
    /// `"bid"`, `"ask"` or `"alternate"`. Default `"alternate"`.
    pub side: SpoofSide,
    /// With `"alternate"`, the heavy side flips at least this often. Default `"30m"`.
    pub flip_every: Dur,
    /// Size of each spoof order, in tokens. Default 20000.
    pub spoof_tokens: f64,
    /// Spoof orders per wave. Default 3.
    pub spoof_orders: u32,
    /// Distance of the nearest spoof behind the other traders' touch, in ticks (≥ 1). Default 3.
    pub spoof_distance_ticks: u32,
    /// The same distance in bps of the touch price; the larger of the two applies. Keep it inside
    /// the band book readers look at (retail `book_band_bps`, 200 by default). Default 50.
    pub spoof_distance_bps: f64,
    /// Distance between successive spoofs of a wave, in ticks (≥ 1). Default 1.
    pub spoof_spacing_ticks: u32,
    /// The same spacing in bps of the touch price; the larger of the two applies. Default 20.
    pub spoof_spacing_bps: f64,
    /// A spoof is cancelled when the other traders' touch on its side is this many ticks away or
    /// closer. Must be below `spoof_distance_ticks`. Default 1.
    pub cancel_within_ticks: u32,
    /// The same in bps of the touch price; the larger of the two applies. Must be below
    /// `spoof_distance_bps` (unless both are 0). Default 20.
    pub cancel_within_bps: f64,
    /// Other traders' quantity (tokens) that must rest at better prices in front of a new spoof: the
    /// wave is pushed back behind that much cover, and not placed when the side is thinner. 0: no
    /// cover needed. Default 0.
    pub min_cover_tokens: f64,
    /// A spoof is cancelled when the other traders' quantity in front of it falls below this many
    /// tokens. At most `min_cover_tokens`. Default 0.
    pub cancel_cover_tokens: f64,
    /// A spoof is cancelled this long after it was sent at the latest. Default `"30s"`.
    pub spoof_lifetime: Dur,
    /// Size of the real order on the light side, in tokens. 0: spoof only. Default 1000.
    pub trade_tokens: f64,
    /// Largest net position (against its starting tokens) the real orders may build, in tokens.
    /// Default 10000.
    pub max_inventory_tokens: f64,
}

impl Default for SpooferConfig {
    fn default() -> Self {
        SpooferConfig {
            interval: Dur(2_000_000_000),
            side: SpoofSide::Alternate,
            flip_every: Dur(1_800_000_000_000),
            spoof_tokens: 20_000.0,
            spoof_orders: 3,
            spoof_distance_ticks: 3,
            spoof_distance_bps: 50.0,
            spoof_spacing_ticks: 1,
            spoof_spacing_bps: 20.0,
            cancel_within_ticks: 1,
            cancel_within_bps: 20.0,
            min_cover_tokens: 0.0,
            cancel_cover_tokens: 0.0,
            spoof_lifetime: Dur(30_000_000_000),
            trade_tokens: 1000.0,
            max_inventory_tokens: 10_000.0,
        }
    }
}

impl SpooferConfig {
    /// Every problem with these parameters.
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        for (key, d) in
            [("interval", self.interval), ("flip_every", self.flip_every), ("spoof_lifetime", self.spoof_lifetime)]
        {
            if d.nanos() == 0 {
                issues.push(ParamIssue::new(key, "must be > 0"));
            }
        }
        check_positive(&mut issues, "spoof_tokens", self.spoof_tokens);
        if self.spoof_orders == 0 {
            issues.push(ParamIssue::new("spoof_orders", "must be ≥ 1"));
        }
        if self.spoof_distance_ticks == 0 {
            issues.push(ParamIssue::new("spoof_distance_ticks", "must be ≥ 1: a spoof at the touch would fill"));
        }
        if self.spoof_spacing_ticks == 0 {
            issues.push(ParamIssue::new("spoof_spacing_ticks", "must be ≥ 1"));
        }
        if self.cancel_within_ticks >= self.spoof_distance_ticks {
            issues.push(ParamIssue::new(
                "cancel_within_ticks",
                format!(
                    "{} must be below spoof_distance_ticks ({}), or every spoof is cancelled at once",
                    self.cancel_within_ticks, self.spoof_distance_ticks
                ),
            ));
        }
        for (key, v) in [
            ("spoof_distance_bps", self.spoof_distance_bps),
            ("spoof_spacing_bps", self.spoof_spacing_bps),
            ("cancel_within_bps", self.cancel_within_bps),
        ] {
            check_non_negative(&mut issues, key, v);
            if v >= 10_000.0 {
                issues.push(ParamIssue::new(key, format!("{v} must be below 10000 (100%)")));
            }
        }
        if self.cancel_within_bps > 0.0 && self.cancel_within_bps >= self.spoof_distance_bps {
            issues.push(ParamIssue::new(
                "cancel_within_bps",
                format!(
                    "{} must be below spoof_distance_bps ({}), or every spoof is cancelled at once",
                    self.cancel_within_bps, self.spoof_distance_bps
                ),
            ));
        }
        check_non_negative(&mut issues, "min_cover_tokens", self.min_cover_tokens);
        check_non_negative(&mut issues, "cancel_cover_tokens", self.cancel_cover_tokens);
        if self.cancel_cover_tokens > self.min_cover_tokens {
            issues.push(ParamIssue::new(
                "cancel_cover_tokens",
                format!(
                    "{} must be at most min_cover_tokens ({}), or new spoofs are cancelled at once",
                    self.cancel_cover_tokens, self.min_cover_tokens
                ),
            ));
        }
        check_non_negative(&mut issues, "trade_tokens", self.trade_tokens);
        check_non_negative(&mut issues, "max_inventory_tokens", self.max_inventory_tokens);
        for (key, v) in [
            ("spoof_tokens", self.spoof_tokens),
            ("min_cover_tokens", self.min_cover_tokens),
            ("cancel_cover_tokens", self.cancel_cover_tokens),
            ("trade_tokens", self.trade_tokens),
            ("max_inventory_tokens", self.max_inventory_tokens),
        ] {
            limits::tokens_at_most(&mut issues, key, v, market);
        }
        if self.spoof_orders > 1_000 {
            issues.push(ParamIssue::new("spoof_orders", format!("{} is too large: at most 1000", self.spoof_orders)));
        }
        issues
    }
}
