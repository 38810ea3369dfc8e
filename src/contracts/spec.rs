//! Validated contract terms: what a scenario's `[[contracts]]` entries become after loading.
//!
//! Units: token amounts in lots ([`Qty`]), money in cash atoms ([`Cash`]), absolute prices in ticks
//! ([`Price`]), times as [`SimTime`] since the run's start and lengths as [`Dur`] (nanoseconds).
//! Ratios (volatility, rate, premiums, shares) are plain fractions (`0.5` = 50%). Accounts and agent
//! groups are kept by name; [`build`](super::build) resolves them when the simulation is set up.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::types::{Cash, Price, Qty, SimTime};
use crate::units::Dur;

/// The kinds of contract, written `kind = "token_loan"` in scenarios and printed the same way in
/// reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContractKind {
    /// `token_loan`: tokens lent to an MM, with call options on them.
    TokenLoan,
    /// `subscription`: an MM quotes an account for a fee per period, judged on KPIs.
    Subscription,
    /// `guarantee`: a cash deposit with the exchange, released by a price band.
    Guarantee,
    /// `proceeds_split`: a share of what an MM makes selling, paid to another account.
    ProceedsSplit,
}

impl ContractKind {
    /// Every kind, in the order messages list them.
    pub const ALL: [ContractKind; 4] =
        [ContractKind::TokenLoan, ContractKind::Subscription, ContractKind::Guarantee, ContractKind::ProceedsSplit];

    /// The name as written in scenarios and reports.
    pub fn name(self) -> &'static str {
        match self {
            ContractKind::TokenLoan => "token_loan",
            ContractKind::Subscription => "subscription",
            ContractKind::Guarantee => "guarantee",
            ContractKind::ProceedsSplit => "proceeds_split",
        }
    }
}

impl fmt::Display for ContractKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for ContractKind {
    type Err = String;

    /// The kind named `s`; the message lists the kinds.
    fn from_str(s: &str) -> Result<Self, String> {
        ContractKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<&str> = ContractKind::ALL.iter().map(|k| k.name()).collect();
            format!("unknown contract kind {s:?}; the kinds are: {}", names.join(", "))
        })
    }
}

impl Serialize for ContractKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ContractKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(de::Error::custom)
    }
}

/// One contract of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ContractSpec {
    /// Unique name among the scenario's contracts (`--set contracts.<name>.<key>=…` uses it).
    pub name: String,
    /// The kind and its terms.
    pub terms: ContractTerms,
}

/// The terms of each contract kind.
#[derive(Clone, Debug, PartialEq)]
pub enum ContractTerms {
    /// `kind = "token_loan"`.
    TokenLoan(LoanTerms),
    /// `kind = "subscription"`.
    Subscription(SubscriptionTerms),
    /// `kind = "guarantee"`.
    Guarantee(GuaranteeTerms),
    /// `kind = "proceeds_split"`.
    ProceedsSplit(SplitTerms),
}

impl ContractTerms {
    /// The kind.
    pub fn kind(&self) -> ContractKind {
        match self {
            ContractTerms::TokenLoan(_) => ContractKind::TokenLoan,
            ContractTerms::Subscription(_) => ContractKind::Subscription,
            ContractTerms::Guarantee(_) => ContractKind::Guarantee,
            ContractTerms::ProceedsSplit(_) => ContractKind::ProceedsSplit,
        }
    }

    /// The agent group the contract is about (the borrower, the quoting MM), if any.
    pub fn mm(&self) -> Option<&str> {
        match self {
            ContractTerms::TokenLoan(t) => Some(&t.mm),
            ContractTerms::Subscription(t) => Some(&t.mm),
            ContractTerms::Guarantee(t) => t.mm.as_deref(),
            ContractTerms::ProceedsSplit(t) => Some(&t.mm),
        }
    }
}

/// A price given absolutely or relative to a reference price fixed during the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceRule {
    /// A fixed price in ticks (`strike = 0.075`).
    Absolute(Price),
    /// A premium (or, negative, a discount) over the reference, as a fraction: `"+50%"` is `0.5`.
    Premium(Decimal),
}

impl PriceRule {
    /// The price for a reference price: a premium is rounded to the nearest tick (halves up), and
    /// never below one tick.
    pub fn resolve(&self, reference: Price) -> Price {
        match *self {
            PriceRule::Absolute(p) => p,
            PriceRule::Premium(f) => {
                let ticks = (Decimal::from(reference.0) * (Decimal::ONE + f))
                    .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                Price(ticks.to_i64().unwrap_or(i64::MAX).max(1))
            }
        }
    }

