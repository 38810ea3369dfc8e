//! The token loan's `summary.json` entry and `contracts.csv` row (see the parent module for the
//! figures' definitions). Keys: `tokens_lent`, `loan_value_start`, `option_value`,
//! `option_value_pct` (percent of the loan's value), `exercised_qty`, `cash_paid`,
//! `tokens_returned`, `returned_value_quote` (tokens returned × settlement spot),
//! `default_shortfall_tokens`, `project_outcome_quote`, `mm_pnl_quote`, plus `status`, `settled`,
//! `settled_s`, `settled_at_run_end`, `settlement_spot`, the terms (`early_return` among them),
//! `options` (one object per call), and the protections' figures: `collateral_cash`,
//! `collateral_tokens` (posted), `collateral_forfeited_quote` (forfeited cash + tokens × mark),
//! `penalties_paid`, `bought_in_tokens`, `buyin_cash`, `recalled_s` and `breaches` (one object per
//! breach: `at_s`, `clause`, `detected`, `penalty`, `forfeit_cash`, `forfeit_tokens`).

use rust_decimal::Decimal;
use serde::Serialize;

use super::{LoanStatus, TokenLoan};
use crate::contracts::report::{dec_f64, json, ContractReport, ContractRow, ContractSummary, Fmt};
use crate::contracts::spec::{ContractKind, Settlement, StrikeReference};
use crate::metrics::Units;
use crate::types::{Cash, Price, Qty};

/// Where a loan stands at the end of the run, as reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanState {
    /// Not signed yet.
    Pending,
    /// The lender could not lend.
    Failed,
    /// Lent, not yet expired.
    Open,
    /// Settled with tokens missing.
    Defaulted,
    /// Settled in full.
    Settled,
}

/// A token loan's `summary.json` entry (fields in alphabetical order, as written).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoanSummary {
    /// Owed tokens bought in with cash at the settlement spot.
    #[serde(serialize_with = "json::exact")]
    pub bought_in_tokens: Decimal,
    /// Breaches of the loan's clauses, in time order.
    pub breaches: Vec<BreachSummary>,
    /// Cash the borrower paid for the bought-in tokens.
    #[serde(serialize_with = "json::exact")]
    pub buyin_cash: Decimal,
    /// Orders of the borrower cancelled at settlement.
    pub cancelled_orders: u32,
    /// Strike cash paid for exercised calls.
    #[serde(serialize_with = "json::exact")]
    pub cash_paid: Decimal,
    /// Collateral cash posted at signing.
    #[serde(serialize_with = "json::exact")]
    pub collateral_cash: Decimal,
    /// Collateral forfeited to the lender: cash + tokens × the mark price.
    #[serde(serialize_with = "json::exact")]
    pub collateral_forfeited_quote: Decimal,
    /// Collateral tokens posted at signing.
    #[serde(serialize_with = "json::exact")]
    pub collateral_tokens: Decimal,
    /// Tokens not returned, valued at the mark price.
    #[serde(serialize_with = "json::exact")]
    pub default_shortfall_quote: Decimal,
    /// Tokens not returned.
    #[serde(serialize_with = "json::exact")]
    pub default_shortfall_tokens: Decimal,
    /// The borrower may end the loan before expiry.
    pub early_return: bool,
    /// Tokens bought by exercising calls.
    #[serde(serialize_with = "json::exact")]
    pub exercised_qty: Decimal,
    /// Expiry, seconds since the start.
    #[serde(serialize_with = "json::float")]
    pub expiry_s: f64,
    /// Why the loan failed (only when it did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Intrinsic value paid in cash (cash settlement).
    #[serde(serialize_with = "json::exact")]
    pub intrinsic_paid: Decimal,
    /// Always [`ContractKind::TokenLoan`].
    pub kind: ContractKind,
    /// The lender's account.
    pub lender: String,
    /// Tokens lent × the spot at signing.
    #[serde(serialize_with = "json::exact")]
    pub loan_value_start: Decimal,
    /// The price the end of the run is marked at.
    #[serde(serialize_with = "json::exact_opt")]
    pub mark_price: Option<Decimal>,
    /// The borrowing group.
    pub mm: String,
    /// The borrower's result from the loan.
    #[serde(serialize_with = "json::exact")]
    pub mm_pnl_quote: Decimal,
    /// Contract name.
    pub name: String,
    /// The calls' Black–Scholes value at signing, quote units.
    #[serde(serialize_with = "json::float")]
    pub option_value: f64,
    /// The same, percent of the loan's value.
    #[serde(serialize_with = "json::float")]
    pub option_value_pct: f64,
    /// One entry per call.
    pub options: Vec<OptionSummary>,
    /// Penalties the borrower paid for detected breaches (from cash or collateral).
    #[serde(serialize_with = "json::exact")]
    pub penalties_paid: Decimal,
    /// The lender's result from the loan.
    #[serde(serialize_with = "json::exact")]
    pub project_outcome_quote: Decimal,
    /// Annual rate.
    #[serde(serialize_with = "json::float")]
    pub rate: f64,
    /// When the lender recalled the loan, seconds since the start.
    #[serde(serialize_with = "json::float_opt")]
    pub recalled_s: Option<f64>,
    /// The index strikes were fixed against, once known.
    #[serde(serialize_with = "json::exact_opt")]
    pub reference_price: Option<Decimal>,
    /// Tokens returned × the settlement spot.
    #[serde(serialize_with = "json::exact")]
    pub returned_value_quote: Decimal,
    /// Settlement rule.
    pub settle: Settlement,
    /// True once settled.
    pub settled: bool,
    /// Settled because the run ended with the loan open (as if it expired then).
    pub settled_at_run_end: bool,
    /// When it settled, seconds since the start.
    #[serde(serialize_with = "json::float_opt")]
    pub settled_s: Option<f64>,
    /// The spot it settled at.
    #[serde(serialize_with = "json::exact_opt")]
    pub settlement_spot: Option<Decimal>,
    /// The spot at signing.
    #[serde(serialize_with = "json::exact_opt")]
    pub spot_at_signing: Option<Decimal>,
    /// Start, seconds.
    #[serde(serialize_with = "json::float")]
    pub start_s: f64,
    /// Where it stands.
    pub status: LoanState,
    /// The index premium strikes are measured from.
    pub strike_reference: StrikeReference,
    /// Tenor in days.
    #[serde(serialize_with = "json::float")]
    pub tenor_days: f64,
    /// Tokens lent.
    #[serde(serialize_with = "json::exact")]
    pub tokens_lent: Decimal,
    /// Tokens returned.
    #[serde(serialize_with = "json::exact")]
    pub tokens_returned: Decimal,
    /// Annual volatility.
    #[serde(serialize_with = "json::float")]
    pub volatility: f64,
}

