//! `mmsim charts RUN_DIR`: the run's charts redrawn from its own files, optionally zoomed into a
//! [`Window`]. Read: `scenario.toml` (name, tick and lot, opening price, the contracts' KPI
//! thresholds), `timeseries.csv` or `timeseries.parquet`, `holdings.csv`, `kpis.csv` (with
//! subscriptions), `trades.csv` or `trades.parquet` (manipulator marks and the true high and low;
//! without either, the whole run's high and low come from `summary.json`).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::chart_data::{read_holdings_csv, read_kpis_csv};
use super::{kpi_series, render_charts, ChartInput, KpiSeries, OutputDir, TradeMarks, Window};
use crate::agents::Phase;
use crate::metrics::{Party, Sample, Units};
use crate::scenario::Scenario;
use crate::types::{Cash, Price, Qty, SimTime};

/// The manipulator marks and the true high and low of a window's trades.
type Trades = (Vec<TradeMarks>, Option<(Price, Price)>);

/// Everything the charts of a run directory are drawn from.
#[derive(Debug)]
pub struct RunDirCharts {
    scenario: Scenario,
    units: Units,
    samples: Vec<Sample>,
    holdings: Vec<Vec<(Cash, Qty)>>,
    parties: Vec<Party>,
    kpis: Vec<KpiSeries>,
    dir: PathBuf,
}

fn open(dir: &Path, name: &str) -> Result<Option<BufReader<File>>, String> {
    match File::open(dir.join(name)) {
        Ok(f) => Ok(Some(BufReader::with_capacity(1 << 16, f))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", dir.join(name).display())),
    }
}

impl RunDirCharts {
    /// Reads the run directory `dir`.
    ///
    /// # Errors
    /// A file that is missing or unreadable, located (file, line, column).
    pub fn read(dir: &Path) -> Result<Self, String> {
        let at = |name: &str| dir.join(name).display().to_string();
        let toml = std::fs::read_to_string(dir.join(crate::provenance::SCENARIO_FILE)).map_err(|e| {
            format!("{}: {e} (mmsim charts needs a run directory written by `mmsim run`)", at("scenario.toml"))
        })?;
        let scenario = crate::scenario::load_str(&toml, &at("scenario.toml"), &[]).map_err(|e| e.to_string())?;
        let units = crate::run::units(&scenario);
        let samples = if let Some(r) = open(dir, "timeseries.csv")? {
            super::series_read::read_timeseries_csv(r, units).map_err(|e| format!("{}: {e}", dir.display()))?
        } else if dir.join("timeseries.parquet").is_file() {
            super::series_read::read_timeseries_parquet(&dir.join("timeseries.parquet"), units)?
        } else {
            return Err(format!("{}: no timeseries.csv or timeseries.parquet", dir.display()));
        };
        let (parties, holdings) = match open(dir, "holdings.csv")? {
            Some(r) => {
                let (parties, rows) = read_holdings_csv(r, units).map_err(|e| format!("{}: {e}", dir.display()))?;
                (parties, rows.into_iter().map(|r| r.1).collect())
            }
            None => (Vec::new(), Vec::new()),
        };
        let mut kpis = kpi_series(&scenario.contracts, &[], units);
        if let Some(r) = open(dir, "kpis.csv")? {
            read_kpis_csv(r, &mut kpis).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        Ok(RunDirCharts { scenario, units, samples, holdings, parties, kpis, dir: dir.to_path_buf() })
    }

    /// The run's length in seconds (its scenario's duration).
    pub fn duration_secs(&self) -> f64 {
        self.scenario.market.duration.as_secs_f64()
    }

    /// The manipulator marks and the true high and low of the trades in `window`, from `trades.csv`
    /// or `trades.parquet` (none without either; the whole run's high and low then come from
    /// `summary.json`).
    fn trades(&self, window: Option<Window>) -> Result<Trades, String> {
        let tick = self.units.tick.to_f64().unwrap_or(1.0);
        let ticks = |v: f64| Price((v / tick).round() as i64);
        let secs = window.map(|w| w.secs());
        let (csv, parquet) = (self.dir.join("trades.csv"), self.dir.join("trades.parquet"));
        let file = if csv.is_file() { Some((csv, false)) } else { parquet.is_file().then_some((parquet, true)) };
        if let Some((path, parquet)) = file {
            let scan = super::read_trade_marks_file(&path, parquet, secs)
                .map_err(|e| format!("{}: {e}", self.dir.display()))?;
            return Ok((scan.marks, scan.high_low.map(|(h, l)| (ticks(h), ticks(l)))));
        }
        if window.is_some() {
            return Ok((Vec::new(), None));
        }
        let summary = std::fs::read_to_string(self.dir.join("summary.json")).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&summary).unwrap_or_default();
        let price = |k: &str| json["price"][k].as_f64().map(ticks);
        Ok((Vec::new(), price("high").zip(price("low"))))
    }

    /// Renders the charts (zoomed into `window` if given) and writes them to `out`.
    ///
    /// # Errors
    /// A window outside the run, an unreadable `trades.csv` or `trades.parquet`, or a drawing or
    /// I/O error.
    pub fn write_charts(&self, window: Option<Window>, out: &Path) -> Result<PathBuf, String> {
        if let Some(w) = window {
            w.check_within(self.duration_secs())?;
        }
        let (marks, extremes) = self.trades(window)?;
        let s = &self.scenario;
        let mut input = ChartInput {
            name: &s.name,
            samples: &self.samples,
            holdings: &self.holdings,
            parties: &self.parties,
            units: self.units,
            open_price: s.market.open_price,
            kpis: &self.kpis,
            extremes,
            marks: &marks,
            window: None,
        };
        if let Some(w) = window {
            input = input.windowed(w.secs(), extremes);
        }
        let charts = render_charts(&input).map_err(|e| e.to_string())?;
        let mut dir = OutputDir::create(out).map_err(|e| e.to_string())?;
        charts.write(&mut dir).map_err(|e| e.to_string())?;
        dir.commit().map_err(|e| e.to_string())
    }
}

/// The phase called `name`.
pub(super) fn phase_named(name: &str) -> Option<Phase> {
    Phase::ALL.into_iter().find(|p| p.name() == name)
}

/// `value` (quote units) in whole `unit`s, when exact enough to be one.
pub(super) fn whole(value: Decimal, unit: Decimal) -> Option<i128> {
    (value / unit).round().to_i128()
}

/// A sample at `t` seconds.
pub(super) fn at_secs(t: f64) -> SimTime {
    SimTime((t * 1e9).round() as u64)
}
