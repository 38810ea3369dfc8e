//! `mmsim backtest DATA... --strategy SCENARIO.toml`: arguments and handler.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use mmsim::backtest::{backtest_files, parse_latency, BacktestOptions, QueueModel};
use mmsim::engine::Latency;

/// Arguments of `mmsim backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Recorded market data (Binance raw stream, Tardis CSV; gzip or plain), merged in local time.
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,
    /// The strategy: a scenario whose non-crowd groups (e.g. passive_mm) are backtested; its
    /// [market] tick and lot must match the data.
    #[arg(long, value_name = "SCENARIO.toml")]
    pub strategy: PathBuf,
    /// Output directory (default: output/<scenario name>_backtest/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Queue-position model of resting orders: risk_averse or prob:N (e.g. prob:2).
    #[arg(long, value_name = "MODEL", default_value = "prob:2", value_parser = parse_queue)]
    pub queue: QueueModel,
    /// Order-entry and response latency, ENTRY[,RESPONSE] (e.g. 5ms,2ms; default: each group's latency).
    #[arg(long, value_name = "ENTRY[,RESPONSE]", value_parser = parse_latency)]
    pub latency: Option<(Latency, Latency)>,
    /// Skip the charts (report.html is still written, without them).
    #[arg(long)]
    pub no_charts: bool,
}

fn parse_queue(s: &str) -> Result<QueueModel, String> {
    s.parse()
}

/// Runs the backtest and prints where the files went.
pub fn run(args: &BacktestArgs) -> Result<()> {
    let scenario = mmsim::scenario::load(&args.strategy, &[])?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("output").join(format!("{}_backtest", scenario.name)));
    let options = BacktestOptions {
        queue: args.queue,
        latency: args.latency,
        out_dir: Some(out.clone()),
        charts: !args.no_charts,
        ..BacktestOptions::default()
    };
    let outcome = backtest_files(&args.data, &scenario, &options)
        .with_context(|| format!("backtesting {} on {} file(s)", args.strategy.display(), args.data.len()))?;
    let s = &outcome.summary;
    let agreement = s.replay.top_of_book_agreement.map_or("n/a".to_string(), |a| format!("{:.2}%", a * 100.0));
    let mut text = format!(
        "{} events replayed ({} skipped, {} gaps), top-of-book agreement {agreement}; queue {}: {} maker and {} taker fills\n",
        s.replay.events,
        s.replay.stats.total_skipped(),
        s.replay.gap_count,
        s.backtest.queue_model,
        s.backtest.maker_fills,
        s.backtest.taker_fills,
    );
    for g in s.run.groups.iter().filter(|g| g.kind.is_group()) {
        text.push_str(&format!("  {}: pnl {} quote\n", g.name, g.pnl_quote));
    }
    text.push_str(&format!("wrote {}\n", out.display()));
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}