/// One breach of a loan's clauses, as reported (fields in alphabetical order, as written).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreachSummary {
    /// When it was seen, seconds since the start.
    #[serde(serialize_with = "json::float")]
    pub at_s: f64,
    /// The clause: `sell_cap_daily`, `sell_cap_total`, `lockup` or `default`.
    pub clause: &'static str,
    /// Whether the lender detected it (only detected breaches cost the borrower).
    pub detected: bool,
    /// Collateral cash forfeited for it.
    #[serde(serialize_with = "json::exact")]
    pub forfeit_cash: Decimal,
    /// Collateral tokens forfeited for it.
    #[serde(serialize_with = "json::exact")]
    pub forfeit_tokens: Decimal,
    /// Penalty paid for it.
    #[serde(serialize_with = "json::exact")]
    pub penalty: Decimal,
}

/// One call option of a loan's summary (fields in alphabetical order, as written).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptionSummary {
    /// Strike cash paid for the exercised tokens, once the strike is known.
    #[serde(serialize_with = "json::exact_opt")]
    pub exercise_cash: Option<Decimal>,
    /// Tokens exercised.
    #[serde(serialize_with = "json::exact")]
    pub exercised_qty: Decimal,
    /// Whether it ended in the money (once settled with a strike).
    pub in_the_money: Option<bool>,
    /// Tokens covered.
    #[serde(serialize_with = "json::exact")]
    pub qty: Decimal,
    /// The strike, once fixed.
    #[serde(serialize_with = "json::exact_opt")]
    pub strike: Option<Decimal>,
    /// The strike estimated at signing.
    #[serde(serialize_with = "json::exact_opt")]
    pub strike_estimate: Option<Decimal>,
    /// The premium as written (`"+50%"`), or `None` for an absolute strike.
    pub strike_rule: Option<String>,
    /// Black–Scholes value at signing, quote units.
    #[serde(serialize_with = "json::float")]
    pub value: f64,
    /// The same, percent of the loan's value.
    #[serde(serialize_with = "json::float")]
    pub value_pct: f64,
}

/// The figures both outputs share.
struct Figures {
    loan_value: Cash,
    option_value: f64,
    option_pct: f64,
    exercised: Qty,
    cash_paid: Cash,
    returned: Qty,
    shortfall: Qty,
    /// Exact part and float (option valuation) part, in atoms.
    project: (Cash, f64),
    mm: (Cash, f64),
}

