//! The replica: a scenario text with one `flow` crowd, and its simulation measured by the same code
//! as the real market ([`Observed`]).
//!
//! The scenario is written as TOML and read back through the ordinary loader
//! ([`crate::scenario::load_str`]), so what is measured is exactly what `mmsim run` would run.
//! The simulation is stepped 100 ms at a time to sample the touch and depth; its trades are
//! streamed to a temporary `trades.csv` and read back.

use std::fmt::Write as _;
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::measure::{Observed, GRID_NS};
use super::CalibrateError;
use crate::agents::flow::FlowConfig;
use crate::build::build;
use crate::metrics::{TradeLog, Units};
use crate::types::{Price, SimTime};

/// Crowd members in a replica.
pub const MEMBERS: u32 = 50;

/// Everything a replica scenario says.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaSpec {
    /// Scenario name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Seed.
    pub seed: u64,
    /// Quote units per tick.
    pub tick: Decimal,
    /// Tokens per lot.
    pub lot: Decimal,
    /// Opening price, ticks.
    pub open_ticks: i64,
    /// Length, ns (whole seconds).
    pub duration_ns: u64,
    /// Each member's cash, quote units (whole cash atoms).
    pub cash: Decimal,
    /// Each member's tokens (whole lots).
    pub tokens: Decimal,
    /// The crowd.
    pub flow: FlowConfig,
}

fn list(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|x| num(*x)).collect();
    format!("[{}]", items.join(", "))
}

/// A float as TOML writes it (shortest round-trip form, always with a decimal point or exponent).
fn num(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E']) || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

impl ReplicaSpec {
    /// The scenario as TOML.
    pub fn toml(&self) -> String {
        let f = &self.flow;
        let open = Decimal::from(self.open_ticks) * self.tick;
        let mut s = String::new();
        let _ = writeln!(s, "# A replica written by `mmsim calibrate`: {}", self.description);
        let _ = writeln!(s, "# Run it with: mmsim run <this file>. Every [agents.flow] value is a measurement");
        let _ = writeln!(s, "# of the data or the calibration search (see calibration.json next to this file).\n");
        let _ =
            writeln!(s, "[market]\nname = {:?}\ndescription = {:?}\nseed = {}", self.name, self.description, self.seed);
        let _ = writeln!(
            s,
            "tick = \"{}\"\nlot = \"{}\"\nopen_price = \"{}\"",
            self.tick.normalize(),
            self.lot.normalize(),
            open.normalize()
        );
        let _ = writeln!(s, "maker_fee_bps = 0\ntaker_fee_bps = 0");
        let _ = writeln!(
            s,
            "duration = \"{}s\"\nsample_every = \"1s\"\nlatency = \"1ms\"\n",
            self.duration_ns / 1_000_000_000
        );
        let _ = writeln!(s, "[[agents]]\nname = \"crowd\"\nkind = \"flow\"\ncount = {MEMBERS}");
        let _ = writeln!(
            s,
            "cash = \"{}\"\ntokens = \"{}\"\nlatency = \"1ms\"",
            self.cash.normalize(),
            self.tokens.normalize()
        );
        let _ = writeln!(s, "[agents.flow]");
        for (k, v) in [
            ("market_buy_per_min", f.market_buy_per_min),
            ("market_sell_per_min", f.market_sell_per_min),
            ("hawkes_branching", f.hawkes_branching),
            ("hawkes_decay_secs", f.hawkes_decay_secs),
            ("market_size_median", f.market_size_median),
            ("market_size_sigma", f.market_size_sigma),
        ] {
            let _ = writeln!(s, "{k} = {}", num(v));
        }
        let _ = writeln!(s, "market_collar_ticks = {}", f.market_collar_ticks);
        for (k, v) in [
            ("limit_buy_per_min", f.limit_buy_per_min),
            ("limit_sell_per_min", f.limit_sell_per_min),
            ("limit_size_median", f.limit_size_median),
            ("limit_size_sigma", f.limit_size_sigma),
            ("round_share", f.round_share),
        ] {
            let _ = writeln!(s, "{k} = {}", num(v));
        }
        let _ = writeln!(s, "limit_distance_weights = {}", list(&f.limit_distance_weights));
        let _ = writeln!(s, "cancel_per_min = {}", list(&f.cancel_per_min));
        let _ = writeln!(s, "hourly = {}\nstart_hour = {}", list(&f.hourly), f.start_hour);
        s
    }
}

static TEMP: AtomicU64 = AtomicU64::new(0);

/// A temporary file removed when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs the replica (its text through the scenario loader) and measures it over `distances` ticks.
///
/// # Errors
/// The text is refused by the loader or the run fails (both bugs in calibrate: the message says so),
/// or the temporary trade file cannot be written or read.
pub fn simulate(spec: &ReplicaSpec, distances: usize) -> Result<Observed, CalibrateError> {
    let text = spec.toml();
    let scenario = crate::scenario::load_str(&text, "replica.toml", &[])
        .map_err(|e| CalibrateError::Internal(format!("the replica scenario does not load: {e}")))?;
    let n = TEMP.fetch_add(1, Ordering::Relaxed);
    let temp = TempFile(std::env::temp_dir().join(format!("mmsim-calibrate-{}-{n}.csv", std::process::id())));
    let io = |e: std::io::Error| CalibrateError::Io { path: temp.0.display().to_string(), source: e };
    let units = Units { tick: scenario.market.tick, lot: scenario.market.lot };
    let log = TradeLog::new(File::create(&temp.0).map_err(io)?, units).map_err(io)?;
    let mut built = build(&scenario, Some(log)).map_err(|e| CalibrateError::Internal(e.to_string()))?;
    let sim = &mut built.sim;
    let lot = spec.lot.to_f64().unwrap_or(1.0);
    let mut observed = Observed::new(distances);
    observed.duration_ns = spec.duration_ns;
    let mut t = 0u64;
    while t < spec.duration_ns {
        t += GRID_NS;
        sim.step_until(SimTime(t)).map_err(|e| CalibrateError::Internal(e.to_string()))?;
        let book = sim.exchange().book();
        let (bid, ask) = (book.best_bid().map(|p| p.0), book.best_ask().map(|p| p.0));
        observed.sample(bid, ask, true, |side, p| book.qty_at(side, Price(p)).0 as f64 * lot);
    }
    sim.finish();
    sim.close_trade_log().map_err(io)?;
    let mut reader = csv::Reader::from_path(&temp.0).map_err(|e| io(e.into()))?;
    for row in reader.records() {
        let row = row.map_err(|e| io(e.into()))?;
        let secs: f64 = row.get(0).and_then(|x| x.parse().ok()).unwrap_or(0.0);
        let qty: f64 = row.get(3).and_then(|x| x.parse().ok()).unwrap_or(0.0);
        observed.trade((secs * 1e9).round() as u64, qty);
    }
    Ok(observed)
}
