//! Avellaneda & Stoikov, "High-frequency trading in a limit order book" (Quantitative Finance 8(3),
//! 2008), §3.3 and Tables 1–3, reproduced on our exchange.
//!
//! **The paper's setup.** The mid price starts at `S0` and moves `±σ·√dt` with equal probability
//! each step of `dt` until `T`. A market maker holding `q` quotes one unit on each side; a quote at
//! distance `δ` from the mid is hit during a step with probability `A·exp(−k·δ)·dt`. The
//! *inventory* strategy quotes around the reservation price `r = s − q·γ·σ²·(T−t)`, the
//! *symmetric* strategy around the mid with the same width. Profit is `cash + q·S_T` at `T`.
//!
//! **On our engine.** Each simulated path is a fresh [`Exchange`](crate::exchange::Exchange)
//! with two accounts. The market maker's bid and ask rest on the book as limit orders of one lot,
//! cancelled and replaced every step; an exogenous-flow agent sends one-lot market orders that
//! hit them with the paper's probability, so every fill is matched by the book and settled by the
//! ledger. Prices are rounded to `tick_size` (fine enough that rounding does not matter); the mid
//! is the exogenous reference price and is never rounded. Fees are zero; the market maker's
//! account starts with ample cash and tokens so that a short position is possible, and `q` and
//! cash are measured against that start.
//!
//! **Width.** The paper's formula is `γ·σ²·(T−t) + (2/γ)·ln(1 + γ/k)`, but its tables report
//! 1.33 / 1.29 / 1.15 for γ = 0.01 / 0.1 / 0.5, which is the second term alone, and its symmetric
//! strategy's profits match only that width. So by default both strategies quote the constant
//! width `(2/γ)·ln(1 + γ/k)`; `spread_with_horizon = true` quotes the full formula.
//!
//! **Randomness.** Simulation `i` draws its mid moves and its two fill uniforms per step from the
//! stream `as:{i}` of the seed, and every (γ, strategy) pair replays the same draws (common random
//! numbers, as in the paper's side-by-side comparison). Simulations run in parallel and are
//! aggregated in index order, so the table does not depend on the thread count.
//!
//! Outputs: `as_table.csv` with columns `gamma,strategy,spread,profit_mean,profit_std,q_mean,q_std`
//! (sample standard deviations; `spread` is the mean quoted width).

mod path;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use rayon::prelude::*;
use serde::Deserialize;

use crate::metrics::stats::{mean, sample_std_dev};
use crate::units::Dec;
use path::{draws, run_path, PathResult, Setup};

/// The `kind` of this experiment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsKind {
    /// `kind = "avellaneda_stoikov"`.
    #[default]
    AvellanedaStoikov,
}

/// The `[experiment]` table. Every parameter defaults to the paper's value.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AsExperimentConfig {
    /// Must be `"avellaneda_stoikov"`.
    pub kind: AsKind,
    /// Master seed of every path's random stream. Default 2008.
    pub seed: u64,
    /// Starting mid price `S0`, quote units. Default 100.
    pub s0: f64,
    /// Volatility σ of the mid, quote units per √(time unit). Default 2.
    pub sigma: f64,
    /// Horizon `T`, time units. Default 1.
    pub horizon_t: f64,
    /// Step `dt`, time units; `T/dt` must be a whole number of steps. Default 0.005.
    pub dt: f64,
    /// Fill intensity `A` of a quote at the mid, fills per time unit. Default 140.
    pub intensity_a: f64,
    /// Decay `k` of the fill intensity with distance, per quote unit. Default 1.5.
    pub decay_k: f64,
    /// Risk aversions γ to run, per quote unit. Default `[0.01, 0.1, 0.5]` (Tables 1–3).
    pub gammas: Vec<f64>,
    /// Simulated paths per γ. Default 1000.
    pub simulations: u32,
    /// Starting inventory `q0`, units. Default 0.
    pub q0: i64,
    /// Price grid of the book, quote units. Default `"0.0001"`.
    pub tick_size: Dec,
    /// Quote the full width `γσ²(T−t) + (2/γ)ln(1+γ/k)` instead of the tables' `(2/γ)ln(1+γ/k)`.
    /// Default false.
    pub spread_with_horizon: bool,
}

