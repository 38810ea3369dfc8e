//! `mmsim._mmsim`: the native half of the `mmsim` Python package (PyO3).
//!
//! Thin functions over the mmsim library that take paths and plain values, simulate with the GIL
//! released, and write their files into a directory; the pure-Python half (`mmsim/__init__.py`)
//! reads those files into Arrow tables. Errors become Python exceptions carrying the library's
//! located message (file, line and key), each kind its own class: `ScenarioError` for a scenario
//! or override the loader rejects, `OutputError` for a file that cannot be written or read,
//! `SweepError` for a sweep request that does not fit, `MmsimError` (the base) for anything else.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::str::FromStr;

use mmsim::provenance::Origin;
use mmsim::run::{run_with, OutputFormat, RunError, RunExtras, RunOptions};
use mmsim::scenario::{self, Limits, Override};
use mmsim::sweep::{self as lib_sweep, Plan, Shard, SweepOptions};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;

create_exception!(_mmsim, MmsimError, PyException, "Base class of every error mmsim raises.");
create_exception!(
    _mmsim,
    ScenarioError,
    MmsimError,
    "The scenario file or an override is invalid; the message names the file, line, column and key."
);
create_exception!(_mmsim, OutputError, MmsimError, "An output file could not be written or read.");
create_exception!(
    _mmsim,
    SweepError,
    MmsimError,
    "A sweep request that does not fit (shards of different sweeps, missing runs, bad options)."
);

/// The error and its sources, as the CLI prints them (`writing trades.csv: No space left`).
fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

fn scenario_err(e: mmsim::scenario::ScenarioError) -> PyErr {
    ScenarioError::new_err(chain(&e))
}

fn run_err(e: RunError) -> PyErr {
    match e {
        RunError::Scenario(e) => scenario_err(e),
        RunError::Output(e) => OutputError::new_err(chain(&e)),
        e => MmsimError::new_err(chain(&e)),
    }
}

fn sweep_err(e: lib_sweep::SweepError) -> PyErr {
    match e {
        lib_sweep::SweepError::Scenario(e) => scenario_err(e),
        lib_sweep::SweepError::Run(e) => run_err(e),
        lib_sweep::SweepError::Output(e) => OutputError::new_err(chain(&e)),
        e => SweepError::new_err(chain(&e)),
    }
}

fn overrides(set: &[String]) -> PyResult<Vec<Override>> {
    set.iter().map(|s| Override::from_str(s).map_err(scenario_err)).collect()
}

fn format(name: &str) -> PyResult<OutputFormat> {
    OutputFormat::from_str(name).map_err(|e| PyValueError::new_err(format!("format: {e}")))
}

/// Runs the scenario at `path` with `set` overrides (`KEY=VALUE`) and `seed`, writing its files
/// (tables in `format`, `csv` or `parquet`) into `out`; returns `out`.
#[pyfunction]
#[pyo3(signature = (path, set, seed, out, format = "parquet", no_trades = false, charts = false))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    path: PathBuf,
    set: Vec<String>,
    seed: Option<u64>,
    out: PathBuf,
    format: &str,
    no_trades: bool,
    charts: bool,
) -> PyResult<String> {
    let overrides = overrides(&set)?;
    let format = self::format(format)?;
    py.detach(move || {
        let mut scenario = scenario::load_with(&path, &overrides, &Limits::default()).map_err(scenario_err)?;
        if let Some(seed) = seed {
            scenario.seed = seed;
        }
        let mut recorded = overrides.clone();
        if let Some(seed) = seed {
            recorded.push(Override { key: "market.seed".into(), value: seed.to_string() });
        }
        let src = std::fs::read_to_string(&path)
            .map_err(|e| ScenarioError::new_err(format!("cannot read scenario file {}: {e}", path.display())))?;
        let origin = Origin::of(Some(&path), &src, &recorded, scenario.seed).map_err(scenario_err)?;
        let options = RunOptions { out_dir: Some(out.clone()), progress: None, charts };
        let extras = RunExtras { origin: Some(origin), format, no_trades, ..RunExtras::default() };
        run_with(&scenario, &options, &extras).map_err(run_err)?;
        Ok(out.display().to_string())
    })
}

/// Checks the scenario at `path` with `set` overrides (every sweep point too, when it has a
/// `[sweep]` table); raises `ScenarioError` naming the problem.
#[pyfunction]
#[pyo3(signature = (path, set))]
fn check(py: Python<'_>, path: PathBuf, set: Vec<String>) -> PyResult<()> {
    let overrides = overrides(&set)?;
    py.detach(move || {
        let src = std::fs::read_to_string(&path)
            .map_err(|e| ScenarioError::new_err(format!("cannot read scenario file {}: {e}", path.display())))?;
        scenario::load_with(&path, &overrides, &Limits::default()).map_err(scenario_err)?;
        if lib_sweep::has_sweep_table(&src) {
            let plan = Plan::load(&path, &overrides).map_err(scenario_err)?;
            plan.check_points().map_err(scenario_err)?;
        }
        Ok(())
    })
}

/// Runs the `[sweep]` of the scenario at `path` (or shard `shard`, `"K/N"`) on `jobs` threads into
/// `out`; returns `out`.
#[pyfunction]
#[pyo3(signature = (path, set, out, jobs = None, shard = None, format = "csv"))]
fn sweep(
    py: Python<'_>,
    path: PathBuf,
    set: Vec<String>,
    out: PathBuf,
    jobs: Option<usize>,
    shard: Option<String>,
    format: &str,
) -> PyResult<String> {
    let overrides = overrides(&set)?;
    let format = self::format(format)?;
    let shard =
        shard.map(|s| Shard::from_str(&s).map_err(|e| PyValueError::new_err(format!("shard: {e}")))).transpose()?;
    py.detach(move || {
        let plan = Plan::load(&path, &overrides).map_err(scenario_err)?;
        let options = SweepOptions {
            out_dir: out.clone(),
            jobs,
            shard,
            charts_for: None,
            progress: None,
            provenance: Some(plan.provenance(Some(&path))),
            format,
        };
        lib_sweep::run_sweep(&plan, &options).map_err(sweep_err)?;
        Ok(out.display().to_string())
    })
}

/// Merges shard output directories `dirs` into `out` (the files an unsharded sweep writes);
/// returns `out`.
#[pyfunction]
#[pyo3(signature = (dirs, out, format = "csv"))]
fn merge(py: Python<'_>, dirs: Vec<PathBuf>, out: PathBuf, format: &str) -> PyResult<String> {
    let format = self::format(format)?;
    py.detach(move || {
        lib_sweep::merge(&dirs, &out, None, Some(1), format).map_err(sweep_err)?;
        Ok(out.display().to_string())
    })
}

/// The number of runs in shard `shard` (`"K/N"`) of the sweep at `path`, and in the whole sweep.
#[pyfunction]
#[pyo3(signature = (path, set, shard = "1/1"))]
fn sweep_size(path: PathBuf, set: Vec<String>, shard: &str) -> PyResult<(usize, u64)> {
    let overrides = overrides(&set)?;
    let shard = Shard::from_str(shard).map_err(|e| PyValueError::new_err(format!("shard: {e}")))?;
    let plan = Plan::load(&path, &overrides).map_err(scenario_err)?;
    Ok((plan.runs(shard).len(), plan.runs_total()))
}

/// The native module.
#[pymodule]
fn _mmsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("MmsimError", py.get_type::<MmsimError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("OutputError", py.get_type::<OutputError>())?;
    m.add("SweepError", py.get_type::<SweepError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_size, m)?)?;
    Ok(())
}