impl TokenLoan {
    fn figures(&self) -> Figures {
        let spot = self.signing.as_ref().map_or(Price(0), |s| s.spot);
        let loan_value = Cash::notional(spot, self.terms.tokens);
        let signed = self.signing.is_some() && !matches!(self.status, LoanStatus::Failed(_));
        let option_value: f64 = if signed { self.signing.as_ref().map_or(0.0, |s| s.values.iter().sum()) } else { 0.0 };
        let option_pct = if loan_value.0 > 0 { option_value / loan_value.0 as f64 * 100.0 } else { 0.0 };
        let end = self.end.unwrap_or(super::EndMark { mark: spot, borrower: self.borrower_start });
        let s = self.settled.as_ref();
        let exercised = s.map_or(Qty::ZERO, |s| s.exercised.iter().fold(Qty::ZERO, |a, &q| a + q));
        let cash_paid = s.map_or(Cash::ZERO, |s| s.cash_paid);
        let returned = s.map_or(Qty::ZERO, |s| s.tokens_returned);
        let shortfall = s.map_or(Qty::ZERO, |s| s.shortfall);
        let d_cash = end.borrower.0 - self.borrower_start.0;
        let d_tokens = end.borrower.1 - self.borrower_start.1;
        let (forfeit_cash, forfeit_tokens) = self.clauses.forfeited();
        let penalties = self.clauses.penalties_paid();
        let (project, mm) = match (&self.status, s) {
            (LoanStatus::Settled, Some(s)) => {
                let received = s.cash_paid - s.intrinsic_paid
                    + s.buyin_cash
                    + penalties
                    + forfeit_cash
                    + Cash::notional(end.mark, s.tokens_returned + forfeit_tokens);
                ((received - loan_value, 0.0), (d_cash + Cash::notional(end.mark, d_tokens), 0.0))
            }
            (LoanStatus::Open, _) => {
                // Only before `finish`: a loan open at the run's end is settled then.
                let claim = Cash::notional(end.mark, self.terms.tokens);
                let mm = d_cash + Cash::notional(end.mark, d_tokens - self.terms.tokens);
                ((claim - loan_value, 0.0), (mm, 0.0))
            }
            _ => ((Cash::ZERO, 0.0), (d_cash + Cash::notional(end.mark, d_tokens), 0.0)),
        };
        Figures { loan_value, option_value, option_pct, exercised, cash_paid, returned, shortfall, project, mm }
    }

    fn state(&self) -> LoanState {
        match (&self.status, &self.settled) {
            (LoanStatus::Pending, _) => LoanState::Pending,
            (LoanStatus::Failed(_), _) => LoanState::Failed,
            (LoanStatus::Open, _) => LoanState::Open,
            (LoanStatus::Settled, Some(s)) if s.shortfall > Qty::ZERO => LoanState::Defaulted,
            (LoanStatus::Settled, _) => LoanState::Settled,
        }
    }