impl Default for AsExperimentConfig {
    fn default() -> Self {
        AsExperimentConfig {
            kind: AsKind::AvellanedaStoikov,
            seed: 2008,
            s0: 100.0,
            sigma: 2.0,
            horizon_t: 1.0,
            dt: 0.005,
            intensity_a: 140.0,
            decay_k: 1.5,
            gammas: vec![0.01, 0.1, 0.5],
            simulations: 1_000,
            q0: 0,
            tick_size: Dec(rust_decimal::Decimal::new(1, 4)),
            spread_with_horizon: false,
        }
    }
}

impl AsExperimentConfig {
    /// The number of steps `T/dt`.
    pub fn steps(&self) -> usize {
        (self.horizon_t / self.dt).round().max(0.0) as usize
    }

    /// Checks every parameter.
    ///
    /// # Errors
    /// The first parameter out of range, by its key.
    pub fn check(&self) -> Result<()> {
        let positive = [
            ("s0", self.s0),
            ("horizon_t", self.horizon_t),
            ("dt", self.dt),
            ("intensity_a", self.intensity_a),
            ("decay_k", self.decay_k),
        ];
        for (key, v) in positive {
            ensure!(v.is_finite() && v > 0.0, "{key} = {v} must be > 0");
        }
        ensure!(self.sigma.is_finite() && self.sigma >= 0.0, "sigma = {} must be ≥ 0", self.sigma);
        let steps = self.steps();
        ensure!(
            steps >= 1 && (steps as f64 * self.dt - self.horizon_t).abs() < 1e-9 * self.horizon_t.max(1.0),
            "horizon_t / dt = {} must be a whole number of steps ≥ 1",
            self.horizon_t / self.dt
        );
        ensure!(!self.gammas.is_empty(), "gammas must list at least one risk aversion");
        for &g in &self.gammas {
            ensure!(g.is_finite() && g > 0.0, "gammas: {g} must be > 0");
        }
        ensure!(self.simulations >= 2, "simulations = {} must be ≥ 2 (standard deviations)", self.simulations);
        let work = self.simulations as u64 * steps as u64 * self.gammas.len() as u64;
        ensure!(work <= 2_000_000_000, "simulations × steps × gammas = {work} is too large (at most 2e9)");
        ensure!(self.tick_size.0 > rust_decimal::Decimal::ZERO, "tick_size = {} must be > 0", self.tick_size.0);
        let s0_ticks = self.s0 / self.tick();
        ensure!(s0_ticks < 1e15, "s0 / tick_size = {s0_ticks} ticks is too fine a grid");
        ensure!(
            s0_ticks >= 1.0,
            "tick_size = {} is above s0 = {}: the grid must be finer than the price",
            self.tick_size.0,
            self.s0
        );
        ensure!(
            self.q0.unsigned_abs() + steps as u64 <= path::ENDOWMENT_LOTS as u64,
            "q0 = {} and {steps} steps: each account starts with {} units besides q0, so |q0| + horizon_t / dt \
             must be at most that",
            self.q0,
            path::ENDOWMENT_LOTS
        );
        let top = self.highest_quote(self.sigma);
        if !(top <= path::ENDOWMENT_CASH / (steps as f64 + 1.0) && top / self.tick() < 1e15) {
            // The largest sigma that passes, to say what is allowed.
            let (mut lo, mut hi) = (0.0, self.sigma);
            for _ in 0..200 {
                let mid = (lo + hi) / 2.0;
                if self.highest_quote(mid) <= path::ENDOWMENT_CASH / (steps as f64 + 1.0) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            anyhow::bail!(
                "sigma = {} is too large: over {steps} steps the quotes could reach {top:.4e} quote units, and each \
                 account's {:e} of cash must cover one unit at that price every step; with these parameters sigma \
                 is at most {:.4}",
                self.sigma,
                path::ENDOWMENT_CASH,
                lo
            );
        }
        Ok(())
    }

    /// The highest price a quote can reach with volatility `sigma`: the mid after every step went
    /// up, plus the reservation shift of the largest possible inventory and half the widest spread.
    fn highest_quote(&self, sigma: f64) -> f64 {
        let steps = self.steps() as f64;
        let gamma = self.gammas.iter().copied().fold(0.0, f64::max);
        let risk = gamma * sigma * sigma * self.horizon_t;
        let q = self.q0.unsigned_abs() as f64 + steps;
        let arrival = self.gammas.iter().map(|&g| 2.0 / g * (g / self.decay_k).ln_1p()).fold(0.0, f64::max);
        self.s0 + steps * sigma * self.dt.sqrt() + q * risk + (risk + arrival) / 2.0
    }

    fn tick(&self) -> f64 {
        rust_decimal::prelude::ToPrimitive::to_f64(&self.tick_size.0).unwrap_or(f64::NAN)
    }
}

/// The file: optional `name` and `description`, and the `[experiment]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AsFile {
    #[allow(dead_code)]
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    experiment: AsExperimentConfig,
}

