//! A sweep's files: `runs.csv`, `points.csv`, `sweep.json`, and reading shard outputs back to
//! merge them.
//!
//! `runs.csv` has one row per run sorted by (point, replicate): `point,point_id,replicate,seed`, the
//! parameters, then the metric columns. `points.csv` is computed from those rows alone (so a merge
//! recomputes it identically): per point `point,point_id`, the parameters, `runs`, then for each
//! metric `M_n,M_mean,M_std,M_p5,M_p50,M_p95,M_ci95_low,M_ci95_high` over the `M_n` replicates
//! that have a figure (sample standard deviation and the Student-t 95% confidence interval of the
//! mean `mean ± t(0.975, n−1)·std/√n`, empty below two figures; quantiles interpolated; 10
//! significant digits). `sweep.json`
//! describes the sweep (and, for a shard, which one) so shards can be checked against each other.
//! Nothing written depends on time, threads or shards, so outputs are byte-identical.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::exec::{RunRow, RUN_ID_COLUMNS};
use super::metrics::fmt_figure;
use super::plan::{Plan, Shard};
use super::SweepError;
use crate::metrics::stats;
use crate::report::{OutputDir, OutputError};

/// Statistics written per metric in `points.csv`, as column suffixes: `n` figures, their mean,
/// sample standard deviation, quantiles, and the 95% confidence interval of the mean.
pub const STATS: [&str; 8] = ["n", "mean", "std", "p5", "p50", "p95", "ci95_low", "ci95_high"];

/// Below this many replicates `mmsim sweep` warns that the confidence intervals are wide.
pub const MIN_REPLICATES: u32 = 5;

/// The 0.975 quantile of Student's t with `df` degrees of freedom (the half-width factor of a
/// two-sided 95% interval): exact to 3 decimals from a table up to 30, then the Cornish–Fisher
/// expansion around the normal quantile (error below 1e-5).
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139, 2.200985,
        2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873,
        2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
    ];
    if (1..=30).contains(&df) {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let n = df.max(1) as f64;
    z + (z.powi(3) + z) / (4.0 * n)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * n.powi(3))
}

/// `sweep.json`: what a sweep (or one shard of it) is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Scenario name.
    pub scenario: String,
    /// The plan's fingerprint (file text, overrides, mmsim version).
    pub fingerprint: String,
    /// The sweep's seed.
    pub seed: u64,
    /// Replicates per point.
    pub replicates: u32,
    /// Number of points.
    pub points: usize,
    /// Runs in the whole sweep.
    pub runs_total: u64,
    /// Parameter keys (grid first).
    pub params: Vec<String>,
    /// How many parameters are grid parameters.
    pub grid_params: usize,
    /// Metric columns.
    pub columns: Vec<String>,
    /// The metric charted and ranked by `--charts-for`.
    pub chart_metric: String,
    /// `"max"` or `"min"`: which end of the chart metric is best.
    pub best: String,
    /// `"K/N"` for a shard's output, absent for a whole sweep.
    pub shard: Option<String>,
    /// Rows in this directory's `runs.csv`.
    pub runs: u64,
    /// Where the sweep came from (version, commit, scenario file and hash, overrides, command
    /// line); not compared between shards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::provenance::Provenance>,
}

impl Manifest {
    /// The manifest of `plan`'s output for `shard` (absent: the whole sweep) holding `runs` rows.
    pub fn of(plan: &Plan, shard: Option<Shard>, runs: u64) -> Self {
        Manifest {
            scenario: plan.scenario.name.clone(),
            fingerprint: plan.fingerprint.clone(),
            seed: plan.spec.seed,
            replicates: plan.spec.replicates,
            points: plan.points.len(),
            runs_total: plan.runs_total(),
            params: plan.params.clone(),
            grid_params: plan.grid_params,
            columns: plan.spec.columns.iter().map(|c| c.name.clone()).collect(),
            chart_metric: plan.spec.chart_metric.clone(),
            best: plan.spec.best.as_str().to_string(),
            shard: shard.map(|s| s.to_string()),
            runs,
            provenance: None,
        }
    }

    /// Same sweep (shard and row count aside).
    pub fn same_sweep(&self, other: &Manifest) -> bool {
        let strip = |m: &Manifest| Manifest { shard: None, runs: 0, provenance: None, ..m.clone() };
        strip(self) == strip(other)
    }

    /// The header `runs.csv` must have.
    pub fn runs_header(&self) -> Vec<String> {
        let ids = RUN_ID_COLUMNS.iter().map(|s| s.to_string());
        ids.chain(self.params.iter().cloned()).chain(self.columns.iter().cloned()).collect()
    }
}