    /// The summary entry and the CSV row.
    pub fn report(&self, units: Units) -> ContractReport {
        let f = Fmt(units);
        let fig = self.figures();
        let atoms =
            |exact: Cash, float: f64| -> Decimal { units.cash(exact) + dec_f64(float * f.atom()).unwrap_or_default() };
        let project = atoms(fig.project.0, fig.project.1);
        let mm = atoms(fig.mm.0, fig.mm.1);
        let t = &self.terms;
        let settled = self.settled.as_ref();
        let mark = self.end.map(|e| e.mark);
        let mark_or_zero = mark.unwrap_or(Price(0));
        let (forfeit_cash, forfeit_tokens) = self.clauses.forfeited();
        let forfeited = forfeit_cash + Cash::notional(mark_or_zero, forfeit_tokens);
        let (posted_cash, posted_tokens) = self.clauses.posted_total;
        let penalties = self.clauses.penalties_paid();
        let summary = LoanSummary {
            bought_in_tokens: f.tokens(settled.map_or(Qty::ZERO, |s| s.bought_in)),
            breaches: self
                .clauses
                .breaches
                .iter()
                .map(|b| BreachSummary {
                    at_s: b.at.as_secs_f64(),
                    clause: b.clause.name(),
                    detected: b.detected,
                    forfeit_cash: f.cash(b.forfeit_cash),
                    forfeit_tokens: f.tokens(b.forfeit_tokens),
                    penalty: f.cash(b.penalty),
                })
                .collect(),
            buyin_cash: f.cash(settled.map_or(Cash::ZERO, |s| s.buyin_cash)),
            cancelled_orders: settled.map_or(0, |s| s.cancelled_orders),
            cash_paid: f.cash(fig.cash_paid),
            collateral_cash: f.cash(posted_cash),
            collateral_forfeited_quote: f.cash(forfeited),
            collateral_tokens: f.tokens(posted_tokens),
            default_shortfall_quote: f.cash(Cash::notional(mark_or_zero, fig.shortfall)),
            default_shortfall_tokens: f.tokens(fig.shortfall),
            early_return: t.early_return,
            exercised_qty: f.tokens(fig.exercised),
            expiry_s: self.expiry().as_secs_f64(),
            failure: match &self.status {
                LoanStatus::Failed(why) => Some(why.clone()),
                _ => None,
            },
            intrinsic_paid: f.cash(settled.map_or(Cash::ZERO, |s| s.intrinsic_paid)),
            kind: ContractKind::TokenLoan,
            lender: t.lender.clone(),
            loan_value_start: f.cash(fig.loan_value),
            mark_price: mark.map(|p| f.price(p)),
            mm: t.mm.clone(),
            mm_pnl_quote: mm,
            name: self.name.clone(),
            option_value: f.cash_f64(fig.option_value),
            option_value_pct: fig.option_pct,
            options: self.option_entries(f, fig.loan_value),
            penalties_paid: f.cash(penalties),
            project_outcome_quote: project,
            rate: t.rate,
            recalled_s: self.clauses.recalled_at.map(|t| t.as_secs_f64()),
            reference_price: self.index.value.map(|p| f.price(p)),
            returned_value_quote: f.cash(settled.map_or(Cash::ZERO, |s| Cash::notional(s.spot, s.tokens_returned))),
            settle: t.settle,
            settled: settled.is_some(),
            settled_at_run_end: settled.is_some_and(|s| s.at_run_end),
            settled_s: settled.map(|s| s.at.as_secs_f64()),
            settlement_spot: settled.map(|s| f.price(s.spot)),
            spot_at_signing: self.signing.as_ref().map(|s| f.price(s.spot)),
            start_s: t.start.as_secs_f64(),
            status: self.state(),
            strike_reference: t.strike_reference,
            tenor_days: t.tenor.nanos() as f64 / crate::contracts::kpi::DAY_NS as f64,
            tokens_lent: f.tokens(t.tokens),
            tokens_returned: f.tokens(fig.returned),
            volatility: t.volatility,
        };
        let row = ContractRow {
            contract: self.name.clone(),
            kind: ContractKind::TokenLoan,
            mm: Some(t.mm.clone()),
            period: 1,
            start_s: t.start.as_secs_f64(),
            end_s: self.expiry().as_secs_f64(),
            settled: settled.is_some(),
            values: vec![
                ("tokens_lent", f.tokens_text(t.tokens)),
                ("option_value", f.cash_f64_text(fig.option_value)),
                ("exercised_qty", f.tokens_text(fig.exercised)),
                ("cash_paid", f.cash_text(fig.cash_paid)),
                ("tokens_returned", f.tokens_text(fig.returned)),
                ("default_shortfall_tokens", f.tokens_text(fig.shortfall)),
                ("project_outcome_quote", project.to_string()),
                ("mm_pnl_quote", mm.to_string()),
                (
                    "settled_s",
                    settled.map(|s| crate::contracts::report::secs_text(s.at.as_secs_f64())).unwrap_or_default(),
                ),
                ("bought_in_tokens", f.tokens_text(settled.map_or(Qty::ZERO, |s| s.bought_in))),
                ("collateral_cash", f.cash_text(posted_cash)),
                ("collateral_tokens", f.tokens_text(posted_tokens)),
                ("collateral_forfeited_quote", f.cash_text(forfeited)),
                ("penalties_paid", f.cash_text(penalties)),
                ("breaches_detected", self.clauses.breaches.iter().filter(|b| b.detected).count().to_string()),
                (
                    "recalled_s",
                    self.clauses
                        .recalled_at
                        .map(|t| crate::contracts::report::secs_text(t.as_secs_f64()))
                        .unwrap_or_default(),
                ),
            ],
        };
        ContractReport { summary: ContractSummary::TokenLoan(summary), rows: vec![row] }
    }

    fn option_entries(&self, f: Fmt, loan_value: Cash) -> Vec<OptionSummary> {
        let settled = self.settled.as_ref();
        self.terms
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let value = self.signing.as_ref().map_or(0.0, |s| s.values[i]);
                let strike = self.strikes.get(i).copied();
                let exercised = settled.map_or(Qty::ZERO, |s| s.exercised[i]);
                OptionSummary {
                    exercise_cash: strike.map(|k| f.cash(Cash::notional(k, exercised))),
                    exercised_qty: f.tokens(exercised),
                    in_the_money: settled.zip(strike).map(|(s, k)| s.spot > k),
                    qty: f.tokens(o.qty),
                    strike: strike.map(|p| f.price(p)),
                    strike_estimate: self.signing.as_ref().map(|s| f.price(s.estimates[i])),
                    strike_rule: o.strike.premium_text(),
                    value: f.cash_f64(value),
                    value_pct: if loan_value.0 > 0 { value / loan_value.0 as f64 * 100.0 } else { 0.0 },
                }
            })
            .collect()
    }
}