    /// How it was written: `"+50%"`, or `None` for an absolute price.
    pub fn premium_text(&self) -> Option<String> {
        match *self {
            PriceRule::Absolute(_) => None,
            PriceRule::Premium(f) => {
                let pct = (f * Decimal::ONE_HUNDRED).normalize();
                Some(if f.is_sign_negative() { format!("{pct}%") } else { format!("+{pct}%") })
            }
        }
    }
}

/// The index premium strikes are measured from; read and written by the names below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StrikeReference {
    /// The spot at signing (`"open"`): strikes are known at once.
    #[serde(rename = "open")]
    Open,
    /// Volume-weighted average of one-minute bars over the reference window (`"vwap_7d"`).
    #[serde(rename = "vwap_7d")]
    Vwap,
    /// Plain average of one-minute closes over the reference window (`"avg_7d"`).
    #[serde(rename = "avg_7d")]
    Average,
}

/// How a token loan settles at expiry; read and written as `"tokens"` or `"cash"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// `"tokens"`: in-the-money calls are exercised physically (the MM pays strike × quantity and
    /// keeps the tokens); every other token is returned.
    Tokens,
    /// `"cash"`: every token is returned and the lender pays the MM each in-the-money call's
    /// intrinsic value `(spot − strike) × quantity` in cash.
    Cash,
}

/// One call option the borrower holds on part of the loan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallOption {
    /// Tokens it covers, in lots.
    pub qty: Qty,
    /// Its strike.
    pub strike: PriceRule,
}

/// `kind = "token_loan"`: tokens lent to an MM group, with call options on them.
#[derive(Clone, Debug, PartialEq)]
pub struct LoanTerms {
    /// The lender's account name (the project by default).
    pub lender: String,
    /// The borrowing agent group (its own accounts; the loan is spread over its agents).
    pub mm: String,
    /// Tokens lent, in lots.
    pub tokens: Qty,
    /// When the tokens are transferred and the options signed.
    pub start: SimTime,
    /// From the start to expiry.
    pub tenor: Dur,
    /// The calls, in file order.
    pub options: Vec<CallOption>,
    /// Annualised volatility σ for Black–Scholes, as a fraction (1.0 = 100%).
    pub volatility: f64,
    /// Continuously compounded annual risk-free rate, as a fraction.
    pub rate: f64,
    /// The index premium strikes are fixed against.
    pub strike_reference: StrikeReference,
    /// Length of the index window after the start (`vwap_7d`/`avg_7d`; "7d" unless set).
    pub reference_window: Dur,
    /// Settlement rule.
    pub settle: Settlement,
    /// Spot at expiry: the last trade (`None`) or the average one-minute close over this window.
    pub expiry_average: Option<Dur>,
    /// The borrower may end the loan before expiry: it settles, as at expiry, once every agent of
    /// the borrowing group has said it is done.
    pub early_return: bool,
    /// Collateral, penalties, sell caps, lock-up, recall ([`Protections::none`] by default).
    pub protections: super::protections::Protections,
}

/// What a missed period does to the fee; read and written as `"withhold"` or `"cut:50%"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnMiss {
    /// `"withhold"`: no fee for the period.
    Withhold,
    /// `"cut:50%"`: the fee is cut by this fraction, in (0, 1].
    Cut(Decimal),
}

impl FromStr for OnMiss {
    type Err = String;

    /// `"withhold"`, or `"cut:P%"` (also `"cut:0.5"`) with a cut in (0%, 100%].
    fn from_str(s: &str) -> Result<Self, String> {
        let v = s.trim();
        if v == "withhold" {
            return Ok(OnMiss::Withhold);
        }
        let cut = v.strip_prefix("cut:").and_then(|p| p.parse::<crate::scenario::raw::RawRatio>().ok()).map(|r| r.0);
        match cut {
            Some(c) if c > Decimal::ZERO && c <= Decimal::ONE => Ok(OnMiss::Cut(c)),
            _ => Err(format!("{v:?} is not a miss rule: write \"withhold\" or \"cut:50%\" (a cut in (0%, 100%])")),
        }
    }
}

impl fmt::Display for OnMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OnMiss::Withhold => f.write_str("withhold"),
            OnMiss::Cut(c) => write!(f, "cut:{}%", (c * Decimal::ONE_HUNDRED).normalize()),
        }
    }
}

impl Serialize for OnMiss {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OnMiss {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(de::Error::custom)
    }
}

