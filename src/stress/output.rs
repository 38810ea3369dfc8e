//! `stress.csv` and `verdict.json` (stable formats: other tools read them).
//!
//! `stress.csv`: one row per evaluated candidate, in evaluation order, columns [`COLUMNS`]. Money in
//! quote units, prices in quote units per token. `*_ci95` is the half-width of the 95% Student-t
//! confidence interval of the mean over the seeds (the interval is mean ± it; empty with one seed).
//! `params` is `key=value;…` (empty for a playbook without free parameters). `mm_payoff_*` and `project_outcome_*` are the shared accounting's
//! ([`crate::accounting`]: the MM group's `payoff`, the project's `outcome`). `kpi_pass_rate` is
//! empty without a retainer; `penalties_mean` and `collateral_forfeited_mean` are the MM's
//! penalties paid and collateral forfeited under its contracts. `best` is 1 on each playbook's best response, else 0. A candidate
//! whose runs failed has empty figures.
//!
//! `verdict.json`: `best_honest` and `best_manipulative` (`playbook`, `params`, `mm_payoff_mean`,
//! `ci95` = [low, high]), `dump_premium` and `dump_premium_ci95` (paired over the seeds: see the
//! module doc of [`super`]), `incentive_compatible` (the premium's upper bound ≤ 0), `horizon_s`,
//! `seeds` (the list), and: `project_outcome_difference` (the project's mean outcome under the best
//! manipulative minus under the best honest), `ci_method`, `search_method`, `honest_playbooks`,
//! `manipulative_playbooks`, `not_applicable`.

use std::io::Write;

use serde::Serialize;

use super::{Candidate, StressError, StressSpec};
use crate::metrics::stats;
use crate::report::OutputError;
use crate::sweep::metrics::fmt_figure;
use crate::sweep::output::t975;

/// The columns of `stress.csv`.
pub const COLUMNS: [&str; 14] = [
    "playbook",
    "params",
    "seeds",
    "mm_payoff_mean",
    "mm_payoff_ci95",
    "project_outcome_mean",
    "project_outcome_ci95",
    "retail_pnl_mean",
    "price_low_mean",
    "price_close_mean",
    "kpi_pass_rate",
    "penalties_mean",
    "collateral_forfeited_mean",
    "best",
];

/// Mean and 95% half-width (Student t) of `xs` (`None` half-width with fewer than two).
pub fn mean_ci(xs: &[f64]) -> (f64, Option<f64>) {
    let m = stats::mean(xs);
    let half = (xs.len() >= 2).then(|| t975(xs.len() - 1) * stats::sample_std_dev(xs) / (xs.len() as f64).sqrt());
    (m, half)
}

/// One side of the verdict: a playbook's best response.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Best {
    /// The playbook.
    pub playbook: String,
    /// Its parameters, `key=value;…`.
    pub params: String,
    /// Mean MM payoff over the seeds.
    pub mm_payoff_mean: f64,
    /// 95% confidence interval of that mean.
    pub ci95: [f64; 2],
    /// Mean project outcome over the seeds.
    pub project_outcome_mean: f64,
    /// Per-seed MM payoffs (for the paired interval; not written).
    #[serde(skip)]
    pub per_seed: Vec<f64>,
}

/// `verdict.json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Verdict {
    /// The best honest playbook's best response.
    pub best_honest: Best,
    /// The best manipulative playbook's best response.
    pub best_manipulative: Best,
    /// Mean of the per-seed differences (manipulative − honest).
    pub dump_premium: f64,
    /// Paired 95% interval of that mean.
    pub dump_premium_ci95: [f64; 2],
    /// True when the interval's upper bound is ≤ 0.
    pub incentive_compatible: bool,
    /// Simulated length of each run, in seconds.
    pub horizon_s: f64,
    /// The common seeds.
    pub seeds: Vec<u64>,
    /// Project outcome under the best manipulative minus under the best honest (mean over seeds).
    pub project_outcome_difference: f64,
    /// How the premium's interval is computed.
    pub ci_method: String,
    /// How the best responses are searched.
    pub search_method: String,
    /// The honest playbooks played (those that apply).
    pub honest_playbooks: Vec<String>,
    /// The manipulative playbooks played.
    pub manipulative_playbooks: Vec<String>,
    /// Playbooks left out because they do not apply, with the reason.
    pub not_applicable: Vec<[String; 2]>,
}

fn best_of(cands: &[Candidate], honest: bool) -> Option<Best> {
    let c = cands
        .iter()
        .filter(|c| c.best && c.playbook.honest == honest)
        .max_by(|a, b| a.mean_payoff().total_cmp(&b.mean_payoff()))?;
    let per_seed = c.mm_payoffs();
    let (m, half) = mean_ci(&per_seed);
    let h = half.unwrap_or(0.0);
    let proj: Vec<f64> = c.runs.iter().flatten().map(|r| r.payoff.project).collect();
    Some(Best {
        playbook: c.playbook.name.to_string(),
        params: c.params.clone(),
        mm_payoff_mean: m,
        ci95: [m - h, m + h],
        project_outcome_mean: stats::mean(&proj),
        per_seed,
    })
}

