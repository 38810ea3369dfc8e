//! The command line (binary only): argument definitions (clap derive), dispatch to the library,
//! progress display and printing.
//!
//! [`run`] is everything `main` calls after parsing; each subcommand has its own `Args` struct and
//! handler here, so adding `run`, `check` or `sweep` means one enum variant and one function.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use rust_decimal::Decimal;

use mmsim::replay::{self, MatchConfig};
use mmsim::scenario::{self, Override, Scenario};

mod progress;
mod surveil;
use progress::TerminalProgress;

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
    /// Run a scenario (or an experiment file); write summary.json, the CSVs, the charts and report.html (default dir output/<name>/).
    Run(RunArgs),
    /// Validate a scenario (or an experiment file) without running it (exit 0 when valid, 1 otherwise).
    Check(CheckArgs),
    /// Replay an order stream (CSV) through the book; write trades.csv, book.csv and rejects.csv.
    Match(MatchArgs),
    /// Run a scenario's sweep table on all cores; write runs.csv, points.csv, sweep.json and a chart.
    Sweep(SweepArgs),
    /// Run the manipulation detectors on a run's logs (or an external trade log); write alerts.csv, scores.csv, detect.html.
    Detect(surveil::DetectArgs),
    /// Generate labelled runs with random manipulations, run every detector, write the dataset and scores.
    SurveilBench(surveil::BenchArgs),
}

/// Arguments of `mmsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML) with a `[sweep]` table (optional with --merge).
    #[arg(value_name = "SCENARIO.toml", required_unless_present = "merge")]
    pub scenario: Option<PathBuf>,
    /// Output directory (default: output/NAME_sweep/, a shard: output/NAME_sweep/shard-K-of-N/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Threads to run on (default: all cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Run only the K-th of N disjoint slices of the runs (1 ≤ K ≤ N); merge them with --merge.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<mmsim::sweep::Shard>,
    /// Combine shard output directories into the files an unsharded sweep writes.
    #[arg(long, value_name = "DIR", num_args = 1.., conflicts_with = "shard")]
    pub merge: Vec<PathBuf>,
    /// Also write full run reports (replicate 0) for the best or worst point by the chart metric, or all.
    #[arg(long, value_name = "BEST|WORST|ALL", conflicts_with = "shard")]
    pub charts_for: Option<mmsim::sweep::ChartsFor>,
    /// Override a scenario key in every run, e.g. --set market.duration=1h.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// No progress display (a bar on a terminal, else a line every 5 s).
    #[arg(long, short)]
    pub quiet: bool,
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
    /// No progress display (a bar on a terminal, else a line every 5 s).
    #[arg(long, short)]
    pub quiet: bool,
    /// Also run the same scenario and seed with group GROUP replaced by kind KIND (with the
    /// parameters the group's `alternatives` give KIND, else its defaults; `idle` never trades),
    /// and compare: DIR/actual/, DIR/counterfactual/, DIR/comparison.csv,
    /// DIR/price_comparison.png|svg (not with --no-charts), DIR/report.html.
    #[arg(long, value_name = "GROUP=KIND")]
    pub counterfactual: Option<mmsim::counterfactual::Replacement>,
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
        Command::Sweep(args) => run_sweep(&args),
        Command::Detect(args) => surveil::detect(&args),
        Command::SurveilBench(args) => surveil::bench(&args),
    }
}

fn load(path: &std::path::Path, overrides: &[Override], seed: Option<u64>) -> Result<Scenario> {
    let mut all = overrides.to_vec();
    if let Some(seed) = seed {
        all.push(Override { key: "market.seed".into(), value: seed.to_string() });
    }
    Ok(scenario::load(path, &all)?)
}

/// True when the file at `path` is an experiment (an `[experiment]` table) rather than a scenario.
fn is_experiment_file(path: &std::path::Path) -> Result<bool> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read scenario file {}: {e}", path.display()))?;
    Ok(mmsim::experiments::is_experiment(&text))
}

