//! `mmsim calibrate`: fit a replica of a real market's order flow, and show how close it is.
//!
//! 1. [`real`] reads the market-data files (any format [`crate::feed`] reads) in two streamed
//!    passes: the market's own tick and lot, then the touch, depth, trades, taker orders, limit
//!    orders and cancels by distance from the touch.
//! 2. [`fit`] turns them into the parameters of a [`flow`](crate::agents::flow) crowd (rates per
//!    side and hour, Hawkes over-dispersion, log-normal sizes with a round-size share, limit orders
//!    and cancels by distance), then searches three scale knobs by simulating the replica until its
//!    median spread, trades per minute and median trade size match.
//! 3. [`replica`] writes the scenario; the replica is simulated once more over the data's whole
//!    span and measured by the same code as the data ([`measure`]); [`page`] writes
//!    `calibration.json` and `calibration.html` with the figures side by side.
//!
//! ```no_run
//! use mmsim::calibrate::{calibrate_files, CalibrateOptions};
//! let c = calibrate_files(&["ethusdt.gz"], &CalibrateOptions::default())?;
//! println!("{}", c.replica.toml());
//! # Ok::<(), mmsim::calibrate::CalibrateError>(())
//! ```

pub mod fit;
pub mod measure;
pub mod page;
pub mod real;
pub mod replica;
pub mod stats;

use std::path::Path;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::feed::FeedError;
use fit::{Estimates, Knobs, Round};
use measure::{Figures, Observed, Panel};
use replica::{ReplicaSpec, MEMBERS};

/// Why a calibration failed.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// A data file is unreadable or damaged (located).
    #[error(transparent)]
    Feed(#[from] FeedError),
    /// The data hold too little to fit.
    #[error("{files}: cannot calibrate: {what}")]
    NotEnough {
        /// The files.
        files: String,
        /// What is missing.
        what: String,
    },
    /// A file could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A bug in calibrate (the replica it wrote does not run).
    #[error("calibrate produced a replica that does not run (a bug in mmsim; please report it): {0}")]
    Internal(String),
}

/// How to calibrate.
#[derive(Clone, Debug)]
pub struct CalibrateOptions {
    /// Seed of the replica (and of the search's runs).
    pub seed: u64,
    /// Rounds of the search at most.
    pub rounds: usize,
    /// Length of the search's runs at most, ns (the final run covers the whole span).
    pub search_ns: u64,
    /// Scenario name (default: from the first file's name).
    pub name: Option<String>,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions { seed: 1, rounds: 12, search_ns: 600_000_000_000, name: None }
    }
}

/// A finished calibration.
#[derive(Debug)]
pub struct Calibration {
    /// The replica scenario.
    pub replica: ReplicaSpec,
    /// The direct estimates.
    pub estimates: Estimates,
    /// The knobs chosen.
    pub knobs: Knobs,
    /// The search's rounds.
    pub rounds: Vec<Round>,
    /// The data's figures.
    pub real: Figures,
    /// The replica's figures (its whole span, the replica's own seed).
    pub simulated: Figures,
    /// Side-by-side panels.
    pub panels: Vec<Panel>,
    /// The data files.
    pub files: Vec<String>,
}

/// One headline comparison.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Comparison {
    /// Figure name.
    pub name: &'static str,
    /// Real value.
    pub real: f64,
    /// Replica value.
    pub replica: f64,
    /// (replica − real) / real.
    pub relative_error: Option<f64>,
    /// |relative error| ≤ 25%.
    pub within_25pct: bool,
}

impl Calibration {
    /// The three headline comparisons (median spread, trades per minute, median trade size).
    pub fn comparisons(&self) -> Vec<Comparison> {
        self.real
            .named()
            .iter()
            .zip(self.simulated.named())
            .map(|(&(name, real), (_, replica))| {
                let relative_error = measure::relative_error(real, replica);
                Comparison {
                    name,
                    real,
                    replica,
                    relative_error,
                    within_25pct: relative_error.is_some_and(|e| e.abs() <= 0.25),
                }
            })
            .collect()
    }
}

fn scenario_name(path: &Path) -> String {
    let stem = path.file_name().and_then(|s| s.to_str()).unwrap_or("market");
    let stem = stem.split('.').next().unwrap_or("market");
    let clean: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    format!("replica_{clean}")
}

/// Calibrates a replica of the market in `paths` (see the module doc).
///
/// # Errors
/// Unreadable or damaged files, too little data, or an I/O error with the temporary trade file.
pub fn calibrate_files<P: AsRef<Path>>(paths: &[P], options: &CalibrateOptions) -> Result<Calibration, CalibrateError> {
    let files: Vec<String> = paths.iter().map(|p| p.as_ref().display().to_string()).collect();
    let grid = real::grid(paths)?;
    let market = real::measure(paths, grid)?;
    let estimates = fit::estimate(&market, &files.join(", "))?;
    let real_figures = Figures::of(&market.observed);
    let span_ns = market.observed.duration_ns.div_ceil(1_000_000_000).max(1) * 1_000_000_000;
    let name = options.name.clone().unwrap_or_else(|| scenario_name(paths[0].as_ref()));
    let description = format!(
        "fitted by mmsim calibrate to {} ({:.1} minutes, {} trades)",
        files.join(", "),
        estimates.minutes,
        market.observed.trade_ns.len()
    );
    let spec_for = |knobs: Knobs, duration_ns: u64| {
        let flow = estimates.flow(knobs);
        // Each member covers a quarter of its balance per order: give it a hundred times the
        // large (99th percentile) orders and a share of the span's volume, in whole lots and cash
        // atoms, within the engine's reporting limit (total lots × total cash atoms ≤ 1e25).
        let sizes: Vec<f64> = market.taker_sizes.iter().chain(&market.add_sizes).copied().collect();
        let big = stats::quantile(&sizes, 0.99).unwrap_or(1.0);
        let tokens = (big * 100.0 + market.volume * 2.0 / f64::from(MEMBERS)) * knobs.size.max(1.0);
        let lot = grid.lot.to_f64().unwrap_or(1.0);
        let price_atoms = market.open_ticks as f64 * 2.0;
        let members = f64::from(MEMBERS);
        let cap = (1e25 / (price_atoms * members * members)).sqrt();
        let lots = (tokens / lot).min(cap).ceil().clamp(1.0, 1e15) as i64;
        let tokens = Decimal::from(lots) * grid.lot;
        let cash = tokens * Decimal::from(market.open_ticks) * grid.tick * Decimal::from(2);
        ReplicaSpec {
            name: name.clone(),
            description: description.clone(),
            seed: options.seed,
            tick: grid.tick,
            lot: grid.lot,
            open_ticks: market.open_ticks,
            duration_ns,
            cash,
            tokens,
            flow,
        }
    };
    let distances = estimates.distances;
    let search_ns = span_ns.min(options.search_ns.div_ceil(1_000_000_000).max(1) * 1_000_000_000);
    let (knobs, rounds) =
        fit::search(&real_figures, options.rounds, |k| replica::simulate(&spec_for(k, search_ns), distances))?;
    let replica = spec_for(knobs, span_ns);
    let mut sim: Observed = replica::simulate(&replica, distances)?;
    sim.depth_sum.truncate(distances);
    let mut real_obs = market.observed.clone();
    real_obs.depth_sum.truncate(distances);
    Ok(Calibration {
        simulated: Figures::of(&sim),
        panels: measure::panels(&real_obs, &sim),
        replica,
        estimates,
        knobs,
        rounds,
        real: real_figures,
        files,
    })
}
