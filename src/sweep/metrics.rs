//! The figures a sweep records per run: a fixed list of metric names, each expanding to one or more
//! CSV columns, and their extraction from a finished run.
//!
//! Money is in quote units, prices in quote units per token, shares and rates in `[0, 1]`; a figure
//! that does not apply to a run (no trade, no contract of the kind) is empty in the CSV. Figures
//! come from the run's [`Summary`](crate::metrics::summary::Summary) (exact decimals, converted to
//! `f64` through their decimal text so the conversion is correctly rounded) and, for the drawdown,
//! from the recorder's samples. Nothing else of the run is kept.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::agents::AgentKind;
use crate::contracts::{ContractFigure, ContractSummary};
use crate::metrics::{stats, PartyKind};
use crate::run::RunOutcome;
use crate::scenario::Scenario;

/// Every metric name `[sweep] metrics` accepts, with what it records.
pub const METRICS: [(&str, &str); 15] = [
    ("close", "last trade price (empty when nothing traded)"),
    ("high", "highest trade price"),
    ("low", "lowest trade price"),
    ("max_drawdown", "largest fall of the last trade price from its running peak, as a fraction of the peak"),
    ("mm_pnl", "PnL marked to the close of the market-maker groups (passive_mm, pump_dump, lend_and_dump) together; pnl.<group> gives one group's"),
    ("retail_pnl", "PnL of all retail groups together"),
    ("project_pnl", "PnL of the project's account"),
    ("project_outcome", "sum of the contracts' project_outcome_quote (token loans; empty without one)"),
    ("mm_contract_pnl", "sum of the contracts' mm_pnl_quote (token loans; empty without one)"),
    ("wash_share", "wash-traded share of traded value"),
    ("volume", "traded value in quote units"),
    ("trades", "number of trades"),
    ("kpi_pass_rate", "settled subscription periods that met their KPIs / settled periods (empty without one)"),
    ("conservation_ok", "1 when cash and tokens were conserved, else 0"),
    ("events", "kernel events processed"),
];

/// The metrics recorded when `[sweep]` has no `metrics` list.
pub const DEFAULT_METRICS: [&str; 8] = [
    "close",
    "max_drawdown",
    "mm_pnl",
    "project_outcome",
    "retail_pnl",
    "wash_share",
    "kpi_pass_rate",
    "conservation_ok",
];

/// Agent kinds whose groups count as market makers for `mm_pnl`.
const MM_KINDS: [AgentKind; 3] = [AgentKind::PassiveMm, AgentKind::PumpDump, AgentKind::LendAndDump];

/// What a column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Last trade price.
    Close,
    /// Highest trade price.
    High,
    /// Lowest trade price.
    Low,
    /// Maximum drawdown of the last trade price.
    MaxDrawdown,
    /// PnL of the named party (a group, the project, an account or `exchange`).
    Pnl(String),
    /// PnL of every market-maker group, summed (absent without one).
    MmPnl,
    /// PnL of every retail group, summed.
    RetailPnl,
    /// PnL of the project's account.
    ProjectPnl,
    /// Sum of the contracts' `project_outcome_quote`.
    ProjectOutcome,
    /// Sum of the contracts' `mm_pnl_quote`.
    MmContractPnl,
    /// Wash share of traded value.
    WashShare,
    /// Traded value.
    Volume,
    /// Number of trades.
    Trades,
    /// Share of settled subscription periods that met their KPIs.
    KpiPassRate,
    /// 1 or 0.
    ConservationOk,
    /// Kernel events.
    Events,
}

/// One CSV column of figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricColumn {
    /// Column name: the metric's name as written (`close`, `mm_pnl`, `pnl.<party>`); chart files
    /// are named after it too.
    pub name: String,
    /// What it holds.
    pub figure: Figure,
}

impl MetricColumn {
    fn new(name: &str, figure: Figure) -> Self {
        MetricColumn { name: name.to_string(), figure }
    }
}

