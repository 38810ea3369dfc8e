//! `mmsim backtest`: a strategy's market makers quoting into a recorded book.
//!
//! The recorded files are replayed through the feed's [`L2Book`](crate::feed::L2Book) (see
//! [`crate::feed`]); the scenario's strategy groups (every group that is not a crowd, e.g.
//! `passive_mm`) run through the same [`Agent`](crate::agents::Agent) interface as in a simulation
//! and see the replayed book as their [`MarketView`](crate::agents::MarketView). Their orders reach
//! the venue after the group's entry latency and hear back after the response latency; resting
//! orders fill by the queue-position model of `queue.rs`, taker orders walk the recorded levels
//! (`venue.rs`); fees are the scenario's maker and taker fees. The recorded market is never changed
//! by the strategy: the backtest answers "what would these quotes have earned on that market".
//!
//! **Grid.** The data is read on the scenario's `tick` and `lot` (a price or size off that grid is a
//! located error): the strategy's parameters are in those units, so they must match the data.
//!
//! **Time.** The feed's local time, shifted so the first event is at zero; the run ends at the last
//! event or at the scenario's `duration`, whichever comes first. Memory is flat in the file length:
//! events are streamed, samples are taken every `sample_every`.
//!
//! **Outputs** (with `out_dir`): `summary.json` (the run summary, plus `replay`: events read and
//! skipped per kind, gaps, `top_of_book_agreement`; and `backtest`: the queue model and the
//! strategy's order counts), `trades.csv` (the strategy's fills only), `timeseries.csv` (the
//! replayed market as the agents saw it, with the strategy's own quotes), `agents.csv`,
//! `contracts.csv` (the KPIs of the strategy's `subscription` contracts measured on the real book,
//! period by period: see `kpis.rs`), the charts and `report.html` (with a table of those KPIs and
//! their pass rate).

mod driver;
mod kpis;
mod queue;
mod venue;

pub use driver::{Backtest, Finished};
pub use queue::{QueueModel, QueuePos};
pub use venue::{MmFill, Venue};

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::engine::Latency;
use crate::feed::{EventReader, FeedError, ReadOptions, ReplayOptions, ReplaySummary};
use crate::metrics::summary::{RunFacts, Summary};
use crate::metrics::{TradeLog, Units};
use crate::report::{
    render_charts, render_report, write_agents_csv, write_contracts_csv, write_timeseries_csv, ChartInput, OutputDir,
    OutputError, ReportInput,
};
use crate::scenario::Scenario;
use crate::units::Dur;

/// How a backtest runs.
#[derive(Clone, Debug, Default)]
pub struct BacktestOptions {
    /// The queue-position model for resting orders.
    pub queue: QueueModel,
    /// Entry and response latency for every strategy agent; `None` uses each group's `latency`
    /// for both legs.
    pub latency: Option<(Latency, Latency)>,
    /// How the files are read (tick and lot are set from the scenario).
    pub read: ReadOptions,
    /// Replay options (warm-up of a book built from diffs, gaps listed).
    pub replay: ReplayOptions,
    /// Where to write the run's files; `None` keeps everything in memory.
    pub out_dir: Option<PathBuf>,
    /// Render the charts into the report.
    pub charts: bool,
}

/// Parses `--latency ENTRY[,RESPONSE]` (durations such as `5ms`; the response leg defaults to the
/// entry leg).
///
/// # Errors
/// A message naming the bad part and the duration syntax.
pub fn parse_latency(s: &str) -> Result<(Latency, Latency), String> {
    let mut parts = s.split(',');
    let mut leg = |name: &str| -> Result<Option<Latency>, String> {
        match parts.next() {
            None => Ok(None),
            Some(p) => {
                let d: Dur = p.parse().map_err(|e| format!("--latency {name} leg: {e}"))?;
                Ok(Some(Latency::fixed(d.nanos())))
            }
        }
    };
    let entry = leg("entry")?.ok_or("--latency needs ENTRY[,RESPONSE], e.g. 5ms,2ms")?;
    let response = leg("response")?.unwrap_or(entry);
    if parts.next().is_some() {
        return Err(format!("--latency {s:?}: at most two legs, ENTRY[,RESPONSE]"));
    }
    Ok((entry, response))
}

