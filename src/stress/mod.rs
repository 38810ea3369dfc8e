//! `mmsim stress`: does a contract pay its market maker to manipulate? Every playbook
//! ([`playbook`]) is played in the MM group's seat under the scenario's contracts, on the same
//! seeds (common random numbers), and for each one with free parameters the search ([`search`])
//! looks for the MM's best response: the parameters that maximise its mean payoff (the shared
//! accounting's [`crate::accounting::mm_payoff`]; the project's outcome is
//! [`crate::accounting::project_outcome`]).
//! The verdict compares the best manipulative playbook with the best honest one.
//!
//! **Dump premium** = mean over the seeds of (best manipulative's payoff − best honest's payoff) on
//! the same seed. Its 95% confidence interval is a *paired* Student-t interval over the common seeds:
//! mean ± t₀.₉₇₅(n−1)·sd/√n of the per-seed differences (the market draws cancel out of each
//! difference). The contract is **incentive-compatible** when the interval's upper bound is ≤ 0.
//! The bests are chosen on the same seeds, which biases both upwards (a winner's curse); the
//! premium's bias is the difference of the two, small when both searches are equally thorough.
//!
//! Runs are in memory (no run files); the horizon is the scenario's duration unless
//! `[stress] horizon` shortens it (stated as `horizon_s` in `verdict.json`). Outputs:
//! `stress.csv`, `verdict.json`, `report.html` ([`output`], [`html`]); with `[stress.grid]` the
//! verdict at every grid point too ([`grid`]).

pub mod eval;
pub mod grid;
pub mod html;
pub mod output;
pub mod playbook;
pub mod search;
pub mod spec;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use eval::{Payoff, RunFigures};
pub use playbook::{Playbook, Seat, PLAYBOOKS};
pub use spec::StressSpec;

use crate::agents::Behaviour;
use crate::progress::ProgressSink;
use crate::scenario::{Override, Scenario, ScenarioError};
use crate::sweep::exec::Counter;

/// Why a stress test failed.
#[derive(Debug, thiserror::Error)]
pub enum StressError {
    /// The scenario, its `[stress]` table or `--mm` is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// An output file could not be written.
    #[error(transparent)]
    Output(#[from] crate::report::OutputError),
    /// The worker threads could not be started.
    #[error("starting the stress test's threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// Nothing to compare: every honest or every manipulative playbook was left out or failed.
    #[error("{0}")]
    Invalid(String),
}

/// A loaded stress test: the scenario (with `--set` applied), its spec and the MM group.
#[derive(Clone, Debug)]
pub struct StressPlan {
    /// The scenario.
    pub scenario: Scenario,
    /// Playbooks, seeds, budget, horizon.
    pub spec: StressSpec,
    /// The MM group whose seat the playbooks take.
    pub mm: String,
}

impl StressPlan {
    /// Loads `path` with `overrides`, checks `mm` and parses `[stress]` (`seeds`/`budget` from the
    /// command line win over the table's).
    ///
    /// # Errors
    /// A located problem: the scenario, `[stress]`, an unknown playbook, or a group that is not an MM.
    pub fn load(
        path: &Path,
        overrides: &[Override],
        mm: &str,
        seeds: Option<u32>,
        budget: Option<u32>,
    ) -> Result<StressPlan, ScenarioError> {
        let src =
            std::fs::read_to_string(path).map_err(|source| ScenarioError::Read { path: path.to_path_buf(), source })?;
        StressPlan::load_str(&src, &path.display().to_string(), overrides, mm, seeds, budget)
    }

    /// [`StressPlan::load`] from the file's text; `file` names it in messages.
    ///
    /// # Errors
    /// As [`StressPlan::load`].
    pub fn load_str(
        src: &str,
        file: &str,
        overrides: &[Override],
        mm: &str,
        seeds: Option<u32>,
        budget: Option<u32>,
    ) -> Result<StressPlan, ScenarioError> {
        let scenario = crate::scenario::load_str(src, file, overrides)?;
        spec::check_mm(src, file, &scenario, mm)?;
        let spec = spec::parse(src, file, &scenario, overrides, seeds, budget)?;
        Ok(StressPlan { scenario, spec, mm: mm.to_string() })
    }
}

/// One evaluated candidate: a playbook with parameter values, run on every seed.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The playbook.
    pub playbook: &'static Playbook,
    /// `key=value;…`.
    pub params: String,
    /// One entry per seed (`None`: the run failed; a warning was printed).
    pub runs: Vec<Option<RunFigures>>,
    /// The best candidate of its playbook (highest mean MM payoff).
    pub best: bool,
}

impl Candidate {
    /// The MM payoffs of the runs that finished.
    pub fn mm_payoffs(&self) -> Vec<f64> {
        self.runs.iter().flatten().map(|r| r.payoff.mm).collect()
    }

