//! The subscription's `summary.json` entry and `contracts.csv` rows (one per period).
//!
//! Keys: `fees_paid`, `fees_withheld`, `fees_unpaid`, `periods` (settled periods), `periods_failed`
//! (settled periods that missed a KPI), `terminated`, `terminated_at_s`, `revoked_orders`, `project_trading_pnl`, the
//! thresholds, overall `uptime`/`volume_quote`/`volume_share`, and `kpis`: one object per period
//! with each KPI's measured value and its `*_met` flag (`null` when the contract does not check it)
//! and `met` for the period as a whole.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{PeriodResult, Subscription};
use crate::contracts::report::{f64_text, json, net_into, ContractReport, ContractRow, ContractSummary, Fmt, Transfer};
use crate::contracts::spec::{ContractKind, KpiRule, OnMiss};
use crate::metrics::Units;
use crate::types::{Cash, Qty};

/// A subscription's `summary.json` entry (fields in alphabetical order, as written).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubscriptionSummary {
    /// The account traded, which pays the fee.
    pub account: String,
    /// The band depth is counted in, as a fraction of the mid.
    #[serde(serialize_with = "json::float")]
    pub depth_band: f64,
    /// The account the fee goes to.
    pub fee_account: String,
    /// Fee per period.
    #[serde(serialize_with = "json::exact")]
    pub fee_per_period: Decimal,
    /// Fees paid.
    #[serde(serialize_with = "json::exact")]
    pub fees_paid: Decimal,
    /// Fees due that the payer could not pay.
    #[serde(serialize_with = "json::exact")]
    pub fees_unpaid: Decimal,
    /// Fees withheld for missed KPIs.
    #[serde(serialize_with = "json::exact")]
    pub fees_withheld: Decimal,
    /// Always [`ContractKind::Subscription`].
    pub kind: ContractKind,
    /// One entry per period.
    pub kpis: Vec<PeriodSummary>,
    /// Largest spread allowed, bps.
    #[serde(serialize_with = "json::float_opt")]
    pub max_spread_bps: Option<f64>,
    /// Smallest daily traded value required.
    #[serde(serialize_with = "json::exact_opt")]
    pub min_daily_volume_quote: Option<Decimal>,
    /// Smallest depth per side required.
    #[serde(serialize_with = "json::exact_opt")]
    pub min_depth_quote: Option<Decimal>,
    /// Smallest uptime required.
    #[serde(serialize_with = "json::float_opt")]
    pub min_uptime: Option<f64>,
    /// The quoting group.
    pub mm: String,
    /// Contract name.
    pub name: String,
    /// What a missed period does to the fee.
    pub on_miss: OnMiss,
    /// Penalties the MM paid for missed periods.
    #[serde(serialize_with = "json::exact")]
    pub penalties_paid: Decimal,
    /// Period length in days.
    #[serde(serialize_with = "json::float")]
    pub period_days: f64,
    /// Settled periods.
    pub periods: usize,
    /// Settled periods that missed a KPI.
    pub periods_failed: usize,
    /// The traded account's result while the contract ran, net of contract transfers (`None`
    /// before it began).
    #[serde(serialize_with = "json::exact_opt")]
    pub project_trading_pnl: Option<Decimal>,
    /// Orders cancelled when the account was taken away.
    pub revoked_orders: u32,
    /// How uptime is judged.
    pub rule: KpiRule,
    /// Interval between snapshots, seconds.
    #[serde(serialize_with = "json::float")]
    pub snapshot_every_s: f64,
    /// Missed periods in a row that end it (0: never).
    pub terminate_after_misses: u32,
    /// True when it was ended early.
    pub terminated: bool,
    /// When it was ended, seconds since the start.
    #[serde(serialize_with = "json::float_opt")]
    pub terminated_at_s: Option<f64>,
    /// Share of qualifying snapshots over all periods.
    #[serde(serialize_with = "json::float")]
    pub uptime: f64,
    /// The MM's traded value.
    #[serde(serialize_with = "json::exact")]
    pub volume_quote: Decimal,
    /// Its share of the market's traded value.
    #[serde(serialize_with = "json::float")]
    pub volume_share: f64,
}

