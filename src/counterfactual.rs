//! Counterfactual runs: the same scenario and seed with one agent group replaced by another kind.
//!
//! Every agent draws from its own stream keyed by its name, so replacing one group leaves every other
//! agent's random draws unchanged: the difference between the two runs is caused by the replaced
//! group's behaviour, not by luck. The replacement keeps the group's name, size, wallets, latency
//! and contracts, and takes the parameters the scenario gives that kind for the group (a kind listed
//! in the group's `alternatives`, with its table), else the kind's defaults.
//!
//! Output: `DIR/actual/` and `DIR/counterfactual/` (each a full run), plus `DIR/comparison.csv`
//! (`metric,actual,counterfactual,difference`), `DIR/price_comparison.png|svg` (both runs' prices on
//! one axis) and `DIR/report.html` with both runs side by side.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::agents::{AgentKind, Behaviour, UnknownKind};
use crate::contracts::{ContractFigure, ContractSummary};
use crate::metrics::summary::Summary;
use crate::report::{render_charts, render_price_comparison, render_report, ChartInput, OutputDir, ReportInput};
use crate::run::{run_with, units, RunError, RunExtras, RunOptions, RunOutcome};
use crate::scenario::Scenario;

/// `GROUP=KIND`: replace group `GROUP` by an agent of kind `KIND` (with the parameters the scenario
/// gives it as one of the group's `alternatives`, else the defaults).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// The group to replace.
    pub group: String,
    /// The kind that replaces it.
    pub kind: AgentKind,
}

impl FromStr for Replacement {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (group, kind) =
            s.split_once('=').ok_or_else(|| format!("expected GROUP=KIND (e.g. mm=passive_mm), got {s:?}"))?;
        let kind = kind.trim().parse::<AgentKind>().map_err(|_| UnknownKind(kind.to_string()).to_string())?;
        Ok(Replacement { group: group.trim().to_string(), kind })
    }
}

/// The scenario with the group replaced.
///
/// # Errors
/// When the scenario has no group of that name (the message lists the groups), or when a crowd would
/// be replaced by an individual agent or the reverse.
pub fn apply(scenario: &Scenario, r: &Replacement) -> Result<Scenario, RunError> {
    let mut alt = scenario.clone();
    let names: Vec<&str> = scenario.groups.iter().map(|g| g.name.as_str()).collect();
    let group = alt.groups.iter_mut().find(|g| g.name == r.group).ok_or_else(|| {
        RunError::Counterfactual(format!("no agent group named {:?}; the groups are: {}", r.group, names.join(", ")))
    })?;
    let was_crowd = group.behaviour.is_crowd();
    group.behaviour = match group.alternatives.iter().find(|b| b.kind() == r.kind) {
        Some(b) => b.clone(),
        None => Behaviour::default_of(r.kind),
    };
    // An idle group may stand in for any group: the same wallets, drawn in the same order, sit
    // still (a crowd's members become as many idle agents).
    if r.kind != AgentKind::Idle && group.behaviour.is_crowd() != was_crowd {
        return Err(RunError::Counterfactual(
            "a crowd (retail) can only be replaced by a crowd (or idle), and an individual agent by one".into(),
        ));
    }
    Ok(alt)
}

/// One compared figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What is compared.
    pub metric: String,
    /// In the actual run.
    pub actual: Decimal,
    /// In the counterfactual run.
    pub counterfactual: Decimal,
}

/// The figures compared: prices, volume, and PnL of every group and party.
pub fn compare(actual: &Summary, alt: &Summary) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut push = |metric: String, a: Option<Decimal>, b: Option<Decimal>| {
        if let (Some(actual), Some(counterfactual)) = (a, b) {
            rows.push(Row { metric, actual, counterfactual });
        }
    };
    push("price_close".into(), actual.price.close, alt.price.close);
    push("price_high".into(), actual.price.high, alt.price.high);
    push("price_low".into(), actual.price.low, alt.price.low);
    push("volume_quote".into(), Some(actual.volume.quote_total), Some(alt.volume.quote_total));
    push("volume_wash_quote".into(), Some(actual.volume.quote_wash), Some(alt.volume.quote_wash));
    for g in &actual.groups {
        push(format!("pnl_quote:{}", g.name), Some(g.pnl_quote), alt.group(&g.name).map(|x| x.pnl_quote));
    }
    let figures: [(&str, ContractFigure); 5] = [
        ("project_outcome_quote", ContractSummary::project_outcome),
        ("returned_value_quote", ContractSummary::returned_value),
        ("mm_pnl_quote", ContractSummary::mm_pnl),
        ("withheld", ContractSummary::withheld),
        ("fees_withheld", ContractSummary::fees_withheld),
    ];
    for c in &actual.contracts {
        let other = alt.contracts.iter().find(|o| o.name() == c.name());
        for (key, figure) in figures {
            push(format!("{key}:{}", c.name()), figure(c), other.and_then(figure));
        }
    }
    rows
}