/// Parses and checks an experiment file's text.
///
/// # Errors
/// TOML or type errors (with line and column), unknown keys, parameters out of range.
pub fn parse(text: &str) -> Result<AsExperimentConfig> {
    let file: AsFile = toml::from_str(text)?;
    file.experiment.check()?;
    Ok(file.experiment)
}

/// The two strategies of the paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Quotes around the reservation price `r = s − q·γ·σ²·(T−t)`.
    Inventory,
    /// Quotes the same width around the mid.
    Symmetric,
}

impl Strategy {
    /// `inventory` or `symmetric`, as written in the table.
    pub const fn as_str(self) -> &'static str {
        match self {
            Strategy::Inventory => "inventory",
            Strategy::Symmetric => "symmetric",
        }
    }
}

/// One row of the table: a strategy at one γ over all simulations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AsRow {
    /// Risk aversion γ.
    pub gamma: f64,
    /// The strategy.
    pub strategy: Strategy,
    /// Mean quoted width (ask − bid), quote units.
    pub spread: f64,
    /// Mean final profit `cash + q·S_T`, quote units.
    pub profit_mean: f64,
    /// Sample standard deviation of the final profit.
    pub profit_std: f64,
    /// Mean final inventory, units.
    pub q_mean: f64,
    /// Sample standard deviation of the final inventory.
    pub q_std: f64,
}

/// The paper's Table 2 (γ = 0.1): (strategy, profit mean, profit std, std of final inventory).
pub const PAPER_TABLE_2: [(Strategy, f64, f64, f64); 2] =
    [(Strategy::Inventory, 62.94, 5.89, 2.80), (Strategy::Symmetric, 67.21, 13.43, 8.66)];

