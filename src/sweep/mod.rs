//! Parameter sweeps: many runs of one scenario with values varied, on all cores, summarised.
//!
//! A scenario's `[sweep]` table (ignored by a single run) names the values; `mmsim sweep` runs
//! every point × replicate on a rayon pool and writes `runs.csv`, `points.csv`, `sweep.json` and a
//! chart. Any run can be repeated alone: its seed depends only on the sweep's seed, its point and
//! its replicate, so results do not depend on the number of jobs or shards.
//!
//! # Schema
//! ```toml
//! [sweep]
//! seed = 42               # default: market.seed; every run's seed derives from it
//! replicates = 4          # default 1, at most 10,000: runs per point, each with its own seed
//! metrics = ["close", "mm_pnl"]   # default: close, max_drawdown, mm_pnl, project_outcome,
//!                         #   retail_pnl, wash_share, kpi_pass_rate, conservation_ok
//! heatmap_metric = "project_outcome"   # default: the first metric column; charted and ranked
//! best = "max"            # default "max": which end of heatmap_metric --charts-for BEST picks
//!
//! [sweep.grid]            # the cartesian product of these lists (first key varies slowest)
//! "contracts.loan.tokens" = [250000, 500000, 1000000]   # any key path `--set` accepts
//! agents.retail.count = [50, 100]                       # unquoted dotted keys work too
//!
//! [sweep.random]          # n points sampled from ranges, crossed with the grid
//! n = 20
//! seed = 7                # default: the sweep's seed
//! [sweep.random.ranges]
//! "agents.mm.passive_mm.spread_bps" = { low = 10, high = 200, scale = "log" }  # or "linear"
//! ```
//! A range with integer bounds gives whole numbers; other samples are rounded to six significant
//! digits. At most 100,000 points and 1,000,000 runs. Every value is checked against the scenario
//! (by loading it with that value) before any run starts; a problem names the value's line and
//! column in `[sweep]`. The metric names are listed in [`metrics::METRICS`]; `pnl.<party>` records
//! any group's, the project's or an account's PnL.
//!
//! # Outputs
//! See [`output`] for the CSV columns. A whole sweep also writes `band_<metric>.png|svg` (one
//! parameter) or `heatmap_<metric>.png|svg` (two grid parameters), and with `--charts-for` a full
//! run report (replicate 0) for the best, worst or every point in `points/<key=value,…>/`
//! (see [`Plan::point_dir_name`]).
//! A shard writes only `runs.csv` and `sweep.json`; [`merge`] turns shard outputs into the same
//! files an unsharded sweep writes, byte for byte. Interrupted sweeps resume (see [`resume`]).

pub mod charts;
pub mod exec;
mod locate;
pub mod metrics;
pub mod output;
pub mod plan;
pub mod resume;
pub mod runs_parquet;
mod shard;
pub mod spec;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::report::OutputError;
use crate::run::RunError;
use crate::scenario::ScenarioError;

pub use exec::{execute, header, run_one, RunRow};

/// True when the scenario text has a `[sweep]` table (`mmsim check` then checks every point).
pub fn has_sweep_table(src: &str) -> bool {
    toml::from_str::<toml::Table>(src).is_ok_and(|t| t.contains_key("sweep"))
}
pub use output::{Manifest, PointStats};
pub use plan::{run_seed, Plan, Point, Shard};
pub use spec::{Best, Param, RandomSpec, RangeSpec, SweepSpec};

use crate::report::OutputDir;
use crate::run::{run_with, RunExtras, RunOptions};

/// Which points `--charts-for` renders full run reports for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartsFor {
    /// The point with the best mean of the chart metric.
    Best,
    /// The point with the worst mean.
    Worst,
    /// Every point.
    All,
}

impl std::str::FromStr for ChartsFor {
    type Err = String;

    /// `BEST`, `WORST` or `ALL`, in any case.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_uppercase().as_str() {
            "BEST" => Ok(ChartsFor::Best),
            "WORST" => Ok(ChartsFor::Worst),
            "ALL" => Ok(ChartsFor::All),
            _ => Err(format!("expected BEST, WORST or ALL, got {s:?}")),
        }
    }
}

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// Output directory.
    pub out_dir: PathBuf,
    /// Threads (default: all cores).
    pub jobs: Option<usize>,
    /// Run only this slice of the runs.
    pub shard: Option<Shard>,
    /// Render full reports for some points.
    pub charts_for: Option<ChartsFor>,
    /// Where to report progress (runs done of the runs to do), if anywhere.
    pub progress: crate::progress::ProgressSink,
    /// Recorded in `sweep.json` and the `--charts-for` reports' `summary.json`.
    pub provenance: Option<crate::provenance::Provenance>,
    /// `Parquet` also writes `runs.parquet` (`runs.csv` is always written).
    pub format: crate::run::OutputFormat,
}

