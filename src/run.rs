//! One run of a scenario, end to end: build, simulate (with a progress bar on a terminal), check
//! conservation, report the contracts, and write the run's files atomically.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build::{build, Built};
use crate::contracts::{self, ContractRow};
use crate::metrics::summary::{RunFacts, Summary};
use crate::metrics::{OrderLog, ParquetOrders, TradeLog, Units};
use crate::progress::ProgressSink;

use crate::report::{
    kpi_series, render_charts, render_report, write_agents_csv, write_contracts_csv, write_summary_json,
    write_timeseries_csv, write_timeseries_parquet, ChartInput, OutputDir, OutputError, ReportInput,
};
use crate::scenario::Scenario;

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The scenario is invalid.
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    /// The engine was misused (a bug in the caller or in mmsim).
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    /// An output file could not be written.
    #[error(transparent)]
    Output(#[from] crate::report::OutputError),
    /// Cash or tokens were created or destroyed: a bug in mmsim (the files are still written).
    #[error(
        "conservation check failed: cash {cash_start} → {cash_end}, tokens {tokens_start} → {tokens_end} \
         (a bug in mmsim; please report it)"
    )]
    Conservation {
        /// Cash at the start.
        cash_start: rust_decimal::Decimal,
        /// Cash at the end.
        cash_end: rust_decimal::Decimal,
        /// Tokens at the start.
        tokens_start: rust_decimal::Decimal,
        /// Tokens at the end.
        tokens_end: rust_decimal::Decimal,
    },
    /// A `--counterfactual` replacement that does not fit the scenario.
    #[error("--counterfactual: {0}")]
    Counterfactual(String),
    /// A payoff asked of a group the run does not have.
    #[error(transparent)]
    Accounting(#[from] crate::accounting::AccountingError),
}

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Where to write the run's files; `None` keeps everything in memory (sweeps, benches).
    pub out_dir: Option<PathBuf>,
    /// Where to report progress (simulated time done of the run's duration), if anywhere.
    pub progress: ProgressSink,
    /// Render the four charts (PNG + SVG) and put them in `report.html`.
    pub charts: bool,
}

/// More about a run's files, beyond [`RunOptions`] (kept apart so code building `RunOptions`
/// literally stays valid as this grows; [`run`] uses the defaults).
#[derive(Clone, Debug, Default)]
pub struct RunExtras {
    /// Where the scenario came from: written as `scenario.toml` and into `summary.json`.
    pub origin: Option<crate::provenance::Origin>,
    /// The format of the streamed tables: `trades`, `orders` and `timeseries` as `.csv` or
    /// `.parquet`.
    pub format: OutputFormat,
    /// Write no trade log at all.
    pub no_trades: bool,
    /// Write no `replay.html` (it is written whenever the charts are).
    pub no_replay: bool,
    /// Write no order log (`orders.csv` / `orders.parquet`): a run without surveillance data.
    pub no_orders: bool,
    /// Zoom the static charts into this window (checked against the scenario's duration).
    pub window: Option<crate::report::Window>,
}

/// The format of the streamed tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// CSV (the default: readable anywhere, fine for short runs).
    #[default]
    Csv,
    /// Parquet with zstd, in row groups (long runs: far smaller, typed, fast to load).
    Parquet,
}

impl std::str::FromStr for OutputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(OutputFormat::Csv),
            "parquet" => Ok(OutputFormat::Parquet),
            _ => Err(format!("expected csv or parquet, got {s:?}")),
        }
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The summary figures.
    pub summary: Summary,
    /// The finished simulation (recorder, exchange, agents) for charts and further analysis.
    pub built: Built,
    /// Where the files went, if anywhere.
    pub out_dir: Option<PathBuf>,
}

/// The units of `scenario`'s market.
pub fn units(scenario: &Scenario) -> Units {
    Units { tick: scenario.market.tick, lot: scenario.market.lot }
}

/// Runs `scenario` to its end.
///
/// # Errors
/// I/O errors writing the output, or a broken conservation check (a bug: the files are still written
/// so it can be investigated).
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<RunOutcome, RunError> {
    run_with(scenario, options, &RunExtras::default())
}