/// How the uptime KPI is judged; read and written by the names below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KpiRule {
    /// `"uptime"`: the share of qualifying snapshots is at least `min_uptime`.
    #[serde(rename = "uptime")]
    Uptime,
    /// `"exchange_75"`: a day qualifies when ≥ 75% of its snapshots do, the period when ≥ 75% of
    /// its days do.
    #[serde(rename = "exchange_75")]
    Exchange75,
}

/// KPI thresholds of a subscription; a threshold left out is not checked.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiTerms {
    /// Largest quoted spread, in bps of the MM's own mid.
    pub max_spread_bps: Option<f64>,
    /// Smallest value quoted per side within `depth_band` of the book's mid.
    pub min_depth_quote: Option<Cash>,
    /// Smallest share of qualifying snapshots (rule `uptime`), as a fraction.
    pub min_uptime: Option<f64>,
    /// Smallest traded value per day (averaged over the period).
    pub min_daily_volume_quote: Option<Cash>,
    /// The band around the mid that depth is counted in, as a fraction (0.02 = ±2%).
    pub depth_band: f64,
    /// Interval between book snapshots.
    pub snapshot_every: Dur,
    /// How uptime is judged.
    pub rule: KpiRule,
}

impl Default for KpiTerms {
    fn default() -> Self {
        KpiTerms {
            max_spread_bps: None,
            min_depth_quote: None,
            min_uptime: None,
            min_daily_volume_quote: None,
            depth_band: 0.02,
            snapshot_every: Dur(10_000_000_000),
            rule: KpiRule::Uptime,
        }
    }
}

/// `kind = "subscription"`: an MM group quotes for a fee per period, judged on KPIs: on the
/// payer's account (`trades_for`), or from its own accounts.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionTerms {
    /// The quoting agent group.
    pub mm: String,
    /// The account that pays the fee: the group's `trades_for` (which also bears the trading), or
    /// for a group with accounts of its own the `payer` key (the project by default).
    pub payer: String,
    /// The account the fee goes to (the MM firm's); `None`: the MM group's own (first) account.
    pub fee_account: Option<String>,
    /// True when the MM quotes from its own accounts (e.g. lent tokens: a loan and a retainer at
    /// once) rather than the payer's (`trades_for`): the payer then only pays the fee.
    pub own_accounts: bool,
    /// Cash the MM pays the payer for each missed period (from the fee account when it trades the
    /// payer's account, from its own accounts otherwise); 0: none.
    pub penalty_per_miss: Cash,
    /// Fee per period.
    pub fee_per_period: Cash,
    /// Length of a period.
    pub period: Dur,
    /// When the first period starts.
    pub start: SimTime,
    /// Number of periods; `None` runs until the run ends.
    pub periods: Option<u32>,
    /// What a missed period does to the fee.
    pub on_miss: OnMiss,
    /// Missed periods in a row that end the contract; 0 never ends it.
    pub terminate_after_misses: u32,
    /// KPI thresholds and the snapshot schedule.
    pub kpis: KpiTerms,
}

/// What part of a guarantee deposit is released; read and written as `"proportional"` or
/// `"all_or_nothing"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseRule {
    /// `"proportional"`: the share of checks with the price inside the band.
    Proportional,
    /// `"all_or_nothing"`: everything, unless one check found the price outside the band.
    AllOrNothing,
}

/// `kind = "guarantee"`: cash deposited with the exchange against manipulation for a period.
#[derive(Clone, Debug, PartialEq)]
pub struct GuaranteeTerms {
    /// The depositor's account name (the project by default).
    pub depositor: String,
    /// The group the guarantee is about, for reports only.
    pub mm: Option<String>,
    /// The deposit.
    pub deposit: Cash,
    /// When it is deposited.
    pub start: SimTime,
    /// How long the exchange holds it.
    pub period: Dur,
    /// Lowest price of the band (`None`: unbounded); premiums are over the spot at the start.
    pub band_low: Option<PriceRule>,
    /// Highest price of the band (`None`: unbounded).
    pub band_high: Option<PriceRule>,
    /// Interval between price checks.
    pub check_every: Dur,
    /// What is released at the end.
    pub release: ReleaseRule,
}

/// `kind = "proceeds_split"`: a share of what an MM group makes selling goes to another account.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitTerms {
    /// The agent group whose proceeds are split (its own accounts).
    pub mm: String,
    /// The account that receives the share (the intermediary's).
    pub beneficiary: String,
    /// The beneficiary's share of the proceeds, a fraction in (0, 1].
    pub share: Decimal,
    /// When the proceeds start counting.
    pub start: SimTime,
    /// Interval between settlements.
    pub every: Dur,
}
