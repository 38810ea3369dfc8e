//! Parameters of `lend_and_dump` (the `[agents.lend_and_dump]` table), their defaults and range
//! checks.
//!
//! Thresholds are multiples of the market's opening price, or absolute prices in quote units that
//! override them (the DIO case: listing at 0.05, a pump target of 0.98, buy-back below 0.01). Times
//! are measured from the start of the run.

use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use super::super::behaviour::{check_non_negative, check_positive, check_unit, Market, ParamIssue};
use crate::scenario::limits;
use crate::types::{Cash, Price};
use crate::units::{Dec, Dur};

/// Parameters of `lend_and_dump`: pump, distribute, wait for the crash, buy back what is owed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LendAndDumpConfig {
    /// Tokens the agent must hold at the end (the loan it returns). Default: the account's tokens
    /// at the start of the run (the borrowed inventory).
    pub owed_tokens: Option<f64>,
    /// Time between decisions (jittered ±20%). Default `"1m"`.
    pub interval: Dur,
    /// The first decision (the pump's start) comes this long after the run starts. Default `"0s"`.
    pub start_after: Dur,

    /// Pumping stops (and distribution starts) once the reference price reaches this multiple of
    /// the open price. Default 10.0.
    pub pump_target_multiple: f64,
    /// Pump target in quote units; overrides `pump_target_multiple`. Default: none.
    pub pump_target_price: Option<Dec>,
    /// Distribution starts at this time even if the target was not reached. Default: none.
    pub pump_until: Option<Dur>,
    /// Each pump order (an IOC buy) reaches at most this far above the reference price, in bps.
    /// Default 300.
    pub pump_step_bps: f64,
    /// Share of free cash spent by each pump order. Default 0.05.
    pub pump_spend_share: f64,
    /// While pumping, a support bid rests this far below the reference price, in bps; it is
    /// withdrawn when distribution starts. 0 disables. Default 500.
    pub support_bps: f64,
    /// Share of free cash put into the support bid. Default 0.1.
    pub support_share: f64,
    /// Keep the support bid (below the distribution price) while distributing, and withdraw it
    /// only when distribution ends: the book then collapses at once instead of thinning out under
    /// the asks. Default false.
    pub support_while_distributing: bool,
    /// Tokens the agent trades with itself at the pump price each decision when nobody else sells
    /// there ([`Intent::Wash`](crate::types::Intent::Wash)): a sell resting at the pump price that
    /// its own pump buy lifts, so the last trade prints the marked-up price ("painting the tape").
    /// 0 disables. Default 0.
    pub pump_paint_tokens: f64,
    /// Number of asks the agent rests above the pump price while pumping (the "markup" ladder):
    /// buyers the rise attracts lift them, so the agent sells borrowed tokens on the way up
    /// ([`Intent::Dump`](crate::types::Intent::Dump)). 0 disables. Default 0.
    pub pump_ask_levels: u32,
    /// Spacing of the markup ladder, in bps; level k rests k × this above the pump price.
    /// Default 100.
    pub pump_ask_spacing_bps: f64,
    /// Tokens offered at each level of the markup ladder (refilled every decision, within what
    /// the agent holds). Default 1000.
    pub pump_ask_tokens: f64,

    /// The agent sells nothing (no markup ladder, no distribution) until the reference price has
    /// reached this price at least once: a contract that lets the MM sell the lent tokens only
    /// once the token's valuation passes a threshold (price = valuation ÷ supply). Default: none.
    pub sell_unlock_price: Option<Dec>,
    /// The same threshold as a multiple of the open price (relative terms, for playbooks);
    /// `sell_unlock_price` overrides it. Default: none.
    pub sell_unlock_multiple: Option<f64>,
    /// Share of the holdings at the start of distribution that the agent sells. Default 1.0.
    pub dump_share: f64,
    /// Share of those tokens offered per decision. Default 0.1.
    pub dump_slice_share: f64,
    /// Each slice sells into bids down to this far below the reference price, in bps; what does
    /// not fill rests there as an ask until the next decision. Default 100.
    pub dump_discount_bps: f64,
    /// When set, the agent distributes by *walking its asks down* instead of hitting bids: each
    /// decision it rests the slice as asks from its distribution price (the pump price at first,
    /// less `dump_discount_bps`) upward, spaced like the markup ladder, and lowers that price by
    /// this many bps when nothing sold since the previous decision. The drawdown stop then applies
    /// to that price rather than to the last trade, so one stray print cannot end distribution.
    /// Default: none (sell into the bids below the last trade).
    pub dump_step_bps: Option<f64>,
    /// Distribution stops once the reference price is this fraction below its peak (0.5 = halved).
    /// Default 0.5.
    pub dump_stop_drawdown: f64,
    /// Distribution stops at this time at the latest. Default: none.
    pub dump_until: Option<Dur>,
    /// Share of the holdings at the start of distribution held back from it and dumped into the
    /// bids once it ends (the `raid` phase): it knocks the price down to the buy-back ceiling.
    /// At most `dump_share`. Default 0 (no raid).
    pub raid_share: f64,
    /// Each raid decision offers what is left of the reserve this far below the last trade, in
    /// bps: it fills the bids down to there and rests as an ask for buyers to lift. Default 2000.
    pub raid_discount_bps: f64,
    /// The raid stops once the last trade (or the best ask) is at or below this price, in quote
    /// units: below the buy-back ceiling, the buy-back then starts with offers under its
    /// ceiling to take. Default: the buy-back ceiling.
    pub raid_stop_price: Option<Dec>,
    /// The raid's stop as a multiple of the open price; `raid_stop_price` overrides it. Default:
    /// none.
    pub raid_stop_multiple: Option<f64>,

    /// The agent buys back only at or below this multiple of the open price, and starts once the
    /// last price or the best ask is there. Default 0.2.
    pub buyback_below_multiple: f64,
    /// Buy-back price ceiling in quote units; overrides `buyback_below_multiple`. Default: none.
    pub buyback_below_price: Option<Dec>,
    /// The buy-back ladder starts at the ceiling (one tick under the best ask when that is lower)
    /// instead of one tick above the other traders' best bid: the agent takes every sell that
    /// comes, paying up to the ceiling, rather than waiting for cheaper ones. Default false.
    pub buyback_at_ceiling: bool,
    /// Number of patient bids laddered below the best bid while buying back. Default 5.
    pub buyback_levels: u32,
    /// Spacing of the buy-back ladder, in bps. Default 200.
    pub buyback_spacing_bps: f64,
    /// Most quote units spent buying back. Default: none (all its cash).
    pub buyback_budget_quote: Option<Dec>,
    /// Repayment deadline: from this time the ceiling is dropped and the agent lifts asks at any
    /// price (up to `pump_step_bps` above the reference per decision) until it holds what it owes.
    /// Default: none.
    pub repay_by: Option<Dur>,
}