/// What the strategy did, in `summary.json` under `backtest`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BacktestStats {
    /// The queue model (`risk_averse`, `prob:N`).
    pub queue_model: String,
    /// Crowd groups of the scenario that the recorded market replaced.
    pub groups_replaced: Vec<String>,
    /// Seconds into the data when the agents started (the book was ready).
    pub started_at_s: Option<f64>,
    /// Recorded events replayed.
    pub feed_events: u64,
    /// Recorded events after the scenario's duration (not replayed).
    pub events_after_end: u64,
    /// Orders that reached the venue.
    pub orders: u64,
    /// Cancels that reached the venue.
    pub cancels: u64,
    /// Orders refused.
    pub rejects: u64,
    /// Fills of resting orders.
    pub maker_fills: u64,
    /// Fills of taker orders against the recorded book.
    pub taker_fills: u64,
    /// Orders still resting at the end.
    pub resting_at_end: u64,
    /// Contract signals sent by agents (backtests run no contracts).
    pub signals_ignored: u64,
    /// An error closing `trades.csv`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trade_log_error: Option<String>,
}

/// `summary.json` of a backtest.
#[derive(Clone, Debug, Serialize)]
pub struct BacktestSummary {
    /// The run summary (prices and volume of the whole replayed market plus the strategy's fills;
    /// groups, with the recorded market as the party `market`).
    #[serde(flatten)]
    pub run: Summary,
    /// The replay of the recorded files.
    pub replay: ReplaySummary,
    /// What the strategy did.
    pub backtest: BacktestStats,
}

/// Why a backtest failed.
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    /// The data could not be read (a located error).
    #[error(transparent)]
    Feed(#[from] FeedError),
    /// An output file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The strategy has nothing to run.
    #[error("the strategy scenario has no group to backtest: add a market-maker group (e.g. kind = \"passive_mm\"); crowds such as retail are replaced by the recorded market")]
    NoStrategy,
}

/// A finished backtest.
#[derive(Debug)]
pub struct BacktestOutcome {
    /// The summary (as written to `summary.json`).
    pub summary: BacktestSummary,
    /// The finished run (recorder, ledger, agents).
    pub finished: Finished,
    /// Where the files went.
    pub out_dir: Option<PathBuf>,
}

/// Backtests `scenario`'s strategy on the recorded `paths` (merged in local-time order).
///
/// # Errors
/// [`BacktestError`]: unreadable or bad data (located), no strategy group, or an output error.
pub fn backtest_files<P: AsRef<Path>>(
    paths: &[P],
    scenario: &Scenario,
    options: &BacktestOptions,
) -> Result<BacktestOutcome, BacktestError> {
    let started = Instant::now();
    if scenario.groups.iter().all(|g| g.behaviour.is_crowd()) {
        return Err(BacktestError::NoStrategy);
    }
    let mut options = options.clone();
    options.read.tick_size = Some(scenario.market.tick);
    options.read.lot_size = Some(scenario.market.lot);
    let mut reader = EventReader::open(paths, &options.read)?;
    let units = Units { tick: scenario.market.tick, lot: scenario.market.lot };
    let mut out = options.out_dir.as_deref().map(OutputDir::create).transpose()?;
    let trade_log = match &mut out {
        Some(dir) => {
            Some(TradeLog::new(dir.stage("trades.csv")?, units).map_err(OutputError::io("writing trades.csv"))?)
        }
        None => None,
    };
    let mut bt = Backtest::new(scenario, &options, trade_log);
    while let Some(event) = reader.next_event()? {
        bt.on_event(&event);
        if bt.is_over() {
            break;
        }
    }
    let (finished, replay_outcome) = bt.finish();
    if let Some(e) = &finished.stats.trade_log_error {
        return Err(OutputError::io("writing trades.csv")(std::io::Error::other(e.clone())).into());
    }
    let facts = RunFacts {
        scenario: &scenario.name,
        seed: scenario.seed,
        events: finished.stats.feed_events,
        sim_seconds: finished.now.as_secs_f64(),
        wall_seconds: started.elapsed().as_secs_f64(),
        open_price: finished.open_price,
    };
    let run = Summary::new(facts, &finished.recorder, &finished.ledger, None, units);
    let summary =
        BacktestSummary { run, replay: ReplaySummary::new(replay_outcome, &reader), backtest: finished.stats.clone() };
    let out_dir = match out {
        Some(mut dir) => {
            write_files(&mut dir, &finished, &summary, units, scenario, options.charts)?;
            Some(dir.commit()?)
        }
        None => None,
    };
    Ok(BacktestOutcome { summary, finished, out_dir })
}