/// What a sweep (or merge) did.
#[derive(Clone, Debug)]
pub struct SweepReport {
    /// Runs simulated now.
    pub runs: u64,
    /// Runs found already done in a partial file.
    pub resumed: u64,
    /// Wall time of the runs.
    pub wall: Duration,
    /// Threads used.
    pub threads: usize,
    /// Where the files went.
    pub out_dir: PathBuf,
    /// Files written, by name.
    pub files: Vec<String>,
    /// Full run reports: (what, point number, directory).
    pub reports: Vec<(String, usize, PathBuf)>,
}

impl SweepReport {
    /// Runs per second of wall time.
    pub fn runs_per_sec(&self) -> f64 {
        self.runs as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// Why a sweep (or a merge) failed.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario or its sweep table is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// An output file could not be written or read.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A request that does not fit (options, shards of different sweeps, missing runs); the message
    /// says what is allowed.
    #[error("{0}")]
    Invalid(String),
    /// The worker threads could not be started.
    #[error("starting the sweep's threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
}

/// A rayon pool of `jobs` threads (default: one per core).
///
/// # Errors
/// When the pool cannot be built.
pub fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, SweepError> {
    let threads = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).max(1);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("mmsim-sweep-{i}"))
        .build()
        .map_err(SweepError::Threads)
}

/// Runs `plan` (or one shard of it) and writes its outputs to `options.out_dir`.
///
/// # Errors
/// A combination of values the scenario rejects (before any run), or an I/O error.
pub fn run_sweep(plan: &Plan, options: &SweepOptions) -> Result<SweepReport, SweepError> {
    let pool = pool(options.jobs)?;
    pool.install(|| plan.check_points())?;
    let shard = options.shard.unwrap_or(Shard::ALL);
    if options.charts_for.is_some() && shard.n > 1 {
        return Err(SweepError::Invalid(
            "--charts-for needs the whole sweep: use it without --shard, or with --merge".into(),
        ));
    }
    let out = &options.out_dir;
    std::fs::create_dir_all(out).map_err(OutputError::io(format!("creating {}", out.display())))?;
    let header = header(plan);
    let tag = format!("# mmsim sweep {} shard {shard}", plan.fingerprint);
    let reps = u64::from(plan.spec.replicates);
    let valid = |r: &RunRow| {
        r.point < plan.points.len()
            && r.replicate < plan.spec.replicates
            && shard.contains(r.point as u64 * reps + u64::from(r.replicate))
            && r.fields[1] == plan.points[r.point].id
            && r.fields[3] == plan.seed(r.point, r.replicate).to_string()
    };
    let (checkpoint, mut rows) = resume::Checkpoint::open(out, &tag, &header, valid)?;
    let resumed = rows.len() as u64;
    if resumed > 0 {
        eprintln!("resuming: {resumed} run(s) already done in {}", out.join(resume::PARTIAL).display());
    }
    let todo: Vec<(usize, u32)> = plan
        .runs(shard)
        .into_iter()
        .filter(|id| rows.binary_search_by_key(id, |r| (r.point, r.replicate)).is_err())
        .collect();
    let progress = exec::Counter::new(resumed + todo.len() as u64, resumed, options.progress.clone());
    let started = Instant::now();
    let done = |row: &RunRow| {
        checkpoint.append(row)?;
        progress.inc();
        Ok(())
    };
    let new_rows = pool.install(|| execute(plan, &todo, &done));
    progress.finish();
    let wall = started.elapsed();
    rows.extend(new_rows?);
    rows.sort_by_key(|r| (r.point, r.replicate));
    let mut manifest = Manifest::of(plan, (shard.n > 1).then_some(shard), rows.len() as u64);
    manifest.provenance = options.provenance.clone();
    let toml = plan.effective_toml()?;
    let charts_for = options.charts_for.map(|c| (plan, c, &pool));
    let mut report = finish(out, &manifest, &rows, charts_for, Some(&toml), options.format)?;
    checkpoint.remove()?;
    report.runs = todo.len() as u64;
    report.resumed = resumed;
    report.wall = wall;
    report.threads = pool.current_num_threads();
    Ok(report)
}