    /// Mean MM payoff (NaN when no run finished or one failed).
    pub fn mean_payoff(&self) -> f64 {
        if self.runs.iter().any(Option::is_none) {
            return f64::NAN;
        }
        crate::metrics::stats::mean(&self.mm_payoffs())
    }
}

/// Everything a stress test found.
#[derive(Clone, Debug)]
pub struct StressResult {
    /// What was run.
    pub plan: StressPlan,
    /// Every candidate, playbook by playbook, in evaluation order.
    pub candidates: Vec<Candidate>,
    /// Playbooks that do not apply to this seat, and why.
    pub not_applicable: Vec<(&'static str, String)>,
    /// The price path (hours, last trade) of each playbook's best response on the first seed.
    pub paths: Vec<(&'static str, Vec<(f64, f64)>)>,
    /// The verdict.
    pub verdict: output::Verdict,
    /// Runs simulated and wall time.
    pub runs: u64,
    /// Wall time.
    pub wall: Duration,
    /// Threads used.
    pub threads: usize,
    /// `[stress.grid]`: the verdict at every grid point (empty without a grid).
    pub grid: Vec<grid::GridPoint>,
}

/// How to run a stress test.
#[derive(Clone, Debug, Default)]
pub struct StressOptions {
    /// Threads (default: every core).
    pub jobs: Option<usize>,
    /// Where to report progress (runs done of the most the budget allows).
    pub progress: ProgressSink,
}

fn name_seed(name: &str, first_seed: u64) -> u64 {
    // FNV-1a of the playbook's name, mixed with the first seed: each playbook its own start.
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    h ^ first_seed
}

/// Runs the stress test of `plan`.
///
/// # Errors
/// The threads cannot start, or nothing can be compared (no honest or no manipulative playbook ran).
pub fn run_stress(plan: &StressPlan, options: &StressOptions) -> Result<StressResult, StressError> {
    let started = Instant::now();
    let pool = crate::sweep::pool(options.jobs).map_err(|e| match e {
        crate::sweep::SweepError::Threads(t) => StressError::Threads(t),
        other => StressError::Invalid(other.to_string()),
    })?;
    let spec = &plan.spec;
    let seat = Seat::of(&plan.scenario, &plan.mm, spec.horizon_ns);
    let total: u64 =
        spec.playbooks.iter().map(|(p, _)| if p.dims.is_empty() { 1 } else { u64::from(spec.budget) }).sum::<u64>()
            * spec.seeds.len() as u64;
    let counter = Counter::new(total, 0, options.progress.clone());
    let mut candidates = Vec::new();
    let mut not_applicable = Vec::new();
    let mut runs = 0u64;
    for (pb, dims) in &spec.playbooks {
        if let Err(why) = playbook::behaviour(
            pb,
            &vec![0.5; dims.len()].iter().zip(dims).map(|(u, d)| playbook::value(d, *u)).collect::<Vec<_>>(),
            &seat,
        ) {
            not_applicable.push((pb.name, why));
            continue;
        }
        let first = candidates.len();
        let mut eval = |batch: &[Vec<f64>]| -> Vec<f64> {
            let values: Vec<Vec<f64>> =
                batch.iter().map(|u| u.iter().zip(dims).map(|(u, d)| playbook::value(d, *u)).collect()).collect();
            let behaviours: Vec<Option<Behaviour>> =
                values.iter().map(|x| playbook::behaviour(pb, x, &seat).ok()).collect();
            let jobs: Vec<(usize, u64)> =
                (0..batch.len()).flat_map(|i| spec.seeds.iter().map(move |&s| (i, s))).collect();
            let results: Vec<Option<RunFigures>> = pool.install(|| {
                jobs.par_iter()
                    .map(|&(i, seed)| {
                        let b = behaviours[i].as_ref()?;
                        let scenario = eval::seat_scenario(&plan.scenario, &plan.mm, b, seed, spec.horizon_ns);
                        let r = eval::run_figures(&scenario, &plan.mm, false);
                        counter.inc();
                        r.map_err(|e| {
                            eprintln!(
                                "warning: {} {} seed {seed}: {e:#}",
                                pb.name,
                                playbook::params_text(pb, &values[i])
                            )
                        })
                        .ok()
                    })
                    .collect()
            });
            runs += jobs.len() as u64;
            let mut means = Vec::new();
            for (i, chunk) in results.chunks(spec.seeds.len()).enumerate() {
                let c = Candidate {
                    playbook: pb,
                    params: playbook::params_text(pb, &values[i]),
                    runs: chunk.to_vec(),
                    best: false,
                };
                means.push(c.mean_payoff());
                candidates.push(c);
            }
            means
        };
        search::search(dims.len(), spec.budget, name_seed(pb.name, spec.seeds[0]), &mut eval);
        mark_best(&mut candidates[first..]);
    }
    counter.finish();
    let mut verdict = output::Verdict::of(&candidates, spec)?;
    verdict.not_applicable = not_applicable.iter().map(|(n, why)| [n.to_string(), why.clone()]).collect();
    for list in [&mut verdict.honest_playbooks, &mut verdict.manipulative_playbooks] {
        list.retain(|p| !not_applicable.iter().any(|(n, _)| n == p));
    }
    // The best responses' price paths, on the first seed.
    let bests: Vec<&Candidate> = candidates.iter().filter(|c| c.best).collect();
    let paths = pool.install(|| {
        bests
            .par_iter()
            .filter_map(|c| {
                let dims = &spec.playbooks.iter().find(|(p, _)| p.name == c.playbook.name)?.1;
                let x = parse_params(&c.params, dims.len());
                let b = playbook::behaviour(c.playbook, &x, &seat).ok()?;
                let scenario = eval::seat_scenario(&plan.scenario, &plan.mm, &b, spec.seeds[0], spec.horizon_ns);
                Some((c.playbook.name, eval::run_figures(&scenario, &plan.mm, true).ok()?.path))
            })
            .collect()
    });
    let mut grid_points = Vec::new();
    for (values, scenario) in spec.grid.iter().flat_map(|g| &g.points) {
        let point = StressPlan {
            scenario: scenario.clone(),
            spec: StressSpec { grid: None, ..spec.clone() },
            mm: plan.mm.clone(),
        };
        let r = run_stress(&point, options)?;
        runs += r.runs;
        grid_points.push(grid::GridPoint { values: values.clone(), verdict: r.verdict });
    }
    Ok(StressResult {
        plan: plan.clone(),
        candidates,
        not_applicable,
        paths,
        verdict,
        runs,
        wall: started.elapsed(),
        threads: pool.current_num_threads(),
        grid: grid_points,
    })
}

/// Parameter values back from `key=value;…` (in the box's order).
fn parse_params(text: &str, n: usize) -> Vec<f64> {
    let v: Vec<f64> = text.split(';').filter_map(|kv| kv.split_once('=')?.1.parse().ok()).collect();
    if v.len() == n {
        v
    } else {
        vec![0.0; n]
    }
}

/// Flags the candidate with the highest mean payoff (ties: the first evaluated).
fn mark_best(cands: &mut [Candidate]) {
    let key = |c: &Candidate| {
        let m = c.mean_payoff();
        if m.is_nan() {
            f64::NEG_INFINITY
        } else {
            m
        }
    };
    let best = (0..cands.len()).max_by(|&a, &b| key(&cands[a]).total_cmp(&key(&cands[b])).then(b.cmp(&a)));
    if let Some(i) = best.filter(|&i| key(&cands[i]) > f64::NEG_INFINITY) {
        cands[i].best = true;
    }
}

/// Writes `stress.csv`, `verdict.json` and `report.html` to `out` (with a grid also `grid.csv`,
/// `frontier.png` and `frontier.svg`); returns the file names.
///
/// # Errors
/// An I/O error.
pub fn write(result: &StressResult, out: &Path) -> Result<Vec<String>, StressError> {
    let mut dir = crate::report::OutputDir::create(out)?;
    dir.write("stress.csv", |w| output::write_csv(w, &result.candidates))?;
    dir.write("verdict.json", |w| output::write_verdict(w, &result.verdict))?;
    let mut files: Vec<String> = vec!["stress.csv".into(), "verdict.json".into(), "report.html".into()];
    let mut map_svg = None;
    if let Some(g) = result.plan.spec.grid.as_ref().filter(|_| !result.grid.is_empty()) {
        dir.write("grid.csv", |w| grid::write_csv(w, &g.keys, &result.grid))?;
        let (png, svg) = grid::render(g, &result.grid)?;
        dir.write("frontier.png", |w| Ok(w.write_all(&png)?))?;
        dir.write("frontier.svg", |w| Ok(w.write_all(svg.as_bytes())?))?;
        files.extend(["grid.csv".into(), "frontier.png".into(), "frontier.svg".into()]);
        map_svg = Some(svg);
    }
    let page = html::render(result, map_svg.as_deref());
    dir.write("report.html", |w| Ok(w.write_all(page.as_bytes())?))?;
    dir.commit()?;
    Ok(files)
}

/// The default output directory: `output/<scenario>_stress/`.
pub fn default_out_dir(scenario: &Scenario) -> PathBuf {
    Path::new("output").join(format!("{}_stress", scenario.name))
}
