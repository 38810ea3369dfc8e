//! The token loan's `summary.json` entry and `contracts.csv` row (see the parent module for the
//! figures' definitions). Keys: `tokens_lent`, `loan_value_start`, `option_value`,
//! `option_value_pct` (percent of the loan's value), `exercised_qty`, `cash_paid`,
//! `tokens_returned`, `returned_value_quote` (tokens returned × settlement spot),
//! `default_shortfall_tokens`, `project_outcome_quote`, `mm_pnl_quote`, plus `status`, `settled`,
//! `settled_s`, `settlement_spot`, the terms (`early_return` among them), and `options` (one
//! object per call).

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::{LoanStatus, TokenLoan};
use crate::contracts::report::{dec_f64, head, num, num_f64, secs, ContractReport, ContractRow, Fmt};
use crate::metrics::Units;
use crate::types::{Cash, Price, Qty};

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
        let end = self.end.unwrap_or(super::EndMark { mark: spot, borrower: self.borrower_start, options_mtm: 0.0 });
        let s = self.settled.as_ref();
        let exercised = s.map_or(Qty::ZERO, |s| s.exercised.iter().fold(Qty::ZERO, |a, &q| a + q));
        let cash_paid = s.map_or(Cash::ZERO, |s| s.cash_paid);
        let returned = s.map_or(Qty::ZERO, |s| s.tokens_returned);
        let shortfall = s.map_or(Qty::ZERO, |s| s.shortfall);
        let d_cash = end.borrower.0 - self.borrower_start.0;
        let d_tokens = end.borrower.1 - self.borrower_start.1;
        let (project, mm) = match (&self.status, s) {
            (LoanStatus::Settled, Some(s)) => {
                let received = s.cash_paid - s.intrinsic_paid + Cash::notional(end.mark, s.tokens_returned);
                ((received - loan_value, 0.0), (d_cash + Cash::notional(end.mark, d_tokens), 0.0))
            }
            (LoanStatus::Open, _) => {
                let claim = Cash::notional(end.mark, self.terms.tokens);
                let mm = d_cash + Cash::notional(end.mark, d_tokens - self.terms.tokens);
                ((claim - loan_value, -end.options_mtm), (mm, end.options_mtm))
            }
            _ => ((Cash::ZERO, 0.0), (d_cash + Cash::notional(end.mark, d_tokens), 0.0)),
        };
        Figures { loan_value, option_value, option_pct, exercised, cash_paid, returned, shortfall, project, mm }
    }

    fn status_text(&self) -> &'static str {
        match (&self.status, &self.settled) {
            (LoanStatus::Pending, _) => "pending",
            (LoanStatus::Failed(_), _) => "failed",
            (LoanStatus::Open, _) => "open",
            (LoanStatus::Settled, Some(s)) if s.shortfall > Qty::ZERO => "defaulted",
            (LoanStatus::Settled, _) => "settled",
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
        let mut m = head(&self.name, "token_loan", Some(&self.terms.mm));
        let t = &self.terms;
        let settled = self.settled.as_ref();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        put("status", json!(self.status_text()));
        put("settled", json!(settled.is_some()));
        if let LoanStatus::Failed(why) = &self.status {
            put("failure", json!(why));
        }
        put("lender", json!(self.lender_name()));
        put("settle", json!(t.settle));
        put("strike_reference", json!(t.strike_reference));
        put("start_s", secs(t.start));
        put("expiry_s", secs(self.expiry()));
        put("tenor_days", num_f64(t.tenor.nanos() as f64 / crate::contracts::kpi::DAY_NS as f64));
        put("volatility", num_f64(t.volatility));
        put("rate", num_f64(t.rate));
        put("tokens_lent", f.tokens(t.tokens));
        put("spot_at_signing", self.signing.as_ref().map_or(Value::Null, |s| f.price(s.spot)));
        put("loan_value_start", f.cash(fig.loan_value));
        put("option_value", f.cash_f64(fig.option_value));
        put("option_value_pct", num_f64(fig.option_pct));
        put("reference_price", self.index.value.map_or(Value::Null, |p| f.price(p)));
        put("early_return", json!(t.early_return));
        put("settled_s", settled.map_or(Value::Null, |s| secs(s.at)));
        put("settlement_spot", settled.map_or(Value::Null, |s| f.price(s.spot)));
        put("exercised_qty", f.tokens(fig.exercised));
        put("cash_paid", f.cash(fig.cash_paid));
        put("intrinsic_paid", f.cash(settled.map_or(Cash::ZERO, |s| s.intrinsic_paid)));
        put("tokens_returned", f.tokens(fig.returned));
        let returned_value = settled.map_or(Cash::ZERO, |s| Cash::notional(s.spot, s.tokens_returned));
        put("returned_value_quote", f.cash(returned_value));
        put("default_shortfall_tokens", f.tokens(fig.shortfall));
        let mark = self.end.map(|e| e.mark);
        put("default_shortfall_quote", f.cash(Cash::notional(mark.unwrap_or(Price(0)), fig.shortfall)));
        put("cancelled_orders", json!(settled.map_or(0, |s| s.cancelled_orders)));
        put("mark_price", mark.map_or(Value::Null, |p| f.price(p)));
        put("project_outcome_quote", num(project));
        put("mm_pnl_quote", num(mm));
        put("options", Value::Array(self.option_entries(f, fig.loan_value)));
        let row = ContractRow {
            contract: self.name.clone(),
            kind: "token_loan",
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
            ],
        };
        ContractReport { summary: Value::Object(m), rows: vec![row] }
    }

    fn lender_name(&self) -> String {
        self.terms.lender.clone()
    }

    fn option_entries(&self, f: Fmt, loan_value: Cash) -> Vec<Value> {
        let settled = self.settled.as_ref();
        self.terms
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let value = self.signing.as_ref().map_or(0.0, |s| s.values[i]);
                let strike = self.strikes.get(i).copied();
                let exercised = settled.map_or(Qty::ZERO, |s| s.exercised[i]);
                json!({
                    "qty": f.tokens(o.qty),
                    "strike_rule": o.strike.premium_text(),
                    "strike_estimate": self.signing.as_ref().map_or(Value::Null, |s| f.price(s.estimates[i])),
                    "strike": strike.map_or(Value::Null, |p| f.price(p)),
                    "value": f.cash_f64(value),
                    "value_pct": num_f64(if loan_value.0 > 0 { value / loan_value.0 as f64 * 100.0 } else { 0.0 }),
                    "in_the_money": settled.zip(strike).map(|(s, k)| s.spot > k),
                    "exercised_qty": f.tokens(exercised),
                    "exercise_cash": strike.map_or(Value::Null, |k| f.cash(Cash::notional(k, exercised))),
                })
            })
            .collect()
    }
}