/// Merges shard outputs `dirs` into `out` (the files an unsharded sweep writes, with
/// `runs.parquet` too for [`OutputFormat::Parquet`](crate::run::OutputFormat)). With `rerun`
/// (the sweep's plan, which must match the shards'), also renders `--charts-for` reports.
///
/// # Errors
/// Shards of different sweeps, missing runs, or I/O errors.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    rerun: Option<(&Plan, ChartsFor)>,
    jobs: Option<usize>,
    format: crate::run::OutputFormat,
) -> Result<SweepReport, SweepError> {
    let (mut manifest, rows) = output::merge_dirs(dirs)?;
    if let Some(p) = &mut manifest.provenance {
        p.command_line = std::env::args().collect(); // the shards' are in their own sweep.json
    }
    let toml = dirs.first().and_then(|d| std::fs::read_to_string(d.join(crate::provenance::SCENARIO_FILE)).ok());
    let pool = pool(jobs)?;
    if let Some((plan, _)) = rerun {
        if plan.fingerprint != manifest.fingerprint {
            return Err(SweepError::Invalid(format!(
                "{} (with these --set overrides) is not the scenario the shards ran: its fingerprint differs",
                plan.file
            )));
        }
    }
    let mut report = finish(out, &manifest, &rows, rerun.map(|(p, c)| (p, c, &pool)), toml.as_deref(), format)?;
    report.threads = pool.current_num_threads();
    Ok(report)
}

/// Writes the tables and chart, then any full run reports.
fn finish(
    out: &Path,
    manifest: &Manifest,
    rows: &[RunRow],
    charts_for: Option<(&Plan, ChartsFor, &rayon::ThreadPool)>,
    scenario_toml: Option<&str>,
    format: crate::run::OutputFormat,
) -> Result<SweepReport, SweepError> {
    let mut dir = OutputDir::create(out)?;
    let points = output::write_tables(&mut dir, manifest, rows)?;
    let mut files = vec!["runs.csv".to_string(), "sweep.json".to_string()];
    dir.replaces(&["runs.parquet"]);
    if format == crate::run::OutputFormat::Parquet {
        runs_parquet::write_runs_parquet(&mut dir, manifest, rows)?;
        files.push("runs.parquet".into());
    }
    if let Some(text) = scenario_toml {
        dir.write(crate::provenance::SCENARIO_FILE, |w| Ok(w.write_all(text.as_bytes())?))?;
        files.push(crate::provenance::SCENARIO_FILE.into());
    }
    if manifest.shard.is_none() {
        files.push("points.csv".into());
        files.extend(charts::render(&mut dir, manifest, &points)?);
        if let Some(reason) = charts::no_chart_reason(manifest) {
            eprintln!("note: {reason}");
        }
    }
    dir.commit()?;
    let mut reports = Vec::new();
    if let Some((plan, which, pool)) = charts_for {
        let selected = select(manifest, &points, which);
        reports = pool.install(|| {
            selected
                .par_iter()
                .map(|(what, point)| {
                    let dir = out.join("points").join(plan.point_dir_name(*point));
                    let scenario = plan.scenario(*point, 0)?;
                    let options = RunOptions { out_dir: Some(dir.clone()), progress: None, charts: true };
                    let extras = RunExtras {
                        origin: Some(plan.run_origin(*point, 0, manifest.provenance.as_ref())?),
                        ..RunExtras::default()
                    };
                    if let Err(e) = run_with(&scenario, &options, &extras) {
                        eprintln!("warning: report for point {point}: {e:#}");
                    }
                    Ok((what.clone(), *point, dir))
                })
                .collect::<Result<Vec<_>, SweepError>>()
        })?;
    }
    Ok(SweepReport {
        runs: 0,
        resumed: 0,
        wall: Duration::ZERO,
        threads: 1,
        out_dir: out.to_path_buf(),
        files,
        reports,
    })
}

/// The points `which` selects, by the chart metric's mean (ties: the lower point number).
fn select(m: &Manifest, points: &[PointStats], which: ChartsFor) -> Vec<(String, usize)> {
    if which == ChartsFor::All {
        return points.iter().map(|p| ("point".to_string(), p.point)).collect();
    }
    let Some(j) = m.columns.iter().position(|c| *c == m.chart_metric) else { return Vec::new() };
    let mut ranked: Vec<(f64, usize)> = points.iter().filter_map(|p| Some((p.stats[j].mean?, p.point))).collect();
    let higher_first = (m.best == "max") == (which == ChartsFor::Best);
    ranked.sort_by(|a, b| if higher_first { b.0.total_cmp(&a.0) } else { a.0.total_cmp(&b.0) }.then(a.1.cmp(&b.1)));
    let what = if which == ChartsFor::Best { "best" } else { "worst" };
    ranked.first().map(|&(_, p)| vec![(what.to_string(), p)]).unwrap_or_default()
}
