//! Evaluating a candidate (a playbook with parameter values) on the stress test's seeds, in memory.
//! The MM's payoff and the project's outcome are the shared accounting's
//! ([`crate::accounting::mm_payoff`], [`crate::accounting::project_outcome`]): one computation,
//! one sign, the same figures as `mmsim run`'s report.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::accounting;
use crate::agents::{AgentKind, Behaviour};
use crate::contracts::ContractSummary;
use crate::metrics::PartyKind;
use crate::run::{run, RunError, RunOptions};
use crate::scenario::Scenario;
use crate::types::SimTime;

/// The MM's payoff and the project's outcome of one run, in quote units (from
/// [`crate::accounting`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Payoff {
    /// [`accounting::MmPayoff::payoff`] of the MM group.
    pub mm: f64,
    /// [`accounting::ProjectOutcome::outcome`] (0 without a `[project]`).
    pub project: f64,
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
    /// Share of the MM's settled retainer periods that met their KPIs, if any settled.
    pub kpi_pass: Option<f64>,
    /// Penalties the MM paid ([`accounting::MmPayoff::penalties_paid`]).
    pub penalties: f64,
    /// Collateral the MM forfeited ([`accounting::MmPayoff::collateral_forfeited`]).
    pub forfeited: f64,
    /// The clauses of the MM's loans that fired in the run: each detected breach's clause name
    /// (`sell_cap_daily`, `sell_cap_total`, `lockup`, `default`) and `recall` when a loan was
    /// recalled, in time order per loan.
    pub fired: Vec<&'static str>,
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
    let mm_payoff = accounting::mm_payoff(s, mm)?;
    let project = accounting::project_outcome(s).map_or(0.0, |p| f(p.outcome));
    let (periods, passed) = mm_payoff.kpi_periods;
    let mut fired = Vec::new();
    for c in s.contracts.iter().filter(|c| c.mm() == Some(mm)) {
        match c {
            ContractSummary::TokenLoan(l) => {
                fired.extend(l.breaches.iter().filter(|b| b.detected).map(|b| b.clause));
                if l.recalled_s.is_some() {
                    fired.push("recall");
                }
            }
            ContractSummary::Subscription(s) if s.periods_failed > 0 => fired.push("kpi_miss"),
            _ => {}
        }
    }
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
        payoff: Payoff { mm: f(mm_payoff.payoff_at_exit.unwrap_or(mm_payoff.payoff)), project },
        retail_pnl: retail.map(|g| f(g.pnl_quote)).sum(),
        price_low: s.price.low.map_or(open, f),
        price_close: s.price.close.map_or(open, f),
        kpi_pass: (periods > 0).then(|| passed as f64 / periods as f64),
        penalties: f(mm_payoff.penalties_paid),
        forfeited: f(mm_payoff.collateral_forfeited),
        fired,
        path,
    })
}
