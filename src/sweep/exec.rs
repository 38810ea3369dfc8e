//! Running a sweep's runs on a rayon pool, one row of figures per run.
//!
//! Each run is pure and single-threaded: load the point's scenario, simulate it in memory
//! (`out_dir: None`), extract the figures and drop everything else, so memory holds one simulation
//! per thread plus a short row per finished run. `par_iter().map().collect()` keeps input order.
//! Progress (runs done, runs/s) goes to the caller's [`crate::progress::Progress`] sink.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::SweepError;
use crate::progress::ProgressSink;

use super::metrics::{extract, fmt_figure};
use super::plan::{value_display, Plan};
use crate::run::{run, RunOptions};

/// The fixed columns of `runs.csv` before the parameters.
pub const RUN_ID_COLUMNS: [&str; 4] = ["point", "point_id", "replicate", "seed"];

/// One line of `runs.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRow {
    /// Point number.
    pub point: usize,
    /// Replicate number.
    pub replicate: u32,
    /// Every field as written: ids, seed, parameter values, figures.
    pub fields: Vec<String>,
}

/// The header of `runs.csv`: ids and seed, the parameters, the metric columns.
pub fn header(plan: &Plan) -> Vec<String> {
    let ids = RUN_ID_COLUMNS.iter().map(|s| s.to_string());
    ids.chain(plan.params.iter().cloned()).chain(plan.spec.columns.iter().map(|c| c.name.clone())).collect()
}

/// Runs replicate `replicate` of point `point` in memory and keeps its figures.
///
/// A run whose conservation check fails (a bug in mmsim) still gives a row: `conservation_ok` is 0
/// and the other figures are empty; a warning goes to stderr.
///
/// # Errors
/// When the point's scenario does not load (not expected: the plan was checked).
pub fn run_one(plan: &Plan, point: usize, replicate: u32) -> Result<RunRow, SweepError> {
    let seed = plan.seed(point, replicate);
    let scenario = plan.scenario(point, replicate)?;
    let figures = match run(&scenario, &RunOptions::default()) {
        Ok(outcome) => extract(&plan.spec.columns, &outcome, &scenario),
        Err(e) => {
            eprintln!("warning: point {point} replicate {replicate} (seed {seed}): {e:#}");
            let failed = |c: &super::metrics::MetricColumn| c.figure == super::metrics::Figure::ConservationOk;
            plan.spec.columns.iter().map(|c| failed(c).then_some(0.0)).collect()
        }
    };
    let p = &plan.points[point];
    let mut fields = vec![point.to_string(), p.id.clone(), replicate.to_string(), seed.to_string()];
    fields.extend(p.values.iter().map(value_display));
    fields.extend(figures.into_iter().map(fmt_figure));
    Ok(RunRow { point, replicate, fields })
}

/// Runs `todo` on the current rayon pool, calling `done` after each run (from any thread), and
/// returns the rows in `todo`'s order.
///
/// # Errors
/// The first failing run's error.
pub fn execute(
    plan: &Plan,
    todo: &[(usize, u32)],
    done: &(dyn Fn(&RunRow) -> Result<(), SweepError> + Sync),
) -> Result<Vec<RunRow>, SweepError> {
    todo.par_iter()
        .map(|&(point, replicate)| {
            let row = run_one(plan, point, replicate)?;
            done(&row)?;
            Ok(row)
        })
        .collect()
}

/// Counts finished runs and reports them, with the rate of this session's runs, to a sink.
#[derive(Debug)]
pub(crate) struct Counter {
    done: AtomicU64,
    total: u64,
    resumed: u64,
    started: Instant,
    sink: ProgressSink,
}

impl Counter {
    /// Progress over `total` runs of which `done` are already finished.
    pub(crate) fn new(total: u64, done: u64, sink: ProgressSink) -> Self {
        Counter { done: AtomicU64::new(done), total, resumed: done, started: Instant::now(), sink }
    }

    /// One more run finished.
    pub(crate) fn inc(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(sink) = &self.sink {
            let rate = (done - self.resumed) as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            sink.update(done, self.total, &format!("{rate:.1} runs/s"));
        }
    }

    /// The runs are over.
    pub(crate) fn finish(&self) {
        if let Some(sink) = &self.sink {
            sink.finish();
        }
    }
}
