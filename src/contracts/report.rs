//! What contracts report: a `summary.json` entry per contract ([`ContractSummary`], one typed
//! struct per kind) and `contracts.csv` rows (one per contract per period), plus the log of value
//! each contract moved.
//!
//! Money and prices are exact decimals in quote units, tokens in tokens, times in seconds since the
//! run's start. Figures that come from floats (option values, ratios, KPI means) are rounded to
//! [`FLOAT_DP`] decimals when written (see [`json`]) so reports stay byte-identical across runs.
//!
//! Each summary struct lists its fields in alphabetical order: `summary.json` has always written a
//! contract's keys sorted (they began as a JSON map), and a struct serializes in field order.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::guarantee::GuaranteeSummary;
use super::proceeds::SplitSummary;
use super::spec::ContractKind;
use super::subscription::SubscriptionSummary;
use super::token_loan::LoanSummary;
use crate::ledger::AccountId;
use crate::metrics::Units;
use crate::types::{Cash, Price, Qty, SimTime};

/// Decimals kept of float figures in reports.
pub const FLOAT_DP: u32 = 6;

/// The columns of `contracts.csv`, in order. Rows leave the columns that do not apply empty.
///
/// Columns are only ever appended (other tools read the file by name). `settled_s` is when the
/// row was settled (a loan's expiry, early return, recall deadline or the run's end; a period's
/// end), empty while open.
pub const COLUMNS: [&str; 38] = [
    "contract",
    "kind",
    "mm",
    "period",
    "start_s",
    "end_s",
    "settled",
    "kpis_met",
    "snapshots",
    "uptime",
    "spread_bps",
    "depth_bid_quote",
    "depth_ask_quote",
    "volume_quote",
    "volume_share",
    "fee_due",
    "fee_paid",
    "fee_withheld",
    "tokens_lent",
    "option_value",
    "exercised_qty",
    "cash_paid",
    "tokens_returned",
    "default_shortfall_tokens",
    "deposit",
    "released",
    "withheld",
    "in_band_share",
    "project_outcome_quote",
    "mm_pnl_quote",
    "settled_s",
    "bought_in_tokens",
    "collateral_cash",
    "collateral_tokens",
    "collateral_forfeited_quote",
    "penalties_paid",
    "breaches_detected",
    "recalled_s",
];

/// One row of `contracts.csv`: the fixed identification columns, then `(column, value)` pairs for
/// the columns of [`COLUMNS`] that apply.
#[derive(Clone, Debug, PartialEq)]
pub struct ContractRow {
    /// Contract name.
    pub contract: String,
    /// Contract kind.
    pub kind: ContractKind,
    /// The agent group it concerns, if any.
    pub mm: Option<String>,
    /// Period number from 1 (loans and guarantees have one).
    pub period: u32,
    /// Period start, seconds.
    pub start_s: f64,
    /// Period end, seconds.
    pub end_s: f64,
    /// False while the period (or the contract) was still open when the run ended.
    pub settled: bool,
    /// Kind-specific columns; names are from [`COLUMNS`].
    pub values: Vec<(&'static str, String)>,
}

impl ContractRow {
    /// The value of `column` as written in the CSV (empty when it does not apply).
    pub fn get(&self, column: &str) -> String {
        match column {
            "contract" => self.contract.clone(),
            "kind" => self.kind.name().to_string(),
            "mm" => self.mm.clone().unwrap_or_default(),
            "period" => self.period.to_string(),
            "start_s" => secs_text(self.start_s),
            "end_s" => secs_text(self.end_s),
            "settled" => self.settled.to_string(),
            _ => self.values.iter().find(|(k, _)| *k == column).map(|(_, v)| v.clone()).unwrap_or_default(),
        }
    }
}

/// Seconds as CSV text (as `start_s`/`end_s` are written).
pub fn secs_text(s: f64) -> String {
    format!("{s}")
}

/// One contract's report.
#[derive(Clone, Debug, PartialEq)]
pub struct ContractReport {
    /// Its `summary.json` entry.
    pub summary: ContractSummary,
    /// Its `contracts.csv` rows.
    pub rows: Vec<ContractRow>,
}

/// One contract's `summary.json` entry: its `name`, `kind` and `mm`, and the kind's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ContractSummary {
    /// A token loan.
    TokenLoan(LoanSummary),
    /// A subscription.
    Subscription(SubscriptionSummary),
    /// A guarantee.
    Guarantee(GuaranteeSummary),
    /// A proceeds split.
    ProceedsSplit(SplitSummary),
}

