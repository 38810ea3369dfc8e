//! Parameters of `collateral_loop` (the `[agents.collateral_loop]` table), their defaults and range
//! checks.
//!
//! Loan-to-value ratios (`*_ltv`) are debt / collateral value, the collateral being the account's
//! tokens valued at the last trade price. Amounts are in quote units, times are measured from the
//! start of the run.

use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use super::super::behaviour::{check_non_negative, check_positive, Market, ParamIssue};
use crate::scenario::limits;
use crate::types::Cash;
use crate::units::{Dec, Dur};

/// Parameters of `collateral_loop`: borrow against the tokens, buy more tokens, get liquidated.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollateralLoopConfig {
    /// Time between decisions, both the borrower's and the lender's liquidation checks (jittered
    /// ±20%). Default `"1m"`.
    pub interval: Dur,
    /// The lender's stable asset, in quote units: this much of the account's starting cash is the
    /// lender's, lent out as the borrower spends it; the rest (if any) is the borrower's own cash.
    /// Default: all of the account's starting cash (the borrower brings only tokens).
    pub credit_line_quote: Option<Dec>,
    /// The borrower borrows while debt / collateral value is below this. In (0, 1). Default 0.6
    /// (at most 2.5× leverage).
    pub max_ltv: f64,
    /// The lender liquidates when debt / collateral value reaches this. In (`max_ltv`, 1].
    /// Default 0.75.
    pub liquidation_ltv: f64,
    /// A liquidation sells enough collateral to bring the ratio back to this. In [0,
    /// `liquidation_ltv`). Default: `max_ltv`.
    pub liquidation_target_ltv: Option<f64>,
    /// Largest amount borrowed and spent on tokens per decision, in quote units. Default 5000.
    pub borrow_clip_quote: f64,
    /// Each leveraged buy is an IOC reaching at most this far above the last price, in bps.
    /// Default 100.
    pub buy_step_bps: f64,
    /// The borrower stops adding leverage at this time and holds. Default: never.
    pub lever_until: Option<Dur>,
    /// Whether the borrower borrows again after a liquidation. Default false (it holds what is
    /// left).
    pub relever: bool,
    /// Liquidation sells are IOCs reaching this far below the best bid, in bps: the lender sells
    /// into whatever bids there are. Default 300.
    pub liquidation_slippage_bps: f64,
}

impl Default for CollateralLoopConfig {
    fn default() -> Self {
        CollateralLoopConfig {
            interval: Dur(60_000_000_000),
            credit_line_quote: None,
            max_ltv: 0.6,
            liquidation_ltv: 0.75,
            liquidation_target_ltv: None,
            borrow_clip_quote: 5000.0,
            buy_step_bps: 100.0,
            lever_until: None,
            relever: false,
            liquidation_slippage_bps: 300.0,
        }
    }
}

impl CollateralLoopConfig {
    /// Every problem with these parameters.
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        if self.interval.nanos() == 0 {
            issues.push(ParamIssue::new("interval", "must be > 0"));
        }
        if let Some(c) = self.credit_line_quote {
            if c.0.is_sign_negative() {
                issues.push(ParamIssue::new("credit_line_quote", format!("{c} must be ≥ 0")));
            }
        }
        if !(self.max_ltv > 0.0 && self.max_ltv < 1.0) {
            issues.push(ParamIssue::new("max_ltv", format!("{} is outside (0, 1)", self.max_ltv)));
        }
        if !(self.liquidation_ltv > self.max_ltv && self.liquidation_ltv <= 1.0) {
            issues.push(ParamIssue::new(
                "liquidation_ltv",
                format!(
                    "{} must be above max_ltv ({}) and at most 1, or a fresh loan is liquidated at once",
                    self.liquidation_ltv, self.max_ltv
                ),
            ));
        }
        if let Some(t) = self.liquidation_target_ltv {
            if !(t >= 0.0 && t < self.liquidation_ltv) {
                issues.push(ParamIssue::new(
                    "liquidation_target_ltv",
                    format!("{t} must be in [0, liquidation_ltv = {})", self.liquidation_ltv),
                ));
            }
        }
        check_positive(&mut issues, "borrow_clip_quote", self.borrow_clip_quote);
        check_non_negative(&mut issues, "buy_step_bps", self.buy_step_bps);
        limits::bps_at_most(&mut issues, "buy_step_bps", self.buy_step_bps);
        limits::quote_at_most(&mut issues, "borrow_clip_quote", self.borrow_clip_quote, market);
        if let Some(c) = self.credit_line_quote {
            limits::quote_at_most(&mut issues, "credit_line_quote", c.0.to_f64().unwrap_or(f64::INFINITY), market);
        }
        check_non_negative(&mut issues, "liquidation_slippage_bps", self.liquidation_slippage_bps);
        if self.liquidation_slippage_bps >= 10_000.0 {
            issues.push(ParamIssue::new(
                "liquidation_slippage_bps",
                format!("{} must be below 10000 (100%)", self.liquidation_slippage_bps),
            ));
        }
        issues
    }

    /// The credit line in cash atoms, if set.
    pub fn credit_line(&self, market: &Market) -> Option<Cash> {
        let atom = market.tick * market.lot;
        self.credit_line_quote.map(|c| Cash((c.0 / atom).floor().to_i128().unwrap_or(i128::MAX).max(0)))
    }

    /// The ratio a liquidation restores.
    pub fn target_ltv(&self) -> f64 {
        self.liquidation_target_ltv.unwrap_or(self.max_ltv)
    }
}