impl Default for LendAndDumpConfig {
    fn default() -> Self {
        LendAndDumpConfig {
            owed_tokens: None,
            interval: Dur(60_000_000_000),
            start_after: Dur(0),
            pump_target_multiple: 10.0,
            pump_target_price: None,
            pump_until: None,
            pump_step_bps: 300.0,
            pump_spend_share: 0.05,
            support_bps: 500.0,
            support_share: 0.1,
            support_while_distributing: false,
            pump_paint_tokens: 0.0,
            pump_ask_levels: 0,
            pump_ask_spacing_bps: 100.0,
            pump_ask_tokens: 1000.0,
            sell_unlock_price: None,
            sell_unlock_multiple: None,
            dump_share: 1.0,
            dump_slice_share: 0.1,
            dump_discount_bps: 100.0,
            dump_step_bps: None,
            dump_stop_drawdown: 0.5,
            dump_until: None,
            raid_share: 0.0,
            raid_discount_bps: 2000.0,
            raid_stop_price: None,
            raid_stop_multiple: None,

            buyback_below_multiple: 0.2,
            buyback_below_price: None,
            buyback_at_ceiling: false,
            buyback_levels: 5,
            buyback_spacing_bps: 200.0,
            buyback_budget_quote: None,
            repay_by: None,
        }
    }
}