impl Verdict {
    /// The verdict over `cands` (each playbook's best flagged).
    ///
    /// # Errors
    /// When no honest or no manipulative playbook has a best response.
    pub fn of(cands: &[Candidate], spec: &StressSpec) -> Result<Verdict, StressError> {
        let missing = |what: &str| {
            StressError::Invalid(format!(
                "no {what} playbook ran to the end: [stress] playbooks must include at least one honest \
                 (passive, delta_hedge, kpi_minimal) and one manipulative playbook that apply to this group"
            ))
        };
        let honest = best_of(cands, true).ok_or_else(|| missing("honest"))?;
        let manip = best_of(cands, false).ok_or_else(|| missing("manipulative"))?;
        let diffs: Vec<f64> = manip.per_seed.iter().zip(&honest.per_seed).map(|(m, h)| m - h).collect();
        let (premium, half) = mean_ci(&diffs);
        let h = half.unwrap_or(0.0);
        let names = |honest: bool| {
            let mut v: Vec<String> =
                spec.playbooks.iter().filter(|(p, _)| p.honest == honest).map(|(p, _)| p.name.to_string()).collect();
            v.dedup();
            v
        };
        Ok(Verdict {
            project_outcome_difference: manip.project_outcome_mean - honest.project_outcome_mean,
            best_honest: honest,
            best_manipulative: manip,
            dump_premium: premium,
            dump_premium_ci95: [premium - h, premium + h],
            incentive_compatible: premium + h <= 0.0,
            horizon_s: spec.horizon_ns as f64 / 1e9,
            seeds: spec.seeds.clone(),
            ci_method: "paired over the common seeds: mean ± t(0.975, n−1)·sd/√n of the per-seed differences \
                        (best manipulative − best honest payoff on the same seed)"
                .into(),
            search_method: format!(
                "per playbook, {} evaluations (each on every seed): a seeded Latin-hypercube start, then compass \
                 search from the best point inside the box",
                spec.budget
            ),
            honest_playbooks: names(true),
            manipulative_playbooks: names(false),
            not_applicable: Vec::new(),
        })
    }
}

/// Writes `stress.csv`.
///
/// # Errors
/// An I/O error.
pub fn write_csv(w: &mut dyn Write, cands: &[Candidate]) -> Result<(), OutputError> {
    let mut csv = csv::Writer::from_writer(w);
    let err = |e: csv::Error| OutputError::Io { context: "writing stress.csv".into(), source: e.into() };
    csv.write_record(COLUMNS).map_err(err)?;
    for c in cands {
        let ok = c.runs.iter().all(Option::is_some) && !c.runs.is_empty();
        let runs: Vec<_> = c.runs.iter().flatten().collect();
        let col = |f: &dyn Fn(&super::RunFigures) -> f64| runs.iter().map(|r| f(r)).collect::<Vec<f64>>();
        let mean = |xs: Vec<f64>| if ok { fmt_figure(Some(stats::mean(&xs))) } else { String::new() };
        let ci = |xs: Vec<f64>| if ok { fmt_figure(mean_ci(&xs).1) } else { String::new() };
        let kpi: Vec<f64> = runs.iter().filter_map(|r| r.kpi_pass).collect();
        let kpi = if ok && !kpi.is_empty() { fmt_figure(Some(stats::mean(&kpi))) } else { String::new() };
        csv.write_record([
            c.playbook.name.to_string(),
            c.params.clone(),
            c.runs.len().to_string(),
            mean(col(&|r| r.payoff.mm)),
            ci(col(&|r| r.payoff.mm)),
            mean(col(&|r| r.payoff.project)),
            ci(col(&|r| r.payoff.project)),
            mean(col(&|r| r.retail_pnl)),
            mean(col(&|r| r.price_low)),
            mean(col(&|r| r.price_close)),
            kpi,
            mean(col(&|r| r.penalties)),
            mean(col(&|r| r.forfeited)),
            if c.best { "1" } else { "0" }.to_string(),
        ])
        .map_err(err)?;
    }
    csv.flush().map_err(|e| OutputError::Io { context: "writing stress.csv".into(), source: e })?;
    Ok(())
}

/// Writes `verdict.json`.
///
/// # Errors
/// An I/O error.
pub fn write_verdict(w: &mut dyn Write, v: &Verdict) -> Result<(), OutputError> {
    serde_json::to_writer_pretty(&mut *w, v)
        .map_err(|e| OutputError::Io { context: "writing verdict.json".into(), source: e.into() })?;
    writeln!(w).map_err(|e| OutputError::Io { context: "writing verdict.json".into(), source: e })?;
    Ok(())
}