/// Statistics of one metric at one point.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Figures the statistics are computed from.
    pub n: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Sample standard deviation (two or more figures).
    pub std: Option<f64>,
    /// 5th percentile.
    pub p5: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// Lower end of the 95% confidence interval of the mean (Student t, two or more figures).
    pub ci95_low: Option<f64>,
    /// Upper end of that interval.
    pub ci95_high: Option<f64>,
}

/// One row of `points.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct PointStats {
    /// Point number.
    pub point: usize,
    /// Point id.
    pub id: String,
    /// Parameter values as written in `runs.csv`.
    pub values: Vec<String>,
    /// Runs of this point.
    pub runs: usize,
    /// Per metric column.
    pub stats: Vec<Stats>,
}

/// Rounds to 10 significant digits (statistics only; figures keep full precision).
fn round10(x: f64) -> Option<f64> {
    x.is_finite().then(|| format!("{x:.9e}").parse().unwrap_or(x))
}

fn stats_of(xs: &[f64]) -> Stats {
    if xs.is_empty() {
        return Stats::default();
    }
    let std = (xs.len() >= 2).then(|| stats::sample_std_dev(xs));
    let mean = stats::mean(xs);
    let half = std.map(|s| t975(xs.len() - 1) * s / (xs.len() as f64).sqrt());
    Stats {
        n: xs.len(),
        mean: round10(mean),
        std: std.and_then(round10),
        p5: round10(stats::quantile(xs, 0.05)),
        p50: round10(stats::quantile(xs, 0.5)),
        p95: round10(stats::quantile(xs, 0.95)),
        ci95_low: half.and_then(|h| round10(mean - h)),
        ci95_high: half.and_then(|h| round10(mean + h)),
    }
}

/// Per-point statistics from sorted rows.
pub fn point_stats(m: &Manifest, rows: &[RunRow]) -> Vec<PointStats> {
    let first_metric = RUN_ID_COLUMNS.len() + m.params.len();
    let mut out = Vec::new();
    for group in rows.chunk_by(|a, b| a.point == b.point) {
        let head = &group[0].fields;
        let stats = (0..m.columns.len())
            .map(|j| {
                let xs: Vec<f64> =
                    group.iter().filter_map(|r| r.fields[first_metric + j].parse::<f64>().ok()).collect();
                stats_of(&xs)
            })
            .collect();
        out.push(PointStats {
            point: group[0].point,
            id: head[1].clone(),
            values: head[RUN_ID_COLUMNS.len()..first_metric].to_vec(),
            runs: group.len(),
            stats,
        });
    }
    out
}

/// Stages `runs.csv` and `sweep.json` in `dir`, and for a whole sweep `points.csv`; returns the
/// per-point statistics.
///
/// # Errors
/// I/O errors.
pub fn write_tables(dir: &mut OutputDir, m: &Manifest, rows: &[RunRow]) -> Result<Vec<PointStats>, OutputError> {
    dir.write("runs.csv", |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(m.runs_header())?;
        for r in rows {
            csv.write_record(&r.fields)?;
        }
        csv.flush()?;
        Ok(())
    })?;
    dir.write("sweep.json", |w| {
        serde_json::to_writer_pretty(&mut *w, m)?;
        Ok(w.write_all(b"\n")?)
    })?;
    if m.shard.is_some() {
        return Ok(Vec::new());
    }
    let points = point_stats(m, rows);
    dir.write("points.csv", |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header: Vec<String> = vec!["point".into(), "point_id".into()];
        header.extend(m.params.iter().cloned());
        header.push("runs".into());
        header.extend(m.columns.iter().flat_map(|c| STATS.iter().map(move |s| format!("{c}_{s}"))));
        csv.write_record(&header)?;
        for p in &points {
            let mut rec = vec![p.point.to_string(), p.id.clone()];
            rec.extend(p.values.iter().cloned());
            rec.push(p.runs.to_string());
            for s in &p.stats {
                rec.push(s.n.to_string());
                rec.extend([s.mean, s.std, s.p5, s.p50, s.p95, s.ci95_low, s.ci95_high].map(fmt_figure));
            }
            csv.write_record(&rec)?;
        }
        csv.flush()?;
        Ok(())
    })?;
    Ok(points)
}