/// One period of a subscription's summary (fields in alphabetical order, as written). A `*_met`
/// flag is `None` when the contract does not check that KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeriodSummary {
    /// Traded value per day.
    #[serde(serialize_with = "json::float")]
    pub daily_volume_quote: f64,
    /// Days in the period.
    pub days: u32,
    /// Days that qualified (rule `exchange_75`).
    pub days_qualified: u32,
    /// Mean ask depth.
    #[serde(serialize_with = "json::float")]
    pub depth_ask_quote: f64,
    /// Mean bid depth.
    #[serde(serialize_with = "json::float")]
    pub depth_bid_quote: f64,
    /// The depth KPI.
    pub depth_met: Option<bool>,
    /// End, seconds.
    #[serde(serialize_with = "json::float")]
    pub end_s: f64,
    /// Fee paid.
    #[serde(serialize_with = "json::exact")]
    pub fee_paid: Decimal,
    /// Fee due but unpaid.
    #[serde(serialize_with = "json::exact")]
    pub fee_unpaid: Decimal,
    /// Fee withheld.
    #[serde(serialize_with = "json::exact")]
    pub fee_withheld: Decimal,
    /// Every KPI checked was met.
    pub met: bool,
    /// Period number from 1.
    pub period: usize,
    /// False for a period cut short by the run's end.
    pub settled: bool,
    /// Snapshots taken.
    pub snapshots: u64,
    /// Mean spread, bps.
    #[serde(serialize_with = "json::float_opt")]
    pub spread_bps: Option<f64>,
    /// The spread KPI.
    pub spread_met: Option<bool>,
    /// Start, seconds.
    #[serde(serialize_with = "json::float")]
    pub start_s: f64,
    /// Share of qualifying snapshots.
    #[serde(serialize_with = "json::float")]
    pub uptime: f64,
    /// The uptime KPI.
    pub uptime_met: Option<bool>,
    /// The volume KPI.
    pub volume_met: Option<bool>,
    /// Traded value.
    #[serde(serialize_with = "json::exact")]
    pub volume_quote: Decimal,
    /// Share of the market's traded value.
    #[serde(serialize_with = "json::float")]
    pub volume_share: f64,
}

impl Subscription {
    /// The summary entry and the rows; `external` are the transfers (of every contract, this one
    /// included) made on the traded account after this contract began.
    pub fn report(&self, units: Units, external: &[Transfer]) -> ContractReport {
        let f = Fmt(units);
        let settled: Vec<&PeriodResult> = self.periods.iter().filter(|p| p.settled).collect();
        let sum = |get: fn(&PeriodResult) -> Cash| self.periods.iter().fold(Cash::ZERO, |a, p| a + get(p));
        let t = &self.terms;
        let k = &t.kpis;
        let snaps: u64 = self.periods.iter().map(|p| p.kpi.snapshots).sum();
        let qual: u64 = self.periods.iter().map(|p| p.kpi.qualifying).sum();
        let vol = sum(|p| p.kpi.volume);
        let market = sum(|p| p.kpi.market_volume);
        let summary = SubscriptionSummary {
            account: t.payer.clone(),
            depth_band: k.depth_band,
            fee_account: t.fee_account.clone().unwrap_or_else(|| t.mm.clone()),
            fee_per_period: f.cash(t.fee_per_period),
            fees_paid: f.cash(sum(|p| p.fee_paid)),
            fees_unpaid: f.cash(sum(|p| p.fee_unpaid)),
            fees_withheld: f.cash(sum(|p| p.fee_withheld)),
            penalties_paid: f.cash(sum(|p| p.penalty_paid)),
            kind: ContractKind::Subscription,
            kpis: self.periods.iter().enumerate().map(|(i, p)| period_summary(f, i, p)).collect(),
            max_spread_bps: k.max_spread_bps,
            min_daily_volume_quote: k.min_daily_volume_quote.map(|c| f.cash(c)),
            min_depth_quote: k.min_depth_quote.map(|c| f.cash(c)),
            min_uptime: k.min_uptime,
            mm: t.mm.clone(),
            name: self.name.clone(),
            on_miss: t.on_miss,
            period_days: t.period.nanos() as f64 / crate::contracts::kpi::DAY_NS as f64,
            periods: settled.len(),
            periods_failed: settled.iter().filter(|p| !p.kpi.met()).count(),
            project_trading_pnl: self.trading_pnl(f, external),
            revoked_orders: self.revoked_orders,
            rule: k.rule,
            snapshot_every_s: k.snapshot_every.secs_f64(),
            terminate_after_misses: t.terminate_after_misses,
            terminated: self.terminated_at.is_some(),
            terminated_at_s: self.terminated_at.map(|t| t.as_secs_f64()),
            uptime: if snaps > 0 { qual as f64 / snaps as f64 } else { 0.0 },
            volume_quote: f.cash(vol),
            volume_share: if market.0 > 0 { vol.0 as f64 / market.0 as f64 } else { 0.0 },
        };
        let rows = self.periods.iter().enumerate().map(|(i, p)| self.row(f, i, p)).collect();
        ContractReport { summary: ContractSummary::Subscription(summary), rows }
    }