impl LendAndDumpConfig {
    /// Every problem with these parameters.
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        if self.interval.nanos() == 0 {
            issues.push(ParamIssue::new("interval", "must be > 0"));
        }
        if let Some(t) = self.owed_tokens {
            check_non_negative(&mut issues, "owed_tokens", t);
        }
        check_positive(&mut issues, "pump_target_multiple", self.pump_target_multiple);
        check_positive(&mut issues, "buyback_below_multiple", self.buyback_below_multiple);
        for (key, m) in
            [("sell_unlock_multiple", self.sell_unlock_multiple), ("raid_stop_multiple", self.raid_stop_multiple)]
        {
            if let Some(m) = m {
                check_positive(&mut issues, key, m);
                limits::multiple_at_most(&mut issues, key, m);
            }
        }
        let one_tick = market.quote_f64(Price(1));
        for (key, p) in [
            ("pump_target_price", self.pump_target_price),
            ("buyback_below_price", self.buyback_below_price),
            ("sell_unlock_price", self.sell_unlock_price),
            ("raid_stop_price", self.raid_stop_price),
        ] {
            if let Some(p) = p {
                if p.0.to_f64().is_none_or(|v| v < one_tick) {
                    issues.push(ParamIssue::new(key, format!("{p} is below one tick ({})", market.tick)));
                }
            }
        }
        if let Some(b) = self.buyback_budget_quote {
            if b.0.is_sign_negative() {
                issues.push(ParamIssue::new("buyback_budget_quote", format!("{b} must be ≥ 0")));
            }
        }
        if self.target_ticks(market) <= self.buyback_ticks(market) {
            issues.push(ParamIssue::new(
                "buyback_below_multiple",
                "the buy-back ceiling must be below the pump target (buy back low after selling high)",
            ));
        }
        check_non_negative(&mut issues, "pump_step_bps", self.pump_step_bps);
        check_unit(&mut issues, "pump_spend_share", self.pump_spend_share);
        check_unit(&mut issues, "support_share", self.support_share);
        check_non_negative(&mut issues, "pump_paint_tokens", self.pump_paint_tokens);
        check_non_negative(&mut issues, "pump_ask_tokens", self.pump_ask_tokens);
        check_unit(&mut issues, "dump_share", self.dump_share);
        check_unit(&mut issues, "dump_slice_share", self.dump_slice_share);
        if self.dump_slice_share == 0.0 {
            issues.push(ParamIssue::new("dump_slice_share", "must be > 0, or the agent never sells"));
        }
        if let Some(step) = self.dump_step_bps {
            check_non_negative(&mut issues, "dump_step_bps", step);
            if step >= 10_000.0 {
                issues.push(ParamIssue::new("dump_step_bps", format!("{step} must be below 10000 (100%)")));
            }
        }
        check_unit(&mut issues, "raid_share", self.raid_share);
        if self.raid_share > self.dump_share {
            issues.push(ParamIssue::new("raid_share", "must be at most dump_share (the raid sells part of it)"));
        }
        check_positive(&mut issues, "dump_stop_drawdown", self.dump_stop_drawdown);
        check_unit(&mut issues, "dump_stop_drawdown", self.dump_stop_drawdown);
        for (key, v) in [
            ("support_bps", self.support_bps),
            ("pump_ask_spacing_bps", self.pump_ask_spacing_bps),
            ("dump_discount_bps", self.dump_discount_bps),
            ("raid_discount_bps", self.raid_discount_bps),
            ("buyback_spacing_bps", self.buyback_spacing_bps),
        ] {
            check_non_negative(&mut issues, key, v);
            if v >= 10_000.0 {
                issues.push(ParamIssue::new(key, format!("{v} must be below 10000 (100%)")));
            }
        }
        if self.buyback_levels == 0 {
            issues.push(ParamIssue::new("buyback_levels", "must be ≥ 1"));
        }
        self.check_bounds(market, &mut issues);
        issues
    }

    /// Upper bounds that keep prices, sizes and loops within the engine's types (see
    /// [`crate::scenario::limits`]).
    fn check_bounds(&self, market: &Market, issues: &mut Vec<ParamIssue>) {
        limits::bps_at_most(issues, "pump_step_bps", self.pump_step_bps);
        limits::multiple_at_most(issues, "pump_target_multiple", self.pump_target_multiple);
        limits::multiple_at_most(issues, "buyback_below_multiple", self.buyback_below_multiple);
        for (key, v) in [
            ("owed_tokens", self.owed_tokens.unwrap_or(0.0)),
            ("pump_paint_tokens", self.pump_paint_tokens),
            ("pump_ask_tokens", self.pump_ask_tokens),
        ] {
            limits::tokens_at_most(issues, key, v, market);
        }
        for (key, p) in [
            ("pump_target_price", self.pump_target_price),
            ("buyback_below_price", self.buyback_below_price),
            ("sell_unlock_price", self.sell_unlock_price),
            ("raid_stop_price", self.raid_stop_price),
        ] {
            if let Some(p) = p {
                let ticks = p.0.to_f64().map_or(f64::INFINITY, |v| market.ticks_f64(v));
                limits::at_most(issues, key, ticks, limits::MAX_PRICE_TICKS as f64, "ticks");
            }
        }
        if let Some(b) = self.buyback_budget_quote {
            limits::quote_at_most(issues, "buyback_budget_quote", b.0.to_f64().unwrap_or(f64::INFINITY), market);
        }
        for (key, n) in [("pump_ask_levels", self.pump_ask_levels), ("buyback_levels", self.buyback_levels)] {
            if n > 1_000 {
                issues.push(ParamIssue::new(key, format!("{n} is too large: at most 1000")));
            }
        }
    }

    /// The pump target in (fractional) ticks.
    pub fn target_ticks(&self, market: &Market) -> f64 {
        match self.pump_target_price.and_then(|p| p.0.to_f64()) {
            Some(q) => market.ticks_f64(q),
            None => market.open_price.0 as f64 * self.pump_target_multiple,
        }
    }

    /// The buy-back ceiling in (fractional) ticks.
    pub fn buyback_ticks(&self, market: &Market) -> f64 {
        match self.buyback_below_price.and_then(|p| p.0.to_f64()) {
            Some(q) => market.ticks_f64(q),
            None => market.open_price.0 as f64 * self.buyback_below_multiple,
        }
    }

    /// The price at which the raid stops, in (fractional) ticks.
    pub fn raid_stop_ticks(&self, market: &Market) -> f64 {
        match (self.raid_stop_price.and_then(|p| p.0.to_f64()), self.raid_stop_multiple) {
            (Some(q), _) => market.ticks_f64(q),
            (None, Some(m)) => market.open_price.0 as f64 * m,
            (None, None) => self.buyback_ticks(market),
        }
    }

    /// The price that unlocks selling, in (fractional) ticks (0 when selling is never locked).
    pub fn unlock_ticks(&self, market: &Market) -> f64 {
        match (self.sell_unlock_price.and_then(|p| p.0.to_f64()), self.sell_unlock_multiple) {
            (Some(q), _) => market.ticks_f64(q),
            (None, Some(m)) => market.open_price.0 as f64 * m,
            (None, None) => 0.0,
        }
    }

    /// The buy-back budget in cash atoms, if any.
    pub fn budget(&self, market: &Market) -> Option<Cash> {
        let atom = market.tick * market.lot;
        self.buyback_budget_quote
            .map(|b| Cash(b.0.checked_div(atom).and_then(|q| q.floor().to_i128()).unwrap_or(i128::MAX)))
    }
}
