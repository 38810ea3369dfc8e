//! Evaluating a candidate (a playbook with parameter values) on the stress test's seeds, in memory,
//! and the one accounting of the MM's payoff and the project's outcome ([`payoff`]).

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::agents::{AgentKind, Behaviour};
use crate::metrics::summary::Summary;
use crate::metrics::PartyKind;
use crate::run::{run, RunError, RunOptions};
use crate::scenario::Scenario;
use crate::types::SimTime;

/// The MM's payoff and the project's outcome of one run, in quote units.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Payoff {
    /// The MM group's (cash + tokens × closing price) at the end minus at the start.
    pub mm: f64,
    /// The same for the project's account.
    pub project: f64,
}

/// **The one accounting of the stress test** (the lead points it at the shared accounting once the
/// contract terms land): the MM payoff is the MM group's cash + tokens × price at the end of the
/// run, at the closing price, minus the same at the start, at the open price; the project outcome
/// is the same for the project's account. Tokens still lent under an open loan count as the
/// lender's (the borrower's debt), so the MM is never credited with tokens it owes and the project
/// keeps the value of what it lent. The closing price is the last trade (the open price when
/// nothing traded). Balances come from the run's ledger through the summary (the recorder's party
/// balances); `open` is the market's open price in quote units.
pub fn payoff(summary: &Summary, mm: &str, open: Decimal) -> Payoff {
    let close = summary.price.close.unwrap_or(open);
    let f = |d: Decimal| f64::from_str(&d.to_string()).unwrap_or(f64::NAN);
    let wealth = |g: &crate::metrics::summary::GroupSummary| {
        g.cash_end + (g.tokens_end + g.tokens_lent) * close - g.cash_start - g.tokens_start * open
    };
    let of = |pred: &dyn Fn(&crate::metrics::summary::GroupSummary) -> bool| {
        f(summary.groups.iter().filter(|g| pred(g)).map(wealth).sum::<Decimal>())
    };
    Payoff { mm: of(&|g| g.name == mm), project: of(&|g| g.kind == PartyKind::Project) }
}

/// What one run of a candidate gives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFigures {
    /// MM payoff and project outcome.
    pub payoff: Payoff,
    /// PnL of the retail groups together.
    pub retail_pnl: f64,
    /// Lowest and last trade price (the open when nothing traded).
    pub price_low: f64,
    /// See `price_low`.
    pub price_close: f64,
    /// Share of settled retainer periods that met their KPIs, if any settled.
    pub kpi_pass: Option<f64>,
    /// KPI penalties the MM paid (0 until the contract terms exist).
    pub penalties: f64,
    /// Collateral the MM forfeited (0 until the contract terms exist).
    pub forfeited: f64,
    /// (hours, last trade price) at each sample, when asked for.
    pub path: Vec<(f64, f64)>,
}

/// `base` with group `mm` playing `behaviour`, seed `seed` and duration `horizon_ns`.
pub fn seat_scenario(base: &Scenario, mm: &str, behaviour: &Behaviour, seed: u64, horizon_ns: u64) -> Scenario {
    let mut s = base.clone();
    s.seed = seed;
    s.market.duration = SimTime(horizon_ns);
    for g in s.groups.iter_mut().filter(|g| g.name == mm) {
        g.behaviour = behaviour.clone();
    }
    s
}

/// Runs `scenario` in memory (no files) and extracts its figures.
///
/// # Errors
/// An invalid scenario (a playbook's parameters out of range) or a broken conservation check.
pub fn run_figures(scenario: &Scenario, mm: &str, keep_path: bool) -> Result<RunFigures, RunError> {
    let outcome = run(scenario, &RunOptions::default())?;
    let s = &outcome.summary;
    let f = |d: Decimal| f64::from_str(&d.to_string()).unwrap_or(f64::NAN);
    let open = scenario.market.quote_f64(scenario.market.open_price);
    let retail = s.groups.iter().filter(|g| g.kind == PartyKind::Group { kind: AgentKind::Retail });
    let (periods, failed) = s
        .contracts
        .iter()
        .filter_map(crate::contracts::ContractSummary::kpi_periods)
        .fold((0, 0), |(p, f), (cp, cf)| (p + cp, f + cf));
    let units = crate::run::units(scenario);
    let path = if keep_path {
        let samples = outcome.built.sim.recorder().samples();
        samples
            .iter()
            .filter_map(|x| Some((x.t.nanos() as f64 / 3.6e12, f64::from_str(&units.price(x.last?).to_string()).ok()?)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(RunFigures {
        payoff: payoff(s, mm, units.price(scenario.market.open_price)),
        retail_pnl: retail.map(|g| f(g.pnl_quote)).sum(),
        price_low: s.price.low.map_or(open, f),
        price_close: s.price.close.map_or(open, f),
        kpi_pass: (periods > 0).then(|| (periods - failed.min(periods)) as f64 / periods as f64),
        penalties: 0.0,
        forfeited: 0.0,
        path,
    })
}