/// Runs `scenario` as is and with `replacement`, writing both runs and the comparison under `dir`.
///
/// # Errors
/// A bad replacement, or I/O errors.
pub fn run_pair(
    scenario: &Scenario,
    r: &Replacement,
    dir: &Path,
    charts: bool,
    progress: &crate::progress::ProgressSink,
) -> Result<(RunOutcome, RunOutcome, Vec<Row>), RunError> {
    run_pair_with(scenario, r, dir, charts, progress, None)
}

/// [`run_pair`], recording `origin`: both runs' `summary.json` get its provenance, and `dir` and
/// `dir/actual/` its `scenario.toml` (the actual scenario; `--counterfactual` on it reruns the pair).
///
/// # Errors
/// As [`run_pair`].
pub fn run_pair_with(
    scenario: &Scenario,
    r: &Replacement,
    dir: &Path,
    charts: bool,
    progress: &crate::progress::ProgressSink,
    origin: Option<&crate::provenance::Origin>,
) -> Result<(RunOutcome, RunOutcome, Vec<Row>), RunError> {
    let alt_scenario = apply(scenario, r)?;
    let opts = |sub: &str| RunOptions { out_dir: Some(dir.join(sub)), progress: progress.clone(), charts };
    let actual = run_with(scenario, &opts("actual"), &RunExtras { origin: origin.cloned(), ..RunExtras::default() })?;
    // The counterfactual's summary records the provenance; its scenario is the actual one with
    // the replacement, so it gets no scenario.toml of its own.
    let alt_origin = origin.map(|o| crate::provenance::Origin { scenario_toml: String::new(), ..o.clone() });
    let alt =
        run_with(&alt_scenario, &opts("counterfactual"), &RunExtras { origin: alt_origin, ..RunExtras::default() })?;
    let rows = compare(&actual.summary, &alt.summary);
    let mut out = OutputDir::create(dir)?;
    if let Some(o) = origin {
        out.write(crate::provenance::SCENARIO_FILE, |w| Ok(w.write_all(o.scenario_toml.as_bytes())?))?;
    }
    out.write("comparison.csv", |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(["metric", "actual", "counterfactual", "difference"])?;
        for row in &rows {
            let diff = (row.actual - row.counterfactual).normalize();
            csv.write_record([
                &row.metric,
                &row.actual.to_string(),
                &row.counterfactual.to_string(),
                &diff.to_string(),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?;
    let u = units(scenario);
    let render = |o: &RunOutcome| {
        render_charts(&ChartInput::new(&scenario.name, o.built.sim.recorder(), u, scenario.market.open_price))
    };
    let (charts_a, charts_b) = if charts { (Some(render(&actual)?), Some(render(&alt)?)) } else { (None, None) };
    let label_b = format!("counterfactual: {} as {}", r.group, r.kind);
    let both = if charts {
        let runs =
            [("actual", actual.built.sim.recorder().samples()), (label_b.as_str(), alt.built.sim.recorder().samples())];
        let chart = render_price_comparison(&scenario.name, runs, u)?;
        chart.write(&mut out)?;
        Some(chart)
    } else {
        None
    };
    let mut page_a = ReportInput::new(&actual.summary, &scenario.description).with_label("actual");
    let mut page_b = ReportInput::new(&alt.summary, &scenario.description).with_label(&label_b);
    if let (Some(a), Some(b)) = (&charts_a, &charts_b) {
        page_a = page_a.with_charts(a);
        page_b = page_b.with_charts(b);
    }
    if let Some(chart) = &both {
        page_a = page_a.with_comparison(chart);
    }
    let html = render_report(&page_a, Some(&page_b));
    out.write("report.html", |w| Ok(w.write_all(html.as_bytes())?))?;
    out.commit()?;
    Ok((actual, alt, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_parses_its_kind() {
        let r: Replacement = " mm = idle ".parse().unwrap();
        assert_eq!(r, Replacement { group: "mm".into(), kind: AgentKind::Idle });
        let err = "mm= nope".parse::<Replacement>().unwrap_err();
        assert!(err.starts_with("unknown kind \" nope\"; the kinds are: passive_mm, retail,"), "{err}");
        assert!("mm".parse::<Replacement>().unwrap_err().contains("GROUP=KIND"));
    }
}