/// [`run`] with [`RunExtras`].
///
/// # Errors
/// As [`run`].
pub fn run_with(scenario: &Scenario, options: &RunOptions, extras: &RunExtras) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    let units = units(scenario);
    let mut out = options.out_dir.as_deref().map(OutputDir::create).transpose()?;
    let trade_log = match &mut out {
        Some(dir) => {
            dir.replaces(&["trades.csv", "trades.parquet"]);
            match (extras.no_trades, extras.format) {
                (true, _) => None,
                (false, OutputFormat::Csv) => Some(
                    TradeLog::new(dir.stage("trades.csv")?, units)
                        .map_err(crate::report::OutputError::io("writing trades.csv"))?,
                ),
                (false, OutputFormat::Parquet) => Some(
                    TradeLog::parquet(dir.stage("trades.parquet")?, dir.path(), units)
                        .map_err(crate::report::OutputError::io("writing trades.parquet"))?,
                ),
            }
        }
        None => None,
    };
    let mut built = build(scenario, trade_log)?;
    let ext = match extras.format {
        OutputFormat::Csv => "csv",
        OutputFormat::Parquet => "parquet",
    };
    if let Some(dir) = &mut out {
        dir.replaces(&["orders.csv", "orders.parquet", "timeseries.csv", "timeseries.parquet"]);
    }
    if let Some(dir) = out.as_mut().filter(|_| !extras.no_orders) {
        let file = dir.stage(&format!("orders.{ext}"))?;
        let opened = match extras.format {
            OutputFormat::Csv => OrderLog::new(file, units).map(crate::metrics::OrderSink::from),
            OutputFormat::Parquet => ParquetOrders::new(file, dir.path(), units).map(crate::metrics::OrderSink::from),
        };
        built.sim.set_order_log(opened.map_err(crate::report::OutputError::io(format!("writing orders.{ext}")))?);
    }
    simulate(&mut built, &options.progress)?;
    built.sim.close_trade_log().map_err(crate::report::OutputError::io(format!("writing trades.{ext}")))?;
    built.sim.close_order_log().map_err(crate::report::OutputError::io(format!("writing orders.{ext}")))?;

    let sim = &built.sim;
    let facts = RunFacts {
        scenario: &scenario.name,
        seed: scenario.seed,
        events: sim.events(),
        sim_seconds: sim.now().as_secs_f64(),
        wall_seconds: started.elapsed().as_secs_f64(),
        open_price: scenario.market.open_price,
    };
    let ledger = sim.exchange().ledger();
    let mut summary = Summary::new(facts, sim.recorder(), ledger, Some(sim.exchange().book()), units);
    let contract_reports = contracts::reports(sim.contracts(), units);
    summary.contracts = contract_reports.iter().map(|r| r.summary.clone()).collect();
    summary.provenance = extras.origin.as_ref().map(|o| o.provenance.clone());
    let contract_rows: Vec<ContractRow> = contract_reports.into_iter().flat_map(|r| r.rows).collect();
    let out_dir = match out {
        Some(mut dir) => {
            write_files(&mut dir, &built, &summary, units, scenario, (options.charts, extras))?;
            dir.replaces(&[crate::teach::FILE]);
            if options.charts && !extras.no_replay {
                write_replay(&mut dir, &built, units, scenario)?;
            }
            dir.write("contracts.csv", |w| write_contracts_csv(w, &contract_rows))?;
            if let Some(origin) = extras.origin.as_ref().filter(|o| !o.scenario_toml.is_empty()) {
                let text = origin.scenario_toml.as_bytes();
                dir.write(crate::provenance::SCENARIO_FILE, |w| Ok(std::io::Write::write_all(w, text)?))?;
            }
            Some(dir.commit()?)
        }
        None => None,
    };
    let c = &summary.conservation;
    if !c.ok {
        return Err(RunError::Conservation {
            cash_start: c.cash_start,
            cash_end: c.cash_end,
            tokens_start: c.tokens_start,
            tokens_end: c.tokens_end,
        });
    }
    Ok(RunOutcome { summary, built, out_dir })
}