fn write_files(
    dir: &mut OutputDir,
    f: &Finished,
    summary: &BacktestSummary,
    units: Units,
    s: &Scenario,
    charts_wanted: bool,
) -> Result<(), OutputError> {
    let mark = f.recorder.totals().close.unwrap_or(f.open_price);
    dir.write("timeseries.csv", |w| write_timeseries_csv(w, &f.recorder, units))?;
    dir.write("agents.csv", |w| write_agents_csv(w, &f.agents, &f.account_start, &f.recorder, &f.ledger, units, mark))?;
    dir.write("contracts.csv", |w| write_contracts_csv(w, &f.contracts))?;
    dir.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, summary)?;
        writeln!(w)?;
        Ok(())
    })?;
    let description = format!("Backtest of {} on recorded data ({} queue model)", s.name, summary.backtest.queue_model);
    let mut page = ReportInput::new(&summary.run, &description);
    let charts;
    dir.replaces(&crate::report::ChartKind::RUN_FILES);
    if charts_wanted {
        let input = ChartInput::new(&s.name, &f.recorder, units, f.open_price);
        charts = render_charts(&input)?;
        charts.write(dir)?;
        page = page.with_charts(&charts);
    }
    let html = render_report(&page, None).replace("</body>", &(kpi_section(&f.contracts) + "</body>"));
    dir.write("report.html", |w| Ok(std::io::Write::write_all(w, html.as_bytes())?))?;
    Ok(())
}

/// The report's section on the KPIs measured on the real book: one row per contract period and the
/// pass rate (periods with every checked KPI met / periods).
fn kpi_section(rows: &[crate::contracts::ContractRow]) -> String {
    let mut s = String::from("<section id=\"kpis\"><h2>KPIs on the real book</h2>");
    if rows.is_empty() {
        s.push_str("<p>The strategy has no <code>subscription</code> contract on a backtested group: no KPI to measure.</p></section>");
        return s;
    }
    let met = rows.iter().filter(|r| r.get("kpis_met") == "true").count();
    s.push_str(&format!(
        "<p>KPI pass rate: <b>{met} of {} period(s)</b> ({:.0}%).</p><table><tr>",
        rows.len(),
        100.0 * met as f64 / rows.len() as f64
    ));
    let cols = [
        "contract",
        "mm",
        "period",
        "start_s",
        "end_s",
        "settled",
        "kpis_met",
        "snapshots",
        "uptime",
        "spread_bps",
        "depth_bid_quote",
        "depth_ask_quote",
        "volume_quote",
        "volume_share",
    ];
    for c in cols {
        s.push_str(&format!("<th>{c}</th>"));
    }
    s.push_str("</tr>");
    for r in rows {
        s.push_str("<tr>");
        for c in cols {
            s.push_str(&format!("<td>{}</td>", r.get(c).replace('&', "&amp;").replace('<', "&lt;")));
        }
        s.push_str("</tr>");
    }
    s.push_str("</table></section>");
    s
}