    /// The account's trading result, or `None` before the contract began.
    fn trading_pnl(&self, f: Fmt, external: &[Transfer]) -> Option<Decimal> {
        let (Some(since), Some((mark, end))) = (self.begun, self.end) else { return None };
        let (in_cash, in_tokens) = net_into(external, self.payer, since);
        let d_cash = end.0 - self.account_start.0 - in_cash;
        let d_tokens: Qty = end.1 - self.account_start.1 - in_tokens;
        Some(f.cash(d_cash + Cash::notional(mark, d_tokens)))
    }

    fn row(&self, f: Fmt, i: usize, p: &PeriodResult) -> ContractRow {
        let k = &p.kpi;
        let mut values = vec![
            ("kpis_met", k.met().to_string()),
            ("snapshots", k.snapshots.to_string()),
            ("uptime", f64_text(k.uptime)),
            ("spread_bps", k.spread_bps.map(f64_text).unwrap_or_default()),
            ("depth_bid_quote", f.cash_f64_text(k.depth_bid)),
            ("depth_ask_quote", f.cash_f64_text(k.depth_ask)),
            ("volume_quote", f.cash_text(k.volume)),
            ("volume_share", f64_text(k.volume_share)),
        ];
        if p.settled {
            values.push(("fee_due", f.cash_text(p.fee_due)));
            values.push(("fee_paid", f.cash_text(p.fee_paid)));
            values.push(("fee_withheld", f.cash_text(p.fee_withheld)));
            values.push(("penalties_paid", f.cash_text(p.penalty_paid)));
            values.push(("settled_s", crate::contracts::report::secs_text(k.end.as_secs_f64())));
        }
        ContractRow {
            contract: self.name.clone(),
            kind: ContractKind::Subscription,
            mm: Some(self.terms.mm.clone()),
            period: i as u32 + 1,
            start_s: k.start.as_secs_f64(),
            end_s: k.end.as_secs_f64(),
            settled: p.settled,
            values,
        }
    }
}

fn period_summary(f: Fmt, i: usize, p: &PeriodResult) -> PeriodSummary {
    let k = &p.kpi;
    PeriodSummary {
        daily_volume_quote: f.cash_f64(k.daily_volume()),
        days: k.days,
        days_qualified: k.days_qualified,
        depth_ask_quote: f.cash_f64(k.depth_ask),
        depth_bid_quote: f.cash_f64(k.depth_bid),
        depth_met: k.depth_met,
        end_s: k.end.as_secs_f64(),
        fee_paid: f.cash(p.fee_paid),
        fee_unpaid: f.cash(p.fee_unpaid),
        fee_withheld: f.cash(p.fee_withheld),
        met: k.met(),
        period: i + 1,
        settled: p.settled,
        snapshots: k.snapshots,
        spread_bps: k.spread_bps,
        spread_met: k.spread_met,
        start_s: k.start.as_secs_f64(),
        uptime: k.uptime,
        uptime_met: k.uptime_met,
        volume_met: k.volume_met,
        volume_quote: f.cash(k.volume),
        volume_share: k.volume_share,
    }
}