fn write_files(
    dir: &mut OutputDir,
    built: &Built,
    summary: &Summary,
    units: Units,
    s: &Scenario,
    (charts_wanted, extras): (bool, &RunExtras),
) -> Result<(), crate::report::OutputError> {
    let format = extras.format;
    let recorder = built.sim.recorder();
    let ledger = built.sim.exchange().ledger();
    let mark = recorder.totals().close.unwrap_or(s.market.open_price);
    match format {
        OutputFormat::Csv => dir.write("timeseries.csv", |w| write_timeseries_csv(w, recorder, units))?,
        OutputFormat::Parquet => {
            let file = dir.stage("timeseries.parquet")?;
            write_timeseries_parquet(file, recorder, units)
                .map_err(|e| OutputError::Writing { file: "timeseries.parquet".into(), source: Box::new(e) })?;
        }
    }
    dir.write("agents.csv", |w| {
        write_agents_csv(w, &built.agents, &built.account_start, recorder, ledger, units, mark)
    })?;
    dir.write("summary.json", |w| write_summary_json(w, summary))?;
    dir.write("holdings.csv", |w| crate::report::chart_data::write_holdings_csv(w, recorder, units))?;
    let kpis = kpi_series(&s.contracts, built.sim.contracts(), units);
    dir.replaces(&["kpis.csv"]);
    if !kpis.is_empty() {
        dir.write("kpis.csv", |w| crate::report::chart_data::write_kpis_csv(w, &kpis))?;
    }
    let mut page = ReportInput::new(summary, &s.description);
    let charts;
    dir.replaces(&crate::report::ChartKind::RUN_FILES);
    if charts_wanted {
        let window = extras.window.map(|w| w.secs());
        let scan = staged_trades(dir, window)?;
        let mut input =
            ChartInput::new(&s.name, recorder, units, s.market.open_price).with_kpis(&kpis).with_marks(&scan.marks);
        if let Some(w) = window {
            let tick = rust_decimal::prelude::ToPrimitive::to_f64(&units.tick).unwrap_or(1.0);
            let ticks = |v: f64| crate::types::Price((v / tick).round() as i64);
            input = input.windowed(w, scan.high_low.map(|(h, l)| (ticks(h), ticks(l))));
        }
        charts = render_charts(&input)?;
        charts.write(dir)?;
        page = page.with_charts(&charts);
    }
    let html = render_report(&page, None);
    dir.write("report.html", |w| Ok(std::io::Write::write_all(w, html.as_bytes())?))?;
    Ok(())
}

/// The manipulator trades (and the high and low) in `window` of the staged `trades.csv`, or of
/// `trades.parquet` read back as the same CSV text (the run's own trade stream; none when the
/// trades were not written).
fn staged_trades(
    dir: &OutputDir,
    window: Option<(f64, f64)>,
) -> Result<crate::report::TradeScan, crate::report::OutputError> {
    let (path, parquet) = match (dir.staged_path("trades.csv"), dir.staged_path("trades.parquet")) {
        (Some(csv), _) => (csv, false),
        (None, Some(parquet)) => (parquet, true),
        (None, None) => return Ok(Default::default()),
    };
    crate::report::read_trade_marks_file(&path, parquet, window).map_err(crate::report::OutputError::Chart)
}

/// Stages `replay.html`, read back from the staged order log (one truth with the log): `orders.csv`,
/// or `orders.parquet` read back as the same CSV text.
fn write_replay(
    dir: &mut OutputDir,
    built: &Built,
    units: Units,
    s: &Scenario,
) -> Result<(), crate::report::OutputError> {
    let recorder = built.sim.recorder();
    let input = crate::teach::ReplayInput {
        name: &s.name,
        description: &s.description,
        units,
        open_price: s.market.open_price,
        samples: recorder.samples(),
        holdings: recorder.holdings(),
        parties: recorder.parties(),
        end_ms: (built.sim.end().nanos() as i64 + 999_999) / 1_000_000,
    };
    let failed = |e: String| crate::report::OutputError::Chart(format!("replay.html: {e}"));
    let html = if let Some(orders) = dir.staged_path("orders.csv") {
        let file = std::fs::File::open(&orders).map_err(crate::report::OutputError::io("reading orders.csv"))?;
        crate::teach::render(&input, std::io::BufReader::with_capacity(1 << 16, file)).map_err(failed)?
    } else if let Some(orders) = dir.staged_path("orders.parquet") {
        let reader = crate::teach::parquet::ParquetAsCsv::open(&orders).map_err(failed)?;
        crate::teach::render(&input, std::io::BufReader::with_capacity(1 << 16, reader)).map_err(failed)?
    } else {
        return Ok(());
    };
    dir.write(crate::teach::FILE, |w| Ok(std::io::Write::write_all(w, html.as_bytes())?))
}

/// Steps the simulation to its end in 200 slices, reporting progress after each.
fn simulate(built: &mut Built, progress: &ProgressSink) -> Result<(), RunError> {
    let sim = &mut built.sim;
    let end = sim.end();
    let slice = (end.nanos() / 200).max(1);
    let started = Instant::now();
    loop {
        let until = sim.now().plus_nanos(slice);
        let more = sim.step_until(until)?;
        if let Some(p) = progress {
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            p.update(sim.now().nanos(), end.nanos(), &format!("{:.2}M events/s", sim.events() as f64 / secs / 1e6));
        }
        if !more {
            break;
        }
    }
    if let Some(p) = progress {
        p.finish();
    }
    sim.finish();
    Ok(())
}

/// The default output directory of a scenario: `output/<name>/`.
pub fn default_out_dir(scenario: &Scenario) -> PathBuf {
    Path::new("output").join(&scenario.name)
}
