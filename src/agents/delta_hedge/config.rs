//! Parameters of `delta_hedge` (the `[agents.delta_hedge]` table), their defaults and range checks.
//!
//! Everything is relative: strikes are multiples of the strike base (the open price, or the
//! agent's own average of the last trade over `strike_window`), sizes are shares of the loan
//! (`loan_tokens`), prices are bps of the last trade, times are measured from the start of the run.

use serde::Deserialize;

use super::super::behaviour::{check_non_negative, check_positive, check_unit, Market, ParamIssue};
use crate::scenario::limits;
use crate::units::Dur;

/// One call option the agent holds on part of its loan.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallTerms {
    /// Share of the loan the call covers, in (0, 1].
    pub share: f64,
    /// Strike as a multiple of the strike base (1.5 = +50%).
    pub strike_multiple: f64,
}

/// Parameters of `delta_hedge`: hedge the calls of a token loan by Black–Scholes, quote around.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeltaHedgeConfig {
    /// Tokens lent to the agent (N); 0 means no loan and no hedge (it only quotes). Default 0.
    pub loan_tokens: f64,
    /// The calls it holds on the loan. Default: none.
    pub calls: Vec<CallTerms>,
    /// Annual volatility σ of the Black–Scholes delta, as a fraction. Default 1.0 (100%).
    pub volatility: f64,
    /// Time from the start to the calls' expiry, in days (365-day years). Default 365.
    pub tenor_days: f64,
    /// When set, strikes are multiples of the mean last trade price over this window after the
    /// start (the agent's running estimate of a post-listing average), fixed when it ends. Default:
    /// none (multiples of the open price).
    pub strike_window: Option<Dur>,
    /// Time between decisions (jittered ±20%). Default `"1m"`.
    pub interval: Dur,
    /// Rebalance only when holdings are more than this share of the loan away from the target.
    /// Default 0.005.
    pub hedge_band: f64,
    /// Each hedge order is an IOC reaching at most this far through the book from the last trade,
    /// in bps. Default 300.
    pub hedge_slippage_bps: f64,
    /// Width of the innermost quote (bid to ask), in bps of the last trade. Default 100.
    pub spread_bps: f64,
    /// Quote levels per side (0: no quotes). Default 3.
    pub levels: u32,
    /// Distance between levels, in bps. Default 50.
    pub level_spacing_bps: f64,
    /// Size of each quote level, as a share of the loan. Default 0.001.
    pub level_share: f64,
    /// Strike fixing: until this time the agent sells instead of hedging (to depress the window
    /// that fixes the strikes), then hedges and quotes. Default: none.
    pub depress_until: Option<Dur>,
    /// Share of the loan sold, in even slices, before `depress_until`. Default 0.
    pub depress_share: f64,
    /// Each depressing slice sells into the bids down to this far below the last trade, in bps.
    /// Default 200.
    pub depress_discount_bps: f64,
    /// The most it sells net, as a share of the loan (a contract's net-sell cap, kept): the hedge
    /// target never goes below its starting holdings minus this, and its asks never reach past
    /// it. Default 1 (the whole loan).
    pub sell_limit_share: f64,
}

impl Default for DeltaHedgeConfig {
    fn default() -> Self {
        DeltaHedgeConfig {
            loan_tokens: 0.0,
            calls: Vec::new(),
            volatility: 1.0,
            tenor_days: 365.0,
            strike_window: None,
            interval: Dur(60_000_000_000),
            hedge_band: 0.005,
            hedge_slippage_bps: 300.0,
            spread_bps: 100.0,
            levels: 3,
            level_spacing_bps: 50.0,
            level_share: 0.001,
            depress_until: None,
            depress_share: 0.0,
            depress_discount_bps: 200.0,
            sell_limit_share: 1.0,
        }
    }
}

impl DeltaHedgeConfig {
    /// Every problem with these parameters.
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        if self.interval.nanos() == 0 {
            issues.push(ParamIssue::new("interval", "must be > 0"));
        }
        check_non_negative(&mut issues, "loan_tokens", self.loan_tokens);
        limits::tokens_at_most(&mut issues, "loan_tokens", self.loan_tokens, market);
        for c in &self.calls {
            check_positive(&mut issues, "calls", c.share);
            check_unit(&mut issues, "calls", c.share);
            check_positive(&mut issues, "calls", c.strike_multiple);
            limits::multiple_at_most(&mut issues, "calls", c.strike_multiple);
        }
        if self.calls.iter().map(|c| c.share).sum::<f64>() > 1.0 + 1e-9 {
            issues.push(ParamIssue::new("calls", "the calls' shares add up to more than the loan (1.0)"));
        }
        check_positive(&mut issues, "volatility", self.volatility);
        check_positive(&mut issues, "tenor_days", self.tenor_days);
        check_unit(&mut issues, "hedge_band", self.hedge_band);
        check_unit(&mut issues, "level_share", self.level_share);
        check_unit(&mut issues, "depress_share", self.depress_share);
        check_unit(&mut issues, "sell_limit_share", self.sell_limit_share);
        if self.levels > 1_000 {
            issues.push(ParamIssue::new("levels", format!("{} is too large: at most 1000", self.levels)));
        }
        for (key, v) in [
            ("hedge_slippage_bps", self.hedge_slippage_bps),
            ("spread_bps", self.spread_bps),
            ("level_spacing_bps", self.level_spacing_bps),
            ("depress_discount_bps", self.depress_discount_bps),
        ] {
            check_non_negative(&mut issues, key, v);
            if v >= 10_000.0 {
                issues.push(ParamIssue::new(key, format!("{v} must be below 10000 (100%)")));
            }
        }
        issues
    }
}