/// A figure some contract kinds report, read from their summary (`None` for the other kinds), e.g.
/// [`ContractSummary::mm_pnl`].
pub type ContractFigure = fn(&ContractSummary) -> Option<Decimal>;

impl ContractSummary {
    /// The contract's name.
    pub fn name(&self) -> &str {
        match self {
            ContractSummary::TokenLoan(s) => &s.name,
            ContractSummary::Subscription(s) => &s.name,
            ContractSummary::Guarantee(s) => &s.name,
            ContractSummary::ProceedsSplit(s) => &s.name,
        }
    }

    /// The contract's kind.
    pub fn kind(&self) -> ContractKind {
        match self {
            ContractSummary::TokenLoan(_) => ContractKind::TokenLoan,
            ContractSummary::Subscription(_) => ContractKind::Subscription,
            ContractSummary::Guarantee(_) => ContractKind::Guarantee,
            ContractSummary::ProceedsSplit(_) => ContractKind::ProceedsSplit,
        }
    }

    /// The agent group it concerns, if any.
    pub fn mm(&self) -> Option<&str> {
        match self {
            ContractSummary::TokenLoan(s) => Some(&s.mm),
            ContractSummary::Subscription(s) => Some(&s.mm),
            ContractSummary::Guarantee(s) => s.mm.as_deref(),
            ContractSummary::ProceedsSplit(s) => Some(&s.mm),
        }
    }

    /// The project's outcome, `project_outcome_quote` (token loans).
    pub fn project_outcome(&self) -> Option<Decimal> {
        match self {
            ContractSummary::TokenLoan(s) => Some(s.project_outcome_quote.normalize()),
            _ => None,
        }
    }

    /// The MM's PnL from the contract, `mm_pnl_quote` (token loans).
    pub fn mm_pnl(&self) -> Option<Decimal> {
        match self {
            ContractSummary::TokenLoan(s) => Some(s.mm_pnl_quote.normalize()),
            _ => None,
        }
    }

    /// The returned tokens' value at settlement, `returned_value_quote` (token loans).
    pub fn returned_value(&self) -> Option<Decimal> {
        match self {
            ContractSummary::TokenLoan(s) => Some(s.returned_value_quote.normalize()),
            _ => None,
        }
    }

    /// The deposit withheld, `withheld` (guarantees).
    pub fn withheld(&self) -> Option<Decimal> {
        match self {
            ContractSummary::Guarantee(s) => Some(s.withheld.normalize()),
            _ => None,
        }
    }

    /// The fees withheld, `fees_withheld` (subscriptions).
    pub fn fees_withheld(&self) -> Option<Decimal> {
        match self {
            ContractSummary::Subscription(s) => Some(s.fees_withheld.normalize()),
            _ => None,
        }
    }

    /// Settled periods and those of them that missed a KPI (subscriptions).
    pub fn kpi_periods(&self) -> Option<(usize, usize)> {
        match self {
            ContractSummary::Subscription(s) => Some((s.periods, s.periods_failed)),
            _ => None,
        }
    }

    /// The entry as a JSON object, as `summary.json` writes it.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// `summary.json`'s number formats, for `#[serde(serialize_with = …)]` on summary fields.
pub mod json {
    use rust_decimal::Decimal;
    use serde::{Serialize, Serializer};

