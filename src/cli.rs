//! The command line: argument definitions (clap derive) and dispatch to the library.
//!
//! [`run`] is everything `main` calls after parsing; each subcommand has its own `Args` struct and
//! handler here, so adding `run`, `check` or `sweep` means one enum variant and one function.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use rust_decimal::Decimal;

use crate::replay::{self, MatchConfig};
use crate::scenario::{self, Override, Scenario};

/// mmsim: market-maker simulator.
#[derive(Debug, Parser)]
#[command(name = "mmsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario; write summary.json, timeseries.csv, trades.csv, agents.csv (default dir output/<name>/).
    Run(RunArgs),
    /// Validate a scenario without running it (exit 0 when valid, 1 otherwise).
    Check(CheckArgs),
    /// Replay an order stream (CSV) through the book; write trades.csv, book.csv and rejects.csv.
    Match(MatchArgs),
}

/// Arguments of `mmsim match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The order stream: header `ts,trader,action,order_id,side,type,price,qty`.
    #[arg(value_name = "ORDERS.csv")]
    pub orders: PathBuf,
    /// Tick size: every price must be a whole multiple of it (a decimal > 0, e.g. 0.01).
    #[arg(long, value_name = "T")]
    pub tick: Decimal,
    /// Lot size: every quantity must be a whole multiple of it (a decimal > 0, e.g. 1).
    #[arg(long, value_name = "L")]
    pub lot: Decimal,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Arguments of `mmsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Output directory (default: output/<scenario name>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Seed override (same as --set market.seed=N).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Override any scenario key, validated like the file: e.g. --set agents.retail.count=5000.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// Skip the charts (report.html is still written, without them).
    #[arg(long)]
    pub no_charts: bool,
    /// Also run the same scenario and seed with group GROUP replaced by kind KIND (default
    /// parameters), and compare: DIR/actual/, DIR/counterfactual/, DIR/comparison.csv, DIR/report.html.
    #[arg(long, value_name = "GROUP=KIND")]
    pub counterfactual: Option<crate::counterfactual::Replacement>,
}

/// Arguments of `mmsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenario file (TOML).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Overrides to validate with the file.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
}

/// Runs the parsed command line.
///
/// # Errors
/// Any user or I/O error, with the file and line where one applies; the caller prints it and exits 1.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Match(args) => run_match(&args),
        Command::Run(args) => run_scenario(&args),
        Command::Check(args) => check_scenario(&args),
    }
}

fn load(path: &std::path::Path, overrides: &[Override], seed: Option<u64>) -> Result<Scenario> {
    let mut all = overrides.to_vec();
    if let Some(seed) = seed {
        all.push(Override { key: "market.seed".into(), value: seed.to_string() });
    }
    Ok(scenario::load(path, &all)?)
}

fn run_scenario(args: &RunArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.scenario)
        .map_err(|e| anyhow::anyhow!("cannot read scenario file {}: {e}", args.scenario.display()))?;
    if crate::experiments::is_experiment(&text) {
        anyhow::ensure!(
            args.seed.is_none() && args.overrides.is_empty(),
            "{}: --seed and --set do not apply to experiment files; edit the [experiment] table",
            args.scenario.display()
        );
        let stem = args.scenario.file_stem().map_or("experiment".into(), |s| s.to_string_lossy().into_owned());
        let out = args.out.clone().unwrap_or_else(|| std::path::Path::new("output").join(stem));
        say(&crate::experiments::run_file(&args.scenario, &out)?);
        say(&format!("wrote {}\n", out.display()));
        return Ok(());
    }
    let scenario = load(&args.scenario, &args.overrides, args.seed)?;
    let out = args.out.clone().unwrap_or_else(|| crate::run::default_out_dir(&scenario));
    if let Some(r) = &args.counterfactual {
        let (actual, alt, rows) = crate::counterfactual::run_pair(&scenario, r, &out, !args.no_charts)?;
        say(&format!("── actual ──\n{}", crate::report::terminal_summary(&actual.summary)));
        say(&format!(
            "── counterfactual: {} as {} ──\n{}",
            r.group,
            r.kind,
            crate::report::terminal_summary(&alt.summary)
        ));
        let mut table = format!("{:<40} {:>18} {:>18} {:>18}\n", "metric", "actual", "counterfactual", "difference");
        for row in rows {
            let diff = row.actual - row.counterfactual;
            let t = crate::report::thousands;
            table +=
                &format!("{:<40} {:>18} {:>18} {:>18}\n", row.metric, t(row.actual), t(row.counterfactual), t(diff));
        }
        say(&table);
        say(&format!("wrote {}\n", out.display()));
        return Ok(());
    }
    let options = crate::run::RunOptions { out_dir: Some(out), progress: true, charts: !args.no_charts };
    let outcome = crate::run::run(&scenario, &options)?;
    say(&crate::report::terminal_summary(&outcome.summary));
    if let Some(dir) = &outcome.out_dir {
        say(&format!("wrote {}\n", dir.display()));
    }
    Ok(())
}

fn check_scenario(args: &CheckArgs) -> Result<()> {
    let s = load(&args.scenario, &args.overrides, None)?;
    let agents: u64 = s.groups.iter().map(|g| g.count as u64).sum();
    say(&format!(
        "{}: ok — scenario {:?}, {} group(s), {} agent(s), {} contract(s), {} simulated, seed {}\n",
        args.scenario.display(),
        s.name,
        s.groups.len(),
        agents,
        s.contracts.len(),
        crate::units::Dur(s.market.duration.nanos()),
        s.seed
    ));
    Ok(())
}

fn run_match(args: &MatchArgs) -> Result<()> {
    let config = MatchConfig::try_new(args.tick, args.lot)?;
    let summary = replay::replay_file(&config, &args.orders, &args.out)?;
    say(&format!("{summary}; wrote trades.csv, book.csv and rejects.csv to {}\n", args.out.display()));
    Ok(())
}

/// Writes to stdout, ignoring a closed pipe (`mmsim run … | head` must not panic).
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