/// Runs every γ and both strategies; no files are written.
///
/// # Errors
/// A parameter out of range.
pub fn simulate(config: &AsExperimentConfig) -> Result<Vec<AsRow>> {
    config.check()?;
    let setup = Setup::new(config, config.tick());
    // results[i][g][s]: simulation i, γ index g, strategy s (inventory, symmetric).
    let results: Vec<Vec<[PathResult; 2]>> = (0..config.simulations)
        .into_par_iter()
        .map(|i| {
            let steps = draws(config, i);
            let run = |g, s| run_path(&setup, g, s, &steps);
            config
                .gammas
                .iter()
                .map(|&g| Ok([run(g, Strategy::Inventory)?, run(g, Strategy::Symmetric)?]))
                .collect::<Result<Vec<_>, String>>()
        })
        .collect::<Result<_, String>>()
        .map_err(|e| anyhow::anyhow!("{e}; lower sigma, gammas or the number of steps"))?;
    let mut rows = Vec::with_capacity(2 * config.gammas.len());
    for (g, &gamma) in config.gammas.iter().enumerate() {
        for (s, strategy) in [Strategy::Inventory, Strategy::Symmetric].into_iter().enumerate() {
            let paths: Vec<&PathResult> = results.iter().map(|r| &r[g][s]).collect();
            let profit: Vec<f64> = paths.iter().map(|p| p.profit).collect();
            let q: Vec<f64> = paths.iter().map(|p| p.q as f64).collect();
            let spread = mean(&paths.iter().map(|p| p.mean_spread).collect::<Vec<_>>());
            rows.push(AsRow {
                gamma,
                strategy,
                spread,
                profit_mean: mean(&profit),
                profit_std: sample_std_dev(&profit),
                q_mean: mean(&q),
                q_std: sample_std_dev(&q),
            });
        }
    }
    Ok(rows)
}

/// Runs the experiment and writes `as_table.csv` into `out_dir` (created if missing).
///
/// # Errors
/// A parameter out of range, or the table cannot be written.
pub fn run(config: &AsExperimentConfig, out_dir: &Path) -> Result<Vec<AsRow>> {
    let rows = simulate(config)?;
    write_csv(&rows, &out_dir.join("as_table.csv"))?;
    Ok(rows)
}

/// Writes the rows as CSV to `path`, through a temporary file renamed into place.
///
/// # Errors
/// The directory cannot be created or the file written.
pub fn write_csv(rows: &[AsRow], path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut text = String::from("gamma,strategy,spread,profit_mean,profit_std,q_mean,q_std\n");
    for r in rows {
        let _ = writeln!(
            text,
            "{},{},{:.4},{:.4},{:.4},{:.4},{:.4}",
            r.gamma,
            r.strategy.as_str(),
            r.spread,
            r.profit_mean,
            r.profit_std,
            r.q_mean,
            r.q_std
        );
    }
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The table as aligned text, with the paper's Table 2 beside the γ = 0.1 rows.
pub fn format_table(config: &AsExperimentConfig, rows: &[AsRow]) -> String {
    let mut out = format!(
        "Avellaneda-Stoikov (2008) §3.3: {} simulations, S0 = {}, σ = {}, T = {}, dt = {}, A = {}, k = {}\n",
        config.simulations, config.s0, config.sigma, config.horizon_t, config.dt, config.intensity_a, config.decay_k
    );
    let _ = writeln!(
        out,
        "{:>6}  {:<9}  {:>6}  {:>11}  {:>10}  {:>6}  {:>6}  paper (mean, std, q std)",
        "gamma", "strategy", "spread", "profit_mean", "profit_std", "q_mean", "q_std"
    );
    for r in rows {
        let paper = PAPER_TABLE_2
            .iter()
            .find(|p| (r.gamma - 0.1).abs() < 1e-12 && p.0 == r.strategy)
            .map_or(String::new(), |p| format!("{:.2}, {:.2}, {:.2}", p.1, p.2, p.3));
        let _ = writeln!(
            out,
            "{:>6}  {:<9}  {:>6.3}  {:>11.2}  {:>10.2}  {:>6.2}  {:>6.2}  {paper}",
            r.gamma,
            r.strategy.as_str(),
            r.spread,
            r.profit_mean,
            r.profit_std,
            r.q_mean,
            r.q_std
        );
    }
    out
}

/// Reads, runs and prints the experiment file at `path`; see [`super::run_file`].
///
/// # Errors
/// As [`parse`] and [`run`], with the file's name.
pub fn run_file(path: &Path, out_dir: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let config = parse(&text).with_context(|| format!("in {}", path.display()))?;
    let rows = run(&config, out_dir)?;
    Ok(format_table(&config, &rows))
}