    /// An exact decimal as a JSON number, normalised (`1.50` is written `1.5`).
    ///
    /// # Errors
    /// The serializer's.
    pub fn exact<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        super::num(*d).serialize(s)
    }

    /// An optional exact decimal: a JSON number, or `null`.
    ///
    /// # Errors
    /// The serializer's.
    pub fn exact_opt<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        d.map_or(serde_json::Value::Null, super::num).serialize(s)
    }

    /// A float rounded to [`FLOAT_DP`](super::FLOAT_DP) decimals (`null` when not finite).
    ///
    /// # Errors
    /// The serializer's.
    pub fn float<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        super::num_f64(*x).serialize(s)
    }

    /// An optional float, rounded like [`float`]; `null` when absent.
    ///
    /// # Errors
    /// The serializer's.
    pub fn float_opt<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        super::opt_f64(*x).serialize(s)
    }
}

/// Value a contract moved between accounts (through [`ContractCtx`](super::ContractCtx)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// When.
    pub at: SimTime,
    /// Paying account.
    pub from: AccountId,
    /// Receiving account.
    pub to: AccountId,
    /// Cash moved.
    pub cash: Cash,
    /// Tokens moved.
    pub tokens: Qty,
}

/// The net cash and tokens `transfers` moved into `account` at or after `since`.
pub fn net_into(transfers: &[Transfer], account: AccountId, since: SimTime) -> (Cash, Qty) {
    let mut net = (Cash::ZERO, Qty::ZERO);
    for t in transfers.iter().filter(|t| t.at >= since && t.from != t.to) {
        if t.to == account {
            net = (net.0 + t.cash, net.1 + t.tokens);
        }
        if t.from == account {
            net = (net.0 - t.cash, net.1 - t.tokens);
        }
    }
    net
}

/// A JSON number from an exact decimal.
pub fn num(d: Decimal) -> Value {
    d.normalize().to_string().parse::<serde_json::Number>().map_or(Value::Null, Value::Number)
}

/// A JSON number from a float, rounded to [`FLOAT_DP`] decimals (null when not finite).
pub fn num_f64(x: f64) -> Value {
    dec_f64(x).map_or(Value::Null, num)
}

/// A float as a decimal rounded to [`FLOAT_DP`] decimals.
pub fn dec_f64(x: f64) -> Option<Decimal> {
    Decimal::from_f64(x).map(|d| d.round_dp(FLOAT_DP).normalize())
}

/// An optional float as JSON.
pub fn opt_f64(x: Option<f64>) -> Value {
    x.map_or(Value::Null, num_f64)
}

/// Report helpers bound to a market's units.
#[derive(Clone, Copy, Debug)]
pub struct Fmt(pub Units);

impl Fmt {
    /// Cash in quote units.
    pub fn cash(&self, c: Cash) -> Decimal {
        self.0.cash(c)
    }
    /// Cash atoms held as a float (a valuation), in quote units.
    pub fn cash_f64(&self, atoms: f64) -> f64 {
        atoms * self.atom()
    }
    /// Tokens.
    pub fn tokens(&self, q: Qty) -> Decimal {
        self.0.tokens(q)
    }
    /// A price in quote units.
    pub fn price(&self, p: Price) -> Decimal {
        self.0.price(p)
    }
    /// Quote units per cash atom.
    pub fn atom(&self) -> f64 {
        self.0.atom_f64()
    }
    /// Cash as CSV text.
    pub fn cash_text(&self, c: Cash) -> String {
        self.0.cash(c).to_string()
    }
    /// Tokens as CSV text.
    pub fn tokens_text(&self, q: Qty) -> String {
        self.0.tokens(q).to_string()
    }
    /// A float valuation in atoms as CSV text in quote units.
    pub fn cash_f64_text(&self, atoms: f64) -> String {
        f64_text(atoms * self.atom())
    }
}

/// A float as CSV text rounded to [`FLOAT_DP`] decimals.
pub fn f64_text(x: f64) -> String {
    dec_f64(x).map(|d| d.to_string()).unwrap_or_default()
}