/// Reads a sweep output directory: its manifest and `runs.csv` rows. The manifest is checked (its
/// scenario name is a plain name, its counts agree) and every row must be a run of that sweep.
///
/// # Errors
/// A missing or unreadable file, a manifest that does not hold together, or a `runs.csv` that does
/// not match its `sweep.json`.
pub fn read_dir(dir: &Path) -> Result<(Manifest, Vec<RunRow>), SweepError> {
    let path = dir.join("sweep.json");
    let invalid = |msg: String| SweepError::Invalid(msg);
    let text = std::fs::read_to_string(&path).map_err(OutputError::io(format!(
        "reading {} (is {} a sweep output directory?)",
        path.display(),
        dir.display()
    )))?;
    let m: Manifest =
        serde_json::from_str(&text).map_err(|e| invalid(format!("{}: not a sweep manifest: {e}", path.display())))?;
    let plain = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !plain(&m.scenario) {
        return Err(invalid(format!(
            "{}: scenario name {:?} is not a plain name ([A-Za-z0-9_-]+): not written by mmsim",
            path.display(),
            m.scenario
        )));
    }
    if m.replicates == 0 || m.runs_total != m.points as u64 * u64::from(m.replicates) {
        return Err(invalid(format!(
            "{}: runs_total {} is not points {} × replicates {}: not written by mmsim",
            path.display(),
            m.runs_total,
            m.points,
            m.replicates
        )));
    }
    let path = dir.join("runs.csv");
    let mut csv = csv::Reader::from_path(&path).map_err(|e| invalid(format!("reading {}: {e}", path.display())))?;
    let header: Vec<String> = csv
        .headers()
        .map_err(|e| invalid(format!("reading {}: {e}", path.display())))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != m.runs_header() {
        return Err(invalid(format!(
            "{}: the header does not match {}",
            path.display(),
            dir.join("sweep.json").display()
        )));
    }
    let mut rows = Vec::new();
    for (i, rec) in csv.records().enumerate() {
        let rec = rec.map_err(|e| invalid(format!("{}: line {}: {e}", path.display(), i + 2)))?;
        let fields: Vec<String> = rec.iter().map(str::to_string).collect();
        let (point, replicate) = match (fields[0].parse::<usize>(), fields[2].parse::<u32>()) {
            (Ok(p), Ok(r)) if p < m.points && r < m.replicates => (p, r),
            _ => {
                return Err(invalid(format!(
                    "{}: line {}: point {:?} replicate {:?} is not a run of this sweep ({} points × {} replicates)",
                    path.display(),
                    i + 2,
                    fields[0],
                    fields[2],
                    m.points,
                    m.replicates
                )))
            }
        };
        rows.push(RunRow { point, replicate, fields });
    }
    Ok((m, rows))
}

/// Combines shard outputs: every directory must be of the same sweep and every run must appear
/// (a run in two directories must have identical rows). Returns the whole sweep's manifest and
/// its rows, sorted.
///
/// # Errors
/// Directories of different sweeps, conflicting rows, or missing runs (named by shard).
pub fn merge_dirs(dirs: &[impl AsRef<Path>]) -> Result<(Manifest, Vec<RunRow>), SweepError> {
    let mut merged: Option<Manifest> = None;
    let mut rows: Vec<RunRow> = Vec::new();
    for dir in dirs {
        let dir = dir.as_ref();
        let (m, r) = read_dir(dir)?;
        match &merged {
            Some(first) if !first.same_sweep(&m) => {
                return Err(SweepError::Invalid(format!(
                    "{} is from another sweep than {} (scenario, fingerprint or columns differ)",
                    dir.display(),
                    dirs[0].as_ref().display()
                )))
            }
            Some(_) => {}
            None => merged = Some(m),
        }
        rows.extend(r);
    }
    let Some(mut m) = merged else { return Err(SweepError::Invalid("--merge needs at least one directory".into())) };
    rows.sort_by_key(|r| (r.point, r.replicate));
    rows.dedup_by(|b, a| a.fields == b.fields);
    if let Some(w) = rows.windows(2).find(|w| (w[0].point, w[0].replicate) == (w[1].point, w[1].replicate)) {
        return Err(SweepError::Invalid(format!(
            "point {} replicate {} appears twice with different figures",
            w[0].point, w[0].replicate
        )));
    }
    if rows.len() as u64 != m.runs_total {
        let reps = u64::from(m.replicates);
        let have: std::collections::BTreeSet<u64> =
            rows.iter().map(|r| r.point as u64 * reps + u64::from(r.replicate)).collect();
        let missing: Vec<u64> = (0..m.runs_total).filter(|r| !have.contains(r)).collect();
        let first = missing.first().copied().unwrap_or(0);
        return Err(SweepError::Invalid(format!(
            "{} of {} runs are missing (the first: point {} replicate {}); merge the output of every shard, rerunning any that did not finish",
            missing.len(),
            m.runs_total,
            first / reps,
            first % reps
        )));
    }
    m.shard = None;
    m.runs = rows.len() as u64;
    Ok((m, rows))
}