/// The columns of metric `name` for scenario `base` (`pnl.<party>` is accepted for any party).
///
/// # Errors
/// A message naming the valid metrics when `name` is not one, or the parties for `pnl.<party>`.
pub fn expand(name: &str, base: &Scenario) -> Result<Vec<MetricColumn>, String> {
    if let Some(party) = name.strip_prefix("pnl.") {
        let parties = party_names(base);
        return if parties.iter().any(|p| p == party) {
            Ok(vec![MetricColumn::new(name, Figure::Pnl(party.to_string()))])
        } else {
            Err(format!("no party named {party:?}; the parties are: {}", parties.join(", ")))
        };
    }
    let one = |figure| Ok(vec![MetricColumn::new(name, figure)]);
    match name {
        "close" => one(Figure::Close),
        "high" => one(Figure::High),
        "low" => one(Figure::Low),
        "max_drawdown" => one(Figure::MaxDrawdown),
        "mm_pnl" if base.groups.iter().any(|g| MM_KINDS.contains(&g.behaviour.kind())) => one(Figure::MmPnl),
        "mm_pnl" => Ok(Vec::new()),
        "retail_pnl" => one(Figure::RetailPnl),
        "project_pnl" => one(Figure::ProjectPnl),
        "project_outcome" => one(Figure::ProjectOutcome),
        "mm_contract_pnl" => one(Figure::MmContractPnl),
        "wash_share" => one(Figure::WashShare),
        "volume" => one(Figure::Volume),
        "trades" => one(Figure::Trades),
        "kpi_pass_rate" => one(Figure::KpiPassRate),
        "conservation_ok" => one(Figure::ConservationOk),
        "events" => one(Figure::Events),
        _ => {
            let names: Vec<&str> = METRICS.iter().map(|(n, _)| *n).collect();
            Err(format!("unknown metric {name:?}; the metrics are: {}, and pnl.<party>", names.join(", ")))
        }
    }
}

fn party_names(s: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = s.groups.iter().map(|g| g.name.clone()).collect();
    names.extend(s.project.iter().map(|p| p.name.clone()));
    names.extend(s.accounts.iter().map(|a| a.name.clone()));
    names.push("exchange".to_string());
    names
}

/// The figures of `columns` for a finished run (`None` where a figure does not apply).
pub fn extract(columns: &[MetricColumn], outcome: &RunOutcome, scenario: &Scenario) -> Vec<Option<f64>> {
    let s = &outcome.summary;
    let dec = |d: Decimal| f64::from_str(&d.to_string()).ok();
    let pnl = |name: &str| s.group(name).and_then(|g| dec(g.pnl_quote));
    columns
        .iter()
        .map(|c| match &c.figure {
            Figure::Close => s.price.close.and_then(dec),
            Figure::High => s.price.high.and_then(dec),
            Figure::Low => s.price.low.and_then(dec),
            Figure::MaxDrawdown => {
                let prices: Vec<f64> =
                    outcome.built.sim.recorder().samples().iter().filter_map(|x| x.last).map(|p| p.0 as f64).collect();
                (!prices.is_empty()).then(|| stats::max_drawdown(&prices))
            }
            Figure::Pnl(name) => pnl(name),
            Figure::MmPnl => {
                let mm: Vec<Decimal> = s
                    .groups
                    .iter()
                    .filter(|g| MM_KINDS.iter().any(|k| g.kind == PartyKind::Group { kind: *k }))
                    .map(|g| g.pnl_quote)
                    .collect();
                (!mm.is_empty()).then(|| mm.into_iter().sum()).and_then(dec)
            }
            Figure::RetailPnl => {
                let retail = s
                    .groups
                    .iter()
                    .filter(|g| g.kind == PartyKind::Group { kind: AgentKind::Retail })
                    .map(|g| g.pnl_quote);
                dec(retail.sum())
            }
            Figure::ProjectPnl => scenario.project.as_ref().and_then(|p| pnl(&p.name)),
            Figure::ProjectOutcome => contract_sum(&s.contracts, ContractSummary::project_outcome).and_then(dec),
            Figure::MmContractPnl => contract_sum(&s.contracts, ContractSummary::mm_pnl).and_then(dec),
            Figure::WashShare => Some(s.volume.wash_share),
            Figure::Volume => dec(s.volume.quote_total),
            Figure::Trades => Some(s.volume.trades as f64),
            Figure::KpiPassRate => kpi_pass_rate(&s.contracts),
            Figure::ConservationOk => Some(if s.conservation.ok { 1.0 } else { 0.0 }),
            Figure::Events => Some(s.events as f64),
        })
        .collect()
}

/// The exact sum of `figure` over the contracts that report it (`None` when none does).
fn contract_sum(contracts: &[ContractSummary], figure: ContractFigure) -> Option<Decimal> {
    let values: Vec<Decimal> = contracts.iter().filter_map(figure).collect();
    (!values.is_empty()).then(|| values.into_iter().sum())
}

fn kpi_pass_rate(contracts: &[ContractSummary]) -> Option<f64> {
    let (periods, failed) =
        contracts.iter().filter_map(ContractSummary::kpi_periods).fold((0, 0), |(p, f), (cp, cf)| (p + cp, f + cf));
    (periods > 0).then(|| (periods - failed.min(periods)) as f64 / periods as f64)
}

/// A figure as written in `runs.csv`: the shortest text that reads back to the same `f64` (empty
/// when absent or not finite; `-0` is written `0`).
pub fn fmt_figure(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{}", if v == 0.0 { 0.0 } else { v }),
        _ => String::new(),
    }
}