fn run_scenario(args: &RunArgs) -> Result<()> {
    if is_experiment_file(&args.scenario)? {
        anyhow::ensure!(
            args.seed.is_none() && args.overrides.is_empty(),
            "{}: --seed and --set do not apply to experiment files; edit the [experiment] table",
            args.scenario.display()
        );
        let stem = args.scenario.file_stem().map_or("experiment".into(), |s| s.to_string_lossy().into_owned());
        let out = args.out.clone().unwrap_or_else(|| std::path::Path::new("output").join(stem));
        say(&mmsim::experiments::run_file(&args.scenario, &out)?);
        say(&format!("wrote {}\n", out.display()));
        return Ok(());
    }
    let scenario = load(&args.scenario, &args.overrides, args.seed)?;
    let out = args.out.clone().unwrap_or_else(|| mmsim::run::default_out_dir(&scenario));
    if let Some(r) = &args.counterfactual {
        let progress = TerminalProgress::sink("simulated", args.quiet);
        let (actual, alt, rows) = mmsim::counterfactual::run_pair(&scenario, r, &out, !args.no_charts, &progress)?;
        say(&format!("── actual ──\n{}", mmsim::report::terminal_summary(&actual.summary)));
        say(&format!(
            "── counterfactual: {} as {} ──\n{}",
            r.group,
            r.kind,
            mmsim::report::terminal_summary(&alt.summary)
        ));
        let mut table = format!("{:<40} {:>18} {:>18} {:>18}\n", "metric", "actual", "counterfactual", "difference");
        for row in rows {
            let diff = row.actual - row.counterfactual;
            let exact = row.metric.starts_with("price_");
            let t = if exact { mmsim::report::exact_thousands } else { mmsim::report::thousands };
            table +=
                &format!("{:<40} {:>18} {:>18} {:>18}\n", row.metric, t(row.actual), t(row.counterfactual), t(diff));
        }
        say(&table);
        say(&format!("wrote {}\n", out.display()));
        return Ok(());
    }
    let progress = TerminalProgress::sink("simulated", args.quiet);
    let options = mmsim::run::RunOptions { out_dir: Some(out), progress, charts: !args.no_charts };
    let outcome = mmsim::run::run(&scenario, &options)?;
    say(&mmsim::report::terminal_summary(&outcome.summary));
    if let Some(dir) = &outcome.out_dir {
        say(&format!("wrote {} — open {} in a browser\n", dir.display(), dir.join("report.html").display()));
    }
    Ok(())
}

fn check_scenario(args: &CheckArgs) -> Result<()> {
    if is_experiment_file(&args.scenario)? {
        anyhow::ensure!(
            args.overrides.is_empty(),
            "{}: --set does not apply to experiment files; edit the [experiment] table",
            args.scenario.display()
        );
        say(&mmsim::experiments::check_file(&args.scenario)?);
        return Ok(());
    }
    let s = load(&args.scenario, &args.overrides, None)?;
    let agents: u64 = s.groups.iter().map(|g| g.count as u64).sum();
    say(&format!(
        "{}: ok — scenario {:?}, {} group(s), {} agent(s), {} contract(s), {} simulated, seed {}\n",
        args.scenario.display(),
        s.name,
        s.groups.len(),
        agents,
        s.contracts.len(),
        mmsim::units::Dur(s.market.duration.nanos()),
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

fn run_sweep(args: &SweepArgs) -> Result<()> {
    use mmsim::sweep::{self, Plan, SweepOptions};
    let jobs = args.jobs.map(|j| j as usize);
    let plan = args.scenario.as_deref().map(|p| Plan::load(p, &args.overrides)).transpose()?;
    let report = if args.merge.is_empty() {
        let plan = plan.as_ref().ok_or_else(|| anyhow::anyhow!("a scenario file is required"))?;
        let base = std::path::Path::new("output").join(format!("{}_sweep", plan.scenario.name));
        let out = match (&args.out, args.shard) {
            (Some(out), _) => out.clone(),
            (None, Some(s)) if s.n > 1 => base.join(format!("shard-{}-of-{}", s.k, s.n)),
            (None, _) => base,
        };
        let shard = args.shard.map_or(String::new(), |s| format!(", shard {s}: {} runs", plan.runs(s).len()));
        println!(
            "{}: {} point(s) × {} replicate(s) = {} runs{shard}",
            plan.scenario.name,
            plan.points.len(),
            plan.spec.replicates,
            plan.runs_total()
        );
        let progress = TerminalProgress::sink("runs", args.quiet);
        let options = SweepOptions { out_dir: out, jobs, shard: args.shard, charts_for: args.charts_for, progress };
        sweep::run_sweep(plan, &options)?
    } else {
        anyhow::ensure!(
            args.charts_for.is_none() || plan.is_some(),
            "--charts-for with --merge needs the scenario file too: mmsim sweep SCENARIO.toml --merge DIR... --charts-for BEST"
        );
        let out = match &args.out {
            Some(out) => out.clone(),
            None => {
                let (m, _) = sweep::output::read_dir(&args.merge[0])?;
                std::path::Path::new("output").join(format!("{}_sweep", m.scenario))
            }
        };
        let rerun = plan.as_ref().zip(args.charts_for);
        sweep::merge(&args.merge, &out, rerun, jobs)?
    };
    if args.merge.is_empty() {
        let resumed = if report.resumed > 0 { format!(" ({} resumed)", report.resumed) } else { String::new() };
        println!(
            "{} runs in {:.1} s on {} thread(s): {:.2} runs/s{resumed}",
            report.runs,
            report.wall.as_secs_f64(),
            report.threads,
            report.runs_per_sec()
        );
    } else {
        println!("merged {} director{}", args.merge.len(), if args.merge.len() == 1 { "y" } else { "ies" });
    }
    for (what, point, dir) in &report.reports {
        println!("{what} point {point}: {}", dir.display());
    }
    println!("wrote {}: {}", report.out_dir.display(), report.files.join(", "));
    Ok(())
}
